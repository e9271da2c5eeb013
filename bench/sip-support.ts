/**
 * What the SIP benchmarks share: SIPp and outdial as child processes (killed when the benchmark exits,
 * however it exits), free ports, CPU time per process from /proc, the contacts' outcomes read from the
 * run's SQLite file, and bench/results.json, where each benchmark keeps its own key.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULTS } from '../src/config/defaults.js';
import { DEMO } from '../src/services/seed.js';
import { signedHeaders } from './sign.js';

export const ROOT = new URL('..', import.meta.url).pathname;
export const RESULTS = join(ROOT, 'bench', 'results.json');

// ---- children ----------------------------------------------------------------------------------------

/** Every child still running; killed when this process exits, is interrupted or fails. */
const children = new Set<ChildProcess>();

function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A program the benchmarks drive is not installed. */
export class MissingToolError extends Error {}

/** Fails with the Debian package to install when a program the benchmark drives is missing. */
export function requireTools(): void {
  const missing: string[] = [];
  if (spawnSync('sipp', ['-v']).error !== undefined) missing.push('sipp (Debian package sip-tester)');
  if (spawnSync('espeak-ng', ['--version']).error !== undefined) missing.push('espeak-ng (Debian package espeak-ng)');
  if (!existsSync('/proc/self/stat')) missing.push('/proc (Linux), for CPU time per process');
  if (missing.length > 0) {
    throw new MissingToolError(`the SIP benchmarks need ${missing.join(' and ')}: run scripts/install-test-deps.sh (or apt-get install sip-tester espeak-ng)`);
  }
}

// ---- ports and CPU -----------------------------------------------------------------------------------

/** A UDP port the kernel reports free on 127.0.0.1 (from the ephemeral range, above outdial's RTP ports). */
export async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** Whether a TCP listener can bind `port` on 127.0.0.1 (SIP listens on UDP and TCP with one number). */
async function tcpFree(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * `count` (at least 2) even ports free on 127.0.0.1 for both UDP and TCP, a few apart (SIPp also uses its
 * media port + 2).
 */
export async function freeUdpPorts(count: number): Promise<[number, number, ...number[]]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freeUdpPort();
    if (port % 2 !== 0 || ports.some((p) => Math.abs(p - port) < 4) || !(await tcpFree(port))) continue;
    ports.push(port);
  }
  return ports as [number, number, ...number[]];
}

const TICKS_PER_SECOND = (() => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(out.stdout?.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
})();

/** CPU seconds (user + system, all threads) a process has used so far; NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds every process on the machine has used so far, by pid. */
export function allProcessesCpu(): Map<number, number> {
  const all = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const seconds = cpuSeconds(Number(entry));
    if (!Number.isNaN(seconds)) all.set(Number(entry), seconds);
  }
  return all;
}

/**
 * CPU seconds that processes other than `ours` (and this one) used between two `allProcessesCpu()`
 * snapshots: the neighbours' share of the machine during a measurement. Processes that both started and
 * ended in between are missed, so it is a lower bound.
 */
export function othersCpuSeconds(before: Map<number, number>, after: Map<number, number>, ours: readonly number[]): number {
  const excluded = new Set([...ours, process.pid]);
  let total = 0;
  for (const [pid, seconds] of after) if (!excluded.has(pid)) total += seconds - (before.get(pid) ?? 0);
  return round(total, 2);
}

/** Resident memory of a process in MiB. */
export function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Math.round(kb / 1024);
  } catch {
    return Number.NaN;
  }
}

/** Steal and idle time of the whole machine, to show how much a hypervisor took during a measurement. */
export function machineTicks(): { steal: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  return { steal: values[7] ?? 0, total: values.reduce((a, b) => a + b, 0) };
}

export function stealPercent(before: { steal: number; total: number }, after: { steal: number; total: number }): number {
  const total = after.total - before.total;
  return total > 0 ? round((100 * (after.steal - before.steal)) / total, 1) : 0;
}

