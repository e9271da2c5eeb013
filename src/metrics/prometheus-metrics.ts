/**
 * The metrics port on prom-client, served as Prometheus text by `GET /metrics`. Every instance owns its
 * own Registry (never prom-client's global one), so several servers in one process (tests) don't clash.
 * Gauges of store contents are read at scrape time; a reader that throws (the store closing) leaves its
 * gauge empty for that scrape instead of failing it. See docs/observability.md for the metric list.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeliveryOutcome, DialOutcome, MediaMetrics, Metrics } from '../shared/metrics.js';

const PREFIX = 'outdial_';

/** API latency: 0.5 ms (a cached read) to 5 s (a request stuck behind a full disk). */
const API_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Event delivery lag: 10 ms (delivered at once) to a day (a sink down overnight, retried). */
const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600];

type Reader<T> = (() => T) | undefined;

export interface PrometheusMetricsOptions {
  /** Node process metrics (CPU, memory, event loop lag, GC) prefixed `outdial_`; default true. */
  defaultMetrics?: boolean;
}

export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();

  readonly #requests: Counter<'operation' | 'outcome'>;
  readonly #duration: Histogram<'operation'>;
  readonly #stateChanges: Counter<'state' | 'reason'>;
  readonly #dials: Counter<'outcome'>;
  readonly #deliveries: Counter<'sink' | 'outcome'>;
  readonly #lag: Histogram<'sink'>;
  readonly #sipResponses: Counter<'status'>;
  readonly #sipMalformed: Counter;

  /** Label objects per operation and outcome, reused so a request allocates none. */
  readonly #requestLabels = new Map<string, { operation: { operation: string }; byOutcome: Map<string, { operation: string; outcome: string }> }>();

  #contactsByState: Reader<Promise<Record<string, number>>>;
  #agentsByActivity: Reader<Promise<Record<string, number>>>;
  #liveCalls: Reader<number>;
  #sipRegistrations: Reader<number>;
  #pendingDeliveries: Reader<Promise<Record<string, number>>>;
  #media: Reader<Promise<MediaMetrics>>;

  constructor(options: PrometheusMetricsOptions = {}) {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: `${PREFIX}api_requests_total`,
      help: 'Connect API requests by operation and outcome (success, or the error code sent).',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.#duration = new Histogram({
      name: `${PREFIX}api_request_duration_seconds`,
      help: 'Connect API request duration, from arrival to the response sent.',
      labelNames: ['operation'],
      buckets: API_BUCKETS,
      registers,
    });
    this.#stateChanges = new Counter({
      name: `${PREFIX}contact_state_changes_total`,
      help: 'Contacts entering a state; reason is the DisconnectReason for DISCONNECTED, empty otherwise.',
      labelNames: ['state', 'reason'],
      registers,
    });
    this.#dials = new Counter({
      name: `${PREFIX}dial_outcomes_total`,
      help: 'Placed calls by how the dial ended.',
      labelNames: ['outcome'],
      registers,
    });
    this.#deliveries = new Counter({
      name: `${PREFIX}event_deliveries_total`,
      help: 'Event and contact record delivery attempts by sink and outcome.',
      labelNames: ['sink', 'outcome'],
      registers,
    });
    this.#lag = new Histogram({
      name: `${PREFIX}event_delivery_lag_seconds`,
      help: "Time from an event's commit to the end of a delivery attempt.",
      labelNames: ['sink'],
      buckets: LAG_BUCKETS,
      registers,
    });

    this.#sipResponses = new Counter({
      name: `${PREFIX}sip_invite_responses_total`,
      help: 'Final responses to our INVITEs from SIP trunks, by status code.',
      labelNames: ['status'],
      registers,
    });
    this.#sipMalformed = new Counter({
      name: `${PREFIX}sip_malformed_messages_total`,
      help: 'SIP messages dropped because they could not be parsed.',
      registers,
    });

    const read = <T>(reader: () => Reader<T>) => async (): Promise<Awaited<T> | undefined> => {
      try {
        return await Promise.resolve(reader()?.());
      } catch {
        return undefined; // the store may be closing: skip this gauge for this scrape
      }
    };
    const readContacts = read(() => this.#contactsByState);
    const readAgents = read(() => this.#agentsByActivity);
    const readLive = read(() => this.#liveCalls);
    const readRegistrations = read(() => this.#sipRegistrations);
    const readPending = read(() => this.#pendingDeliveries);
    const readMedia = read(() => this.#media);
    new Gauge({
      name: `${PREFIX}agents`,
      help: 'Agents by activity (offline, idle, offered, connecting, on-contact, acw, missed), at scrape time.',
      labelNames: ['activity'],
      registers,
      async collect() {
        this.reset();
        const counts = await readAgents();
        for (const [activity, n] of Object.entries(counts ?? {})) this.set({ activity }, n);
      },
    });
    new Gauge({
      name: `${PREFIX}contacts`,
      help: 'Contacts in the store by live state, at scrape time.',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        const counts = await readContacts();
        for (const [state, n] of Object.entries(counts ?? {})) this.set({ state }, n);
      },
    });
    new Gauge({
      name: `${PREFIX}live_calls`,
      help: 'Calls in progress on this node, at scrape time.',
      registers,
      async collect() {
        this.reset();
        const n = await readLive();
        if (n === undefined) this.remove(); // reset() leaves an unlabelled gauge at 0, which would be a lie
        else this.set(n);
      },
    });
    new Gauge({
      name: `${PREFIX}sip_registrations`,
      help: "Agents' SIP phones registered with this node (one per binding), at scrape time.",
      registers,
      async collect() {
        this.reset();
        const n = await readRegistrations();
        if (n === undefined) this.remove();
        else this.set(n);
      },
    });
    new Gauge({
      name: `${PREFIX}event_deliveries_pending`,
      help: 'Outbox deliveries by status, at scrape time.',
      labelNames: ['status'],
      registers,
      async collect() {
        this.reset();
        const counts = await readPending();
        for (const [status, n] of Object.entries(counts ?? {})) this.set({ status }, n);
      },
    });

    new Gauge({
      name: `${PREFIX}rtp_streams`,
      help: 'RTP streams open on this node (SIP calls with media), at scrape time.',
      registers,
      async collect() {
        const media = await readMedia();
        if (media === undefined) this.remove();
        else this.set(media.streams);
      },
    });
    new Gauge({
      name: `${PREFIX}rtp_tick_lateness_seconds`,
      help: "How late the RTP pacer's 20-ms ticks ran over its recent ticks (quantile 1 is the worst).",
      labelNames: ['quantile'],
      registers,
      async collect() {
        this.reset();
        const media = await readMedia();
        if (media === undefined) return;
        this.set({ quantile: '0.5' }, media.latenessP50Ms / 1000);
        this.set({ quantile: '0.99' }, media.latenessP99Ms / 1000);
        this.set({ quantile: '1' }, media.latenessMaxMs / 1000);
      },
    });
    new Gauge({
      name: `${PREFIX}rtp_frames_skipped`,
      help: 'RTP frames dropped since start because a tick came too late to catch up.',
      registers,
      async collect() {
        const media = await readMedia();
        if (media === undefined) this.remove();
        else this.set(media.framesSkipped);
      },
    });

    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }

  apiRequest(operation: string, outcome: string, seconds: number): void {
    let forOperation = this.#requestLabels.get(operation);
    if (forOperation === undefined) {
      forOperation = { operation: { operation }, byOutcome: new Map() };
      this.#requestLabels.set(operation, forOperation);
    }
    let labels = forOperation.byOutcome.get(outcome);
    if (labels === undefined) {
      labels = { operation, outcome };
      forOperation.byOutcome.set(outcome, labels);
    }
    this.#requests.inc(labels);
    this.#duration.observe(forOperation.operation, seconds);
  }

  contactState(state: string, reason?: string): void {
    this.#stateChanges.inc({ state, reason: state === 'DISCONNECTED' ? (reason ?? 'NONE') : '' });
  }

  dialOutcome(outcome: DialOutcome): void {
    this.#dials.inc({ outcome });
  }

  contactsByState(read: () => Promise<Record<string, number>>): void {
    this.#contactsByState = read;
  }

  agentsByActivity(read: () => Promise<Record<string, number>>): void {
    this.#agentsByActivity = read;
  }

  liveCalls(read: () => number): void {
    this.#liveCalls = read;
  }

  sipInviteResponse(status: number): void {
    this.#sipResponses.inc({ status: String(status) });
  }

  sipMalformed(): void {
    this.#sipMalformed.inc();
  }

  sipRegistrations(read: () => number): void {
    this.#sipRegistrations = read;
  }

  media(read: () => Promise<MediaMetrics>): void {
    this.#media = read;
  }

  delivery(sink: string, outcome: DeliveryOutcome, lagSeconds: number): void {
    this.#deliveries.inc({ sink, outcome });
    this.#lag.observe({ sink }, lagSeconds);
  }

  pendingDeliveries(read: () => Promise<Record<string, number>>): void {
    this.#pendingDeliveries = read;
  }

  /** Every metric in Prometheus text format, readers sampled now. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
