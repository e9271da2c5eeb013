/**
 * Where contact events and contact records go: webhook subscriptions (declared in config or managed over
 * the HTTP API and the CLI), JSON-lines files and stdout. Sinks declared in config are re-applied at every
 * start; those made over the API live in the store. Delivery itself is events/dispatcher.ts.
 */
import { isValidSecret, newSecret } from '../events/signing.js';
import type { Clock } from '../shared/clock.js';
import type { IdSource } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import type { DeliveryRecord, DeliveryStatus, EventSinkRecord, EventStream, SinkKind, Store } from '../store/store.js';
import { CONTACT_EVENT_TYPES } from './contact-events.js';
import { DuplicateResourceException, InvalidParameterException, InvalidRequestException, ResourceNotFoundException } from './errors.js';

/** A sink as the config file declares it. */
export interface DeclaredSink {
  readonly name: string;
  readonly type: SinkKind;
  /** URL (webhook) or path (file). */
  readonly target: string;
  readonly stream: EventStream;
  readonly eventTypes: readonly string[];
  /** Webhook secrets, newest first; a webhook declared without one keeps the one generated for it. */
  readonly secrets: readonly string[];
}

export interface WebhookInput {
  name?: string;
  url: string;
  eventTypes?: readonly string[];
  stream?: EventStream;
  secret?: string;
}

export interface EventSinkServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly logger: Logger;
  /** How long a rotated-out secret keeps signing, so receivers can switch over. */
  readonly secretGraceMs: number;
  /** Asks the dispatcher to look for work now (after a redelivery or an enable). */
  readonly wake: () => void;
}

const MAX_PAGE = 100;

export class EventSinkService {
  /** Per stream, the event types some enabled sink takes ('all' when one takes every type). */
  #wanted = new Map<EventStream, Set<string> | 'all'>();

  constructor(private readonly deps: EventSinkServiceDeps) {}

  /** Whether an enabled sink takes messages of this stream and type; see ContactEventsOptions.wanted. */
  readonly wanted = (stream: EventStream, type: string): boolean => {
    const types = this.#wanted.get(stream);
    return types === 'all' || (types?.has(type) ?? false);
  };

  readonly anyWanted = (): boolean => this.#wanted.size > 0;

  /** Re-reads which sinks are enabled; after every change to a sink (this node's, or the dispatcher's 410). */
  async refresh(): Promise<void> {
    const wanted = new Map<EventStream, Set<string> | 'all'>();
    for (const sink of await this.deps.store.events.listSinks()) {
      if (!sink.enabled) continue;
      const current = wanted.get(sink.stream);
      if (current === 'all' || sink.stream === 'records' || sink.eventTypes.length === 0) {
        wanted.set(sink.stream, 'all');
      } else {
        wanted.set(sink.stream, new Set([...(current ?? []), ...sink.eventTypes]));
      }
    }
    this.#wanted = wanted;
  }

  /** Makes the store's config-managed sinks match `declared`: new ones added, changed ones updated, gone ones removed. */
  async applyDeclarations(declared: readonly DeclaredSink[]): Promise<void> {
    const { store, clock } = this.deps;
    const existing = await store.events.listSinks();
    for (const sink of declared) {
      const current = existing.find((s) => s.name === sink.name);
      if (current !== undefined && current.managedBy !== 'config') {
        throw new InvalidParameterException(`event sink "${sink.name}" exists already, made over the API; rename one of them`);
      }
      const now = clock.now();
      const secrets =
        sink.type !== 'webhook'
          ? []
          : sink.secrets.length > 0
            ? sink.secrets.map((secret) => ({ secret, expiresAt: null }))
            : (current?.secrets ?? [{ secret: newSecret(), expiresAt: null }]);
      const fields = { kind: sink.type, target: sink.target, stream: sink.stream, eventTypes: [...sink.eventTypes], secrets, updatedAt: now };
      if (current === undefined) {
        await store.events.insertSink({
          id: this.deps.ids.uuid(),
          name: sink.name,
          ...fields,
          enabled: true,
          disabledReason: null,
          managedBy: 'config',
          createdAt: now,
        });
      } else {
        await store.events.updateSink(current.id, fields);
      }
    }
    for (const gone of existing.filter((s) => s.managedBy === 'config' && !declared.some((d) => d.name === s.name))) {
      await store.events.deleteSink(gone.id);
      this.deps.logger.info('event sink removed from config', { sink: gone.name });
    }
    await this.refresh();
  }

