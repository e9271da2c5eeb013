/**
 * Drives the pure engine (initialStep/step) on one virtual call: carries out its commands on a Line and
 * the VirtualClock, keeps the path and the prompts heard, and reports what a test can observe (prompts
 * heard, flow actions started and completed, the end) through hooks.
 *
 * Work runs from one FIFO so that an observer reacting to an event (pressing a key when a prompt ends)
 * acts after the step that produced the event, never inside it.
 */
import { initialStep, step } from '../interpreter.js';
import type { CompiledFlow } from '../model.js';
import { spokenText } from '../spoken-text.js';
import type { FlowCommand, FlowContext, FlowEndReason, FlowEvent, FlowState, PromptSpec, StepResult } from '../types.js';
import type { SpokenPrompt } from './model.js';
import type { TimerHandle, VirtualClock } from '../../shared/clock.js';

export type InvokeLambdaCommand = Extract<FlowCommand, { type: 'InvokeLambda' }>;

/** Where prompts go: a virtual line that only times them, or a simulated call. */
export interface Line {
  play(text: string, voice: string, interruptible: boolean): void;
  /** The flow stopped waiting for the prompt playing now. */
  stop(): void;
  hangUp(): void;
}

export type LambdaAnswer = { readonly ok: true; readonly values: Readonly<Record<string, unknown>>; readonly delayMs: number } | { readonly ok: false; readonly delayMs: number };

export interface SessionHooks {
  message?(prompt: SpokenPrompt): void;
  /** Synchronous, in log order (for traces); actionStarted is the observer's deferred view of it. */
  entered?(actionId: string, actionType: string): void;
  actionStarted?(actionType: string, parameters: Readonly<Record<string, unknown>>): void;
  actionCompleted?(actionType: string, parameters: Readonly<Record<string, unknown>>): void;
  /** How a Lambda invocation is answered; undefined: never (the flow's time limit fires). */
  lambda(command: InvokeLambdaCommand): LambdaAnswer | undefined;
  ended?(reason: FlowEndReason): void;
}

interface Playing {
  readonly seq: number;
  readonly prompt: PromptSpec;
  readonly text: string;
  readonly startedAt: number;
}

export class FlowSession {
  state: FlowState | undefined;
  readonly path: string[] = [];
  readonly prompts: SpokenPrompt[] = [];
  ended: FlowEndReason | null = null;
  readonly startedAt: number;
  readonly #work: (() => void)[] = [];
  #pumping = false;
  #stopped = false;
  readonly #timers = new Map<number, TimerHandle>();
  #playing: Playing | null = null;
  /** Type and resolved parameters of each action as last entered, for its completion. */
  readonly #entered = new Map<string, { type: string; parameters: Readonly<Record<string, unknown>> }>();

