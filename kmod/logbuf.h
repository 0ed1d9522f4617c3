/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: the log writer's insides, shared by log.c, batch.c and logbuf.c:
 * the batches (batch.c) and the staging buffer (logbuf.c, struct
 * rvm_log_out in rvm.h).
 */
#ifndef _RVM_LOGBUF_H
#define _RVM_LOGBUF_H

#include "log.h"

/* Long waits wake up this often (and so never look like hung tasks). */
#define RVM_LOG_WAIT_SLICE (10 * HZ)

void rvm_log_run(struct rvm_volume *vol, bool worker, struct list_head *done,
		 struct rvm_rec *self);
void rvm_log_finish(struct rvm_volume *vol, bool worker, struct rvm_rec *self);
void rvm_log_fail(struct rvm_volume *vol, int err);
void rvm_log_done_work(struct work_struct *work);

/* spool.c: inter-transaction coalescing */
void rvm_spool_merge(struct rvm_volume *vol, struct list_head *take);

void rvm_log_out_init(struct rvm_log_out *o, struct rvm_volume *vol, u8 *buf,
		      size_t size, u64 tail);
int rvm_log_out_write(struct rvm_log_out *o);
int rvm_log_out_rec(struct rvm_log_out *o, const struct rvm_rec *rec, u64 lsn,
		    u64 seq, u32 next);
int rvm_log_out_pad(struct rvm_log_out *o, u64 lsn, u64 seq);
int rvm_log_out_submit(struct rvm_log_out *o, struct rvm_bio_async *a);
void rvm_log_out_done(struct rvm_log_out *o);

#endif /* _RVM_LOGBUF_H */
