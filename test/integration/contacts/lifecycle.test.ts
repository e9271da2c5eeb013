import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { assertError, CALLEE, describeContact, ok, ops, startCall } from '../../helpers/connect.js';
import { DEMO, keepOpenFlows, startTestApp, type TestApp } from '../../helpers/test-app.js';
import type { FlowRunner } from '../../../src/services/flow-runner.js';

describe('the outbound contact lifecycle on the simulated network', () => {
  let app: TestApp;
  afterEach(() => app.close());

  /** Epoch seconds `ms` after `start`. */
  const at = (start: number, ms = 0) => (start + ms) / 1000;

  describe('an answered call', () => {
    it('rings, connects when the callee answers, plays the demo flow and ends with CONTACT_FLOW_DISCONNECT when the flow hangs up', async () => {
      app = await startTestApp();
      const t0 = app.clock.now();
      const contactId = await startCall(app, CALLEE.answers);

      await app.advance(1_999);
      const ringing = await describeContact(app, contactId);
      assert.equal(ringing.RingStartTimestamp, at(t0));
      assert.equal(ringing.ConnectedToSystemTimestamp, undefined);
      assert.equal(ringing.DisconnectTimestamp, undefined);
      assert.equal(ringing.DisconnectReason, undefined);
      assert.equal(app.activeCalls(), 1);

      await app.advance(1);
      const connected = await describeContact(app, contactId);
      assert.equal(connected.ConnectedToSystemTimestamp, at(t0, 2_000));
      assert.equal(connected.DisconnectTimestamp, undefined, 'the demo flow is still speaking');

      // The demo prompt has 9 words: 3.6 s at the simulated network's speaking rate.
      await app.advance(3_600);
      const ended = await describeContact(app, contactId);
      assert.deepEqual(ended, {
        Arn: `arn:aws:connect:us-east-1:000000000000:instance/${DEMO.instanceId}/contact/${contactId}`,
        Id: contactId,
        InitialContactId: contactId,
        InitiationMethod: 'API',
        Channel: 'VOICE',
        CustomerEndpoint: { Type: 'TELEPHONE_NUMBER', Address: CALLEE.answers },
        SystemEndpoint: { Type: 'TELEPHONE_NUMBER', Address: DEMO.callerIdNumber },
        InitiationTimestamp: at(t0),
        RingStartTimestamp: at(t0),
        ConnectedToSystemTimestamp: at(t0, 2_000),
        DisconnectTimestamp: at(t0, 5_600),
        LastUpdateTimestamp: at(t0, 5_600),
        DisconnectReason: 'CONTACT_FLOW_DISCONNECT',
        Attributes: {},
      });
      assert.equal(app.activeCalls(), 0);
      assert.equal(app.dials.length, 1);
      assert.deepEqual(app.dials[0], {
        contactId,
        instanceId: DEMO.instanceId,
        to: CALLEE.answers,
        from: DEMO.callerIdNumber,
        answeringMachineDetection: { enabled: false, awaitPrompt: false },
      });
    });

    it('shows QueueInfo and the queue caller number when the call is placed through a queue', async () => {
      app = await startTestApp();
      const contactId = await startCall(app, CALLEE.answers, { SourcePhoneNumber: undefined, QueueId: DEMO.queueId });
      await app.advance(3_000);
      const contact = await describeContact(app, contactId);
      assert.equal(contact.QueueInfo.Id, DEMO.queueId);
      assert.equal(contact.SystemEndpoint.Address, DEMO.callerIdNumber);
      assert.equal(app.dials[0]?.from, DEMO.callerIdNumber);
    });

    it('returns the Name, Description, References, RelatedContactId, Campaign and Attributes it was started with', async () => {
      app = await startTestApp();
      const first = await startCall(app, CALLEE.answers);
      const references = { ticket: { Type: 'URL', Value: 'https://example.com/t/1' } };
      const contactId = await startCall(app, CALLEE.answers, {
        Name: 'Reminder',
        Description: 'Appointment reminder',
        References: references,
        RelatedContactId: first,
        CampaignId: 'spring-campaign',
        Attributes: { customerId: '42', locale: 'en-US' },
      });
      const contact = await describeContact(app, contactId);
      assert.equal(contact.Name, 'Reminder');
      assert.equal(contact.Description, 'Appointment reminder');
      assert.deepEqual(contact.References, references);
      assert.equal(contact.RelatedContactId, first);
      assert.deepEqual(contact.Campaign, { CampaignId: 'spring-campaign' });
      assert.deepEqual(contact.Attributes, { customerId: '42', locale: 'en-US' });
      assert.equal(contact.AnsweringMachineDetectionStatus, undefined);
      assert.equal(contact.QueueInfo, undefined);
    });

    it('ends with CUSTOMER_DISCONNECT when the callee hangs up while the flow keeps the call open', async () => {
      app = await startTestApp({}, { flows: keepOpenFlows });
      const t0 = app.clock.now();
      const contactId = await startCall(app, CALLEE.hangsUpAfter10s);
      await app.advance(11_999);
      const connected = await describeContact(app, contactId);
      assert.equal(connected.ConnectedToSystemTimestamp, at(t0, 2_000));
      assert.equal(connected.DisconnectTimestamp, undefined);
      assert.equal(app.activeCalls(), 1);

      await app.advance(1);
      const ended = await describeContact(app, contactId);
      assert.equal(ended.DisconnectReason, 'CUSTOMER_DISCONNECT');
      assert.equal(ended.DisconnectTimestamp, at(t0, 12_000));
      assert.equal(app.activeCalls(), 0);
    });

    it('lets the flow play prompts and hang up when a prompt has finished', async () => {
      const promptThenHangUp: FlowRunner = {
        start(_contact, controls) {
          controls.play({ text: 'Your appointment is tomorrow at nine' }); // 6 words at 400 ms: 2.4 s
          return { digits: () => {}, promptFinished: () => controls.disconnect(), attributesChanged: () => {}, ended: () => {} };
        },
      };
      app = await startTestApp({}, { flows: promptThenHangUp });
      const t0 = app.clock.now();
      const contactId = await startCall(app, CALLEE.answers);
      await app.advance(10_000);
      const contact = await describeContact(app, contactId);
      assert.equal(contact.DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
      assert.equal(contact.DisconnectTimestamp, at(t0, 2_000 + 2_400));
    });
  });

  describe('calls that are never answered', () => {
    it('ends a busy line with TELECOM_BUSY and no ConnectedToSystemTimestamp', async () => {
      app = await startTestApp();
      const t0 = app.clock.now();
      const contactId = await startCall(app, CALLEE.busy);
      await app.advance(5_000);
      const contact = await describeContact(app, contactId);
      assert.equal(contact.DisconnectReason, 'TELECOM_BUSY');
      assert.equal(contact.ConnectedToSystemTimestamp, undefined);
      assert.equal(contact.DisconnectTimestamp, at(t0, 300));
      assert.equal(app.activeCalls(), 0);
    });

    it('rings for the full RingTimeoutInSeconds and ends with TELECOM_UNANSWERED exactly then', async () => {
      app = await startTestApp();
      const t0 = app.clock.now();
      const contactId = await startCall(app, CALLEE.noAnswer, { RingTimeoutInSeconds: 15 });
      await app.advance(14_900);
      const ringing = await describeContact(app, contactId);
      assert.equal(ringing.RingStartTimestamp, at(t0));
      assert.equal(ringing.DisconnectTimestamp, undefined);
      assert.equal(app.activeCalls(), 1);

      await app.advance(100);
      const ended = await describeContact(app, contactId);
      assert.equal(ended.DisconnectReason, 'TELECOM_UNANSWERED');
      assert.equal(ended.DisconnectTimestamp, at(t0, 15_000));
      assert.equal(ended.ConnectedToSystemTimestamp, undefined);
      assert.equal(app.activeCalls(), 0, 'the unanswered call is cancelled on the network');
    });

    it('rings for 60 seconds when no RingTimeoutInSeconds is given', async () => {
      app = await startTestApp();
      const t0 = app.clock.now();
      const contactId = await startCall(app, CALLEE.noAnswer);
      await app.advance(59_999);
      assert.equal((await describeContact(app, contactId)).DisconnectTimestamp, undefined);
      await app.advance(1);
      const ended = await describeContact(app, contactId);
      assert.equal(ended.DisconnectReason, 'TELECOM_UNANSWERED');
      assert.equal(ended.DisconnectTimestamp, at(t0, 60_000));
    });

    it('ends a declined call after its ringing with TELECOM_BUSY', async () => {
      app = await startTestApp();
      const t0 = app.clock.now();
      const contactId = await startCall(app, CALLEE.declines);
      await app.advance(2_999);
      assert.equal((await describeContact(app, contactId)).DisconnectTimestamp, undefined);
      await app.advance(1);
      const contact = await describeContact(app, contactId);
      assert.equal(contact.DisconnectReason, 'TELECOM_BUSY');
      assert.equal(contact.DisconnectTimestamp, at(t0, 3_000));
      assert.equal(contact.ConnectedToSystemTimestamp, undefined);
    });

    it('ends a call to an unreachable number with TELECOM_NUMBER_INVALID', async () => {
      app = await startTestApp();
      const contactId = await startCall(app, CALLEE.unreachable);
      await app.advance(1_000);
      const contact = await describeContact(app, contactId);
      assert.equal(contact.DisconnectReason, 'TELECOM_NUMBER_INVALID');
      assert.equal(contact.ConnectedToSystemTimestamp, undefined);
    });

    it('ends a call the carrier fails with TELECOM_PROBLEM', async () => {
      app = await startTestApp();
      const t0 = app.clock.now();
      const contactId = await startCall(app, CALLEE.carrierError);
      await app.advance(5_000);
      const contact = await describeContact(app, contactId);
      assert.equal(contact.DisconnectReason, 'TELECOM_PROBLEM');
      assert.equal(contact.DisconnectTimestamp, at(t0, 1_000));
    });
  });

  describe('answering-machine detection', () => {
    const campaign = { quotas: { concurrentCampaignActiveCallsPerInstance: 5 } };
    const amd = (extra: Record<string, unknown> = {}) => ({
      TrafficType: 'CAMPAIGN',
      AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: true, ...extra },
    });

    it('reports VOICEMAIL_BEEP for an answering machine on a CAMPAIGN call with AMD', async () => {
      app = await startTestApp(campaign);
      const contactId = await startCall(app, CALLEE.machine, amd());
      await app.advance(10_000);
      const contact = await describeContact(app, contactId);
      assert.equal(contact.AnsweringMachineDetectionStatus, 'VOICEMAIL_BEEP');
      assert.equal(typeof contact.ConnectedToSystemTimestamp, 'number');
      assert.deepEqual(app.dials[0]?.answeringMachineDetection, { enabled: true, awaitPrompt: false });
    });

    it('connects only after the greeting when AwaitAnswerMachinePrompt is set', async () => {
      app = await startTestApp(campaign);
      const t0 = app.clock.now();
      const contactId = await startCall(app, CALLEE.machine, amd({ AwaitAnswerMachinePrompt: true }));
      await app.advance(20_000);
      const contact = await describeContact(app, contactId);
      assert.equal(contact.AnsweringMachineDetectionStatus, 'VOICEMAIL_BEEP');
      assert.equal(contact.ConnectedToSystemTimestamp, at(t0, 2_000 + 6_000));
    });

    it('does not time out a machine that picked up while the engine waits for its long greeting', async () => {
      const longGreeting = { match: '+15550000777', outcome: 'machine', ringSeconds: 2, greetingSeconds: 20 };
      app = await startTestApp({ ...campaign, network: { callees: [longGreeting] } });
      const t0 = app.clock.now();
      const contactId = await startCall(app, '+15550000777', { ...amd({ AwaitAnswerMachinePrompt: true }), RingTimeoutInSeconds: 15 });
      await app.advance(30_000);
      const contact = await describeContact(app, contactId);
      assert.equal(contact.AnsweringMachineDetectionStatus, 'VOICEMAIL_BEEP');
      assert.equal(contact.ConnectedToSystemTimestamp, at(t0, 2_000 + 20_000));
      assert.notEqual(contact.DisconnectReason, 'TELECOM_UNANSWERED');
    });

    it('reports HUMAN_ANSWERED for a person on a CAMPAIGN call with AMD', async () => {
      app = await startTestApp(campaign);
      const contactId = await startCall(app, CALLEE.answers, amd());
      await app.advance(5_000);
      assert.equal((await describeContact(app, contactId)).AnsweringMachineDetectionStatus, 'HUMAN_ANSWERED');
    });

    it('reports SIT_TONE_BUSY and AMD_UNANSWERED for calls that never connect', async () => {
      app = await startTestApp(campaign);
      const busy = await startCall(app, CALLEE.busy, amd());
      const unanswered = await startCall(app, CALLEE.noAnswer, amd({}));
      await app.advance(61_000);
      assert.equal((await describeContact(app, busy)).AnsweringMachineDetectionStatus, 'SIT_TONE_BUSY');
      assert.equal((await describeContact(app, unanswered)).AnsweringMachineDetectionStatus, 'AMD_UNANSWERED');
    });

    it('leaves AnsweringMachineDetectionStatus out of CAMPAIGN calls without AMD', async () => {
      app = await startTestApp(campaign);
      const contactId = await startCall(app, CALLEE.machine, { TrafficType: 'CAMPAIGN' });
      await app.advance(10_000);
      const contact = await describeContact(app, contactId);
      assert.equal(contact.AnsweringMachineDetectionStatus, undefined);
      assert.equal(contact.DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
    });
  });

  describe('StopContact', () => {
    it('ends a ringing contact with DisconnectReason OTHER and cancels its call', async () => {
      app = await startTestApp();
      const t0 = app.clock.now();
      const contactId = await startCall(app, CALLEE.noAnswer);
      await app.advance(5_000);
      assert.equal(app.activeCalls(), 1);
      ok(await app.request(ops.stopContact(contactId)));
      const contact = await describeContact(app, contactId);
      assert.equal(contact.DisconnectReason, 'OTHER');
      assert.equal(contact.DisconnectTimestamp, at(t0, 5_000));
      assert.equal(app.activeCalls(), 0);
      // The ring timer is gone too: nothing rewrites the contact later.
      await app.advance(120_000);
      assert.deepEqual(await describeContact(app, contactId), contact);
    });

    it('hangs up a connected call', async () => {
      app = await startTestApp({}, { flows: keepOpenFlows });
      const contactId = await startCall(app, CALLEE.answers);
      await app.advance(30_000);
      assert.equal(app.activeCalls(), 1);
      ok(await app.request(ops.stopContact(contactId)));
      assert.equal(app.activeCalls(), 0);
      const contact = await describeContact(app, contactId);
      assert.equal(contact.DisconnectReason, 'OTHER');
      assert.equal(typeof contact.ConnectedToSystemTimestamp, 'number');
    });

    it('stops a contact before it was dialed, so it is never dialed', async () => {
      app = await startTestApp();
      const contactId = await startCall(app, CALLEE.answers);
      ok(await app.request(ops.stopContact(contactId)));
      await app.advance(10_000);
      assert.equal(app.dials.length, 0);
      assert.equal((await describeContact(app, contactId)).DisconnectReason, 'OTHER');
    });

    it('answers a second StopContact with 410 ContactNotFoundException', async () => {
      app = await startTestApp();
      const contactId = await startCall(app, CALLEE.noAnswer);
      await app.advance(1_000);
      ok(await app.request(ops.stopContact(contactId)));
      assertError(await app.request(ops.stopContact(contactId)), 410, 'ContactNotFoundException');
    });

    it('answers StopContact on a contact that ended by itself with 410 ContactNotFoundException', async () => {
      app = await startTestApp();
      const contactId = await startCall(app, CALLEE.busy);
      await app.advance(1_000);
      assertError(await app.request(ops.stopContact(contactId)), 410, 'ContactNotFoundException');
      assert.equal((await describeContact(app, contactId)).DisconnectReason, 'TELECOM_BUSY');
    });

    it('answers StopContact on an unknown contact with 410 ContactNotFoundException, as Connect defines it', async () => {
      app = await startTestApp();
      assertError(await app.request(ops.stopContact('11111111-2222-4333-8444-555555555555')), 410, 'ContactNotFoundException');
    });

    it('answers StopContact on an unknown instance with 404 ResourceNotFoundException', async () => {
      app = await startTestApp();
      assertError(
        await app.request(ops.stopContact('11111111-2222-4333-8444-555555555555', '99999999-2222-4333-8444-555555555555')),
        404,
        'ResourceNotFoundException',
      );
    });

    it('answers DescribeContact on an unknown contact with 404 ResourceNotFoundException', async () => {
      app = await startTestApp();
      assertError(await app.request(ops.describeContact('11111111-2222-4333-8444-555555555555')), 404, 'ResourceNotFoundException');
    });

    it('does not find a contact through another instance', async () => {
      app = await startTestApp();
      const other = ok(await app.request(ops.createInstance({ InstanceAlias: 'other' }))).Id as string;
      const contactId = await startCall(app, CALLEE.noAnswer);
      assertError(await app.request(ops.describeContact(contactId, other)), 404, 'ResourceNotFoundException');
      assertError(await app.request(ops.stopContact(contactId, other)), 410, 'ContactNotFoundException');
      assert.equal((await describeContact(app, contactId)).DisconnectTimestamp, undefined);
    });
  });

  describe('contact attributes', () => {
    it('returns the attributes a contact was started with', async () => {
      app = await startTestApp();
      const contactId = await startCall(app, CALLEE.noAnswer, { Attributes: { order: '1001' } });
      assert.deepEqual(ok(await app.request(ops.getContactAttributes(contactId))), { Attributes: { order: '1001' } });
    });

    it('merges UpdateContactAttributes into the existing attributes, while live and after the contact ended', async () => {
      app = await startTestApp();
      const contactId = await startCall(app, CALLEE.busy, { Attributes: { order: '1001', status: 'new' } });
      ok(await app.request(ops.updateContactAttributes(contactId, { status: 'calling', agent: 'none' })));
      assert.deepEqual(ok(await app.request(ops.getContactAttributes(contactId))).Attributes, {
        order: '1001',
        status: 'calling',
        agent: 'none',
      });
      await app.advance(5_000);
      ok(await app.request(ops.updateContactAttributes(contactId, { status: 'busy' })));
      assert.deepEqual((await describeContact(app, contactId)).Attributes, { order: '1001', status: 'busy', agent: 'none' });
    });

    it('answers attribute operations on an unknown contact with 404 ResourceNotFoundException', async () => {
      app = await startTestApp();
      const unknown = '11111111-2222-4333-8444-555555555555';
      assertError(await app.request(ops.getContactAttributes(unknown)), 404, 'ResourceNotFoundException');
      assertError(await app.request(ops.updateContactAttributes(unknown, { a: 'b' })), 404, 'ResourceNotFoundException');
    });

    it('refuses a merge that would take the attributes past 32,768 bytes and keeps them unchanged', async () => {
      app = await startTestApp();
      const contactId = await startCall(app, CALLEE.noAnswer, { Attributes: { big: 'x'.repeat(20_000) } });
      assertError(
        await app.request(ops.updateContactAttributes(contactId, { bigger: 'y'.repeat(20_000) })),
        400,
        'InvalidParameterException',
        /32768/,
      );
      assert.deepEqual(ok(await app.request(ops.getContactAttributes(contactId))).Attributes, { big: 'x'.repeat(20_000) });
      // Replacing a value counts the new value only.
      ok(await app.request(ops.updateContactAttributes(contactId, { big: 'z'.repeat(30_000) })));
    });

    it('keeps the 32,768-byte limit when two updates that each fit arrive together', async () => {
      app = await startTestApp();
      const contactId = await startCall(app, CALLEE.noAnswer);
      const responses = await Promise.all([
        app.request(ops.updateContactAttributes(contactId, { first: 'x'.repeat(20_000) })),
        app.request(ops.updateContactAttributes(contactId, { second: 'y'.repeat(20_000) })),
      ]);
      const attributes = ok(await app.request(ops.getContactAttributes(contactId))).Attributes as Record<string, string>;
      const bytes = Object.entries(attributes).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
      assert.ok(bytes <= 32_768, `stored ${bytes} bytes of attributes; statuses ${responses.map((r) => r.status).join(', ')}`);
      assert.deepEqual(
        responses.map((r) => r.status).sort(),
        [200, 400],
      );
    });

    it('refuses an attribute key with characters outside letters, digits, "-" and "_"', async () => {
      app = await startTestApp();
      const contactId = await startCall(app, CALLEE.noAnswer);
      assertError(await app.request(ops.updateContactAttributes(contactId, { 'bad key!': 'v' })), 400, 'InvalidParameterException');
    });
  });
});
