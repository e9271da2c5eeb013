import type { Migration } from 'kysely';
import { initial } from './0001-initial.js';
import { instanceClientToken } from './0002-instance-client-token.js';
import { flowState } from './0003-flow-state.js';
import { flowLog } from './0004-flow-log.js';
import { eventOutbox } from './0005-event-outbox.js';
import { contactSearchIndex } from './0006-contact-search-index.js';
import { contactRecordings } from './0007-contact-recordings.js';
import { agents } from './0008-agents.js';
import { consoleSessions } from './0009-console-sessions.js';
import { partialAgentIndex } from './0010-partial-agent-index.js';

/** Every migration in order, listed explicitly (a folder scan breaks under bundlers and tsx). */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-instance-client-token': instanceClientToken,
  '0003-flow-state': flowState,
  '0004-flow-log': flowLog,
  '0005-event-outbox': eventOutbox,
  '0006-contact-search-index': contactSearchIndex,
  '0007-contact-recordings': contactRecordings,
  '0008-agents': agents,
  '0009-console-sessions': consoleSessions,
  '0010-partial-agent-index': partialAgentIndex,
};
