#!/usr/bin/env node
// Copies the wasm files that npm packages ship into grammars/, where the
// engine loads them from. They are build products: never committed.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const dest = path.join(root, 'grammars');
const files = [
  ['tree-sitter-c', 'tree-sitter-c.wasm'],
  ['web-tree-sitter', 'tree-sitter.wasm'],
];
fs.mkdirSync(dest, { recursive: true });
for (const [pkg, file] of files) {
  const pkgDir = path.join(root, 'node_modules', pkg);
  const src = path.join(pkgDir, file);
  if (!fs.existsSync(src)) {
    console.error(`copy-grammars: ${pkg} does not ship ${file} (looked at ${src})`);
    process.exit(1);
  }
  fs.copyFileSync(src, path.join(dest, file));
}
