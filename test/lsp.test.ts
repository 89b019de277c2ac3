/**
 * The language server through a real JSON-RPC connection: the server is
 * spawned over stdio (test/lsp-client.ts) and spoken to as an editor would.
 */
import { test, describe, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { LspClient, applyEdits, fileUri } from './lsp-client';

const ROOT = path.resolve(__dirname, '..', '..');

/** Kernel-style C written for these tests: two reference leaks, a lock leak through a goto, a 6.1-era NULL check. */
const DEMO = `// SPDX-License-Identifier: GPL-2.0
/*
 * demofs: folio cache helpers used by the language server tests.
 */
#include <linux/pagemap.h>

static int demofs_read_index(struct address_space *mapping, pgoff_t index,
			     char *buf)
{
	struct folio *folio;
	int err;

	folio = filemap_get_folio(mapping, index);
	if (IS_ERR(folio))
		return PTR_ERR(folio);
	if (!folio_test_uptodate(folio)) {
		err = -EIO;
		return err;
	}
	memcpy_from_folio(buf, folio, 0, 64);
	folio_put(folio);
	return 0;
}

static int demofs_check_index(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio;

	folio = filemap_get_folio(mapping, index);
	if (IS_ERR(folio))
		return PTR_ERR(folio);
	if (folio_test_writeback(folio))
		return -EBUSY;
	folio_put(folio);
	return 0;
}

static int demofs_zero_index(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio;
	int err = 0;

	folio = filemap_lock_folio(mapping, index);
	if (IS_ERR(folio))
		return PTR_ERR(folio);
	if (!folio_test_uptodate(folio)) {
		err = -EIO;
		goto out_unlock;
	}
	if (folio_test_writeback(folio)) {
		err = -EBUSY;
		goto out_put;
	}
	folio_zero_range(folio, 0, folio_size(folio));
	folio_mark_dirty(folio);
out_unlock:
	folio_unlock(folio);
out_put:
	folio_put(folio);
	return err;
}

static void demofs_touch_index(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio;

	folio = filemap_get_folio(mapping, index);
	if (!folio)
		return;
	folio_mark_accessed(folio);
	folio_put(folio);
}
`;

interface Diag {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: number;
  code: string;
  codeDescription?: { href: string };
  source: string;
  message: string;
  relatedInformation?: { location: { uri: string; range: Diag['range'] }; message: string }[];
  data?: unknown;
}

interface Action {
  title: string;
  kind: string;
  isPreferred?: boolean;
  diagnostics: Diag[];
  edit: { documentChanges: { textDocument: { uri: string; version: number }; edits: { range: Diag['range']; newText: string }[] }[] };
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`timed out waiting for ${what}`)), ms))]);
}

/** 1-based line of the first line containing `s` (after `from`). */
function lineOf(text: string, s: string, from = 0): number {
  const lines = text.split('\n');
  for (let i = from; i < lines.length; i++) if (lines[i].includes(s)) return i + 1;
  throw new Error(`'${s}' not in text`);
}

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'folio-lens-lsp-'));
}

