/**
 * DescribeContact: `GET /contacts/{InstanceId}/{ContactId}`.
 *
 * LIMITATIONS: agent, recording, analytics and routing-criteria members appear once those features exist.
 */
import type { ContactRecord } from '../../store/store.js';
import type { OperationHandler } from '../operation.js';
import { epochSeconds } from '../protocol.js';

export const describeContact: OperationHandler = async (input, { services }) => {
  const i = input as { InstanceId: string; ContactId: string };
  return { Contact: contactShape(await services.contacts.describe(i.InstanceId, i.ContactId)) };
};

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
