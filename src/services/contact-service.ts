/**
 * The contact lifecycle: admission of StartOutboundVoiceContact, dialing through the Carrier port, call
 * events, StopContact, attributes, and closing contacts a previous run of this node left live.
 *
 * Every state change is committed before the side effect it causes (the dial, the hang-up, the flow
 * start); carrier events for one contact are handled one at a time, in arrival order.
 */
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { IdSource } from '../shared/ids.js';
import { maskNumber, type Logger } from '../shared/logger.js';
import type { DialOutcome, Metrics } from '../shared/metrics.js';
import type { AnswerInfo, Call, CallEndCause, Carrier, SavedRecording } from '../telephony/carrier.js';
import {
  LIVE_STATES,
  type ContactChange,
  type ContactRecord,
  type ContactState,
  type Emit,
  type RecordingRecord,
  type Store,
  type TrafficType,
} from '../store/store.js';
import {
  ContactNotFoundException,
  DestinationNotAllowedException,
  InvalidParameterException,
  InvalidRequestException,
  LimitExceededException,
  OutboundContactNotPermittedException,
  ResourceNotFoundException,
} from './errors.js';
import { arns, resourceIdFrom, type ArnContext } from './arns.js';
import { destinationRefusal } from './phone-numbers.js';
import type { FlowRunner, FlowSession } from './flow-runner.js';
import type { ResourceService } from './resource-service.js';
import { checkAttributes } from './attributes.js';
import type { ContactEvents } from './contact-events.js';
import type { AgentCalls, AgentPhone, ContactRouting } from './routing-ports.js';
import { QueueHold } from './queue-hold.js';

export interface StartOutboundVoiceContactInput {
  instanceId: string;
  contactFlowId: string;
  destinationPhoneNumber: string;
  sourcePhoneNumber?: string;
  queueId?: string;
  clientToken?: string;
  attributes?: Record<string, string>;
  answerMachineDetection?: { enabled?: boolean; awaitPrompt?: boolean };
  campaignId?: string;
  trafficType?: TrafficType;
  ringTimeoutInSeconds?: number;
  name?: string;
  description?: string;
  references?: Record<string, unknown>;
  relatedContactId?: string;
  outboundStrategy?: Record<string, unknown>;
}

export interface ContactServiceDeps {
  readonly store: Store;
  readonly resources: ResourceService;
  readonly carrier: Carrier;
  readonly flows: FlowRunner;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly logger: Logger;
  readonly events: ContactEvents;
  readonly metrics: Metrics;
  readonly arn: ArnContext;
  readonly nodeId: string;
  readonly clientTokenTtlMs: number;
  readonly routing: ContactRouting;
  /** How long an agent's phone rings for an accepted contact before the offer counts as missed. */
  readonly agentRingTimeoutMs: number;
}

export const DEFAULT_RING_TIMEOUT_SECONDS = 60;

/** Connect's DisconnectReason for each way a call can end; see docs/contact-lifecycle.md. */
const REASONS = {
  busy: 'TELECOM_BUSY',
  declined: 'TELECOM_BUSY',
  unreachable: 'TELECOM_NUMBER_INVALID',
  'carrier-error': 'TELECOM_PROBLEM',
  'callee-hangup': 'CUSTOMER_DISCONNECT',
  'no-answer': 'TELECOM_UNANSWERED',
  flow: 'CONTACT_FLOW_DISCONNECT',
  agent: 'AGENT_DISCONNECT',
  api: 'OTHER',
  restart: 'TELECOM_PROBLEM',
} as const;

/** How each cause of a call's end before an answer counts among dial outcomes. */
const DIAL_OUTCOMES: Record<Exclude<CallEndCause, 'callee-hangup'>, DialOutcome> = {
  busy: 'busy',
  declined: 'declined',
  'no-answer': 'no-answer',
  unreachable: 'unreachable',
  'carrier-error': 'carrier-error',
};

/** AnsweringMachineDetectionStatus for calls that ended before an answer, when AMD was on. */
const AMD_UNANSWERED_STATUS: Record<Exclude<CallEndCause, 'callee-hangup'>, string> = {
  busy: 'SIT_TONE_BUSY',
  declined: 'AMD_UNANSWERED',
  unreachable: 'SIT_TONE_INVALID_NUMBER',
  'carrier-error': 'AMD_ERROR',
  'no-answer': 'AMD_UNANSWERED',
};

