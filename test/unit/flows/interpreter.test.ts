import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { compileFlow, initialStep, MAX_ACTIONS_PER_STEP, step } from '../../../src/flows/index.js';
import type { CompiledFlow, FlowCommand, FlowContext, FlowEvent, FlowLogEntry, FlowState, StepResult } from '../../../src/flows/index.js';
import { contextFrom } from '../../helpers/flow-trace.js';

const T0 = Date.UTC(2026, 0, 5, 15, 0);
let clock = T0;

const startEvent = (): FlowEvent => ({ type: 'FlowStarted', at: (clock = T0) });
const digits = (keys: string): FlowEvent => ({ type: 'Digits', keys, at: (clock += 1000) });
const timerFired = (seq: number): FlowEvent => ({ type: 'TimerFired', seq, at: (clock += 1000) });
const promptFinished = (seq: number): FlowEvent => ({ type: 'PromptFinished', seq, at: (clock += 1000) });
const lambdaResult = (seq: number, values: Record<string, unknown>): FlowEvent => ({ type: 'LambdaResult', seq, ok: true, values, at: (clock += 1000) });
const hungUp = (): FlowEvent => ({ type: 'CustomerHungUp', at: (clock += 1000) });

const playText = (seq: number, text: string, interruptibleByDigits = false): FlowCommand => ({
  type: 'Play',
  seq,
  prompt: { kind: 'text', text },
  voice: { voice: 'Joanna' },
  interruptibleByDigits,
});
const startTimer = (seq: number, ms: number): FlowCommand => ({ type: 'StartTimer', seq, ms });
const cancelTimer = (seq: number): FlowCommand => ({ type: 'CancelTimer', seq });
const hangUpAndEnd: FlowCommand[] = [{ type: 'Disconnect' }, { type: 'EndFlow', reason: 'Disconnected' }];

function compareCommands(result: StepResult, expected: FlowCommand[]): void {
  assert.deepEqual(result.commands.filter((c) => c.type !== 'Log'), expected);
}

function logEntries(result: StepResult): FlowLogEntry[] {
  return result.commands.flatMap((c) => (c.type === 'Log' ? [c.entry] : []));
}

function context(overrides: Partial<FlowContext> = {}): FlowContext {
  return {
    ...contextFrom({
      contact: {
        contactId: 'c-1',
        initialContactId: 'c-1',
        instanceArn: 'arn:aws:connect:us-east-1:123456789012:instance/i-1',
        customerAddress: '+15550100',
        systemAddress: '+15550199',
        attributes: { name: 'Ana' },
      },
      seed: 'c-1',
    }),
    ...overrides,
  };
}

type Action = Record<string, unknown>;
const say = (id: string, text: string, next = 'end'): Action => ({
  Identifier: id,
  Type: 'MessageParticipant',
  Parameters: { Text: text },
  Transitions: { NextAction: next, Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'end' }] },
});
const end: Action = { Identifier: 'end', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} };

function flowOf(...actions: Action[]): CompiledFlow {
  return compileFlow(JSON.stringify({ Version: '2019-10-30', StartAction: actions[0]!.Identifier, Actions: [...actions, end] }));
}

const menu = flowOf(
  {
    Identifier: 'menu',
    Type: 'GetParticipantInput',
    Parameters: { Text: 'Press 1', StoreInput: 'False', InputTimeLimitSeconds: '8' },
    Transitions: {
      NextAction: 'end',
      Conditions: [{ NextAction: 'one', Condition: { Operator: 'Equals', Operands: ['1'] } }],
      Errors: [
        { ErrorType: 'InputTimeLimitExceeded', NextAction: 'slow' },
        { ErrorType: 'NoMatchingCondition', NextAction: 'end' },
        { ErrorType: 'NoMatchingError', NextAction: 'end' },
      ],
    },
  },
  say('one', 'You pressed one, $.Attributes.name'),
  say('slow', 'Too slow'),
);

