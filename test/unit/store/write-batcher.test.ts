import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openSqlite } from '../../../src/store/dialects.js';
import { migrate } from '../../../src/store/kysely/kysely-store.js';
import { WriteBatcher } from '../../../src/store/kysely/write-batcher.js';

async function setUp() {
  const database = openSqlite(':memory:');
  await migrate(database.db);
  const batcher = new WriteBatcher(database.db, database);
  const insertToken = (token: string) => (trx: Parameters<Parameters<WriteBatcher['run']>[0]>[0]) =>
    trx.insertInto('client_tokens').values({ instance_id: 'i', client_token: token, contact_id: token, created_at: 0 }).execute();
  const tokens = async () =>
    (await database.db.selectFrom('client_tokens').select('client_token').orderBy('client_token').execute()).map((r) => r.client_token);
  return { database, batcher, insertToken, tokens };
}

describe('WriteBatcher', () => {
  it('commits the operations of one turn together and settles each with its own result', async () => {
    const { database, batcher, insertToken, tokens } = await setUp();
    const results = await Promise.all(['a', 'b', 'c'].map((t) => batcher.run(insertToken(t)).then(() => t)));
    assert.deepEqual(results, ['a', 'b', 'c']);
    assert.deepEqual(await tokens(), ['a', 'b', 'c']);
    await database.db.destroy();
  });

  it('undoes only the failing operation, and keeps the others of its batch', async () => {
    const { database, batcher, insertToken, tokens } = await setUp();
    const outcomes = await Promise.allSettled([
      batcher.run(insertToken('a')),
      batcher.run(async (trx) => {
        await insertToken('b')(trx);
        throw new Error('refused after a write');
      }),
      batcher.run(insertToken('c')),
      batcher.run(insertToken('a'), { singleStatement: true }),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    assert.deepEqual(await tokens(), ['a', 'c'], 'the failed operation left no row');
    await database.db.destroy();
  });

  it('rejects what the database rolled back with the whole transaction and runs the rest again', async () => {
    const { database, batcher, insertToken, tokens } = await setUp();
    const outcomes = await Promise.allSettled([
      batcher.run(insertToken('a')),
      batcher.run(async (trx) => {
        // What SQLite does on a full disk or an I/O error: the transaction is gone, not just the statement.
        await sql`rollback`.execute(trx);
        throw new Error('database or disk is full');
      }),
      batcher.run(insertToken('c')),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected', 'fulfilled']);
    assert.deepEqual(await tokens(), ['c'], 'only the operation that ran again was committed');
    await database.db.destroy();
  });
});