/** What this node holds for a contact whose call is in progress. */
interface LiveCall {
  contact?: ContactRecord;
  call?: Call;
  ringTimer?: TimerHandle;
  flow?: FlowSession;
  /** What the customer hears while the contact waits in a queue. */
  hold?: QueueHold;
  /** The event hooks the contact flow set (CustomerQueue, CustomerWhisper, AgentWhisper → flow id or ARN). */
  hooks?: Readonly<Record<string, string>>;
  /** The agent whisper flow playing to the agent before the legs are bridged. */
  agentWhisper?: FlowSession;
  /** The agent's leg, from the accepted offer on. */
  agent?: { readonly userId: string; readonly call: Call; answered: boolean; ringTimer?: TimerHandle };
  /** Tail of this contact's event chain; each event runs after the previous one settled. */
  tail: Promise<void>;
}

export class ContactService implements AgentCalls {
  readonly #live = new Map<string, LiveCall>();
  /** Recording writes in flight, which may outlive their call: closing waits for them. */
  readonly #savingRecordings = new Set<Promise<void>>();

  constructor(private readonly deps: ContactServiceDeps) {}

  /** Admits an outbound contact and schedules its dial. Returns at once with the ContactId. */
  async startOutboundVoiceContact(input: StartOutboundVoiceContactInput): Promise<{ contactId: string }> {
    const { resources, clock, ids } = this.deps;
    const instance = await resources.requireInstance(input.instanceId);
    if (!instance.outboundCallsEnabled) {
      throw new OutboundContactNotPermittedException('Outbound calls are not enabled for this instance (OUTBOUND_CALLS).');
    }
    const trafficType = input.trafficType ?? 'GENERAL';
    const amdEnabled = input.answerMachineDetection?.enabled === true;
    if (amdEnabled && trafficType !== 'CAMPAIGN') {
      throw new InvalidParameterException('AnswerMachineDetectionConfig requires TrafficType CAMPAIGN.');
    }
    if (trafficType === 'CAMPAIGN' && instance.maxLiveCampaignContacts === 0) {
      throw new OutboundContactNotPermittedException(
        'Campaign traffic is not enabled for this instance (quotas.concurrentCampaignActiveCallsPerInstance is 0).',
      );
    }
    if (input.outboundStrategy !== undefined && trafficType !== 'CAMPAIGN') {
      throw new InvalidParameterException('OutboundStrategy is only valid with TrafficType CAMPAIGN.');
    }
    const attributes = input.attributes ?? {};
    checkAttributes(attributes);

    const flow = await resources.requireFlow(instance.id, input.contactFlowId);
    if (flow.status !== 'PUBLISHED') {
      throw new InvalidRequestException(`Contact flow ${input.contactFlowId} is saved but not published.`);
    }
    const { systemNumber, queueId, callerIdName } = await this.#callerId(instance.id, input);
    const refusal = destinationRefusal(input.destinationPhoneNumber, instance.allowedPrefixes, instance.blockedPrefixes);
    if (refusal !== undefined) throw new DestinationNotAllowedException(refusal);
    if (input.relatedContactId !== undefined && (await this.deps.store.contacts.get(instance.id, input.relatedContactId)) === undefined) {
      throw new ResourceNotFoundException(`Related contact not found: ${input.relatedContactId}`);
    }

    const now = clock.now();
    // Time-ordered where the id source can: the contact's rows then append to their indexes (shared/ids.ts).
    const id = ids.timeOrderedUuid?.() ?? ids.uuid();
    const contact: ContactRecord = {
      id,
      arn: arns.contact(this.deps.arn, instance.id, id),
      instanceId: instance.id,
      nodeId: this.deps.nodeId,
      state: 'INITIATED',
      trafficType,
      flowId: flow.id,
      queueId,
      customerNumber: input.destinationPhoneNumber,
      systemNumber,
      name: input.name ?? null,
      description: input.description ?? null,
      references: input.references ?? null,
      relatedContactId: input.relatedContactId ?? null,
      campaignId: input.campaignId ?? null,
      outboundStrategy: input.outboundStrategy ?? null,
      attributes,
      amdEnabled,
      amdAwaitPrompt: input.answerMachineDetection?.awaitPrompt === true,
      amdStatus: null,
      ringTimeoutSeconds: input.ringTimeoutInSeconds ?? DEFAULT_RING_TIMEOUT_SECONDS,
      initiatedAt: now,
      // The dial follows the admission's commit at once, so the admission records when ringing starts.
      ringStartedAt: now,
      connectedAt: null,
      enqueuedAt: null,
      disconnectedAt: null,
      lastUpdatedAt: now,
      disconnectReason: null,
      agentId: null,
      agentConnectedAt: null,
      acwStartedAt: null,
      acwEndedAt: null,
      revision: 1,
    };
    const result = await this.deps.store.contacts.admit(
      contact,
      input.clientToken,
      now - this.deps.clientTokenTtlMs,
      this.#emit(this.deps.events.initiated),
    );
    switch (result.kind) {
      case 'replayed':
        return { contactId: result.contactId };
      case 'limit-exceeded': {
        const max = trafficType === 'CAMPAIGN' ? instance.maxLiveCampaignContacts : instance.maxLiveContacts;
        throw new LimitExceededException(
          `The instance has reached its limit of ${max} concurrent active ${trafficType === 'CAMPAIGN' ? 'campaign ' : ''}calls.`,
        );
      }
      case 'created':
        this.deps.metrics.contactState('INITIATED');
        this.deps.logger.info('contact initiated', { contactId: id, to: maskNumber(contact.customerNumber) });
        this.#live.set(id, { tail: Promise.resolve() });
        this.deps.clock.setTimer(0, () => this.#enqueue(id, () => Promise.resolve(this.#dial(contact, callerIdName))));
        return { contactId: id };
    }
  }

  /** The contact, or ResourceNotFoundException. */
  async describe(instanceIdOrArn: string, contactId: string): Promise<ContactRecord> {
    const instance = await this.deps.resources.requireInstance(instanceIdOrArn);
    const contact = await this.deps.store.contacts.get(instance.id, contactId);
    if (contact === undefined) throw new ResourceNotFoundException(`Contact not found: ${contactId}`);
    return contact;
  }

  /**
   * Ends a live contact (StopContact). ContactNotFoundException when the contact has ended or does not
   * exist ("not active or does not exist", as Connect defines it); an unknown instance is ResourceNotFound.
   */
  async stop(instanceIdOrArn: string, contactId: string, reasonCode?: string): Promise<void> {
    const instance = await this.deps.resources.requireInstance(instanceIdOrArn);
    const contact = await this.deps.store.contacts.get(instance.id, contactId);
    if (contact === undefined) throw new ContactNotFoundException(`Contact ${contactId} does not exist.`);
    if (contact.state === 'DISCONNECTED') throw new ContactNotFoundException(`Contact ${contactId} has already ended.`);
    const ended = await this.#disconnect(contact.id, LIVE_STATES, { disconnectReason: reasonCode ?? REASONS.api }, 'cancelled');
    if (ended === undefined) throw new ContactNotFoundException(`Contact ${contactId} has already ended.`);
    this.deps.logger.info('contact stopped by API', { contactId });
    this.#release(contact.id);
  }

  /** The contact's flow log, oldest first; empty when the instance keeps none (CONTACTFLOW_LOGS). */
  async flowLog(instanceIdOrArn: string, contactId: string): Promise<unknown[]> {
    const contact = await this.describe(instanceIdOrArn, contactId);
    return this.deps.store.contacts.listFlowLog(contact.id);
  }

  async getAttributes(instanceIdOrArn: string, contactId: string): Promise<Record<string, string>> {
    return (await this.describe(instanceIdOrArn, contactId)).attributes;
  }

  async updateAttributes(instanceIdOrArn: string, contactId: string, attributes: Record<string, string>): Promise<void> {
    const contact = await this.describe(instanceIdOrArn, contactId);
    await this.deps.store.contacts.mergeAttributes(
      contact.instanceId,
      contact.id,
      attributes,
      this.deps.clock.now(),
      checkAttributes,
      this.#emit(this.deps.events.attributesUpdated),
    );
    // A flow running on this node sees the change from its next step on, as on Connect.
    this.#live.get(contact.id)?.flow?.attributesChanged(attributes);
  }

  /**
   * Closes the contacts a previous run of this node left live: their calls died with that process, so
   * they end as TELECOM_PROBLEM and are never dialed again. Then repairs the quota counters.
   */
  async recoverAfterRestart(): Promise<number> {
    const stale = await this.deps.store.contacts.listLiveOnNode(this.deps.nodeId);
    for (const contact of stale) {
      // A sped-up clock restarts from real time, behind the previous run's timestamps.
      const now = Math.max(this.deps.clock.now(), contact.lastUpdatedAt);
      await this.#disconnect(contact.id, LIVE_STATES, { disconnectReason: REASONS.restart }, 'carrier-error', now);
      this.deps.logger.warn('contact closed after restart', { contactId: contact.id, state: contact.state });
    }
    await this.deps.store.contacts.reconcileLiveCounters();
    return stale.length;
  }

  /** A described contact's saved recordings, in the order they started. */
  recordings(contact: ContactRecord): Promise<RecordingRecord[]> {
    return this.deps.store.contacts.listRecordings(contact.id);
  }

  /**
   * One recording of a contact, found by ids alone (the download URL carries no instance), or
   * ResourceNotFoundException.
   */
  async recording(contactId: string, recordingId: string): Promise<RecordingRecord> {
    const found = (await this.deps.store.contacts.listRecordings(contactId)).find((r) => r.id === recordingId);
    if (found === undefined) throw new ResourceNotFoundException(`Recording not found: ${contactId}/${recordingId}`);
    return found;
  }

  /** Resolves once every recording the carrier has reported so far is stored (or its failure logged). */
  async recordingsSaved(): Promise<void> {
    while (this.#savingRecordings.size > 0) await Promise.all(this.#savingRecordings);
  }

  /** Number of contacts with a call in progress on this node. */
  get liveCalls(): number {
    return this.#live.size;
  }

  /**
   * Ends every contact with a call on this node (a clean shutdown): each is committed DISCONNECTED with
   * `reason` before its call is hung up.
   */
  async endAll(reason: string): Promise<void> {
    await Promise.all(
      [...this.#live.keys()].map(async (id) => {
        await this.#disconnect(id, LIVE_STATES, { disconnectReason: reason }, 'cancelled');
        this.#release(id);
      }),
    );
  }

  async #callerId(
    instanceId: string,
    input: StartOutboundVoiceContactInput,
  ): Promise<{ systemNumber: string; queueId: string | null; callerIdName: string | null }> {
    const { resources } = this.deps;
    const queue = input.queueId === undefined ? undefined : await resources.requireQueue(instanceId, input.queueId);
    if (input.sourcePhoneNumber !== undefined) {
      const number = await resources.claimedNumber(instanceId, input.sourcePhoneNumber);
      if (number === undefined) {
        throw new ResourceNotFoundException(`SourcePhoneNumber ${input.sourcePhoneNumber} is not claimed by this instance.`);
      }
      return { systemNumber: number.phoneNumber, queueId: queue?.id ?? null, callerIdName: queue?.outboundCallerIdName ?? null };
    }
    if (queue === undefined) throw new InvalidParameterException('Either SourcePhoneNumber or QueueId must be provided.');
    const number =
      queue.outboundCallerIdNumberId === null ? undefined : await resources.phoneNumberById(instanceId, queue.outboundCallerIdNumberId);
    if (number === undefined) {
      throw new InvalidRequestException(`Queue ${resourceIdFrom(input.queueId ?? '')} has no outbound caller ID number.`);
    }
    return { systemNumber: number.phoneNumber, queueId: queue.id, callerIdName: queue.outboundCallerIdName };
  }

