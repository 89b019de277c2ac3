/**
 * The workspace index: summaries of the functions defined in the
 * workspace's C files, for call sites in open documents. Built in a worker
 * thread (index-worker.ts) so that editing stays responsive; only the
 * summaries are kept (no trees, no IR), which bounds memory.
 *
 * A name defined in several files with different summaries (per-config
 * variants, same-named helpers) has no summary: guessing would be worse.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { Summary } from '../../../simulator/src/api-types';
import type { Contract, KernelVersion } from '../../../simulator/src/contract-types';
import type { IndexJob, IndexMessage } from './index-worker';

interface Def {
  file: string;
  key: string;
  summary: Summary;
}

export interface IndexCallbacks {
  onStart(total: number): void;
  onProgress(done: number, total: number): void;
  onDone(stats: { files: number; functions: number; summaries: number; millis: number }): void;
  onError(message: string): void;
}

/**
 * The worker's script: index-worker.js next to this file, or, when the
 * server is bundled into one file, that file itself (main.ts runs the
 * index worker when it is loaded in a worker thread marked as one).
 */
function workerScript(): string {
  const local = path.join(__dirname, 'index-worker.js');
  if (fs.existsSync(local)) return local;
  return require.main?.filename ?? process.argv[1] ?? local;
}

export class WorkspaceIndex {
  /** what call sites use: one summary per unambiguous name */
  readonly summaries = new Map<string, Summary>();
  /** where each summary was inferred */
  readonly origin = new Map<string, string>();
  private readonly defs = new Map<string, Def[]>();
  private readonly byFile = new Map<string, string[]>();
  private worker: Worker | undefined;
  private total = 0;
  /** bumped whenever `summaries` changes */
  generation = 0;
  running = false;

  /** (Re)index `paths` (folders or files) in the background; a running walk is stopped first. */
  start(paths: string[], opts: { kernelVersion: KernelVersion; contracts?: Contract[] }, cb: IndexCallbacks, reset: boolean): void {
    this.stop();
    if (reset) {
      this.summaries.clear();
      this.origin.clear();
      this.defs.clear();
      this.byFile.clear();
      this.generation++;
    }
    if (!paths.length) return;
    const job: IndexJob = { folioLensIndex: true, paths, kernelVersion: opts.kernelVersion, contracts: opts.contracts };
    // a small young generation keeps the worker's RSS down (measured on the 6.12 fs/ + mm/ + include/:
    // peak RSS of the server 215 MB with the default, 138 MB with 8 MB, no slower); the old
    // generation is capped well above what one file needs, so a runaway cannot take the machine
    const w = new Worker(workerScript(), { workerData: job, resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 512 } });
    this.worker = w;
    this.running = true;
    w.on('message', (m: IndexMessage) => {
      if (this.worker !== w) return;
      if (m.type === 'start') {
        this.total = m.total;
        cb.onStart(m.total);
      } else if (m.type === 'files') {
        for (const f of m.files) this.setFile(f.file, f.summaries);
        for (const e of m.errors) cb.onError(e);
        cb.onProgress(m.done, this.total);
      } else if (m.type === 'done') {
        this.running = false;
        this.worker = undefined;
        void w.terminate();
        cb.onDone({ files: m.files, functions: m.functions, summaries: this.summaries.size, millis: m.millis });
      }
    });
    w.on('error', (e) => {
      if (this.worker !== w) return;
      this.running = false;
      this.worker = undefined;
      cb.onError(`workspace index stopped: ${e.message}`);
      cb.onDone({ files: 0, functions: 0, summaries: this.summaries.size, millis: 0 });
    });
  }

  stop(): void {
    if (this.worker) {
      const w = this.worker;
      this.worker = undefined;
      void w.terminate();
    }
    this.running = false;
  }

  /** Replace what `file` contributes. */
  setFile(file: string, entries: [string, Summary][]): void {
    const touched = new Set<string>();
    for (const name of this.byFile.get(file) ?? []) {
      const l = this.defs.get(name);
      if (!l) continue;
      const k = l.filter((d) => d.file !== file);
      if (k.length) this.defs.set(name, k);
      else this.defs.delete(name);
      touched.add(name);
    }
    const names: string[] = [];
    for (const [name, summary] of entries) {
      const d: Def = { file, key: JSON.stringify(summary), summary };
      const l = this.defs.get(name);
      if (l) l.push(d);
      else this.defs.set(name, [d]);
      names.push(name);
      touched.add(name);
    }
    if (names.length) this.byFile.set(file, names);
    else this.byFile.delete(file);
    for (const name of touched) {
      const l = this.defs.get(name);
      const before = this.summaries.get(name);
      if (l && l.every((d) => d.key === l[0].key)) {
        this.summaries.set(name, l[0].summary);
        this.origin.set(name, l[0].file);
      } else {
        this.summaries.delete(name);
        this.origin.delete(name);
      }
      if (this.summaries.get(name) !== before) this.generation++;
    }
  }
}
