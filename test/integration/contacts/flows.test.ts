import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { CALLEE, describeContact, ok, ops, startCall } from '../../helpers/connect.js';
import { DEMO, startTestApp, type TestApp } from '../../helpers/test-app.js';
import { queueFlow } from '../../helpers/flow-fixtures.js';

const PRESSES_1_AFTER_EACH_PROMPT = '+12065550101';
const HANGS_UP_MID_PROMPT = '+12065550108';

const disconnect = { Identifier: 'bye', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} };
const setAnswer = (id: string, answer: string) => ({
  Identifier: id,
  Type: 'UpdateContactAttributes',
  Parameters: { Attributes: { answer } },
  Transitions: { NextAction: 'bye', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'bye' }] },
});

/** Asks for 1 or 2 and records the answer, or "timeout", as a contact attribute. */
const CONFIRM_FLOW = {
  Version: '2019-10-30',
  StartAction: 'ask',
  Actions: [
    {
      Identifier: 'ask',
      Type: 'GetParticipantInput',
      Parameters: { Text: 'Press 1 to confirm your appointment, or 2 to cancel it.', StoreInput: 'False', InputTimeLimitSeconds: '5' },
      Transitions: {
        NextAction: 'bye',
        Conditions: [
          { NextAction: 'confirmed', Condition: { Operator: 'Equals', Operands: ['1'] } },
          { NextAction: 'cancelled', Condition: { Operator: 'Equals', Operands: ['2'] } },
        ],
        Errors: [
          { ErrorType: 'InputTimeLimitExceeded', NextAction: 'timeout' },
          { ErrorType: 'NoMatchingCondition', NextAction: 'bye' },
          { ErrorType: 'NoMatchingError', NextAction: 'bye' },
        ],
      },
    },
    setAnswer('confirmed', 'confirmed'),
    setAnswer('cancelled', 'cancelled'),
    setAnswer('timeout', 'timeout'),
    disconnect,
  ],
};

/** Sends the contact to the demo queue. */
const QUEUE_FLOW = queueFlow();

/** Collects keys up to # while a long prompt plays, and stores them. */
const ACCOUNT_NUMBER_FLOW = {
  Version: '2019-10-30',
  StartAction: 'ask',
  Actions: [
    {
      Identifier: 'ask',
      Type: 'GetParticipantInput',
      Parameters: {
        Text: 'Please key in your account number followed by the pound key. You can start at any time during this message.',
        StoreInput: 'True',
        InputTimeLimitSeconds: '5',
        InputValidation: { CustomValidation: { MaximumLength: '10' } },
        DTMFConfiguration: { InputTerminationSequence: '#' },
      },
      Transitions: { NextAction: 'store', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'bye' }] },
    },
    {
      Identifier: 'store',
      Type: 'UpdateContactAttributes',
      Parameters: { Attributes: { account: '$.StoredCustomerInput' } },
      Transitions: { NextAction: 'bye', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'bye' }] },
    },
    disconnect,
  ],
};

/** Speaks for a while, then branches on an attribute the API may have set meanwhile. */
const VIP_FLOW = {
  Version: '2019-10-30',
  StartAction: 'hold-on',
  Actions: [
    {
      Identifier: 'hold-on',
      Type: 'MessageParticipant',
      Parameters: { Text: 'Thank you for waiting. We are looking up your account, this will take a few seconds.' },
      Transitions: { NextAction: 'check', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'bye' }] },
    },
    {
      Identifier: 'check',
      Type: 'Compare',
      Parameters: { ComparisonValue: '$.Attributes.vip' },
      Transitions: {
        NextAction: 'regular',
        Conditions: [{ NextAction: 'vip', Condition: { Operator: 'Equals', Operands: ['yes'] } }],
        Errors: [{ ErrorType: 'NoMatchingCondition', NextAction: 'regular' }],
      },
    },
    setAnswer('vip', 'vip'),
    setAnswer('regular', 'regular'),
    disconnect,
  ],
};

