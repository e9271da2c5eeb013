import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { CallRecorder, FRAME_SAMPLES } from '../../../../src/telephony/media/recorder.js';
import { WavWriter } from '../../../../src/telephony/media/wav-writer.js';
import { readStereoWav } from '../../../helpers/wav.js';

const dir = mkdtempSync(join(tmpdir(), 'outdial-recorder-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const nextPath = (): string => join(dir, `${++files}.wav`);

const frameOf = (value: number, samples = FRAME_SAMPLES): Int16Array => new Int16Array(samples).fill(value);

/** The value of each 160-sample frame of a channel, or NaN where a frame is not constant. */
function frameValues(channel: Int16Array): number[] {
  const values: number[] = [];
  for (let at = 0; at < channel.length; at += FRAME_SAMPLES) {
    const frame = channel.subarray(at, at + FRAME_SAMPLES);
    values.push(frame.every((v) => v === frame[0]) ? frame[0]! : NaN);
  }
  return values;
}

describe('WavWriter', () => {
  it('writes a header that plays to the end while the file grows, then the real sizes', async () => {
    const path = nextPath();
    const writer = new WavWriter(path, { channels: 2, sampleRate: 8000 });
    writer.write(Int16Array.of(1, -1, 2, -2));
    const samples = Int16Array.of(3, -3);
    writer.write(samples);
    samples.fill(0); // the writer copied them
    assert.equal(await writer.close(), 12);
    const wav = readStereoWav(path);
    assert.equal(wav.sampleRate, 8000);
    assert.deepEqual([...wav.left], [1, 2, 3]);
    assert.deepEqual([...wav.right], [-1, -2, -3]);
  });

  it('marks the sizes unknown until closed', async () => {
    const path = nextPath();
    const writer = new WavWriter(path, { channels: 2, sampleRate: 8000 });
    writer.write(Int16Array.of(1, 2));
    await writer.flushed();
    const header = readFileSync(path);
    assert.equal(header.readUInt32LE(4), 0xffffffff);
    assert.equal(header.readUInt32LE(40), 0xffffffff);
    await writer.close();
  });

  it('reports a file it could not open when closed', async () => {
    const writer = new WavWriter(join(dir, 'missing', 'x.wav'), { channels: 2, sampleRate: 8000 });
    writer.write(Int16Array.of(1, 2));
    await assert.rejects(writer.close(), { code: 'ENOENT' });
  });
});

describe('CallRecorder', () => {
  it('puts what we send right and the far end left, on one timeline', async () => {
    const path = nextPath();
    const recorder = new CallRecorder(path);
    recorder.sent(frameOf(100));
    recorder.received(7, 5000, frameOf(-50));
    recorder.sent(frameOf(200));
    recorder.received(7, 5160, frameOf(-60));
    recorder.sent(null);
    assert.equal(await recorder.stop(), 3 * FRAME_SAMPLES * 4);
    const wav = readStereoWav(path);
    assert.deepEqual(frameValues(wav.right), [100, 200, 0]);
    assert.deepEqual(frameValues(wav.left), [0, -50, -60]);
  });

  it('places the far end by timestamp: lost packets are silence, reordered ones land in place', async () => {
    const path = nextPath();
    const recorder = new CallRecorder(path);
    recorder.received(1, 1000, frameOf(1));
    for (let i = 0; i < 8; i++) recorder.sent(frameOf(9));
    recorder.received(1, 1000 + 3 * 160, frameOf(4)); // packets 2 and 3 lost
    recorder.received(1, 1000 + 5 * 160, frameOf(6)); // 6 before 5
    recorder.received(1, 1000 + 4 * 160, frameOf(5));
    assert.ok((await recorder.stop()) > 0);
    assert.deepEqual(frameValues(readStereoWav(path).left), [1, 0, 0, 4, 5, 6, 0, 0]);
  });

  it('starts the far end anew on a new SSRC', async () => {
    const path = nextPath();
    const recorder = new CallRecorder(path);
    recorder.received(1, 1000, frameOf(1));
    recorder.sent(null);
    recorder.sent(null);
    recorder.received(2, 999_999, frameOf(2));
    recorder.sent(null);
    await recorder.stop();
    assert.deepEqual(frameValues(readStereoWav(path).left), [1, 0, 2]);
  });

  it('re-anchors a far end whose timestamps jump out of the window', async () => {
    const path = nextPath();
    const recorder = new CallRecorder(path);
    recorder.received(1, 0, frameOf(1));
    recorder.sent(null);
    recorder.received(1, 8000 * 60, frameOf(2)); // a minute ahead
    recorder.sent(null);
    recorder.received(1, 8000 * 60 + 160, frameOf(3));
    recorder.sent(null);
    await recorder.stop();
    assert.deepEqual(frameValues(readStereoWav(path).left), [1, 2, 3]);
  });

  it('writes a long call through its window without losing or shifting a sample', async () => {
    const path = nextPath();
    const recorder = new CallRecorder(path);
    const frames = 50 * 7; // 7 s, several window flushes
    for (let i = 0; i < frames; i++) {
      // The far end's packet for frame i arrives 3 frames late, after our frame i + 3.
      if (i >= 3) recorder.received(42, 160 * (i - 3), frameOf(-(i - 2)));
      recorder.sent(frameOf(i + 1));
    }
    await recorder.stop();
    const wav = readStereoWav(path);
    assert.equal(wav.right.length, frames * FRAME_SAMPLES);
    assert.deepEqual(frameValues(wav.right), Array.from({ length: frames }, (_, i) => i + 1));
    // The first packet anchors at our 4th frame; the rest follow it by timestamp.
    assert.deepEqual(frameValues(wav.left), Array.from({ length: frames }, (_, i) => (i < 3 ? 0 : -(i - 2))));
  });
});
