import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { assertError, CALLEE, describeContact, ok, ops, outboundCall, startCall } from '../../helpers/connect.js';
import { keepOpenFlows, startTestApp, type TestApp } from '../../helpers/test-app.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('StartOutboundVoiceContact ClientToken idempotency', () => {
  let app: TestApp;
  afterEach(() => app.close());

  it('returns the same ContactId for a repeated token while the contact is live, and dials once', async () => {
    app = await startTestApp({ quotas: { concurrentActiveCallsPerInstance: 1 } });
    const first = await startCall(app, CALLEE.noAnswer, { ClientToken: 'order-1001' });
    await app.advance(5_000);
    // The replay takes no concurrency slot: the quota of 1 is held by the first call.
    const again = await startCall(app, CALLEE.noAnswer, { ClientToken: 'order-1001' });
    assert.equal(again, first);
    await app.advance(5_000);
    assert.equal(app.dials.length, 1);
    assert.equal(app.activeCalls(), 1);
  });

  it('starts a new contact for the token once the first contact has ended', async () => {
    app = await startTestApp();
    const first = await startCall(app, CALLEE.busy, { ClientToken: 'retry-me' });
    await app.advance(5_000);
    assert.equal((await describeContact(app, first)).DisconnectReason, 'TELECOM_BUSY');
    const second = await startCall(app, CALLEE.busy, { ClientToken: 'retry-me' });
    assert.notEqual(second, first);
    await app.advance(5_000);
    assert.deepEqual(
      app.dials.map((d) => d.contactId),
      [first, second],
    );
    // The token now belongs to the new contact.
    const third = await startCall(app, CALLEE.noAnswer, { ClientToken: 'retry-me' });
    assert.notEqual(third, second);
  });

  it('admits exactly one contact and dials once for 50 concurrent requests with the same token', async () => {
    app = await startTestApp({ quotas: { concurrentActiveCallsPerInstance: 1 } });
    const request = ops.startOutboundVoiceContact(outboundCall(CALLEE.noAnswer, { ClientToken: 'burst' }));
    const responses = await Promise.all(Array.from({ length: 50 }, () => app.request(request)));
    const statuses = responses.map((r) => r.status);
    assert.deepEqual(new Set(statuses), new Set([200]), responses.find((r) => r.status !== 200)?.text);
    const ids = new Set(responses.map((r) => r.json.ContactId as string));
    assert.equal(ids.size, 1);
    await app.advance(5_000);
    assert.equal(app.dials.length, 1);
    assert.equal(app.dials[0]?.contactId, [...ids][0]);
  });

  it('keeps tokens per instance', async () => {
    app = await startTestApp();
    const other = ok(await app.request(ops.createInstance({ InstanceAlias: 'other' }))).Id as string;
    const flow = ok(await app.request(ops.createContactFlow(other, { Name: 'Outbound' }))).ContactFlowId as string;
    ok(await app.request(ops.claimPhoneNumber({ InstanceId: other, PhoneNumber: '+12065550188' })));

    const demoContact = await startCall(app, CALLEE.noAnswer, { ClientToken: 'shared-token' });
    const otherContact = await startCall(app, CALLEE.noAnswer, {
      ClientToken: 'shared-token',
      InstanceId: other,
      ContactFlowId: flow,
      SourcePhoneNumber: '+12065550188',
    });
    assert.notEqual(otherContact, demoContact);
    assert.equal((await describeContact(app, otherContact, other)).SystemEndpoint.Address, '+12065550188');
    await app.advance(1_000);
    assert.equal(app.dials.length, 2);
  });

  it('forgets a token after 7 days, so it starts a new contact even while the first is still live', async () => {
    app = await startTestApp({}, { flows: keepOpenFlows });
    const first = await startCall(app, CALLEE.answers, { ClientToken: 'weekly' });
    await app.advance(7 * DAY - MINUTE);
    const connected = await describeContact(app, first);
    assert.equal(typeof connected.ConnectedToSystemTimestamp, 'number');
    assert.equal(connected.DisconnectTimestamp, undefined);
    assert.equal(await startCall(app, CALLEE.answers, { ClientToken: 'weekly' }), first);

    await app.advance(2 * MINUTE);
    const second = await startCall(app, CALLEE.answers, { ClientToken: 'weekly' });
    assert.notEqual(second, first);
    await app.advance(5_000);
    assert.deepEqual(
      app.dials.map((d) => d.contactId),
      [first, second],
    );
    assert.equal((await describeContact(app, first)).DisconnectTimestamp, undefined, 'the first contact is untouched');
    // The new contact now holds the token.
    assert.equal(await startCall(app, CALLEE.answers, { ClientToken: 'weekly' }), second);
  });

  it('leaves a token free when its request was refused for the concurrency quota', async () => {
    app = await startTestApp({ quotas: { concurrentActiveCallsPerInstance: 1 } });
    const holder = await startCall(app, CALLEE.noAnswer);
    assertError(
      await app.request(ops.startOutboundVoiceContact(outboundCall(CALLEE.noAnswer, { ClientToken: 'later' }))),
      429,
      'LimitExceededException',
    );
    ok(await app.request(ops.stopContact(holder)));
    const admitted = await startCall(app, CALLEE.noAnswer, { ClientToken: 'later' });
    assert.notEqual(admitted, holder);
    await app.advance(1_000);
    assert.deepEqual(
      app.dials.map((d) => d.contactId),
      [admitted],
    );
  });
});
