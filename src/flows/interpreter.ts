/**
 * The pure interpreter: initialStep() starts a flow, step() applies one event. Both return the next
 * state and the commands the contact service must carry out; neither reads the clock, randomness or
 * anything outside its arguments, so replaying the same events gives the same commands.
 */
import { handlerFor } from './actions/registry.js';
import type { CompiledFlow, FlowAction } from './model.js';
import { seedRandom } from './random.js';
import { Run } from './run.js';
import type { Outcome, ResumeEvent } from './run.js';
import type { FlowContext, FlowEndReason, FlowEvent, FlowState, FlowWait, StepResult } from './types.js';
import { resolveParameters } from './values.js';
import type { ResolvedParameters } from './values.js';

/** Connect's default text-to-speech voice. */
export const DEFAULT_VOICE = 'Joanna';
/**
 * Actions run without waiting in one step before the flow is stopped: a flow that loops through
 * non-waiting actions forever would otherwise never return.
 */
export const MAX_ACTIONS_PER_STEP = 1000;

export function initialState(context: FlowContext): FlowState {
  return {
    version: 1,
    flowRef: null,
    actionId: null,
    wait: null,
    ended: null,
    nextSeq: 1,
    attributes: { ...context.contact.attributes },
    external: {},
    storedCustomerInput: null,
    targetQueueId: context.contact.queueId ?? null,
    voice: { voice: DEFAULT_VOICE },
    loggingEnabled: context.loggingEnabled ?? true,
    recording: null,
    eventHooks: {},
    loops: {},
    random: seedRandom(context.seed),
  };
}

export function initialStep(flow: CompiledFlow, context: FlowContext, at: number): StepResult {
  const run = new Run(initialState(context), context, at, flow);
  run.log({ kind: 'EventReceived', event: { type: 'FlowStarted', at } });
  advance(run, flow.startAction);
  return result(run);
}

export function step(flow: CompiledFlow, state: FlowState, event: FlowEvent, context: FlowContext): StepResult {
  const current = state.flowRef === null ? flow : context.flow(state.flowRef);
  const run = new Run(state, context, event.at, current ?? flow);
  if (state.ended !== null) {
    run.log({ kind: 'EventReceived', event, ignored: 'the flow has ended' });
    return result(run);
  }
  if (current === undefined) {
    run.log({ kind: 'EventReceived', event });
    finish(run, 'Error', true, `flow ${state.flowRef} is no longer available`);
    return result(run);
  }
  switch (event.type) {
    case 'FlowStarted':
      run.log({ kind: 'EventReceived', event, ignored: 'the flow has already started' });
      break;
    case 'CustomerHungUp':
      run.log({ kind: 'EventReceived', event });
      cancelTimer(run, state.wait);
      finish(run, 'CustomerHungUp', false);
      break;
    default:
      resume(run, state.wait, event);
  }
  return result(run);
}

function result(run: Run): StepResult {
  return { state: run.state, commands: run.commands };
}

function resume(run: Run, wait: FlowWait | null, event: ResumeEvent): void {
  const action = run.state.actionId === null ? undefined : run.flow.actions.get(run.state.actionId);
  const handler = action === undefined ? undefined : handlerFor(action.type);
  const outcome = wait === null || action === undefined ? undefined : handler?.resume?.(run, action, wait, event, resolve(run, action));
  if (outcome === undefined || action === undefined) {
    // Sequence numbers did not match: a timer after the input it guarded, a prompt end after the action moved on.
    run.log({ kind: 'EventReceived', event, ignored: 'stale or unexpected for the current action' });
    return;
  }
  run.log({ kind: 'EventReceived', event });
  const target = settle(run, action, outcome);
  if (target !== undefined) advance(run, target);
}

function resolve(run: Run, action: FlowAction): ResolvedParameters {
  return resolveParameters(action.parameters, { state: run.state, context: run.context });
}

/** Runs actions from `actionId` until one waits or the flow ends. */
function advance(run: Run, actionId: string): void {
  let target: string | undefined = actionId;
  for (let budget = MAX_ACTIONS_PER_STEP; target !== undefined; budget--) {
    if (budget === 0) {
      finish(run, 'Error', true, `ran ${MAX_ACTIONS_PER_STEP} actions without waiting for the caller; the flow loops`);
      return;
    }
    const action = run.flow.actions.get(target);
    if (action === undefined) {
      finish(run, 'Error', true, `action ${target} does not exist`);
      return;
    }
    run.state.actionId = action.id;
    const handler = handlerFor(action.type);
    const params = resolve(run, action);
    run.log({ kind: 'ActionEntered', actionType: action.type, parameters: params.values });
    const outcome: Outcome =
      params.unresolved.length > 0 && handler.spec.lenientReferences !== true
        ? { kind: 'error', errorType: 'NoMatchingError', reason: `${params.unresolved.join(', ')} resolved to nothing` }
        : handler.enter(run, action, params);
    target = settle(run, action, outcome);
  }
}

/** Applies an action's outcome; returns the action to run next, if any. */
function settle(run: Run, action: FlowAction, outcome: Outcome): string | undefined {
  run.state.wait = outcome.kind === 'wait' ? outcome.wait : null;
  switch (outcome.kind) {
    case 'wait':
      return undefined;
    case 'end':
      finish(run, outcome.reason, outcome.disconnect);
      return undefined;
    case 'next':
      return branch(run, outcome.branch, outcome.target);
    case 'error': {
      const found = action.errors.find((e) => e.errorType === outcome.errorType) ?? action.errors.find((e) => e.errorType === 'NoMatchingError');
      const label = `Error ${outcome.errorType}${found !== undefined && found.errorType !== outcome.errorType ? ' (via NoMatchingError)' : ''}${outcome.reason === undefined ? '' : `: ${outcome.reason}`}`;
      if (found !== undefined) return branch(run, label, found.next);
      run.log({ kind: 'BranchTaken', branch: label, nextActionId: null });
      finish(run, 'Error', true, `${action.type} failed and has no error branch`);
      return undefined;
    }
    case 'transfer':
      run.log({ kind: 'BranchTaken', branch: `TransferToFlow ${outcome.flowRef}`, nextActionId: outcome.flow.startAction });
      run.flow = outcome.flow;
      run.state.flowRef = outcome.flowRef;
      run.state.loops = {};
      return outcome.flow.startAction;
  }
}

function branch(run: Run, label: string, target: string | undefined): string | undefined {
  run.log({ kind: 'BranchTaken', branch: label, nextActionId: target ?? null });
  if (target === undefined) finish(run, 'Error', true, 'the action has no NextAction');
  return target;
}

function cancelTimer(run: Run, wait: FlowWait | null): void {
  const timerSeq = wait === null || wait.kind === 'prompt' ? null : wait.timerSeq;
  if (timerSeq !== null) run.emit({ type: 'CancelTimer', seq: timerSeq });
}

function finish(run: Run, reason: FlowEndReason, disconnect: boolean, message?: string): void {
  run.state.wait = null;
  run.state.ended = reason;
  run.log({ kind: 'FlowEnded', reason, ...(message === undefined ? {} : { message }) });
  if (disconnect) run.emit({ type: 'Disconnect' });
  run.emit({ type: 'EndFlow', reason });
}
