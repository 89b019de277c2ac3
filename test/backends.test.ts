/**
 * The two parser backends (server/src/parser.ts): the native tree-sitter
 * binding and web-tree-sitter. They must give the same trees, node for node,
 * and so the same findings: on kernel-style fixtures, on the CLI, and on the
 * whole fs/ + mm/ of the 6.12 kernel. Also the CLI's choice of backend: the
 * --parser flag, FOLIO_LENS_PARSER, and the fallback to wasm with a notice
 * when the native module does not load.
 *
 * Where the native module has not been built (a machine without a
 * compiler: it is an optional dependency) the native tests are skipped,
 * except under CI, where `npm ci` must have built it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openParser, DEFAULT_PARSER, type Backend, type CParser, type SyntaxNode, type Tree } from '../server/src/parser';
import { nativeLoadError } from '../server/src/parser-native';
import { focusText, relevantRegex, safeMask } from '../server/src/relevance';
import { extractFile } from '../server/src/extract';
import { Analyzer } from '../server/src/analyze';
import { analyzeFiles, ReadResult } from '../server/src/pool';
import { REPEATABLE_BUDGET } from '../server/src/analyze';
import { collectFiles } from '../server/src/files';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'folio-lens.js');
const EXAMPLES = path.join(ROOT, 'examples');
const RULES = path.join(ROOT, 'test', 'fixtures', 'rules');

const nativeError = nativeLoadError();
// under CI the native module must have been built by `npm ci`
const skipNative = nativeError && !process.env.CI ? `the native tree-sitter binding does not load here (${nativeError})` : false;

test('the native binding loads (CI builds it in npm ci)', { skip: skipNative }, () => {
  assert.equal(nativeError, undefined);
});

/** Every node of the tree, depth first: what it is, where, its flags, and the field each child is in. */
function dump(tree: Tree): string[] {
  const fields = tree.language.fields;
  const out: string[] = [];
  const visit = (n: SyntaxNode, depth: number, field: string) => {
    out.push(
      `${depth} ${field}${n.type} ${n.startIndex}-${n.endIndex} ${n.startPosition.row}:${n.startPosition.column}-${n.endPosition.row}:${n.endPosition.column}` +
        `${n.isNamed ? ' named' : ''}${n.isMissing ? ' missing' : ''}${n.isError ? ' error' : ''}${n.hasError ? ' has-error' : ''} c${n.childCount}/${n.namedChildCount}`,
    );
    // the field of each child, found through childrenForFieldId by id (what extraction uses)
    const fieldOf = new Map<number, string>();
    for (let id = 1; id < fields.length; id++) {
      for (const c of n.childrenForFieldId(id)) if (c) fieldOf.set(c.id, `${fields[id]}:`);
    }
    for (const c of n.children) if (c) visit(c, depth + 1, fieldOf.get(c.id) ?? '');
  };
  visit(tree.rootNode, 0, '');
  return out;
}

function parseBoth(parsers: Map<Backend, CParser>, text: string): Map<Backend, Tree> {
  const trees = new Map<Backend, Tree>();
  for (const [b, p] of parsers) {
    const t = p.parse(text);
    assert.ok(t, `${b} returned no tree`);
    trees.set(b, t);
  }
  return trees;
}

const SNIPPETS: Record<string, string> = {
  'a leak with a goto and a statement expression': `static int f(struct address_space *m, pgoff_t i)
{
	struct folio *folio = filemap_get_folio(m, i);
	int err = ({ int x = i; x > 3 ? -EIO : 0; });

	if (IS_ERR(folio))
		return PTR_ERR(folio);
	if (err)
		goto out;
	folio_lock(folio);
	folio_unlock(folio);
out:
	return err;
}
`,
  'non-ASCII text (UTF-8 of two and four bytes) before and inside functions': `/* © 2024 Jörg Ødegård — ünïcödé 🙂 in a comment */
static const char *name = "naïve 🙂 café";
int g(struct folio *folio) { /* 🙂 */ folio_put(folio); return 'é'; }
`,
  'syntax errors: a missing brace, a stray token': `int h(struct folio *folio)
{
	if (folio_test_locked(folio) {
		folio_unlock(folio);
	return 0 0;
}
int k(void) { return ; ]
`,
  'macros, attributes, preprocessor lines inside a body': `#define X(a) ((a) + 1)
static noinline int __maybe_unused w(struct page *page)
{
#ifdef CONFIG_FOO
	get_page(page);
#else
	put_page(page);
#endif
	switch (X(2)) { case 1: break; default: return -1; }
	for (;;) { do { } while (0); }
}
`,
};

