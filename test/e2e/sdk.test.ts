/**
 * outdial as a real process, driven by @aws-sdk/client-connect exactly as a user's code would drive it:
 * the success path of all 21 operations, every modeled error of StartOutboundVoiceContact as the SDK
 * surfaces it, idempotency through ClientToken, and contacts followed to their end.
 *
 * InternalServiceException is not covered here: nothing a client sends can make a healthy server fail,
 * so it is covered in the integration tier, where a failing store can be swapped in.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  ClaimPhoneNumberCommand,
  type ConnectClient,
  type Contact,
  CreateContactFlowCommand,
  CreateHoursOfOperationCommand,
  CreateInstanceCommand,
  CreateQueueCommand,
  DescribeContactCommand,
  DescribeContactFlowCommand,
  DescribeInstanceCommand,
  DescribeQueueCommand,
  GetContactAttributesCommand,
  ListContactFlowsCommand,
  ListInstancesCommand,
  ListPhoneNumbersCommand,
  ListPhoneNumbersV2Command,
  ListQueuesCommand,
  paginateListInstances,
  paginateSearchContacts,
  SearchContactsCommand,
  type SearchContactsCommandInput,
  StartOutboundVoiceContactCommand,
  type StartOutboundVoiceContactCommandInput,
  StopContactCommand,
  UpdateContactAttributesCommand,
  UpdateContactFlowContentCommand,
  UpdateInstanceAttributeCommand,
} from '@aws-sdk/client-connect';
import { DEMO } from '../../src/services/seed.js';
import { connectClient, rejection, startServer, waitFor, type ServerProcess, type ServiceError } from '../helpers/server-process.js';

/** Concurrent calls each instance may have; small so LimitExceededException is cheap to reach. */
const CALL_QUOTA = 3;
const SPEED = 20; // a 60 s ring timeout lasts 3 s of real time; a demo call ends in about 0.1 s

const FLOW_CONTENT = JSON.stringify({
  Version: '2019-10-30',
  StartAction: 'bye',
  Actions: [{ Identifier: 'bye', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} }],
});

const ALWAYS_OPEN = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'].map((Day) => ({
  Day: Day as 'MONDAY',
  StartTime: { Hours: 0, Minutes: 0 },
  EndTime: { Hours: 0, Minutes: 0 },
}));


interface ExpectedError {
  name: string;
  status: number;
  fault: 'client' | 'server';
  message: string | RegExp;
}

async function assertServiceError(promise: Promise<unknown>, expected: ExpectedError): Promise<void> {
  assertIsServiceError(await rejection(promise), expected);
}

function assertIsServiceError(error: ServiceError, expected: ExpectedError): void {
  assert.equal(error.name, expected.name, `unexpected error: ${String(error.message)}`);
  assert.equal(error.$metadata.httpStatusCode, expected.status);
  assert.equal(error.$fault, expected.fault);
  if (typeof expected.message === 'string') assert.equal(error.message, expected.message);
  else assert.match(error.message, expected.message);
}

/** DescribeContact until the contact has a DisconnectTimestamp. */
async function contactAtEnd(connect: ConnectClient, instanceId: string, contactId: string): Promise<Contact> {
  return waitFor(
    `contact ${contactId} to end`,
    async () => {
      const { Contact: contact } = await connect.send(new DescribeContactCommand({ InstanceId: instanceId, ContactId: contactId }));
      return contact?.DisconnectTimestamp === undefined ? undefined : contact;
    },
    { timeoutMs: 15_000 },
  );
}

/** An instance built through the API: hours, a claimed number, a flow and a queue whose caller ID is that number. */
interface Provisioned {
  instanceId: string;
  instanceArn: string;
  hoursId: string;
  numberId: string;
  number: string;
  flowId: string;
  queueId: string;
}

