/**
 * The `sip` carrier: one SIP user agent (a UDP port and a TCP listener on the same number) placing calls on
 * the configured trunks. It owns the transport and transaction layer, routes in-dialog requests to their
 * call by Call-ID, answers what arrives outside a call, and hands each trunk out as a Carrier of its own.
 */
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { mkdir } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { Metrics } from '../../shared/metrics.js';
import type { Call, CallListener, Carrier, DialRequest, Prompt } from '../carrier.js';
import type { MediaEngine, MediaEngineStats } from '../media/media-engine.js';
import { parseUri, responseHeaders, type SipRequest } from './message.js';
import { SipCall, type SipCallContext } from './sip-call.js';
import { DEFAULT_TIMERS, TransactionLayer, type Reply, type SipTimers } from './transactions.js';
import { SipTransport, type Peer, type TransportHandlers } from './transport.js';
import { SipTrunk, type TrunkConfig } from './trunk.js';

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
}

export class SipCarrier {
  readonly #calls = new Map<string, SipCall>();
  readonly #trunks = new Map<string, SipTrunk>();
  readonly #context: SipCallContext;
  readonly #layer: TransactionLayer;
  #closing: Promise<void> | undefined;

  private constructor(
    options: SipCarrierOptions,
    private readonly deps: SipCarrierDeps,
    private readonly transport: SipTransport,
    layer: TransactionLayer,
  ) {
    this.#layer = layer;
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
    layer.onRequest((request, reply) => carrier.#request(request, reply));
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
      close: () => this.close(),
    };
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
    await Promise.all([this.deps.media.close(), this.transport.close()]);
  }

  #dial(trunk: SipTrunk, request: DialRequest, listener: CallListener): Call {
    const call = new SipCall(this.#context, trunk, request, listener);
    this.#calls.set(call.callId, call);
    void call.start();
    return call;
  }

  #request(request: SipRequest, reply: Reply): void {
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
        // outdial places calls; it does not take them (agents' phones arrive with the queues work).
        return respond(480, 'Temporarily Unavailable');
      default:
        return respond(481, 'Call/Transaction Does Not Exist');
    }
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
