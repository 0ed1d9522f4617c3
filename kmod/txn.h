/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: the transactions of one file (txn.c).
 */
#ifndef _RVM_TXN_H
#define _RVM_TXN_H

#include <linux/types.h>

struct rvm_file;
struct io_uring_cmd;

int rvm_txn_begin(struct rvm_file *rf, u32 flags, u64 *tid, u32 *slot);
int rvm_txn_set_range(struct rvm_file *rf, u64 tid, u64 addr, u64 len);
int rvm_txn_end(struct rvm_file *rf, u64 tid, u32 flags, u64 *seq,
		struct io_uring_cmd *ucmd);
int rvm_txn_abort(struct rvm_file *rf, u64 tid);
void rvm_txn_cancel(struct rvm_file *rf, u64 tid);
void rvm_txn_release_all(struct rvm_file *rf);
int rvm_txn_unmap(struct rvm_file *rf, u64 addr, u64 len);

#endif /* _RVM_TXN_H */
