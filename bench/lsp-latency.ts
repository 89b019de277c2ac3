/**
 * Edit-to-diagnostics latency of the language server, as a client sees it.
 *
 *   node out/bench/lsp-latency.js [FILE] [--edits N] [--workspace DIR] [--json]
 *
 * Spawns the server over stdio (a real JSON-RPC client, test/lsp-client.ts),
 * opens FILE (default: the 6.12 kernel's mm/filemap.c), and applies N
 * single-character edits (default 200) at varied places inside function
 * bodies: each place gets a character typed into an identifier, then the
 * character deleted again, so the file stays the kernel's between places.
 * Edits are sequential: the next is sent once the diagnostics of the
 * previous version arrived. Reports p50/p95/max from didChange sent to
 * publishDiagnostics (for that version) received; then newline edits
 * (Enter, which moves every function below), then hover latency on
 * lifecycle calls and folio variables. With --workspace, the server indexes
 * DIR first and the edits start after indexing finished. For reference, the
 * same edits are replayed in this process on a bare tree-sitter tree
 * (tree.edit + incremental parse of the unmasked text, no analysis).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspClient, applyEdits, fileUri } from '../test/lsp-client';
import { createParser } from '../server/src/parser';

const DEFAULT_FILE = path.join(os.homedir(), '.cache', 'kernel-source', 'linux-6.12', 'mm', 'filemap.c');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i !== -1 ? process.argv[i + 1] : undefined;
}

function stats(xs: number[]): { n: number; p50: number; p95: number; max: number; mean: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  return { n: s.length, p50: at(0.5), p95: at(0.95), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
}

function fmt(st: ReturnType<typeof stats>): string {
  return `n=${st.n}  p50 ${st.p50.toFixed(1)} ms  p95 ${st.p95.toFixed(1)} ms  max ${st.max.toFixed(1)} ms  mean ${st.mean.toFixed(1)} ms`;
}

/** Lines inside function bodies (brace depth >= 1, outside comments and strings), with their text. */
function bodyLines(text: string): number[] {
  const lines = text.split('\n');
  const out: number[] = [];
  let depth = 0;
  let inComment = false;
  lines.forEach((l, i) => {
    const startDepth = depth;
    let inStr: string | null = null;
    for (let k = 0; k < l.length; k++) {
      const c = l[k];
      if (inComment) {
        if (c === '*' && l[k + 1] === '/') { inComment = false; k++; }
        continue;
      }
      if (inStr) {
        if (c === '\\') k++;
        else if (c === inStr) inStr = null;
        continue;
      }
      if (c === '/' && l[k + 1] === '*') { inComment = true; k++; continue; }
      if (c === '/' && l[k + 1] === '/') break;
      if (c === '"' || c === '\'') inStr = c;
      else if (c === '{') depth++;
      else if (c === '}') depth = Math.max(0, depth - 1);
    }
    if (startDepth >= 1 && depth >= 1 && /^\s+[a-z_].*[a-z_]\w*/.test(l) && !l.trim().startsWith('*') && !l.trim().startsWith('#')) out.push(i);
  });
  return out;
}

