/**
 * Input validation against the Connect model's constraint traits, reported the way AWS's Coral front end
 * reports them: every violation in one message, e.g.
 * `1 validation error detected: Value '5' at 'ringTimeoutInSeconds' failed to satisfy constraint: Member must
 * have value greater than or equal to 15`.
 *
 * Runs on every request, so the walk allocates nothing for a valid input beyond one small context object:
 * paths are kept as a segment stack and only joined into strings when a violation is reported.
 */
import { InvalidParameterException, InvalidRequestException } from '../errors.js';
import { shapes } from './shapes.generated.js';
import type { OperationModel, ShapeModel } from './types.js';

type ShapeTable = Readonly<Record<string, ShapeModel>>;
type Shape<T extends ShapeModel['type']> = Extract<ShapeModel, { readonly type: T }>;
type StringShape = Shape<'string'>;
type NumberShape = Shape<'integer' | 'long' | 'float' | 'double'>;
type StructureShape = Shape<'structure'>;

/** A structure member with what the walk needs resolved up front. */
interface MemberPlan {
  readonly name: string;
  /** The member name with its first letter lower-cased, as Coral names it in paths. */
  readonly segment: string;
  readonly target: ShapeModel;
  readonly required: boolean;
}

/** State of one validateInput call. */
interface Walk {
  readonly table: ShapeTable;
  /** From the root to the value being checked: member segments and map keys, or 1-based list positions. */
  readonly path: (string | number)[];
  /** Set while a map key is checked, so its violations read "Map keys must satisfy constraint". */
  inMapKey: boolean;
  violations: string[] | undefined;
}

/**
 * Checks `input` against the operation's input structure and throws one validation exception (see
 * {@link validationException}) listing every violation. `input` is keyed by member name, with URI labels,
 * query strings and headers already merged in and parsed to their modeled types. Members the model does not
 * define are ignored, as restJson1 servers do: the returned copy holds only modeled members, at every
 * depth, so nothing unmodeled is stored or echoed. `table` exists so tests can validate against ad-hoc shapes.
 */
export function validateInput(
  operation: OperationModel,
  input: Record<string, unknown>,
  table: ShapeTable = shapes,
): Record<string, unknown> {
  const walk: Walk = { table, path: [], inMapKey: false, violations: undefined };
  checkValue(walk, shapeNamed(table, operation.input), input);
  if (walk.violations !== undefined) {
    const count = walk.violations.length;
    const message = `${count} validation error${count === 1 ? '' : 's'} detected: ${walk.violations.join('; ')}`;
    throw validationException(operation, message);
  }
  return modeledOnly(table, shapeNamed(table, operation.input), input) as Record<string, unknown>;
}

/** A copy of a valid `value` without the members its shape does not define. */
function modeledOnly(table: ShapeTable, shape: ShapeModel, value: unknown): unknown {
  switch (shape.type) {
    case 'structure': {
      const copy: Record<string, unknown> = {};
      for (const member of planOf(table, shape)) {
        const memberValue = (value as Record<string, unknown>)[member.name];
        if (memberValue !== undefined && memberValue !== null) copy[member.name] = modeledOnly(table, member.target, memberValue);
      }
      return copy;
    }
    case 'list': {
      const member = shapeNamed(table, shape.member);
      return (value as unknown[]).map((item) => modeledOnly(table, member, item));
    }
    case 'map': {
      const entry = shapeNamed(table, shape.value);
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, modeledOnly(table, entry, v)]));
    }
    default:
      return value;
  }
}

/** The exception an operation answers invalid input with: InvalidParameterException if it models one. */
export function validationException(
  operation: OperationModel,
  message: string,
): InvalidParameterException | InvalidRequestException {
  return operation.errors.includes('InvalidParameterException')
    ? new InvalidParameterException(message)
    : new InvalidRequestException(message);
}

function shapeNamed(table: ShapeTable, name: string): ShapeModel {
  const shape = table[name];
  if (shape === undefined) throw new Error(`shape ${name} is not in the model`);
  return shape;
}

// ---- the walk ------------------------------------------------------------------------------------