/**
 * Datagrams the kernel dropped on full receive buffers of the UDP sockets bound to local `port`
 * (/proc/net/udp's `drops`, summed over every socket sharing the port).
 */
export function udpDrops(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  let drops = 0;
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1]?.endsWith(`:${hex}`)) drops += Number(fields[12] ?? 0);
  }
  return drops;
}

// ---- SIPp ---------------------------------------------------------------------------------------------

/** SIPp's cumulative counters, from the last line of its `-trace_stat` file. */
export interface SippCounters {
  readonly incoming: number;
  readonly outgoing: number;
  readonly current: number;
  readonly successful: number;
  readonly failed: number;
  readonly retransmissions: number;
  readonly deadCallMessages: number;
  readonly outOfCallMessages: number;
  /** Why calls failed, for the commonest reasons. */
  readonly failedUnexpectedMessage: number;
  readonly failedMaxUdpRetrans: number;
  readonly failedTimeoutOnRecv: number;
}

export interface Sipp {
  readonly pid: number;
  readonly child: ChildProcess;
  /** The latest counters SIPp wrote (every second, and once more as it exits). */
  counters(): SippCounters;
  /** Resolves when SIPp exits by itself (a UAC's last call done), with its exit code. */
  readonly exited: Promise<number | null>;
  stop(): Promise<SippCounters>;
}

const ZERO: SippCounters = {
  incoming: 0,
  outgoing: 0,
  current: 0,
  successful: 0,
  failed: 0,
  retransmissions: 0,
  deadCallMessages: 0,
  outOfCallMessages: 0,
  failedUnexpectedMessage: 0,
  failedMaxUdpRetrans: 0,
  failedTimeoutOnRecv: 0,
};

function readCounters(path: string): SippCounters {
  if (!existsSync(path)) return ZERO;
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const head = lines[0]?.split(';') ?? [];
  const last = lines.length > 1 ? (lines.at(-1)?.split(';') ?? []) : [];
  const field = (name: string): number => {
    const index = head.indexOf(name);
    return index < 0 ? 0 : Number(last[index] ?? 0) || 0;
  };
  return {
    incoming: field('IncomingCall(C)'),
    outgoing: field('OutgoingCall(C)'),
    current: field('CurrentCall'),
    successful: field('SuccessfulCall(C)'),
    failed: field('FailedCall(C)'),
    retransmissions: field('Retransmissions(C)'),
    deadCallMessages: field('DeadCallMsgs(C)'),
    outOfCallMessages: field('OutOfCallMsgs(C)'),
    failedUnexpectedMessage: field('FailedUnexpectedMessage(C)'),
    failedMaxUdpRetrans: field('FailedMaxUDPRetrans(C)'),
    failedTimeoutOnRecv: field('FailedTimeoutOnRecv(C)'),
  };
}

export function counterDelta(after: SippCounters, before: SippCounters): SippCounters {
  const keys = Object.keys(ZERO) as (keyof SippCounters)[];
  return Object.fromEntries(keys.map((key) => [key, key === 'current' ? after.current : after[key] - before[key]])) as unknown as SippCounters;
}

/**
 * Starts `sipp` with `args` plus statistics every second to `<dir>/<name>.csv` (and SIPp's errors to
 * `<dir>/<name>.errors.log`); fails when SIPp is not alive 300 ms later (a port taken, a bad scenario).
 */
export async function startSipp(name: string, args: readonly string[], dir: string): Promise<Sipp> {
  const stats = join(dir, `${name}.csv`);
  const full = [...args, '-nostdin', '-trace_stat', '-stf', stats, '-fd', '1', '-trace_err', '-error_file', join(dir, `${name}.errors.log`)];
  const child = track(spawn('sipp', full, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const early = await Promise.race([exited.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 300))]);
  if (early || child.pid === undefined) {
    throw new Error(`sipp ${full.join(' ')} exited at start (code ${child.exitCode}): ${stderr.trim() || 'no message'}`);
  }
  const pid = child.pid;
  return {
    pid,
    child,
    counters: () => readCounters(stats),
    exited,
    async stop() {
      await stopChild(child, 'SIGTERM', 5000);
      return readCounters(stats);
    },
  };
}

