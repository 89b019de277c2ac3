/**
 * A worker thread of the pool: one parser, files in, results out. Each file
 * is one message, so the event loop turns between files and the finalisers
 * of native trees run (see parser-native.ts).
 */
import { parentPort, workerData } from 'worker_threads';
import { Analyzer, AnalyzeOptions } from './analyze';
import type { Backend } from './parser';
import { readAndAnalyze } from './pool';

const { opts, backend } = workerData as { opts: AnalyzeOptions; backend: Backend };

void Analyzer.create(backend).then((analyzer) => {
  parentPort!.on('message', (msg: { index: number; file: string }) => {
    const result = readAndAnalyze(analyzer, msg.file, opts);
    parentPort!.postMessage({ index: msg.index, result });
  });
  parentPort!.postMessage({ ready: true });
});
