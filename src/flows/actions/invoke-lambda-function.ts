/**
 * InvokeLambdaFunction (synchronous): asks the service to call the function and waits for its result or
 * InvocationTimeLimitSeconds, whichever comes first. The response becomes $.External.
 */
import { lambdaPayload } from '../lambda-payload.js';
import { error, next, numeric, oneOf, unsupported } from '../run.js';
import type { ActionHandler } from '../run.js';
import { asText, isReference } from '../values.js';

const DEFAULT_TIME_LIMIT_SECONDS = 3;
const MAX_TIME_LIMIT_SECONDS = 8;

export const invokeLambdaFunction: ActionHandler = {
  spec: {
    errors: ['NoMatchingError'],
    check: (action) => {
      const p = action.parameters;
      const faults = typeof p.LambdaFunctionARN === 'string' ? [] : ['LambdaFunctionARN is required.'];
      const limit = p.InvocationTimeLimitSeconds;
      const seconds = numeric(limit);
      if (limit !== undefined && (isReference(limit) || seconds === undefined || seconds < 1 || seconds > MAX_TIME_LIMIT_SECONDS)) {
        faults.push(`InvocationTimeLimitSeconds must be a static number from 1 to ${MAX_TIME_LIMIT_SECONDS}, got ${JSON.stringify(limit)}.`);
      }
      faults.push(...oneOf(p, 'InvocationType', ['SYNCHRONOUS', 'ASYNCHRONOUS']));
      faults.push(...oneOf((p.ResponseValidation ?? {}) as Record<string, unknown>, 'ResponseType', ['STRING_MAP', 'JSON']));
      return faults;
    },
  },
  enter(run, action, { values }) {
    if (values.InvocationType === 'ASYNCHRONOUS') return unsupported(run, action, 'asynchronous Lambda invocation is not supported');
    const parameters: Record<string, string> = {};
    for (const [key, value] of Object.entries((values.LambdaInvocationAttributes ?? {}) as Record<string, unknown>)) {
      parameters[key] = asText(value) ?? JSON.stringify(value);
    }
    const requestSeq = run.seq();
    const timerSeq = run.seq();
    const timeoutMs = (numeric(values.InvocationTimeLimitSeconds) ?? DEFAULT_TIME_LIMIT_SECONDS) * 1000;
    const payload = lambdaPayload({ state: run.state, context: run.context }, parameters);
    run.emit({ type: 'InvokeLambda', seq: requestSeq, functionArn: String(values.LambdaFunctionARN), payload, timeoutMs });
    run.emit({ type: 'StartTimer', seq: timerSeq, ms: timeoutMs });
    return { kind: 'wait', wait: { kind: 'lambda', requestSeq, timerSeq } };
  },
  resume(run, action, wait, event, { values }) {
    if (wait.kind !== 'lambda') return undefined;
    if (event.type === 'TimerFired' && event.seq === wait.timerSeq) return error('NoMatchingError', 'the function did not answer in time');
    if (event.type !== 'LambdaResult' || event.seq !== wait.requestSeq) return undefined;
    run.emit({ type: 'CancelTimer', seq: wait.timerSeq });
    if (!event.ok) return error('NoMatchingError', 'the function failed');
    const response = event.values ?? {};
    const stringMap = (values.ResponseValidation as { ResponseType?: unknown } | undefined)?.ResponseType !== 'JSON';
    if (stringMap) {
      // STRING_MAP responses must be flat: Connect refuses nested values.
      const flat: Record<string, string> = {};
      for (const [key, value] of Object.entries(response)) {
        const text = value === null ? '' : asText(value);
        if (text === undefined) return error('NoMatchingError', `response value ${key} is not a string`);
        flat[key] = text;
      }
      run.state.external = flat;
    } else {
      run.state.external = response;
    }
    return next(action);
  },
};
