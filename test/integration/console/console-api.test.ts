/**
 * The console's HTTP API with an in-memory desk: sign-in and its failures, lockout and backoff, session
 * expiry on the Clock port, sign-out, CSRF and origin checks, desk errors as HTTP statuses, the agent's
 * actions, the web app's files, and the live stream.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { consoleHarness, cookieOf, HOST, INSTANCE_ID, ORIGIN, PASSWORD, type ConsoleHarness } from './console-harness.js';
import { sessionKey } from '../../../src/console/auth.js';

const MINUTE = 60_000;
let harness: ConsoleHarness;

afterEach(async () => {
  await harness.close();
});

function signInAs(h: ConsoleHarness, body: Record<string, string>, address = '192.0.2.10') {
  return h.app.inject({
    method: 'POST',
    url: '/console/api/sign-in',
    remoteAddress: address,
    headers: { host: HOST, origin: ORIGIN, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

describe('sign-in', () => {
  it('signs the agent in with username and password and sets a strict, HttpOnly session cookie', async () => {
    harness = await consoleHarness();
    const { response, cookie, csrfToken } = await harness.signIn();
    const setCookie = String(response.headers['set-cookie']);
    assert.match(setCookie, /^outdial_console=[\w-]{43}; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    assert.doesNotMatch(setCookie, /Secure/, 'plain HTTP: no Secure attribute');
    const body = response.json();
    assert.deepEqual(body.user, { id: 'user-1', username: 'agent', firstName: 'Ada', lastName: 'Agent' });
    assert.deepEqual(body.instance, { id: INSTANCE_ID, alias: 'demo' });
    assert.equal(typeof csrfToken, 'string');
    assert.equal(response.headers['cache-control'], 'no-store');

    // Only the id's hash is stored.
    const id = cookie.split('=')[1]!;
    assert.equal(await harness.store.consoleSessions.get(id), undefined);
    assert.equal((await harness.store.consoleSessions.get(sessionKey(id)))?.userId, 'user-1');

    const session = await harness.get('/console/api/session', cookie);
    assert.equal(session.statusCode, 200);
    assert.equal(session.json().csrfToken, csrfToken);
  });

  it('names the instance by alias, id or ARN', async () => {
    harness = await consoleHarness();
    for (const instance of ['demo', INSTANCE_ID, `arn:aws:connect:us-east-1:123456789012:instance/${INSTANCE_ID}`]) {
      const response = await signInAs(harness, { instance, username: 'agent', password: PASSWORD });
      assert.equal(response.statusCode, 200, instance);
    }
  });

  it('marks the cookie Secure when configured', async () => {
    harness = await consoleHarness({ deps: { secureCookies: true } });
    const { response } = await harness.signIn();
    assert.match(String(response.headers['set-cookie']), /; Secure$/);
  });

  it('answers every failure with the same generic text', async () => {
    harness = await consoleHarness();
    const answers = [
      await signInAs(harness, { username: 'agent', password: 'wrong' }),
      await signInAs(harness, { username: 'nobody', password: PASSWORD }),
      await signInAs(harness, { instance: 'elsewhere', username: 'agent', password: PASSWORD }),
    ];
    for (const answer of answers) {
      assert.equal(answer.statusCode, 401);
      assert.deepEqual(answer.json(), { error: 'SignInFailed', message: 'Sign-in failed. Check the instance, username and password.' });
      assert.equal(answer.headers['set-cookie'], undefined);
    }
  });

  it('refuses a malformed request', async () => {
    harness = await consoleHarness();
    assert.equal((await signInAs(harness, { username: 'agent' })).statusCode, 400);
    const form = await harness.app.inject({
      method: 'POST',
      url: '/console/api/sign-in',
      headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `username=agent&password=${PASSWORD}`,
    });
    assert.equal(form.statusCode, 415);
  });
});

describe('lockout', () => {
  it('locks a username after five failures, backs off, and lets the right password in once the lock ends', async () => {
    harness = await consoleHarness();
    for (let i = 0; i < 5; i++) assert.equal((await signInAs(harness, { username: 'agent', password: `wrong-${i}` })).statusCode, 401);

    // Locked: even the right password is refused, from any address.
    const locked = await signInAs(harness, { username: 'Agent', password: PASSWORD }, '198.51.100.7');
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.json().error, 'TooManySignInAttempts');
    assert.equal(locked.headers['retry-after'], '60');

    harness.clock.advance(MINUTE);
    // One more failure doubles the lock.
    assert.equal((await signInAs(harness, { username: 'agent', password: 'wrong-again' })).statusCode, 401);
    assert.equal((await signInAs(harness, { username: 'agent', password: PASSWORD })).headers['retry-after'], '120');

    harness.clock.advance(2 * MINUTE);
    assert.equal((await signInAs(harness, { username: 'agent', password: PASSWORD })).statusCode, 200);
    // Success starts the username's count over.
    assert.deepEqual(await harness.store.consoleSessions.getFailures([`user:${INSTANCE_ID}:agent`]), []);
  });

  it('checks at most five of many guesses sent at once; the rest are refused as locked', async () => {
    harness = await consoleHarness();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => signInAs(harness, { username: 'agent', password: `wrong-${i}` })),
    );
    const checked = answers.filter((a) => a.statusCode !== 429).length;
    assert.ok(checked <= 5, `${checked} of 12 parallel attempts had their password checked`);
    assert.equal((await signInAs(harness, { username: 'agent', password: PASSWORD })).statusCode, 429);
  });

  it('locks a client address that tries many usernames', async () => {
    harness = await consoleHarness();
    for (let i = 0; i < 20; i++) await signInAs(harness, { username: `guess-${i}`, password: 'x' }, '203.0.113.9');
    assert.equal((await signInAs(harness, { username: 'agent', password: PASSWORD }, '203.0.113.9')).statusCode, 429);
    assert.equal((await signInAs(harness, { username: 'agent', password: PASSWORD }, '203.0.113.10')).statusCode, 200);
  });

  it('forgets failures after a quiet window', async () => {
    harness = await consoleHarness();
    for (let i = 0; i < 4; i++) await signInAs(harness, { username: 'agent', password: 'wrong' });
    harness.clock.advance(16 * MINUTE);
    for (let i = 0; i < 4; i++) await signInAs(harness, { username: 'agent', password: 'wrong' });
    assert.equal((await signInAs(harness, { username: 'agent', password: PASSWORD })).statusCode, 200);
  });

  it('holds across a restart: the counters live in the store', async () => {
    harness = await consoleHarness();
    for (let i = 0; i < 5; i++) await signInAs(harness, { username: 'agent', password: 'wrong' });
    await harness.app.close();
    const second = await consoleHarness({ store: harness.store, clock: harness.clock });
    try {
      assert.equal((await signInAs(second, { username: 'agent', password: PASSWORD })).statusCode, 429);
    } finally {
      await second.close();
    }
  });
});

describe('sessions', () => {
  it('end after 30 idle minutes, measured on the Clock', async () => {
    harness = await consoleHarness();
    const { cookie } = await harness.signIn();
    harness.clock.advance(29 * MINUTE);
    assert.equal((await harness.get('/console/api/session', cookie)).statusCode, 200);
    harness.clock.advance(29 * MINUTE);
    assert.equal((await harness.get('/console/api/session', cookie)).statusCode, 200, 'use moves the idle expiry on');
    harness.clock.advance(31 * MINUTE);
    const expired = await harness.get('/console/api/agent', cookie);
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().error, 'NotSignedIn');
    assert.equal(await harness.store.consoleSessions.get(sessionKey(cookie.split('=')[1]!)), undefined, 'the ended session is deleted');
  });

  it('end 12 hours after sign-in however active', async () => {
    harness = await consoleHarness();
    const { cookie } = await harness.signIn();
    for (let i = 0; i < 24; i++) {
      harness.clock.advance(29 * MINUTE);
      assert.equal((await harness.get('/console/api/session', cookie)).statusCode, 200);
    }
    harness.clock.advance(25 * MINUTE);
    assert.equal((await harness.get('/console/api/session', cookie)).statusCode, 401);
  });

  it('end on sign-out, which clears the cookie', async () => {
    harness = await consoleHarness();
    const session = await harness.signIn();
    const out = await harness.post('/console/api/sign-out', {}, session);
    assert.equal(out.statusCode, 204);
    assert.match(String(out.headers['set-cookie']), /^outdial_console=; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=0/);
    assert.equal((await harness.get('/console/api/session', session.cookie)).statusCode, 401);
  });

  it('end when the user is deleted', async () => {
    harness = await consoleHarness();
    const { cookie } = await harness.signIn();
    harness.users.clear();
    assert.equal((await harness.get('/console/api/session', cookie)).statusCode, 401);
  });

  it('are refused for made-up ids', async () => {
    harness = await consoleHarness();
    assert.equal((await harness.get('/console/api/agent', 'outdial_console=made-up')).statusCode, 401);
    assert.equal((await harness.get('/console/api/agent')).statusCode, 401);
  });

  it('a new sign-in ends the session the browser had', async () => {
    harness = await consoleHarness();
    const first = await harness.signIn();
    const second = await harness.app.inject({
      method: 'POST',
      url: '/console/api/sign-in',
      headers: { host: HOST, origin: ORIGIN, 'content-type': 'application/json', cookie: first.cookie },
      payload: JSON.stringify({ username: 'agent', password: PASSWORD }),
    });
    assert.equal(second.statusCode, 200);
    assert.notEqual(cookieOf(second), first.cookie);
    assert.equal((await harness.get('/console/api/session', first.cookie)).statusCode, 401);
  });

  it('are swept when they ended', async () => {
    harness = await consoleHarness();
    await harness.signIn();
    await harness.signIn();
    harness.clock.advance(61 * MINUTE); // the hourly sweep runs
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await harness.store.consoleSessions.sweep(harness.clock.now(), 0, 0), 0, 'nothing left to sweep');
  });
});

describe('CSRF and origin checks', () => {
  it('refuse a state-changing request without the session’s token', async () => {
    harness = await consoleHarness();
    const session = await harness.signIn();
    const missing = await harness.post('/console/api/agent/status', { statusId: 'available' }, { cookie: session.cookie });
    assert.equal(missing.statusCode, 403);
    assert.equal(missing.json().error, 'InvalidCsrfToken');
    const wrong = await harness.post('/console/api/agent/status', { statusId: 'available' }, { cookie: session.cookie, csrfToken: 'x'.repeat(43) });
    assert.equal(wrong.statusCode, 403);
    // Another session's token is no good either.
    const other = await harness.signIn({ address: '192.0.2.11' });
    const crossed = await harness.post('/console/api/agent/status', { statusId: 'available' }, { cookie: session.cookie, csrfToken: other.csrfToken });
    assert.equal(crossed.statusCode, 403);
    assert.deepEqual(harness.desk.calls, []);

    const ok = await harness.post('/console/api/agent/status', { statusId: 'available' }, session);
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(harness.desk.calls, ['setStatus available']);
  });

  it('refuse cross-site requests even with a token', async () => {
    harness = await consoleHarness();
    const session = await harness.signIn();
    const foreign = await harness.post('/console/api/agent/status', { statusId: 'available' }, session, { origin: 'https://evil.example' });
    assert.equal(foreign.statusCode, 403);
    assert.equal(foreign.json().error, 'CrossOriginRequest');
    const fetchMeta = await harness.post('/console/api/agent/status', { statusId: 'available' }, session, { 'sec-fetch-site': 'cross-site' });
    assert.equal(fetchMeta.statusCode, 403);
    const signIn = await harness.post('/console/api/sign-in', { username: 'agent', password: PASSWORD }, undefined, { origin: 'https://evil.example' });
    assert.equal(signIn.statusCode, 403);
    assert.deepEqual(harness.desk.calls, []);
  });

  it('refuse a form post (no JSON), which a cross-site form could send without preflight', async () => {
    harness = await consoleHarness();
    const session = await harness.signIn();
    const response = await harness.post('/console/api/agent/status', { statusId: 'available' }, session, { 'content-type': 'text/plain' });
    assert.equal(response.statusCode, 415);
  });

  it('cover sign-out', async () => {
    harness = await consoleHarness();
    const session = await harness.signIn();
    assert.equal((await harness.post('/console/api/sign-out', {}, { cookie: session.cookie })).statusCode, 403);
    assert.equal((await harness.get('/console/api/session', session.cookie)).statusCode, 200);
  });
});

describe('the agent', () => {
  it('accepts, hangs up and completes after-contact work, each answer being the new view', async () => {
    harness = await consoleHarness();
    const session = await harness.signIn();
    assert.equal((await harness.post('/console/api/agent/status', { statusId: 'available' }, session)).json().status.name, 'Available');
    harness.desk.offer('contact-1');
    const offered = (await harness.get('/console/api/agent', session.cookie)).json();
    assert.equal(offered.contact.state, 'incoming');
    assert.deepEqual(offered.contact.attributes, { orderId: '42' });

    assert.equal((await harness.post('/console/api/contacts/contact-1/accept', {}, session)).json().contact.state, 'connected');
    assert.equal((await harness.post('/console/api/contacts/contact-1/hang-up', {}, session)).json().contact.state, 'after-contact-work');
    const done = await harness.post('/console/api/contacts/contact-1/complete', {}, session);
    assert.equal(done.json().contact, null);
    assert.deepEqual(harness.desk.calls, ['setStatus available', 'accept contact-1', 'hangUp contact-1', 'complete contact-1']);
  });

  it('gets Connect exceptions as HTTP statuses with JSON errors', async () => {
    harness = await consoleHarness();
    const session = await harness.signIn();
    const conflict = await harness.post('/console/api/contacts/contact-9/accept', {}, session);
    assert.equal(conflict.statusCode, 409);
    assert.equal(conflict.json().error, 'InvalidRequestException');
    const missing = await harness.post('/console/api/agent/status', { statusId: 'nope' }, session);
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { error: 'ResourceNotFoundException', message: 'Agent status nope not found.' });
    const badId = await harness.post('/console/api/contacts/a%20b/accept', {}, session);
    assert.equal(badId.statusCode, 400);
    const unknown = await harness.get('/console/api/nothing-here', session.cookie);
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error, 'NotFound');
  });

  it('reads the supervisor view', async () => {
    harness = await consoleHarness();
    const { cookie } = await harness.signIn();
    const view = (await harness.get('/console/api/supervisor', cookie)).json();
    assert.equal(view.queues[0].name, 'BasicQueue');
  });
});

describe('the web app', () => {
  it('serves the page for each console route, with a strict content security policy', async () => {
    harness = await consoleHarness();
    for (const url of ['/console/', '/console', '/console/supervisor']) {
      const page = await harness.get(url);
      assert.equal(page.statusCode, 200, url);
      assert.match(page.headers['content-type'] as string, /^text\/html/);
      assert.match(page.body, /outdial console/);
      assert.match(page.headers['content-security-policy'] as string, /default-src 'self'/);
      assert.equal(page.headers['x-frame-options'], 'DENY');
      assert.equal(page.headers['cache-control'], 'no-cache');
    }
    const asset = await harness.get('/console/assets/app-1234.js');
    assert.match(asset.headers['content-type'] as string, /^text\/javascript/);
    assert.match(asset.headers['cache-control'] as string, /immutable/);
    assert.equal((await harness.get('/console/assets/../../etc/passwd')).statusCode, 404);
    assert.equal((await harness.get('/console/%2e%2e/package.json')).statusCode, 404);
    assert.equal((await harness.get('/console/missing.js')).statusCode, 404);
  });

  it('says how to build it when dist/web is missing', async () => {
    harness = await consoleHarness({ deps: { webRoot: '/nonexistent/outdial-web' } });
    const page = await harness.get('/console/');
    assert.equal(page.statusCode, 503);
    assert.match(page.body, /npm run build:web/);
  });
});

describe('live updates', () => {
  /** Opens the event stream on a listening server; resolves with the response and a reader of whole events. */
  async function openStream(base: string, cookie: string | undefined, view = 'agent') {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const request = httpRequest(`${base}/console/api/events?view=${view}`, { headers: cookie === undefined ? {} : { cookie } }, resolve);
      request.on('error', reject);
      request.end();
    });
    response.setEncoding('utf8');
    let buffered = '';
    const waiting: ((event: { event: string; data: unknown }) => void)[] = [];
    const ready: { event: string; data: unknown }[] = [];
    let ended = false;
    response.on('data', (chunk: string) => {
      buffered += chunk;
      let at: number;
      while ((at = buffered.indexOf('\n\n')) >= 0) {
        const block = buffered.slice(0, at);
        buffered = buffered.slice(at + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event === undefined || data === undefined) continue;
        const parsed = { event, data: JSON.parse(data) as unknown };
        const next = waiting.shift();
        if (next !== undefined) next(parsed);
        else ready.push(parsed);
      }
    });
    response.on('end', () => (ended = true));
    return {
      response,
      get ended() {
        return ended;
      },
      next: () =>
        new Promise<{ event: string; data: unknown }>((resolve, reject) => {
          const queued = ready.shift();
          if (queued !== undefined) return resolve(queued);
          const timer = setTimeout(() => reject(new Error('no event within 5 s')), 5000);
          waiting.push((event) => {
            clearTimeout(timer);
            resolve(event);
          });
        }),
    };
  }

  it('sends the view at once and again after each change, and ends when the session signs out', async () => {
    harness = await consoleHarness();
    const session = await harness.signIn();
    const base = await harness.app.listen({ host: '127.0.0.1', port: 0 });
    const stream = await openStream(base, session.cookie);
    assert.equal(stream.response.statusCode, 200);
    assert.match(stream.response.headers['content-type'] as string, /^text\/event-stream/);

    const first = await stream.next();
    assert.equal(first.event, 'agent');
    assert.equal((first.data as { contact: unknown }).contact, null);

    harness.desk.offer('contact-7');
    const offered = await stream.next();
    assert.equal((offered.data as { contact: { contactId: string; state: string } }).contact.contactId, 'contact-7');
    assert.equal((offered.data as { contact: { state: string } }).contact.state, 'incoming');

    const supervisor = await openStream(base, session.cookie, 'supervisor');
    assert.equal((await supervisor.next()).event, 'supervisor');

    const out = await harness.post('/console/api/sign-out', {}, session);
    assert.equal(out.statusCode, 204);
    assert.equal((await stream.next()).event, 'signed-out');
    assert.equal((await supervisor.next()).event, 'signed-out');
  });

  it('ends a stream whose session expired at the next heartbeat', async () => {
    harness = await consoleHarness({ deps: { heartbeatMs: 20_000 } });
    const session = await harness.signIn();
    const base = await harness.app.listen({ host: '127.0.0.1', port: 0 });
    const stream = await openStream(base, session.cookie);
    await stream.next();
    await harness.store.consoleSessions.delete(sessionKey(session.cookie.split('=')[1]!));
    harness.clock.advance(20_000);
    assert.equal((await stream.next()).event, 'signed-out');
  });

  it('refuses a stream without a session', async () => {
    harness = await consoleHarness();
    const base = await harness.app.listen({ host: '127.0.0.1', port: 0 });
    const stream = await openStream(base, undefined);
    assert.equal(stream.response.statusCode, 401);
  });

  it('lets the server close with streams open', async () => {
    harness = await consoleHarness();
    const session = await harness.signIn();
    const base = await harness.app.listen({ host: '127.0.0.1', port: 0 });
    const stream = await openStream(base, session.cookie);
    await stream.next();
    const ended = once(stream.response, 'end');
    await harness.app.close();
    await ended;
    assert.ok(stream.ended);
  });
});
