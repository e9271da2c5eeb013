import { type Kysely, type Migration } from 'kysely';

/** The first schema. Unique constraints, not application checks, guard names, numbers and client tokens. */
export const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('instances')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('arn', 'text', (c) => c.notNull().unique())
      .addColumn('alias', 'text', (c) => c.unique())
      .addColumn('identity_management_type', 'text', (c) => c.notNull())
      .addColumn('directory_id', 'text')
      .addColumn('inbound_calls_enabled', 'integer', (c) => c.notNull())
      .addColumn('outbound_calls_enabled', 'integer', (c) => c.notNull())
      .addColumn('attributes', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('max_live_contacts', 'integer', (c) => c.notNull())
      .addColumn('live_contacts', 'integer', (c) => c.notNull())
      .addColumn('max_live_campaign_contacts', 'integer', (c) => c.notNull())
      .addColumn('live_campaign_contacts', 'integer', (c) => c.notNull())
      .addColumn('allowed_prefixes', 'text', (c) => c.notNull())
      .addColumn('blocked_prefixes', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('hours_of_operation')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('time_zone', 'text', (c) => c.notNull())
      .addColumn('config', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('last_modified_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('hours_of_operation_name', ['instance_id', 'name'])
      .execute();

    await db.schema
      .createTable('phone_numbers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id'))
      .addColumn('phone_number', 'text', (c) => c.notNull().unique())
      .addColumn('country_code', 'text', (c) => c.notNull())
      .addColumn('number_type', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('claimed_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('contact_flows')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('flow_type', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('content', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('content_sha256', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('last_modified_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('contact_flows_name', ['instance_id', 'name'])
      .execute();

    await db.schema
      .createTable('queues')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('hours_of_operation_id', 'text', (c) => c.notNull().references('hours_of_operation.id'))
      .addColumn('max_contacts', 'integer')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('outbound_caller_id_name', 'text')
      .addColumn('outbound_caller_id_number_id', 'text', (c) => c.references('phone_numbers.id'))
      .addColumn('outbound_flow_id', 'text', (c) => c.references('contact_flows.id'))
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('last_modified_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('queues_name', ['instance_id', 'name'])
      .execute();

    await db.schema
      .createTable('contacts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id'))
      .addColumn('node_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('traffic_type', 'text', (c) => c.notNull())
      .addColumn('flow_id', 'text', (c) => c.notNull())
      .addColumn('queue_id', 'text')
      .addColumn('customer_number', 'text', (c) => c.notNull())
      .addColumn('system_number', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('description', 'text')
      .addColumn('references', 'text')
      .addColumn('related_contact_id', 'text')
      .addColumn('campaign_id', 'text')
      .addColumn('outbound_strategy', 'text')
      .addColumn('attributes', 'text', (c) => c.notNull())
      .addColumn('amd_enabled', 'integer', (c) => c.notNull())
      .addColumn('amd_await_prompt', 'integer', (c) => c.notNull())
      .addColumn('amd_status', 'text')
      .addColumn('ring_timeout_seconds', 'integer', (c) => c.notNull())
      .addColumn('initiated_at', 'bigint', (c) => c.notNull())
      .addColumn('ring_started_at', 'bigint')
      .addColumn('connected_at', 'bigint')
      .addColumn('enqueued_at', 'bigint')
      .addColumn('disconnected_at', 'bigint')
      .addColumn('last_updated_at', 'bigint', (c) => c.notNull())
      .addColumn('disconnect_reason', 'text')
      .addColumn('revision', 'integer', (c) => c.notNull())
      .execute();
    // Restart recovery and quota reconciliation look up live contacts by node and instance.
    await db.schema.createIndex('contacts_live_by_node').on('contacts').columns(['node_id', 'state']).execute();

    await db.schema
      .createTable('client_tokens')
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('client_token', 'text', (c) => c.notNull())
      .addColumn('contact_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('client_tokens_pk', ['instance_id', 'client_token'])
      .execute();
  },
};
