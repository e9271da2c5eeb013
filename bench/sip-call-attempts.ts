/**
 * SIP call attempts per second, end to end: signed StartOutboundVoiceContact requests over HTTP at a fixed
 * rate → outdial (a real `outdial serve`, SQLite file store, quota raised, throttling off) sends the INVITE
 * → SIPp's built-in UAS answers → the flow speaks a short prompt (espeak-ng, rendered once and cached) and
 * hangs up → BYE. A call succeeds only when its contact reached CONNECTED_TO_SYSTEM and ended
 * CONTACT_FLOW_DISCONNECT; any other end, or none, is a failure. Outcomes are read from outdial's SQLite
 * file after the run; SIPp's own counters are reported beside them.
 *
 * The reference, at each rate in the same run and against the same SIPp UAS: SIPp's built-in UAC calling
 * it directly, holding each call as long as outdial's prompt lasts (`-d`). Reference and outdial alternate
 * per rate, so a noisy neighbour weighs on both.
 *
 * Options (env): BENCH_SIP_RATES (default 250,500,1000 calls/s), BENCH_SIP_SECONDS per rate (default 10),
 * BENCH_SIP_PROMPT (default "Hello."), BENCH_FLOW_LOGS (default false: the demo instance's CONTACTFLOW_LOGS
 * is switched off, as in bench/start-outbound-voice-contact.ts), BENCH_PROFILE=<dir> (a V8 CPU profile of outdial, written when it
 * stops; summarise with `node --import tsx bench/profile-top.ts <file>`), BENCH_KEEP=true (keep the temp
 * dir: SIPp's statistics and error logs, outdial's config and SQLite file).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  allProcessesCpu,
  contactOutcomes,
  counterDelta,
  cpuSeconds,
  createFlow,
  FLOW_LOGS,
  freeUdpPorts,
  log,
  machine,
  machineTicks,
  offerLoad,
  othersCpuSeconds,
  presignStarts,
  requireTools,
  round,
  run,
  rssMiB,
  scrapeRuntime,
  setFlowLogs,
  sippIdle,
  speakAndHangUp,
  startOutdial,
  startSipp,
  stealPercent,
  udpDrops,
  writeResults,
  type OfferedLoad,
  type Outcomes,
  type Sipp,
  type SippCounters,
} from './sip-support.js';

const rates = (process.env.BENCH_SIP_RATES ?? '250,500,1000').split(',').map(Number);
const seconds = Number(process.env.BENCH_SIP_SECONDS ?? 10);
const prompt = process.env.BENCH_SIP_PROMPT ?? 'Hello.';
const profileDir = process.env.BENCH_PROFILE;
/** How long after the last answer every contact must have ended: past Timer B (32 s), an INVITE's longest wait. */
const DRAIN_MS = 40_000;
/** The built-in UAS keeps each call 4 s after its BYE (timewait) before counting it. */
const UAS_IDLE_MS = 15_000;
const WARM_UP = { rate: 200, seconds: 2 };

interface ReferenceRun {
  readonly rate: number;
  readonly calls: number;
  readonly uac: SippCounters;
  readonly uas: SippCounters;
  readonly uacExitCode: number | null;
  /** Successful calls per second of the UAC's run, its last call's hold left out. */
  readonly achievedPerSecond: number;
  readonly uacCpuSeconds: number;
  readonly uasCpuSeconds: number;
  readonly uacCpuMsPerCall: number;
  readonly wallSeconds: number;
  readonly stealPercent: number;
  /** Datagrams dropped on a full receive buffer at the UAS's SIP port. */
  readonly uasSipDrops: number;
  /** CPU other processes on the machine used meanwhile, % of a core: noise from neighbours. */
  readonly othersCorePercent: number;
}

