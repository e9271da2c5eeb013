/**
 * `outdial serve` as a process: its ready line, health check, refusal to expose the local keys, signals,
 * the SQLite file across restarts, recovery of contacts a killed process left live, and config errors.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  type ConnectClient,
  CreateContactFlowCommand,
  DescribeContactCommand,
  DescribeContactFlowCommand,
  ListContactFlowsCommand,
  ListInstancesCommand,
  ListPhoneNumbersV2Command,
  StartOutboundVoiceContactCommand,
  UpdateContactFlowContentCommand,
} from '@aws-sdk/client-connect';
import { DEMO, DEMO_FLOW_CONTENT } from '../../src/services/seed.js';
import {
  connectClient,
  DEFAULT_SERVER_CONFIG,
  runOutdial,
  startServer,
  tempDir,
  waitFor,
  type ServerProcess,
} from '../helpers/server-process.js';

const FLOW_CONTENT = JSON.stringify({
  Version: '2019-10-30',
  StartAction: 'bye',
  Actions: [{ Identifier: 'bye', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} }],
});

/** Real-time engine (speed 1), so a never-answered call with a 60 s ring timeout stays live for the test. */
const REAL_TIME_CONFIG = { rateLimitDisabled: true, logLevel: 'warn' };

describe('outdial serve', () => {
  const servers: ServerProcess[] = [];
  const clients: ConnectClient[] = [];
  const dirs: string[] = [];

  const start = async (options: Parameters<typeof startServer>[0] = {}): Promise<ServerProcess> => {
    const server = await startServer(options);
    servers.push(server);
    return server;
  };
  const client = (...args: Parameters<typeof connectClient>): ConnectClient => {
    const c = connectClient(...args);
    clients.push(c);
    return c;
  };

  after(async () => {
    for (const c of clients) c.destroy();
    await Promise.all(servers.map((s) => s.cleanup()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('prints exactly one ready line, with its URL, and nothing else on stdout while it runs', async () => {
    const server = await start();
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(server.port, 0);
    await client(server.url).send(new ListInstancesCommand({}));
    const lines = server.stdout.split('\n').filter((line) => line !== '');
    assert.equal(lines.length, 1, server.stdout);
    assert.ok(lines[0]?.startsWith(`outdial listening on ${server.url} `), lines[0]);
    assert.match(lines[0] ?? '', /AWS_ACCESS_KEY_ID=AKIDOUTDIALLOCAL/);
    assert.ok(lines[0]?.includes(`agent console: ${server.url}/console/ (agent / Agent-Demo-1)`), lines[0]);
  });

  it('answers GET /health with 200', async () => {
    const server = await start();
    const response = await fetch(`${server.url}/health`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });

  it('refuses to listen on 0.0.0.0 with the built-in local keys, naming OUTDIAL_ACCESS_KEY_ID', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const result = await runOutdial(['serve', '--host', '0.0.0.0', '--port', '0', '--db', join(dir, 'outdial.db')], { cwd: dir });
    assert.notEqual(result.code, 0);
    assert.doesNotMatch(result.stdout, /outdial listening/);
    assert.match(result.stderr, /refusing to listen on 0\.0\.0\.0/);
    assert.match(result.stderr, /OUTDIAL_ACCESS_KEY_ID/);
  });

  it('listens on 0.0.0.0 with configured keys, accepting them and refusing the local default keys', async () => {
    const keys = { accessKeyId: 'AKIDE2ECONFIGURED', secretAccessKey: 'e2e-configured-secret' };
    const server = await start({
      args: ['--host', '0.0.0.0'],
      env: { OUTDIAL_ACCESS_KEY_ID: keys.accessKeyId, OUTDIAL_SECRET_ACCESS_KEY: keys.secretAccessKey },
    });
    assert.match(server.url, /^http:\/\/0\.0\.0\.0:\d+$/);
    assert.doesNotMatch(server.stdout, /AKIDOUTDIALLOCAL|outdial-local-secret/, 'the ready line shows no local keys');
    const url = `http://127.0.0.1:${server.port}`;

    const withLocalKeys = await client(url).send(new ListInstancesCommand({})).then(
      () => assert.fail('the local default keys were accepted'),
      (error: { name: string; $metadata: { httpStatusCode?: number } }) => error,
    );
    assert.equal(withLocalKeys.name, 'UnrecognizedClientException');
    assert.equal(withLocalKeys.$metadata.httpStatusCode, 403);

    const { InstanceSummaryList } = await client(url, { credentials: keys }).send(new ListInstancesCommand({}));
    assert.ok(InstanceSummaryList?.some((i) => i.Id === DEMO.instanceId));
  });

  it('stops on SIGTERM with exit code 0 and says so', async () => {
    const server = await start();
    await client(server.url).send(new ListInstancesCommand({}));
    assert.equal(await server.stop(), 0);
    assert.match(server.stdout, /^outdial stopped \(SIGTERM\)$/m);
    assert.equal(server.stdout.split('\n').filter((line) => line !== '').length, 2, server.stdout);
  });

  it('stops on SIGINT with exit code 0 and says so', async () => {
    const server = await start();
    await client(server.url).send(new ListInstancesCommand({}));
    server.kill('SIGINT');
    const { code, signal } = await server.exited;
    assert.equal(code, 0);
    assert.equal(signal, null);
    assert.match(server.stdout, /^outdial stopped \(SIGINT\)$/m);
  });

  it('stops cleanly on SIGTERM or SIGINT sent the moment its ready line appears', async () => {
    // Signals are sent in the same tick the line is read; a few tries make a window between the line and
    // the signal handlers show up reliably.
    const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGTERM', 'SIGINT', 'SIGTERM', 'SIGINT'];
    const stopOnReady = async (signal: NodeJS.Signals) => {
      const server = await start({ signalOnReady: signal });
      const { code, signal: killedBy } = await server.exited;
      return { signal, code, killedBy, stopped: server.stdout.includes(`outdial stopped (${signal})`) };
    };
    // Two at a time, as many as there are cores: six starting at once took over 20 s on a loaded machine.
    const outcomes = [];
    for (let i = 0; i < signals.length; i += 2) outcomes.push(...(await Promise.all(signals.slice(i, i + 2).map(stopOnReady))));
    const unclean = outcomes.filter((o) => o.code !== 0 || !o.stopped);
    assert.deepEqual(
      unclean,
      [],
      `${unclean.length} of ${outcomes.length} servers died from the signal instead of stopping cleanly: ${JSON.stringify(unclean)}`,
    );
  });

  it('keeps its SQLite file across restarts: a flow created before is listed after, and the demo is seeded once', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const dbPath = join(dir, 'kept.db');

    const first = await start({ dbPath });
    const created = await client(first.url).send(
      new CreateContactFlowCommand({ InstanceId: DEMO.instanceId, Name: 'Survives restarts', Type: 'CONTACT_FLOW', Content: FLOW_CONTENT }),
    );
    assert.equal(await first.stop(), 0);

    const second = await start({ dbPath });
    const connect = client(second.url);
    const { ContactFlowSummaryList } = await connect.send(new ListContactFlowsCommand({ InstanceId: DEMO.instanceId }));
    assert.deepEqual(
      ContactFlowSummaryList?.map((f) => f.Name).sort(),
      ['Demo outbound flow', 'Demo queue flow', 'Survives restarts'],
    );
    assert.equal(ContactFlowSummaryList?.find((f) => f.Name === 'Survives restarts')?.Id, created.ContactFlowId);

    const { InstanceSummaryList } = await connect.send(new ListInstancesCommand({}));
    assert.deepEqual(InstanceSummaryList?.map((i) => i.Id), [DEMO.instanceId]);
    const { ListPhoneNumbersSummaryList } = await connect.send(new ListPhoneNumbersV2Command({ InstanceId: DEMO.instanceId }));
    assert.deepEqual(ListPhoneNumbersSummaryList?.map((n) => n.PhoneNumber).sort(), [DEMO.tollFreeNumber, DEMO.callerIdNumber].sort());
  });

  it('ends a contact left live by a SIGKILLed process as TELECOM_PROBLEM after restart, without dialing it again', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const dbPath = join(dir, 'killed.db');

    const first = await start({ dbPath, config: REAL_TIME_CONFIG });
    const before = client(first.url);
    const { ContactId } = await before.send(
      new StartOutboundVoiceContactCommand({
        InstanceId: DEMO.instanceId,
        ContactFlowId: DEMO.flowId,
        QueueId: DEMO.queueId,
        DestinationPhoneNumber: '+12065550104', // rings and never answers
        RingTimeoutInSeconds: 60,
      }),
    );
    const ringing = await waitFor('the call to ring', async () => {
      const { Contact: c } = await before.send(new DescribeContactCommand({ InstanceId: DEMO.instanceId, ContactId }));
      return c?.RingStartTimestamp === undefined ? undefined : c;
    });
    assert.equal(ringing.DisconnectTimestamp, undefined);

    first.kill('SIGKILL');
    assert.deepEqual(await first.exited, { code: null, signal: 'SIGKILL' });
    assert.doesNotMatch(first.stdout, /outdial stopped/);

    const second = await start({ dbPath, config: REAL_TIME_CONFIG });
    const { Contact: contact } = await client(second.url).send(new DescribeContactCommand({ InstanceId: DEMO.instanceId, ContactId }));
    assert.equal(contact?.DisconnectReason, 'TELECOM_PROBLEM');
    assert.ok(contact?.DisconnectTimestamp instanceof Date);
    assert.ok(contact.DisconnectTimestamp.getTime() >= (ringing.RingStartTimestamp?.getTime() ?? Infinity));
    assert.equal(contact.RingStartTimestamp?.getTime(), ringing.RingStartTimestamp?.getTime(), 'the call was not dialed again');
    assert.equal(contact.ConnectedToSystemTimestamp, undefined);
    assert.equal(contact.LastUpdateTimestamp?.getTime(), contact.DisconnectTimestamp.getTime(), 'nothing happened to it after it was closed');
    assert.match(second.stderr, /closed contacts left live by the previous run/);
  });

  it('never records a contact closed after a restart as disconnected before it started ringing, even with --speed', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const dbPath = join(dir, 'fast.db');
    const config = { rateLimitDisabled: true, logLevel: 'warn', network: { speed: 50 } };

    const first = await start({ dbPath, config });
    const before = client(first.url);
    // At speed 50 the engine's clock runs ahead of real time; wait until it is a minute ahead.
    await waitFor('the engine clock to run a minute ahead', async () => {
      await before.send(new UpdateContactFlowContentCommand({ InstanceId: DEMO.instanceId, ContactFlowId: DEMO.flowId, Content: DEMO_FLOW_CONTENT }));
      const { ContactFlow } = await before.send(new DescribeContactFlowCommand({ InstanceId: DEMO.instanceId, ContactFlowId: DEMO.flowId }));
      return (ContactFlow?.LastModifiedTime?.getTime() ?? 0) - Date.now() > 60_000 ? true : undefined;
    });
    const { ContactId } = await before.send(
      new StartOutboundVoiceContactCommand({
        InstanceId: DEMO.instanceId,
        ContactFlowId: DEMO.flowId,
        QueueId: DEMO.queueId,
        DestinationPhoneNumber: '+12065550104',
        RingTimeoutInSeconds: 60, // 1.2 s of real time at speed 50
      }),
    );
    const ringing = await waitFor('the call to ring', async () => {
      const { Contact: c } = await before.send(new DescribeContactCommand({ InstanceId: DEMO.instanceId, ContactId }));
      return c?.RingStartTimestamp === undefined ? undefined : c;
    });
    first.kill('SIGKILL');
    await first.exited;

    const second = await start({ dbPath, config });
    const { Contact: contact } = await client(second.url).send(new DescribeContactCommand({ InstanceId: DEMO.instanceId, ContactId }));
    assert.equal(contact?.DisconnectReason, 'TELECOM_PROBLEM', 'the contact was still live when the process was killed');
    const ringStart = ringing.RingStartTimestamp?.getTime() ?? Infinity;
    const disconnect = contact.DisconnectTimestamp?.getTime() ?? -Infinity;
    assert.ok(
      disconnect >= ringStart,
      `DisconnectTimestamp ${contact.DisconnectTimestamp?.toISOString()} is ${(ringStart - disconnect) / 1000} s before RingStartTimestamp ${ringing.RingStartTimestamp?.toISOString()}`,
    );
  });

  it('ends live contacts as TELECOM_PROBLEM when stopped with SIGTERM', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const dbPath = join(dir, 'stopped.db');

    const first = await start({ dbPath, config: REAL_TIME_CONFIG });
    const { ContactId } = await client(first.url).send(
      new StartOutboundVoiceContactCommand({
        InstanceId: DEMO.instanceId,
        ContactFlowId: DEMO.flowId,
        QueueId: DEMO.queueId,
        DestinationPhoneNumber: '+12065550104',
      }),
    );
    assert.equal(await first.stop(), 0);

    const second = await start({ dbPath, config: REAL_TIME_CONFIG });
    const { Contact: contact } = await client(second.url).send(new DescribeContactCommand({ InstanceId: DEMO.instanceId, ContactId }));
    assert.equal(contact?.DisconnectReason, 'TELECOM_PROBLEM');
    assert.ok(contact?.DisconnectTimestamp instanceof Date);
    assert.doesNotMatch(second.stderr, /closed contacts left live by the previous run/);
  });

  it('refuses a config file with an unknown key, naming the key', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const configPath = join(dir, 'bad.json');
    writeFileSync(configPath, JSON.stringify({ ...DEFAULT_SERVER_CONFIG, ratelimitDisabled: true }));
    const result = await runOutdial(['serve', '--port', '0', '--db', join(dir, 'outdial.db'), '--config', configPath], { cwd: dir });
    assert.notEqual(result.code, 0);
    assert.doesNotMatch(result.stdout, /outdial listening/);
    assert.match(result.stderr, new RegExp(`config file ${configPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is invalid`));
    assert.match(result.stderr, /ratelimitDisabled/);
  });

  it('refuses to start a SIP trunk without its text-to-speech program, naming the package to install', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const configPath = join(dir, 'sip.json');
    const telephony = { default: 'carrier', trunks: [{ name: 'carrier', host: '127.0.0.1' }], sip: { port: 0, tts: { command: join(dir, 'no-espeak-here') } } };
    writeFileSync(configPath, JSON.stringify({ logLevel: 'warn', telephony }));
    const result = await runOutdial(['serve', '--port', '0', '--db', join(dir, 'outdial.db'), '--config', configPath], { cwd: dir });
    assert.notEqual(result.code, 0);
    assert.doesNotMatch(result.stdout, /outdial listening/);
    assert.match(result.stderr, /espeak-ng not found/);
    assert.match(result.stderr, /install Debian's espeak-ng package or set telephony\.sip\.tts\.command/);
  });

  it('refuses a SIP trunk with a speed factor: trunks run in real time', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const configPath = join(dir, 'sip.json');
    writeFileSync(configPath, JSON.stringify({ network: { speed: 10 }, telephony: { trunks: [{ name: 'carrier', host: '127.0.0.1' }] } }));
    const result = await runOutdial(['serve', '--port', '0', '--db', join(dir, 'outdial.db'), '--config', configPath], { cwd: dir });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /SIP trunks run in real time/);
  });
});
