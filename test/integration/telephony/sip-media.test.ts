/**
 * What the callee hears, checked packet by packet: SIPp answers with an SDP that points our RTP at a socket
 * this test holds. Then the same call under a flood of malformed SIP messages and RTP packets, which must
 * leave it untouched.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { parseRtp } from '../../../src/telephony/media/rtp-packet.js';
import { startSipApp, type SipApp } from '../../helpers/sip-app.js';
import { speakFlow } from '../../helpers/flow-fixtures.js';
import { parsePrometheus, sampleValue } from '../../helpers/prometheus.js';
import { startSipp } from '../../helpers/sipp.js';

const PROMPT = 'This is a test of the audio path from outdial to the callee, spoken by a real text to speech engine.';

const SPEAK_FLOW = speakFlow(PROMPT);

interface Received {
  readonly at: number;
  readonly data: Buffer;
  readonly port: number;
}

/** A UDP socket standing in for the callee's phone: keeps every datagram with its arrival time. */
async function rtpSink(): Promise<{ socket: Socket; port: number; packets: Received[] }> {
  const port = await freeUdpPort();
  const socket = createSocket('udp4');
  const packets: Received[] = [];
  socket.on('message', (data, rinfo) => packets.push({ at: performance.now(), data, port: rinfo.port }));
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  return { socket, port, packets };
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

const apps = new Set<SipApp>();
after(async () => {
  for (const app of apps) await app.close();
});

async function callIntoSink(sipPort?: number): Promise<{ app: SipApp; sink: Awaited<ReturnType<typeof rtpSink>>; contactId: string; sipp: Awaited<ReturnType<typeof startSipp>> }> {
  const sink = await rtpSink();
  const sipp = await startSipp({ scenario: 'answer-rtp-sink.xml', keys: { rtp_port: String(sink.port) } });
  const app = await startSipApp({ trunk: { port: sipp.port }, ...(sipPort !== undefined && { sip: { port: sipPort } }) });
  apps.add(app);
  const contactId = await app.call(await app.createFlow(SPEAK_FLOW));
  return { app, sink, contactId, sipp };
}

describe('the callee hears the prompt', () => {
  it('as 20 ms PCMU frames with continuous sequence numbers and timestamps true to time, paced in real time', async () => {
    const { app, sink, contactId, sipp } = await callIntoSink();
    const contact = await app.ended(contactId);
    assert.equal(contact.DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
    assert.equal((await sipp.done).code, 0);
    sink.socket.close();
    const metrics = parsePrometheus(await (await fetch(`${app.url}/metrics`)).text());
    assert.equal(sampleValue(metrics, 'outdial_rtp_streams'), 0, 'the stream closed with the call');
    const p99 = sampleValue(metrics, 'outdial_rtp_tick_lateness_seconds', { quantile: '0.99' });
    assert.ok(p99 !== undefined && p99 >= 0 && p99 < 1, `tick lateness p99 ${p99} s`);
    const skipped = sampleValue(metrics, 'outdial_rtp_frames_skipped') ?? 0;

    const packets = sink.packets.map((p) => ({ ...p, rtp: parseRtp(p.data) }));
    assert.ok(packets.every((p) => p.rtp !== null), 'every datagram is RTP');
    const rtp = packets.map((p) => p.rtp!);
    // The prompt is several seconds of speech: at 50 packets a second, well over 100 packets.
    assert.ok(rtp.length > 150, `${rtp.length} packets`);
    assert.ok(rtp.every((p) => p.payloadType === 0 && p.payload.length === 160), 'PCMU, 160 samples a packet');
    assert.equal(new Set(rtp.map((p) => p.ssrc)).size, 1, 'one SSRC');
    // The timestamp moves 160 a frame. It jumps only over frames that a tick late by more than the pacer
    // catches up skipped (a loaded machine), and the packet after such a gap starts a talk spurt.
    let jumpedFrames = 0;
    for (let i = 1; i < rtp.length; i++) {
      assert.equal(rtp[i]!.sequence, (rtp[i - 1]!.sequence + 1) & 0xffff, `sequence at packet ${i}`);
      const frames = ((rtp[i]!.timestamp - rtp[i - 1]!.timestamp) >>> 0) / 160;
      if (frames === 1) continue;
      assert.ok(Number.isInteger(frames) && frames > 1 && rtp[i]!.marker, `timestamp at packet ${i}: ${frames} frames on, marker ${rtp[i]!.marker}`);
      jumpedFrames += frames - 1;
    }
    // The metric also counts frames skipped before the callee's SDP said where to send.
    assert.ok(jumpedFrames <= skipped, `the timestamps jump ${jumpedFrames} frames, ${skipped} were skipped`);
    assert.ok(rtp.some((p) => p.marker), 'the prompt starts with a marker bit');
    // Speech, not silence: most frames carry codes other than µ-law silence.
    const loud = rtp.filter((p) => p.payload.some((b) => b !== 0xff && b !== 0x7f && Math.abs((b & 0x7f) - 0x7f) > 8));
    assert.ok(loud.length > rtp.length / 3, `${loud.length} of ${rtp.length} frames carry sound`);

    // Paced at 50 packets a second, not sent in a burst: the whole run takes as long as its timestamps say,
    // and the median gap is 20 ms.
    const gaps = packets.slice(1).map((p, i) => p.at - packets[i]!.at).sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)]!;
    assert.ok(median > 15 && median < 25, `median gap ${median.toFixed(2)} ms`);
    const span = packets.at(-1)!.at - packets[0]!.at;
    const expected = ((rtp.at(-1)!.timestamp - rtp[0]!.timestamp) >>> 0) / 8;
    assert.ok(Math.abs(span - expected) < expected * 0.1, `${span.toFixed(0)} ms for ${expected} ms of audio in ${packets.length} packets`);
  });
});

