/**
 * One open document's analysis, kept between edits.
 *
 * Each run: mask the new text (same length), blank the functions that
 * cannot matter (focus, same length), find the changed range as the common
 * prefix/suffix of the old and new texts (original and focused), edit the
 * previous tree and re-parse incrementally. Function definitions are
 * matched to those of the previous run by their text; only the new ones are
 * extracted. Simulation runs callee-first like analyseFile, but a function
 * is re-simulated only when its text or the summaries of its callees
 * changed; a definition that only moved (lines inserted above it) keeps its
 * IR (shifted) and, when it has no findings, its result.
 *
 * A run is async: it yields to the event loop every few milliseconds of
 * simulation and stops as soon as `stale()` says a newer version arrived;
 * the state it leaves behind (tree, texts, extracted definitions, cached
 * results) stays valid for the next run.
 */
import type { Parser, Tree, Node as SyntaxNode } from 'web-tree-sitter';
import type { MaskResult } from '../kernelc/mask-types';
import { daxMapCalls, extractDefinitions } from '../extract';
import { inferWith, callGraph, sccs } from '../../../simulator/src/summaries';
import { runEngine } from '../../../simulator/src/engine';
import { capFindings, fileBudgetSpent, notAnalysed, simulateFunction } from '../../../simulator/src/index';
import { DEFAULT_FILE_BUDGET } from '../../../simulator/src/api-types';
import type { SimOptions, SimResult, Summary, Finding } from '../../../simulator/src/api-types';
import type { FunctionIR } from '../../../simulator/src/ir';
import { maskKernelC } from '../kernelc/mask';
import { engineInput, focusText, isRelevantText, LayeredSummaries, MAX_FILE_BYTES, relevantRegex } from './pipeline';

/** One function (a definition, or one nested in a damaged definition). */
export interface FnState {
  ir: FunctionIR;
  /** the definition's start line that the IR's (and result's) lines are relative to */
  base: number;
  callees: string[];
  simKey?: string;
  result?: SimResult;
  summary?: Summary;
  /** result with a trace (for hover and simulate), for `traceKey` */
  traced?: SimResult;
  traceKey?: string;
}

interface DefEntry {
  key: string;
  /** where the definition was in the text of the last run that used it */
  start: number;
  length: number;
  fns: FnState[];
}

export interface RunOptions extends SimOptions {
  /** summaries of functions defined in other workspace files */
  workspace: ReadonlyMap<string, Summary>;
  /** yield to the event loop after this many ms of simulation (default YIELD_EVERY_MS; 0: after every function) */
  yieldEveryMs?: number;
}

export interface RunTiming {
  mask: number;
  parse: number;
  extract: number;
  simulate: number;
  extracted: number;
  simulated: number;
}

export type RunOutcome =
  | { kind: 'done'; findings: Finding[]; timing: RunTiming }
  | { kind: 'error'; message: string }
  | { kind: 'stale' };

const CONTAINERS = new Set([
  'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef',
  'linkage_specification', 'declaration_list',
]);

/** Definitions dropped by recent runs, kept for when an edit is undone (typing a character, then deleting it). */
const RECENT_MAX = 64;

/** How often (ms of work) a run yields to the event loop to let newer edits in. */
const YIELD_EVERY_MS = 6;

function yieldNow(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** Add `delta` to every `line`/`endLine` number in a JSON-like value (in place). */
export function shiftLines(v: unknown, delta: number): void {
  if (!delta || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const x of v) shiftLines(x, delta);
    return;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (typeof x === 'number') {
      if (k === 'line' || k === 'endLine') o[k] = x + delta;
    } else if (x && typeof x === 'object') shiftLines(x, delta);
  }
}

function calleesOf(fn: FunctionIR): string[] {
  const s = new Set<string>();
  for (const b of fn.blocks) for (const e of b.events) if (e.kind === 'call') s.add(e.callee);
  return [...s];
}

const summaryJson = new WeakMap<Summary, string>();
function sumKey(s: Summary | undefined): string {
  if (!s) return '-';
  let k = summaryJson.get(s);
  if (k === undefined) summaryJson.set(s, (k = JSON.stringify(s)));
  return k;
}

