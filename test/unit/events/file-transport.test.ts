import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { FileTransport, StreamTransport } from '../../../src/events/file-transport.js';
import type { ClaimedDelivery, EventSinkRecord } from '../../../src/store/store.js';

function sink(target: string, kind: EventSinkRecord['kind'] = 'file'): EventSinkRecord {
  return {
    id: 'sink-1',
    name: 'records',
    kind,
    target,
    stream: 'records',
    eventTypes: [],
    secrets: [],
    enabled: true,
    disabledReason: null,
    managedBy: 'config',
    createdAt: 0,
    updatedAt: 0,
    cursor: 0,
  };
}

let nextId = 1;
function message(body: string): ClaimedDelivery {
  const id = nextId++;
  return { id, sinkId: 'sink-1', messageId: `msg-${id}`, contactId: 'contact-1', type: 'CONTACT_RECORD', body, attempts: 1, createdAt: 0 };
}

const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n');

describe('FileTransport', () => {
  let dir: string;
  let transport: FileTransport | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outdial-file-transport-'));
  });

  afterEach(async () => {
    await transport?.close();
    transport = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends one line per message, in order, and reports each written', async () => {
    const path = join(dir, 'records.jsonl');
    transport = new FileTransport({ rotateBytes: 0, stamp: () => 'never' });

    const first = await transport.send(sink(path), [message('{"a":1}'), message('{"b":2}')]);
    const second = await transport.send(sink(path), [message('{"c":3}')]);

    assert.deepEqual(first, [{ ok: true }, { ok: true }]);
    assert.deepEqual(second, [{ ok: true }]);
    assert.deepEqual(lines(path), ['{"a":1}', '{"b":2}', '{"c":3}', '']);
  });

  it('appends to what the file held before it started', async () => {
    const path = join(dir, 'records.jsonl');
    writeFileSync(path, '{"old":true}\n');
    transport = new FileTransport({ rotateBytes: 0, stamp: () => 'never' });

    await transport.send(sink(path), [message('{"new":true}')]);

    assert.deepEqual(lines(path), ['{"old":true}', '{"new":true}', '']);
  });

  it('renames the file with the stamp once the next batch would take it past rotateBytes, and starts a new one', async () => {
    const path = join(dir, 'records.jsonl');
    const stamps = ['2026-01-01T00-00-00-000Z', '2026-01-01T00-00-01-000Z'];
    transport = new FileTransport({ rotateBytes: 20, stamp: () => stamps.shift() ?? 'more' });
    const nine = (c: string) => message(`"${c.repeat(6)}"`); // 8 characters and a newline

    await transport.send(sink(path), [nine('a')]); // 9 bytes
    await transport.send(sink(path), [nine('b')]); // 18 bytes: still fits
    await transport.send(sink(path), [nine('c')]); // 27 > 20: rotates first
    await transport.send(sink(path), [nine('d'), nine('e')]); // 9 + 18 > 20: rotates again

    assert.deepEqual(readdirSync(dir).sort(), ['records.jsonl', 'records.jsonl.2026-01-01T00-00-00-000Z', 'records.jsonl.2026-01-01T00-00-01-000Z']);
    assert.deepEqual(lines(`${path}.2026-01-01T00-00-00-000Z`), ['"aaaaaa"', '"bbbbbb"', '']);
    assert.deepEqual(lines(`${path}.2026-01-01T00-00-01-000Z`), ['"cccccc"', '']);
    assert.deepEqual(lines(path), ['"dddddd"', '"eeeeee"', '']);
  });

  it('never rotates over an earlier rotated file when two rotations get the same stamp', async () => {
    const path = join(dir, 'records.jsonl');
    transport = new FileTransport({ rotateBytes: 10, stamp: () => 'same' });

    for (const c of ['a', 'b', 'c', 'd']) await transport.send(sink(path), [message(`"${c.repeat(6)}"`)]);

    assert.deepEqual(readdirSync(dir).sort(), ['records.jsonl', 'records.jsonl.same', 'records.jsonl.same-1', 'records.jsonl.same-2']);
    assert.deepEqual(lines(`${path}.same`), ['"aaaaaa"', '']);
    assert.deepEqual(lines(`${path}.same-1`), ['"bbbbbb"', '']);
    assert.deepEqual(lines(`${path}.same-2`), ['"cccccc"', '']);
    assert.deepEqual(lines(path), ['"dddddd"', '']);
  });

  it('writes a batch larger than rotateBytes whole into a fresh file, without rotating an empty one', async () => {
    const path = join(dir, 'records.jsonl');
    transport = new FileTransport({ rotateBytes: 5, stamp: () => 'rotated' });

    const results = await transport.send(sink(path), [message('{"large":"batch"}')]);

    assert.deepEqual(results, [{ ok: true }]);
    assert.deepEqual(readdirSync(dir), ['records.jsonl']);
  });

  it('never rotates with rotateBytes 0', async () => {
    const path = join(dir, 'records.jsonl');
    transport = new FileTransport({ rotateBytes: 0, stamp: () => 'rotated' });

    for (let i = 0; i < 20; i++) await transport.send(sink(path), [message(`{"i":${i},"pad":"${'x'.repeat(100)}"}`)]);

    assert.deepEqual(readdirSync(dir), ['records.jsonl']);
    assert.equal(lines(path).length, 21);
  });

  it('reports every message failed when the path cannot be written, with the reason', async () => {
    transport = new FileTransport({ rotateBytes: 0, stamp: () => 'never' });

    const missingFolder = await transport.send(sink(join(dir, 'missing', 'records.jsonl')), [message('{}'), message('{}')]);
    const aFolder = await transport.send(sink(dir), [message('{}')]);

    assert.equal(missingFolder.length, 2);
    for (const result of missingFolder) {
      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.error, /ENOENT/);
    }
    assert.equal(aFolder.length, 1);
    assert.equal(aFolder[0]?.ok, false);
    assert.match(aFolder[0]?.ok === false ? aFolder[0].error : '', /EISDIR/);
  });

  it('writes again once the path can be written', async () => {
    const folder = join(dir, 'later');
    const path = join(folder, 'records.jsonl');
    transport = new FileTransport({ rotateBytes: 0, stamp: () => 'never' });

    assert.equal((await transport.send(sink(path), [message('{"first":1}')]))[0]?.ok, false);
    mkdirSync(folder);
    assert.deepEqual(await transport.send(sink(path), [message('{"second":2}')]), [{ ok: true }]);

    assert.deepEqual(lines(path), ['{"second":2}', '']);
  });

  it('keeps each file apart', async () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    transport = new FileTransport({ rotateBytes: 0, stamp: () => 'never' });

    await transport.send(sink(a), [message('"a"')]);
    await transport.send(sink(b), [message('"b"')]);

    assert.deepEqual(lines(a), ['"a"', '']);
    assert.deepEqual(lines(b), ['"b"', '']);
  });
});

describe('StreamTransport', () => {
  it('writes one line per message to the stream and reports each written', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    const transport = new StreamTransport(stream);

    const results = await transport.send(sink('', 'stdout'), [message('{"a":1}'), message('{"b":2}')]);
    await transport.send(sink('', 'stdout'), [message('{"c":3}')]);

    assert.deepEqual(results, [{ ok: true }, { ok: true }]);
    assert.equal(text, '{"a":1}\n{"b":2}\n{"c":3}\n');
    await transport.close();
  });

  it('reports every message failed when the stream fails the write', async () => {
    const broken = new Writable({ write: (_chunk, _encoding, callback) => callback(new Error('EPIPE: broken pipe')) });
    broken.on('error', () => undefined);
    const transport = new StreamTransport(broken);

    const results = await transport.send(sink('', 'stdout'), [message('{}'), message('{}')]);

    assert.deepEqual(results, [
      { ok: false, error: 'Error: EPIPE: broken pipe' },
      { ok: false, error: 'Error: EPIPE: broken pipe' },
    ]);
  });
});
