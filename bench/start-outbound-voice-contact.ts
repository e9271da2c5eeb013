/**
 * `npm run bench`: accepted StartOutboundVoiceContact requests per second against a real outdial process
 * (SigV4 on, SQLite file store, simulated network, quotas raised), and in the same run a bare Node HTTP
 * server answering a fixed JSON body, both under the same signed requests. The two alternate for BENCH_ROUNDS rounds, so a noisy neighbour
 * weighs on both; it prints the median of each, their ratio, and writes bench/results.json.
 *
 * Options (env): BENCH_SECONDS per measurement (default 6), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS
 * (default 32), BENCH_DESTINATION (default +12065550100, which answers after 2 s and is then
 * disconnected by the flow; +12065550104 rings past the run, which leaves out the answer and the end).
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
const destination = process.env.BENCH_DESTINATION ?? '+12065550100';
/** Requests signed before each run: more than outdial accepts in one, fewer than would strain memory. */
const POOL_SIZE = 100_000;
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

const PATH = '/contact/outbound-voice';

interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/** A signed StartOutboundVoiceContact with a ClientToken of its own. */
function signedRequest(host: string): SignedRequest {
  const body = JSON.stringify({
    DestinationPhoneNumber: destination,
    ContactFlowId: DEMO.flowId,
    InstanceId: DEMO.instanceId,
    QueueId: DEMO.queueId,
    ClientToken: randomUUID(),
    Attributes: { orderId: '42' },
  });
  return { body, headers: signedHeaders({ method: 'PUT', host, path: PATH, body, region: 'us-east-1', ...DEFAULTS.localCredentials }) };
}

/**
 * Loads `url` with signed StartOutboundVoiceContact requests. They are signed before the run, so the
 * load generator's own cost (it shares the machine) weighs on neither server; past the pool, requests
 * are signed on the fly, each with a fresh ClientToken, so no accepted request is a replay. The bare
 * server, which reads no token, gets the pool over and over.
 */
async function load(url: string, { reusePool }: { reusePool: boolean }): Promise<Measurement> {
  const { host } = new URL(url);
  const pool = Array.from({ length: POOL_SIZE }, () => signedRequest(host));
  let next = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'PUT',
        path: PATH,
        setupRequest: (request) => ({
          ...request,
          ...(reusePool ? pool[next++ % POOL_SIZE] : (pool[next++] ?? signedRequest(host))),
        }),
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
      references.push(await load(bare.url, { reusePool: true }));
      await stop(bare.child);
      // A fresh store each round, so every round starts from the same state.
      const db = join(dir, `bench-${round}.db`);
      const outdial = await start(process.execPath, ['bin/outdial.js', 'serve', '--port', '0', '--db', db, '--config', configPath]);
      measurements.push(await load(outdial.url, { reusePool: false }));
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
      destination,
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