/** Row and column (UTF-16 units, as web-tree-sitter counts for string input) of an offset. */
function pointAt(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  // compare in chunks first (fast path for long equal prefixes)
  while (i + 64 <= n && a.slice(i, i + 64) === b.slice(i, i + 64)) i += 64;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

function commonSuffix(a: string, b: string, max: number): number {
  let i = 0;
  let ai = a.length, bi = b.length;
  while (i + 64 <= max && a.slice(ai - 64, ai) === b.slice(bi - 64, bi)) { i += 64; ai -= 64; bi -= 64; }
  while (i < max && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}

export class DocumentAnalysis {
  private tree: Tree | undefined;
  private text = '';
  private focused = '';
  private masked: MaskResult | undefined;
  private defs = new Map<string, DefEntry[]>();
  private recent = new Map<string, DefEntry>();
  /** the definitions of the last parsed text, in order, `start` valid in it */
  private placed: DefEntry[] = [];
  /** the functions of the last complete run, in file order */
  functions: FnState[] = [];
  /** the summaries the last complete run used (workspace + this file's) */
  known: ReadonlyMap<string, Summary> = new Map();
  /** the text the last complete run analysed */
  analysedText = '';
  analysedVersion = -1;
  private opts: RunOptions | undefined;

  constructor(private readonly parser: Parser, readonly uri: string) {}

  /** Forget everything cached (settings or contracts changed). */
  reset(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.text = '';
    this.focused = '';
    this.masked = undefined;
    this.defs.clear();
    this.recent.clear();
    this.placed = [];
    this.functions = [];
    this.known = new Map();
    this.analysedText = '';
    this.analysedVersion = -1;
  }

  dispose(): void {
    this.reset();
  }

  /** The current tree (of the focused text of `analysedText` once a run completed). */
  currentTree(): Tree | undefined {
    return this.tree;
  }

  async run(text: string, version: number, opts: RunOptions, stale: () => boolean): Promise<RunOutcome> {
    const timing: RunTiming = { mask: 0, parse: 0, extract: 0, simulate: 0, extracted: 0, simulated: 0 };
    if (this.opts && (this.opts.kernelVersion !== opts.kernelVersion || this.opts.contracts !== opts.contracts || this.opts.budget !== opts.budget)) this.reset();
    this.opts = opts;
    if (typeof text !== 'string') {
      this.reset();
      return { kind: 'error', message: 'the document has no text' };
    }
    if (text.length > MAX_FILE_BYTES) {
      this.reset();
      return { kind: 'error', message: `${text.length} characters is more than the ${MAX_FILE_BYTES} Folio Lens analyses in one file` };
    }
    if (text.includes('\0')) {
      this.reset();
      return { kind: 'error', message: 'binary file (contains NUL bytes)' };
    }
    const re = relevantRegex(opts.contracts);
    if (!isRelevantText(text, re)) {
      this.reset();
      this.analysedText = text;
      this.analysedVersion = version;
      return { kind: 'done', findings: [], timing };
    }

    // ── mask, focus, incremental parse ────────────────────────────────
    let t = performance.now();
    const masked = this.mask(text);
    const focused = focusText(masked.text, re);
    timing.mask = performance.now() - t;
    t = performance.now();
    let tree = this.tree;
    /** what changed, in the new text: [changeStart, changeEnd); delta = new length - old length; undefined: everything */
    let change: { start: number; end: number; endRow: number; delta: number } | undefined;
    if (tree && this.focused.length === this.text.length) {
      const oldText = this.text, oldF = this.focused;
      const max = Math.min(oldText.length, text.length);
      const start = Math.min(commonPrefix(oldText, text), commonPrefix(oldF, focused));
      if (start < max || oldText.length !== text.length) {
        const room = Math.min(oldText.length, text.length) - start;
        const suffix = Math.min(commonSuffix(oldText, text, room), commonSuffix(oldF, focused, room));
        const oldEnd = oldF.length - suffix, newEnd = focused.length - suffix;
        const startPosition = pointAt(focused, start);
        const newEndPosition = pointAt(focused, newEnd);
        tree.edit({
          startIndex: start,
          oldEndIndex: oldEnd,
          newEndIndex: newEnd,
          startPosition,
          oldEndPosition: pointAt(oldF, oldEnd),
          newEndPosition,
        });
        const next = this.parser.parse(focused, tree);
        tree.delete();
        tree = next ?? undefined;
        change = { start, end: newEnd, endRow: newEndPosition.row, delta: text.length - oldText.length };
      } else {
        change = { start: text.length, end: text.length, endRow: -1, delta: 0 };
      }
    } else {
      tree?.delete();
      tree = this.parser.parse(focused) ?? undefined;
    }
    this.tree = tree;
    this.text = text;
    this.focused = focused;
    this.masked = masked;
    timing.parse = performance.now() - t;
    if (!tree) {
      this.reset();
      return { kind: 'error', message: 'the parser returned no tree' };
    }

    // ── definitions: reuse those whose text is unchanged ─────────────
    t = performance.now();
    const nodes: SyntaxNode[] = [];
    const visit = (n: SyntaxNode, depth: number) => {
      for (const c of n.namedChildren) {
        if (!c) continue;
        const ty = c.type;
        if (ty === 'function_definition') nodes.push(c);
        else if ((ty === 'ERROR' || CONTAINERS.has(ty)) && depth < 16) visit(c, depth + 1);
      }
    };
    visit(tree.rootNode, 0);
    const used = new Set<DefEntry>();
    const current: (DefEntry | undefined)[] = [];
    const lines: number[] = [];
    const starts: number[] = [];
    const missing: number[] = [];
    const keys: string[] = [];
    // the previous run's definitions by where they started
    const placed = new Map<number, DefEntry>();
    if (change) for (const d of this.placed) placed.set(d.start, d);
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      const s = n.startIndex, e = n.endIndex;
      const sp = n.startPosition;
      lines.push(sp.row + 1);
      starts.push(s);
      keys.push('');
      let cand: DefEntry | undefined;
      // outside the changed range, the text is the previous run's: the same definition (moved by delta)
      if (change && (e <= change.start || (s >= change.end && sp.row !== change.endRow))) {
        const d = placed.get(e <= change.start ? s : s - change.delta);
        if (d && d.length === e - s && !used.has(d)) cand = d;
      }
      if (!cand) {
        const key = `${sp.column}\u0000${text.slice(s, e)}\u0000${masked.text.slice(s, e)}`;
        keys[i] = key;
        cand = this.defs.get(key)?.find((d) => !used.has(d));
        if (!cand) {
          const r = this.recent.get(key);
          if (r && !used.has(r)) {
            cand = r;
            this.recent.delete(key);
          }
        }
      }
      if (cand) {
        used.add(cand);
        current.push(cand);
      } else {
        current.push(undefined);
        missing.push(i);
      }
    }
    if (missing.length) {
      const irs = extractDefinitions(tree, masked, missing.map((i) => nodes[i]), { daxMaps: daxMapCalls(opts.contracts) });
      missing.forEach((i, k) => {
        const entry: DefEntry = {
          key: keys[i],
          start: starts[i],
          length: nodes[i].endIndex - starts[i],
          fns: irs[k].map((ir) => ({ ir, base: lines[i], callees: calleesOf(ir) })),
        };
        current[i] = entry;
      });
      timing.extracted = missing.length;
    }
    current.forEach((d, i) => {
      d!.start = starts[i];
    });
    this.placed = current as DefEntry[];
    // the new pool: this run's definitions, plus the old ones until a run completes
    const pool = new Map<string, DefEntry[]>();
    const add = (d: DefEntry) => {
      const l = pool.get(d.key);
      if (l) { if (!l.includes(d)) l.push(d); } else pool.set(d.key, [d]);
    };
    for (const d of current) add(d!);
    const previous = this.defs;
    this.defs = pool;
    const fns: FnState[] = [];
    current.forEach((d, i) => {
      for (const f of d!.fns) {
        const delta = lines[i] - f.base;
        if (delta) {
          // moved: shift the IR; results with findings carry lines in their messages: recompute them
          shiftLines(f.ir, delta);
          f.base = lines[i];
          if (f.result && f.result.findings.length) f.simKey = undefined;
          f.traced = undefined;
          f.traceKey = undefined;
        }
        fns.push(f);
      }
    });
    timing.extract = performance.now() - t;

    // ── simulate, callee-first, with the cache ────────────────────────
    t = performance.now();
    let lastYield = performance.now();
    const yieldEvery = opts.yieldEveryMs ?? YIELD_EVERY_MS;
    const known = new LayeredSummaries(opts.workspace);
    const byName = new Map<string, FnState[]>();
    for (const f of fns) {
      const l = byName.get(f.ir.name);
      if (l) l.push(f);
      else byName.set(f.ir.name, [f]);
    }
    const g = callGraph({ functions: fns.map((f) => f.ir), uncertain: [] });
    const simOpts: SimOptions = { kernelVersion: opts.kernelVersion, contracts: opts.contracts, budget: opts.budget };
    // what this run may spend simulating, all functions together (as analyseFile does for the CLI):
    // the functions left when it is used up say so, and the next run tries them again
    const fileBudget = opts.fileBudget ?? DEFAULT_FILE_BUDGET;
    let spentMs = 0;
    let spentStates = 0;
    let spent: string | undefined;
    for (const comp of sccs(g)) {
      const recursive = comp.length > 1 || !!g.get(comp[0])?.has(comp[0]);
      for (const name of comp) {
        const group = byName.get(name) ?? [];
        for (const f of group) {
          const key = f.callees.map((c) => sumKey(known.get(c))).join('\u0001');
          if (f.simKey !== key || !f.result) {
            spent ??= fileBudgetSpent(fileBudget, spentMs, spentStates);
            if (spent) {
              f.result = notAnalysed(f.ir, spent);
              f.summary = undefined;
              f.simKey = undefined;
              continue;
            }
            const t1 = performance.now();
            const inp = engineInput(simOpts, known);
            if (recursive || group.length > 1) {
              const { returns: _r, ...res } = runEngine(f.ir, inp);
              f.result = capFindings(f.ir, res);
              f.summary = undefined;
            } else {
              const r = inferWith(f.ir, inp);
              f.result = capFindings(f.ir, r.result);
              f.summary = r.summary;
            }
            f.simKey = key;
            spentMs += performance.now() - t1;
            spentStates += f.result.stats.states;
            timing.simulated++;
            if (performance.now() - lastYield >= yieldEvery) {
              timing.simulate += performance.now() - t;
              await yieldNow();
              if (stale()) {
                // keep what was extracted for the next run
                for (const [k, l] of previous) for (const d of l) if (!used.has(d)) add(d);
                return { kind: 'stale' };
              }
              t = lastYield = performance.now();
            }
          }
          if (!recursive && group.length === 1 && f.summary) known.set(name, f.summary);
        }
      }
    }
    timing.simulate += performance.now() - t;
    // what this run did not use stays around a little (an edit is often undone)
    for (const l of previous.values()) {
      for (const d of l) {
        if (used.has(d) || pool.has(d.key)) continue;
        this.recent.delete(d.key);
        this.recent.set(d.key, d);
      }
    }
    while (this.recent.size > RECENT_MAX) this.recent.delete(this.recent.keys().next().value as string);
    this.functions = fns;
    this.known = known;
    this.analysedText = text;
    this.analysedVersion = version;
    const findings: Finding[] = [];
    for (const f of fns) if (f.result) for (const x of f.result.findings) findings.push(x);
    return { kind: 'done', findings, timing };
  }

  /**
   * Mask the text. Should masking fail (an internal error on some text
   * being typed), mask only what changed as the user wrote it and keep the
   * previous masking everywhere else, so one half-typed statement does not
   * unmask the whole file.
   */
  private mask(text: string): MaskResult {
    try {
      return maskKernelC(text);
    } catch {
      const old = this.masked;
      const oldText = this.text;
      if (!old || oldText.length !== old.text.length) return { text, rewrites: [] };
      let start = commonPrefix(oldText, text);
      const room = Math.min(oldText.length, text.length) - start;
      const suffix = commonSuffix(oldText, text, room);
      let oldEnd = oldText.length - suffix;
      // widen to whole rewrites: a rewrite is kept entirely or not at all
      for (const r of old.rewrites) {
        if (r.end > start && r.start < oldEnd) {
          start = Math.min(start, r.start);
          oldEnd = Math.max(oldEnd, r.end);
        }
      }
      const delta = text.length - oldText.length;
      const newEnd = oldEnd + delta;
      const rewrites = [];
      for (const r of old.rewrites) {
        if (r.end <= start) rewrites.push(r);
        else if (r.start >= oldEnd) rewrites.push(delta ? { ...r, start: r.start + delta, end: r.end + delta } : r);
      }
      return { text: old.text.slice(0, start) + text.slice(start, newEnd) + old.text.slice(oldEnd), rewrites };
    }
  }

  /** The function whose definition contains the 1-based line, innermost (nested definitions) last wins. */
  functionAt(line: number): FnState | undefined {
    let best: FnState | undefined;
    for (const f of this.functions) {
      if (f.ir.loc.line <= line && line <= f.ir.loc.endLine) {
        if (!best || f.ir.loc.line >= best.ir.loc.line) best = f;
      }
    }
    return best;
  }

  /** The function's simulation with a trace (cached until its text or its callees' summaries change). */
  traced(f: FnState): SimResult {
    if (f.traced && f.traceKey === f.simKey) return f.traced;
    const opts: SimOptions = this.opts ?? { kernelVersion: '6.12' };
    const r = simulateFunction(f.ir, { kernelVersion: opts.kernelVersion, contracts: opts.contracts, budget: opts.budget, summaries: this.known as Map<string, Summary>, trace: true });
    f.traced = r;
    f.traceKey = f.simKey;
    return r;
  }
}
