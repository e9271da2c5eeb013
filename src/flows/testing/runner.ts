/**
 * Runs one Amazon Connect test case against a compiled flow in virtual time, the way Connect's Test and
 * simulation runs it on a real contact: observations become active, wait for their event, run their
 * actions (key presses, hang-up, asserts, mocks, EndTest, LogData) and activate their successors.
 */
import { compare } from '../conditions.js';
import { initialState } from '../interpreter.js';
import type { CompiledFlow } from '../model.js';
import type { FlowContext, FlowEndReason, FlowState, HoursOfOperation } from '../types.js';
import { asText, interpolate, isReference, resolvePath } from '../values.js';
import { ALWAYS_OPEN, buildContext, contactFacts, DEFAULT_START_TIME, NEVER_OPEN, sameResource } from './environment.js';
import type { FlowTestEnvironment } from './environment.js';
import type { ActionResult, ExpectedEvent, Observation, ObservationResult, ParsedTestCase, SpokenPrompt, TestAction, TestCase, TestCaseResult } from './model.js';
import { parseTestCase } from './parse.js';
import { FlowSession, VirtualLine } from './session.js';
import type { LambdaAnswer } from './session.js';
import { VirtualClock } from '../../shared/clock.js';
import { promptDurationMs } from '../../telephony/sim/simulated-network.js';

/** Connect fails a test that has not ended after five minutes. */
export const TEST_TIME_LIMIT_MS = 5 * 60 * 1000;

export interface RunTestCaseOptions {
  readonly environment?: FlowTestEnvironment;
  readonly timeLimitMs?: number;
  /** How long a prompt plays, from its text (default: the simulated network's speaking rate). */
  readonly promptDurationMs?: (text: string) => number;
}

/** What happened on the contact, in the test's terms. */
type ActualEvent =
  | { readonly type: 'TestInitiated' | 'TestCompleted' }
  | { readonly type: 'MessageReceived'; readonly prompt: SpokenPrompt; readonly segment: string }
  | { readonly type: 'FlowActionStarted' | 'FlowActionCompleted'; readonly actionType: string; readonly parameters: Readonly<Record<string, unknown>> };

type Status = 'inactive' | 'active' | 'passed' | 'failed';
type Override = Extract<TestAction, { kind: 'Override' }>;
type Ending = NonNullable<TestCaseResult['ended']>;

/**
 * Runs a test case (a ParsedTestCase, or its JSON text or value) against `flow`. Never throws for a bad test
 * case: problems make it fail with a message instead.
 */
export function runTestCase(flow: CompiledFlow, test: unknown, options: RunTestCaseOptions = {}): TestCaseResult {
  const parsed = isParsed(test) ? test : parseTestCase(test);
  if (parsed.testCase === undefined || parsed.problems.length > 0) {
    return {
      name: parsed.name,
      passed: false,
      problems: parsed.problems,
      observations: [],
      path: [],
      prompts: [],
      attributes: {},
      external: {},
      logData: [],
      ended: null,
      durationMs: 0,
      notes: [],
    };
  }
  return new TestRun(flow, parsed.testCase, options).run();
}

function isParsed(value: unknown): value is ParsedTestCase {
  return typeof value === 'object' && value !== null && 'problems' in value && 'testCase' in value && 'name' in value;
}

class TestRun {
  readonly #clock: VirtualClock;
  readonly #session: FlowSession;
  readonly #context: FlowContext;
  readonly #status = new Map<string, Status>();
  readonly #results = new Map<string, { matchedAtMs?: number; reason: string; actions: ActionResult[] }>();
  readonly #overrides: Override[] = [];
  readonly #problems: string[] = [];
  readonly #notes: string[] = [];
  readonly #logData: { atMs: number; values: Record<string, string | null> }[] = [];
  /** Prompts heard since the customer last pressed a key: Connect delivers them as one message. */
  #segment: string[] = [];
  #ended: Ending | null = null;
  #endedAt = 0;