let nextNumber = 150;
async function provision(connect: ConnectClient, alias: string): Promise<Provisioned> {
  const instance = await connect.send(
    new CreateInstanceCommand({
      IdentityManagementType: 'CONNECT_MANAGED',
      InstanceAlias: alias,
      InboundCallsEnabled: true,
      OutboundCallsEnabled: true,
    }),
  );
  const instanceId = instance.Id ?? assert.fail('CreateInstance returned no Id');
  const instanceArn = instance.Arn ?? assert.fail('CreateInstance returned no Arn');
  const hours = await connect.send(
    new CreateHoursOfOperationCommand({ InstanceId: instanceId, Name: 'Always', TimeZone: 'UTC', Config: ALWAYS_OPEN }),
  );
  const number = `+1206555${String(nextNumber++).padStart(4, '0')}`;
  const claimed = await connect.send(new ClaimPhoneNumberCommand({ TargetArn: instanceArn, PhoneNumber: number }));
  const flow = await connect.send(
    new CreateContactFlowCommand({ InstanceId: instanceId, Name: 'Outbound', Type: 'CONTACT_FLOW', Content: FLOW_CONTENT }),
  );
  const queue = await connect.send(
    new CreateQueueCommand({
      InstanceId: instanceId,
      Name: 'Outbound queue',
      HoursOfOperationId: hours.HoursOfOperationId,
      OutboundCallerConfig: { OutboundCallerIdName: alias, OutboundCallerIdNumberId: claimed.PhoneNumberId },
    }),
  );
  return {
    instanceId,
    instanceArn,
    hoursId: hours.HoursOfOperationId ?? assert.fail('no HoursOfOperationId'),
    numberId: claimed.PhoneNumberId ?? assert.fail('no PhoneNumberId'),
    number,
    flowId: flow.ContactFlowId ?? assert.fail('no ContactFlowId'),
    queueId: queue.QueueId ?? assert.fail('no QueueId'),
  };
}

const demoCall = (overrides: Partial<StartOutboundVoiceContactCommandInput> = {}): StartOutboundVoiceContactCommandInput => ({
  InstanceId: DEMO.instanceId,
  ContactFlowId: DEMO.flowId,
  QueueId: DEMO.queueId,
  DestinationPhoneNumber: '+12065550100',
  ...overrides,
});

