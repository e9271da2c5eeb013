/**
 * The store port: what the services need from persistence, in domain terms (camelCase records, epoch-ms
 * timestamps). `kysely/` implements it once for every SQL dialect.
 */

export type ContactState =
  | 'INITIATED'
  | 'CONNECTED_TO_SYSTEM'
  | 'QUEUED'
  | 'CONNECTED_TO_AGENT'
  | 'DISCONNECTED';

export const LIVE_STATES: readonly ContactState[] = ['INITIATED', 'CONNECTED_TO_SYSTEM', 'QUEUED', 'CONNECTED_TO_AGENT'];

export type TrafficType = 'GENERAL' | 'CAMPAIGN';

export interface InstanceRecord {
  id: string;
  arn: string;
  alias: string | null;
  identityManagementType: string;
  directoryId: string | null;
  inboundCallsEnabled: boolean;
  outboundCallsEnabled: boolean;
  /** Instance attributes other than the two call switches, by InstanceAttributeType. */
  attributes: Record<string, string>;
  status: string;
  createdAt: number;
  tags: Record<string, string>;
  maxLiveContacts: number;
  liveContacts: number;
  maxLiveCampaignContacts: number;
  liveCampaignContacts: number;
  allowedPrefixes: string[];
  blockedPrefixes: string[];
  clientToken: string | null;
}

export interface HoursOfOperationRecord {
  id: string;
  arn: string;
  instanceId: string;
  name: string;
  description: string | null;
  timeZone: string;
  config: unknown[];
  tags: Record<string, string>;
  lastModifiedAt: number;
}

export interface PhoneNumberRecord {
  id: string;
  arn: string;
  instanceId: string;
  phoneNumber: string;
  countryCode: string;
  numberType: string;
  description: string | null;
  tags: Record<string, string>;
  claimedAt: number;
}

export interface ContactFlowRecord {
  id: string;
  arn: string;
  instanceId: string;
  name: string;
  flowType: string;
  description: string | null;
  content: string;
  status: string;
  state: string;
  tags: Record<string, string>;
  contentSha256: string;
  version: number;
  lastModifiedAt: number;
}

export interface QueueRecord {
  id: string;
  arn: string;
  instanceId: string;
  name: string;
  description: string | null;
  hoursOfOperationId: string;
  maxContacts: number | null;
  status: string;
  outboundCallerIdName: string | null;
  outboundCallerIdNumberId: string | null;
  outboundFlowId: string | null;
  tags: Record<string, string>;
  lastModifiedAt: number;
}

export interface ContactRecord {
  id: string;
  arn: string;
  instanceId: string;
  nodeId: string;
  state: ContactState;
  trafficType: TrafficType;
  flowId: string;
  queueId: string | null;
  customerNumber: string;
  systemNumber: string;
  name: string | null;
  description: string | null;
  references: Record<string, unknown> | null;
  relatedContactId: string | null;
  campaignId: string | null;
  outboundStrategy: Record<string, unknown> | null;
  attributes: Record<string, string>;
  amdEnabled: boolean;
  amdAwaitPrompt: boolean;
  amdStatus: string | null;
  ringTimeoutSeconds: number;
  initiatedAt: number;
  ringStartedAt: number | null;
  connectedAt: number | null;
  enqueuedAt: number | null;
  disconnectedAt: number | null;
  lastUpdatedAt: number;
  disconnectReason: string | null;
  /** Counts the contact's changes; see ContactsTable.revision. */
  revision: number;
}

/** A page of a keyset-paginated listing: rows after `after` (an id), at most `limit`. */
export interface PageRequest {
  after?: string;
  limit: number;
}

/** Thrown by repositories when a unique constraint rejects a row; services turn it into an AWS error. */
export class UniqueViolationError extends Error {
  override readonly name = 'UniqueViolationError';
}

export interface InstanceRepository {
  insert(instance: InstanceRecord): Promise<void>;
  get(id: string): Promise<InstanceRecord | undefined>;
  findByAlias(alias: string): Promise<InstanceRecord | undefined>;
  findByClientToken(token: string): Promise<InstanceRecord | undefined>;
  list(page: PageRequest): Promise<InstanceRecord[]>;
  count(): Promise<number>;
  update(
    id: string,
    patch: Partial<Pick<InstanceRecord, 'inboundCallsEnabled' | 'outboundCallsEnabled' | 'attributes'>>,
  ): Promise<void>;
}

export interface HoursOfOperationRepository {
  insert(hours: HoursOfOperationRecord): Promise<void>;
  list(instanceId: string): Promise<HoursOfOperationRecord[]>;
  get(instanceId: string, id: string): Promise<HoursOfOperationRecord | undefined>;
  findByName(instanceId: string, name: string): Promise<HoursOfOperationRecord | undefined>;
}

