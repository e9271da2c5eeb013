import { randomUUID } from 'node:crypto';

/** Source of identifiers; injected so tests can make them predictable. */
export interface IdSource {
  uuid(): string;
}

export const randomIds: IdSource = { uuid: () => randomUUID() };

/** Predictable ids (`00000000-0000-4000-8000-000000000001`, …) for tests and virtual-time runs. */
export function sequentialIds(): IdSource {
  let n = 0;
  return { uuid: () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}` };
}
