/**
 * The simulator's public types: what goes in besides the IR, and what comes
 * out. The functions that use them are exported from simulator/src/index.ts.
 */
import type { Loc, VarName } from './ir';
import type { Contract, KernelVersion } from './contract-types';
import type { RuleId } from './rules';

export type Severity = 'error' | 'warning' | 'info';

/** One branch taken or one step that matters, for the path shown with a finding. */
export interface PathStep {
  line: number;
  /** e.g. `reference taken by filemap_get_folio()`, `'IS_ERR(folio)' is false`, `returns` */
  note: string;
}

export interface Related {
  loc: Loc;
  message: string;
}

export interface Finding {
  rule: RuleId;
  /** error: the violation happens on every path through `loc`; warning: on some path; info: analysis-incomplete */
  severity: Severity;
  /** names the folio, the call and the path, e.g. "reference to 'folio' from filemap_get_folio() (line 12) is leaked at this return (path: 12, 14 false, 18)" */
  message: string;
  function: string;
  /** where the violation happens: the call, the use, or the return */
  loc: Loc;
  /** the variable naming the object, e.g. `folio` */
  object?: VarName;
  /** the call involved (`folio_put`, `filemap_get_folio`), for matching findings across versions of a file */
  call?: string;
  path: PathStep[];
  /** where the reference or lock was taken, the branch that mattered, ... */
  related: Related[];
}

/** What a function does to its folio/page parameters and return value, on every return path. */
export interface Summary {
  name: string;
  /** set when the function returns a tracked object it acquired */
  returns?: {
    kind: 'folio' | 'page';
    ref: boolean;
    locked: boolean;
    /** how it reports failure, inferred from its return statements */
    fail: 'null' | 'err' | 'null-or-err' | 'never';
  };
  /**
   * Effects on parameters, by parameter index, that hold on every return
   * path: e.g. `[{op:'put'},{op:'unlock'}]` for a helper that unlocks and
   * puts its argument. Expressed with contract effects so that call sites
   * apply summaries and contracts the same way.
   */
  params: { index: number; effects: Contract['effects'] }[];
  /**
   * Parameters the function does something to on some paths only (so a
   * caller cannot know what happened to its folio): call sites treat them
   * as handed off.
   */
  uncertainParams: number[];
  /** stores one of its folio parameters to an out-parameter or structure */
  source: 'inferred' | 'annotation';
  /**
   * some path of the function waits for a userspace daemon: the call that
   * does (fuse_simple_request). Callers holding a folio lock across it are
   * told (lock-held-across-userspace-wait).
   */
  waitsForUserspace?: string;
}

export interface Budget {
  /** distinct states explored in one function before giving up (default 20000) */
  maxStates: number;
  /** wall-clock milliseconds for one function (default 200) */
  maxMillis: number;
}

export const DEFAULT_BUDGET: Budget = { maxStates: 20000, maxMillis: 200 };

/**
 * What all the functions of one file may spend together (analyseFile). Once
 * it is used up, the functions not yet simulated are not analysed: each gets
 * an `analysis-incomplete` info finding saying so. A function already
 * running keeps its own budget, so a file overshoots by at most one
 * function's.
 */
export interface FileBudget {
  /** distinct states of all the file's functions together (default 1,000,000) */
  maxStates: number;
  /** wall-clock milliseconds of all the file's functions together (default 10,000) */
  maxMillis: number;
}

export const DEFAULT_FILE_BUDGET: FileBudget = { maxStates: 1000000, maxMillis: 10000 };

/**
 * Findings kept for one function (capFindings in index.ts). A kernel
 * function has a handful at most; thousands mean the function was not
 * understood, and each carries its path: 15,000 of them made a 100 MB
 * publishDiagnostics message that held the language server for 13 s.
 */
export const MAX_FINDINGS_PER_FUNCTION = 50;

export interface SimOptions {
  kernelVersion: KernelVersion;
  /** extra contracts (a subsystem's own helpers); they override built-in entries of the same name */
  contracts?: Contract[];
  /** summaries of functions defined elsewhere (same file or workspace) */
  summaries?: Map<string, Summary>;
  budget?: Budget;
  /** for analyseFile: what the whole file may spend (DEFAULT_FILE_BUDGET) */
  fileBudget?: FileBudget;
  /** record a full trace (for `folio-lens simulate` and the simulation view) */
  trace?: boolean;
}

/** The state of one tracked object after a step, as shown to users. */
export interface ObjectSnapshot {
  /** the variables that name it now, e.g. ['folio', 'page'] */
  names: VarName[];
  kind: 'folio' | 'page';
  /** where it came from: `parameter`, `filemap_get_folio() at line 12`, ... */
  origin: string;
  /** references this function holds (the caller's reference on a parameter is not counted) */
  refs: number;
  /** whether a reference from the caller still stands (parameters and objects of unknown origin) */
  callerRef: boolean;
  /** NULL / error pointer / valid / unknown */
  value: 'valid' | 'null' | 'err' | 'unknown';
  locked: 'held' | 'not-held' | 'unknown';
  writeback: 'set' | 'clear' | 'unknown';
  dirty: 'set' | 'clear' | 'unknown';
  uptodate: 'set' | 'clear' | 'unknown';
  private: 'set' | 'clear' | 'unknown';
  private2: 'set' | 'clear' | 'unknown';
  /** handed off (stored, batched, returned, passed to a call that may take it) */
  handedOff: boolean;
}

export interface TraceStep {
  line: number;
  /** the call or event, e.g. `folio_lock(folio)`, `if (IS_ERR(folio)): false`, `return 0` */
  text: string;
  objects: ObjectSnapshot[];
  /**
   * begin/end pairs after the step, e.g. `inode_dio(inode): 1`; `label` says
   * what the count means (`direct I/O in flight`, `inode references`)
   */
  pairs: { key: string; open: number; label?: string; short?: string }[];
  /**
   * DAX mappings held in variables after the step: the inode reference that
   * covers each, and whether that reference is still held
   */
  dax?: { name: string; cover: string; covered: boolean }[];
  violations: { rule: RuleId; message: string }[];
}

export interface TracePath {
  steps: TraceStep[];
  end: 'return' | 'noreturn' | 'incomplete';
}

export interface Trace {
  function: string;
  paths: TracePath[];
  /** paths that reached a state already explored and were merged into it */
  merged: number;
}

export interface SimResult {
  findings: Finding[];
  trace?: Trace;
  stats: { states: number; millis: number; incomplete?: string };
}
