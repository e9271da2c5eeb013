/**
 * One 20 ms tick for every stream on a thread. Ticks sit on a fixed grid (origin + n·20 ms on a monotonic
 * clock), so timer lateness never accumulates into drift. A late tick sends the frames it missed, up to
 * `maxCatchUpFrames` extra; older ones are skipped, and streams advance their RTP timestamps over them
 * so the far end sees a gap in time rather than audio played too fast.
 */
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';

export const FRAME_MS = 20;

export interface PacedStream {
  /** Sends the next frame now. */
  sendFrame(): void;
  /** `count` frames passed without being sent; the stream's timeline moves on by that much. */
  skipFrames(count: number): void;
}

export interface PacerOptions {
  readonly clock: Clock;
  /** Milliseconds from any fixed origin, never going back; `performance.now()` by default. */
  readonly monotonic?: () => number;
  /** Frames sent beyond the due one on a late tick. */
  readonly maxCatchUpFrames?: number;
  /** How many recent ticks' lateness the statistics cover (3000 = one minute). */
  readonly latenessSamples?: number;
  readonly logger?: Logger;
}

export interface PacerStats {
  readonly ticks: number;
  /** Frames sent late, on a tick after the one they were due on. */
  readonly framesCaughtUp: number;
  readonly framesSkipped: number;
  /** Over the recent ticks: how long after its grid time each tick ran. */
  readonly latenessP50Ms: number;
  readonly latenessP99Ms: number;
  readonly latenessMaxMs: number;
}

export class Pacer {
  readonly #clock: Clock;
  readonly #monotonic: () => number;
  readonly #maxCatchUp: number;
  readonly #logger: Logger;
  readonly #streams = new Set<PacedStream>();
  readonly #lateness: Float64Array;
  #samples = 0;
  #origin = 0;
  /** Index on the grid of the next tick to run. */
  #next = 0;
  #timer: TimerHandle | null = null;
  #ticks = 0;
  #caughtUp = 0;
  #skipped = 0;

  constructor(options: PacerOptions) {
    this.#clock = options.clock;
    this.#monotonic = options.monotonic ?? (() => performance.now());
    this.#maxCatchUp = options.maxCatchUpFrames ?? 3;
    this.#logger = options.logger ?? silentLogger;
    this.#lateness = new Float64Array(options.latenessSamples ?? 3000);
  }

  get size(): number {
    return this.#streams.size;
  }

  /** The stream's first frame goes out on the next tick. The grid starts with the first stream. */
  add(stream: PacedStream): void {
    this.#streams.add(stream);
    if (this.#timer !== null) return;
    this.#origin = this.#monotonic();
    this.#next = 1;
    this.#schedule();
  }

  /** The clock stops with the last stream, so an idle engine costs no wake-ups. */
  remove(stream: PacedStream): void {
    this.#streams.delete(stream);
    if (this.#streams.size > 0 || this.#timer === null) return;
    this.#clock.clearTimer(this.#timer);
    this.#timer = null;
  }

  stats(): PacerStats {
    const count = Math.min(this.#samples, this.#lateness.length);
    const sorted = this.#lateness.slice(0, count).sort();
    const at = (q: number): number => (count === 0 ? 0 : sorted[Math.min(count - 1, Math.floor(q * count))]!);
    return {
      ticks: this.#ticks,
      framesCaughtUp: this.#caughtUp,
      framesSkipped: this.#skipped,
      latenessP50Ms: at(0.5),
      latenessP99Ms: at(0.99),
      latenessMaxMs: count === 0 ? 0 : sorted[count - 1]!,
    };
  }

  #schedule(): void {
    const delay = this.#origin + this.#next * FRAME_MS - this.#monotonic();
    this.#timer = this.#clock.setTimer(Math.max(0, delay), () => this.#tick());
  }

  #tick(): void {
    this.#timer = null;
    const now = this.#monotonic();
    const dueAt = this.#origin + this.#next * FRAME_MS;
    // The last grid index that is due; the timer may have woken a hair early on a coarser clock.
    const last = Math.floor((now - this.#origin) / FRAME_MS);
    if (last >= this.#next) {
      this.#record(now - dueAt);
      const due = last - this.#next + 1;
      const send = Math.min(due, this.#maxCatchUp + 1);
      this.#caughtUp += send - 1;
      this.#skipped += due - send;
      this.#ticks++;
      for (const stream of this.#streams) this.#run(stream, due - send, send);
      this.#next = last + 1;
    }
    // Streams may have left during the tick, and one may have started a new grid already.
    if (this.#streams.size > 0 && this.#timer === null) this.#schedule();
  }

  #run(stream: PacedStream, skip: number, send: number): void {
    try {
      if (skip > 0) stream.skipFrames(skip);
      for (let i = 0; i < send; i++) stream.sendFrame();
    } catch (error) {
      // One broken stream must not stop the clock the others run on.
      this.#logger.error('media stream failed on a tick', { error: error instanceof Error ? error.message : String(error) });
    }
  }

  #record(latenessMs: number): void {
    this.#lateness[this.#samples % this.#lateness.length] = latenessMs;
    this.#samples++;
  }
}
