/**
 * The outbox on Kysely: messages are written by the contact repository inside each change's transaction;
 * here the dispatcher fans them out into one delivery row per matching sink, leases due deliveries, and
 * records attempts. The claim never leases a delivery while an earlier one of the same contact to the same
 * sink is pending, which keeps each contact's messages in order per sink.
 */
import { sql, type Kysely, type Selectable, type SelectQueryBuilder, type Updateable } from 'kysely';
import type { Database, EventDeliveriesTable, EventSinksTable } from '../schema.js';
import type {
  DeliveryRecord,
  DeliveryStatus,
  EventRepository,
  EventSinkRecord,
  EventStream,
  SinkKind,
  SinkSecret,
} from '../store.js';
import type { WriteBatcher } from './write-batcher.js';

export function eventRepository(db: Kysely<Database>, writes: WriteBatcher, appendedListeners: Set<() => void>): EventRepository {
  /** Pending deliveries no earlier pending delivery of the same contact to the same sink holds back. */
  const orderAllows = <QB extends SelectQueryBuilder<Database & { d: EventDeliveriesTable }, 'd', object>>(query: QB): QB =>
    query.where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('event_deliveries as e')
            .select('e.id')
            .whereRef('e.sink_id', '=', 'd.sink_id')
            .whereRef('e.contact_id', '=', 'd.contact_id')
            .where('e.status', '=', 'pending')
            .whereRef('e.contact_seq', '<', 'd.contact_seq'),
        ),
      ),
    ) as QB;

  return {
    onAppended(listener) {
      appendedListeners.add(listener);
    },

    async nextDue() {
      const row = await orderAllows(
        db
          .selectFrom('event_deliveries as d')
          .innerJoin('event_sinks as s', 's.id', 'd.sink_id')
          .where('s.enabled', '=', 1)
          .where('d.status', '=', 'pending'),
      )
        .select(sql<number | null>`min(max(d.next_attempt_at, coalesce(d.lease_until, 0)))`.as('due'))
        .executeTakeFirst();
      return row?.due == null ? undefined : Number(row.due);
    },

    fanOut(sink, limit, at) {
      return writes.run((trx) => fanOutIn(trx, sink, limit, at));
    },

    async readAfter(sink, limit) {
      const rows = await takenAfter(db, sink, limit).select(['id', 'message_id', 'contact_id', 'type', 'body', 'created_at']).execute();
      return rows.map((m) => ({
        id: m.id,
        sinkId: sink.id,
        messageId: m.message_id,
        contactId: m.contact_id,
        type: m.type,
        body: m.body,
        attempts: 1,
        createdAt: Number(m.created_at),
      }));
    },

    async advance(sinkId, cursor) {
      await writes.run((trx) => trx.updateTable('event_sinks').set({ cursor }).where('id', '=', sinkId).execute(), {
        singleStatement: true,
      });
    },

    claim(sinkId, nodeId, at, leaseUntil, limit) {
      return writes.run(async (trx) => {
        const due = await orderAllows(
          trx
            .selectFrom('event_deliveries as d')
            .where('d.sink_id', '=', sinkId)
            .where('d.status', '=', 'pending')
            .where('d.next_attempt_at', '<=', at)
            .where((eb) => eb.or([eb('d.lease_until', 'is', null), eb('d.lease_until', '<', at)])),
        )
          .innerJoin('outbox_messages as m', 'm.id', 'd.message_id')
          .select(['d.id', 'd.sink_id', 'd.contact_id', 'd.attempts', 'm.message_id', 'm.type', 'm.body', 'm.created_at'])
          .orderBy('d.next_attempt_at')
          .orderBy('d.id')
          .limit(limit)
          .execute();
        if (due.length === 0) return [];
        await trx
          .updateTable('event_deliveries')
          .set((eb) => ({ lease_until: leaseUntil, locked_by: nodeId, attempts: eb('attempts', '+', 1) }))
          .where(
            'id',
            'in',
            due.map((d) => d.id),
          )
          .execute();
        return due.map((d) => ({
          id: d.id,
          sinkId: d.sink_id,
          messageId: d.message_id,
          contactId: d.contact_id,
          type: d.type,
          body: d.body,
          attempts: d.attempts + 1,
          createdAt: Number(d.created_at),
        }));
      });
    },

    async settle(deliveryId, result) {
      const base = { lease_until: null, locked_by: null, last_status: result.status ?? null };
      const patch =
        result.kind === 'delivered'
          ? { ...base, status: 'delivered', delivered_at: result.at, last_error: null }
          : result.kind === 'retry'
            ? { ...base, next_attempt_at: result.nextAttemptAt, last_error: result.error }
            : result.kind === 'dead'
              ? { ...base, status: 'dead', last_error: result.error }
              : { ...base, last_error: result.error };
      await writes.run(
        async (trx) => {
          const update = trx.updateTable('event_deliveries').where('id', '=', deliveryId);
          if (result.kind === 'held') {
            await update.set((eb) => ({ ...patch, attempts: eb('attempts', '-', 1) })).execute();
          } else {
            await update.set(patch).execute();
          }
        },
        { singleStatement: true },
      );
    },

    async releaseLeases(nodeId) {
      const result = await writes.run(
        (trx) =>
          trx
            .updateTable('event_deliveries')
            .set({ lease_until: null, locked_by: null })
            .where('locked_by', '=', nodeId)
            .where('status', '=', 'pending')
            .executeTakeFirst(),
        { singleStatement: true },
      );
      return Number(result.numUpdatedRows);
    },

    async redeliver(sinkId, at, ids) {
      const result = await writes.run(
        (trx) => {
          let query = trx
            .updateTable('event_deliveries')
            .set({ status: 'pending', next_attempt_at: at, attempts: 0, lease_until: null, locked_by: null })
            .where('sink_id', '=', sinkId);
          query = ids === undefined ? query.where('status', '=', 'dead') : query.where('id', 'in', ids.length > 0 ? [...ids] : [-1]);
          return query.executeTakeFirst();
        },
        { singleStatement: true },
      );
      return Number(result.numUpdatedRows);
    },

    async listDeliveries(sinkId, status, page) {
      let query = db
        .selectFrom('event_deliveries as d')
        .innerJoin('outbox_messages as m', 'm.id', 'd.message_id')
        .selectAll('d')
        .select(['m.message_id as envelope_id', 'm.type'])
        .where('d.sink_id', '=', sinkId);
      if (status !== undefined) query = query.where('d.status', '=', status);
      if (page.afterId !== undefined) query = query.where('d.id', '>', page.afterId);
      const rows = await query.orderBy('d.id').limit(page.limit).execute();
      return rows.map((r) => deliveryFromRow(r, r.envelope_id, r.type));
    },

    async countDeliveries() {
      const rows = await db
        .selectFrom('event_deliveries')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('status', 'in', ['pending', 'dead'])
        .groupBy('status')
        .execute();
      const counts: Record<'pending' | 'dead', number> = { pending: 0, dead: 0 };
      for (const row of rows) counts[row.status as 'pending' | 'dead'] = Number(row.n);
      return counts;
    },

    async prune(before) {
      return writes.run(async (trx) => {
        await trx
          .deleteFrom('event_deliveries')
          .where('status', '=', 'delivered')
          .where('created_at', '<', before)
          .execute();
        // What every enabled sink has taken; a disabled one starts from the newest message when enabled.
        const taken = await trx
          .selectFrom('event_sinks')
          .select((eb) => eb.fn.min<number>('cursor').as('cursor'))
          .where('enabled', '=', 1)
          .executeTakeFirst();
        const result = await trx
          .deleteFrom('outbox_messages')
          .where('created_at', '<', before)
          .$if(taken?.cursor != null, (qb) => qb.where('id', '<=', Number(taken?.cursor)))
          .where((eb) =>
            eb.not(eb.exists(eb.selectFrom('event_deliveries as d').select('d.id').whereRef('d.message_id', '=', 'outbox_messages.id'))),
          )
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      });
    },

    async insertSink(sink) {
      await writes.run(
        (trx) =>
          trx
            .insertInto('event_sinks')
            .values({ ...sinkToRow(sink), cursor: newest(trx) })
            .execute(),
        { singleStatement: true },
      );
    },

    async setSinkEnabled(id, enabled, reason, at) {
      await writes.run(async (trx) => {
        if (!enabled) {
          // What committed while a webhook was enabled stays its: held as pending deliveries until it is enabled again.
          const row = await trx.selectFrom('event_sinks').selectAll().where('id', '=', id).executeTakeFirst();
          const sink = row === undefined ? undefined : sinkFromRow(row);
          if (sink?.kind === 'webhook' && sink.enabled) {
            for (let cursor = sink.cursor; ; ) {
              if ((await fanOutIn(trx, { ...sink, cursor }, FAN_OUT_ON_DISABLE, at)) < FAN_OUT_ON_DISABLE) break;
              cursor = (await trx.selectFrom('event_sinks').select('cursor').where('id', '=', id).executeTakeFirstOrThrow()).cursor;
            }
          }
        }
        await trx
          .updateTable('event_sinks')
          .set({ enabled: enabled ? 1 : 0, disabled_reason: reason, updated_at: at, ...(enabled && { cursor: newest(trx) }) })
          .where('id', '=', id)
          .execute();
      });
    },

    async updateSink(id, patch) {
      const set: Updateable<EventSinksTable> = {
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.kind !== undefined && { kind: patch.kind }),
        ...(patch.target !== undefined && { target: patch.target }),
        ...(patch.stream !== undefined && { stream: patch.stream }),
        ...(patch.eventTypes !== undefined && { event_types: JSON.stringify(patch.eventTypes) }),
        ...(patch.secrets !== undefined && { secrets: JSON.stringify(patch.secrets) }),
        ...(patch.disabledReason !== undefined && { disabled_reason: patch.disabledReason }),
        ...(patch.managedBy !== undefined && { managed_by: patch.managedBy }),
        ...(patch.updatedAt !== undefined && { updated_at: patch.updatedAt }),
      };
      if (Object.keys(set).length === 0) return;
      await writes.run((trx) => trx.updateTable('event_sinks').set(set).where('id', '=', id).execute(), { singleStatement: true });
    },

    async deleteSink(id) {
      await writes.run(async (trx) => {
        await trx.deleteFrom('event_deliveries').where('sink_id', '=', id).execute();
        await trx.deleteFrom('event_sinks').where('id', '=', id).execute();
      });
    },

    async getSink(id) {
      const row = await db.selectFrom('event_sinks').selectAll().where('id', '=', id).executeTakeFirst();
      return row && sinkFromRow(row);
    },

    async findSinkByName(name) {
      const row = await db.selectFrom('event_sinks').selectAll().where('name', '=', name).executeTakeFirst();
      return row && sinkFromRow(row);
    },

    async listSinks() {
      const rows = await db.selectFrom('event_sinks').selectAll().orderBy('created_at').orderBy('name').execute();
      return rows.map(sinkFromRow);
    },
  };
}

