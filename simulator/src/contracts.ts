/**
 * The contract table: what each kernel call does to a folio (or page), as
 * data. One entry per kernel name per behaviour; when 6.1 and 6.12 differ,
 * two entries with different `versions`. Every entry was read in both trees
 * (linux-6.1 and linux-6.12: fs/, mm/, include/) and cites the file and the
 * function (or the flag macro that generates it) it was read from.
 *
 * Conventions (see docs/contracts.md):
 * - `arg` numbers count C arguments from 0; the default is 0.
 * - A state effect already implies its reference: `private-attach` takes the
 *   reference folio_attach_private() takes, `private-detach` drops it,
 *   `private2-start`/`private2-end` with `ref: true` take/drop the PG_private_2
 *   reference. No separate `get`/`put` is listed for those.
 * - Effects run in the order listed (set_page_dirty_lock: lock, dirty, unlock).
 * - `outcome` makes every effect conditional on success.
 * - Calls that take a batch or a list (folio_batch_release, folios_put,
 *   release_pages) have no effect on an individual tracked folio: the folio
 *   left this function's hands at folio_batch_add()/pagevec_add().
 *
 * Deliberately not in the table (each would need something the contract
 * shape cannot say, or would cause false findings):
 * - folio_ref_add/folio_ref_sub/folio_ref_inc/folio_ref_dec
 *   (include/linux/page_ref.h): in fs/ and mm/ they adjust references owned
 *   by someone else (page cache slots in __filemap_add_folio(), page-table
 *   mappings in filemap_map_pages(), GUP pins), never this function's own.
 * - readahead_folio() (include/linux/pagemap.h): returns a locked folio
 *   whose reference it has already dropped; the lock belongs to the
 *   readahead protocol like a ->read_folio parameter's does.
 * - filemap_get_entry() (6.12, mm/filemap.c) and __filemap_get_folio() with
 *   FGP_ENTRY (6.1): may return a shadow/swap value entry, neither NULL nor a
 *   folio; `fail` cannot express xa_is_value().
 * - page_endio() (6.1, mm/filemap.c): unlocks or ends writeback depending on
 *   its is_write argument.
 * - inode references are tracked (igrab(), ihold(), iput(), ...) only to
 *   place DAX mappings inside them; they are never reported as leaks: inode
 *   lifetimes cross functions through dentries, files and caches.
 * - inode_lock()/kiocb_start_write()/fscache_begin_read_operation(): lock
 *   helpers and I/O submission paths end these in another function by
 *   design; add them per subsystem with `extra` contracts if wanted.
 */
import type { Contract, KernelVersion, PairKind } from './contract-types';

/** The pair family of direct I/O in flight (inode_dio_begin/end): page-cache fills are compared with it. */
export const DIO_PAIR = 'inode_dio';
/** The pair family of inode references (igrab/iput): a DAX mapping is covered by one. */
export const INODE_REF_PAIR = 'inode_ref';

