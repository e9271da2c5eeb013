/**
 * The worker media engine: the same port as the in-process engine, with streams in worker threads. Checks
 * that commands reach the worker stream and its events come back, on real loopback sockets.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { VirtualClock } from '../../../src/shared/clock.js';
import { encodeTelephoneEvent } from '../../../src/telephony/media/dtmf.js';
import type { MediaStreamListener } from '../../../src/telephony/media/media-engine.js';
import { parseRtp, serializeRtp } from '../../../src/telephony/media/rtp-packet.js';
import { WorkerMediaEngine } from '../../../src/telephony/media/worker-media-engine.js';
import { readStereoWav } from '../../helpers/wav.js';

const dir = mkdtempSync(join(tmpdir(), 'outdial-media-workers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function until(what: string, condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('WorkerMediaEngine', () => {
  it('runs streams in its workers behind the same port', async () => {
    // Recording dates come from the engine's clock, virtual here, while media runs in real time.
    const clock = new VirtualClock(1_000_000);
    const media = new WorkerMediaEngine({ clock, workers: 2, portRange: { min: 43100, max: 43199 } });
    const far = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => far.bind(0, '127.0.0.1', resolve));
    const packets: number[] = [];
    far.on('message', (data) => {
      const packet = parseRtp(data);
      if (packet !== null) packets.push(packet.ssrc);
    });
    const digits: string[] = [];
    const finished: number[] = [];
    const listener: MediaStreamListener = { digit: (key) => digits.push(key), playFinished: (token) => finished.push(token), inactive: () => {} };
    try {
      const streams = await Promise.all([1, 2, 3, 4].map(() => media.open(listener)));
      const ports = streams.map((s) => s.localPort);
      assert.ok(ports.every((port) => port % 2 === 0 && port >= 43100 && port <= 43199), ports.join());
      // Two streams in each worker's half of the range.
      assert.equal(ports.filter((port) => port < 43150).length, 2, ports.join());
      assert.equal((await media.stats()).streams, 4, 'the streams of both workers count');

      const [first] = streams;
      for (const stream of streams) stream.setRemote({ address: '127.0.0.1', port: far.address().port, codec: 'PCMU', payloadType: 0, telephoneEventPayloadType: 101, direction: 'sendrecv' });
      first!.startRecording(join(dir, 'worker.wav'));
      first!.play(new Int16Array(1600).fill(3000), 9);
      for (let i = 0; i < 3; i++) {
        far.send(serializeRtp({ marker: false, payloadType: 101, sequence: i, timestamp: 800, ssrc: 5 }, encodeTelephoneEvent({ event: 10, end: true, volume: 10, duration: 800 })), first!.localPort, '127.0.0.1');
      }
      await until('the prompt to end and the key', () => finished.length === 1 && digits.length === 1);
      assert.deepEqual(finished, [9]);
      assert.deepEqual(digits, ['*']);
      clock.advance(5000);
      const recording = await first!.stopRecording();
      assert.deepEqual(recording, { path: join(dir, 'worker.wav'), startedAt: 1_000_000, stoppedAt: 1_005_000 });
      assert.ok(readStereoWav(recording.path).right.some((v) => v > 2900));

      const results = await Promise.all(streams.map((s) => s.close()));
      assert.ok(results.every((r) => r.packetsSent > 0));
      assert.equal(results[0]!.packetsReceived, 3);
      assert.equal(new Set(packets).size, 4, 'four streams, four SSRCs');
      const stats = await media.pacerStats();
      assert.equal(stats.length, 2);
      assert.ok(stats.every((s) => s.ticks > 0));
      const summary = await media.stats();
      assert.equal(summary.streams, 0);
      assert.equal(summary.latenessP99Ms, Math.max(...stats.map((s) => s.latenessP99Ms)), 'the worst worker');
    } finally {
      far.close();
      await media.close();
    }
  });

  it('closes streams left open when the engine closes', async () => {
    const media = new WorkerMediaEngine({ clock: new VirtualClock(), workers: 1, portRange: { min: 43200, max: 43219 } });
    const stream = await media.open({ digit() {}, playFinished() {}, inactive() {} });
    await media.close();
    assert.deepEqual(await stream.close(), { packetsSent: 0, packetsReceived: 0, recording: null });
  });
});