  #dial(contact: ContactRecord, callerIdName: string | null): void {
    // A StopContact between admission and dial has released the contact: then there is nothing to dial.
    const live = this.#live.get(contact.id);
    if (live === undefined) return;
    live.contact = contact;
    live.ringTimer = this.deps.clock.setTimer(contact.ringTimeoutSeconds * 1000, () =>
      this.#enqueue(contact.id, () => this.#ringTimeout(contact)),
    );
    live.call = this.deps.carrier.dial(
      {
        contactId: contact.id,
        instanceId: contact.instanceId,
        to: contact.customerNumber,
        from: contact.systemNumber,
        ...(callerIdName !== null && { callerIdName }),
        answeringMachineDetection: { enabled: contact.amdEnabled, awaitPrompt: contact.amdAwaitPrompt },
      },
      {
        ringing: () => this.deps.logger.debug('ringing', { contactId: contact.id }),
        pickedUp: () => this.#enqueue(contact.id, () => Promise.resolve(this.#stopRingTimer(contact.id))),
        answered: (info) => this.#enqueue(contact.id, () => this.#answered(contact, info)),
        digits: (keys) => this.#enqueue(contact.id, () => Promise.resolve(live.flow?.digits(keys))),
        promptFinished: () =>
          this.#enqueue(contact.id, () => Promise.resolve(live.hold !== undefined ? live.hold.promptFinished() : live.flow?.promptFinished())),
        recorded: (recording) => this.#recorded(contact, recording),
        ended: (cause) => this.#enqueue(contact.id, () => this.#callEnded(contact, cause)),
      },
    );
  }

  async #answered(contact: ContactRecord, info: AnswerInfo): Promise<void> {
    const live = this.#live.get(contact.id);
    if (live === undefined) return;
    this.#stopRingTimer(contact.id);
    const now = this.deps.clock.now();
    const connected = await this.deps.store.contacts.transition(
      contact.id,
      ['INITIATED'],
      'CONNECTED_TO_SYSTEM',
      { connectedAt: now, ...(contact.amdEnabled && { amdStatus: info.amdStatus ?? 'AMD_UNRESOLVED' }) },
      now,
      this.#emit(this.deps.events.connected),
    );
    if (connected === undefined) return this.#release(contact.id);
    this.deps.metrics.dialOutcome('answered');
    this.deps.metrics.contactState('CONNECTED_TO_SYSTEM');
    // A StopContact that committed meanwhile has released the call: start no flow on it.
    if (this.#live.get(contact.id) !== live) return;
    this.deps.logger.info('contact connected', { contactId: contact.id });
    const { store, clock } = this.deps;
    live.flow = this.deps.flows.start(connected, {
      play: (prompt) => live.call?.play(prompt),
      record: (enabled) => live.call?.record(enabled),
      disconnect: () => this.#enqueue(contact.id, () => this.#endByFlow(contact)),
      setAttributes: (attributes) => this.#setAttributes(contact, attributes),
      queue: async (queueId, hooks) => {
        const at = clock.now();
        const queued = await store.contacts.transition(
          contact.id,
          ['CONNECTED_TO_SYSTEM'],
          'QUEUED',
          { enqueuedAt: at, queueId },
          at,
          this.#emit(this.deps.events.queued),
        );
        if (queued === undefined) return;
        this.deps.metrics.contactState('QUEUED');
        this.deps.logger.info('contact queued', { contactId: contact.id, queueId });
        live.hooks = hooks;
        this.#startQueueExperience(queued, live);
        this.deps.routing.queued(queued);
      },
      saveState: (state) => store.contacts.saveFlowState(contact.id, JSON.stringify(state), clock.now()),
    });
  }

  /**
   * Stores a saved recording, in order with the contact's other events while its call is live. The carrier
   * saves the last one as the call closes, which may be after the contact ended and its call was released,
   * so a recording never waits for a live call, and the contact's record is written again to list it.
   */
  #recorded(contact: ContactRecord, saved: SavedRecording): void {
    const live = this.#live.get(contact.id);
    const write = (live?.tail ?? Promise.resolve()).then(() => this.#storeRecording(contact, saved));
    if (live !== undefined) live.tail = write;
    this.#savingRecordings.add(write);
    void write.finally(() => this.#savingRecordings.delete(write));
  }

  async #storeRecording(contact: ContactRecord, saved: SavedRecording): Promise<void> {
    const recording: RecordingRecord = {
      id: this.deps.ids.uuid(),
      contactId: contact.id,
      instanceId: contact.instanceId,
      location: saved.location,
      startedAt: saved.startedAt,
      stoppedAt: saved.stoppedAt,
    };
    const fields = { contactId: contact.id, recordingId: recording.id, location: saved.location };
    try {
      await this.deps.store.contacts.addRecording(recording, this.deps.clock.now(), this.#emit(this.deps.events.recorded));
      this.deps.logger.info('recording saved', { ...fields, seconds: Math.round((saved.stoppedAt - saved.startedAt) / 1000) });
    } catch (error) {
      // Unlike a state change, a lost row leaves the call's lifecycle intact: keep the call, and log where the file is.
      this.deps.logger.error('recording could not be stored; the file stays where the carrier saved it', { ...fields, error: String(error) });
    }
  }

  async #callEnded(contact: ContactRecord, cause: CallEndCause): Promise<void> {
    const live = this.#live.get(contact.id);
    if (live === undefined) return;
    // The network already ended the call: nothing to hang up.
    live.call = undefined;
    await this.#disconnect(
      contact.id,
      LIVE_STATES,
      {
        disconnectReason: REASONS[cause],
        ...(contact.amdEnabled && cause !== 'callee-hangup' && { amdStatus: AMD_UNANSWERED_STATUS[cause] }),
      },
      cause === 'callee-hangup' ? 'carrier-error' : DIAL_OUTCOMES[cause],
    );
    this.deps.logger.info('contact disconnected', { contactId: contact.id, reason: REASONS[cause] });
    this.#release(contact.id);
  }

  async #ringTimeout(contact: ContactRecord): Promise<void> {
    const ended = await this.#disconnect(
      contact.id,
      ['INITIATED'],
      { disconnectReason: REASONS['no-answer'], ...(contact.amdEnabled && { amdStatus: AMD_UNANSWERED_STATUS['no-answer'] }) },
      'no-answer',
    );
    if (ended === undefined) return;
    this.deps.logger.info('contact not answered in time', { contactId: contact.id, seconds: contact.ringTimeoutSeconds });
    this.#release(contact.id);
  }

  async #endByFlow(contact: ContactRecord): Promise<void> {
    const ended = await this.#disconnect(contact.id, LIVE_STATES, { disconnectReason: REASONS.flow }, 'carrier-error');
    if (ended !== undefined) this.deps.logger.info('contact disconnected by flow', { contactId: contact.id });
    this.#release(contact.id);
  }

  /**
   * Commits the contact's end with its events and contact record. `unanswered` is how the dial counts
   * when the contact ends before an answer. Undefined when the contact was not in one of `from`.
   */
  async #disconnect(
    id: string,
    from: readonly ContactState[],
    change: ContactChange,
    unanswered: DialOutcome,
    now = this.deps.clock.now(),
  ): Promise<ContactRecord | undefined> {
    const ended = await this.deps.store.contacts.transition(
      id,
      from,
      'DISCONNECTED',
      { disconnectedAt: now, ...change },
      now,
      this.#emit(this.deps.events.disconnected),
    );
    if (ended === undefined) return undefined;
    if (ended.connectedAt === null) this.deps.metrics.dialOutcome(unanswered);
    this.deps.metrics.contactState('DISCONNECTED', ended.disconnectReason ?? undefined);
    // Only a contact that reached a queue can have been offered to an agent.
    if (ended.enqueuedAt !== null) await this.deps.routing.contactEnded(ended);
    return ended;
  }

  #emit(emit: Emit): Emit | undefined {
    return this.deps.events.ifAnyWanted(emit);
  }

  #stopRingTimer(id: string): void {
    const live = this.#live.get(id);
    if (live?.ringTimer === undefined) return;
    this.deps.clock.clearTimer(live.ringTimer);
    live.ringTimer = undefined;
  }

  /** Forgets the contact's call: cancels its ring timer and hangs the call up if it is still there. */
  #release(id: string): void {
    const live = this.#live.get(id);
    if (live === undefined) return;
    this.#live.delete(id);
    if (live.ringTimer !== undefined) this.deps.clock.clearTimer(live.ringTimer);
    if (live.agent?.ringTimer !== undefined) this.deps.clock.clearTimer(live.agent.ringTimer);
    live.hold?.stop();
    live.flow?.ended();
    live.agentWhisper?.ended();
    live.call?.hangUp();
    live.agent?.call.hangUp();
  }

  // ---- The agent's leg (AgentCalls) ---------------------------------------------------------------------

  connectAgent(contactId: string, agent: AgentPhone): boolean {
    const live = this.#live.get(contactId);
    if (live?.call === undefined || live.agent !== undefined) return false;
    this.#enqueue(contactId, () => Promise.resolve(this.#dialAgent(contactId, agent)));
    return true;
  }

  dropAgent(contactId: string): void {
    this.#enqueue(contactId, async () => {
      const leg = this.#live.get(contactId)?.agent;
      if (leg === undefined) return;
      // The phone may have answered since the agent asked: then hanging up ends the talk.
      if (leg.answered) await this.#endByAgent(contactId);
      else await this.#agentLegEnded(contactId, leg, 'declined');
    });
  }

  async endByAgent(contactId: string): Promise<void> {
    const live = this.#live.get(contactId);
    if (live === undefined) return;
    const done = new Promise<void>((resolve) => {
      this.#enqueue(contactId, async () => {
        try {
          await this.#endByAgent(contactId);
        } finally {
          resolve();
        }
      });
    });
    await done;
  }

  #dialAgent(contactId: string, agent: AgentPhone): void {
    const live = this.#live.get(contactId);
    const contact = live?.contact;
    if (live?.call === undefined || contact === undefined) {
      void this.deps.routing.agentUnreachable(contactId, agent.userId);
      return;
    }
    const leg: NonNullable<LiveCall['agent']> = {
      userId: agent.userId,
      answered: false,
      call: this.deps.carrier.dialAgent(
        {
          contactId,
          instanceId: contact.instanceId,
          userId: agent.userId,
          username: agent.username,
          ...(agent.deskPhoneNumber !== undefined && { deskPhoneNumber: agent.deskPhoneNumber }),
          from: contact.customerNumber,
        },
        {
          ringing: () => this.deps.logger.debug('agent phone ringing', { contactId, userId: agent.userId }),
          pickedUp: () => undefined,
          answered: () => this.#enqueue(contactId, () => this.#agentAnswered(contactId)),
          // Once bridged, keys reach the customer as audio events; before, they belong to the agent whisper.
          digits: (keys) => live.agentWhisper?.digits(keys),
          promptFinished: () => live.agentWhisper?.promptFinished(),
          recorded: () => undefined,
          ended: (cause) => this.#enqueue(contactId, () => this.#agentLegEnded(contactId, leg, cause)),
        },
      ),
    };
    leg.ringTimer = this.deps.clock.setTimer(this.deps.agentRingTimeoutMs, () =>
      // An answer may be queued ahead of this: only a leg still ringing times out.
      this.#enqueue(contactId, () => (leg.answered ? Promise.resolve() : this.#agentLegEnded(contactId, leg, 'no-answer'))),
    );
    live.agent = leg;
  }

  async #agentAnswered(contactId: string): Promise<void> {
    const live = this.#live.get(contactId);
    const leg = live?.agent;
    if (live === undefined || leg === undefined || live.call === undefined) return;
    if (leg.ringTimer !== undefined) this.deps.clock.clearTimer(leg.ringTimer);
    leg.ringTimer = undefined;
    if (!(await this.deps.routing.agentAnswered(contactId, leg.userId))) {
      // The offer was withdrawn meanwhile (the agent hung up, the contact ended): drop the agent's leg.
      live.agent = undefined;
      leg.call.hangUp();
      return;
    }
    leg.answered = true;
    const now = this.deps.clock.now();
    const connected = await this.deps.store.contacts.transition(
      contactId,
      ['QUEUED'],
      'CONNECTED_TO_AGENT',
      { agentId: leg.userId, agentConnectedAt: now },
      now,
      this.#emit(this.deps.events.connectedToAgent),
    );
    if (connected === undefined) {
      // The contact ended meanwhile (StopContact): its end may have found the agent still connecting.
      const ended = await this.deps.store.contacts.get(live.contact?.instanceId ?? '', contactId);
      if (ended !== undefined) await this.deps.routing.contactEnded(ended);
      return this.#release(contactId);
    }
    this.deps.metrics.contactState('CONNECTED_TO_AGENT');
    this.deps.logger.info('contact connected to agent', { contactId, userId: leg.userId });
    live.hold?.stop();
    live.hold = undefined;
    live.flow?.ended();
    live.flow = undefined;
    this.#whisperThenBridge(connected, live, leg.call);
  }

  /**
   * What the customer hears while waiting: the customer queue flow the contact flow set, or the default
   * loop, which also takes over if the queue flow ends.
   */
  #startQueueExperience(contact: ContactRecord, live: LiveCall): void {
    const call = live.call;
    if (call === undefined) return;
    const hold = () => {
      if (this.#live.get(contact.id) !== live || live.agent?.answered === true) return;
      live.flow = undefined;
      live.hold = new QueueHold((prompt) => call.play(prompt));
      live.hold.start();
    };
    const queueFlow = live.hooks?.CustomerQueue;
    if (queueFlow === undefined) return hold();
    live.flow = this.#hookFlow(contact, queueFlow, call, hold);
  }

  /**
   * Plays the whisper flows the contact flow set, the agent's to the agent and the customer's to the
   * customer, then bridges the legs. Both legs hear nothing of each other until both whispers are over.
   */
  #whisperThenBridge(contact: ContactRecord, live: LiveCall, agentCall: Call): void {
    const customerCall = live.call;
    if (customerCall === undefined) return;
    let waiting = 1;
    const done = () => {
      if (--waiting > 0 || this.#live.get(contact.id) !== live) return;
      live.flow = undefined;
      live.agentWhisper = undefined;
      customerCall.bridge(agentCall);
    };
    const customerWhisper = live.hooks?.CustomerWhisper;
    const agentWhisper = live.hooks?.AgentWhisper;
    if (customerWhisper !== undefined) {
      waiting++;
      live.flow = this.#hookFlow(contact, customerWhisper, customerCall, done);
    }
    if (agentWhisper !== undefined) {
      waiting++;
      live.agentWhisper = this.#hookFlow(contact, agentWhisper, agentCall, done);
    }
    done();
  }

  /** A flow's Set contact attributes, committed before it resolves. */
  async #setAttributes(contact: ContactRecord, attributes: Readonly<Record<string, string>>): Promise<void> {
    await this.deps.store.contacts.mergeAttributes(
      contact.instanceId,
      contact.id,
      { ...attributes },
      this.deps.clock.now(),
      checkAttributes,
      this.#emit(this.deps.events.attributesUpdated),
    );
  }

  /** Runs a queue or whisper flow on one leg; `finished` follows its end unless it hung up. */
  #hookFlow(contact: ContactRecord, flowRef: string, call: Call, finished: () => void): FlowSession {
    return this.deps.flows.start(
      { ...contact, flowId: resourceIdFrom(flowRef) },
      {
        play: (prompt) => call.play(prompt),
        record: (enabled) => call.record(enabled),
        disconnect: () => this.#enqueue(contact.id, () => this.#endByFlow(contact)),
        setAttributes: (attributes) => this.#setAttributes(contact, attributes),
        // A queue flow's transfer would move the contact to another queue; it waits where it is.
        queue: () => Promise.resolve(),
        flowEnded: () => this.#enqueue(contact.id, () => Promise.resolve(finished())),
        // The contact flow's saved state stays the contact's: a hook flow keeps its own in memory.
        saveState: () => Promise.resolve(),
      },
    );
  }

  async #agentLegEnded(contactId: string, leg: NonNullable<LiveCall['agent']>, cause: CallEndCause): Promise<void> {
    const live = this.#live.get(contactId);
    if (live === undefined || live.agent !== leg) return;
    if (leg.ringTimer !== undefined) this.deps.clock.clearTimer(leg.ringTimer);
    live.agent = undefined;
    if (leg.answered) {
      await this.#endByAgent(contactId);
      return;
    }
    // No answer at the agent's phone: hang up what may still ring, and the offer counts as missed.
    leg.call.hangUp();
    this.deps.logger.info('agent phone not answered', { contactId, userId: leg.userId, cause });
    await this.deps.routing.agentUnreachable(contactId, leg.userId);
  }

  async #endByAgent(contactId: string): Promise<void> {
    const ended = await this.#disconnect(contactId, ['CONNECTED_TO_AGENT'], { disconnectReason: REASONS.agent }, 'carrier-error');
    if (ended !== undefined) this.deps.logger.info('contact disconnected by agent', { contactId });
    this.#release(contactId);
  }

  #enqueue(id: string, step: () => Promise<void>): void {
    const live = this.#live.get(id);
    if (live === undefined) return;
    live.tail = live.tail.then(step).catch((error: unknown) => this.#failed(id, error));
  }

  /**
   * A step of the contact's life could not be recorded (the store refused a write). The call cannot be
   * followed reliably any more: hang it up and try once more to record the end; if that fails too, the
   * next start closes the contact, as after a crash.
   */
  async #failed(id: string, error: unknown): Promise<void> {
    this.deps.logger.error('contact event failed', { contactId: id, error: String(error), stack: (error as Error).stack });
    this.#release(id);
    try {
      await this.#disconnect(id, LIVE_STATES, { disconnectReason: REASONS.restart }, 'carrier-error');
    } catch (again) {
      this.deps.logger.error('contact end could not be recorded; the next start closes it', { contactId: id, error: String(again) });
    }
  }
}
