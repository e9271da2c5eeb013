/**
 * What real trunks ask of the SIP signalling beyond a plain call, checked against SIPp: route sets,
 * requests too large for UDP, the public address behind NAT, caller ID, refused credentials, and a trunk
 * with nothing listening.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { DEMO } from '../../../src/services/seed.js';
import { speakFlow } from '../../helpers/flow-fixtures.js';
import { startSipApp, type SipApp } from '../../helpers/sip-app.js';
import { countRequests, startSipp, type Sipp, type SippMessage } from '../../helpers/sipp.js';

const HELLO_FLOW = speakFlow('Hello.');

const open = new Set<{ app: SipApp; sipp?: Sipp }>();
after(async () => {
  for (const { app, sipp } of open) {
    await app.close();
    await sipp?.stop();
  }
});

async function call(
  sipp: Sipp,
  options: { trunk?: Record<string, unknown>; sip?: Record<string, unknown>; start?: Record<string, unknown> } = {},
): Promise<{ app: SipApp; contactId: string }> {
  const app = await startSipApp({ trunk: { port: sipp.port, ...options.trunk }, ...(options.sip && { sip: options.sip }) });
  open.add({ app, sipp });
  const contactId = await app.call(await app.createFlow(HELLO_FLOW), undefined, options.start);
  return { app, contactId };
}

/** The text of the first request of `method` SIPp received. */
function received(result: { readonly trace: readonly SippMessage[] }, method: string): string {
  const message = result.trace.find((m) => m.direction === 'received' && m.method === method);
  assert.ok(message !== undefined, `SIPp received a ${method}`);
  return message.text;
}

describe('SIP signalling toward real trunks', () => {
  it('honours a Record-Route set: ACK and BYE carry the routes in reverse order', async () => {
    const sipp = await startSipp({ scenario: 'record-route.xml' });
    const { app, contactId } = await call(sipp);
    assert.equal((await app.ended(contactId)).DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
    const result = await sipp.done;
    assert.equal(result.code, 0, 'SIPp checked both Route sets');
    assert.match(result.messages, /^Route: <sip:127\.0\.0\.1:\d+;lr;hop=inner>/m);
  });

  it('sends a request too large for a UDP datagram over TCP (RFC 3261 §18.1.1)', async () => {
    const sipp = await startSipp({ scenario: 'answer-hold.xml', transport: 'tcp' });
    // The trunk is UDP, but with a 500-byte limit our INVITE does not fit a datagram.
    const { app, contactId } = await call(sipp, { trunk: { transport: 'udp' }, sip: { udpMtuBytes: 500 } });
    assert.equal((await app.ended(contactId)).DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
    const result = await sipp.done;
    assert.equal(result.code, 0);
    assert.match(result.messages, /^Via: SIP\/2\.0\/TCP /m);
  });

  it('writes the public address into Via, Contact and SDP, with rport', async () => {
    const sipp = await startSipp({ scenario: 'busy.xml' });
    const { app, contactId } = await call(sipp, { sip: { publicAddress: '203.0.113.10' } });
    await app.ended(contactId);
    const result = await sipp.done;
    const invite = received(result, 'INVITE');
    assert.match(invite, /^Via: SIP\/2\.0\/UDP 203\.0\.113\.10:\d+;branch=z9hG4bK\w+;rport/m);
    assert.match(invite, /^Contact: <sip:outdial@203\.0\.113\.10:\d+>/m);
    assert.match(invite, /^c=IN IP4 203\.0\.113\.10/m);
  });

  it('presents the caller ID: the queue’s number with its display name, and P-Asserted-Identity when asked', async () => {
    const sipp = await startSipp({ scenario: 'busy.xml' });
    const app = await startSipApp({ trunk: { port: sipp.port } });
    open.add({ app, sipp });
    const flowId = await app.createFlow(HELLO_FLOW);
    const contactId = await app.call(flowId, '+12065550123', { SourcePhoneNumber: undefined, QueueId: DEMO.queueId });
    await app.ended(contactId);
    const invite = received(await sipp.done, 'INVITE');
    assert.match(invite, /^From: "outdial demo" <sip:\+12065550199@127\.0\.0\.1>;tag=\w+/m);
    assert.match(invite, /^To: <sip:\+12065550123@127\.0\.0\.1>/m);

    const second = await startSipp({ scenario: 'busy.xml' });
    const asserted = await call(second, { trunk: { assertIdentity: true, numberFormat: 'digits', fromDomain: 'pbx.example.com' } });
    await asserted.app.ended(asserted.contactId);
    const other = received(await second.done, 'INVITE');
    assert.match(other, /^INVITE sip:12065550123@127\.0\.0\.1:\d+ SIP\/2\.0/m);
    assert.match(other, /^From: <sip:12065550199@pbx\.example\.com>;tag=/m);
    assert.match(other, /^P-Asserted-Identity: <sip:12065550199@pbx\.example\.com>/m);
  });

  it('sends every request through the outbound proxy, with a loose Route, to the trunk it names', async () => {
    const proxy = await startSipp({ scenario: 'busy.xml' });
    const app = await startSipApp({ trunk: { port: 5080, host: 'sip.carrier.invalid', outboundProxy: `127.0.0.1:${proxy.port}` } });
    open.add({ app, sipp: proxy });
    const contactId = await app.call(await app.createFlow(HELLO_FLOW));
    assert.equal((await app.ended(contactId)).DisconnectReason, 'TELECOM_BUSY');
    const invite = received(await proxy.done, 'INVITE');
    assert.match(invite, /^INVITE sip:\+12065550123@sip\.carrier\.invalid:5080 SIP\/2\.0/m);
    assert.match(invite, new RegExp(`^Route: <sip:127\\.0\\.0\\.1:${proxy.port};lr>`, 'm'));
  });

  it('answers a challenge once: refused credentials end the call without a second try', async () => {
    const sipp = await startSipp({ scenario: 'auth-401.xml' });
    const { app, contactId } = await call(sipp, { trunk: { username: 'outdial', password: 'wrong' } });
    const contact = await app.ended(contactId);
    assert.equal(contact.DisconnectReason, 'TELECOM_PROBLEM');
    const result = await sipp.done;
    assert.equal(result.code, 0);
    assert.equal(countRequests(result.trace, 'INVITE'), 2, 'the first INVITE and one with credentials');
  });

  it('ends the contact at once when nothing listens at the trunk (ICMP port unreachable)', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const closedPort = socket.address().port;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    const app = await startSipApp({ trunk: { port: closedPort } });
    open.add({ app });
    const started = Date.now();
    const contactId = await app.call(await app.createFlow(HELLO_FLOW));
    const contact = await app.ended(contactId, 10_000);
    assert.equal(contact.DisconnectReason, 'TELECOM_PROBLEM');
    assert.ok(Date.now() - started < 5_000, 'not after Timer B (32 s)');
  });
});
