import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { describeContact, ok, ops, startCall } from '../../helpers/connect.js';
import { DEMO, startTestApp, type TestApp } from '../../helpers/test-app.js';

const LOOKUP_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:lookup-customer';

/** Calls the Lambda function and stores its `tier`, or "failed" when the call fails. */
function lambdaFlow(functionArn: string): string {
  const store = (id: string, value: string) => ({
    Identifier: id,
    Type: 'UpdateContactAttributes',
    Parameters: { Attributes: { tier: value } },
    Transitions: { NextAction: 'bye', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'bye' }] },
  });
  return JSON.stringify({
    Version: '2019-10-30',
    StartAction: 'lookup',
    Actions: [
      {
        Identifier: 'lookup',
        Type: 'InvokeLambdaFunction',
        Parameters: { LambdaFunctionARN: functionArn, InvocationTimeLimitSeconds: '3', LambdaInvocationAttributes: { order: '$.Attributes.order' } },
        Transitions: { NextAction: 'stored', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'failed' }] },
      },
      store('stored', '$.External.tier'),
      store('failed', 'failed'),
      { Identifier: 'bye', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
    ],
  });
}

interface Received {
  body: { Name: string; Details: { ContactData: { ContactId: string }; Parameters: Record<string, string> } };
}

describe('InvokeLambdaFunction against an HTTP endpoint', () => {
  let lambda: Server;
  let url: string;
  let answer: (request: IncomingMessage) => { status: number; body: unknown };
  const received: Received[] = [];

  before(async () => {
    lambda = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        received.push({ body: JSON.parse(text) as Received['body'] });
        const { status, body } = answer(request);
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => lambda.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(lambda.address() as AddressInfo).port}/lookup`;
  });
  after(() => new Promise<void>((resolve) => lambda.close(() => resolve())));

  let app: TestApp;
  afterEach(() => app?.close());

  /** Runs a call through the flow until it ends; the Lambda call is real I/O, so time also passes for real. */
  async function callThrough(functionArn: string): Promise<{ contactId: string; attributes: Record<string, string> }> {
    const created = ok(await app.request(ops.createContactFlow(DEMO.instanceId, { Name: `lambda-${received.length}-${Math.random()}`, Content: lambdaFlow(functionArn) })));
    const contactId = await startCall(app, '+12065550100', { ContactFlowId: created.ContactFlowId, Attributes: { order: 'A-1' } });
    await app.advance(2_000);
    // Real time, and a generous amount of it: a loaded machine may take seconds over the HTTP round trip.
    const deadline = performance.now() + 20_000;
    while ((await describeContact(app, contactId)).DisconnectTimestamp === undefined) {
      if (performance.now() > deadline) assert.fail(`contact ${contactId} did not end after its Lambda call`);
      await new Promise((resolve) => setTimeout(resolve, 10));
      await app.settle();
    }
    return { contactId, attributes: ok(await app.request(ops.getContactAttributes(contactId))).Attributes };
  }

  it("posts Connect's ContactFlowEvent and gives the flow the function's answer as $.External", async () => {
    app = await startTestApp({ lambdaFunctions: { [LOOKUP_ARN]: url } });
    answer = () => ({ status: 200, body: { tier: 'gold' } });
    const { contactId, attributes } = await callThrough(LOOKUP_ARN);
    assert.equal(attributes.tier, 'gold');
    const event = received.at(-1)?.body;
    assert.equal(event?.Name, 'ContactFlowEvent');
    assert.equal(event?.Details.ContactData.ContactId, contactId);
    assert.deepEqual(event?.Details.Parameters, { order: 'A-1' });
  });

  it('finds the endpoint by the bare function name too', async () => {
    app = await startTestApp({ lambdaFunctions: { 'lookup-customer': url } });
    answer = () => ({ status: 200, body: { tier: 'silver' } });
    assert.equal((await callThrough(LOOKUP_ARN)).attributes.tier, 'silver');
  });

  it('takes the error branch when the endpoint fails', async () => {
    app = await startTestApp({ lambdaFunctions: { [LOOKUP_ARN]: url } });
    answer = () => ({ status: 500, body: { message: 'boom' } });
    assert.equal((await callThrough(LOOKUP_ARN)).attributes.tier, 'failed');
  });

  it('takes the error branch for a function no endpoint is configured for', async () => {
    app = await startTestApp({ lambdaFunctions: { [LOOKUP_ARN]: url } });
    assert.equal((await callThrough('arn:aws:lambda:us-east-1:123456789012:function:unknown')).attributes.tier, 'failed');
  });
});
