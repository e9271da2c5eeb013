/**
 * Runs the flow-language engine (`flows/`) on answered calls: each event goes through `step`, the state is
 * saved while the flow waits, and the returned commands are carried out through the call and the store,
 * in order. One session per contact; its events are handled one at a time.
 */
import {
  compileFlow,
  initialStep,
  spokenText,
  step,
  type CompiledFlow,
  type FlowCommand,
  type FlowContext,
  type FlowEvent,
  type FlowState,
  type HoursOfOperation,
  type PromptSpec,
  type OutboundCallStatus,
  type QueueInfo,
  type StepResult,
} from '../flows/index.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { Prompt } from '../telephony/carrier.js';
import type { Logger } from '../shared/logger.js';
import type { ContactRecord, Store } from '../store/store.js';
import type { FlowControls, FlowRunner, FlowSession } from './flow-runner.js';
import type { LambdaInvoker } from './lambda-invoker.js';
import type { ResourceService } from './resource-service.js';

export interface FlowEngineRunnerDeps {
  readonly resources: ResourceService;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly lambdas: LambdaInvoker;
}

/** What a flow may look up in its instance, loaded before it runs because `step` may not wait. */
interface InstanceSnapshot {
  /** The instance's CONTACTFLOW_LOGS attribute: whether flows keep a log. */
  readonly loggingEnabled: boolean;
  readonly queues: ReadonlyMap<string, QueueInfo & { readonly atCapacity: boolean }>;
  readonly hours: ReadonlyMap<string, HoursOfOperation>;
  readonly flows: ReadonlyMap<string, CompiledFlow>;
}

/** How long an instance's queues, hours and flows are reused before they are read again. */
const SNAPSHOT_TTL_MS = 1000;
/** Most queues, hours or flows a snapshot reads; Connect's own quotas are far below. */
const SNAPSHOT_LIMIT = 1000;

const AMD_TO_CALL_STATUS: Readonly<Record<string, OutboundCallStatus>> = {
  HUMAN_ANSWERED: 'CallAnswered',
  VOICEMAIL_BEEP: 'VoicemailBeep',
  VOICEMAIL_NO_BEEP: 'VoicemailNoBeep',
};

export class FlowEngineRunner implements FlowRunner {
  readonly #snapshots = new Map<string, { readonly until: number; readonly snapshot: Promise<InstanceSnapshot> }>();
  /** Compiled flows by content hash: content is immutable for a hash, compiling it is not free. */
  readonly #compiled = new Map<string, CompiledFlow>();

  constructor(readonly deps: FlowEngineRunnerDeps) {}

  start(contact: ContactRecord, controls: FlowControls): FlowSession {
    return new EngineSession(this, contact, controls);
  }

  /** The instance's queues, hours and published flows, read at most once a second. */
  snapshot(instanceId: string): Promise<InstanceSnapshot> {
    const now = this.deps.clock.now();
    const cached = this.#snapshots.get(instanceId);
    if (cached !== undefined && cached.until > now) return cached.snapshot;
    const snapshot = this.#load(instanceId);
    this.#snapshots.set(instanceId, { until: now + SNAPSHOT_TTL_MS, snapshot });
    snapshot.catch(() => this.#snapshots.delete(instanceId));
    return snapshot;
  }

  compiled(contentSha256: string, content: string): CompiledFlow {
    let flow = this.#compiled.get(contentSha256);
    if (flow === undefined) {
      flow = compileFlow(content);
      this.#compiled.set(contentSha256, flow);
    }
    return flow;
  }

  async #load(instanceId: string): Promise<InstanceSnapshot> {
    const { resources, store } = this.deps;
    const page = { limit: SNAPSHOT_LIMIT };
    const [instance, queueRecords, hourRecords, flowRecords] = await Promise.all([
      resources.requireInstance(instanceId),
      resources.listQueues(instanceId, [], page),
      resources.listHoursOfOperation(instanceId),
      resources.listContactFlows(instanceId, [], page),
    ]);
    const queues = new Map<string, QueueInfo & { atCapacity: boolean }>();
    for (const q of queueRecords) {
      const atCapacity = q.maxContacts !== null && (await store.contacts.countQueued(q.id)) >= q.maxContacts;
      const info = { id: q.id, arn: q.arn, name: q.name, hoursOfOperationId: q.hoursOfOperationId, atCapacity };
      queues.set(q.id, info).set(q.arn, info);
    }
    const hours = new Map<string, HoursOfOperation>();
    for (const h of hourRecords) {
      const value = { timeZone: h.timeZone, config: h.config as HoursOfOperation['config'] };
      hours.set(h.id, value).set(h.arn, value);
    }
    const flows = new Map<string, CompiledFlow>();
    for (const f of flowRecords) {
      if (f.status !== 'PUBLISHED') continue;
      try {
        const compiled = this.compiled(f.contentSha256, f.content);
        flows.set(f.id, compiled).set(f.arn, compiled);
      } catch {
        // A flow stored before it had to compile cannot be transferred to; TransferToFlow takes its error branch.
      }
    }
    return { loggingEnabled: instance.attributes.CONTACTFLOW_LOGS === 'true', queues, hours, flows };
  }
}

