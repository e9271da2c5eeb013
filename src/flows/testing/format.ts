/** Test results and traces as the CLI prints them: plain lines, one fact each, greppable in CI logs. */
import type { TestCaseResult } from './model.js';
import type { FlowTrace } from './trace.js';

const at = (ms: number): string => `${(ms / 1000).toFixed(1).padStart(6)} s`;

export function formatTestCaseResult(result: TestCaseResult): string {
  const lines = [`${result.passed ? 'PASS' : 'FAIL'} ${result.name}${result.ended === null ? '' : ` (ended: ${result.ended}, ${(result.durationMs / 1000).toFixed(1)} s virtual)`}`];
  for (const problem of result.problems) lines.push(`  problem: ${problem}`);
  for (const o of result.observations) {
    lines.push(`  ${o.status.padEnd(7)} ${o.id}: ${o.event}`);
    lines.push(`          ${o.reason}`);
    for (const a of o.actions) lines.push(`          - ${a.id} [${a.status}] ${a.detail}`);
  }
  if (result.path.length > 0) lines.push(`  path: ${result.path.join(' → ')}`);
  if (result.prompts.length > 0) {
    lines.push('  prompts:');
    for (const p of result.prompts) lines.push(`    ${at(p.atMs)}  ${JSON.stringify(p.text)}${p.interrupted ? ` (cut after ${(p.heardMs / 1000).toFixed(1)} s)` : ''}`);
  }
  for (const entry of result.logData) lines.push(`  log ${at(entry.atMs)}  ${JSON.stringify(entry.values)}`);
  if (Object.keys(result.attributes).length > 0) lines.push(`  attributes: ${JSON.stringify(result.attributes)}`);
  for (const note of result.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}

export function formatTrace(trace: FlowTrace): string {
  const lines = trace.timeline.map((t) => `${at(t.atMs)}  ${t.what}`);
  lines.push(`outcome: ${trace.outcome}`);
  lines.push(`path: ${trace.path.length === 0 ? '(the flow did not run)' : trace.path.join(' → ')}`);
  if (Object.keys(trace.attributes).length > 0) lines.push(`attributes: ${JSON.stringify(trace.attributes)}`);
  return lines.join('\n');
}
