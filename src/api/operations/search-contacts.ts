/**
 * SearchContacts: `POST /search-contacts`. The criteria outdial supports are listed in
 * `services/contact-search-service.ts` and docs/api.md.
 *
 * LIMITATIONS: ScheduledTimestamp, SegmentAttributes, RoutingCriteria and Tags appear once
 * outdial records them; every contact is a VOICE contact initiated by the API.
 */
import type { ContactRecord } from '../../store/store.js';
import type { SearchContactsRequest } from '../../services/contact-search-service.js';
import type { OperationHandler } from '../operation.js';
import { epochSeconds } from '../protocol.js';
import { contactShape } from './describe-contact.js';

export const searchContacts: OperationHandler = async (input, { services }) => {
  const result = await services.contactSearch.search(input as unknown as SearchContactsRequest);
  return {
    Contacts: result.contacts.map(contactSearchSummary),
    TotalCount: result.totalCount,
    ...(result.nextToken !== undefined && { NextToken: result.nextToken }),
  };
};

/** The members ContactSearchSummary shares with DescribeContact's Contact, rendered the same way. */
const SUMMARY_MEMBERS = [
  'Arn',
  'Id',
  'InitialContactId',
  'InitiationMethod',
  'Channel',
  'QueueInfo',
  'InitiationTimestamp',
  'DisconnectTimestamp',
  'Name',
] as const;

/** The model's ContactSearchSummary for a contact record; absent values are left out, as AWS does. */
export function contactSearchSummary(c: ContactRecord): Record<string, unknown> {
  const contact = contactShape(c);
  const summary = Object.fromEntries(SUMMARY_MEMBERS.filter((m) => contact[m] !== undefined).map((m) => [m, contact[m]]));
  // The summary's AgentInfo holds only who took the contact and when.
  return c.agentId === null ? summary : { ...summary, AgentInfo: { Id: c.agentId, ConnectedToAgentTimestamp: epochSeconds(c.agentConnectedAt) } };
}
