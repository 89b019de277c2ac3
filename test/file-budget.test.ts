/**
 * The per-file budget of analyseFile (simulator/src/index.ts): once the
 * functions of a file have used it together (states or wall clock), the
 * rest are not simulated and each gets an analysis-incomplete info finding
 * naming it and why. Real pipeline: mask, parse, extract, simulate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParser, type Parser } from '../server/src/parser';
import { maskKernelC } from '../server/src/kernelc/mask';
import { extractFile } from '../server/src/extract';
import { analyseFile, simulateFunction, DEFAULT_BUDGET, DEFAULT_FILE_BUDGET, MAX_FINDINGS_PER_FUNCTION } from '../simulator/src/index';
import type { FileIR } from '../simulator/src/ir';

let parser: Parser | undefined;
async function fileIR(src: string): Promise<FileIR> {
  parser ??= await createParser();
  const m = maskKernelC(src);
  const tree = parser.parse(m.text);
  if (!tree) throw new Error('parse failed');
  try {
    return extractFile(tree, m);
  } finally {
    tree.delete();
  }
}

/** A function whose paths never merge: it runs into its own time budget. */
function heavy(name: string): string {
  let b = '';
  for (let i = 0; i < 2000; i++) b += `\tif (x & ${i}) folio_lock(folio); else if (x > ${i}) folio_unlock(folio);\n`;
  return `static void ${name}(struct folio *folio, int x)\n{\n${b}}\n\n`;
}

function small(name: string): string {
  return `static void ${name}(struct address_space *m, pgoff_t i)\n{\n\tstruct folio *folio = filemap_get_folio(m, i);\n\n\tif (IS_ERR(folio))\n\t\treturn;\n\tfolio_put(folio);\n}\n\n`;
}

test('file budget: the defaults are larger than one function budget', () => {
  assert.ok(DEFAULT_FILE_BUDGET.maxMillis >= 10 * DEFAULT_BUDGET.maxMillis);
  assert.ok(DEFAULT_FILE_BUDGET.maxStates >= 10 * DEFAULT_BUDGET.maxStates);
});

test('file budget in states: the functions after it is used up are named as not analysed', async () => {
  const ir = await fileIR(Array.from({ length: 20 }, (_, i) => small(`fb_small_${i}`)).join(''));
  assert.equal(ir.functions.length, 20);
  const all = analyseFile(ir, { kernelVersion: '6.12' });
  const perFn = [...all.results.values()].map((r) => r.stats.states);
  assert.ok(perFn.every((s) => s > 0));
  assert.ok([...all.results.values()].every((r) => !r.stats.incomplete));
  // room for about five of them
  const maxStates = perFn[0] * 5;
  const { results } = analyseFile(ir, { kernelVersion: '6.12', fileBudget: { maxStates, maxMillis: 1e9 } });
  assert.equal(results.size, 20);
  const skipped = [...results].filter(([, r]) => r.stats.incomplete?.startsWith('not analysed'));
  const done = [...results].filter(([, r]) => !r.stats.incomplete);
  assert.ok(done.length >= 5 && done.length <= 7, `${done.length} analysed`);
  assert.equal(skipped.length + done.length, 20);
  for (const [name, r] of skipped) {
    assert.equal(r.findings.length, 1);
    const f = r.findings[0];
    assert.equal(f.rule, 'analysis-incomplete');
    assert.equal(f.severity, 'info');
    assert.equal(f.function, name);
    assert.match(f.message, new RegExp(`did not analyse ${name}\\(\\)`));
    assert.match(f.message, new RegExp(`more than ${maxStates} states`));
    assert.ok(f.loc.line > 0);
  }
});

test('file budget in time: a file of 25 functions that each use their whole budget stops near the file budget', { timeout: 120000 }, async () => {
  const ir = await fileIR(Array.from({ length: 25 }, (_, i) => heavy(`fb_heavy_${i}`)).join(''));
  assert.equal(ir.functions.length, 25);
  const fileMillis = 1000;
  const t = performance.now();
  const { results } = analyseFile(ir, { kernelVersion: '6.12', fileBudget: { maxStates: 1e12, maxMillis: fileMillis } });
  const ms = performance.now() - t;
  // without the file budget: 25 x 200 ms and more. With it: the file budget
  // plus at most one function's budget and its overshoot (generous: CI is loaded).
  assert.ok(ms < fileMillis + 4 * DEFAULT_BUDGET.maxMillis + 2000, `${ms.toFixed(0)} ms`);
  const skipped = [...results].filter(([, r]) => r.stats.incomplete?.startsWith('not analysed'));
  assert.ok(skipped.length >= 10, `${skipped.length} not analysed`);
  for (const [name, r] of skipped) {
    assert.match(r.findings[0].message, new RegExp(`did not analyse ${name}\\(\\).*more than ${fileMillis} ms`));
  }
  // the ones analysed ran into their own (per-function) budget and say so
  const own = [...results].filter(([, r]) => r.stats.incomplete && !r.stats.incomplete.startsWith('not analysed'));
  assert.ok(own.length >= 1);
  for (const [, r] of own) assert.ok(r.findings.some((f) => f.rule === 'analysis-incomplete' && /could not explore every path/.test(f.message)));
});

test('findings cap: a function with hundreds of findings keeps the first 50 by line and names itself in an info finding', async () => {
  let b = '';
  for (let i = 0; i < 200; i++) b += `\tfolio_unlock(folio);\n\tfolio_put(folio);\n`;
  const ir = await fileIR(`static void fb_many(struct address_space *m, pgoff_t i)\n{\n\tstruct folio *folio = filemap_get_folio(m, i);\n\n\tif (IS_ERR(folio))\n\t\treturn;\n${b}}\n`);
  const raw = simulateFunction(ir.functions[0], { kernelVersion: '6.12' });
  const { results } = analyseFile(ir, { kernelVersion: '6.12' });
  for (const r of [raw, results.get('fb_many')!]) {
    const real = r.findings.filter((f) => f.rule !== 'analysis-incomplete');
    assert.equal(real.length, MAX_FINDINGS_PER_FUNCTION);
    const note = r.findings.find((f) => f.rule === 'analysis-incomplete');
    assert.ok(note);
    assert.equal(note.severity, 'info');
    assert.match(note.message, /found \d+ problems in fb_many\(\), more than the 50 it reports for one function/);
    const lines = real.map((f) => f.loc.line);
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
  }
});
