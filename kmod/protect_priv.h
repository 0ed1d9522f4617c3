/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: what protect.c (a transaction's pages: declaring, faulting them
 * in, arming) and protect_end.c (the end of a transaction: the compare,
 * the auto diff, the abort's restore, re-protection, the hand-over to
 * other transactions) share. The design is in protect.c's header comment.
 */
#ifndef _RVM_PROTECT_PRIV_H
#define _RVM_PROTECT_PRIV_H

#include <linux/bitmap.h>
#include <linux/hash.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/types.h>

#include "protect.h"

#define RVM_PROT_HASH_BITS 12

/* Two runs of changed bytes closer than a range descriptor are merged. */
#define RVM_PROT_MERGE_GAP 16

/* Runs of one page, merged across RVM_PROT_MERGE_GAP: never more. */
#define RVM_PROT_MAX_RUNS (PAGE_SIZE / (RVM_PROT_MERGE_GAP + 2) + 1)

/**
 * struct rvm_tpage - a page a running transaction declared or wrote
 * @hnode: in the volume's hash, by @idx
 * @node: on the transaction's list
 * @pt: the transaction
 * @idx: data segment page index
 * @page: the volume's page, once written (set with @snap)
 * @snap: the page as it was before the transaction's first write, or NULL
 * @full: every byte of the page is declared
 * @partial: some bytes are, those in @mask
 * @mask: with @partial, the declared bytes
 * @autop: the page joined by a write in auto mode
 * @pend: the page joined by a write that a range in the transaction's
 *	declaration slot covers
 * @snap_next: entries of the transaction's declaration slot reserved when
 *	@snap was taken (see rvm_prot_read_old())
 */
struct rvm_tpage {
	struct hlist_node hnode;
	struct list_head node;
	struct rvm_ptxn *pt;
	unsigned long idx;
	struct page *page;
	struct page *snap;
	bool full;
	bool partial;
	bool autop;
	bool pend;
	u32 snap_next;
	unsigned long mask[BITS_TO_LONGS(PAGE_SIZE)];
};

/* Spare entries and snapshot pages a file keeps (struct rvm_prot_cache). */
#define RVM_PROT_CACHE_MAX 64

/* A run of bytes in a page. */
struct rvm_prot_run {
	u16 start;
	u16 len;
};

/* Work space of a commit or an abort, allocated with no lock held. */
struct rvm_prot_scratch {
	DECLARE_BITMAP(skip, PAGE_SIZE);
	DECLARE_BITMAP(own, PAGE_SIZE);
	struct rvm_prot_run runs[RVM_PROT_MAX_RUNS];
};

static inline struct hlist_head *rvm_prot_bucket(struct rvm_prot *prot,
						 unsigned long idx)
{
	return &prot->hash[hash_long(idx, RVM_PROT_HASH_BITS)];
}

/* The running transactions of process @tgid are in this bucket. */
static inline struct hlist_head *rvm_prot_txns(struct rvm_prot *prot,
					       struct pid *tgid)
{
	return &prot->txns[hash_ptr(tgid, RVM_PROT_TXN_BITS)];
}

static inline bool rvm_tpage_declared(const struct rvm_tpage *tp)
{
	return tp->full || tp->partial || tp->pend;
}

struct rvm_prot_scratch *rvm_prot_scratch_get(struct rvm_file *rf, gfp_t gfp);
void rvm_prot_scratch_put(struct rvm_file *rf, struct rvm_prot_scratch *s);

#endif /* _RVM_PROTECT_PRIV_H */
