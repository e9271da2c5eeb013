import type { Kysely, Migration } from 'kysely';

/**
 * Each saved stretch of a contact's call recording: where the carrier wrote the file and when it ran. A
 * table of its own, because a contact may record several stretches and they arrive after the call events.
 */
export const contactRecordings: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('contact_recordings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('contact_id', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('location', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('stopped_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('contact_recordings_by_contact').on('contact_recordings').column('contact_id').execute();
  },
};
