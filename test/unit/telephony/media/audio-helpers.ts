/** WAV files and signal measurements for the media pipeline's tests, built in memory. */

export const FORMAT = { pcm: 1, float: 3, alaw: 6, mulaw: 7, adpcm: 2, extensible: 0xfffe } as const;

export interface Chunk {
  readonly id: string;
  readonly body: Uint8Array;
  /** The size written in the header, when it should lie (streamed headers, truncated files). */
  readonly declaredSize?: number;
}

export interface FmtSpec {
  readonly format: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bits: number;
  /** Write WAVE_FORMAT_EXTENSIBLE with this format code in the sub-format GUID. */
  readonly extensibleOf?: number;
  readonly guidTail?: readonly number[];
}

const KSDATAFORMAT_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

export function fmtChunk({ format, channels, sampleRate, bits, extensibleOf, guidTail = KSDATAFORMAT_TAIL }: FmtSpec): Chunk {
  const extensible = extensibleOf !== undefined;
  const body = new Uint8Array(extensible ? 40 : 16);
  const view = new DataView(body.buffer);
  const blockAlign = channels * (bits / 8);
  view.setUint16(0, extensible ? FORMAT.extensible : format, true);
  view.setUint16(2, channels, true);
  view.setUint32(4, sampleRate, true);
  view.setUint32(8, sampleRate * blockAlign, true);
  view.setUint16(12, blockAlign, true);
  view.setUint16(14, bits, true);
  if (extensible) {
    view.setUint16(16, 22, true);
    view.setUint16(18, bits, true);
    view.setUint32(20, channels === 2 ? 3 : 4, true);
    view.setUint16(24, extensibleOf, true);
    body.set(guidTail, 26);
  }
  return { id: 'fmt ', body };
}

/** A RIFF/WAVE file of these chunks, each padded to an even length as RIFF requires. */
export function riffWave(chunks: readonly Chunk[], riffSize?: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const { id, body, declaredSize } of chunks) {
    parts.push(ascii(id), uint32(declaredSize ?? body.length), body);
    if (body.length % 2 === 1) parts.push(new Uint8Array(1));
  }
  const length = parts.reduce((sum, part) => sum + part.length, 4);
  return Buffer.concat([ascii('RIFF'), uint32(riffSize ?? length), ascii('WAVE'), ...parts]);
}

export function wav(spec: FmtSpec & { readonly data: Uint8Array }): Uint8Array {
  return riffWave([fmtChunk(spec), { id: 'data', body: spec.data }]);
}

/** Floats in ±1 as little-endian integer PCM; 8-bit is unsigned, as in WAV. */
export function encodePcm(samples: ArrayLike<number>, bits: 8 | 16 | 24 | 32): Uint8Array {
  const bytes = bits / 8;
  const out = new Uint8Array(samples.length * bytes);
  const view = new DataView(out.buffer);
  const full = 2 ** (bits - 1);
  for (let i = 0; i < samples.length; i++) {
    const value = Math.max(-full, Math.min(full - 1, Math.round(samples[i]! * full)));
    if (bits === 8) out[i] = value + 128;
    else if (bits === 16) view.setInt16(i * 2, value, true);
    else if (bits === 24) {
      out[i * 3] = value & 0xff;
      out[i * 3 + 1] = (value >> 8) & 0xff;
      out[i * 3 + 2] = (value >> 16) & 0xff;
    } else view.setInt32(i * 4, value, true);
  }
  return out;
}

export function encodeFloat(samples: ArrayLike<number>, bits: 32 | 64): Uint8Array {
  const out = new Uint8Array(samples.length * (bits / 8));
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) {
    if (bits === 32) view.setFloat32(i * 4, samples[i]!, true);
    else view.setFloat64(i * 8, samples[i]!, true);
  }
  return out;
}

export function sine(frequency: number, sampleRate: number, seconds: number, amplitude = 0.5): Float32Array {
  return Float32Array.from({ length: Math.round(sampleRate * seconds) }, (_, i) =>
    amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate),
  );
}

export function interleave(...channels: Float32Array[]): Float32Array {
  const frames = channels[0]!.length;
  const out = new Float32Array(frames * channels.length);
  for (let i = 0; i < frames; i++) channels.forEach((channel, c) => (out[i * channels.length + c] = channel[i]!));
  return out;
}

export function rms(samples: ArrayLike<number>, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i]! ** 2;
  return Math.sqrt(sum / (to - from));
}

/** Amplitude of the `frequency` component (Goertzel), for a whole number of periods or a long window. */
export function toneAmplitude(samples: ArrayLike<number>, frequency: number, sampleRate: number, from = 0, to = samples.length): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let previous = 0;
  let beforePrevious = 0;
  for (let i = from; i < to; i++) {
    const current = samples[i]! + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
  }
  const power = previous ** 2 + beforePrevious ** 2 - coefficient * previous * beforePrevious;
  return (2 * Math.sqrt(Math.max(0, power))) / (to - from);
}

export function decibels(ratio: number): number {
  return 20 * Math.log10(ratio);
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

function uint32(value: number): Uint8Array {
  return Uint8Array.of(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
}
