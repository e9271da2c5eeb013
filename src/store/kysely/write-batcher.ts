/**
 * Group commit: write operations that arrive while a transaction is being committed wait and then share
 * one transaction, each inside its own savepoint. On SQLite a commit costs about as much as the writes of
 * a whole contact, so under load this multiplies throughput; idle, a batch holds one operation and adds no
 * delay. Every operation's promise settles only after its transaction committed (or its savepoint rolled
 * back), so "committed before the side effect" still holds for the caller.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.js';

type Operation = (trx: Transaction<Database>) => Promise<unknown>;

interface Pending {
  readonly run: Operation;
  /** Wrapped in a savepoint: set for operations of several statements. */
  readonly atomic: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

// One name serves every operation: they run one after another, and each savepoint is released before the next.
const SAVEPOINT = sql.raw('savepoint op');
const RELEASE = sql.raw('release op');
const ROLLBACK_TO = sql.raw('rollback to op');

/** Most operations one transaction carries, so one commit never holds the store for long. */
const MAX_BATCH = 256;

export class WriteBatcher {
  #queue: Pending[] = [];
  #flushing = false;

  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Runs `operation` in a transaction. An operation of several statements is atomic (if it throws, none of
   * its writes remain); one of a single statement is atomic anyway and skips the savepoint's cost.
   */
  run<T>(operation: (trx: Transaction<Database>) => Promise<T>, { singleStatement = false } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ run: operation, atomic: !singleStatement, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        // After the event loop's I/O phase, so every request that arrived in this turn joins the batch.
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, MAX_BATCH);
        const settled: (() => void)[] = [];
        try {
          await this.db.transaction().execute(async (trx) => {
            for (const op of batch) {
              if (op.atomic) await SAVEPOINT.execute(trx);
              try {
                const value = await op.run(trx);
                if (op.atomic) await RELEASE.execute(trx);
                settled.push(() => op.resolve(value));
              } catch (error) {
                if (op.atomic) {
                  await ROLLBACK_TO.execute(trx);
                  await RELEASE.execute(trx);
                }
                settled.push(() => op.reject(error));
              }
            }
          });
          for (const settle of settled) settle();
        } catch (error) {
          // The commit itself failed: nothing of the batch was written.
          for (const op of batch) op.reject(error);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }
}
