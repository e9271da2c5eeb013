/**
 * Turns flow-language content into a CompiledFlow, validating it as CreateContactFlow does for a
 * PUBLISHED flow. Every fault is collected (not just the first) and named by action Identifier, with the
 * fix where one is obvious.
 */
import { isKnownActionType, KNOWN_ACTION_TYPES } from './action-types.js';
import { specFor } from './actions/registry.js';
import { FlowValidationError } from './errors.js';
import { OPERATORS } from './model.js';
import type { CompiledFlow, FlowAction, FlowCondition, FlowErrorTransition, Operator } from './model.js';

export const FLOW_LANGUAGE_VERSION = '2019-10-30';
export const MAX_ACTIONS = 250;
const MAX_IDENTIFIER_LENGTH = 50;
const FORBIDDEN_IDENTIFIER_CHARS = /[%:()\\/=$,;[\]{}]/;
/** Names the live docs forbid because they collide with JavaScript object internals. */
const PROTOTYPE_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function compileFlow(content: string): CompiledFlow {
  let document: unknown;
  try {
    document = JSON.parse(content);
  } catch (error) {
    throw new FlowValidationError([{ message: `Content is not valid JSON: ${(error as Error).message}` }]);
  }
  if (!isObject(document)) throw new FlowValidationError([{ message: 'Content must be a flow-language JSON object.' }]);

  const problems: string[] = [];
  if (document.Version !== FLOW_LANGUAGE_VERSION) {
    problems.push(`Version must be "${FLOW_LANGUAGE_VERSION}", got ${JSON.stringify(document.Version)}.`);
  }
  if (!Array.isArray(document.Actions)) {
    problems.push('Actions must be an array of actions.');
    throw new FlowValidationError(problems.map((message) => ({ message })));
  }
  if (document.Actions.length > MAX_ACTIONS) {
    problems.push(`A flow holds at most ${MAX_ACTIONS} actions; this one has ${document.Actions.length}.`);
  }

  const actions = new Map<string, FlowAction>();
  document.Actions.forEach((raw: unknown, index) => {
    const action = parseAction(raw, index, problems);
    if (action === undefined) return;
    if (actions.has(action.id)) problems.push(`Action "${action.id}": the Identifier is used by more than one action; make it unique.`);
    else actions.set(action.id, action);
  });

  const start = document.StartAction;
  if (typeof start !== 'string' || !actions.has(start)) {
    problems.push(`StartAction ${JSON.stringify(start)} does not name an action of the flow.${suggest(start, actions)}`);
  }
  for (const action of actions.values()) checkAction(action, actions, problems);

  if (problems.length > 0) throw new FlowValidationError(problems.map((message) => ({ message })));
  return { startAction: start as string, actions };
}

function parseAction(raw: unknown, index: number, problems: string[]): FlowAction | undefined {
  if (!isObject(raw)) {
    problems.push(`Actions[${index}] must be an object with Identifier, Type, Parameters and Transitions.`);
    return undefined;
  }
  const id = raw.Identifier;
  if (typeof id !== 'string' || id === '') {
    problems.push(`Actions[${index}] needs a non-empty string Identifier.`);
    return undefined;
  }
  const where = `Action "${id}"`;
  if ([...id].length > MAX_IDENTIFIER_LENGTH) problems.push(`${where}: the Identifier is longer than ${MAX_IDENTIFIER_LENGTH} characters.`);
  if (FORBIDDEN_IDENTIFIER_CHARS.test(id)) problems.push(`${where}: the Identifier may not contain any of % : ( \\ / ) = $ , ; [ ] { }.`);
  if (PROTOTYPE_NAMES.has(id)) problems.push(`${where}: the Identifier is a reserved JavaScript name; choose another.`);

  const type = raw.Type;
  if (typeof type !== 'string' || !isKnownActionType(type)) {
    problems.push(`${where}: unknown Type ${JSON.stringify(type)}.${suggestType(type)}`);
    return undefined;
  }
  const parameters = raw.Parameters ?? {};
  if (!isObject(parameters)) {
    problems.push(`${where}: Parameters must be an object (use {} when there are none).`);
    return undefined;
  }
  const transitions = raw.Transitions ?? {};
  if (!isObject(transitions)) {
    problems.push(`${where}: Transitions must be an object (use {} for a terminal action).`);
    return undefined;
  }
  const next = transitions.NextAction;
  if (next !== undefined && typeof next !== 'string') problems.push(`${where}: Transitions.NextAction must be a string.`);
  return {
    id,
    type,
    parameters,
    next: typeof next === 'string' ? next : undefined,
    conditions: parseConditions(transitions.Conditions, where, problems),
    errors: parseErrors(transitions.Errors, where, problems),
  };
}

