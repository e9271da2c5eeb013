import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidContactFlowException } from '../../../src/api/errors.js';
import { compileFlow, FlowValidationError } from '../../../src/flows/index.js';
import { checkFlowContent } from '../../../src/services/flow-content.js';
import { DEMO_FLOW_CONTENT } from '../../../src/services/seed.js';

/** The problems a rejected content produces, as InvalidContactFlowException carries them. */
function problemsOf(content: string): readonly { message: string }[] {
  try {
    checkFlowContent(content);
  } catch (error) {
    assert.ok(error instanceof InvalidContactFlowException, `expected InvalidContactFlowException, got ${String(error)}`);
    assert.equal(error.httpStatus, 400);
    return error.problems;
  }
  assert.fail('the content was accepted');
}

describe('checkFlowContent', () => {
  it('returns the compiled demo flow', () => {
    const flow = checkFlowContent(DEMO_FLOW_CONTENT);
    assert.equal(flow.startAction, 'greet');
    assert.deepEqual([...flow.actions.keys()], ['greet', 'hang-up']);
  });

  it('refuses content that is not JSON with InvalidContactFlowException', () => {
    assert.match(problemsOf('{ not json')[0]?.message ?? '', /JSON/);
  });

  it('carries exactly the problems the compiler found, so the response names each action and fault', () => {
    const content = JSON.stringify({
      Version: '2019-10-30',
      StartAction: 'nowhere',
      Actions: [
        { Identifier: 'x', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
        { Identifier: 'x', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
      ],
    });
    let compilerProblems: readonly { message: string }[] = [];
    try {
      compileFlow(content);
    } catch (error) {
      assert.ok(error instanceof FlowValidationError);
      compilerProblems = error.problems;
    }
    assert.ok(compilerProblems.length >= 2, 'the compiler reports the duplicate and the StartAction');
    assert.deepEqual(problemsOf(content), compilerProblems);
  });
});
