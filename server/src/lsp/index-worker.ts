/**
 * The workspace index's worker thread: walks the workspace folders (or takes
 * a list of files), and sends back, per file, the summaries other files can
 * use. Trees are deleted as soon as a file is done; the thread is ended by
 * its owner when the walk is over, which gives its memory back.
 */
import * as fs from 'fs';
import { isMainThread, parentPort, workerData } from 'worker_threads';
import { createParser } from '../parser';
import { collectFiles } from '../files';
import type { Summary } from '../../../simulator/src/api-types';
import type { Contract, KernelVersion } from '../../../simulator/src/contract-types';
import { MAX_FILE_BYTES, summarizeText } from './pipeline';

export interface IndexJob {
  /** marks the worker as an index worker (the bundled server runs the same file in both roles) */
  folioLensIndex: true;
  /** folders (walked for .c/.h) or files */
  paths: string[];
  kernelVersion: KernelVersion;
  contracts?: Contract[];
}

export type IndexMessage =
  | { type: 'start'; total: number }
  | { type: 'files'; done: number; files: { file: string; summaries: [string, Summary][]; functions: number }[]; errors: string[] }
  | { type: 'done'; files: number; functions: number; millis: number };

const BATCH_MS = 100;

/** The worker's body (runs when this module is loaded in an index worker). */
export async function runIndexWorker(): Promise<void> {
  const job = workerData as IndexJob;
  const t0 = performance.now();
  const parser = await createParser();
  const { files } = collectFiles(job.paths);
  parentPort!.postMessage({ type: 'start', total: files.length } satisfies IndexMessage);
  let batch: { file: string; summaries: [string, Summary][]; functions: number }[] = [];
  let errors: string[] = [];
  let last = performance.now();
  let functions = 0;
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    try {
      const st = fs.statSync(file);
      if (st.size <= MAX_FILE_BYTES) {
        const text = fs.readFileSync(file, 'utf8');
        const r = summarizeText(parser, text, file.endsWith('.h'), { kernelVersion: job.kernelVersion, contracts: job.contracts });
        functions += r.functions;
        batch.push({ file, summaries: r.summaries, functions: r.functions });
      }
    } catch (e) {
      errors.push(`${file}: ${(e as Error).message}`);
    }
    if (performance.now() - last > BATCH_MS || i === files.length - 1) {
      parentPort!.postMessage({ type: 'files', done: i + 1, files: batch, errors } satisfies IndexMessage);
      batch = [];
      errors = [];
      last = performance.now();
    }
  }
  parentPort!.postMessage({ type: 'done', files: files.length, functions, millis: performance.now() - t0 } satisfies IndexMessage);
}

if (!isMainThread && (workerData as Partial<IndexJob> | undefined)?.folioLensIndex) void runIndexWorker();
