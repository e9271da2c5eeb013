/**
 * The `stdout` sink: contact events (or records) as JSON lines on the process's standard output, in
 * commit order, filtered by event type like any sink.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { CALLEE, startCall } from '../../helpers/connect.js';
import { drain, runFor } from '../../helpers/events.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

describe('a stdout sink', () => {
  const out = new PassThrough();
  let written = '';
  out.on('data', (chunk: Buffer) => (written += chunk.toString()));
  let app: TestApp;
  before(async () => {
    app = await startTestApp(
      {
        events: {
          sinks: [
            { type: 'stdout', name: 'console', eventTypes: ['INITIATED', 'DISCONNECTED'] },
            { type: 'stdout', name: 'records', stream: 'records' },
          ],
        },
      },
      { stdout: out },
    );
  });
  after(() => app.close());

  it('writes one JSON line per message, the events it takes and the contact record, in order', async () => {
    const busy = await startCall(app, CALLEE.busy);
    const unanswered = await startCall(app, CALLEE.noAnswer);
    await runFor(app, 120_000);
    await drain(app);

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON lines are checked by assertions
    const lines = written.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
    const events = lines.filter((l) => l['detail-type'] === 'Amazon Connect Contact Event');
    const records = lines.filter((l) => l.AWSContactTraceRecordFormatVersion === '2017-03-10');
    assert.equal(events.length + records.length, lines.length, 'nothing but events and records');
    for (const id of [busy, unanswered]) {
      assert.deepEqual(
        events.filter((e) => e.detail.contactId === id).map((e) => String(e.detail.eventType)),
        ['INITIATED', 'DISCONNECTED'],
        id,
      );
      assert.equal(records.filter((r) => r.ContactId === id).length, 1, id);
    }
    const reasons = Object.fromEntries(records.map((r) => [r.ContactId, r.DisconnectReason]));
    assert.deepEqual(reasons, { [busy]: 'TELECOM_BUSY', [unanswered]: 'TELECOM_UNANSWERED' });
  });
});
