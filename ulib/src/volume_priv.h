/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What volume.c (open, superblocks, format, the segment table, recovery)
 * and volume_io.c (raw I/O on the volume and its segments, the endpoints
 * recovery reads and writes through) share.
 */
#ifndef _RVM_VOLUME_PRIV_H
#define _RVM_VOLUME_PRIV_H

#include "rvm/volume.h"

#define VOL_ALIGN	RVM_BLOCK_SIZE
#define VOL_BOUNCE	(1024 * 1024)

/* An external segment, opened by its name when first used. */
struct vol_seg {
	u32 id;
	int fd;			/* -1 until opened */
	bool direct;
	int err;		/* 0, or why it is absent (then @why says) */
	char why[RVM_SEG_NAME_LEN + 96];
};

/* A segment found at another path than its name (rvm_vol_seg_redirect()). */
struct vol_redir {
	u32 id;
	char *path;
};

struct rvm_vol {
	int fd;
	char *path;
	bool rdonly;
	bool direct;
	u64 size;
	void *bounce;			/* VOL_BOUNCE bytes, VOL_ALIGN-aligned */
	bool have_copies;
	bool have_sb;
	struct rvm_disk_super copy[RVM_SUPER_COPIES];
	int copy_err[RVM_SUPER_COPIES];
	const char *copy_why[RVM_SUPER_COPIES];
	struct rvm_disk_super sb;	/* the copy in force */
	int slot;
	void *segtab_buf;		/* the segment table copy in force */
	struct rvm_segtab segtab;	/* valid while have_sb */
	struct vol_seg *segs;		/* one per table entry (external ones) */
	u32 nsegs;
	struct vol_redir *redir;	/* rvm_vol_seg_redirect() */
	u32 nredir;
};

int vol_bounce(struct rvm_vol *vol);
int vol_raw_flush(struct rvm_vol *vol);
int vol_raw_read(struct rvm_vol *vol, u64 off, void *buf, size_t len);
int vol_raw_write(struct rvm_vol *vol, u64 off, const void *buf, size_t len);
const struct rvm_disk_seg *vol_seg_entry(const struct rvm_vol *vol, u32 id,
					 struct vol_seg **sp);
int vol_seg_open(struct rvm_vol *vol, const struct rvm_disk_seg *e,
		 struct vol_seg *s);

#endif /* _RVM_VOLUME_PRIV_H */
