/**
 * The native backend: the `tree-sitter` Node binding (an optional
 * dependency, built from source by `npm ci`) with tree-sitter-c's native
 * grammar. Loaded only by whole-tree runs (the CLI and its workers, the
 * benchmarks); the language server and the editor's bundle never load it.
 *
 * The native node already has almost all of the `SyntaxNode` interface in
 * parser.ts, with the same meaning (positions are UTF-16 offsets in both
 * runtimes). Three members it lacks are given to it once, here, rather than
 * wrapping every node (which would cost an object per node visited):
 * - `tree.language.fields`: field names by id, read from the binding;
 * - `tree.delete()`: nothing to do beyond dropping the tree's copy of the
 *   text; the tree itself is freed by the garbage collector (its finaliser
 *   runs on a later turn of the event loop, so long synchronous loops must
 *   yield: see `yieldToGc`);
 * - `cursor.delete()`: likewise nothing.
 *
 * The module is required by name at run time, so that the TypeScript build
 * and the bundle do not depend on it being installed.
 */
import * as path from 'path';
import type { CParser, Tree } from './parser';

interface NativeLanguage {
  language: unknown;
  fields?: (string | null)[];
}

interface NativeParserCtor {
  new (): { setLanguage(l: NativeLanguage): void; parse(text: string): Tree | undefined };
  TreeCursor: { prototype: Record<string, unknown> };
  Tree: { prototype: Record<string, unknown> };
  SyntaxNode: { prototype: object };
}

/** A native node: the binding keeps the TSNode it stands for in six numbered fields. */
interface Marshalled {
  [field: number]: number;
}

interface Loaded {
  Parser: NativeParserCtor;
  C: NativeLanguage;
}

let loaded: Loaded | undefined;
let loadError: string | undefined;

/** The module to load instead of `tree-sitter`; only the tests set it, to make loading fail. */
const MODULE = process.env.FOLIO_LENS_NATIVE_MODULE || 'tree-sitter';

function load(): Loaded | undefined {
  if (loaded || loadError !== undefined) return loaded;
  try {
    const Parser = require(MODULE) as NativeParserCtor;
    const C = require('tree-sitter-c') as NativeLanguage;
    if (!C.fields) C.fields = fieldNames(C);
    const noop = function (): void {};
    if (!('delete' in Parser.TreeCursor.prototype)) Parser.TreeCursor.prototype.delete = noop;
    // The binding keeps a weak reference and a finaliser for every node object
    // it hands out, so that asking for the same node twice gives the same
    // object. Nothing here relies on that (nodes are compared by id, as
    // web-tree-sitter's must be), and it doubled the native extraction
    // time and made memory grow: nodes are left uncached.
    Parser.Tree.prototype._cacheNode = noop;
    Parser.Tree.prototype._cacheNodes = noop;
    // Three getters the extractor calls most, computed from the fields the
    // binding has already transferred (the subtree's address in 0-1, the
    // start byte, row and byte column in 2-4; offsets are UTF-16 bytes)
    // instead of one call into the binding each, exactly as the binding
    // computes them (node.cc: Id, StartIndex, StartPosition). Checked
    // against the binding's own getters on a trial parse below.
    const proto = Parser.SyntaxNode.prototype;
    const own = (k: string) => Object.getOwnPropertyDescriptor(proto, k)!;
    const shipped = { id: own('id'), startIndex: own('startIndex'), startPosition: own('startPosition') };
    Object.defineProperties(proto, {
      id: { get(this: Marshalled) { return this[0] + this[1] * 0x100000000; }, configurable: true },
      startIndex: { get(this: Marshalled) { return this[2] >>> 1; }, configurable: true },
      startPosition: { get(this: Marshalled) { return { row: this[3], column: this[4] >>> 1 }; }, configurable: true },
    });
    if (!('delete' in Parser.Tree.prototype)) {
      Parser.Tree.prototype.delete = function (this: { input?: unknown }): void {
        this.input = undefined;
      };
    }
    // one parse, so that a binding that loads but cannot parse falls back too
    const p = new Parser();
    p.setLanguage(C);
    const t = p.parse('/* \u00e9\u{1F642} */\nint f(void) { return "\u00e9\u{1F642}"[0]; }\n');
    if (!t || t.rootNode.type !== 'translation_unit' || t.rootNode.hasError) throw new Error('a trial parse failed');
    if (!sameAsShipped(t.rootNode as unknown as TrialNode, shipped)) {
      // another build of the binding: keep its own getters (slower, still right)
      Object.defineProperties(proto, shipped);
    }
    loaded = { Parser, C };
  } catch (e) {
    loadError = ((e as Error).message ?? String(e)).split('\n')[0];
  }
  return loaded;
}

interface TrialNode {
  children: TrialNode[];
}

/** Whether the JS getters give what the binding's own give, on every node of a trial tree. */
function sameAsShipped(root: TrialNode, shipped: Record<'id' | 'startIndex' | 'startPosition', PropertyDescriptor>): boolean {
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    for (const k of ['id', 'startIndex', 'startPosition'] as const) {
      const mine = (n as unknown as Record<string, unknown>)[k];
      const theirs = shipped[k].get!.call(n);
      if (JSON.stringify(mine) !== JSON.stringify(theirs)) return false;
    }
    stack.push(...n.children);
  }
  return true;
}

/** Field names by field id, as the grammar numbers them (index 0 is null). */
function fieldNames(C: NativeLanguage): (string | null)[] {
  const dir = path.dirname(require.resolve(`${MODULE}/package.json`));
  // the binding the package itself loaded (node-gyp-build resolves the same file, and require caches it)
  const gypBuild = require(require.resolve('node-gyp-build', { paths: [dir] })) as (d: string) => {
    getNodeFieldNamesById?: (l: unknown) => (string | null | undefined)[];
  };
  const binding = gypBuild(dir);
  if (typeof binding.getNodeFieldNamesById !== 'function') throw new Error('the binding does not list field names');
  return binding.getNodeFieldNamesById(C.language).map((n, i) => (i === 0 || !n ? null : n));
}

/** Why the native backend does not load, or undefined when it does. */
export function nativeLoadError(): string | undefined {
  load();
  return loadError;
}

/** A native parser for C; throws when the module does not load. */
export function createNativeParser(): CParser {
  const l = load();
  if (!l) throw new Error(`the native tree-sitter parser does not load: ${loadError}`);
  const p = new l.Parser();
  p.setLanguage(l.C);
  return {
    backend: 'native',
    parse: (text: string) => p.parse(text) ?? null,
  };
}

/**
 * Let the finalisers of garbage-collected native trees run: a turn of the
 * event loop. Loops that parse many files on one thread call it between
 * files (worker threads return to the event loop after each file anyway).
 */
export function yieldToGc(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