test('both backends give the same trees, node for node, on kernel-style C', { skip: skipNative }, async () => {
  const parsers = new Map<Backend, CParser>([['native', await openParser('native')], ['wasm', await openParser('wasm')]]);
  const texts: [string, string][] = Object.entries(SNIPPETS);
  for (const f of fs.readdirSync(RULES).filter((x) => x.endsWith('.c')).sort()) {
    const raw = fs.readFileSync(path.join(RULES, f), 'utf8');
    texts.push([`${f} (as written)`, raw], [`${f} (masked)`, safeMask(raw).text]);
  }
  assert.ok(texts.length > 20, `only ${texts.length} inputs`);
  for (const [name, text] of texts) {
    const trees = parseBoth(parsers, text);
    const n = trees.get('native')!;
    const w = trees.get('wasm')!;
    try {
      assert.deepEqual([...n.language.fields], [...w.language.fields], 'field names by id');
      assert.equal(n.rootNode.toString(), w.rootNode.toString(), `${name}: S-expressions differ`);
      assert.deepEqual(dump(n), dump(w), `${name}: nodes differ`);
      // text, parent and descendantForIndex agree too
      const probe = Math.floor(text.length / 2);
      const dn = n.rootNode.descendantForIndex(probe, probe)!;
      const dw = w.rootNode.descendantForIndex(probe, probe)!;
      assert.equal(dn.text, dw.text, name);
      assert.equal(dn.parent?.type, dw.parent?.type, name);
    } finally {
      n.delete();
      w.delete();
    }
  }
});

test('both backends give the same findings on every rule fixture', { skip: skipNative }, async () => {
  const analyzers = [await Analyzer.create('native'), await Analyzer.create('wasm')];
  assert.deepEqual(analyzers.map((a) => a.backend), ['native', 'wasm']);
  let findings = 0;
  for (const f of fs.readdirSync(RULES).filter((x) => x.endsWith('.c')).sort()) {
    const text = fs.readFileSync(path.join(RULES, f), 'utf8');
    const [n, w] = analyzers.map((a) => a.analyzeText(f, text, { kernelVersion: '6.12' }));
    assert.equal(n.error, undefined, f);
    assert.deepEqual(n.diagnostics, w.diagnostics, f);
    findings += n.diagnostics.length;
  }
  assert.ok(findings > 50, `only ${findings} findings`);
});

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const e = { ...process.env, ...env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete e[k];
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: e });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The JSON of `check` without the run time. */
function findings(stdout: string): unknown {
  const doc = JSON.parse(stdout) as { diagnostics: unknown[]; stats: { seconds?: number } };
  delete doc.stats.seconds;
  return doc;
}

// the tests' way to make loading the native module fail as it does where it was never built
const BROKEN = { FOLIO_LENS_NATIVE_MODULE: path.join(os.tmpdir(), 'folio-lens-no-such-module'), FOLIO_LENS_PARSER: undefined };
const CLEAN = { FOLIO_LENS_NATIVE_MODULE: undefined, FOLIO_LENS_PARSER: undefined };

