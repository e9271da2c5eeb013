/**
 * The agent side of an instance: routing profiles (which queues an agent takes contacts from, and how many
 * at once), users (agents: sign-in, phone settings, routing profile) and agent statuses. Enforces what
 * Connect documents for CreateRoutingProfile and CreateUser beyond the model's per-member constraints,
 * unique names, and the per-instance quotas. Passwords are kept only as a scrypt hash and SIP digest HA1
 * values.
 */
import type { Clock } from '../shared/clock.js';
import type { IdSource } from '../shared/ids.js';
import {
  UniqueViolationError,
  type AgentRecord,
  type AgentStatusRecord,
  type AgentStatusType,
  type InstanceRecord,
  type MediaConcurrency,
  type PageRequest,
  type PhoneType,
  type RoutingProfileQueue,
  type RoutingProfileRecord,
  type Store,
  type UserPhoneConfig,
  type UserRecord,
} from '../store/store.js';
import {
  DuplicateResourceException,
  InvalidParameterException,
  InvalidRequestException,
  LimitExceededException,
  ResourceNotFoundException,
} from './errors.js';
import { arns, instanceIdFrom, resourceIdFrom, type ArnContext } from './arns.js';
import { hashPassword, SIP_REALM, sipHa1 } from './passwords.js';

export interface UserQuotas {
  readonly usersPerInstance: number;
  readonly routingProfilesPerInstance: number;
}

export interface UserServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly arn: ArnContext;
  readonly quotas: UserQuotas;
}

export interface RoutingProfileQueueInput {
  queueId: string;
  channel: string;
  priority: number;
  delaySeconds: number;
}

export interface MediaConcurrencyInput {
  channel: string;
  /** Absent only when the API's WorkloadTypeConcurrencies was given instead, which outdial refuses. */
  concurrency?: number;
  crossChannelBehavior?: { behaviorType: string };
}

export interface CreateRoutingProfileInput {
  /** A fixed id, for resources seeded with documented ids; a UUID otherwise. */
  id?: string;
  name: string;
  description: string;
  defaultOutboundQueueId: string;
  queueConfigs?: readonly RoutingProfileQueueInput[];
  mediaConcurrencies: readonly MediaConcurrencyInput[];
  agentAvailabilityTimer?: string;
  tags?: Record<string, string>;
}

export interface CreateUserInput {
  /** A fixed id, for resources seeded with documented ids; a UUID otherwise. */
  id?: string;
  username: string;
  password?: string;
  identityInfo?: Record<string, string>;
  phoneConfig?: {
    phoneType?: PhoneType;
    autoAccept?: boolean;
    afterContactWorkTimeLimit?: number;
    deskPhoneNumber?: string;
  };
  routingProfileId: string;
  securityProfileIds: readonly string[];
  hierarchyGroupId?: string;
  directoryUserId?: string;
  tags?: Record<string, string>;
}

/** The statuses every instance has, as a new Connect instance does. */
export const DEFAULT_AGENT_STATUSES: readonly { name: string; type: AgentStatusType; displayOrder: number }[] = [
  { name: 'Available', type: 'ROUTABLE', displayOrder: 1 },
  { name: 'Offline', type: 'OFFLINE', displayOrder: 2 },
];

/** Contacts of a channel an agent may handle at once, per the MediaConcurrency documentation. */
const CONCURRENCY_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  VOICE: [1, 1],
  CHAT: [1, 10],
  TASK: [1, 10],
  EMAIL: [1, 10],
};

/** AfterContactWorkTimeLimit's documented maximum: 2,000,000 seconds (24 days). */
const MAX_ACW_SECONDS = 2_000_000;

const E164 = /^\+[1-9]\d{1,14}$/;

/** The model's Password rule: 8 to 64 non-space characters with a lower-case letter, an upper-case letter and a digit. */
const PASSWORD = /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[a-zA-Z\d\S]{8,64}$/u;

/**
 * Why `password` breaks the model's Password rule, or undefined when it follows it. The API layer checks
 * the same rule as a pattern; this names the broken part, for declared users and clearer messages.
 */
