import type { Kysely, Migration } from 'kysely';

/**
 * Only contacts an agent took need an entry in `contacts_by_agent`; most outbound contacts never reach one,
 * and each of them added an entry at admission (docs/performance.md). Queries on it compare `agent_id`
 * with `=` or `IN`, which imply the index's condition on SQLite and PostgreSQL alike.
 */
export const partialAgentIndex: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('contacts_by_agent').execute();
    await db.schema
      .createIndex('contacts_by_agent')
      .on('contacts')
      .columns(['agent_id', 'agent_connected_at'])
      .where('agent_id', 'is not', null)
      .execute();
  },
};
