/** DistributeByPercentage: draws 1–100 from the seeded generator; the first `NumberLessThan n` above it wins. */
import { compare } from '../conditions.js';
import { nextRandom } from '../random.js';
import { error } from '../run.js';
import type { ActionHandler } from '../run.js';

export const distributeByPercentage: ActionHandler = {
  spec: { errors: ['NoMatchingCondition'], conditions: { operators: ['NumberLessThan'], operands: /^\d+$/ } },
  enter(run, action) {
    const { value, state } = nextRandom(run.state.random);
    run.state.random = state;
    const draw = String(Math.floor(value * 100) + 1);
    const match = action.conditions.find((c) => compare(c.operator, draw, c.operands[0] ?? ''));
    if (match === undefined) return error('NoMatchingCondition', `drew ${draw}`);
    return { kind: 'next', branch: `NumberLessThan ${match.operands[0]} (drew ${draw})`, target: match.next };
  },
};
