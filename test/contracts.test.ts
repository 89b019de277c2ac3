/**
 * The contract table as data: every entry well formed and cited, no name
 * twice in one version, the lifecycle calls of page-lifecycle.md present,
 * the 6.1/6.12 differences encoded. When the kernel trees unpacked by
 * ../shared/scripts/kernel-source are present, each citation is also checked
 * against them (the cited file exists and contains the cited function or
 * flag macro, and a call missing from a version is absent from that tree).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { CONTRACTS, NEUTRAL_CALLS, PAIR_KINDS, contractsFor, isNeutralCall } from '../simulator/src/contracts';
import { KERNEL_VERSIONS } from '../simulator/src/contract-types';
import type { Contract, Effect, KernelVersion } from '../simulator/src/contract-types';

const SOURCE_RE = /^(include|mm|fs)\/[\w.\-/]+\.[ch]: ([A-Za-z_]\w*)\((.*)\)$/;
const IDENT_RE = /^[A-Za-z_]\w*$/;
const OPS = new Set([
  'get', 'put', 'lock', 'unlock', 'require-locked', 'wb-start', 'wb-end', 'dirty-set', 'dirty-clear',
  'uptodate-set', 'uptodate-clear', 'private-attach', 'private-detach', 'private-set-raw',
  'private-clear-raw', 'private2-start', 'private2-end', 'private2-set-raw', 'private2-clear-raw',
  'handoff', 'use', 'pair-begin', 'pair-end', 'pair-not-after', 'dax-map', 'userspace-wait', 'cache-fill',
]);
const ops = (c: Contract): string[] => c.effects.map((e) => e.op);

function isArgIndex(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 5;
}

test('every entry names a kernel call, its versions, a kernel file and function, and a one-line doc', () => {
  assert.ok(CONTRACTS.length > 100, `only ${CONTRACTS.length} entries`);
  for (const c of CONTRACTS) {
    const where = `${c.name} [${c.versions.join(',')}]`;
    assert.match(c.name, IDENT_RE, where);
    assert.ok(['folio', 'page', 'pair', 'other'].includes(c.api), `${where}: api ${c.api}`);
    assert.ok(c.versions.length > 0, `${where}: no versions`);
    assert.equal(new Set(c.versions).size, c.versions.length, `${where}: a version twice`);
    for (const v of c.versions) assert.ok(KERNEL_VERSIONS.includes(v), `${where}: unknown version ${v}`);
    assert.match(c.source, SOURCE_RE, `${where}: source '${c.source}' is not 'path/file.[ch]: function()'`);
    assert.ok(c.doc.trim().length > 10, `${where}: empty doc`);
    assert.ok(!c.doc.includes('\n'), `${where}: doc is more than one line`);
    assert.ok(c.doc.length <= 120, `${where}: doc longer than 120 characters`);
  }
});

test('every effect is valid: known op, argument indexes, counts, rules, pair names', () => {
  for (const c of CONTRACTS) {
    const where = `${c.name} [${c.versions.join(',')}]`;
    for (const e of c.effects as Effect[]) {
      assert.ok(OPS.has(e.op), `${where}: unknown op ${e.op}`);
      if (e.arg !== undefined) assert.ok(isArgIndex(e.arg), `${where}: arg ${e.arg}`);
      if (e.op === 'get' || e.op === 'put') {
        if (e.n !== undefined) assert.ok(Number.isInteger(e.n) && e.n > 0, `${where}: n ${e.n}`);
      }
      if (e.op === 'put' && e.nArg !== undefined) {
        assert.ok(isArgIndex(e.nArg), `${where}: nArg ${e.nArg}`);
        assert.notEqual(e.nArg, e.arg ?? 0, `${where}: nArg is the object itself`);
        assert.equal(e.n, undefined, `${where}: both n and nArg`);
      }
      if (e.op === 'require-locked') {
        assert.ok(['writeback-unlocked', 'dirty-clear-unlocked'].includes(e.rule), `${where}: rule ${e.rule}`);
      }
      if (e.op === 'pair-begin' || e.op === 'pair-end') {
        assert.match(e.pair, IDENT_RE, `${where}: pair name`);
        assert.equal(c.api, 'pair', `${where}: pair effect outside a pair entry`);
      }
      if (e.op === 'private2-start' || e.op === 'private2-end') assert.equal(typeof e.ref, 'boolean', where);
      if (e.op === 'pair-not-after') assert.ok(PAIR_KINDS[e.pair] && e.rule === 'cookie-writeback-pin', `${where}: pair-not-after ${e.pair} ${e.rule}`);
      if (e.op === 'dax-map') for (const i of e.outArgs) assert.ok(isArgIndex(i), `${where}: outArgs ${i}`);
      if (e.op === 'cache-fill' && e.flagsArg !== undefined) assert.ok(isArgIndex(e.flagsArg), `${where}: flagsArg`);
      if (e.op === 'cache-fill') assert.ok(c.returns || c.outcome, `${where}: a cache fill is a lookup or an insertion`);
    }
    if (c.api === 'pair') {
      assert.ok(ops(c).some((o) => o === 'pair-begin' || o === 'pair-end'), `${where}: pair entry without pair effect`);
    }
    if (c.outcome !== undefined) {
      assert.ok(['true', 'zero'].includes(c.outcome), `${where}: outcome ${c.outcome}`);
      assert.ok(c.effects.length > 0, `${where}: an outcome with nothing to make conditional`);
    }
    if (c.returns) {
      const r = c.returns;
      assert.equal(r.kind, c.api, `${where}: returns a ${r.kind} from the ${c.api} API`);
      assert.ok(['null', 'err', 'null-or-err', 'never'].includes(r.fail), `${where}: fail ${r.fail}`);
      assert.equal(typeof r.ref, 'boolean', where);
      if (r.locked === 'flags') assert.ok(isArgIndex(r.flagsArg), `${where}: locked 'flags' without flagsArg`);
      else {
        assert.equal(typeof r.locked, 'boolean', where);
        assert.equal(r.flagsArg, undefined, `${where}: flagsArg without locked 'flags'`);
      }
    }
    if (c.reportsPrevious) assert.ok(ops(c).includes('wb-start'), `${where}: reportsPrevious without wb-start`);
    // the require-locked rules go with the state change they guard
    const rules = c.effects.flatMap((e) => (e.op === 'require-locked' ? [e.rule] : []));
    if (ops(c).includes('wb-start')) assert.ok(rules.includes('writeback-unlocked'), `${where}: wb-start without writeback-unlocked`);
    if (rules.includes('writeback-unlocked')) assert.ok(ops(c).includes('wb-start'), where);
    if (rules.includes('dirty-clear-unlocked')) assert.ok(ops(c).includes('dirty-clear'), where);
  }
});

test('no name twice within a version', () => {
  for (const v of KERNEL_VERSIONS) {
    const seen = new Map<string, string>();
    for (const c of CONTRACTS) {
      if (!c.versions.includes(v)) continue;
      assert.ok(!seen.has(c.name), `${c.name} twice in ${v}: ${seen.get(c.name)} and ${c.source}`);
      seen.set(c.name, c.source);
    }
  }
});

test('every pair that opens in a version also closes in it, and PG_private_2 start/end agree on the reference', () => {
  for (const v of KERNEL_VERSIONS) {
    const table = [...contractsFor(v).values()];
    const begins = new Set<string>();
    const ends = new Set<string>();
    const p2 = new Set<boolean>();
    for (const c of table) {
      for (const e of c.effects) {
        if (e.op === 'pair-begin') begins.add(e.pair);
        if (e.op === 'pair-end') ends.add(e.pair);
        if (e.op === 'private2-start' || e.op === 'private2-end') p2.add(e.ref);
      }
    }
    // marker pairs (clear_inode) are never closed: they order other calls
    const markers = (p: string) => PAIR_KINDS[p]?.rule === null && p !== 'inode_ref';
    assert.deepEqual([...begins].filter((p) => !markers(p)).sort(), [...ends].sort(), `${v}: pairs opened and closed differ`);
    assert.ok(begins.has('inode_dio') && begins.has('fscache_cookie'), v);
    assert.equal(p2.size, 1, `${v}: private2 helpers disagree on whether PG_private_2 holds a reference`);
  }
});

/** The lifecycle calls named in ../shared/design/page-lifecycle.md, with the versions they exist in. */
const BOTH: KernelVersion[] = ['6.1', '6.12'];
const DESIGN_CALLS: [string, KernelVersion[]][] = [
  ...[
    'folio_get', 'folio_try_get', 'folio_put', 'folio_put_refs', 'get_page', 'put_page',
    'filemap_get_folio', '__filemap_get_folio', 'filemap_lock_folio', 'read_mapping_folio',
    'read_cache_folio', 'find_get_page', 'find_lock_page', 'grab_cache_page_write_begin',
    'folio_alloc', 'filemap_alloc_folio',
    'folio_lock', 'folio_lock_killable', 'folio_trylock', 'folio_unlock', 'lock_page', 'trylock_page', 'unlock_page',
    'folio_start_writeback', 'set_page_writeback', 'folio_end_writeback', 'end_page_writeback', 'folio_wait_writeback',
    'folio_mark_dirty', 'set_page_dirty', 'filemap_dirty_folio', 'folio_clear_dirty_for_io',
    'clear_page_dirty_for_io', 'folio_redirty_for_writepage',
    'folio_mark_uptodate', 'SetPageUptodate',
    'folio_attach_private', 'folio_detach_private', 'folio_change_private', 'folio_set_private', 'SetPagePrivate',
    'set_page_private', 'folio_end_private_2', 'folio_batch_add',
    'inode_dio_begin', 'inode_dio_end', 'fscache_use_cookie', 'fscache_unuse_cookie',
  ].map((n): [string, KernelVersion[]] => [n, BOTH]),
  ['filemap_grab_folio', ['6.12']],
  ['folio_end_read', ['6.12']],
  ['folio_start_private_2', ['6.12']],
  ['folio_start_fscache', ['6.1']],
  ['folio_end_fscache', ['6.1']],
  ['set_page_fscache', ['6.1']],
  ['end_page_fscache', ['6.1']],
];