describe('flows running on answered calls', () => {
  let app: TestApp;
  afterEach(() => app?.close());

  async function flow(content: object): Promise<string> {
    const created = ok(await app.request(ops.createContactFlow(DEMO.instanceId, { Name: `flow-${Math.random()}`, Content: JSON.stringify(content) })));
    return created.ContactFlowId as string;
  }

  it('branches on the key the callee presses and records it as a contact attribute', async () => {
    app = await startTestApp();
    const contactId = await startCall(app, PRESSES_1_AFTER_EACH_PROMPT, { ContactFlowId: await flow(CONFIRM_FLOW) });
    await app.advance(30_000);
    assert.deepEqual(ok(await app.request(ops.getContactAttributes(contactId))).Attributes, { answer: 'confirmed' });
    assert.equal((await describeContact(app, contactId)).DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
  });

  it('takes keys pressed during the prompt (barge-in) as input', async () => {
    app = await startTestApp();
    const pressesDuringPrompt = '+12065550109'; // presses 1234# 3 s after answering; the prompt lasts 8 s
    const t0 = app.clock.now();
    const contactId = await startCall(app, pressesDuringPrompt, { ContactFlowId: await flow(ACCOUNT_NUMBER_FLOW) });
    await app.advance(30_000);
    const contact = await describeContact(app, contactId);
    assert.deepEqual(contact.Attributes, { account: '1234' });
    assert.equal(contact.DisconnectTimestamp, (t0 + 2_000 + 3_000) / 1000, 'the flow went on at the keys, not at the end of the prompt');
  });

  it('sees attributes UpdateContactAttributes sets while the flow runs', async () => {
    app = await startTestApp();
    const contactId = await startCall(app, CALLEE.answers, { ContactFlowId: await flow(VIP_FLOW) });
    await app.advance(3_000);
    ok(await app.request(ops.updateContactAttributes(contactId, { vip: 'yes' })));
    await app.advance(30_000);
    assert.deepEqual(ok(await app.request(ops.getContactAttributes(contactId))).Attributes, { vip: 'yes', answer: 'vip' });
  });

  it('takes the InputTimeLimitExceeded branch when the callee presses nothing', async () => {
    app = await startTestApp();
    const contactId = await startCall(app, CALLEE.answers, { ContactFlowId: await flow(CONFIRM_FLOW) });
    await app.advance(60_000);
    assert.deepEqual(ok(await app.request(ops.getContactAttributes(contactId))).Attributes, { answer: 'timeout' });
  });

  it("keeps the flow log of a contact on an instance with CONTACTFLOW_LOGS, action by action", async () => {
    app = await startTestApp();
    const contactId = await startCall(app, PRESSES_1_AFTER_EACH_PROMPT, { ContactFlowId: await flow(CONFIRM_FLOW) });
    await app.advance(30_000);
    const { FlowLog } = ok(await app.request({ method: 'GET', path: `/outdial/contacts/${DEMO.instanceId}/${contactId}/flow-log` }));
    const steps = (FlowLog as { kind: string; actionId: string | null; Timestamp: number }[]).map((e) => `${e.kind} ${e.actionId ?? '-'}`);
    assert.deepEqual(steps.slice(0, 2), ['EventReceived -', 'ActionEntered ask']);
    assert.ok(steps.includes('BranchTaken ask'), steps.join('\n'));
    assert.ok(steps.includes('AttributesChanged confirmed'), steps.join('\n'));
    assert.equal(steps.at(-1), 'FlowEnded bye');
    assert.equal(typeof (FlowLog as { Timestamp: number }[])[0]?.Timestamp, 'number');
  });

  it('keeps no flow log where the instance turns CONTACTFLOW_LOGS off', async () => {
    app = await startTestApp();
    ok(await app.request({ method: 'POST', path: `/instance/${DEMO.instanceId}/attribute/CONTACTFLOW_LOGS`, body: { Value: 'false' } }));
    await app.advance(2_000); // past the one-second cache of instance reads
    const contactId = await startCall(app, PRESSES_1_AFTER_EACH_PROMPT, { ContactFlowId: await flow(CONFIRM_FLOW) });
    await app.advance(30_000);
    assert.deepEqual(ok(await app.request({ method: 'GET', path: `/outdial/contacts/${DEMO.instanceId}/${contactId}/flow-log` })).FlowLog, []);
  });

  it('ends with CUSTOMER_DISCONNECT when the callee hangs up during a prompt', async () => {
    app = await startTestApp();
    const contactId = await startCall(app, HANGS_UP_MID_PROMPT, { ContactFlowId: await flow(CONFIRM_FLOW) });
    await app.advance(30_000);
    const contact = await describeContact(app, contactId);
    assert.equal(contact.DisconnectReason, 'CUSTOMER_DISCONNECT');
    assert.deepEqual(contact.Attributes, {});
    const { FlowLog } = ok(await app.request({ method: 'GET', path: `/outdial/contacts/${DEMO.instanceId}/${contactId}/flow-log` }));
    assert.deepEqual((FlowLog as { kind: string; reason?: string }[]).at(-1), { ...(FlowLog as object[]).at(-1), kind: 'FlowEnded', reason: 'CustomerHungUp' });
  });

  it('queues the contact, which waits there until the customer hangs up', async () => {
    app = await startTestApp();
    const t0 = app.clock.now();
    const contactId = await startCall(app, CALLEE.hangsUpAfter10s, { ContactFlowId: await flow(QUEUE_FLOW) });
    await app.advance(5_000);
    const queued = await describeContact(app, contactId);
    assert.equal(queued.QueueInfo.Id, DEMO.queueId);
    assert.equal(queued.QueueInfo.EnqueueTimestamp, (t0 + 2_000) / 1000);
    assert.equal(queued.DisconnectTimestamp, undefined);
    await app.advance(10_000);
    assert.equal((await describeContact(app, contactId)).DisconnectReason, 'CUSTOMER_DISCONNECT');
  });

  it('refuses to create a PUBLISHED flow the engine cannot compile', async () => {
    app = await startTestApp();
    const broken = { ...CONFIRM_FLOW, Actions: CONFIRM_FLOW.Actions.filter((a) => a.Identifier !== 'timeout') };
    const response = await app.request(ops.createContactFlow(DEMO.instanceId, { Name: 'broken', Content: JSON.stringify(broken) }));
    assert.equal(response.status, 400);
    assert.match(JSON.stringify(response.json.problems), /timeout/);
  });
});
