/**
 * Apply a parsed patch (or a series) in memory to the files of a tree, and
 * say, for every file it touches, the text before and after and where each
 * hunk line landed in both.
 *
 * Each line of a file is an object that keeps its identity while later
 * hunks (of the same or a later patch of the series) move it around; so
 * after the whole series a hunk line knows its line in the original file
 * (`before`) and in the final one (`after`), whichever patch it came from.
 *
 * A hunk is placed like `git apply` and `patch` do without fuzz: at the line
 * its header names (shifted by the hunks before it), else at the nearest
 * offset where every context and removed line matches exactly. A hunk that
 * matches nowhere is an ApplyError naming the file and the hunk.
 */
import type { FilePatch, FileStatus, Hunk, LineKind, ParsedPatch } from './parse';

/** One line of a file being patched. `orig` is its 1-based line in the file before the series. */
interface LineRec {
  text: string;
  orig?: number;
}

interface WorkFile {
  lines: LineRec[];
  eofNewline: boolean;
  /** the path this file had before the series (null: created by it) */
  origPath: string | null;
  /** its text before the series */
  origText: string | null;
  applied: AppliedHunk[];
  binary: boolean;
  /** the path a binary patch names */
  label?: string;
}

interface AppliedHunk {
  hunk: Hunk;
  recs: LineRec[];
  patchIndex: number;
  subject?: string;
}

/** A hunk line placed in the file before and after the whole patch. */
export interface QuoteLine {
  kind: LineKind;
  text: string;
  /** 1-based line in the file before the patch (context and removed lines of the original) */
  before?: number;
  /** 1-based line in the file after the patch (context and added lines that survive) */
  after?: number;
  /** 1-based line in the patch text (when the patch was a text given to applyPatch) */
  patchLine?: number;
}

export interface QuoteHunk {
  header: string;
  lines: QuoteLine[];
  /** the mail of a series it came from */
  patchIndex: number;
  subject?: string;
}

/** What the patch did to one file, net over a series. */
export interface FileChange {
  /** null: the file is new */
  oldPath: string | null;
  /** null: the file is deleted */
  newPath: string | null;
  status: FileStatus;
  before: string | null;
  after: string | null;
  hunks: QuoteHunk[];
  binary: boolean;
}

export class ApplyError extends Error {
  constructor(message: string, readonly file: string, readonly hunk?: string) {
    super(message);
  }
}

/** Reads a file of the tree the patch applies to: its text, or null when it does not exist. */
export type TreeReader = (path: string) => string | null;

function splitLines(text: string): { lines: LineRec[]; eofNewline: boolean } {
  if (text === '') return { lines: [], eofNewline: true };
  const parts = text.split('\n');
  const eofNewline = parts[parts.length - 1] === '';
  if (eofNewline) parts.pop();
  return { lines: parts.map((t, k) => ({ text: t, orig: k + 1 })), eofNewline };
}

function joinLines(w: WorkFile): string {
  if (w.lines.length === 0) return '';
  return w.lines.map((l) => l.text).join('\n') + (w.eofNewline ? '\n' : '');
}

const sameLine = (file: string, patch: string) => file === patch || (file.length === patch.length + 1 && file.endsWith('\r') && file.startsWith(patch));

function where(fp: FilePatch, subjects: string[]): string {
  if (fp.subject && subjects.length > 1 && !/^\[[^\]]*\d+\/\d+\]/.test(fp.subject)) return ` (in mail ${fp.patchIndex + 1}/${subjects.length}: ${fp.subject})`;
  if (fp.subject) return ` (in ${fp.subject})`;
  if (subjects.length > 0) return ' (in the diff after the mails)';
  return '';
}

function show(s: string): string {
  const t = JSON.stringify(s.length > 70 ? s.slice(0, 70) + '…' : s);
  return t;
}

/**
 * Apply the hunks of one file patch to `w`. Throws ApplyError when a hunk
 * does not apply.
 */