/** What the table must cover beyond the design document. */
const BRIEF_CALLS: [string, KernelVersion[]][] = [
  ...[
    'try_get_page', 'find_or_create_page', 'read_mapping_page', 'read_cache_page', 'pagecache_get_page',
    '__folio_alloc', 'alloc_page', 'alloc_pages', 'vma_alloc_folio', 'folio_start_writeback_keepwrite',
    'folio_clear_uptodate', 'ClearPageUptodate', 'attach_page_private', 'detach_page_private',
    'folio_clear_private', 'ClearPagePrivate', 'folio_set_private_2', 'folio_clear_private_2',
    'folio_batch_release', 'folios_put', 'release_pages', 'folio_wait_locked', 'folio_size', 'folio_pos',
    'kmap_local_folio', 'flush_dcache_folio', 'folio_zero_range', 'folio_test_uptodate', 'trace_mm_filemap_add_to_page_cache',
  ].map((n): [string, KernelVersion[]] => [n, BOTH]),
  ['mapping_read_folio_gfp', ['6.12']],
  ['memcpy_from_folio', ['6.12']],
  ['lock_page_killable', ['6.1']],
  ['SetPagePrivate2', ['6.1']],
  ['pagevec_add', ['6.1']],
];

test('every lifecycle call of page-lifecycle.md (and of the brief) is known exactly in the versions it exists in', () => {
  for (const [name, versions] of [...DESIGN_CALLS, ...BRIEF_CALLS]) {
    for (const v of KERNEL_VERSIONS) {
      const known = contractsFor(v).has(name) || isNeutralCall(name);
      if (versions.includes(v)) assert.ok(known, `${name} missing for ${v}`);
      else assert.ok(!contractsFor(v).has(name), `${name} has a contract for ${v}, where it does not exist`);
    }
  }
});

