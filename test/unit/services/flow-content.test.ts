import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidContactFlowException } from '../../../src/api/errors.js';
import { checkFlowContent } from '../../../src/services/flow-content.js';
import { DEMO_FLOW_CONTENT } from '../../../src/services/seed.js';

function action(id: string): Record<string, unknown> {
  return { Identifier: id, Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} };
}

function flow(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ Version: '2019-10-30', StartAction: 'a1', Actions: [action('a1')], ...fields });
}

/** The problem messages checkFlowContent reports; fails the test if it accepts the content. */
function problems(content: string): string[] {
  try {
    checkFlowContent(content);
  } catch (error) {
    assert.ok(error instanceof InvalidContactFlowException, `expected InvalidContactFlowException, got ${String(error)}`);
    return error.problems.map((p) => p.message);
  }
  assert.fail('expected the flow content to be refused');
}

describe('checkFlowContent', () => {
  it('accepts the demo flow', () => {
    assert.doesNotThrow(() => checkFlowContent(DEMO_FLOW_CONTENT));
  });

  it('accepts a flow of exactly 250 actions', () => {
    const actions = Array.from({ length: 250 }, (_, i) => action(`a${i + 1}`));

    assert.doesNotThrow(() => checkFlowContent(flow({ Actions: actions })));
  });

  it('refuses content that is not JSON', () => {
    const found = problems('{"Version": "2019-10-30",');

    assert.equal(found.length, 1);
    assert.match(found[0] ?? '', /not valid JSON/);
  });

  it('refuses JSON that is not an object', () => {
    for (const content of ['[]', 'null', '"flow"', '7']) {
      assert.deepEqual(problems(content), ['Content must be a flow-language JSON object.'], content);
    }
  });

  it('refuses a wrong or missing Version', () => {
    assert.deepEqual(problems(flow({ Version: '2020-01-01' })), ['Version must be "2019-10-30".']);
    assert.deepEqual(problems(flow({ Version: undefined })), ['Version must be "2019-10-30".']);
  });

  it('refuses a StartAction that names no action', () => {
    const found = problems(flow({ StartAction: 'missing' }));

    assert.equal(found.length, 1);
    assert.match(found[0] ?? '', /StartAction "missing" does not name an action/);
  });

  it('refuses a missing StartAction', () => {
    assert.equal(problems(flow({ StartAction: undefined })).length, 1);
  });

  it('refuses Actions that is not an array', () => {
    assert.deepEqual(problems(flow({ Actions: {} })), ['Actions must be an array.']);
  });

  it('refuses a duplicate action identifier, naming it', () => {
    const found = problems(flow({ Actions: [action('a1'), action('dup'), action('dup')] }));

    assert.deepEqual(found, ['Action identifier dup is used more than once.']);
  });

  it('refuses an action without an identifier', () => {
    assert.deepEqual(problems(flow({ Actions: [action('a1'), { Type: 'DisconnectParticipant' }] })), ['Every action needs an Identifier.']);
  });

  it('refuses more than 250 actions, giving the count', () => {
    const actions = Array.from({ length: 251 }, (_, i) => action(`a${i + 1}`));

    assert.deepEqual(problems(flow({ Actions: actions })), ['A flow holds at most 250 actions; this one has 251.']);
  });

  it('lists every fault it finds, each named', () => {
    const found = problems(JSON.stringify({ Version: '1', StartAction: 'nowhere', Actions: [action('x'), action('x'), {}] }));

    assert.equal(found.length, 4);
    assert.match(found[0] ?? '', /Version/);
    assert.match(found[1] ?? '', /identifier x is used more than once/);
    assert.match(found[2] ?? '', /needs an Identifier/);
    assert.match(found[3] ?? '', /StartAction "nowhere"/);
  });

  it('joins the problems into the exception message', () => {
    assert.throws(
      () => checkFlowContent(JSON.stringify({ Version: '1', StartAction: 'a1', Actions: [action('a1')] })),
      (error: unknown) => error instanceof InvalidContactFlowException && error.message === 'Version must be "2019-10-30".',
    );
  });
});
