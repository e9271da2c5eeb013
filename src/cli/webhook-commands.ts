/**
 * `outdial webhooks …`: manages webhook subscriptions of a running server over its signed HTTP API
 * (/outdial/webhooks, src/api/webhook-routes.ts), signing like `outdial contact --trace`. Every
 * subcommand prints a short human form, or the server's answer as it is with `--json`; a failed request
 * rejects with the server's error code and message, which the CLI prints before exiting with 1.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { CONTACT_EVENT_TYPES } from '../services/contact-events.js';
import { signedRequest, type SignedRequestInput } from './client-commands.js';

export interface WebhookCommandOptions {
  endpoint?: string;
  region: string;
  json?: boolean;
}

/** A webhook as the API shows it. */
export interface WebhookView {
  readonly Id: string;
  readonly Name: string;
  readonly Url: string;
  readonly Stream: string;
  readonly EventTypes: readonly string[];
  readonly Enabled: boolean;
  readonly DisabledReason?: string;
  readonly ManagedBy: string;
  readonly CreatedTimestamp: number;
  readonly LastModifiedTimestamp: number;
}

/** A delivery as the API shows it. */
export interface DeliveryView {
  readonly Id: number;
  readonly MessageId: string;
  readonly ContactId: string;
  readonly EventType: string;
  readonly Status: string;
  readonly Attempts: number;
  readonly NextAttemptTimestamp?: number;
  readonly LastHttpStatus?: number;
  readonly LastError?: string;
  readonly CreatedTimestamp: number;
  readonly DeliveredTimestamp?: number;
}

/** The API's page size limit. */
const PAGE = 100;

type Method = 'GET' | 'POST' | 'DELETE';

function call<T>(options: WebhookCommandOptions, method: Method, path: string, input?: SignedRequestInput): Promise<T> {
  return signedRequest(options, method, path, input) as Promise<T>;
}

const webhookPath = (id: string, action?: string): string =>
  `/outdial/webhooks/${encodeURIComponent(id)}${action === undefined ? '' : `/${action}`}`;

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

/** Epoch seconds (the API's timestamps) as ISO 8601; '-' when absent. */
function iso(seconds: number | undefined): string {
  return seconds === undefined ? '-' : new Date(seconds * 1000).toISOString();
}

/** Rows under a header, columns padded to their widest cell; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `outdial webhooks list`'s table. */
export function webhookTable(webhooks: readonly WebhookView[]): string {
  return table(
    ['ID', 'NAME', 'ENABLED', 'STREAM', 'EVENT TYPES', 'MANAGED BY', 'URL'],
    webhooks.map((w) => [
      w.Id,
      w.Name,
      w.Enabled ? 'yes' : 'no',
      w.Stream,
      w.EventTypes.length === 0 ? 'all' : w.EventTypes.join(','),
      w.ManagedBy,
      w.Url,
    ]),
  );
}

/** `outdial webhooks show`'s lines. */
export function webhookLines(w: WebhookView): string {
  const rows: [string, string][] = [
    ['Id', w.Id],
    ['Name', w.Name],
    ['Url', w.Url],
    ['Stream', w.Stream],
    ['Event types', w.EventTypes.length === 0 ? 'all' : w.EventTypes.join(', ')],
    ['Enabled', w.Enabled ? 'yes' : 'no'],
    ...(w.DisabledReason !== undefined ? [['Disabled because', w.DisabledReason] as [string, string]] : []),
    ['Managed by', w.ManagedBy],
    ['Created', iso(w.CreatedTimestamp)],
    ['Last modified', iso(w.LastModifiedTimestamp)],
  ];
  const width = Math.max(...rows.map(([key]) => key.length)) + 1;
  return rows.map(([key, value]) => `${`${key}:`.padEnd(width)} ${value}`).join('\n');
}

/** `outdial webhooks deliveries`'s table. */
export function deliveryTable(deliveries: readonly DeliveryView[]): string {
  return table(
    ['ID', 'STATUS', 'ATTEMPTS', 'EVENT TYPE', 'CONTACT ID', 'CREATED', 'NEXT ATTEMPT / DELIVERED', 'LAST ERROR'],
    deliveries.map((d) => [
      String(d.Id),
      d.Status,
      String(d.Attempts),
      d.EventType,
      d.ContactId,
      iso(d.CreatedTimestamp),
      d.Status === 'delivered' ? iso(d.DeliveredTimestamp) : d.Status === 'pending' ? iso(d.NextAttemptTimestamp) : '-',
      d.LastError ?? '-',
    ]),
  );
}