/** The flow's prompt as the carrier takes it: spoken text always (the simulated network times it), SSML or a recording when given. */
function carrierPrompt(prompt: PromptSpec, voice: string, interruptible: boolean): Prompt {
  const base = { text: spokenText(prompt), voice, interruptible };
  switch (prompt.kind) {
    case 'ssml':
      return { ...base, ssml: prompt.ssml };
    case 'promptId':
      return { ...base, audio: prompt.promptId };
    case 'media':
      return { ...base, audio: prompt.uri };
    case 'text':
      return base;
  }
}

/**
 * Whether the flow's recording behavior (UpdateContactRecordingBehavior's RecordedParticipants) asks for
 * the call to be recorded. The call has one leg, the customer's, and no agent joins yet, so any
 * participant listed records it; an empty list stops recording.
 */
export function recordsCall(state: FlowState): boolean {
  const behavior = state.recording?.RecordingBehavior as { readonly RecordedParticipants?: unknown } | undefined;
  const participants = behavior?.RecordedParticipants;
  return Array.isArray(participants) && participants.length > 0;
}

class EngineSession implements FlowSession {
  #flow: CompiledFlow | undefined;
  #snapshot: InstanceSnapshot | undefined;
  #state: FlowState | undefined;
  /** Sequence of the prompt playing now: the carrier reports the end of the latest prompt only. */
  #playing: number | null = null;
  readonly #timers = new Map<number, TimerHandle>();
  #over = false;
  /** Whether this session has asked the call to record, by the flow's recording behavior. */
  #recording = false;
  #tail: Promise<void>;

  constructor(
    private readonly runner: FlowEngineRunner,
    private readonly contact: ContactRecord,
    private readonly controls: FlowControls,
  ) {
    this.#tail = this.#begin().catch((error: unknown) => this.#fail(error));
  }

  digits(keys: string): void {
    this.#feed({ type: 'Digits', keys, at: this.runner.deps.clock.now() });
  }

  promptFinished(): void {
    const seq = this.#playing;
    if (seq === null) return;
    this.#playing = null;
    this.#feed({ type: 'PromptFinished', seq, at: this.runner.deps.clock.now() });
  }

