/** DisconnectParticipant: hangs up and ends the flow. */
import type { ActionHandler } from '../run.js';

export const disconnectParticipant: ActionHandler = {
  spec: { terminal: true, errors: [] },
  enter: () => ({ kind: 'end', reason: 'Disconnected', disconnect: true }),
};
