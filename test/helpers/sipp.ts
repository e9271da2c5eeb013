/**
 * Runs SIPp (Debian's sip-tester, `sipp` 3.6.x) as the far end of a test call: one of the scenarios in
 * test/fixtures/sipp, or SIPp's built-in `uas`/`uac`. Each run gets free ports, its own temp directory
 * for SIPp's traces, and a hard deadline, because SIPp's -timeout only stops new calls: with a call
 * still in progress (say our UAC died mid-call) SIPp never exits by itself.
 *
 * `done` resolves with SIPp's exit code and what it saw: 0 means every call followed the scenario to
 * its end; 1 that one failed (unexpected message, failed <ereg check_it>, retransmission timeout);
 * 97 that the -timeout passed before the calls ended normally; 99 that no call was processed; 254/255
 * that it could not start. A run ended by `stop()` or the deadline reports `killed: true` and code 137.
 *
 * SIPp cannot count the RTP it receives. For packet counts run with `rtpEcho: true` and count, on our
 * side, the packets SIPp echoes back (SIPp answers from the port in its SDP, so they arrive on our
 * stream like any other audio).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SIPP_FIXTURES = join(ROOT, 'test/fixtures/sipp');
const SIPP_BIN = process.env['SIPP_BIN'] ?? 'sipp';
/** Where Debian's sip-tester puts the pcaps its scenarios replay (a template for the DTMF pcaps we build). */
const SIPP_PCAP_DIR = '/usr/share/sip-tester';

const HOST = '127.0.0.1';
/** SIPp must still be running this long after start, or it died on its arguments or scenario. */
const EARLY_DEATH_MS = 300;
const READY_TIMEOUT_MS = 3_000;
/** After SIPp's own -timeout, how long we let it finish the calls it has before killing it. */
const KILL_GRACE_MS = 5_000;
/** The 64 KB default drops datagrams in bursts (docs: sip.md §4.2); 4 MB is net.core.rmem_max here. */
const BUFFER_BYTES = 4_194_304;
const KILLED_CODE = 137;

export interface SippOptions {
  /** A file in test/fixtures/sipp (`busy` or `busy.xml`), an absolute path, or SIPp's built-in `uas`/`uac`. */
  scenario: string;
  transport?: 'udp' | 'tcp';
  /** SIPp's SIP port; 0 or absent picks a free one. */
  port?: number;
  /** SIPp's RTP port (SIPp also binds this + 2); 0 or absent picks a free even one. */
  mediaPort?: number;
  /** -rtp_echo: every RTP packet sent to SIPp's media port comes back to its sender. */
  rtpEcho?: boolean;
  /** -m: SIPp exits after this many calls (default 1). */
  calls?: number;
  /** -set: global variables (declared with <Global variables="…"/> in the scenario). */
  vars?: Record<string, string>;
  /** -key: keywords used as [name] in the scenario, e.g. `{ redirect_port: '5071' }` for redirect.xml. */
  keys?: Record<string, string>;
  /**
   * Keys the far end presses (0-9, *, #, A-D), for scenarios that play `[dtmf_pcap]` (answer-dtmf.xml):
   * an RFC 4733 pcap is built for the sequence, one key every `dtmfIntervalMs`. Defaults to "1".
   */
  dtmf?: string;
  /** From the start of one key to the start of the next; default 500 ms (each key lasts 200 ms). */
  dtmfIntervalMs?: number;
  /** For a UAC scenario (`uac`, bench-uac.xml, agent-register.xml): the host:port to call. */
  remote?: string;
  /**
   * -oocsf: the scenario (a file in test/fixtures/sipp) that takes requests outside the main scenario's
   * calls, such as the INVITE outdial sends to a phone agent-register.xml registered.
   */
  outOfCall?: string;
  /** -s: the [service] keyword, the user part of the URIs SIPp writes (an agent's username). */
  service?: string;
  /** -au / -ap: the credentials SIPp answers digest challenges with ([authentication]). */
  auth?: { username: string; password: string };
  /** -d: how long a `<pause/>` without a duration lasts. */
  pauseMs?: number;
  /** SIPp's -timeout, and with a grace period our hard deadline; default 60 s. */
  timeoutMs?: number;
  /** Keep the temp directory (traces, generated pcaps) after the run, for debugging. */
  keepFiles?: boolean;
  extraArgs?: string[];
}

