import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { resample, resampleInSlices, TELEPHONY_SAMPLE_RATE, toPcm16, toTelephonyPcm } from '../../../../src/telephony/media/resample.js';
import { decibels, rms, sine, toneAmplitude } from './audio-helpers.js';

/** Leaves out the filter's edges, where the signal starts from and ends in silence. */
const EDGE = 200;

function toneLevelAfter(frequency: number, fromRate: number, toRate: number): number {
  const out = resample(sine(frequency, fromRate, 1, 0.5), fromRate, toRate);
  return decibels(rms(out, EDGE, out.length - EDGE) / (0.5 / Math.SQRT2));
}

describe('resample', () => {
  it('returns an equal copy when the rates are equal', () => {
    const input = Float32Array.of(0.1, -0.2, 0.3);
    const output = resample(input, 8000, 8000);
    assert.deepEqual(output, input);
    assert.notEqual(output, input);
  });

  it('turns one second at 22050 Hz into one second at 8 kHz', () => {
    assert.equal(resample(new Float32Array(22050), 22050, 8000).length, 8000);
    assert.equal(resample(new Float32Array(1), 22050, 8000).length, 1);
    assert.equal(resample(new Float32Array(0), 22050, 8000).length, 0);
  });

  it('keeps a 1 kHz tone at its frequency and energy going from 22050 Hz to 8 kHz', () => {
    const input = sine(1000, 22050, 1, 0.5);
    const output = resample(input, 22050, 8000);
    const inner = [EDGE, output.length - EDGE] as const;
    assert.ok(Math.abs(decibels(rms(output, ...inner) / rms(input))) < 0.05, 'energy kept');
    const at1k = toneAmplitude(output, 1000, 8000, ...inner);
    assert.ok(Math.abs(at1k - 0.5) < 0.005, `1 kHz amplitude ${at1k}`);
    for (const elsewhere of [900, 1100, 2000, 3000]) {
      assert.ok(toneAmplitude(output, elsewhere, 8000, ...inner) < 0.005, `nothing at ${elsewhere} Hz`);
    }
    // The sine itself, sample by sample: output n lies at n / 8000 s, like the input at 22050 Hz.
    for (let n = EDGE; n < output.length - EDGE; n += 97) {
      assert.ok(Math.abs(output[n]! - 0.5 * Math.sin((2 * Math.PI * 1000 * n) / 8000)) < 0.002, `sample ${n}`);
    }
  });

  it('passes the telephone band flat and stops what would fold back above 4 kHz', () => {
    for (const frequency of [300, 1000, 2000, 3000, 3300]) {
      assert.ok(Math.abs(toneLevelAfter(frequency, 22050, 8000)) < 0.1, `${frequency} Hz passes`);
    }
    for (const frequency of [4000, 4500, 5000, 6000, 8000, 10000]) {
      const level = toneLevelAfter(frequency, 22050, 8000);
      assert.ok(level < -60, `${frequency} Hz is ${level.toFixed(1)} dB`);
    }
    assert.ok(toneLevelAfter(3900, 22050, 8000) < -40, 'the transition band ends below 4 kHz');
  });

  it('downsamples the other usual prompt rates', () => {
    for (const rate of [11025, 16000, 24000, 32000, 44100, 48000]) {
      assert.ok(Math.abs(toneLevelAfter(1000, rate, 8000)) < 0.05, `1 kHz from ${rate} Hz`);
      assert.ok(toneLevelAfter(5000, rate, 8000) < -60, `5 kHz from ${rate} Hz`);
    }
  });

  it('converts between rates with no small ratio, whose output instants are rounded', () => {
    for (const rate of [7999, 44056, 22050.5]) {
      const output = resample(sine(1000, rate, 1, 0.5), rate, 8000);
      for (let n = EDGE; n < output.length - EDGE; n += 89) {
        assert.ok(Math.abs(output[n]! - 0.5 * Math.sin((2 * Math.PI * 1000 * n) / 8000)) < 0.002, `${rate} Hz, sample ${n}`);
      }
    }
  });

  it('upsamples without images', () => {
    const output = resample(sine(1000, 8000, 1, 0.5), 8000, 16000);
    assert.equal(output.length, 15999);
    const inner = [EDGE, output.length - EDGE] as const;
    assert.ok(Math.abs(toneAmplitude(output, 1000, 16000, ...inner) - 0.5) < 0.005);
    // A 1 kHz tone at 8 kHz has its first image at 7 kHz.
    assert.ok(toneAmplitude(output, 7000, 16000, ...inner) < 0.5e-3);
  });

  it('keeps a constant level', () => {
    const output = resample(new Float32Array(22050).fill(0.5), 22050, 8000);
    for (let n = EDGE; n < output.length - EDGE; n++) assert.ok(Math.abs(output[n]! - 0.5) < 1e-3, `sample ${n}: ${output[n]}`);
  });

  it('refuses rates that are not positive', () => {
    for (const [from, to] of [[0, 8000], [8000, -1], [Number.NaN, 8000], [8000, Number.POSITIVE_INFINITY]]) {
      assert.throws(() => resample(new Float32Array(4), from!, to!), RangeError);
    }
  });
});

describe('toPcm16', () => {
  it('scales by 32768, rounds, and clips', () => {
    assert.deepEqual(
      [...toPcm16(Float32Array.of(0, 0.5, -0.5, 1, -1, 1.5, -2, 1 / 32768, 0.4 / 32768, 0.6 / 32768, -0.6 / 32768))],
      [0, 16384, -16384, 32767, -32768, 32767, -32768, 1, 0, 1, -1],
    );
  });

  it('turns NaN into silence', () => {
    assert.deepEqual([...toPcm16(Float32Array.of(Number.NaN))], [0]);
  });

  it('gives 16-bit samples read as value / 32768 back exactly', () => {
    const original = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    assert.deepEqual(toPcm16(Float32Array.from(original, (v) => v / 32768)), original);
  });
});

describe('resampleInSlices', () => {
  it('gives exactly what resample gives, whatever the slice', async () => {
    const input = sine(440, 22050, 0.5, 0.5);
    const whole = resample(input, 22050, 8000);
    for (const slice of [1, 7, 160, 2000, 1_000_000]) assert.deepEqual(await resampleInSlices(input, 22050, 8000, slice), whole, `slice ${slice}`);
    assert.deepEqual(await resampleInSlices(input, 22050, 22050), input);
    assert.equal((await resampleInSlices(new Float32Array(0), 22050, 8000)).length, 0);
    await assert.rejects(resampleInSlices(input, 0, 8000), RangeError);
  });

  it('leaves the event loop free between slices', async () => {
    // Six seconds of speech at espeak-ng's rate: 48,000 samples out, 24 slices of 2,000.
    const input = sine(440, 22050, 6, 0.5);
    let turns = 0;
    let done = false;
    const count = (): void => {
      turns++;
      if (!done) setImmediate(count);
    };
    setImmediate(count);
    await resampleInSlices(input, 22050, 8000);
    done = true;
    assert.ok(turns >= 20, `the event loop turned ${turns} times during the conversion`);
  });
});

describe('toTelephonyPcm', () => {
  it('delivers 8 kHz 16-bit', async () => {
    assert.equal(TELEPHONY_SAMPLE_RATE, 8000);
    const pcm = await toTelephonyPcm(sine(1000, 48000, 0.5, 0.5), 48000);
    assert.equal(pcm.length, 4000);
    assert.ok(Math.abs(toneAmplitude(pcm, 1000, 8000, EDGE, pcm.length - EDGE) - 16384) < 100);
  });
});
