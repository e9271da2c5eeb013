import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseRtp, serializeRtp } from '../../../../src/telephony/media/rtp-packet.js';

const HEADER = { marker: true, payloadType: 101, sequence: 0xfffe, timestamp: 0xfffffff0, ssrc: 0xdeadbeef };

describe('RTP packets', () => {
  it('round-trips the fixed header and payload', () => {
    const payload = Uint8Array.of(1, 2, 3, 4);
    const wire = serializeRtp(HEADER, payload);
    assert.equal(wire.length, 16);
    assert.equal(wire.toString('hex'), '80e5fffefffffff0deadbeef01020304');
    const packet = parseRtp(wire);
    assert.ok(packet);
    assert.deepEqual({ ...packet, payload: [...packet.payload] }, { ...HEADER, payload: [1, 2, 3, 4] });
  });

  it('parses a packet SIPp replays from its RFC 4733 pcap', () => {
    const packet = parseRtp(Buffer.from('80651f37000033e00e05384e018a08c0', 'hex'));
    assert.ok(packet);
    assert.equal(packet.marker, false);
    assert.equal(packet.payloadType, 101);
    assert.equal(packet.sequence, 0x1f37);
    assert.equal(packet.timestamp, 0x33e0);
    assert.equal(packet.ssrc, 0x0e05384e);
    assert.deepEqual([...packet.payload], [0x01, 0x8a, 0x08, 0xc0]);
  });

  it('skips CSRCs and a header extension, and strips padding', () => {
    const wire = Buffer.from(
      [
        'b2', // V=2, P=1, X=1, CC=2
        '00', '0001', '00000002', '00000003',
        '0000000a', '0000000b', // two CSRCs
        'bede', '0001', 'aabbccdd', // one-word extension
        '0102', // payload
        '000003', // three bytes of padding, the last one counting them
      ].join(''),
      'hex',
    );
    const packet = parseRtp(wire);
    assert.ok(packet);
    assert.deepEqual([...packet.payload], [1, 2]);
    assert.equal(packet.ssrc, 3);
  });

  it('reads a payload from a view into a larger buffer', () => {
    const backing = new Uint8Array(64);
    backing.set(serializeRtp({ ...HEADER, marker: false }, Uint8Array.of(9, 8)), 10);
    const packet = parseRtp(backing.subarray(10, 24));
    assert.ok(packet);
    assert.equal(packet.ssrc, 0xdeadbeef);
    assert.deepEqual([...packet.payload], [9, 8]);
  });

  it('accepts an empty payload', () => {
    assert.equal(parseRtp(serializeRtp(HEADER, new Uint8Array(0)))?.payload.length, 0);
  });

  it('returns null for anything malformed', () => {
    const valid = serializeRtp(HEADER, Uint8Array.of(1, 2, 3, 4));
    const variants: Record<string, Uint8Array> = {
      empty: new Uint8Array(0),
      'short header': valid.subarray(0, 11),
      'version 1': Uint8Array.from(valid, (b, i) => (i === 0 ? 0x40 : b)),
      'version 0 (STUN and friends)': Uint8Array.from(valid, (b, i) => (i === 0 ? 0x00 : b)),
      'CSRC count beyond the end': Uint8Array.from(valid, (b, i) => (i === 0 ? 0x8f : b)),
      'extension header cut short': Buffer.from('90000001000000020000000301', 'hex'),
      'extension longer than the packet': Buffer.from('9000000100000002000000030000000500', 'hex'),
      'zero padding count': Buffer.from('a00000010000000200000003010200', 'hex'),
      'padding longer than the payload': Buffer.from('a00000010000000200000003010205', 'hex'),
    };
    for (const [name, bytes] of Object.entries(variants)) assert.equal(parseRtp(bytes), null, name);
  });

  it('never throws on random bytes', () => {
    let seed = 1;
    for (let n = 0; n < 20000; n++) {
      const bytes = new Uint8Array(n % 40);
      for (let i = 0; i < bytes.length; i++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        bytes[i] = seed >>> 24;
      }
      if (bytes.length > 0) bytes[0] = (bytes[0]! & 0x3f) | 0x80;
      const packet = parseRtp(bytes);
      if (packet !== null) assert.ok(packet.payload.length <= bytes.length - 12);
    }
  });
});
