/**
 * The HTTP front door: Amazon Connect's restJson1 routes, SigV4, throttling, validation and error mapping.
 * `buildServer` returns a Fastify instance that does not listen, so tests drive it with `inject`.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import type { RateLimiter } from '../services/rate-limiter.js';
import {
  InternalServiceException,
  RequestEntityTooLargeException,
  SerializationException,
  ServiceException,
  ThrottlingException,
  TooManyRequestsException,
  UnknownOperationException,
  UnsupportedMediaTypeException,
} from './errors.js';
import { operations, shapes, type OperationName } from './model/shapes.generated.js';
import type { OperationModel, ShapeModel } from './model/types.js';
import { validateInput } from './model/validate.js';
import type { ConnectService, Services } from './operation.js';
import { parseJsonBody, serializeError } from './protocol.js';
import { registerWebhookRoutes } from './webhook-routes.js';
import { registerRecordingRoutes } from './recording-routes.js';
import type { SigV4Verifier } from './sigv4.js';
import { consolePlugin, type ConsoleDeps } from '../console/console-server.js';

export interface ServerDeps {
  readonly services: Services;
  readonly handlers: ConnectService;
  readonly verifier: SigV4Verifier;
  readonly rateLimiter: RateLimiter;
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  readonly region: string;
  /** Told every API request's operation, outcome and duration; nothing is recorded when absent. */
  readonly metrics?: Metrics;
  /** Serves `GET /metrics` (unsigned, like /health) when present; see docs/observability.md. */
  readonly metricsEndpoint?: () => Promise<{ contentType: string; body: string }>;
  /** Serves the agent console under /console/ (its own session auth, not SigV4); see docs/console.md. */
  readonly console?: ConsoleDeps;
}

/** How to find one input member in a request. */
interface Binding {
  readonly member: string;
  readonly location: 'uri' | 'querystring' | 'header';
  readonly key: string;
  readonly type: ShapeModel['type'];
  readonly listMemberType?: ShapeModel['type'];
}

declare module 'fastify' {
  interface FastifyRequest {
    requestId: string;
  }
  interface FastifyReply {
    /** The code of the error sent (`sendError`), empty for a success; the outcome metrics record. */
    errorCode: string;
  }
  interface FastifyContextConfig {
    /** The operation a route's requests are counted under in metrics; unset: `unknown`; null: not counted. */
    operation?: string | null;
  }
}

export function buildServer(deps: ServerDeps): FastifyInstance {
  const metrics = deps.metrics;
  const app = Fastify({
    bodyLimit: deps.bodyLimitBytes,
    // Labels may be resource ARNs (`…/instance/<id>/routing-profile/<id>`), about 170 characters once
    // percent-encoded; Fastify's default limit of 100 refused them.
    routerOptions: { maxParamLength: 1024 },
    logger: false,
    return503OnClosing: false,
    // Fastify rejects some requests (a path with broken percent-encoding) before any hook runs.
    frameworkErrors: (error, _request, reply) => {
      void reply.header('x-amzn-RequestId', randomUUID());
      sendError(reply, new SerializationException(`The request could not be read: ${error.message}`));
      // No hook runs for these; they are refused before any work, so their time is taken as 0.
      metrics?.apiRequest('unknown', reply.errorCode, 0);
    },
  });
  const log = deps.logger.child({ component: 'api' });

  const verify = (request: FastifyRequest, body: Buffer) =>
    deps.verifier.verify({
      method: request.method,
      rawPath: request.url.split('?')[0] ?? '/',
      rawQuery: request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '',
      headers: request.headers,
      body,
    });

  app.decorateRequest('requestId', '');
  app.decorateReply('errorCode', '');
  app.addHook('onRequest', (request, reply, done) => {
    request.requestId = randomUUID();
    void reply.header('x-amzn-RequestId', request.requestId);
    done();
  });
  // With an onResponse hook Fastify times every request (performance.now() at arrival and at the end).
  app.addHook('onResponse', (request, reply, done) => {
    const operation = request.routeOptions.config.operation;
    if (operation !== null) {
      const outcome = reply.errorCode || 'success';
      metrics?.apiRequest(operation ?? 'unknown', outcome, reply.elapsedTime / 1000);
      log.info('request', {
        requestId: request.requestId,
        operation: operation ?? 'unknown',
        status: reply.statusCode,
        outcome,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      });
    }
    done();
  });

  // Bodies stay raw bytes: the signature covers them, and JSON errors must be Connect-shaped.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.get('/health', { config: { operation: null } }, (_request, reply) => reply.send({ status: 'ok' }));

  // Prometheus scrapes without AWS credentials. Only counts and latencies, no contact data; firewall it
  // like /health on a public bind.
  const scrape = deps.metricsEndpoint;
  if (scrape !== undefined) {
    app.get('/metrics', { config: { operation: null } }, async (_request, reply) => {
      const { contentType, body } = await scrape();
      return reply.header('content-type', contentType).send(body);
    });
  }

  // The agent console: an encapsulated plugin with its own auth, errors and not-found answers.
  if (deps.console !== undefined) void app.register(consolePlugin(deps.console), { prefix: '/console' });

  for (const name of Object.keys(operations) as OperationName[]) {
    const operation: OperationModel = operations[name];
    const bindings = bindingsOf(operation);
    app.route({
      method: operation.http.method,
      url: operation.http.requestUri.replace(/\{(\w+)\}/g, ':$1'),
      config: { operation: name },
      handler: async (request, reply) => {
        const body = rawBody(request);
        await verify(request, body);
        if (!deps.rateLimiter.tryTake(name)) {
          throw operation.errors.includes('ThrottlingException')
            ? new ThrottlingException('Rate exceeded')
            : new TooManyRequestsException('Rate exceeded');
        }
        const input = validateInput(operation, { ...jsonBody(request, body), ...boundMembers(request, bindings) });
        const output = await deps.handlers[name](input, {
          services: deps.services,
          requestId: request.requestId,
          region: deps.region,
          origin: `${request.protocol}://${request.host}`,
        });
        return reply
          .code(operation.http.responseCode)
          .header('content-type', 'application/json')
          .send(JSON.stringify(output ?? {}));
      },
    });
  }

  // outdial's own: a contact's flow log, as Connect keeps it in CloudWatch Logs. Signed like the rest.
  app.get('/outdial/contacts/:InstanceId/:ContactId/flow-log', { config: { operation: 'GetContactFlowLog' } }, async (request, reply) => {
    await verify(request, rawBody(request));
    const { InstanceId, ContactId } = request.params as { InstanceId: string; ContactId: string };
    const log = await deps.services.contacts.flowLog(InstanceId, ContactId);
    return reply
      .header('content-type', 'application/json')
      .send(
        JSON.stringify({
          ContactId,
          FlowLog: log.map((entry) => {
            const { at, ...rest } = entry as { at: number };
            return { Timestamp: at / 1000, ...rest };
          }),
        }),
      );
  });

  registerWebhookRoutes(app, {
    eventSinks: deps.services.eventSinks,
    readSigned: async (request) => {
      const body = rawBody(request);
      await verify(request, body);
      return jsonBody(request, body);
    },
  });

  registerRecordingRoutes(app, { contacts: deps.services.contacts, verify: (request) => verify(request, rawBody(request)), logger: log });

  app.setNotFoundHandler((request, reply) => {
    sendError(reply, new UnknownOperationException(`No operation matches ${request.method} ${request.url.split('?')[0]}.`));
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    if (error instanceof ServiceException) return sendError(reply, error);
    const fastifyError = error as { code?: string; statusCode?: number; message?: string };
    if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(reply, new RequestEntityTooLargeException(`The request body exceeds ${deps.bodyLimitBytes} bytes.`));
    }
    if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendError(reply, new UnsupportedMediaTypeException('The request body must be application/json.'));
    }
    if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      return sendError(reply, new SerializationException(fastifyError.message ?? 'The request could not be read.'));
    }
    log.error('internal error', { requestId: request.requestId, error: String(error), stack: (error as Error).stack });
    return sendError(reply, new InternalServiceException(`Internal error. Request id: ${request.requestId}`));
  });

  return app;
}

