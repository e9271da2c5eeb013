/**
 * Contact events as a webhook receives them: the EventBridge envelope of each event, byte for byte as
 * signed, and the events of a contact's life in order, for answered, queued, unanswered and campaign calls
 * and for attribute updates.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { CALLEE, instanceArn, ok, ops, startCall, UUID } from '../../helpers/connect.js';
import { assertSigned, newSecret, ofContact, runFor, startEventsApp, typesOf } from '../../helpers/events.js';
import { ACCOUNT_ID, DEMO, REGION, type TestApp } from '../../helpers/test-app.js';
import { json, WebhookReceiver } from '../../helpers/webhook-receiver.js';
import { queueFlow } from '../../helpers/flow-fixtures.js';

const INSTANCE_ARN = instanceArn(DEMO.instanceId);
const QUEUE_ARN = `${INSTANCE_ARN}/queue/${DEMO.queueId}`;
const TAGS = { 'aws:connect:instanceId': DEMO.instanceId, 'aws:connect:systemEndpoint': DEMO.callerIdNumber };

const iso = (ms: number): string => new Date(ms).toISOString();
const wholeSeconds = (ms: number): string => iso(ms).replace(/\.\d{3}Z$/, 'Z');

/** Sets an attribute, queues the contact, then disconnects it. */
const ATTRIBUTES_THEN_QUEUE_FLOW = queueFlow({ greeting: 'hello' });

/**
 * The envelope Connect would send for `eventType` at `at`; `detail` adds to (or, with undefined, removes
 * from) the members every event of the contact carries.
 */
function envelope(id: string, eventType: string, contactId: string, initiatedAt: number, at: number, detail: Record<string, unknown> = {}) {
  return {
    version: '0',
    id,
    'detail-type': 'Amazon Connect Contact Event',
    source: 'aws.connect',
    account: ACCOUNT_ID,
    time: wholeSeconds(at),
    region: REGION,
    resources: [INSTANCE_ARN, `${INSTANCE_ARN}/contact/${contactId}`],
    detail: {
      eventType,
      contactId,
      initialContactId: contactId,
      channel: 'VOICE',
      instanceArn: INSTANCE_ARN,
      initiationMethod: 'API',
      initiationTimestamp: iso(initiatedAt),
      tags: TAGS,
      ...detail,
    },
  };
}

