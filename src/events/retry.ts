/** When a failed delivery is tried again: the configured schedule with jitter, or the receiver's Retry-After. */

/** Standard Webhooks' example schedule after the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400];

/** Each wait is spread over ±20 %, so deliveries that failed together do not retry together. */
const JITTER = 0.2;

/** A receiver's Retry-After is honoured up to a day, so a bogus value cannot park a delivery for ever. */
export const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/**
 * The delay before the attempt after `attempts` failed ones, or undefined when the schedule is exhausted
 * (the delivery goes dead). A Retry-After longer than the scheduled wait wins, up to MAX_RETRY_AFTER_MS.
 */
export function retryDelayMs(
  schedule: readonly number[],
  attempts: number,
  random: () => number,
  retryAfterMs?: number,
): number | undefined {
  const base = schedule[attempts - 1];
  if (base === undefined) return undefined;
  const jittered = base * 1000 * (1 - JITTER + 2 * JITTER * random());
  return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)));
}

/** A Retry-After header's value in ms (delta-seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
