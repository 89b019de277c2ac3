/**
 * The simulation as a picture: SimulationJson in, HTML with one SVG per path
 * out. Pure string building (no DOM), so that node can test it; every piece
 * of text from the source is escaped. Colours come from classes that
 * simulation.css maps to the theme's variables (the CSP forbids inline styles).
 *
 * Each path is a lane: steps left to right, their line and text as rotated
 * labels on top, and for each tracked folio or page one row per dimension
 * (references, lock, writeback, dirty, uptodate, private, private_2) with the
 * state after the step. Cells whose value changed at that step are drawn
 * strong, unchanged ones faint. A step with a violation is highlighted in the
 * error colour. Anything with `data-line` is clickable (main.ts reveals it).
 */
import type { SimulationJson } from '../../server/src/format/simulate';

type Path = SimulationJson['paths'][number];
type Step = Path['steps'][number];
type Obj = Step['objects'][number];
type Flag = 'set' | 'clear' | 'unknown';

const COL = 32;
const ROW = 18;
const GROUP = 22;
const LABEL_W = 132;
const TOP_PAD = 4;
const LABEL_CHARS = 34;
/** advance of one character of the 11px monospace labels */
const CHAR_W = 6.7;

interface Dim {
  key: 'refs' | 'locked' | 'writeback' | 'dirty' | 'uptodate' | 'private' | 'private2';
  label: string;
  /** the word used in tooltips when set / clear */
  on: string;
  off: string;
}

export const DIMENSIONS: readonly Dim[] = [
  { key: 'refs', label: 'refs', on: '', off: '' },
  { key: 'locked', label: 'locked', on: 'locked', off: 'unlocked' },
  { key: 'writeback', label: 'writeback', on: 'under writeback', off: 'not under writeback' },
  { key: 'dirty', label: 'dirty', on: 'dirty', off: 'clean' },
  { key: 'uptodate', label: 'uptodate', on: 'uptodate', off: 'not uptodate' },
  { key: 'private', label: 'private', on: 'PG_private set', off: 'PG_private clear' },
  { key: 'private2', label: 'private_2', on: 'PG_private_2 set', off: 'PG_private_2 clear' },
];

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + '…';
}

function basename(file: string): string {
  return file.replace(/\\/g, '/').split('/').pop() ?? file;
}

function flagOf(o: Obj, d: Dim): Flag {
  if (d.key === 'locked') return o.locked === 'held' ? 'set' : o.locked === 'not-held' ? 'clear' : 'unknown';
  return o[d.key as Exclude<Dim['key'], 'refs' | 'locked'>];
}

function refsText(o: Obj): string {
  if (o.value === 'null') return 'NULL';
  if (o.value === 'err') return 'ERR';
  return `${o.refs}${o.callerRef ? '+c' : ''}`;
}

function cellValue(o: Obj, d: Dim): string {
  if (d.key === 'refs') return `${refsText(o)}${o.handedOff ? '>' : ''}`;
  return flagOf(o, d);
}

function describe(o: Obj): string {
  const name = o.names.join(' = ') || '(unnamed)';
  if (o.value === 'null' || o.value === 'err') return `${name}: ${o.value === 'null' ? 'NULL' : 'error pointer'}`;
  const parts = [`${o.refs} reference${o.refs === 1 ? '' : 's'} held${o.callerRef ? ' + the caller’s' : ''}`];
  for (const d of DIMENSIONS.slice(1)) {
    const f = flagOf(o, d);
    parts.push(f === 'unknown' ? `${d.label} ?` : f === 'set' ? d.on : d.off);
  }
  if (o.handedOff) parts.push('handed off');
  return `${name}: ${parts.join(', ')}`;
}

/**
 * The objects of a path, in order of first appearance, identified by kind and
 * origin (names change as aliases come and go); the n-th object of the same
 * origin within one step is told apart by its rank.
 */