function checkValue(walk: Walk, shape: ShapeModel, value: unknown): void {
  switch (shape.type) {
    case 'string':
      if (typeof value !== 'string') return typeViolation(walk, shape, value);
      return checkString(walk, shape, value);
    case 'integer':
    case 'long':
      if (!Number.isInteger(value)) return typeViolation(walk, shape, value);
      return checkRange(walk, shape, value as number);
    case 'float':
    case 'double':
      if (typeof value !== 'number') return typeViolation(walk, shape, value);
      return checkRange(walk, shape, value);
    case 'boolean':
      if (typeof value !== 'boolean') return typeViolation(walk, shape, value);
      return;
    case 'timestamp':
      // restJson1 bodies carry timestamps as epoch seconds.
      if (typeof value !== 'number' || !Number.isFinite(value)) return typeViolation(walk, shape, value);
      return;
    case 'list':
      if (!Array.isArray(value)) return typeViolation(walk, shape, value);
      return checkList(walk, shape, value);
    case 'map':
      if (!isObject(value)) return typeViolation(walk, shape, value);
      return checkMap(walk, shape, value);
    case 'structure':
      if (!isObject(value)) return typeViolation(walk, shape, value);
      return checkStructure(walk, shape, value);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkStructure(walk: Walk, shape: StructureShape, value: Record<string, unknown>): void {
  let set = 0;
  for (const member of planOf(walk.table, shape)) {
    const memberValue = value[member.name];
    // JSON null is how clients spell an absent optional member.
    if (memberValue === undefined || memberValue === null) {
      if (member.required) {
        walk.path.push(member.segment);
        violation(walk, member.target, null, 'Member must not be null');
        walk.path.pop();
      }
      continue;
    }
    set++;
    walk.path.push(member.segment);
    checkValue(walk, member.target, memberValue);
    walk.path.pop();
  }
  if (shape.union === true && set !== 1) violation(walk, shape, value, 'Member must have exactly one member set');
}

function checkList(walk: Walk, shape: Shape<'list'>, value: readonly unknown[]): void {
  checkSize(walk, shape, value, value.length);
  const member = shapeNamed(walk.table, shape.member);
  for (let i = 0; i < value.length; i++) {
    walk.path.push(i + 1);
    checkElement(walk, member, value[i]);
    walk.path.pop();
  }
}

function checkMap(walk: Walk, shape: Shape<'map'>, value: Record<string, unknown>): void {
  if (shape.min !== undefined || shape.max !== undefined) checkSize(walk, shape, value, countKeys(value));
  const keyShape = shapeNamed(walk.table, shape.key);
  const valueShape = shapeNamed(walk.table, shape.value);
  // A map key names the entry in paths; a sensitive one must not appear there either.
  const hideKeys = isSensitive(walk.table, keyShape);
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    walk.inMapKey = true;
    checkValue(walk, keyShape, key);
    walk.inMapKey = false;
    walk.path.push(hideKeys ? '***' : key);
    checkElement(walk, valueShape, value[key]);
    walk.path.pop();
  }
}

/** List elements and map values: collections are not sparse, so null is a violation, not an absence. */
function checkElement(walk: Walk, shape: ShapeModel, value: unknown): void {
  if (value === null || value === undefined) violation(walk, shape, null, 'Member must not be null');
  else checkValue(walk, shape, value);
}

function countKeys(value: Record<string, unknown>): number {
  let count = 0;
  for (const key in value) if (Object.hasOwn(value, key)) count++;
  return count;
}

function checkSize(walk: Walk, shape: Shape<'list' | 'map'>, value: unknown, size: number): void {
  if (shape.min !== undefined && size < shape.min) {
    violation(walk, shape, value, `Member must have length greater than or equal to ${shape.min}`);
  }
  if (shape.max !== undefined && size > shape.max) {
    violation(walk, shape, value, `Member must have length less than or equal to ${shape.max}`);
  }
}

function checkRange(walk: Walk, shape: NumberShape, value: number): void {
  if (shape.min !== undefined && value < shape.min) {
    violation(walk, shape, value, `Member must have value greater than or equal to ${shape.min}`);
  }
  if (shape.max !== undefined && value > shape.max) {
    violation(walk, shape, value, `Member must have value less than or equal to ${shape.max}`);
  }
}

function checkString(walk: Walk, shape: StringShape, value: string): void {
  const tooLong = checkLength(walk, shape, value);
  // An over-long value is rejected already; not matching it keeps backtracking patterns (DirectoryAlias's is
  // quadratic: about a second for 20k characters) bounded by the model's maximum length.
  if (shape.pattern !== undefined && !tooLong && !regExpFor(shape.pattern).test(value)) {
    violation(walk, shape, value, `Member must satisfy regular expression pattern: ${shape.pattern}`);
  }
  if (shape.enum !== undefined && !enumSetOf(shape, shape.enum).has(value)) {
    violation(walk, shape, value, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
  }
}

/**
 * Length constraints count Unicode code points, as Smithy defines them, not UTF-16 units.
 * Returns whether the value is longer than its maximum.
 */
function checkLength(walk: Walk, shape: StringShape, value: string): boolean {
  const { min, max } = shape;
  // The UTF-16 length bounds the code point count from above and (halved) from below,
  // so counting is only needed when the UTF-16 length alone cannot settle a bound.
  const mustCount = (max !== undefined && value.length > max) || (min !== undefined && value.length < 2 * min);
  const length = mustCount ? codePointLength(value) : value.length;
  if (min !== undefined && length < min) {
    violation(walk, shape, value, `Member must have length greater than or equal to ${min}`);
  }
  if (max !== undefined && length > max) {
    violation(walk, shape, value, `Member must have length less than or equal to ${max}`);
    return true;
  }
  return false;
}

function codePointLength(value: string): number {
  let length = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--;
        i++;
      }
    }
  }
  return length;
}

