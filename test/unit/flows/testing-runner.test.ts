/**
 * runTestCase and traceFlow: test cases in Amazon Connect's testing language run against compiled flows
 * in virtual time: every supported event, instruction, assert and mock, passing and failing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compileFlow } from '../../../src/flows/index.js';
import { loadFlow, runTestCase, textMatches, traceFlow } from '../../../src/flows/testing/index.js';
import type { TestCaseResult } from '../../../src/flows/testing/index.js';
import { calleeScriptSchema } from '../../../src/telephony/sim/callee-script.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/flow-tests/${name}`, import.meta.url), 'utf8');

const LAMBDA = 'arn:aws:lambda:us-east-1:111122223333:function:lookup';
const fallbacks = (to: string, ...types: string[]) => types.map((ErrorType) => ({ ErrorType, NextAction: to }));
const on = (operand: string, to: string) => ({ NextAction: to, Condition: { Operator: 'Equals', Operands: [operand] } });

/** Lambda, hours, a DTMF menu, attributes, a queue and every ending, in one flow. */
const FLOW = compileFlow(
  JSON.stringify({
    Version: '2019-10-30',
    StartAction: 'lookup',
    Actions: [
      { Identifier: 'lookup', Type: 'InvokeLambdaFunction', Parameters: { LambdaFunctionARN: LAMBDA, InvocationTimeLimitSeconds: '3' }, Transitions: { NextAction: 'hours', Errors: fallbacks('sorry', 'NoMatchingError') } },
      {
        Identifier: 'hours',
        Type: 'CheckHoursOfOperation',
        Parameters: { HoursOfOperationId: 'hours-1' },
        Transitions: { NextAction: 'sorry', Conditions: [on('True', 'menu'), on('False', 'closed')], Errors: fallbacks('sorry', 'NoMatchingError') },
      },
      {
        Identifier: 'menu',
        Type: 'GetParticipantInput',
        Parameters: { Text: 'Hello $.External.name. Press 1 to confirm, 2 for an agent.', InputTimeLimitSeconds: '5', StoreInput: 'False' },
        Transitions: { NextAction: 'sorry', Conditions: [on('1', 'mark'), on('2', 'set-queue')], Errors: fallbacks('sorry', 'InputTimeLimitExceeded', 'NoMatchingCondition', 'NoMatchingError') },
      },
      { Identifier: 'mark', Type: 'UpdateContactAttributes', Parameters: { Attributes: { confirmed: 'yes', score: '42' } }, Transitions: { NextAction: 'thanks', Errors: fallbacks('sorry', 'NoMatchingError') } },
      { Identifier: 'thanks', Type: 'MessageParticipant', Parameters: { Text: 'Thank you. Goodbye.' }, Transitions: { NextAction: 'bye', Errors: fallbacks('bye', 'NoMatchingError') } },
      { Identifier: 'set-queue', Type: 'UpdateContactTargetQueue', Parameters: { QueueId: 'sales' }, Transitions: { NextAction: 'to-queue', Errors: fallbacks('sorry', 'NoMatchingError') } },
      { Identifier: 'to-queue', Type: 'TransferContactToQueue', Parameters: {}, Transitions: { NextAction: 'sorry', Errors: fallbacks('sorry', 'QueueAtCapacity', 'NoMatchingError') } },
      { Identifier: 'closed', Type: 'MessageParticipant', Parameters: { Text: 'We are closed.' }, Transitions: { NextAction: 'bye', Errors: fallbacks('bye', 'NoMatchingError') } },
      { Identifier: 'sorry', Type: 'MessageParticipant', Parameters: { Text: 'Sorry, something went wrong.' }, Transitions: { NextAction: 'bye', Errors: fallbacks('bye', 'NoMatchingError') } },
      { Identifier: 'bye', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
    ],
  }),
);

// ---- Test-case builders ---------------------------------------------------------------------------------

type Obs = { Identifier: string; Event: unknown; Actions: unknown[]; Transitions: { NextObservations: string[] } };
let n = 0;
const id = (prefix: string): string => `${prefix}-${++n}`;
const event = (Type: string, Properties: object = {}) => ({ Identifier: id('evt'), Type, Actor: 'System', Properties });
const message = (Text: string, criteria = 'Inclusion') => event('MessageReceived', { Text, MatchingCriteria: { Type: criteria } });
const dtmf = (Value: string) => ({ Identifier: id('dtmf'), Type: 'SendInstruction', Parameters: { ActionType: 'SendInstruction', Actor: 'Customer', Instruction: { Type: 'DtmfInput', Properties: { Value } } } });
const hangUp = () => ({ Identifier: id('hangup'), Type: 'SendInstruction', Parameters: { ActionType: 'SendInstruction', Actor: 'Customer', Instruction: { Type: 'Disconnect' } } });
const check = (Namespace: string, Operator: string, Operand?: string) => ({ Identifier: id('assert'), Type: 'Assert', Parameters: { Namespace, Operator, ...(Operand === undefined ? {} : { Operand }) } });
const endTest = () => ({ Identifier: id('end'), Type: 'TestControl', Parameters: { ActionType: 'TestControl', Command: { Type: 'EndTest' } } });
const logData = (Expressions: Record<string, string>) => ({ Identifier: id('log'), Type: 'TestControl', Parameters: { ActionType: 'TestControl', Command: { Type: 'LogData', Properties: { Expressions } } } });
const override = (ActionType: string, ActionParameters: object, Strategy: object) => ({
  Identifier: id('mock'),
  Type: 'OverrideSystemBehavior',
  Parameters: { ActionType: 'OverrideSystemBehavior', Behavior: { Type: 'FlowAction', Properties: { ActionType, ActionParameters, Strategy } } },
});
const lambdaReturns = (data: object, DelaySeconds = 0) =>
  override('InvokeLambdaFunction', { LambdaFunctionARN: LAMBDA }, { Type: 'MockResponse', Response: { Type: 'ExecutionResult', ExecutionResult: { DelaySeconds, LoadedData: JSON.stringify(data) } } });
const lambdaFails = (Value: string) => override('InvokeLambdaFunction', { LambdaFunctionARN: LAMBDA }, { Type: 'MockResponse', Response: { Type: 'Error', Error: { Value } } });
const hours = (Value: string) => override('CheckHoursOfOperation', { HoursOfOperationId: 'hours-1' }, { Type: 'MockResponse', Response: { Type: 'ExecutionResult', ExecutionResult: { Value } } });
const hoursFail = () => override('CheckHoursOfOperation', {}, { Type: 'MockResponse', Response: { Type: 'Error', Error: { Value: 'NoMatchingError' } } });

/** Observations chained in order: each activates the next. */
function chain(...steps: [event: unknown, ...actions: unknown[]][]): unknown {
  const observations: Obs[] = steps.map(([Event, ...Actions]) => ({ Identifier: id('obs'), Event, Actions, Transitions: { NextObservations: [] } }));
  observations.forEach((o, i) => {
    const next = observations[i + 1];
    if (next !== undefined) o.Transitions.NextObservations = [next.Identifier];
  });
  return { Name: 'unit', InitializationData: JSON.stringify({ Attributes: { tier: 'gold' } }), Content: JSON.stringify({ Version: '2019-10-30', Metadata: {}, Observations: observations }) };
}

const start = (...actions: unknown[]): [unknown, ...unknown[]] => [event('TestInitiated'), ...actions];
const inHoursWithName = (...more: unknown[]) => start(lambdaReturns({ name: 'Ada' }), hours('InHours'), ...more);
const statuses = (result: TestCaseResult): string[] => result.observations.map((o) => o.status);
const explain = (result: TestCaseResult): string => JSON.stringify(result, null, 2);

describe('runTestCase on the reference examples', () => {
  it('01, the AWS docs example: hours substitution, DTMF, queue announcement, Assert $.Queue.Name, EndTest', () => {
    const environment = JSON.parse(fixture('hours-menu-queue.env.json'));
    const result = runTestCase(loadFlow(fixture('hours-menu-queue.flow.json')), fixture('01-aws-doc-example.content.json'), { environment });
    assert.ok(result.passed, explain(result));
    assert.equal(result.ended, 'EndTest');
    assert.deepEqual(result.path, ['check-hours', 'menu', 'set-queue', 'announce', 'to-queue']);
  });

  it('02, Lambda mock at TestInitiated, FlowActionCompleted with $.External, Inclusion, LogData, Disconnect', () => {
    const result = runTestCase(loadFlow(fixture('renewal-reminder.describe-contact-flow.json')), fixture('02-outbound-style-lambda-mock.request.json'));
    assert.ok(result.passed, explain(result));
    assert.deepEqual(result.logData[0]?.values, { contact: result.logData[0]?.values.contact, policy: 'P-42' });
    assert.equal(result.attributes.renewalConfirmed, 'true');
    assert.match(result.prompts[0]!.text, /^Hello Alder\. Your renewal of 120 dollars is due on 2026-10-01\./);
  });

  it('03, the in-the-wild DTMF menu (sibling MatchingCriteria, numeric Value)', () => {
    const result = runTestCase(loadFlow(fixture('department-directory.flow.json')), fixture('03-in-the-wild-dtmf-menu.content.json'));
    assert.ok(result.passed, explain(result));
    assert.deepEqual(result.path, ['welcome', 'menu', 'sales', 'bye']);
  });

  it('fails a case whose expected message never comes, naming the observation and why', () => {
    const result = runTestCase(loadFlow(fixture('department-directory.flow.json')), fixture('department-directory.failing.test.json'));
    assert.equal(result.passed, false);
    const failed = result.observations.find((o) => o.status === 'FAILED');
    assert.equal(failed?.id, 'support-response');
    assert.match(failed?.reason ?? "", /the contact ended \(Disconnected\) before this event happened/);
  });
});

describe('runTestCase: events and instructions', () => {
  it('DtmfInput picks the branch; MessageReceived matches prompts with their references resolved', () => {
    const result = runTestCase(FLOW, chain(inHoursWithName(), [message('Hello Ada. Press 1'), dtmf('1')], [message('Thank you'), endTest()]));
    assert.ok(result.passed, explain(result));
    assert.deepEqual(result.path, ['lookup', 'hours', 'menu', 'mark', 'thanks', 'bye']);
    assert.deepEqual(statuses(result), ['PASSED', 'PASSED', 'PASSED']);
    assert.equal(result.attributes.confirmed, 'yes');
  });

  it('prompts take their simulated duration: the ten-word menu prompt ends 4 s after it starts', () => {
    const result = runTestCase(FLOW, chain(inHoursWithName(), [message('Press 1 to confirm'), dtmf('1')], [message('Goodbye'), endTest()]));
    assert.equal(result.observations[1]?.matchedAtMs, 10 * 400);
    assert.equal(result.prompts[0]?.text, 'Hello Ada. Press 1 to confirm, 2 for an agent.');
  });

  it('Disconnect hangs up: the contact ends CustomerHungUp and TestCompleted matches', () => {
    const test = chain(inHoursWithName(), [message('Press 1'), hangUp()], [event('TestCompleted'), check('$.Attributes.tier', 'Equals', 'gold')]);
    const result = runTestCase(FLOW, test);
    assert.ok(result.passed, explain(result));
    assert.equal(result.ended, 'CustomerHungUp');
  });

  it('FlowActionStarted matches TransferContactToQueue by the queue it uses', () => {
    const test = chain(inHoursWithName(), [message('Press 1'), dtmf('2')], [event('FlowActionStarted', { ActionType: 'TransferContactToQueue', ActionParameters: { QueueId: 'sales' } }), endTest()]);
    const result = runTestCase(FLOW, test);
    assert.ok(result.passed, explain(result));
    assert.ok(result.notes.some((note) => note.includes('queue sales is not in the environment')));
  });

  it('Similarity matches most of the words; Inclusion needs them together', () => {
    assert.ok(textMatches('Thank you for calling us', 'thanks for calling, you are important to us', 'Similarity'));
    assert.ok(!textMatches('press 1 for billing', 'press 2 for sales', 'Inclusion'));
    assert.ok(textMatches('PRESS 1', 'Please press 1, now.', 'Inclusion'));
    assert.ok(!textMatches('welcome to acme corporation billing', 'goodbye', 'Similarity'));
  });

  it('an event that never comes fails at the time limit', () => {
    const result = runTestCase(FLOW, chain(inHoursWithName(), [message('a message the flow never plays')]), { timeLimitMs: 2000 });
    assert.equal(result.passed, false);
    assert.equal(result.ended, 'Timeout');
    assert.match(result.observations[1]!.reason, /did not happen within 2\.0 s of virtual time/);
  });
});

describe('runTestCase: Assert', () => {
  it('passes every operator on attributes, $.External and its alias, and Exists', () => {
    const asserts = [
      check('$.Attributes.confirmed', 'Equals', 'yes'),
      check('$.Attributes.confirmed', 'TextStartsWith', 'y'),
      check('$.Attributes.confirmed', 'TextEndsWith', 'es'),
      check('$.Attributes.tier', 'TextContains', 'ol'),
      check('$.Attributes.score', 'NumberGreaterThan', '41'),
      check('$.Attributes.score', 'NumberGreaterOrEqualTo', '42'),
      check('$.Attributes.score', 'NumberLessThan', '43'),
      check('$.Attributes.score', 'NumberLessOrEqualTo', '42'),
      check('$.Attributes.score', 'Exists'),
      check('$.External.name', 'Equals', 'Ada'),
      check('$.LambdaInvocation.ResultData.name', 'Equals', 'Ada'),
    ];
    const result = runTestCase(FLOW, chain(inHoursWithName(), [message('Press 1'), dtmf('1')], [message('Goodbye'), ...asserts, endTest()]));
    assert.ok(result.passed, explain(result));
    assert.ok(result.observations[2]!.actions.slice(0, -1).every((a) => a.status === 'PASSED'));
  });

  it('a failing assert fails its observation with expected and actual, stops the test, skips the rest', () => {
    const test = chain(inHoursWithName(), [message('Press 1'), check('$.Attributes.tier', 'Equals', 'silver'), dtmf('1')], [message('Goodbye')]);
    const result = runTestCase(FLOW, test);
    assert.equal(result.passed, false);
    assert.equal(result.ended, 'AssertFailed');
    assert.deepEqual(statuses(result), ['PASSED', 'FAILED', 'SKIPPED']);
    assert.match(result.observations[1]!.reason, /\$\.Attributes\.tier Equals "silver": does not hold, actual "gold"/);
    assert.equal(result.observations[1]!.actions.length, 1, 'the key press after the failed assert does not run');
  });

  it('Exists fails on a missing attribute', () => {
    const result = runTestCase(FLOW, chain(start(check('$.Attributes.missing', 'Exists'))));
    assert.equal(result.passed, false);
    assert.match(result.observations[0]!.reason, /actual nothing/);
  });
});

describe('runTestCase: OverrideSystemBehavior', () => {
  it('a Lambda mock answers after DelaySeconds and FlowActionCompleted sees $.External', () => {
    const test = chain(start(lambdaReturns({ name: 'Bo' }, 2), hours('InHours')), [event('FlowActionCompleted', { ActionType: 'InvokeLambdaFunction', ActionParameters: { LambdaFunctionARN: LAMBDA } }), check('$.External.name', 'Equals', 'Bo'), endTest()]);
    const result = runTestCase(FLOW, test);
    assert.ok(result.passed, explain(result));
    assert.equal(result.observations[1]!.matchedAtMs, 2000);
  });

  it('a Lambda NoMatchingError mock takes the error branch, and FlowActionCompleted does not match it', () => {
    const result = runTestCase(FLOW, chain(start(lambdaFails('NoMatchingError')), [message('Sorry, something went wrong'), endTest()]));
    assert.ok(result.passed, explain(result));
    assert.deepEqual(result.path.slice(0, 2), ['lookup', 'sorry']);
    const completed = runTestCase(FLOW, chain(start(lambdaFails('NoMatchingError')), [event('FlowActionCompleted', { ActionType: 'InvokeLambdaFunction' })]));
    assert.equal(completed.passed, false);
  });

  it('a Lambda TimeLimitExceeded mock lets the flow time out after InvocationTimeLimitSeconds', () => {
    const result = runTestCase(FLOW, chain(start(lambdaFails('TimeLimitExceeded')), [message('Sorry'), endTest()]));
    assert.ok(result.passed, explain(result));
    assert.equal(result.prompts[0]?.atMs, 3000);
  });

  it('an unmocked Lambda fails the case with a message naming the function', () => {
    const result = runTestCase(FLOW, chain(start(), [message('Hello')]));
    assert.equal(result.passed, false);
    assert.equal(result.ended, 'Aborted');
    assert.match(result.problems[0]!, /InvokeLambdaFunction arn:aws:lambda:us-east-1:111122223333:function:lookup ran with no mock left/);
  });

  it('mocks are used once, first in first out', () => {
    const twice = chain(start(lambdaReturns({ name: 'First' }), lambdaReturns({ name: 'Second' }), hours('InHours')), [message('Hello First'), endTest()]);
    assert.ok(runTestCase(FLOW, twice).passed);
  });

  it('hours mocks: OutOfHours and NoMatchingError take their branches; a substitute comes from the environment', () => {
    const closed = runTestCase(FLOW, chain(start(lambdaReturns({}), hours('OutOfHours')), [message('We are closed'), endTest()]));
    assert.ok(closed.passed, explain(closed));
    const broken = runTestCase(FLOW, chain(start(lambdaReturns({}), hoursFail()), [message('Sorry'), endTest()]));
    assert.ok(broken.passed, explain(broken));
    const substitute = override('CheckHoursOfOperation', { HoursOfOperationId: 'hours-1' }, { Type: 'SubstituteResource', SubstituteArn: 'arn:aws:connect:us-east-1:1:instance/i/operating-hours/never' });
    const environment = { hoursOfOperation: { never: { timeZone: 'UTC', config: [] } } };
    assert.ok(runTestCase(FLOW, chain(start(lambdaReturns({}), substitute), [message('We are closed'), endTest()]), { environment }).passed);
    const unknown = runTestCase(FLOW, chain(start(lambdaReturns({}), substitute), [message('We are closed'), endTest()]));
    assert.match(unknown.problems.join(), /substitute hours .* are not in the environment/);
  });

  it('without a mock, hours come from the environment at the virtual start time', () => {
    const environment = { hoursOfOperation: { 'hours-1': { timeZone: 'UTC', config: [{ Day: 'MONDAY' as const, StartTime: { Hours: 9, Minutes: 0 }, EndTime: { Hours: 17, Minutes: 0 } }] } } };
    const open = runTestCase(FLOW, chain(start(lambdaReturns({ name: 'Ada' })), [message('Press 1'), endTest()]), { environment });
    assert.ok(open.passed, explain(open));
    const night = runTestCase(FLOW, chain(start(lambdaReturns({ name: 'Ada' })), [message('closed'), endTest()]), { environment: { ...environment, startTime: Date.UTC(2026, 0, 5, 20) } });
    assert.ok(night.passed, explain(night));
  });
});

describe('runTestCase: TestControl', () => {
  it('LogData evaluates JSONPaths and text with references', () => {
    const result = runTestCase(FLOW, chain(inHoursWithName(logData({ tier: '$.Attributes.tier', line: 'contact $.ContactId for $.External.name', none: '$.Attributes.nope' }), endTest())));
    assert.ok(result.passed, explain(result));
    assert.deepEqual(result.logData[0]?.values, { tier: 'gold', line: `contact ${result.logData[0]?.values.line?.split(' ')[1]} for `, none: null });
  });

  it('EndTest skips observations still waiting, and the flow stops', () => {
    const test = { Content: { Version: '2019-10-30', Observations: [{ Identifier: 'a', Event: event('TestInitiated'), Actions: [endTest()] }, { Identifier: 'b', Event: message('Hello') }] } };
    const result = runTestCase(FLOW, test);
    assert.ok(result.passed, explain(result));
    assert.deepEqual(statuses(result), ['PASSED', 'SKIPPED']);
    assert.deepEqual(result.path, []);
  });

  it('a case with parse problems fails without running', () => {
    const result = runTestCase(FLOW, { Content: { Version: '2019-10-30', Observations: [{ Identifier: 'a', Event: { Type: 'Nope' } }] } });
    assert.equal(result.passed, false);
    assert.match(result.problems.join(), /event Type "Nope" is not supported/);
  });
});

describe('traceFlow', () => {
  const directory = () => loadFlow(fixture('department-directory.flow.json'));
  const script = (s: object) => calleeScriptSchema.parse({ match: '+*', ...s });

  it('follows a callee that presses 2 after each prompt', () => {
    const trace = traceFlow(directory(), script({ pressAfterEachPrompt: '2' }));
    assert.deepEqual(trace.path, ['welcome', 'menu', 'support', 'bye']);
    assert.equal(trace.outcome, 'Disconnected');
    assert.ok(trace.timeline.some((t) => t.what === 'callee presses 2'));
  });

  it('reports a callee hanging up mid-prompt, and a busy line where the flow never runs', () => {
    assert.equal(traceFlow(directory(), script({ hangUpDuringPrompt: 1 })).outcome, 'CustomerHungUp');
    const busy = traceFlow(directory(), script({ outcome: 'busy' }));
    assert.equal(busy.outcome, 'busy');
    assert.deepEqual(busy.path, []);
  });

  it('times out the menu when the callee stays silent', () => {
    const trace = traceFlow(directory());
    assert.deepEqual(trace.path, ['welcome', 'menu', 'bye']);
  });
});
