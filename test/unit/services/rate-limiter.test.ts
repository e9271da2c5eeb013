import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RateLimiter, type RateLimit } from '../../../src/services/rate-limiter.js';
import { VirtualClock } from '../../../src/shared/clock.js';

const TWO_PER_SECOND_BURST_FIVE: RateLimit = { ratePerSecond: 2, burst: 5 };

/** Takes `n` tokens in a row and says which were granted. */
function takeMany(limiter: RateLimiter, key: string, n: number): boolean[] {
  return Array.from({ length: n }, () => limiter.tryTake(key));
}

describe('RateLimiter', () => {
  it('grants a full burst at once, then throttles', () => {
    const limiter = new RateLimiter(new VirtualClock(), () => TWO_PER_SECOND_BURST_FIVE);

    const granted = takeMany(limiter, 'acct:StartOutboundVoiceContact', 6);

    assert.deepEqual(granted, [true, true, true, true, true, false]);
  });

  it('refills one token per 1/rate seconds of virtual time', () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter(clock, () => TWO_PER_SECOND_BURST_FIVE);
    takeMany(limiter, 'k', 5);

    clock.advance(499);
    const at499 = limiter.tryTake('k');
    clock.advance(1);
    const at500 = limiter.tryTake('k');
    const againAt500 = limiter.tryTake('k');

    assert.deepEqual([at499, at500, againAt500], [false, true, false]);
  });

  it('keeps refilling while requests are throttled', () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter(clock, () => TWO_PER_SECOND_BURST_FIVE);
    takeMany(limiter, 'k', 5);

    const granted: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      clock.advance(250);
      granted.push(limiter.tryTake('k'));
    }

    assert.deepEqual(granted, [false, true, false, true]);
  });

  it('refills no further than the burst, however long the bucket sits idle', () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter(clock, () => TWO_PER_SECOND_BURST_FIVE);
    takeMany(limiter, 'k', 5);

    clock.advance(3_600_000);
    const granted = takeMany(limiter, 'k', 6);

    assert.deepEqual(granted, [true, true, true, true, true, false]);
  });

  it('keeps a separate bucket for every key', () => {
    const limiter = new RateLimiter(new VirtualClock(), () => ({ ratePerSecond: 1, burst: 2 }));
    takeMany(limiter, 'acct:StopContact', 2);

    const sameKey = limiter.tryTake('acct:StopContact');
    const otherKey = takeMany(limiter, 'acct:DescribeContact', 3);

    assert.equal(sameKey, false);
    assert.deepEqual(otherKey, [true, true, false]);
  });

  it('applies the limit given for each key', () => {
    const limits: Record<string, RateLimit> = { fast: { ratePerSecond: 5, burst: 8 }, slow: { ratePerSecond: 1, burst: 1 } };
    const limiter = new RateLimiter(new VirtualClock(), (key) => limits[key] ?? null);

    const fast = takeMany(limiter, 'fast', 9).filter(Boolean).length;
    const slow = takeMany(limiter, 'slow', 9).filter(Boolean).length;

    assert.deepEqual([fast, slow], [8, 1]);
  });

  it('never throttles a key whose limit is null', () => {
    const limiter = new RateLimiter(new VirtualClock(), () => null);

    const granted = takeMany(limiter, 'k', 10_000);

    assert.equal(granted.every(Boolean), true);
  });
});
