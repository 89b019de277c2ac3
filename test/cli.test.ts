/**
 * The folio-lens command line, run as a user runs it (a child process on
 * the bundled examples and on files written here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'folio-lens.js');
const EXAMPLES = path.join(ROOT, 'examples');

function run(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'folio-lens-'));
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

const LEAK = `#include <linux/pagemap.h>

static int demo_peek(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio;

	folio = filemap_get_folio(mapping, index);
	if (IS_ERR(folio))
		return PTR_ERR(folio);
	if (!folio_test_uptodate(folio))
		return -EIO;
	folio_put(folio);
	return 0;
}
`;

test('check --format json: the documented document, exit 1 on findings', () => {
  const r = run(['check', '--format', 'json', 'examples']);
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.ok(Array.isArray(doc.diagnostics) && doc.diagnostics.length > 0);
  for (const d of doc.diagnostics) {
    for (const k of ['file', 'line', 'column', 'endLine', 'endColumn', 'rule', 'severity', 'message', 'function', 'path']) assert.ok(k in d, `missing ${k}`);
    assert.ok(['error', 'warning', 'info'].includes(d.severity));
    assert.ok(d.line >= 1 && d.column >= 1);
    for (const s of d.path) assert.ok(typeof s.line === 'number' && typeof s.note === 'string');
  }
  assert.deepEqual(Object.keys(doc.stats).sort(), ['files', 'functions', 'seconds']);
  assert.ok(doc.stats.files >= 3);
});

test('check text: gcc-style line with the rule, path and a summary', () => {
  const f = tmpFile('peek.c', LEAK);
  const r = run(['check', f]);
  assert.equal(r.code, 1);
  const first = r.stdout.split('\n')[0];
  assert.match(first, new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:11:3: (error|warning): .*'folio'.*filemap_get_folio.*line 7.*\\[ref-leak\\]$`));
  assert.match(first, /path: 7, 8, 10, 11/);
  assert.match(r.stdout, /:7:\d+: note: reference taken by filemap_get_folio\(\)/);
  assert.match(r.stdout, /folio-lens: \d+ error\(s\), \d+ warning\(s\) in 1 file\(s\)/);
});

test('a suppression comment silences the rule it names, on its line or the line before', () => {
  const f = tmpFile('peek.c', LEAK.replace('\t\treturn -EIO;', '\t\treturn -EIO;\t/* folio-lens: ignore ref-leak */'));
  assert.equal(run(['check', f]).code, 0);
  const g = tmpFile('peek.c', LEAK.replace('\t\treturn -EIO;', '\t\t/* folio-lens: ignore lock-leak */\n\t\treturn -EIO;'));
  assert.equal(run(['check', g]).code, 1, 'another rule named: still reported');
  const h = tmpFile('peek.c', LEAK.replace('\t\treturn -EIO;', '\t\t/* folio-lens: ignore ref-leak */\n\t\treturn -EIO;'));
  assert.equal(run(['check', h]).code, 0);
});

test('--rule keeps only the named rules', () => {
  const f = tmpFile('peek.c', LEAK);
  const r = run(['check', '--format', 'json', '--rule', 'lock-leak', f]);
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.stdout).diagnostics, []);
});

test('check --format sarif: SARIF 2.1.0 with rules, results, code flows', () => {
  const r = run(['check', '--format', 'sarif', 'examples']);
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.version, '2.1.0');
  const run0 = doc.runs[0];
  assert.equal(run0.tool.driver.name, 'folio-lens');
  const ids = run0.tool.driver.rules.map((x: { id: string }) => x.id);
  assert.ok(ids.includes('ref-leak'));
  for (const res of run0.results) {
    assert.equal(run0.tool.driver.rules[res.ruleIndex].id, res.ruleId);
    const loc = res.locations[0].physicalLocation;
    assert.ok(!path.isAbsolute(loc.artifactLocation.uri) && loc.artifactLocation.uri.startsWith('examples/'));
    assert.ok(loc.region.startLine >= 1);
    assert.ok(['error', 'warning', 'note'].includes(res.level));
  }
});