describe('interpreter', () => {
  it('plays the prompt, waits for the first key, then branches on it', () => {
    // Arrange
    const ctx = context();
    // Act
    const started = initialStep(menu, ctx, startEvent().at);
    const waiting = step(menu, started.state, promptFinished(1), ctx);
    const pressed = step(menu, waiting.state, digits('1'), ctx);
    const done = step(menu, pressed.state, promptFinished(3), ctx);
    // Assert
    compareCommands(started, [playText(1, 'Press 1', true)]);
    compareCommands(waiting, [startTimer(2, 8000)]);
    compareCommands(pressed, [cancelTimer(2), playText(3, 'You pressed one, Ana')]);
    compareCommands(done, hangUpAndEnd);
    assert.equal(done.state.ended, 'Disconnected');
  });

  it('ignores a stale timer deterministically and leaves the state as it was', () => {
    const ctx = context();
    const started = initialStep(menu, ctx, startEvent().at);
    const waiting = step(menu, started.state, promptFinished(1), ctx);
    const pressed = step(menu, waiting.state, digits('1'), ctx);

    const late = step(menu, pressed.state, timerFired(2), ctx);

    compareCommands(late, []);
    assert.deepEqual(late.state, pressed.state);
    assert.equal(logEntries(late)[0]?.kind, 'EventReceived');
  });

  it('does not change the state it is given', () => {
    const ctx = context();
    const started = initialStep(menu, ctx, startEvent().at);
    const frozen = JSON.stringify(started.state);

    step(menu, started.state, promptFinished(1), ctx);

    assert.equal(JSON.stringify(started.state), frozen);
  });

  it('ignores every event after the flow has ended', () => {
    const ctx = context();
    const ended = step(menu, initialStep(menu, ctx, startEvent().at).state, hungUp(), ctx);

    const after = step(menu, ended.state, digits('1'), ctx);

    compareCommands(ended, [{ type: 'EndFlow', reason: 'CustomerHungUp' }]);
    compareCommands(after, []);
    assert.equal(after.state.ended, 'CustomerHungUp');
  });

  it('logs action entered with resolved parameters, events, branches and attribute changes', () => {
    const flow = flowOf(
      { Identifier: 'set', Type: 'UpdateContactAttributes', Parameters: { Attributes: { who: '$.Attributes.name' } }, Transitions: { NextAction: 'hi', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'end' }] } },
      say('hi', 'Hi'),
    );

    const entries = logEntries(initialStep(flow, context(), T0));

    assert.deepEqual(
      entries.map((e) => e.kind),
      ['EventReceived', 'ActionEntered', 'AttributesChanged', 'BranchTaken', 'ActionEntered'],
    );
    assert.deepEqual(entries[1], { kind: 'ActionEntered', actionType: 'UpdateContactAttributes', parameters: { Attributes: { who: 'Ana' } }, at: T0, actionId: 'set' });
    assert.deepEqual(entries[2], { kind: 'AttributesChanged', attributes: { who: 'Ana' }, at: T0, actionId: 'set' });
    assert.deepEqual(entries[3], { kind: 'BranchTaken', branch: 'NextAction', nextActionId: 'hi', at: T0, actionId: 'set' });
  });

  it('stops logging after UpdateFlowLoggingBehavior Disabled and starts again after Enabled', () => {
    const flow = flowOf(
      { Identifier: 'off', Type: 'UpdateFlowLoggingBehavior', Parameters: { FlowLoggingBehavior: 'Disabled' }, Transitions: { NextAction: 'quiet' } },
      say('quiet', 'Quiet', 'on'),
      { Identifier: 'on', Type: 'UpdateFlowLoggingBehavior', Parameters: { FlowLoggingBehavior: 'Enabled' }, Transitions: { NextAction: 'loud' } },
      say('loud', 'Loud'),
    );
    const ctx = context();

    const started = initialStep(flow, ctx, T0);
    const resumed = step(flow, started.state, promptFinished(1), ctx);

    assert.deepEqual(logEntries(started).map((e) => e.actionId), [null, 'off']);
    assert.deepEqual(logEntries(resumed).map((e) => `${e.kind} ${e.actionId}`), ['BranchTaken on', 'ActionEntered loud']);
  });

  it('honours an instance that starts with logging off', () => {
    assert.deepEqual(logEntries(initialStep(menu, context({ loggingEnabled: false }), T0)), []);
  });

  it('names the unsupported action in the flow log', () => {
    const flow = flowOf({ Identifier: 'bot', Type: 'ConnectParticipantWithLexBot', Parameters: { Text: 'Speak' }, Transitions: { NextAction: 'end', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'end' }] } });

    const unsupported = logEntries(initialStep(flow, context(), T0)).find((e) => e.kind === 'Unsupported');

    assert.deepEqual(unsupported, { kind: 'Unsupported', actionType: 'ConnectParticipantWithLexBot', message: 'ConnectParticipantWithLexBot is not supported', at: T0, actionId: 'bot' });
  });

  it('keeps UpdateContactEventHooks, recording and voice in the state', () => {
    const flow = flowOf(
      { Identifier: 'hook', Type: 'UpdateContactEventHooks', Parameters: { EventHooks: { CustomerQueue: 'f-queue' } }, Transitions: { NextAction: 'rec' } },
      { Identifier: 'rec', Type: 'UpdateContactRecordingBehavior', Parameters: { RecordingBehavior: { RecordedParticipants: ['Customer'] } }, Transitions: { NextAction: 'voice' } },
      { Identifier: 'voice', Type: 'UpdateContactTextToSpeechVoice', Parameters: { TextToSpeechVoice: 'Lupe' }, Transitions: { NextAction: 'end' } },
    );

    const { state } = initialStep(flow, context(), T0);

    assert.deepEqual(state.eventHooks, { CustomerQueue: 'f-queue' });
    assert.deepEqual(state.recording, { RecordingBehavior: { RecordedParticipants: ['Customer'] } });
    assert.deepEqual(state.voice, { voice: 'Lupe' });
  });

  it('sends the Lambda payload in the shape Connect sends', () => {
    const flow = flowOf({
      Identifier: 'fn',
      Type: 'InvokeLambdaFunction',
      Parameters: { LambdaFunctionARN: 'arn:aws:lambda:us-east-1:1:function:f', LambdaInvocationAttributes: { who: '$.Attributes.name' } },
      Transitions: { NextAction: 'end', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'end' }] },
    });

    const started = initialStep(flow, context(), T0);
    const [invoke] = started.commands.filter((c) => c.type === 'InvokeLambda');
    const answered = step(flow, started.state, lambdaResult(1, { balance: 3 }), context());

    assert.ok(invoke?.type === 'InvokeLambda');
    assert.equal(invoke.timeoutMs, 3000);
    assert.equal(invoke.payload.Name, 'ContactFlowEvent');
    assert.deepEqual(invoke.payload.Details.Parameters, { who: 'Ana' });
    assert.deepEqual(invoke.payload.Details.ContactData.CustomerEndpoint, { Address: '+15550100', Type: 'TELEPHONE_NUMBER' });
    assert.equal(invoke.payload.Details.ContactData.Channel, 'VOICE');
    assert.deepEqual(answered.state.external, { balance: '3' });
  });

  it('stops a flow that loops without waiting', () => {
    const flow = compileFlow(
      JSON.stringify({
        Version: '2019-10-30',
        StartAction: 'a',
        Actions: [
          { Identifier: 'a', Type: 'CompleteOutboundCall', Parameters: {}, Transitions: { NextAction: 'b' } },
          { Identifier: 'b', Type: 'CompleteOutboundCall', Parameters: {}, Transitions: { NextAction: 'a' } },
        ],
      }),
    );

    const result = initialStep(flow, context(), T0);

    compareCommands(result, [{ type: 'Disconnect' }, { type: 'EndFlow', reason: 'Error' }]);
    assert.match(JSON.stringify(logEntries(result).at(-1)), new RegExp(`ran ${MAX_ACTIONS_PER_STEP} actions`));
  });

  it('draws the same DistributeByPercentage branches for the same seed', () => {
    const flow = flowOf(
      { Identifier: 'split', Type: 'DistributeByPercentage', Parameters: {}, Transitions: { Conditions: [{ NextAction: 'a', Condition: { Operator: 'NumberLessThan', Operands: ['51'] } }], Errors: [{ ErrorType: 'NoMatchingCondition', NextAction: 'b' }] } },
      say('a', 'A'),
      say('b', 'B'),
    );
    const draws = (seed: number): string[] =>
      Array.from({ length: 40 }, (_, i) => {
        const played = initialStep(flow, context({ seed: seed * 1000 + i }), T0).commands.find((c) => c.type === 'Play');
        return played?.type === 'Play' && played.prompt.kind === 'text' ? played.prompt.text : '';
      });

    assert.deepEqual(draws(1), draws(1));
    assert.ok(draws(1).includes('A') && draws(1).includes('B'), 'both branches are reachable');
  });

  it('ends with a hang-up when the transferred-to flow disappears before the next event', () => {
    const other = flowOf(say('there', 'There'));
    const flow = flowOf({ Identifier: 'go', Type: 'TransferToFlow', Parameters: { ContactFlowId: 'f-2' }, Transitions: { NextAction: 'end', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'end' }] } });
    const started = initialStep(flow, context({ flow: (ref) => (ref === 'f-2' ? other : undefined) }), T0);

    const result = step(flow, started.state, promptFinished(1), context());

    assert.equal(started.state.flowRef, 'f-2');
    compareCommands(result, [{ type: 'Disconnect' }, { type: 'EndFlow', reason: 'Error' }]);
  });
});

