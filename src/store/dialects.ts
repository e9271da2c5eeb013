import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { Database } from './schema.js';

/** Prepared statements kept per SQL text; Kysely emits the same text for every use of a query shape. */
const STATEMENT_CACHE_SIZE = 512;

/** An open database and the engine facts the store's write path needs. */
export interface OpenDatabase {
  readonly db: Kysely<Database>;
  /** A failed statement undoes only itself, leaving the transaction usable. */
  readonly statementRollback: boolean;
  /** Whether a transaction is open on the connection. */
  readonly inTransaction: () => boolean;
}

/**
 * The one place that knows which SQL engine is in use. SQLite runs in WAL mode with NORMAL sync: a
 * committed transaction survives a process crash, which is what the lifecycle guarantees rely on.
 */
export function openSqlite(path: string): OpenDatabase {
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return {
    db: new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(sqlite) }) }),
    statementRollback: true,
    inTransaction: () => sqlite.inTransaction,
  };
}

/**
 * Kysely prepares every query anew, and preparing cost as much as running in the benchmark
 * (docs/performance.md); reusing the statement for the same SQL text removes that cost.
 */
function cachingStatements(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = sqlite.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/** True when `error` is a unique or primary-key violation, on any supported dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
