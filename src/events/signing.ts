/**
 * Standard Webhooks signatures (standardwebhooks.com, spec v1): `v1,` + base64(HMAC-SHA256(key,
 * "{webhook-id}.{webhook-timestamp}.{body}")), where the key is the base64 part of a `whsec_` secret.
 * Ten lines on node:crypto instead of a runtime dependency; the tests verify them with the
 * `standardwebhooks` package consumers use.
 */
import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

/** A new random secret in the `whsec_<base64>` form the spec and its libraries expect. */
export function newSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/** True when `secret` is `whsec_` followed by base64 of 24 to 64 bytes. */
export function isValidSecret(secret: string): boolean {
  if (!secret.startsWith(PREFIX)) return false;
  const encoded = secret.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return false;
  const bytes = Buffer.from(encoded, 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

/** The `webhook-signature` header: one `v1,` signature per secret, space-separated (rotation signs with both). */
export function signatureHeader(secrets: readonly string[], id: string, timestampSeconds: number, body: string): string {
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.slice(PREFIX.length), 'base64');
      return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
    })
    .join(' ');
}