  constructor(
    flow: CompiledFlow,
    private readonly test: TestCase,
    private readonly options: RunTestCaseOptions,
  ) {
    const env = options.environment ?? {};
    this.#clock = new VirtualClock(env.startTime ?? DEFAULT_START_TIME);
    const facts = contactFacts(env, test.attributes, { customer: test.sourcePhoneNumber, system: test.destinationPhoneNumber });
    this.#context = buildContext(env, facts, { hours: (ref) => this.#hoursOverride(ref), note: (m) => this.#notes.push(m) });
    const line = new VirtualLine(this.#clock, options.promptDurationMs ?? ((text) => promptDurationMs({ text })));
    this.#session = new FlowSession(flow, this.#context, this.#clock, line, {
      message: (prompt) => {
        this.#segment.push(prompt.text);
        this.#dispatch({ type: 'MessageReceived', prompt, segment: this.#segment.join(' ') });
      },
      actionStarted: (actionType, parameters) => this.#dispatch({ type: 'FlowActionStarted', actionType, parameters }),
      actionCompleted: (actionType, parameters) => this.#dispatch({ type: 'FlowActionCompleted', actionType, parameters }),
      lambda: (command) => this.#lambda(command.functionArn),
      ended: (reason) => this.#flowEnded(reason),
    });
    line.session = this.#session;
    const referenced = new Set(test.observations.flatMap((o) => o.next));
    for (const o of test.observations) this.#status.set(o.id, referenced.has(o.id) ? 'inactive' : 'active');
  }

  run(): TestCaseResult {
    this.#dispatch({ type: 'TestInitiated' });
    if (this.#ended === null) this.#session.start();
    const limit = this.options.timeLimitMs ?? TEST_TIME_LIMIT_MS;
    if (this.#ended === null) this.#clock.advance(limit);
    if (this.#ended === null) this.#finish('Timeout');
    return this.#result();
  }

  // ---- Events -----------------------------------------------------------------------------------------

  #dispatch(event: ActualEvent): void {
    // Observations activated by this event wait for the next one: snapshot who is active first.
    const active = this.test.observations.filter((o) => this.#status.get(o.id) === 'active');
    for (const observation of active) {
      if (this.#ended !== null) return;
      if (this.#status.get(observation.id) !== 'active' || !matches(observation.event, event)) continue;
      this.#match(observation, event);
    }
  }

  /** `afterEnd`: TestCompleted observers run once the test has ended; an assert there still fails it. */
  #match(observation: Observation, event: ActualEvent, afterEnd = false): void {
    const atMs = this.#clock.now() - this.#session.startedAt;
    const actions: ActionResult[] = [];
    this.#status.set(observation.id, 'passed');
    this.#results.set(observation.id, { matchedAtMs: atMs, reason: `matched at ${seconds(atMs)}${describeActual(event)}`, actions });
    for (const action of observation.actions) {
      const result = this.#act(action);
      actions.push(result);
      if (result.status === 'FAILED') {
        this.#status.set(observation.id, 'failed');
        this.#results.set(observation.id, { matchedAtMs: atMs, reason: `matched at ${seconds(atMs)}, then ${action.id} failed: ${result.detail}`, actions });
        if (afterEnd) this.#ended = 'AssertFailed';
        else this.#finish('AssertFailed');
        return;
      }
      if (this.#ended !== null && !afterEnd) return;
    }
    for (const next of observation.next) if (this.#status.get(next) === 'inactive') this.#status.set(next, 'active');
  }

  #act(action: TestAction): ActionResult {
    const done = (detail: string, status: ActionResult['status'] = 'DONE'): ActionResult => ({ id: action.id, kind: action.kind, status, detail });
    switch (action.kind) {
      case 'Dtmf':
        // Keys split the prompts into messages: what plays next is a new message.
        this.#session.later(() => {
          this.#segment = [];
          this.#session.digits(action.keys);
        });
        return done(`pressed ${action.keys}`);
      case 'Disconnect':
        this.#session.later(() => this.#session.hangUp());
        return done('hung up');
      case 'Assert': {
        const actual = this.#read(action.namespace);
        const ok = action.operator === 'Exists' ? actual !== undefined && actual !== '' : compare(action.operator, actual, action.operand ?? '');
        const expected = action.operator === 'Exists' ? '' : ` ${JSON.stringify(action.operand)}`;
        const got = actual === undefined ? 'nothing' : JSON.stringify(actual);
        return done(`${action.namespace} ${action.operator}${expected}: ${ok ? 'holds' : 'does not hold'}, actual ${got}`, ok ? 'PASSED' : 'FAILED');
      }
      case 'Override':
        this.#overrides.push(action);
        return done(`${action.target} ${describeParameters(action.parameters)} → ${describeStrategy(action)}`);
      case 'EndTest':
        this.#finish('EndTest');
        return done('ended the test');
      case 'LogData': {
        const values: Record<string, string | null> = {};
        for (const [label, expression] of Object.entries(action.expressions)) {
          values[label] = isReference(expression) ? (this.#read(expression) ?? null) : interpolate(expression, this.#scope());
        }
        this.#logData.push({ atMs: this.#clock.now() - this.#session.startedAt, values });
        return done(JSON.stringify(values));
      }
    }
  }

  /** A JSONPath as the test sees it: scalars only; `$.LambdaInvocation.ResultData` is `$.External`. */
  #read(path: string): string | undefined {
    const alias = '$.LambdaInvocation.ResultData';
    const normalized = path.startsWith(alias) ? `$.External${path.slice(alias.length)}` : path;
    return asText(resolvePath(normalized, this.#scope()));
  }

  #scope(): { state: FlowState; context: FlowContext } {
    // Before the flow starts (asserts at TestInitiated) the contact has only its initial attributes.
    const state = this.#session.state ?? initialState(this.#context);
    return { state, context: this.#context };
  }

  // ---- Overrides --------------------------------------------------------------------------------------

  /** Overrides are used once, first in first out, per resource (Connect's rule). */
  #takeOverride(target: Override['target'], key: string, ref: string): Override | undefined {
    const index = this.#overrides.findIndex((o) => {
      if (o.target !== target) return false;
      const wanted = asText(o.parameters[key]);
      return wanted === undefined || sameResource(wanted, ref);
    });
    return index < 0 ? undefined : this.#overrides.splice(index, 1)[0];
  }

  #lambda(functionArn: string): LambdaAnswer | undefined {
    const override = this.#takeOverride('InvokeLambdaFunction', 'LambdaFunctionARN', functionArn);
    const strategy = override?.strategy;
    switch (strategy?.type) {
      case 'LambdaResult':
        return { ok: true, values: strategy.data, delayMs: strategy.delayMs };
      case 'Error':
        // TimeLimitExceeded: no answer, so the flow's own InvocationTimeLimitSeconds fires.
        return strategy.value === 'TimeLimitExceeded' ? undefined : { ok: false, delayMs: strategy.delayMs };
      case 'SubstituteResource':
        this.#abort(`InvokeLambdaFunction ${functionArn}: SubstituteResource needs the real function ${strategy.arn}, which outdial does not call offline; use a MockResponse`);
        return undefined;
      case 'HoursResult':
      case undefined:
        this.#abort(
          `InvokeLambdaFunction ${functionArn} ran with no mock left: Lambda functions are not called offline; add an OverrideSystemBehavior MockResponse for it (at TestInitiated, or before the flow reaches it)`,
        );
        return undefined;
    }
  }

  #hoursOverride(ref: string): { hours: HoursOfOperation | undefined } | undefined {
    const strategy = this.#takeOverride('CheckHoursOfOperation', 'HoursOfOperationId', ref)?.strategy;
    switch (strategy?.type) {
      case undefined:
        return undefined;
      case 'HoursResult':
        return { hours: strategy.value === 'InHours' ? ALWAYS_OPEN : NEVER_OPEN };
      case 'Error':
        return { hours: undefined };
      case 'SubstituteResource': {
        const hours = this.#context.hoursOfOperation(strategy.arn);
        if (hours === undefined) this.#abort(`CheckHoursOfOperation ${ref}: the substitute hours ${strategy.arn} are not in the environment; add them (--env) or mock InHours/OutOfHours`);
        return { hours };
      }
      case 'LambdaResult':
        return undefined;
    }
  }

  // ---- The end ----------------------------------------------------------------------------------------

  #flowEnded(reason: FlowEndReason): void {
    this.#dispatch({ type: 'TestCompleted' });
    if (this.#ended === null) this.#finish(reason);
  }

  #abort(problem: string): void {
    this.#problems.push(problem);
    if (this.#ended === null) this.#finish('Aborted');
  }

  #finish(ending: Ending): void {
    if (this.#ended !== null) return;
    this.#ended = ending;
    this.#endedAt = this.#clock.now();
    this.#session.stop();
    if (ending !== 'EndTest') return;
    // Observers of the end still run their checks after EndTest, as Connect's TestCompleted does.
    for (const o of this.test.observations) {
      if (o.event.type === 'TestCompleted' && this.#status.get(o.id) === 'active') this.#match(o, { type: 'TestCompleted' }, true);
    }
  }

  #result(): TestCaseResult {
    const ending = this.#ended!;
    const observations: ObservationResult[] = this.test.observations.map((o) => {
      const status = this.#status.get(o.id)!;
      const result = this.#results.get(o.id);
      const base = { id: o.id, event: describeExpected(o.event), actions: result?.actions ?? [], ...(result?.matchedAtMs === undefined ? {} : { matchedAtMs: result.matchedAtMs }) };
      switch (status) {
        case 'passed':
          return { ...base, status: 'PASSED', reason: result!.reason };
        case 'failed':
          return { ...base, status: 'FAILED', reason: result!.reason };
        case 'inactive':
          return { ...base, status: 'SKIPPED', reason: 'never became active: the observation before it did not pass' };
        case 'active':
          return ending === 'EndTest'
            ? { ...base, status: 'SKIPPED', reason: 'the test ended (EndTest) before this event happened' }
            : { ...base, status: 'FAILED', reason: notSeen(ending, this.options.timeLimitMs ?? TEST_TIME_LIMIT_MS) };
      }
    });
    const state = this.#session.state;
    return {
      name: this.test.name,
      passed: this.#problems.length === 0 && observations.every((o) => o.status !== 'FAILED'),
      problems: this.#problems,
      observations,
      path: this.#session.path,
      prompts: this.#session.prompts,
      attributes: state?.attributes ?? this.test.attributes,
      external: state?.external ?? {},
      logData: this.#logData,
      ended: ending,
      durationMs: this.#endedAt - this.#session.startedAt,
      notes: this.#notes,
    };
  }
}

