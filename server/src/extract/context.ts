/**
 * Per-function extraction state: the blocks being built, the current block,
 * scopes (for `__free` cleanups), break/continue targets, labels, variable
 * kinds and temporaries, and the uncertainties found on the way.
 */
import type { SyntaxNode } from '../parser';
import type {
  AssignSrc,
  Cleanup,
  Event,
  Loc,
  Terminator,
  Uncertainty,
  ValueKind,
  VarName,
} from '../../../simulator/src/ir';
import type { SourceText } from './text';
import { pfnOfText } from '../../../simulator/src/callees';
import { end } from './nodes';

export interface BBlock {
  id: number;
  events: Event[];
  term?: Terminator;
}

export interface Scope {
  cleanups: Cleanup[];
}

/** A break target (loop or switch); loops also have a continue target. */
export interface JumpTarget {
  brk: number;
  cont?: number;
  /** number of scopes open outside the loop/switch */
  depth: number;
}

export interface SwitchCtx {
  targets: number[];
  hasDefault: boolean;
}

interface LabelInfo {
  block: number;
  defined: boolean;
  scopes?: Scope[];
  loc?: Loc;
}

interface PendingGoto {
  block: number;
  label: string;
  scopes: Scope[];
  loc: Loc;
}

/** The value of an expression as far as extraction can tell. */
export interface Val {
  var?: VarName;
  field?: string;
  const?: number;
  errptr?: boolean;
  not?: VarName;
  /** `&x` of a plain variable: as a call argument it denotes x by address */
  addrOf?: VarName;
  /** a call's result was written straight into the variable requested by the caller */
  bound?: boolean;
}

export type Target =
  | { kind: 'var'; name: VarName }
  | { kind: 'path'; name: VarName }
  | { kind: 'place'; text: string }
  | { kind: 'none' };

/** A plain constant (`0`, `NULL`, `-1UL`): an initialiser that says nothing about a pfn. */
const CONSTANT_TEXT = /^(?:-?\s*\d+[uUlL]*|NULL|0x[0-9a-fA-F]+[uUlL]*)$/;

export class FnCtx {
  readonly blocks: BBlock[] = [];
  cur: number;
  readonly entry: number;
  private tempN = 0;
  readonly kinds = new Map<string, ValueKind>();
  readonly locals: { name: VarName; kind: ValueKind }[] = [];
  private readonly localNames = new Set<string>();
  /** every local declared (any type), in declaration order */
  readonly allLocals = new Set<string>();
  readonly scopes: Scope[] = [];
  readonly jumps: JumpTarget[] = [];
  readonly switches: SwitchCtx[] = [];
  readonly labels = new Map<string, LabelInfo>();
  readonly gotos: PendingGoto[] = [];
  readonly uncertain: Uncertainty[] = [];
  private readonly uncertainAt = new Set<string>();
  /** > 0 while evaluating the condition of an assertion macro (calls there are `asserted`) */
  asserting = 0;
  /** variables already reported as used in the current statement */
  readonly uses = new Set<string>();
  /** what each variable was assigned; null once assigned more than once (or through its address) */
  readonly defs = new Map<string, string | null>();
  /** locals declared as `struct inode *`, `struct address_space *` or `struct file *` (their defs go into the IR, irDefs) */
  readonly fileTyped = new Set<string>();
  /** variables that receive a DAX mapping here (`&kaddr` passed to dax_direct_access): every read of them is a use */
  daxVars?: Set<string>;

  /**
   * locals that hold a page frame number computed from a variable
   * (`dst_pfn = migrate_pfn(folio_pfn(dfolio))`): the text, or null when
   * assigned anything else too (a constant initialiser does not count)
   */
  readonly pfnDefs = new Map<string, string | null>();

  /** `byAddress`: `&name` passed to a call (which may write it after taking what it held) */
  noteDef(name: string, text: string | null, byAddress = false): void {
    this.defs.set(name, this.defs.has(name) ? null : text);
    if (byAddress) return;
    if (text !== null && pfnOfText(text) !== undefined) {
      const prev = this.pfnDefs.get(name);
      this.pfnDefs.set(name, prev === undefined || prev === text ? text : null);
    } else if (text === null || !CONSTANT_TEXT.test(text)) {
      this.pfnDefs.set(name, null);
    }
  }

