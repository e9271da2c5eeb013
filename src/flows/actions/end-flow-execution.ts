/** EndFlowExecution: ends the flow without hanging up (whisper and queue flows). */
import type { ActionHandler } from '../run.js';

export const endFlowExecution: ActionHandler = {
  spec: { terminal: true, errors: [] },
  enter: () => ({ kind: 'end', reason: 'FlowEnded', disconnect: false }),
};
