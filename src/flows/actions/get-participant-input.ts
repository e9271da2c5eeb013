/**
 * GetParticipantInput (DTMF): plays an interruptible prompt, then waits InputTimeLimitSeconds for the
 * first key. Without StoreInput the first key picks a condition; with StoreInput the keys are collected
 * until the termination sequence, the maximum length, or a pause between keys, then stored as
 * $.StoredCustomerInput.
 */
import { condition, error, next, numeric, oneOf, unsupported } from '../run.js';
import type { ActionHandler, Outcome, Run } from '../run.js';
import type { FlowAction } from '../model.js';
import type { FlowWait } from '../types.js';
import { PHONE_COUNTRIES, toE164 } from '../phone.js';
import { asText, isReference } from '../values.js';
import { checkPrompt, promptOf } from './prompt.js';

const DEFAULT_TIME_LIMIT_SECONDS = 5;
/** Connect does not document the pause that ends stored input; 5 s matches the console's default. */
export const INTERDIGIT_TIMEOUT_MS = 5000;
/** The most digits Connect stores. */
const MAX_STORED_DIGITS = 20;
const DEFAULT_TERMINATOR = '#';
const CANCEL_KEY = '*';

type Params = Readonly<Record<string, unknown>>;
type InputWait = Extract<FlowWait, { kind: 'input' }>;

const object = (value: unknown): Params => (typeof value === 'object' && value !== null ? (value as Params) : {});
const storesInput = (params: Params): boolean => String(params.StoreInput).toLowerCase() === 'true';