  /** FunctionIR.defs: the single definitions of inode, mapping and file locals, and of locals holding a pfn */
  irDefs(): Record<string, string> | undefined {
    let out: Record<string, string> | undefined;
    for (const name of this.fileTyped) {
      const d = this.defs.get(name);
      if (typeof d === 'string' && d.length <= 120) (out ??= {})[name] = d;
    }
    for (const [name, d] of this.pfnDefs) {
      if (typeof d === 'string' && d.length <= 120 && this.allLocals.has(name)) (out ??= {})[name] = d;
    }
    return out;
  }
  /** function definitions found nested in this body (unbalanced braces) */
  readonly nested: SyntaxNode[] = [];
  /** the whole definition parsed without error: no statement needs checking */
  clean = false;
  /** set by cfg.ts: lowers one statement into the current block */
  lowerStmt!: (n: SyntaxNode) => void;
  /**
   * set by cfg.ts: a loop the simulator cannot evaluate; `body` lowers its
   * body, which runs zero or more times (once or more when `atLeastOnce`).
   * `at` gives the location and text of the loop branch.
   */
  lowerLoop!: (at: SyntaxNode, atLeastOnce: boolean, body: () => void) => void;

  constructor(readonly src: SourceText) {
    this.entry = this.newBlock();
    this.cur = this.entry;
  }

  newBlock(): number {
    const id = this.blocks.length;
    this.blocks.push({ id, events: [] });
    return id;
  }

  emit(ev: Event): void {
    this.blocks[this.cur].events.push(ev);
  }

  /** End the current block; what follows goes into a fresh block that is unreachable until something jumps to it. */
  terminate(t: Terminator): void {
    const b = this.blocks[this.cur];
    if (!b.term) b.term = t;
    this.cur = this.newBlock();
  }

  jump(target: number): void {
    this.terminate({ kind: 'goto', target });
  }

  setCur(b: number): void {
    this.cur = b;
  }

  temp(): VarName {
    return '$' + ++this.tempN;
  }

  kindOf(name: VarName | undefined): ValueKind {
    if (!name) return 'other';
    return this.kinds.get(name) ?? 'other';
  }

  declare(name: string, kind: ValueKind, local: boolean, isStatic = false): void {
    if (!name) return;
    if (local && !isStatic) this.allLocals.add(name);
    const prev = this.kinds.get(name);
    if (!prev || prev === 'other') this.kinds.set(name, kind);
    if (local && kind !== 'other' && !this.localNames.has(name)) {
      this.localNames.add(name);
      this.locals.push({ name, kind });
    }
  }

  /** A variable whose object the lifecycle cares about (stores of it are hand-offs). */
  isTracked(name: VarName | undefined): boolean {
    if (!name) return false;
    if (name.charCodeAt(0) === 36 /* $ */) return true;
    const k = this.kinds.get(name);
    if (k === 'folio' || k === 'page') return true;
    if (name.includes('->') || name.includes('.')) return pathNamesFolio(name);
    return false;
  }

  loc(n: SyntaxNode): Loc {
    return this.src.loc(n.startIndex, end(n));
  }

  text(n: SyntaxNode, max?: number): string {
    return this.src.display(n.startIndex, end(n), max);
  }

  /** damage seen so far: reported uncertainties, and damage known to be harmless (GNU case ranges) */
  damageSeen = 0;

  uncertainty(loc: Loc, reason: string): void {
    this.damageSeen++;
    const key = `${loc.line}:${loc.column}:${reason}`;
    if (this.uncertainAt.has(key)) return;
    this.uncertainAt.add(key);
    this.uncertain.push({ loc, reason });
  }

  // ---- scopes and cleanups -------------------------------------------------

  pushScope(): void {
    this.scopes.push({ cleanups: [] });
  }

  /** Close a scope; when `runCleanups`, the cleanups run here (falling off the end of a block). */
  popScope(runCleanups: boolean): void {
    const s = this.scopes.pop();
    if (s && runCleanups) this.emitCleanupCalls([s]);
  }

