/** UpdateContactTargetQueue: sets the queue TransferContactToQueue will use. */
import { error, next, unsupported } from '../run.js';
import type { ActionHandler } from '../run.js';
import { asText } from '../values.js';

export const updateContactTargetQueue: ActionHandler = {
  spec: {
    errors: ['NoMatchingError'],
    check: (action) => ((action.parameters.QueueId === undefined) === (action.parameters.AgentId === undefined) ? ['set exactly one of QueueId and AgentId.'] : []),
  },
  enter(run, action, { values }) {
    if (values.AgentId !== undefined) return unsupported(run, action, 'UpdateContactTargetQueue with AgentId (agent queues) is not supported');
    const id = asText(values.QueueId);
    const queue = id === undefined ? undefined : run.context.queue(id);
    if (queue === undefined) return error('NoMatchingError', `queue ${id} not found`);
    run.state.targetQueueId = queue.id;
    return next(action);
  },
};
