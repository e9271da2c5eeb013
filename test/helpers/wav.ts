/** Reads a 16-bit PCM WAV written by the recorder and checks its header on the way. */
import { readFileSync } from 'node:fs';

export interface StereoWav {
  readonly sampleRate: number;
  readonly left: Int16Array;
  readonly right: Int16Array;
}

export function readStereoWav(path: string): StereoWav {
  const file = readFileSync(path);
  const text = (at: number): string => file.toString('ascii', at, at + 4);
  if (text(0) !== 'RIFF' || text(8) !== 'WAVE' || text(12) !== 'fmt ' || text(36) !== 'data') throw new Error(`${path}: not a canonical WAV`);
  if (file.readUInt32LE(4) !== file.length - 8) throw new Error(`${path}: RIFF size ${file.readUInt32LE(4)} for ${file.length} bytes`);
  const dataBytes = file.readUInt32LE(40);
  if (dataBytes !== file.length - 44) throw new Error(`${path}: data size ${dataBytes} for ${file.length - 44} bytes`);
  if (file.readUInt16LE(20) !== 1 || file.readUInt16LE(22) !== 2 || file.readUInt16LE(34) !== 16) throw new Error(`${path}: not 16-bit stereo PCM`);
  const sampleRate = file.readUInt32LE(24);
  if (file.readUInt32LE(28) !== sampleRate * 4 || file.readUInt16LE(32) !== 4) throw new Error(`${path}: inconsistent byte rate or block align`);
  const frames = dataBytes / 4;
  const left = new Int16Array(frames);
  const right = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    left[i] = file.readInt16LE(44 + 4 * i);
    right[i] = file.readInt16LE(46 + 4 * i);
  }
  return { sampleRate, left, right };
}
