/**
 * Amazon Connect operations as the SDK puts them on the wire, and assertions on Connect-shaped answers.
 */
import assert from 'node:assert/strict';
import { DEMO, type ApiRequest, type ApiResponse, type TestApp } from './test-app.js';

/** A URI label, percent-encoded as the SDK encodes it (`/` and `:` included). */
export const label = (value: string): string => encodeURIComponent(value);

export const instanceArn = (instanceId: string): string => `arn:aws:connect:us-east-1:000000000000:instance/${instanceId}`;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const ops = {
  startOutboundVoiceContact: (body: Record<string, unknown>): ApiRequest => ({ method: 'PUT', path: '/contact/outbound-voice', body }),
  describeContact: (contactId: string, instanceId: string = DEMO.instanceId): ApiRequest => ({
    method: 'GET',
    path: `/contacts/${label(instanceId)}/${label(contactId)}`,
  }),
  stopContact: (contactId: string, instanceId: string = DEMO.instanceId, extra: Record<string, unknown> = {}): ApiRequest => ({
    method: 'POST',
    path: '/contact/stop',
    body: { InstanceId: instanceId, ContactId: contactId, ...extra },
  }),
  getContactAttributes: (contactId: string, instanceId: string = DEMO.instanceId): ApiRequest => ({
    method: 'GET',
    path: `/contact/attributes/${label(instanceId)}/${label(contactId)}`,
  }),
  updateContactAttributes: (contactId: string, attributes: Record<string, string>, instanceId: string = DEMO.instanceId): ApiRequest => ({
    method: 'POST',
    path: '/contact/attributes',
    body: { InstanceId: instanceId, InitialContactId: contactId, Attributes: attributes },
  }),
  createInstance: (body: Record<string, unknown>): ApiRequest => ({
    method: 'PUT',
    path: '/instance',
    body: { IdentityManagementType: 'CONNECT_MANAGED', InboundCallsEnabled: true, OutboundCallsEnabled: true, ...body },
  }),
  describeInstance: (instanceId: string): ApiRequest => ({ method: 'GET', path: `/instance/${label(instanceId)}` }),
  listInstances: (query: Record<string, string> = {}): ApiRequest => ({ method: 'GET', path: '/instance', query }),
  updateInstanceAttribute: (instanceId: string, attributeType: string, value: string): ApiRequest => ({
    method: 'POST',
    path: `/instance/${label(instanceId)}/attribute/${label(attributeType)}`,
    body: { Value: value },
  }),
  createHoursOfOperation: (instanceId: string, body: Record<string, unknown>): ApiRequest => ({
    method: 'PUT',
    path: `/hours-of-operations/${label(instanceId)}`,
    body: { Name: 'Hours', TimeZone: 'UTC', Config: [], ...body },
  }),
  claimPhoneNumber: (body: Record<string, unknown>): ApiRequest => ({ method: 'POST', path: '/phone-number/claim', body }),
  listPhoneNumbers: (instanceId: string, query: Record<string, string | string[]> = {}): ApiRequest => ({
    method: 'GET',
    path: `/phone-numbers-summary/${label(instanceId)}`,
    query,
  }),
  listPhoneNumbersV2: (body: Record<string, unknown>): ApiRequest => ({ method: 'POST', path: '/phone-number/list', body }),
  createContactFlow: (instanceId: string, body: Record<string, unknown>): ApiRequest => ({
    method: 'PUT',
    path: `/contact-flows/${label(instanceId)}`,
    body: { Type: 'CONTACT_FLOW', Content: VALID_FLOW, ...body },
  }),
  describeContactFlow: (instanceId: string, flowId: string): ApiRequest => ({
    method: 'GET',
    path: `/contact-flows/${label(instanceId)}/${label(flowId)}`,
  }),
  updateContactFlowContent: (instanceId: string, flowId: string, content: string): ApiRequest => ({
    method: 'POST',
    path: `/contact-flows/${label(instanceId)}/${label(flowId)}/content`,
    body: { Content: content },
  }),
  listContactFlows: (instanceId: string, query: Record<string, string | string[]> = {}): ApiRequest => ({
    method: 'GET',
    path: `/contact-flows-summary/${label(instanceId)}`,
    query,
  }),
  createQueue: (instanceId: string, body: Record<string, unknown>): ApiRequest => ({
    method: 'PUT',
    path: `/queues/${label(instanceId)}`,
    body,
  }),
  describeQueue: (instanceId: string, queueId: string): ApiRequest => ({
    method: 'GET',
    path: `/queues/${label(instanceId)}/${label(queueId)}`,
  }),
  listQueues: (instanceId: string, query: Record<string, string | string[]> = {}): ApiRequest => ({
    method: 'GET',
    path: `/queues-summary/${label(instanceId)}`,
    query,
  }),
};

