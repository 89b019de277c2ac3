/**
 * Per-path state of the simulator: tracked objects (folios and pages), the
 * variables that name them, scalar variables in a small value domain, and
 * open begin/end pairs. States are immutable values: every change makes a
 * shallow copy (maps are tiny), so states can be shared between paths.
 *
 * `stateKey` gives the canonical string used for merging: two states with
 * equal keys behave the same from here on. Metadata used only for messages
 * (where a reference was taken, the path that led here) is not part of the
 * key: the first state that reaches a block with a given key wins.
 */
import type { Loc, VarName } from './ir';
import type { ObjectSnapshot, PathStep, TraceStep } from './api-types';

export type Tri = 'set' | 'clear' | 'unknown';
export type LockState = 'held' | 'not-held' | 'unknown';
export type PtrValue = 'valid' | 'null' | 'err' | 'unknown';

/** Where something happened, for messages and related locations. */
export interface Note {
  loc: Loc;
  /** e.g. `filemap_get_folio()` */
  call: string;
  /** e.g. `folio_trylock() failed at line 30` */
  text: string;
}

/** Own references are counted up to this number; more is "many". */
export const REF_CAP = 3;
/** Open begin/end pairs are counted up to this number. */
export const PAIR_CAP = 3;

export type Origin = 'param' | 'acquired' | 'unknown';

export interface Obj {
  /** identity: the creation site (`p:name` for a parameter, `c:B.E` for a call, `u:B.E` for an unknown value) */
  readonly id: string;
  readonly kind: 'folio' | 'page';
  /** parameter, acquired by this function (lookup, allocation, summary), or of unknown origin */
  readonly origin: Origin;
  /** for messages: `parameter`, `filemap_get_folio() at line 12`, ... */
  readonly originText: string;
  /** references this function holds (capped at REF_CAP) */
  readonly refs: number;
  /** a reference of the caller (or of whoever handed us the object) still stands */
  readonly callerRef: boolean;
  /** this function dropped its own references to it (or consumed the caller's) */
  readonly dropped: boolean;
  /**
   * this function held a reference of its own at some point (lookup, get).
   * Objects that never had one are only known through someone else's
   * references: after the first put (the caller's), more puts and uses are
   * not judged (mm/ code puts page-table and isolation references of its
   * parameters in loops).
   */
  readonly everOwned: boolean;
  /** this function dropped its last reference and no caller reference is left */
  readonly putToZero: boolean;
  /** try_get failed: nothing keeps it alive for us */
  readonly tryFailed: boolean;
  readonly value: PtrValue;
  readonly locked: LockState;
  /** the lock was taken by this function (and not released since) */
  readonly lockedByUs: boolean;
  /** this function released a lock it took itself */
  readonly unlockedOurs: boolean;
  readonly writeback: Tri;
  readonly wbByUs: boolean;
  readonly wbEndedNoRef: boolean;
  readonly dirty: Tri;
  readonly uptodate: Tri;
  readonly private: Tri;
  /** references handed to the private data by private-set-raw */
  readonly privRefs: number;
  readonly private2: Tri;
  readonly p2ByUs: boolean;
  /** PG_private_2 was started here by a helper that took a reference */
  readonly p2Ref: boolean;
  readonly handedOff: boolean;
  /**
   * this function inserted it into the page cache (filemap_add_folio
   * succeeded): while it stays locked, it is the page cache's, waiting for
   * the read that unlocks it (readahead keeps the reference and the lock)
   */
  readonly inCache: boolean;
  /**
   * references handed to a structure by a store (`*foliop = folio`): the
   * function may still take them back with a put (error paths retract an
   * out-parameter), but they are no longer its own for other rules
   */
  readonly storedRefs: number;
  /** the lock state at entry (parameters: annotations) */
  readonly entryLocked: LockState;

  // ---- metadata: not part of the canonical key ----
  /** path length when the object was created: path steps before it are not about it */
  readonly birthN: number;
  readonly refNote?: Note;
  readonly lockNote?: Note;
  readonly putNote?: Note;
  readonly wbNote?: Note;
  readonly p2Note?: Note;
  readonly privNote?: Note;
  /** metadata: the member path the object was loaded from (`folio = di->cached`): naming it is not a store */
  readonly loadedFrom?: VarName;
  /** where a contract took the object's references over (folio_batch_add) */
  readonly handNote?: Note;
  /**
   * metadata (fixed by the creation site, so not part of the key): a fresh
   * allocation (folio_alloc, alloc_page), not in the page cache or on the
   * LRU unless this function puts it there (inCache)
   */
  readonly fresh?: boolean;
}

/** Scalar value domain: a set of signs (plus "error pointer"), and the exact value when known. */
export const NEG = 1;
export const ZERO = 2;
export const POS = 4;
export const ERR = 8;
export const ANY = NEG | ZERO | POS | ERR;
export const NONZERO = NEG | POS | ERR;