export async function runList(options: WebhookCommandOptions): Promise<void> {
  const answer = await call<{ Webhooks: WebhookView[] }>(options, 'GET', '/outdial/webhooks');
  if (options.json === true) return printJson(answer);
  print(answer.Webhooks.length === 0 ? 'no webhooks' : webhookTable(answer.Webhooks));
}

export interface CreateOptions extends WebhookCommandOptions {
  name?: string;
  eventType: string[];
  stream?: 'events' | 'records';
  secret?: string;
}

export async function runCreate(url: string, options: CreateOptions): Promise<void> {
  const answer = await call<{ Webhook: WebhookView; Secret: string }>(options, 'POST', '/outdial/webhooks', {
    body: {
      Url: url,
      ...(options.name !== undefined && { Name: options.name }),
      ...(options.eventType.length > 0 && { EventTypes: options.eventType }),
      ...(options.stream !== undefined && { Stream: options.stream }),
      ...(options.secret !== undefined && { Secret: options.secret }),
    },
  });
  if (options.json === true) return printJson(answer);
  print(`webhook ${answer.Webhook.Id}\nname    ${answer.Webhook.Name}\nsecret  ${answer.Secret}`);
}

export async function runShow(id: string, options: WebhookCommandOptions): Promise<void> {
  const answer = await call<{ Webhook: WebhookView }>(options, 'GET', webhookPath(id));
  if (options.json === true) return printJson(answer);
  print(webhookLines(answer.Webhook));
}

export async function runDelete(id: string, options: WebhookCommandOptions): Promise<void> {
  const answer = await call<object>(options, 'DELETE', webhookPath(id));
  if (options.json === true) return printJson(answer);
  print(`deleted ${id}`);
}

export async function runSetEnabled(id: string, enabled: boolean, options: WebhookCommandOptions): Promise<void> {
  const answer = await call<{ Webhook: WebhookView }>(options, 'POST', webhookPath(id, enabled ? 'enable' : 'disable'));
  if (options.json === true) return printJson(answer);
  print(`${enabled ? 'enabled' : 'disabled'} ${answer.Webhook.Id} (${answer.Webhook.Name})`);
}

export async function runSecret(id: string, options: WebhookCommandOptions): Promise<void> {
  const answer = await call<{ Secrets: string[] }>(options, 'GET', webhookPath(id, 'secret'));
  if (options.json === true) return printJson(answer);
  // Newest first: the first line signs from now on, the others until their grace period ends.
  print(answer.Secrets.join('\n'));
}

export interface RotateOptions extends WebhookCommandOptions {
  secret?: string;
}

export async function runRotateSecret(id: string, options: RotateOptions): Promise<void> {
  const answer = await call<{ Secret: string; PreviousSecretExpiresTimestamp: number }>(options, 'POST', webhookPath(id, 'rotate-secret'), {
    body: options.secret === undefined ? {} : { Secret: options.secret },
  });
  if (options.json === true) return printJson(answer);
  print(`secret  ${answer.Secret}\nthe previous secret signs beside it until ${iso(answer.PreviousSecretExpiresTimestamp)}`);
}

export interface DeliveriesOptions extends WebhookCommandOptions {
  status?: 'pending' | 'delivered' | 'dead';
  max: number;
}

export async function runDeliveries(id: string, options: DeliveriesOptions): Promise<void> {
  const deliveries: DeliveryView[] = [];
  let nextToken: string | undefined;
  do {
    const answer = await call<{ Deliveries: DeliveryView[]; NextToken?: string }>(options, 'GET', webhookPath(id, 'deliveries'), {
      query: {
        ...(options.status !== undefined && { status: options.status }),
        maxResults: String(Math.min(PAGE, options.max - deliveries.length)),
        ...(nextToken !== undefined && { nextToken }),
      },
    });
    deliveries.push(...answer.Deliveries);
    nextToken = answer.NextToken;
  } while (nextToken !== undefined && deliveries.length < options.max);
  if (options.json === true) return printJson({ Deliveries: deliveries, ...(nextToken !== undefined && { NextToken: nextToken }) });
  print(deliveries.length === 0 ? 'no deliveries' : deliveryTable(deliveries));
}

