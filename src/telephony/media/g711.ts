/**
 * G.711 µ-law (PCMU) and A-law (PCMA), ITU-T G.711 as in Sun's reference g711.c: 16-bit linear PCM in,
 * one byte per sample out, and back. Both directions are table lookups.
 */

const MULAW_BIAS = 0x84;
const MULAW_CLIP = 32635;

function encodeMulawSample(pcm: number): number {
  const sign = pcm < 0 ? 0x80 : 0;
  let magnitude = Math.min(sign !== 0 ? -pcm : pcm, MULAW_CLIP) + MULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  magnitude = ~(sign | (exponent << 4) | mantissa);
  return magnitude & 0xff;
}

function decodeMulawSample(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = (((u & 0x0f) << 3) + MULAW_BIAS) << exponent;
  return u & 0x80 ? MULAW_BIAS - magnitude : magnitude - MULAW_BIAS;
}

function encodeAlawSample(pcm: number): number {
  let value = pcm >> 3;
  let mask: number;
  if (value >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    value = -value - 1;
  }
  const segmentEnds = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
  let segment = 0;
  while (segment < 8 && value > segmentEnds[segment]!) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  let code = segment << 4;
  code |= segment < 2 ? (value >> 1) & 0x0f : (value >> segment) & 0x0f;
  return code ^ mask;
}

function decodeAlawSample(byte: number): number {
  const a = byte ^ 0x55;
  let t = (a & 0x0f) << 4;
  const segment = (a & 0x70) >> 4;
  if (segment === 0) t += 8;
  else if (segment === 1) t += 0x108;
  else t = (t + 0x108) << (segment - 1);
  return a & 0x80 ? t : -t;
}

/** Linear value for each of the 256 codes. */
const MULAW_TO_LINEAR = Int16Array.from({ length: 256 }, (_, i) => decodeMulawSample(i));
const ALAW_TO_LINEAR = Int16Array.from({ length: 256 }, (_, i) => decodeAlawSample(i));
/** Code for each 16-bit value, indexed by the value as unsigned (64 KiB each, built once). */
const LINEAR_TO_MULAW = Uint8Array.from({ length: 65536 }, (_, i) => encodeMulawSample((i << 16) >> 16));
const LINEAR_TO_ALAW = Uint8Array.from({ length: 65536 }, (_, i) => encodeAlawSample((i << 16) >> 16));

export type G711Codec = 'PCMU' | 'PCMA';

export function encodeG711(codec: G711Codec, pcm: Int16Array): Uint8Array {
  const table = codec === 'PCMU' ? LINEAR_TO_MULAW : LINEAR_TO_ALAW;
  const out = new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = table[pcm[i]! & 0xffff]!;
  return out;
}

export function decodeG711(codec: G711Codec, bytes: Uint8Array): Int16Array {
  const table = codec === 'PCMU' ? MULAW_TO_LINEAR : ALAW_TO_LINEAR;
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]!]!;
  return out;
}

/** The code for silence (linear 0) in each law, for filling gaps without encoding. */
export const G711_SILENCE: Readonly<Record<G711Codec, number>> = { PCMU: 0xff, PCMA: 0xd5 };
