import type { Kysely, Migration } from 'kysely';

/**
 * The agent console's sign-in state: sessions, keyed by the SHA-256 of their random id (the id itself lives
 * only in the browser's cookie), and sign-in failure counters per username and per client address, kept in
 * the store so a lockout survives restarts and holds across nodes.
 */
export const consoleSessions: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('console_sessions')
      .addColumn('id_hash', 'text', (c) => c.primaryKey())
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('console_sessions_by_user').on('console_sessions').column('user_id').execute();
    await db.schema
      .createTable('console_sign_in_failures')
      // `user:<instance id>:<username>` or `address:<client address>`.
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('last_failure_at', 'bigint', (c) => c.notNull())
      .addColumn('locked_until', 'bigint')
      .execute();
  },
};
