/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: endpoints, the places a volume's bytes live (bio.c).
 *
 * An endpoint is a block device and the byte range of it that one part of
 * a volume owns: the log (its superblock copies and its log area) or a
 * data segment. Every I/O call takes an endpoint and an offset inside it,
 * never a volume or a device offset, and checks the range in one place
 * (rvm_ep_check()): an I/O that reaches past the end of its endpoint is
 * an error, never a write elsewhere. A one-device volume (format version
 * 1) is two endpoints on the same device, from its superblock's geometry:
 * the log at [0, log_off + log_size) and the data segment at
 * [data_off, data_off + data_size).
 *
 * The shared recovery code addresses the endpoints through rvm_ep_io_ops
 * as (RVM_IO_LOG or segment number, offset), with a struct rvm_ep_set as
 * its context (recovery.h), so that a log with several segments needs no
 * change there.
 */
#ifndef _RVM_ENDPOINT_H
#define _RVM_ENDPOINT_H

#include <linux/blk_types.h>
#include <linux/types.h>

#include "recovery.h"

struct block_device;
struct rvm_bio_async;

/**
 * struct rvm_endpoint - a byte range of a block device that a volume owns
 * @bdev: the device (its opener holds it; the endpoint only borrows it)
 * @base: where the range starts on @bdev, in bytes, a multiple of 512
 * @size: its length in bytes; the I/O calls take offsets in [0, @size)
 * @name: what the range is, for messages ("log", "segment 0")
 */
struct rvm_endpoint {
	struct block_device *bdev;
	u64 base;
	u64 size;
	const char *name;
};

/**
 * struct rvm_ep_set - a volume's endpoints, the context of rvm_ep_io_ops
 * @log: the log endpoint (RVM_IO_LOG)
 * @segs: the data segments' endpoints, by segment number
 * @nsegs: their number
 */
struct rvm_ep_set {
	struct rvm_endpoint *log;
	struct rvm_endpoint *segs;
	u32 nsegs;
};

void rvm_ep_init(struct rvm_endpoint *ep, struct block_device *bdev, u64 base,
		 u64 size, const char *name);
int rvm_ep_read(const struct rvm_endpoint *ep, u64 off, void *buf, size_t len);
int rvm_ep_write(const struct rvm_endpoint *ep, u64 off, const void *buf,
		 size_t len, blk_opf_t flags);
int rvm_ep_write_async(const struct rvm_endpoint *ep, u64 off,
		       const void *buf, size_t len, blk_opf_t flags,
		       struct rvm_bio_async *a);
int rvm_ep_flush(const struct rvm_endpoint *ep);
extern const struct rvm_io_ops rvm_ep_io_ops;

#endif /* _RVM_ENDPOINT_H */
