/**
 * The registrar agents' SIP phones register with (RFC 3261 §10), so that an agent's call for a contact
 * can ring the phone on their desk. Phones authenticate with HTTP Digest (§22, RFC 7616: MD5 or SHA-256,
 * qop=auth) against HA1 values the caller looks up, never passwords; nonces are signed, expire after five
 * minutes (stale=true asks for a silent retry) and their nonce counts must rise, so a captured REGISTER
 * cannot be replayed. Bindings live in this process's memory, keyed by the agent's user id, and expire
 * on the Clock; a node that restarts forgets them until each phone refreshes, and with several nodes a
 * phone is reachable only through the node it registered with.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { expectedResponse, parseCredentials } from './digest.js';
import { header, headerParams, headerUri, parseCSeq, parseUri, type SipRequest } from './message.js';
import type { Peer } from './transport.js';

/** The digest realm; stored HA1 values are H(username:outdial:password), so it cannot change. */
export const REGISTRAR_REALM = 'outdial';
/** Shorter registrations are refused with 423 and this Min-Expires (RFC 3261 §10.3 step 7). */
export const MIN_EXPIRES_SECONDS = 60;
/** Longer ones are granted this long; the 200 OK says so. */
export const MAX_EXPIRES_SECONDS = 3600;
/** When neither the Contact nor an Expires header says. */
const DEFAULT_EXPIRES_SECONDS = 3600;
/** A nonce is good this long; after that the phone is told stale=true and retries with a new one. */
export const NONCE_LIFETIME_MS = 5 * 60_000;
/** Phones per agent; a new one beyond this replaces the binding refreshed longest ago. */
const MAX_BINDINGS_PER_USER = 10;

/** What the registrar needs to know of an agent: who they are, and their digest HA1 per algorithm. */
export interface AgentCredentials {
  readonly userId: string;
  /** Hex H(username:realm:password) by algorithm name: `MD5`, `SHA-256`; realm `outdial`. */
  readonly ha1: Readonly<Record<string, string>>;
}

/**
 * Finds the agent a phone registers as: `username` is the user part of the address of record (the
 * Connect user's Username), `domain` its host as the phone wrote it. Undefined for no such user.
 */
export type AgentCredentialsLookup = (username: string, domain: string) => Promise<AgentCredentials | undefined>;

/** One registered phone. */
export interface Registration {
  readonly userId: string;
  readonly username: string;
  /** The host of the address of record (the REGISTER's To URI). */
  readonly domain: string;
  /** The Contact URI: the Request-URI of INVITEs to the phone. */
  readonly contact: string;
  /** Where requests to the phone go (see `bindingPeer`). */
  readonly peer: Peer;
  readonly callId: string;
  readonly cseq: number;
  /** When the phone last registered or refreshed this binding, epoch ms. */
  readonly updatedAt: number;
  readonly expiresAt: number;
}

interface Binding extends Registration {
  timer: TimerHandle;
}

export type RegistrarRespond = (status: number, reason: string, headers?: [string, string][]) => void;

export interface RegistrarDeps {
  readonly clock: Clock;
  readonly lookup: AgentCredentialsLookup;
  readonly logger: Logger;
  /** Signs nonces; random per process by default (nonces do not outlive it anyway). */
  readonly secret?: Buffer;
}

type Algorithm = 'MD5' | 'SHA-256';
const ALGORITHMS: readonly Algorithm[] = ['MD5', 'SHA-256'];

export class Registrar {
  readonly #bindings = new Map<string, Binding[]>();
  /** The highest nonce count accepted per nonce, while the nonce is good. */
  readonly #nonceCounts = new Map<string, { count: number; readonly timer: TimerHandle }>();
  readonly #secret: Buffer;
  #closed = false;

  constructor(private readonly deps: RegistrarDeps) {
    this.#secret = deps.secret ?? randomBytes(32);
  }

