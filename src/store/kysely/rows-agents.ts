/**
 * Conversions between the agent-side tables (routing profiles, users, agent statuses) and their records.
 * JSON columns hold what the API gives (PascalCase members), as the schema documents, so a row read by
 * hand looks like the request that made it.
 */
import type { Selectable } from 'kysely';
import type { AgentStatusesTable, RoutingProfileQueuesTable, RoutingProfilesTable, UsersTable } from '../schema.js';
import type {
  AgentStatusRecord,
  AgentStatusType,
  MediaConcurrency,
  PhoneType,
  RoutingProfileQueue,
  RoutingProfileRecord,
  UserPhoneConfig,
  UserRecord,
} from '../store.js';

const parse = <T>(text: string): T => JSON.parse(text) as T;

interface MediaConcurrencyJson {
  Channel: string;
  Concurrency: number;
  CrossChannelBehavior?: { BehaviorType: string };
}

interface PhoneConfigJson {
  PhoneType: PhoneType;
  AutoAccept: boolean;
  AfterContactWorkTimeLimit: number;
  DeskPhoneNumber?: string;
}

export function routingProfileFromRows(r: Selectable<RoutingProfilesTable>, queues: readonly Selectable<RoutingProfileQueuesTable>[]): RoutingProfileRecord {
  return {
    id: r.id,
    arn: r.arn,
    instanceId: r.instance_id,
    name: r.name,
    description: r.description,
    defaultOutboundQueueId: r.default_outbound_queue_id,
    mediaConcurrencies: parse<MediaConcurrencyJson[]>(r.media_concurrencies).map(
      (m): MediaConcurrency => ({
        channel: m.Channel,
        concurrency: m.Concurrency,
        ...(m.CrossChannelBehavior !== undefined && { crossChannelBehavior: { behaviorType: m.CrossChannelBehavior.BehaviorType } }),
      }),
    ),
    agentAvailabilityTimer: r.agent_availability_timer,
    queues: queues.map(
      (q): RoutingProfileQueue => ({ queueId: q.queue_id, channel: q.channel, priority: q.priority, delaySeconds: q.delay_seconds }),
    ),
    tags: parse(r.tags),
    lastModifiedAt: Number(r.last_modified_at),
  };
}

export function routingProfileToRow(p: RoutingProfileRecord): RoutingProfilesTable {
  return {
    id: p.id,
    arn: p.arn,
    instance_id: p.instanceId,
    name: p.name,
    description: p.description,
    default_outbound_queue_id: p.defaultOutboundQueueId,
    media_concurrencies: JSON.stringify(
      p.mediaConcurrencies.map(
        (m): MediaConcurrencyJson => ({
          Channel: m.channel,
          Concurrency: m.concurrency,
          ...(m.crossChannelBehavior !== undefined && { CrossChannelBehavior: { BehaviorType: m.crossChannelBehavior.behaviorType } }),
        }),
      ),
    ),
    agent_availability_timer: p.agentAvailabilityTimer,
    tags: JSON.stringify(p.tags),
    last_modified_at: p.lastModifiedAt,
  };
}

export function routingProfileQueueRows(p: RoutingProfileRecord): RoutingProfileQueuesTable[] {
  return p.queues.map((q) => ({
    routing_profile_id: p.id,
    queue_id: q.queueId,
    channel: q.channel,
    priority: q.priority,
    delay_seconds: q.delaySeconds,
  }));
}

export function userFromRow(r: Selectable<UsersTable>): UserRecord {
  const phone = parse<PhoneConfigJson>(r.phone_config);
  const phoneConfig: UserPhoneConfig = {
    phoneType: phone.PhoneType,
    autoAccept: phone.AutoAccept,
    afterContactWorkTimeLimit: phone.AfterContactWorkTimeLimit,
    deskPhoneNumber: phone.DeskPhoneNumber ?? null,
  };
  return {
    id: r.id,
    arn: r.arn,
    instanceId: r.instance_id,
    username: r.username,
    passwordHash: r.password_hash,
    sipHa1: r.sip_ha1 === null ? null : parse(r.sip_ha1),
    identityInfo: parse(r.identity_info),
    phoneConfig,
    routingProfileId: r.routing_profile_id,
    securityProfileIds: parse(r.security_profile_ids),
    hierarchyGroupId: r.hierarchy_group_id,
    directoryUserId: r.directory_user_id,
    tags: parse(r.tags),
    lastModifiedAt: Number(r.last_modified_at),
  };
}

export function userToRow(u: UserRecord): UsersTable {
  const phone: PhoneConfigJson = {
    PhoneType: u.phoneConfig.phoneType,
    AutoAccept: u.phoneConfig.autoAccept,
    AfterContactWorkTimeLimit: u.phoneConfig.afterContactWorkTimeLimit,
    ...(u.phoneConfig.deskPhoneNumber !== null && { DeskPhoneNumber: u.phoneConfig.deskPhoneNumber }),
  };
  return {
    id: u.id,
    arn: u.arn,
    instance_id: u.instanceId,
    username: u.username,
    password_hash: u.passwordHash,
    sip_ha1: u.sipHa1 === null ? null : JSON.stringify(u.sipHa1),
    identity_info: JSON.stringify(u.identityInfo),
    phone_config: JSON.stringify(phone),
    routing_profile_id: u.routingProfileId,
    security_profile_ids: JSON.stringify(u.securityProfileIds),
    hierarchy_group_id: u.hierarchyGroupId,
    directory_user_id: u.directoryUserId,
    tags: JSON.stringify(u.tags),
    last_modified_at: u.lastModifiedAt,
  };
}

export function agentStatusFromRow(r: Selectable<AgentStatusesTable>): AgentStatusRecord {
  return {
    id: r.id,
    arn: r.arn,
    instanceId: r.instance_id,
    name: r.name,
    description: r.description,
    type: r.type as AgentStatusType,
    displayOrder: r.display_order,
    state: r.state as AgentStatusRecord['state'],
    tags: parse(r.tags),
    lastModifiedAt: Number(r.last_modified_at),
  };
}

export function agentStatusToRow(s: AgentStatusRecord): AgentStatusesTable {
  return {
    id: s.id,
    arn: s.arn,
    instance_id: s.instanceId,
    name: s.name,
    description: s.description,
    type: s.type,
    display_order: s.displayOrder,
    state: s.state,
    tags: JSON.stringify(s.tags),
    last_modified_at: s.lastModifiedAt,
  };
}