test('--parser auto falls back to wasm with a one-line notice when the native module does not load, with the same findings', () => {
  // what auto gives where native loads (or plain wasm where it does not: the same findings)
  const native = cli(['check', '--parser', nativeError ? 'wasm' : 'auto', '--format', 'json', EXAMPLES], CLEAN);
  assert.equal(native.code, 1, native.stderr);
  assert.equal(native.stderr, '');
  const fallback = cli(['check', '--parser', 'auto', '--format', 'json', EXAMPLES], BROKEN);
  assert.equal(fallback.code, 1, fallback.stderr);
  const lines = fallback.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, fallback.stderr);
  assert.match(lines[0], /^folio-lens: native tree-sitter not available \(.*folio-lens-no-such-module.*\); using the wasm parser$/);
  assert.deepEqual(findings(fallback.stdout), findings(native.stdout));
  assert.ok((JSON.parse(native.stdout) as { diagnostics: unknown[] }).diagnostics.length > 0);
  // simulate falls back the same way (so does patch: the same resolution in main())
  const sim = cli(['simulate', '--parser', 'auto', path.join(EXAMPLES, 'demofs', 'writeback.c'), '117'], BROKEN);
  assert.equal(sim.stderr.split('\n').filter(Boolean).length, 1, sim.stderr);
  assert.deepEqual(sim.stdout, cli(['simulate', '--parser', 'wasm', path.join(EXAMPLES, 'demofs', 'writeback.c'), '117'], CLEAN).stdout);
  // FOLIO_LENS_PARSER=auto too
  const env = cli(['check', '--format', 'json', EXAMPLES], { ...BROKEN, FOLIO_LENS_PARSER: 'auto' });
  assert.equal(env.stderr.split('\n').filter(Boolean).length, 1, env.stderr);
  assert.deepEqual(findings(env.stdout), findings(native.stdout));
});

test('the default: no flag, no FOLIO_LENS_PARSER', () => {
  const broken = cli(['check', '--format', 'json', EXAMPLES], BROKEN);
  assert.equal(broken.code, 1, broken.stderr);
  // auto tells when it falls back; wasm never tries the native module
  assert.equal(broken.stderr.split('\n').filter(Boolean).length, DEFAULT_PARSER === 'auto' ? 1 : 0, broken.stderr);
  const clean = cli(['check', '--format', 'json', EXAMPLES], CLEAN);
  assert.equal(clean.stderr.split('\n').filter(Boolean).length, nativeError && DEFAULT_PARSER === 'auto' ? 1 : 0, clean.stderr);
  assert.deepEqual(findings(clean.stdout), findings(broken.stdout));
});

test('--parser and FOLIO_LENS_PARSER force a backend', () => {
  const wasm = cli(['check', '--parser', 'wasm', '--format', 'json', EXAMPLES], CLEAN);
  assert.equal(wasm.code, 1, wasm.stderr);
  assert.equal(wasm.stderr, '');
  // wasm asked for: native is not even tried (no notice although it would fail)
  const forcedWasm = cli(['check', '--parser=wasm', '--format', 'json', EXAMPLES], BROKEN);
  assert.equal(forcedWasm.stderr, '');
  assert.deepEqual(findings(forcedWasm.stdout), findings(wasm.stdout));
  const envWasm = cli(['check', '--format', 'json', EXAMPLES], { ...BROKEN, FOLIO_LENS_PARSER: 'wasm' });
  assert.equal(envWasm.stderr, '');
  assert.deepEqual(findings(envWasm.stdout), findings(wasm.stdout));
  // native asked for and not to be had: an error, not a fallback
  for (const r of [cli(['check', '--parser', 'native', EXAMPLES], BROKEN), cli(['check', EXAMPLES], { ...BROKEN, FOLIO_LENS_PARSER: 'native' })]) {
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^folio-lens: the native tree-sitter parser does not load: /);
  }
  // the flag wins over the environment
  const flagWins = cli(['check', '--parser', 'wasm', '--format', 'json', EXAMPLES], { ...BROKEN, FOLIO_LENS_PARSER: 'native' });
  assert.equal(flagWins.code, 1, flagWins.stderr);
  assert.equal(flagWins.stderr, '');
  const bad = cli(['check', '--parser', 'fast', EXAMPLES], CLEAN);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown parser 'fast' \(auto, native, wasm\)/);
  const badEnv = cli(['check', EXAMPLES], { FOLIO_LENS_PARSER: 'fast' });
  assert.equal(badEnv.code, 2);
  assert.match(badEnv.stderr, /unknown parser 'fast' in FOLIO_LENS_PARSER/);
  if (!skipNative) {
    const native = cli(['check', '--parser', 'native', '--format', 'json', EXAMPLES], CLEAN);
    assert.equal(native.stderr, '');
    assert.deepEqual(findings(native.stdout), findings(wasm.stdout));
  }
});

