/** parseTestCase: the documented testing language, the live variants, and clear problems for the rest. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseTestCase } from '../../../src/flows/testing/index.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/flow-tests/${name}`, import.meta.url), 'utf8');

const observation = (id: string, event: unknown, actions: unknown[] = [], next: string[] = []): unknown => ({
  Identifier: id,
  Event: event,
  Actions: actions,
  Transitions: { NextObservations: next },
});
const doc = (...observations: unknown[]): unknown => ({ Version: '2019-10-30', Metadata: {}, Observations: observations });
const started = { Identifier: 'e', Type: 'TestInitiated', Actor: 'System', Properties: {} };
const action = (id: string, type: string, parameters: unknown, next?: string): unknown => ({
  Identifier: id,
  Type: type,
  Parameters: parameters,
  Transitions: next === undefined ? {} : { NextAction: next },
});

describe('parseTestCase', () => {
  it('reads the three reference examples without problems', () => {
    for (const file of ['01-aws-doc-example.content.json', '02-outbound-style-lambda-mock.request.json', '03-in-the-wild-dtmf-menu.content.json']) {
      const parsed = parseTestCase(fixture(file), file);
      assert.deepEqual(parsed.problems, [], file);
      assert.ok(parsed.testCase !== undefined);
    }
  });

  it('takes Name, InitializationData attributes and entry-point numbers from a CreateTestCase request', () => {
    const { testCase, name } = parseTestCase(fixture('02-outbound-style-lambda-mock.request.json'));
    assert.equal(name, 'renewal-reminder-confirm');
    assert.deepEqual(testCase?.attributes, { customerName: 'Alder', policyId: 'P-42' });
    assert.equal(testCase?.sourcePhoneNumber, '+15550100');
    const mock = testCase?.observations[0]?.actions[0];
    assert.equal(mock?.kind, 'Override');
    assert.deepEqual(mock?.kind === 'Override' && mock.strategy, { type: 'LambdaResult', delayMs: 1000, data: { dueDate: '2026-10-01', amount: '120' } });
  });

  it('accepts Content as a JSON string and a DescribeTestCase answer', () => {
    const content = JSON.stringify(doc(observation('o', started)));
    assert.deepEqual(parseTestCase({ Name: 'a', Content: content }).problems, []);
    assert.equal(parseTestCase({ TestCase: { Name: 'b', Content: content } }).name, 'b');
  });

  it('reads MatchingCriteria inside Properties, beside them as a string, and defaults to Similarity', () => {
    const message = (props: object, extra: object = {}) => ({ Identifier: 'm', Type: 'MessageReceived', Actor: 'System', Properties: props, ...extra });
    const criteria = (event: unknown) => {
      const e = parseTestCase(doc(observation('o', event))).testCase?.observations[0]?.event;
      return e?.type === 'MessageReceived' ? e.criteria : undefined;
    };
    assert.equal(criteria(message({ Text: 'hi', MatchingCriteria: { Type: 'Inclusion' } })), 'Inclusion');
    assert.equal(criteria(message({ Text: 'hi' }, { MatchingCriteria: 'Inclusion' })), 'Inclusion');
    assert.equal(criteria(message({ Text: 'hi' })), 'Similarity');
  });

  it('orders actions along NextAction chains, and in document order without Transitions', () => {
    const chained = parseTestCase(doc(observation('o', started, [action('b', 'TestControl', { Command: { Type: 'EndTest' } }), action('a', 'Assert', { Namespace: '$.ContactId', Operator: 'Exists' }, 'b')])));
    assert.deepEqual(chained.testCase?.observations[0]?.actions.map((a) => a.id), ['a', 'b']);
  });

  it('reads a numeric DTMF value as keys', () => {
    const parsed = parseTestCase(fixture('03-in-the-wild-dtmf-menu.content.json'));
    assert.deepEqual(parsed.testCase?.observations[1]?.actions[0], { id: 'press-1', kind: 'Dtmf', keys: '1' });
  });

  const problemFor = (actions: unknown[], event: unknown = started): string => {
    const parsed = parseTestCase(doc(observation('o', event, actions)));
    assert.equal(parsed.testCase, undefined);
    return parsed.problems.join('\n');
  };

  it('fails what it cannot run with a message naming it, never dropping it', () => {
    assert.match(problemFor([action('u', 'SendInstruction', { Instruction: { Type: 'Utterance', Properties: { Text: 'sales' } } })]), /action "u": Utterance .* not supported offline/);
    assert.match(
      problemFor([action('q', 'OverrideSystemBehavior', { Behavior: { Type: 'FlowAction', Properties: { ActionType: 'TransferContactToQueue', Strategy: { Type: 'SubstituteResource', SubstituteArn: 'x' } } } })]),
      /overriding "TransferContactToQueue" is not supported offline/,
    );
    assert.match(problemFor([], { Identifier: 'x', Type: 'LexBotInvoked', Properties: {} }), /event Type "LexBotInvoked" is not supported/);
    assert.match(problemFor([action('a', 'Assert', { Namespace: '$.Attributes.x', Operator: 'Matches', Operand: 'y' })]), /Operator "Matches" must be one of/);
    assert.match(problemFor([action('a', 'Assert', { Namespace: '$.Attributes.x', Operator: 'Equals' })]), /Equals needs an Operand/);
    assert.match(problemFor([action('c', 'TestControl', { Command: { Type: 'Pause' } })]), /TestControl Command "Pause" is not supported/);
  });

  it('reports a bad Version, unknown NextObservations, a Usage other than once, and JSON errors', () => {
    assert.match(parseTestCase({ Version: '2020-01-01', Observations: [observation('o', started)] }).problems.join(), /Version must be "2019-10-30"/);
    assert.match(parseTestCase(doc(observation('o', started, [], ['nowhere']))).problems.join(), /names "nowhere"/);
    assert.match(parseTestCase(doc({ ...(observation('o', started) as object), Usage: { Type: 'AtLeast', Times: 2 } })).problems.join(), /Usage .* is not supported/);
    assert.deepEqual(parseTestCase(doc({ ...(observation('o', started) as object), Usage: { Type: 'Exactly', Times: 1 } })).problems, []);
    assert.match(parseTestCase('{not json', 'file.json').problems.join(), /not valid JSON/);
    assert.equal(parseTestCase('{not json', 'file.json').name, 'file.json');
  });
});
