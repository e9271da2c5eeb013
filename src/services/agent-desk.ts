/**
 * What the agent console needs from the routing domain, in its own terms: one agent's view (status,
 * the contact offered or handled, recent contacts), the supervisor's view of queues and agents, the
 * agent's actions, and a signal when any of it changed. The console's HTTP layer (`console/`) is its
 * only user; `AgentService` implements it.
 */
import type { AgentActivity, AgentStatusType } from '../store/store.js';

/** Where the agent's current contact is, from the agent's side. */
export type AgentContactState = 'incoming' | 'connecting' | 'connected' | 'after-contact-work' | 'missed';

export interface AgentContactView {
  contactId: string;
  state: AgentContactState;
  /** The customer's number (E.164). */
  customerNumber: string;
  queue: { id: string; name: string } | null;
  /** Epoch ms; the wait time is measured from it. */
  enqueuedAt: number | null;
  /** The contact's attributes: the screen pop. */
  attributes: Record<string, string>;
  /** While incoming: when the offer lapses (epoch ms). */
  offerExpiresAt: number | null;
  connectedToAgentAt: number | null;
  /** During after-contact work: when it ends on its own (epoch ms); null when it has no limit. */
  afterContactWorkEndsAt: number | null;
}

export interface AgentStatusView {
  id: string;
  name: string;
  type: AgentStatusType;
}

export interface RecentContactView {
  contactId: string;
  customerNumber: string;
  queueName: string | null;
  connectedToAgentAt: number | null;
  disconnectedAt: number | null;
  disconnectReason: string | null;
}

export interface AgentView {
  user: { id: string; username: string; firstName: string | null; lastName: string | null; instanceId: string };
  routingProfile: { id: string; name: string };
  status: AgentStatusView & { since: number };
  /** A status chosen while busy, applied once the agent is free. */
  nextStatus: AgentStatusView | null;
  /** The enabled statuses the agent may choose, in display order. */
  statuses: AgentStatusView[];
  activity: AgentActivity;
  activitySince: number;
  contact: AgentContactView | null;
  recentContacts: RecentContactView[];
  /** The server's clock (epoch ms) when the view was taken, so countdowns ignore the browser's clock. */
  now: number;
}

export interface SupervisorQueueView {
  id: string;
  name: string;
  waiting: { contactId: string; customerNumber: string; enqueuedAt: number }[];
  /** Agents whose routing profile takes this queue, by what they are doing. */
  agents: { online: number; available: number; onContact: number; afterContactWork: number };
}

export interface SupervisorAgentView {
  userId: string;
  username: string;
  name: string;
  status: AgentStatusView & { since: number };
  activity: AgentActivity;
  activitySince: number;
  contactId: string | null;
  routingProfileName: string;
}

export interface SupervisorView {
  queues: SupervisorQueueView[];
  agents: SupervisorAgentView[];
  now: number;
}

export interface AgentDesk {
  view(instanceId: string, userId: string): Promise<AgentView>;
  supervisor(instanceId: string): Promise<SupervisorView>;
  /** Sets the agent's status (applied after the current contact when the agent is busy). */
  setStatus(instanceId: string, userId: string, agentStatusId: string): Promise<void>;
  /** Accepts the offered contact: the agent's phone is called and the legs bridged when it answers. */
  accept(instanceId: string, userId: string, contactId: string): Promise<void>;
  /** Rejects the offered contact: it goes back to the head of its queue and the agent to `missed`. */
  reject(instanceId: string, userId: string, contactId: string): Promise<void>;
  /** Ends the call the agent is on; after-contact work follows. */
  hangUp(instanceId: string, userId: string, contactId: string): Promise<void>;
  /** Finishes after-contact work; the agent is free again. */
  completeAfterContactWork(instanceId: string, userId: string, contactId: string): Promise<void>;
  /** Calls `listener` with the instance id after any agent, offer or queue change; returns an unsubscribe. */
  subscribe(listener: (instanceId: string) => void): () => void;
}
