/**
 * The shape of a contract: what one kernel call requires of a folio (or
 * page) and what it does to it. Contracts are data (see contracts.ts), one
 * entry per kernel name, each citing where in the kernel source it was read.
 */

export type KernelVersion = '6.1' | '6.12';
export const KERNEL_VERSIONS: readonly KernelVersion[] = ['6.1', '6.12'];
export const DEFAULT_KERNEL_VERSION: KernelVersion = '6.12';

/**
 * One change or requirement, applied to the object denoted by argument
 * `arg` of the call (default 0).
 */
export type Effect =
  /** take `n` references (default 1) */
  | { op: 'get'; arg?: number; n?: number }
  /** drop `n` references (default 1); `nArg` names an argument holding the count (folio_put_refs) */
  | { op: 'put'; arg?: number; n?: number; nArg?: number }
  /** take PG_locked (sleeps until it gets it) */
  | { op: 'lock'; arg?: number }
  /** drop PG_locked */
  | { op: 'unlock'; arg?: number }
  /** PG_locked must be held by the caller: `rule` is the rule broken when it provably is not */
  | { op: 'require-locked'; arg?: number; rule: 'writeback-unlocked' | 'dirty-clear-unlocked' }
  /** set PG_writeback */
  | { op: 'wb-start'; arg?: number }
  /** clear PG_writeback (and wake waiters) */
  | { op: 'wb-end'; arg?: number }
  | { op: 'dirty-set'; arg?: number }
  | { op: 'dirty-clear'; arg?: number }
  | { op: 'uptodate-set'; arg?: number }
  | { op: 'uptodate-clear'; arg?: number }
  /** attach private data (folio_attach_private: takes a reference) */
  | { op: 'private-attach'; arg?: number }
  /** detach private data (folio_detach_private: drops that reference) */
  | { op: 'private-detach'; arg?: number }
  /** PG_private set by hand, no reference taken */
  | { op: 'private-set-raw'; arg?: number }
  | { op: 'private-clear-raw'; arg?: number }
  /** set PG_private_2 / PG_fscache through the helper (which may take a reference: see `ref`) */
  | { op: 'private2-start'; arg?: number; ref: boolean }
  /** clear PG_private_2 / PG_fscache through the helper (drops the reference when `ref`) */
  | { op: 'private2-end'; arg?: number; ref: boolean }
  /** PG_private_2 set by hand, no reference taken */
  | { op: 'private2-set-raw'; arg?: number }
  | { op: 'private2-clear-raw'; arg?: number }
  /** the object is handed off: this function no longer owns its references or lock */
  | { op: 'handoff'; arg?: number }
  /** the object is dereferenced (for use-after-put) */
  | { op: 'use'; arg?: number }
  /**
   * open a configured begin/end pair keyed by the argument's text, or by
   * the variable the call's result is assigned to when `onResult` is set
   * (igrab() returns the inode it pinned); with an `outcome`, only on success
   */
  | { op: 'pair-begin'; arg?: number; pair: string; onResult?: boolean }
  /** close a configured begin/end pair keyed by the argument's text */
  | { op: 'pair-end'; arg?: number; pair: string }
  /**
   * the pair `pair` on the same argument must not be open, opened by this
   * function before this call (clear_inode() before
   * netfs_clear_inode_writeback()): `rule` is broken when it is
   */
  | { op: 'pair-not-after'; arg?: number; pair: string; rule: 'cookie-writeback-pin' }
  /**
   * the call maps DAX memory: the variables whose addresses are passed as
   * the arguments `outArgs` (`&kaddr`, `&pfn`) receive a kernel address or
   * a pfn that stays valid only while the inode that covers it is pinned
   */
  | { op: 'dax-map'; arg?: number; outArgs: number[] }
  /** the call sends a request to a userspace daemon and sleeps until it answers (fuse_simple_request) */
  | { op: 'userspace-wait'; arg?: number }
  /**
   * the call creates page-cache folios in the address_space given as
   * argument `arg` (FGP_CREAT lookups, filemap_add_folio); with `flagsArg`,
   * only when that argument's text has FGP_CREAT or FGP_WRITEBEGIN
   */
  | { op: 'cache-fill'; arg?: number; flagsArg?: number };

/** How a call that can fail reports success. */
export type Outcome =
  /** returns true on success (folio_trylock, folio_try_get) */
  | 'true'
  /** returns 0 on success, a negative errno on failure (folio_lock_killable) */
  | 'zero';

/** A call that returns a new tracked object (lookup, allocation). */
export interface ReturnsObject {
  kind: 'folio' | 'page';
  /** the object comes back with a reference this function owns */
  ref: boolean;
  /**
   * the object comes back locked: true, false, or 'flags' when it depends
   * on FGP_LOCK appearing in the argument numbered `flagsArg`
   */
  locked: boolean | 'flags';
  flagsArg?: number;
  /** what the call returns when it fails: NULL, an error pointer, either, or it cannot fail */
  fail: 'null' | 'err' | 'null-or-err' | 'never';
}

export interface Contract {
  /** the kernel function or macro name */
  name: string;
  /** folio API, legacy page API, a begin/end pair, or another call the lifecycle rules care about (DAX, FUSE, netfs) */
  api: 'folio' | 'page' | 'pair' | 'other';
  /** the kernel versions this entry describes */
  versions: KernelVersion[];
  /** where it was read: `include/linux/pagemap.h: folio_lock()` */
  source: string;
  /** effects applied unconditionally, or on success when `outcome` is set */
  effects: Effect[];
  /** for try-style calls: how success is reported; effects apply only on success */
  outcome?: Outcome;
  /** for lookups and allocations: the object returned */
  returns?: ReturnsObject;
  /**
   * For calls whose return value says whether a state change already
   * happened (6.1's folio_start_writeback returns whether PG_writeback was
   * already set): the twice-rule fires only when the result is ignored.
   */
  reportsPrevious?: boolean;
  /** one line for hovers: what it requires and what it changes */
  doc: string;
  /**
   * false: naming this call does not by itself make a function worth
   * parsing (iput() is everywhere in fs/; it matters only next to a DAX
   * mapping or a folio call, which make the function relevant anyway)
   */
  trigger?: boolean;
}

/**
 * What a begin/end pair family is, for reports and pictures. Pairs not
 * listed here report as `pair-unbalanced`.
 */
export interface PairKind {
  /** the rule an unbalanced pair breaks; null: tracked for other rules and pictures, never reported itself */
  rule: 'pair-unbalanced' | 'cookie-use-unbalanced' | null;
  /** what the count means, for the simulation view and hovers: `direct I/O in flight` */
  label: string;
  /** a row header of a few letters for the simulation view (`DIO`); the family's name when absent */
  short?: string;
  /**
   * the end may come from an I/O completion after the function returns (a
   * DIO's completion calls inode_dio_end()): an open pair is then reported
   * only when the function ends the pair itself before returning the
   * result of the I/O somewhere, which shows it owns the end
   */
  async?: boolean;
}
