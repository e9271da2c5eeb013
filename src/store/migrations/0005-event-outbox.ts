import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The transactional outbox: contact events and contact records written with the change that caused them,
 * the sinks they go to with each sink's position in the outbox, and for webhooks one delivery row per
 * (sink, message).
 */
export const eventOutbox: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('outbox_messages')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('stream', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('contact_id', 'text', (c) => c.notNull())
      .addColumn('contact_seq', 'integer', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // Gapless per contact: the next message takes max + 1 under the contact row's write lock.
    await db.schema.createIndex('outbox_messages_contact_seq').unique().on('outbox_messages').columns(['contact_id', 'contact_seq']).execute();

    await db.schema
      .createTable('event_sinks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('stream', 'text', (c) => c.notNull())
      .addColumn('event_types', 'text', (c) => c.notNull())
      .addColumn('secrets', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('disabled_reason', 'text')
      .addColumn('managed_by', 'text', (c) => c.notNull())
      .addColumn('cursor', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('event_deliveries')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('sink_id', 'text', (c) => c.notNull())
      .addColumn('message_id', 'integer', (c) => c.notNull())
      .addColumn('contact_id', 'text', (c) => c.notNull())
      .addColumn('contact_seq', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('lease_until', 'bigint')
      .addColumn('locked_by', 'text')
      .addColumn('last_error', 'text')
      .addColumn('last_status', 'integer')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('delivered_at', 'bigint')
      .execute();
    await db.schema.createIndex('event_deliveries_message').unique().on('event_deliveries').columns(['sink_id', 'message_id']).execute();
    // The claim's order check: an earlier pending delivery of the same contact to the same sink holds later ones.
    await db.schema
      .createIndex('event_deliveries_pending_contact')
      .on('event_deliveries')
      .columns(['sink_id', 'contact_id', 'contact_seq'])
      .where(sql.ref('status'), '=', 'pending')
      .execute();
    await db.schema
      .createIndex('event_deliveries_due')
      .on('event_deliveries')
      .columns(['sink_id', 'next_attempt_at'])
      .where(sql.ref('status'), '=', 'pending')
      .execute();
    await db.schema.createIndex('event_deliveries_by_status').on('event_deliveries').columns(['sink_id', 'status', 'id']).execute();
  },
};
