/**
 * The error catalog, in the style of fastify's errors test: every error outdial can send is listed here
 * with its HTTP status, named after its class, and documented in docs/errors.md.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

import * as errors from '../../../src/api/errors.js';
import { InvalidContactFlowException, ServiceException } from '../../../src/api/errors.js';

const ERRORS_DOC = fileURLToPath(new URL('../../../docs/errors.md', import.meta.url));

/** Every error outdial sends, with the HTTP status it answers with. A new error class needs a row here. */
const EXPECTED_STATUS: Readonly<Record<string, number>> = {
  // Connect's modeled errors
  InvalidParameterException: 400,
  InvalidRequestException: 400,
  InvalidActiveRegionException: 400,
  InvalidContactFlowException: 400,
  ServiceQuotaExceededException: 402,
  AccessDeniedException: 403,
  DestinationNotAllowedException: 403,
  OutboundContactNotPermittedException: 403,
  ResourceNotFoundException: 404,
  ContactFlowNotPublishedException: 404,
  DuplicateResourceException: 409,
  IdempotencyException: 409,
  ContactNotFoundException: 410,
  LimitExceededException: 429,
  TooManyRequestsException: 429,
  ThrottlingException: 429,
  InternalServiceException: 500,
  // AWS front-door authentication errors
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  IncompleteSignatureException: 403,
  MissingAuthenticationTokenException: 403,
  // Smithy framework errors
  UnknownOperationException: 404,
  SerializationException: 400,
  RequestEntityTooLargeException: 413,
  UnsupportedMediaTypeException: 415,
};

/** Names that may appear in docs/errors.md without being an outdial error: the SDKs' base classes. */
const SDK_BASE_CLASSES = new Set(['ServiceException', 'ConnectServiceException']);

type ErrorClass = new (...args: never[]) => ServiceException;

/** Every class exported from src/api/errors.ts that extends ServiceException, by export name. */
const errorClasses: [string, ErrorClass][] = Object.entries(errors as Record<string, unknown>).filter(
  (entry): entry is [string, ErrorClass] => typeof entry[1] === 'function' && entry[1].prototype instanceof ServiceException,
);

function instantiate(Cls: ErrorClass): ServiceException {
  if (Cls === (InvalidContactFlowException as unknown as ErrorClass)) return new InvalidContactFlowException([{ message: 'bad flow' }]);
  return new (Cls as unknown as new (message: string) => ServiceException)('something went wrong');
}

describe('the error catalog', () => {
  it('finds the error classes', () => {
    assert.ok(errorClasses.length >= Object.keys(EXPECTED_STATUS).length, `found only ${errorClasses.length} error classes`);
  });

  it('names every error after its class', () => {
    for (const [exportName, Cls] of errorClasses) {
      const error = instantiate(Cls);
      assert.equal(error.name, Cls.name, `${exportName}.name`);
      assert.equal(exportName, Cls.name, `${Cls.name} is exported as ${exportName}`);
    }
  });

  it('gives every error a unique name', () => {
    const names = errorClasses.map(([, Cls]) => instantiate(Cls).name);
    const duplicates = names.filter((name, i) => names.indexOf(name) !== i);

    assert.deepEqual(duplicates, []);
  });

  it('makes every error a client fault except InternalServiceException', () => {
    for (const [name, Cls] of errorClasses) {
      assert.equal(instantiate(Cls).$fault, name === 'InternalServiceException' ? 'server' : 'client', name);
    }
  });

  it('answers every error with the status in the table', () => {
    for (const [name, Cls] of errorClasses) {
      const expected = EXPECTED_STATUS[name];
      assert.ok(expected !== undefined, `${name} has no row in EXPECTED_STATUS; add one with its HTTP status`);
      assert.equal(instantiate(Cls).httpStatus, expected, name);
    }
  });

  it('lists no error in the table that errors.ts does not export', () => {
    const exported = new Set(errorClasses.map(([name]) => name));

    assert.deepEqual(
      Object.keys(EXPECTED_STATUS).filter((name) => !exported.has(name)),
      [],
    );
  });

  it('makes every error an Error carrying its message', () => {
    for (const [name, Cls] of errorClasses) {
      const error = instantiate(Cls);
      assert.ok(error instanceof Error, name);
      assert.ok(error.message.length > 0, name);
    }
  });
});

describe('docs/errors.md', () => {
  function readDoc(): string {
    if (!existsSync(ERRORS_DOC)) assert.fail(`docs/errors.md does not exist; it must document every error (looked for ${ERRORS_DOC})`);
    return readFileSync(ERRORS_DOC, 'utf8');
  }

  it('documents every error outdial sends', () => {
    const doc = readDoc();

    const missing = errorClasses.map(([name]) => name).filter((name) => !new RegExp(`\\b${name}\\b`).test(doc));

    assert.deepEqual(missing, [], `docs/errors.md does not mention: ${missing.join(', ')}`);
  });

  it('documents no error that outdial does not send', () => {
    const doc = readDoc();
    const exported = new Set(errorClasses.map(([name]) => name));

    const unknown = [...new Set(doc.match(/\b[A-Z][A-Za-z]*Exception\b/g) ?? [])].filter((name) => !exported.has(name) && !SDK_BASE_CLASSES.has(name));

    assert.deepEqual(unknown, [], `docs/errors.md names errors that src/api/errors.ts does not define: ${unknown.join(', ')}`);
  });
});
