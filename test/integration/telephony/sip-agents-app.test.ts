/**
 * Agents through the whole product, on SIP: outdial runs in this process with a trunk to a SIPp customer,
 * and everything is done as a user does it, with @aws-sdk/client-connect. CreateUser makes an agent that
 * auto-accepts on the demo routing profile; a SIPp phone registers with outdial's registrar as that user
 * (digest with the user's password); PutUserStatus makes the agent Available; StartOutboundVoiceContact
 * calls the customer with the demo queue flow, which queues the contact, and the customer hears the
 * default queue experience (the message, then hold music) until PutUserStatus makes the agent Available;
 * outdial offers the contact to the agent, rings the phone, and bridges the two calls. The phone hangs up
 * after a few seconds: the contact ends with AGENT_DISCONNECT and the agent goes to after-contact work.
 *
 * The telephony-level twin, sip-agents.test.ts, drives SipCarrier alone. As there, each side's media is a
 * socket this test holds (the SDP SIPp answers with names its port): it speaks recorded speech from that
 * port, as a phone does, and keeps what outdial sends, because SIPp cannot count the RTP it receives.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CreateUserCommand, GetCurrentUserDataCommand, ListAgentStatusesCommand, PutUserStatusCommand } from '@aws-sdk/client-connect';

import { HOLD_MUSIC_SECONDS } from '../../../src/services/queue-hold.js';
import { DEMO } from '../../../src/services/seed.js';
import type { ContactState } from '../../../src/store/store.js';
import { decodeG711, encodeG711 } from '../../../src/telephony/media/g711.js';
import { holdMusic } from '../../../src/telephony/media/hold-music.js';
import type { RtpPacket } from '../../../src/telephony/media/rtp-packet.js';
import { freeUdpPort, PhoneMedia, rms, until } from '../../helpers/phone-media.js';
import { startSipApp, type SipApp } from '../../helpers/sip-app.js';
import { startSipp, type Sipp } from '../../helpers/sipp.js';

const AGENT = { username: 'sip-alice', password: 'Sip-Alice-42' };
const CUSTOMER_NUMBER = '+12065550123';
/** How long the agent talks with the customer before hanging up (after the phone's 200 OK is ACKed). */
const TALK_MS = 3000;
/** Left out at both ends of the talk: the bridge starting, the BYE on its way. */
const SETTLE_MS = 300;

/** The hold music's 20 ms frames as outdial sends them to a PCMU customer, who hears them byte for byte. */
const MUSIC_FRAMES = (() => {
  const encoded = encodeG711('PCMU', holdMusic(HOLD_MUSIC_SECONDS));
  const frames = new Set<string>();
  for (let at = 0; at + 160 <= encoded.length; at += 160) frames.add(Buffer.from(encoded.subarray(at, at + 160)).toString('hex'));
  return frames;
})();
const isMusic = (packet: RtpPacket): boolean => MUSIC_FRAMES.has(Buffer.from(packet.payload).toString('hex'));

