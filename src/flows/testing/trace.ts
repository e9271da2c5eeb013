/**
 * `outdial flow run`: places one call on the simulated network, in virtual time, and runs the flow on it
 * once the callee answers, exactly as `outdial serve` would, without assertions. The callee follows a
 * callee script (src/telephony/sim/callee-script.ts): it may press keys, hang up, be busy or a machine.
 */
import type { CompiledFlow } from '../model.js';
import type { FlowEndReason, OutboundCallStatus } from '../types.js';
import { buildContext, contactFacts, DEFAULT_START_TIME } from './environment.js';
import type { FlowTestEnvironment } from './environment.js';
import type { SpokenPrompt } from './model.js';
import { FlowSession } from './session.js';
import type { Line } from './session.js';
import { VirtualClock } from '../../shared/clock.js';
import { SimulatedNetwork } from '../../telephony/sim/simulated-network.js';
import { DEFAULT_CALLEE_SCRIPT } from '../../telephony/sim/callee-script.js';
import type { CalleeScript } from '../../telephony/sim/callee-script.js';
import type { AmdStatus, Call } from '../../telephony/carrier.js';

/** How long an unanswered call rings before it is given up (StartOutboundVoiceContact's default). */
export const RING_TIMEOUT_MS = 60_000;
/** A flow still running after this much virtual time is stopped: the trace must end. */
export const TRACE_TIME_LIMIT_MS = 10 * 60 * 1000;

export interface TraceFlowOptions {
  readonly environment?: FlowTestEnvironment;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly timeLimitMs?: number;
  /** Answers InvokeLambdaFunction; without it every invocation fails (functions are not called offline). */
  readonly lambda?: (functionArn: string) => Readonly<Record<string, unknown>> | undefined;
}

export interface TraceLine {
  readonly atMs: number;
  readonly what: string;
}

export interface FlowTrace {
  /** Call and flow events in order, in virtual milliseconds since dialling. */
  readonly timeline: readonly TraceLine[];
  readonly path: readonly string[];
  readonly prompts: readonly SpokenPrompt[];
  readonly attributes: Readonly<Record<string, string>>;
  readonly external: Readonly<Record<string, unknown>>;
  /** The call's fate: how the flow ended, or the call's end cause when the flow never ran. */
  readonly outcome: string;
  readonly durationMs: number;
}

const AMD_TO_CALL_STATUS: Readonly<Record<AmdStatus, OutboundCallStatus>> = {
  HUMAN_ANSWERED: 'CallAnswered',
  VOICEMAIL_BEEP: 'VoicemailBeep',
  VOICEMAIL_NO_BEEP: 'VoicemailNoBeep',
  AMD_UNRESOLVED: 'NotDetected',
};

export function traceFlow(flow: CompiledFlow, script: CalleeScript = DEFAULT_CALLEE_SCRIPT, options: TraceFlowOptions = {}): FlowTrace {
  const env = options.environment ?? {};
  const clock = new VirtualClock(env.startTime ?? DEFAULT_START_TIME);
  const started = clock.now();
  const timeline: TraceLine[] = [];
  const say = (what: string): void => void timeline.push({ atMs: clock.now() - started, what });
  // The script applies to whatever number is dialled: `match` selects scripts in config, not here.
  const network = new SimulatedNetwork(clock, [{ ...script, match: '+*' }]);
  const to = /^\+[0-9]+$/.test(script.match) ? script.match : '+15555550100';
  const facts = contactFacts(env, options.attributes ?? {}, { customer: to });
  let session: FlowSession | undefined;
  let outcome: string | undefined;
  // Set once dialled; `answered` can only come from a timer, after it is set.
  const timers: { ring?: ReturnType<VirtualClock['setTimer']> } = {};

  const call: Call = network.dial(
    {
      contactId: facts.contactId,
      instanceId: facts.instanceArn.slice(facts.instanceArn.lastIndexOf('/') + 1),
      to,
      from: facts.systemAddress,
      answeringMachineDetection: { enabled: true, awaitPrompt: false },
    },
    {
      ringing: () => say('ringing'),
      pickedUp: () => say('picked up'),
      answered: (info) => {
        if (timers.ring !== undefined) clock.clearTimer(timers.ring);
        say(`answered${info.amdStatus === undefined ? '' : ` (${info.amdStatus})`}`);
        const status = info.amdStatus === undefined ? env.outboundCallStatus : AMD_TO_CALL_STATUS[info.amdStatus];
        const context = buildContext({ ...env, ...(status === undefined ? {} : { outboundCallStatus: status }) }, facts, { note: (m) => say(`note: ${m}`) });
        const line: Line = {
          play: (text, voice) => {
            say(`play (${voice}): ${text}`);
            call.play({ text, voice });
          },
          // The simulated call plays a prompt to its end unless another replaces it; the session ignores the stale end.
          stop: () => undefined,
          hangUp: () => {
            say('flow hangs up');
            call.hangUp();
          },
        };
        session = new FlowSession(flow, context, clock, line, {
          entered: (id, type) => say(`action ${id} (${type})`),
          lambda: (command) => {
            const values = options.lambda?.(command.functionArn);
            say(values === undefined ? `lambda ${command.functionArn}: not called offline, fails` : `lambda ${command.functionArn}: ${JSON.stringify(values)}`);
            return values === undefined ? { ok: false, delayMs: 0 } : { ok: true, values, delayMs: 0 };
          },
          ended: (reason: FlowEndReason) => {
            say(`flow ended: ${reason}`);
            outcome ??= reason;
            session?.stop();
            call.hangUp();
          },
        });
        session.start();
      },
      digits: (keys) => {
        say(`callee presses ${keys}`);
        session?.digits(keys);
      },
      promptFinished: () => session?.promptFinished(),
      // The simulated network carries no audio, so it never saves a recording.
      recorded: () => undefined,
      ended: (cause) => {
        say(`call ended: ${cause}`);
        if (session === undefined) outcome ??= cause;
        session?.hangUp();
      },
    },
  );
  timers.ring = clock.setTimer(RING_TIMEOUT_MS, () => {
    if (session !== undefined || outcome !== undefined) return;
    say('no answer: ring timeout');
    outcome = 'no-answer';
    call.hangUp();
  });
  clock.advance(options.timeLimitMs ?? TRACE_TIME_LIMIT_MS);
  if (outcome === undefined && session?.ended === null) say('time limit reached; the flow is still running');
  session?.stop();
  call.hangUp();
  const last = timeline.at(-1)?.atMs ?? 0;
  return {
    timeline,
    path: session?.path ?? [],
    prompts: session?.prompts ?? [],
    attributes: session?.state?.attributes ?? facts.attributes,
    external: session?.state?.external ?? {},
    outcome: outcome ?? session?.ended ?? 'time limit',
    durationMs: last,
  };
}