describe('language server over stdio', () => {
  let client: LspClient;
  let dir: string;
  let file: string;
  let uri: string;
  let text = DEMO;
  let version = 1;
  let stderr = '';

  before(async () => {
    dir = tmpdir();
    file = path.join(dir, 'demo.c');
    fs.writeFileSync(file, DEMO);
    uri = fileUri(file);
    client = new LspClient({ settings: {}, stderr: (s) => (stderr += s) });
  });

  after(async () => {
    if (client.proc.exitCode === null) await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Apply edits as one incremental didChange and wait for the diagnostics of the new version. */
  async function change(edits: { range: Diag['range']; newText: string }[]): Promise<Diag[]> {
    version++;
    const p = client.diagnostics(uri, version);
    // LSP applies content changes in order, each on the result of the previous: send them bottom-up
    const sorted = [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
    await client.change(uri, version, sorted.map((e) => ({ range: e.range, text: e.newText })));
    text = applyEdits(text, edits);
    return (await within(p, 10000, `diagnostics for version ${version}`)).diagnostics as Diag[];
  }

  test('initialize: incremental sync, hover, code lens, quick fixes, the simulate command', async () => {
    const r = (await client.initialize()) as { capabilities: Record<string, unknown>; serverInfo: { name: string } };
    const caps = r.capabilities as {
      textDocumentSync: { change: number; openClose: boolean };
      hoverProvider: boolean;
      codeLensProvider: unknown;
      codeActionProvider: { codeActionKinds: string[] };
      executeCommandProvider: { commands: string[] };
    };
    assert.equal(caps.textDocumentSync.change, 2, 'incremental sync');
    assert.equal(caps.textDocumentSync.openClose, true);
    assert.equal(caps.hoverProvider, true);
    assert.ok(caps.codeLensProvider);
    assert.deepEqual(caps.codeActionProvider.codeActionKinds, ['quickfix']);
    assert.deepEqual(caps.executeCommandProvider.commands, ['foliolens.simulateFunction', 'foliolens.checkPatch']);
    assert.equal(r.serverInfo.name, 'folio-lens');
  });

  test('didOpen: each leak with its rule, its page, its path and the version', async () => {
    const p = client.diagnostics(uri, 1);
    await client.open(uri, text, 1);
    const d = await within(p, 15000, 'first diagnostics');
    assert.equal(d.version, 1);
    const diags = d.diagnostics as Diag[];
    const summary = diags.map((x) => `${x.range.start.line + 1}:${x.code}:${x.severity}`);
    assert.deepEqual(summary, [
      `${lineOf(text, 'return err;')}:ref-leak:1`,
      `${lineOf(text, 'return -EBUSY;')}:ref-leak:1`,
      `${lineOf(text, 'return err;', lineOf(text, 'demofs_zero_index'))}:lock-leak:2`,
      `${lineOf(text, 'folio_put(folio);', lineOf(text, 'demofs_touch_index'))}:put-unowned:2`,
    ]);
    const leak = diags[0];
    assert.equal(leak.source, 'folio-lens');
    assert.match(leak.message, /reference to 'folio' taken by filemap_get_folio\(\) at line 13 .*\(path: 13, 14, 16, 18\)/);
    assert.deepEqual(leak.range, { start: { line: 17, character: 2 }, end: { line: 17, character: 13 } });
    const href = leak.codeDescription!.href;
    assert.match(href, /^file:\/\/.*\/docs\/rules\/ref-leak\.md$/);
    assert.ok(fs.existsSync(new URL(href)), `${href} exists`);
    const related = leak.relatedInformation!;
    assert.ok(related.every((r) => r.location.uri === uri));
    const notes = related.map((r) => `${r.location.range.start.line + 1} ${r.message}`);
    assert.ok(notes.some((n) => /^13 .*reference taken by filemap_get_folio/.test(n)), notes.join('\n'));
    assert.ok(notes.some((n) => /^16 .*'folio_test_uptodate\(folio\)' is false/.test(n)), notes.join('\n'));
    assert.ok(notes.some((n) => /^18 .*returns/.test(n)), notes.join('\n'));
    // info findings map to Information; nothing here is info
    assert.ok(diags.every((x) => x.severity === 1 || x.severity === 2));
  });

  test('hover on a lifecycle call: its contract, and the state of its folio there', async () => {
    const line = lineOf(text, 'folio = filemap_get_folio') - 1;
    const h = await client.request<{ contents: { kind: string; value: string } } | null>('textDocument/hover', {
      textDocument: { uri },
      position: { line, character: text.split('\n')[line].indexOf('filemap_get_folio') + 3 },
    });
    assert.ok(h);
    assert.equal(h.contents.kind, 'markdown');
    const v = h.contents.value;
    assert.match(v, /filemap_get_folio\(mapping, index\)/);
    assert.match(v, /\*\*returns:\*\* a folio with a reference the caller owns; an error pointer on failure/);
    assert.match(v, /\*Source:\* `mm\/filemap\.c|include\/linux\/pagemap\.h/);
    // the put: requires a reference, drops it; the folio before and after
    const putLine = lineOf(text, 'folio_put(folio);') - 1;
    const h2 = await client.request<{ contents: { value: string } }>('textDocument/hover', {
      textDocument: { uri },
      position: { line: putLine, character: text.split('\n')[putLine].indexOf('folio_put') + 1 },
    });
    assert.match(h2.contents.value, /\*\*requires:\*\* a reference held on `folio`/);
    assert.match(h2.contents.value, /\*\*changes:\*\* drops a reference on `folio`/);
    assert.match(h2.contents.value, /include\/linux\/mm\.h: folio_put\(\)/);
    assert.match(h2.contents.value, /after this call \(line 21\)/);
    assert.match(h2.contents.value, /\*\*references held:\*\* 0/);
    assert.match(h2.contents.value, /\*before it:\* 1 ref/);
  });

  test('hover on a folio variable: references, lock and where they came from, over the paths', async () => {
    // in demofs_zero_index, after folio_mark_dirty: locked on every path that gets there
    const l = lineOf(text, 'folio_mark_dirty(folio);') - 1;
    const h = await client.request<{ contents: { value: string } }>('textDocument/hover', {
      textDocument: { uri },
      position: { line: l, character: text.split('\n')[l].indexOf('(folio)') + 2 },
    });
    const v = h.contents.value;
    assert.match(v, /\*\*`folio`\*\* after line 55/);
    assert.match(v, /\*\*from:\*\* filemap_lock_folio\(\) at line 43/);
    assert.match(v, /\*\*references held:\*\* 1/);
    assert.match(v, /\*\*locked\*\*/);
    assert.match(v, /\*\*dirty:\*\* set/);
    // at the shared return: locked on some paths only
    const r = lineOf(text, 'return err;', lineOf(text, 'demofs_zero_index')) - 1;
    const h2 = await client.request<{ contents: { value: string } }>('textDocument/hover', {
      textDocument: { uri },
      position: { line: r - 1, character: text.split('\n')[r - 1].indexOf('folio') + 11 },
    });
    assert.match(h2.contents.value, /\*\*locked\*\* on 1 of \d paths|\*\*lock:\*\*/);
    // nothing to say on a keyword or a blank line
    const none = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 0 } });
    assert.equal(none, null);
  });

  test('hover on lifetimes beyond the folio: DAX mappings and inode references', async () => {
    const daxFile = path.join(dir, 'dax.c');
    const daxText = fs.readFileSync(path.join(__dirname, '..', '..', 'test', 'fixtures', 'rules', 'dax-use-after-inode-put.c'), 'utf8');
    fs.writeFileSync(daxFile, daxText);
    const daxUri = fileUri(daxFile);
    const p = client.diagnostics(daxUri, 1);
    await client.open(daxUri, daxText, 1);
    const d = await within(p, 15000, 'diagnostics of dax.c');
    assert.ok((d.diagnostics as Diag[]).some((x) => x.code === 'dax-use-after-inode-put'));
    // the mapping variable where it is used after iput(): its inode reference was dropped
    const use = lineOf(daxText, 'memcpy(buf, kaddr, len);') - 1;
    const h = await client.request<{ contents: { value: string } }>('textDocument/hover', {
      textDocument: { uri: daxUri },
      position: { line: use, character: daxText.split('\n')[use].indexOf('kaddr') + 1 },
    });
    assert.match(h.contents.value, /\*\*lifetimes\*\* after line \d+/);
    assert.match(h.contents.value, /\*\*DAX mapping in `kaddr`:\*\* \*\*its inode reference on `inode` was dropped\*\*/);
    // the iput() call: the contract, and the inode reference count after it
    const put = lineOf(daxText, 'iput(inode);') - 1;
    const h2 = await client.request<{ contents: { value: string } }>('textDocument/hover', {
      textDocument: { uri: daxUri },
      position: { line: put, character: daxText.split('\n')[put].indexOf('iput') + 1 },
    });
    assert.match(h2.contents.value, /\*\*changes:\*\* closes inode references on `inode`/);
    assert.match(h2.contents.value, /\*\*inode references on `inode`:\*\* 0/);
    await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: daxUri } });
  });

  test('code lens "Simulate" above each function that touches folios', async () => {
    const lenses = await client.request<{ range: Diag['range']; command: { title: string; command: string; arguments: unknown[] } }[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.equal(lenses.length, 4);
    assert.deepEqual(lenses.map((l) => l.range.start.line + 1), [7, 25, 38, 63]);
    for (const l of lenses) {
      assert.match(l.command.title, /^Simulate/);
      assert.equal(l.command.command, 'foliolens.simulateFunction');
    }
    assert.deepEqual(lenses[0].command.arguments, [{ uri, position: { line: 6, character: 11 } }]);
  });

  test('workspace/executeCommand foliolens.simulateFunction: the same JSON as folio-lens simulate --format json', async () => {
    const sim = await client.request<{ file: string; function: string; line: number; paths: { end: string; steps: { line: number; text: string }[] }[]; findings: { rule: string }[] }>(
      'workspace/executeCommand',
      { command: 'foliolens.simulateFunction', arguments: [{ uri, position: { line: 44, character: 3 } }] },
    );
    assert.equal(sim.function, 'demofs_zero_index');
    assert.equal(sim.file, file);
    assert.ok(sim.paths.length >= 3);
    assert.deepEqual(sim.findings.map((f) => f.rule), ['lock-leak']);
    const cli = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'folio-lens.js'), 'simulate', file, 'demofs_zero_index', '--format', 'json'], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    const want = JSON.parse(cli.stdout);
    assert.deepEqual(Object.keys(sim).sort(), Object.keys(want).sort());
    assert.deepEqual({ ...sim, stats: undefined }, { ...want, stats: undefined });
  });

  test('an incremental didChange that fixes a leak: its diagnostic goes', async () => {
    // type the missing put before `return err;` in demofs_read_index
    const l = lineOf(text, 'return err;') - 1;
    const diags = await change([{ range: { start: { line: l, character: 0 }, end: { line: l, character: 0 } }, newText: '\t\tfolio_put(folio);\n' }]);
    assert.deepEqual(diags.map((d) => d.code), ['ref-leak', 'lock-leak', 'put-unowned']);
    assert.equal(diags[0].range.start.line + 1, lineOf(text, 'return -EBUSY;'));
  });

  test('quick fix: folio_put before the braceless return; the leak goes away when applied', async () => {
    const d = client.published[client.published.length - 1].diagnostics as Diag[];
    const leak = d.find((x) => x.code === 'ref-leak')!;
    const actions = await client.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: leak.range, context: { diagnostics: [leak] } });
    assert.deepEqual(actions.map((a) => a.title), ['Add folio_put(folio); before this return', 'Ignore ref-leak here (folio-lens: ignore)']);
    // a client that drops `data` gets the same fixes
    const again = await client.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: leak.range, context: { diagnostics: [{ ...leak, data: undefined }] } });
    assert.deepEqual(again.map((a) => a.edit), actions.map((a) => a.edit));
    const fix = actions[0];
    assert.equal(fix.kind, 'quickfix');
    assert.equal(fix.isPreferred, true);
    assert.equal(fix.edit.documentChanges[0].textDocument.version, version);
    const before = text;
    const diags = await change(fix.edit.documentChanges[0].edits);
    assert.ok(text.includes('\tif (folio_test_writeback(folio)) {\n\t\tfolio_put(folio);\n\t\treturn -EBUSY;\n\t}\n'), text);
    assert.notEqual(text, before);
    assert.deepEqual(diags.map((x) => x.code), ['lock-leak', 'put-unowned']);
  });

  test('quick fix: a goto that skips the unlock jumps to the label that does it', async () => {
    const d = client.published[client.published.length - 1].diagnostics as Diag[];
    const leak = d.find((x) => x.code === 'lock-leak')!;
    assert.equal(leak.severity, 2);
    const actions = await client.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: leak.range, context: { diagnostics: [leak] } });
    assert.deepEqual(actions.map((a) => a.title), [
      "Jump to 'out_unlock' (which calls folio_unlock(folio)) instead of 'out_put'",
      `Add folio_unlock(folio); before 'goto out_put' (line ${lineOf(text, 'goto out_put;')})`,
      'Ignore lock-leak here (folio-lens: ignore)',
    ]);
    const diags = await change(actions[0].edit.documentChanges[0].edits);
    assert.ok(!text.includes('goto out_put;'));
    assert.deepEqual(diags.map((x) => x.code), ['put-unowned']);
  });

  test('quick fix: the suppression comment silences the finding', async () => {
    const d = client.published[client.published.length - 1].diagnostics as Diag[];
    const actions = await client.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: d[0].range, context: { diagnostics: [d[0]] } });
    assert.deepEqual(actions.map((a) => a.title), ['Ignore put-unowned here (folio-lens: ignore)']);
    const diags = await change(actions[0].edit.documentChanges[0].edits);
    assert.ok(text.includes('\t/* folio-lens: ignore put-unowned */\n\tfolio_put(folio);\n}'));
    assert.deepEqual(diags, []);
  });

  test('stale work is dropped: a burst of edits publishes only increasing versions, ending with the last', async () => {
    const seen: number[] = [];
    client.onPublish((p) => {
      if (p.uri === uri) seen.push(p.version!);
    });
    const first = version + 1;
    const l = lineOf(text, 'int err;') - 1;
    for (let i = 0; i < 8; i++) {
      version++;
      // type "int err; /* xxxxxxxx */" one character at a time, as fast as possible
      const ch = i === 0 ? ' /* ' : i === 7 ? ' */' : 'x';
      const col = text.split('\n')[l].length;
      await client.change(uri, version, [{ range: { start: { line: l, character: col }, end: { line: l, character: col } }, text: ch }]);
      text = applyEdits(text, [{ range: { start: { line: l, character: col }, end: { line: l, character: col } }, newText: ch }]);
    }
    const last = await within(client.diagnostics(uri, version), 10000, 'the last version');
    assert.deepEqual(last.diagnostics, []);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(seen.length >= 1 && seen[seen.length - 1] === version, `published ${seen.join(',')}`);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `published ${seen.join(',')}`);
    assert.ok(seen.every((v) => v >= first));
  });

  test('configuration: kernelVersion 6.1 turns the IS_ERR checks wrong and the NULL check right', async () => {
    client.settings = { kernelVersion: '6.1' };
    const p = client.diagnostics(uri, version);
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { foliolens: client.settings } });
    const d = (await within(p, 10000, 'diagnostics after the configuration change')).diagnostics as Diag[];
    const touch = lineOf(text, 'demofs_touch_index');
    // 6.1: filemap_get_folio returns NULL on a miss; `if (!folio)` is right, IS_ERR(folio) is not
    assert.ok(d.every((x) => x.range.start.line + 1 < touch), JSON.stringify(d.map((x) => x.range.start.line + 1)));
    assert.ok(d.some((x) => x.code === 'put-unowned' && /NULL here: filemap_get_folio\(\) failed/.test(x.message)));
    const h = await client.request<{ contents: { value: string } }>('textDocument/hover', {
      textDocument: { uri },
      position: { line: 12, character: 12 },
    });
    assert.match(h.contents.value, /NULL on failure/);
    // per-rule severity, then off
    client.settings = { kernelVersion: '6.1', rules: { 'put-unowned': 'info' } };
    const p2 = client.diagnostics(uri, version);
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { foliolens: client.settings } });
    const d2 = (await within(p2, 10000, 'diagnostics after the rules change')).diagnostics as Diag[];
    assert.equal(d2.length, d.length);
    assert.ok(d2.every((x) => x.code === 'put-unowned' && x.severity === 3), JSON.stringify(d2.map((x) => [x.code, x.severity])));
    client.settings = { kernelVersion: '6.1', rules: { 'put-unowned': 'off' } };
    const p4 = client.diagnostics(uri, version);
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { foliolens: client.settings } });
    assert.deepEqual((await within(p4, 10000, 'diagnostics with the rule off')).diagnostics, []);
    client.settings = {};
    const p3 = client.diagnostics(uri, version);
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { foliolens: {} } });
    assert.deepEqual((await within(p3, 10000, 'diagnostics back on 6.12')).diagnostics, []);
  });

  test('robustness: unknown documents, positions outside, bad arguments, binary and huge files', async () => {
    const nowhere = fileUri(path.join(dir, 'nowhere.c'));
    assert.equal(await client.request('textDocument/hover', { textDocument: { uri: nowhere }, position: { line: 0, character: 0 } }), null);
    assert.deepEqual(await client.request('textDocument/codeLens', { textDocument: { uri: nowhere } }), []);
    assert.equal(await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 100000, character: 3 } }), null);
    assert.equal(await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 5000 } }), null);
    assert.equal(await client.request('textDocument/hover', { textDocument: { uri }, position: { line: -1, character: -1 } }), null);
    await assert.rejects(client.request('workspace/executeCommand', { command: 'foliolens.simulateFunction', arguments: [] }), (e: { code: number; message: string }) => e.code === -32602 && /needs one argument/.test(e.message));
    await assert.rejects(client.request('workspace/executeCommand', { command: 'foliolens.simulateFunction', arguments: [{ uri, position: { line: 2, character: 0 } }] }), /no function that touches folios or pages here/);
    await assert.rejects(client.request('workspace/executeCommand', { command: 'foliolens.nothing', arguments: [] }), /unknown command/);
    await assert.rejects(client.request('workspace/executeCommand', { command: 'foliolens.simulateFunction', arguments: [{ uri: nowhere, position: { line: 0, character: 0 } }] }), /cannot read/);
    // a file that is not open is read from disk
    const onDisk = await client.request<{ function: string }>('workspace/executeCommand', { command: 'foliolens.simulateFunction', arguments: [{ uri: fileUri(path.join(ROOT, 'test', 'fixtures', 'rules', 'lock-leak.c')), position: { line: 12, character: 1 } }] });
    assert.equal(onDisk.function, 'demofs_mark_folio');

    const bin = fileUri(path.join(dir, 'binary.c'));
    const pb = client.diagnostics(bin, 1);
    await client.open(bin, 'struct folio *f;\0\0\0\x01\x02', 1);
    assert.deepEqual((await within(pb, 10000, 'binary diagnostics')).diagnostics, []);
    const huge = fileUri(path.join(dir, 'huge.c'));
    const ph = client.diagnostics(huge, 1);
    await client.open(huge, 'void f(struct folio *folio) { folio_put(folio); }\n'.repeat(180000), 1);
    assert.deepEqual((await within(ph, 20000, 'huge diagnostics')).diagnostics, []);
    assert.ok(client.messages.some((m) => /huge\.c: not analysed: .*more than/.test(m.message)));
    const junk = fileUri(path.join(dir, 'junk.c'));
    const pj = client.diagnostics(junk, 1);
    let garbage = 'struct folio *x; ';
    for (let i = 0; i < 4000; i++) garbage += '{}()[];,#*&"\'\\/\n\t'[(i * 7919) % 18] + (i % 5 === 0 ? 'folio_put(' : '');
    await client.open(junk, garbage, 1);
    await within(pj, 10000, 'junk diagnostics');
    await client.request('textDocument/hover', { textDocument: { uri: junk }, position: { line: 0, character: 3 } });
    await client.request('textDocument/codeLens', { textDocument: { uri: junk } });
    // the server is still there
    const again = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 12, character: 12 } });
    assert.match(again.contents.value, /filemap_get_folio/);
  });

  test('shutdown and exit', async () => {
    const code = await client.shutdown();
    assert.equal(code, 0);
    assert.ok(!/uncaught|unhandled/i.test(stderr), stderr);
  });
});

describe('language server: workspace and contracts file', () => {
  let dir: string;

  before(() => {
    dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'fs', 'demofs'), { recursive: true });
    // a helper defined in another file of the workspace: unlocks and puts its folio
    fs.writeFileSync(path.join(dir, 'fs', 'demofs', 'helpers.c'), `// SPDX-License-Identifier: GPL-2.0
#include <linux/pagemap.h>

void demofs_finish_folio(struct folio *folio)
{
	folio_unlock(folio);
	folio_put(folio);
}
`);
    fs.writeFileSync(path.join(dir, 'fs', 'demofs', 'user.c'), `// SPDX-License-Identifier: GPL-2.0
#include <linux/pagemap.h>

int demofs_touch(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio;

	folio = filemap_lock_folio(mapping, index);
	if (IS_ERR(folio))
		return PTR_ERR(folio);
	folio_mark_dirty(folio);
	demofs_finish_folio(folio);
	return 0;
}

int demofs_wait(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio;

	folio = demofs_grab_folio(mapping, index);
	if (!folio)
		return -ENOMEM;
	folio_wait_writeback(folio);
	return 0;
}
`);
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the index supplies summaries of other files at call sites, with work-done progress', async () => {
    const client = new LspClient({ workspace: dir, settings: {} });
    try {
      await client.initialize();
      const file = path.join(dir, 'fs', 'demofs', 'user.c');
      const uri = fileUri(file);
      await client.open(uri, fs.readFileSync(file, 'utf8'), 1);
      // once indexed, demofs_finish_folio() is known to unlock and put: no leak at `return 0`
      const deadline = Date.now() + 20000;
      for (;;) {
        const last = client.published.filter((p) => p.uri === uri).pop();
        const ended = client.progress.some((p) => (p as { value?: { kind?: string } }).value?.kind === 'end');
        if (ended && last && last.diagnostics.length === 0) break;
        if (Date.now() > deadline) assert.fail(`still ${JSON.stringify(last?.diagnostics.map((d) => d.code))} after indexing (progress ${JSON.stringify(client.progress)})`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const kinds = client.progress.map((p) => (p as { value: { kind: string } }).value.kind);
      assert.equal(kinds[0], 'begin');
      assert.equal(kinds[kinds.length - 1], 'end');
      const line = 11;
      const h = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line, character: 3 } });
      assert.match(h.contents.value, /demofs_finish_folio\(folio\)`\*\* · summary inferred from its definition in `fs\/demofs\/helpers\.c`/);
      assert.match(h.contents.value, /unlocks `folio`; drops a reference on `folio`/);
      assert.ok(client.statuses.some((s) => (s as { state: string }).state === 'indexing'));
    } finally {
      await client.shutdown();
    }
  });

  test('contracts file: a broken one is named with its field and the defaults keep working; a valid one describes a helper', async () => {
    const cf = path.join(dir, 'folio-contracts.json');
    fs.writeFileSync(cf, JSON.stringify({ contracts: [{ name: 'demofs_grab_folio', effects: [{ op: 'gett' }] }] }));
    const client = new LspClient({ workspace: dir, settings: { contractsFile: 'folio-contracts.json' } });
    try {
      await client.initialize();
      const file = path.join(dir, 'fs', 'demofs', 'user.c');
      const uri = fileUri(file);
      const p = client.diagnostics(uri, 1);
      await client.open(uri, fs.readFileSync(file, 'utf8'), 1);
      await within(p, 10000, 'diagnostics');
      const msg = client.messages.find((m) => m.type === 1);
      assert.ok(msg, 'an error message');
      assert.match(msg.message, /folio-contracts\.json: contracts\[0\]\.effects\[0\]\.op: "gett" is not an effect \(one of get, put,/);
      assert.match(msg.message, /built-in contracts still apply/);
      assert.ok(client.statuses.some((s) => (s as { state: string }).state === 'error'));
      // the built-in table still works: hover on filemap_lock_folio
      const h = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 7, character: 12 } });
      assert.match(h.contents.value, /filemap_lock_folio/);
      // fix the file: demofs_grab_folio returns a referenced folio (NULL on failure): the leak at `return 0` shows
      fs.writeFileSync(cf, JSON.stringify({
        contracts: [{
          name: 'demofs_grab_folio', source: 'fs/demofs/grab.c: demofs_grab_folio()', doc: 'Finds or allocates the folio at index, referenced.',
          effects: [], returns: { kind: 'folio', ref: true, locked: false, fail: 'null' },
        }],
      }));
      const p2 = client.diagnostics(uri, 1);
      await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(cf), type: 2 }] });
      const d = (await within(p2, 10000, 'diagnostics with the contracts file')).diagnostics as Diag[];
      assert.deepEqual(d.map((x) => [x.code, x.range.start.line + 1]), [['ref-leak', 24]]);
      const h2 = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 19, character: 12 } });
      assert.match(h2.contents.value, /Finds or allocates the folio at index, referenced\./);
      assert.match(h2.contents.value, /\*Source:\* `fs\/demofs\/grab\.c: demofs_grab_folio\(\)`/);
    } finally {
      await client.shutdown();
    }
  });
});

