/**
 * Webhook delivery: Standard Webhooks signatures (verified with the `standardwebhooks` package), secret
 * rotation, retries in per-contact order, Retry-After, timeouts, 410 Gone, the dead-letter list and
 * redelivery. Retries and timeouts run on the virtual engine clock; the requests are real HTTP.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { CALLEE, ok, startCall, UUID } from '../../helpers/connect.js';
import { assertSigned, drain, newSecret, ofContact, runFor, startEventsApp, typesOf, webhookId } from '../../helpers/events.js';
import type { TestApp } from '../../helpers/test-app.js';
import { WebhookReceiver, type ReceivedRequest } from '../../helpers/webhook-receiver.js';

const DAY = 24 * 3600 * 1000;

/**
 * Asserts the requests about one contact never run ahead: each is either the event in progress again (a
 * retry, with the same webhook-id) or, once that one was accepted, the next. Returns the accepted event types.
 */
function assertInContactOrder(requests: readonly ReceivedRequest[]): string[] {
  const accepted: ReceivedRequest[] = [];
  let current: ReceivedRequest | undefined;
  for (const request of requests) {
    const done = current !== undefined && current.status !== undefined && current.status < 300;
    if (current !== undefined && !done) {
      assert.equal(request.headers['webhook-id'], current.headers['webhook-id'], `request ${request.index} ran ahead of a retrying event`);
      assert.equal(request.body, current.body, 'a retry sends the same bytes');
    }
    current = request;
    if (request.status !== undefined && request.status < 300) accepted.push(request);
  }
  const ids = accepted.map((r) => r.headers['webhook-id']);
  assert.equal(new Set(ids).size, ids.length, 'each event is accepted once');
  return typesOf(accepted);
}

