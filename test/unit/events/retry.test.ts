import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DEFAULT_RETRY_SCHEDULE_SECONDS, parseRetryAfter, retryDelayMs } from '../../../src/events/retry.js';

const middle = (): number => 0.5;

describe('retryDelayMs', () => {
  it("follows Standard Webhooks' example schedule by default: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h", () => {
    assert.deepEqual(DEFAULT_RETRY_SCHEDULE_SECONDS, [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]);
    const delays = DEFAULT_RETRY_SCHEDULE_SECONDS.map((_, i) => retryDelayMs(DEFAULT_RETRY_SCHEDULE_SECONDS, i + 1, middle));
    assert.deepEqual(
      delays,
      DEFAULT_RETRY_SCHEDULE_SECONDS.map((s) => s * 1000),
    );
  });

  it('waits the n-th entry after the n-th failed attempt', () => {
    const schedule = [1, 10, 100];

    assert.equal(retryDelayMs(schedule, 1, middle), 1_000);
    assert.equal(retryDelayMs(schedule, 2, middle), 10_000);
    assert.equal(retryDelayMs(schedule, 3, middle), 100_000);
  });

  it('is undefined once the schedule is exhausted: the delivery goes dead', () => {
    assert.equal(retryDelayMs([1, 10, 100], 4, middle), undefined);
    assert.equal(retryDelayMs([1, 10, 100], 40, middle), undefined);
    assert.equal(retryDelayMs(DEFAULT_RETRY_SCHEDULE_SECONDS, DEFAULT_RETRY_SCHEDULE_SECONDS.length + 1, middle), undefined);
    assert.equal(retryDelayMs([], 1, middle), undefined);
  });

  it('a Retry-After does not extend an exhausted schedule', () => {
    assert.equal(retryDelayMs([5], 2, middle, 60_000), undefined);
  });

  it('spreads each wait over ±20 %', () => {
    const schedule = [300];

    assert.equal(retryDelayMs(schedule, 1, () => 0), 240_000);
    assert.equal(retryDelayMs(schedule, 1, () => 0.25), 270_000);
    assert.equal(retryDelayMs(schedule, 1, () => 0.75), 330_000);
    assert.equal(retryDelayMs(schedule, 1, () => 0.999999), 360_000);
  });

  it('stays within the bounds for any random number', () => {
    for (let i = 0; i < 1000; i++) {
      const delay = retryDelayMs([5], 1, Math.random);
      assert.ok(delay !== undefined && delay >= 4_000 && delay <= 6_000, String(delay));
    }
  });

  it('rounds to whole milliseconds', () => {
    assert.equal(retryDelayMs([0.0013], 1, middle), 1);
    assert.ok(Number.isInteger(retryDelayMs([7], 1, () => 0.123456789)));
  });

  it('waits for a Retry-After longer than the scheduled wait, jitter included', () => {
    assert.equal(retryDelayMs([5], 1, () => 0.999999, 60_000), 60_000);
    assert.equal(retryDelayMs([5], 1, middle, 5_001), 5_001);
  });

  it('keeps the scheduled wait when the Retry-After is shorter', () => {
    assert.equal(retryDelayMs([5], 1, middle, 1_000), 5_000);
    assert.equal(retryDelayMs([5], 1, () => 0, 0), 4_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('is undefined when the header is absent or empty', () => {
    assert.equal(parseRetryAfter(null, now), undefined);
    assert.equal(parseRetryAfter('', now), undefined);
    assert.equal(parseRetryAfter('   ', now), undefined);
  });

  it('reads delay-seconds', () => {
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(' 7 ', now), 7_000);
    assert.equal(parseRetryAfter('86400', now), 86_400_000);
  });

  it('reads an HTTP date as the time from now until then', () => {
    assert.equal(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Sun, 01 Mar 2026 14:00:00 GMT', now), 2 * 3600_000);
  });

  it('reads an HTTP date in the past as no wait', () => {
    assert.equal(parseRetryAfter('Sun, 01 Mar 2026 11:59:00 GMT', now), 0);
  });

  it('is undefined for what it cannot read', () => {
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('Sun, 99 Foo 2026', now), undefined);
  });
});
