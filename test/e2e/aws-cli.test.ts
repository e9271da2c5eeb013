/**
 * The AWS CLI v2 against a real outdial process: `aws connect …` with `--endpoint-url`, the local keys in
 * the environment and nothing from the machine's own AWS configuration. Setup and checks go through the
 * SDK so each test exercises one CLI command.
 *
 * The Debian package's /usr/bin/aws is preferred over whatever `aws` is first on PATH (often a pyenv shim
 * for CLI v1). With no AWS CLI v2 installed, every test here fails with a message saying so.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type ConnectClient,
  DescribeContactCommand,
  DescribeContactFlowCommand,
  GetContactAttributesCommand,
  ListPhoneNumbersV2Command,
  StartOutboundVoiceContactCommand,
  type StartOutboundVoiceContactCommandInput,
} from '@aws-sdk/client-connect';
import { DEMO } from '../../src/services/seed.js';
import {
  connectClient,
  LOCAL_CREDENTIALS,
  run,
  startServer,
  tempDir,
  waitFor,
  type RunResult,
  type ServerProcess,
} from '../helpers/server-process.js';

const DEMO_INSTANCE_ARN = `arn:aws:connect:us-east-1:000000000000:instance/${DEMO.instanceId}`;

/** /usr/bin/aws if present, else the first `aws` on PATH; fails unless it is the AWS CLI v2. */
function findAwsCliV2(): string {
  const candidates = ['/usr/bin/aws', ...(process.env.PATH ?? '').split(':').filter(Boolean).map((dir) => join(dir, 'aws'))];
  const binary = candidates.find((path) => existsSync(path));
  if (binary === undefined) {
    assert.fail('no AWS CLI found: install AWS CLI v2 (Debian: apt-get install awscli) so that /usr/bin/aws exists');
  }
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  const text = `${version.stdout ?? ''}${version.stderr ?? ''}`.trim();
  if (!text.startsWith('aws-cli/2.')) {
    assert.fail(`${binary} is not the AWS CLI v2 (it reports "${text || version.error?.message}"); install AWS CLI v2 at /usr/bin/aws`);
  }
  return binary;
}

