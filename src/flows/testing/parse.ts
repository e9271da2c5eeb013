/**
 * Reads an Amazon Connect test case: the testing-language document (`Content`), alone or inside a
 * CreateTestCase request or DescribeTestCase answer. Lenient where the docs and the live service
 * disagree (both variants parse), strict about what outdial cannot run: such a case gets a problem naming
 * the construct, so it fails instead of passing without having tested anything.
 */
import { ASSERT_OPERATORS } from './model.js';
import type { AssertOperator, ExpectedEvent, MatchingCriteria, Observation, OverrideStrategy, ParsedTestCase, TestAction, TestCase } from './model.js';

/** 2019-10-30 is what the live service accepts; 2025-06-21 appears in older copies of the docs. */
export const TESTING_LANGUAGE_VERSIONS = ['2019-10-30', '2025-06-21'] as const;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined);

/** Parses a JSON text (a string) or an already parsed value; `fallbackName` names a case whose file gives none. */
export function parseTestCase(input: unknown, fallbackName = 'test case'): ParsedTestCase {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      return { name: fallbackName, testCase: undefined, problems: [`not valid JSON: ${(error as Error).message}`] };
    }
  }
  const problems: string[] = [];
  const envelope = unwrap(value, problems);
  const name = text(envelope?.Name) ?? fallbackName;
  if (envelope === undefined) return { name, testCase: undefined, problems };

  let content: unknown = envelope.Content ?? envelope;
  if (typeof content === 'string') {
    try {
      content = JSON.parse(content);
    } catch (error) {
      problems.push(`Content is not valid JSON: ${(error as Error).message}`);
      return { name, testCase: undefined, problems };
    }
  }
  const attributes = initializationAttributes(envelope.InitializationData, problems);
  const entry = isObject(envelope.EntryPoint) ? envelope.EntryPoint : {};
  const voice = isObject(entry.VoiceCallEntryPointParameters) ? entry.VoiceCallEntryPointParameters : {};
  if (entry.Type !== undefined && entry.Type !== 'VOICE_CALL') problems.push(`EntryPoint.Type ${JSON.stringify(entry.Type)} is not supported offline; outdial runs VOICE_CALL test cases.`);

  const observations = parseContent(content, problems);
  const source = text(voice.SourcePhoneNumber);
  const destination = text(voice.DestinationPhoneNumber);
  const testCase: TestCase = {
    name,
    observations,
    attributes,
    ...(source === undefined ? {} : { sourcePhoneNumber: source }),
    ...(destination === undefined ? {} : { destinationPhoneNumber: destination }),
  };
  return { name, testCase: problems.length === 0 ? testCase : undefined, problems };
}

/** The object holding Content (or the content itself): a request, a DescribeTestCase answer, or bare. */
function unwrap(value: unknown, problems: string[]): Json | undefined {
  if (!isObject(value)) {
    problems.push('a test case must be a JSON object: the testing-language document, or a CreateTestCase request with Content');
    return undefined;
  }
  return isObject(value.TestCase) ? value.TestCase : value;
}

function initializationAttributes(raw: unknown, problems: string[]): Record<string, string> {
  if (raw === undefined) return {};
  let data: unknown = raw;
  if (typeof raw === 'string') {
    try {
      data = JSON.parse(raw);
    } catch (error) {
      problems.push(`InitializationData is not valid JSON: ${(error as Error).message}`);
      return {};
    }
  }
  const attributes = isObject(data) ? data.Attributes : undefined;
  if (attributes === undefined) return {};
  if (!isObject(attributes)) {
    problems.push('InitializationData.Attributes must be an object of string values.');
    return {};
  }
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(attributes)) {
    const s = text(v);
    if (s === undefined) problems.push(`InitializationData.Attributes.${key} must be a string.`);
    else out[key] = s;
  }
  return out;
}

function parseContent(content: unknown, problems: string[]): Observation[] {
  if (!isObject(content)) {
    problems.push('Content must be a testing-language object with Version and Observations.');
    return [];
  }
  if (!(TESTING_LANGUAGE_VERSIONS as readonly unknown[]).includes(content.Version)) {
    problems.push(`Version must be "2019-10-30", got ${JSON.stringify(content.Version)}.`);
  }
  if (!Array.isArray(content.Observations) || content.Observations.length === 0) {
    problems.push('Observations must be a non-empty array.');
    return [];
  }
  const observations: Observation[] = [];
  const ids = new Set<string>();
  content.Observations.forEach((raw: unknown, index) => {
    const observation = parseObservation(raw, index, problems);
    if (observation === undefined) return;
    if (ids.has(observation.id)) problems.push(`Observation "${observation.id}": the Identifier is used twice.`);
    ids.add(observation.id);
    observations.push(observation);
  });
  for (const o of observations) {
    for (const next of o.next) if (!ids.has(next)) problems.push(`Observation "${o.id}": NextObservations names "${next}", which is not an observation.`);
  }
  return observations;
}

