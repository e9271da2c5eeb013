import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, describe, it } from 'node:test';

import { silentLogger } from '../../../src/shared/logger.js';
import { parseCSeq, responseHeaders, serializeRequest, serializeResponse, type SipRequest } from '../../../src/telephony/sip/message.js';
import { SipTransport, type Inbound, type Peer } from '../../../src/telephony/sip/transport.js';

const HOST = '127.0.0.1';
const WAIT_MS = 1000;

/** A transport on a free loopback port that queues what it receives and the peers it found unreachable. */
class Endpoint {
  readonly transport: SipTransport;
  readonly #inbox: Inbound[] = [];
  readonly #unreachable: { peer: Peer; error: Error }[] = [];
  #wake: (() => void) | undefined;
  /** Times the transport reported a message it dropped. */
  malformedReported = 0;

  constructor() {
    this.transport = new SipTransport(
      { bindAddress: HOST, port: 0, logger: silentLogger },
      {
        message: (inbound) => {
          this.#inbox.push(inbound);
          this.#wake?.();
        },
        malformed: () => {
          this.malformedReported++;
        },
        unreachable: (peer, error) => {
          this.#unreachable.push({ peer, error });
          this.#wake?.();
        },
      },
    );
  }

  get port(): number {
    return this.transport.port;
  }

  /** Messages received and not yet taken. */
  get pending(): number {
    return this.#inbox.length;
  }

  /** The next message received, waiting up to WAIT_MS for it. */
  async next(): Promise<Inbound> {
    await this.#until(() => this.#inbox.length > 0, 'a SIP message');
    return this.#inbox.shift()!;
  }

  async nextUnreachable(): Promise<{ peer: Peer; error: Error }> {
    await this.#until(() => this.#unreachable.length > 0, 'an unreachable report');
    return this.#unreachable.shift()!;
  }

  async #until(ready: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`no ${what} within ${WAIT_MS} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }
}

const opened: Endpoint[] = [];
const sockets: (net.Socket | dgram.Socket)[] = [];

async function endpoint(): Promise<Endpoint> {
  const created = new Endpoint();
  opened.push(created);
  await created.transport.listen();
  return created;
}

after(async () => {
  for (const socket of sockets) {
    if (socket instanceof net.Socket) socket.destroy();
    else
      try {
        socket.close();
      } catch {
        // already closed
      }
  }
  await Promise.all(opened.map((e) => e.transport.close()));
});

function options(branch: string, transport: 'UDP' | 'TCP', cseq = 1, body = ''): Buffer {
  return serializeRequest({
    method: 'OPTIONS',
    uri: `sip:b@${HOST}`,
    headers: [
      ['Via', `SIP/2.0/${transport} ${HOST}:5060;branch=${branch};rport`],
      ['Max-Forwards', '70'],
      ['From', `<sip:a@${HOST}>;tag=from-tag`],
      ['To', `<sip:b@${HOST}>`],
      ['Call-ID', `transport-test-${branch}`],
      ['CSeq', `${cseq} OPTIONS`],
    ],
    ...(body !== '' && { body }),
  });
}

function asRequest(inbound: Inbound): SipRequest {
  assert.equal(inbound.message.kind, 'request');
  return inbound.message;
}

/** A loopback port nothing listens on (for UDP or TCP): bound, read, released. */
async function closedUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

async function closedTcpPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function rawUdp(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
  return socket;
}

async function rawTcp(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: HOST, port });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.setNoDelay(true);
  return socket;
}

