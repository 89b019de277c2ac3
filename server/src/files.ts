/**
 * Collect the .c and .h files under the paths given on the command line.
 *
 * Every problem is reported once, in `errors`, and the rest is collected:
 * a path that does not exist, a folder that cannot be read, a broken
 * symbolic link, a symbolic link that points to itself (ELOOP), a folder
 * link that leads back to one of its own ancestors (a loop: not followed),
 * and a named or listed .c/.h that is not a regular file (a FIFO, a socket,
 * a device: reading it could block forever). Symbolic links are resolved
 * and each real file is listed once; the same folder reached twice is
 * walked once.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface Collected {
  files: string[];
  errors: string[];
}

const SOURCE = /\.[ch]$/;

function why(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'ELOOP') return 'symbolic link loop (ELOOP)';
  return code ?? (e as Error).message;
}

/** The real path of a file, or the path itself if it went away meanwhile (reading it will then say so). */
function realOf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function kindOf(st: fs.Stats): string {
  return st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a regular file';
}

export function collectFiles(paths: string[]): Collected {
  const files: string[] = [];
  const errors: string[] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  /** real paths of the folders being walked, outermost first */
  const ancestors: string[] = [];
  const addFile = (p: string, real: string) => {
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    files.push(p);
  };
  const walk = (dir: string, viaLink: boolean) => {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch (e) {
      errors.push(`${dir}: ${why(e)}`);
      return;
    }
    if (seenDirs.has(real)) {
      // a link back to a folder being walked is a loop (say so once, at the link);
      // the same folder reached twice otherwise is walked once, silently
      if (viaLink && ancestors.includes(real)) errors.push(`${dir}: symbolic link loop (back to ${real}), not followed`);
      return;
    }
    seenDirs.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      errors.push(`${dir}: cannot read folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      return;
    }
    ancestors.push(real);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) {
        if (ent.name === 'node_modules' || ent.name === '.git') continue;
        walk(p, false);
      } else if (ent.isSymbolicLink()) {
        let st: fs.Stats;
        try {
          st = fs.statSync(p);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          // a broken link could have been a folder or a source file: say so once
          errors.push(code === 'ENOENT' ? `${p}: broken symbolic link (its target does not exist)` : `${p}: ${why(e)}`);
          continue;
        }
        if (st.isDirectory()) walk(p, true);
        else if (!SOURCE.test(ent.name)) continue;
        else if (st.isFile()) addFile(p, realOf(p));
        else errors.push(`${p}: ${kindOf(st)}, not read`);
      } else if (SOURCE.test(ent.name)) {
        if (ent.isFile()) addFile(p, p);
        else {
          let kind = 'not a regular file';
          try {
            kind = kindOf(fs.lstatSync(p));
          } catch {
            // gone meanwhile
          }
          errors.push(`${p}: ${kind}, not read`);
        }
      }
    }
    ancestors.pop();
  };
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      errors.push(`${p}: ${why(e)}`);
      continue;
    }
    if (st.isDirectory()) walk(p, false);
    else if (st.isFile()) addFile(p, realOf(p));
    else errors.push(`${p}: ${kindOf(st)}, not read`);
  }
  return { files, errors };
}