test('filemap_get_folio and friends: NULL on a miss in 6.1, an error pointer in 6.12', () => {
  for (const name of ['filemap_get_folio', 'filemap_lock_folio', '__filemap_get_folio']) {
    const old = contractsFor('6.1').get(name);
    const cur = contractsFor('6.12').get(name);
    assert.ok(old?.returns && cur?.returns, name);
    assert.equal(old.returns.fail, 'null', `${name} 6.1`);
    assert.equal(cur.returns.fail, 'err', `${name} 6.12`);
    assert.equal(old.returns.ref, true);
    assert.equal(cur.returns.ref, true);
    assert.notEqual(old, cur, `${name}: one entry for both versions`);
  }
  const lock = contractsFor('6.12').get('filemap_lock_folio')!;
  assert.equal(lock.returns!.locked, true);
  const get = contractsFor('6.12').get('__filemap_get_folio')!;
  assert.equal(get.returns!.locked, 'flags');
  assert.equal(get.returns!.flagsArg, 2);
  // the page wrappers stay NULL-on-miss in both (pagecache_get_page turns the ERR_PTR into NULL in 6.12)
  for (const v of KERNEL_VERSIONS) assert.equal(contractsFor(v).get('find_get_page')!.returns!.fail, 'null');
  // allocations fail with NULL
  for (const v of KERNEL_VERSIONS) {
    for (const n of ['folio_alloc', 'filemap_alloc_folio', '__folio_alloc', 'alloc_pages', 'alloc_page', 'vma_alloc_folio']) {
      assert.equal(contractsFor(v).get(n)!.returns!.fail, 'null', `${n} ${v}`);
    }
  }
});

