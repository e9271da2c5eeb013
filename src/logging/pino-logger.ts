import { pino, type Logger as Pino, type DestinationStream } from 'pino';
import type { Logger } from '../shared/logger.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** The Logger port on pino: one JSON object per line, to stderr unless a destination is given. */
export function createPinoLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return wrap(pino({ level, base: undefined }, destination ?? pino.destination(2)));
}

function wrap(p: Pino): Logger {
  return {
    trace: (msg, meta) => p.trace(meta ?? {}, msg),
    debug: (msg, meta) => p.debug(meta ?? {}, msg),
    info: (msg, meta) => p.info(meta ?? {}, msg),
    warn: (msg, meta) => p.warn(meta ?? {}, msg),
    error: (msg, meta) => p.error(meta ?? {}, msg),
    child: (bindings) => wrap(p.child(bindings)),
  };
}
