/**
 * The SIP transaction layer (RFC 3261 §17, with RFC 6026's Accepted state): client transactions for the
 * requests we send (retransmitted over UDP on Timer A/E, given up on Timer B/F, responses absorbed for
 * Timer D/K/M), server-side memory of the answers we gave so a retransmitted request gets the same answer
 * again, and retransmission of our 2xx answers to re-INVITEs until their ACK arrives (§13.3.1.4).
 * Every timer runs on the Clock port.
 */
import type { Clock, TimerHandle } from '../../shared/clock.js';
import { header, parseCSeq, parseVia, serializeRequest, serializeResponse, type OutgoingRequest, type OutgoingResponse, type SipRequest, type SipResponse } from './message.js';
import type { Inbound, Peer, SipTransport } from './transport.js';

export interface SipTimers {
  /** RTT estimate (T1), 500 ms by default. */
  readonly t1: number;
  /** Longest retransmit interval for non-INVITE requests and INVITE responses (T2), 4 s. */
  readonly t2: number;
  /** How long the network may hold a message (T4), 5 s. */
  readonly t4: number;
}

export const DEFAULT_TIMERS: SipTimers = { t1: 500, t2: 4000, t4: 5000 };

/** What the transaction layer needs of the transport: a way to send, and the port it listens on. */
export type Sender = Pick<SipTransport, 'send' | 'port'>;

export interface ClientTransactionHandlers {
  /** Each response; for INVITE every 2xx, retransmissions and forks included (RFC 6026), goes up. */
  response(response: SipResponse): void;
  /** No final response in time (Timer B/F), or the transport reported the peer unreachable. */
  failed(reason: 'timeout' | 'unreachable'): void;
}

/** Answers a request: provisional responses first if any, then one final response. */
export type Reply = (response: OutgoingResponse) => void;

/** Receives each request that is not a retransmission, with where it came from (a registrar keeps that). */
export type ServerRequestHandler = (request: SipRequest, reply: Reply, source: Peer) => void;

/** Header list for an outgoing request: must start with the Via that carries this transaction's branch. */
export function branchOf(request: OutgoingRequest): string {
  const via = request.headers.find(([name]) => name.toLowerCase() === 'via');
  const branch = via !== undefined ? /;branch=([^;\s]+)/i.exec(via[1])?.[1] : undefined;
  if (branch === undefined) throw new Error('an outgoing request needs a Via with a branch');
  return branch;
}

export class TransactionLayer {
  readonly #client = new Map<string, ClientTransaction>();
  /** Our last answer to each server transaction, by branch and method, kept for retransmissions. */
  readonly #answered = new Map<string, { data: Buffer; peer: Peer }>();
  /** Our 2xx answers to INVITEs, retransmitted until the ACK (matched by Call-ID and CSeq) arrives. */
  readonly #unacknowledged = new Map<string, () => void>();
  #requests: ServerRequestHandler = () => undefined;
  /** Timers of the server-side memory, cleared on close so nothing outlives the user agent. */
  readonly #timers = new Set<TimerHandle>();

  constructor(
    readonly transport: Sender,
    readonly clock: Clock,
    readonly timers: SipTimers = DEFAULT_TIMERS,
  ) {}

  onRequest(handler: ServerRequestHandler): void {
    this.#requests = handler;
  }

