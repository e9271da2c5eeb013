/**
 * SipCall in virtual time: a real TransactionLayer on a sender that records what leaves, a VirtualClock, a
 * fake MediaEngine, and the test playing the trunk by handing the layer the responses and requests a far
 * end would send. Covers what SIPp scenarios cannot reach cheaply: RFC 4028 session timers run for minutes
 * here in no time at all.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { VirtualClock } from '../../../../src/shared/clock.js';
import { silentLogger } from '../../../../src/shared/logger.js';
import { noMetrics } from '../../../../src/shared/metrics.js';
import type { CallEndCause, CallListener, Prompt } from '../../../../src/telephony/carrier.js';
import type { MediaEngine, MediaEngineStats, MediaStream, MediaStreamListener, MediaStreamOptions, RecordingResult, RemoteMedia } from '../../../../src/telephony/media/media-engine.js';
import { authorize, parseChallenge } from '../../../../src/telephony/sip/digest.js';
import {
  header,
  parseCSeq,
  parseMessage,
  parseVia,
  responseHeaders,
  serializeRequest,
  serializeResponse,
  tagOf,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../../../../src/telephony/sip/message.js';
import { SipCall, type SipCallContext } from '../../../../src/telephony/sip/sip-call.js';
import { peerFor } from '../../../../src/telephony/sip/sip-carrier.js';
import { DEFAULT_TIMERS, TransactionLayer } from '../../../../src/telephony/sip/transactions.js';
import type { Peer } from '../../../../src/telephony/sip/transport.js';
import { SipTrunk, type TrunkConfig } from '../../../../src/telephony/sip/trunk.js';

const T1 = DEFAULT_TIMERS.t1;
const TRUNK: Peer = { transport: 'udp', address: '192.0.2.20', port: 5060 };
const FAR_CONTACT = '<sip:far@192.0.2.20:5060>';
const LOCAL_PORT = 5070;
const RTP_PORT = 40_000;
const TO = '+15551234567';

const TRUNK_CONFIG: TrunkConfig = {
  name: 'main',
  host: '192.0.2.20',
  port: 5060,
  transport: 'udp',
  assertIdentity: false,
  numberFormat: 'e164',
};

const ALLOW_WITH_UPDATE = 'INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE';
const ALLOW_WITHOUT_UPDATE = 'INVITE, ACK, CANCEL, BYE, OPTIONS';

function farSdp(direction = 'sendrecv', codecs = '0 101', version = 1): string {
  return [
    'v=0',
    `o=far 42 ${version} IN IP4 192.0.2.20`,
    's=-',
    'c=IN IP4 192.0.2.20',
    't=0 0',
    `m=audio 30000 RTP/AVP ${codecs}`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:18 G729/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    `a=${direction}`,
    '',
  ].join('\r\n');
}

interface Sent {
  /** Milliseconds since the harness started. */
  readonly at: number;
  readonly peer: Peer;
  readonly data: Buffer;
  readonly message: SipMessage;
}

/** A MediaStream that logs what the call asks of it. */
class FakeStream implements MediaStream {
  readonly localPort = RTP_PORT;
  readonly remotes: RemoteMedia[] = [];
  readonly played: { audio: Int16Array; token: number }[] = [];
  recordingPath: string | null = null;
  failStopRecording = false;

  constructor(private readonly log: string[]) {}

  setRemote(remote: RemoteMedia): void {
    this.remotes.push(remote);
    this.log.push(`media.setRemote ${remote.direction}`);
  }

  play(audio: Int16Array, token: number): void {
    this.played.push({ audio, token });
    this.log.push(`media.play ${token}`);
  }

  stopPlaying(): void {
    this.log.push('media.stopPlaying');
  }

  bridge(peer: MediaStream | null): void {
    this.log.push(`media.bridge ${peer === null ? 'none' : 'peer'}`);
  }

  startRecording(path: string): void {
    this.recordingPath = path;
    this.log.push(`media.startRecording ${path}`);
  }

  stopRecording(): Promise<RecordingResult | null> {
    this.log.push('media.stopRecording');
    const path = this.recordingPath;
    this.recordingPath = null;
    if (this.failStopRecording) return Promise.reject(new Error('disk full'));
    return Promise.resolve(path === null ? null : { path, startedAt: 1000, stoppedAt: 2000 });
  }

  close(): Promise<{ packetsSent: number; packetsReceived: number; recording: RecordingResult | null }> {
    this.log.push('media.close');
    const path = this.recordingPath;
    this.recordingPath = null;
    return Promise.resolve({ packetsSent: 0, packetsReceived: 0, recording: path === null ? null : { path, startedAt: 1000, stoppedAt: 3000 } });
  }
}

class FakeMedia implements MediaEngine {
  listener: MediaStreamListener | undefined;
  stream: FakeStream | undefined;

  constructor(private readonly log: string[]) {}

  readonly affinities: (string | undefined)[] = [];

  open(listener: MediaStreamListener, options?: MediaStreamOptions): Promise<MediaStream> {
    this.affinities.push(options?.affinity);
    this.listener = listener;
    this.stream = new FakeStream(this.log);
    this.log.push('media.open');
    return Promise.resolve(this.stream);
  }

