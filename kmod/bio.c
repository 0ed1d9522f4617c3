// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: I/O on an endpoint (endpoint.h): a byte range of a backing,
 * addressed by offsets inside it, checked against its end in one place
 * (rvm_ep_check()). Buffers may come from kmalloc or vmalloc (kvmalloc);
 * offsets and lengths are multiples of 512. A block device is accessed
 * with bios, never through its page cache, so the module's view of the
 * disk is the disk's; a regular file goes to fileio.c. Every call is
 * synchronous but two: recovery's read-ahead of the log
 * (rvm_ep_io_ops.read_start/read_end) and the log writer's writes
 * (rvm_ep_write_async()).
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/completion.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "dseg.h"
#include "endpoint.h"

/**
 * rvm_ep_init() - set up an endpoint
 * @ep: the endpoint
 * @back: its backing, open for as long as @ep is used
 * @base: where its range starts in @back, in bytes, a multiple of 512
 * @size: the range's length in bytes
 * @name: what it is, for messages (a string that outlives @ep)
 */
void rvm_ep_init(struct rvm_endpoint *ep, const struct rvm_backing *back,
		 u64 base, u64 size, const char *name)
{
	ep->back = back;
	ep->base = base;
	ep->size = size;
	ep->name = name;
}

/*
 * The one check of every I/O's range: sector aligned and inside the
 * endpoint. Anything else is a bug of the caller, refused with a message
 * rather than done at another place of the device.
 */
static int rvm_ep_check(const struct rvm_endpoint *ep, u64 off, size_t len)
{
	if ((off | len) & (SECTOR_SIZE - 1))
		return -EINVAL;
	if (off > ep->size || len > ep->size - off) {
		pr_err_ratelimited("%s: I/O %llu+%zu beyond %llu refused\n",
				   ep->name, off, len, ep->size);
		return -EIO;
	}
	return 0;
}

/*
 * Build the bios for @len bytes at @buf, each chained to the next
 * (blk_next_bio()), and submit all but the last, which is returned: it
 * completes when they all have, with the first error any of them had.
 * REQ_PREFLUSH goes on the first bio only.
 */
static struct bio *rvm_bio_build(const struct rvm_endpoint *ep, u64 off,
				 void *buf, size_t len, blk_opf_t opf)
{
	bool vm = is_vmalloc_addr(buf);
	struct bio *bio = NULL;

	off += ep->base;
	if (vm && op_is_write(opf))
		flush_kernel_vmap_range(buf, len);
	while (len) {
		unsigned int nr = min_t(size_t, BIO_MAX_VECS,
					DIV_ROUND_UP(offset_in_page(buf) + len,
						     PAGE_SIZE));

		bio = blk_next_bio(bio, ep->back->bh.bdev, nr, opf, GFP_NOIO);
		bio->bi_iter.bi_sector = off >> SECTOR_SHIFT;
		opf &= ~REQ_PREFLUSH;
		while (len) {
			size_t pofs = offset_in_page(buf);
			size_t n = min_t(size_t, len, PAGE_SIZE - pofs);
			struct page *page = vm ? vmalloc_to_page(buf) :
						 virt_to_page(buf);

			if (bio_add_page(bio, page, n, pofs) != n)
				break;
			buf += n;
			off += n;
			len -= n;
		}
	}
	return bio;
}

/*
 * All bios of one call are in flight together; the call returns when every
 * one has completed, so it is as synchronous as one bio at a time was
 * (callers rely on that: a completed write is made durable by a later
 * flush).
 */
static int rvm_bio_rw(const struct rvm_endpoint *ep, u64 off, void *buf,
		      size_t len, blk_opf_t opf)
{
	struct bio *bio;
	int ret;

	ret = rvm_ep_check(ep, off, len);
	if (ret || !len)
		return ret;
	if (ep->back->file)
		return rvm_fio_rw(ep, off, buf, len, op_is_write(opf), opf);
	bio = rvm_bio_build(ep, off, buf, len, opf);
	ret = submit_bio_wait(bio);
	bio_put(bio);
	return ret;
}

