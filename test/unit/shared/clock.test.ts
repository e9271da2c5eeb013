import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SystemClock, VirtualClock } from '../../../src/shared/clock.js';

const START = Date.UTC(2026, 0, 1);

describe('VirtualClock', () => {
  it('starts at 2026-01-01T00:00:00Z unless given a start', () => {
    assert.equal(new VirtualClock().now(), START);
    assert.equal(new VirtualClock(42).now(), 42);
  });

  it('moves time only when advanced', () => {
    const clock = new VirtualClock(1_000);

    clock.advance(250);

    assert.equal(clock.now(), 1_250);
  });

  it('fires a timer once it falls due and not a millisecond before', () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    clock.setTimer(100, () => fired.push(clock.now()));

    clock.advance(99);
    const beforeDue = [...fired];
    clock.advance(1);
    clock.advance(1_000);

    assert.deepEqual(beforeDue, []);
    assert.deepEqual(fired, [100]);
  });

  it('fires timers in due order, whatever order they were scheduled in', () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    clock.setTimer(300, () => fired.push('c'));
    clock.setTimer(100, () => fired.push('a'));
    clock.setTimer(200, () => fired.push('b'));

    clock.advance(1_000);

    assert.deepEqual(fired, ['a', 'b', 'c']);
  });

  it('fires timers due at the same moment in scheduling order', () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    clock.setTimer(50, () => fired.push('first'));
    clock.setTimer(50, () => fired.push('second'));
    clock.setTimer(50, () => fired.push('third'));

    clock.advance(50);

    assert.deepEqual(fired, ['first', 'second', 'third']);
  });

  it('shows each timer the time it fell due, then ends at the end of the advance', () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.setTimer(10, () => seen.push(clock.now()));
    clock.setTimer(70, () => seen.push(clock.now()));

    clock.advance(100);

    assert.deepEqual(seen, [10, 70]);
    assert.equal(clock.now(), 100);
  });

  it('fires a timer scheduled by a firing timer within the same advance when it falls due within it', () => {
    const clock = new VirtualClock(0);
    const fired: [string, number][] = [];
    clock.setTimer(100, () => {
      fired.push(['outer', clock.now()]);
      clock.setTimer(50, () => fired.push(['inner', clock.now()]));
    });

    clock.advance(150);

    assert.deepEqual(fired, [
      ['outer', 100],
      ['inner', 150],
    ]);
  });

  it('leaves a timer scheduled by a firing timer for a later advance when it falls due after this one', () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    clock.setTimer(100, () => clock.setTimer(51, () => fired.push(clock.now())));

    clock.advance(150);
    const afterFirstAdvance = [...fired];
    clock.advance(1);

    assert.deepEqual(afterFirstAdvance, []);
    assert.deepEqual(fired, [151]);
  });

  it('fires a zero-delay timer scheduled by a firing timer before later timers', () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    clock.setTimer(10, () => {
      fired.push('a');
      clock.setTimer(0, () => fired.push('a-follow-up'));
    });
    clock.setTimer(20, () => fired.push('b'));

    clock.advance(20);

    assert.deepEqual(fired, ['a', 'a-follow-up', 'b']);
  });

  it('fires zero-delay timers only when advanced, even by zero', () => {
    const clock = new VirtualClock(0);
    let fired = false;
    clock.setTimer(0, () => {
      fired = true;
    });
    const firedBeforeAdvance = fired;

    clock.advance(0);

    assert.equal(firedBeforeAdvance, false);
    assert.equal(fired, true);
  });

  it('treats a negative delay as zero', () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.setTimer(-500, () => seen.push(clock.now()));

    clock.advance(0);

    assert.deepEqual(seen, [0]);
  });

  it('never fires a cleared timer', () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    const cleared = clock.setTimer(100, () => fired.push('cleared'));
    clock.setTimer(100, () => fired.push('kept'));

    clock.clearTimer(cleared);
    clock.advance(1_000);

    assert.deepEqual(fired, ['kept']);
  });

  it('lets a firing timer clear a later one', () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    const later = clock.setTimer(200, () => fired.push('later'));
    clock.setTimer(100, () => {
      fired.push('canceller');
      clock.clearTimer(later);
    });

    clock.advance(1_000);

    assert.deepEqual(fired, ['canceller']);
  });

  it('ignores clearing a timer that already fired', () => {
    const clock = new VirtualClock(0);
    const handle = clock.setTimer(10, () => undefined);
    clock.setTimer(20, () => undefined);
    clock.advance(10);

    clock.clearTimer(handle);

    assert.equal(clock.pendingTimers, 1);
  });

  it('counts pending timers as they are scheduled, fired and cleared', () => {
    const clock = new VirtualClock(0);
    const counts: number[] = [clock.pendingTimers];
    clock.setTimer(10, () => undefined);
    const second = clock.setTimer(20, () => undefined);
    clock.setTimer(30, () => undefined);
    counts.push(clock.pendingTimers);

    clock.advance(10);
    counts.push(clock.pendingTimers);
    clock.clearTimer(second);
    counts.push(clock.pendingTimers);
    clock.advance(100);
    counts.push(clock.pendingTimers);

    assert.deepEqual(counts, [0, 3, 2, 1, 0]);
  });

  it('refuses to move backwards and leaves time and timers as they were', () => {
    const clock = new VirtualClock(500);
    clock.setTimer(10, () => undefined);

    assert.throws(() => clock.advance(-1), RangeError);
    assert.equal(clock.now(), 500);
    assert.equal(clock.pendingTimers, 1);
  });

  it('hands out a distinct handle for every timer', () => {
    const clock = new VirtualClock(0);

    const ids = [clock.setTimer(1, () => undefined), clock.setTimer(1, () => undefined), clock.setTimer(2, () => undefined)].map(
      (h) => h.id,
    );

    assert.equal(new Set(ids).size, 3);
  });
});

describe('SystemClock', () => {
  it('refuses a speed that is not a positive number', () => {
    for (const speed of [0, -1, -0.5, Number.NaN]) {
      assert.throws(() => new SystemClock(speed), RangeError, `speed ${speed}`);
    }
  });

  it('accepts fractional and large positive speeds', () => {
    assert.doesNotThrow(() => new SystemClock(0.5));
    assert.doesNotThrow(() => new SystemClock(1_000));
  });

  it('tells wall-clock time at speed 1', () => {
    const clock = new SystemClock();

    const before = Date.now();
    const now = clock.now();
    const after = Date.now();

    assert.ok(now >= before && now <= after, `${now} is not within [${before}, ${after}]`);
  });
});
