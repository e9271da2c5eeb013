/**
 * `outdial webhooks …` as a user runs it, against a real `outdial serve` process and a receiver in this
 * process. The server's retry schedule is empty, so a failed delivery goes dead at once and
 * `redeliver` has something to do. Only the first test's webhook points at the receiver.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { runOutdial, startServer, waitFor, type RunResult, type ServerProcess } from '../helpers/server-process.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A webhook receiver answering every POST with `status`, keeping what it received. */
async function startReceiver(): Promise<{ url: string; received: Received[]; status: number; close(): Promise<void> }> {
  const state = { status: 503, received: [] as Received[] };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      state.received.push({ headers: request.headers, body });
      response.writeHead(state.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/outdial`,
    received: state.received,
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const SPEED = 50;

const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** The delivery view the CLI prints with --json. */
interface Delivery {
  Id: number;
  MessageId: string;
  EventType: string;
  Status: string;
  Attempts: number;
  LastHttpStatus?: number;
  LastError?: string;
}

describe('outdial webhooks', () => {
  let server: ServerProcess;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  const outdial = (...args: string[]): Promise<RunResult> => runOutdial([...args, '--endpoint', server.url]);
  /** Runs a command that must succeed; its stdout. */
  const ok = async (...args: string[]): Promise<string> => {
    const result = await outdial(...args);
    assert.equal(result.code, 0, `outdial ${args.join(' ')} failed:\n${result.stderr}`);
    return result.stdout;
  };
  const json = async <T>(...args: string[]): Promise<T> => JSON.parse(await ok(...args, '--json')) as T;
  const deliveries = async (id: string, ...args: string[]): Promise<Delivery[]> =>
    (await json<{ Deliveries: Delivery[] }>('webhooks', 'deliveries', id, ...args)).Deliveries;

  before(async () => {
    receiver = await startReceiver();
    server = await startServer({
      config: {
        rateLimitDisabled: true,
        logLevel: 'warn',
        network: { speed: SPEED },
        // Webhook timeouts run on the engine clock: 15 s of real time at this speed, so a slow machine's
        // receiver answering late is never taken for a timeout.
        events: { retryScheduleSeconds: [], timeoutMs: 15_000 * SPEED },
      },
    });
  });

  after(async () => {
    await server?.cleanup();
    await receiver?.close();
  });

  it('creates, lists, shows, disables, enables, rotates, lists deliveries, redelivers and deletes a webhook', async () => {
    // create
    const created = await ok('webhooks', 'create', receiver.url, '--name', 'crm', '--event-type', 'INITIATED', '--event-type', 'DISCONNECTED');
    const id = /^webhook (\S+)$/m.exec(created)?.[1];
    const secret = /^secret +(whsec_\S+)$/m.exec(created)?.[1];
    assert.ok(id !== undefined && secret !== undefined, `expected the id and the secret, got:\n${created}`);
    assert.match(created, /^name +crm$/m);

    // list, as a table and as JSON
    const table = (await ok('webhooks', 'list')).trimEnd().split('\n');
    assert.match(table[0] ?? '', /^ID +NAME +ENABLED +STREAM +EVENT TYPES +MANAGED BY +URL$/);
    const row = table.find((line) => line.startsWith(id));
    assert.ok(row !== undefined, table.join('\n'));
    assert.deepEqual(row.split(/\s+/), [id, 'crm', 'yes', 'events', 'INITIATED,DISCONNECTED', 'api', receiver.url]);
    const { Webhooks } = await json<{ Webhooks: { Id: string; Name: string; Url: string; EventTypes: string[]; Enabled: boolean }[] }>('webhooks', 'list');
    const listed = Webhooks.find((w) => w.Id === id);
    assert.deepEqual(
      { Name: listed?.Name, Url: listed?.Url, EventTypes: listed?.EventTypes, Enabled: listed?.Enabled },
      { Name: 'crm', Url: receiver.url, EventTypes: ['INITIATED', 'DISCONNECTED'], Enabled: true },
    );

    // show
    const shown = await ok('webhooks', 'show', id);
    assert.match(shown, new RegExp(`^Id: +${id}$`, 'm'));
    assert.match(shown, /^Enabled: +yes$/m);
    assert.match(shown, /^Event types: +INITIATED, DISCONNECTED$/m);

    // disable, enable
    assert.equal((await ok('webhooks', 'disable', id)).trim(), `disabled ${id} (crm)`);
    const disabled = await ok('webhooks', 'show', id);
    assert.match(disabled, /^Enabled: +no$/m);
    assert.match(disabled, /^Disabled because: +disabled by request$/m);
    const enabled = await json<{ Webhook: { Enabled: boolean; DisabledReason?: string } }>('webhooks', 'enable', id);
    assert.deepEqual([enabled.Webhook.Enabled, enabled.Webhook.DisabledReason], [true, undefined]);

    // secret, rotate-secret: both sign during the grace period, the new one first
    assert.equal((await ok('webhooks', 'secret', id)).trim(), secret);
    const next = newSecret();
    const rotated = await ok('webhooks', 'rotate-secret', id, '--secret', next);
    assert.match(rotated, new RegExp(`^secret +${next.replace(/[+/]/g, '\\$&')}$`, 'm'));
    assert.match(rotated, /signs beside it until \d{4}-\d{2}-\d{2}T/);
    assert.deepEqual((await ok('webhooks', 'secret', id)).trim().split('\n'), [next, secret]);

    // A call: its INITIATED and DISCONNECTED go to the receiver, which answers 503, so both go dead.
    assert.equal((await outdial('call', '+12065550100')).code, 0);
    const dead = await waitFor('two dead deliveries', async () => {
      const list = await deliveries(id, '--status', 'dead');
      return list.length === 2 ? list : undefined;
    });
    assert.deepEqual(
      dead.map((d) => [d.EventType, d.Status, d.Attempts, d.LastHttpStatus, d.LastError]),
      [
        ['INITIATED', 'dead', 1, 503, 'HTTP 503'],
        ['DISCONNECTED', 'dead', 1, 503, 'HTTP 503'],
      ],
    );
    assert.equal(receiver.received.length, 2);
    for (const request of receiver.received) {
      // Signed with both secrets: a receiver holding either one verifies.
      const headers = request.headers as Record<string, string>;
      assert.equal(headers['webhook-signature']?.split(' ').length, 2);
      for (const key of [secret, next]) assert.ok(new Webhook(key).verify(request.body, headers));
    }
    assert.deepEqual(
      receiver.received.map((r) => r.headers['webhook-id']),
      dead.map((d) => d.MessageId),
    );
    const deadTable = (await ok('webhooks', 'deliveries', id, '--status', 'dead')).trimEnd().split('\n');
    assert.match(deadTable[0] ?? '', /^ID +STATUS +ATTEMPTS +EVENT TYPE +CONTACT ID +CREATED +NEXT ATTEMPT \/ DELIVERED +LAST ERROR$/);
    assert.equal(deadTable.length, 3);
    for (const line of deadTable.slice(1)) assert.match(line, /^\d+ +dead +1 +(INITIATED|DISCONNECTED) .* HTTP 503$/);
    assert.equal((await deliveries(id, '--max', '1')).length, 1);

    // redeliver one by id, then every dead one, now that the receiver answers 204
    receiver.status = 204;
    const [first, second] = dead;
    assert.ok(first !== undefined && second !== undefined);
    assert.equal((await ok('webhooks', 'redeliver', id, '--delivery', String(first.Id))).trim(), 'redelivered 1 delivery');
    await waitFor('the first delivery delivered', async () =>
      (await deliveries(id, '--status', 'delivered')).some((d) => d.Id === first.Id) ? true : undefined,
    );
    assert.deepEqual(
      (await deliveries(id, '--status', 'dead')).map((d) => d.Id),
      [second.Id],
    );
    assert.equal((await ok('webhooks', 'redeliver', id)).trim(), 'redelivered 1 delivery');
    const delivered = await waitFor('both delivered', async () => {
      const list = await deliveries(id, '--status', 'delivered');
      return list.length === 2 ? list : undefined;
    });
    assert.deepEqual(
      delivered.map((d) => [d.Id, d.Attempts, d.LastHttpStatus]),
      [
        [first.Id, 1, 204],
        [second.Id, 1, 204],
      ],
    );
    // The same webhook-id again: what a receiver dedupes on.
    assert.deepEqual(
      receiver.received.slice(2).map((r) => r.headers['webhook-id']),
      [first.MessageId, second.MessageId],
    );

    // delete; afterwards the id is unknown
    assert.equal((await ok('webhooks', 'delete', id)).trim(), `deleted ${id}`);
    const gone = await outdial('webhooks', 'show', id);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr.trim(), `outdial: ResourceNotFoundException: Webhook not found: ${id}`);
  });

  it('prints the server error and exits non-zero for an unknown webhook', async () => {
    const unknown = '00000000-0000-4000-8000-00000000dead';
    const commands = [
      ['show', unknown],
      ['delete', unknown],
      ['enable', unknown],
      ['secret', unknown],
      ['rotate-secret', unknown],
      ['deliveries', unknown],
      ['redeliver', unknown],
    ];
    const results = await Promise.all(commands.map((args) => outdial('webhooks', ...args)));
    results.forEach((result, i) => {
      assert.equal(result.code, 1, `webhooks ${commands[i]?.join(' ')}: ${result.stdout}`);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr.trim(), `outdial: ResourceNotFoundException: Webhook not found: ${unknown}`);
    });
  });

  it('reports invalid input with the server error code', async () => {
    // Nothing is ever delivered to this one (nothing listens on port 1), and no other test's call reaches it.
    const url = 'http://127.0.0.1:1/never';
    const [badSecret, badUrl] = await Promise.all([
      outdial('webhooks', 'create', url, '--secret', 'whsec_short'),
      outdial('webhooks', 'create', 'ftp://example.com/hook'),
    ]);
    assert.equal(badSecret.code, 1);
    assert.match(badSecret.stderr, /^outdial: InvalidParameterException: Secret must be "whsec_"/);
    assert.equal(badUrl.code, 1);
    assert.match(badUrl.stderr, /^outdial: InvalidParameterException: Url must be http or https\./);

    const name = `dup-${randomBytes(4).toString('hex')}`;
    await ok('webhooks', 'create', url, '--name', name, '--event-type', 'COMPLETED');
    const duplicate = await outdial('webhooks', 'create', url, '--name', name);
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, new RegExp(`^outdial: DuplicateResourceException: An event sink named "${name}" exists already\\.`));
  });

  it('says when no server answers', async () => {
    const result = await runOutdial(['webhooks', 'list', '--endpoint', 'http://127.0.0.1:1']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^outdial: cannot reach the outdial server at http:\/\/127\.0\.0\.1:1: /);
  });
});
