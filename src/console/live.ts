/**
 * Live updates for open console pages, as Server-Sent Events: each stream gets its view (the agent's, or the
 * supervisor's) when it opens and again after every change the desk reports for its instance. A stream
 * fetches one view at a time; changes that arrive meanwhile fold into one more fetch. A heartbeat keeps
 * proxies from closing a quiet stream and re-checks the session, which an open page keeps alive.
 */
import type { ServerResponse } from 'node:http';
import type { AgentDesk } from '../services/agent-desk.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

export type LiveView = 'agent' | 'supervisor';

export interface LiveStreamOptions {
  readonly view: LiveView;
  readonly instanceId: string;
  readonly userId: string;
  /** The session's store key, so signing out can end its streams. */
  readonly sessionKey: string;
  /** Whether the session still holds (and keep it alive); called on each heartbeat. */
  readonly stillValid: () => Promise<boolean>;
}

class LiveStream {
  #busy = false;
  #dirty = false;
  #closed = false;

  constructor(
    readonly options: LiveStreamOptions,
    private readonly raw: ServerResponse,
    private readonly desk: AgentDesk,
    private readonly log: Logger,
    private readonly onEnd: (stream: LiveStream) => void,
  ) {
    raw.on('close', () => this.end());
  }

  /** Sends the current view, now or right after the fetch in progress. */
  refresh(): void {
    if (this.#closed) return;
    if (this.#busy) {
      this.#dirty = true;
      return;
    }
    this.#busy = true;
    void this.#pump();
  }

  async #pump(): Promise<void> {
    try {
      do {
        this.#dirty = false;
        const { view, instanceId, userId } = this.options;
        const data = view === 'agent' ? await this.desk.view(instanceId, userId) : await this.desk.supervisor(instanceId);
        this.send(view, data);
      } while (this.#dirty && !this.#closed);
    } catch (error) {
      this.log.warn('console live view failed', { view: this.options.view, error: String(error) });
      this.send('problem', { message: 'The view could not be loaded; retrying on the next change.' });
    } finally {
      this.#busy = false;
    }
  }

  send(event: string, data: unknown): void {
    if (this.#closed) return;
    this.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  comment(text: string): void {
    if (!this.#closed) this.raw.write(`: ${text}\n\n`);
  }

  end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.raw.end();
    this.onEnd(this);
  }
}

export class LiveUpdates {
  readonly #streams = new Set<LiveStream>();
  readonly #desk: AgentDesk;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #heartbeatMs: number;
  #unsubscribe: (() => void) | undefined;
  #heartbeat: TimerHandle | undefined;

  constructor(options: { desk: AgentDesk; clock: Clock; logger: Logger; heartbeatMs: number }) {
    this.#desk = options.desk;
    this.#clock = options.clock;
    this.#log = options.logger;
    this.#heartbeatMs = options.heartbeatMs;
  }

  /** How many streams are open. */
  get size(): number {
    return this.#streams.size;
  }

  /** Starts a stream on `raw` (headers already sent) and sends its first view. */
  open(raw: ServerResponse, options: LiveStreamOptions): void {
    const stream = new LiveStream(options, raw, this.#desk, this.#log, (s) => this.#streams.delete(s));
    this.#streams.add(stream);
    this.#unsubscribe ??= this.#desk.subscribe((instanceId) => this.#changed(instanceId));
    this.#scheduleHeartbeat();
    // Tells EventSource how long to wait before reconnecting after a dropped connection.
    raw.write('retry: 2000\n\n');
    stream.refresh();
  }

  /** Ends the streams of one session (signed out): they get a `signed-out` event first. */
  endSession(sessionKey: string): void {
    for (const stream of [...this.#streams]) {
      if (stream.options.sessionKey !== sessionKey) continue;
      stream.send('signed-out', {});
      stream.end();
    }
  }

  /** Ends every stream and stops listening to the desk; before the HTTP server closes. */
  close(): void {
    for (const stream of [...this.#streams]) stream.end();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    if (this.#heartbeat !== undefined) this.#clock.clearTimer(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  #changed(instanceId: string): void {
    for (const stream of this.#streams) if (stream.options.instanceId === instanceId) stream.refresh();
  }

  #scheduleHeartbeat(): void {
    if (this.#heartbeat !== undefined) return;
    this.#heartbeat = this.#clock.setTimer(this.#heartbeatMs, () => {
      this.#heartbeat = undefined;
      void this.#beat();
    });
  }

  async #beat(): Promise<void> {
    await Promise.all(
      [...this.#streams].map(async (stream) => {
        const valid = await stream.options.stillValid().catch(() => true);
        if (valid) {
          stream.comment('heartbeat');
        } else {
          stream.send('signed-out', {});
          stream.end();
        }
      }),
    );
    if (this.#streams.size > 0) this.#scheduleHeartbeat();
    else {
      this.#unsubscribe?.();
      this.#unsubscribe = undefined;
    }
  }
}
