/**
 * Holds the generated model and the error classes to the facts recorded from the official Connect model
 * (test/fixtures/connect-model.json, written by scripts/generate-api-model.mjs). A hand edit of
 * shapes.generated.ts, a regeneration from a different model, or an error class with the wrong status or
 * fault fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import * as errors from '../../../src/api/errors.js';
import { operations, patternCorrections, shapes } from '../../../src/api/model/shapes.generated.js';
import type { OperationModel, ShapeModel } from '../../../src/api/model/types.js';

interface MemberFacts {
  readonly shape: string;
  readonly type: string;
  readonly required: boolean;
  readonly location?: string;
  readonly locationName?: string;
  readonly idempotencyToken?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly sensitive?: boolean;
}

interface ErrorFacts {
  readonly shape: string;
  readonly httpStatusCode: number;
  readonly fault: errors.Fault;
}

interface OperationFacts {
  readonly method: string;
  readonly requestUri: string;
  readonly responseCode: number;
  readonly input: string;
  readonly errors: readonly ErrorFacts[];
  /** Input members, and members of structure-typed members as `Parent.Child`. */
  readonly members: Readonly<Record<string, MemberFacts>>;
}

type StructureShape = Extract<ShapeModel, { readonly type: 'structure' }>;

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/connect-model.json', import.meta.url), 'utf8'),
) as { readonly operations: Readonly<Record<string, OperationFacts>> };

const SERVED = [
  'StartOutboundVoiceContact', 'DescribeContact', 'StopContact', 'GetContactAttributes', 'UpdateContactAttributes',
  'SearchContacts',
  'CreateInstance', 'DescribeInstance', 'ListInstances', 'UpdateInstanceAttribute', 'CreateHoursOfOperation',
  'ClaimPhoneNumber', 'ListPhoneNumbers', 'ListPhoneNumbersV2', 'CreateContactFlow', 'DescribeContactFlow',
  'UpdateContactFlowContent', 'ListContactFlows', 'CreateQueue', 'DescribeQueue', 'ListQueues',
  'CreateRoutingProfile', 'DescribeRoutingProfile', 'ListRoutingProfiles', 'CreateUser', 'DescribeUser', 'ListUsers',
  'DeleteUser', 'UpdateUserRoutingProfile', 'ListAgentStatuses', 'PutUserStatus', 'GetCurrentUserData',
  'GetCurrentMetricData',
];

const declaredOperations: Readonly<Record<string, OperationModel>> = operations;

function shape(name: string): ShapeModel {
  const found = shapes[name];
  assert.ok(found, `shape ${name} is missing from shapes.generated.ts`);
  return found;
}

function structure(name: string): StructureShape {
  const found = shape(name);
  assert.equal(found.type, 'structure', `${name} should be a structure`);
  return found;
}

function withoutUndefined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** Input member paths of the generated model, flattened exactly as the fixture flattens them. */
function declaredMemberPaths(inputName: string): string[] {
  const paths: string[] = [];
  for (const [name, member] of Object.entries(structure(inputName).members)) {
    paths.push(name);
    const target = shape(member.target);
    if (target.type === 'structure') paths.push(...Object.keys(target.members).map((child) => `${name}.${child}`));
  }
  return paths;
}

/** The generated model's facts for a member path, in the fixture's form. */
function declaredFacts(inputName: string, path: string): Record<string, unknown> {
  const [first = '', child] = path.split('.');
  let parent = structure(inputName);
  let name = first;
  if (child !== undefined) {
    const outer = parent.members[first];
    assert.ok(outer, `${inputName}.${first} is missing`);
    parent = structure(outer.target);
    name = child;
  }
  const member = parent.members[name];
  assert.ok(member, `${path} is missing from ${inputName}`);
  const target = shape(member.target);
  const traits = target as Partial<Record<'min' | 'max' | 'pattern' | 'enum' | 'sensitive', unknown>>;
  return withoutUndefined({
    shape: member.target,
    type: target.type,
    required: parent.required?.includes(name) ?? false,
    location: member.location,
    locationName: member.locationName,
    idempotencyToken: member.idempotencyToken,
    min: traits.min,
    max: traits.max,
    pattern: traits.pattern,
    enum: traits.enum,
    sensitive: traits.sensitive,
  });
}

