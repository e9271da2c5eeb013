import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { noMetrics } from '../../../src/shared/metrics.js';
import { assertError, CALLEE, ok, ops, startCall } from '../../helpers/connect.js';
import { parsePrometheus, sampleValue, type Sample } from '../../helpers/prometheus.js';
import { DEMO, LOCAL_CREDENTIALS, startTestApp, type TestApp } from '../../helpers/test-app.js';

const UNKNOWN_CONTACT = '11111111-2222-4333-8444-555555555555';

/** GET /metrics with nothing but a Host header: no signature. */
async function scrape(app: TestApp): Promise<Sample[]> {
  const response = await app.outdial.app.inject({ method: 'GET', url: '/metrics', headers: { host: 'localhost' } });
  assert.equal(response.statusCode, 200, response.body);
  assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(response.body);
}

const requests = (samples: Sample[], operation: string, outcome: string) =>
  sampleValue(samples, 'outdial_api_requests_total', { operation, outcome });

describe('GET /metrics', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it('counts API requests by operation and outcome, and times them', async () => {
    ok(await app.request(ops.describeInstance(DEMO.instanceId)));
    ok(await app.request(ops.describeInstance(DEMO.instanceId)));
    assertError(await app.request(ops.describeContact(UNKNOWN_CONTACT)), 404, 'ResourceNotFoundException');
    assertError(await app.unsigned(ops.describeContact(UNKNOWN_CONTACT)), 403, 'MissingAuthenticationTokenException');
    const wrongSecret = { credentials: { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' } };
    assertError(await app.request(ops.describeContact(UNKNOWN_CONTACT), wrongSecret), 403, 'InvalidSignatureException');
    const unknown = await app.request({ method: 'GET', path: '/no/such/operation' });
    assert.equal(unknown.headers['x-amzn-errortype'], 'UnknownOperationException');
    const unreadable = await app.outdial.app.inject({ method: 'GET', url: '/contacts/%zz/x', headers: { host: 'localhost' } });
    assert.equal(unreadable.headers['x-amzn-errortype'], 'SerializationException');
    ok(await app.unsigned({ method: 'GET', path: '/health' }));

    const samples = await scrape(app);
    assert.equal(requests(samples, 'DescribeInstance', 'success'), 2);
    assert.equal(requests(samples, 'DescribeContact', 'ResourceNotFoundException'), 1);
    assert.equal(requests(samples, 'DescribeContact', 'MissingAuthenticationTokenException'), 1);
    assert.equal(requests(samples, 'DescribeContact', 'InvalidSignatureException'), 1);
    assert.equal(requests(samples, 'DescribeContact', 'success'), undefined);
    assert.equal(requests(samples, 'unknown', 'UnknownOperationException'), 1);
    assert.equal(requests(samples, 'unknown', 'SerializationException'), 1);
    assert.equal(sampleValue(samples, 'outdial_api_request_duration_seconds_count', { operation: 'DescribeInstance' }), 2);
    assert.equal(sampleValue(samples, 'outdial_api_request_duration_seconds_count', { operation: 'DescribeContact' }), 3);
    assert.ok(sampleValue(samples, 'outdial_api_request_duration_seconds_sum', { operation: 'DescribeContact' })! > 0);
    // /health and the scrapes themselves are not API requests.
    const operations = new Set(samples.filter((s) => s.name === 'outdial_api_requests_total').map((s) => s.labels.operation));
    assert.deepEqual([...operations].sort(), ['DescribeContact', 'DescribeInstance', 'unknown']);
  });

  it('samples live calls and contacts by state at scrape time', async () => {
    await startCall(app, CALLEE.noAnswer);
    await app.settle();
    let samples = await scrape(app);
    assert.equal(requests(samples, 'StartOutboundVoiceContact', 'success'), 1);
    assert.equal(sampleValue(samples, 'outdial_live_calls'), 1);
    assert.equal(sampleValue(samples, 'outdial_contacts', { state: 'INITIATED' }), 1);
    assert.equal(sampleValue(samples, 'outdial_contacts', { state: 'CONNECTED_TO_SYSTEM' }), 0);
    assert.equal(sampleValue(samples, 'outdial_contacts', { state: 'QUEUED' }), 0);
    assert.equal(sampleValue(samples, 'outdial_contacts', { state: 'DISCONNECTED' }), undefined, 'live states only');

    await app.advance(120_000); // the ring timeout ends the call
    samples = await scrape(app);
    assert.equal(sampleValue(samples, 'outdial_live_calls'), 0);
    assert.equal(sampleValue(samples, 'outdial_contacts', { state: 'INITIATED' }), 0);
    assert.ok(samples.some((s) => s.name === 'outdial_process_cpu_seconds_total'));
  });
});

describe('GET /metrics with throttling', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ rateLimitDisabled: false, rateLimit: { ratePerSecond: 0.001, burst: 1 } });
  });
  after(() => app.close());

  it('counts a throttled request under the code it was sent', async () => {
    ok(await app.request(ops.describeInstance(DEMO.instanceId)));
    const throttled = await app.request(ops.describeInstance(DEMO.instanceId));
    assert.equal(throttled.status, 429, throttled.text);
    const code = String(throttled.headers['x-amzn-errortype']);
    assert.match(code, /^(TooManyRequests|Throttling)Exception$/);

    const samples = await scrape(app);
    assert.equal(requests(samples, 'DescribeInstance', 'success'), 1);
    assert.equal(requests(samples, 'DescribeInstance', code), 1);
  });
});

describe('metrics disabled', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ metrics: { enabled: false } });
  });
  after(() => app.close());

  it('serves no /metrics and reports to noMetrics', async () => {
    assert.equal(app.outdial.metrics, noMetrics);
    const response = await app.unsigned({ method: 'GET', path: '/metrics' });
    assert.equal(response.status, 404);
    assert.equal(response.headers['x-amzn-errortype'], 'UnknownOperationException');
  });
});
