/**
 * SearchContacts: `POST /search-contacts`. The criteria outdial supports are listed in
 * `services/contact-search-service.ts` and docs/api.md.
 *
 * LIMITATIONS: AgentInfo, ScheduledTimestamp, SegmentAttributes, RoutingCriteria and Tags appear once
 * outdial records them; every contact is a VOICE contact initiated by the API.
 */
import type { ContactRecord } from '../../store/store.js';
import type { SearchContactsRequest } from '../../services/contact-search-service.js';
import type { OperationHandler } from '../operation.js';
import { epochSeconds } from '../protocol.js';

export const searchContacts: OperationHandler = async (input, { services }) => {
  const result = await services.contactSearch.search(input as unknown as SearchContactsRequest);
  return {
    Contacts: result.contacts.map(contactSearchSummary),
    TotalCount: result.totalCount,
    ...(result.nextToken !== undefined && { NextToken: result.nextToken }),
  };
};

/** The model's ContactSearchSummary for a contact record; absent values are left out, as AWS does. */
export function contactSearchSummary(c: ContactRecord): Record<string, unknown> {
  return {
    Arn: c.arn,
    Id: c.id,
    InitialContactId: c.id,
    InitiationMethod: 'API',
    Channel: 'VOICE',
    ...(c.queueId !== null && { QueueInfo: { Id: c.queueId, EnqueueTimestamp: epochSeconds(c.enqueuedAt) } }),
    InitiationTimestamp: epochSeconds(c.initiatedAt),
    DisconnectTimestamp: epochSeconds(c.disconnectedAt),
    ...(c.name !== null && { Name: c.name }),
  };
}
