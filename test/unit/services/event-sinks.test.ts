/** EventSinkService.setEnabled over a fake store: what it asks the store to do. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { EventSinkService } from '../../../src/services/event-sinks.js';
import { ResourceNotFoundException } from '../../../src/services/errors.js';
import { VirtualClock } from '../../../src/shared/clock.js';
import { sequentialIds } from '../../../src/shared/ids.js';
import { silentLogger } from '../../../src/shared/logger.js';
import type { EventSinkRecord, Store } from '../../../src/store/store.js';

function webhook(patch: Partial<EventSinkRecord> = {}): EventSinkRecord {
  return {
    id: 'sink-1',
    name: 'crm',
    kind: 'webhook',
    target: 'https://example.com/hook',
    stream: 'events',
    eventTypes: [],
    secrets: [{ secret: 'whsec_x', expiresAt: null }],
    enabled: true,
    disabledReason: null,
    managedBy: 'api',
    createdAt: 0,
    updatedAt: 0,
    cursor: 7,
    ...patch,
  };
}

/** A service over one sink; `calls` lists the store's setSinkEnabled calls, `wakes` the dispatcher wake-ups. */
function service(initial: EventSinkRecord) {
  let sink = initial;
  const calls: [boolean, string | null][] = [];
  let wakes = 0;
  const events = {
    getSink: (id: string) => Promise.resolve(id === sink.id ? sink : undefined),
    listSinks: () => Promise.resolve([sink]),
    setSinkEnabled: (_id: string, enabled: boolean, reason: string | null) => {
      calls.push([enabled, reason]);
      // The store starts an enabled sink at the newest message.
      sink = { ...sink, enabled, disabledReason: reason, cursor: enabled ? 99 : sink.cursor };
      return Promise.resolve();
    },
  };
  const sinks = new EventSinkService({
    store: { events } as unknown as Store,
    clock: new VirtualClock(0),
    ids: sequentialIds(),
    logger: silentLogger,
    secretGraceMs: 1000,
    wake: () => void wakes++,
  });
  return { sinks, calls, wakes: () => wakes, sink: () => sink };
}

describe('EventSinkService.setEnabled', () => {
  it('disables an enabled webhook, giving the reason', async () => {
    const s = service(webhook());

    const result = await s.sinks.setEnabled('sink-1', false);

    assert.deepEqual(s.calls, [[false, 'disabled by request']]);
    assert.deepEqual([result.enabled, result.disabledReason], [false, 'disabled by request']);
    assert.equal(s.wakes(), 0);
  });

  it('enables a disabled webhook and wakes the dispatcher', async () => {
    const s = service(webhook({ enabled: false, disabledReason: 'disabled by request' }));

    const result = await s.sinks.setEnabled('sink-1', true);

    assert.deepEqual(s.calls, [[true, null]]);
    assert.deepEqual([result.enabled, result.disabledReason], [true, null]);
    assert.equal(s.wakes(), 1);
  });

  it('leaves an enabled webhook alone when asked to enable it, so it skips nothing it has not taken yet', async () => {
    const s = service(webhook({ cursor: 7 }));

    const result = await s.sinks.setEnabled('sink-1', true);

    assert.deepEqual(s.calls, []);
    assert.equal(s.sink().cursor, 7);
    assert.equal(result.enabled, true);
  });

  it('keeps the reason a disabled webhook was disabled for when asked to disable it again', async () => {
    const s = service(webhook({ enabled: false, disabledReason: 'the endpoint answered 410 Gone' }));

    const result = await s.sinks.setEnabled('sink-1', false);

    assert.deepEqual(s.calls, []);
    assert.equal(result.disabledReason, 'the endpoint answered 410 Gone');
  });

  it('knows no webhook by an unknown id, nor a file sink by its id', async () => {
    await assert.rejects(service(webhook()).sinks.setEnabled('nope', true), ResourceNotFoundException);
    await assert.rejects(service(webhook({ kind: 'file' })).sinks.setEnabled('sink-1', true), ResourceNotFoundException);
  });
});
