/**
 * One file in, diagnostics out: mask kernel idioms, parse, extract the IR of
 * the functions that touch folios or pages, simulate, apply suppressions and
 * rule filters. Used by the CLI (in worker threads) and the language server.
 *
 * Never throws on user input: a file that cannot be analysed gives an error
 * string in the result, and the rest of the run goes on.
 */
import { openParser, defaultBackend, type Backend, type CParser } from './parser';
import { focusText, isRelevantText, relevantRegex, safeMask } from './relevance';
import { daxMapCalls, extractFile, extractFunctionAt } from './extract';
import { analyseFile, simulateFunction } from '../../simulator/src/index';
import { DEFAULT_BUDGET, DEFAULT_FILE_BUDGET, type Budget, type FileBudget, type SimResult, type Summary } from '../../simulator/src/api-types';
import type { Contract, KernelVersion } from '../../simulator/src/contract-types';
import type { FunctionIR } from '../../simulator/src/ir';
import { Diagnostic, toDiagnostic, compareDiagnostics } from './diagnostic';
import { suppressions, isSuppressed } from './suppress';

export interface AnalyzeOptions {
  kernelVersion: KernelVersion;
  /** only these rules (all when empty or absent); analysis-incomplete is always kept */
  rules?: string[];
  contracts?: Contract[];
  summaries?: Map<string, Summary>;
  /** per function (default DEFAULT_BUDGET) */
  budget?: Budget;
  /** per file (default DEFAULT_FILE_BUDGET) */
  fileBudget?: FileBudget;
}

/**
 * A budget whose outcome does not depend on the machine's load: the states
 * decide (as DEFAULT_BUDGET's do), and the clocks are only a safety net 25
 * times looser. The census and the backend comparison use it so that two
 * runs give the same findings.
 */
export const REPEATABLE_BUDGET: { budget: Budget; fileBudget: FileBudget } = {
  budget: { ...DEFAULT_BUDGET, maxMillis: DEFAULT_BUDGET.maxMillis * 25 },
  fileBudget: { ...DEFAULT_FILE_BUDGET, maxMillis: DEFAULT_FILE_BUDGET.maxMillis * 25 },
};

export interface FileResult {
  file: string;
  diagnostics: Diagnostic[];
  /** functions simulated (those that touch folios, pages or configured pairs) */
  functions: number;
  /** set when the file could not be analysed at all */
  error?: string;
  /** functions whose simulation ran out of budget, and the slowest function */
  overBudget: number;
  slowest?: { name: string; millis: number };
  timing: { mask: number; parse: number; extract: number; simulate: number };
}

/** Whether text can matter to the lifecycle with the built-in contracts (see relevance.ts). */
export function isRelevant(text: string): boolean {
  return isRelevantText(text, relevantRegex(undefined));
}

/** Files larger than this are reported and skipped (they are not kernel C a person edits). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

export class Analyzer {
  private constructor(private readonly parser: CParser) {}

  /** An analyzer parsing with `backend` (default: the process's, wasm unless the CLI chose; see parser.ts). */
  static async create(backend: Backend = defaultBackend()): Promise<Analyzer> {
    return new Analyzer(await openParser(backend));
  }

  /** Which tree-sitter runtime parses for this analyzer. */
  get backend(): Backend {
    return this.parser.backend;
  }

  analyzeText(file: string, text: string, opts: AnalyzeOptions): FileResult {
    const timing = { mask: 0, parse: 0, extract: 0, simulate: 0 };
    const result: FileResult = { file, diagnostics: [], functions: 0, overBudget: 0, timing };
    if (text.length > MAX_FILE_BYTES) {
      result.error = `${text.length} characters is more than the ${MAX_FILE_BYTES} Folio Lens analyses in one file`;
      return result;
    }
    if (text.includes('\0')) {
      result.error = 'binary file (contains NUL bytes)';
      return result;
    }
    const relevant = relevantRegex(opts.contracts);
    if (!isRelevantText(text, relevant)) return result;
    let t = performance.now();
    let tree;
    try {
      const masked = safeMask(text);
      // parse only the functions that can matter (same offsets, other text blanked)
      const focused = focusText(masked.text, relevant);
      timing.mask = performance.now() - t;
      t = performance.now();
      tree = this.parser.parse(focused);
      timing.parse = performance.now() - t;
      if (!tree) throw new Error('the parser returned no tree');
      t = performance.now();
      const ir = extractFile(tree, masked, { daxMaps: daxMapCalls(opts.contracts) });
      timing.extract = performance.now() - t;
      t = performance.now();
      const { results } = analyseFile(ir, {
        kernelVersion: opts.kernelVersion,
        contracts: opts.contracts,
        summaries: opts.summaries,
        budget: opts.budget,
        fileBudget: opts.fileBudget,
      });
      timing.simulate = performance.now() - t;
      result.functions = ir.functions.length;
      for (const [name, r] of results) {
        if (r.stats.incomplete) result.overBudget++;
        if (!result.slowest || r.stats.millis > result.slowest.millis) result.slowest = { name, millis: r.stats.millis };
      }
      result.diagnostics = this.toDiagnostics(file, text, results.values(), opts);
    } catch (e) {
      result.error = `internal error while analysing: ${(e as Error).stack ?? e}`;
    } finally {
      tree?.delete();
    }
    return result;
  }

  private toDiagnostics(file: string, text: string, results: Iterable<SimResult>, opts: AnalyzeOptions): Diagnostic[] {
    const sup = suppressions(text);
    const only = opts.rules && opts.rules.length > 0 ? new Set(opts.rules) : undefined;
    const out: Diagnostic[] = [];
    for (const r of results) {
      for (const f of r.findings) {
        if (only && !only.has(f.rule) && f.rule !== 'analysis-incomplete') continue;
        if (isSuppressed(sup, f.loc.line, f.rule)) continue;
        out.push(toDiagnostic(file, f));
      }
    }
    return out.sort(compareDiagnostics);
  }

  /** Extract one function by name (or the one containing a 1-based line) and simulate it with a trace. */
  simulate(text: string, which: { name?: string; line?: number }, opts: AnalyzeOptions): { fn: FunctionIR; result: SimResult } | undefined {
    const masked = safeMask(text);
    const tree = this.parser.parse(masked.text);
    if (!tree) return undefined;
    try {
      let fn: FunctionIR | undefined;
      const daxMaps = daxMapCalls(opts.contracts);
      const ir = extractFile(tree, masked, { daxMaps });
      if (which.name !== undefined) fn = ir.functions.find((f) => f.name === which.name);
      else if (which.line !== undefined) fn = extractFunctionAt(tree, masked, which.line, { daxMaps });
      if (!fn) return undefined;
      // summaries of the other functions in the file apply at call sites
      const { summaries } = analyseFile({ functions: ir.functions.filter((f) => f !== fn), uncertain: [] }, { kernelVersion: opts.kernelVersion, contracts: opts.contracts });
      if (opts.summaries) for (const [k, v] of opts.summaries) if (!summaries.has(k)) summaries.set(k, v);
      const result = simulateFunction(fn, { kernelVersion: opts.kernelVersion, contracts: opts.contracts, summaries, trace: true });
      return { fn, result };
    } finally {
      tree.delete();
    }
  }
}

export function sortDiagnostics(d: Diagnostic[]): Diagnostic[] {
  return d.sort(compareDiagnostics);
}