describe('malformed traffic', () => {
  it('thousands of malformed SIP messages and RTP packets leave a live call untouched', async () => {
    const sipPort = await freeUdpPort();
    const { app, sink, contactId, sipp } = await callIntoSink(sipPort);
    const fuzzer = createSocket('udp4');
    await new Promise<void>((resolve) => fuzzer.bind(0, '127.0.0.1', resolve));
    // Wait for the media to flow, and learn our RTP port from it.
    while (sink.packets.length < 10) await new Promise((r) => setTimeout(r, 20));
    const rtpPort = sink.packets[0]!.port;
    const before = sink.packets.length;

    const random = seeded(4733);
    const sent = { sip: 0, rtp: 0 };
    for (let round = 0; round < 20; round++) {
      for (const message of malformedSip(random, 100)) {
        fuzzer.send(message, sipPort, '127.0.0.1');
        sent.sip++;
      }
      for (const packet of malformedRtp(random, 100)) {
        fuzzer.send(packet, rtpPort, '127.0.0.1');
        sent.rtp++;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    // And a TCP stream that cannot be framed.
    const tcp = connect(sipPort, '127.0.0.1');
    await new Promise<void>((resolve) => tcp.once('connect', () => resolve()));
    tcp.write(Buffer.concat([Buffer.from('INVITE sip:x SIP/2.0\r\nVia: nonsense\r\n\r\n'), Buffer.from(Array.from({ length: 4096 }, () => random() * 256))]));
    tcp.destroy();

    const contact = await app.ended(contactId);
    const metrics = parsePrometheus(await (await fetch(`${app.url}/metrics`)).text());
    fuzzer.close();
    sink.socket.close();
    assert.ok(sent.sip >= 2000 && sent.rtp >= 2000);
    const dropped = sampleValue(metrics, 'outdial_sip_malformed_messages_total') ?? 0;
    assert.ok(dropped >= 1000, `${dropped} malformed SIP messages counted`);
    assert.equal(contact.DisconnectReason, 'CONTACT_FLOW_DISCONNECT', 'the flow ran to its end');
    assert.equal((await sipp.done).code, 0, 'the callee saw a normal call: ACK, then BYE');
    // The callee kept hearing the prompt through the flood, with no gap in the sequence.
    const rtp = sink.packets.map((p) => parseRtp(p.data)!);
    assert.ok(rtp.length - before > 100, `${rtp.length - before} packets after the flood began`);
    for (let i = 1; i < rtp.length; i++) assert.equal(rtp[i]!.sequence, (rtp[i - 1]!.sequence + 1) & 0xffff);
  });
});

const VALID_INVITE = [
  'INVITE sip:+12065550100@127.0.0.1 SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKfuzz;rport',
  'Max-Forwards: 70',
  'From: <sip:fuzzer@127.0.0.1>;tag=fz',
  'To: <sip:+12065550100@127.0.0.1>',
  'Call-ID: fuzz@127.0.0.1',
  'CSeq: 1 INVITE',
  'Contact: <sip:fuzzer@127.0.0.1:5999>',
  'Content-Type: application/sdp',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

/** Mutations of a valid INVITE and plain garbage: flipped, cut, repeated and inserted bytes. */
function malformedSip(random: () => number, count: number): Buffer[] {
  const base = Buffer.from(VALID_INVITE);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const message = Buffer.from(base);
    switch (i % 5) {
      case 0:
        for (let k = 0; k < 8; k++) message[Math.floor(random() * message.length)] = Math.floor(random() * 256);
        out.push(message);
        break;
      case 1:
        out.push(message.subarray(0, Math.floor(random() * message.length)));
        break;
      case 2:
        out.push(Buffer.from(Array.from({ length: 1 + Math.floor(random() * 1400) }, () => Math.floor(random() * 256))));
        break;
      case 3:
        out.push(Buffer.from(VALID_INVITE.replace('CSeq: 1 INVITE', `CSeq: ${Math.floor(random() * 1e12)} BYE`)));
        break;
      default:
        out.push(Buffer.from(VALID_INVITE.replace('Via: SIP/2.0/UDP', 'Via: SIP/9.9/QUIC').replace('Content-Length: 0', 'Content-Length: 99999')));
    }
  }
  return out;
}

/** Truncated headers, wrong versions, payload types nobody negotiated, and noise. */
function malformedRtp(random: () => number, count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const length = i % 3 === 0 ? Math.floor(random() * 12) : 12 + Math.floor(random() * 300);
    const packet = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
    if (i % 3 === 1 && packet.length >= 12) {
      packet[0] = 0x80;
      // A payload type outside what was negotiated (0 and 101).
      packet[1] = 96 + (Math.floor(random() * 4) % 4);
    }
    out.push(packet);
  }
  return out;
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
