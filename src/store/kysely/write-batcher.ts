/**
 * Group commit: write operations that arrive in the same turn of the event loop share one transaction,
 * each inside its own savepoint. On SQLite a commit costs about as much as the writes of a whole contact,
 * so under load this multiplies throughput; idle, a batch holds one operation. Every operation's promise
 * settles only after its transaction committed (or its savepoint rolled back), so "committed before the
 * side effect" still holds for the caller.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DirectRunner } from '../dialects.js';
import type { Database } from '../schema.js';
import { runDirectly } from './prepared.js';

type Operation = (trx: Transaction<Database>) => Promise<unknown>;

interface Pending {
  readonly run: Operation;
  /** Wrapped in a savepoint: set for operations of several statements. */
  readonly atomic: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

export interface WriteBatcherOptions {
  /**
   * True when a failed statement undoes only itself (SQLite), so a single-statement operation needs no
   * savepoint. Where any error spoils the transaction (PostgreSQL), every operation gets one.
   */
  readonly statementRollback: boolean;
  /** Whether a transaction is still open: SQLite rolls the whole one back on errors such as a full disk. */
  readonly inTransaction: () => boolean;
  /**
   * Where the driver is synchronous: savepoints and prepared queries in a batch run on the connection the
   * batch's transaction holds, without Kysely's executor (docs/performance.md).
   */
  readonly direct?: DirectRunner;
}

// One name serves every operation: they run one after another, and each savepoint is released before the next.
const SAVEPOINT = 'savepoint op';
const RELEASE = 'release op';
const ROLLBACK_TO = 'rollback to op';

/** Most operations one transaction carries, so one commit never holds the store for long. */
const MAX_BATCH = 256;

export class WriteBatcher {
  #queue: Pending[] = [];
  #flushing = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: WriteBatcherOptions,
  ) {}

  /**
   * Runs `operation` in a transaction, atomically: if it throws, none of its writes remain. Declaring an
   * operation a single statement lets it skip the savepoint where the database allows.
   */
  run<T>(operation: (trx: Transaction<Database>) => Promise<T>, { singleStatement = false } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const atomic = !(singleStatement && this.options.statementRollback);
      this.#queue.push({ run: operation, atomic, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        // After the event loop's I/O phase, so every request that arrived in this turn joins the batch.
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    try {
      while (this.#queue.length > 0) await this.#commit(this.#queue.splice(0, MAX_BATCH));
    } finally {
      this.#flushing = false;
    }
  }

  async #commit(batch: Pending[]): Promise<void> {
    const outcomes: Outcome[] = [];
    let abortedBy: { error: unknown } | undefined;
    const { direct } = this.options;
    try {
      await this.db.transaction().execute(async (trx) => {
        const statement = async (text: string) => {
          if (direct === undefined) await sql.raw(text).execute(trx);
          else direct(text, []);
        };
        const stopDirect = direct === undefined ? undefined : runDirectly(trx, direct);
        try {
          for (const op of batch) {
            if (op.atomic) await statement(SAVEPOINT);
            try {
              const value = await op.run(trx);
              if (op.atomic) await statement(RELEASE);
              outcomes.push({ ok: true, value });
            } catch (error) {
              if (!this.options.inTransaction()) {
                abortedBy = { error };
                throw error;
              }
              if (op.atomic) {
                await statement(ROLLBACK_TO);
                await statement(RELEASE);
              }
              outcomes.push({ ok: false, error });
            }
          }
        } finally {
          stopDirect?.();
        }
      });
    } catch (error) {
      if (abortedBy === undefined) {
        // The commit itself failed: nothing of the batch was written.
        for (const op of batch) op.reject(error);
        return;
      }
      // The database rolled the whole transaction back: what ran is undone, what did not run goes again.
      const ran = outcomes.length + 1;
      for (const op of batch.slice(0, ran)) op.reject(abortedBy.error);
      this.#queue.unshift(...batch.slice(ran));
      return;
    }
    batch.forEach((op, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok === true) op.resolve(outcome.value);
      else op.reject(outcome?.error);
    });
  }
}
