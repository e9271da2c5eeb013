import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { verifyPassword, sipHa1, SIP_REALM } from '../../../src/services/passwords.js';
import { applyDeclarations } from '../../../src/services/seed.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { assertError, label, ok, ops, pluck, UUID } from '../../helpers/connect.js';
import { ACCOUNT_ID, DEMO, startTestApp, type ApiRequest, type TestApp } from '../../helpers/test-app.js';

const INSTANCE_ARN = `arn:aws:connect:us-east-1:${ACCOUNT_ID}:instance/${DEMO.instanceId}`;
const UNKNOWN = '99999999-9999-4999-8999-999999999999';

const agentOps = {
  createRoutingProfile: (body: Record<string, unknown>, instanceId: string = DEMO.instanceId): ApiRequest => ({
    method: 'PUT',
    path: `/routing-profiles/${label(instanceId)}`,
    body: {
      Description: 'Voice agents',
      DefaultOutboundQueueId: DEMO.queueId,
      MediaConcurrencies: [{ Channel: 'VOICE', Concurrency: 1 }],
      ...body,
    },
  }),
  describeRoutingProfile: (id: string, instanceId: string = DEMO.instanceId): ApiRequest => ({
    method: 'GET',
    path: `/routing-profiles/${label(instanceId)}/${label(id)}`,
  }),
  listRoutingProfiles: (query: Record<string, string> = {}, instanceId: string = DEMO.instanceId): ApiRequest => ({
    method: 'GET',
    path: `/routing-profiles-summary/${label(instanceId)}`,
    query,
  }),
  createUser: (body: Record<string, unknown>, instanceId: string = DEMO.instanceId): ApiRequest => ({
    method: 'PUT',
    path: `/users/${label(instanceId)}`,
    body: {
      Password: 'Secret-Pass-1',
      IdentityInfo: { FirstName: 'Ada', LastName: 'Lovelace' },
      PhoneConfig: { PhoneType: 'SOFT_PHONE' },
      SecurityProfileIds: ['sp-agent'],
      RoutingProfileId: DEMO.routingProfileId,
      ...body,
    },
  }),
  describeUser: (id: string, instanceId: string = DEMO.instanceId): ApiRequest => ({
    method: 'GET',
    path: `/users/${label(instanceId)}/${label(id)}`,
  }),
  listUsers: (query: Record<string, string> = {}, instanceId: string = DEMO.instanceId): ApiRequest => ({
    method: 'GET',
    path: `/users-summary/${label(instanceId)}`,
    query,
  }),
  deleteUser: (id: string, instanceId: string = DEMO.instanceId): ApiRequest => ({
    method: 'DELETE',
    path: `/users/${label(instanceId)}/${label(id)}`,
  }),
  updateUserRoutingProfile: (id: string, routingProfileId: string, instanceId: string = DEMO.instanceId): ApiRequest => ({
    method: 'POST',
    path: `/users/${label(instanceId)}/${label(id)}/routing-profile`,
    body: { RoutingProfileId: routingProfileId },
  }),
  listAgentStatuses: (query: Record<string, string | string[]> = {}, instanceId: string = DEMO.instanceId): ApiRequest => ({
    method: 'GET',
    path: `/agent-status/${label(instanceId)}`,
    query,
  }),
};

