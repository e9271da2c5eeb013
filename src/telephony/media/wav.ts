/**
 * Reads RIFF/WAVE audio into mono floats. It accepts what prompt files and espeak-ng actually contain:
 * integer PCM of 8 to 32 bits, IEEE float, G.711 µ-law and A-law, the extensible header that names one of
 * those, unknown chunks in any order, and a streamed header whose sizes are placeholders.
 */
import { AudioFormatError } from './audio-errors.js';
import { decodeG711 } from './g711.js';

export interface DecodedWav {
  readonly sampleRate: number;
  readonly channels: number;
  /** The channels averaged into one, full scale ±1. */
  readonly samples: Float32Array;
}

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_ALAW = 0x0006;
const FORMAT_MULAW = 0x0007;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID whose first two bytes are a WAVE format code. */
const EXTENSIBLE_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

interface Format {
  readonly code: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  readonly blockAlign: number;
}

export function readWav(bytes: Uint8Array): DecodedWav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || fourCc(bytes, 0) !== 'RIFF' || fourCc(bytes, 8) !== 'WAVE') {
    throw new AudioFormatError('not a WAV file: no RIFF/WAVE header');
  }
  let format: Format | undefined;
  let data: Uint8Array | undefined;
  // The RIFF size is ignored: streamed writers leave a placeholder there, and the chunks say enough.
  for (let offset = 12; offset + 8 <= bytes.length; ) {
    const id = fourCc(bytes, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') format = readFormat(view, body, size);
    if (id === 'data' && data === undefined) {
      // A size past the end is a streamed header's placeholder (espeak-ng --stdout) or a cut file.
      data = bytes.subarray(body, Math.min(body + size, bytes.length));
    }
    offset = body + size + (size & 1);
  }
  if (format === undefined) throw new AudioFormatError('WAV file has no fmt chunk');
  if (data === undefined) throw new AudioFormatError('WAV file has no data chunk');
  return { sampleRate: format.sampleRate, channels: format.channels, samples: mixToMono(format, data) };
}

function fourCc(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
}

function readFormat(view: DataView, offset: number, size: number): Format {
  if (size < 16 || offset + 16 > view.byteLength) throw new AudioFormatError('WAV fmt chunk is too short');
  let code = view.getUint16(offset, true);
  const channels = view.getUint16(offset + 2, true);
  const sampleRate = view.getUint32(offset + 4, true);
  const blockAlign = view.getUint16(offset + 12, true);
  const bitsPerSample = view.getUint16(offset + 14, true);
  if (code === FORMAT_EXTENSIBLE) code = extensibleSubFormat(view, offset, size);
  const format = { code, channels, sampleRate, bitsPerSample, blockAlign };
  checkFormat(format);
  return format;
}

function extensibleSubFormat(view: DataView, offset: number, size: number): number {
  if (size < 40 || offset + 40 > view.byteLength) throw new AudioFormatError('WAV extensible fmt chunk is too short');
  const guid = new Uint8Array(view.buffer, view.byteOffset + offset + 24, 16);
  if (EXTENSIBLE_GUID_TAIL.some((byte, i) => guid[i + 2] !== byte)) {
    throw new AudioFormatError('unsupported WAV encoding: extensible sub-format is not a WAVE format code');
  }
  return view.getUint16(offset + 24, true);
}

function checkFormat({ code, channels, sampleRate, bitsPerSample, blockAlign }: Format): void {
  const supported =
    (code === FORMAT_PCM && [8, 16, 24, 32].includes(bitsPerSample)) ||
    (code === FORMAT_FLOAT && (bitsPerSample === 32 || bitsPerSample === 64)) ||
    ((code === FORMAT_ALAW || code === FORMAT_MULAW) && bitsPerSample === 8);
  if (!supported) {
    const hex = code.toString(16).padStart(4, '0');
    throw new AudioFormatError(
      `unsupported WAV encoding: format 0x${hex} with ${bitsPerSample} bits per sample ` +
        '(supported: PCM 8/16/24/32-bit, float 32/64-bit, µ-law, A-law)',
    );
  }
  if (channels === 0 || sampleRate === 0) throw new AudioFormatError('WAV fmt chunk has no channels or a zero sample rate');
  if (blockAlign !== channels * (bitsPerSample / 8)) {
    throw new AudioFormatError(`WAV block align ${blockAlign} does not match ${channels} × ${bitsPerSample}-bit samples`);
  }
}

function mixToMono(format: Format, data: Uint8Array): Float32Array {
  const { channels, blockAlign } = format;
  const frames = Math.floor(data.length / blockAlign);
  const read = sampleReader(format, data);
  const out = new Float32Array(frames);
  for (let frame = 0; frame < frames; frame++) {
    let sum = 0;
    for (let channel = 0; channel < channels; channel++) sum += read(frame * channels + channel);
    out[frame] = sum / channels;
  }
  return out;
}

/** Returns sample `i` (interleaved index) of `data` scaled to ±1. */
function sampleReader({ code, bitsPerSample }: Format, data: Uint8Array): (i: number) => number {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (code === FORMAT_MULAW || code === FORMAT_ALAW) {
    const linear = decodeG711(code === FORMAT_MULAW ? 'PCMU' : 'PCMA', data);
    return (i) => linear[i]! / 32768;
  }
  if (code === FORMAT_FLOAT) {
    return bitsPerSample === 32 ? (i) => view.getFloat32(i * 4, true) : (i) => view.getFloat64(i * 8, true);
  }
  switch (bitsPerSample) {
    case 8: // 8-bit WAV is the one unsigned width
      return (i) => (data[i]! - 128) / 128;
    case 16:
      return (i) => view.getInt16(i * 2, true) / 32768;
    case 24:
      return (i) => ((data[i * 3]! | (data[i * 3 + 1]! << 8) | (data[i * 3 + 2]! << 24 >> 8)) / 8388608);
    default:
      return (i) => view.getInt32(i * 4, true) / 2147483648;
  }
}
