/**
 * The agent console's HTTP side, under /console/ on the API's server: the web app's files, a small JSON API
 * for it, and Server-Sent Events for live updates. Its routes are a Fastify plugin with their own error and
 * not-found handlers, so the Connect routes' SigV4 and error format stay untouched, and console requests use
 * their own authentication: a session cookie (HttpOnly, SameSite=Strict), and for every state-changing
 * request a same-origin check, a JSON body and the session's CSRF token in `x-csrf-token`.
 *
 *   POST /console/api/sign-in       { instance?, username, password } → the session (and its cookie)
 *   POST /console/api/sign-out
 *   GET  /console/api/session       the signed-in user and the CSRF token
 *   GET  /console/api/agent         the agent's view
 *   POST /console/api/agent/status  { statusId }
 *   POST /console/api/contacts/:contactId/(accept|reject|hang-up|complete)
 *   GET  /console/api/supervisor    queues and agents
 *   GET  /console/api/events?view=agent|supervisor   text/event-stream
 */
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentDesk } from '../services/agent-desk.js';
import { ServiceException } from '../services/errors.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { ConsoleAuth, sessionKey, type ConsoleSecurityPolicy, type ConsoleStore, type Principal } from './auth.js';
import { LiveUpdates } from './live.js';
import { DEFAULT_WEB_ROOT, NOT_BUILT_MESSAGE, WebRoot } from './static-files.js';

export interface ConsoleDeps {
  readonly desk: AgentDesk;
  readonly store: ConsoleStore;
  /** Real time: session expiry, lockouts, heartbeats (never the engine's `--speed` clock). */
  readonly clock: Clock;
  readonly logger: Logger;
  /** The built web app; dist/web by default. */
  readonly webRoot?: string;
  /** Whether the session cookie is `Secure`; `auto` (the default) sets it when the request came over TLS. */
  readonly secureCookies?: boolean | 'auto';
  /** The instance the sign-in form names unless the URL says otherwise; `demo` by default. */
  readonly defaultInstance?: string;
  readonly policy?: Partial<ConsoleSecurityPolicy>;
  /** Between heartbeats on a live stream; 20 s by default. */
  readonly heartbeatMs?: number;
}

export const COOKIE_NAME = 'outdial_console';
const COOKIE_PATH = '/console';
const SWEEP_INTERVAL_MS = 60 * 60 * 1000; // hourly
const BODY_LIMIT_BYTES = 16 * 1024;
const CONTACT_ID = /^[\w-]{1,256}$/;

/** An error the console API answers with as `{ error, message }`. */
export class ConsoleHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const SIGN_IN_FAILED = 'Sign-in failed. Check the instance, username and password.';
const unauthorized = () => new ConsoleHttpError(401, 'NotSignedIn', 'Sign in to use the console.');

/** Connect's exceptions from the desk, as HTTP statuses a browser app can act on. */
function fromServiceException(error: ServiceException): ConsoleHttpError {
  switch (error.name) {
    case 'ResourceNotFoundException':
    case 'ContactNotFoundException':
      return new ConsoleHttpError(404, error.name, error.message);
    // The desk refuses an action the agent's current state does not allow (an offer that lapsed, a call already ended).
    case 'InvalidRequestException':
      return new ConsoleHttpError(409, error.name, error.message);
    case 'InvalidParameterException':
      return new ConsoleHttpError(400, error.name, error.message);
    case 'AccessDeniedException':
      return new ConsoleHttpError(403, error.name, error.message);
    case 'ThrottlingException':
    case 'TooManyRequestsException':
    case 'LimitExceededException':
    case 'ServiceQuotaExceededException':
      return new ConsoleHttpError(429, error.name, error.message);
    default:
      return error.$fault === 'server'
        ? new ConsoleHttpError(500, 'InternalError', 'Something went wrong on the server.')
        : new ConsoleHttpError(error.httpStatus >= 400 && error.httpStatus < 500 ? error.httpStatus : 400, error.name, error.message);
  }
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(at + 1).trim());
  }
  return cookies;
}

function jsonObject(request: FastifyRequest): Record<string, unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new ConsoleHttpError(415, 'UnsupportedMediaType', 'Send the request as application/json.');
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    throw new ConsoleHttpError(400, 'BadRequest', 'The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConsoleHttpError(400, 'BadRequest', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

function optionalText(body: Record<string, unknown>, name: string, max: number): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new ConsoleHttpError(400, 'BadRequest', `${name} must be a string of 1 to ${max} characters.`);
  }
  return value;
}

function requiredText(body: Record<string, unknown>, name: string, max: number): string {
  const value = optionalText(body, name, max);
  if (value === undefined) throw new ConsoleHttpError(400, 'BadRequest', `${name} is required.`);
  return value;
}

/**
 * A browser's cross-site request carries an Origin (or Sec-Fetch-Site) naming another site; such requests
 * are refused before anything else. Clients that send neither (curl, tests) still need the CSRF token.
 */