function objectKeys(step: Step): string[] {
  const seen = new Map<string, number>();
  return step.objects.map((o) => {
    const base = `${o.kind}|${o.origin}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n ? `${base}#${n}` : base;
  });
}

interface Track {
  key: string;
  /** the names it had first, for the row header */
  names: string[];
  kind: string;
  origin: string;
  /** the dimensions drawn as rows: refs and every flag known at some step of this path */
  rows: Dim[];
  /** flags unknown at every step of this path: folded into one row */
  folded: Dim[];
}

type PairStep = Step['pairs'][number];

/** A pair's row header (`DIO inode`) and tooltip (`direct I/O in flight on inode`), from the labels the simulator gives its families. */
function pairHeader(p: PairStep): { text: string; title: string } {
  // (the view imports no code from the simulator: the key is `family(argument)`)
  const on = p.key.slice(p.key.indexOf('(') + 1, -1);
  return p.short && p.label ? { text: `${p.short} ${on}`, title: `${p.label} on ${on}` } : { text: p.key, title: p.key };
}

function tracks(path: Path): { objects: Track[]; pairs: string[]; labels: Map<string, PairStep>; dax: string[]; byStep: Map<string, Obj>[] } {
  const objects: Track[] = [];
  const known = new Set<string>();
  const pairs: string[] = [];
  const labels = new Map<string, PairStep>();
  const dax: string[] = [];
  const byStep = path.steps.map((s) => {
    const m = new Map<string, Obj>();
    objectKeys(s).forEach((k, i) => {
      const o = s.objects[i]!;
      m.set(k, o);
      if (!known.has(k)) {
        known.add(k);
        objects.push({ key: k, names: o.names, kind: o.kind, origin: o.origin, rows: [], folded: [] });
      }
    });
    for (const p of s.pairs) {
      if (!pairs.includes(p.key)) pairs.push(p.key);
      labels.set(p.key, p);
    }
    for (const d of s.dax ?? []) if (!dax.includes(d.name)) dax.push(d.name);
    return m;
  });
  for (const t of objects) {
    for (const d of DIMENSIONS) {
      const known = d.key === 'refs' || byStep.some((m) => {
        const o = m.get(t.key);
        return o !== undefined && flagOf(o, d) !== 'unknown';
      });
      (known ? t.rows : t.folded).push(d);
    }
  }
  return { objects, pairs, labels, dax, byStep };
}

function endText(path: Path): string {
  const last = path.steps[path.steps.length - 1];
  if (path.end === 'return') return `returns at line ${last?.line ?? '?'}`;
  if (path.end === 'noreturn') return 'does not return';
  return 'incomplete';
}

function glyph(d: Dim, f: Flag, cx: number, cy: number, cls: string): string {
  if (f === 'unknown') return `<text class="unk ${cls}" x="${cx}" y="${cy + 4}" text-anchor="middle">?</text>`;
  if (d.key === 'locked') {
    return `<rect class="g g-${d.key} ${f} ${cls}" x="${cx - 6}" y="${cy - 6}" width="12" height="12" rx="2"/>`;
  }
  return `<circle class="g g-${d.key} ${f} ${cls}" cx="${cx}" cy="${cy}" r="5.5"/>`;
}

