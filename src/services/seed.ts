/**
 * What an empty store starts with (the demo instance) and the resources config declares. Both are applied
 * on every start and create only what is missing, so restarts never duplicate anything.
 */
import type { DeclaredInstance } from '../config/config.js';
import type { Logger } from '../shared/logger.js';
import type { ResourceService } from './resource-service.js';
import type { UserService } from './user-service.js';

/** Fixed ids of the demo resources, so the README's commands work as written. */
export const DEMO = {
  alias: 'demo',
  instanceId: '00000000-0000-4000-a000-000000000001',
  flowId: '00000000-0000-4000-a000-000000000002',
  queueId: '00000000-0000-4000-a000-000000000003',
  hoursId: '00000000-0000-4000-a000-000000000004',
  callerIdNumber: '+12065550199',
  callerIdNumberId: '00000000-0000-4000-a000-000000000005',
  tollFreeNumber: '+18005550199',
  tollFreeNumberId: '00000000-0000-4000-a000-000000000006',
  routingProfileId: '00000000-0000-4000-a000-000000000007',
  agentUserId: '00000000-0000-4000-a000-000000000008',
  agentUsername: 'agent',
  /** Documented in the README: the demo is for a laptop, where anyone may sign in as the demo agent. */
  agentPassword: 'Agent-Demo-1',
  queueFlowId: '00000000-0000-4000-a000-000000000009',
} as const;

/**
 * The security profile id the demo agent and declared users without `securityProfileIds` get. outdial does
 * not model security profiles (CreateUser stores the ids it is given), so this is a placeholder.
 */
export const DEFAULT_SECURITY_PROFILE_ID = '00000000-0000-4000-a000-0000000000a1';

/** Open around the clock: Connect writes 24 hours as 00:00 to 00:00 on every day. */
export const ALWAYS_OPEN = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'].map((Day) => ({
  Day,
  StartTime: { Hours: 0, Minutes: 0 },
  EndTime: { Hours: 0, Minutes: 0 },
}));

/** Says hello and hangs up; the flow every demo call runs. */
export const DEMO_FLOW_CONTENT = JSON.stringify({
  Version: '2019-10-30',
  StartAction: 'greet',
  Actions: [
    {
      Identifier: 'greet',
      Type: 'MessageParticipant',
      Parameters: { Text: 'Hello from outdial. This is a demo call. Goodbye.' },
      Transitions: { NextAction: 'hang-up', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'hang-up' }] },
    },
    { Identifier: 'hang-up', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
  ],
});

/** Tells the callee an agent will take the call and queues it in BasicQueue, where the demo agent takes it. */
export const DEMO_QUEUE_FLOW_CONTENT = JSON.stringify({
  Version: '2019-10-30',
  StartAction: 'greet',
  Actions: [
    {
      Identifier: 'greet',
      Type: 'MessageParticipant',
      Parameters: { Text: 'Hello from outdial. Please hold while we connect you to an agent.' },
      Transitions: { NextAction: 'target', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'target' }] },
    },
    {
      Identifier: 'target',
      Type: 'UpdateContactTargetQueue',
      Parameters: { QueueId: DEMO.queueId },
      Transitions: { NextAction: 'transfer', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'hang-up' }] },
    },
    {
      Identifier: 'transfer',
      Type: 'TransferContactToQueue',
      Parameters: {},
      Transitions: {
        NextAction: 'hang-up',
        Errors: [
          { ErrorType: 'QueueAtCapacity', NextAction: 'hang-up' },
          { ErrorType: 'NoMatchingError', NextAction: 'hang-up' },
        ],
      },
    },
    { Identifier: 'hang-up', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
  ],
});

/**
 * Creates the demo instance and its resources in a store that has no other instance. Each piece is created
 * only when missing, so a first start interrupted half-way is completed by the next one.
 */
