import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Agents and routing: routing profiles and the queues they take contacts from, users (agents), agent
 * statuses, and each agent's live routing state. Offers are exclusive by construction: an agent row holds
 * at most one contact (its primary key), and a unique index lets a contact sit on at most one agent row.
 */
export const agents: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('routing_profiles')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('default_outbound_queue_id', 'text', (c) => c.notNull())
      .addColumn('media_concurrencies', 'text', (c) => c.notNull())
      .addColumn('agent_availability_timer', 'text')
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('last_modified_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('routing_profiles_name', ['instance_id', 'name'])
      .execute();
    await db.schema
      .createTable('routing_profile_queues')
      .addColumn('routing_profile_id', 'text', (c) => c.notNull())
      .addColumn('queue_id', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('priority', 'integer', (c) => c.notNull())
      .addColumn('delay_seconds', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('routing_profile_queues_pk', ['routing_profile_id', 'queue_id', 'channel'])
      .execute();
    await db.schema.createIndex('routing_profile_queues_by_queue').on('routing_profile_queues').column('queue_id').execute();

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('username', 'text', (c) => c.notNull())
      // scrypt, self-describing (`scrypt$N$r$p$salt$hash`); null for users who cannot sign in.
      .addColumn('password_hash', 'text')
      // Digest HA1 per algorithm for SIP registration, JSON; the password itself is never stored.
      .addColumn('sip_ha1', 'text')
      .addColumn('identity_info', 'text', (c) => c.notNull())
      .addColumn('phone_config', 'text', (c) => c.notNull())
      .addColumn('routing_profile_id', 'text', (c) => c.notNull())
      .addColumn('security_profile_ids', 'text', (c) => c.notNull())
      .addColumn('hierarchy_group_id', 'text')
      .addColumn('directory_user_id', 'text')
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('last_modified_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('users_username', ['instance_id', 'username'])
      .execute();

    await db.schema
      .createTable('agent_statuses')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('display_order', 'integer')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('last_modified_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('agent_statuses_name', ['instance_id', 'name'])
      .execute();

    await db.schema
      .createTable('agents')
      .addColumn('user_id', 'text', (c) => c.primaryKey())
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('status_id', 'text', (c) => c.notNull())
      .addColumn('status_since', 'bigint', (c) => c.notNull())
      .addColumn('next_status_id', 'text')
      .addColumn('activity', 'text', (c) => c.notNull())
      .addColumn('activity_since', 'bigint', (c) => c.notNull())
      .addColumn('idle_since', 'bigint', (c) => c.notNull())
      .addColumn('contact_id', 'text')
      .addColumn('offer_expires_at', 'bigint')
      .addColumn('acw_ends_at', 'bigint')
      .execute();
    await db.schema.createIndex('agents_contact').on('agents').column('contact_id').unique().execute();
    await db.schema.createIndex('agents_by_instance_activity').on('agents').columns(['instance_id', 'activity']).execute();

    await db.schema.alterTable('contacts').addColumn('agent_id', 'text').execute();
    await db.schema.alterTable('contacts').addColumn('agent_connected_at', 'bigint').execute();
    await db.schema.alterTable('contacts').addColumn('acw_started_at', 'bigint').execute();
    await db.schema.alterTable('contacts').addColumn('acw_ended_at', 'bigint').execute();
    // Order within a queue: the enqueue time, or below every waiting contact's after a missed offer.
    await db.schema.alterTable('contacts').addColumn('queue_position', 'double precision').execute();
    await db.schema.createIndex('contacts_by_agent').on('contacts').columns(['agent_id', 'agent_connected_at']).execute();
    await db.schema
      .createIndex('contacts_waiting')
      .on('contacts')
      .columns(['queue_id', 'queue_position'])
      .where(sql.ref('state'), '=', 'QUEUED')
      .execute();
  },
};