export const CONTRACTS: readonly Contract[] = [
  // ─── references ──────────────────────────────────────────────────────────
  {
    name: 'folio_get', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/mm.h: folio_get()',
    effects: [{ op: 'get' }],
    doc: 'Takes a reference; the caller must already hold one (VM_BUG_ON on a zero refcount).',
  },
  {
    name: 'folio_try_get', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/page_ref.h: folio_try_get()',
    effects: [{ op: 'get' }], outcome: 'true',
    doc: 'Takes a reference unless the refcount is zero (freed or frozen); true when it got one.',
  },
  {
    name: 'folio_try_get_rcu', api: 'folio', versions: ['6.1'],
    source: 'include/linux/page_ref.h: folio_try_get_rcu()',
    effects: [{ op: 'get' }], outcome: 'true',
    doc: 'folio_try_get() for RCU-protected lookups; true when it got a reference (gone in 6.12).',
  },
  {
    name: 'folio_put', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/mm.h: folio_put()',
    effects: [{ op: 'put' }],
    doc: 'Drops a reference; the last one frees the folio, so do not touch it afterwards.',
  },
  {
    name: 'folio_put_refs', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/mm.h: folio_put_refs()',
    effects: [{ op: 'put', nArg: 1 }],
    doc: 'Drops `refs` (second argument) references at once; the last one frees the folio.',
  },
  {
    name: 'folio_put_wait_locked', api: 'folio', versions: ['6.1', '6.12'],
    source: 'mm/filemap.c: folio_put_wait_locked()',
    effects: [{ op: 'put' }],
    doc: 'Drops the caller\'s reference, then waits for PG_locked to clear without touching the folio.',
  },
  {
    name: 'get_page', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/mm.h: get_page()',
    effects: [{ op: 'get' }],
    doc: 'Takes a reference on the page\'s folio; the caller must already hold one.',
  },
  {
    name: 'try_get_page', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/mm.h: try_get_page()',
    effects: [{ op: 'get' }], outcome: 'true',
    doc: 'Takes a reference unless the refcount is not positive (WARN); true when it got one.',
  },
  {
    name: 'get_page_unless_zero', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/mm.h: get_page_unless_zero()',
    effects: [{ op: 'get' }], outcome: 'true',
    doc: 'Takes a reference unless the page is free; true when it got one.',
  },
  {
    name: 'put_page', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/mm.h: put_page()',
    effects: [{ op: 'put' }],
    doc: 'Drops a reference on the page\'s folio; the last one frees it.',
  },
  {
    name: '__free_pages', api: 'page', versions: ['6.1', '6.12'],
    source: 'mm/page_alloc.c: __free_pages()',
    effects: [{ op: 'put' }],
    doc: 'Drops the allocation reference of alloc_pages(); the page is freed when it was the last.',
  },
  {
    name: '__free_page', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/gfp.h: __free_page()',
    effects: [{ op: 'put' }],
    doc: '__free_pages(page, 0): drops the allocation reference of alloc_page().',
  },
  {
    name: 'folio_isolate_lru', api: 'folio', versions: ['6.1'],
    source: 'mm/vmscan.c: folio_isolate_lru()',
    effects: [{ op: 'get' }], outcome: 'zero',
    doc: '6.1: takes the folio off its LRU and a reference with it; returns 0 on success, -EBUSY if not on an LRU.',
  },
  {
    name: 'folio_isolate_lru', api: 'folio', versions: ['6.12'],
    source: 'mm/vmscan.c: folio_isolate_lru()',
    effects: [{ op: 'get' }], outcome: 'true',
    doc: '6.12: takes the folio off its LRU and a reference with it; returns true on success.',
  },
  {
    name: 'isolate_lru_page', api: 'page', versions: ['6.1'],
    source: 'mm/folio-compat.c: isolate_lru_page()',
    effects: [{ op: 'get' }], outcome: 'zero',
    doc: 'folio_isolate_lru() on the page\'s folio: 0 and an isolation reference on success.',
  },
  {
    name: 'folio_putback_lru', api: 'folio', versions: ['6.1', '6.12'],
    source: 'mm/vmscan.c: folio_putback_lru()',
    effects: [{ op: 'put' }],
    doc: 'Puts an isolated folio back on an LRU and drops the isolation reference.',
  },
  {
    name: 'putback_lru_page', api: 'page', versions: ['6.1'],
    source: 'mm/folio-compat.c: putback_lru_page()',
    effects: [{ op: 'put' }],
    doc: 'folio_putback_lru() on the page\'s folio: drops the isolation reference.',
  },

  // ─── lookups: referenced folios from the page cache ─────────────────────
  {
    name: '__filemap_get_folio', api: 'folio', versions: ['6.1'],
    source: 'mm/filemap.c: __filemap_get_folio()',
    effects: [{ op: 'cache-fill', flagsArg: 2 }],
    returns: { kind: 'folio', ref: true, locked: 'flags', flagsArg: 2, fail: 'null' },
    doc: '6.1: referenced folio or NULL; locked with FGP_LOCK (and FGP_CREAT unless FGP_FOR_MMAP).',
  },
  {
    name: '__filemap_get_folio', api: 'folio', versions: ['6.12'],
    source: 'mm/filemap.c: __filemap_get_folio()',
    effects: [{ op: 'cache-fill', flagsArg: 2 }],
    returns: { kind: 'folio', ref: true, locked: 'flags', flagsArg: 2, fail: 'err' },
    doc: '6.12: referenced folio or ERR_PTR (-ENOENT, -EAGAIN, -ENOMEM); locked with FGP_LOCK/FGP_CREAT.',
  },
  {
    name: 'filemap_get_folio', api: 'folio', versions: ['6.1'],
    source: 'include/linux/pagemap.h: filemap_get_folio()',
    effects: [],
    returns: { kind: 'folio', ref: true, locked: false, fail: 'null' },
    doc: '6.1: referenced, unlocked folio, or NULL on a miss.',
  },
  {
    name: 'filemap_get_folio', api: 'folio', versions: ['6.12'],
    source: 'include/linux/pagemap.h: filemap_get_folio()',
    effects: [],
    returns: { kind: 'folio', ref: true, locked: false, fail: 'err' },
    doc: '6.12: referenced, unlocked folio, or ERR_PTR(-ENOENT) on a miss (never NULL).',
  },
  {
    name: 'filemap_lock_folio', api: 'folio', versions: ['6.1'],
    source: 'include/linux/pagemap.h: filemap_lock_folio()',
    effects: [],
    returns: { kind: 'folio', ref: true, locked: true, fail: 'null' },
    doc: '6.1: referenced and locked folio, or NULL on a miss.',
  },
  {
    name: 'filemap_lock_folio', api: 'folio', versions: ['6.12'],
    source: 'include/linux/pagemap.h: filemap_lock_folio()',
    effects: [],
    returns: { kind: 'folio', ref: true, locked: true, fail: 'err' },
    doc: '6.12: referenced and locked folio, or ERR_PTR(-ENOENT) on a miss (never NULL).',
  },
  {
    name: 'filemap_grab_folio', api: 'folio', versions: ['6.12'],
    source: 'include/linux/pagemap.h: filemap_grab_folio()',
    effects: [{ op: 'cache-fill' }],
    returns: { kind: 'folio', ref: true, locked: true, fail: 'err' },
    doc: 'Finds or creates the folio: referenced and locked, or ERR_PTR(-ENOMEM).',
  },
  {
    name: 'read_cache_folio', api: 'folio', versions: ['6.1', '6.12'],
    source: 'mm/filemap.c: read_cache_folio()',
    effects: [{ op: 'cache-fill' }],
    returns: { kind: 'folio', ref: true, locked: false, fail: 'err' },
    doc: 'Reads the folio in if needed: referenced, uptodate, unlocked; ERR_PTR on failure.',
  },
  {
    name: 'read_mapping_folio', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: read_mapping_folio()',
    effects: [{ op: 'cache-fill' }],
    returns: { kind: 'folio', ref: true, locked: false, fail: 'err' },
    doc: 'read_cache_folio() with ->read_folio: referenced, uptodate, unlocked; ERR_PTR on failure.',
  },
  {
    name: 'mapping_read_folio_gfp', api: 'folio', versions: ['6.12'],
    source: 'mm/filemap.c: mapping_read_folio_gfp()',
    effects: [],
    returns: { kind: 'folio', ref: true, locked: false, fail: 'err' },
    doc: 'read_cache_folio() with explicit gfp: referenced, uptodate, unlocked; ERR_PTR on failure.',
  },
  {
    name: 'shmem_read_folio', api: 'folio', versions: ['6.12'],
    source: 'include/linux/shmem_fs.h: shmem_read_folio()',
    effects: [],
    returns: { kind: 'folio', ref: true, locked: false, fail: 'err' },
    doc: 'tmpfs folio read in and unlocked, with a reference; ERR_PTR on failure.',
  },
  {
    name: 'shmem_read_folio_gfp', api: 'folio', versions: ['6.12'],
    source: 'mm/shmem.c: shmem_read_folio_gfp()',
    effects: [],
    returns: { kind: 'folio', ref: true, locked: false, fail: 'err' },
    doc: 'tmpfs folio read in and unlocked, with a reference; ERR_PTR on failure.',
  },
  {
    name: 'pagecache_get_page', api: 'page', versions: ['6.1', '6.12'],
    source: 'mm/folio-compat.c: pagecache_get_page()',
    effects: [],
    returns: { kind: 'page', ref: true, locked: 'flags', flagsArg: 2, fail: 'null' },
    doc: 'Page wrapper of __filemap_get_folio(): referenced page or NULL (also in 6.12); locked with FGP_LOCK.',
  },
  {
    name: 'find_get_page', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: find_get_page()',
    effects: [],
    returns: { kind: 'page', ref: true, locked: false, fail: 'null' },
    doc: 'Referenced, unlocked page, or NULL on a miss.',
  },
  {
    name: 'find_get_page_flags', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: find_get_page_flags()',
    effects: [],
    returns: { kind: 'page', ref: true, locked: 'flags', flagsArg: 2, fail: 'null' },
    doc: 'Referenced page or NULL; locked when the flags include FGP_LOCK.',
  },
  {
    name: 'find_lock_page', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: find_lock_page()',
    effects: [],
    returns: { kind: 'page', ref: true, locked: true, fail: 'null' },
    doc: 'Referenced and locked page, or NULL on a miss.',
  },
  {
    name: 'find_or_create_page', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: find_or_create_page()',
    effects: [{ op: 'cache-fill' }],
    returns: { kind: 'page', ref: true, locked: true, fail: 'null' },
    doc: 'Finds or adds the page: referenced and locked, or NULL on memory exhaustion.',
  },
  {
    name: 'grab_cache_page', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: grab_cache_page()',
    effects: [{ op: 'cache-fill' }],
    returns: { kind: 'page', ref: true, locked: true, fail: 'null' },
    doc: 'find_or_create_page() with the mapping\'s gfp: referenced and locked, or NULL.',
  },
  {
    name: 'grab_cache_page_nowait', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: grab_cache_page_nowait()',
    effects: [{ op: 'cache-fill' }],
    returns: { kind: 'page', ref: true, locked: true, fail: 'null' },
    doc: 'Like grab_cache_page() without blocking on the lock: referenced and locked, or NULL.',
  },
  {
    name: 'grab_cache_page_write_begin', api: 'page', versions: ['6.1', '6.12'],
    source: 'mm/folio-compat.c: grab_cache_page_write_begin()',
    effects: [{ op: 'cache-fill' }],
    returns: { kind: 'page', ref: true, locked: true, fail: 'null' },
    doc: 'write_begin lookup (FGP_LOCK|FGP_WRITE|FGP_CREAT|FGP_STABLE): referenced, locked page or NULL.',
  },
  {
    name: 'read_cache_page', api: 'page', versions: ['6.1', '6.12'],
    source: 'mm/filemap.c: read_cache_page()',
    effects: [{ op: 'cache-fill' }],
    returns: { kind: 'page', ref: true, locked: false, fail: 'err' },
    doc: 'Reads the page in if needed: referenced, uptodate, unlocked; ERR_PTR on failure.',
  },
  {
    name: 'read_cache_page_gfp', api: 'page', versions: ['6.1', '6.12'],
    source: 'mm/filemap.c: read_cache_page_gfp()',
    effects: [{ op: 'cache-fill' }],
    returns: { kind: 'page', ref: true, locked: false, fail: 'err' },
    doc: 'read_cache_page() with explicit gfp: referenced, uptodate, unlocked; ERR_PTR on failure.',
  },
  {
    name: 'read_mapping_page', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: read_mapping_page()',
    effects: [{ op: 'cache-fill' }],
    returns: { kind: 'page', ref: true, locked: false, fail: 'err' },
    doc: 'read_cache_page() with ->read_folio: referenced, uptodate, unlocked; ERR_PTR on failure.',
  },
  {
    name: 'shmem_read_mapping_page', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/shmem_fs.h: shmem_read_mapping_page()',
    effects: [],
    returns: { kind: 'page', ref: true, locked: false, fail: 'err' },
    doc: 'tmpfs page read in and unlocked, with a reference; ERR_PTR on failure.',
  },
  {
    name: 'shmem_read_mapping_page_gfp', api: 'page', versions: ['6.1', '6.12'],
    source: 'mm/shmem.c: shmem_read_mapping_page_gfp()',
    effects: [],
    returns: { kind: 'page', ref: true, locked: false, fail: 'err' },
    doc: 'tmpfs page read in and unlocked, with a reference; ERR_PTR on failure.',
  },

  // ─── allocations ────────────────────────────────────────────────────────
  {
    name: 'folio_alloc', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/gfp.h: folio_alloc()',
    effects: [],
    returns: { kind: 'folio', ref: true, locked: false, fail: 'null' },
    doc: 'New folio with one reference, unlocked, not in the page cache; NULL on failure.',
  },
  {
    name: '__folio_alloc', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/gfp.h: __folio_alloc()',
    effects: [],
    returns: { kind: 'folio', ref: true, locked: false, fail: 'null' },
    doc: 'New folio (preferred node, nodemask) with one reference; NULL on failure.',
  },
  {
    name: '__folio_alloc_node', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/gfp.h: __folio_alloc_node()',
    effects: [],
    returns: { kind: 'folio', ref: true, locked: false, fail: 'null' },
    doc: 'New folio on a node with one reference; NULL on failure.',
  },
  {
    name: 'vma_alloc_folio', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/gfp.h: vma_alloc_folio()',
    effects: [],
    returns: { kind: 'folio', ref: true, locked: false, fail: 'null' },
    doc: 'New folio for a user mapping with one reference; NULL on failure.',
  },
  {
    name: 'filemap_alloc_folio', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: filemap_alloc_folio()',
    effects: [],
    returns: { kind: 'folio', ref: true, locked: false, fail: 'null' },
    doc: 'New page-cache folio (cpuset spread) with one reference, unlocked; NULL on failure.',
  },
  {
    name: '__page_cache_alloc', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: __page_cache_alloc()',
    effects: [],
    returns: { kind: 'page', ref: true, locked: false, fail: 'null' },
    doc: 'Order-0 filemap_alloc_folio() as a page: one reference; NULL on failure.',
  },
  {
    name: 'page_cache_alloc', api: 'page', versions: ['6.1'],
    source: 'include/linux/pagemap.h: page_cache_alloc()',
    effects: [],
    returns: { kind: 'page', ref: true, locked: false, fail: 'null' },
    doc: '__page_cache_alloc() with the mapping\'s gfp: one reference; NULL on failure.',
  },
  {
    name: 'alloc_pages', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/gfp.h: alloc_pages()',
    effects: [],
    returns: { kind: 'page', ref: true, locked: false, fail: 'null' },
    doc: 'New 2^order pages with one reference; NULL on failure; free with __free_pages().',
  },
  {
    name: 'alloc_page', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/gfp.h: alloc_page()',
    effects: [],
    returns: { kind: 'page', ref: true, locked: false, fail: 'null' },
    doc: 'New page with one reference; NULL on failure; free with __free_page() or put_page().',
  },
  {
    name: 'alloc_pages_node', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/gfp.h: alloc_pages_node()',
    effects: [],
    returns: { kind: 'page', ref: true, locked: false, fail: 'null' },
    doc: 'New pages on a node with one reference; NULL on failure.',
  },
  {
    name: '__alloc_pages', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/gfp.h: __alloc_pages()',
    effects: [],
    returns: { kind: 'page', ref: true, locked: false, fail: 'null' },
    doc: 'New pages (preferred node, nodemask) with one reference; NULL on failure.',
  },
  {
    name: 'alloc_page_vma', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/gfp.h: alloc_page_vma()',
    effects: [],
    returns: { kind: 'page', ref: true, locked: false, fail: 'null' },
    doc: 'New page for a user mapping with one reference; NULL on failure.',
  },

  // ─── adding to the page cache ───────────────────────────────────────────
  {
    name: 'filemap_add_folio', api: 'folio', versions: ['6.1', '6.12'],
    source: 'mm/filemap.c: filemap_add_folio()',
    effects: [{ op: 'cache-fill' }, { op: 'lock', arg: 1 }], outcome: 'zero',
    doc: 'Inserts the folio (2nd argument) locked, 0 on success; the cache takes its own references.',
  },
  {
    name: 'add_to_page_cache_lru', api: 'page', versions: ['6.1', '6.12'],
    source: 'mm/folio-compat.c: add_to_page_cache_lru()',
    effects: [{ op: 'cache-fill' }, { op: 'lock' }], outcome: 'zero',
    doc: 'filemap_add_folio() on the page\'s folio: 0 and locked on success; caller keeps its reference.',
  },

  // ─── PG_locked ──────────────────────────────────────────────────────────
  {
    name: 'folio_lock', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: folio_lock()',
    effects: [{ op: 'lock' }],
    doc: 'Sleeps until it holds PG_locked; locking it again in the same function deadlocks.',
  },
  {
    name: '__folio_lock', api: 'folio', versions: ['6.1', '6.12'],
    source: 'mm/filemap.c: __folio_lock()',
    effects: [{ op: 'lock' }],
    doc: 'Slow path of folio_lock(): sleeps until it holds PG_locked.',
  },
  {
    name: 'folio_lock_killable', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: folio_lock_killable()',
    effects: [{ op: 'lock' }], outcome: 'zero',
    doc: 'Takes PG_locked unless a fatal signal arrives: 0 when locked, -EINTR when not.',
  },
  {
    name: '__folio_lock_killable', api: 'folio', versions: ['6.1', '6.12'],
    source: 'mm/filemap.c: __folio_lock_killable()',
    effects: [{ op: 'lock' }], outcome: 'zero',
    doc: 'Slow path of folio_lock_killable(): 0 when locked, -EINTR when not.',
  },
  {
    name: 'folio_trylock', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: folio_trylock()',
    effects: [{ op: 'lock' }], outcome: 'true',
    doc: 'Takes PG_locked without sleeping; true when it got it.',
  },
  {
    name: 'folio_lock_or_retry', api: 'folio', versions: ['6.1'],
    source: 'include/linux/pagemap.h: folio_lock_or_retry()',
    effects: [{ op: 'lock' }], outcome: 'true',
    doc: '6.1 fault path: true when locked; false when not (mmap_lock may have been dropped).',
  },
  {
    name: 'folio_lock_or_retry', api: 'folio', versions: ['6.12'],
    source: 'include/linux/pagemap.h: folio_lock_or_retry()',
    effects: [{ op: 'lock' }], outcome: 'zero',
    doc: '6.12 fault path: 0 when locked; VM_FAULT_RETRY when not (fault lock may have been dropped).',
  },
  {
    name: '__folio_set_locked', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: __PAGEFLAG(Locked, locked, PF_NO_TAIL)',
    effects: [{ op: 'lock' }],
    doc: 'Non-atomic set of PG_locked on a folio nobody else can see yet (new folios).',
  },
  {
    name: '__folio_clear_locked', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: __PAGEFLAG(Locked, locked, PF_NO_TAIL)',
    effects: [{ op: 'unlock' }],
    doc: 'Non-atomic clear of PG_locked on a folio nobody else can see.',
  },
  {
    name: 'folio_unlock', api: 'folio', versions: ['6.1', '6.12'],
    source: 'mm/filemap.c: folio_unlock()',
    effects: [{ op: 'unlock' }],
    doc: 'Releases PG_locked and wakes waiters; VM_BUG_ON if it was not locked.',
  },
  {
    name: 'folio_end_read', api: 'folio', versions: ['6.12'],
    source: 'mm/filemap.c: folio_end_read()',
    effects: [{ op: 'unlock' }],
    doc: 'Ends a read: unlocks the folio, and marks it uptodate when the second argument is true.',
  },
  {
    name: 'lock_page', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: lock_page()',
    effects: [{ op: 'lock' }],
    doc: 'Sleeps until it holds PG_locked of the page\'s folio.',
  },
  {
    name: 'lock_page_killable', api: 'page', versions: ['6.1'],
    source: 'include/linux/pagemap.h: lock_page_killable()',
    effects: [{ op: 'lock' }], outcome: 'zero',
    doc: 'Takes PG_locked unless a fatal signal arrives: 0 when locked (gone in 6.12).',
  },
  {
    name: 'trylock_page', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: trylock_page()',
    effects: [{ op: 'lock' }], outcome: 'true',
    doc: 'Takes PG_locked of the page\'s folio without sleeping; nonzero when it got it.',
  },
  {
    name: 'unlock_page', api: 'page', versions: ['6.1', '6.12'],
    source: 'mm/folio-compat.c: unlock_page()',
    effects: [{ op: 'unlock' }],
    doc: 'Releases PG_locked of the page\'s folio and wakes waiters.',
  },
  {
    name: '__SetPageLocked', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: __PAGEFLAG(Locked, locked, PF_NO_TAIL)',
    effects: [{ op: 'lock' }],
    doc: 'Non-atomic set of PG_locked on a page nobody else can see yet.',
  },
  {
    name: '__ClearPageLocked', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: __PAGEFLAG(Locked, locked, PF_NO_TAIL)',
    effects: [{ op: 'unlock' }],
    doc: 'Non-atomic clear of PG_locked on a page nobody else can see.',
  },

  // ─── the lock handed to read I/O (->read_folio helpers) ─────────────────
  {
    name: 'filemap_read_folio', api: 'folio', versions: ['6.1', '6.12'],
    source: 'mm/filemap.c: filemap_read_folio()',
    effects: [{ op: 'unlock', arg: 2 }],
    doc: 'Calls the filler on the locked folio (3rd argument) and waits: it comes back unlocked.',
  },
  {
    name: 'block_read_full_folio', api: 'folio', versions: ['6.1', '6.12'],
    source: 'fs/buffer.c: block_read_full_folio()',
    effects: [{ op: 'unlock' }],
    doc: 'Reads a locked folio through buffer heads; the folio is unlocked now or at I/O completion.',
  },
  {
    name: 'mpage_read_folio', api: 'folio', versions: ['6.1', '6.12'],
    source: 'fs/mpage.c: mpage_read_folio()',
    effects: [{ op: 'unlock' }],
    doc: 'Reads a locked folio with one bio; the folio is unlocked now or at I/O completion.',
  },
  {
    name: 'iomap_read_folio', api: 'folio', versions: ['6.1', '6.12'],
    source: 'fs/iomap/buffered-io.c: iomap_read_folio()',
    effects: [{ op: 'unlock' }],
    doc: 'Reads a locked folio through iomap; the folio is unlocked now or at I/O completion.',
  },
  {
    name: 'netfs_read_folio', api: 'folio', versions: ['6.1', '6.12'],
    source: 'fs/netfs/buffered_read.c: netfs_read_folio()',
    effects: [{ op: 'unlock', arg: 1 }],
    doc: 'Reads a locked folio (2nd argument) through netfs; unlocked on error or at I/O completion.',
  },

  // ─── PG_writeback ───────────────────────────────────────────────────────
  {
    name: 'folio_start_writeback', api: 'folio', versions: ['6.1'],
    source: 'include/linux/page-flags.h: folio_start_writeback()',
    effects: [{ op: 'require-locked', rule: 'writeback-unlocked' }, { op: 'wb-start' }],
    reportsPrevious: true,
    doc: '6.1: sets PG_writeback under the folio lock; returns true if it was already set.',
  },
  {
    name: 'folio_start_writeback', api: 'folio', versions: ['6.12'],
    source: 'include/linux/page-flags.h: folio_start_writeback()',
    effects: [{ op: 'require-locked', rule: 'writeback-unlocked' }, { op: 'wb-start' }],
    doc: '6.12: sets PG_writeback under the folio lock; VM_BUG_ON if already set (returns void).',
  },
  {
    name: '__folio_start_writeback', api: 'folio', versions: ['6.1'],
    source: 'mm/page-writeback.c: __folio_start_writeback()',
    effects: [{ op: 'require-locked', rule: 'writeback-unlocked' }, { op: 'wb-start' }],
    reportsPrevious: true,
    doc: '6.1: sets PG_writeback (keep_write keeps TOWRITE); returns true if it was already set.',
  },
  {
    name: '__folio_start_writeback', api: 'folio', versions: ['6.12'],
    source: 'mm/page-writeback.c: __folio_start_writeback()',
    effects: [{ op: 'require-locked', rule: 'writeback-unlocked' }, { op: 'wb-start' }],
    doc: '6.12: sets PG_writeback; VM_BUG_ON if already set.',
  },
  {
    name: 'folio_start_writeback_keepwrite', api: 'folio', versions: ['6.1'],
    source: 'include/linux/page-flags.h: folio_start_writeback_keepwrite()',
    effects: [{ op: 'require-locked', rule: 'writeback-unlocked' }, { op: 'wb-start' }],
    reportsPrevious: true,
    doc: '6.1: folio_start_writeback() keeping PAGECACHE_TAG_TOWRITE; true if already under writeback.',
  },
  {
    name: 'folio_start_writeback_keepwrite', api: 'folio', versions: ['6.12'],
    source: 'include/linux/page-flags.h: folio_start_writeback_keepwrite()',
    effects: [{ op: 'require-locked', rule: 'writeback-unlocked' }, { op: 'wb-start' }],
    doc: '6.12: folio_start_writeback() keeping PAGECACHE_TAG_TOWRITE; VM_BUG_ON if already set.',
  },
  {
    name: 'set_page_writeback', api: 'page', versions: ['6.1'],
    source: 'mm/folio-compat.c: set_page_writeback()',
    effects: [{ op: 'require-locked', rule: 'writeback-unlocked' }, { op: 'wb-start' }],
    reportsPrevious: true,
    doc: '6.1: folio_start_writeback() on the page\'s folio; returns true if already under writeback.',
  },
  {
    name: 'set_page_writeback', api: 'page', versions: ['6.12'],
    source: 'mm/folio-compat.c: set_page_writeback()',
    effects: [{ op: 'require-locked', rule: 'writeback-unlocked' }, { op: 'wb-start' }],
    doc: '6.12: folio_start_writeback() on the page\'s folio (returns void).',
  },
  {
    name: 'set_page_writeback_keepwrite', api: 'page', versions: ['6.1'],
    source: 'include/linux/page-flags.h: set_page_writeback_keepwrite()',
    effects: [{ op: 'require-locked', rule: 'writeback-unlocked' }, { op: 'wb-start' }],
    doc: '6.1: keepwrite start of writeback; discards whether it was already set (returns void).',
  },
  {
    name: 'test_set_page_writeback', api: 'page', versions: ['6.1'],
    source: 'include/linux/page-flags.h: test_set_page_writeback()',
    effects: [{ op: 'require-locked', rule: 'writeback-unlocked' }, { op: 'wb-start' }],
    reportsPrevious: true,
    doc: '6.1: set_page_writeback(); returns true if the page was already under writeback.',
  },
  {
    name: 'folio_end_writeback', api: 'folio', versions: ['6.1', '6.12'],
    source: 'mm/filemap.c: folio_end_writeback()',
    effects: [{ op: 'wb-end' }],
    doc: 'Clears PG_writeback and wakes waiters (BUG if not set); writeback held no reference.',
  },
  {
    name: 'end_page_writeback', api: 'page', versions: ['6.1', '6.12'],
    source: 'mm/folio-compat.c: end_page_writeback()',
    effects: [{ op: 'wb-end' }],
    doc: 'folio_end_writeback() on the page\'s folio; writeback held no reference.',
  },
  {
    name: 'block_write_full_page', api: 'page', versions: ['6.1'],
    source: 'fs/buffer.c: block_write_full_page()',
    effects: [{ op: 'unlock' }],
    doc: 'Writes a locked page through buffer heads (starting writeback) and unlocks it.',
  },
  {
    name: 'block_write_full_folio', api: 'folio', versions: ['6.12'],
    source: 'fs/buffer.c: block_write_full_folio()',
    effects: [{ op: 'unlock' }],
    doc: 'Writes a locked folio through buffer heads (starting writeback) and unlocks it.',
  },
  {
    name: 'folio_write_one', api: 'folio', versions: ['6.1'],
    source: 'mm/page-writeback.c: folio_write_one()',
    effects: [{ op: 'require-locked', rule: 'dirty-clear-unlocked' }, { op: 'dirty-clear' }, { op: 'unlock' }],
    doc: 'Writes a locked folio and waits; it comes back unlocked.',
  },
  {
    name: 'write_one_page', api: 'page', versions: ['6.1'],
    source: 'include/linux/pagemap.h: write_one_page()',
    effects: [{ op: 'require-locked', rule: 'dirty-clear-unlocked' }, { op: 'dirty-clear' }, { op: 'unlock' }],
    doc: 'folio_write_one() on the page\'s folio: writes a locked page and unlocks it.',
  },

  // ─── PG_dirty ───────────────────────────────────────────────────────────
  {
    name: 'folio_mark_dirty', api: 'folio', versions: ['6.1', '6.12'],
    source: 'mm/page-writeback.c: folio_mark_dirty()',
    effects: [{ op: 'dirty-set' }],
    doc: 'Dirties the folio through ->dirty_folio; caller keeps truncation away (lock or PTL).',
  },
  {
    name: 'set_page_dirty', api: 'page', versions: ['6.1', '6.12'],
    source: 'mm/folio-compat.c: set_page_dirty()',
    effects: [{ op: 'dirty-set' }],
    doc: 'folio_mark_dirty() on the page\'s folio.',
  },
  {
    name: 'set_page_dirty_lock', api: 'page', versions: ['6.1', '6.12'],
    source: 'mm/page-writeback.c: set_page_dirty_lock()',
    effects: [{ op: 'lock' }, { op: 'dirty-set' }, { op: 'unlock' }],
    doc: 'Locks the page, dirties it, unlocks it: deadlocks if this function holds the lock.',
  },
  {
    name: 'filemap_dirty_folio', api: 'folio', versions: ['6.1', '6.12'],
    source: 'mm/page-writeback.c: filemap_dirty_folio()',
    effects: [{ op: 'dirty-set', arg: 1 }],
    doc: 'Sets PG_dirty on the folio (2nd argument) and tags it dirty in the mapping.',
  },
  {
    name: 'noop_dirty_folio', api: 'folio', versions: ['6.1', '6.12'],
    source: 'mm/page-writeback.c: noop_dirty_folio()',
    effects: [{ op: 'dirty-set', arg: 1 }],
    doc: 'Sets PG_dirty on the folio (2nd argument) without tagging or accounting.',
  },
  {
    name: 'block_dirty_folio', api: 'folio', versions: ['6.1', '6.12'],
    source: 'fs/buffer.c: block_dirty_folio()',
    effects: [{ op: 'dirty-set', arg: 1 }],
    doc: 'Dirties the folio (2nd argument) and all its buffers.',
  },
  {
    name: 'iomap_dirty_folio', api: 'folio', versions: ['6.12'],
    source: 'fs/iomap/buffered-io.c: iomap_dirty_folio()',
    effects: [{ op: 'dirty-set', arg: 1 }],
    doc: 'Marks the whole folio (2nd argument) dirty in iomap state, then filemap_dirty_folio().',
  },
  {
    name: 'fscache_dirty_folio', api: 'folio', versions: ['6.1'],
    source: 'fs/fscache/io.c: fscache_dirty_folio()',
    effects: [{ op: 'dirty-set', arg: 1 }],
    doc: '6.1: filemap_dirty_folio() on the folio (2nd argument) and pins the cache cookie for writeback.',
  },
  {
    name: 'netfs_dirty_folio', api: 'folio', versions: ['6.12'],
    source: 'fs/netfs/misc.c: netfs_dirty_folio()',
    effects: [{ op: 'dirty-set', arg: 1 }],
    doc: '6.12: filemap_dirty_folio() on the folio (2nd argument) and pins the cache cookie for writeback.',
  },
  {
    name: '__set_page_dirty_nobuffers', api: 'page', versions: ['6.1'],
    source: 'mm/folio-compat.c: __set_page_dirty_nobuffers()',
    effects: [{ op: 'dirty-set' }],
    doc: '6.1: filemap_dirty_folio() on the page\'s folio.',
  },
  {
    name: 'folio_redirty_for_writepage', api: 'folio', versions: ['6.1', '6.12'],
    source: 'mm/page-writeback.c: folio_redirty_for_writepage()',
    effects: [{ op: 'dirty-set', arg: 1 }],
    doc: 'Declines to write the folio (2nd argument): dirties it again; the caller then unlocks it.',
  },
  {
    name: 'redirty_page_for_writepage', api: 'page', versions: ['6.1', '6.12'],
    source: 'mm/folio-compat.c: redirty_page_for_writepage()',
    effects: [{ op: 'dirty-set', arg: 1 }],
    doc: 'folio_redirty_for_writepage() on the page (2nd argument).',
  },
  {
    name: 'folio_clear_dirty_for_io', api: 'folio', versions: ['6.1', '6.12'],
    source: 'mm/page-writeback.c: folio_clear_dirty_for_io()',
    effects: [{ op: 'require-locked', rule: 'dirty-clear-unlocked' }, { op: 'dirty-clear' }],
    doc: 'Needs the folio lock (VM_BUG_ON): clears PG_dirty before writeout; true if it was dirty.',
  },
  {
    name: 'clear_page_dirty_for_io', api: 'page', versions: ['6.1', '6.12'],
    source: 'mm/folio-compat.c: clear_page_dirty_for_io()',
    effects: [{ op: 'require-locked', rule: 'dirty-clear-unlocked' }, { op: 'dirty-clear' }],
    doc: 'folio_clear_dirty_for_io() on the page\'s folio: needs the lock.',
  },
  {
    name: 'folio_cancel_dirty', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: folio_cancel_dirty()',
    effects: [{ op: 'dirty-clear' }],
    doc: 'Clears PG_dirty (and its accounting) of a folio about to be dropped; leaves the tag.',
  },
  {
    name: 'folio_set_dirty', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: PAGEFLAG(Dirty, dirty, PF_HEAD)',
    effects: [{ op: 'dirty-set' }],
    doc: 'Raw set of PG_dirty: no tagging, no accounting.',
  },
  {
    name: 'SetPageDirty', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: PAGEFLAG(Dirty, dirty, PF_HEAD)',
    effects: [{ op: 'dirty-set' }],
    doc: 'Raw set of PG_dirty: no tagging, no accounting.',
  },
  {
    name: 'folio_clear_dirty', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: PAGEFLAG(Dirty, dirty, PF_HEAD)',
    effects: [{ op: 'dirty-clear' }],
    doc: 'Raw clear of PG_dirty: no accounting.',
  },
  {
    name: 'ClearPageDirty', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: PAGEFLAG(Dirty, dirty, PF_HEAD)',
    effects: [{ op: 'dirty-clear' }],
    doc: 'Raw clear of PG_dirty: no accounting.',
  },
  {
    name: 'folio_test_set_dirty', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: TESTSCFLAG(Dirty, dirty, PF_HEAD)',
    effects: [{ op: 'dirty-set' }],
    doc: 'Raw test-and-set of PG_dirty; returns the old value.',
  },
  {
    name: 'folio_test_clear_dirty', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: TESTSCFLAG(Dirty, dirty, PF_HEAD)',
    effects: [{ op: 'dirty-clear' }],
    doc: 'Raw test-and-clear of PG_dirty; returns the old value.',
  },
  {
    name: 'TestClearPageDirty', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: TESTSCFLAG(Dirty, dirty, PF_HEAD)',
    effects: [{ op: 'dirty-clear' }],
    doc: 'Raw test-and-clear of PG_dirty; returns the old value.',
  },

  // ─── PG_uptodate ────────────────────────────────────────────────────────
  {
    name: 'folio_mark_uptodate', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: folio_mark_uptodate()',
    effects: [{ op: 'uptodate-set' }],
    doc: 'Sets PG_uptodate after a write barrier; the data must be filled first.',
  },
  {
    name: '__folio_mark_uptodate', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: __folio_mark_uptodate()',
    effects: [{ op: 'uptodate-set' }],
    doc: 'Non-atomic folio_mark_uptodate() for a folio nobody else can see.',
  },
  {
    name: 'SetPageUptodate', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: SetPageUptodate()',
    effects: [{ op: 'uptodate-set' }],
    doc: 'folio_mark_uptodate() on the page\'s folio.',
  },
  {
    name: '__SetPageUptodate', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: __SetPageUptodate()',
    effects: [{ op: 'uptodate-set' }],
    doc: 'Non-atomic SetPageUptodate() for a page nobody else can see.',
  },
  {
    name: 'folio_clear_uptodate', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: CLEARPAGEFLAG(Uptodate, uptodate, PF_NO_TAIL)',
    effects: [{ op: 'uptodate-clear' }],
    doc: 'Clears PG_uptodate (read error, invalidation).',
  },
  {
    name: 'ClearPageUptodate', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: CLEARPAGEFLAG(Uptodate, uptodate, PF_NO_TAIL)',
    effects: [{ op: 'uptodate-clear' }],
    doc: 'Clears PG_uptodate of the page\'s folio.',
  },

  // ─── PG_private (attached data) ─────────────────────────────────────────
  {
    name: 'folio_attach_private', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: folio_attach_private()',
    effects: [{ op: 'private-attach' }],
    doc: 'Takes a reference, stores the data and sets PG_private; does not check it was clear.',
  },
  {
    name: 'attach_page_private', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: attach_page_private()',
    effects: [{ op: 'private-attach' }],
    doc: 'folio_attach_private() on the page\'s folio: takes a reference, sets PG_private.',
  },
  {
    name: 'folio_detach_private', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: folio_detach_private()',
    effects: [{ op: 'private-detach' }],
    doc: 'If PG_private is set: clears it and the data, drops the attach reference; returns the data.',
  },
  {
    name: 'detach_page_private', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: detach_page_private()',
    effects: [{ op: 'private-detach' }],
    doc: 'folio_detach_private() on the page\'s folio: drops the attach reference.',
  },
  {
    name: 'folio_change_private', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: folio_change_private()',
    effects: [{ op: 'use' }],
    doc: 'Replaces attached data and returns the old; data must already be attached. No ref or flag change.',
  },
  {
    name: 'folio_set_private', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: PAGEFLAG(Private, private, PF_ANY)',
    effects: [{ op: 'private-set-raw' }],
    doc: 'Raw set of PG_private: takes no reference (folio_attach_private() does).',
  },
  {
    name: 'SetPagePrivate', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: PAGEFLAG(Private, private, PF_ANY)',
    effects: [{ op: 'private-set-raw' }],
    doc: 'Raw set of PG_private: takes no reference (attach_page_private() does).',
  },
  {
    name: 'folio_clear_private', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: PAGEFLAG(Private, private, PF_ANY)',
    effects: [{ op: 'private-clear-raw' }],
    doc: 'Raw clear of PG_private: drops no reference.',
  },
  {
    name: 'ClearPagePrivate', api: 'page', versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: PAGEFLAG(Private, private, PF_ANY)',
    effects: [{ op: 'private-clear-raw' }],
    doc: 'Raw clear of PG_private: drops no reference.',
  },

  // ─── PG_private_2 (PG_fscache) ──────────────────────────────────────────
  // Both trees take a reference when the helper starts it (folio_get() in
  // 6.1's folio_start_fscache() and 6.12's folio_start_private_2()) and drop
  // it in folio_end_private_2(): ref is true everywhere below.
  {
    name: 'folio_start_fscache', api: 'folio', versions: ['6.1'],
    source: 'include/linux/netfs.h: folio_start_fscache()',
    effects: [{ op: 'private2-start', ref: true }],
    doc: '6.1: sets PG_fscache (PG_private_2) with a reference of its own; VM_BUG_ON if already set.',
  },
  {
    name: 'set_page_fscache', api: 'page', versions: ['6.1'],
    source: 'include/linux/netfs.h: set_page_fscache()',
    effects: [{ op: 'private2-start', ref: true }],
    doc: '6.1: folio_start_fscache() on the page\'s folio: sets PG_fscache and takes a reference.',
  },
  {
    name: 'folio_end_fscache', api: 'folio', versions: ['6.1'],
    source: 'include/linux/netfs.h: folio_end_fscache()',
    effects: [{ op: 'private2-end', ref: true }],
    doc: '6.1: folio_end_private_2(): clears PG_fscache, wakes waiters, drops its reference.',
  },
  {
    name: 'end_page_fscache', api: 'page', versions: ['6.1'],
    source: 'include/linux/netfs.h: end_page_fscache()',
    effects: [{ op: 'private2-end', ref: true }],
    doc: '6.1: folio_end_private_2() on the page\'s folio: clears PG_fscache, drops its reference.',
  },
  {
    name: 'folio_start_private_2', api: 'folio', versions: ['6.12'],
    source: 'include/linux/netfs.h: folio_start_private_2()',
    effects: [{ op: 'private2-start', ref: true }],
    doc: '6.12 (deprecated): sets PG_private_2 with a reference of its own; VM_BUG_ON if already set.',
  },
  {
    name: 'folio_end_private_2', api: 'folio', versions: ['6.1', '6.12'],
    source: 'mm/filemap.c: folio_end_private_2()',
    effects: [{ op: 'private2-end', ref: true }],
    doc: 'Clears PG_private_2 (VM_BUG_ON if clear), wakes waiters, drops the start reference.',
  },
  {
    name: 'folio_set_private_2', api: 'folio', versions: ['6.1'],
    source: 'include/linux/page-flags.h: PAGEFLAG(Private2, private_2, PF_ANY)',
    effects: [{ op: 'private2-set-raw' }],
    doc: 'Raw set of PG_private_2: takes no reference.',
  },
  {
    name: 'folio_set_private_2', api: 'folio', versions: ['6.12'],
    source: 'include/linux/page-flags.h: FOLIO_FLAG(private_2, FOLIO_HEAD_PAGE)',
    effects: [{ op: 'private2-set-raw' }],
    doc: 'Raw set of PG_private_2: takes no reference.',
  },
  {
    name: 'folio_clear_private_2', api: 'folio', versions: ['6.1'],
    source: 'include/linux/page-flags.h: PAGEFLAG(Private2, private_2, PF_ANY)',
    effects: [{ op: 'private2-clear-raw' }],
    doc: 'Raw clear of PG_private_2: no wake-up, drops no reference.',
  },
  {
    name: 'folio_clear_private_2', api: 'folio', versions: ['6.12'],
    source: 'include/linux/page-flags.h: FOLIO_FLAG(private_2, FOLIO_HEAD_PAGE)',
    effects: [{ op: 'private2-clear-raw' }],
    doc: 'Raw clear of PG_private_2: no wake-up, drops no reference.',
  },
  {
    name: 'folio_test_set_private_2', api: 'folio', versions: ['6.1'],
    source: 'include/linux/page-flags.h: TESTSCFLAG(Private2, private_2, PF_ANY)',
    effects: [{ op: 'private2-set-raw' }],
    doc: '6.1: raw test-and-set of PG_private_2; takes no reference.',
  },
  {
    name: 'folio_test_clear_private_2', api: 'folio', versions: ['6.1'],
    source: 'include/linux/page-flags.h: TESTSCFLAG(Private2, private_2, PF_ANY)',
    effects: [{ op: 'private2-clear-raw' }],
    doc: '6.1: raw test-and-clear of PG_private_2; drops no reference.',
  },
  {
    name: 'SetPagePrivate2', api: 'page', versions: ['6.1'],
    source: 'include/linux/page-flags.h: PAGEFLAG(Private2, private_2, PF_ANY)',
    effects: [{ op: 'private2-set-raw' }],
    doc: '6.1: raw set of PG_private_2 (gone in 6.12); takes no reference.',
  },
  {
    name: 'ClearPagePrivate2', api: 'page', versions: ['6.1'],
    source: 'include/linux/page-flags.h: PAGEFLAG(Private2, private_2, PF_ANY)',
    effects: [{ op: 'private2-clear-raw' }],
    doc: '6.1: raw clear of PG_private_2 (gone in 6.12); drops no reference.',
  },
  {
    name: 'TestSetPagePrivate2', api: 'page', versions: ['6.1'],
    source: 'include/linux/page-flags.h: TESTSCFLAG(Private2, private_2, PF_ANY)',
    effects: [{ op: 'private2-set-raw' }],
    doc: '6.1: raw test-and-set of PG_private_2; takes no reference.',
  },
  {
    name: 'TestClearPagePrivate2', api: 'page', versions: ['6.1'],
    source: 'include/linux/page-flags.h: TESTSCFLAG(Private2, private_2, PF_ANY)',
    effects: [{ op: 'private2-clear-raw' }],
    doc: '6.1: raw test-and-clear of PG_private_2; drops no reference.',
  },
  {
    name: 'SetPageFsCache', api: 'page', versions: ['6.1'],
    source: 'include/linux/netfs.h: SetPageFsCache()',
    effects: [{ op: 'private2-set-raw' }],
    doc: '6.1: SetPagePrivate2(): raw set of PG_fscache, no reference (set_page_fscache() takes one).',
  },
  {
    name: 'ClearPageFsCache', api: 'page', versions: ['6.1'],
    source: 'include/linux/netfs.h: ClearPageFsCache()',
    effects: [{ op: 'private2-clear-raw' }],
    doc: '6.1: ClearPagePrivate2(): raw clear of PG_fscache, no wake-up, drops no reference.',
  },
  {
    name: 'TestSetPageFsCache', api: 'page', versions: ['6.1'],
    source: 'include/linux/netfs.h: TestSetPageFsCache()',
    effects: [{ op: 'private2-set-raw' }],
    doc: '6.1: TestSetPagePrivate2(): raw test-and-set of PG_fscache, no reference.',
  },
  {
    name: 'TestClearPageFsCache', api: 'page', versions: ['6.1'],
    source: 'include/linux/netfs.h: TestClearPageFsCache()',
    effects: [{ op: 'private2-clear-raw' }],
    doc: '6.1: TestClearPagePrivate2(): raw test-and-clear of PG_fscache, drops no reference.',
  },

  // ─── hand-offs and batches ──────────────────────────────────────────────
  {
    name: 'folio_batch_add', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/pagevec.h: folio_batch_add()',
    effects: [{ op: 'handoff', arg: 1 }],
    doc: 'Stores the folio (2nd argument) in the batch, which now owns its reference (folio_batch_release).',
  },
  {
    name: 'pagevec_add', api: 'page', versions: ['6.1'],
    source: 'include/linux/pagevec.h: pagevec_add()',
    effects: [{ op: 'handoff', arg: 1 }],
    doc: '6.1: stores the page (2nd argument) in the pagevec, which now owns its reference (pagevec_release).',
  },
  {
    name: 'folio_batch_release', api: 'folio', versions: ['6.1', '6.12'],
    source: 'include/linux/pagevec.h: folio_batch_release()',
    effects: [],
    doc: 'Drops the reference of every folio in the batch (handed over at folio_batch_add) and empties it.',
  },
  {
    name: '__folio_batch_release', api: 'folio', versions: ['6.12'],
    source: 'mm/swap.c: __folio_batch_release()',
    effects: [],
    doc: 'Drops the reference of every folio in a non-empty batch and reinitialises it.',
  },
  {
    name: 'pagevec_release', api: 'page', versions: ['6.1'],
    source: 'include/linux/pagevec.h: pagevec_release()',
    effects: [],
    doc: '6.1: drops the reference of every page in the pagevec (handed over at pagevec_add).',
  },
  {
    name: '__pagevec_release', api: 'page', versions: ['6.1'],
    source: 'mm/swap.c: __pagevec_release()',
    effects: [],
    doc: '6.1: drops the reference of every page in a non-empty pagevec.',
  },
  {
    name: 'folios_put', api: 'folio', versions: ['6.1'],
    source: 'include/linux/mm.h: folios_put()',
    effects: [],
    doc: '6.1: folios_put(folios, nr) drops one reference on each folio of an array.',
  },
  {
    name: 'folios_put', api: 'folio', versions: ['6.12'],
    source: 'include/linux/mm.h: folios_put()',
    effects: [],
    doc: '6.12: folios_put(fbatch) drops one reference on each folio of a batch and empties it.',
  },
  {
    name: 'release_pages', api: 'page', versions: ['6.1', '6.12'],
    source: 'mm/swap.c: release_pages()',
    effects: [],
    doc: 'Drops one reference on each page (or folio) of an array.',
  },

  // ─── begin/end pairs ────────────────────────────────────────────────────
  {
    name: 'inode_dio_begin', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: inode_dio_begin()',
    effects: [{ op: 'pair-begin', pair: DIO_PAIR }],
    doc: 'Counts a direct I/O in flight on the inode (i_dio_count); inode_dio_wait() waits for it.',
  },
  {
    name: 'inode_dio_end', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: inode_dio_end()',
    effects: [{ op: 'pair-end', pair: DIO_PAIR }],
    doc: 'Ends a direct I/O counted by inode_dio_begin() and wakes inode_dio_wait().',
  },
  {
    name: 'fscache_use_cookie', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fscache.h: fscache_use_cookie()',
    effects: [{ op: 'pair-begin', pair: 'fscache_cookie' }],
    doc: 'fscache_use_cookie(cookie, will_modify): pins the cache object; end with fscache_unuse_cookie().',
  },
  {
    name: 'fscache_unuse_cookie', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fscache.h: fscache_unuse_cookie()',
    effects: [{ op: 'pair-end', pair: 'fscache_cookie' }],
    doc: 'fscache_unuse_cookie(cookie, aux, size): drops a fscache_use_cookie() pin.',
  },
  // The writeback pin of seed 002: the netfs/fscache dirty_folio helper takes a
  // cookie use (I_PINNING_NETFS_WB / I_PINNING_FSCACHE_WB) that ->write_inode
  // drops with the unpin helper, and ->evict_inode with the clear helper, which
  // must run before clear_inode().
  {
    name: 'netfs_clear_inode_writeback', api: 'other', versions: ['6.12'],
    source: 'fs/netfs/misc.c: netfs_clear_inode_writeback()',
    effects: [{ op: 'pair-not-after', pair: 'inode_cleared', rule: 'cookie-writeback-pin' }],
    doc: 'Drops the cookie use pinned for writeback (I_PINNING_NETFS_WB) at eviction, before clear_inode().',
  },
  {
    name: 'fscache_clear_inode_writeback', api: 'other', versions: ['6.1'],
    source: 'include/linux/fscache.h: fscache_clear_inode_writeback()',
    effects: [{ op: 'pair-not-after', arg: 1, pair: 'inode_cleared', rule: 'cookie-writeback-pin' }],
    doc: '(cookie, inode, aux): drops the writeback pin (I_PINNING_FSCACHE_WB) at eviction, before clear_inode().',
  },
  {
    name: 'clear_inode', api: 'pair', versions: ['6.1', '6.12'],
    source: 'fs/inode.c: clear_inode()',
    effects: [{ op: 'pair-begin', pair: 'inode_cleared' }],
    trigger: false,
    doc: 'Marks the inode I_FREEING | I_CLEAR at the end of ->evict_inode(); its cache pins must be gone by then.',
  },

  // ─── inode references (seed 001: a DAX mapping lives inside one) ───────
  {
    name: 'igrab', api: 'pair', versions: ['6.1', '6.12'],
    source: 'fs/inode.c: igrab()',
    effects: [{ op: 'pair-begin', pair: INODE_REF_PAIR, onResult: true }], outcome: 'true',
    trigger: false,
    doc: 'Takes a reference on the inode unless it is being freed; returns the inode or NULL. Drop it with iput().',
  },
  {
    name: 'ihold', api: 'pair', versions: ['6.1', '6.12'],
    source: 'fs/inode.c: ihold()',
    effects: [{ op: 'pair-begin', pair: INODE_REF_PAIR }],
    trigger: false,
    doc: 'Takes another reference on an inode the caller already holds one on. Drop it with iput().',
  },
  {
    name: 'ilookup', api: 'pair', versions: ['6.1', '6.12'],
    source: 'fs/inode.c: ilookup()',
    effects: [{ op: 'pair-begin', pair: INODE_REF_PAIR, onResult: true }], outcome: 'true',
    trigger: false,
    doc: 'ilookup(sb, ino): the cached inode with a reference taken, or NULL. Drop it with iput().',
  },
  {
    name: 'ilookup5', api: 'pair', versions: ['6.1', '6.12'],
    source: 'fs/inode.c: ilookup5()',
    effects: [{ op: 'pair-begin', pair: INODE_REF_PAIR, onResult: true }], outcome: 'true',
    trigger: false,
    doc: 'ilookup5(sb, hash, test, data): the cached inode with a reference taken, or NULL. Drop it with iput().',
  },
  {
    name: 'iget_locked', api: 'pair', versions: ['6.1', '6.12'],
    source: 'fs/inode.c: iget_locked()',
    effects: [{ op: 'pair-begin', pair: INODE_REF_PAIR, onResult: true }], outcome: 'true',
    trigger: false,
    doc: 'iget_locked(sb, ino): the inode with a reference taken (I_NEW when just allocated), or NULL.',
  },
  {
    name: 'iget5_locked', api: 'pair', versions: ['6.1', '6.12'],
    source: 'fs/inode.c: iget5_locked()',
    effects: [{ op: 'pair-begin', pair: INODE_REF_PAIR, onResult: true }], outcome: 'true',
    trigger: false,
    doc: 'iget5_locked(sb, hash, test, set, data): the inode with a reference taken (I_NEW when just allocated), or NULL.',
  },
  {
    name: 'iput', api: 'pair', versions: ['6.1', '6.12'],
    source: 'fs/inode.c: iput()',
    effects: [{ op: 'pair-end', pair: INODE_REF_PAIR }],
    trigger: false,
    doc: 'Drops an inode reference; the last one may evict the inode and free its blocks (and DAX memory behind them).',
  },

  // ─── DAX mappings ───────────────────────────────────────────────────────
  {
    name: 'dax_direct_access', api: 'other', versions: ['6.1', '6.12'],
    source: 'include/linux/dax.h: dax_direct_access()',
    effects: [{ op: 'dax-map', outArgs: [4, 5] }],
    doc: '(dax_dev, pgoff, nr, mode, &kaddr, &pfn): maps pmem; for fsdax valid only while an inode reference covers it.',
  },
  {
    name: 'dax_iomap_direct_access', api: 'other', versions: ['6.1', '6.12'],
    source: 'fs/dax.c: dax_iomap_direct_access()',
    effects: [{ op: 'dax-map', outArgs: [3, 4] }],
    doc: '(iomap, pos, size, &kaddr, &pfn): dax_direct_access() for an iomap range of an inode.',
  },

  // ─── requests that wait for a userspace daemon (seed 003) ───────────────
  {
    name: 'fuse_simple_request', api: 'other', versions: ['6.1'],
    source: 'fs/fuse/dev.c: fuse_simple_request()',
    effects: [{ op: 'userspace-wait' }],
    doc: 'Sends a FUSE request and sleeps until the daemon answers (request_wait_answer()), for as long as it likes.',
  },
  {
    name: 'fuse_simple_request', api: 'other', versions: ['6.12'],
    source: 'fs/fuse/fuse_i.h: fuse_simple_request()',
    effects: [{ op: 'userspace-wait' }],
    doc: 'Wraps __fuse_simple_request(): sends a FUSE request and sleeps until the daemon answers.',
  },
  {
    name: '__fuse_simple_request', api: 'other', versions: ['6.12'],
    source: 'fs/fuse/dev.c: __fuse_simple_request()',
    effects: [{ op: 'userspace-wait' }],
    doc: 'Sends a FUSE request and sleeps until the daemon answers.',
  },
  {
    name: 'fuse_simple_idmap_request', api: 'other', versions: ['6.12'],
    source: 'fs/fuse/fuse_i.h: fuse_simple_idmap_request()',
    effects: [{ op: 'userspace-wait' }],
    doc: 'fuse_simple_request() with an idmap: sends a FUSE request and sleeps until the daemon answers.',
  },
  {
    name: 'sb_start_write', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: sb_start_write()',
    effects: [{ op: 'pair-begin', pair: 'sb_write' }],
    doc: 'Takes freeze protection (SB_FREEZE_WRITE); a freeze waits until sb_end_write().',
  },
  {
    name: 'sb_start_write_trylock', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: sb_start_write_trylock()',
    effects: [{ op: 'pair-begin', pair: 'sb_write' }], outcome: 'true',
    doc: 'sb_start_write() without waiting for a freeze; true when taken.',
  },
  {
    name: 'sb_end_write', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: sb_end_write()',
    effects: [{ op: 'pair-end', pair: 'sb_write' }],
    doc: 'Drops freeze protection taken by sb_start_write().',
  },
  {
    name: 'sb_start_pagefault', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: sb_start_pagefault()',
    effects: [{ op: 'pair-begin', pair: 'sb_pagefault' }],
    doc: 'Takes page-fault freeze protection (SB_FREEZE_PAGEFAULT) for ->page_mkwrite.',
  },
  {
    name: 'sb_end_pagefault', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: sb_end_pagefault()',
    effects: [{ op: 'pair-end', pair: 'sb_pagefault' }],
    doc: 'Drops protection taken by sb_start_pagefault().',
  },
  {
    name: 'sb_start_intwrite', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: sb_start_intwrite()',
    effects: [{ op: 'pair-begin', pair: 'sb_intwrite' }],
    doc: 'Takes internal-write freeze protection (SB_FREEZE_FS).',
  },
  {
    name: 'sb_start_intwrite_trylock', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: sb_start_intwrite_trylock()',
    effects: [{ op: 'pair-begin', pair: 'sb_intwrite' }], outcome: 'true',
    doc: 'sb_start_intwrite() without waiting; true when taken.',
  },
  {
    name: 'sb_end_intwrite', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: sb_end_intwrite()',
    effects: [{ op: 'pair-end', pair: 'sb_intwrite' }],
    doc: 'Drops protection taken by sb_start_intwrite().',
  },
  {
    name: 'file_start_write', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: file_start_write()',
    effects: [{ op: 'pair-begin', pair: 'file_write' }],
    doc: 'Freeze protection for a write to a regular file; end with file_end_write().',
  },
  {
    name: 'file_start_write_trylock', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: file_start_write_trylock()',
    effects: [{ op: 'pair-begin', pair: 'file_write' }], outcome: 'true',
    doc: 'file_start_write() without waiting; true when taken (or not a regular file).',
  },
  {
    name: 'file_end_write', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: file_end_write()',
    effects: [{ op: 'pair-end', pair: 'file_write' }],
    doc: 'Drops protection taken by file_start_write().',
  },
  {
    name: 'mnt_want_write', api: 'pair', versions: ['6.1', '6.12'],
    source: 'fs/namespace.c: mnt_want_write()',
    effects: [{ op: 'pair-begin', pair: 'mnt_write' }], outcome: 'zero',
    doc: 'Takes write access to a mount (and freeze protection); 0 on success.',
  },
  {
    name: 'mnt_drop_write', api: 'pair', versions: ['6.1', '6.12'],
    source: 'fs/namespace.c: mnt_drop_write()',
    effects: [{ op: 'pair-end', pair: 'mnt_write' }],
    doc: 'Drops write access taken by mnt_want_write().',
  },
  {
    name: 'mnt_want_write_file', api: 'pair', versions: ['6.1', '6.12'],
    source: 'fs/namespace.c: mnt_want_write_file()',
    effects: [{ op: 'pair-begin', pair: 'mnt_write_file' }], outcome: 'zero',
    doc: 'mnt_want_write() for a file\'s mount; 0 on success.',
  },
  {
    name: 'mnt_drop_write_file', api: 'pair', versions: ['6.1', '6.12'],
    source: 'fs/namespace.c: mnt_drop_write_file()',
    effects: [{ op: 'pair-end', pair: 'mnt_write_file' }],
    doc: 'Drops write access taken by mnt_want_write_file().',
  },
  {
    name: 'filemap_invalidate_lock', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: filemap_invalidate_lock()',
    effects: [{ op: 'pair-begin', pair: 'invalidate_lock' }],
    doc: 'Takes mapping->invalidate_lock exclusive: blocks page-cache fills and faults while truncating.',
  },
  {
    name: 'filemap_invalidate_unlock', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: filemap_invalidate_unlock()',
    effects: [{ op: 'pair-end', pair: 'invalidate_lock' }],
    doc: 'Releases mapping->invalidate_lock taken exclusive.',
  },
  {
    name: 'filemap_invalidate_lock_shared', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: filemap_invalidate_lock_shared()',
    effects: [{ op: 'pair-begin', pair: 'invalidate_lock_shared' }],
    doc: 'Takes mapping->invalidate_lock shared, as page-cache fills do.',
  },
  {
    name: 'filemap_invalidate_trylock_shared', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: filemap_invalidate_trylock_shared()',
    effects: [{ op: 'pair-begin', pair: 'invalidate_lock_shared' }], outcome: 'true',
    doc: 'filemap_invalidate_lock_shared() without sleeping; nonzero when taken.',
  },
  {
    name: 'filemap_invalidate_unlock_shared', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/fs.h: filemap_invalidate_unlock_shared()',
    effects: [{ op: 'pair-end', pair: 'invalidate_lock_shared' }],
    doc: 'Releases mapping->invalidate_lock taken shared.',
  },
  {
    name: 'kmap', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/highmem-internal.h: kmap()',
    effects: [{ op: 'use' }, { op: 'pair-begin', pair: 'kmap' }],
    doc: 'Maps the page (may sleep, holds a pkmap slot on highmem) until kunmap(page).',
  },
  {
    name: 'kunmap', api: 'pair', versions: ['6.1', '6.12'],
    source: 'include/linux/highmem-internal.h: kunmap()',
    effects: [{ op: 'pair-end', pair: 'kmap' }],
    doc: 'Releases a kmap() mapping of the page.',
  },
];