export interface PhoneNumberFilter {
  instanceId?: string;
  types?: readonly string[];
  countryCodes?: readonly string[];
  prefix?: string;
}

export interface PhoneNumberRepository {
  insert(number: PhoneNumberRecord): Promise<void>;
  get(id: string): Promise<PhoneNumberRecord | undefined>;
  findByNumber(phoneNumber: string): Promise<PhoneNumberRecord | undefined>;
  list(filter: PhoneNumberFilter, page: PageRequest): Promise<PhoneNumberRecord[]>;
  countInInstance(instanceId: string): Promise<number>;
}

export interface ContactFlowRepository {
  insert(flow: ContactFlowRecord): Promise<void>;
  get(instanceId: string, id: string): Promise<ContactFlowRecord | undefined>;
  findByName(instanceId: string, name: string): Promise<ContactFlowRecord | undefined>;
  list(instanceId: string, types: readonly string[], page: PageRequest): Promise<ContactFlowRecord[]>;
  countInInstance(instanceId: string): Promise<number>;
  updateContent(
    instanceId: string,
    id: string,
    patch: Pick<ContactFlowRecord, 'content' | 'contentSha256' | 'lastModifiedAt'> & { status?: string },
  ): Promise<void>;
}

export interface QueueRepository {
  insert(queue: QueueRecord): Promise<void>;
  get(instanceId: string, id: string): Promise<QueueRecord | undefined>;
  findByName(instanceId: string, name: string): Promise<QueueRecord | undefined>;
  list(instanceId: string, types: readonly string[], page: PageRequest): Promise<QueueRecord[]>;
  countInInstance(instanceId: string): Promise<number>;
}

/** What an admission attempt decided. */
export type AdmissionResult =
  | { readonly kind: 'created'; readonly contact: ContactRecord }
  | { readonly kind: 'replayed'; readonly contactId: string }
  | { readonly kind: 'limit-exceeded' };

/** Fields a state change may set besides `state`. */
export type ContactChange = Partial<
  Pick<
    ContactRecord,
    'ringStartedAt' | 'connectedAt' | 'enqueuedAt' | 'disconnectedAt' | 'disconnectReason' | 'amdStatus' | 'queueId'
  >
>;

export interface ContactRepository {
  /**
   * Admits a new contact in one transaction: claims the client token (a live contact under the same
   * token is replayed instead), takes a slot of the instance's concurrency quota, inserts the contact.
   */
  admit(contact: ContactRecord, clientToken: string | undefined, tokenNotBefore: number): Promise<AdmissionResult>;
  get(instanceId: string, id: string): Promise<ContactRecord | undefined>;
  /**
   * Moves a contact from one of `from` to `to`, releasing its quota slot when `to` is DISCONNECTED.
   * Returns the updated record, or undefined when the contact was not in one of `from` (a stale writer).
   */
  transition(id: string, from: readonly ContactState[], to: ContactState, change: ContactChange, at: number): Promise<ContactRecord | undefined>;
  /**
   * Merges attributes into a contact; undefined when the contact does not exist. `check` sees the merged
   * map inside the transaction and may throw to refuse it, so concurrent merges cannot pass a limit together.
   */
  mergeAttributes(
    instanceId: string,
    id: string,
    attributes: Record<string, string>,
    at: number,
    check: (merged: Record<string, string>) => void,
  ): Promise<ContactRecord | undefined>;
  /** Saves the flow engine's state of a live contact (JSON text). */
  saveFlowState(id: string, state: string, at: number): Promise<void>;
  /** Appends one step's flow-log entries (JSON-serialisable) as the contact's `seq`-th step. */
  appendFlowLog(contactId: string, seq: number, at: number, entries: readonly unknown[]): Promise<void>;
  /** The contact's flow-log entries, oldest first. */
  listFlowLog(contactId: string): Promise<unknown[]>;
  /** Contacts waiting in `queueId`. */
  countQueued(queueId: string): Promise<number>;
  /** Live contacts placed by `nodeId`. */
  listLiveOnNode(nodeId: string): Promise<ContactRecord[]>;
  /** Recomputes every instance's live counters from the contacts table, repairing any drift. */
  reconcileLiveCounters(): Promise<void>;
  /** Deletes client tokens created before `before`. */
  sweepClientTokens(before: number): Promise<number>;
}

export interface Store {
  readonly instances: InstanceRepository;
  readonly hoursOfOperation: HoursOfOperationRepository;
  readonly phoneNumbers: PhoneNumberRepository;
  readonly contactFlows: ContactFlowRepository;
  readonly queues: QueueRepository;
  readonly contacts: ContactRepository;
  close(): Promise<void>;
}
