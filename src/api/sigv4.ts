/**
 * AWS Signature Version 4 verification for incoming requests: the signature is recomputed with Smithy's
 * signer (the one the AWS SDK signs with) over exactly the headers the client signed, and compared in
 * constant time.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
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
  readonly #signers = new Map<string, SignatureV4>();

  constructor(
    credentials: readonly Credentials[],
    private readonly service: string,
    private readonly maxSkewMs: number,
    private readonly now: () => number,
  ) {
    this.#secrets = new Map(credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
  }

  /** Resolves with the caller's access key id, or rejects with the AWS error for what is wrong. */
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
    const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate);
    if (signingDate === undefined) throw new IncompleteSignatureException('Missing or malformed X-Amz-Date header.');
    if (!amzDate?.startsWith(scopeDate)) {
      throw new InvalidSignatureException(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate?.slice(0, 8)}'.`);
    }
    this.#checkSkew(amzDate, signingDate);

    const signed = signedHeaderList.split(';');
    if (!signed.includes('host')) throw new InvalidSignatureException("'Host' must be a signed header.");
    this.#checkPayloadHash(request);

    const headers: Record<string, string> = {};
    for (const name of signed) {
      const value = request.headers[name];
      if (value === undefined) throw new InvalidSignatureException(`Signed header '${name}' is missing from the request.`);
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const toSign = new HttpRequest({
      method: request.method,
      protocol: 'http:',
      hostname: headers.host ?? '',
      path: request.rawPath,
      query: parseQuery(request.rawQuery),
      headers,
      body: request.body,
    });
    const signer = this.#signer(accessKeyId, secret, region);
    const resigned = await signer.sign(toSign, { signingDate, signableHeaders: new Set(signed) });
    const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization))?.[1] ?? '';
    if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature.padEnd(expected.length).slice(0, expected.length)))) {
      throw new InvalidSignatureException(
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
    }
    return accessKeyId;
  }

  #checkSkew(amzDate: string, signingDate: Date): void {
    const now = this.now();
    if (Math.abs(now - signingDate.getTime()) <= this.maxSkewMs) return;
    const bound = new Date(now + (signingDate.getTime() < now ? -this.maxSkewMs : this.maxSkewMs));
    const relation = signingDate.getTime() < now ? 'earlier' : 'later';
    throw new InvalidSignatureException(`Signature expired: ${amzDate} is now ${relation} than ${formatAmzDate(bound)} (${formatAmzDate(new Date(now))} ${relation === 'earlier' ? '-' : '+'} 15 min.)`);
  }

  #checkPayloadHash(request: SignedRequest): void {
    // Only S3 accepts UNSIGNED-PAYLOAD; here any declared hash must be the body's, or a signed request
    // could carry a body swapped after signing.
    const declared = header(request.headers, 'x-amz-content-sha256');
    if (declared === undefined) return;
    const actual = createHash('sha256').update(request.body).digest('hex');
    if (declared !== actual) {
      throw new InvalidSignatureException("The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
  }

  #signer(accessKeyId: string, secretAccessKey: string, region: string): SignatureV4 {
    const key = `${accessKeyId}\n${region}`;
    let signer = this.#signers.get(key);
    if (signer === undefined) {
      signer = new SignatureV4({
        credentials: { accessKeyId, secretAccessKey },
        region,
        service: this.service,
        sha256: Hash.bind(null, 'sha256'),
        uriEscapePath: true,
        // Sign exactly what the client sent: never add an x-amz-content-sha256 header of our own.
        applyChecksum: false,
      });
      this.#signers.set(key, signer);
    }
    return signer;
  }
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
