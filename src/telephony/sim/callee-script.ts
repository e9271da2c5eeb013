/**
 * Callee scripts: how a simulated destination behaves when called. Config lists them; the first whose
 * `match` fits the dialed number applies (an exact E.164 number, or a prefix ending in `*`).
 */
import { z } from 'zod';

const seconds = z.number().min(0).max(86_400);

export const calleeScriptSchema = z
  .object({
    match: z.string().regex(/^\+[0-9]*\*?$/, 'an E.164 number, or a prefix such as "+1206555*"'),
    description: z.string().optional(),
    /** What the line does after ringing. `no-answer` rings until the engine's ring timeout cancels. */
    outcome: z.enum(['answer', 'machine', 'busy', 'decline', 'no-answer', 'unreachable', 'carrier-error']).default('answer'),
    ringSeconds: seconds.default(2),
    /** Answering machine: greeting length, then a beep unless `beep` is false. */
    greetingSeconds: seconds.default(6),
    beep: z.boolean().default(true),
    /** Hang up this long after answering. */
    hangUpAfterSeconds: seconds.optional(),
    /** Hang up half-way through the n-th prompt (1 = the first). */
    hangUpDuringPrompt: z.number().int().min(1).optional(),
    /** Keys pressed each time a prompt finishes. */
    pressAfterEachPrompt: z.string().regex(/^[0-9*#A-D]+$/).optional(),
    /** Keys pressed at given moments after answering. */
    press: z.array(z.object({ atSeconds: seconds, keys: z.string().regex(/^[0-9*#A-D]+$/) }).strict()).default([]),
  })
  .strict();

export type CalleeScript = z.infer<typeof calleeScriptSchema>;

/** Applies when no configured script matches: ring briefly, answer, stay until the engine hangs up. */
export const DEFAULT_CALLEE_SCRIPT: CalleeScript = calleeScriptSchema.parse({
  match: '+*',
  description: 'rings for 2 s, answers, stays on the line until the flow ends',
});

/** Demo destinations shipped in the default config, one per behaviour; documented in docs/simulated-network.md. */
export const DEMO_CALLEE_SCRIPTS: CalleeScript[] = [
  { match: '+12065550100', description: 'answers after 2 s and stays on the line', outcome: 'answer', ringSeconds: 2 },
  { match: '+12065550101', description: 'answers and presses 1 after every prompt', pressAfterEachPrompt: '1' },
  { match: '+12065550102', description: 'answers, hangs up after 10 s', hangUpAfterSeconds: 10 },
  { match: '+12065550103', description: 'busy', outcome: 'busy', ringSeconds: 0 },
  { match: '+12065550104', description: 'rings and never answers', outcome: 'no-answer' },
  { match: '+12065550105', description: 'rings for 3 s, then declines', outcome: 'decline', ringSeconds: 3 },
  { match: '+12065550106', description: 'unreachable number', outcome: 'unreachable', ringSeconds: 0 },
  { match: '+12065550107', description: 'answering machine: 6 s greeting, then a beep', outcome: 'machine' },
  { match: '+12065550108', description: 'answers, hangs up in the middle of the first prompt', hangUpDuringPrompt: 1 },
  { match: '+12065550109', description: 'answers, presses 1234# 3 s later', press: [{ atSeconds: 3, keys: '1234#' }] },
  { match: '+12065550110', description: 'the carrier fails the call', outcome: 'carrier-error', ringSeconds: 1 },
].map((s) => calleeScriptSchema.parse(s));

/** The first script matching `number`, else the default. */
export function scriptFor(number: string, scripts: readonly CalleeScript[]): CalleeScript {
  return (
    scripts.find((s) => (s.match.endsWith('*') ? number.startsWith(s.match.slice(0, -1)) : number === s.match)) ??
    DEFAULT_CALLEE_SCRIPT
  );
}
