/**
 * The rule ids Folio Lens reports, as listed in page-lifecycle.md.
 * Each has a page docs/rules/<id>.md.
 */

export const RULES = {
  'ref-leak': 'a reference this function took is neither dropped nor handed on before it returns',
  'double-put': 'a reference is dropped twice',
  'put-unowned': 'a reference is dropped that this function never held',
  'use-after-put': 'the folio is used after this function dropped its last reference',
  'lock-leak': 'a folio lock this function took is still held when it returns',
  'double-lock': 'the folio is locked again while this function holds its lock',
  'unlock-not-held': 'the folio is unlocked where this function knows it does not hold the lock',
  'writeback-unlocked': 'writeback is started without the folio lock',
  'writeback-twice': 'writeback is started on a folio already under writeback',
  'writeback-not-started': 'writeback is ended where this function knows it was not started',
  'use-after-writeback-end': 'the folio is used after ending writeback with no reference of its own',
  'private2-twice': 'PG_private_2 is started while already set',
  'private2-not-started': 'PG_private_2 is ended while clear',
  'private2-without-ref': 'PG_private_2 is set with no reference held to outlive it',
  'private-attach-twice': 'private data is attached to a folio that already has it',
  'private-without-ref': 'PG_private is set by hand with no reference taken for it',
  'private2-leak': 'PG_private_2 started here is neither ended nor handed to I/O on some return path',
  'dirty-clear-unlocked': 'folio_clear_dirty_for_io is called without the folio lock',
  'pair-unbalanced': 'a begin/end pair is left open on some path, or closed twice',
  'dax-use-after-inode-put': 'a DAX mapping is used after the inode reference that covered it was dropped',
  'cookie-use-unbalanced': 'fscache_use_cookie() is left without fscache_unuse_cookie() on some path, or unused twice',
  'cookie-writeback-pin': 'the cache writeback pin is cleared after clear_inode()',
  'lock-held-across-userspace-wait': 'a folio lock or reference this function took is held while it waits for a userspace daemon',
  'pagecache-fill-during-dio': 'page-cache folios are created on an inode while this function has direct I/O in flight on it',
  'analysis-incomplete': 'Folio Lens could not analyse all of this function',
} as const;

export type RuleId = keyof typeof RULES;
export const RULE_IDS = Object.keys(RULES) as RuleId[];

export function isRuleId(s: string): s is RuleId {
  return Object.prototype.hasOwnProperty.call(RULES, s);
}