/** Messages a webhook's fan-out takes per statement batch when it is disabled. */
const FAN_OUT_ON_DISABLE = 500;

/**
 * Makes the webhook's delivery rows for up to `limit` messages past its cursor that it takes, and moves the
 * cursor past them; returns how many it took.
 */
async function fanOutIn(trx: Kysely<Database>, sink: EventSinkRecord, limit: number, at: number): Promise<number> {
  const messages = await takenAfter(trx, sink, limit).select(['id', 'contact_id', 'contact_seq']).execute();
  const last = messages.at(-1);
  if (last === undefined) return 0;
  const deliveries = messages.map((m) => ({
    sink_id: sink.id,
    message_id: m.id,
    contact_id: m.contact_id,
    contact_seq: m.contact_seq,
    status: 'pending',
    attempts: 0,
    next_attempt_at: at,
    created_at: at,
  }));
  // SQLite binds at most 32,766 parameters a statement; 8 columns a row.
  for (let i = 0; i < deliveries.length; i += 1000) {
    await trx.insertInto('event_deliveries').values(deliveries.slice(i, i + 1000)).execute();
  }
  await trx.updateTable('event_sinks').set({ cursor: last.id }).where('id', '=', sink.id).execute();
  return messages.length;
}

/** Messages past the sink's cursor of its stream and, for events, of the types it takes, oldest first. */
function takenAfter(db: Kysely<Database>, sink: EventSinkRecord, limit: number) {
  return db
    .selectFrom('outbox_messages')
    .where('id', '>', sink.cursor)
    .where('stream', '=', sink.stream)
    .$if(sink.stream === 'events' && sink.eventTypes.length > 0, (qb) => qb.where('type', 'in', sink.eventTypes))
    .orderBy('id')
    .limit(limit);
}

