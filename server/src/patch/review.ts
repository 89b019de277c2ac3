/**
 * What a patch does to the folio lifecycle: every .c/.h file it touches is
 * analysed before and after, the findings are restricted to the functions
 * the patch touches, and split into introduced (only after), fixed (only
 * before) and remaining (both).
 *
 * A finding is matched across the two versions by rule, function, object
 * and call, never by line (the patch moves lines) nor by file (a function
 * moved to another file keeps its findings), with multiplicity: two equal
 * keys before and one after is one fixed.
 *
 * A function is touched when a changed line falls inside it, before or
 * after. Its range comes from the extraction of a full parse of each
 * version. A touched function that cannot be analysed in either version
 * (syntax damage such as an unbalanced brace, a budget that ran out, a file
 * that could not be read) is listed as not analysed, and nothing is claimed
 * for it: a finding that disappears because the function no longer parses
 * is not a fix.
 */
import type { Parser } from 'web-tree-sitter';
import { Analyzer, AnalyzeOptions } from '../analyze';
import { createParser, type SyntaxNode } from '../parser';
import { safeMask } from '../relevance';
import { extractFile } from '../extract';
import { compareDiagnostics, Diagnostic } from '../diagnostic';
import type { FileChange } from './apply';

/** A function of one version of a file. */
export interface FnRange {
  name: string;
  /** 1-based first and last line of the whole definition */
  start: number;
  end: number;
  /** why it cannot be analysed, when it cannot */
  damage?: string;
}

interface Version {
  path: string;
  text: string;
  diagnostics: Diagnostic[];
  functions: FnRange[];
  /** top-level regions the parser could not read */
  damage: { start: number; end: number; reason: string }[];
  error?: string;
}

export interface Unanalysed {
  file: string;
  function?: string;
  reason: string;
}

/** One file of the patch as reviewed. */
export interface FileReview {
  change: FileChange;
  /** the path shown for this file (the new one, or the old one of a deleted file) */
  file: string;
  /** touched functions, by name */
  touched: string[];
  /** the functions of each version (after: for quoting hunks) */
  beforeFunctions: FnRange[];
  afterFunctions: FnRange[];
  /** the text after the patch (for path notes) */
  afterText: string | null;
  beforeText: string | null;
  /** why this file was not analysed at all (binary, not C) */
  skipped?: string;
}

export interface Introduced {
  diagnostic: Diagnostic;
  review: FileReview;
}

export interface PatchReview {
  introduced: Introduced[];
  fixed: Diagnostic[];
  remaining: Diagnostic[];
  unanalysed: Unanalysed[];
  files: FileReview[];
}

const SOURCE = /\.[ch]$/;
const DAMAGE = /syntax error|unbalanced|function body not found|function name not found|internal error|unparseable/;

export function isSource(path: string | null): boolean {
  return path !== null && SOURCE.test(path);
}

/** Finding identity across versions. */
export function findingKey(d: Diagnostic): string {
  return [d.rule, d.function, d.object ?? '', d.call ?? ''].join('\u0000');
}

/** The function definitions of `text` with their line ranges and damage (never throws). */
export function functionRanges(parser: Parser, text: string): { functions: FnRange[]; damage: Version['damage'] } {
  const functions: FnRange[] = [];
  const damage: Version['damage'] = [];
  const masked = safeMask(text);
  const tree = parser.parse(masked.text);
  if (!tree) return { functions, damage: [{ start: 1, end: Number.MAX_SAFE_INTEGER, reason: 'the parser returned no tree' }] };
  try {
    const ir = extractFile(tree, masked);
    for (const f of ir.functions) {
      const bad = f.uncertain.find((u) => DAMAGE.test(u.reason));
      functions.push({ name: f.name, start: f.loc.line, end: f.loc.endLine, ...(bad ? { damage: bad.reason } : {}) });
    }
    for (const u of ir.uncertain) damage.push({ start: u.loc.line, end: u.loc.endLine, reason: u.reason });
    // a definition the parser had to repair (a missing brace makes no ERROR node, only a MISSING one)
    for (const d of brokenDefinitions(tree.rootNode)) {
      for (const f of functions) if (f.start === d.start && f.end === d.end && !f.damage) f.damage = 'a syntax error in its definition (unbalanced braces?)';
    }
  } finally {
    tree.delete();
  }
  // a definition nested in a damaged one (its braces swallowed it) is damaged too
  for (const f of functions) {
    if (f.damage) continue;
    const outer = functions.find((g) => g !== f && g.damage && g.start <= f.start && f.end <= g.end);
    if (outer) f.damage = `inside ${outer.name}(), which has ${outer.damage}`;
  }
  return { functions, damage };
}

