/**
 * Agents' phones against SIPp: a phone registers with outdial's registrar (digest, a wrong password
 * refused), outdial calls a SIPp customer on a trunk and the registered phone for the same contact, and
 * bridges them. SIPp does the signalling; each phone's media is a socket this test holds (the SDP SIPp
 * answers with names its port), which plays recorded audio and key presses from that same port, as a
 * phone does, and keeps what outdial sends. SIPp itself cannot count the RTP it receives, and a phone
 * whose audio came from elsewhere than its SDP would be on probation for outdial's strict RTP.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { SIP_REALM, sipHa1 } from '../../../src/services/passwords.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { noMetrics } from '../../../src/shared/metrics.js';
import type { AnswerInfo, CallEndCause, CallListener, SavedRecording } from '../../../src/telephony/carrier.js';
import { decodeG711 } from '../../../src/telephony/media/g711.js';
import { LocalMediaEngine } from '../../../src/telephony/media/local-media-engine.js';
import type { MediaEngine } from '../../../src/telephony/media/media-engine.js';
import { WorkerMediaEngine } from '../../../src/telephony/media/worker-media-engine.js';
import type { AgentCredentialsLookup } from '../../../src/telephony/sip/registrar.js';
import { SipCarrier } from '../../../src/telephony/sip/sip-carrier.js';
import { PhoneMedia, rms, until } from '../../helpers/phone-media.js';
import { startSipp, type Sipp } from '../../helpers/sipp.js';
import { readStereoWav } from '../../helpers/wav.js';

const clock = new SystemClock();
const AGENT = { userId: 'user-alice', username: 'alice', password: 'correct horse' };
const CUSTOMER_NUMBER = '+12065550123';
const CONTACT_ID = 'c0ffee00-0000-4000-a000-000000000001';

const lookups: string[] = [];
const agentCredentials: AgentCredentialsLookup = (username, domain) => {
  lookups.push(`${username}@${domain}`);
  return Promise.resolve(username === AGENT.username ? { userId: AGENT.userId, ha1: sipHa1(AGENT.username, SIP_REALM, AGENT.password) } : undefined);
};

const dir = mkdtempSync(join(tmpdir(), 'outdial-agents-'));
const cleanups: (() => Promise<unknown> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

class Listener implements CallListener {
  readonly events: string[] = [];
  readonly keys: string[] = [];
  answeredAt: number | undefined;
  endedWith: CallEndCause | undefined;
  recording: string | undefined;
  ringing(): void {
    this.events.push('ringing');
  }
  pickedUp(): void {
    this.events.push('pickedUp');
  }
  answered(_info: AnswerInfo): void {
    this.answeredAt = performance.now();
    this.events.push('answered');
  }
  digits(keys: string): void {
    this.keys.push(keys);
  }
  promptFinished(): void {
    this.events.push('promptFinished');
  }
  recorded(recording: SavedRecording): void {
    this.recording = recording.location;
  }
  ended(cause: CallEndCause): void {
    this.endedWith = cause;
    this.events.push(`ended ${cause}`);
  }
}

/** A 1 kHz tone the prompt renderer hands out for any prompt: the customer hears it until the bridge. */
const TONE = Int16Array.from({ length: 8000 * 20 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));

async function startCarrier(trunkPort: number, media: MediaEngine): Promise<SipCarrier> {
  const carrier = await SipCarrier.start(
    {
      bindAddress: '127.0.0.1',
      port: 0,
      trunks: [{ name: 'sipp', host: '127.0.0.1', port: trunkPort, transport: 'udp', assertIdentity: false, numberFormat: 'e164' }],
      sessionExpiresSeconds: 0,
      userAgent: 'outdial-test',
      udpMtuBytes: 1300,
      recordingsDir: join(dir, 'recordings'),
    },
    { clock, logger: silentLogger, metrics: noMetrics, media, renderPrompt: () => Promise.resolve(TONE), agentCredentials },
  );
  cleanups.push(() => carrier.close());
  return carrier;
}

