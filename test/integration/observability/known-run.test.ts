/**
 * The metrics of a known run: four calls with known outcomes and a webhook that refuses its first request,
 * then one scrape whose contact, dial and delivery counters must match what happened exactly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CALLEE, describeContact, startCall } from '../../helpers/connect.js';
import { newSecret, runFor, SINK, startEventsApp } from '../../helpers/events.js';
import { parsePrometheus, sampleValue, type Sample } from '../../helpers/prometheus.js';
import type { TestApp } from '../../helpers/test-app.js';
import { WebhookReceiver } from '../../helpers/webhook-receiver.js';

async function scrape(app: TestApp): Promise<Sample[]> {
  const response = await app.outdial.app.inject({ method: 'GET', url: '/metrics', headers: { host: 'localhost' } });
  assert.equal(response.statusCode, 200, response.body);
  return parsePrometheus(response.body);
}

describe('metrics after a known run', () => {
  const secret = newSecret();
  let receiver: WebhookReceiver;
  let app: TestApp;
  before(async () => {
    receiver = await WebhookReceiver.start([secret]);
    app = await startEventsApp(receiver, secret, { events: { retryScheduleSeconds: [1] } });
  });
  after(async () => {
    await app.close();
    await receiver.close();
  });

  it('counts every contact state, dial outcome and delivery of the run', async () => {
    receiver.failNext(1);
    const calls = {
      answered: await startCall(app, CALLEE.answers),
      busy: await startCall(app, CALLEE.busy),
      'no-answer': await startCall(app, CALLEE.noAnswer),
      unreachable: await startCall(app, CALLEE.unreachable),
    };
    await runFor(app, 120_000);

    const reasons = new Map<string, number>();
    for (const id of Object.values(calls)) {
      const contact = await describeContact(app, id);
      assert.ok(contact.DisconnectTimestamp, `${id} has ended`);
      reasons.set(contact.DisconnectReason, (reasons.get(contact.DisconnectReason) ?? 0) + 1);
    }
    const samples = await scrape(app);
    const value = (name: string, labels: Record<string, string> = {}) => sampleValue(samples, name, labels);

    for (const outcome of Object.keys(calls)) assert.equal(value('outdial_dial_outcomes_total', { outcome }), 1, outcome);
    assert.equal(value('outdial_contact_state_changes_total', { state: 'INITIATED', reason: '' }), 4);
    assert.equal(value('outdial_contact_state_changes_total', { state: 'CONNECTED_TO_SYSTEM', reason: '' }), 1);
    for (const [reason, count] of reasons) {
      assert.equal(value('outdial_contact_state_changes_total', { state: 'DISCONNECTED', reason }), count, reason);
    }
    assert.equal(value('outdial_live_calls'), 0);

    // Every request the receiver got was one attempt: one refused, the rest delivered.
    const accepted = receiver.accepted().length;
    assert.equal(receiver.requests.length, accepted + 1);
    assert.ok(accepted >= 4 * 3, `at least INITIATED, DISCONNECTED and COMPLETED of each call, got ${accepted}`);
    assert.equal(value('outdial_event_deliveries_total', { sink: SINK, outcome: 'delivered' }), accepted);
    assert.equal(value('outdial_event_deliveries_total', { sink: SINK, outcome: 'failed' }), 1);
    assert.equal(value('outdial_event_delivery_lag_seconds_count', { sink: SINK }), accepted + 1);
    assert.equal(value('outdial_event_deliveries_pending', { status: 'pending' }), 0);
    assert.equal(value('outdial_event_deliveries_pending', { status: 'dead' }), 0);
  });
});
