/**
 * Console passwords at rest: scrypt with a random salt, stored self-describing
 * (`scrypt$N$r$p$salt$hash`, base64) so the cost can rise later without breaking stored hashes.
 * SIP registration needs digest HA1 values instead, which are derived once from the password
 * and stored beside it (as SIP registrars do); the password itself is never kept.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const COST = { N: 16384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_BYTES, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error === null ? resolve(key) : reject(error),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Whether `password` matches `stored`; false for a hash this module did not write. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** The digest realm of outdial's SIP registrar; stored HA1 values are bound to it, so it is fixed. */
export const SIP_REALM = 'outdial';

/** Digest HA1 = H(username:realm:password) for each algorithm SIP phones use (RFC 7616). */
export function sipHa1(username: string, realm: string, password: string): Record<string, string> {
  const h = (algorithm: string) => createHash(algorithm).update(`${username}:${realm}:${password}`).digest('hex');
  return { MD5: h('md5'), 'SHA-256': h('sha256') };
}
