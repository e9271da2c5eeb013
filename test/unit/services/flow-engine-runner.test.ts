/**
 * The flow runner's side of call recording: the flow's recording behavior (UpdateContactRecordingBehavior,
 * kept in the pure interpreter's state) turns into `record` calls on the call, once per change, before the
 * commands of the step that changed it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlowEngineRunner, recordsCall } from '../../../src/services/flow-engine-runner.js';
import type { FlowControls } from '../../../src/services/flow-runner.js';
import type { LambdaInvoker } from '../../../src/services/lambda-invoker.js';
import type { ResourceService } from '../../../src/services/resource-service.js';
import { VirtualClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import type { ContactFlowRecord, ContactRecord, Store } from '../../../src/store/store.js';
import type { FlowState } from '../../../src/flows/index.js';
import { flowOf, recordBehavior, say } from '../../helpers/flow-fixtures.js';

const INSTANCE = '11111111-1111-4111-8111-111111111111';
const CONTACT = '22222222-2222-4222-8222-222222222222';

/** Runs `actions` on an answered call; returns what the session did to the call, the callee finishing every prompt. */
async function run(start: string, actions: object[]): Promise<string[]> {
  const content = JSON.stringify(flowOf(start, actions));
  const flow = { id: 'flow-1', arn: 'flow-arn', status: 'PUBLISHED', content, contentSha256: `sha-${content.length}-${start}` } as ContactFlowRecord;
  const resources = {
    requireFlow: () => Promise.resolve(flow),
    requireInstance: () => Promise.resolve({ id: INSTANCE, attributes: {} }),
    listQueues: () => Promise.resolve([]),
    listHoursOfOperation: () => Promise.resolve([]),
    listContactFlows: () => Promise.resolve([flow]),
  } as unknown as ResourceService;
  const store = { contacts: { appendFlowLog: () => Promise.resolve(), countQueued: () => Promise.resolve(0) } } as unknown as Store;
  const lambdas: LambdaInvoker = { invoke: () => Promise.resolve({ ok: false, reason: 'none' }) };
  const runner = new FlowEngineRunner({ resources, store, clock: new VirtualClock(0), logger: silentLogger, lambdas });

  const done: string[] = [];
  let ended = false;
  const controls: FlowControls = {
    play: (prompt) => void done.push(`play ${prompt.text}`),
    record: (enabled) => void done.push(`record ${enabled}`),
    disconnect: () => {
      done.push('disconnect');
      ended = true;
    },
    setAttributes: () => Promise.resolve(),
    queue: () => Promise.resolve(),
    saveState: () => Promise.resolve(),
  };
  const contact = {
    id: CONTACT,
    arn: `arn:aws:connect:us-east-1:000000000000:instance/${INSTANCE}/contact/${CONTACT}`,
    instanceId: INSTANCE,
    flowId: 'flow-1',
    customerNumber: '+12065550100',
    systemNumber: '+12065550199',
    name: null,
    description: null,
    references: null,
    attributes: {},
    queueId: null,
    amdStatus: null,
  } as unknown as ContactRecord;
  const session = runner.start(contact, controls);
  for (let turn = 0; turn < 50 && !ended; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (done.at(-1)?.startsWith('play ')) session.promptFinished();
  }
  return done;
}

describe('the flow runner recording calls', () => {
  it('starts recording before the prompt of the step that asked for it, and stops it when the list empties', async () => {
    const done = await run('on', [
      recordBehavior('on', ['Customer'], 'one'),
      say('one', 'Recorded.', 'off'),
      recordBehavior('off', [], 'two'),
      say('two', 'Not recorded.', 'again'),
      recordBehavior('again', ['Customer', 'Agent'], 'agent'),
      recordBehavior('agent', ['Agent'], 'bye'),
    ]);

    assert.deepEqual(done, ['record true', 'play Recorded.', 'record false', 'play Not recorded.', 'record true', 'disconnect']);
  });

  it('asks nothing of the call while the recorded participants stay empty or unset', async () => {
    const done = await run('off', [recordBehavior('off', [], 'hello'), say('hello', 'Hello.', 'bye')]);

    assert.deepEqual(done, ['play Hello.', 'disconnect']);
  });

  it('records for any participant listed: the call is the customer’s leg, with no agent yet', () => {
    const state = (recording: FlowState['recording']) => ({ recording }) as FlowState;

    assert.equal(recordsCall(state(null)), false);
    assert.equal(recordsCall(state({ AnalyticsBehavior: { Enabled: 'True' } })), false);
    assert.equal(recordsCall(state({ RecordingBehavior: { RecordedParticipants: [] } })), false);
    assert.equal(recordsCall(state({ RecordingBehavior: { RecordedParticipants: ['Customer'] } })), true);
    assert.equal(recordsCall(state({ RecordingBehavior: { RecordedParticipants: ['Agent'] } })), true);
  });
});
