import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ok, ops, pluck } from '../../helpers/connect.js';
import { startTestApp } from '../../helpers/test-app.js';

const FLOW = {
  Version: '2019-10-30',
  StartAction: 'bye',
  Actions: [{ Identifier: 'bye', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} }],
};

const ACME = {
  alias: 'acme',
  maxConcurrentCalls: 3,
  hoursOfOperation: [{ name: 'Office', timeZone: 'America/New_York' }],
  phoneNumbers: [{ number: '+12065550142', description: 'reminders caller ID' }],
  flows: [{ name: 'Reminder', content: FLOW }],
  queues: [
    { name: 'Reminders', hoursOfOperation: 'Office', outboundCallerIdName: 'ACME', outboundCallerIdNumber: '+12065550142' },
  ],
};

describe('instances declared in config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outdial-declared-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('are created with their hours, numbers, flows and queues, and place calls', async () => {
    const app = await startTestApp({ instances: [ACME] });
    try {
      const instances = ok(await app.request(ops.listInstances())).InstanceSummaryList as { Id: string; InstanceAlias: string }[];
      const acme = instances.find((i) => i.InstanceAlias === 'acme');
      assert.ok(acme, 'the declared instance is listed');
      const queues = ok(await app.request(ops.listQueues(acme.Id))).QueueSummaryList;
      assert.deepEqual(pluck(queues, 'Name'), ['Reminders']);
      const queueId = (queues as { Id: string }[])[0]!.Id;
      const queue = ok(await app.request(ops.describeQueue(acme.Id, queueId))).Queue;
      assert.equal(queue.OutboundCallerConfig.OutboundCallerIdName, 'ACME');
      const flows = ok(await app.request(ops.listContactFlows(acme.Id))).ContactFlowSummaryList;
      assert.deepEqual(pluck(flows, 'Name'), ['Reminder']);

      const started = ok(
        await app.request(
          ops.startOutboundVoiceContact({
            InstanceId: acme.Id,
            ContactFlowId: (flows as { Id: string }[])[0]!.Id,
            QueueId: queueId,
            DestinationPhoneNumber: '+12065550100',
          }),
        ),
      );
      const contact = ok(await app.request(ops.describeContact(started.ContactId, acme.Id))).Contact;
      assert.equal(contact.SystemEndpoint.Address, '+12065550142', 'the queue number is the caller ID');
    } finally {
      await app.close();
    }
  });

  it('are not created twice when the server restarts on the same store', async () => {
    const db = join(dir, 'declared.db');
    const first = await startTestApp({ instances: [ACME] }, { db });
    await first.close();
    const second = await startTestApp({ instances: [ACME] }, { db });
    try {
      const instances = ok(await second.request(ops.listInstances())).InstanceSummaryList;
      assert.deepEqual(pluck(instances, 'InstanceAlias').sort(), ['acme', 'demo']);
      const acmeId = (instances as { Id: string; InstanceAlias: string }[]).find((i) => i.InstanceAlias === 'acme')!.Id;
      const numbers = ok(await second.request(ops.listPhoneNumbers(acmeId))).PhoneNumberSummaryList;
      assert.deepEqual(pluck(numbers, 'PhoneNumber'), ['+12065550142']);
    } finally {
      await second.close();
    }
  });

  it('refuse to start when a queue names hours of operation the instance does not declare', async () => {
    const broken = { ...ACME, alias: 'broken', queues: [{ name: 'Q', hoursOfOperation: 'Nowhere' }] };
    await assert.rejects(startTestApp({ instances: [broken] }), /queue Q of instance broken: no hours of operation named Nowhere/);
  });
});
