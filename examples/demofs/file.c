// SPDX-License-Identifier: GPL-2.0
/*
 * demofs: address_space operations for regular files and symlinks.
 *
 * demofs maps each page-sized piece of a file to one disk block.  Files no
 * larger than DEMOFS_INLINE_MAX bytes keep their data in the inode.
 */
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include "demofs.h"

/*
 * Bring a locked folio uptodate from disk.  Holes are zeroed.  The caller
 * holds the folio lock and a reference, and keeps both.
 */
static int demofs_fill_folio(struct inode *inode, struct folio *folio)
{
	struct demofs_inode_info *di = DEMOFS_I(inode);
	size_t offset;
	int err;

	if (di->flags & DEMOFS_INLINE_DATA) {
		size_t len = min_t(size_t, i_size_read(inode), DEMOFS_INLINE_MAX);

		memcpy_to_folio(folio, 0, di->inline_data, len);
		folio_zero_segment(folio, len, folio_size(folio));
		return 0;
	}

	for (offset = 0; offset < folio_size(folio); offset += PAGE_SIZE) {
		pgoff_t index = folio->index + (offset >> PAGE_SHIFT);
		sector_t block;

		err = demofs_map_blocks(inode, index, &block, false);
		if (err)
			return err;
		if (!block) {
			folio_zero_range(folio, offset, PAGE_SIZE);
			continue;
		}
		err = demofs_read_block(inode, block, folio, offset);
		if (err)
			return err;
	}
	return 0;
}

static int demofs_read_folio(struct file *file, struct folio *folio)
{
	int err = demofs_fill_folio(folio->mapping->host, folio);

	folio_end_read(folio, err == 0);
	return err;
}

static void demofs_readahead(struct readahead_control *rac)
{
	struct inode *inode = rac->mapping->host;
	struct folio *folio;

	while ((folio = readahead_folio(rac)) != NULL) {
		int err = demofs_fill_folio(inode, folio);

		folio_end_read(folio, err == 0);
	}
}

static int demofs_write_begin(struct file *file, struct address_space *mapping,
			      loff_t pos, unsigned int len,
			      struct folio **foliop, void **fsdata)
{
	struct inode *inode = mapping->host;
	struct folio *folio;
	sector_t block;
	int err;

	folio = __filemap_get_folio(mapping, pos >> PAGE_SHIFT, FGP_WRITEBEGIN,
				    mapping_gfp_mask(mapping));
	if (IS_ERR(folio))
		return PTR_ERR(folio);

	if (!(DEMOFS_I(inode)->flags & DEMOFS_INLINE_DATA)) {
		err = demofs_map_blocks(inode, folio->index, &block, true);
		if (err)
			goto out_unlock;
	}

	if (!folio_test_uptodate(folio) &&
	    (offset_in_folio(folio, pos) || len < folio_size(folio))) {
		/* a partial write: read in the rest of the folio first */
		err = demofs_fill_folio(inode, folio);
		if (err) {
			folio_put(folio);
			return err;
		}
		folio_mark_uptodate(folio);
	}

	*foliop = folio;
	return 0;

out_unlock:
	folio_unlock(folio);
	folio_put(folio);
	return err;
}

static int demofs_write_end(struct file *file, struct address_space *mapping,
			    loff_t pos, unsigned int len, unsigned int copied,
			    struct folio *folio, void *fsdata)
{
	struct inode *inode = mapping->host;

	if (unlikely(copied < len && !folio_test_uptodate(folio))) {
		/* short copy into a folio we never read: let the VFS retry */
		copied = 0;
		goto out;
	}
	if (!folio_test_uptodate(folio))
		folio_mark_uptodate(folio);
	folio_mark_dirty(folio);
	if (pos + copied > inode->i_size)
		i_size_write(inode, pos + copied);
out:
	folio_unlock(folio);
	folio_put(folio);
	return copied;
}

/*
 * Copy the target of a symlink into @buf.  Used by the NFS export and the
 * debugfs dump, which cannot go through ->get_link.
 */
int demofs_read_link(struct inode *inode, char *buf, size_t buflen)
{
	size_t len = i_size_read(inode);
	struct folio *folio;

	if (len >= buflen || len > DEMOFS_MAX_SYMLINK)
		return -ENAMETOOLONG;

	folio = read_mapping_folio(inode->i_mapping, 0, NULL);
	if (IS_ERR(folio))
		return PTR_ERR(folio);

	memcpy_from_folio(buf, folio, 0, len);
	if (memchr(buf, '\0', len)) {
		pr_warn_ratelimited("demofs: inode %lu: NUL in symlink target\n",
				    inode->i_ino);
		return -EFSCORRUPTED;
	}
	buf[len] = '\0';
	folio_put(folio);
	return 0;
}

/*
 * Zero the part of the last folio that lies beyond @newsize, so that a
 * later extension of the file reads zeroes there.
 */
int demofs_truncate_tail(struct inode *inode, loff_t newsize)
{
	struct folio *folio;
	size_t offset;

	folio = filemap_lock_folio(inode->i_mapping, newsize >> PAGE_SHIFT);
	if (IS_ERR(folio))
		return 0;	/* not cached: the blocks are zeroed on disk */

	offset = offset_in_folio(folio, newsize);
	if (offset) {
		folio_wait_writeback(folio);
		folio_zero_segment(folio, offset, folio_size(folio));
		folio_mark_dirty(folio);
	}
	folio_unlock(folio);
	folio_put(folio);
	return 0;
}

const struct address_space_operations demofs_aops = {
	.read_folio	= demofs_read_folio,
	.readahead	= demofs_readahead,
	.write_begin	= demofs_write_begin,
	.write_end	= demofs_write_end,
	.writepages	= demofs_writepages,
	.dirty_folio	= filemap_dirty_folio,
};
