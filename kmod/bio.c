// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: I/O on a volume's block device, synchronous (and one asynchronous
 * write, for the log writer). Buffers may come from kmalloc or vmalloc
 * (kvmalloc); offsets and lengths are multiples of 512.
 * The device is accessed with bios, never through its page cache, so the
 * module's view of the disk is the disk's.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "rvm.h"
#include "recovery.h"

/*
 * A bio for the start of [@buf, @buf + @len): as many pages as one bio
 * takes. *@added is set to the bytes it covers.
 */
static struct bio *rvm_bio_build(struct rvm_volume *vol, u64 off, void *buf,
				 size_t len, blk_opf_t opf, size_t *added)
{
	bool vm = is_vmalloc_addr(buf);
	unsigned int nr =
		min_t(size_t, BIO_MAX_VECS,
		      DIV_ROUND_UP(offset_in_page(buf) + len, PAGE_SIZE));
	struct bio *bio;

	bio = bio_alloc(vol->bh.bdev, nr, opf, GFP_NOIO);
	bio->bi_iter.bi_sector = off >> SECTOR_SHIFT;
	*added = 0;
	while (len) {
		size_t pofs = offset_in_page(buf);
		size_t n = min_t(size_t, len, PAGE_SIZE - pofs);
		struct page *page = vm ? vmalloc_to_page(buf) :
					 virt_to_page(buf);

		if (bio_add_page(bio, page, n, pofs) != n)
			break;
		buf += n;
		len -= n;
		*added += n;
	}
	return bio;
}

static int rvm_bio_rw(struct rvm_volume *vol, u64 off, void *buf, size_t len,
		      blk_opf_t opf)
{
	bool first = true;
	size_t n;
	int ret;

	if ((off | len) & (SECTOR_SIZE - 1))
		return -EINVAL;
	if (is_vmalloc_addr(buf) && op_is_write(opf))
		flush_kernel_vmap_range(buf, len);

	while (len) {
		/* One flush before the first bio is enough. */
		struct bio *bio =
			rvm_bio_build(vol, off, buf, len,
				      first ? opf : opf & ~REQ_PREFLUSH, &n);

		ret = n ? submit_bio_wait(bio) : -EIO;
		bio_put(bio);
		if (ret)
			return ret;
		buf += n;
		off += n;
		len -= n;
		first = false;
	}
	return 0;
}

/**
 * rvm_bio_read() - read from a volume's device
 * @vol: the volume
 * @off: byte offset on the device, a multiple of 512
 * @buf: kmalloc or vmalloc memory
 * @len: bytes, a multiple of 512
 *
 * Return: 0 or a negative errno.
 */
int rvm_bio_read(struct rvm_volume *vol, u64 off, void *buf, size_t len)
{
	int ret = rvm_bio_rw(vol, off, buf, len, REQ_OP_READ);

	if (is_vmalloc_addr(buf))
		invalidate_kernel_vmap_range(buf, len);
	return ret;
}

/**
 * rvm_bio_write() - write to a volume's device
 * @vol: the volume
 * @off: byte offset on the device, a multiple of 512
 * @buf: kmalloc or vmalloc memory
 * @len: bytes, a multiple of 512
 * @flags: REQ_PREFLUSH, REQ_FUA, ... (REQ_PREFLUSH goes on the first bio)
 *
 * Return: 0 or a negative errno.
 */
int rvm_bio_write(struct rvm_volume *vol, u64 off, const void *buf, size_t len,
		  blk_opf_t flags)
{
	return rvm_bio_rw(vol, off, (void *)buf, len,
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
 * rvm_bio_write_async() - start a write to a volume's device
 * @vol: the volume
 * @off: byte offset on the device, a multiple of 512
 * @buf: kmalloc or vmalloc memory, left alone until @a->done is called
 * @len: bytes, a multiple of 512; 0 for a flush alone (@flags must then
 *	hold REQ_PREFLUSH)
 * @flags: REQ_PREFLUSH, REQ_FUA, ... (REQ_PREFLUSH goes on one bio, REQ_FUA
 *	on every one)
 * @a: @a->done is called once, when every bio of the write has completed,
 *	maybe in interrupt context, with 0 or the first error
 *
 * The bios of a long write are chained to the first one and run
 * concurrently: with REQ_FUA, each is durable when it completes, and with
 * REQ_PREFLUSH the writes that completed before the call are durable once
 * @a->done is called.
 *
 * Return: 0 (@a->done will be called), or -EINVAL (it will not be).
 */
int rvm_bio_write_async(struct rvm_volume *vol, u64 off, const void *buf,
			size_t len, blk_opf_t flags, struct rvm_bio_async *a)
{
	blk_opf_t opf = REQ_OP_WRITE | REQ_SYNC | flags;
	void *p = (void *)buf;
	struct bio *parent, *bio;
	size_t n;

	if ((off | len) & (SECTOR_SIZE - 1) ||
	    (!len && !(flags & REQ_PREFLUSH)))
		return -EINVAL;
	if (is_vmalloc_addr(p))
		flush_kernel_vmap_range(p, len);

	parent = rvm_bio_build(vol, off, p, len, opf, &n);
	parent->bi_private = a;
	parent->bi_end_io = rvm_bio_async_end;
	opf &= ~REQ_PREFLUSH;
	/* The parent completes once all its children have. */
	while (len > n) {
		p += n;
		off += n;
		len -= n;
		bio = rvm_bio_build(vol, off, p, len, opf, &n);
		if (!n) {
			/* Never happens: a new bio takes at least a page. */
			bio_put(bio);
			parent->bi_status = BLK_STS_IOERR;
			break;
		}
		bio_chain(bio, parent);
		submit_bio(bio);
	}
	submit_bio(parent);
	return 0;
}

/**
 * rvm_bio_flush() - make a volume's completed writes durable
 * @vol: the volume
 *
 * Return: 0 or a negative errno.
 */
int rvm_bio_flush(struct rvm_volume *vol)
{
	return blkdev_issue_flush(vol->bh.bdev);
}

static int rvm_io_read(void *ctx, u64 off, void *buf, size_t len)
{
	return rvm_bio_read(ctx, off, buf, len);
}

static int rvm_io_write(void *ctx, u64 off, const void *buf, size_t len)
{
	return rvm_bio_write(ctx, off, buf, len, 0);
}

static int rvm_io_flush(void *ctx)
{
	return rvm_bio_flush(ctx);
}

/* The device as the shared recovery code sees it; ctx is the volume. */
const struct rvm_io_ops rvm_bio_ops = {
	.read = rvm_io_read,
	.write = rvm_io_write,
	.flush = rvm_io_flush,
};
