// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end fixture: a DAX mapping used after the inode reference that
 * covered it is dropped (dax-use-after-inode-put).
 */
#include <linux/dax.h>
#include <linux/fs.h>

static long daxfs_peek(struct inode *dir, unsigned long ino, void *buf, size_t len)
{
	struct dax_device *dax_dev = daxfs_dev(dir->i_sb);
	struct inode *inode;
	void *kaddr;
	long avail;

	inode = ilookup(dir->i_sb, ino);
	if (!inode)
		return -ENOENT;
	avail = dax_direct_access(dax_dev, daxfs_pgoff(inode), 1, DAX_ACCESS, &kaddr, NULL);
	iput(inode);
	if (avail < 0)
		return avail;
	memcpy(buf, kaddr, len);
	return 0;
}
