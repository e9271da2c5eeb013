/**
 * Prompt files (WAV or MP3) to what a call leg plays: 8 kHz mono 16-bit. The container is told by the
 * bytes first, because uploaded files are often misnamed, and by the name or MIME type only when the
 * bytes say nothing (an MP3 that starts with junk before its first frame).
 */
import { readFile } from 'node:fs/promises';

import { MPEGDecoder } from 'mpg123-decoder';

import { AudioFormatError } from './audio-errors.js';
import { toTelephonyPcm } from './resample.js';
import { readWav } from './wav.js';

type Container = 'wav' | 'mp3';

const WAV_MIME_TYPES = new Set(['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave']);
const MP3_MIME_TYPES = new Set(['audio/mpeg', 'audio/mp3', 'audio/mpeg3', 'audio/x-mpeg-3']);

/** Decodes a WAV or MP3 file's bytes; `nameOrMime` is its file name or MIME type, used only as a fallback. */
export async function decodeAudioFile(bytes: Uint8Array, nameOrMime: string): Promise<Int16Array> {
  const { samples, sampleRate } = containerOf(bytes, nameOrMime) === 'wav' ? readWav(bytes) : await decodeMp3(bytes);
  return toTelephonyPcm(samples, sampleRate);
}

export async function loadAudioFile(path: string): Promise<Int16Array> {
  const bytes = await readFile(path);
  try {
    return await decodeAudioFile(bytes, path);
  } catch (error) {
    if (error instanceof AudioFormatError) throw new AudioFormatError(`${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

function containerOf(bytes: Uint8Array, nameOrMime: string): Container {
  if (startsWith(bytes, 'RIFF') && startsWith(bytes.subarray(8), 'WAVE')) return 'wav';
  if (startsWith(bytes, 'ID3') || isMpegFrameSync(bytes)) return 'mp3';
  const hint = nameOrMime.toLowerCase().split(';')[0]!.trim();
  if (hint.endsWith('.wav') || hint.endsWith('.wave') || WAV_MIME_TYPES.has(hint)) return 'wav';
  if (hint.endsWith('.mp3') || MP3_MIME_TYPES.has(hint)) return 'mp3';
  throw new AudioFormatError(`unrecognised audio format (${nameOrMime}): expected WAV or MP3`);
}

function startsWith(bytes: Uint8Array, ascii: string): boolean {
  return bytes.length >= ascii.length && [...ascii].every((char, i) => bytes[i] === char.charCodeAt(0));
}

/** 11 sync bits, then a layer other than "reserved" (which is what AAC's ADTS header carries there). */
function isMpegFrameSync(bytes: Uint8Array): boolean {
  const [first, second] = bytes;
  return first === 0xff && second !== undefined && (second & 0xe0) === 0xe0 && (second & 0x06) !== 0;
}

async function decodeMp3(bytes: Uint8Array): Promise<{ samples: Float32Array; sampleRate: number }> {
  const decoder = new MPEGDecoder();
  await decoder.ready;
  try {
    const { channelData, samplesDecoded, sampleRate, errors } = decoder.decode(bytes);
    // mpg123 reports lost sync and broken frames; such a file is damaged, and would play as noise on a call.
    const [error] = errors;
    if (error !== undefined) throw new AudioFormatError(`MP3 decoding failed: ${error.message}`);
    if (samplesDecoded === 0) throw new AudioFormatError('MP3 file has no audio frames');
    return { samples: mixToMono(channelData, samplesDecoded), sampleRate };
  } finally {
    decoder.free();
  }
}

/** The decoder always returns two channels, repeating a mono stream in both, so averaging is right for both. */
function mixToMono(channels: Float32Array[], length: number): Float32Array {
  const out = new Float32Array(length);
  for (const channel of channels) {
    for (let i = 0; i < length; i++) out[i]! += channel[i]! / channels.length;
  }
  return out;
}
