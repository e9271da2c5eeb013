/**
 * The two seams between the contact lifecycle (ContactService, which owns calls) and routing
 * (AgentService, which owns agents): each side sees only what it asks of the other.
 */
import type { ContactRecord } from '../store/store.js';

/** Who to call for an agent's leg of a contact. */
export interface AgentPhone {
  readonly userId: string;
  readonly username: string;
  readonly deskPhoneNumber?: string;
}

/** What routing asks of the contact lifecycle. */
export interface AgentCalls {
  /**
   * Calls the agent's phone for a queued contact whose call is on this node; false when it is not here.
   * The outcome comes back through ContactRouting.agentAnswered or agentUnreachable.
   */
  connectAgent(contactId: string, agent: AgentPhone): boolean;
  /** Stops calling the agent's phone for the contact; the offer then counts as missed (agentUnreachable). */
  dropAgent(contactId: string): void;
  /** Ends the contact because its agent hung up (DisconnectReason AGENT_DISCONNECT). */
  endByAgent(contactId: string): Promise<void>;
}

/** What the contact lifecycle tells routing. */
export interface ContactRouting {
  /** The contact was committed QUEUED. */
  queued(contact: ContactRecord): void;
  /** The agent's phone answered. True when the agent still holds the contact and is now on it. */
  agentAnswered(contactId: string, userId: string): Promise<boolean>;
  /** The agent's phone was not answered, refused or failed: the offer is missed. */
  agentUnreachable(contactId: string, userId: string): Promise<void>;
  /** The contact was committed DISCONNECTED. */
  contactEnded(contact: ContactRecord): Promise<void>;
}
