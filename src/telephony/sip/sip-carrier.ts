/**
 * The `sip` carrier: one SIP user agent (a UDP port and a TCP listener on the same number) placing calls on
 * the configured trunks and to agents' phones registered with its registrar. It owns the transport and
 * transaction layer, routes in-dialog requests to their call by Call-ID, answers what arrives outside a
 * call (REGISTER included), and hands each trunk out as a Carrier of its own.
 */
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { mkdir } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { Metrics } from '../../shared/metrics.js';
import type { AgentDialRequest, Call, CallListener, Carrier, DialRequest, Prompt } from '../carrier.js';
import type { MediaEngine, MediaEngineStats } from '../media/media-engine.js';
import { parseUri, responseHeaders, type SipRequest } from './message.js';
import { Registrar, type AgentCredentialsLookup, type Registration } from './registrar.js';
import { SipCall, type SipCallContext, type SipDestination } from './sip-call.js';
import { DEFAULT_TIMERS, TransactionLayer, type Reply, type SipTimers } from './transactions.js';
import { SipTransport, type Peer, type TransportHandlers } from './transport.js';
import { nameAddr, SipTrunk, type TrunkConfig } from './trunk.js';

export interface SipCarrierOptions {
  readonly bindAddress: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The address peers reach us at, for Via, Contact and SDP, when it is not `bindAddress` (NAT). */
  readonly publicAddress?: string;
  readonly trunks: readonly TrunkConfig[];
  readonly sessionExpiresSeconds: number;
  readonly userAgent: string;
  readonly udpMtuBytes: number;
  readonly recordingsDir: string;
  readonly timers?: SipTimers;
}

export interface SipCarrierDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly media: MediaEngine;
  renderPrompt(prompt: Prompt): Promise<Int16Array>;
  /**
   * Agents' credentials for the registrar: with it, agents' SIP phones may REGISTER (digest, realm
   * `outdial`) and dialAgent rings them; without it, REGISTER is refused with 405.
   */
  readonly agentCredentials?: AgentCredentialsLookup;
}

/** Agents' registered phones, as the routing carrier asks about them. */
export interface AgentPhones {
  /** Whether the agent has a phone registered with this node. */
  registered(userId: string): boolean;
  /** Rings the agent's most recently registered phone; `unreachable` when there is none. */
  dialAgent(request: AgentDialRequest, listener: CallListener): Call;
}

export class SipCarrier {
  readonly #calls = new Map<string, SipCall>();
  readonly #trunks = new Map<string, SipTrunk>();
  readonly #context: SipCallContext;
  readonly #layer: TransactionLayer;
  readonly #registrar: Registrar | undefined;
  readonly #advertisedAddress: string;
  #closing: Promise<void> | undefined;