test('other version differences: writeback start, trylock-style results, removed calls', () => {
  const wb61 = contractsFor('6.1').get('folio_start_writeback')!;
  const wb612 = contractsFor('6.12').get('folio_start_writeback')!;
  assert.equal(wb61.reportsPrevious, true);
  assert.ok(!wb612.reportsPrevious);
  assert.equal(contractsFor('6.1').get('set_page_writeback')!.reportsPrevious, true);
  assert.ok(!contractsFor('6.12').get('set_page_writeback')!.reportsPrevious);
  assert.equal(contractsFor('6.1').get('folio_isolate_lru')!.outcome, 'zero');
  assert.equal(contractsFor('6.12').get('folio_isolate_lru')!.outcome, 'true');
  assert.equal(contractsFor('6.1').get('folio_lock_or_retry')!.outcome, 'true');
  assert.equal(contractsFor('6.12').get('folio_lock_or_retry')!.outcome, 'zero');
  assert.equal(contractsFor('6.1').get('folio_trylock')!.outcome, 'true');
  assert.equal(contractsFor('6.12').get('folio_lock_killable')!.outcome, 'zero');
  assert.equal(contractsFor('6.12').get('folio_try_get')!.outcome, 'true');
  assert.deepEqual(contractsFor('6.12').get('folio_put_refs')!.effects, [{ op: 'put', nArg: 1 }]);
  assert.ok(!contractsFor('6.12').has('folio_try_get_rcu'));
  assert.ok(!contractsFor('6.12').has('pagevec_add'));
  assert.ok(!contractsFor('6.1').has('folio_end_read'));
});

test('contractsFor filters by version and lets extra entries override by name', () => {
  const mine: Contract = {
    name: 'folio_put', api: 'folio', versions: ['6.12'], source: 'fs/x/y.c: my_put()', effects: [], doc: 'test entry override',
  };
  const helper: Contract = {
    name: 'myfs_get_folio', api: 'folio', versions: [], source: 'fs/x/y.c: myfs_get_folio()', effects: [],
    returns: { kind: 'folio', ref: true, locked: true, fail: 'err' }, doc: 'test entry for every version',
  };
  const t612 = contractsFor('6.12', [mine, helper]);
  assert.equal(t612.get('folio_put'), mine);
  assert.equal(t612.get('myfs_get_folio'), helper);
  const t61 = contractsFor('6.1', [mine, helper]);
  assert.notEqual(t61.get('folio_put'), mine, 'a 6.12-only override leaks into 6.1');
  assert.equal(t61.get('myfs_get_folio'), helper);
  assert.equal(contractsFor('6.12').get('folio_put')!.effects[0].op, 'put', 'the built-in table was changed');
});