function assertSameOrigin(request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new ConsoleHttpError(403, 'CrossOriginRequest', 'Cross-site requests are refused.');
  }
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = '';
  }
  if (host !== request.host) throw new ConsoleHttpError(403, 'CrossOriginRequest', 'Cross-site requests are refused.');
}

export function consolePlugin(deps: ConsoleDeps): FastifyPluginCallback {
  return (app: FastifyInstance, _options, done) => {
    const log = deps.logger.child({ component: 'console' });
    const auth = new ConsoleAuth({ store: deps.store, clock: deps.clock, logger: log, policy: deps.policy });
    const live = new LiveUpdates({ desk: deps.desk, clock: deps.clock, logger: log, heartbeatMs: deps.heartbeatMs ?? 20_000 });
    const web = new WebRoot(deps.webRoot ?? DEFAULT_WEB_ROOT);
    if (!web.built) log.warn(NOT_BUILT_MESSAGE, { webRoot: web.root });

    let sweep: TimerHandle | undefined;
    const scheduleSweep = (): void => {
      sweep = deps.clock.setTimer(SWEEP_INTERVAL_MS, () => {
        auth
          .sweep()
          .catch((error: unknown) => log.error('console session sweep failed', { error: String(error) }))
          .finally(scheduleSweep);
      });
    };
    scheduleSweep();
    // Open event streams would keep the server from closing: end them first.
    app.addHook('preClose', (done) => {
      if (sweep !== undefined) deps.clock.clearTimer(sweep);
      sweep = undefined;
      live.close();
      done();
    });

    const secure = (request: FastifyRequest): boolean =>
      deps.secureCookies === 'auto' || deps.secureCookies === undefined ? request.protocol === 'https' : deps.secureCookies;
    const setCookie = (reply: FastifyReply, request: FastifyRequest, value: string, maxAgeSeconds: number): void => {
      const attributes = [`${COOKIE_NAME}=${value}`, `Path=${COOKIE_PATH}`, 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`];
      if (secure(request)) attributes.push('Secure');
      void reply.header('set-cookie', attributes.join('; '));
    };
    const sessionIdOf = (request: FastifyRequest): string | undefined => parseCookies(request.headers.cookie).get(COOKIE_NAME);

    const principalOf = async (request: FastifyRequest): Promise<Principal> => {
      const principal = await auth.authenticate(sessionIdOf(request));
      if (principal === undefined) throw unauthorized();
      return principal;
    };
    /** A state-changing request: same origin, a live session, its CSRF token. */
    const changeBy = async (request: FastifyRequest): Promise<Principal> => {
      assertSameOrigin(request);
      const principal = await principalOf(request);
      const token = request.headers['x-csrf-token'];
      if (!auth.checkCsrf(principal, typeof token === 'string' ? token : undefined)) {
        throw new ConsoleHttpError(403, 'InvalidCsrfToken', 'The request is missing the session’s CSRF token; reload the page.');
      }
      return principal;
    };

    const sessionBody = async (principal: Principal) => {
      const instance = await deps.store.instances.get(principal.session.instanceId);
      const { user } = principal;
      return {
        csrfToken: principal.csrfToken,
        instance: { id: principal.session.instanceId, alias: instance?.alias ?? null },
        user: {
          id: user.id,
          username: user.username,
          firstName: user.identityInfo.FirstName ?? null,
          lastName: user.identityInfo.LastName ?? null,
        },
        expiresAt: principal.session.expiresAt,
      };
    };

    app.setErrorHandler((error: unknown, request, reply) => {
      let failure: ConsoleHttpError;
      if (error instanceof ConsoleHttpError) failure = error;
      else if (error instanceof ServiceException) failure = fromServiceException(error);
      else {
        const fastifyError = error as { code?: string; statusCode?: number; message?: string };
        if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') failure = new ConsoleHttpError(413, 'PayloadTooLarge', 'The request body is too large.');
        else if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
          failure = new ConsoleHttpError(fastifyError.statusCode, 'BadRequest', fastifyError.message ?? 'The request could not be read.');
        } else failure = new ConsoleHttpError(500, 'InternalError', 'Something went wrong on the server.');
      }
      if (failure.status >= 500) log.error('console request failed', { url: request.url, error: String(error), stack: (error as Error).stack });
      return reply
        .code(failure.status)
        .headers({ 'cache-control': 'no-store', ...failure.headers })
        .type('application/json')
        .send(JSON.stringify({ error: failure.code, message: failure.message }));
    });

    app.setNotFoundHandler((request, reply) => {
      if (request.url.startsWith('/console/api/')) {
        return reply.code(404).type('application/json').send(JSON.stringify({ error: 'NotFound', message: 'No such console API route.' }));
      }
      return reply.code(404).type('text/plain; charset=utf-8').send('Not found.');
    });

    // Every console response: no framing by other sites, no sniffing, nothing loaded from elsewhere.
    app.addHook('onSend', (_request, reply, payload, done) => {
      void reply.headers({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'content-security-policy':
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      });
      done(null, payload);
    });

    const routeConfig = { config: { operation: null }, bodyLimit: BODY_LIMIT_BYTES };

    // ---- the web app

    const page = async (_request: FastifyRequest, reply: FastifyReply) => {
      const index = await web.index();
      if (index === undefined) {
        return reply.code(503).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(`${NOT_BUILT_MESSAGE}\n`);
      }
      return reply.type(index.contentType).header('cache-control', 'no-cache').send(index.body);
    };
    app.get('/', routeConfig, page);
    app.get('/supervisor', routeConfig, page);
    app.get('/*', routeConfig, async (request, reply) => {
      const relative = (request.params as { '*': string })['*'];
      const file = relative.startsWith('api/') ? undefined : await web.file(relative);
      if (file === undefined) return reply.callNotFound();
      return reply.type(file.contentType).header('cache-control', file.cacheControl).send(file.body);
    });

    // ---- sign-in and the session

    app.post('/api/sign-in', routeConfig, async (request, reply) => {
      assertSameOrigin(request);
      const body = jsonObject(request);
      const username = requiredText(body, 'username', 100);
      const password = requiredText(body, 'password', 256);
      const instance = optionalText(body, 'instance', 300) ?? deps.defaultInstance ?? 'demo';
      // A new sign-in ends the session the browser had (no fixation, no pile of live rows).
      const previous = sessionIdOf(request);
      if (previous !== undefined) {
        await auth.signOut(previous);
        live.endSession(sessionKey(previous));
      }
      const result = await auth.signIn({ instance, username, password, address: request.ip });
      if (!result.ok) {
        if (result.reason === 'locked') {
          const seconds = Math.ceil(result.retryAfterMs / 1000);
          throw new ConsoleHttpError(429, 'TooManySignInAttempts', 'Too many failed sign-ins. Wait a few minutes and try again.', {
            'retry-after': String(seconds),
          });
        }
        throw new ConsoleHttpError(401, 'SignInFailed', SIGN_IN_FAILED);
      }
      setCookie(reply, request, result.sessionId, Math.floor(auth.policy.sessionMaxMs / 1000));
      return reply.header('cache-control', 'no-store').send(await sessionBody(result.principal));
    });

    app.post('/api/sign-out', routeConfig, async (request, reply) => {
      await changeBy(request);
      const sessionId = sessionIdOf(request)!;
      await auth.signOut(sessionId);
      live.endSession(sessionKey(sessionId));
      setCookie(reply, request, '', 0);
      return reply.code(204).send();
    });

    app.get('/api/session', routeConfig, async (request, reply) => {
      const principal = await principalOf(request);
      return reply.header('cache-control', 'no-store').send(await sessionBody(principal));
    });

    // ---- the agent

    app.get('/api/agent', routeConfig, async (request, reply) => {
      const { session } = await principalOf(request);
      return reply.header('cache-control', 'no-store').send(await deps.desk.view(session.instanceId, session.userId));
    });

    app.post('/api/agent/status', routeConfig, async (request, reply) => {
      const { session } = await changeBy(request);
      const statusId = requiredText(jsonObject(request), 'statusId', 256);
      await deps.desk.setStatus(session.instanceId, session.userId, statusId);
      return reply.header('cache-control', 'no-store').send(await deps.desk.view(session.instanceId, session.userId));
    });

    const actions = {
      accept: (i: string, u: string, c: string) => deps.desk.accept(i, u, c),
      reject: (i: string, u: string, c: string) => deps.desk.reject(i, u, c),
      'hang-up': (i: string, u: string, c: string) => deps.desk.hangUp(i, u, c),
      complete: (i: string, u: string, c: string) => deps.desk.completeAfterContactWork(i, u, c),
    } as const;
    for (const [name, act] of Object.entries(actions)) {
      app.post(`/api/contacts/:contactId/${name}`, routeConfig, async (request, reply) => {
        const { session } = await changeBy(request);
        const { contactId } = request.params as { contactId: string };
        if (!CONTACT_ID.test(contactId)) throw new ConsoleHttpError(400, 'BadRequest', 'The contact id is not valid.');
        await act(session.instanceId, session.userId, contactId);
        return reply.header('cache-control', 'no-store').send(await deps.desk.view(session.instanceId, session.userId));
      });
    }

    // ---- the supervisor

    app.get('/api/supervisor', routeConfig, async (request, reply) => {
      const { session } = await principalOf(request);
      return reply.header('cache-control', 'no-store').send(await deps.desk.supervisor(session.instanceId));
    });

    // ---- live updates

    app.get('/api/events', routeConfig, async (request, reply) => {
      const view = (request.query as { view?: string }).view ?? 'agent';
      if (view !== 'agent' && view !== 'supervisor') throw new ConsoleHttpError(400, 'BadRequest', 'view must be agent or supervisor.');
      const principal = await principalOf(request);
      const sessionId = sessionIdOf(request)!;
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
        connection: 'keep-alive',
      });
      live.open(reply.raw, {
        view,
        instanceId: principal.session.instanceId,
        userId: principal.session.userId,
        sessionKey: principal.session.idHash,
        stillValid: async () => (await auth.authenticate(sessionId)) !== undefined,
      });
    });
    done();
  };
}
