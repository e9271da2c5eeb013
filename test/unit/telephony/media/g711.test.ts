import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import alawmulaw from 'alawmulaw';

import { decodeG711, encodeG711, G711_SILENCE } from '../../../../src/telephony/media/g711.js';

const EVERY_SAMPLE = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
const EVERY_CODE = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('G.711', () => {
  it('encodes µ-law exactly as alawmulaw on all 65536 inputs', () => {
    assert.deepEqual(encodeG711('PCMU', EVERY_SAMPLE), alawmulaw.mulaw.encode(EVERY_SAMPLE));
  });

  it('decodes both laws exactly as alawmulaw on all 256 codes', () => {
    assert.deepEqual(decodeG711('PCMU', EVERY_CODE), alawmulaw.mulaw.decode(EVERY_CODE));
    assert.deepEqual(decodeG711('PCMA', EVERY_CODE), alawmulaw.alaw.decode(EVERY_CODE));
  });

  // They differ on 127 negative inputs exactly between two codes: mostly ties, and at the six segment edges
  // from -512 to -16384 alawmulaw picks the code of the wrong segment, twice as far off.
  it('encodes A-law as alawmulaw except on quantization boundaries, never further from the input', () => {
    const ours = encodeG711('PCMA', EVERY_SAMPLE);
    const theirs = alawmulaw.alaw.encode(EVERY_SAMPLE);
    const ourValues = decodeG711('PCMA', ours);
    const theirValues = decodeG711('PCMA', theirs);
    let differing = 0;
    for (let i = 0; i < EVERY_SAMPLE.length; i++) {
      if (ours[i] === theirs[i]) continue;
      differing++;
      const x = EVERY_SAMPLE[i]!;
      assert.ok(x < 0 && Math.abs(ourValues[i]! - x) <= Math.abs(theirValues[i]! - x), `input ${x}`);
    }
    assert.equal(differing, 127);
  });

  it('round-trips every A-law code, and every µ-law code but negative zero', () => {
    assert.deepEqual(encodeG711('PCMA', decodeG711('PCMA', EVERY_CODE)), EVERY_CODE);
    const mulaw = encodeG711('PCMU', decodeG711('PCMU', EVERY_CODE));
    for (const code of EVERY_CODE) assert.equal(mulaw[code], code === 0x7f ? 0xff : code);
  });

  it('names the codes of linear zero', () => {
    assert.equal(encodeG711('PCMU', Int16Array.of(0))[0], G711_SILENCE.PCMU);
    assert.equal(encodeG711('PCMA', Int16Array.of(0))[0], G711_SILENCE.PCMA);
  });
});
