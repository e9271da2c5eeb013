/**
 * HTTP Digest as SIP uses it (RFC 3261 §22, RFC 2617, RFC 7616, RFC 8760): read the challenge in a
 * `WWW-Authenticate`/`Proxy-Authenticate` value and compute the matching `Authorization`/
 * `Proxy-Authorization` value. Pure: the caller supplies the cnonce and the nonce count, so a retry after
 * `stale=true` and a test vector are both just arguments.
 */
import { createHash } from 'node:crypto';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess';
export type DigestQop = 'auth' | 'auth-int';

export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string | null;
  readonly algorithm: DigestAlgorithm;
  /** Whether the challenge named its algorithm; RFC 2617 says echo it only then, and some old servers choke otherwise. */
  readonly algorithmNamed: boolean;
  /** The qop values offered that we support; empty for an RFC 2069-style challenge without qop. */
  readonly qop: readonly DigestQop[];
  /** The server rejected an old nonce, not the password: retry with the new one without asking anyone. */
  readonly stale: boolean;
  /** RFC 7616 §3.4.4: send H(username:realm) instead of the username. */
  readonly userhash: boolean;
}

export interface DigestCredentials {
  readonly username: string;
  readonly password: string;
  /** The request's method; for ACK of a 2xx, RFC 3261 says the INVITE's credentials are reused as they are. */
  readonly method: string;
  /** The Request-URI exactly as sent. */
  readonly uri: string;
  /** The request body, hashed for qop=auth-int (the empty string when there is none). */
  readonly body?: string;
  /** How many requests used this nonce, including this one; starts at 1. */
  readonly nc: number;
  readonly cnonce: string;
}

const HASH: Readonly<Record<DigestAlgorithm, string>> = {
  MD5: 'md5',
  'MD5-sess': 'md5',
  'SHA-256': 'sha256',
  'SHA-256-sess': 'sha256',
  'SHA-512-256': 'sha512-256',
  'SHA-512-256-sess': 'sha512-256',
};

/** Higher wins when one header carries several challenges: a stronger hash beats the order the server chose. */
const STRENGTH: Readonly<Record<DigestAlgorithm, number>> = {
  MD5: 0,
  'MD5-sess': 0,
  'SHA-256': 1,
  'SHA-256-sess': 1,
  'SHA-512-256': 2,
  'SHA-512-256-sess': 2,
};

const ALGORITHMS = new Map<string, DigestAlgorithm>(
  (Object.keys(HASH) as DigestAlgorithm[]).map((name) => [name.toLowerCase(), name]),
);

interface RawChallenge {
  readonly scheme: string;
  readonly params: Map<string, string>;
}

/** A lexer over one header value: tokens, quoted strings (with `\` escapes), `=`, `,` and spaces. */
class Cursor {
  #i = 0;
  constructor(private readonly text: string) {}

  get done(): boolean {
    return this.#i >= this.text.length;
  }

