/**
 * The two halves of a bridge between two RTP streams, each owned by the stream that sends: the far end's
 * audio of the other leg waits here as linear samples until this stream's next 20 ms tick takes a frame
 * (so each leg keeps its own SSRC, sequence numbers, timestamps and codec, and PCMU↔PCMA costs nothing
 * extra), and the other leg's RFC 4733 key presses are re-stamped onto this stream's timeline.
 */
import { FRAME_SAMPLES } from './recorder.js';

/** Audio held at most this long; older samples are dropped, so a fast far-end clock cannot pile up delay. */
const CAPACITY_SAMPLES = 10 * FRAME_SAMPLES;
/** After running dry, this much must gather before frames flow again: a 40 ms jitter buffer. */
const PRIME_SAMPLES = 2 * FRAME_SAMPLES;

/** A FIFO of 8 kHz samples that hands out whole 20 ms frames. */
export class RelayBuffer {
  readonly #samples = new Int16Array(CAPACITY_SAMPLES);
  #start = 0;
  #length = 0;
  #flowing = false;
  /** Samples dropped because the buffer was full, since it was made. */
  dropped = 0;

  get length(): number {
    return this.#length;
  }

  push(pcm: Int16Array): void {
    const input = pcm.length > CAPACITY_SAMPLES ? pcm.subarray(pcm.length - CAPACITY_SAMPLES) : pcm;
    const overflow = this.#length + input.length - CAPACITY_SAMPLES;
    if (overflow > 0) {
      this.#start = (this.#start + overflow) % CAPACITY_SAMPLES;
      this.#length -= overflow;
      this.dropped += overflow;
    }
    let at = (this.#start + this.#length) % CAPACITY_SAMPLES;
    for (let i = 0; i < input.length; i++) {
      this.#samples[at] = input[i]!;
      at = at + 1 === CAPACITY_SAMPLES ? 0 : at + 1;
    }
    this.#length += input.length;
  }

  /** The next frame, or null while too little has arrived (the caller then sends comfort noise). */
  take(): Int16Array | null {
    if (!this.#flowing) {
      if (this.#length < PRIME_SAMPLES) return null;
      this.#flowing = true;
    }
    if (this.#length < FRAME_SAMPLES) {
      this.#flowing = false;
      return null;
    }
    const frame = new Int16Array(FRAME_SAMPLES);
    for (let i = 0; i < FRAME_SAMPLES; i++) frame[i] = this.#samples[(this.#start + i) % CAPACITY_SAMPLES]!;
    this.#start = (this.#start + FRAME_SAMPLES) % CAPACITY_SAMPLES;
    this.#length -= FRAME_SAMPLES;
    return frame;
  }

  clear(): void {
    this.#start = 0;
    this.#length = 0;
    this.#flowing = false;
  }
}

/** A telephone-event packet to send: the payload as received, on our timeline. */
export interface RelayedEvent {
  readonly timestamp: number;
  /** The first packet of a new event (RFC 4733 §2.5.1.1 sets the marker on it). */
  readonly marker: boolean;
  readonly payload: Uint8Array;
}

/**
 * Maps the other leg's events onto ours. Every packet of one event carries the timestamp of its start
 * (§2.3.3), so an event is known by the far end's timestamp and SSRC, and starts on ours at our current
 * timestamp; updates and the repeated end packets keep that start, and their durations pass through
 * unchanged, since both legs count 8 kHz.
 */
export class EventRelay {
  #current: { readonly ssrc: number; readonly source: number; readonly timestamp: number } | null = null;

  relay(ssrc: number, sourceTimestamp: number, payload: Uint8Array, ourTimestamp: number): RelayedEvent {
    const current = this.#current;
    if (current !== null && current.ssrc === ssrc && current.source === sourceTimestamp) {
      return { timestamp: current.timestamp, marker: false, payload };
    }
    this.#current = { ssrc, source: sourceTimestamp, timestamp: ourTimestamp >>> 0 };
    return { timestamp: ourTimestamp >>> 0, marker: true, payload };
  }

  reset(): void {
    this.#current = null;
  }
}