function json(result: RunResult): Record<string, unknown> {
  assert.equal(result.code, 0, `aws exited ${result.code}\nstderr:\n${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe('outdial through the AWS CLI v2', () => {
  let aws: string;
  let server: ServerProcess;
  let connect: ConnectClient;
  let home: string;

  /** Runs `aws connect <args>` against the server, isolated from the machine's AWS config. */
  const awsConnect = (...args: string[]): Promise<RunResult> =>
    run(aws, ['--endpoint-url', server.url, '--output', 'json', 'connect', ...args], {
      cwd: home,
      env: {
        HOME: home,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: join(home, 'no-such-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-such-credentials'),
        AWS_MAX_ATTEMPTS: '1',
        AWS_RETRY_MODE: 'standard',
        AWS_PAGER: '',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });

  const demoCall = (overrides: Partial<StartOutboundVoiceContactCommandInput> = {}): StartOutboundVoiceContactCommandInput => ({
    InstanceId: DEMO.instanceId,
    ContactFlowId: DEMO.flowId,
    QueueId: DEMO.queueId,
    DestinationPhoneNumber: '+12065550100',
    ...overrides,
  });

  const startWithSdk = async (overrides: Partial<StartOutboundVoiceContactCommandInput> = {}): Promise<string> =>
    (await connect.send(new StartOutboundVoiceContactCommand(demoCall(overrides)))).ContactId ?? assert.fail('no ContactId');

  before(async () => {
    aws = findAwsCliV2();
    home = tempDir('outdial-aws-cli-');
    // Speed 5: a demo call ends in under half a second, a never-answered one rings for 12 s.
    server = await startServer({ config: { rateLimitDisabled: true, logLevel: 'warn', network: { speed: 5 } } });
    connect = connectClient(server.url);
  });

  after(async () => {
    connect?.destroy();
    await server?.cleanup();
    if (home !== undefined) rmSync(home, { recursive: true, force: true });
  });

  it('start-outbound-voice-contact with the demo ids returns a ContactId for a contact with the given attributes', async () => {
    const output = json(
      await awsConnect(
        'start-outbound-voice-contact',
        '--instance-id', DEMO.instanceId,
        '--contact-flow-id', DEMO.flowId,
        '--queue-id', DEMO.queueId,
        '--destination-phone-number', '+12065550100',
        '--attributes', 'campaign=spring,customer=42',
      ),
    );
    const contactId = String(output.ContactId);
    assert.match(contactId, /^[0-9a-f-]{36}$/);
    const { Contact: contact } = await connect.send(new DescribeContactCommand({ InstanceId: DEMO.instanceId, ContactId: contactId }));
    assert.equal(contact?.Id, contactId);
    assert.deepEqual(contact?.CustomerEndpoint, { Type: 'TELEPHONE_NUMBER', Address: '+12065550100' });
    assert.deepEqual(contact?.Attributes, { campaign: 'spring', customer: '42' });
  });

  it('describe-contact prints the contact with ISO timestamps', async () => {
    const contactId = await startWithSdk();
    const ended = await waitFor('the demo call to end', async () => {
      const { Contact: c } = await connect.send(new DescribeContactCommand({ InstanceId: DEMO.instanceId, ContactId: contactId }));
      return c?.DisconnectTimestamp;
    });
    const { Contact: contact } = json(await awsConnect('describe-contact', '--instance-id', DEMO.instanceId, '--contact-id', contactId)) as {
      Contact: Record<string, unknown>;
    };
    assert.equal(contact.Id, contactId);
    assert.equal(contact.Channel, 'VOICE');
    assert.equal(contact.InitiationMethod, 'API');
    // CLI 2.9's model predates DisconnectReason and the endpoint members, so the CLI leaves them out.
    assert.equal(new Date(String(contact.DisconnectTimestamp)).getTime(), ended.getTime());
    assert.ok(Date.parse(String(contact.InitiationTimestamp)) <= ended.getTime());
    assert.equal((contact.QueueInfo as { Id?: string } | undefined)?.Id, DEMO.queueId);
  });

  it('list-instances lists the demo instance', async () => {
    const { InstanceSummaryList } = json(await awsConnect('list-instances')) as { InstanceSummaryList: Record<string, unknown>[] };
    const demo = InstanceSummaryList.find((i) => i.Id === DEMO.instanceId);
    assert.equal(demo?.InstanceAlias, 'demo');
    assert.equal(demo?.Arn, DEMO_INSTANCE_ARN);
    assert.equal(demo?.InstanceStatus, 'ACTIVE');
  });

  it('list-queues accepts an instance ARN for --instance-id', async () => {
    const { QueueSummaryList } = json(await awsConnect('list-queues', '--instance-id', DEMO_INSTANCE_ARN)) as {
      QueueSummaryList: Record<string, unknown>[];
    };
    assert.deepEqual(
      QueueSummaryList.map((q) => [q.Id, q.Name]),
      [[DEMO.queueId, 'BasicQueue']],
    );
  });

  it('list-contact-flows lists the demo flow', async () => {
    const { ContactFlowSummaryList } = json(await awsConnect('list-contact-flows', '--instance-id', DEMO.instanceId)) as {
      ContactFlowSummaryList: Record<string, unknown>[];
    };
    const demo = ContactFlowSummaryList.find((f) => f.Id === DEMO.flowId);
    assert.equal(demo?.Name, 'Demo outbound flow');
    assert.equal(demo?.ContactFlowType, 'CONTACT_FLOW');
  });

  it('create-contact-flow reads --content from a file', async () => {
    const content = JSON.stringify({
      Version: '2019-10-30',
      StartAction: 'bye',
      Actions: [{ Identifier: 'bye', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} }],
    });
    const file = join(home, 'flow.json');
    writeFileSync(file, content);
    const output = json(
      await awsConnect(
        'create-contact-flow',
        '--instance-id', DEMO.instanceId,
        '--name', 'From the CLI',
        '--type', 'CONTACT_FLOW',
        '--content', `file://${file}`,
      ),
    );
    assert.match(String(output.ContactFlowId), /^[0-9a-f-]{36}$/);
    assert.equal(output.ContactFlowArn, `${DEMO_INSTANCE_ARN}/contact-flow/${String(output.ContactFlowId)}`);
    const { ContactFlow } = await connect.send(
      new DescribeContactFlowCommand({ InstanceId: DEMO.instanceId, ContactFlowId: String(output.ContactFlowId) }),
    );
    assert.equal(ContactFlow?.Name, 'From the CLI');
    assert.equal(ContactFlow?.Content, content);
  });

  it('claim-phone-number claims a number for the instance named by --target-arn', async () => {
    const output = json(await awsConnect('claim-phone-number', '--target-arn', DEMO_INSTANCE_ARN, '--phone-number', '+12065550161'));
    assert.match(String(output.PhoneNumberId), /^[0-9a-f-]{36}$/);
    const { ListPhoneNumbersSummaryList } = await connect.send(new ListPhoneNumbersV2Command({ TargetArn: DEMO_INSTANCE_ARN }));
    const claimed = ListPhoneNumbersSummaryList?.find((n) => n.PhoneNumber === '+12065550161');
    assert.equal(claimed?.PhoneNumberId, output.PhoneNumberId);
    assert.equal(claimed?.PhoneNumberArn, output.PhoneNumberArn);
  });

  it('stop-contact ends a ringing contact', async () => {
    const contactId = await startWithSdk({ DestinationPhoneNumber: '+12065550104' }); // never answers
    const result = await awsConnect('stop-contact', '--instance-id', DEMO.instanceId, '--contact-id', contactId);
    assert.equal(result.code, 0, result.stderr);
    const { Contact: contact } = await connect.send(new DescribeContactCommand({ InstanceId: DEMO.instanceId, ContactId: contactId }));
    assert.equal(contact?.DisconnectReason, 'OTHER');
    assert.ok(contact?.DisconnectTimestamp instanceof Date);
  });

  it('get-contact-attributes prints the contact attributes', async () => {
    const contactId = await startWithSdk({ Attributes: { tier: 'gold', visits: '3' } });
    const output = json(await awsConnect('get-contact-attributes', '--instance-id', DEMO.instanceId, '--initial-contact-id', contactId));
    assert.deepEqual(output, { Attributes: { tier: 'gold', visits: '3' } });
  });

  it('update-contact-attributes merges attributes into the contact', async () => {
    const contactId = await startWithSdk({ Attributes: { tier: 'gold' } });
    const result = await awsConnect(
      'update-contact-attributes',
      '--instance-id', DEMO.instanceId,
      '--initial-contact-id', contactId,
      '--attributes', 'tier=platinum,note=called',
    );
    assert.equal(result.code, 0, result.stderr);
    const { Attributes } = await connect.send(new GetContactAttributesCommand({ InstanceId: DEMO.instanceId, InitialContactId: contactId }));
    assert.deepEqual(Attributes, { tier: 'platinum', note: 'called' });
  });

  describe('errors', () => {
    const start = (instanceId: string, destination: string): Promise<RunResult> =>
      awsConnect(
        'start-outbound-voice-contact',
        '--instance-id', instanceId,
        '--contact-flow-id', DEMO.flowId,
        '--queue-id', DEMO.queueId,
        '--destination-phone-number', destination,
      );

    it('a destination that is not E.164 exits 254 with InvalidParameterException', async () => {
      const result = await start(DEMO.instanceId, '2065550100');
      assert.equal(result.code, 254, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /An error occurred \(InvalidParameterException\) when calling the StartOutboundVoiceContact operation/);
      assert.match(result.stderr, /Value '2065550100' at 'destinationPhoneNumber' failed to satisfy constraint/);
    });

    it('an unknown instance exits 254 with ResourceNotFoundException', async () => {
      const result = await start('99999999-0000-4000-a000-000000000000', '+12065550100');
      assert.equal(result.code, 254, result.stderr);
      assert.match(result.stderr, /An error occurred \(ResourceNotFoundException\) when calling the StartOutboundVoiceContact operation/);
      assert.match(result.stderr, /Instance not found: 99999999-0000-4000-a000-000000000000/);
    });

    it('a blocked UK mobile destination exits 254 with DestinationNotAllowedException', async () => {
      const result = await start(DEMO.instanceId, '+447700900123');
      assert.equal(result.code, 254, result.stderr);
      assert.match(result.stderr, /An error occurred \(DestinationNotAllowedException\) when calling the StartOutboundVoiceContact operation/);
      assert.match(result.stderr, /Outbound calls to \+447 numbers are blocked for the instance\./);
    });
  });
});
