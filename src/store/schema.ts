/**
 * Table types for Kysely. Timestamps are epoch milliseconds; JSON columns hold serialized objects;
 * booleans are 0/1 so the same rows work on SQLite and PostgreSQL.
 */
import type { Generated } from 'kysely';


export interface InstancesTable {
  id: string;
  arn: string;
  alias: string | null;
  identity_management_type: string;
  directory_id: string | null;
  inbound_calls_enabled: number;
  outbound_calls_enabled: number;
  /** Other InstanceAttributeType values, `{ "CONTACTFLOW_LOGS": "true", … }`. */
  attributes: string;
  status: string;
  created_at: number;
  tags: string;
  /** Concurrent active GENERAL contacts allowed; the admission check compares `live_contacts` with it. */
  max_live_contacts: number;
  live_contacts: number;
  /** Concurrent active CAMPAIGN contacts allowed; 0 means campaign traffic is not enabled. */
  max_live_campaign_contacts: number;
  live_campaign_contacts: number;
  /** Country calling-code prefixes ("+1", "+44") the instance may dial, JSON array. */
  allowed_prefixes: string;
  /** Prefixes blocked even inside the allow-list, JSON array. */
  blocked_prefixes: string;
  /** The ClientToken of the CreateInstance request that made it, unique. */
  client_token: string | null;
}

export interface HoursOfOperationTable {
  id: string;
  arn: string;
  instance_id: string;
  name: string;
  description: string | null;
  time_zone: string;
  config: string;
  tags: string;
  last_modified_at: number;
}

export interface PhoneNumbersTable {
  id: string;
  arn: string;
  instance_id: string;
  phone_number: string;
  country_code: string;
  number_type: string;
  description: string | null;
  tags: string;
  claimed_at: number;
}

export interface ContactFlowsTable {
  id: string;
  arn: string;
  instance_id: string;
  name: string;
  flow_type: string;
  description: string | null;
  content: string;
  status: string;
  state: string;
  tags: string;
  content_sha256: string;
  version: number;
  last_modified_at: number;
}

export interface QueuesTable {
  id: string;
  arn: string;
  instance_id: string;
  name: string;
  description: string | null;
  hours_of_operation_id: string;
  max_contacts: number | null;
  status: string;
  outbound_caller_id_name: string | null;
  outbound_caller_id_number_id: string | null;
  outbound_flow_id: string | null;
  tags: string;
  last_modified_at: number;
}

export interface ContactsTable {
  id: string;
  arn: string;
  instance_id: string;
  /** The node whose carrier placed the call; a restart of that node closes it. */
  node_id: string;
  state: string;
  traffic_type: string;
  flow_id: string;
  queue_id: string | null;
  customer_number: string;
  system_number: string;
  name: string | null;
  description: string | null;
  references: string | null;
  related_contact_id: string | null;
  campaign_id: string | null;
  outbound_strategy: string | null;
  attributes: string;
  amd_enabled: number;
  amd_await_prompt: number;
  amd_status: string | null;
  ring_timeout_seconds: number;
  initiated_at: number;
  ring_started_at: number | null;
  connected_at: number | null;
  enqueued_at: number | null;
  disconnected_at: number | null;
  last_updated_at: number;
  disconnect_reason: string | null;
  /** Bumped by every state change and attribute merge, in the same UPDATE. */
  revision: number;
  /** The flow engine's last saved state (JSON), while the flow waits for an event. */
  flow_state: string | null;
  /** The user (agent) the contact was connected to. */
  agent_id: string | null;
  agent_connected_at: number | null;
  acw_started_at: number | null;
  acw_ended_at: number | null;
  /** Order among the queue's waiting contacts: the enqueue time, lower after a missed offer. */
  queue_position: number | null;
}

export interface ClientTokensTable {
  instance_id: string;
  client_token: string;
  contact_id: string;
  created_at: number;
}


export interface ContactFlowLogsTable {
  contact_id: string;
  /** The flow's step: 1, 2, … per contact. */
  seq: number;
  at: number;
  /** The step's entries, a JSON array. */
  entry: string;
}

export interface ContactRecordingsTable {
  id: string;
  contact_id: string;
  instance_id: string;
  /** Where the carrier saved the audio: a file path. */
  location: string;
  started_at: number;
  stopped_at: number;
}

export interface RoutingProfilesTable {
  id: string;
  arn: string;
  instance_id: string;
  name: string;
  description: string;
  default_outbound_queue_id: string;
  /** JSON array of `{ Channel, Concurrency, CrossChannelBehavior? }`, as the API gives it. */
  media_concurrencies: string;
  agent_availability_timer: string | null;
  tags: string;
  last_modified_at: number;
}

