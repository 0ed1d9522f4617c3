/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: an attached volume, its counters (volume.c).
 */
#ifndef _RVM_VOLUME_H
#define _RVM_VOLUME_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <linux/rvm.h>

#include "endpoint.h"
#include "log.h"
#include "protect.h"
#include "record.h"
#include "recovery.h"
#include "segment.h"
#include "truncate.h"

struct rvm_tabcopy;
struct inode;

/**
 * struct rvm_stats - a volume's counters (see struct rvm_status)
 */
struct rvm_stats {
	atomic64_t commits;
	atomic64_t flush_commits;
	atomic64_t aborts;
	atomic64_t log_writes;
	atomic64_t log_flushes;
	atomic64_t log_preflushes;
	atomic64_t flush_calls;
	atomic64_t bytes_declared;
	atomic64_t bytes_logged;
	atomic64_t bytes_coalesced;
	atomic64_t truncations;
	atomic64_t bytes_truncated;
	atomic64_t log_full_waits;
	atomic64_t violations;
	atomic64_t prot_faults;
	atomic64_t snapshots;
	atomic64_t auto_bytes;
	atomic64_t set_range_calls;
	atomic64_t decl_ranges;
	u64 recovery_ns;
	u64 recovery_records;
	u64 recovery_bytes;
};

/**
 * struct rvm_volume - an attached volume
 * @node: in rvm_volumes
 * @kref: references: the attachment, bound files, running operations
 * @id: small integer naming the volume in the ioctls
 * @path: the device path given at attach
 * @back: the block device or regular file it lives in (endpoint.h); its
 *	identity finds the volume from a path or an fd
 * @log_ep: the log's endpoint on it: superblocks, segment table copies
 *	and log area
 * @eps: the log and the segments, as the shared recovery code addresses
 *	them (by segment id)
 * @geom: byte geometry of the volume (record.h); @geom.segtab is the
 *	segment table in force (@tab)
 * @dsegs: the data segments of the table (struct rvm_dseg), by id
 * @tab: the segment table copy in force (dseg.c)
 * @old_tabs: tables replaced since attach, freed at release (@geom.segtab
 *	is read without a lock by the log writer)
 * @removed: segments removed since attach (struct rvm_dseg), freed at
 *	release
 * @segtab_lock: serialises segment table changes (dseg.c)
 * @maps_lock: protects every segment's @maps and @removing
 * @sb: the superblock last written
 * @sb_lock: serialises superblock writes
 * @binders: files bound to the volume (detach refuses while non-zero)
 * @failed: an I/O error happened: the volume is read-only until detached;
 *	the one failure state, the log's too (log_priv.h), set only by
 *	rvm_volume_fail()
 * @truncate_pct: background truncation threshold, % of the log
 * @spool_delay_ms: longest time a no_flush commit waits to be durable
 * @seg: the page store of all its segments: the pages in memory, indexed
 *	by volume offset (RVM_SEG_OFFSET()) >> PAGE_SHIFT
 * @inode: @seg's inode, whose address_space every mapping of the volume
 *	uses (protect.c)
 * @prot: page protection bookkeeping
 * @log: the redo log
 * @trunc: its truncation
 * @stats: counters
 */
struct rvm_volume {
	struct list_head node;
	struct kref kref;
	u32 id;
	char *path;
	struct rvm_backing back;
	struct rvm_endpoint log_ep;
	struct rvm_ep_set eps;
	struct rvm_geom geom;
	struct xarray dsegs;
	struct rvm_tabcopy *tab;
	struct list_head old_tabs;
	struct list_head removed;
	struct mutex segtab_lock; /* serialises segment table changes */
	spinlock_t maps_lock; /* rvm_dseg.maps and .removing */
	struct rvm_disk_super sb;
	struct mutex sb_lock; /* serialises superblock writes */
	atomic_t binders;
	bool failed;
	u32 truncate_pct;
	u32 spool_delay_ms;
	struct rvm_segment seg;
	struct inode *inode;
	struct rvm_prot prot;
	struct rvm_log log;
	struct rvm_trunc trunc;
	struct rvm_stats stats;
};

int rvm_volume_attach(const char *path, u32 truncate_pct, u32 spool_delay_ms,
		      u32 *id);
int rvm_volume_detach(struct rvm_volume *vol);
struct rvm_volume *rvm_volume_get(const struct rvm_volume_ref *ref,
				  bool need_rw);
void rvm_volume_put(struct rvm_volume *vol);
int rvm_volume_bind(struct rvm_volume *vol);
void rvm_volume_unbind(struct rvm_volume *vol);
void rvm_volume_detach_all(void);
int rvm_volume_write_super(struct rvm_volume *vol, u64 head_lsn, u64 head_seq,
			   u32 flags);
int rvm_volume_write_segtab(struct rvm_volume *vol, u64 gen, u32 crc);
void rvm_volume_fail(struct rvm_volume *vol, int err, const char *what);
void rvm_volume_status(struct rvm_volume *vol, struct rvm_status *st);

#endif /* _RVM_VOLUME_H */
