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
  /** The user (agent) the contact was connected to, and when; kept after the contact ends. */
  agentId: string | null;
  agentConnectedAt: number | null;
  /** The agent's after-contact work on this contact. */
  acwStartedAt: number | null;
  acwEndedAt: number | null;
  /** Counts the contact's changes; see ContactsTable.revision. */
  revision: number;
}

/** A saved stretch of a contact's call recording. */
export interface RecordingRecord {
  id: string;
  contactId: string;
  instanceId: string;
  /** Where the carrier saved the audio (a file path). */
  location: string;
  startedAt: number;
  stoppedAt: number;
}

/** How many contacts of a channel an agent of a routing profile handles at once. */
export interface MediaConcurrency {
  channel: string;
  concurrency: number;
  crossChannelBehavior?: { behaviorType: string };
}

/** A queue a routing profile takes contacts from, on one channel. */
export interface RoutingProfileQueue {
  queueId: string;
  channel: string;
  /** 1 is the highest: an agent is offered contacts from a higher-priority queue first. */
  priority: number;
  /** Seconds a contact waits in the queue before agents of this profile are offered it. */
  delaySeconds: number;
}

export interface RoutingProfileRecord {
  id: string;
  arn: string;
  instanceId: string;
  name: string;
  description: string;
  defaultOutboundQueueId: string;
  mediaConcurrencies: MediaConcurrency[];
  agentAvailabilityTimer: string | null;
  queues: RoutingProfileQueue[];
  tags: Record<string, string>;
  lastModifiedAt: number;
}

export type PhoneType = 'SOFT_PHONE' | 'DESK_PHONE';

export interface UserPhoneConfig {
  phoneType: PhoneType;
  autoAccept: boolean;
  /** Seconds of after-contact work before the agent is free again; 0 means no limit. */
  afterContactWorkTimeLimit: number;
  deskPhoneNumber: string | null;
}

export interface UserRecord {
  id: string;
  arn: string;
  instanceId: string;
  username: string;
  /** Self-describing scrypt hash; null when the user cannot sign in to the console. */
  passwordHash: string | null;
  /** Digest HA1 per algorithm name (MD5, SHA-256) for SIP registration; null without a password. */
  sipHa1: Record<string, string> | null;
  /** UserIdentityInfo as the API gives it (FirstName, LastName, Email, …). */
  identityInfo: Record<string, string>;
  phoneConfig: UserPhoneConfig;
  routingProfileId: string;
  securityProfileIds: string[];
  hierarchyGroupId: string | null;
  directoryUserId: string | null;
  tags: Record<string, string>;
  lastModifiedAt: number;
}

export type AgentStatusType = 'ROUTABLE' | 'CUSTOM' | 'OFFLINE';

export interface AgentStatusRecord {
  id: string;
  arn: string;
  instanceId: string;
  name: string;
  description: string | null;
  type: AgentStatusType;
  displayOrder: number | null;
  state: 'ENABLED' | 'DISABLED';
  tags: Record<string, string>;
  lastModifiedAt: number;
}

/**
 * What an agent is doing, beside the status they chose: free (`idle`), being offered a contact, their
 * phone being called for an accepted contact (`connecting`), talking, in after-contact work, or `missed`
 * (an offer went unanswered or was rejected; not routable until the agent sets a status again).
 */
export type AgentActivity = 'idle' | 'offered' | 'connecting' | 'on-contact' | 'acw' | 'missed';

