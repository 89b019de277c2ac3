/**
 * A unified diff parser for what kernel work passes around: `git diff`,
 * `git format-patch` mails (headers, commit message, diffstat, the `-- `
 * signature), several of them concatenated (a series), and plain
 * `diff -u` output. Paths with `a/` `b/` prefixes (or git's mnemonic
 * prefixes) or none, new files (/dev/null), deleted files, renames and
 * copies, mode changes, binary patches (recorded, never applied) and
 * `\ No newline at end of file`.
 *
 * Hunks are read by the counts in their `@@` header, so a removed line that
 * reads `-- ` is a removed line and the signature after the last hunk is not.
 * Never throws on odd input: what it cannot read is listed in `warnings`;
 * only a hunk that is cut short or malformed is an error (`PatchSyntaxError`).
 */

export type LineKind = ' ' | '+' | '-';

export interface HunkLine {
  kind: LineKind;
  text: string;
  /** set on the line that `\ No newline at end of file` follows */
  noNewline?: boolean;
  /** 1-based line of this line in the patch text */
  patchLine: number;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** the whole `@@ -a,b +c,d @@ section` line */
  header: string;
  lines: HunkLine[];
  /** 1-based line of the `@@` header in the patch text */
  patchLine: number;
}

export type FileStatus = 'modified' | 'added' | 'deleted' | 'renamed' | 'copied';

export interface FilePatch {
  /** the path before (prefix stripped); null for a new file */
  oldPath: string | null;
  /** the path after (prefix stripped); null for a deleted file */
  newPath: string | null;
  status: FileStatus;
  oldMode?: string;
  newMode?: string;
  /** `similarity index N%` of a rename or copy */
  similarity?: number;
  /** a binary patch (`Binary files ... differ` or `GIT binary patch`): never applied */
  binary: boolean;
  hunks: Hunk[];
  /** the index of the mail (format-patch) or 0 for a plain diff, in a series */
  patchIndex: number;
  /** the mail's Subject, when there is one */
  subject?: string;
  /** 1-based line in the patch text where this file's header starts */
  patchLine: number;
}

export interface ParsedPatch {
  files: FilePatch[];
  /** the Subject of each mail of a series (empty for a plain diff) */
  subjects: string[];
  warnings: string[];
}

export class PatchSyntaxError extends Error {
  constructor(message: string, readonly patchLine: number) {
    super(`line ${patchLine}: ${message}`);
  }
}

const HUNK_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;
const MNEMONIC = new Set(['a', 'b', 'c', 'i', 'w', 'o', '1', '2']);

/** C-style quoted path from git (`"a/t\303\251st\tx"`) to a string. */
export function unquoteGitPath(s: string): string {
  if (!s.startsWith('"')) return s;
  const bytes: number[] = [];
  let i = 1;
  const esc: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '\\': 92, '"': 34 };
  while (i < s.length && s[i] !== '"') {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      const n = s[i + 1];
      if (/[0-7]/.test(n)) {
        const oct = /^[0-7]{1,3}/.exec(s.slice(i + 1))![0];
        bytes.push(parseInt(oct, 8) & 0xff);
        i += 1 + oct.length;
        continue;
      }
      bytes.push(esc[n] ?? n.charCodeAt(0));
      i += 2;
      continue;
    }
    for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
    i++;
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The path of a `---`/`+++` line: unquoted, without a trailing timestamp. */
function headerPath(rest: string): string {
  if (rest.startsWith('"')) {
    const m = /^"(?:[^"\\]|\\.)*"/.exec(rest);
    if (m) return unquoteGitPath(m[0]);
  }
  const tab = rest.indexOf('\t');
  let p = tab === -1 ? rest : rest.slice(0, tab);
  // diff -u puts a timestamp after a tab; some tools after two spaces
  const ts = /\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [+-]\d{4})?$/.exec(p);
  if (ts) p = p.slice(0, ts.index);
  return p.replace(/\s+$/, '');
}

