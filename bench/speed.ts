/**
 * Whole-tree speed: `folio-lens check` of every .c file in fs/ + mm/
 * against a bare single-thread tree-sitter parse of the same files, in the
 * same run, with each parser backend (native and wasm, see
 * server/src/parser.ts) side by side. The ratio check/bare is the figure
 * that matters; bare parse and check alternate between the backends, and
 * each check's peak RSS is measured in a child process (the CLI itself).
 *
 *   node out/bench/speed.js [KERNEL_DIR]     (default: ../shared/scripts/kernel-source 6.12)
 */
import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { execFileSync, spawn } from 'child_process';
import { openParser, BACKENDS, cliDefaultBackend, type Backend } from '../server/src/parser';
import { nativeLoadError, yieldToGc } from '../server/src/parser-native';
import { collectFiles } from '../server/src/files';
import { analyzeFiles, ReadResult } from '../server/src/pool';
import type { AnalyzeOptions } from '../server/src/analyze';

const ROOT = path.resolve(__dirname, '..', '..');

export function kernelDir(version: '6.12' | '6.1', arg?: string): string {
  if (arg) return arg;
  const env = version === '6.12' ? process.env.FOLIO_LENS_KERNEL_612 : process.env.FOLIO_LENS_KERNEL_61;
  if (env) return env;
  const script = path.resolve(__dirname, '..', '..', '..', 'shared', 'scripts', 'kernel-source');
  return execFileSync(script, [version], { encoding: 'utf8' }).trim();
}

/** The commit the checkout is at, and whether engine or bench sources differ from it (figures belong to a commit). */
export function gitSource(): { commit: string; modified: string[] } {
  const root = path.resolve(__dirname, '..', '..');
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const modified = execFileSync('git', ['status', '--porcelain', '--', 'simulator', 'server', 'bench'], { cwd: root, encoding: 'utf8' })
      .split('\n').filter(Boolean).map((l) => l.slice(3)).filter((f) => !f.startsWith('bench/results/'));
    return { commit, modified };
  } catch {
    return { commit: 'unknown', modified: [] };
  }
}

export function treeFiles(dir: string): string[] {
  return collectFiles([path.join(dir, 'fs'), path.join(dir, 'mm')]).files.filter((f) => f.endsWith('.c'));
}

/** Read and parse every file on this thread with `backend`, nothing else. */
export async function bareParse(files: string[], backend: Backend = 'wasm'): Promise<{ seconds: number; bytes: number }> {
  const parser = await openParser(backend);
  const t = performance.now();
  let bytes = 0;
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    bytes += Buffer.byteLength(text);
    const tree = parser.parse(text);
    tree?.delete();
    // a native tree is freed by its finaliser, on a later turn of the event loop
    if (backend === 'native') await yieldToGc();
  }
  return { seconds: (performance.now() - t) / 1000, bytes };
}

/** What `folio-lens check` uses here without --parser. */
export function cliBackend(): Backend {
  return cliDefaultBackend();
}

/** The backends that load here (wasm always; native when its module does). */
export function availableBackends(): Backend[] {
  return BACKENDS.filter((b) => b === 'wasm' || !nativeLoadError());
}

export interface CheckRun {
  wall: number;
  /** CPU seconds of this process, all threads */
  cpu: number;
  workers: number;
  /** worker milliseconds per phase, summed over files */
  split: { read: number; mask: number; parse: number; extract: number; simulate: number };
  functions: number;
  findings: number;
  errors: number;
  results: ReadResult[];
}

/** `check` of `files` on all cores, in this process, with the time split per phase. */
export async function measureCheck(files: string[], kernelVersion: '6.12' | '6.1', backend: Backend = cliBackend(), extra: Omit<AnalyzeOptions, 'kernelVersion'> = {}): Promise<CheckRun> {
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  const results = await analyzeFiles(files, { ...extra, kernelVersion }, { backend });
  const wall = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const split = { read: 0, mask: 0, parse: 0, extract: 0, simulate: 0 };
  let functions = 0, findings = 0, errors = 0;
  for (const r of results) {
    split.read += r.readMs; split.mask += r.timing.mask; split.parse += r.timing.parse;
    split.extract += r.timing.extract; split.simulate += r.timing.simulate;
    functions += r.functions; findings += r.diagnostics.length; if (r.error) errors++;
  }
  return { wall, cpu: (cpu.user + cpu.system) / 1e6, workers: os.availableParallelism(), split, functions, findings, errors, results };
}

/**
 * Peak RSS (kB) of `folio-lens check` on `paths` with `--parser backend`, run
 * as a child (all worker threads included): /usr/bin/time -v when present,
 * else VmHWM polled from /proc.
 */
