/**
 * The one place where the C grammar is loaded. web-tree-sitter and the
 * tree-sitter-c wasm are loaded once per process (or worker thread); every
 * caller shares the same Language.
 *
 * The wasm files are the ones the npm packages ship: `npm run build` copies
 * them into grammars/ (see scripts/copy-grammars.js). When grammars/ has not
 * been populated (running from a partial checkout), they are resolved from
 * node_modules instead.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Parser, Language } from 'web-tree-sitter';

export type { Tree, Node as SyntaxNode } from 'web-tree-sitter';
export { Parser };

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

/** A parser for C, ready to use. Parsers are cheap; the Language is shared. */
export async function createParser(): Promise<Parser> {
  const lang = await loadC();
  const p = new Parser();
  p.setLanguage(lang);
  return p;
}
