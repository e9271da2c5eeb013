/** UpdateContactEventHooks: records which flow runs for a hook (queue, whisper, …); the service runs them. */
import { error, next } from '../run.js';
import type { ActionHandler } from '../run.js';
import { asText } from '../values.js';

export const updateContactEventHooks: ActionHandler = {
  spec: {
    errors: ['NoMatchingError'],
    check: (action) => {
      const hooks = action.parameters.EventHooks;
      const ok = typeof hooks === 'object' && hooks !== null && !Array.isArray(hooks) && Object.keys(hooks).length === 1;
      return ok ? [] : ['EventHooks must hold exactly one hook, such as {"CustomerQueue": "<flow id or ARN>"}.'];
    },
  },
  enter(run, action, { values }) {
    const [[hook, value]] = Object.entries(values.EventHooks as Record<string, unknown>) as [[string, unknown]];
    const flow = asText(value);
    if (flow === undefined) return error('NoMatchingError', `hook ${hook} names no flow`);
    run.state.eventHooks = { ...run.state.eventHooks, [hook]: flow };
    return next(action);
  },
};