  constructor(
    private readonly flow: CompiledFlow,
    private readonly context: FlowContext,
    readonly clock: VirtualClock,
    private readonly line: Line,
    private readonly hooks: SessionHooks,
  ) {
    this.startedAt = clock.now();
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  start(): void {
    this.#enqueue(() => this.#apply(initialStep(this.flow, this.context, this.clock.now())));
  }

  digits(keys: string): void {
    this.#feed(() => ({ type: 'Digits', keys, at: this.clock.now() }));
  }

  hangUp(): void {
    this.#enqueue(() => {
      if (this.state === undefined || this.ended !== null) return;
      this.#cut();
      this.#step({ type: 'CustomerHungUp', at: this.clock.now() });
    });
  }

  /** The line finished the prompt started last. */
  promptFinished(): void {
    const playing = this.#playing;
    if (playing === null) return;
    this.#playing = null;
    const heard = this.#record(playing, false);
    // One work item: the step must not run (and perhaps end the test) before the message is queued after it.
    this.#enqueue(() => {
      this.#work.unshift(() => this.hooks.message?.(heard));
      if (this.state !== undefined && this.ended === null) this.#step({ type: 'PromptFinished', seq: playing.seq, at: this.clock.now() });
    });
  }

  /** Runs `fn` after the work already queued (an observer's reaction to an event). */
  later(fn: () => void): void {
    this.#enqueue(fn);
  }

  /** Ends the run: nothing more reaches the engine or the line. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const timer of this.#timers.values()) this.clock.clearTimer(timer);
    this.#timers.clear();
    this.line.stop();
    this.#work.length = 0;
  }

  #enqueue(fn: () => void): void {
    if (this.#stopped) return;
    this.#work.push(fn);
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (let work = this.#work.shift(); work !== undefined && !this.#stopped; work = this.#work.shift()) work();
    } finally {
      this.#pumping = false;
    }
  }

  #feed(event: () => FlowEvent): void {
    this.#enqueue(() => {
      if (this.state !== undefined && this.ended === null) this.#step(event());
    });
  }

  #step(event: FlowEvent): void {
    this.#apply(step(this.flow, this.state!, event, this.context));
  }

  #apply(result: StepResult): void {
    this.state = result.state;
    for (const command of result.commands) this.#execute(command, result.state);
    // A prompt plays only while the flow waits for it: a key press or the flow moving on cuts it short.
    const wait = result.state.wait;
    const awaited = wait !== null && wait.kind !== 'lambda' && (wait.kind === 'prompt' || wait.phase === 'prompt') ? wait.promptSeq : null;
    if (this.#playing !== null && this.#playing.seq !== awaited) this.#cut();
  }

  #execute(command: FlowCommand, state: FlowState): void {
    const { clock } = this;
    switch (command.type) {
      case 'Play': {
        this.#cut();
        const text = spokenText(command.prompt);
        this.#playing = { seq: command.seq, prompt: command.prompt, text, startedAt: clock.now() };
        this.line.play(text, command.voice.voice, command.interruptibleByDigits);
        return;
      }
      case 'StartTimer':
        this.#timers.set(
          command.seq,
          clock.setTimer(command.ms, () => {
            this.#timers.delete(command.seq);
            this.#feed(() => ({ type: 'TimerFired', seq: command.seq, at: clock.now() }));
          }),
        );
        return;
      case 'CancelTimer': {
        const timer = this.#timers.get(command.seq);
        if (timer !== undefined) clock.clearTimer(timer);
        this.#timers.delete(command.seq);
        return;
      }
      case 'InvokeLambda': {
        const answer = this.hooks.lambda(command);
        if (answer === undefined) return;
        // Keyed apart from StartTimer's sequence numbers: the request and its timer have different seqs.
        const key = -command.seq;
        this.#timers.set(
          key,
          clock.setTimer(answer.delayMs, () => {
            this.#timers.delete(key);
            this.#feed(() => ({ type: 'LambdaResult', seq: command.seq, ok: answer.ok, ...(answer.ok ? { values: answer.values } : {}), at: clock.now() }));
          }),
        );
        return;
      }
      case 'Disconnect':
        this.#cut();
        this.line.hangUp();
        return;
      case 'EndFlow':
        this.ended = command.reason;
        this.#cut();
        for (const timer of this.#timers.values()) clock.clearTimer(timer);
        this.#timers.clear();
        this.#enqueue(() => this.hooks.ended?.(command.reason));
        return;
      case 'Log':
        this.#logged(command.entry, state);
        return;
      case 'SetContactAttributes':
      case 'QueueContact':
        // Both are in the state the run reports (attributes, targetQueueId); nothing to carry out offline.
        return;
    }
  }

  #logged(entry: Extract<FlowCommand, { type: 'Log' }>['entry'], state: FlowState): void {
    if (entry.kind === 'ActionEntered' && entry.actionId !== null) {
      this.path.push(entry.actionId);
      this.hooks.entered?.(entry.actionId, entry.actionType);
      const parameters = effectiveParameters(entry.actionType, entry.parameters, state, this.context);
      this.#entered.set(entry.actionId, { type: entry.actionType, parameters });
      this.#enqueue(() => this.hooks.actionStarted?.(entry.actionType, parameters));
    } else if (entry.kind === 'BranchTaken' && entry.actionId !== null && !entry.branch.startsWith('Error')) {
      // FlowActionCompleted matches success and other non-error branches only, as in Connect.
      const entered = this.#entered.get(entry.actionId);
      if (entered !== undefined) this.#enqueue(() => this.hooks.actionCompleted?.(entered.type, entered.parameters));
    }
  }

  /** Stops the prompt playing now, if any, and records how much of it was heard. */
  #cut(): void {
    const playing = this.#playing;
    if (playing === null) return;
    this.#playing = null;
    this.line.stop();
    const heard = this.#record(playing, true);
    // A prompt cut before any of it played was never heard, so no MessageReceived.
    if (heard.heardMs > 0) this.#enqueue(() => this.hooks.message?.(heard));
  }

  #record(playing: Playing, interrupted: boolean): SpokenPrompt {
    const now = this.clock.now();
    const heard: SpokenPrompt = {
      atMs: playing.startedAt - this.startedAt,
      prompt: playing.prompt,
      text: playing.text,
      interrupted,
      heardMs: now - playing.startedAt,
    };
    this.prompts.push(heard);
    return heard;
  }
}

/**
 * The parameters an observer compares with: the resolved ones, plus what Connect fills in when the flow
 * leaves them out (the queue TransferContactToQueue uses, the hours CheckHoursOfOperation checks).
 */
function effectiveParameters(type: string, parameters: Readonly<Record<string, unknown>>, state: FlowState, context: FlowContext): Readonly<Record<string, unknown>> {
  const queueId = state.targetQueueId;
  if (type === 'TransferContactToQueue' && parameters.QueueId === undefined && queueId !== null) return { ...parameters, QueueId: queueId };
  if (type === 'CheckHoursOfOperation' && parameters.HoursOfOperationId === undefined && queueId !== null) {
    const hours = context.queue(queueId)?.hoursOfOperationId;
    if (hours !== undefined && hours !== '') return { ...parameters, HoursOfOperationId: hours };
  }
  return parameters;
}

/** Runs a session on a line that only times prompts, with durations from `durationMs`. */
export class VirtualLine implements Line {
  #timer: TimerHandle | undefined;
  session: FlowSession | undefined;

  constructor(
    private readonly clock: VirtualClock,
    private readonly durationMs: (text: string) => number,
  ) {}

  play(text: string): void {
    this.stop();
    this.#timer = this.clock.setTimer(this.durationMs(text), () => {
      this.#timer = undefined;
      this.session?.promptFinished();
    });
  }

  stop(): void {
    if (this.#timer !== undefined) this.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  hangUp(): void {
    this.stop();
  }
}
