/**
 * `foliolens/memoryUsage`: what the server process holds, for tests and
 * benchmarks (test/lsp-abuse.test.ts, bench/lsp-memory.ts). Not part of the
 * extension's protocol. With `{ "gc": true }` and a server started with
 * node's --expose-gc, a full collection runs first, so heapUsed is what is
 * really retained; without --expose-gc the flag is ignored.
 */
export const MEMORY_REQUEST = 'foliolens/memoryUsage';

export interface MemoryReport {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** whether a full collection ran before measuring */
  collected: boolean;
  /** documents the server keeps analysis state for */
  documents: number;
}

export function memoryReport(params: unknown, documents: number): MemoryReport {
  const gc = (globalThis as { gc?: () => void }).gc;
  const want = !!params && typeof params === 'object' && (params as { gc?: unknown }).gc === true;
  if (want && gc) gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, collected: want && !!gc, documents };
}
