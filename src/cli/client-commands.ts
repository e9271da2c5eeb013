/** `outdial call` and `outdial contact`: thin clients over @aws-sdk/client-connect. */
import {
  ConnectClient,
  DescribeContactCommand,
  ListContactFlowsCommand,
  StartOutboundVoiceContactCommand,
  type Contact,
} from '@aws-sdk/client-connect';
import { DEFAULTS } from '../config/defaults.js';
import { DEMO } from '../services/seed.js';

export interface ClientOptions {
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

function client(options: ClientOptions): ConnectClient {
  const env = process.env;
  // The SDK warns on every run that releases after January 2027 will need Node 22; outdial supports 20.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new ConnectClient({
    region: options.region,
    endpoint: options.endpoint ?? env.OUTDIAL_ENDPOINT ?? `http://${DEFAULTS.host}:${DEFAULTS.port}`,
    credentials: {
      accessKeyId: env.OUTDIAL_ACCESS_KEY_ID ?? env.AWS_ACCESS_KEY_ID ?? DEFAULTS.localCredentials.accessKeyId,
      secretAccessKey: env.OUTDIAL_SECRET_ACCESS_KEY ?? env.AWS_SECRET_ACCESS_KEY ?? DEFAULTS.localCredentials.secretAccessKey,
    },
  });
}

function parseAttributes(pairs: readonly string[]): Record<string, string> {
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

export async function runContact(contactId: string, options: ClientOptions): Promise<void> {
  const { Contact: contact } = await client(options).send(
    new DescribeContactCommand({ InstanceId: options.instance ?? DEMO.instanceId, ContactId: contactId }),
  );
  process.stdout.write(`${JSON.stringify(contact, null, 2)}\n`);
}
