/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: a data segment's pages in memory (segment.c).
 */
#ifndef _RVM_SEGMENT_H
#define _RVM_SEGMENT_H

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

struct rvm_volume;
struct rvm_rec;
struct rvm_seg_pin;
struct inode;
struct page;
struct file_ra_state;

/**
 * struct rvm_segment - a data segment's pages in memory (segment.c)
 * @vol: the volume whose log protects the segment
 * @inode: anon inode: its address_space holds the resident pages of every
 *	segment of the volume, by volume offset, and has every mapping of
 *	them on its i_mmap tree; a page is read from its segment's
 *	endpoint (struct rvm_dseg)
 * @lock: protects @state's entries, @ckpt_commit, @ckpt_lsn, @trunc_commit
 * @state: pages that must stay in memory (dirty), by page index
 * @npinned: entries in @state that a truncation may make clean
 * @pin_limit: above that many, truncate now (@press_work)
 * @press_next: not before this time (jiffies)
 * @ckpt_commit: every commit numbered up to it is durable...
 * @ckpt_lsn: ...and ends before this log position
 * @trunc_commit: every commit numbered up to it is in the segment
 * @press_work: truncation because too many pages are dirty
 * @press_runs: times @press_work ran
 */
struct rvm_segment {
	struct rvm_volume *vol;
	struct inode *inode;
	struct mutex lock; /* see above */
	struct xarray state;
	atomic_long_t npinned;
	unsigned long pin_limit;
	unsigned long press_next;
	u64 ckpt_commit;
	u64 ckpt_lsn;
	u64 trunc_commit;
	struct work_struct press_work;
	atomic64_t press_runs;
};

void rvm_seg_init(struct rvm_segment *seg, struct rvm_volume *vol,
		  struct inode *inode);
void rvm_seg_forget(struct rvm_segment *seg, u64 voff, u64 len);
void rvm_seg_quiesce(struct rvm_segment *seg);
void rvm_seg_destroy(struct rvm_segment *seg);
u64 rvm_seg_resident(struct rvm_segment *seg);
void rvm_seg_kick(struct rvm_segment *seg);
struct page *rvm_seg_get_page(struct rvm_segment *seg, unsigned long idx);
struct page *rvm_seg_fault_page(struct rvm_segment *seg, unsigned long idx,
				struct file_ra_state *ra);
int rvm_seg_mkwrite(struct rvm_segment *seg, struct page *page, bool off_mode,
		    gfp_t gfp);
int rvm_seg_copy(struct rvm_segment *seg, u64 off, void *buf, u64 len,
		 bool to_pages);
struct rvm_seg_pin *rvm_seg_commit_start(struct rvm_segment *seg,
					 const struct rvm_rec *rec);
void rvm_seg_commit_done(struct rvm_segment *seg, struct rvm_seg_pin *pin,
			 u64 commit, int err, bool durable);
void rvm_seg_checkpoint(struct rvm_segment *seg, u64 commit, u64 lsn);
u64 rvm_seg_trunc_begin(struct rvm_segment *seg);
void rvm_seg_truncated(struct rvm_segment *seg, u64 commit);

#endif /* _RVM_SEGMENT_H */
