/**
 * Patch mode: the diff parser, the in-memory applier, the review (matching
 * findings across versions), and `folio-lens patch` run as a user runs it on
 * the kernel-style tree and patches under test/fixtures/patch/ (written by
 * us, the patches made with git format-patch / git diff on that tree).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parsePatch, PatchSyntaxError, applyPatch, ApplyError, findingKey, reviewPatchText, quoteFor, treeReader, introducedAnchor } from '../server/src/patch';
import type { Diagnostic } from '../server/src/diagnostic';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'folio-lens.js');
const FIX = path.join(ROOT, 'test', 'fixtures', 'patch');
const TREE = path.join(FIX, 'tree');
const patchFile = (name: string) => path.join(FIX, name);
const readFix = (name: string) => fs.readFileSync(patchFile(name), 'utf8');

function run(args: string[], opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, encoding: 'utf8', input: opts.input, env: opts.env ?? process.env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function patchJson(name: string, extra: string[] = []) {
  const r = run(['patch', '--tree', TREE, '--format', 'json', ...extra, patchFile(name)]);
  return { ...r, doc: r.stdout ? JSON.parse(r.stdout) : undefined };
}

type J = { rule: string; function: string; file: string; line: number };
const brief = (ds: J[]) => ds.map((d) => `${d.file}:${d.function}:${d.rule}`).sort();

/** a reader over an in-memory tree */
const mem = (files: Record<string, string>) => (p: string) => (p in files ? files[p] : null);

// ---------------------------------------------------------------- parser

test('parse: a format-patch mail (headers, message, diffstat, signature)', () => {
  const p = parsePatch(readFix('fix-leak.patch'));
  assert.deepEqual(p.subjects, ['[PATCH] quillfs: drop the folio reference on a corrupted symlink']);
  assert.equal(p.files.length, 1);
  const f = p.files[0];
  assert.equal(f.oldPath, 'fs/quillfs/inode.c');
  assert.equal(f.newPath, 'fs/quillfs/inode.c');
  assert.equal(f.status, 'modified');
  assert.equal(f.hunks.length, 1);
  const h = f.hunks[0];
  assert.deepEqual([h.oldStart, h.oldLines, h.newStart, h.newLines], [27, 6, 27, 7]);
  assert.equal(h.lines.length, 7);
  assert.deepEqual(h.lines.filter((l) => l.kind === '+').map((l) => l.text), ['\t\tfolio_put(folio);']);
  // the `-- ` signature and the version after it are not part of the hunk
  assert.ok(!h.lines.some((l) => l.text.includes('2.39')));
});

test('parse: a series of mails, folded subjects, patch indexes', () => {
  const p = parsePatch(readFix('series.patch'));
  assert.equal(p.subjects.length, 2);
  assert.match(p.subjects[1], /^\[PATCH 2\/2\] quillfs: update mtime on truncate, bound symlinks by the page size$/);
  assert.deepEqual(p.files.map((f) => [f.newPath, f.patchIndex]), [
    ['fs/quillfs/file.c', 0],
    ['fs/quillfs/file.c', 1],
    ['fs/quillfs/inode.c', 1],
  ]);
});

test('parse: rename, new, deleted, binary', () => {
  const r = parsePatch(readFix('rename.patch')).files;
  assert.deepEqual(r.map((f) => [f.status, f.oldPath, f.newPath]), [
    ['modified', 'fs/quillfs/Makefile', 'fs/quillfs/Makefile'],
    ['renamed', 'fs/quillfs/legacy.c', 'fs/quillfs/symlink_v1.c'],
  ]);
  assert.equal(r[1].similarity, 92);
  const n = parsePatch(readFix('new-and-deleted.patch')).files;
  assert.deepEqual(n.map((f) => [f.status, f.oldPath, f.newPath, f.binary]), [
    ['added', null, 'Documentation/filesystems/quillfs-layout.png', true],
    ['modified', 'fs/quillfs/Makefile', 'fs/quillfs/Makefile', false],
    ['deleted', 'fs/quillfs/legacy.c', null, false],
    ['added', null, 'fs/quillfs/xattr.c', false],
  ]);
  assert.equal(n[3].hunks[0].lines.length, 37);
  assert.equal(n[2].hunks[0].lines.length, 23);
});

