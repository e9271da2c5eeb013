/**
 * `outdial call` and `outdial contact` as a user runs them, against a real `outdial serve` process. The
 * tests are independent of each other, so a few run at a time against the one server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ConnectClient, CreateContactFlowCommand, DescribeContactCommand } from '@aws-sdk/client-connect';
import { DEMO } from '../../src/services/seed.js';
import { connectClient, runOutdial, startServer, type RunResult, type ServerProcess } from '../helpers/server-process.js';

const CONTACT_LINE = /^contact ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';

/** The ContactId from the first line of `outdial call`'s output. */
function contactIdOf(result: RunResult): string {
  const first = result.stdout.split('\n')[0] ?? '';
  const match = CONTACT_LINE.exec(first);
  assert.ok(match?.[1], `expected "contact <id>" first, got:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return match[1];
}

/** The progress lines after the contact line, without their timestamps. */
function steps(result: RunResult): string[] {
  return result.stdout
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.replace(new RegExp(` at ${ISO}`), ''));
}

describe('the outdial call and contact commands', { concurrency: 3 }, () => {
  let server: ServerProcess;
  let connect: ConnectClient;

  const outdial = (...args: string[]): Promise<RunResult> => runOutdial([...args, '--endpoint', server.url]);

  before(async () => {
    server = await startServer({ config: { rateLimitDisabled: true, logLevel: 'warn', network: { speed: 50 } } });
    connect = connectClient(server.url);
  });

  after(async () => {
    connect?.destroy();
    await server?.cleanup();
  });

  it('outdial call +12065550100 prints the contact and each step until CONTACT_FLOW_DISCONNECT', async () => {
    const result = await outdial('call', '+12065550100');
    assert.equal(result.code, 0, result.stderr);
    const contactId = contactIdOf(result);
    const lines = result.stdout.trimEnd().split('\n');
    for (const line of lines.slice(1)) assert.match(line, new RegExp(`^  \\w+ at ${ISO}`));
    assert.deepEqual(steps(result), ['  initiated', '  ringing', '  connected', '  disconnected (CONTACT_FLOW_DISCONNECT)']);

    const { Contact: contact } = await connect.send(new DescribeContactCommand({ InstanceId: DEMO.instanceId, ContactId: contactId }));
    assert.equal(contact?.DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
    assert.equal(contact?.DisconnectTimestamp?.toISOString(), /disconnected at (\S+)/.exec(result.stdout)?.[1]);
  });

  it('outdial contact --trace prints what the flow did, action by action', async () => {
    const contactId = contactIdOf(await outdial('call', '+12065550100'));
    const result = await outdial('contact', contactId, '--trace');
    assert.equal(result.code, 0, result.stderr);
    const kinds = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split(/\s+/).slice(1, 3).join(' '));
    assert.deepEqual(kinds, [
      'EventReceived -',
      'ActionEntered greet',
      'EventReceived greet',
      'BranchTaken greet',
      'ActionEntered hang-up',
      'FlowEnded hang-up',
    ]);
    for (const line of result.stdout.trimEnd().split('\n')) assert.match(line, new RegExp(`^${ISO}  `));
  });

  it('outdial call +12065550103 reports the busy line as TELECOM_BUSY', async () => {
    const result = await outdial('call', '+12065550103');
    assert.equal(result.code, 0, result.stderr);
    contactIdOf(result);
    assert.deepEqual(steps(result), ['  initiated', '  ringing', '  disconnected (TELECOM_BUSY)']);
  });

  it('outdial call +447700900123 exits non-zero naming DestinationNotAllowedException on stderr', async () => {
    const result = await outdial('call', '+447700900123');
    assert.notEqual(result.code, 0);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /Outbound calls to \+447 numbers are blocked for the instance\./);
    assert.match(result.stderr, /DestinationNotAllowed/, `stderr names no error code:\n${result.stderr}`);
  });

  it('outdial call --attr a=1 --attr b=2 sets attributes that outdial contact shows', async () => {
    const call = await outdial('call', '+12065550100', '--attr', 'a=1', '--attr', 'b=2', '--no-follow');
    assert.equal(call.code, 0, call.stderr);
    const contactId = contactIdOf(call);
    assert.equal(call.stdout, `contact ${contactId}\n`, '--no-follow prints only the contact line');

    const shown = await outdial('contact', contactId);
    assert.equal(shown.code, 0, shown.stderr);
    const contact = JSON.parse(shown.stdout) as { Id?: string; Attributes?: Record<string, string>; CustomerEndpoint?: unknown };
    assert.equal(contact.Id, contactId);
    assert.deepEqual(contact.Attributes, { a: '1', b: '2' });
    assert.deepEqual(contact.CustomerEndpoint, { Type: 'TELEPHONE_NUMBER', Address: '+12065550100' });
  });

  it('outdial call --flow "Demo outbound flow" resolves the flow by name', async () => {
    const result = await outdial('call', '+12065550100', '--flow', 'Demo outbound flow');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /disconnected at \S+ \(CONTACT_FLOW_DISCONNECT\)/);
  });

  it('outdial call --flow <name> places the call with the flow of that name', async () => {
    // A saved (unpublished) flow is refused with its id in the message, which shows which flow the name picked.
    const draft = await connect.send(
      new CreateContactFlowCommand({
        InstanceId: DEMO.instanceId,
        Name: 'Draft reminder',
        Type: 'CONTACT_FLOW',
        Status: 'SAVED',
        Content: '{}',
      }),
    );
    const result = await outdial('call', '+12065550100', '--flow', 'Draft reminder');
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, new RegExp(`Contact flow ${draft.ContactFlowId} is saved but not published`));
  });

  it('outdial call --flow with a name no flow has exits non-zero', async () => {
    const result = await outdial('call', '+12065550100', '--flow', 'No such flow');
    assert.notEqual(result.code, 0);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, new RegExp(`no contact flow named "No such flow" in instance ${DEMO.instanceId}`));
  });

  it('outdial contact with an unknown id exits non-zero', async () => {
    const unknown = '99999999-0000-4000-a000-000000000000';
    const result = await outdial('contact', unknown);
    assert.notEqual(result.code, 0);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, new RegExp(`Contact not found: ${unknown}`));
  });

  it('outdial contact finds the server through OUTDIAL_ENDPOINT', async () => {
    const call = await outdial('call', '+12065550103', '--no-follow');
    const contactId = contactIdOf(call);
    const result = await runOutdial(['contact', contactId], { env: { OUTDIAL_ENDPOINT: server.url } });
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { Id?: string }).Id, contactId);
  });
});
