/**
 * RTP streams of the in-process media engine on real loopback sockets, against a plain dgram socket as
 * the far end: what goes out (timing, numbering, codec), symmetric RTP, key presses, inactivity, hold
 * and recording.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { SystemClock, VirtualClock } from '../../../src/shared/clock.js';
import { encodeTelephoneEvent } from '../../../src/telephony/media/dtmf.js';
import { decodeG711, encodeG711, type G711Codec } from '../../../src/telephony/media/g711.js';
import { LocalMediaEngine } from '../../../src/telephony/media/local-media-engine.js';
import type { MediaStream, MediaStreamListener, RemoteMedia } from '../../../src/telephony/media/media-engine.js';
import { parseRtp, serializeRtp, type RtpPacket } from '../../../src/telephony/media/rtp-packet.js';
import { readUdpPcap, SIPP_PCAP_DIR } from '../../helpers/sipp-pcap.js';
import { readStereoWav } from '../../helpers/wav.js';

const clock = new SystemClock();
const dir = mkdtempSync(join(tmpdir(), 'outdial-rtp-'));
const engines: LocalMediaEngine[] = [];
const farEnds = new Set<FarEnd>();
// What a failed test left open must not keep the process alive.
after(async () => {
  for (const far of farEnds) far.close();
  await Promise.all(engines.map((engine) => engine.close()));
  rmSync(dir, { recursive: true, force: true });
});

function engine(inactivityMs = 30_000): LocalMediaEngine {
  const created = new LocalMediaEngine({ clock, inactivityMs, portRange: { min: 41000, max: 43000 } });
  engines.push(created);
  return created;
}

/**
 * Real sockets on virtual time: how much time passes is what the test says (advancing the clock), not
 * what a loaded machine's scheduler makes of a sleep.
 */
function virtualEngine(inactivityMs = 30_000): { virtual: VirtualClock; media: LocalMediaEngine } {
  const virtual = new VirtualClock();
  const media = new LocalMediaEngine({ clock: virtual, monotonic: () => virtual.now(), inactivityMs, portRange: { min: 41000, max: 43000 } });
  engines.push(media);
  return { virtual, media };
}

function tone(hz: number, ms: number, amplitude = 8000): Int16Array {
  return Int16Array.from({ length: (ms * 8000) / 1000 }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 8000)));
}

/** A passing test never waits for the timeout, so it is generous: a loaded CI machine can stall for seconds. */
async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

class Listener implements MediaStreamListener {
  readonly digits: string[] = [];
  readonly finished: number[] = [];
  inactiveCount = 0;
  digit(key: string): void {
    this.digits.push(key);
  }
  playFinished(token: number): void {
    this.finished.push(token);
  }
  inactive(): void {
    this.inactiveCount++;
  }
}

interface Arrival extends RtpPacket {
  readonly at: number;
}

/** A far end: one socket that keeps what it receives. */
class FarEnd {
  readonly packets: Arrival[] = [];
  readonly socket = dgram.createSocket('udp4');
  port = 0;

  static async open(): Promise<FarEnd> {
    const far = new FarEnd();
    far.socket.on('message', (data) => {
      const packet = parseRtp(data);
      if (packet !== null) far.packets.push({ ...packet, payload: Uint8Array.from(packet.payload), at: performance.now() });
    });
    await new Promise<void>((resolve) => far.socket.bind(0, '127.0.0.1', resolve));
    far.port = far.socket.address().port;
    farEnds.add(far);
    return far;
  }

  remote(overrides: Partial<RemoteMedia> = {}): RemoteMedia {
    return { address: '127.0.0.1', port: this.port, codec: 'PCMU', payloadType: 0, telephoneEventPayloadType: 101, direction: 'sendrecv', ...overrides };
  }

  send(stream: MediaStream, data: Uint8Array): void {
    this.socket.send(data, stream.localPort, '127.0.0.1');
  }

  close(): void {
    if (farEnds.delete(this)) this.socket.close();
  }
}

/**
 * Checks the numbering of one stream's packets: the sequence number goes up by one per packet, the
 * timestamp by 160 per frame, jumping only over frames not sent (hold, a stalled machine), and a jump
 * always starts a talk spurt. Returns the packets with a marker that no jump explains.
 */