/** Waits until SIPp reports no call in progress (a UAS's calls finished their timewait) or `timeoutMs`. */
export async function sippIdle(sipp: Sipp, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  // The stats file is rewritten every second: wait for a line written after now.
  await sleep(1100);
  while (Date.now() < deadline) {
    if (sipp.counters().current === 0) return true;
    await sleep(250);
  }
  return false;
}

// ---- outdial ------------------------------------------------------------------------------------------

export interface OutdialProcess {
  readonly url: string;
  readonly pid: number;
  readonly dbPath: string;
  stop(): Promise<void>;
}

/**
 * `outdial serve` on a free HTTP port with `config` and a SQLite file in `dir`, started exactly as users
 * start it; `profileDir` adds `--cpu-prof` there.
 */
export async function startOutdial(config: object, dir: string, name: string, profileDir?: string): Promise<OutdialProcess> {
  const configPath = join(dir, `${name}.config.json`);
  const dbPath = join(dir, `${name}.db`);
  writeFileSync(configPath, JSON.stringify(config));
  const profile = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('OUTDIAL_') && !key.startsWith('AWS_')) env[key] = value;
  const child = track(
    spawn(process.execPath, [...profile, 'bin/outdial.js', 'serve', '--port', '0', '--db', dbPath, '--config', configPath], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
      // Keep reading so a chatty log never blocks the server on a full pipe.
      if (out.length > 100_000) out = out.slice(-1000);
    });
    child.once('exit', (code) => reject(new Error(`outdial exited with ${code} before it was ready: ${stderr.trim()}`)));
  });
  return { url, pid: child.pid!, dbPath, stop: () => stopChild(child, 'SIGTERM', 30_000) };
}

// ---- the API, as a client calls it ---------------------------------------------------------------------

