import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResourceService } from '../../../src/services/resource-service.js';
import { DEMO, seedDemo } from '../../../src/services/seed.js';
import { VirtualClock } from '../../../src/shared/clock.js';
import { randomIds } from '../../../src/shared/ids.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { openSqlite } from '../../../src/store/dialects.js';
import { kyselyStore, migrate } from '../../../src/store/kysely/kysely-store.js';

async function resources(): Promise<{ service: ResourceService; close: () => Promise<void> }> {
  const database = openSqlite(':memory:');
  await migrate(database.db);
  const store = kyselyStore(database);
  const service = new ResourceService({
    store,
    clock: new VirtualClock(),
    ids: randomIds,
    arn: { region: 'us-east-1', accountId: '000000000000' },
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
  return { service, close: () => store.close() };
}

describe('seedDemo', () => {
  it('completes a demo instance whose first seeding stopped after the instance was created', async () => {
    const { service, close } = await resources();
    try {
      await service.createInstance({
        id: DEMO.instanceId,
        alias: DEMO.alias,
        identityManagementType: 'CONNECT_MANAGED',
        inboundCallsEnabled: true,
        outboundCallsEnabled: true,
      });
      assert.equal(await seedDemo(service, silentLogger), true);
      assert.equal((await service.requireFlow(DEMO.instanceId, DEMO.flowId)).name, 'Demo outbound flow');
      assert.equal((await service.requireQueue(DEMO.instanceId, DEMO.queueId)).outboundCallerIdNumberId, DEMO.callerIdNumberId);
      assert.equal((await service.claimedNumber(DEMO.instanceId, DEMO.tollFreeNumber))?.id, DEMO.tollFreeNumberId);
    } finally {
      await close();
    }
  });

  it('creates nothing twice when run again', async () => {
    const { service, close } = await resources();
    try {
      await seedDemo(service, silentLogger);
      await seedDemo(service, silentLogger);
      assert.equal((await service.listInstances({ limit: 10 })).length, 1);
      assert.equal((await service.listContactFlows(DEMO.instanceId, [], { limit: 10 })).length, 1);
      assert.equal((await service.listQueues(DEMO.instanceId, [], { limit: 10 })).length, 1);
      assert.equal((await service.listPhoneNumbers({ instanceId: DEMO.instanceId }, { limit: 10 })).length, 2);
    } finally {
      await close();
    }
  });

  it('leaves a store that already holds another instance alone', async () => {
    const { service, close } = await resources();
    try {
      await service.createInstance({ alias: 'acme', identityManagementType: 'CONNECT_MANAGED', inboundCallsEnabled: true, outboundCallsEnabled: true });
      assert.equal(await seedDemo(service, silentLogger), false);
      assert.equal(await service.findInstanceByAlias(DEMO.alias), undefined);
    } finally {
      await close();
    }
  });
});
