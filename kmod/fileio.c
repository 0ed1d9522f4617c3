// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: I/O on an endpoint in a regular file (bio.c checked its range).
 *
 * The file is opened by the module (backing.c), with O_DIRECT where the
 * file system supports it: then reads and writes go to the disk as the
 * block device path's do, and the page cache is bypassed. Without
 * O_DIRECT (tmpfs, btrfs: backing.c says when) the I/O is buffered. Either
 * way durability comes from the file system, as the block path's comes
 * from the disk's cache flush: REQ_FUA becomes RWF_DSYNC on the write
 * (the range is written and its metadata committed before it returns),
 * REQ_PREFLUSH and rvm_ep_flush() become vfs_fsync() (datasync) of the
 * file. The caller's buffer (kmalloc or vmalloc memory) is handed to the
 * file system page by page as a bio_vec iterator, as the loop driver does,
 * with no copy of our own.
 *
 * An asynchronous write (the log writer's, rvm_ep_write_async()) runs in
 * the backing's workqueue and calls its completion from there.
 */
#include <linux/bvec.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>

#include "endpoint.h"

/* Pages handed to the file system at a time (a stack array). */
#define RVM_FIO_VECS 16

/* Up to RVM_FIO_VECS pages of @buf, at most @len bytes, as bio_vecs. */
static size_t rvm_fio_vecs(struct bio_vec *bv, unsigned int *nr, void *buf,
			   size_t len)
{
	bool vm = is_vmalloc_addr(buf);
	size_t done = 0;

	*nr = 0;
	while (done < len && *nr < RVM_FIO_VECS) {
		size_t pofs = offset_in_page(buf + done);
		size_t n = min_t(size_t, len - done, PAGE_SIZE - pofs);
		struct page *page = vm ? vmalloc_to_page(buf + done) :
					 virt_to_page(buf + done);

		bvec_set_page(&bv[(*nr)++], page, n, pofs);
		done += n;
	}
	return done;
}

/**
 * rvm_fio_rw() - read or write a file endpoint, synchronously
 * @ep: the endpoint (its backing is a file)
 * @off: offset in it, checked by the caller
 * @buf: kmalloc or vmalloc memory
 * @len: bytes
 * @write: write, else read
 * @flags: for a write, REQ_PREFLUSH (fsync the file first) and REQ_FUA
 *	(the write is durable when this returns)
 *
 * Return: 0 or a negative errno; a short transfer (the file ends early)
 * is -EIO.
 */
int rvm_fio_rw(const struct rvm_endpoint *ep, u64 off, void *buf, size_t len,
	       bool write, blk_opf_t flags)
{
	struct file *file = ep->back->file;
	loff_t pos = ep->base + off;
	struct bio_vec bv[RVM_FIO_VECS];
	int ret;

	if (write && (flags & REQ_PREFLUSH)) {
		ret = vfs_fsync(file, 1);
		if (ret)
			return ret;
	}
	if (write && is_vmalloc_addr(buf))
		flush_kernel_vmap_range(buf, len);
	while (len) {
		struct iov_iter iter;
		unsigned int nr;
		size_t n = rvm_fio_vecs(bv, &nr, buf, len);
		ssize_t got;

		iov_iter_bvec(&iter, write ? ITER_SOURCE : ITER_DEST, bv, nr,
			      n);
		if (write)
			got = vfs_iter_write(file, &iter, &pos,
					     flags & REQ_FUA ? RWF_DSYNC : 0);
		else
			got = vfs_iter_read(file, &iter, &pos, 0);
		if (got < 0)
			return got;
		if (!got)
			return -EIO; /* the file ends before the endpoint */
		buf += got;
		len -= got;
	}
	return 0;
}

/**
 * rvm_fio_flush() - make the completed writes to a file endpoint durable
 * @ep: the endpoint
 *
 * Return: 0 or a negative errno.
 */
int rvm_fio_flush(const struct rvm_endpoint *ep)
{
	return vfs_fsync(ep->back->file, 1);
}

static void rvm_fio_async_work(struct work_struct *work)
{
	struct rvm_bio_async *a =
		container_of(work, struct rvm_bio_async, work);
	int err;

	if (a->len)
		err = rvm_fio_rw(a->ep, a->off, (void *)a->buf, a->len, true,
				 a->flags);
	else
		err = rvm_fio_flush(a->ep);
	a->done(a, err);
}

/**
 * rvm_fio_write_async() - start a write to a file endpoint
 * @ep: the endpoint
 * @off: offset in it, checked by the caller
 * @buf: the bytes, left alone until @a->done is called
 * @len: their number; 0 for a flush alone
 * @flags: REQ_PREFLUSH, REQ_FUA
 * @a: @a->done is called once, from the backing's workqueue, when the
 *	write has completed; @a must not be in use by another write
 */
void rvm_fio_write_async(const struct rvm_endpoint *ep, u64 off,
			 const void *buf, size_t len, blk_opf_t flags,
			 struct rvm_bio_async *a)
{
	a->ep = ep;
	a->off = off;
	a->buf = buf;
	a->len = len;
	a->flags = flags;
	INIT_WORK(&a->work, rvm_fio_async_work);
	queue_work(ep->back->wq, &a->work);
}
