/**
 * Where a V8 CPU profile (`node --cpu-prof`, or a benchmark's BENCH_PROFILE) spends its time: self time by
 * function, by source file and by package, as shares of the busy time (idle left out).
 *
 *   node --import tsx bench/profile-top.ts <file.cpuprofile> [how many rows, default 25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, rowsArg] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node --import tsx bench/profile-top.ts <file.cpuprofile> [rows]\n');
  process.exit(2);
}
const rows = Number(rowsArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));

const selfUs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  // timeDeltas[i] is the time before sample i; the time after it is the next delta.
  const id = profile.samples[i]!;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
}

const root = new URL('..', import.meta.url).href;
function where(url: string): string {
  if (url === '') return '(native or V8)';
  return url.startsWith(root) ? url.slice(root.length) : url.replace(/^file:\/\//, '');
}
function packageOf(url: string): string {
  const path = where(url);
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (match?.[1] !== undefined) return match[1];
  if (path.startsWith('src/')) return path.split('/').slice(0, 3).join('/');
  if (path.startsWith('node:')) return 'node: (core)';
  return path;
}

const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

/** Time of the samples whose stack passes through each source folder or package (a sample counts once per folder). */
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const url = byId.get(at)!.callFrame.url;
    if (url !== '') seen.add(packageOf(url));
  }
  for (const key of seen) inclusive.set(key, (inclusive.get(key) ?? 0) + us);
}

const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
let idle = 0;
const functions = new Map<string, number>();
const files = new Map<string, number>();
const packages = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)!.callFrame;
  if (frame.functionName === '(idle)') {
    idle += us;
    continue;
  }
  const name = `${frame.functionName || '(anonymous)'}  ${where(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
  functions.set(name, (functions.get(name) ?? 0) + us);
  const key = frame.url === '' ? frame.functionName : where(frame.url);
  files.set(key, (files.get(key) ?? 0) + us);
  const pkg = frame.url === '' ? frame.functionName : packageOf(frame.url);
  packages.set(pkg, (packages.get(pkg) ?? 0) + us);
}
const busy = total - idle;

function print(title: string, map: Map<string, number>): void {
  process.stdout.write(`\n${title}\n`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    process.stdout.write(`${((100 * us) / busy).toFixed(1).padStart(6)} %  ${(us / 1e6).toFixed(2).padStart(7)} s  ${name}\n`);
  }
}

process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s busy (${((100 * busy) / total).toFixed(0)} %); shares below are of the busy time\n`);
print('by package or source folder, self time', packages);
print('by package or source folder, inclusive (time with it on the stack; shares overlap)', inclusive);
print('by file', files);
print('by function (self time)', functions);