  /** Starts a client transaction. CANCEL and ACK for non-2xx are sent by the transaction itself. */
  request(request: OutgoingRequest, peer: Peer, handlers: ClientTransactionHandlers): ClientTransaction {
    const key = `${branchOf(request)}|${request.method}`;
    const transaction = new ClientTransaction(this, request, peer, handlers, () => this.#client.delete(key));
    this.#client.set(key, transaction);
    transaction.start();
    return transaction;
  }

  /** Sends a request outside any transaction: the ACK for a 2xx. */
  sendAck(ack: OutgoingRequest, peer: Peer): Buffer {
    const data = serializeRequest(ack);
    this.transport.send(data, peer);
    return data;
  }

  /** Call with every message the transport hands up. */
  receive({ message, source }: Inbound): void {
    if (message.kind === 'response') {
      const branch = parseVia(header(message, 'via') ?? '').params.get('branch');
      const { method } = parseCSeq(message.headers);
      this.#client.get(`${branch ?? ''}|${method}`)?.receive(message);
      return;
    }
    const via = parseVia(header(message, 'via') ?? '');
    const key = `${via.params.get('branch') ?? ''}|${message.method}`;
    if (message.method === 'ACK') {
      const { seq } = parseCSeq(message.headers);
      this.#unacknowledged.get(`${header(message, 'call-id') ?? ''}|${seq}`)?.();
      // An ACK to a 2xx is the dialog's business too (it may carry the answer to a late offer).
    } else {
      const previous = this.#answered.get(key);
      if (previous !== undefined) {
        this.transport.send(previous.data, previous.peer);
        return;
      }
    }
    const replyTo = responsePeer(source, via);
    this.#requests(message, (response) => {
      const data = serializeResponse(response);
      this.transport.send(data, replyTo);
      if (response.status < 200 || message.method === 'ACK') return;
      this.#remember(key, data, replyTo);
      if (message.method === 'INVITE' && response.status < 300) this.#retransmitUntilAck(message, data, replyTo);
    }, source);
  }

  /** Fails the transactions waiting on a peer the transport found unreachable. */
  unreachable(peer: Peer): void {
    for (const transaction of [...this.#client.values()]) {
      if (transaction.peer.address === peer.address && transaction.peer.port === peer.port) transaction.unreachable();
    }
  }

  get pendingClientTransactions(): number {
    return this.#client.size;
  }

  /** Abandons every transaction and forgets every answer, without sending anything. */
  close(): void {
    for (const transaction of [...this.#client.values()]) transaction.abandon();
    for (const timer of this.#timers) this.clock.clearTimer(timer);
    this.#timers.clear();
    this.#answered.clear();
    this.#unacknowledged.clear();
  }

  #after(ms: number, fn: () => void): TimerHandle {
    const timer = this.clock.setTimer(ms, () => {
      this.#timers.delete(timer);
      fn();
    });
    this.#timers.add(timer);
    return timer;
  }

  #cancelTimer(timer: TimerHandle): void {
    this.clock.clearTimer(timer);
    this.#timers.delete(timer);
  }

  #remember(key: string, data: Buffer, peer: Peer): void {
    this.#answered.set(key, { data, peer });
    // Timer J (64·T1) over UDP; a stream never retransmits, so a short memory does.
    const keep = peer.transport === 'udp' ? 64 * this.timers.t1 : this.timers.t4;
    this.#after(keep, () => this.#answered.delete(key));
  }

  #retransmitUntilAck(request: SipRequest, data: Buffer, peer: Peer): void {
    const key = `${header(request, 'call-id') ?? ''}|${parseCSeq(request.headers).seq}`;
    let interval = this.timers.t1;
    let timer: TimerHandle | undefined;
    const stop = (): void => {
      if (timer !== undefined) this.#cancelTimer(timer);
      this.#unacknowledged.delete(key);
    };
    const giveUp = this.#after(64 * this.timers.t1, stop);
    this.#unacknowledged.set(key, () => {
      this.#cancelTimer(giveUp);
      stop();
    });
    if (peer.transport !== 'udp') return;
    const again = (): void => {
      this.transport.send(data, peer);
      interval = Math.min(interval * 2, this.timers.t2);
      timer = this.#after(interval, again);
    };
    timer = this.#after(interval, again);
  }
}

/** RFC 3261 §18.2.2 with RFC 3581: answer to the Via's received/rport address, or where it came from. */
function responsePeer(source: Peer, via: ReturnType<typeof parseVia>): Peer {
  if (source.transport === 'tcp') return source;
  const rport = via.params.get('rport');
  if (rport !== undefined) return source;
  return { transport: 'udp', address: via.params.get('received') ?? source.address, port: via.port ?? 5060 };
}

type ClientState = 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated';

export class ClientTransaction {
  #state: ClientState = 'calling';
  readonly #data: Buffer;
  readonly #invite: boolean;
  #retransmit: TimerHandle | undefined;
  #interval: number;
  #deadline: TimerHandle | undefined;
  #ack: Buffer | undefined;

  constructor(
    private readonly layer: TransactionLayer,
    readonly request: OutgoingRequest,
    readonly peer: Peer,
    private readonly handlers: ClientTransactionHandlers,
    private readonly gone: () => void,
  ) {
    this.#data = serializeRequest(request);
    this.#invite = request.method === 'INVITE';
    this.#interval = layer.timers.t1;
  }

  get state(): ClientState {
    return this.#state;
  }

  start(): void {
    const { clock, timers } = this.layer;
    this.#send();
    if (this.peer.transport === 'udp') this.#retransmit = clock.setTimer(this.#interval, () => this.#again());
    this.#deadline = clock.setTimer(64 * timers.t1, () => this.#fail('timeout'));
  }