  stats(): Promise<MediaEngineStats> {
    return Promise.resolve({ streams: this.stream === undefined ? 0 : 1, latenessP50Ms: 0, latenessP99Ms: 0, latenessMaxMs: 0, framesSkipped: 0 });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Lets promise chains (media.open, renderPrompt, the stream's close) run to the end. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function asRequest(message: SipMessage): SipRequest {
  assert.equal(message.kind, 'request');
  return message;
}

function asResponse(message: SipMessage): SipResponse {
  assert.equal(message.kind, 'response');
  return message;
}

function cseqOf(message: SipMessage): string {
  const { seq, method } = parseCSeq(message.headers);
  return `${seq} ${method}`;
}

function branchOfMessage(message: SipMessage): string | null | undefined {
  return parseVia(header(message, 'via') ?? '').params.get('branch');
}

interface HarnessOptions {
  readonly sessionExpires?: number;
  readonly credentials?: boolean;
  readonly render?: (prompt: Prompt) => Promise<Int16Array>;
}

interface AnswerOptions {
  readonly tag?: string;
  readonly contact?: string;
  readonly allow?: string;
  readonly sessionExpires?: string;
  readonly body?: string;
  readonly headers?: [string, string][];
}

function harness(options: HarnessOptions = {}) {
  const clock = new VirtualClock();
  const start = clock.now();
  const elapsed = (): number => clock.now() - start;
  const sent: Sent[] = [];
  const sender = {
    port: LOCAL_PORT,
    send(data: Buffer, peer: Peer): void {
      sent.push({ at: elapsed(), peer, data, message: parseMessage(data) });
    },
  };
  const layer = new TransactionLayer(sender, clock);
  /** Listener events and media calls, in the order they happened. */
  const log: string[] = [];
  const media = new FakeMedia(log);
  const forgotten: string[] = [];
  const statuses: number[] = [];
  const recorded: unknown[] = [];
  const listener: CallListener = {
    ringing: () => log.push('ringing'),
    pickedUp: () => log.push('pickedUp'),
    answered: (info) => log.push(`answered ${JSON.stringify(info)}`),
    digits: (keys) => log.push(`digits ${keys}`),
    promptFinished: () => log.push('promptFinished'),
    recorded: (recording) => {
      recorded.push(recording);
      log.push(`recorded ${recording.location}`);
    },
    ended: (cause) => log.push(`ended ${cause}`),
  };
  const context: SipCallContext = {
    layer,
    media,
    clock,
    logger: silentLogger,
    metrics: { ...noMetrics, sipInviteResponse: (status) => statuses.push(status) },
    renderPrompt:
      options.render ??
      ((prompt) => {
        log.push(`render ${prompt.text}`);
        return Promise.resolve(new Int16Array(160));
      }),
    advertisedAddress: '192.0.2.10',
    userAgent: 'outdial-test',
    sessionExpiresSeconds: options.sessionExpires ?? 1800,
    recordingPath: (contactId, index) => `/recordings/${contactId}-${index}.wav`,
    peerFor,
    udpMtuBytes: 1300,
    forget: (callId) => forgotten.push(callId),
  };
  const config: TrunkConfig = options.credentials === true ? { ...TRUNK_CONFIG, username: 'outdial', password: 'secret' } : TRUNK_CONFIG;
  const trunk = new SipTrunk(config, TRUNK);
  const placed = { contactId: 'contact-1', instanceId: 'instance-1', to: TO, from: '+15550001111', answeringMachineDetection: { enabled: false, awaitPrompt: false } };
  const call = new SipCall(context, trunk.destination(placed), placed, listener);
  layer.onRequest((request, reply) => {
    if (header(request, 'call-id') === call.callId) return call.receive(request, reply);
    reply({ status: 481, reason: 'Call/Transaction Does Not Exist', headers: responseHeaders(request, 'x') });
  });

  /** Requests we sent with this method, retransmissions included. */
  const requests = (method: string): (Sent & { message: SipRequest })[] =>
    sent.filter((s): s is Sent & { message: SipRequest } => s.message.kind === 'request' && s.message.method === method);
  /** The last request we sent with this method. */
  const last = (method: string): SipRequest => {
    const found = requests(method).at(-1);
    assert.ok(found !== undefined, `no ${method} sent`);
    return found.message;
  };
  /** Distinct requests (by CSeq) with this method. */
  const distinct = (method: string): SipRequest[] => {
    const seen = new Map<string, SipRequest>();
    for (const { message } of requests(method)) if (!seen.has(cseqOf(message))) seen.set(cseqOf(message), message);
    return [...seen.values()];
  };
  /** Responses we sent to the far end's request on `branch`. */
  const responsesTo = (branch: string): SipResponse[] =>
    sent.filter((s) => s.message.kind === 'response' && branchOfMessage(s.message) === branch).map((s) => asResponse(s.message));
  /** Listener events only, media calls left out. */
  const events = (): string[] => log.filter((line) => !line.startsWith('media.') && !line.startsWith('render '));

  /** The far end answers our `request` with `status`. */
  const reply = (request: SipRequest, status: number, opts: { tag?: string; headers?: [string, string][]; body?: string; reason?: string; source?: Peer } = {}): void => {
    const headers: [string, string][] = [...responseHeaders(request, opts.tag), ...(opts.headers ?? [])];
    if (opts.body !== undefined) headers.push(['Content-Type', 'application/sdp']);
    const data = serializeResponse({ status, reason: opts.reason ?? 'Reason', headers, ...(opts.body !== undefined && { body: opts.body }) });
    layer.receive({ message: parseMessage(data), source: opts.source ?? TRUNK });
  };

  /** A 200 with SDP to our INVITE. */
  const answer = (invite: SipRequest, opts: AnswerOptions = {}): void => {
    const headers: [string, string][] = [['Contact', opts.contact ?? FAR_CONTACT], ['Allow', opts.allow ?? ALLOW_WITH_UPDATE]];
    if (opts.sessionExpires !== undefined) headers.push(['Session-Expires', opts.sessionExpires], ['Require', 'timer']);
    headers.push(...(opts.headers ?? []));
    reply(invite, 200, { tag: opts.tag ?? 'far-1', headers, body: opts.body ?? farSdp(), reason: 'OK' });
  };

  /** Starts the call and lets media.open resolve; returns the INVITE. */
  const dial = async (): Promise<SipRequest> => {
    void call.start();
    await settle();
    return last('INVITE');
  };

  /** Dials and answers: 100, 180, 200. */
  const answered = async (opts: AnswerOptions = {}): Promise<SipRequest> => {
    const invite = await dial();
    reply(invite, 100, { reason: 'Trying' });
    reply(invite, 180, { tag: opts.tag ?? 'far-1', reason: 'Ringing' });
    answer(invite, opts);
    return invite;
  };

  let farBranch = 0;
  /** A request from the far end within the dialog; returns its branch. */
  const farRequest = (
    invite: SipRequest,
    method: string,
    opts: { cseq: number; body?: string; contentType?: string; headers?: [string, string][]; tag?: string; cseqMethod?: string },
  ): string => {
    const branch = `z9hG4bK-far-${++farBranch}`;
    const headers: [string, string][] = [
      ['Via', `SIP/2.0/UDP 192.0.2.20:5060;branch=${branch}`],
      ['Max-Forwards', '70'],
      ['From', `${header(invite, 'to')!};tag=${opts.tag ?? 'far-1'}`],
      ['To', header(invite, 'from')!],
      ['Call-ID', header(invite, 'call-id')!],
      ['CSeq', `${opts.cseq} ${opts.cseqMethod ?? method}`],
      ['Contact', FAR_CONTACT],
      ...(opts.headers ?? []),
    ];
    if (opts.body !== undefined) headers.push(['Content-Type', opts.contentType ?? 'application/sdp']);
    const data = serializeRequest({ method, uri: `sip:outdial@192.0.2.10:${LOCAL_PORT}`, headers, ...(opts.body !== undefined && { body: opts.body }) });
    layer.receive({ message: parseMessage(data), source: TRUNK });
    return branch;
  };

  return { clock, elapsed, sent, layer, log, media, forgotten, statuses, recorded, call, requests, last, distinct, responsesTo, events, reply, answer, dial, answered, farRequest };
}

type Harness = ReturnType<typeof harness>;

function stream(h: Harness): FakeStream {
  assert.ok(h.media.stream !== undefined, 'the media stream was opened');
  return h.media.stream;
}

function mediaListener(h: Harness): MediaStreamListener {
  assert.ok(h.media.listener !== undefined, 'the media stream was opened');
  return h.media.listener;
}

/** The name=value pairs of a Digest credentials value, unquoted. */
function digestParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const match of value.replace(/^Digest\s+/i, '').matchAll(/([a-z-]+)=("([^"]*)"|[^,\s]+)/gi)) params.set(match[1]!.toLowerCase(), match[3] ?? match[2]!);
  return params;
}

/** Asserts an in-dialog request of ours went to the far end's Contact, in its dialog. */
function assertInDialog(request: SipRequest, invite: SipRequest, tag = 'far-1'): void {
  assert.equal(request.uri, 'sip:far@192.0.2.20:5060', 'the remote target from the Contact');
  assert.equal(tagOf(header(request, 'to')), tag);
  assert.equal(tagOf(header(request, 'from')), tagOf(header(invite, 'from')));
  assert.equal(header(request, 'call-id'), header(invite, 'call-id'));
}

describe('SipCall: placing the call', () => {
  it('sends one INVITE with SDP, reports ringing and answered, and ACKs the 200', async () => {
    const h = harness();
    const invite = await h.dial();
    assert.equal(h.requests('INVITE').length, 1);
    assert.equal(invite.uri, `sip:${TO}@192.0.2.20:5060`);
    assert.equal(cseqOf(invite), '1 INVITE');
    assert.equal(header(invite, 'call-id'), h.call.callId);
    assert.equal(header(invite, 'session-expires'), '1800');
    assert.equal(header(invite, 'min-se'), '90');
    assert.deepEqual(invite.headers.get('supported'), ['timer']);
    assert.match(invite.body.toString(), new RegExp(`m=audio ${RTP_PORT} RTP/AVP 0 8 101`));
    h.reply(invite, 100, { reason: 'Trying' });
    h.reply(invite, 180, { tag: 'far-1', reason: 'Ringing' });
    assert.deepEqual(h.events(), ['ringing']);
    h.answer(invite);
    assert.deepEqual(h.events(), ['ringing', 'answered {}']);
    const ack = h.last('ACK');
    assert.equal(cseqOf(ack), '1 ACK');
    assertInDialog(ack, invite);
    assert.deepEqual(h.requests('ACK').at(-1)!.peer, TRUNK);
    assert.deepEqual(stream(h).remotes.map((r) => [r.address, r.port, r.codec, r.direction]), [['192.0.2.20', 30000, 'PCMU', 'sendrecv']]);
    assert.deepEqual(h.statuses, [200]);
  });

  it('applies early media from a 183 before the 200', async () => {
    const h = harness();
    const invite = await h.dial();
    h.reply(invite, 183, { tag: 'far-1', reason: 'Session Progress', body: farSdp() });
    assert.deepEqual(h.log.slice(1), ['ringing', 'media.setRemote sendrecv']);
    h.answer(invite, { body: '' });
    assert.deepEqual(h.events(), ['ringing', 'answered {}'], 'a 200 without SDP keeps the early answer');
  });

  it('hangUp() before the media stream opened sends nothing and closes the stream', async () => {
    const h = harness();
    void h.call.start();
    h.call.hangUp();
    await settle();
    assert.equal(h.sent.length, 0);
    assert.deepEqual(h.log, ['media.open', 'media.close']);
    assert.deepEqual(h.forgotten, [h.call.callId]);
  });

  it('an INVITE that gets no answer at all ends the call carrier-error at Timer B', async () => {
    const h = harness();
    await h.dial();
    h.clock.advance(64 * T1 - 1);
    assert.deepEqual(h.events(), []);
    h.clock.advance(1);
    await settle();
    assert.deepEqual(h.events(), ['ended carrier-error']);
    assert.equal(h.requests('INVITE').length, 7, 'the INVITE and six retransmissions');
  });
});

describe('SipCall: final responses to the INVITE', () => {
  const cases: [number, CallEndCause][] = [
    [486, 'busy'],
    [600, 'busy'],
    [480, 'no-answer'],
    [408, 'no-answer'],
    [603, 'declined'],
    [404, 'unreachable'],
    [484, 'unreachable'],
    [604, 'unreachable'],
    [503, 'carrier-error'],
  ];
  for (const [status, cause] of cases) {
    it(`${status} ends the call '${cause}' after an ACK`, async () => {
      const h = harness();
      const invite = await h.dial();
      h.reply(invite, 180, { tag: 'far-1' });
      h.reply(invite, status, { tag: 'far-1' });
      const ack = h.last('ACK');
      assert.equal(cseqOf(ack), '1 ACK');
      assert.equal(branchOfMessage(ack), branchOfMessage(invite), 'the transaction ACKs a non-2xx on the INVITE’s branch');
      await settle();
      assert.deepEqual(h.events(), ['ringing', `ended ${cause}`]);
      assert.deepEqual(h.statuses, [status]);
      assert.ok(h.log.includes('media.close'));
      assert.deepEqual(h.forgotten, [h.call.callId]);
    });
  }
});

describe('SipCall: CANCEL', () => {
  it('hangUp() before any response sends no CANCEL; the first provisional (even 100) triggers it', async () => {
    const h = harness();
    const invite = await h.dial();
    h.call.hangUp();
    h.clock.advance(1000);
    assert.equal(h.requests('CANCEL').length, 0, 'RFC 3261 §9.1: no CANCEL before a provisional');
    h.reply(invite, 100, { reason: 'Trying' });
    const cancel = h.last('CANCEL');
    assert.equal(cseqOf(cancel), '1 CANCEL');
    assert.equal(cancel.uri, invite.uri);
    assert.equal(branchOfMessage(cancel), branchOfMessage(invite));
    assert.equal(header(cancel, 'from'), header(invite, 'from'));
    assert.equal(header(cancel, 'to'), header(invite, 'to'));
    h.reply(cancel, 200, { tag: 'far-1', reason: 'OK' });
    h.reply(invite, 487, { tag: 'far-1', reason: 'Request Terminated' });
    assert.equal(cseqOf(h.last('ACK')), '1 ACK');
    await settle();
    assert.deepEqual(h.events(), [], 'no listener event follows hangUp');
    assert.ok(h.log.includes('media.close'));
    assert.deepEqual(h.forgotten, [h.call.callId]);
  });

  it('after a 180 the CANCEL goes at once', async () => {
    const h = harness();
    const invite = await h.dial();
    h.reply(invite, 180, { tag: 'far-1' });
    h.call.hangUp();
    assert.equal(h.requests('CANCEL').length, 1);
    h.reply(invite, 487, { tag: 'far-1' });
    await settle();
    assert.deepEqual(h.events(), ['ringing']);
  });

  it('a 200 crossing the CANCEL gets an ACK and then a BYE, and no listener event', async () => {
    const h = harness();
    const invite = await h.dial();
    h.call.hangUp();
    h.reply(invite, 100, { reason: 'Trying' });
    const cancel = h.last('CANCEL');
    h.answer(invite);
    h.reply(cancel, 200, { tag: 'far-1' });
    const methods = h.sent.filter((s) => s.message.kind === 'request').map((s) => asRequest(s.message).method);
    assert.deepEqual(methods, ['INVITE', 'CANCEL', 'ACK', 'BYE']);
    const bye = h.last('BYE');
    assertInDialog(bye, invite);
    assert.equal(cseqOf(bye), '2 BYE');
    h.reply(bye, 200, { reason: 'OK' });
    await settle();
    assert.deepEqual(h.events(), []);
    assert.ok(h.log.includes('media.close'));
  });

  it('a CANCEL that never brings a final response gives the INVITE up 64·T1 later', async () => {
    const h = harness();
    const invite = await h.dial();
    h.reply(invite, 180, { tag: 'far-1' });
    h.call.hangUp();
    h.clock.advance(64 * T1);
    await settle();
    assert.deepEqual(h.events(), ['ringing']);
    assert.deepEqual(h.forgotten, [h.call.callId]);
  });

  it('hangUp() after the answer sends BYE and reports nothing more', async () => {
    const h = harness();
    const invite = await h.answered();
    h.call.hangUp();
    h.call.hangUp();
    assert.equal(h.requests('BYE').length, 1);
    assertInDialog(h.last('BYE'), invite);
    await settle();
    assert.deepEqual(h.events(), ['ringing', 'answered {}']);
    assert.ok(h.log.includes('media.close'));
  });
});

describe('SipCall: digest authentication', () => {
  const challenge = (nonce: string, stale = false): [string, string][] => [
    ['WWW-Authenticate', `Digest realm="trunk.example", nonce="${nonce}", qop="auth", algorithm=MD5${stale ? ', stale=true' : ''}`],
  ];

  it('401 → the INVITE again, once, with Authorization (CSeq+1, same Call-ID and From tag)', async () => {
    const h = harness({ credentials: true });
    const first = await h.dial();
    h.reply(first, 401, { tag: 'proxy', headers: challenge('n1'), reason: 'Unauthorized' });
    assert.equal(cseqOf(h.last('ACK')), '1 ACK');
    const invites = h.distinct('INVITE');
    assert.equal(invites.length, 2);
    const second = invites[1]!;
    assert.equal(cseqOf(second), '2 INVITE');
    assert.equal(header(second, 'call-id'), header(first, 'call-id'));
    assert.equal(tagOf(header(second, 'from')), tagOf(header(first, 'from')));
    assert.equal(tagOf(header(second, 'to')), undefined);
    assert.notEqual(branchOfMessage(second), branchOfMessage(first), 'a new transaction');
    const authorization = header(second, 'authorization');
    assert.ok(authorization !== undefined);
    const params = digestParams(authorization);
    assert.equal(params.get('username'), 'outdial');
    assert.equal(params.get('nonce'), 'n1');
    assert.equal(params.get('uri'), first.uri);
    assert.equal(params.get('nc'), '00000001');
    const expected = authorize(parseChallenge(challenge('n1')[0]![1])!, {
      username: 'outdial',
      password: 'secret',
      method: 'INVITE',
      uri: first.uri,
      nc: 1,
      cnonce: params.get('cnonce')!,
    });
    assert.equal(authorization, expected);

    h.answer(second);
    assert.deepEqual(h.events(), ['answered {}']);
    const ack = h.last('ACK');
    assert.equal(cseqOf(ack), '2 ACK');
    assert.equal(header(ack, 'authorization'), authorization, 'the ACK for the 2xx carries the INVITE’s credentials');
  });

  it('a second 401 with the same nonce ends the call carrier-error', async () => {
    const h = harness({ credentials: true });
    const first = await h.dial();
    h.reply(first, 401, { tag: 'proxy', headers: challenge('n1') });
    const second = h.distinct('INVITE')[1]!;
    h.reply(second, 401, { tag: 'proxy', headers: challenge('n1') });
    await settle();
    assert.equal(h.distinct('INVITE').length, 2);
    assert.deepEqual(h.events(), ['ended carrier-error']);
  });

  it('stale=true allows another try with the same nonce', async () => {
    const h = harness({ credentials: true });
    const first = await h.dial();
    h.reply(first, 401, { tag: 'proxy', headers: challenge('n1') });
    const second = h.distinct('INVITE')[1]!;
    h.reply(second, 401, { tag: 'proxy', headers: challenge('n1', true) });
    const invites = h.distinct('INVITE');
    assert.equal(invites.length, 3);
    assert.equal(cseqOf(invites[2]!), '3 INVITE');
    assert.match(header(invites[2]!, 'authorization') ?? '', /nc=00000002/);
    h.answer(invites[2]!);
    assert.deepEqual(h.events(), ['answered {}']);
  });

  it('a new nonce starts its count again at 1; endless stale challenges stop after three tries', async () => {
    const h = harness({ credentials: true });
    h.reply(await h.dial(), 401, { tag: 'proxy', headers: challenge('n1') });
    h.reply(h.distinct('INVITE')[1]!, 401, { tag: 'proxy', headers: challenge('n2', true) });
    assert.match(header(h.distinct('INVITE')[2]!, 'authorization') ?? '', /nonce="n2".*nc=00000001|nc=00000001.*nonce="n2"/);
    h.reply(h.distinct('INVITE')[2]!, 401, { tag: 'proxy', headers: challenge('n2', true) });
    h.reply(h.distinct('INVITE')[3]!, 401, { tag: 'proxy', headers: challenge('n2', true) });
    await settle();
    assert.equal(h.distinct('INVITE').length, 4, 'the first INVITE and three with credentials');
    assert.deepEqual(h.events(), ['ended carrier-error']);
  });

  it('407 → the INVITE again with Proxy-Authorization', async () => {
    const h = harness({ credentials: true });
    const first = await h.dial();
    h.reply(first, 407, { tag: 'proxy', headers: [['Proxy-Authenticate', 'Digest realm="proxy.example", nonce="p1"']] });
    const second = h.distinct('INVITE')[1]!;
    assert.match(header(second, 'proxy-authorization') ?? '', /^Digest username="outdial", realm="proxy.example", nonce="p1"/);
    assert.equal(header(second, 'authorization'), undefined);
  });

  it('a 401 on a trunk without credentials ends the call carrier-error', async () => {
    const h = harness();
    const first = await h.dial();
    h.reply(first, 401, { tag: 'proxy', headers: challenge('n1') });
    await settle();
    assert.equal(h.distinct('INVITE').length, 1);
    assert.deepEqual(h.events(), ['ended carrier-error']);
  });
});

describe('SipCall: redirects', () => {
  it('302 → a new INVITE to the Contact URI, sent where that URI points', async () => {
    const h = harness();
    const first = await h.dial();
    h.reply(first, 302, { tag: 'redirector', headers: [['Contact', `<sip:${TO}@192.0.2.40:5080>`]], reason: 'Moved Temporarily' });
    assert.equal(cseqOf(h.last('ACK')), '1 ACK');
    assert.deepEqual(h.requests('ACK').at(-1)!.peer, TRUNK, 'the 302 is ACKed where the INVITE went');
    const sent = h.requests('INVITE').at(-1)!;
    assert.equal(sent.message.uri, `sip:${TO}@192.0.2.40:5080`);
    assert.deepEqual(sent.peer, { transport: 'udp', address: '192.0.2.40', port: 5080 });
    assert.equal(cseqOf(sent.message), '2 INVITE');
    assert.equal(header(sent.message, 'call-id'), header(first, 'call-id'));
    h.answer(sent.message, { contact: '<sip:far@192.0.2.40:5080>' });
    assert.deepEqual(h.events(), ['answered {}']);
    assert.deepEqual(h.requests('ACK').at(-1)!.peer, { transport: 'udp', address: '192.0.2.40', port: 5080 });
  });

  it('more than 5 redirects end the call', async () => {
    const h = harness();
    let invite = await h.dial();
    for (let i = 1; i <= 6; i++) {
      h.reply(invite, 302, { tag: `r${i}`, headers: [['Contact', `<sip:${TO}@192.0.2.40:${5080 + i}>`]] });
      invite = h.last('INVITE');
    }
    await settle();
    assert.equal(h.distinct('INVITE').length, 6, 'the first INVITE and five redirected ones');
    assert.deepEqual(h.events(), ['ended carrier-error']);
  });

  it('a 302 without a Contact ends the call', async () => {
    const h = harness();
    const invite = await h.dial();
    h.reply(invite, 302, { tag: 'r' });
    await settle();
    assert.deepEqual(h.events(), ['ended carrier-error']);
  });
});

describe('SipCall: forked answers', () => {
  it('a 200 from a second fork gets ACK + BYE; the first dialog stays, and its retransmitted 200 gets the same ACK again', async () => {
    const h = harness();
    const invite = await h.dial();
    h.reply(invite, 180, { tag: 'fork-a' });
    h.answer(invite, { tag: 'fork-a' });
    const firstAck = h.requests('ACK').at(-1)!;
    h.answer(invite, { tag: 'fork-b', contact: '<sip:b@192.0.2.21:5060>' });
    const forkAck = h.last('ACK');
    assert.equal(tagOf(header(forkAck, 'to')), 'fork-b');
    assert.equal(forkAck.uri, 'sip:b@192.0.2.21:5060');
    const bye = h.requests('BYE').at(-1)!;
    assert.equal(h.requests('BYE').length, 1);
    assert.equal(tagOf(header(bye.message, 'to')), 'fork-b');
    assert.deepEqual(bye.peer, { transport: 'udp', address: '192.0.2.21', port: 5060 });
    h.reply(bye.message, 200, { reason: 'OK' });

    h.answer(invite, { tag: 'fork-a' }); // retransmission of the first 200
    const again = h.requests('ACK').at(-1)!;
    assert.equal(tagOf(header(again.message, 'to')), 'fork-a');
    assert.ok(again.data.equals(firstAck.data), 'the very same ACK as before, not the other fork’s');
    assert.deepEqual(again.peer, firstAck.peer);
    assert.deepEqual(h.events(), ['ringing', 'answered {}']);

    // The call lives on in the first fork's dialog.
    const options = h.farRequest(invite, 'OPTIONS', { cseq: 1, tag: 'fork-a' });
    assert.deepEqual(h.responsesTo(options).map((r) => r.status), [200]);
    h.call.hangUp();
    assert.equal(tagOf(header(h.last('BYE'), 'to')), 'fork-a');
  });
});

describe('SipCall: session timers (RFC 4028)', () => {
  it('refresher=uac with UPDATE allowed: an UPDATE half-way, re-armed by its 200', async () => {
    const h = harness();
    const invite = await h.answered({ sessionExpires: '90;refresher=uac' });
    h.clock.advance(45_000 - 1);
    assert.equal(h.requests('UPDATE').length, 0);
    h.clock.advance(1);
    const first = h.requests('UPDATE');
    assert.equal(first.length, 1);
    assert.equal(first[0]!.at, 45_000);
    const update = first[0]!.message;
    assertInDialog(update, invite);
    assert.equal(header(update, 'session-expires'), '90;refresher=uac');
    assert.deepEqual(update.headers.get('supported'), ['timer']);
    assert.equal(cseqOf(update), '2 UPDATE');
    assert.equal(update.body.length, 0, 'an UPDATE refresh carries no offer');
    h.reply(update, 200, { reason: 'OK', headers: [['Session-Expires', '90;refresher=uac']] });

    h.clock.advance(45_000);
    const updates = h.distinct('UPDATE');
    assert.equal(updates.length, 2);
    assert.equal(h.requests('UPDATE').at(-1)!.at, 90_000);
    assert.equal(cseqOf(updates[1]!), '3 UPDATE');
    h.reply(updates[1]!, 200, { reason: 'OK' });
    h.clock.advance(45_000);
    assert.equal(h.distinct('UPDATE').length, 3);
    assert.equal(h.requests('BYE').length, 0);
    assert.deepEqual(h.events(), ['ringing', 'answered {}']);
  });

  it('a 481 to the refresh ends the call: BYE and ended(carrier-error)', async () => {
    const h = harness();
    await h.answered({ sessionExpires: '90;refresher=uac' });
    h.clock.advance(45_000);
    h.reply(h.last('UPDATE'), 481, { reason: 'Call/Transaction Does Not Exist' });
    assert.equal(h.requests('BYE').length, 1);
    assert.equal(cseqOf(h.last('BYE')), '3 BYE');
    await settle();
    assert.deepEqual(h.events(), ['ringing', 'answered {}', 'ended carrier-error']);
    assert.deepEqual(h.forgotten, [h.call.callId]);
  });

  it('a refresh refused for another reason (491) keeps the call and tries again half an interval later', async () => {
    const h = harness();
    await h.answered({ sessionExpires: '90;refresher=uac' });
    h.clock.advance(45_000);
    h.reply(h.last('UPDATE'), 491, { reason: 'Request Pending' });
    assert.equal(h.requests('BYE').length, 0);
    h.clock.advance(45_000);
    assert.equal(h.distinct('UPDATE').length, 2);
    assert.deepEqual(h.events(), ['ringing', 'answered {}']);
  });

  it('a far-end refresh asking for less than Min-SE, or for nonsense, gets 422 with our Min-SE', async () => {
    const h = harness();
    const invite = await h.answered();
    for (const [cseq, value] of [[1, '30;refresher=uac'], [2, 'soon']] as const) {
      const branch = h.farRequest(invite, 'UPDATE', { cseq, headers: [['Session-Expires', value]] });
      const [answer] = h.responsesTo(branch);
      assert.equal(answer?.status, 422, value);
      assert.equal(header(answer, 'min-se'), '90');
    }
    h.clock.advance(600_000);
    assert.equal(h.requests('BYE').length, 0, 'no timer was armed from either');
  });

  it('a refresh that gets no answer ends the call at Timer F', async () => {
    const h = harness();
    await h.answered({ sessionExpires: '90;refresher=uac' });
    h.clock.advance(45_000 + 64 * T1 - 1);
    assert.ok(h.requests('UPDATE').length > 1, 'the UPDATE is retransmitted');
    assert.equal(h.requests('BYE').length, 0);
    h.clock.advance(1);
    assert.equal(h.requests('BYE').length, 1);
    assert.equal(h.requests('BYE')[0]!.at, 45_000 + 64 * T1);
    await settle();
    assert.deepEqual(h.events(), ['ringing', 'answered {}', 'ended carrier-error']);
  });

  it('without UPDATE in Allow the refresh is a re-INVITE with our SDP, and its 200 gets an ACK', async () => {
    const h = harness();
    const invite = await h.answered({ sessionExpires: '90;refresher=uac', allow: ALLOW_WITHOUT_UPDATE });
    h.clock.advance(45_000);
    assert.equal(h.requests('UPDATE').length, 0);
    const invites = h.distinct('INVITE');
    assert.equal(invites.length, 2);
    const refresh = invites[1]!;
    assertInDialog(refresh, invite);
    assert.equal(cseqOf(refresh), '2 INVITE');
    assert.equal(header(refresh, 'session-expires'), '90;refresher=uac');
    assert.equal(header(refresh, 'content-type'), 'application/sdp');
    const sdp = refresh.body.toString();
    assert.match(sdp, new RegExp(`m=audio ${RTP_PORT} RTP/AVP 0 101\\r\\n`), 'offers the codec in use');
    assert.match(sdp, /a=sendrecv/);
    h.reply(refresh, 200, { tag: 'far-1', reason: 'OK', body: farSdp(), headers: [['Session-Expires', '90;refresher=uac']] });
    const ack = h.last('ACK');
    assert.equal(cseqOf(ack), '2 ACK');
    assertInDialog(ack, invite);
    h.clock.advance(45_000);
    assert.equal(h.distinct('INVITE').length, 3, 're-armed by the 200');
    assert.equal(h.requests('BYE').length, 0);
  });

  it('refresher=uas with no refresh arriving: BYE and carrier-error at 90 − min(32, 30) = 60 s', async () => {
    const h = harness();
    await h.answered({ sessionExpires: '90;refresher=uas' });
    h.clock.advance(60_000 - 1);
    assert.equal(h.requests('BYE').length, 0);
    assert.equal(h.requests('UPDATE').length + h.distinct('INVITE').length, 1, 'we never refresh');
    h.clock.advance(1);
    assert.equal(h.requests('BYE').length, 1);
    assert.equal(h.requests('BYE')[0]!.at, 60_000);
    await settle();
    assert.deepEqual(h.events(), ['ringing', 'answered {}', 'ended carrier-error']);
  });

  it('a re-INVITE refresh from the far end pushes the expiry back', async () => {
    const h = harness();
    const invite = await h.answered({ sessionExpires: '90;refresher=uas' });
    h.clock.advance(40_000);
    const branch = h.farRequest(invite, 'INVITE', { cseq: 1, body: farSdp('sendrecv', '0 101', 2), headers: [['Session-Expires', '90;refresher=uac'], ['Supported', 'timer']] });
    const [ok] = h.responsesTo(branch);
    assert.ok(ok !== undefined);
    assert.equal(ok.status, 200);
    assert.equal(header(ok, 'session-expires'), '90;refresher=uac');
    assert.deepEqual(ok.headers.get('require'), ['timer']);
    h.farRequest(invite, 'ACK', { cseq: 1 });
    h.clock.advance(60_000 - 1);
    assert.equal(h.requests('BYE').length, 0, 'not at 60 s any more');
    h.clock.advance(100_000 - 1 - h.elapsed());
    assert.equal(h.requests('BYE').length, 0);
    h.clock.advance(1);
    assert.equal(h.requests('BYE').length, 1);
    assert.equal(h.requests('BYE')[0]!.at, 100_000, '40 s + 60 s');
  });

  it('a far-end refresh that makes us the refresher (refresher=uas) has us send the next UPDATE', async () => {
    const h = harness();
    const invite = await h.answered({ sessionExpires: '90;refresher=uas' });
    h.clock.advance(10_000);
    const branch = h.farRequest(invite, 'UPDATE', { cseq: 1, headers: [['Session-Expires', '120;refresher=uas']] });
    assert.equal(header(h.responsesTo(branch)[0]!, 'session-expires'), '120;refresher=uas');
    h.clock.advance(60_000);
    const update = h.requests('UPDATE');
    assert.equal(update.length, 1);
    assert.equal(update[0]!.at, 70_000);
    assert.equal(header(update[0]!.message, 'session-expires'), '120;refresher=uac');
  });

  it('a 200 without Session-Expires runs no session timer', async () => {
    const h = harness();
    await h.answered();
    h.clock.advance(3_600_000);
    assert.equal(h.requests('UPDATE').length + h.requests('BYE').length, 0);
    assert.equal(h.distinct('INVITE').length, 1);
  });

  it('no refresh after the call ended', async () => {
    const h = harness();
    await h.answered({ sessionExpires: '90;refresher=uac' });
    h.clock.advance(10_000);
    h.call.hangUp();
    h.clock.advance(200_000);
    assert.equal(h.requests('UPDATE').length, 0);
  });

  it('422 with Min-SE: the INVITE again with Session-Expires raised to the Min-SE', async () => {
    const h = harness({ sessionExpires: 90 });
    const first = await h.dial();
    assert.equal(header(first, 'session-expires'), '90');
    h.reply(first, 422, { tag: 'x', headers: [['Min-SE', '300']], reason: 'Session Interval Too Small' });
    assert.equal(cseqOf(h.last('ACK')), '1 ACK');
    const second = h.distinct('INVITE')[1];
    assert.ok(second !== undefined);
    assert.equal(cseqOf(second), '2 INVITE');
    assert.equal(header(second, 'session-expires'), '300');
    assert.equal(header(second, 'min-se'), '300', 'RFC 4028 §7.4: the Min-SE the 422 asked for');
    assert.equal(header(second, 'call-id'), header(first, 'call-id'));
    h.reply(second, 422, { tag: 'x', headers: [['Min-SE', '300']] });
    await settle();
    assert.equal(h.distinct('INVITE').length, 2, 'a Min-SE no larger than what we asked is not retried');
    assert.deepEqual(h.events(), ['ended carrier-error']);
  });

  it('after a 422 retry, hangUp() waits for a provisional to the new INVITE before CANCEL', async () => {
    const h = harness({ sessionExpires: 90 });
    const first = await h.dial();
    h.reply(first, 100, { reason: 'Trying' });
    h.reply(first, 422, { tag: 'x', headers: [['Min-SE', '300']] });
    const second = h.distinct('INVITE')[1]!;
    h.call.hangUp();
    assert.equal(h.requests('CANCEL').length, 0, 'RFC 3261 §9.1: the new INVITE has had no provisional yet');
    h.reply(second, 100, { reason: 'Trying' });
    assert.equal(h.requests('CANCEL').length, 1);
    assert.equal(cseqOf(h.last('CANCEL')), '2 CANCEL');
  });
});

describe('SipCall: requests from the far end', () => {
  it('BYE → 200 and ended(callee-hangup); a later hangUp() sends nothing', async () => {
    const h = harness();
    const invite = await h.answered();
    const branch = h.farRequest(invite, 'BYE', { cseq: 1 });
    const [ok] = h.responsesTo(branch);
    assert.equal(ok?.status, 200);
    assert.equal(cseqOf(ok), '1 BYE');
    assert.equal(tagOf(header(ok, 'to')), tagOf(header(invite, 'from')));
    await settle();
    assert.deepEqual(h.events(), ['ringing', 'answered {}', 'ended callee-hangup']);
    assert.ok(h.log.includes('media.close'));
    assert.deepEqual(h.forgotten, [h.call.callId]);
    h.call.hangUp();
    assert.equal(h.requests('BYE').length, 0);
  });

  it('OPTIONS → 200 with Allow', async () => {
    const h = harness();
    const invite = await h.answered();
    const [ok] = h.responsesTo(h.farRequest(invite, 'OPTIONS', { cseq: 1 }));
    assert.equal(ok?.status, 200);
    assert.ok(ok.headers.get('allow')?.includes('UPDATE'));
  });

  it('INFO application/dtmf-relay reports the key: Signal=5 → 5, Signal=11 → #, Signal=10 → *', async () => {
    const h = harness();
    const invite = await h.answered();
    const info = (cseq: number, body: string, contentType = 'application/dtmf-relay'): number | undefined =>
      h.responsesTo(h.farRequest(invite, 'INFO', { cseq, body, contentType }))[0]?.status;
    assert.equal(info(1, 'Signal=5\r\nDuration=160\r\n'), 200);
    assert.equal(info(2, 'Signal=11\r\nDuration=160\r\n'), 200);
    assert.equal(info(3, 'Signal= 10\r\n'), 200);
    assert.equal(info(4, '7', 'application/dtmf'), 200);
    assert.equal(info(5, 'Signal=Z\r\n'), 200);
    assert.deepEqual(h.events().slice(2), ['digits 5', 'digits #', 'digits *', 'digits 7']);
  });

  it('an unknown method → 501 with Allow', async () => {
    const h = harness();
    const invite = await h.answered();
    const [response] = h.responsesTo(h.farRequest(invite, 'REFER', { cseq: 1, headers: [['Refer-To', '<sip:x@192.0.2.99>']] }));
    assert.equal(response?.status, 501);
    assert.ok(response.headers.get('allow')?.includes('INVITE'));
  });

  it('a request with a lower CSeq → 500', async () => {
    const h = harness();
    const invite = await h.answered();
    assert.equal(h.responsesTo(h.farRequest(invite, 'OPTIONS', { cseq: 10 }))[0]?.status, 200);
    const [response] = h.responsesTo(h.farRequest(invite, 'OPTIONS', { cseq: 9 }));
    assert.equal(response?.status, 500);
    assert.equal(header(response, 'retry-after'), '1');
  });

  it('a request from another dialog (wrong From tag) → 481', async () => {
    const h = harness();
    const invite = await h.answered();
    assert.equal(h.responsesTo(h.farRequest(invite, 'BYE', { cseq: 1, tag: 'stranger' }))[0]?.status, 481);
    await settle();
    assert.deepEqual(h.events(), ['ringing', 'answered {}']);
  });

  it('re-INVITE with a=sendonly (hold) → 200 with a=recvonly, setRemote(recvonly); the 200 repeats until the ACK', async () => {
    const h = harness();
    const invite = await h.answered();
    const branch = h.farRequest(invite, 'INVITE', { cseq: 1, body: farSdp('sendonly', '0 101', 2) });
    const [ok] = h.responsesTo(branch);
    assert.equal(ok?.status, 200);
    assert.equal(header(ok, 'content-type'), 'application/sdp');
    const sdp = ok.body.toString();
    assert.match(sdp, /a=recvonly/);
    assert.match(sdp, new RegExp(`m=audio ${RTP_PORT} RTP/AVP 0 101`));
    assert.match(sdp, /o=outdial \d+ 2 /, 'our SDP version went up');
    assert.equal(header(ok, 'contact'), `<sip:outdial@192.0.2.10:${LOCAL_PORT}>`);
    assert.deepEqual(stream(h).remotes.at(-1)?.direction, 'recvonly');
    h.clock.advance(T1);
    assert.equal(h.responsesTo(branch).length, 2, 'retransmitted without an ACK');
    h.farRequest(invite, 'ACK', { cseq: 1 });
    h.clock.advance(10_000);
    assert.equal(h.responsesTo(branch).length, 2);

    // Resume.
    const resume = h.farRequest(invite, 'INVITE', { cseq: 2, body: farSdp('sendrecv', '0 101', 3) });
    assert.match(h.responsesTo(resume)[0]!.body.toString(), /a=sendrecv/);
    assert.equal(stream(h).remotes.at(-1)?.direction, 'sendrecv');
  });

  it('re-INVITE with no codec we have → 488', async () => {
    const h = harness();
    const invite = await h.answered();
    const [response] = h.responsesTo(h.farRequest(invite, 'INVITE', { cseq: 1, body: farSdp('sendrecv', '18') }));
    assert.equal(response?.status, 488);
  });

  it('a late-offer re-INVITE (no SDP) gets our offer in the 200', async () => {
    const h = harness();
    const invite = await h.answered();
    const [ok] = h.responsesTo(h.farRequest(invite, 'INVITE', { cseq: 1 }));
    assert.equal(ok?.status, 200);
    assert.match(ok.body.toString(), /m=audio 40000 RTP\/AVP/);
  });

  it('an UPDATE without SDP (a session refresh) gets a 200 without SDP: a 2xx to UPDATE may carry only an answer', async () => {
    const h = harness();
    const invite = await h.answered({ sessionExpires: '90;refresher=uas' });
    const [ok] = h.responsesTo(h.farRequest(invite, 'UPDATE', { cseq: 1, headers: [['Session-Expires', '90;refresher=uac']] }));
    assert.equal(ok?.status, 200);
    assert.equal(ok.body.length, 0);
    assert.equal(header(ok, 'content-type'), undefined);
    assert.equal(header(ok, 'session-expires'), '90;refresher=uac');
  });

  it('an UPDATE with SDP gets the answer', async () => {
    const h = harness();
    const invite = await h.answered();
    const [ok] = h.responsesTo(h.farRequest(invite, 'UPDATE', { cseq: 1, body: farSdp('inactive', '0 101', 2) }));
    assert.equal(ok?.status, 200);
    assert.match(ok.body.toString(), /a=inactive/);
    assert.equal(stream(h).remotes.at(-1)?.direction, 'inactive');
  });
});

describe('SipCall: media', () => {
  it('barge-in: a key during an interruptible prompt → digits, then stopPlaying, then promptFinished once', async () => {
    const h = harness();
    await h.answered();
    h.call.play({ text: 'Press 1', interruptible: true });
    await settle();
    assert.equal(stream(h).played.length, 1);
    assert.equal(stream(h).played[0]!.audio.length, 160);
    const token = stream(h).played[0]!.token;
    const start = h.log.length;
    mediaListener(h).digit('1');
    mediaListener(h).playFinished(token);
    mediaListener(h).playFinished(token);
    assert.deepEqual(h.log.slice(start), ['digits 1', 'media.stopPlaying', 'promptFinished']);
  });

  it('a key during a prompt that is not interruptible leaves it playing', async () => {
    const h = harness();
    await h.answered();
    h.call.play({ text: 'Listen' });
    await settle();
    const start = h.log.length;
    mediaListener(h).digit('9');
    mediaListener(h).playFinished(stream(h).played[0]!.token);
    assert.deepEqual(h.log.slice(start), ['digits 9', 'promptFinished']);
  });

  it('a second prompt replaces the first: only its playFinished counts', async () => {
    const h = harness();
    await h.answered();
    h.call.play({ text: 'one' });
    await settle();
    h.call.play({ text: 'two' });
    await settle();
    const [first, second] = stream(h).played;
    const start = h.log.length;
    mediaListener(h).playFinished(first!.token);
    mediaListener(h).playFinished(second!.token);
    assert.deepEqual(h.log.slice(start), ['promptFinished']);
  });

  it('a key while an interruptible prompt is still being rendered drops it: it never plays', async () => {
    let rendered: (audio: Int16Array) => void = () => undefined;
    const h = harness({ render: () => new Promise<Int16Array>((resolve) => (rendered = resolve)) });
    await h.answered();
    h.call.play({ text: 'Press 1', interruptible: true });
    await settle();
    const start = h.log.length;
    mediaListener(h).digit('1');
    assert.deepEqual(h.log.slice(start), ['digits 1', 'promptFinished']);
    rendered(new Int16Array(160));
    await settle();
    assert.equal(stream(h).played.length, 0);
  });

  it('a prompt that cannot be rendered finishes at once', async () => {
    const h = harness({ render: () => Promise.reject(new Error('no voice')) });
    await h.answered();
    h.call.play({ text: 'x' });
    await settle();
    assert.deepEqual(h.events().slice(2), ['promptFinished']);
    assert.equal(stream(h).played.length, 0);
  });

  it('play before the answer is ignored', async () => {
    const h = harness();
    const invite = await h.dial();
    h.reply(invite, 180, { tag: 'far-1' });
    h.call.play({ text: 'too early' });
    mediaListener(h).digit('3');
    await settle();
    assert.ok(!h.log.some((line) => line.startsWith('render ')), 'nothing rendered');
    assert.equal(stream(h).played.length, 0);
    assert.deepEqual(h.events(), ['ringing'], 'and keys before the answer are not reported');
    h.answer(invite);
    h.call.play({ text: 'now' });
    await settle();
    assert.equal(stream(h).played.length, 1);
  });

  it('RTP inactivity → BYE and ended(carrier-error)', async () => {
    const h = harness();
    const invite = await h.answered();
    mediaListener(h).inactive();
    assert.equal(h.requests('BYE').length, 1);
    assertInDialog(h.last('BYE'), invite);
    await settle();
    assert.deepEqual(h.events(), ['ringing', 'answered {}', 'ended carrier-error']);
    mediaListener(h).inactive();
    assert.equal(h.requests('BYE').length, 1);
  });

  it('record(true) starts recording; record(false) reports the recording', async () => {
    const h = harness();
    h.call.record(true); // before the call: ignored
    await h.answered();
    h.call.record(true);
    h.call.record(true);
    assert.deepEqual(
      h.log.filter((line) => line.startsWith('media.startRecording')),
      ['media.startRecording /recordings/contact-1-1.wav'],
    );
    h.call.record(false);
    await settle();
    assert.deepEqual(h.recorded, [{ location: '/recordings/contact-1-1.wav', path: '/recordings/contact-1-1.wav', startedAt: 1000, stoppedAt: 2000 }]);
    h.call.record(false);
    await settle();
    assert.equal(h.recorded.length, 1);
  });

  it('a recording in progress when the call ends is reported before ended', async () => {
    const h = harness();
    const invite = await h.answered();
    h.call.record(true);
    h.call.record(false);
    h.call.record(true);
    await settle();
    h.farRequest(invite, 'BYE', { cseq: 1 });
    await settle();
    assert.deepEqual(h.events().slice(2), ['recorded /recordings/contact-1-1.wav', 'recorded /recordings/contact-1-2.wav', 'ended callee-hangup']);
  });

  it('a recording that fails to stop is logged, not left as an unhandled rejection (node:test fails the test on one)', async () => {
    const h = harness();
    await h.answered();
    h.call.record(true);
    stream(h).failStopRecording = true;
    h.call.record(false);
    await settle();
    assert.equal(h.recorded.length, 0);
    h.call.hangUp();
    await settle();
    assert.deepEqual(h.events(), ['ringing', 'answered {}']);
  });
});

describe('SipCall: bridge', () => {
  it("opens its stream with the contact's affinity, so a worker engine keeps a contact's legs together", async () => {
    const h = harness();
    await h.dial();
    assert.deepEqual(h.media.affinities, ['contact-1']);
  });

  it("joins both answered calls' streams and stops their prompts without promptFinished", async () => {
    const customer = harness();
    const agent = harness();
    await customer.answered();
    await agent.answered();
    customer.call.play({ text: 'Please hold' });
    agent.call.play({ text: 'Incoming call' });
    await settle();
    const tokens = [stream(customer).played[0]!.token, stream(agent).played[0]!.token];
    const start = [customer.log.length, agent.log.length];

    customer.call.bridge(agent.call);
    mediaListener(customer).playFinished(tokens[0]!);
    mediaListener(agent).playFinished(tokens[1]!);

    assert.deepEqual(customer.log.slice(start[0]), ['media.stopPlaying', 'media.bridge peer']);
    assert.deepEqual(agent.log.slice(start[1]), ['media.stopPlaying']);
    // Keys still reach each call's own listener.
    mediaListener(customer).digit('5');
    assert.equal(customer.events().at(-1), 'digits 5');
  });

  it('does not bridge a call that is not answered, nor a call of another carrier', async () => {
    const customer = harness();
    const agent = harness();
    await customer.answered();
    await agent.dial();

    customer.call.bridge(agent.call);
    customer.call.bridge({ play: () => {}, record: () => {}, hangUp: () => {}, bridge: () => {} });

    assert.ok(!customer.log.includes('media.bridge peer'));
  });
});
