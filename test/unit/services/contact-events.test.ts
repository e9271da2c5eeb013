import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CONTACT_RECORD_TYPE, ContactEvents, type ContactEventsOptions } from '../../../src/services/contact-events.js';
import type { ContactRecord, EventStream, OutboxMessage, RecordingRecord } from '../../../src/store/store.js';

const INSTANCE = '11111111-1111-4111-8111-111111111111';
const CONTACT = '22222222-2222-4222-8222-222222222222';
const QUEUE = '33333333-3333-4333-8333-333333333333';
const ARN_PREFIX = 'arn:aws:connect:eu-west-2:123456789012';
const INSTANCE_ARN = `${ARN_PREFIX}:instance/${INSTANCE}`;
const CONTACT_ARN = `${INSTANCE_ARN}/contact/${CONTACT}`;
const QUEUE_ARN = `${INSTANCE_ARN}/queue/${QUEUE}`;

/** 2026-01-02T03:04:05.678Z */
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

function contact(patch: Partial<ContactRecord> = {}): ContactRecord {
  return {
    id: CONTACT,
    arn: CONTACT_ARN,
    instanceId: INSTANCE,
    nodeId: 'local',
    state: 'INITIATED',
    trafficType: 'GENERAL',
    flowId: 'flow-1',
    queueId: null,
    customerNumber: '+12065550100',
    systemNumber: '+12065550199',
    name: null,
    description: null,
    references: null,
    relatedContactId: null,
    campaignId: null,
    outboundStrategy: null,
    attributes: {},
    amdEnabled: false,
    amdAwaitPrompt: false,
    amdStatus: null,
    ringTimeoutSeconds: 60,
    initiatedAt: T0,
    ringStartedAt: T0,
    connectedAt: null,
    enqueuedAt: null,
    disconnectedAt: null,
    lastUpdatedAt: T0,
    disconnectReason: null,
    agentId: null,
    agentConnectedAt: null,
    acwStartedAt: null,
    acwEndedAt: null,
    revision: 1,
    ...patch,
  };
}

/** ContactEvents with ids msg-1, msg-2 … and every stream and type wanted unless `wanted` says otherwise. */
function events(options: Partial<ContactEventsOptions> = {}): ContactEvents {
  let n = 0;
  return new ContactEvents({
    region: 'eu-west-2',
    accountId: '123456789012',
    source: 'aws.connect',
    newId: () => `msg-${++n}`,
    wanted: () => true,
    ...options,
  });
}

type Envelope = {
  id: string;
  time: string;
  source: string;
  detail: Record<string, unknown> & { eventType: string };
};

const body = (message: OutboxMessage | undefined): Record<string, unknown> => {
  assert.ok(message !== undefined, 'expected a message');
  return JSON.parse(message.body) as Record<string, unknown>;
};
const envelope = (message: OutboxMessage | undefined): Envelope => body(message) as Envelope;
const kinds = (messages: readonly OutboxMessage[]): string[] => messages.map((m) => `${m.stream}:${m.type}`);

/** A contact that was answered at +2 s, queued at +5.5 s and ended at +65.2 s. */
const ended = (patch: Partial<ContactRecord> = {}): ContactRecord =>
  contact({
    state: 'DISCONNECTED',
    queueId: QUEUE,
    connectedAt: T0 + 2_000,
    enqueuedAt: T0 + 5_500,
    disconnectedAt: T0 + 65_200,
    lastUpdatedAt: T0 + 65_200,
    disconnectReason: 'CUSTOMER_DISCONNECT',
    ...patch,
  });

/** Recorded from the answer (+2 s) for 28.5 s. */
const RECORDING: RecordingRecord = {
  id: 'rec-1',
  contactId: CONTACT,
  instanceId: INSTANCE,
  location: '/var/lib/outdial/recordings/rec-1.wav',
  startedAt: T0 + 2_000,
  stoppedAt: T0 + 30_500,
};