/**
 * The entries that apply to `version`, by name. `extra` entries (a
 * subsystem's own helpers, a user's configuration) apply when their
 * `versions` include `version` (or are empty, meaning every version) and
 * override built-in entries of the same name.
 */
/**
 * Begin/end pair families whose counts mean something beyond balance. A
 * pair not listed here reports as `pair-unbalanced` and is labelled by its
 * name.
 */
export const PAIR_KINDS: Readonly<Record<string, PairKind>> = {
  // fs/iomap/direct-io.c iomap_dio_complete(), fs/direct-io.c dio_complete() and
  // the filesystems' own completions (nfs_direct_complete()) call inode_dio_end()
  [DIO_PAIR]: { rule: 'pair-unbalanced', label: 'direct I/O in flight', short: 'DIO', async: true },
  fscache_cookie: { rule: 'cookie-use-unbalanced', label: 'cache cookie uses', short: 'cookie' },
  [INODE_REF_PAIR]: { rule: null, label: 'inode references', short: 'iref' },
  inode_cleared: { rule: null, label: 'inode cleared (clear_inode)', short: 'cleared' },
};

export function pairKind(pair: string): PairKind {
  return Object.prototype.hasOwnProperty.call(PAIR_KINDS, pair) ? PAIR_KINDS[pair] : { rule: 'pair-unbalanced', label: pair };
}

