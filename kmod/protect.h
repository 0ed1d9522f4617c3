/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: write protection of mapped pages (protect.c).
 */
#ifndef _RVM_PROTECT_H
#define _RVM_PROTECT_H

#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "record.h"

struct rvm_volume;
struct rvm_file;
struct pid;
struct vm_fault;

/* Buckets of rvm_prot.txns: running transactions by process. */
#define RVM_PROT_TXN_BITS 6

/**
 * struct rvm_prot - a volume's page protection bookkeeping (protect.c)
 * @lock: protects everything below, every transaction's struct
 *	rvm_ptxn page list, entries and snapshots, and the files' struct
 *	rvm_prot_cache
 * @txns: running transactions (struct rvm_ptxn) by owning process
 * @hash: their pages (struct rvm_tpage) by data segment page index
 */
struct rvm_prot {
	spinlock_t lock; /* see above */
	struct hlist_head txns[1 << RVM_PROT_TXN_BITS];
	struct hlist_head *hash;
};

/**
 * struct rvm_prot_cache - a file's spare protection entries (protect.c)
 * @tps: free struct rvm_tpage entries
 * @snaps: free snapshot pages (on their lru)
 * @ntps: length of @tps
 * @nsnaps: length of @snaps
 * @scratch: a commit's work space, or NULL (taken with xchg())
 *
 * Kept by the transactions' file, so that a fault or a commit takes what
 * it needs without allocating, and charged to whoever allocated it first.
 */
struct rvm_prot_cache {
	struct list_head tps;
	struct list_head snaps;
	u32 ntps;
	u32 nsnaps;
	void *scratch;
};

/**
 * struct rvm_ptxn - a transaction's page protection state (protect.c)
 * @node: in rvm_prot.txns
 * @pages: its pages (struct rvm_tpage)
 * @rf: the file it runs on
 * @tgid: the process that began it: only its writes count
 * @npages: length of @pages
 * @decl: its declaration slot in @rf (decl.c), or -1
 * @sealed: ending: write faults no longer count it
 * @wp_done: sealed, and its pages protected again since
 */
struct rvm_ptxn {
	struct hlist_node node;
	struct list_head pages;
	struct rvm_file *rf;
	struct pid *tgid;
	u32 npages;
	int decl;
	bool sealed;
	bool wp_done;
};

int rvm_prot_vol_init(struct rvm_volume *vol);
void rvm_prot_vol_destroy(struct rvm_volume *vol);
void rvm_prot_file_init(struct rvm_file *rf);
void rvm_prot_file_free(struct rvm_file *rf);
void rvm_prot_txn_begin(struct rvm_volume *vol, struct rvm_ptxn *pt,
			struct rvm_file *rf);
int rvm_prot_declare(struct rvm_volume *vol, struct rvm_ptxn *pt, u64 off,
		     u64 len);
int rvm_prot_read_old(struct rvm_volume *vol, struct rvm_ptxn *pt, u64 off,
		      void *dst, u64 len, const u8 *alt, u32 alt_idx);
vm_fault_t rvm_prot_fault(struct vm_fault *vmf, struct rvm_volume *vol,
			  u32 mode);
int rvm_prot_check(struct rvm_volume *vol, struct rvm_ptxn *pt);
void rvm_prot_seal(struct rvm_volume *vol, struct rvm_ptxn *pt, bool seal);
int rvm_prot_auto_ranges(struct rvm_volume *vol, struct rvm_ptxn *pt,
			 struct rvm_range_src **out, u32 *nout, u64 *bytes);
void rvm_prot_restore(struct rvm_volume *vol, struct rvm_ptxn *pt);
void rvm_prot_txn_end(struct rvm_volume *vol, struct rvm_ptxn *pt);
bool rvm_prot_page_busy(struct rvm_volume *vol, unsigned long idx);

#endif /* _RVM_PROTECT_H */
