/**
 * Contact events from a real `outdial serve` process to a webhook receiver in this process, which verifies
 * every request with the `standardwebhooks` package: a demo call's events in order, and at-least-once
 * delivery across a SIGKILL between commit and delivery.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { type ConnectClient, DescribeContactCommand, StartOutboundVoiceContactCommand } from '@aws-sdk/client-connect';
import { DEMO } from '../../src/services/seed.js';
import { connectClient, startServer, waitFor, type ServerProcess } from '../helpers/server-process.js';
import { json, waitUntil, WebhookReceiver, type ReceivedRequest } from '../helpers/webhook-receiver.js';

const ANSWERS = '+12065550100';
const BUSY = '+12065550103';
const NEVER_ANSWERS = '+12065550104';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

/** A server config whose only sink is a webhook to `url`, signing with `secret`. */
const config = (url: string, speed: number) => ({
  rateLimitDisabled: true,
  logLevel: 'warn',
  network: { speed },
  // Webhook timeouts run on the engine clock: 15 s of real time at any speed, so a slow test machine never times out.
  events: { timeoutMs: 15_000 * speed, sinks: [{ type: 'webhook', name: 'receiver', url, secrets: [secret] }] },
});

const accepted = (requests: readonly ReceivedRequest[], contactId: string): ReceivedRequest[] =>
  requests.filter((r) => r.status !== undefined && r.status < 300 && json(r).detail.contactId === contactId);

/** An event's type and disconnect reason. */
const typeAndReason = (request: ReceivedRequest): [string, string | undefined] => {
  const { detail } = json(request) as { detail: { eventType: string; disconnectReason?: string } };
  return [detail.eventType, detail.disconnectReason];
};

/** Asserts every request verified with the secret and carries its envelope's id as webhook-id. */
function assertVerified(requests: readonly ReceivedRequest[]): void {
  for (const request of requests) {
    assert.deepEqual(request.verifiedWith, [secret], request.verifyErrors.join('; '));
    assert.equal(request.headers['webhook-id'], json(request).id);
  }
}