function parseConditions(raw: unknown, where: string, problems: string[]): FlowCondition[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.push(`${where}: Transitions.Conditions must be an array.`);
    return [];
  }
  const conditions: FlowCondition[] = [];
  raw.forEach((entry: unknown, i) => {
    const condition = isObject(entry) ? entry.Condition : undefined;
    const operator = isObject(condition) ? condition.Operator : undefined;
    const operands = isObject(condition) ? condition.Operands : undefined;
    if (!isObject(entry) || typeof entry.NextAction !== 'string') {
      problems.push(`${where}: Conditions[${i}] needs a NextAction.`);
    } else if (typeof operator !== 'string' || !(OPERATORS as readonly string[]).includes(operator)) {
      problems.push(`${where}: Conditions[${i}] has operator ${JSON.stringify(operator)}; use one of ${OPERATORS.join(', ')}.`);
    } else if (!Array.isArray(operands) || operands.length === 0 || !operands.every((o) => ['string', 'number', 'boolean'].includes(typeof o))) {
      problems.push(`${where}: Conditions[${i}] needs Operands, a non-empty array of values.`);
    } else {
      conditions.push({ operator: operator as Operator, operands: operands.map(String), next: entry.NextAction });
    }
  });
  return conditions;
}

function parseErrors(raw: unknown, where: string, problems: string[]): FlowErrorTransition[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.push(`${where}: Transitions.Errors must be an array.`);
    return [];
  }
  const errors: FlowErrorTransition[] = [];
  raw.forEach((entry: unknown, i) => {
    if (!isObject(entry) || typeof entry.ErrorType !== 'string' || typeof entry.NextAction !== 'string') {
      problems.push(`${where}: Errors[${i}] needs an ErrorType and a NextAction.`);
    } else {
      errors.push({ errorType: entry.ErrorType, next: entry.NextAction });
    }
  });
  return errors;
}

function checkAction(action: FlowAction, actions: ReadonlyMap<string, FlowAction>, problems: string[]): void {
  const where = `Action "${action.id}" (${action.type})`;
  const spec = specFor(action.type);
  const targets = [
    ...(action.next === undefined ? [] : [['NextAction', action.next]]),
    ...action.conditions.map((c, i) => [`Conditions[${i}]`, c.next]),
    ...action.errors.map((e) => [`error ${e.errorType}`, e.next]),
  ];
  for (const [label, target] of targets) {
    if (!actions.has(target!)) problems.push(`${where}: ${label} goes to "${target}", which is not an action of the flow.${suggest(target, actions)}`);
  }
  if (spec.terminal === true && targets.length > 0) {
    problems.push(`${where}: a terminal action must have empty Transitions ({}).`);
  }

  const conditions = spec.conditions;
  if (conditions === undefined && action.conditions.length > 0) {
    problems.push(`${where}: this action takes no Conditions; remove them.`);
  } else if (conditions !== undefined && conditions !== 'any') {
    action.conditions.forEach((c, i) => {
      if (!conditions.operators.includes(c.operator)) {
        problems.push(`${where}: Conditions[${i}] uses ${c.operator}; this action allows ${conditions.operators.join(', ')}.`);
      } else if (conditions.operands !== undefined && !c.operands.every((o) => conditions.operands!.test(o))) {
        problems.push(`${where}: Conditions[${i}] has operand ${JSON.stringify(c.operands)}, which this action never produces (${conditions.operands.source}).`);
      }
    });
  }
  const allowed = spec.errors;
  for (const e of action.errors) {
    if (allowed !== undefined && !allowed.includes(e.errorType)) {
      problems.push(`${where}: error type ${e.errorType} is not raised by this action; it allows ${allowed.length > 0 ? allowed.join(', ') : 'none'}.`);
    }
  }
  for (const required of spec.requiredErrors ?? []) {
    if (!action.errors.some((e) => e.errorType === required)) problems.push(`${where}: add an Errors entry for ${required}, which is required.`);
  }
  for (const fault of spec.check?.(action) ?? []) problems.push(`${where}: ${fault}`);
}

function suggest(target: unknown, actions: ReadonlyMap<string, FlowAction>): string {
  if (typeof target !== 'string') return '';
  const lower = target.toLowerCase();
  const match = [...actions.keys()].find((id) => id.toLowerCase() === lower || id.trim() === target.trim());
  return match === undefined ? '' : ` Did you mean "${match}"?`;
}

function suggestType(type: unknown): string {
  if (typeof type !== 'string') return ' Every action needs a Type.';
  const lower = type.toLowerCase();
  const match = KNOWN_ACTION_TYPES.find((known) => known.toLowerCase() === lower);
  if (match !== undefined) return ` Did you mean "${match}"?`;
  return ' The legacy console export format (PlayPrompt, branches) is not the flow language; export the flow again or write it in the flow language.';
}
