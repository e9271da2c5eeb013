/**
 * `npm run bench`: every benchmark, one after the other, each in a process of its own so none inherits
 * another's warm JIT, heap or children. Each prints its table and sets its key in bench/results.json.
 *
 *   npm run bench                       all of them
 *   npm run bench -- sip-media-streams  only the named ones (file names under bench/, without .ts)
 *
 * Exits non-zero when any benchmark did (a refused request, a failed call, a missing tool), after running
 * the rest.
 */
import { spawn } from 'node:child_process';

const ALL = ['start-outbound-voice-contact', 'sip-call-attempts', 'sip-media-streams'] as const;
const root = new URL('..', import.meta.url).pathname;

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(ALL as readonly string[]).includes(name));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; choose from ${ALL.join(', ')}\n`);
  process.exit(2);
}

let failed = 0;
for (const name of wanted.length > 0 ? wanted : ALL) {
  process.stdout.write(`\n== bench/${name}.ts\n`);
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], { cwd: root, stdio: 'inherit' });
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  process.stdout.write(`== bench/${name}.ts: exit ${code} after ${Math.round((performance.now() - started) / 1000)} s\n`);
  if (code !== 0) failed++;
}
if (failed > 0) process.exitCode = 1;
