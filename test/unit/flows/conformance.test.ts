import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { compileFlow, initialStep, KNOWN_ACTION_TYPES, SUPPORTED_ACTION_TYPES } from '../../../src/flows/index.js';
import { contextFrom, loadTraces } from '../../helpers/flow-trace.js';

/**
 * The action types that run, each covered by golden traces (test/fixtures/traces). The rest of the flow
 * language imports and takes its error branch; the reason each is not run is beside it.
 */
const supported = [
  'MessageParticipant',
  'GetParticipantInput',
  'UpdateContactAttributes',
  'Compare',
  'CheckHoursOfOperation',
  'UpdateContactTargetQueue',
  'TransferContactToQueue',
  'DisconnectParticipant',
  'EndFlowExecution',
  'TransferToFlow',
  'Loop',
  'DistributeByPercentage',
  'UpdateContactTextToSpeechVoice',
  'UpdateContactRecordingBehavior',
  'UpdateFlowLoggingBehavior',
  'UpdateContactEventHooks',
  'CheckOutboundCallStatus',
  'CompleteOutboundCall',
  'InvokeLambdaFunction',
  // 'ConnectParticipantWithLexBot', // needs speech recognition and Lex
  // 'InvokeFlowModule', 'EndFlowModuleExecution', // flow modules are not stored or run yet
  // 'UpdateFlowAttributes', // $.FlowAttributes is not resolved yet
  // 'Wait', // chat only in the docs
  // 'TransferParticipantToThirdParty', // needs a second call leg
  // 'TransferContactToAgent', 'DequeueContactAndTransferToQueue', 'ResumeContact', // no agents or queue routing
  // 'UpdateContactRoutingBehavior', 'UpdateRoutingCriteria', 'UpdatePreviousContactParticipantState', // no agent routing
  // 'CheckMetricData', 'GetMetricData', // no real-time metrics in the flow context
  // 'CheckVoiceId', 'StartVoiceIdStream', // Voice ID is an AWS service
  // 'UpdateContactMediaStreamingBehavior', 'UpdateContactMediaProcessing', // no media streaming to Kinesis
  // 'UpdateContactRecordingAndAnalyticsBehavior', // Contact Lens analytics
  // 'CreateCase', 'GetCase', 'UpdateCase', 'CreateTask', 'CreateWisdomSession', // Cases, Tasks and Q are other services
  // 'AssociateContactToCustomerProfile', 'CreateCustomerProfile', 'GetCustomerProfile', 'GetCustomerProfileObject', 'GetCalculatedAttributesForCustomerProfile', 'UpdateCustomerProfile', // Customer Profiles
  // 'CreateCallbackContact', 'UpdateContactCallbackNumber', // callbacks need queues with agents
  // 'StartOutboundChatContact', 'MessageParticipantIteratively', 'ShowView', // chat and agent-workspace only
  // 'TagContact', 'UnTagContact', 'UpdateContactData', // contact tags and data updates are not modelled
  // 'CheckCommunicationStatus', // journey flows (outbound campaigns v2)
];

describe('conformance', () => {
  it('runs exactly the listed action types', () => {
    assert.deepEqual([...SUPPORTED_ACTION_TYPES].sort(), [...supported].sort());
  });

  it('has a golden trace entering every supported action type', () => {
    const entered = new Set(loadTraces().flatMap(({ trace }) => (trace.flow as { Actions: { Type: string }[] }).Actions.map((a) => a.Type)));

    assert.deepEqual(supported.filter((type) => !entered.has(type)), []);
  });

  for (const type of KNOWN_ACTION_TYPES.filter((t) => !supported.includes(t))) {
    it(`imports ${type} and takes its error branch at run time`, () => {
      const terminal = type === 'EndFlowModuleExecution';
      const flow = compileFlow(
        JSON.stringify({
          Version: '2019-10-30',
          StartAction: 'x',
          Actions: [
            { Identifier: 'x', Type: type, Parameters: {}, Transitions: terminal ? {} : { NextAction: 'end', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'fallback' }] } },
            { Identifier: 'fallback', Type: 'EndFlowExecution', Parameters: {}, Transitions: {} },
            { Identifier: 'end', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
          ],
        }),
      );
      const context = contextFrom({ contact: { contactId: 'c', initialContactId: 'c', instanceArn: 'arn', customerAddress: '+1', systemAddress: '+2', attributes: {} }, seed: 1 });

      const { state, commands } = initialStep(flow, context, 0);

      assert.equal(state.ended, terminal ? 'Error' : 'FlowEnded');
      assert.ok(commands.some((c) => c.type === 'Log' && c.entry.kind === 'Unsupported' && c.entry.actionType === type));
    });
  }
});
