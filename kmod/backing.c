// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: opening what a volume lives in, a block device or a regular file
 * (endpoint.h), and its identity.
 *
 * A block device is opened exclusively, and must have 512-byte logical
 * and physical blocks (format.h: packed records rely on a one-sector
 * write being atomic; a "512e" disk rewrites a whole 4096-byte sector,
 * which a power cut can tear).
 *
 * A regular file is opened read-write by the module itself, with O_DIRECT
 * if the file system takes it for any 512-byte aligned I/O (STATX_DIOALIGN;
 * else buffered, fileio.c). The same sector
 * rule holds for the disk under the file system, where there is one (a
 * file system without a block device, such as tmpfs, has no power cut to
 * survive). The file is the volume's while it is attached; the module
 * cannot stop another writer from changing it, as it cannot for a loop
 * device's backing file: it is root's (attach needs CAP_SYS_ADMIN) and
 * the binder's (who could write it anyway) to leave it alone. A file that
 * shrinks under the volume makes its I/O fail (-EIO), and the volume then
 * turns read-only, as on a failing disk.
 *
 * The identity of a device is its device number; of a file, its st_dev
 * and inode number (struct rvm_ident), which is what a path or an fd of it
 * is matched against.
 */
#include <linux/blkdev.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/path.h>
#include <linux/stat.h>
#include <linux/workqueue.h>

#include "endpoint.h"

/**
 * rvm_backing_ident() - the identity of the backing at a path
 * @path: a block device node or a regular file
 * @id: set to its identity
 *
 * Return: 0, or -ENOTBLK if @path is neither.
 */
int rvm_backing_ident(const struct path *path, struct rvm_ident *id)
{
	struct inode *inode = d_inode(path->dentry);

	if (S_ISBLK(inode->i_mode)) {
		id->dev = inode->i_rdev;
		id->ino = 0;
	} else if (S_ISREG(inode->i_mode)) {
		id->dev = inode->i_sb->s_dev;
		id->ino = inode->i_ino;
	} else {
		return -ENOTBLK;
	}
	return 0;
}

static bool rvm_sectors_ok(struct block_device *bdev, const char *path)
{
	if (bdev_logical_block_size(bdev) <= SECTOR_SIZE &&
	    bdev_physical_block_size(bdev) <= SECTOR_SIZE)
		return true;
	pr_err("%s: block size %u (physical %u) is not supported (512 only)\n",
	       path, bdev_logical_block_size(bdev),
	       bdev_physical_block_size(bdev));
	return false;
}

static int rvm_backing_open_bdev(struct rvm_backing *b, const char *path,
				 void *holder)
{
	int ret = rvm_compat_bdev_open(path, true, holder, &b->bh);

	if (ret) {
		pr_err("%s: cannot open exclusively: %d\n", path, ret);
		return ret;
	}
	if (!rvm_sectors_ok(b->bh.bdev, path)) {
		rvm_compat_bdev_close(&b->bh);
		return -EINVAL;
	}
	b->size = bdev_nr_bytes(b->bh.bdev);
	b->ident.dev = b->bh.bdev->bd_dev;
	b->ident.ino = 0;
	return 0;
}

/*
 * Does the file system take O_DIRECT I/O of any 512-byte aligned range
 * from any 512-byte aligned buffer? Only if it says so (STATX_DIOALIGN):
 * some take O_DIRECT opens but want whole blocks (btrfs), and some say
 * nothing (tmpfs); those get buffered I/O.
 */
static bool rvm_dio_fits(struct file *f)
{
	struct kstat st = { 0 };

	if (vfs_getattr(&f->f_path, &st, STATX_DIOALIGN, AT_STATX_SYNC_AS_STAT))
		return false;
	return (st.result_mask & STATX_DIOALIGN) && st.dio_offset_align &&
	       st.dio_offset_align <= SECTOR_SIZE && st.dio_mem_align &&
	       st.dio_mem_align <= SECTOR_SIZE;
}

static int rvm_backing_open_file(struct rvm_backing *b, const char *path)
{
	int oflags = O_RDWR | O_LARGEFILE;
	struct inode *inode;
	struct file *f;
	int ret;

	f = filp_open(path, oflags | O_DIRECT, 0);
	if (!IS_ERR(f) && !rvm_dio_fits(f)) {
		fput(f);
		f = ERR_PTR(-EINVAL);
	}
	if (IS_ERR(f) && PTR_ERR(f) == -EINVAL)
		f = filp_open(path, oflags, 0); /* no O_DIRECT here */
	if (IS_ERR(f)) {
		pr_err("%s: cannot open for reading and writing: %ld\n", path,
		       PTR_ERR(f));
		return PTR_ERR(f);
	}
	inode = file_inode(f);
	ret = -ENOTBLK;
	if (!S_ISREG(inode->i_mode))
		goto err; /* replaced between the lookup and the open */
	ret = -EINVAL;
	if (inode->i_sb->s_bdev && !rvm_sectors_ok(inode->i_sb->s_bdev, path))
		goto err;
	ret = -ENOMEM;
	b->wq = alloc_workqueue("rvm_file", WQ_UNBOUND | WQ_MEM_RECLAIM, 1);
	if (!b->wq)
		goto err;
	b->file = f;
	b->direct = f->f_flags & O_DIRECT;
	b->size = i_size_read(inode);
	b->ident.dev = inode->i_sb->s_dev;
	b->ident.ino = inode->i_ino;
	return 0;
err:
	if (ret == -ENOTBLK)
		pr_err("%s: not a block device or regular file\n", path);
	fput(f);
	return ret;
}

/**
 * rvm_backing_open() - open a volume's block device or regular file
 * @b: the backing, zeroed
 * @path: its path
 * @id: its identity, as rvm_backing_ident() found it at @path: a device
 *	(@id->ino 0) or a file
 * @holder: the exclusive holder of a block device
 *
 * Return: 0 or a negative errno (-ENOTBLK: not a regular file any more;
 * -EAGAIN: @path names another device or file than @id now; -EINVAL:
 * sectors larger than 512 bytes; the kernel log says why).
 */
int rvm_backing_open(struct rvm_backing *b, const char *path,
		     const struct rvm_ident *id, void *holder)
{
	int ret;

	if (!id->ino)
		ret = rvm_backing_open_bdev(b, path, holder);
	else
		ret = rvm_backing_open_file(b, path);
	if (ret)
		return ret;
	if (b->ident.dev != id->dev || b->ident.ino != id->ino) {
		pr_err("%s: replaced while being opened\n", path);
		rvm_backing_close(b);
		return -EAGAIN;
	}
	return 0;
}

/**
 * rvm_backing_close() - close what rvm_backing_open() opened
 * @b: the backing; every write to it has completed
 */
void rvm_backing_close(struct rvm_backing *b)
{
	if (b->file) {
		destroy_workqueue(b->wq);
		fput(b->file);
		b->file = NULL;
		b->wq = NULL;
	} else if (b->bh.bdev) {
		rvm_compat_bdev_close(&b->bh);
	}
}

/**
 * rvm_backing_kind() - what a backing is, for the end of a message
 * @b: the backing
 *
 * Return: "" for a block device, "; a regular file, O_DIRECT" or "; a
 * regular file, buffered I/O".
 */
const char *rvm_backing_kind(const struct rvm_backing *b)
{
	if (!b->file)
		return "";
	return b->direct ? "; a regular file, O_DIRECT" :
			   "; a regular file, buffered I/O";
}
