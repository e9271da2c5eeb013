/** The handler of every action Type; the mapped type makes a missing supported Type a compile error. */
import { isSupportedActionType } from '../action-types.js';
import type { ActionType, SupportedActionType } from '../action-types.js';
import type { ActionSpec } from '../model.js';
import type { ActionHandler } from '../run.js';
import { checkHoursOfOperation } from './check-hours-of-operation.js';
import { checkOutboundCallStatus } from './check-outbound-call-status.js';
import { compare } from './compare.js';
import { completeOutboundCall } from './complete-outbound-call.js';
import { disconnectParticipant } from './disconnect-participant.js';
import { distributeByPercentage } from './distribute-by-percentage.js';
import { endFlowExecution } from './end-flow-execution.js';
import { getParticipantInput } from './get-participant-input.js';
import { invokeLambdaFunction } from './invoke-lambda-function.js';
import { loop } from './loop.js';
import { messageParticipant } from './message-participant.js';
import { transferContactToQueue } from './transfer-contact-to-queue.js';
import { transferToFlow } from './transfer-to-flow.js';
import { unsupportedHandler } from './unsupported.js';
import { updateContactAttributes } from './update-contact-attributes.js';
import { updateContactEventHooks } from './update-contact-event-hooks.js';
import { updateContactRecordingBehavior } from './update-contact-recording-behavior.js';
import { updateContactTargetQueue } from './update-contact-target-queue.js';
import { updateContactTextToSpeechVoice } from './update-contact-text-to-speech-voice.js';
import { updateFlowLoggingBehavior } from './update-flow-logging-behavior.js';

const handlers = {
  MessageParticipant: messageParticipant,
  GetParticipantInput: getParticipantInput,
  UpdateContactAttributes: updateContactAttributes,
  Compare: compare,
  CheckHoursOfOperation: checkHoursOfOperation,
  UpdateContactTargetQueue: updateContactTargetQueue,
  TransferContactToQueue: transferContactToQueue,
  DisconnectParticipant: disconnectParticipant,
  EndFlowExecution: endFlowExecution,
  TransferToFlow: transferToFlow,
  Loop: loop,
  DistributeByPercentage: distributeByPercentage,
  UpdateContactTextToSpeechVoice: updateContactTextToSpeechVoice,
  UpdateContactRecordingBehavior: updateContactRecordingBehavior,
  UpdateFlowLoggingBehavior: updateFlowLoggingBehavior,
  UpdateContactEventHooks: updateContactEventHooks,
  CheckOutboundCallStatus: checkOutboundCallStatus,
  CompleteOutboundCall: completeOutboundCall,
  InvokeLambdaFunction: invokeLambdaFunction,
} satisfies { readonly [T in SupportedActionType]: ActionHandler };

export function handlerFor(type: ActionType): ActionHandler {
  return isSupportedActionType(type) ? handlers[type] : unsupportedHandler(type);
}

export function specFor(type: ActionType): ActionSpec {
  return handlerFor(type).spec;
}
