/**
 * SearchContacts over the contacts table: one statement returns the page and, through a window count, the
 * number of matches (so the two agree); the count is asked separately only when the page is empty.
 *
 * What the table does not record matches nothing: there is no agent, scheduled or expiry timestamp yet
 * (a range on one finds no contact, a sort on one falls through to the tie-breakers), no contact has an
 * agent, every stored contact is a VOICE contact started by the API. Attribute criteria read the JSON
 * column with `json_extract` (SQLite's; PostgreSQL's `->>` when that dialect arrives).
 */
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { ContactsTable, Database } from '../schema.js';
import type { ContactSearch, ContactSearchPage } from '../store.js';
import { contactFromRow } from './rows.js';

/** The channel and initiation method of every contact outdial stores (outbound voice through the API). */
const CHANNEL = 'VOICE';
const INITIATION_METHOD = 'API';

/** Attribute keys outdial stores (`services/attributes.ts` refuses others): another key names no attribute. */
const ATTRIBUTE_KEY = /^[A-Za-z0-9_-]+$/;

type TimeColumn = 'initiated_at' | 'disconnected_at' | 'enqueued_at' | 'agent_connected_at';

/** The column behind each searchable timestamp; undefined where outdial records no such time yet. */
const TIME_COLUMNS: Record<ContactSearch['timeField'], TimeColumn | undefined> = {
  initiatedAt: 'initiated_at',
  disconnectedAt: 'disconnected_at',
  enqueuedAt: 'enqueued_at',
  connectedToAgentAt: 'agent_connected_at',
  scheduledAt: undefined,
};

const SORT_COLUMNS: Record<ContactSearch['sort']['field'], TimeColumn | undefined> = {
  initiatedAt: 'initiated_at',
  disconnectedAt: 'disconnected_at',
  connectedToAgentAt: 'agent_connected_at',
  scheduledAt: undefined,
  expiryAt: undefined,
  // Every stored contact has the same channel and initiation method: the tie-breakers decide.
  initiationMethod: undefined,
  channel: undefined,
};

type Builder = ExpressionBuilder<Database, 'contacts'>;

const never = sql<SqlBool>`1 = 0`;

export async function searchContacts(db: Kysely<Database>, query: ContactSearch): Promise<ContactSearchPage> {
  const matching = db.selectFrom('contacts').where((eb) => eb.and(conditions(eb, query)));
  const direction = query.sort.ascending ? 'asc' : 'desc';
  const sortColumn = SORT_COLUMNS[query.sort.field];
  const rows = await matching
    .selectAll()
    .select((eb) => eb.fn.countAll<number | bigint>().over().as('total_count'))
    .$if(sortColumn !== undefined, (qb) => qb.orderBy(sortColumn as TimeColumn, (ob) => ob[direction]().nullsLast()))
    .orderBy('initiated_at', direction)
    .orderBy('id', direction)
    .limit(query.limit)
    .offset(query.offset)
    .execute();
  const first = rows[0];
  if (first !== undefined) return { contacts: rows.map((row) => contactFromRow(row)), totalCount: Number(first.total_count) };
  if (query.offset === 0) return { contacts: [], totalCount: 0 };
  // A page past the end: the matches are still counted.
  const counted = await matching.select((eb) => eb.fn.countAll<number | bigint>().as('n')).executeTakeFirst();
  return { contacts: [], totalCount: Number(counted?.n ?? 0) };
}

function conditions(eb: Builder, q: ContactSearch): Expression<SqlBool>[] {
  const where: Expression<SqlBool>[] = [eb('instance_id', '=', q.instanceId)];
  const timeColumn = TIME_COLUMNS[q.timeField];
  // A range on a time outdial does not record (a null column) matches no contact.
  if (timeColumn === undefined) return [never];
  where.push(eb(timeColumn, '>=', q.from), eb(timeColumn, '<=', q.to));
  if (nonEmpty(q.channels) && !q.channels.includes(CHANNEL)) return [never];
  if (nonEmpty(q.initiationMethods) && !q.initiationMethods.includes(INITIATION_METHOD)) return [never];
  if (nonEmpty(q.agentIds)) where.push(eb('agent_id', 'in', q.agentIds));
  if (nonEmpty(q.queueIds)) where.push(eb('queue_id', 'in', q.queueIds));
  if (q.attributes !== undefined && q.attributes.criteria.length > 0) {
    const each = q.attributes.criteria.map((c) => attributeMatches(eb, c.key, c.values));
    where.push(q.attributes.matchAll ? eb.and(each) : eb.or(each));
  }
  if (q.name !== undefined && q.name.texts.length > 0) {
    const each = q.name.texts.map((text) => nameContains(text));
    where.push(q.name.matchAll ? eb.and(each) : eb.or(each));
  }
  return where;
}

function nonEmpty(list: readonly string[] | undefined): list is readonly string[] {
  return list !== undefined && list.length > 0;
}

/** The attribute `key` holds one of `values`. The JSON path is a bound parameter, never SQL text. */
function attributeMatches(eb: Builder, key: string, values: readonly string[]): Expression<SqlBool> {
  if (!ATTRIBUTE_KEY.test(key) || values.length === 0) return never;
  const path = `$."${key}"`;
  return eb(sql<string>`json_extract(${sql.ref<ContactsTable['attributes']>('attributes')}, ${path})`, 'in', values);
}

/** The contact's name contains `text`, ignoring ASCII case; `%`, `_` and `\` in the text match themselves. */
function nameContains(text: string): Expression<SqlBool> {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`lower(${sql.ref('name')}) like lower(${pattern}) escape '\\'`;
}
