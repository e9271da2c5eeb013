import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { compileFlow, FlowValidationError } from '../../../src/flows/index.js';

const FIXTURES = new URL('../../fixtures/flows/', import.meta.url);

/** The flow-language content of a fixture (DescribeContactFlow-shaped files hold it as a string). */
function fixtureContent(file: string): string {
  const document = JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as { Content?: string };
  return typeof document.Content === 'string' ? document.Content : JSON.stringify(document);
}

type Action = Record<string, unknown>;

function disconnect(id = 'end'): Action {
  return { Identifier: id, Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} };
}

function flow(actions: Action[], fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ Version: '2019-10-30', StartAction: actions[0]?.Identifier, Actions: actions, ...fields });
}

/** One action under test, followed by a DisconnectParticipant named "end" for its transitions. */
function withAction(action: Action): string {
  return flow([{ Identifier: 'a', Parameters: {}, Transitions: {}, ...action }, disconnect()]);
}

const errorsTo = (...types: string[]): unknown[] => types.map((ErrorType) => ({ ErrorType, NextAction: 'end' }));

/** The problem messages compileFlow reports; fails the test if it accepts the content. */
function problems(content: string): string[] {
  try {
    compileFlow(content);
  } catch (error) {
    assert.ok(error instanceof FlowValidationError, `expected FlowValidationError, got ${String(error)}`);
    return error.problems.map((p) => p.message);
  }
  assert.fail('expected the flow to be refused');
}

function assertProblem(content: string, pattern: RegExp): void {
  const found = problems(content);
  assert.ok(found.some((m) => pattern.test(m)), `no problem matches ${pattern}; got ${JSON.stringify(found)}`);
}

