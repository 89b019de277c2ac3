/**
 * What the simulator assumes about a call with neither a contract nor a
 * summary.
 *
 * Policy for an UNKNOWN callee that receives a tracked folio/page:
 *   - by default it leaves references, the lock and the flags alone (as the
 *     design says), but the call counts as a use of the object (so passing a
 *     folio after its last put is use-after-put);
 *   - when its name suggests that it takes the object over or ends its
 *     lifetime, the object is marked handed off, which silences the leak
 *     rules (ref-leak, lock-leak, private2-leak) for it. The name is split
 *     into words at `_` (and at `->`, `.`, for indirect calls) and a word is
 *     looked up in HANDOFF_WORDS, or a word pair in HANDOFF_PAIRS;
 *   - a folio passed by the address of its variable (`&folio`) may be
 *     replaced by the callee: the old object is handed off and the variable
 *     names a new object of unknown origin;
 *   - a member of the folio passed by address (`&folio->lru`) hands the folio
 *     off when the callee is a list/queue/tree insertion (LIST_HANDOFF).
 * A NEUTRAL call (contracts.ts `NEUTRAL_CALLS`: folio_test_*, folio_size,
 * kmap_local_folio, ...) leaves the object alone whatever its name says.
 */

export interface CallClass {
  neutral: boolean;
  /** passing a folio to it hands the folio off */
  handoff: boolean;
  /** passing `&folio->member` to it hands the folio off */
  listHandoff: boolean;
  /** the scalar value of its result, when known (PTR_ERR: negative; ERR_PTR: error pointer) */
  scalarResult?: number;
}

/**
 * Words that, in an unknown callee's name, suggest it takes the object over
 * (stores, queues, submits it) or ends something on it (puts, releases,
 * unlocks, ends I/O on it).
 */
export const HANDOFF_WORDS: ReadonlySet<string> = new Set([
  'put', 'release', 'releases', 'free', 'unlock', 'end', 'add', 'insert', 'queue', 'enqueue', 'submit', 'finish',
  'finished', 'complete', 'completion', 'done', 'drop', 'consume', 'attach', 'store', 'stash', 'give', 'transfer',
  'push', 'append', 'splice', 'steal', 'destroy', 'dispose', 'move', 'replace', 'install', 'link', 'defer',
  'writepage', 'writepages', 'readpage', 'readpages', 'evict', 'discard', 'abort', 'cancel', 'retire', 'unpin',
]);

/** Word pairs that suggest the same: `set_page_*`, `*_read_folio`, `*_write_folio` (they unlock when I/O completes). */
export const HANDOFF_PAIRS: readonly [string, string][] = [
  ['set', 'page'],
  ['read', 'folio'],
  ['read', 'page'],
  ['write', 'folio'],
  ['write', 'page'],
  ['read', 'folios'],
  ['write', 'folios'],
];

const LIST_HANDOFF = /^(list_(add|move|splice)|hlist_add|llist_add|rb_(link|insert)|__list_add|list_add)|(_add|_insert|_queue|_push|_append)(_|$)/;

const ALIAS_CALLS: ReadonlySet<string> = new Set([
  'page_folio', 'folio_page', 'folio_file_page', 'compound_head', 'pfn_folio',
  // pointers into the object's memory: returning or storing one hands the object on
  // (btrfs returns page_address(page) and puts the page through it later)
  'page_address', 'folio_address', 'lowmem_page_address', 'page_to_virt',
  'kmap', 'kmap_local_page', 'kmap_local_folio', 'kmap_atomic',
]);

/**
 * The page frame number (or physical address) names the page: storing it
 * into a structure or a global stores the page (pfn_to_page() gets it
 * back). Kept in a local it is a plain number.
 */
const PFN_CALLS: ReadonlySet<string> = new Set(['page_to_pfn', 'folio_pfn', 'page_to_phys']);

export function isPfnCall(name: string): boolean {
  return PFN_CALLS.has(name);
}

const PFN_OF = new RegExp('\\b(?:' + [...PFN_CALLS].join('|') + ')\\s*\\(\\s*([A-Za-z_]\\w*)\\s*\\)');

/** The variable whose page frame number an expression computes (`migrate_pfn(folio_pfn(dfolio))` gives `dfolio`), if any. */
export function pfnOfText(text: string): string | undefined {
  return PFN_OF.exec(text)?.[1];
}

/** Stores written as macros or helpers: the object lands in a structure. */
const STORE_CALLS: ReadonlySet<string> = new Set([
  'WRITE_ONCE', 'rcu_assign_pointer', 'smp_store_release', 'xchg', 'cmpxchg', 'try_cmpxchg', 'xa_store', '__xa_store',
  'xa_cmpxchg', '__xa_cmpxchg', 'radix_tree_insert', 'list_add', 'list_add_tail',
]);

const SCALAR_RESULTS: ReadonlyMap<string, number> = new Map([
  ['PTR_ERR', 1 /* NEG */],
  ['ERR_PTR', 8 /* ERR */],
  ['ERR_CAST', 8 /* ERR */],
]);

export function words(name: string): string[] {
  return name.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

export function suggestsHandoff(name: string): boolean {
  const w = words(name);
  for (let i = 0; i < w.length; i++) {
    if (HANDOFF_WORDS.has(w[i])) return true;
    for (const [a, b] of HANDOFF_PAIRS) if (w[i] === a && w[i + 1] === b) return true;
  }
  return false;
}

export function classifyCallee(name: string, neutral?: (n: string) => boolean): CallClass {
  const isNeutral = !!neutral?.(name);
  return {
    neutral: isNeutral,
    handoff: !isNeutral && (STORE_CALLS.has(name) || suggestsHandoff(name)),
    listHandoff: LIST_HANDOFF.test(name) || (!isNeutral && suggestsHandoff(name)),
    scalarResult: SCALAR_RESULTS.get(name),
  };
}

export function isAliasCall(name: string): boolean {
  return ALIAS_CALLS.has(name);
}
