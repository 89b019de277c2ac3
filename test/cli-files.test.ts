/**
 * `folio-lens check` on hostile folders, run as a process: symbolic link
 * loops, broken links, unreadable files and folders, FIFOs, non-UTF-8
 * files, and a file that disappears between the listing and its reading.
 * Each problem is reported once on stderr, the rest is checked, and the
 * exit status is the documented one (0 no finding, 1 findings, 2 usage
 * error or nothing could be read).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ADVERSARIAL, rng } from '../bench/fuzz';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'folio-lens.js');
const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

/** Run the CLI; as `nobody` when the tests run as root and `asUser` is set (root reads any file). */
function run(args: string[], asUser = false) {
  const ids = asUser && IS_ROOT ? { uid: 65534, gid: 65534 } : {};
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60000, ...ids });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
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

const made: string[] = [];
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'folio-lens-files-'));
  made.push(d);
  return d;
}

function leaks(stdout: string): { file: string; line: number }[] {
  return JSON.parse(stdout).diagnostics.filter((d: { rule: string }) => d.rule === 'ref-leak');
}

/** How many stderr lines match `re`. */
function count(stderr: string, re: RegExp): number {
  return stderr.split('\n').filter((l) => re.test(l)).length;
}

test('symbolic link loops and broken links: each reported once, every real file checked once', () => {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'a.c'), LEAK);
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'sub', 'b.c'), LEAK.replace('demo_peek', 'demo_peek2'));
  fs.symlinkSync('..', path.join(dir, 'sub', 'up')); // sub/up -> dir: a loop
  fs.symlinkSync('.', path.join(dir, 'here')); // dir/here -> dir: a loop
  fs.symlinkSync('self.c', path.join(dir, 'self.c')); // ELOOP
  fs.symlinkSync('ping.c', path.join(dir, 'pong.c'));
  fs.symlinkSync('pong.c', path.join(dir, 'ping.c')); // ELOOP through two links
  fs.symlinkSync('nowhere.c', path.join(dir, 'broken.c'));
  fs.symlinkSync('a.c', path.join(dir, 'alias.c')); // the same real file: checked once
  const r = run(['check', '--format', 'json', dir]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(count(r.stderr, /sub\/up: symbolic link loop \(back to .*\), not followed$/), 1, r.stderr);
  assert.equal(count(r.stderr, /\/here: symbolic link loop \(back to .*\), not followed$/), 1, r.stderr);
  assert.equal(count(r.stderr, /\/self\.c: symbolic link loop \(ELOOP\)$/), 1, r.stderr);
  assert.equal(count(r.stderr, /\/ping\.c: symbolic link loop \(ELOOP\)$/), 1, r.stderr);
  assert.equal(count(r.stderr, /\/pong\.c: symbolic link loop \(ELOOP\)$/), 1, r.stderr);
  assert.equal(count(r.stderr, /\/broken\.c: broken symbolic link/), 1, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 6, r.stderr);
  const l = leaks(r.stdout);
  assert.equal(l.length, 2, JSON.stringify(l));
  assert.deepEqual(JSON.parse(r.stdout).stats.files, 2);
});

test('FIFOs named .c (in a folder, or on the command line) are reported once and never opened', { skip: process.platform === 'win32' }, () => {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'a.c'), LEAK);
  const fifo = path.join(dir, 'pipe.c');
  try {
    execFileSync('mkfifo', [fifo]);
  } catch {
    return; // no mkfifo
  }
  const r = run(['check', '--format', 'json', dir, fifo]);
  assert.equal(r.signal, null, 'the CLI did not block on the FIFO');
  assert.equal(r.code, 1, r.stderr);
  assert.equal(count(r.stderr, /pipe\.c: a FIFO, not read$/), 2, r.stderr); // once as listed, once as named
  assert.equal(leaks(r.stdout).length, 1);
  // only a FIFO: nothing could be read
  const only = run(['check', fifo]);
  assert.equal(only.code, 2, only.stderr);
  assert.match(only.stderr, /pipe\.c: a FIFO, not read/);
  assert.match(only.stderr, /no \.c or \.h file to check/);
});

/** Whether the CLI can run as nobody (when root): the checkout must be readable by others. */
function nobodyCanRun(): boolean {
  if (!IS_ROOT) return true;
  try {
    return run(['--version'], true).code === 0;
  } catch {
    return false;
  }
}

