/** A worker thread of the pool: one parser, files in, results out. */
import { parentPort, workerData } from 'worker_threads';
import { Analyzer, AnalyzeOptions } from './analyze';
import { readAndAnalyze } from './pool';

const opts = (workerData as { opts: AnalyzeOptions }).opts;

void Analyzer.create().then((analyzer) => {
  parentPort!.on('message', (msg: { index: number; file: string }) => {
    const result = readAndAnalyze(analyzer, msg.file, opts);
    parentPort!.postMessage({ index: msg.index, result });
  });
  parentPort!.postMessage({ ready: true });
});