function parseObservation(raw: unknown, index: number, problems: string[]): Observation | undefined {
  if (!isObject(raw) || typeof raw.Identifier !== 'string' || raw.Identifier === '') {
    problems.push(`Observations[${index}] needs an Identifier.`);
    return undefined;
  }
  const id = raw.Identifier;
  const where = `Observation "${id}"`;
  const usage = raw.Usage;
  if (usage !== undefined) {
    // Connect runs every observation exactly once; its console says changing Usage is not supported.
    const type = isObject(usage) ? text(usage.Type)?.toLowerCase() : undefined;
    const times = isObject(usage) ? usage.Times : undefined;
    if (type !== 'exactly' || (times !== undefined && times !== 1)) {
      problems.push(`${where}: Usage ${JSON.stringify(usage)} is not supported; leave Usage out (each observation matches once).`);
    }
  }
  const event = parseEvent(raw.Event, where, problems);
  const actions = orderActions(Array.isArray(raw.Actions) ? raw.Actions : [], where, problems);
  if (raw.Actions !== undefined && !Array.isArray(raw.Actions)) problems.push(`${where}: Actions must be an array.`);
  const transitions = isObject(raw.Transitions) ? raw.Transitions : {};
  const nextRaw = transitions.NextObservations ?? [];
  const next = Array.isArray(nextRaw) ? nextRaw.filter((n): n is string => typeof n === 'string') : [];
  if (!Array.isArray(nextRaw) || next.length !== (nextRaw as unknown[]).length) problems.push(`${where}: Transitions.NextObservations must be an array of observation Identifiers.`);
  return event === undefined ? undefined : { id, event, actions, next };
}

function parseEvent(raw: unknown, where: string, problems: string[]): ExpectedEvent | undefined {
  if (!isObject(raw)) {
    problems.push(`${where}: Event is required.`);
    return undefined;
  }
  const props = isObject(raw.Properties) ? raw.Properties : {};
  switch (raw.Type) {
    case 'TestInitiated':
      return { type: 'TestInitiated' };
    case 'TestCompleted':
      return { type: 'TestCompleted' };
    case 'MessageReceived': {
      const criteria = matchingCriteria(props.MatchingCriteria ?? raw.MatchingCriteria, where, problems);
      const media = isObject(props.Media) ? text(props.Media.Uri) : undefined;
      const fields = { text: text(props.Text), ssml: text(props.SSML), promptId: text(props.PromptId), mediaUri: media };
      const given = Object.entries(fields).filter(([, v]) => v !== undefined);
      if (given.length !== 1 || given[0]![1] === '') {
        problems.push(`${where}: MessageReceived needs exactly one non-empty Text, SSML, PromptId or Media.Uri.`);
        return undefined;
      }
      return { type: 'MessageReceived', criteria, ...Object.fromEntries(given) };
    }
    case 'FlowActionStarted':
    case 'FlowActionCompleted': {
      const actionType = text(props.ActionType);
      if (actionType === undefined) {
        problems.push(`${where}: ${raw.Type} needs Properties.ActionType.`);
        return undefined;
      }
      return { type: raw.Type, actionType, parameters: isObject(props.ActionParameters) ? props.ActionParameters : {} };
    }
    default:
      problems.push(`${where}: event Type ${JSON.stringify(raw.Type)} is not supported; outdial runs TestInitiated, TestCompleted, MessageReceived, FlowActionStarted and FlowActionCompleted.`);
      return undefined;
  }
}

/** Inside Properties as the docs say, or beside them as a string as cases that passed live have it. */
function matchingCriteria(raw: unknown, where: string, problems: string[]): MatchingCriteria {
  const value = isObject(raw) ? raw.Type : raw;
  if (value === undefined) return 'Similarity';
  if (value === 'Similarity' || value === 'Inclusion') return value;
  problems.push(`${where}: MatchingCriteria ${JSON.stringify(value)} must be "Similarity" or "Inclusion".`);
  return 'Similarity';
}

