/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: the /dev/rvm device and its open files (dev.c).
 */
#ifndef _RVM_DEV_H
#define _RVM_DEV_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include "protect.h"

struct rvm_volume;
struct rvm_decl_slot;

/**
 * struct rvm_file - an open /dev/rvm
 * @lock: protects @vol and @txns' membership
 * @vol: the bound volume, or NULL
 * @txns: running transactions by id
 * @prot_mode: RVM_PROT_* mode the next mmap() of the file gets
 * @decl: the declaration area (decl.c), once mapped
 * @decl_used: its slots that belong to a running transaction
 * @txn_next: cursor of the cyclic id allocation in @txns: an id comes back
 *	only after 2^32 - 1 others (a stale END never commits a newer
 *	transaction)
 * @ntxns: running transactions (at most rvm_param_max_txns)
 * @declared: bytes declared by them (at most rvm_param_max_declared_mb)
 * @pcache: spare page protection entries of its transactions
 */
struct rvm_file {
	struct mutex lock; /* protects @vol and @txns' membership */
	struct rvm_volume *vol;
	struct xarray txns;
	u32 txn_next;
	atomic_t ntxns;
	atomic64_t declared;
	u32 prot_mode;
	struct rvm_decl_slot *decl;
	unsigned long decl_used;
	struct rvm_prot_cache pcache;
};

int rvm_dev_init(void);
void rvm_dev_exit(void);

#endif /* _RVM_DEV_H */
