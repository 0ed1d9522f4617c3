/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: truncation: apply the log to the data segments, move the head
 * (truncate.c).
 */
#ifndef _RVM_TRUNCATE_H
#define _RVM_TRUNCATE_H

#include <linux/types.h>

struct rvm_volume;
struct work_struct;

int rvm_truncate(struct rvm_volume *vol);
void rvm_truncate_work(struct work_struct *work);
void rvm_truncate_kick(struct rvm_volume *vol);

#endif /* _RVM_TRUNCATE_H */
