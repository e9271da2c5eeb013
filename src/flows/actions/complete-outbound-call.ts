/**
 * CompleteOutboundCall: in Connect it dials the customer. outdial starts flows once the call is answered,
 * so the call is already complete and the action goes on.
 */
import { next } from '../run.js';
import type { ActionHandler } from '../run.js';

export const completeOutboundCall: ActionHandler = {
  spec: { errors: ['NoMatchingError'] },
  enter: (_run, action) => next(action),
};
