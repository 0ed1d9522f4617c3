/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: the declaration slots of a file (decl.c).
 */
#ifndef _RVM_DECL_H
#define _RVM_DECL_H

#include <linux/types.h>
#include <linux/rvm.h>

struct rvm_file;
struct vm_area_struct;

int rvm_decl_mmap(struct rvm_file *rf, struct vm_area_struct *vma);
void rvm_decl_free(struct rvm_file *rf);
int rvm_decl_get(struct rvm_file *rf, u64 tid, u32 flags);
void rvm_decl_put(struct rvm_file *rf, int slot);
bool rvm_decl_next(struct rvm_file *rf, int slot, u32 *pos,
		   struct rvm_decl_entry *e);
const u8 *rvm_decl_data(struct rvm_file *rf, int slot,
			const struct rvm_decl_entry *e);
u32 rvm_decl_reserved(struct rvm_file *rf, int slot);
bool rvm_decl_covers_addr(struct rvm_file *rf, int slot, u64 start, u64 len);
bool rvm_decl_overlaps(struct rvm_file *rf, int slot, u64 off, u64 len);
void rvm_decl_mark(struct rvm_file *rf, int slot, unsigned long idx,
		   unsigned long *mask);

#endif /* _RVM_DECL_H */
