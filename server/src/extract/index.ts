/**
 * Extraction: a parsed (masked) C file to the simulator's IR.
 *
 * Architecture invariant: extraction never throws on bad C. Every
 * function_definition gives a FunctionIR; what could not be understood is
 * listed in `uncertain` (per function) or in the file's `uncertain`.
 *
 *   text.ts    offsets to locations, original text, the mask's rewrites
 *   nodes.ts   cached node types/ends, field ids, node text (speed)
 *   types.ts   declarators, parameters, return kinds, lock annotations
 *   context.ts per-function state (blocks, scopes, labels, temporaries)
 *   expr.ts    expressions, calls, aliases, assignments, stores, conditions
 *   cfg.ts     statements to blocks; threading, pruning, numbering
 *   print.ts   the text dump
 */
import type { Tree, SyntaxNode } from '../parser';
import type { FileIR, FunctionIR } from '../../../simulator/src/ir';
import type { MaskResult } from '../kernelc/mask-types';
import { SourceText } from './text';
import { FnCtx } from './context';
import { finish, lowerBody, lowerStmt, unknownLoop } from './cfg';
import { functionHeader, headerAnnotations } from './types';
import { beginTree, endTree, fld, ty, txt } from './nodes';
import { CONTRACTS } from '../../../simulator/src/contracts';
import type { Contract } from '../../../simulator/src/contract-types';

export { printIR, printEvent, printTerm, printCond } from './print';
export type { PrintOptions } from './print';

export interface ExtractOptions {
  /** functions for which this returns false are skipped entirely */
  filter?: (name: string, bodyText: string) => boolean;
  /**
   * the calls that map DAX memory into out-parameters, by name, with their
   * positions (`daxMapCalls(contracts)`: the built-in ones and a workspace's
   * own); default the built-in ones
   */
  daxMaps?: DaxMaps;
}

/** DAX mapping calls and the argument positions of their out-parameters, and a regex that finds them in text. */
export interface DaxMaps {
  calls: ReadonlyMap<string, readonly number[]>;
  text: RegExp;
}

const CONTAINERS = new Set([
  'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef',
  'linkage_specification', 'declaration_list',
]);

export function extractFile(tree: Tree, mask: MaskResult, opts: ExtractOptions = {}): FileIR {
  const src = new SourceText(mask);
  const out: FileIR = { functions: [], uncertain: [] };
  const def = (n: SyntaxNode) => {
    const r = extractFunction(n, src, opts.filter, opts.daxMaps);
    if (r.fn) out.functions.push(r.fn);
    for (const nested of r.nested) def(nested);
  };
  const visit = (n: SyntaxNode, depth: number) => {
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (ty(c) === 'function_definition') def(c);
      else if (ty(c) === 'ERROR') {
        out.uncertain.push({ loc: src.loc(c.startIndex, c.endIndex), reason: 'unparseable top-level region' });
        if (depth < 16) visit(c, depth + 1);
      } else if (CONTAINERS.has(ty(c)) && depth < 16) visit(c, depth + 1);
    }
  };
  try {
    beginTree(tree, mask.text);
    visit(tree.rootNode, 0);
  } catch (e) {
    out.uncertain.push({ loc: { line: 1, column: 1, endLine: 1, endColumn: 1 }, reason: 'internal error: ' + errText(e) });
  } finally {
    endTree();
  }
  return out;
}

/** The function whose definition contains the 1-based `line`, if any. */
export function extractFunctionAt(tree: Tree, mask: MaskResult, line: number, opts: ExtractOptions = {}): FunctionIR | undefined {
  try {
    const src = new SourceText(mask);
    const row = line - 1;
    let off = src.lines.lineStart(row);
    if (src.lines.row(off) !== row) return undefined;
    // the first non-blank character of the line
    const text = mask.text;
    while (off < text.length && (text[off] === ' ' || text[off] === '\t')) off++;
    beginTree(tree, mask.text);
    let n: SyntaxNode | null = tree.rootNode.descendantForIndex(off, off);
    while (n && ty(n) !== 'function_definition') n = n.parent;
    if (!n) return undefined;
    return extractFunction(n, src, undefined, opts.daxMaps).fn;
  } catch {
    return undefined;
  } finally {
    endTree();
  }
}

/**
 * The functions of the given function_definition nodes of `tree`, each with
 * the definitions nested in it, as extractFile() would give them (for
 * callers that re-extract only the definitions that changed).
 */
