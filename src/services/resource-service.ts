/**
 * Instances, hours of operation, phone numbers, flows and queues: the resources a contact refers to.
 * Enforces the per-instance quotas and unique names; ids are UUIDs and ARNs follow AWS's form.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import type { IdSource } from '../shared/ids.js';
import {
  UniqueViolationError,
  type ContactFlowRecord,
  type HoursOfOperationRecord,
  type InstanceRecord,
  type PageRequest,
  type PhoneNumberFilter,
  type PhoneNumberRecord,
  type QueueRecord,
  type Store,
} from '../store/store.js';
import {
  DuplicateResourceException,
  InvalidParameterException,
  LimitExceededException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
} from './errors.js';
import { arns, instanceIdFrom, resourceIdFrom, type ArnContext } from './arns.js';
import { checkFlowContent } from './flow-content.js';
import { countryOf } from './phone-numbers.js';

export interface ResourceQuotas {
  readonly instancesPerAccount: number;
  readonly phoneNumbersPerInstance: number;
  readonly queuesPerInstance: number;
  readonly flowsPerInstance: number;
  readonly concurrentActiveCallsPerInstance: number;
  readonly concurrentCampaignActiveCallsPerInstance: number;
}

export interface ResourceServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly arn: ArnContext;
  readonly quotas: ResourceQuotas;
  readonly allowedPrefixes: readonly string[];
  readonly blockedPrefixes: readonly string[];
  /** Runs after an instance is created (not when a ClientToken retry returns an existing one). */
  readonly onInstanceCreated?: (instance: InstanceRecord) => Promise<void>;
}

export interface CreateInstanceInput {
  /** A fixed id, for resources seeded with documented ids; a UUID otherwise. */
  id?: string;
  identityManagementType: string;
  alias?: string;
  directoryId?: string;
  inboundCallsEnabled: boolean;
  outboundCallsEnabled: boolean;
  tags?: Record<string, string>;
  /** Makes the request idempotent: a retry with the same token returns the instance the first one made. */
  clientToken?: string;
  /** Per-instance overrides of the config-wide defaults. */
  maxConcurrentCalls?: number;
  maxConcurrentCampaignCalls?: number;
  allowedPrefixes?: readonly string[];
  blockedPrefixes?: readonly string[];
}

export interface CreateHoursInput {
  /** A fixed id, for resources seeded with documented ids; a UUID otherwise. */
  id?: string;
  name: string;
  description?: string;
  timeZone: string;
  config: unknown[];
  tags?: Record<string, string>;
}

export interface ClaimNumberInput {
  /** A fixed id, for resources seeded with documented ids; a UUID otherwise. */
  id?: string;
  instanceId: string;
  phoneNumber: string;
  description?: string;
  numberType?: string;
  tags?: Record<string, string>;
}

export interface CreateFlowInput {
  /** A fixed id, for resources seeded with documented ids; a UUID otherwise. */
  id?: string;
  name: string;
  type: string;
  description?: string;
  content: string;
  status?: string;
  tags?: Record<string, string>;
}

export interface CreateQueueInput {
  /** A fixed id, for resources seeded with documented ids; a UUID otherwise. */
  id?: string;
  name: string;
  description?: string;
  hoursOfOperationId: string;
  maxContacts?: number;
  outboundCallerIdName?: string;
  outboundCallerIdNumberId?: string;
  outboundFlowId?: string;
  tags?: Record<string, string>;
}

/** Attribute types outdial stores besides the two call switches. */
const BOOLEAN_ATTRIBUTES = new Set(['INBOUND_CALLS', 'OUTBOUND_CALLS']);

export class ResourceService {
  constructor(private readonly deps: ResourceServiceDeps) {}

  // ---- instances

