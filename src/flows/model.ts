/** A flow after compileFlow: validated, with its actions in a Map keyed by Identifier. */
import type { ActionType } from './action-types.js';

export const OPERATORS = [
  'Equals',
  'TextStartsWith',
  'TextEndsWith',
  'TextContains',
  'NumberGreaterThan',
  'NumberGreaterOrEqualTo',
  'NumberLessThan',
  'NumberLessOrEqualTo',
] as const;

export type Operator = (typeof OPERATORS)[number];

export interface FlowCondition {
  readonly operator: Operator;
  readonly operands: readonly string[];
  readonly next: string;
}

export interface FlowErrorTransition {
  readonly errorType: string;
  readonly next: string;
}

export interface FlowAction {
  readonly id: string;
  readonly type: ActionType;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly next: string | undefined;
  readonly conditions: readonly FlowCondition[];
  readonly errors: readonly FlowErrorTransition[];
}

export interface CompiledFlow {
  readonly startAction: string;
  /** A Map, not an object: identifiers such as `constructor` must not meet Object.prototype. */
  readonly actions: ReadonlyMap<string, FlowAction>;
}

/** Rules compileFlow checks for one action Type (the interpreter's handlers carry them). */
export interface ActionSpec {
  /** Terminal actions must have `Transitions: {}`. */
  readonly terminal?: boolean;
  /** Error types allowed in Transitions.Errors; undefined allows any (types we only import). */
  readonly errors?: readonly string[];
  /** Error types that must be present. */
  readonly requiredErrors?: readonly string[];
  /** Conditions allowed: none when undefined; `any` for types we only import. */
  readonly conditions?: 'any' | { readonly operators: readonly Operator[]; readonly operands?: RegExp };
  /** Parameter (and cross-field) faults, as sentences without the action's name. */
  check?(action: FlowAction): string[];
  /**
   * Whether a JSONPath that resolves to nothing is tolerated at run time. When false (the default) such
   * a reference sends the action to its error branch, as Connect does when it cannot resolve a value.
   */
  readonly lenientReferences?: boolean;
}
