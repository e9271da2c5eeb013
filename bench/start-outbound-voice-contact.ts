/**
 * `npm run bench`: accepted StartOutboundVoiceContact requests per second against a real outdial process
 * (SigV4 on, SQLite file store, simulated network, quotas raised), and in the same run a bare Node HTTP
 * server answering a fixed JSON body. The two alternate for BENCH_ROUNDS rounds, so a noisy neighbour
 * weighs on both; it prints the median of each, their ratio, and writes bench/results.json.
 *
 * Options (env): BENCH_SECONDS per measurement (default 6), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS
 * (default 32).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { DEFAULTS } from '../src/config/defaults.js';
import { DEMO } from '../src/services/seed.js';
import { signedHeaders } from './sign.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 6);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const root = new URL('..', import.meta.url).pathname;

interface Measurement {
  requestsPerSecond: number;
  accepted: number;
  rejected: number;
  errors: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

async function start(command: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code} before it was ready`)));
  });
  return { child, url };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function load(url: string, sign: boolean): Promise<Measurement> {
  const { host } = new URL(url);
  const path = '/contact/outbound-voice';
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'PUT',
        path,
        setupRequest: (request) => {
          const body = JSON.stringify({
            DestinationPhoneNumber: '+12065550100',
            ContactFlowId: DEMO.flowId,
            InstanceId: DEMO.instanceId,
            QueueId: DEMO.queueId,
            ClientToken: randomUUID(),
            Attributes: { orderId: '42' },
          });
          const headers = sign
            ? signedHeaders({ method: 'PUT', host, path, body, region: 'us-east-1', ...DEFAULTS.localCredentials })
            : { 'content-type': 'application/json' };
          return { ...request, body, headers };
        },
      },
    ],
  });
  const accepted = result['2xx'];
  return {
    requestsPerSecond: Math.round(accepted / seconds),
    accepted,
    rejected: result.non2xx,
    errors: result.errors + result.timeouts,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
  };
}

/** The round with the median rate. */
function median(results: readonly Measurement[]): Measurement {
  const sorted = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error('no measurements');
  return middle;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'outdial-bench-'));
  try {
    const configPath = join(dir, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({ logLevel: 'warn', rateLimitDisabled: true, quotas: { concurrentActiveCallsPerInstance: 1_000_000_000 } }),
    );

    const references: Measurement[] = [];
    const measurements: Measurement[] = [];
    for (let round = 1; round <= rounds; round++) {
      const bare = await start(process.execPath, ['bench/bare-server.mjs']);
      references.push(await load(bare.url, false));
      await stop(bare.child);
      // A fresh store each round, so every round starts from the same state.
      const db = join(dir, `bench-${round}.db`);
      const outdial = await start(process.execPath, ['bin/outdial.js', 'serve', '--port', '0', '--db', db, '--config', configPath]);
      measurements.push(await load(outdial.url, true));
      await stop(outdial.child);
      process.stdout.write(
        `round ${round}: bare ${references.at(-1)?.requestsPerSecond} req/s, outdial ${measurements.at(-1)?.requestsPerSecond} accepted/s\n`,
      );
    }
    const reference = median(references);
    const measured = median(measurements);
    const ratio = measured.requestsPerSecond / reference.requestsPerSecond;
    const report = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
      seconds,
      rounds,
      connections,
      rawRounds: { bareNodeHttp: references, outdial: measurements },
      bareNodeHttp: reference,
      outdialStartOutboundVoiceContact: measured,
      ratio: Number(ratio.toFixed(3)),
    };
    writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(
      [
        `bare node:http (fixed JSON)          ${reference.requestsPerSecond} req/s  p50 ${reference.latencyP50Ms} ms  p99 ${reference.latencyP99Ms} ms`,
        `outdial StartOutboundVoiceContact    ${measured.requestsPerSecond} accepted/s  p50 ${measured.latencyP50Ms} ms  p99 ${measured.latencyP99Ms} ms  (rejected ${measured.rejected}, errors ${measured.errors})`,
        `ratio outdial / bare                 ${ratio.toFixed(3)}`,
        '',
      ].join('\n'),
    );
    if (measurements.some((m) => m.rejected > 0 || m.errors > 0)) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