/** An agent's live routing state (one per user). */
export interface AgentRecord {
  userId: string;
  instanceId: string;
  statusId: string;
  statusSince: number;
  nextStatusId: string | null;
  activity: AgentActivity;
  activitySince: number;
  /** When the agent last became free; the longest-idle agent is offered first. */
  idleSince: number;
  contactId: string | null;
  offerExpiresAt: number | null;
  acwEndsAt: number | null;
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

/** A contact event or contact record to write in the same transaction as the change that caused it. */
export interface OutboxMessage {
  /** The envelope's id; also the `webhook-id` of every delivery. */
  readonly messageId: string;
  readonly stream: EventStream;
  /** The event type, or `CONTACT_RECORD`. */
  readonly type: string;
  /** The serialized message. */
  readonly body: string;
}

export type EventStream = 'events' | 'records';

/**
 * Builds the messages a change emits from the contact as the change left it (inside its transaction).
 * Repositories take `undefined` for a change that emits nothing. `recordings` are the contact's saved
 * recordings, read in the same transaction once the contact has ended: the contact record lists them.
 */
export type Emit = (contact: ContactRecord, recordings?: readonly RecordingRecord[]) => readonly OutboxMessage[];

/** What an admission attempt decided. */
export type AdmissionResult =
  | { readonly kind: 'created'; readonly contact: ContactRecord }
  | { readonly kind: 'replayed'; readonly contactId: string }
  | { readonly kind: 'limit-exceeded' };

/** Fields a state change may set besides `state`. */
export type ContactChange = Partial<
  Pick<
    ContactRecord,
    | 'ringStartedAt'
    | 'connectedAt'
    | 'enqueuedAt'
    | 'disconnectedAt'
    | 'disconnectReason'
    | 'amdStatus'
    | 'queueId'
    | 'agentId'
    | 'agentConnectedAt'
    | 'acwStartedAt'
    | 'acwEndedAt'
  >
>;

/** A SearchContacts query in domain terms; see `kysely/contact-search.ts`. */
export interface ContactSearch {
  instanceId: string;
  /** The timestamp column the range applies to. */
  timeField: 'initiatedAt' | 'connectedToAgentAt' | 'disconnectedAt' | 'enqueuedAt' | 'scheduledAt';
  /** Inclusive epoch-ms bounds. */
  from: number;
  to: number;
  /** Absent or empty lists and criteria filter nothing out; a contact matches a list holding its value. */
  channels?: readonly string[];
  initiationMethods?: readonly string[];
  queueIds?: readonly string[];
  /** No contact has an agent yet, so a non-empty list matches nothing. */
  agentIds?: readonly string[];
  /** Contact attributes: each criterion matches when the attribute's value is one of `values`. */
  attributes?: { readonly criteria: readonly { key: string; values: readonly string[] }[]; readonly matchAll: boolean };
  /** Contact names: each text matches as a substring, ignoring ASCII case. */
  name?: { readonly texts: readonly string[]; readonly matchAll: boolean };
  /**
   * The order; contacts that tie on the field (or lack the timestamp, which sort last) follow
   * initiatedAt, then id, in the same direction, so pages never overlap.
   */
  sort: {
    field: 'initiatedAt' | 'disconnectedAt' | 'connectedToAgentAt' | 'scheduledAt' | 'expiryAt' | 'initiationMethod' | 'channel';
    ascending: boolean;
  };
  /** Rows to skip (the page's offset) and at most `limit` rows to return. */
  offset: number;
  limit: number;
}

export interface ContactSearchPage {
  contacts: ContactRecord[];
  totalCount: number;
}

export interface ContactRepository {
  /**
   * Admits a new contact in one transaction: claims the client token (a live contact under the same
   * token is replayed instead), takes a slot of the instance's concurrency quota, inserts the contact.
   */
  admit(contact: ContactRecord, clientToken: string | undefined, tokenNotBefore: number, emit: Emit | undefined): Promise<AdmissionResult>;
  get(instanceId: string, id: string): Promise<ContactRecord | undefined>;
  /**
   * Moves a contact from one of `from` to `to`, releasing its quota slot when `to` is DISCONNECTED.
   * Returns the updated record, or undefined when the contact was not in one of `from` (a stale writer).
   */
  transition(
    id: string,
    from: readonly ContactState[],
    to: ContactState,
    change: ContactChange,
    at: number,
    emit: Emit | undefined,
  ): Promise<ContactRecord | undefined>;
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
    emit: Emit | undefined,
  ): Promise<ContactRecord | undefined>;
  /** Saves the flow engine's state of a live contact (JSON text). */
  saveFlowState(id: string, state: string, at: number): Promise<void>;
  /** Appends one step's flow-log entries (JSON-serialisable) after the contact's earlier steps. */
  appendFlowLog(contactId: string, at: number, entries: readonly unknown[]): Promise<void>;
  /** The contact's flow-log entries, oldest first. */
  listFlowLog(contactId: string): Promise<unknown[]>;
  /**
   * Stores a saved recording of the contact's call and touches the contact (`at` becomes its last update),
   * so an ended contact's record can be written again listing it. Returns the contact as it left it;
   * undefined, storing nothing, when the contact does not exist.
   */
  addRecording(recording: RecordingRecord, at: number, emit: Emit | undefined): Promise<ContactRecord | undefined>;
  /**
   * Records the agent's after-contact work on an ended contact; undefined when the contact has not ended.
   */
  recordAfterContactWork(
    id: string,
    change: Pick<ContactChange, 'acwStartedAt' | 'acwEndedAt'>,
    at: number,
    emit: Emit | undefined,
  ): Promise<ContactRecord | undefined>;
  /** The contact's recordings, in the order they started. */
  listRecordings(contactId: string): Promise<RecordingRecord[]>;
  search(query: ContactSearch): Promise<ContactSearchPage>;
  /** Contacts waiting in `queueId`. */
  countQueued(queueId: string): Promise<number>;
  /** Live contacts placed by `nodeId` in each live state (every live state present, 0 when none), for metrics. */
  countByState(nodeId: string): Promise<Record<string, number>>;
  /** Live contacts placed by `nodeId`. */
  listLiveOnNode(nodeId: string): Promise<ContactRecord[]>;
  /** Recomputes every instance's live counters from the contacts table, repairing any drift. */
  reconcileLiveCounters(): Promise<void>;
  /** Deletes client tokens created before `before`. */
  sweepClientTokens(before: number): Promise<number>;
}

