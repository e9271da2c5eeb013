import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadTraces, replayTrace } from '../../helpers/flow-trace.js';

describe('golden traces', () => {
  for (const { file, trace } of loadTraces()) {
    it(`${file}: ${trace.description}`, () => {
      assert.deepEqual(replayTrace(trace), trace.expectedCommands);
    });
  }
});
