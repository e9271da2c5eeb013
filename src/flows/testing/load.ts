/**
 * Flow files as users have them: the flow-language document itself (a console export), or the
 * DescribeContactFlow shape where the document is the JSON string in `Content` (Terraform imports, CLI dumps).
 */
import { compileFlow } from '../compile.js';
import type { CompiledFlow } from '../model.js';

/** The flow-language text inside a flow file. Throws Error naming the fault when there is none. */
export function flowContentOf(fileText: string): string {
  let value: unknown;
  try {
    value = JSON.parse(fileText);
  } catch (error) {
    throw new Error(`the flow file is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the flow file must hold a JSON object');
  const record = value as Record<string, unknown>;
  // DescribeContactFlow answers {"ContactFlow": {…, "Content": "…"}}; exports of it drop the wrapper.
  const holder = typeof record.ContactFlow === 'object' && record.ContactFlow !== null ? (record.ContactFlow as Record<string, unknown>) : record;
  if (typeof holder.Content === 'string') return holder.Content;
  if (typeof holder.Content === 'object' && holder.Content !== null) return JSON.stringify(holder.Content);
  return fileText;
}

/** Compiles a flow file; FlowValidationError lists every problem, as CreateContactFlow would. */
export function loadFlow(fileText: string): CompiledFlow {
  return compileFlow(flowContentOf(fileText));
}
