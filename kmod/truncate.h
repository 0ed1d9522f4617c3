/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: truncation: apply the log to the data segments, move the head
 * (truncate.c).
 */
#ifndef _RVM_TRUNCATE_H
#define _RVM_TRUNCATE_H

#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct rvm_volume;

/**
 * struct rvm_trunc - a volume's truncation (truncate.c)
 * @work: background truncation (rvm_truncate_kick())
 * @lock: one truncation at a time
 */
struct rvm_trunc {
	struct work_struct work;
	struct mutex lock; /* one truncation at a time */
};

void rvm_truncate_init(struct rvm_volume *vol);
void rvm_truncate_stop(struct rvm_volume *vol);
int rvm_truncate(struct rvm_volume *vol);
void rvm_truncate_kick(struct rvm_volume *vol);

#endif /* _RVM_TRUNCATE_H */