export interface SippMessage {
  readonly direction: 'received' | 'sent';
  readonly transport: string;
  /** SIPp's timestamp line, as written. */
  readonly time: string;
  readonly text: string;
  readonly startLine: string;
  /** The request method, or null for a response. */
  readonly method: string | null;
  /** The response status, or null for a request. */
  readonly status: number | null;
  /** The method in CSeq (for responses: the request they answer). */
  readonly cseqMethod: string | null;
  /** Every value of a header, by full name, any case. */
  headers(name: string): string[];
  /** The first value of a header, by full name, any case. */
  header(name: string): string | undefined;
  readonly body: string;
}

export interface SippResult {
  readonly code: number;
  /** True when we killed SIPp (stop() or the deadline) rather than it exiting on its own. */
  readonly killed: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** The raw -trace_msg log: every SIP message SIPp sent and received. */
  readonly messages: string;
  /** `messages`, parsed. */
  readonly trace: readonly SippMessage[];
  /** -trace_err: unexpected messages and failures. */
  readonly errors: string;
  /** -trace_logs: the scenario's <log> actions (captured values). */
  readonly log: string;
}

export interface SippProcess {
  readonly port: number;
  readonly mediaPort: number;
  readonly transport: 'udp' | 'tcp';
  /** `sip:service@127.0.0.1:<port>`, with `;transport=tcp` over TCP. */
  readonly uri: string;
  readonly pid: number;
  readonly dir: string;
  readonly args: readonly string[];
  readonly done: Promise<SippResult>;
  /** The messages traced so far, while SIPp runs. */
  trace(): SippMessage[];
  /** Kills SIPp if still running and waits for `done`. */
  stop(): Promise<SippResult>;
}

/** Every SIPp still running, killed if the test process exits without stopping it. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts SIPp and resolves once it is listening (or rejects with its stderr if it dies on start). */
export async function startSipp(options: SippOptions): Promise<SippProcess> {
  // A port picked free can be taken by another process before SIPp binds it: try again with new ones.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      const retry = error instanceof SippStartError && error.addressInUse && attempt < 4 && !options.port && !options.mediaPort;
      if (!retry) throw error;
    }
  }
}

class SippStartError extends Error {
  override readonly name = 'SippStartError';
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
  }
}

function scenarioArgs(scenario: string): { args: string[]; text: string | null } {
  if (scenario === 'uas' || scenario === 'uac') return { args: ['-sn', scenario], text: null };
  const file = isAbsolute(scenario) ? scenario : join(SIPP_FIXTURES, scenario.endsWith('.xml') ? scenario : `${scenario}.xml`);
  if (!existsSync(file)) throw new Error(`no SIPp scenario ${file}`);
  return { args: ['-sf', file], text: readFileSync(file, 'latin1') };
}

