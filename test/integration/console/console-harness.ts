/**
 * The console on its own, for the integration tier: the console plugin on a Fastify app shaped like the API
 * server's (raw-byte bodies), a migrated in-memory SQLite store for sessions and failure counters, users held
 * in memory with real scrypt hashes, a VirtualClock, and `FakeDesk`, an in-memory AgentDesk.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { consolePlugin, COOKIE_NAME, type ConsoleDeps } from '../../../src/console/console-server.js';
import type { AgentDesk, AgentStatusView, AgentView, SupervisorView } from '../../../src/services/agent-desk.js';
import { InvalidRequestException, ResourceNotFoundException } from '../../../src/services/errors.js';
import { hashPassword } from '../../../src/services/passwords.js';
import { VirtualClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { openSqlite } from '../../../src/store/dialects.js';
import { kyselyStore, migrate } from '../../../src/store/kysely/kysely-store.js';
import type { AgentActivity, Store, UserRecord, UserRepository } from '../../../src/store/store.js';

export const INSTANCE_ID = '00000000-0000-4000-a000-000000000001';
export const USER_ID = 'user-1';
export const PASSWORD = 'Agent-Demo-1';
export const HOST = 'console.test';
export const ORIGIN = `http://${HOST}`;

const STATUSES: AgentStatusView[] = [
  { id: 'available', name: 'Available', type: 'ROUTABLE' },
  { id: 'break', name: 'Break', type: 'CUSTOM' },
  { id: 'offline', name: 'Offline', type: 'OFFLINE' },
];

/** An in-memory agent desk for one agent: enough of the routing rules to drive the console's routes. */
export class FakeDesk implements AgentDesk {
  readonly listeners = new Set<(instanceId: string) => void>();
  readonly calls: string[] = [];
  status: AgentStatusView = STATUSES[2]!;
  nextStatus: AgentStatusView | null = null;
  activity: AgentActivity = 'idle';
  contactId: string | null = null;
  constructor(private readonly clock: VirtualClock) {}

  /** Offers a contact to the agent, as routing would. */
  offer(contactId: string): void {
    this.activity = 'offered';
    this.contactId = contactId;
    this.changed();
  }

  changed(): void {
    for (const listener of this.listeners) listener(INSTANCE_ID);
  }

  view(instanceId: string, userId: string): Promise<AgentView> {
    this.#own(instanceId, userId);
    const now = this.clock.now();
    const state = ({ offered: 'incoming', connecting: 'connecting', 'on-contact': 'connected', acw: 'after-contact-work', missed: 'missed' } as const)[
      this.activity as Exclude<AgentActivity, 'idle'>
    ];
    return Promise.resolve({
      user: { id: USER_ID, username: 'agent', firstName: 'Ada', lastName: 'Agent', instanceId },
      routingProfile: { id: 'rp', name: 'Basic Routing Profile' },
      status: { ...this.status, since: now },
      nextStatus: this.nextStatus,
      statuses: STATUSES,
      activity: this.activity,
      activitySince: now,
      contact:
        this.contactId === null || state === undefined
          ? null
          : {
              contactId: this.contactId,
              state,
              customerNumber: '+12065550101',
              queue: { id: 'q', name: 'BasicQueue' },
              enqueuedAt: now - 5000,
              attributes: { orderId: '42' },
              offerExpiresAt: state === 'incoming' ? now + 20_000 : null,
              connectedToAgentAt: null,
              afterContactWorkEndsAt: null,
            },
      recentContacts: [],
      now,
    });
  }

  supervisor(instanceId: string): Promise<SupervisorView> {
    if (instanceId !== INSTANCE_ID) throw new ResourceNotFoundException('no such instance');
    return Promise.resolve({
      queues: [{ id: 'q', name: 'BasicQueue', waiting: [], agents: { online: 1, available: 1, onContact: 0, afterContactWork: 0 } }],
      agents: [],
      now: this.clock.now(),
    });
  }

  setStatus(instanceId: string, userId: string, agentStatusId: string): Promise<void> {
    this.#own(instanceId, userId);
    this.calls.push(`setStatus ${agentStatusId}`);
    const status = STATUSES.find((s) => s.id === agentStatusId);
    if (status === undefined) return Promise.reject(new ResourceNotFoundException(`Agent status ${agentStatusId} not found.`));
    if (this.activity === 'idle' || this.activity === 'missed') {
      this.status = status;
      this.activity = 'idle';
    } else this.nextStatus = status;
    this.changed();
    return Promise.resolve();
  }

  accept(instanceId: string, userId: string, contactId: string): Promise<void> {
    return this.#step(instanceId, userId, contactId, 'offered', 'on-contact', 'accept');
  }

  reject(instanceId: string, userId: string, contactId: string): Promise<void> {
    return this.#step(instanceId, userId, contactId, 'offered', 'missed', 'reject');
  }

  hangUp(instanceId: string, userId: string, contactId: string): Promise<void> {
    return this.#step(instanceId, userId, contactId, 'on-contact', 'acw', 'hangUp');
  }

  async completeAfterContactWork(instanceId: string, userId: string, contactId: string): Promise<void> {
    await this.#step(instanceId, userId, contactId, 'acw', 'idle', 'complete');
    this.contactId = null;
  }

  subscribe(listener: (instanceId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  #own(instanceId: string, userId: string): void {
    if (instanceId !== INSTANCE_ID || userId !== USER_ID) throw new ResourceNotFoundException('no such agent');
  }

  #step(instanceId: string, userId: string, contactId: string, from: AgentActivity, to: AgentActivity, name: string): Promise<void> {
    this.#own(instanceId, userId);
    this.calls.push(`${name} ${contactId}`);
    if (this.activity !== from || this.contactId !== contactId) {
      return Promise.reject(new InvalidRequestException(`Contact ${contactId} is not ${from} for this agent.`));
    }
    this.activity = to;
    this.changed();
    return Promise.resolve();
  }
}

