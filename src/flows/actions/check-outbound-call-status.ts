/** CheckOutboundCallStatus: branches on the answering-machine-detection outcome the service supplies. */
import { error } from '../run.js';
import type { ActionHandler } from '../run.js';

export const checkOutboundCallStatus: ActionHandler = {
  spec: { errors: ['NoMatchingError'], conditions: { operators: ['Equals'], operands: /^(CallAnswered|VoicemailBeep|VoicemailNoBeep|NotDetected)$/ } },
  enter(run, action) {
    const status = run.context.outboundCallStatus;
    if (status === undefined) return error('NoMatchingError', 'the contact has no outbound call status');
    const match = action.conditions.find((c) => c.operands[0] === status);
    return match === undefined ? error('NoMatchingError', `no condition for ${status}`) : { kind: 'next', branch: `Equals ${status}`, target: match.next };
  },
};