async function startOnce(options: SippOptions): Promise<SippProcess> {
  const transport = options.transport ?? 'udp';
  const { args: scenario, text } = scenarioArgs(options.scenario);
  if (options.dtmf !== undefined && !text?.includes('[dtmf_pcap]')) {
    throw new Error(`the dtmf option needs a scenario that plays [dtmf_pcap]; ${options.scenario} does not`);
  }
  const timeoutMs = options.timeoutMs ?? 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'outdial-sipp-'));
  const files = {
    messages: join(dir, 'messages.log'),
    errors: join(dir, 'errors.log'),
    log: join(dir, 'actions.log'),
  };

  const keys: Record<string, string> = { ...options.keys };
  if (text?.includes('[dtmf_pcap]') && keys['dtmf_pcap'] === undefined) {
    const pcap = join(dir, 'dtmf.pcap');
    writeFileSync(pcap, buildDtmfPcap(options.dtmf ?? '1', { intervalMs: options.dtmfIntervalMs }));
    keys['dtmf_pcap'] = pcap;
  }

  const port = options.port || (await freePort(transport));
  const mediaPort = options.mediaPort || (await freeMediaPort());
  const release = () => {
    if (!options.port) handedOut.delete(port);
    if (!options.mediaPort) for (const media of [mediaPort, mediaPort + 2]) handedOut.delete(media);
  };
  const args = [
    ...scenario,
    ...(options.remote !== undefined ? [options.remote] : []),
    '-i', HOST,
    '-p', String(port),
    '-mi', HOST,
    '-mp', String(mediaPort),
    '-t', transport === 'tcp' ? 't1' : 'u1',
    '-m', String(options.calls ?? 1),
    '-nostdin',
    '-timeout', `${Math.ceil(timeoutMs / 1000)}s`,
    '-buff_size', String(BUFFER_BYTES),
    '-trace_msg', '-message_file', files.messages,
    '-trace_err', '-error_file', files.errors,
    '-trace_logs', '-log_file', files.log,
    ...(options.rtpEcho ? ['-rtp_echo'] : []),
    ...(options.outOfCall !== undefined ? ['-oocsf', scenarioArgs(options.outOfCall).args[1]!] : []),
    ...(options.service !== undefined ? ['-s', options.service] : []),
    ...(options.auth !== undefined ? ['-au', options.auth.username, '-ap', options.auth.password] : []),
    ...(options.pauseMs !== undefined ? ['-d', String(options.pauseMs)] : []),
    ...Object.entries(options.vars ?? {}).flatMap(([name, value]) => ['-set', name, value]),
    ...Object.entries(keys).flatMap(([name, value]) => ['-key', name, value]),
    ...(options.extraArgs ?? []),
  ];

  const child = spawn(SIPP_BIN, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let killed = false;
  const exited = new Promise<number>((resolveExit) => {
    child.once('error', (error) => {
      stderr += `${error.message}\n`;
      resolveExit(255);
    });
    // 'close', not 'exit': 'exit' can come before the last of stderr is read, and a SIPp that could
    // not bind its port says so only there.
    child.once('close', (code, signal) => resolveExit(code ?? (signal === 'SIGKILL' ? KILLED_CODE : 128)));
  });
  let exitCode: number | undefined;
  void exited.then((code) => {
    exitCode = code;
    running.delete(child);
    release();
  });
  const kill = () => {
    if (exitCode !== undefined) return;
    killed = true;
    child.kill('SIGKILL');
  };
  const deadline = setTimeout(kill, timeoutMs + KILL_GRACE_MS);
  deadline.unref();

  const readFile = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  const done = exited.then((code): SippResult => {
    clearTimeout(deadline);
    const messages = readFile(files.messages);
    const result: SippResult = {
      code: killed ? KILLED_CODE : code,
      killed,
      stdout,
      stderr,
      messages,
      trace: parseSippMessages(messages),
      errors: readFile(files.errors),
      log: readFile(files.log),
    };
    if (!options.keepFiles) rmSync(dir, { recursive: true, force: true });
    return result;
  });

  await waitUntilListening(port, transport, () => exitCode !== undefined);
  await Promise.race([sleep(EARLY_DEATH_MS), exited]);
  // A UAC scenario may well finish a whole call in 300 ms; one that traced no message died on start.
  if (exitCode !== undefined) {
    const result = await done;
    if (result.messages === '') {
      const output = `${result.stderr}${result.errors}${result.stdout.slice(-2000)}`;
      throw new SippStartError(`sipp ${args.join(' ')} exited with ${result.code} on start:\n${output}`, /Address already in use/.test(output));
    }
  }

  return {
    port,
    mediaPort,
    transport,
    uri: `sip:service@${HOST}:${port}${transport === 'tcp' ? ';transport=tcp' : ''}`,
    pid: child.pid ?? -1,
    dir,
    args,
    done,
    trace: () => parseSippMessages(readFile(files.messages)),
    stop: async () => {
      kill();
      return done;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

/** Resolves once something holds `port` (SIPp has bound it), or when SIPp has exited, or after a while. */
async function waitUntilListening(port: number, transport: 'udp' | 'tcp', gone: () => boolean): Promise<void> {
  const until = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < until && !gone()) {
    if (!(await canBind(port, transport))) return;
    await sleep(20);
  }
}

function canBind(port: number, transport: 'udp' | 'tcp'): Promise<boolean> {
  return new Promise((resolveBind) => {
    if (transport === 'tcp') {
      const server = createServer();
      server.once('error', () => resolveBind(false));
      server.listen(port, HOST, () => server.close(() => resolveBind(true)));
      return;
    }
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolveBind(false);
    });
    socket.bind(port, HOST, () => socket.close(() => resolveBind(true)));
  });
}

/**
 * The ports given to SIPps of this process that have not exited yet. A port that is free when picked
 * stays free until SIPp binds it, so SIPps started together (Promise.all) would otherwise be handed
 * the same one: with media ports taken in pairs that happened in about one run in six.
 */
const handedOut = new Set<number>();

/** Where the test processes running side by side note the SIP ports they gave out, one file a port. */
const CLAIMS_DIR = join(tmpdir(), 'outdial-test-sip-ports');
/**
 * A SIP port is not given out again for this long: a test's outdial may go on retransmitting to a SIPp
 * that has exited (a response or BYE, for up to 64·T1 = 32 s), and a new SIPp on that port in another
 * test process would fail its call on the stranger's message.
 */
