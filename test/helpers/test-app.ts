/**
 * An in-process outdial for integration tests: in-memory SQLite (or a given file), the demo instance, a
 * virtual engine clock, and a `request` that signs every call with SigV4 exactly as the AWS SDK does before
 * handing it to Fastify's `inject`. Nothing listens on a socket and nothing sleeps: time moves only through
 * `advance`, which steps from timer to timer and lets the contact service's promise chains settle between.
 */
import type { Writable } from 'node:stream';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { loadConfig, type Config } from '../../src/config/config.js';
import { DEFAULTS } from '../../src/config/defaults.js';
import { createOutdial, type Outdial } from '../../src/main.js';
import type { FlowRunner, FlowSession } from '../../src/services/flow-runner.js';
import { SystemClock, VirtualClock, type Clock, type TimerHandle } from '../../src/shared/clock.js';
import type { IdSource } from '../../src/shared/ids.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { AgentDialRequest, Call, CallListener, Carrier, DialRequest } from '../../src/telephony/carrier.js';
import type { CalleeScript } from '../../src/telephony/sim/callee-script.js';
import { SimulatedNetwork } from '../../src/telephony/sim/simulated-network.js';

export { DEMO } from '../../src/services/seed.js';

export const REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = DEFAULTS.localCredentials;
export const ACCOUNT_ID = DEFAULTS.accountId;
const HOST = 'localhost';

/**
 * A VirtualClock that knows when its timers are due, so `advance` can stop at each one and let the
 * asynchronous work a timer starts (store writes, then new timers) finish before time moves on.
 */
export class SteppingClock extends VirtualClock {
  readonly #due = new Map<number, number>();
  #changes = 0;

  override setTimer(ms: number, fn: () => void): TimerHandle {
    const handle = super.setTimer(ms, () => {
      this.#due.delete(handle.id);
      this.#changes++;
      fn();
    });
    this.#due.set(handle.id, this.now() + Math.max(0, ms));
    this.#changes++;
    return handle;
  }