function talkSpurtsWithoutGap(packets: readonly Arrival[]): number[] {
  assert.ok(packets[0]?.marker, 'the first packet starts a talk spurt');
  const unexplained: number[] = [];
  for (let i = 1; i < packets.length; i++) {
    const [previous, packet] = [packets[i - 1]!, packets[i]!];
    assert.equal(packet.sequence, (previous.sequence + 1) & 0xffff, `sequence at ${i}`);
    const step = (packet.timestamp - previous.timestamp) >>> 0;
    assert.ok(step >= 160 && step % 160 === 0, `timestamp step ${step} at ${i}`);
    if (step > 160) assert.ok(packet.marker, `no marker after the gap at ${i}`);
    else if (packet.marker) unexplained.push(i);
  }
  return unexplained;
}

function frames(codec: G711Codec, pcm: Int16Array): Uint8Array[] {
  const encoded = encodeG711(codec, pcm);
  return Array.from({ length: encoded.length / 160 }, (_, i) => encoded.subarray(i * 160, (i + 1) * 160));
}

describe('RTP stream on loopback', () => {
  it('binds an even port in the range and gives it back on close', async () => {
    const media = engine();
    const stream = await media.open(new Listener());
    assert.equal(stream.localPort % 2, 0);
    assert.ok(stream.localPort >= 41000 && stream.localPort <= 43000);
    assert.equal(media.streams, 1);
    const stats = await stream.close();
    assert.deepEqual(stats, { packetsSent: 0, packetsReceived: 0, recording: null });
    assert.equal(media.streams, 0);
    // The port is free again for anyone.
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(stream.localPort, '127.0.0.1', resolve));
    probe.close();
  });

  it('plays a prompt in 20 ms frames with continuous numbering, a marker at its start, then comfort noise', async () => {
    const far = await FarEnd.open();
    const listener = new Listener();
    const stream = await engine().open(listener);
    stream.setRemote(far.remote());
    await until('comfort noise', () => far.packets.length >= 3);
    const prompt = tone(440, 600);
    stream.play(prompt, 7);
    await until('the end of the prompt', () => listener.finished.length === 1);
    const expected = frames('PCMU', prompt);
    assert.equal(expected.length, 30);
    const start = far.packets.findIndex((p) => Buffer.compare(p.payload, expected[0]!) === 0);
    await until('a frame after the prompt', () => far.packets.length > start + 30);
    const { packetsSent } = await stream.close();
    far.close();

    const packets = far.packets;
    assert.deepEqual(listener.finished, [7]);
    assert.equal(packetsSent, packets.length);
    assert.ok(packets.every((p) => p.payloadType === 0 && p.payload.length === 160 && p.ssrc === packets[0]!.ssrc));
    // A marker on the very first packet and on the prompt's first; the prompt is all there, in order.
    assert.ok(start > 0 && packets[start]!.marker);
    assert.ok(talkSpurtsWithoutGap(packets).every((i) => i === start), 'no marker but at the start of the prompt or after a gap');
    expected.forEach((frame, i) => assert.deepEqual(packets[start + i]!.payload, frame, `prompt frame ${i}`));
    assert.notDeepEqual(packets[start + 30]!.payload, expected[0]);

    // Each packet arrives on a 20 ms grid its timestamp names. A loaded machine delays some of them, so
    // half is asked for: a sender that bursts would have one or two of its packets near the grid, not half.
    const offsets = packets.map((p) => p.at - (((p.timestamp - packets[0]!.timestamp) >>> 0) / 160) * 20).sort((a, b) => a - b);
    const median = offsets[Math.floor(offsets.length / 2)]!;
    const onGrid = offsets.filter((offset) => Math.abs(offset - median) <= 10).length;
    assert.ok(onGrid >= 0.5 * packets.length, `${onGrid} of ${packets.length} packets within 10 ms of the 20 ms grid`);
  });

  it('reports a replaced or stopped prompt as finished, and sends PCMA when asked to', async () => {
    const far = await FarEnd.open();
    const listener = new Listener();
    const stream = await engine().open(listener);
    stream.setRemote(far.remote({ codec: 'PCMA', payloadType: 8 }));
    const prompt = tone(1000, 2000);
    stream.play(prompt, 1);
    stream.play(prompt, 2);
    await until('the replaced prompt', () => listener.finished.length === 1);
    await until('a few frames', () => far.packets.length >= 4);
    stream.stopPlaying();
    await until('the stopped prompt', () => listener.finished.length === 2);
    await stream.close();
    far.close();
    assert.deepEqual(listener.finished, [1, 2]);
    assert.equal(far.packets[0]!.payloadType, 8);
    assert.ok(far.packets[0]!.marker);
    assert.deepEqual(far.packets[0]!.payload, frames('PCMA', prompt)[0]);
  });

  it('sends nothing while held, and resumes with a marker, the next sequence number and a timestamp true to the pause', async () => {
    const far = await FarEnd.open();
    const stream = await engine().open(new Listener());
    stream.setRemote(far.remote());
    await until('packets before the hold', () => far.packets.length >= 3);
    stream.setRemote(far.remote({ direction: 'recvonly' }));
    const held = far.packets.length;
    await sleep(200);
    const afterHold = far.packets.length;
    stream.setRemote(far.remote());
    await until('packets after the hold', () => far.packets.length >= afterHold + 2);
    await stream.close();
    far.close();
    assert.ok(afterHold <= held + 1, 'at most one packet was in flight when the hold began');
    assert.deepEqual(talkSpurtsWithoutGap(far.packets), []);
    const [last, resumed] = [far.packets[afterHold - 1]!, far.packets[afterHold]!];
    assert.equal(resumed.marker, true);
    const frames = (resumed.timestamp - last.timestamp) / 160;
    assert.ok(frames >= 10 && Math.abs(frames * 20 - (resumed.at - last.at)) <= 60, `${frames} frames in ${(resumed.at - last.at).toFixed(0)} ms`);
  });

  it('latches onto where the far end sends from (symmetric RTP)', async () => {
    const signalled = await FarEnd.open();
    const actual = await FarEnd.open();
    const stream = await engine().open(new Listener());
    stream.setRemote(signalled.remote());
    await until('packets to the SDP address', () => signalled.packets.length >= 2);
    // A source other than the SDP's is on probation until it sends four packets in sequence (RTP bleed).
    for (let sequence = 1; sequence <= 3; sequence++) {
      actual.send(stream, serializeRtp({ marker: sequence === 1, payloadType: 0, sequence, timestamp: sequence * 160, ssrc: 99 }, new Uint8Array(160)));
    }
    await sleep(60);
    assert.equal(actual.packets.length, 0, 'not latched after three packets');
    actual.send(stream, serializeRtp({ marker: false, payloadType: 0, sequence: 4, timestamp: 640, ssrc: 99 }, new Uint8Array(160)));
    await until('packets to the latched address', () => actual.packets.length >= 3);
    const before = signalled.packets.length;
    // Once latched, a third party is ignored.
    const stranger = await FarEnd.open();
    stranger.send(stream, serializeRtp({ marker: true, payloadType: 0, sequence: 1, timestamp: 1, ssrc: 5 }, new Uint8Array(160)));
    await sleep(100);
    const stats = await stream.close();
    for (const far of [signalled, actual, stranger]) far.close();
    assert.ok(signalled.packets.length <= before + 1, 'the SDP address stopped getting packets');
    assert.equal(stranger.packets.length, 0);
    assert.equal(stats.packetsReceived, 1);
  });

  it('hears RFC 4733 key presses once each, whatever their repeats, and drops garbage', async () => {
    const far = await FarEnd.open();
    const listener = new Listener();
    const stream = await engine().open(listener);
    stream.setRemote(far.remote());
    far.send(stream, Buffer.from('not rtp at all'));
    far.send(stream, serializeRtp({ marker: false, payloadType: 96, sequence: 1, timestamp: 1, ssrc: 1 }, new Uint8Array(20)));
    let sequence = 100;
    const event = (key: number, end: boolean, duration: number): Buffer =>
      serializeRtp({ marker: duration === 400, payloadType: 101, sequence: sequence++, timestamp: 4000 * key, ssrc: 1234 }, encodeTelephoneEvent({ event: key, end, volume: 10, duration }));
    for (const key of [4, 2]) {
      for (const duration of [400, 800, 1200]) far.send(stream, event(key, false, duration));
      for (let i = 0; i < 3; i++) far.send(stream, event(key, true, 1600));
    }
    await until('two digits', () => listener.digits.length >= 2);
    await sleep(60);
    const stats = await stream.close();
    far.close();
    assert.deepEqual(listener.digits, ['4', '2']);
    assert.equal(stats.packetsReceived, 12);
  });

  it('hears the SIPp captures for 1, 5 and # as played by a SIPp callee', async () => {
    const far = await FarEnd.open();
    const listener = new Listener();
    const stream = await engine().open(listener);
    stream.setRemote(far.remote());
    for (const file of ['dtmf_2833_1.pcap', 'dtmf_2833_5.pcap', 'dtmf_2833_pound.pcap']) {
      let elapsed = 0;
      for (const { atMs, data } of readUdpPcap(join(SIPP_PCAP_DIR, file))) {
        await sleep(atMs - elapsed);
        elapsed = atMs;
        far.send(stream, data);
      }
    }
    await until('three digits', () => listener.digits.length >= 3);
    await stream.close();
    far.close();
    assert.deepEqual(listener.digits, ['1', '5', '#']);
  });

  it('reports inactivity once when the far end goes quiet, and never while it holds the call', async () => {
    const { virtual, media } = virtualEngine(300);
    const start = virtual.now();
    const far = await FarEnd.open();
    const talking = new Listener();
    const held = new Listener();
    const heldFar = await FarEnd.open();
    const a = await media.open(talking);
    const b = await media.open(held);
    a.setRemote(far.remote());
    b.setRemote(heldFar.remote({ direction: 'recvonly' }));
    for (let i = 0; i < 10; i++) {
      far.send(a, serializeRtp({ marker: false, payloadType: 0, sequence: 2 * i, timestamp: 160 * i, ssrc: 3 }, new Uint8Array(160)));
      // A key press after each packet, as a receipt: the stream reports it as soon as it reads it.
      const press = encodeTelephoneEvent({ event: i, end: true, volume: 10, duration: 160 });
      far.send(a, serializeRtp({ marker: true, payloadType: 101, sequence: 2 * i + 1, timestamp: 160 * i, ssrc: 3 }, press));
      await until(`packet ${i}`, () => talking.digits.length === i + 1);
      virtual.advance(100);
    }
    assert.equal(talking.inactiveCount, 0, 'quiet while packets come, for three times the timeout in all');
    virtual.advance(180);
    assert.equal(talking.inactiveCount, 0, '280 ms after the last packet');
    virtual.advance(40);
    assert.equal(talking.inactiveCount, 1, '320 ms after the last packet');
    virtual.advance(2000);
    // One frame a tick went to the far end that talks; once they are all in, so would any sent to the other.
    const ticks = (virtual.now() - start) / 20;
    await until(`${ticks} frames at the far end that talks`, () => far.packets.length === ticks);
    await Promise.all([a.close(), b.close()]);
    far.close();
    heldFar.close();
    assert.equal(talking.inactiveCount, 1, 'reported once');
    assert.equal(held.inactiveCount, 0);
    assert.equal(heldFar.packets.length, 0, 'nothing is sent to a far end that holds the call');
  });

  it('records the far end left and what it sends right, as a stereo WAV', async () => {
    // On virtual time: a tick a loaded machine delayed past the pacer's catch-up would skip frames of the
    // prompt and leave silence in the recording.
    const { virtual, media } = virtualEngine();
    const far = await FarEnd.open();
    const listener = new Listener();
    const stream = await media.open(listener);
    stream.setRemote(far.remote({ codec: 'PCMA', payloadType: 8 }));
    const path = join(dir, 'call.wav');
    const before = virtual.now();
    stream.startRecording(path);
    const ours = tone(1000, 400);
    stream.play(ours, 1);
    const theirs = frames('PCMA', tone(300, 300, 5000));
    for (const [i, payload] of theirs.entries()) {
      far.send(stream, serializeRtp({ marker: i === 0, payloadType: 8, sequence: i, timestamp: 90_000 + 160 * i, ssrc: 77 }, payload));
    }
    // A key press after them, as a receipt: the far end's audio is all in once the stream reports it.
    const press = encodeTelephoneEvent({ event: 1, end: true, volume: 10, duration: 160 });
    far.send(stream, serializeRtp({ marker: true, payloadType: 101, sequence: theirs.length, timestamp: 90_000, ssrc: 77 }, press));
    await until('the far end audio', () => listener.digits.length === 1);
    virtual.advance(600);
    const recording = await stream.stopRecording();
    await stream.close();
    far.close();

    assert.ok(recording);
    assert.equal(recording.path, path);
    assert.ok(recording.startedAt >= before && recording.stoppedAt >= recording.startedAt + 500);
    const wav = readStereoWav(path);
    assert.equal(wav.sampleRate, 8000);
    assert.ok(Math.abs(wav.left.length / 8 - (recording.stoppedAt - recording.startedAt)) < 60, `${wav.left.length / 8} ms of audio`);
    const contains = (channel: Int16Array, part: Int16Array): boolean => {
      for (let at = 0; at + part.length <= channel.length; at += 160) {
        if (part.every((v, i) => channel[at + i] === v)) return true;
      }
      return false;
    };
    assert.ok(contains(wav.right, decodeG711('PCMA', encodeG711('PCMA', ours))), 'our prompt on the right');
    const farAudio = decodeG711('PCMA', Uint8Array.from(theirs.flatMap((f) => [...f])));
    assert.ok(contains(wav.left, farAudio), 'the far end on the left');
    assert.ok(!contains(wav.left, decodeG711('PCMA', encodeG711('PCMA', ours))), 'our prompt not on the left');
  });
});
