/** UpdateFlowLoggingBehavior: turns the flow log on or off for the rest of the contact. */
import { next, oneOf } from '../run.js';
import type { ActionHandler } from '../run.js';

export const updateFlowLoggingBehavior: ActionHandler = {
  spec: {
    errors: ['NoMatchingError'],
    check: (action) =>
      action.parameters.FlowLoggingBehavior === undefined
        ? ['FlowLoggingBehavior is required ("Enabled" or "Disabled").']
        : oneOf(action.parameters, 'FlowLoggingBehavior', ['Enabled', 'Disabled']),
  },
  enter(run, action, { values }) {
    run.state.loggingEnabled = values.FlowLoggingBehavior === 'Enabled';
    return next(action);
  },
};
