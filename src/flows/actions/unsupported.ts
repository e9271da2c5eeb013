/**
 * Every known Type without a module: it imports (with lenient rules, since we do not model its
 * parameters) and at run time logs that it is unsupported and takes its error branch.
 */
import { unsupported } from '../run.js';
import type { ActionHandler } from '../run.js';
import type { ActionType } from '../action-types.js';

/** Known Types that end the flow and so must have empty Transitions. */
const TERMINAL: ReadonlySet<ActionType> = new Set(['EndFlowModuleExecution']);

const terminalHandler: ActionHandler = {
  spec: { terminal: true, errors: [] },
  enter: (run, action) => unsupported(run, action, `${action.type} is not supported`),
};

const lenientHandler: ActionHandler = {
  spec: { conditions: 'any', lenientReferences: true },
  enter: (run, action) => unsupported(run, action, `${action.type} is not supported`),
};

export function unsupportedHandler(type: ActionType): ActionHandler {
  return TERMINAL.has(type) ? terminalHandler : lenientHandler;
}
