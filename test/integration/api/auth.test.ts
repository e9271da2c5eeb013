import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CALLEE, ok, ops, outboundCall } from '../../helpers/connect.js';
import { DEMO, LOCAL_CREDENTIALS, startTestApp, type TestApp } from '../../helpers/test-app.js';

const MINUTE = 60_000;

describe('SigV4 authentication', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  const startCall = () => ops.startOutboundVoiceContact(outboundCall(CALLEE.answers));

  it('accepts a request signed with the local key pair', async () => {
    ok(await app.request(ops.describeInstance(DEMO.instanceId)));
  });

  it('refuses an unsigned request with 403 MissingAuthenticationTokenException and does not act on it', async () => {
    assertError(await app.unsigned(startCall()), 403, 'MissingAuthenticationTokenException', /Missing Authentication Token/);
    await app.advance(5_000);
    assert.equal(app.dials.length, 0);
  });

  it('refuses an unknown access key with 403 UnrecognizedClientException', async () => {
    const response = await app.request(startCall(), {
      credentials: { accessKeyId: 'AKIDSOMEONEELSE', secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey },
    });
    assertError(response, 403, 'UnrecognizedClientException', /security token included in the request is invalid/);
    await app.advance(5_000);
    assert.equal(app.dials.length, 0);
  });

  it('refuses a signature made with the wrong secret with 403 InvalidSignatureException', async () => {
    const response = await app.request(startCall(), {
      credentials: { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    assertError(response, 403, 'InvalidSignatureException', /signature we calculated does not match/);
    await app.advance(5_000);
    assert.equal(app.dials.length, 0);
  });

  it('refuses an X-Amz-Date 20 minutes old with 403 InvalidSignatureException "Signature expired"', async () => {
    const response = await app.request(ops.describeInstance(DEMO.instanceId), { date: new Date(Date.now() - 20 * MINUTE) });
    assertError(response, 403, 'InvalidSignatureException', /^Signature expired: \d{8}T\d{6}Z is now earlier than/);
  });

  it('refuses an X-Amz-Date 20 minutes ahead with 403 InvalidSignatureException "Signature expired"', async () => {
    const response = await app.request(ops.describeInstance(DEMO.instanceId), { date: new Date(Date.now() + 20 * MINUTE) });
    assertError(response, 403, 'InvalidSignatureException', /^Signature expired: .* is now later than/);
  });

  it('accepts an X-Amz-Date within the 15-minute skew', async () => {
    ok(await app.request(ops.describeInstance(DEMO.instanceId), { date: new Date(Date.now() - 14 * MINUTE) }));
  });

  it('refuses a body changed after signing with 403 InvalidSignatureException and dials nothing', async () => {
    const dialsBefore = app.dials.length;
    const prepared = await app.sign(ops.startOutboundVoiceContact(outboundCall(CALLEE.answers)));
    const payload = Buffer.from(JSON.stringify(outboundCall(CALLEE.busy)));
    const response = await app.send({ ...prepared, payload, headers: { ...prepared.headers, 'content-length': String(payload.length) } });
    assertError(response, 403, 'InvalidSignatureException');
    await app.advance(5_000);
    assert.equal(app.dials.length, dialsBefore);
  });

  it('refuses a body swapped after signing even when the client declared x-amz-content-sha256 UNSIGNED-PAYLOAD', async () => {
    const dialsBefore = app.dials.length;
    const prepared = await app.sign({
      ...ops.startOutboundVoiceContact(outboundCall(CALLEE.answers)),
      headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    // Same length, so even the signed content-length still matches: only the destination differs.
    const payload = Buffer.from(JSON.stringify(outboundCall(CALLEE.busy)));
    assert.equal(payload.length, prepared.payload?.length);
    const response = await app.send({ ...prepared, payload });
    assertError(response, 403, 'InvalidSignatureException');
    await app.advance(5_000);
    assert.deepEqual(app.dials.slice(dialsBefore), []);
  });

  it('refuses a signature scoped to another service with 403 InvalidSignatureException', async () => {
    const prepared = await app.sign(ops.describeInstance(DEMO.instanceId));
    const authorization = prepared.headers.authorization ?? '';
    const response = await app.send({
      ...prepared,
      headers: { ...prepared.headers, authorization: authorization.replace('/connect/aws4_request', '/s3/aws4_request') },
    });
    assertError(response, 403, 'InvalidSignatureException', /service: 'connect'/);
  });

  it('refuses a request whose query string was changed after signing', async () => {
    const prepared = await app.sign(ops.listInstances({ maxResults: '1' }));
    const response = await app.send({ ...prepared, url: prepared.url.replace('maxResults=1', 'maxResults=2') });
    assertError(response, 403, 'InvalidSignatureException');
  });
});