export function passwordProblem(password: string): string | undefined {
  if (PASSWORD.test(password)) return undefined;
  const length = [...password].length;
  if (length < 8 || length > 64) return 'must be 8 to 64 characters long';
  if (/\s/u.test(password)) return 'must not contain spaces';
  if (!/[a-z]/.test(password)) return 'must contain a lower-case letter';
  if (!/[A-Z]/.test(password)) return 'must contain an upper-case letter';
  return 'must contain a digit';
}

/**
 * Why `username` breaks CreateUser's Username rules for an instance of `identityManagementType`, or
 * undefined: letters, digits and `_-.@`; up to 64 characters with SAML, up to 20 otherwise; `@` only in an
 * email address (`testuser@example.com`, not `testuser@example`).
 */
export function usernameProblem(username: string, identityManagementType: string): string | undefined {
  const max = identityManagementType === 'SAML' ? 64 : 20;
  if (username.length > max) return `must be at most ${max} characters long for a ${identityManagementType} instance`;
  if (!/^[a-zA-Z0-9_.@-]+$/.test(username)) return 'may contain only letters, digits, "_", "-", "." and "@"';
  if (username.includes('@') && !/^[^@]+@[^@.]+(\.[^@.]+)+$/.test(username)) return 'may contain "@" only as an email address';
  return undefined;
}

export class UserService {
  constructor(private readonly deps: UserServiceDeps) {}

  // ---- agent statuses

  /**
   * Creates the default statuses ("Available", "Offline") the instance lacks. Idempotent, and safe against
   * a concurrent caller: the unique name decides, and the loser's status is simply not created.
   */
  async ensureDefaultAgentStatuses(instanceId: string): Promise<void> {
    const { store, clock } = this.deps;
    for (const d of DEFAULT_AGENT_STATUSES) {
      if ((await store.agentStatuses.findByName(instanceId, d.name)) !== undefined) continue;
      const id = this.deps.ids.uuid();
      const status: AgentStatusRecord = {
        id,
        arn: arns.agentStatus(this.deps.arn, instanceId, id),
        instanceId,
        name: d.name,
        description: null,
        type: d.type,
        displayOrder: d.displayOrder,
        state: 'ENABLED',
        tags: {},
        lastModifiedAt: clock.now(),
      };
      try {
        await store.agentStatuses.insert(status);
      } catch (error) {
        if (!(error instanceof UniqueViolationError)) throw error;
      }
    }
  }

  /** Gives every instance its default statuses (at start-up, for instances made before agents existed). */
  async ensureDefaultAgentStatusesEverywhere(): Promise<void> {
    let after: string | undefined;
    for (;;) {
      const instances = await this.deps.store.instances.list({ limit: 100, ...(after !== undefined && { after }) });
      for (const instance of instances) await this.ensureDefaultAgentStatuses(instance.id);
      if (instances.length < 100) return;
      after = instances[instances.length - 1]!.id;
    }
  }

  async listAgentStatuses(instanceIdOrArn: string, types: readonly AgentStatusType[], page: PageRequest): Promise<AgentStatusRecord[]> {
    const instance = await this.requireInstance(instanceIdOrArn);
    return this.deps.store.agentStatuses.list(instance.id, types, page);
  }

  /** The status, by id or ARN, or ResourceNotFoundException. */
  async requireAgentStatus(instanceId: string, idOrArn: string): Promise<AgentStatusRecord> {
    const status = await this.deps.store.agentStatuses.get(instanceId, resourceIdFrom(idOrArn));
    if (status === undefined) throw new ResourceNotFoundException(`Agent status not found: ${idOrArn}`);
    return status;
  }

  /** The instance's OFFLINE status, which new agents start in; created with the defaults if missing. */
  async offlineStatus(instanceId: string): Promise<AgentStatusRecord> {
    const find = async () => (await this.deps.store.agentStatuses.list(instanceId, ['OFFLINE'], { limit: 1 }))[0];
    const found = await find();
    if (found !== undefined) return found;
    await this.ensureDefaultAgentStatuses(instanceId);
    const created = await find();
    if (created === undefined) throw new Error(`instance ${instanceId} has no OFFLINE agent status`);
    return created;
  }