export function extractDefinitions(tree: Tree, mask: MaskResult, defs: SyntaxNode[], opts: ExtractOptions = {}): FunctionIR[][] {
  const src = new SourceText(mask);
  try {
    beginTree(tree, mask.text);
    return defs.map((d) => {
      const out: FunctionIR[] = [];
      const def = (n: SyntaxNode) => {
        const r = extractFunction(n, src, undefined, opts.daxMaps);
        if (r.fn) out.push(r.fn);
        for (const nested of r.nested) def(nested);
      };
      def(d);
      return out;
    });
  } finally {
    endTree();
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function extractFunction(
  def: SyntaxNode,
  src: SourceText,
  filter?: (name: string, bodyText: string) => boolean,
  daxMaps: DaxMaps = daxMapCalls(undefined),
): { fn?: FunctionIR; nested: SyntaxNode[] } {
  const loc = src.loc(def.startIndex, def.endIndex);
  let fn: FunctionIR | undefined;
  let nested: SyntaxNode[] = [];
  try {
    const header = functionHeader(def, src);
    const body = fld(def, 'body');
    if (filter && !filter(header.name, body ? txt(body) : '')) return { nested: [] };
    fn = {
      name: header.name || '(unnamed)',
      loc,
      nameLoc: header.nameNode ? src.loc(header.nameNode.startIndex, header.nameNode.endIndex) : loc,
      params: header.params,
      returns: header.returns,
      returnsPointer: header.returnsPointer,
      annotations: headerAnnotations(def, body, header.params, src),
      locals: [],
      localNames: [],
      blocks: [],
      entry: 0,
      uncertain: [],
    };
    const ctx = new FnCtx(src);
    ctx.lowerStmt = (n) => lowerStmt(ctx, n);
    ctx.lowerLoop = (at, atLeastOnce, body) => unknownLoop(ctx, ctx.loc(at), ctx.text(at), atLeastOnce, body);
    if (!header.name) ctx.uncertainty(loc, 'function name not found');
    ctx.clean = !def.hasError;
    const decl = fld(def, 'declarator');
    if (decl && !ctx.clean && decl.hasError) ctx.uncertainty(src.loc(decl.startIndex, decl.endIndex), 'syntax error in function header');
    for (const p of header.params) ctx.declare(p.name, p.out ? 'other' : p.kind, false);
    if (body) ctx.daxVars = daxOutVars(body, daxMaps);
    if (body && ty(body) === 'compound_statement') lowerBody(ctx, body);
    else {
      ctx.uncertainty(loc, 'function body not found');
      ctx.terminate({ kind: 'return', cleanups: [], loc });
    }
    const g = finish(ctx, { line: loc.endLine, column: loc.endColumn, endLine: loc.endLine, endColumn: loc.endColumn });
    fn.blocks = g.blocks;
    fn.entry = g.entry;
    fn.locals = ctx.locals;
    fn.localNames = [...ctx.allLocals];
    const defs = ctx.irDefs();
    if (defs) fn.defs = defs;
    fn.uncertain = ctx.uncertain;
    nested = ctx.nested;
    return { fn, nested };
  } catch (e) {
    const f: FunctionIR = fn ?? {
      name: '(unknown)',
      loc,
      nameLoc: loc,
      params: [],
      returns: 'int',
      annotations: [],
      locals: [],
      blocks: [],
      entry: 0,
      uncertain: [],
    };
    f.blocks = [{ id: 0, events: [], term: { kind: 'return', cleanups: [], loc } }];
    f.entry = 0;
    f.locals = [];
    f.uncertain = [{ loc, reason: 'internal error during extraction: ' + errText(e) }];
    return { fn: f, nested };
  }
}

const daxCache = new WeakMap<object, DaxMaps>();
const NO_EXTRA: Contract[] = [];

/** The DAX mapping calls of the built-in contracts and of `extra` (a workspace's own; cached per array). */
export function daxMapCalls(extra: readonly Contract[] | undefined): DaxMaps {
  const key = extra && extra.length ? extra : NO_EXTRA;
  let m = daxCache.get(key);
  if (!m) {
    const calls = new Map<string, readonly number[]>();
    for (const c of [...CONTRACTS, ...key]) {
      for (const e of c.effects) if (e.op === 'dax-map') calls.set(c.name, e.outArgs);
    }
    const text = calls.size ? new RegExp('\\b(?:' + [...calls.keys()].join('|') + ')\\s*\\(') : /(?!)/;
    daxCache.set(key, (m = { calls, text }));
  }
  return m;
}

/** The variables whose address a DAX mapping call receives in this body (`&kaddr`, `&pfn`). */
function daxOutVars(body: SyntaxNode, maps: DaxMaps): Set<string> | undefined {
  if (!maps.text.test(body.text)) return undefined;
  const out = new Set<string>();
  const stack: SyntaxNode[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (ty(n) === 'call_expression') {
      const fn = fld(n, 'function');
      const idx = fn && ty(fn) === 'identifier' ? maps.calls.get(txt(fn)) : undefined;
      const args = idx ? fld(n, 'arguments')?.namedChildren ?? [] : [];
      for (const i of idx ?? []) {
        const a = args[i];
        if (!a || ty(a) !== 'pointer_expression') continue;
        const x = fld(a, 'argument');
        if (x && ty(x) === 'identifier' && a.text.trimStart().startsWith('&')) out.add(txt(x));
      }
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return out.size ? out : undefined;
}
