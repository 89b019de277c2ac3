/**
 * The lifetimes beyond the folio (the seed rule families) where a fixture
 * file is not enough: the configurable list of userspace waits (a contracts
 * file), waits found through two levels of helpers, page-cache fills of a
 * subsystem's own helper, and how inode and mapping texts are related.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Analyzer } from '../server/src/analyze';
import { parseContractsFile } from '../server/src/contracts-file';
import { canonInode, canonMapping } from '../simulator/src/lifetimes';
import { lifetimeMarkdown } from '../server/src/lsp/hover';
import * as fs from 'node:fs';
import * as path from 'node:path';

let analyzer: Analyzer | undefined;
async function check(text: string, contractsJson?: string) {
  analyzer ??= await Analyzer.create();
  const contracts = contractsJson ? parseContractsFile('contracts.json', contractsJson) : undefined;
  assert.deepEqual(contracts?.errors ?? [], []);
  const r = analyzer.analyzeText('t.c', text, { kernelVersion: '6.12', contracts: contracts?.contracts });
  assert.equal(r.error, undefined);
  return r.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.line}: ${d.rule} ${d.severity}`);
}

const DAEMON = `
static int myfs_refresh(struct inode *inode, pgoff_t index)
{
	struct folio *folio;
	int err;

	folio = filemap_lock_folio(inode->i_mapping, index);
	if (IS_ERR(folio))
		return PTR_ERR(folio);
	err = myfs_upcall(inode, MYFS_REFRESH);
	folio_unlock(folio);
	folio_put(folio);
	return err;
}
`;

test('the list of userspace waits is configurable: a contracts file adds a daemon call', async () => {
  assert.deepEqual(await check(DAEMON), []);
  const json = JSON.stringify({ contracts: [{ name: 'myfs_upcall', api: 'other', source: 'fs/myfs/upcall.c: myfs_upcall()', effects: [{ op: 'userspace-wait' }], doc: 'asks the myfs daemon and sleeps until it answers' }] });
  assert.deepEqual(await check(DAEMON, json), ['10: lock-held-across-userspace-wait warning']);
});

test('a wait two helpers down is found through summaries, and named', async () => {
  const text = `
static int demofuse_send(struct fuse_mount *fm, struct fuse_args *args)
{
	return fuse_simple_request(fm, args);
}

static int demofuse_getattr_locked(struct inode *inode, struct folio *folio)
{
	FUSE_ARGS(args);

	demofuse_args(&args, inode, folio);
	return demofuse_send(get_fuse_mount(inode), &args);
}

static int demofuse_revalidate(struct inode *inode, pgoff_t index)
{
	struct folio *folio;
	int err;

	folio = filemap_lock_folio(inode->i_mapping, index);
	if (IS_ERR(folio))
		return PTR_ERR(folio);
	err = demofuse_getattr_locked(inode, folio);
	folio_unlock(folio);
	folio_put(folio);
	return err;
}
`;
  analyzer ??= await Analyzer.create();
  const r = analyzer.analyzeText('t.c', text, { kernelVersion: '6.12' });
  const d = r.diagnostics.filter((x) => x.rule === 'lock-held-across-userspace-wait');
  assert.deepEqual(d.map((x) => x.line), [23]);
  assert.match(d[0].message, /across demofuse_getattr_locked\(\), which waits for a userspace daemon in fuse_simple_request\(\)/);
});

test('a subsystem helper that fills the page cache, declared with cache-fill', async () => {
  const text = `
static ssize_t myfs_dio_write(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t ret;

	inode_dio_begin(inode);
	ret = myfs_dio_submit(iocb, from);
	if (ret == -ENOTBLK)
		ret = myfs_buffered_fill(inode->i_mapping, iocb, from);
	inode_dio_end(inode);
	return ret;
}
`;
  assert.deepEqual(await check(text), []);
  const json = JSON.stringify([{ name: 'myfs_buffered_fill', api: 'other', effects: [{ op: 'cache-fill', arg: 0 }], doc: 'writes through the page cache, creating folios' }]);
  assert.deepEqual(await check(text, json), ['10: pagecache-fill-during-dio error']);
});

test('a contracts file is told when a lifetime effect is malformed', () => {
  const bad = parseContractsFile('c.json', JSON.stringify([{ name: 'x', effects: [{ op: 'dax-map', outArgs: [1, 'two'] }] }, { name: 'y', effects: [{ op: 'pair-not-after', pair: 'inode_cleared', rule: 'ref-leak' }] }]));
  assert.equal(bad.errors.length, 2, bad.errors.join('\n'));
  assert.match(bad.errors[0], /c\.json: \[0\]\.effects\[0\]\.outArgs\[1\]/);
  assert.match(bad.errors[1], /c\.json: \[1\]\.effects\[0\]\.rule/);
});

test('inodes and mappings are related only as the function writes them', () => {
  const defs = { inode: 'file_inode(iocb->ki_filp)', mapping: 'inode->i_mapping', file: 'iocb->ki_filp', m2: 'file->f_mapping' };
  assert.equal(canonInode('inode', defs), 'file_inode(iocb->ki_filp)');
  assert.equal(canonMapping('mapping', defs), 'file_inode(iocb->ki_filp)');
  assert.equal(canonMapping('m2', defs), 'file_inode(iocb->ki_filp)');
  assert.equal(canonMapping('inode->i_mapping', defs), 'file_inode(iocb->ki_filp)');
  assert.equal(canonMapping('&inode->i_data', defs), 'file_inode(iocb->ki_filp)');
  assert.equal(canonInode('mapping->host', defs), 'file_inode(iocb->ki_filp)');
  assert.equal(canonInode('( inode )', defs), 'file_inode(iocb->ki_filp)');
  // a mapping known only by name is owned by its host, nothing else
  assert.equal(canonMapping('other'), 'other->host');
  assert.equal(canonInode('other->host'), 'other->host');
  assert.notEqual(canonMapping('log_inode->i_mapping', defs), canonInode('inode', defs));
  // cycles end
  assert.equal(typeof canonInode('a', { a: 'b', b: 'a' }), 'string');
});

test('hovers say how many cookie uses and direct I/Os are open at a line, over the paths', async () => {
  analyzer ??= await Analyzer.create();
  const dir = path.join(__dirname, '..', '..', 'test', 'fixtures', 'rules');
  const cookie = analyzer.simulate(fs.readFileSync(path.join(dir, 'cookie-use-unbalanced.c'), 'utf8'), { name: 'demofs_cache_prepare_write' }, { kernelVersion: '6.12' })!;
  assert.match(lifetimeMarkdown(cookie.result, 16, ['cookie'], 'fscache_use_cookie'), /\*\*cache cookie uses on `cookie`:\*\* 1 on all 2 paths/);
  const dio = analyzer.simulate(fs.readFileSync(path.join(dir, 'pagecache-fill-during-dio.c'), 'utf8'), { name: 'demofs_dio_write' }, { kernelVersion: '6.12' })!;
  assert.match(lifetimeMarkdown(dio.result, 21, ['inode'], 'inode_dio_begin'), /\*\*direct I\/O in flight on `inode`:\*\* 1 on all 3 paths/);
  // after the end on the shared exit: closed on every path that opened it
  const end = lifetimeMarkdown(dio.result, 34, ['inode'], 'inode_dio_end');
  assert.match(end, /\*\*direct I\/O in flight on `inode`:\*\* 0/);
  assert.equal(lifetimeMarkdown(dio.result, 21, ['mapping']), '');
});

test('a subsystem helper that maps DAX memory, declared with dax-map: its out-parameter is followed', async () => {
  const text = `
static int myfs_peek(struct inode *dir, unsigned long ino, void *buf)
{
	struct inode *inode;
	void *kaddr;
	int err;

	inode = ilookup(dir->i_sb, ino);
	if (!inode)
		return -ENOENT;
	err = myfs_dax_map(inode, 0, &kaddr);
	iput(inode);
	if (err)
		return err;
	memcpy(buf, kaddr, 64);
	return 0;
}
`;
  assert.deepEqual(await check(text), []);
  const json = JSON.stringify([{ name: 'myfs_dax_map', api: 'other', effects: [{ op: 'dax-map', outArgs: [2] }], doc: 'maps the file offset of the inode into *kaddr' }]);
  assert.deepEqual(await check(text, json), ['15: dax-use-after-inode-put error']);
});

test('a contracts file may declare an inode lookup of its own (onResult) and calls that do not make a function worth parsing (trigger)', async () => {
  const parsed = parseContractsFile('c.json', JSON.stringify([
    { name: 'myfs_iget', api: 'pair', effects: [{ op: 'pair-begin', pair: 'inode_ref', onResult: true }], outcome: 'true', trigger: false },
    { name: 'myfs_dax_map', api: 'other', effects: [{ op: 'dax-map', outArgs: [2] }] },
  ]));
  assert.deepEqual(parsed.errors, []);
  assert.equal(parsed.contracts[0].trigger, false);
  assert.deepEqual(parsed.contracts[0].effects, [{ op: 'pair-begin', pair: 'inode_ref', onResult: true }]);
  const bad = parseContractsFile('c.json', JSON.stringify([{ name: 'x', effects: [{ op: 'pair-begin', pair: 'p', onResult: 'yes' }], trigger: 1 }]));
  assert.match(bad.errors.join('\n'), /\[0\]\.(effects\[0\]\.onResult|trigger)/);
  const text = `
static int myfs_peek(struct super_block *sb, unsigned long ino, void *buf)
{
	struct inode *inode;
	void *kaddr;
	int err;

	inode = myfs_iget(sb, ino);
	if (!inode)
		return -ENOENT;
	err = myfs_dax_map(inode, 0, &kaddr);
	iput(inode);
	if (err)
		return err;
	memcpy(buf, kaddr, 64);
	return 0;
}
`;
  analyzer ??= await Analyzer.create();
  const r = analyzer.analyzeText('t.c', text, { kernelVersion: '6.12', contracts: parsed.contracts });
  assert.deepEqual(r.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.line}: ${d.rule}`), ['15: dax-use-after-inode-put']);
});