  // ---- routing profiles

  async createRoutingProfile(instanceIdOrArn: string, input: CreateRoutingProfileInput): Promise<RoutingProfileRecord> {
    const { store, quotas } = this.deps;
    const instance = await this.requireInstance(instanceIdOrArn);
    const mediaConcurrencies = checkMediaConcurrencies(input.mediaConcurrencies);
    const seen = new Set<string>();
    const queues: RoutingProfileQueue[] = [];
    for (const config of input.queueConfigs ?? []) {
      const queue = await store.queues.get(instance.id, resourceIdFrom(config.queueId));
      if (queue === undefined) throw new ResourceNotFoundException(`Queue not found: ${config.queueId}`);
      const key = `${queue.id}/${config.channel}`;
      if (seen.has(key)) {
        throw new InvalidParameterException(`QueueConfigs lists queue ${config.queueId} on channel ${config.channel} twice.`);
      }
      seen.add(key);
      queues.push({ queueId: queue.id, channel: config.channel, priority: config.priority, delaySeconds: config.delaySeconds });
    }
    const outbound = await store.queues.get(instance.id, resourceIdFrom(input.defaultOutboundQueueId));
    if (outbound === undefined) throw new ResourceNotFoundException(`Default outbound queue not found: ${input.defaultOutboundQueueId}`);
    if ((await store.routingProfiles.countInInstance(instance.id)) >= quotas.routingProfilesPerInstance) {
      throw new LimitExceededException(
        `The instance already has ${quotas.routingProfilesPerInstance} routing profiles, its quota (quotas.routingProfilesPerInstance).`,
      );
    }
    const id = input.id ?? this.deps.ids.uuid();
    const profile: RoutingProfileRecord = {
      id,
      arn: arns.routingProfile(this.deps.arn, instance.id, id),
      instanceId: instance.id,
      name: input.name,
      description: input.description,
      defaultOutboundQueueId: outbound.id,
      mediaConcurrencies,
      agentAvailabilityTimer: input.agentAvailabilityTimer ?? null,
      queues,
      tags: input.tags ?? {},
      lastModifiedAt: this.deps.clock.now(),
    };
    await insert(() => store.routingProfiles.insert(profile), `A routing profile named ${input.name} already exists in the instance.`);
    return profile;
  }

  /** The routing profile, by id or ARN, or ResourceNotFoundException. */
  async requireRoutingProfile(instanceId: string, idOrArn: string): Promise<RoutingProfileRecord> {
    const profile = await this.deps.store.routingProfiles.get(instanceId, resourceIdFrom(idOrArn));
    if (profile === undefined) throw new ResourceNotFoundException(`Routing profile not found: ${idOrArn}`);
    return profile;
  }

  findRoutingProfileByName(instanceId: string, name: string): Promise<RoutingProfileRecord | undefined> {
    return this.deps.store.routingProfiles.findByName(instanceId, name);
  }

  async listRoutingProfiles(instanceIdOrArn: string, page: PageRequest): Promise<RoutingProfileRecord[]> {
    const instance = await this.requireInstance(instanceIdOrArn);
    return this.deps.store.routingProfiles.list(instance.id, page);
  }

  // ---- users

