/**
 * DescribeContact: `GET /contacts/{InstanceId}/{ContactId}`.
 *
 * LIMITATIONS: agent, analytics and routing-criteria members appear once those features exist.
 * `Recordings` lists the call's saved recordings (SIP calls; the simulated network records nothing), each
 * `Location` an http URL of outdial's own download endpoint, signed like any request, not an S3 location;
 * `StorageType` is left out, since its values name AWS stores only (S3, Kinesis) and outdial keeps the
 * files on its own disk.
 */
import type { ContactRecord, RecordingRecord } from '../../store/store.js';
import { recordingPath } from '../../services/recordings.js';
import type { OperationHandler } from '../operation.js';
import { epochSeconds } from '../protocol.js';

export const describeContact: OperationHandler = async (input, { services, origin }) => {
  const i = input as { InstanceId: string; ContactId: string };
  const contact = await services.contacts.describe(i.InstanceId, i.ContactId);
  const recordings = await services.contacts.recordings(contact);
  return { Contact: { ...contactShape(contact), ...(recordings.length > 0 && { Recordings: recordings.map((r) => recordingInfo(r, origin)) }) } };
};

/**
 * The model's RecordingInfo. One stereo file holds both sides of the call, so its ParticipantType is ALL
 * (the model's value for every participant), not CUSTOMER.
 */
function recordingInfo(r: RecordingRecord, origin: string): Record<string, unknown> {
  return {
    Location: `${origin}${recordingPath(r.contactId, r.id)}`,
    MediaStreamType: 'AUDIO',
    ParticipantType: 'ALL',
    StartTimestamp: epochSeconds(r.startedAt),
    StopTimestamp: epochSeconds(r.stoppedAt),
    Status: 'AVAILABLE',
  };
}

/** The model's Contact structure for a contact record; absent values are left out, as AWS does. */
export function contactShape(c: ContactRecord): Record<string, unknown> {
  return {
    Arn: c.arn,
    Id: c.id,
    InitialContactId: c.id,
    InitiationMethod: 'API',
    Channel: 'VOICE',
    ...(c.name !== null && { Name: c.name }),
    ...(c.description !== null && { Description: c.description }),
    ...(c.queueId !== null && { QueueInfo: { Id: c.queueId, EnqueueTimestamp: epochSeconds(c.enqueuedAt) } }),
    ...(c.agentId !== null && {
      AgentInfo: {
        Id: c.agentId,
        ConnectedToAgentTimestamp: epochSeconds(c.agentConnectedAt),
        ...(c.acwStartedAt !== null && { AfterContactWorkStartTimestamp: epochSeconds(c.acwStartedAt) }),
        ...(c.acwEndedAt !== null && {
          AfterContactWorkEndTimestamp: epochSeconds(c.acwEndedAt),
          AfterContactWorkDuration: Math.round((c.acwEndedAt - (c.acwStartedAt ?? c.acwEndedAt)) / 1000),
        }),
        ...(c.disconnectedAt !== null &&
          c.agentConnectedAt !== null && { AgentInitiatedHoldDuration: 0 }),
      },
    }),
    CustomerEndpoint: { Type: 'TELEPHONE_NUMBER', Address: c.customerNumber },
    SystemEndpoint: { Type: 'TELEPHONE_NUMBER', Address: c.systemNumber },
    InitiationTimestamp: epochSeconds(c.initiatedAt),
    RingStartTimestamp: epochSeconds(c.ringStartedAt),
    ConnectedToSystemTimestamp: epochSeconds(c.connectedAt),
    DisconnectTimestamp: epochSeconds(c.disconnectedAt),
    LastUpdateTimestamp: epochSeconds(c.lastUpdatedAt),
    ...(c.disconnectReason !== null && { DisconnectReason: c.disconnectReason }),
    ...(c.amdStatus !== null && { AnsweringMachineDetectionStatus: c.amdStatus }),
    ...(c.campaignId !== null && { Campaign: { CampaignId: c.campaignId } }),
    ...(c.relatedContactId !== null && { RelatedContactId: c.relatedContactId }),
    ...(c.references !== null && { References: c.references }),
    ...(c.outboundStrategy !== null && { OutboundStrategy: c.outboundStrategy }),
    Attributes: c.attributes,
  };
}
