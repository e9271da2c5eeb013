/** Agent statuses on Kysely. An instance holds a few dozen at most, so a listing sorts them all. */
import { sql, type Kysely } from 'kysely';
import { isUniqueViolation } from '../dialects.js';
import type { Database } from '../schema.js';
import { UniqueViolationError, type AgentStatusRepository } from '../store.js';
import { agentStatusFromRow, agentStatusToRow } from './rows-agents.js';
import type { WriteBatcher } from './write-batcher.js';

export function agentStatusRepository(db: Kysely<Database>, writes: WriteBatcher): AgentStatusRepository {
  return {
    async insert(status) {
      try {
        await writes.run((trx) => trx.insertInto('agent_statuses').values(agentStatusToRow(status)).execute(), { singleStatement: true });
      } catch (error) {
        if (isUniqueViolation(error)) throw new UniqueViolationError(String(error));
        throw error;
      }
    },
    async get(instanceId, id) {
      const row = await db
        .selectFrom('agent_statuses')
        .selectAll()
        .where('instance_id', '=', instanceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && agentStatusFromRow(row);
    },
    async findByName(instanceId, name) {
      const row = await db
        .selectFrom('agent_statuses')
        .selectAll()
        .where('instance_id', '=', instanceId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row && agentStatusFromRow(row);
    },
    async list(instanceId, types, page) {
      let q = db
        .selectFrom('agent_statuses')
        .selectAll()
        .where('instance_id', '=', instanceId)
        // Unordered statuses last, in both SQLite and PostgreSQL (which disagree on where NULLs sort).
        .orderBy(sql`case when display_order is null then 1 else 0 end`)
        .orderBy('display_order')
        .orderBy('name')
        .orderBy('id');
      if (types.length > 0) q = q.where('type', 'in', types);
      const rows = await q.execute();
      // The page's key is the last id returned: the rows after it in this order.
      const start = page.after === undefined ? 0 : rows.findIndex((r) => r.id === page.after) + 1;
      return rows.slice(start, start + page.limit).map(agentStatusFromRow);
    },
  };
}
