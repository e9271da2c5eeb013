import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { AudioFormatError } from '../../../../src/telephony/media/audio-errors.js';
import { encodeG711 } from '../../../../src/telephony/media/g711.js';
import { readWav } from '../../../../src/telephony/media/wav.js';
import { encodeFloat, encodePcm, FORMAT, fmtChunk, interleave, riffWave, wav } from './audio-helpers.js';

const MONO_8K = { channels: 1, sampleRate: 8000 } as const;

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  assert.equal(actual.length, expected.length, 'length');
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tolerance, `sample ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('readWav', () => {
  it('reads 16-bit PCM exactly, as value / 32768', () => {
    const data = new Uint8Array(new Int16Array([0, 1, -1, 32767, -32768, 1234]).buffer);
    const decoded = readWav(wav({ format: FORMAT.pcm, bits: 16, ...MONO_8K, data }));
    assert.equal(decoded.sampleRate, 8000);
    assert.equal(decoded.channels, 1);
    assert.deepEqual([...decoded.samples], [0, 1, -1, 32767, -32768, 1234].map((v) => v / 32768));
  });

  it('reads 8-bit PCM as unsigned around 128', () => {
    const decoded = readWav(wav({ format: FORMAT.pcm, bits: 8, ...MONO_8K, data: Uint8Array.of(0, 128, 255, 64) }));
    assert.deepEqual([...decoded.samples], [-1, 0, 127 / 128, -0.5]);
  });

  it('reads 24-bit PCM with its sign', () => {
    const data = Uint8Array.of(0x00, 0x00, 0x80, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x00, 0x00, 0x40);
    const decoded = readWav(wav({ format: FORMAT.pcm, bits: 24, ...MONO_8K, data }));
    assert.deepEqual([...decoded.samples], [-1, 8388607 / 8388608, -1 / 8388608, 0.5]);
  });

  it('reads 32-bit PCM', () => {
    const values = [0.25, -0.75, 0, -1];
    const decoded = readWav(wav({ format: FORMAT.pcm, bits: 32, ...MONO_8K, data: encodePcm(values, 32) }));
    assertClose(decoded.samples, values, 1e-9);
  });

  it('reads 32- and 64-bit IEEE float, values past full scale included', () => {
    const values = [0.1, -0.5, 1.5, -1];
    for (const bits of [32, 64] as const) {
      const decoded = readWav(wav({ format: FORMAT.float, bits, ...MONO_8K, data: encodeFloat(values, bits) }));
      assertClose(decoded.samples, values, 1e-7);
    }
  });

  it('reads G.711 µ-law and A-law', () => {
    const pcm = Int16Array.of(0, 1000, -1000, 30000, -30000);
    for (const [format, codec] of [[FORMAT.mulaw, 'PCMU'], [FORMAT.alaw, 'PCMA']] as const) {
      const decoded = readWav(wav({ format, bits: 8, ...MONO_8K, data: encodeG711(codec, pcm) }));
      // G.711 keeps about 12 bits of a 16-bit sample at these levels.
      assertClose(decoded.samples, [...pcm].map((v) => v / 32768), 1024 / 32768);
    }
  });

  it('mixes channels to mono by averaging them', () => {
    const left = Float32Array.of(0.5, 0.5, -1);
    const right = Float32Array.of(-0.5, 0.25, -1);
    const data = encodePcm(interleave(left, right), 16);
    const decoded = readWav(wav({ format: FORMAT.pcm, bits: 16, channels: 2, sampleRate: 44100, data }));
    assert.equal(decoded.channels, 2);
    assert.equal(decoded.sampleRate, 44100);
    assert.deepEqual([...decoded.samples], [0, 0.375, -1]);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE naming PCM, float or µ-law', () => {
    const pcm = readWav(wav({ format: FORMAT.pcm, extensibleOf: FORMAT.pcm, bits: 24, ...MONO_8K, data: encodePcm([0.5], 24) }));
    assert.deepEqual([...pcm.samples], [0.5]);
    const float = readWav(wav({ format: FORMAT.float, extensibleOf: FORMAT.float, bits: 32, ...MONO_8K, data: encodeFloat([0.25], 32) }));
    assert.deepEqual([...float.samples], [0.25]);
    const mulaw = readWav(wav({ format: FORMAT.mulaw, extensibleOf: FORMAT.mulaw, bits: 8, ...MONO_8K, data: Uint8Array.of(0xff) }));
    assert.deepEqual([...mulaw.samples], [0]);
  });

  it('refuses an extensible sub-format that is not a WAVE format code', () => {
    const bytes = wav({ format: FORMAT.pcm, extensibleOf: FORMAT.pcm, guidTail: new Array(14).fill(1), bits: 16, ...MONO_8K, data: new Uint8Array(2) });
    assert.throws(() => readWav(bytes), { name: 'AudioFormatError', message: /extensible sub-format/ });
  });

  it('skips unknown chunks wherever they are and honours the pad byte after odd-sized ones', () => {
    const bytes = riffWave([
      { id: 'JUNK', body: new Uint8Array(3) },
      fmtChunk({ format: FORMAT.pcm, bits: 8, ...MONO_8K }),
      { id: 'LIST', body: new TextEncoder().encode('INFOISFT\x05\x00\x00\x00sox!!') },
      { id: 'fact', body: new Uint8Array(4) },
      { id: 'data', body: Uint8Array.of(128, 255, 0) },
      { id: 'id3 ', body: new Uint8Array(7) },
    ]);
    assert.deepEqual([...readWav(bytes).samples], [0, 127 / 128, -1]);
  });

  it('reads espeak-ng --stdout output, whose sizes are placeholders, to the end of the bytes', () => {
    const samples = Int16Array.of(100, -100, 200, -200);
    const bytes = riffWave(
      [fmtChunk({ format: FORMAT.pcm, bits: 16, channels: 1, sampleRate: 22050 }), { id: 'data', body: new Uint8Array(samples.buffer), declaredSize: 0x7ffff000 }],
      0x7ffff024,
    );
    const decoded = readWav(bytes);
    assert.equal(decoded.sampleRate, 22050);
    assert.deepEqual([...decoded.samples], [...samples].map((v) => v / 32768));
  });

  it('drops a partial frame at the end of a cut file', () => {
    const body = Uint8Array.of(0, 0x40, 0, 0xc0, 0x12);
    const bytes = riffWave([fmtChunk({ format: FORMAT.pcm, bits: 16, ...MONO_8K }), { id: 'data', body, declaredSize: 1000 }]);
    assert.deepEqual([...readWav(bytes.subarray(0, bytes.length - 1)).samples], [0.5, -0.5]);
  });

  it('reads a WAV that sits inside a larger buffer', () => {
    const inner = wav({ format: FORMAT.pcm, bits: 16, ...MONO_8K, data: encodePcm([0.5, -0.25], 16) });
    const outer = new Uint8Array(inner.length + 7);
    outer.set(inner, 3);
    assert.deepEqual([...readWav(outer.subarray(3, 3 + inner.length)).samples], [0.5, -0.25]);
  });

  it('reads an empty data chunk as no samples', () => {
    assert.equal(readWav(wav({ format: FORMAT.pcm, bits: 16, ...MONO_8K, data: new Uint8Array(0) })).samples.length, 0);
  });

  describe('refuses what it cannot read, with an AudioFormatError that says why', () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['empty bytes', new Uint8Array(0), /no RIFF\/WAVE header/],
      ['an MP3', Uint8Array.of(0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0, 0, 0), /no RIFF\/WAVE header/],
      ['big-endian RIFX', Uint8Array.from('RIFX\0\0\0\0WAVE', (c) => c.charCodeAt(0)), /no RIFF\/WAVE header/],
      ['no fmt chunk', riffWave([{ id: 'data', body: new Uint8Array(4) }]), /no fmt chunk/],
      ['no data chunk', riffWave([fmtChunk({ format: FORMAT.pcm, bits: 16, ...MONO_8K })]), /no data chunk/],
      ['ADPCM', wav({ format: FORMAT.adpcm, bits: 4, ...MONO_8K, data: new Uint8Array(4) }), /unsupported WAV encoding: format 0x0002/],
      ['12-bit PCM', wav({ format: FORMAT.pcm, bits: 12, ...MONO_8K, data: new Uint8Array(4) }), /format 0x0001 with 12 bits/],
      ['16-bit float', wav({ format: FORMAT.float, bits: 16, ...MONO_8K, data: new Uint8Array(4) }), /format 0x0003 with 16 bits/],
      ['no channels', wav({ format: FORMAT.pcm, bits: 16, channels: 0, sampleRate: 8000, data: new Uint8Array(4) }), /no channels/],
      ['a short fmt chunk', riffWave([{ id: 'fmt ', body: new Uint8Array(14) }, { id: 'data', body: new Uint8Array(2) }]), /fmt chunk is too short/],
    ];
    for (const [what, bytes, message] of cases) {
      it(what, () => {
        assert.throws(() => readWav(bytes), (error: unknown) => {
          assert.ok(error instanceof AudioFormatError);
          assert.match(error.message, message);
          return true;
        });
      });
    }

    it('a block align that does not match the sample size', () => {
      const chunk = fmtChunk({ format: FORMAT.pcm, bits: 16, channels: 2, sampleRate: 8000 });
      new DataView(chunk.body.buffer).setUint16(12, 3, true);
      assert.throws(() => readWav(riffWave([chunk, { id: 'data', body: new Uint8Array(4) }])), { name: 'AudioFormatError', message: /block align 3/ });
    });
  });
});
