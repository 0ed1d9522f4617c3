// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: synchronous I/O on a volume's block device. Buffers may come from
 * kmalloc or vmalloc (kvmalloc); offsets and lengths are multiples of 512.
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

static int rvm_bio_rw(struct rvm_volume *vol, u64 off, void *buf, size_t len,
		      blk_opf_t opf)
{
	bool vm = is_vmalloc_addr(buf);
	bool first = true;
	int ret;

	if ((off | len) & (SECTOR_SIZE - 1))
		return -EINVAL;
	if (vm && op_is_write(opf))
		flush_kernel_vmap_range(buf, len);

	while (len) {
		unsigned int nr = min_t(size_t, BIO_MAX_VECS,
					DIV_ROUND_UP(offset_in_page(buf) + len,
						     PAGE_SIZE));
		blk_opf_t flags = opf;
		struct bio *bio;

		/* One flush before the first bio is enough. */
		if (!first)
			flags &= ~REQ_PREFLUSH;
		bio = bio_alloc(vol->bh.bdev, nr, flags, GFP_NOIO);
		bio->bi_iter.bi_sector = off >> SECTOR_SHIFT;
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
		ret = submit_bio_wait(bio);
		bio_put(bio);
		if (ret)
			return ret;
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
