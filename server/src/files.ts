/** Collect the .c and .h files under the paths given on the command line. */
import * as fs from 'fs';
import * as path from 'path';

export interface Collected {
  files: string[];
  errors: string[];
}

const SOURCE = /\.[ch]$/;

export function collectFiles(paths: string[]): Collected {
  const files: string[] = [];
  const errors: string[] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const addFile = (p: string, real: string) => {
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    files.push(p);
  };
  const walk = (dir: string) => {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch (e) {
      errors.push(`${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return;
    }
    if (seenDirs.has(real)) return; // symlink loop or the same folder twice
    seenDirs.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      errors.push(`${dir}: cannot read folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) {
        if (ent.name === 'node_modules' || ent.name === '.git') continue;
        walk(p);
      } else if (ent.isSymbolicLink()) {
        try {
          const st = fs.statSync(p);
          if (st.isDirectory()) walk(p);
          else if (st.isFile() && SOURCE.test(ent.name)) addFile(p, fs.realpathSync(p));
        } catch {
          errors.push(`${p}: broken symbolic link`);
        }
      } else if (ent.isFile() && SOURCE.test(ent.name)) {
        addFile(p, p);
      }
    }
  };
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      errors.push(`${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (e as Error).message}`);
      continue;
    }
    if (st.isDirectory()) walk(p);
    else addFile(p, fs.realpathSync(p));
  }
  return { files, errors };
}
