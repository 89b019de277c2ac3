/**
 * The simulator's API. A pure library: it consumes the IR (ir.ts) and the
 * contract table (contracts.ts) and produces findings (api-types.ts).
 *
 *   simulateFunction(fn, opts)  explore every path of one function: findings, stats, optional trace
 *   inferSummary(fn, opts)      what one function does to its folio parameters and return value
 *   analyseFile(file, opts)     summaries callee-first over the file's call graph (recursion: none
 *                               for the cycle), then every function simulated with them
 *   capFindings, fileBudgetSpent, notAnalysed
 *                               the findings cap and the file budget, for callers that schedule
 *                               functions themselves (the language server's incremental runs)
 *
 * Contracts: the built-in table for `opts.kernelVersion`, overridden by
 * `opts.contracts`; then summaries (`opts.summaries`, or inferred by
 * analyseFile); then NEUTRAL_CALLS; then the unknown-callee policy of
 * callees.ts (leave the folio alone, count as a use; hand it off when the
 * name suggests the callee takes it over or ends it).
 *
 * Design decisions (details in the module comments):
 * - Path-sensitive with merging (engine.ts): states equal by canonical key
 *   (state.ts `stateKey`) at a block are explored once. Objects are named by
 *   creation site, counts are capped, scalars live in a sign domain (plus
 *   exact values -1..1 and constants), dead scalars are dropped at block
 *   entry (liveness): loops terminate and states merge.
 * - Severity: per event, the states reaching it are counted; a finding is an
 *   `error` when every state reaching its event violates the rule there, a
 *   `warning` when only some do. One finding per (rule, location, object),
 *   keeping the first path found (breadth-first: the shortest).
 * - Budget (`opts.budget`, DEFAULT_BUDGET): when the distinct states or the
 *   wall clock (read every 64 states) run out, exploration stops, one
 *   `analysis-incomplete` info finding is reported at the function's name,
 *   and the findings already found stay but are downgraded to `warning`
 *   (each is real on the path explored; "every path" can no longer be said).
 *   analyseFile also has a budget for the whole file (`opts.fileBudget`,
 *   DEFAULT_FILE_BUDGET): once its functions together have used it, the
 *   rest are not simulated and each gets an `analysis-incomplete` finding
 *   naming it and the reason.
 * - Ownership: a parameter (or an object of unknown origin) carries its
 *   caller's reference and an unknown lock state; only what the function
 *   itself provably does is judged. Puts of an object this function never
 *   held a reference of drop someone else's references and are not judged
 *   after the first. Writeback and private2 lifetime rules count only the
 *   function's own references (writeback holds none).
 */
import type { FileIR, FunctionIR } from './ir';
import type { Contract, KernelVersion } from './contract-types';
import type { FileBudget, SimOptions, SimResult, Summary } from './api-types';
import { DEFAULT_FILE_BUDGET, MAX_FINDINGS_PER_FUNCTION } from './api-types';
import { contractsFor, isNeutralCall } from './contracts';
import { runEngine, type EngineInput } from './engine';
import { callGraph, inferWith, sccs, summaryFromReturns } from './summaries';

export * from './api-types';
export * from './contract-types';
export * from './ir';
export * from './rules';
export { HANDOFF_WORDS, HANDOFF_PAIRS, suggestsHandoff } from './callees';

const builtinCache = new Map<KernelVersion, ReadonlyMap<string, Contract>>();
const extraCache = new WeakMap<Contract[], Map<KernelVersion, ReadonlyMap<string, Contract>>>();

/** The contract map for these options (cached: built once per version and per `contracts` array). */
export function contractMap(opts: SimOptions): ReadonlyMap<string, Contract> {
  const v = opts.kernelVersion;
  if (!opts.contracts || !opts.contracts.length) {
    let m = builtinCache.get(v);
    if (!m) builtinCache.set(v, (m = contractsFor(v)));
    return m;
  }
  let per = extraCache.get(opts.contracts);
  if (!per) extraCache.set(opts.contracts, (per = new Map()));
  let m = per.get(v);
  if (!m) per.set(v, (m = contractsFor(v, opts.contracts)));
  return m;
}


function engineInput(opts: SimOptions, summaries?: ReadonlyMap<string, Summary>): EngineInput {
  return {
    contracts: contractMap(opts),
    summaries: summaries ?? opts.summaries,
    budget: opts.budget,
    trace: opts.trace,
    neutral: isNeutralCall,
  };
}

/** Explore every path of one function and report the findings. */
export function simulateFunction(fn: FunctionIR, opts: SimOptions): SimResult {
  const { returns: _r, ...res } = runEngine(fn, engineInput(opts));
  return capFindings(fn, res);
}