describe('webhook delivery', () => {
  const secret = newSecret();
  let receiver: WebhookReceiver;
  let app: TestApp;

  before(async () => {
    receiver = await WebhookReceiver.start([secret]);
  });
  after(() => receiver.close());
  afterEach(async () => {
    receiver.release();
    await app.close();
    receiver.requests.length = 0;
    receiver.secrets = [secret];
    receiver.answer({ status: 204 });
  });

  const deliveries = async (id: string, status?: string) =>
    ok(await app.request({ method: 'GET', path: `/outdial/webhooks/${id}/deliveries`, ...(status !== undefined && { query: { status } }) }))
      .Deliveries as Record<string, unknown>[];

  describe('signatures', () => {
    it('signs every request so standardwebhooks verifies it, with the envelope id as webhook-id', async () => {
      app = await startEventsApp(receiver, secret);
      const contactId = await startCall(app, CALLEE.answers);
      await runFor(app, 10_000);
      const requests = ofContact(receiver.requests, contactId);
      assert.equal(requests.length, 4);
      assertSigned(requests, [secret]);
      for (const request of requests) assert.match(request.headers['webhook-id'] ?? '', UUID);

      // Another secret does not verify them, nor does a tampered body.
      const other = await WebhookReceiver.start([newSecret()]);
      try {
        const response = await fetch(other.url, { method: 'POST', headers: requests[0]!.headers, body: requests[0]!.body.replace('INITIATED', 'COMPLETED') });
        await response.arrayBuffer();
        assert.deepEqual(other.requests[0]!.verifiedWith, []);
      } finally {
        await other.close();
      }
    });

    it('signs with both secrets after a rotation, until the old one expires', async () => {
      app = await startEventsApp(receiver, secret);
      const id = await webhookId(app);
      const rotated = ok(await app.request({ method: 'POST', path: `/outdial/webhooks/${id}/rotate-secret`, body: {} }));
      assert.match(rotated.Secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
      assert.notEqual(rotated.Secret, secret);
      assert.equal(rotated.PreviousSecretExpiresTimestamp, (app.clock.now() + DAY) / 1000);
      assert.deepEqual(ok(await app.request({ method: 'GET', path: `/outdial/webhooks/${id}/secret` })).Secrets, [rotated.Secret, secret]);

      receiver.secrets = [rotated.Secret, secret];
      const during = await startCall(app, CALLEE.busy);
      await runFor(app, 5_000);
      const requests = ofContact(receiver.requests, during);
      assert.equal(requests.length, 3);
      for (const request of requests) {
        assert.equal(request.headers['webhook-signature']?.split(' ').length, 2, 'one signature per secret');
        assert.match(request.headers['webhook-signature'] ?? '', /^v1,\S+ v1,\S+$/);
      }
      assertSigned(requests, [rotated.Secret, secret]);

      // A day later (engine time) the old secret has stopped signing.
      await runFor(app, DAY);
      assert.deepEqual(ok(await app.request({ method: 'GET', path: `/outdial/webhooks/${id}/secret` })).Secrets, [rotated.Secret]);
      const later = await startCall(app, CALLEE.busy);
      await runFor(app, 5_000);
      const afterExpiry = ofContact(receiver.requests, later);
      assert.equal(afterExpiry.length, 3);
      for (const request of afterExpiry) assert.deepEqual(request.verifiedWith, [rotated.Secret], request.verifyErrors.join('; '));
    });

    it('rotates to a secret the caller gives', async () => {
      app = await startEventsApp(receiver, secret);
      const id = await webhookId(app);
      const mine = newSecret();
      const rotated = ok(await app.request({ method: 'POST', path: `/outdial/webhooks/${id}/rotate-secret`, body: { Secret: mine } }));
      assert.equal(rotated.Secret, mine);
      receiver.secrets = [mine];
      await startCall(app, CALLEE.busy);
      await runFor(app, 5_000);
      assert.equal(receiver.requests.length, 3);
      for (const request of receiver.requests) assert.deepEqual(request.verifiedWith, [mine], request.verifyErrors.join('; '));
    });
  });

  describe('retries', () => {
    it('delivers every event once, in per-contact order, to a receiver that fails the first 2 attempts', async () => {
      app = await startEventsApp(receiver, secret, { events: { retryScheduleSeconds: [5, 5, 5] } });
      receiver.failNext(2);
      const answered = await startCall(app, CALLEE.answers);
      const busy = await startCall(app, CALLEE.busy);

      // Both INITIATEDs failed and wait for their retry; the later events of each contact wait behind them.
      await runFor(app, 3_000);
      assert.equal(receiver.requests.length, 2);
      assert.deepEqual(typesOf(receiver.requests), ['INITIATED', 'INITIATED']);
      assert.ok(receiver.requests.every((r) => r.status === 500));

      await runFor(app, 60_000);
      assert.deepEqual(assertInContactOrder(ofContact(receiver.requests, answered)), ['INITIATED', 'CONNECTED_TO_SYSTEM', 'DISCONNECTED', 'COMPLETED']);
      assert.deepEqual(assertInContactOrder(ofContact(receiver.requests, busy)), ['INITIATED', 'DISCONNECTED', 'COMPLETED']);
      assert.equal(receiver.requests.length, 2 + 7);
      assertSigned(receiver.requests, [secret]);

      const id = await webhookId(app);
      const all = await deliveries(id);
      assert.equal(all.length, 7);
      assert.ok(all.every((d) => d.Status === 'delivered' && d.LastHttpStatus === 204));
      assert.deepEqual(all.filter((d) => d.Attempts === 2).map((d) => d.EventType), ['INITIATED', 'INITIATED']);
    });

    it('keeps the same webhook-id and body on every attempt of an event', async () => {
      app = await startEventsApp(receiver, secret, { events: { retryScheduleSeconds: [1, 1, 1, 1] } });
      receiver.failNext(3, 503);
      await startCall(app, CALLEE.busy);
      await runFor(app, 30_000);
      const [first, ...rest] = receiver.requests;
      assert.deepEqual(typesOf(receiver.requests), ['INITIATED', 'INITIATED', 'INITIATED', 'INITIATED', 'DISCONNECTED', 'COMPLETED']);
      for (const retry of rest.slice(0, 3)) {
        assert.equal(retry.headers['webhook-id'], first!.headers['webhook-id']);
        assert.equal(retry.body, first!.body);
      }
      assertSigned(receiver.requests, [secret]);
    });

    it('waits as long as Retry-After asks when that is longer than the schedule', async () => {
      app = await startEventsApp(receiver, secret, { events: { retryScheduleSeconds: [1, 1, 1] } });
      receiver.replyNext({ status: 429, headers: { 'retry-after': '120' } });
      await startCall(app, CALLEE.busy);
      await runFor(app, 1_000);
      assert.equal(receiver.requests.length, 1);
      const id = await webhookId(app);
      const [waiting] = await deliveries(id, 'pending');
      assert.equal(waiting?.EventType, 'INITIATED');
      assert.equal(waiting?.LastHttpStatus, 429);
      assert.equal(waiting?.Attempts, 1);

      await runFor(app, 118_000);
      assert.equal(receiver.requests.length, 1, 'no attempt before Retry-After has passed');
      await runFor(app, 2_000);
      assert.deepEqual(typesOf(receiver.requests), ['INITIATED', 'INITIATED', 'DISCONNECTED', 'COMPLETED']);
    });

    it('times a silent receiver out after timeoutMs and tries again', async () => {
      app = await startEventsApp(receiver, secret, { events: { timeoutMs: 5_000, retryScheduleSeconds: [1, 1] } });
      receiver.replyNext({ hang: true });
      await startCall(app, CALLEE.busy);
      await app.settle();
      await receiver.waitForRequests(1);
      await app.advance(4_900);
      assert.equal(receiver.requests.length, 1);
      assert.equal(receiver.hanging, 1, 'still waiting for the answer');

      await app.advance(100);
      await drain(app);
      const id = await webhookId(app);
      const [timedOut] = await deliveries(id, 'pending');
      assert.equal(timedOut?.EventType, 'INITIATED');
      assert.match(String(timedOut?.LastError), /no response within 5000 ms/);

      await runFor(app, 5_000);
      assert.deepEqual(typesOf(receiver.requests), ['INITIATED', 'INITIATED', 'DISCONNECTED', 'COMPLETED']);
      assert.equal(receiver.requests[1]!.headers['webhook-id'], receiver.requests[0]!.headers['webhook-id']);
    });
  });

  describe('410 Gone', () => {
    it('disables the webhook, holds its deliveries, and delivers them in order once it is enabled again', async () => {
      app = await startEventsApp(receiver, secret, { events: { retryScheduleSeconds: [1, 1] } });
      const id = await webhookId(app);
      // INITIATED waits on the receiver while the busy call ends, so the contact's later events are queued too.
      receiver.replyNext({ hang: true });
      const contactId = await startCall(app, CALLEE.busy);
      await app.settle();
      await receiver.waitForRequests(1);
      await app.advance(1_000);
      receiver.release(410);
      await drain(app);

      const { Webhook } = ok(await app.request({ method: 'GET', path: `/outdial/webhooks/${id}` }));
      assert.equal(Webhook.Enabled, false);
      assert.equal(Webhook.DisabledReason, 'the endpoint answered 410 Gone');
      const held = await deliveries(id, 'pending');
      assert.deepEqual(
        held.map((d) => d.EventType),
        ['INITIATED', 'DISCONNECTED', 'COMPLETED'],
      );
      assert.equal(held[0]?.LastHttpStatus, 410);

      await runFor(app, 10 * 60_000);
      assert.equal(receiver.requests.length, 1, 'nothing goes to a disabled webhook');

      const enabled = ok(await app.request({ method: 'POST', path: `/outdial/webhooks/${id}/enable` }));
      assert.equal(enabled.Webhook.Enabled, true);
      assert.equal(enabled.Webhook.DisabledReason, undefined);
      await drain(app);
      const requests = ofContact(receiver.requests, contactId);
      assert.deepEqual(typesOf(requests), ['INITIATED', 'INITIATED', 'DISCONNECTED', 'COMPLETED']);
      assert.equal(requests[1]!.headers['webhook-id'], requests[0]!.headers['webhook-id']);
      assert.deepEqual(assertInContactOrder(requests), ['INITIATED', 'DISCONNECTED', 'COMPLETED']);
      assert.deepEqual(await deliveries(id, 'pending'), []);
      assert.equal(ok(await app.request({ method: 'GET', path: `/outdial/webhooks/${id}` })).Webhook.Enabled, true);
    });
  });

  describe('dead letters', () => {
    it('gives up after the last scheduled attempt, lists the dead deliveries, and redelivers them on request', async () => {
      app = await startEventsApp(receiver, secret, { events: { retryScheduleSeconds: [1, 1] } });
      const id = await webhookId(app);
      receiver.answer({ status: 500, body: 'receiver failure' });
      const contactId = await startCall(app, CALLEE.busy);
      await runFor(app, 60_000);

      // 3 attempts each (the first and one per scheduled wait); a dead event no longer holds the next one back.
      assert.deepEqual(typesOf(receiver.requests), [
        ...['INITIATED', 'INITIATED', 'INITIATED'],
        ...['DISCONNECTED', 'DISCONNECTED', 'DISCONNECTED'],
        ...['COMPLETED', 'COMPLETED', 'COMPLETED'],
      ]);
      const dead = await deliveries(id, 'dead');
      assert.deepEqual(
        dead.map((d) => [d.EventType, d.Status, d.Attempts, d.LastHttpStatus, d.LastError, d.ContactId]),
        ['INITIATED', 'DISCONNECTED', 'COMPLETED'].map((type) => [type, 'dead', 3, 500, 'HTTP 500: receiver failure', contactId]),
      );
      assert.deepEqual(
        dead.map((d) => d.MessageId),
        [0, 3, 6].map((i) => receiver.requests[i]!.headers['webhook-id']),
      );
      assert.ok(dead.every((d) => d.NextAttemptTimestamp === undefined));
      assert.deepEqual(await deliveries(id, 'pending'), []);

      receiver.answer({ status: 204 });
      receiver.requests.length = 0;
      assert.deepEqual(ok(await app.request({ method: 'POST', path: `/outdial/webhooks/${id}/redeliver`, body: {} })), { Redelivered: 3 });
      await drain(app);
      assert.deepEqual(typesOf(receiver.requests), ['INITIATED', 'DISCONNECTED', 'COMPLETED']);
      assert.deepEqual(
        receiver.requests.map((r) => r.headers['webhook-id']),
        dead.map((d) => d.MessageId),
      );
      assertSigned(receiver.requests, [secret]);
      assert.deepEqual(await deliveries(id, 'dead'), []);
      const delivered = await deliveries(id, 'delivered');
      assert.equal(delivered.length, 3);
      assert.ok(delivered.every((d) => d.Attempts === 1 && typeof d.DeliveredTimestamp === 'number'));
    });

    it('redelivers the deliveries it is given, delivered ones included', async () => {
      app = await startEventsApp(receiver, secret);
      const id = await webhookId(app);
      await startCall(app, CALLEE.busy);
      await runFor(app, 5_000);
      const [initiated] = await deliveries(id, 'delivered');
      assert.equal(initiated?.EventType, 'INITIATED');
      assert.deepEqual(ok(await app.request({ method: 'POST', path: `/outdial/webhooks/${id}/redeliver`, body: { DeliveryIds: [initiated?.Id] } })), {
        Redelivered: 1,
      });
      await drain(app);
      assert.deepEqual(typesOf(receiver.requests), ['INITIATED', 'DISCONNECTED', 'COMPLETED', 'INITIATED']);
      assert.equal(receiver.requests[3]!.headers['webhook-id'], initiated?.MessageId);
    });

    it('pages through deliveries with MaxResults and NextToken', async () => {
      app = await startEventsApp(receiver, secret);
      const id = await webhookId(app);
      await startCall(app, CALLEE.busy);
      await startCall(app, CALLEE.busy);
      await runFor(app, 5_000);
      const seen: unknown[] = [];
      let nextToken: string | undefined;
      do {
        const page = ok(
          await app.request({ method: 'GET', path: `/outdial/webhooks/${id}/deliveries`, query: { maxResults: '4', ...(nextToken !== undefined && { nextToken }) } }),
        );
        assert.ok(page.Deliveries.length <= 4);
        seen.push(...(page.Deliveries as { Id: number }[]).map((d) => d.Id));
        nextToken = page.NextToken;
      } while (nextToken !== undefined);
      assert.equal(seen.length, 6);
      assert.equal(new Set(seen).size, 6);
      assert.deepEqual(seen, [...seen].sort((a, b) => Number(a) - Number(b)));
    });
  });

  it('sends nothing to a webhook disabled over the API, and sends again once it is enabled', async () => {
    app = await startEventsApp(receiver, secret);
    const id = await webhookId(app);
    const contactId = await startCall(app, CALLEE.answers);
    await runFor(app, 10_000);
    assert.deepEqual(typesOf(ofContact(receiver.requests, contactId)), ['INITIATED', 'CONNECTED_TO_SYSTEM', 'DISCONNECTED', 'COMPLETED']);
    const disabled = ok(await app.request({ method: 'POST', path: `/outdial/webhooks/${id}/disable` }));
    assert.equal(disabled.Webhook.Enabled, false);
    assert.equal(disabled.Webhook.DisabledReason, 'disabled by request');
    await startCall(app, CALLEE.busy);
    await runFor(app, 5_000);
    assert.equal(receiver.requests.length, 4, 'a disabled webhook gets nothing');
    ok(await app.request({ method: 'POST', path: `/outdial/webhooks/${id}/enable` }));
    const later = await startCall(app, CALLEE.busy);
    await runFor(app, 5_000);
    assert.deepEqual(typesOf(ofContact(receiver.requests, later)), ['INITIATED', 'DISCONNECTED', 'COMPLETED']);
  });
});
