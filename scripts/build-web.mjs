// Builds the agent console (web/) into dist/web with Vite. `--if-stale` builds only when dist/web is missing
// or older than a file under web/ (npm's prepare, prestart and pretest use it, so a fresh clone, `npm start`
// and `npm test` always serve the current console). Without Vite (an install without dev dependencies) it
// says so and leaves the server to report the missing build.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const built = join(root, 'dist/web/index.html');

function newestSource() {
  let newest = 0;
  for (const entry of readdirSync(web, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

if (process.argv.includes('--if-stale') && existsSync(built) && statSync(built).mtimeMs >= newestSource()) process.exit(0);

let vite;
try {
  vite = await import('vite');
} catch {
  console.warn('outdial: vite is not installed (dev dependencies skipped?); the agent console is not built.');
  process.exit(0);
}
const started = Date.now();
await vite.build({ root: web, configFile: join(web, 'vite.config.js'), logLevel: 'warn' });
console.log(`outdial: agent console built into dist/web in ${Date.now() - started} ms`);
