/**
 * Delivers the outbox. It wakes when this node commits new messages (the store tells it), when a retry
 * falls due, and on request (a redelivery, a sink enabled); idle, it sets no timer. Each run starts one
 * pass per enabled sink that is not already busy. A file or stdout sink's pass writes the messages past
 * its cursor; a webhook's turns them into delivery rows and keeps a window of leased requests in flight,
 * sent outside any transaction, recording each answer. Leases make a crash harmless: the next start
 * releases this node's leases and the deliveries go again (at least once). Every wait goes through the
 * Clock.
 */
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import type { AttemptResult, ClaimedDelivery, EventSinkRecord, SinkKind, Store } from '../store/store.js';
import { retryDelayMs } from './retry.js';
import type { SendResult, Transport } from './transport.js';

export interface DispatcherOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly nodeId: string;
  readonly transports: Readonly<Record<SinkKind, Transport>>;
  /** How long a claimed delivery stays with this node; longer than a transport's timeout. */
  readonly leaseMs: number;
  /** Seconds to wait after the 1st, 2nd … failed attempt; past its end a delivery is dead. */
  readonly retryScheduleSeconds: readonly number[];
  readonly random?: () => number;
  /** Told when the dispatcher disables a sink (410 Gone). */
  readonly sinkDisabled?: () => void;
}

/** Messages fanned out per transaction. */
const FAN_OUT_BATCH = 500;

export class EventDispatcher {
  #timer: { handle: TimerHandle; at: number } | undefined;
  #stopped = true;
  /** The run in progress, if any. */
  #run: Promise<void> | undefined;
  /** Something changed while a run was in progress: run again when it ends. */
  #again = false;
  readonly #busy = new Map<string, Promise<void>>();
  /** Sinks a run found busy: each runs again when its pass ends (not at once, which would spin while it waits). */
  readonly #behind = new Set<string>();
  /** File and stdout sinks whose last write failed: how often in a row, and until when they rest. */
  readonly #failures = new Map<string, number>();
  readonly #pausedUntil = new Map<string, number>();

  constructor(private readonly options: DispatcherOptions) {
    options.store.events.onAppended(() => this.wake());
  }

  /** Takes back what a previous run of this node had leased, then delivers whatever is due. */
  async start(): Promise<void> {
    const released = await this.options.store.events.releaseLeases(this.options.nodeId);
    if (released > 0) this.options.logger.info('retrying deliveries a previous run left unfinished', { count: released });
    this.#stopped = false;
    this.wake();
  }