test('parse: no prefixes, diff -u timestamps, quoted paths, mode lines', () => {
  assert.equal(parsePatch(readFix('fix-leak-noprefix.diff')).files[0].newPath, 'fs/quillfs/inode.c');
  const u = parsePatch(
    '--- mm/filemap.c.orig\t2025-01-01 10:00:00.000000000 +0100\n+++ mm/filemap.c\t2025-01-02 10:00:00.000000000 +0100\n@@ -1 +1 @@\n-a\n+b\n',
  ).files[0];
  assert.deepEqual([u.oldPath, u.newPath], ['mm/filemap.c.orig', 'mm/filemap.c']);
  const q = parsePatch('diff --git "a/fs/t\\303\\251st.c" "b/fs/t\\303\\251st.c"\nindex 1..2 100644\n--- "a/fs/t\\303\\251st.c"\n+++ "b/fs/t\\303\\251st.c"\n@@ -1 +1 @@\n-a\n+b\n').files[0];
  assert.equal(q.newPath, 'fs/tést.c');
  const m = parsePatch('diff --git a/scripts/x.sh b/scripts/x.sh\nold mode 100644\nnew mode 100755\n').files[0];
  assert.deepEqual([m.oldMode, m.newMode, m.hunks.length, m.newPath], ['100644', '100755', 0, 'scripts/x.sh']);
});

test('parse: hunks are read by their counts (a removed "-- " line, no newline at end of file)', () => {
  const text = [
    'diff --git a/a.c b/a.c',
    '--- a/a.c',
    '+++ b/a.c',
    '@@ -1,3 +1,2 @@',
    ' x',
    '--- ',
    '-y',
    '\\ No newline at end of file',
    '+y',
    '\\ No newline at end of file',
    '-- ',
    '2.39.5',
    '',
  ].join('\n');
  const h = parsePatch(text).files[0].hunks[0];
  assert.deepEqual(h.lines.map((l) => l.kind + l.text), [' x', '--- ', '-y', '+y']);
  assert.equal(h.lines[2].noNewline, true);
  assert.equal(h.lines[3].noNewline, true);
  assert.throws(() => parsePatch('--- a/a.c\n+++ b/a.c\n@@ -1,3 +1,3 @@\n x\n-y\n'), PatchSyntaxError);
  assert.equal(parsePatch('just some text\n').files.length, 0);
});

// ---------------------------------------------------------------- applier

test('apply: exact, at an offset, never with fuzz', () => {
  const inode = fs.readFileSync(path.join(TREE, 'fs/quillfs/inode.c'), 'utf8');
  const p = parsePatch(readFix('fix-leak.patch'));
  const [c] = applyPatch(p, mem({ 'fs/quillfs/inode.c': inode }));
  assert.equal(c.before, inode);
  assert.ok(c.after!.includes('inode->i_ino);\n\t\tfolio_put(folio);\n\t\treturn -EFSCORRUPTED;'));
  const added = c.hunks[0].lines.find((l) => l.kind === '+')!;
  assert.deepEqual([added.before, added.after], [undefined, 30]);
  // three lines more at the top: found three lines further down
  const [o] = applyPatch(p, mem({ 'fs/quillfs/inode.c': '/* 1 */\n/* 2 */\n/* 3 */\n' + inode }));
  assert.equal(o.hunks[0].lines.find((l) => l.kind === '+')!.after, 33);
  // one context line with other whitespace: no fuzz, an error naming file and hunk
  const changed = inode.replace('\t\tpr_warn_ratelimited(', '\t\tpr_warn_ratelimited (');
  assert.throws(
    () => applyPatch(p, mem({ 'fs/quillfs/inode.c': changed })),
    (e: Error) => e instanceof ApplyError && /fs\/quillfs\/inode\.c: hunk @@ -27,6 \+27,7 @@ .* does not apply/.test(e.message),
  );
  assert.throws(() => applyPatch(p, mem({})), /fs\/quillfs\/inode\.c: no such file in the tree/);
});

