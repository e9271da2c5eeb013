/** Instances, hours, phone numbers, flows and queues on Kysely: plain keyed rows with keyset pagination. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { isUniqueViolation } from '../dialects.js';
import {
  UniqueViolationError,
  type ContactFlowRepository,
  type HoursOfOperationRepository,
  type InstanceRepository,
  type PageRequest,
  type PhoneNumberRepository,
  type QueueRepository,
} from '../store.js';
import {
  flowFromRow,
  flowToRow,
  hoursFromRow,
  hoursToRow,
  instanceFromRow,
  instanceToRow,
  phoneNumberFromRow,
  phoneNumberToRow,
  queueFromRow,
  queueToRow,
} from './rows.js';

/** Runs an insert, turning a unique-constraint failure into the port's UniqueViolationError. */
async function insertUnique(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (isUniqueViolation(error)) throw new UniqueViolationError(String(error));
    throw error;
  }
}

async function count(query: Promise<{ n: number | string | bigint } | undefined>): Promise<number> {
  return Number((await query)?.n ?? 0);
}

export function instanceRepository(db: Kysely<Database>): InstanceRepository {
  return {
    insert: (instance) => insertUnique(() => db.insertInto('instances').values(instanceToRow(instance)).execute()),
    async get(id) {
      const row = await db.selectFrom('instances').selectAll().where('id', '=', id).executeTakeFirst();
      return row && instanceFromRow(row);
    },
    async findByAlias(alias) {
      const row = await db.selectFrom('instances').selectAll().where('alias', '=', alias).executeTakeFirst();
      return row && instanceFromRow(row);
    },
    async findByClientToken(token) {
      const row = await db.selectFrom('instances').selectAll().where('client_token', '=', token).executeTakeFirst();
      return row && instanceFromRow(row);
    },
    async list(page: PageRequest) {
      let q = db.selectFrom('instances').selectAll().orderBy('id').limit(page.limit);
      if (page.after !== undefined) q = q.where('id', '>', page.after);
      return (await q.execute()).map(instanceFromRow);
    },
    count: () => count(db.selectFrom('instances').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst()),
    async update(id, patch) {
      await db
        .updateTable('instances')
        .set({
          ...(patch.inboundCallsEnabled !== undefined && { inbound_calls_enabled: patch.inboundCallsEnabled ? 1 : 0 }),
          ...(patch.outboundCallsEnabled !== undefined && { outbound_calls_enabled: patch.outboundCallsEnabled ? 1 : 0 }),
          ...(patch.attributes !== undefined && { attributes: JSON.stringify(patch.attributes) }),
        })
        .where('id', '=', id)
        .execute();
    },
  };
}

