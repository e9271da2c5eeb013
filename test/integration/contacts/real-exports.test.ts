/**
 * The five real flow exports in test/fixtures/flows/ are created with CreateContactFlow as they are and
 * run on answered calls on the simulated network: each contact ends with a recorded reason (or waits in a
 * queue) and its flow log shows the flow starting at its StartAction. Their Lambda functions, modules and
 * placeholders are not available here, so they take their error branches, as they would on an instance
 * without them.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { describeContact, ok, ops, startCall } from '../../helpers/connect.js';
import { DEMO, startTestApp, type TestApp } from '../../helpers/test-app.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/flows');

/** The flow-language content of a fixture: a raw export, or DescribeContactFlow's shape with Content as a string. */
function contentOf(file: string): { content: string; startAction: string } {
  const json = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { Content?: string; StartAction?: string };
  const content = typeof json.Content === 'string' ? json.Content : JSON.stringify(json);
  return { content, startAction: (JSON.parse(content) as { StartAction: string }).StartAction };
}

describe('real flow exports on the simulated network', () => {
  let app: TestApp;
  afterEach(() => app?.close());

  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
    it(`runs ${file} from its StartAction to an end`, async () => {
      app = await startTestApp();
      const { content, startAction } = contentOf(file);
      const created = ok(await app.request(ops.createContactFlow(DEMO.instanceId, { Name: file, Content: content })));
      const contactId = await startCall(app, '+12065550100', { ContactFlowId: created.ContactFlowId, Attributes: { customerName: 'Ada' } });
      await app.advance(120_000);

      const contact = await describeContact(app, contactId);
      assert.ok(
        contact.DisconnectReason !== undefined || contact.QueueInfo?.EnqueueTimestamp !== undefined,
        `the contact neither ended nor queued: ${JSON.stringify(contact)}`,
      );
      const { FlowLog } = ok(await app.request({ method: 'GET', path: `/outdial/contacts/${DEMO.instanceId}/${contactId}/flow-log` }));
      const entered = (FlowLog as { kind: string; actionId: string }[]).filter((e) => e.kind === 'ActionEntered');
      assert.equal(entered[0]?.actionId, startAction);
      assert.ok((FlowLog as { kind: string }[]).some((e) => e.kind === 'FlowEnded'), 'the log records how the flow ended');
    });
  }
});