describe('ContactEvents', () => {
  describe('the envelope', () => {
    it('is exactly the EventBridge envelope of an Amazon Connect contact event for INITIATED', () => {
      const [message, ...rest] = events().initiated(contact());

      assert.equal(rest.length, 0);
      assert.deepEqual({ ...message, body: undefined }, { messageId: 'msg-1', stream: 'events', type: 'INITIATED', body: undefined });
      assert.deepEqual(body(message), {
        version: '0',
        id: 'msg-1',
        'detail-type': 'Amazon Connect Contact Event',
        source: 'aws.connect',
        account: '123456789012',
        time: '2026-01-02T03:04:05Z',
        region: 'eu-west-2',
        resources: [INSTANCE_ARN, CONTACT_ARN],
        detail: {
          eventType: 'INITIATED',
          contactId: CONTACT,
          initialContactId: CONTACT,
          channel: 'VOICE',
          instanceArn: INSTANCE_ARN,
          initiationMethod: 'API',
          initiationTimestamp: '2026-01-02T03:04:05.678Z',
          tags: { 'aws:connect:instanceId': INSTANCE, 'aws:connect:systemEndpoint': '+12065550199' },
        },
      });
    });

    it('keeps the members in the order Connect sends them', () => {
      const message = events().initiated(contact())[0];

      assert.deepEqual(Object.keys(body(message)), ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']);
    });

    it('has `time` in whole seconds and the detail timestamps in ISO 8601 with milliseconds', () => {
      const [disconnected] = events().disconnected(ended());
      const { time, detail } = envelope(disconnected);

      assert.equal(time, '2026-01-02T03:05:10Z');
      assert.equal(detail.initiationTimestamp, '2026-01-02T03:04:05.678Z');
      assert.equal(detail.connectedToSystemTimestamp, '2026-01-02T03:04:07.678Z');
      assert.equal(detail.disconnectTimestamp, '2026-01-02T03:05:10.878Z');
      assert.equal((detail.queueInfo as { enqueueTimestamp: string }).enqueueTimestamp, '2026-01-02T03:04:11.178Z');
      for (const value of [detail.initiationTimestamp, detail.connectedToSystemTimestamp, detail.disconnectTimestamp]) {
        assert.match(String(value), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      }
    });

    it('takes the configured source', () => {
      assert.equal(envelope(events({ source: 'outdial.test' }).initiated(contact())[0]).source, 'outdial.test');
    });

    it('gives every message a new id, the envelope id and the messageId being the same', () => {
      const messages = events().disconnected(ended());

      assert.deepEqual(
        messages.map((m) => m.messageId),
        ['msg-1', 'msg-2', 'msg-3'],
      );
      assert.deepEqual(
        messages.filter((m) => m.stream === 'events').map((m) => envelope(m).id),
        ['msg-1', 'msg-2'],
      );
    });

    it('carries what the contact has: relatedContactId, AMD status, disconnect reason, campaign', () => {
      const message = events().disconnected(
        ended({ relatedContactId: 'related-1', amdStatus: 'VOICEMAIL_BEEP', campaignId: 'campaign-9', trafficType: 'CAMPAIGN', amdEnabled: true }),
      )[0];
      const { detail } = envelope(message);

      assert.equal(detail.relatedContactId, 'related-1');
      assert.equal(detail.answeringMachineDetectionStatus, 'VOICEMAIL_BEEP');
      assert.equal(detail.disconnectReason, 'CUSTOMER_DISCONNECT');
      assert.deepEqual(detail.campaign, { campaignId: 'campaign-9' });
    });
  });

  describe('queueInfo', () => {
    it('is absent until the contact is enqueued, even when it has a queue (the caller-ID queue)', () => {
      const { detail } = envelope(events().connected(contact({ state: 'CONNECTED_TO_SYSTEM', queueId: QUEUE, connectedAt: T0 + 2_000 }))[0]);

      assert.equal('queueInfo' in detail, false);
    });

    it('is there once the contact is enqueued', () => {
      const queued = contact({ state: 'QUEUED', queueId: QUEUE, connectedAt: T0 + 2_000, enqueuedAt: T0 + 5_500, lastUpdatedAt: T0 + 5_500 });
      const [message, ...rest] = events().queued(queued);

      assert.equal(rest.length, 0);
      assert.equal(message?.type, 'QUEUED');
      const { time, detail } = envelope(message);
      assert.equal(time, '2026-01-02T03:04:11Z');
      assert.deepEqual(detail.queueInfo, { queueArn: QUEUE_ARN, queueType: 'STANDARD', enqueueTimestamp: '2026-01-02T03:04:11.178Z' });
    });
  });

  describe('what each change emits', () => {
    it('an answer: CONNECTED_TO_SYSTEM at the answer time', () => {
      const messages = events().connected(contact({ state: 'CONNECTED_TO_SYSTEM', connectedAt: T0 + 2_000, lastUpdatedAt: T0 + 2_000 }));

      assert.deepEqual(kinds(messages), ['events:CONNECTED_TO_SYSTEM']);
      assert.equal(envelope(messages[0]).time, '2026-01-02T03:04:07Z');
      assert.equal(envelope(messages[0]).detail.connectedToSystemTimestamp, '2026-01-02T03:04:07.678Z');
    });

    it('AMD_DISABLED after CONNECTED_TO_SYSTEM only for a CAMPAIGN contact placed without detection', () => {
      const answered = { state: 'CONNECTED_TO_SYSTEM', connectedAt: T0 + 2_000 } as const;

      assert.deepEqual(kinds(events().connected(contact({ ...answered, trafficType: 'CAMPAIGN', amdEnabled: false }))), [
        'events:CONNECTED_TO_SYSTEM',
        'events:AMD_DISABLED',
      ]);
      assert.deepEqual(kinds(events().connected(contact({ ...answered, trafficType: 'CAMPAIGN', amdEnabled: true }))), ['events:CONNECTED_TO_SYSTEM']);
      assert.deepEqual(kinds(events().connected(contact({ ...answered, trafficType: 'GENERAL', amdEnabled: false }))), ['events:CONNECTED_TO_SYSTEM']);
      assert.deepEqual(kinds(events().connected(contact({ ...answered, trafficType: 'GENERAL', amdEnabled: true }))), ['events:CONNECTED_TO_SYSTEM']);
    });

    it('AMD_DISABLED has the same time and detail as the CONNECTED_TO_SYSTEM beside it', () => {
      const [connected, amdDisabled] = events().connected(contact({ state: 'CONNECTED_TO_SYSTEM', trafficType: 'CAMPAIGN', connectedAt: T0 + 2_000 }));
      const a = envelope(connected);
      const b = envelope(amdDisabled);

      assert.equal(b.time, a.time);
      assert.deepEqual({ ...b.detail, eventType: 'x' }, { ...a.detail, eventType: 'x' });
    });

    it('the end: DISCONNECTED, then COMPLETED at the same time, then the contact record', () => {
      const messages = events().disconnected(ended());

      assert.deepEqual(kinds(messages), ['events:DISCONNECTED', 'events:COMPLETED', `records:${CONTACT_RECORD_TYPE}`]);
      assert.equal(CONTACT_RECORD_TYPE, 'CONTACT_RECORD');
      const [disconnected, completed] = messages.map((m) => body(m));
      assert.deepEqual({ ...completed, id: 'x', detail: { ...(completed?.detail as object), eventType: 'x' } }, {
        ...disconnected,
        id: 'x',
        detail: { ...(disconnected?.detail as object), eventType: 'x' },
      });
    });

    it('an attribute update of a live contact: CONTACT_DATA_UPDATED with updatedProperties, no record', () => {
      const live = contact({ state: 'CONNECTED_TO_SYSTEM', connectedAt: T0 + 2_000, attributes: { a: '1' }, lastUpdatedAt: T0 + 9_000 });
      const messages = events().attributesUpdated(live);

      assert.deepEqual(kinds(messages), ['events:CONTACT_DATA_UPDATED']);
      const { time, detail } = envelope(messages[0]);
      assert.equal(time, '2026-01-02T03:04:14Z');
      assert.deepEqual(detail.updatedProperties, ['UserDefinedAttributes']);
    });

    it('an attribute update of a DISCONNECTED contact: CONTACT_DATA_UPDATED and a fresh contact record', () => {
      const messages = events().attributesUpdated(ended({ attributes: { outcome: 'paid' }, lastUpdatedAt: T0 + 120_000 }));

      assert.deepEqual(kinds(messages), ['events:CONTACT_DATA_UPDATED', `records:${CONTACT_RECORD_TYPE}`]);
      const record = body(messages[1]);
      assert.deepEqual(record.Attributes, { outcome: 'paid' });
      assert.equal(record.LastUpdateTimestamp, '2026-01-02T03:06:05Z');
    });

    it('a saved recording of a live contact: nothing (Connect has no event for it)', () => {
      assert.deepEqual(events().recorded(contact({ state: 'CONNECTED_TO_SYSTEM', connectedAt: T0 + 2_000 }), []), []);
    });

    it('a saved recording of a DISCONNECTED contact: a fresh contact record listing it', () => {
      const messages = events().recorded(ended({ lastUpdatedAt: T0 + 66_000 }), [RECORDING]);

      assert.deepEqual(kinds(messages), [`records:${CONTACT_RECORD_TYPE}`]);
      const record = body(messages[0]);
      assert.equal(record.LastUpdateTimestamp, '2026-01-02T03:05:11Z');
      assert.equal((record.Recordings as unknown[]).length, 1);
    });

    it('only the updatedProperties of CONTACT_DATA_UPDATED are extra detail', () => {
      const [other] = events().initiated(contact());
      const [updated] = events().attributesUpdated(contact());

      assert.deepEqual(Object.keys(envelope(updated).detail).filter((k) => !(k in envelope(other).detail)), ['updatedProperties']);
    });
  });

  describe('what sinks take', () => {
    it('writes only the event types and streams some enabled sink takes', () => {
      const asked: [EventStream, string][] = [];
      const wanted = (stream: EventStream, type: string): boolean => {
        asked.push([stream, type]);
        return stream === 'events' && type === 'DISCONNECTED';
      };

      const messages = events({ wanted }).disconnected(ended());

      assert.deepEqual(kinds(messages), ['events:DISCONNECTED']);
      assert.deepEqual(asked, [
        ['events', 'DISCONNECTED'],
        ['events', 'COMPLETED'],
        ['records', CONTACT_RECORD_TYPE],
      ]);
    });

    it('writes the record alone when only a records sink is enabled', () => {
      const messages = events({ wanted: (stream) => stream === 'records' }).disconnected(ended());

      assert.deepEqual(kinds(messages), [`records:${CONTACT_RECORD_TYPE}`]);
      assert.equal(messages[0]?.messageId, 'msg-1');
    });

    it('writes nothing when no sink is enabled', () => {
      const none = events({ wanted: () => false });

      assert.deepEqual(none.initiated(contact()), []);
      assert.deepEqual(none.connected(contact({ trafficType: 'CAMPAIGN', connectedAt: T0 })), []);
      assert.deepEqual(none.disconnected(ended()), []);
      assert.deepEqual(none.attributesUpdated(ended()), []);
    });
  });

  describe('the contact record', () => {
    it('is a contact trace record in PascalCase with whole-second timestamps', () => {
      const record = body(
        events().disconnected(
          ended({
            name: 'Reminder',
            description: 'order 42',
            references: { order: { Type: 'URL', Value: 'https://example.com/42' } },
            attributes: { orderId: '42' },
            relatedContactId: 'related-1',
            campaignId: 'campaign-9',
            trafficType: 'CAMPAIGN',
            amdEnabled: true,
            amdStatus: 'HUMAN_ANSWERED',
          }),
        )[2],
      );

      assert.deepEqual(record, {
        AWSAccountId: '123456789012',
        AWSContactTraceRecordFormatVersion: '2017-03-10',
        Agent: null,
        AgentConnectionAttempts: 0,
        AnsweringMachineDetectionStatus: 'HUMAN_ANSWERED',
        Attributes: { orderId: '42' },
        Campaign: { CampaignId: 'campaign-9' },
        Channel: 'VOICE',
        ConnectedToSystemTimestamp: '2026-01-02T03:04:07Z',
        ContactId: CONTACT,
        CustomerEndpoint: { Address: '+12065550100', Type: 'TELEPHONE_NUMBER' },
        Description: 'order 42',
        DisconnectReason: 'CUSTOMER_DISCONNECT',
        DisconnectTimestamp: '2026-01-02T03:05:10Z',
        InitialContactId: CONTACT,
        InitiationMethod: 'API',
        InitiationTimestamp: '2026-01-02T03:04:05Z',
        InstanceARN: INSTANCE_ARN,
        LastUpdateTimestamp: '2026-01-02T03:05:10Z',
        MediaStreams: [{ Type: 'AUDIO' }],
        Name: 'Reminder',
        NextContactId: null,
        PreviousContactId: null,
        Queue: {
          ARN: QUEUE_ARN,
          EnqueueTimestamp: '2026-01-02T03:04:11Z',
          DequeueTimestamp: '2026-01-02T03:05:10Z',
          Duration: 60,
        },
        Recording: null,
        Recordings: null,
        References: { order: { Type: 'URL', Value: 'https://example.com/42' } },
        RelatedContactId: 'related-1',
        ScheduledTimestamp: null,
        SystemEndpoint: { Address: '+12065550199', Type: 'TELEPHONE_NUMBER' },
        TrafficType: 'CAMPAIGN',
        TransferCompletedTimestamp: null,
        TransferredToEndpoint: null,
      });
    });

    it('names every member in PascalCase (attribute and reference names are the user’s)', () => {
      const record = body(events().disconnected(ended())[2]);
      const check = (value: unknown, path: string): void => {
        if (Array.isArray(value)) return value.forEach((v, i) => check(v, `${path}[${i}]`));
        if (value === null || typeof value !== 'object') return;
        for (const [key, member] of Object.entries(value)) {
          assert.match(key, /^[A-Z][A-Za-z]*$/, `${path}.${key}`);
          if (key !== 'Attributes' && key !== 'References') check(member, `${path}.${key}`);
        }
      };
      check(record, 'record');
    });

    it('has no Queue when the contact was never enqueued, and no queue Name in any case', () => {
      const notQueued = body(events().disconnected(ended({ enqueuedAt: null }))[2]);
      const queued = body(events().disconnected(ended())[2]);

      assert.equal(notQueued.Queue, null);
      assert.equal('Name' in (queued.Queue as object), false);
    });

    it('has nulls for what did not happen: an unanswered contact', () => {
      const record = body(
        events().disconnected(
          contact({ state: 'DISCONNECTED', disconnectedAt: T0 + 60_000, lastUpdatedAt: T0 + 60_000, disconnectReason: 'TELECOM_TIMEOUT' }),
        )[2],
      );

      assert.equal(record.ConnectedToSystemTimestamp, null);
      assert.equal(record.AnsweringMachineDetectionStatus, null);
      assert.equal(record.Campaign, null);
      assert.equal(record.Queue, null);
      assert.equal(record.DisconnectReason, 'TELECOM_TIMEOUT');
      assert.equal(record.DisconnectTimestamp, '2026-01-02T03:05:05Z');
      assert.equal(record.TrafficType, 'GENERAL');
    });

    it('lists the recordings: download paths on outdial, both parties (ALL), no AWS StorageType', () => {
      const second: RecordingRecord = { ...RECORDING, id: 'rec-2', startedAt: T0 + 40_000, stoppedAt: T0 + 65_200 };
      const record = body(events().disconnected(ended(), [RECORDING, second])[2]);

      assert.deepEqual(record.Recording, {
        DeletionReason: null,
        Location: `/outdial/recordings/${CONTACT}/rec-1.wav`,
        Status: 'AVAILABLE',
        Type: 'AUDIO',
      });
      assert.deepEqual(record.Recordings, [
        {
          DeletionReason: null,
          FragmentStartNumber: null,
          FragmentStopNumber: null,
          Location: `/outdial/recordings/${CONTACT}/rec-1.wav`,
          MediaStreamType: 'AUDIO',
          ParticipantType: 'ALL',
          StartTimestamp: '2026-01-02T03:04:07Z',
          Status: 'AVAILABLE',
          StopTimestamp: '2026-01-02T03:04:36Z',
          StorageType: null,
        },
        {
          DeletionReason: null,
          FragmentStartNumber: null,
          FragmentStopNumber: null,
          Location: `/outdial/recordings/${CONTACT}/rec-2.wav`,
          MediaStreamType: 'AUDIO',
          ParticipantType: 'ALL',
          StartTimestamp: '2026-01-02T03:04:45Z',
          Status: 'AVAILABLE',
          StopTimestamp: '2026-01-02T03:05:10Z',
          StorageType: null,
        },
      ]);
    });

    it('keeps listing the recordings in the record an attribute update writes again', () => {
      const record = body(events().attributesUpdated(ended(), [RECORDING])[1]);

      assert.equal((record.Recordings as unknown[]).length, 1);
    });

    it('rounds the queue Duration to whole seconds', () => {
      const record = body(events().disconnected(ended({ enqueuedAt: T0 + 5_500, disconnectedAt: T0 + 7_000 }))[2]);

      assert.equal((record.Queue as { Duration: number }).Duration, 2);
    });
  });
});