/** Follows NextAction chains from the actions nothing points at, in document order. */
function orderActions(raw: unknown[], where: string, problems: string[]): TestAction[] {
  const parsed = raw.map((a, i) => ({ raw: a, action: parseAction(a, i, where, problems) }));
  const byId = new Map(parsed.flatMap(({ action }) => (action === undefined ? [] : [[action.id, action] as const])));
  const nextOf = (a: unknown): string | undefined => (isObject(a) && isObject(a.Transitions) ? text(a.Transitions.NextAction) : undefined);
  const targets = new Set(parsed.map(({ raw: a }) => nextOf(a)).filter((n) => n !== undefined));
  for (const target of targets) if (!byId.has(target)) problems.push(`${where}: NextAction "${target}" names no action of this observation.`);
  const ordered: TestAction[] = [];
  const seen = new Set<string>();
  for (const { raw: a, action } of parsed) {
    if (action === undefined || targets.has(action.id)) continue;
    let current: TestAction | undefined = action;
    let currentRaw: unknown = a;
    while (current !== undefined && !seen.has(current.id)) {
      seen.add(current.id);
      ordered.push(current);
      const target = nextOf(currentRaw);
      current = target === undefined ? undefined : byId.get(target);
      currentRaw = parsed.find((p) => p.action === current)?.raw;
    }
  }
  for (const { action } of parsed) if (action !== undefined && !seen.has(action.id)) problems.push(`${where}: action "${action.id}" is only reachable from a NextAction cycle.`);
  return ordered;
}

function parseAction(raw: unknown, index: number, where: string, problems: string[]): TestAction | undefined {
  if (!isObject(raw) || typeof raw.Identifier !== 'string') {
    problems.push(`${where}: Actions[${index}] needs an Identifier.`);
    return undefined;
  }
  const id = raw.Identifier;
  const at = `${where}, action "${id}"`;
  const params = isObject(raw.Parameters) ? raw.Parameters : {};
  switch (raw.Type) {
    case 'SendInstruction':
      return sendInstruction(id, params, at, problems);
    case 'Assert': {
      const namespace = text(params.Namespace);
      const operator = text(params.Operator);
      if (namespace === undefined || !namespace.startsWith('$.')) {
        problems.push(`${at}: Assert needs a Namespace, a JSONPath such as "$.Attributes.name".`);
        return undefined;
      }
      if (operator === undefined || !(ASSERT_OPERATORS as readonly string[]).includes(operator)) {
        problems.push(`${at}: Assert Operator ${JSON.stringify(params.Operator)} must be one of ${ASSERT_OPERATORS.join(', ')}.`);
        return undefined;
      }
      const operand = text(params.Operand);
      if (operand === undefined && operator !== 'Exists') {
        problems.push(`${at}: Assert ${operator} needs an Operand.`);
        return undefined;
      }
      return { id, kind: 'Assert', namespace, operator: operator as AssertOperator, operand };
    }
    case 'OverrideSystemBehavior':
      return override(id, params, at, problems);
    case 'TestControl': {
      const command = isObject(params.Command) ? params.Command : {};
      if (command.Type === 'EndTest') return { id, kind: 'EndTest' };
      if (command.Type === 'LogData') {
        const props = isObject(command.Properties) ? command.Properties : {};
        const expressions = isObject(props.Expressions) ? props.Expressions : {};
        const out: Record<string, string> = {};
        for (const [label, v] of Object.entries(expressions)) if (typeof v === 'string') out[label] = v;
        return { id, kind: 'LogData', expressions: out };
      }
      problems.push(`${at}: TestControl Command ${JSON.stringify(command.Type)} is not supported; use EndTest or LogData.`);
      return undefined;
    }
    default:
      problems.push(`${at}: action Type ${JSON.stringify(raw.Type)} is not supported; outdial runs SendInstruction, Assert, OverrideSystemBehavior and TestControl.`);
      return undefined;
  }
}