  attributesChanged(attributes: Readonly<Record<string, string>>): void {
    // Between steps, in order with them: the next step reads $.Attributes with the change.
    this.#tail = this.#tail.then(() => {
      if (this.#state !== undefined) this.#state = { ...this.#state, attributes: { ...this.#state.attributes, ...attributes } };
    });
  }

  ended(): void {
    const endedByFlow = this.#over;
    this.#over = true;
    for (const timer of this.#timers.values()) this.runner.deps.clock.clearTimer(timer);
    this.#timers.clear();
    // The call ended under the flow (hang-up, StopContact): its log says so; nothing else is left to do.
    if (!endedByFlow) {
      this.#tail = this.#tail
        .then(() => this.#logHangUp())
        .catch((error: unknown) => this.runner.deps.logger.error('flow log not written', { contactId: this.contact.id, error: String(error) }));
    }
  }

  async #logHangUp(): Promise<void> {
    if (this.#flow === undefined || this.#state === undefined) return;
    const at = this.runner.deps.clock.now();
    const { commands } = step(this.#flow, this.#state, { type: 'CustomerHungUp', at }, this.#context());
    const log = commands.flatMap((c) => (c.type === 'Log' ? [c.entry] : []));
    if (log.length > 0) await this.runner.deps.store.contacts.appendFlowLog(this.contact.id, at, log);
  }

  async #begin(): Promise<void> {
    const { resources, clock } = this.runner.deps;
    const record = await resources.requireFlow(this.contact.instanceId, this.contact.flowId);
    this.#flow = this.runner.compiled(record.contentSha256, record.content);
    this.#snapshot = await this.runner.snapshot(this.contact.instanceId);
    if (this.#over) return;
    await this.#apply(initialStep(this.#flow, this.#context(), clock.now()));
  }

  #feed(event: FlowEvent): void {
    this.#tail = this.#tail
      .then(async () => {
        if (this.#over || this.#flow === undefined || this.#state === undefined) return;
        await this.#apply(step(this.#flow, this.#state, event, this.#context()));
      })
      .catch((error: unknown) => this.#fail(error));
  }

  async #apply({ state, commands }: StepResult): Promise<void> {
    this.#state = state;
    const log = commands.flatMap((c) => (c.type === 'Log' ? [c.entry] : []));
    // Saved before its commands act, so what the flow waits for, and why, is on record first.
    await Promise.all([
      state.ended === null && state.wait !== null ? this.controls.saveState(state) : undefined,
      log.length > 0 && this.runner.deps.store.contacts.appendFlowLog(this.contact.id, this.runner.deps.clock.now(), log),
    ]);
    // Before the step's commands, so the prompt a step ends on is recorded when the step turned recording on.
    const record = recordsCall(state);
    if (record !== this.#recording && !this.#over) {
      this.#recording = record;
      this.controls.record(record);
    }
    for (const command of commands) {
      if (this.#over) return;
      await this.#execute(command);
    }
  }

  async #execute(command: FlowCommand): Promise<void> {
    const { clock, logger } = this.runner.deps;
    switch (command.type) {
      case 'Play':
        this.#playing = command.seq;
        this.controls.play(carrierPrompt(command.prompt, command.voice.voice, command.interruptibleByDigits));
        return;
      case 'StartTimer':
        this.#timers.set(
          command.seq,
          clock.setTimer(command.ms, () => {
            this.#timers.delete(command.seq);
            this.#feed({ type: 'TimerFired', seq: command.seq, at: clock.now() });
          }),
        );
        return;
      case 'CancelTimer': {
        const timer = this.#timers.get(command.seq);
        if (timer !== undefined) clock.clearTimer(timer);
        this.#timers.delete(command.seq);
        return;
      }
      case 'SetContactAttributes':
        return this.controls.setAttributes(command.attributes);
      case 'InvokeLambda':
        // Not awaited: the flow waits for the result as an event, and its own timer ends a slow call.
        void this.runner.deps.lambdas
          .invoke(command.functionArn, command.payload, command.timeoutMs)
          .catch((error: unknown) => ({ ok: false as const, reason: String(error) }))
          .then((outcome) => {
            if (!outcome.ok) logger.warn('Lambda function failed', { contactId: this.contact.id, functionArn: command.functionArn, reason: outcome.reason });
            this.#feed({ type: 'LambdaResult', seq: command.seq, ok: outcome.ok, ...(outcome.ok && { values: outcome.values }), at: clock.now() });
          });
        return;
      case 'QueueContact':
        return this.controls.queue(command.queueId, this.#state?.eventHooks ?? {});
      case 'Disconnect':
        this.#over = true;
        this.controls.disconnect();
        return;
      case 'EndFlow':
        // A contact flow that ends without hanging up or queueing leaves nobody to talk to: hang up.
        if (!this.#over && command.reason !== 'Queued' && command.reason !== 'CustomerHungUp') {
          this.#over = true;
          if (this.controls.flowEnded !== undefined) this.controls.flowEnded();
          else this.controls.disconnect();
        }
        return;
      case 'Log':
        // Stored with the step (#apply); an unsupported action also deserves the operator's attention.
        if (command.entry.kind === 'Unsupported') logger.warn('flow action not supported', { contactId: this.contact.id, ...command.entry });
        return;
    }
  }

  #context(): FlowContext {
    const snapshot = this.#snapshot;
    const c = this.contact;
    return {
      contact: {
        contactId: c.id,
        initialContactId: c.id,
        instanceArn: c.arn.slice(0, c.arn.indexOf('/contact/')),
        customerAddress: c.customerNumber,
        systemAddress: c.systemNumber,
        ...(c.name !== null && { name: c.name }),
        ...(c.description !== null && { description: c.description }),
        ...(c.references !== null && { references: c.references as NonNullable<FlowContext['contact']['references']> }),
        attributes: c.attributes,
        ...(c.queueId !== null && { queueId: c.queueId }),
      },
      seed: c.id,
      loggingEnabled: snapshot?.loggingEnabled ?? false,
      ...(c.amdStatus !== null && { outboundCallStatus: AMD_TO_CALL_STATUS[c.amdStatus] ?? 'NotDetected' }),
      queue: (idOrArn) => snapshot?.queues.get(idOrArn),
      queueAtCapacity: (queueId) => snapshot?.queues.get(queueId)?.atCapacity === true,
      hoursOfOperation: (idOrArn) => snapshot?.hours.get(idOrArn),
      flow: (idOrArn) => snapshot?.flows.get(idOrArn),
    };
  }

  /** The flow could not go on (its content does not compile, the store refused a write): hang up. */
  #fail(error: unknown): void {
    this.runner.deps.logger.error('flow failed; hanging up', { contactId: this.contact.id, error: String(error) });
    if (this.#over) return;
    this.#over = true;
    this.controls.disconnect();
  }
}
