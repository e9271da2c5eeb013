/**
 * Golden traces of the flow engine: test/fixtures/traces/<name>.json holds a flow, a context as data, the
 * events fed in order (the first is FlowStarted) and the commands each event produced, flow-log entries
 * left out so the traces stay readable. `replayTrace` recomputes the commands; the replay test compares
 * them and scripts/regenerate-flow-traces.ts rewrites them after a deliberate change.
 */
import { readdirSync, readFileSync } from 'node:fs';

import { compileFlow, initialStep, step } from '../../src/flows/index.js';
import type { CompiledFlow, ContactFacts, FlowCommand, FlowContext, FlowEvent, FlowState, HoursOfOperation, OutboundCallStatus, QueueInfo } from '../../src/flows/index.js';

export const TRACES_DIR = new URL('../fixtures/traces/', import.meta.url);

/** A FlowContext written as JSON: lookups become tables. */
export interface ContextData {
  contact: ContactFacts;
  seed: number | string;
  loggingEnabled?: boolean;
  outboundCallStatus?: OutboundCallStatus;
  queues?: QueueInfo[];
  queuesAtCapacity?: string[];
  hoursOfOperation?: Record<string, HoursOfOperation>;
  /** Flows TransferToFlow may reach, by id or ARN, as flow-language documents. */
  flows?: Record<string, unknown>;
}

export interface Trace {
  description: string;
  flow: unknown;
  context: ContextData;
  events: FlowEvent[];
  expectedCommands: FlowCommand[][] | null;
}

export function contextFrom(data: ContextData): FlowContext {
  const queues = data.queues ?? [];
  const flows = new Map<string, CompiledFlow>(Object.entries(data.flows ?? {}).map(([ref, doc]) => [ref, compileFlow(JSON.stringify(doc))]));
  const hours = new Map(Object.entries(data.hoursOfOperation ?? {}));
  return {
    contact: data.contact,
    seed: data.seed,
    ...(data.loggingEnabled === undefined ? {} : { loggingEnabled: data.loggingEnabled }),
    ...(data.outboundCallStatus === undefined ? {} : { outboundCallStatus: data.outboundCallStatus }),
    queue: (ref) => queues.find((q) => q.id === ref || q.arn === ref),
    queueAtCapacity: (id) => (data.queuesAtCapacity ?? []).includes(id),
    hoursOfOperation: (ref) => hours.get(ref),
    flow: (ref) => flows.get(ref),
  };
}

/** The commands each event produced, without flow-log entries. */
export function replayTrace(trace: Trace): FlowCommand[][] {
  const flow = compileFlow(JSON.stringify(trace.flow));
  const context = contextFrom(trace.context);
  const [start, ...rest] = trace.events;
  if (start?.type !== 'FlowStarted') throw new Error(`trace "${trace.description}" must begin with a FlowStarted event`);
  const first = initialStep(flow, context, start.at);
  let state: FlowState = first.state;
  const produced = [first.commands];
  for (const event of rest) {
    const result = step(flow, state, event, context);
    state = result.state;
    produced.push(result.commands);
  }
  return produced.map((commands) => commands.filter((c) => c.type !== 'Log'));
}

export function loadTraces(): { file: string; trace: Trace }[] {
  return readdirSync(TRACES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, trace: JSON.parse(readFileSync(new URL(file, TRACES_DIR), 'utf8')) as Trace }));
}