describe('rehydration', () => {
  it('continues from a state that went through JSON exactly as from the live one, replaying nothing', () => {
    // Arrange: stop mid-flow, waiting for a key with a timer running.
    const ctx = context();
    const started = initialStep(menu, ctx, startEvent().at);
    const waiting = step(menu, started.state, promptFinished(1), ctx);
    const persisted: FlowState = JSON.parse(JSON.stringify(waiting.state)) as FlowState;
    // Act
    const key = digits('1');
    const live = step(menu, waiting.state, key, ctx);
    const restored = step(menu, persisted, key, context());
    // Assert: the same commands, none from before the restart.
    assert.deepEqual(restored, live);
    compareCommands(restored, [cancelTimer(2), playText(3, 'You pressed one, Ana')]);
  });

  it('keeps loop counters and the random generator across a restart', () => {
    const flow = flowOf(
      { Identifier: 'loop', Type: 'Loop', Parameters: { LoopCount: '2' }, Transitions: { NextAction: 'done', Conditions: [{ NextAction: 'again', Condition: { Operator: 'Equals', Operands: ['ContinueLooping'] } }, { NextAction: 'done', Condition: { Operator: 'Equals', Operands: ['DoneLooping'] } }] } },
      say('again', 'Again', 'loop'),
      say('done', 'Done'),
    );
    const ctx = context();
    let state = initialStep(flow, ctx, T0).state;
    const played: FlowCommand[] = [];
    for (const seq of [1, 2]) {
      state = JSON.parse(JSON.stringify(state)) as FlowState;
      const result = step(flow, state, promptFinished(seq), ctx);
      played.push(...result.commands.filter((c) => c.type === 'Play'));
      state = result.state;
    }

    assert.deepEqual(played, [playText(2, 'Again'), playText(3, 'Done')]);
  });
});