export type SinkKind = 'webhook' | 'file' | 'stdout';

export interface SinkSecret {
  readonly secret: string;
  /** When a rotated-out secret stops signing (epoch ms); null for the current one. */
  readonly expiresAt: number | null;
}

export interface EventSinkRecord {
  id: string;
  name: string;
  kind: SinkKind;
  /** The webhook URL or the file path; empty for stdout. */
  target: string;
  stream: EventStream;
  /** Event types delivered; empty means all. */
  eventTypes: string[];
  /** Newest first. */
  secrets: SinkSecret[];
  enabled: boolean;
  disabledReason: string | null;
  managedBy: 'config' | 'api';
  createdAt: number;
  updatedAt: number;
  /** The last outbox message id the sink has taken; see EventSinksTable.cursor. */
  cursor: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

/** A message to send to a sink: a claimed webhook delivery, or the next message for a file or stdout sink. */
export interface ClaimedDelivery {
  /** The delivery's id (webhooks) or the message's outbox id (file, stdout). */
  id: number;
  sinkId: string;
  messageId: string;
  contactId: string;
  type: string;
  body: string;
  /** Attempts including this one. */
  attempts: number;
  /** When the message was committed (epoch ms). */
  createdAt: number;
}

export interface DeliveryRecord {
  id: number;
  sinkId: string;
  messageId: string;
  contactId: string;
  contactSeq: number;
  type: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  lastStatus: number | null;
  createdAt: number;
  deliveredAt: number | null;
}

/** How an attempt ended, as the dispatcher records it. */
export type AttemptResult =
  | { readonly kind: 'delivered'; readonly at: number; readonly status?: number }
  | { readonly kind: 'retry'; readonly nextAttemptAt: number; readonly error: string; readonly status?: number }
  | { readonly kind: 'dead'; readonly at: number; readonly error: string; readonly status?: number }
  /** The sink refused for good (410 Gone): the delivery waits, not counted as an attempt, until the sink is enabled again. */
  | { readonly kind: 'held'; readonly error: string; readonly status?: number };

export interface EventRepository {
  /** Calls `listener` after each commit that wrote outbox messages on this node. */
  onAppended(listener: () => void): void;
  /**
   * When the earliest delivery of an enabled sink that order allows becomes claimable (its next attempt, or
   * the end of another node's lease); undefined when none is pending.
   */
  nextDue(): Promise<number | undefined>;
  /**
   * Makes delivery rows of a webhook for up to `limit` messages past its cursor that it takes, and moves
   * the cursor past them. Returns how many messages it looked at.
   */
  fanOut(sink: EventSinkRecord, limit: number, at: number): Promise<number>;
  /** Up to `limit` messages past the sink's cursor that it takes, oldest first (file and stdout sinks). */
  readAfter(sink: EventSinkRecord, limit: number): Promise<ClaimedDelivery[]>;
  /** Moves a file or stdout sink's cursor to the last message it has written. */
  advance(sinkId: string, cursor: number): Promise<void>;
  /**
   * Leases up to `limit` due deliveries of one sink to `nodeId` until `leaseUntil`, never one with an earlier
   * pending delivery of the same contact to the same sink, and counts the attempt.
   */
  claim(sinkId: string, nodeId: string, at: number, leaseUntil: number, limit: number): Promise<ClaimedDelivery[]>;
  /** Records how an attempt ended. */
  settle(deliveryId: number, result: AttemptResult): Promise<void>;
  /** Lets deliveries leased by `nodeId` (a previous run of this node) be claimed again at once. */
  releaseLeases(nodeId: string): Promise<number>;
  /** Puts deliveries of a sink back to pending for an attempt at `at`: the given ids, or every dead one. */
  redeliver(sinkId: string, at: number, ids?: readonly number[]): Promise<number>;
  listDeliveries(sinkId: string, status: DeliveryStatus | undefined, page: { afterId?: number; limit: number }): Promise<DeliveryRecord[]>;
  /** Deliveries waiting (pending) or given up on (dead), across sinks; delivered ones are not counted. */
  countDeliveries(): Promise<Record<'pending' | 'dead', number>>;
  /** Deletes delivered deliveries and fully delivered messages committed before `before`. */
  prune(before: number): Promise<number>;

