/**
 * Which inode a piece of C text denotes, as far as one function shows it.
 *
 * pagecache-fill-during-dio compares the inode that has direct I/O in flight
 * (the argument of inode_dio_begin()) with the owner of the address_space a
 * page-cache fill works on. Both are reduced to a canonical text:
 *
 *   inode->i_mapping, &inode->i_data        → the owner is `inode`
 *   file->f_mapping, file->f_inode,
 *   file_inode(file), file->f_mapping->host → `file_inode(file)`
 *   mapping->host                           → the owner of `mapping`
 *   a local assigned exactly once           → what it was assigned (FunctionIR.defs)
 *
 * Anything else stays as written, so two texts match only when the function
 * itself shows they are the same inode. No match means no finding.
 */
import type { VarName } from './ir';

const MAX_DEPTH = 6;

function norm(t: string): string {
  let x = t.replace(/\s+/g, '');
  for (;;) {
    const m = /^\((.*)\)$/.exec(x);
    if (!m || !balanced(m[1])) break;
    x = m[1];
  }
  return x;
}

function balanced(t: string): boolean {
  let d = 0;
  for (const ch of t) {
    if (ch === '(') d++;
    else if (ch === ')' && --d < 0) return false;
  }
  return d === 0;
}

/** The canonical inode for text naming an inode. */
export function canonInode(text: string, defs?: Readonly<Record<VarName, string>>, depth = 0): string {
  const t = norm(text);
  if (depth > MAX_DEPTH) return t;
  let m: RegExpExecArray | null;
  if ((m = /^file_inode\((.+)\)$/.exec(t))) return `file_inode(${canonFile(m[1], defs, depth + 1)})`;
  if ((m = /^(.+)->f_inode$/.exec(t))) return `file_inode(${canonFile(m[1], defs, depth + 1)})`;
  if ((m = /^(.+)->host$/.exec(t))) return canonMapping(m[1], defs, depth + 1) ?? t;
  if (defs && Object.prototype.hasOwnProperty.call(defs, t)) return canonInode(defs[t], defs, depth + 1);
  return t;
}

function canonFile(text: string, defs?: Readonly<Record<VarName, string>>, depth = 0): string {
  const t = norm(text);
  if (depth > MAX_DEPTH) return t;
  if (defs && Object.prototype.hasOwnProperty.call(defs, t)) return canonFile(defs[t], defs, depth + 1);
  return t;
}

/** The canonical inode owning the address_space the text names. */
export function canonMapping(text: string, defs?: Readonly<Record<VarName, string>>, depth = 0): string | undefined {
  const t = norm(text);
  if (!t || depth > MAX_DEPTH) return undefined;
  let m: RegExpExecArray | null;
  if ((m = /^(.+)->i_mapping$/.exec(t))) return canonInode(m[1], defs, depth + 1);
  if ((m = /^&(.+)->i_data$/.exec(t))) return canonInode(m[1], defs, depth + 1);
  if ((m = /^(.+)->f_mapping$/.exec(t))) return `file_inode(${canonFile(m[1], defs, depth + 1)})`;
  if (defs && Object.prototype.hasOwnProperty.call(defs, t)) return canonMapping(defs[t], defs, depth + 1);
  // a mapping known only by name: its owner is `<name>->host`
  if (/^[A-Za-z_][\w]*(?:(?:->|\.)[A-Za-z_]\w*)*$/.test(t)) return `${t}->host`;
  return undefined;
}