function sendError(reply: FastifyReply, error: ServiceException): void {
  const wire = serializeError(error);
  reply.errorCode = error.name;
  void reply.code(wire.status).headers(wire.headers).send(wire.body);
}

function rawBody(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

/** The JSON members of the body; a body under any content type other than JSON is refused. */
function jsonBody(request: FastifyRequest, body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  const type = request.headers['content-type'];
  if (type !== undefined && !/^application\/(x-amz-json-1\.[01]|json)\b/i.test(type)) {
    throw new UnsupportedMediaTypeException(`Content-Type ${type} is not supported; send application/json.`);
  }
  return parseJsonBody(body);
}

function bindingsOf(operation: OperationModel): Binding[] {
  const input = shapes[operation.input];
  if (input?.type !== 'structure') throw new Error(`input of ${operation.name} is not a structure`);
  const bindings: Binding[] = [];
  for (const [member, model] of Object.entries(input.members)) {
    if (model.location === undefined || model.location === 'body') continue;
    const target = shapes[model.target];
    if (target === undefined) throw new Error(`unknown shape ${model.target}`);
    bindings.push({
      member,
      location: model.location,
      key: model.locationName ?? member,
      type: target.type,
      ...(target.type === 'list' && { listMemberType: shapes[target.member]?.type }),
    });
  }
  return bindings;
}

/** URI labels, query strings and headers, converted to their modeled types (what fails to convert stays as text, so validation reports it). */
function boundMembers(request: FastifyRequest, bindings: readonly Binding[]): Record<string, unknown> {
  const members: Record<string, unknown> = {};
  const params = request.params as Record<string, string | undefined>;
  const query = request.query as Record<string, string | string[] | undefined>;
  for (const b of bindings) {
    const raw = b.location === 'uri' ? params[b.key] : b.location === 'querystring' ? query[b.key] : request.headers[b.key.toLowerCase()];
    if (raw === undefined) continue;
    if (b.type === 'list') {
      members[b.member] = (Array.isArray(raw) ? raw : [raw]).map((v) => scalar(v, b.listMemberType));
    } else {
      members[b.member] = scalar(Array.isArray(raw) ? (raw[0] ?? '') : raw, b.type);
    }
  }
  return members;
}

function scalar(text: string, type: ShapeModel['type'] | undefined): unknown {
  if ((type === 'integer' || type === 'long') && /^-?\d+$/.test(text)) return Number(text);
  if ((type === 'float' || type === 'double') && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}
