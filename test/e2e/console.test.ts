/**
 * The agent console in a real browser (Debian's Chromium, driven by playwright-core) against outdial as a
 * real process: the demo agent signs in, goes Available, and takes a call that the SDK's
 * StartOutboundVoiceContact placed to a simulated callee who presses 1 to be queued: the offer rings with the
 * screen pop, the agent accepts with the keyboard, hangs up, finishes after-contact work, and DescribeContact
 * shows the agent and the queue. The supervisor page shows a second contact waiting while the agent is busy.
 *
 * Set OUTDIAL_CONSOLE_SCREENSHOTS to a folder to keep a screenshot of each step.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateContactFlowCommand, DescribeContactCommand, StartOutboundVoiceContactCommand, StopContactCommand } from '@aws-sdk/client-connect';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEMO } from '../../src/services/seed.js';
import { connectClient, startServer, waitFor, type ServerProcess } from '../helpers/server-process.js';
import { queueFlow } from '../helpers/flow-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const PRESSES_1_AFTER_EACH_PROMPT = '+12065550101';
const SCREENSHOTS = process.env.OUTDIAL_CONSOLE_SCREENSHOTS;
const STEP_TIMEOUT_MS = 15_000;

/** Asks the callee to press 1, then queues the contact on the demo queue. */
const queued = queueFlow() as { Actions: object[] };
const QUEUE_ON_KEY_FLOW = JSON.stringify({
  ...queued,
  StartAction: 'ask',
  Actions: [
    {
      Identifier: 'ask',
      Type: 'GetParticipantInput',
      Parameters: { Text: 'Press 1 to talk to an agent.', StoreInput: 'False', InputTimeLimitSeconds: '5' },
      Transitions: {
        NextAction: 'bye',
        Conditions: [{ NextAction: 'target', Condition: { Operator: 'Equals', Operands: ['1'] } }],
        Errors: [
          { ErrorType: 'InputTimeLimitExceeded', NextAction: 'bye' },
          { ErrorType: 'NoMatchingCondition', NextAction: 'bye' },
          { ErrorType: 'NoMatchingError', NextAction: 'bye' },
        ],
      },
    },
    ...queued.Actions,
  ],
});

