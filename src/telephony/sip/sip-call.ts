/**
 * One outbound call, over a SIP trunk or to an agent's registered phone: the UAC side of RFC 3261 (INVITE,
 * digest retry, redirects, CANCEL, ACK, BYE both ways, forked answers), session timers (RFC 4028),
 * in-dialog requests (re-INVITE and UPDATE for hold, OPTIONS, INFO digits), and the call's RTP stream
 * with its prompts, key presses, recording and bridge to another call. It reports to the Carrier port's
 * listener exactly what the simulated network reports.
 */
import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { Metrics } from '../../shared/metrics.js';
import type { AnswerInfo, Call, CallEndCause, CallListener, Prompt } from '../carrier.js';
import type { MediaEngine, MediaStream, RemoteMedia } from '../media/media-engine.js';
import { authorize, parseChallenge, type DigestChallenge } from './digest.js';
import { header, headerParams, headerUri, parseUri, responseHeaders, tagOf, type OutgoingRequest, type OutgoingResponse, type SipRequest, type SipResponse } from './message.js';
import { endCauseForStatus } from './outcome.js';
import { answerOffer, buildOffer, negotiateAnswer, parseSdp, SdpError } from './sdp.js';
import type { ClientTransaction, TransactionLayer } from './transactions.js';
import type { Peer, TransportName } from './transport.js';

/** What every call on a carrier shares. */
export interface SipCallContext {
  readonly layer: TransactionLayer;
  readonly media: MediaEngine;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Renders a prompt to 8 kHz mono audio. */
  renderPrompt(prompt: Prompt): Promise<Int16Array>;
  /** The address we put in Via, Contact and SDP (the public address behind NAT when configured). */
  readonly advertisedAddress: string;
  readonly userAgent: string;
  /** Session-Expires we ask for, in seconds (RFC 4028); 0 disables session timers. */
  readonly sessionExpiresSeconds: number;
  /** Where recordings go, one WAV per stretch of recording. */
  recordingPath(contactId: string, index: number): string;
  /** Where to send a request for a URI from a Contact or Record-Route; `fallback` when the URI names a host by name. */
  peerFor(uri: string, fallback: Peer): Peer;
  /** Messages longer than this go over TCP even when the trunk uses UDP (RFC 3261 §18.1.1). */
  readonly udpMtuBytes: number;
  /** The call is over and its Call-ID can be forgotten. */
  forget(callId: string): void;
}

/**
 * Where a call goes and how it presents itself: a trunk and a number (`SipTrunk.destination`), or an
 * agent's registered phone (`sip-carrier.ts`).
 */
export interface SipDestination {
  /** For logs: the trunk's name, or the agent's phone. */
  readonly name: string;
  /** The INVITE's Request-URI. */
  readonly requestUri: string;
  /** Where the INVITE goes. */
  readonly peer: Peer;
  /**
   * Requests in the dialog go to `peer` too, whatever the answer's Contact says: a phone's registration
   * flow (the connection or address its REGISTER came from), which a phone behind NAT can be reached on.
   */
  readonly stickyPeer?: boolean;
  /** The To header, without tag. */
  readonly to: string;
  /** The From header, without tag: our caller ID. */
  readonly from: string;
  /** Digest credentials for a challenge, if the far end may ask. */
  readonly credentials: { readonly username: string; readonly password: string } | undefined;
  /** Extra INVITE headers (P-Asserted-Identity). */
  readonly identityHeaders: readonly [string, string][];
  /** Route headers for requests outside the dialog (an outbound proxy). */
  readonly routeHeaders: readonly [string, string][];
}

