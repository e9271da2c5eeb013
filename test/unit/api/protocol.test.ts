import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  InternalServiceException,
  InvalidContactFlowException,
  InvalidParameterException,
  ResourceNotFoundException,
  SerializationException,
} from '../../../src/api/errors.js';
import { decodeNextToken, encodeNextToken, epochSeconds, parseJsonBody, serializeError } from '../../../src/api/protocol.js';

describe('parseJsonBody', () => {
  it('reads an empty body as an empty object', () => {
    assert.deepEqual(parseJsonBody(Buffer.alloc(0)), {});
  });

  it('parses a JSON object', () => {
    assert.deepEqual(parseJsonBody(Buffer.from('{"InstanceId":"i-1","Attributes":{"name":"Zoë"}}')), {
      InstanceId: 'i-1',
      Attributes: { name: 'Zoë' },
    });
  });

  it('refuses bytes that are not UTF-8 with SerializationException', () => {
    const latin1 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]); // {"a":"é"} in Latin-1

    assert.throws(() => parseJsonBody(latin1), (error: unknown) => error instanceof SerializationException && /UTF-8/.test(error.message));
  });

  it('refuses text that is not JSON with SerializationException', () => {
    for (const text of ['{', '{"a":1,}', 'InstanceId=i-1', ' ']) {
      assert.throws(() => parseJsonBody(Buffer.from(text)), SerializationException, JSON.stringify(text));
    }
  });

  it('refuses JSON that is not an object with SerializationException', () => {
    for (const text of ['[]', '[{"a":1}]', 'null', '42', '"text"', 'true']) {
      assert.throws(
        () => parseJsonBody(Buffer.from(text)),
        (error: unknown) => error instanceof SerializationException && error.message === 'The request body must be a JSON object.',
        text,
      );
    }
  });

  it('raises SerializationException as a 400 client fault', () => {
    assert.throws(() => parseJsonBody(Buffer.from('[]')), (error: unknown) => {
      assert.ok(error instanceof SerializationException);
      assert.equal(error.httpStatus, 400);
      assert.equal(error.$fault, 'client');
      return true;
    });
  });
});

describe('serializeError', () => {
  it('answers with the error status and a JSON body', () => {
    const wire = serializeError(new ResourceNotFoundException('Instance i-1 not found.'));

    assert.equal(wire.status, 404);
    assert.equal(wire.headers['content-type'], 'application/json');
  });

  it('puts the same code in x-amzn-errortype and __type, and the text in both message and Message', () => {
    const wire = serializeError(new InvalidParameterException('DestinationPhoneNumber is not E.164.'));

    assert.equal(wire.headers['x-amzn-errortype'], 'InvalidParameterException');
    assert.deepEqual(JSON.parse(wire.body), {
      __type: 'InvalidParameterException',
      message: 'DestinationPhoneNumber is not E.164.',
      Message: 'DestinationPhoneNumber is not E.164.',
    });
  });

  it('sends InvalidContactFlowException with its problems list', () => {
    const problems = [{ message: 'Version must be "2019-10-30".' }, { message: 'Action identifier x is used more than once.' }];

    const wire = serializeError(new InvalidContactFlowException(problems));
    const body = JSON.parse(wire.body) as Record<string, unknown>;

    assert.equal(wire.status, 400);
    assert.equal(wire.headers['x-amzn-errortype'], 'InvalidContactFlowException');
    assert.equal(body.__type, 'InvalidContactFlowException');
    assert.deepEqual(body.problems, problems);
    assert.equal(body.message, 'Version must be "2019-10-30".; Action identifier x is used more than once.');
  });

  it('answers a server fault with 500', () => {
    const wire = serializeError(new InternalServiceException('Internal error, request id r-1.'));

    assert.equal(wire.status, 500);
    assert.equal(wire.headers['x-amzn-errortype'], 'InternalServiceException');
  });
});

describe('epochSeconds', () => {
  it('turns epoch milliseconds into epoch seconds, keeping fractions', () => {
    assert.equal(epochSeconds(1_767_225_600_000), 1_767_225_600);
    assert.equal(epochSeconds(1_767_225_600_250), 1_767_225_600.25);
    assert.equal(epochSeconds(0), 0);
  });

  it('leaves an absent time absent', () => {
    assert.equal(epochSeconds(null), undefined);
    assert.equal(epochSeconds(undefined), undefined);
  });
});

describe('NextToken', () => {
  it('carries the last id of a page through a round trip', () => {
    for (const id of ['00000000-0000-4000-a000-000000000002', 'queue/é/1', '']) {
      assert.equal(decodeNextToken(encodeNextToken(id)), id);
    }
  });

  it('encodes tokens that are safe in a query string', () => {
    assert.match(encodeNextToken('00000000-0000-4000-a000-000000000002?&=/+'), /^[A-Za-z0-9_-]+$/);
  });

  it('decodes a token outdial did not issue to undefined', () => {
    const notIssued = [
      'garbage',
      '',
      '%%%',
      Buffer.from('null').toString('base64url'),
      Buffer.from('[1,2]').toString('base64url'),
      Buffer.from('{"after":42}').toString('base64url'),
      Buffer.from('{"before":"x"}').toString('base64url'),
    ];

    for (const token of notIssued) assert.equal(decodeNextToken(token), undefined, token);
  });
});
