/**
 * What a contact's changes tell the outside world: Amazon Connect contact events in the EventBridge
 * envelope (camelCase `detail`, ISO timestamps with milliseconds, `time` in whole seconds) and contact
 * trace records (PascalCase, whole-second timestamps). Each change's messages are built inside its
 * transaction from the contact as the change left it; see docs/events.md.
 */
import type { ContactRecord, Emit, EventStream, OutboxMessage, RecordingRecord } from '../store/store.js';
import { arns, type ArnContext } from './arns.js';
import { recordingPath } from './recordings.js';

export const CONTACT_EVENT_TYPES = [
  'INITIATED',
  'CONNECTED_TO_SYSTEM',
  'AMD_DISABLED',
  'QUEUED',
  'CONNECTED_TO_AGENT',
  'CONTACT_DATA_UPDATED',
  'DISCONNECTED',
  'COMPLETED',
] as const;

export type ContactEventType = (typeof CONTACT_EVENT_TYPES)[number];

/** The `type` of contact-record messages in the outbox. */
export const CONTACT_RECORD_TYPE = 'CONTACT_RECORD';

export const CTR_FORMAT_VERSION = '2017-03-10';

export interface ContactEventsOptions extends ArnContext {
  /** The envelope's `source`: `aws.connect` unless configured otherwise. */
  readonly source: string;
  readonly newId: () => string;
  /**
   * Whether an enabled sink takes messages of this stream and type. Messages nobody takes are not
   * written: a sink receives what is committed after it was added or enabled.
   */
  readonly wanted: (stream: EventStream, type: string) => boolean;
  /** Whether any enabled sink takes anything; true when not given. */
  readonly anyWanted?: () => boolean;
}

export class ContactEvents {
  constructor(private readonly options: ContactEventsOptions) {}

  /**
   * `emit`, or undefined while no enabled sink takes anything: the change then writes nothing but itself
   * and needs no savepoint of its own.
   */
  ifAnyWanted(emit: Emit): Emit | undefined {
    return (this.options.anyWanted?.() ?? true) ? emit : undefined;
  }

  /** Admission: INITIATED. */
  readonly initiated: Emit = (contact) => this.#events(contact, contact.initiatedAt, ['INITIATED']);

  /** An answer: CONNECTED_TO_SYSTEM, and AMD_DISABLED for campaign calls placed without detection. */
  readonly connected: Emit = (contact) => {
    const amdDisabled = contact.trafficType === 'CAMPAIGN' && !contact.amdEnabled;
    return this.#events(contact, contact.connectedAt ?? contact.lastUpdatedAt, ['CONNECTED_TO_SYSTEM', ...(amdDisabled ? ['AMD_DISABLED' as const] : [])]);
  };

  readonly queued: Emit = (contact) => this.#events(contact, contact.enqueuedAt ?? contact.lastUpdatedAt, ['QUEUED']);

  readonly connectedToAgent: Emit = (contact) =>
    this.#events(contact, contact.agentConnectedAt ?? contact.lastUpdatedAt, ['CONNECTED_TO_AGENT']);

