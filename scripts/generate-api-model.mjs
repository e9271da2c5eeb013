#!/usr/bin/env node
// Generates, from the botocore Amazon Connect model, the two files that pin outdial to it:
//   src/api/model/shapes.generated.ts   operations and every shape reachable from their inputs
//   test/fixtures/connect-model.json    the raw model facts the drift test compares the above against
//
// Usage: node scripts/generate-api-model.mjs [path/to/connect-service-2.json]
// The default path is ../shared/reference/connect-service-2.json, relative to the repository root.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_MODEL = '../shared/reference/connect-service-2.json';
const SHAPES_OUT = 'src/api/model/shapes.generated.ts';
const FIXTURE_OUT = 'test/fixtures/connect-model.json';

/** The operations outdial serves, in the order the generated files list them. */
const OPERATIONS = [
  'StartOutboundVoiceContact',
  'DescribeContact',
  'StopContact',
  'GetContactAttributes',
  'UpdateContactAttributes',
  'SearchContacts',
  'CreateInstance',
  'DescribeInstance',
  'ListInstances',
  'UpdateInstanceAttribute',
  'CreateHoursOfOperation',
  'ClaimPhoneNumber',
  'ListPhoneNumbers',
  'ListPhoneNumbersV2',
  'CreateContactFlow',
  'DescribeContactFlow',
  'UpdateContactFlowContent',
  'ListContactFlows',
  'CreateQueue',
  'DescribeQueue',
  'ListQueues',
  'CreateRoutingProfile',
  'DescribeRoutingProfile',
  'ListRoutingProfiles',
  'CreateUser',
  'DescribeUser',
  'ListUsers',
  'DeleteUser',
  'UpdateUserRoutingProfile',
  'ListAgentStatuses',
  'PutUserStatus',
  'GetCurrentUserData',
  'GetCurrentMetricData',
];

/**
 * Model patterns that cannot be used as written, keyed by shape name. `model` must equal the model's text
 * exactly, so a model that fixes (or changes) the pattern makes generation fail instead of silently
 * keeping a stale correction.
 */
const PATTERN_CORRECTIONS = {
  // Double-escaped: `\\+` literally means "one or more backslashes", so no phone number would ever match.
  // The leading `^` is added because Smithy patterns are unanchored and E.164 is a whole-string format.
  PhoneNumber: { model: '\\\\+[1-9]\\\\d{1,14}$', corrected: '^\\+[1-9]\\d{1,14}$' },
  // Double-escaped the same way. Only the escaping is fixed: left unanchored, as the model has it, so
  // outdial accepts every prefix Connect accepts (any value containing a digit).
  PhoneNumberPrefix: { model: '\\\\+?[0-9]{1,11}', corrected: '\\+?[0-9]{1,11}' },
  // Written as a JS regex literal: the `/` delimiters are taken as characters, and `/` before `^` can
  // never match, so no password would pass. The delimiters are dropped; the rule itself (8 to 64
  // non-space characters with a lower-case letter, an upper-case letter and a digit) is the model's.
  Password: {
    model: '/^(?=.*[a-z])(?=.*[A-Z])(?=.*\\d)[a-zA-Z\\d\\S]{8,64}$/',
    corrected: '^(?=.*[a-z])(?=.*[A-Z])(?=.*\\d)[a-zA-Z\\d\\S]{8,64}$',
  },
};

const LOCATIONS = new Set(['uri', 'querystring', 'header']);
const LINE_WIDTH = 110;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;


function main() {
  const modelPath = resolve(ROOT, process.argv[2] ?? DEFAULT_MODEL);
  const model = JSON.parse(readFileSync(modelPath, 'utf8'));
  const names = reachableShapes(model);
  const inputs = new Set(OPERATIONS.map((op) => operationOf(model, op).input.shape));
  const shapes = Object.fromEntries(names.map((name) => [name, convertShape(model, name, inputs.has(name))]));
  checkPatterns(model, names);
  const operations = Object.fromEntries(OPERATIONS.map((name) => [name, convertOperation(model, name)]));

  write(SHAPES_OUT, renderTs(model, operations, shapes));
  write(FIXTURE_OUT, `${JSON.stringify(fixture(model), null, 2)}\n`);
  for (const [name, { model: raw, corrected }] of Object.entries(PATTERN_CORRECTIONS)) {
    console.log(`pattern correction ${name}: ${raw}  ->  ${corrected}`);
  }
  console.log(`wrote ${SHAPES_OUT} (${OPERATIONS.length} operations, ${names.length} shapes) and ${FIXTURE_OUT}`);
}

function write(path, text) {
  mkdirSync(dirname(join(ROOT, path)), { recursive: true });
  writeFileSync(join(ROOT, path), text);
}

function operationOf(model, name) {
  const op = model.operations[name];
  if (!op) throw new Error(`operation ${name} is not in the model`);
  return op;
}

function shapeOf(model, name) {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`shape ${name} is not in the model`);
  return shape;
}

