/**
 * Finding texts. Each message names the object, the call that broke the rule
 * and what the simulator knows (where the reference or lock was taken, which
 * call failed); the engine appends the path lines: ` (path: 12, 14, 20)`.
 */
import { splitPairKey, type Note } from './state';

function at(n: Note | undefined): string {
  return n ? ` ${n.text}` : '';
}

function line(n: Note | undefined): string {
  return n ? ` at line ${n.loc.line}` : '';
}

export const msg = {
  refLeakReturn(name: string, ref: Note | undefined): string {
    return ref
      ? `reference to '${name}' taken by ${ref.call}${line(ref)} is not dropped on this return`
      : `reference to '${name}' held by this function is not dropped on this return`;
  },
  refLeakReassign(name: string, ref: Note | undefined, how: string): string {
    return ref
      ? `'${name}' is ${how} while it holds the reference taken by ${ref.call}${line(ref)}: that reference is leaked`
      : `'${name}' is ${how} while it holds a reference of this function: that reference is leaked`;
  },
  refLeakDiscarded(call: string): string {
    return `the result of ${call} carries a reference and is discarded: the reference is leaked`;
  },
  doublePut(name: string, call: string, put: Note | undefined): string {
    return `${call} drops a reference to '${name}' that this function no longer holds: its last reference was already dropped${put ? ` by ${put.call}${line(put)}` : ''}`;
  },
  putUnowned(name: string, call: string, why: Note | undefined): string {
    return `${call} drops a reference to '${name}' that this function never held${why ? `: ${why.text}` : ''}`;
  },
  putBadPointer(name: string, call: string, what: 'null' | 'err' | 'null-or-err', why: Note | undefined): string {
    const w = what === 'null' ? 'NULL' : what === 'err' ? 'an error pointer' : 'NULL or an error pointer';
    return `${call} on '${name}', which is ${w} here${why ? `: ${why.text}` : ''}`;
  },
  useAfterPut(name: string, what: string, put: Note | undefined): string {
    return `'${name}' is used (${what}) after this function dropped its last reference${put ? ` with ${put.call}${line(put)}` : ''}`;
  },
  lockLeak(name: string, lock: Note | undefined, paramHint: boolean): string {
    const base = lock
      ? `'${name}' locked by ${lock.call}${line(lock)} is still locked on this return`
      : `'${name}', locked by this function, is still locked on this return`;
    return paramHint ? `${base}, while another return path of this function unlocks it` : base;
  },
  doubleLock(name: string, call: string, lock: Note | undefined): string {
    return `${call} on '${name}', which this function already holds locked${lock ? ` (${lock.text})` : ''}: self-deadlock`;
  },
  unlockNotHeld(name: string, call: string, lock: Note | undefined): string {
    return `${call} on '${name}', which is not locked here${lock ? `: ${lock.text}` : ''}`;
  },
  writebackUnlocked(name: string, call: string, lock: Note | undefined): string {
    return `${call} on '${name}' without its lock${lock ? `: ${lock.text}` : ''}`;
  },
  dirtyClearUnlocked(name: string, call: string, lock: Note | undefined): string {
    return `${call} on '${name}' without its lock${lock ? `: ${lock.text}` : ''}`;
  },
  writebackTwice(name: string, call: string, wb: Note | undefined): string {
    return `${call} on '${name}', already under writeback${wb ? ` since ${wb.call}${line(wb)}` : ''}`;
  },
  writebackNotStarted(name: string, call: string, wb: Note | undefined): string {
    return `${call} on '${name}', whose writeback is not set here${at(wb) ? `:${at(wb)}` : ''}`;
  },
  useAfterWbEnd(name: string, what: string, wb: Note | undefined): string {
    return `'${name}' is used (${what}) after ${wb ? `${wb.call}${line(wb)}` : 'writeback ended'}, and this function holds no reference of its own: writeback held none, so the folio may already be freed`;
  },
  private2Twice(name: string, call: string, p2: Note | undefined): string {
    return `${call} on '${name}', whose PG_private_2 is already set${p2 ? ` (${p2.text})` : ''}`;
  },
  private2NotStarted(name: string, call: string, p2: Note | undefined): string {
    return `${call} on '${name}', whose PG_private_2 is not set here${p2 ? `: ${p2.text}` : ''}`;
  },
  private2WithoutRef(name: string, call: string): string {
    return `${call} sets PG_private_2 on '${name}' while this function holds no reference to it: the cache write may complete on a freed folio`;
  },
  privateAttachTwice(name: string, call: string, prev: Note | undefined): string {
    return `${call} attaches private data to '${name}', which already has it${prev ? ` (${prev.text})` : ''}: the first reference is never dropped`;
  },
  privateWithoutRef(name: string, call: string): string {
    return `${call} sets PG_private on '${name}' with no reference taken for it (folio_attach_private takes one)`;
  },
  private2Leak(name: string, p2: Note | undefined): string {
    return `PG_private_2 set on '${name}'${p2 ? ` by ${p2.call}${line(p2)}` : ''} is neither ended nor handed on on this return`;
  },
  pairOpen(key: string, begin: string, line?: number): string {
    return `${key} opened by ${begin}${line ? ` at line ${line}` : ''} is not closed on this return`;
  },
  pairClosedTwice(key: string, call: string): string {
    return `${call} closes ${key}, which is already closed here`;
  },
  cookieOpen(key: string, begin: string, line?: number): string {
    const cookie = splitPairKey(key).on;
    return `cache cookie '${cookie}' pinned by ${begin}${line ? ` at line ${line}` : ''} is not unpinned (fscache_unuse_cookie) on this return: the cache object stays in use`;
  },
  cookieUnusedTwice(key: string, call: string): string {
    const cookie = splitPairKey(key).on;
    return `${call} unpins cache cookie '${cookie}', which this function already unpinned here: the use count underflows`;
  },
  writebackPinAfterClear(inode: string, call: string, cleared: Note | undefined): string {
    return `${call} drops the writeback pin of '${inode}' after clear_inode()${cleared ? `${line(cleared)}` : ''}: the pin must be cleared before clear_inode() (the inode is already I_CLEAR)`;
  },
  daxUseAfterInodePut(v: string, map: Note, inode: string, put: Note | undefined): string {
    return `DAX mapping '${v}' (from ${map.call}${line(map)}) is used after ${put ? `${put.call}${line(put)}` : 'iput()'} dropped the reference on '${inode}', the only inode reference this function held when it mapped: the blocks behind the mapping can be freed once the inode goes`;
  },
  userspaceWait(name: string, call: string, what: string, waitCall: string | undefined): string {
    const via = waitCall && waitCall !== call ? `, which waits for a userspace daemon in ${waitCall}` : ', which waits for a userspace daemon';
    return `'${name}' ${what} across ${call}${via}: migration and reclaim of it wait as long as the daemon does`;
  },
  cacheFillDuringDio(call: string, inode: string, dio: Note | undefined): string {
    return `${call} creates page-cache folios on '${inode}' while this function has direct I/O in flight on it (${dio ? `${dio.call}${line(dio)}` : 'inode_dio_begin()'}): buffered pages and the direct I/O can disagree about the data`;
  },
  incomplete(fn: string, why: string): string {
    return `Folio Lens could not explore every path of ${fn}() (${why}); findings in it are limited to the paths explored and reported as warnings`;
  },
};

export function withPath(message: string, lines: number[]): string {
  if (!lines.length) return message;
  const uniq: number[] = [];
  for (const l of lines) if (uniq[uniq.length - 1] !== l) uniq.push(l);
  return `${message} (path: ${uniq.join(', ')})`;
}
