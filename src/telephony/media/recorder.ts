/**
 * Records a call as stereo 8 kHz: the far end left, what we send right, on one timeline of 20 ms frames
 * that our pacer drives. Our frames are appended as they go out. The far end's audio is placed by its RTP
 * timestamp relative to the previous packet, so lost packets and silence suppression become silence and
 * jitter does not shift the audio. Only a two-second window is kept in memory: audio older than that
 * goes to the file, and a far-end packet that falls outside it (a clock that drifted, a jump in
 * timestamps) is re-anchored to the present.
 */
import { WavWriter } from './wav-writer.js';

export const SAMPLE_RATE = 8000;
export const FRAME_SAMPLES = 160;
const WINDOW = 2 * SAMPLE_RATE;
/** How far ahead of our send position far-end audio may land: a far end whose clock runs ahead. */
const AHEAD = SAMPLE_RATE / 2;
/** Written out at a time; what stays behind the send position catches far-end packets that came late. */
const FLUSH = SAMPLE_RATE;

interface Anchor {
  readonly ssrc: number;
  readonly timestamp: number;
  /** Where that timestamp's first sample sits on the timeline. */
  readonly position: number;
}

export class CallRecorder {
  readonly #writer: WavWriter;
  /** Interleaved left/right samples for timeline positions [base, base + WINDOW). */
  readonly #window = new Int16Array(2 * WINDOW);
  #base = 0;
  /** Timeline position of our next frame. */
  #head = 0;
  #anchor: Anchor | null = null;

  constructor(readonly path: string) {
    this.#writer = new WavWriter(path, { channels: 2, sampleRate: SAMPLE_RATE });
  }

  /** Our next frame as sent; null when nothing went out (on hold, or a frame the pacer skipped). */
  sent(frame: Int16Array | null): void {
    if (this.#head + FRAME_SAMPLES > this.#base + WINDOW - AHEAD) this.#flush(FLUSH);
    if (frame !== null) {
      const at = 2 * (this.#head - this.#base) + 1;
      for (let i = 0; i < FRAME_SAMPLES; i++) this.#window[at + 2 * i] = frame[i] ?? 0;
    }
    this.#head += FRAME_SAMPLES;
  }

  /** Decoded far-end audio from the packet with this SSRC and RTP timestamp. */
  received(ssrc: number, timestamp: number, samples: Int16Array): void {
    const length = Math.min(samples.length, AHEAD);
    let position = this.#head;
    const anchor = this.#anchor;
    if (anchor !== null && anchor.ssrc === ssrc) {
      const placed = anchor.position + ((timestamp - anchor.timestamp) | 0);
      if (placed >= this.#base && placed + length <= this.#base + WINDOW) position = placed;
    }
    this.#anchor = { ssrc, timestamp, position };
    const at = 2 * (position - this.#base);
    for (let i = 0; i < length; i++) this.#window[at + 2 * i] = samples[i]!;
  }

  /** Writes what is left up to our last frame and fixes the file's sizes; resolves with its bytes of audio. */
  async stop(): Promise<number> {
    this.#flush(this.#head - this.#base);
    return this.#writer.close();
  }

  #flush(samples: number): void {
    this.#writer.write(this.#window.subarray(0, 2 * samples));
    this.#window.copyWithin(0, 2 * samples);
    this.#window.fill(0, 2 * (WINDOW - samples));
    this.#base += samples;
  }
}