  /** Bindings over all agents, for the registrations gauge. */
  get count(): number {
    let count = 0;
    for (const bindings of this.#bindings.values()) count += bindings.length;
    return count;
  }

  /** The agent's phone that registered or refreshed last: the one dialAgent rings. */
  latest(userId: string): Registration | undefined {
    const bindings = this.#bindings.get(userId) ?? [];
    const latest = bindings.reduce<Binding | undefined>((found, b) => (found === undefined || b.updatedAt >= found.updatedAt ? b : found), undefined);
    return latest === undefined ? undefined : registration(latest);
  }

  bindings(userId: string): readonly Registration[] {
    return (this.#bindings.get(userId) ?? []).map(registration);
  }

  /** Answers one REGISTER that came from `source`. Never throws: a failed lookup answers 500. */
  async register(request: SipRequest, source: Peer, respond: RegistrarRespond): Promise<void> {
    try {
      await this.#register(request, source, respond);
    } catch (error) {
      this.deps.logger.error('REGISTER failed', { error: error instanceof Error ? error.message : String(error) });
      respond(500, 'Server Internal Error');
    }
  }

  /** Forgets every binding and stops every timer. */
  close(): void {
    this.#closed = true;
    for (const bindings of this.#bindings.values()) for (const binding of bindings) this.deps.clock.clearTimer(binding.timer);
    this.#bindings.clear();
    for (const { timer } of this.#nonceCounts.values()) this.deps.clock.clearTimer(timer);
    this.#nonceCounts.clear();
  }

  async #register(request: SipRequest, source: Peer, respond: RegistrarRespond): Promise<void> {
    let aor: ReturnType<typeof parseUri>;
    try {
      aor = parseUri(headerUri(header(request, 'to') ?? ''));
    } catch {
      return respond(400, 'Bad Request');
    }
    const username = aor.user === null ? '' : unescapeUser(aor.user);
    if (username === '') return respond(404, 'Not Found');
    const domain = aor.host.replace(/^\[|\]$/g, '');

    // §22.1 / RFC 7616 §3.3: no credentials, or credentials we cannot check, get a challenge.
    const authorization = header(request, 'authorization');
    if (authorization === undefined) return this.#challenge(respond, false);
    const answer = parseCredentials(authorization);
    if (answer === null) return respond(400, 'Bad Request');
    const algorithm = ALGORITHMS.find((a) => a.toLowerCase() === answer.algorithm.toLowerCase());
    if (answer.realm !== REGISTRAR_REALM || algorithm === undefined) return this.#challenge(respond, false);
    const nonce = this.#checkNonce(answer.nonce);
    if (nonce === 'invalid') return this.#challenge(respond, false);
    if (nonce === 'stale') return this.#challenge(respond, true);
    // qop=auth is what makes the nonce count, and so replay protection, part of the response.
    if (answer.qop?.toLowerCase() !== 'auth' || answer.cnonce === null || answer.nc === null || !/^[0-9a-f]{8}$/i.test(answer.nc)) {
      return respond(403, 'Forbidden');
    }
    // RFC 7616 §3.4.6: the digest-uri must name this request, or the response could have been lifted from another.
    if (answer.uri !== request.uri) return respond(400, 'Bad Request');
    if (answer.username !== username) return respond(403, 'Forbidden');

    const credentials = await this.deps.lookup(username, domain);
    if (this.#closed) return;
    if (credentials === undefined) return respond(404, 'Not Found');
    const ha1 = credentials.ha1[algorithm];
    if (ha1 === undefined) return respond(403, 'Forbidden');
    const expected = expectedResponse(algorithm, ha1.toLowerCase(), { nonce: answer.nonce, nc: answer.nc, cnonce: answer.cnonce, uri: answer.uri }, 'REGISTER');
    if (!sameHex(expected, answer.response)) {
      this.deps.logger.info('REGISTER with wrong credentials', { username, source: `${source.address}:${source.port}` });
      return respond(403, 'Forbidden');
    }
    if (!this.#countNonce(answer.nonce, Number.parseInt(answer.nc, 16), nonce.issuedAt)) return this.#challenge(respond, false);

    this.#bind(request, source, { userId: credentials.userId, username, domain }, respond);
  }

  #bind(request: SipRequest, source: Peer, agent: { userId: string; username: string; domain: string }, respond: RegistrarRespond): void {
    const { clock } = this.deps;
    const callId = header(request, 'call-id') ?? '';
    const cseq = parseCSeq(request.headers).seq;
    const contacts = request.headers.get('contact') ?? [];
    const expiresHeader = header(request, 'expires');
    const requested = expiresHeader === undefined ? DEFAULT_EXPIRES_SECONDS : (parseSeconds(expiresHeader) ?? DEFAULT_EXPIRES_SECONDS);
    const current = this.#bindings.get(agent.userId) ?? [];
    // §10.3 step 7: a request older than what made a binding (same Call-ID, lower CSeq) must not change it.
    const outOfOrder = (binding: Binding): boolean => binding.callId === callId && cseq <= binding.cseq;

    if (contacts.some((value) => value.trim() === '*')) {
      // §10.3 step 6: `*` only alone, and only with Expires: 0.
      if (contacts.length !== 1 || expiresHeader === undefined || parseSeconds(expiresHeader) !== 0) return respond(400, 'Bad Request');
      if (current.some(outOfOrder)) return respond(500, 'Server Internal Error');
      for (const binding of current) this.#remove(agent.userId, binding);
      this.deps.logger.info('agent phone unregistered', { userId: agent.userId, username: agent.username, bindings: current.length });
      return respond(200, 'OK', this.#okHeaders(agent.userId));
    }

    const wanted: { contact: string; expires: number }[] = [];
    for (const value of contacts) {
      let contact: string;
      try {
        contact = headerUri(value);
        parseUri(contact);
      } catch {
        return respond(400, 'Bad Request');
      }
      const param = headerParams(value).get('expires');
      const expires = param === undefined || param === null ? requested : (parseSeconds(param) ?? requested);
      if (expires !== 0 && expires < MIN_EXPIRES_SECONDS) return respond(423, 'Interval Too Brief', [['Min-Expires', String(MIN_EXPIRES_SECONDS)]]);
      wanted.push({ contact, expires: Math.min(expires, MAX_EXPIRES_SECONDS) });
    }
    if (wanted.some((w) => current.some((b) => b.contact === w.contact && outOfOrder(b)))) return respond(500, 'Server Internal Error');

    const now = clock.now();
    for (const { contact, expires } of wanted) {
      const existing = (this.#bindings.get(agent.userId) ?? []).find((b) => b.contact === contact);
      if (existing !== undefined) this.#remove(agent.userId, existing);
      if (expires === 0) continue;
      const binding: Binding = {
        ...agent,
        contact,
        peer: bindingPeer(contact, source),
        callId,
        cseq,
        updatedAt: now,
        expiresAt: now + expires * 1000,
        timer: clock.setTimer(expires * 1000, () => {
          this.#remove(agent.userId, binding);
          this.deps.logger.info('agent phone registration expired', { userId: agent.userId, contact });
        }),
      };
      const list = this.#bindings.get(agent.userId) ?? [];
      list.push(binding);
      this.#bindings.set(agent.userId, list);
      if (existing === undefined) this.deps.logger.info('agent phone registered', { userId: agent.userId, username: agent.username, contact, expires });
      if (list.length > MAX_BINDINGS_PER_USER) {
        const oldest = list.reduce((a, b) => (b.updatedAt < a.updatedAt ? b : a));
        this.#remove(agent.userId, oldest);
      }
    }
    respond(200, 'OK', this.#okHeaders(agent.userId));
  }

  /** §10.3 step 8: every current binding with the seconds it has left, and the date. */
  #okHeaders(userId: string): [string, string][] {
    const now = this.deps.clock.now();
    const contacts = (this.#bindings.get(userId) ?? []).map((b): [string, string] => ['Contact', `<${b.contact}>;expires=${Math.max(0, Math.ceil((b.expiresAt - now) / 1000))}`]);
    return [...contacts, ['Date', new Date(now).toUTCString()]];
  }

  #remove(userId: string, binding: Binding): void {
    this.deps.clock.clearTimer(binding.timer);
    const list = (this.#bindings.get(userId) ?? []).filter((b) => b !== binding);
    if (list.length === 0) this.#bindings.delete(userId);
    else this.#bindings.set(userId, list);
  }

  /** One challenge per algorithm on the same nonce, MD5 first: many phones answer the first one they see. */
  #challenge(respond: RegistrarRespond, stale: boolean): void {
    const nonce = this.#newNonce();
    const challenge = (algorithm: Algorithm): [string, string] => [
      'WWW-Authenticate',
      `Digest realm="${REGISTRAR_REALM}", nonce="${nonce}", algorithm=${algorithm}, qop="auth"${stale ? ', stale=true' : ''}`,
    ];
    respond(401, 'Unauthorized', [challenge('MD5'), challenge('SHA-256')]);
  }

  /** `<issued at, hex ms>.<random>.<HMAC of both>`: checkable without remembering every nonce handed out. */
  #newNonce(): string {
    const body = `${this.deps.clock.now().toString(16)}.${randomBytes(8).toString('hex')}`;
    return `${body}.${this.#sign(body)}`;
  }

  #sign(body: string): string {
    return createHmac('sha256', this.#secret).update(body).digest('hex').slice(0, 32);
  }

  #checkNonce(nonce: string): 'invalid' | 'stale' | { readonly issuedAt: number } {
    const parts = nonce.split('.');
    if (parts.length !== 3) return 'invalid';
    const [issued, random, signature] = parts as [string, string, string];
    if (!sameHex(this.#sign(`${issued}.${random}`), signature)) return 'invalid';
    const issuedAt = Number.parseInt(issued, 16);
    const age = this.deps.clock.now() - issuedAt;
    if (!Number.isFinite(issuedAt) || age < 0) return 'invalid';
    return age >= NONCE_LIFETIME_MS ? 'stale' : { issuedAt };
  }

  /** RFC 7616 §3.4: each use of a nonce must count higher than the last; false for a replay. */
  #countNonce(nonce: string, count: number, issuedAt: number): boolean {
    const seen = this.#nonceCounts.get(nonce);
    if (seen !== undefined) {
      if (count <= seen.count) return false;
      seen.count = count;
      return true;
    }
    // Forgotten once the nonce is stale: from then on it earns only a new challenge.
    const timer = this.deps.clock.setTimer(issuedAt + NONCE_LIFETIME_MS - this.deps.clock.now(), () => this.#nonceCounts.delete(nonce));
    this.#nonceCounts.set(nonce, { count, timer });
    return true;
  }
}

function registration({ timer: _timer, ...binding }: Binding): Registration {
  return binding;
}

/**
 * Where requests to a registered phone go. Over TCP, the connection it registered on (a phone need not
 * listen for connections). Over UDP, the Contact's address when the REGISTER came from that host, else
 * where it came from: a Contact naming another host is a phone behind NAT writing its private address.
 */
export function bindingPeer(contact: string, source: Peer): Peer {
  if (source.transport === 'tcp') return source;
  try {
    const uri = parseUri(contact);
    const host = uri.host.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && host === source.address) return { transport: 'udp', address: host, port: uri.port ?? 5060 };
  } catch {
    // an unreadable Contact was refused before it got here
  }
  return source;
}

/** RFC 3261 §19.1.2: the user part may be %-escaped; an escape that does not decode stays as written. */
function unescapeUser(user: string): string {
  try {
    return decodeURIComponent(user);
  } catch {
    return user;
  }
}

function parseSeconds(value: string): number | null {
  const trimmed = value.trim();
  if (!/^\d{1,10}$/.test(trimmed)) return null;
  return Math.min(Number(trimmed), 2 ** 32 - 1);
}

function sameHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected.toLowerCase());
  const b = Buffer.from(given.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}
