// SPDX-License-Identifier: GPL-2.0
/*
 * demofs: writeback.
 *
 * Dirty folios are written one bio per folio.  Files that keep their data
 * in the inode are written by copying the first folio back into it.
 */
#include <linux/bio.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/writeback.h>
#include "demofs.h"

static void demofs_finish_folio_write(struct folio *folio, int err)
{
	struct inode *inode = folio->mapping->host;

	if (err)
		mapping_set_error(inode->i_mapping, err);
	atomic_long_dec(&DEMOFS_I(inode)->nr_writeback);
	folio_end_writeback(folio);
}

static void demofs_write_end_io(struct bio *bio)
{
	int err = blk_status_to_errno(bio->bi_status);
	struct folio_iter fi;

	bio_for_each_folio_all(fi, bio)
		demofs_finish_folio_write(fi.folio, err);
	bio_put(bio);
}

/*
 * Write one folio that the caller has locked and cleared for I/O.  The
 * folio is unlocked on return; on success the bio completion ends
 * writeback.
 */
static int demofs_write_locked_folio(struct folio *folio,
				     struct writeback_control *wbc)
{
	struct inode *inode = folio->mapping->host;
	struct bio *bio;
	sector_t block;
	int err;

	err = demofs_map_blocks(inode, folio->index, &block, true);
	if (err) {
		folio_redirty_for_writepage(wbc, folio);
		folio_unlock(folio);
		return err;
	}

	atomic_long_inc(&DEMOFS_I(inode)->nr_writeback);
	folio_start_writeback(folio);
	folio_unlock(folio);

	bio = bio_alloc(demofs_bdev(inode), 1, REQ_OP_WRITE, GFP_NOFS);
	bio->bi_iter.bi_sector = block << (PAGE_SHIFT - 9);
	bio->bi_end_io = demofs_write_end_io;
	bio_add_folio_nofail(bio, folio, folio_size(folio), 0);
	submit_bio(bio);
	return 0;
}

static int demofs_write_inline(struct address_space *mapping,
			       struct writeback_control *wbc)
{
	struct inode *inode = mapping->host;
	struct folio *folio;
	int err = 0;

	folio = filemap_lock_folio(mapping, 0);
	if (IS_ERR(folio))
		return 0;

	if (!folio_clear_dirty_for_io(folio)) {
		folio_unlock(folio);
		goto out_put;
	}
	folio_start_writeback(folio);
	folio_unlock(folio);

	err = demofs_copy_to_inode(inode, folio);
	if (err) {
		mapping_set_error(mapping, err);
		folio_end_writeback(folio);
		goto out_end_writeback;
	}
	demofs_mark_inline_clean(inode);
out_end_writeback:
	folio_end_writeback(folio);
out_put:
	folio_put(folio);
	return err;
}

int demofs_writepages(struct address_space *mapping,
		      struct writeback_control *wbc)
{
	pgoff_t index = wbc->range_start >> PAGE_SHIFT;
	pgoff_t end = wbc->range_end >> PAGE_SHIFT;
	struct folio_batch fbatch;
	int err = 0;

	if (DEMOFS_I(mapping->host)->flags & DEMOFS_INLINE_DATA)
		return demofs_write_inline(mapping, wbc);

	folio_batch_init(&fbatch);
	while (!err && filemap_get_folios_tag(mapping, &index, end,
					      PAGECACHE_TAG_DIRTY, &fbatch)) {
		unsigned int i;

		for (i = 0; i < folio_batch_count(&fbatch); i++) {
			struct folio *folio = fbatch.folios[i];

			if (!folio_trylock(folio)) {
				if (wbc->sync_mode == WB_SYNC_NONE)
					goto skip;
				folio_lock(folio);
			}
			if (unlikely(folio->mapping != mapping) ||
			    !folio_test_dirty(folio))
				goto skip;
			if (folio_test_writeback(folio)) {
				if (wbc->sync_mode == WB_SYNC_NONE)
					goto skip;
				folio_wait_writeback(folio);
			}
			if (!folio_clear_dirty_for_io(folio))
				goto skip;

			err = demofs_write_locked_folio(folio, wbc);
			if (err)
				break;
			continue;
skip:
			folio_unlock(folio);
		}
		folio_batch_release(&fbatch);
		cond_resched();
	}
	return err;
}