test('apply: a series moves later hunks through earlier ones (lines before and after the whole series)', () => {
  const file = fs.readFileSync(path.join(TREE, 'fs/quillfs/file.c'), 'utf8');
  const inode = fs.readFileSync(path.join(TREE, 'fs/quillfs/inode.c'), 'utf8');
  const changes = applyPatch(parsePatch(readFix('series.patch')), mem({ 'fs/quillfs/file.c': file, 'fs/quillfs/inode.c': inode }));
  assert.deepEqual(changes.map((c) => c.newPath), ['fs/quillfs/file.c', 'fs/quillfs/inode.c']);
  const fc = changes[0];
  assert.equal(fc.hunks.length, 3);
  const after = fc.after!.split('\n');
  for (const h of fc.hunks) {
    for (const l of h.lines) {
      if (l.after !== undefined) assert.equal(after[l.after - 1], l.text, `after ${l.after}`);
      if (l.before !== undefined) assert.equal(file.split('\n')[l.before - 1], l.text, `before ${l.before}`);
    }
  }
  // the line patch 2 adds, placed in the final file; patch 1's removed lines placed in the original
  const comment = fc.hunks[1].lines.find((l) => l.kind === '+')!;
  assert.equal(after[comment.after! - 1], '\t/* the tail beyond i_size must read back as zeroes */');
  assert.deepEqual(fc.hunks[0].lines.filter((l) => l.kind === '-').map((l) => l.before), [50, 51]);
});

