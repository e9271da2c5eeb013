/**
 * Table types for Kysely. Timestamps are epoch milliseconds; JSON columns hold serialized objects;
 * booleans are 0/1 so the same rows work on SQLite and PostgreSQL.
 */


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
  /**
   * Bumped by every state change and attribute merge, in the same UPDATE: the per-contact sequence that
   * contact events will carry (issue #6), so consumers can order them.
   */
  revision: number;
  /** The flow engine's last saved state (JSON), while the flow waits for an event. */
  flow_state: string | null;
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

export interface Database {
  instances: InstancesTable;
  hours_of_operation: HoursOfOperationTable;
  phone_numbers: PhoneNumbersTable;
  contact_flows: ContactFlowsTable;
  queues: QueuesTable;
  contacts: ContactsTable;
  client_tokens: ClientTokensTable;
  contact_flow_logs: ContactFlowLogsTable;
}
