/**
 * Routing: agents' statuses and activities, offering queued contacts to agents, and the agent's side of a
 * contact (accept, reject, talk, hang up, after-contact work). Every change is a guarded write in the
 * store (see AgentRepository), so offers stay exclusive across concurrent requests, nodes and restarts;
 * this class only decides what to write and when.
 *
 * Offers are made in rounds (`#dispatch`): after a contact is queued, an agent becomes free, and once a
 * second while contacts wait (queue delays and hours of operation open up with time). The same tick
 * expires unanswered offers and ends timed after-contact work.
 */
import { isOpen, type HoursOfOperation } from '../flows/index.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type {
  AgentActivity,
  AgentRecord,
  AgentStatusRecord,
  ContactRecord,
  QueueRecord,
  RoutingProfileRecord,
  Store,
  UserRecord,
} from '../store/store.js';
import type { AgentContactState, AgentContactView, AgentDesk, AgentStatusView, AgentView, SupervisorView } from './agent-desk.js';
import type { ContactEvents } from './contact-events.js';
import { InvalidParameterException, InvalidRequestException, ResourceNotFoundException } from './errors.js';
import type { ResourceService } from './resource-service.js';
import type { AgentCalls, AgentPhone, ContactRouting } from './routing-ports.js';
import { resourceIdFrom } from './arns.js';

export interface AgentServiceDeps {
  readonly store: Store;
  readonly resources: ResourceService;
  readonly events: ContactEvents;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly nodeId: string;
  /** How long an offer rings before it counts as missed. */
  readonly offerTimeoutMs: number;
}

/** Activities in which the agent holds a contact and a status change waits for the agent to be free. */
const BUSY: readonly AgentActivity[] = ['offered', 'connecting', 'on-contact', 'acw'];
const TICK_MS = 1000;
const RECENT_CONTACTS = 10;
const MAX_LISTED = 1000;

/** The agent's side of a contact, in GetCurrentUserData's AgentContactState terms. */
const CONTACT_STATES: Partial<Record<AgentActivity, { desk: AgentContactState; api: string }>> = {
  offered: { desk: 'incoming', api: 'INCOMING' },
  connecting: { desk: 'connecting', api: 'CONNECTING' },
  'on-contact': { desk: 'connected', api: 'CONNECTED' },
  acw: { desk: 'after-contact-work', api: 'ENDED' },
};

/** GetCurrentMetricData's metrics that outdial reports. */
export const CURRENT_METRIC_NAMES = [
  'AGENTS_ONLINE',
  'AGENTS_AVAILABLE',
  'AGENTS_ON_CALL',
  'AGENTS_NON_PRODUCTIVE',
  'AGENTS_AFTER_CONTACT_WORK',
  'AGENTS_ERROR',
  'AGENTS_STAFFED',
  'CONTACTS_IN_QUEUE',
  'OLDEST_CONTACT_AGE',
  'CONTACTS_SCHEDULED',
  'AGENTS_ON_CONTACT',
  'SLOTS_ACTIVE',
  'SLOTS_AVAILABLE',
] as const;

export type CurrentMetricName = (typeof CURRENT_METRIC_NAMES)[number];

export type MetricGrouping = 'QUEUE' | 'CHANNEL' | 'ROUTING_PROFILE';

export interface CurrentMetricQuery {
  queueIds?: readonly string[];
  routingProfileIds?: readonly string[];
  channels?: readonly string[];
  groupings: readonly MetricGrouping[];
  metrics: readonly CurrentMetricName[];
}

export interface CurrentMetricResult {
  dimensions: { queue?: QueueRecord; routingProfile?: RoutingProfileRecord; channel?: 'VOICE' };
  values: Partial<Record<CurrentMetricName, number>>;
}

export interface CurrentUserDataQuery {
  queueIds?: readonly string[];
  routingProfileIds?: readonly string[];
  userIds?: readonly string[];
  agentStatusIds?: readonly string[];
  /** AgentContactState values (INCOMING, CONNECTED, …); agents holding a contact in one of them. */
  contactStates?: readonly string[];
}