const TOP = new Set(['translation_unit', 'ERROR', 'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef', 'linkage_specification', 'declaration_list']);

/** Line ranges of the function definitions that contain a syntax error. */
function brokenDefinitions(root: SyntaxNode): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const stack: SyntaxNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'function_definition') {
      if (!n.hasError) continue;
      out.push({ start: n.startPosition.row + 1, end: n.endPosition.row + 1 });
    } else if (!TOP.has(n.type) && n !== root) continue;
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return out;
}

export class PatchReviewer {
  private constructor(private readonly analyzer: Analyzer, private readonly parser: Parser) {}

  static async create(): Promise<PatchReviewer> {
    return new PatchReviewer(await Analyzer.create(), await createParser());
  }

  private version(path: string, text: string, opts: AnalyzeOptions): Version {
    const r = this.analyzer.analyzeText(path, text, opts);
    let fr: ReturnType<typeof functionRanges>;
    try {
      fr = functionRanges(this.parser, text);
    } catch (e) {
      fr = { functions: [], damage: [{ start: 1, end: Number.MAX_SAFE_INTEGER, reason: `internal error: ${(e as Error).message}` }] };
    }
    // a function whose exploration ran out of budget: its findings are partial
    for (const d of r.diagnostics) {
      if (d.rule !== 'analysis-incomplete') continue;
      for (const f of fr.functions) if (f.name === d.function && !f.damage) f.damage = 'the analysis ran out of budget';
    }
    return { path, text, diagnostics: r.diagnostics, functions: fr.functions, damage: fr.damage, error: r.error };
  }

  review(changes: FileChange[], opts: AnalyzeOptions): PatchReview {
    const out: PatchReview = { introduced: [], fixed: [], remaining: [], unanalysed: [], files: [] };
    const pool: Pool = { before: [], after: [] };
    for (const change of changes) {
      const file = (change.newPath ?? change.oldPath)!;
      const fr: FileReview = { change, file, touched: [], beforeFunctions: [], afterFunctions: [], afterText: change.after, beforeText: change.before };
      out.files.push(fr);
      if (change.binary) {
        fr.skipped = 'binary patch, not applied';
        continue;
      }
      if (!isSource(change.newPath) && !isSource(change.oldPath)) {
        fr.skipped = 'not a .c or .h file';
        continue;
      }
      const before = change.before !== null && isSource(change.oldPath) ? this.version(change.oldPath!, change.before, opts) : undefined;
      const after = change.after !== null && isSource(change.newPath) ? this.version(change.newPath!, change.after, opts) : undefined;
      fr.beforeFunctions = before?.functions ?? [];
      fr.afterFunctions = after?.functions ?? [];
      this.compare(fr, before, after, out, pool);
    }
    match(pool, out);
    out.fixed.sort(compareDiagnostics);
    out.remaining.sort(compareDiagnostics);
    out.introduced.sort((a, b) => compareDiagnostics(a.diagnostic, b.diagnostic));
    return out;
  }