test('a clean file exits 0; usage errors and unreadable input exit 2', () => {
  const f = tmpFile('clean.c', LEAK.replace('\t\treturn -EIO;', '\t\tgoto out;').replace('\tfolio_put(folio);', 'out:\n\tfolio_put(folio);'));
  assert.equal(run(['check', f]).code, 0);
  assert.equal(run(['check']).code, 2);
  assert.equal(run(['check', '--format', 'xml', f]).code, 2);
  assert.equal(run(['check', '--kernel-version', '5.4', f]).code, 2);
  assert.equal(run(['check', '--rule', 'no-such-rule', f]).code, 2);
  assert.equal(run(['frobnicate']).code, 2);
  const missing = run(['check', '/nonexistent/folio-lens']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such file or folder/);
});

test('a folder with an unreadable file: reported once on stderr, the rest checked', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'folio-lens-'));
  fs.writeFileSync(path.join(dir, 'a.c'), LEAK);
  fs.writeFileSync(path.join(dir, 'b.c'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]));
  const r = run(['check', '--format', 'json', dir]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /b\.c: binary file/);
  assert.equal(JSON.parse(r.stdout).diagnostics.filter((d: { rule: string }) => d.rule === 'ref-leak').length, 1);
});

test('simulate: every path, every step, the folio state after it', () => {
  const f = tmpFile('peek.c', LEAK);
  const text = run(['simulate', f, 'demo_peek']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /demo_peek: 3 distinct path\(s\)/);
  assert.match(text.stdout, /folio: refs 1, /);
  assert.match(text.stdout, /!! ref-leak/);
  const json = JSON.parse(run(['simulate', '--format', 'json', f, 'demo_peek']).stdout);
  assert.equal(json.function, 'demo_peek');
  assert.equal(json.paths.length, 3);
  const steps = json.paths.flatMap((p: { steps: unknown[] }) => p.steps);
  assert.ok(steps.some((s: { objects: { refs: number }[] }) => s.objects.some((o) => o.refs === 1)));
  assert.equal(run(['simulate', f, 'no_such_function']).code, 2);
});

test('examples: the planted bugs are found', () => {
  const r = run(['check', '--format', 'json', EXAMPLES]);
  const rules = new Set(JSON.parse(r.stdout).diagnostics.map((d: { rule: string }) => d.rule));
  for (const rule of ['ref-leak', 'lock-leak', 'use-after-put', 'writeback-not-started', 'unlock-not-held']) assert.ok(rules.has(rule), rule);
});

test('--contracts: a subsystem helper that waits for its daemon; a broken file exits 2 naming the field', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'folio-lens-contracts-'));
  try {
    const c = path.join(dir, 'myfs.c');
    fs.writeFileSync(c, [
      'static int myfs_refresh(struct inode *inode, pgoff_t index)',
      '{',
      '\tstruct folio *folio;',
      '\tint err;',
      '',
      '\tfolio = filemap_lock_folio(inode->i_mapping, index);',
      '\tif (IS_ERR(folio))',
      '\t\treturn PTR_ERR(folio);',
      '\terr = myfs_upcall(inode, MYFS_REFRESH);',
      '\tfolio_unlock(folio);',
      '\tfolio_put(folio);',
      '\treturn err;',
      '}',
      '',
    ].join('\n'));
    const good = path.join(dir, 'contracts.json');
    fs.writeFileSync(good, JSON.stringify({ contracts: [{ name: 'myfs_upcall', api: 'other', effects: [{ op: 'userspace-wait' }], doc: 'asks the myfs daemon and sleeps until it answers' }] }));
    const without = run(['check', c]);
    assert.equal(without.code, 0, without.stdout + without.stderr);
    const withIt = run(['check', '--contracts', good, c]);
    assert.equal(withIt.code, 1, withIt.stderr);
    assert.match(withIt.stdout, /myfs\.c:9:\d+: warning: 'folio' is locked by filemap_lock_folio\(\) at line 6 and referenced across myfs_upcall\(\).*\[lock-held-across-userspace-wait\]/);
    const sim = run(['simulate', '--contracts', good, c, 'myfs_refresh']);
    assert.equal(sim.code, 0, sim.stderr);
    assert.match(sim.stdout, /!! lock-held-across-userspace-wait/);
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ contracts: [{ name: 'myfs_upcall', effects: [{ op: 'userspace-wait', arg: 'inode' }] }] }));
    const broken = run(['check', '--contracts', bad, c]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /bad\.json: contracts\[0\]\.effects\[0\]\.(arg|op)/);
    const missing = run(['check', '--contracts', path.join(dir, 'nope.json'), c]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--contracts: .*nope\.json: cannot read \(ENOENT\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
