/** Users on Kysely. A user and its agent row (live routing state) are written and deleted together. */
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../dialects.js';
import type { AgentsTable, Database } from '../schema.js';
import { UniqueViolationError, type AgentRecord, type UserRepository } from '../store.js';
import { userFromRow, userToRow } from './rows-agents.js';
import type { WriteBatcher } from './write-batcher.js';

function agentToRow(a: AgentRecord): AgentsTable {
  return {
    user_id: a.userId,
    instance_id: a.instanceId,
    status_id: a.statusId,
    status_since: a.statusSince,
    next_status_id: a.nextStatusId,
    activity: a.activity,
    activity_since: a.activitySince,
    idle_since: a.idleSince,
    contact_id: a.contactId,
    offer_expires_at: a.offerExpiresAt,
    acw_ends_at: a.acwEndsAt,
  };
}

export function userRepository(db: Kysely<Database>, writes: WriteBatcher): UserRepository {
  return {
    async insert(user, agent) {
      try {
        await writes.run(async (trx) => {
          await trx.insertInto('users').values(userToRow(user)).execute();
          await trx.insertInto('agents').values(agentToRow(agent)).execute();
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new UniqueViolationError(String(error));
        throw error;
      }
    },
    async get(instanceId, id) {
      const row = await db.selectFrom('users').selectAll().where('instance_id', '=', instanceId).where('id', '=', id).executeTakeFirst();
      return row && userFromRow(row);
    },
    async findByUsername(instanceId, username) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('instance_id', '=', instanceId)
        .where('username', '=', username)
        .executeTakeFirst();
      return row && userFromRow(row);
    },
    async list(instanceId, page) {
      let q = db.selectFrom('users').selectAll().where('instance_id', '=', instanceId).orderBy('id').limit(page.limit);
      if (page.after !== undefined) q = q.where('id', '>', page.after);
      return (await q.execute()).map(userFromRow);
    },
    async countInInstance(instanceId) {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('instance_id', '=', instanceId)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    delete(instanceId, id) {
      return writes.run(async (trx) => {
        const deleted = await trx.deleteFrom('users').where('instance_id', '=', instanceId).where('id', '=', id).executeTakeFirst();
        if (Number(deleted.numDeletedRows) === 0) return false;
        await trx.deleteFrom('agents').where('user_id', '=', id).execute();
        return true;
      });
    },
    async updateRoutingProfile(instanceId, id, routingProfileId, at) {
      await writes.run(
        (trx) =>
          trx
            .updateTable('users')
            .set({ routing_profile_id: routingProfileId, last_modified_at: at })
            .where('instance_id', '=', instanceId)
            .where('id', '=', id)
            .execute(),
        { singleStatement: true },
      );
    },
  };
}
