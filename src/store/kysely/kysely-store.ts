import { Migrator, type Kysely, type MigrationProvider } from 'kysely';
import type { Database } from '../schema.js';
import type { OpenDatabase } from '../dialects.js';
import type { Store } from '../store.js';
import { WriteBatcher } from './write-batcher.js';
import { migrations } from '../migrations/index.js';
import { agentRepository } from './agent-repository.js';
import { agentStatusRepository } from './agent-status-repository.js';
import { consoleSessionRepository } from './console-session-repository.js';
import { contactRepository } from './contact-repository.js';
import { eventRepository } from './event-repository.js';
import {
  contactFlowRepository,
  hoursOfOperationRepository,
  instanceRepository,
  phoneNumberRepository,
  queueRepository,
} from './resource-repositories.js';
import { routingProfileRepository } from './routing-profile-repository.js';
import { userRepository } from './user-repository.js';

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

/** Brings the schema up to date; throws with the failing migration's error. */
export async function migrate(db: Kysely<Database>): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error !== undefined) throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
}

/** The Store port on a migrated database. */
export function kyselyStore({ db, statementRollback, inTransaction, direct, released }: OpenDatabase): Store {
  // One batcher for every writer, so contact changes and deliveries share commits.
  const writes = new WriteBatcher(db, { statementRollback, inTransaction, ...(direct !== undefined && { direct }) });
  const listeners = new Set<() => void>();
  const appended = () => listeners.forEach((listener) => listener());
  return {
    instances: instanceRepository(db),
    hoursOfOperation: hoursOfOperationRepository(db),
    phoneNumbers: phoneNumberRepository(db),
    contactFlows: contactFlowRepository(db),
    queues: queueRepository(db),
    contacts: contactRepository(db, writes, appended),
    routingProfiles: routingProfileRepository(db, writes),
    users: userRepository(db, writes),
    agentStatuses: agentStatusRepository(db, writes),
    agents: agentRepository(db, writes),
    events: eventRepository(db, writes, listeners),
    consoleSessions: consoleSessionRepository(db),
    close: async () => {
      await db.destroy();
      await released?.();
    },
  };
}
