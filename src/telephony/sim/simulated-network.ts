/**
 * The simulated telephone network: the embedded default carrier. Each dialed number follows its callee
 * script in the Clock's time, so a virtual clock runs thousands of calls instantly and a fast clock runs
 * demos quickly. Every event reaches the listener from a timer, never inside the call that caused it.
 * Agents are simulated too: their phone rings, answers after `agentAnswerMs` and stays on the line.
 */
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { AgentDialRequest, Call, CallEndCause, CallListener, Carrier, DialRequest, Prompt } from '../carrier.js';
import { scriptFor, type CalleeScript } from './callee-script.js';

const SECOND = 1000;
/** Speaking rate for prompt lengths: about 150 words a minute, and never shorter than half a second. */
const MS_PER_WORD = 400;
const MIN_PROMPT_MS = 500;
/** A network answers busy and unreachable numbers after roughly this long, without ringing. */
const REJECT_DELAY_MS = 300;

/** How long a simulated agent's phone rings before the agent picks up, by default. */
export const DEFAULT_AGENT_ANSWER_MS = 1000;

export interface SimulatedNetworkOptions {
  /** Clock milliseconds from dialAgent to the agent's answer; 1 s by default. */
  readonly agentAnswerMs?: number;
}

/** How long a prompt lasts: hold music as long as it asks, speech by its number of words. */
export function promptDurationMs(prompt: Prompt): number {
  if (prompt.music !== undefined) return Math.max(0, prompt.music.seconds * SECOND);
  const words = prompt.text.trim().split(/\s+/).filter(Boolean).length;
  return Math.max(MIN_PROMPT_MS, words * MS_PER_WORD);
}

export class SimulatedNetwork implements Carrier {
  readonly #calls = new Set<SimulatedCall>();

  readonly #agentScript: CalleeScript;

  constructor(
    private readonly clock: Clock,
    private readonly scripts: readonly CalleeScript[],
    options: SimulatedNetworkOptions = {},
  ) {
    const answerMs = options.agentAnswerMs ?? DEFAULT_AGENT_ANSWER_MS;
    if (!(answerMs >= 0)) throw new RangeError(`agentAnswerMs must be 0 or more, got ${answerMs}`);
    // An agent who picks up and stays until the engine hangs up; no script of the config applies to them.
    this.#agentScript = { match: '+*', description: 'a simulated agent', outcome: 'answer', ringSeconds: answerMs / SECOND, greetingSeconds: 0, beep: false, press: [] };
  }

  dial(request: DialRequest, listener: CallListener): Call {
    return this.#place(scriptFor(request.to, this.scripts), request, listener);
  }

  /**
   * The agent's phone, simulated whatever number or phone they have: it rings, the agent answers after
   * `agentAnswerMs` and never hangs up by themselves. The call has no audio, so a bridge joins nothing.
   */
  dialAgent(request: AgentDialRequest, listener: CallListener): Call {
    const { contactId, instanceId, from, callerIdName } = request;
    const dial: DialRequest = {
      contactId,
      instanceId,
      to: request.deskPhoneNumber ?? '',
      from,
      ...(callerIdName !== undefined && { callerIdName }),
      answeringMachineDetection: { enabled: false, awaitPrompt: false },
    };
    return this.#place(this.#agentScript, dial, listener);
  }

  #place(script: CalleeScript, request: DialRequest, listener: CallListener): Call {
    const call = new SimulatedCall(this.clock, script, request, listener, () => this.#calls.delete(call));
    this.#calls.add(call);
    call.start();
    return call;
  }

  /** Calls in progress. */
  get activeCalls(): number {
    return this.#calls.size;
  }

  close(): Promise<void> {
    for (const call of this.#calls) call.hangUp();
    return Promise.resolve();
  }
}

type Phase = 'dialing' | 'ringing' | 'answered' | 'ended';

class SimulatedCall implements Call {
  #phase: Phase = 'dialing';
  #timers = new Set<TimerHandle>();
  #promptTimer: TimerHandle | undefined;
  #promptInterruptible = false;
  #promptsStarted = 0;

  constructor(
    private readonly clock: Clock,
    private readonly script: CalleeScript,
    private readonly request: DialRequest,
    private readonly listener: CallListener,
    private readonly onGone: () => void,
  ) {}

