/**
 * Calls placed by outdial's SIP adapter on SIPp as the callee, on loopback, started with
 * @aws-sdk/client-connect exactly as users start them: every SIP outcome ends the contact the way the
 * simulated network would, the callee's key presses drive the flow, and the callee hears our audio.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { StopContactCommand } from '@aws-sdk/client-connect';
import { DEMO } from '../../../src/services/seed.js';
import { readWav } from '../../../src/telephony/media/wav.js';
import { flowOf, recordBehavior, say, speakFlow } from '../../helpers/flow-fixtures.js';
import { parsePrometheus, sampleValue } from '../../helpers/prometheus.js';
import { waitFor } from '../../helpers/server-process.js';
import { startSipApp, type SipApp } from '../../helpers/sip-app.js';
import { startSipp, type Sipp } from '../../helpers/sipp.js';

/** Says a word and hangs up: the quickest answered call. */
const SHORT_FLOW = speakFlow('Hello.');

/** Speaks long enough for a key press to land in it, then branches on the key. */
const KEY_FLOW = {
  Version: '2019-10-30',
  StartAction: 'ask',
  Actions: [
    {
      Identifier: 'ask',
      Type: 'GetParticipantInput',
      Parameters: {
        Text: 'Press one to confirm your appointment on Tuesday at ten in the morning, or press five to speak to somebody about it.',
        StoreInput: 'False',
        InputTimeLimitSeconds: '8',
      },
      Transitions: {
        NextAction: 'other',
        Conditions: [
          { NextAction: 'one', Condition: { Operator: 'Equals', Operands: ['1'] } },
          { NextAction: 'five', Condition: { Operator: 'Equals', Operands: ['5'] } },
        ],
        Errors: [
          { ErrorType: 'InputTimeLimitExceeded', NextAction: 'other' },
          { ErrorType: 'NoMatchingCondition', NextAction: 'other' },
          { ErrorType: 'NoMatchingError', NextAction: 'other' },
        ],
      },
    },
    branch('one', 'one'),
    branch('five', 'five'),
    branch('other', 'other'),
    { Identifier: 'bye', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
  ],
};

/** Records the call, speaks, and hangs up. */
const RECORDED_FLOW = flowOf('record', [
  recordBehavior('record', ['Customer', 'Agent'], 'speak'),
  say('speak', 'This call is recorded for quality purposes. Goodbye.', 'bye'),
]);

/** Speaks for about six seconds: long enough for what the callee does mid-call (hang up, hold, refresh, OPTIONS). */
const LONG_FLOW = speakFlow('This is a long message. '.repeat(5));

function branch(id: string, value: string): Record<string, unknown> {
  return {
    Identifier: id,
    Type: 'UpdateContactAttributes',
    Parameters: { Attributes: { pressed: value } },
    Transitions: { NextAction: 'bye', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'bye' }] },
  };
}

interface Run {
  readonly app: SipApp;
  readonly sipp: Sipp;
  /** SHORT_FLOW in the demo instance. */
  readonly flowId: string;
}

const running = new Set<Run>();
after(async () => {
  for (const run of running) {
    await run.app.close();
    await run.sipp.stop();
  }
});

async function withSipp(scenario: string, options: Parameters<typeof startSipp>[0] = { scenario }, sip: Record<string, unknown> = {}): Promise<Run> {
  const sipp = await startSipp({ ...options, scenario });
  const app = await startSipApp({
    trunk: { port: sipp.port, transport: options.transport ?? 'udp', username: 'outdial', password: 's3cret' },
    sip,
  });
  const run = { app, sipp, flowId: await app.createFlow(SHORT_FLOW) };
  running.add(run);
  return run;
}

async function finish(run: Run): Promise<{ code: number; messages: string; errors: string }> {
  const result = await run.sipp.done;
  await run.app.close();
  running.delete(run);
  return { code: result.code, messages: result.messages ?? '', errors: result.errors };
}

