/**
 * Every action Type of the flow language (connect-api.md §4(a): the 2022 admin-guide repository and the
 * live API-reference topic lists, plus journey flows). A Type outside this list fails validation; a Type
 * inside it but outside SUPPORTED_ACTION_TYPES imports and takes its error branch at run time.
 */
export const KNOWN_ACTION_TYPES = [
  // Contact actions
  'CompleteOutboundCall',
  'CreateCase',
  'CreateTask',
  'CreateWisdomSession',
  'DequeueContactAndTransferToQueue',
  'EndFlowModuleExecution',
  'GetCase',
  'InvokeFlowModule',
  'StartOutboundChatContact',
  'TagContact',
  'TransferContactToAgent',
  'TransferContactToQueue',
  'UnTagContact',
  'UpdateCase',
  'UpdateContactAttributes',
  'UpdateContactCallbackNumber',
  'UpdateContactData',
  'UpdateContactEventHooks',
  'UpdateContactMediaProcessing',
  'UpdateContactMediaStreamingBehavior',
  'UpdateContactRecordingAndAnalyticsBehavior',
  'UpdateContactRecordingBehavior',
  'ResumeContact',
  'UpdateContactRoutingBehavior',
  'UpdateContactTargetQueue',
  'UpdateContactTextToSpeechVoice',
  'UpdatePreviousContactParticipantState',
  // Flow control
  'CheckHoursOfOperation',
  'CheckMetricData',
  'CheckOutboundCallStatus',
  'CheckVoiceId',
  'Compare',
  'DistributeByPercentage',
  'EndFlowExecution',
  'GetMetricData',
  'Loop',
  'StartVoiceIdStream',
  'TransferToFlow',
  'UpdateFlowAttributes',
  'UpdateFlowLoggingBehavior',
  'UpdateRoutingCriteria',
  'Wait',
  // Interactions
  'AssociateContactToCustomerProfile',
  'CreateCallbackContact',
  'CreateCustomerProfile',
  'GetCustomerProfile',
  'GetCustomerProfileObject',
  'GetCalculatedAttributesForCustomerProfile',
  'InvokeLambdaFunction',
  'UpdateCustomerProfile',
  // Participant actions
  'ConnectParticipantWithLexBot',
  'DisconnectParticipant',
  'GetParticipantInput',
  'MessageParticipant',
  'MessageParticipantIteratively',
  'ShowView',
  'TransferParticipantToThirdParty',
  // Journey flows
  'CheckCommunicationStatus',
] as const;

export type ActionType = (typeof KNOWN_ACTION_TYPES)[number];

/** The Types the interpreter runs; each has a module under actions/. */
export const SUPPORTED_ACTION_TYPES = [
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
] as const satisfies readonly ActionType[];

export type SupportedActionType = (typeof SUPPORTED_ACTION_TYPES)[number];

const known: ReadonlySet<string> = new Set(KNOWN_ACTION_TYPES);
const supported: ReadonlySet<string> = new Set(SUPPORTED_ACTION_TYPES);

export function isKnownActionType(type: string): type is ActionType {
  return known.has(type);
}

export function isSupportedActionType(type: ActionType): type is SupportedActionType {
  return supported.has(type);
}