function lane(path: Path, index: number, total: number): string {
  const { objects, pairs, labels, dax, byStep } = tracks(path);
  const n = path.steps.length;
  const objectHeight = (t: Track) => GROUP + (t.rows.length + (t.folded.length ? 1 : 0)) * ROW;
  const rows = objects.reduce((h, t) => h + objectHeight(t), 0) + (pairs.length + dax.length) * ROW || ROW;
  // Rotated labels need as much height (and room on the right) as the longest one.
  const longest = Math.max(4, ...path.steps.map((s) => `${s.line} ${clip(s.text, LABEL_CHARS)}`.length));
  const slant = Math.ceil(longest * CHAR_W * Math.SQRT1_2) + 10;
  const gridTop = TOP_PAD + slant;
  const width = LABEL_W + n * COL + slant;
  const violations = path.steps.flatMap((s) => s.violations.map((v) => ({ line: s.line, ...v })));
  const height = gridTop + rows + (violations.length ? 26 : 8);
  const out: string[] = [];

  out.push(
    `<svg class="lane-svg" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="path ${index + 1}: ${esc(endText(path))}">`,
  );

  // Row headers and zebra bands; notes go on top of the columns, at the end.
  let y = gridTop;
  const notes: string[] = [];
  for (const t of objects) {
    const name = t.names.join(' = ') || '(unnamed)';
    out.push(`<text class="obj-name" x="4" y="${y + 14}">${esc(name)}<tspan class="obj-origin"> ${esc(t.kind)} · ${esc(clip(t.origin, 40))}</tspan></text>`);
    y += GROUP;
    t.rows.forEach((d, i) => {
      if (i % 2 === 0) out.push(`<rect class="band" x="0" y="${y}" width="${LABEL_W + n * COL}" height="${ROW}"/>`);
      out.push(`<text class="dim-label" x="${LABEL_W - 8}" y="${y + 13}" text-anchor="end">${d.label}</text>`);
      y += ROW;
    });
    if (t.folded.length) {
      // a note under the rows rather than a row of question marks
      notes.push(
        `<text x="24" y="${y + 13}"><tspan class="dim-label folded">${t.folded.map((d) => d.label).join(', ')}</tspan><tspan class="unk folded"> unknown on this path</tspan></text>`,
      );
      y += ROW;
    }
  }
  for (const p of pairs) {
    const h = pairHeader(labels.get(p)!);
    out.push(`<text class="dim-label" x="${LABEL_W - 8}" y="${y + 13}" text-anchor="end"><title>${esc(h.title)}</title>${esc(clip(h.text, 20))}</text>`);
    y += ROW;
  }
  for (const d of dax) {
    out.push(`<text class="dim-label" x="${LABEL_W - 8}" y="${y + 13}" text-anchor="end"><title>${esc(`DAX mapping in ${d}`)}</title>${esc(clip(`DAX ${d}`, 20))}</text>`);
    y += ROW;
  }
  if (objects.length === 0 && pairs.length === 0 && dax.length === 0) {
    out.push(`<text class="dim-label" x="${LABEL_W - 8}" y="${y + 13}" text-anchor="end">nothing tracked</text>`);
  }

  // One column per step.
  path.steps.forEach((s, i) => {
    const x = LABEL_W + i * COL;
    const cx = x + COL / 2;
    const bad = s.violations.length > 0;
    const tip = [`line ${s.line}: ${s.text}`, ...s.objects.map(describe), ...s.pairs.map((p) => `${pairHeader(p).title}: ${p.open}`), ...(s.dax ?? []).map((d) => `DAX mapping ${d.name}: ${d.covered ? 'covered' : 'its inode reference was dropped'}`), ...s.violations.map((v) => `${v.rule}: ${v.message}`)].join('\n');
    out.push(`<g class="step${bad ? ' violation' : ''}" data-line="${s.line}" tabindex="0" role="button" aria-label="${esc(`line ${s.line}: ${s.text}`)}">`);
    out.push(`<title>${esc(tip)}</title>`);
    out.push(`<rect class="col-bg" x="${x + 1}" y="${gridTop - 2}" width="${COL - 2}" height="${height - gridTop}" rx="3"/>`);
    out.push(
      `<text class="step-label" transform="translate(${cx + 3} ${gridTop - 6}) rotate(-45)"><tspan class="ln">${s.line}</tspan> ${esc(clip(s.text, LABEL_CHARS))}</text>`,
    );
    if (bad) {
      const by = gridTop + rows + 13;
      out.push(`<circle class="bang" cx="${cx}" cy="${by}" r="8"/><text class="bang-text" x="${cx}" y="${by + 4}" text-anchor="middle">!</text>`);
    }

    let yy = gridTop;
    const prev = i > 0 ? byStep[i - 1]! : undefined;
    for (const t of objects) {
      yy += GROUP;
      const o = byStep[i]!.get(t.key);
      const before = prev?.get(t.key);
      for (const d of t.rows) {
        if (o) {
          const cls = !before || cellValue(before, d) !== cellValue(o, d) ? 'changed' : 'same';
          const cy = yy + ROW / 2;
          if (d.key === 'refs') {
            const txt = `${refsText(o)}${o.handedOff ? '↗' : ''}`;
            const held = o.value === 'valid' || o.value === 'unknown' ? (o.handedOff ? 'handed' : o.refs > 0 ? 'held' : 'none') : 'novalue';
            out.push(`<rect class="refs-bg ${held} ${cls}" x="${x + 3}" y="${yy + 2}" width="${COL - 6}" height="${ROW - 4}" rx="3"/>`);
            out.push(`<text class="refs ${held} ${cls}${txt.length > 2 ? ' small' : ''}" x="${cx}" y="${cy + 4}" text-anchor="middle">${esc(txt)}</text>`);
          } else if (o.value === 'valid' || o.value === 'unknown') {
            out.push(glyph(d, flagOf(o, d), cx, cy, cls));
          }
        }
        yy += ROW;
      }
      if (t.folded.length) yy += ROW;
    }
    for (const key of pairs) {
      const p = s.pairs.find((q) => q.key === key);
      const before = prev ? path.steps[i - 1]!.pairs.find((q) => q.key === key)?.open ?? 0 : 0;
      const open = p?.open ?? 0;
      const cls = open !== before ? 'changed' : 'same';
      out.push(`<text class="refs pair ${open ? 'held' : 'none'} ${cls}" x="${cx}" y="${yy + 13}" text-anchor="middle">${open}</text>`);
      yy += ROW;
    }
    for (const name of dax) {
      const d = (s.dax ?? []).find((q) => q.name === name);
      const was = prev ? (path.steps[i - 1]!.dax ?? []).find((q) => q.name === name) : undefined;
      const cls = !was || !d || was.covered !== d.covered ? 'changed' : 'same';
      if (d) out.push(`<text class="refs pair ${d.covered ? 'held' : 'none'} ${cls}" x="${cx}" y="${yy + 13}" text-anchor="middle">${d.covered ? 'ok' : '!'}</text>`);
      yy += ROW;
    }
    out.push('</g>');
  });
  out.push(...notes);
  out.push(`<line class="grid-top" x1="${LABEL_W}" y1="${gridTop}" x2="${LABEL_W + n * COL}" y2="${gridTop}"/>`);
  out.push('</svg>');

  const nothing = objects.length === 0 && pairs.length === 0 && dax.length === 0;
  const head =
    `<summary class="lane-head"><span class="lane-title">Path ${index + 1} of ${total}</span>` +
    `<span class="lane-end">${esc(endText(path))}${nothing ? ' · nothing tracked' : ''}</span>` +
    (violations.length ? `<span class="badge error">${esc([...new Set(violations.map((v) => v.rule))].join(', '))}</span>` : '') +
    `</summary>`;
  const list = violations.length
    ? `<ul class="violations">${violations
        .map((v) => `<li data-line="${v.line}" tabindex="0" role="button"><span class="ln">line ${v.line}</span> <span class="rule">${esc(v.rule)}</span> ${esc(v.message)}</li>`)
        .join('')}</ul>`
    : '';
  // Paths on which nothing is tracked start folded.
  return `<details class="lane${violations.length ? ' has-violation' : ''}" data-path="${index + 1}"${nothing ? '' : ' open'}>${head}<div class="lane-scroll">${out.join('')}</div>${list}</details>`;
}

