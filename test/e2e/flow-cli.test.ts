/**
 * `outdial flow test` and `outdial flow run` as a user runs them: the real CLI in a child process, on the
 * fixtures in test/fixtures/flow-tests/. No server: everything runs offline in virtual time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runOutdial } from '../helpers/server-process.js';

const DIR = 'test/fixtures/flow-tests';

describe('outdial flow', { concurrency: 3 }, () => {
  it('flow test exits 0 and prints each observation, the path and the prompts when every case passes', async () => {
    const result = await runOutdial(['flow', 'test', `${DIR}/department-directory.flow.json`, `${DIR}/03-in-the-wild-dtmf-menu.content.json`]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^PASS 03-in-the-wild-dtmf-menu\.content\.json/m);
    assert.match(result.stdout, /PASSED {2}welcome-menu: MessageReceived "Welcome to the department directory" \(Inclusion\)/);
    assert.match(result.stdout, /path: welcome → menu → sales → bye/);
    assert.match(result.stdout, /"Connecting you to the sales department\."/);
    assert.match(result.stdout, /1 of 1 test case passed/);
  });

  it('flow test exits 1 and names the failing observation when a case fails', async () => {
    const result = await runOutdial([
      'flow',
      'test',
      `${DIR}/department-directory.flow.json`,
      `${DIR}/03-in-the-wild-dtmf-menu.content.json`,
      `${DIR}/department-directory.failing.test.json`,
    ]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /^FAIL directory-expects-support/m);
    assert.match(result.stdout, /FAILED {2}support-response: MessageReceived "support department" \(Inclusion\)\n\s+the contact ended \(Disconnected\) before this event happened/);
    assert.match(result.stdout, /1 of 2 test cases passed/);
  });

  it('flow test reads a DescribeContactFlow-shaped flow, a CreateTestCase request, and an --env file', async () => {
    const lambda = await runOutdial(['flow', 'test', `${DIR}/renewal-reminder.describe-contact-flow.json`, `${DIR}/02-outbound-style-lambda-mock.request.json`]);
    assert.equal(lambda.code, 0, lambda.stdout + lambda.stderr);
    assert.match(lambda.stdout, /^PASS renewal-reminder-confirm/m);
    const env = await runOutdial(['flow', 'test', `${DIR}/hours-menu-queue.flow.json`, `${DIR}/01-aws-doc-example.content.json`, '--env', `${DIR}/hours-menu-queue.env.json`]);
    assert.equal(env.code, 0, env.stdout + env.stderr);
  });

  it('flow test --json prints the results as JSON', async () => {
    const result = await runOutdial(['flow', 'test', `${DIR}/department-directory.flow.json`, `${DIR}/department-directory.failing.test.json`, '--json']);
    assert.equal(result.code, 1);
    const [parsed] = JSON.parse(result.stdout) as { passed: boolean; observations: { id: string; status: string }[] }[];
    assert.equal(parsed?.passed, false);
    assert.deepEqual(parsed?.observations.map((o) => o.status), ['PASSED', 'PASSED', 'FAILED']);
  });

  it('flow run traces the flow against a callee script', async () => {
    const result = await runOutdial(['flow', 'run', `${DIR}/department-directory.flow.json`, '--callee', '{"pressAfterEachPrompt":"2"}']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /callee presses 2/);
    assert.match(result.stdout, /path: welcome → menu → support → bye/);
    assert.match(result.stdout, /outcome: Disconnected/);
  });

  it('flow run and flow test refuse a bad callee script or an invalid flow with exit code 1', async () => {
    const callee = await runOutdial(['flow', 'run', `${DIR}/department-directory.flow.json`, '--callee', '{"outcome":"sing"}']);
    assert.equal(callee.code, 1);
    assert.match(callee.stderr, /--callee is not a callee script: outcome/);
    const flow = await runOutdial(['flow', 'test', `${DIR}/01-aws-doc-example.content.json`, `${DIR}/01-aws-doc-example.content.json`]);
    assert.equal(flow.code, 1);
    assert.match(flow.stderr, /is not a valid flow/);
  });
});