test('unreadable files and folders: reported once, the rest checked (as nobody when the tests run as root)', (t) => {
  if (!nobodyCanRun()) return t.skip('running as root, and the checkout is not readable by nobody');
  const dir = tmpDir();
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, 'a.c'), LEAK);
  fs.writeFileSync(path.join(dir, 'locked.c'), LEAK);
  fs.chmodSync(path.join(dir, 'locked.c'), 0o000);
  fs.mkdirSync(path.join(dir, 'closed'));
  fs.writeFileSync(path.join(dir, 'closed', 'c.c'), LEAK);
  fs.chmodSync(path.join(dir, 'closed'), 0o000);
  try {
    const r = run(['check', '--format', 'json', dir], true);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(count(r.stderr, /locked\.c: cannot read \(EACCES\)/), 1, r.stderr);
    assert.equal(count(r.stderr, /closed: cannot read folder \(EACCES\)/), 1, r.stderr);
    assert.equal(leaks(r.stdout).length, 1);
    // nothing readable at all: exit 2
    const none = run(['check', path.join(dir, 'locked.c')], true);
    assert.equal(none.code, 2, none.stderr);
    assert.equal(count(none.stderr, /locked\.c: cannot read \(EACCES\)/), 1);
  } finally {
    fs.chmodSync(path.join(dir, 'closed'), 0o755);
    fs.chmodSync(path.join(dir, 'locked.c'), 0o644);
  }
});

test('a non-UTF-8 file (Latin-1 bytes in comments and strings) is checked, with findings on the right lines', () => {
  const dir = tmpDir();
  const latin1 = Buffer.concat([
    Buffer.from('/* r\xe9sum\xe9 d\xe9j\xe0 vu: \xff\xfe */\n', 'latin1'),
    Buffer.from(LEAK.replace('return -EIO;', 'return pr_err("caf\xe9 \xc3("), -EIO;'), 'latin1'),
  ]);
  fs.writeFileSync(path.join(dir, 'latin1.c'), latin1);
  fs.writeFileSync(path.join(dir, 'ok.c'), LEAK.replace('demo_peek', 'demo_ok').replace('\t\treturn -EIO;', '\t\tgoto out;').replace('\tfolio_put(folio);', 'out:\n\tfolio_put(folio);'));
  const r = run(['check', '--format', 'json', dir]);
  assert.equal(r.code, 1, r.stderr);
  const l = leaks(r.stdout);
  assert.equal(l.length, 1, r.stdout);
  assert.match(l[0].file, /latin1\.c$/);
  // the leaking return is on line 12 of the file (11 of LEAK, after the one-line comment)
  assert.equal(l[0].line, 12);
  // said once, on stderr, for that file only
  const said = r.stderr.split('\n').filter((x) => /not valid UTF-8/.test(x));
  assert.equal(said.length, 1, r.stderr);
  assert.match(said[0], /latin1\.c: not valid UTF-8: checked with the invalid bytes read as U\+FFFD/);
});

test('a file that disappears after the listing, before it is read: reported once, the rest checked', async () => {
  const dir = tmpDir();
  // a.c takes a while to analyse (a function of 5,000 branches); z.c is read after it
  fs.writeFileSync(path.join(dir, 'a.c'), ADVERSARIAL.find((x) => x.name === 'branches-5000')!.gen(rng(1), []) + LEAK);
  fs.writeFileSync(path.join(dir, 'z.c'), LEAK.replace('demo_peek', 'demo_gone'));
  // a broken link: its line on stderr is printed when the listing is complete
  fs.symlinkSync('nowhere', path.join(dir, 'm-broken.c'));
  const child = spawn(process.execPath, [BIN, 'check', '--format', 'json', '--jobs', '1', dir], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  let removed = false;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!removed && /m-broken\.c: broken symbolic link/.test(stderr)) {
      removed = true;
      fs.unlinkSync(path.join(dir, 'z.c'));
    }
  });
  const code = await new Promise<number | null>((res) => child.on('close', res));
  assert.ok(removed, stderr);
  assert.equal(code, 1, stderr);
  assert.equal(count(stderr, /z\.c: cannot read \(ENOENT\)/), 1, stderr);
  assert.equal(count(stderr, /m-broken\.c: broken symbolic link/), 1, stderr);
  const l = leaks(stdout);
  assert.ok(l.length >= 1 && l.every((d) => /a\.c$/.test(d.file)), stdout.slice(0, 500));
  assert.equal(JSON.parse(stdout).stats.files, 1);
});
