/**
 * outdial's webhook API under /outdial/webhooks: SigV4-signed like Connect's operations, PascalCase
 * members, Connect-shaped errors.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { assertError, CALLEE, ok, startCall, UUID } from '../../helpers/connect.js';
import { newSecret, runFor, SINK, startEventsApp, typesOf, webhookId } from '../../helpers/events.js';
import type { ApiRequest, TestApp } from '../../helpers/test-app.js';
import { WebhookReceiver } from '../../helpers/webhook-receiver.js';

const SECRET_FORM = /^whsec_[A-Za-z0-9+/]{43}=$/;
const UNKNOWN = '00000000-0000-4000-a000-00000000ffff';

const create = (body: Record<string, unknown>): ApiRequest => ({ method: 'POST', path: '/outdial/webhooks', body });

describe('the webhook API', () => {
  const secret = newSecret();
  let receiver: WebhookReceiver;
  let app: TestApp;

  before(async () => {
    receiver = await WebhookReceiver.start([secret]);
  });
  after(() => receiver.close());
  beforeEach(async () => {
    app = await startEventsApp(receiver, secret);
  });
  afterEach(async () => {
    await app.close();
    receiver.requests.length = 0;
    receiver.secrets = [secret];
  });

  it('creates a webhook with a generated secret in the whsec_ form, which signs its deliveries', async () => {
    const other = await WebhookReceiver.start();
    try {
      const t = app.clock.now() / 1000;
      const created = ok(await app.request(create({ Name: 'crm', Url: other.url, EventTypes: ['DISCONNECTED'] })));
      assert.match(created.Secret, SECRET_FORM);
      assert.deepEqual(created.Webhook, {
        Id: created.Webhook.Id,
        Name: 'crm',
        Url: other.url,
        Stream: 'events',
        EventTypes: ['DISCONNECTED'],
        Enabled: true,
        ManagedBy: 'api',
        CreatedTimestamp: t,
        LastModifiedTimestamp: t,
      });
      assert.match(created.Webhook.Id, UUID);

      other.secrets = [created.Secret];
      const contactId = await startCall(app, CALLEE.busy);
      await runFor(app, 5_000);
      assert.deepEqual(typesOf(other.requests), ['DISCONNECTED']);
      assert.deepEqual(other.requests[0]!.verifiedWith, [created.Secret], other.requests[0]!.verifyErrors.join('; '));
      assert.equal(JSON.parse(other.requests[0]!.body).detail.contactId, contactId);
      assert.deepEqual(typesOf(receiver.requests), ['INITIATED', 'DISCONNECTED', 'COMPLETED'], 'the declared webhook is unaffected');
    } finally {
      await other.close();
    }
  });

  it('takes a secret, a records stream, and makes up a name when none is given', async () => {
    const mine = newSecret();
    const created = ok(await app.request(create({ Url: 'https://example.com/hooks', Secret: mine, Stream: 'records' })));
    assert.equal(created.Secret, mine);
    assert.equal(created.Webhook.Stream, 'records');
    assert.equal(created.Webhook.EventTypes.length, 0);
    assert.match(created.Webhook.Name, /^webhook-[0-9a-f]{8}$/);
    assert.ok(String(created.Webhook.Id).startsWith(String(created.Webhook.Name).slice('webhook-'.length)));
  });

  it('lists and gets webhooks, the declared ones included, oldest first, never with their secrets', async () => {
    await app.advance(1_000);
    const created = ok(await app.request(create({ Name: 'crm', Url: 'https://example.com/hooks' })));
    const list = await app.request({ method: 'GET', path: '/outdial/webhooks' });
    const { Webhooks } = ok(list);
    assert.deepEqual(
      (Webhooks as { Name: string; ManagedBy: string }[]).map((w) => [w.Name, w.ManagedBy]),
      [
        [SINK, 'config'],
        ['crm', 'api'],
      ],
    );
    assert.doesNotMatch(list.text, /whsec_/);
    assert.ok((Webhooks as Record<string, unknown>[]).every((w) => !('Secret' in w) && !('Secrets' in w)));

    const got = await app.request({ method: 'GET', path: `/outdial/webhooks/${created.Webhook.Id}` });
    assert.deepEqual(ok(got).Webhook, created.Webhook);
    assert.doesNotMatch(got.text, /whsec_/);
    const declared = ok(await app.request({ method: 'GET', path: `/outdial/webhooks/${await webhookId(app)}` })).Webhook;
    assert.equal(declared.Url, receiver.url);
    assert.equal(declared.ManagedBy, 'config');
  });

  it('deletes a webhook made over the API, which then receives nothing', async () => {
    const other = await WebhookReceiver.start();
    try {
      const { Webhook } = ok(await app.request(create({ Name: 'crm', Url: other.url })));
      assert.deepEqual(ok(await app.request({ method: 'DELETE', path: `/outdial/webhooks/${Webhook.Id}` })), {});
      assertError(await app.request({ method: 'GET', path: `/outdial/webhooks/${Webhook.Id}` }), 404, 'ResourceNotFoundException');
      assert.deepEqual(
        (ok(await app.request({ method: 'GET', path: '/outdial/webhooks' })).Webhooks as { Name: string }[]).map((w) => w.Name),
        [SINK],
      );
      await startCall(app, CALLEE.busy);
      await runFor(app, 5_000);
      assert.equal(other.requests.length, 0);
      assert.equal(receiver.requests.length, 3);
    } finally {
      await other.close();
    }
  });

  it('refuses to delete a webhook declared in the config file with InvalidRequestException', async () => {
    const id = await webhookId(app);
    assertError(await app.request({ method: 'DELETE', path: `/outdial/webhooks/${id}` }), 400, 'InvalidRequestException', /config/);
    assert.equal(ok(await app.request({ method: 'GET', path: `/outdial/webhooks/${id}` })).Webhook.Name, SINK);
  });

  it('refuses bad input with 400 InvalidParameterException in Connect’s error shape', async () => {
    const bad: [string, Record<string, unknown>][] = [
      ['no Url', { Name: 'x' }],
      ['Url not a string', { Url: 42 }],
      ['Url not a URL', { Url: 'not a url' }],
      ['Url not http', { Url: 'ftp://example.com/hooks' }],
      ['unknown event type', { Url: 'https://example.com/hooks', EventTypes: ['RINGING'] }],
      ['EventTypes not a list', { Url: 'https://example.com/hooks', EventTypes: 'DISCONNECTED' }],
      ['unknown stream', { Url: 'https://example.com/hooks', Stream: 'calls' }],
      ['secret without whsec_', { Url: 'https://example.com/hooks', Secret: 'plain-text-secret' }],
      ['secret too short', { Url: 'https://example.com/hooks', Secret: `whsec_${Buffer.alloc(8).toString('base64')}` }],
      ['bad name', { Url: 'https://example.com/hooks', Name: 'no spaces please' }],
    ];
    for (const [why, body] of bad) {
      const response = await app.request(create(body));
      assertError(response, 400, 'InvalidParameterException');
      assert.equal(typeof response.json.Message, 'string', why);
    }
    const id = await webhookId(app);
    assertError(await app.request({ method: 'POST', path: `/outdial/webhooks/${id}/rotate-secret`, body: { Secret: 'nope' } }), 400, 'InvalidParameterException');
    assertError(await app.request({ method: 'POST', path: `/outdial/webhooks/${id}/redeliver`, body: { DeliveryIds: ['one'] } }), 400, 'InvalidParameterException');
    const queries: Record<string, string>[] = [{ status: 'lost' }, { maxResults: '0' }, { maxResults: '101' }, { nextToken: 'abc' }];
    for (const query of queries) {
      assertError(await app.request({ method: 'GET', path: `/outdial/webhooks/${id}/deliveries`, query }), 400, 'InvalidParameterException');
    }
    assert.equal((ok(await app.request({ method: 'GET', path: '/outdial/webhooks' })).Webhooks as unknown[]).length, 1, 'nothing was created');
  });

  it('refuses a second webhook with the same name with DuplicateResourceException', async () => {
    ok(await app.request(create({ Name: 'crm', Url: 'https://example.com/a' })));
    assertError(await app.request(create({ Name: 'crm', Url: 'https://example.com/b' })), 409, 'DuplicateResourceException');
    assertError(await app.request(create({ Name: SINK, Url: 'https://example.com/b' })), 409, 'DuplicateResourceException');
  });

  it('answers 404 ResourceNotFoundException for an unknown webhook on every route', async () => {
    const routes: ApiRequest[] = [
      { method: 'GET', path: `/outdial/webhooks/${UNKNOWN}` },
      { method: 'DELETE', path: `/outdial/webhooks/${UNKNOWN}` },
      { method: 'POST', path: `/outdial/webhooks/${UNKNOWN}/enable` },
      { method: 'POST', path: `/outdial/webhooks/${UNKNOWN}/disable` },
      { method: 'GET', path: `/outdial/webhooks/${UNKNOWN}/secret` },
      { method: 'POST', path: `/outdial/webhooks/${UNKNOWN}/rotate-secret`, body: {} },
      { method: 'GET', path: `/outdial/webhooks/${UNKNOWN}/deliveries` },
      { method: 'POST', path: `/outdial/webhooks/${UNKNOWN}/redeliver`, body: {} },
    ];
    for (const route of routes) {
      const response = await app.request(route);
      assertError(response, 404, 'ResourceNotFoundException', new RegExp(UNKNOWN));
    }
  });

  it('refuses unsigned requests with 403 and acts on none of them', async () => {
    const id = await webhookId(app);
    const routes: ApiRequest[] = [
      create({ Name: 'sneaky', Url: 'https://example.com/hooks' }),
      { method: 'GET', path: '/outdial/webhooks' },
      { method: 'GET', path: `/outdial/webhooks/${id}` },
      { method: 'GET', path: `/outdial/webhooks/${id}/secret` },
      { method: 'POST', path: `/outdial/webhooks/${id}/rotate-secret`, body: {} },
      { method: 'POST', path: `/outdial/webhooks/${id}/disable` },
      { method: 'DELETE', path: `/outdial/webhooks/${id}` },
    ];
    for (const route of routes) {
      const response = await app.unsigned(route);
      assertError(response, 403, 'MissingAuthenticationTokenException');
      assert.doesNotMatch(response.text, /whsec_/);
    }
    const webhooks = ok(await app.request({ method: 'GET', path: '/outdial/webhooks' })).Webhooks as { Name: string; Enabled: boolean }[];
    assert.deepEqual(
      webhooks.map((w) => [w.Name, w.Enabled]),
      [[SINK, true]],
    );
    assert.deepEqual(ok(await app.request({ method: 'GET', path: `/outdial/webhooks/${id}/secret` })).Secrets, [secret]);
  });

  it('refuses requests signed with a wrong key', async () => {
    const response = await app.request(
      { method: 'GET', path: '/outdial/webhooks' },
      { credentials: { accessKeyId: 'AKIDOUTDIALLOCAL', secretAccessKey: 'not-the-secret' } },
    );
    assert.equal(response.status, 403);
    assert.doesNotMatch(response.text, /whsec_/);
  });
});
