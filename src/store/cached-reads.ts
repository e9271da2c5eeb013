/**
 * A Store decorator that keeps the resources every StartOutboundVoiceContact reads (instance, flow, queue,
 * phone number) in memory for a short time. A write through this node clears its repository's entries at
 * once; a write by another node sharing the database is seen within `ttlMs`. Contacts are never cached.
 */
import type { Store } from './store.js';

interface Entry {
  readonly value: unknown;
  readonly expires: number;
}

class TtlCache {
  readonly #entries = new Map<string, Entry>();
  /** Bumped around every write: a load that overlapped a write must not store what it read. */
  #generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** The cached value for `key`, or the loader's, remembered unless it is undefined. */
  async get<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const hit = this.#entries.get(key);
    const now = this.now();
    if (hit !== undefined && hit.expires > now) return hit.value as T;
    const generation = this.#generation;
    const value = await load();
    if (value !== undefined && generation === this.#generation) this.#entries.set(key, { value, expires: now + this.ttlMs });
    return value;
  }

  /** Runs a write and forgets everything: writes are rare, and a stale read after one would surprise. */
  async write<T>(run: () => Promise<T>): Promise<T> {
    this.#forget();
    try {
      return await run();
    } finally {
      this.#forget();
    }
  }

  #forget(): void {
    this.#generation++;
    this.#entries.clear();
  }
}

export function cachingResourceReads(store: Store, ttlMs: number, now: () => number): Store {
  const instances = new TtlCache(ttlMs, now);
  const flows = new TtlCache(ttlMs, now);
  const queues = new TtlCache(ttlMs, now);
  const numbers = new TtlCache(ttlMs, now);
  const { instances: i, contactFlows: f, queues: q, phoneNumbers: n } = store;
  return {
    ...store,
    instances: {
      ...i,
      get: (id) => instances.get(id, () => i.get(id)),
      insert: (record) => instances.write(() => i.insert(record)),
      update: (id, patch) => instances.write(() => i.update(id, patch)),
    },
    contactFlows: {
      ...f,
      get: (instanceId, id) => flows.get(`${instanceId}/${id}`, () => f.get(instanceId, id)),
      insert: (record) => flows.write(() => f.insert(record)),
      updateContent: (instanceId, id, patch) => flows.write(() => f.updateContent(instanceId, id, patch)),
    },
    queues: {
      ...q,
      get: (instanceId, id) => queues.get(`${instanceId}/${id}`, () => q.get(instanceId, id)),
      insert: (record) => queues.write(() => q.insert(record)),
    },
    phoneNumbers: {
      ...n,
      get: (id) => numbers.get(`id:${id}`, () => n.get(id)),
      findByNumber: (number) => numbers.get(`number:${number}`, () => n.findByNumber(number)),
      insert: (record) => numbers.write(() => n.insert(record)),
    },
  };
}
