/**
 * Routing queued contacts to agents, through the API and the simulated network in virtual time: who is
 * offered what (longest idle first, queue priority and delay, hours), offers that are missed or rejected,
 * accept → the agent's leg → CONNECTED_TO_AGENT, hang-ups from either side, after-contact work, status
 * changes while busy, exclusivity under concurrency, and the real-time metrics.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { describeContact, label, ok, ops, startCall } from '../../helpers/connect.js';
import { flowOf, queueFlow, say } from '../../helpers/flow-fixtures.js';
import { parsePrometheus, sampleValue } from '../../helpers/prometheus.js';
import { DEMO, startTestApp, type ApiRequest, type TestApp } from '../../helpers/test-app.js';
import type { Clock } from '../../../src/shared/clock.js';
import type { AgentDialRequest, Call, CallListener, Carrier, DialRequest } from '../../../src/telephony/carrier.js';
import { SimulatedNetwork } from '../../../src/telephony/sim/simulated-network.js';
import type { CalleeScript } from '../../../src/telephony/sim/callee-script.js';

/** The simulated network, noting what each leg was played and when legs were bridged. */
class ListeningCarrier implements Carrier {
  readonly heard: { leg: 'customer' | 'agent'; text: string; musicSeconds?: number; at: number }[] = [];
  readonly bridges: number[] = [];
  readonly #network: SimulatedNetwork;

  constructor(private readonly clock: Clock, scripts: readonly CalleeScript[]) {
    this.#network = new SimulatedNetwork(clock, scripts);
  }

  dial(request: DialRequest, listener: CallListener): Call {
    return this.#listen('customer', this.#network.dial(request, listener));
  }

  dialAgent(request: AgentDialRequest, listener: CallListener): Call {
    return this.#listen('agent', this.#network.dialAgent(request, listener));
  }

  close(): Promise<void> {
    return this.#network.close();
  }

  #listen(leg: 'customer' | 'agent', call: Call): Call {
    return {
      play: (prompt) => {
        this.heard.push({ leg, text: prompt.text, ...(prompt.music !== undefined && { musicSeconds: prompt.music.seconds }), at: this.clock.now() });
        call.play(prompt);
      },
      record: (enabled) => call.record(enabled),
      hangUp: () => call.hangUp(),
      bridge: (peer) => {
        this.bridges.push(this.clock.now());
        call.bridge(peer);
      },
    };
  }
}

const I = DEMO.instanceId;
/** A demo-network number with no script: rings briefly, answers, stays on the line. */
const CUSTOMER = '+12065550123';

const req = {
  createRoutingProfile: (body: Record<string, unknown>): ApiRequest => ({
    method: 'PUT',
    path: `/routing-profiles/${label(I)}`,
    body: { Description: 'test', MediaConcurrencies: [{ Channel: 'VOICE', Concurrency: 1 }], ...body },
  }),
  createUser: (body: Record<string, unknown>): ApiRequest => ({
    method: 'PUT',
    path: `/users/${label(I)}`,
    body: { Password: 'Passw0rd-Test', IdentityInfo: { FirstName: 'Test', LastName: 'Agent' }, SecurityProfileIds: ['00000000-0000-4000-a000-0000000000aa'], ...body },
  }),
  putUserStatus: (userId: string, statusId: string): ApiRequest => ({
    method: 'PUT',
    path: `/users/${label(I)}/${label(userId)}/status`,
    body: { AgentStatusId: statusId },
  }),
  listAgentStatuses: (): ApiRequest => ({ method: 'GET', path: `/agent-status/${label(I)}` }),
  currentUserData: (filters: Record<string, unknown>): ApiRequest => ({
    method: 'POST',
    path: `/metrics/userdata/${label(I)}`,
    body: { Filters: filters },
  }),
  currentMetricData: (body: Record<string, unknown>): ApiRequest => ({ method: 'POST', path: `/metrics/current/${label(I)}`, body }),
  createQueue: (name: string, extra: Record<string, unknown> = {}): ApiRequest => ({
    method: 'PUT',
    path: `/queues/${label(I)}`,
    body: { Name: name, HoursOfOperationId: DEMO.hoursId, ...extra },
  }),
};

