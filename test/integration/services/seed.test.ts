import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResourceService } from '../../../src/services/resource-service.js';
import { DEMO, seedDemo } from '../../../src/services/seed.js';
import { UserService } from '../../../src/services/user-service.js';
import { VirtualClock } from '../../../src/shared/clock.js';
import { randomIds } from '../../../src/shared/ids.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { openSqlite } from '../../../src/store/dialects.js';
import { kyselyStore, migrate } from '../../../src/store/kysely/kysely-store.js';
import type { Store } from '../../../src/store/store.js';

async function resources(): Promise<{ service: ResourceService; users: UserService; store: Store; close: () => Promise<void> }> {
  const database = openSqlite(':memory:');
  await migrate(database.db);
  const store = kyselyStore(database);
  const common = { store, clock: new VirtualClock(), ids: randomIds, arn: { region: 'us-east-1', accountId: '000000000000' } };
  const users = new UserService({ ...common, quotas: { usersPerInstance: 500, routingProfilesPerInstance: 100 } });
  const service = new ResourceService({
    ...common,
    onInstanceCreated: (instance) => users.ensureDefaultAgentStatuses(instance.id),
    quotas: {
      instancesPerAccount: 2,
      phoneNumbersPerInstance: 5,
      queuesPerInstance: 50,
      flowsPerInstance: 100,
      concurrentActiveCallsPerInstance: 10,
      concurrentCampaignActiveCallsPerInstance: 0,
    },
    allowedPrefixes: ['+1'],
    blockedPrefixes: [],
  });
  return { service, users, store, close: () => store.close() };
}

describe('seedDemo', () => {
  it('completes a demo instance whose first seeding stopped after the instance was created', async () => {
    const { service, users, close } = await resources();
    try {
      await service.createInstance({
        id: DEMO.instanceId,
        alias: DEMO.alias,
        identityManagementType: 'CONNECT_MANAGED',
        inboundCallsEnabled: true,
        outboundCallsEnabled: true,
      });
      assert.equal(await seedDemo(service, users, silentLogger), true);
      assert.equal((await service.requireFlow(DEMO.instanceId, DEMO.flowId)).name, 'Demo outbound flow');
      assert.equal((await service.requireQueue(DEMO.instanceId, DEMO.queueId)).outboundCallerIdNumberId, DEMO.callerIdNumberId);
      assert.equal((await service.claimedNumber(DEMO.instanceId, DEMO.tollFreeNumber))?.id, DEMO.tollFreeNumberId);
      const agent = await users.requireUser(DEMO.instanceId, DEMO.agentUserId);
      assert.equal(agent.username, DEMO.agentUsername);
      assert.equal(agent.routingProfileId, DEMO.routingProfileId);
      assert.deepEqual(agent.phoneConfig, { phoneType: 'SOFT_PHONE', autoAccept: false, afterContactWorkTimeLimit: 30, deskPhoneNumber: null });
      const profile = await users.requireRoutingProfile(DEMO.instanceId, DEMO.routingProfileId);
      assert.deepEqual(profile.queues, [{ queueId: DEMO.queueId, channel: 'VOICE', priority: 1, delaySeconds: 0 }]);
      assert.deepEqual(profile.mediaConcurrencies, [{ channel: 'VOICE', concurrency: 1 }]);
      assert.equal(profile.defaultOutboundQueueId, DEMO.queueId);
    } finally {
      await close();
    }
  });

  it('creates nothing twice when run again', async () => {
    const { service, users, close } = await resources();
    try {
      await seedDemo(service, users, silentLogger);
      await seedDemo(service, users, silentLogger);
      assert.equal((await service.listInstances({ limit: 10 })).length, 1);
      assert.equal((await service.listContactFlows(DEMO.instanceId, [], { limit: 10 })).length, 2);
      assert.equal((await service.listQueues(DEMO.instanceId, [], { limit: 10 })).length, 1);
      assert.equal((await service.listPhoneNumbers({ instanceId: DEMO.instanceId }, { limit: 10 })).length, 2);
      assert.equal((await users.listRoutingProfiles(DEMO.instanceId, { limit: 10 })).length, 1);
      assert.equal((await users.listUsers(DEMO.instanceId, { limit: 10 })).length, 1);
      assert.deepEqual(
        (await users.listAgentStatuses(DEMO.instanceId, [], { limit: 10 })).map((s) => [s.name, s.type, s.displayOrder, s.state]),
        [
          ['Available', 'ROUTABLE', 1, 'ENABLED'],
          ['Offline', 'OFFLINE', 2, 'ENABLED'],
        ],
      );
    } finally {
      await close();
    }
  });

  it('leaves a store that already holds another instance alone', async () => {
    const { service, users, close } = await resources();
    try {
      await service.createInstance({ alias: 'acme', identityManagementType: 'CONNECT_MANAGED', inboundCallsEnabled: true, outboundCallsEnabled: true });
      assert.equal(await seedDemo(service, users, silentLogger), false);
      assert.equal(await service.findInstanceByAlias(DEMO.alias), undefined);
    } finally {
      await close();
    }
  });

  it('gives instances that lack them the default agent statuses, once', async () => {
    const { service, users, store, close } = await resources();
    try {
      await seedDemo(service, users, silentLogger);
      // An instance written before agents existed: straight into the store, past the creation hook.
      const demo = await service.requireInstance(DEMO.instanceId);
      await store.instances.insert({ ...demo, id: 'older', arn: 'arn:older', alias: 'older', clientToken: null });
      assert.deepEqual(await users.listAgentStatuses('older', [], { limit: 10 }), []);
      await users.ensureDefaultAgentStatusesEverywhere();
      await users.ensureDefaultAgentStatusesEverywhere();
      for (const instanceId of ['older', DEMO.instanceId]) {
        const statuses = await users.listAgentStatuses(instanceId, [], { limit: 10 });
        assert.deepEqual(statuses.map((s) => s.name), ['Available', 'Offline'], instanceId);
      }
    } finally {
      await close();
    }
  });
});