const REUSE_AFTER_MS = 60_000;
mkdirSync(CLAIMS_DIR, { recursive: true });

/** Claims `port` against the other test processes; false when one of them gave it out recently. */
function claimAcrossProcesses(port: number): boolean {
  const path = join(CLAIMS_DIR, String(port));
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    try {
      if (Date.now() - statSync(path).mtimeMs < REUSE_AFTER_MS) return false;
      // Two processes reclaiming one stale port at once both bind it; one fails and starts again.
      writeFileSync(path, String(process.pid));
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * SIPp's ports come from 10000-19999: below the kernel's ephemeral range (32768+, where port-0 binds of
 * other tests land) and our own RTP range (20000-40000), so parallel test files rarely collide.
 */
async function freePort(transport: 'udp' | 'tcp'): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * 5_000);
    if (handedOut.has(port) || !claimAcrossProcesses(port)) continue;
    handedOut.add(port);
    if ((await canBind(port, 'udp')) && (transport === 'udp' || (await canBind(port, 'tcp')))) return port;
    handedOut.delete(port);
  }
  throw new Error('no free SIP port');
}

/** An even port that is free along with port + 2: SIPp binds both (audio and video echo) or refuses to start. */
async function freeMediaPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 2 * (7_500 + Math.floor(Math.random() * 2_499));
    if (handedOut.has(port) || handedOut.has(port + 2)) continue;
    handedOut.add(port).add(port + 2);
    if ((await canBind(port, 'udp')) && (await canBind(port + 2, 'udp'))) return port;
    handedOut.delete(port);
    handedOut.delete(port + 2);
  }
  throw new Error('no free media port');
}

const BLOCK_START = /^-{20,}\s+(.*)$/;
/** `UDP message received [671] bytes :` or `TCP message sent (243 bytes):` */
const BLOCK_KIND = /^(\w+) message (received|sent) (?:\[\d+\] bytes|\(\d+ bytes\))\s*:$/;

/** Splits SIPp's -trace_msg log into messages. */
export function parseSippMessages(log: string): SippMessage[] {
  const out: SippMessage[] = [];
  const lines = log.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = BLOCK_START.exec(lines[i] ?? '');
    const kind = start ? BLOCK_KIND.exec(lines[i + 1] ?? '') : null;
    if (start === null || kind === null) continue;
    let end = i + 2;
    while (end < lines.length && !(BLOCK_START.test(lines[end] ?? '') && BLOCK_KIND.test(lines[end + 1] ?? ''))) end++;
    const text = lines
      .slice(i + 2, end)
      .join('\n')
      .replace(/^\n+/, '')
      .replace(/\n+$/, '');
    out.push(toMessage(text, kind[2] === 'received' ? 'received' : 'sent', kind[1] ?? '', start[1] ?? ''));
    i = end - 1;
  }
  return out;
}

function toMessage(text: string, direction: 'received' | 'sent', transport: string, time: string): SippMessage {
  const normalized = text.replace(/\r\n/g, '\n');
  const split = normalized.indexOf('\n\n');
  const head = split < 0 ? normalized : normalized.slice(0, split);
  const body = split < 0 ? '' : normalized.slice(split + 2);
  const [startLine = '', ...headerLines] = head.split('\n');
  const headers = new Map<string, string[]>();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  const status = /^SIP\/2\.0\s+(\d{3})/.exec(startLine);
  const cseq = headers.get('cseq')?.[0]?.split(/\s+/)[1] ?? null;
  return {
    direction,
    transport,
    time,
    text,
    startLine,
    method: status ? null : (startLine.split(' ')[0] ?? null),
    status: status ? Number(status[1]) : null,
    cseqMethod: cseq,
    headers: (name) => headers.get(name.toLowerCase()) ?? [],
    header: (name) => headers.get(name.toLowerCase())?.[0],
    body,
  };
}

/** How many requests with `method` SIPp received (or sent), retransmissions included. */
export function countRequests(trace: readonly SippMessage[], method: string, direction: 'received' | 'sent' = 'received'): number {
  return trace.filter((m) => m.direction === direction && m.method === method).length;
}

const DTMF_EVENTS = '0123456789*#ABCD';
const RTP_HEADER = 12;
const PACKET_MS = 20;

