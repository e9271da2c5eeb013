/** The logging port. Services log lifecycle transitions through it; `logging/pino-logger.ts` implements it. */
export interface Logger {
  trace(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
  /** A logger that adds `bindings` (component, contactId, requestId …) to every line. */
  child(bindings: Record<string, unknown>): Logger;
}

/** Discards everything; for tests that do not look at logs. */
export const silentLogger: Logger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};

/** Masks all but the last four digits of a phone number, for logs at info and above. */
export function maskNumber(e164: string): string {
  return e164.length <= 5 ? '***' : `${e164.slice(0, 2)}${'*'.repeat(e164.length - 6)}${e164.slice(-4)}`;
}