  skipSpace(): void {
    while (!this.done && /\s/.test(this.text[this.#i] ?? '')) this.#i++;
  }

  peek(): string | undefined {
    return this.text[this.#i];
  }

  eat(ch: string): boolean {
    this.skipSpace();
    if (this.peek() !== ch) return false;
    this.#i++;
    return true;
  }

  /** A token, or in a value position anything up to a comma (servers send unquoted nonces with `/` and `+`). */
  token(valuePosition = false): string {
    this.skipSpace();
    const stop = valuePosition ? /[\s,]/ : /[\s,=]/;
    const start = this.#i;
    while (!this.done && !stop.test(this.text[this.#i] ?? '')) this.#i++;
    return this.text.slice(start, this.#i);
  }

  quoted(): string | null {
    this.skipSpace();
    if (this.peek() !== '"') return null;
    this.#i++;
    let out = '';
    while (!this.done) {
      const ch = this.text[this.#i++] ?? '';
      if (ch === '"') return out;
      out += ch === '\\' ? (this.text[this.#i++] ?? '') : ch;
    }
    return null;
  }

  /** Looks ahead, without consuming, for `name =`: an auth-param rather than the next challenge's scheme. */
  atParam(): boolean {
    const save = this.#i;
    const name = this.token();
    const isParam = name !== '' && this.eat('=');
    this.#i = save;
    return isParam;
  }
}

/** Every challenge in the value, whatever its scheme, with lower-cased parameter names; null if malformed. */
function lexChallenges(value: string): RawChallenge[] | null {
  const cursor = new Cursor(value);
  const challenges: { scheme: string; params: Map<string, string> }[] = [];
  let current: { scheme: string; params: Map<string, string> } | undefined;
  for (;;) {
    while (cursor.eat(',')) {
      // empty list elements are allowed (RFC 7230 §7)
    }
    cursor.skipSpace();
    if (cursor.done) break;
    if (current === undefined || !cursor.atParam()) {
      const scheme = cursor.token();
      if (scheme === '') return null;
      current = { scheme: scheme.toLowerCase(), params: new Map() };
      challenges.push(current);
      cursor.skipSpace();
      if (cursor.done || cursor.peek() === ',') continue;
      if (!cursor.atParam()) {
        // token68 (Basic, Negotiate…): irrelevant to us, but must not be read as the next scheme
        cursor.token(true);
        continue;
      }
    }
    const name = cursor.token().toLowerCase();
    if (!cursor.eat('=')) return null;
    cursor.skipSpace();
    const paramValue = cursor.peek() === '"' ? cursor.quoted() : cursor.token(true);
    if (paramValue === null) return null;
    current.params.set(name, paramValue);
    cursor.skipSpace();
    if (!cursor.done && cursor.peek() !== ',') return null;
  }
  return challenges;
}

function toDigestChallenge(raw: RawChallenge): DigestChallenge | null {
  if (raw.scheme !== 'digest') return null;
  const realm = raw.params.get('realm');
  const nonce = raw.params.get('nonce');
  if (realm === undefined || nonce === undefined) return null;
  const namedAlgorithm = raw.params.get('algorithm');
  const algorithm = namedAlgorithm === undefined ? 'MD5' : ALGORITHMS.get(namedAlgorithm.trim().toLowerCase());
  if (algorithm === undefined) return null;
  const qopParam = raw.params.get('qop');
  const qop: DigestQop[] = [];
  if (qopParam !== undefined) {
    for (const option of qopParam.split(',')) {
      const normalized = option.trim().toLowerCase();
      if ((normalized === 'auth' || normalized === 'auth-int') && !qop.includes(normalized)) qop.push(normalized);
    }
    // A qop list with nothing we know (a future extension) is not the same as no qop: we cannot answer it.
    if (qop.length === 0) return null;
  }
  return {
    realm,
    nonce,
    opaque: raw.params.get('opaque') ?? null,
    algorithm,
    algorithmNamed: namedAlgorithm !== undefined,
    qop,
    stale: raw.params.get('stale')?.trim().toLowerCase() === 'true',
    userhash: raw.params.get('userhash')?.trim().toLowerCase() === 'true',
  };
}

/** Every Digest challenge we can answer, in the order given. Several header lines may be passed as an array. */
export function parseChallenges(value: string | readonly string[]): DigestChallenge[] {
  const values = typeof value === 'string' ? [value] : value;
  const out: DigestChallenge[] = [];
  for (const one of values) {
    for (const raw of lexChallenges(one) ?? []) {
      const challenge = toDigestChallenge(raw);
      if (challenge !== null) out.push(challenge);
    }
  }
  return out;
}

/** The challenge to answer: the strongest algorithm we support, the first offered among equals; null if none. */
export function parseChallenge(value: string | readonly string[]): DigestChallenge | null {
  let best: DigestChallenge | null = null;
  for (const challenge of parseChallenges(value)) {
    if (best === null || STRENGTH[challenge.algorithm] > STRENGTH[best.algorithm]) best = challenge;
  }
  return best;
}

function hash(algorithm: DigestAlgorithm, text: string): string {
  return createHash(HASH[algorithm]).update(text, 'utf8').digest('hex');
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (ch) => `\\${ch}`)}"`;
}

/** Lower-case hex, eight digits, as RFC 2617 §3.2.2 spells nc. */
export function formatNonceCount(nc: number): string {
  if (!Number.isInteger(nc) || nc < 1 || nc > 0xffffffff) throw new RangeError(`nonce count out of range: ${nc}`);
  return nc.toString(16).padStart(8, '0');
}

/** The `Authorization` (or `Proxy-Authorization`) header value answering `challenge`. */
export function authorize(challenge: DigestChallenge, credentials: DigestCredentials): string {
  const { algorithm, realm, nonce } = challenge;
  const { username, password, method, uri, cnonce } = credentials;
  // auth is enough for SIP and works with every server; auth-int only when that is all we are offered.
  const qop: DigestQop | null = challenge.qop.includes('auth') ? 'auth' : (challenge.qop[0] ?? null);
  const sess = algorithm.endsWith('-sess');
  const nc = formatNonceCount(credentials.nc);

  let ha1 = hash(algorithm, `${username}:${realm}:${password}`);
  if (sess) ha1 = hash(algorithm, `${ha1}:${nonce}:${cnonce}`);
  const ha2 = hash(
    algorithm,
    qop === 'auth-int' ? `${method}:${uri}:${hash(algorithm, credentials.body ?? '')}` : `${method}:${uri}`,
  );
  const response =
    qop === null ? hash(algorithm, `${ha1}:${nonce}:${ha2}`) : hash(algorithm, `${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`);

  const parts = [
    `username=${quote(challenge.userhash ? hash(algorithm, `${username}:${realm}`) : username)}`,
    `realm=${quote(realm)}`,
    `nonce=${quote(nonce)}`,
    `uri=${quote(uri)}`,
    `response=${quote(response)}`,
  ];
  if (challenge.algorithmNamed) parts.push(`algorithm=${algorithm}`);
  // A -sess HA1 depends on the cnonce, so the server needs it even without qop.
  if (qop !== null || sess) parts.push(`cnonce=${quote(cnonce)}`);
  if (challenge.opaque !== null) parts.push(`opaque=${quote(challenge.opaque)}`);
  if (qop !== null) parts.push(`qop=${qop}`, `nc=${nc}`);
  if (challenge.userhash) parts.push('userhash=true');
  return `Digest ${parts.join(', ')}`;
}

/** The digest parameters of an `Authorization` header, as a registrar reads them (names lower-cased). */
export interface DigestAnswer {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  /** As named, or MD5 when absent (RFC 2617 §3.2.2). */
  readonly algorithm: string;
  readonly qop: string | null;
  readonly nc: string | null;
  readonly cnonce: string | null;
  readonly opaque: string | null;
}

/** The Digest credentials in an `Authorization` value; null when there are none or they lack a required part. */
export function parseCredentials(value: string): DigestAnswer | null {
  const raw = lexChallenges(value)?.find((challenge) => challenge.scheme === 'digest');
  if (raw === undefined) return null;
  const get = (name: string): string | null => raw.params.get(name) ?? null;
  const username = get('username');
  const realm = get('realm');
  const nonce = get('nonce');
  const uri = get('uri');
  const response = get('response');
  if (username === null || realm === null || nonce === null || uri === null || response === null) return null;
  return { username, realm, nonce, uri, response, algorithm: get('algorithm') ?? 'MD5', qop: get('qop'), nc: get('nc'), cnonce: get('cnonce'), opaque: get('opaque') };
}

/** RFC 7616 §3.4.1 with qop=auth, from a stored HA1 = H(username:realm:password): what the client must send. */
export function expectedResponse(
  algorithm: 'MD5' | 'SHA-256',
  ha1: string,
  answer: { readonly nonce: string; readonly nc: string; readonly cnonce: string; readonly uri: string },
  method: string,
): string {
  const ha2 = hash(algorithm, `${method}:${answer.uri}`);
  return hash(algorithm, `${ha1}:${answer.nonce}:${answer.nc}:${answer.cnonce}:auth:${ha2}`);
}
