import type { Kysely, Migration } from 'kysely';

/** SearchContacts' usual query: an instance's contacts in a range of initiation timestamps. */
export const contactSearchIndex: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.createIndex('contacts_by_instance_initiated').on('contacts').columns(['instance_id', 'initiated_at']).execute();
  },
};
