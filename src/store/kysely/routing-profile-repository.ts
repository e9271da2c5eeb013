/** Routing profiles on Kysely: a profile row and one row per (queue, channel) it takes contacts from. */
import type { Kysely, Selectable } from 'kysely';
import { isUniqueViolation } from '../dialects.js';
import type { Database, RoutingProfilesTable } from '../schema.js';
import { UniqueViolationError, type RoutingProfileRecord, type RoutingProfileRepository } from '../store.js';
import { routingProfileFromRows, routingProfileQueueRows, routingProfileToRow } from './rows-agents.js';
import type { WriteBatcher } from './write-batcher.js';

export function routingProfileRepository(db: Kysely<Database>, writes: WriteBatcher): RoutingProfileRepository {
  /** The profiles of `rows` with their queues, read in one query; queues by priority, then queue id. */
  async function withQueues(rows: readonly Selectable<RoutingProfilesTable>[]): Promise<RoutingProfileRecord[]> {
    if (rows.length === 0) return [];
    const queues = await db
      .selectFrom('routing_profile_queues')
      .selectAll()
      .where('routing_profile_id', 'in', rows.map((r) => r.id))
      .orderBy('priority')
      .orderBy('queue_id')
      .orderBy('channel')
      .execute();
    return rows.map((r) => routingProfileFromRows(r, queues.filter((q) => q.routing_profile_id === r.id)));
  }

  async function one(instanceId: string, column: 'id' | 'name', value: string): Promise<RoutingProfileRecord | undefined> {
    const row = await db
      .selectFrom('routing_profiles')
      .selectAll()
      .where('instance_id', '=', instanceId)
      .where(column, '=', value)
      .executeTakeFirst();
    return row === undefined ? undefined : (await withQueues([row]))[0];
  }

  return {
    async insert(profile) {
      try {
        await writes.run(async (trx) => {
          await trx.insertInto('routing_profiles').values(routingProfileToRow(profile)).execute();
          const queues = routingProfileQueueRows(profile);
          if (queues.length > 0) await trx.insertInto('routing_profile_queues').values(queues).execute();
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new UniqueViolationError(String(error));
        throw error;
      }
    },
    get: (instanceId, id) => one(instanceId, 'id', id),
    findByName: (instanceId, name) => one(instanceId, 'name', name),
    async list(instanceId, page) {
      let q = db.selectFrom('routing_profiles').selectAll().where('instance_id', '=', instanceId).orderBy('id').limit(page.limit);
      if (page.after !== undefined) q = q.where('id', '>', page.after);
      return withQueues(await q.execute());
    },
    async countInInstance(instanceId) {
      const row = await db
        .selectFrom('routing_profiles')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('instance_id', '=', instanceId)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
  };
}
