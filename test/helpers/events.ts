/**
 * Contact events in the in-process app: a config with a webhook sink pointing at a WebhookReceiver, and
 * ways to let the dispatcher deliver. Deliveries are real HTTP on loopback while the engine clock is
 * virtual, so `drain` waits for the dispatcher itself (it awaits the requests in flight) between settles,
 * and `runFor` moves the clock from timer to timer draining at each.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ok } from './connect.js';
import { startTestApp, type TestApp, type TestAppOptions } from './test-app.js';
import { json, type ReceivedRequest, type WebhookReceiver } from './webhook-receiver.js';

/** A fresh Standard Webhooks secret. */
export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export interface EventsAppOptions {
  /** Members of the declared webhook sink besides type, name, url and secrets. */
  sink?: Record<string, unknown>;
  /** More declared sinks. */
  sinks?: Record<string, unknown>[];
  /** Members of the `events` section besides `sinks`. */
  events?: Record<string, unknown>;
  /** Other config members. */
  config?: Record<string, unknown>;
  options?: TestAppOptions;
}

/** The declared webhook sink's name. */
export const SINK = 'receiver';

/** An in-process app whose config declares the webhook sink `receiver` at `receiver.url`, signing with `secret`. */
export async function startEventsApp(receiver: WebhookReceiver, secret: string, options: EventsAppOptions = {}): Promise<TestApp> {
  return startTestApp(
    {
      ...options.config,
      events: {
        ...options.events,
        sinks: [{ type: 'webhook', name: SINK, url: receiver.url, secrets: [secret], ...options.sink }, ...(options.sinks ?? [])],
      },
    },
    options.options,
  );
}

/**
 * Lets the engine and the dispatcher finish what they can do at the current virtual time: settles, waits
 * for every delivery pass (and so every request in flight) to end, and repeats until nothing changes.
 * Never use it while the receiver leaves requests hanging: a pass waits for them.
 */
export async function drain(app: TestApp): Promise<void> {
  const { dispatcher } = app.outdial;
  for (let round = 0; round < 1_000; round++) {
    await app.settle();
    const before = app.clock.changes;
    await dispatcher.idle();
    await app.settle();
    const next = app.clock.nextDue();
    if (app.clock.changes === before && (next === undefined || next > app.clock.now())) return;
  }
  throw new Error('the dispatcher never went quiet');
}

/** Moves the virtual clock `ms` forward, stopping at every due timer and draining there. */
export async function runFor(app: TestApp, ms: number): Promise<void> {
  const end = app.clock.now() + ms;
  await drain(app);
  for (;;) {
    const next = app.clock.nextDue();
    if (next === undefined || next > end) break;
    app.clock.advance(next - app.clock.now());
    await drain(app);
  }
  app.clock.advance(end - app.clock.now());
  await drain(app);
}

/** The webhook's Id, by name. */
export async function webhookId(app: TestApp, name = SINK): Promise<string> {
  const { Webhooks } = ok(await app.request({ method: 'GET', path: '/outdial/webhooks' }));
  const found = (Webhooks as { Id: string; Name: string }[]).find((w) => w.Name === name);
  assert.ok(found, `no webhook named ${name} in ${JSON.stringify(Webhooks)}`);
  return found.Id;
}

/** Requests whose envelope is about `contactId`, in arrival order. */
export const ofContact = (requests: readonly ReceivedRequest[], contactId: string): ReceivedRequest[] =>
  requests.filter((r) => json(r).detail?.contactId === contactId);

/** The event types of `requests`, in order. */
export const typesOf = (requests: readonly ReceivedRequest[]): string[] => requests.map((r) => json(r).detail.eventType as string);

/** Asserts each request verified with every one of `secrets` and carries the envelope's id as webhook-id. */
export function assertSigned(requests: readonly ReceivedRequest[], secrets: readonly string[]): void {
  for (const request of requests) {
    assert.deepEqual(request.verifiedWith, secrets, `request ${request.index}: ${request.verifyErrors.join('; ')}`);
    assert.equal(request.headers['webhook-id'], json(request).id, `request ${request.index}`);
  }
}
