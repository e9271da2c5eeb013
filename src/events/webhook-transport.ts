/**
 * Webhooks: one signed POST per message, the stored body sent byte for byte. 2xx is success; 410 disables
 * the endpoint; anything else (3xx included: redirects are not followed), a timeout or a network error is
 * retried. Requests of one batch go out together; a batch never holds two messages of one contact.
 */
import type { Clock } from '../shared/clock.js';
import type { ClaimedDelivery, EventSinkRecord } from '../store/store.js';
import { parseRetryAfter } from './retry.js';
import { signatureHeader } from './signing.js';
import type { SendResult, Transport } from './transport.js';

export interface WebhookTransportOptions {
  /** Times requests out (engine clock). */
  readonly clock: Clock;
  /** Real time, for `webhook-timestamp`: receivers compare it with their own clock. */
  readonly wallClock: Clock;
  readonly timeoutMs: number;
  /** Requests in flight per sink. */
  readonly concurrency: number;
  readonly userAgent: string;
}

/** How much of an error response's body is kept for the delivery's `lastError`. */
const ERROR_BODY_CHARS = 200;

export class WebhookTransport implements Transport {
  readonly batchSize: number;

  constructor(private readonly options: WebhookTransportOptions) {
    this.batchSize = options.concurrency;
  }

  send(sink: EventSinkRecord, deliveries: readonly ClaimedDelivery[]): Promise<SendResult[]> {
    return Promise.all(deliveries.map((d) => this.#post(sink, d)));
  }

  async #post(sink: EventSinkRecord, delivery: ClaimedDelivery): Promise<SendResult> {
    const { clock, wallClock, timeoutMs, userAgent } = this.options;
    const now = wallClock.now();
    const timestamp = Math.floor(now / 1000);
    // A rotated-out secret's expiry is engine time, like every other time the sink service records.
    const engineNow = clock.now();
    const secrets = sink.secrets.filter((s) => s.expiresAt === null || s.expiresAt > engineNow).map((s) => s.secret);
    const abort = new AbortController();
    const timer = clock.setTimer(timeoutMs, () => abort.abort(new Error(`no response within ${timeoutMs} ms`)));
    try {
      const response = await fetch(sink.target, {
        method: 'POST',
        redirect: 'manual',
        signal: abort.signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': userAgent,
          'webhook-id': delivery.messageId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signatureHeader(secrets, delivery.messageId, timestamp, delivery.body),
        },
        body: delivery.body,
      });
      const status = response.status;
      if (status >= 200 && status < 300) {
        await response.body?.cancel();
        return { ok: true, status };
      }
      const text = (await response.text().catch(() => '')).slice(0, ERROR_BODY_CHARS);
      const error = `HTTP ${status}${text === '' ? '' : `: ${text}`}`;
      if (status === 410) return { ok: false, status, error, gone: true };
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now);
      return { ok: false, status, error, ...(retryAfterMs !== undefined && { retryAfterMs }) };
    } catch (error) {
      const reason = abort.signal.aborted ? (abort.signal.reason as Error).message : describe(error);
      return { ok: false, error: reason };
    } finally {
      clock.clearTimer(timer);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** fetch's errors say "fetch failed"; the cause says why (ECONNREFUSED …). */
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
}