/** Names of every shape reachable from the served operations' inputs, sorted so output is stable. */
function reachableShapes(model) {
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const shape = shapeOf(model, name);
    for (const ref of [shape.member, shape.key, shape.value]) if (ref) visit(ref.shape);
    for (const member of Object.values(shape.members ?? {})) visit(member.shape);
  };
  for (const op of OPERATIONS) visit(operationOf(model, op).input.shape);
  return [...seen].sort();
}

// ---- shapes.generated.ts ------------------------------------------------------------------------

function convertOperation(model, name) {
  const op = operationOf(model, name);
  return {
    name,
    http: {
      method: op.http.method,
      // Query literals after `?` (e.g. `/x?y`) only select the operation; routing uses the path.
      requestUri: op.http.requestUri.split('?')[0],
      responseCode: op.http.responseCode ?? 200,
    },
    input: op.input.shape,
    errors: (op.errors ?? []).map((e) => e.shape),
  };
}

/** One shape in ShapeModel form (see src/api/model/types.ts), keys in a fixed order. */
function convertShape(model, name, isInput) {
  const raw = shapeOf(model, name);
  switch (raw.type) {
    case 'string':
      return defined({
        type: 'string',
        min: raw.min,
        max: raw.max,
        pattern: raw.pattern === undefined ? undefined : correctedPattern(name, raw.pattern),
        enum: raw.enum,
        sensitive: raw.sensitive,
      });
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return defined({ type: raw.type, min: raw.min, max: raw.max });
    case 'boolean':
    case 'timestamp':
      return { type: raw.type };
    case 'list':
      return defined({ type: 'list', member: raw.member.shape, min: raw.min, max: raw.max });
    case 'map':
      return defined({ type: 'map', key: raw.key.shape, value: raw.value.shape, min: raw.min, max: raw.max });
    case 'structure':
      return convertStructure(name, raw, isInput);
    default:
      throw new Error(`shape ${name}: type ${raw.type} is not supported by ShapeModel`);
  }
}

function convertStructure(name, raw, isInput) {
  const members = {};
  for (const [memberName, member] of Object.entries(raw.members)) {
    members[memberName] = convertMember(name, memberName, member, isInput);
  }
  return defined({
    type: 'structure',
    members,
    required: raw.required?.length ? raw.required : undefined,
    union: raw.union || undefined,
  });
}

// Top-level input members always get an explicit binding, so the protocol layer need not default it.
function convertMember(shapeName, memberName, member, isInput) {
  if (member.location !== undefined && !LOCATIONS.has(member.location)) {
    throw new Error(`${shapeName}.${memberName}: location ${member.location} is not supported`);
  }
  if (member.locationName !== undefined && member.location === undefined) {
    // A renamed JSON body key; the validator and protocol layer key body members by member name.
    throw new Error(`${shapeName}.${memberName}: body member renamed to ${member.locationName} is not supported`);
  }
  return defined({
    target: member.shape,
    location: member.location ?? (isInput ? 'body' : undefined),
    locationName: member.locationName !== memberName ? member.locationName : undefined,
    idempotencyToken: member.idempotencyToken,
  });
}

function correctedPattern(shapeName, pattern) {
  const correction = PATTERN_CORRECTIONS[shapeName];
  if (!correction) return pattern;
  if (correction.model !== pattern) {
    throw new Error(`pattern correction for ${shapeName} expects ${correction.model}, the model has ${pattern}`);
  }
  return correction.corrected;
}

/**
 * Fails generation on a reachable pattern that does not compile as a JS RegExp with the `u` flag, looks
 * double-escaped (two backslashes in a row), or has a correction that no longer applies.
 */
function checkPatterns(model, names) {
  const problems = [];
  for (const name of names) {
    const raw = shapeOf(model, name).pattern;
    if (raw === undefined) continue;
    const pattern = correctedPattern(name, raw);
    if (pattern === raw && raw.includes('\\\\')) problems.push(`${name}: ${raw} looks double-escaped`);
    if (pattern === raw && /^\/.*\/[a-z]*$/.test(raw)) problems.push(`${name}: ${raw} is wrapped in regex-literal slashes`);
    try {
      new RegExp(pattern, 'u');
    } catch (error) {
      problems.push(`${name}: ${pattern} does not compile with the u flag (${error.message})`);
    }
  }
  for (const name of Object.keys(PATTERN_CORRECTIONS)) {
    if (!names.includes(name)) problems.push(`${name}: corrected but not reachable from any served input`);
  }
  if (problems.length > 0) {
    throw new Error(`patterns need a correction in PATTERN_CORRECTIONS:\n  ${problems.join('\n  ')}`);
  }
}

