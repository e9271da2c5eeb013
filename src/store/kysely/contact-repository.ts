/**
 * Contacts on Kysely. Admission and every state change are single transactions whose guards live in SQL
 * (a unique client-token row, a conditional counter update, a state-guarded update), so they stay exact
 * when several nodes share one PostgreSQL. See docs/architecture.md, "Store".
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.js';
import {
  LIVE_STATES,
  type AdmissionResult,
  type ContactChange,
  type ContactRecord,
  type ContactRepository,
  type ContactState,
} from '../store.js';
import { contactFromRow, contactToRow } from './rows.js';
import { WriteBatcher } from './write-batcher.js';

/** Rolls the admission transaction back when the quota is full. */
class QuotaFull extends Error {}

export function contactRepository(db: Kysely<Database>): ContactRepository {
  const writes = new WriteBatcher(db);
  return {
    async admit(contact, clientToken, tokenNotBefore) {
      try {
        return await writes.run(async (trx): Promise<AdmissionResult> => {
          if (clientToken !== undefined) {
            const claimed = await claimToken(trx, contact, clientToken, tokenNotBefore);
            if (!claimed) {
              const row = await trx
                .selectFrom('client_tokens')
                .select('contact_id')
                .where('instance_id', '=', contact.instanceId)
                .where('client_token', '=', clientToken)
                .executeTakeFirstOrThrow();
              return { kind: 'replayed', contactId: row.contact_id };
            }
          }
          await takeQuotaSlot(trx, contact);
          await trx.insertInto('contacts').values(contactToRow(contact)).execute();
          return { kind: 'created', contact };
        });
      } catch (error) {
        if (error instanceof QuotaFull) return { kind: 'limit-exceeded' };
        throw error;
      }
    },

    async get(instanceId, id) {
      const row = await db
        .selectFrom('contacts')
        .selectAll()
        .where('id', '=', id)
        .where('instance_id', '=', instanceId)
        .executeTakeFirst();
      return row && contactFromRow(row);
    },

    transition(id, from, to, change, at) {
      // Only an end also releases a quota slot; any other change is a single UPDATE.
      const ending = to === 'DISCONNECTED';
      return writes.run(
        async (trx) => {
          const row = await updateState(trx, id, from, to, change, at);
          if (row === undefined) return undefined;
          const contact = contactFromRow(row);
          if (ending) await releaseQuotaSlot(trx, contact);
          return contact;
        },
        { singleStatement: !ending },
      );
    },

    mergeAttributes(instanceId, id, attributes, at) {
      return writes.run(async (trx) => {
        const row = await trx
          .selectFrom('contacts')
          .select('attributes')
          .where('id', '=', id)
          .where('instance_id', '=', instanceId)
          .executeTakeFirst();
        if (row === undefined) return undefined;
        const merged = { ...(JSON.parse(row.attributes) as Record<string, string>), ...attributes };
        const updated = await trx
          .updateTable('contacts')
          .set((eb) => ({ attributes: JSON.stringify(merged), last_updated_at: at, revision: eb('revision', '+', 1) }))
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return contactFromRow(updated);
      });
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

/**
 * Claims `token` for `contact`: inserts it, or takes over a row whose token has expired or whose contact
 * has ended. Returns false when a live contact holds the token. As the first write of the transaction it
 * makes a concurrent request with the same token wait for this one to commit or roll back.
 */
async function claimToken(trx: Transaction<Database>, contact: ContactRecord, token: string, notBefore: number): Promise<boolean> {
  const row = await trx
    .insertInto('client_tokens')
    .values({ instance_id: contact.instanceId, client_token: token, contact_id: contact.id, created_at: contact.initiatedAt })
    .onConflict((oc) =>
      oc
        .columns(['instance_id', 'client_token'])
        .doUpdateSet({ contact_id: contact.id, created_at: contact.initiatedAt })
        .where((eb) =>
          eb.or([
            eb('client_tokens.created_at', '<', notBefore),
            eb.exists(
              eb
                .selectFrom('contacts')
                .select('contacts.id')
                .whereRef('contacts.id', '=', 'client_tokens.contact_id')
                .where('contacts.state', '=', 'DISCONNECTED'),
            ),
          ]),
        ),
    )
    .returning('contact_id')
    .executeTakeFirst();
  return row !== undefined;
}

async function takeQuotaSlot(trx: Transaction<Database>, contact: ContactRecord): Promise<void> {
  const campaign = contact.trafficType === 'CAMPAIGN';
  const result = await trx
    .updateTable('instances')
    .set((eb) =>
      campaign
        ? { live_campaign_contacts: eb('live_campaign_contacts', '+', 1) }
        : { live_contacts: eb('live_contacts', '+', 1) },
    )
    .where('id', '=', contact.instanceId)
    .where((eb) =>
      campaign
        ? eb('live_campaign_contacts', '<', eb.ref('max_live_campaign_contacts'))
        : eb('live_contacts', '<', eb.ref('max_live_contacts')),
    )
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new QuotaFull();
}

async function releaseQuotaSlot(trx: Transaction<Database>, contact: ContactRecord): Promise<void> {
  const campaign = contact.trafficType === 'CAMPAIGN';
  await trx
    .updateTable('instances')
    .set((eb) =>
      campaign
        ? { live_campaign_contacts: eb('live_campaign_contacts', '-', 1) }
        : { live_contacts: eb('live_contacts', '-', 1) },
    )
    .where('id', '=', contact.instanceId)
    .execute();
}

/** The state-guarded UPDATE behind every transition: it matches nothing when the contact left `from`. */
function updateState(
  db: Kysely<Database>,
  id: string,
  from: readonly ContactState[],
  to: ContactState,
  change: ContactChange,
  at: number,
) {
  return db
    .updateTable('contacts')
    .set((eb) => ({
      state: to,
      last_updated_at: at,
      revision: eb('revision', '+', 1),
      ...(change.ringStartedAt !== undefined && { ring_started_at: change.ringStartedAt }),
      ...(change.connectedAt !== undefined && { connected_at: change.connectedAt }),
      ...(change.enqueuedAt !== undefined && { enqueued_at: change.enqueuedAt }),
      ...(change.disconnectedAt !== undefined && { disconnected_at: change.disconnectedAt }),
      ...(change.disconnectReason !== undefined && { disconnect_reason: change.disconnectReason }),
      ...(change.amdStatus !== undefined && { amd_status: change.amdStatus }),
      ...(change.queueId !== undefined && { queue_id: change.queueId }),
    }))
    .where('id', '=', id)
    .where('state', 'in', from)
    .returningAll()
    .executeTakeFirst();
}