describe('SIP outcomes end the contact as the simulated network does', () => {
  const cases = [
    { scenario: 'busy.xml', status: '486', reason: 'TELECOM_BUSY' },
    { scenario: 'decline.xml', status: '603', reason: 'TELECOM_BUSY' },
    { scenario: 'unavailable.xml', status: '480', reason: 'TELECOM_UNANSWERED' },
    { scenario: 'not-found.xml', status: '404', reason: 'TELECOM_NUMBER_INVALID' },
    { scenario: 'server-error.xml', status: '503', reason: 'TELECOM_PROBLEM' },
  ];
  for (const { scenario, status, reason } of cases) {
    it(`${scenario} → ${reason}`, async () => {
      const run = await withSipp(scenario);
      const contactId = await run.app.call(run.flowId);
      const contact = await run.app.ended(contactId);
      assert.equal(contact.DisconnectReason, reason);
      assert.equal(contact.ConnectedToSystemTimestamp, undefined);
      const metrics = parsePrometheus(await (await fetch(`${run.app.url}/metrics`)).text());
      assert.equal(sampleValue(metrics, 'outdial_sip_invite_responses_total', { status }), 1);
      const { code, messages } = await finish(run);
      assert.equal(code, 0, 'SIPp saw the dialogue its scenario expects');
      assert.match(messages, /^ACK /m, 'the final response was acknowledged');
    });
  }

  it('no answer: outdial sends CANCEL when RingTimeoutInSeconds runs out', async () => {
    const run = await withSipp('no-answer.xml');
    const started = Date.now();
    const contactId = await run.app.call(run.flowId, undefined, { RingTimeoutInSeconds: 15 });
    const contact = await run.app.ended(contactId, 30_000);
    assert.equal(contact.DisconnectReason, 'TELECOM_UNANSWERED');
    assert.ok(Date.now() - started >= 14_000, 'the call rang until the ring timeout');
    const { code, messages } = await finish(run);
    assert.equal(code, 0);
    assert.match(messages, /^CANCEL /m);
  });

  it('StopContact while ringing cancels the INVITE', async () => {
    const run = await withSipp('no-answer.xml');
    const contactId = await run.app.call(run.flowId);
    // Once it rings: a contact stopped before its INVITE went out is dropped without one, so nothing to cancel.
    await waitFor('the call to ring', async () => ((await run.app.describe(contactId)).RingStartTimestamp !== undefined ? true : undefined));
    await run.app.client.send(new StopContactCommand({ InstanceId: DEMO.instanceId, ContactId: contactId }));
    const contact = await run.app.ended(contactId);
    assert.equal(contact.DisconnectReason, 'OTHER');
    const { code, messages, errors } = await finish(run);
    assert.equal(code, 0, `${errors}\n${messages}`);
    assert.match(messages, /^CANCEL /m);
  });

  it('the callee hangs up in the middle of a prompt: CUSTOMER_DISCONNECT', async () => {
    const run = await withSipp('callee-hangup.xml', { scenario: 'callee-hangup.xml', rtpEcho: true });
    const flowId = await run.app.createFlow(LONG_FLOW);
    const contactId = await run.app.call(flowId);
    const contact = await run.app.ended(contactId);
    assert.equal(contact.DisconnectReason, 'CUSTOMER_DISCONNECT');
    assert.ok(contact.ConnectedToSystemTimestamp !== undefined);
    assert.equal((await finish(run)).code, 0);
  });
});

