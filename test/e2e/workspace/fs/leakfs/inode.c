// SPDX-License-Identifier: GPL-2.0
/*
 * leakfs: a tiny filesystem that copies whole blocks between the page cache
 * and its backing store. The end-to-end test opens this file in VS Code:
 * leakfs_read_block() leaks its folio reference when the folio is not
 * uptodate.
 */
#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/highmem.h>
#include <linux/writeback.h>

#include "leakfs.h"

static int leakfs_read_block(struct address_space *mapping, pgoff_t index,
			     void *buf, size_t len)
{
	struct folio *folio;

	folio = read_mapping_folio(mapping, index, NULL);
	if (IS_ERR(folio))
		return PTR_ERR(folio);

	folio_lock(folio);
	if (!folio_test_uptodate(folio)) {
		folio_unlock(folio);
		return -EIO;
	}
	memcpy_from_folio(buf, folio, 0, len);
	folio_unlock(folio);
	folio_put(folio);
	return 0;
}

static int leakfs_write_block(struct address_space *mapping, pgoff_t index,
			      struct writeback_control *wbc)
{
	struct folio *folio;
	int err = 0;

	folio = filemap_lock_folio(mapping, index);
	if (IS_ERR(folio))
		return 0;

	if (!folio_clear_dirty_for_io(folio)) {
		folio_unlock(folio);
		goto out_put;
	}
	folio_start_writeback(folio);
	folio_unlock(folio);

	err = leakfs_submit(mapping->host, folio, wbc);
	if (err)
		mapping_set_error(mapping, err);
	folio_end_writeback(folio);
out_put:
	folio_put(folio);
	return err;
}

int leakfs_sync_block(struct inode *inode, pgoff_t index, void *buf, size_t len)
{
	struct writeback_control wbc = {
		.sync_mode	= WB_SYNC_ALL,
		.nr_to_write	= 1,
	};
	int err = 0;

	err = leakfs_write_block(inode->i_mapping, index, &wbc);
	if (err)
		return err;
	return leakfs_read_block(inode->i_mapping, index, buf, len);
}
