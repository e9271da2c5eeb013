/**
 * The interpreter's vocabulary: the state it persists between steps, the events the contact service
 * feeds it, the commands it returns, and the context it reads. State, events and commands are plain JSON.
 */
import type { ActionType } from './action-types.js';
import type { CompiledFlow } from './model.js';

// ---- State --------------------------------------------------------------------------------------------

export interface VoiceSettings {
  readonly voice: string;
  readonly engine?: string;
  readonly style?: string;
}

/** What the flow waits for at its current action; sequence numbers tie it to the commands it sent. */
export type FlowWait =
  | { readonly kind: 'prompt'; readonly promptSeq: number }
  | {
      readonly kind: 'input';
      readonly promptSeq: number;
      /** The running timer: until the first digit, or between digits once stored input has begun. */
      readonly timerSeq: number | null;
      readonly phase: 'prompt' | 'first-digit' | 'more-digits';
      readonly buffer: string;
    }
  | { readonly kind: 'lambda'; readonly requestSeq: number; readonly timerSeq: number };

export type FlowEndReason = 'Disconnected' | 'Queued' | 'FlowEnded' | 'CustomerHungUp' | 'Error';

export interface FlowState {
  readonly version: 1;
  /** The flow running now: null for the contact's own flow, else the id/ARN TransferToFlow resolved. */
  readonly flowRef: string | null;
  readonly actionId: string | null;
  readonly wait: FlowWait | null;
  readonly ended: FlowEndReason | null;
  readonly nextSeq: number;
  readonly attributes: Readonly<Record<string, string>>;
  /** The last Lambda response ($.External). */
  readonly external: Readonly<Record<string, unknown>>;
  readonly storedCustomerInput: string | null;
  readonly targetQueueId: string | null;
  readonly voice: VoiceSettings;
  readonly loggingEnabled: boolean;
  readonly recording: Readonly<Record<string, unknown>> | null;
  /** UpdateContactEventHooks: hook name (CustomerQueue, CustomerWhisper, …) → flow id or ARN. */
  readonly eventHooks: Readonly<Record<string, string>>;
  /** Loop counters by action Identifier, reset when a loop is done or the flow changes. */
  readonly loops: Readonly<Record<string, number>>;
  /** The seeded generator's state (DistributeByPercentage). */
  readonly random: number;
}

// ---- Events -------------------------------------------------------------------------------------------

export type FlowEvent =
  | { readonly type: 'FlowStarted'; readonly at: number }
  | { readonly type: 'PromptFinished'; readonly seq: number; readonly at: number }
  | { readonly type: 'Digits'; readonly keys: string; readonly at: number }
  | { readonly type: 'TimerFired'; readonly seq: number; readonly at: number }
  | {
      readonly type: 'LambdaResult';
      readonly seq: number;
      readonly ok: boolean;
      /** The function's response object (STRING_MAP: flat string values). */
      readonly values?: Readonly<Record<string, unknown>>;
      readonly at: number;
    }
  | { readonly type: 'CustomerHungUp'; readonly at: number };

// ---- Commands -----------------------------------------------------------------------------------------

export type PromptSpec =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'ssml'; readonly ssml: string }
  | { readonly kind: 'promptId'; readonly promptId: string }
  | { readonly kind: 'media'; readonly uri: string; readonly sourceType: string; readonly mediaType: string };

export type FlowLogEntry = { readonly at: number; readonly actionId: string | null } & (
  | { readonly kind: 'ActionEntered'; readonly actionType: ActionType; readonly parameters: Readonly<Record<string, unknown>> }
  | { readonly kind: 'EventReceived'; readonly event: FlowEvent; readonly ignored?: string }
  | { readonly kind: 'BranchTaken'; readonly branch: string; readonly nextActionId: string | null }
  | { readonly kind: 'AttributesChanged'; readonly attributes: Readonly<Record<string, string>> }
  | { readonly kind: 'Unsupported'; readonly actionType: ActionType; readonly message: string }
  | { readonly kind: 'FlowEnded'; readonly reason: FlowEndReason; readonly message?: string }
);

export type FlowCommand =
  | { readonly type: 'Play'; readonly seq: number; readonly prompt: PromptSpec; readonly voice: VoiceSettings; readonly interruptibleByDigits: boolean }
  | { readonly type: 'StartTimer'; readonly seq: number; readonly ms: number }
  | { readonly type: 'CancelTimer'; readonly seq: number }
  | { readonly type: 'SetContactAttributes'; readonly attributes: Readonly<Record<string, string>> }
  | { readonly type: 'InvokeLambda'; readonly seq: number; readonly functionArn: string; readonly payload: LambdaPayload; readonly timeoutMs: number }
  | { readonly type: 'QueueContact'; readonly queueId: string }
  | { readonly type: 'Disconnect' }
  | { readonly type: 'EndFlow'; readonly reason: FlowEndReason }
  | { readonly type: 'Log'; readonly entry: FlowLogEntry };

/** The event Connect sends to a Lambda function from a flow. */
export interface LambdaPayload {
  readonly Name: 'ContactFlowEvent';
  readonly Details: {
    readonly ContactData: Readonly<Record<string, unknown>>;
    readonly Parameters: Readonly<Record<string, string>>;
  };
}

export interface StepResult {
  readonly state: FlowState;
  readonly commands: readonly FlowCommand[];
}

// ---- Context ------------------------------------------------------------------------------------------

export interface ContactFacts {
  readonly contactId: string;
  readonly initialContactId: string;
  readonly instanceArn: string;
  readonly customerAddress: string;
  readonly systemAddress: string;
  readonly name?: string;
  readonly description?: string;
  readonly references?: Readonly<Record<string, { readonly Value: string; readonly Type: string }>>;
  /** The attributes the contact starts with (StartOutboundVoiceContact's Attributes). */
  readonly attributes: Readonly<Record<string, string>>;
  /** The contact's queue when the flow starts (StartOutboundVoiceContact's QueueId), if any. */
  readonly queueId?: string;
}

export interface QueueInfo {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly hoursOfOperationId: string;
}

export type Weekday = 'SUNDAY' | 'MONDAY' | 'TUESDAY' | 'WEDNESDAY' | 'THURSDAY' | 'FRIDAY' | 'SATURDAY';

/** CreateHoursOfOperation's TimeZone and Config. */
export interface HoursOfOperation {
  readonly timeZone: string;
  readonly config: readonly {
    readonly Day: Weekday;
    readonly StartTime: { readonly Hours: number; readonly Minutes: number };
    readonly EndTime: { readonly Hours: number; readonly Minutes: number };
  }[];
}

export type OutboundCallStatus = 'CallAnswered' | 'VoicemailBeep' | 'VoicemailNoBeep' | 'NotDetected';

/**
 * What a step may read besides its state: contact facts as data and lookups that must be pure for the
 * duration of a step (answer from memory, never from I/O). Rebuild it on every step; it is not persisted.
 */
export interface FlowContext {
  readonly contact: ContactFacts;
  /** Seeds DistributeByPercentage; the same seed and events give the same branches. */
  readonly seed: number | string;
  /** The instance's flow-logging default, before any UpdateFlowLoggingBehavior (Connect: on). */
  readonly loggingEnabled?: boolean;
  /** The answering-machine-detection outcome, for CheckOutboundCallStatus. */
  readonly outboundCallStatus?: OutboundCallStatus;
  queue(idOrArn: string): QueueInfo | undefined;
  queueAtCapacity(queueId: string): boolean;
  hoursOfOperation(idOrArn: string): HoursOfOperation | undefined;
  flow(idOrArn: string): CompiledFlow | undefined;
}
