/**
 * A synchronous SigV4 signer for the load generator (autocannon needs requests built synchronously).
 * The server verifies with Smithy's signer, so a mistake here shows up as 403s, never as a faster run.
 */
import { createHash, createHmac } from 'node:crypto';

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();
const sha256 = (data: string): string => createHash('sha256').update(data).digest('hex');

export interface SignOptions {
  method: string;
  host: string;
  path: string;
  body: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  now?: Date;
}

/** Signing keys by day, region and secret, as the AWS SDK keeps them. */
const keys = new Map<string, Buffer>();

function signingKey(secret: string, day: string, region: string): Buffer {
  const id = `${day}/${region}/${secret}`;
  let key = keys.get(id);
  if (key === undefined) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), 'connect'), 'aws4_request');
    keys.set(id, key);
  }
  return key;
}

export function signedHeaders(o: SignOptions): Record<string, string> {
  const amzDate = (o.now ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256(o.body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    host: o.host,
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': amzDate,
  };
  const names = Object.keys(headers).sort();
  const canonical = [
    o.method,
    o.path,
    '',
    ...names.map((n) => `${n}:${headers[n]}`),
    '',
    names.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${day}/${o.region}/connect/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const signature = createHmac('sha256', signingKey(o.secretAccessKey, day, o.region)).update(toSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${o.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}