test('apply: new, deleted, renamed files; what cannot be', () => {
  const tree = treeReader(TREE);
  const changes = applyPatch(parsePatch(readFix('new-and-deleted.patch')), tree);
  assert.deepEqual(changes.map((c) => [c.status, c.oldPath, c.newPath, c.binary]), [
    ['modified', null, 'Documentation/filesystems/quillfs-layout.png', true],
    ['modified', 'fs/quillfs/Makefile', 'fs/quillfs/Makefile', false],
    ['deleted', 'fs/quillfs/legacy.c', null, false],
    ['added', null, 'fs/quillfs/xattr.c', false],
  ]);
  assert.equal(changes[2].after, null);
  assert.equal(changes[3].before, null);
  const [, ren] = applyPatch(parsePatch(readFix('rename.patch')), tree);
  assert.deepEqual([ren.status, ren.oldPath, ren.newPath], ['renamed', 'fs/quillfs/legacy.c', 'fs/quillfs/symlink_v1.c']);
  assert.match(ren.after!, /if \(len >= buflen\) \{\n\t\tfolio_put\(folio\);/);
  // a new file that exists, a deleted file with lines the patch does not remove
  assert.throws(() => applyPatch(parsePatch('--- /dev/null\n+++ b/a.c\n@@ -0,0 +1 @@\n+x\n'), mem({ 'a.c': 'y\n' })), /a\.c: the patch creates it but it already exists/);
  assert.throws(() => applyPatch(parsePatch('--- a/a.c\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n'), mem({ 'a.c': 'x\ny\n' })), /a\.c: the patch deletes it but 1 line\(s\) of it are not in the patch/);
  assert.throws(() => applyPatch(parsePatch('--- a/../etc/passwd\n+++ b/../etc/passwd\n@@ -1 +1 @@\n-x\n+y\n'), mem({})), /outside the tree/);
});

test('apply: end of file without a newline, quilt-style top folders', () => {
  const [c] = applyPatch(parsePatch('--- a/a.c\n+++ b/a.c\n@@ -1,2 +1,3 @@\n x\n-y\n\\ No newline at end of file\n+y\n+z\n'), mem({ 'a.c': 'x\ny' }));
  assert.equal(c.after, 'x\ny\nz\n');
  const [d] = applyPatch(parsePatch('--- a/a.c\n+++ b/a.c\n@@ -1,2 +1,2 @@\n x\n-y\n+z\n\\ No newline at end of file\n'), mem({ 'a.c': 'x\ny\n' }));
  assert.equal(d.after, 'x\nz');
  // diff -Nu: a new file and a deleted one without /dev/null; a -U0 hunk at the top of an existing file
  const epoch = '\t1970-01-01 01:00:00.000000000 +0100';
  const nu = applyPatch(parsePatch(`--- a/new.c${epoch}\n+++ b/new.c\n@@ -0,0 +1 @@\n+x\n--- a/old.c\n+++ b/old.c${epoch}\n@@ -1 +0,0 @@\n-y\n--- a/top.c\n+++ b/top.c\n@@ -0,0 +1 @@\n+z\n`), mem({ 'old.c': 'y\n', 'top.c': 'w\n' }));
  assert.deepEqual(nu.map((c) => [c.status, c.oldPath, c.newPath, c.after]), [
    ['added', null, 'new.c', 'x\n'],
    ['deleted', 'old.c', null, null],
    ['modified', 'top.c', 'top.c', 'z\nw\n'],
  ]);
  const [q] = applyPatch(parsePatch('--- linux.orig/fs/a.c\n+++ linux/fs/a.c\n@@ -1 +1 @@\n-x\n+y\n'), mem({ 'fs/a.c': 'x\n' }));
  assert.deepEqual([q.oldPath, q.after], ['fs/a.c', 'y\n']);
});

// ---------------------------------------------------------------- review

const TWO_LEAKS = `#include <linux/pagemap.h>

static int demo_two_exits(struct address_space *mapping, pgoff_t index, int flags)
{
	struct folio *folio;

	folio = filemap_get_folio(mapping, index);
	if (IS_ERR(folio))
		return PTR_ERR(folio);
	if (flags & 1)
		return -EIO;
	if (flags & 2)
		return -EINVAL;
	folio_put(folio);
	return 0;
}
`;

test('review: findings matched by rule, function, object and call, with multiplicity', async () => {
  const fix = [
    '--- a/demo.c',
    '+++ b/demo.c',
    '@@ -9,8 +9,9 @@ static int demo_two_exits(struct address_space *mapping, pgoff_t index, int flags)',
    ' \t\treturn PTR_ERR(folio);',
    ' \tif (flags & 1)',
    ' \t\treturn -EIO;',
    ' \tif (flags & 2)',
    '-\t\treturn -EINVAL;',
    '+\t\tgoto out;',
    '+out:',
    ' \tfolio_put(folio);',
    ' \treturn 0;',
    ' }',
    '',
  ].join('\n');
  const r = await reviewPatchText(fix, mem({ 'demo.c': TWO_LEAKS }), { kernelVersion: '6.12' });
  // two ref-leaks with one key before, one after: one fixed (the one the patch changed), one remaining
  assert.equal(r.fixed.length, 1);
  assert.equal(r.fixed[0].line, 13);
  assert.equal(r.remaining.length, 1);
  assert.equal(r.remaining[0].line, 11);
  assert.equal(r.introduced.length, 0);
  assert.equal(findingKey(r.fixed[0]), findingKey(r.remaining[0]));
});

test('review: a quote holds the changed lines of the finding\'s function near its path', () => {
  const d: Diagnostic = {
    file: 'a.c', line: 12, column: 3, endLine: 12, endColumn: 10, rule: 'ref-leak', severity: 'error', message: 'm',
    function: 'f', path: [{ line: 10, note: 'taken' }, { line: 12, note: 'returns' }], related: [],
  };
  const hunk = {
    header: '@@ -8,6 +8,8 @@ int f(void)',
    patchIndex: 0,
    lines: [
      { kind: ' ' as const, text: 'a', before: 8, after: 8 },
      { kind: ' ' as const, text: 'b', before: 9, after: 9 },
      { kind: ' ' as const, text: 'get', before: 10, after: 10 },
      { kind: '+' as const, text: 'if (x)', after: 11 },
      { kind: '+' as const, text: '\treturn;', after: 12 },
      { kind: ' ' as const, text: 'put', before: 11, after: 13 },
      { kind: ' ' as const, text: 'c', before: 12, after: 14 },
    ],
  };
  assert.deepEqual(quoteFor(d, { name: 'f', start: 5, end: 20 }, [hunk]), [
    '> @@ -8,6 +8,8 @@ int f(void)',
    '> [...]',
    '>  get',
    '> +if (x)',
    '> +\treturn;',
    '> [...]',
  ]);
  // a hunk outside the function is not quoted
  assert.deepEqual(quoteFor(d, { name: 'f', start: 30, end: 40 }, [hunk]), []);
});

test('review: where an editor puts an introduced finding (the added line, in the file and in the patch)', async () => {
  const text = readFix('introduce-leak.patch');
  const r = await reviewPatchText(text, TREE, { kernelVersion: '6.12' });
  assert.equal(r.introduced.length, 1);
  const a = introducedAnchor(r.introduced[0])!;
  assert.equal(a.file, 'fs/quillfs/inode.c');
  assert.equal(a.line, 66);
  assert.equal(text.split('\n')[a.patchLine! - 1], '+\t\treturn -EIO;');
});

// ---------------------------------------------------------------- the command

test('patch: a fix of a leak (format-patch mail) is reported fixed, exit 0', () => {
  const r = patchJson('fix-leak.patch');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.doc.introduced, []);
  assert.deepEqual(brief(r.doc.fixed), ['fs/quillfs/inode.c:quillfs_read_link:ref-leak']);
  assert.deepEqual(r.doc.remaining, []);
  // the check command's diagnostic objects
  const check = JSON.parse(run(['check', '--format', 'json', path.join(TREE, 'fs/quillfs/inode.c')]).stdout).diagnostics[0];
  assert.deepEqual(Object.keys(r.doc.fixed[0]).sort(), Object.keys(check).sort());
  assert.equal(r.doc.fixed[0].line, check.line);
  const t = run(['patch', '--tree', TREE, patchFile('fix-leak.patch')]);
  assert.equal(t.code, 0);
  assert.match(t.stdout, /^Fixed by the patch \(1; lines before the patch\):\n  fs\/quillfs\/inode\.c:30: quillfs_read_link\(\): reference to 'folio' taken by read_mapping_folio\(\)/m);
  assert.match(t.stdout, /folio-lens patch: 0 introduced, 1 fixed, 0 remaining in 1 function\(s\) of 1 file\(s\)/);
});

