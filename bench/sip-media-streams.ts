/**
 * Concurrent calls streaming G.711: N calls placed through outdial (a real `outdial serve`) on SIPp as the
 * callee, each answered and then spoken to by a flow whose one prompt lasts the whole call (~20 s of
 * espeak-ng speech, rendered once and cached; then DisconnectParticipant). SIPp's UAS
 * (bench/sipp/uas-to-sink.xml) answers with the address of an RTP sink of ours (bench/rtp-sink.ts, a
 * child process), so every call's RTP arrives there and is timed on arrival: the send jitter is measured
 * on the wire, outside outdial, as a callee would see it. With BENCH_SIP_ECHO=true the sink sends every
 * packet back (a talking callee), so outdial also receives 50 packets/s per call.
 *
 * The reference in the same run, at each N: SIPp's own UAC streaming the same audio with `rtp_stream`
 * (bench/sipp/uac-rtp-stream.xml) into the same sink through the same UAS, measured the same way.
 *
 * For each N, once every call is answered, a window of BENCH_SIP_WINDOW seconds: the sink's figures and
 * the CPU time of outdial (all its threads), of SIPp and of the sink, from /proc. After it, outdial's
 * calls must all end CONTACT_FLOW_DISCONNECT when their prompt ends.
 *
 * Options (env): BENCH_SIP_CALLS (default 200,500,1000), BENCH_SIP_WINDOW (default 10 s), BENCH_SIP_RAMP
 * (calls started per second, default 500), BENCH_SIP_ECHO (default false), BENCH_SIP_MEDIA_WORKERS (sets
 * telephony.sip.mediaWorkers), BENCH_SIP_REFERENCE=false (skip SIPp's rtp_stream), BENCH_FLOW_LOGS (default
 * false, as in the other benchmarks), BENCH_PROFILE=<dir>, BENCH_KEEP=true.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { encodeG711 } from '../src/telephony/media/g711.js';
import { EspeakTts } from '../src/telephony/media/tts.js';
import type { SinkMessage, SinkReport } from './rtp-sink.js';
import {
  ROOT,
  allProcessesCpu,
  contactOutcomes,
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
  sleep,
  speakAndHangUp,
  startOutdial,
  startSipp,
  stealPercent,
  track,
  writeResults,
  type Outcomes,
  type Sipp,
} from './sip-support.js';

const counts = (process.env.BENCH_SIP_CALLS ?? '200,500,1000').split(',').map(Number);
const windowSeconds = Number(process.env.BENCH_SIP_WINDOW ?? 10);
const ramp = Number(process.env.BENCH_SIP_RAMP ?? 500);
const echo = process.env.BENCH_SIP_ECHO === 'true';
const mediaWorkers = process.env.BENCH_SIP_MEDIA_WORKERS === undefined ? undefined : Number(process.env.BENCH_SIP_MEDIA_WORKERS);
const withReference = process.env.BENCH_SIP_REFERENCE !== 'false';
const profileDir = process.env.BENCH_PROFILE;

/** About 20 s of espeak-ng speech. */
const PROMPT =
  'Hello. This is a reminder from your clinic about your appointment next Tuesday at ten in the morning with doctor Smith. ' +
  'Please arrive fifteen minutes early and bring your insurance card and a list of the medicines you take. ' +
  'If you need to change the time, call us back during office hours, Monday to Friday, between eight and five. Thank you, and have a nice day.';
const PACKETS_PER_SECOND = 50;

interface Sink {
  readonly port: number;
  readonly pid: number;
  measure(): void;
  report(): Promise<SinkReport>;
  close(): void;
}

