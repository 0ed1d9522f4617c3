// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: sets of disjoint byte ranges, optionally with bytes attached.
 *
 * Used for a transaction's declared ranges (with the old bytes saved for
 * abort: a byte keeps the value it had when first declared) and for
 * coalescing records in the spool (a byte takes the newest value). Adding
 * a range merges it with every range it overlaps or touches, so the set
 * stays sorted, disjoint and non-adjacent; a sorted array, since a
 * transaction declares few ranges and walks them in order.
 */
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "rangeset.h"

/**
 * rvm_rs_init() - make an empty set
 * @rs: the set
 * @with_data: whether ranges carry their bytes
 */
void rvm_rs_init(struct rvm_rangeset *rs, bool with_data)
{
	memset(rs, 0, sizeof(*rs));
	rs->with_data = with_data;
}

/**
 * rvm_rs_free() - free a set's memory and make it empty
 * @rs: the set
 */
void rvm_rs_free(struct rvm_rangeset *rs)
{
	u32 i;

	for (i = 0; i < rs->n; i++)
		kvfree(rs->v[i].buf);
	kvfree(rs->v);
	rvm_rs_init(rs, rs->with_data);
}

/* First range that ends at or after @off (touching counts). */
static u32 rvm_rs_first(const struct rvm_rangeset *rs, u64 off)
{
	u32 lo = 0, hi = rs->n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (rs->v[mid].off + rs->v[mid].len < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int rvm_rs_grow(struct rvm_rangeset *rs)
{
	u32 cap = rs->cap ? rs->cap * 2 : 8;
	struct rvm_rs_ent *v;

	if (rs->n < rs->cap)
		return 0;
	v = kvmalloc_array(cap, sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	if (rs->n)
		memcpy(v, rs->v, rs->n * sizeof(*v));
	kvfree(rs->v);
	rs->v = v;
	rs->cap = cap;
	return 0;
}

/* Fill @dst (the union's bytes [u_off, u_off + u_len)) for rvm_rs_add(). */
static int rvm_rs_merge_data(struct rvm_rangeset *rs, u32 first, u32 last,
			     u8 *dst, u64 u_off, u64 u_len, u64 off, u64 len,
			     bool newest_wins, const u8 *src,
			     rvm_rs_fill_t fill, void *arg)
{
	u64 pos = u_off, end = u_off + u_len;
	u32 i = first;
	int ret;

	while (pos < end) {
		struct rvm_rs_ent *e = i < last ? &rs->v[i] : NULL;
		bool in_new = pos >= off && pos < off + len;
		u64 stop;

		if (e && pos >= e->off && !(newest_wins && in_new)) {
			/* An old byte that stays. */
			stop = e->off + e->len;
			if (newest_wins && pos < off)
				stop = min(stop, off);
			memcpy(dst + (pos - u_off), e->buf + (pos - e->off),
			       stop - pos);
		} else {
			/* A byte of the new range. */
			stop = off + len;
			if (!newest_wins && e)
				stop = min(stop, e->off);
			if (src)
				memcpy(dst + (pos - u_off), src + (pos - off),
				       stop - pos);
			else if (fill) {
				ret = fill(arg, pos, dst + (pos - u_off),
					   stop - pos);
				if (ret)
					return ret;
			}
		}
		if (WARN_ON_ONCE(stop <= pos))
			return -EINVAL;
		pos = stop;
		while (i < last && rs->v[i].off + rs->v[i].len <= pos)
			i++;
	}
	return 0;
}

/**
 * rvm_rs_add() - add a range, merging it with the ranges it overlaps or
 * touches
 * @rs: the set
 * @off: first byte
 * @len: number of bytes, > 0
 * @newest_wins: in a set with data, where the new range overlaps old ones,
 *	take the new bytes (true) or keep the old ones (false)
 * @src: the new range's bytes, or NULL to get them from @fill
 * @fill: called for new bytes when @src is NULL
 * @arg: for @fill
 *
 * On failure the set is unchanged.
 *
 * Return: 0, -ENOMEM, or what @fill returned.
 */
int rvm_rs_add(struct rvm_rangeset *rs, u64 off, u64 len, bool newest_wins,
	       const u8 *src, rvm_rs_fill_t fill, void *arg)
{
	u32 first, last, i;
	u64 u_off, u_end;
	u8 *buf = NULL;
	int ret;

	if (!len)
		return -EINVAL;
	ret = rvm_rs_grow(rs);
	if (ret)
		return ret;

	first = rvm_rs_first(rs, off);
	last = first;
	while (last < rs->n && rs->v[last].off <= off + len)
		last++;

	u_off = off;
	u_end = off + len;
	if (last > first) {
		u_off = min(u_off, rs->v[first].off);
		u_end = max(u_end, rs->v[last - 1].off + rs->v[last - 1].len);
	}

	if (rs->with_data) {
		buf = kvmalloc(u_end - u_off, GFP_KERNEL_ACCOUNT);
		if (!buf)
			return -ENOMEM;
		ret = rvm_rs_merge_data(rs, first, last, buf, u_off,
					u_end - u_off, off, len, newest_wins,
					src, fill, arg);
		if (ret) {
			kvfree(buf);
			return ret;
		}
	}

	for (i = first; i < last; i++) {
		rs->bytes -= rs->v[i].len;
		kvfree(rs->v[i].buf);
	}
	if (last == first) {
		memmove(&rs->v[first + 1], &rs->v[first],
			(rs->n - first) * sizeof(rs->v[0]));
		rs->n++;
	} else if (last > first + 1) {
		memmove(&rs->v[first + 1], &rs->v[last],
			(rs->n - last) * sizeof(rs->v[0]));
		rs->n -= last - first - 1;
	}
	rs->v[first].off = u_off;
	rs->v[first].len = u_end - u_off;
	rs->v[first].buf = buf;
	rs->bytes += u_end - u_off;
	return 0;
}

/**
 * rvm_rs_covers() - is a range entirely inside the set?
 * @rs: the set
 * @off: first byte
 * @len: number of bytes
 *
 * Return: true if every byte of [@off, @off + @len) is in the set.
 */
bool rvm_rs_covers(const struct rvm_rangeset *rs, u64 off, u64 len)
{
	u32 i = rvm_rs_first(rs, off + 1);

	/* Ranges never touch, so one range must hold it all. */
	return i < rs->n && rs->v[i].off <= off &&
	       rs->v[i].off + rs->v[i].len >= off + len;
}

/**
 * rvm_rs_overlaps() - does a range share a byte with the set?
 * @rs: the set
 * @off: first byte
 * @len: number of bytes
 *
 * Return: true if some byte of [@off, @off + @len) is in the set.
 */
bool rvm_rs_overlaps(const struct rvm_rangeset *rs, u64 off, u64 len)
{
	u32 i = rvm_rs_first(rs, off + 1);

	return i < rs->n && rs->v[i].off < off + len;
}
