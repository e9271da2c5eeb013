/**
 * JSON-lines sinks: a file (one message a line, appended and flushed to disk before the deliveries count
 * as done, rotated by size) or a stream such as stdout. After a crash the last lines may be appended
 * again, which the at-least-once contract allows; consumers dedupe by the envelope's `id` (events) or
 * keep the newest `LastUpdateTimestamp` per `ContactId` (records).
 */
import { open, rename, stat, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { ClaimedDelivery, EventSinkRecord } from '../store/store.js';
import type { SendResult, Transport } from './transport.js';

const BATCH = 500;

export interface FileTransportOptions {
  /** Rotates a file once it would grow past this many bytes; 0 never rotates. */
  readonly rotateBytes: number;
  /** The rotated file's suffix, from the current time. */
  readonly stamp: () => string;
}

export class FileTransport implements Transport {
  readonly batchSize = BATCH;
  readonly #files = new Map<string, { handle: FileHandle; size: number }>();

  constructor(private readonly options: FileTransportOptions) {}

  async send(sink: EventSinkRecord, deliveries: readonly ClaimedDelivery[]): Promise<SendResult[]> {
    const text = deliveries.map((d) => `${d.body}\n`).join('');
    try {
      const file = await this.#file(sink.target, Buffer.byteLength(text));
      await file.handle.appendFile(text);
      await file.handle.datasync();
      file.size += Buffer.byteLength(text);
      return deliveries.map(() => ({ ok: true }));
    } catch (error) {
      await this.#forget(sink.target);
      return deliveries.map(() => ({ ok: false, error: String(error) }));
    }
  }

  async #file(path: string, adding: number): Promise<{ handle: FileHandle; size: number }> {
    let file = this.#files.get(path);
    if (file === undefined) {
      const handle = await open(path, 'a');
      file = { handle, size: (await stat(path)).size };
      this.#files.set(path, file);
    }
    const { rotateBytes } = this.options;
    if (rotateBytes > 0 && file.size > 0 && file.size + adding > rotateBytes) {
      await this.#forget(path);
      await rename(path, await unused(`${path}.${this.options.stamp()}`));
      return this.#file(path, adding);
    }
    return file;
  }

  async #forget(path: string): Promise<void> {
    const file = this.#files.get(path);
    this.#files.delete(path);
    await file?.handle.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#files.keys()].map((path) => this.#forget(path)));
  }
}

/** `path`, or `path-1`, `path-2` … when that name is taken (two rotations within one stamp): never rotate over a file. */
async function unused(path: string): Promise<string> {
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? path : `${path}-${n}`;
    try {
      await stat(candidate);
    } catch {
      return candidate;
    }
  }
}

/** Writes JSON lines to a stream (stdout), for local use. */
export class StreamTransport implements Transport {
  readonly batchSize = BATCH;

  constructor(private readonly stream: Writable) {}

  send(_sink: EventSinkRecord, deliveries: readonly ClaimedDelivery[]): Promise<SendResult[]> {
    const text = deliveries.map((d) => `${d.body}\n`).join('');
    return new Promise((resolve) => {
      this.stream.write(text, (error) =>
        resolve(deliveries.map(() => (error == null ? { ok: true } : { ok: false, error: String(error) }))),
      );
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
