/**
 * The Clock port: every timer in the engine and every timestamp it records goes through it, so tests and
 * `outdial flow test` can run in virtual time and the simulated network can run faster than real time.
 */

/** Opaque handle of a scheduled timer. */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since the Unix epoch, in this clock's time. */
  now(): number;
  /** Calls `fn` once, `ms` of this clock's milliseconds from now. */
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** Wall-clock time, optionally running `speed` times faster than real time from the moment it is made. */
export class SystemClock implements Clock {
  readonly #speed: number;
  readonly #origin = Date.now();
  readonly #timers = new Map<number, NodeJS.Timeout>();
  #nextId = 1;

  constructor(speed = 1) {
    if (!(speed > 0)) throw new RangeError(`clock speed must be positive, got ${speed}`);
    this.#speed = speed;
  }

  now(): number {
    if (this.#speed === 1) return Date.now();
    return this.#origin + (Date.now() - this.#origin) * this.#speed;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.#nextId++;
    const timeout = setTimeout(() => {
      this.#timers.delete(id);
      fn();
    }, Math.max(0, ms / this.#speed));
    this.#timers.set(id, timeout);
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    const timeout = this.#timers.get(handle.id);
    if (timeout === undefined) return;
    clearTimeout(timeout);
    this.#timers.delete(handle.id);
  }

}

interface PendingTimer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/**
 * Time that moves only when told to. Timers fire in due order (ties in scheduling order) as `advance`
 * passes them; a timer scheduled by a firing timer fires in the same `advance` if it falls due within it.
 */
export class VirtualClock implements Clock {
  #now: number;
  #pending: PendingTimer[] = [];
  #nextId = 1;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer = { id: this.#nextId++, at: this.#now + Math.max(0, ms), fn };
    this.#pending.push(timer);
    return { id: timer.id };
  }

  clearTimer(handle: TimerHandle): void {
    this.#pending = this.#pending.filter((t) => t.id !== handle.id);
  }

  /** Number of timers not yet fired. */
  get pendingTimers(): number {
    return this.#pending.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('Unable to travel back in time');
    const end = this.#now + ms;
    for (;;) {
      const next = this.#earliestDue(end);
      if (next === undefined) break;
      this.#pending = this.#pending.filter((t) => t !== next);
      this.#now = next.at;
      next.fn();
    }
    this.#now = end;
  }

  #earliestDue(end: number): PendingTimer | undefined {
    let earliest: PendingTimer | undefined;
    for (const t of this.#pending) {
      if (t.at <= end && (earliest === undefined || t.at < earliest.at || (t.at === earliest.at && t.id < earliest.id))) {
        earliest = t;
      }
    }
    return earliest;
  }
}
