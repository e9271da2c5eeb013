/**
 * What an offline run knows about the instance a flow would run in: queues, hours, other flows, the
 * contact's facts. Connect reads these from the instance; offline they come from the caller (the CLI's
 * `--env` file), and a queue the flow names but the environment lacks gets a stand-in so the flow can go on.
 */
import type { CompiledFlow } from '../model.js';
import type { ContactFacts, FlowContext, HoursOfOperation, OutboundCallStatus, QueueInfo } from '../types.js';

export interface QueueEnvironment {
  readonly id: string;
  readonly name?: string;
  readonly arn?: string;
  readonly hoursOfOperationId?: string;
  /** TransferContactToQueue takes QueueAtCapacity. */
  readonly atCapacity?: boolean;
}

export interface FlowTestEnvironment {
  readonly queues?: readonly QueueEnvironment[];
  /** CreateHoursOfOperation's TimeZone and Config, by id or ARN. */
  readonly hoursOfOperation?: Readonly<Record<string, HoursOfOperation>>;
  /** Flows TransferToFlow may reach, by id or ARN. */
  readonly flows?: Readonly<Record<string, CompiledFlow>>;
  readonly contact?: Partial<ContactFacts>;
  readonly outboundCallStatus?: OutboundCallStatus;
  /** Epoch milliseconds the virtual clock starts at (hours checks depend on it). */
  readonly startTime?: number;
  /** Seeds DistributeByPercentage. */
  readonly seed?: string | number;
}

export const DEFAULT_START_TIME = Date.UTC(2026, 0, 5, 15, 0); // a Monday afternoon (UTC)
export const DEFAULT_INSTANCE_ARN = 'arn:aws:connect:us-east-1:123456789012:instance/00000000-0000-4000-8000-000000000000';
export const DEFAULT_CONTACT_ID = '00000000-0000-4000-8000-00000000c0de';
export const DEFAULT_CUSTOMER_NUMBER = '+15555550100';
export const DEFAULT_SYSTEM_NUMBER = '+15555550199';

/** The last segment of an ARN (`…/queue/abc` → `abc`, `…:function:name` → `name`), else the value. */
export function lastSegment(ref: string): string {
  return ref.split(/[/:]/).pop() ?? ref;
}

/** Whether two references name the same resource: equal, or one an ARN ending in the other's id. */
export function sameResource(a: string, b: string): boolean {
  return a === b || lastSegment(a) === lastSegment(b);
}

function lookup<T>(table: Readonly<Record<string, T>> | undefined, ref: string): T | undefined {
  if (table === undefined) return undefined;
  if (Object.hasOwn(table, ref)) return table[ref];
  const key = Object.keys(table).find((k) => sameResource(k, ref));
  return key === undefined ? undefined : table[key];
}

export interface ContextHooks {
  /** Called when CheckHoursOfOperation looks up hours: an override's answer, or undefined to use the environment. */
  hours?(ref: string): { readonly hours: HoursOfOperation | undefined } | undefined;
  note(message: string): void;
}

export function contactFacts(env: FlowTestEnvironment, attributes: Readonly<Record<string, string>>, addresses: { customer?: string; system?: string } = {}): ContactFacts {
  const contactId = env.contact?.contactId ?? DEFAULT_CONTACT_ID;
  return {
    contactId,
    initialContactId: contactId,
    instanceArn: DEFAULT_INSTANCE_ARN,
    customerAddress: addresses.customer ?? DEFAULT_CUSTOMER_NUMBER,
    systemAddress: addresses.system ?? DEFAULT_SYSTEM_NUMBER,
    ...env.contact,
    attributes: { ...env.contact?.attributes, ...attributes },
  };
}

export function buildContext(env: FlowTestEnvironment, contact: ContactFacts, hooks: ContextHooks): FlowContext {
  const noted = new Set<string>();
  const noteOnce = (message: string): void => {
    if (noted.has(message)) return;
    noted.add(message);
    hooks.note(message);
  };
  const queue = (ref: string): QueueInfo => {
    const known = env.queues?.find((q) => sameResource(q.id, ref) || (q.arn !== undefined && q.arn === ref));
    const id = known?.id ?? lastSegment(ref);
    if (known === undefined) noteOnce(`queue ${ref} is not in the environment; a stand-in named "${id}" without hours was used`);
    return {
      id,
      arn: known?.arn ?? (ref.startsWith('arn:') ? ref : `${contact.instanceArn}/queue/${id}`),
      name: known?.name ?? id,
      hoursOfOperationId: known?.hoursOfOperationId ?? '',
    };
  };
  return {
    contact,
    seed: env.seed ?? contact.contactId,
    // The path and the observed flow actions come from the log, so it is always kept.
    loggingEnabled: true,
    ...(env.outboundCallStatus === undefined ? {} : { outboundCallStatus: env.outboundCallStatus }),
    queue,
    queueAtCapacity: (id) => env.queues?.find((q) => sameResource(q.id, id))?.atCapacity === true,
    hoursOfOperation: (ref) => {
      const overridden = hooks.hours?.(ref);
      if (overridden !== undefined) return overridden.hours;
      const hours = lookup(env.hoursOfOperation, ref);
      if (hours === undefined) noteOnce(`hours of operation ${ref} are not in the environment and no override answered; the check took its error branch`);
      return hours;
    },
    flow: (ref) => lookup(env.flows, ref),
  };
}

const ALL_DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;
/** 00:00 to 00:00 is the whole day (see isOpen), so this is open around the clock. */
export const ALWAYS_OPEN: HoursOfOperation = {
  timeZone: 'UTC',
  config: ALL_DAYS.map((Day) => ({ Day, StartTime: { Hours: 0, Minutes: 0 }, EndTime: { Hours: 0, Minutes: 0 } })),
};
export const NEVER_OPEN: HoursOfOperation = { timeZone: 'UTC', config: [] };
