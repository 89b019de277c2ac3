/**
 * Path exploration. A worklist of (block, state); at each block the set of
 * canonical state keys already seen is kept and a state equal to one seen is
 * dropped (merged). States are bounded (objects are identified by creation
 * site, counts are capped, scalars come from a finite domain), so loops end.
 *
 * Findings are deduplicated by (rule, location, object), keeping the first
 * path. Severity: `error` when every state reaching the event violates the
 * rule there, `warning` otherwise (and always when exploration was cut short).
 */
import type { Arg, AssignEvent, Block, CallEvent, Cond, Event, FunctionIR, Loc, ReturnValue, Terminator, VarName } from './ir';
import type { Contract, Effect, ReturnsObject } from './contract-types';
import { DEFAULT_BUDGET, type Budget, type Finding, type PathStep, type SimResult, type Summary, type Trace, type TracePath, type TraceStep } from './api-types';
import type { RuleId } from './rules';
import {
  ANY, ERR, NEG, REF_CAP, NONZERO, POS, ZERO,
  emptyState, gc, isObjBinding, pruneScalars, namesOf, newObj, objOfVar, pathSteps, pushStep, scalarOf, snapshot, stateKey,
  updObj, withObj, withVar, withDax, withPair, displayName, pairKey, splitPairKey,
  type Binding, type LockState, type Note, type Obj, type State, type TraceNode,
} from './state';
import { applyObjEffect, applyPairEffect, callText, checkUse, putsArg, type EffectCtx, type Violation } from './effects';
import { msg, withPath } from './messages';
import { classifyCallee, isAliasCall, isPfnCall, pfnOfText, type CallClass } from './callees';
import { DIO_PAIR, INODE_REF_PAIR, pairKind } from './contracts';
import { canonInode, canonMapping } from './lifetimes';

/** What a return looked like, for summary inference. */
export interface ReturnRecord {
  /** the object returned, as it was at the return */
  obj?: Obj;
  /** what the returned value is */
  value: 'obj' | 'null' | 'err' | 'other' | 'none';
  /** the parameter objects at the return (after cleanups), by parameter name */
  params: Map<VarName, Obj>;
  /** open pairs at the return */
  pairs: Map<string, number>;
}

export interface EngineResult extends SimResult {
  returns: ReturnRecord[];
  /** a call on some explored path waits for a userspace daemon: the first such call's name */
  waitsForUserspace?: string;
}

export interface EngineInput {
  contracts: ReadonlyMap<string, Contract>;
  summaries?: ReadonlyMap<string, Summary>;
  budget?: Budget;
  trace?: boolean;
  /** record returns for summary inference */
  collectReturns?: boolean;
  /** calls known to leave folios alone */
  neutral?: (callee: string) => boolean;
}

interface FoundEntry {
  finding: Finding;
  site: string;
  count: number;
  objId?: string;
  /**
   * a leak of objects a loop created: their creation sites. The finding
   * stands only if the function releases an object of one of them somewhere
   * (else the loop pins them on purpose)
   */
  lostSites?: Set<string>;
  /**
   * an asynchronously ended pair (inode_dio) open at a return: it stands only
   * if the function also ends that pair itself before returning its I/O's
   * result somewhere (syncEnded); else the I/O completion ends it
   */
  asyncPair?: string;
}

/** The block of an event site `B.E` / `B.T`. */
function blockOfSite(site: string): number {
  return parseInt(site, 10);
}

/** Tarjan's SCCs over the blocks: the component of each block on a cycle. */
export function cyclicSccs(fn: FunctionIR): Map<number, number> {
  const succ = new Map<number, number[]>();
  for (const b of fn.blocks) {
    const t = b.term;
    succ.set(b.id, t.kind === 'goto' ? [t.target] : t.kind === 'branch' ? [t.then, t.else] : t.kind === 'switch' ? t.targets : []);
  }
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  const out = new Map<number, number>();
  let next = 0;
  let comp = 0;
  for (const root of succ.keys()) {
    if (index.has(root)) continue;
    const work: [number, number][] = [];
    const enter = (v: number): void => {
      index.set(v, next);
      low.set(v, next);
      next++;
      stack.push(v);
      onStack.add(v);
      work.push([v, 0]);
    };
    enter(root);
    while (work.length) {
      const top = work[work.length - 1];
      const [v, i] = top;
      const ss = succ.get(v) ?? [];
      if (i < ss.length) {
        top[1]++;
        const w = ss[i];
        if (!succ.has(w)) continue;
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
        const members: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          members.push(w);
        } while (w !== v);
        const cyclic = members.length > 1 || (succ.get(v) ?? []).includes(v);
        if (cyclic) {
          for (const m of members) out.set(m, comp);
          comp++;
        }
      }
    }
  }
  return out;
}

/** The creation site of an object (`c:3.1` for `c:3.1'`, an older object of the same site). */
function siteOf(id: string): string {
  let n = id.length;
  while (n > 0 && id.charCodeAt(n - 1) === 39 /* ' */) n--;
  return id.slice(0, n);
}

interface Cur {
  site: string;
  loc: Loc;
  step: PathStep;
  reported: Set<string>;
  violations: { rule: RuleId; message: string }[];
}

/** Summaries applied like contracts: param effects, uncertain params handed off, returns. */
/** A contract as the engine uses it: summaries add handoffs that take no references. */
export type SimContract = Contract & { softHandoff?: number[]; waitVia?: string };

/** include/linux/errno.h: the I/O was queued and its completion will finish it. */
const EIOCBQUEUED = 529;

