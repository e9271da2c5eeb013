/**
 * The seam between the contact lifecycle and the flow interpreter. Once a call is answered and
 * CONNECTED_TO_SYSTEM is committed, the contact service starts a flow session and forwards call events to
 * it; the session acts on the call through FlowControls.
 */
import type { Prompt } from '../telephony/carrier.js';
import type { ContactRecord } from '../store/store.js';

export interface FlowControls {
  play(prompt: Prompt): void;
  /** Ends the contact with DisconnectReason CONTACT_FLOW_DISCONNECT and hangs up. */
  disconnect(): void;
}

export interface FlowSession {
  digits(keys: string): void;
  promptFinished(): void;
  /** The call ended (callee hung up, StopContact); the session must stop acting. */
  ended(): void;
}

export interface FlowRunner {
  start(contact: ContactRecord, controls: FlowControls): FlowSession;
}

/**
 * The runner until flows run (issue #3): it ends every answered call at once, as a flow that holds only a
 * DisconnectParticipant action would.
 */
export const disconnectingFlowRunner: FlowRunner = {
  start(_contact, controls) {
    controls.disconnect();
    return { digits: () => {}, promptFinished: () => {}, ended: () => {} };
  },
};