async function startPhone(carrierPort: number, rtpPort: number, options: { password?: string; username?: string; transport?: 'udp' | 'tcp'; stayMs?: number } = {}): Promise<Sipp> {
  const sipp = await startSipp({
    scenario: 'agent-register.xml',
    outOfCall: 'agent-phone.xml',
    remote: `127.0.0.1:${carrierPort}`,
    transport: options.transport ?? 'udp',
    service: options.username ?? AGENT.username,
    auth: { username: options.username ?? AGENT.username, password: options.password ?? AGENT.password },
    pauseMs: options.stayMs ?? 15_000,
    keys: { rtp_port: String(rtpPort) },
    timeoutMs: 40_000,
  });
  cleanups.push(() => sipp.stop());
  return sipp;
}

describe("agents' phones", () => {
  for (const engine of ['local', 'worker'] as const) {
    it(`a registered phone takes the contact's call and hears the customer, and the customer the agent, keys included (${engine} media)`, async () => {
      // Two workers: without the contact's affinity the agent's stream would open on the idle one.
      const media = engine === 'local' ? new LocalMediaEngine({ clock, portRange: { min: 44000, max: 45000 } }) : new WorkerMediaEngine({ clock, workers: 2, portRange: { min: 45002, max: 46000 } });
      const customerMedia = await PhoneMedia.open('PCMU', 0);
      const agentMedia = await PhoneMedia.open('PCMA', 8);
      cleanups.push(() => customerMedia.close(), () => agentMedia.close());
      const customerSipp = await startSipp({ scenario: 'answer-rtp-sink.xml', keys: { rtp_port: String(customerMedia.port) } });
      cleanups.push(() => customerSipp.stop());
      const carrier = await startCarrier(customerSipp.port, media);
      const phone = await startPhone(carrier.port, agentMedia.port);
      await until('the phone to register', () => carrier.registration(AGENT.userId) !== undefined);

      // The customer answers and hears a prompt.
      const customer = new Listener();
      const trunk = carrier.trunk('sipp');
      const customerCall = trunk.dial(
        { contactId: CONTACT_ID, instanceId: 'i', to: '+12065550100', from: '+12065550199', answeringMachineDetection: { enabled: false, awaitPrompt: false } },
        customer,
      );
      await until('the customer to answer', () => customer.answeredAt !== undefined);
      customerCall.play({ text: 'Please hold for the next agent.' });
      await until('the customer to hear us', () => customerMedia.outdial !== 0 && customerMedia.received.length > 10);
      customerMedia.talk();

      // The agent's phone rings with the customer's number and answers.
      const agent = new Listener();
      const agentCall = trunk.dialAgent({ contactId: CONTACT_ID, instanceId: 'i', userId: AGENT.userId, username: AGENT.username, from: CUSTOMER_NUMBER, callerIdName: 'Pat Customer' }, agent);
      await until('the agent to answer', () => agent.answeredAt !== undefined);
      await until('the agent to hear us', () => agentMedia.outdial !== 0);
      agentMedia.talk();

      customerCall.bridge(agentCall);
      const bridgedAt = performance.now();
      customerCall.record(true);
      await sleep(1500);
      customerMedia.press('5');
      agentMedia.press('#');
      await sleep(600);
      const talkedUntil = performance.now();
      customerCall.record(false);
      await until('the recording to be saved', () => customer.recording !== undefined);
      customerCall.hangUp();
      agentCall.hangUp();
      await sleep(200);
      customerMedia.close();
      agentMedia.close();

      // Signalling: the INVITE went to the phone's Contact, showing the customer.
      const customerResult = await customerSipp.done;
      assert.equal(customerResult.code, 0, customerResult.errors);
      const invite = phone.trace().find((m) => m.direction === 'received' && m.method === 'INVITE');
      assert.ok(invite, 'the phone got an INVITE');
      assert.match(invite.startLine, /^INVITE sip:alice@127\.0\.0\.1:\d+;transport=UDP SIP\/2\.0$/);
      assert.match(invite.header('from') ?? '', /^"Pat Customer" <sip:\+12065550123@127\.0\.0\.1>;tag=/);
      assert.match(invite.header('to') ?? '', /^<sip:alice@127\.0\.0\.1>$/);
      assert.ok(phone.trace().some((m) => m.direction === 'received' && m.method === 'BYE'), 'the phone got our BYE');

      // The bridge stopped the prompt without reporting its end.
      assert.deepEqual(customer.events, ['ringing', 'answered']);
      assert.deepEqual(agent.events, ['ringing', 'answered']);

      // Each side heard the other's speech (re-packetized to 20 ms, transcoded PCMU ↔ PCMA), in its own codec.
      const settled = bridgedAt + 200;
      for (const [side, heard, codec, pt] of [
        ['agent', agentMedia, 'PCMA', 8],
        ['customer', customerMedia, 'PCMU', 0],
      ] as const) {
        const audio = heard.packetsSince(settled, pt).filter((p) => p.timestamp !== undefined);
        const seconds = (talkedUntil - settled) / 1000;
        assert.ok(audio.length > seconds * 40, `${side}: ${audio.length} packets in ${seconds.toFixed(1)} s`);
        assert.ok(audio.every((p) => p.payload.length === 160), `${side}: 20 ms frames`);
        const loud = audio.filter((p) => rms(decodeG711(codec, p.payload)) > 100);
        assert.ok(loud.length > audio.length / 2, `${side}: ${loud.length} of ${audio.length} frames carry speech`);
        // One SSRC and one sequence for audio and keys alike, with no gap.
        const all = heard.received.filter((p) => p.at >= settled);
        assert.equal(new Set(all.map((p) => p.ssrc)).size, 1, `${side}: one SSRC`);
        for (let i = 1; i < all.length; i++) assert.equal(all[i]!.sequence, (all[i - 1]!.sequence + 1) & 0xffff, `${side}: sequence at ${i}`);
      }
      // Not the tone the customer heard before the bridge: speech, whose level varies.
      const customerLevels = customerMedia.packetsSince(settled, 0).map((p) => rms(decodeG711('PCMU', p.payload)));
      assert.ok(Math.max(...customerLevels) - Math.min(...customerLevels) > 1000, 'the customer hears speech, not the prompt');

      // Keys: the customer's 5 reached the agent's phone as telephone-events and the contact's listener; the agent's # the other way.
      const eventsAt = (heard: PhoneMedia) => heard.packetsSince(settled, 101).map((p) => ({ event: p.payload[0], end: (p.payload[1]! & 0x80) !== 0, marker: p.marker, timestamp: p.timestamp }));
      const toAgent = eventsAt(agentMedia);
      assert.ok(toAgent.length >= 10, `${toAgent.length} event packets to the agent`);
      assert.ok(toAgent.every((e) => e.event === 5));
      assert.equal(toAgent.filter((e) => e.end).length, 3);
      assert.equal(toAgent.filter((e) => e.marker).length, 1);
      assert.equal(new Set(toAgent.map((e) => e.timestamp)).size, 1, 'every packet of the event carries its start');
      const toCustomer = eventsAt(customerMedia);
      assert.ok(toCustomer.length >= 10 && toCustomer.every((e) => e.event === 11), 'the # reached the customer');
      assert.deepEqual(customer.keys, ['5']);
      assert.deepEqual(agent.keys, ['#']);

      // The customer's recording holds both parties: the customer left, the agent right, both speaking.
      const wav = readStereoWav(customer.recording!);
      const loudFrames = (channel: Int16Array): number => {
        let loud = 0;
        for (let at = 0; at + 160 <= channel.length; at += 160) if (rms(channel.subarray(at, at + 160)) > 100) loud++;
        return loud;
      };
      const frames = Math.floor(wav.left.length / 160);
      assert.ok(frames > 80, `${frames} frames recorded`);
      assert.ok(loudFrames(wav.left) > frames / 2, `customer speaks in ${loudFrames(wav.left)} of ${frames} frames`);
      assert.ok(loudFrames(wav.right) > frames / 2, `agent speaks in ${loudFrames(wav.right)} of ${frames} frames`);
    });
  }

  it('a wrong password is refused with 403 and registers nothing; an unknown user gets 404', async () => {
    const carrier = await startCarrier(5999, new LocalMediaEngine({ clock, portRange: { min: 46002, max: 46100 } }));
    const wrong = await startPhone(carrier.port, 5998, { password: 'wrong' });
    const refused = await wrong.done;
    assert.equal(refused.code, 0, refused.errors);
    // As sets: a 401 comes twice when SIPp resent the REGISTER (after 500 ms) before the first was answered.
    const statuses = new Set(refused.trace.filter((m) => m.direction === 'received').map((m) => m.status));
    assert.deepEqual([...statuses], [401, 403]);
    assert.equal(carrier.registration(AGENT.userId), undefined);

    const unknown = await startPhone(carrier.port, 5998, { username: 'mallory', password: 'x' });
    const notFound = await unknown.done;
    assert.deepEqual([...new Set(notFound.trace.filter((m) => m.direction === 'received').map((m) => m.status))], [401, 404]);
    assert.ok(lookups.includes('mallory@127.0.0.1'));
  });

  it('registers over TCP and takes the call on the same connection', async () => {
    const carrier = await startCarrier(5999, new LocalMediaEngine({ clock, portRange: { min: 46102, max: 46200 } }));
    const agentMedia = await PhoneMedia.open('PCMA', 8);
    cleanups.push(() => agentMedia.close());
    const phone = await startPhone(carrier.port, agentMedia.port, { transport: 'tcp', stayMs: 3000 });
    await until('the phone to register', () => carrier.registration(AGENT.userId) !== undefined);
    const registration = carrier.registration(AGENT.userId)!;
    assert.equal(registration.peer.transport, 'tcp');
    assert.notEqual(registration.peer.port, carrier.port);

    const agent = new Listener();
    const call = carrier.trunk('sipp').dialAgent({ contactId: CONTACT_ID, instanceId: 'i', userId: AGENT.userId, username: AGENT.username, from: CUSTOMER_NUMBER }, agent);
    await until('the agent to answer', () => agent.answeredAt !== undefined);
    call.hangUp();
    const result = await phone.done;
    assert.equal(result.code, 0, result.errors);
    assert.ok(result.trace.some((m) => m.direction === 'received' && m.method === 'BYE' && m.transport === 'TCP'));
    // The phone removed itself with Contact: * at the end.
    assert.equal(carrier.registration(AGENT.userId), undefined);
  });

  it('an agent with no registered phone and no desk phone is unreachable; with a desk phone, the trunk dials it', async () => {
    const sipp = await startSipp({ scenario: 'busy.xml' });
    cleanups.push(() => sipp.stop());
    const carrier = await startCarrier(sipp.port, new LocalMediaEngine({ clock, portRange: { min: 46202, max: 46300 } }));
    const nobody = new Listener();
    carrier.trunk('sipp').dialAgent({ contactId: CONTACT_ID, instanceId: 'i', userId: 'user-bob', username: 'bob', from: CUSTOMER_NUMBER }, nobody);
    await until('the call to end', () => nobody.endedWith !== undefined);
    assert.equal(nobody.endedWith, 'unreachable');

    const desk = new Listener();
    carrier.trunk('sipp').dialAgent({ contactId: CONTACT_ID, instanceId: 'i', userId: 'user-bob', username: 'bob', deskPhoneNumber: '+12065550142', from: CUSTOMER_NUMBER }, desk);
    await until('the desk phone to answer busy', () => desk.endedWith !== undefined);
    assert.equal(desk.endedWith, 'busy');
    const result = await sipp.done;
    const invite = result.trace.find((m) => m.direction === 'received' && m.method === 'INVITE');
    assert.match(invite?.startLine ?? '', /^INVITE sip:\+12065550142@127\.0\.0\.1:\d+ SIP\/2\.0$/);
  });
});