/** A deterministic pseudo-random sequence. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface LatencyOptions {
  edits?: number;
  workspace?: string;
  verbose?: boolean;
}

/** The whole measurement: what main prints (`result`) and every didChange → publishDiagnostics latency in ms, in edit order (`samples`). */
export async function measureLatency(file: string, o: LatencyOptions = {}): Promise<{ result: LatencyResult; samples: number[]; hoverSamples: number[] }> {
  const edits = o.edits ?? 200;
  const workspace = o.workspace;
  const verbose = o.verbose ?? false;
  const text = fs.readFileSync(file, 'utf8');
  const uri = fileUri(file);
  const client = new LspClient({ workspace, settings: verbose ? { trace: { server: 'verbose' } } : {}, stderr: (s) => process.stderr.write(s) });
  await client.initialize();
  if (workspace) {
    // wait for the index to finish ($/progress end)
    const t = performance.now();
    while (!client.progress.some((p) => (p as { value?: { kind?: string } }).value?.kind === 'end')) await new Promise((r) => setTimeout(r, 100));
    process.stderr.write(`indexed ${workspace} in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  }
  let t0 = performance.now();
  const first = client.diagnostics(uri, 1);
  await client.open(uri, text, 1);
  const firstDiag = await first;
  const openMs = performance.now() - t0;

  const lines = text.split('\n');
  const candidates = bodyLines(text);
  const rand = rng(12345);
  let version = 1;
  const latency: number[] = [];
  const replay: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[] = [];
  const places = Math.ceil(edits / 2);
  const used: { line: number; character: number }[] = [];
  for (let i = 0; i < places; i++) {
    const line = candidates[Math.floor((i + rand()) * (candidates.length / places)) % candidates.length];
    const l = lines[line];
    // inside or at the end of an identifier on that line
    const ids = [...l.matchAll(/[A-Za-z_]\w*/g)];
    const m = ids[Math.floor(rand() * ids.length)];
    const character = m.index! + Math.floor(rand() * (m[0].length + 1));
    used.push({ line, character });
    const ch = 'xqz_1'[Math.floor(rand() * 5)];
    for (const kind of ['insert', 'delete'] as const) {
      if (latency.length >= edits) break;
      version++;
      const change = kind === 'insert'
        ? { range: { start: { line, character }, end: { line, character } }, text: ch }
        : { range: { start: { line, character }, end: { line, character: character + 1 } }, text: '' };
      const p = client.diagnostics(uri, version);
      t0 = performance.now();
      await client.change(uri, version, [change]);
      await p;
      latency.push(performance.now() - t0);
      replay.push({ range: change.range, newText: change.text });
    }
  }

  // Enter: a newline typed at the end of a body line (every function below moves), then deleted
  const enter: number[] = [];
  for (let i = 0; i < 20; i++) {
    const line = candidates[Math.floor((i + 0.5) * (candidates.length / 20))];
    const character = lines[line].length;
    for (const kind of ['insert', 'delete'] as const) {
      version++;
      const change = kind === 'insert'
        ? { range: { start: { line, character }, end: { line, character } }, text: '\n' }
        : { range: { start: { line, character }, end: { line: line + 1, character: 0 } }, text: '' };
      const p = client.diagnostics(uri, version);
      t0 = performance.now();
      await client.change(uri, version, [change]);
      await p;
      enter.push(performance.now() - t0);
    }
  }

  // hovers: lifecycle calls and the variables passed to them, all over the file
  const calls: { line: number; character: number; kind: 'call' | 'var' }[] = [];
  const CALL = /\b(folio_(?:put|get|lock|unlock|trylock|end_writeback|start_writeback|mark_dirty|wait_locked)|filemap_get_folio|__filemap_get_folio|put_page|unlock_page)\((\w+)/g;
  lines.forEach((l, i) => {
    for (const m of l.matchAll(CALL)) {
      calls.push({ line: i, character: m.index! + 2, kind: 'call' });
      calls.push({ line: i, character: m.index! + m[1].length + 2, kind: 'var' });
    }
  });
  const hoverCall: number[] = [];
  const hoverVar: number[] = [];
  let empty = 0;
  const step = Math.max(1, Math.floor(calls.length / 100));
  for (let i = 0; i < calls.length; i += step) {
    const h = calls[i];
    t0 = performance.now();
    const r = await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line: h.line, character: h.character } });
    const ms = performance.now() - t0;
    (h.kind === 'call' ? hoverCall : hoverVar).push(ms);
    if (!r) empty++;
  }
  // a second hover on the same places: traces cached
  const hoverWarm: number[] = [];
  for (let i = 0; i < calls.length; i += step * 4) {
    const h = calls[i];
    t0 = performance.now();
    await client.request('textDocument/hover', { textDocument: { uri }, position: { line: h.line, character: h.character } });
    hoverWarm.push(performance.now() - t0);
  }
  const pid = client.proc.pid!;
  let rss = '';
  try {
    const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    rss = `${/VmRSS:\s+(\d+)/.exec(st)?.[1]} kB (peak ${/VmHWM:\s+(\d+)/.exec(st)?.[1]} kB)`;
  } catch {
    rss = 'n/a';
  }
  await client.shutdown();
  if (verbose) {
    // the server's own timing of the slowest runs
    const runs = client.logs.filter((l) => / v\d+: /.test(l)).map((l) => ({ l, ms: Number(/: ([\d.]+) ms/.exec(l)?.[1] ?? 0) }));
    const inServer = stats(runs.slice(1).map((r) => r.ms));
    runs.sort((a, b) => b.ms - a.ms);
    process.stderr.write(runs.slice(0, 15).map((r) => r.l).join('\n') + '\n');
    process.stderr.write(`inside the server (analysis only, every run after the first): ${fmt(inServer)}\n`);
  }

  // the reference: a bare tree-sitter incremental parse of the same edits
  const parser = await createParser();
  let cur = text;
  let tree = parser.parse(cur)!;
  const bare: number[] = [];
  for (const e of replay) {
    const next = applyEdits(cur, [e]);
    const starts = [0];
    for (let i = cur.indexOf('\n'); i !== -1; i = cur.indexOf('\n', i + 1)) starts.push(i + 1);
    const a = starts[e.range.start.line] + e.range.start.character;
    const b = starts[e.range.end.line] + e.range.end.character;
    const t = performance.now();
    const endRow = e.range.start.line + e.newText.split('\n').length - 1;
    const endCol = e.newText.includes('\n') ? e.newText.length - e.newText.lastIndexOf('\n') - 1 : e.range.start.character + e.newText.length;
    tree.edit({
      startIndex: a, oldEndIndex: b, newEndIndex: a + e.newText.length,
      startPosition: { row: e.range.start.line, column: e.range.start.character },
      oldEndPosition: { row: e.range.end.line, column: e.range.end.character },
      newEndPosition: { row: endRow, column: endCol },
    });
    const nt = parser.parse(next, tree)!;
    bare.push(performance.now() - t);
    tree.delete();
    tree = nt;
    cur = next;
  }
  tree.delete();

  const result: LatencyResult = {
    file,
    lines: lines.length,
    open: { ms: openMs, diagnostics: firstDiag.diagnostics.length },
    edits: stats(latency),
    bareIncrementalParse: stats(bare),
    enter: stats(enter),
    hoverCall: stats(hoverCall),
    hoverVariable: stats(hoverVar),
    hoverRepeat: stats(hoverWarm),
    emptyHovers: empty,
    serverRss: rss,
    node: process.version,
    cpus: os.cpus().length,
  };
  return { result, samples: latency, hoverSamples: [...hoverCall, ...hoverVar] };
}

export type LatencyResult = {
  file: string;
  lines: number;
  open: { ms: number; diagnostics: number };
  edits: Stats;
  bareIncrementalParse: Stats;
  enter: Stats;
  hoverCall: Stats;
  hoverVariable: Stats;
  hoverRepeat: Stats;
  emptyHovers: number;
  serverRss: string;
  node: string;
  cpus: number;
};
type Stats = ReturnType<typeof stats>;

async function main(): Promise<void> {
  const file = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : DEFAULT_FILE;
  const edits = Number(arg('--edits') ?? 200);
  const workspace = arg('--workspace');
  const json = process.argv.includes('--json');
  if (!fs.existsSync(file)) {
    process.stderr.write(`lsp-latency: ${file} not found (run ../shared/scripts/kernel-source 6.12)\n`);
    process.exitCode = 2;
    return;
  }
  const verbose = process.argv.includes('--verbose');
  const { result } = await measureLatency(file, { edits, workspace, verbose });
  if (json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  process.stdout.write(
    `${file} (${result.lines} lines)\n` +
    `open → first diagnostics: ${result.open.ms.toFixed(1)} ms, ${result.open.diagnostics} diagnostics\n` +
    `didChange → publishDiagnostics, ${result.edits.n} single-character edits inside functions:\n  ${fmt(result.edits)}\n` +
    `reference, same edits, bare tree-sitter tree.edit + incremental parse in-process (no masking, no analysis, no LSP):\n  ${fmt(result.bareIncrementalParse)}\n` +
    `didChange → publishDiagnostics, ${result.enter.n} newline edits (everything below moves):\n  ${fmt(result.enter)}\n` +
    `hover on a lifecycle call (first time after the edits):\n  ${fmt(result.hoverCall)}\n` +
    `hover on a folio variable:\n  ${fmt(result.hoverVariable)}\n` +
    `hover again (traces cached):\n  ${fmt(result.hoverRepeat)}\n` +
    `hovers with no answer: ${result.emptyHovers}\n` +
    `server RSS at the end: ${result.serverRss}\n`,
  );
}

if (require.main === module) void main();
