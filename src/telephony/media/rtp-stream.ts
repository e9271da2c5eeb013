/**
 * One call's RTP: a UDP socket on an even port, 20 ms G.711 frames out on the shared pacer's tick, and
 * what comes back turned into key presses, recorded audio and proof that the far end is alive.
 *
 * The stream's timeline never stops: every 20 ms advances the RTP timestamp, so timestamps stay true to
 * elapsed time. A prompt moves on with every frame produced, sent or not (on hold, before the far end is
 * known), so it ends when it would have ended for a listener; frames the pacer had to skip delay the
 * prompt rather than cut words out of it.
 *
 * Two streams on one thread can be bridged: each hands the audio it receives to the other, which sends it
 * on its own tick in place of comfort noise, and forwards key presses at once, re-stamped (relay.ts).
 */
import type dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { DtmfReceiver } from './dtmf.js';
import { decodeG711, encodeG711, G711_SILENCE, type G711Codec } from './g711.js';
import type { MediaStream, MediaStreamListener, MediaStreamStats, RecordingResult, RemoteMedia } from './media-engine.js';
import { FRAME_MS, type PacedStream, type Pacer } from './pacer.js';
import type { PortAllocator } from './port-allocator.js';
import { CallRecorder, FRAME_SAMPLES } from './recorder.js';
import { EventRelay, RelayBuffer } from './relay.js';
import { parseRtp, serializeRtp } from './rtp-packet.js';

export interface RtpStreamOptions {
  /** Dates recordings; media timing comes from the pacer. */
  readonly clock: Clock;
  readonly pacer: Pacer;
  readonly ports: PortAllocator;
  readonly bindAddress: string;
  /** Silence from the far end after which `inactive` is reported; 0 never reports. */
  readonly inactivityMs: number;
  readonly logger: Logger;
  /** Told when the stream starts closing, so its owner can forget it. */
  readonly onClose?: (stream: RtpStream) => void;
}

export type RtpStreamResult = MediaStreamStats & { readonly recording: RecordingResult | null };

export async function openRtpStream(listener: MediaStreamListener, options: RtpStreamOptions): Promise<RtpStream> {
  const { socket, port } = await options.ports.bind(options.bindAddress);
  const stream = new RtpStream(listener, options, socket, port);
  options.pacer.add(stream);
  return stream;
}

interface Playing {
  readonly pcm: Int16Array;
  readonly token: number;
  /** Next byte of `encoded` to send. */
  position: number;
  codec: G711Codec | null;
  encoded: Uint8Array;
}

interface Recording {
  readonly recorder: CallRecorder;
  readonly startedAt: number;
}

export class RtpStream implements MediaStream, PacedStream {
  readonly #ssrc = randomInt(2 ** 32);
  #sequence = randomInt(2 ** 16);
  #timestamp = randomInt(2 ** 32);
  /** The next packet starts a talk spurt (RFC 3551 §4.1): first packet, new prompt, after a gap. */
  #marker = true;
  #remote: RemoteMedia | null = null;
  /** Symmetric RTP: where the far end's packets come from, which beats its SDP behind a NAT. */
  #source: { readonly address: string; readonly port: number } | null = null;
  #eventSsrc: number | null = null;
  /** A source other than the SDP's, on probation before we latch onto it. */
  #candidate: { readonly address: string; readonly port: number; sequence: number; count: number } | null = null;
  readonly #dtmf: DtmfReceiver;
  #playing: Playing | null = null;
  #noiseFrame = 0;
  /** Frames since the stream opened; the time base of DTMF timeouts. */
  #frames = 0;
  #quietFrames = 0;
  #inactiveReported = false;
  #recording: Recording | null = null;
  #packetsSent = 0;
  #packetsReceived = 0;
  /** The stream this one is bridged to, whose far end's audio and keys we send to ours. */
  #peer: RtpStream | null = null;
  readonly #relayed = new RelayBuffer();
  readonly #events = new EventRelay();
  #sendErrors = 0;
  #closing: Promise<RtpStreamResult> | null = null;

