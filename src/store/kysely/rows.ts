/** Conversions between table rows and domain records. */
import type { Selectable } from 'kysely';
import type {
  ContactRecordingsTable,
  ContactsTable,
  ContactFlowsTable,
  HoursOfOperationTable,
  InstancesTable,
  PhoneNumbersTable,
  QueuesTable,
} from '../schema.js';
import type {
  ContactFlowRecord,
  ContactRecord,
  ContactState,
  HoursOfOperationRecord,
  InstanceRecord,
  PhoneNumberRecord,
  QueueRecord,
  RecordingRecord,
  TrafficType,
} from '../store.js';

const parse = <T>(text: string): T => JSON.parse(text) as T;

export function instanceFromRow(r: Selectable<InstancesTable>): InstanceRecord {
  return {
    id: r.id,
    arn: r.arn,
    alias: r.alias,
    identityManagementType: r.identity_management_type,
    directoryId: r.directory_id,
    inboundCallsEnabled: r.inbound_calls_enabled === 1,
    outboundCallsEnabled: r.outbound_calls_enabled === 1,
    attributes: parse(r.attributes),
    status: r.status,
    createdAt: Number(r.created_at),
    tags: parse(r.tags),
    maxLiveContacts: r.max_live_contacts,
    liveContacts: r.live_contacts,
    maxLiveCampaignContacts: r.max_live_campaign_contacts,
    liveCampaignContacts: r.live_campaign_contacts,
    allowedPrefixes: parse(r.allowed_prefixes),
    blockedPrefixes: parse(r.blocked_prefixes),
    clientToken: r.client_token,
  };
}

export function instanceToRow(i: InstanceRecord): InstancesTable {
  return {
    id: i.id,
    arn: i.arn,
    alias: i.alias,
    identity_management_type: i.identityManagementType,
    directory_id: i.directoryId,
    inbound_calls_enabled: i.inboundCallsEnabled ? 1 : 0,
    outbound_calls_enabled: i.outboundCallsEnabled ? 1 : 0,
    attributes: JSON.stringify(i.attributes),
    status: i.status,
    created_at: i.createdAt,
    tags: JSON.stringify(i.tags),
    max_live_contacts: i.maxLiveContacts,
    live_contacts: i.liveContacts,
    max_live_campaign_contacts: i.maxLiveCampaignContacts,
    live_campaign_contacts: i.liveCampaignContacts,
    allowed_prefixes: JSON.stringify(i.allowedPrefixes),
    blocked_prefixes: JSON.stringify(i.blockedPrefixes),
    client_token: i.clientToken,
  };
}

export function hoursFromRow(r: Selectable<HoursOfOperationTable>): HoursOfOperationRecord {
  return {
    id: r.id,
    arn: r.arn,
    instanceId: r.instance_id,
    name: r.name,
    description: r.description,
    timeZone: r.time_zone,
    config: parse(r.config),
    tags: parse(r.tags),
    lastModifiedAt: Number(r.last_modified_at),
  };
}

export function hoursToRow(h: HoursOfOperationRecord): HoursOfOperationTable {
  return {
    id: h.id,
    arn: h.arn,
    instance_id: h.instanceId,
    name: h.name,
    description: h.description,
    time_zone: h.timeZone,
    config: JSON.stringify(h.config),
    tags: JSON.stringify(h.tags),
    last_modified_at: h.lastModifiedAt,
  };
}

export function phoneNumberFromRow(r: Selectable<PhoneNumbersTable>): PhoneNumberRecord {
  return {
    id: r.id,
    arn: r.arn,
    instanceId: r.instance_id,
    phoneNumber: r.phone_number,
    countryCode: r.country_code,
    numberType: r.number_type,
    description: r.description,
    tags: parse(r.tags),
    claimedAt: Number(r.claimed_at),
  };
}

export function phoneNumberToRow(p: PhoneNumberRecord): PhoneNumbersTable {
  return {
    id: p.id,
    arn: p.arn,
    instance_id: p.instanceId,
    phone_number: p.phoneNumber,
    country_code: p.countryCode,
    number_type: p.numberType,
    description: p.description,
    tags: JSON.stringify(p.tags),
    claimed_at: p.claimedAt,
  };
}

export function flowFromRow(r: Selectable<ContactFlowsTable>): ContactFlowRecord {
  return {
    id: r.id,
    arn: r.arn,
    instanceId: r.instance_id,
    name: r.name,
    flowType: r.flow_type,
    description: r.description,
    content: r.content,
    status: r.status,
    state: r.state,
    tags: parse(r.tags),
    contentSha256: r.content_sha256,
    version: r.version,
    lastModifiedAt: Number(r.last_modified_at),
  };
}

export function flowToRow(f: ContactFlowRecord): ContactFlowsTable {
  return {
    id: f.id,
    arn: f.arn,
    instance_id: f.instanceId,
    name: f.name,
    flow_type: f.flowType,
    description: f.description,
    content: f.content,
    status: f.status,
    state: f.state,
    tags: JSON.stringify(f.tags),
    content_sha256: f.contentSha256,
    version: f.version,
    last_modified_at: f.lastModifiedAt,
  };
}

