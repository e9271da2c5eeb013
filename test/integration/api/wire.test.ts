import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { assertError, assertErrorCode, CALLEE, describeContact, instanceArn, label, ok, ops, outboundCall, pluck, startCall, UUID } from '../../helpers/connect.js';
import { DEMO, startTestApp, type ApiRequest, type TestApp } from '../../helpers/test-app.js';

const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the restJson1 wire protocol', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp({ bodyLimitBytes: 64 * 1024 });
  });
  afterEach(() => app.close());

  /** Fails unless the server still serves an ordinary signed request. */
  async function assertStillServing(): Promise<void> {
    assert.equal(ok(await app.request(ops.describeInstance(DEMO.instanceId))).Instance.Id, DEMO.instanceId);
  }

  describe('request ids', () => {
    it('puts a distinct x-amzn-RequestId on every success, error and unrouted request', async () => {
      const responses = [
        await app.request(ops.describeInstance(DEMO.instanceId)),
        await app.request(ops.describeInstance('no-such-instance')),
        await app.request({ method: 'GET', path: '/no/such/operation' }),
        await app.unsigned(ops.describeInstance(DEMO.instanceId)),
        await app.unsigned({ method: 'GET', path: '/health' }),
      ];
      const ids = responses.map((r) => r.headers['x-amzn-requestid']);
      for (const id of ids) assert.match(String(id), REQUEST_ID);
      assert.equal(new Set(ids).size, ids.length);
    });
  });

  describe('errors', () => {
    it('names the error code in x-amzn-errortype and __type and the text in Message and message', async () => {
      const response = await app.request(ops.describeInstance('no-such-instance'));
      assertError(response, 404, 'ResourceNotFoundException', /no-such-instance/);
      assert.match(String(response.headers['content-type']), /^application\/json/);
    });

    it('puts the text in Message as well as message on errors with modeled members (InvalidContactFlowException)', async () => {
      const response = await app.request({
        method: 'PUT',
        path: `/contact-flows/${DEMO.instanceId}`,
        body: { Name: 'Broken', Type: 'CONTACT_FLOW', Content: '{}' },
      });
      assertErrorCode(response, 400, 'InvalidContactFlowException');
      assert.ok(Array.isArray(response.json.problems));
      assert.equal(response.json.Message, response.json.message, response.text);
    });

    it('answers malformed JSON with 400 SerializationException', async () => {
      const response = await app.request({ method: 'PUT', path: '/contact/outbound-voice', body: '{"InstanceId": ' });
      assertError(response, 400, 'SerializationException');
      await assertStillServing();
    });

    it('answers a body that is not UTF-8 with 400 SerializationException', async () => {
      const body = Buffer.concat([Buffer.from('{"Name":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
      const response = await app.request({ method: 'PUT', path: '/contact/outbound-voice', body });
      assertError(response, 400, 'SerializationException', /UTF-8/);
      await assertStillServing();
    });

    it('answers a JSON array body with 400 SerializationException', async () => {
      const response = await app.request({ method: 'PUT', path: '/contact/outbound-voice', body: '[{"InstanceId":"x"}]' });
      assertError(response, 400, 'SerializationException', /JSON object/);
      await assertStillServing();
    });

    it('answers a JSON scalar body with 400 SerializationException', async () => {
      const response = await app.request({ method: 'POST', path: '/contact/stop', body: '"stop"' });
      assertError(response, 400, 'SerializationException');
    });

    it('answers a text/plain body with 415 UnsupportedMediaTypeException and dials nothing', async () => {
      const response = await app.request({
        method: 'PUT',
        path: '/contact/outbound-voice',
        body: JSON.stringify(outboundCall(CALLEE.answers)),
        headers: { 'content-type': 'text/plain' },
      });
      assertError(response, 415, 'UnsupportedMediaTypeException');
      await app.advance(5_000);
      assert.equal(app.dials.length, 0);
      await assertStillServing();
    });

    it('answers a body over bodyLimitBytes with 413 RequestEntityTooLargeException', async () => {
      const body = outboundCall(CALLEE.answers, { Description: 'x'.repeat(65 * 1024) });
      const response = await app.request(ops.startOutboundVoiceContact(body));
      assertError(response, 413, 'RequestEntityTooLargeException', /65536/);
      await app.advance(5_000);
      assert.equal(app.dials.length, 0);
      await assertStillServing();
    });

    it('answers an unknown path with 404 UnknownOperationException', async () => {
      const response = await app.request({ method: 'POST', path: '/contact/teleport', body: {} });
      assertError(response, 404, 'UnknownOperationException', /POST \/contact\/teleport/);
      await assertStillServing();
    });

    it('answers a known path under the wrong method with 404 UnknownOperationException', async () => {
      for (const request of [
        { method: 'GET', path: '/contact/outbound-voice' },
        { method: 'DELETE', path: `/instance/${DEMO.instanceId}` },
        { method: 'PUT', path: '/contact/stop', body: {} },
      ] satisfies ApiRequest[]) {
        assertError(await app.request(request), 404, 'UnknownOperationException');
      }
      await assertStillServing();
    });
  });

  describe('input', () => {
    it('ignores JSON members the model does not define', async () => {
      const contactId = await startCall(app, CALLEE.noAnswer, { NotAConnectMember: { nested: [1, 2, 3] }, instanceId: 'lower-case' });
      const contact = await describeContact(app, contactId);
      assert.equal(contact.CustomerEndpoint.Address, CALLEE.noAnswer);
      assert.equal(contact.NotAConnectMember, undefined);
    });

    it('refuses 10,000 attributes with 400 InvalidParameterException and admits no contact', async () => {
      await app.close();
      app = await startTestApp({ quotas: { concurrentActiveCallsPerInstance: 1 } });
      const attributes = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`key${i}`, 'value']));
      const response = await app.request(ops.startOutboundVoiceContact(outboundCall(CALLEE.noAnswer, { Attributes: attributes })));
      assertError(response, 400, 'InvalidParameterException', /32768/);
      await app.advance(1_000);
      assert.equal(app.dials.length, 0);
      // The one concurrent-call slot is still free.
      await startCall(app, CALLEE.noAnswer);
    });

    it('counts the attribute limit in UTF-8 bytes, not characters', async () => {
      await app.close();
      app = await startTestApp({ quotas: { concurrentActiveCallsPerInstance: 1 } });
      // 20,000 characters pass the model's 32,767-character limit but take 40,000 bytes.
      const response = await app.request(
        ops.startOutboundVoiceContact(outboundCall(CALLEE.noAnswer, { Attributes: { note: 'é'.repeat(20_000) } })),
      );
      assertError(response, 400, 'InvalidParameterException', /40004 bytes/);
      await startCall(app, CALLEE.noAnswer, { Attributes: { note: 'x'.repeat(32_768 - 4) } });
    });
  });

  describe('instance ARNs', () => {
    const arn = instanceArn(DEMO.instanceId);

    it('accepts an instance ARN, percent-encoded, as the InstanceId URI label', async () => {
      const instance = ok(await app.request(ops.describeInstance(arn))).Instance;
      assert.equal(instance.Id, DEMO.instanceId);
      assert.ok(label(arn).includes('%2F'));
      const queues = ok(await app.request(ops.listQueues(arn))).QueueSummaryList;
      assert.deepEqual(
        pluck(queues, 'Id'),
        [DEMO.queueId],
      );
      const contactId = await startCall(app, CALLEE.noAnswer);
      assert.equal((await describeContact(app, contactId, arn)).Id, contactId);
      assert.deepEqual(ok(await app.request(ops.getContactAttributes(contactId, arn))).Attributes, {});
    });

    it('accepts an instance ARN as the InstanceId body member', async () => {
      const started = ok(
        await app.request(ops.startOutboundVoiceContact(outboundCall(CALLEE.noAnswer, { InstanceId: arn }))),
      );
      assert.match(started.ContactId, UUID);
      const contact = await describeContact(app, started.ContactId);
      assert.equal(contact.Arn, `${arn}/contact/${started.ContactId}`);
      ok(await app.request(ops.updateContactAttributes(started.ContactId, { via: 'arn' }, arn)));
      ok(await app.request(ops.stopContact(started.ContactId, arn)));
      assert.equal((await describeContact(app, started.ContactId)).DisconnectReason, 'OTHER');
      assert.deepEqual((await describeContact(app, started.ContactId)).Attributes, { via: 'arn' });
    });
  });

  describe('robustness', () => {
    it('answers a good request after each kind of bad one', async () => {
      const bad: ApiRequest[] = [
        { method: 'PUT', path: '/contact/outbound-voice', body: '{' },
        { method: 'PUT', path: '/contact/outbound-voice', body: Buffer.from([0xff, 0xfe, 0xfd]) },
        { method: 'PUT', path: '/contact/outbound-voice', body: '[]' },
        { method: 'PUT', path: '/contact/outbound-voice', body: 'hello', headers: { 'content-type': 'text/plain' } },
        { method: 'PUT', path: '/contact/outbound-voice', body: { Description: 'x'.repeat(70_000) } },
        { method: 'PUT', path: '/contact/outbound-voice', body: {} },
        { method: 'PUT', path: '/contact/outbound-voice', body: outboundCall('not-a-number') },
        { method: 'GET', path: '/instance', query: { maxResults: 'ten' } },
        { method: 'PATCH', path: '/instance' },
      ];
      for (const request of bad) {
        const response = await app.request(request);
        assert.ok(response.status >= 400 && response.status < 500, `${request.method} ${request.path}: ${response.status} ${response.text}`);
        assert.equal(typeof response.json?.__type, 'string', response.text);
        assert.match(String(response.headers['x-amzn-requestid']), REQUEST_ID);
        await assertStillServing();
      }
    });
  });

  describe('malformed paths', () => {
    it('answers a path with broken percent-encoding with a Connect-shaped 400 that carries a request id', async () => {
      for (const path of ['/instance/%', `/contacts/${DEMO.instanceId}/%E0%A4%A`, '/contacts/%ZZ/abc']) {
        const response = await app.request({ method: 'GET', path });
        const context = `${path}: ${response.text}`;
        assert.equal(response.status, 400, context);
        assert.match(String(response.headers['x-amzn-requestid']), REQUEST_ID, context);
        assert.equal(typeof response.json?.__type, 'string', context);
        assert.equal(response.headers['x-amzn-errortype'], response.json.__type, context);
        assert.equal(response.json.Message, response.json.message, context);
        await assertStillServing();
      }
    });
  });

  describe('health', () => {
    it('answers GET /health without a signature', async () => {
      const response = await app.unsigned({ method: 'GET', path: '/health' });
      assert.equal(response.status, 200);
      assert.deepEqual(response.json, { status: 'ok' });
    });
  });
});
