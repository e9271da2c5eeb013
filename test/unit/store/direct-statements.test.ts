import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openSqlite } from '../../../src/store/dialects.js';
import { migrate } from '../../../src/store/kysely/kysely-store.js';
import { param, prepare } from '../../../src/store/kysely/prepared.js';
import { WriteBatcher } from '../../../src/store/kysely/write-batcher.js';

async function setUp() {
  const database = openSqlite(':memory:');
  await migrate(database.db);
  const { db } = database;
  const insertToken = prepare<{ token: string }, never>(
    db.insertInto('client_tokens').values({ instance_id: 'i', client_token: param<string>('token'), contact_id: 'c', created_at: 7 }),
  );
  const claim = prepare<{ token: string; at: number }, { client_token: string; created_at: number }>(
    db
      .updateTable('client_tokens')
      .set({ created_at: param<number>('at') })
      .where('client_token', '=', param<string>('token'))
      .returning(['client_token', 'created_at']),
  );
  return { database, db, insertToken, claim };
}

describe('statements on SQLite', () => {
  it('gives rows the same objects as better-sqlite3 would: every type, nulls, repeated names', async () => {
    const { db } = await setUp();
    const { rows } = await sql<Record<string, unknown>>`SELECT 'text' AS t, 42 AS i, 1.5 AS f, NULL AS n, x'0102' AS b, 1 AS d, 2 AS d`.execute(db);
    assert.deepEqual(rows, [{ t: 'text', i: 42, f: 1.5, n: null, b: Buffer.from([1, 2]), d: 2 }]);
    const many = await db.selectFrom(sql<{ v: number }>`(SELECT 1 AS v UNION ALL SELECT 2)`.as('s')).selectAll().execute();
    assert.deepEqual(many, [{ v: 1 }, { v: 2 }]);
    const streamed: unknown[] = [];
    for await (const row of db.selectFrom(sql<{ v: number }>`(SELECT 3 AS v)`.as('s')).selectAll().stream()) streamed.push(row);
    assert.deepEqual(streamed, [{ v: 3 }]);
    await db.destroy();
  });

  it('runs prepared queries inside a write batch directly, with results and errors as through Kysely', async () => {
    const { database, db, insertToken, claim } = await setUp();
    const batcher = new WriteBatcher(db, database);
    const [inserted, claimed, duplicate] = await Promise.allSettled([
      batcher.run((trx) => insertToken.execute(trx, { token: 'a' }), { singleStatement: true }),
      batcher.run(async (trx) => (await claim.execute(trx, { token: 'a', at: 9 })).rows),
      batcher.run((trx) => insertToken.execute(trx, { token: 'a' }), { singleStatement: true }),
    ]);
    assert.equal(inserted.status, 'fulfilled');
    assert.equal(inserted.value.numAffectedRows, 1n);
    assert.deepEqual(claimed.status === 'fulfilled' && claimed.value, [{ client_token: 'a', created_at: 9 }]);
    assert.equal(duplicate.status, 'rejected');
    assert.equal((duplicate.reason as { code?: string }).code, 'SQLITE_CONSTRAINT_PRIMARYKEY');
    // Outside a batch the same prepared query goes through Kysely and sees the committed row.
    assert.deepEqual((await claim.execute(db, { token: 'a', at: 11 })).rows, [{ client_token: 'a', created_at: 11 }]);
    await db.destroy();
  });

  it('keeps contacts_by_agent to contacts an agent took, and agent lookups still use it', async () => {
    const { db } = await setUp();
    const { rows: index } = await sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE name = 'contacts_by_agent'`.execute(db);
    assert.match(index[0]?.sql ?? '', /where "agent_id" is not null/i);
    const { rows: plan } = await sql<{ detail: string }>`EXPLAIN QUERY PLAN SELECT * FROM contacts WHERE agent_id = ${'u'} ORDER BY agent_connected_at DESC`.execute(db);
    assert.match(plan.map((p) => p.detail).join('\n'), /USING INDEX contacts_by_agent/);
    await db.destroy();
  });
});