test('patch: a patch that introduces a leak: exit 1, the hunk quoted with "> " above the finding and its path', () => {
  const r = patchJson('introduce-leak.patch');
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(brief(r.doc.introduced), ['fs/quillfs/inode.c:quillfs_write_begin:ref-leak']);
  assert.deepEqual([r.doc.fixed, r.doc.remaining], [[], []]);
  assert.equal(r.doc.introduced[0].line, 66);
  const t = run(['patch', '--tree', TREE, patchFile('introduce-leak.patch')]);
  assert.equal(t.code, 1);
  const quote = [
    '> @@ -61,6 +61,11 @@ static int quillfs_write_begin(struct file *file, struct address_space *mapping,',
    '> [...]',
    '> +\tif (folio_test_hwpoison(folio)) {',
    '> +\t\tfolio_unlock(folio);',
    '> +\t\treturn -EIO;',
    '> +\t}',
  ].join('\n');
  assert.ok(t.stdout.includes(quote), t.stdout);
  const at = t.stdout.indexOf(quote);
  const finding = t.stdout.indexOf('fs/quillfs/inode.c:66:3: error: reference to \'folio\' taken by __filemap_get_folio()');
  assert.ok(finding > at, 'the finding comes under its quote');
  assert.match(t.stdout, /the path through quillfs_write_begin\(\):\n\s+46  folio = __filemap_get_folio\(.*\/\* reference taken by __filemap_get_folio\(\) \*\//);
  assert.match(t.stdout, /\n\s+66  return -EIO;\s+\/\* returns \*\//);
});

test('patch: a series of two mails, the same file patched by both', () => {
  const r = patchJson('series.patch');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.doc.introduced, []);
  assert.deepEqual(brief(r.doc.fixed), ['fs/quillfs/file.c:quillfs_zero_tail:lock-leak', 'fs/quillfs/file.c:quillfs_zero_tail:ref-leak']);
  // patch 2/2 touches quillfs_read_link without fixing its leak
  assert.deepEqual(brief(r.doc.remaining), ['fs/quillfs/inode.c:quillfs_read_link:ref-leak']);
  assert.deepEqual(r.doc.files.map((f: { newPath: string; functions: string[] }) => [f.newPath, f.functions]), [
    ['fs/quillfs/file.c', ['quillfs_setsize', 'quillfs_zero_tail']],
    ['fs/quillfs/inode.c', ['quillfs_read_link']],
  ]);
});

test('patch: in a series, an introduced finding says which mail its hunks are from', () => {
  const mail = [
    'From 099a8ad4d1c3b2a0e6f7a8b9c0d1e2f3a4b5c6d7 Mon Sep 17 00:00:00 2001',
    'From: Ada Quill <ada@quillfs.example>',
    'Date: Thu, 6 Mar 2025 08:00:00 +0100',
    'Subject: [PATCH 3/3] quillfs: refuse hwpoisoned folios in write_begin',
    '',
    'Signed-off-by: Ada Quill <ada@quillfs.example>',
    '---',
    readFix('introduce-leak.patch').replace(/\n$/, ''),
    '-- ',
    '2.39.5',
    '',
  ].join('\n');
  const r = run(['patch', '--tree', TREE, '-'], { input: readFix('series.patch') + '\n' + mail });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^In \[PATCH 3\/3\] quillfs: refuse hwpoisoned folios in write_begin:\n> @@ -61,6 \+61,11 @@/m);
  assert.match(r.stdout, /folio-lens patch: 1 introduced, 2 fixed, 1 remaining in 4 function\(s\) of 2 file\(s\)/);
  // a hunk of a later mail that does not apply names the mail
  const bad = run(['patch', '--tree', TREE, '-'], { input: readFix('series.patch').replace('len > QUILLFS_MAX_SYMLINK)', 'len > QUILLFS_MAXSYM)') });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /fs\/quillfs\/inode\.c: hunk @@ -16,7 \+16,7 @@ .* does not apply \(in \[PATCH 2\/2\] quillfs: update mtime on truncate, bound symlinks by the page size\)/);
});

