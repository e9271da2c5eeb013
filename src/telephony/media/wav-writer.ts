/**
 * A 16-bit PCM WAV file written as it grows. The header goes out first with the sizes unknown
 * (0xFFFFFFFF, which sox and ffmpeg read as "to the end of the file", so a file cut short by a crash
 * still plays); `close` writes the real sizes. Writes are queued in order on one file handle, and the
 * first I/O error is kept and thrown by `close`.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';

const HEADER_BYTES = 44;
const UNKNOWN_SIZE = 0xffffffff;

export interface WavFormat {
  readonly channels: number;
  readonly sampleRate: number;
}

export class WavWriter {
  readonly #handle: Promise<FileHandle>;
  #queue: Promise<void>;
  #dataBytes = 0;
  #error: Error | null = null;

  constructor(
    readonly path: string,
    private readonly format: WavFormat,
  ) {
    this.#handle = open(path, 'w');
    // The handle's failure is reported through the queue; this keeps it from counting as unhandled.
    this.#handle.catch(() => {});
    this.#queue = this.#handle.then(
      (handle) => this.#writeAt(handle, wavHeader(format, UNKNOWN_SIZE), 0),
      (error: unknown) => this.#fail(error),
    );
  }

  /** Appends interleaved samples; they are copied, so the caller may reuse its buffer at once. */
  write(samples: Int16Array): void {
    if (samples.length === 0) return;
    const bytes = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
    const copy = Buffer.from(bytes);
    if (endianness() === 'BE') copy.swap16();
    const position = HEADER_BYTES + this.#dataBytes;
    this.#dataBytes += copy.length;
    this.#enqueue((handle) => this.#writeAt(handle, copy, position));
  }

  /** Resolves once every write queued so far has reached the file. */
  flushed(): Promise<void> {
    return this.#queue;
  }

  /** Fixes up the sizes and closes the file; resolves with the number of sample bytes written. */
  async close(): Promise<number> {
    this.#enqueue((handle) => this.#writeAt(handle, wavHeader(this.format, this.#dataBytes), 0));
    await this.#queue;
    await this.#handle.then((handle) => handle.close()).catch(() => {});
    if (this.#error !== null) throw this.#error;
    return this.#dataBytes;
  }

  #enqueue(step: (handle: FileHandle) => Promise<void>): void {
    this.#queue = this.#queue.then(async () => {
      if (this.#error !== null) return;
      await step(await this.#handle).catch((error: unknown) => this.#fail(error));
    });
  }

  async #writeAt(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
    await handle.write(bytes, 0, bytes.length, position);
  }

  #fail(error: unknown): void {
    this.#error ??= error instanceof Error ? error : new Error(String(error));
  }
}

function wavHeader(format: WavFormat, dataBytes: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  const blockAlign = format.channels * 2;
  const known = dataBytes !== UNKNOWN_SIZE;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(known ? 36 + dataBytes : UNKNOWN_SIZE, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(format.channels, 22);
  header.writeUInt32LE(format.sampleRate, 24);
  header.writeUInt32LE(format.sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}