/**
 * A result with at most MAX_FINDINGS_PER_FUNCTION findings (the first by
 * line) and, when some were left out, an analysis-incomplete info finding
 * saying how many. Every caller of the engine applies it (analyseFile,
 * simulateFunction, the language server's runs), so they agree.
 */
export function capFindings(fn: FunctionIR, res: SimResult): SimResult {
  const max = MAX_FINDINGS_PER_FUNCTION;
  const real = res.findings.filter((f) => f.rule !== 'analysis-incomplete');
  if (real.length <= max) return res;
  const kept = real.slice(0, max);
  const note = {
    rule: 'analysis-incomplete' as const,
    severity: 'info' as const,
    message: `Folio Lens found ${real.length} problems in ${fn.name}(), more than the ${max} it reports for one function; the first ${max} are shown (so many usually means the function was not understood)`,
    function: fn.name,
    loc: fn.nameLoc,
    path: [],
    related: [],
  };
  const findings = [...kept, ...res.findings.filter((f) => f.rule === 'analysis-incomplete'), note];
  findings.sort((a, b) => a.loc.line - b.loc.line || a.loc.column - b.loc.column || a.rule.localeCompare(b.rule));
  return { ...res, findings };
}

/** What `fn` does to its folio/page parameters and return value on every return path; undefined when nothing can be said. */
export function inferSummary(fn: FunctionIR, opts: SimOptions): Summary | undefined {
  const inp = engineInput({ ...opts, trace: false });
  return summaryFromReturns(fn, runEngine(fn, { ...inp, collectReturns: true }));
}

/**
 * Analyse a whole file: each function is simulated once, callees first, with
 * the summaries of the functions it calls (those inferred here override
 * `opts.summaries` of the same name). Functions in a recursive cycle get no
 * summary. `results` is keyed by function name (a second definition of the
 * same name, e.g. under another #ifdef branch, is keyed `name@line`).
 */
export function analyseFile(file: FileIR, opts: SimOptions): { results: Map<string, SimResult>; summaries: Map<string, Summary> } {
  const byName = new Map<string, FunctionIR[]>();
  for (const f of file.functions) {
    const l = byName.get(f.name);
    if (l) l.push(f);
    else byName.set(f.name, [f]);
  }
  const g = callGraph(file);
  const known = new Map<string, Summary>(opts.summaries ?? []);
  const inferred = new Map<string, Summary>();
  const results = new Map<string, SimResult>();
  const fileBudget = opts.fileBudget ?? DEFAULT_FILE_BUDGET;
  const t0 = Date.now();
  let states = 0;
  let spent: string | undefined;
  for (const comp of sccs(g)) {
    const recursive = comp.length > 1 || !!g.get(comp[0])?.has(comp[0]);
    for (const name of comp) {
      const fns = byName.get(name) ?? [];
      fns.forEach((fn, i) => {
        const key = i === 0 ? name : `${name}@${fn.loc.line}`;
        spent ??= fileBudgetSpent(fileBudget, Date.now() - t0, states);
        if (spent) {
          results.set(key, notAnalysed(fn, spent));
          return;
        }
        const inp = engineInput(opts, known);
        let result: SimResult;
        if (recursive || fns.length > 1) {
          const { returns: _r, ...res } = runEngine(fn, inp);
          result = res;
        } else {
          const r = inferWith(fn, inp);
          result = r.result;
          if (r.summary) {
            inferred.set(name, r.summary);
            known.set(name, r.summary);
          }
        }
        states += result.stats.states;
        results.set(key, capFindings(fn, result));
      });
    }
  }
  return { results, summaries: inferred };
}

/** Why a file's budget is used up after `ms` and `states` spent on its functions, or undefined while it is not. */
export function fileBudgetSpent(budget: FileBudget, ms: number, states: number): string | undefined {
  if (ms > budget.maxMillis) return `more than ${budget.maxMillis} ms`;
  if (states > budget.maxStates) return `more than ${budget.maxStates} states`;
  return undefined;
}

/** The result of a function skipped because its file's budget (`why`) was used up by the functions before it. */
export function notAnalysed(fn: FunctionIR, why: string): SimResult {
  const reason = `the file's budget for all its functions (${why}) was used up before it`;
  return {
    findings: [{
      rule: 'analysis-incomplete',
      severity: 'info',
      message: `Folio Lens did not analyse ${fn.name}(): ${reason}; nothing is reported for it`,
      function: fn.name,
      loc: fn.nameLoc,
      path: [],
      related: [],
    }],
    stats: { states: 0, millis: 0, incomplete: `not analysed: ${reason}` },
  };
}

export { runEngine } from './engine';