describe('compileFlow', () => {
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
    it(`compiles the real export ${file} without edits`, () => {
      const compiled = compileFlow(fixtureContent(file));

      assert.ok(compiled.actions.has(compiled.startAction));
    });
  }

  it('keeps actions in a Map so prototype-like names stay data', () => {
    const compiled = compileFlow(withAction({ Type: 'MessageParticipant', Parameters: { Text: 'hi' }, Transitions: { NextAction: 'end' } }));

    assert.ok(compiled.actions instanceof Map);
    assert.equal(compiled.actions.get('a')?.next, 'end');
  });

  it('refuses content that is not JSON', () => {
    assertProblem('{"Version":', /not valid JSON/);
  });

  it('refuses content that is not an object', () => {
    assertProblem('[]', /JSON object/);
  });

  it('refuses a wrong Version', () => {
    assertProblem(flow([disconnect()], { Version: '2020-01-01' }), /Version must be "2019-10-30"/);
  });

  it('refuses Actions that are not an array', () => {
    assertProblem(JSON.stringify({ Version: '2019-10-30', StartAction: 'x', Actions: {} }), /Actions must be an array/);
  });

  it('refuses a StartAction that names no action, suggesting the near miss', () => {
    assertProblem(flow([disconnect('Hang Up')], { StartAction: 'hang up' }), /StartAction "hang up" does not name an action.*Did you mean "Hang Up"/);
  });

  it('refuses duplicate identifiers', () => {
    assertProblem(flow([disconnect('x'), disconnect('x')]), /Action "x": the Identifier is used by more than one action/);
  });

  it('refuses identifiers over 50 characters', () => {
    assertProblem(flow([disconnect('x'.repeat(51))]), /longer than 50 characters/);
  });

  it('refuses identifiers with forbidden characters', () => {
    for (const id of ['a:b', 'a$b', 'a(b)', 'a/b', 'a{b}', 'a,b']) assertProblem(flow([disconnect(id)]), /may not contain/);
  });

  it('refuses prototype names as identifiers', () => {
    assertProblem(flow([disconnect('__proto__')]), /reserved JavaScript name/);
    assertProblem(flow([disconnect('constructor')]), /reserved JavaScript name/);
  });

  it('accepts 250 actions and refuses 251', () => {
    const actions = (n: number): Action[] => Array.from({ length: n }, (_, i) => disconnect(`a${i}`));

    assert.doesNotThrow(() => compileFlow(flow(actions(250))));
    assertProblem(flow(actions(251)), /at most 250 actions; this one has 251/);
  });

  it('refuses an unknown Type and points to the spelling it meant', () => {
    assertProblem(withAction({ Type: 'messageparticipant' }), /Action "a": unknown Type "messageparticipant". Did you mean "MessageParticipant"/);
  });

  it('explains the legacy console export format', () => {
    assertProblem(withAction({ Type: 'PlayPrompt' }), /legacy console export format/);
  });

  it('refuses a NextAction that resolves to nothing', () => {
    assertProblem(withAction({ Type: 'MessageParticipant', Parameters: { Text: 'x' }, Transitions: { NextAction: 'nowhere' } }), /NextAction goes to "nowhere", which is not an action/);
  });

  it('refuses condition and error targets that resolve to nothing', () => {
    const content = withAction({
      Type: 'Compare',
      Parameters: { ComparisonValue: '$.Attributes.x' },
      Transitions: {
        NextAction: 'end',
        Conditions: [{ NextAction: 'gone', Condition: { Operator: 'Equals', Operands: ['1'] } }],
        Errors: [{ ErrorType: 'NoMatchingCondition', NextAction: 'lost' }],
      },
    });

    assertProblem(content, /Conditions\[0\] goes to "gone"/);
    assertProblem(content, /error NoMatchingCondition goes to "lost"/);
  });

  it('refuses transitions on a terminal action', () => {
    assertProblem(flow([{ ...disconnect('a'), Transitions: { NextAction: 'end' } }, disconnect()]), /terminal action must have empty Transitions/);
  });

  it('refuses an unknown operator', () => {
    assertProblem(
      withAction({ Type: 'Compare', Parameters: { ComparisonValue: '$.Channel' }, Transitions: { Conditions: [{ NextAction: 'end', Condition: { Operator: 'Is', Operands: ['VOICE'] } }] } }),
      /operator "Is"; use one of Equals/,
    );
  });

  it('refuses conditions on an action that takes none', () => {
    assertProblem(
      withAction({ Type: 'MessageParticipant', Parameters: { Text: 'x' }, Transitions: { NextAction: 'end', Conditions: [{ NextAction: 'end', Condition: { Operator: 'Equals', Operands: ['1'] } }] } }),
      /takes no Conditions/,
    );
  });

  it('refuses operators and operands the action never produces', () => {
    const gpi = (operator: string, operand: string): string =>
      withAction({
        Type: 'GetParticipantInput',
        Parameters: { Text: 'Press', StoreInput: 'False' },
        Transitions: { NextAction: 'end', Errors: errorsTo('NoMatchingError'), Conditions: [{ NextAction: 'end', Condition: { Operator: operator, Operands: [operand] } }] },
      });

    assertProblem(gpi('TextContains', '1'), /uses TextContains; this action allows Equals/);
    assertProblem(gpi('Equals', '12'), /operand \["12"\], which this action never produces/);
    assertProblem(
      withAction({ Type: 'Loop', Parameters: { LoopCount: '2' }, Transitions: { Conditions: [{ NextAction: 'end', Condition: { Operator: 'Equals', Operands: ['Again'] } }] } }),
      /never produces/,
    );
  });

  it('refuses error types the action does not raise', () => {
    assertProblem(withAction({ Type: 'MessageParticipant', Parameters: { Text: 'x' }, Transitions: { NextAction: 'end', Errors: errorsTo('QueueAtCapacity') } }), /error type QueueAtCapacity is not raised by this action; it allows NoMatchingError/);
  });

  it('requires NoMatchingError on GetParticipantInput', () => {
    assertProblem(withAction({ Type: 'GetParticipantInput', Parameters: { Text: 'Press' }, Transitions: { NextAction: 'end' } }), /add an Errors entry for NoMatchingError/);
  });

  it('requires the parameters of the actions that run', () => {
    const cases: [Action, RegExp][] = [
      [{ Type: 'MessageParticipant', Parameters: {} }, /set exactly one of Text, SSML, PromptId, Media \(found none\)/],
      [{ Type: 'MessageParticipant', Parameters: { Text: 'a', SSML: '<speak/>' } }, /found Text, SSML/],
      [{ Type: 'MessageParticipant', Parameters: { Media: { SourceType: 'S3' } } }, /Media needs a Uri/],
      [{ Type: 'UpdateContactAttributes', Parameters: {} }, /Attributes must be an object/],
      [{ Type: 'Compare', Parameters: {} }, /ComparisonValue is required/],
      [{ Type: 'UpdateContactTargetQueue', Parameters: {} }, /exactly one of QueueId and AgentId/],
      [{ Type: 'TransferToFlow', Parameters: {} }, /ContactFlowId is required/],
      [{ Type: 'Loop', Parameters: { LoopCount: '101' } }, /LoopCount must be a whole number from 0 to 100/],
      [{ Type: 'UpdateContactTextToSpeechVoice', Parameters: {} }, /at least one of TextToSpeechVoice/],
      [{ Type: 'UpdateContactRecordingBehavior', Parameters: { RecordingBehavior: { RecordedParticipants: ['Bot'] } } }, /RecordedParticipants/],
      [{ Type: 'UpdateFlowLoggingBehavior', Parameters: { LoggingBehavior: 'Enabled' } }, /FlowLoggingBehavior is required/],
      [{ Type: 'UpdateFlowLoggingBehavior', Parameters: { FlowLoggingBehavior: 'On' } }, /FlowLoggingBehavior must be one of Enabled, Disabled/],
      [{ Type: 'UpdateContactEventHooks', Parameters: { EventHooks: { CustomerQueue: 'q', AgentWhisper: 'w' } } }, /exactly one hook/],
      [{ Type: 'InvokeLambdaFunction', Parameters: {} }, /LambdaFunctionARN is required/],
      [{ Type: 'InvokeLambdaFunction', Parameters: { LambdaFunctionARN: 'arn', InvocationTimeLimitSeconds: '9' } }, /from 1 to 8/],
      [{ Type: 'GetParticipantInput', Parameters: { Text: 'x', InputTimeLimitSeconds: '0' } }, /InputTimeLimitSeconds must be a static number/],
      [{ Type: 'GetParticipantInput', Parameters: { Text: 'x', StoreInput: 'True' } }, /needs InputValidation/],
      [{ Type: 'GetParticipantInput', Parameters: { Text: 'x', StoreInput: 'True', InputValidation: { CustomValidation: {} } } }, /CustomValidation needs MaximumLength/],
      [{ Type: 'GetParticipantInput', Parameters: { Text: 'x', StoreInput: 'True', InputValidation: { PhoneNumberValidation: { NumberFormat: 'Local' } } } }, /needs a CountryCode/],
      [{ Type: 'GetParticipantInput', Parameters: { Text: 'x', DTMFConfiguration: { InputTerminationSequence: '######' } } }, /InputTerminationSequence must be 1 to 5/],
    ];
    for (const [action, pattern] of cases) {
      assertProblem(withAction({ ...action, Transitions: { NextAction: 'end', Errors: errorsTo('NoMatchingError') } }), pattern);
    }
  });

  it('refuses conditions on GetParticipantInput that stores its input', () => {
    assertProblem(
      withAction({
        Type: 'GetParticipantInput',
        Parameters: { Text: 'x', StoreInput: 'True', InputValidation: { CustomValidation: { MaximumLength: '4' } } },
        Transitions: { NextAction: 'end', Errors: errorsTo('NoMatchingError'), Conditions: [{ NextAction: 'end', Condition: { Operator: 'Equals', Operands: ['1'] } }] },
      }),
      /Conditions apply only when StoreInput is "False"/,
    );
  });

  it('reports every problem at once, each naming its action', () => {
    const found = problems(
      flow([
        { Identifier: 'one', Type: 'Compare', Parameters: {}, Transitions: { NextAction: 'x' } },
        { Identifier: 'two', Type: 'Nope', Parameters: {}, Transitions: {} },
      ]),
    );

    assert.ok(found.some((m) => m.startsWith('Action "one" (Compare): NextAction goes to "x"')));
    assert.ok(found.some((m) => m.startsWith('Action "one" (Compare): ComparisonValue is required')));
    assert.ok(found.some((m) => m.startsWith('Action "two": unknown Type "Nope"')));
  });

  it('imports unsupported known types with any conditions and errors', () => {
    const content = withAction({
      Type: 'ConnectParticipantWithLexBot',
      Parameters: { Text: 'Say something', LexV2Bot: { AliasArn: '$.Attributes.bot' } },
      Transitions: { NextAction: 'end', Conditions: [{ NextAction: 'end', Condition: { Operator: 'Equals', Operands: ['Sales'] } }], Errors: errorsTo('NoMatchingCondition', 'NoMatchingError') },
    });

    assert.doesNotThrow(() => compileFlow(content));
  });
});