export interface RedeliverOptions extends WebhookCommandOptions {
  delivery: number[];
}

export async function runRedeliver(id: string, options: RedeliverOptions): Promise<void> {
  const answer = await call<{ Redelivered: number }>(options, 'POST', webhookPath(id, 'redeliver'), {
    body: options.delivery.length === 0 ? {} : { DeliveryIds: options.delivery },
  });
  if (options.json === true) return printJson(answer);
  print(`redelivered ${answer.Redelivered} ${answer.Redelivered === 1 ? 'delivery' : 'deliveries'}`);
}

const positiveInteger = (text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number from 1 up');
  return n;
};

/** The options every subcommand takes: where the server is, and how to print. */
function serverOptions(command: Command): Command {
  return command
    .option('--endpoint <url>', 'outdial server URL (env OUTDIAL_ENDPOINT)')
    .option('--region <region>', 'region to sign requests for', 'us-east-1')
    .option('--json', "print the server's answer as JSON");
}

/** Adds the `webhooks` command and its subcommands to `program` (which they inherit settings from). */
export function registerWebhookCommands(program: Command): void {
  const webhooks = program.command('webhooks').description(
    'manage webhook subscriptions to contact events and records on a running server (docs/events.md)',
  );

  serverOptions(webhooks.command('list').description('list webhooks, from the config file and from the API')).action(runList);

  serverOptions(
    webhooks
      .command('create')
      .description('subscribe a URL; prints the webhook id and its signing secret')
      .argument('<url>', 'http(s) URL receiving signed POSTs')
      .option('--name <name>', 'a unique name (default webhook-<id prefix>)')
      .addOption(
        new Option('--event-type <type>', 'an event type to deliver, repeatable')
          .choices(CONTACT_EVENT_TYPES)
          .argParser((value: string, all: string[] = []) => {
            if (!(CONTACT_EVENT_TYPES as readonly string[]).includes(value)) {
              throw new InvalidArgumentError(`expected one of ${CONTACT_EVENT_TYPES.join(', ')}`);
            }
            return [...all, value];
          })
          .default([] as string[], 'all'),
      )
      .addOption(new Option('--stream <stream>', 'contact events or contact records').choices(['events', 'records']))
      .option('--secret <whsec_…>', 'signing secret: whsec_ and base64 of 24 to 64 bytes (default: generated)'),
  ).action((url: string, options: CreateOptions) => runCreate(url, options));

  serverOptions(webhooks.command('show').description("show a webhook").argument('<id>')).action(runShow);

  serverOptions(
    webhooks.command('delete').description('delete a webhook made over the API, with its deliveries').argument('<id>'),
  ).action(runDelete);

  serverOptions(
    webhooks.command('enable').description('enable a webhook: it takes what commits from now on').argument('<id>'),
  ).action((id: string, options: WebhookCommandOptions) => runSetEnabled(id, true, options));

  serverOptions(webhooks.command('disable').description('disable a webhook').argument('<id>')).action(
    (id: string, options: WebhookCommandOptions) => runSetEnabled(id, false, options),
  );

  serverOptions(
    webhooks.command('secret').description('print the secrets that sign now, newest first, one a line').argument('<id>'),
  ).action(runSecret);

  serverOptions(
    webhooks
      .command('rotate-secret')
      .description('replace the signing secret; the old one keeps signing beside it for the grace period')
      .argument('<id>')
      .option('--secret <whsec_…>', 'the new secret (default: generated)'),
  ).action(runRotateSecret);

  serverOptions(
    webhooks
      .command('deliveries')
      .description("list a webhook's deliveries, oldest first")
      .argument('<id>')
      .addOption(new Option('--status <status>', 'only deliveries in this status').choices(['pending', 'delivered', 'dead']))
      .option('--max <n>', 'list at most this many', positiveInteger, PAGE),
  ).action(runDeliveries);

  serverOptions(
    webhooks
      .command('redeliver')
      .description('send deliveries again from the first attempt: the given ones, or every dead one')
      .argument('<id>')
      .option('--delivery <id>', 'a delivery id, repeatable (default: every dead delivery)', (v: string, all: number[]) => [...all, positiveInteger(v)], [] as number[]),
  ).action(runRedeliver);
}