  addCleanup(c: Cleanup): void {
    if (this.scopes.length === 0) this.pushScope();
    this.scopes[this.scopes.length - 1].cleanups.push(c);
  }

  /** The cleanups in scope, innermost first. */
  cleanupsInScope(): Cleanup[] {
    const out: Cleanup[] = [];
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const cs = this.scopes[i].cleanups;
      for (let j = cs.length - 1; j >= 0; j--) out.push(cs[j]);
    }
    return out;
  }

  /**
   * Run the cleanups of the given scopes (listed outermost first), innermost
   * first, as calls in the current block. Like the kernel's DEFINE_FREE
   * bodies, each runs only when its variable holds a real pointer: a branch
   * on IS_ERR_OR_NULL skips it.
   */
  emitCleanupCalls(scopes: Scope[]): void {
    for (let i = scopes.length - 1; i >= 0; i--) {
      const cs = scopes[i].cleanups;
      for (let j = cs.length - 1; j >= 0; j--) {
        const c = cs[j];
        const call = this.newBlock();
        const next = this.newBlock();
        this.terminate({
          kind: 'branch',
          cond: { kind: 'iserr-or-null', var: c.var },
          then: next,
          else: call,
          loc: c.loc,
          text: `IS_ERR_OR_NULL(${c.var})`,
        });
        this.setCur(call);
        this.emit({ kind: 'call', callee: c.fn, args: [{ text: c.var, var: c.var }], resultUsed: false, loc: c.loc });
        this.jump(next);
        this.setCur(next);
      }
    }
  }

  // ---- labels --------------------------------------------------------------

  labelBlock(name: string): number {
    let l = this.labels.get(name);
    if (!l) {
      l = { block: this.newBlock(), defined: false };
      this.labels.set(name, l);
    }
    return l.block;
  }

  defineLabel(name: string, loc: Loc): number {
    const b = this.labelBlock(name);
    const l = this.labels.get(name)!;
    if (l.defined) this.uncertainty(loc, `label '${name}' defined twice`);
    l.defined = true;
    l.scopes = this.scopes.slice();
    l.loc = loc;
    return b;
  }

  gotoLabel(name: string, loc: Loc): void {
    const b = this.labelBlock(name);
    // a stub block between the goto and its label, for the cleanups of the scopes it leaves
    const stub = this.newBlock();
    this.jump(stub);
    this.blocks[stub].term = { kind: 'goto', target: b };
    this.gotos.push({ block: stub, label: name, scopes: this.scopes.slice(), loc });
  }

  /** After the body: run cleanups of scopes left by gotos, close gotos to undefined labels. */
  finishLabels(): void {
    const saved = this.cur;
    for (const g of this.gotos) {
      const l = this.labels.get(g.label);
      if (!l || !l.defined || !l.scopes) continue;
      const keep = new Set(l.scopes);
      const left = g.scopes.filter((s) => !keep.has(s));
      if (left.some((s) => s.cleanups.length > 0)) {
        const b = this.blocks[g.block];
        const term = b.term!;
        b.term = undefined;
        this.setCur(g.block);
        this.emitCleanupCalls(left);
        this.terminate(term);
      }
    }
    this.cur = saved;
    for (const [name, l] of this.labels) {
      if (!l.defined) {
        const g = this.gotos.find((x) => x.label === name);
        const loc = g ? g.loc : { line: 1, column: 1, endLine: 1, endColumn: 1 };
        this.uncertainty(loc, `goto to undefined label '${name}'`);
        const b = this.blocks[l.block];
        if (!b.term) b.term = { kind: 'noreturn', loc };
      }
    }
  }
}

export function pathNamesFolio(path: string): boolean {
  const m = /([A-Za-z_]\w*)\s*$/.exec(path);
  if (!m) return false;
  return /^(\w*_)?(folio|page)$/.test(m[1]);
}

export function srcOf(v: Val, text: () => string): AssignSrc {
  if (v.var) return { kind: 'var', name: v.var };
  if (v.const !== undefined) return { kind: 'const', value: v.const };
  if (v.errptr) return { kind: 'errptr' };
  if (v.not) return { kind: 'not', name: v.not };
  return { kind: 'unknown', text: text() };
}