export interface ObjBinding {
  readonly obj: string;
}
export interface ScalarBinding {
  readonly mask: number;
  readonly c?: number;
  /** metadata (not part of the key): why a pointer is NULL or an error, e.g. `read_mapping_folio() failed at line 34` */
  readonly why?: Note;
  /** a condition has tested the value (the code did check the call's failure) */
  readonly checked?: boolean;
}
export type Binding = ObjBinding | ScalarBinding;

export function isObjBinding(b: Binding | undefined): b is ObjBinding {
  return b !== undefined && 'obj' in b;
}

export function scalarOf(c: number): Binding {
  return { mask: c === 0 ? ZERO : c < 0 ? NEG : POS, c };
}

/** One step of the path that led to a state (immutable linked list). */
export interface PathNode {
  readonly prev: PathNode | null;
  /** 1-based length of the list up to and including this node */
  readonly n: number;
  readonly line: number;
  readonly note: string;
  /** the object the step is about, if any (branches are about none: they are kept for every object) */
  readonly obj?: string;
}

export interface TraceNode {
  readonly prev: TraceNode | null;
  readonly step: TraceStep;
}

export interface State {
  readonly objs: ReadonlyMap<string, Obj>;
  readonly vars: ReadonlyMap<VarName, Binding>;
  /** open begin/end pairs: `pair(arg text)` → count opened here and not closed; absent = never opened here */
  readonly pairs: ReadonlyMap<string, number>;
  /** metadata: where each pair was last opened (not part of the key) */
  readonly pairNotes: ReadonlyMap<string, Note>;
  /**
   * DAX mappings held in variables (`kaddr`, `pfn` from dax_direct_access):
   * the inode_ref pair key that covered each when it was made (the `note`
   * is metadata)
   */
  readonly dax: ReadonlyMap<VarName, DaxMapping>;
  readonly path: PathNode | null;
  readonly trace: TraceNode | null;
}

export interface DaxMapping {
  /** `inode_ref(inode)`: the only inode reference this function held when it mapped */
  readonly cover: string;
  readonly note: Note;
}

export function emptyState(): State {
  return { objs: new Map(), vars: new Map(), pairs: new Map(), pairNotes: new Map(), dax: new Map(), path: null, trace: null };
}

export function withDax(s: State, v: VarName, m: DaxMapping | undefined): State {
  if (m === undefined && !s.dax.has(v)) return s;
  const dax = new Map(s.dax);
  if (m === undefined) dax.delete(v);
  else dax.set(v, m);
  return { ...s, dax };
}

export function withObj(s: State, o: Obj): State {
  const objs = new Map(s.objs);
  objs.set(o.id, o);
  return { ...s, objs };
}

export function updObj(s: State, id: string, patch: Partial<Obj>): State {
  const o = s.objs.get(id);
  if (!o) return s;
  return withObj(s, { ...o, ...patch });
}

export function withVar(s: State, name: VarName, b: Binding | undefined): State {
  const cur = s.vars.get(name);
  if (cur === b) return s;
  if (b === undefined && cur === undefined) return s;
  const vars = new Map(s.vars);
  if (b === undefined) vars.delete(name);
  else vars.set(name, b);
  return { ...s, vars };
}

/** The key of a begin/end pair in State.pairs: the family and the argument text, `inode_dio(inode)`. */
export function pairKey(pair: string, on: string): string {
  return `${pair}(${on})`;
}

/** The family and the argument text of a pair key. */
export function splitPairKey(key: string): { pair: string; on: string } {
  const i = key.indexOf('(');
  return { pair: key.slice(0, i), on: key.slice(i + 1, -1) };
}

export function withPair(s: State, key: string, n: number | undefined, note?: Note): State {
  const pairs = new Map(s.pairs);
  if (n === undefined) pairs.delete(key);
  else pairs.set(key, n);
  if (!note) return { ...s, pairs };
  const pairNotes = new Map(s.pairNotes);
  pairNotes.set(key, note);
  return { ...s, pairs, pairNotes };
}

export function pushStep(s: State, line: number, note: string, obj?: string): State {
  const n = (s.path?.n ?? 0) + 1;
  return { ...s, path: { prev: s.path, n, line, note, obj } };
}

export function objOfVar(s: State, v: VarName | undefined): Obj | undefined {
  if (v === undefined) return undefined;
  const b = s.vars.get(v);
  return isObjBinding(b) ? s.objs.get(b.obj) : undefined;
}

/** The variables naming an object, in insertion order. */
export function namesOf(s: State, id: string): VarName[] {
  const out: VarName[] = [];
  for (const [v, b] of s.vars) if (isObjBinding(b) && b.obj === id) out.push(v);
  return out;
}

/** The best name for messages: a real variable over a `$n` temporary. */
export function displayName(s: State, o: Obj, prefer?: VarName): string {
  if (prefer && !prefer.startsWith('$')) return prefer;
  const names = namesOf(s, o.id);
  const real = names.find((n) => !n.startsWith('$'));
  if (real) return real;
  return `the ${o.kind} from ${o.originText}`;
}

