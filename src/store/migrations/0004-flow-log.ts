import type { Kysely, Migration } from 'kysely';

/** Each contact's flow log: what the flow did, a row per step, in order. */
export const flowLog: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('contact_flow_logs')
      .addColumn('contact_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('entry', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('contact_flow_logs_pk', ['contact_id', 'seq'])
      .execute();
  },
};
