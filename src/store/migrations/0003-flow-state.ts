import type { Kysely, Migration } from 'kysely';

/** The flow engine's state, saved after every step that leaves the flow waiting for an event. */
export const flowState: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('contacts').addColumn('flow_state', 'text').execute();
  },
};