/** A built web app in a temp dir: an index page and one asset. */
export function fakeWebRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'outdial-web-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>outdial console</title><div id="app"></div>');
  writeFileSync(join(root, 'assets/app-1234.js'), 'console.log("hi")');
  return root;
}

export interface ConsoleHarness {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly clock: VirtualClock;
  readonly desk: FakeDesk;
  readonly users: Map<string, UserRecord>;
  /** POSTs JSON as a same-origin browser would (Origin, content type), with the cookie and token if given. */
  post(url: string, body?: unknown, session?: { cookie: string; csrfToken?: string }, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  get(url: string, cookie?: string): Promise<LightMyRequestResponse>;
  /** Signs the demo agent in; the cookie header value and CSRF token. */
  signIn(extra?: { address?: string }): Promise<{ cookie: string; csrfToken: string; response: LightMyRequestResponse }>;
  close(): Promise<void>;
}

let cachedHash: Promise<string> | undefined;

export async function consoleHarness(options: { store?: Store; clock?: VirtualClock; deps?: Partial<ConsoleDeps> } = {}): Promise<ConsoleHarness> {
  const clock = options.clock ?? new VirtualClock(Date.UTC(2026, 5, 1, 9));
  let store = options.store;
  const ownStore = store === undefined;
  if (store === undefined) {
    const database = openSqlite(':memory:');
    await migrate(database.db);
    store = kyselyStore(database);
    await store.instances.insert({
      id: INSTANCE_ID,
      arn: `arn:aws:connect:us-east-1:123456789012:instance/${INSTANCE_ID}`,
      alias: 'demo',
      identityManagementType: 'CONNECT_MANAGED',
      directoryId: null,
      inboundCallsEnabled: true,
      outboundCallsEnabled: true,
      attributes: {},
      status: 'ACTIVE',
      createdAt: clock.now(),
      tags: {},
      maxLiveContacts: 10,
      liveContacts: 0,
      maxLiveCampaignContacts: 10,
      liveCampaignContacts: 0,
      allowedPrefixes: [],
      blockedPrefixes: [],
      clientToken: null,
    });
  }
  cachedHash ??= hashPassword(PASSWORD);
  const users = new Map<string, UserRecord>();
  users.set(USER_ID, {
    id: USER_ID,
    arn: `arn:aws:connect:us-east-1:123456789012:instance/${INSTANCE_ID}/agent/${USER_ID}`,
    instanceId: INSTANCE_ID,
    username: 'agent',
    passwordHash: await cachedHash,
    sipHa1: null,
    identityInfo: { FirstName: 'Ada', LastName: 'Agent' },
    phoneConfig: { phoneType: 'SOFT_PHONE', autoAccept: false, afterContactWorkTimeLimit: 0, deskPhoneNumber: null },
    routingProfileId: 'rp',
    securityProfileIds: [],
    hierarchyGroupId: null,
    directoryUserId: null,
    tags: {},
    lastModifiedAt: clock.now(),
  });
  const userRepository = {
    findByUsername: (instanceId: string, username: string) =>
      Promise.resolve([...users.values()].find((u) => u.instanceId === instanceId && u.username === username)),
    get: (instanceId: string, id: string) => Promise.resolve(users.get(id)?.instanceId === instanceId ? users.get(id) : undefined),
  } as unknown as UserRepository;

  const desk = new FakeDesk(clock);
  const webRoot = fakeWebRoot();
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  await app.register(
    consolePlugin({
      desk,
      store: { instances: store.instances, consoleSessions: store.consoleSessions, users: userRepository },
      clock,
      logger: silentLogger,
      webRoot,
      ...options.deps,
    }),
    { prefix: '/console' },
  );
  await app.ready();

  const harness: ConsoleHarness = {
    app,
    store,
    clock,
    desk,
    users,
    post(url, body, session, headers = {}) {
      return app.inject({
        method: 'POST',
        url,
        headers: {
          host: HOST,
          origin: ORIGIN,
          'content-type': 'application/json',
          ...(session !== undefined && { cookie: session.cookie }),
          ...(session?.csrfToken !== undefined && { 'x-csrf-token': session.csrfToken }),
          ...headers,
        },
        payload: JSON.stringify(body ?? {}),
      });
    },
    get(url, cookie) {
      return app.inject({ method: 'GET', url, headers: { host: HOST, ...(cookie !== undefined && { cookie }) } });
    },
    async signIn(extra = {}) {
      const response = await app.inject({
        method: 'POST',
        url: '/console/api/sign-in',
        remoteAddress: extra.address ?? '192.0.2.10',
        headers: { host: HOST, origin: ORIGIN, 'content-type': 'application/json' },
        payload: JSON.stringify({ username: 'agent', password: PASSWORD }),
      });
      if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
      return { cookie: cookieOf(response), csrfToken: response.json<{ csrfToken: string }>().csrfToken, response };
    },
    async close() {
      await app.close();
      if (ownStore) await store.close();
      rmSync(webRoot, { recursive: true, force: true });
    },
  };
  return harness;
}

/** `name=value` of the console cookie a response set. */
export function cookieOf(response: LightMyRequestResponse): string {
  const header = response.headers['set-cookie'];
  const line = (Array.isArray(header) ? header : [header ?? '']).find((h) => h.startsWith(`${COOKIE_NAME}=`));
  if (line === undefined) throw new Error('no console cookie set');
  return line.split(';')[0]!;
}