function findTree(): string | undefined {
  const env = process.env.FOLIO_LENS_KERNEL_612;
  if (env) return env;
  const cache = process.env.KERNEL_SOURCE_CACHE ?? path.join(os.homedir(), '.cache', 'kernel-source');
  const dir = path.join(cache, 'linux-6.12');
  return fs.existsSync(path.join(dir, '.complete')) ? dir : undefined;
}

const kernel = findTree();

/**
 * A function whose simulation stopped at a wall-clock budget (its own, or
 * the file's): what it found depends on the machine's speed, not the tree.
 */
const TIME_BUDGET = /\bmore than \d+ ms\b/;

test('fs/ + mm/ of the 6.12 kernel: both backends find exactly the same', {
  skip: skipNative || (kernel ? false : 'no 6.12 tree (run ../shared/scripts/kernel-source 6.12)'),
  timeout: 900_000,
}, async () => {
  const files = collectFiles([path.join(kernel!, 'fs'), path.join(kernel!, 'mm')]).files.filter((f) => f.endsWith('.c'));
  assert.ok(files.length > 1500, `only ${files.length} files under ${kernel}`);
  const runs = new Map<Backend, ReadResult[]>();
  for (const backend of ['native', 'wasm'] as const) {
    const t = performance.now();
    // the states decide the budget, not the load: two runs give the same findings
    runs.set(backend, await analyzeFiles(files, { kernelVersion: '6.12', ...REPEATABLE_BUDGET }, { backend }));
    console.log(`# ${backend}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const n = runs.get('native')!;
  const w = runs.get('wasm')!;
  let compared = 0, findingCount = 0, functions = 0;
  const timed: string[] = [];
  for (let i = 0; i < files.length; i++) {
    assert.equal(n[i].error, undefined, `${files[i]} (native): ${n[i].error}`);
    assert.equal(w[i].error, undefined, `${files[i]} (wasm): ${w[i].error}`);
    assert.equal(n[i].functions, w[i].functions, `${files[i]}: functions simulated`);
    functions += n[i].functions;
    // a file where either run stopped a function at the wall-clock budget is
    // compared by its IR below: two runs with the same backend can differ in
    // its findings too
    if ([...n[i].diagnostics, ...w[i].diagnostics].some((d) => d.rule === 'analysis-incomplete' && TIME_BUDGET.test(d.message))) {
      timed.push(path.relative(kernel!, files[i]));
      continue;
    }
    assert.deepEqual(n[i].diagnostics, w[i].diagnostics, files[i]);
    compared++;
    findingCount += n[i].diagnostics.length;
  }
  // those files instead: the same IR (what the simulator is given) from both trees
  const parsers = [await openParser('native'), await openParser('wasm')];
  const relevant = relevantRegex(undefined);
  for (const f of timed) {
    const masked = safeMask(fs.readFileSync(path.join(kernel!, f), 'utf8'));
    const focused = focusText(masked.text, relevant);
    const [irN, irW] = parsers.map((p) => {
      const tree = p.parse(focused)!;
      try {
        return extractFile(tree, masked);
      } finally {
        tree.delete();
      }
    });
    assert.deepEqual(irN, irW, `${f}: IR`);
  }
  console.log(`# ${compared} of ${files.length} files: the same ${findingCount} findings; ${functions} functions simulated; ${timed.length} files where a function stopped at the time budget, compared by their IR instead: ${timed.join(', ') || 'none'}`);
  assert.ok(findingCount > 20, `only ${findingCount} findings`);
  assert.ok(timed.length <= files.length * 0.02, `${timed.length} files left out`);
});
