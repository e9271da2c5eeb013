/** `outdial call` and `outdial contact`: thin clients over @aws-sdk/client-connect. */
import {
  ConnectClient,
  DescribeContactCommand,
  ListContactFlowsCommand,
  StartOutboundVoiceContactCommand,
  type Contact,
} from '@aws-sdk/client-connect';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import { DEFAULTS } from '../config/defaults.js';
import { DEMO } from '../services/seed.js';

export interface ClientOptions {
  trace?: boolean;
  endpoint?: string;
  instance?: string;
  region: string;
  flow?: string;
  queue?: string;
  from?: string;
  attr?: string[];
  ringTimeout?: number;
  follow?: boolean;
}

const POLL_INTERVAL_MS = 600; // under DescribeContact's default 2 requests/s
const UUID_OR_ARN = /^(arn:|[0-9a-f]{8}-[0-9a-f]{4}-)/i;

function endpointOf(options: ClientOptions): string {
  return options.endpoint ?? process.env.OUTDIAL_ENDPOINT ?? `http://${DEFAULTS.host}:${DEFAULTS.port}`;
}

function credentials(): { accessKeyId: string; secretAccessKey: string } {
  const env = process.env;
  return {
    accessKeyId: env.OUTDIAL_ACCESS_KEY_ID ?? env.AWS_ACCESS_KEY_ID ?? DEFAULTS.localCredentials.accessKeyId,
    secretAccessKey: env.OUTDIAL_SECRET_ACCESS_KEY ?? env.AWS_SECRET_ACCESS_KEY ?? DEFAULTS.localCredentials.secretAccessKey,
  };
}

function client(options: ClientOptions): ConnectClient {
  // The SDK warns on every run that releases after January 2027 will need Node 22; outdial supports 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new ConnectClient({ region: options.region, endpoint: endpointOf(options), credentials: credentials() });
}

/** SHA-256 for Smithy's signer, on node:crypto. */
class Sha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: SourceData): void {
    this.#hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.#hash.digest());
  }
}