interface OutdialRun {
  readonly rate: number;
  readonly load: OfferedLoad;
  readonly outcomes: Outcomes;
  readonly uas: SippCounters;
  readonly failures: number;
  /** Contacts connected per second, from the first request to the last answer (connected_at). */
  readonly achievedPerSecond: number;
  readonly outdialCpuSeconds: number;
  readonly outdialCpuMsPerCall: number;
  /** Share of one core while the load was offered (first request to last answer). */
  readonly outdialCorePercent: number;
  readonly uasCpuSeconds: number;
  readonly loadGeneratorCpuSeconds: number;
  readonly outdialRssMiB: number;
  readonly wallSeconds: number;
  readonly stealPercent: number;
  /** Datagrams dropped on a full receive buffer at outdial's SIP port and at the UAS's. */
  readonly outdialSipDrops: number;
  readonly uasSipDrops: number;
  /** CPU other processes on the machine used meanwhile, % of a core: noise from neighbours. */
  readonly othersCorePercent: number;
  /** outdial's event-loop delay while the load was offered (10 ms sampling interval included), and its GC time. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly gcSeconds: number;
}

/** How long espeak-ng speaks `text`, in ms: what the flow's prompt lasts and the reference's calls hold. */
function promptMs(text: string): number {
  const out = spawnSync('espeak-ng', ['--stdout', text]);
  if (out.status !== 0 || !Buffer.isBuffer(out.stdout)) throw new Error(`espeak-ng failed: ${String(out.stderr)}`);
  // 22050 Hz, 16-bit mono after a 44-byte header.
  return Math.round(((out.stdout.length - 44) / (22050 * 2)) * 1000);
}

async function reference(rate: number, holdMs: number, uas: Sipp, uasPort: number, dir: string): Promise<ReferenceRun> {
  const [sipPort, mediaPort] = await freeUdpPorts(2);
  const calls = rate * seconds;
  const steal = machineTicks();
  const drops = udpDrops(uasPort);
  const everyone = allProcessesCpu();
  const uasCpu = cpuSeconds(uas.pid);
  const uasBefore = uas.counters();
  const started = performance.now();
  const uac = await startSipp(
    `uac-${rate}`,
    ['-sn', 'uac', '-i', '127.0.0.1', '-p', String(sipPort), '-mi', '127.0.0.1', '-mp', String(mediaPort), '-r', String(rate), '-m', String(calls), '-d', String(holdMs), '-buff_size', '4194304', '-timeout', `${seconds + 40}s`, `127.0.0.1:${uasPort}`],
    dir,
  );
  let uacCpu = cpuSeconds(uac.pid);
  // Sampled until it exits: /proc forgets the process then.
  const sampler = setInterval(() => {
    const now = cpuSeconds(uac.pid);
    if (!Number.isNaN(now)) uacCpu = now;
  }, 100);
  const code = await uac.exited;
  clearInterval(sampler);
  const wall = (performance.now() - started) / 1000;
  const uacCounters = uac.counters();
  const others = othersCpuSeconds(everyone, allProcessesCpu(), [uas.pid, uac.pid]);
  await sippIdle(uas, UAS_IDLE_MS);
  const uasDelta = counterDelta(uas.counters(), uasBefore);
  const activeSeconds = Math.max(0.001, wall - holdMs / 1000);
  return {
    rate,
    calls,
    uac: uacCounters,
    uas: uasDelta,
    uacExitCode: code,
    achievedPerSecond: Math.round(uacCounters.successful / activeSeconds),
    uacCpuSeconds: round(uacCpu, 2),
    uasCpuSeconds: round(cpuSeconds(uas.pid) - uasCpu, 2),
    uacCpuMsPerCall: round((uacCpu * 1000) / calls, 3),
    wallSeconds: round(wall, 1),
    stealPercent: stealPercent(steal, machineTicks()),
    uasSipDrops: udpDrops(uasPort) - drops,
    othersCorePercent: round((100 * others) / wall, 1),
  };
}

async function outdialRun(rate: number, ports: { outdial: number; uas: number }, url: string, pid: number, dbPath: string, flowId: string, uas: Sipp): Promise<OutdialRun> {
  const requests = presignStarts(url, flowId, rate * seconds);
  const steal = machineTicks();
  const drops = { outdial: udpDrops(ports.outdial), uas: udpDrops(ports.uas) };
  const everyone = allProcessesCpu();
  const uasBefore = uas.counters();
  const cpu = { outdial: cpuSeconds(pid), uas: cpuSeconds(uas.pid), self: process.cpuUsage() };
  const runtimeBefore = await scrapeRuntime(url);
  const started = performance.now();
  const load = await offerLoad(url, requests, rate);
  const loadCpu = cpuSeconds(pid) - cpu.outdial;
  const runtime = await scrapeRuntime(url);
  const others = othersCpuSeconds(everyone, allProcessesCpu(), [pid, uas.pid]);
  const outcomes = await contactOutcomes(dbPath, load.startedAt, DRAIN_MS);
  const wall = (performance.now() - started) / 1000;
  const outdialCpu = cpuSeconds(pid) - cpu.outdial;
  const self = process.cpuUsage(cpu.self);
  const rss = rssMiB(pid);
  const uasCpu = cpuSeconds(uas.pid) - cpu.uas;
  await sippIdle(uas, UAS_IDLE_MS);
  const uasDelta = counterDelta(uas.counters(), uasBefore);
  const refused = Object.values(load.refused).reduce((a, b) => a + b, 0);
  const failures = refused + load.errors + outcomes.neverEnded + Object.values(outcomes.failedByReason).reduce((a, b) => a + b, 0) + (load.accepted - outcomes.contacts);
  return {
    rate,
    load,
    outcomes,
    uas: uasDelta,
    failures,
    achievedPerSecond: outcomes.connectedSpanSeconds > 0 ? Math.round(outcomes.connected / outcomes.connectedSpanSeconds) : 0,
    outdialCpuSeconds: round(outdialCpu, 2),
    outdialCpuMsPerCall: round((outdialCpu * 1000) / Math.max(1, load.accepted), 3),
    outdialCorePercent: round((100 * loadCpu) / Math.max(0.001, load.answerSeconds), 1),
    uasCpuSeconds: round(uasCpu, 2),
    loadGeneratorCpuSeconds: round((self.user + self.system) / 1e6, 2),
    outdialRssMiB: rss,
    wallSeconds: round(wall, 1),
    stealPercent: stealPercent(steal, machineTicks()),
    outdialSipDrops: udpDrops(ports.outdial) - drops.outdial,
    uasSipDrops: udpDrops(ports.uas) - drops.uas,
    othersCorePercent: round((100 * others) / Math.max(0.001, load.answerSeconds), 1),
    loopDelayP99Ms: runtime.loopDelayP99Ms,
    loopDelayMaxMs: runtime.loopDelayMaxMs,
    gcSeconds: round(runtime.gcSeconds - runtimeBefore.gcSeconds, 2),
  };
}

async function main(): Promise<void> {
  requireTools();
  const dir = mkdtempSync(join(tmpdir(), 'outdial-bench-sip-'));
  let uas: Sipp | undefined;
  let outdial: Awaited<ReturnType<typeof startOutdial>> | undefined;
  try {
    const holdMs = promptMs(prompt);
    const [uasPort, uasMediaPort, sipPort] = await freeUdpPorts(3);
    uas = await startSipp(
      'uas',
      ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(uasPort), '-mi', '127.0.0.1', '-mp', String(uasMediaPort), '-buff_size', '4194304'],
      dir,
    );
    outdial = await startOutdial(
      {
        logLevel: 'warn',
        rateLimitDisabled: true,
        quotas: { concurrentActiveCallsPerInstance: 1_000_000_000 },
        telephony: {
          default: 'sipp',
          trunks: [{ name: 'sipp', host: '127.0.0.1', port: uasPort, transport: 'udp' }],
          // RTP below the kernel's ephemeral range, so no port SIPp or this process picks is in it.
          sip: { bindAddress: '127.0.0.1', port: sipPort, rtpPortMin: 20000, rtpPortMax: 32000, recordingsDir: join(dir, 'recordings') },
        },
      },
      dir,
      'outdial',
      profileDir,
    );
    await setFlowLogs(outdial.url, FLOW_LOGS);
    const flowId = await createFlow(outdial.url, speakAndHangUp(prompt));
    log(`outdial ${outdial.url} (pid ${outdial.pid}), SIPp UAS 127.0.0.1:${uasPort} (pid ${uas.pid}); prompt "${prompt}" lasts ${holdMs} ms`);

    // The first call renders the prompt; the warm-up also lets V8 compile the hot paths.
    const warm = await offerLoad(outdial.url, presignStarts(outdial.url, flowId, WARM_UP.rate * WARM_UP.seconds), WARM_UP.rate);
    const warmOutcomes = await contactOutcomes(outdial.dbPath, warm.startedAt, DRAIN_MS);
    await sippIdle(uas, UAS_IDLE_MS);
    log(`warm-up: ${warmOutcomes.succeeded}/${warm.sent} calls succeeded`);

    const references: ReferenceRun[] = [];
    const runs: OutdialRun[] = [];
    for (const rate of rates) {
      const ref = await reference(rate, holdMs, uas, uasPort, dir);
      references.push(ref);
      log(
        `${rate}/s reference SIPp UAC → UAS: ${ref.uac.successful}/${ref.calls} ok, ${ref.uac.failed} failed, ${ref.uac.retransmissions} retrans, ` +
          `${ref.achievedPerSecond} calls/s, UAC ${ref.uacCpuMsPerCall} ms CPU/call; other processes ${ref.othersCorePercent} % of a core`,
      );
      const run = await outdialRun(rate, { outdial: sipPort!, uas: uasPort }, outdial.url, outdial.pid, outdial.dbPath, flowId, uas);
      runs.push(run);
      log(
        `${rate}/s outdial: ${run.outcomes.succeeded}/${run.load.sent} succeeded, ${run.failures} failed ${JSON.stringify(run.outcomes.failedByReason)}, ` +
          `${run.outcomes.neverEnded} never ended; ${run.achievedPerSecond} connected/s; HTTP p50 ${run.load.latencyP50Ms} ms p99 ${run.load.latencyP99Ms} ms; ` +
          `outdial ${run.outdialCpuMsPerCall} ms CPU/call (${run.outdialCorePercent} % of a core); SIPp UAS ${run.uas.successful} ok ${run.uas.failed} failed ${run.uas.retransmissions} retrans; ` +
          `SIP datagrams dropped on full buffers: outdial ${run.outdialSipDrops}, UAS ${run.uasSipDrops}; outdial loop delay p99 ${run.loopDelayP99Ms} max ${run.loopDelayMaxMs} ms, ` +
          `GC ${run.gcSeconds} s; other processes ${run.othersCorePercent} % of a core`,
      );
    }

    const rows = rates.map((rate, i) => {
      const ref = references[i]!;
      const run = runs[i]!;
      return {
        rate,
        reference: ref,
        outdial: run,
        ratioAchieved: round(run.achievedPerSecond / Math.max(1, ref.achievedPerSecond), 3),
        ratioCpuPerCall: round(run.outdialCpuMsPerCall / Math.max(0.001, ref.uacCpuMsPerCall), 1),
      };
    });
    const sustained = rows.filter((r) => r.outdial.failures === 0 && r.outdial.load.accepted === r.outdial.load.sent).map((r) => r.rate);
    const report = {
      date: new Date().toISOString(),
      machine: machine(),
      flowLogs: FLOW_LOGS,
      seconds,
      prompt,
      promptMs: holdMs,
      warmUp: { ...WARM_UP, succeeded: warmOutcomes.succeeded },
      maxRateWithZeroFailures: sustained.length === 0 ? 0 : Math.max(...sustained),
      rows,
    };
    writeResults('sipCallAttempts', report);

    const pad = (s: string | number, n: number) => String(s).padEnd(n);
    log('');
    log(`${pad('offered/s', 10)}${pad('SIPp UAC→UAS ok/s', 19)}${pad('outdial connected/s', 21)}${pad('ratio', 7)}${pad('outdial ok / sent', 19)}${pad('failed', 8)}${pad('HTTP p99', 10)}${pad('CPU ms/call outdial | SIPp UAC', 32)}ratio`);
    for (const r of rows) {
      log(
        `${pad(r.rate, 10)}${pad(r.reference.achievedPerSecond, 19)}${pad(r.outdial.achievedPerSecond, 21)}${pad(r.ratioAchieved, 7)}` +
          `${pad(`${r.outdial.outcomes.succeeded} / ${r.outdial.load.sent}`, 19)}${pad(r.outdial.failures, 8)}${pad(`${r.outdial.load.latencyP99Ms} ms`, 10)}` +
          `${pad(`${r.outdial.outdialCpuMsPerCall} | ${r.reference.uacCpuMsPerCall}`, 32)}${r.ratioCpuPerCall}`,
      );
    }
    log(`highest rate with zero failures: ${report.maxRateWithZeroFailures}/s`);
    if (rows.some((r) => r.outdial.failures > 0)) process.exitCode = 1;
  } finally {
    await outdial?.stop();
    await uas?.stop();
    if (process.env.BENCH_KEEP === 'true') log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await run(main);
