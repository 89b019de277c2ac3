/**
 * The output of `folio-lens patch`: JSON for tools, and text a reviewer can
 * paste into a reply on the list (each introduced finding under the hunk
 * lines it is about, quoted with `> `).
 */
import type { Diagnostic } from '../diagnostic';
import { diagnosticJson } from '../format/json';
import type { QuoteHunk, QuoteLine } from './apply';
import type { FnRange, Introduced, PatchReview } from './review';

export interface PatchStats {
  seconds: number;
}

export function patchJson(r: PatchReview, stats: PatchStats): string {
  return JSON.stringify({
    introduced: r.introduced.map((i) => diagnosticJson(i.diagnostic)),
    fixed: r.fixed.map(diagnosticJson),
    remaining: r.remaining.map(diagnosticJson),
    unanalysed: r.unanalysed,
    files: r.files.map((f) => ({
      oldPath: f.change.oldPath,
      newPath: f.change.newPath,
      status: f.change.status,
      functions: f.touched,
      ...(f.skipped ? { skipped: f.skipped } : {}),
    })),
    stats: { files: r.files.filter((f) => !f.skipped).length, functions: touchedCount(r), seconds: Number(stats.seconds.toFixed(3)) },
  }, null, 2) + '\n';
}

function touchedCount(r: PatchReview): number {
  return r.files.reduce((n, f) => n + f.touched.length, 0);
}

/** Most hunk lines quoted for one finding. */
const MAX_QUOTE = 24;
/** Changed lines this close to a line of the finding's path are quoted. */
const NEAR = 2;

/** Position of each hunk line in the file after the patch (removed lines: where they were). */
function positions(h: QuoteHunk): (number | undefined)[] {
  const pos: (number | undefined)[] = h.lines.map((l) => l.after);
  // removed lines (and context a later patch removed) sit just before the next line that stayed
  for (let k = pos.length - 1, next: number | undefined; k >= 0; k--) {
    if (pos[k] === undefined) pos[k] = next;
    else next = pos[k];
  }
  for (let k = 0, prev: number | undefined; k < pos.length; k++) {
    if (pos[k] === undefined && prev !== undefined) pos[k] = prev + 1;
    if (pos[k] !== undefined) prev = pos[k];
  }
  return pos;
}

/**
 * The hunk lines a finding is about, quoted with `> ` under their hunk
 * header: the changed lines inside its function near its path (all the
 * changed lines of the function when none is near), the context lines on
 * its path, short gaps filled in, `[...]` where lines are left out.
 */
export function quoteFor(d: Diagnostic, fn: FnRange | undefined, hunks: QuoteHunk[], opts: { subjects?: boolean } = {}): string[] {
  const near = [d.line, ...d.path.map((s) => s.line), ...d.related.map((r) => r.line)];
  const onPath = new Set(near);
  const inFn = (p: number | undefined) => p !== undefined && (!fn || (fn.start <= p && p <= fn.end));
  const close = (p: number | undefined) => p !== undefined && near.some((x) => Math.abs(x - p) <= NEAR);
  const lines = hunks.map((h) => ({ h, pos: positions(h) }));
  const changedNear = lines.some(({ h, pos }) => h.lines.some((l, k) => l.kind !== ' ' && inFn(pos[k]) && close(pos[k])));
  const picked = lines.map(({ h, pos }) => {
    // a new function: its first line too, so the quote says which function it is
    const keep = h.lines.map((l, k) => inFn(pos[k]) && (l.kind === ' ' ? onPath.has(pos[k]!) : !changedNear || close(pos[k]) || (l.kind === '+' && pos[k] === fn?.start)));
    // fill gaps of up to two lines between kept lines
    for (let k = 0, last = -1; k < keep.length; k++) {
      if (!keep[k]) continue;
      if (last >= 0 && k - last > 1 && k - last <= 3) for (let j = last + 1; j < k; j++) keep[j] = inFn(pos[j]);
      last = k;
    }
    return { h, keep };
  });
  // still too long: the first lines of each run, up to the limit
  let budget = MAX_QUOTE;
  for (const p of picked) p.keep = p.keep.map((k) => k && budget-- > 0);
  const out: string[] = [];
  let subject: string | undefined;
  for (const { h, keep } of picked) {
    if (!keep.some(Boolean)) continue;
    // in a series: which mail the hunk is from, when it changes
    if (opts.subjects && h.subject && h.subject !== subject) out.push(`In ${h.subject}:`);
    subject = h.subject;
    out.push(`> ${h.header}`);
    let gap = false;
    for (let k = 0; k < h.lines.length; k++) {
      if (!keep[k]) {
        gap = true;
        continue;
      }
      if (gap) out.push('> [...]');
      gap = false;
      out.push(`> ${quoteLine(h.lines[k])}`);
    }
    if (gap) out.push('> [...]');
  }
  return out;
}

