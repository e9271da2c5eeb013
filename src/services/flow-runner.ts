/**
 * The seam between the contact lifecycle and the flow interpreter. Once a call is answered and
 * CONNECTED_TO_SYSTEM is committed, the contact service starts a flow session and forwards call events to
 * it; the session acts on the call through FlowControls.
 */
import type { Prompt } from '../telephony/carrier.js';
import type { ContactRecord } from '../store/store.js';

export interface FlowControls {
  play(prompt: Prompt): void;
  /** Starts or stops recording the call (the flow's recording behavior); the carrier reports what it saved. */
  record(enabled: boolean): void;
  /** Ends the contact with DisconnectReason CONTACT_FLOW_DISCONNECT and hangs up. */
  disconnect(): void;
  /** Merges attributes into the contact's, committed before it resolves. */
  setAttributes(attributes: Readonly<Record<string, string>>): Promise<void>;
  /**
   * Moves the contact to QUEUED in `queueId`, committed before it resolves. `hooks` are the flows the contact
   * flow set for what follows (UpdateContactEventHooks: CustomerQueue, CustomerWhisper, AgentWhisper).
   */
  queue(queueId: string, hooks: Readonly<Record<string, string>>): Promise<void>;
  /**
   * The flow ended without queueing or hanging up. Absent, the contact is disconnected (a contact flow
   * that leaves nobody to talk to); a queue or whisper flow ends here and the call goes on.
   */
  flowEnded?(): void;
  /** Saves the flow's state with the contact, committed before it resolves. */
  saveState(state: unknown): Promise<void>;
}

export interface FlowSession {
  digits(keys: string): void;
  promptFinished(): void;
  /** UpdateContactAttributes changed the contact's attributes (already committed) while the flow runs. */
  attributesChanged(attributes: Readonly<Record<string, string>>): void;
  /** The call ended (callee hung up, StopContact); the session must stop acting. */
  ended(): void;
}

export interface FlowRunner {
  start(contact: ContactRecord, controls: FlowControls): FlowSession;
}
