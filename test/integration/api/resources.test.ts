import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { assertError, assertErrorCode, CALLEE, instanceArn, ok, ops, outboundCall, pluck, UUID, VALID_FLOW } from '../../helpers/connect.js';
import { ACCOUNT_ID, DEMO, startTestApp, type TestApp } from '../../helpers/test-app.js';

const ARN_PREFIX = `arn:aws:connect:us-east-1:${ACCOUNT_ID}`;

describe('resource operations', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(() => app.close());

  /** Creates an instance through the API and returns its id. */
  async function createInstance(alias: string, extra: Record<string, unknown> = {}): Promise<string> {
    const created = ok(await app.request(ops.createInstance({ InstanceAlias: alias, ...extra })));
    assert.match(created.Id, UUID);
    return created.Id as string;
  }

  /** Pages through a List operation and returns every item and the size of each page. */
  async function collect(
    page: (nextToken?: string) => Promise<{ items: { Id?: string; PhoneNumberId?: string }[]; next?: string }>,
  ): Promise<{ ids: string[]; sizes: number[] }> {
    const ids: string[] = [];
    const sizes: number[] = [];
    let token: string | undefined;
    for (let i = 0; i < 50; i++) {
      const { items, next } = await page(token);
      ids.push(...items.map((x) => x.Id ?? x.PhoneNumberId ?? ''));
      sizes.push(items.length);
      if (next === undefined) return { ids, sizes };
      token = next;
    }
    assert.fail('paging did not end');
  }

  describe('instances', () => {
    it('creates an instance that DescribeInstance shows with an instance ARN and an epoch-seconds CreatedTime', async () => {
      await app.advance(1_500);
      const created = ok(await app.request(ops.createInstance({ InstanceAlias: 'sales-east', Tags: { team: 'sales' } })));
      assert.equal(created.Arn, `${ARN_PREFIX}:instance/${created.Id}`);
      const instance = ok(await app.request(ops.describeInstance(created.Id))).Instance;
      assert.equal(instance.Id, created.Id);
      assert.equal(instance.Arn, created.Arn);
      assert.equal(instance.InstanceAlias, 'sales-east');
      assert.equal(instance.IdentityManagementType, 'CONNECT_MANAGED');
      assert.equal(instance.InstanceStatus, 'ACTIVE');
      assert.equal(instance.InboundCallsEnabled, true);
      assert.equal(instance.OutboundCallsEnabled, true);
      assert.deepEqual(instance.Tags, { team: 'sales' });
      assert.equal(typeof instance.CreatedTime, 'number');
      assert.equal(instance.CreatedTime, app.clock.now() / 1000);
    });

    it('refuses a second instance with the same alias with 400 InvalidRequestException', async () => {
      await createInstance('twin');
      assertError(await app.request(ops.createInstance({ InstanceAlias: 'twin' })), 400, 'InvalidRequestException', /twin/);
      assertError(await app.request(ops.createInstance({ InstanceAlias: DEMO.alias })), 400, 'InvalidRequestException');
    });

    it('refuses instances past quotas.instancesPerAccount with 402 ServiceQuotaExceededException', async () => {
      await app.close();
      app = await startTestApp({ quotas: { instancesPerAccount: 2 } });
      await createInstance('second');
      assertError(
        await app.request(ops.createInstance({ InstanceAlias: 'third' })),
        402,
        'ServiceQuotaExceededException',
        /instancesPerAccount/,
      );
      const listed = ok(await app.request(ops.listInstances())).InstanceSummaryList;
      assert.equal(listed.length, 2);
    });

    it('refuses EXISTING_DIRECTORY without a DirectoryId with 400 InvalidRequestException', async () => {
      const response = await app.request(ops.createInstance({ IdentityManagementType: 'EXISTING_DIRECTORY', InstanceAlias: undefined }));
      assertError(response, 400, 'InvalidRequestException', /DirectoryId/);
      const withDirectory = ok(
        await app.request(ops.createInstance({ IdentityManagementType: 'EXISTING_DIRECTORY', DirectoryId: 'd-0123456789' })),
      );
      const instance = ok(await app.request(ops.describeInstance(withDirectory.Id))).Instance;
      assert.equal(instance.IdentityManagementType, 'EXISTING_DIRECTORY');
    });

    it('answers DescribeInstance for an unknown instance with 404 ResourceNotFoundException', async () => {
      assertError(
        await app.request(ops.describeInstance('11111111-2222-4333-8444-555555555555')),
        404,
        'ResourceNotFoundException',
      );
    });

    it('pages ListInstances with MaxResults and NextToken until every instance was listed once', async () => {
      const created = [await createInstance('one'), await createInstance('two'), await createInstance('three'), await createInstance('four')];
      const { ids, sizes } = await collect(async (token) => {
        const page = ok(await app.request(ops.listInstances({ maxResults: '2', ...(token !== undefined && { nextToken: token }) })));
        return { items: page.InstanceSummaryList, next: page.NextToken };
      });
      assert.deepEqual(sizes, [2, 2, 1]);
      assert.deepEqual([...ids].sort(), [DEMO.instanceId, ...created].sort());
    });

    it('refuses a NextToken it did not issue with 400 InvalidRequestException', async () => {
      assertError(await app.request(ops.listInstances({ nextToken: 'not-a-token' })), 400, 'InvalidRequestException', /NextToken/);
    });

    it('refuses ListInstances MaxResults above 10 with 400 InvalidRequestException', async () => {
      assertError(await app.request(ops.listInstances({ maxResults: '11' })), 400, 'InvalidRequestException', /maxResults/);
    });

    it('turns outbound calls off with UpdateInstanceAttribute, so StartOutboundVoiceContact is refused with 403', async () => {
      ok(await app.request(ops.updateInstanceAttribute(DEMO.instanceId, 'OUTBOUND_CALLS', 'false')));
      assert.equal(ok(await app.request(ops.describeInstance(DEMO.instanceId))).Instance.OutboundCallsEnabled, false);
      assertError(
        await app.request(ops.startOutboundVoiceContact(outboundCall(CALLEE.answers))),
        403,
        'OutboundContactNotPermittedException',
      );
      ok(await app.request(ops.updateInstanceAttribute(DEMO.instanceId, 'OUTBOUND_CALLS', 'true')));
      ok(await app.request(ops.startOutboundVoiceContact(outboundCall(CALLEE.answers))));
    });

    it('refuses a call switch value other than true or false with 400 InvalidParameterException', async () => {
      assertError(
        await app.request(ops.updateInstanceAttribute(DEMO.instanceId, 'OUTBOUND_CALLS', 'maybe')),
        400,
        'InvalidParameterException',
      );
    });
  });

  describe('CreateInstance ClientToken', () => {
    it('answers a retried CreateInstance with the instance its first attempt created', async () => {
      const first = ok(await app.request(ops.createInstance({ InstanceAlias: 'retried', ClientToken: 'token-1' })));
      const again = ok(await app.request(ops.createInstance({ InstanceAlias: 'retried', ClientToken: 'token-1' })));
      assert.deepEqual(again, first);
      const aliases = pluck(ok(await app.request(ops.listInstances())).InstanceSummaryList, 'InstanceAlias');
      assert.equal(aliases.filter((a) => a === 'retried').length, 1);
    });

    it('creates one instance for concurrent requests with the same token', async () => {
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => app.request(ops.createInstance({ InstanceAlias: 'raced', ClientToken: 'token-2' }))),
      );
      const ids = new Set(answers.map((a) => ok(a).Id as string));
      assert.equal(ids.size, 1);
    });

    it('still refuses a taken alias under a new token', async () => {
      ok(await app.request(ops.createInstance({ InstanceAlias: 'taken', ClientToken: 'token-3' })));
      assertError(await app.request(ops.createInstance({ InstanceAlias: 'taken', ClientToken: 'token-4' })), 400, 'InvalidRequestException');
    });
  });

  describe('hours of operation', () => {
    it('creates hours of operation with an operating-hours ARN', async () => {
      const created = ok(await app.request(ops.createHoursOfOperation(DEMO.instanceId, { Name: 'Weekdays', TimeZone: 'America/New_York' })));
      assert.match(created.HoursOfOperationId, UUID);
      assert.equal(created.HoursOfOperationArn, `${ARN_PREFIX}:instance/${DEMO.instanceId}/operating-hours/${created.HoursOfOperationId}`);
    });

    it('refuses a time zone that is not IANA with 400 InvalidParameterException', async () => {
      assertError(
        await app.request(ops.createHoursOfOperation(DEMO.instanceId, { Name: 'Mars', TimeZone: 'Mars/Olympus_Mons' })),
        400,
        'InvalidParameterException',
        /Mars\/Olympus_Mons/,
      );
    });

    it('refuses a second set of hours with the same name with 409 DuplicateResourceException', async () => {
      assertError(await app.request(ops.createHoursOfOperation(DEMO.instanceId, { Name: 'Basic Hours' })), 409, 'DuplicateResourceException');
    });
  });

  describe('phone numbers', () => {
    it('claims a number by InstanceId and by TargetArn, with phone-number ARNs', async () => {
      const byId = ok(await app.request(ops.claimPhoneNumber({ InstanceId: DEMO.instanceId, PhoneNumber: '+12065550150' })));
      assert.equal(byId.PhoneNumberArn, `${ARN_PREFIX}:phone-number/${byId.PhoneNumberId}`);
      const byArn = ok(
        await app.request(ops.claimPhoneNumber({ TargetArn: instanceArn(DEMO.instanceId), PhoneNumber: '+12065550151' })),
      );
      assert.notEqual(byArn.PhoneNumberId, byId.PhoneNumberId);
      const listed = ok(await app.request(ops.listPhoneNumbersV2({ InstanceId: DEMO.instanceId }))).ListPhoneNumbersSummaryList;
      const numbers = pluck(listed, 'PhoneNumber').sort();
      assert.deepEqual(numbers, ['+12065550150', '+12065550151', DEMO.callerIdNumber, DEMO.tollFreeNumber].sort());
    });

    it('returns the same PhoneNumberId when the holding instance claims its number again', async () => {
      const again = ok(await app.request(ops.claimPhoneNumber({ InstanceId: DEMO.instanceId, PhoneNumber: DEMO.callerIdNumber })));
      assert.equal(again.PhoneNumberId, DEMO.callerIdNumberId);
    });

    it('refuses a number another instance holds with 400 InvalidParameterException', async () => {
      const other = await createInstance('other');
      assertError(
        await app.request(ops.claimPhoneNumber({ InstanceId: other, PhoneNumber: DEMO.callerIdNumber })),
        400,
        'InvalidParameterException',
        /already claimed/,
      );
      const listed = ok(await app.request(ops.listPhoneNumbers(other))).PhoneNumberSummaryList;
      assert.deepEqual(listed, []);
    });

    it('refuses a claim for an unknown instance with 404 ResourceNotFoundException', async () => {
      assertError(
        await app.request(ops.claimPhoneNumber({ InstanceId: 'no-such-instance', PhoneNumber: '+12065550152' })),
        404,
        'ResourceNotFoundException',
      );
    });

    it('filters ListPhoneNumbers by type and by country code', async () => {
      ok(await app.request(ops.claimPhoneNumber({ InstanceId: DEMO.instanceId, PhoneNumber: '+442071838750' })));
      const tollFree = ok(await app.request(ops.listPhoneNumbers(DEMO.instanceId, { phoneNumberTypes: 'TOLL_FREE' })))
        .PhoneNumberSummaryList;
      assert.deepEqual(tollFree, [
        {
          Id: DEMO.tollFreeNumberId,
          Arn: `${ARN_PREFIX}:phone-number/${DEMO.tollFreeNumberId}`,
          PhoneNumber: DEMO.tollFreeNumber,
          PhoneNumberType: 'TOLL_FREE',
          PhoneNumberCountryCode: 'US',
        },
      ]);
      const british = ok(await app.request(ops.listPhoneNumbers(DEMO.instanceId, { phoneNumberCountryCodes: 'GB' })))
        .PhoneNumberSummaryList;
      assert.deepEqual(
        (british as { PhoneNumber: string; PhoneNumberType: string }[]).map((n) => [n.PhoneNumber, n.PhoneNumberType]),
        [['+442071838750', 'DID']],
      );
      const both = ok(await app.request(ops.listPhoneNumbers(DEMO.instanceId, { phoneNumberTypes: ['TOLL_FREE', 'DID'], phoneNumberCountryCodes: ['US'] })))
        .PhoneNumberSummaryList;
      assert.deepEqual(pluck(both, 'PhoneNumber').sort(), [DEMO.callerIdNumber, DEMO.tollFreeNumber].sort());
    });

    it('filters ListPhoneNumbersV2 by prefix, with or without the plus sign', async () => {
      ok(await app.request(ops.claimPhoneNumber({ InstanceId: DEMO.instanceId, PhoneNumber: '+442071838750' })));
      for (const prefix of ['+44', '44', '+4420']) {
        const listed = ok(await app.request(ops.listPhoneNumbersV2({ TargetArn: instanceArn(DEMO.instanceId), PhoneNumberPrefix: prefix })))
          .ListPhoneNumbersSummaryList;
        assert.deepEqual(
          pluck(listed, 'PhoneNumber'),
          ['+442071838750'],
          prefix,
        );
        assert.equal(listed[0].TargetArn, instanceArn(DEMO.instanceId));
        assert.equal(listed[0].InstanceId, DEMO.instanceId);
        assert.equal(listed[0].PhoneNumberCountryCode, 'GB');
      }
      const none = ok(await app.request(ops.listPhoneNumbersV2({ InstanceId: DEMO.instanceId, PhoneNumberPrefix: '+33' })));
      assert.deepEqual(none.ListPhoneNumbersSummaryList, []);
    });

    it('pages ListPhoneNumbersV2 with MaxResults and NextToken', async () => {
      for (let i = 0; i < 3; i++) {
        ok(await app.request(ops.claimPhoneNumber({ InstanceId: DEMO.instanceId, PhoneNumber: `+1206555016${i}` })));
      }
      const { ids, sizes } = await collect(async (token) => {
        const page = ok(
          await app.request(ops.listPhoneNumbersV2({ InstanceId: DEMO.instanceId, MaxResults: 2, ...(token !== undefined && { NextToken: token }) })),
        );
        return { items: page.ListPhoneNumbersSummaryList, next: page.NextToken };
      });
      assert.deepEqual(sizes, [2, 2, 1]);
      assert.equal(new Set(ids).size, 5);
    });
  });

  describe('contact flows', () => {
    it('refuses PUBLISHED content that is not valid flow language with 400 InvalidContactFlowException listing the problems', async () => {
      const content = JSON.stringify({ Version: '2020-01-01', StartAction: 'nowhere', Actions: [{ Identifier: 'a' }, { Identifier: 'a' }] });
      const response = await app.request(ops.createContactFlow(DEMO.instanceId, { Name: 'Broken', Content: content }));
      assertErrorCode(response, 400, 'InvalidContactFlowException', /Version/);
      const problems = response.json.problems as { message: string }[];
      assert.ok(Array.isArray(problems));
      assert.ok(problems.length >= 3, JSON.stringify(problems));
      for (const p of problems) assert.equal(typeof p.message, 'string');
      const text = problems.map((p) => p.message).join('\n');
      assert.match(text, /Version/);
      assert.match(text, /nowhere/);
      assert.match(text, /"a"/, 'the duplicate identifier is named');
      const names = pluck(ok(await app.request(ops.listContactFlows(DEMO.instanceId))).ContactFlowSummaryList, 'Name');
      assert.ok(!names.includes('Broken'));
    });

    it('stores SAVED content without validating it', async () => {
      const created = ok(await app.request(ops.createContactFlow(DEMO.instanceId, { Name: 'Draft', Status: 'SAVED', Content: 'not json' })));
      const flow = ok(await app.request(ops.describeContactFlow(DEMO.instanceId, created.ContactFlowId))).ContactFlow;
      assert.equal(flow.Status, 'SAVED');
      assert.equal(flow.Content, 'not json');
    });

    it('refuses a second flow with the same name with 409 DuplicateResourceException', async () => {
      assertError(
        await app.request(ops.createContactFlow(DEMO.instanceId, { Name: 'Demo outbound flow' })),
        409,
        'DuplicateResourceException',
      );
    });

    it('describes a created flow with its contact-flow ARN, content hash and epoch-seconds LastModifiedTime', async () => {
      await app.advance(2_250);
      const created = ok(
        await app.request(ops.createContactFlow(DEMO.instanceId, { Name: 'Reminder', Description: 'reminds', Tags: { a: 'b' } })),
      );
      assert.equal(created.ContactFlowArn, `${ARN_PREFIX}:instance/${DEMO.instanceId}/contact-flow/${created.ContactFlowId}`);
      assert.match(created.FlowContentSha256, /^[0-9a-f]{64}$/);
      const flow = ok(await app.request(ops.describeContactFlow(DEMO.instanceId, created.ContactFlowId))).ContactFlow;
      assert.deepEqual(flow, {
        Arn: created.ContactFlowArn,
        Id: created.ContactFlowId,
        Name: 'Reminder',
        Type: 'CONTACT_FLOW',
        State: 'ACTIVE',
        Status: 'PUBLISHED',
        Description: 'reminds',
        Content: VALID_FLOW,
        Tags: { a: 'b' },
        FlowContentSha256: created.FlowContentSha256,
        Version: 1,
        LastModifiedTime: app.clock.now() / 1000,
        LastModifiedRegion: 'us-east-1',
      });
    });

    it('answers DescribeContactFlow for an unknown flow with 404 ResourceNotFoundException', async () => {
      assertError(await app.request(ops.describeContactFlow(DEMO.instanceId, 'no-such-flow')), 404, 'ResourceNotFoundException');
    });

    it('replaces flow content with UpdateContactFlowContent, validating it when the flow is PUBLISHED', async () => {
      const before = ok(await app.request(ops.describeContactFlow(DEMO.instanceId, DEMO.flowId))).ContactFlow;
      await app.advance(60_000);
      ok(await app.request(ops.updateContactFlowContent(DEMO.instanceId, DEMO.flowId, VALID_FLOW)));
      const after = ok(await app.request(ops.describeContactFlow(DEMO.instanceId, DEMO.flowId))).ContactFlow;
      assert.equal(after.Content, VALID_FLOW);
      assert.notEqual(after.FlowContentSha256, before.FlowContentSha256);
      assert.equal(after.Version, before.Version + 1);
      assert.equal(after.LastModifiedTime, before.LastModifiedTime + 60);

      const refused = await app.request(ops.updateContactFlowContent(DEMO.instanceId, DEMO.flowId, '{"Version":"2019-10-30"}'));
      assertErrorCode(refused, 400, 'InvalidContactFlowException');
      assert.ok(refused.json.problems.length >= 1);
      assert.equal(ok(await app.request(ops.describeContactFlow(DEMO.instanceId, DEMO.flowId))).ContactFlow.Content, VALID_FLOW);
    });

    it('answers UpdateContactFlowContent for an unknown flow with 404 ResourceNotFoundException', async () => {
      assertError(
        await app.request(ops.updateContactFlowContent(DEMO.instanceId, 'no-such-flow', VALID_FLOW)),
        404,
        'ResourceNotFoundException',
      );
    });

    it('filters ListContactFlows by type and pages it', async () => {
      for (const name of ['Queue A', 'Queue B', 'Queue C']) {
        ok(await app.request(ops.createContactFlow(DEMO.instanceId, { Name: name, Type: 'CUSTOMER_QUEUE' })));
      }
      const queueFlows = ok(await app.request(ops.listContactFlows(DEMO.instanceId, { contactFlowTypes: 'CUSTOMER_QUEUE' })))
        .ContactFlowSummaryList;
      assert.deepEqual(pluck(queueFlows, 'Name').sort(), ['Queue A', 'Queue B', 'Queue C']);
      for (const f of queueFlows) {
        assert.equal(f.ContactFlowType, 'CUSTOMER_QUEUE');
        assert.equal(f.ContactFlowState, 'ACTIVE');
        assert.equal(f.ContactFlowStatus, 'PUBLISHED');
        assert.equal(f.Arn, `${ARN_PREFIX}:instance/${DEMO.instanceId}/contact-flow/${f.Id}`);
      }
      const mixed = ok(
        await app.request(ops.listContactFlows(DEMO.instanceId, { contactFlowTypes: ['CUSTOMER_QUEUE', 'CONTACT_FLOW'] })),
      ).ContactFlowSummaryList;
      assert.equal(mixed.length, 5);

      const { ids, sizes } = await collect(async (token) => {
        const page = ok(
          await app.request(ops.listContactFlows(DEMO.instanceId, { maxResults: '3', ...(token !== undefined && { nextToken: token }) })),
        );
        return { items: page.ContactFlowSummaryList, next: page.NextToken };
      });
      assert.deepEqual(sizes, [3, 2]);
      assert.equal(new Set(ids).size, 5);
    });

    it('refuses a ListContactFlows NextToken it did not issue with 400 InvalidParameterException', async () => {
      assertError(await app.request(ops.listContactFlows(DEMO.instanceId, { nextToken: '!!' })), 400, 'InvalidParameterException');
    });
  });

  describe('queues', () => {
    it('creates a queue whose OutboundCallerConfig DescribeQueue returns', async () => {
      const created = ok(
        await app.request(
          ops.createQueue(DEMO.instanceId, {
            Name: 'Collections',
            Description: 'dunning',
            HoursOfOperationId: DEMO.hoursId,
            MaxContacts: 12,
            OutboundCallerConfig: {
              OutboundCallerIdName: 'Collections Dept',
              OutboundCallerIdNumberId: DEMO.tollFreeNumberId,
              OutboundFlowId: DEMO.flowId,
            },
            Tags: { dept: 'finance' },
          }),
        ),
      );
      assert.equal(created.QueueArn, `${ARN_PREFIX}:instance/${DEMO.instanceId}/queue/${created.QueueId}`);
      const queue = ok(await app.request(ops.describeQueue(DEMO.instanceId, created.QueueId))).Queue;
      assert.deepEqual(queue, {
        Name: 'Collections',
        QueueArn: created.QueueArn,
        QueueId: created.QueueId,
        Description: 'dunning',
        OutboundCallerConfig: {
          OutboundCallerIdName: 'Collections Dept',
          OutboundCallerIdNumberId: DEMO.tollFreeNumberId,
          OutboundFlowId: DEMO.flowId,
        },
        HoursOfOperationId: DEMO.hoursId,
        MaxContacts: 12,
        Status: 'ENABLED',
        Tags: { dept: 'finance' },
        LastModifiedTime: app.clock.now() / 1000,
        LastModifiedRegion: 'us-east-1',
      });
    });

    it('accepts the caller number and hours as ARNs', async () => {
      const hoursArn = `${ARN_PREFIX}:instance/${DEMO.instanceId}/operating-hours/${DEMO.hoursId}`;
      const numberArn = `${ARN_PREFIX}:phone-number/${DEMO.callerIdNumberId}`;
      const created = ok(
        await app.request(
          ops.createQueue(DEMO.instanceId, { Name: 'By ARN', HoursOfOperationId: hoursArn, OutboundCallerConfig: { OutboundCallerIdNumberId: numberArn } }),
        ),
      );
      const queue = ok(await app.request(ops.describeQueue(DEMO.instanceId, created.QueueId))).Queue;
      assert.equal(queue.HoursOfOperationId, DEMO.hoursId);
      assert.equal(queue.OutboundCallerConfig.OutboundCallerIdNumberId, DEMO.callerIdNumberId);
    });

    it('refuses a queue on unknown hours of operation with 404 ResourceNotFoundException', async () => {
      assertError(
        await app.request(ops.createQueue(DEMO.instanceId, { Name: 'Nowhere', HoursOfOperationId: '11111111-2222-4333-8444-555555555555' })),
        404,
        'ResourceNotFoundException',
        /Hours of operation/,
      );
    });

    it('refuses a caller number the instance has not claimed with 404 ResourceNotFoundException', async () => {
      assertError(
        await app.request(
          ops.createQueue(DEMO.instanceId, { Name: 'Spoof', HoursOfOperationId: DEMO.hoursId, OutboundCallerConfig: { OutboundCallerIdNumberId: 'nope' } }),
        ),
        404,
        'ResourceNotFoundException',
      );
    });

    it('answers DescribeQueue for an unknown queue with 404 ResourceNotFoundException', async () => {
      assertError(await app.request(ops.describeQueue(DEMO.instanceId, 'no-such-queue')), 404, 'ResourceNotFoundException');
    });

    it('lists queues as STANDARD queues with queue ARNs, and none for the AGENT type', async () => {
      ok(await app.request(ops.createQueue(DEMO.instanceId, { Name: 'Second', HoursOfOperationId: DEMO.hoursId })));
      const queues = ok(await app.request(ops.listQueues(DEMO.instanceId))).QueueSummaryList;
      assert.deepEqual(pluck(queues, 'Name').sort(), ['BasicQueue', 'Second']);
      for (const q of queues) {
        assert.equal(q.QueueType, 'STANDARD');
        assert.equal(q.Arn, `${ARN_PREFIX}:instance/${DEMO.instanceId}/queue/${q.Id}`);
        assert.equal(typeof q.LastModifiedTime, 'number');
      }
      assert.equal(ok(await app.request(ops.listQueues(DEMO.instanceId, { queueTypes: 'STANDARD', maxResults: '1' }))).QueueSummaryList.length, 1);
      assert.deepEqual(ok(await app.request(ops.listQueues(DEMO.instanceId, { queueTypes: 'AGENT' }))).QueueSummaryList, []);
    });

    it('answers ListQueues for an unknown instance with 404 ResourceNotFoundException', async () => {
      assertError(await app.request(ops.listQueues('no-such-instance')), 404, 'ResourceNotFoundException');
    });
  });
});