  /** Subscribes a webhook; returns it with its secret (generated unless given). */
  async createWebhook(input: WebhookInput): Promise<{ sink: EventSinkRecord; secret: string }> {
    checkUrl(input.url);
    const eventTypes = checkEventTypes(input.eventTypes ?? []);
    const secret = input.secret ?? newSecret();
    if (!isValidSecret(secret)) throw new InvalidParameterException('Secret must be "whsec_" followed by base64 of 24 to 64 random bytes.');
    const id = this.deps.ids.uuid();
    const name = input.name ?? `webhook-${id.slice(0, 8)}`;
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new InvalidParameterException('Name must be 1 to 64 letters, digits, ".", "_" or "-".');
    if ((await this.deps.store.events.findSinkByName(name)) !== undefined) {
      throw new DuplicateResourceException(`An event sink named "${name}" exists already.`);
    }
    const now = this.deps.clock.now();
    const sink: Omit<EventSinkRecord, 'cursor'> = {
      id,
      name,
      kind: 'webhook',
      target: input.url,
      stream: input.stream ?? 'events',
      eventTypes,
      secrets: [{ secret, expiresAt: null }],
      enabled: true,
      disabledReason: null,
      managedBy: 'api',
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.store.events.insertSink(sink);
    await this.refresh();
    this.deps.logger.info('webhook subscribed', { sink: name, url: redactUrl(input.url) });
    return { sink: await this.getWebhook(id), secret };
  }

  /** Webhooks, from config and from the API. */
  async listWebhooks(): Promise<EventSinkRecord[]> {
    return (await this.deps.store.events.listSinks()).filter((s) => s.kind === 'webhook');
  }

  async getWebhook(id: string): Promise<EventSinkRecord> {
    const sink = await this.deps.store.events.getSink(id);
    if (sink?.kind !== 'webhook') throw new ResourceNotFoundException(`Webhook not found: ${id}`);
    return sink;
  }

  async deleteWebhook(id: string): Promise<void> {
    const sink = await this.getWebhook(id);
    if (sink.managedBy === 'config') {
      throw new InvalidRequestException(`Webhook "${sink.name}" is declared in the config file; remove it there (or disable it).`);
    }
    await this.deps.store.events.deleteSink(id);
    await this.refresh();
    this.deps.logger.info('webhook deleted', { sink: sink.name });
  }

  /**
   * Replaces the signing secret. The old one keeps signing beside the new one for the grace period, so a
   * receiver verifies with either while it switches over.
   */
  async rotateSecret(id: string, secret = newSecret()): Promise<{ secret: string; previousExpiresAt: number }> {
    const sink = await this.getWebhook(id);
    if (!isValidSecret(secret)) throw new InvalidParameterException('Secret must be "whsec_" followed by base64 of 24 to 64 random bytes.');
    const now = this.deps.clock.now();
    const previousExpiresAt = now + this.deps.secretGraceMs;
    const kept = sink.secrets
      .map((s) => ({ secret: s.secret, expiresAt: s.expiresAt ?? previousExpiresAt }))
      .filter((s) => s.expiresAt > now);
    await this.deps.store.events.updateSink(id, { secrets: [{ secret, expiresAt: null }, ...kept], updatedAt: now });
    this.deps.logger.info('webhook secret rotated', { sink: sink.name });
    return { secret, previousExpiresAt };
  }

  /** The secrets that sign now, newest first. */
  async secrets(id: string): Promise<string[]> {
    const sink = await this.getWebhook(id);
    const now = this.deps.clock.now();
    return sink.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now).map((s) => s.secret);
  }

  async setEnabled(id: string, enabled: boolean): Promise<EventSinkRecord> {
    const sink = await this.getWebhook(id);
    // Enabling starts the webhook at the newest message: on an enabled one that would skip what it has not
    // taken yet; and disabling a disabled one keeps the reason it was disabled for (a 410).
    if (sink.enabled === enabled) return sink;
    const reason = enabled ? null : 'disabled by request';
    await this.deps.store.events.setSinkEnabled(id, enabled, reason, this.deps.clock.now());
    await this.refresh();
    if (enabled) this.deps.wake();
    return (await this.deps.store.events.getSink(id)) ?? { ...sink, enabled, disabledReason: reason };
  }

  /** A page of the webhook's deliveries, oldest first; `after` is the last id of the previous page. */
  async deliveries(
    id: string,
    status: DeliveryStatus | undefined,
    page: { after?: number; limit?: number },
  ): Promise<{ deliveries: DeliveryRecord[]; next?: number }> {
    await this.getWebhook(id);
    const limit = Math.min(page.limit ?? MAX_PAGE, MAX_PAGE);
    const deliveries = await this.deps.store.events.listDeliveries(id, status, {
      limit,
      ...(page.after !== undefined && { afterId: page.after }),
    });
    const last = deliveries.at(-1);
    return { deliveries, ...(deliveries.length === limit && last !== undefined && { next: last.id }) };
  }

  /** Sends deliveries again from the first attempt: the given ones, or every dead one. Returns how many. */
  async redeliver(id: string, deliveryIds?: readonly number[]): Promise<number> {
    const sink = await this.getWebhook(id);
    const count = await this.deps.store.events.redeliver(id, this.deps.clock.now(), deliveryIds);
    this.deps.logger.info('deliveries queued again', { sink: sink.name, count });
    this.deps.wake();
    return count;
  }
}

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidParameterException(`Url is not a valid URL: ${url}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new InvalidParameterException('Url must be http or https.');
}

function checkEventTypes(types: readonly string[]): string[] {
  const known: readonly string[] = CONTACT_EVENT_TYPES;
  const unknown = types.filter((t) => !known.includes(t));
  if (unknown.length > 0) {
    throw new InvalidParameterException(`Unknown event types: ${unknown.join(', ')}. Known: ${CONTACT_EVENT_TYPES.join(', ')}.`);
  }
  return [...new Set(types)];
}

/** URLs may carry credentials in their user info or query; logs get the origin and path only. */
function redactUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
