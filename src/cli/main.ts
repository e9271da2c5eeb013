/**
 * The `outdial` command: `serve` runs the server; `call` and `contact` talk to a running server through
 * the official Amazon Connect client, exactly as a user's own code would; `webhooks` manages webhook
 * subscriptions over outdial's own signed API; `flow` tests and traces flows offline, in virtual time.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { runCall, runContact, runRecordingsGet, type ClientOptions } from './client-commands.js';
import type { FlowRunOptions, FlowTestOptions } from './flow-commands.js';
import type { ConfigFlags } from '../config/config.js';
import { registerWebhookCommands } from './webhook-commands.js';

// The server and the flow engine are loaded by the commands that run them: a client command such as
// `outdial webhooks list` then starts on less than half the CPU time.
const serve = async (options: ConfigFlags) => (await import('./serve.js')).runServe(options);
const flowCommands = () => import('./flow-commands.js');

const program = new Command()
  .name('outdial')
  .description("Self-hosted outbound voice engine that speaks Amazon Connect's API")
  .showHelpAfterError();

const integer = (text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number');
  return n;
};
const positive = (text: string): number => {
  const n = Number(text);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number');
  return n;
};

program
  .command('serve')
  .description('run the server (SQLite store, simulated telephone network by default)')
  .option('--host <host>', 'address to bind (env OUTDIAL_HOST)')
  .option('--port <port>', 'port to bind, 0 for any free port (env OUTDIAL_PORT)', integer)
  .option('--db <file>', 'SQLite file, or :memory: (env OUTDIAL_DB)')
  .option('--config <file>', 'JSON config file (env OUTDIAL_CONFIG)')
  .option('--speed <factor>', 'run the simulated network and engine timers this many times faster (env OUTDIAL_SPEED)', positive)
  .addOption(new Option('--log-level <level>', 'log level (env OUTDIAL_LOG_LEVEL)').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']))
  .action(serve);

const clientOptions = (command: Command): Command =>
  command
    .option('--endpoint <url>', 'outdial server URL (env OUTDIAL_ENDPOINT)')
    .option('--instance <id>', 'instance id or ARN (default: the demo instance)')
    .option('--region <region>', 'region to sign requests for', 'us-east-1');

clientOptions(
  program
    .command('call')
    .description('place a call with StartOutboundVoiceContact and follow the contact until it ends')
    .argument('<number>', 'destination, E.164 (+12065550100)')
    .option('--flow <id|name>', 'contact flow id, ARN or name (default: the demo flow)')
    .option('--queue <id>', "queue id whose outbound caller ID is used")
    .option('--from <number>', 'source phone number claimed by the instance')
    .option('--attr <key=value>', 'contact attribute, repeatable', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--ring-timeout <seconds>', 'RingTimeoutInSeconds (15-60)', integer)
    .option('--no-follow', 'print the ContactId and return without following the contact'),
).action((number: string, options: ClientOptions & Record<string, unknown>) => runCall(number, options));

clientOptions(
  program
    .command('contact')
    .description('describe a contact (DescribeContact) as JSON, or print its flow log')
    .argument('<contact-id>')
    .option('--trace', "print the contact's flow log, action by action, instead"),
).action((id: string, options: ClientOptions) => runContact(id, options));

clientOptions(
  program
    .command('recordings')
    .description("download a contact's call recordings (stereo WAV), as DescribeContact lists them")
    .command('get')
    .description("download a contact's recordings to a file: one per recording, numbered when there are several")
    .argument('<contact-id>')
    .option('--out <file>', 'where to write (default: <contact-id>.wav)'),
).action(async (id: string, options: ClientOptions & { out?: string }) => void (await runRecordingsGet(id, options)));

registerWebhookCommands(program);

const flow = program.command('flow').description('test and trace contact flows offline, in virtual time (no server)');

flow
  .command('test')
  .description("run Amazon Connect test cases (the testing language) against a flow; exit code 0 only if all pass")
  .argument('<flow.json>', 'flow-language document, or the DescribeContactFlow shape with Content')
  .argument('<test.json...>', "test case: the testing-language Content, or a CreateTestCase request")
  .option('--env <file>', 'JSON: queues, hoursOfOperation, flows, contact, startTime the flow may need')
  .option('--json', 'print the results as JSON')
  .action(async (flowFile: string, testFiles: string[], options: FlowTestOptions) => (await flowCommands()).runFlowTest(flowFile, testFiles, options));

flow
  .command('run')
  .description('trace a flow on one simulated call, without assertions')
  .argument('<flow.json>', 'flow-language document, or the DescribeContactFlow shape with Content')
  .option('--callee <script>', 'callee script as JSON (docs/simulated-network.md); default: answers and stays on the line')
  .option('--attr <key=value>', 'contact attribute, repeatable', (v: string, all: string[]) => [...all, v], [] as string[])
  .option('--env <file>', 'JSON: queues, hoursOfOperation, flows, contact, startTime the flow may need')
  .option('--json', 'print the trace as JSON')
  .action(async (flowFile: string, options: FlowRunOptions) => (await flowCommands()).runFlowRun(flowFile, options));

/** An AWS error by its code and message, as the AWS CLI prints it; anything else by its message. */
function describeError(error: unknown): string {
  if (error instanceof Error) return '$fault' in error ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`outdial: ${describeError(error)}\n`);
  process.exitCode = 1;
}