test('NEUTRAL_CALLS: cited families, never overlapping a contract', () => {
  for (const f of NEUTRAL_CALLS) {
    assert.match(f.source, SOURCE_RE, f.family);
    assert.ok(f.names.length + f.prefixes.length > 0, f.family);
    assert.ok(f.versions.length > 0 && f.versions.every((v) => KERNEL_VERSIONS.includes(v)), f.family);
    for (const n of f.names) assert.match(n, IDENT_RE, f.family);
  }
  for (const v of KERNEL_VERSIONS) {
    for (const name of contractsFor(v).keys()) assert.ok(!isNeutralCall(name), `${name} is both a contract and neutral`);
  }
  assert.ok(isNeutralCall('folio_test_dirty'));
  assert.ok(isNeutralCall('PageUptodate'));
  assert.ok(isNeutralCall('folio_wait_writeback'));
  assert.ok(isNeutralCall('trace_mm_filemap_add_to_page_cache'));
  assert.ok(!isNeutralCall('folio_test_set_private_2'));
  assert.ok(!isNeutralCall('folio_test_clear_dirty'));
  assert.ok(!isNeutralCall('folio_put'));
  assert.ok(!isNeutralCall('folio_put_wait_locked'));
  assert.ok(!isNeutralCall('SetPagePrivate'));
  assert.ok(isNeutralCall('SetPageError', '6.1'));
  assert.ok(!isNeutralCall('SetPageError', '6.12'));
});

// ─── against the real kernel trees, when present ──────────────────────────

function kernelTree(v: KernelVersion): string | undefined {
  const cache = process.env.KERNEL_SOURCE_CACHE ?? path.join(os.homedir(), '.cache', 'kernel-source');
  const dir = path.join(cache, `linux-${v}`);
  return fs.existsSync(path.join(dir, '.complete')) ? dir : undefined;
}

const fileCache = new Map<string, string | null>();
function readTreeFile(tree: string, rel: string): string | null {
  const p = path.join(tree, rel);
  if (!fileCache.has(p)) fileCache.set(p, fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null);
  return fileCache.get(p)!;
}
const word = (name: string) => new RegExp(`(?<![A-Za-z0-9_])${name.replace(/[$]/g, '\\$')}(?![A-Za-z0-9_])`);
const squash = (s: string) => s.replace(/\s+/g, ' ');

function checkCitation(tree: string, v: KernelVersion, source: string, name?: string): void {
  const m = SOURCE_RE.exec(source)!;
  const rel = source.slice(0, source.indexOf(':'));
  const text = readTreeFile(tree, rel);
  assert.ok(text !== null, `${v}: ${rel} does not exist (cited for ${name ?? source})`);
  const [, , fn, args] = m;
  if (args.trim()) {
    // a flag macro invocation such as PAGEFLAG(Private, private, PF_ANY): it generates the name
    assert.ok(squash(text).includes(squash(`${fn}(${args})`)), `${v}: ${rel} has no ${fn}(${args})`);
  } else {
    assert.match(text, word(fn), `${v}: ${rel} has no ${fn}`);
    if (name) assert.match(text, word(name), `${v}: ${rel} does not mention ${name}`);
  }
}

const trees = KERNEL_VERSIONS.map((v) => [v, kernelTree(v)] as const);
const haveTrees = trees.every(([, t]) => t);

test('citations match the kernel trees', { skip: haveTrees ? false : 'kernel trees not unpacked (../shared/scripts/kernel-source)' }, () => {
  for (const [v, tree] of trees) {
    for (const c of CONTRACTS) if (c.versions.includes(v)) checkCitation(tree!, v, c.source, c.name);
    for (const f of NEUTRAL_CALLS) if (f.versions.includes(v)) checkCitation(tree!, v, f.source);
  }
});

test('a call left out of a version is absent from that version\'s cited file', { skip: haveTrees ? false : 'kernel trees not unpacked' }, () => {
  for (const [v, tree] of trees) {
    const table = contractsFor(v);
    for (const c of CONTRACTS) {
      if (table.has(c.name)) continue;
      const m = SOURCE_RE.exec(c.source)!;
      if (m[3].trim()) continue; // generated by a flag macro: not greppable by name
      const rel = c.source.slice(0, c.source.indexOf(':'));
      const text = readTreeFile(tree!, rel);
      if (text === null) continue;
      assert.doesNotMatch(text, word(c.name), `${c.name} is missing for ${v} but ${rel} of ${v} mentions it`);
    }
  }
});
