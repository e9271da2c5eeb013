/** The eight comparison operators of Transitions.Conditions. */
import type { FlowAction, FlowCondition, Operator } from './model.js';

function asNumber(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

export function compare(operator: Operator, value: string | undefined, operand: string): boolean {
  if (value === undefined) return false;
  switch (operator) {
    case 'Equals':
      return value === operand;
    case 'TextStartsWith':
      return value.startsWith(operand);
    case 'TextEndsWith':
      return value.endsWith(operand);
    case 'TextContains':
      return value.includes(operand);
    case 'NumberGreaterThan':
      return asNumber(value) > asNumber(operand);
    case 'NumberGreaterOrEqualTo':
      return asNumber(value) >= asNumber(operand);
    case 'NumberLessThan':
      return asNumber(value) < asNumber(operand);
    case 'NumberLessOrEqualTo':
      return asNumber(value) <= asNumber(operand);
  }
}

/** The first condition (in flow order) that holds for the value; Connect evaluates them in order. */
export function firstMatch(action: FlowAction, value: string | undefined, operandOf = (o: string): string | undefined => o): FlowCondition | undefined {
  return action.conditions.find((c) => {
    const operand = operandOf(c.operands[0] ?? '');
    return operand !== undefined && compare(c.operator, value, operand);
  });
}
