/**
 * A flow created through the SDK runs on a real server: the callee's key press decides the branch, and
 * the attribute the flow sets comes back from GetContactAttributes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateContactFlowCommand,
  DescribeContactCommand,
  GetContactAttributesCommand,
  StartOutboundVoiceContactCommand,
} from '@aws-sdk/client-connect';
import { DEMO } from '../../src/services/seed.js';
import { connectClient, startServer, waitFor, type ServerProcess } from '../helpers/server-process.js';

const PRESSES_1_AFTER_EACH_PROMPT = '+12065550101';

const CONFIRM_FLOW = JSON.stringify({
  Version: '2019-10-30',
  StartAction: 'ask',
  Actions: [
    {
      Identifier: 'ask',
      Type: 'GetParticipantInput',
      Parameters: { Text: 'Press 1 to confirm, or 2 to cancel.', StoreInput: 'False', InputTimeLimitSeconds: '5' },
      Transitions: {
        NextAction: 'bye',
        Conditions: [
          { NextAction: 'confirmed', Condition: { Operator: 'Equals', Operands: ['1'] } },
          { NextAction: 'bye', Condition: { Operator: 'Equals', Operands: ['2'] } },
        ],
        Errors: [
          { ErrorType: 'InputTimeLimitExceeded', NextAction: 'bye' },
          { ErrorType: 'NoMatchingCondition', NextAction: 'bye' },
          { ErrorType: 'NoMatchingError', NextAction: 'bye' },
        ],
      },
    },
    {
      Identifier: 'confirmed',
      Type: 'UpdateContactAttributes',
      Parameters: { Attributes: { appointment: 'confirmed' } },
      Transitions: { NextAction: 'bye', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'bye' }] },
    },
    { Identifier: 'bye', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
  ],
});

describe('a flow created with the SDK', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer();
  });
  after(() => server.stop());

  it('runs on the call: the key pressed sets the attribute GetContactAttributes returns', async () => {
    const connect = connectClient(server.url);
    const { ContactFlowId } = await connect.send(
      new CreateContactFlowCommand({ InstanceId: DEMO.instanceId, Name: 'Confirm appointment', Type: 'CONTACT_FLOW', Content: CONFIRM_FLOW }),
    );
    const { ContactId } = await connect.send(
      new StartOutboundVoiceContactCommand({
        InstanceId: DEMO.instanceId,
        ContactFlowId,
        QueueId: DEMO.queueId,
        DestinationPhoneNumber: PRESSES_1_AFTER_EACH_PROMPT,
        Attributes: { patient: 'p-42' },
      }),
    );
    const ended = await waitFor('the contact to end', async () => {
      const { Contact } = await connect.send(new DescribeContactCommand({ InstanceId: DEMO.instanceId, ContactId }));
      return Contact?.DisconnectTimestamp === undefined ? undefined : Contact;
    });
    assert.equal(ended.DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
    const { Attributes } = await connect.send(new GetContactAttributesCommand({ InstanceId: DEMO.instanceId, InitialContactId: ContactId }));
    assert.deepEqual(Attributes, { patient: 'p-42', appointment: 'confirmed' });
  });
});