describe('agent-side resource operations', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(() => app.close());

  /** Every id a List operation returns, following NextToken, and the size of each page. */
  async function collect(list: (query: Record<string, string>) => ApiRequest, key: string, maxResults: number) {
    const ids: string[] = [];
    const sizes: number[] = [];
    let token: string | undefined;
    for (let i = 0; i < 50; i++) {
      const body = ok(await app.request(list({ maxResults: String(maxResults), ...(token !== undefined && { nextToken: token }) })));
      ids.push(...pluck(body[key], 'Id'));
      sizes.push((body[key] as unknown[]).length);
      token = body.NextToken as string | undefined;
      if (token === undefined) return { ids, sizes };
    }
    assert.fail('paging did not end');
  }

  describe('routing profiles', () => {
    it('creates a routing profile that DescribeRoutingProfile shows with its queues and concurrencies', async () => {
      const created = ok(
        await app.request(
          agentOps.createRoutingProfile({
            Name: 'Sales',
            QueueConfigs: [{ QueueReference: { QueueId: DEMO.queueId, Channel: 'VOICE' }, Priority: 2, Delay: 15 }],
            MediaConcurrencies: [{ Channel: 'VOICE', Concurrency: 1, CrossChannelBehavior: { BehaviorType: 'ROUTE_CURRENT_CHANNEL_ONLY' } }],
            AgentAvailabilityTimer: 'TIME_SINCE_LAST_ACTIVITY',
            Tags: { team: 'sales' },
          }),
        ),
      );
      assert.match(created.RoutingProfileId, UUID);
      assert.equal(created.RoutingProfileArn, `${INSTANCE_ARN}/routing-profile/${created.RoutingProfileId}`);

      const profile = ok(await app.request(agentOps.describeRoutingProfile(created.RoutingProfileArn))).RoutingProfile;
      assert.equal(profile.RoutingProfileId, created.RoutingProfileId);
      assert.equal(profile.InstanceId, DEMO.instanceId);
      assert.equal(profile.Name, 'Sales');
      assert.equal(profile.Description, 'Voice agents');
      assert.equal(profile.DefaultOutboundQueueId, DEMO.queueId);
      assert.deepEqual(profile.MediaConcurrencies, [
        { Channel: 'VOICE', Concurrency: 1, CrossChannelBehavior: { BehaviorType: 'ROUTE_CURRENT_CHANNEL_ONLY' } },
      ]);
      assert.equal(profile.NumberOfAssociatedQueues, 1);
      assert.deepEqual(profile.AssociatedQueueIds, [DEMO.queueId]);
      assert.equal(profile.AgentAvailabilityTimer, 'TIME_SINCE_LAST_ACTIVITY');
      assert.deepEqual(profile.Tags, { team: 'sales' });
      assert.equal(profile.LastModifiedTime, app.clock.now() / 1000);
      assert.equal(profile.LastModifiedRegion, 'us-east-1');

      const stored = await app.outdial.users.requireRoutingProfile(DEMO.instanceId, created.RoutingProfileId);
      assert.deepEqual(stored.queues, [{ queueId: DEMO.queueId, channel: 'VOICE', priority: 2, delaySeconds: 15 }]);
    });

    it('refuses a taken name with 409 DuplicateResourceException', async () => {
      assertError(await app.request(agentOps.createRoutingProfile({ Name: 'Basic Routing Profile' })), 409, 'DuplicateResourceException', /Basic Routing Profile/);
    });

    it('refuses an unknown queue in QueueConfigs or as the default outbound queue with 404 ResourceNotFoundException', async () => {
      const queueConfigs = [{ QueueReference: { QueueId: UNKNOWN, Channel: 'VOICE' }, Priority: 1, Delay: 0 }];
      assertError(await app.request(agentOps.createRoutingProfile({ Name: 'A', QueueConfigs: queueConfigs })), 404, 'ResourceNotFoundException', /Queue not found/);
      assertError(
        await app.request(agentOps.createRoutingProfile({ Name: 'B', DefaultOutboundQueueId: UNKNOWN })),
        404,
        'ResourceNotFoundException',
        /outbound queue/,
      );
      assertError(await app.request(agentOps.createRoutingProfile({ Name: 'C' }, UNKNOWN)), 404, 'ResourceNotFoundException', /Instance/);
    });

    it('refuses concurrencies outside the documented ranges and repeated entries with 400 InvalidParameterException', async () => {
      const bad = [
        { MediaConcurrencies: [{ Channel: 'VOICE', Concurrency: 2 }] },
        { MediaConcurrencies: [{ Channel: 'VOICE' }] },
        { MediaConcurrencies: [{ Channel: 'VOICE', Concurrency: 1 }, { Channel: 'VOICE', Concurrency: 1 }] },
        {
          QueueConfigs: [
            { QueueReference: { QueueId: DEMO.queueId, Channel: 'VOICE' }, Priority: 1, Delay: 0 },
            { QueueReference: { QueueId: DEMO.queueId, Channel: 'VOICE' }, Priority: 2, Delay: 0 },
          ],
        },
      ];
      for (const body of bad) {
        assertError(await app.request(agentOps.createRoutingProfile({ Name: 'Bad', ...body })), 400, 'InvalidParameterException');
      }
      // The model's own constraints: Priority 1-99.
      const priority = [{ QueueReference: { QueueId: DEMO.queueId, Channel: 'VOICE' }, Priority: 0, Delay: 0 }];
      assertError(await app.request(agentOps.createRoutingProfile({ Name: 'Bad', QueueConfigs: priority })), 400, 'InvalidParameterException', /priority/i);
    });

    it('refuses routing profiles past quotas.routingProfilesPerInstance with 429 LimitExceededException', async () => {
      await app.close();
      app = await startTestApp({ quotas: { routingProfilesPerInstance: 1 } });
      assertError(await app.request(agentOps.createRoutingProfile({ Name: 'Second' })), 429, 'LimitExceededException', /routingProfilesPerInstance/);
    });

    it('pages ListRoutingProfiles with MaxResults and NextToken', async () => {
      for (const name of ['P1', 'P2', 'P3', 'P4']) ok(await app.request(agentOps.createRoutingProfile({ Name: name })));
      const { ids, sizes } = await collect(agentOps.listRoutingProfiles, 'RoutingProfileSummaryList', 2);
      assert.deepEqual(sizes, [2, 2, 1]);
      assert.equal(new Set(ids).size, 5);
      assert.ok(ids.includes(DEMO.routingProfileId));
      const all = ok(await app.request(agentOps.listRoutingProfiles())).RoutingProfileSummaryList as { Id: string; Name: string; Arn: string }[];
      const basic = all.find((p) => p.Id === DEMO.routingProfileId);
      assert.equal(basic?.Name, 'Basic Routing Profile');
      assert.equal(basic?.Arn, `${INSTANCE_ARN}/routing-profile/${DEMO.routingProfileId}`);
      assertError(await app.request(agentOps.listRoutingProfiles({ nextToken: 'garbage' })), 400, 'InvalidParameterException');
    });
  });

  describe('users', () => {
    it('creates a user whose agent starts Offline and free, storing only a hash of the password', async () => {
      const created = ok(
        await app.request(
          agentOps.createUser({
            Username: 'ada',
            IdentityInfo: { FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com' },
            PhoneConfig: { PhoneType: 'SOFT_PHONE', AutoAccept: true, AfterContactWorkTimeLimit: 45 },
            HierarchyGroupId: 'hg-1',
            DirectoryUserId: 'dir-1',
            Tags: { shift: 'early' },
          }),
        ),
      );
      assert.match(created.UserId, UUID);
      assert.equal(created.UserArn, `${INSTANCE_ARN}/agent/${created.UserId}`);

      const response = await app.request(agentOps.describeUser(created.UserArn));
      assert.doesNotMatch(response.text, /Secret-Pass-1/);
      const user = ok(response).User;
      assert.equal(user.Id, created.UserId);
      assert.equal(user.Username, 'ada');
      assert.deepEqual(user.IdentityInfo, { FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com' });
      assert.deepEqual(user.PhoneConfig, { PhoneType: 'SOFT_PHONE', AutoAccept: true, AfterContactWorkTimeLimit: 45 });
      assert.deepEqual(user.SecurityProfileIds, ['sp-agent']);
      assert.equal(user.RoutingProfileId, DEMO.routingProfileId);
      assert.equal(user.HierarchyGroupId, 'hg-1');
      assert.equal(user.DirectoryUserId, 'dir-1');
      assert.deepEqual(user.Tags, { shift: 'early' });
      assert.equal(user.LastModifiedRegion, 'us-east-1');

      const stored = await app.outdial.store.users.get(DEMO.instanceId, created.UserId);
      const hash = stored?.passwordHash ?? '';
      assert.ok(hash.startsWith('scrypt$'), hash);
      assert.equal(await verifyPassword('Secret-Pass-1', hash), true);
      assert.deepEqual(stored?.sipHa1, sipHa1('ada', SIP_REALM, 'Secret-Pass-1'));

      const agent = await app.outdial.store.agents.get(created.UserId);
      const offline = (await app.outdial.users.listAgentStatuses(DEMO.instanceId, ['OFFLINE'], { limit: 1 }))[0];
      assert.equal(agent?.statusId, offline?.id);
      assert.equal(agent?.activity, 'idle');
      assert.equal(agent?.contactId, null);
      assert.equal(agent?.idleSince, app.clock.now());
    });

    it('takes the voice settings from the per-channel configs, and refuses them beside PhoneConfig', async () => {
      const created = ok(
        await app.request(
          agentOps.createUser({
            Username: 'grace',
            PhoneConfig: undefined,
            AutoAcceptConfigs: [{ Channel: 'VOICE', AutoAccept: true }],
            AfterContactWorkConfigs: [{ Channel: 'VOICE', AfterContactWorkConfig: { AfterContactWorkTimeLimit: 20 } }],
            PhoneNumberConfigs: [{ Channel: 'VOICE', PhoneType: 'DESK_PHONE', PhoneNumber: '+12065550142' }],
          }),
        ),
      );
      const user = ok(await app.request(agentOps.describeUser(created.UserId))).User;
      assert.deepEqual(user.PhoneConfig, { PhoneType: 'DESK_PHONE', AutoAccept: true, AfterContactWorkTimeLimit: 20, DeskPhoneNumber: '+12065550142' });
      assertError(
        await app.request(agentOps.createUser({ Username: 'alan', PhoneConfig: { AutoAccept: true }, AutoAcceptConfigs: [{ Channel: 'VOICE', AutoAccept: false }] })),
        400,
        'InvalidParameterException',
        /AutoAcceptConfigs/,
      );
    });

    it('refuses a taken username with 409 DuplicateResourceException', async () => {
      assertError(await app.request(agentOps.createUser({ Username: DEMO.agentUsername })), 409, 'DuplicateResourceException', /agent/);
    });

    it('refuses a password that breaks the model rule with 400 InvalidParameterException, never echoing it', async () => {
      for (const password of ['short1A', 'alllowercase1', 'ALLUPPERCASE1', 'NoDigitsHere', 'Has space 1A']) {
        const response = await app.request(agentOps.createUser({ Username: 'weak', Password: password }));
        assertError(response, 400, 'InvalidParameterException', /password/i);
        assert.ok(!response.text.includes(password), response.text);
      }
    });

    it('refuses a CONNECT_MANAGED user without a password or a name with 400 InvalidParameterException', async () => {
      assertError(await app.request(agentOps.createUser({ Username: 'nopass', Password: undefined })), 400, 'InvalidParameterException', /Password is required/);
      assertError(
        await app.request(agentOps.createUser({ Username: 'noname', IdentityInfo: { FirstName: 'Only' } })),
        400,
        'InvalidParameterException',
        /LastName/,
      );
    });

    it('refuses usernames outside the documented rules with 400 InvalidParameterException', async () => {
      for (const username of ['has space', 'testuser@example', 'a-username-longer-than-20']) {
        assertError(await app.request(agentOps.createUser({ Username: username })), 400, 'InvalidParameterException', /Username/);
      }
      ok(await app.request(agentOps.createUser({ Username: 'ok.user@example.com' })));
    });

    it('refuses an unknown routing profile with 404 ResourceNotFoundException', async () => {
      assertError(await app.request(agentOps.createUser({ Username: 'lost', RoutingProfileId: UNKNOWN })), 404, 'ResourceNotFoundException', /Routing profile/);
    });

    it('requires an E.164 DeskPhoneNumber for DESK_PHONE', async () => {
      assertError(
        await app.request(agentOps.createUser({ Username: 'desk1', PhoneConfig: { PhoneType: 'DESK_PHONE' } })),
        400,
        'InvalidParameterException',
        /DeskPhoneNumber is required/,
      );
      assertError(
        await app.request(agentOps.createUser({ Username: 'desk2', PhoneConfig: { PhoneType: 'DESK_PHONE', DeskPhoneNumber: 'x+12065550100' } })),
        400,
        'InvalidParameterException',
        /E\.164/,
      );
      const created = ok(
        await app.request(agentOps.createUser({ Username: 'desk3', PhoneConfig: { PhoneType: 'DESK_PHONE', DeskPhoneNumber: '+12065550177' } })),
      );
      const user = ok(await app.request(agentOps.describeUser(created.UserId))).User;
      assert.equal(user.PhoneConfig.DeskPhoneNumber, '+12065550177');
    });

    it('refuses users past quotas.usersPerInstance with 429 LimitExceededException', async () => {
      await app.close();
      app = await startTestApp({ quotas: { usersPerInstance: 2 } });
      ok(await app.request(agentOps.createUser({ Username: 'second' })));
      assertError(await app.request(agentOps.createUser({ Username: 'third' })), 429, 'LimitExceededException', /usersPerInstance/);
    });

    it('pages ListUsers with MaxResults and NextToken', async () => {
      for (const username of ['u1', 'u2', 'u3', 'u4']) ok(await app.request(agentOps.createUser({ Username: username })));
      const { ids, sizes } = await collect(agentOps.listUsers, 'UserSummaryList', 2);
      assert.deepEqual(sizes, [2, 2, 1]);
      assert.equal(new Set(ids).size, 5);
      const all = ok(await app.request(agentOps.listUsers({}, INSTANCE_ARN))).UserSummaryList;
      assert.deepEqual(pluck(all, 'Username').sort(), ['agent', 'u1', 'u2', 'u3', 'u4']);
    });

    it('moves a user to another routing profile', async () => {
      const profile = ok(await app.request(agentOps.createRoutingProfile({ Name: 'Night' })));
      ok(await app.request(agentOps.updateUserRoutingProfile(DEMO.agentUserId, profile.RoutingProfileArn)));
      assert.equal(ok(await app.request(agentOps.describeUser(DEMO.agentUserId))).User.RoutingProfileId, profile.RoutingProfileId);
      assertError(await app.request(agentOps.updateUserRoutingProfile(DEMO.agentUserId, UNKNOWN)), 404, 'ResourceNotFoundException');
      assertError(await app.request(agentOps.updateUserRoutingProfile(UNKNOWN, profile.RoutingProfileId)), 404, 'ResourceNotFoundException');
    });

    it('deletes a user and its agent; an unknown user is 404 ResourceNotFoundException', async () => {
      const created = ok(await app.request(agentOps.createUser({ Username: 'temp' })));
      const deleted = ok(await app.request(agentOps.deleteUser(created.UserId)));
      assert.deepEqual(deleted, {});
      assertError(await app.request(agentOps.describeUser(created.UserId)), 404, 'ResourceNotFoundException');
      assert.equal(await app.outdial.store.agents.get(created.UserId), undefined);
      assertError(await app.request(agentOps.deleteUser(created.UserId)), 404, 'ResourceNotFoundException');
      // The username is free again.
      ok(await app.request(agentOps.createUser({ Username: 'temp' })));
    });

    it('refuses to delete an agent holding a contact with 400 InvalidRequestException', async () => {
      const held = await app.outdial.store.agents.update(DEMO.agentUserId, ['idle'], { activity: 'on-contact', contactId: UNKNOWN });
      assert.ok(held);
      assertError(await app.request(agentOps.deleteUser(DEMO.agentUserId)), 400, 'InvalidRequestException', /handling a contact/);
      ok(await app.request(agentOps.describeUser(DEMO.agentUserId)));
    });
  });

  describe('agent statuses', () => {
    it('lists the default statuses, filtered by AgentStatusTypes and paged', async () => {
      const all = ok(await app.request(agentOps.listAgentStatuses())).AgentStatusSummaryList as { Id: string; Name: string; Type: string; Arn: string }[];
      assert.deepEqual(
        all.map((s) => [s.Name, s.Type]),
        [
          ['Available', 'ROUTABLE'],
          ['Offline', 'OFFLINE'],
        ],
      );
      for (const s of all) assert.equal(s.Arn, `${INSTANCE_ARN}/agent-state/${s.Id}`);

      const offline = ok(await app.request(agentOps.listAgentStatuses({ AgentStatusTypes: 'OFFLINE' }))).AgentStatusSummaryList;
      assert.deepEqual(pluck(offline, 'Name'), ['Offline']);
      const both = ok(await app.request(agentOps.listAgentStatuses({ AgentStatusTypes: ['ROUTABLE', 'OFFLINE'] }))).AgentStatusSummaryList;
      assert.equal(both.length, 2);
      const custom = ok(await app.request(agentOps.listAgentStatuses({ AgentStatusTypes: 'CUSTOM' }))).AgentStatusSummaryList;
      assert.deepEqual(custom, []);
      assertError(await app.request(agentOps.listAgentStatuses({ AgentStatusTypes: 'BUSY' })), 400, 'InvalidParameterException');

      const first = ok(await app.request(agentOps.listAgentStatuses({ maxResults: '1' })));
      assert.deepEqual(pluck(first.AgentStatusSummaryList, 'Name'), ['Available']);
      const second = ok(await app.request(agentOps.listAgentStatuses({ maxResults: '1', nextToken: first.NextToken as string })));
      assert.deepEqual(pluck(second.AgentStatusSummaryList, 'Name'), ['Offline']);
      assert.equal(second.NextToken, undefined);
    });

    it('gives an instance made by CreateInstance the default statuses', async () => {
      const created = ok(await app.request(ops.createInstance({ InstanceAlias: 'fresh' })));
      const statuses = ok(await app.request(agentOps.listAgentStatuses({}, created.Id))).AgentStatusSummaryList;
      assert.deepEqual(pluck(statuses, 'Name'), ['Available', 'Offline']);
    });
  });

  describe('declared in config', () => {
    it('creates declared routing profiles and users once, matching by name, with a working password', async () => {
      const declared = {
        instances: [
          {
            alias: 'sales',
            hoursOfOperation: [{ name: 'Always' }],
            queues: [{ name: 'Inbound', hoursOfOperation: 'Always' }],
            routingProfiles: [
              { name: 'Sales agents', defaultOutboundQueue: 'Inbound', queues: [{ queue: 'Inbound', priority: 2, delay: 5 }] },
            ],
            users: [
              { username: 'sam', password: 'Sales-Pass-7', firstName: 'Sam', lastName: 'Seller', routingProfile: 'Sales agents', autoAccept: true },
            ],
          },
        ],
      };
      await app.close();
      app = await startTestApp(declared);
      const instance = await app.outdial.resources.findInstanceByAlias('sales');
      assert.ok(instance);
      const profile = await app.outdial.users.findRoutingProfileByName(instance.id, 'Sales agents');
      assert.equal(profile?.queues[0]?.priority, 2);
      assert.equal(profile?.queues[0]?.delaySeconds, 5);
      const sam = await app.outdial.users.findUserByUsername(instance.id, 'sam');
      assert.equal(sam?.routingProfileId, profile?.id);
      assert.equal(sam?.phoneConfig.autoAccept, true);
      assert.equal(await verifyPassword('Sales-Pass-7', sam?.passwordHash ?? ''), true);
      const statuses = ok(await app.request(agentOps.listAgentStatuses({}, instance.id))).AgentStatusSummaryList;
      assert.deepEqual(pluck(statuses, 'Name'), ['Available', 'Offline']);

      // Applying the declarations again, as every start does, creates nothing twice.
      await applyDeclarations(app.outdial.resources, app.outdial.users, app.outdial.config.instances, silentLogger);
      assert.equal((await app.outdial.users.listUsers(instance.id, { limit: 10 })).length, 1);
      assert.equal((await app.outdial.users.listRoutingProfiles(instance.id, { limit: 10 })).length, 1);
    });
  });
});