function toBuffer(data: SourceData): Buffer {
  return typeof data === 'string' ? Buffer.from(data) : Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** What a call to one of outdial's own routes carries besides its method and path. */
export interface SignedRequestInput {
  readonly query?: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  readonly body?: unknown;
}

/**
 * A request to one of outdial's own routes (flow log, webhooks), signed with SigV4 as the SDK signs Connect
 * calls. Resolves with the JSON answer; rejects with the server's Connect-shaped error (its code as the
 * error's name), or says the server cannot be reached.
 */
export async function signedRequest(
  options: Pick<ClientOptions, 'endpoint' | 'region'>,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  { query = {}, body }: SignedRequestInput = {},
): Promise<unknown> {
  const url = new URL(path, endpointOf(options));
  const response = await signedFetch(options, method, url, { query, body });
  const text = await response.text();
  let answer: { __type?: string; message?: string } | undefined;
  try {
    answer = text === '' ? {} : (JSON.parse(text) as { __type?: string; message?: string });
  } catch {
    answer = undefined;
  }
  if (!response.ok) throw serverError(response, answer);
  if (answer === undefined) throw new Error(`the server at ${url.origin} answered ${response.status} with a body that is not JSON`);
  return answer;
}

/** Sends a request signed with SigV4 as the SDK signs Connect calls; says so when the server cannot be reached. */
async function signedFetch(
  options: Pick<ClientOptions, 'region'>,
  method: 'GET' | 'POST' | 'DELETE',
  url: URL,
  { query = {}, body }: SignedRequestInput = {},
): Promise<Response> {
  url.search = Object.entries(query)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const signer = new SignatureV4({ credentials: credentials(), region: options.region, service: 'connect', sha256: Sha256, uriEscapePath: true });
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: { ...query },
      headers: { host: url.host, ...(payload !== undefined && { 'content-type': 'application/json' }) },
      ...(payload !== undefined && { body: payload }),
    }),
  );
  try {
    return await fetch(url, { method, headers: signed.headers, ...(payload !== undefined && { body: payload }) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach the outdial server at ${url.origin}: ${cause?.code ?? cause?.message ?? String(error)}`, { cause: error });
  }
}

/** The server's Connect-shaped error, its code as the error's name. */
function serverError(response: Response, answer: { __type?: string; message?: string } | undefined): Error {
  return Object.assign(new Error(answer?.message ?? `HTTP ${response.status}`), { name: answer?.__type ?? 'Error', $fault: 'client' });
}

/** A flow-log entry as the flow-log route returns it. */
interface TraceEntry {
  readonly Timestamp: number;
  readonly kind: string;
  readonly actionId: string | null;
  readonly [detail: string]: unknown;
}

/** One line per flow-log entry: when, which action, what happened. */
export function traceLines(log: readonly TraceEntry[]): string[] {
  return log.map(({ Timestamp, kind, actionId, ...rest }) => {
    const when = new Date(Timestamp * 1000).toISOString();
    return `${when}  ${kind.padEnd(17)} ${(actionId ?? '-').padEnd(16)} ${JSON.stringify(rest)}`;
  });
}

/** `--attr key=value` options as an attribute map. */
export function parseAttributes(pairs: readonly string[]): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--attr expects key=value, got "${pair}"`);
    attributes[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return attributes;
}

async function flowId(connect: ConnectClient, instanceId: string, flow: string): Promise<string> {
  if (UUID_OR_ARN.test(flow)) return flow;
  let NextToken: string | undefined;
  do {
    const page = await connect.send(new ListContactFlowsCommand({ InstanceId: instanceId, NextToken }));
    const match = page.ContactFlowSummaryList?.find((f) => f.Name === flow);
    if (match?.Id !== undefined) return match.Id;
    NextToken = page.NextToken;
  } while (NextToken !== undefined);
  throw new Error(`no contact flow named "${flow}" in instance ${instanceId}`);
}

/** One line per observable step of a contact, derived from DescribeContact's timestamps. */
export function progressOf(contact: Contact): string[] {
  const steps: string[] = [];
  const at = (d: Date | undefined) => (d === undefined ? '' : ` at ${d.toISOString()}`);
  if (contact.InitiationTimestamp) steps.push(`initiated${at(contact.InitiationTimestamp)}`);
  if (contact.RingStartTimestamp) steps.push(`ringing${at(contact.RingStartTimestamp)}`);
  if (contact.ConnectedToSystemTimestamp) steps.push(`connected${at(contact.ConnectedToSystemTimestamp)}`);
  if (contact.QueueInfo?.EnqueueTimestamp) steps.push(`queued${at(contact.QueueInfo.EnqueueTimestamp)}`);
  if (contact.DisconnectTimestamp) {
    const amd = contact.AnsweringMachineDetectionStatus ? `, AMD ${contact.AnsweringMachineDetectionStatus}` : '';
    steps.push(`disconnected${at(contact.DisconnectTimestamp)} (${contact.DisconnectReason ?? 'no reason'}${amd})`);
  }
  return steps;
}

export async function runCall(number: string, options: ClientOptions): Promise<void> {
  const connect = client(options);
  const instanceId = options.instance ?? DEMO.instanceId;
  const usesDemo = options.instance === undefined;
  const queueId = options.queue ?? (usesDemo && options.from === undefined ? DEMO.queueId : undefined);
  const callerId: { SourcePhoneNumber?: string; QueueId?: string } = {
    ...(options.from !== undefined && { SourcePhoneNumber: options.from }),
    ...(queueId !== undefined && { QueueId: queueId }),
  };
  if (callerId.SourcePhoneNumber === undefined && callerId.QueueId === undefined) {
    throw new Error('give --from <number> or --queue <id> for the caller ID');
  }
  const { ContactId } = await connect.send(
    new StartOutboundVoiceContactCommand({
      InstanceId: instanceId,
      ContactFlowId: await flowId(connect, instanceId, options.flow ?? DEMO.flowId),
      DestinationPhoneNumber: number,
      ...callerId,
      ...(options.attr?.length ? { Attributes: parseAttributes(options.attr) } : {}),
      ...(options.ringTimeout !== undefined && { RingTimeoutInSeconds: options.ringTimeout }),
    }),
  );
  if (ContactId === undefined) throw new Error('the server returned no ContactId');
  process.stdout.write(`contact ${ContactId}\n`);
  if (options.follow === false) return;
  let printed = 0;
  for (;;) {
    const { Contact: contact } = await connect.send(new DescribeContactCommand({ InstanceId: instanceId, ContactId }));
    const steps = progressOf(contact ?? {});
    for (const step of steps.slice(printed)) process.stdout.write(`  ${step}\n`);
    printed = steps.length;
    if (contact?.DisconnectTimestamp !== undefined) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/**
 * `outdial recordings get`: downloads a contact's recordings (DescribeContact's Recordings) to `out`, or
 * `<contact-id>.wav`; several recordings go to numbered files beside it. Returns the paths written.
 */
export async function runRecordingsGet(contactId: string, options: ClientOptions & { out?: string }): Promise<string[]> {
  const instanceId = options.instance ?? DEMO.instanceId;
  const { Contact: contact } = await client(options).send(new DescribeContactCommand({ InstanceId: instanceId, ContactId: contactId }));
  const recordings = contact?.Recordings ?? [];
  if (recordings.length === 0) {
    process.stderr.write(`contact ${contactId} has no recordings (its flow recorded nothing, or the call was on the simulated network)\n`);
    process.exitCode = 1;
    return [];
  }
  const out = options.out ?? `${contactId}.wav`;
  const written: string[] = [];
  for (const [index, recording] of recordings.entries()) {
    // The Location names the host the server saw; the path is fetched from the endpoint this command uses.
    const url = new URL(new URL(recording.Location ?? '', endpointOf(options)).pathname, endpointOf(options));
    const response = await signedFetch(options, 'GET', url);
    if (!response.ok) {
      const text = await response.text();
      let answer: { __type?: string; message?: string } | undefined;
      try {
        answer = JSON.parse(text) as { __type?: string; message?: string };
      } catch {
        answer = undefined;
      }
      throw serverError(response, answer);
    }
    const path = recordings.length === 1 ? out : out.replace(/(\.wav)?$/i, `-${index + 1}.wav`);
    await writeFile(path, Buffer.from(await response.arrayBuffer()));
    process.stdout.write(`${path}\n`);
    written.push(path);
  }
  return written;
}

export async function runContact(contactId: string, options: ClientOptions): Promise<void> {
  const instanceId = options.instance ?? DEMO.instanceId;
  if (options.trace === true) {
    const path = `/outdial/contacts/${encodeURIComponent(instanceId)}/${encodeURIComponent(contactId)}/flow-log`;
    const { FlowLog } = (await signedRequest(options, 'GET', path)) as { FlowLog: TraceEntry[] };
    if (FlowLog.length === 0) process.stdout.write('no flow log: the flow has not run, or the instance keeps none (CONTACTFLOW_LOGS)\n');
    for (const line of traceLines(FlowLog)) process.stdout.write(`${line}\n`);
    return;
  }
  const { Contact: contact } = await client(options).send(new DescribeContactCommand({ InstanceId: instanceId, ContactId: contactId }));
  process.stdout.write(`${JSON.stringify(contact, null, 2)}\n`);
}
