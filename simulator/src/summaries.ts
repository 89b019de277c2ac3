/**
 * Function summaries: what a function does to its folio/page parameters on
 * every return path, and what it returns. Inferred from the return records
 * the engine collects, so that callers in the same file (or workspace) can
 * apply them like contracts.
 */
import type { FileIR, FunctionIR } from './ir';
import type { Effect } from './contract-types';
import type { SimResult, Summary } from './api-types';
import { runEngine, type EngineInput, type EngineResult, type ReturnRecord } from './engine';
import { pairKey, splitPairKey, type Obj } from './state';

/** The effects a function had on one parameter object, relative to entry, on one return path. */
export function paramDelta(o: Obj): Effect[] {
  if (o.handedOff) return [{ op: 'handoff' }];
  const ef: Effect[] = [];
  const net = o.refs - (o.callerRef ? 0 : 1);
  if (net > 0) ef.push({ op: 'get', n: net });
  if (o.locked === 'held' && o.entryLocked !== 'held' && o.lockedByUs) ef.push({ op: 'lock' });
  if (o.writeback === 'set' && o.wbByUs) ef.push({ op: 'wb-start' });
  if (o.writeback === 'clear' && o.wbNote?.text.startsWith('already ended')) ef.push({ op: 'wb-end' });
  if (o.private2 === 'set' && o.p2ByUs) ef.push({ op: 'private2-start', ref: o.p2Ref });
  if (o.private2 === 'clear' && o.p2Note?.text.startsWith('already ended')) ef.push({ op: 'private2-end', ref: false });
  if (o.private === 'set' && o.privNote?.text.startsWith('private data attached')) ef.push({ op: 'private-attach' });
  if (o.private === 'clear' && o.privNote?.text.startsWith('private data detached')) ef.push({ op: 'private-detach' });
  if (o.dirty === 'set') ef.push({ op: 'dirty-set' });
  if (o.dirty === 'clear') ef.push({ op: 'dirty-clear' });
  if (o.uptodate === 'set') ef.push({ op: 'uptodate-set' });
  if (o.locked === 'not-held' && o.entryLocked !== 'not-held' && o.lockNote?.text.startsWith('already unlocked')) ef.push({ op: 'unlock' });
  if (net < 0) ef.push({ op: 'put' });
  return ef;
}

function effectsKey(ef: Effect[]): string {
  return JSON.stringify(ef);
}

/** Build a summary from the engine's return records; undefined when there is nothing to say or exploration was incomplete. */
export function summaryFromReturns(fn: FunctionIR, r: EngineResult): Summary | undefined {
  if (r.stats.incomplete) return undefined;
  const recs: ReturnRecord[] = r.returns;
  if (!recs.length) return undefined;
  let source: Summary['source'] = 'inferred';
  const summary: Summary = { name: fn.name, params: [], uncertainParams: [], source };

  // the return value
  if (fn.returns === 'folio' || fn.returns === 'page') {
    const objs = recs.filter((x) => x.value === 'obj');
    const other = recs.some((x) => x.value === 'other' || x.value === 'none');
    if (objs.length && !other && objs.every((x) => x.obj && x.obj.origin === 'acquired' && x.obj.refs > 0)) {
      const nul = recs.some((x) => x.value === 'null');
      const err = recs.some((x) => x.value === 'err');
      summary.returns = {
        kind: fn.returns,
        ref: true,
        locked: objs.every((x) => x.obj!.locked === 'held' && x.obj!.lockedByUs),
        fail: nul && err ? 'null-or-err' : nul ? 'null' : err ? 'err' : 'never',
      };
    }
  }

  // the parameters
  for (const p of fn.params) {
    if ((p.kind !== 'folio' && p.kind !== 'page') || p.out) continue;
    let key: string | undefined;
    let effects: Effect[] = [];
    let uncertain = false;
    for (const rec of recs) {
      const o = rec.params.get(p.name);
      if (!o || o.value === 'null' || o.value === 'err') continue;
      const ef = paramDelta(o);
      const k = effectsKey(ef);
      if (key === undefined) {
        key = k;
        effects = ef;
      } else if (k !== key) uncertain = true;
    }
    let annotated = false;
    for (const a of fn.annotations) {
      if (a.param !== p.name && a.text !== p.name) continue;
      if (a.kind === 'acquires' || a.kind === 'releases') {
        const op = a.kind === 'acquires' ? 'lock' : 'unlock';
        effects = effects.filter((e) => e.op !== 'lock' && e.op !== 'unlock');
        effects.push({ op });
        annotated = true;
      }
    }
    if (annotated) {
      source = 'annotation';
      // the annotation states the lock effect on every path; the rest must still agree
      if (uncertain) {
        summary.uncertainParams.push(p.index);
        continue;
      }
    }
    if (uncertain) summary.uncertainParams.push(p.index);
    else if (effects.length) summary.params.push({ index: p.index, effects });
  }

  // begin/end pairs opened on every path, keyed by a parameter's name
  for (const p of fn.params) {
    const pairs = new Set<string>();
    for (const rec of recs) {
      for (const k of rec.pairs.keys()) {
        const { pair, on } = splitPairKey(k);
        if (on === p.name) pairs.add(pair);
      }
    }
    for (const pair of pairs) {
      const k = pairKey(pair, p.name);
      if (recs.every((rec) => (rec.pairs.get(k) ?? 0) > 0)) {
        let entry = summary.params.find((x) => x.index === p.index);
        if (!entry) summary.params.push((entry = { index: p.index, effects: [] }));
        entry.effects.push({ op: 'pair-begin', pair });
      }
    }
  }

  summary.source = source;
  if (r.waitsForUserspace) summary.waitsForUserspace = r.waitsForUserspace;
  const hasFolioParam = fn.params.some((p) => (p.kind === 'folio' || p.kind === 'page') && !p.out);
  if (!hasFolioParam && !summary.returns && !summary.params.length && !summary.waitsForUserspace) return undefined;
  return summary;
}

export function inferWith(fn: FunctionIR, inp: EngineInput): { result: SimResult; summary?: Summary } {
  const r = runEngine(fn, { ...inp, collectReturns: true });
  const summary = summaryFromReturns(fn, r);
  const { returns: _returns, ...result } = r;
  return { result, summary };
}

/** The call graph over call events, by function name, restricted to the file's functions. */
export function callGraph(file: FileIR): Map<string, Set<string>> {
  const defined = new Set(file.functions.map((f) => f.name));
  const g = new Map<string, Set<string>>();
  for (const f of file.functions) {
    const out = g.get(f.name) ?? new Set<string>();
    for (const b of f.blocks) for (const e of b.events) if (e.kind === 'call' && defined.has(e.callee)) out.add(e.callee);
    g.set(f.name, out);
  }
  return g;
}

/** Strongly connected components, callees before callers (Tarjan, iterative). */
export function sccs(g: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  for (const root of g.keys()) {
    if (index.has(root)) continue;
    const work: [string, Iterator<string>][] = [];
    const enter = (v: string): void => {
      index.set(v, next);
      low.set(v, next);
      next++;
      stack.push(v);
      onStack.add(v);
      work.push([v, (g.get(v) ?? new Set<string>()).values()]);
    };
    enter(root);
    while (work.length) {
      const [v, it] = work[work.length - 1];
      const n = it.next();
      if (!n.done) {
        const w = n.value;
        if (!index.has(w)) enter(w);
        else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const u = work[work.length - 1][0];
        low.set(u, Math.min(low.get(u)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== v);
        out.push(comp);
      }
    }
  }
  return out;
}
