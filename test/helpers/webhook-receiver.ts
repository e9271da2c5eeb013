/**
 * A webhook receiver for the event tests: a real HTTP server on 127.0.0.1 that records every request
 * (headers and raw body), verifies it with the `standardwebhooks` package (the library consumers use)
 * against each secret it knows, and answers as scripted: 204 by default, or a failure for the first
 * requests, a 410, a 429 with Retry-After, or no answer at all (the request hangs until `release`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** How the receiver answers one request. */
export type Reply =
  | { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string }
  | { readonly hang: true };

export interface ReceivedRequest {
  /** Arrival order, from 0. */
  readonly index: number;
  readonly method: string;
  readonly path: string;
  /** Lower-case header names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /** The body byte for byte, as text. */
  readonly body: string;
  /** The secrets (of those the receiver knew when the request arrived) whose signature verified. */
  readonly verifiedWith: readonly string[];
  /** Why verification failed with each secret that did not verify. */
  readonly verifyErrors: readonly string[];
  /** The status answered; undefined while the request hangs or if it was never answered. */
  status: number | undefined;
}

/** A received request's body parsed as JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are checked by assertions
export const json = (request: ReceivedRequest): any => JSON.parse(request.body);

export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** Secrets each request is verified against. */
  secrets: string[];
  readonly #server: Server;
  /** Replies for the next requests, in order; then `#default`. */
  readonly #script: Reply[] = [];
  #default: Reply | ((request: ReceivedRequest) => Reply) = { status: 204 };
  readonly #hanging = new Map<ReceivedRequest, ServerResponse>();
  /** Requests that were given no answer (still hanging, or dropped by the sender). */
  readonly #hung = new WeakSet<ReceivedRequest>();

  private constructor(server: Server, secrets: string[]) {
    this.#server = server;
    this.secrets = secrets;
    server.on('request', (req, res) => this.#receive(req, res));
  }

  static async start(secrets: readonly string[] = []): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server, [...secrets]);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return receiver;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/hooks`;
  }

  /** The next requests get these replies, in order, before the default applies again. */
  replyNext(...replies: Reply[]): this {
    this.#script.push(...replies);
    return this;
  }

  /** Fails the next `n` requests with `status` (500 unless given). */
  failNext(n: number, status = 500): this {
    return this.replyNext(...Array.from({ length: n }, () => ({ status, body: 'receiver failure' })));
  }

  /** What every request gets once the script has run out. */
  answer(reply: Reply | ((request: ReceivedRequest) => Reply)): this {
    this.#default = reply;
    return this;
  }

  /** Requests hanging now. */
  get hanging(): number {
    return this.#hanging.size;
  }

  /** Answers every request left hanging with `status`. */
  release(status = 204): void {
    for (const [request, res] of this.#hanging) {
      request.status = status;
      res.writeHead(status).end();
    }
    this.#hanging.clear();
  }

  /** Requests answered with 2xx, in arrival order. */
  accepted(): ReceivedRequest[] {
    return this.requests.filter((r) => r.status !== undefined && r.status >= 200 && r.status < 300);
  }

  /** Resolves once `count` requests have arrived (and been answered, or left hanging); fails after `timeoutMs` of real time. */
  async waitForRequests(count: number, timeoutMs = 10_000): Promise<ReceivedRequest[]> {
    await waitUntil(`${count} webhook requests (got ${this.requests.length})`, () => this.requests.length >= count && this.#answered(), timeoutMs);
    return this.requests;
  }

  /** Resolves once `count` requests have been answered with 2xx; fails after `timeoutMs` of real time. */
  async waitForAccepted(count: number, timeoutMs = 10_000): Promise<ReceivedRequest[]> {
    await waitUntil(`${count} accepted webhook requests (got ${this.accepted().length})`, () => this.accepted().length >= count, timeoutMs);
    return this.accepted();
  }

  /** Whether every request that arrived has been answered or is deliberately left hanging. */
  #answered(): boolean {
    return this.requests.every((r) => r.status !== undefined || this.#hung.has(r));
  }

  async close(): Promise<void> {
    for (const res of this.#hanging.values()) res.destroy();
    this.#hanging.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #receive(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const verifiedWith: string[] = [];
      const verifyErrors: string[] = [];
      for (const secret of this.secrets) {
        try {
          new Webhook(secret).verify(body, headers);
          verifiedWith.push(secret);
        } catch (error) {
          verifyErrors.push(String(error));
        }
      }
      const request: ReceivedRequest = {
        index: this.requests.length,
        method: req.method ?? '',
        path: req.url ?? '',
        headers,
        body,
        verifiedWith,
        verifyErrors,
        status: undefined,
      };
      const scripted = this.#script.shift();
      const reply = scripted ?? (typeof this.#default === 'function' ? this.#default(request) : this.#default);
      if ('hang' in reply) {
        this.#hanging.set(request, res);
        this.#hung.add(request);
        res.on('close', () => this.#hanging.delete(request));
      } else {
        request.status = reply.status;
        res.writeHead(reply.status, reply.headers).end(reply.body);
      }
      // Recorded last: a waiter that sees the request also sees how it was answered.
      this.requests.push(request);
    });
  }
}

/** Polls `condition` on real time (setImmediate, then short sleeps) until it holds. */
export async function waitUntil(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let turn = 0; !condition(); turn++) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await (turn < 100 ? new Promise((resolve) => setImmediate(resolve)) : new Promise((resolve) => setTimeout(resolve, 5)));
  }
}
