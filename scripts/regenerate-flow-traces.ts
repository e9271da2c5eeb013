// Rewrites expectedCommands in every golden trace from the engine's current behaviour.
// Run after a deliberate change, then review the diff: node --import tsx scripts/regenerate-flow-traces.ts
import { writeFileSync } from 'node:fs';

import { loadTraces, replayTrace, TRACES_DIR } from '../test/helpers/flow-trace.js';

for (const { file, trace } of loadTraces()) {
  writeFileSync(new URL(file, TRACES_DIR), `${JSON.stringify({ ...trace, expectedCommands: replayTrace(trace) }, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
