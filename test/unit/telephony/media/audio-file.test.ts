import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { AudioFormatError } from '../../../../src/telephony/media/audio-errors.js';
import { decodeAudioFile, loadAudioFile } from '../../../../src/telephony/media/audio-file.js';
import { encodeG711 } from '../../../../src/telephony/media/g711.js';
import { encodeFloat, encodePcm, FORMAT, interleave, rms, sine, toneAmplitude, wav } from './audio-helpers.js';

/** 0.6 s of a 440 Hz sine at half scale, stereo 44.1 kHz, 96 kbit/s, with an ID3v2 tag (see README.md there). */
const MP3_FIXTURE = new URL('../../../fixtures/audio/tone-440hz-stereo-44k1.mp3', import.meta.url);
const HALF_SCALE = 16384;
const EDGE = 200;

/** Checks 8 kHz audio for a half-scale tone of `frequency` lasting `seconds`. */
function assertTone(pcm: Int16Array, frequency: number, seconds: number, tolerance = 0.02): void {
  assert.ok(Math.abs(pcm.length - seconds * 8000) <= 1, `length ${pcm.length}`);
  const amplitude = toneAmplitude(pcm, frequency, 8000, EDGE, pcm.length - EDGE);
  assert.ok(Math.abs(amplitude / HALF_SCALE - 1) < tolerance, `${frequency} Hz at ${amplitude}`);
  const all = rms(pcm, EDGE, pcm.length - EDGE);
  assert.ok(Math.abs(all / (HALF_SCALE / Math.SQRT2) - 1) < tolerance, `nothing but the tone (rms ${all})`);
}

describe('decodeAudioFile', () => {
  it('passes 8 kHz 16-bit mono WAV through unchanged', async () => {
    const samples = Int16Array.from({ length: 800 }, (_, i) => Math.round(12000 * Math.sin(i / 5)));
    const bytes = wav({ format: FORMAT.pcm, bits: 16, channels: 1, sampleRate: 8000, data: new Uint8Array(samples.buffer) });
    assert.deepEqual(await decodeAudioFile(bytes, 'prompt.wav'), samples);
  });

  for (const rate of [16000, 22050, 44100, 48000]) {
    it(`resamples ${rate} Hz WAV to 8 kHz`, async () => {
      const data = encodePcm(sine(1000, rate, 0.5), 16);
      assertTone(await decodeAudioFile(wav({ format: FORMAT.pcm, bits: 16, channels: 1, sampleRate: rate, data }), 'a.wav'), 1000, 0.5);
    });
  }

  it('mixes stereo to mono', async () => {
    const tone = sine(700, 44100, 0.5);
    const data = encodePcm(interleave(tone, tone), 16);
    assertTone(await decodeAudioFile(wav({ format: FORMAT.pcm, bits: 16, channels: 2, sampleRate: 44100, data }), 'a.wav'), 700, 0.5);
  });

  it('reads float WAV', async () => {
    const data = encodeFloat(sine(1000, 48000, 0.5), 32);
    assertTone(await decodeAudioFile(wav({ format: FORMAT.float, bits: 32, channels: 1, sampleRate: 48000, data }), 'a.wav'), 1000, 0.5);
  });

  it('reads µ-law WAV', async () => {
    const pcm = Int16Array.from(sine(1000, 8000, 0.5), (v) => Math.round(v * 32768));
    const bytes = wav({ format: FORMAT.mulaw, bits: 8, channels: 1, sampleRate: 8000, data: encodeG711('PCMU', pcm) });
    assertTone(await decodeAudioFile(bytes, 'a.wav'), 1000, 0.5);
  });

  it('decodes MP3 (MPEG-1 layer III with an ID3 tag)', async () => {
    const bytes = await readFile(MP3_FIXTURE);
    assert.ok(bytes.length < 20_000);
    assertTone(await decodeAudioFile(bytes, 'tone.mp3'), 440, 0.6, 0.05);
  });

  it('tells the container by its bytes before its name', async () => {
    const mp3 = await readFile(MP3_FIXTURE);
    const withoutId3 = mp3.subarray(10 + ((mp3[6]! << 21) | (mp3[7]! << 14) | (mp3[8]! << 7) | mp3[9]!));
    assert.equal(withoutId3[0], 0xff, 'starts with a frame sync');
    assertTone(await decodeAudioFile(withoutId3, 'prompt.wav'), 440, 0.6, 0.05);
    const wavBytes = wav({ format: FORMAT.pcm, bits: 16, channels: 1, sampleRate: 8000, data: encodePcm(sine(1000, 8000, 0.5), 16) });
    assertTone(await decodeAudioFile(wavBytes, 'audio/mpeg'), 1000, 0.5);
  });

  it('falls back to the name or MIME type when the bytes do not say', async () => {
    // Junk before the first frame: mpg123 finds the frames, the magic-byte check does not.
    const junk = Buffer.concat([Buffer.from('not a tag, just junk before the frames'), await readFile(MP3_FIXTURE)]);
    assertTone(await decodeAudioFile(junk, 'PROMPT.MP3'), 440, 0.6, 0.05);
    assertTone(await decodeAudioFile(junk, 'audio/mpeg; charset=binary'), 440, 0.6, 0.05);
    await assert.rejects(decodeAudioFile(junk, 'prompt.ogg'), { name: 'AudioFormatError', message: /unrecognised audio format \(prompt\.ogg\)/ });
  });

  it('refuses an MP3 the decoder reports errors for, or finds no frames in', async () => {
    // A frame header followed by noise: mpg123 loses sync and says so.
    let seed = 1;
    const noise = Uint8Array.from({ length: 4000 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    const broken = Buffer.concat([Uint8Array.of(0xff, 0xfb, 0x90, 0x00), noise]);
    await assert.rejects(decodeAudioFile(broken, 'x.mp3'), { name: 'AudioFormatError', message: /^MP3 decoding failed/ });
    await assert.rejects(decodeAudioFile(Buffer.from('no frames in here at all'), 'x.mp3'), { name: 'AudioFormatError', message: /no audio frames/ });
  });

  it('refuses a WAV it cannot read', async () => {
    const adpcm = wav({ format: FORMAT.adpcm, bits: 4, channels: 1, sampleRate: 8000, data: new Uint8Array(4) });
    await assert.rejects(decodeAudioFile(adpcm, 'x.wav'), { name: 'AudioFormatError', message: /format 0x0002/ });
  });
});

describe('loadAudioFile', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outdial-audio-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and decodes a file', async () => {
    const path = join(dir, 'tone.wav');
    await writeFile(path, wav({ format: FORMAT.pcm, bits: 24, channels: 1, sampleRate: 22050, data: encodePcm(sine(1000, 22050, 0.5), 24) }));
    assertTone(await loadAudioFile(path), 1000, 0.5);
  });

  it('names the file in a format error', async () => {
    const path = join(dir, 'notes.txt');
    await writeFile(path, 'hello');
    await assert.rejects(loadAudioFile(path), (error: unknown) => {
      assert.ok(error instanceof AudioFormatError);
      assert.ok(error.message.startsWith(`${path}: unrecognised audio format`), error.message);
      return true;
    });
  });

  it('passes on a missing file as the file system reports it', async () => {
    await assert.rejects(loadAudioFile(join(dir, 'missing.wav')), { code: 'ENOENT' });
  });
});
