/**
 * Queries built and compiled once, then run with new parameters. Building a Kysely query costs more than
 * SQLite takes to run it for the contact path's larger statements (see docs/performance.md), so the
 * queries that run for every contact are prepared when the store opens. They stay Kysely queries,
 * compiled by the dialect in use. Inside a write batch on a synchronous driver they skip Kysely's executor
 * altogether (`runDirectly`).
 */
import { CompiledQuery, type Compilable, type QueryResult } from 'kysely';
import type { DirectRunner } from '../dialects.js';

const MARK = '\u0000param:';

/** A named placeholder for a value supplied when the prepared query runs. */
export function param<T>(name: string): T {
  return `${MARK}${name}` as T;
}

/** What a prepared query runs on: the database or a transaction. */
export interface QueryExecutor {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/** Executors (a batch's transaction) whose prepared queries run directly on the connection they hold. */
const directRunners = new WeakMap<QueryExecutor, DirectRunner>();

/**
 * Runs prepared queries given `executor` through `runner` until the returned function is called. Only for
 * a transaction that holds the connection: a statement outside one would see its uncommitted writes.
 */
export function runDirectly(executor: QueryExecutor, runner: DirectRunner): () => void {
  directRunners.set(executor, runner);
  return () => directRunners.delete(executor);
}

export interface PreparedQuery<P, R> {
  execute(executor: QueryExecutor, params: P): Promise<QueryResult<R>>;
}

/** Compiles `query`, remembering where each `param` placeholder sits among the bound parameters. */
export function prepare<P extends Record<string, unknown>, R>(query: Compilable<R>): PreparedQuery<P, R> {
  const { sql, parameters } = query.compile();
  // A slot is a placeholder's name, or a constant the query builder bound itself.
  const slots: ({ name: string } | { value: unknown })[] = parameters.map((value) =>
    typeof value === 'string' && value.startsWith(MARK) ? { name: value.slice(MARK.length) } : { value },
  );
  return {
    execute: (executor, params) => {
      const values = slots.map((s) => ('name' in s ? params[s.name] : s.value));
      const direct = directRunners.get(executor);
      if (direct === undefined) return executor.executeQuery<R>(CompiledQuery.raw(sql, values));
      // A statement that throws rejects, as through Kysely.
      return new Promise((resolve) => resolve(direct(sql, values) as QueryResult<R>));
    },
  };
}