  override clearTimer(handle: TimerHandle): void {
    if (this.#due.delete(handle.id)) this.#changes++;
    super.clearTimer(handle);
  }

  /** Timers set, fired or cleared so far: a measure of whether the engine is still doing something. */
  get changes(): number {
    return this.#changes;
  }

  /** When the earliest pending timer is due, if any. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const at of this.#due.values()) if (next === undefined || at < next) next = at;
    return next;
  }
}

/** Resolves after pending I/O callbacks and every queued microtask have run. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Fires what is due now and lets promise chains, deferred store writes (the store batches writes on
 * `setImmediate`) and the timers they set run, until several turns of the event loop pass with no timer
 * set, fired or cleared.
 */
export async function settle(clock: SteppingClock): Promise<void> {
  const QUIET_TURNS = 8;
  let quiet = 0;
  for (let turn = 0; turn < 10_000 && quiet < QUIET_TURNS; turn++) {
    const before = clock.changes;
    clock.advance(0);
    await tick();
    quiet = clock.changes === before ? quiet + 1 : 0;
  }
}

/** Moves `clock` forward by `ms`, stopping at every due timer and settling the work it starts. */
export async function advance(clock: SteppingClock, ms: number): Promise<void> {
  const end = clock.now() + ms;
  await settle(clock);
  for (;;) {
    const next = clock.nextDue();
    if (next === undefined || next > end) break;
    clock.advance(next - clock.now());
    await settle(clock);
  }
  clock.advance(end - clock.now());
  await settle(clock);
}

/** A flow runner that leaves every answered call open until the callee or the API ends it. */
export const keepOpenFlows: FlowRunner = {
  start(): FlowSession {
    return { digits: () => {}, promptFinished: () => {}, attributesChanged: () => {}, ended: () => {} };
  },
};

/** The simulated network, counting what it is asked to dial. */
export class CountingCarrier implements Carrier {
  readonly dials: DialRequest[] = [];
  readonly agentDials: AgentDialRequest[] = [];
  readonly #network: SimulatedNetwork;

  constructor(clock: Clock, scripts: readonly CalleeScript[]) {
    this.#network = new SimulatedNetwork(clock, scripts);
  }

  dial(request: DialRequest, listener: CallListener): Call {
    this.dials.push(request);
    return this.#network.dial(request, listener);
  }

  dialAgent(request: AgentDialRequest, listener: CallListener): Call {
    this.agentDials.push(request);
    return this.#network.dialAgent(request, listener);
  }

  get activeCalls(): number {
    return this.#network.activeCalls;
  }

  close(): Promise<void> {
    return this.#network.close();
  }
}

export interface ApiRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH' | 'HEAD';
  /** The path as sent on the wire, labels already percent-encoded. */
  path: string;
  /** An object is sent as JSON; a string or Buffer is sent as it is. */
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | string[]>;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  /** The parsed body; undefined when it is not JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are checked by assertions
  json: any;
  text: string;
}

/** A request ready for `inject`: the wire method, URL, headers and body bytes. */
export interface PreparedRequest {
  method: ApiRequest['method'];
  url: string;
  headers: Record<string, string>;
  payload?: Buffer;
}

export interface SigningOptions {
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** The signing time; the API clock's now by default. */
  date?: Date;
  region?: string;
}

export interface TestAppOptions {
  /** The engine clock; a fresh SteppingClock by default. */
  clock?: SteppingClock;
  /** Real time by default, since SigV4 checks skew against it; pass a VirtualClock to drive throttling. */
  apiClock?: Clock;
  /** A custom carrier, built on the engine clock and the configured callee scripts; a CountingCarrier by default. */
  carrier?: (clock: Clock, config: Config) => Carrier;
  flows?: FlowRunner;
  ids?: IdSource;
  /** The SQLite database; `:memory:` by default. */
  db?: string;
  /** Where `stdout` event sinks write; process.stdout by default. */
  stdout?: Writable;
}

export interface TestApp {
  readonly outdial: Outdial;
  readonly clock: SteppingClock;
  readonly apiClock: Clock;
  /** The carrier outdial dials through; a CountingCarrier unless the test gave its own. */
  readonly carrier: Carrier;
  /** Dials placed, when the carrier is the default CountingCarrier. */
  readonly dials: DialRequest[];
  /** Calls in progress on the simulated network. */
  activeCalls(): number;
  /** Signs `op` as the SDK would and sends it. */
  request(op: ApiRequest, signing?: SigningOptions): Promise<ApiResponse>;
  /** Sends `op` without an Authorization header. */
  unsigned(op: ApiRequest): Promise<ApiResponse>;
  /** The signed request, to alter before `send` (tampering tests). */
  sign(op: ApiRequest, signing?: SigningOptions): Promise<PreparedRequest>;
  send(prepared: PreparedRequest): Promise<ApiResponse>;
  advance(ms: number): Promise<void>;
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** Quotas high enough that tests only meet the ones they lower on purpose. */
const TEST_QUOTAS = {
  instancesPerAccount: 20,
  phoneNumbersPerInstance: 50,
  concurrentActiveCallsPerInstance: 100,
};

export async function startTestApp(overrides: Record<string, unknown> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const quotas = { ...TEST_QUOTAS, ...(overrides.quotas as Record<string, number> | undefined) };
  const config = loadConfig({
    file: { demo: true, logLevel: 'silent', rateLimitDisabled: true, ...overrides, quotas },
    flags: { db: options.db ?? ':memory:' },
  });
  const clock = options.clock ?? new SteppingClock();
  const apiClock = options.apiClock ?? new SystemClock();
  const counting = options.carrier === undefined ? new CountingCarrier(clock, config.callees) : undefined;
  const carrier = counting ?? options.carrier?.(clock, config);
  const outdial = await createOutdial(config, {
    clock,
    apiClock,
    logger: silentLogger,
    ...(carrier !== undefined && { carrier }),
    ...(options.flows !== undefined && { flows: options.flows }),
    ...(options.ids !== undefined && { ids: options.ids }),
    ...(options.stdout !== undefined && { stdout: options.stdout }),
  });

  const prepare = async (op: ApiRequest, signing: SigningOptions | false): Promise<PreparedRequest> => {
    const { body, contentType } = encodeBody(op.body);
    const headers: Record<string, string> = {
      host: HOST,
      ...(contentType !== undefined && { 'content-type': contentType }),
      ...(body !== undefined && { 'content-length': String(body.length) }),
      ...op.headers,
    };
    const queryString = encodeQuery(op.query ?? {});
    if (signing !== false) {
      const signer = new SignatureV4({
        credentials: signing.credentials ?? LOCAL_CREDENTIALS,
        region: signing.region ?? REGION,
        service: 'connect',
        sha256: Hash.bind(null, 'sha256'),
        uriEscapePath: true,
      });
      const signed = await signer.sign(
        new HttpRequest({
          method: op.method,
          protocol: 'http:',
          hostname: HOST,
          path: op.path,
          query: op.query ?? {},
          headers,
          ...(body !== undefined && { body }),
        }),
        { signingDate: signing.date ?? new Date(apiClock.now()) },
      );
      Object.assign(headers, signed.headers);
    }
    return {
      method: op.method,
      url: queryString === '' ? op.path : `${op.path}?${queryString}`,
      headers,
      ...(body !== undefined && { payload: body }),
    };
  };

  const send = async (prepared: PreparedRequest): Promise<ApiResponse> => {
    const response = await outdial.app.inject(prepared);
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, headers: response.headers, json, text: response.body };
  };

  return {
    outdial,
    clock,
    apiClock,
    carrier: outdial.carrier,
    dials: counting?.dials ?? [],
    activeCalls: () => (outdial.carrier as Partial<Pick<SimulatedNetwork, 'activeCalls'>>).activeCalls ?? 0,
    request: async (op, signing = {}) => send(await prepare(op, signing)),
    unsigned: async (op) => send(await prepare(op, false)),
    sign: (op, signing = {}) => prepare(op, signing),
    send,
    advance: (ms) => advance(clock, ms),
    settle: () => settle(clock),
    close: () => outdial.close(),
  };
}

function encodeBody(body: unknown): { body?: Buffer; contentType?: string } {
  if (body === undefined) return {};
  if (Buffer.isBuffer(body)) return { body, contentType: 'application/json' };
  if (typeof body === 'string') return { body: Buffer.from(body), contentType: 'application/json' };
  return { body: Buffer.from(JSON.stringify(body)), contentType: 'application/json' };
}

/** RFC 3986 encoding, as the SDK writes query strings. */
function encodeQuery(query: Record<string, string | string[]>): string {
  const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return Object.entries(query)
    .flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${rfc3986(key)}=${rfc3986(v)}`))
    .join('&');
}
