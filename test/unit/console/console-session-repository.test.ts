/** The console's session and failure-counter repository on SQLite (migration 0009). */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { openSqlite } from '../../../src/store/dialects.js';
import { kyselyStore, migrate } from '../../../src/store/kysely/kysely-store.js';
import type { Store } from '../../../src/store/store.js';

let store: Store;

beforeEach(async () => {
  const database = openSqlite(':memory:');
  await migrate(database.db);
  store = kyselyStore(database);
});

afterEach(async () => {
  await store.close();
});

const session = (idHash: string, at: number) => ({ idHash, instanceId: 'i', userId: 'u', createdAt: at, lastSeenAt: at, expiresAt: at + 1000 });

describe('console sessions', () => {
  it('insert, read, touch (never backwards) and delete', async () => {
    await store.consoleSessions.insert(session('a', 100));
    await store.consoleSessions.touch('a', 150);
    await store.consoleSessions.touch('a', 120);
    assert.deepEqual(await store.consoleSessions.get('a'), { ...session('a', 100), lastSeenAt: 150 });
    await store.consoleSessions.delete('a');
    assert.equal(await store.consoleSessions.get('a'), undefined);
  });

  it('sweep removes idle and expired sessions and forgotten, unlocked failure counters', async () => {
    await store.consoleSessions.insert(session('idle', 0));
    await store.consoleSessions.insert(session('expired', 500)); // expires at 1500
    await store.consoleSessions.insert(session('live', 1400));
    await store.consoleSessions.addFailure('old', 0, 0);
    await store.consoleSessions.addFailure('old-locked', 0, 0);
    await store.consoleSessions.lock('old-locked', 5000);
    await store.consoleSessions.addFailure('recent', 1400, 0);
    assert.equal(await store.consoleSessions.sweep(1600, 400, 1000), 3);
    assert.ok(await store.consoleSessions.get('live'));
    assert.deepEqual((await store.consoleSessions.getFailures(['old', 'old-locked', 'recent'])).map((f) => f.key).sort(), ['old-locked', 'recent']);
  });
});

describe('sign-in failure counters', () => {
  it('count in one statement and start over after the window', async () => {
    assert.equal(await store.consoleSessions.addFailure('k', 100, 0), 1);
    assert.equal(await store.consoleSessions.addFailure('k', 200, 0), 2);
    assert.equal(await store.consoleSessions.addFailure('k', 300, 100), 3, 'the previous failure (200) is inside the window');
    assert.equal(await store.consoleSessions.addFailure('k', 1000, 500), 1, 'the previous failure (300) is before the window');
    await store.consoleSessions.lock('k', 2000);
    assert.deepEqual(await store.consoleSessions.getFailures(['k', 'other']), [{ key: 'k', failures: 1, lastFailureAt: 1000, lockedUntil: 2000 }]);
    await store.consoleSessions.clearFailures('k');
    assert.deepEqual(await store.consoleSessions.getFailures(['k']), []);
  });

  it('count every one of concurrent failures', async () => {
    const counts = await Promise.all(Array.from({ length: 10 }, () => store.consoleSessions.addFailure('k', 100, 0)));
    assert.deepEqual([...counts].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});