/**
 * The changed line an introduced finding is about, for an editor to put the
 * finding on: an added line that is the finding's own line, else an added
 * line of its path (the latest), else the changed line of its function
 * nearest to it. `line` is in the file after the patch; `patchLine` in the
 * patch text (when the review came from a patch text). Undefined when the
 * function has no changed line left after the patch (a pure removal placed
 * nowhere).
 */
export function introducedAnchor(i: Introduced): { file: string; line: number; patchLine?: number } | undefined {
  const d = i.diagnostic;
  const fns = i.review.afterFunctions.filter((f) => f.name === d.function);
  const fn = fns.find((f) => f.start <= d.line && d.line <= f.end) ?? fns[0];
  const onPath = new Set(d.path.map((s) => s.line));
  let best: { line: number; patchLine?: number; score: number } | undefined;
  for (const h of i.review.change.hunks) {
    const pos = positions(h);
    h.lines.forEach((l, k) => {
      const p = pos[k];
      if (l.kind === ' ' || p === undefined || (fn && (p < fn.start || p > fn.end))) return;
      // lower is better: the finding's line, then its path (latest first), then distance
      const score = l.kind === '+' && p === d.line ? 0 : l.kind === '+' && onPath.has(p) ? 1 + (d.line - p) / 1e6 : 2 + Math.abs(d.line - p);
      if (!best || score < best.score) best = { line: p, patchLine: l.patchLine, score };
    });
  }
  if (!best) return undefined;
  return { file: d.file, line: best.line, ...(best.patchLine !== undefined ? { patchLine: best.patchLine } : {}) };
}

function quoteLine(l: QuoteLine): string {
  return l.kind + l.text;
}

function sourceLine(text: string | null, line: number): string {
  if (text === null) return '';
  const lines = text.split('\n');
  const s = (lines[line - 1] ?? '').trim().replace(/\s+/g, ' ');
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function pathLines(d: Diagnostic, text: string | null): string[] {
  if (d.path.length === 0) return [];
  const out = [`  the path through ${d.function}():`];
  const width = String(Math.max(...d.path.map((s) => s.line))).length;
  const code = d.path.map((s) => sourceLine(text, s.line));
  const cw = Math.min(60, Math.max(...code.map((c) => c.length)));
  d.path.forEach((s, k) => {
    const c = code[k];
    out.push(`    ${String(s.line).padStart(width)}  ${c ? c.padEnd(cw) + '  ' : ''}/* ${s.note} */`.replace(/\s+$/, ''));
  });
  return out;
}

function headline(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity === 'info' ? 'note' : d.severity}: ${d.message} [${d.rule}]`;
}

function introducedText(i: Introduced, subjects: boolean): string[] {
  const d = i.diagnostic;
  const fns = i.review.afterFunctions.filter((f) => f.name === d.function);
  const fn = fns.find((f) => f.start <= d.line && d.line <= f.end) ?? fns[0];
  const quote = quoteFor(d, fn, i.review.change.hunks, { subjects });
  return [...quote, ...(quote.length ? [''] : []), headline(d), ...pathLines(d, i.review.afterText), ''];
}

function shortLine(d: Diagnostic): string {
  return `  ${d.file}:${d.line}: ${d.function}(): ${d.message} [${d.rule}]`;
}

export function patchText(r: PatchReview, stats: PatchStats): string {
  const lines: string[] = [];
  if (r.introduced.length) {
    lines.push(`Introduced by the patch (${r.introduced.length}):`, '');
    const mails = new Set(r.files.flatMap((f) => f.change.hunks.map((h) => h.subject)).filter((s) => s !== undefined));
    for (const i of r.introduced) lines.push(...introducedText(i, mails.size > 1));
  }
  if (r.fixed.length) {
    lines.push(`Fixed by the patch (${r.fixed.length}; lines before the patch):`);
    for (const d of r.fixed) lines.push(shortLine(d));
    lines.push('');
  }
  if (r.remaining.length) {
    lines.push(`Remaining in the functions the patch touches (${r.remaining.length}):`);
    for (const d of r.remaining) lines.push(shortLine(d));
    lines.push('');
  }
  if (r.unanalysed.length) {
    lines.push(`Not analysed, nothing claimed (${r.unanalysed.length}):`);
    for (const u of r.unanalysed) lines.push(`  ${u.file}${u.function ? `: ${u.function}()` : ''}: ${u.reason}`);
    lines.push('');
  }
  const skipped = r.files.filter((f) => f.skipped && f.change.binary);
  if (skipped.length) {
    lines.push(`Binary patches, not applied (${skipped.length}):`);
    for (const f of skipped) lines.push(`  ${f.file}`);
    lines.push('');
  }
  const analysed = r.files.filter((f) => !f.skipped).length;
  lines.push(
    `folio-lens patch: ${r.introduced.length} introduced, ${r.fixed.length} fixed, ${r.remaining.length} remaining` +
      ` in ${touchedCount(r)} function(s) of ${analysed} file(s), ${stats.seconds.toFixed(2)} s`,
  );
  return lines.join('\n') + '\n';
}
