/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: the log writer's staging buffer (logbuf.c, struct rvm_log_out in
 * rvm.h), used by log.c.
 */
#ifndef _RVM_LOGBUF_H
#define _RVM_LOGBUF_H

#include "rvm.h"

void rvm_log_out_init(struct rvm_log_out *o, struct rvm_volume *vol, u8 *buf,
		      size_t size, u64 tail);
int rvm_log_out_write(struct rvm_log_out *o);
int rvm_log_out_rec(struct rvm_log_out *o, const struct rvm_rec *rec, u64 lsn,
		    u64 seq, u32 next);
int rvm_log_out_pad(struct rvm_log_out *o, u64 lsn, u64 seq);
int rvm_log_out_submit(struct rvm_log_out *o, struct rvm_bio_async *a);
void rvm_log_out_done(struct rvm_log_out *o);

#endif /* _RVM_LOGBUF_H */
