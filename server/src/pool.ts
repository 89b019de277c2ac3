/**
 * Check many files on all cores: a queue of files handed to worker threads
 * one at a time (so a slow file does not hold up the rest), each worker with
 * its own parser. Small runs stay on the calling thread.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { isUtf8 } from 'buffer';
import { Analyzer, AnalyzeOptions, FileResult } from './analyze';
import { defaultBackend, type Backend } from './parser';
import { yieldToGc } from './parser-native';

export interface ReadResult extends FileResult {
  readMs: number;
  /** said once about the file, on stderr: it was checked, but not quite as written (not UTF-8) */
  notice?: string;
}

export function readAndAnalyze(analyzer: Analyzer, file: string, opts: AnalyzeOptions): ReadResult {
  const t = performance.now();
  let text: string;
  let notice: string | undefined;
  try {
    const buf = fs.readFileSync(file);
    // kernel sources are UTF-8; a Latin-1 comment still parses (its bytes become U+FFFD, offsets per character)
    if (!isUtf8(buf)) notice = 'not valid UTF-8: checked with the invalid bytes read as U+FFFD (columns on those lines may be off)';
    text = buf.toString('utf8');
  } catch (e) {
    return {
      file, diagnostics: [], functions: 0, overBudget: 0, readMs: performance.now() - t,
      error: `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      timing: { mask: 0, parse: 0, extract: 0, simulate: 0 },
    };
  }
  const readMs = performance.now() - t;
  return { ...analyzer.analyzeText(file, text, opts), readMs, ...(notice ? { notice } : {}) };
}

export interface PoolOptions {
  jobs?: number;
  /** the tree-sitter runtime (default: the process's, see parser.ts) */
  backend?: Backend;
  onResult?: (r: ReadResult, done: number, total: number) => void;
}

/** Analyse `files`, returning results in the order of `files`. */
export async function analyzeFiles(files: string[], opts: AnalyzeOptions, pool: PoolOptions = {}): Promise<ReadResult[]> {
  const jobs = Math.max(1, Math.min(pool.jobs ?? os.availableParallelism(), Math.ceil(files.length / 4)));
  const results: ReadResult[] = new Array(files.length);
  let done = 0;
  const backend = pool.backend ?? defaultBackend();
  if (jobs === 1) {
    const analyzer = await Analyzer.create(backend);
    for (let i = 0; i < files.length; i++) {
      results[i] = readAndAnalyze(analyzer, files[i], opts);
      pool.onResult?.(results[i], ++done, files.length);
      // native trees are freed by finalisers that run between turns of the event loop
      if (backend === 'native') await yieldToGc();
    }
    return results;
  }
  const workerFile = path.join(__dirname, 'worker.js');
  // largest files first, so that no big file is left for the end of the run
  const order = files.map((f, i) => ({ i, size: sizeOf(f) })).sort((a, b) => b.size - a.size).map((x) => x.i);
  let next = 0;
  await Promise.all(
    Array.from({ length: jobs }, () =>
      new Promise<void>((resolve, reject) => {
        // a small young generation keeps each worker's heap flat over a whole tree
        // (measured: CLI peak RSS on 6.12 fs/ + mm/ 262 MB without it)
        const w = new Worker(workerFile, { workerData: { opts, backend }, resourceLimits: { maxYoungGenerationSizeMb: 12 } });
        let current = -1;
        const feed = () => {
          if (next >= files.length) {
            void w.terminate().then(() => resolve());
            return;
          }
          current = order[next++];
          w.postMessage({ index: current, file: files[current] });
        };
        w.on('message', (msg: { index: number; result: ReadResult } | { ready: true }) => {
          if ('ready' in msg) return feed();
          results[msg.index] = msg.result;
          pool.onResult?.(msg.result, ++done, files.length);
          feed();
        });
        w.on('error', (e) => {
          // the worker died: report the file it held and carry on in a new worker
          if (current >= 0 && !results[current]) {
            results[current] = {
              file: files[current], diagnostics: [], functions: 0, overBudget: 0, readMs: 0,
              error: `internal error: ${e.message}`, timing: { mask: 0, parse: 0, extract: 0, simulate: 0 },
            };
            pool.onResult?.(results[current], ++done, files.length);
          }
          reject(e);
        });
      }).catch(async () => {
        // finish the remaining files on this thread
        const analyzer = await Analyzer.create(backend);
        while (next < files.length) {
          const i = order[next++];
          results[i] = readAndAnalyze(analyzer, files[i], opts);
          pool.onResult?.(results[i], ++done, files.length);
          if (backend === 'native') await yieldToGc();
        }
      }),
    ),
  );
  return results;
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
