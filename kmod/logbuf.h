/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: the log writer's staging buffer (logbuf.c), used by log.c.
 */
#ifndef _RVM_LOGBUF_H
#define _RVM_LOGBUF_H

#include "rvm.h"

/*
 * The staging buffer: bytes of the log from lsn @start (sector aligned) on.
 * It never holds bytes of two laps, and it is written in whole sectors.
 */
struct rvm_log_out {
	struct rvm_volume *vol;
	u8 *buf;
	size_t size;
	u64 start;
	size_t fill;
};

int rvm_log_out_write(struct rvm_log_out *o, blk_opf_t flags);
int rvm_log_out_rec(struct rvm_log_out *o, const struct rvm_rec *rec, u64 lsn,
		    u64 seq, u32 next);
int rvm_log_out_pad(struct rvm_log_out *o, u64 lsn, u64 seq);

#endif /* _RVM_LOGBUF_H */