/** Drop objects no variable names any more (parameters stay: summaries look at them). */
export function gc(s: State): State {
  let dead: string[] | undefined;
  for (const o of s.objs.values()) {
    if (o.origin === 'param') continue;
    let named = false;
    for (const b of s.vars.values()) if (isObjBinding(b) && b.obj === o.id) { named = true; break; }
    if (!named) (dead ??= []).push(o.id);
  }
  if (!dead) return s;
  const objs = new Map(s.objs);
  for (const id of dead) objs.delete(id);
  return { ...s, objs };
}

const TRI: Record<Tri, string> = { set: 's', clear: 'c', unknown: 'u' };
const LOCK: Record<LockState, string> = { held: 'H', 'not-held': 'N', unknown: 'U' };
const VAL: Record<PtrValue, string> = { valid: 'v', null: 'n', err: 'e', unknown: 'u' };

function b(x: boolean): string {
  return x ? '1' : '0';
}

export function objKey(o: Obj): string {
  return (
    o.id + ':' + o.refs + b(o.callerRef) + b(o.dropped) + b(o.everOwned) + b(o.putToZero) + b(o.tryFailed) +
    VAL[o.value] + LOCK[o.locked] + b(o.lockedByUs) + b(o.unlockedOurs) +
    TRI[o.writeback] + b(o.wbByUs) + b(o.wbEndedNoRef) + TRI[o.dirty] + TRI[o.uptodate] +
    TRI[o.private] + o.privRefs + TRI[o.private2] + b(o.p2ByUs) + b(o.p2Ref) + b(o.handedOff) + b(o.inCache) + o.storedRefs
  );
}

/** Canonical key: equal keys mean equal behaviour from here on. */
export function stateKey(s: State): string {
  const parts: string[] = [];
  const ids = [...s.objs.keys()].sort();
  for (const id of ids) parts.push(objKey(s.objs.get(id)!));
  parts.push('|');
  const vs = [...s.vars.keys()].sort();
  for (const v of vs) {
    const bd = s.vars.get(v)!;
    parts.push(v + '=' + (isObjBinding(bd) ? '@' + bd.obj : bd.mask + (bd.c === undefined ? '' : '#' + bd.c) + (bd.checked ? '!' : '')));
  }
  if (s.pairs.size) {
    parts.push('|');
    const ks = [...s.pairs.keys()].sort();
    for (const k of ks) parts.push(k + '=' + s.pairs.get(k));
  }
  if (s.dax.size) {
    parts.push('|');
    const ks = [...s.dax.keys()].sort();
    for (const k of ks) parts.push(k + '~' + s.dax.get(k)!.cover);
  }
  return parts.join(';');
}

/** Keep only the scalar bindings `keep` says are worth keeping (object bindings always stay). */
export function pruneScalars(s: State, keep: (v: VarName) => boolean): State {
  let vars: Map<VarName, Binding> | undefined;
  for (const [v, b] of s.vars) {
    if (isObjBinding(b) || keep(v)) continue;
    (vars ??= new Map(s.vars)).delete(v);
  }
  return vars ? { ...s, vars } : s;
}

/** The path steps relevant to one object (all steps when `obj` is undefined). */
export function pathSteps(s: State, birthN: number, objId?: string, extra?: PathStep): PathStep[] {
  const out: PathStep[] = [];
  for (let p = s.path; p; p = p.prev) {
    if (p.n < birthN) break;
    if (p.obj === undefined || objId === undefined || p.obj === objId) out.push({ line: p.line, note: p.note });
  }
  out.reverse();
  if (extra) {
    const last = out[out.length - 1];
    if (!last || last.line !== extra.line || last.note !== extra.note) out.push(extra);
  }
  return out;
}

export function snapshot(s: State): ObjectSnapshot[] {
  const out: ObjectSnapshot[] = [];
  for (const o of s.objs.values()) {
    out.push({
      names: namesOf(s, o.id),
      kind: o.kind,
      origin: o.originText,
      refs: o.refs,
      callerRef: o.callerRef,
      value: o.value,
      locked: o.locked,
      writeback: o.writeback,
      dirty: o.dirty,
      uptodate: o.uptodate,
      private: o.private,
      private2: o.private2,
      handedOff: o.handedOff,
    });
  }
  return out;
}

export function newObj(init: Pick<Obj, 'id' | 'kind' | 'origin' | 'originText' | 'birthN'> & Partial<Obj>): Obj {
  return {
    refs: 0,
    callerRef: false,
    dropped: false,
    everOwned: false,
    putToZero: false,
    tryFailed: false,
    value: 'unknown',
    locked: 'unknown',
    lockedByUs: false,
    unlockedOurs: false,
    writeback: 'unknown',
    wbByUs: false,
    wbEndedNoRef: false,
    dirty: 'unknown',
    uptodate: 'unknown',
    private: 'unknown',
    privRefs: 0,
    private2: 'unknown',
    p2ByUs: false,
    p2Ref: false,
    handedOff: false,
    inCache: false,
    storedRefs: 0,
    entryLocked: 'unknown',
    ...init,
  };
}
