/**
 * outdial's own API for webhook subscriptions, beside Connect's: signed with SigV4 like every other
 * request, PascalCase members, Connect-shaped errors. `outdial webhooks …` is its CLI; docs/events.md its
 * reference.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DeliveryRecord, EventSinkRecord } from '../store/store.js';
import type { EventSinkService } from '../services/event-sinks.js';
import { InvalidParameterException } from './errors.js';
import { epochSeconds } from './protocol.js';

export interface WebhookRouteDeps {
  readonly eventSinks: EventSinkService;
  /** Verifies the request's signature and returns its JSON body's members. */
  readonly readSigned: (request: FastifyRequest) => Promise<Record<string, unknown>>;
}

const createInput = z
  .object({
    Name: z.string().optional(),
    Url: z.string(),
    EventTypes: z.array(z.string()).optional(),
    Stream: z.enum(['events', 'records']).optional(),
    Secret: z.string().optional(),
  })
  .loose();
const rotateInput = z.object({ Secret: z.string().optional() }).loose();
const redeliverInput = z.object({ DeliveryIds: z.array(z.number().int().positive()).max(1000).optional() }).loose();
const listQuery = z
  .object({
    status: z.enum(['pending', 'delivered', 'dead']).optional(),
    maxResults: z.coerce.number().int().min(1).max(100).optional(),
    nextToken: z.string().regex(/^\d+$/).optional(),
  })
  .loose();

/** Counted in metrics and request logs under one operation name. */
const counted = { config: { operation: 'OutdialWebhooks' } };

export function registerWebhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): void {
  const { eventSinks, readSigned } = deps;
  const id = (request: FastifyRequest) => (request.params as { Id: string }).Id;

  app.post('/outdial/webhooks', counted, async (request) => {
    const input = parse(createInput, await readSigned(request));
    const { sink, secret } = await eventSinks.createWebhook({
      url: input.Url,
      ...(input.Name !== undefined && { name: input.Name }),
      ...(input.EventTypes !== undefined && { eventTypes: input.EventTypes }),
      ...(input.Stream !== undefined && { stream: input.Stream }),
      ...(input.Secret !== undefined && { secret: input.Secret }),
    });
    return { Webhook: webhookView(sink), Secret: secret };
  });

  app.get('/outdial/webhooks', counted, async (request) => {
    await readSigned(request);
    return { Webhooks: (await eventSinks.listWebhooks()).map(webhookView) };
  });

  app.get('/outdial/webhooks/:Id', counted, async (request) => {
    await readSigned(request);
    return { Webhook: webhookView(await eventSinks.getWebhook(id(request))) };
  });

  app.delete('/outdial/webhooks/:Id', counted, async (request) => {
    await readSigned(request);
    await eventSinks.deleteWebhook(id(request));
    return {};
  });

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    app.post(`/outdial/webhooks/:Id/${action}`, counted, async (request) => {
      await readSigned(request);
      return { Webhook: webhookView(await eventSinks.setEnabled(id(request), enabled)) };
    });
  }

  app.get('/outdial/webhooks/:Id/secret', counted, async (request) => {
    await readSigned(request);
    return { Secrets: await eventSinks.secrets(id(request)) };
  });

  app.post('/outdial/webhooks/:Id/rotate-secret', counted, async (request) => {
    const input = parse(rotateInput, await readSigned(request));
    const { secret, previousExpiresAt } = await eventSinks.rotateSecret(id(request), input.Secret);
    return { Secret: secret, PreviousSecretExpiresTimestamp: epochSeconds(previousExpiresAt) };
  });

  app.get('/outdial/webhooks/:Id/deliveries', counted, async (request) => {
    await readSigned(request);
    const query = parse(listQuery, request.query);
    const page = await eventSinks.deliveries(id(request), query.status, {
      ...(query.maxResults !== undefined && { limit: query.maxResults }),
      ...(query.nextToken !== undefined && { after: Number(query.nextToken) }),
    });
    return {
      Deliveries: page.deliveries.map(deliveryView),
      ...(page.next !== undefined && { NextToken: String(page.next) }),
    };
  });

  app.post('/outdial/webhooks/:Id/redeliver', counted, async (request) => {
    const input = parse(redeliverInput, await readSigned(request));
    return { Redelivered: await eventSinks.redeliver(id(request), input.DeliveryIds) };
  });
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
  throw new InvalidParameterException(issues.join('; '));
}

function webhookView(sink: EventSinkRecord) {
  return {
    Id: sink.id,
    Name: sink.name,
    Url: sink.target,
    Stream: sink.stream,
    EventTypes: sink.eventTypes,
    Enabled: sink.enabled,
    ...(sink.disabledReason !== null && { DisabledReason: sink.disabledReason }),
    ManagedBy: sink.managedBy,
    CreatedTimestamp: epochSeconds(sink.createdAt),
    LastModifiedTimestamp: epochSeconds(sink.updatedAt),
  };
}

function deliveryView(d: DeliveryRecord) {
  return {
    Id: d.id,
    MessageId: d.messageId,
    ContactId: d.contactId,
    EventType: d.type,
    Status: d.status,
    Attempts: d.attempts,
    ...(d.status === 'pending' && { NextAttemptTimestamp: epochSeconds(d.nextAttemptAt) }),
    ...(d.lastStatus !== null && { LastHttpStatus: d.lastStatus }),
    ...(d.lastError !== null && { LastError: d.lastError }),
    CreatedTimestamp: epochSeconds(d.createdAt),
    ...(d.deliveredAt !== null && { DeliveredTimestamp: epochSeconds(d.deliveredAt) }),
  };
}
