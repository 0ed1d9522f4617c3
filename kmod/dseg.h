/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: the segment table and the data segments (dseg.c).
 */
#ifndef _RVM_DSEG_H
#define _RVM_DSEG_H

#include <linux/list.h>
#include <linux/types.h>
#include <linux/rvm.h>

#include "endpoint.h"
#include "record.h"

struct rvm_volume;
struct rvm_rec;

/* Volume offsets (uapi RVM_SEG_OFFSET()): segment id and offset in it. */
#define RVM_VOFF_SEG(voff) ((u32)((voff) >> RVM_SEG_SHIFT))
#define RVM_VOFF_OFF(voff) ((voff) & (RVM_SEG_MAX_SIZE - 1))

/**
 * struct rvm_tabcopy - a segment table copy in memory (dseg.c)
 * @node: in rvm_volume.old_tabs once replaced
 * @t: the validated table, pointing into @buf
 * @len: bytes of @buf (rvm_segtab_bytes())
 * @buf: the copy as on disk (kvmalloc, block aligned for direct I/O)
 */
struct rvm_tabcopy {
	struct list_head node;
	struct rvm_segtab t;
	size_t len;
	u8 *buf;
};

/**
 * struct rvm_dseg - one data segment of a volume (dseg.c)
 * @id: its id in the segment table
 * @flags: RVM_DSEG_* kind
 * @size: its size in bytes, as the table says
 * @ident: its identity, as the table says (@ident.dev the kernel's dev_t)
 * @back: an external segment's block device or file, open unless @absent
 * @ep: its endpoint: all of @back, or segment 0 on the log's own device
 * @absent: not opened at attach: missing, replaced, too small, ...
 * @why: why it is absent, for the kernel log
 * @name: the path it was added by ("" for segment 0 inside the log)
 * @maps: vmas mapping it (under rvm_volume.maps_lock)
 * @removing: being removed: no new mapping, no new use (written under
 *	rvm_volume.maps_lock, read without it by rvm_dseg_check_use())
 * @last_commit: the newest commit number whose record names it
 * @node: in rvm_volume.removed once removed
 */
struct rvm_dseg {
	u32 id;
	u32 flags;
	u64 size;
	struct rvm_ident ident;
	struct rvm_backing back;
	struct rvm_endpoint ep;
	bool absent;
	char why[96];
	char name[RVM_SEG_NAME_LEN];
	long maps;
	bool removing;
	u64 last_commit;
	struct list_head node;
};

struct rvm_dseg *rvm_dseg_find(struct rvm_volume *vol, u32 id);
int rvm_dseg_check(struct rvm_volume *vol, u64 voff, u64 len);
int rvm_dseg_check_use(struct rvm_volume *vol, u64 voff, u64 len);
int rvm_dseg_use_begin(struct rvm_volume *vol) __acquires(rvm_dseg_srcu);
void rvm_dseg_use_end(struct rvm_volume *vol, int cookie)
	__releases(rvm_dseg_srcu);
int rvm_dseg_load(struct rvm_volume *vol);
int rvm_dseg_check_pending(struct rvm_volume *vol);
void rvm_dseg_close_all(struct rvm_volume *vol);
void rvm_dseg_free_all(struct rvm_volume *vol);
int rvm_dseg_map(struct rvm_volume *vol, u64 voff, u64 len);
void rvm_dseg_unmap(struct rvm_volume *vol, u64 voff, long n);
int rvm_dseg_add(struct rvm_volume *vol, const char *path, u32 *id, u64 *size);
int rvm_dseg_remove(struct rvm_volume *vol, u32 id);
int rvm_dseg_info(struct rvm_volume *vol, u32 index, struct rvm_seg_info *si);
void rvm_dseg_committed(struct rvm_volume *vol, const struct rvm_rec *rec);

#endif /* _RVM_DSEG_H */
