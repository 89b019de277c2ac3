/**
 * Memory of the language server with a workspace indexed.
 *
 *   node out/bench/lsp-memory.js [WORKSPACE] [--open FILE]...
 *
 * Spawns the server over stdio with WORKSPACE as its folder (default: the
 * 6.12 kernel tree of ../shared/scripts/kernel-source, i.e. fs/ + mm/ +
 * include/), waits for the background index to finish (work-done progress
 * end), samples the server process's RSS from /proc every 100 ms during
 * indexing, then opens the given files (default mm/filemap.c) and reports
 * RSS again. The figure that matters is the server process (main thread
 * and the index worker together); the index keeps summaries only.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspClient, fileUri } from '../test/lsp-client';
import { MEMORY_REQUEST, type MemoryReport } from '../server/src/lsp/memory';

const DEFAULT_WS = path.join(os.homedir(), '.cache', 'kernel-source', 'linux-6.12');

function rssKb(pid: number): { rss: number; hwm: number } {
  try {
    const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: Number(/VmRSS:\s+(\d+)/.exec(st)?.[1] ?? 0), hwm: Number(/VmHWM:\s+(\d+)/.exec(st)?.[1] ?? 0) };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const ws = process.argv[2] && !process.argv[2].startsWith('--') ? path.resolve(process.argv[2]) : DEFAULT_WS;
  if (!fs.existsSync(ws)) {
    process.stderr.write(`lsp-memory: ${ws} not found (run ../shared/scripts/kernel-source 6.12)\n`);
    process.exitCode = 2;
    return;
  }
  const opens: string[] = [];
  for (let i = 0; i < process.argv.length; i++) if (process.argv[i] === '--open') opens.push(path.resolve(process.argv[++i]));
  const m = await measureMemory(ws, opens);
  const { line, indexSeconds, samples, base, peak, afterIndex, afterOpen, heap } = m;
  process.stdout.write(
    `workspace ${ws}\n` +
    `${line ?? '(no index summary logged)'}\n` +
    `indexing wall time: ${indexSeconds.toFixed(1)} s (${samples} RSS samples)\n` +
    `server RSS after initialize: ${mb(base.rss)}\n` +
    `server RSS peak while indexing (sampled): ${mb(peak)}; VmHWM at the end: ${mb(afterOpen.hwm)}\n` +
    `server RSS after indexing (worker ended): ${mb(afterIndex.rss)}\n` +
    `server RSS with ${m.opens.map((f) => path.relative(ws, f)).join(', ')} open: ${mb(afterOpen.rss)}\n` +
    `server JS heap then, after a full GC: ${mb(heap.heapUsed / 1024)} used of ${mb(heap.heapTotal / 1024)}; external (tree-sitter's wasm memory, buffers) ${mb(heap.external / 1024)}\n`,
  );
}

export interface MemoryResult {
  /** the server's "indexed ..." log line */
  line: string | undefined;
  indexSeconds: number;
  samples: number;
  /** kB */
  base: { rss: number; hwm: number };
  peak: number;
  afterIndex: { rss: number; hwm: number };
  afterOpen: { rss: number; hwm: number };
  /** the server's own view at the end (foliolens/memoryUsage after a full GC), bytes */
  heap: MemoryReport;
  opens: string[];
}

/** Index `ws` in a spawned server, sampling its RSS, then open `opens` (default mm/filemap.c); all sizes in kB. */
export async function measureMemory(ws: string, opens: string[] = []): Promise<MemoryResult> {
  opens = [...opens];
  if (!opens.length && fs.existsSync(path.join(ws, 'mm', 'filemap.c'))) opens.push(path.join(ws, 'mm', 'filemap.c'));

  // --expose-gc only so that foliolens/memoryUsage can collect before it measures
  const client = new LspClient({ workspace: ws, settings: { trace: { server: 'verbose' } }, nodeArgs: ['--expose-gc'], stderr: (s) => process.stderr.write(s) });
  const pid = client.proc.pid!;
  const t0 = performance.now();
  await client.initialize();
  const base = rssKb(pid);
  let peak = 0;
  let samples = 0;
  let last = 0;
  const done = () => client.progress.some((p) => (p as { value?: { kind?: string } }).value?.kind === 'end');
  while (!done()) {
    await new Promise((r) => setTimeout(r, 100));
    const r = rssKb(pid);
    peak = Math.max(peak, r.rss);
    samples++;
    if (performance.now() - last > 5000) {
      last = performance.now();
      const st = client.statuses[client.statuses.length - 1] as { done?: number; total?: number } | undefined;
      process.stderr.write(`  ${((performance.now() - t0) / 1000).toFixed(0)} s: ${st?.done ?? '?'}/${st?.total ?? '?'} files, RSS ${mb(r.rss)}\n`);
    }
  }
  const indexSeconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 1500)); // the worker ends after its last message
  const afterIndex = rssKb(pid);
  const line = client.logs.find((l) => l.includes('indexed'));
  for (const f of opens) {
    const uri = fileUri(f);
    const p = client.diagnostics(uri, 1);
    await client.open(uri, fs.readFileSync(f, 'utf8'), 1);
    await p;
  }
  // the index's summaries at a call site: re-analysed once the index is in
  await new Promise((r) => setTimeout(r, 500));
  const afterOpen = rssKb(pid);
  const heap = await client.request<MemoryReport>(MEMORY_REQUEST, { gc: true });
  await client.shutdown();
  return { line, indexSeconds, samples, base, peak, afterIndex, afterOpen, heap, opens };
}

if (require.main === module) void main();
