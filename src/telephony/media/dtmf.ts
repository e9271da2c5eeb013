/**
 * RFC 4733 telephone-events: key presses sent as RTP packets instead of tones. One press is one event: all
 * its packets carry the RTP timestamp of its start, the duration grows in each update, and the last packet
 * (E bit set) is sent three times. The receiver reports each press once, on the first end packet; when all
 * end packets are lost it reports the press when the next event starts or when updates stop coming.
 * Timestamps are compared for equality only, so neither wrap-around nor a sender that goes back matters.
 */

/** Event codes 0–15 (§3.2); 16 is flash, which is not a key. */
const KEYS = '0123456789*#ABCD';
/** The largest duration one packet can carry; a longer press continues in a new segment (§2.5.1.3). */
const MAX_DURATION = 0xffff;
/** Updates come every 50 ms or faster (§2.5.1.2); this much silence means the end packets were lost. */
export const DTMF_EVENT_TIMEOUT_MS = 250;

export interface TelephoneEvent {
  readonly event: number;
  readonly end: boolean;
  /** Power of the tone in -dBm0 (0–63). */
  readonly volume: number;
  /** Length so far, in timestamp units (8 kHz). */
  readonly duration: number;
}

export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent | null {
  if (payload.length < 4) return null;
  const flags = payload[1]!;
  return {
    event: payload[0]!,
    end: (flags & 0x80) !== 0,
    volume: flags & 0x3f,
    duration: (payload[2]! << 8) | payload[3]!,
  };
}

export function encodeTelephoneEvent(event: TelephoneEvent): Uint8Array {
  return Uint8Array.of(
    event.event,
    (event.end ? 0x80 : 0) | (event.volume & 0x3f),
    (event.duration >> 8) & 0xff,
    event.duration & 0xff,
  );
}

/** The key for an event code, or null for flash and the non-DTMF events. */
export function dtmfKey(event: number): string | null {
  return KEYS[event] ?? null;
}

interface KeyEvent {
  timestamp: number;
  readonly event: number;
  duration: number;
  lastSeenAt: number;
  reported: boolean;
}

/**
 * Events are told apart by timestamp while their packets may still come: end repeats, reordered updates.
 * After that the same timestamp is a new press, as when a capture is replayed (SIPp sends its pcap files
 * as they are); 300 ms of quiet is longer than any repeat spacing and shorter than a pause between keys.
 */
const REMEMBER_MS = 300;
/** Bounds the work a flood of distinct timestamps can cause. */
const MAX_REMEMBERED = 8;

export class DtmfReceiver {
  /** Recent events, oldest first. */
  #events: KeyEvent[] = [];

  constructor(private readonly onDigit: (key: string) => void) {}

  /** One telephone-event packet's timestamp and payload; `nowMs` dates it for the timeouts. */
  receive(timestamp: number, payload: Uint8Array, nowMs: number): void {
    const packet = parseTelephoneEvent(payload);
    if (packet === null) return;
    this.poll(nowMs);
    let current = this.#events.find((e) => e.timestamp === timestamp);
    if (current === undefined) {
      const newest = this.#events.at(-1);
      const continues =
        newest !== undefined && !newest.reported && packet.event === newest.event && newest.duration === MAX_DURATION && ((timestamp - newest.timestamp) | 0) === MAX_DURATION;
      if (continues) {
        newest.timestamp = timestamp;
        current = newest;
      } else {
        if (newest !== undefined) this.#report(newest);
        current = { timestamp, event: packet.event, duration: 0, lastSeenAt: nowMs, reported: false };
        this.#events.push(current);
        if (this.#events.length > MAX_REMEMBERED) this.#events.shift();
      }
    }
    current.duration = packet.duration;
    current.lastSeenAt = nowMs;
    if (packet.end) this.#report(current);
  }

  /** Reports a press whose end packets never came, once no update arrived for DTMF_EVENT_TIMEOUT_MS. */
  poll(nowMs: number): void {
    if (this.#events.length === 0) return;
    for (const event of this.#events) if (nowMs - event.lastSeenAt >= DTMF_EVENT_TIMEOUT_MS) this.#report(event);
    this.#events = this.#events.filter((e) => nowMs - e.lastSeenAt < REMEMBER_MS);
  }

  /** Forgets recent events: a new SSRC numbers its timestamps afresh. */
  reset(): void {
    this.#events = [];
  }

  #report(event: KeyEvent): void {
    if (event.reported) return;
    event.reported = true;
    const key = dtmfKey(event.event);
    if (key !== null) this.onDigit(key);
  }
}
