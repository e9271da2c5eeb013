/**
 * Built-in hold music, for the default queue experience on SIP: soft chords of sine tones that fade into
 * one another (Cmaj7, Am7, Fmaj7, G6, four seconds each), under a slow music-box arpeggio of the same
 * chords' notes. It is synthesized here rather than shipped as a recording, so there is nothing to license
 * and nothing to load: the 16-second loop is made once, on first use, and every length asked for is cut
 * from it and cached.
 *
 * Made for the telephone: 8 kHz, notes between 220 Hz and 1.8 kHz with a little second and third harmonic,
 * so the low notes are still heard through the 300–3400 Hz of a phone line; about -26 dBFS RMS with peaks
 * well under -8 dBFS, quieter than speech; no percussion, no sudden starts (every note fades in), and a
 * short fade at both ends of each stretch so a loop of message and music never clicks.
 */

export const HOLD_MUSIC_SAMPLE_RATE = 8000;

const RATE = HOLD_MUSIC_SAMPLE_RATE;
const CHORD_SECONDS = 4;
/** The chords, as MIDI note numbers, voiced close together around middle C (A3 = 57 to B4 = 71). */
const CHORDS: readonly (readonly number[])[] = [
  [60, 64, 67, 71], // Cmaj7
  [57, 60, 64, 67], // Am7
  [60, 64, 65, 69], // Fmaj7
  [59, 62, 64, 67], // G6
];
/** The arpeggio: which of the chord's notes (an octave up) sounds on each half second of the chord. */
const ARPEGGIO = [0, 2, 1, 3, 2, 1, 3, 2];
const ARPEGGIO_STEP_SECONDS = CHORD_SECONDS / ARPEGGIO.length;

const PAD_ATTACK_SECONDS = 0.8;
/** A chord's release starts this long before the next chord and overlaps it: a cross-fade. */
const PAD_RELEASE_SECONDS = 1.2;
const PAD_RELEASE_LEAD_SECONDS = 0.4;
const BELL_ATTACK_SECONDS = 0.01;
const BELL_DECAY_SECONDS = 0.35;
const BELL_LENGTH_SECONDS = 1.6;
/** The arpeggio's level against one voice of the chord. */
const BELL_GAIN = 1.4;

/** The loop's RMS level: 0.05 of full scale, about -26 dBFS. */
const TARGET_RMS = 0.05 * 32767;
/** Fades at the ends of each stretch asked for. */
const FADE_IN_SECONDS = 0.3;
const FADE_OUT_SECONDS = 1;
/** Stretches kept, by length; the hold loop asks for one or two lengths only. */
const MAX_CACHED = 8;

let loop: Int16Array | undefined;
const stretches = new Map<number, Int16Array>();

/**
 * `seconds` of hold music (rounded to whole samples), 8 kHz mono 16-bit. The array is shared with every
 * caller asking for the same length, so it must be read, never written.
 */
export function holdMusic(seconds: number): Int16Array {
  if (!(Number.isFinite(seconds) && seconds > 0)) throw new RangeError(`hold music needs a positive number of seconds, got ${seconds}`);
  const length = Math.max(1, Math.round(seconds * RATE));
  const cached = stretches.get(length);
  if (cached !== undefined) return cached;
  const source = (loop ??= synthesizeLoop());
  const out = new Int16Array(length);
  const fadeIn = Math.min(Math.round(FADE_IN_SECONDS * RATE), Math.floor(length / 4));
  const fadeOut = Math.min(Math.round(FADE_OUT_SECONDS * RATE), Math.floor(length / 4));
  for (let i = 0; i < length; i++) {
    let gain = 1;
    if (i < fadeIn) gain = raisedCosine(i / fadeIn);
    const fromEnd = length - 1 - i;
    if (fromEnd < fadeOut) gain = Math.min(gain, raisedCosine(fromEnd / fadeOut));
    out[i] = Math.round(source[i % source.length]! * gain);
  }
  if (stretches.size >= MAX_CACHED) stretches.delete(stretches.keys().next().value!);
  stretches.set(length, out);
  return out;
}

/** Synthesizes the loop now (about a tenth of a second of one core) if no call has asked for music yet. */
export function prepareHoldMusic(): void {
  loop ??= synthesizeLoop();
}

/** The 16-second loop: every note's tail past the end wraps round to the start, so it repeats seamlessly. */
function synthesizeLoop(): Int16Array {
  const length = CHORDS.length * CHORD_SECONDS * RATE;
  const mix = new Float64Array(length);
  CHORDS.forEach((chord, index) => {
    const start = index * CHORD_SECONDS;
    const releaseAt = CHORD_SECONDS - PAD_RELEASE_LEAD_SECONDS;
    for (const note of chord) {
      addNote(mix, start, releaseAt + PAD_RELEASE_SECONDS, frequency(note), 1, (t) => {
        if (t < PAD_ATTACK_SECONDS) return raisedCosine(t / PAD_ATTACK_SECONDS);
        if (t < releaseAt) return 1;
        return raisedCosine(1 - (t - releaseAt) / PAD_RELEASE_SECONDS);
      });
    }
    ARPEGGIO.forEach((which, step) => {
      const note = chord[which]! + 12;
      addNote(mix, start + step * ARPEGGIO_STEP_SECONDS, BELL_LENGTH_SECONDS, frequency(note), BELL_GAIN, (t) => {
        const attack = Math.min(1, t / BELL_ATTACK_SECONDS);
        // Decays exponentially, and reaches 0 exactly at the end of the note.
        const tail = raisedCosine(1 - t / BELL_LENGTH_SECONDS);
        return attack * Math.exp(-t / BELL_DECAY_SECONDS) * tail;
      });
    });
  });
  let sumOfSquares = 0;
  for (const v of mix) sumOfSquares += v * v;
  const scale = TARGET_RMS / Math.sqrt(sumOfSquares / length);
  return Int16Array.from(mix, (v) => Math.max(-32768, Math.min(32767, Math.round(v * scale))));
}

/** Adds one note, a sine with a touch of its second and third harmonics, under an envelope of `t` seconds. */
function addNote(mix: Float64Array, startSeconds: number, seconds: number, hz: number, gain: number, envelope: (t: number) => number): void {
  const first = Math.round(startSeconds * RATE);
  const count = Math.round(seconds * RATE);
  for (let n = 0; n < count; n++) {
    const t = n / RATE;
    const phase = 2 * Math.PI * hz * t;
    const tone = Math.sin(phase) + 0.25 * Math.sin(2 * phase) + 0.08 * Math.sin(3 * phase);
    mix[(first + n) % mix.length]! += gain * envelope(t) * tone;
  }
}

function frequency(midiNote: number): number {
  return 440 * 2 ** ((midiNote - 69) / 12);
}

/** 0 at x = 0 rising smoothly to 1 at x = 1 (half a cosine): fades without a corner to click on. */
function raisedCosine(x: number): number {
  const clamped = Math.max(0, Math.min(1, x));
  return 0.5 - 0.5 * Math.cos(Math.PI * clamped);
}