  private constructor(
    options: SipCarrierOptions,
    private readonly deps: SipCarrierDeps,
    private readonly transport: SipTransport,
    layer: TransactionLayer,
  ) {
    this.#layer = layer;
    this.#advertisedAddress = options.publicAddress ?? options.bindAddress;
    if (deps.agentCredentials !== undefined) {
      const registrar = new Registrar({ clock: deps.clock, lookup: deps.agentCredentials, logger: deps.logger.child({ component: 'registrar' }) });
      this.#registrar = registrar;
      deps.metrics.sipRegistrations(() => registrar.count);
    }
    this.#context = {
      layer,
      media: deps.media,
      clock: deps.clock,
      logger: deps.logger,
      metrics: deps.metrics,
      renderPrompt: (prompt) => deps.renderPrompt(prompt),
      advertisedAddress: options.publicAddress ?? options.bindAddress,
      userAgent: options.userAgent,
      sessionExpiresSeconds: options.sessionExpiresSeconds,
      udpMtuBytes: options.udpMtuBytes,
      recordingPath: (contactId, index) => join(options.recordingsDir, `${contactId}-${index}.wav`),
      peerFor,
      forget: (callId) => this.#calls.delete(callId),
    };
  }

  /** Resolves the trunks' hosts and starts listening; fails when a trunk's host does not resolve. */
  static async start(options: SipCarrierOptions, deps: SipCarrierDeps): Promise<SipCarrier> {
    // The transport hands messages up to the layer, which sends through the transport.
    const handlers: TransportHandlers = { message: () => undefined, unreachable: () => undefined, malformed: () => deps.metrics.sipMalformed() };
    const transport = new SipTransport({ bindAddress: options.bindAddress, port: options.port, logger: deps.logger }, handlers);
    const layer = new TransactionLayer(transport, deps.clock, options.timers ?? DEFAULT_TIMERS);
    handlers.message = (inbound) => layer.receive(inbound);
    handlers.unreachable = (peer) => layer.unreachable(peer);
    const carrier = new SipCarrier(options, deps, transport, layer);
    layer.onRequest((request, reply, source) => carrier.#request(request, reply, source));
    for (const config of options.trunks) {
      const next = config.outboundProxy ?? { host: config.host, port: config.port };
      const address = await resolve(next.host);
      carrier.#trunks.set(config.name, new SipTrunk(config, { transport: config.transport, address, port: next.port }));
    }
    await mkdir(options.recordingsDir, { recursive: true });
    await transport.listen();
    deps.logger.info('SIP user agent listening', { address: options.bindAddress, port: transport.port, trunks: options.trunks.map((t) => t.name) });
    return carrier;
  }

  get port(): number {
    return this.transport.port;
  }

  /** The media engine's streams and tick lateness. */
  mediaStats(): Promise<MediaEngineStats> {
    return this.deps.media.stats();
  }

  /** A Carrier that places its calls on the named trunk. */
  trunk(name: string): Carrier {
    const trunk = this.#trunks.get(name);
    if (trunk === undefined) throw new Error(`no SIP trunk named "${name}"`);
    return {
      dial: (request, listener) => this.#dial(trunk, request, listener),
      dialAgent: (request, listener) => this.#dialAgent(request, listener, trunk),
      close: () => this.close(),
    };
  }

  /** The agents' phones registered here, for a router that must prefer them to any number. */
  get agentPhones(): AgentPhones {
    return {
      registered: (userId) => this.registration(userId) !== undefined,
      dialAgent: (request, listener) => this.#dialAgent(request, listener, undefined),
    };
  }

  /** The agent's phone that registered last, if any. */
  registration(userId: string): Registration | undefined {
    return this.#registrar?.latest(userId);
  }

  /** Hangs up every call, then stops; every trunk's Carrier closes the same user agent, once. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    for (const call of [...this.#calls.values()]) call.hangUp();
    // The BYEs and CANCELs just sent leave before the sockets close; their answers are not awaited.
    await new Promise((resolve) => setImmediate(resolve));
    this.#layer.close();
    this.#registrar?.close();
    await Promise.all([this.deps.media.close(), this.transport.close()]);
  }

  #dial(trunk: SipTrunk, request: DialRequest, listener: CallListener): Call {
    return this.#place(trunk.destination(request), request, listener);
  }

  /**
   * The agent's registered phone (the most recent binding), else their desk phone number on `trunk` as a
   * customer's call would go, else nothing: `unreachable`.
   */
  #dialAgent(request: AgentDialRequest, listener: CallListener, trunk: SipTrunk | undefined): Call {
    const registration = this.registration(request.userId);
    if (registration !== undefined) return this.#place(this.#agentDestination(registration, request), request, listener);
    if (trunk !== undefined && request.deskPhoneNumber !== undefined) {
      const { contactId, instanceId, from, callerIdName } = request;
      const dial: DialRequest = {
        contactId,
        instanceId,
        to: request.deskPhoneNumber,
        from,
        ...(callerIdName !== undefined && { callerIdName }),
        answeringMachineDetection: { enabled: false, awaitPrompt: false },
      };
      return this.#dial(trunk, dial, listener);
    }
    this.deps.logger.info('agent has no registered phone and no desk phone number', { contactId: request.contactId, userId: request.userId });
    return new UnreachableCall(this.deps.clock, listener);
  }

  #agentDestination(registration: Registration, request: AgentDialRequest): SipDestination {
    const domain = registration.domain.includes(':') ? `[${registration.domain}]` : registration.domain;
    const ours = this.#advertisedAddress.includes(':') ? `[${this.#advertisedAddress}]` : this.#advertisedAddress;
    return {
      name: `phone of ${registration.username}`,
      requestUri: registration.contact,
      peer: registration.peer,
      stickyPeer: true,
      to: `<sip:${encodeURIComponent(registration.username)}@${domain}>`,
      // The agent sees who they are about to talk to: the customer's number (and name, when there is one).
      from: nameAddr(request.callerIdName, `sip:${request.from}@${ours}`),
      credentials: undefined,
      identityHeaders: [],
      routeHeaders: [],
    };
  }

  #place(destination: SipDestination, request: { readonly contactId: string; readonly answeringMachineDetection?: { readonly enabled: boolean } }, listener: CallListener): Call {
    const call = new SipCall(this.#context, destination, request, listener);
    this.#calls.set(call.callId, call);
    void call.start();
    return call;
  }

  #request(request: SipRequest, reply: Reply, source: Peer): void {
    const call = this.#calls.get(request.headers.get('call-id')?.[0] ?? '');
    if (call !== undefined) return call.receive(request, reply);
    if (request.method === 'ACK') return;
    const toTag = randomBytes(6).toString('hex');
    const respond = (status: number, reason: string, extra: [string, string][] = []): void =>
      reply({ status, reason, headers: [...responseHeaders(request, toTag), ...extra] });
    switch (request.method) {
      case 'OPTIONS':
        // Trunks ping us to see that we are alive.
        return respond(200, 'OK', [['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE'], ['Accept', 'application/sdp']]);
      case 'INVITE':
        // outdial places calls, to customers and to agents' phones; it does not take them.
        return respond(480, 'Temporarily Unavailable');
      case 'REGISTER':
        if (this.#registrar === undefined) return respond(405, 'Method Not Allowed', [['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE']]);
        return void this.#registrar.register(request, source, respond);
      default:
        return respond(481, 'Call/Transaction Does Not Exist');
    }
  }
}