function applyHunks(w: WorkFile, fp: FilePatch, path: string, ctx: string): void {
  let shift = 0; // lines added minus removed by the hunks applied so far
  let offset = 0; // where the previous hunk was found relative to its header
  let minPos = 0; // hunks apply in order and do not overlap
  const crlf = w.lines.length > 0 && w.lines[0].text.endsWith('\r');
  for (const h of fp.hunks) {
    const old = h.lines.filter((l) => l.kind !== '+');
    const base = (h.oldLines === 0 ? h.oldStart : h.oldStart - 1) + shift;
    const fits = (pos: number) => {
      if (pos < minPos || pos + old.length > w.lines.length) return false;
      for (let k = 0; k < old.length; k++) if (!sameLine(w.lines[pos + k].text, old[k].text)) return false;
      return true;
    };
    let pos = -1;
    if (old.length === 0) {
      // nothing to match (a hunk without context): where the header says
      const p = base + offset;
      if (p >= minPos && p <= w.lines.length) pos = p;
      else if (base >= minPos && base <= w.lines.length) pos = base;
    } else {
      const start = base + offset;
      const limit = Math.max(w.lines.length, start) + 1;
      for (let d = 0; d <= limit && pos < 0; d++) {
        if (fits(start - d)) pos = start - d;
        else if (d > 0 && fits(start + d)) pos = start + d;
      }
    }
    if (pos < 0) {
      let detail = '';
      const at = Math.min(Math.max(base + offset, 0), w.lines.length);
      for (let k = 0; k < old.length; k++) {
        const have = w.lines[at + k];
        if (!have || !sameLine(have.text, old[k].text)) {
          detail = have
            ? `; at line ${at + k + 1} the patch expects ${show(old[k].text)} but the file has ${show(have.text)}`
            : `; the file ends at line ${w.lines.length}, before the hunk's context`;
          break;
        }
      }
      throw new ApplyError(`${path}: hunk ${h.header.trim()} (line ${h.patchLine} of the patch) does not apply${ctx}${detail}`, path, h.header);
    }
    const recs: LineRec[] = [];
    const repl: LineRec[] = [];
    let k = 0;
    for (const l of h.lines) {
      if (l.kind === '+') {
        const r: LineRec = { text: crlf ? l.text + '\r' : l.text };
        recs.push(r);
        repl.push(r);
      } else {
        const r = w.lines[pos + k++];
        recs.push(r);
        if (l.kind === ' ') repl.push(r);
      }
    }
    w.lines.splice(pos, old.length, ...repl);
    if (pos + repl.length === w.lines.length && repl.length > 0) {
      const lastNew = [...h.lines].reverse().find((l) => l.kind !== '-');
      if (lastNew) w.eofNewline = !lastNew.noNewline;
    }
    w.applied.push({ hunk: h, recs, patchIndex: fp.patchIndex, subject: fp.subject });
    offset = pos - base;
    shift += h.newLines - h.oldLines;
    minPos = pos + repl.length;
  }
}

/**
 * Apply `patch` to the tree `read` gives. Returns the net change of every
 * file the patch touches, in the order it first touches them. Binary file
 * patches are not applied; they are returned with `binary` set.
 */
