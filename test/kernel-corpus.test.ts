/**
 * The real workload: every .c file of fs/ + mm/ of the 6.12 kernel
 * (Debian's linux-source, unpacked by ../shared/scripts/kernel-source; CI
 * sets FOLIO_LENS_KERNEL_612). No file may crash the engine, and at most 1 %
 * of the functions simulated may run out of budget.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { analyzeFiles } from '../server/src/pool';
import { collectFiles } from '../server/src/files';

function findTree(): string | undefined {
  const env = process.env.FOLIO_LENS_KERNEL_612;
  if (env) return env;
  const cache = process.env.KERNEL_SOURCE_CACHE ?? path.join(os.homedir(), '.cache', 'kernel-source');
  const dir = path.join(cache, 'linux-6.12');
  return fs.existsSync(path.join(dir, '.complete')) ? dir : undefined;
}

const tree = findTree();

test('fs/ + mm/ of the 6.12 kernel: no crash, budgets kept', { skip: tree ? false : 'no 6.12 tree (run ../shared/scripts/kernel-source 6.12)', timeout: 600_000 }, async () => {
  const files = collectFiles([path.join(tree!, 'fs'), path.join(tree!, 'mm')]).files.filter((f) => f.endsWith('.c'));
  assert.ok(files.length > 1500, `only ${files.length} files under ${tree}`);
  const results = await analyzeFiles(files, { kernelVersion: '6.12' });
  const failed = results.filter((r) => r.error);
  assert.deepEqual(failed.map((r) => `${r.file}: ${r.error}`), []);
  const functions = results.reduce((n, r) => n + r.functions, 0);
  const over = results.reduce((n, r) => n + r.overBudget, 0);
  const slowest = results.reduce((m, r) => (r.slowest && r.slowest.millis > m.millis ? { ...r.slowest, file: r.file } : m), { name: '', millis: 0, file: '' });
  const byRule = new Map<string, number>();
  for (const r of results) for (const d of r.diagnostics) byRule.set(d.rule, (byRule.get(d.rule) ?? 0) + 1);
  console.log(`# ${files.length} files, ${functions} functions simulated, ${over} over budget, slowest ${slowest.name} (${path.relative(tree!, slowest.file)}) ${slowest.millis.toFixed(1)} ms`);
  console.log(`# findings by rule: ${[...byRule].sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
  assert.ok(functions > 2500, `only ${functions} functions simulated`);
  assert.ok(over <= functions * 0.01, `${over} of ${functions} functions over budget`);
});