export async function seedDemo(resources: ResourceService, users: UserService, logger: Logger): Promise<boolean> {
  let instance = await resources.findInstanceByAlias(DEMO.alias);
  if (instance === undefined) {
    if ((await resources.listInstances({ limit: 1 })).length > 0) return false;
    instance = await resources.createInstance({
      id: DEMO.instanceId,
      alias: DEMO.alias,
      identityManagementType: 'CONNECT_MANAGED',
      inboundCallsEnabled: true,
      outboundCallsEnabled: true,
    });
    // The demo shows what its flows did: `outdial contact <id> --trace`.
    await resources.updateInstanceAttribute(instance.id, 'CONTACTFLOW_LOGS', 'true');
  }
  if (instance.id !== DEMO.instanceId) return false;
  if ((await resources.findHoursByName(instance.id, 'Basic Hours')) === undefined) {
    await resources.createHoursOfOperation(instance.id, {
      id: DEMO.hoursId,
      name: 'Basic Hours',
      description: 'Open 24x7',
      timeZone: 'UTC',
      config: ALWAYS_OPEN,
    });
  }
  for (const [id, phoneNumber, description] of [
    [DEMO.callerIdNumberId, DEMO.callerIdNumber, 'demo caller ID'],
    [DEMO.tollFreeNumberId, DEMO.tollFreeNumber, 'demo toll-free number'],
  ] as const) {
    await resources.claimPhoneNumber({ id, instanceId: instance.id, phoneNumber, description });
  }
  if ((await resources.findFlowByName(instance.id, 'Demo outbound flow')) === undefined) {
    await resources.createContactFlow(instance.id, {
      id: DEMO.flowId,
      name: 'Demo outbound flow',
      type: 'CONTACT_FLOW',
      description: 'Says hello and hangs up',
      content: DEMO_FLOW_CONTENT,
    });
  }
  if ((await resources.findQueueByName(instance.id, 'BasicQueue')) === undefined) {
    await resources.createQueue(instance.id, {
      id: DEMO.queueId,
      name: 'BasicQueue',
      description: 'Demo queue with an outbound caller ID',
      hoursOfOperationId: DEMO.hoursId,
      outboundCallerIdName: 'outdial demo',
      outboundCallerIdNumberId: DEMO.callerIdNumberId,
    });
  }
  if ((await resources.findFlowByName(instance.id, 'Demo queue flow')) === undefined) {
    await resources.createContactFlow(instance.id, {
      id: DEMO.queueFlowId,
      name: 'Demo queue flow',
      type: 'CONTACT_FLOW',
      description: 'Queues the contact in BasicQueue for an agent',
      content: DEMO_QUEUE_FLOW_CONTENT,
    });
  }
  await users.ensureDefaultAgentStatuses(instance.id);
  if ((await users.findRoutingProfileByName(instance.id, 'Basic Routing Profile')) === undefined) {
    await users.createRoutingProfile(instance.id, {
      id: DEMO.routingProfileId,
      name: 'Basic Routing Profile',
      description: 'Voice contacts of the demo queue',
      defaultOutboundQueueId: DEMO.queueId,
      queueConfigs: [{ queueId: DEMO.queueId, channel: 'VOICE', priority: 1, delaySeconds: 0 }],
      mediaConcurrencies: [{ channel: 'VOICE', concurrency: 1 }],
    });
  }
  if ((await users.findUserByUsername(instance.id, DEMO.agentUsername)) === undefined) {
    await users.createUser(instance.id, {
      id: DEMO.agentUserId,
      username: DEMO.agentUsername,
      password: DEMO.agentPassword,
      identityInfo: { FirstName: 'Demo', LastName: 'Agent' },
      phoneConfig: { phoneType: 'SOFT_PHONE', autoAccept: false, afterContactWorkTimeLimit: 30 },
      routingProfileId: DEMO.routingProfileId,
      securityProfileIds: [DEFAULT_SECURITY_PROFILE_ID],
    });
  }
  logger.info('demo instance ready', { instanceId: instance.id });
  return true;
}

