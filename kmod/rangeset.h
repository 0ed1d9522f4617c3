/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: sets of disjoint byte ranges, optionally with bytes attached.
 */
#ifndef _RVM_RANGESET_H
#define _RVM_RANGESET_H

#include <linux/types.h>

/**
 * struct rvm_rs_ent - one range of a set
 * @off: first byte
 * @len: number of bytes
 * @buf: the range's bytes, or NULL in a set without data
 */
struct rvm_rs_ent {
	u64 off;
	u64 len;
	u8 *buf;
};

/**
 * struct rvm_rangeset - disjoint, non-adjacent ranges sorted by offset
 * @v: the ranges
 * @n: their number
 * @cap: room in @v
 * @bytes: sum of their lengths
 * @with_data: each range carries its bytes
 */
struct rvm_rangeset {
	struct rvm_rs_ent *v;
	u32 n;
	u32 cap;
	u64 bytes;
	bool with_data;
};

/**
 * typedef rvm_rs_fill_t - fills bytes of a new range
 * @arg: the caller's argument
 * @off: first byte to fill
 * @dst: where
 * @len: how many
 *
 * Return: 0 or a negative errno.
 */
typedef int (*rvm_rs_fill_t)(void *arg, u64 off, void *dst, u64 len);

void rvm_rs_init(struct rvm_rangeset *rs, bool with_data);
void rvm_rs_free(struct rvm_rangeset *rs);
int rvm_rs_add(struct rvm_rangeset *rs, u64 off, u64 len, bool newest_wins,
	       const u8 *src, rvm_rs_fill_t fill, void *arg);
bool rvm_rs_covers(const struct rvm_rangeset *rs, u64 off, u64 len);
bool rvm_rs_overlaps(const struct rvm_rangeset *rs, u64 off, u64 len);

#endif /* _RVM_RANGESET_H */