/** What a SipCall needs of the request that placed it. */
export interface SipCallRequest {
  readonly contactId: string;
  readonly answeringMachineDetection?: { readonly enabled: boolean };
}

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE';
const OFFERED_CODECS = ['PCMU', 'PCMA'] as const;
const TELEPHONE_EVENT_PT = 101;
const MAX_REDIRECTS = 5;
/** Credentials sent for one INVITE at most this many times, stale nonces included. */
const MAX_AUTH_ATTEMPTS = 3;
/** RFC 4028 §4: the smallest Session-Expires anyone may ask for. */
const MIN_SE = 90;
const KEYS = /^[0-9*#A-D]$/;

type Phase = 'starting' | 'inviting' | 'answered' | 'ending' | 'ended';

interface Dialog {
  readonly remoteTag: string;
  readonly remoteTarget: string;
  readonly routeSet: readonly string[];
  readonly to: string;
  readonly peer: Peer;
  /** The far end listed UPDATE in Allow, so session refreshes need no re-INVITE. */
  readonly allowsUpdate: boolean;
}

/** Random bytes drawn a few kilobytes at a time: a call takes four tokens, and each draw costs a syscall. */
let pool = Buffer.alloc(0);
let poolOffset = 0;

function token(bytes = 8): string {
  if (poolOffset + bytes > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.toString('hex', poolOffset - bytes, poolOffset);
}

export class SipCall implements Call {
  readonly callId = `${token(12)}@outdial`;
  readonly #fromTag = token();
  #cseq = 1;
  #phase: Phase = 'starting';
  #stream: MediaStream | undefined;
  #invite: ClientTransaction | undefined;
  #inviteRequest: OutgoingRequest | undefined;
  #target: string;
  #peer: Peer;
  #redirects = 0;
  readonly #challenges = new Set<string>();
  readonly #nonceCounts = new Map<string, number>();
  #authAttempts = 0;
  #provisional = false;
  #cancelWanted = false;
  #dialog: Dialog | undefined;
  #ack: { data: OutgoingRequest; peer: Peer } | undefined;
  #sdpVersion = 1;
  readonly #sdpSession = String(Number.parseInt(token(4), 16));
  #askSessionExpires: number;
  /** The largest Min-SE a 422 has asked for. */
  #minSe = MIN_SE;
  #remoteMedia: RemoteMedia | undefined;
  #sessionExpires = 0;
  #sessionTimer: TimerHandle | undefined;
  #weRefresh = false;
  #remoteCseq = -1;
  #playToken = 0;
  /** The prompt asked for last; `streaming` once its audio is rendered and handed to the stream. */
  #playing: { readonly token: number; readonly interruptible: boolean; streaming: boolean } | undefined;
  #recordings = 0;
  #recording = false;
  /** The call our audio is bridged with, while both last. */
  #bridged: SipCall | undefined;

  constructor(
    private readonly context: SipCallContext,
    private readonly destination: SipDestination,
    private readonly request: SipCallRequest,
    private readonly listener: CallListener,
  ) {
    this.#target = destination.requestUri;
    this.#peer = destination.peer;
    this.#askSessionExpires = context.sessionExpiresSeconds;
  }

  /** Opens the RTP stream, then sends the INVITE. */
  async start(): Promise<void> {
    try {
      // Every leg of a contact shares an affinity, so a worker media engine puts them where a bridge can join them.
      this.#stream = await this.context.media.open(
        {
          digit: (key) => this.#digit(key),
          playFinished: (finished) => this.#playFinished(finished),
          inactive: () => this.#rtpInactive(),
        },
        { affinity: this.request.contactId },
      );
    } catch (error) {
      this.context.logger.error('no RTP port for the call', { contactId: this.request.contactId, error: String(error) });
      this.#end('carrier-error');
      return;
    }
    if (this.#phase !== 'starting') {
      await this.#closeMedia();
      return;
    }
    this.#phase = 'inviting';
    this.#sendInvite();
  }

  play(prompt: Prompt): void {
    if (this.#phase !== 'answered') return;
    const playToken = ++this.#playToken;
    this.#playing = { token: playToken, interruptible: prompt.interruptible === true, streaming: false };
    this.context
      .renderPrompt(prompt)
      .then((audio) => {
        const playing = this.#playing;
        if (playing?.token !== playToken || this.#phase !== 'answered' || this.#stream === undefined) return;
        playing.streaming = true;
        this.#stream.play(audio, playToken);
      })
      .catch((error: unknown) => {
        this.context.logger.error('prompt could not be rendered', { contactId: this.request.contactId, error: String(error) });
        this.#playFinished(playToken);
      });
  }

  record(enabled: boolean): void {
    if (this.#phase !== 'answered' || this.#stream === undefined || enabled === this.#recording) return;
    this.#recording = enabled;
    if (enabled) this.#stream.startRecording(this.context.recordingPath(this.request.contactId, ++this.#recordings));
    else {
      void this.#stream
        .stopRecording()
        .then((saved) => saved !== null && this.listener.recorded({ location: saved.path, ...saved }))
        .catch((error: unknown) => this.context.logger.warn('recording could not be saved', { contactId: this.request.contactId, error: String(error) }));
    }
  }

  /**
   * Joins this call's media with `peer`'s (RTP relayed both ways by the media engine, key presses as RFC
   * 4733 events) until either ends. What either was playing stops without a `promptFinished`: the bridge,
   * not the prompt, decided. A peer of another carrier (the simulated network) has no media to join.
   */
  bridge(peer: Call): void {
    this.#stopPromptSilently();
    if (!(peer instanceof SipCall) || peer === this) {
      this.context.logger.warn('a SIP call can only be bridged with another SIP call', { contactId: this.request.contactId });
      return;
    }
    peer.#stopPromptSilently();
    const stream = this.#stream;
    const other = peer.#stream;
    if (this.#phase !== 'answered' || peer.#phase !== 'answered' || stream === undefined || other === undefined) {
      this.context.logger.warn('bridge of a call that is not answered ignored', { contactId: this.request.contactId });
      return;
    }
    this.#bridged = peer;
    peer.#bridged = this;
    stream.bridge(other);
  }

  hangUp(): void {
    switch (this.#phase) {
      case 'starting':
        this.#phase = 'ended';
        this.context.forget(this.callId);
        return;
      case 'inviting':
        this.#phase = 'ending';
        // RFC 3261 §9.1: CANCEL only after a provisional response; until then it waits.
        if (this.#provisional) this.#cancel();
        else this.#cancelWanted = true;
        return;
      case 'answered':
        this.#phase = 'ending';
        this.#bye();
        void this.#finish();
        return;
      case 'ending':
      case 'ended':
        return;
    }
  }

  /** An in-dialog request for this call (its Call-ID). */
  receive(request: SipRequest, reply: (response: OutgoingResponse) => void): void {
    const respond = (status: number, reason: string, extra: [string, string][] = [], body?: string): void =>
      reply({ status, reason, headers: [...responseHeaders(request, this.#fromTag), ...extra], ...(body !== undefined && { body }) });
    if (request.method === 'ACK') return;
    if (request.method === 'CANCEL') return respond(200, 'OK');
    const cseq = Number.parseInt(header(request, 'cseq') ?? '', 10);
    if (this.#dialog === undefined || tagOf(header(request, 'from')) !== this.#dialog.remoteTag) {
      return respond(481, 'Call/Transaction Does Not Exist');
    }
    if (cseq <= this.#remoteCseq) return respond(500, 'Server Internal Error', [['Retry-After', '1']]);
    this.#remoteCseq = cseq;
    switch (request.method) {
      case 'BYE':
        respond(200, 'OK');
        if (this.#phase === 'answered') {
          this.#phase = 'ending';
          void this.#finish().then(() => this.listener.ended('callee-hangup'));
        }
        return;
      case 'INVITE':
      case 'UPDATE':
        return this.#reoffer(request, respond);
      case 'OPTIONS':
        return respond(200, 'OK', [['Allow', ALLOW], ['Accept', 'application/sdp']]);
      case 'INFO':
        respond(200, 'OK');
        return this.#infoDigits(request);
      default:
        return respond(501, 'Not Implemented', [['Allow', ALLOW]]);
    }
  }

  // ---- the INVITE -------------------------------------------------------------------------------------

  #sendInvite(credentials?: readonly [string, string]): void {
    const stream = this.#stream;
    if (stream === undefined) return;
    const sdp = this.#currentOffer(stream);
    const headers: [string, string][] = [
      ...this.#commonHeaders(this.#peer.transport, this.destination.to),
      ['CSeq', `${this.#cseq} INVITE`],
      ['Contact', this.#contact(this.#peer.transport)],
      ['Allow', ALLOW],
      ['Supported', 'timer'],
      ...this.destination.identityHeaders,
      ...(this.#askSessionExpires > 0
        ? ([
            ['Session-Expires', String(this.#askSessionExpires)],
            // RFC 4028 §7.4: after a 422 the Min-SE it asked for goes with every later INVITE.
            ['Min-SE', String(Math.max(MIN_SE, this.#minSe))],
          ] as [string, string][])
        : []),
      ['Content-Type', 'application/sdp'],
    ];
    if (credentials !== undefined) headers.push([credentials[0], credentials[1]]);
    let invite: OutgoingRequest = { method: 'INVITE', uri: this.#target, headers, body: sdp };
    const peer = this.#transportFor(invite, this.#peer);
    if (peer !== this.#peer) invite = { ...invite, headers: this.#commonHeadersReplaced(headers, peer.transport) };
    this.#inviteRequest = invite;
    this.#invite = this.context.layer.request(invite, peer, {
      response: (response) => this.#inviteResponse(response, peer),
      failed: (reason) => this.#inviteFailed(reason),
    });
  }

  #inviteResponse(response: SipResponse, peer: Peer): void {
    const status = response.status;
    if (status < 200) {
      // Any provisional, 100 Trying included, lets a CANCEL follow (RFC 3261 §9.1).
      this.#provisional = true;
      if (this.#cancelWanted) {
        this.#cancelWanted = false;
        this.#cancel();
      }
      if (this.#phase !== 'inviting') return;
      if (status === 180 || status === 183) this.listener.ringing();
      // Early media: the far end's answer may come in a 183; the 200 repeats or replaces it.
      if (response.body.length > 0) this.#acceptAnswer(response, false);
      return;
    }
    if (status < 300) return this.#answered(response, peer);
    // The transaction absorbs retransmissions of a non-2xx, so each arrives here once.
    this.context.metrics.sipInviteResponse(status);
    if (this.#phase !== 'inviting') {
      // Our CANCEL or hang-up crossed the final answer: nothing to report.
      void this.#finish();
      return;
    }
    if (status >= 300 && status < 400 && this.#redirect(response)) return;
    if ((status === 401 || status === 407) && this.#retryWithCredentials(response)) return;
    if (status === 422 && this.#retryWithLongerSession(response)) return;
    this.context.logger.info('call not answered', { contactId: this.request.contactId, status, reason: response.reason });
    this.#end(endCauseForStatus(status));
  }

  #inviteFailed(reason: 'timeout' | 'unreachable'): void {
    this.context.logger.warn('no answer to the INVITE', { contactId: this.request.contactId, reason, destination: this.destination.name });
    if (this.#phase === 'inviting') this.#end('carrier-error');
    else void this.#finish();
  }

  #answered(response: SipResponse, peer: Peer): void {
    const remoteTag = tagOf(header(response, 'to')) ?? '';
    const dialog = this.#dialogFrom(response, remoteTag, peer);
    if (this.#dialog !== undefined) {
      // A retransmitted 2xx gets our ACK again; a 2xx from another fork gets an ACK and a BYE (§13.2.2.4).
      if (remoteTag === this.#dialog.remoteTag) {
        if (this.#ack !== undefined) this.context.layer.sendAck(this.#ack.data, this.#ack.peer);
      } else {
        this.#sendAck(dialog, response);
        this.#byeOn(dialog);
      }
      return;
    }
    this.#dialog = dialog;
    this.context.metrics.sipInviteResponse(response.status);
    this.#sendAck(dialog, response);
    if (this.#phase !== 'inviting') {
      // Hung up while the 200 was on its way: the call was answered, so it must be ended with a BYE.
      this.#bye();
      void this.#finish();
      return;
    }
    if (!this.#acceptAnswer(response, true)) {
      this.#phase = 'ending';
      this.#bye();
      void this.#finish().then(() => this.listener.ended('carrier-error'));
      return;
    }
    this.#phase = 'answered';
    this.#startSessionTimer(response);
    const info: AnswerInfo = this.request.answeringMachineDetection?.enabled === true ? { amdStatus: 'AMD_UNRESOLVED' } : {};
    this.listener.answered(info);
  }

  /** Applies the SDP answer in `response`; false when there is none usable and the call cannot carry audio. */
  #acceptAnswer(response: SipResponse, final: boolean): boolean {
    if (response.body.length === 0) return !final || this.#remoteMedia !== undefined;
    try {
      const remote = negotiateAnswer(parseSdp(response.body.toString('utf8')), [...OFFERED_CODECS]);
      this.#remoteMedia = remote;
      this.#stream?.setRemote(remote);
      return true;
    } catch (error) {
      if (!(error instanceof SdpError)) throw error;
      this.context.logger.warn('unusable SDP answer', { contactId: this.request.contactId, error: error.message });
      return !final && this.#remoteMedia !== undefined;
    }
  }

  #redirect(response: SipResponse): boolean {
    const contact = response.headers.get('contact')?.[0];
    if (contact === undefined || ++this.#redirects > MAX_REDIRECTS) return false;
    const uri = headerUri(contact);
    try {
      parseUri(uri);
    } catch {
      return false;
    }
    this.context.logger.info('call redirected', { contactId: this.request.contactId, status: response.status });
    this.#target = uri;
    this.#peer = this.context.peerFor(uri, this.destination.peer);
    this.#cseq++;
    this.#provisional = false;
    this.#sendInvite();
    return true;
  }

  #retryWithCredentials(response: SipResponse): boolean {
    const credentials = this.destination.credentials;
    if (credentials === undefined) return false;
    const proxy = response.status === 407;
    const value = header(response, proxy ? 'proxy-authenticate' : 'www-authenticate');
    const challenge = value === undefined ? null : parseChallenge(value);
    if (challenge === null) return false;
    // Once per challenge: the same nonce again means our credentials were refused (unless it is stale).
    const key = `${challenge.realm}|${challenge.nonce}`;
    if (this.#challenges.has(key) && !challenge.stale) return false;
    // A server that keeps calling the same nonce stale would otherwise have us retry for ever.
    if (++this.#authAttempts > MAX_AUTH_ATTEMPTS) return false;
    this.#challenges.add(key);
    this.#cseq++;
    this.#provisional = false;
    this.#sendInvite([proxy ? 'Proxy-Authorization' : 'Authorization', this.#authorization(challenge, 'INVITE', this.#target)]);
    return true;
  }

  #authorization(challenge: DigestChallenge, method: string, uri: string): string {
    const { username, password } = this.destination.credentials!;
    // The nonce count counts requests per nonce (RFC 7616 §3.4): a new nonce starts again at 1.
    const nc = (this.#nonceCounts.get(challenge.nonce) ?? 0) + 1;
    this.#nonceCounts.set(challenge.nonce, nc);
    return authorize(challenge, { username, password, method, uri, nc, cnonce: token() });
  }

  #retryWithLongerSession(response: SipResponse): boolean {
    const minSe = Number.parseInt(header(response, 'min-se') ?? '', 10);
    if (!(minSe > this.#askSessionExpires)) return false;
    this.#askSessionExpires = minSe;
    this.#minSe = minSe;
    this.#cseq++;
    this.#provisional = false;
    this.#sendInvite();
    return true;
  }

  #cancel(): void {
    const invite = this.#invite;
    if (invite === undefined) return;
    invite.cancel({ response: () => undefined, failed: () => undefined });
  }

  // ---- the dialog -------------------------------------------------------------------------------------

  #dialogFrom(response: SipResponse, remoteTag: string, peer: Peer): Dialog {
    const contact = response.headers.get('contact')?.[0];
    const remoteTarget = contact !== undefined ? headerUri(contact) : this.#target;
    const routeSet = [...(response.headers.get('record-route') ?? [])].reverse();
    const first = routeSet[0];
    const next = first !== undefined && headerParams(first).has('lr') ? headerUri(first) : remoteTarget;
    const allowsUpdate = (response.headers.get('allow') ?? []).some((method) => method.toUpperCase() === 'UPDATE');
    const dialogPeer = this.destination.stickyPeer === true && routeSet.length === 0 ? this.destination.peer : this.context.peerFor(next, peer);
    return { remoteTag, remoteTarget, routeSet, to: header(response, 'to') ?? '', peer: dialogPeer, allowsUpdate };
  }

  #sendAck(dialog: Dialog, response: SipResponse): void {
    const cseq = Number.parseInt(header(response, 'cseq') ?? '', 10);
    const credentials = this.#inviteRequest?.headers.filter(([name]) => /^(proxy-)?authorization$/i.test(name)) ?? [];
    const ack: OutgoingRequest = {
      method: 'ACK',
      uri: dialog.remoteTarget,
      headers: [...this.#inDialogHeaders(dialog), ['CSeq', `${cseq} ACK`], ...credentials],
    };
    // Kept for the dialog's retransmitted 2xx; another fork's ACK (sent once, before its BYE) must not replace it.
    if (dialog === this.#dialog) this.#ack = { data: ack, peer: dialog.peer };
    this.context.layer.sendAck(ack, dialog.peer);
  }

  #bye(): void {
    if (this.#dialog !== undefined) this.#byeOn(this.#dialog);
  }

  #byeOn(dialog: Dialog): void {
    const bye: OutgoingRequest = { method: 'BYE', uri: dialog.remoteTarget, headers: [...this.#inDialogHeaders(dialog), ['CSeq', `${++this.#cseq} BYE`]] };
    this.context.layer.request(bye, dialog.peer, {
      response: (response) => {
        if ((response.status === 401 || response.status === 407) && this.destination.credentials !== undefined) {
          const challenge = parseChallenge(header(response, response.status === 407 ? 'proxy-authenticate' : 'www-authenticate') ?? '');
          if (challenge === null) return;
          const name = response.status === 407 ? 'Proxy-Authorization' : 'Authorization';
          const retry: OutgoingRequest = {
            ...bye,
            headers: [...this.#inDialogHeaders(dialog), ['CSeq', `${++this.#cseq} BYE`], [name, this.#authorization(challenge, 'BYE', dialog.remoteTarget)]],
          };
          this.context.layer.request(retry, dialog.peer, { response: () => undefined, failed: () => undefined });
        }
      },
      failed: () => undefined,
    });
  }

  #reoffer(request: SipRequest, respond: (status: number, reason: string, extra?: [string, string][], body?: string) => void): void {
    const stream = this.#stream;
    if (stream === undefined || this.#dialog === undefined) return respond(481, 'Call/Transaction Does Not Exist');
    const local = {
      sessionId: this.#sdpSession,
      version: this.#sdpVersion + 1,
      address: this.context.advertisedAddress,
      port: stream.localPort,
      codecs: this.#remoteMedia !== undefined ? [this.#remoteMedia.codec] : [...OFFERED_CODECS],
      telephoneEventPayloadType: TELEPHONE_EVENT_PT,
    };
    let body: string | undefined;
    if (request.body.length === 0) {
      // No offer. A late-offer re-INVITE gets ours; an UPDATE without one (a session refresh) gets a 2xx
      // without SDP, since a 2xx to UPDATE may carry only an answer to the UPDATE's offer (RFC 3311, RFC 6337 §2.1).
      if (request.method === 'INVITE') body = buildOffer(local);
    } else {
      try {
        const answer = answerOffer(parseSdp(request.body.toString('utf8')), local);
        this.#remoteMedia = answer.remote;
        stream.setRemote(answer.remote);
        body = answer.sdp;
      } catch (error) {
        if (!(error instanceof SdpError)) throw error;
        return respond(488, 'Not Acceptable Here');
      }
    }
    const sessionExpires = header(request, 'session-expires');
    const asked = sessionExpires === undefined ? undefined : Number.parseInt(sessionExpires, 10);
    // RFC 4028 §8.1: an interval below our Min-SE, or none we can read, is refused before anything changes.
    if (asked !== undefined && !(asked >= MIN_SE)) return respond(422, 'Session Interval Too Small', [['Min-SE', String(MIN_SE)]]);
    if (body !== undefined) this.#sdpVersion = local.version;
    const refresh: [string, string][] = [];
    if (sessionExpires !== undefined && asked !== undefined) {
      const seconds = asked;
      const refresher = headerParams(sessionExpires).get('refresher') ?? 'uac';
      // The far end sent this request, so its "uac" is itself and our refresh duty ends.
      refresh.push(['Session-Expires', `${seconds};refresher=${refresher}`], ['Require', 'timer']);
      this.#armSessionTimer(seconds, refresher === 'uas');
    } else if (this.#sessionExpires > 0) {
      this.#armSessionTimer(this.#sessionExpires, this.#weRefresh);
    }
    const sdp: [string, string][] = body !== undefined ? [['Content-Type', 'application/sdp']] : [];
    respond(200, 'OK', [['Contact', this.#contact(this.#dialog.peer.transport)], ['Allow', ALLOW], ['Supported', 'timer'], ...refresh, ...sdp], body);
  }

  #infoDigits(request: SipRequest): void {
    const type = (header(request, 'content-type') ?? '').toLowerCase();
    const body = request.body.toString('utf8');
    let key: string | undefined;
    if (type.startsWith('application/dtmf-relay')) key = /^\s*signal\s*=\s*(\S+)/im.exec(body)?.[1];
    else if (type.startsWith('application/dtmf')) key = body.trim();
    if (key === undefined) return;
    const normalized = key === '10' ? '*' : key === '11' ? '#' : key.toUpperCase();
    if (KEYS.test(normalized)) this.#digit(normalized);
  }

  // ---- session timers (RFC 4028) ----------------------------------------------------------------------

  #startSessionTimer(response: SipResponse): void {
    const value = header(response, 'session-expires');
    if (value === undefined) return;
    const seconds = Number.parseInt(value, 10);
    if (!(seconds >= MIN_SE)) return;
    // In a 2xx to our INVITE, "uac" is us: then we refresh; otherwise we expect the far end to.
    this.#armSessionTimer(seconds, (headerParams(value).get('refresher') ?? 'uac') === 'uac');
  }

  #armSessionTimer(seconds: number, weRefresh: boolean): void {
    this.#sessionExpires = seconds;
    this.#weRefresh = weRefresh;
    if (this.#sessionTimer !== undefined) this.context.clock.clearTimer(this.#sessionTimer);
    const ms = seconds * 1000;
    // §10: the refresher refreshes half-way; the other side gives up a little before expiry.
    const due = weRefresh ? ms / 2 : ms - Math.min(32_000, ms / 3);
    this.#sessionTimer = this.context.clock.setTimer(due, () => (weRefresh ? this.#refreshSession() : this.#sessionExpired()));
  }

  #refreshSession(): void {
    const dialog = this.#dialog;
    const stream = this.#stream;
    if (this.#phase !== 'answered' || dialog === undefined || stream === undefined) return;
    const seconds = this.#sessionExpires;
    // UPDATE carries no offer (RFC 4028 §9); a peer that does not allow it gets a re-INVITE with our same SDP.
    const method = dialog.allowsUpdate ? 'UPDATE' : 'INVITE';
    const refresh: OutgoingRequest = {
      method,
      uri: dialog.remoteTarget,
      headers: [
        ...this.#inDialogHeaders(dialog),
        ['CSeq', `${++this.#cseq} ${method}`],
        ['Contact', this.#contact(dialog.peer.transport)],
        ['Session-Expires', `${seconds};refresher=uac`],
        ['Supported', 'timer'],
        ...(method === 'INVITE' ? ([['Content-Type', 'application/sdp']] as [string, string][]) : []),
      ],
      ...(method === 'INVITE' && { body: this.#currentOffer(stream) }),
    };
    this.context.layer.request(refresh, dialog.peer, {
      response: (response) => {
        if (response.status < 200) return;
        if (method === 'INVITE' && response.status < 300) this.#sendAck(dialog, response);
        if (response.status < 300) this.#armSessionTimer(seconds, true);
        // §10: only a timeout, 408 or 481 means the session is gone; after any other refusal we try again.
        else if (response.status === 408 || response.status === 481) this.#sessionExpired();
        else this.#armSessionTimer(seconds, true);
      },
      failed: () => this.#sessionExpired(),
    });
  }

  #currentOffer(stream: MediaStream): string {
    return buildOffer({
      sessionId: this.#sdpSession,
      version: this.#sdpVersion,
      address: this.context.advertisedAddress,
      port: stream.localPort,
      codecs: this.#remoteMedia !== undefined ? [this.#remoteMedia.codec] : [...OFFERED_CODECS],
      telephoneEventPayloadType: TELEPHONE_EVENT_PT,
    });
  }

  #sessionExpired(): void {
    if (this.#phase !== 'answered') return;
    this.context.logger.warn('session expired without a refresh', { contactId: this.request.contactId });
    this.#phase = 'ending';
    this.#bye();
    void this.#finish().then(() => this.listener.ended('carrier-error'));
  }

  // ---- media ------------------------------------------------------------------------------------------

  #digit(key: string): void {
    if (this.#phase !== 'answered') return;
    this.listener.digits(key);
    // Barge-in: a key cuts an interruptible prompt short; `promptFinished` follows the key.
    const playing = this.#playing;
    if (playing?.interruptible !== true) return;
    // A prompt still being rendered is dropped before it plays; one playing is stopped, which reports its end.
    if (playing.streaming) this.#stream?.stopPlaying();
    else this.#playFinished(playing.token);
  }

  /** Forgets the prompt playing, so the end its stream reports for it is not passed on, and stops it. */
  #stopPromptSilently(): void {
    const playing = this.#playing;
    this.#playing = undefined;
    if (playing?.streaming === true) this.#stream?.stopPlaying();
  }

  #playFinished(finished: number): void {
    if (this.#playing?.token !== finished || this.#phase !== 'answered') return;
    this.#playing = undefined;
    this.listener.promptFinished();
  }

  #rtpInactive(): void {
    if (this.#phase !== 'answered') return;
    this.context.logger.warn('no RTP from the far end; hanging up', { contactId: this.request.contactId });
    this.#phase = 'ending';
    this.#bye();
    void this.#finish().then(() => this.listener.ended('carrier-error'));
  }

  // ---- helpers ----------------------------------------------------------------------------------------

  #end(cause: CallEndCause): void {
    if (this.#phase === 'ended') return;
    this.#phase = 'ending';
    void this.#finish().then(() => this.listener.ended(cause));
  }

  /** Releases the media and the Call-ID; a recording in progress is saved and reported first. */
  async #finish(): Promise<void> {
    if (this.#phase === 'ended') return;
    this.#phase = 'ended';
    if (this.#sessionTimer !== undefined) this.context.clock.clearTimer(this.#sessionTimer);
    // Closing the stream ends its bridge in the media engine; the other call goes back to its own audio.
    const bridged = this.#bridged;
    this.#bridged = undefined;
    if (bridged !== undefined && bridged.#bridged === this) bridged.#bridged = undefined;
    // Late retransmissions need no call: the transaction layer answers requests it has answered and
    // hands responses to the transaction's own handlers.
    this.context.forget(this.callId);
    await this.#closeMedia();
  }

  async #closeMedia(): Promise<void> {
    const stream = this.#stream;
    this.#stream = undefined;
    if (stream === undefined) return;
    try {
      const { recording } = await stream.close();
      if (recording !== null && this.#recording) this.listener.recorded({ location: recording.path, ...recording });
    } catch (error) {
      this.context.logger.warn('RTP stream did not close cleanly', { contactId: this.request.contactId, error: String(error) });
    }
  }

  #commonHeaders(transport: TransportName, to: string): [string, string][] {
    return [
      ['Via', this.#via(transport)],
      ['Max-Forwards', '70'],
      ['From', `${this.destination.from};tag=${this.#fromTag}`],
      ['To', to],
      ['Call-ID', this.callId],
      ...this.destination.routeHeaders,
      ['User-Agent', this.context.userAgent],
    ];
  }

  #commonHeadersReplaced(headers: [string, string][], transport: TransportName): [string, string][] {
    return headers.map(([name, value]): [string, string] =>
      name === 'Via' ? [name, this.#via(transport)] : name === 'Contact' ? [name, this.#contact(transport)] : [name, value],
    );
  }

  #inDialogHeaders(dialog: Dialog): [string, string][] {
    return [
      ['Via', this.#via(dialog.peer.transport)],
      ['Max-Forwards', '70'],
      ['From', `${this.destination.from};tag=${this.#fromTag}`],
      ['To', dialog.to],
      ['Call-ID', this.callId],
      ...dialog.routeSet.map((route): [string, string] => ['Route', route]),
      ['User-Agent', this.context.userAgent],
    ];
  }

  #via(transport: TransportName): string {
    return `SIP/2.0/${transport.toUpperCase()} ${this.#hostPort()};branch=z9hG4bK${token()};rport`;
  }

  #contact(transport: TransportName): string {
    return `<sip:outdial@${this.#hostPort()}${transport === 'tcp' ? ';transport=tcp' : ''}>`;
  }

  #hostPort(): string {
    const address = this.context.advertisedAddress;
    const host = address.includes(':') ? `[${address}]` : address;
    return `${host}:${this.context.layer.transport.port}`;
  }

  /** RFC 3261 §18.1.1: a request too large for a UDP datagram goes over TCP instead. */
  #transportFor(request: OutgoingRequest, peer: Peer): Peer {
    if (peer.transport !== 'udp') return peer;
    const size = Buffer.byteLength(typeof request.body === 'string' ? request.body : '') + request.headers.reduce((n, [k, v]) => n + k.length + v.length + 4, 60);
    return size > this.context.udpMtuBytes ? { ...peer, transport: 'tcp' } : peer;
  }
}