/** Creates every declared instance and resource that does not exist yet, matching by alias and name. */
export async function applyDeclarations(
  resources: ResourceService,
  users: UserService,
  declared: readonly DeclaredInstance[],
  logger: Logger,
): Promise<void> {
  for (const d of declared) {
    const instance =
      (await resources.findInstanceByAlias(d.alias)) ??
      (await resources.createInstance({
        alias: d.alias,
        identityManagementType: 'CONNECT_MANAGED',
        inboundCallsEnabled: d.inboundCallsEnabled,
        outboundCallsEnabled: d.outboundCallsEnabled,
        ...(d.maxConcurrentCalls !== undefined && { maxConcurrentCalls: d.maxConcurrentCalls }),
        ...(d.maxConcurrentCampaignCalls !== undefined && { maxConcurrentCampaignCalls: d.maxConcurrentCampaignCalls }),
        ...(d.allowedPrefixes !== undefined && { allowedPrefixes: d.allowedPrefixes }),
        ...(d.blockedPrefixes !== undefined && { blockedPrefixes: d.blockedPrefixes }),
      }));
    for (const h of d.hoursOfOperation) {
      if (await resources.findHoursByName(instance.id, h.name)) continue;
      await resources.createHoursOfOperation(instance.id, {
        name: h.name,
        timeZone: h.timeZone,
        config: h.config ?? ALWAYS_OPEN,
        ...(h.description !== undefined && { description: h.description }),
      });
    }
    for (const n of d.phoneNumbers) {
      if (await resources.claimedNumber(instance.id, n.number)) continue;
      await resources.claimPhoneNumber({
        instanceId: instance.id,
        phoneNumber: n.number,
        numberType: n.type,
        ...(n.description !== undefined && { description: n.description }),
      });
    }
    for (const f of d.flows) {
      if (await resources.findFlowByName(instance.id, f.name)) continue;
      await resources.createContactFlow(instance.id, {
        name: f.name,
        type: f.type,
        content: f.content,
        ...(f.description !== undefined && { description: f.description }),
      });
    }
    for (const q of d.queues) {
      if (await resources.findQueueByName(instance.id, q.name)) continue;
      const hours = await resources.findHoursByName(instance.id, q.hoursOfOperation);
      if (hours === undefined) throw new Error(`queue ${q.name} of instance ${d.alias}: no hours of operation named ${q.hoursOfOperation}`);
      const number = q.outboundCallerIdNumber === undefined ? undefined : await resources.claimedNumber(instance.id, q.outboundCallerIdNumber);
      if (q.outboundCallerIdNumber !== undefined && number === undefined) {
        throw new Error(`queue ${q.name} of instance ${d.alias}: ${q.outboundCallerIdNumber} is not among the instance's phoneNumbers`);
      }
      const flow = q.outboundFlow === undefined ? undefined : await resources.findFlowByName(instance.id, q.outboundFlow);
      if (q.outboundFlow !== undefined && flow === undefined) {
        throw new Error(`queue ${q.name} of instance ${d.alias}: no flow named ${q.outboundFlow}`);
      }
      await resources.createQueue(instance.id, {
        name: q.name,
        hoursOfOperationId: hours.id,
        ...(q.description !== undefined && { description: q.description }),
        ...(q.outboundCallerIdName !== undefined && { outboundCallerIdName: q.outboundCallerIdName }),
        ...(number !== undefined && { outboundCallerIdNumberId: number.id }),
        ...(flow !== undefined && { outboundFlowId: flow.id }),
      });
    }
    await users.ensureDefaultAgentStatuses(instance.id);
    for (const p of d.routingProfiles) {
      if (await users.findRoutingProfileByName(instance.id, p.name)) continue;
      const queueId = async (name: string, what: string): Promise<string> => {
        const queue = await resources.findQueueByName(instance.id, name);
        if (queue === undefined) throw new Error(`routing profile ${p.name} of instance ${d.alias}: ${what} names no queue of the instance (${name})`);
        return queue.id;
      };
      const queueConfigs = [];
      for (const q of p.queues) {
        queueConfigs.push({ queueId: await queueId(q.queue, 'queues'), channel: q.channel, priority: q.priority, delaySeconds: q.delay });
      }
      await users.createRoutingProfile(instance.id, {
        name: p.name,
        description: p.description ?? p.name,
        defaultOutboundQueueId: await queueId(p.defaultOutboundQueue, 'defaultOutboundQueue'),
        queueConfigs,
        mediaConcurrencies: p.mediaConcurrencies.map((m) => ({ channel: m.channel, concurrency: m.concurrency })),
      });
    }
    for (const u of d.users) {
      if (await users.findUserByUsername(instance.id, u.username)) continue;
      const profile = await users.findRoutingProfileByName(instance.id, u.routingProfile);
      if (profile === undefined) throw new Error(`user ${u.username} of instance ${d.alias}: no routing profile named ${u.routingProfile}`);
      await users.createUser(instance.id, {
        username: u.username,
        password: u.password,
        identityInfo: { FirstName: u.firstName, LastName: u.lastName, ...(u.email !== undefined && { Email: u.email }) },
        phoneConfig: {
          phoneType: u.phoneType,
          autoAccept: u.autoAccept,
          afterContactWorkTimeLimit: u.afterContactWorkTimeLimit,
          ...(u.deskPhoneNumber !== undefined && { deskPhoneNumber: u.deskPhoneNumber }),
        },
        routingProfileId: profile.id,
        securityProfileIds: u.securityProfileIds ?? [DEFAULT_SECURITY_PROFILE_ID],
      });
    }
    logger.info('declared instance ready', { alias: d.alias, instanceId: instance.id });
  }
}