/** A signed request to outdial's REST API; the answer's JSON. */
export async function api(url: string, method: string, path: string, payload: unknown): Promise<unknown> {
  const { host } = new URL(url);
  const body = JSON.stringify(payload);
  const response = await fetch(new URL(path, url), {
    method,
    body,
    headers: signedHeaders({ method, host, path, body, region: 'us-east-1', ...DEFAULTS.localCredentials }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text.length > 0 ? (JSON.parse(text) as unknown) : {};
}

/** CreateContactFlow in the demo instance; the new flow's id. */
export async function createFlow(url: string, content: unknown): Promise<string> {
  const created = (await api(url, 'PUT', `/contact-flows/${DEMO.instanceId}`, {
    Name: `bench-${randomUUID().slice(0, 8)}`,
    Type: 'CONTACT_FLOW',
    Content: JSON.stringify(content),
  })) as { ContactFlowId?: string };
  if (created.ContactFlowId === undefined) throw new Error('CreateContactFlow returned no ContactFlowId');
  return created.ContactFlowId;
}

/**
 * UpdateInstanceAttribute CONTACTFLOW_LOGS on the demo instance. The benchmarks switch flow logs off
 * unless BENCH_FLOW_LOGS=true, as bench/start-outbound-voice-contact.ts does: they are an option on
 * Amazon Connect too, and cost a row per flow step.
 */
export async function setFlowLogs(url: string, enabled: boolean): Promise<void> {
  await api(url, 'POST', `/instance/${DEMO.instanceId}/attribute/CONTACTFLOW_LOGS`, { Value: String(enabled) });
}

export const FLOW_LOGS = process.env.BENCH_FLOW_LOGS === 'true';

/** A flow that speaks `text` once and hangs up. */
export function speakAndHangUp(text: string): unknown {
  return {
    Version: '2019-10-30',
    StartAction: 'speak',
    Actions: [
      {
        Identifier: 'speak',
        Type: 'MessageParticipant',
        Parameters: { Text: text },
        Transitions: { NextAction: 'bye', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'bye' }] },
      },
      { Identifier: 'bye', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
    ],
  };
}

const START_PATH = '/contact/outbound-voice';

export interface PresignedStart {
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** StartOutboundVoiceContact requests with a ClientToken each, signed now (the server allows 15 min of skew). */
export function presignStarts(url: string, flowId: string, count: number, destination = '+12065550123'): PresignedStart[] {
  const { host } = new URL(url);
  return Array.from({ length: count }, () => {
    const body = JSON.stringify({
      DestinationPhoneNumber: destination,
      ContactFlowId: flowId,
      InstanceId: DEMO.instanceId,
      QueueId: DEMO.queueId,
      ClientToken: randomUUID(),
    });
    return { body, headers: signedHeaders({ method: 'PUT', host, path: START_PATH, body, region: 'us-east-1', ...DEFAULTS.localCredentials }) };
  });
}

export interface OfferedLoad {
  readonly sent: number;
  readonly accepted: number;
  /** Answers other than 2xx, by status. */
  readonly refused: Record<string, number>;
  readonly errors: number;
  /** From the first request to the last one sent, and to the last answer. */
  readonly sendSeconds: number;
  readonly answerSeconds: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMaxMs: number;
  /** Wall-clock time (epoch ms) just before the first request. */
  readonly startedAt: number;
}

/**
 * Open-loop load: sends `requests` at `rate` per second on a schedule (a late tick sends what is due), over
 * keep-alive connections (as many as needed: no request waits for another's answer), whatever the
 * server's latency. Resolves when every request is answered or failed.
 */
export async function offerLoad(url: string, requests: readonly PresignedStart[], rate: number): Promise<OfferedLoad> {
  const { hostname, port } = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const latencies: number[] = [];
  const refused: Record<string, number> = {};
  let accepted = 0;
  let errors = 0;
  let answered = 0;
  let sent = 0;
  let lastSent = 0;
  let lastAnswer = 0;
  const startedAt = Date.now();
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const done = (): void => {
      answered++;
      lastAnswer = performance.now();
      if (answered === requests.length) resolve();
    };
    const send = (request: PresignedStart): void => {
      const began = performance.now();
      const req = http.request({ agent, hostname, port, method: 'PUT', path: START_PATH, headers: request.headers }, (res) => {
        res.resume();
        res.once('end', () => {
          latencies.push(performance.now() - began);
          if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) accepted++;
          else refused[String(res.statusCode)] = (refused[String(res.statusCode)] ?? 0) + 1;
          done();
        });
      });
      req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
      req.once('error', () => {
        errors++;
        done();
      });
      req.end(request.body);
    };
    const tick = (): void => {
      const due = Math.min(requests.length, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
      while (sent < due) send(requests[sent++]!);
      lastSent = performance.now();
      if (sent < requests.length) setTimeout(tick, 1);
    };
    if (requests.length === 0) resolve();
    else tick();
  });
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    sent,
    accepted,
    refused,
    errors,
    sendSeconds: round((lastSent - t0) / 1000, 3),
    answerSeconds: round((lastAnswer - t0) / 1000, 3),
    latencyP50Ms: round(percentile(latencies, 0.5), 1),
    latencyP99Ms: round(percentile(latencies, 0.99), 1),
    latencyMaxMs: round(latencies.at(-1) ?? 0, 1),
    startedAt,
  };
}

/** What outdial's /metrics says of its event loop and garbage collector. */
export interface RuntimeSample {
  /** Event-loop delay since the previous scrape (prom-client resets it at each), ms, 10 ms sampling interval included. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  /** Garbage collection so far, all kinds, seconds. */
  readonly gcSeconds: number;
}

export async function scrapeRuntime(url: string): Promise<RuntimeSample> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  let gc = 0;
  for (const match of text.matchAll(/^outdial_nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)$/gm)) gc += Number(match[1]);
  return {
    loopDelayP99Ms: round(value('outdial_nodejs_eventloop_lag_p99_seconds') * 1000, 1),
    loopDelayMaxMs: round(value('outdial_nodejs_eventloop_lag_max_seconds') * 1000, 1),
    gcSeconds: gc,
  };
}

// ---- outcomes from the store ----------------------------------------------------------------------------

