/**
 * Routing profiles, users and agent statuses through @aws-sdk/client-connect against a real outdial
 * process: every success path, and the modeled errors as the SDK surfaces them (name, status, fault).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type ConnectClient,
  CreateRoutingProfileCommand,
  CreateUserCommand,
  type CreateUserCommandInput,
  DeleteUserCommand,
  DescribeRoutingProfileCommand,
  DescribeUserCommand,
  ListAgentStatusesCommand,
  paginateListRoutingProfiles,
  paginateListUsers,
  UpdateUserRoutingProfileCommand,
} from '@aws-sdk/client-connect';
import { DEMO } from '../../src/services/seed.js';
import { connectClient, rejection, startServer, type ServerProcess } from '../helpers/server-process.js';


async function assertServiceError(promise: Promise<unknown>, name: string, status: number, message: RegExp): Promise<void> {
  const error = await rejection(promise);
  assert.equal(error.name, name, `unexpected error: ${error.message}`);
  assert.equal(error.$metadata.httpStatusCode, status);
  assert.equal(error.$fault, 'client');
  assert.match(error.message, message);
}

const newUser = (overrides: Partial<CreateUserCommandInput> = {}): CreateUserCommandInput => ({
  InstanceId: DEMO.instanceId,
  Username: 'sdk-user',
  Password: 'Sdk-Pass-123',
  IdentityInfo: { FirstName: 'Sdk', LastName: 'User' },
  PhoneConfig: { PhoneType: 'SOFT_PHONE', AutoAccept: false, AfterContactWorkTimeLimit: 10 },
  SecurityProfileIds: ['sp-1'],
  RoutingProfileId: DEMO.routingProfileId,
  ...overrides,
});

describe('agent-side operations through @aws-sdk/client-connect', () => {
  let server: ServerProcess;
  let connect: ConnectClient;

  before(async () => {
    server = await startServer();
    connect = connectClient(server.url);
  });

  after(async () => {
    connect?.destroy();
    await server?.cleanup();
  });

  it('creates, describes, lists, moves and deletes users and routing profiles', async () => {
    const profile = await connect.send(
      new CreateRoutingProfileCommand({
        InstanceId: DEMO.instanceId,
        Name: 'SDK profile',
        Description: 'made by the SDK',
        DefaultOutboundQueueId: DEMO.queueId,
        QueueConfigs: [{ QueueReference: { QueueId: DEMO.queueId, Channel: 'VOICE' }, Priority: 3, Delay: 0 }],
        MediaConcurrencies: [{ Channel: 'VOICE', Concurrency: 1 }],
      }),
    );
    const profileId = profile.RoutingProfileId ?? assert.fail('no RoutingProfileId');
    const described = await connect.send(new DescribeRoutingProfileCommand({ InstanceId: DEMO.instanceId, RoutingProfileId: profileId }));
    assert.equal(described.RoutingProfile?.Name, 'SDK profile');
    assert.deepEqual(described.RoutingProfile?.MediaConcurrencies, [{ Channel: 'VOICE', Concurrency: 1 }]);
    assert.ok(described.RoutingProfile?.LastModifiedTime instanceof Date);

    const profiles: string[] = [];
    for await (const page of paginateListRoutingProfiles({ client: connect, pageSize: 1 }, { InstanceId: DEMO.instanceId })) {
      profiles.push(...(page.RoutingProfileSummaryList ?? []).map((p) => p.Name ?? ''));
    }
    assert.deepEqual(profiles.sort(), ['Basic Routing Profile', 'SDK profile']);

    const created = await connect.send(new CreateUserCommand(newUser()));
    const userId = created.UserId ?? assert.fail('no UserId');
    assert.equal(created.UserArn, `arn:aws:connect:us-east-1:000000000000:instance/${DEMO.instanceId}/agent/${userId}`);
    const { User: user } = await connect.send(new DescribeUserCommand({ InstanceId: DEMO.instanceId, UserId: userId }));
    assert.equal(user?.Username, 'sdk-user');
    assert.deepEqual(user?.PhoneConfig, { PhoneType: 'SOFT_PHONE', AutoAccept: false, AfterContactWorkTimeLimit: 10 });
    assert.equal(user?.RoutingProfileId, DEMO.routingProfileId);

    const usernames: string[] = [];
    for await (const page of paginateListUsers({ client: connect, pageSize: 1 }, { InstanceId: DEMO.instanceId })) {
      usernames.push(...(page.UserSummaryList ?? []).map((u) => u.Username ?? ''));
    }
    assert.deepEqual(usernames.sort(), [DEMO.agentUsername, 'sdk-user']);

    await connect.send(new UpdateUserRoutingProfileCommand({ InstanceId: DEMO.instanceId, UserId: userId, RoutingProfileId: profileId }));
    const moved = await connect.send(new DescribeUserCommand({ InstanceId: DEMO.instanceId, UserId: userId }));
    assert.equal(moved.User?.RoutingProfileId, profileId);

    await connect.send(new DeleteUserCommand({ InstanceId: DEMO.instanceId, UserId: userId }));
    await assertServiceError(
      connect.send(new DescribeUserCommand({ InstanceId: DEMO.instanceId, UserId: userId })),
      'ResourceNotFoundException',
      404,
      /User not found/,
    );
  });

  it('lists the default agent statuses, filtered by type', async () => {
    const all = await connect.send(new ListAgentStatusesCommand({ InstanceId: DEMO.instanceId }));
    assert.deepEqual(
      all.AgentStatusSummaryList?.map((s) => [s.Name, s.Type]),
      [
        ['Available', 'ROUTABLE'],
        ['Offline', 'OFFLINE'],
      ],
    );
    const routable = await connect.send(new ListAgentStatusesCommand({ InstanceId: DEMO.instanceId, AgentStatusTypes: ['ROUTABLE'] }));
    assert.deepEqual(routable.AgentStatusSummaryList?.map((s) => s.Name), ['Available']);
  });

  it('surfaces the modeled errors of CreateUser and CreateRoutingProfile', async () => {
    await assertServiceError(connect.send(new CreateUserCommand(newUser({ Username: DEMO.agentUsername }))), 'DuplicateResourceException', 409, /agent/);
    await assertServiceError(
      connect.send(new CreateUserCommand(newUser({ Username: 'weak', Password: 'password' }))),
      'InvalidParameterException',
      400,
      /password/i,
    );
    await assertServiceError(
      connect.send(new CreateUserCommand(newUser({ Username: 'lost', RoutingProfileId: '99999999-9999-4999-8999-999999999999' }))),
      'ResourceNotFoundException',
      404,
      /Routing profile/,
    );
    await assertServiceError(
      connect.send(new CreateUserCommand(newUser({ Username: 'desk', PhoneConfig: { PhoneType: 'DESK_PHONE' } }))),
      'InvalidParameterException',
      400,
      /DeskPhoneNumber/,
    );
    await assertServiceError(
      connect.send(
        new CreateRoutingProfileCommand({
          InstanceId: DEMO.instanceId,
          Name: 'Broken',
          Description: 'unknown queue',
          DefaultOutboundQueueId: DEMO.queueId,
          QueueConfigs: [{ QueueReference: { QueueId: '99999999-9999-4999-8999-999999999999', Channel: 'VOICE' }, Priority: 1, Delay: 0 }],
          MediaConcurrencies: [{ Channel: 'VOICE', Concurrency: 1 }],
        }),
      ),
      'ResourceNotFoundException',
      404,
      /Queue not found/,
    );
  });
});