const cleanups: (() => Promise<unknown> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** outdial on a SIP port this test knows (the phone must be pointed at it), tried again if the port was taken meanwhile. */
async function startApp(trunkPort: number): Promise<{ app: SipApp; sipPort: number }> {
  for (let attempt = 1; ; attempt++) {
    const sipPort = await freeUdpPort();
    try {
      const app = await startSipApp({ trunk: { port: trunkPort }, sip: { port: sipPort } });
      cleanups.push(() => app.close());
      return { app, sipPort };
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

describe("an agent's SIP phone, through the API", () => {
  it('registers as a Connect user, takes a queued contact, talks both ways, and hangs up into after-contact work', async () => {
    const customerMedia = await PhoneMedia.open('PCMU', 0);
    const agentMedia = await PhoneMedia.open('PCMA', 8);
    cleanups.push(() => customerMedia.close(), () => agentMedia.close());
    const customer = await startSipp({ scenario: 'answer-rtp-sink.xml', keys: { rtp_port: String(customerMedia.port) }, timeoutMs: 30_000 });
    cleanups.push(() => customer.stop());
    const { app, sipPort } = await startApp(customer.port);
    const connect = app.client;
    const instanceId = DEMO.instanceId;

    // An agent who auto-accepts, on the demo routing profile (BasicQueue), with time for after-contact work.
    const created = await connect.send(
      new CreateUserCommand({
        InstanceId: instanceId,
        Username: AGENT.username,
        Password: AGENT.password,
        IdentityInfo: { FirstName: 'Alice', LastName: 'Sip' },
        PhoneConfig: { PhoneType: 'SOFT_PHONE', AutoAccept: true, AfterContactWorkTimeLimit: 120 },
        SecurityProfileIds: ['sp-agent'],
        RoutingProfileId: DEMO.routingProfileId,
      }),
    );
    const userId = created.UserId!;

    // The phone registers with outdial's registrar as that user (digest, realm "outdial").
    const phone: Sipp = await startSipp({
      scenario: 'agent-register.xml',
      outOfCall: 'agent-phone-hangup.xml',
      remote: `127.0.0.1:${sipPort}`,
      service: AGENT.username,
      auth: { username: AGENT.username, password: AGENT.password },
      pauseMs: 60_000,
      keys: { rtp_port: String(agentMedia.port) },
      vars: { hangup_ms: String(TALK_MS) },
      timeoutMs: 30_000,
    });
    cleanups.push(() => phone.stop());
    await until(
      'the phone to register',
      () => phone.trace().some((m) => m.direction === 'received' && m.cseqMethod === 'REGISTER' && m.status === 200),
      10_000,
    );
    // (A 401 may come twice, if SIPp resent the REGISTER before it arrived.)
    const registerStatuses = new Set(phone.trace().filter((m) => m.direction === 'received').map((m) => m.status));
    assert.deepEqual([...registerStatuses], [401, 200], 'challenged, then registered');

    // The customer is called with the demo queue flow: greeted, queued, and held (nobody is Available yet).
    customerMedia.talk({ awaitOutdial: true });
    agentMedia.talk({ awaitOutdial: true });
    const contactId = await app.call(DEMO.queueFlowId, CUSTOMER_NUMBER);
    const state = async (): Promise<ContactState> => (await app.outdial.contacts.describe(instanceId, contactId)).state;
    await until('the contact to be queued', async () => ((await state()) === 'QUEUED' ? true : undefined), 15_000);
    const queuedAt = performance.now();
    // The hold message, then hold music: a second of it, byte for byte.
    await until('the customer to hear hold music', () => (customerMedia.received.filter(isMusic).length >= 50 ? true : undefined), 20_000);
    const firstMusic = customerMedia.received.find(isMusic)!.at;
    const message = customerMedia.audioBetween(queuedAt, firstMusic - 100);
    assert.ok(message.length > 50, `${message.length} frames of the hold message before the music`);
    assert.ok(message.filter((p) => rms(decodeG711('PCMU', p.payload)) > 100).length > 25, 'the hold message is spoken');
    assert.equal(await state(), 'QUEUED');

    // The agent goes Available, and the contact reaches them: offered, auto-accepted, the phone rings and answers.
    const { AgentStatusSummaryList: statuses = [] } = await connect.send(new ListAgentStatusesCommand({ InstanceId: instanceId }));
    const available = statuses.find((s) => s.Name === 'Available');
    assert.ok(available?.Id, 'the instance has an Available status');
    await connect.send(new PutUserStatusCommand({ InstanceId: instanceId, UserId: userId, AgentStatusId: available.Id }));
    await until(
      'the contact to be connected to the agent',
      async () => {
        const now = await state();
        if (now === 'DISCONNECTED') throw new Error('the contact ended before reaching the agent');
        return now === 'CONNECTED_TO_AGENT' ? true : undefined;
      },
      15_000,
    );
    const connectedAt = performance.now();

    // The agent talks, then hangs up their phone.
    await until('the agent to hang up', async () => ((await state()) === 'DISCONNECTED' ? true : undefined), TALK_MS + 10_000);
    const endedAt = performance.now();
    customerMedia.close();
    agentMedia.close();

    // The contact: connected to this agent from BasicQueue, ended by the agent.
    const contact = await app.describe(contactId);
    assert.equal(contact.DisconnectReason, 'AGENT_DISCONNECT');
    assert.equal(contact.AgentInfo?.Id, userId);
    assert.ok(contact.AgentInfo?.ConnectedToAgentTimestamp, 'AgentInfo has the connected-to-agent timestamp');
    assert.equal(contact.QueueInfo?.Id, DEMO.queueId);

    // The agent is in after-contact work on that contact.
    const { UserDataList = [] } = await connect.send(new GetCurrentUserDataCommand({ InstanceId: instanceId, Filters: { Agents: [userId] } }));
    assert.equal(UserDataList.length, 1);
    assert.deepEqual(
      UserDataList[0]!.Contacts?.map((c) => ({ id: c.ContactId, state: c.AgentContactState })),
      [{ id: contactId, state: 'ENDED' }],
    );

    // Signalling: the phone was rung showing the customer's number, and its BYE was answered; outdial then hung up on the customer.
    const phoneTrace = phone.trace();
    const invite = phoneTrace.find((m) => m.direction === 'received' && m.method === 'INVITE');
    assert.ok(invite, 'the phone got an INVITE');
    assert.match(invite.startLine, new RegExp(`^INVITE sip:${AGENT.username}@127\\.0\\.0\\.1:${phone.port};transport=UDP SIP/2\\.0$`));
    assert.match(invite.header('from') ?? '', /<sip:\+12065550123@127\.0\.0\.1>;tag=/);
    assert.ok(phoneTrace.some((m) => m.direction === 'sent' && m.method === 'BYE'), 'the phone sent BYE');
    assert.ok(phoneTrace.some((m) => m.direction === 'received' && m.cseqMethod === 'BYE' && m.status === 200), 'outdial answered the BYE');
    const customerResult = await customer.done;
    assert.equal(customerResult.code, 0, customerResult.errors);
    assert.ok(customerResult.trace.some((m) => m.direction === 'received' && m.method === 'BYE'), 'the customer got our BYE');

    // Media: while connected, each side heard the other's speech through outdial, in its own codec.
    const from = connectedAt + SETTLE_MS;
    const to = endedAt - SETTLE_MS;
    const seconds = (to - from) / 1000;
    assert.ok(seconds > 1, `${seconds.toFixed(1)} s of talk to check`);
    for (const [side, heard] of [
      ['agent', agentMedia],
      ['customer', customerMedia],
    ] as const) {
      const audio = heard.audioBetween(from, to);
      // 50 packets a second are sent; a loaded machine may deliver them late, but not lose half.
      assert.ok(audio.length > seconds * 25, `${side}: ${audio.length} packets in ${seconds.toFixed(1)} s`);
      const levels = audio.map((p) => rms(decodeG711(heard.codec, p.payload)));
      const loud = levels.filter((level) => level > 100).length;
      assert.ok(loud > audio.length / 2, `${side}: ${loud} of ${audio.length} frames carry sound`);
      // Speech, whose level varies, not a steady tone or comfort noise.
      assert.ok(Math.max(...levels) - Math.min(...levels) > 1000, `${side}: levels from ${Math.min(...levels).toFixed(0)} to ${Math.max(...levels).toFixed(0)}`);
    }
    // The hold music stopped with the bridge: what the customer heard while connected came from the agent.
    assert.equal(customerMedia.audioBetween(from, to).filter(isMusic).length, 0, 'no hold music once connected');
    // Before the bridge the agent's phone heard only comfort noise: what it heard while connected came from the customer.
    const beforeBridge = agentMedia.received.filter((p) => p.at < connectedAt - 100 && p.payloadType === 8);
    assert.ok(beforeBridge.every((p) => rms(decodeG711('PCMA', p.payload)) < 100), 'the agent heard nothing but comfort noise before the bridge');
  });
});
