/**
 * SearchContacts: turns Connect's request into a store query (`ContactSearch`) and pages through it.
 *
 * Supported: the time range on every timestamp type, Channels, InitiationMethods, QueueIds, AgentIds, Name
 * and SearchableContactAttributes (MATCH_ALL or MATCH_ANY), Sort on every field, MaxResults and NextToken.
 * Criteria on what outdial does not record (hierarchy groups, routing criteria, Contact Lens
 * transcripts, segment attributes, contact tags, AI agents) match no contact, as no stored contact has
 * any; AdditionalTimeRange and ActiveRegions are refused. The NextToken carries the offset of the next
 * page and a digest of the query, so a token is only good for the search that issued it.
 */
import { createHash } from 'node:crypto';
import type { ContactRecord, ContactSearch, Store } from '../store/store.js';
import { resourceIdFrom } from './arns.js';
import { InvalidParameterException } from './errors.js';
import type { ResourceService } from './resource-service.js';

/** Page size when the request sends no MaxResults (the model's maximum). */
const DEFAULT_PAGE_SIZE = 100;

/** SearchContactsRequest as the model defines it; timestamps are epoch seconds, as restJson1 sends them. */
export interface SearchContactsRequest {
  readonly InstanceId: string;
  readonly TimeRange: { readonly Type: string; readonly StartTime: number; readonly EndTime: number };
  readonly SearchCriteria?: SearchCriteria;
  readonly MaxResults?: number;
  readonly NextToken?: string;
  readonly Sort?: { readonly FieldName: string; readonly Order: string };
}

interface MatchedTexts {
  readonly SearchText?: readonly string[];
  readonly MatchType?: string;
}

interface SearchCriteria {
  readonly Name?: MatchedTexts;
  readonly AgentIds?: readonly string[];
  readonly AgentHierarchyGroups?: Readonly<Record<string, readonly string[] | undefined>>;
  readonly Channels?: readonly string[];
  readonly ContactAnalysis?: { readonly Transcript?: { readonly Criteria?: readonly unknown[] } };
  readonly InitiationMethods?: readonly string[];
  readonly QueueIds?: readonly string[];
  readonly RoutingCriteria?: { readonly Steps?: readonly { readonly AgentCriteria?: { readonly AgentIds?: readonly string[] } }[] };
  readonly AdditionalTimeRange?: unknown;
  readonly SearchableContactAttributes?: {
    readonly Criteria?: readonly { readonly Key: string; readonly Values: readonly string[] }[];
    readonly MatchType?: string;
  };
  readonly SearchableSegmentAttributes?: { readonly Criteria?: readonly unknown[] };
  readonly ActiveRegions?: readonly string[];
  readonly ContactTags?: { readonly OrConditions?: readonly unknown[]; readonly AndConditions?: readonly unknown[]; readonly TagCondition?: unknown };
  readonly AiAgents?: { readonly Criteria?: readonly unknown[] };
}

export interface SearchContactsResult {
  readonly contacts: ContactRecord[];
  readonly totalCount: number;
  readonly nextToken?: string;
}

const TIME_FIELDS: Record<string, ContactSearch['timeField']> = {
  INITIATION_TIMESTAMP: 'initiatedAt',
  SCHEDULED_TIMESTAMP: 'scheduledAt',
  CONNECTED_TO_AGENT_TIMESTAMP: 'connectedToAgentAt',
  DISCONNECT_TIMESTAMP: 'disconnectedAt',
  ENQUEUE_TIMESTAMP: 'enqueuedAt',
};

const SORT_FIELDS: Record<string, ContactSearch['sort']['field']> = {
  INITIATION_TIMESTAMP: 'initiatedAt',
  SCHEDULED_TIMESTAMP: 'scheduledAt',
  CONNECTED_TO_AGENT_TIMESTAMP: 'connectedToAgentAt',
  DISCONNECT_TIMESTAMP: 'disconnectedAt',
  INITIATION_METHOD: 'initiationMethod',
  CHANNEL: 'channel',
  EXPIRY_TIMESTAMP: 'expiryAt',
};

export interface ContactSearchServiceDeps {
  readonly store: Store;
  readonly resources: ResourceService;
}

export class ContactSearchService {
  constructor(private readonly deps: ContactSearchServiceDeps) {}

