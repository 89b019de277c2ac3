/**
 * Text helpers shared by the extraction modules: offsets to 1-based
 * locations, the user's original text of a span of the masked file, and a
 * sorted index of the mask's rewrites.
 *
 * All offsets are UTF-16 code units, which is what web-tree-sitter reports
 * for `startIndex`/`endIndex` when the input is a JS string.
 */
import type { Loc } from '../../../simulator/src/ir';
import type { MaskResult, Rewrite, RewriteKind } from '../kernelc/mask-types';

/** Offsets to 1-based line/column locations. */
export class LineIndex {
  private readonly starts: number[];

  constructor(text: string) {
    const starts = [0];
    let i = text.indexOf('\n');
    while (i !== -1) {
      starts.push(i + 1);
      i = text.indexOf('\n', i + 1);
    }
    this.starts = starts;
  }

  /** 0-based line index of an offset. */
  row(offset: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  lineStart(row: number): number {
    return this.starts[Math.max(0, Math.min(row, this.starts.length - 1))];
  }

  /** Location of [start, end): end is exclusive, reported on the last character's line. */
  loc(start: number, end: number): Loc {
    const r = this.row(start);
    const line = r + 1;
    const column = start - this.starts[r] + 1;
    if (end <= start) return { line, column, endLine: line, endColumn: column };
    const er = this.row(end - 1);
    return { line, column, endLine: er + 1, endColumn: end - 1 - this.starts[er] + 2 };
  }
}

/** The mask's rewrites, searchable by offset. */
export class RewriteIndex {
  private readonly list: Rewrite[];
  private readonly byStart = new Map<number, Rewrite>();

  constructor(rewrites: readonly Rewrite[]) {
    this.list = rewrites.slice().sort((a, b) => a.start - b.start);
    for (const r of this.list) this.byStart.set(r.start, r);
  }

  get size(): number {
    return this.list.length;
  }

  /** The rewrite that starts exactly at `offset`, if any. */
  at(offset: number, kind?: RewriteKind): Rewrite | undefined {
    const r = this.byStart.get(offset);
    return r && (!kind || r.kind === kind) ? r : undefined;
  }

  /** Rewrites overlapping [start, end), in order. */
  within(start: number, end: number, kind?: RewriteKind): Rewrite[] {
    const out: Rewrite[] = [];
    const l = this.list;
    if (l.length === 0) return out;
    let lo = 0;
    let hi = l.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (l[mid].end <= start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < l.length && l[i].start < end; i++) {
      if (!kind || l[i].kind === kind) out.push(l[i]);
    }
    return out;
  }
}

/** Everything per file that the extractor needs besides the tree. */
export class SourceText {
  readonly text: string;
  readonly lines: LineIndex;
  readonly rewrites: RewriteIndex;

  constructor(mask: MaskResult) {
    this.text = mask.text;
    this.lines = new LineIndex(mask.text);
    this.rewrites = new RewriteIndex(mask.rewrites ?? []);
  }

  loc(start: number, end: number): Loc {
    return this.lines.loc(start, end);
  }

  /** The user's original text of [start, end): the masked text with rewritten spans restored. */
  original(start: number, end: number): string {
    let s = this.text.slice(start, end);
    if (this.rewrites.size === 0) return s;
    const rs = this.rewrites.within(start, end);
    if (rs.length === 0) return s;
    let out = '';
    let pos = start;
    for (const r of rs) {
      const a = Math.max(r.start, start);
      const b = Math.min(r.end, end);
      out += this.text.slice(pos, a) + r.original.slice(a - r.start, b - r.start);
      pos = b;
    }
    s = out + this.text.slice(pos, end);
    return s;
  }

  /** Original text with whitespace collapsed, capped to a readable length. */
  display(start: number, end: number, max = 160): string {
    const raw = end - start > max * 4 ? this.original(start, start + max * 4) : this.original(start, end);
    let s = collapse(raw);
    if (s.length > max || end - start > max * 4) s = s.slice(0, max) + '…';
    return s;
  }
}

export function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