describe('contact events on a webhook', () => {
  const secret = newSecret();
  let receiver: WebhookReceiver;
  let app: TestApp;

  before(async () => {
    receiver = await WebhookReceiver.start([secret]);
  });
  after(() => receiver.close());
  afterEach(async () => {
    await app.close();
    receiver.requests.length = 0;
  });

  /** Starts the app with the clock off a whole second, so whole-second and millisecond times differ. */
  async function start(options: Parameters<typeof startEventsApp>[2] = {}): Promise<number> {
    app = await startEventsApp(receiver, secret, options);
    await app.advance(1_234);
    return app.clock.now();
  }

  async function flow(content: object): Promise<string> {
    const created = ok(await app.request(ops.createContactFlow(DEMO.instanceId, { Name: `flow-${Math.random()}`, Content: JSON.stringify(content) })));
    return created.ContactFlowId as string;
  }

  it('sends every event of a queued contact in order, each in the exact EventBridge envelope, signed and POSTed as JSON', async () => {
    const t0 = await start();
    const wallBefore = Math.floor(Date.now() / 1000);
    const contactId = await startCall(app, CALLEE.hangsUpAfter10s, { ContactFlowId: await flow(ATTRIBUTES_THEN_QUEUE_FLOW) });
    await runFor(app, 20_000);
    const wallAfter = Math.ceil(Date.now() / 1000);

    const requests = ofContact(receiver.requests, contactId);
    assert.deepEqual(typesOf(requests), ['INITIATED', 'CONNECTED_TO_SYSTEM', 'CONTACT_DATA_UPDATED', 'QUEUED', 'DISCONNECTED', 'COMPLETED']);
    assert.equal(requests.length, receiver.requests.length, 'no other requests');
    assertSigned(requests, [secret]);

    const connectedAt = t0 + 2_000;
    const disconnectedAt = t0 + 12_000;
    const queueInfo = { queueArn: QUEUE_ARN, queueType: 'STANDARD', enqueueTimestamp: iso(connectedAt) };
    const connected = { connectedToSystemTimestamp: iso(connectedAt) };
    const ended = { ...connected, disconnectTimestamp: iso(disconnectedAt), queueInfo, disconnectReason: 'CUSTOMER_DISCONNECT' };
    const ids = requests.map((r) => json(r).id as string);
    assert.deepEqual(
      requests.map(json),
      [
        envelope(ids[0]!, 'INITIATED', contactId, t0, t0),
        envelope(ids[1]!, 'CONNECTED_TO_SYSTEM', contactId, t0, connectedAt, connected),
        envelope(ids[2]!, 'CONTACT_DATA_UPDATED', contactId, t0, connectedAt, { ...connected, updatedProperties: ['UserDefinedAttributes'] }),
        envelope(ids[3]!, 'QUEUED', contactId, t0, connectedAt, { ...connected, queueInfo }),
        envelope(ids[4]!, 'DISCONNECTED', contactId, t0, disconnectedAt, ended),
        envelope(ids[5]!, 'COMPLETED', contactId, t0, disconnectedAt, ended),
      ],
    );
    for (const id of ids) assert.match(id, UUID);
    assert.equal(new Set(ids).size, ids.length, 'every event has its own id');
    assert.equal(json(requests[0]!).time, '2026-01-01T00:00:01Z', 'time is in whole seconds');
    assert.equal(json(requests[0]!).detail.initiationTimestamp, '2026-01-01T00:00:01.234Z', 'detail timestamps keep milliseconds');

    for (const request of requests) {
      assert.equal(request.method, 'POST');
      assert.equal(request.path, '/hooks');
      assert.equal(request.headers['content-type'], 'application/json');
      assert.equal(request.headers['user-agent'], 'outdial-webhooks');
      assert.match(request.headers['webhook-signature'] ?? '', /^v1,[A-Za-z0-9+/]+=*$/);
      // The signature timestamp is real time (receivers compare it with their clock), not the engine's.
      const timestamp = Number(request.headers['webhook-timestamp']);
      assert.ok(timestamp >= wallBefore && timestamp <= wallAfter, `webhook-timestamp ${timestamp}`);
      assert.equal(request.status, 204);
    }
  });

  it('sends INITIATED, DISCONNECTED with TELECOM_BUSY and COMPLETED for a busy line, and no CONNECTED_TO_SYSTEM', async () => {
    const t0 = await start();
    const contactId = await startCall(app, CALLEE.busy);
    await runFor(app, 5_000);
    const requests = ofContact(receiver.requests, contactId);
    assert.deepEqual(typesOf(requests), ['INITIATED', 'DISCONNECTED', 'COMPLETED']);
    const ended = { disconnectTimestamp: iso(t0 + 300), disconnectReason: 'TELECOM_BUSY' };
    assert.deepEqual(json(requests[1]!), envelope(json(requests[1]!).id, 'DISCONNECTED', contactId, t0, t0 + 300, ended));
    assert.deepEqual(json(requests[2]!), envelope(json(requests[2]!).id, 'COMPLETED', contactId, t0, t0 + 300, ended));
    assertSigned(requests, [secret]);
  });

  it('ends every unanswered call with INITIATED, DISCONNECTED with its reason, and COMPLETED', async () => {
    await start();
    const calls = [
      ['TELECOM_UNANSWERED', await startCall(app, CALLEE.noAnswer, { RingTimeoutInSeconds: 15 })],
      ['TELECOM_BUSY', await startCall(app, CALLEE.declines)],
      ['TELECOM_NUMBER_INVALID', await startCall(app, CALLEE.unreachable)],
      ['TELECOM_PROBLEM', await startCall(app, CALLEE.carrierError)],
    ] as const;
    await runFor(app, 20_000);
    for (const [reason, contactId] of calls) {
      const requests = ofContact(receiver.requests, contactId);
      assert.deepEqual(typesOf(requests), ['INITIATED', 'DISCONNECTED', 'COMPLETED'], reason);
      for (const request of requests.slice(1)) {
        assert.equal(json(request).detail.disconnectReason, reason);
        assert.equal(json(request).detail.connectedToSystemTimestamp, undefined);
      }
      assert.equal(ok(await app.request(ops.describeContact(contactId))).Contact.DisconnectReason, reason);
    }
  });

  it('adds AMD_DISABLED after CONNECTED_TO_SYSTEM for a campaign call placed without answering machine detection', async () => {
    const t0 = await start({ config: { quotas: { concurrentCampaignActiveCallsPerInstance: 5 } } });
    const contactId = await startCall(app, CALLEE.answers, {
      TrafficType: 'CAMPAIGN',
      CampaignId: 'spring-campaign',
      AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: false },
    });
    await runFor(app, 10_000);
    const requests = ofContact(receiver.requests, contactId);
    assert.deepEqual(typesOf(requests), ['INITIATED', 'CONNECTED_TO_SYSTEM', 'AMD_DISABLED', 'DISCONNECTED', 'COMPLETED']);
    const campaign = { campaignId: 'spring-campaign' };
    assert.deepEqual(
      json(requests[2]!),
      envelope(json(requests[2]!).id, 'AMD_DISABLED', contactId, t0, t0 + 2_000, { campaign, connectedToSystemTimestamp: iso(t0 + 2_000) }),
    );
    for (const request of requests) assert.deepEqual(json(request).detail.campaign, campaign);
  });

  it('sends no AMD_DISABLED for a campaign call with detection, which reports its status instead', async () => {
    await start({ config: { quotas: { concurrentCampaignActiveCallsPerInstance: 5 } } });
    const contactId = await startCall(app, CALLEE.answers, {
      TrafficType: 'CAMPAIGN',
      CampaignId: 'spring-campaign',
      AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: true },
    });
    await runFor(app, 20_000);
    const requests = ofContact(receiver.requests, contactId);
    assert.deepEqual(typesOf(requests), ['INITIATED', 'CONNECTED_TO_SYSTEM', 'DISCONNECTED', 'COMPLETED']);
    const { Contact } = ok(await app.request(ops.describeContact(contactId)));
    assert.equal(json(requests[1]!).detail.answeringMachineDetectionStatus, Contact.AnsweringMachineDetectionStatus);
    assert.equal(typeof Contact.AnsweringMachineDetectionStatus, 'string');
  });

  it('sends no AMD_DISABLED for general traffic', async () => {
    await start();
    const contactId = await startCall(app, CALLEE.answers);
    await runFor(app, 10_000);
    assert.deepEqual(typesOf(ofContact(receiver.requests, contactId)), ['INITIATED', 'CONNECTED_TO_SYSTEM', 'DISCONNECTED', 'COMPLETED']);
  });

  it('sends CONTACT_DATA_UPDATED with updatedProperties when UpdateContactAttributes changes a live contact', async () => {
    const t0 = await start();
    const contactId = await startCall(app, CALLEE.answers);
    await runFor(app, 3_000);
    ok(await app.request(ops.updateContactAttributes(contactId, { outcome: 'reached' })));
    await runFor(app, 10_000);
    const requests = ofContact(receiver.requests, contactId);
    assert.deepEqual(typesOf(requests), ['INITIATED', 'CONNECTED_TO_SYSTEM', 'CONTACT_DATA_UPDATED', 'DISCONNECTED', 'COMPLETED']);
    assert.deepEqual(
      json(requests[2]!),
      envelope(json(requests[2]!).id, 'CONTACT_DATA_UPDATED', contactId, t0, t0 + 3_000, {
        connectedToSystemTimestamp: iso(t0 + 2_000),
        updatedProperties: ['UserDefinedAttributes'],
      }),
    );
  });

  it('sends CONTACT_DATA_UPDATED after COMPLETED when the attributes of a completed contact change', async () => {
    await start();
    const contactId = await startCall(app, CALLEE.busy);
    await runFor(app, 5_000);
    ok(await app.request(ops.updateContactAttributes(contactId, { outcome: 'busy' })));
    await runFor(app, 1_000);
    const requests = ofContact(receiver.requests, contactId);
    assert.deepEqual(typesOf(requests), ['INITIATED', 'DISCONNECTED', 'COMPLETED', 'CONTACT_DATA_UPDATED']);
    assert.equal(json(requests[3]!).detail.disconnectReason, 'TELECOM_BUSY');
  });

  it('keeps each contact in order while several calls run side by side', async () => {
    await start();
    const contactIds = [
      await startCall(app, CALLEE.answers),
      await startCall(app, CALLEE.busy),
      await startCall(app, CALLEE.hangsUpAfter10s),
      await startCall(app, CALLEE.answers),
    ];
    await runFor(app, 20_000);
    const expected = [
      ['INITIATED', 'CONNECTED_TO_SYSTEM', 'DISCONNECTED', 'COMPLETED'],
      ['INITIATED', 'DISCONNECTED', 'COMPLETED'],
      ['INITIATED', 'CONNECTED_TO_SYSTEM', 'DISCONNECTED', 'COMPLETED'],
      ['INITIATED', 'CONNECTED_TO_SYSTEM', 'DISCONNECTED', 'COMPLETED'],
    ];
    assert.deepEqual(
      contactIds.map((id) => typesOf(ofContact(receiver.requests, id))),
      expected,
    );
    assert.equal(receiver.requests.length, expected.flat().length);
  });

  it('sends only the event types a sink asks for', async () => {
    await start({ sink: { eventTypes: ['DISCONNECTED', 'QUEUED'] } });
    const queued = await startCall(app, CALLEE.hangsUpAfter10s, { ContactFlowId: await flow(ATTRIBUTES_THEN_QUEUE_FLOW) });
    const busy = await startCall(app, CALLEE.busy);
    await runFor(app, 20_000);
    assert.deepEqual(typesOf(ofContact(receiver.requests, queued)), ['QUEUED', 'DISCONNECTED']);
    assert.deepEqual(typesOf(ofContact(receiver.requests, busy)), ['DISCONNECTED']);
    assert.equal(receiver.requests.length, 3);
  });
});
