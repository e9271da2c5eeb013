import { InvalidContactFlowException } from './errors.js';

/** Connect's limit on a flow's size. */
const MAX_ACTIONS = 250;

/**
 * Checks the outer structure of flow-language content (Version, StartAction naming an action, Actions with
 * unique identifiers) and throws InvalidContactFlowException listing every problem.
 */
export function checkFlowContent(content: string): void {
  let flow: unknown;
  try {
    flow = JSON.parse(content);
  } catch (error) {
    throw new InvalidContactFlowException([{ message: `Content is not valid JSON: ${(error as Error).message}` }]);
  }
  const problems: { message: string }[] = [];
  if (typeof flow !== 'object' || flow === null || Array.isArray(flow)) {
    throw new InvalidContactFlowException([{ message: 'Content must be a flow-language JSON object.' }]);
  }
  const { Version, StartAction, Actions } = flow as Record<string, unknown>;
  if (Version !== '2019-10-30') problems.push({ message: 'Version must be "2019-10-30".' });
  if (!Array.isArray(Actions)) {
    problems.push({ message: 'Actions must be an array.' });
  } else {
    if (Actions.length > MAX_ACTIONS) problems.push({ message: `A flow holds at most ${MAX_ACTIONS} actions; this one has ${Actions.length}.` });
    const ids = new Set<string>();
    for (const action of Actions as unknown[]) {
      const id = (action as { Identifier?: unknown } | null)?.Identifier;
      if (typeof id !== 'string' || id === '') problems.push({ message: 'Every action needs an Identifier.' });
      else if (ids.has(id)) problems.push({ message: `Action identifier ${id} is used more than once.` });
      else ids.add(id);
    }
    if (typeof StartAction !== 'string' || !ids.has(StartAction)) {
      problems.push({ message: `StartAction ${JSON.stringify(StartAction)} does not name an action of the flow.` });
    }
  }
  if (problems.length > 0) throw new InvalidContactFlowException(problems);
}
