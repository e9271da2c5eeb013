/**
 * Contact records (CTRs) on a `records` stream: one per completed contact in the PascalCase trace-record
 * format, a fresh one when a completed contact's attributes change; and JSON-lines file sinks.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { CALLEE, instanceArn, ok, ops, startCall } from '../../helpers/connect.js';
import { newSecret, ofContact, runFor, startEventsApp, typesOf } from '../../helpers/events.js';
import { ACCOUNT_ID, DEMO, type TestApp } from '../../helpers/test-app.js';
import { json, WebhookReceiver } from '../../helpers/webhook-receiver.js';
import { queueFlow } from '../../helpers/flow-fixtures.js';

const INSTANCE_ARN = instanceArn(DEMO.instanceId);
const wholeSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const QUEUE_FLOW = queueFlow();

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON lines are checked by assertions
const lines = (path: string): any[] => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
};

describe('contact records', () => {
  const secret = newSecret();
  let receiver: WebhookReceiver;
  let app: TestApp;
  let dir: string;
  let recordsFile: string;
  let eventsFile: string;

  before(async () => {
    receiver = await WebhookReceiver.start([secret]);
  });
  after(() => receiver.close());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outdial-records-'));
    recordsFile = join(dir, 'records.jsonl');
    eventsFile = join(dir, 'events.jsonl');
  });
  afterEach(async () => {
    await app.close();
    receiver.requests.length = 0;
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(): Promise<number> {
    app = await startEventsApp(receiver, secret, {
      sinks: [
        { type: 'file', name: 'records', path: recordsFile, stream: 'records' },
        { type: 'file', name: 'events', path: eventsFile },
      ],
    });
    await app.advance(1_234);
    return app.clock.now();
  }

  it('writes one contact record per completed contact, in the trace-record format with whole-second timestamps', async () => {
    const t0 = await start();
    const flowId = ok(await app.request(ops.createContactFlow(DEMO.instanceId, { Name: 'queue', Content: JSON.stringify(QUEUE_FLOW) }))).ContactFlowId;
    const references = { ticket: { Type: 'URL', Value: 'https://example.com/t/1' } };
    const contactId = await startCall(app, CALLEE.hangsUpAfter10s, {
      ContactFlowId: flowId,
      Name: 'Reminder',
      Description: 'Appointment reminder',
      References: references,
      Attributes: { customerId: '42' },
    });
    await runFor(app, 5_000);
    assert.deepEqual(lines(recordsFile), [], 'no record while the contact is live');

    await runFor(app, 10_000);
    const records = lines(recordsFile);
    assert.equal(records.length, 1);
    assert.deepEqual(records[0], {
      AWSAccountId: ACCOUNT_ID,
      AWSContactTraceRecordFormatVersion: '2017-03-10',
      Agent: null,
      AgentConnectionAttempts: 0,
      AnsweringMachineDetectionStatus: null,
      Attributes: { customerId: '42' },
      Campaign: null,
      Channel: 'VOICE',
      ConnectedToSystemTimestamp: wholeSeconds(t0 + 2_000),
      ContactId: contactId,
      CustomerEndpoint: { Address: CALLEE.hangsUpAfter10s, Type: 'TELEPHONE_NUMBER' },
      Description: 'Appointment reminder',
      DisconnectReason: 'CUSTOMER_DISCONNECT',
      DisconnectTimestamp: wholeSeconds(t0 + 12_000),
      InitialContactId: contactId,
      InitiationMethod: 'API',
      InitiationTimestamp: wholeSeconds(t0),
      InstanceARN: INSTANCE_ARN,
      LastUpdateTimestamp: wholeSeconds(t0 + 12_000),
      MediaStreams: [{ Type: 'AUDIO' }],
      Name: 'Reminder',
      NextContactId: null,
      PreviousContactId: null,
      Queue: {
        ARN: `${INSTANCE_ARN}/queue/${DEMO.queueId}`,
        EnqueueTimestamp: wholeSeconds(t0 + 2_000),
        DequeueTimestamp: wholeSeconds(t0 + 12_000),
        Duration: 10,
      },
      Recording: null,
      Recordings: null,
      References: references,
      RelatedContactId: null,
      ScheduledTimestamp: null,
      SystemEndpoint: { Address: DEMO.callerIdNumber, Type: 'TELEPHONE_NUMBER' },
      TrafficType: 'GENERAL',
      TransferCompletedTimestamp: null,
      TransferredToEndpoint: null,
    });
    assert.equal(records[0].InitiationTimestamp, '2026-01-01T00:00:01Z');
    assert.ok(receiver.requests.every((r) => json(r)['detail-type'] === 'Amazon Connect Contact Event'), 'the events webhook gets no records');
  });

  it('writes a record for unanswered contacts too, without ConnectedToSystemTimestamp', async () => {
    const t0 = await start();
    const busy = await startCall(app, CALLEE.busy);
    const answered = await startCall(app, CALLEE.answers);
    await runFor(app, 10_000);
    const records = lines(recordsFile);
    assert.deepEqual(records.map((r) => String(r.ContactId)).sort(), [busy, answered].sort());
    const busyRecord = records.find((r) => r.ContactId === busy);
    assert.equal(busyRecord.ConnectedToSystemTimestamp, null);
    assert.equal(busyRecord.DisconnectReason, 'TELECOM_BUSY');
    assert.equal(busyRecord.DisconnectTimestamp, wholeSeconds(t0 + 300));
    assert.equal(busyRecord.Queue, null);
    assert.deepEqual(busyRecord.CustomerEndpoint, { Address: CALLEE.busy, Type: 'TELEPHONE_NUMBER' });
    assert.equal(records.find((r) => r.ContactId === answered).DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
  });

  it('writes a fresh record, with the newer LastUpdateTimestamp, when a completed contact’s attributes change', async () => {
    const t0 = await start();
    const contactId = await startCall(app, CALLEE.busy, { Attributes: { customerId: '42' } });
    await runFor(app, 60_000);
    ok(await app.request(ops.updateContactAttributes(contactId, { outcome: 'busy' })));
    await runFor(app, 1_000);

    const records = lines(recordsFile);
    assert.equal(records.length, 2);
    const [first, second] = records;
    assert.deepEqual(first.Attributes, { customerId: '42' });
    assert.equal(first.LastUpdateTimestamp, wholeSeconds(t0 + 300));
    assert.deepEqual(second.Attributes, { customerId: '42', outcome: 'busy' });
    assert.equal(second.LastUpdateTimestamp, wholeSeconds(t0 + 60_000));
    // Everything else is the same contact as it ended.
    assert.deepEqual({ ...second, Attributes: first.Attributes, LastUpdateTimestamp: first.LastUpdateTimestamp }, first);
  });

  it('writes no record when a live contact’s attributes change', async () => {
    await start();
    const contactId = await startCall(app, CALLEE.answers);
    await runFor(app, 3_000);
    ok(await app.request(ops.updateContactAttributes(contactId, { outcome: 'reached' })));
    await runFor(app, 1_000);
    assert.deepEqual(lines(recordsFile), []);
    await runFor(app, 10_000);
    assert.equal(lines(recordsFile).length, 1);
    assert.deepEqual(lines(recordsFile)[0].Attributes, { outcome: 'reached' });
  });

  it('writes every event to an events file, one JSON line each, the same envelopes the webhook gets', async () => {
    await start();
    const contactId = await startCall(app, CALLEE.answers);
    await runFor(app, 10_000);
    const events = lines(eventsFile);
    assert.deepEqual(
      events.map((e) => String(e.detail.eventType)),
      ['INITIATED', 'CONNECTED_TO_SYSTEM', 'DISCONNECTED', 'COMPLETED'],
    );
    assert.deepEqual(events, ofContact(receiver.requests, contactId).map(json));
    assert.deepEqual(typesOf(receiver.requests), ['INITIATED', 'CONNECTED_TO_SYSTEM', 'DISCONNECTED', 'COMPLETED']);
  });

  it('sends records to a webhook on the records stream, signed like events', async () => {
    const recordsSecret = newSecret();
    const records = await WebhookReceiver.start([recordsSecret]);
    try {
      app = await startEventsApp(receiver, secret, {
        sinks: [{ type: 'webhook', name: 'records-hook', url: records.url, stream: 'records', secrets: [recordsSecret] }],
      });
      const contactId = await startCall(app, CALLEE.busy);
      await runFor(app, 5_000);
      assert.equal(records.requests.length, 1);
      const [request] = records.requests;
      assert.equal(json(request!).ContactId, contactId);
      assert.equal(json(request!).AWSContactTraceRecordFormatVersion, '2017-03-10');
      assert.deepEqual(request!.verifiedWith, [recordsSecret], request!.verifyErrors.join('; '));
      assert.equal(typeof request!.headers['webhook-id'], 'string');
    } finally {
      await records.close();
    }
  });
});
