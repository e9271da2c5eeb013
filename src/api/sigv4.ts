/**
 * AWS Signature Version 4 verification for incoming requests: the canonical request is rebuilt over
 * exactly the headers the client signed, the signature recomputed, and the two compared in constant time.
 * The query is canonicalized by Smithy's `getCanonicalQuery` (what the AWS SDK signs with); the path and
 * the HMAC chain follow the same steps here, with the derived signing key kept per day and region, because
 * Smithy's whole-request signer cost a sixth of the server's time in the benchmark (docs/performance.md).
 * The unit tests verify requests signed by Smithy's signer and by the real Connect client.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { getCanonicalQuery } from '@smithy/signature-v4';
import {
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  UnrecognizedClientException,
} from './errors.js';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The parts of a received request that its signature covers. */
export interface SignedRequest {
  readonly method: string;
  /** The path exactly as received, still percent-encoded. */
  readonly rawPath: string;
  /** The query string as received, without `?`. */
  readonly rawQuery: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export class SigV4Verifier {
  readonly #secrets: Map<string, string>;
  /** Signing keys by secret, day and region; a day's keys replace the previous day's. */
  readonly #keys = new Map<string, Buffer>();
  readonly #paths = new Map<string, string>();
  #lastAmzDate: { readonly text: string; readonly date: Date | undefined } = { text: '', date: undefined };

  constructor(
    credentials: readonly Credentials[],
    private readonly service: string,
    private readonly maxSkewMs: number,
    private readonly now: () => number,
  ) {
    this.#secrets = new Map(credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
  }

  /** Resolves with the caller's access key id, or rejects with the AWS error for what is wrong. */
  // eslint-disable-next-line @typescript-eslint/require-await -- async so every failure is a rejection
  async verify(request: SignedRequest): Promise<string> {
    const authorization = header(request.headers, 'authorization');
    if (authorization === undefined) throw new MissingAuthenticationTokenException('Missing Authentication Token');
    const match = AUTH.exec(authorization);
    if (match === null) {
      throw new IncompleteSignatureException(
        "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters (AWS4-HMAC-SHA256).",
      );
    }
    const [, accessKeyId = '', scopeDate = '', region = '', service = '', signedHeaderList = '', signature = ''] = match;
    const secret = this.#secrets.get(accessKeyId);
    if (secret === undefined) throw new UnrecognizedClientException('The security token included in the request is invalid.');
    if (service !== this.service) {
      throw new InvalidSignatureException(`Credential should be scoped to correct service: '${this.service}'.`);
    }
    const amzDate = header(request.headers, 'x-amz-date');
    const signingDate = amzDate === undefined ? undefined : this.#parseAmzDate(amzDate);
    if (signingDate === undefined) throw new IncompleteSignatureException('Missing or malformed X-Amz-Date header.');
    if (!amzDate?.startsWith(scopeDate)) {
      throw new InvalidSignatureException(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate?.slice(0, 8)}'.`);
    }
    this.#checkSkew(amzDate, signingDate);

    const signed = signedHeaderList.split(';');
    if (!signed.includes('host')) throw new InvalidSignatureException("'Host' must be a signed header.");
    const payloadHash = this.#payloadHash(request);

    const headerLines: string[] = [];
    for (const name of [...signed].sort()) {
      const value = request.headers[name];
      if (value === undefined) throw new InvalidSignatureException(`Signed header '${name}' is missing from the request.`);
      headerLines.push(`${name}:${(Array.isArray(value) ? value.join(',') : value).trim().replace(/\s+/g, ' ')}`);
    }
    const canonicalRequest = [
      request.method,
      this.#canonicalPath(request.rawPath),
      getCanonicalQuery({ query: parseQuery(request.rawQuery) } as Parameters<typeof getCanonicalQuery>[0]),
      ...headerLines,
      '',
      [...signed].sort().join(';'),
      payloadHash,
    ].join('\n');
    const scope = `${scopeDate}/${region}/${service}/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
    const expected = createHmac('sha256', this.#signingKey(secret, scopeDate, region)).update(stringToSign).digest('hex');
    if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
      throw new InvalidSignatureException(
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
    }
    return accessKeyId;
  }

  /** Requests signed in the same second share their X-Amz-Date: under load most parse it again. */
  #parseAmzDate(text: string): Date | undefined {
    if (text !== this.#lastAmzDate.text) this.#lastAmzDate = { text, date: parseAmzDate(text) };
    return this.#lastAmzDate.date;
  }

  /** Most requests go to a few paths (every StartOutboundVoiceContact to one); their canonical forms are kept. */
  #canonicalPath(rawPath: string): string {
    let path = this.#paths.get(rawPath);
    if (path === undefined) {
      if (this.#paths.size >= MAX_CANONICAL_PATHS) this.#paths.clear();
      path = canonicalPath(rawPath);
      this.#paths.set(rawPath, path);
    }
    return path;
  }

  #checkSkew(amzDate: string, signingDate: Date): void {
    const now = this.now();
    if (Math.abs(now - signingDate.getTime()) <= this.maxSkewMs) return;
    const bound = new Date(now + (signingDate.getTime() < now ? -this.maxSkewMs : this.maxSkewMs));
    const relation = signingDate.getTime() < now ? 'earlier' : 'later';
    throw new InvalidSignatureException(`Signature expired: ${amzDate} is now ${relation} than ${formatAmzDate(bound)} (${formatAmzDate(new Date(now))} ${relation === 'earlier' ? '-' : '+'} 15 min.)`);
  }

  /**
   * The body's SHA-256. Only S3 accepts UNSIGNED-PAYLOAD; here a declared hash must be the body's, or a
   * signed request could carry a body swapped after signing.
   */
  #payloadHash(request: SignedRequest): string {
    const actual = sha256Hex(request.body);
    const declared = header(request.headers, 'x-amz-content-sha256');
    if (declared !== undefined && declared !== actual) {
      throw new InvalidSignatureException("The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    return actual;
  }

  #signingKey(secret: string, day: string, region: string): Buffer {
    const id = `${day}\n${region}\n${secret}`;
    let key = this.#keys.get(id);
    if (key === undefined) {
      if (this.#keys.size >= MAX_SIGNING_KEYS) this.#keys.clear();
      key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), this.service), 'aws4_request');
      this.#keys.set(id, key);
    }
    return key;
  }
}

/** Enough for every configured key in a few regions over two days; a full cache simply starts over. */
const MAX_SIGNING_KEYS = 256;
/** Paths kept canonicalized; a full cache simply starts over. */
const MAX_CANONICAL_PATHS = 1024;

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** One-shot hashing: about half the time of a Hash object for a request's sizes. */
function sha256Hex(data: string | Buffer): string {
  return hash('sha256', data, 'hex');
}

/** RFC 3986 percent-encoding, as AWS canonicalizes: everything but unreserved characters. */
function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The canonical URI of a path as received (still percent-encoded): dot segments resolved, empty ones
 * dropped, then encoded once more, which is the double encoding AWS specifies for every service but S3.
 */
function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${rawPath.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseAmzDate(text: string): Date | undefined {
  const m = AMZ_DATE.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Decodes a raw query string into the map the signer re-encodes canonically (repeated keys kept in order). */
function parseQuery(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  if (raw === '') return query;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    const existing = query[key];
    query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InvalidSignatureException('The query string is not validly percent-encoded.');
  }
}