export interface RoutingProfileQueuesTable {
  routing_profile_id: string;
  queue_id: string;
  /** VOICE, CHAT, TASK or EMAIL; only VOICE contacts are routed. */
  channel: string;
  /** 1 is the highest. */
  priority: number;
  /** How long a contact waits in the queue before agents of this profile are offered it. */
  delay_seconds: number;
}

export interface UsersTable {
  id: string;
  arn: string;
  instance_id: string;
  username: string;
  password_hash: string | null;
  /** JSON `{ "MD5": hex, "SHA-256": hex }` for the SIP realm. */
  sip_ha1: string | null;
  /** JSON UserIdentityInfo (FirstName, LastName, Email, …). */
  identity_info: string;
  /** JSON UserPhoneConfig (PhoneType, AutoAccept, AfterContactWorkTimeLimit, DeskPhoneNumber). */
  phone_config: string;
  routing_profile_id: string;
  security_profile_ids: string;
  hierarchy_group_id: string | null;
  directory_user_id: string | null;
  tags: string;
  last_modified_at: number;
}

export interface AgentStatusesTable {
  id: string;
  arn: string;
  instance_id: string;
  name: string;
  description: string | null;
  /** ROUTABLE, CUSTOM or OFFLINE. */
  type: string;
  display_order: number | null;
  /** ENABLED or DISABLED. */
  state: string;
  tags: string;
  last_modified_at: number;
}

/** An agent's live routing state; one row per user, created with the user. */
export interface AgentsTable {
  user_id: string;
  instance_id: string;
  status_id: string;
  status_since: number;
  /** A status chosen while on a contact, applied when the agent is free again. */
  next_status_id: string | null;
  /** idle, offered, connecting, on-contact, acw or missed; see services/agent-activity.ts. */
  activity: string;
  activity_since: number;
  /** When the agent last became free; the longest-idle agent is offered first. */
  idle_since: number;
  /** The contact offered to or handled by the agent; unique. */
  contact_id: string | null;
  offer_expires_at: number | null;
  acw_ends_at: number | null;
}

/** A contact event or contact record, written in the transaction of the change that caused it. */
export interface OutboxMessagesTable {
  id: Generated<number>;
  /** The envelope's `id` (events) or a fresh UUID (records); the `webhook-id` of every delivery. */
  message_id: string;
  /** `events` or `records`. */
  stream: string;
  /** The event type (INITIATED …) or `CONTACT_RECORD`. */
  type: string;
  contact_id: string;
  /** 1, 2, … per contact, in the order the changes committed. */
  contact_seq: number;
  /** The serialized message, stored once so every retry sends (and signs) the same bytes. */
  body: string;
  created_at: number;
}

export interface EventSinksTable {
  id: string;
  name: string;
  /** `webhook`, `file` or `stdout`. */
  kind: string;
  /** The webhook URL or the file path; empty for stdout. */
  target: string;
  stream: string;
  /** JSON array of event types; empty means every type. */
  event_types: string;
  /** JSON array of `{ secret, expiresAt }`: the newest first; older ones still sign until they expire. */
  secrets: string;
  enabled: number;
  disabled_reason: string | null;
  /** `config` (declared in the config file, re-applied at start) or `api`. */
  managed_by: string;
  /**
   * The id of the last outbox message this sink has taken: written (file, stdout) or turned into a
   * delivery row (webhook). Ids are assigned in commit order because SQLite has one writer.
   */
  cursor: number;
  created_at: number;
  updated_at: number;
}

export interface EventDeliveriesTable {
  id: Generated<number>;
  sink_id: string;
  message_id: number;
  contact_id: string;
  contact_seq: number;
  /** `pending`, `delivered` or `dead`. */
  status: string;
  attempts: number;
  next_attempt_at: number;
  /** While a node delivers it: until when, and which node. */
  lease_until: number | null;
  locked_by: string | null;
  last_error: string | null;
  last_status: number | null;
  created_at: number;
  delivered_at: number | null;
}

export interface Database {
  instances: InstancesTable;
  hours_of_operation: HoursOfOperationTable;
  phone_numbers: PhoneNumbersTable;
  contact_flows: ContactFlowsTable;
  queues: QueuesTable;
  contacts: ContactsTable;
  client_tokens: ClientTokensTable;
  contact_flow_logs: ContactFlowLogsTable;
  contact_recordings: ContactRecordingsTable;
  routing_profiles: RoutingProfilesTable;
  routing_profile_queues: RoutingProfileQueuesTable;
  users: UsersTable;
  agent_statuses: AgentStatusesTable;
  agents: AgentsTable;
  outbox_messages: OutboxMessagesTable;
  event_sinks: EventSinksTable;
  event_deliveries: EventDeliveriesTable;
}
