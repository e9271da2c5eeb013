/** Compare: tests ComparisonValue against each condition in order; none holding is NoMatchingCondition. */
import { firstMatch } from '../conditions.js';
import { OPERATORS } from '../model.js';
import { condition, error } from '../run.js';
import type { ActionHandler } from '../run.js';
import { asText, isReference, resolvePath } from '../values.js';

export const compare: ActionHandler = {
  spec: {
    errors: ['NoMatchingCondition'],
    conditions: { operators: OPERATORS },
    lenientReferences: true,
    check: (action) => (typeof action.parameters.ComparisonValue === 'string' ? [] : ['ComparisonValue is required (a JSONPath such as "$.Attributes.x").']),
  },
  enter(run, action, { values }) {
    const scope = { state: run.state, context: run.context };
    const operandOf = (operand: string): string | undefined => (isReference(operand) ? asText(resolvePath(operand, scope)) : operand);
    const match = firstMatch(action, asText(values.ComparisonValue), operandOf);
    return match === undefined ? error('NoMatchingCondition') : condition(match);
  },
};
