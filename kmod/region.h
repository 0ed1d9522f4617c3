/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: the segments' pages and the mappings of them (region.c).
 */
#ifndef _RVM_REGION_H
#define _RVM_REGION_H

#include <linux/types.h>

struct rvm_volume;
struct rvm_file;
struct rvm_rec;
struct rvm_seg_pin;
struct file;
struct vm_area_struct;

int rvm_region_init(void);
void rvm_region_exit(void);
int rvm_region_vol_init(struct rvm_volume *vol);
void rvm_region_vol_quiesce(struct rvm_volume *vol);
void rvm_region_vol_destroy(struct rvm_volume *vol);
u64 rvm_region_resident(struct rvm_volume *vol);
struct rvm_seg_pin *rvm_region_commit_start(struct rvm_volume *vol,
					    const struct rvm_rec *rec);
void rvm_region_commit_done(struct rvm_volume *vol, struct rvm_seg_pin *pin,
			    u64 commit, int err, bool durable);
void rvm_region_bind(struct rvm_volume *vol, struct file *file);
int rvm_region_mmap(struct rvm_file *rf, struct vm_area_struct *vma);
int rvm_region_translate(struct rvm_file *rf, u64 addr, u64 len,
			 int (*fn)(void *arg, u64 off, u64 len, u32 mode),
			 void *arg);
int rvm_region_read(struct rvm_volume *vol, u64 off, void *dst, u64 len);
int rvm_region_write(struct rvm_volume *vol, u64 off, const void *src, u64 len);
int rvm_region_walk(struct rvm_volume *vol, u64 addr, u64 len,
		    int (*fn)(void *arg, u64 off, u64 len), void *arg);

#endif /* _RVM_REGION_H */
