/**
 * The one place where the C grammar is loaded, with two backends:
 *
 * - wasm: web-tree-sitter and the tree-sitter-c wasm, loaded once per process
 *   (or worker thread); every caller shares the same Language. The language
 *   server and the VS Code extension use only this one (it needs no native
 *   module, and it is the one that re-parses incrementally).
 * - native: the `tree-sitter` Node binding (an optional dependency built from
 *   source by `npm ci`) with tree-sitter-c's native grammar, for the CLI's
 *   whole-tree runs when asked (--parser native|auto; parser-native.ts).
 *   Which one the CLI takes by default is DEFAULT_PARSER below.
 *
 * Both runtimes are tree-sitter 0.25 and produce the same trees. Code
 * downstream (extract/, kernelc/, analyze.ts, patch/) sees them through
 * `SyntaxNode` and `Tree` below: the part of the node interface it uses,
 * which web-tree-sitter's Node and the native node both have (the native
 * side is given the few members it lacks once, at load: parser-native.ts).
 *
 * The wasm files are the ones the npm packages ship: `npm run build` copies
 * them into grammars/ (see scripts/copy-grammars.js). When grammars/ has not
 * been populated (running from a partial checkout), they are resolved from
 * node_modules instead.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Parser, Language, type Node as WasmNode, type Tree as WasmTree } from 'web-tree-sitter';
// parser-native requires the native module only when asked to (never in the editor)
import { createNativeParser, nativeLoadError } from './parser-native';

export { Parser };

export interface Point {
  row: number;
  column: number;
}

/** The part of a tree-sitter node that Folio Lens uses; both backends' nodes have it. */
export interface SyntaxNode {
  readonly id: number;
  readonly tree: Tree;
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: Point;
  readonly endPosition: Point;
  readonly isNamed: boolean;
  readonly isError: boolean;
  readonly isMissing: boolean;
  readonly hasError: boolean;
  readonly parent: SyntaxNode | null;
  readonly childCount: number;
  readonly namedChildCount: number;
  readonly children: (SyntaxNode | null)[];
  readonly namedChildren: (SyntaxNode | null)[];
  readonly firstChild: SyntaxNode | null;
  readonly lastChild: SyntaxNode | null;
  readonly firstNamedChild: SyntaxNode | null;
  readonly lastNamedChild: SyntaxNode | null;
  readonly nextSibling: SyntaxNode | null;
  readonly previousSibling: SyntaxNode | null;
  readonly nextNamedSibling: SyntaxNode | null;
  readonly previousNamedSibling: SyntaxNode | null;
  child(index: number): SyntaxNode | null;
  namedChild(index: number): SyntaxNode | null;
  childForFieldName(name: string): SyntaxNode | null;
  childForFieldId(id: number): SyntaxNode | null;
  childrenForFieldId(id: number): (SyntaxNode | null)[];
  descendantForIndex(start: number, end?: number): SyntaxNode | null;
  walk(): TreeCursor;
  /** the S-expression of the subtree */
  toString(): string;
}

export interface TreeCursor {
  readonly currentNode: SyntaxNode;
  readonly nodeType: string;
  gotoFirstChild(): boolean;
  gotoNextSibling(): boolean;
  gotoParent(): boolean;
  delete(): void;
}

export interface Tree {
  readonly rootNode: SyntaxNode;
  /** field names by field id (index 0 is null), as web-tree-sitter's Language has them */
  readonly language: { readonly fields: readonly (string | null)[] };
  /** frees a wasm tree now; a native tree is freed by the garbage collector */
  delete(): void;
}

export type Backend = 'native' | 'wasm';
export const BACKENDS: readonly Backend[] = ['native', 'wasm'];

/** What parses C for a whole-file analysis: either backend. */
export interface CParser {
  readonly backend: Backend;
  parse(text: string): Tree | null;
}

// web-tree-sitter's types must fit the interface (a compile-time check)
((n: WasmNode, t: WasmTree): [SyntaxNode, Tree] => [n, t]);