export function contractsFor(version: KernelVersion, extra?: Contract[]): Map<string, Contract> {
  const out = new Map<string, Contract>();
  for (const c of CONTRACTS) {
    if (c.versions.includes(version)) out.set(c.name, c);
  }
  for (const c of extra ?? []) {
    if (c.versions.length === 0 || c.versions.includes(version)) out.set(c.name, c);
  }
  return out;
}

/**
 * A family of calls that take a folio or page and leave this function's
 * references, PG_locked and the tracked flags (writeback, dirty, uptodate,
 * private, private_2) alone. The engine uses it to know such a callee is
 * harmless; calls neither here nor in the contract table fall back on name
 * heuristics. A family lists the names of every version it applies to
 * together: a name that does not exist in one version never appears in code
 * written for it.
 */
export interface NeutralFamily {
  /** what the family is */
  family: string;
  /** exact names */
  names: readonly string[];
  /** any call whose name starts with one of these */
  prefixes: readonly string[];
  /** prefixes within `prefixes` that change state and are never neutral */
  except: readonly string[];
  /** the kernel versions the family was read in (its citation holds there) */
  versions: readonly KernelVersion[];
  /** where the family was read: `file: function()` */
  source: string;
}

export const NEUTRAL_CALLS: readonly NeutralFamily[] = [
  {
    family: 'flag tests (the test-and-set/test-and-clear forms change flags and are excluded)',
    names: [],
    prefixes: ['folio_test_', 'Page'],
    except: ['folio_test_set_', 'folio_test_clear_'],
    versions: ['6.1', '6.12'],
    source: 'include/linux/page-flags.h: TESTPAGEFLAG(uname, lname, policy)',
  },
  {
    family: 'folio geometry and identity',
    names: [
      'folio_size', 'folio_nr_pages', 'folio_order', 'folio_shift', 'folio_pfn', 'folio_nid',
      'folio_page', 'page_folio', 'folio_address', 'page_address', 'page_to_pfn',
      'folio_ref_count', 'page_count', 'folio_mapped', 'page_mapped', 'folio_mapcount',
      'offset_in_folio', 'offset_in_page',
    ],
    prefixes: [],
    except: [],
    versions: ['6.1', '6.12'],
    source: 'include/linux/mm.h: folio_size()',
  },
  {
    family: 'position in the file and owning mapping',
    names: [
      'folio_pos', 'folio_file_pos', 'folio_index', 'folio_next_index', 'folio_mapping',
      'folio_file_mapping', 'folio_inode', 'folio_contains', 'folio_file_page', 'page_offset',
      'page_index', 'page_to_pgoff', 'page_mapping', 'folio_flush_mapping',
      'folio_mkwrite_check_truncate', 'page_mkwrite_check_truncate',
    ],
    prefixes: [],
    except: [],
    versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: folio_pos()',
  },
  {
    family: 'private data pointer without PG_private',
    names: ['folio_get_private', 'page_private', 'set_page_private'],
    prefixes: [],
    except: [],
    versions: ['6.1', '6.12'],
    source: 'include/linux/mm_types.h: folio_get_private()',
  },
  {
    family: 'temporary mappings and copies of the contents',
    names: [
      'kmap_local_folio', 'kmap_local_page', 'kmap_atomic', 'kunmap_local', 'kunmap_atomic',
      'memcpy_from_folio', 'memcpy_to_folio', 'memcpy_from_file_folio', 'memcpy_page',
      'memcpy_to_page', 'memcpy_from_page', 'memset_page', 'memzero_page', 'folio_fill_tail',
    ],
    prefixes: ['folio_zero_', 'zero_user'],
    except: [],
    versions: ['6.1', '6.12'],
    source: 'include/linux/highmem.h: kmap_local_folio()',
  },
  {
    family: 'iov_iter copies',
    names: [
      'copy_folio_to_iter', 'copy_folio_from_iter_atomic', 'copy_page_to_iter',
      'copy_page_from_iter', 'copy_page_from_iter_atomic',
    ],
    prefixes: [],
    except: [],
    versions: ['6.1', '6.12'],
    source: 'include/linux/uio.h: copy_folio_to_iter()',
  },
  {
    family: 'data cache flush of a folio',
    names: ['flush_dcache_folio'],
    prefixes: [],
    except: [],
    versions: ['6.1', '6.12'],
    source: 'include/linux/cacheflush.h: flush_dcache_folio()',
  },
  {
    family: 'data cache flush of a page',
    names: ['flush_dcache_page'],
    prefixes: [],
    except: [],
    versions: ['6.1', '6.12'],
    source: 'include/asm-generic/cacheflush.h: flush_dcache_page()',
  },
  {
    family: 'waits on a folio bit (caller holds a reference; nothing changes)',
    names: ['wait_for_stable_page'],
    prefixes: ['folio_wait_', 'wait_on_page_'],
    except: [],
    versions: ['6.1', '6.12'],
    source: 'include/linux/pagemap.h: folio_wait_locked()',
  },
  {
    family: 'writeback waits',
    names: ['folio_wait_writeback', 'folio_wait_writeback_killable', 'folio_wait_stable'],
    prefixes: [],
    except: [],
    versions: ['6.1', '6.12'],
    source: 'mm/page-writeback.c: folio_wait_writeback()',
  },
  {
    family: 'LRU and access tracking (folio_add_lru takes a reference of its own)',
    names: [
      'folio_mark_accessed', 'mark_page_accessed', 'folio_add_lru', 'folio_add_lru_vma',
      'lru_cache_add', 'lru_cache_add_inactive_or_unevictable',
    ],
    prefixes: [],
    except: [],
    versions: ['6.1', '6.12'],
    source: 'mm/swap.c: folio_add_lru()',
  },
  {
    family: 'dirty accounting and tagging that leave PG_dirty alone',
    names: ['__folio_mark_dirty', '__set_page_dirty', 'folio_account_redirty', 'account_page_redirty'],
    prefixes: [],
    except: [],
    versions: ['6.1', '6.12'],
    source: 'mm/page-writeback.c: __folio_mark_dirty()',
  },
  {
    family: 'write-protecting the mappings of a folio',
    names: ['folio_mkclean'],
    prefixes: [],
    except: [],
    versions: ['6.1', '6.12'],
    source: 'mm/rmap.c: folio_mkclean()',
  },
  {
    family: 'locks named after a folio that are not PG_locked (memcg binding, lruvec)',
    names: [
      'folio_memcg_lock', 'folio_memcg_unlock', 'lock_page_memcg', 'unlock_page_memcg',
      'folio_lruvec_lock', 'folio_lruvec_lock_irq', 'folio_lruvec_lock_irqsave',
      'folio_lruvec_relock_irq', 'folio_lruvec_relock_irqsave',
      'unlock_page_lruvec', 'unlock_page_lruvec_irq', 'unlock_page_lruvec_irqrestore',
    ],
    prefixes: [],
    except: [],
    versions: ['6.1', '6.12'],
    source: 'include/linux/memcontrol.h: folio_memcg_lock()',
  },
  {
    family: 'anon_vma lock of a folio (not PG_locked)',
    names: ['folio_lock_anon_vma_read'],
    prefixes: [],
    except: [],
    versions: ['6.1', '6.12'],
    source: 'include/linux/rmap.h: folio_lock_anon_vma_read()',
  },
  {
    family: 'untracked page flags (PG_error in 6.1)',
    names: ['folio_set_error', 'folio_clear_error', 'SetPageError', 'ClearPageError'],
    prefixes: [],
    except: [],
    versions: ['6.1'],
    source: 'include/linux/page-flags.h: PAGEFLAG(Error, error, PF_NO_TAIL)',
  },
  {
    family: 'debug assertions and dumps',
    names: [
      'VM_BUG_ON_FOLIO', 'VM_BUG_ON_PAGE', 'VM_WARN_ON_FOLIO', 'VM_WARN_ON_ONCE_FOLIO',
      'VM_WARN_ON_ONCE_PAGE', 'dump_page',
    ],
    prefixes: [],
    except: [],
    versions: ['6.1', '6.12'],
    source: 'include/linux/mmdebug.h: VM_BUG_ON_FOLIO()',
  },
  {
    family: 'trace points',
    names: [],
    prefixes: ['trace_'],
    except: [],
    versions: ['6.1', '6.12'],
    source: 'include/linux/tracepoint.h: DECLARE_TRACE()',
  },
];

/**
 * Whether `name` is a call that leaves folios alone (see NEUTRAL_CALLS),
 * in `version` when given, in either version otherwise.
 */
export function isNeutralCall(name: string, version?: KernelVersion): boolean {
  for (const f of NEUTRAL_CALLS) {
    if (version && !f.versions.includes(version)) continue;
    if (f.names.includes(name)) return true;
    if (f.prefixes.some((p) => name.startsWith(p)) && !f.except.some((p) => name.startsWith(p))) return true;
  }
  return false;
}