  constructor(
    private readonly listener: MediaStreamListener,
    private readonly options: RtpStreamOptions,
    private readonly socket: dgram.Socket,
    readonly localPort: number,
  ) {
    this.#dtmf = new DtmfReceiver((key) => this.#emit(() => listener.digit(key)));
    socket.on('message', (data, rinfo) => this.#receive(data, rinfo));
    socket.on('error', (error) => {
      // ICMP errors repeat for every packet to a dead peer; the first one says it all.
      if (this.#sendErrors++ === 0) options.logger.warn('RTP socket error', { port: localPort, error: error.message });
    });
  }

  setRemote(remote: RemoteMedia): void {
    const previous = this.#remote;
    if (previous === null || previous.address !== remote.address || previous.port !== remote.port) this.#source = null;
    this.#remote = remote;
    this.#quietFrames = 0;
  }

  play(audio: Int16Array, token: number): void {
    if (this.#closing !== null) return;
    const previous = this.#playing;
    if (previous === null) this.#marker = true;
    this.#playing = { pcm: audio, token, position: 0, codec: null, encoded: new Uint8Array(0) };
    if (previous !== null) this.#finished(previous.token);
  }

  stopPlaying(): void {
    const playing = this.#playing;
    if (playing === null) return;
    this.#playing = null;
    this.#finished(playing.token);
  }

  startRecording(path: string): void {
    if (this.#closing !== null) return;
    if (this.#recording !== null) {
      this.options.logger.warn('already recording; second recording ignored', { path: this.#recording.recorder.path, ignored: path });
      return;
    }
    this.#recording = { recorder: new CallRecorder(path), startedAt: this.options.clock.now() };
  }

  async stopRecording(): Promise<RecordingResult | null> {
    const recording = this.#recording;
    if (recording === null) return null;
    this.#recording = null;
    const stoppedAt = this.options.clock.now();
    await recording.recorder.stop();
    return { path: recording.recorder.path, startedAt: recording.startedAt, stoppedAt };
  }

  bridge(peer: MediaStream | null): void {
    if (peer !== null && !(peer instanceof RtpStream)) throw new TypeError('an RTP stream can only be bridged to another stream of the same engine');
    if (peer === this.#peer) return;
    this.#unbridge();
    if (peer === null || peer === this || this.#closing !== null || peer.#closing !== null) return;
    peer.#unbridge();
    this.#peer = peer;
    peer.#peer = this;
  }

  /** Reports nothing after it is called: a prompt cut off by the close has no `playFinished`. */
  close(): Promise<RtpStreamResult> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  sendFrame(): void {
    const codec = this.#remote?.codec ?? 'PCMU';
    const payload = this.#nextPayload(codec);
    const sent = this.#transmit(payload);
    this.#recording?.recorder.sent(sent ? decodeG711(codec, payload) : null);
    this.#timestamp = (this.#timestamp + FRAME_SAMPLES) >>> 0;
    this.#elapse(1);
  }

  skipFrames(count: number): void {
    this.#timestamp = (this.#timestamp + count * FRAME_SAMPLES) >>> 0;
    // The far end sees a gap in time, as after silence suppression; the marker lets it re-sync its playout.
    this.#marker = true;
    for (let i = 0; i < count; i++) this.#recording?.recorder.sent(null);
    this.#elapse(count);
  }

  async #close(): Promise<RtpStreamResult> {
    this.#unbridge();
    this.options.onClose?.(this);
    this.options.pacer.remove(this);
    this.#playing = null;
    let recording: RecordingResult | null = null;
    try {
      recording = await this.stopRecording();
    } catch (error) {
      this.options.logger.error('recording failed', { port: this.localPort, error: error instanceof Error ? error.message : String(error) });
    }
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
    this.options.ports.release(this.localPort);
    return { packetsSent: this.#packetsSent, packetsReceived: this.#packetsReceived, recording };
  }

  #unbridge(): void {
    const peer = this.#peer;
    this.#peer = null;
    this.#relayed.clear();
    this.#events.reset();
    if (peer === null || peer.#peer !== this) return;
    peer.#peer = null;
    peer.#relayed.clear();
    peer.#events.reset();
  }

  /** The next 160 bytes of the prompt, the bridged leg's audio, or comfort noise. */
  #nextPayload(codec: G711Codec): Uint8Array {
    // The bridged leg's audio is taken on every tick, even while a prompt plays over it, so it stays current.
    const relayed = this.#peer === null ? null : this.#relayed.take();
    const playing = this.#playing;
    if (playing !== null) {
      if (playing.codec !== codec) {
        playing.encoded = encodeFrames(playing.pcm, codec);
        playing.codec = codec;
      }
      if (playing.position < playing.encoded.length) {
        const frame = playing.encoded.subarray(playing.position, playing.position + FRAME_SAMPLES);
        playing.position += FRAME_SAMPLES;
        if (playing.position >= playing.encoded.length) this.stopPlaying();
        return frame;
      }
      this.stopPlaying();
    }
    if (relayed !== null) return encodeG711(codec, relayed);
    const noise = COMFORT_NOISE[codec];
    this.#noiseFrame = (this.#noiseFrame + 1) % NOISE_FRAMES;
    return noise.subarray(this.#noiseFrame * FRAME_SAMPLES, (this.#noiseFrame + 1) * FRAME_SAMPLES);
  }

  /** Sends the frame unless there is nowhere to send or the far end holds the call; true when sent. */
  #transmit(payload: Uint8Array): boolean {
    const remote = this.#remote;
    if (this.#closing !== null || remote === null || remote.direction === 'recvonly' || remote.direction === 'inactive') {
      this.#marker = true;
      return false;
    }
    const target = this.#source ?? remote;
    const header = { marker: this.#marker, payloadType: remote.payloadType, sequence: this.#sequence, timestamp: this.#timestamp, ssrc: this.#ssrc };
    this.socket.send(serializeRtp(header, payload), target.port, target.address);
    this.#sequence = (this.#sequence + 1) & 0xffff;
    this.#marker = false;
    this.#packetsSent++;
    return true;
  }

  #elapse(frames: number): void {
    this.#frames += frames;
    this.#dtmf.poll(this.#frames * FRAME_MS);
    if (!this.#watching()) return;
    this.#quietFrames += frames;
    if (this.#quietFrames * FRAME_MS < this.options.inactivityMs) return;
    this.#inactiveReported = true;
    this.#emit(() => this.listener.inactive());
  }

  /**
   * Only a far end that sends is watched. Holding with `a=sendonly` (our `recvonly`) may or may not bring
   * music, `inactive` brings nothing, and a far end that is `recvonly` (our `sendonly`) sends nothing by
   * definition; none of those is a dead call.
   */
  #watching(): boolean {
    return this.options.inactivityMs > 0 && !this.#inactiveReported && this.#closing === null && this.#remote?.direction === 'sendrecv';
  }

  #receive(data: Buffer, rinfo: dgram.RemoteInfo): void {
    const remote = this.#remote;
    if (remote === null || this.#closing !== null) return;
    const source = this.#source;
    if (source !== null && (source.address !== rinfo.address || source.port !== rinfo.port)) return;
    const packet = parseRtp(data);
    if (packet === null) return;
    const audio = packet.payloadType === remote.payloadType;
    if (!audio && packet.payloadType !== remote.telephoneEventPayloadType) return;
    if (source === null && !this.#latch(rinfo, packet.sequence, remote)) return;
    this.#packetsReceived++;
    this.#quietFrames = 0;
    if (audio) {
      const peer = this.#peer;
      if (this.#recording === null && peer === null) return;
      const pcm = decodeG711(remote.codec, packet.payload);
      this.#recording?.recorder.received(packet.ssrc, packet.timestamp, pcm);
      if (peer !== null) peer.#relayed.push(pcm);
      return;
    }
    const peer = this.#peer;
    if (peer !== null) peer.#relayEvent(packet.ssrc, packet.timestamp, packet.payload);
    // Some gateways give telephone-events their own SSRC, so only a change of that one restarts the dedup.
    if (packet.ssrc !== this.#eventSsrc) {
      this.#eventSsrc = packet.ssrc;
      this.#dtmf.reset();
    }
    this.#dtmf.receive(packet.timestamp, packet.payload, this.#frames * FRAME_MS);
  }

  /** Sends a key press of the bridged leg's far end to ours, now rather than on the tick, as RFC 4733 senders do. */
  #relayEvent(ssrc: number, timestamp: number, payload: Uint8Array): void {
    const remote = this.#remote;
    if (this.#closing !== null || remote === null || remote.telephoneEventPayloadType === null) return;
    if (remote.direction === 'recvonly' || remote.direction === 'inactive') return;
    const event = this.#events.relay(ssrc, timestamp, payload, this.#timestamp);
    const target = this.#source ?? remote;
    const header = { marker: event.marker, payloadType: remote.telephoneEventPayloadType, sequence: this.#sequence, timestamp: event.timestamp, ssrc: this.#ssrc };
    this.socket.send(serializeRtp(header, event.payload), target.port, target.address);
    this.#sequence = (this.#sequence + 1) & 0xffff;
    this.#packetsSent++;
  }

  /**
   * Symmetric RTP with strict learning, as Asterisk's strictrtp does: media from the SDP's address is taken
   * at once; any other source must first send PROBATION_PACKETS in sequence, so a stray or forged packet
   * cannot steer our audio away from the callee (RTP bleed).
   */
  #latch(rinfo: dgram.RemoteInfo, sequence: number, remote: RemoteMedia): boolean {
    if (rinfo.address === remote.address && rinfo.port === remote.port) {
      this.#source = { address: rinfo.address, port: rinfo.port };
      return true;
    }
    const candidate = this.#candidate;
    if (candidate !== null && candidate.address === rinfo.address && candidate.port === rinfo.port && sequence === ((candidate.sequence + 1) & 0xffff)) {
      candidate.sequence = sequence;
      if (++candidate.count < PROBATION_PACKETS) return false;
      this.#candidate = null;
      this.#source = { address: rinfo.address, port: rinfo.port };
      return true;
    }
    this.#candidate = { address: rinfo.address, port: rinfo.port, sequence, count: 1 };
    return false;
  }

  #finished(token: number): void {
    // Never inside `play` or a tick: the caller's state settles before it hears of the end.
    queueMicrotask(() => {
      if (this.#closing === null) this.#emit(() => this.listener.playFinished(token));
    });
  }

  /** A listener that throws must not take the socket or the pacer down with it. */
  #emit(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.options.logger.error('media listener failed', { port: this.localPort, error: error instanceof Error ? error.message : String(error) });
    }
  }
}

/**
 * G.711 for a prompt, padded with silence to whole frames. Cached per array and codec, so a prompt played
 * on a thousand calls is encoded once; the array must not change after it is first played.
 */
/** In-sequence packets a source other than the SDP's must send before we answer to it. */
const PROBATION_PACKETS = 4;

const encodedPrompts = new WeakMap<Int16Array, Partial<Record<G711Codec, Uint8Array>>>();

function encodeFrames(pcm: Int16Array, codec: G711Codec): Uint8Array {
  const cached = encodedPrompts.get(pcm) ?? {};
  encodedPrompts.set(pcm, cached);
  const hit = cached[codec];
  if (hit !== undefined) return hit;
  const frames = new Uint8Array(Math.ceil(pcm.length / FRAME_SAMPLES) * FRAME_SAMPLES).fill(G711_SILENCE[codec]);
  frames.set(encodeG711(codec, pcm));
  cached[codec] = frames;
  return frames;
}

/**
 * Comfort noise: one second of noise around -75 dBFS, so the line never sounds dead and a far end's
 * voice-activity detector stays quiet. A fixed linear congruential sequence keeps it reproducible.
 */
const NOISE_FRAMES = 50;
const COMFORT_NOISE: Readonly<Record<G711Codec, Uint8Array>> = (() => {
  const pcm = new Int16Array(NOISE_FRAMES * FRAME_SAMPLES);
  let seed = 0x2545f491;
  for (let i = 0; i < pcm.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    pcm[i] = (seed >>> 16) % 21 - 10;
  }
  return { PCMU: encodeG711('PCMU', pcm), PCMA: encodeG711('PCMA', pcm) };
})();