function key(svg: string, label: string): string {
  return `<span class="key"><svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">${svg}</svg>${label}</span>`;
}

/** Legend entries for the pair families and DAX mappings a simulation shows, once each. */
function lifetimeKeys(sim: SimulationJson): string[] {
  const families = new Map<string, string>();
  let dax = false;
  for (const p of sim.paths) {
    for (const s of p.steps) {
      for (const q of s.pairs) if (q.short && q.label) families.set(q.short, q.label);
      if (s.dax?.length) dax = true;
    }
  }
  const out = [...families].map(([short, label]) => key(`<text class="refs pair held changed small" x="8" y="12" text-anchor="middle">${esc(short.slice(0, 3))}</text>`, `${esc(short)}: ${esc(label)}`));
  if (dax) out.push(key(`<text class="refs pair none changed" x="8" y="12" text-anchor="middle">!</text>`, 'DAX mapping: ok while its inode reference is held, ! once it is dropped'));
  return out;
}

function legend(sim: SimulationJson): string {
  const keys = [
    key(`<rect class="refs-bg held changed" x="0" y="1" width="16" height="14" rx="3"/><text class="refs held changed" x="8" y="12" text-anchor="middle">1</text>`, 'references held (+c: and the caller’s)'),
    key(`<rect class="refs-bg handed changed" x="1" y="2" width="14" height="12" rx="3"/><text class="refs handed changed small" x="8" y="11" text-anchor="middle">↗</text>`, 'handed off'),
    key(`<rect class="g g-locked set changed" x="2" y="2" width="12" height="12" rx="2"/>`, 'locked'),
    ...DIMENSIONS.slice(2).map((d) => key(`<circle class="g g-${d.key} set changed" cx="8" cy="8" r="5.5"/>`, d.label)),
    key(`<circle class="g g-dirty clear changed" cx="8" cy="8" r="5.5"/>`, 'clear'),
    key(`<text class="unk changed" x="8" y="12" text-anchor="middle">?</text>`, 'unknown'),
    key(`<rect class="g g-locked set same" x="2" y="2" width="12" height="12" rx="2"/>`, 'faint: unchanged by the step'),
    ...lifetimeKeys(sim),
  ];
  return `<div class="legend">${keys.join('')}</div>`;
}

