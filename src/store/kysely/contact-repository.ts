/**
 * Contacts on Kysely. Admission and every state change are single transactions whose guards live in SQL
 * (a unique client-token row, a conditional counter update, a state-guarded update), so they stay exact
 * when several nodes share one PostgreSQL. The statements every contact runs are prepared once
 * (`prepared.ts`) and their transactions shared under load (`write-batcher.ts`).
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ContactRecordingsTable, ContactsTable, Database } from '../schema.js';
import {
  LIVE_STATES,
  type AdmissionResult,
  type ContactChange,
  type ContactRecord,
  type ContactRepository,
  type ContactState,
  type Emit,
} from '../store.js';
import { prepare, param, type PreparedQuery, type QueryExecutor } from './prepared.js';
import { CONTACT_COLUMNS, CONTACT_ROW_COLUMNS, contactFromRow, contactToRow, recordingFromRow, type ContactRow } from './rows.js';
import { searchContacts } from './contact-search.js';
import type { WriteBatcher } from './write-batcher.js';

/** Rolls the admission's savepoint back when the quota is full. */
class QuotaFull extends Error {}

type Row = ContactRow;

/**
 * `appended` is called after a transaction that wrote outbox messages committed, so the dispatcher
 * delivers them without polling.
 */
export function contactRepository(db: Kysely<Database>, writes: WriteBatcher, appended: () => void): ContactRepository {
  const q = preparedQueries(db);
  const updates = new Map<string, PreparedQuery<StateUpdate, Row>>();
  const updateState = (executor: QueryExecutor, from: readonly ContactState[], params: StateUpdate) => {
    // One statement per guard and shape of change: a handful in all (answer, enqueue, end, …).
    const fields = CHANGE_FIELDS.filter((field) => params[field] !== undefined);
    const key = `${from.join()}|${params.to === 'QUEUED'}|${fields.join()}`;
    let query = updates.get(key);
    if (query === undefined) {
      query = prepareStateUpdate(db, from, fields, params.to === 'QUEUED');
      updates.set(key, query);
    }
    return query.execute(executor, params);
  };
  /** Writes the change's messages; returns how many. */
  const record = async (trx: QueryExecutor, contact: ContactRecord, emit: Emit | undefined, at: number) => {
    if (emit === undefined) return 0;
    // Only an ended contact's messages include its record, which lists the recordings saved so far.
    const recordings =
      contact.state === 'DISCONNECTED' ? (await q.listRecordings.execute(trx, { contactId: contact.id })).rows.map(recordingFromRow) : undefined;
    const messages = emit(contact, recordings);
    for (const message of messages) {
      await q.insertMessage.execute(trx, {
        messageId: message.messageId,
        stream: message.stream,
        type: message.type,
        contactId: contact.id,
        body: message.body,
        at,
      });
    }
    return messages.length;
  };

  return {
    async admit(contact, clientToken, tokenNotBefore, emit) {
      let written = 0;
      try {
        const result = await writes.run(async (trx): Promise<AdmissionResult> => {
          if (clientToken !== undefined) {
            // First write of the transaction: a concurrent admission with the same token waits on it.
            const claimed = await q.claimToken.execute(trx, {
              instanceId: contact.instanceId,
              token: clientToken,
              contactId: contact.id,
              at: contact.initiatedAt,
              notBefore: tokenNotBefore,
            });
            // Nothing written: a live contact holds the token (the conflict's update matched nothing).
            if (!((claimed.numAffectedRows ?? 0n) > 0n)) {
              const { rows } = await q.tokenHolder.execute(trx, { instanceId: contact.instanceId, token: clientToken });
              const holder = rows[0];
              if (holder === undefined) throw new Error(`client token ${clientToken} vanished during admission`);
              return { kind: 'replayed', contactId: holder.contact_id };
            }
          }
          const slot = contact.trafficType === 'CAMPAIGN' ? q.takeCampaignSlot : q.takeSlot;
          const taken = await slot.execute(trx, { instanceId: contact.instanceId });
          // Fail closed: anything but a positive count of updated rows means no slot was taken.
          if (!((taken.numAffectedRows ?? 0n) > 0n)) throw new QuotaFull();
          await q.insertContact.execute(trx, contactToRow(contact) as unknown as Record<string, unknown>);
          written = await record(trx, contact, emit, contact.initiatedAt);
          return { kind: 'created', contact };
        });
        if (written > 0) appended();
        return result;
      } catch (error) {
        if (error instanceof QuotaFull) return { kind: 'limit-exceeded' };
        throw error;
      }
    },

    async get(instanceId, id) {
      const { rows } = await q.getContact.execute(db, { instanceId, id });
      return rows[0] && contactFromRow(rows[0]);
    },

    async transition(id, from, to, change, at, emit) {
      let written = 0;
      const contact = await writes.run(
        async (trx) => {
          const { rows } = await updateState(trx, from, stateUpdate(id, to, change, at));
          const row = rows[0];
          if (row === undefined) return undefined;
          const updated = contactFromRow(row);
          if (to === 'DISCONNECTED') {
            const release = updated.trafficType === 'CAMPAIGN' ? q.releaseCampaignSlot : q.releaseSlot;
            await release.execute(trx, { instanceId: updated.instanceId });
          }
          written = await record(trx, updated, emit, at);
          return updated;
        },
        // With nothing to emit no savepoint is needed: a change is one UPDATE, and the end's second one, the
        // quota counter's, has no constraint to fail on. Only the database itself failing (a full disk)
        // could commit the end without it; the next start's reconcileLiveCounters repairs the counter.
        { singleStatement: emit === undefined },
      );
      if (written > 0) appended();
      return contact;
    },

    async mergeAttributes(instanceId, id, attributes, at, check, emit) {
      let written = 0;
      const merged = await writes.run(async (trx) => {
        const row = await trx
          .selectFrom('contacts')
          .select('attributes')
          .where('id', '=', id)
          .where('instance_id', '=', instanceId)
          .executeTakeFirst();
        if (row === undefined) return undefined;
        const merged = { ...(JSON.parse(row.attributes) as Record<string, string>), ...attributes };
        check(merged);
        const updated = await trx
          .updateTable('contacts')
          .set((eb) => ({ attributes: JSON.stringify(merged), last_updated_at: at, revision: eb('revision', '+', 1) }))
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        const contact = contactFromRow(updated);
        written = await record(trx, contact, emit, at);
        return contact;
      });
      if (written > 0) appended();
      return merged;
    },

    async recordAfterContactWork(id, change, at, emit) {
      let written = 0;
      const contact = await writes.run(async (trx) => {
        const row = await trx
          .updateTable('contacts')
          .set((eb) => ({
            ...(change.acwStartedAt !== undefined && { acw_started_at: change.acwStartedAt }),
            ...(change.acwEndedAt !== undefined && { acw_ended_at: change.acwEndedAt }),
            last_updated_at: at,
            revision: eb('revision', '+', 1),
          }))
          .where('id', '=', id)
          .where('state', '=', 'DISCONNECTED')
          // After-contact work ends once: a second "Done" writes nothing and emits nothing.
          .$if(change.acwEndedAt !== undefined, (qb) => qb.where('acw_ended_at', 'is', null))
          .returningAll()
          .executeTakeFirst();
        if (row === undefined) return undefined;
        const updated = contactFromRow(row);
        written = await record(trx, updated, emit, at);
        return updated;
      });
      if (written > 0) appended();
      return contact;
    },

    async saveFlowState(id, state, at) {
      await writes.run((trx) => q.saveFlowState.execute(trx, { id, state, at }), { singleStatement: true });
    },

    async appendFlowLog(contactId, at, entries) {
      if (entries.length === 0) return;
      // A row per step, not per entry: the log is read whole, and one row costs a fraction of several.
      const row = { contact_id: contactId, at, entry: JSON.stringify(entries) };
      await writes.run((trx) => q.appendFlowLog.execute(trx, row), { singleStatement: true });
    },

    async listFlowLog(contactId) {
      const rows = await db.selectFrom('contact_flow_logs').select('entry').where('contact_id', '=', contactId).orderBy('seq').execute();
      return rows.flatMap((r) => JSON.parse(r.entry) as unknown[]);
    },

    async addRecording(recording, at, emit) {
      let written = 0;
      const contact = await writes.run(async (trx) => {
        // The contact's row first: its lock orders this against the contact's end on PostgreSQL, so either
        // the end's record lists this recording or this sees the contact ended and writes a new record.
        const { rows } = await q.touchContact.execute(trx, { id: recording.contactId, at });
        const row = rows[0];
        if (row === undefined) return undefined;
        await q.insertRecording.execute(trx, {
          id: recording.id,
          contactId: recording.contactId,
          instanceId: recording.instanceId,
          location: recording.location,
          startedAt: recording.startedAt,
          stoppedAt: recording.stoppedAt,
        });
        const contact = contactFromRow(row);
        written = await record(trx, contact, emit, at);
        return contact;
      });
      if (written > 0) appended();
      return contact;
    },

    async listRecordings(contactId) {
      const { rows } = await q.listRecordings.execute(db, { contactId });
      return rows.map(recordingFromRow);
    },

    search: (query) => searchContacts(db, query),

    async countQueued(queueId) {
      const row = await db
        .selectFrom('contacts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('queue_id', '=', queueId)
        .where('state', '=', 'QUEUED')
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async countByState(nodeId) {
      // By node, so the (node_id, state) index answers it without reading the contacts themselves.
      const rows = await db
        .selectFrom('contacts')
        .select((eb) => ['state', eb.fn.countAll<number>().as('n')])
        .where('node_id', '=', nodeId)
        .where('state', 'in', LIVE_STATES)
        .groupBy('state')
        .execute();
      const counts: Record<string, number> = Object.fromEntries(LIVE_STATES.map((state) => [state, 0]));
      for (const row of rows) counts[row.state] = Number(row.n);
      return counts;
    },

    async listLiveOnNode(nodeId) {
      const rows = await db
        .selectFrom('contacts')
        .selectAll()
        .where('node_id', '=', nodeId)
        .where('state', 'in', LIVE_STATES)
        .orderBy('initiated_at')
        .execute();
      return rows.map(contactFromRow);
    },

    async reconcileLiveCounters() {
      const live = (traffic: string) =>
        sql<number>`(SELECT count(*) FROM contacts c WHERE c.instance_id = instances.id AND c.traffic_type = ${traffic}
          AND c.state IN (${sql.join(LIVE_STATES)}))`;
      await db
        .updateTable('instances')
        .set({ live_contacts: live('GENERAL'), live_campaign_contacts: live('CAMPAIGN') })
        .execute();
    },

    async sweepClientTokens(before) {
      const result = await db.deleteFrom('client_tokens').where('created_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

/** The columns a ContactChange may set, by field. */
const CHANGE_COLUMNS = {
  ringStartedAt: 'ring_started_at',
  connectedAt: 'connected_at',
  enqueuedAt: 'enqueued_at',
  disconnectedAt: 'disconnected_at',
  disconnectReason: 'disconnect_reason',
  amdStatus: 'amd_status',
  queueId: 'queue_id',
  agentId: 'agent_id',
  agentConnectedAt: 'agent_connected_at',
  acwStartedAt: 'acw_started_at',
  acwEndedAt: 'acw_ended_at',
} as const satisfies Record<keyof ContactChange, keyof ContactsTable>;
type ChangeField = keyof typeof CHANGE_COLUMNS;
const CHANGE_FIELDS = Object.keys(CHANGE_COLUMNS) as ChangeField[];

/** Parameters of the state-guarded UPDATE: the change's fields that carry a value. */
type StateUpdate = { id: string; to: ContactState; at: number } & { [F in ChangeField]?: NonNullable<ContactChange[F]> };

function stateUpdate(id: string, to: ContactState, change: ContactChange, at: number): StateUpdate {
  const params: StateUpdate = { id, to, at };
  for (const field of CHANGE_FIELDS) {
    const value = change[field];
    // A null or absent field keeps its stored value.
    if (value !== null && value !== undefined) (params as Record<string, unknown>)[field] = value;
  }
  return params;
}

/**
 * The UPDATE behind every transition: it matches nothing once the contact has left `from`. It sets only
 * the columns the change carries (and the state, time and revision): SQLite rewrites the entries of every
 * index on a column a statement assigns, even to its own value, so an UPDATE that assigned every column
 * (with `coalesce(?, column)`) also rewrote the agent and queue indexes at each answer and end.
 */
function prepareStateUpdate(
  db: Kysely<Database>,
  from: readonly ContactState[],
  fields: readonly ChangeField[],
  enqueues: boolean,
): PreparedQuery<StateUpdate, Row> {
  return prepare(
    db
      .updateTable('contacts')
      .set((eb) => ({
        state: param<string>('to'),
        last_updated_at: param<number>('at'),
        revision: eb('revision', '+', 1),
        ...Object.fromEntries(fields.map((field) => [CHANGE_COLUMNS[field], param(field)])),
        // Entering the queue takes the last place in it (see AgentRepository.moveToQueueHead).
        ...(enqueues && { queue_position: param<number>('at') }),
      }))
      .where('id', '=', param<string>('id'))
      .where('state', 'in', from)
      .returning(CONTACT_ROW_COLUMNS),
  );
}

function preparedQueries(db: Kysely<Database>) {
  const slot = (campaign: boolean, delta: 1 | -1) =>
    prepare<{ instanceId: string }, never>(
      db
        .updateTable('instances')
        .set((eb) =>
          campaign
            ? { live_campaign_contacts: eb('live_campaign_contacts', delta > 0 ? '+' : '-', 1) }
            : { live_contacts: eb('live_contacts', delta > 0 ? '+' : '-', 1) },
        )
        .where('id', '=', param<string>('instanceId'))
        .$if(delta > 0, (qb) =>
          qb.where((eb) =>
            campaign
              ? eb('live_campaign_contacts', '<', eb.ref('max_live_campaign_contacts'))
              : eb('live_contacts', '<', eb.ref('max_live_contacts')),
          ),
        ),
    );
  return {
    /**
     * Inserts the token, or takes over a row whose token expired or whose contact ended; changes no row
     * when a live contact holds the token. Without RETURNING: on SQLite that cost a few µs a contact.
     */
    claimToken: prepare<{ instanceId: string; token: string; contactId: string; at: number; notBefore: number }, never>(
      db
        .insertInto('client_tokens')
        .values({
          instance_id: param<string>('instanceId'),
          client_token: param<string>('token'),
          contact_id: param<string>('contactId'),
          created_at: param<number>('at'),
        })
        .onConflict((oc) =>
          oc
            .columns(['instance_id', 'client_token'])
            .doUpdateSet((eb) => ({ contact_id: eb.ref('excluded.contact_id'), created_at: eb.ref('excluded.created_at') }))
            .where((eb) =>
              eb.or([
                eb('client_tokens.created_at', '<', param<number>('notBefore')),
                eb.exists(
                  eb
                    .selectFrom('contacts')
                    .select('contacts.id')
                    .whereRef('contacts.id', '=', 'client_tokens.contact_id')
                    .where('contacts.state', '=', 'DISCONNECTED'),
                ),
              ]),
            ),
        ),
    ),
    tokenHolder: prepare<{ instanceId: string; token: string }, { contact_id: string }>(
      db
        .selectFrom('client_tokens')
        .select('contact_id')
        .where('instance_id', '=', param<string>('instanceId'))
        .where('client_token', '=', param<string>('token')),
    ),
    takeSlot: slot(false, 1),
    takeCampaignSlot: slot(true, 1),
    releaseSlot: slot(false, -1),
    releaseCampaignSlot: slot(true, -1),
    insertContact: prepare<Record<string, unknown>, never>(
      db.insertInto('contacts').values(Object.fromEntries(CONTACT_COLUMNS.map((c) => [c, param(c)])) as unknown as ContactsTable),
    ),
    saveFlowState: prepare<{ id: string; state: string; at: number }, never>(
      db
        .updateTable('contacts')
        .set({ flow_state: param<string>('state'), last_updated_at: param<number>('at') })
        .where('id', '=', param<string>('id'))
        .where('state', '!=', 'DISCONNECTED'),
    ),
    appendFlowLog: prepare<{ contact_id: string; at: number; entry: string }, never>(
      db.insertInto('contact_flow_logs').values({
        contact_id: param<string>('contact_id'),
        // Numbered in commit order, so the contact flow and its queue and whisper flows share one log.
        seq: sql<number>`(SELECT coalesce(max(l.seq), 0) + 1 FROM contact_flow_logs l WHERE l.contact_id = ${param<string>('contact_id')})`,
        at: param<number>('at'),
        entry: param<string>('entry'),
      }),
    ),
    touchContact: prepare<{ id: string; at: number }, Row>(
      db
        .updateTable('contacts')
        .set((eb) => ({ last_updated_at: param<number>('at'), revision: eb('revision', '+', 1) }))
        .where('id', '=', param<string>('id'))
        .returningAll(),
    ),
    insertRecording: prepare<
      { id: string; contactId: string; instanceId: string; location: string; startedAt: number; stoppedAt: number },
      never
    >(
      db.insertInto('contact_recordings').values({
        id: param<string>('id'),
        contact_id: param<string>('contactId'),
        instance_id: param<string>('instanceId'),
        location: param<string>('location'),
        started_at: param<number>('startedAt'),
        stopped_at: param<number>('stoppedAt'),
      }),
    ),
    listRecordings: prepare<{ contactId: string }, Selectable<ContactRecordingsTable>>(
      db
        .selectFrom('contact_recordings')
        .selectAll()
        .where('contact_id', '=', param<string>('contactId'))
        .orderBy('started_at')
        .orderBy('id'),
    ),
    /** The next per-contact sequence number is taken under the write lock the contact's own change holds. */
    insertMessage: prepare<{ messageId: string; stream: string; type: string; contactId: string; body: string; at: number }, never>(
      db.insertInto('outbox_messages').values({
        message_id: param<string>('messageId'),
        stream: param<string>('stream'),
        type: param<string>('type'),
        contact_id: param<string>('contactId'),
        contact_seq: sql<number>`(SELECT coalesce(max(m.contact_seq), 0) + 1 FROM outbox_messages m WHERE m.contact_id = ${param<string>('contactId')})`,
        body: param<string>('body'),
        created_at: param<number>('at'),
      }),
    ),
    getContact: prepare<{ instanceId: string; id: string }, Row>(
      db
        .selectFrom('contacts')
        .selectAll()
        .where('id', '=', param<string>('id'))
        .where('instance_id', '=', param<string>('instanceId')),
    ),
  };
}