/**
 * rvm_ep_read() - read from an endpoint
 * @ep: the endpoint
 * @off: byte offset in it, a multiple of 512
 * @buf: kmalloc or vmalloc memory
 * @len: bytes, a multiple of 512
 *
 * Return: 0 or a negative errno (-EIO for a range past its end).
 */
int rvm_ep_read(const struct rvm_endpoint *ep, u64 off, void *buf, size_t len)
{
	int ret = rvm_bio_rw(ep, off, buf, len, REQ_OP_READ);

	if (is_vmalloc_addr(buf))
		invalidate_kernel_vmap_range(buf, len);
	return ret;
}

/**
 * rvm_ep_write() - write to an endpoint
 * @ep: the endpoint
 * @off: byte offset in it, a multiple of 512
 * @buf: kmalloc or vmalloc memory
 * @len: bytes, a multiple of 512
 * @flags: REQ_PREFLUSH, REQ_FUA, ... (REQ_PREFLUSH goes on the first bio)
 *
 * Return: 0 or a negative errno (-EIO for a range past its end).
 */
int rvm_ep_write(const struct rvm_endpoint *ep, u64 off, const void *buf,
		 size_t len, blk_opf_t flags)
{
	return rvm_bio_rw(ep, off, (void *)buf, len,
			  REQ_OP_WRITE | REQ_SYNC | flags);
}

static void rvm_bio_async_end(struct bio *bio)
{
	struct rvm_bio_async *a = bio->bi_private;
	int err = blk_status_to_errno(bio->bi_status);

	bio_put(bio);
	a->done(a, err);
}

/**
 * rvm_ep_write_async() - start a write to an endpoint
 * @ep: the endpoint
 * @off: byte offset in it, a multiple of 512
 * @buf: kmalloc or vmalloc memory, left alone until @a->done is called
 * @len: bytes, a multiple of 512; 0 for a flush alone (@flags must then
 *	hold REQ_PREFLUSH)
 * @flags: REQ_PREFLUSH, REQ_FUA, ... (REQ_PREFLUSH goes on the first bio,
 *	REQ_FUA on every one)
 * @a: @a->done is called once, when every bio of the write has completed,
 *	maybe in interrupt context, with 0 or the first error
 *
 * The bios of a long write run concurrently (rvm_bio_build()): with
 * REQ_FUA, each is durable when it completes, and with REQ_PREFLUSH the
 * writes that completed before the call are durable once @a->done is
 * called.
 *
 * Return: 0 (@a->done will be called), or -EINVAL or -EIO (a range past
 * the end of @ep: it will not be).
 */
int rvm_ep_write_async(const struct rvm_endpoint *ep, u64 off, const void *buf,
		       size_t len, blk_opf_t flags, struct rvm_bio_async *a)
{
	blk_opf_t opf = REQ_OP_WRITE | REQ_SYNC | flags;
	struct bio *bio;
	int ret;

	ret = rvm_ep_check(ep, off, len);
	if (ret)
		return ret;
	if (!len && !(flags & REQ_PREFLUSH))
		return -EINVAL;
	if (ep->back->file) {
		rvm_fio_write_async(ep, off, buf, len, flags, a);
		return 0;
	}
	if (len)
		bio = rvm_bio_build(ep, off, (void *)buf, len, opf);
	else
		bio = bio_alloc(ep->back->bh.bdev, 0, opf, GFP_NOIO);
	bio->bi_private = a;
	bio->bi_end_io = rvm_bio_async_end;
	submit_bio(bio);
	return 0;
}

/**
 * rvm_ep_flush() - make the completed writes to an endpoint durable
 * @ep: the endpoint
 *
 * Flushes its whole backing (a one-device volume's two endpoints share
 * one flush).
 *
 * Return: 0 or a negative errno.
 */