export function queueFromRow(r: Selectable<QueuesTable>): QueueRecord {
  return {
    id: r.id,
    arn: r.arn,
    instanceId: r.instance_id,
    name: r.name,
    description: r.description,
    hoursOfOperationId: r.hours_of_operation_id,
    maxContacts: r.max_contacts,
    status: r.status,
    outboundCallerIdName: r.outbound_caller_id_name,
    outboundCallerIdNumberId: r.outbound_caller_id_number_id,
    outboundFlowId: r.outbound_flow_id,
    tags: parse(r.tags),
    lastModifiedAt: Number(r.last_modified_at),
  };
}

export function queueToRow(q: QueueRecord): QueuesTable {
  return {
    id: q.id,
    arn: q.arn,
    instance_id: q.instanceId,
    name: q.name,
    description: q.description,
    hours_of_operation_id: q.hoursOfOperationId,
    max_contacts: q.maxContacts,
    status: q.status,
    outbound_caller_id_name: q.outboundCallerIdName,
    outbound_caller_id_number_id: q.outboundCallerIdNumberId,
    outbound_flow_id: q.outboundFlowId,
    tags: JSON.stringify(q.tags),
    last_modified_at: q.lastModifiedAt,
  };
}

const optionalNumber = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** A contact's row as the contact record needs it: without the flow's saved state, which only the flow writes. */
export type ContactRow = Omit<Selectable<ContactsTable>, 'flow_state'>;

/** Every column of the contacts table, as an admission inserts them. */
export const CONTACT_COLUMNS = Object.keys(contactToRow({} as ContactRecord)) as (keyof ContactsTable)[];

/** The columns of a ContactRow, for statements that return contacts. */
export const CONTACT_ROW_COLUMNS = CONTACT_COLUMNS.filter((c): c is keyof ContactRow => c !== 'flow_state');

export function contactFromRow(r: ContactRow): ContactRecord {
  return {
    id: r.id,
    arn: r.arn,
    instanceId: r.instance_id,
    nodeId: r.node_id,
    state: r.state as ContactState,
    trafficType: r.traffic_type as TrafficType,
    flowId: r.flow_id,
    queueId: r.queue_id,
    customerNumber: r.customer_number,
    systemNumber: r.system_number,
    name: r.name,
    description: r.description,
    references: r.references === null ? null : parse(r.references),
    relatedContactId: r.related_contact_id,
    campaignId: r.campaign_id,
    outboundStrategy: r.outbound_strategy === null ? null : parse(r.outbound_strategy),
    attributes: parse(r.attributes),
    amdEnabled: r.amd_enabled === 1,
    amdAwaitPrompt: r.amd_await_prompt === 1,
    amdStatus: r.amd_status,
    ringTimeoutSeconds: r.ring_timeout_seconds,
    initiatedAt: Number(r.initiated_at),
    ringStartedAt: optionalNumber(r.ring_started_at),
    connectedAt: optionalNumber(r.connected_at),
    enqueuedAt: optionalNumber(r.enqueued_at),
    disconnectedAt: optionalNumber(r.disconnected_at),
    lastUpdatedAt: Number(r.last_updated_at),
    disconnectReason: r.disconnect_reason,
    agentId: r.agent_id,
    agentConnectedAt: optionalNumber(r.agent_connected_at),
    acwStartedAt: optionalNumber(r.acw_started_at),
    acwEndedAt: optionalNumber(r.acw_ended_at),
    revision: r.revision,
  };
}

export function recordingFromRow(r: Selectable<ContactRecordingsTable>): RecordingRecord {
  return {
    id: r.id,
    contactId: r.contact_id,
    instanceId: r.instance_id,
    location: r.location,
    startedAt: Number(r.started_at),
    stoppedAt: Number(r.stopped_at),
  };
}

export function contactToRow(c: ContactRecord): ContactsTable {
  return {
    id: c.id,
    arn: c.arn,
    instance_id: c.instanceId,
    node_id: c.nodeId,
    state: c.state,
    traffic_type: c.trafficType,
    flow_id: c.flowId,
    queue_id: c.queueId,
    customer_number: c.customerNumber,
    system_number: c.systemNumber,
    name: c.name,
    description: c.description,
    references: c.references === null ? null : JSON.stringify(c.references),
    related_contact_id: c.relatedContactId,
    campaign_id: c.campaignId,
    outbound_strategy: c.outboundStrategy === null ? null : JSON.stringify(c.outboundStrategy),
    attributes: JSON.stringify(c.attributes),
    amd_enabled: c.amdEnabled ? 1 : 0,
    amd_await_prompt: c.amdAwaitPrompt ? 1 : 0,
    amd_status: c.amdStatus,
    ring_timeout_seconds: c.ringTimeoutSeconds,
    initiated_at: c.initiatedAt,
    ring_started_at: c.ringStartedAt,
    connected_at: c.connectedAt,
    enqueued_at: c.enqueuedAt,
    disconnected_at: c.disconnectedAt,
    last_updated_at: c.lastUpdatedAt,
    disconnect_reason: c.disconnectReason,
    revision: c.revision,
    flow_state: null,
    agent_id: c.agentId,
    agent_connected_at: c.agentConnectedAt,
    acw_started_at: c.acwStartedAt,
    acw_ended_at: c.acwEndedAt,
    queue_position: null,
  };
}
