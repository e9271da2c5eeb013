import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { assertError, CALLEE, describeContact, instanceArn, ok, ops, outboundCall, startCall, VALID_FLOW } from '../../helpers/connect.js';
import { DEMO, startTestApp, type TestApp } from '../../helpers/test-app.js';
import { VirtualClock } from '../../../src/shared/clock.js';

const UNKNOWN = '11111111-2222-4333-8444-555555555555';

describe('StartOutboundVoiceContact errors', () => {
  let app: TestApp;
  afterEach(() => app.close());

  /** Sends StartOutboundVoiceContact for `destination` with `extra` members. */
  const start = (destination: string, extra: Record<string, unknown> = {}) =>
    app.request(ops.startOutboundVoiceContact(outboundCall(destination, extra)));

  /** Sends the request once earlier calls were dialed, asserts the refusal, then that nothing was dialed for it. */
  async function assertRefused(
    send: () => ReturnType<typeof start>,
    status: number,
    code: string,
    message?: RegExp,
  ): Promise<void> {
    await app.settle();
    const dialsBefore = app.dials.length;
    assertError(await send(), status, code, message);
    await app.advance(1_000);
    assert.equal(app.dials.length, dialsBefore, 'a refused request dials nothing');
  }

  describe('ResourceNotFoundException (404)', () => {
    it('names an unknown instance', async () => {
      app = await startTestApp();
      await assertRefused(() => start(CALLEE.answers, { InstanceId: UNKNOWN }), 404, 'ResourceNotFoundException', /Instance not found/);
    });

    it('names an unknown contact flow, or a flow of another instance', async () => {
      app = await startTestApp();
      await assertRefused(() => start(CALLEE.answers, { ContactFlowId: UNKNOWN }), 404, 'ResourceNotFoundException', /flow not found/);
      const other = ok(await app.request(ops.createInstance({ InstanceAlias: 'other' }))).Id as string;
      const theirs = ok(await app.request(ops.createContactFlow(other, { Name: 'Theirs' })));
      await assertRefused(() => start(CALLEE.answers, { ContactFlowId: theirs.ContactFlowArn }), 404, 'ResourceNotFoundException');
      await assertRefused(() => start(CALLEE.answers, { ContactFlowId: theirs.ContactFlowId }), 404, 'ResourceNotFoundException');
    });

    it('names an unknown queue', async () => {
      app = await startTestApp();
      await assertRefused(
        () => start(CALLEE.answers, { SourcePhoneNumber: undefined, QueueId: UNKNOWN }),
        404,
        'ResourceNotFoundException',
        /Queue not found/,
      );
    });

    it('names a SourcePhoneNumber the instance has not claimed, even when another instance holds it', async () => {
      app = await startTestApp();
      await assertRefused(() => start(CALLEE.answers, { SourcePhoneNumber: '+12065550177' }), 404, 'ResourceNotFoundException', /not claimed/);
      const other = ok(await app.request(ops.createInstance({ InstanceAlias: 'other' }))).Id as string;
      ok(await app.request(ops.claimPhoneNumber({ InstanceId: other, PhoneNumber: '+12065550178' })));
      await assertRefused(() => start(CALLEE.answers, { SourcePhoneNumber: '+12065550178' }), 404, 'ResourceNotFoundException');
    });

    it('names an unknown RelatedContactId', async () => {
      app = await startTestApp();
      await assertRefused(() => start(CALLEE.answers, { RelatedContactId: UNKNOWN }), 404, 'ResourceNotFoundException', /Related contact/);
    });
  });

  describe('InvalidParameterException (400)', () => {
    it('refuses a destination that is not E.164', async () => {
      app = await startTestApp();
      for (const destination of ['12065550100', '+0206555010', '+1 206 555 0100', '+1206555010012345']) {
        await assertRefused(() => start(destination), 400, 'InvalidParameterException', /destinationPhoneNumber/);
      }
    });

    it('refuses RingTimeoutInSeconds below 15 and above 60', async () => {
      app = await startTestApp();
      await assertRefused(
        () => start(CALLEE.answers, { RingTimeoutInSeconds: 14 }),
        400,
        'InvalidParameterException',
        /ringTimeoutInSeconds.*greater than or equal to 15/,
      );
      await assertRefused(
        () => start(CALLEE.answers, { RingTimeoutInSeconds: 61 }),
        400,
        'InvalidParameterException',
        /ringTimeoutInSeconds.*less than or equal to 60/,
      );
    });

    it('refuses answering-machine detection without TrafficType CAMPAIGN', async () => {
      app = await startTestApp({ quotas: { concurrentCampaignActiveCallsPerInstance: 5 } });
      await assertRefused(
        () => start(CALLEE.answers, { AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: true } }),
        400,
        'InvalidParameterException',
        /CAMPAIGN/,
      );
      await assertRefused(
        () => start(CALLEE.answers, { TrafficType: 'GENERAL', AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: true } }),
        400,
        'InvalidParameterException',
      );
    });

    it('refuses a request with neither SourcePhoneNumber nor QueueId', async () => {
      app = await startTestApp();
      await assertRefused(
        () => start(CALLEE.answers, { SourcePhoneNumber: undefined }),
        400,
        'InvalidParameterException',
        /SourcePhoneNumber or QueueId/,
      );
    });

    it('refuses an attribute key outside letters, digits, "-" and "_"', async () => {
      app = await startTestApp();
      await assertRefused(() => start(CALLEE.answers, { Attributes: { 'customer id': '42' } }), 400, 'InvalidParameterException', /customer id/);
    });

    it('refuses an OutboundStrategy without TrafficType CAMPAIGN', async () => {
      app = await startTestApp();
      await assertRefused(
        () => start(CALLEE.answers, { OutboundStrategy: { Type: 'AGENT_FIRST' } }),
        400,
        'InvalidParameterException',
        /OutboundStrategy/,
      );
    });

    it('refuses a request missing a required member, naming it', async () => {
      app = await startTestApp();
      await assertRefused(() => start(CALLEE.answers, { ContactFlowId: undefined }), 400, 'InvalidParameterException', /contactFlowId.*must not be null/);
    });
  });

  describe('InvalidRequestException (400)', () => {
    it('refuses a queue that has no outbound caller ID number', async () => {
      app = await startTestApp();
      const queue = ok(await app.request(ops.createQueue(DEMO.instanceId, { Name: 'No caller ID', HoursOfOperationId: DEMO.hoursId })));
      await assertRefused(
        () => start(CALLEE.answers, { SourcePhoneNumber: undefined, QueueId: queue.QueueId }),
        400,
        'InvalidRequestException',
        /no outbound caller ID/,
      );
    });

    it('refuses a flow that is SAVED but not published', async () => {
      app = await startTestApp();
      const draft = ok(await app.request(ops.createContactFlow(DEMO.instanceId, { Name: 'Draft', Status: 'SAVED', Content: VALID_FLOW })));
      await assertRefused(() => start(CALLEE.answers, { ContactFlowId: draft.ContactFlowId }), 400, 'InvalidRequestException', /not published/);
    });
  });

  describe('OutboundContactNotPermittedException (403)', () => {
    it('refuses calls on an instance with outbound calls disabled', async () => {
      app = await startTestApp();
      ok(await app.request(ops.updateInstanceAttribute(DEMO.instanceId, 'OUTBOUND_CALLS', 'false')));
      await assertRefused(() => start(CALLEE.answers), 403, 'OutboundContactNotPermittedException', /OUTBOUND_CALLS/);
    });

    it('refuses CAMPAIGN traffic while the campaign quota is 0', async () => {
      app = await startTestApp();
      await assertRefused(
        () => start(CALLEE.answers, { TrafficType: 'CAMPAIGN' }),
        403,
        'OutboundContactNotPermittedException',
        /concurrentCampaignActiveCallsPerInstance/,
      );
    });
  });

  describe('DestinationNotAllowedException (403)', () => {
    it('refuses a destination on a blocked prefix (UK mobile +447)', async () => {
      app = await startTestApp();
      await assertRefused(() => start('+447700900123'), 403, 'DestinationNotAllowedException', /\+447/);
    });

    it('refuses a country outside the allow-list (+49)', async () => {
      app = await startTestApp();
      await assertRefused(() => start('+4930123456'), 403, 'DestinationNotAllowedException', /\+4930123456/);
    });

    it('lets a UK landline through, since only the blocked ranges are refused', async () => {
      app = await startTestApp();
      await startCall(app, '+442071838750');
    });
  });

  describe('LimitExceededException (429)', () => {
    it('refuses a third live call under a quota of 2, and admits one once a slot is freed', async () => {
      app = await startTestApp({ quotas: { concurrentActiveCallsPerInstance: 2 } });
      const first = await startCall(app, CALLEE.noAnswer);
      await startCall(app, CALLEE.noAnswer, { RingTimeoutInSeconds: 20 });
      await assertRefused(() => start(CALLEE.noAnswer), 429, 'LimitExceededException', /limit of 2 concurrent active calls/);

      ok(await app.request(ops.stopContact(first)));
      const third = await startCall(app, CALLEE.noAnswer);
      await assertRefused(() => start(CALLEE.noAnswer), 429, 'LimitExceededException');

      // The second call's ring timeout (20 s) frees its slot without any API call.
      await app.advance(20_000);
      await startCall(app, CALLEE.noAnswer);
      assert.equal((await describeContact(app, third)).DisconnectTimestamp, undefined);
    });

    it('admits exactly the quota out of 30 concurrent requests and refuses the rest', async () => {
      app = await startTestApp({ quotas: { concurrentActiveCallsPerInstance: 10 } });
      const responses = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          app.request(ops.startOutboundVoiceContact(outboundCall(CALLEE.noAnswer, { ClientToken: `token-${i}` }))),
        ),
      );
      const admitted = responses.filter((r) => r.status === 200);
      assert.equal(admitted.length, 10);
      for (const refused of responses.filter((r) => r.status !== 200)) assertError(refused, 429, 'LimitExceededException');
      await app.advance(1_000);
      assert.deepEqual(
        app.dials.map((d) => d.contactId).sort(),
        admitted.map((r) => r.json.ContactId as string).sort(),
      );
    });

    it('counts campaign calls against their own quota', async () => {
      app = await startTestApp({ quotas: { concurrentActiveCallsPerInstance: 1, concurrentCampaignActiveCallsPerInstance: 1 } });
      await startCall(app, CALLEE.noAnswer, { TrafficType: 'CAMPAIGN' });
      await assertRefused(() => start(CALLEE.noAnswer, { TrafficType: 'CAMPAIGN' }), 429, 'LimitExceededException', /campaign/);
      await startCall(app, CALLEE.noAnswer);
      await assertRefused(() => start(CALLEE.noAnswer), 429, 'LimitExceededException');
    });
  });

  describe('TooManyRequestsException (429)', () => {
    it('throttles the sixth immediate call under 2 per second with a burst of 5, and admits one more 500 ms later', async () => {
      const apiClock = new VirtualClock();
      app = await startTestApp({ rateLimitDisabled: false, rateLimit: { ratePerSecond: 2, burst: 5 } }, { apiClock });
      for (let i = 0; i < 5; i++) await startCall(app, CALLEE.noAnswer);
      await assertRefused(() => start(CALLEE.noAnswer), 429, 'TooManyRequestsException', /Rate exceeded/);
      // Other operations have their own buckets.
      ok(await app.request(ops.describeInstance(DEMO.instanceId)));

      apiClock.advance(500);
      await startCall(app, CALLEE.noAnswer);
      await assertRefused(() => start(CALLEE.noAnswer), 429, 'TooManyRequestsException');
      assert.equal(app.dials.length, 6);
    });

    it('answers throttled operations that model ThrottlingException with ThrottlingException', async () => {
      const apiClock = new VirtualClock();
      app = await startTestApp({ rateLimitDisabled: false, rateLimit: { ratePerSecond: 1, burst: 1 } }, { apiClock });
      ok(await app.request(ops.describeContactFlow(DEMO.instanceId, DEMO.flowId)));
      assertError(await app.request(ops.describeContactFlow(DEMO.instanceId, DEMO.flowId)), 429, 'ThrottlingException');
    });
  });

  describe('InternalServiceException (500)', () => {
    it('answers a store failure with 500, the request id in the message and no stack in the body', async () => {
      app = await startTestApp();
      await app.outdial.store.close();
      const response = await start(CALLEE.answers);
      assertError(response, 500, 'InternalServiceException');
      const requestId = String(response.headers['x-amzn-requestid']);
      assert.equal(response.json.message, `Internal error. Request id: ${requestId}`);
      assert.deepEqual(Object.keys(response.json).sort(), ['Message', '__type', 'message']);
      assert.doesNotMatch(response.text, /\bat \S+ \(|node_modules|\.ts:\d+|destroyed/i);
      assert.equal(app.dials.length, 0);
    });
  });

  describe('instance ARNs', () => {
    it('accepts a flow ARN and a queue ARN of the instance', async () => {
      app = await startTestApp();
      const flowArn = `${instanceArn(DEMO.instanceId)}/contact-flow/${DEMO.flowId}`;
      const queueArn = `${instanceArn(DEMO.instanceId)}/queue/${DEMO.queueId}`;
      const contactId = await startCall(app, CALLEE.answers, { ContactFlowId: flowArn, SourcePhoneNumber: undefined, QueueId: queueArn });
      assert.equal((await describeContact(app, contactId)).QueueInfo.Id, DEMO.queueId);
    });
  });
});