describe('an answered call', () => {
  it('branches on the key the callee presses during the prompt (RFC 4733)', async () => {
    const run = await withSipp('answer-dtmf.xml');
    const flowId = await run.app.createFlow(KEY_FLOW);
    const contactId = await run.app.call(flowId);
    const contact = await run.app.ended(contactId);
    assert.equal(contact.DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
    assert.deepEqual(await run.app.attributes(contactId), { pressed: 'one' });
    // Barge-in: the key, 1.5 s after the answer, cut the 7-s prompt short.
    const talked = contact.DisconnectTimestamp!.getTime() - contact.ConnectedToSystemTimestamp!.getTime();
    assert.ok(talked < 4000, `the call lasted ${talked} ms after the answer`);
    assert.equal((await finish(run)).code, 0);
  });

  it('answers after early media (183 with SDP, then 200)', async () => {
    const run = await withSipp('early-media.xml');
    const contactId = await run.app.call(run.flowId);
    const contact = await run.app.ended(contactId);
    assert.equal(contact.DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
    assert.ok(contact.ConnectedToSystemTimestamp !== undefined);
    assert.equal((await finish(run)).code, 0);
  });

  it('answers a digest challenge (401) with credentials', async () => {
    const run = await withSipp('auth-401.xml');
    const contactId = await run.app.call(run.flowId);
    const contact = await run.app.ended(contactId);
    assert.equal(contact.DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
    const { code, messages } = await finish(run);
    assert.equal(code, 0);
    assert.match(messages, /^Authorization: Digest username="outdial"/im);
  });

  it('answers a proxy challenge (407) with credentials', async () => {
    const run = await withSipp('auth-407.xml');
    const contactId = await run.app.call(run.flowId);
    const contact = await run.app.ended(contactId);
    assert.equal(contact.DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
    const { code, messages } = await finish(run);
    assert.equal(code, 0);
    assert.match(messages, /^Proxy-Authorization: Digest username="outdial"/im);
  });

  it('works over TCP', async () => {
    const run = await withSipp('answer-hold.xml', { scenario: 'answer-hold.xml', transport: 'tcp' });
    const contactId = await run.app.call(run.flowId);
    const contact = await run.app.ended(contactId);
    assert.equal(contact.DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
    const { code, messages } = await finish(run);
    assert.equal(code, 0);
    assert.match(messages, /^INVITE sip:\+12065550123@127\.0\.0\.1:\d+;transport=tcp SIP\/2\.0/m);
  });

  it('acknowledges a second fork’s 200 and ends that dialog with BYE', async () => {
    const run = await withSipp('forked.xml');
    const contactId = await run.app.call(run.flowId);
    const contact = await run.app.ended(contactId);
    assert.equal(contact.DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
    const { code, messages } = await finish(run);
    assert.equal(code, 0);
    assert.equal(messages.match(/^BYE /gm)?.length, 2, 'one BYE for the extra fork, one at the end of the call');
  });

  it('follows a 302 redirect to the Contact it names', async () => {
    const target = await startSipp({ scenario: 'answer-hold.xml' });
    const run = await withSipp('redirect.xml', { scenario: 'redirect.xml', keys: { redirect_port: String(target.port) } });
    const contactId = await run.app.call(run.flowId);
    const contact = await run.app.ended(contactId);
    assert.equal(contact.DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
    assert.equal((await finish(run)).code, 0);
    assert.equal((await target.done).code, 0, 'the redirect target took the call');
  });

  it('hears SIP INFO digits', async () => {
    const run = await withSipp('info-dtmf.xml');
    const flowId = await run.app.createFlow(KEY_FLOW);
    const contactId = await run.app.call(flowId);
    await run.app.ended(contactId);
    assert.deepEqual(await run.app.attributes(contactId), { pressed: 'five' });
    assert.equal((await finish(run)).code, 0);
  });

  it('answers a hold re-INVITE with recvonly and stays up', async () => {
    const run = await withSipp('reinvite-hold.xml');
    const flowId = await run.app.createFlow(LONG_FLOW);
    const contactId = await run.app.call(flowId);
    const contact = await run.app.ended(contactId);
    assert.equal(contact.DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
    const { code, messages } = await finish(run);
    assert.equal(code, 0);
    assert.match(messages, /a=recvonly/);
  });

  it('answers in-dialog OPTIONS and a session-timer refresh', async () => {
    for (const scenario of ['options-in-dialog.xml', 'session-timer.xml']) {
      const run = await withSipp(scenario);
      const flowId = await run.app.createFlow(LONG_FLOW);
      const contactId = await run.app.call(flowId);
      const contact = await run.app.ended(contactId);
      assert.equal(contact.DisconnectReason, 'CONTACT_FLOW_DISCONNECT', scenario);
      assert.equal((await finish(run)).code, 0, scenario);
    }
  });

  it('hangs up a call whose far end sends no RTP', async () => {
    const run = await withSipp('silent.xml', { scenario: 'silent.xml' }, { rtpInactivitySeconds: 2 });
    const flowId = await run.app.createFlow(LONG_FLOW);
    const contactId = await run.app.call(flowId);
    const contact = await run.app.ended(contactId);
    assert.equal(contact.DisconnectReason, 'TELECOM_PROBLEM');
    assert.equal((await finish(run)).code, 0);
  });

  it('records both directions to a stereo WAV listed by DescribeContact', async () => {
    const run = await withSipp('answer-hold.xml', { scenario: 'answer-hold.xml', rtpEcho: true });
    const flowId = await run.app.createFlow(RECORDED_FLOW);
    const contactId = await run.app.call(flowId);
    await run.app.ended(contactId);
    const contact = await waitForRecording(run.app, contactId);
    const recording = contact.Recordings![0]!;
    assert.equal(recording.Status, 'AVAILABLE');
    const files = readdirSync(run.app.recordingsDir).filter((f) => f.endsWith('.wav'));
    assert.equal(files.length, 1);
    const wav = readWav(readFileSync(join(run.app.recordingsDir, files[0]!)));
    assert.equal(wav.channels, 2);
    assert.equal(wav.sampleRate, 8000);
    const seconds = wav.samples.length / wav.sampleRate;
    assert.ok(seconds > 1.5, `${seconds} s recorded`);
    assert.equal((await finish(run)).code, 0);
  });
});

async function waitForRecording(app: SipApp, contactId: string): Promise<Awaited<ReturnType<SipApp['describe']>>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const contact = await app.describe(contactId);
    if ((contact.Recordings?.length ?? 0) > 0 || Date.now() > deadline) return contact;
    await new Promise((r) => setTimeout(r, 50));
  }
}