export function applyPatch(patch: ParsedPatch, read: TreeReader): FileChange[] {
  const state = new Map<string, WorkFile>();
  const gone = new Set<string>(); // removed or renamed away by the series
  const order: WorkFile[] = [];
  const load = (p: string, fp: FilePatch, ctx: string): WorkFile => {
    const w = state.get(p);
    if (w) return w;
    if (gone.has(p)) throw new ApplyError(`${p}: does not exist any more (an earlier patch of the series removed or renamed it)${ctx}`, p);
    const text = read(p);
    if (text === null) throw new ApplyError(`${p}: no such file in the tree${ctx}`, p, fp.hunks[0]?.header);
    const { lines, eofNewline } = splitLines(text);
    const nw: WorkFile = { lines, eofNewline, origPath: p, origText: text, applied: [], binary: false };
    order.push(nw);
    return nw;
  };
  const exists = (p: string) => state.has(p) || (!gone.has(p) && read(p) !== null);

  for (const fp of patch.files) {
    unprefix(fp, exists);
    const ctx = where(fp, patch.subjects);
    const label = (fp.newPath ?? fp.oldPath)!;
    for (const p of [fp.oldPath, fp.newPath]) {
      if (p !== null && (p.startsWith('/') || p.split('/').includes('..'))) throw new ApplyError(`${p}: a path outside the tree${ctx}`, p);
    }
    if (fp.binary) {
      // recorded, never applied; the text files of the tree stay as they are
      order.push({ lines: [], eofNewline: true, origPath: fp.oldPath, origText: null, applied: [], binary: true, label });
      continue;
    }
    switch (fp.status) {
      case 'added': {
        const p = fp.newPath!;
        if (exists(p)) throw new ApplyError(`${p}: the patch creates it but it already exists${ctx}`, p);
        const w: WorkFile = { lines: [], eofNewline: true, origPath: null, origText: null, applied: [], binary: false };
        applyHunks(w, fp, p, ctx);
        state.set(p, w);
        gone.delete(p);
        order.push(w);
        break;
      }
      case 'deleted': {
        const p = fp.oldPath!;
        const w = load(p, fp, ctx);
        applyHunks(w, fp, p, ctx);
        if (w.lines.length > 0 && fp.hunks.length > 0) throw new ApplyError(`${p}: the patch deletes it but ${w.lines.length} line(s) of it are not in the patch${ctx}`, p, fp.hunks[fp.hunks.length - 1].header);
        state.delete(p);
        gone.add(p);
        break;
      }
      case 'renamed':
      case 'copied': {
        const from = fp.oldPath!, to = fp.newPath!;
        const src = load(from, fp, ctx);
        if (from !== to && exists(to)) throw new ApplyError(`${to}: the patch ${fp.status === 'renamed' ? 'renames' : 'copies'} ${from} to it but it already exists${ctx}`, to);
        let w: WorkFile;
        if (fp.status === 'renamed') {
          w = src;
          state.delete(from);
          gone.add(from);
        } else {
          w = { lines: src.lines.map((r) => ({ text: r.text })), eofNewline: src.eofNewline, origPath: null, origText: null, applied: [], binary: false };
          order.push(w);
        }
        applyHunks(w, fp, to, ctx);
        state.set(to, w);
        gone.delete(to);
        break;
      }
      default: {
        // a plain diff may name two different files (`x.c.orig`, `x.c`): the one that exists
        const p = fp.newPath !== null && fp.oldPath !== null && fp.newPath !== fp.oldPath && !exists(fp.newPath) ? fp.oldPath : (fp.newPath ?? fp.oldPath!);
        const only = fp.hunks.length === 1 ? fp.hunks[0] : undefined;
        if (only && only.oldStart === 0 && only.oldLines === 0 && !exists(p)) {
          // `diff -Nu` of a new file: no /dev/null, one hunk from nothing
          const w: WorkFile = { lines: [], eofNewline: true, origPath: null, origText: null, applied: [], binary: false };
          applyHunks(w, fp, p, ctx);
          state.set(p, w);
          gone.delete(p);
          order.push(w);
          break;
        }
        const w = load(p, fp, ctx);
        applyHunks(w, fp, p, ctx);
        if (only && only.newStart === 0 && only.newLines === 0 && w.lines.length === 0) {
          // `diff -Nu` of a deleted file
          state.delete(p);
          gone.add(p);
          break;
        }
        state.set(p, w);
        break;
      }
    }
  }

  const currentPath = new Map<WorkFile, string>();
  for (const [p, w] of state) currentPath.set(w, p);
  const out: FileChange[] = [];
  for (const w of order) {
    if (w.binary) {
      out.push({ oldPath: w.origPath, newPath: w.label ?? null, status: 'modified', before: null, after: null, hunks: [], binary: true });
      continue;
    }
    const newPath = currentPath.get(w) ?? null;
    if (newPath === null && w.origPath === null) continue; // created and deleted by the series
    const finalLine = new Map<LineRec, number>();
    if (newPath !== null) w.lines.forEach((r, k) => finalLine.set(r, k + 1));
    const hunks: QuoteHunk[] = w.applied.map((a) => ({
      header: a.hunk.header,
      patchIndex: a.patchIndex,
      subject: a.subject,
      lines: a.hunk.lines.map((l, k) => {
        const r = a.recs[k];
        const q: QuoteLine = { kind: l.kind, text: l.text, patchLine: l.patchLine };
        if (r.orig !== undefined && w.origPath !== null) q.before = r.orig;
        const f = finalLine.get(r);
        if (f !== undefined && l.kind !== '-') q.after = f;
        return q;
      }),
    }));
    const status: FileStatus =
      w.origPath === null ? 'added' : newPath === null ? 'deleted' : newPath !== w.origPath ? 'renamed' : 'modified';
    out.push({
      oldPath: w.origPath,
      newPath,
      status,
      before: w.origText,
      after: newPath === null ? null : joinLines(w),
      hunks,
      binary: false,
    });
  }
  return out;
}

/**
 * A plain diff made outside git (`--- linux.orig/fs/x.c`, `+++ linux/fs/x.c`)
 * names its files under a top folder of its own: when the paths as given do
 * not exist and the same paths without their first folder do, use those
 * (what `patch -p1` does).
 */
function unprefix(fp: FilePatch, exists: (p: string) => boolean): void {
  if (fp.status === 'added' || fp.binary) return;
  const o = fp.oldPath;
  if (o === null || exists(o) || !o.includes('/')) return;
  const strip = (p: string | null) => (p === null || !p.includes('/') ? p : p.slice(p.indexOf('/') + 1));
  if (!exists(strip(o)!)) return;
  fp.oldPath = strip(o);
  fp.newPath = strip(fp.newPath);
}

/**
 * The hunks of one diff placed by their headers alone (for a single diff
 * whose before and after texts are known, as in `--git` mode).
 */
export function quoteHunks(fp: FilePatch): QuoteHunk[] {
  return fp.hunks.map((h) => {
    let o = h.oldStart, n = h.newStart;
    return {
      header: h.header,
      patchIndex: fp.patchIndex,
      subject: fp.subject,
      lines: h.lines.map((l) => {
        const q: QuoteLine = { kind: l.kind, text: l.text };
        if (l.kind !== '+' && fp.oldPath !== null) q.before = o++;
        if (l.kind !== '-' && fp.newPath !== null) q.after = n++;
        return q;
      }),
    };
  });
}