/** `diff --git a/x b/x`: the two paths (best effort when names have spaces). */
function gitHeaderPaths(rest: string): [string, string] | undefined {
  if (rest.startsWith('"')) {
    const m = /^("(?:[^"\\]|\\.)*")\s+(.*)$/.exec(rest);
    if (!m) return undefined;
    return [unquoteGitPath(m[1]), unquoteGitPath(m[2])];
  }
  const q = rest.indexOf(' "');
  if (q !== -1) return [rest.slice(0, q), unquoteGitPath(rest.slice(q + 1))];
  // unquoted: the two halves are equal after their prefixes in the common case
  const parts = rest.split(' ');
  for (let k = 1; k < parts.length; k++) {
    const a = parts.slice(0, k).join(' ');
    const b = parts.slice(k).join(' ');
    if (stripOne(a) === stripOne(b)) return [a, b];
  }
  if (parts.length === 2) return [parts[0], parts[1]];
  return undefined;
}

function stripOne(p: string): string {
  const s = p.indexOf('/');
  return s === -1 ? p : p.slice(s + 1);
}

function hasMnemonicPrefix(p: string): boolean {
  const s = p.indexOf('/');
  return s === 1 && MNEMONIC.has(p[0]);
}

/**
 * Whether the paths of one file carry one leading directory to strip (git's
 * `a/` `b/`, mnemonic prefixes). /dev/null does not count either way.
 */
function decideStrip(paths: (string | null)[], gitHeader: boolean): boolean {
  const real = paths.filter((p): p is string => p !== null);
  if (real.length === 0) return false;
  if (!real.every(hasMnemonicPrefix)) return false;
  if (gitHeader) return true;
  // plain diff: a/ and b/ (or the one real side of an add/delete) strip
  return real.length === 1 || real[0][0] !== real[1][0] || real[0].startsWith('a/') || real[0].startsWith('b/');
}

function isDevNull(p: string): boolean {
  return p === '/dev/null' || p === 'dev/null' || p === 'NUL';
}

/** A file's path for messages, before prefixes are decided: the new one, else the old one. */
function displayPath(rawNew: string | null, rawOld: string | null): string {
  const p = rawNew !== null && !isDevNull(rawNew) ? rawNew : rawOld ?? '?';
  return hasMnemonicPrefix(p) ? stripOne(p) : p;
}