export function hoursOfOperationRepository(db: Kysely<Database>): HoursOfOperationRepository {
  return {
    insert: (hours) => insertUnique(() => db.insertInto('hours_of_operation').values(hoursToRow(hours)).execute()),
    async list(instanceId) {
      const rows = await db.selectFrom('hours_of_operation').selectAll().where('instance_id', '=', instanceId).orderBy('id').execute();
      return rows.map(hoursFromRow);
    },
    async get(instanceId, id) {
      const row = await db
        .selectFrom('hours_of_operation')
        .selectAll()
        .where('instance_id', '=', instanceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && hoursFromRow(row);
    },
    async findByName(instanceId, name) {
      const row = await db
        .selectFrom('hours_of_operation')
        .selectAll()
        .where('instance_id', '=', instanceId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row && hoursFromRow(row);
    },
  };
}

export function phoneNumberRepository(db: Kysely<Database>): PhoneNumberRepository {
  return {
    insert: (number) => insertUnique(() => db.insertInto('phone_numbers').values(phoneNumberToRow(number)).execute()),
    async get(id) {
      const row = await db.selectFrom('phone_numbers').selectAll().where('id', '=', id).executeTakeFirst();
      return row && phoneNumberFromRow(row);
    },
    async findByNumber(phoneNumber) {
      const row = await db.selectFrom('phone_numbers').selectAll().where('phone_number', '=', phoneNumber).executeTakeFirst();
      return row && phoneNumberFromRow(row);
    },
    async list(filter, page) {
      let q = db.selectFrom('phone_numbers').selectAll().orderBy('id').limit(page.limit);
      if (filter.instanceId !== undefined) q = q.where('instance_id', '=', filter.instanceId);
      if (filter.types?.length) q = q.where('number_type', 'in', filter.types);
      if (filter.countryCodes?.length) q = q.where('country_code', 'in', filter.countryCodes);
      if (filter.prefix !== undefined) q = q.where('phone_number', 'like', `${filter.prefix}%`);
      if (page.after !== undefined) q = q.where('id', '>', page.after);
      return (await q.execute()).map(phoneNumberFromRow);
    },
    countInInstance: (instanceId) =>
      count(
        db
          .selectFrom('phone_numbers')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('instance_id', '=', instanceId)
          .executeTakeFirst(),
      ),
  };
}

export function contactFlowRepository(db: Kysely<Database>): ContactFlowRepository {
  return {
    insert: (flow) => insertUnique(() => db.insertInto('contact_flows').values(flowToRow(flow)).execute()),
    async get(instanceId, id) {
      const row = await db
        .selectFrom('contact_flows')
        .selectAll()
        .where('instance_id', '=', instanceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && flowFromRow(row);
    },
    async findByName(instanceId, name) {
      const row = await db
        .selectFrom('contact_flows')
        .selectAll()
        .where('instance_id', '=', instanceId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row && flowFromRow(row);
    },
    async list(instanceId, types, page) {
      let q = db.selectFrom('contact_flows').selectAll().where('instance_id', '=', instanceId).orderBy('id').limit(page.limit);
      if (types.length > 0) q = q.where('flow_type', 'in', types);
      if (page.after !== undefined) q = q.where('id', '>', page.after);
      return (await q.execute()).map(flowFromRow);
    },
    countInInstance: (instanceId) =>
      count(
        db
          .selectFrom('contact_flows')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('instance_id', '=', instanceId)
          .executeTakeFirst(),
      ),
    async updateContent(instanceId, id, patch) {
      await db
        .updateTable('contact_flows')
        .set((eb) => ({
          content: patch.content,
          content_sha256: patch.contentSha256,
          last_modified_at: patch.lastModifiedAt,
          version: eb('version', '+', 1),
          ...(patch.status !== undefined && { status: patch.status }),
        }))
        .where('instance_id', '=', instanceId)
        .where('id', '=', id)
        .execute();
    },
  };
}

export function queueRepository(db: Kysely<Database>): QueueRepository {
  return {
    insert: (queue) => insertUnique(() => db.insertInto('queues').values(queueToRow(queue)).execute()),
    async get(instanceId, id) {
      const row = await db
        .selectFrom('queues')
        .selectAll()
        .where('instance_id', '=', instanceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && queueFromRow(row);
    },
    async findByName(instanceId, name) {
      const row = await db
        .selectFrom('queues')
        .selectAll()
        .where('instance_id', '=', instanceId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row && queueFromRow(row);
    },
    async list(instanceId, types, page) {
      // Every queue outdial creates is STANDARD; AGENT queues arrive with agents (a later issue).
      if (types.length > 0 && !types.includes('STANDARD')) return [];
      let q = db.selectFrom('queues').selectAll().where('instance_id', '=', instanceId).orderBy('id').limit(page.limit);
      if (page.after !== undefined) q = q.where('id', '>', page.after);
      return (await q.execute()).map(queueFromRow);
    },
    countInInstance: (instanceId) =>
      count(
        db
          .selectFrom('queues')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('instance_id', '=', instanceId)
          .executeTakeFirst(),
      ),
  };
}