function notSeen(ending: Ending, limitMs: number): string {
  switch (ending) {
    case 'Timeout':
      return `the event did not happen within ${seconds(limitMs)} of virtual time (Connect fails a test after 5 minutes)`;
    case 'AssertFailed':
      return 'not reached: an assert failed first';
    case 'Aborted':
      return 'not reached: the test could not go on (see problems)';
    case 'EndTest':
      return 'the test ended (EndTest) before this event happened';
    default:
      return `the contact ended (${ending}) before this event happened`;
  }
}

// ---- Matching -------------------------------------------------------------------------------------------

export function matches(expected: ExpectedEvent, actual: ActualEvent): boolean {
  switch (expected.type) {
    case 'TestInitiated':
    case 'TestCompleted':
      return actual.type === expected.type;
    case 'MessageReceived': {
      if (actual.type !== 'MessageReceived') return false;
      const { prompt } = actual.prompt;
      if (expected.promptId !== undefined) return prompt.kind === 'promptId' && sameResource(prompt.promptId, expected.promptId);
      if (expected.mediaUri !== undefined) return prompt.kind === 'media' && prompt.uri === expected.mediaUri;
      const wanted = expected.text ?? expected.ssml?.replace(/<[^>]*>/g, ' ') ?? '';
      // The prompt alone, or with those before it since the last key press (Connect joins them).
      return [actual.prompt.text, actual.segment].some((heard) => textMatches(wanted, heard, expected.criteria));
    }
    case 'FlowActionStarted':
    case 'FlowActionCompleted':
      return actual.type === expected.type && actual.actionType === expected.actionType && parametersMatch(expected.parameters, actual.parameters);
  }
}

