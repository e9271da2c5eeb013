/**
 * The media side of a phone or customer in SIP tests where SIPp does the signalling: SIPp cannot count the
 * RTP it receives, so the test holds one UDP socket (the SDP SIPp answers with names its port) that speaks
 * recorded speech and key presses to outdial from that port, as a phone does, and keeps what outdial sends.
 * With it, the small tools those tests share: waiting for a condition, a frame's level, a free UDP port.
 */
import dgram from 'node:dgram';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { encodeTelephoneEvent } from '../../src/telephony/media/dtmf.js';
import { decodeG711, encodeG711, type G711Codec } from '../../src/telephony/media/g711.js';
import { parseRtp, serializeRtp, type RtpPacket } from '../../src/telephony/media/rtp-packet.js';
import { readUdpPcap, SIPP_PCAP_DIR } from './sipp-pcap.js';

/** 7 s of speech, 30 ms per packet, as SIPp ships it (PCMA). */
export const SPEECH = readUdpPcap(join(SIPP_PCAP_DIR, 'g711a.pcap')).map(({ data }) => decodeG711('PCMA', parseRtp(data)!.payload));

/** The root mean square of some samples: a frame's level. */
export function rms(samples: Int16Array): number {
  return Math.sqrt(samples.reduce((sum, v) => sum + v * v, 0) / Math.max(1, samples.length));
}

/**
 * Polls `probe` until it gives something other than undefined or false, and returns that: a condition
 * (`() => x !== undefined`) or a value to wait for, sync or async, every 10 ms. Throws after `timeoutMs`.
 */
export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** A UDP port on 127.0.0.1 that was free a moment ago (another may take it before it is used). */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

export interface TalkOptions {
  /**
   * Start the recording once outdial's port is known (nothing is skipped). Without it the recording plays
   * on its clock from the start, and the packets due before outdial's port is known are not sent.
   */
  readonly awaitOutdial?: boolean;
}

/** A phone's media: one socket that sends recorded speech and key presses to outdial, and keeps what comes. */
export class PhoneMedia {
  readonly received: (RtpPacket & { readonly at: number })[] = [];
  readonly socket = dgram.createSocket('udp4');
  port = 0;
  /** outdial's RTP port for this side, learnt from the first packet it sends (comfort noise from the answer on). */
  outdial = 0;
  #sequence = 1000;
  #timestamp = 80_000;
  readonly #ssrc = Math.floor(Math.random() * 2 ** 32);
  #talking: NodeJS.Timeout | undefined;

  constructor(
    readonly codec: G711Codec,
    readonly payloadType: number,
  ) {}

  /** A bound socket on 127.0.0.1; the caller closes it (close() is safe to call twice). */
  static async open(codec: G711Codec, payloadType: number): Promise<PhoneMedia> {
    const phone = new PhoneMedia(codec, payloadType);
    phone.socket.on('message', (data, rinfo) => {
      const packet = parseRtp(data);
      if (packet === null) return;
      if (phone.outdial === 0) phone.outdial = rinfo.port;
      phone.received.push({ ...packet, at: performance.now() });
    });
    await new Promise<void>((resolve) => phone.socket.bind(0, '127.0.0.1', resolve));
    phone.port = phone.socket.address().port;
    return phone;
  }

  /** Speaks the recording in a loop, one 30 ms packet every 30 ms, as the capture was made. */
  talk({ awaitOutdial = false }: TalkOptions = {}): void {
    let index = 0;
    this.#talking = setInterval(() => {
      if (awaitOutdial && this.outdial === 0) return;
      const frame = SPEECH[index++ % SPEECH.length]!;
      this.#send(this.payloadType, encodeG711(this.codec, frame), index === 1);
      this.#timestamp = (this.#timestamp + frame.length) >>> 0;
    }, 30);
  }

  /**
   * One RFC 4733 key press (payload type 101): ten updates, then the end packet three times. They go out
   * back to back rather than 20 ms apart: the receiver groups them by timestamp, and a stall of this thread
   * (which runs outdial too) between two updates long enough for the receiver to give up on the press
   * would make the rest a second press.
   */
  press(key: string): void {
    const event = '0123456789*#'.indexOf(key);
    const start = this.#timestamp;
    for (let n = 1; n <= 10; n++) this.#sendAt(101, encodeTelephoneEvent({ event, end: false, volume: 10, duration: n * 160 }), n === 1, start);
    for (let n = 0; n < 3; n++) this.#sendAt(101, encodeTelephoneEvent({ event, end: true, volume: 10, duration: 1600 }), false, start);
  }

  /** What outdial sent after `since` (performance.now()), by payload type. */
  packetsSince(since: number, payloadType: number): RtpPacket[] {
    return this.received.filter((p) => p.at >= since && p.payloadType === payloadType);
  }

  /** The audio outdial sent between two moments (performance.now()), in this side's payload type. */
  audioBetween(from: number, to: number): RtpPacket[] {
    return this.received.filter((p) => p.at >= from && p.at <= to && p.payloadType === this.payloadType);
  }

  close(): void {
    clearInterval(this.#talking);
    this.#talking = undefined;
    try {
      this.socket.close();
    } catch {
      // closed already
    }
  }

  #send(payloadType: number, payload: Uint8Array, marker: boolean): void {
    this.#sendAt(payloadType, payload, marker, this.#timestamp);
  }

  #sendAt(payloadType: number, payload: Uint8Array, marker: boolean, timestamp: number): void {
    if (this.outdial === 0) return;
    const data = serializeRtp({ marker, payloadType, sequence: this.#sequence, timestamp, ssrc: this.#ssrc }, payload);
    this.#sequence = (this.#sequence + 1) & 0xffff;
    this.socket.send(data, this.outdial, '127.0.0.1');
  }
}
