/**
 * Whole-tree speed: `folio-lens check` of every .c file in fs/ + mm/
 * against a bare single-thread web-tree-sitter parse of the same files, in
 * the same run. The ratio check/bare is the figure that matters.
 *
 *   node out/bench/speed.js [KERNEL_DIR]     (default: ../shared/scripts/kernel-source 6.12)
 */
import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { execFileSync } from 'child_process';
import { createParser } from '../server/src/parser';
import { collectFiles } from '../server/src/files';
import { analyzeFiles, ReadResult } from '../server/src/pool';

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

export async function bareParse(files: string[]): Promise<{ seconds: number; bytes: number }> {
  const parser = await createParser();
  const t = performance.now();
  let bytes = 0;
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    bytes += Buffer.byteLength(text);
    const tree = parser.parse(text);
    tree?.delete();
  }
  return { seconds: (performance.now() - t) / 1000, bytes };
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
export async function measureCheck(files: string[], kernelVersion: '6.12' | '6.1'): Promise<CheckRun> {
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  const results = await analyzeFiles(files, { kernelVersion });
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

async function main() {
  const dir = kernelDir('6.12', process.argv[2]);
  const files = treeFiles(dir);
  console.log(`tree: ${dir}\nfiles: ${files.length} .c in fs/ + mm/\nmachine: ${os.cpus().length} x ${os.cpus()[0]?.model}, node ${process.version}`);

  const bare = await bareParse(files);
  console.log(`bare parse, 1 thread: ${bare.seconds.toFixed(2)} s (${(bare.bytes / 1e6 / bare.seconds).toFixed(1)} MB/s)`);

  const run = await measureCheck(files, '6.12');
  const { wall, split: sum, functions, findings, errors } = run;
  const total = Object.values(sum).reduce((a, b) => a + b, 0);
  console.log(`check, ${run.workers} workers: ${wall.toFixed(2)} s wall, ${run.cpu.toFixed(2)} s CPU (all threads), ${(files.length / wall).toFixed(0)} files/s, ${(bare.bytes / 1e6 / wall).toFixed(1)} MB/s`);
  console.log(`  ${functions} functions simulated, ${findings} findings, ${errors} files with errors`);
  console.log(`  worker time: ${Object.entries(sum).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s (${((100 * v) / total).toFixed(0)} %)`).join(', ')}`);
  console.log(`ratio check/bare parse: ${(wall / bare.seconds).toFixed(2)}`);
}

if (require.main === module) void main();