const words = (text: string): string[] =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);

/**
 * Inclusion: the expected words appear in order, together (punctuation and case aside). Similarity:
 * Connect's semantic model is unpublished; at least half the expected words appearing stands in for it.
 */
export function textMatches(expected: string, heard: string, criteria: 'Similarity' | 'Inclusion'): boolean {
  const want = words(expected);
  const got = words(heard);
  if (want.length === 0) return false;
  if (criteria === 'Inclusion') return ` ${got.join(' ')} `.includes(` ${want.join(' ')} `);
  const present = new Set(got);
  return want.filter((w) => present.has(w)).length * 2 >= want.length;
}

/** Every expected parameter equals the actual one (ids and ARNs of the same resource are equal). */
function parametersMatch(expected: Readonly<Record<string, unknown>>, actual: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(expected).every(([key, want]) => {
    const got = actual[key];
    if (typeof want === 'object' && want !== null) return typeof got === 'object' && got !== null && parametersMatch(want as Record<string, unknown>, got as Record<string, unknown>);
    const w = asText(want);
    const g = asText(got);
    return w !== undefined && g !== undefined && sameResource(w, g);
  });
}

// ---- Words ----------------------------------------------------------------------------------------------

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function describeExpected(event: ExpectedEvent): string {
  switch (event.type) {
    case 'TestInitiated':
    case 'TestCompleted':
      return event.type;
    case 'MessageReceived': {
      const what = event.text ?? event.ssml ?? (event.promptId === undefined ? `media ${event.mediaUri}` : `prompt ${event.promptId}`);
      return `MessageReceived ${JSON.stringify(what)} (${event.criteria})`;
    }
    case 'FlowActionStarted':
    case 'FlowActionCompleted':
      return `${event.type} ${event.actionType}${Object.keys(event.parameters).length === 0 ? '' : ` ${describeParameters(event.parameters)}`}`;
  }
}

function describeActual(event: ActualEvent): string {
  switch (event.type) {
    case 'MessageReceived':
      return `: heard ${JSON.stringify(event.prompt.text)}${event.prompt.interrupted ? ' (interrupted)' : ''}`;
    case 'FlowActionStarted':
    case 'FlowActionCompleted':
      return `: ${event.actionType}`;
    default:
      return '';
  }
}

function describeParameters(parameters: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(parameters);
}

function describeStrategy(action: Override): string {
  const s = action.strategy;
  switch (s.type) {
    case 'SubstituteResource':
      return `substitute ${s.arn}`;
    case 'LambdaResult':
      return `mock ${JSON.stringify(s.data)}${s.delayMs > 0 ? ` after ${seconds(s.delayMs)}` : ''}`;
    case 'HoursResult':
      return `mock ${s.value}`;
    case 'Error':
      return `mock error ${s.value}`;
  }
}