  /** Creates a user and its agent, who starts in the instance's OFFLINE status, free. */
  async createUser(instanceIdOrArn: string, input: CreateUserInput): Promise<UserRecord> {
    const { store, quotas, clock } = this.deps;
    const instance = await this.requireInstance(instanceIdOrArn);
    checkUser(instance, input);
    const profile = await this.requireRoutingProfile(instance.id, input.routingProfileId);
    if ((await store.users.countInInstance(instance.id)) >= quotas.usersPerInstance) {
      throw new LimitExceededException(`The instance already has ${quotas.usersPerInstance} users, its quota (quotas.usersPerInstance).`);
    }
    if ((await store.users.findByUsername(instance.id, input.username)) !== undefined) throw duplicateUser(input.username);
    const offline = await this.offlineStatus(instance.id);
    const phone = input.phoneConfig ?? {};
    const phoneConfig: UserPhoneConfig = {
      phoneType: phone.phoneType ?? 'SOFT_PHONE',
      autoAccept: phone.autoAccept ?? false,
      afterContactWorkTimeLimit: phone.afterContactWorkTimeLimit ?? 0,
      deskPhoneNumber: phone.deskPhoneNumber ?? null,
    };
    const id = input.id ?? this.deps.ids.uuid();
    const password = input.password;
    const now = clock.now();
    const user: UserRecord = {
      id,
      arn: arns.user(this.deps.arn, instance.id, id),
      instanceId: instance.id,
      username: input.username,
      passwordHash: password === undefined ? null : await hashPassword(password),
      sipHa1: password === undefined ? null : sipHa1(input.username, SIP_REALM, password),
      identityInfo: input.identityInfo ?? {},
      phoneConfig,
      routingProfileId: profile.id,
      securityProfileIds: [...input.securityProfileIds],
      hierarchyGroupId: input.hierarchyGroupId ?? null,
      directoryUserId: input.directoryUserId ?? null,
      tags: input.tags ?? {},
      lastModifiedAt: now,
    };
    const agent: AgentRecord = {
      userId: id,
      instanceId: instance.id,
      statusId: offline.id,
      statusSince: now,
      nextStatusId: null,
      activity: 'idle',
      activitySince: now,
      idleSince: now,
      contactId: null,
      offerExpiresAt: null,
      acwEndsAt: null,
    };
    try {
      await store.users.insert(user, agent);
    } catch (error) {
      if (error instanceof UniqueViolationError) throw duplicateUser(input.username);
      throw error;
    }
    return user;
  }

  /** The user, by id or ARN, or ResourceNotFoundException. */
  async requireUser(instanceId: string, idOrArn: string): Promise<UserRecord> {
    const user = await this.deps.store.users.get(instanceId, resourceIdFrom(idOrArn));
    if (user === undefined) throw new ResourceNotFoundException(`User not found: ${idOrArn}`);
    return user;
  }

  findUserByUsername(instanceId: string, username: string): Promise<UserRecord | undefined> {
    return this.deps.store.users.findByUsername(instanceId, username);
  }

  async listUsers(instanceIdOrArn: string, page: PageRequest): Promise<UserRecord[]> {
    const instance = await this.requireInstance(instanceIdOrArn);
    return this.deps.store.users.list(instance.id, page);
  }

  /** Deletes a user and its agent; an agent offered or handling a contact is refused. */
  async deleteUser(instanceIdOrArn: string, userIdOrArn: string): Promise<void> {
    const instance = await this.requireInstance(instanceIdOrArn);
    const user = await this.requireUser(instance.id, userIdOrArn);
    const agent = await this.deps.store.agents.get(user.id);
    if (agent?.contactId != null) {
      throw new InvalidRequestException(`The user is handling a contact (${agent.contactId}); delete the user once it has ended.`);
    }
    if (!(await this.deps.store.users.delete(instance.id, user.id))) throw new ResourceNotFoundException(`User not found: ${userIdOrArn}`);
  }

  async updateUserRoutingProfile(instanceIdOrArn: string, userIdOrArn: string, routingProfileIdOrArn: string): Promise<void> {
    const instance = await this.requireInstance(instanceIdOrArn);
    const user = await this.requireUser(instance.id, userIdOrArn);
    const profile = await this.requireRoutingProfile(instance.id, routingProfileIdOrArn);
    await this.deps.store.users.updateRoutingProfile(instance.id, user.id, profile.id, this.deps.clock.now());
  }

  // ---- instances

