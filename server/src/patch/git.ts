/**
 * `folio-lens patch --git A..B`: the before and after texts from git itself
 * (`git show A:path`, `git show B:path`), the files from
 * `git diff --name-status -M`, the hunks (for quoting and for the changed
 * lines) from `git diff -M`. Or the uncommitted changes: HEAD against the
 * files on disk. git runs with argument arrays, never a shell,
 * and every revision is resolved to an object id before it is used.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parsePatch, type FilePatch } from './parse';
import { quoteHunks, type FileChange } from './apply';
import { isSource } from './review';

export class GitError extends Error {}

const MAX_BUFFER = 512 * 1024 * 1024;

function git(cwd: string, args: string[], what: string): Buffer {
  try {
    return execFileSync('git', args, { cwd, maxBuffer: MAX_BUFFER, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new GitError('git is not installed (or not on PATH)');
    const msg = err.stderr?.toString('utf8').trim().split('\n')[0];
    throw new GitError(`${what}${msg ? `: ${msg}` : ''}`);
  }
}

function resolve(cwd: string, rev: string): string {
  if (rev === '' || rev.startsWith('-') || /[\s\0]/.test(rev)) throw new GitError(`'${rev}' is not a revision`);
  return git(cwd, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], `'${rev}' is not a commit`).toString('utf8').trim();
}

/** The two commits a range names: `A..B`, `A...B` (from their merge base), or `C` (C^..C; a root commit against the empty tree). */
export function resolveRange(cwd: string, range: string): { from: string; to: string } {
  const three = range.indexOf('...');
  if (three !== -1) {
    const a = resolve(cwd, range.slice(0, three) || 'HEAD');
    const b = resolve(cwd, range.slice(three + 3) || 'HEAD');
    const base = git(cwd, ['merge-base', a, b], `no merge base of ${range}`).toString('utf8').trim();
    return { from: base, to: b };
  }
  const two = range.indexOf('..');
  if (two !== -1) return { from: resolve(cwd, range.slice(0, two) || 'HEAD'), to: resolve(cwd, range.slice(two + 2) || 'HEAD') };
  const c = resolve(cwd, range);
  let parent: string;
  try {
    parent = git(cwd, ['rev-parse', '--verify', '--quiet', `${c}^1^{commit}`], '').toString('utf8').trim();
  } catch {
    // a root commit: against the empty tree (hashed, not written)
    parent = git(cwd, ['hash-object', '-t', 'tree', '/dev/null'], 'cannot name the empty tree').toString('utf8').trim();
  }
  return { from: parent, to: c };
}

interface NameStatus {
  status: string;
  oldPath: string | null;
  newPath: string | null;
}

function nameStatus(cwd: string, revs: string[]): NameStatus[] {
  const out = git(cwd, ['diff', '--name-status', '-M', '-z', '--no-ext-diff', ...revs, '--'], 'git diff --name-status failed').toString('utf8');
  const f = out.split('\0');
  if (f[f.length - 1] === '') f.pop();
  const list: NameStatus[] = [];
  for (let k = 0; k < f.length; ) {
    const st = f[k++];
    const c = st[0];
    if (c === 'R' || c === 'C') {
      const o = f[k++], n = f[k++];
      list.push({ status: c, oldPath: c === 'C' ? null : o, newPath: n });
    } else {
      const p = f[k++];
      list.push({ status: c, oldPath: c === 'A' ? null : p, newPath: c === 'D' ? null : p });
    }
  }
  return list;
}

function show(cwd: string, rev: string, p: string): string {
  return git(cwd, ['show', `${rev}:${p}`], `cannot read ${p} at ${rev.slice(0, 12)}`).toString('utf8');
}

/** The top folder of the git checkout `cwd` is in. */
export function gitTop(cwd: string): string {
  return git(cwd, ['rev-parse', '--show-toplevel'], `${cwd} is not inside a git checkout`).toString('utf8').trim();
}

/** What the commits `range` change, file by file, with paths relative to the top of the checkout. */
export function gitChanges(cwd: string, range: string): FileChange[] {
  const top = gitTop(cwd);
  const { from, to } = resolveRange(top, range);
  return changesBetween(top, from, to);
}

/**
 * The uncommitted changes of the checkout `cwd` is in (staged and not, and
 * untracked .c/.h files not ignored) against HEAD: before from HEAD, after
 * from the files on disk.
 */
export function gitWorktreeChanges(cwd: string): FileChange[] {
  const top = gitTop(cwd);
  let head: string;
  try {
    head = resolve(top, 'HEAD');
  } catch {
    throw new GitError('the checkout has no commit yet (nothing to compare the working tree with)');
  }
  const changes = changesBetween(top, head, null);
  const untracked = git(top, ['ls-files', '--others', '--exclude-standard', '-z', '--'], 'git ls-files failed').toString('utf8').split('\0');
  for (const p of untracked) {
    if (!isSource(p)) continue;
    const text = readDisk(top, p);
    if (text === null) continue;
    const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
    changes.push({
      oldPath: null,
      newPath: p,
      status: 'added',
      before: null,
      after: text,
      hunks: lines.length ? [{ header: `@@ -0,0 +1,${lines.length} @@`, patchIndex: 0, lines: lines.map((t, k) => ({ kind: '+' as const, text: t, after: k + 1 })) }] : [],
      binary: false,
    });
  }
  return changes;
}

function readDisk(top: string, p: string): string | null {
  try {
    return fs.readFileSync(path.join(top, p), 'utf8');
  } catch {
    return null;
  }
}

/** Changes from commit `from` to commit `to`, or to the working tree when `to` is null. */
function changesBetween(top: string, from: string, to: string | null): FileChange[] {
  const revs = to === null ? [from] : [from, to];
  const files = nameStatus(top, revs);
  const diff = git(
    top,
    ['diff', '-M', '--no-color', '--no-ext-diff', '--no-textconv', '--src-prefix=a/', '--dst-prefix=b/', ...revs, '--'],
    'git diff failed',
  ).toString('utf8');
  const patches = parsePatch(diff).files;
  const find = (ns: NameStatus): FilePatch | undefined =>
    patches.find((p) => p.newPath === ns.newPath && (ns.oldPath === null || p.oldPath === ns.oldPath)) ??
    patches.find((p) => (p.newPath ?? p.oldPath) === (ns.newPath ?? ns.oldPath));
  return files.map((ns): FileChange => {
    const fp = find(ns);
    const src = isSource(ns.oldPath) || isSource(ns.newPath);
    const binary = fp?.binary ?? false;
    const status = ns.status === 'A' || ns.status === 'C' ? 'added' : ns.status === 'D' ? 'deleted' : ns.status === 'R' ? 'renamed' : 'modified';
    const read = src && !binary;
    const hunks = fp ? quoteHunks({ ...fp, oldPath: ns.oldPath, newPath: ns.newPath }) : [];
    return {
      oldPath: ns.oldPath,
      newPath: ns.newPath,
      status,
      before: read && ns.oldPath !== null ? show(top, from, ns.oldPath) : null,
      after: read && ns.newPath !== null ? (to === null ? readDisk(top, ns.newPath) : show(top, to, ns.newPath)) : null,
      hunks,
      binary,
    };
  });
}