describe('routing queued contacts to agents', () => {
  let app: TestApp;
  afterEach(() => app.close());

  async function start(overrides: Record<string, unknown> = {}): Promise<void> {
    app = await startTestApp(overrides);
  }

  async function statusId(name: string): Promise<string> {
    const list = ok(await app.request(req.listAgentStatuses())).AgentStatusSummaryList as { Id: string; Name: string }[];
    const found = list.find((s) => s.Name === name);
    assert.ok(found, `status ${name} in ${JSON.stringify(list)}`);
    return found.Id;
  }

  async function flowTo(queueId: string = DEMO.queueId): Promise<string> {
    const content = JSON.parse(JSON.stringify(queueFlow()).replaceAll(DEMO.queueId, queueId)) as object;
    const created = ok(
      await app.request(ops.createContactFlow(I, { Name: `queue-${queueId}-${Math.random()}`, Content: JSON.stringify(content) })),
    );
    return created.ContactFlowId as string;
  }

  async function queuedCall(queueId: string = DEMO.queueId, flowId?: string): Promise<string> {
    const id = await startCall(app, CUSTOMER, { ContactFlowId: flowId ?? (await flowTo(queueId)) });
    await app.advance(5_000);
    assert.equal(await stateOf(id), 'QUEUED');
    return id;
  }

  async function profile(name: string, queues: { id: string; priority?: number; delay?: number }[]): Promise<string> {
    const created = ok(
      await app.request(
        req.createRoutingProfile({
          Name: name,
          DefaultOutboundQueueId: queues[0]?.id ?? DEMO.queueId,
          QueueConfigs: queues.map((q) => ({
            QueueReference: { QueueId: q.id, Channel: 'VOICE' },
            Priority: q.priority ?? 1,
            Delay: q.delay ?? 0,
          })),
        }),
      ),
    );
    return created.RoutingProfileId as string;
  }

  async function agent(username: string, routingProfileId: string = DEMO.routingProfileId, phone: Record<string, unknown> = {}): Promise<string> {
    const created = ok(
      await app.request(
        req.createUser({
          Username: username,
          RoutingProfileId: routingProfileId,
          PhoneConfig: { PhoneType: 'SOFT_PHONE', AutoAccept: false, AfterContactWorkTimeLimit: 30, ...phone },
        }),
      ),
    );
    return created.UserId as string;
  }

  async function available(userId: string): Promise<void> {
    ok(await app.request(req.putUserStatus(userId, await statusId('Available'))));
    await app.settle();
  }

  const view = (userId: string) => app.outdial.agents.view(I, userId);
  /** The contact's state as outdial keeps it (Connect's Contact shape has no state member). */
  const stateOf = async (contactId: string) => (await app.outdial.contacts.describe(I, contactId)).state;

  it('offers a queued contact to the Available agent; accept connects the agent and DescribeContact shows agent and queue', async () => {
    await start();
    const contactId = await queuedCall();
    assert.equal((await view(DEMO.agentUserId)).contact, null, 'an Offline agent is offered nothing');

    await available(DEMO.agentUserId);
    const offered = await view(DEMO.agentUserId);
    assert.equal(offered.activity, 'offered');
    assert.equal(offered.contact?.contactId, contactId);
    assert.equal(offered.contact?.state, 'incoming');
    assert.equal(offered.contact?.customerNumber, CUSTOMER);
    assert.equal(offered.contact?.queue?.id, DEMO.queueId);

    const scraped = parsePrometheus((await app.unsigned({ method: 'GET', path: '/metrics' })).text);
    assert.equal(sampleValue(scraped, 'outdial_agents', { activity: 'offered' }), 1);
    assert.equal(sampleValue(scraped, 'outdial_agents', { activity: 'idle' }), 0);

    const incoming = ok(await app.request(req.currentUserData({ Agents: [DEMO.agentUserId] }))).UserDataList;
    assert.equal(incoming[0].Contacts[0].AgentContactState, 'INCOMING');
    assert.equal(incoming[0].Status.StatusName, 'Available');

    await app.outdial.agents.accept(I, DEMO.agentUserId, contactId);
    await app.advance(3_000);
    assert.equal(await stateOf(contactId), 'CONNECTED_TO_AGENT');
    const contact = await describeContact(app, contactId);
    assert.equal(contact.AgentInfo.Id, DEMO.agentUserId);
    assert.equal(typeof contact.AgentInfo.ConnectedToAgentTimestamp, 'number');
    assert.equal(contact.QueueInfo.Id, DEMO.queueId);
    assert.equal(typeof contact.QueueInfo.EnqueueTimestamp, 'number');
    assert.equal((await view(DEMO.agentUserId)).contact?.state, 'connected');

    await app.outdial.agents.hangUp(I, DEMO.agentUserId, contactId);
    await app.settle();
    assert.equal(await stateOf(contactId), 'DISCONNECTED');
    const ended = await describeContact(app, contactId);
    assert.equal(ended.DisconnectReason, 'AGENT_DISCONNECT');
    const acw = await view(DEMO.agentUserId);
    assert.equal(acw.activity, 'acw');
    assert.equal(acw.contact?.state, 'after-contact-work');
    assert.equal(acw.contact?.afterContactWorkEndsAt, app.clock.now() + 30_000);
    assert.equal(app.activeCalls(), 0, 'both legs hung up');

    await app.advance(31_000);
    const free = await view(DEMO.agentUserId);
    assert.equal(free.activity, 'idle');
    assert.equal(free.contact, null);
    assert.equal(free.recentContacts[0]?.contactId, contactId);
    const done = await describeContact(app, contactId);
    assert.equal(typeof done.AgentInfo.AfterContactWorkStartTimestamp, 'number');
    assert.equal(done.AgentInfo.AfterContactWorkEndTimestamp - done.AgentInfo.AfterContactWorkStartTimestamp, 30);
    const found = ok(
      await app.request({
        method: 'POST',
        path: '/search-contacts',
        body: {
          InstanceId: I,
          TimeRange: { Type: 'CONNECTED_TO_AGENT_TIMESTAMP', StartTime: 0, EndTime: app.clock.now() / 1000 + 1 },
          SearchCriteria: { AgentIds: [DEMO.agentUserId] },
        },
      }),
    );
    assert.deepEqual(
      (found.Contacts as { Id: string; AgentInfo: { Id: string } }[]).map((c) => [c.Id, c.AgentInfo.Id]),
      [[contactId, DEMO.agentUserId]],
    );
  });

  it('the customer hanging up ends the contact as CUSTOMER_DISCONNECT and puts the agent in after-contact work until Done', async () => {
    await start();
    const user = await agent('acw-unlimited', DEMO.routingProfileId, { AfterContactWorkTimeLimit: 0, AutoAccept: true });
    await available(user);
    // The demo number that hangs up 10 s after answering.
    const contactId = await startCall(app, '+12065550102', { ContactFlowId: await flowTo() });
    await app.advance(4_000);
    assert.equal(await stateOf(contactId), 'CONNECTED_TO_AGENT', 'auto-accept connected it');
    await app.advance(10_000);
    assert.equal((await describeContact(app, contactId)).DisconnectReason, 'CUSTOMER_DISCONNECT');
    await app.advance(120_000);
    const acw = await view(user);
    assert.equal(acw.activity, 'acw', 'no limit: after-contact work lasts until the agent is done');
    assert.equal(acw.contact?.afterContactWorkEndsAt, null);
    await app.outdial.agents.completeAfterContactWork(I, user, contactId);
    assert.equal((await view(user)).activity, 'idle');
  });

  it('plays the customer queue flow while waiting, then each whisper to its party, and bridges after both', async () => {
    let carrier: ListeningCarrier | undefined;
    app = await startTestApp({}, { carrier: (clock, config) => (carrier = new ListeningCarrier(clock, config.callees)) });
    const create = async (name: string, type: string, content: object) =>
      ok(await app.request(ops.createContactFlow(I, { Name: name, Type: type, Content: JSON.stringify(content) }))).ContactFlowId as string;
    const end = { Identifier: 'end', Type: 'EndFlowExecution', Parameters: {}, Transitions: {} };
    const waiting = await create('waiting', 'CUSTOMER_QUEUE', flowOf('music', [say('music', 'Please keep holding the line', 'music')]));
    const toAgent = await create('to agent', 'AGENT_WHISPER', { ...flowOf('w', [say('w', 'Billing customer', 'end')]), Actions: [say('w', 'Billing customer', 'end'), end] });
    const toCustomer = await create('to customer', 'CUSTOMER_WHISPER', { ...flowOf('w', []), Actions: [say('w', 'Connecting you now', 'end'), end] });
    const hook = (id: string, name: string, flowId: string, next: string) => ({
      Identifier: id,
      Type: 'UpdateContactEventHooks',
      Parameters: { EventHooks: { [name]: flowId } },
      Transitions: { NextAction: next, Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'bye' }] },
    });
    const queued = queueFlow() as { Actions: object[] };
    const main = await create('with hooks', 'CONTACT_FLOW', {
      ...queued,
      StartAction: 'h1',
      Actions: [hook('h1', 'CustomerQueue', waiting, 'h2'), hook('h2', 'AgentWhisper', toAgent, 'h3'), hook('h3', 'CustomerWhisper', toCustomer, 'target'), ...queued.Actions],
    });
    const contactId = await startCall(app, CUSTOMER, { ContactFlowId: main });
    await app.advance(20_000);
    const heard = carrier?.heard ?? [];
    assert.ok(heard.filter((h) => h.leg === 'customer' && h.text === 'Please keep holding the line').length >= 2, JSON.stringify(heard));

    const user = await agent('whispered', DEMO.routingProfileId, { AutoAccept: true });
    await available(user);
    await app.advance(1_500);
    assert.equal(await stateOf(contactId), 'CONNECTED_TO_AGENT');
    assert.deepEqual(
      heard.slice(-2).map((h) => [h.leg, h.text]).sort(),
      [
        ['agent', 'Billing customer'],
        ['customer', 'Connecting you now'],
      ],
    );
    assert.equal(carrier?.bridges.length, 0, 'not bridged while the whispers play');
    await app.advance(5_000);
    assert.equal(carrier?.bridges.length, 1);
    const holds = heard.filter((h) => h.text === 'Please keep holding the line').length;
    await app.advance(20_000);
    assert.equal(heard.filter((h) => h.text === 'Please keep holding the line').length, holds, 'the queue flow stopped');
  });

  it('without a queue flow, the customer hears the default hold loop (message, 20 s of music, message…) until the agent answers', async () => {
    let carrier: ListeningCarrier | undefined;
    app = await startTestApp({}, { carrier: (clock, config) => (carrier = new ListeningCarrier(clock, config.callees)) });
    const contactId = await queuedCall();
    await app.advance(35_000);
    const customer = (carrier?.heard ?? []).filter((h) => h.leg === 'customer');
    assert.ok(customer.length >= 3, `${customer.length} prompts`);
    const [message, music, again] = customer;
    assert.match(message!.text, /Thank you for waiting/);
    assert.equal(music!.musicSeconds, 20);
    assert.equal(music!.text, '');
    assert.equal(again!.text, message!.text, 'the message comes back after the music');
    assert.equal(again!.at - music!.at, 20_000, 'the music plays for 20 s');
    ok(await app.request(ops.stopContact(contactId)));
  });

  it('offers to the longest-idle agent first, one contact per agent', async () => {
    await start();
    const first = await agent('first');
    const second = await agent('second');
    await available(first);
    await app.advance(1_000);
    await available(second);
    const a = await queuedCall();
    assert.equal((await view(first)).contact?.contactId, a);
    assert.equal((await view(second)).contact, null);
    const b = await queuedCall();
    assert.equal((await view(second)).contact?.contactId, b);
  });

  it('an agent takes the higher-priority queue first, then the oldest contact; a queue delay holds contacts back', async () => {
    await start();
    const low = ok(await app.request(req.createQueue('low'))).QueueId as string;
    const high = ok(await app.request(req.createQueue('high'))).QueueId as string;
    const late = ok(await app.request(req.createQueue('late'))).QueueId as string;
    const routing = await profile('prioritised', [
      { id: high, priority: 1 },
      { id: low, priority: 2 },
      { id: late, priority: 1, delay: 30 },
    ]);
    const user = await agent('prioritised', routing);
    const inLate = await queuedCall(late);
    const oldLow = await queuedCall(low);
    const youngHigh = await queuedCall(high);
    await available(user);
    assert.equal((await view(user)).contact?.contactId, youngHigh, 'priority 1 before priority 2, though younger');
    await app.outdial.agents.reject(I, user, youngHigh);
    assert.equal((await view(user)).activity, 'missed');
    await available(user);
    assert.equal((await view(user)).contact?.contactId, youngHigh, 'a rejected contact waits first in line');
    await app.outdial.agents.reject(I, user, youngHigh);
    ok(await app.request(ops.stopContact(youngHigh)));
    await available(user);
    assert.equal((await view(user)).contact?.contactId, oldLow, 'the delayed queue waits 30 s; the low one is next');
    ok(await app.request(ops.stopContact(oldLow)));
    await app.settle();
    const waiting = await view(user);
    assert.equal(waiting.activity, 'idle', 'the customer left before the agent took it');
    assert.equal(waiting.contact, null);
    await app.advance(30_000);
    assert.equal((await view(user)).contact?.contactId, inLate, 'offered once it has waited its delay');
  });

  it('holds contacts of a queue outside its hours of operation until it opens', async () => {
    await start();
    const at = new Date(app.clock.now());
    const day = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'][at.getUTCDay()];
    // Opens ten minutes from now (the virtual clock starts on the hour), for ten minutes.
    const hours = ok(
      await app.request(
        ops.createHoursOfOperation(I, {
          Name: 'later',
          Config: [{ Day: day, StartTime: { Hours: at.getUTCHours(), Minutes: 10 }, EndTime: { Hours: at.getUTCHours(), Minutes: 20 } }],
        }),
      ),
    ).HoursOfOperationId as string;
    const closed = ok(await app.request(req.createQueue('closed for now', { HoursOfOperationId: hours }))).QueueId as string;
    const user = await agent('patient', await profile('closed queue', [{ id: closed }]));
    await available(user);
    const contactId = await queuedCall(closed);
    await app.advance(60_000);
    assert.equal((await view(user)).contact, null, 'not offered while the queue is closed');
    await app.advance(9 * 60_000);
    assert.equal((await view(user)).contact?.contactId, contactId, 'offered once it opens');
  });

  it('an unanswered offer is missed after the offer timeout and the contact goes to the next agent', async () => {
    await start({ routing: { offerTimeoutSeconds: 10 } });
    const sleepy = await agent('sleepy');
    const awake = await agent('awake');
    await available(sleepy);
    await app.advance(1_000);
    await available(awake);
    const contactId = await queuedCall();
    assert.equal((await view(sleepy)).contact?.contactId, contactId);
    await app.advance(11_000);
    assert.equal((await view(sleepy)).activity, 'missed');
    assert.equal((await view(awake)).contact?.contactId, contactId);
    const metrics = ok(
      await app.request(
        req.currentMetricData({
          Filters: { Queues: [DEMO.queueId], Channels: ['VOICE'] },
          Groupings: ['QUEUE'],
          CurrentMetrics: [
            { Name: 'AGENTS_ERROR', Unit: 'COUNT' },
            { Name: 'CONTACTS_IN_QUEUE', Unit: 'COUNT' },
            { Name: 'OLDEST_CONTACT_AGE', Unit: 'SECONDS' },
            { Name: 'AGENTS_ONLINE', Unit: 'COUNT' },
          ],
        }),
      ),
    );
    const collections = metrics.MetricResults[0].Collections as { Metric: { Name: string }; Value: number }[];
    const values = Object.fromEntries(collections.map((c) => [c.Metric.Name, c.Value]));
    assert.equal(metrics.MetricResults[0].Dimensions.Queue.Id, DEMO.queueId);
    const waited = Math.round(app.clock.now() / 1000 - (await describeContact(app, contactId)).QueueInfo.EnqueueTimestamp);
    assert.ok(waited > 10);
    assert.deepEqual(values, { AGENTS_ERROR: 1, CONTACTS_IN_QUEUE: 1, OLDEST_CONTACT_AGE: waited, AGENTS_ONLINE: 2 });
  });

  it('a status chosen on a contact applies after it; Offline agents are not routed', async () => {
    await start();
    const user = await agent('leaving', DEMO.routingProfileId, { AutoAccept: true, AfterContactWorkTimeLimit: 5 });
    await available(user);
    const contactId = await startCall(app, CUSTOMER, { ContactFlowId: await flowTo() });
    await app.advance(6_000);
    assert.equal(await stateOf(contactId), 'CONNECTED_TO_AGENT');
    ok(await app.request(req.putUserStatus(user, await statusId('Offline'))));
    const data = ok(await app.request(req.currentUserData({ Agents: [user] }))).UserDataList[0];
    assert.equal(data.NextStatus, 'Offline');
    assert.equal(data.Status.StatusName, 'Available');
    assert.equal(data.Contacts[0].AgentContactState, 'CONNECTED');
    await app.outdial.agents.hangUp(I, user, contactId);
    await app.advance(6_000);
    const after = await view(user);
    assert.equal(after.status.name, 'Offline');
    assert.equal(after.nextStatus, null);
    await queuedCall();
    assert.equal((await view(user)).contact, null);
  });

  it('after a crash, the next start frees the agents whose contacts died with the process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outdial-routing-'));
    const db = join(dir, 'outdial.db');
    try {
      const crashed = await startTestApp({}, { db });
      app = crashed;
      const talking = await agent('talking', DEMO.routingProfileId, { AutoAccept: true, AfterContactWorkTimeLimit: 0 });
      const ringing = await agent('ringing');
      await available(talking);
      const first = await startCall(app, CUSTOMER, { ContactFlowId: await flowTo() });
      await app.advance(6_000);
      assert.equal(await stateOf(first), 'CONNECTED_TO_AGENT');
      await available(ringing);
      const second = await queuedCall();
      assert.equal((await view(talking)).contact?.state, 'connected');
      assert.equal((await view(ringing)).contact?.contactId, second);

      // The process dies without closing: a second one opens the same database, as after a crash.
      app = await startTestApp({}, { db, clock: crashed.clock });
      assert.equal((await view(ringing)).activity, 'idle', 'the offer went with the contact');
      const after = await view(talking);
      assert.equal(after.activity, 'acw', 'the talk ended: after-contact work');
      for (const id of [first, second]) assert.equal(await stateOf(id), 'DISCONNECTED');
      await app.close();
      app = crashed;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps an agent phone answering as the ring timeout fires connected', async () => {
    // The simulated agent answers after 1 s, exactly when this ring timeout fires.
    await start({ routing: { agentRingTimeoutSeconds: 1 } });
    const user = await agent('just-in-time', DEMO.routingProfileId, { AutoAccept: true });
    await available(user);
    const contactId = await startCall(app, CUSTOMER, { ContactFlowId: await flowTo() });
    await app.advance(10_000);
    assert.equal(await stateOf(contactId), 'CONNECTED_TO_AGENT');
    assert.equal((await view(user)).activity, 'on-contact');
  });

  it('ends after-contact work once when Done races itself, and a status chosen meanwhile still applies', async () => {
    await start();
    const user = await agent('double-done', DEMO.routingProfileId, { AutoAccept: true, AfterContactWorkTimeLimit: 0 });
    await available(user);
    const contactId = await startCall(app, CUSTOMER, { ContactFlowId: await flowTo() });
    await app.advance(6_000);
    await app.outdial.agents.hangUp(I, user, contactId);
    await app.settle();
    const before = await app.outdial.contacts.describe(I, contactId);
    const offline = await statusId('Offline');
    await Promise.allSettled([
      app.outdial.agents.completeAfterContactWork(I, user, contactId),
      app.outdial.agents.completeAfterContactWork(I, user, contactId),
      app.outdial.agents.setStatus(I, user, offline),
    ]);
    await app.settle();
    const after = await app.outdial.contacts.describe(I, contactId);
    assert.equal(after.revision, before.revision + 1, 'one end of after-contact work was recorded');
    const agentView = await view(user);
    assert.equal(agentView.activity, 'idle');
    assert.equal(agentView.status.name, 'Offline');
    assert.equal(agentView.nextStatus, null);
  });

  it('keeps offers exclusive when many contacts queue while many agents change status at once', async () => {
    await start();
    const users = await Promise.all(Array.from({ length: 12 }, (_, n) => agent(`crowd-${n}`)));
    const flowId = await flowTo();
    const contacts = await Promise.all(Array.from({ length: 20 }, () => startCall(app, CUSTOMER, { ContactFlowId: flowId })));
    const availableId = await statusId('Available');
    await Promise.all([app.advance(5_000), ...users.map((u) => app.request(req.putUserStatus(u, availableId)))]);
    await app.settle();
    const views = await Promise.all(users.map(view));
    const held = views.map((v) => v.contact?.contactId).filter((c) => c !== undefined);
    assert.equal(held.length, 12, 'every agent got one');
    assert.equal(new Set(held).size, 12, 'no contact went to two agents');
    for (const c of held) assert.ok(contacts.includes(c));
    await Promise.all(views.map((v) => app.outdial.agents.accept(I, v.user.id, v.contact?.contactId ?? '')));
    await app.advance(3_000);
    const states = await Promise.all(contacts.map(async (c) => await stateOf(c) as string));
    assert.equal(states.filter((s) => s === 'CONNECTED_TO_AGENT').length, 12);
    assert.equal(states.filter((s) => s === 'QUEUED').length, 8);
  });
});
