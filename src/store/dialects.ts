import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type QueryResult, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { Database } from './schema.js';

/**
 * Runs one statement at once on the connection the store's transactions use, without Kysely's executor.
 * Only for statements inside a transaction that already holds the connection (see WriteBatcher).
 */
export type DirectRunner = (sql: string, parameters: readonly unknown[]) => QueryResult<unknown>;

/** Prepared statements kept per SQL text; Kysely emits the same text for every use of a query shape. */
const STATEMENT_CACHE_SIZE = 512;

/** An open database and the engine facts the store's write path needs. */
export interface OpenDatabase {
  readonly db: Kysely<Database>;
  /** A failed statement undoes only itself, leaving the transaction usable. */
  readonly statementRollback: boolean;
  /** Whether a transaction is open on the connection. */
  readonly inTransaction: () => boolean;
  /** Present where the driver is synchronous (SQLite): statements then need no trip through Kysely's executor. */
  readonly direct?: DirectRunner;
  /**
   * After `db.destroy()`: resolves once the connections the dialect opened beside Kysely's (SQLite's
   * checkpointer) are closed too, so nothing touches the database's files any more.
   */
  readonly released?: () => Promise<void>;
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
  sqlite.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  const checkpointer = path === ':memory:' || path === '' ? undefined : startCheckpointer(sqlite, path);
  const database = cachingStatements(sqlite, () => checkpointer?.stop());
  return {
    db: new Kysely<Database>({ dialect: new SqliteDialect({ database }) }),
    statementRollback: true,
    inTransaction: () => sqlite.inTransaction,
    released: () => checkpointer?.exited ?? Promise.resolve(),
    // What Kysely's SQLite driver does for a statement, minus the promise hops of its executor and
    // connection mutex (about 1.2 µs of 1.9 µs for a small UPDATE, measured).
    direct: (sql, parameters) => {
      const statement = database.prepare(sql);
      if (statement.reader) return { rows: statement.all(parameters) };
      const { changes } = statement.run(parameters);
      return { rows: [], numAffectedRows: BigInt(changes) };
    },
  };
}

/**
 * Kysely prepares every query anew, and preparing cost as much as running in the benchmark
 * (docs/performance.md); reusing the statement for the same SQL text removes that cost.
 */
function cachingStatements(sqlite: BetterSqlite3.Database, closed: () => void): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      sqlite.close();
      closed();
    },
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = withFastRows(sqlite.prepare(sql));
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * better-sqlite3 builds each result row property by property, about 0.25 µs a column: for a contact's 34
 * columns that was a third of an answer's UPDATE … RETURNING (docs/performance.md). Reading rows as arrays
 * and building the objects with one literal of the statement's columns gives the same rows for a fraction.
 */
function withFastRows(statement: BetterSqlite3.Statement): SqliteStatement {
  if (!statement.reader) return statement;
  const names = statement.columns().map((column) => column.name);
  // Names come from the schema and are quoted as JSON strings; a repeated name keeps its last value, as before.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the row builder is generated once per statement
  const build = new Function('r', `return {${names.map((name, i) => `${JSON.stringify(name)}: r[${i}]`).join(', ')}};`) as (
    row: unknown[],
  ) => unknown;
  statement.raw(true);
  return {
    reader: true,
    all: (parameters) => (statement.all(parameters) as unknown[][]).map(build),
    run: (parameters) => statement.run(parameters),
    *iterate(parameters) {
      for (const row of statement.iterate(parameters) as IterableIterator<unknown[]>) yield build(row);
    },
  };
}

/**
 * The connection's page cache (SQLite's default is 2 MiB). A contact's answer and end update rows written
 * seconds earlier, and client tokens land on random pages of their index: under load that working set is
 * tens of MiB, and each page missed is read back from the file (docs/performance.md). Pages are only
 * allocated as they are used.
 */
const PAGE_CACHE_KIB = 64 * 1024;

/** How often the checkpointer copies the write-ahead log into the database file. */
const CHECKPOINT_INTERVAL_MS = 250;
/**
 * WAL pages after which the serving connection checkpoints by itself (SQLite's default is 1,000): only a
 * safety net, reached when the checkpointer falls behind or has failed, so the log stays bounded (~64 MB).
 */
const SAFETY_CHECKPOINT_PAGES = 16_000;

/**
 * A checkpoint copies the write-ahead log into the database file and fsyncs both. Left to SQLite, the
 * connection that commits runs it every 1,000 pages inside a COMMIT, on the thread that serves requests:
 * under the benchmark's load that was a quarter of the store's time (docs/performance.md). A second
 * connection on a worker thread runs a PASSIVE checkpoint every CHECKPOINT_INTERVAL_MS instead, which
 * never blocks the writer. Durability is unchanged: a transaction is committed once it is in the log, as
 * before; a checkpoint only moves committed pages, and the next open replays what it had not moved.
 */
function startCheckpointer(sqlite: BetterSqlite3.Database, path: string): { stop(): void; exited: Promise<void> } | undefined {
  sqlite.pragma(`wal_autocheckpoint = ${SAFETY_CHECKPOINT_PAGES}`);
  let worker: Worker;
  try {
    worker = new Worker(CHECKPOINTER_SOURCE, {
      eval: true,
      workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), path, intervalMs: CHECKPOINT_INTERVAL_MS },
    });
  } catch {
    // Without a worker SQLite checkpoints as usual, on the serving connection.
    sqlite.pragma('wal_autocheckpoint = 1000');
    return undefined;
  }
  // A failed checkpointer leaves the safety net; SQLite's own checkpoints then keep the log bounded.
  worker.on('error', () => sqlite.open && sqlite.pragma('wal_autocheckpoint = 1000'));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // Never what keeps the process alive while it serves; once asked to stop, the wait for it to close does.
  worker.unref();
  const stop = (): void => {
    worker.ref();
    // Asked to stop, not terminated: a worker terminated inside a failing SQLite call aborts the process
    // (better-sqlite3 cannot build the error in a terminating thread).
    worker.postMessage('stop');
  };
  return { stop, exited };
}

/** The checkpointer's thread, plain CommonJS because worker threads do not inherit tsx's loader. */
const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
db.pragma('wal_autocheckpoint = 0');
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** True when `error` is a unique or primary-key violation, on any supported dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