describe('outdial through @aws-sdk/client-connect', () => {
  let server: ServerProcess;
  let connect: ConnectClient;

  before(async () => {
    server = await startServer({
      config: {
        rateLimitDisabled: true,
        logLevel: 'warn',
        network: { speed: SPEED },
        quotas: { concurrentActiveCallsPerInstance: CALL_QUOTA, instancesPerAccount: 20, phoneNumbersPerInstance: 10 },
      },
    });
    connect = connectClient(server.url);
  });

  after(async () => {
    connect?.destroy();
    await server?.cleanup();
  });

  /** Contacts started by the current test; each test waits for its calls to end so none holds a quota slot. */
  const placed: { instanceId: string; contactId: string }[] = [];
  afterEach(async () => {
    await Promise.all(placed.splice(0).map((c) => contactAtEnd(connect, c.instanceId, c.contactId)));
  });

  /** StartOutboundVoiceContact, remembering the contact so afterEach waits for its end. */
  async function place(input: StartOutboundVoiceContactCommandInput, client: ConnectClient = connect): Promise<string> {
    const { ContactId } = await client.send(new StartOutboundVoiceContactCommand(input));
    const contactId = ContactId ?? assert.fail('StartOutboundVoiceContact returned no ContactId');
    placed.push({ instanceId: input.InstanceId ?? '', contactId });
    return contactId;
  }

  describe('instances', () => {
    it('ListInstances lists the seeded demo instance', async () => {
      const { InstanceSummaryList } = await connect.send(new ListInstancesCommand({}));
      const demo = InstanceSummaryList?.find((i) => i.Id === DEMO.instanceId);
      assert.ok(demo, 'the demo instance is listed');
      assert.equal(demo.InstanceAlias, 'demo');
      assert.equal(demo.InstanceStatus, 'ACTIVE');
      assert.equal(demo.OutboundCallsEnabled, true);
      assert.ok(demo.CreatedTime instanceof Date);
    });

    it('paginateListInstances walks every instance one page at a time', async () => {
      await connect.send(
        new CreateInstanceCommand({
          IdentityManagementType: 'CONNECT_MANAGED',
          InstanceAlias: 'paged',
          InboundCallsEnabled: true,
          OutboundCallsEnabled: true,
        }),
      );
      const all = (await connect.send(new ListInstancesCommand({}))).InstanceSummaryList ?? [];
      const pages: number[] = [];
      const ids: string[] = [];
      for await (const page of paginateListInstances({ client: connect, pageSize: 1 }, {})) {
        pages.push(page.InstanceSummaryList?.length ?? 0);
        ids.push(...(page.InstanceSummaryList ?? []).map((i) => i.Id ?? ''));
      }
      assert.ok(all.length >= 2);
      assert.ok(pages.length >= all.length, `expected at least ${all.length} pages, got ${pages.length}`);
      assert.ok(pages.every((n) => n <= 1));
      assert.deepEqual(ids.sort(), all.map((i) => i.Id ?? '').sort());
    });

    it('CreateInstance returns an id and ARN that DescribeInstance shows as ACTIVE', async () => {
      const created = await connect.send(
        new CreateInstanceCommand({
          IdentityManagementType: 'CONNECT_MANAGED',
          InstanceAlias: 'created-by-sdk',
          InboundCallsEnabled: true,
          OutboundCallsEnabled: true,
          Tags: { team: 'e2e' },
        }),
      );
      assert.match(created.Id ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(created.Arn, `arn:aws:connect:us-east-1:000000000000:instance/${created.Id}`);

      const { Instance } = await connect.send(new DescribeInstanceCommand({ InstanceId: created.Id }));
      assert.equal(Instance?.Id, created.Id);
      assert.equal(Instance?.Arn, created.Arn);
      assert.equal(Instance?.InstanceAlias, 'created-by-sdk');
      assert.equal(Instance?.IdentityManagementType, 'CONNECT_MANAGED');
      assert.equal(Instance?.InstanceStatus, 'ACTIVE');
      assert.equal(Instance?.InboundCallsEnabled, true);
      assert.equal(Instance?.OutboundCallsEnabled, true);
      assert.deepEqual(Instance?.Tags, { team: 'e2e' });
      assert.ok(Instance?.CreatedTime instanceof Date);
      assert.ok(Math.abs(Instance.CreatedTime.getTime() - Date.now()) < 60_000 * SPEED);
    });

    it('DescribeInstance accepts the instance ARN as well as its id', async () => {
      const { Instance } = await connect.send(
        new DescribeInstanceCommand({ InstanceId: `arn:aws:connect:us-east-1:000000000000:instance/${DEMO.instanceId}` }),
      );
      assert.equal(Instance?.Id, DEMO.instanceId);
    });

    it('UpdateInstanceAttribute OUTBOUND_CALLS false turns outbound calling off', async () => {
      const created = await connect.send(
        new CreateInstanceCommand({
          IdentityManagementType: 'CONNECT_MANAGED',
          InstanceAlias: 'switch-off',
          InboundCallsEnabled: true,
          OutboundCallsEnabled: true,
        }),
      );
      const output = await connect.send(
        new UpdateInstanceAttributeCommand({ InstanceId: created.Id, AttributeType: 'OUTBOUND_CALLS', Value: 'false' }),
      );
      assert.equal(output.$metadata.httpStatusCode, 200);
      const { Instance } = await connect.send(new DescribeInstanceCommand({ InstanceId: created.Id }));
      assert.equal(Instance?.OutboundCallsEnabled, false);
      assert.equal(Instance?.InboundCallsEnabled, true);
    });
  });

  describe('hours, phone numbers, flows and queues', () => {
    let instanceId: string;
    let instanceArn: string;

    before(async () => {
      const created = await connect.send(
        new CreateInstanceCommand({
          IdentityManagementType: 'CONNECT_MANAGED',
          InstanceAlias: 'resources',
          InboundCallsEnabled: true,
          OutboundCallsEnabled: true,
        }),
      );
      instanceId = created.Id ?? assert.fail('no Id');
      instanceArn = created.Arn ?? assert.fail('no Arn');
    });

    it('CreateHoursOfOperation returns the new hours id and ARN', async () => {
      const hours = await connect.send(
        new CreateHoursOfOperationCommand({
          InstanceId: instanceId,
          Name: 'Office hours',
          Description: 'Weekdays',
          TimeZone: 'Europe/London',
          Config: [{ Day: 'MONDAY', StartTime: { Hours: 9, Minutes: 0 }, EndTime: { Hours: 17, Minutes: 30 } }],
        }),
      );
      assert.match(hours.HoursOfOperationId ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(hours.HoursOfOperationArn, `${instanceArn}/operating-hours/${hours.HoursOfOperationId}`);
    });

    it('ClaimPhoneNumber claims a number that ListPhoneNumbers and ListPhoneNumbersV2 then list', async () => {
      const claimed = await connect.send(
        new ClaimPhoneNumberCommand({ TargetArn: instanceArn, PhoneNumber: '+12065550177', PhoneNumberDescription: 'e2e line' }),
      );
      assert.match(claimed.PhoneNumberId ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(claimed.PhoneNumberArn, `arn:aws:connect:us-east-1:000000000000:phone-number/${claimed.PhoneNumberId}`);

      const v1 = await connect.send(new ListPhoneNumbersCommand({ InstanceId: instanceId }));
      assert.deepEqual(v1.PhoneNumberSummaryList, [
        {
          Id: claimed.PhoneNumberId,
          Arn: claimed.PhoneNumberArn,
          PhoneNumber: '+12065550177',
          PhoneNumberType: 'DID',
          PhoneNumberCountryCode: 'US',
        },
      ]);

      const v2 = await connect.send(new ListPhoneNumbersV2Command({ TargetArn: instanceArn }));
      assert.deepEqual(v2.ListPhoneNumbersSummaryList, [
        {
          PhoneNumberId: claimed.PhoneNumberId,
          PhoneNumberArn: claimed.PhoneNumberArn,
          PhoneNumber: '+12065550177',
          PhoneNumberCountryCode: 'US',
          PhoneNumberType: 'DID',
          TargetArn: instanceArn,
          InstanceId: instanceId,
          PhoneNumberDescription: 'e2e line',
        },
      ]);
    });

    it('ListPhoneNumbersV2 filters by prefix across instances', async () => {
      const { ListPhoneNumbersSummaryList } = await connect.send(new ListPhoneNumbersV2Command({ PhoneNumberPrefix: '+1800' }));
      assert.ok(ListPhoneNumbersSummaryList?.some((n) => n.PhoneNumber === DEMO.tollFreeNumber && n.PhoneNumberType === 'TOLL_FREE'));
      assert.ok(ListPhoneNumbersSummaryList?.every((n) => n.PhoneNumber?.startsWith('+1800')));
    });

    it('CreateContactFlow stores content that DescribeContactFlow returns and ListContactFlows lists', async () => {
      const created = await connect.send(
        new CreateContactFlowCommand({
          InstanceId: instanceId,
          Name: 'Reminder',
          Type: 'CONTACT_FLOW',
          Description: 'Appointment reminder',
          Content: FLOW_CONTENT,
        }),
      );
      assert.match(created.ContactFlowId ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(created.ContactFlowArn, `${instanceArn}/contact-flow/${created.ContactFlowId}`);

      const { ContactFlow } = await connect.send(new DescribeContactFlowCommand({ InstanceId: instanceId, ContactFlowId: created.ContactFlowId }));
      assert.equal(ContactFlow?.Id, created.ContactFlowId);
      assert.equal(ContactFlow?.Name, 'Reminder');
      assert.equal(ContactFlow?.Type, 'CONTACT_FLOW');
      assert.equal(ContactFlow?.Description, 'Appointment reminder');
      assert.equal(ContactFlow?.Status, 'PUBLISHED');
      assert.equal(ContactFlow?.State, 'ACTIVE');
      assert.equal(ContactFlow?.Content, FLOW_CONTENT);

      const { ContactFlowSummaryList } = await connect.send(new ListContactFlowsCommand({ InstanceId: instanceId }));
      assert.deepEqual(
        ContactFlowSummaryList?.find((f) => f.Id === created.ContactFlowId),
        {
          Id: created.ContactFlowId,
          Arn: created.ContactFlowArn,
          Name: 'Reminder',
          ContactFlowType: 'CONTACT_FLOW',
          ContactFlowState: 'ACTIVE',
          ContactFlowStatus: 'PUBLISHED',
        },
      );
    });

    it('UpdateContactFlowContent replaces the content DescribeContactFlow returns', async () => {
      const created = await connect.send(
        new CreateContactFlowCommand({ InstanceId: instanceId, Name: 'Changing', Type: 'CONTACT_FLOW', Content: FLOW_CONTENT }),
      );
      const updated = JSON.stringify({
        Version: '2019-10-30',
        StartAction: 'end',
        Actions: [{ Identifier: 'end', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} }],
      });
      const output = await connect.send(
        new UpdateContactFlowContentCommand({ InstanceId: instanceId, ContactFlowId: created.ContactFlowId, Content: updated }),
      );
      assert.equal(output.$metadata.httpStatusCode, 200);
      const { ContactFlow } = await connect.send(new DescribeContactFlowCommand({ InstanceId: instanceId, ContactFlowId: created.ContactFlowId }));
      assert.equal(ContactFlow?.Content, updated);
    });

    it('ListContactFlows filters by ContactFlowTypes', async () => {
      await connect.send(
        new CreateContactFlowCommand({ InstanceId: instanceId, Name: 'Whisper', Type: 'AGENT_WHISPER', Content: FLOW_CONTENT }),
      );
      const { ContactFlowSummaryList } = await connect.send(
        new ListContactFlowsCommand({ InstanceId: instanceId, ContactFlowTypes: ['AGENT_WHISPER'] }),
      );
      assert.deepEqual(
        ContactFlowSummaryList?.map((f) => [f.Name, f.ContactFlowType]),
        [['Whisper', 'AGENT_WHISPER']],
      );
    });

    it('CreateQueue with an OutboundCallerConfig is shown by DescribeQueue and listed by ListQueues', async () => {
      const hours = await connect.send(
        new CreateHoursOfOperationCommand({ InstanceId: instanceId, Name: 'Queue hours', TimeZone: 'UTC', Config: ALWAYS_OPEN }),
      );
      const number = await connect.send(new ClaimPhoneNumberCommand({ TargetArn: instanceArn, PhoneNumber: '+12065550178' }));
      const created = await connect.send(
        new CreateQueueCommand({
          InstanceId: instanceId,
          Name: 'Reminders',
          Description: 'Outbound reminders',
          HoursOfOperationId: hours.HoursOfOperationId,
          MaxContacts: 7,
          OutboundCallerConfig: { OutboundCallerIdName: 'Clinic', OutboundCallerIdNumberId: number.PhoneNumberId },
          Tags: { purpose: 'e2e' },
        }),
      );
      assert.match(created.QueueId ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(created.QueueArn, `${instanceArn}/queue/${created.QueueId}`);

      const { Queue } = await connect.send(new DescribeQueueCommand({ InstanceId: instanceId, QueueId: created.QueueId }));
      assert.equal(Queue?.QueueId, created.QueueId);
      assert.equal(Queue?.QueueArn, created.QueueArn);
      assert.equal(Queue?.Name, 'Reminders');
      assert.equal(Queue?.Description, 'Outbound reminders');
      assert.equal(Queue?.HoursOfOperationId, hours.HoursOfOperationId);
      assert.equal(Queue?.MaxContacts, 7);
      assert.equal(Queue?.Status, 'ENABLED');
      assert.deepEqual(Queue?.OutboundCallerConfig, { OutboundCallerIdName: 'Clinic', OutboundCallerIdNumberId: number.PhoneNumberId });
      assert.deepEqual(Queue?.Tags, { purpose: 'e2e' });
      assert.ok(Queue?.LastModifiedTime instanceof Date);

      const { QueueSummaryList } = await connect.send(new ListQueuesCommand({ InstanceId: instanceArn }));
      const summary = QueueSummaryList?.find((q) => q.Id === created.QueueId);
      assert.equal(summary?.Name, 'Reminders');
      assert.equal(summary?.Arn, created.QueueArn);
      assert.equal(summary?.QueueType, 'STANDARD');
    });
  });

  describe('contacts', () => {
    let site: Provisioned;

    before(async () => {
      site = await provision(connect, 'contacts');
    });

    it('StartOutboundVoiceContact returns a ContactId that DescribeContact describes with Date timestamps', async () => {
      const { ContactId } = await connect.send(
        new StartOutboundVoiceContactCommand({
          InstanceId: site.instanceId,
          ContactFlowId: site.flowId,
          QueueId: site.queueId,
          DestinationPhoneNumber: '+12065550104',
          Name: 'Reminder',
          Description: 'Dentist tomorrow',
          Attributes: { patient: '42' },
        }),
      );
      assert.match(ContactId ?? '', /^[0-9a-f-]{36}$/);

      const contact = await waitFor('the call to ring', async () => {
        const { Contact: c } = await connect.send(new DescribeContactCommand({ InstanceId: site.instanceId, ContactId }));
        return c?.RingStartTimestamp === undefined ? undefined : c;
      });
      assert.equal(contact.Id, ContactId);
      assert.equal(contact.Arn, `${site.instanceArn}/contact/${ContactId}`);
      assert.equal(contact.InitialContactId, ContactId);
      assert.equal(contact.Channel, 'VOICE');
      assert.equal(contact.InitiationMethod, 'API');
      assert.equal(contact.Name, 'Reminder');
      assert.equal(contact.Description, 'Dentist tomorrow');
      assert.deepEqual(contact.CustomerEndpoint, { Type: 'TELEPHONE_NUMBER', Address: '+12065550104' });
      assert.deepEqual(contact.SystemEndpoint, { Type: 'TELEPHONE_NUMBER', Address: site.number });
      assert.equal(contact.QueueInfo?.Id, site.queueId);
      assert.ok(contact.InitiationTimestamp instanceof Date);
      assert.ok(contact.RingStartTimestamp instanceof Date);
      assert.ok(contact.LastUpdateTimestamp instanceof Date);
      assert.ok(contact.RingStartTimestamp.getTime() >= contact.InitiationTimestamp.getTime());
      assert.equal(contact.DisconnectTimestamp, undefined);
      assert.deepEqual(contact.Attributes, { patient: '42' });

      await connect.send(new StopContactCommand({ InstanceId: site.instanceId, ContactId }));
    });

    it('StopContact ends a ringing contact with DisconnectReason OTHER', async () => {
      const { ContactId } = await connect.send(
        new StartOutboundVoiceContactCommand({
          InstanceId: site.instanceId,
          ContactFlowId: site.flowId,
          QueueId: site.queueId,
          DestinationPhoneNumber: '+12065550104',
        }),
      );
      const output = await connect.send(new StopContactCommand({ InstanceId: site.instanceId, ContactId }));
      assert.equal(output.$metadata.httpStatusCode, 200);

      const { Contact: contact } = await connect.send(new DescribeContactCommand({ InstanceId: site.instanceId, ContactId }));
      assert.ok(contact?.DisconnectTimestamp instanceof Date);
      assert.equal(contact.DisconnectReason, 'OTHER');
      assert.equal(contact.ConnectedToSystemTimestamp, undefined);
    });

    it('GetContactAttributes returns the attributes the contact was started with', async () => {
      const ContactId = await place(demoCall({ Attributes: { customerId: '42', note: '' } }));
      const { Attributes } = await connect.send(
        new GetContactAttributesCommand({ InstanceId: DEMO.instanceId, InitialContactId: ContactId }),
      );
      assert.deepEqual(Attributes, { customerId: '42', note: '' });
    });

    it('UpdateContactAttributes merges new attributes into existing ones', async () => {
      const ContactId = await place(demoCall({ Attributes: { a: '1', b: '2' } }));
      const output = await connect.send(
        new UpdateContactAttributesCommand({ InstanceId: DEMO.instanceId, InitialContactId: ContactId, Attributes: { b: 'two', c: '3' } }),
      );
      assert.equal(output.$metadata.httpStatusCode, 200);
      const { Attributes } = await connect.send(
        new GetContactAttributesCommand({ InstanceId: DEMO.instanceId, InitialContactId: ContactId }),
      );
      assert.deepEqual(Attributes, { a: '1', b: 'two', c: '3' });
    });

    it('a call to +12065550100 connects, runs the flow and ends with CONTACT_FLOW_DISCONNECT', async () => {
      const ContactId = await place(demoCall());
      const contact = await contactAtEnd(connect, DEMO.instanceId, ContactId);
      assert.equal(contact.DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
      assert.ok(contact.InitiationTimestamp instanceof Date);
      assert.ok(contact.RingStartTimestamp instanceof Date);
      assert.ok(contact.ConnectedToSystemTimestamp instanceof Date);
      assert.ok(contact.DisconnectTimestamp instanceof Date);
      assert.ok(contact.InitiationTimestamp <= contact.RingStartTimestamp);
      assert.ok(contact.RingStartTimestamp <= contact.ConnectedToSystemTimestamp);
      assert.ok(contact.ConnectedToSystemTimestamp <= contact.DisconnectTimestamp);
      assert.deepEqual(contact.SystemEndpoint, { Type: 'TELEPHONE_NUMBER', Address: DEMO.callerIdNumber });
    });

    it('a call to the busy number +12065550103 ends with TELECOM_BUSY without connecting', async () => {
      const ContactId = await place(demoCall({ DestinationPhoneNumber: '+12065550103' }));
      const contact = await contactAtEnd(connect, DEMO.instanceId, ContactId);
      assert.equal(contact.DisconnectReason, 'TELECOM_BUSY');
      assert.equal(contact.ConnectedToSystemTimestamp, undefined);
      assert.ok(contact.DisconnectTimestamp instanceof Date);
    });

    it('SearchContacts finds contacts by initiation time, name and queue, with Date timestamps, a page at a time', async () => {
      const Name = `search-${process.pid}-${Date.now()}`;
      const call = { InstanceId: site.instanceId, ContactFlowId: site.flowId, QueueId: site.queueId, DestinationPhoneNumber: '+12065550103', Name };
      const first = await place(call);
      const second = await place(call);
      // The engine clock runs SPEED times faster than real time: a day either side covers every contact.
      const DAY = 24 * 3600 * 1000;
      const input: SearchContactsCommandInput = {
        InstanceId: site.instanceArn,
        TimeRange: { Type: 'INITIATION_TIMESTAMP', StartTime: new Date(Date.now() - DAY), EndTime: new Date(Date.now() + DAY) },
        SearchCriteria: { Name: { SearchText: [Name], MatchType: 'MATCH_ALL' }, QueueIds: [site.queueId] },
        Sort: { FieldName: 'INITIATION_TIMESTAMP', Order: 'ASCENDING' },
      };

      const { Contacts, TotalCount, NextToken } = await connect.send(new SearchContactsCommand({ ...input, MaxResults: 1 }));
      assert.equal(TotalCount, 2);
      assert.equal(typeof NextToken, 'string');
      const [contact] = Contacts ?? [];
      assert.equal(contact?.Id, first);
      assert.equal(contact.Arn, `${site.instanceArn}/contact/${first}`);
      assert.equal(contact.InitialContactId, first);
      assert.equal(contact.Channel, 'VOICE');
      assert.equal(contact.InitiationMethod, 'API');
      assert.equal(contact.Name, Name);
      assert.equal(contact.QueueInfo?.Id, site.queueId);
      assert.ok(contact.InitiationTimestamp instanceof Date);

      const pages: string[][] = [];
      for await (const page of paginateSearchContacts({ client: connect, pageSize: 1 }, input)) {
        pages.push((page.Contacts ?? []).map((c) => c.Id ?? ''));
      }
      assert.deepEqual(pages, [[first], [second]]);
    });
  });

  describe('ClientToken', () => {
    it('the SDK fills in a different ClientToken for each call, so identical calls make different contacts', async () => {
      const tokens: string[] = [];
      const recording = connectClient(server.url);
      recording.middlewareStack.add(
        (next) => async (args) => {
          const body = (args.request as { body?: unknown }).body;
          const text = body instanceof Uint8Array ? new TextDecoder().decode(body) : String(body);
          tokens.push(String((JSON.parse(text) as { ClientToken?: unknown }).ClientToken));
          return next(args);
        },
        { step: 'build', name: 'recordClientToken' },
      );
      try {
        const first = await place(demoCall(), recording);
        const second = await place(demoCall(), recording);
        assert.equal(tokens.length, 2);
        assert.match(tokens[0] ?? '', /^[0-9a-f-]{36}$/);
        assert.notEqual(tokens[0], tokens[1]);
        assert.notEqual(first, second);
      } finally {
        recording.destroy();
      }
    });

    it('the same explicit ClientToken twice returns the same ContactId and places one call', async () => {
      const token = `e2e-${Date.now()}`;
      const first = await place(demoCall({ ClientToken: token }));
      const second = await place(demoCall({ ClientToken: token }));
      assert.equal(second, first);
      const third = await place(demoCall({ ClientToken: `${token}-other` }));
      assert.notEqual(third, first);
    });
  });

  describe('StartOutboundVoiceContact errors', () => {
    it('a destination that is not E.164 is InvalidParameterException (400)', async () => {
      await assertServiceError(connect.send(new StartOutboundVoiceContactCommand(demoCall({ DestinationPhoneNumber: '2065550100' }))), {
        name: 'InvalidParameterException',
        status: 400,
        fault: 'client',
        message:
          "1 validation error detected: Value '2065550100' at 'destinationPhoneNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\+[1-9]\\d{1,14}$",
      });
    });

    it('a call with neither SourcePhoneNumber nor QueueId is InvalidParameterException (400)', async () => {
      await assertServiceError(connect.send(new StartOutboundVoiceContactCommand(demoCall({ QueueId: undefined }))), {
        name: 'InvalidParameterException',
        status: 400,
        fault: 'client',
        message: 'Either SourcePhoneNumber or QueueId must be provided.',
      });
    });

    it('a flow that is saved but not published is InvalidRequestException (400)', async () => {
      const saved = await connect.send(
        new CreateContactFlowCommand({
          InstanceId: DEMO.instanceId,
          Name: 'Draft',
          Type: 'CONTACT_FLOW',
          Content: FLOW_CONTENT,
          Status: 'SAVED',
        }),
      );
      await assertServiceError(connect.send(new StartOutboundVoiceContactCommand(demoCall({ ContactFlowId: saved.ContactFlowId }))), {
        name: 'InvalidRequestException',
        status: 400,
        fault: 'client',
        message: `Contact flow ${saved.ContactFlowId} is saved but not published.`,
      });
    });

    it('a queue without an outbound caller ID number is InvalidRequestException (400)', async () => {
      const hours = await connect.send(
        new CreateHoursOfOperationCommand({ InstanceId: DEMO.instanceId, Name: 'No caller ID', TimeZone: 'UTC', Config: ALWAYS_OPEN }),
      );
      const queue = await connect.send(
        new CreateQueueCommand({ InstanceId: DEMO.instanceId, Name: 'No caller ID', HoursOfOperationId: hours.HoursOfOperationId }),
      );
      await assertServiceError(connect.send(new StartOutboundVoiceContactCommand(demoCall({ QueueId: queue.QueueId }))), {
        name: 'InvalidRequestException',
        status: 400,
        fault: 'client',
        message: `Queue ${queue.QueueId} has no outbound caller ID number.`,
      });
    });

    it('an unknown instance is ResourceNotFoundException (404)', async () => {
      const unknown = '99999999-0000-4000-a000-000000000000';
      await assertServiceError(connect.send(new StartOutboundVoiceContactCommand(demoCall({ InstanceId: unknown }))), {
        name: 'ResourceNotFoundException',
        status: 404,
        fault: 'client',
        message: `Instance not found: ${unknown}`,
      });
    });

    it('an unknown contact flow is ResourceNotFoundException (404)', async () => {
      const unknown = '99999999-0000-4000-a000-0000000000f1';
      await assertServiceError(connect.send(new StartOutboundVoiceContactCommand(demoCall({ ContactFlowId: unknown }))), {
        name: 'ResourceNotFoundException',
        status: 404,
        fault: 'client',
        message: `Contact flow not found: ${unknown}`,
      });
    });

    it('a SourcePhoneNumber the instance has not claimed is ResourceNotFoundException (404)', async () => {
      await assertServiceError(
        connect.send(new StartOutboundVoiceContactCommand(demoCall({ QueueId: undefined, SourcePhoneNumber: '+12065550188' }))),
        {
          name: 'ResourceNotFoundException',
          status: 404,
          fault: 'client',
          message: 'SourcePhoneNumber +12065550188 is not claimed by this instance.',
        },
      );
    });

    it('more live calls than the instance quota is LimitExceededException (429)', async () => {
      const site = await provision(connect, 'quota');
      const ringing = (): StartOutboundVoiceContactCommandInput => ({
        InstanceId: site.instanceId,
        ContactFlowId: site.flowId,
        QueueId: site.queueId,
        DestinationPhoneNumber: '+12065550104', // rings and never answers
      });
      const live: string[] = [];
      try {
        for (let i = 0; i < CALL_QUOTA; i++) {
          const { ContactId } = await connect.send(new StartOutboundVoiceContactCommand(ringing()));
          live.push(ContactId ?? '');
        }
        await assertServiceError(connect.send(new StartOutboundVoiceContactCommand(ringing())), {
          name: 'LimitExceededException',
          status: 429,
          fault: 'client',
          message: `The instance has reached its limit of ${CALL_QUOTA} concurrent active calls.`,
        });
      } finally {
        for (const ContactId of live) {
          await connect.send(new StopContactCommand({ InstanceId: site.instanceId, ContactId })).catch(() => undefined);
        }
      }
      // Stopping a call frees its place.
      const { ContactId } = await connect.send(new StartOutboundVoiceContactCommand(ringing()));
      await connect.send(new StopContactCommand({ InstanceId: site.instanceId, ContactId }));
    });

    it('a blocked UK mobile destination is DestinationNotAllowedException (403)', async () => {
      await assertServiceError(connect.send(new StartOutboundVoiceContactCommand(demoCall({ DestinationPhoneNumber: '+447700900123' }))), {
        name: 'DestinationNotAllowedException',
        status: 403,
        fault: 'client',
        message: 'Outbound calls to +447 numbers are blocked for the instance.',
      });
    });

    it('a country outside the allow-list is DestinationNotAllowedException (403)', async () => {
      await assertServiceError(connect.send(new StartOutboundVoiceContactCommand(demoCall({ DestinationPhoneNumber: '+4930123456' }))), {
        name: 'DestinationNotAllowedException',
        status: 403,
        fault: 'client',
        message: 'Outbound calls to +4930123456 are not allowed: the instance may call +1, +52, +44.',
      });
    });

    it('an instance with OUTBOUND_CALLS off is OutboundContactNotPermittedException (403)', async () => {
      const site = await provision(connect, 'outbound-off');
      await connect.send(new UpdateInstanceAttributeCommand({ InstanceId: site.instanceId, AttributeType: 'OUTBOUND_CALLS', Value: 'false' }));
      await assertServiceError(
        connect.send(
          new StartOutboundVoiceContactCommand({
            InstanceId: site.instanceId,
            ContactFlowId: site.flowId,
            QueueId: site.queueId,
            DestinationPhoneNumber: '+12065550100',
          }),
        ),
        {
          name: 'OutboundContactNotPermittedException',
          status: 403,
          fault: 'client',
          message: 'Outbound calls are not enabled for this instance (OUTBOUND_CALLS).',
        },
      );
    });
  });
});

describe('throttling through @aws-sdk/client-connect', () => {
  let server: ServerProcess;
  let connect: ConnectClient;

  before(async () => {
    server = await startServer({
      config: { logLevel: 'warn', network: { speed: SPEED }, rateLimit: { ratePerSecond: 1, burst: 2 } },
    });
    connect = connectClient(server.url, { maxAttempts: 1 });
  });

  after(async () => {
    connect?.destroy();
    await server?.cleanup();
  });

  it('a burst of StartOutboundVoiceContact calls beyond the rate limit is TooManyRequestsException (429)', async () => {
    const results = await Promise.allSettled([1, 2, 3].map(() => connect.send(new StartOutboundVoiceContactCommand(demoCall()))));
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(fulfilled.length, 2, 'the burst of 2 is admitted');
    assert.equal(rejected.length, 1);
    assertIsServiceError(rejected[0]?.reason as ServiceError, {
      name: 'TooManyRequestsException',
      status: 429,
      fault: 'client',
      message: 'Rate exceeded',
    });
  });
});
