import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { assertError, CALLEE, describeContact, ops, outboundCall, startCall } from '../../helpers/connect.js';
import { keepOpenFlows, startTestApp, SteppingClock, type TestApp } from '../../helpers/test-app.js';

const HOUR = 60 * 60 * 1000;
const quotas = { concurrentActiveCallsPerInstance: 2 };

describe('restarting on the same SQLite file', () => {
  let dir: string;
  let db: string;
  const opened: TestApp[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outdial-restart-'));
    db = join(dir, 'outdial.db');
  });

  afterEach(async () => {
    // Each run's store is closed (never `close()`, which would end contacts); the file goes with the folder.
    for (const app of opened.splice(0)) {
      try {
        await app.outdial.app.close();
        await app.outdial.store.close();
      } catch {
        // already closed by the test
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(overrides: Record<string, unknown>, options: Parameters<typeof startTestApp>[1] = {}): Promise<TestApp> {
    const app = await startTestApp(overrides, { db, ...options });
    opened.push(app);
    return app;
  }

  /** Starts a ringing call and a connected one, and leaves both live. */
  async function twoLiveContacts(app: TestApp): Promise<{ ringing: string; connected: string }> {
    const ringing = await startCall(app, CALLEE.noAnswer);
    const connected = await startCall(app, CALLEE.answers);
    await app.advance(5_000);
    assert.equal((await describeContact(app, connected)).DisconnectTimestamp, undefined);
    assert.equal(typeof (await describeContact(app, connected)).ConnectedToSystemTimestamp, 'number');
    assert.equal((await describeContact(app, ringing)).ConnectedToSystemTimestamp, undefined);
    assert.equal(app.activeCalls(), 2);
    return { ringing, connected };
  }

  describe('after a crash', () => {
    it('ends the contacts the crashed run left live with TELECOM_PROBLEM, at the restart, without dialing them again', async () => {
      const before = await open({ quotas }, { flows: keepOpenFlows });
      const { ringing, connected } = await twoLiveContacts(before);
      // The crash: the HTTP side stops, nothing is ended, and the old clock never moves again.
      await before.outdial.app.close();

      const restartedAt = before.clock.now() + HOUR;
      const after = await open({ quotas }, { flows: keepOpenFlows, clock: new SteppingClock(restartedAt) });
      for (const id of [ringing, connected]) {
        const contact = await describeContact(after, id);
        assert.equal(contact.DisconnectReason, 'TELECOM_PROBLEM', id);
        assert.equal(contact.DisconnectTimestamp, restartedAt / 1000, id);
      }
      assert.equal((await describeContact(after, ringing)).ConnectedToSystemTimestamp, undefined);
      assert.equal(typeof (await describeContact(after, connected)).ConnectedToSystemTimestamp, 'number');

      await after.advance(2 * 60_000);
      assert.equal(after.dials.length, 0, 'the restarted run dials nothing on its own');
      assertError(await after.request(ops.stopContact(ringing)), 410, 'ContactNotFoundException');
    });

    it('frees the concurrency slots the crashed contacts held, exactly', async () => {
      const before = await open({ quotas }, { flows: keepOpenFlows });
      await twoLiveContacts(before);
      assertError(await before.request(ops.startOutboundVoiceContact(outboundCall(CALLEE.answers))), 429, 'LimitExceededException');
      await before.outdial.app.close();

      const after = await open({ quotas }, { flows: keepOpenFlows, clock: new SteppingClock(before.clock.now() + HOUR) });
      await startCall(after, CALLEE.noAnswer);
      await startCall(after, CALLEE.noAnswer);
      assertError(await after.request(ops.startOutboundVoiceContact(outboundCall(CALLEE.noAnswer))), 429, 'LimitExceededException');
      await after.advance(1_000);
      assert.equal(after.dials.length, 2);
    });

    it('leaves live contacts of another node alone', async () => {
      const nodeA = await open({ quotas, nodeId: 'node-a' }, { flows: keepOpenFlows });
      const { connected } = await twoLiveContacts(nodeA);

      const nodeB = await open({ quotas, nodeId: 'node-b' }, { clock: new SteppingClock(nodeA.clock.now() + HOUR) });
      const contact = await describeContact(nodeB, connected);
      assert.equal(contact.DisconnectTimestamp, undefined);
      assert.equal(contact.DisconnectReason, undefined);
      // Node A's two live calls still fill the instance's quota of 2.
      assertError(await nodeB.request(ops.startOutboundVoiceContact(outboundCall(CALLEE.noAnswer))), 429, 'LimitExceededException');
    });
  });

  describe('after a clean close', () => {
    it('has ended every live contact with TELECOM_PROBLEM at the moment of closing, and hung up its calls', async () => {
      const before = await open({ quotas }, { flows: keepOpenFlows });
      const { ringing, connected } = await twoLiveContacts(before);
      const closedAt = before.clock.now();
      await before.close();
      assert.equal(before.activeCalls(), 0);

      const after = await open({ quotas }, { clock: new SteppingClock(closedAt + HOUR) });
      for (const id of [ringing, connected]) {
        const contact = await describeContact(after, id);
        assert.equal(contact.DisconnectReason, 'TELECOM_PROBLEM', id);
        assert.equal(contact.DisconnectTimestamp, closedAt / 1000, id);
      }
      await startCall(after, CALLEE.noAnswer);
      await startCall(after, CALLEE.noAnswer);
      assertError(await after.request(ops.startOutboundVoiceContact(outboundCall(CALLEE.noAnswer))), 429, 'LimitExceededException');
    });

    it('leaves no timer behind when closed while the hourly sweep is running', async () => {
      const app = await open({ quotas });
      // The event dispatcher's first look at the outbox finds nothing and leaves no timer.
      await app.settle();
      assert.equal(app.clock.pendingTimers, 1, 'only the hourly sweep is scheduled');
      // The hourly sweep fires and its DELETE is in flight when the shutdown begins.
      app.clock.advance(HOUR);
      await app.close();
      await app.settle();
      assert.equal(app.clock.pendingTimers, 0, 'a closed outdial schedules no further sweeps');
    });

    it('keeps resources and ended contacts, and does not seed the demo instance twice', async () => {
      const before = await open({ quotas });
      const contactId = await startCall(before, CALLEE.busy, { Attributes: { kept: 'yes' } });
      await before.advance(5_000);
      await before.close();

      const after = await open({ quotas });
      const contact = await describeContact(after, contactId);
      assert.equal(contact.DisconnectReason, 'TELECOM_BUSY');
      assert.deepEqual(contact.Attributes, { kept: 'yes' });
      const instances = (await after.request(ops.listInstances())).json.InstanceSummaryList;
      assert.equal(instances.length, 1);
    });
  });
});
