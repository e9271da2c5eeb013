/**
 * Amazon Connect test cases (the testing language in a test case's `Content`) as outdial runs them, and
 * what a run reports. Parsed once, then interpreted by runTestCase against a compiled flow.
 */
import { OPERATORS } from '../model.js';
import type { FlowEndReason, PromptSpec } from '../types.js';

/** How MessageReceived compares text: Inclusion is a substring, Similarity a fuzzy word match. */
export type MatchingCriteria = 'Similarity' | 'Inclusion';

export type ExpectedEvent =
  | { readonly type: 'TestInitiated' }
  | { readonly type: 'TestCompleted' }
  | {
      readonly type: 'MessageReceived';
      readonly text?: string;
      readonly ssml?: string;
      readonly promptId?: string;
      readonly mediaUri?: string;
      readonly criteria: MatchingCriteria;
    }
  | {
      readonly type: 'FlowActionStarted' | 'FlowActionCompleted';
      readonly actionType: string;
      readonly parameters: Readonly<Record<string, unknown>>;
    };

/** The flow actions an OverrideSystemBehavior can stand in for here. */
export type OverrideTarget = 'InvokeLambdaFunction' | 'CheckHoursOfOperation';

export type OverrideStrategy =
  | { readonly type: 'SubstituteResource'; readonly arn: string }
  /** A Lambda function's response, after DelaySeconds. */
  | { readonly type: 'LambdaResult'; readonly delayMs: number; readonly data: Readonly<Record<string, unknown>> }
  | { readonly type: 'HoursResult'; readonly value: 'InHours' | 'OutOfHours' }
  | { readonly type: 'Error'; readonly delayMs: number; readonly value: string };

export type TestAction = { readonly id: string } & (
  | { readonly kind: 'Dtmf'; readonly keys: string }
  | { readonly kind: 'Disconnect' }
  | { readonly kind: 'Assert'; readonly namespace: string; readonly operator: AssertOperator; readonly operand: string | undefined }
  | { readonly kind: 'Override'; readonly target: OverrideTarget; readonly parameters: Readonly<Record<string, unknown>>; readonly strategy: OverrideStrategy }
  | { readonly kind: 'EndTest' }
  | { readonly kind: 'LogData'; readonly expressions: Readonly<Record<string, string>> }
);

/** The flow language's comparison operators, and Exists. */
export const ASSERT_OPERATORS = [...OPERATORS, 'Exists'] as const;
export type AssertOperator = (typeof ASSERT_OPERATORS)[number];

export interface Observation {
  readonly id: string;
  readonly event: ExpectedEvent;
  /** In the order they run: the NextAction chains, roots in document order. */
  readonly actions: readonly TestAction[];
  readonly next: readonly string[];
}

export interface TestCase {
  readonly name: string;
  readonly observations: readonly Observation[];
  /** InitializationData.Attributes: the contact's attributes when the flow starts. */
  readonly attributes: Readonly<Record<string, string>>;
  /** VoiceCallEntryPointParameters: the caller (customer) and the number called (system). */
  readonly sourcePhoneNumber?: string;
  readonly destinationPhoneNumber?: string;
}

/** A parse always names the case; problems mean it cannot run and fails with them. */
export interface ParsedTestCase {
  readonly name: string;
  readonly testCase: TestCase | undefined;
  readonly problems: readonly string[];
}

// ---- Results ------------------------------------------------------------------------------------------

export type ObservationStatus = 'PASSED' | 'FAILED' | 'SKIPPED';

export interface ActionResult {
  readonly id: string;
  readonly kind: TestAction['kind'];
  readonly status: 'PASSED' | 'FAILED' | 'DONE';
  readonly detail: string;
}

export interface ObservationResult {
  readonly id: string;
  /** The expected event in words. */
  readonly event: string;
  readonly status: ObservationStatus;
  readonly reason: string;
  /** Virtual milliseconds since the test started, when it matched. */
  readonly matchedAtMs?: number;
  readonly actions: readonly ActionResult[];
}

export interface SpokenPrompt {
  readonly atMs: number;
  readonly prompt: PromptSpec;
  /** What the customer heard as text (SSML without tags, a prompt or media reference by name). */
  readonly text: string;
  /** Cut short by a key press, a hang-up or the flow moving on; `heardMs` says how much was heard. */
  readonly interrupted: boolean;
  readonly heardMs: number;
}

export interface TestCaseResult {
  readonly name: string;
  readonly passed: boolean;
  /** Why the whole case failed when no observation says it (parse problems, timeouts, unmocked calls). */
  readonly problems: readonly string[];
  readonly observations: readonly ObservationResult[];
  /** Action Identifiers in the order the flow entered them (across TransferToFlow). */
  readonly path: readonly string[];
  readonly prompts: readonly SpokenPrompt[];
  readonly attributes: Readonly<Record<string, string>>;
  readonly external: Readonly<Record<string, unknown>>;
  readonly logData: readonly { readonly atMs: number; readonly values: Readonly<Record<string, string | null>> }[];
  /** How the test ended: the flow's end, EndTest, the time limit, a failed assert, or a problem (Aborted). */
  readonly ended: FlowEndReason | 'EndTest' | 'Timeout' | 'AssertFailed' | 'Aborted' | null;
  readonly durationMs: number;
  /** Things the run did differently from Connect because it is offline (stand-in queues, …). */
  readonly notes: readonly string[];
}
