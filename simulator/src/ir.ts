/**
 * The intermediate representation that extraction produces and the simulator
 * consumes: one control-flow graph of events per C function.
 *
 * Invariant: nothing here knows about tree-sitter, LSP or vscode. The IR is
 * plain JSON-serialisable data (it crosses worker-thread boundaries and is
 * printed by `folio-lens ir` for debugging).
 *
 * Positions are 1-based lines and 1-based columns, as the CLI prints them.
 * End positions are inclusive of the last character's line and exclusive of
 * its column (column after the last character), like gcc ranges.
 */

export interface Loc {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** What a C value is, as far as the lifecycle is concerned. */
export type ValueKind = 'folio' | 'page' | 'other';

/**
 * A variable name as the simulator sees it. Locals and parameters keep their
 * C names (`folio`, `page`). Temporaries that hold the result of a call used
 * inside an expression are named `$1`, `$2`, ... and are unique within a
 * function. A member path (`ctx->folio`, `wbc->folio`) is also a variable:
 * extraction writes it exactly as `base->field` with no spaces.
 */
export type VarName = string;

/** One argument of a call. */
export interface Arg {
  /** Source text of the argument as written (whitespace collapsed). */
  text: string;
  /**
   * The tracked variable the argument denotes, after alias resolution:
   * `folio`, `&folio->page`, `page_folio(page)`, `folio_page(folio, 0)` and
   * `(struct folio *)x` all resolve to the variable they start from.
   * Absent when the argument is not a plain variable or alias of one.
   */
  var?: VarName;
  /**
   * Set when the argument is the address of a member of the tracked
   * variable that is not an alias of the object itself, e.g. `&folio->lru`
   * gives `{ var: 'folio', field: 'lru' }`. Passing a list head of the folio
   * to list_add and friends hands the folio off.
   */
  field?: string;
}

export type Event =
  | CallEvent
  | AssignEvent
  | StoreEvent
  | UseEvent;

/**
 * A call. Calls nested inside other expressions are linearised in C
 * evaluation order: `folio_put(filemap_get_folio(m, i))` becomes a call to
 * filemap_get_folio with `result: '$1'`, then folio_put with arg `$1`.
 * A call whose value is assigned (`folio = filemap_get_folio(...)`,
 * `ret = folio_lock_killable(folio)`, `struct folio *f = ...`) has `result`
 * set to the assigned variable.
 */
export interface CallEvent {
  kind: 'call';
  callee: string;
  args: Arg[];
  result?: VarName;
  /** Whether the value of the call is used at all (assigned, tested, passed, returned). */
  resultUsed: boolean;
  /**
   * The call sits in the condition of an assertion (WARN_ON, BUG_ON,
   * VM_WARN_ON*, ...: `WARN_ON(!trylock_page(page))`): its author asserts
   * that it succeeds.
   */
  asserted?: boolean;
  loc: Loc;
}

/** `dst = src` for a tracked variable or a scalar used in branch conditions. */
export interface AssignEvent {
  kind: 'assign';
  dst: VarName;
  src: AssignSrc;
  loc: Loc;
}

export type AssignSrc =
  /** copy or alias: `page = &folio->page`, `f = folio`, `ret = err`. */
  | { kind: 'var'; name: VarName }
  /** an integer constant; NULL, false are 0, true is 1. */
  | { kind: 'const'; value: number }
  /** ERR_PTR(...) */
  | { kind: 'errptr' }
  /** `flag = !x` */
  | { kind: 'not'; name: VarName }
  /** anything else: the variable is no longer known to be anything. */
  | { kind: 'unknown'; text: string };

/**
 * The tracked variable's object is stored where this function no longer
 * owns it: `ctx->folio = folio`, `*foliop = folio`, `arr[i] = folio`,
 * `x->page = &folio->page`. Hands off references and locks.
 * A store into a member path of a local struct that is itself tracked
 * (`fbatch.folios[n] = folio`) is a store too.
 */
export interface StoreEvent {
  kind: 'store';
  var: VarName;
  /** Source text of the place stored to, e.g. `*foliop`, `ctx->folio`. */
  target: string;
  loc: Loc;
}

/** A dereference of a tracked variable: `folio->mapping`, `page->index`. */
export interface UseEvent {
  kind: 'use';
  var: VarName;
  /** what was read or written, e.g. `folio->mapping` */
  text: string;
  loc: Loc;
}

/** A branch condition, already split at `&&`, `||` and `!` by extraction. */
export type Cond =
  /** `if (x)`: true when x is non-zero / non-NULL (an error pointer is non-NULL). */
  | { kind: 'truthy'; var: VarName }
  /** `IS_ERR(x)` */
  | { kind: 'iserr'; var: VarName }
  /** `IS_ERR_OR_NULL(x)` */
  | { kind: 'iserr-or-null'; var: VarName }
  /** `x < 0`, `x == 0`, `x != NULL`, ... (NULL is 0). */
  | { kind: 'cmp'; var: VarName; op: '<' | '<=' | '>' | '>=' | '==' | '!='; value: number }
  /** anything the simulator cannot evaluate: both branches are feasible. */
  | { kind: 'unknown' };

export type Terminator =
  /** Unconditional edge (fall-through, goto, break, continue, loop back-edge). */
  | { kind: 'goto'; target: number }
  /**
   * Two-way branch. `then` is taken when `cond` is true. `loc` is the
   * condition's location; `text` its source text for path notes.
   */
  | { kind: 'branch'; cond: Cond; then: number; else: number; loc: Loc; text: string }
  /**
   * A multi-way edge whose choice the simulator cannot evaluate (switch on
   * a value, computed goto). Each target is feasible.
   */
  | { kind: 'switch'; targets: number[]; loc: Loc; text: string }
  /**
   * Return from the function. `value` describes the returned expression.
   * `cleanups` are the `__free()` cleanups in scope at this return,
   * innermost first; the simulator runs them after evaluating the value.
   */
  | { kind: 'return'; value?: ReturnValue; cleanups: Cleanup[]; loc: Loc }
  /** The path ends here without returning: BUG(), panic(), unreachable(), noreturn calls. */
  | { kind: 'noreturn'; loc: Loc };

export interface ReturnValue {
  text: string;
  /** the tracked variable returned (after alias resolution), if any */
  var?: VarName;
  /** an integer constant (`return 0`, `return -ENOMEM` gives -12 when known, else -1, `return NULL` gives 0) */
  const?: number;
  /** `return ERR_PTR(...)` */
  errptr?: boolean;
}

export interface Cleanup {
  /** the variable declared with `__free(fn)` */
  var: VarName;
  /** the cleanup function name given to __free, e.g. `folio_put` */
  fn: string;
  loc: Loc;
}

export interface Block {
  id: number;
  events: Event[];
  term: Terminator;
}

export interface Param {
  name: VarName;
  index: number;
  kind: ValueKind;
  /** `struct folio **foliop`: an out-parameter whose pointee is a folio. */
  out?: boolean;
}

export interface Annotation {
  kind: 'acquires' | 'releases' | 'must_hold';
  /** the annotation argument as written, e.g. `&folio->...` or `folio` */
  text: string;
  /** the parameter it names, when it names one */
  param?: VarName;
  loc: Loc;
}

/** A place where extraction could not be sure of the control flow. */
export interface Uncertainty {
  loc: Loc;
  reason: string;
}

export interface FunctionIR {
  name: string;
  /** the whole definition */
  loc: Loc;
  /** the function's name in its declarator */
  nameLoc: Loc;
  params: Param[];
  /**
   * what the function returns: `struct folio *` gives 'folio', `struct page *`
   * gives 'page', any other pointer 'other', a scalar 'int'
   */
  returns: ValueKind | 'int' | 'void';
  /** the function returns a pointer (of any type). Absent: as `returns` says ('folio', 'page', 'other') */
  returnsPointer?: boolean;
  annotations: Annotation[];
  /** locals declared as `struct folio *` / `struct page *` (arrays and batches excluded) */
  locals: { name: VarName; kind: ValueKind }[];
  /**
   * Every name declared as a local of the function (any type, any scope;
   * `static` locals excluded: they outlive the call). A plain name that is
   * neither a parameter, nor a local, nor a temporary (`$N`), nor a member
   * path is a global: an object stored there is handed off. Absent when
   * the producer of the IR does not know (no name is then taken for a global).
   */
  localNames?: VarName[];
  /**
   * Locals that hold an inode, an address_space or a file, assigned exactly
   * once in the function: name → the text assigned (`inode->i_mapping`,
   * `file_inode(iocb->ki_filp)`). Lets the simulator see that a mapping and
   * an inode are the same file's. Also locals set once (constant
   * initialisers aside) to a page's pfn (`migrate_pfn(folio_pfn(dfolio))`):
   * passed by address, they hand the page over. Absent or partial: those
   * names are opaque.
   */
  defs?: Record<VarName, string>;
  blocks: Block[];
  entry: number;
  /** empty when extraction understood every statement of the body */
  uncertain: Uncertainty[];
}

/** What extraction produced for one file. */
export interface FileIR {
  functions: FunctionIR[];
  /** problems outside any function (e.g. unparseable top-level regions) */
  uncertain: Uncertainty[];
}
