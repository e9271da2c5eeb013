/**
 * Sample-rate conversion for prompts: band-limited interpolation with a Kaiser-windowed sinc whose cutoff
 * sits just below the lower of the two Nyquist frequencies, so nothing above 4 kHz folds back into a
 * telephone channel. A conversion runs as a polyphase filter: 22050 → 8000 Hz is 160 phases of one kernel.
 */

/** Kernel half-width in zero crossings of the sinc: at 8 kHz out, flat to 3.3 kHz and -50 dB by 3.9 kHz. */
const ZERO_CROSSINGS = 24;
/** Kaiser β for about 70 dB of stopband attenuation. */
const KAISER_BETA = 7;
/** Cutoff as a fraction of the lower Nyquist: the transition band ends near it rather than past it. */
const CUTOFF = 0.9;
/** Kernel table entries per zero crossing; linear interpolation between them errs by under -100 dB. */
const TABLE_RESOLUTION = 256;

/** sinc(u)·window(u / ZERO_CROSSINGS) for u = 0, 1/TABLE_RESOLUTION, …, ZERO_CROSSINGS, from which each
 * conversion's filter bank is interpolated. */
const KERNEL = buildKernel();

function buildKernel(): Float64Array {
  const size = ZERO_CROSSINGS * TABLE_RESOLUTION;
  const table = new Float64Array(size + 1);
  const i0Beta = besselI0(KAISER_BETA);
  for (let i = 0; i <= size; i++) {
    const u = i / TABLE_RESOLUTION;
    const x = u / ZERO_CROSSINGS;
    const sinc = i === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
    table[i] = (sinc * besselI0(KAISER_BETA * Math.sqrt(1 - x * x))) / i0Beta;
  }
  return table;
}

/** Modified Bessel function of the first kind, order 0, by its power series (converges fast for β ≤ 20). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; term > sum * 1e-12; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}

export function resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  const conversion = startConversion(samples, fromRate, toRate);
  if (conversion instanceof Float32Array) return conversion;
  conversion.fill(0, conversion.out.length);
  return conversion.out;
}

/**
 * Output samples converted between two yields to the event loop: 2,000 take ~1–3 ms, well inside the 20 ms
 * RTP tick that the thread rendering a prompt may also be running for live calls.
 */
const SLICE_SAMPLES = 2_000;

/**
 * `resample`, in slices with the event loop free between them. A spoken prompt takes tens of milliseconds
 * to convert whole, long enough for the pacer on the same thread to skip frames of every live call.
 */
export async function resampleInSlices(samples: Float32Array, fromRate: number, toRate: number, sliceSamples = SLICE_SAMPLES): Promise<Float32Array> {
  const conversion = startConversion(samples, fromRate, toRate);
  if (conversion instanceof Float32Array) return conversion;
  const { out, fill } = conversion;
  for (let from = 0; from < out.length; from += sliceSamples) {
    // setImmediate rather than a timer: this waits for nothing but the I/O and timers already due.
    if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    fill(from, Math.min(from + sliceSamples, out.length));
  }
  return out;
}

interface Conversion {
  readonly out: Float32Array;
  /** Computes out[from] … out[to - 1]. */
  readonly fill: (from: number, to: number) => void;
}

/** The output array and the filter that fills it, or the whole result when there is nothing to filter. */
function startConversion(samples: Float32Array, fromRate: number, toRate: number): Conversion | Float32Array {
  if (!(fromRate > 0 && toRate > 0 && Number.isFinite(fromRate) && Number.isFinite(toRate))) {
    throw new RangeError(`sample rates must be positive: ${fromRate} → ${toRate}`);
  }
  if (fromRate === toRate) return samples.slice();
  if (samples.length === 0) return new Float32Array(0);
  const { phases, reach, taps, coefficients } = filterBank(fromRate, toRate);
  const last = samples.length - 1;
  const out = new Float32Array(Math.floor((last * toRate) / fromRate) + 1);
  const fill = (from: number, to: number): void => {
    for (let n = from; n < to; n++) {
      const t = (n * fromRate) / toRate;
      // `| 0` keeps the indices small integers; as doubles they push V8 off its fast path (3× slower).
      let k = Math.floor(t) | 0;
      let phase = Math.round((t - k) * phases) | 0;
      if (phase === phases) {
        k++;
        phase = 0;
      }
      const first = k - reach;
      const row = phase * taps;
      let sum = 0;
      const end = Math.min(taps, last - first + 1) | 0;
      for (let j = Math.max(0, -first) | 0; j < end; j++) {
        sum += samples[first + j]! * coefficients[row + j]!;
      }
      out[n] = sum;
    }
  };
  return { out, fill };
}

/** Most phases a filter bank holds; past it, output instants are rounded to 1/1024 of an input sample. */
const MAX_PHASES = 1024;

interface FilterBank {
  /** Output instants fall on this many fractions of an input sample (exactly, for rates with a small ratio). */
  readonly phases: number;
  /** Input samples used before the one at or before the output instant. */
  readonly reach: number;
  readonly taps: number;
  /** `taps` weights for each phase, for input samples k - reach … k - reach + taps - 1. */
  readonly coefficients: Float64Array;
}

function filterBank(fromRate: number, toRate: number): FilterBank {
  const phases = phaseCount(fromRate, toRate);
  // Bandwidth as a fraction of the input rate; the sinc's zero crossings are 1/bandwidth input samples apart.
  const bandwidth = CUTOFF * Math.min(1, toRate / fromRate);
  const halfWidth = ZERO_CROSSINGS / bandwidth;
  const reach = Math.ceil(halfWidth);
  const taps = 2 * reach + 1;
  const coefficients = new Float64Array(phases * taps);
  for (let phase = 0; phase < phases; phase++) {
    for (let j = 0; j < taps; j++) {
      const u = Math.abs(phase / phases + reach - j) * bandwidth * TABLE_RESOLUTION;
      if (u >= ZERO_CROSSINGS * TABLE_RESOLUTION) continue;
      const i = Math.floor(u);
      // Scaling by the bandwidth keeps unity gain in the passband whichever way the rate goes.
      coefficients[phase * taps + j] = bandwidth * (KERNEL[i]! + (u - i) * (KERNEL[i + 1]! - KERNEL[i]!));
    }
  }
  return { phases, reach, taps, coefficients };
}

/** Output instants repeat their position between input samples every toRate / gcd outputs. */
function phaseCount(fromRate: number, toRate: number): number {
  if (Number.isInteger(fromRate) && Number.isInteger(toRate)) {
    let [a, b] = [fromRate, toRate];
    while (b !== 0) [a, b] = [b, a % b];
    if (toRate / a <= MAX_PHASES) return toRate / a;
  }
  return MAX_PHASES;
}

/** Full scale ±1 to 16-bit, clipped; ±1 maps to ±32768 so that 16-bit input read as v/32768 comes back exact. */
export function toPcm16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const value = Math.round(samples[i]! * 32768);
    // NaN fails both comparisons and lands in the typed array as 0.
    out[i] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
  }
  return out;
}

/** The rate of every G.711 call leg, and so of every prompt the media pipeline hands on. */
export const TELEPHONY_SAMPLE_RATE = 8000;

/** Mono audio at any rate to what a call leg plays: 8 kHz 16-bit, converted in slices (`resampleInSlices`). */
export async function toTelephonyPcm(samples: Float32Array, sampleRate: number): Promise<Int16Array> {
  return toPcm16(await resampleInSlices(samples, sampleRate, TELEPHONY_SAMPLE_RATE));
}
