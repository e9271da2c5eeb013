/**
 * `outdial flow test` and `outdial flow run`: offline, in virtual time, no server. The exit code of
 * `flow test` is the verdict (0 only when every test case passes), so it drops into any CI.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { FlowValidationError } from '../flows/index.js';
import { parseAttributes } from './client-commands.js';
import type { CompiledFlow, HoursOfOperation } from '../flows/index.js';
import { formatTestCaseResult, formatTrace, loadFlow, parseTestCase, runTestCase, traceFlow } from '../flows/testing/index.js';
import type { FlowTestEnvironment, QueueEnvironment } from '../flows/testing/index.js';
import { calleeScriptSchema, DEFAULT_CALLEE_SCRIPT } from '../telephony/sim/callee-script.js';
import type { CalleeScript } from '../telephony/sim/callee-script.js';

export interface FlowTestOptions {
  env?: string;
  json?: boolean;
}

export interface FlowRunOptions {
  callee?: string;
  env?: string;
  attr?: string[];
  json?: boolean;
}

function read(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
}

function compile(file: string): CompiledFlow {
  try {
    return loadFlow(read(file, 'flow file'));
  } catch (error) {
    if (error instanceof FlowValidationError) {
      throw new Error(`${file} is not a valid flow:\n${error.problems.map((p) => `  - ${p.message}`).join('\n')}`, { cause: error });
    }
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The `--env` file: what the instance would know. Flows are flow-language documents (or the
 * DescribeContactFlow shape); startTime is ISO 8601 or epoch milliseconds.
 */
export function loadEnvironment(file: string | undefined): FlowTestEnvironment {
  if (file === undefined) return {};
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(read(file, 'environment file')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const flows: Record<string, CompiledFlow> = {};
  for (const [ref, doc] of Object.entries((raw.flows ?? {}) as Record<string, unknown>)) {
    try {
      flows[ref] = loadFlow(JSON.stringify(doc));
    } catch (error) {
      throw new Error(`${file}: flow ${ref} is not valid: ${(error as Error).message}`, { cause: error });
    }
  }
  const start = raw.startTime;
  const startTime = typeof start === 'string' ? Date.parse(start) : typeof start === 'number' ? start : undefined;
  if (startTime !== undefined && Number.isNaN(startTime)) throw new Error(`${file}: startTime ${JSON.stringify(start)} is not a date`);
  return {
    ...(raw.queues === undefined ? {} : { queues: raw.queues as QueueEnvironment[] }),
    ...(raw.hoursOfOperation === undefined ? {} : { hoursOfOperation: raw.hoursOfOperation as Record<string, HoursOfOperation> }),
    flows,
    ...(raw.contact === undefined ? {} : { contact: raw.contact as FlowTestEnvironment['contact'] }),
    ...(typeof raw.outboundCallStatus === 'string' ? { outboundCallStatus: raw.outboundCallStatus as FlowTestEnvironment['outboundCallStatus'] } : {}),
    ...(startTime === undefined ? {} : { startTime }),
    ...(typeof raw.seed === 'string' || typeof raw.seed === 'number' ? { seed: raw.seed } : {}),
  };
}

export function runFlowTest(flowFile: string, testFiles: readonly string[], options: FlowTestOptions): void {
  const flow = compile(flowFile);
  const environment = loadEnvironment(options.env);
  const results = testFiles.map((file) => runTestCase(flow, parseTestCase(read(file, 'test case'), basename(file)), { environment }));
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const result of results) process.stdout.write(`${formatTestCaseResult(result)}\n\n`);
    const passed = results.filter((r) => r.passed).length;
    process.stdout.write(`${passed} of ${results.length} test case${results.length === 1 ? '' : 's'} passed\n`);
  }
  process.exitCode = results.every((r) => r.passed) ? 0 : 1;
}

/** A callee script from `--callee`: `match` may be left out, the script applies to the traced call. */
export function parseCallee(text: string | undefined): CalleeScript {
  if (text === undefined) return DEFAULT_CALLEE_SCRIPT;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`--callee is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = calleeScriptSchema.safeParse(typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { match: '+*', ...raw } : raw);
  if (!parsed.success) {
    throw new Error(`--callee is not a callee script: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(script)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

export function runFlowRun(flowFile: string, options: FlowRunOptions): void {
  const flow = compile(flowFile);
  const trace = traceFlow(flow, parseCallee(options.callee), { environment: loadEnvironment(options.env), attributes: parseAttributes(options.attr ?? []) });
  process.stdout.write(options.json === true ? `${JSON.stringify(trace, null, 2)}\n` : `${formatTrace(trace)}\n`);
}
