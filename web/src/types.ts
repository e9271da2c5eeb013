/**
 * What the console API sends: the desk's views exactly as the server declares them (type-only imports,
 * erased from the bundle), and the session.
 */
export type {
  AgentContactView,
  AgentStatusView,
  AgentView,
  RecentContactView,
  SupervisorAgentView,
  SupervisorQueueView,
  SupervisorView,
} from '../../src/services/agent-desk.js';

export interface SessionInfo {
  csrfToken: string;
  instance: { id: string; alias: string | null };
  user: { id: string; username: string; firstName: string | null; lastName: string | null };
  expiresAt: number;
}