async function sendUdp(socket: dgram.Socket, data: Buffer, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => socket.send(data, port, HOST, (error) => (error ? reject(error) : resolve())));
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('SipTransport over loopback', { timeout: 10_000 }, () => {
  it('exchanges a request and its response over UDP, from the shared port', async () => {
    const [a, b] = await Promise.all([endpoint(), endpoint()]);
    a.transport.send(options('z9hG4bK-udp-1', 'UDP'), { transport: 'udp', address: HOST, port: b.port });
    const arrived = await b.next();
    const request = asRequest(arrived);
    assert.equal(request.method, 'OPTIONS');
    assert.deepEqual(arrived.source, { transport: 'udp', address: HOST, port: a.port }, 'UDP leaves from the port we listen on');

    b.transport.send(serializeResponse({ status: 200, reason: 'OK', headers: responseHeaders(request, 'to-tag') }), arrived.source);
    const answer = await a.next();
    assert.equal(answer.message.kind, 'response');
    assert.equal(answer.message.kind === 'response' && answer.message.status, 200);
    assert.deepEqual(answer.source, { transport: 'udp', address: HOST, port: b.port });
    assert.equal(a.transport.malformed + b.transport.malformed, 0);
  });

  it('exchanges a request and its response over TCP, the response on the same connection', async () => {
    const [a, b] = await Promise.all([endpoint(), endpoint()]);
    a.transport.send(options('z9hG4bK-tcp-1', 'TCP', 1, 'a body over a stream'), { transport: 'tcp', address: HOST, port: b.port });
    const arrived = await b.next();
    const request = asRequest(arrived);
    assert.equal(request.body.toString(), 'a body over a stream');
    assert.equal(arrived.source.transport, 'tcp');
    assert.equal(arrived.source.address, HOST);

    b.transport.send(serializeResponse({ status: 200, reason: 'OK', headers: responseHeaders(request, 'to-tag') }), arrived.source);
    const answer = await a.next();
    assert.equal(answer.message.kind === 'response' && answer.message.status, 200);
    assert.deepEqual(answer.source, { transport: 'tcp', address: HOST, port: b.port });

    // A second request reuses the connection.
    a.transport.send(options('z9hG4bK-tcp-2', 'TCP', 2), { transport: 'tcp', address: HOST, port: b.port });
    const second = await b.next();
    assert.equal(parseCSeq(second.message.headers).seq, 2);
    assert.deepEqual(second.source, arrived.source);
  });

  it('frames TCP messages split across writes and several in one write', async () => {
    const b = await endpoint();
    const socket = await rawTcp(b.port);
    const first = options('z9hG4bK-frame-1', 'TCP', 1, 'first body');
    // Split inside the headers, then inside the body.
    const cut1 = first.indexOf('Content-Length') + 9;
    const cut2 = first.length - 4;
    socket.write(first.subarray(0, cut1));
    await pause(20);
    socket.write(first.subarray(cut1, cut2));
    await pause(20);
    assert.equal(b.pending, 0, 'nothing is delivered before the message is complete');
    socket.write(first.subarray(cut2));
    const one = asRequest(await b.next());
    assert.equal(one.body.toString(), 'first body');

    const second = options('z9hG4bK-frame-2', 'TCP', 2, 'second');
    const third = options('z9hG4bK-frame-3', 'TCP', 3);
    const fourth = options('z9hG4bK-frame-4', 'TCP', 4, 'fourth, split');
    socket.write(Buffer.concat([second, Buffer.from('\r\n\r\n'), third, fourth.subarray(0, 50)]));
    await pause(20);
    socket.write(fourth.subarray(50));
    const received = [await b.next(), await b.next(), await b.next()].map(asRequest);
    assert.deepEqual(
      received.map((r) => [parseCSeq(r.headers).seq, r.body.toString()]),
      [
        [2, 'second'],
        [3, ''],
        [4, 'fourth, split'],
      ],
    );
    assert.equal(b.transport.malformed, 0);
  });

  it('closes a TCP stream it cannot frame and counts it as malformed', async () => {
    const b = await endpoint();
    const socket = await rawTcp(b.port);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('OPTIONS sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\r\n');
    await closed;
    assert.equal(b.transport.malformed, 1);
    assert.equal(b.pending, 0);
  });

  it('counts a garbage datagram as malformed and still delivers the next valid one', async () => {
    const b = await endpoint();
    const socket = await rawUdp();
    await sendUdp(socket, Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a, 0xde, 0xad]), b.port);
    await sendUdp(socket, Buffer.from('INVITE sip:x SIP/2.0\r\nVia: nonsense\r\n\r\n'), b.port);
    await sendUdp(socket, options('z9hG4bK-after-garbage', 'UDP'), b.port);
    const arrived = await b.next();
    assert.equal(asRequest(arrived).method, 'OPTIONS');
    assert.equal(arrived.source.port, socket.address().port);
    assert.equal(b.transport.malformed, 2);
    assert.equal(b.malformedReported, 2, 'each dropped message is reported, for the metrics');
    assert.equal(b.pending, 0);
  });

  it('ignores CRLF keep-alives on UDP and TCP', async () => {
    const b = await endpoint();
    const udp = await rawUdp();
    await sendUdp(udp, Buffer.from('\r\n\r\n'), b.port);
    await sendUdp(udp, Buffer.from('\r\n'), b.port);
    await sendUdp(udp, options('z9hG4bK-ka-udp', 'UDP'), b.port);
    assert.equal(asRequest(await b.next()).method, 'OPTIONS');

    const tcp = await rawTcp(b.port);
    tcp.write('\r\n\r\n');
    await pause(20);
    tcp.write('\r\n\r\n');
    await pause(20);
    tcp.write(options('z9hG4bK-ka-tcp', 'TCP'));
    const arrived = await b.next();
    assert.equal(arrived.source.transport, 'tcp');
    assert.equal(b.transport.malformed, 0);
    assert.equal(b.pending, 0);
    assert.equal(tcp.destroyed, false, 'a keep-alive does not close the stream');
  });

  it('keeps a TCP stream open through more keep-alives than one message may hold', async () => {
    // Days of RFC 5626 CRLFCRLF pings on an idle connection add up; they must not pile up into "too large".
    const b = await endpoint();
    const tcp = await rawTcp(b.port);
    for (let i = 0; i < 5; i++) {
      tcp.write('\r\n\r\n'.repeat(4000));
      await pause(5);
    }
    tcp.write(options('z9hG4bK-many-ka', 'TCP'));
    const arrived = await b.next();
    assert.equal(asRequest(arrived).method, 'OPTIONS');
    assert.equal(b.transport.malformed, 0);
  });

  it('reports a UDP peer with nothing listening as unreachable (ICMP → ECONNREFUSED)', async () => {
    const a = await endpoint();
    const port = await closedUdpPort();
    const peer: Peer = { transport: 'udp', address: HOST, port };
    // The kernel reports the ICMP port-unreachable on the socket connected to that peer.
    a.transport.send(options('z9hG4bK-nobody', 'UDP'), peer);
    const report = await a.nextUnreachable();
    assert.deepEqual(report.peer, peer);
    assert.equal((report.error as NodeJS.ErrnoException).code, 'ECONNREFUSED');
  });

  it('reports a TCP peer that refuses the connection as unreachable', async () => {
    const a = await endpoint();
    const port = await closedTcpPort();
    const peer: Peer = { transport: 'tcp', address: HOST, port };
    a.transport.send(options('z9hG4bK-refused', 'TCP'), peer);
    const report = await a.nextUnreachable();
    assert.deepEqual(report.peer, peer);
    assert.equal((report.error as NodeJS.ErrnoException).code, 'ECONNREFUSED');
  });

  it('sends nothing and throws nothing after close', async () => {
    const a = await endpoint();
    const b = await endpoint();
    opened.splice(opened.indexOf(a), 1);
    await a.transport.close();
    a.transport.send(options('z9hG4bK-closed', 'UDP'), { transport: 'udp', address: HOST, port: b.port });
    await pause(50);
    assert.equal(b.pending, 0);
  });
});