function typeViolation(walk: Walk, shape: ShapeModel, value: unknown): void {
  violation(walk, shape, value, `Member must be of type ${shape.type}`);
}

// ---- reporting -----------------------------------------------------------------------------------

function violation(walk: Walk, shape: ShapeModel, value: unknown, constraint: string): void {
  const shown = value !== null && isSensitive(walk.table, shape) ? "'***'" : render(value);
  const text = walk.inMapKey
    ? `Value ${shown} at '${pathText(walk.path)}' failed to satisfy constraint: Map keys must satisfy constraint: [${constraint}]`
    : `Value ${shown} at '${pathText(walk.path)}' failed to satisfy constraint: ${constraint}`;
  (walk.violations ??= []).push(text);
}

/** Longest rendering of a rejected value in a message: the message must not grow with the input. */
const MAX_RENDERED = 100;

/** Coral's rendering: `null` bare, everything else quoted, long values cut short. */
function render(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    // Nested too deep to stringify: the value is wrong anyway, its type says enough.
    text = Array.isArray(value) ? '[…]' : '{…}';
  }
  return `'${text.length > MAX_RENDERED ? `${text.slice(0, MAX_RENDERED)}…` : text}'`;
}

/** Coral's path syntax: `a.b` for members and map entries, `a.2.member` for the second list element. */
function pathText(path: readonly (string | number)[]): string {
  return path.map((segment) => (typeof segment === 'number' ? `${segment}.member` : segment)).join('.');
}

// ---- caches --------------------------------------------------------------------------------------

const plans = new WeakMap<StructureShape, readonly MemberPlan[]>();
const regExps = new Map<string, RegExp>();
const enumSets = new WeakMap<StringShape, ReadonlySet<string>>();
const sensitivity = new WeakMap<ShapeModel, boolean>();

function planOf(table: ShapeTable, shape: StructureShape): readonly MemberPlan[] {
  let plan = plans.get(shape);
  if (plan === undefined) {
    const required = new Set(shape.required);
    plan = Object.entries(shape.members).map(([name, member]) => ({
      name,
      segment: name.charAt(0).toLowerCase() + name.slice(1),
      target: shapeNamed(table, member.target),
      required: required.has(name),
    }));
    plans.set(shape, plan);
  }
  return plan;
}

/** Smithy patterns are not implicitly anchored, so `test` (a search) is the right check; `u` for `\p{…}`. */
function regExpFor(pattern: string): RegExp {
  let regExp = regExps.get(pattern);
  if (regExp === undefined) {
    regExp = new RegExp(pattern, 'u');
    regExps.set(pattern, regExp);
  }
  return regExp;
}

function enumSetOf(shape: StringShape, values: readonly string[]): ReadonlySet<string> {
  let set = enumSets.get(shape);
  if (set === undefined) {
    set = new Set(values);
    enumSets.set(shape, set);
  }
  return set;
}

/** Whether a value of this shape could contain a sensitive string, which must then never be echoed. */
function isSensitive(table: ShapeTable, shape: ShapeModel): boolean {
  let known = sensitivity.get(shape);
  if (known === undefined) {
    known = reachesSensitive(table, shape, new Set());
    sensitivity.set(shape, known);
  }
  return known;
}

/** Depth-first over the shapes a value can contain; `seen` makes recursive shapes terminate. */
function reachesSensitive(table: ShapeTable, shape: ShapeModel, seen: Set<ShapeModel>): boolean {
  if (seen.has(shape)) return false;
  seen.add(shape);
  const reaches = (name: string): boolean => reachesSensitive(table, shapeNamed(table, name), seen);
  switch (shape.type) {
    case 'string':
      return shape.sensitive === true;
    case 'list':
      return reaches(shape.member);
    case 'map':
      return reaches(shape.key) || reaches(shape.value);
    case 'structure':
      return Object.values(shape.members).some((member) => reaches(member.target));
    default:
      return false;
  }
}
