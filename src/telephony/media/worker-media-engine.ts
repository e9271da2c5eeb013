/**
 * The media engine spread over worker threads, one per core by default: each worker runs its own pacer
 * and streams (media-worker.ts), and a stream here is a proxy that posts commands to its worker and hands
 * the worker's events to the listener on this thread. At about 10 µs per packet each way, one thread
 * saturates near 800 calls that both send and receive, so a thousand need more than one core.
 *
 * Played audio is copied to the worker (structured clone), never transferred: callers share one prompt
 * array between many calls. A worker that dies takes its streams with it; each is reported `inactive`, so
 * its call ends as a dead line would.
 *
 * Bridged streams relay audio to each other on every packet, so they must share a worker: streams opened
 * with the same affinity key (a contact's customer and agent legs) go to the worker of the first one still
 * open, whatever the load elsewhere.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';
import { DEFAULT_INACTIVITY_MS } from './local-media-engine.js';
import type {
  MediaEngine,
  MediaEngineStats,
  MediaStream,
  MediaStreamListener,
  MediaStreamOptions,
  MediaStreamStats,
  RecordingResult,
  RemoteMedia,
} from './media-engine.js';
import type { PacerStats } from './pacer.js';
import { DEFAULT_PORT_RANGE, type PortRange } from './port-allocator.js';
import type { WorkerCommand, WorkerEvent, WorkerSetup } from './worker-protocol.js';

export interface WorkerMediaEngineOptions {
  /** Dates recordings. The workers keep real time on their own. */
  readonly clock: Clock;
  /** Worker threads; one per core by default. */
  readonly workers?: number;
  readonly bindAddress?: string;
  /** Split into equal slices, one per worker. */
  readonly portRange?: PortRange;
  readonly inactivityMs?: number;
  readonly logger?: Logger;
}

type CloseResult = MediaStreamStats & { readonly recording: RecordingResult | null };

interface PendingOpen {
  readonly listener: MediaStreamListener;
  /** Told once the stream is gone (closed, or lost with its worker). */
  readonly gone: () => void;
  readonly resolve: (stream: MediaStream) => void;
  readonly reject: (error: Error) => void;
}

export class WorkerMediaEngine implements MediaEngine {
  readonly #threads: MediaThread[];
  /** The worker of each affinity key with streams open, and how many. */
  readonly #affinity = new Map<string, { readonly thread: MediaThread; streams: number }>();
  #nextId = 1;

  constructor(private readonly options: WorkerMediaEngineOptions) {
    const count = options.workers ?? availableParallelism();
    const logger = (options.logger ?? silentLogger).child({ component: 'media' });
    this.#threads = splitRange(options.portRange ?? DEFAULT_PORT_RANGE, count).map(
      (portRange, index) =>
        new MediaThread(
          { bindAddress: options.bindAddress ?? '127.0.0.1', portRange, inactivityMs: options.inactivityMs ?? DEFAULT_INACTIVITY_MS },
          options.clock,
          logger.child({ mediaThread: index }),
        ),
    );
  }

  open(listener: MediaStreamListener, options: MediaStreamOptions = {}): Promise<MediaStream> {
    const key = options.affinity;
    const pinned = key === undefined ? undefined : this.#affinity.get(key);
    const alive = this.#threads.filter((thread) => !thread.dead);
    const thread =
      pinned !== undefined && !pinned.thread.dead
        ? pinned.thread
        : alive.reduce<MediaThread | undefined>((least, t) => (least === undefined || t.load < least.load ? t : least), undefined);
    if (thread === undefined) return Promise.reject(new Error('the media engine is closed or all its workers have died'));
    if (key === undefined) return thread.open(this.#nextId++, listener, () => undefined);
    const entry = pinned !== undefined && pinned.thread === thread ? pinned : { thread, streams: 0 };
    entry.streams++;
    this.#affinity.set(key, entry);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      if (--entry.streams === 0 && this.#affinity.get(key) === entry) this.#affinity.delete(key);
    };
    return thread.open(this.#nextId++, listener, release).catch((error: unknown) => {
      release();
      throw error;
    });
  }

  /** Each worker's pacer: how late its ticks ran. */
  pacerStats(): Promise<PacerStats[]> {
    return Promise.all(this.#threads.filter((thread) => !thread.dead).map((thread) => thread.pacerStats()));
  }

  /** Streams summed over the workers; lateness the worst worker's, since a stream lives on one. */
  async stats(): Promise<MediaEngineStats> {
    const alive = this.#threads.filter((thread) => !thread.dead);
    const pacers = await Promise.all(alive.map((thread) => thread.pacerStats()));
    const worst = (pick: (p: PacerStats) => number): number => pacers.reduce((max, p) => Math.max(max, pick(p)), 0);
    return {
      streams: alive.reduce((n, thread) => n + thread.load, 0),
      latenessP50Ms: worst((p) => p.latenessP50Ms),
      latenessP99Ms: worst((p) => p.latenessP99Ms),
      latenessMaxMs: worst((p) => p.latenessMaxMs),
      framesSkipped: pacers.reduce((n, p) => n + p.framesSkipped, 0),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.#threads.map((thread) => thread.close()));
  }
}

/** Equal slices of the even ports in `range`, one per worker. */
function splitRange(range: PortRange, parts: number): PortRange[] {
  const first = range.min + (range.min % 2);
  const last = range.max - (range.max % 2);
  const perPart = Math.floor(((last - first) / 2 + 1) / parts);
  if (!Number.isInteger(parts) || parts < 1 || perPart < 1) throw new RangeError(`cannot split RTP ports ${range.min}-${range.max} over ${parts} workers`);
  return Array.from({ length: parts }, (_, i) => ({ min: first + 2 * perPart * i, max: first + 2 * (perPart * (i + 1) - 1) }));
}

/**
 * Starts a worker on the TypeScript entry. The code runs through tsx's loader (bin/outdial.js registers it
 * for the main thread only, and a worker does not inherit it), so the worker registers it first.
 */
function startWorker(setup: WorkerSetup): Worker {
  const loader = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./media-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: setup });
}