/** The newest outbox message's id (0 when there is none), as a subquery. */
function newest(db: Kysely<Database>) {
  return db.selectFrom('outbox_messages').select((eb) => eb.fn.coalesce(eb.fn.max('id'), eb.lit(0)).as('newest'));
}

function sinkFromRow(r: Selectable<EventSinksTable>): EventSinkRecord {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as SinkKind,
    target: r.target,
    stream: r.stream as EventStream,
    eventTypes: JSON.parse(r.event_types) as string[],
    secrets: JSON.parse(r.secrets) as SinkSecret[],
    enabled: r.enabled === 1,
    disabledReason: r.disabled_reason,
    managedBy: r.managed_by as 'config' | 'api',
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    cursor: r.cursor,
  };
}

function sinkToRow(s: Omit<EventSinkRecord, 'cursor'>): Omit<EventSinksTable, 'cursor'> {
  return {
    id: s.id,
    name: s.name,
    kind: s.kind,
    target: s.target,
    stream: s.stream,
    event_types: JSON.stringify(s.eventTypes),
    secrets: JSON.stringify(s.secrets),
    enabled: s.enabled ? 1 : 0,
    disabled_reason: s.disabledReason,
    managed_by: s.managedBy,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

function deliveryFromRow(r: Selectable<EventDeliveriesTable>, messageId: string, type: string): DeliveryRecord {
  return {
    id: r.id,
    sinkId: r.sink_id,
    messageId,
    contactId: r.contact_id,
    contactSeq: r.contact_seq,
    type,
    status: r.status as DeliveryStatus,
    attempts: r.attempts,
    nextAttemptAt: Number(r.next_attempt_at),
    lastError: r.last_error,
    lastStatus: r.last_status,
    createdAt: Number(r.created_at),
    deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
  };
}
