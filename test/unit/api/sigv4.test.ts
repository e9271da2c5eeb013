import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';

import { ConnectClient, ListContactFlowsCommand, StartOutboundVoiceContactCommand } from '@aws-sdk/client-connect';
import { Hash } from '@smithy/hash-node';
import { HttpRequest, HttpResponse } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

import {
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  UnrecognizedClientException,
  type ServiceException,
} from '../../../src/api/errors.js';
import { SigV4Verifier, type Credentials, type SignedRequest } from '../../../src/api/sigv4.js';

const NOW = Date.UTC(2026, 2, 14, 15, 9, 26);
const MINUTE = 60_000;
const MAX_SKEW_MS = 15 * MINUTE;
const CREDENTIALS: Credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const HOST = 'connect.eu-west-2.amazonaws.com';
const INSTANCE_ARN = 'arn:aws:connect:eu-west-2:123456789012:instance/11111111-2222-3333-4444-555555555555';

function verifier(now = NOW, credentials: readonly Credentials[] = [CREDENTIALS]): SigV4Verifier {
  return new SigV4Verifier(credentials, 'connect', MAX_SKEW_MS, () => now);
}

/** A path label encoded as the AWS SDK encodes it (encodeURIComponent, plus !'()*). */
function label(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The query string an HTTP client sends for a request's query map (repeated keys for lists). */
function wireQuery(query: HttpRequest['query']): string {
  return Object.entries(query)
    .flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${label(key)}=${label(v ?? '')}`))
    .join('&');
}

/** What a server receives for a signed request: the raw path and query, lower-cased headers, the body bytes. */
function received(request: HttpRequest): SignedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  return {
    method: request.method,
    rawPath: request.path,
    rawQuery: wireQuery(request.query),
    headers,
    body: request.body === undefined ? Buffer.alloc(0) : Buffer.from(request.body as string),
  };
}

interface SignOptions {
  credentials?: Credentials;
  region?: string;
  service?: string;
  signingDate?: Date;
  /** True signs x-amz-content-sha256 as the AWS SDK does; false leaves it out as botocore does. */
  applyChecksum?: boolean;
  /** False signs the path encoded once, as S3 does; every other service encodes it twice. */
  uriEscapePath?: boolean;
}

async function sign(
  request: { method: string; path: string; query?: HttpRequest['query']; headers?: Record<string, string>; body?: string },
  { credentials = CREDENTIALS, region = 'eu-west-2', service = 'connect', signingDate = new Date(NOW), applyChecksum = true, uriEscapePath = true }: SignOptions = {},
): Promise<SignedRequest> {
  const signer = new SignatureV4({ credentials, region, service, sha256: Hash.bind(null, 'sha256'), uriEscapePath, applyChecksum });
  const unsigned = new HttpRequest({
    method: request.method,
    protocol: 'https:',
    hostname: HOST,
    path: request.path,
    query: request.query ?? {},
    headers: { host: HOST, ...request.headers },
    ...(request.body !== undefined && { body: request.body }),
  });
  return received((await signer.sign(unsigned, { signingDate })) as HttpRequest);
}

/** A JSON PUT like StartOutboundVoiceContact. */
function outboundCall(body = '{"InstanceId":"i-1","ContactFlowId":"f-1","DestinationPhoneNumber":"+12065550100"}') {
  return { method: 'PUT', path: '/contact/outbound-voice', headers: { 'content-type': 'application/json' }, body };
}

/** The error verify() rejects with; checks it is the given class and answers 403. */
async function rejection(promise: Promise<string>, expected: new (...args: never[]) => ServiceException): Promise<ServiceException> {
  const error: unknown = await promise.then(
    (key) => assert.fail(`expected ${expected.name}, but the request verified as ${key}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof expected, `expected ${expected.name}, got ${String(error)}`);
  assert.equal(error.httpStatus, 403);
  return error;
}

function withHeaders(request: SignedRequest, change: (headers: Record<string, string | string[] | undefined>) => void): SignedRequest {
  const headers = { ...request.headers };
  change(headers);
  return { ...request, headers };
}

function signedHeadersOf(request: SignedRequest): string {
  return /SignedHeaders=([^,]+)/.exec(String(request.headers.authorization))?.[1] ?? '';
}

