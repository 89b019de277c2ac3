/**
 * The pieces of the analysis pipeline the language server runs itself
 * (instead of Analyzer.analyzeText) because it keeps state between runs:
 * the relevance regex (built-in and workspace contracts), masking that
 * never fails, the engine input, a summary map layered over the
 * workspace's, and whole-file summaries for the workspace index.
 */
import type { Parser } from 'web-tree-sitter';
import { daxMapCalls, extractFile } from '../extract';
import { analyseFile, contractMap } from '../../../simulator/src/index';
import { CONTRACTS, isNeutralCall } from '../../../simulator/src/contracts';
import type { EngineInput } from '../../../simulator/src/engine';
import type { SimOptions, Summary } from '../../../simulator/src/api-types';
import type { Contract, KernelVersion } from '../../../simulator/src/contract-types';

export { MAX_FILE_BYTES } from '../analyze';

import { relevantRegex, isRelevantText, safeMask, focusText } from '../relevance';
export { relevantRegex, isRelevantText, safeMask, focusText };

/** The engine's input for these options (what simulator/src/index.ts builds internally). */
export function engineInput(opts: SimOptions, summaries: ReadonlyMap<string, Summary> | undefined, trace = false): EngineInput {
  return { contracts: contractMap(opts), summaries, budget: opts.budget, trace, neutral: isNeutralCall };
}

/** A summary map whose own entries override those of `base` (no copy of the base). */
export class LayeredSummaries extends Map<string, Summary> {
  constructor(private readonly base: ReadonlyMap<string, Summary>) {
    super();
  }
  override get(k: string): Summary | undefined {
    const own = super.get(k);
    return own !== undefined ? own : this.base.get(k);
  }
  override has(k: string): boolean {
    return super.has(k) || this.base.has(k);
  }
}

export interface FileSummaries {
  /** summaries callers in other files can use: non-static functions of .c files, every function of headers */
  summaries: [string, Summary][];
  functions: number;
}

const STATIC = /\bstatic\b/;

/**
 * What the workspace index keeps of one file: the summaries of its functions
 * that other files can call. `header` files' static inline functions count.
 */
export function summarizeText(parser: Parser, text: string, header: boolean, opts: { kernelVersion: KernelVersion; contracts?: Contract[] }): FileSummaries {
  const re = relevantRegex(opts.contracts);
  if (text.length > 8 * 1024 * 1024 || text.includes('\0') || !isRelevantText(text, re)) return { summaries: [], functions: 0 };
  const masked = safeMask(text);
  const tree = parser.parse(focusText(masked.text, re));
  if (!tree) return { summaries: [], functions: 0 };
  try {
    const ir = extractFile(tree, masked, { daxMaps: daxMapCalls(opts.contracts) });
    const { summaries } = analyseFile(ir, { kernelVersion: opts.kernelVersion, contracts: opts.contracts });
    const out: [string, Summary][] = [];
    if (!summaries.size) return { summaries: out, functions: ir.functions.length };
    // the line starts, to read each definition's header for `static`
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    for (const fn of ir.functions) {
      const s = summaries.get(fn.name);
      if (!s) continue;
      if (!header) {
        const a = starts[fn.loc.line - 1] + fn.loc.column - 1;
        const b = starts[fn.nameLoc.line - 1] + fn.nameLoc.column - 1;
        if (STATIC.test(text.slice(a, b))) continue;
      }
      out.push([fn.name, s]);
    }
    return { summaries: out, functions: ir.functions.length };
  } finally {
    tree.delete();
  }
}