test('patch: a rename with a fix; the Makefile is applied and not analysed', () => {
  const r = patchJson('rename.patch');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(brief(r.doc.fixed), ['fs/quillfs/legacy.c:quillfs_v1_read_link:ref-leak']);
  assert.deepEqual([r.doc.introduced, r.doc.remaining], [[], []]);
  const files = r.doc.files.map((f: { oldPath: string; newPath: string; status: string; skipped?: string }) => [f.status, f.oldPath, f.newPath, f.skipped ?? '']);
  assert.deepEqual(files, [
    ['modified', 'fs/quillfs/Makefile', 'fs/quillfs/Makefile', 'not a .c or .h file'],
    ['renamed', 'fs/quillfs/legacy.c', 'fs/quillfs/symlink_v1.c', ''],
  ]);
});

test('patch: a patch that does not apply: exit 2, the file and the hunk named, nothing else claimed', () => {
  for (const format of ['text', 'json']) {
    const r = run(['patch', '--tree', TREE, '--format', format, patchFile('does-not-apply.patch')]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /the patch does not apply: fs\/quillfs\/inode\.c: hunk @@ -18,6 \+18,8 @@ int quillfs_read_link\(.*\) \(line 19 of the patch\) does not apply/);
    assert.match(r.stderr, /expects "\\tif \(len >= buflen \|\| len > QUILLFS_SYMLINK_LEN\)" but the file has/);
  }
});