  /** Inserts a sink whose cursor is the newest message: it takes what commits from now on. */
  insertSink(sink: Omit<EventSinkRecord, 'cursor'>): Promise<void>;
  updateSink(id: string, patch: Partial<Omit<EventSinkRecord, 'id' | 'createdAt' | 'cursor' | 'enabled'>>): Promise<void>;
  /** Enables a sink from the newest message on (what committed while it was off is not its), or disables it. */
  setSinkEnabled(id: string, enabled: boolean, reason: string | null, at: number): Promise<void>;
  deleteSink(id: string): Promise<void>;
  getSink(id: string): Promise<EventSinkRecord | undefined>;
  findSinkByName(name: string): Promise<EventSinkRecord | undefined>;
  listSinks(): Promise<EventSinkRecord[]>;
}

export interface RoutingProfileRepository {
  /** Inserts the profile with its queues, in one transaction. UniqueViolationError on a taken name. */
  insert(profile: RoutingProfileRecord): Promise<void>;
  get(instanceId: string, id: string): Promise<RoutingProfileRecord | undefined>;
  findByName(instanceId: string, name: string): Promise<RoutingProfileRecord | undefined>;
  list(instanceId: string, page: PageRequest): Promise<RoutingProfileRecord[]>;
  countInInstance(instanceId: string): Promise<number>;
}

export interface UserRepository {
  /** Inserts the user and its agent row, in one transaction. UniqueViolationError on a taken username. */
  insert(user: UserRecord, agent: AgentRecord): Promise<void>;
  get(instanceId: string, id: string): Promise<UserRecord | undefined>;
  findByUsername(instanceId: string, username: string): Promise<UserRecord | undefined>;
  list(instanceId: string, page: PageRequest): Promise<UserRecord[]>;
  countInInstance(instanceId: string): Promise<number>;
  /** Deletes the user and its agent row; false when there was none. */
  delete(instanceId: string, id: string): Promise<boolean>;
  updateRoutingProfile(instanceId: string, id: string, routingProfileId: string, at: number): Promise<void>;
}

export interface AgentStatusRepository {
  /** UniqueViolationError on a taken name. */
  insert(status: AgentStatusRecord): Promise<void>;
  get(instanceId: string, id: string): Promise<AgentStatusRecord | undefined>;
  findByName(instanceId: string, name: string): Promise<AgentStatusRecord | undefined>;
  /** Ordered by display order (unordered last), then name. `types` empty means every type. */
  list(instanceId: string, types: readonly AgentStatusType[], page: PageRequest): Promise<AgentStatusRecord[]>;
}

/** A waiting contact matched with a free agent by AgentRepository.offer. */
export interface Offer {
  readonly contactId: string;
  readonly userId: string;
  readonly expiresAt: number;
}

/** Fields of an agent row a guarded update may set. */
export type AgentChange = Partial<Omit<AgentRecord, 'userId' | 'instanceId'>>;

/** Waiting contacts of one queue. */
export interface QueueBacklog {
  readonly queueId: string;
  readonly waiting: number;
  /** Enqueue time of the longest-waiting contact. */
  readonly oldestEnqueuedAt: number;
}

/**
 * Agents' live routing state. Every change is one guarded write, so offers stay exclusive across
 * concurrent requests and nodes: an agent row holds one contact, a contact sits on one agent row.
 */
export interface AgentRepository {
  get(userId: string): Promise<AgentRecord | undefined>;
  /** The agent holding `contactId` (offered, connecting, talking or in after-contact work). */
  getByContact(contactId: string): Promise<AgentRecord | undefined>;
  listInInstance(instanceId: string): Promise<AgentRecord[]>;
  /**
   * Applies `change` when the agent's activity is one of `from` and, if given, it holds `contactId`; with
   * `applyNextStatus`, the row's next status (if any) becomes its status in the same statement, since
   * `change.activitySince`. Returns the updated row, or undefined when the guard failed.
   */
  update(
    userId: string,
    from: readonly AgentActivity[],
    change: AgentChange,
    contactId?: string | null,
    options?: { readonly applyNextStatus?: boolean },
  ): Promise<AgentRecord | undefined>;
  /**
   * Offers waiting contacts placed by `nodeId` to free agents in a ROUTABLE status: the longest-idle agent
   * first, each taking its best contact (its routing profile's queue priority, then queue position) that has
   * waited its queue's delay by `at`, from `openQueueIds` only. One guarded write per offer.
   */
  offer(instanceId: string, nodeId: string, at: number, expiresAt: number, openQueueIds: readonly string[]): Promise<Offer[]>;
  /** Agents whose offer expired by `at`. */
  listExpiredOffers(at: number): Promise<AgentRecord[]>;
  /** Agents whose after-contact work time ran out by `at`. */
  listAcwDue(at: number): Promise<AgentRecord[]>;
  /** Puts a queued contact ahead of every contact waiting in its queue. */
  moveToQueueHead(contactId: string): Promise<void>;
  /** The instance's waiting contacts, longest-waiting first. */
  listWaiting(instanceId: string, limit: number): Promise<ContactRecord[]>;
  /** Waiting contacts per queue of the instance. */
  backlog(instanceId: string): Promise<QueueBacklog[]>;
  /** The contacts an agent handled, newest first. */
  recentContacts(userId: string, limit: number): Promise<ContactRecord[]>;
  /** Agents holding a contact that has ended (its node restarted, or its end was not applied to the agent). */
  listHoldingEndedContacts(): Promise<AgentRecord[]>;
  /**
   * Agents of every instance by activity, every activity present (0 when none); idle agents in an OFFLINE
   * status count as `offline`.
   */
  countByActivity(): Promise<Record<AgentActivity | 'offline', number>>;
  /** Instances with contacts placed by `nodeId` waiting in a queue. */
  instancesWithWaitingContacts(nodeId: string): Promise<string[]>;
}

/** A console sign-in session. Only the SHA-256 of its random id is stored; the id lives in the browser's cookie. */
export interface ConsoleSessionRecord {
  idHash: string;
  instanceId: string;
  userId: string;
  createdAt: number;
  /** The last request seen on it; the idle expiry counts from here. */
  lastSeenAt: number;
  /** The absolute expiry, however active the session is. */
  expiresAt: number;
}

/** Failed console sign-ins counted under one key (a username in an instance, or a client address). */
export interface SignInFailureRecord {
  key: string;
  failures: number;
  lastFailureAt: number;
  /** Sign-ins under this key are refused until then; null when not locked. */
  lockedUntil: number | null;
}

export interface ConsoleSessionRepository {
  insert(session: ConsoleSessionRecord): Promise<void>;
  get(idHash: string): Promise<ConsoleSessionRecord | undefined>;
  touch(idHash: string, at: number): Promise<void>;
  delete(idHash: string): Promise<void>;
  /**
   * Deletes sessions idle since before `idleBefore` or past their absolute expiry at `at`, and failure
   * counters whose last failure was before `failuresBefore` and whose lock has ended. Returns how many rows went.
   */
  sweep(at: number, idleBefore: number, failuresBefore: number): Promise<number>;
  getFailures(keys: readonly string[]): Promise<SignInFailureRecord[]>;
  /**
   * Counts one failure under `key` in one statement (exact under concurrent sign-ins and nodes), starting over
   * from 1 when the previous failure was before `windowStart`. Returns the count.
   */
  addFailure(key: string, at: number, windowStart: number): Promise<number>;
  /** Takes back one failure counted under `key` (an attempt counted before it was checked, which succeeded). */
  forgiveFailure(key: string): Promise<void>;
  lock(key: string, until: number): Promise<void>;
  clearFailures(key: string): Promise<void>;
}

export interface Store {
  readonly instances: InstanceRepository;
  readonly hoursOfOperation: HoursOfOperationRepository;
  readonly phoneNumbers: PhoneNumberRepository;
  readonly contactFlows: ContactFlowRepository;
  readonly queues: QueueRepository;
  readonly contacts: ContactRepository;
  readonly routingProfiles: RoutingProfileRepository;
  readonly users: UserRepository;
  readonly agentStatuses: AgentStatusRepository;
  readonly agents: AgentRepository;
  readonly events: EventRepository;
  readonly consoleSessions: ConsoleSessionRepository;
  close(): Promise<void>;
}