class MediaThread {
  readonly #worker: Worker;
  readonly #streams = new Map<number, WorkerStream>();
  readonly #opening = new Map<number, PendingOpen>();
  readonly #opens = new Set<Promise<MediaStream>>();
  readonly #statsWaiters: ((stats: PacerStats) => void)[] = [];
  #closing: Promise<void> | null = null;
  dead = false;

  constructor(
    setup: WorkerSetup,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.#worker = startWorker(setup);
    this.#worker.on('message', (event: WorkerEvent) => this.#event(event));
    this.#worker.on('error', (error) => logger.error('media worker failed', { error: error.message }));
    this.#worker.on('exit', (code) => this.#exited(code));
  }

  get load(): number {
    return this.#streams.size + this.#opening.size;
  }

  open(id: number, listener: MediaStreamListener, gone: () => void): Promise<MediaStream> {
    const opened = new Promise<MediaStream>((resolve, reject) => {
      this.#opening.set(id, { listener, gone, resolve, reject });
      this.post({ op: 'open', id });
    });
    this.#opens.add(opened);
    const settled = (): void => void this.#opens.delete(opened);
    opened.then(settled, settled);
    return opened;
  }

  pacerStats(): Promise<PacerStats> {
    return new Promise((resolve) => {
      this.#statsWaiters.push(resolve);
      this.post({ op: 'pacerStats' });
    });
  }

  post(command: WorkerCommand): void {
    if (!this.dead) this.#worker.postMessage(command);
  }

