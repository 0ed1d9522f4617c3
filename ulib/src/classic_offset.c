// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librvm: rvm_offset_t arithmetic and page rounding, the functions behind
 * the RVM_*_OFFSET* and RVM_ROUND_* macros of <rvm/rvm.h>.
 *
 * An offset is high * 2^N + low, N the width of rvm_length_t; arithmetic
 * is modulo 2^2N, carries and borrows cross from low to high. On LP64 a
 * 64-bit offset is all in low, so high only ever holds carries out of 64
 * bits; on ILP32 high:low are the two halves of a 64-bit offset. The same
 * code serves both.
 */
#include <unistd.h>

#include <rvm/rvm.h>

rvm_offset_t rvm_mk_offset(rvm_length_t high, rvm_length_t low)
{
	rvm_offset_t r = { high, low };

	return r;
}

rvm_offset_t rvm_add_offsets(const rvm_offset_t *x, const rvm_offset_t *y)
{
	rvm_offset_t r;

	r.low = x->low + y->low;
	r.high = x->high + y->high + (r.low < x->low);
	return r;
}

rvm_offset_t rvm_add_length_to_offset(const rvm_offset_t *x,
				      rvm_length_t len)
{
	rvm_offset_t y = { 0, len };

	return rvm_add_offsets(x, &y);
}

rvm_offset_t rvm_sub_offsets(const rvm_offset_t *x, const rvm_offset_t *y)
{
	rvm_offset_t r;

	r.low = x->low - y->low;
	r.high = x->high - y->high - (x->low < y->low);
	return r;
}

rvm_offset_t rvm_sub_length_from_offset(const rvm_offset_t *x,
					rvm_length_t len)
{
	rvm_offset_t y = { 0, len };

	return rvm_sub_offsets(x, &y);
}

rvm_length_t rvm_page_size(void)
{
	/* glibc answers from memory: no system call. */
	long sz = sysconf(_SC_PAGESIZE);

	return sz > 0 ? (rvm_length_t)sz : 4096;
}

rvm_length_t rvm_page_mask(void)
{
	return ~(rvm_page_size() - 1);
}

rvm_offset_t rvm_rnd_offset_up_to_page(const rvm_offset_t *x)
{
	rvm_offset_t r = rvm_add_length_to_offset(x, rvm_page_size() - 1);

	/* The page size divides 2^N: rounding low alone is exact. */
	r.low &= rvm_page_mask();
	return r;
}

rvm_offset_t rvm_rnd_offset_dn_to_page(const rvm_offset_t *x)
{
	rvm_offset_t r = *x;

	r.low &= rvm_page_mask();
	return r;
}