export interface Outcomes {
  readonly contacts: number;
  /** Reached CONNECTED_TO_SYSTEM and ended CONTACT_FLOW_DISCONNECT: the only success. */
  readonly succeeded: number;
  /** Every other end, by `reason` (with `never connected` when it was never answered). */
  readonly failedByReason: Record<string, number>;
  /** Not ended when the wait ran out. */
  readonly neverEnded: number;
  /** Contacts that reached CONNECTED_TO_SYSTEM, whatever their end. */
  readonly connected: number;
  /** From the first contact's start to the last one's end, seconds. */
  readonly spanSeconds: number;
  /** From the first contact's start to the last one's answer, seconds. */
  readonly connectedSpanSeconds: number;
}

/**
 * Waits until every contact initiated at or after `since` has ended (or `timeoutMs` passes), then counts
 * their outcomes. Reads the SQLite file read-only while outdial writes it (WAL mode allows both).
 */
export async function contactOutcomes(dbPath: string, since: number, timeoutMs: number): Promise<Outcomes> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const live = db.prepare<[number], { n: number }>("SELECT count(*) AS n FROM contacts WHERE initiated_at >= ? AND state != 'DISCONNECTED'");
    const deadline = Date.now() + timeoutMs;
    while ((live.get(since)?.n ?? 0) > 0 && Date.now() < deadline) await sleep(250);
    const rows = db
      .prepare<[number], { state: string; reason: string | null; connected: number; n: number; first: number; last: number | null; answered: number | null }>(
        `SELECT state, disconnect_reason AS reason, connected_at IS NOT NULL AS connected, count(*) AS n,
                min(initiated_at) AS first, max(disconnected_at) AS last, max(connected_at) AS answered
           FROM contacts WHERE initiated_at >= ? GROUP BY 1, 2, 3`,
      )
      .all(since);
    let contacts = 0;
    let succeeded = 0;
    let neverEnded = 0;
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    let answered = 0;
    let connected = 0;
    const failedByReason: Record<string, number> = {};
    for (const row of rows) {
      contacts += row.n;
      first = Math.min(first, row.first);
      last = Math.max(last, row.last ?? 0);
      answered = Math.max(answered, row.answered ?? 0);
      if (row.connected === 1) connected += row.n;
      if (row.state !== 'DISCONNECTED') neverEnded += row.n;
      else if (row.reason === 'CONTACT_FLOW_DISCONNECT' && row.connected === 1) succeeded += row.n;
      else {
        const key = `${row.reason ?? 'no reason'}${row.connected === 1 ? '' : ' (never connected)'}`;
        failedByReason[key] = (failedByReason[key] ?? 0) + row.n;
      }
    }
    return {
      contacts,
      succeeded,
      failedByReason,
      neverEnded,
      connected,
      spanSeconds: contacts === 0 ? 0 : round((last - first) / 1000, 3),
      connectedSpanSeconds: connected === 0 ? 0 : round((answered - first) / 1000, 3),
    };
  } finally {
    db.close();
  }
}

// ---- results -------------------------------------------------------------------------------------------

export function machine(): Record<string, unknown> {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, sipp: sippVersion() };
}

function sippVersion(): string {
  const out = spawnSync('sipp', ['-v'], { encoding: 'utf8' });
  return /SIPp v[^\s,]+/.exec(`${out.stdout}${out.stderr}`)?.[0] ?? 'unknown';
}

/** Sets `key` in bench/results.json, keeping what the other benchmarks wrote there. */
export function writeResults(key: string, report: unknown): void {
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
  } catch {
    // No results yet, or unreadable: start afresh.
  }
  all[key] = report;
  writeFileSync(RESULTS, `${JSON.stringify(all, null, 2)}\n`);
}

// ---- small things ----------------------------------------------------------------------------------------

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The `q` quantile of ascending `sorted` values (nearest rank); 0 when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Runs a benchmark's main: a missing tool is one line on stderr, anything else its stack; either way exit 1. */
export async function run(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`${error instanceof MissingToolError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
}
