/**
 * Dynamic values: a parameter that is exactly one JSONPath (`$.Attributes.x`) takes the referenced value;
 * Text and SSML interpolate the references they contain. Lookups go through Object.hasOwn so that a
 * name such as `constructor` never reaches Object.prototype.
 */
import type { FlowContext, FlowState } from './types.js';

export interface Scope {
  readonly state: FlowState;
  readonly context: FlowContext;
}

const SINGLE_PATH = /^\$\.[A-Za-z]+(?:\.[^.\s]+)*$/;
/** The references Connect interpolates inside prompt text; a trailing full stop ends the reference. */
const EMBEDDED_PATH =
  /\$\.(?:(?:Attributes|External|References)(?:\.[\w-]+)+|(?:CustomerEndpoint|SystemEndpoint|Queue)\.[A-Za-z]+|(?:StoredCustomerInput|ContactId|InitialContactId|Channel|InstanceARN|Name|Description)\b)/g;
/** Parameters whose strings are prompt text rather than one value. */
const INTERPOLATED_KEYS: ReadonlySet<string> = new Set(['Text', 'SSML']);

function own(record: unknown, key: string): unknown {
  if (typeof record !== 'object' || record === null || !Object.hasOwn(record, key)) return undefined;
  return (record as Record<string, unknown>)[key];
}

export function isReference(value: unknown): value is string {
  return typeof value === 'string' && SINGLE_PATH.test(value);
}

/** The value a `$.…` path names, or undefined when it names nothing. */
export function resolvePath(path: string, { state, context }: Scope): unknown {
  const [root = '', ...rest] = path.slice(2).split('.');
  const { contact } = context;
  const queue = state.targetQueueId === null ? undefined : context.queue(state.targetQueueId);
  const roots: Record<string, unknown> = {
    Attributes: state.attributes,
    External: state.external,
    StoredCustomerInput: state.storedCustomerInput ?? undefined,
    CustomerEndpoint: { Address: contact.customerAddress, Type: 'TELEPHONE_NUMBER' },
    SystemEndpoint: { Address: contact.systemAddress, Type: 'TELEPHONE_NUMBER' },
    ContactId: contact.contactId,
    InitialContactId: contact.initialContactId,
    Channel: 'VOICE',
    InstanceARN: contact.instanceArn,
    Queue: queue === undefined ? undefined : { Name: queue.name, ARN: queue.arn, QueueId: queue.id },
    Name: contact.name,
    Description: contact.description,
    References: contact.references,
  };
  return rest.reduce<unknown>((value, key) => own(value, key), own(roots, root));
}

/** A resolved value as the flow language sees it: a string, or undefined. */
export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function interpolate(text: string, scope: Scope): string {
  return text.replace(EMBEDDED_PATH, (path) => asText(resolvePath(path, scope)) ?? '');
}

export interface ResolvedParameters {
  readonly values: Readonly<Record<string, unknown>>;
  /** References that named nothing. */
  readonly unresolved: readonly string[];
}

/** Resolves every dynamic value in an action's parameters (nested objects included). */
export function resolveParameters(parameters: Readonly<Record<string, unknown>>, scope: Scope): ResolvedParameters {
  const unresolved: string[] = [];
  const walk = (value: unknown, key: string): unknown => {
    if (typeof value === 'string') {
      if (INTERPOLATED_KEYS.has(key)) return interpolate(value, scope);
      if (!isReference(value)) return value;
      const resolved = resolvePath(value, scope);
      if (resolved === undefined) unresolved.push(value);
      return resolved;
    }
    if (Array.isArray(value)) return value.map((item) => walk(item, key));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    }
    return value;
  };
  return { values: walk(parameters, '') as Record<string, unknown>, unresolved };
}
