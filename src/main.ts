/**
 * The composition root: config → logger → store → carrier → services → HTTP. Nothing else constructs
 * adapters; tests call `createOutdial` with a virtual clock or other ports swapped in.
 */
import type { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config.js';
import { buildServer } from './api/server.js';
import { handlers } from './api/operations/index.js';
import { SigV4Verifier } from './api/sigv4.js';
import { createPinoLogger } from './logging/pino-logger.js';
import { PrometheusMetrics } from './metrics/prometheus-metrics.js';
import { ContactService } from './services/contact-service.js';
import { ContactSearchService } from './services/contact-search-service.js';
import { ContactEvents } from './services/contact-events.js';
import { EventSinkService } from './services/event-sinks.js';
import { EventDispatcher } from './events/dispatcher.js';
import { FileTransport, StreamTransport } from './events/file-transport.js';
import { WebhookTransport } from './events/webhook-transport.js';
import { HttpLambdaInvoker } from './integrations/http-lambda-invoker.js';
import { FlowEngineRunner } from './services/flow-engine-runner.js';
import type { FlowRunner } from './services/flow-runner.js';
import { RateLimiter } from './services/rate-limiter.js';
import { ResourceService } from './services/resource-service.js';
import { applyDeclarations, seedDemo } from './services/seed.js';
import { UserService } from './services/user-service.js';
import { AgentService } from './services/agent-service.js';
import { phoneCredentials } from './services/agent-phones.js';
import { SystemClock, type Clock, type TimerHandle } from './shared/clock.js';
import { randomIds, type IdSource } from './shared/ids.js';
import type { Logger } from './shared/logger.js';
import { noMetrics, type Metrics } from './shared/metrics.js';
import { openSqlite } from './store/dialects.js';
import { cachingResourceReads } from './store/cached-reads.js';
import { kyselyStore, migrate } from './store/kysely/kysely-store.js';
import type { Store } from './store/store.js';
import type { Carrier } from './telephony/carrier.js';
import { buildCarrier, type BuiltCarrier } from './telephony/build-carrier.js';

export interface OutdialOptions {
  logger?: Logger;
  /** The engine's clock (timers, contact timestamps); a SystemClock at the configured speed by default. */
  clock?: Clock;
  /** Real time for SigV4 skew and throttling; the system clock by default. */
  apiClock?: Clock;
  ids?: IdSource;
  carrier?: Carrier;
  flows?: FlowRunner;
  /** Where `stdout` event sinks write; process.stdout by default. */
  stdout?: Writable;
}

export interface Outdial {
  readonly config: Config;
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly contacts: ContactService;
  readonly resources: ResourceService;
  /** Routing profiles, users and agent statuses. */
  readonly users: UserService;
  /** Agents' states and routing. */
  readonly agents: AgentService;
  readonly carrier: Carrier;
  readonly clock: Clock;
  /** What the API and the engine report; `noMetrics` when `metrics.enabled` is false. */
  readonly metrics: Metrics;
  readonly eventSinks: EventSinkService;
  readonly dispatcher: EventDispatcher;
  /** Starts listening; resolves with the base URL. */
  listen(): Promise<string>;
  /** Stops taking requests, ends live contacts with a recorded reason, closes the store. */
  close(): Promise<void>;
}

/** Expired client tokens and delivered events older than their retention go hourly. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
/** How long another node's change to an instance, flow, queue or number may take to be seen here. */
const RESOURCE_CACHE_TTL_MS = 1000;

export async function createOutdial(config: Config, options: OutdialOptions = {}): Promise<Outdial> {
  const logger = options.logger ?? createPinoLogger(config.logLevel);
  const clock = options.clock ?? new SystemClock(config.speed);
  const apiClock = options.apiClock ?? new SystemClock();
  const ids = options.ids ?? randomIds;
  const arn = { region: config.region, accountId: config.accountId };
  const prometheus = config.metrics.enabled ? new PrometheusMetrics() : undefined;
  const metrics: Metrics = prometheus ?? noMetrics;

  const database = openSqlite(config.db);
  await migrate(database.db);
  const store = cachingResourceReads(kyselyStore(database), RESOURCE_CACHE_TTL_MS, () => apiClock.now());
  let built: BuiltCarrier;
  try {
    built = options.carrier !== undefined ? { carrier: options.carrier } : await buildCarrier(config.telephony, config.callees, { clock, logger, metrics, agentCredentials: phoneCredentials(store) });
  } catch (error) {
    await store.close();
    throw error;
  }
  const carrier = built.carrier;
  const users = new UserService({ store, clock, ids, arn, quotas: config.quotas });
  const resources = new ResourceService({
    store,
    clock,
    ids,
    arn,
    quotas: config.quotas,
    allowedPrefixes: config.allowedPrefixes,
    blockedPrefixes: config.blockedPrefixes,
    // Every instance starts with the default agent statuses, as on Connect.
    onInstanceCreated: (instance) => users.ensureDefaultAgentStatuses(instance.id),
  });
  const dispatcher = new EventDispatcher({
    store,
    clock,
    logger: logger.child({ component: 'events' }),
    metrics,
    nodeId: config.nodeId,
    transports: {
      webhook: new WebhookTransport({
        clock,
        wallClock: apiClock,
        timeoutMs: config.events.timeoutMs,
        concurrency: config.events.webhookConcurrency,
        userAgent: 'outdial-webhooks',
      }),
      file: new FileTransport({ rotateBytes: config.events.rotateFileBytes, stamp: () => new Date(clock.now()).toISOString().replace(/[:.]/g, '-') }),
      stdout: new StreamTransport(options.stdout ?? process.stdout),
    },
    leaseMs: config.events.timeoutMs * 2,
    retryScheduleSeconds: config.events.retryScheduleSeconds,
    sinkDisabled: () => void eventSinks.refresh(),
  });
  const eventSinks = new EventSinkService({
    store,
    clock,
    ids,
    logger: logger.child({ component: 'events' }),
    secretGraceMs: config.events.secretGraceSeconds * 1000,
    wake: () => dispatcher.wake(),
  });

  const contactEvents = new ContactEvents({
    ...arn,
    source: config.events.source,
    newId: () => randomIds.uuid(),
    wanted: eventSinks.wanted,
    anyWanted: eventSinks.anyWanted,
  });
  const agents = new AgentService({
    store,
    resources,
    events: contactEvents,
    clock,
    logger: logger.child({ component: 'routing' }),
    nodeId: config.nodeId,
    offerTimeoutMs: config.routing.offerTimeoutSeconds * 1000,
  });
  const contacts = new ContactService({
    store,
    resources,
    carrier,
    flows:
      options.flows ??
      new FlowEngineRunner({
        resources,
        store,
        clock,
        logger: logger.child({ component: 'flows' }),
        lambdas: new HttpLambdaInvoker(config.lambdaFunctions, clock),
      }),
    clock,
    ids,
    logger: logger.child({ component: 'contacts' }),
    events: contactEvents,
    metrics,
    arn,
    nodeId: config.nodeId,
    clientTokenTtlMs: config.clientTokenTtlMs,
    routing: agents,
    agentRingTimeoutMs: config.routing.agentRingTimeoutSeconds * 1000,
  });
  agents.attach(contacts);

  try {
    // Sinks first: the contacts a previous run left live end now, and their events must find their sinks.
    await eventSinks.applyDeclarations(config.events.sinks);
    const closed = await contacts.recoverAfterRestart();
    if (closed > 0) logger.warn('closed contacts left live by the previous run', { count: closed });
    await agents.start();
    // Instances made before agents existed get their default agent statuses (idempotent).
    await users.ensureDefaultAgentStatusesEverywhere();
    if (config.demo) await seedDemo(resources, users, logger);
    await applyDeclarations(resources, users, config.instances, logger);
    await built.routing?.resolveInstances(async (aliasOrId) => (await resources.findInstanceByAlias(aliasOrId))?.id);
    await dispatcher.start();
  } catch (error) {
    await carrier.close();
    await store.close();
    throw error;
  }

  metrics.liveCalls(() => contacts.liveCalls);
  const sip = built.sip;
  if (sip !== undefined) metrics.media(() => sip.mediaStats());
  metrics.contactsByState(() => store.contacts.countByState(config.nodeId));
  metrics.agentsByActivity(() => store.agents.countByActivity());
  metrics.pendingDeliveries(() => store.events.countDeliveries());

  const rateLimit = config.rateLimit;
  const app = buildServer({
    services: { contacts, contactSearch: new ContactSearchService({ store, resources }), resources, eventSinks, users, agents },
    handlers,
    verifier: new SigV4Verifier(config.credentials, 'connect', config.signatureMaxSkewMs, () => apiClock.now()),
    rateLimiter: new RateLimiter(apiClock, (operation) =>
      rateLimit === null ? null : (config.rateLimitOverrides[operation] ?? rateLimit),
    ),
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    region: config.region,
    ...(prometheus !== undefined && { metrics: prometheus, metricsEndpoint: () => prometheus.scrape() }),
    // Sessions and lockouts run on real time, never on the engine's --speed clock.
    console: { desk: agents, store, clock: apiClock, logger, secureCookies: config.console.secureCookies },
  });

  let closing = false;
  let sweep: TimerHandle | undefined;
  let sweeping: Promise<void> = Promise.resolve();
  const scheduleSweep = (): void => {
    if (closing) return;
    sweep = clock.setTimer(SWEEP_INTERVAL_MS, () => {
      sweeping = Promise.all([
        store.contacts.sweepClientTokens(clock.now() - config.clientTokenTtlMs),
        store.events.prune(clock.now() - config.events.retentionDays * 24 * 3600 * 1000),
      ])
        .then(
          () => undefined,
          (error: unknown) => logger.error('hourly sweep failed', { error: String(error) }),
        )
        .finally(scheduleSweep);
    });
  };
  scheduleSweep();

  return {
    config,
    app,
    store,
    contacts,
    resources,
    users,
    agents,
    carrier,
    clock,
    metrics,
    eventSinks,
    dispatcher,
    async listen() {
      await app.listen({ host: config.host, port: config.port });
      const address = app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : config.port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      return `http://${host}:${port}`;
    },
    async close() {
      closing = true;
      if (sweep !== undefined) clock.clearTimer(sweep);
      await sweeping;
      await app.close();
      await contacts.endAll('TELECOM_PROBLEM');
      agents.close();
      await dispatcher.close();
      await carrier.close();
      // Hanging up saves recordings in progress; their rows must reach the store before it closes.
      await contacts.recordingsSaved();
      await store.close();
    },
  };
}
