#!/usr/bin/env node
// Bundles the VS Code extension into dist/ with esbuild:
//   dist/extension.js  the client (vscode stays external)
//   dist/server.js     the language server (server/src/lsp/main.ts)
//   dist/worker.js, dist/index-worker.js
//                      worker threads (pool.ts and lsp/workspace.ts load them
//                      from beside themselves, by these names)
//   dist/webview.js    the simulation view's script (browser, IIFE)
// The native tree-sitter binding (`tree-sitter`, and tree-sitter-c's native
// grammar) is never bundled: only the CLI loads it (server/src/parser-native.ts,
// by name, at run time); the editor runs the wasm parser, and the .vsix does
// not ship the native module.
// web-tree-sitter's ESM build needs import.meta.url, which a CommonJS bundle
// does not have: the bundle takes its CommonJS build instead. The wasm files
// are not copied: parser.ts finds them in <package root>/grammars, and the
// .vsix ships grammars/ beside dist/.
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const rel = (p) => path.join(root, p);

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode', 'tree-sitter', 'tree-sitter-c', 'node-gyp-build'],
  alias: { 'web-tree-sitter': rel('node_modules/web-tree-sitter/tree-sitter.cjs') },
  logLevel: 'warning',
  legalComments: 'none',
};

async function main() {
  const t0 = Date.now();
  fs.rmSync(rel('dist'), { recursive: true, force: true });
  const builds = [
    esbuild.build({ ...node, entryPoints: [rel('extension/src/extension.ts')], outfile: rel('dist/extension.js') }),
    esbuild.build({
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      entryPoints: [rel('extension/webview/main.ts')],
      outfile: rel('dist/webview.js'),
      logLevel: 'warning',
    }),
  ];
  const server = [
    ['server/src/lsp/main.ts', 'dist/server.js'],
    ['server/src/lsp/index-worker.ts', 'dist/index-worker.js'],
    ['server/src/worker.ts', 'dist/worker.js'],
  ];
  for (const [entry, outfile] of server) {
    if (fs.existsSync(rel(entry))) builds.push(esbuild.build({ ...node, entryPoints: [rel(entry)], outfile: rel(outfile) }));
    else console.warn(`bundle: ${entry} does not exist: ${outfile} not built`);
  }
  await Promise.all(builds);
  for (const f of ['dist/server.js', 'dist/worker.js', 'dist/index-worker.js']) {
    // the native binding must stay out of the editor's bundle
    if (fs.existsSync(rel(f)) && /tree_sitter_runtime_binding|node-gyp-build\/index\.js/.test(fs.readFileSync(rel(f), 'utf8'))) {
      throw new Error(`bundle: ${f} contains the native tree-sitter binding`);
    }
  }
  for (const f of ['tree-sitter.wasm', 'tree-sitter-c.wasm']) {
    if (!fs.existsSync(rel(`grammars/${f}`))) throw new Error(`bundle: grammars/${f} is missing (run npm run build first)`);
  }
  console.log(`bundle: dist/ in ${Date.now() - t0} ms`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