test('patch: a new file with a leak (introduced) and a deleted file with one (fixed); a binary patch skipped', () => {
  const r = patchJson('new-and-deleted.patch');
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(brief(r.doc.introduced), ['fs/quillfs/xattr.c:quillfs_xattr_get:ref-leak']);
  assert.deepEqual(brief(r.doc.fixed), ['fs/quillfs/legacy.c:quillfs_v1_read_link:ref-leak']);
  const png = r.doc.files.find((f: { newPath: string }) => f.newPath.endsWith('.png'));
  assert.equal(png.skipped, 'binary patch, not applied');
  const t = run(['patch', '--tree', TREE, patchFile('new-and-deleted.patch')]);
  assert.match(t.stdout, /> @@ -0,0 \+1,37 @@\n> \[\.\.\.\]\n> \+static int quillfs_xattr_get\(/);
  assert.match(t.stdout, /Binary patches, not applied \(1\):\n  Documentation\/filesystems\/quillfs-layout\.png/);
});

test('patch: a function left with an unbalanced brace: no crash, nothing claimed for it', () => {
  // before the patch quillfs_readdir() leaks on -EFSCORRUPTED; after it the function does not parse
  const before = JSON.parse(run(['check', '--format', 'json', path.join(TREE, 'fs/quillfs/dir.c')]).stdout).diagnostics;
  assert.deepEqual(before.map((d: J) => `${d.function}:${d.rule}`), ['quillfs_readdir:ref-leak']);
  const r = patchJson('unbalanced.patch');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([r.doc.introduced, r.doc.fixed, r.doc.remaining], [[], [], []]);
  assert.deepEqual(r.doc.unanalysed, [
    { file: 'fs/quillfs/dir.c', function: 'quillfs_readdir', reason: 'after the patch: a syntax error in its definition (unbalanced braces?)' },
  ]);
  assert.match(run(['patch', '--tree', TREE, patchFile('unbalanced.patch')]).stdout, /Not analysed, nothing claimed \(1\):\n  fs\/quillfs\/dir\.c: quillfs_readdir\(\): after the patch/);
});

test('patch: from stdin, without prefixes, against the current folder by default', () => {
  const r = run(['patch', '--format', 'json', '-'], { cwd: TREE, input: readFix('fix-leak-noprefix.diff') });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(brief(JSON.parse(r.stdout).fixed), ['fs/quillfs/inode.c:quillfs_read_link:ref-leak']);
});

test('patch: usage and input errors exit 2', () => {
  assert.equal(run(['patch']).code, 2);
  assert.equal(run(['patch', '--tree', TREE, patchFile('fix-leak.patch'), patchFile('series.patch')]).code, 2);
  assert.equal(run(['patch', '--tree', TREE, '--format', 'sarif', patchFile('fix-leak.patch')]).code, 2);
  assert.equal(run(['patch', '--tree', '/nonexistent/folio-lens', patchFile('fix-leak.patch')]).code, 2);
  const missing = run(['patch', '--tree', TREE, '/nonexistent/x.patch']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /x\.patch: cannot read \(ENOENT\)/);
  const empty = run(['patch', '--tree', TREE, '-'], { input: 'no diff here\n' });
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /no diff found/);
  const cut = run(['patch', '--tree', TREE, '-'], { input: readFix('fix-leak.patch').split('\n').slice(0, 20).join('\n') });
  assert.equal(cut.code, 2);
  assert.match(cut.stderr, /does not parse: line 19: hunk '@@ -27,6 \+27,7 @@ .*' of fs\/quillfs\/inode\.c is cut short/);
  // applies on another tree: no such file
  const other = run(['patch', '--tree', os.tmpdir(), patchFile('fix-leak.patch')]);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /fs\/quillfs\/inode\.c: no such file in the tree/);
});

// ---------------------------------------------------------------- --git

const HAVE_GIT = spawnSync('git', ['--version']).status === 0;

