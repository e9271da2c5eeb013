/** TransferContactToQueue: hands the contact to the target queue, which ends this flow. */
import { error } from '../run.js';
import type { ActionHandler } from '../run.js';

export const transferContactToQueue: ActionHandler = {
  spec: { errors: ['QueueAtCapacity', 'NoMatchingError'] },
  enter(run) {
    const queueId = run.state.targetQueueId;
    if (queueId === null) return error('NoMatchingError', 'the contact has no target queue');
    if (run.context.queueAtCapacity(queueId)) return error('QueueAtCapacity');
    run.emit({ type: 'QueueContact', queueId });
    return { kind: 'end', reason: 'Queued', disconnect: false };
  },
};
