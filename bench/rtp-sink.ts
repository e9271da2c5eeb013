/**
 * The RTP sink of bench/sip-media-streams.ts, run as a child process of its own (`fork`): one UDP socket
 * that every benchmark call sends its RTP to, timing each packet as it arrives. For each stream (SSRC) and
 * each packet after its first, the transit difference of RFC 3550 §6.4.1, D = (arrival − previous arrival)
 * − (timestamp − previous timestamp) / 8 kHz: how far the packet's spacing strayed from its media
 * spacing, so a skipped frame (a timestamp jump) is not counted as jitter. Also RFC 3550's smoothed
 * interarrival jitter J per stream, lost packets (sequence gaps) and skipped frames (timestamp gaps).
 *
 * Arrival is timed when the callback runs (performance.now()), not by the kernel, so a busy sink inflates
 * the figures: its own event-loop delay is reported beside them.
 *
 * IPC: the parent sends 'start' (reset, measure from now), 'stop' (answers with SinkReport), 'exit'.
 * argv: [echo] — `echo` sends every packet back to where it came from, as a talking callee would.
 */
import dgram from 'node:dgram';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface SinkReport {
  readonly streams: number;
  readonly packets: number;
  /** |D| over every measured packet, ms. */
  readonly jitterP50Ms: number;
  readonly jitterP99Ms: number;
  readonly jitterP999Ms: number;
  readonly jitterMaxMs: number;
  /** Packets whose |D| was over 5 ms. */
  readonly packetsOver5Ms: number;
  /** RFC 3550 J at the end of the window, across streams, ms. */
  readonly rfc3550P50Ms: number;
  readonly rfc3550P99Ms: number;
  readonly rfc3550MaxMs: number;
  readonly lost: number;
  readonly skippedFrames: number;
  readonly outOfOrder: number;
  readonly seconds: number;
  /** The sink's own event-loop delay over the window, ms. */
  readonly sinkLoopDelayP99Ms: number;
  readonly sinkLoopDelayMaxMs: number;
}

export type SinkMessage = { readonly type: 'ready'; readonly port: number } | { readonly type: 'report'; readonly report: SinkReport };

interface Stream {
  arrival: number;
  timestamp: number;
  sequence: number;
  /** RFC 3550 J, in ms. */
  jitter: number;
}

/** |D| histogram: 10 µs bins up to 500 ms, then one overflow bin. */
const BIN_MS = 0.01;
const BINS = 50_000;

const echo = process.argv.includes('echo');
const histogram = new Uint32Array(BINS + 1);
const streams = new Map<number, Stream>();
let measuring = false;
let packets = 0;
let maxMs = 0;
let over5 = 0;
let lost = 0;
let skipped = 0;
let outOfOrder = 0;
let startedAt = 0;
/** The histogram holds whole timer intervals: the resolution is taken off to leave the delay. */
const LOOP_RESOLUTION_MS = 5;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });

const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 });

socket.on('message', (data, rinfo) => {
  const now = performance.now();
  if (echo) socket.send(data, rinfo.port, rinfo.address);
  if (!measuring || data.length < 12) return;
  const sequence = data.readUInt16BE(2);
  const timestamp = data.readUInt32BE(4);
  const ssrc = data.readUInt32BE(8);
  const stream = streams.get(ssrc);
  if (stream === undefined) {
    streams.set(ssrc, { arrival: now, timestamp, sequence, jitter: 0 });
    return;
  }
  const steps = (sequence - stream.sequence) & 0xffff;
  if (steps === 0 || steps > 0x8000) {
    outOfOrder++;
    return;
  }
  if (steps > 1) lost += steps - 1;
  const mediaMs = ((timestamp - stream.timestamp) >>> 0) / 8;
  const extraFrames = Math.round(mediaMs / 20) - steps;
  if (extraFrames > 0) skipped += extraFrames;
  const d = Math.abs(now - stream.arrival - mediaMs);
  stream.jitter += (d - stream.jitter) / 16;
  stream.arrival = now;
  stream.timestamp = timestamp;
  stream.sequence = sequence;
  packets++;
  if (d > maxMs) maxMs = d;
  if (d > 5) over5++;
  histogram[Math.min(BINS, Math.floor(d / BIN_MS))]!++;
});

function quantile(q: number): number {
  if (packets === 0) return 0;
  const rank = Math.ceil(q * packets);
  let seen = 0;
  for (let bin = 0; bin <= BINS; bin++) {
    seen += histogram[bin]!;
    if (seen >= rank) return bin === BINS ? maxMs : (bin + 1) * BIN_MS;
  }
  return maxMs;
}

function report(): SinkReport {
  const jitters = [...streams.values()].map((s) => s.jitter).sort((a, b) => a - b);
  const at = (q: number): number => (jitters.length === 0 ? 0 : jitters[Math.min(jitters.length - 1, Math.ceil(q * jitters.length) - 1)]!);
  const r = (v: number): number => Math.round(v * 100) / 100;
  return {
    streams: streams.size,
    packets,
    jitterP50Ms: r(quantile(0.5)),
    jitterP99Ms: r(quantile(0.99)),
    jitterP999Ms: r(quantile(0.999)),
    jitterMaxMs: r(maxMs),
    packetsOver5Ms: over5,
    rfc3550P50Ms: r(at(0.5)),
    rfc3550P99Ms: r(at(0.99)),
    rfc3550MaxMs: r(jitters.at(-1) ?? 0),
    lost,
    skippedFrames: skipped,
    outOfOrder,
    seconds: r((performance.now() - startedAt) / 1000),
    sinkLoopDelayP99Ms: r(Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS)),
    sinkLoopDelayMaxMs: r(Math.max(0, loopDelay.max / 1e6 - LOOP_RESOLUTION_MS)),
  };
}

process.on('message', (message: unknown) => {
  switch (message) {
    case 'start':
      histogram.fill(0);
      streams.clear();
      packets = maxMs = over5 = lost = skipped = outOfOrder = 0;
      startedAt = performance.now();
      loopDelay.reset();
      loopDelay.enable();
      measuring = true;
      return;
    case 'stop':
      measuring = false;
      loopDelay.disable();
      process.send?.({ type: 'report', report: report() } satisfies SinkMessage);
      return;
    case 'exit':
      socket.close(() => process.exit(0));
      return;
  }
});
process.on('disconnect', () => process.exit(0));

socket.bind(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', port: socket.address().port } satisfies SinkMessage);
});
