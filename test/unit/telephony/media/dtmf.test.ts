import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { DTMF_EVENT_TIMEOUT_MS, DtmfReceiver, dtmfKey, encodeTelephoneEvent, parseTelephoneEvent } from '../../../../src/telephony/media/dtmf.js';
import { parseRtp } from '../../../../src/telephony/media/rtp-packet.js';
import { readUdpPcap, SIPP_PCAP_DIR } from '../../../helpers/sipp-pcap.js';

const SIPP_DTMF = [
  ['0', 'dtmf_2833_0.pcap'], ['1', 'dtmf_2833_1.pcap'], ['2', 'dtmf_2833_2.pcap'], ['3', 'dtmf_2833_3.pcap'],
  ['4', 'dtmf_2833_4.pcap'], ['5', 'dtmf_2833_5.pcap'], ['6', 'dtmf_2833_6.pcap'], ['7', 'dtmf_2833_7.pcap'],
  ['8', 'dtmf_2833_8.pcap'], ['9', 'dtmf_2833_9.pcap'], ['*', 'dtmf_2833_star.pcap'], ['#', 'dtmf_2833_pound.pcap'],
] as const;

function receiver(): { rx: DtmfReceiver; digits: string[] } {
  const digits: string[] = [];
  return { rx: new DtmfReceiver((key) => digits.push(key)), digits };
}

/** The packets of one press as a sender following RFC 4733 writes them: updates, then the end three times. */
function press(event: number, updates: number, end = true): Uint8Array[] {
  const packets = Array.from({ length: updates }, (_, i) => encodeTelephoneEvent({ event, end: false, volume: 10, duration: 400 * (i + 1) }));
  if (end) for (let i = 0; i < 3; i++) packets.push(encodeTelephoneEvent({ event, end: true, volume: 10, duration: 400 * (updates + 1) }));
  return packets;
}

describe('RFC 4733 payloads', () => {
  it('parses event, end bit, volume and duration', () => {
    assert.deepEqual(parseTelephoneEvent(Uint8Array.of(0x0b, 0x8a, 0x08, 0xc0)), { event: 11, end: true, volume: 10, duration: 2240 });
    assert.deepEqual(parseTelephoneEvent(Uint8Array.of(0x01, 0x0a, 0x01, 0x40)), { event: 1, end: false, volume: 10, duration: 320 });
  });

  it('ignores the reserved bit and rejects short payloads', () => {
    assert.equal(parseTelephoneEvent(Uint8Array.of(0x05, 0x4a, 0x00, 0xa0))?.volume, 10);
    assert.equal(parseTelephoneEvent(Uint8Array.of(1, 2, 3)), null);
  });

  it('round-trips through the encoder', () => {
    const event = { event: 15, end: true, volume: 63, duration: 0xffff };
    assert.deepEqual(parseTelephoneEvent(encodeTelephoneEvent(event)), event);
  });

  it('maps event codes to keys, flash and beyond to none', () => {
    assert.equal([...Array(16).keys()].map((e) => dtmfKey(e)).join(''), '0123456789*#ABCD');
    assert.equal(dtmfKey(16), null);
    assert.equal(dtmfKey(200), null);
  });
});