  forget(id: number): void {
    this.#streams.delete(id);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      // A stream still opening is closed as soon as it opens (see 'opened').
      await Promise.allSettled(this.#opens);
      await Promise.all([...this.#streams.values()].map((stream) => stream.close()));
      this.dead = true;
      await this.#worker.terminate();
    })();
    return this.#closing;
  }

  #event(event: WorkerEvent): void {
    switch (event.event) {
      case 'log':
        this.logger[event.level](event.message, event.meta);
        return;
      case 'pacerStats':
        this.#statsWaiters.shift()?.(event.stats);
        return;
      case 'opened': {
        const pending = this.#opening.get(event.id);
        this.#opening.delete(event.id);
        if (pending === undefined) return;
        const stream = new WorkerStream(this, event.id, event.port, pending.listener, pending.gone, this.clock, this.logger);
        this.#streams.set(event.id, stream);
        if (this.#closing !== null) void stream.close();
        pending.resolve(stream);
        return;
      }
      case 'openFailed': {
        const pending = this.#opening.get(event.id);
        this.#opening.delete(event.id);
        pending?.reject(new Error(event.message));
        return;
      }
      case 'digit':
      case 'playFinished':
      case 'inactive':
      case 'recordingStopped':
      case 'recordingFailed':
      case 'closed':
        this.#streams.get(event.id)?.event(event);
        return;
    }
  }

  #exited(code: number): void {
    if (this.dead) return;
    this.dead = true;
    this.logger.error('media worker exited; its calls have lost their media', { code, streams: this.#streams.size });
    for (const pending of this.#opening.values()) pending.reject(new Error(`media worker exited with code ${code}`));
    this.#opening.clear();
    for (const stream of this.#streams.values()) stream.lost();
    this.#streams.clear();
  }
}

interface RecordingDates {
  readonly startedAt: number | null;
  readonly stoppedAt: number;
}

interface RecordingWaiter {
  readonly resolve: (result: RecordingResult | null) => void;
  readonly reject: (error: Error) => void;
  readonly dates: RecordingDates;
}

/** The worker's recording, dated by this thread's clock as the port promises. */
function dated(recording: RecordingResult | null, dates: RecordingDates): RecordingResult | null {
  if (recording === null) return null;
  return { path: recording.path, startedAt: dates.startedAt ?? recording.startedAt, stoppedAt: dates.stoppedAt };
}

class WorkerStream implements MediaStream {
  readonly #recordings = new Map<number, RecordingWaiter>();
  #nextRequest = 1;
  #recordingStartedAt: number | null = null;
  #closing: { promise: Promise<CloseResult>; resolve: (result: CloseResult) => void; dates: RecordingDates } | null = null;
  #lost = false;

  constructor(
    private readonly thread: MediaThread,
    private readonly id: number,
    readonly localPort: number,
    private readonly listener: MediaStreamListener,
    private readonly gone: () => void,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  setRemote(remote: RemoteMedia): void {
    this.thread.post({ op: 'setRemote', id: this.id, remote });
  }

  play(audio: Int16Array, token: number): void {
    this.thread.post({ op: 'play', id: this.id, audio, token });
  }

  stopPlaying(): void {
    this.thread.post({ op: 'stopPlaying', id: this.id });
  }

  bridge(peer: MediaStream | null): void {
    if (peer === null) return this.thread.post({ op: 'bridge', id: this.id, peer: null });
    if (peer instanceof WorkerStream && peer.thread === this.thread) return this.thread.post({ op: 'bridge', id: this.id, peer: peer.id });
    // Open both streams with the same affinity key; streams on two threads have no path between them.
    this.logger.error('streams on different media threads cannot be bridged', { port: this.localPort });
  }

  startRecording(path: string): void {
    this.#recordingStartedAt ??= this.clock.now();
    this.thread.post({ op: 'startRecording', id: this.id, path });
  }

  stopRecording(): Promise<RecordingResult | null> {
    if (this.#lost) return Promise.resolve(null);
    const request = this.#nextRequest++;
    const dates = this.#stopDates();
    return new Promise((resolve, reject) => {
      this.#recordings.set(request, { resolve, reject, dates });
      this.thread.post({ op: 'stopRecording', id: this.id, request });
    });
  }

  close(): Promise<CloseResult> {
    if (this.#closing === null) {
      let resolve: (result: CloseResult) => void = () => {};
      const promise = new Promise<CloseResult>((r) => (resolve = r));
      this.#closing = { promise, resolve, dates: this.#stopDates() };
      if (this.#lost) resolve({ packetsSent: 0, packetsReceived: 0, recording: null });
      else this.thread.post({ op: 'close', id: this.id });
    }
    return this.#closing.promise;
  }

  event(event: WorkerEvent): void {
    switch (event.event) {
      case 'digit':
        this.#tell(() => this.listener.digit(event.key));
        return;
      case 'playFinished':
        this.#tell(() => this.listener.playFinished(event.token));
        return;
      case 'inactive':
        this.#tell(() => this.listener.inactive());
        return;
      case 'recordingStopped': {
        const waiter = this.#recordings.get(event.request);
        this.#recordings.delete(event.request);
        waiter?.resolve(dated(event.recording, waiter.dates));
        return;
      }
      case 'recordingFailed': {
        const waiter = this.#recordings.get(event.request);
        this.#recordings.delete(event.request);
        waiter?.reject(new Error(event.message));
        return;
      }
      case 'closed': {
        this.thread.forget(this.id);
        this.gone();
        const closing = this.#closing;
        closing?.resolve({ packetsSent: event.packetsSent, packetsReceived: event.packetsReceived, recording: dated(event.recording, closing.dates) });
        return;
      }
      case 'opened':
      case 'openFailed':
      case 'pacerStats':
      case 'log':
        return;
    }
  }

  /** The worker is gone: pending answers settle empty, and the call hears of it as a dead line. */
  lost(): void {
    this.#lost = true;
    this.gone();
    for (const waiter of this.#recordings.values()) waiter.resolve(null);
    this.#recordings.clear();
    this.#closing?.resolve({ packetsSent: 0, packetsReceived: 0, recording: null });
    if (this.#closing === null) this.#tell(() => this.listener.inactive());
  }

  /** Dates for the recording a stop ends, taken now; the next recording starts its own. */
  #stopDates(): RecordingDates {
    const dates = { startedAt: this.#recordingStartedAt, stoppedAt: this.clock.now() };
    this.#recordingStartedAt = null;
    return dates;
  }

  #tell(call: () => void): void {
    if (this.#closing !== null) return;
    try {
      call();
    } catch (error) {
      this.logger.error('media listener failed', { port: this.localPort, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
