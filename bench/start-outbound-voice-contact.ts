/**
 * `npm run bench`: accepted StartOutboundVoiceContact requests per second against a real outdial process
 * (SigV4 on, SQLite file store, simulated network, quotas raised), and in the same run a bare Node HTTP
 * server answering a fixed JSON body, both under the same signed requests, generated two ways (see Mode).
 * Servers alternate for BENCH_ROUNDS rounds, so a noisy neighbour weighs on all; it prints the median of
 * each, their ratios, and writes bench/results.json.
 *
 * Options (env): BENCH_SECONDS per measurement (default 6), BENCH_ROUNDS (default 3), BENCH_PROFILE, BENCH_CONNECTIONS
 * (default 32), BENCH_DESTINATION (default +12065550100, which answers after 2 s and is then
 * disconnected by the flow; +12065550104 rings past the run, which leaves out the answer and the end),
 * BENCH_FLOW_LOGS (default false: the demo instance's CONTACTFLOW_LOGS is switched off before the run,
 * as flow logs are an option on Connect too; true keeps them), BENCH_EVENT_FILES (default false: no event
 * sink, so no contact event or record is written; true delivers every event and record to JSON-lines files).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { DEFAULTS } from '../src/config/defaults.js';
import { DEMO } from '../src/services/seed.js';
import { signedHeaders } from './sign.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 6);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const destination = process.env.BENCH_DESTINATION ?? '+12065550100';
const flowLogs = process.env.BENCH_FLOW_LOGS === 'true';
const eventFiles = process.env.BENCH_EVENT_FILES === 'true';
/** Requests signed before a pre-signed run: more than outdial accepts in one, fewer than would strain memory. */
const POOL_SIZE = 100_000;
/** Longer than a benchmark contact lives: 2 s of ringing and the demo flow's 3.6 s prompt. */
const WARM_UP_SECONDS = 8;
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
/** BENCH_PROFILE=<dir> writes a V8 CPU profile of each outdial server run there. */
const profile = process.env.BENCH_PROFILE === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`];
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
 * How the load generator produces requests. `client`: it signs each request as it sends it, as every
 * AWS client does, so the generator's own work shares the machine with the server. `presigned`: it signs
 * them all before the run, so the reference measures the bare server's raw HTTP capacity.
 */
type Mode = 'client' | 'presigned';
const MODES: readonly Mode[] = ['client', 'presigned'];

/**
 * Loads `url` with signed StartOutboundVoiceContact requests, each with a ClientToken of its own (past a
 * pre-signed pool, requests are signed on the fly, so no accepted request is a replay). The bare server,
 * which reads no token, may get the pool over and over.
 */
async function load(url: string, mode: Mode, { reusePool, warmUp }: { reusePool: boolean; warmUp: boolean }): Promise<Measurement> {
  const { host } = new URL(url);
  const pool = mode === 'presigned' ? Array.from({ length: POOL_SIZE }, () => signedRequest(host)) : [];
  let next = 0;
  const run = (duration: number) =>
    autocannon({
      url,
      connections,
      duration,
      requests: [
        {
          method: 'PUT',
          path: PATH,
          setupRequest: (request) => ({
            ...request,
            ...(reusePool && pool.length > 0 ? pool[next++ % pool.length] : (pool[next++] ?? signedRequest(host))),
          }),
        },
      ],
    });
  // Contacts live for seconds after they are accepted (ringing, the flow's prompt): measured only after
  // a warm-up as long as a contact's life, the window carries the lifecycle work of earlier contacts too.
  if (warmUp) {
    const warm = await run(WARM_UP_SECONDS);
    if (warm.non2xx > 0 || warm.errors > 0) throw new Error(`${warm.non2xx} refused and ${warm.errors} failed requests during the warm-up`);
  }
  const result = await run(seconds);
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

/** UpdateInstanceAttribute CONTACTFLOW_LOGS on the demo instance, as a client would send it. */
async function setFlowLogs(url: string, enabled: boolean): Promise<void> {
  const { host } = new URL(url);
  const path = `/instance/${DEMO.instanceId}/attribute/CONTACTFLOW_LOGS`;
  const body = JSON.stringify({ Value: String(enabled) });
  const response = await fetch(new URL(path, url), {
    method: 'POST',
    body,
    headers: signedHeaders({ method: 'POST', host, path, body, region: 'us-east-1', ...DEFAULTS.localCredentials }),
  });
  if (!response.ok) throw new Error(`UpdateInstanceAttribute answered ${response.status}: ${await response.text()}`);
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
      JSON.stringify({
        logLevel: 'warn',
        rateLimitDisabled: true,
        quotas: { concurrentActiveCallsPerInstance: 1_000_000_000 },
        ...(eventFiles && {
          events: {
            sinks: [
              { type: 'file', name: 'events', path: join(dir, 'events.jsonl'), stream: 'events' },
              { type: 'file', name: 'records', path: join(dir, 'records.jsonl'), stream: 'records' },
            ],
          },
        }),
      }),
    );

    const runs = { client: { bare: [] as Measurement[], outdial: [] as Measurement[] }, presigned: { bare: [] as Measurement[], outdial: [] as Measurement[] } };
    for (let round = 1; round <= rounds; round++) {
      for (const mode of MODES) {
        const bare = await start(process.execPath, ['bench/bare-server.mjs']);
        runs[mode].bare.push(await load(bare.url, mode, { reusePool: true, warmUp: false }));
        await stop(bare.child);
        // A fresh store each time, so every measurement starts from the same state.
        const db = join(dir, `bench-${round}-${mode}.db`);
        const outdial = await start(process.execPath, [...profile, 'bin/outdial.js', 'serve', '--port', '0', '--db', db, '--config', configPath]);
        await setFlowLogs(outdial.url, flowLogs);
        runs[mode].outdial.push(await load(outdial.url, mode, { reusePool: false, warmUp: true }));
        await stop(outdial.child);
        process.stdout.write(
          `round ${round}, ${mode}: bare ${runs[mode].bare.at(-1)?.requestsPerSecond} req/s, outdial ${runs[mode].outdial.at(-1)?.requestsPerSecond} accepted/s\n`,
        );
      }
    }
    const summary = Object.fromEntries(
      MODES.map((mode) => {
        const bare = median(runs[mode].bare);
        const outdial = median(runs[mode].outdial);
        return [mode, { bareNodeHttp: bare, outdialStartOutboundVoiceContact: outdial, ratio: Number((outdial.requestsPerSecond / bare.requestsPerSecond).toFixed(3)) }];
      }),
    ) as Record<Mode, { bareNodeHttp: Measurement; outdialStartOutboundVoiceContact: Measurement; ratio: number }>;
    const report = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
      seconds,
      rounds,
      destination,
      flowLogs,
      eventFiles,
      connections,
      rawRounds: runs,
      ...summary,
    };
    // The SIP benchmarks keep their results under keys of their own in the same file.
    const resultsPath = join(root, 'bench', 'results.json');
    let kept: Record<string, unknown> = {};
    try {
      kept = Object.fromEntries(Object.entries(JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, unknown>).filter(([key]) => key.startsWith('sip')));
    } catch {
      // No earlier results.
    }
    writeFileSync(resultsPath, `${JSON.stringify({ ...report, ...kept }, null, 2)}\n`);
    const row = (label: string, pick: (mode: Mode) => string) => `${label.padEnd(36)}${MODES.map((m) => pick(m).padEnd(34)).join('')}`;
    const rate = (m: Measurement, unit: string) => `${m.requestsPerSecond} ${unit} (p99 ${m.latencyP99Ms} ms)`;
    process.stdout.write(
      [
        row('', (m) => (m === 'client' ? 'signed as a client signs' : 'pre-signed (raw HTTP capacity)')),
        row('bare node:http (fixed JSON)', (m) => rate(summary[m].bareNodeHttp, 'req/s')),
        row('outdial StartOutboundVoiceContact', (m) => rate(summary[m].outdialStartOutboundVoiceContact, 'accepted/s')),
        row('ratio outdial / bare', (m) => summary[m].ratio.toFixed(3)),
        '',
      ].join('\n'),
    );
    const measurements = MODES.flatMap((m) => runs[m].outdial);
    if (measurements.some((m) => m.rejected > 0 || m.errors > 0)) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