/**
 * The fixture's facts as the generated model must declare them: patterns as corrected where a correction
 * is declared, and locationName only where it differs from the member name.
 */
function expectedFacts(path: string, facts: MemberFacts): Record<string, unknown> {
  const name = path.slice(path.lastIndexOf('.') + 1);
  const correction = facts.pattern === undefined ? undefined : patternCorrections[facts.shape];
  return withoutUndefined({
    ...facts,
    locationName: facts.locationName === name ? undefined : facts.locationName,
    pattern: correction?.corrected ?? facts.pattern,
  });
}

describe('the generated model agrees with the recorded Connect model', () => {
  it(`serves exactly the ${SERVED.length} operations, in both the fixture and shapes.generated.ts`, () => {
    assert.deepEqual(Object.keys(fixture.operations).sort(), [...SERVED].sort());
    assert.deepEqual(Object.keys(operations).sort(), [...SERVED].sort());
  });

  for (const [name, facts] of Object.entries(fixture.operations)) {
    describe(name, () => {
      const declared = declaredOperations[name];

      it('has the model HTTP binding and input shape', () => {
        assert.ok(declared);
        assert.equal(declared.name, name);
        assert.deepEqual(declared.http, {
          method: facts.method,
          requestUri: facts.requestUri,
          responseCode: facts.responseCode,
        });
        assert.equal(declared.input, facts.input);
      });

      it('lists the model errors in model order', () => {
        assert.deepEqual(
          declared?.errors,
          facts.errors.map((error) => error.shape),
        );
      });

      it('declares the same input members as the model', () => {
        assert.deepEqual(declaredMemberPaths(facts.input).sort(), Object.keys(facts.members).sort());
      });

      for (const [path, memberFacts] of Object.entries(facts.members)) {
        it(`declares ${path} with the model's type, binding and constraints`, () => {
          assert.deepEqual(declaredFacts(facts.input, path), expectedFacts(path, memberFacts));
        });
      }
    });
  }

  it('corrects only patterns whose model text is what the correction expects', () => {
    const recorded = new Map<string, string | undefined>();
    for (const facts of Object.values(fixture.operations)) {
      for (const member of Object.values(facts.members)) recorded.set(member.shape, member.pattern);
    }
    for (const [shapeName, correction] of Object.entries(patternCorrections)) {
      assert.equal(recorded.get(shapeName), correction.model, `correction for ${shapeName}`);
      assert.equal((shape(shapeName) as { pattern?: string }).pattern, correction.corrected);
    }
  });

  it('has only patterns that compile as RegExps with the u flag', () => {
    for (const [name, declared] of Object.entries(shapes)) {
      if (declared.type !== 'string' || declared.pattern === undefined) continue;
      assert.doesNotThrow(() => new RegExp(declared.pattern as string, 'u'), `pattern of ${name}`);
    }
  });
});

describe('errors.ts agrees with the recorded Connect model', () => {
  const modelErrors = new Map<string, ErrorFacts>();
  for (const facts of Object.values(fixture.operations)) {
    for (const error of facts.errors) modelErrors.set(error.shape, error);
  }
  const exported = errors as unknown as Readonly<Record<string, unknown>>;

  for (const [name, facts] of modelErrors) {
    it(`exports ${name} with HTTP status ${facts.httpStatusCode} and a ${facts.fault} fault`, () => {
      const Cls = exported[name];
      assert.equal(typeof Cls, 'function', `${name} is not exported from src/api/errors.ts`);
      const instance =
        name === 'InvalidContactFlowException'
          ? new errors.InvalidContactFlowException([{ message: 'x' }])
          : new (Cls as new (message: string) => errors.ServiceException)('x');
      assert.ok(instance instanceof errors.ServiceException);
      assert.equal(instance.name, name);
      assert.equal(instance.httpStatus, facts.httpStatusCode);
      assert.equal(instance.$fault, facts.fault);
    });
  }
});