/** Returned text that is an error (whitespace removed): `-EIO`, `ERR_PTR(...)`, `PTR_ERR(...)`, `err < 0 ? err : -EIO`. */
const ERROR_TEXT = /^-E[A-Z0-9]+$|^(?:ERR_PTR|PTR_ERR)\(|^\(?(\w+)<0\?\1:-E[A-Z0-9]+\)?$/;

/** A plain name or member path (`cookie`, `ctx->cookie`, `vi->cache.cookie`). */
const PLACE_TEXT = /^[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*)*$/;

/** Rules that stay warnings even when every path breaks them (a design trade-off the developer may have made on purpose). */
const WARNING_ONLY: ReadonlySet<RuleId> = new Set<RuleId>(['lock-held-across-userspace-wait']);

const summaryContracts = new WeakMap<Summary, SimContract>();
export function summaryAsContract(s: Summary): SimContract {
  let c = summaryContracts.get(s);
  if (c) return c;
  // a summary's handoffs are guesses about the callee (stored on every path, or changed on
  // some paths only): they silence leak rules but do not take this function's references
  const effects: Effect[] = [];
  const soft: number[] = [...s.uncertainParams];
  for (const p of s.params) {
    for (const e of p.effects) {
      if (e.op === 'handoff') soft.push(p.index);
      else effects.push({ ...e, arg: p.index } as Effect);
    }
  }
  for (const i of soft) effects.push({ op: 'use', arg: i });
  if (s.waitsForUserspace) effects.push({ op: 'userspace-wait' });
  c = {
    name: s.name,
    api: 'folio',
    versions: [],
    source: `summary of ${s.name}()`,
    effects,
    returns: s.returns ? { kind: s.returns.kind, ref: s.returns.ref, locked: s.returns.locked, fail: s.returns.fail } : undefined,
    doc: '',
    softHandoff: soft,
    waitVia: s.waitsForUserspace,
  } as SimContract;
  summaryContracts.set(s, c);
  return c;
}

/** Effects that drop or hand on a reference of this function's. */
const RELEASES = new Set<Effect['op']>(['put', 'handoff', 'private-set-raw']);

const OBJ_OPS = new Set<Effect['op']>([
  'get', 'put', 'lock', 'unlock', 'require-locked', 'wb-start', 'wb-end', 'dirty-set', 'dirty-clear', 'uptodate-set',
  'uptodate-clear', 'private-attach', 'private-detach', 'private-set-raw', 'private-clear-raw', 'private2-start',
  'private2-end', 'private2-set-raw', 'private2-clear-raw', 'handoff', 'use',
]);

/** Objects are given names up to this many trace paths; beyond, paths are counted only. */
const MAX_TRACE_PATHS = 500;
/** The clock is read every this many states. */
const CLOCK_EVERY = 64;
/** inside blocks, the clock is read every this many (state, event) steps */
const BLOCK_CLOCK_EVERY = 256;

class Engine {
  /** when the engine started on this function: the pre-pass (scan, liveness) counts against the budget too */
  private readonly t0 = Date.now();
  readonly fn: FunctionIR;
  readonly inp: EngineInput;
  readonly budget: Budget;
  readonly trace: boolean;
  /** folio/page parameters and locals */
  readonly tracked = new Map<VarName, 'folio' | 'page'>();
  /** scalar variables worth keeping: they appear in conditions */
  readonly relevant = new Set<VarName>();
  /** pair names that have a pair-end somewhere in this function */
  readonly pairEnds = new Set<string>();
  /**
   * private2-leak is reported only where the function shows it deals with
   * the end itself: it ends PG_private_2 somewhere, or hands the object on
   * (stores it for the I/O) on another path. Otherwise the end is presumably
   * asynchronous (netfs marks folios and ends the bit from the completion).
   */
  endsPrivate2 = false;
  readonly p2HandedOff = new Set<string>();
  /**
   * Creation sites whose objects this function drops or hands on somewhere
   * (put, stored, batched, returned). A loop that re-points a variable
   * while it holds a reference from a site never released anywhere pins
   * its objects on purpose (a later pass releases them): no reassignment
   * leak for those.
   */
  readonly releasedSites = new Set<string>();
  readonly reach = new Map<string, number>();
  readonly found = new Map<string, FoundEntry>();
  readonly returns: ReturnRecord[] = [];
  readonly tracePaths: TracePath[] = [];
  merged = 0;
  states = 0;
  incomplete?: string;
  cur!: Cur;
  readonly classCache = new Map<string, CallClass>();

  constructor(fn: FunctionIR, inp: EngineInput) {
    this.fn = fn;
    this.inp = inp;
    this.budget = inp.budget ?? DEFAULT_BUDGET;
    this.trace = !!inp.trace;
    for (const p of fn.params) if ((p.kind === 'folio' || p.kind === 'page') && !p.out) this.tracked.set(p.name, p.kind);
    for (const l of fn.locals) if (l.kind === 'folio' || l.kind === 'page') this.tracked.set(l.name, l.kind);
    if (fn.localNames) {
      this.ownNames = new Set(fn.localNames);
      for (const p of fn.params) this.ownNames.add(p.name);
    }
    this.scan();
  }

  /** parameters and locals, when extraction listed every local (else undefined: no name is taken for a global) */
  readonly ownNames?: Set<VarName>;

  /**
   * A variable that denotes a place outside this function's frame: a member
   * path, or a global (a plain name that is neither a parameter nor a local
   * nor a temporary). An object named by one has been stored there.
   */
  isPlace(v: VarName): boolean {
    if (isMemberPath(v)) return true;
    return !!this.ownNames && v.charCodeAt(0) !== 36 /* $ */ && !this.ownNames.has(v);
  }

  /**
   * Scalar variables live at each block's entry: read (in a condition, or
   * copied by an assignment) on some path from there before being
   * redefined. Dead scalars are dropped from states so they merge.
   */
  readonly liveIn = new Map<number, Set<VarName>>();

  private liveness(): void {
    const uses = new Map<number, Set<VarName>>();
    const defs = new Map<number, Set<VarName>>();
    const succ = new Map<number, number[]>();
    const pred = new Map<number, number[]>();
    for (const b of this.fn.blocks) {
      const u = new Set<VarName>();
      const d = new Set<VarName>();
      const use = (v: VarName): void => {
        if (!d.has(v)) u.add(v);
      };
      const kill = (v: VarName): void => {
        for (const pv of this.opaqueKilled(v) ?? []) d.add(pv);
      };
      for (const e of b.events) {
        if (e.kind === 'assign') {
          if (e.src.kind === 'var' || e.src.kind === 'not') use(e.src.name);
          else if (e.src.kind === 'unknown') for (const id of e.src.text.match(/[A-Za-z_]\w*/g) ?? []) use(id);
          d.add(e.dst);
          kill(e.dst);
        } else if (e.kind === 'call') {
          if (e.result !== undefined) {
            d.add(e.result);
            kill(e.result);
          }
          for (const a of e.args) if (byAddress(a)) kill(a.var!);
        }
      }
      const t = b.term;
      let next: number[] = [];
      if (t.kind === 'branch') {
        if (t.cond.kind !== 'unknown') use(t.cond.var);
        else {
          const k = this.opaque.size ? opaqueKey(t.text) : undefined;
          const o = k && this.opaque.get(k.key);
          if (o) use(o.pv);
        }
        next = [t.then, t.else];
      } else if (t.kind === 'goto') next = [t.target];
      else if (t.kind === 'switch') next = t.targets;
      else if (t.kind === 'return' && t.value?.var !== undefined) use(t.value.var);
      uses.set(b.id, u);
      defs.set(b.id, d);
      succ.set(b.id, next);
      for (const n of next) {
        const l = pred.get(n);
        if (l) l.push(b.id);
        else pred.set(n, [b.id]);
      }
      this.liveIn.set(b.id, new Set(u));
    }
    const work = this.fn.blocks.map((b) => b.id);
    const inWork = new Set(work);
    while (work.length) {
      const id = work.pop()!;
      inWork.delete(id);
      const out = new Set<VarName>();
      for (const n of succ.get(id) ?? []) for (const v of this.liveIn.get(n) ?? []) out.add(v);
      const live = this.liveIn.get(id)!;
      const d = defs.get(id)!;
      let grew = false;
      for (const v of out) {
        if (!d.has(v) && !live.has(v)) {
          live.add(v);
          grew = true;
        }
      }
      if (grew) for (const p of pred.get(id) ?? []) if (!inWork.has(p)) {
        inWork.add(p);
        work.push(p);
      }
    }
  }

  /**
   * Opaque conditions tested more than once (`if (sa->flags & RDONLY)` ...
   * `if (sa->flags & RDONLY)`, `i == page->index` ... `i != page->index`):
   * their outcome is kept as a pseudo-variable `?text` until an
   * identifier of the text is assigned (or passed by address), so the
   * second test takes the branch of the first. Conditions that call
   * something are left out (each call is a new value).
   */
  readonly opaque = new Map<string, { pv: VarName; ids: string[] }>();
  readonly opaqueByIdent = new Map<string, VarName[]>();

  private opaqueScan(): void {
    const count = new Map<string, number>();
    // only tests that guard a lifecycle call (a contract or a summary) directly: the others
    // would only multiply states
    const guards = new Set<string>();
    let byId: Map<number, Block> | undefined;
    for (const b of this.fn.blocks) {
      const t = b.term;
      if (t.kind !== 'branch' || t.cond.kind !== 'unknown') continue;
      const k = opaqueKey(t.text);
      if (!k) continue;
      count.set(k.key, (count.get(k.key) ?? 0) + 1);
      if (guards.has(k.key)) continue;
      byId ??= new Map(this.fn.blocks.map((x) => [x.id, x]));
      for (const succ of [t.then, t.else]) {
        const sb = byId.get(succ);
        if (sb?.events.some((e) => e.kind === 'call' && !!this.contractFor(e.callee))) guards.add(k.key);
      }
    }
    for (const [key, n] of count) {
      if (n < 2 || !guards.has(key)) continue;
      const ids = [...new Set(key.match(/[A-Za-z_]\w*/g) ?? [])];
      const pv = '?' + key;
      this.opaque.set(key, { pv, ids });
      for (const id of ids) {
        const l = this.opaqueByIdent.get(id);
        if (l) l.push(pv);
        else this.opaqueByIdent.set(id, [pv]);
      }
    }
  }

  /** The opaque outcomes that an assignment to `v` (or passing `&v`) invalidates. */
  private opaqueKilled(v: VarName): VarName[] | undefined {
    if (!this.opaqueByIdent.size) return undefined;
    const root = /^[A-Za-z_]\w*/.exec(v);
    return root ? this.opaqueByIdent.get(root[0]) : undefined;
  }

  /** Temporaries (`$N`) some event, branch or return reads. */
  readonly readTemps = new Set<VarName>();

  private scan(): void {
    this.opaqueScan();
    this.liveness();
    const read = (v: VarName | undefined): void => {
      if (v !== undefined && v.charCodeAt(0) === 36) this.readTemps.add(v);
    };
    for (const b of this.fn.blocks) {
      for (const e of b.events) {
        if (e.kind === 'call') for (const a of e.args) read(a.var);
        else if (e.kind === 'assign') read(e.src.kind === 'var' || e.src.kind === 'not' ? e.src.name : undefined);
        else read(e.var);
      }
      const t = b.term;
      if (t.kind === 'branch' && t.cond.kind !== 'unknown') read(t.cond.var);
      else if (t.kind === 'return') read(t.value?.var);
    }
    const condVars = new Set<VarName>();
    const copies: [VarName, VarName][] = [];
    for (const b of this.fn.blocks) {
      if (b.term.kind === 'branch') {
        const c = b.term.cond;
        if (c.kind !== 'unknown') condVars.add(c.var);
      }
      for (const e of b.events) {
        if (e.kind === 'assign' && (e.src.kind === 'var' || e.src.kind === 'not')) copies.push([e.dst, e.src.name]);
        if (e.kind === 'call') {
          const c = this.contractFor(e.callee);
          if (c) {
            for (const ef of c.effects) {
              if (ef.op === 'pair-end') this.pairEnds.add(ef.pair);
              if (ef.op === 'private2-end' || ef.op === 'private2-clear-raw') this.endsPrivate2 = true;
            }
          }
        }
      }
    }
    for (const v of condVars) this.relevant.add(v);
    // a pointer function's returned variables: whether a return hands on a pointer or
    // NULL / an error pointer decides what it hands on
    if (this.returnsPointer) {
      for (const b of this.fn.blocks) {
        const v = b.term.kind === 'return' ? b.term.value?.var : undefined;
        if (v !== undefined && !this.tracked.has(v)) this.relevant.add(v);
      }
    }
    let changed = true;
    while (changed) {
      changed = false;
      for (const [dst, src] of copies) {
        if (this.relevant.has(dst) && !this.relevant.has(src)) {
          this.relevant.add(src);
          changed = true;
        }
      }
    }
  }

  contractFor(callee: string): Contract | undefined {
    const c = this.inp.contracts.get(callee);
    if (c) return c;
    const s = this.inp.summaries?.get(callee);
    return s ? summaryAsContract(s) : undefined;
  }

  /** True when nothing in the function can touch a folio or page. */
  trivial(): boolean {
    if (this.tracked.size) return false;
    for (const b of this.fn.blocks) {
      for (const e of b.events) if (e.kind === 'call' && this.contractFor(e.callee)) return false;
      if (b.term.kind === 'return') for (const c of b.term.cleanups) if (this.contractFor(c.fn)) return false;
    }
    return true;
  }

  // ------------------------------------------------------------------ reporting

  report(s: State, v: Violation, name?: string, lostSite?: string, asyncPair?: string): void {
    const cur = this.cur;
    const objName = name ?? (v.obj ? displayName(s, v.obj) : '');
    const key = `${v.rule}|${cur.loc.line}:${cur.loc.column}|${objName}`;
    if (cur.reported.has(key)) return;
    cur.reported.add(key);
    if (this.trace) cur.violations.push({ rule: v.rule, message: v.message });
    const e = this.found.get(key);
    if (e) {
      if (e.site === cur.site) e.count++;
      // one path that shows it unconditionally is enough
      if (asyncPair === undefined) e.asyncPair = undefined;
      // a report with no pinning site makes the finding unconditional
      if (lostSite === undefined) e.lostSites = undefined;
      else e.lostSites?.add(lostSite);
      return;
    }
    const path = pathSteps(s, v.obj?.birthN ?? 0, v.obj?.id, cur.step);
    this.found.set(key, {
      site: cur.site,
      count: 1,
      objId: v.obj?.id,
      ...(lostSite !== undefined ? { lostSites: new Set([lostSite]) } : {}),
      ...(asyncPair !== undefined ? { asyncPair } : {}),
      finding: {
        rule: v.rule,
        severity: 'warning',
        message: withPath(v.message, path.map((p) => p.line)),
        function: this.fn.name,
        loc: cur.loc,
        object: objName || undefined,
        call: this.curCall,
        path,
        related: v.related,
      },
    });
  }

  curCall?: string;

  /**
   * The text a pair end closes: its own, or the one it was copied from or
   * to (`ctx->cookie = cookie; ... fscache_unuse_cookie(ctx->cookie)`) when
   * only that one is open here.
   */
  private pairEndKey(s: State, pair: string, text: string): string {
    if ((s.pairs.get(pairKey(pair, text)) ?? 0) > 0) return text;
    const alias = this.textAliases();
    const from = alias.get(text);
    if (from && (s.pairs.get(pairKey(pair, from)) ?? 0) > 0) return from;
    for (const [dst, src] of alias) {
      if (src === text && (s.pairs.get(pairKey(pair, dst)) ?? 0) > 0) return dst;
    }
    return text;
  }

  /**
   * Variables and member paths assigned exactly once in the function from
   * another plain name (`ctx->cookie = cookie`): a pair begun on one and
   * ended on the other is one pair. null: assigned more than once, or from
   * something else. Built the first time a pair end misses.
   */
  private textAliases(): ReadonlyMap<string, string | null> {
    if (!this._textAlias) {
      const m = new Map<string, string | null>();
      for (const b of this.fn.blocks) {
        for (const e of b.events) {
          if (e.kind !== 'assign') continue;
          const src = e.src.kind === 'var' ? e.src.name : e.src.kind === 'unknown' && PLACE_TEXT.test(e.src.text) ? e.src.text : undefined;
          m.set(e.dst, m.has(e.dst) ? null : src ?? null);
        }
      }
      this._textAlias = m;
    }
    return this._textAlias;
  }
  private _textAlias?: Map<string, string | null>;

  // ------------------------------------------------------------------ lifetimes beyond the folio (seeds 001-004)

  /** the first call found waiting for userspace on an explored path (for summaries) */
  waitsForUserspace?: string;

  /** `v` gets a new value: a DAX mapping in it, or an inode reference keyed by its name, no longer applies */
  private forgetLifetimeVar(s: State, v: VarName): State {
    if (s.dax.has(v)) s = withDax(s, v, undefined);
    const key = pairKey(INODE_REF_PAIR, v);
    if (s.pairs.has(key)) {
      s = withPair(s, key, undefined);
      for (const [d, m] of s.dax) if (m.cover === key) s = withDax(s, d, undefined);
    }
    return s;
  }

  /** dax_direct_access(..., &kaddr, &pfn): the mappings are covered by the one inode reference this function holds, if it holds exactly one */
  private daxMap(s: State, ev: CallEvent, outArgs: readonly number[]): State {
    let cover: string | undefined;
    let n = 0;
    for (const [key, k] of s.pairs) {
      if (k > 0 && splitPairKey(key).pair === INODE_REF_PAIR) {
        cover = key;
        n++;
      }
    }
    const call = callText(ev.callee);
    for (const i of outArgs) {
      const a = ev.args[i];
      if (!a || a.var === undefined || !/^&\s*[A-Za-z_]\w*$/.test(a.text)) continue;
      s = withDax(s, a.var, n === 1 ? { cover: cover!, note: { loc: ev.loc, call, text: `mapped by ${call} at line ${ev.loc.line}` } } : undefined);
    }
    return s;
  }

  private daxUse(s: State, v: VarName): void {
    const m = s.dax.get(v)!;
    if (s.pairs.get(m.cover) !== 0) return;
    const put = s.pairNotes.get(m.cover);
    const inode = splitPairKey(m.cover).on;
    this.curCall = put ? put.call.replace(/\(\)$/, '') : undefined;
    const related = [{ loc: m.note.loc, message: m.note.text }];
    if (put) related.push({ loc: put.loc, message: `inode reference on '${inode}' dropped by ${put.call} at line ${put.loc.line}` });
    this.report(s, { rule: 'dax-use-after-inode-put', message: msg.daxUseAfterInodePut(v, m.note, inode, put), related }, v);
  }

  /** Checks made at a call, before its effects: userspace waits, page-cache fills under direct I/O, writeback pins after clear_inode(). */
  private lifetimeChecks(s: State, ev: CallEvent, c: Contract): void {
    for (const e of c.effects) {
      if (e.op === 'userspace-wait') this.userspaceWait(s, ev, (c as SimContract).waitVia);
      else if (e.op === 'cache-fill') this.cacheFill(s, ev, e.arg ?? 0, e.flagsArg);
      else if (e.op === 'pair-not-after') {
        const t = ev.args[e.arg ?? 0]?.text;
        if (!t) continue;
        const key = pairKey(e.pair, t);
        if ((s.pairs.get(key) ?? 0) <= 0) continue;
        const n = s.pairNotes.get(key);
        this.report(s, { rule: e.rule, message: msg.writebackPinAfterClear(t, callText(ev.callee), n), related: n ? [{ loc: n.loc, message: n.text }] : [] }, t);
      }
    }
  }

  private userspaceWait(s: State, ev: CallEvent, via: string | undefined): void {
    this.waitsForUserspace ??= via ?? ev.callee;
    const call = callText(ev.callee);
    for (const o of s.objs.values()) {
      if (o.handedOff || o.value === 'null' || o.value === 'err') continue;
      // a private allocation is neither on the LRU nor in the page cache: migration and reclaim never look at it
      if (o.fresh && !o.inCache) continue;
      // locked by this function: by a lock call, a locking lookup, or by inserting it into the page cache
      const locked = o.locked === 'held' && (o.lockedByUs || o.inCache);
      // any reference of this function's own: a lookup's, or a folio_get() on the caller's folio
      const ref = o.refs > 0;
      if (!locked && !ref) continue;
      const name = displayName(s, o);
      const what = locked
        ? `is ${o.lockNote?.text.startsWith('locked ') ? o.lockNote.text : `locked${o.lockNote ? ` (${o.lockNote.text})` : ' by this function'}`}${ref ? ' and referenced' : ''}`
        : `is held with a reference${o.refNote ? ` ${o.refNote.text}` : ''}`;
      const note = locked ? o.lockNote : o.refNote;
      this.curCall = ev.callee;
      this.report(s, { rule: 'lock-held-across-userspace-wait', obj: o, message: msg.userspaceWait(name, call, what, via ? callText(via) : undefined), related: note ? [{ loc: note.loc, message: note.text }] : [] }, name);
    }
  }

  private cacheFill(s: State, ev: CallEvent, arg: number, flagsArg: number | undefined): void {
    if (flagsArg !== undefined && !/\bFGP_(?:CREAT|WRITEBEGIN)\b/.test(ev.args[flagsArg]?.text ?? '')) return;
    const m = ev.args[arg]?.text;
    if (!m) return;
    const defs = this.fn.defs;
    const target = canonMapping(m, defs);
    if (!target) return;
    for (const [key, n] of s.pairs) {
      const { pair, on: t } = splitPairKey(key);
      if (n <= 0 || pair !== DIO_PAIR || canonInode(t, defs) !== target) continue;
      const note = s.pairNotes.get(key);
      this.curCall = ev.callee;
      this.report(s, { rule: 'pagecache-fill-during-dio', message: msg.cacheFillDuringDio(callText(ev.callee), t, note), related: note ? [{ loc: note.loc, message: note.text }] : [] }, t);
    }
  }

  private ectx(ev: { callee: string; loc: Loc; resultUsed: boolean }, c: Contract | undefined, args: readonly Arg[], objName: () => string | undefined): EffectCtx {
    return {
      callee: ev.callee,
      loc: ev.loc,
      resultUsed: ev.resultUsed,
      reportsPrevious: !!c?.reportsPrevious,
      argTexts: args.map((a) => a.text),
      report: (s, v) => this.report(s, v, objName()),
    };
  }

  private begin(site: string, loc: Loc, note: string): void {
    this.cur = { site, loc, step: { line: loc.line, note }, reported: new Set(), violations: [] };
    this.curCall = undefined;
  }

  // ------------------------------------------------------------------ objects and variables

  /** Make room for a new object with this id: an older one still named gets the id + `'`. */
  private freeId(s: State, id: string): State {
    const old = s.objs.get(id);
    if (!old) return s;
    if (old.origin !== 'param' && namesOf(s, id).length === 0) return s;
    const older = id + "'";
    const objs = new Map(s.objs);
    const vars = new Map(s.vars);
    if (objs.has(older)) {
      objs.delete(older);
      for (const [v, b] of vars) if (isObjBinding(b) && b.obj === older) vars.delete(v);
    }
    objs.delete(id);
    objs.set(older, { ...old, id: older });
    for (const [v, b] of vars) if (isObjBinding(b) && b.obj === id) vars.set(v, { obj: older });
    return { ...s, objs, vars };
  }

  /**
   * Bind `v` to `b`, checking the object it named before: losing the last
   * name of an object that holds a reference of ours is a leak.
   */
  private rebind(s: State, v: VarName, b: Binding | undefined, how: string): State {
    const old = s.vars.get(v);
    if (isObjBinding(old) && !(b && isObjBinding(b) && b.obj === old.obj)) {
      const o = s.objs.get(old.obj);
      s = withVar(s, v, undefined);
      if (o && o.origin !== 'param' && namesOf(s, o.id).length === 0) {
        if (o.refs > 0 && o.origin === 'acquired' && !o.handedOff && !pageCacheIo(o) && !this.isPlace(v) && o.value !== 'null' && o.value !== 'err') {
          // an object a loop created: judged at the end (releasedSites)
          const site = siteOf(o.id);
          const inLoop = this.inLoop(blockOfSite(site.slice(2)));
          this.report(s, { rule: 'ref-leak', obj: o, message: msg.refLeakReassign(v.startsWith('$') ? displayName(s, o) : v, o.refNote, how), related: o.refNote ? [{ loc: o.refNote.loc, message: `reference ${o.refNote.text}` }] : [] }, v, inLoop ? site : undefined);
        }
        s = gc(s);
      }
    }
    return withVar(s, v, b);
  }

  /** Text of an expression that denotes a place in memory the function does not own: `*p`, `a[i]`, `x->f`, a global. */
  private isPlaceText(s: State, t: string): boolean {
    t = t.trim();
    if (/^\*\s*\(?\s*[A-Za-z_]/.test(t)) return true;
    if (!/^[A-Za-z_][\w]*(?:(?:->|\.)\w+|\[[^\]]*\])*$/.test(t)) return false;
    if (/^[A-Z_][A-Z0-9_]*$/.test(t)) return false; // NULL, a constant
    if (isObjBinding(s.vars.get(t))) return false;
    return t.includes('[') || this.isPlace(t);
  }

  /** The cyclic strongly connected component of each block in a loop (blocks in no loop are absent). */
  private loopOf?: Map<number, number>;

  /** Variables assigned in a block on a cycle: they name another thing on each iteration. */
  private loopAssigned?: Set<VarName>;

  /**
   * A pair is keyed by its argument's text. Text with a subscript
   * (`kmap(pages[i])`) or naming a variable a loop reassigns (`pg = pages[i];
   * kmap(pg)`) denotes different objects on different iterations: such
   * pairs are not tracked. Nor is a dereference (`kmap(*rq->in)`): it is
   * the first element of an array the function may walk with a subscript.
   */
  pairKeyTracked(text: string): boolean {
    if (text.includes('[') || text.trimStart().startsWith('*')) return false;
    if (!this.loopAssigned) {
      this.loopOf ??= cyclicSccs(this.fn);
      const la = new Set<VarName>();
      for (const b of this.fn.blocks) {
        if (!this.loopOf.has(b.id)) continue;
        for (const e of b.events) {
          if (e.kind === 'assign') la.add(e.dst);
          else if (e.kind === 'call' && e.result !== undefined) la.add(e.result);
        }
      }
      this.loopAssigned = la;
    }
    if (!this.loopAssigned.size) return true;
    for (const id of text.match(/[A-Za-z_]\w*/g) ?? []) if (this.loopAssigned.has(id)) return false;
    return true;
  }

  /** The block lies on a cycle of the CFG. */
  inLoop(a: number): boolean {
    if (Number.isNaN(a)) return false;
    this.loopOf ??= cyclicSccs(this.fn);
    return this.loopOf.has(a);
  }

  /** The scalar binding to give `v`, or undefined when `v` is not worth tracking. */
  private scalar(v: VarName, b: Binding): Binding | undefined {
    return this.relevant.has(v) || this.tracked.has(v) ? b : undefined;
  }

  /** A new object of unknown origin (treated like a parameter: a caller's reference keeps it alive). */
  private unknownObj(s: State, id: string, kind: 'folio' | 'page', what: string): Obj {
    return newObj({ id, kind, origin: 'unknown', originText: what, callerRef: true, birthN: (s.path?.n ?? 0) + 1 });
  }

  /**
   * The object an argument denotes. With `create`, a variable that names no
   * object yet (a member path, a call result) gets one of unknown origin.
   */
  private argObj(s: State, a: Arg | undefined, site: string, kind: 'folio' | 'page', create: boolean): [State, Obj | undefined] {
    if (!a || a.var === undefined || a.field !== undefined) return [s, undefined];
    const b = s.vars.get(a.var);
    if (isObjBinding(b)) return [s, s.objs.get(b.obj)];
    if (!create) return [s, undefined];
    if (b && (b.mask & ~(ZERO | ERR)) === 0) return [s, undefined]; // NULL or an error pointer
    const id = `u:${site}:${a.var}`;
    s = this.freeId(s, id);
    const o = this.unknownObj(s, id, this.tracked.get(a.var) ?? kind, `'${a.var}' (origin unknown)`);
    s = withObj(s, b && !(b.mask & ZERO) ? { ...o, value: 'valid' } : o);
    s = withVar(s, a.var, { obj: id });
    return [s, s.objs.get(id)];
  }

  // ------------------------------------------------------------------ events

  /**
   * The variable holds what a failed call returned (NULL or an error
   * pointer) and the code dereferences it: the code assumes the call cannot
   * fail here (`ASSERT(!IS_ERR(folio))`, a lookup that cannot miss), so the
   * state is infeasible by the programmer's assumption and is dropped.
   */
  private failedPointer(s: State, v: VarName | undefined): boolean {
    if (v === undefined) return false;
    const b = s.vars.get(v);
    return !!b && !isObjBinding(b) && !!b.why && !b.checked && b.mask !== 0 && (b.mask & ~(ZERO | ERR)) === 0;
  }

  private event(s: State, ev: Event, site: string): State[] {
    switch (ev.kind) {
      case 'call': {
        if (ev.result !== undefined) s = this.forgetLifetimeVar(s, ev.result);
        for (const a of ev.args) if (byAddress(a)) s = this.forgetLifetimeVar(s, a.var!);
        const out = this.call(s, ev, site);
        if (!this.opaque.size) return out;
        let killed: VarName[] | undefined;
        if (ev.result !== undefined) killed = this.opaqueKilled(ev.result);
        for (const a of ev.args) {
          if (byAddress(a)) {
            const k = this.opaqueKilled(a.var!);
            if (k) killed = [...(killed ?? []), ...k];
          }
        }
        return killed ? out.map((st) => forgetVars(st, killed!)) : out;
      }
      case 'assign': {
        const st = this.assign(this.forgetLifetimeVar(s, ev.dst), ev, site);
        const killed = this.opaqueKilled(ev.dst);
        return [killed ? forgetVars(st, killed) : st];
      }
      case 'store': {
        const o = objOfVar(s, ev.var);
        if (!o || o.value === 'null' || o.value === 'err') return [s];
        s = pushStep(s, ev.loc.line, `'${ev.var}' stored to ${ev.target}`, o.id);
        this.releasedSites.add(siteOf(o.id));
        // the structure takes over the references this function held
        const handNote: Note = { loc: ev.loc, call: ev.target, text: `its reference was stored to ${ev.target} at line ${ev.loc.line}` };
        s = updObj(s, o.id, { handedOff: true, refs: 0, storedRefs: Math.min(REF_CAP, o.storedRefs + o.refs), handNote });
        if (/^[A-Za-z_]\w*(->|\.)[A-Za-z_][\w.>-]*$/.test(ev.target) && !ev.target.includes('[')) s = withVar(s, ev.target, { obj: o.id });
        return [s];
      }
      case 'use': {
        if (s.dax.size && s.dax.has(ev.var)) this.daxUse(s, ev.var);
        if (this.failedPointer(s, ev.var)) return [];
        const o = objOfVar(s, ev.var);
        if (o) checkUse(s, o, ev.var, ev.text, { report: (st, v) => this.report(st, v, ev.var) });
        // a pointer just dereferenced is not NULL from here on (a later `if (!page)` cannot be taken)
        if (o && o.value === 'unknown') s = updObj(s, o.id, { value: 'valid' });
        return [s];
      }
    }
  }

  private assign(s: State, ev: AssignEvent, site: string): State {
    const { dst, src } = ev;
    const how = 'reassigned';
    switch (src.kind) {
      case 'var': {
        const b = s.vars.get(src.name);
        if (isObjBinding(b)) return this.rebind(s, dst, b, how);
        if (b) return this.rebind(s, dst, this.scalar(dst, b), how);
        const kind = this.tracked.get(dst);
        if (kind) {
          // `folio = ctx->folio`: both name one object of unknown origin
          const id = `u:${site}`;
          s = this.rebind(s, dst, undefined, how);
          s = this.freeId(s, id);
          s = withObj(s, { ...this.unknownObj(s, id, kind, `'${src.name}' (origin unknown)`), loadedFrom: src.name });
          s = withVar(s, src.name, { obj: id });
          return withVar(s, dst, { obj: id });
        }
        return this.rebind(s, dst, this.scalar(dst, { mask: ANY }), how);
      }
      case 'const':
        return this.rebind(s, dst, this.scalar(dst, scalarOf(src.value)), how);
      case 'errptr':
        return this.rebind(s, dst, this.scalar(dst, { mask: ERR }), how);
      case 'not': {
        const b = s.vars.get(src.name);
        let r: Binding = { mask: ZERO | POS };
        if (isObjBinding(b)) {
          const v = s.objs.get(b.obj)?.value;
          if (v === 'null') r = scalarOf(1);
          else if (v === 'valid' || v === 'err') r = scalarOf(0);
        } else if (b) {
          if (b.mask === ZERO) r = scalarOf(1);
          else if (!(b.mask & ZERO)) r = scalarOf(0);
        }
        return this.rebind(s, dst, this.scalar(dst, r), how);
      }
      case 'unknown': {
        s = this.splitPointer(s, src.text, ev.loc);
        const arith = this.tracked.has(dst) ? undefined : arithmetic(src.text, s);
        if (arith) return this.rebind(s, dst, this.scalar(dst, arith), how);
        const kind = this.tracked.get(dst);
        if (kind) {
          const id = `u:${site}`;
          s = this.rebind(s, dst, undefined, how);
          s = this.freeId(s, id);
          s = withObj(s, this.unknownObj(s, id, kind, `'${src.text}' (origin unknown)`));
          return withVar(s, dst, { obj: id });
        }
        return this.rebind(s, dst, this.scalar(dst, { mask: ANY }), how);
      }
    }
  }

  private classify(callee: string): CallClass {
    let c = this.classCache.get(callee);
    if (!c) {
      c = classifyCallee(callee, this.inp.neutral);
      this.classCache.set(callee, c);
    }
    return c;
  }

  /**
   * `pages + i`: a page pointer computed from a tracked object addresses a part
   * of it (a page of a high-order allocation split by the function): the
   * function manages the parts from here on, which the checker cannot
   * follow, so the whole is handed off.
   */
  private splitPointer(s: State, text: string, loc: Loc): State {
    const m = POINTER_ARITH.exec(text);
    // only `struct page *` / `struct folio *` arithmetic (not an address inside the mapped page)
    if (!m || !this.tracked.has(m[1])) return s;
    const o = objOfVar(s, m[1]);
    if (!o || o.handedOff || o.value === 'null' || o.value === 'err') return s;
    this.releasedSites.add(siteOf(o.id));
    s = pushStep(s, loc.line, `'${m[1]}' indexed by '${text.trim()}'`, o.id);
    return updObj(s, o.id, { handedOff: true });
  }

  private call(s: State, ev: CallEvent, site: string): State[] {
    for (const a of ev.args) if (a.var === undefined && a.text.includes('+')) s = this.splitPointer(s, a.text, ev.loc);
    const c = this.inp.contracts.get(ev.callee);
    if (c) return this.contractCall(s, ev, c, site);
    const sum = this.inp.summaries?.get(ev.callee);
    if (sum) return this.contractCall(this.invalidateMembers(s, ev), ev, summaryAsContract(sum), site, true);
    const vc = VALUE_CALLS[ev.callee];
    if (vc && ev.result !== undefined && ev.args[0]?.var !== undefined) return this.valueCall(s, ev, vc);
    const neutral = this.classify(ev.callee).neutral;
    if (neutral && ev.args.some((a) => a.field === undefined && this.failedPointer(s, a.var))) return [];
    return [this.otherCall(neutral ? s : this.invalidateMembers(s, ev), ev, site)];
  }

  /**
   * `err = PTR_ERR_OR_ZERO(folio)`, `bad = IS_ERR(folio)`: the result follows
   * the pointer's value; a pointer of unknown value splits the state.
   */
  private valueCall(s: State, ev: CallEvent, f: (v: 'valid' | 'null' | 'err') => number): State[] {
    const v = ev.args[0].var!;
    const r = ev.result!;
    const b = s.vars.get(v);
    const kinds: ['valid' | 'null' | 'err', number][] = [['valid', POS], ['null', ZERO], ['err', ERR]];
    let possible: ('valid' | 'null' | 'err')[];
    let obj: Obj | undefined;
    if (isObjBinding(b)) {
      obj = s.objs.get(b.obj);
      const val = obj?.value ?? 'unknown';
      possible = val === 'unknown' ? ['valid', 'err'] : [val];
    } else {
      const mask = b ? b.mask : ANY;
      possible = kinds.filter(([, bit]) => mask & bit || (bit === POS && mask & NEG)).map(([k]) => k);
    }
    // results that coincide need no split
    const byResult = new Map<number, ('valid' | 'null' | 'err')[]>();
    for (const p of possible) {
      const m = f(p);
      byResult.set(m, [...(byResult.get(m) ?? []), p]);
    }
    const out: State[] = [];
    for (const [m, ps] of byResult) {
      let st = s;
      if (obj && obj.value === 'unknown' && ps.length === 1) st = updObj(st, obj.id, { value: ps[0] });
      st = this.rebind(st, r, this.scalar(r, m === ZERO ? scalarOf(0) : { mask: m }), 'reassigned');
      out.push(st);
    }
    return out.length ? out : [this.rebind(s, r, this.scalar(r, { mask: ANY }), 'reassigned')];
  }

  /**
   * A structure passed to a call that has no contract (`get_target(..., &target)`,
   * `refill(ctx)`) may be refilled by it: the member paths rooted at it
   * (`target.folio`, `ctx->folio`) name fresh objects afterwards, and an
   * object held there went to the callee with the structure.
   */
  private invalidateMembers(s: State, ev: CallEvent): State {
    let roots: string[] | undefined;
    for (const a of ev.args) {
      if (a.var === undefined || a.var.charCodeAt(0) === 36 /* $ */) continue;
      (roots ??= []).push(a.field !== undefined ? `${a.var}->${a.field}` : a.var);
    }
    if (!roots) return s;
    let dead: VarName[] | undefined;
    for (const [v, b] of s.vars) {
      // (scalar members keep what the function learnt: forgetting them multiplies states for little)
      if (!isObjBinding(b)) continue;
      for (const r of roots) {
        if (v.length > r.length && v.startsWith(r) && (v.startsWith('.', r.length) || v.startsWith('->', r.length))) {
          (dead ??= []).push(v);
          break;
        }
      }
    }
    if (!dead) return s;
    for (const v of dead) {
      // an object held there (not merely loaded from there) was in the structure the callee received
      const o = objOfVar(s, v);
      if (o && o.loadedFrom !== v && !o.handedOff) {
        this.releasedSites.add(siteOf(o.id));
        s = updObj(s, o.id, { handedOff: true });
      }
      s = withVar(s, v, undefined);
    }
    return gc(s);
  }

  /**
   * `&dst_pfn` passed to a call, where the local was set once from the
   * page frame number of an object (`dst_pfn = migrate_pfn(folio_pfn(dfolio))`,
   * FunctionIR.defs): the callee receives the page as a pfn it can turn back
   * into the page (migrate_device_pages() takes arrays of them), so the
   * object is handed over like one passed by address.
   */
  private pfnHandoff(s: State, a: Arg, call: string, line: number): State {
    if (a.text.replace(/\s+/g, '') !== '&' + a.var) return s;
    const def = this.fn.defs?.[a.var!];
    const of = def !== undefined ? pfnOfText(def) : undefined;
    if (of === undefined) return s;
    const o = objOfVar(s, of);
    if (!o || o.handedOff || o.value === 'null' || o.value === 'err') return s;
    this.releasedSites.add(siteOf(o.id));
    s = pushStep(s, line, `the pfn of '${of}' (in '${a.var}') passed to ${call}, which may take it over`, o.id);
    return updObj(s, o.id, { handedOff: true, ...forget(o) });
  }

  /** A call with no contract and no summary: a neutral call, or an unknown callee. */
  private otherCall(s: State, ev: CallEvent, site: string): State {
    const cls = this.classify(ev.callee);
    const call = callText(ev.callee);
    for (const a of ev.args) {
      if (a.var === undefined) continue;
      if (!cls.neutral) s = this.pfnHandoff(s, a, call, ev.loc.line);
      const o = objOfVar(s, a.var);
      if (!o || o.value === 'null' || o.value === 'err') continue;
      if (a.field !== undefined) {
        if (cls.listHandoff) {
          this.releasedSites.add(siteOf(o.id));
          s = pushStep(s, ev.loc.line, `'${a.var}' linked by ${call}`, o.id);
          s = updObj(s, o.id, { handedOff: true });
        }
        continue;
      }
      const byAddress = a.text.replace(/\s+/g, '') === '&' + a.var;
      if (!byAddress) checkUse(s, o, a.var, `passed to ${call}`, { report: (st, v) => this.report(st, v, a.var) });
      if (cls.handoff || (byAddress && !cls.neutral)) {
        this.releasedSites.add(siteOf(o.id));
        s = pushStep(s, ev.loc.line, `'${a.var}' passed to ${call}, which may take it over`, o.id);
        s = updObj(s, o.id, { handedOff: true, ...forget(o) });
      }
      if (byAddress && !cls.neutral && this.tracked.has(a.var)) {
        // the callee may store another object into the variable
        const id = `u:${site}:${a.var}`;
        s = withVar(s, a.var, undefined);
        s = gc(s);
        s = this.freeId(s, id);
        s = withObj(s, this.unknownObj(s, id, this.tracked.get(a.var)!, `'${a.var}' set by ${call}`));
        s = withVar(s, a.var, { obj: id });
      }
    }
    if (ev.result === undefined) return s;
    const r = ev.result;
    if ((isAliasCall(ev.callee) || (isPfnCall(ev.callee) && this.isPlace(r))) && ev.args[0]) {
      const b = ev.args[0].var !== undefined ? s.vars.get(ev.args[0].var) : undefined;
      if (isObjBinding(b)) return this.rebind(s, r, b, 'reassigned');
    }
    if (cls.scalarResult !== undefined) return this.rebind(s, r, this.scalar(r, { mask: cls.scalarResult }), 'reassigned');
    const kind = this.tracked.get(r);
    if (kind) {
      const id = `u:${site}`;
      s = this.rebind(s, r, undefined, 'reassigned');
      s = this.freeId(s, id);
      s = withObj(s, this.unknownObj(s, id, kind, `${call} at line ${ev.loc.line}`));
      return withVar(s, r, { obj: id });
    }
    return this.rebind(s, r, this.scalar(r, { mask: ANY }), 'reassigned');
  }

  private contractCall(s: State, ev: CallEvent, c: Contract, site: string, isSummary = false): State[] {
    const call = callText(ev.callee);
    this.curCall = ev.callee;
    for (const e of c.effects) {
      if (!OBJ_OPS.has(e.op) || e.op === 'put' || e.op === 'handoff') continue;
      if (this.failedPointer(s, ev.args[e.arg ?? 0]?.var)) return [];
    }
    const kindHint: 'folio' | 'page' = c.api === 'page' ? 'page' : 'folio';
    // a put of NULL or an error pointer: nothing to drop
    for (const e of c.effects) {
      if (e.op !== 'put') continue;
      const a = ev.args[e.arg ?? 0];
      if (!a || a.var === undefined || a.field !== undefined) continue;
      const b = s.vars.get(a.var);
      let bad: 'null' | 'err' | 'null-or-err' | undefined;
      let why: Note | undefined;
      if (isObjBinding(b)) {
        const o = s.objs.get(b.obj);
        if (o && (o.value === 'null' || o.value === 'err')) bad = o.value;
      } else if (b && b.mask && (b.mask & ~(ZERO | ERR)) === 0 && b.why) {
        // (a NULL from an initialisation is often guarded by another variable: only a failed call is reported)
        bad = b.mask === ZERO ? 'null' : b.mask === ERR ? 'err' : 'null-or-err';
        why = b.why;
      }
      if (bad) this.report(s, { rule: 'put-unowned', message: msg.putBadPointer(a.var, call, bad, why), related: why ? [{ loc: why.loc, message: why.text }] : [] }, a.var);
    }
    // resolve the objects the effects act on
    const targets = new Map<number, Obj>();
    for (const e of c.effects) {
      if (!OBJ_OPS.has(e.op)) continue;
      const i = e.arg ?? 0;
      if (targets.has(i)) continue;
      let o: Obj | undefined;
      [s, o] = this.argObj(s, ev.args[i], site, kindHint, true);
      if (o) targets.set(i, o);
    }
    // every object passed is used, unless the call puts it (double-put is the rule then)
    for (let i = 0; i < ev.args.length; i++) {
      const a = ev.args[i];
      if (a.field !== undefined || a.var === undefined) continue;
      const o = objOfVar(s, a.var);
      const endsWb = c.effects.some((e) => e.op === 'wb-end' && (e.arg ?? 0) === i);
      if (o && !putsArg(c.effects, i)) checkUse(s, o, a.var, `passed to ${call}`, { report: (st, v) => this.report(st, v, a.var) }, endsWb);
    }
    const nameOf = (i: number): string | undefined => ev.args[i]?.var;
    const soft = (c as SimContract).softHandoff;
    const apply = (st: State): State => {
      if (soft) {
        for (const i of soft) {
          const t = targets.get(i);
          const o = t && st.objs.get(t.id);
          if (o) {
            this.releasedSites.add(siteOf(o.id));
            st = updObj(st, o.id, { handedOff: true, ...forget(o) });
          }
        }
      }
      for (const e of c.effects) {
        const i = e.arg ?? 0;
        if (e.op === 'pair-begin' || e.op === 'pair-end') {
          let keyText = e.op === 'pair-begin' && e.onResult ? ev.result ?? '' : ev.args[i]?.text ?? '';
          if (e.op === 'pair-end') keyText = this.pairEndKey(st, e.pair, keyText);
          if (!keyText || !this.pairKeyTracked(keyText)) continue;
          st = applyPairEffect(st, e, this.ectx(ev, c, ev.args, () => pairKey(e.pair, keyText)), keyText);
          continue;
        }
        if (e.op === 'dax-map') {
          st = this.daxMap(st, ev, e.outArgs);
          continue;
        }
        const t = targets.get(i);
        if (!t) continue;
        const o = st.objs.get(t.id);
        if (!o) continue;
        if (RELEASES.has(e.op)) this.releasedSites.add(siteOf(o.id));
        st = applyObjEffect(st, e, o, nameOf(i) ?? displayName(st, o), this.ectx(ev, c, ev.args, () => nameOf(i)));
      }
      return st;
    };
    this.lifetimeChecks(s, ev, c);
    const touched = targets.size > 0;
    const lifetime = c.effects.some((e) => e.op === 'pair-begin' || e.op === 'pair-end' || e.op === 'dax-map');
    const firstTarget = targets.values().next().value as Obj | undefined;
    const stepObj = targets.size === 1 ? firstTarget?.id : undefined;
    let out: State[];
    if (c.outcome) {
      out = [];
      const okRes: Binding = c.outcome === 'true' ? scalarOf(1) : scalarOf(0);
      const failRes: Binding = c.outcome === 'true' ? scalarOf(0) : { mask: NEG };
      // success: infeasible when it would lock a folio we hold, or when nothing can fail
      let okFeasible = true;
      let failFeasible = true;
      for (const e of c.effects) {
        const t = targets.get(e.arg ?? 0);
        if (!t) continue;
        if (e.op === 'lock' && t.locked === 'held') okFeasible = false;
        if (e.op === 'get' && t.refs > 0 && TRY_GET.test(ev.callee)) failFeasible = false;
      }
      // asserted to succeed by its author (`WARN_ON(!folio_trylock(folio))`): only success continues
      if (ev.asserted && okFeasible) failFeasible = false;
      if (okFeasible) {
        let ok = touched || lifetime ? pushStep(s, ev.loc.line, `${call} succeeded`, stepObj) : s;
        ok = apply(ok);
        if (PAGE_CACHE_ADD.test(ev.callee)) {
          // the folio is locked for the page cache's read protocol: whoever reads it unlocks it
          for (const e of c.effects) {
            const t = e.op === 'lock' ? targets.get(e.arg ?? 0) : undefined;
            if (t && ok.objs.has(t.id)) ok = updObj(ok, t.id, { lockedByUs: false, inCache: true });
          }
        }
        if (ev.result !== undefined) ok = this.rebind(ok, ev.result, this.scalar(ev.result, okRes), 'reassigned');
        out.push(ok);
      }
      if (failFeasible) {
        let bad = touched || lifetime ? pushStep(s, ev.loc.line, `${call} failed`, stepObj) : s;
        const failNote: Note = { loc: ev.loc, call, text: `${call} failed at line ${ev.loc.line}` };
        // the result went into an expression the checker cannot follow (`ret |= folio_lock_or_retry()`):
        // which paths failed is not known, so the failure teaches nothing
        const opaque = ev.result !== undefined && ev.result.charCodeAt(0) === 36 && !this.readTemps.has(ev.result);
        for (const e of c.effects) {
          const t = targets.get(e.arg ?? 0);
          if (!t || opaque) continue;
          const o = bad.objs.get(t.id);
          if (!o || o.value === 'null' || o.value === 'err') continue;
          if (e.op === 'lock') bad = updObj(bad, o.id, { locked: 'not-held', lockedByUs: false, lockNote: failNote });
          // a failed try_get means the refcount was zero: nothing keeps the object alive for us
          if (e.op === 'get' && o.refs === 0 && TRY_GET.test(ev.callee)) bad = updObj(bad, o.id, { callerRef: false, tryFailed: true, refNote: failNote });
        }
        if (ev.result !== undefined) bad = this.rebind(bad, ev.result, this.scalar(ev.result, failRes), 'reassigned');
        out.push(bad);
      }
    } else {
      if (touched) {
        const verb = c.effects.some((e) => e.op === 'put' && targets.has(e.arg ?? 0)) ? 'drops a reference' : '';
        s = pushStep(s, ev.loc.line, verb ? `${call} ${verb}` : call, stepObj);
      } else if (lifetime) {
        s = pushStep(s, ev.loc.line, call);
      }
      s = apply(s);
      out = [s];
    }
    if (c.returns) out = out.flatMap((st) => this.returnsObject(st, ev, c.returns!, site, isSummary));
    else if (!c.outcome && ev.result !== undefined) {
      const r = ev.result;
      out = out.map((st) => {
        const b = isAliasCall(ev.callee) && ev.args[0]?.var !== undefined ? st.vars.get(ev.args[0].var) : undefined;
        return this.rebind(st, r, isObjBinding(b) ? b : this.scalar(r, { mask: ANY }), 'reassigned');
      });
    }
    return out;
  }

  /** A lookup or allocation: split into success (a new object) and failure (NULL / error pointer). */
  private returnsObject(s: State, ev: CallEvent, r: ReturnsObject, site: string, isSummary: boolean): State[] {
    const call = callText(ev.callee);
    const out: State[] = [];
    const line = ev.loc.line;
    let locked: LockState;
    if (r.locked === 'flags') {
      const t = r.flagsArg !== undefined ? ev.args[r.flagsArg]?.text : undefined;
      locked = t === undefined ? 'unknown' : fgpLocked(t);
    } else locked = r.locked ? 'held' : 'not-held';
    const fresh = !isSummary && /alloc/.test(ev.callee);
    // a lookup that does not lock it says nothing of who holds the lock (this function's caller may):
    // only a fresh allocation is known to be unlocked
    if (locked === 'not-held' && !fresh) locked = 'unknown';
    // success
    {
      let ok = pushStep(s, line, r.ref ? `reference taken by ${call}` : `${call} returns a ${r.kind}`, `c:${site}`);
      const id = `c:${site}`;
      if (ev.result !== undefined) ok = this.rebind(ok, ev.result, undefined, 'reassigned');
      ok = this.freeId(ok, id);
      const origin = `${call} at line ${line}`;
      const refNote: Note = { loc: ev.loc, call, text: `taken by ${call} at line ${line}` };
      const lockNote: Note | undefined =
        locked === 'held' ? { loc: ev.loc, call, text: `locked by ${call} at line ${line}` }
          : locked === 'not-held' ? { loc: ev.loc, call, text: `${call} at line ${line} returns it unlocked` } : undefined;
      const o = newObj({
        // a lookup that returns no reference: nothing this function knows of keeps the object alive
        id, kind: r.kind, origin: 'acquired', originText: origin, birthN: ok.path!.n,
        refs: r.ref ? 1 : 0, everOwned: r.ref, callerRef: false, value: 'valid', locked, lockedByUs: locked === 'held',
        refNote: r.ref ? refNote : undefined, lockNote, fresh,
        ...(fresh ? { writeback: 'clear', dirty: 'clear', uptodate: 'clear', private: 'clear', private2: 'clear' } as const : {}),
      });
      ok = withObj(ok, o);
      if (ev.result !== undefined) ok = withVar(ok, ev.result, { obj: id });
      else if (r.ref) {
        this.report(ok, { rule: 'ref-leak', obj: o, message: msg.refLeakDiscarded(call), related: [] }, `${call}`);
        ok = gc(ok);
      } else ok = gc(ok);
      out.push(ok);
    }
    const fails: ('null' | 'err')[] = r.fail === 'never' ? [] : r.fail === 'null-or-err' ? ['null', 'err'] : [r.fail];
    for (const f of fails) {
      let bad = pushStep(s, line, `${call} failed (${f === 'null' ? 'NULL' : 'error pointer'})`, `c:${site}`);
      const why: Note = { loc: ev.loc, call, text: `${call} failed at line ${line}` };
      if (ev.result !== undefined) bad = this.rebind(bad, ev.result, this.scalar(ev.result, f === 'null' ? { mask: ZERO, c: 0, why } : { mask: ERR, why }), 'reassigned');
      out.push(bad);
    }
    return out;
  }

  // ------------------------------------------------------------------ conditions

  /** The states in which the condition is true and false (undefined when infeasible). */
  private cond(s: State, c: Cond, text?: string): [State | undefined, State | undefined] {
    if (c.kind === 'unknown') {
      // `folio != folio0`: two variables naming one tracked object (or two)
      const m = text !== undefined ? /^\(?\s*([A-Za-z_$][\w$]*(?:->\w+)*)\s*(==|!=)\s*([A-Za-z_$][\w$]*(?:->\w+)*)\s*\)?$/.exec(text.trim()) : null;
      if (m) {
        const a = s.vars.get(m[1]);
        const b = s.vars.get(m[3]);
        if (isObjBinding(a) && isObjBinding(b)) {
          const same = a.obj === b.obj;
          return same === (m[2] === '==') ? [s, undefined] : [undefined, s];
        }
      }
      // `folio != *arrays`, `page == ctx->pinned`: where equal, the object is the one held in that place
      const p = text !== undefined ? /^\(?\s*(.+?)\s*(==|!=)\s*(.+?)\s*\)?$/.exec(text.trim()) : null;
      if (p) {
        for (const [v, place] of [[p[1], p[3]], [p[3], p[1]]]) {
          const o = /^[A-Za-z_$][\w$]*(?:->\w+)*$/.test(v) ? objOfVar(s, v) : undefined;
          if (!o || o.handedOff || !this.isPlaceText(s, place)) continue;
          const held = updObj(s, o.id, { handedOff: true });
          this.releasedSites.add(siteOf(o.id));
          return p[2] === '==' ? [held, s] : [s, held];
        }
      }
      const k = this.opaque.size && text !== undefined ? opaqueKey(text) : undefined;
      const op = k ? this.opaque.get(k.key) : undefined;
      if (k && op) {
        // the outcome of the same test earlier on this path (the canonical text is true: POS, false: ZERO)
        const b = s.vars.get(op.pv);
        if (b && !isObjBinding(b)) {
          const truth = b.mask === POS;
          return truth !== k.neg ? [s, undefined] : [undefined, s];
        }
        const yes = withVar(s, op.pv, { mask: k.neg ? ZERO : POS });
        const no = withVar(s, op.pv, { mask: k.neg ? POS : ZERO });
        return [yes, no];
      }
      return [s, s];
    }
    const b = s.vars.get(c.var);
    if (isObjBinding(b)) {
      const o = s.objs.get(b.obj);
      if (!o) return [s, s];
      const v = o.value;
      const set = (val: typeof v): State => (val === v ? s : updObj(s, o.id, { value: val }));
      let kind = c.kind;
      let negate = false;
      if (c.kind === 'cmp') {
        if (c.value !== 0 || (c.op !== '==' && c.op !== '!=')) return [s, s];
        kind = 'truthy';
        negate = c.op === '==';
      }
      let r: [State | undefined, State | undefined];
      switch (kind) {
        case 'truthy':
          r = [v === 'null' ? undefined : set(v === 'unknown' ? 'valid' : v), v === 'null' || v === 'unknown' ? set('null') : undefined];
          break;
        case 'iserr':
          r = [v === 'err' || v === 'unknown' ? set('err') : undefined, v === 'err' ? undefined : s];
          break;
        default: // iserr-or-null
          r = [v === 'valid' ? undefined : set(v === 'unknown' ? 'null' : v), v === 'valid' || v === 'unknown' ? set('valid') : undefined];
          break;
      }
      return negate ? [r[1], r[0]] : r;
    }
    const sb = b ?? { mask: ANY };
    const [tm, fm, tc, fc] = condMasks(c, sb.mask, sb.c);
    const mk = (mask: number, cst: number | undefined): State | undefined => {
      if (!mask) return undefined;
      if (mask === sb.mask && cst === sb.c && (!sb.why || sb.checked)) return s;
      const nb: Binding = { mask, ...(cst !== undefined ? { c: cst } : {}), ...(sb.why ? { why: sb.why, checked: true } : {}) };
      return withVar(s, c.var, this.scalar(c.var, nb));
    };
    return [mk(tm, tc), mk(fm, fc)];
  }

  // ------------------------------------------------------------------ returns

  private ret(s: State, t: Extract<Terminator, { kind: 'return' }>): void {
    s = pushStep(s, t.loc.line, 'returns');
    const rv: ReturnValue | undefined = t.value;
    const retB = rv?.var !== undefined ? s.vars.get(rv.var) : undefined;
    const retId = isObjBinding(retB) ? retB.obj : undefined;
    // cleanups, innermost first
    for (const cl of t.cleanups) {
      if (rv?.var !== undefined && rv.var === cl.var) continue; // return_ptr / no_free_ptr
      const b = s.vars.get(cl.var);
      if (!isObjBinding(b)) continue;
      const o = s.objs.get(b.obj);
      if (!o || o.value === 'null' || o.value === 'err') continue;
      const c = this.contractFor(cl.fn);
      if (!c) {
        s = updObj(s, o.id, { handedOff: true });
        continue;
      }
      this.curCall = cl.fn;
      this.releasedSites.add(siteOf(o.id));
      const ev = { callee: cl.fn, loc: t.loc, resultUsed: false };
      const arg: Arg = { text: cl.var, var: cl.var };
      for (const e of c.effects) {
        if (!OBJ_OPS.has(e.op) || (e.arg ?? 0) !== 0) continue;
        const cur = s.objs.get(o.id);
        if (!cur) break;
        s = applyObjEffect(s, e, cur, cl.var, this.ectx(ev, c, [arg], () => cl.var));
      }
    }
    this.curCall = undefined;
    // leaks
    const handsOn = this.returnsOtherPointer(rv, retB);
    for (const o of s.objs.values()) {
      const stored = o.handedOff || namesOf(s, o.id).some((n) => this.isPlace(n) && n !== o.loadedFrom);
      if (o.private2 === 'set' && o.p2ByUs && (stored || o.id === retId)) this.p2HandedOff.add(o.id);
      if (stored || o.id === retId) this.releasedSites.add(siteOf(o.id));
      if (o.id === retId || o.value === 'null' || o.value === 'err' || stored || pageCacheIo(o)) continue;
      const name = displayName(s, o);
      // references taken on a borrowed object (a parameter, an object of unknown origin) are
      // usually recorded where the tool cannot see (page tables, pipes, rmap, private lists)
      if (o.refs > 0 && o.origin === 'acquired' && !handsOn) {
        this.curCall = o.refNote ? o.refNote.call.replace(/\(\)$/, '') : undefined;
        // an object a loop created, and the function never drops any of that loop's: pinned on purpose
        const site = siteOf(o.id);
        const pinned = this.inLoop(blockOfSite(site.slice(2)));
        this.report(s, { rule: 'ref-leak', obj: o, message: msg.refLeakReturn(name, o.refNote), related: o.refNote ? [{ loc: o.refNote.loc, message: `reference ${o.refNote.text}` }] : [] }, name, pinned ? site : undefined);
      }
      if (o.locked === 'held' && o.lockedByUs && o.origin === 'acquired' && !handsOn) {
        this.curCall = o.lockNote ? o.lockNote.call.replace(/\(\)$/, '') : undefined;
        this.report(s, { rule: 'lock-leak', obj: o, message: msg.lockLeak(name, o.lockNote, false), related: o.lockNote ? [{ loc: o.lockNote.loc, message: o.lockNote.text }] : [] }, name);
      }
      if (o.private2 === 'set' && o.p2ByUs && o.p2Ref) {
        this.curCall = o.p2Note ? o.p2Note.call.replace(/\(\)$/, '') : undefined;
        this.report(s, { rule: 'private2-leak', obj: o, message: msg.private2Leak(name, o.p2Note), related: o.p2Note ? [{ loc: o.p2Note.loc, message: o.p2Note.text }] : [] }, name);
      }
    }
    const success = this.successLike(s, rv, retB);
    for (const [key, n] of s.pairs) {
      const { pair } = splitPairKey(key);
      // ended here by this function before returning its I/O's own result: it ends this pair itself
      if (n === 0 && pairKind(pair).async && this.ioResult(rv, retB)) this.syncEnded.add(pair);
      if (n <= 0 || success) continue;
      if (!this.pairEnds.has(pair)) continue;
      const kind = pairKind(pair);
      const rule = kind.rule;
      if (!rule) continue;
      const note = s.pairNotes.get(key);
      this.curCall = note ? note.call.replace(/\(\)$/, '') : undefined;
      const message = rule === 'cookie-use-unbalanced' ? msg.cookieOpen(key, note?.call ?? 'fscache_use_cookie()', note?.loc.line) : msg.pairOpen(key, note?.call ?? 'a begin call', note?.loc.line);
      // an asynchronously ended pair open at any return (even a failure: the I/O may have been submitted and
      // its completion fails it) stands only where the function shows it ends the pair itself (syncEnded)
      this.report(s, { rule, message, related: note ? [{ loc: note.loc, message: note.text }] : [] }, key, undefined, kind.async ? pair : undefined);
    }
    this.curCall = undefined;
    if (this.inp.collectReturns) {
      let value: ReturnRecord['value'] = 'none';
      let obj: Obj | undefined;
      if (retId) {
        obj = s.objs.get(retId);
        value = obj?.value === 'null' ? 'null' : obj?.value === 'err' ? 'err' : 'obj';
      } else if (rv) {
        if (rv.errptr) value = 'err';
        else if (rv.const !== undefined) value = rv.const === 0 ? 'null' : 'other';
        else if (retB && !isObjBinding(retB)) value = retB.mask === ZERO ? 'null' : retB.mask === ERR ? 'err' : retB.mask === (ZERO | ERR) ? 'other' : 'other';
        else value = 'other';
      }
      const params = new Map<VarName, Obj>();
      for (const p of this.fn.params) {
        const o = s.objs.get('p:' + p.name);
        if (o) params.set(p.name, o);
      }
      this.returns.push({ obj, value, params, pairs: new Map(s.pairs) });
    }
    this.endPath(s, 'return');
  }

  /**
   * The function returns what its own I/O came to: not a known error (an
   * error pointer, a negative constant or value, `err < 0 ? err : -EIO`),
   * not a value known non-zero after `if (ret)`, and not a known 0 in a
   * function that can also queue its I/O (-EIOCBQUEUED), where 0 means
   * "nothing was submitted".
   */
  private ioResult(rv: ReturnValue | undefined, retB: Binding | undefined): boolean {
    if (!rv || rv.errptr) return false;
    const b = retB && !isObjBinding(retB) ? retB : undefined;
    const c = rv.const ?? b?.c;
    if (c !== undefined) return c >= 0 && !this.queuesIo;
    if (b) return (b.mask & ZERO) !== 0 && (b.mask & (NEG | POS)) !== 0;
    // text the extraction did not evaluate
    return !ERROR_TEXT.test(rv.text.replace(/\s+/g, ''));
  }

  /** the function can return -EIOCBQUEUED: its I/O may complete after it returns */
  private get queuesIo(): boolean {
    if (this._queuesIo === undefined) {
      let q = false;
      for (const b of this.fn.blocks) {
        for (const e of b.events) if (e.kind === 'assign' && e.src.kind === 'const' && e.src.value === -EIOCBQUEUED) q = true;
        if (b.term.kind === 'return' && (b.term.value?.const === -EIOCBQUEUED || /EIOCBQUEUED/.test(b.term.value?.text ?? ''))) q = true;
      }
      this._queuesIo = q;
    }
    return this._queuesIo;
  }
  private _queuesIo?: boolean;

  /** pairs of an asynchronously ended family that this function ends itself before returning its I/O's result */
  readonly syncEnded = new Set<string>();

  /**
   * A return that looks like success: 0 or a non-negative value, a valid
   * object, or (in a function returning a pointer) anything but NULL or an
   * error pointer. Begin helpers (start a transaction, take write access)
   * return success with the pair left open for the caller, so an open pair
   * is reported only at the other returns.
   */
  private successLike(s: State, rv: ReturnValue | undefined, retB: Binding | undefined): boolean {
    if (!rv) return false;
    if (rv.errptr) return false;
    if (rv.const !== undefined) return rv.const > 0 || (rv.const === 0 && !this.returnsPointer);
    if (isObjBinding(retB)) {
      const v = s.objs.get(retB.obj)?.value;
      return v === 'valid' || v === 'unknown';
    }
    const ptr = this.returnsPointer;
    if (retB && (retB.mask & ~(ZERO | POS)) === 0) return !ptr || (retB.mask & ZERO) === 0;
    if (retB && (retB.mask & (ZERO | ERR)) === retB.mask) return false;
    if (retB && retB.mask === NEG) return false;
    return ptr;
  }

  /** The function returns a pointer, as its declaration says. */
  get returnsPointer(): boolean {
    if (this._returnsPointer === undefined) {
      const r = this.fn.returns;
      this._returnsPointer = this.fn.returnsPointer ?? (r === 'other' || r === 'folio' || r === 'page');
    }
    return this._returnsPointer;
  }
  private _returnsPointer?: boolean;

  /**
   * A return of a pointer that may be valid and is not a tracked object
   * (`return bh;` after `bh = folio_buffers(folio)`, `return &ctx->x;`) in a
   * function returning a pointer: the structure returned may hold the
   * objects live here, so they are handed to the caller.
   */
  private returnsOtherPointer(rv: ReturnValue | undefined, retB: Binding | undefined): boolean {
    if (!rv || !this.returnsPointer) return false;
    if (rv.errptr || rv.const !== undefined) return false;
    if (isObjBinding(retB)) return false;
    if (retB && (retB.mask & ~(ZERO | ERR)) === 0) return false;
    return true;
  }

  // ------------------------------------------------------------------ trace

  private traceStep(s: State, line: number, text: string): State {
    const step: TraceStep = {
      line,
      text,
      objects: snapshot(s),
      pairs: [...s.pairs].map(([key, open]) => {
        const k = pairKind(splitPairKey(key).pair);
        return { key, open, label: k.label, ...(k.short ? { short: k.short } : {}) };
      }),
      ...(s.dax.size ? { dax: [...s.dax].map(([name, m]) => ({ name, cover: m.cover, covered: (s.pairs.get(m.cover) ?? 0) > 0 })) } : {}),
      violations: this.cur?.violations ?? [],
    };
    return { ...s, trace: { prev: s.trace, step } };
  }

  private endPath(s: State, end: TracePath['end']): void {
    if (!this.trace) return;
    if (this.tracePaths.length >= MAX_TRACE_PATHS) return;
    const steps: TraceStep[] = [];
    for (let t: TraceNode | null = s.trace; t; t = t.prev) steps.push(t.step);
    steps.reverse();
    this.tracePaths.push({ steps, end });
  }

  // ------------------------------------------------------------------ exploration

  initialState(): State {
    const s = emptyState();
    // the state is not shared yet: fill its maps directly (withObj and
    // withVar copy them, quadratic in the parameters; fuzzing found 2 s
    // spent here, before the budget is looked at, for 5,000 of them)
    const objs = new Map(s.objs);
    const vars = new Map(s.vars);
    for (const p of this.fn.params) {
      const kind = this.tracked.get(p.name);
      if (!kind || p.out) continue;
      let held = false;
      for (const a of this.fn.annotations) {
        if ((a.kind === 'must_hold' || a.kind === 'releases') && (a.param === p.name || a.text === p.name)) held = true;
      }
      const entryLocked: LockState = held ? 'held' : 'unknown';
      const o = newObj({
        id: 'p:' + p.name, kind, origin: 'param', originText: 'parameter', birthN: 0, callerRef: true,
        locked: entryLocked, entryLocked,
        lockNote: held ? { loc: this.fn.nameLoc, call: '', text: `held at entry (annotation)` } : undefined,
      });
      objs.set(o.id, o);
      vars.set(p.name, { obj: o.id });
    }
    return { ...s, objs, vars };
  }

  run(): EngineResult {
    const t0 = this.t0;
    const fn = this.fn;
    const byId = new Map<number, Block>();
    for (const b of fn.blocks) byId.set(b.id, b);
    const seen = new Map<number, Set<string>>();
    const queue: [number, State][] = [[fn.entry, this.initialState()]];
    let head = 0;
    const maxStates = this.budget.maxStates;
    const maxMillis = this.budget.maxMillis;
    let blockSteps = 0;
    let nextClock = BLOCK_CLOCK_EVERY;
    while (head < queue.length) {
      const [bid, sIn] = queue[head++];
      if (head > 4096 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
      const block = byId.get(bid);
      if (!block) continue;
      const live = this.liveIn.get(bid);
      const s0 = pruneScalars(sIn, (v) => this.tracked.has(v) || !!live?.has(v));
      const key = stateKey(s0);
      let set = seen.get(bid);
      if (!set) seen.set(bid, (set = new Set()));
      if (set.has(key)) {
        this.merged++;
        continue;
      }
      set.add(key);
      this.states++;
      if (this.states > maxStates) {
        this.incomplete = `more than ${maxStates} states`;
        break;
      }
      if (this.states % CLOCK_EVERY === 0 && Date.now() - t0 > maxMillis) {
        this.incomplete = `more than ${maxMillis} ms`;
        break;
      }
      let states = [s0];
      for (let i = 0; i < block.events.length; i++) {
        const ev = block.events[i];
        const site = `${bid}.${i}`;
        this.reach.set(site, (this.reach.get(site) ?? 0) + states.length);
        const next: State[] = [];
        for (const s of states) {
          this.begin(site, ev.loc, eventNote(ev));
          const outs = this.event(s, ev, site);
          if (this.trace) for (const o of outs) next.push(this.traceStep(o, ev.loc.line, eventText(ev)));
          else for (const o of outs) next.push(o);
          if (++blockSteps >= nextClock) {
            nextClock = blockSteps + BLOCK_CLOCK_EVERY;
            if (Date.now() - t0 > maxMillis) {
              this.incomplete = `more than ${maxMillis} ms`;
              break;
            }
          }
        }
        if (this.incomplete) break;
        states = next;
        // The budget holds inside a block too: a long block whose calls each
        // fork the state (found by fuzzing: a half-typed line that turns a
        // loop body into one statement) multiplies its states with every
        // event, and a block with thousands of events takes long per state.
        if (states.length > maxStates) {
          this.incomplete = `more than ${maxStates} states`;
          break;
        }
      }
      if (this.incomplete) break;
      const t = block.term;
      const tsite = `${bid}.T`;
      this.reach.set(tsite, (this.reach.get(tsite) ?? 0) + states.length);
      for (const s of states) this.terminate(s, t, tsite, queue);
    }
    if (this.incomplete && this.trace) {
      for (let i = head; i < queue.length && this.tracePaths.length < MAX_TRACE_PATHS; i++) this.endPath(queue[i][1], 'incomplete');
    }
    const findings: Finding[] = [];
    for (const e of this.found.values()) {
      if (e.finding.rule === 'private2-leak' && !this.endsPrivate2 && !(e.objId && this.p2HandedOff.has(e.objId))) continue;
      if (e.lostSites && ![...e.lostSites].some((x) => this.releasedSites.has(x))) continue;
      if (e.asyncPair !== undefined && !this.syncEnded.has(e.asyncPair)) continue;
      const reach = this.reach.get(e.site) ?? 0;
      e.finding.severity = !this.incomplete && e.count >= reach && !WARNING_ONLY.has(e.finding.rule) ? 'error' : 'warning';
      findings.push(e.finding);
    }
    if (this.incomplete) {
      findings.push({
        rule: 'analysis-incomplete',
        severity: 'info',
        message: msg.incomplete(fn.name, this.incomplete),
        function: fn.name,
        loc: fn.nameLoc,
        path: [],
        related: [],
      });
    }
    findings.sort((a, b) => a.loc.line - b.loc.line || a.loc.column - b.loc.column || a.rule.localeCompare(b.rule));
    const millis = Date.now() - t0;
    const res: EngineResult = {
      findings,
      stats: { states: this.states, millis, ...(this.incomplete ? { incomplete: this.incomplete } : {}) },
      returns: this.returns,
      ...(this.waitsForUserspace ? { waitsForUserspace: this.waitsForUserspace } : {}),
    };
    if (this.trace) {
      const trace: Trace = { function: fn.name, paths: this.tracePaths, merged: this.merged };
      res.trace = trace;
    }
    return res;
  }

  /** Forget what variables named by a loop macro's arguments (and their members) held. */
  private resetVars(s: State, ids: string[]): State {
    for (const v of [...s.vars.keys()]) {
      if (ids.some((id) => v === id || v.startsWith(id + '.') || v.startsWith(id + '->'))) s = this.rebind(s, v, undefined, 'moved on by the loop');
    }
    return s;
  }

  private terminate(s: State, t: Terminator, site: string, queue: [number, State][]): void {
    switch (t.kind) {
      case 'goto':
        queue.push([t.target, s]);
        return;
      case 'branch': {
        this.begin(site, t.loc, t.text);
        let [ts, fs] = this.cond(s, t.cond, t.text);
        const it = t.cond.kind === 'unknown' ? iteratorArgs(t.text) : undefined;
        if (it) {
          // a loop macro (bio_for_each_folio_all(fi, bio), xas_for_each(&xas, folio, max)) sets its cursor variables
          if (ts) ts = this.resetVars(ts, it);
          if (fs) fs = this.resetVars(fs, it);
        }
        if (ts) {
          let x = pushStep(ts, t.loc.line, `'${t.text}' is true`);
          if (this.trace) x = this.traceStep(x, t.loc.line, `if (${t.text}): true`);
          queue.push([t.then, x]);
        }
        if (fs) {
          let x = pushStep(fs, t.loc.line, `'${t.text}' is false`);
          if (this.trace) x = this.traceStep(x, t.loc.line, `if (${t.text}): false`);
          queue.push([t.else, x]);
        }
        return;
      }
      case 'switch':
        for (const target of t.targets) {
          let x = pushStep(s, t.loc.line, `switch (${t.text})`);
          if (this.trace) x = this.traceStep(x, t.loc.line, `switch (${t.text}) → block ${target}`);
          queue.push([target, x]);
        }
        return;
      case 'return': {
        this.begin(site, t.loc, 'returns');
        let x = s;
        if (this.trace) x = this.traceStep(x, t.loc.line, `return${t.value ? ' ' + t.value.text : ''}`);
        this.ret(x, t);
        // the violations found at the return belong on its trace step
        return;
      }
      case 'noreturn':
        this.endPath(this.trace ? this.traceStep(s, t.loc.line, 'does not return') : s, 'noreturn');
        return;
    }
  }
}

function eventNote(ev: Event): string {
  switch (ev.kind) {
    case 'call':
      return `${ev.callee}()`;
    case 'assign':
      return `'${ev.dst}' assigned`;
    case 'store':
      return `'${ev.var}' stored to ${ev.target}`;
    case 'use':
      return ev.text;
  }
}

function eventText(ev: Event): string {
  switch (ev.kind) {
    case 'call':
      return `${ev.result !== undefined && !ev.result.startsWith('$') ? ev.result + ' = ' : ''}${ev.callee}(${ev.args.map((a) => a.text).join(', ')})`;
    case 'assign': {
      const s = ev.src;
      const rhs = s.kind === 'var' ? s.name : s.kind === 'const' ? String(s.value) : s.kind === 'errptr' ? 'ERR_PTR(...)' : s.kind === 'not' ? '!' + s.name : s.text;
      return `${ev.dst} = ${rhs}`;
    }
    case 'store':
      return `${ev.target} = ${ev.var}`;
    case 'use':
      return ev.text;
  }
}

/**
 * What a callee that may take the object over (or that does something on
 * some paths only) leaves unknown: it may lock or unlock it (read_folio-style
 * helpers unlock when the I/O completes; lock_folio_maybe_drop_mmap() locks
 * on success), start or end writeback or PG_private_2.
 */
function forget(o: Obj): Partial<Obj> {
  return {
    locked: o.locked === 'not-held' && o.entryLocked === 'not-held' ? o.locked : 'unknown',
    lockedByUs: false,
    writeback: 'unknown',
    private2: 'unknown',
  };
}

/**
 * Inserted into the page cache by this function and still locked (or maybe
 * locked): the folio waits for the read that unlocks it, and the reference
 * is the readahead's to drop (readahead_folio()): neither leaks here.
 */
function pageCacheIo(o: Obj): boolean {
  return o.inCache && o.locked !== 'not-held';
}

/** Constants are followed up to this magnitude through `x++`, `x - 1`, ...; beyond, only the sign (counters would multiply states). */
const CONST_CAP = 1;

/** `n--`, `++i`, `n - 1`, `i + 2` on a scalar of known value or sign. */
export function arithmetic(text: string, s: State): Binding | undefined {
  const t = text.replace(/\s+/g, '');
  let m = /^([A-Za-z_]\w*)(\+\+|--)$/.exec(t) ?? /^(\+\+|--)([A-Za-z_]\w*)$/.exec(t);
  let v: string;
  let d: number;
  if (m) {
    const post = m[2] === '++' || m[2] === '--';
    v = post ? m[1] : m[2];
    d = (post ? m[2] : m[1]) === '++' ? 1 : -1;
  } else {
    m = /^([A-Za-z_]\w*)([+-])(\d+)$/.exec(t);
    if (!m) return undefined;
    v = m[1];
    d = (m[2] === '+' ? 1 : -1) * Number(m[3]);
  }
  const b = s.vars.get(v);
  if (!b || isObjBinding(b) || b.mask & ERR) return undefined;
  if (b.c !== undefined) {
    const c = b.c + d;
    if (Math.abs(c) <= CONST_CAP) return scalarOf(c);
    return { mask: c < 0 ? NEG : POS };
  }
  // signs: from x >= 1, x - 1 >= 0; from x >= 0, x + 1 >= 1 (and the mirror images)
  let mask = 0;
  if (b.mask & POS) mask |= d > 0 ? POS : d === -1 ? ZERO | POS : ANY & ~ERR;
  if (b.mask & ZERO) mask |= d > 0 ? POS : NEG;
  if (b.mask & NEG) mask |= d < 0 ? NEG : d === 1 ? NEG | ZERO : ANY & ~ERR;
  return { mask };
}

/**
 * A member path (`ctx->folio`, `fbatch.folios`, `pages[i]`) names a place in
 * a structure: an object named by one at a return has been stored there.
 */
export function isMemberPath(v: VarName): boolean {
  return v.includes('->') || v.includes('.') || v.includes('[');
}

const ITERATOR = /^\s*([A-Za-z_]\w*(?:for_each|foreach)\w*)\s*\((.*)\)\s*$/;

/** The identifiers a loop macro's arguments name: `bio_for_each_folio_all(fi, bio)` gives fi, bio. */
export function iteratorArgs(text: string): string[] | undefined {
  const m = ITERATOR.exec(text);
  if (!m) return undefined;
  const ids: string[] = [];
  for (const a of m[2].split(',')) {
    const id = /^\s*&?\s*([A-Za-z_]\w*)\s*$/.exec(a);
    if (id) ids.push(id[1]);
  }
  return ids;
}

/** Calls whose result is a function of a pointer's value: the result mask for valid / NULL / error pointers. */
const VALUE_CALLS: Record<string, (v: 'valid' | 'null' | 'err') => number> = {
  PTR_ERR_OR_ZERO: (v) => (v === 'err' ? NEG : ZERO),
  IS_ERR: (v) => (v === 'err' ? POS : ZERO),
  IS_ERR_OR_NULL: (v) => (v === 'valid' ? ZERO : POS),
};

/** `base + k`, `base - k` (not `base += k`, `base++`). */
const POINTER_ARITH = /^\s*\(?\s*([A-Za-z_]\w*)\s*[-+](?![-+=>])\s*\S/;

/**
 * The canonical form of an opaque condition: whitespace and outer
 * parentheses dropped, `a != b` as `a == b` negated. Undefined for text
 * that calls something or is a loop macro.
 */
export function opaqueKey(text: string): { key: string; neg: boolean } | undefined {
  if (/[A-Za-z_]\w*\s*\(/.test(text)) return undefined;
  let t = text.replace(/\s+/g, '');
  while (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1))) t = t.slice(1, -1);
  if (!t || t.replace(/[=!<>]=/g, '').includes('=') || t.includes('++') || t.includes('--')) return undefined;
  const m = /^([^=!]+)(==|!=)([^=!]+)$/.exec(t);
  if (m) return { key: `${m[1]}==${m[3]}`, neg: m[2] === '!=' };
  return { key: t, neg: false };
}

function balanced(t: string): boolean {
  let d = 0;
  for (const ch of t) {
    if (ch === '(') d++;
    else if (ch === ')' && --d < 0) return false;
  }
  return d === 0;
}

/** `&x`: the variable itself passed by address (the callee may assign it). */
function byAddress(a: Arg): boolean {
  return a.var !== undefined && a.field === undefined && a.text.replace(/\s+/g, '') === '&' + a.var;
}

/** Drop these variables' bindings. */
function forgetVars(s: State, vs: readonly VarName[]): State {
  for (const v of vs) s = withVar(s, v, undefined);
  return s;
}

/** Calls whose failure means the refcount was zero. */
const TRY_GET = /try_get|get_unless_zero|get_page_unless_zero/;
/** Adding to the page cache locks the folio for the read that follows. */
const PAGE_CACHE_ADD = /^(__)?filemap_add_folio$|^add_to_page_cache/;

/** FGP_ flags that do not lock (include/linux/pagemap.h, 6.1 and 6.12). */
const FGP_NOLOCK = new Set(['FGP_ACCESSED', 'FGP_CREAT', 'FGP_WRITE', 'FGP_NOFS', 'FGP_NOWAIT', 'FGP_FOR_MMAP', 'FGP_STABLE', 'FGP_HEAD', 'FGP_ENTRY']);

/** Whether a lookup with these FGP flags returns the folio locked: FGP_LOCK or FGP_WRITEBEGIN (which includes it). */
export function fgpLocked(text: string): LockState {
  if (/\bFGP_(LOCK|WRITEBEGIN)\b/.test(text)) return 'held';
  const ids = text.match(/[A-Za-z_]\w*/g) ?? [];
  return ids.every((id) => FGP_NOLOCK.has(id)) ? 'not-held' : 'unknown';
}

// ------------------------------------------------------------------ scalar conditions

const RANGES: [number, number, number][] = [
  [NEG, -Infinity, -1],
  [ZERO, 0, 0],
  [POS, 1, Infinity],
];

function cmpHolds(op: string, x: number, v: number): boolean {
  switch (op) {
    case '<': return x < v;
    case '<=': return x <= v;
    case '>': return x > v;
    case '>=': return x >= v;
    case '==': return x === v;
    default: return x !== v;
  }
}

/** Can `x op v` be true (and false) for some x in [lo, hi]? */
function rangeCan(op: string, lo: number, hi: number, v: number): [boolean, boolean] {
  switch (op) {
    case '<': return [lo < v, hi >= v];
    case '<=': return [lo <= v, hi > v];
    case '>': return [hi > v, lo <= v];
    case '>=': return [hi >= v, lo < v];
    case '==': return [lo <= v && v <= hi, !(lo === v && hi === v)];
    default: return [!(lo === v && hi === v), lo <= v && v <= hi];
  }
}

/** [true mask, false mask, true const, false const] for a scalar condition. */
export function condMasks(c: Exclude<Cond, { kind: 'unknown' }>, mask: number, cst: number | undefined): [number, number, number | undefined, number | undefined] {
  switch (c.kind) {
    case 'truthy':
      return [mask & NONZERO, mask & ZERO, cst !== undefined && cst !== 0 ? cst : undefined, 0];
    case 'iserr':
      return [mask & ERR, mask & ~ERR, undefined, cst];
    case 'iserr-or-null':
      return [mask & (ERR | ZERO), mask & (NEG | POS), mask & ZERO && !(mask & ERR) ? 0 : undefined, cst];
    case 'cmp': {
      let t = 0;
      let f = 0;
      if (mask & ERR) {
        // an error pointer compared as a number: it is non-zero and no small constant
        if (c.op === '==' || c.op === '!=') {
          if (c.op === '==') f |= ERR;
          else t |= ERR;
        } else if (c.value >= 0 && (c.op === '<' || c.op === '<=')) {
          // as a signed number an error pointer is negative (-MAX_ERRNO..-1): `ret < 0` holds for it
          t |= ERR;
        } else if (c.value >= 0 && (c.op === '>' || c.op === '>=')) {
          f |= ERR;
        } else {
          t |= ERR;
          f |= ERR;
        }
      }
      const num = mask & ~ERR;
      if (num && cst !== undefined) {
        // the exact value is known (a flag compared again: `if (get_write == true)` twice)
        if (cmpHolds(c.op, cst, c.value)) t |= num;
        else f |= num;
        return [t, f, t & num ? cst : undefined, f & num ? cst : undefined];
      }
      for (const [bit, lo, hi] of RANGES) {
        if (!(num & bit)) continue;
        const [ct, cf] = rangeCan(c.op, lo, hi, c.value);
        if (ct) t |= bit;
        if (cf) f |= bit;
      }
      const tc = c.op === '==' ? c.value : undefined;
      const fc = c.op === '!=' ? c.value : undefined;
      return [t, f, t & num ? tc : undefined, f & num ? fc : undefined];
    }
  }
}

export function runEngine(fn: FunctionIR, inp: EngineInput): EngineResult {
  const e = new Engine(fn, inp);
  if (!inp.trace && e.trivial()) {
    return { findings: [], stats: { states: 0, millis: 0 }, returns: [] };
  }
  return e.run();
}

export function isTrivial(fn: FunctionIR, inp: EngineInput): boolean {
  return new Engine(fn, inp).trivial();
}