describe('DtmfReceiver', () => {
  it('reports a press once, on its first end packet', () => {
    const { rx, digits } = receiver();
    const packets = press(5, 4);
    packets.slice(0, 4).forEach((p, i) => rx.receive(8000, p, i * 50));
    assert.deepEqual(digits, []);
    packets.slice(4).forEach((p) => rx.receive(8000, p, 250));
    assert.deepEqual(digits, ['5']);
  });

  it('reports presses of the same key separately by their timestamps', () => {
    const { rx, digits } = receiver();
    for (const ts of [1000, 5000, 9000]) for (const p of press(7, 2)) rx.receive(ts, p, 0);
    assert.deepEqual(digits, ['7', '7', '7']);
  });

  it('reports a press whose end packets were all lost when the next one starts', () => {
    const { rx, digits } = receiver();
    for (const p of press(1, 3, false)) rx.receive(1000, p, 0);
    for (const p of press(2, 3)) rx.receive(9000, p, 0);
    assert.deepEqual(digits, ['1', '2']);
  });

  it('reports a press whose end packets were all lost once updates stop, and not again', () => {
    const { rx, digits } = receiver();
    for (const p of press(9, 3, false)) rx.receive(1000, p, 100);
    rx.poll(100 + DTMF_EVENT_TIMEOUT_MS - 1);
    assert.deepEqual(digits, []);
    rx.poll(100 + DTMF_EVENT_TIMEOUT_MS);
    assert.deepEqual(digits, ['9']);
    // A straggling end packet, still within the time the event is remembered.
    rx.receive(1000, encodeTelephoneEvent({ event: 9, end: true, volume: 10, duration: 2000 }), 100 + DTMF_EVENT_TIMEOUT_MS + 20);
    rx.poll(10_000);
    assert.deepEqual(digits, ['9']);
  });

  it('keeps a held key alive while updates come', () => {
    const { rx, digits } = receiver();
    for (let t = 0; t < 2000; t += 50) {
      rx.receive(1000, encodeTelephoneEvent({ event: 4, end: false, volume: 10, duration: t * 8 }), t);
      rx.poll(t + 49);
    }
    assert.deepEqual(digits, []);
  });

  it('hears the same timestamp after a pause as a new press, as when SIPp replays a capture', () => {
    const { rx, digits } = receiver();
    for (const p of press(1, 2)) rx.receive(0x33e0, p, 0);
    rx.receive(0x33e0, encodeTelephoneEvent({ event: 1, end: true, volume: 10, duration: 1200 }), 299);
    for (const p of press(1, 2)) rx.receive(0x33e0, p, 600);
    assert.deepEqual(digits, ['1', '1']);
  });

  it('ignores late packets of an earlier event, across timestamp wrap-around', () => {
    const { rx, digits } = receiver();
    for (const p of press(3, 1)) rx.receive(0xffffff00, p, 0);
    for (const p of press(6, 1)) rx.receive(0x00000100, p, 0);
    rx.receive(0xffffff00, encodeTelephoneEvent({ event: 3, end: true, volume: 10, duration: 800 }), 0);
    assert.deepEqual(digits, ['3', '6']);
  });

  it('treats a press longer than one packet can say as one event (§2.5.1.3)', () => {
    const { rx, digits } = receiver();
    rx.receive(1000, encodeTelephoneEvent({ event: 0, end: false, volume: 10, duration: 0xff00 }), 0);
    rx.receive(1000, encodeTelephoneEvent({ event: 0, end: false, volume: 10, duration: 0xffff }), 0);
    for (const p of press(0, 2)) rx.receive(1000 + 0xffff, p, 0);
    assert.deepEqual(digits, ['0']);
  });

  it('reports nothing for flash', () => {
    const { rx, digits } = receiver();
    for (const p of press(16, 2)) rx.receive(1000, p, 0);
    for (const p of press(16, 2, false)) rx.receive(2000, p, 0);
    rx.poll(10_000);
    assert.deepEqual(digits, []);
  });

  it('starts afresh after reset', () => {
    const { rx, digits } = receiver();
    for (const p of press(8, 1)) rx.receive(1000, p, 0);
    rx.reset();
    for (const p of press(8, 1)) rx.receive(1000, p, 0);
    assert.deepEqual(digits, ['8', '8']);
  });

  it('drops short payloads', () => {
    const { rx, digits } = receiver();
    rx.receive(1000, Uint8Array.of(1, 0x80), 0);
    rx.poll(10_000);
    assert.deepEqual(digits, []);
  });

  it('hears the hardcoded packets of SIPp dtmf_2833_1.pcap as one 1', () => {
    const { rx, digits } = receiver();
    const durations = [0x0000, 0x0140, 0x0280, 0x03c0, 0x0500, 0x0640, 0x0780];
    durations.forEach((d, i) => rx.receive(0x33e0, Uint8Array.of(0x01, 0x0a, d >> 8, d & 0xff), i * 20));
    for (let i = 0; i < 3; i++) rx.receive(0x33e0, Uint8Array.of(0x01, 0x8a, 0x08, 0xc0), 140);
    rx.poll(10_000);
    assert.deepEqual(digits, ['1']);
  });

  it('hears every SIPp RFC 4733 capture as its key, once, and a replayed capture again', () => {
    const { rx, digits } = receiver();
    // Played 600 ms apart, as the SIPp scenarios do; the timestamps of the captures are not in key order.
    SIPP_DTMF.forEach(([, file], n) => {
      for (const { atMs, data } of readUdpPcap(join(SIPP_PCAP_DIR, file))) {
        const packet = parseRtp(data);
        assert.ok(packet, `${file}: RTP`);
        assert.equal(packet.payloadType, 101);
        rx.receive(packet.timestamp, packet.payload, n * 600 + atMs);
      }
    });
    for (const { atMs, data } of readUdpPcap(join(SIPP_PCAP_DIR, 'dtmf_2833_pound.pcap'))) {
      const packet = parseRtp(data)!;
      rx.receive(packet.timestamp, packet.payload, 20_000 + atMs);
    }
    rx.poll(1e9);
    assert.equal(digits.join(''), '0123456789*##');
  });
});