export interface CurrentUserData {
  user: UserRecord;
  routingProfile: RoutingProfileRecord | undefined;
  agent: AgentRecord;
  status: AgentStatusRecord | undefined;
  nextStatus: AgentStatusRecord | undefined;
  contact: { record: ContactRecord; state: string; since: number } | undefined;
}

/** Everything one view of an instance's agents needs, read once. */
interface Floor {
  agents: AgentRecord[];
  users: Map<string, UserRecord>;
  profiles: Map<string, RoutingProfileRecord>;
  statuses: Map<string, AgentStatusRecord>;
  queues: Map<string, QueueRecord>;
}

export class AgentService implements AgentDesk, ContactRouting {
  #calls: AgentCalls | undefined;
  #tick: TimerHandle | undefined;
  #closed = false;
  /** Per instance: the round running now, and whether another must follow it. */
  readonly #rounds = new Map<string, { running: Promise<void>; again: boolean }>();
  readonly #listeners = new Set<(instanceId: string) => void>();

  constructor(private readonly deps: AgentServiceDeps) {}

  /** The contact lifecycle, which is built after this service (each needs the other). */
  attach(calls: AgentCalls): void {
    this.#calls = calls;
  }

  /** Frees agents whose contacts ended while this node was down, then starts the routing tick. */
  async start(): Promise<void> {
    for (const agent of await this.deps.store.agents.listHoldingEndedContacts()) {
      const contact = agent.contactId === null ? undefined : await this.deps.store.contacts.get(agent.instanceId, agent.contactId);
      if (contact !== undefined) await this.contactEnded(contact);
      else await this.#free(agent, BUSY);
    }
    const waiting = await this.deps.store.agents.instancesWithWaitingContacts(this.deps.nodeId);
    if (waiting.length > 0 || (await this.#anyTimed())) this.#schedule();
  }

  close(): void {
    this.#closed = true;
    if (this.#tick !== undefined) this.deps.clock.clearTimer(this.#tick);
    this.#tick = undefined;
  }

  subscribe(listener: (instanceId: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- ContactRouting: what the contact lifecycle reports -------------------------------------------

  queued(contact: ContactRecord): void {
    this.#changed(contact.instanceId);
    this.#route(contact.instanceId);
    // Queue delays and hours of operation open up with time: look again each second while contacts wait.
    this.#schedule();
  }

  async agentAnswered(contactId: string, userId: string): Promise<boolean> {
    const now = this.deps.clock.now();
    const agent = await this.deps.store.agents.update(userId, ['connecting'], { activity: 'on-contact', activitySince: now }, contactId);
    if (agent !== undefined) this.#changed(agent.instanceId);
    return agent !== undefined;
  }

  async agentUnreachable(contactId: string, userId: string): Promise<void> {
    const agent = await this.deps.store.agents.get(userId);
    if (agent === undefined) return;
    await this.#miss(agent, contactId, ['connecting', 'offered']);
  }

  async contactEnded(contact: ContactRecord): Promise<void> {
    const { store, clock } = this.deps;
    const now = Math.max(clock.now(), contact.disconnectedAt ?? 0);
    // Each write is guarded by the activity it read; one that lost a race (the agent's phone answered in
    // between) reads again, so the agent never stays on a contact that has ended.
    for (let attempt = 0; attempt < 5; attempt++) {
      const agent = await store.agents.getByContact(contact.id);
      if (agent === undefined || agent.activity === 'acw') return;
      if (agent.activity === 'on-contact') {
        const user = await store.users.get(agent.instanceId, agent.userId);
        const limit = user?.phoneConfig.afterContactWorkTimeLimit ?? 0;
        const acw = await store.agents.update(
          agent.userId,
          ['on-contact'],
          { activity: 'acw', activitySince: now, acwEndsAt: limit > 0 ? now + limit * 1000 : null },
          contact.id,
        );
        if (acw === undefined) continue;
        await store.contacts.recordAfterContactWork(contact.id, { acwStartedAt: now }, now, undefined);
        this.#changed(agent.instanceId);
        this.#schedule();
        return;
      }
      // The customer left before the agent took the call: the agent is free again, as idle as before.
      if (await this.#free(agent, ['offered', 'connecting'], contact.id, false)) return;
    }
    this.deps.logger.error('agent could not be released from an ended contact', { contactId: contact.id });
  }

  // ---- AgentDesk: the agent's actions -----------------------------------------------------------------

  async setStatus(instanceIdOrArn: string, userId: string, agentStatusId: string): Promise<void> {
    const instance = await this.deps.resources.requireInstance(instanceIdOrArn);
    await this.#requireUser(instance.id, userId);
    const status = await this.deps.store.agentStatuses.get(instance.id, resourceIdFrom(agentStatusId));
    if (status === undefined) throw new ResourceNotFoundException(`Agent status not found: ${agentStatusId}`);
    if (status.state !== 'ENABLED') throw new InvalidRequestException(`Agent status ${status.name} is disabled.`);
    await this.#applyStatus(resourceIdFrom(userId), status);
  }

  async accept(instanceIdOrArn: string, userId: string, contactId: string): Promise<void> {
    const instance = await this.deps.resources.requireInstance(instanceIdOrArn);
    const user = await this.#requireUser(instance.id, userId);
    await this.#accept(user, contactId);
  }

  async reject(instanceIdOrArn: string, userId: string, contactId: string): Promise<void> {
    const instance = await this.deps.resources.requireInstance(instanceIdOrArn);
    const user = await this.#requireUser(instance.id, userId);
    const agent = await this.#requireAgent(user);
    if (agent.activity !== 'offered' || agent.contactId !== contactId) {
      throw new InvalidRequestException(`Contact ${contactId} is not offered to ${user.username}.`);
    }
    await this.#miss(agent, contactId, ['offered']);
    this.deps.logger.info('offer rejected', { contactId, userId: user.id });
  }

  async hangUp(instanceIdOrArn: string, userId: string, contactId: string): Promise<void> {
    const instance = await this.deps.resources.requireInstance(instanceIdOrArn);
    const user = await this.#requireUser(instance.id, userId);
    const agent = await this.#requireAgent(user);
    if (agent.contactId !== contactId || (agent.activity !== 'on-contact' && agent.activity !== 'connecting')) {
      throw new InvalidRequestException(`${user.username} is not on contact ${contactId}.`);
    }
    if (agent.activity === 'connecting') {
      // Hanging up before the phone answered gives the contact back to the queue.
      this.#requireCalls().dropAgent(contactId);
      return;
    }
    await this.#requireCalls().endByAgent(contactId);
  }

  async completeAfterContactWork(instanceIdOrArn: string, userId: string, contactId: string): Promise<void> {
    const instance = await this.deps.resources.requireInstance(instanceIdOrArn);
    const user = await this.#requireUser(instance.id, userId);
    const agent = await this.#requireAgent(user);
    if (agent.activity !== 'acw' || agent.contactId !== contactId) {
      throw new InvalidRequestException(`${user.username} is not in after-contact work on contact ${contactId}.`);
    }
    await this.#endAfterContactWork(agent);
  }

  // ---- Views ------------------------------------------------------------------------------------------

  async view(instanceIdOrArn: string, userId: string): Promise<AgentView> {
    const instance = await this.deps.resources.requireInstance(instanceIdOrArn);
    const user = await this.#requireUser(instance.id, userId);
    const agent = await this.#requireAgent(user);
    const { store, clock } = this.deps;
    const [profile, statuses, recent] = await Promise.all([
      store.routingProfiles.get(instance.id, user.routingProfileId),
      store.agentStatuses.list(instance.id, [], { limit: MAX_LISTED }),
      store.agents.recentContacts(user.id, RECENT_CONTACTS),
    ]);
    const byId = new Map(statuses.map((s) => [s.id, s]));
    const queueNames = new Map<string, string>();
    const queueName = async (queueId: string | null): Promise<string | null> => {
      if (queueId === null) return null;
      if (!queueNames.has(queueId)) {
        queueNames.set(queueId, (await store.queues.get(instance.id, queueId))?.name ?? queueId);
      }
      return queueNames.get(queueId) ?? null;
    };
    let contact: AgentContactView | null = null;
    const state = CONTACT_STATES[agent.activity]?.desk;
    if (agent.contactId !== null && state !== undefined) {
      const c = await store.contacts.get(instance.id, agent.contactId);
      if (c !== undefined) {
        contact = {
          contactId: c.id,
          state,
          customerNumber: c.customerNumber,
          queue: c.queueId === null ? null : { id: c.queueId, name: (await queueName(c.queueId)) ?? c.queueId },
          enqueuedAt: c.enqueuedAt,
          attributes: c.attributes,
          offerExpiresAt: agent.offerExpiresAt,
          connectedToAgentAt: c.agentConnectedAt,
          afterContactWorkEndsAt: agent.acwEndsAt,
        };
      }
    }
    const status = byId.get(agent.statusId);
    const next = agent.nextStatusId === null ? undefined : byId.get(agent.nextStatusId);
    return {
      user: {
        id: user.id,
        username: user.username,
        firstName: user.identityInfo.FirstName ?? null,
        lastName: user.identityInfo.LastName ?? null,
        instanceId: instance.id,
      },
      routingProfile: { id: user.routingProfileId, name: profile?.name ?? user.routingProfileId },
      status: { ...statusView(status, agent.statusId), since: agent.statusSince },
      nextStatus: next === undefined ? null : statusView(next, next.id),
      statuses: statuses.filter((s) => s.state === 'ENABLED').map((s) => statusView(s, s.id)),
      activity: agent.activity,
      activitySince: agent.activitySince,
      contact,
      recentContacts: await Promise.all(
        recent.map(async (c) => ({
          contactId: c.id,
          customerNumber: c.customerNumber,
          queueName: await queueName(c.queueId),
          connectedToAgentAt: c.agentConnectedAt,
          disconnectedAt: c.disconnectedAt,
          disconnectReason: c.disconnectReason,
        })),
      ),
      now: clock.now(),
    };
  }

  async supervisor(instanceIdOrArn: string): Promise<SupervisorView> {
    const instance = await this.deps.resources.requireInstance(instanceIdOrArn);
    const floor = await this.#floor(instance.id);
    const queued = await this.deps.store.agents.listWaiting(instance.id, MAX_LISTED);
    return {
      queues: [...floor.queues.values()].map((q) => {
        const counts = this.#agentCounts(floor, (agent) => this.#takes(floor, agent, q.id));
        return {
          id: q.id,
          name: q.name,
          waiting: queued
            .filter((c) => c.queueId === q.id)
            .map((c) => ({ contactId: c.id, customerNumber: c.customerNumber, enqueuedAt: c.enqueuedAt ?? c.lastUpdatedAt }))
            .sort((a, b) => a.enqueuedAt - b.enqueuedAt),
          agents: {
            online: counts.AGENTS_ONLINE,
            available: counts.AGENTS_AVAILABLE,
            onContact: counts.AGENTS_ON_CONTACT,
            afterContactWork: counts.AGENTS_AFTER_CONTACT_WORK,
          },
        };
      }),
      agents: floor.agents.flatMap((agent) => {
        const user = floor.users.get(agent.userId);
        if (user === undefined) return [];
        const name = [user.identityInfo.FirstName, user.identityInfo.LastName].filter(Boolean).join(' ');
        return [
          {
            userId: user.id,
            username: user.username,
            name: name === '' ? user.username : name,
            status: { ...statusView(floor.statuses.get(agent.statusId), agent.statusId), since: agent.statusSince },
            activity: agent.activity,
            activitySince: agent.activitySince,
            contactId: agent.contactId,
            routingProfileName: floor.profiles.get(user.routingProfileId)?.name ?? user.routingProfileId,
          },
        ];
      }),
      now: this.deps.clock.now(),
    };
  }

  // ---- The API's agent operations -----------------------------------------------------------------------

  /** GetCurrentUserData: agents matching every given filter, with their status and contact. */
  async currentUserData(instanceIdOrArn: string, query: CurrentUserDataQuery): Promise<CurrentUserData[]> {
    const instance = await this.deps.resources.requireInstance(instanceIdOrArn);
    const floor = await this.#floor(instance.id);
    const ids = (list: readonly string[] | undefined) => (list === undefined ? undefined : new Set(list.map(resourceIdFrom)));
    const [queues, profiles, users, statuses] = [ids(query.queueIds), ids(query.routingProfileIds), ids(query.userIds), ids(query.agentStatusIds)];
    const result: CurrentUserData[] = [];
    for (const agent of floor.agents) {
      const user = floor.users.get(agent.userId);
      if (user === undefined) continue;
      if (users !== undefined && !users.has(user.id)) continue;
      if (profiles !== undefined && !profiles.has(user.routingProfileId)) continue;
      if (statuses !== undefined && !statuses.has(agent.statusId)) continue;
      if (queues !== undefined && ![...queues].some((q) => this.#takes(floor, agent, q))) continue;
      const state = CONTACT_STATES[agent.activity]?.api;
      const record = agent.contactId === null || state === undefined ? undefined : await this.deps.store.contacts.get(instance.id, agent.contactId);
      const contact = record === undefined || state === undefined ? undefined : { record, state, since: agent.activitySince };
      if (query.contactStates !== undefined && (contact === undefined || !query.contactStates.includes(contact.state))) continue;
      result.push({
        user,
        routingProfile: floor.profiles.get(user.routingProfileId),
        agent,
        status: floor.statuses.get(agent.statusId),
        nextStatus: agent.nextStatusId === null ? undefined : floor.statuses.get(agent.nextStatusId),
        contact,
      });
    }
    return result;
  }

  /** GetCurrentMetricData: real-time counts of the instance's queues and agents, grouped as asked. */
  async currentMetricData(instanceIdOrArn: string, query: CurrentMetricQuery): Promise<{ at: number; results: CurrentMetricResult[] }> {
    const instance = await this.deps.resources.requireInstance(instanceIdOrArn);
    const now = this.deps.clock.now();
    if (query.channels !== undefined && !query.channels.includes('VOICE')) return { at: now, results: [] };
    const floor = await this.#floor(instance.id);
    const backlog = new Map((await this.deps.store.agents.backlog(instance.id)).map((b) => [b.queueId, b]));
    const queueFilter = query.queueIds?.map(resourceIdFrom);
    const profileFilter = query.routingProfileIds?.map(resourceIdFrom);
    for (const id of queueFilter ?? []) {
      if (!floor.queues.has(id)) throw new InvalidParameterException(`Queue not found: ${id}`);
    }
    let queueIds = queueFilter ?? [...floor.queues.keys()];
    if (profileFilter !== undefined) {
      const held = new Set(profileFilter.flatMap((p) => floor.profiles.get(p)?.queues.map((q) => q.queueId) ?? []));
      queueIds = queueIds.filter((q) => held.has(q));
    }
    const groups: { dimensions: CurrentMetricResult['dimensions']; queues: string[]; profile?: string }[] = [];
    const byQueue = query.groupings.includes('QUEUE');
    const byProfile = query.groupings.includes('ROUTING_PROFILE');
    const channel = query.groupings.includes('CHANNEL') ? { channel: 'VOICE' as const } : {};
    const profileIds = profileFilter ?? [...floor.profiles.keys()];
    for (const queueSet of byQueue ? queueIds.map((q) => [q]) : [queueIds]) {
      for (const profile of byProfile ? profileIds : [undefined]) {
        const queue = byQueue ? floor.queues.get(queueSet[0] ?? '') : undefined;
        const routingProfile = profile === undefined ? undefined : floor.profiles.get(profile);
        // A routing profile that takes none of the queues has nothing to report for them.
        if (byProfile && !queueSet.some((q) => routingProfile?.queues.some((rq) => rq.queueId === q) === true)) continue;
        groups.push({
          dimensions: { ...(queue !== undefined && { queue }), ...(routingProfile !== undefined && { routingProfile }), ...channel },
          queues: routingProfile === undefined ? queueSet : queueSet.filter((q) => routingProfile.queues.some((rq) => rq.queueId === q)),
          ...(profile !== undefined && { profile }),
        });
      }
    }
    const results = groups.map(({ dimensions, queues, profile }) => {
      const counts = this.#agentCounts(floor, (agent) => {
        if (profile !== undefined && floor.users.get(agent.userId)?.routingProfileId !== profile) return false;
        return queues.some((q) => this.#takes(floor, agent, q));
      });
      const waiting = queues.map((q) => backlog.get(q)).filter((b) => b !== undefined);
      const oldest = Math.min(...waiting.map((b) => b.oldestEnqueuedAt));
      const all: Record<CurrentMetricName, number> = {
        ...counts,
        CONTACTS_IN_QUEUE: waiting.reduce((sum, b) => sum + b.waiting, 0),
        OLDEST_CONTACT_AGE: waiting.length === 0 ? 0 : Math.max(0, Math.round((now - oldest) / 1000)),
        CONTACTS_SCHEDULED: 0,
      };
      return { dimensions, values: Object.fromEntries(query.metrics.map((m) => [m, all[m]])) };
    });
    return { at: now, results };
  }

  // ---- Routing --------------------------------------------------------------------------------------------

  /** Runs a round of offers for the instance; a request during a round runs one more after it. */
  #route(instanceId: string): void {
    if (this.#closed) return;
    const round = this.#rounds.get(instanceId);
    if (round !== undefined) {
      round.again = true;
      return;
    }
    const state = { running: Promise.resolve(), again: false };
    this.#rounds.set(instanceId, state);
    state.running = (async () => {
      do {
        state.again = false;
        try {
          await this.#dispatch(instanceId);
        } catch (error) {
          this.deps.logger.error('routing round failed', { instanceId, error: String(error) });
        }
      } while (state.again && !this.#closed);
      this.#rounds.delete(instanceId);
    })();
  }

  async #dispatch(instanceId: string): Promise<void> {
    const { store, clock, resources, nodeId, offerTimeoutMs } = this.deps;
    const now = clock.now();
    const [queues, hours] = await Promise.all([resources.listQueues(instanceId, [], { limit: MAX_LISTED }), resources.listHoursOfOperation(instanceId)]);
    const hoursById = new Map(hours.map((h) => [h.id, { timeZone: h.timeZone, config: h.config } as HoursOfOperation]));
    const open = queues
      .filter((q) => {
        const h = hoursById.get(q.hoursOfOperationId);
        return q.status === 'ENABLED' && (h === undefined || isOpen(h, now));
      })
      .map((q) => q.id);
    const offers = await store.agents.offer(instanceId, nodeId, now, now + offerTimeoutMs, open);
    if (offers.length === 0) return;
    this.#changed(instanceId);
    this.#schedule();
    for (const offer of offers) {
      this.deps.logger.info('contact offered', { contactId: offer.contactId, userId: offer.userId });
      const user = await store.users.get(instanceId, offer.userId);
      if (user?.phoneConfig.autoAccept === true) {
        await this.#accept(user, offer.contactId).catch((error: unknown) =>
          this.deps.logger.warn('auto-accept failed', { contactId: offer.contactId, error: String(error) }),
        );
      }
    }
  }

  async #accept(user: UserRecord, contactId: string): Promise<void> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const agent = await store.agents.update(user.id, ['offered'], { activity: 'connecting', activitySince: now, offerExpiresAt: null }, contactId);
    if (agent === undefined) throw new InvalidRequestException(`Contact ${contactId} is not offered to ${user.username}.`);
    this.#changed(user.instanceId);
    const phone: AgentPhone = {
      userId: user.id,
      username: user.username,
      ...(user.phoneConfig.phoneType === 'DESK_PHONE' && user.phoneConfig.deskPhoneNumber !== null && { deskPhoneNumber: user.phoneConfig.deskPhoneNumber }),
    };
    if (!this.#requireCalls().connectAgent(contactId, phone)) {
      // The contact's call is gone (it ended as the offer was accepted): nothing to connect to.
      await this.#free(agent, ['connecting'], contactId, false);
      throw new InvalidRequestException(`Contact ${contactId} has ended.`);
    }
    this.deps.logger.info('offer accepted', { contactId, userId: user.id });
  }

  /** The agent missed or refused the contact: the agent is not routable until they set a status, and the contact waits first in line. */
  async #miss(agent: AgentRecord, contactId: string, from: readonly AgentActivity[]): Promise<void> {
    const now = this.deps.clock.now();
    const missed = await this.deps.store.agents.update(
      agent.userId,
      from,
      { activity: 'missed', activitySince: now, contactId: null, offerExpiresAt: null },
      contactId,
      { applyNextStatus: true },
    );
    if (missed === undefined) return;
    await this.deps.store.agents.moveToQueueHead(contactId);
    this.deps.logger.info('offer missed', { contactId, userId: agent.userId });
    this.#changed(agent.instanceId);
    this.#route(agent.instanceId);
  }

  /**
   * Makes a busy agent free: their next status applies, and they are offered contacts again. False when the
   * agent was no longer in one of `from` (another change won).
   */
  async #free(agent: AgentRecord, from: readonly AgentActivity[], contactId?: string, resetIdle = true): Promise<boolean> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const freed = await store.agents.update(
      agent.userId,
      from,
      { activity: 'idle', activitySince: now, contactId: null, offerExpiresAt: null, acwEndsAt: null, ...(resetIdle && { idleSince: now }) },
      contactId,
      { applyNextStatus: true },
    );
    if (freed === undefined) return false;
    this.#changed(agent.instanceId);
    this.#route(agent.instanceId);
    return true;
  }

  async #endAfterContactWork(agent: AgentRecord): Promise<void> {
    const contactId = agent.contactId;
    if (contactId === null) return;
    const now = this.deps.clock.now();
    if (!(await this.#free(agent, ['acw'], contactId))) return;
    await this.deps.store.contacts.recordAfterContactWork(contactId, { acwEndedAt: now }, now, this.deps.events.ifAnyWanted(this.deps.events.completed));
  }

  async #applyStatus(userId: string, status: AgentStatusRecord): Promise<void> {
    const { store, clock } = this.deps;
    // Each write is guarded by the activity it read; when the agent moved on meanwhile, read again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = clock.now();
      const agent = await store.agents.get(userId);
      if (agent === undefined) throw new ResourceNotFoundException(`User not found: ${userId}`);
      let applied: AgentRecord | undefined;
      if (BUSY.includes(agent.activity)) {
        // Connect applies a status chosen during a contact once the agent is free; choosing the current one cancels it.
        const next = status.id === agent.statusId ? null : status.id;
        applied = await store.agents.update(userId, [agent.activity], { nextStatusId: next }, agent.contactId);
      } else {
        const routable = status.type === 'ROUTABLE';
        applied = await store.agents.update(
          userId,
          [agent.activity],
          {
            statusId: status.id,
            statusSince: status.id === agent.statusId && agent.activity === 'idle' ? agent.statusSince : now,
            nextStatusId: null,
            activity: 'idle',
            activitySince: now,
            ...(routable && (agent.activity === 'missed' || status.id !== agent.statusId) && { idleSince: now }),
          },
          null,
        );
      }
      if (applied === undefined) continue;
      this.#changed(agent.instanceId);
      this.#route(agent.instanceId);
      return;
    }
    throw new InvalidRequestException('The agent changed state while the status was being set; try again.');
  }

  // ---- The tick -----------------------------------------------------------------------------------------

  #schedule(): void {
    if (this.#tick !== undefined || this.#closed) return;
    this.#tick = this.deps.clock.setTimer(TICK_MS, () => {
      this.#tick = undefined;
      void this.#onTick();
    });
  }

  async #onTick(): Promise<void> {
    const { store, clock, nodeId, logger } = this.deps;
    let pending: boolean;
    try {
      const now = clock.now();
      for (const agent of await store.agents.listExpiredOffers(now)) {
        if (agent.contactId !== null) await this.#miss(agent, agent.contactId, ['offered']);
      }
      for (const agent of await store.agents.listAcwDue(now)) await this.#endAfterContactWork(agent);
      const instances = await store.agents.instancesWithWaitingContacts(nodeId);
      for (const instanceId of instances) this.#route(instanceId);
      pending = instances.length > 0 || (await this.#anyTimed());
    } catch (error) {
      logger.error('routing tick failed', { error: String(error) });
      pending = true;
    }
    if (pending) this.#schedule();
  }

  /** Whether any offer or after-contact work may still expire. */
  async #anyTimed(): Promise<boolean> {
    const far = Number.MAX_SAFE_INTEGER;
    const [offers, acw] = await Promise.all([this.deps.store.agents.listExpiredOffers(far), this.deps.store.agents.listAcwDue(far)]);
    return offers.length > 0 || acw.length > 0;
  }

  // ---- Helpers -----------------------------------------------------------------------------------------

  #changed(instanceId: string): void {
    for (const listener of this.#listeners) {
      try {
        listener(instanceId);
      } catch (error) {
        this.deps.logger.warn('agent change listener failed', { error: String(error) });
      }
    }
  }

  #requireCalls(): AgentCalls {
    if (this.#calls === undefined) throw new Error('AgentService used before attach()');
    return this.#calls;
  }

  async #requireUser(instanceId: string, userIdOrArn: string): Promise<UserRecord> {
    const user = await this.deps.store.users.get(instanceId, resourceIdFrom(userIdOrArn));
    if (user === undefined) throw new ResourceNotFoundException(`User not found: ${userIdOrArn}`);
    return user;
  }

  async #requireAgent(user: UserRecord): Promise<AgentRecord> {
    const agent = await this.deps.store.agents.get(user.id);
    if (agent === undefined) throw new ResourceNotFoundException(`User not found: ${user.id}`);
    return agent;
  }

  async #floor(instanceId: string): Promise<Floor> {
    const { store } = this.deps;
    const page = { limit: MAX_LISTED };
    const [agents, users, profiles, statuses, queues] = await Promise.all([
      store.agents.listInInstance(instanceId),
      store.users.list(instanceId, page),
      store.routingProfiles.list(instanceId, page),
      store.agentStatuses.list(instanceId, [], page),
      store.queues.list(instanceId, [], page),
    ]);
    return {
      agents,
      users: new Map(users.map((u) => [u.id, u])),
      profiles: new Map(profiles.map((p) => [p.id, p])),
      statuses: new Map(statuses.map((s) => [s.id, s])),
      queues: new Map(queues.map((q) => [q.id, q])),
    };
  }

  /** Whether the agent's routing profile takes voice contacts from the queue. */
  #takes(floor: Floor, agent: AgentRecord, queueId: string): boolean {
    const user = floor.users.get(agent.userId);
    const profile = user === undefined ? undefined : floor.profiles.get(user.routingProfileId);
    return profile?.queues.some((q) => q.queueId === queueId && q.channel === 'VOICE') === true;
  }

  #agentCounts(floor: Floor, include: (agent: AgentRecord) => boolean): Record<Exclude<CurrentMetricName, 'CONTACTS_IN_QUEUE' | 'OLDEST_CONTACT_AGE' | 'CONTACTS_SCHEDULED'>, number> {
    const counts = {
      AGENTS_ONLINE: 0,
      AGENTS_AVAILABLE: 0,
      AGENTS_ON_CALL: 0,
      AGENTS_NON_PRODUCTIVE: 0,
      AGENTS_AFTER_CONTACT_WORK: 0,
      AGENTS_ERROR: 0,
      AGENTS_STAFFED: 0,
      AGENTS_ON_CONTACT: 0,
      SLOTS_ACTIVE: 0,
      SLOTS_AVAILABLE: 0,
    };
    for (const agent of floor.agents) {
      if (!include(agent)) continue;
      const type = floor.statuses.get(agent.statusId)?.type ?? 'OFFLINE';
      const holding = agent.activity !== 'idle' && agent.activity !== 'missed';
      // An agent who went Offline during a contact stays online until it is over.
      if (type === 'OFFLINE' && !holding) continue;
      counts.AGENTS_ONLINE++;
      counts.AGENTS_STAFFED++;
      // Connect's active slots are connected, ringing out or in after-contact work; an offer still rings.
      if (holding && agent.activity !== 'offered') counts.SLOTS_ACTIVE++;
      if (agent.activity === 'on-contact' || agent.activity === 'connecting') {
        counts.AGENTS_ON_CALL++;
        counts.AGENTS_ON_CONTACT++;
      } else if (agent.activity === 'acw') counts.AGENTS_AFTER_CONTACT_WORK++;
      else if (agent.activity === 'missed') counts.AGENTS_ERROR++;
      else if (agent.activity === 'idle' && type === 'ROUTABLE') {
        counts.AGENTS_AVAILABLE++;
        counts.SLOTS_AVAILABLE++;
      } else if (agent.activity === 'idle' && type === 'CUSTOM') counts.AGENTS_NON_PRODUCTIVE++;
    }
    return counts;
  }
}

function statusView(status: AgentStatusRecord | undefined, id: string): AgentStatusView {
  return { id, name: status?.name ?? id, type: status?.type ?? 'OFFLINE' };
}
