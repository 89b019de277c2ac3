/**
 * Hover text (Markdown): for a lifecycle call, its contract (what it
 * requires, what it changes, where in the kernel it was read) or the
 * summary of a function defined in the workspace; for a folio/page
 * variable, or the object a call works on, its state at that line over the
 * simulated paths through it.
 */
import type { Contract, Effect } from '../../../simulator/src/contract-types';
import { pairKind } from '../../../simulator/src/contracts';
import { splitPairKey } from '../../../simulator/src/state';
import type { ObjectSnapshot, SimResult, Summary, TracePath, TraceStep } from '../../../simulator/src/api-types';
import type { FunctionIR } from '../../../simulator/src/ir';

/** The identifier under a 0-based character of a line, and what surrounds it. */
export interface WordAt {
  word: string;
  start: number;
  end: number;
  /** followed by `(`: a call (or a macro invocation) */
  call: boolean;
  /** the member path ending at the word (`ctx->folio`), or the word itself */
  path: string;
  /** for a call: the argument texts, when they close on this line or the next few */
  args?: string[];
}

const ID = /[A-Za-z0-9_]/;

export function wordAt(lineText: string, character: number, following: string): WordAt | undefined {
  if (character < 0 || character > lineText.length) return undefined;
  let s = character, e = character;
  while (s > 0 && ID.test(lineText[s - 1])) s--;
  while (e < lineText.length && ID.test(lineText[e])) e++;
  if (s === e || /^[0-9]/.test(lineText[s])) return undefined;
  const word = lineText.slice(s, e);
  // member path: a->b->word, a.b.word
  let p = s;
  for (;;) {
    const m = /([A-Za-z_][A-Za-z0-9_]*)\s*(->|\.)\s*$/.exec(lineText.slice(0, p));
    if (!m) break;
    p = m.index;
  }
  const pathText = lineText.slice(p, e).replace(/\s+/g, '');
  const rest = lineText.slice(e) + '\n' + following;
  const call = /^\s*\(/.test(rest);
  let args: string[] | undefined;
  if (call) args = splitArgs(rest.slice(rest.indexOf('(') + 1));
  return { word, start: s, end: e, call, path: pathText, args };
}

/** The top-level comma-separated arguments up to the closing parenthesis (undefined when it does not close). */
function splitArgs(s: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < s.length && i < 2000; i++) {
    const c = s[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) {
        if (cur.trim() || out.length) out.push(cur.trim());
        return out.map((a) => a.replace(/\s+/g, ' '));
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  return undefined;
}

// ── contracts ──────────────────────────────────────────────────────────

function argName(arg: number | undefined, args: string[] | undefined): string {
  const i = arg ?? 0;
  const a = args?.[i];
  return a ? `\`${a}\`` : i === 0 ? 'the folio' : `argument ${i + 1}`;
}

function effectText(e: Effect, args: string[] | undefined): { requires?: string; changes?: string } {
  const x = argName(e.arg, args);
  switch (e.op) {
    case 'get': return { changes: `takes ${e.n && e.n > 1 ? `${e.n} references` : 'a reference'} on ${x}` };
    case 'put': return {
      requires: `a reference held on ${x}`,
      changes: `drops ${e.nArg !== undefined ? `as many references as ${argName(e.nArg, args)}` : e.n && e.n > 1 ? `${e.n} references` : 'a reference'} on ${x} (the last one frees it)`,
    };
    case 'lock': return { requires: `${x} not already locked by this function`, changes: `locks ${x} (sleeps until PG_locked is free)` };
    case 'unlock': return { requires: `${x} locked`, changes: `unlocks ${x}` };
    case 'require-locked': return { requires: `${x} locked (else ${e.rule})` };
    case 'wb-start': return { requires: `${x} not under writeback`, changes: `sets PG_writeback on ${x}` };
    case 'wb-end': return { requires: `${x} under writeback`, changes: `ends writeback on ${x}` };
    case 'dirty-set': return { changes: `marks ${x} dirty` };
    case 'dirty-clear': return { changes: `clears PG_dirty on ${x}` };
    case 'uptodate-set': return { changes: `marks ${x} uptodate` };
    case 'uptodate-clear': return { changes: `clears PG_uptodate on ${x}` };
    case 'private-attach': return { requires: `no private data on ${x}`, changes: `attaches private data to ${x} (takes a reference)` };
    case 'private-detach': return { changes: `detaches private data from ${x} (drops that reference)` };
    case 'private-set-raw': return { changes: `sets PG_private on ${x} (no reference)` };
    case 'private-clear-raw': return { changes: `clears PG_private on ${x}` };
    case 'private2-start': return { requires: `PG_private_2 clear on ${x}`, changes: `sets PG_private_2 on ${x}${e.ref ? ' (takes a reference)' : ''}` };
    case 'private2-end': return { requires: `PG_private_2 set on ${x}`, changes: `clears PG_private_2 on ${x}${e.ref ? ' (drops that reference)' : ''}` };
    case 'private2-set-raw': return { changes: `sets PG_private_2 on ${x} (no reference)` };
    case 'private2-clear-raw': return { changes: `clears PG_private_2 on ${x}` };
    case 'handoff': return { changes: `takes ${x} over: its reference and lock are no longer this function's` };
    case 'use': return { requires: `${x} alive (it is dereferenced)` };
    case 'pair-begin': return { changes: `opens ${pairKind(e.pair).label} on ${e.onResult ? 'the returned object' : x}` };
    case 'pair-end': return { requires: `${pairKind(e.pair).label} open on ${x}`, changes: `closes ${pairKind(e.pair).label} on ${x}` };
    case 'pair-not-after': return { requires: `${x} not yet through ${pairKind(e.pair).label} (else ${e.rule})` };
    case 'dax-map': return { changes: `maps DAX memory into ${e.outArgs.map((i) => argName(i, args)).join(' and ')}: valid while an inode reference covers it (dax-use-after-inode-put)` };
    case 'userspace-wait': return { changes: 'sleeps until a userspace daemon answers: folio locks and references held across it block migration and reclaim (lock-held-across-userspace-wait)' };
    case 'cache-fill': return { changes: `creates page-cache folios in ${x}${e.flagsArg !== undefined ? ` when ${argName(e.flagsArg, args)} has FGP_CREAT` : ''} (pagecache-fill-during-dio)` };
  }
}

function returnsText(r: NonNullable<Contract['returns']>, args: string[] | undefined): string {
  const lock = r.locked === true ? ', locked' : r.locked === 'flags' ? `, locked when ${argName(r.flagsArg, args)} has FGP_LOCK` : '';
  const fail = r.fail === 'null' ? 'NULL on failure' : r.fail === 'err' ? 'an error pointer on failure' : r.fail === 'null-or-err' ? 'NULL or an error pointer on failure' : 'never fails';
  return `a ${r.kind}${r.ref ? ' with a reference the caller owns' : ' without a reference'}${lock}; ${fail}`;
}

export function contractMarkdown(c: Contract, args: string[] | undefined): string {
  const out: string[] = [];
  const sig = args ? `${c.name}(${args.join(', ')})` : `${c.name}()`;
  const versions = c.versions.length ? `kernel ${c.versions.join(', ')}` : 'every kernel version';
  out.push(`**\`${sig}\`** · ${c.api === 'pair' ? 'begin/end pair' : c.api === 'other' ? 'kernel call' : `${c.api} API`} · ${versions}`);
  if (c.doc) out.push('', c.doc);
  const req: string[] = [], chg: string[] = [];
  for (const e of c.effects) {
    const t = effectText(e, args);
    if (t.requires && !req.includes(t.requires)) req.push(t.requires);
    if (t.changes && !chg.includes(t.changes)) chg.push(t.changes);
  }
  const cond = c.outcome === 'true' ? ' (only when it returns true)' : c.outcome === 'zero' ? ' (only when it returns 0)' : '';
  out.push('');
  if (req.length) out.push(`- **requires:** ${req.join('; ')}`);
  if (chg.length) out.push(`- **changes:** ${chg.join('; ')}${cond}`);
  if (c.returns) out.push(`- **returns:** ${returnsText(c.returns, args)}`);
  if (c.reportsPrevious) out.push('- **returns** whether the state was already set (the twice-rule applies only when the result is ignored)');
  if (!req.length && !chg.length && !c.returns) out.push('- leaves the folio\'s references, lock and flags alone');
  out.push('', `*Source:* \`${c.source}\``);
  return out.join('\n');
}

export function summaryMarkdown(s: Summary, args: string[] | undefined, where: string | undefined): string {
  const out: string[] = [];
  out.push(`**\`${s.name}(${args ? args.join(', ') : ''})\`** · summary ${s.source === 'annotation' ? 'from its lock annotations' : 'inferred from its definition'}${where ? ` in \`${where}\`` : ''}`);
  out.push('');
  let any = false;
  for (const p of s.params) {
    const changes = p.effects.map((e) => effectText({ ...e, arg: p.index } as Effect, args).changes).filter(Boolean);
    if (changes.length) {
      out.push(`- on every path: ${changes.join('; ')}`);
      any = true;
    }
  }
  for (const i of s.uncertainParams) {
    out.push(`- changes ${argName(i, args)} on some paths only (callers treat it as handed off)`);
    any = true;
  }
  if (s.returns) {
    out.push(`- **returns:** ${returnsText(s.returns, args)}`);
    any = true;
  }
  if (!any) out.push('- leaves its folio arguments as it found them');
  return out.join('\n');
}

// ── state at a line ────────────────────────────────────────────────────

function count<T>(xs: T[], f: (x: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) {
    const k = f(x);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

function onPaths(k: number, n: number): string {
  return n === 1 ? '' : k === n ? ` on all ${n} paths` : ` on ${k} of ${n} paths`;
}

function describeCounts(m: Map<string, number>, n: number, label: (k: string) => string): string {
  const parts = [...m].sort((a, b) => b[1] - a[1]).map(([k, c]) => `${label(k)}${onPaths(c, n)}`);
  return parts.join('; ');
}

/** What is said about one variable over the snapshots (one per path that has it). */
export function stateMarkdown(name: string, snaps: ObjectSnapshot[], paths: number, where: string): string {
  const n = snaps.length;
  const out: string[] = [];
  const missing = paths - n;
  out.push(`**\`${name}\`** ${where}${paths > 1 ? ` · ${paths} simulated paths reach it` : ''}${missing > 0 ? ` (not a tracked ${snaps[0]?.kind ?? 'folio'} on ${missing})` : ''}`);
  if (!n) return out.join('\n');
  out.push('');
  const origins = count(snaps, (s) => s.origin);
  out.push(`- **from:** ${describeCounts(origins, n, (k) => k)}`);
  const values = count(snaps, (s) => s.value);
  if (values.has('null') || values.has('err')) out.push(`- **value:** ${describeCounts(values, n, (k) => (k === 'null' ? 'NULL' : k === 'err' ? 'error pointer' : k))}`);
  const refs = count(snaps, (s) => `${s.refs}${s.callerRef ? '+' : ''}`);
  out.push(`- **references held:** ${describeCounts(refs, n, (k) => {
    const own = parseInt(k, 10);
    const caller = k.endsWith('+');
    return `${own}${caller ? ' (+ the caller\'s)' : ''}`;
  })}`);
  const locked = count(snaps, (s) => s.locked);
  const held = locked.get('held') ?? 0;
  if (held === n) out.push(`- **locked**${onPaths(n, n)}`);
  else if (held) out.push(`- **locked** on ${held} of ${n} paths${locked.get('unknown') ? ` (unknown on ${locked.get('unknown')})` : ''}`);
  else if (locked.get('not-held') === n) out.push('- **not locked**');
  else out.push(`- **lock:** ${describeCounts(locked, n, (k) => (k === 'not-held' ? 'not held' : k === 'unknown' ? 'unknown (as the caller left it)' : k))}`);
  const flag = (label: string, pick: (s: ObjectSnapshot) => string) => {
    const m = count(snaps, pick);
    if ((m.get('unknown') ?? 0) === n) return;
    out.push(`- **${label}:** ${describeCounts(m, n, (k) => k)}`);
  };
  flag('writeback', (s) => s.writeback);
  flag('dirty', (s) => s.dirty);
  flag('uptodate', (s) => s.uptodate);
  flag('private', (s) => s.private);
  flag('private_2', (s) => s.private2);
  const off = snaps.filter((s) => s.handedOff).length;
  if (off) out.push(`- **handed off**${onPaths(off, n)}`);
  return out.join('\n');
}

/**
 * The step of a path a hover at `line` is about: the step of `call` (`call(...)`
 * or `x = call(...)`) when a call is hovered, else the line's last step; -1
 * when the path has no step on the line.
 */
function stepAt(p: TracePath, line: number, call?: string): number {
  if (call) {
    const i = p.steps.findIndex((s) => s.line === line && (s.text.startsWith(call + '(') || s.text.includes(' = ' + call + '(')));
    // a call whose step text differs (a value call): the first step on the line
    return i >= 0 ? i : p.steps.findIndex((s) => s.line === line);
  }
  for (let i = p.steps.length - 1; i >= 0; i--) if (p.steps[i].line === line) return i;
  return -1;
}

/** The snapshot of the object named `name` in a step, trying the member path, then its base. */
function find(step: TraceStep, names: string[]): ObjectSnapshot | undefined {
  for (const nm of names) {
    const o = step.objects.find((x) => x.names.includes(nm));
    if (o) return o;
  }
  return undefined;
}

/**
 * The state of `names[0]` (or a fallback name) at a 1-based line over the
 * trace's paths: after the line's last step, or for a call, before and
 * after the step of that call.
 */
export function stateAtLine(r: SimResult, line: number, names: string[], call?: string): { after: ObjectSnapshot[]; before: ObjectSnapshot[]; paths: number } {
  const after: ObjectSnapshot[] = [];
  const before: ObjectSnapshot[] = [];
  let paths = 0;
  for (const p of r.trace?.paths ?? []) {
    const idx = stepAt(p, line, call);
    if (idx < 0) continue;
    paths++;
    const a = find(p.steps[idx], names);
    if (a) after.push(a);
    const b = idx > 0 ? find(p.steps[idx - 1], names) : undefined;
    if (b) before.push(b);
  }
  return { after, before, paths };
}

/** The kind of a variable in a function (parameters and folio/page locals), if it is one. */
export function varKind(fn: FunctionIR, name: string): 'folio' | 'page' | undefined {
  const p = fn.params.find((x) => x.name === name && !x.out);
  if (p && (p.kind === 'folio' || p.kind === 'page')) return p.kind;
  const l = fn.locals.find((x) => x.name === name);
  if (l && (l.kind === 'folio' || l.kind === 'page')) return l.kind;
  return undefined;
}

/** Candidate trace names for an argument text: `&folio->page` and `page_folio(page)` name their base variable. */
export function namesForArg(arg: string): string[] {
  const a = arg.replace(/\s+/g, '');
  const out: string[] = [];
  if (/^[A-Za-z_]\w*(?:(?:->|\.)\w+)*$/.test(a)) out.push(a);
  const m = /^(?:&)?\(?(?:\(struct\w+\*\))?([A-Za-z_]\w*)/.exec(a.replace(/^(?:page_folio|folio_page|&)\(?/, ''));
  if (m && !out.includes(m[1])) out.push(m[1]);
  const inner = /\(([A-Za-z_]\w*)/.exec(a);
  if (inner && !out.includes(inner[1])) out.push(inner[1]);
  return out;
}

/**
 * What the simulator knows at a line about the lifetimes beyond the folio
 * that `names` take part in: begin/end pairs keyed by them (direct I/O in
 * flight, cookie uses, inode references) and DAX mappings held in them.
 * Empty when there is nothing to say.
 */
export function lifetimeMarkdown(r: SimResult, line: number, names: string[], call?: string): string {
  const counts = new Map<string, Map<string, number>>();
  let paths = 0;
  const bump = (what: string, value: string) => {
    let m = counts.get(what);
    if (!m) counts.set(what, (m = new Map()));
    m.set(value, (m.get(value) ?? 0) + 1);
  };
  const wanted = new Set(names.map((n) => n.replace(/\s+/g, '')));
  for (const p of r.trace?.paths ?? []) {
    const idx = stepAt(p, line, call);
    if (idx < 0) continue;
    paths++;
    const step: TraceStep = p.steps[idx];
    for (const pr of step.pairs) {
      const { pair, on } = splitPairKey(pr.key);
      if (!wanted.has(on.replace(/\s+/g, ''))) continue;
      bump(`${pr.label ?? pair} on \`${on}\``, pr.open < 0 ? `${-pr.open} dropped that this function did not take` : String(pr.open));
    }
    for (const d of step.dax ?? []) {
      if (!wanted.has(d.name)) continue;
      const inode = splitPairKey(d.cover).on;
      bump(`DAX mapping in \`${d.name}\``, d.covered ? `covered by the inode reference on \`${inode}\`` : `**its inode reference on \`${inode}\` was dropped**: do not use it`);
    }
  }
  if (!counts.size) return '';
  const out = [`**lifetimes** after line ${line}${paths > 1 ? ` · ${paths} simulated paths reach it` : ''}`, ''];
  for (const [what, m] of counts) {
    const n = [...m.values()].reduce((a, b) => a + b, 0);
    out.push(`- **${what}:** ${describeCounts(m, n, (k) => k)}${n < paths ? ` (not tracked on ${paths - n})` : ''}`);
  }
  return out.join('\n');
}