describe('language server: foliolens.checkPatch', () => {
  const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'patch');
  let dir: string;
  let client: LspClient;
  let stderr = '';

  interface Result {
    introduced: { file: string; line: number; rule: string; function: string }[];
    fixed: unknown[];
    remaining: unknown[];
    summary: string;
    text: string;
  }

  before(async () => {
    dir = tmpdir();
    fs.cpSync(path.join(FIXTURES, 'tree'), dir, { recursive: true });
    for (const f of ['introduce-leak.patch', 'does-not-apply.patch']) fs.copyFileSync(path.join(FIXTURES, f), path.join(dir, f));
    client = new LspClient({ workspace: dir, settings: {}, stderr: (s) => (stderr += s) });
    await client.initialize();
  });

  after(async () => {
    if (client.proc.exitCode === null) await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a patch that introduces a leak: introduced 1, and a diagnostic on its + line in the .patch document', async () => {
    const file = path.join(dir, 'introduce-leak.patch');
    const uri = fileUri(file);
    const published = client.diagnostics(uri);
    const r = await within(client.request<Result>('workspace/executeCommand', { command: 'foliolens.checkPatch', arguments: [{ uri }] }), 20000, 'checkPatch');
    assert.equal(r.introduced.length, 1);
    assert.deepEqual([r.introduced[0].file, r.introduced[0].line, r.introduced[0].rule, r.introduced[0].function], ['fs/quillfs/inode.c', 66, 'ref-leak', 'quillfs_write_begin']);
    assert.equal(r.fixed.length, 0);
    assert.match(r.summary, /^1 introduced, 0 fixed, 0 remaining in 1 function\(s\) of 1 file\(s\)$/);
    assert.match(r.text, /Introduced by the patch \(1\):/);
    assert.match(r.text, /> \+\t\treturn -EIO;/);
    const d = (await within(published, 5000, 'diagnostics on the patch')).diagnostics as Diag[];
    assert.equal(d.length, 1);
    assert.equal(d[0].source, 'folio-lens patch');
    assert.equal(d[0].code, 'ref-leak');
    const patchText = fs.readFileSync(file, 'utf8');
    assert.equal(d[0].range.start.line + 1, lineOf(patchText, '+\t\treturn -EIO;'));
    assert.match(d[0].message, /^fs\/quillfs\/inode\.c:66: quillfs_write_begin\(\): reference to 'folio'/);
  });

  test('the unsaved text of the patch in the editor is what is checked', async () => {
    const uri = fileUri(path.join(dir, 'introduce-leak.patch'));
    // the editor's text of the patch: the early return puts the folio as well
    const fixedText = fs.readFileSync(path.join(dir, 'introduce-leak.patch'), 'utf8').replace('+\t\tfolio_unlock(folio);\n', '+\t\tfolio_unlock(folio);\n+\t\tfolio_put(folio);\n').replace('@@ -61,6 +61,11 @@', '@@ -61,6 +61,12 @@');
    const published = client.diagnostics(uri);
    const r = await within(client.request<Result>('workspace/executeCommand', { command: 'foliolens.checkPatch', arguments: [{ uri, text: fixedText }] }), 20000, 'checkPatch');
    assert.equal(r.introduced.length, 0, r.text);
    assert.deepEqual((await within(published, 5000, 'diagnostics cleared')).diagnostics, []);
  });

  test('a patch that does not apply: an error naming the file and the hunk, a window message, and the server still answers', async () => {
    const uri = fileUri(path.join(dir, 'does-not-apply.patch'));
    const before = client.messages.length;
    await assert.rejects(
      client.request('workspace/executeCommand', { command: 'foliolens.checkPatch', arguments: [{ uri }] }),
      (e: Error) => /does-not-apply\.patch: the patch does not apply: fs\/quillfs\/inode\.c: hunk @@ -18,6 \+18,8 @@/.test(e.message),
    );
    const m = client.messages.slice(before).find((x) => x.type === 1);
    assert.ok(m, 'an error message');
    assert.match(m.message, /fs\/quillfs\/inode\.c: hunk @@ -18,6 \+18,8 @@.*does not apply/);
    await assert.rejects(client.request('workspace/executeCommand', { command: 'foliolens.checkPatch', arguments: [{ nope: 1 }] }), /needs one argument/);
    // not a git checkout (yet): uncommitted changes are an error too
    await assert.rejects(client.request('workspace/executeCommand', { command: 'foliolens.checkPatch', arguments: [{ uncommitted: true }] }), /not inside a git checkout/);
    // still up: the good patch is checked again
    const r = await within(client.request<Result>('workspace/executeCommand', { command: 'foliolens.checkPatch', arguments: [{ uri: fileUri(path.join(dir, 'introduce-leak.patch')) }] }), 20000, 'checkPatch');
    assert.equal(r.introduced.length, 1);
  });

  test('uncommitted changes against HEAD: the introduced finding on the changed line of the working-tree file', async (t) => {
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
    if (git('init', '-q').status !== 0) {
      t.skip('no git');
      return;
    }
    assert.equal(git('add', 'fs').status, 0);
    assert.equal(git('commit', '-q', '-m', 'tree').status, 0);
    const applied = git('apply', 'introduce-leak.patch');
    assert.equal(applied.status, 0, applied.stderr);
    const file = path.join(dir, 'fs', 'quillfs', 'inode.c');
    const uri = fileUri(file);
    const published = client.diagnostics(uri);
    const r = await within(client.request<Result>('workspace/executeCommand', { command: 'foliolens.checkPatch', arguments: [{ uncommitted: true }] }), 20000, 'checkPatch uncommitted');
    assert.equal(r.introduced.length, 1, r.text);
    const d = (await within(published, 5000, 'diagnostics on inode.c')).diagnostics as Diag[];
    assert.deepEqual(d.map((x) => [x.source, x.code, x.range.start.line + 1]), [['folio-lens patch', 'ref-leak', 66]]);
    assert.match(d[0].message, /^introduced by the uncommitted changes: reference to 'folio'/);
    // opened: merged with the file's own diagnostics, not replaced by them
    const text = fs.readFileSync(file, 'utf8');
    const mine = client.diagnostics(uri, 1);
    await client.open(uri, text, 1);
    const merged = (await within(mine, 10000, 'diagnostics of the open file')).diagnostics as Diag[];
    assert.ok(merged.some((x) => x.source === 'folio-lens patch' && x.code === 'ref-leak'), JSON.stringify(merged));
    assert.ok(merged.some((x) => x.source === 'folio-lens' && x.code === 'ref-leak' && x.range.start.line + 1 === 66), JSON.stringify(merged));
    // edited: the patch diagnostic no longer fits the text and goes
    const next = client.diagnostics(uri, 2);
    await client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n' }]);
    const after = (await within(next, 10000, 'diagnostics after an edit')).diagnostics as Diag[];
    assert.ok(!after.some((x) => x.source === 'folio-lens patch'), JSON.stringify(after));
    assert.ok(!/uncaught|unhandled/i.test(stderr), stderr);
  });
});