/** The call to an agent nobody can reach: `ended('unreachable')` from a timer, as every carrier event comes. */
class UnreachableCall implements Call {
  readonly #timer: TimerHandle;

  constructor(
    private readonly clock: Clock,
    listener: CallListener,
  ) {
    this.#timer = clock.setTimer(0, () => listener.ended('unreachable'));
  }

  play(): void {}
  record(): void {}
  bridge(): void {}
  hangUp(): void {
    this.clock.clearTimer(this.#timer);
  }
}

/** Where to send a request for `uri`: the host it names when that is an IP literal, else `fallback` (names are resolved for trunks only). */
export function peerFor(uri: string, fallback: Peer): Peer {
  try {
    const parsed = parseUri(uri);
    const host = parsed.host.replace(/^\[|\]$/g, '');
    if (isIP(host) === 0) return fallback;
    const transport = parsed.params.get('transport')?.toLowerCase() === 'tcp' ? 'tcp' : parsed.params.has('transport') ? 'udp' : fallback.transport;
    return { transport, address: host, port: parsed.port ?? 5060 };
  } catch {
    return fallback;
  }
}

async function resolve(host: string): Promise<string> {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) return bare;
  try {
    return (await lookup(bare)).address;
  } catch (error) {
    throw new Error(`SIP trunk host ${host} does not resolve: ${(error as Error).message}`, { cause: error });
  }
}
