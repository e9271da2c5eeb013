/** The flow engine: compile flow-language content, then run it one event at a time. */
export { KNOWN_ACTION_TYPES, SUPPORTED_ACTION_TYPES, isKnownActionType, isSupportedActionType } from './action-types.js';
export type { ActionType, SupportedActionType } from './action-types.js';
export { compileFlow, FLOW_LANGUAGE_VERSION, MAX_ACTIONS } from './compile.js';
export { FlowValidationError } from './errors.js';
export { DEFAULT_VOICE, MAX_ACTIONS_PER_STEP, initialState, initialStep, step } from './interpreter.js';
export { isOpen } from './hours.js';
export { spokenText } from './spoken-text.js';
export { MAX_ATTRIBUTES_BYTES } from './actions/update-contact-attributes.js';
export { INTERDIGIT_TIMEOUT_MS } from './actions/get-participant-input.js';
export type { CompiledFlow, FlowAction, FlowCondition, FlowErrorTransition, Operator } from './model.js';
export type {
  ContactFacts,
  FlowCommand,
  FlowContext,
  FlowEndReason,
  FlowEvent,
  FlowLogEntry,
  FlowState,
  FlowWait,
  HoursOfOperation,
  LambdaPayload,
  OutboundCallStatus,
  PromptSpec,
  QueueInfo,
  StepResult,
  VoiceSettings,
  Weekday,
} from './types.js';