  start(): void {
    const { outcome, ringSeconds } = this.script;
    if (outcome === 'busy' || outcome === 'unreachable') {
      this.#after(ringSeconds * SECOND || REJECT_DELAY_MS, () => this.#end(outcome));
      return;
    }
    this.#after(0, () => {
      this.#phase = 'ringing';
      this.listener.ringing();
    });
    switch (outcome) {
      case 'no-answer':
        return;
      case 'decline':
        this.#after(ringSeconds * SECOND, () => this.#end('declined'));
        return;
      case 'carrier-error':
        this.#after(ringSeconds * SECOND, () => this.#end('carrier-error'));
        return;
      case 'machine':
        this.#after(ringSeconds * SECOND, () => this.#answerAsMachine());
        return;
      case 'answer':
        this.#after(ringSeconds * SECOND, () => this.#answer({ amdStatus: 'HUMAN_ANSWERED' }));
        return;
    }
  }

  play(prompt: Prompt): void {
    if (this.#phase !== 'answered') return;
    if (this.#promptTimer !== undefined) this.#cancel(this.#promptTimer);
    const index = ++this.#promptsStarted;
    const duration = promptDurationMs(prompt);
    if (this.script.hangUpDuringPrompt === index) {
      this.#after(duration / 2, () => this.#end('callee-hangup'));
      return;
    }
    this.#promptInterruptible = prompt.interruptible === true;
    this.#promptTimer = this.#after(duration, () => {
      this.#promptTimer = undefined;
      this.listener.promptFinished();
      const keys = this.script.pressAfterEachPrompt;
      if (keys !== undefined) this.#after(0, () => this.#press(keys));
    });
  }

  /**
   * The simulated network carries no audio, so there is nothing to record: `recorded` never arrives and
   * contacts on it list no recordings, whatever the flow's recording behavior says.
   */
  record(): void {}

  /** No audio to join: the bridge only silences what this call and the peer were playing. */
  bridge(peer: Call): void {
    this.stopPrompt();
    if (peer instanceof SimulatedCall && peer !== this) peer.stopPrompt();
  }

  /** Cuts the prompt short without `promptFinished`, as a bridge does on every carrier. */
  stopPrompt(): void {
    if (this.#promptTimer === undefined) return;
    this.#cancel(this.#promptTimer);
    this.#promptTimer = undefined;
  }

  hangUp(): void {
    if (this.#phase === 'ended') return;
    this.#phase = 'ended';
    this.#clearTimers();
    this.onGone();
  }

  #answerAsMachine(): void {
    const { greetingSeconds, beep } = this.script;
    const amdStatus = beep ? 'VOICEMAIL_BEEP' : 'VOICEMAIL_NO_BEEP';
    // Awaiting the prompt means the engine hears about the answer only once the greeting (and beep) ended.
    const { enabled, awaitPrompt } = this.request.answeringMachineDetection;
    if (enabled && awaitPrompt) {
      this.#phase = 'answered';
      this.listener.pickedUp();
      this.#after(greetingSeconds * SECOND, () => this.#answer({ amdStatus }));
    } else {
      this.#answer({ amdStatus });
    }
  }

  #answer(info: { amdStatus: 'HUMAN_ANSWERED' | 'VOICEMAIL_BEEP' | 'VOICEMAIL_NO_BEEP' }): void {
    this.#phase = 'answered';
    this.listener.answered(this.request.answeringMachineDetection.enabled ? info : {});
    const { hangUpAfterSeconds, press } = this.script;
    if (hangUpAfterSeconds !== undefined) this.#after(hangUpAfterSeconds * SECOND, () => this.#end('callee-hangup'));
    for (const p of press) this.#after(p.atSeconds * SECOND, () => this.#press(p.keys));
  }

  #press(keys: string): void {
    if (this.#phase !== 'answered') return;
    this.listener.digits(keys);
    // Keys cut an interruptible prompt short; the listener hears that it finished, after the keys.
    if (this.#promptTimer !== undefined && this.#promptInterruptible) {
      this.#cancel(this.#promptTimer);
      this.#promptTimer = undefined;
      this.listener.promptFinished();
    }
  }

  #end(cause: CallEndCause): void {
    if (this.#phase === 'ended') return;
    this.#phase = 'ended';
    this.#clearTimers();
    this.onGone();
    this.listener.ended(cause);
  }

  #after(ms: number, fn: () => void): TimerHandle {
    const handle = this.clock.setTimer(ms, () => {
      this.#timers.delete(handle);
      if (this.#phase !== 'ended') fn();
    });
    this.#timers.add(handle);
    return handle;
  }

  #cancel(handle: TimerHandle): void {
    this.clock.clearTimer(handle);
    this.#timers.delete(handle);
  }

  #clearTimers(): void {
    for (const t of this.#timers) this.clock.clearTimer(t);
    this.#timers.clear();
  }
}
