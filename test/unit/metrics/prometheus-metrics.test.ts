import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrometheusMetrics } from '../../../src/metrics/prometheus-metrics.js';
import { parsePrometheus, sampleValue } from '../../helpers/prometheus.js';

const scrape = async (metrics: PrometheusMetrics) => {
  const { contentType, body } = await metrics.scrape();
  assert.match(contentType, /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(body);
};

describe('PrometheusMetrics', () => {
  it('counts API requests by operation and outcome, with a latency histogram per operation', async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    metrics.apiRequest('DescribeContact', 'success', 0.002);
    metrics.apiRequest('DescribeContact', 'success', 0.0004);
    metrics.apiRequest('DescribeContact', 'ResourceNotFoundException', 0.003);
    metrics.apiRequest('unknown', 'UnknownOperationException', 7);
    const samples = await scrape(metrics);

    assert.equal(sampleValue(samples, 'outdial_api_requests_total', { operation: 'DescribeContact', outcome: 'success' }), 2);
    assert.equal(sampleValue(samples, 'outdial_api_requests_total', { operation: 'DescribeContact', outcome: 'ResourceNotFoundException' }), 1);
    assert.equal(sampleValue(samples, 'outdial_api_requests_total', { operation: 'unknown', outcome: 'UnknownOperationException' }), 1);
    assert.equal(sampleValue(samples, 'outdial_api_request_duration_seconds_count', { operation: 'DescribeContact' }), 3);
    assert.equal(sampleValue(samples, 'outdial_api_request_duration_seconds_sum', { operation: 'DescribeContact' }), 0.0054);
    assert.equal(sampleValue(samples, 'outdial_api_request_duration_seconds_bucket', { operation: 'DescribeContact', le: '0.0005' }), 1);
    assert.equal(sampleValue(samples, 'outdial_api_request_duration_seconds_bucket', { operation: 'DescribeContact', le: '0.0025' }), 2);
    assert.equal(sampleValue(samples, 'outdial_api_request_duration_seconds_bucket', { operation: 'unknown', le: '5' }), 0);
    assert.equal(sampleValue(samples, 'outdial_api_request_duration_seconds_bucket', { operation: 'unknown', le: '+Inf' }), 1);
  });

  it('labels state changes with the disconnect reason only for DISCONNECTED', async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    metrics.contactState('INITIATED');
    metrics.contactState('INITIATED', 'ignored');
    metrics.contactState('DISCONNECTED', 'CUSTOMER_DISCONNECT');
    metrics.contactState('DISCONNECTED');
    metrics.dialOutcome('busy');
    metrics.dialOutcome('busy');
    metrics.dialOutcome('answered');
    const samples = await scrape(metrics);

    assert.equal(sampleValue(samples, 'outdial_contact_state_changes_total', { state: 'INITIATED', reason: '' }), 2);
    assert.equal(sampleValue(samples, 'outdial_contact_state_changes_total', { state: 'DISCONNECTED', reason: 'CUSTOMER_DISCONNECT' }), 1);
    assert.equal(sampleValue(samples, 'outdial_contact_state_changes_total', { state: 'DISCONNECTED', reason: 'NONE' }), 1);
    assert.equal(samples.filter((s) => s.name === 'outdial_contact_state_changes_total').length, 3);
    assert.equal(sampleValue(samples, 'outdial_dial_outcomes_total', { outcome: 'busy' }), 2);
    assert.equal(sampleValue(samples, 'outdial_dial_outcomes_total', { outcome: 'answered' }), 1);
  });

  it('counts deliveries and their lag per sink', async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    metrics.delivery('crm', 'delivered', 0.02);
    metrics.delivery('crm', 'failed', 30);
    metrics.delivery('crm', 'dead', 90_000);
    metrics.delivery('audit', 'delivered', 0.005);
    const samples = await scrape(metrics);

    assert.equal(sampleValue(samples, 'outdial_event_deliveries_total', { sink: 'crm', outcome: 'delivered' }), 1);
    assert.equal(sampleValue(samples, 'outdial_event_deliveries_total', { sink: 'crm', outcome: 'failed' }), 1);
    assert.equal(sampleValue(samples, 'outdial_event_deliveries_total', { sink: 'crm', outcome: 'dead' }), 1);
    assert.equal(sampleValue(samples, 'outdial_event_delivery_lag_seconds_count', { sink: 'crm' }), 3);
    assert.equal(sampleValue(samples, 'outdial_event_delivery_lag_seconds_bucket', { sink: 'crm', le: '86400' }), 2);
    assert.equal(sampleValue(samples, 'outdial_event_delivery_lag_seconds_bucket', { sink: 'audit', le: '0.01' }), 1);
  });

  it('samples the gauges from their readers at scrape time', async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    let live = 3;
    metrics.liveCalls(() => live);
    metrics.contactsByState(() => Promise.resolve({ INITIATED: 2, CONNECTED_TO_SYSTEM: 1 }));
    metrics.pendingDeliveries(() => Promise.resolve({ pending: 4, delivered: 10, dead: 0 }));
    let samples = await scrape(metrics);
    assert.equal(sampleValue(samples, 'outdial_live_calls'), 3);
    assert.equal(sampleValue(samples, 'outdial_contacts', { state: 'INITIATED' }), 2);
    assert.equal(sampleValue(samples, 'outdial_contacts', { state: 'CONNECTED_TO_SYSTEM' }), 1);
    assert.equal(sampleValue(samples, 'outdial_event_deliveries_pending', { status: 'pending' }), 4);
    assert.equal(sampleValue(samples, 'outdial_event_deliveries_pending', { status: 'dead' }), 0);

    live = 1;
    samples = await scrape(metrics);
    assert.equal(sampleValue(samples, 'outdial_live_calls'), 1);
  });

  it('skips a gauge whose reader throws and still answers the scrape', async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    let closing = false;
    metrics.liveCalls(() => {
      if (closing) throw new Error('closed');
      return 2;
    });
    metrics.contactsByState(() => (closing ? Promise.reject(new Error('store closed')) : Promise.resolve({ QUEUED: 1 })));
    metrics.pendingDeliveries(() => {
      throw new Error('synchronous throw');
    });
    metrics.apiRequest('StopContact', 'success', 0.001);
    assert.equal(sampleValue(await scrape(metrics), 'outdial_contacts', { state: 'QUEUED' }), 1);

    closing = true;
    const samples = await scrape(metrics);
    assert.equal(sampleValue(samples, 'outdial_live_calls'), undefined);
    assert.equal(sampleValue(samples, 'outdial_contacts', { state: 'QUEUED' }), undefined, 'the last values are not repeated');
    assert.equal(samples.filter((s) => s.name === 'outdial_event_deliveries_pending').length, 0);
    assert.equal(sampleValue(samples, 'outdial_api_requests_total', { operation: 'StopContact', outcome: 'success' }), 1);
  });

  it('keeps each instance on its own registry, with Node process metrics prefixed outdial_', async () => {
    const a = new PrometheusMetrics();
    const b = new PrometheusMetrics();
    a.apiRequest('ListQueues', 'success', 0.001);
    const samplesA = await scrape(a);
    const samplesB = await scrape(b);
    assert.equal(sampleValue(samplesA, 'outdial_api_requests_total', { operation: 'ListQueues', outcome: 'success' }), 1);
    assert.equal(sampleValue(samplesB, 'outdial_api_requests_total', { operation: 'ListQueues', outcome: 'success' }), undefined);
    assert.ok((sampleValue(samplesB, 'outdial_process_resident_memory_bytes') ?? 0) > 0);
    assert.ok(samplesB.some((s) => s.name === 'outdial_nodejs_eventloop_lag_seconds'));
  });
});
