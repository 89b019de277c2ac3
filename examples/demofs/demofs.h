/* SPDX-License-Identifier: GPL-2.0 */
/*
 * demofs: a small fictional block filesystem, used to show what Folio Lens
 * reports.  Not a real filesystem: only the parts that handle folios are
 * written out.
 */
#ifndef _DEMOFS_H
#define _DEMOFS_H

#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/writeback.h>

#define DEMOFS_INLINE_MAX	256
#define DEMOFS_MAX_SYMLINK	4095

struct demofs_inode_info {
	struct inode		vfs_inode;
	atomic_long_t		nr_writeback;	/* folios under writeback */
	unsigned int		flags;
#define DEMOFS_INLINE_DATA	0x1		/* file data lives in the inode */
	sector_t		first_block;
	unsigned char		inline_data[DEMOFS_INLINE_MAX];
};

static inline struct demofs_inode_info *DEMOFS_I(struct inode *inode)
{
	return container_of(inode, struct demofs_inode_info, vfs_inode);
}

/* block mapping, in inode.c */
int demofs_map_blocks(struct inode *inode, pgoff_t index, sector_t *blockp,
		      bool create);
struct block_device *demofs_bdev(struct inode *inode);

/* synchronous block I/O helpers, in io.c */
int demofs_read_block(struct inode *inode, sector_t block, struct folio *folio,
		      size_t offset);
int demofs_copy_to_inode(struct inode *inode, struct folio *folio);
void demofs_mark_inline_clean(struct inode *inode);

/* file.c */
extern const struct address_space_operations demofs_aops;
int demofs_truncate_tail(struct inode *inode, loff_t newsize);
int demofs_read_link(struct inode *inode, char *buf, size_t buflen);

/* writeback.c */
int demofs_writepages(struct address_space *mapping,
		      struct writeback_control *wbc);

/* dir.c */
int demofs_find_entry(struct inode *dir, const struct qstr *name,
		      struct folio **foliop, size_t *offsetp);
int demofs_inode_by_name(struct inode *dir, const struct qstr *name,
			 ino_t *ino);
int demofs_delete_entry(struct folio *folio, size_t offset);
int demofs_readdir(struct file *file, struct dir_context *ctx);

/* directory entry helpers, in dirent.c */
long demofs_match_in_folio(struct folio *folio, const struct qstr *name);
ino_t demofs_entry_ino(struct folio *folio, size_t offset);
int demofs_clear_entry(struct folio *folio, size_t offset);
bool demofs_emit_entries(struct folio *folio, struct dir_context *ctx);
pgoff_t demofs_dir_pages(struct inode *dir);

#endif /* _DEMOFS_H */
