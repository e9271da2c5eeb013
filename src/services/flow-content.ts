import { compileFlow, FlowValidationError, type CompiledFlow } from '../flows/index.js';
import { InvalidContactFlowException } from './errors.js';

/**
 * Compiles flow-language content as CreateContactFlow does for PUBLISHED flows; every fault the compiler
 * finds becomes one entry of InvalidContactFlowException's `problems`.
 */
export function checkFlowContent(content: string): CompiledFlow {
  try {
    return compileFlow(content);
  } catch (error) {
    if (error instanceof FlowValidationError) throw new InvalidContactFlowException(error.problems);
    throw error;
  }
}
