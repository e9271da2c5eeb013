/** CheckHoursOfOperation: True or False by the weekly schedule (the target queue's when no id is given). */
import { isOpen } from '../hours.js';
import { error } from '../run.js';
import type { ActionHandler } from '../run.js';
import { asText } from '../values.js';

export const checkHoursOfOperation: ActionHandler = {
  spec: { errors: ['NoMatchingError'], conditions: { operators: ['Equals'], operands: /^(True|False)$/ } },
  enter(run, action, { values }) {
    const queue = run.state.targetQueueId === null ? undefined : run.context.queue(run.state.targetQueueId);
    const id = asText(values.HoursOfOperationId) ?? queue?.hoursOfOperationId;
    if (id === undefined) return error('NoMatchingError', 'no HoursOfOperationId and no target queue');
    const hours = run.context.hoursOfOperation(id);
    if (hours === undefined) return error('NoMatchingError', `hours of operation ${id} not found`);
    let open: boolean;
    try {
      open = isOpen(hours, run.at);
    } catch {
      return error('NoMatchingError', `time zone ${hours.timeZone} is unknown`);
    }
    const result = open ? 'True' : 'False';
    const match = action.conditions.find((c) => c.operands[0] === result);
    return match === undefined ? error('NoMatchingError', `no condition for ${result}`) : { kind: 'next', branch: `Equals ${result}`, target: match.next };
  },
};
