/**
 * Hostile contracts files (server/src/contracts-file.ts): outside the
 * workspace (symbolic links resolved), too large, not a regular file, and
 * enormous values inside. Each gives one clear message naming the file and
 * the field (or the setting), and the valid entries and the built-in table
 * keep working. Real files in a temporary workspace.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MAX_CONTRACTS_FILE_BYTES, MAX_DEPTH, parseContractsFile, readContractsFile } from '../server/src/contracts-file';
import { Analyzer } from '../server/src/analyze';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'folio-contracts-'));
const ws = path.join(root, 'ws');
const outside = path.join(root, 'elsewhere');
fs.mkdirSync(ws);
fs.mkdirSync(outside);
after(() => fs.rmSync(root, { recursive: true, force: true }));

const GOOD = { contracts: [{ name: 'myfs_put_folio', effects: [{ op: 'unlock' }, { op: 'put' }] }] };

function write(p: string, v: unknown): string {
  fs.writeFileSync(p, typeof v === 'string' ? v : JSON.stringify(v));
  return p;
}

test('contracts file inside the workspace is read', () => {
  const f = write(path.join(ws, 'c.json'), GOOD);
  const r = readContractsFile(f, [ws]);
  assert.ok('text' in r, JSON.stringify(r));
  assert.deepEqual(parseContractsFile(f, r.text).errors, []);
});

test('contracts file outside the workspace is refused, naming the file and the setting', () => {
  const f = write(path.join(outside, 'c.json'), GOOD);
  const r = readContractsFile(f, [ws]);
  assert.ok('error' in r);
  assert.match(r.error, /foliolens\.contractsFile/);
  assert.ok(r.error.includes(f), r.error);
  assert.match(r.error, /outside the workspace/);
  // the same through a relative path that climbs out
  const r2 = readContractsFile(path.resolve(ws, '../elsewhere/c.json'), [ws]);
  assert.ok('error' in r2 && /outside the workspace/.test(r2.error));
});

test('a symbolic link inside the workspace to a file outside it is refused (the real path is named)', () => {
  const target = write(path.join(outside, 'secret.json'), GOOD);
  const link = path.join(ws, 'link.json');
  fs.symlinkSync(target, link);
  const r = readContractsFile(link, [ws]);
  assert.ok('error' in r);
  assert.ok(r.error.includes(link) && r.error.includes(fs.realpathSync(target)), r.error);
  // and a link to a folder outside
  fs.symlinkSync(outside, path.join(ws, 'out'));
  const r2 = readContractsFile(path.join(ws, 'out', 'secret.json'), [ws]);
  assert.ok('error' in r2 && /outside the workspace/.test(r2.error));
});

test('a workspace reached through a symbolic link still contains its files', () => {
  const linkWs = path.join(root, 'ws-link');
  fs.symlinkSync(ws, linkWs);
  const f = write(path.join(ws, 'c2.json'), GOOD);
  assert.ok('text' in readContractsFile(path.join(linkWs, 'c2.json'), [linkWs]));
  assert.ok('text' in readContractsFile(f, [linkWs]));
});

test('with no workspace folder a contracts file is refused', () => {
  const r = readContractsFile(write(path.join(ws, 'c3.json'), GOOD), []);
  assert.ok('error' in r && /no folder is open/.test(r.error));
});

test('a contracts file over 1 MB is refused with its size', () => {
  const f = path.join(ws, 'big.json');
  fs.writeFileSync(f, JSON.stringify({ contracts: [], comment: 'x'.repeat(MAX_CONTRACTS_FILE_BYTES) }));
  const r = readContractsFile(f, [ws]);
  assert.ok('error' in r);
  assert.ok(r.error.includes(f));
  assert.match(r.error, /bytes, more than the 1048576 bytes \(1 MB\)/);
});

test('a folder, a missing file and a FIFO are refused without blocking', () => {
  fs.mkdirSync(path.join(ws, 'dir.json'));
  const d = readContractsFile(path.join(ws, 'dir.json'), [ws]);
  assert.ok('error' in d && /not a regular file/.test(d.error), JSON.stringify(d));
  const m = readContractsFile(path.join(ws, 'missing.json'), [ws]);
  assert.ok('error' in m && /cannot read \(ENOENT\)/.test(m.error));
  const fifo = path.join(ws, 'fifo.json');
  try {
    require('child_process').execFileSync('mkfifo', [fifo]);
  } catch {
    return; // no mkfifo here
  }
  const t = performance.now();
  const r = readContractsFile(fifo, [ws]);
  assert.ok('error' in r && /not a regular file/.test(r.error), JSON.stringify(r));
  assert.ok(performance.now() - t < 2000);
});

test('enormous values: each is a message naming the file and the field; valid entries stay', () => {
  const f = 'ws/c.json';
  const big = (entry: unknown) => parseContractsFile(f, JSON.stringify({ contracts: [entry, GOOD.contracts[0]] }));
  const cases: [unknown, RegExp][] = [
    [{ name: 'a'.repeat(100000), effects: [] }, /contracts\[0\]\.name: a string of 100000 characters \(at most 1000\)/],
    [{ name: 'x', doc: 'd'.repeat(500000), effects: [] }, /contracts\[0\]\.doc: a string of 500000 characters/],
    [{ name: 'x', source: 's'.repeat(5000), effects: [] }, /contracts\[0\]\.source: a string of 5000 characters/],
    [{ name: 'x', effects: Array.from({ length: 100000 }, () => ({ op: 'put' })) }, /contracts\[0\]\.effects: 100000 effects \(at most 32\)/],
    [{ name: 'x', versions: Array.from({ length: 50000 }, () => '6.12') }, /contracts\[0\]\.versions: 50000 entries/],
    [{ name: 'x', effects: [{ op: 'get', n: 1e308 }] }, /contracts\[0\]\.effects\[0\]\.n: 1e\+308 is not a count of references/],
    [{ name: 'x', effects: [{ op: 'put', arg: 123456789012345680000 }] }, /contracts\[0\]\.effects\[0\]\.arg: .* is not an argument number/],
    [{ name: 'x', effects: [{ op: 'pair-begin', pair: 'p'.repeat(20000) }] }, /contracts\[0\]\.effects\[0\]\.pair: a string of 20000 characters/],
    [{ name: 'x', effects: [{ op: 'dax-map', outArgs: Array.from({ length: 100000 }, () => 1) }] }, /contracts\[0\]\.effects\[0\]\.outArgs: a list of 1 to 8/],
  ];
  for (const [entry, re] of cases) {
    const t = performance.now();
    const r = big(entry);
    assert.ok(performance.now() - t < 2000);
    assert.equal(r.errors.length, 1, JSON.stringify(r.errors).slice(0, 300));
    assert.ok(r.errors[0].startsWith(`${f}: `), r.errors[0].slice(0, 200));
    assert.match(r.errors[0], re);
    assert.ok(r.errors[0].length < 400, 'the message does not repeat the enormous value');
    assert.deepEqual(r.contracts.map((c) => c.name), ['myfs_put_folio']);
  }
});

test('enormous documents: deep nesting and too many entries are refused as a whole, naming the field', () => {
  const deep = '['.repeat(50000) + '1' + ']'.repeat(50000);
  const r = parseContractsFile('c.json', `{"contracts": [{"name": "x", "effects": ${deep}}]}`);
  assert.equal(r.contracts.length, 0);
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0], new RegExp(`^c\\.json: contracts\\[0\\]\\.effects(\\[0\\])*: nested more than ${MAX_DEPTH} levels deep$`));
  const many = parseContractsFile('c.json', JSON.stringify({ contracts: Array.from({ length: 5000 }, (_, i) => ({ name: `f${i}`, effects: [] })) }));
  assert.deepEqual(many.errors, ['c.json: contracts: 5000 entries (at most 2000)']);
  const arr = parseContractsFile('c.json', JSON.stringify(Array.from({ length: 3000 }, (_, i) => ({ name: `f${i}`, effects: [] }))));
  assert.deepEqual(arr.errors, ['c.json: (top level): 3000 entries (at most 2000)']);
});

test('the built-in contracts keep working next to a refused file', async () => {
  const r = parseContractsFile('c.json', JSON.stringify({ contracts: [{ name: 'a'.repeat(5000), effects: [] }] }));
  assert.equal(r.contracts.length, 0);
  const analyzer = await Analyzer.create();
  const text = 'static int f(struct address_space *m, pgoff_t i)\n{\n\tstruct folio *folio = filemap_get_folio(m, i);\n\n\tif (IS_ERR(folio))\n\t\treturn PTR_ERR(folio);\n\treturn 0;\n}\n';
  const res = analyzer.analyzeText('f.c', text, { kernelVersion: '6.12', contracts: r.contracts });
  assert.ok(res.diagnostics.some((d) => d.rule === 'ref-leak'), JSON.stringify(res.diagnostics));
});
