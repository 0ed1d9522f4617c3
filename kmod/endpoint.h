/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: backings and endpoints, the places a volume's bytes live.
 *
 * A backing (backing.c) is what a volume opens: a block device (opened
 * exclusively) or a regular file (opened by the module itself, O_DIRECT
 * where the file system allows it, else buffered and made durable with
 * vfs_fsync_range()). It is known by its identity: the device number of a
 * block device, or the (st_dev, inode) pair of a file.
 *
 * An endpoint is a byte range of a backing that one part of a volume owns:
 * the log (its superblock copies and its log area) or a data segment.
 * Every I/O call (bio.c for devices, fileio.c for files) takes an endpoint
 * and an offset inside it, never a volume or a device offset, and the
 * range is checked in one place (rvm_ep_check()): an I/O that reaches past
 * the end of its endpoint is an error, never a write elsewhere. A volume
 * (format version 2) is the log endpoint at [0, log_off + log_size) of the
 * log's backing and one endpoint per data segment: all of the segment's
 * own block device or file, or, for segment 0 of a one-device volume,
 * [data_off, data_off + data_size) of the log's backing.
 *
 * The shared recovery code addresses the endpoints through rvm_ep_io_ops
 * as (RVM_IO_LOG or segment id, offset), with a struct rvm_ep_set as its
 * context (recovery.h). An absent segment (not opened at attach) is
 * -ENODEV there.
 */
#ifndef _RVM_ENDPOINT_H
#define _RVM_ENDPOINT_H

#include <linux/blk_types.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "recovery.h"

struct file;
struct path;
struct workqueue_struct;

/**
 * struct rvm_ident - what names a backing: the volume of a path or an fd
 * @dev: a block device's device number, or a file's st_dev
 * @ino: 0 for a block device, a file's inode number
 */
struct rvm_ident {
	dev_t dev;
	u64 ino;
};

/**
 * struct rvm_backing - a block device or a regular file a volume opened
 * @bh: the block device (@bh.bdev is NULL for a file)
 * @file: the regular file, or NULL
 * @wq: for a file, where its asynchronous writes run (one at a time per
 *	caller; destroyed, and so drained, at close)
 * @direct: @file is open with O_DIRECT
 * @size: its size in bytes at open
 * @ident: its identity
 */
struct rvm_backing {
	struct rvm_bdev_handle bh;
	struct file *file;
	struct workqueue_struct *wq;
	bool direct;
	u64 size;
	struct rvm_ident ident;
};

/**
 * struct rvm_endpoint - a byte range of a backing that a volume owns
 * @back: the backing (the endpoint only borrows it)
 * @base: where the range starts in @back, in bytes, a multiple of 512
 * @size: its length in bytes; the I/O calls take offsets in [0, @size)
 * @name: what the range is, for messages ("log", "data segment")
 */
struct rvm_endpoint {
	const struct rvm_backing *back;
	u64 base;
	u64 size;
	const char *name;
};

/**
 * struct rvm_ep_set - a volume's endpoints, the context of rvm_ep_io_ops
 * @log: the log endpoint (RVM_IO_LOG)
 * @segs: the data segments (struct rvm_dseg, dseg.h) by segment id
 */
struct rvm_ep_set {
	struct rvm_endpoint *log;
	struct xarray *segs;
};

/**
 * struct rvm_bio_async - an asynchronous write (rvm_ep_write_async())
 * @done: called once the write has completed, maybe in interrupt context,
 *	with 0 or a negative errno
 * @work: for a file endpoint, the write runs here (fileio.c)
 * @ep: (file endpoint) where
 * @off: (file endpoint) at which offset
 * @buf: (file endpoint) the bytes
 * @len: (file endpoint) their number
 * @flags: (file endpoint) REQ_PREFLUSH, REQ_FUA
 */
struct rvm_bio_async {
	void (*done)(struct rvm_bio_async *a, int err);
	struct work_struct work;
	const struct rvm_endpoint *ep;
	u64 off;
	const void *buf;
	size_t len;
	blk_opf_t flags;
};

/* backing.c */
int rvm_backing_ident(const struct path *path, struct rvm_ident *id);
int rvm_backing_open(struct rvm_backing *b, const char *path,
		     const struct rvm_ident *id, void *holder);
void rvm_backing_close(struct rvm_backing *b);
const char *rvm_backing_kind(const struct rvm_backing *b);

/* bio.c */
void rvm_ep_init(struct rvm_endpoint *ep, const struct rvm_backing *back,
		 u64 base, u64 size, const char *name);
int rvm_ep_read(const struct rvm_endpoint *ep, u64 off, void *buf, size_t len);
int rvm_ep_write(const struct rvm_endpoint *ep, u64 off, const void *buf,
		 size_t len, blk_opf_t flags);
int rvm_ep_write_async(const struct rvm_endpoint *ep, u64 off, const void *buf,
		       size_t len, blk_opf_t flags, struct rvm_bio_async *a);
int rvm_ep_flush(const struct rvm_endpoint *ep);
extern const struct rvm_io_ops rvm_ep_io_ops;

/* fileio.c: the same on a file endpoint (bio.c checked the range) */
int rvm_fio_rw(const struct rvm_endpoint *ep, u64 off, void *buf, size_t len,
	       bool write, blk_opf_t flags);
int rvm_fio_flush(const struct rvm_endpoint *ep);
void rvm_fio_write_async(const struct rvm_endpoint *ep, u64 off,
			 const void *buf, size_t len, blk_opf_t flags,
			 struct rvm_bio_async *a);

#endif /* _RVM_ENDPOINT_H */