  async search(request: SearchContactsRequest): Promise<SearchContactsResult> {
    const criteria = request.SearchCriteria ?? {};
    const timeField = TIME_FIELDS[request.TimeRange.Type];
    if (timeField === undefined) throw new InvalidParameterException(`TimeRange.Type ${request.TimeRange.Type} is not valid.`);
    const from = Math.round(request.TimeRange.StartTime * 1000);
    const to = Math.round(request.TimeRange.EndTime * 1000);
    if (to <= from) throw new InvalidParameterException('TimeRange.EndTime must be after TimeRange.StartTime.');
    for (const member of ['AdditionalTimeRange', 'ActiveRegions'] as const) {
      if (criteria[member] !== undefined) throw new InvalidParameterException(`SearchCriteria.${member} is not supported by outdial.`);
    }
    const name = criteria.Name && { texts: criteria.Name.SearchText ?? [], matchAll: matchAll('SearchCriteria.Name', criteria.Name.MatchType) };
    const searchable = criteria.SearchableContactAttributes;
    const attributes = searchable && {
      criteria: (searchable.Criteria ?? []).map((c) => ({ key: c.Key, values: c.Values })),
      matchAll: matchAll('SearchCriteria.SearchableContactAttributes', searchable.MatchType ?? 'MATCH_ALL'),
    };
    const sortField = SORT_FIELDS[request.Sort?.FieldName ?? 'INITIATION_TIMESTAMP'];
    if (sortField === undefined) throw new InvalidParameterException(`Sort.FieldName ${request.Sort?.FieldName} is not valid.`);

    const instance = await this.deps.resources.requireInstance(request.InstanceId);
    const query: Omit<ContactSearch, 'offset' | 'limit'> = {
      instanceId: instance.id,
      timeField,
      from,
      to,
      ...(criteria.Channels !== undefined && { channels: criteria.Channels }),
      ...(criteria.InitiationMethods !== undefined && { initiationMethods: criteria.InitiationMethods }),
      ...(criteria.QueueIds !== undefined && { queueIds: criteria.QueueIds.map(resourceIdFrom) }),
      ...(criteria.AgentIds !== undefined && { agentIds: criteria.AgentIds.map(resourceIdFrom) }),
      ...(attributes !== undefined && { attributes }),
      ...(name !== undefined && { name }),
      // Newest first unless asked otherwise, as Connect's contact search lists them.
      sort: { field: sortField, ascending: request.Sort?.Order === 'ASCENDING' },
    };
    const digest = digestOf(query);
    const offset = request.NextToken === undefined ? 0 : decodeToken(request.NextToken, digest);
    const limit = request.MaxResults ?? DEFAULT_PAGE_SIZE;
    if (unrecorded(criteria)) return { contacts: [], totalCount: 0 };

    const page = await this.deps.store.contacts.search({ ...query, offset, limit });
    const next = offset + page.contacts.length;
    return {
      contacts: page.contacts,
      totalCount: page.totalCount,
      ...(page.contacts.length > 0 && next < page.totalCount && { nextToken: encodeToken(next, digest) }),
    };
  }
}

function matchAll(member: string, matchType: string | undefined): boolean {
  if (matchType === 'MATCH_ALL') return true;
  if (matchType === 'MATCH_ANY') return false;
  throw new InvalidParameterException(`${member}.MatchType ${matchType} is not supported by outdial; use MATCH_ALL or MATCH_ANY.`);
}

/** True when a criterion asks for something no stored contact has (agents, analysis, segments, tags, AI agents). */
function unrecorded(c: SearchCriteria): boolean {
  const some = (list: readonly unknown[] | undefined) => list !== undefined && list.length > 0;
  return (
    Object.values(c.AgentHierarchyGroups ?? {}).some(some) ||
    (c.RoutingCriteria?.Steps ?? []).some((step) => some(step.AgentCriteria?.AgentIds)) ||
    some(c.ContactAnalysis?.Transcript?.Criteria) ||
    some(c.SearchableSegmentAttributes?.Criteria) ||
    some(c.ContactTags?.OrConditions) ||
    some(c.ContactTags?.AndConditions) ||
    c.ContactTags?.TagCondition !== undefined ||
    some(c.AiAgents?.Criteria)
  );
}

/** A digest of everything that selects and orders the matches: a token is good only for the same search. */
function digestOf(query: Omit<ContactSearch, 'offset' | 'limit'>): string {
  return createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 22);
}

function encodeToken(offset: number, digest: string): string {
  return Buffer.from(JSON.stringify({ offset, search: digest })).toString('base64url');
}

/** The offset a NextToken carries, or InvalidParameterException for a token this search did not issue. */
function decodeToken(token: string, digest: string): number {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidParameterException('The NextToken is not valid.');
  }
  const { offset, search } = (typeof value === 'object' && value !== null ? value : {}) as { offset?: unknown; search?: unknown };
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0 || typeof search !== 'string') {
    throw new InvalidParameterException('The NextToken is not valid.');
  }
  if (search !== digest) throw new InvalidParameterException('The NextToken is not valid for this search.');
  return offset;
}
