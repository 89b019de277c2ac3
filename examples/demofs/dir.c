// SPDX-License-Identifier: GPL-2.0
/*
 * demofs: directories.
 *
 * A directory is an array of fixed-size entries kept in the page cache of
 * the directory inode, one order-0 folio per block.  The helpers that
 * parse a folio's entries live in dirent.c.
 */
#include <linux/fs.h>
#include <linux/pagemap.h>
#include "demofs.h"

/*
 * Find @name in @dir.  On success the folio holding the entry is returned
 * in *@foliop with a reference that the caller drops with folio_put(), and
 * the entry's offset in *@offsetp.
 */
int demofs_find_entry(struct inode *dir, const struct qstr *name,
		      struct folio **foliop, size_t *offsetp)
{
	pgoff_t index, npages = demofs_dir_pages(dir);

	for (index = 0; index < npages; index++) {
		struct folio *folio;
		long offset;

		folio = read_mapping_folio(dir->i_mapping, index, NULL);
		if (IS_ERR(folio))
			return PTR_ERR(folio);

		offset = demofs_match_in_folio(folio, name);
		if (offset >= 0) {
			*foliop = folio;
			*offsetp = offset;
			return 0;
		}
		folio_put(folio);
	}
	return -ENOENT;
}

int demofs_inode_by_name(struct inode *dir, const struct qstr *name,
			 ino_t *ino)
{
	struct folio *folio;
	size_t offset;
	int err;

	err = demofs_find_entry(dir, name, &folio, &offset);
	if (err)
		return err;
	*ino = demofs_entry_ino(folio, offset);
	folio_put(folio);
	return 0;
}

/*
 * Remove the entry at @offset in @folio, as found by demofs_find_entry().
 * Consumes the caller's reference on @folio.
 */
int demofs_delete_entry(struct folio *folio, size_t offset)
{
	struct inode *dir = folio->mapping->host;
	int err;

	folio_lock(folio);
	err = demofs_clear_entry(folio, offset);
	if (!err)
		folio_mark_dirty(folio);
	folio_unlock(folio);
	folio_put(folio);
	if (!err)
		inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir));
	return err;
}

int demofs_readdir(struct file *file, struct dir_context *ctx)
{
	struct inode *dir = file_inode(file);
	pgoff_t index = ctx->pos >> PAGE_SHIFT;
	pgoff_t npages = demofs_dir_pages(dir);

	while (index < npages) {
		struct folio *folio;
		bool more;

		folio = read_mapping_folio(dir->i_mapping, index, file);
		if (IS_ERR(folio))
			return PTR_ERR(folio);

		more = demofs_emit_entries(folio, ctx);
		folio_put(folio);
		if (!more)
			break;
		index = folio_next_index(folio);
		ctx->pos = (loff_t)index << PAGE_SHIFT;
	}
	return 0;
}