  /**
   * The end: DISCONNECTED. A contact an agent talked to completes when the agent's after-contact work
   * ends (`completed`); any other completes at once, and its contact record follows.
   */
  readonly disconnected: Emit = (contact, recordings) => {
    const at = contact.disconnectedAt ?? contact.lastUpdatedAt;
    if (contact.agentConnectedAt !== null) return this.#events(contact, at, ['DISCONNECTED']);
    return [...this.#events(contact, at, ['DISCONNECTED', 'COMPLETED']), ...this.#record(contact, recordings)];
  };

  /** The agent finished after-contact work: COMPLETED, then the contact record. */
  readonly completed: Emit = (contact, recordings) => [
    ...this.#events(contact, contact.acwEndedAt ?? contact.lastUpdatedAt, ['COMPLETED']),
    ...this.#record(contact, recordings),
  ];

  /** Attributes changed: CONTACT_DATA_UPDATED, and a fresh contact record once the contact has completed. */
  readonly attributesUpdated: Emit = (contact, recordings) => {
    const events = this.#events(contact, contact.lastUpdatedAt, ['CONTACT_DATA_UPDATED'], { updatedProperties: ['UserDefinedAttributes'] });
    return contact.state === 'DISCONNECTED' ? [...events, ...this.#record(contact, recordings)] : events;
  };

  /**
   * A recording was saved. Connect has no contact event for it; an ended contact gets a fresh contact
   * record listing it, because the carrier saves the last recording when the call ends, after the record
   * written at the disconnect.
   */
  readonly recorded: Emit = (contact, recordings) => (contact.state === 'DISCONNECTED' ? this.#record(contact, recordings) : []);

  #events(contact: ContactRecord, at: number, types: readonly ContactEventType[], extra?: Record<string, unknown>): OutboxMessage[] {
    return types.filter((type) => this.options.wanted('events', type)).map((type) => this.#event(type, contact, at, extra));
  }

  #event(type: ContactEventType, contact: ContactRecord, at: number, extra: Record<string, unknown> = {}): OutboxMessage {
    const id = this.options.newId();
    const instanceArn = arns.instance(this.options, contact.instanceId);
    const envelope = {
      version: '0',
      id,
      'detail-type': 'Amazon Connect Contact Event',
      source: this.options.source,
      account: this.options.accountId,
      time: wholeSeconds(at),
      region: this.options.region,
      resources: [instanceArn, contact.arn],
      detail: {
        eventType: type,
        contactId: contact.id,
        initialContactId: contact.id,
        ...(contact.relatedContactId !== null && { relatedContactId: contact.relatedContactId }),
        channel: 'VOICE',
        instanceArn,
        initiationMethod: 'API',
        initiationTimestamp: iso(contact.initiatedAt),
        ...(contact.connectedAt !== null && { connectedToSystemTimestamp: iso(contact.connectedAt) }),
        ...(contact.disconnectedAt !== null && { disconnectTimestamp: iso(contact.disconnectedAt) }),
        ...(contact.enqueuedAt !== null &&
          contact.queueId !== null && {
            queueInfo: {
              queueArn: arns.queue(this.options, contact.instanceId, contact.queueId),
              queueType: 'STANDARD',
              enqueueTimestamp: iso(contact.enqueuedAt),
            },
          }),
        ...(contact.agentId !== null &&
          contact.agentConnectedAt !== null && {
            agentInfo: {
              agentArn: this.#agentArn(contact),
              connectedToAgentTimestamp: iso(contact.agentConnectedAt),
              ...(contact.acwStartedAt !== null && { afterContactWorkStartTimestamp: iso(contact.acwStartedAt) }),
              ...(contact.acwEndedAt !== null && { afterContactWorkEndTimestamp: iso(contact.acwEndedAt) }),
            },
          }),
        ...(contact.amdStatus !== null && { answeringMachineDetectionStatus: contact.amdStatus }),
        ...(contact.disconnectReason !== null && { disconnectReason: contact.disconnectReason }),
        ...(contact.campaignId !== null && { campaign: { campaignId: contact.campaignId } }),
        tags: { 'aws:connect:instanceId': contact.instanceId, 'aws:connect:systemEndpoint': contact.systemNumber },
        ...extra,
      },
    };
    return { messageId: id, stream: 'events', type, body: JSON.stringify(envelope) };
  }

  #agentArn(contact: ContactRecord): string {
    return `${arns.instance(this.options, contact.instanceId)}/agent/${contact.agentId ?? ''}`;
  }

  /** The contact record, when a sink takes records. */
  #record(contact: ContactRecord, recordings: readonly RecordingRecord[] = []): OutboxMessage[] {
    if (!this.options.wanted('records', CONTACT_RECORD_TYPE)) return [];
    // A contact leaves its queue when an agent takes it, or when it ends waiting.
    const dequeuedAt = contact.agentConnectedAt ?? contact.disconnectedAt;
    const queue =
      contact.queueId === null || contact.enqueuedAt === null
        ? null
        : {
            ARN: arns.queue(this.options, contact.instanceId, contact.queueId),
            EnqueueTimestamp: wholeSeconds(contact.enqueuedAt),
            DequeueTimestamp: dequeuedAt === null ? null : wholeSeconds(dequeuedAt),
            Duration: dequeuedAt === null ? null : Math.round((dequeuedAt - contact.enqueuedAt) / 1000),
          };
    const agent =
      contact.agentId === null || contact.agentConnectedAt === null
        ? null
        : {
            ARN: this.#agentArn(contact),
            ConnectedToAgentTimestamp: wholeSeconds(contact.agentConnectedAt),
            AgentInteractionDuration:
              contact.disconnectedAt === null ? null : Math.round((contact.disconnectedAt - contact.agentConnectedAt) / 1000),
            AfterContactWorkStartTimestamp: contact.acwStartedAt === null ? null : wholeSeconds(contact.acwStartedAt),
            AfterContactWorkEndTimestamp: contact.acwEndedAt === null ? null : wholeSeconds(contact.acwEndedAt),
            AfterContactWorkDuration:
              contact.acwStartedAt === null || contact.acwEndedAt === null
                ? null
                : Math.round((contact.acwEndedAt - contact.acwStartedAt) / 1000),
          };
    const record = {
      AWSAccountId: this.options.accountId,
      AWSContactTraceRecordFormatVersion: CTR_FORMAT_VERSION,
      Agent: agent,
      AgentConnectionAttempts: agent === null ? 0 : 1,
      AnsweringMachineDetectionStatus: contact.amdStatus,
      Attributes: contact.attributes,
      Campaign: contact.campaignId === null ? null : { CampaignId: contact.campaignId },
      Channel: 'VOICE',
      ConnectedToSystemTimestamp: contact.connectedAt === null ? null : wholeSeconds(contact.connectedAt),
      ContactId: contact.id,
      CustomerEndpoint: { Address: contact.customerNumber, Type: 'TELEPHONE_NUMBER' },
      Description: contact.description,
      DisconnectReason: contact.disconnectReason,
      DisconnectTimestamp: contact.disconnectedAt === null ? null : wholeSeconds(contact.disconnectedAt),
      InitialContactId: contact.id,
      InitiationMethod: 'API',
      InitiationTimestamp: wholeSeconds(contact.initiatedAt),
      InstanceARN: arns.instance(this.options, contact.instanceId),
      LastUpdateTimestamp: wholeSeconds(contact.lastUpdatedAt),
      MediaStreams: [{ Type: 'AUDIO' }],
      Name: contact.name,
      NextContactId: null,
      PreviousContactId: null,
      Queue: queue,
      // Connect's single legacy member describes one recording; a contact recorded in stretches has several.
      Recording:
        recordings[0] === undefined
          ? null
          : { DeletionReason: null, Location: recordingPath(contact.id, recordings[0].id), Status: 'AVAILABLE', Type: 'AUDIO' },
      Recordings: recordings.length === 0 ? null : recordings.map((r) => this.#recording(contact, r)),
      References: contact.references,
      RelatedContactId: contact.relatedContactId,
      ScheduledTimestamp: null,
      SystemEndpoint: { Address: contact.systemNumber, Type: 'TELEPHONE_NUMBER' },
      TrafficType: contact.trafficType,
      TransferCompletedTimestamp: null,
      TransferredToEndpoint: null,
    };
    return [{ messageId: this.options.newId(), stream: 'records', type: CONTACT_RECORD_TYPE, body: JSON.stringify(record) }];
  }

  /**
   * One saved recording. The record is built without a request, so Location is the download path on
   * outdial's API, not a URL (Connect's is an S3 key, not a URL either). Both parties share the stereo file:
   * ALL. StorageType names AWS stores only (S3, Kinesis), and outdial keeps files on its own disk: null.
   */
  #recording(contact: ContactRecord, r: RecordingRecord): Record<string, unknown> {
    return {
      DeletionReason: null,
      FragmentStartNumber: null,
      FragmentStopNumber: null,
      Location: recordingPath(contact.id, r.id),
      MediaStreamType: 'AUDIO',
      ParticipantType: 'ALL',
      StartTimestamp: wholeSeconds(r.startedAt),
      Status: 'AVAILABLE',
      StopTimestamp: wholeSeconds(r.stoppedAt),
      StorageType: null,
    };
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function wholeSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
