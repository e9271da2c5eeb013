import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { shapes } from '../../../src/api/model/shapes.generated.js';
import { passwordProblem, usernameProblem } from '../../../src/services/user-service.js';

describe('passwordProblem', () => {
  it('accepts passwords with a lower-case letter, an upper-case letter and a digit, 8 to 64 characters', () => {
    for (const password of ['Agent-Demo-1', 'abcdEF12', 'Pässwört-9', `Aa1${'x'.repeat(61)}`, 'Aa1!@#$%^&*()']) {
      assert.equal(passwordProblem(password), undefined, password);
    }
  });

  it('names the broken part of the rule', () => {
    assert.match(passwordProblem('Ab1') ?? '', /8 to 64/);
    assert.match(passwordProblem(`Aa1${'x'.repeat(62)}`) ?? '', /8 to 64/);
    assert.match(passwordProblem('Abc 12345') ?? '', /spaces/);
    assert.match(passwordProblem('ABCDEFG1') ?? '', /lower-case/);
    assert.match(passwordProblem('abcdefg1') ?? '', /upper-case/);
    assert.match(passwordProblem('Abcdefgh') ?? '', /digit/);
  });

  it('agrees with the corrected model pattern the API validates Password with', () => {
    const pattern = new RegExp((shapes.Password as { pattern: string }).pattern, 'u');
    for (const password of ['Agent-Demo-1', 'abcdEF12', 'Ab1', 'ABCDEFG1', 'abcdefg1', 'Abcdefgh', 'Abc 12345', `Aa1${'x'.repeat(62)}`]) {
      assert.equal(pattern.test(password), passwordProblem(password) === undefined, password);
    }
  });
});

describe('usernameProblem', () => {
  it('accepts letters, digits, "_-." and email addresses', () => {
    for (const username of ['agent', 'a_b-c.d', 'testuser@example.com']) {
      assert.equal(usernameProblem(username, 'CONNECT_MANAGED'), undefined, username);
    }
  });

  it('allows 20 characters, or 64 with SAML', () => {
    assert.equal(usernameProblem('x'.repeat(20), 'CONNECT_MANAGED'), undefined);
    assert.match(usernameProblem('x'.repeat(21), 'CONNECT_MANAGED') ?? '', /20/);
    assert.equal(usernameProblem('x'.repeat(64), 'SAML'), undefined);
    assert.match(usernameProblem('x'.repeat(65), 'SAML') ?? '', /64/);
  });

  it('refuses other characters and "@" outside an email address', () => {
    assert.match(usernameProblem('with space', 'CONNECT_MANAGED') ?? '', /letters/);
    assert.match(usernameProblem('a+b', 'CONNECT_MANAGED') ?? '', /letters/);
    assert.match(usernameProblem('testuser@example', 'CONNECT_MANAGED') ?? '', /email/);
    assert.match(usernameProblem('@example.com', 'CONNECT_MANAGED') ?? '', /email/);
  });
});
