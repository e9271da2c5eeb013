/**
 * Offline flow tests in Amazon Connect's own test format, and flow traces against a simulated callee,
 * all in virtual time. Importable from users' own unit tests:
 *
 *   const result = runTestCase(loadFlow(flowJson), testCaseJson);
 *   assert.ok(result.passed, formatTestCaseResult(result));
 */
export { parseTestCase, TESTING_LANGUAGE_VERSIONS } from './parse.js';
export { runTestCase, textMatches, TEST_TIME_LIMIT_MS } from './runner.js';
export type { RunTestCaseOptions } from './runner.js';
export { traceFlow, RING_TIMEOUT_MS, TRACE_TIME_LIMIT_MS } from './trace.js';
export type { FlowTrace, TraceFlowOptions, TraceLine } from './trace.js';
export { flowContentOf, loadFlow } from './load.js';
export { formatTestCaseResult, formatTrace } from './format.js';
export { ALWAYS_OPEN, NEVER_OPEN, DEFAULT_START_TIME } from './environment.js';
export type { FlowTestEnvironment, QueueEnvironment } from './environment.js';
export { ASSERT_OPERATORS } from './model.js';
export type {
  ActionResult,
  AssertOperator,
  ExpectedEvent,
  MatchingCriteria,
  Observation,
  ObservationResult,
  ObservationStatus,
  OverrideStrategy,
  OverrideTarget,
  ParsedTestCase,
  SpokenPrompt,
  TestAction,
  TestCase,
  TestCaseResult,
} from './model.js';