/** Flow-language content that passes PUBLISHED validation. */
export const VALID_FLOW = JSON.stringify({
  Version: '2019-10-30',
  StartAction: 'bye',
  Actions: [{ Identifier: 'bye', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} }],
});

/** Asserts a Connect error: status, the same code in header and body, the text in Message and message. */
export function assertError(response: ApiResponse, status: number, code: string, message?: RegExp): void {
  assertErrorCode(response, status, code, message);
  assert.equal(response.json?.Message, response.json?.message, `${response.status} ${response.text}`);
}

/** Like assertError, without requiring the `Message` member (checked on its own where a test is about it). */
export function assertErrorCode(response: ApiResponse, status: number, code: string, message?: RegExp): void {
  const context = `${response.status} ${response.text}`;
  assert.equal(response.status, status, context);
  assert.equal(response.headers['x-amzn-errortype'], code, context);
  assert.equal(response.json?.__type, code, context);
  assert.equal(typeof response.json?.message, 'string', context);
  if (message !== undefined) assert.match(response.json.message as string, message);
}

/** Asserts a 200 and returns the body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are checked by assertions
export function ok(response: ApiResponse): any {
  assert.equal(response.status, 200, response.text);
  return response.json;
}

/** A StartOutboundVoiceContact body on the demo instance, calling `destination` from the demo queue. */
export function outboundCall(destination: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    InstanceId: DEMO.instanceId,
    ContactFlowId: DEMO.flowId,
    DestinationPhoneNumber: destination,
    SourcePhoneNumber: DEMO.callerIdNumber,
    ...extra,
  };
}

/** Starts a call and returns its ContactId; fails the test unless the API accepted it. */
export async function startCall(app: TestApp, destination: string, extra: Record<string, unknown> = {}): Promise<string> {
  const body = ok(await app.request(ops.startOutboundVoiceContact(outboundCall(destination, extra))));
  assert.match(body.ContactId, UUID);
  return body.ContactId as string;
}

/** DescribeContact's Contact; fails the test unless it is found. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are checked by assertions
export async function describeContact(app: TestApp, contactId: string, instanceId: string = DEMO.instanceId): Promise<any> {
  return ok(await app.request(ops.describeContact(contactId, instanceId))).Contact;
}

/** One string member of every item of a listed JSON array. */
export function pluck(items: unknown, key: string): string[] {
  assert.ok(Array.isArray(items), `expected a list, got ${JSON.stringify(items)}`);
  return (items as Record<string, unknown>[]).map((item) => String(item[key]));
}

/** The engine clock's now in restJson1 epoch seconds, `offsetMs` later. */
export const epoch = (app: TestApp, offsetMs = 0): number => (app.clock.now() + offsetMs) / 1000;

/** Demo numbers of the simulated network, by behaviour (docs: DEMO_CALLEE_SCRIPTS). */
export const CALLEE = {
  answers: '+12065550100',
  hangsUpAfter10s: '+12065550102',
  busy: '+12065550103',
  noAnswer: '+12065550104',
  declines: '+12065550105',
  unreachable: '+12065550106',
  machine: '+12065550107',
  carrierError: '+12065550110',
} as const;
