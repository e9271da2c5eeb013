import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decodeG711, encodeG711 } from '../../../../src/telephony/media/g711.js';
import { HOLD_MUSIC_SAMPLE_RATE, holdMusic } from '../../../../src/telephony/media/hold-music.js';

const FRAME = 160; // 20 ms at 8 kHz

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const v of samples) sum += v * v;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

function frameLevels(samples: Int16Array): number[] {
  const levels: number[] = [];
  for (let at = 0; at + FRAME <= samples.length; at += FRAME) levels.push(rms(samples.subarray(at, at + FRAME)));
  return levels;
}

/** The magnitude at every 10 Hz from 200 Hz to 2 kHz (a plain DFT of 0.1 s: 20 Hz wide bins), normalized to unit length. */
function spectrum(samples: Int16Array): number[] {
  const powers: number[] = [];
  for (let hz = 200; hz <= 2000; hz += 10) {
    let re = 0;
    let im = 0;
    for (let n = 0; n < samples.length; n++) {
      const phase = (2 * Math.PI * hz * n) / HOLD_MUSIC_SAMPLE_RATE;
      re += samples[n]! * Math.cos(phase);
      im += samples[n]! * Math.sin(phase);
    }
    powers.push(Math.hypot(re, im));
  }
  const norm = Math.hypot(...powers);
  return powers.map((p) => p / norm);
}

function similarity(a: readonly number[], b: readonly number[]): number {
  return a.reduce((sum, v, i) => sum + v * b[i]!, 0);
}

describe('holdMusic', () => {
  it('lasts the seconds asked for, at 8 kHz', () => {
    assert.equal(HOLD_MUSIC_SAMPLE_RATE, 8000);
    assert.equal(holdMusic(20).length, 160_000);
    assert.equal(holdMusic(2.5).length, 20_000);
    // Longer than the loop it is cut from: the loop repeats.
    assert.equal(holdMusic(40).length, 320_000);
  });

  it('is made once per length and shared', () => {
    assert.equal(holdMusic(20), holdMusic(20));
    assert.notEqual(holdMusic(20), holdMusic(21));
  });

  it('refuses a length that is not a positive number of seconds', () => {
    for (const seconds of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => holdMusic(seconds), RangeError);
  });

  it('plays at a modest level, quieter than speech, without clipping', () => {
    const music = holdMusic(20);
    const level = rms(music);
    const dbfs = 20 * Math.log10(level / 32768);
    assert.ok(dbfs > -32 && dbfs < -20, `${dbfs.toFixed(1)} dBFS RMS`);
    const peak = music.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
    assert.ok(peak < 32768 / 3, `peak ${peak}`);
  });

  it('is not silence: every 20 ms between the fades carries sound, and it survives G.711', () => {
    const music = holdMusic(20);
    const levels = frameLevels(music);
    // Leave out the 0.3 s fade-in and the 1 s fade-out.
    const middle = levels.slice(Math.ceil(0.3 * 50), levels.length - 50);
    const quietest = Math.min(...middle);
    assert.ok(quietest > 300, `the quietest frame is at ${quietest.toFixed(0)} RMS`);
    for (const codec of ['PCMU', 'PCMA'] as const) {
      const carried = decodeG711(codec, encodeG711(codec, music));
      assert.ok(Math.abs(rms(carried) - rms(music)) < rms(music) * 0.05, `${codec} keeps the level`);
    }
  });

  it('fades in and out, so a loop of message and music never clicks', () => {
    const music = holdMusic(20);
    assert.ok(Math.abs(music[0]!) < 50 && Math.abs(music.at(-1)!) < 50, 'starts and ends near zero');
    assert.ok(rms(music.subarray(0, FRAME)) < rms(music.subarray(8000, 8000 + FRAME)) / 4, 'the first 20 ms are much quieter than the second second');
    // No jump between samples larger than the highest note at full level could make.
    let jump = 0;
    for (let i = 1; i < music.length; i++) jump = Math.max(jump, Math.abs(music[i]! - music[i - 1]!));
    assert.ok(jump < 8000, `largest step ${jump}`);
  });

  it('moves: the chords change every four seconds, within the telephone band', () => {
    const music = holdMusic(20);
    // A tenth of a second in the middle of each chord.
    const at = (second: number) => spectrum(music.subarray(second * 8000, second * 8000 + 800));
    const chords = [1.6, 5.6, 9.6, 13.6].map(at);
    for (let i = 0; i < chords.length; i++) {
      const next = chords[(i + 1) % chords.length]!;
      const alike = similarity(chords[i]!, next);
      assert.ok(alike < 0.85, `chords ${i} and ${(i + 1) % chords.length} are ${alike.toFixed(2)} alike`);
    }
    // The same chord, a loop (16 s) later, is the same music.
    const again = at(17.6);
    assert.ok(similarity(chords[0]!, again) > 0.9, 'the loop repeats');
  });
});
