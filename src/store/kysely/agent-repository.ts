/**
 * Agents' live routing state on Kysely. An offer is one guarded UPDATE of a free agent's row that also
 * names the contact: the agent row's single `contact_id` keeps an agent to one contact, and its unique
 * index keeps a contact to one agent, whichever node or request writes first. A lost race is a unique
 * violation or an UPDATE that matched nothing, and the offer is simply not made.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import { isUniqueViolation } from '../dialects.js';
import type { AgentsTable, Database } from '../schema.js';
import { LIVE_STATES, type AgentActivity, type AgentRecord, type AgentRepository, type Offer } from '../store.js';
import { contactFromRow } from './rows.js';
import type { WriteBatcher } from './write-batcher.js';

function agentFromRow(r: Selectable<AgentsTable>): AgentRecord {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    userId: r.user_id,
    instanceId: r.instance_id,
    statusId: r.status_id,
    statusSince: Number(r.status_since),
    nextStatusId: r.next_status_id,
    activity: r.activity as AgentActivity,
    activitySince: Number(r.activity_since),
    idleSince: Number(r.idle_since),
    contactId: r.contact_id,
    offerExpiresAt: n(r.offer_expires_at),
    acwEndsAt: n(r.acw_ends_at),
  };
}

const COLUMNS = {
  statusId: 'status_id',
  statusSince: 'status_since',
  nextStatusId: 'next_status_id',
  activity: 'activity',
  activitySince: 'activity_since',
  idleSince: 'idle_since',
  contactId: 'contact_id',
  offerExpiresAt: 'offer_expires_at',
  acwEndsAt: 'acw_ends_at',
} as const satisfies Record<string, keyof AgentsTable>;

export function agentRepository(db: Kysely<Database>, writes: WriteBatcher): AgentRepository {
  return {
    async get(userId) {
      const row = await db.selectFrom('agents').selectAll().where('user_id', '=', userId).executeTakeFirst();
      return row && agentFromRow(row);
    },

    async getByContact(contactId) {
      const row = await db.selectFrom('agents').selectAll().where('contact_id', '=', contactId).executeTakeFirst();
      return row && agentFromRow(row);
    },

    async listInInstance(instanceId) {
      const rows = await db.selectFrom('agents').selectAll().where('instance_id', '=', instanceId).orderBy('user_id').execute();
      return rows.map(agentFromRow);
    },

    async update(userId, from, change, contactId, options) {
      const set: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(change)) set[COLUMNS[key as keyof typeof COLUMNS]] = value;
      if (options?.applyNextStatus === true) {
        const at = change.activitySince ?? 0;
        set.status_id = sql<string>`coalesce(next_status_id, status_id)`;
        set.status_since = sql<number>`CASE WHEN next_status_id IS NULL THEN status_since ELSE ${at} END`;
        set.next_status_id = null;
      }
      try {
        const row = await writes.run(
          (trx) =>
            trx
              .updateTable('agents')
              .set(set)
              .where('user_id', '=', userId)
              .where('activity', 'in', from)
              .$if(contactId !== undefined, (qb) =>
                contactId === null ? qb.where('contact_id', 'is', null) : qb.where('contact_id', '=', contactId ?? ''),
              )
              .returningAll()
              .executeTakeFirst(),
          { singleStatement: true },
        );
        return row && agentFromRow(row);
      } catch (error) {
        // The contact is already on another agent's row.
        if (isUniqueViolation(error)) return undefined;
        throw error;
      }
    },

    async offer(instanceId, nodeId, at, expiresAt, openQueueIds) {
      if (openQueueIds.length === 0) return [];
      const free = await db
        .selectFrom('agents as a')
        .innerJoin('users as u', 'u.id', 'a.user_id')
        .innerJoin('agent_statuses as s', 's.id', 'a.status_id')
        .select(['a.user_id as userId', 'a.status_id as statusId', 'u.routing_profile_id as routingProfileId'])
        .where('a.instance_id', '=', instanceId)
        .where('a.activity', '=', 'idle')
        .where('a.contact_id', 'is', null)
        .where('s.type', '=', 'ROUTABLE')
        .orderBy('a.idle_since')
        .orderBy('a.user_id')
        .execute();
      const offers: Offer[] = [];
      for (const agent of free) {
        let offered: Offer | undefined;
        try {
          offered = await writes.run(async (trx) => {
            const best = await trx
              .selectFrom('contacts as c')
              .innerJoin('routing_profile_queues as q', 'q.queue_id', 'c.queue_id')
              .select('c.id')
              .where('q.routing_profile_id', '=', agent.routingProfileId)
              .where('q.channel', '=', 'VOICE')
              .where('c.state', '=', 'QUEUED')
              .where('c.instance_id', '=', instanceId)
              .where('c.node_id', '=', nodeId)
              .where('c.queue_id', 'in', openQueueIds)
              .where(sql<boolean>`c.enqueued_at + q.delay_seconds * 1000 <= ${at}`)
              .where((eb) => eb.not(eb.exists(eb.selectFrom('agents as x').select('x.user_id').whereRef('x.contact_id', '=', 'c.id'))))
              .orderBy('q.priority')
              .orderBy('c.queue_position')
              .orderBy('c.id')
              .limit(1)
              .executeTakeFirst();
            if (best === undefined) return undefined;
            const taken = await trx
              .updateTable('agents')
              .set({ activity: 'offered', contact_id: best.id, offer_expires_at: expiresAt, activity_since: at })
              .where('user_id', '=', agent.userId)
              .where('activity', '=', 'idle')
              .where('contact_id', 'is', null)
              // The routable status it was chosen in: a status change since then wins over the offer.
              .where('status_id', '=', agent.statusId)
              .executeTakeFirst();
            return (taken.numUpdatedRows ?? 0n) > 0n ? { contactId: best.id, userId: agent.userId, expiresAt } : undefined;
          });
        } catch (error) {
          // Another node offered the same contact first; this agent stays free for the next round.
          if (!isUniqueViolation(error)) throw error;
        }
        if (offered !== undefined) offers.push(offered);
      }
      return offers;
    },

    async listExpiredOffers(at) {
      const rows = await db
        .selectFrom('agents')
        .selectAll()
        .where('activity', '=', 'offered')
        .where('offer_expires_at', '<=', at)
        .execute();
      return rows.map(agentFromRow);
    },

    async listAcwDue(at) {
      const rows = await db.selectFrom('agents').selectAll().where('activity', '=', 'acw').where('acw_ends_at', '<=', at).execute();
      return rows.map(agentFromRow);
    },

    async moveToQueueHead(contactId) {
      await writes.run(
        (trx) =>
          trx
            .updateTable('contacts')
            .set({
              queue_position: sql<number>`(SELECT coalesce(min(w.queue_position), 0) - 1 FROM contacts w
                WHERE w.queue_id = contacts.queue_id AND w.state = 'QUEUED')`,
            })
            .where('id', '=', contactId)
            .where('state', '=', 'QUEUED')
            .execute(),
        { singleStatement: true },
      );
    },

    async listWaiting(instanceId, limit) {
      const rows = await db
        .selectFrom('contacts')
        .selectAll()
        .where('instance_id', '=', instanceId)
        .where('state', '=', 'QUEUED')
        .orderBy('enqueued_at')
        .limit(limit)
        .execute();
      return rows.map(contactFromRow);
    },

    async backlog(instanceId) {
      const rows = await db
        .selectFrom('contacts')
        .select(['queue_id', (eb) => eb.fn.countAll<number>().as('waiting'), (eb) => eb.fn.min('enqueued_at').as('oldest')])
        .where('instance_id', '=', instanceId)
        .where('state', '=', 'QUEUED')
        .groupBy('queue_id')
        .execute();
      return rows
        .filter((r) => r.queue_id !== null)
        .map((r) => ({ queueId: r.queue_id as string, waiting: Number(r.waiting), oldestEnqueuedAt: Number(r.oldest) }));
    },

    async recentContacts(userId, limit) {
      const rows = await db
        .selectFrom('contacts')
        .selectAll()
        .where('agent_id', '=', userId)
        .orderBy('agent_connected_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map(contactFromRow);
    },

    async listHoldingEndedContacts() {
      const rows = await db
        .selectFrom('agents as a')
        .selectAll('a')
        .where('a.contact_id', 'is not', null)
        .where('a.activity', 'in', ['offered', 'connecting', 'on-contact'])
        .where((eb) =>
          eb.not(
            eb.exists(eb.selectFrom('contacts as c').select('c.id').whereRef('c.id', '=', 'a.contact_id').where('c.state', 'in', LIVE_STATES)),
          ),
        )
        .execute();
      return rows.map(agentFromRow);
    },

    async countByActivity() {
      const rows = await db
        .selectFrom('agents as a')
        .innerJoin('agent_statuses as s', 's.id', 'a.status_id')
        .select((eb) => [
          sql<string>`CASE WHEN a.activity = 'idle' AND s.type = 'OFFLINE' THEN 'offline' ELSE a.activity END`.as('activity'),
          eb.fn.countAll<number>().as('n'),
        ])
        .groupBy(sql`1`)
        .execute();
      const counts = { offline: 0, idle: 0, offered: 0, connecting: 0, 'on-contact': 0, acw: 0, missed: 0 };
      for (const r of rows) counts[r.activity as keyof typeof counts] = Number(r.n);
      return counts;
    },

    async instancesWithWaitingContacts(nodeId) {
      const rows = await db
        .selectFrom('contacts')
        .select('instance_id')
        .distinct()
        .where('state', '=', 'QUEUED')
        .where('node_id', '=', nodeId)
        .execute();
      return rows.map((r) => r.instance_id);
    },
  };
}
