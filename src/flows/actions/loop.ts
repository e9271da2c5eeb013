/** Loop: ContinueLooping LoopCount times, then DoneLooping once (which resets the counter). */
import { numeric } from '../run.js';
import type { ActionHandler } from '../run.js';
import { isReference } from '../values.js';

const MAX_LOOP_COUNT = 100;

export const loop: ActionHandler = {
  spec: {
    errors: [],
    conditions: { operators: ['Equals'], operands: /^(ContinueLooping|DoneLooping)$/ },
    lenientReferences: true,
    check: (action) => {
      const count = action.parameters.LoopCount;
      if (isReference(count)) return [];
      const n = numeric(count);
      return n !== undefined && Number.isInteger(n) && n >= 0 && n <= MAX_LOOP_COUNT ? [] : [`LoopCount must be a whole number from 0 to ${MAX_LOOP_COUNT}, got ${JSON.stringify(count)}.`];
    },
  },
  enter(run, action, { values }) {
    const count = Math.min(Math.max(Math.trunc(numeric(values.LoopCount) ?? 0), 0), MAX_LOOP_COUNT);
    const done = run.state.loops[action.id] ?? 0;
    const result = done < count ? 'ContinueLooping' : 'DoneLooping';
    const { [action.id]: _, ...others } = run.state.loops;
    run.state.loops = result === 'ContinueLooping' ? { ...others, [action.id]: done + 1 } : others;
    const match = action.conditions.find((c) => c.operands[0] === result);
    return { kind: 'next', branch: `Equals ${result}`, target: match?.next ?? action.next };
  },
};