function sendInstruction(id: string, params: Json, at: string, problems: string[]): TestAction | undefined {
  const instruction = isObject(params.Instruction) ? params.Instruction : {};
  const props = isObject(instruction.Properties) ? instruction.Properties : {};
  switch (instruction.Type) {
    case 'DtmfInput': {
      const keys = text(props.Value);
      if (keys === undefined || !/^[0-9*#A-D]+$/.test(keys)) {
        problems.push(`${at}: DtmfInput Value must be keys from 0-9, *, # and A-D, got ${JSON.stringify(props.Value)}.`);
        return undefined;
      }
      return { id, kind: 'Dtmf', keys };
    }
    case 'Disconnect':
      return { id, kind: 'Disconnect' };
    case 'Utterance':
    case 'TextUtterance':
    case 'TextInput':
      problems.push(`${at}: ${instruction.Type} (speech) is not supported offline: outdial runs DTMF flows; use DtmfInput.`);
      return undefined;
    default:
      problems.push(`${at}: SendInstruction Type ${JSON.stringify(instruction.Type)} is not supported; use DtmfInput or Disconnect.`);
      return undefined;
  }
}

function override(id: string, params: Json, at: string, problems: string[]): TestAction | undefined {
  const behavior = isObject(params.Behavior) ? params.Behavior : {};
  const props = isObject(behavior.Properties) ? behavior.Properties : {};
  const target = props.ActionType;
  if (behavior.Type !== 'FlowAction' || (target !== 'InvokeLambdaFunction' && target !== 'CheckHoursOfOperation')) {
    problems.push(
      `${at}: overriding ${JSON.stringify(target ?? behavior.Type)} is not supported offline; outdial mocks InvokeLambdaFunction and CheckHoursOfOperation.`,
    );
    return undefined;
  }
  const parameters = isObject(props.ActionParameters) ? props.ActionParameters : {};
  const strategy = parseStrategy(target, isObject(props.Strategy) ? props.Strategy : {}, at, problems);
  return strategy === undefined ? undefined : { id, kind: 'Override', target, parameters, strategy };
}

function parseStrategy(target: 'InvokeLambdaFunction' | 'CheckHoursOfOperation', raw: Json, at: string, problems: string[]): OverrideStrategy | undefined {
  if (raw.Type === 'SubstituteResource') {
    const arn = text(raw.SubstituteArn);
    if (arn !== undefined) return { type: 'SubstituteResource', arn };
    problems.push(`${at}: SubstituteResource needs a SubstituteArn.`);
    return undefined;
  }
  const response = raw.Type === 'MockResponse' && isObject(raw.Response) ? raw.Response : undefined;
  if (response === undefined) {
    problems.push(`${at}: Strategy must be SubstituteResource or MockResponse with a Response.`);
    return undefined;
  }
  if (response.Type === 'Error') {
    const error = isObject(response.Error) ? response.Error : {};
    const value = text(error.Value);
    const allowed = target === 'InvokeLambdaFunction' ? ['TimeLimitExceeded', 'NoMatchingError'] : ['NoMatchingError'];
    if (value === undefined || !allowed.includes(value)) {
      problems.push(`${at}: a ${target} Error mock takes Value ${allowed.join(' or ')}, got ${JSON.stringify(error.Value)}.`);
      return undefined;
    }
    return { type: 'Error', delayMs: delayMs(error.DelaySeconds), value };
  }
  const result = response.Type === 'ExecutionResult' && isObject(response.ExecutionResult) ? response.ExecutionResult : undefined;
  if (result === undefined) {
    problems.push(`${at}: Response must be ExecutionResult or Error.`);
    return undefined;
  }
  if (target === 'CheckHoursOfOperation') {
    if (result.Value === 'InHours' || result.Value === 'OutOfHours') return { type: 'HoursResult', value: result.Value };
    problems.push(`${at}: a CheckHoursOfOperation mock needs ExecutionResult.Value "InHours" or "OutOfHours".`);
    return undefined;
  }
  // The docs call the response LoadedData; the live service is reported to want Value. Both are JSON text.
  const loaded = result.LoadedData ?? result.Value;
  let data: unknown = loaded;
  if (typeof loaded === 'string') {
    try {
      data = JSON.parse(loaded);
    } catch (error) {
      problems.push(`${at}: LoadedData is not valid JSON: ${(error as Error).message}`);
      return undefined;
    }
  }
  if (!isObject(data)) {
    problems.push(`${at}: a Lambda mock needs ExecutionResult.LoadedData, a JSON object (as a string).`);
    return undefined;
  }
  return { type: 'LambdaResult', delayMs: delayMs(result.DelaySeconds), data };
}

function delayMs(raw: unknown): number {
  const seconds = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : 0;
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}
