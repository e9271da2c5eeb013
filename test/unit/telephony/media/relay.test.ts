/**
 * The bridge's relay halves, alone: the sample FIFO that turns the other leg's packets (any size) into
 * this leg's 20 ms frames with a small jitter buffer and a cap on delay, and the re-stamping of RFC 4733
 * events onto this leg's timeline.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { EventRelay, RelayBuffer } from '../../../../src/telephony/media/relay.js';

/** `count` samples counting up from `from`, so frames show where they came from. */
function ramp(from: number, count: number): Int16Array {
  return Int16Array.from({ length: count }, (_, i) => from + i);
}

describe('RelayBuffer', () => {
  it('hands out nothing until two frames are buffered, then 20 ms frames in order', () => {
    const buffer = new RelayBuffer();
    buffer.push(ramp(0, 160));
    assert.equal(buffer.take(), null);

    buffer.push(ramp(160, 160));
    assert.deepEqual(buffer.take(), ramp(0, 160));
    assert.deepEqual(buffer.take(), ramp(160, 160));
    assert.equal(buffer.length, 0);
  });

  it('re-packetizes 30 ms packets into 20 ms frames without losing or repeating a sample', () => {
    const buffer = new RelayBuffer();
    const out: number[] = [];
    // Two 30 ms packets arrive per three 20 ms ticks, interleaved.
    for (let n = 0; n < 20; n++) {
      buffer.push(ramp(n * 240, 240));
      for (let tick = 0; tick < (n % 2 === 0 ? 1 : 2); tick++) {
        const frame = buffer.take();
        if (frame !== null) out.push(...frame);
      }
    }
    assert.deepEqual(out, [...ramp(0, out.length)]);
    assert.ok(out.length >= 20 * 240 - 3 * 160, `${out.length} samples relayed`);
  });

  it('waits for two frames again after running dry', () => {
    const buffer = new RelayBuffer();
    buffer.push(ramp(0, 320));
    buffer.take();
    buffer.take();
    assert.equal(buffer.take(), null);
    buffer.push(ramp(320, 160));
    assert.equal(buffer.take(), null, 'one frame is not enough to start again');
    buffer.push(ramp(480, 160));
    assert.deepEqual(buffer.take(), ramp(320, 160));
  });

  it('keeps at most 200 ms, dropping the oldest samples', () => {
    const buffer = new RelayBuffer();
    buffer.push(ramp(0, 1600));
    buffer.push(ramp(1600, 320));
    assert.equal(buffer.length, 1600);
    assert.equal(buffer.dropped, 320);
    assert.deepEqual(buffer.take(), ramp(320, 160));
  });

  it('forgets everything on clear', () => {
    const buffer = new RelayBuffer();
    buffer.push(ramp(0, 800));
    buffer.clear();
    assert.equal(buffer.length, 0);
    assert.equal(buffer.take(), null);
  });
});

describe('EventRelay', () => {
  const payload = Uint8Array.of(5, 10, 0, 160);

  it('starts an event at our timestamp with a marker, and keeps that start for its updates and end packets', () => {
    const relay = new EventRelay();
    assert.deepEqual(relay.relay(0xaaaa, 8000, payload, 123_456), { timestamp: 123_456, marker: true, payload });
    assert.deepEqual(relay.relay(0xaaaa, 8000, payload, 123_616), { timestamp: 123_456, marker: false, payload });
    assert.deepEqual(relay.relay(0xaaaa, 8000, payload, 124_000), { timestamp: 123_456, marker: false, payload });
  });

  it('starts a new event on a new far-end timestamp or SSRC, and after a reset', () => {
    const relay = new EventRelay();
    relay.relay(1, 8000, payload, 100);
    assert.deepEqual(relay.relay(1, 12000, payload, 500), { timestamp: 500, marker: true, payload });
    assert.deepEqual(relay.relay(2, 12000, payload, 600), { timestamp: 600, marker: true, payload });
    relay.reset();
    assert.equal(relay.relay(2, 12000, payload, 700).marker, true);
  });

  it('wraps our timestamp to 32 bits', () => {
    assert.equal(new EventRelay().relay(1, 1, payload, 2 ** 32 + 5).timestamp, 5);
  });
});