export function parsePatch(input: string): ParsedPatch {
  const text = input.replace(/\r\n/g, '\n');
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const files: FilePatch[] = [];
  const subjects: string[] = [];
  const warnings: string[] = [];
  let patchIndex = -1; // becomes 0 at the first mail or the first diff
  let subject: string | undefined;
  let i = 0;

  const newFile = (at: number): FilePatch => {
    if (patchIndex < 0) patchIndex = 0;
    return { oldPath: null, newPath: null, status: 'modified', binary: false, hunks: [], patchIndex, subject, patchLine: at + 1 };
  };

  const readMailHeader = () => {
    // `From <sha> <date>` line then RFC 822 headers up to a blank line
    i++;
    let subj: string | undefined;
    while (i < lines.length && lines[i] !== '') {
      const m = /^Subject:\s*(.*)$/i.exec(lines[i]);
      if (m) {
        subj = m[1];
        while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1])) subj += ' ' + lines[++i].trim();
      }
      i++;
    }
    subject = subj ?? '(no subject)';
    subjects.push(subject);
    patchIndex = subjects.length - 1;
  };

  const readHunks = (fp: FilePatch, label: string) => {
    while (i < lines.length) {
      const line = lines[i];
      const m = HUNK_RE.exec(line);
      if (!m) break;
      const hunk: Hunk = {
        oldStart: Number(m[1]),
        oldLines: m[2] === undefined ? 1 : Number(m[2]),
        newStart: Number(m[3]),
        newLines: m[4] === undefined ? 1 : Number(m[4]),
        header: line,
        lines: [],
        patchLine: i + 1,
      };
      i++;
      let oldLeft = hunk.oldLines, newLeft = hunk.newLines;
      while (oldLeft > 0 || newLeft > 0) {
        if (i >= lines.length) throw new PatchSyntaxError(`hunk '${hunk.header}' of ${label} is cut short (${oldLeft} old and ${newLeft} new line(s) missing)`, hunk.patchLine);
        const l = lines[i];
        const c = l[0];
        if (l === '' || c === ' ') {
          // a mailer may strip the space of an empty context line
          if (oldLeft === 0 || newLeft === 0) throw new PatchSyntaxError(`hunk '${hunk.header}' of ${label}: more lines than its header counts`, i + 1);
          hunk.lines.push({ kind: ' ', text: l.slice(1), patchLine: i + 1 });
          oldLeft--; newLeft--;
        } else if (c === '-') {
          if (oldLeft === 0) throw new PatchSyntaxError(`hunk '${hunk.header}' of ${label}: more removed lines than its header counts`, i + 1);
          hunk.lines.push({ kind: '-', text: l.slice(1), patchLine: i + 1 });
          oldLeft--;
        } else if (c === '+') {
          if (newLeft === 0) throw new PatchSyntaxError(`hunk '${hunk.header}' of ${label}: more added lines than its header counts`, i + 1);
          hunk.lines.push({ kind: '+', text: l.slice(1), patchLine: i + 1 });
          newLeft--;
        } else if (c === '\\') {
          if (hunk.lines.length) hunk.lines[hunk.lines.length - 1].noNewline = true;
        } else {
          throw new PatchSyntaxError(`hunk '${hunk.header}' of ${label} is cut short (${oldLeft} old and ${newLeft} new line(s) missing)`, hunk.patchLine);
        }
        i++;
      }
      // `\ No newline at end of file` after the last counted line
      while (i < lines.length && lines[i].startsWith('\\')) {
        if (hunk.lines.length) hunk.lines[hunk.lines.length - 1].noNewline = true;
        i++;
      }
      fp.hunks.push(hunk);
    }
  };

  const skipBinaryData = () => {
    // `literal N` / `delta N` blocks of base85 lines, each ended by a blank line
    while (i < lines.length && /^(literal|delta) \d+$/.test(lines[i])) {
      i++;
      while (i < lines.length && lines[i] !== '') i++;
      if (i < lines.length) i++;
    }
  };

  const finish = (fp: FilePatch, rawOld: string | null, rawNew: string | null, gitHeader: boolean) => {
    const oldP = rawOld === null || isDevNull(rawOld) ? null : rawOld;
    const newP = rawNew === null || isDevNull(rawNew) ? null : rawNew;
    const strip = decideStrip([oldP, newP], gitHeader);
    const s = (p: string | null) => (p === null ? null : strip ? stripOne(p) : p);
    if (fp.status === 'renamed' || fp.status === 'copied') {
      // rename from/to are already without prefixes
      fp.oldPath ??= s(oldP);
      fp.newPath ??= s(newP);
    } else {
      fp.oldPath = s(oldP);
      fp.newPath = s(newP);
    }
    if (fp.oldPath === null && rawOld !== null && isDevNull(rawOld)) fp.status = 'added';
    if (fp.newPath === null && rawNew !== null && isDevNull(rawNew)) fp.status = 'deleted';
    if (fp.status === 'added') fp.oldPath = null;
    if (fp.status === 'deleted') fp.newPath = null;
    if (fp.oldPath === null && fp.newPath === null) {
      warnings.push(`line ${fp.patchLine}: a file header without a path; skipped`);
      return;
    }
    files.push(fp);
  };

  while (i < lines.length) {
    const line = lines[i];
    if (/^From [0-9a-f]{7,64} /.test(line) || (/^From /.test(line) && / \d\d:\d\d:\d\d /.test(line) && i + 1 < lines.length && /^[A-Za-z-]+: /.test(lines[i + 1]))) {
      readMailHeader();
      continue;
    }
    if (line.startsWith('diff --git ')) {
      const at = i;
      const fp = newFile(at);
      const pair = gitHeaderPaths(line.slice('diff --git '.length));
      let rawOld: string | null = pair ? pair[0] : null;
      let rawNew: string | null = pair ? pair[1] : null;
      i++;
      // extended header lines
      for (; i < lines.length; i++) {
        const l = lines[i];
        let m: RegExpExecArray | null;
        if ((m = /^old mode (\d+)/.exec(l))) fp.oldMode = m[1];
        else if ((m = /^new mode (\d+)/.exec(l))) fp.newMode = m[1];
        else if ((m = /^new file mode (\d+)/.exec(l))) { fp.status = 'added'; fp.newMode = m[1]; }
        else if ((m = /^deleted file mode (\d+)/.exec(l))) { fp.status = 'deleted'; fp.oldMode = m[1]; }
        else if ((m = /^(?:similarity|dissimilarity) index (\d+)%/.exec(l))) fp.similarity = Number(m[1]);
        else if ((m = /^rename from (.*)$/.exec(l))) { fp.status = 'renamed'; fp.oldPath = unquoteGitPath(m[1]); }
        else if ((m = /^rename to (.*)$/.exec(l))) { fp.status = 'renamed'; fp.newPath = unquoteGitPath(m[1]); }
        else if ((m = /^copy from (.*)$/.exec(l))) { fp.status = 'copied'; fp.oldPath = unquoteGitPath(m[1]); }
        else if ((m = /^copy to (.*)$/.exec(l))) { fp.status = 'copied'; fp.newPath = unquoteGitPath(m[1]); }
        else if (/^index [0-9a-f]+\.\.[0-9a-f]+/.test(l)) { /* blob ids */ }
        else if (/^Binary files .* differ$/.test(l)) { fp.binary = true; }
        else if (l === 'GIT binary patch') { fp.binary = true; i++; skipBinaryData(); i--; }
        else if (l.startsWith('--- ') && i + 1 < lines.length && lines[i + 1].startsWith('+++ ')) {
          rawOld = headerPath(l.slice(4));
          rawNew = headerPath(lines[i + 1].slice(4));
          i += 2;
          break;
        } else break;
      }
      if (fp.status === 'added') rawOld = '/dev/null';
      if (fp.status === 'deleted') rawNew = '/dev/null';
      readHunks(fp, fp.newPath ?? fp.oldPath ?? displayPath(rawNew, rawOld));
      finish(fp, rawOld, rawNew, true);
      continue;
    }
    if (line.startsWith('--- ') && i + 1 < lines.length && lines[i + 1].startsWith('+++ ') && i + 2 < lines.length && HUNK_RE.test(lines[i + 2])) {
      // a plain unified diff (diff -u, quilt, or git diff without its header)
      const at = i;
      const fp = newFile(at);
      const rawOld = headerPath(line.slice(4));
      const rawNew = headerPath(lines[i + 1].slice(4));
      i += 2;
      readHunks(fp, displayPath(rawNew, rawOld));
      // (`diff -Nu` names both files and says nothing more: the applier decides by the tree)
      if (isDevNull(rawOld)) fp.status = 'added';
      else if (isDevNull(rawNew)) fp.status = 'deleted';
      finish(fp, fp.status === 'added' ? '/dev/null' : rawOld, fp.status === 'deleted' ? '/dev/null' : rawNew, false);
      continue;
    }
    if (line === '-- ' && subject !== undefined) {
      // the signature ends a mail: a plain diff after it is not part of that mail
      subject = undefined;
      patchIndex = subjects.length;
      i++;
      continue;
    }
    if (HUNK_RE.test(line)) {
      warnings.push(`line ${i + 1}: a hunk with no file header before it; skipped`);
      i++;
      continue;
    }
    // commit message, diffstat, signature, anything else
    i++;
  }
  return { files, subjects, warnings };
}