describe('contact events from outdial serve', () => {
  let receiver: WebhookReceiver;
  const servers: ServerProcess[] = [];
  const clients: ConnectClient[] = [];

  before(async () => {
    receiver = await WebhookReceiver.start([secret]);
  });
  afterEach(() => {
    receiver.requests.length = 0;
    receiver.answer({ status: 204 });
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await Promise.all(servers.map((s) => s.cleanup()));
    await receiver.close();
  });

  async function start(options: Parameters<typeof startServer>[0]): Promise<{ server: ServerProcess; connect: ConnectClient }> {
    const server = await startServer(options);
    servers.push(server);
    const connect = connectClient(server.url);
    clients.push(connect);
    return { server, connect };
  }

  async function call(connect: ConnectClient, destination: string, extra: { RingTimeoutInSeconds?: number } = {}): Promise<string> {
    const { ContactId } = await connect.send(
      new StartOutboundVoiceContactCommand({
        InstanceId: DEMO.instanceId,
        ContactFlowId: DEMO.flowId,
        SourcePhoneNumber: DEMO.callerIdNumber,
        DestinationPhoneNumber: destination,
        ...extra,
      }),
    );
    return ContactId ?? assert.fail('no ContactId');
  }

  it('delivers every event of a demo call in order, each verified with standardwebhooks', async () => {
    // Speed 50: the demo call (answer at 2 s, a 3.6 s prompt) ends in about 0.1 s of real time.
    const { connect } = await start({ config: config(receiver.url, 50) });
    const contactId = await call(connect, ANSWERS);
    await waitUntil('the demo call’s COMPLETED', () => accepted(receiver.requests, contactId).length >= 4);

    const requests = accepted(receiver.requests, contactId);
    assert.deepEqual(
      requests.map((r) => String(json(r).detail.eventType)),
      ['INITIATED', 'CONNECTED_TO_SYSTEM', 'DISCONNECTED', 'COMPLETED'],
    );
    assertVerified(requests);
    for (const request of requests) {
      const event = json(request);
      assert.equal(event['detail-type'], 'Amazon Connect Contact Event');
      assert.equal(event.source, 'aws.connect');
      assert.equal(event.detail.contactId, contactId);
      assert.equal(event.detail.channel, 'VOICE');
    }
    const { Contact } = await connect.send(new DescribeContactCommand({ InstanceId: DEMO.instanceId, ContactId: contactId }));
    assert.equal(json(requests[2]!).detail.disconnectReason, Contact?.DisconnectReason);
    assert.equal(json(requests[2]!).detail.disconnectReason, 'CONTACT_FLOW_DISCONNECT');
    assert.equal(Date.parse(json(requests[1]!).detail.connectedToSystemTimestamp), Contact?.ConnectedToSystemTimestamp?.getTime());
    assert.equal(receiver.requests.length, 4, 'each event once');
  });

  it('delivers, after a SIGKILL and a restart on the same database, every event committed but not delivered', async () => {
    // Real time (speed 1): the never-answered call rings for 60 s, so it is live when the server dies.
    receiver.answer({ hang: true });
    const first = await start({ config: config(receiver.url, 1) });
    const busy = await call(first.connect, BUSY);
    const ringing = await call(first.connect, NEVER_ANSWERS, { RingTimeoutInSeconds: 60 });
    // The busy call has ended (its DISCONNECTED and COMPLETED are committed); the first INITIATED is on the
    // wire, unanswered, and everything else waits behind it.
    await waitFor('the busy call to end', async () => {
      const { Contact } = await first.connect.send(new DescribeContactCommand({ InstanceId: DEMO.instanceId, ContactId: busy }));
      return Contact?.DisconnectReason;
    });
    await waitUntil('an INITIATED in flight', () => receiver.hanging >= 1);
    const inFlight = receiver.requests.map((r) => [String(json(r).detail.contactId), String(json(r).detail.eventType), r.headers['webhook-id']] as const);
    assert.ok(inFlight.length > 0 && inFlight.every(([contactId, type]) => type === 'INITIATED' && [busy, ringing].includes(contactId)), JSON.stringify(inFlight));
    assert.equal(receiver.accepted().length, 0, 'nothing delivered before the kill');

    first.server.kill('SIGKILL');
    assert.equal((await first.server.exited).signal, 'SIGKILL');
    receiver.answer({ status: 204 });

    const second = await start({ config: config(receiver.url, 1), dbPath: first.server.dbPath });
    await waitUntil('every event after the restart', () => accepted(receiver.requests, busy).length + accepted(receiver.requests, ringing).length >= 6);

    const busyEvents = accepted(receiver.requests, busy);
    const ringingEvents = accepted(receiver.requests, ringing);
    assert.deepEqual(
      busyEvents.map(typeAndReason),
      [
        ['INITIATED', undefined],
        ['DISCONNECTED', 'TELECOM_BUSY'],
        ['COMPLETED', 'TELECOM_BUSY'],
      ],
    );
    assert.deepEqual(
      ringingEvents.map(typeAndReason),
      [
        ['INITIATED', undefined],
        ['DISCONNECTED', 'TELECOM_PROBLEM'],
        ['COMPLETED', 'TELECOM_PROBLEM'],
      ],
    );
    assertVerified([...busyEvents, ...ringingEvents]);
    // The INITIATEDs that were in flight are the same messages, sent again.
    for (const [contactId, , webhookId] of inFlight) {
      const again = accepted(receiver.requests, contactId)[0]!;
      assert.equal(again.headers['webhook-id'], webhookId);
    }
    const ids = [...busyEvents, ...ringingEvents].map((r) => r.headers['webhook-id']);
    assert.equal(new Set(ids).size, 6, 'each event accepted once');

    const { Contact } = await second.connect.send(new DescribeContactCommand({ InstanceId: DEMO.instanceId, ContactId: ringing }));
    assert.equal(Contact?.DisconnectReason, 'TELECOM_PROBLEM');
    assert.equal(Contact?.ConnectedToSystemTimestamp, undefined);
  });
});
