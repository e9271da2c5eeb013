import type { Clock } from '../shared/clock.js';

export interface RateLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets per key (one per account and operation, as Connect throttles). Refills continuously at
 * `ratePerSecond` up to `burst`. Exact on one node; see docs/architecture.md for several nodes.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    private readonly limitFor: (key: string) => RateLimit | null,
  ) {}

  /** Takes a token for `key`; false when the bucket is empty and the request must be throttled. */
  tryTake(key: string): boolean {
    const limit = this.limitFor(key);
    if (limit === null) return true;
    const now = this.clock.now();
    const bucket = this.#buckets.get(key) ?? { tokens: limit.burst, updatedAt: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * limit.ratePerSecond);
    bucket.updatedAt = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