/** The whole view: header, findings, legend, then one lane per path (paths with a violation first). */
export function renderSimulation(sim: SimulationJson): string {
  const total = sim.paths.length;
  const order = sim.paths.map((p, i) => ({ p, i }));
  const bad = (p: Path) => p.steps.some((s) => s.violations.length > 0);
  order.sort((a, b) => Number(bad(b.p)) - Number(bad(a.p)) || a.i - b.i);

  const header =
    `<header><h1 data-line="${sim.line}" tabindex="0" role="button">${esc(sim.function)}</h1>` +
    `<span class="where">${esc(basename(sim.file))}:${sim.line}</span>` +
    `<span class="summary">${total} distinct path${total === 1 ? '' : 's'}${sim.merged ? `, ${sim.merged} merged into them` : ''} · ` +
    `${sim.findings.length ? `${sim.findings.length} finding${sim.findings.length === 1 ? '' : 's'}` : 'no findings'}</span></header>`;
  const findings = sim.findings.length
    ? `<ul class="findings">${sim.findings
        .map(
          (f) =>
            `<li class="${esc(f.severity)}" data-line="${f.line}" tabindex="0" role="button"><span class="ln">line ${f.line}</span> <span class="rule">${esc(f.rule)}</span> ${esc(f.message)}</li>`,
        )
        .join('')}</ul>`
    : '';
  const incomplete = sim.stats.incomplete ? `<p class="notice">Analysis incomplete: ${esc(sim.stats.incomplete)}</p>` : '';
  const lanes = total ? order.map(({ p, i }) => lane(p, i, total)).join('') : `<p class="notice">No path through this function was recorded.</p>`;
  return `${header}${findings}${incomplete}${legend(sim)}${lanes}`;
}
