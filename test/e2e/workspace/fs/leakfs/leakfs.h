/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LEAKFS_H
#define _LEAKFS_H

#include <linux/fs.h>
#include <linux/writeback.h>

int leakfs_submit(struct inode *inode, struct folio *folio,
		  struct writeback_control *wbc);
int leakfs_sync_block(struct inode *inode, pgoff_t index, void *buf, size_t len);

#endif /* _LEAKFS_H */