const ROOT = findRoot(__dirname);

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'grammars'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(start, '..', '..', '..');
    dir = up;
  }
}

function locate(file: string, pkg: string): string {
  const local = path.join(ROOT, 'grammars', file);
  if (fs.existsSync(local)) return local;
  return path.join(ROOT, 'node_modules', pkg, file);
}

let loading: Promise<Language> | undefined;

/** Load the runtime and the C grammar (once). */
export function loadC(): Promise<Language> {
  if (!loading) {
    loading = (async () => {
      const runtime = locate('tree-sitter.wasm', 'web-tree-sitter');
      await Parser.init({ locateFile: () => runtime } as unknown as EmscriptenModuleLike);
      return Language.load(locate('tree-sitter-c.wasm', 'tree-sitter-c'));
    })();
  }
  return loading;
}

type EmscriptenModuleLike = Parameters<typeof Parser.init>[0];

/**
 * A web-tree-sitter parser for C, ready to use (the language server's, with
 * incremental re-parsing). Parsers are cheap; the Language is shared.
 */
export async function createParser(): Promise<Parser> {
  const lang = await loadC();
  const p = new Parser();
  p.setLanguage(lang);
  return p;
}

/**
 * A parser of either backend. `native` throws when the native module does
 * not load (see `resolveBackend` for the fallback).
 */
export async function openParser(backend: Backend): Promise<CParser> {
  if (backend === 'native') {
    return createNativeParser();
  }
  const p = await createParser();
  return { backend: 'wasm', parse: (text: string) => p.parse(text) };
}

/**
 * What the CLI asks for: a backend, or `auto` (native when its module loads,
 * else wasm after a one-line notice).
 */
export type ParserChoice = Backend | 'auto';
export const PARSER_CHOICES: readonly ParserChoice[] = ['auto', 'native', 'wasm'];

/**
 * What whole-tree runs use when nothing asks: the faster, measured
 * (BENCHMARKS.md, "Parser backends"). wasm: on kernel fs/ + mm/ the native
 * binding parses faster but its node access costs the extractor more, and
 * the whole check comes out no faster (same CPU within a few per cent, wall
 * no better).
 */
export const DEFAULT_PARSER: ParserChoice = 'wasm';

let processBackend: Backend = 'wasm';

/**
 * The backend `Analyzer.create()` uses in this process when not told: wasm
 * unless the CLI has chosen (the language server never does).
 */
export function defaultBackend(): Backend {
  return processBackend;
}

export function setDefaultBackend(b: Backend): void {
  processBackend = b;
}

export interface BackendChoice {
  backend: Backend;
  /** one line for stderr when the preferred backend could not be had */
  notice?: string;
}

/**
 * Which backend to use: `requested` (the CLI's --parser) or else
 * FOLIO_LENS_PARSER, or else DEFAULT_PARSER. `native` that does not load is
 * an error; `auto` falls back to wasm with a notice.
 */
export async function resolveBackend(requested?: string): Promise<BackendChoice> {
  const asked = requested ?? (process.env.FOLIO_LENS_PARSER || undefined);
  if (asked !== undefined && !PARSER_CHOICES.includes(asked as ParserChoice)) {
    throw new Error(`unknown parser '${asked}'${requested === undefined ? ' in FOLIO_LENS_PARSER' : ''} (${PARSER_CHOICES.join(', ')})`);
  }
  const want = (asked as ParserChoice | undefined) ?? DEFAULT_PARSER;
  if (want === 'wasm') return { backend: 'wasm' };
  const err = nativeLoadError();
  if (!err) return { backend: 'native' };
  if (want === 'native') throw new Error(`the native tree-sitter parser does not load: ${err}`);
  return { backend: 'wasm', notice: `folio-lens: native tree-sitter not available (${err}); using the wasm parser` };
}

/** The backend `resolveBackend()` picks here with nothing asked, without a notice. */
export function cliDefaultBackend(): Backend {
  return DEFAULT_PARSER === 'wasm' || (DEFAULT_PARSER === 'auto' && nativeLoadError()) ? 'wasm' : 'native';
}