function check(action: FlowAction): string[] {
  const p = action.parameters;
  const faults = [...checkPrompt(p), ...oneOf(p, 'StoreInput', ['True', 'False', 'true', 'false'])];
  const limit = p.InputTimeLimitSeconds;
  if (limit !== undefined && (isReference(limit) || !(numeric(limit)! > 0))) {
    faults.push(`InputTimeLimitSeconds must be a static number of seconds above 0, got ${JSON.stringify(limit)}.`);
  }
  const terminator = object(p.DTMFConfiguration).InputTerminationSequence;
  if (terminator !== undefined && !/^[0-9*#]{1,5}$/.test(asText(terminator) ?? '')) {
    faults.push('DTMFConfiguration.InputTerminationSequence must be 1 to 5 of the keys 0-9, * and #.');
  }
  if (storesInput(p)) {
    if (action.conditions.length > 0) faults.push('Conditions apply only when StoreInput is "False"; remove them or stop storing the input.');
    const validation = object(p.InputValidation);
    const phone = object(validation.PhoneNumberValidation);
    if (validation.CustomValidation === undefined && validation.PhoneNumberValidation === undefined) {
      faults.push('StoreInput "True" needs InputValidation with CustomValidation or PhoneNumberValidation.');
    } else if (validation.PhoneNumberValidation !== undefined) {
      faults.push(...oneOf(phone, 'NumberFormat', ['Local', 'E164']));
      if (phone.NumberFormat === 'Local' && !PHONE_COUNTRIES.includes(String(phone.CountryCode))) {
        faults.push(`PhoneNumberValidation with NumberFormat "Local" needs a CountryCode (supported: ${PHONE_COUNTRIES.join(', ')}).`);
      }
    } else if (!(numeric(object(validation.CustomValidation).MaximumLength)! > 0)) {
      faults.push('CustomValidation needs MaximumLength, a number of digits above 0.');
    }
  }
  return faults;
}

export const getParticipantInput: ActionHandler = {
  spec: {
    errors: ['NoMatchingCondition', 'NoMatchingError', 'InvalidPhoneNumber', 'InputTimeLimitExceeded'],
    requiredErrors: ['NoMatchingError'],
    conditions: { operators: ['Equals'], operands: /^[0-9*#]$/ },
    lenientReferences: true,
    check,
  },
  enter(run, action, { values }) {
    if (values.InputEncryption !== undefined) return unsupported(run, action, 'GetParticipantInput with InputEncryption is not supported');
    const prompt = promptOf(values);
    if (prompt === undefined) return error('NoMatchingError', 'the prompt reference resolved to nothing');
    const promptSeq = run.seq();
    run.emit({ type: 'Play', seq: promptSeq, prompt, voice: run.state.voice, interruptibleByDigits: true });
    return { kind: 'wait', wait: { kind: 'input', promptSeq, timerSeq: null, phase: 'prompt', buffer: '' } };
  },
  resume(run, action, wait, event, { values }) {
    if (wait.kind !== 'input') return undefined;
    switch (event.type) {
      case 'PromptFinished':
        if (event.seq !== wait.promptSeq || wait.phase !== 'prompt') return undefined;
        return waitFor(run, wait, 'first-digit', (numeric(values.InputTimeLimitSeconds) ?? DEFAULT_TIME_LIMIT_SECONDS) * 1000);
      case 'TimerFired':
        if (event.seq !== wait.timerSeq) return undefined;
        return wait.phase === 'more-digits' ? complete(run, action, values, wait.buffer) : error('InputTimeLimitExceeded');
      case 'Digits':
        if (event.keys === '') return undefined;
        if (wait.timerSeq !== null) run.emit({ type: 'CancelTimer', seq: wait.timerSeq });
        return storesInput(values) ? collect(run, action, values, wait, event.keys) : choose(action, event.keys[0]!);
      case 'LambdaResult':
        return undefined;
    }
  },
};

function waitFor(run: Run, wait: InputWait, phase: InputWait['phase'], ms: number, buffer = wait.buffer): Outcome {
  const timerSeq = run.seq();
  run.emit({ type: 'StartTimer', seq: timerSeq, ms });
  return { kind: 'wait', wait: { ...wait, timerSeq, phase, buffer } };
}

/** Without StoreInput the first key decides; later keys in the same burst are dropped. */
function choose(action: FlowAction, key: string): Outcome {
  const match = action.conditions.find((c) => c.operands[0] === key);
  return match === undefined ? error('NoMatchingCondition', `no condition for key ${key}`) : condition(match);
}

function collect(run: Run, action: FlowAction, values: Params, wait: InputWait, keys: string): Outcome {
  const dtmf = object(values.DTMFConfiguration);
  const terminator = asText(dtmf.InputTerminationSequence) ?? DEFAULT_TERMINATOR;
  const cancelKey = String(dtmf.DisableCancelKey).toLowerCase() === 'true' || terminator.includes(CANCEL_KEY) ? undefined : CANCEL_KEY;
  const maxLength = Math.min(numeric(object(object(values.InputValidation).CustomValidation).MaximumLength) ?? MAX_STORED_DIGITS, MAX_STORED_DIGITS);
  let buffer = wait.buffer;
  for (const key of keys) {
    // The cancel key throws away what was keyed so far, so the caller can start again.
    if (key === cancelKey) {
      buffer = '';
      continue;
    }
    buffer += key;
    if (buffer.endsWith(terminator)) return complete(run, action, values, buffer.slice(0, -terminator.length));
    if (buffer.length >= maxLength) return complete(run, action, values, buffer);
  }
  return waitFor(run, wait, 'more-digits', INTERDIGIT_TIMEOUT_MS, buffer);
}

function complete(run: Run, action: FlowAction, values: Params, input: string): Outcome {
  const phone = object(object(values.InputValidation).PhoneNumberValidation);
  let stored = input;
  if (phone.NumberFormat !== undefined) {
    const e164 = toE164(input, asText(phone.NumberFormat) ?? '', asText(phone.CountryCode));
    if (e164 === undefined) return error('InvalidPhoneNumber', `"${input}" is not a valid phone number`);
    stored = e164;
  }
  run.state.storedCustomerInput = stored;
  return next(action);
}
