/**
 * The console API client: JSON over fetch, same origin, the session cookie sent by the browser, and the
 * session's CSRF token on every state-changing request.
 */
import type { AgentView, SessionInfo, SupervisorView } from './types.js';

export const API = '/console/api';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';

/** Remembers the session's CSRF token (from sign-in or the session query). */
export function setSession(session: SessionInfo | null): void {
  csrfToken = session?.csrfToken ?? '';
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method === 'POST') {
    headers['content-type'] = 'application/json';
    if (csrfToken !== '') headers['x-csrf-token'] = csrfToken;
  }
  let response: Response;
  try {
    response = await fetch(`${API}${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(method === 'POST' && { body: JSON.stringify(body ?? {}) }),
    });
  } catch {
    throw new ApiError(0, 'NetworkError', 'The server cannot be reached. Check the connection and try again.');
  }
  if (response.status === 204) return undefined as T;
  const payload = (await response.json().catch(() => ({}))) as { error?: string; message?: string };
  if (!response.ok) {
    throw new ApiError(response.status, payload.error ?? 'Error', payload.message ?? `The server answered ${response.status}.`);
  }
  return payload as T;
}

export const api = {
  session: () => request<SessionInfo>('GET', '/session'),
  signIn: (instance: string, username: string, password: string) =>
    request<SessionInfo>('POST', '/sign-in', { instance, username, password }),
  signOut: () => request<void>('POST', '/sign-out'),
  agent: () => request<AgentView>('GET', '/agent'),
  setStatus: (statusId: string) => request<AgentView>('POST', '/agent/status', { statusId }),
  contact: (contactId: string, action: 'accept' | 'reject' | 'hang-up' | 'complete') =>
    request<AgentView>('POST', `/contacts/${encodeURIComponent(contactId)}/${action}`),
  supervisor: () => request<SupervisorView>('GET', '/supervisor'),
};
