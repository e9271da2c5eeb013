/** The console's sessions and sign-in failure counters on Kysely (migration 0009). */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { ConsoleSessionRecord, ConsoleSessionRepository, SignInFailureRecord } from '../store.js';

interface ConsoleSessionsTable {
  id_hash: string;
  instance_id: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

interface ConsoleSignInFailuresTable {
  key: string;
  failures: number;
  last_failure_at: number;
  locked_until: number | null;
}

/** The console's tables; kept here, beside their only user, rather than in the shared schema. */
// A type alias, not an interface: withTables wants an index-signature-compatible record.
type ConsoleTables = {
  console_sessions: ConsoleSessionsTable;
  console_sign_in_failures: ConsoleSignInFailuresTable;
};

function sessionFromRow(row: ConsoleSessionsTable): ConsoleSessionRecord {
  return {
    idHash: row.id_hash,
    instanceId: row.instance_id,
    userId: row.user_id,
    createdAt: Number(row.created_at),
    lastSeenAt: Number(row.last_seen_at),
    expiresAt: Number(row.expires_at),
  };
}

function failureFromRow(row: ConsoleSignInFailuresTable): SignInFailureRecord {
  return {
    key: row.key,
    failures: Number(row.failures),
    lastFailureAt: Number(row.last_failure_at),
    lockedUntil: row.locked_until === null ? null : Number(row.locked_until),
  };
}

export function consoleSessionRepository(database: Kysely<Database>): ConsoleSessionRepository {
  const db = database.withTables<ConsoleTables>();
  return {
    async insert(session) {
      await db
        .insertInto('console_sessions')
        .values({
          id_hash: session.idHash,
          instance_id: session.instanceId,
          user_id: session.userId,
          created_at: session.createdAt,
          last_seen_at: session.lastSeenAt,
          expires_at: session.expiresAt,
        })
        .execute();
    },
    async get(idHash) {
      const row = await db.selectFrom('console_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
      return row && sessionFromRow(row);
    },
    async touch(idHash, at) {
      await db.updateTable('console_sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).where('last_seen_at', '<', at).execute();
    },
    async delete(idHash) {
      await db.deleteFrom('console_sessions').where('id_hash', '=', idHash).execute();
    },
    async sweep(at, idleBefore, failuresBefore) {
      const sessions = await db
        .deleteFrom('console_sessions')
        .where((eb) => eb.or([eb('expires_at', '<=', at), eb('last_seen_at', '<', idleBefore)]))
        .executeTakeFirst();
      const failures = await db
        .deleteFrom('console_sign_in_failures')
        .where('last_failure_at', '<', failuresBefore)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', at)]))
        .executeTakeFirst();
      return Number(sessions.numDeletedRows) + Number(failures.numDeletedRows);
    },
    async getFailures(keys) {
      if (keys.length === 0) return [];
      const rows = await db.selectFrom('console_sign_in_failures').selectAll().where('key', 'in', keys).execute();
      return rows.map(failureFromRow);
    },
    async addFailure(key, at, windowStart) {
      const row = await db
        .insertInto('console_sign_in_failures')
        .values({ key, failures: 1, last_failure_at: at, locked_until: null })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: sql<number>`case when console_sign_in_failures.last_failure_at < ${windowStart} then 1 else console_sign_in_failures.failures + 1 end`,
            last_failure_at: at,
          }),
        )
        .returning('failures')
        .executeTakeFirstOrThrow();
      return Number(row.failures);
    },
    async forgiveFailure(key) {
      await db
        .updateTable('console_sign_in_failures')
        .set({ failures: sql<number>`max(failures - 1, 0)` })
        .where('key', '=', key)
        .execute();
    },
    async lock(key, until) {
      await db.updateTable('console_sign_in_failures').set({ locked_until: until }).where('key', '=', key).execute();
    },
    async clearFailures(key) {
      await db.deleteFrom('console_sign_in_failures').where('key', '=', key).execute();
    },
  };
}
