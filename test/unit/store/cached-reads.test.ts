import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cachingResourceReads } from '../../../src/store/cached-reads.js';
import type { InstanceRecord, Store } from '../../../src/store/store.js';

/** A store whose instance reads count and can be held open until the test lets them finish. */
function slowStore(initial: Partial<InstanceRecord>) {
  let current = { id: 'i', outboundCallsEnabled: true, ...initial } as InstanceRecord;
  let reads = 0;
  let gate: Promise<void> = Promise.resolve();
  const store = {
    instances: {
      async get() {
        reads++;
        const seen = current;
        await gate;
        return seen;
      },
      update(_id: string, patch: Partial<InstanceRecord>) {
        current = { ...current, ...patch };
        return Promise.resolve();
      },
    },
    contactFlows: {},
    queues: {},
    phoneNumbers: {},
  } as unknown as Store;
  return {
    store,
    reads: () => reads,
    hold(): () => void {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      return () => {
        gate = Promise.resolve();
        open();
      };
    },
  };
}

describe('cachingResourceReads', () => {
  it('serves a repeated read from memory until the time to live passes', async () => {
    let now = 0;
    const fake = slowStore({});
    const cached = cachingResourceReads(fake.store, 1000, () => now);
    await cached.instances.get('i');
    await cached.instances.get('i');
    assert.equal(fake.reads(), 1);
    now = 1000;
    await cached.instances.get('i');
    assert.equal(fake.reads(), 2);
  });

  it('reads afresh after a write through it', async () => {
    const fake = slowStore({});
    const cached = cachingResourceReads(fake.store, 60_000, () => 0);
    await cached.instances.get('i');
    await cached.instances.update('i', { outboundCallsEnabled: false });
    assert.equal((await cached.instances.get('i'))?.outboundCallsEnabled, false);
  });

  it('does not keep what a read loaded while a write was under way', async () => {
    const fake = slowStore({});
    const cached = cachingResourceReads(fake.store, 60_000, () => 0);
    const release = fake.hold();
    const stale = cached.instances.get('i');
    await cached.instances.update('i', { outboundCallsEnabled: false });
    release();
    assert.equal((await stale)?.outboundCallsEnabled, true, 'the overlapping read saw the old row');
    assert.equal((await cached.instances.get('i'))?.outboundCallsEnabled, false);
  });
});