  receive(response: SipResponse): void {
    const { clock, timers } = this.layer;
    const status = response.status;
    switch (this.#state) {
      case 'calling':
      case 'proceeding':
        if (status < 200) {
          this.#state = 'proceeding';
          // Timer A stops on a provisional, and so does Timer B (§17.1.1.2: it only applies in Calling), so a
          // callee may ring past 64·T1; a non-INVITE keeps retransmitting at T2 (Timer E) and keeps Timer F.
          if (this.#invite) {
            this.#stopRetransmit();
            this.#clearDeadline();
          } else this.#interval = timers.t2;
          this.handlers.response(response);
          return;
        }
        this.#stopRetransmit();
        this.#clearDeadline();
        if (this.#invite && status < 300) {
          this.#state = 'accepted';
          this.#deadline = clock.setTimer(64 * timers.t1, () => this.#terminate());
        } else {
          this.#state = 'completed';
          if (this.#invite) this.#sendNon2xxAck(response);
          const linger = this.peer.transport !== 'udp' ? 0 : this.#invite ? 32_000 : timers.t4;
          this.#deadline = clock.setTimer(linger, () => this.#terminate());
        }
        this.handlers.response(response);
        return;
      case 'accepted':
        if (status >= 200 && status < 300) this.handlers.response(response);
        return;
      case 'completed':
        if (this.#ack !== undefined && status >= 300) this.layer.transport.send(this.#ack, this.peer);
        return;
      case 'terminated':
        return;
    }
  }

  /** Sends CANCEL for this INVITE (RFC 3261 §9.1): same branch, CSeq number and Route. */
  cancel(handlers: ClientTransactionHandlers): ClientTransaction {
    const keep = new Set(['via', 'from', 'to', 'call-id', 'route', 'max-forwards']);
    const headers = this.request.headers.filter(([name]) => keep.has(name.toLowerCase()));
    const seq = parseCSeqValue(this.request);
    // §9.1: with no final response 64·T1 after the CANCEL, the INVITE is given up.
    if (this.#state === 'proceeding' && this.#deadline === undefined) {
      this.#deadline = this.layer.clock.setTimer(64 * this.layer.timers.t1, () => this.#fail('timeout'));
    }
    return this.layer.request({ method: 'CANCEL', uri: this.request.uri, headers: [...headers, ['CSeq', `${seq} CANCEL`]] }, this.peer, handlers);
  }

  unreachable(): void {
    if (this.#state === 'calling' || this.#state === 'proceeding') this.#fail('unreachable');
  }

  /** Ends the transaction without telling anyone: the user agent is shutting down. */
  abandon(): void {
    if (this.#state !== 'terminated') this.#terminate();
  }

  #sendNon2xxAck(response: SipResponse): void {
    // §17.1.1.3: same Request-URI, top Via, From, Call-ID, Route; To from the response.
    const keep = new Set(['via', 'from', 'call-id', 'route', 'max-forwards']);
    const headers: [string, string][] = this.request.headers.filter(([name]) => keep.has(name.toLowerCase())).map(([n, v]) => [n, v]);
    headers.push(['To', header(response, 'to') ?? ''], ['CSeq', `${parseCSeqValue(this.request)} ACK`]);
    this.#ack = serializeRequest({ method: 'ACK', uri: this.request.uri, headers });
    this.layer.transport.send(this.#ack, this.peer);
  }

  #send(): void {
    this.layer.transport.send(this.#data, this.peer);
  }

  #again(): void {
    this.#send();
    this.#interval = this.#invite ? this.#interval * 2 : Math.min(this.#interval * 2, this.layer.timers.t2);
    this.#retransmit = this.layer.clock.setTimer(this.#interval, () => this.#again());
  }

  #fail(reason: 'timeout' | 'unreachable'): void {
    if (this.#state === 'terminated') return;
    const hadFinal = this.#state === 'accepted' || this.#state === 'completed';
    this.#terminate();
    if (!hadFinal) this.handlers.failed(reason);
  }

  #terminate(): void {
    this.#state = 'terminated';
    this.#stopRetransmit();
    this.#clearDeadline();
    this.gone();
  }

  #stopRetransmit(): void {
    if (this.#retransmit !== undefined) this.layer.clock.clearTimer(this.#retransmit);
    this.#retransmit = undefined;
  }

  #clearDeadline(): void {
    if (this.#deadline !== undefined) this.layer.clock.clearTimer(this.#deadline);
    this.#deadline = undefined;
  }
}

function parseCSeqValue(request: OutgoingRequest): number {
  const cseq = request.headers.find(([name]) => name.toLowerCase() === 'cseq')?.[1] ?? '';
  return Number.parseInt(cseq, 10);
}
