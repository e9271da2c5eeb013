/**
 * The metrics port: what the API, the contact lifecycle and event delivery report. `metrics/prometheus-metrics.ts`
 * implements it for `/metrics`; tests that do not look at metrics use `noMetrics`.
 */

/** How a placed call's dial ended: answered, or the cause that ended it before an answer. */
export type DialOutcome = 'answered' | 'busy' | 'declined' | 'unreachable' | 'carrier-error' | 'no-answer' | 'cancelled';

/** What one delivery attempt of an event or contact record did. */
export type DeliveryOutcome = 'delivered' | 'failed' | 'dead';

export interface Metrics {
  /** One API request finished: `outcome` is `success` or the error code sent (`ResourceNotFoundException` …). */
  apiRequest(operation: string, outcome: string, seconds: number): void;
  /** A contact entered `state`; `reason` is its DisconnectReason when the state is DISCONNECTED. */
  contactState(state: string, reason?: string): void;
  dialOutcome(outcome: DialOutcome): void;
  /** Contacts in the store by state (live states only), sampled at scrape time. */
  contactsByState(read: () => Promise<Record<string, number>>): void;
  /** Agents by activity (idle, offered, …; `offline` for idle agents in an OFFLINE status), sampled at scrape time. */
  agentsByActivity(read: () => Promise<Record<string, number>>): void;
  /** Calls in progress on this node, sampled at scrape time. */
  liveCalls(read: () => number): void;
  /** One delivery attempt to sink `sink` (its name); `lagSeconds` is from the event's commit to this attempt's end. */
  delivery(sink: string, outcome: DeliveryOutcome, lagSeconds: number): void;
  /** Outbox deliveries waiting, by status, sampled at scrape time. */
  pendingDeliveries(read: () => Promise<Record<string, number>>): void;
  /** A final response to one of our INVITEs arrived from a SIP trunk. */
  sipInviteResponse(status: number): void;
  /** A SIP message arrived that could not be parsed, and was dropped. */
  sipMalformed(): void;
  /** Agents' SIP phones registered with this node (bindings), sampled at scrape time. */
  sipRegistrations(read: () => number): void;
  /** The RTP media engine's streams and tick lateness, sampled at scrape time. */
  media(read: () => Promise<MediaMetrics>): void;
}

export interface MediaMetrics {
  readonly streams: number;
  readonly latenessP50Ms: number;
  readonly latenessP99Ms: number;
  readonly latenessMaxMs: number;
  readonly framesSkipped: number;
}

/** Reports nothing. */
export const noMetrics: Metrics = {
  apiRequest: () => {},
  contactState: () => {},
  dialOutcome: () => {},
  contactsByState: () => {},
  agentsByActivity: () => {},
  liveCalls: () => {},
  delivery: () => {},
  pendingDeliveries: () => {},
  sipInviteResponse: () => {},
  sipMalformed: () => {},
  sipRegistrations: () => {},
  media: () => {},
};
