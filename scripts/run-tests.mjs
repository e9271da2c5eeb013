// Collects *.test.ts under the given folders and runs them with node:test + tsx
// (Node 20's --test takes paths, not globs). The spec reporter, not TAP, because it ends with the
// failing tests again: a CI log that keeps only its tail still names what failed.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const dirs = process.argv.slice(2).filter((dir) => existsSync(dir));
const files = dirs
  .flatMap((dir) =>
    readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => join(dir, f)),
  )
  .sort();
if (files.length === 0) {
  console.error(`no *.test.ts under ${process.argv.slice(2).join(', ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