describe('the agent console in Chromium', () => {
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const foreignRequests: string[] = [];

  const shot = async (name: string, target: Page = page): Promise<void> => {
    if (SCREENSHOTS === undefined) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await target.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };
  const text = (testId: string, target: Page = page) => target.getByTestId(testId).innerText();

  before(async () => {
    // Real time: the call is queued about 5 s after it starts, and the offer (20 s) and the demo agent's
    // after-contact work (30 s) leave the browser steps plenty of room on a busy machine.
    server = await startServer({ config: { rateLimitDisabled: true, network: { speed: 1 }, logLevel: 'warn' } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    context.on('request', (request) => {
      if (!request.url().startsWith(server.url)) foreignRequests.push(request.url());
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('refuses a wrong password with a generic message', async () => {
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Username').fill('agent');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    assert.equal(await alert.innerText(), 'Sign-in failed. Check the instance, username and password.');
    assert.equal(await page.getByLabel('Instance').inputValue(), 'demo');
    await shot('0-sign-in-failed');
  });

  it('takes a call from offer to after-contact work, and DescribeContact shows the agent and the queue', async () => {
    const connect = connectClient(server.url);
    const { ContactFlowId } = await connect.send(
      new CreateContactFlowCommand({ InstanceId: DEMO.instanceId, Name: 'Press 1 for an agent', Type: 'CONTACT_FLOW', Content: QUEUE_ON_KEY_FLOW }),
    );

    await page.getByLabel('Username').fill('agent');
    await page.getByLabel('Password').fill('Agent-Demo-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Hello, Demo' }).waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    await shot('1-signed-in');

    await page.getByLabel('Change status').selectOption({ label: 'Available' });
    await waitFor('the Available status', async () => ((await text('current-status')) === 'Available' ? true : undefined), { timeoutMs: STEP_TIMEOUT_MS });

    const { ContactId } = await connect.send(
      new StartOutboundVoiceContactCommand({
        InstanceId: DEMO.instanceId,
        ContactFlowId,
        QueueId: DEMO.queueId,
        DestinationPhoneNumber: PRESSES_1_AFTER_EACH_PROMPT,
        Attributes: { orderId: '42', customerTier: 'gold' },
      }),
    );
    assert.ok(ContactId);

    // The offer arrives without a reload, with the screen pop, and takes the focus.
    await page.getByRole('heading', { name: 'Incoming call' }).waitFor();
    assert.equal(await text('customer-number'), '+1 (206) 555-0101');
    assert.equal(await text('queue'), 'BasicQueue');
    const attributes = await text('attributes');
    assert.match(attributes, /orderId\s+42/);
    assert.match(attributes, /customerTier\s+gold/);
    assert.match(await text('wait-time'), /^\d+:\d\d$/);
    assert.match(await text('offer-countdown'), /Offer ends in \d+:\d\d/);
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Accept');
    await shot('2-incoming');

    // Accept with the keyboard: the focused button.
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'On call' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Hang up');
    await shot('3-on-call');

    await page.getByRole('button', { name: 'Hang up' }).click();
    await page.getByRole('heading', { name: 'After-contact work' }).waitFor();
    assert.match(await text('acw-countdown'), /Ready for the next contact in \d+:\d\d/);
    await shot('4-after-contact-work');

    // While the agent is busy, a second contact waits in the queue: the supervisor sees it, its age ticking.
    const second = await connect.send(
      new StartOutboundVoiceContactCommand({
        InstanceId: DEMO.instanceId,
        ContactFlowId,
        QueueId: DEMO.queueId,
        DestinationPhoneNumber: PRESSES_1_AFTER_EACH_PROMPT,
      }),
    );
    const supervisor = await page.context().newPage();
    supervisor.setDefaultTimeout(STEP_TIMEOUT_MS);
    await supervisor.goto(`${server.url}/console/supervisor`);
    await supervisor.getByRole('heading', { name: 'Supervisor' }).waitFor();
    await waitFor('the waiting contact', async () => ((await text('total-waiting', supervisor)) === '1' ? true : undefined), {
      timeoutMs: STEP_TIMEOUT_MS,
    });
    const firstAge = await supervisor.getByTestId('waiting-age').innerText();
    await waitFor('the age to tick', async () => ((await supervisor.getByTestId('waiting-age').innerText()) !== firstAge ? true : undefined), {
      timeoutMs: 3000,
    });
    assert.match(await supervisor.getByTestId('agents').innerText(), /agent[\s\S]*Available[\s\S]*After-contact work/);
    await shot('5-supervisor', supervisor);
    await connect.send(new StopContactCommand({ InstanceId: DEMO.instanceId, ContactId: second.ContactId }));
    await supervisor.close();

    // Done: the agent is free; the call is in the recent contacts.
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByTestId('no-contact').waitFor();
    assert.match(await page.getByTestId('recent-contacts').innerText(), /\+1 \(206\) 555-0101[\s\S]*BasicQueue/);
    await shot('6-done');

    const { Contact } = await connect.send(new DescribeContactCommand({ InstanceId: DEMO.instanceId, ContactId }));
    assert.equal(Contact?.AgentInfo?.Id, DEMO.agentUserId);
    assert.ok(Contact?.AgentInfo?.ConnectedToAgentTimestamp instanceof Date);
    assert.equal(Contact?.QueueInfo?.Id, DEMO.queueId);
    assert.ok(Contact?.QueueInfo?.EnqueueTimestamp instanceof Date);
    assert.ok(Contact?.DisconnectTimestamp instanceof Date);

    assert.deepEqual(pageErrors, []);
    assert.deepEqual(foreignRequests, [], 'the console fetches nothing from elsewhere');
  });

  it('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You signed out.').waitFor();
    const session = await page.evaluate(async () => (await fetch('/console/api/session')).status);
    assert.equal(session, 401);
  });
});