  /** Looks for work now. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#run !== undefined) {
      this.#again = true;
      return;
    }
    this.#at(this.options.clock.now());
  }

  /** Resolves once no run or pass is in progress (tests, and a clean stop). */
  async idle(): Promise<void> {
    while (this.#run !== undefined || this.#busy.size > 0) {
      await this.#run;
      await Promise.all(this.#busy.values());
    }
  }

  async close(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.options.clock.clearTimer(this.#timer.handle);
    this.#timer = undefined;
    await this.idle();
    await Promise.all(Object.values(this.options.transports).map((t) => t.close()));
  }

  /** Runs at `at` unless a run is already set for then or earlier. */
  #at(at: number): void {
    const { clock } = this.options;
    if (this.#timer !== undefined) {
      if (this.#timer.at <= at) return;
      clock.clearTimer(this.#timer.handle);
    }
    const handle = clock.setTimer(Math.max(0, at - clock.now()), () => {
      this.#timer = undefined;
      this.#run = this.#startPasses().finally(() => {
        this.#run = undefined;
        void this.#plan();
      });
    });
    this.#timer = { handle, at };
  }

  /** After a run or a pass: again now if something changed meanwhile, else when the next delivery falls due. */
  async #plan(): Promise<void> {
    if (this.#stopped || this.#run !== undefined) return;
    if (this.#again) {
      this.#again = false;
      this.#at(this.options.clock.now());
      return;
    }
    if (this.#busy.size > 0) return;
    try {
      const due = await this.options.store.events.nextDue();
      if (due !== undefined && !this.#stopped) this.#at(due);
    } catch (error) {
      this.options.logger.error('event outbox: could not find the next due delivery', { error: String(error) });
    }
  }

  /** Starts a pass for every enabled sink that is neither busy nor resting after a failed write. */
  async #startPasses(): Promise<void> {
    const { store, clock, logger } = this.options;
    this.#again = false;
    try {
      for (const sink of await store.events.listSinks()) {
        if (!sink.enabled || (this.#pausedUntil.get(sink.id) ?? 0) > clock.now()) continue;
        if (this.#busy.has(sink.id)) {
          this.#behind.add(sink.id);
          continue;
        }
        const pass = (sink.kind === 'webhook' ? this.#deliver(sink) : this.#write(sink))
          .catch((error: unknown) => logger.error('event delivery pass failed', { sink: sink.name, error: String(error) }))
          .finally(() => {
            this.#busy.delete(sink.id);
            if (this.#behind.delete(sink.id)) this.#again = true;
            void this.#plan();
          });
        this.#busy.set(sink.id, pass);
      }
    } catch (error) {
      logger.error('event outbox run failed', { error: String(error) });
    }
  }

  /**
   * A file or stdout sink: writes the messages past its cursor batch by batch, moving the cursor after
   * each. A failed write (a full disk) pauses the sink on the retry schedule, never giving up.
   */
  async #write(initial: EventSinkRecord): Promise<void> {
    const { store, clock, metrics, logger, transports } = this.options;
    const transport = transports[initial.kind];
    let sink = initial;
    for (;;) {
      if (this.#stopped) return;
      const batch = await store.events.readAfter(sink, transport.batchSize);
      const last = batch.at(-1);
      if (last === undefined) return;
      const results = await transport.send(sink, batch);
      const now = clock.now();
      const failure = results.find((r) => !r.ok);
      if (failure !== undefined && !failure.ok) {
        const failures = (this.#failures.get(sink.id) ?? 0) + 1;
        this.#failures.set(sink.id, failures);
        const schedule = this.options.retryScheduleSeconds;
        const delay = retryDelayMs(schedule, Math.min(failures, schedule.length), this.options.random ?? Math.random) ?? 1000;
        this.#pausedUntil.set(sink.id, now + delay);
        this.#at(now + delay);
        for (const message of batch) metrics.delivery(sink.name, 'failed', Math.max(0, now - message.createdAt) / 1000);
        logger.error('event sink could not write; trying again later', { sink: sink.name, error: failure.error, retryInMs: delay });
        return;
      }
      this.#failures.delete(sink.id);
      this.#pausedUntil.delete(sink.id);
      await store.events.advance(sink.id, last.id);
      for (const message of batch) metrics.delivery(sink.name, 'delivered', Math.max(0, now - message.createdAt) / 1000);
      sink = { ...sink, cursor: last.id };
      if (batch.length < transport.batchSize) return;
    }
  }

  /**
   * A webhook: turns the messages past its cursor into delivery rows, then keeps up to `batchSize` requests
   * in flight, claiming the next due delivery as each one ends (so one slow request holds back only its own
   * contact's later events), until nothing is due or the endpoint answers 410 Gone.
   */
  async #deliver(sink: EventSinkRecord): Promise<void> {
    const { store, clock, nodeId, leaseMs, transports } = this.options;
    const transport = transports[sink.kind];
    const running = new Set<Promise<void>>();
    let gone = false;
    /** Nothing more was due at the last claim, and nothing has ended since. */
    let exhausted = false;
    await this.#fanOut(sink);
    while (!this.#stopped && !gone) {
      const free = transport.batchSize - running.size;
      if (!exhausted && free > 0) {
        // Messages committed while this pass runs are taken in here, not after it.
        if (this.#behind.delete(sink.id)) await this.#fanOut(sink);
        const now = clock.now();
        const claimed = await store.events.claim(sink.id, nodeId, now, now + leaseMs, free);
        exhausted = claimed.length < free;
        for (const delivery of claimed) {
          const request: Promise<void> = transport
            .send(sink, [delivery])
            .then(async ([result = { ok: false, error: 'no result from transport' }]) => {
              gone ||= !result.ok && result.gone === true;
              await this.#settle(sink, delivery, result);
              // Its end may free the contact's next event.
              exhausted = false;
            })
            .finally(() => running.delete(request));
          running.add(request);
        }
      }
      if (running.size === 0) {
        if (exhausted) break;
        continue;
      }
      await Promise.race(running);
    }
    await Promise.all(running);
    if (gone) {
      await store.events.setSinkEnabled(sink.id, false, 'the endpoint answered 410 Gone', clock.now());
      this.options.logger.warn('event sink disabled: the endpoint answered 410 Gone', { sink: sink.name });
      this.options.sinkDisabled?.();
    }
  }

  /** Makes the webhook's delivery rows for every message past its cursor. */
  async #fanOut(sink: EventSinkRecord): Promise<void> {
    const { store, clock } = this.options;
    let current = (await store.events.getSink(sink.id)) ?? sink;
    while ((await store.events.fanOut(current, FAN_OUT_BATCH, clock.now())) === FAN_OUT_BATCH) {
      current = (await store.events.getSink(sink.id)) ?? current;
    }
  }

  async #settle(sink: EventSinkRecord, delivery: ClaimedDelivery, result: SendResult): Promise<void> {
    const { store, clock, metrics, logger } = this.options;
    const now = clock.now();
    const lag = Math.max(0, now - delivery.createdAt) / 1000;
    let attempt: AttemptResult;
    if (result.ok) {
      attempt = { kind: 'delivered', at: now, ...(result.status !== undefined && { status: result.status }) };
      metrics.delivery(sink.name, 'delivered', lag);
    } else if (result.gone === true) {
      attempt = { kind: 'held', error: result.error, ...(result.status !== undefined && { status: result.status }) };
      metrics.delivery(sink.name, 'failed', lag);
    } else {
      const delay = retryDelayMs(this.options.retryScheduleSeconds, delivery.attempts, this.options.random ?? Math.random, result.retryAfterMs);
      const status = result.status !== undefined ? { status: result.status } : {};
      attempt =
        delay === undefined
          ? { kind: 'dead', at: now, error: result.error, ...status }
          : { kind: 'retry', nextAttemptAt: now + delay, error: result.error, ...status };
      metrics.delivery(sink.name, attempt.kind === 'dead' ? 'dead' : 'failed', lag);
      const meta = { sink: sink.name, contactId: delivery.contactId, messageId: delivery.messageId, attempts: delivery.attempts, error: result.error };
      if (attempt.kind === 'dead') logger.warn('event delivery gave up; it waits in the dead-letter list', meta);
      else logger.debug('event delivery failed; will retry', { ...meta, retryInMs: delay });
    }
    await store.events.settle(delivery.id, attempt);
  }
}
