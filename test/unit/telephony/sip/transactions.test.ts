import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { VirtualClock } from '../../../../src/shared/clock.js';
import {
  header,
  parseCSeq,
  parseMessage,
  parseVia,
  responseHeaders,
  serializeRequest,
  serializeResponse,
  tagOf,
  type OutgoingRequest,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../../../../src/telephony/sip/message.js';
import {
  branchOf,
  DEFAULT_TIMERS,
  TransactionLayer,
  type ClientTransactionHandlers,
  type ServerRequestHandler,
  type SipTimers,
} from '../../../../src/telephony/sip/transactions.js';
import type { Peer } from '../../../../src/telephony/sip/transport.js';

const T1 = DEFAULT_TIMERS.t1;
const T2 = DEFAULT_TIMERS.t2;
const T4 = DEFAULT_TIMERS.t4;

const TRUNK: Peer = { transport: 'udp', address: '192.0.2.20', port: 5060 };
const TRUNK_TCP: Peer = { transport: 'tcp', address: '192.0.2.20', port: 5060 };
const OTHER: Peer = { transport: 'udp', address: '192.0.2.30', port: 5060 };

interface Sent {
  /** Milliseconds since the harness started. */
  readonly at: number;
  readonly peer: Peer;
  readonly data: Buffer;
  readonly message: SipMessage;
}

function harness(timers: SipTimers = DEFAULT_TIMERS) {
  const clock = new VirtualClock();
  const start = clock.now();
  const sent: Sent[] = [];
  const sender = {
    port: 5060,
    send(data: Buffer, peer: Peer): void {
      sent.push({ at: clock.now() - start, peer, data, message: parseMessage(data) });
    },
  };
  const layer = new TransactionLayer(sender, clock, timers);
  const elapsed = (): number => clock.now() - start;
  /** Advances the clock to `ms` after the start. */
  const runTo = (ms: number): void => clock.advance(ms - elapsed());
  /** Handlers that log "<ms> <status> <to-tag>" and "<ms> failed <reason>". */
  const recorder = (): { events: string[]; handlers: ClientTransactionHandlers } => {
    const events: string[] = [];
    return {
      events,
      handlers: {
        response: (response) => events.push(`${elapsed()} ${response.status}${tagOf(header(response, 'to')) !== undefined ? ` ${tagOf(header(response, 'to'))}` : ''}`),
        failed: (reason) => events.push(`${elapsed()} failed ${reason}`),
      },
    };
  };
  return { clock, sent, layer, elapsed, runTo, recorder };
}

function invite(branch = 'z9hG4bK-invite-1', transport: 'UDP' | 'TCP' = 'UDP'): OutgoingRequest {
  return {
    method: 'INVITE',
    uri: 'sip:+15551234567@trunk.example.com',
    headers: [
      ['Via', `SIP/2.0/${transport} 192.0.2.10:5060;branch=${branch};rport`],
      ['Max-Forwards', '70'],
      ['Route', '<sip:edge1.trunk.example.com;lr>'],
      ['Route', '<sip:edge2.trunk.example.com;lr>'],
      ['From', '"Outdial" <sip:outdial@192.0.2.10>;tag=local-tag'],
      ['To', '<sip:+15551234567@trunk.example.com>'],
      ['Call-ID', 'call-1@192.0.2.10'],
      ['CSeq', '7 INVITE'],
      ['Contact', '<sip:outdial@192.0.2.10:5060>'],
      ['Proxy-Authorization', 'Digest username="outdial", realm="trunk", nonce="n", uri="sip:x", response="r"'],
      ['Content-Type', 'application/sdp'],
    ],
    body: 'v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 20000 RTP/AVP 0\r\n',
  };
}

function bye(branch = 'z9hG4bK-bye-1', transport: 'UDP' | 'TCP' = 'UDP'): OutgoingRequest {
  return {
    method: 'BYE',
    uri: 'sip:carrier@192.0.2.20:5060',
    headers: [
      ['Via', `SIP/2.0/${transport} 192.0.2.10:5060;branch=${branch};rport`],
      ['Max-Forwards', '70'],
      ['From', '<sip:outdial@192.0.2.10>;tag=local-tag'],
      ['To', '<sip:+15551234567@trunk.example.com>;tag=remote-tag'],
      ['Call-ID', 'call-1@192.0.2.10'],
      ['CSeq', '8 BYE'],
    ],
  };
}

function asRequest(message: SipMessage): SipRequest {
  assert.equal(message.kind, 'request');
  return message;
}

function asResponse(message: SipMessage): SipResponse {
  assert.equal(message.kind, 'response');
  return message;
}

/** The response a peer would send to `request` (its Vias, From, To with `toTag`, Call-ID, CSeq). */
function answer(request: OutgoingRequest, status: number, toTag?: string, reason = 'Reason'): SipResponse {
  const parsed = asRequest(parseMessage(serializeRequest(request)));
  return asResponse(parseMessage(serializeResponse({ status, reason, headers: responseHeaders(parsed, toTag) })));
}

/** Every header value of `name` in a sent message. */
function values(message: SipMessage, name: string): string[] {
  return message.headers.get(name) ?? [];
}

function outgoingValues(request: OutgoingRequest, name: string): string[] {
  return request.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
}

describe('client INVITE transaction over UDP', () => {
  it('retransmits on Timer A at T1, 2T1, 4T1 … and fails with timeout on Timer B (64·T1)', () => {
    const { sent, layer, runTo, recorder, clock } = harness();
    const { events, handlers } = recorder();
    const request = invite();
    const transaction = layer.request(request, TRUNK, handlers);
    assert.equal(transaction.state, 'calling');
    runTo(100_000);
    assert.deepEqual(
      sent.map((s) => s.at),
      [0, 500, 1500, 3500, 7500, 15500, 31500],
    );
    assert.ok(sent.every((s) => s.peer === TRUNK && s.data.equals(sent[0]!.data)), 'every retransmission is the same bytes to the same peer');
    assert.deepEqual(events, [`${64 * T1} failed timeout`]);
    assert.equal(transaction.state, 'terminated');
    assert.equal(layer.pendingClientTransactions, 0);
    assert.equal(clock.pendingTimers, 0);
  });

  it('takes its timer values from SipTimers', () => {
    const { sent, layer, runTo, recorder } = harness({ t1: 100, t2: 400, t4: 1000 });
    const { events, handlers } = recorder();
    layer.request(invite(), TRUNK, handlers);
    runTo(10_000);
    assert.deepEqual(
      sent.map((s) => s.at),
      [0, 100, 300, 700, 1500, 3100, 6300],
    );
    assert.deepEqual(events, ['6400 failed timeout']);
  });

  it('stops Timer A on a provisional response and hands every provisional up', () => {
    const { sent, layer, runTo, recorder } = harness();
    const { events, handlers } = recorder();
    const request = invite();
    const transaction = layer.request(request, TRUNK, handlers);
    runTo(600);
    layer.receive({ message: answer(request, 100), source: TRUNK });
    runTo(700);
    layer.receive({ message: answer(request, 180, 'far'), source: TRUNK });
    layer.receive({ message: answer(request, 183, 'far'), source: TRUNK });
    assert.equal(transaction.state, 'proceeding');
    runTo(20_000);
    assert.deepEqual(
      sent.map((s) => s.at),
      [0, 500],
    );
    assert.deepEqual(events, ['600 100', '700 180 far', '700 183 far']);
  });

  it('after a provisional, waits for the final response past Timer B (RFC 3261 §17.1.1.2: Timer B only applies in Calling)', () => {
    const { sent, layer, runTo, recorder } = harness();
    const { events, handlers } = recorder();
    const request = invite();
    layer.request(request, TRUNK, handlers);
    runTo(200);
    layer.receive({ message: answer(request, 180, 'far'), source: TRUNK });
    runTo(120_000); // a callee that rings for two minutes
    assert.deepEqual(events, ['200 180 far']);
    assert.equal(layer.pendingClientTransactions, 1);
    layer.receive({ message: answer(request, 480, 'far'), source: TRUNK });
    assert.deepEqual(events, ['200 180 far', '120000 480 far']);
    assert.equal(asRequest(sent.at(-1)!.message).method, 'ACK');
  });

  it('moves to Accepted on a 2xx: retransmitted 2xx and 2xx from other forks reach the handler until Timer M', () => {
    const { sent, layer, runTo, recorder, clock } = harness();
    const { events, handlers } = recorder();
    const request = invite();
    const transaction = layer.request(request, TRUNK, handlers);
    runTo(700);
    layer.receive({ message: answer(request, 180, 'fork-a'), source: TRUNK });
    runTo(1000);
    layer.receive({ message: answer(request, 200, 'fork-a'), source: TRUNK });
    assert.equal(transaction.state, 'accepted');
    runTo(2000);
    layer.receive({ message: answer(request, 200, 'fork-a'), source: TRUNK }); // retransmission
    runTo(3000);
    layer.receive({ message: answer(request, 200, 'fork-b'), source: TRUNK }); // another fork
    layer.receive({ message: answer(request, 180, 'fork-c'), source: TRUNK }); // late provisional: absorbed
    layer.receive({ message: answer(request, 486, 'fork-c'), source: TRUNK }); // late non-2xx: absorbed
    runTo(1000 + 64 * T1 - 1);
    layer.receive({ message: answer(request, 200, 'fork-a'), source: TRUNK });
    assert.equal(transaction.state, 'accepted');
    runTo(1000 + 64 * T1);
    assert.equal(transaction.state, 'terminated');
    assert.equal(layer.pendingClientTransactions, 0);
    layer.receive({ message: answer(request, 200, 'fork-a'), source: TRUNK }); // after Timer M: nobody listens
    assert.deepEqual(events, ['700 180 fork-a', '1000 200 fork-a', '2000 200 fork-a', '3000 200 fork-b', `${1000 + 64 * T1 - 1} 200 fork-a`]);
    // The INVITE went out at 0 and 500 only; the transaction sends no ACK for a 2xx (the dialog does).
    assert.deepEqual(
      sent.map((s) => s.at),
      [0, 500],
    );
    assert.equal(clock.pendingTimers, 0);
  });

  it('ACKs a non-2xx final in the transaction and ACKs its retransmissions again, handing it up once', () => {
    const { sent, layer, runTo, recorder } = harness();
    const { events, handlers } = recorder();
    const request = invite();
    const transaction = layer.request(request, TRUNK, handlers);
    runTo(300);
    layer.receive({ message: answer(request, 180, 'busy-tag'), source: TRUNK });
    runTo(800);
    layer.receive({ message: answer(request, 486, 'busy-tag', 'Busy Here'), source: TRUNK });
    assert.equal(transaction.state, 'completed');
    assert.equal(sent.length, 2);
    const ack = sent[1]!;
    assert.equal(ack.peer, TRUNK);
    const message = asRequest(ack.message);
    assert.equal(message.method, 'ACK');
    assert.equal(message.uri, request.uri, 'same Request-URI as the INVITE');
    assert.deepEqual(values(message, 'via'), outgoingValues(request, 'via'), 'the INVITE’s Via, branch included');
    assert.equal(parseVia(header(message, 'via')!).params.get('branch'), branchOf(request));
    assert.deepEqual(values(message, 'from'), outgoingValues(request, 'from'));
    assert.deepEqual(values(message, 'to'), ['<sip:+15551234567@trunk.example.com>;tag=busy-tag'], 'To from the response');
    assert.deepEqual(values(message, 'call-id'), outgoingValues(request, 'call-id'));
    assert.deepEqual(parseCSeq(message.headers), { seq: 7, method: 'ACK' });
    assert.deepEqual(values(message, 'route'), outgoingValues(request, 'route'));
    assert.deepEqual(values(message, 'max-forwards'), ['70']);
    assert.equal(header(message, 'contact'), undefined);
    assert.equal(header(message, 'content-type'), undefined);
    assert.equal(message.body.length, 0);

    runTo(1500);
    layer.receive({ message: answer(request, 486, 'busy-tag', 'Busy Here'), source: TRUNK });
    runTo(2500);
    layer.receive({ message: answer(request, 486, 'busy-tag', 'Busy Here'), source: TRUNK });
    assert.deepEqual(
      sent.map((s) => s.at),
      [0, 800, 1500, 2500],
    );
    assert.ok(sent[2]!.data.equals(ack.data) && sent[3]!.data.equals(ack.data), 'the same ACK each time');
    assert.deepEqual(events, ['300 180 busy-tag', '800 486 busy-tag']);

    // Timer D (≥ 32 s over UDP) ends the transaction; later copies find nobody.
    runTo(800 + 32_000);
    assert.equal(transaction.state, 'terminated');
    assert.equal(layer.pendingClientTransactions, 0);
    layer.receive({ message: answer(request, 486, 'busy-tag', 'Busy Here'), source: TRUNK });
    assert.equal(sent.length, 4);
  });

  it('a final response with no provisional first also stops Timer A and Timer B', () => {
    const { sent, layer, runTo, recorder, clock } = harness();
    const { events, handlers } = recorder();
    const request = invite();
    layer.request(request, TRUNK, handlers);
    runTo(1200);
    layer.receive({ message: answer(request, 503, 'x'), source: TRUNK });
    runTo(100_000);
    assert.deepEqual(
      sent.map((s) => `${s.at} ${asRequest(s.message).method}`),
      ['0 INVITE', '500 INVITE', '1200 ACK'],
    );
    assert.deepEqual(events, ['1200 503 x']);
    assert.equal(clock.pendingTimers, 0);
  });

  it('ignores responses for another branch or another method on the same branch', () => {
    const { layer, runTo, recorder } = harness();
    const { events, handlers } = recorder();
    const request = invite();
    const transaction = layer.request(request, TRUNK, handlers);
    runTo(100);
    layer.receive({ message: answer(invite('z9hG4bK-someone-else'), 200, 'x'), source: TRUNK });
    const cancelOk = answer({ ...request, method: 'CANCEL', headers: request.headers.map(([n, v]) => [n, n === 'CSeq' ? '7 CANCEL' : v]) }, 200, 'x');
    layer.receive({ message: cancelOk, source: TRUNK });
    assert.deepEqual(events, []);
    assert.equal(transaction.state, 'calling');
  });
});

describe('client non-INVITE transaction over UDP', () => {
  it('retransmits on Timer E, doubling up to T2, and fails with timeout on Timer F', () => {
    const { sent, layer, runTo, recorder, clock } = harness();
    const { events, handlers } = recorder();
    layer.request(bye(), TRUNK, handlers);
    runTo(100_000);
    assert.deepEqual(
      sent.map((s) => s.at),
      [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
    );
    const gaps = sent.slice(1).map((s, i) => s.at - sent[i]!.at);
    assert.ok(Math.max(...gaps) === T2);
    assert.deepEqual(events, ['32000 failed timeout']);
    assert.equal(layer.pendingClientTransactions, 0);
    assert.equal(clock.pendingTimers, 0);
  });

  it('after a provisional retransmits every T2, and Timer F still applies', () => {
    const { sent, layer, runTo, recorder } = harness();
    const { events, handlers } = recorder();
    const request = bye();
    const transaction = layer.request(request, TRUNK, handlers);
    runTo(100);
    layer.receive({ message: answer(request, 100, 'remote-tag'), source: TRUNK });
    assert.equal(transaction.state, 'proceeding');
    runTo(100_000);
    // The Timer E already running fires at 500, then every T2 (RFC 3261 §17.1.2.2).
    assert.deepEqual(
      sent.map((s) => s.at),
      [0, 500, 4500, 8500, 12500, 16500, 20500, 24500, 28500],
    );
    assert.deepEqual(events, ['100 100 remote-tag', '32000 failed timeout']);
  });

  it('hands the final response up once, absorbs its retransmissions, and lingers for Timer K (T4)', () => {
    const { sent, layer, runTo, recorder, clock } = harness();
    const { events, handlers } = recorder();
    const request = bye();
    const transaction = layer.request(request, TRUNK, handlers);
    runTo(2000);
    layer.receive({ message: answer(request, 200, 'remote-tag', 'OK'), source: TRUNK });
    assert.equal(transaction.state, 'completed');
    runTo(3000);
    layer.receive({ message: answer(request, 200, 'remote-tag', 'OK'), source: TRUNK });
    assert.deepEqual(events, ['2000 200 remote-tag']);
    assert.equal(layer.pendingClientTransactions, 1);
    runTo(2000 + T4);
    assert.equal(transaction.state, 'terminated');
    assert.equal(layer.pendingClientTransactions, 0);
    assert.deepEqual(
      sent.map((s) => s.at),
      [0, 500, 1500],
    );
    assert.equal(clock.pendingTimers, 0);
  });
});

describe('client transactions over TCP', () => {
  it('an INVITE is sent once and still fails on Timer B', () => {
    const { sent, layer, runTo, recorder } = harness();
    const { events, handlers } = recorder();
    layer.request(invite('z9hG4bK-tcp', 'TCP'), TRUNK_TCP, handlers);
    runTo(100_000);
    assert.deepEqual(
      sent.map((s) => [s.at, s.peer.transport]),
      [[0, 'tcp']],
    );
    assert.deepEqual(events, ['32000 failed timeout']);
  });

  it('a BYE is sent once and still fails on Timer F', () => {
    const { sent, layer, runTo, recorder } = harness();
    const { events, handlers } = recorder();
    layer.request(bye('z9hG4bK-tcp-bye', 'TCP'), TRUNK_TCP, handlers);
    runTo(100_000);
    assert.equal(sent.length, 1);
    assert.deepEqual(events, ['32000 failed timeout']);
  });

  it('a non-2xx final is ACKed and the transaction ends at once (Timer D = 0)', () => {
    const { sent, layer, runTo, recorder, clock } = harness();
    const { events, handlers } = recorder();
    const request = invite('z9hG4bK-tcp-486', 'TCP');
    layer.request(request, TRUNK_TCP, handlers);
    runTo(300);
    layer.receive({ message: answer(request, 486, 'b'), source: TRUNK_TCP });
    clock.advance(0);
    assert.equal(layer.pendingClientTransactions, 0);
    assert.deepEqual(
      sent.map((s) => [s.at, asRequest(s.message).method, s.peer.transport]),
      [
        [0, 'INVITE', 'tcp'],
        [300, 'ACK', 'tcp'],
      ],
    );
    assert.deepEqual(events, ['300 486 b']);
  });
});

describe('CANCEL', () => {
  it('builds a CANCEL with the INVITE’s branch, Request-URI, Call-ID, From, To, Route and CSeq n CANCEL', () => {
    const { sent, layer, runTo, recorder } = harness();
    const inviteEvents = recorder();
    const cancelEvents = recorder();
    const request = invite();
    const transaction = layer.request(request, TRUNK, inviteEvents.handlers);
    runTo(200);
    layer.receive({ message: answer(request, 180, 'far'), source: TRUNK });
    runTo(5000);
    const cancel = transaction.cancel(cancelEvents.handlers);
    assert.equal(cancel.request.method, 'CANCEL');
    assert.equal(cancel.peer, TRUNK);
    const sentCancel = sent.at(-1)!;
    assert.equal(sentCancel.at, 5000);
    const message = asRequest(sentCancel.message);
    assert.equal(message.method, 'CANCEL');
    assert.equal(message.uri, request.uri);
    assert.deepEqual(values(message, 'via'), outgoingValues(request, 'via'));
    assert.equal(parseVia(header(message, 'via')!).params.get('branch'), branchOf(request));
    assert.deepEqual(values(message, 'call-id'), outgoingValues(request, 'call-id'));
    assert.deepEqual(values(message, 'from'), outgoingValues(request, 'from'));
    assert.deepEqual(values(message, 'to'), outgoingValues(request, 'to'), 'the INVITE’s To, without the provisional’s tag');
    assert.deepEqual(values(message, 'route'), outgoingValues(request, 'route'));
    assert.deepEqual(parseCSeq(message.headers), { seq: 7, method: 'CANCEL' });
    assert.equal(header(message, 'contact'), undefined);
    assert.equal(header(message, 'content-type'), undefined);
    assert.equal(message.body.length, 0);

    // The CANCEL is a non-INVITE transaction of its own: Timer E retransmits it until its 200.
    runTo(5500);
    assert.equal(asRequest(sent.at(-1)!.message).method, 'CANCEL');
    assert.equal(sent.at(-1)!.at, 5500);
    layer.receive({ message: answer(cancel.request, 200, 'far', 'OK'), source: TRUNK });
    runTo(5600);
    layer.receive({ message: answer(request, 487, 'far', 'Request Terminated'), source: TRUNK });
    assert.deepEqual(cancelEvents.events, ['5500 200 far']);
    assert.deepEqual(inviteEvents.events, ['200 180 far', '5600 487 far']);
    const ack = asRequest(sent.at(-1)!.message);
    assert.equal(ack.method, 'ACK');
    assert.deepEqual(parseCSeq(ack.headers), { seq: 7, method: 'ACK' });
    runTo(60_000);
    assert.equal(layer.pendingClientTransactions, 0);
    assert.deepEqual(
      sent.filter((s) => asRequest(s.message).method === 'CANCEL').map((s) => s.at),
      [5000, 5500],
    );
  });

  it('gives the INVITE up 64·T1 after a CANCEL that no final response follows (RFC 3261 §9.1)', () => {
    const { layer, runTo, recorder } = harness();
    const inviteEvents = recorder();
    const request = invite();
    const transaction = layer.request(request, TRUNK, inviteEvents.handlers);
    runTo(100);
    layer.receive({ message: answer(request, 180, 'far'), source: TRUNK });
    runTo(60_000);
    const cancel = transaction.cancel({ response: () => undefined, failed: () => undefined });
    layer.receive({ message: answer(cancel.request, 200, 'far'), source: TRUNK });
    runTo(60_000 + 64 * T1 - 1);
    assert.deepEqual(inviteEvents.events, ['100 180 far']);
    runTo(60_000 + 64 * T1);
    assert.deepEqual(inviteEvents.events, ['100 180 far', `${60_000 + 64 * T1} failed timeout`]);
    assert.equal(layer.pendingClientTransactions, 0);
  });
});

describe('unreachable peers', () => {
  it('fails the pending transactions to that peer with unreachable, and only those', () => {
    const { sent, layer, runTo, recorder } = harness();
    const first = recorder();
    const second = recorder();
    const elsewhere = recorder();
    const otherPort = recorder();
    const finished = recorder();
    const ringing = recorder();
    const done = invite('z9hG4bK-done');
    layer.request(done, TRUNK, finished.handlers);
    const proceeding = invite('z9hG4bK-ringing');
    layer.request(proceeding, TRUNK, ringing.handlers);
    layer.request(invite('z9hG4bK-first'), TRUNK, first.handlers);
    layer.request(bye('z9hG4bK-second'), TRUNK, second.handlers);
    layer.request(invite('z9hG4bK-elsewhere'), OTHER, elsewhere.handlers);
    layer.request(invite('z9hG4bK-port'), { ...TRUNK, port: 5080 }, otherPort.handlers);
    runTo(100);
    layer.receive({ message: answer(done, 404, 'x'), source: TRUNK });
    layer.receive({ message: answer(proceeding, 180, 'y'), source: TRUNK });
    runTo(200);
    layer.unreachable({ ...TRUNK });
    assert.deepEqual(first.events, ['200 failed unreachable']);
    assert.deepEqual(second.events, ['200 failed unreachable']);
    assert.deepEqual(ringing.events, ['100 180 y', '200 failed unreachable']);
    assert.deepEqual(finished.events, ['100 404 x'], 'a completed transaction has its answer already');
    assert.deepEqual(elsewhere.events, []);
    assert.deepEqual(otherPort.events, []);
    const before = sent.filter((s) => s.peer.address === TRUNK.address && s.peer.port === TRUNK.port).length;
    layer.unreachable({ ...TRUNK });
    runTo(100_000);
    assert.equal(sent.filter((s) => s.peer.address === TRUNK.address && s.peer.port === TRUNK.port).length, before, 'no more retransmissions to an unreachable peer');
    assert.deepEqual(first.events, ['200 failed unreachable']);
    assert.deepEqual(elsewhere.events, ['32000 failed timeout']);
  });
});

describe('server side', () => {
  const SOURCE: Peer = { transport: 'udp', address: '203.0.113.9', port: 40_000 };

  function incoming(method: string, options: { branch?: string; cseq?: number; callId?: string; via?: string; toTag?: string } = {}): SipRequest {
    const branch = options.branch ?? `z9hG4bK-in-${method.toLowerCase()}`;
    const data = serializeRequest({
      method,
      uri: 'sip:outdial@192.0.2.10:5060',
      headers: [
        ['Via', options.via ?? `SIP/2.0/UDP 198.51.100.20:5070;branch=${branch};rport`],
        ['From', '<sip:+15551234567@trunk.example.com>;tag=remote-tag'],
        ['To', `<sip:outdial@192.0.2.10>${options.toTag !== undefined ? `;tag=${options.toTag}` : ''}`],
        ['Call-ID', options.callId ?? 'in-call@trunk'],
        ['CSeq', `${options.cseq ?? 1} ${method}`],
      ],
    });
    return asRequest(parseMessage(data));
  }

  /** A request handler that answers `status` at once and records what reached it. */
  function answering(status: number | ((request: SipRequest) => number)): { seen: string[]; handler: ServerRequestHandler } {
    const seen: string[] = [];
    return {
      seen,
      handler: (request, reply) => {
        seen.push(`${request.method} ${parseCSeq(request.headers).seq}`);
        if (request.method === 'ACK') return;
        const code = typeof status === 'number' ? status : status(request);
        reply({ status: code, reason: 'Reason', headers: responseHeaders(request, 'local') });
      },
    };
  }

  it('hands a request up once and answers its retransmissions with the remembered final response', () => {
    const { sent, layer, runTo } = harness();
    const { seen, handler } = answering(200);
    layer.onRequest(handler);
    const request = incoming('BYE', { toTag: 'local' });
    layer.receive({ message: request, source: SOURCE });
    runTo(500);
    layer.receive({ message: request, source: SOURCE });
    runTo(1500);
    layer.receive({ message: request, source: SOURCE });
    assert.deepEqual(seen, ['BYE 1']);
    assert.deepEqual(
      sent.map((s) => s.at),
      [0, 500, 1500],
    );
    assert.ok(sent.every((s) => s.data.equals(sent[0]!.data) && s.peer.address === SOURCE.address && s.peer.port === SOURCE.port));
    const response = asResponse(sent[0]!.message);
    assert.equal(response.status, 200);
    assert.equal(parseVia(header(response, 'via')!).params.get('branch'), 'z9hG4bK-in-bye');
    // Timers never retransmit a non-INVITE answer on their own.
    runTo(30_000);
    assert.equal(sent.length, 3);
  });

  it('remembers the answer for 64·T1 (Timer J); a request with another branch is a new request', () => {
    const { sent, layer, runTo } = harness();
    const { seen, handler } = answering(200);
    layer.onRequest(handler);
    layer.receive({ message: incoming('OPTIONS'), source: SOURCE });
    layer.receive({ message: incoming('OPTIONS', { branch: 'z9hG4bK-new', cseq: 2 }), source: SOURCE });
    assert.deepEqual(seen, ['OPTIONS 1', 'OPTIONS 2']);
    runTo(64 * T1 - 1);
    layer.receive({ message: incoming('OPTIONS'), source: SOURCE });
    assert.deepEqual(seen, ['OPTIONS 1', 'OPTIONS 2']);
    runTo(64 * T1);
    layer.receive({ message: incoming('OPTIONS'), source: SOURCE });
    assert.deepEqual(seen, ['OPTIONS 1', 'OPTIONS 2', 'OPTIONS 1']);
    assert.equal(sent.length, 4);
  });

  it('does not remember provisional responses: a retransmission after only a 1xx reaches the handler', () => {
    const { sent, layer } = harness();
    const seen: string[] = [];
    layer.onRequest((request, reply) => {
      seen.push(request.method);
      reply({ status: 100, reason: 'Trying', headers: responseHeaders(request, undefined) });
    });
    const request = incoming('INVITE', { toTag: 'local' });
    layer.receive({ message: request, source: SOURCE });
    layer.receive({ message: request, source: SOURCE });
    assert.deepEqual(seen, ['INVITE', 'INVITE']);
    assert.equal(sent.length, 2);
  });

  it('retransmits a 2xx to an INVITE at T1, 2T1 … capped at T2 until 64·T1', () => {
    const { sent, layer, runTo, clock } = harness();
    const { handler } = answering(200);
    layer.onRequest(handler);
    layer.receive({ message: incoming('INVITE', { toTag: 'local', cseq: 3 }), source: SOURCE });
    runTo(100_000);
    assert.deepEqual(
      sent.map((s) => s.at),
      [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
    );
    assert.ok(sent.every((s) => s.data.equals(sent[0]!.data)));
    assert.equal(asResponse(sent[0]!.message).status, 200);
    assert.equal(clock.pendingTimers, 0);
  });

  it('stops retransmitting the 2xx when the ACK with the same Call-ID and CSeq number arrives, and hands the ACK up', () => {
    const { sent, layer, runTo, clock } = harness();
    const { seen, handler } = answering(200);
    layer.onRequest(handler);
    const request = incoming('INVITE', { toTag: 'local', cseq: 3 });
    layer.receive({ message: request, source: SOURCE });
    runTo(2000);
    // An ACK for another CSeq or another call does not stop it.
    layer.receive({ message: incoming('ACK', { branch: 'z9hG4bK-ack-x', cseq: 2, toTag: 'local' }), source: SOURCE });
    layer.receive({ message: incoming('ACK', { branch: 'z9hG4bK-ack-y', cseq: 3, callId: 'other-call', toTag: 'local' }), source: SOURCE });
    runTo(4000);
    // An INVITE retransmission gets the 2xx again without reaching the handler.
    layer.receive({ message: request, source: SOURCE });
    runTo(5000);
    // The ACK for a 2xx is its own transaction: a new branch.
    layer.receive({ message: incoming('ACK', { branch: 'z9hG4bK-ack-ok', cseq: 3, toTag: 'local' }), source: SOURCE });
    runTo(100_000);
    assert.deepEqual(
      sent.map((s) => s.at),
      [0, 500, 1500, 3500, 4000],
    );
    assert.deepEqual(seen, ['INVITE 3', 'ACK 2', 'ACK 3', 'ACK 3']);
    assert.ok(sent.every((s) => asResponse(s.message).status === 200));
    assert.equal(clock.pendingTimers, 0);
  });

  it('does not retransmit a non-2xx final to an INVITE on a timer, only on a request retransmission', () => {
    const { sent, layer, runTo } = harness();
    const { seen, handler } = answering(486);
    layer.onRequest(handler);
    const request = incoming('INVITE', { toTag: 'local' });
    layer.receive({ message: request, source: SOURCE });
    runTo(20_000);
    assert.equal(sent.length, 1);
    layer.receive({ message: request, source: SOURCE });
    assert.equal(sent.length, 2);
    assert.equal(asResponse(sent[1]!.message).status, 486);
    assert.deepEqual(seen, ['INVITE 1']);
  });

  it('over TCP, answers on the connection it came from and does not retransmit the 2xx', () => {
    const { sent, layer, runTo } = harness();
    const { handler } = answering(200);
    layer.onRequest(handler);
    const source: Peer = { transport: 'tcp', address: '203.0.113.9', port: 51_000 };
    layer.receive({ message: incoming('INVITE', { via: 'SIP/2.0/TCP 198.51.100.20:5070;branch=z9hG4bK-tcp', toTag: 'local' }), source });
    runTo(100_000);
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0]!.peer, source);
  });

  describe('where responses go (RFC 3261 §18.2.2, RFC 3581)', () => {
    function replyPeer(via: string, source: Peer = SOURCE): Peer {
      const { sent, layer } = harness();
      layer.onRequest(answering(200).handler);
      layer.receive({ message: incoming('OPTIONS', { via }), source });
      assert.equal(sent.length, 1);
      return sent[0]!.peer;
    }

    it('rport: back to the source address and port', () => {
      assert.deepEqual(replyPeer('SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bK1;rport'), SOURCE);
      assert.deepEqual(replyPeer('SIP/2.0/UDP 10.0.0.5:5070;rport;branch=z9hG4bK1;received=10.9.9.9'), SOURCE);
    });

    it('received without rport: the received address and the Via port', () => {
      assert.deepEqual(replyPeer('SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bK1;received=198.51.100.7'), { transport: 'udp', address: '198.51.100.7', port: 5070 });
    });

    it('neither: the Via host and port, 5060 when the Via has no port', () => {
      const fromViaHost: Peer = { transport: 'udp', address: '198.51.100.20', port: 41_000 };
      assert.deepEqual(replyPeer('SIP/2.0/UDP 198.51.100.20:5070;branch=z9hG4bK1', fromViaHost), { transport: 'udp', address: '198.51.100.20', port: 5070 });
      assert.deepEqual(replyPeer('SIP/2.0/UDP 198.51.100.20;branch=z9hG4bK1', fromViaHost), { transport: 'udp', address: '198.51.100.20', port: 5060 });
    });

    it('neither, from an address other than the Via host: the source address (the received it implies) and the Via port', () => {
      assert.deepEqual(replyPeer('SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bK1'), { transport: 'udp', address: SOURCE.address, port: 5070 });
    });

    it('a retransmission is answered where the first answer went', () => {
      const { sent, layer } = harness();
      layer.onRequest(answering(200).handler);
      const request = incoming('OPTIONS', { via: 'SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bK1;received=198.51.100.7' });
      layer.receive({ message: request, source: SOURCE });
      layer.receive({ message: request, source: { ...SOURCE, port: 40_001 } });
      assert.deepEqual(
        sent.map((s) => s.peer),
        [
          { transport: 'udp', address: '198.51.100.7', port: 5070 },
          { transport: 'udp', address: '198.51.100.7', port: 5070 },
        ],
      );
    });
  });
});