async function startSink(): Promise<Sink> {
  const child: ChildProcess = track(fork(join(ROOT, 'bench', 'rtp-sink.ts'), echo ? ['echo'] : [], { cwd: ROOT, execArgv: ['--import', 'tsx'] }));
  const waiting = new Set<(report: SinkReport) => void>();
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the RTP sink exited with ${code}`)));
    child.on('message', (message: SinkMessage) => {
      if (message.type === 'ready') resolve(message.port);
      else for (const resolveReport of waiting) resolveReport(message.report);
      if (message.type === 'report') waiting.clear();
    });
  });
  return {
    port,
    pid: child.pid!,
    measure: () => child.send('start'),
    report: () =>
      new Promise<SinkReport>((resolve) => {
        waiting.add(resolve);
        child.send('stop');
      }),
    close: () => child.connected && child.send('exit'),
  };
}

interface Cpu {
  readonly seconds: number;
  readonly corePercent: number;
}

/** CPU time of `pids` over `seconds` of waiting, with the sink's report taken at the end. */
async function measureWindow(
  sink: Sink,
  pids: Record<string, number>,
): Promise<{ sink: SinkReport; cpu: Record<string, Cpu>; stealPercent: number; othersCorePercent: number }> {
  const everyone = allProcessesCpu();
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const steal = machineTicks();
  const started = performance.now();
  sink.measure();
  await sleep(windowSeconds * 1000);
  const report = await sink.report();
  const elapsed = (performance.now() - started) / 1000;
  const cpu = Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => {
      const seconds = cpuSeconds(pid) - before[name]!;
      return [name, { seconds: round(seconds, 2), corePercent: round((100 * seconds) / elapsed, 1) }];
    }),
  );
  const others = othersCpuSeconds(everyone, allProcessesCpu(), Object.values(pids));
  return { sink: report, cpu, stealPercent: stealPercent(steal, machineTicks()), othersCorePercent: round((100 * others) / elapsed, 1) };
}

interface ReferenceRun {
  readonly calls: number;
  readonly sink: SinkReport;
  readonly cpu: Record<string, Cpu>;
  readonly uacCpuUsPerPacket: number;
  readonly uacExitCode: number | null;
  readonly uacSuccessful: number;
  readonly uacFailed: number;
  readonly stealPercent: number;
  /** CPU other processes on the machine used during the window, % of a core: noise from neighbours. */
  readonly othersCorePercent: number;
}

async function reference(calls: number, sink: Sink, uas: Sipp, uasPort: number, dir: string): Promise<ReferenceRun> {
  const [sipPort, mediaPort] = await freeUdpPorts(2);
  const rampSeconds = calls / ramp;
  const holdMs = Math.round((rampSeconds + 1.5 + windowSeconds + 1) * 1000);
  const uac = await startSipp(
    `uac-${calls}`,
    [
      '-sf', join(ROOT, 'bench', 'sipp', 'uac-rtp-stream.xml'),
      '-i', '127.0.0.1', '-p', String(sipPort), '-mi', '127.0.0.1', '-mp', String(mediaPort),
      '-r', String(ramp), '-m', String(calls), '-l', String(calls), '-d', String(holdMs),
      '-buff_size', '4194304', '-timeout', `${Math.ceil(holdMs / 1000) + 60}s`,
      `127.0.0.1:${uasPort}`,
    ],
    dir,
  );
  await sleep((rampSeconds + 1.5) * 1000);
  const window = await measureWindow(sink, { sippUac: uac.pid, sippUas: uas.pid, sink: sink.pid });
  const code = await uac.exited;
  const counters = uac.counters();
  const packets = calls * PACKETS_PER_SECOND * window.sink.seconds;
  return {
    calls,
    sink: window.sink,
    cpu: window.cpu,
    uacCpuUsPerPacket: round((window.cpu.sippUac!.seconds * 1e6) / packets, 2),
    uacExitCode: code,
    uacSuccessful: counters.successful,
    uacFailed: counters.failed,
    stealPercent: window.stealPercent,
    othersCorePercent: window.othersCorePercent,
  };
}

interface OutdialRun {
  readonly calls: number;
  readonly connectedWithinSeconds: number;
  readonly sink: SinkReport;
  readonly cpu: Record<string, Cpu>;
  readonly outdialCpuUsPerPacket: number;
  readonly outdialRssMiB: number;
  readonly outcomes: Outcomes;
  readonly failures: number;
  /** Answer to end of the calls that succeeded: the prompt's length when the pacer kept time. */
  readonly callSecondsMean: number;
  readonly callSecondsMax: number;
  readonly stealPercent: number;
  /** CPU other processes on the machine used during the window, % of a core: noise from neighbours. */
  readonly othersCorePercent: number;
  /** outdial's event-loop delay over the window (10 ms sampling interval included), and its GC time. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly gcSeconds: number;
}

function connectedSince(dbPath: string, since: number): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM contacts WHERE initiated_at >= ? AND connected_at IS NOT NULL').get(since)?.n ?? 0;
  } finally {
    db.close();
  }
}

function callSeconds(dbPath: string, since: number): { mean: number; max: number } {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare<[number], { mean: number | null; max: number | null }>(
        "SELECT avg(disconnected_at - connected_at) AS mean, max(disconnected_at - connected_at) AS max FROM contacts WHERE initiated_at >= ? AND disconnect_reason = 'CONTACT_FLOW_DISCONNECT'",
      )
      .get(since);
    return { mean: round((row?.mean ?? 0) / 1000, 2), max: round((row?.max ?? 0) / 1000, 2) };
  } finally {
    db.close();
  }
}

async function outdialRun(calls: number, outdial: { url: string; pid: number; dbPath: string }, flowId: string, sink: Sink, uas: Sipp): Promise<OutdialRun> {
  const load = await offerLoad(outdial.url, presignStarts(outdial.url, flowId, calls), ramp);
  if (load.accepted !== calls) throw new Error(`outdial accepted ${load.accepted} of ${calls} calls: ${JSON.stringify(load.refused)}, ${load.errors} errors`);
  const deadline = Date.now() + 30_000;
  while (connectedSince(outdial.dbPath, load.startedAt) < calls && Date.now() < deadline) await sleep(100);
  const connectedWithin = (Date.now() - load.startedAt) / 1000;
  const connected = connectedSince(outdial.dbPath, load.startedAt);
  if (connected < calls) log(`  only ${connected} of ${calls} calls answered after 30 s; measuring anyway`);
  await sleep(500);
  const runtimeBefore = await scrapeRuntime(outdial.url);
  const window = await measureWindow(sink, { outdial: outdial.pid, sippUas: uas.pid, sink: sink.pid });
  const runtime = await scrapeRuntime(outdial.url);
  const rss = rssMiB(outdial.pid);
  const outcomes = await contactOutcomes(outdial.dbPath, load.startedAt, 60_000);
  const failures = outcomes.neverEnded + Object.values(outcomes.failedByReason).reduce((a, b) => a + b, 0) + (calls - outcomes.contacts);
  const duration = callSeconds(outdial.dbPath, load.startedAt);
  const packets = calls * PACKETS_PER_SECOND * window.sink.seconds * (echo ? 2 : 1);
  return {
    calls,
    connectedWithinSeconds: round(connectedWithin, 1),
    sink: window.sink,
    cpu: window.cpu,
    outdialCpuUsPerPacket: round((window.cpu.outdial!.seconds * 1e6) / packets, 2),
    outdialRssMiB: rss,
    outcomes,
    failures,
    callSecondsMean: duration.mean,
    callSecondsMax: duration.max,
    stealPercent: window.stealPercent,
    othersCorePercent: window.othersCorePercent,
    loopDelayP99Ms: runtime.loopDelayP99Ms,
    loopDelayMaxMs: runtime.loopDelayMaxMs,
    gcSeconds: round(runtime.gcSeconds - runtimeBefore.gcSeconds, 2),
  };
}

async function main(): Promise<void> {
  requireTools();
  const dir = mkdtempSync(join(tmpdir(), 'outdial-bench-rtp-'));
  let sink: Sink | undefined;
  let uas: Sipp | undefined;
  let outdial: Awaited<ReturnType<typeof startOutdial>> | undefined;
  try {
    // The reference streams the same audio outdial plays, as raw µ-law for rtp_stream.
    const pcm = await new EspeakTts().render({ text: PROMPT });
    const promptSeconds = round(pcm.length / 8000, 2);
    writeFileSync(join(dir, 'prompt.ul'), encodeG711('PCMU', pcm));
    for (const calls of counts) {
      if (calls / ramp + 1 + windowSeconds >= promptSeconds) throw new Error(`${calls} calls at ${ramp}/s leave no ${windowSeconds}-s window inside a ${promptSeconds}-s prompt`);
    }

    sink = await startSink();
    const [uasPort, uasMediaPort] = await freeUdpPorts(2);
    uas = await startSipp(
      'uas',
      [
        '-sf', join(ROOT, 'bench', 'sipp', 'uas-to-sink.xml'), '-key', 'sink_port', String(sink.port),
        '-i', '127.0.0.1', '-p', String(uasPort), '-mi', '127.0.0.1', '-mp', String(uasMediaPort), '-buff_size', '4194304',
      ],
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
          sip: {
            bindAddress: '127.0.0.1',
            port: 0,
            rtpPortMin: 20000,
            rtpPortMax: 32000,
            // A silent sink is not a dead call; with echo the far end does talk.
            rtpInactivitySeconds: echo ? 30 : 0,
            recordingsDir: join(dir, 'recordings'),
            ...(mediaWorkers !== undefined && { mediaWorkers }),
          },
        },
      },
      dir,
      'outdial',
      profileDir,
    );
    await setFlowLogs(outdial.url, FLOW_LOGS);
    const flowId = await createFlow(outdial.url, speakAndHangUp(PROMPT));
    log(
      `outdial ${outdial.url} (pid ${outdial.pid}), SIPp UAS 127.0.0.1:${uasPort} (pid ${uas.pid}), RTP sink 127.0.0.1:${sink.port} (pid ${sink.pid}${echo ? ', echoing' : ''}); ` +
        `prompt ${promptSeconds} s; window ${windowSeconds} s; ramp ${ramp} calls/s`,
    );

    const rows: { calls: number; reference: ReferenceRun | null; outdial: OutdialRun; ratioCpuPerPacket: number | null; ratioJitterP99: number | null }[] = [];
    for (const calls of counts) {
      const ref = withReference ? await reference(calls, sink, uas, uasPort, dir) : null;
      if (ref !== null) {
        log(
          `${calls} calls, reference SIPp rtp_stream: jitter p50 ${ref.sink.jitterP50Ms} p99 ${ref.sink.jitterP99Ms} max ${ref.sink.jitterMaxMs} ms over ${ref.sink.packets} packets ` +
            `(${ref.sink.streams} streams, lost ${ref.sink.lost}); SIPp UAC ${ref.cpu.sippUac!.corePercent} % of a core, ${ref.uacCpuUsPerPacket} µs/packet; sink ${ref.cpu.sink!.corePercent} %`,
        );
      }
      const run = await outdialRun(calls, outdial, flowId, sink, uas);
      log(
        `${calls} calls, outdial: jitter p50 ${run.sink.jitterP50Ms} p99 ${run.sink.jitterP99Ms} max ${run.sink.jitterMaxMs} ms over ${run.sink.packets} packets ` +
          `(${run.sink.streams} streams, lost ${run.sink.lost}, skipped frames ${run.sink.skippedFrames}); outdial ${run.cpu.outdial!.corePercent} % of a core, ${run.outdialCpuUsPerPacket} µs/packet; ` +
          `outdial loop delay p99 ${run.loopDelayP99Ms} max ${run.loopDelayMaxMs} ms, GC ${run.gcSeconds} s; sink ${run.cpu.sink!.corePercent} % (its loop delay p99 ${run.sink.sinkLoopDelayP99Ms} ms); ${run.outcomes.succeeded}/${calls} ended CONTACT_FLOW_DISCONNECT after ${run.callSecondsMean} s (max ${run.callSecondsMax} s); other processes ${run.othersCorePercent} %`,
      );
      rows.push({
        calls,
        reference: ref,
        outdial: run,
        ratioCpuPerPacket: ref === null ? null : round(run.outdialCpuUsPerPacket / Math.max(0.001, ref.uacCpuUsPerPacket), 2),
        ratioJitterP99: ref === null ? null : round(run.sink.jitterP99Ms / Math.max(0.01, ref.sink.jitterP99Ms), 2),
      });
    }

    writeResults('sipMediaStreams', {
      date: new Date().toISOString(),
      machine: machine(),
      flowLogs: FLOW_LOGS,
      windowSeconds,
      ramp,
      echo,
      mediaWorkers: mediaWorkers ?? 'default',
      promptSeconds,
      rows,
    });

    const pad = (s: string | number, n: number) => String(s).padEnd(n);
    log('');
    log(
      `${pad('calls', 7)}${pad('send jitter p50 / p99 / max, ms: outdial', 42)}${pad('SIPp rtp_stream', 22)}${pad('CPU % of a core: outdial', 26)}${pad('SIPp', 7)}` +
        `${pad('µs/packet: outdial | SIPp', 27)}${pad('ratio', 7)}ok`,
    );
    for (const r of rows) {
      const o = r.outdial;
      const ref = r.reference;
      log(
        `${pad(r.calls, 7)}${pad(`${o.sink.jitterP50Ms} / ${o.sink.jitterP99Ms} / ${o.sink.jitterMaxMs}`, 42)}` +
          `${pad(ref === null ? '-' : `${ref.sink.jitterP50Ms} / ${ref.sink.jitterP99Ms} / ${ref.sink.jitterMaxMs}`, 22)}` +
          `${pad(o.cpu.outdial!.corePercent, 26)}${pad(ref === null ? '-' : ref.cpu.sippUac!.corePercent, 7)}` +
          `${pad(`${o.outdialCpuUsPerPacket} | ${ref === null ? '-' : ref.uacCpuUsPerPacket}`, 27)}${pad(r.ratioCpuPerPacket ?? '-', 7)}${o.outcomes.succeeded}/${r.calls}`,
      );
    }
    if (rows.some((r) => r.outdial.failures > 0)) process.exitCode = 1;
  } finally {
    await outdial?.stop();
    await uas?.stop();
    sink?.close();
    if (process.env.BENCH_KEEP === 'true') log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await run(main);