int rvm_ep_flush(const struct rvm_endpoint *ep)
{
	if (ep->back->file)
		return rvm_fio_flush(ep);
	return blkdev_issue_flush(ep->back->bh.bdev);
}

/* A read in flight, started by rvm_io_read_start(). */
struct rvm_bio_ahead {
	struct completion done;
	blk_status_t status;
	void *buf;
	size_t len;
};

static void rvm_bio_ahead_end(struct bio *bio)
{
	struct rvm_bio_ahead *a = bio->bi_private;

	a->status = bio->bi_status;
	bio_put(bio);
	complete(&a->done);
}

/*
 * The endpoint @ep names in @ctx (a struct rvm_ep_set), or an ERR_PTR:
 * -EINVAL for no such segment, -ENODEV for an absent one.
 */
static const struct rvm_endpoint *rvm_ep_pick(void *ctx, u32 ep)
{
	const struct rvm_ep_set *set = ctx;
	const struct rvm_dseg *d;

	if (ep == RVM_IO_LOG)
		return set->log;
	d = xa_load(set->segs, ep);
	if (!d)
		return ERR_PTR(-EINVAL);
	return d->absent ? ERR_PTR(-ENODEV) : &d->ep;
}

static int rvm_io_read_start(void *ctx, u32 ep, u64 off, void *buf, size_t len,
			     void **handle)
{
	const struct rvm_endpoint *e = rvm_ep_pick(ctx, ep);
	struct rvm_bio_ahead *a;
	struct bio *bio;
	int ret;

	if (IS_ERR(e))
		return PTR_ERR(e);
	if (!len)
		return -EINVAL;
	ret = rvm_ep_check(e, off, len);
	if (ret)
		return ret;
	a = kmalloc(sizeof(*a), GFP_NOIO);
	if (!a)
		return -ENOMEM;
	init_completion(&a->done);
	a->buf = buf;
	a->len = len;
	if (e->back->file) {
		/* A file's read is done here; read_end hands out its result. */
		ret = rvm_fio_rw(e, off, buf, len, false, 0);
		a->status = errno_to_blk_status(ret);
		complete(&a->done);
		*handle = a;
		return 0;
	}
	bio = rvm_bio_build(e, off, buf, len, REQ_OP_READ);
	bio->bi_private = a;
	bio->bi_end_io = rvm_bio_ahead_end;
	submit_bio(bio);
	*handle = a;
	return 0;
}

static int rvm_io_read_end(void *ctx, void *handle)
{
	struct rvm_bio_ahead *a = handle;
	int ret;

	wait_for_completion_io(&a->done);
	ret = blk_status_to_errno(a->status);
	if (is_vmalloc_addr(a->buf))
		invalidate_kernel_vmap_range(a->buf, a->len);
	kfree(a);
	return ret;
}

static int rvm_io_read(void *ctx, u32 ep, u64 off, void *buf, size_t len)
{
	const struct rvm_endpoint *e = rvm_ep_pick(ctx, ep);

	return IS_ERR(e) ? PTR_ERR(e) : rvm_ep_read(e, off, buf, len);
}

static int rvm_io_write(void *ctx, u32 ep, u64 off, const void *buf, size_t len)
{
	const struct rvm_endpoint *e = rvm_ep_pick(ctx, ep);

	return IS_ERR(e) ? PTR_ERR(e) : rvm_ep_write(e, off, buf, len, 0);
}

static int rvm_io_flush(void *ctx, u32 ep)
{
	const struct rvm_endpoint *e = rvm_ep_pick(ctx, ep);

	return IS_ERR(e) ? PTR_ERR(e) : rvm_ep_flush(e);
}

/* The endpoints as the shared recovery code sees them; ctx: rvm_ep_set. */
const struct rvm_io_ops rvm_ep_io_ops = {
	.read = rvm_io_read,
	.write = rvm_io_write,
	.flush = rvm_io_flush,
	.read_start = rvm_io_read_start,
	.read_end = rvm_io_read_end,
};