function renderTs(model, operations, shapes) {
  const corrections = Object.fromEntries(Object.keys(PATTERN_CORRECTIONS).sort().map((k) => [k, PATTERN_CORRECTIONS[k]]));
  return `${[
    `// GENERATED by \`node scripts/generate-api-model.mjs\` from the botocore model ${model.metadata.uid}`,
    '// (connect-service-2.json). Do not edit by hand: change the generator and run it again.',
    "import type { OperationModel, ShapeModel } from './types.js';",
    '',
    '/** Model patterns outdial validates differently: as the model writes them, and as corrected. */',
    'export const patternCorrections: Readonly<Record<string, { readonly model: string; readonly corrected: string }>> = ' +
      `${format(corrections, 0)};`,
    '',
    '/** The operations outdial serves, keyed by operation name. */',
    `export const operations = ${format(operations, 0)} satisfies Record<string, OperationModel>;`,
    '',
    'export type OperationName = keyof typeof operations;',
    '',
    '/** Every shape reachable from the operations\u2019 input structures, keyed by shape name. */',
    `export const shapes: Readonly<Record<string, ShapeModel>> = ${format(shapes, 0)};`,
  ].join('\n')}\n`;
}

/** Formats a value as a TS literal: inline when it fits the line, otherwise one entry per line. */
function format(value, indent) {
  const inline = formatInline(value);
  if (indent * 2 + inline.length <= LINE_WIDTH || value === null || typeof value !== 'object') return inline;
  const pad = '  '.repeat(indent + 1);
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object')) return `[\n${wrap(value.map(formatInline), pad)}\n${'  '.repeat(indent)}]`;
    return `[\n${value.map((v) => `${pad}${format(v, indent + 1)},`).join('\n')}\n${'  '.repeat(indent)}]`;
  }
  const lines = Object.entries(value).map(([k, v]) => `${pad}${formatKey(k)}: ${format(v, indent + 1)},`);
  return `{\n${lines.join('\n')}\n${'  '.repeat(indent)}}`;
}

function formatInline(value) {
  if (Array.isArray(value)) return `[${value.map(formatInline).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{ ${Object.entries(value).map(([k, v]) => `${formatKey(k)}: ${formatInline(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}

function formatKey(key) {
  return IDENTIFIER.test(key) ? key : JSON.stringify(key);
}

/** Fills lines up to LINE_WIDTH with the given items (long enums would otherwise take a line each). */
function wrap(items, pad) {
  const lines = [];
  let line = pad;
  for (const item of items) {
    if (line.length + item.length + 2 > LINE_WIDTH && line !== pad) {
      lines.push(line.trimEnd());
      line = pad;
    }
    line += `${item}, `;
  }
  lines.push(line.trimEnd());
  return lines.join('\n');
}

// ---- connect-model.json -------------------------------------------------------------------------

/** The raw model facts, per operation, that test/unit/api/model-drift.test.ts holds the generated file to. */
function fixture(model) {
  const operations = {};
  for (const name of OPERATIONS) {
    const op = operationOf(model, name);
    operations[name] = {
      method: op.http.method,
      requestUri: op.http.requestUri.split('?')[0],
      responseCode: op.http.responseCode ?? 200,
      input: op.input.shape,
      errors: (op.errors ?? []).map((e) => errorFacts(model, e.shape)),
      members: inputMemberFacts(model, op.input.shape),
    };
  }
  return { _source: `botocore ${model.metadata.uid} (connect-service-2.json)`, operations };
}

function errorFacts(model, name) {
  const shape = shapeOf(model, name);
  const httpStatusCode = shape.error?.httpStatusCode;
  if (!shape.exception || httpStatusCode === undefined) throw new Error(`error ${name} is not an exception shape`);
  // botocore's Connect model carries no `fault` flag at all (Smithy's @error("server") is lost in the
  // conversion), so a 5xx status also counts as a server fault, which agrees with @aws-sdk/client-connect.
  const fault = shape.fault || httpStatusCode >= 500 ? 'server' : 'client';
  return { shape: name, httpStatusCode, fault };
}

/** Input members, plus the members of structure-typed members one level down as `Parent.Child`. */
function inputMemberFacts(model, inputName) {
  const input = shapeOf(model, inputName);
  const facts = {};
  for (const [name, member] of Object.entries(input.members)) {
    facts[name] = memberFacts(model, input, name, member, member.location ?? 'body');
    const target = shapeOf(model, member.shape);
    if (target.type !== 'structure') continue;
    for (const [childName, child] of Object.entries(target.members)) {
      facts[`${name}.${childName}`] = memberFacts(model, target, childName, child, child.location);
    }
  }
  return facts;
}

function memberFacts(model, parent, name, member, location) {
  const target = shapeOf(model, member.shape);
  return defined({
    shape: member.shape,
    type: target.type,
    required: (parent.required ?? []).includes(name),
    location,
    locationName: member.locationName,
    idempotencyToken: member.idempotencyToken,
    min: target.min,
    max: target.max,
    pattern: target.pattern,
    enum: target.enum,
    sensitive: target.sensitive,
  });
}

/** Drops undefined properties so absent model traits stay absent in the output. */
function defined(object) {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

main();