  /** `Duplicate` is the error for a taken alias: CreateInstance models InvalidRequestException for it. */
  async createInstance(
    input: CreateInstanceInput,
    Duplicate: new (message: string) => Error = DuplicateResourceException,
  ): Promise<InstanceRecord> {
    const { store, quotas } = this.deps;
    const earlier = input.clientToken === undefined ? undefined : await store.instances.findByClientToken(input.clientToken);
    if (earlier !== undefined) return earlier;
    if ((await store.instances.count()) >= quotas.instancesPerAccount) {
      throw new ServiceQuotaExceededException(
        `The account already has ${quotas.instancesPerAccount} instances, its quota (quotas.instancesPerAccount).`,
      );
    }
    const id = input.id ?? this.deps.ids.uuid();
    const instance: InstanceRecord = {
      id,
      arn: arns.instance(this.deps.arn, id),
      alias: input.alias ?? null,
      identityManagementType: input.identityManagementType,
      directoryId: input.directoryId ?? null,
      inboundCallsEnabled: input.inboundCallsEnabled,
      outboundCallsEnabled: input.outboundCallsEnabled,
      attributes: {},
      status: 'ACTIVE',
      createdAt: this.deps.clock.now(),
      tags: input.tags ?? {},
      maxLiveContacts: input.maxConcurrentCalls ?? quotas.concurrentActiveCallsPerInstance,
      liveContacts: 0,
      maxLiveCampaignContacts: input.maxConcurrentCampaignCalls ?? quotas.concurrentCampaignActiveCallsPerInstance,
      liveCampaignContacts: 0,
      allowedPrefixes: [...(input.allowedPrefixes ?? this.deps.allowedPrefixes)],
      blockedPrefixes: [...(input.blockedPrefixes ?? this.deps.blockedPrefixes)],
      clientToken: input.clientToken ?? null,
    };
    try {
      await this.#insert(
        () => this.deps.store.instances.insert(instance),
        `An instance with alias ${input.alias} already exists.`,
        Duplicate,
      );
    } catch (error) {
      // A concurrent retry with the same token won the insert: answer with its instance.
      const winner = input.clientToken === undefined ? undefined : await store.instances.findByClientToken(input.clientToken);
      if (winner !== undefined) return winner;
      throw error;
    }
    await this.deps.onInstanceCreated?.(instance);
    return instance;
  }

  /** The instance named by id or ARN, or ResourceNotFoundException. */
  async requireInstance(idOrArn: string): Promise<InstanceRecord> {
    const instance = await this.deps.store.instances.get(instanceIdFrom(idOrArn));
    if (instance === undefined) throw new ResourceNotFoundException(`Instance not found: ${idOrArn}`);
    return instance;
  }

  findInstanceByAlias(alias: string): Promise<InstanceRecord | undefined> {
    return this.deps.store.instances.findByAlias(alias);
  }

  listInstances(page: PageRequest): Promise<InstanceRecord[]> {
    return this.deps.store.instances.list(page);
  }

  async updateInstanceAttribute(idOrArn: string, type: string, value: string): Promise<void> {
    const instance = await this.requireInstance(idOrArn);
    if (BOOLEAN_ATTRIBUTES.has(type) && value !== 'true' && value !== 'false') {
      throw new InvalidParameterException(`Value for ${type} must be "true" or "false".`);
    }
    const enabled = value === 'true';
    if (type === 'OUTBOUND_CALLS') return this.deps.store.instances.update(instance.id, { outboundCallsEnabled: enabled });
    if (type === 'INBOUND_CALLS') return this.deps.store.instances.update(instance.id, { inboundCallsEnabled: enabled });
    return this.deps.store.instances.update(instance.id, { attributes: { ...instance.attributes, [type]: value } });
  }

  // ---- hours of operation

  async createHoursOfOperation(instanceIdOrArn: string, input: CreateHoursInput): Promise<HoursOfOperationRecord> {
    const instance = await this.requireInstance(instanceIdOrArn);
    if (!isTimeZone(input.timeZone)) throw new InvalidParameterException(`TimeZone ${input.timeZone} is not an IANA time zone.`);
    const id = input.id ?? this.deps.ids.uuid();
    const hours: HoursOfOperationRecord = {
      id,
      arn: arns.hoursOfOperation(this.deps.arn, instance.id, id),
      instanceId: instance.id,
      name: input.name,
      description: input.description ?? null,
      timeZone: input.timeZone,
      config: input.config,
      tags: input.tags ?? {},
      lastModifiedAt: this.deps.clock.now(),
    };
    await this.#insert(
      () => this.deps.store.hoursOfOperation.insert(hours),
      `Hours of operation named ${input.name} already exist in the instance.`,
    );
    return hours;
  }

  listHoursOfOperation(instanceId: string): Promise<HoursOfOperationRecord[]> {
    return this.deps.store.hoursOfOperation.list(instanceId);
  }

  findHoursByName(instanceId: string, name: string): Promise<HoursOfOperationRecord | undefined> {
    return this.deps.store.hoursOfOperation.findByName(instanceId, name);
  }

  // ---- phone numbers

  /** Claims a number; claiming a number the instance already holds returns it, so retried claims are safe. */
  async claimPhoneNumber(input: ClaimNumberInput): Promise<PhoneNumberRecord> {
    const instance = await this.requireInstance(input.instanceId);
    const existing = await this.deps.store.phoneNumbers.findByNumber(input.phoneNumber);
    if (existing?.instanceId === instance.id) return existing;
    if (existing !== undefined) {
      throw new InvalidParameterException(`Phone number ${input.phoneNumber} is already claimed.`);
    }
    if ((await this.deps.store.phoneNumbers.countInInstance(instance.id)) >= this.deps.quotas.phoneNumbersPerInstance) {
      throw new InvalidParameterException(
        `The instance already has ${this.deps.quotas.phoneNumbersPerInstance} phone numbers, its quota (quotas.phoneNumbersPerInstance).`,
      );
    }
    const id = input.id ?? this.deps.ids.uuid();
    const number: PhoneNumberRecord = {
      id,
      arn: arns.phoneNumber(this.deps.arn, id),
      instanceId: instance.id,
      phoneNumber: input.phoneNumber,
      countryCode: countryOf(input.phoneNumber),
      numberType: input.numberType ?? (isTollFree(input.phoneNumber) ? 'TOLL_FREE' : 'DID'),
      description: input.description ?? null,
      tags: input.tags ?? {},
      claimedAt: this.deps.clock.now(),
    };
    await this.#insert(
      () => this.deps.store.phoneNumbers.insert(number),
      `Phone number ${input.phoneNumber} is already claimed.`,
      InvalidParameterException,
    );
    return number;
  }

  listPhoneNumbers(filter: PhoneNumberFilter, page: PageRequest): Promise<PhoneNumberRecord[]> {
    return this.deps.store.phoneNumbers.list(filter, page);
  }

  /** The number claimed by `instanceId`, or undefined. */
  async claimedNumber(instanceId: string, phoneNumber: string): Promise<PhoneNumberRecord | undefined> {
    const number = await this.deps.store.phoneNumbers.findByNumber(phoneNumber);
    return number?.instanceId === instanceId ? number : undefined;
  }

  async phoneNumberById(instanceId: string, idOrArn: string): Promise<PhoneNumberRecord | undefined> {
    const number = await this.deps.store.phoneNumbers.get(resourceIdFrom(idOrArn));
    return number?.instanceId === instanceId ? number : undefined;
  }

  // ---- flows

  /** Creates a flow; PUBLISHED content (the default) must be flow language, SAVED content is kept as it is. */
  async createContactFlow(instanceIdOrArn: string, input: CreateFlowInput): Promise<ContactFlowRecord> {
    if ((input.status ?? 'PUBLISHED') === 'PUBLISHED') checkFlowContent(input.content);
    const instance = await this.requireInstance(instanceIdOrArn);
    if ((await this.deps.store.contactFlows.countInInstance(instance.id)) >= this.deps.quotas.flowsPerInstance) {
      throw new LimitExceededException(
        `The instance already has ${this.deps.quotas.flowsPerInstance} flows, its quota (quotas.flowsPerInstance).`,
      );
    }
    const id = input.id ?? this.deps.ids.uuid();
    const now = this.deps.clock.now();
    const flow: ContactFlowRecord = {
      id,
      arn: arns.contactFlow(this.deps.arn, instance.id, id),
      instanceId: instance.id,
      name: input.name,
      flowType: input.type,
      description: input.description ?? null,
      content: input.content,
      status: input.status ?? 'PUBLISHED',
      state: 'ACTIVE',
      tags: input.tags ?? {},
      contentSha256: sha256(input.content),
      version: 1,
      lastModifiedAt: now,
    };
    await this.#insert(() => this.deps.store.contactFlows.insert(flow), `A flow named ${input.name} already exists in the instance.`);
    return flow;
  }

  /** The flow, or ResourceNotFoundException. */
  async requireFlow(instanceId: string, idOrArn: string): Promise<ContactFlowRecord> {
    const flow = await this.deps.store.contactFlows.get(instanceId, resourceIdFrom(idOrArn));
    if (flow === undefined) throw new ResourceNotFoundException(`Contact flow not found: ${idOrArn}`);
    return flow;
  }

  findFlowByName(instanceId: string, name: string): Promise<ContactFlowRecord | undefined> {
    return this.deps.store.contactFlows.findByName(instanceId, name);
  }

  async updateContactFlowContent(instanceIdOrArn: string, flowIdOrArn: string, content: string): Promise<void> {
    const instance = await this.requireInstance(instanceIdOrArn);
    const flow = await this.requireFlow(instance.id, flowIdOrArn);
    if (flow.status === 'PUBLISHED') checkFlowContent(content);
    await this.deps.store.contactFlows.updateContent(instance.id, flow.id, {
      content,
      contentSha256: sha256(content),
      lastModifiedAt: this.deps.clock.now(),
    });
  }

  async listContactFlows(instanceIdOrArn: string, types: readonly string[], page: PageRequest): Promise<ContactFlowRecord[]> {
    const instance = await this.requireInstance(instanceIdOrArn);
    return this.deps.store.contactFlows.list(instance.id, types, page);
  }

  // ---- queues

  async createQueue(instanceIdOrArn: string, input: CreateQueueInput): Promise<QueueRecord> {
    const instance = await this.requireInstance(instanceIdOrArn);
    if ((await this.deps.store.queues.countInInstance(instance.id)) >= this.deps.quotas.queuesPerInstance) {
      throw new LimitExceededException(
        `The instance already has ${this.deps.quotas.queuesPerInstance} queues, its quota (quotas.queuesPerInstance).`,
      );
    }
    const hours = await this.deps.store.hoursOfOperation.get(instance.id, resourceIdFrom(input.hoursOfOperationId));
    if (hours === undefined) throw new ResourceNotFoundException(`Hours of operation not found: ${input.hoursOfOperationId}`);
    let callerNumberId: string | null = null;
    if (input.outboundCallerIdNumberId !== undefined) {
      const number = await this.phoneNumberById(instance.id, input.outboundCallerIdNumberId);
      if (number === undefined) {
        throw new ResourceNotFoundException(`Phone number not claimed by the instance: ${input.outboundCallerIdNumberId}`);
      }
      callerNumberId = number.id;
    }
    let outboundFlowId: string | null = null;
    if (input.outboundFlowId !== undefined) outboundFlowId = (await this.requireFlow(instance.id, input.outboundFlowId)).id;
    const id = input.id ?? this.deps.ids.uuid();
    const queue: QueueRecord = {
      id,
      arn: arns.queue(this.deps.arn, instance.id, id),
      instanceId: instance.id,
      name: input.name,
      description: input.description ?? null,
      hoursOfOperationId: hours.id,
      maxContacts: input.maxContacts ?? null,
      status: 'ENABLED',
      outboundCallerIdName: input.outboundCallerIdName ?? null,
      outboundCallerIdNumberId: callerNumberId,
      outboundFlowId,
      tags: input.tags ?? {},
      lastModifiedAt: this.deps.clock.now(),
    };
    await this.#insert(() => this.deps.store.queues.insert(queue), `A queue named ${input.name} already exists in the instance.`);
    return queue;
  }

  async requireQueue(instanceId: string, idOrArn: string): Promise<QueueRecord> {
    const queue = await this.deps.store.queues.get(instanceId, resourceIdFrom(idOrArn));
    if (queue === undefined) throw new ResourceNotFoundException(`Queue not found: ${idOrArn}`);
    return queue;
  }

  findQueueByName(instanceId: string, name: string): Promise<QueueRecord | undefined> {
    return this.deps.store.queues.findByName(instanceId, name);
  }

  async listQueues(instanceIdOrArn: string, types: readonly string[], page: PageRequest): Promise<QueueRecord[]> {
    const instance = await this.requireInstance(instanceIdOrArn);
    return this.deps.store.queues.list(instance.id, types, page);
  }

  /** Runs an insert; a unique-constraint failure becomes `Duplicate` (the error the operation models). */
  async #insert(
    run: () => Promise<void>,
    duplicateMessage: string,
    Duplicate: new (message: string) => Error = DuplicateResourceException,
  ): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (error instanceof UniqueViolationError) throw new Duplicate(duplicateMessage);
      throw error;
    }
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** NANP toll-free area codes. */
function isTollFree(e164: string): boolean {
  return /^\+18(00|33|44|55|66|77|88)/.test(e164);
}
