import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { VirtualClock, type Clock } from '../../../../src/shared/clock.js';
import { Pacer, type PacedStream } from '../../../../src/telephony/media/pacer.js';

/** Virtual time plus a stall: how far the monotonic clock has run ahead of timers that could not fire. */
function setup(options: { timerDelayMs?: number } = {}) {
  const virtual = new VirtualClock(0);
  let stalledMs = 0;
  const delay = options.timerDelayMs ?? 0;
  // Timers that fire `delay` ms late, as a busy event loop would, or early as a coarse timer may.
  const clock: Clock = {
    now: () => virtual.now(),
    setTimer: (ms, fn) => virtual.setTimer(Math.max(Math.min(ms, 1), ms + delay), fn),
    clearTimer: (handle) => virtual.clearTimer(handle),
  };
  const monotonic = (): number => virtual.now() + stalledMs;
  const pacer = new Pacer({ clock, monotonic });
  return {
    virtual,
    pacer,
    monotonic,
    stall: (ms: number): void => {
      stalledMs += ms;
    },
  };
}

class Recorder implements PacedStream {
  readonly log: string[] = [];
  constructor(private readonly now: () => number) {}
  sendFrame(): void {
    this.log.push(`send@${this.now()}`);
  }
  skipFrames(count: number): void {
    this.log.push(`skip${count}@${this.now()}`);
  }
  get sent(): number {
    return this.log.filter((l) => l.startsWith('send')).length;
  }
}

describe('Pacer', () => {
  it('ticks every 20 ms on the grid from the first stream', () => {
    const { virtual, pacer, monotonic } = setup();
    virtual.advance(7);
    const stream = new Recorder(monotonic);
    pacer.add(stream);
    virtual.advance(100);
    assert.deepEqual(stream.log, ['send@27', 'send@47', 'send@67', 'send@87', 'send@107']);
    assert.deepEqual(pacer.stats(), { ticks: 5, framesCaughtUp: 0, framesSkipped: 0, latenessP50Ms: 0, latenessP99Ms: 0, latenessMaxMs: 0 });
  });

  it('serves every stream on the same tick', () => {
    const { virtual, pacer, monotonic } = setup();
    const a = new Recorder(monotonic);
    const b = new Recorder(monotonic);
    pacer.add(a);
    virtual.advance(30);
    pacer.add(b);
    virtual.advance(30);
    assert.deepEqual(a.log, ['send@20', 'send@40', 'send@60']);
    assert.deepEqual(b.log, ['send@40', 'send@60']);
  });

  it('does not let late timers accumulate into drift', () => {
    const { virtual, pacer, monotonic } = setup({ timerDelayMs: 3 });
    const stream = new Recorder(monotonic);
    pacer.add(stream);
    virtual.advance(1003);
    assert.equal(stream.sent, 50);
    assert.deepEqual(stream.log.slice(0, 3), ['send@23', 'send@43', 'send@63']);
    assert.equal(stream.log.at(-1), 'send@1003');
    assert.equal(pacer.stats().latenessMaxMs, 3);
    assert.equal(pacer.stats().latenessP50Ms, 3);
  });

  it('sends nothing early when a timer wakes before the grid time', () => {
    const { virtual, pacer, monotonic } = setup({ timerDelayMs: -1 });
    const stream = new Recorder(monotonic);
    pacer.add(stream);
    virtual.advance(100);
    assert.ok(stream.log.every((l) => Number(l.split('@')[1]) % 20 === 0), stream.log.join());
    assert.equal(stream.sent, 5);
  });

  it('catches up frames missed by a stall', () => {
    const { virtual, pacer, monotonic, stall } = setup();
    const stream = new Recorder(monotonic);
    pacer.add(stream);
    virtual.advance(20);
    stall(45); // the tick due at 40 runs at 85: frames for 40, 60 and 80 are due
    virtual.advance(20);
    assert.deepEqual(stream.log, ['send@20', 'send@85', 'send@85', 'send@85']);
    virtual.advance(20); // back on the grid: the next frame is the one due at 100
    assert.equal(stream.log.at(-1), 'send@100');
    const stats = pacer.stats();
    assert.equal(stats.framesCaughtUp, 2);
    assert.equal(stats.framesSkipped, 0);
    assert.equal(stats.latenessMaxMs, 45);
  });

  it('bounds the catch-up to three frames and skips the older ones', () => {
    const { virtual, pacer, monotonic, stall } = setup();
    const stream = new Recorder(monotonic);
    pacer.add(stream);
    virtual.advance(20);
    stall(150); // the tick due at 40 runs at 190: frames 40 … 180 (8) are due
    virtual.advance(20);
    assert.deepEqual(stream.log, ['send@20', 'skip4@190', 'send@190', 'send@190', 'send@190', 'send@190']);
    const stats = pacer.stats();
    assert.equal(stats.framesCaughtUp, 3);
    assert.equal(stats.framesSkipped, 4);
    virtual.advance(20);
    assert.equal(stream.log.at(-1), 'send@200');
  });

  it('takes a percentile of lateness over the recent ticks', () => {
    const { virtual, pacer, monotonic, stall } = setup();
    pacer.add(new Recorder(monotonic));
    for (let i = 0; i < 200; i++) {
      // Every 50th tick is 10 ms late; the rest are on time.
      if (i % 50 === 49) stall(10);
      virtual.advance(20);
    }
    const stats = pacer.stats();
    assert.equal(stats.ticks, 202); // the 40 ms of stalls passed on the monotonic clock too
    assert.equal(stats.latenessP50Ms, 0);
    assert.equal(stats.latenessMaxMs, 10);
    assert.equal(stats.latenessP99Ms, 10);
  });

  it('keeps only the configured number of lateness samples', () => {
    const virtual = new VirtualClock(0);
    let stalled = 0;
    const pacer = new Pacer({ clock: virtual, monotonic: () => virtual.now() + stalled, latenessSamples: 10 });
    pacer.add({ sendFrame() {}, skipFrames() {} });
    stalled = 5;
    virtual.advance(20); // one tick 5 ms late
    virtual.advance(20 * 10 - 5);
    assert.equal(pacer.stats().latenessMaxMs, 0);
  });

  it('stops its timer with the last stream and starts a new grid with the next', () => {
    const { virtual, pacer, monotonic } = setup();
    const stream = new Recorder(monotonic);
    pacer.add(stream);
    virtual.advance(50);
    pacer.remove(stream);
    assert.equal(virtual.pendingTimers, 0);
    virtual.advance(13);
    pacer.add(stream);
    virtual.advance(20);
    assert.deepEqual(stream.log, ['send@20', 'send@40', 'send@83']);
  });

  it('stops when the last stream leaves during a tick', () => {
    const { virtual, pacer } = setup();
    const leaving: PacedStream = {
      sendFrame: () => pacer.remove(leaving),
      skipFrames() {},
    };
    pacer.add(leaving);
    virtual.advance(20);
    assert.equal(pacer.size, 0);
    assert.equal(virtual.pendingTimers, 0);
  });

  it('keeps ticking for the others when one stream throws', () => {
    const { virtual, pacer, monotonic } = setup();
    const good = new Recorder(monotonic);
    pacer.add({
      sendFrame() {
        throw new Error('broken');
      },
      skipFrames() {},
    });
    pacer.add(good);
    virtual.advance(60);
    assert.equal(good.sent, 3);
  });
});