/**
 * A pcap of RFC 4733 key presses (PT 101) for SIPp's play_pcap_audio, built on the Ethernet/IPv4/UDP
 * framing of the pcaps sip-tester ships. Each key: 10 updates 20 ms apart (marker on the first), then
 * the end packet three times, volume 10, 200 ms; timestamps and sequence numbers keep increasing across
 * keys so a repeated key is a new event. (The shipped per-key pcaps all share one SSRC and fixed
 * timestamps: playing the same one twice sends identical packets, which a receiver rightly drops.)
 */
export function buildDtmfPcap(keys: string, options: { intervalMs?: number | undefined } = {}): Buffer {
  const intervalMs = options.intervalMs ?? 500;
  const updates = 10;
  if (keys === '' || [...keys].some((key) => !DTMF_EVENTS.includes(key.toUpperCase()))) {
    throw new Error(`DTMF keys must be 0-9, *, #, A-D: "${keys}"`);
  }
  if (intervalMs < (updates + 1) * PACKET_MS) throw new Error(`dtmfIntervalMs ${intervalMs} is shorter than a key`);
  const template = readFileSync(join(SIPP_PCAP_DIR, 'dtmf_2833_1.pcap'));
  const globalHeader = template.subarray(0, 24);
  const firstCaptured = template.readUInt32LE(24 + 8);
  const frame = template.subarray(40, 40 + firstCaptured);
  const ipOffset = 14;
  const udpOffset = ipOffset + (frame[ipOffset]! & 0x0f) * 4;
  const rtpOffset = udpOffset + 8;
  const headers = frame.subarray(0, rtpOffset);

  const records: Buffer[] = [globalHeader];
  let seq = 1000;
  const ssrc = 0x6f757464; // "outd"
  [...keys].forEach((key, index) => {
    const event = DTMF_EVENTS.indexOf(key.toUpperCase());
    const timestamp = 8000 + index * intervalMs * 8;
    for (let n = 0; n < updates + 3; n++) {
      const end = n >= updates;
      const rtp = Buffer.alloc(RTP_HEADER + 4);
      rtp[0] = 0x80;
      rtp[1] = (n === 0 ? 0x80 : 0) | 101;
      rtp.writeUInt16BE(seq++ & 0xffff, 2);
      rtp.writeUInt32BE(timestamp, 4);
      rtp.writeUInt32BE(ssrc, 8);
      rtp[12] = event;
      rtp[13] = (end ? 0x80 : 0) | 10;
      rtp.writeUInt16BE(Math.min(n + 1, updates) * 160, 14);
      const packet = Buffer.concat([headers, rtp]);
      packet.writeUInt16BE(packet.length - ipOffset, ipOffset + 2);
      packet.writeUInt16BE(packet.length - udpOffset, udpOffset + 4);
      writeIpv4Checksum(packet, ipOffset, udpOffset - ipOffset);
      writeUdpChecksum(packet, ipOffset, udpOffset);
      // The three end packets go out together, as the shipped pcaps do.
      const atMs = index * intervalMs + Math.min(n, updates - 1) * PACKET_MS;
      const record = Buffer.alloc(16);
      record.writeUInt32LE(1_700_000_000 + Math.floor(atMs / 1000), 0);
      record.writeUInt32LE((atMs % 1000) * 1000, 4);
      record.writeUInt32LE(packet.length, 8);
      record.writeUInt32LE(packet.length, 12);
      records.push(record, packet);
    }
  });
  return Buffer.concat(records);
}

function onesComplementSum(buffer: Buffer, start: number, end: number, initial = 0): number {
  let sum = initial;
  for (let i = start; i < end; i += 2) sum += (buffer[i]! << 8) | (i + 1 < end ? buffer[i + 1]! : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function writeIpv4Checksum(packet: Buffer, ipOffset: number, headerLength: number): void {
  packet.writeUInt16BE(0, ipOffset + 10);
  packet.writeUInt16BE(~onesComplementSum(packet, ipOffset, ipOffset + headerLength) & 0xffff, ipOffset + 10);
}

function writeUdpChecksum(packet: Buffer, ipOffset: number, udpOffset: number): void {
  packet.writeUInt16BE(0, udpOffset + 6);
  const length = packet.length - udpOffset;
  const pseudo = Buffer.alloc(12);
  packet.copy(pseudo, 0, ipOffset + 12, ipOffset + 20);
  pseudo[9] = 17;
  pseudo.writeUInt16BE(length, 10);
  const sum = onesComplementSum(packet, udpOffset, packet.length, onesComplementSum(pseudo, 0, 12));
  packet.writeUInt16BE(~sum & 0xffff || 0xffff, udpOffset + 6);
}

/** What tests hold while SIPp runs. */
export type Sipp = SippProcess;
