/**
 * Runs `outdial` as a real child process for the e2e tier: `startServer` spawns `outdial serve` on a free
 * port with its own temp config and SQLite file, `runOutdial` runs any `outdial` command to completion, and
 * `connectClient` builds an AWS SDK client pointed at a server with the local default keys.
 *
 * Children get a clean environment: no AWS_* or OUTDIAL_* variables from the machine running the tests.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConnectClient } from '@aws-sdk/client-connect';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const OUTDIAL_BIN = join(ROOT, 'bin/outdial.js');

/** The documented local key pair (src/config/defaults.ts). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'AKIDOUTDIALLOCAL', secretAccessKey: 'outdial-local-secret' } as const;

const READY = /^outdial listening on (http:\/\/\S+)/;
// A start takes about 3 s alone (tsx compiles the sources); several at once on a loaded 2-core machine
// have taken over 20 s. A server that starts never waits for this.
const READY_TIMEOUT_MS = 60_000;

/** Every child still running, killed if the test process exits without stopping it. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * `process.env` without anything that could point a child at real AWS or change outdial's config, and
 * without NODE_TEST_CONTEXT (node:test's marker for test-file processes; the children are not test files).
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('AWS_') || key.startsWith('OUTDIAL_') || key === 'NODE_TEST_CONTEXT') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** A fresh temp directory; removed by the caller. */
export function tempDir(prefix = 'outdial-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartServerOptions {
  /** Written as the JSON config file. Defaults to `{ rateLimitDisabled: true, network: { speed: 50 }, logLevel: 'warn' }`. */
  config?: object;
  /** Extra arguments after `serve --port 0 --db … --config …` (a repeated option overrides the default). */
  args?: string[];
  /** Variables added to the clean environment. */
  env?: Record<string, string>;
  /** An existing SQLite file to reuse (restart tests); a new file in the server's temp dir otherwise. */
  dbPath?: string;
  /** Sends this signal in the same tick the ready line is read, as an impatient supervisor would. */
  signalOnReady?: NodeJS.Signals;
}

export interface ServerProcess {
  /** The URL from the ready line, exactly as printed. */
  readonly url: string;
  readonly port: number;
  readonly dbPath: string;
  readonly configPath: string;
  readonly dir: string;
  readonly pid: number;
  /** Everything the process wrote so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitStatus>;
  /** SIGTERM, then the exit code (null if a signal ended it instead). */
  stop(): Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
  /** Kills the process if it still runs and removes its temp dir (including a dbPath inside it). */
  cleanup(): Promise<void>;
}

export const DEFAULT_SERVER_CONFIG = { rateLimitDisabled: true, network: { speed: 50 }, logLevel: 'warn' } as const;

/** Spawns `outdial serve` and resolves once its ready line is printed. */
export async function startServer(options: StartServerOptions = {}): Promise<ServerProcess> {
  const dir = tempDir();
  const configPath = join(dir, 'outdial.json');
  const dbPath = options.dbPath ?? join(dir, 'outdial.db');
  writeFileSync(configPath, JSON.stringify(options.config ?? DEFAULT_SERVER_CONFIG, null, 2));

  const child = spawn(
    process.execPath,
    [OUTDIAL_BIN, 'serve', '--port', '0', '--db', dbPath, '--config', configPath, ...(options.args ?? [])],
    { cwd: dir, env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<ExitStatus>((resolveExit) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolveExit({ code, signal });
    });
  });

  let url: string;
  try {
    url = await new Promise<string>((resolveReady, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`outdial serve printed no ready line within ${READY_TIMEOUT_MS} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      }, READY_TIMEOUT_MS);
      const onData = (): void => {
        for (const line of stdout.split('\n')) {
          const match = READY.exec(line);
          if (match?.[1] !== undefined) {
            if (options.signalOnReady !== undefined) child.kill(options.signalOnReady);
            clearTimeout(timer);
            child.stdout.off('data', onData);
            resolveReady(match[1]);
            return;
          }
        }
      };
      child.stdout.on('data', onData);
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`outdial serve exited (code ${code}, signal ${signal}) before it was ready\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const stillRunning = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    url,
    port: Number(new URL(url).port),
    dbPath,
    configPath,
    dir,
    pid: child.pid ?? -1,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    async stop() {
      if (stillRunning()) child.kill('SIGTERM');
      return (await exited).code;
    },
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      child.kill(signal);
    },
    async cleanup() {
      if (stillRunning()) child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs a command to completion (killed after `timeoutMs`, 30 s by default) and captures its output. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: cleanEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timeoutMs = options.timeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolveRun({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `outdial <args>` to completion. */
export function runOutdial(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [OUTDIAL_BIN, ...args], options);
}

export interface ClientOptions {
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** 1 by default: a retried request would hide what the server answered first. */
  maxAttempts?: number;
}

/** An Amazon Connect client for a local outdial server, signing with the local default keys. */
export function connectClient(url: string, options: ClientOptions = {}): ConnectClient {
  return new ConnectClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: options.credentials ?? LOCAL_CREDENTIALS,
    maxAttempts: options.maxAttempts ?? 1,
  });
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 10_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** What the AWS SDK rejects with when the service answers with an error. */
export interface ServiceError {
  name: string;
  message: string;
  $fault: string;
  $metadata: { httpStatusCode?: number };
}

/** The error `promise` rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  assert.fail('expected the request to fail');
}