describe('SigV4Verifier', () => {
  describe('accepts', () => {
    it('a GET with repeated query keys, values needing encoding and an ARN label holding %2F', async () => {
      const request = await sign({
        method: 'GET',
        path: `/contact-flows-summary/${label(INSTANCE_ARN)}`,
        query: {
          contactFlowTypes: ['CONTACT_FLOW', 'AGENT_WHISPER'],
          maxResults: '10',
          nextToken: 'eyJh b+c/d=é*~!',
        },
      });
      assert.match(request.rawPath, /%2F/);
      assert.match(request.rawQuery, /contactFlowTypes=CONTACT_FLOW&contactFlowTypes=AGENT_WHISPER/);

      const accessKeyId = await verifier().verify(request);

      assert.equal(accessKeyId, 'AKIDEXAMPLE');
    });

    it('a PUT with a JSON body and x-amz-content-sha256, as the AWS SDK signs it', async () => {
      const request = await sign(outboundCall());
      assert.equal(signedHeadersOf(request), 'content-type;host;x-amz-content-sha256;x-amz-date');

      const accessKeyId = await verifier().verify(request);

      assert.equal(accessKeyId, 'AKIDEXAMPLE');
    });

    it('a request signed without x-amz-content-sha256, as botocore and the AWS CLI sign it', async () => {
      const request = await sign(outboundCall(), { applyChecksum: false });
      assert.equal(signedHeadersOf(request), 'content-type;host;x-amz-date');
      assert.equal(request.headers['x-amz-content-sha256'], undefined);

      const accessKeyId = await verifier().verify(request);

      assert.equal(accessKeyId, 'AKIDEXAMPLE');
    });

    it('a request signed for any region', async () => {
      const request = await sign(outboundCall(), { region: 'ap-southeast-2' });

      assert.equal(await verifier().verify(request), 'AKIDEXAMPLE');
    });

    it('a request signed with any of several configured keys, naming the one used', async () => {
      const second = { accessKeyId: 'AKIDSECOND', secretAccessKey: 'second-secret' };
      const request = await sign(outboundCall(), { credentials: second });

      assert.equal(await verifier(NOW, [CREDENTIALS, second]).verify(request), 'AKIDSECOND');
    });

    it('an X-Amz-Date 14 minutes behind or ahead of the clock', async () => {
      const behind = await sign(outboundCall(), { signingDate: new Date(NOW - 14 * MINUTE) });
      const ahead = await sign(outboundCall(), { signingDate: new Date(NOW + 14 * MINUTE) });

      assert.equal(await verifier().verify(behind), 'AKIDEXAMPLE');
      assert.equal(await verifier().verify(ahead), 'AKIDEXAMPLE');
    });

    it('a GET signed by the real Connect client with an instance ARN, list and token in the query', async () => {
      const request = await captureSdkRequest(
        new ListContactFlowsCommand({
          InstanceId: INSTANCE_ARN,
          ContactFlowTypes: ['CONTACT_FLOW', 'OUTBOUND_WHISPER'],
          NextToken: 'a b+c/d=é',
          MaxResults: 5,
        }),
      );
      assert.match(request.rawPath, /%2F/);

      assert.equal(await verifier(dateOf(request)).verify(request), 'AKIDEXAMPLE');
    });

    it('a PUT signed by the real Connect client', async () => {
      const request = await captureSdkRequest(
        new StartOutboundVoiceContactCommand({
          InstanceId: INSTANCE_ARN,
          ContactFlowId: 'f-1',
          DestinationPhoneNumber: '+12065550100',
          Attributes: { greeting: 'Grüß Gott' },
        }),
      );

      assert.equal(await verifier(dateOf(request)).verify(request), 'AKIDEXAMPLE');
    });
  });

  describe('rejects', () => {
    it('a request without an Authorization header with MissingAuthenticationTokenException', async () => {
      const request = withHeaders(await sign(outboundCall()), (h) => delete h.authorization);

      await rejection(verifier().verify(request), MissingAuthenticationTokenException);
    });

    it('a malformed Authorization header with IncompleteSignatureException', async () => {
      const signed = await sign(outboundCall());
      const malformed = [
        'Bearer abc',
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260314/eu-west-2/connect/aws4_request',
        String(signed.headers.authorization).replace(/Signature=[0-9a-f]+/, 'Signature=xyz'),
        String(signed.headers.authorization).replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512'),
      ];

      for (const authorization of malformed) {
        await rejection(verifier().verify(withHeaders(signed, (h) => (h.authorization = authorization))), IncompleteSignatureException);
      }
    });

    it('an unknown access key id with UnrecognizedClientException', async () => {
      const request = await sign(outboundCall(), { credentials: { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'whatever' } });

      await rejection(verifier().verify(request), UnrecognizedClientException);
    });

    it('a signature made with the wrong secret with InvalidSignatureException', async () => {
      const request = await sign(outboundCall(), { credentials: { ...CREDENTIALS, secretAccessKey: 'not-the-secret' } });

      const error = await rejection(verifier().verify(request), InvalidSignatureException);

      assert.match(error.message, /signature we calculated does not match/);
    });

    it('a body changed after signing with InvalidSignatureException', async () => {
      const signed = await sign(outboundCall());
      const tampered = { ...signed, body: Buffer.from('{"InstanceId":"i-1","ContactFlowId":"f-1","DestinationPhoneNumber":"+19005550100"}') };

      await rejection(verifier().verify(tampered), InvalidSignatureException);
    });

    it('a body changed after signing without x-amz-content-sha256 with InvalidSignatureException', async () => {
      const signed = await sign(outboundCall(), { applyChecksum: false });
      const tampered = { ...signed, body: Buffer.from('{}') };

      const error = await rejection(verifier().verify(tampered), InvalidSignatureException);

      assert.match(error.message, /signature we calculated does not match/);
    });

    it('a path changed after signing with InvalidSignatureException', async () => {
      const signed = await sign({ method: 'GET', path: `/instance/${label(INSTANCE_ARN)}` });
      const changed = { ...signed, rawPath: `/instance/${label(INSTANCE_ARN.replace('111', '999'))}` };

      await rejection(verifier().verify(changed), InvalidSignatureException);
    });

    it('a path with %2F signed over a singly-encoded canonical URI with InvalidSignatureException', async () => {
      const request = await sign({ method: 'GET', path: `/instance/${label(INSTANCE_ARN)}` }, { uriEscapePath: false });

      await rejection(verifier().verify(request), InvalidSignatureException);
    });

    it('a query changed after signing with InvalidSignatureException', async () => {
      const signed = await sign({ method: 'GET', path: '/contact-flows-summary/i-1', query: { contactFlowTypes: ['CONTACT_FLOW', 'AGENT_WHISPER'] } });
      const reordered = { ...signed, rawQuery: 'contactFlowTypes=CONTACT_FLOW' };

      await rejection(verifier().verify(reordered), InvalidSignatureException);
    });

    it('a signed header changed after signing with InvalidSignatureException', async () => {
      const signed = await sign(outboundCall());

      await rejection(verifier().verify(withHeaders(signed, (h) => (h['content-type'] = 'text/plain'))), InvalidSignatureException);
    });

    for (const [direction, offset] of [
      ['behind', -16 * MINUTE],
      ['ahead of', 16 * MINUTE],
    ] as const) {
      it(`an X-Amz-Date 16 minutes ${direction} the clock with "Signature expired"`, async () => {
        const request = await sign(outboundCall(), { signingDate: new Date(NOW + offset) });

        const error = await rejection(verifier().verify(request), InvalidSignatureException);

        assert.ok(error.message.startsWith('Signature expired'), error.message);
      });
    }

    it('a credential scoped to another service with InvalidSignatureException', async () => {
      const request = await sign(outboundCall(), { service: 'execute-api' });

      const error = await rejection(verifier().verify(request), InvalidSignatureException);

      assert.match(error.message, /'connect'/);
    });

    it('a header listed in SignedHeaders but absent from the request with InvalidSignatureException', async () => {
      const signed = await sign(outboundCall());
      const request = withHeaders(signed, (h) => delete h['content-type']);

      const error = await rejection(verifier().verify(request), InvalidSignatureException);

      assert.match(error.message, /content-type/);
    });

    it('a request without X-Amz-Date with IncompleteSignatureException', async () => {
      const request = withHeaders(await sign(outboundCall()), (h) => delete h['x-amz-date']);

      await rejection(verifier().verify(request), IncompleteSignatureException);
    });

    it('a credential scope dated another day than X-Amz-Date with InvalidSignatureException', async () => {
      const signed = await sign(outboundCall());
      const request = withHeaders(signed, (h) => (h.authorization = String(h.authorization).replace('/20260314/', '/20260313/')));

      await rejection(verifier().verify(request), InvalidSignatureException);
    });

    it('an x-amz-content-sha256 that does not match the body with InvalidSignatureException', async () => {
      const signed = await sign(outboundCall());
      const request = withHeaders(signed, (h) => (h['x-amz-content-sha256'] = '0'.repeat(64)));

      await rejection(verifier().verify(request), InvalidSignatureException);
    });

    it('a signature that leaves out the host header with InvalidSignatureException', async () => {
      const signed = await sign(outboundCall());
      const request = withHeaders(signed, (h) => (h.authorization = String(h.authorization).replace('content-type;host;', 'content-type;')));

      const error = await rejection(verifier().verify(request), InvalidSignatureException);

      assert.match(error.message, /'Host' must be a signed header/);
    });
  });
});

/** The X-Amz-Date of a signed request, as epoch ms. */
function dateOf(request: SignedRequest): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(String(request.headers['x-amz-date']));
  assert.ok(m !== null, 'the request has no X-Amz-Date');
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** Sends `command` through a real ConnectClient whose HTTP handler records the signed request instead of sending it. */
async function captureSdkRequest(command: ListContactFlowsCommand | StartOutboundVoiceContactCommand): Promise<SignedRequest> {
  let captured: HttpRequest | undefined;
  const client = new ConnectClient({
    region: 'eu-west-2',
    endpoint: 'http://127.0.0.1:7080',
    credentials: CREDENTIALS,
    maxAttempts: 1,
    requestHandler: {
      handle: (request: HttpRequest) => {
        captured = request;
        return Promise.resolve({
          response: new HttpResponse({
            statusCode: 200,
            headers: { 'content-type': 'application/json' },
            body: Readable.from([Buffer.from('{}')]),
          }),
        });
      },
    },
  });
  try {
    await client.send(command as ListContactFlowsCommand);
  } finally {
    client.destroy();
  }
  assert.ok(captured !== undefined, 'the client sent no request');
  return received(captured);
}