  private compare(fr: FileReview, before: Version | undefined, after: Version | undefined, out: PatchReview, pool: Pool): void {
    const changedBefore = new Set<number>();
    const changedAfter = new Set<number>();
    for (const h of fr.change.hunks) {
      for (const l of h.lines) {
        if (l.kind === '-' && l.before !== undefined) changedBefore.add(l.before);
        if (l.kind === '+' && l.after !== undefined) changedAfter.add(l.after);
      }
    }
    // a new file is all change, a deleted one too
    if (before && !after) for (let k = 1; k <= lineCount(before.text); k++) changedBefore.add(k);
    if (after && !before) for (let k = 1; k <= lineCount(after.text); k++) changedAfter.add(k);

    const touched = new Set<string>();
    const damagedLines: { file: string; start: number; end: number; reason: string }[] = [];
    const visit = (v: Version | undefined, lines: Set<number>) => {
      if (!v) return;
      for (const line of lines) {
        let inside = false;
        for (const f of v.functions) {
          if (f.start <= line && line <= f.end) {
            touched.add(f.name);
            inside = true;
          }
        }
        if (!inside) {
          const d = v.damage.find((x) => x.start <= line && line <= x.end);
          if (d && !damagedLines.some((x) => x.file === v.path && x.start === d.start)) damagedLines.push({ file: v.path, ...d });
        }
      }
    };
    visit(before, changedBefore);
    visit(after, changedAfter);
    fr.touched = [...touched].sort();
    for (const d of damagedLines) out.unanalysed.push({ file: d.file, reason: `lines ${d.start}-${d.end}: ${d.reason}; changed lines there are not analysed` });

    for (const v of [before, after]) {
      if (v?.error) out.unanalysed.push({ file: v.path, reason: `${v === before ? 'before' : 'after'} the patch: ${firstLine(v.error)}` });
    }
    if (before?.error || after?.error) return;

    const analysable = new Set<string>();
    for (const name of fr.touched) {
      const b = before?.functions.filter((f) => f.name === name) ?? [];
      const a = after?.functions.filter((f) => f.name === name) ?? [];
      const bad = b.find((f) => f.damage) ?? a.find((f) => f.damage);
      if (bad) {
        out.unanalysed.push({ file: fr.file, function: name, reason: `${b.includes(bad) ? 'before' : 'after'} the patch: ${bad.damage}` });
        continue;
      }
      // present on one side only while the other side is damaged: it may have been swallowed, not added or removed
      const other = b.length === 0 ? before : a.length === 0 ? after : undefined;
      if (other && (other.damage.length > 0 || other.functions.some((f) => f.damage))) {
        out.unanalysed.push({ file: fr.file, function: name, reason: `${other === before ? 'before' : 'after'} the patch the file does not parse cleanly, and ${name}() is not found in it` });
        continue;
      }
      analysable.add(name);
    }

    const keep = (v: Version | undefined) => (v ? v.diagnostics.filter((d) => analysable.has(d.function) && d.rule !== 'analysis-incomplete') : []);
    for (const d of keep(before)) pool.before.push({ d, fr, onChange: touches(d, changedBefore) });
    for (const d of keep(after)) pool.after.push({ d, fr, onChange: touches(d, changedAfter) });
  }
}

interface Candidate {
  d: Diagnostic;
  fr: FileReview;
  /** the finding's line or a line of its path is a changed line */
  onChange: boolean;
}

interface Pool {
  before: Candidate[];
  after: Candidate[];
}

function touches(d: Diagnostic, changed: Set<number>): boolean {
  return changed.has(d.line) || d.path.some((s) => changed.has(s.line));
}

/**
 * Match the findings of all files at once (a function the patch moves to
 * another file keeps its findings), key by key, with multiplicity. With
 * more of a key on one side, the surplus is the findings nearest the change.
 */
function match(pool: Pool, out: PatchReview): void {
  const group = (cs: Candidate[]) => {
    const m = new Map<string, Candidate[]>();
    for (const c of cs) {
      const k = findingKey(c.d);
      const g = m.get(k);
      if (g) g.push(c);
      else m.set(k, [c]);
    }
    return m;
  };
  const bg = group(pool.before), ag = group(pool.after);
  const byLine = (x: Candidate, y: Candidate) => compareDiagnostics(x.d, y.d);
  for (const [k, as] of ag) {
    const n = Math.min(as.length, bg.get(k)?.length ?? 0);
    // the ones least tied to the change remain; the rest are introduced
    const sorted = [...as].sort((x, y) => Number(x.onChange) - Number(y.onChange) || byLine(x, y));
    out.remaining.push(...sorted.slice(0, n).map((c) => c.d));
    for (const c of sorted.slice(n)) out.introduced.push({ diagnostic: c.d, review: c.fr });
  }
  for (const [k, bs] of bg) {
    const surplus = bs.length - (ag.get(k)?.length ?? 0);
    if (surplus <= 0) continue;
    const sorted = [...bs].sort((x, y) => Number(y.onChange) - Number(x.onChange) || byLine(x, y));
    out.fixed.push(...sorted.slice(0, surplus).map((c) => c.d));
  }
}

function lineCount(text: string): number {
  if (text === '') return 0;
  const n = text.split('\n').length;
  return text.endsWith('\n') ? n - 1 : n;
}

function firstLine(s: string): string {
  const k = s.indexOf('\n');
  return k === -1 ? s : s.slice(0, k);
}