export async function cliPeakRss(paths: string[], version: '6.12' | '6.1', backend?: Backend): Promise<{ kb: number; seconds: number; how: string; exit: number | null }> {
  const cli = path.join(ROOT, 'bin', 'folio-lens.js');
  const args = [cli, 'check', '--format', 'json', '--kernel-version', version, ...(backend ? ['--parser', backend] : []), ...paths];
  const timeBin = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const t = performance.now();
  const child = timeBin
    ? spawn(timeBin, ['-v', process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  let hwm = 0;
  const poll = setInterval(() => {
    try {
      const st = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      hwm = Math.max(hwm, Number(/VmHWM:\s+(\d+)/.exec(st)?.[1] ?? 0));
    } catch {
      /* gone */
    }
  }, 50);
  const exit = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  clearInterval(poll);
  const seconds = (performance.now() - t) / 1000;
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  if (timeBin && m) return { kb: Number(m[1]), seconds, how: '/usr/bin/time -v (maximum resident set size)', exit };
  return { kb: hwm, seconds, how: 'VmHWM of the child polled every 50 ms', exit };
}

export interface BackendRun {
  backend: Backend;
  bare: { seconds: number; cpu: number; bytes: number };
  check: CheckRun;
}

/**
 * Bare parse and check with each backend, `repeats` times, alternating
 * (native bare, wasm bare, native check, wasm check, ...); the faster of
 * each is kept (on a shared machine the slower is mostly other jobs' time).
 */
export async function compareBackends(files: string[], version: '6.12' | '6.1', repeats: number, onRun?: (what: string) => void): Promise<BackendRun[]> {
  const best = new Map<Backend, BackendRun>();
  const backends = availableBackends();
  for (let rep = 0; rep < repeats; rep++) {
    const bares = new Map<Backend, { seconds: number; cpu: number; bytes: number }>();
    for (const b of backends) {
      const c0 = process.cpuUsage();
      const r = await bareParse(files, b);
      const cu = process.cpuUsage(c0);
      bares.set(b, { ...r, cpu: (cu.user + cu.system) / 1e6 });
      onRun?.(`bare parse ${b}: ${r.seconds.toFixed(2)} s (${(r.bytes / 1e6 / r.seconds).toFixed(1)} MB/s), ${((cu.user + cu.system) / 1e6).toFixed(2)} s CPU`);
    }
    for (const b of backends) {
      const check = await measureCheck(files, version, b);
      onRun?.(`check ${b}: ${check.wall.toFixed(2)} s wall, ${check.cpu.toFixed(2)} s CPU`);
      const prev = best.get(b);
      const bare = bares.get(b)!;
      best.set(b, {
        backend: b,
        bare: prev && prev.bare.seconds < bare.seconds ? prev.bare : bare,
        check: prev && prev.check.wall < check.wall ? prev.check : check,
      });
    }
  }
  return backends.map((b) => best.get(b)!);
}

/** The side-by-side table: each backend's bare parse and check, the ratios to its own bare parse and to wasm's. */
export function backendTable(runs: BackendRun[], rss?: Map<Backend, number>): string {
  const wasm = runs.find((r) => r.backend === 'wasm');
  const rows = [
    ['backend', 'bare parse, 1 thread', 'check, all cores', 'check/bare', 'check/bare wasm', 'findings', ...(rss ? ['CLI peak RSS'] : [])],
    ...runs.map((r) => [
      r.backend + (r.backend === cliBackend() ? ' (default)' : ''),
      `${r.bare.seconds.toFixed(2)} s, ${r.bare.cpu.toFixed(2)} s CPU, ${(r.bare.bytes / 1e6 / r.bare.seconds).toFixed(1)} MB/s`,
      `${r.check.wall.toFixed(2)} s, ${r.check.cpu.toFixed(2)} s CPU`,
      `${(r.check.wall / r.bare.seconds).toFixed(2)} wall, ${(r.check.cpu / r.bare.cpu).toFixed(2)} CPU`,
      wasm ? `${(r.check.wall / wasm.bare.seconds).toFixed(2)} wall, ${(r.check.cpu / wasm.bare.cpu).toFixed(2)} CPU` : '-',
      String(r.check.findings),
      ...(rss ? [rss.has(r.backend) ? `${(rss.get(r.backend)! / 1024).toFixed(0)} MB` : '-'] : []),
    ]),
  ];
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(w[i])).join('  ')).join('\n');
}

async function main() {
  const dir = kernelDir('6.12', process.argv[2]);
  const files = treeFiles(dir);
  console.log(`tree: ${dir}\nfiles: ${files.length} .c in fs/ + mm/\nmachine: ${os.cpus().length} x ${os.cpus()[0]?.model}, node ${process.version}, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const err = nativeLoadError();
  if (err) console.log(`native backend not available (${err}): wasm only`);
  const runs = await compareBackends(files, '6.12', Number(process.env.FOLIO_LENS_BENCH_REPEATS ?? 2), (s) => console.log(`  ${s}`));
  const rss = new Map<Backend, number>();
  for (const r of runs) rss.set(r.backend, (await cliPeakRss([path.join(dir, 'fs'), path.join(dir, 'mm')], '6.12', r.backend)).kb);
  console.log(`best of each:\n${backendTable(runs, rss)}`);
  for (const r of runs) {
    const sum = r.check.split;
    const total = Object.values(sum).reduce((a, b) => a + b, 0);
    console.log(`${r.backend}: ${r.check.functions} functions simulated, ${r.check.findings} findings, ${r.check.errors} files with errors; worker time: ${Object.entries(sum).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s (${((100 * v) / total).toFixed(0)} %)`).join(', ')}`);
  }
  console.log(`load at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

if (require.main === module) void main();