  /** The instance named by id or ARN, or ResourceNotFoundException. */
  async requireInstance(idOrArn: string): Promise<InstanceRecord> {
    const instance = await this.deps.store.instances.get(instanceIdFrom(idOrArn));
    if (instance === undefined) throw new ResourceNotFoundException(`Instance not found: ${idOrArn}`);
    return instance;
  }
}

function duplicateUser(username: string): DuplicateResourceException {
  return new DuplicateResourceException(`A user named ${username} already exists in the instance.`);
}

/** CreateUser's cross-member rules, which the model's per-member constraints cannot express. */
function checkUser(instance: InstanceRecord, input: CreateUserInput): void {
  const type = instance.identityManagementType;
  const usernameIssue = usernameProblem(input.username, type);
  if (usernameIssue !== undefined) throw new InvalidParameterException(`Username ${usernameIssue}.`);
  if (type === 'CONNECT_MANAGED' && input.password === undefined) {
    throw new InvalidParameterException('Password is required: the instance uses Amazon Connect for identity management.');
  }
  if (type !== 'CONNECT_MANAGED' && input.password !== undefined) {
    throw new InvalidParameterException(`Password must not be given: the instance's identity management type is ${type}.`);
  }
  if (input.password !== undefined) {
    const passwordIssue = passwordProblem(input.password);
    if (passwordIssue !== undefined) throw new InvalidParameterException(`Password ${passwordIssue}.`);
  }
  if (type === 'CONNECT_MANAGED' || type === 'SAML') {
    for (const member of ['FirstName', 'LastName'] as const) {
      if (!input.identityInfo?.[member]) {
        throw new InvalidParameterException(`IdentityInfo.${member} is required: the instance's identity management type is ${type}.`);
      }
    }
  }
  if (type === 'SAML' && input.identityInfo?.Email !== undefined) {
    throw new InvalidParameterException('IdentityInfo.Email must not be given: the instance uses SAML for identity management.');
  }
  const phone = input.phoneConfig;
  if (phone?.phoneType === 'DESK_PHONE' && phone.deskPhoneNumber === undefined) {
    throw new InvalidParameterException('PhoneConfig.DeskPhoneNumber is required when PhoneType is DESK_PHONE.');
  }
  if (phone?.deskPhoneNumber !== undefined && !E164.test(phone.deskPhoneNumber)) {
    throw new InvalidParameterException('PhoneConfig.DeskPhoneNumber must be an E.164 number such as +12065550100.');
  }
  if (phone?.afterContactWorkTimeLimit !== undefined && phone.afterContactWorkTimeLimit > MAX_ACW_SECONDS) {
    throw new InvalidParameterException(`PhoneConfig.AfterContactWorkTimeLimit must be at most ${MAX_ACW_SECONDS} seconds.`);
  }
}

/** Checks MediaConcurrencies against the documented per-channel ranges; one entry per channel. */
function checkMediaConcurrencies(given: readonly MediaConcurrencyInput[]): MediaConcurrency[] {
  const seen = new Set<string>();
  return given.map((m) => {
    if (seen.has(m.channel)) throw new InvalidParameterException(`MediaConcurrencies lists channel ${m.channel} twice.`);
    seen.add(m.channel);
    if (m.concurrency === undefined) {
      throw new InvalidParameterException(`MediaConcurrencies: Concurrency is required for channel ${m.channel}.`);
    }
    const [min, max] = CONCURRENCY_RANGE[m.channel] ?? [1, 10];
    if (m.concurrency < min || m.concurrency > max) {
      throw new InvalidParameterException(
        `MediaConcurrencies: Concurrency for ${m.channel} must be ${min === max ? min : `from ${min} to ${max}`}, got ${m.concurrency}.`,
      );
    }
    return { channel: m.channel, concurrency: m.concurrency, ...(m.crossChannelBehavior !== undefined && { crossChannelBehavior: m.crossChannelBehavior }) };
  });
}

/** Runs an insert; a unique-constraint failure becomes DuplicateResourceException. */
async function insert(run: () => Promise<void>, duplicateMessage: string): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof UniqueViolationError) throw new DuplicateResourceException(duplicateMessage);
    throw error;
  }
}
