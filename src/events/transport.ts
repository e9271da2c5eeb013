/** How the dispatcher hands claimed deliveries to a kind of sink. */
import type { ClaimedDelivery, EventSinkRecord } from '../store/store.js';

export type SendResult =
  | { readonly ok: true; readonly status?: number }
  | {
      readonly ok: false;
      readonly error: string;
      readonly status?: number;
      /** The receiver asked for a pause (Retry-After). */
      readonly retryAfterMs?: number;
      /** The receiver is gone for good (410): disable the sink. */
      readonly gone?: boolean;
    };

export interface Transport {
  /** Most deliveries one `send` takes. */
  readonly batchSize: number;
  /** Sends deliveries (in contact order where they share a contact) to `sink`; one result each, in order. */
  send(sink: EventSinkRecord, deliveries: readonly ClaimedDelivery[]): Promise<SendResult[]>;
  close(): Promise<void>;
}
