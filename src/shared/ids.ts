import { randomFillSync, randomUUID } from 'node:crypto';

/** Source of identifiers; injected so tests can make them predictable. */
export interface IdSource {
  uuid(): string;
  /**
   * An id for rows made at a high rate (contacts), in time order where the source can; sources without
   * it give `uuid()`.
   */
  timeOrderedUuid?(): string;
}

/** Ids whose entropy one refill of the pool covers: one call into the random generator per 256 ids. */
const POOL_IDS = 256;
const pool = Buffer.alloc(16 * POOL_IDS);
let next = POOL_IDS;

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix time in milliseconds, then 74 random bits. Ids made in
 * time order land at the end of their primary-key index instead of on a random page of it, which SQLite
 * then writes back at every commit: with version 4 ids the admission of a contact cost about 40 % more
 * (docs/performance.md). 74 random bits stay unguessable; the time they reveal is the contact's own
 * initiation time, which DescribeContact shows anyway.
 */
export function uuidV7(now = Date.now()): string {
  if (next === POOL_IDS) {
    randomFillSync(pool);
    next = 0;
  }
  const bytes = pool.subarray(16 * next, 16 * ++next);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Version 4 for everything but contacts: some ids lend their first characters to names (`webhook-…`). */
export const randomIds: IdSource = { uuid: () => randomUUID(), timeOrderedUuid: () => uuidV7() };

/** Predictable ids (`00000000-0000-4000-8000-000000000001`, …) for tests and virtual-time runs. */
export function sequentialIds(): IdSource {
  let n = 0;
  return { uuid: () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}` };
}
