import type { Kysely, Migration } from 'kysely';

/** CreateInstance's ClientToken: a retried request finds the instance its first attempt created. */
export const instanceClientToken: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('instances').addColumn('client_token', 'text').execute();
    await db.schema.createIndex('instances_client_token').on('instances').column('client_token').unique().execute();
  },
};
