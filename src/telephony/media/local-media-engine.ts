/**
 * The media engine in this thread: every stream's socket on this event loop, all paced by one tick.
 * A packet sent or received costs about 10 µs of CPU, so a few hundred streaming calls leave room for
 * signalling on the same core; the worker engine spreads streams over threads beyond that.
 */
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';
import type { MediaEngine, MediaEngineStats, MediaStream, MediaStreamListener, MediaStreamOptions } from './media-engine.js';
import { Pacer, type PacerStats } from './pacer.js';
import { DEFAULT_PORT_RANGE, PortAllocator, type PortRange } from './port-allocator.js';
import { openRtpStream, type RtpStream } from './rtp-stream.js';

export const DEFAULT_INACTIVITY_MS = 30_000;

export interface LocalMediaEngineOptions {
  /**
   * Timers and recording dates. Media must run in real time, so give it a speed-1 clock even when the
   * engine's clock runs faster for demos.
   */
  readonly clock: Clock;
  /** The pacer's time source; `performance.now()` by default. */
  readonly monotonic?: () => number;
  readonly bindAddress?: string;
  readonly portRange?: PortRange;
  /** 0 never reports inactivity. */
  readonly inactivityMs?: number;
  readonly logger?: Logger;
}

export class LocalMediaEngine implements MediaEngine {
  readonly #pacer: Pacer;
  readonly #ports: PortAllocator;
  readonly #streams = new Set<RtpStream>();
  readonly #options: LocalMediaEngineOptions;
  readonly #logger: Logger;

  constructor(options: LocalMediaEngineOptions) {
    this.#options = options;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'media' });
    this.#pacer = new Pacer({ clock: options.clock, monotonic: options.monotonic, logger: this.#logger });
    this.#ports = new PortAllocator(options.portRange ?? DEFAULT_PORT_RANGE);
  }

  get streams(): number {
    return this.#streams.size;
  }

  pacerStats(): PacerStats {
    return this.#pacer.stats();
  }

  stats(): Promise<MediaEngineStats> {
    const { latenessP50Ms, latenessP99Ms, latenessMaxMs, framesSkipped } = this.#pacer.stats();
    return Promise.resolve({ streams: this.#streams.size, latenessP50Ms, latenessP99Ms, latenessMaxMs, framesSkipped });
  }

  /** Every stream shares this thread, so any two can be bridged whatever their affinity. */
  async open(listener: MediaStreamListener, _options?: MediaStreamOptions): Promise<MediaStream> {
    const stream = await openRtpStream(listener, {
      clock: this.#options.clock,
      pacer: this.#pacer,
      ports: this.#ports,
      bindAddress: this.#options.bindAddress ?? '127.0.0.1',
      inactivityMs: this.#options.inactivityMs ?? DEFAULT_INACTIVITY_MS,
      logger: this.#logger,
      onClose: (closed) => this.#streams.delete(closed),
    });
    this.#streams.add(stream);
    return stream;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#streams].map((stream) => stream.close()));
  }
}