test('patch --git: commits of a checkout, A..B and a single commit', { skip: !HAVE_GIT && 'git is not installed' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'folio-lens-git-'));
  // no user or system configuration: the test's own identity, defaults elsewhere
  const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'Ada Quill', GIT_AUTHOR_EMAIL: 'ada@quillfs.example', GIT_COMMITTER_NAME: 'Ada Quill', GIT_COMMITTER_EMAIL: 'ada@quillfs.example' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] }).toString('utf8');
  fs.cpSync(TREE, dir, { recursive: true });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'quillfs: initial');
  // a commit that introduces a leak, then one that fixes another
  const inode = path.join(dir, 'fs/quillfs/inode.c');
  fs.writeFileSync(inode, fs.readFileSync(inode, 'utf8').replace('\t*foliop = folio;', '\tif (folio_test_hwpoison(folio)) {\n\t\tfolio_unlock(folio);\n\t\treturn -EIO;\n\t}\n\n\t*foliop = folio;'));
  git('commit', '-q', '-a', '-m', 'quillfs: refuse hwpoisoned folios');
  git('mv', 'fs/quillfs/legacy.c', 'fs/quillfs/symlink_v1.c');
  const v1 = path.join(dir, 'fs/quillfs/symlink_v1.c');
  fs.writeFileSync(v1, fs.readFileSync(v1, 'utf8').replace('\tif (len >= buflen)\n\t\treturn -ENAMETOOLONG;', '\tif (len >= buflen) {\n\t\tfolio_put(folio);\n\t\treturn -ENAMETOOLONG;\n\t}'));
  git('commit', '-q', '-a', '-m', 'quillfs: rename legacy.c, fix its leak');

  // a user configuration that changes diff output must not matter
  const userEnv = { ...env, GIT_CONFIG_COUNT: '2', GIT_CONFIG_KEY_0: 'diff.noprefix', GIT_CONFIG_VALUE_0: 'true', GIT_CONFIG_KEY_1: 'diff.mnemonicPrefix', GIT_CONFIG_VALUE_1: 'true' };
  const both = run(['patch', '--format', 'json', '--git', 'HEAD~2..HEAD'], { cwd: dir, env: userEnv });
  assert.equal(both.code, 1, both.stderr);
  const doc = JSON.parse(both.stdout);
  assert.deepEqual(brief(doc.introduced), ['fs/quillfs/inode.c:quillfs_write_begin:ref-leak']);
  assert.deepEqual(brief(doc.fixed), ['fs/quillfs/legacy.c:quillfs_v1_read_link:ref-leak']);
  assert.ok(doc.files.some((f: { status: string; newPath: string }) => f.status === 'renamed' && f.newPath === 'fs/quillfs/symlink_v1.c'));

  // one commit: C^..C; from a subfolder of the checkout
  const one = run(['patch', '--format', 'json', '--git', 'HEAD'], { cwd: path.join(dir, 'fs'), env });
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(brief(JSON.parse(one.stdout).fixed), ['fs/quillfs/legacy.c:quillfs_v1_read_link:ref-leak']);
  const text = run(['patch', '--git', 'HEAD~1', '--tree', dir], { env });
  assert.equal(text.code, 1);
  assert.ok(text.stdout.includes('> +\tif (folio_test_hwpoison(folio)) {'), text.stdout);
  // the root commit: everything in it is new
  const root = run(['patch', '--format', 'json', '--git', 'HEAD~2'], { cwd: dir, env });
  assert.equal(root.code, 1, root.stderr);
  assert.ok(JSON.parse(root.stdout).introduced.length >= 4);
  // uncommitted changes against HEAD: a staged fix, an unstaged new leak, an untracked new file
  const file = path.join(dir, 'fs/quillfs/file.c');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('\tif (folio_test_writeback(folio))\n\t\treturn -EBUSY;\n', '\tfolio_wait_writeback(folio);\n'));
  git('add', 'fs/quillfs/file.c');
  const dirc = path.join(dir, 'fs/quillfs/dir.c');
  fs.writeFileSync(dirc, fs.readFileSync(dirc, 'utf8').replace('\t\tkunmap_local(kaddr);\n\t\tfolio_put(folio);\n\t}\n\treturn 0;', '\t\tkunmap_local(kaddr);\n\t\tif (ctx->pos > 4096)\n\t\t\treturn -E2BIG;\n\t\tfolio_put(folio);\n\t}\n\treturn 0;'));
  fs.copyFileSync(path.join(TREE, 'fs/quillfs/legacy.c'), path.join(dir, 'fs/quillfs/legacy2.c'));
  const wt = run(['patch', '--format', 'json', '--uncommitted'], { cwd: dir, env });
  assert.equal(wt.code, 1, wt.stderr);
  const w = JSON.parse(wt.stdout);
  assert.deepEqual(brief(w.introduced), ['fs/quillfs/dir.c:quillfs_readdir:ref-leak', 'fs/quillfs/legacy2.c:quillfs_v1_read_link:ref-leak']);
  assert.deepEqual(brief(w.fixed), ['fs/quillfs/file.c:quillfs_zero_tail:lock-leak', 'fs/quillfs/file.c:quillfs_zero_tail:ref-leak']);
  assert.deepEqual(brief(w.remaining), ['fs/quillfs/dir.c:quillfs_readdir:ref-leak']);
  assert.match(run(['patch', '--uncommitted'], { cwd: dir, env }).stdout, /> \+\t\tif \(ctx->pos > 4096\)\n> \+\t\t\treturn -E2BIG;/);
  assert.equal(run(['patch', '--uncommitted', '--git', 'HEAD'], { cwd: dir, env }).code, 2);

  // bad revisions and folders outside a checkout: exit 2
  assert.equal(run(['patch', '--git', 'no-such-branch..HEAD'], { cwd: dir, env }).code, 2);
  assert.equal(run(['patch', '--git', '--output=/tmp/x'], { cwd: dir, env }).code, 2);
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'folio-lens-nogit-'));
  const no = run(['patch', '--git', 'HEAD'], { cwd: outside, env: { ...env, GIT_CEILING_DIRECTORIES: os.tmpdir() } });
  assert.equal(no.code, 2);
  assert.match(no.stderr, /not inside a git checkout/);
});
