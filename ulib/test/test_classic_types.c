// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit test of the pure parts of the classic interface: the values of
 * <rvm/rvm.h>, rvm_offset_t arithmetic, page rounding, print names, and
 * the descriptor functions. Needs no kernel module.
 *
 * One line per case; exit 0 if all pass, 1 if any fails.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rvm/rvm.h>
#include <rvm/rvm_segment.h>

#include "../src/classic_internal.h"

/* The interface's values, checked at compile time. */
_Static_assert(rvm_false == 0 && rvm_true == 1, "rvm_bool_t");
_Static_assert(rvm_first_struct_id == 39 && rvm_region_id == 40 &&
	       rvm_options_id == 41 && rvm_tid_id == 42 &&
	       rvm_statistics_id == 43 && rvm_last_struct_id == 44,
	       "rvm_struct_id_t");
_Static_assert(rvm_first_mode == 139 && restore == 140 &&
	       no_restore == 141 && flush == 142 && no_flush == 143 &&
	       rvm_last_mode == 144, "rvm_mode_t");
_Static_assert(sizeof(rvm_return_t) == sizeof(int), "rvm_return_t");
_Static_assert(sizeof(rvm_length_t) == sizeof(unsigned long) &&
	       (rvm_length_t)-1 > 0, "rvm_length_t");
_Static_assert(sizeof(rvm_length_t) >= sizeof(char *), "rvm_length_t");
_Static_assert(RVM_COALESCE_RANGES == 1 && RVM_COALESCE_TRANS == 2 &&
	       RVM_ALL_OPTIMIZATIONS == 3 && RVM_MAP_PRIVATE == 8, "flags");
_Static_assert(TRUNCATE == 50 && RECOVERY_BUF_LEN == 256 * 1024 &&
	       MIN_RECOVERY_BUF_LEN == 64 * 1024 &&
	       FLUSH_BUF_LEN == 256 * 1024 &&
	       MIN_FLUSH_BUF_LEN == 64 * 1024 && MAX_READ_LEN == 512 * 1024,
	       "option constants");
_Static_assert(RVM_ESEGMENT_HDR == 2000, "RVM_ESEGMENT_HDR");

/* Field order of the descriptors, as the classic interface lists it. */
#define ORDER2(t, a, b) \
	_Static_assert(offsetof(t, a) < offsetof(t, b), #t ": " #a " " #b)
ORDER2(rvm_offset_t, high, low);
ORDER2(rvm_tid_t, struct_id, from_heap);
ORDER2(rvm_tid_t, from_heap, uname);
ORDER2(rvm_tid_t, uname, tid);
ORDER2(rvm_tid_t, tid, reserved);
ORDER2(rvm_options_t, struct_id, from_heap);
ORDER2(rvm_options_t, from_heap, log_dev);
ORDER2(rvm_options_t, log_dev, truncate);
ORDER2(rvm_options_t, truncate, recovery_buf_len);
ORDER2(rvm_options_t, recovery_buf_len, flush_buf_len);
ORDER2(rvm_options_t, flush_buf_len, max_read_len);
ORDER2(rvm_options_t, max_read_len, log_empty);
ORDER2(rvm_options_t, log_empty, pager);
ORDER2(rvm_options_t, pager, n_uncommit);
ORDER2(rvm_options_t, n_uncommit, tid_array);
ORDER2(rvm_options_t, tid_array, flags);
ORDER2(rvm_options_t, flags, create_log_file);
ORDER2(rvm_options_t, create_log_file, create_log_size);
ORDER2(rvm_options_t, create_log_size, create_log_mode);
ORDER2(rvm_region_t, struct_id, from_heap);
ORDER2(rvm_region_t, from_heap, data_dev);
ORDER2(rvm_region_t, data_dev, dev_length);
ORDER2(rvm_region_t, dev_length, offset);
ORDER2(rvm_region_t, offset, vmaddr);
ORDER2(rvm_region_t, vmaddr, length);
ORDER2(rvm_region_t, length, no_copy);
ORDER2(rvm_region_def_t, offset, length);
ORDER2(rvm_region_def_t, length, vmaddr);
_Static_assert(offsetof(rvm_tid_t, struct_id) == 0 &&
	       offsetof(rvm_options_t, struct_id) == 0 &&
	       offsetof(rvm_region_t, struct_id) == 0 &&
	       offsetof(rvm_statistics_t, struct_id) == 0, "struct_id first");

/* An offset as one wide number: high * 2^N + low, modulo 2^2N. */
#if ULONG_MAX > 0xffffffffUL
typedef unsigned __int128 wide_t;
#else
typedef uint64_t wide_t;
#endif
#define NBITS (sizeof(rvm_length_t) * CHAR_BIT)

static wide_t wide(rvm_offset_t x)
{
	return ((wide_t)x.high << NBITS) | x.low;
}

static rvm_offset_t unwide(wide_t w)
{
	return rvm_mk_offset((rvm_length_t)(w >> NBITS), (rvm_length_t)w);
}

static int failed;
static int case_failed;

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			if (!case_failed) \
				printf("FAIL "); \
			printf("[line %d: %s] ", __LINE__, #cond); \
			case_failed = 1; \
		} \
	} while (0)

static void run(const char *name, void (*fn)(void))
{
	case_failed = 0;
	fn();
	if (case_failed) {
		printf("%s\n", name);
		failed = 1;
	} else {
		printf("ok   %s\n", name);
	}
}

static void t_return_codes(void)
{
	static const struct {
		int value, expect;
	} codes[] = {
		{ RVM_SUCCESS, 0 }, { RVM_EINIT, 200 }, { RVM_EINTERNAL, 201 },
		{ RVM_EIO, 202 }, { RVM_ELOG, 204 },
		{ RVM_ELOG_VERSION_SKEW, 205 }, { RVM_EMODE, 206 },
		{ RVM_ENAME_TOO_LONG, 207 }, { RVM_ENO_MEMORY, 208 },
		{ RVM_ENOT_MAPPED, 209 }, { RVM_EOFFSET, 210 },
		{ RVM_EOPTIONS, 211 }, { RVM_EOVERLAP, 212 },
		{ RVM_EPAGER, 213 }, { RVM_ERANGE, 214 }, { RVM_EREGION, 215 },
		{ RVM_EREGION_DEF, 216 }, { RVM_ESRC, 217 },
		{ RVM_ESTATISTICS, 218 }, { RVM_ESTAT_VERSION_SKEW, 219 },
		{ RVM_ETERMINATED, 220 }, { RVM_ETHREADS, 221 },
		{ RVM_ETID, 222 }, { RVM_ETOO_BIG, 223 },
		{ RVM_EUNCOMMIT, 224 }, { RVM_EVERSION_SKEW, 225 },
		{ RVM_EVM_OVERLAP, 226 }, { RVM_ESEGMENT_HDR, 2000 },
	};
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		CHECK(codes[i].value == codes[i].expect);
}

static void t_version(void)
{
	CHECK(strcmp(RVM_VERSION, "RVM Interface Version 1.3  7 Mar 1994") ==
	      0);
	CHECK(sizeof(RVM_VERSION) <= RVM_VERSION_MAX);
}

static void t_offset_basic(void)
{
	rvm_offset_t a = RVM_OFFSET_INITIALIZER(3, 7);
	rvm_offset_t b = RVM_MK_OFFSET(3, 7);
	rvm_offset_t z = RVM_MK_OFFSET(1, 1);
	rvm_offset_t l = RVM_LENGTH_TO_OFFSET(12345);

	CHECK(a.high == 3 && a.low == 7);
	CHECK(RVM_OFFSET_EQL(a, b));
	CHECK(RVM_OFFSET_TO_LENGTH(a) == 7);
	CHECK(RVM_OFFSET_HIGH_BITS_TO_LENGTH(a) == 3);
	CHECK(l.high == 0 && RVM_OFFSET_TO_LENGTH(l) == 12345);
	RVM_ZERO_OFFSET(z);
	CHECK(RVM_OFFSET_EQL_ZERO(z));
	CHECK(!RVM_OFFSET_EQL_ZERO(a));
	CHECK(!RVM_OFFSET_EQL_ZERO(RVM_MK_OFFSET(1, 0)));
	CHECK(!RVM_OFFSET_EQL_ZERO(RVM_MK_OFFSET(0, 1)));
}

static void t_offset_64bit(void)
{
	/* A 64-bit offset: all in low on LP64, split on ILP32. */
	uint64_t big = (uint64_t)1 << 40 | 0x1234;
	rvm_offset_t o = rvm_classic_u64_to_off(big);
	uint64_t back = 0;

	CHECK(rvm_classic_off_to_u64(&o, &back) && back == big);
	CHECK(wide(o) == big);
	if (sizeof(rvm_length_t) == 8) {
		rvm_offset_t over = RVM_MK_OFFSET(1, 0);

		CHECK(o.high == 0 && RVM_OFFSET_TO_LENGTH(o) == big);
		back = 7;
		CHECK(!rvm_classic_off_to_u64(&over, &back) && back == 7);
	} else {
		CHECK(o.high == (rvm_length_t)(big >> 32));
	}
	o = rvm_classic_u64_to_off(UINT64_MAX);
	CHECK(rvm_classic_off_to_u64(&o, &back) && back == UINT64_MAX);
}

static void t_offset_add(void)
{
	rvm_offset_t max = RVM_MK_OFFSET(0, ULONG_MAX);
	rvm_offset_t one = RVM_MK_OFFSET(0, 1);
	rvm_offset_t x = RVM_MK_OFFSET(5, ULONG_MAX - 1);
	rvm_offset_t y = RVM_MK_OFFSET(2, 3);
	rvm_offset_t r;

	r = RVM_ADD_OFFSETS(max, one);		/* carry out of low */
	CHECK(r.high == 1 && r.low == 0);
	r = RVM_ADD_OFFSETS(x, y);
	CHECK(r.high == 8 && r.low == 1);
	r = RVM_ADD_OFFSETS(y, x);		/* commutes */
	CHECK(r.high == 8 && r.low == 1);
	r = RVM_ADD_OFFSETS(max, max);
	CHECK(r.high == 1 && r.low == ULONG_MAX - 1);
	r = RVM_ADD_LENGTH_TO_OFFSET(max, 1);
	CHECK(r.high == 1 && r.low == 0);
	r = RVM_ADD_LENGTH_TO_OFFSET(x, ULONG_MAX);
	CHECK(r.high == 6 && r.low == ULONG_MAX - 2);
	r = RVM_ADD_LENGTH_TO_OFFSET(y, 10);
	CHECK(r.high == 2 && r.low == 13);
	/* operands are not changed */
	CHECK(x.high == 5 && x.low == ULONG_MAX - 1);
	CHECK(y.high == 2 && y.low == 3);
}

static void t_offset_sub(void)
{
	rvm_offset_t x = RVM_MK_OFFSET(1, 0);
	rvm_offset_t one = RVM_MK_OFFSET(0, 1);
	rvm_offset_t zero = RVM_MK_OFFSET(0, 0);
	rvm_offset_t a = RVM_MK_OFFSET(8, 1);
	rvm_offset_t b = RVM_MK_OFFSET(2, 3);
	rvm_offset_t r;

	r = RVM_SUB_OFFSETS(x, one);		/* borrow from high */
	CHECK(r.high == 0 && r.low == ULONG_MAX);
	r = RVM_SUB_OFFSETS(a, b);
	CHECK(r.high == 5 && r.low == ULONG_MAX - 1);
	r = RVM_SUB_OFFSETS(a, a);
	CHECK(RVM_OFFSET_EQL_ZERO(r));
	r = RVM_SUB_OFFSETS(zero, one);		/* wraps modulo 2^2N */
	CHECK(r.high == ULONG_MAX && r.low == ULONG_MAX);
	r = RVM_SUB_LENGTH_FROM_OFFSET(x, 1);
	CHECK(r.high == 0 && r.low == ULONG_MAX);
	r = RVM_SUB_LENGTH_FROM_OFFSET(b, 3);
	CHECK(r.high == 2 && r.low == 0);
	r = RVM_SUB_LENGTH_FROM_OFFSET(b, 4);
	CHECK(r.high == 1 && r.low == ULONG_MAX);
	/* (a - b) + b == a */
	r = RVM_SUB_OFFSETS(a, b);
	r = RVM_ADD_OFFSETS(r, b);
	CHECK(RVM_OFFSET_EQL(r, a));
}

static void t_offset_random(void)
{
	/* Compare with plain wide arithmetic, on values near the carries. */
	static const rvm_length_t edge[] = {
		0, 1, 2, 0x7fffffffUL, 0x80000000UL, 0xffffffffUL,
		ULONG_MAX / 2, ULONG_MAX / 2 + 1, ULONG_MAX - 1, ULONG_MAX,
	};
	const size_t ne = sizeof(edge) / sizeof(edge[0]);
	unsigned int seed = 12345;
	int i;

	for (i = 0; i < 20000; i++) {
		rvm_offset_t x, y, r;
		rvm_length_t len;

		seed = seed * 1103515245 + 12345;
		x = RVM_MK_OFFSET(edge[seed % ne], edge[(seed >> 8) % ne] ^
				  (rvm_length_t)(seed >> 20));
		seed = seed * 1103515245 + 12345;
		y = RVM_MK_OFFSET(edge[seed % ne], edge[(seed >> 8) % ne] ^
				  (rvm_length_t)(seed >> 20));
		len = edge[(seed >> 4) % ne];

		r = RVM_ADD_OFFSETS(x, y);
		CHECK(wide(r) == (wide_t)(wide(x) + wide(y)));
		r = RVM_SUB_OFFSETS(x, y);
		CHECK(wide(r) == (wide_t)(wide(x) - wide(y)));
		r = RVM_ADD_LENGTH_TO_OFFSET(x, len);
		CHECK(wide(r) == (wide_t)(wide(x) + len));
		r = RVM_SUB_LENGTH_FROM_OFFSET(x, len);
		CHECK(wide(r) == (wide_t)(wide(x) - len));
		CHECK(RVM_OFFSET_LSS(x, y) == (wide(x) < wide(y)));
		CHECK(RVM_OFFSET_GTR(x, y) == (wide(x) > wide(y)));
		CHECK(RVM_OFFSET_LEQ(x, y) == (wide(x) <= wide(y)));
		CHECK(RVM_OFFSET_GEQ(x, y) == (wide(x) >= wide(y)));
		CHECK(RVM_OFFSET_EQL(x, y) == (wide(x) == wide(y)));
		r = unwide(wide(x));
		CHECK(RVM_OFFSET_EQL(r, x));
		if (case_failed)
			break;
	}
}

static void t_offset_compare(void)
{
	rvm_offset_t lo_big = RVM_MK_OFFSET(0, ULONG_MAX);
	rvm_offset_t hi_one = RVM_MK_OFFSET(1, 0);
	rvm_offset_t same = RVM_MK_OFFSET(1, 0);

	/* high decides before low */
	CHECK(RVM_OFFSET_LSS(lo_big, hi_one));
	CHECK(!RVM_OFFSET_LSS(hi_one, lo_big));
	CHECK(RVM_OFFSET_GTR(hi_one, lo_big));
	CHECK(!RVM_OFFSET_GTR(lo_big, hi_one));
	CHECK(RVM_OFFSET_LEQ(lo_big, hi_one) && RVM_OFFSET_LEQ(hi_one, same));
	CHECK(RVM_OFFSET_GEQ(hi_one, lo_big) && RVM_OFFSET_GEQ(hi_one, same));
	CHECK(RVM_OFFSET_EQL(hi_one, same) && !RVM_OFFSET_EQL(hi_one, lo_big));
	CHECK(!RVM_OFFSET_LSS(hi_one, same) && !RVM_OFFSET_GTR(hi_one, same));
	/* truth values are 0 or 1 */
	CHECK(RVM_OFFSET_LSS(lo_big, hi_one) == 1);
	CHECK(RVM_OFFSET_EQL_ZERO(RVM_MK_OFFSET(0, 0)) == 1);
}

static void t_pages(void)
{
	rvm_length_t ps = RVM_PAGE_SIZE;
	rvm_offset_t o, r;
	char *p = (char *)0x10000 + 1;

	CHECK(ps == (rvm_length_t)sysconf(_SC_PAGESIZE));
	CHECK(ps && (ps & (ps - 1)) == 0);
	CHECK(rvm_page_mask() == ~(ps - 1));
	CHECK(RVM_ROUND_LENGTH_UP_TO_PAGE_SIZE(0) == 0);
	CHECK(RVM_ROUND_LENGTH_UP_TO_PAGE_SIZE(1) == ps);
	CHECK(RVM_ROUND_LENGTH_UP_TO_PAGE_SIZE(ps) == ps);
	CHECK(RVM_ROUND_LENGTH_UP_TO_PAGE_SIZE(ps + 1) == 2 * ps);
	CHECK(RVM_ROUND_LENGTH_DOWN_TO_PAGE_SIZE(ps - 1) == 0);
	CHECK(RVM_ROUND_LENGTH_DOWN_TO_PAGE_SIZE(2 * ps + 5) == 2 * ps);
	CHECK(RVM_ROUND_ADDR_UP_TO_PAGE_SIZE(p) ==
	      (char *)((0x10000 + ps) & ~(ps - 1)));
	CHECK(RVM_ROUND_ADDR_DOWN_TO_PAGE_SIZE(p) ==
	      (char *)(0x10000 & ~(ps - 1)));
	CHECK(RVM_ADD_LENGTH_TO_ADDR(16, p) == p + 16);
	CHECK(RVM_SUB_LENGTH_FROM_ADDR(p, 1) == p - 1);

	o = RVM_MK_OFFSET(3, 5 * ps + 1);
	r = RVM_ROUND_OFFSET_UP_TO_PAGE_SIZE(o);
	CHECK(r.high == 3 && r.low == 6 * ps);
	r = RVM_ROUND_OFFSET_DOWN_TO_PAGE_SIZE(o);
	CHECK(r.high == 3 && r.low == 5 * ps);
	o = RVM_MK_OFFSET(3, 5 * ps);
	r = RVM_ROUND_OFFSET_UP_TO_PAGE_SIZE(o);
	CHECK(r.high == 3 && r.low == 5 * ps);
	r = RVM_ROUND_OFFSET_DOWN_TO_PAGE_SIZE(o);
	CHECK(r.high == 3 && r.low == 5 * ps);
	o = RVM_MK_OFFSET(3, ULONG_MAX - 2);	/* rounds up across low */
	r = RVM_ROUND_OFFSET_UP_TO_PAGE_SIZE(o);
	CHECK(r.high == 4 && r.low == 0);
	r = RVM_ROUND_OFFSET_DOWN_TO_PAGE_SIZE(o);
	CHECK(r.high == 3 && r.low == (ULONG_MAX & ~(ps - 1)));
}

static void t_names(void)
{
	static const struct {
		rvm_return_t code;
		const char *name;
	} n[] = {
		{ RVM_SUCCESS, "RVM_SUCCESS" }, { RVM_EINIT, "RVM_EINIT" },
		{ RVM_EINTERNAL, "RVM_EINTERNAL" }, { RVM_EIO, "RVM_EIO" },
		{ RVM_ELOG, "RVM_ELOG" },
		{ RVM_ELOG_VERSION_SKEW, "RVM_ELOG_VERSION_SKEW" },
		{ RVM_EMODE, "RVM_EMODE" },
		{ RVM_ENAME_TOO_LONG, "RVM_ENAME_TOO_LONG" },
		{ RVM_ENO_MEMORY, "RVM_ENO_MEMORY" },
		{ RVM_ENOT_MAPPED, "RVM_ENOT_MAPPED" },
		{ RVM_EOFFSET, "RVM_EOFFSET" },
		{ RVM_EOPTIONS, "RVM_EOPTIONS" },
		{ RVM_EOVERLAP, "RVM_EOVERLAP" }, { RVM_EPAGER, "RVM_EPAGER" },
		{ RVM_ERANGE, "RVM_ERANGE" }, { RVM_EREGION, "RVM_EREGION" },
		{ RVM_EREGION_DEF, "RVM_EREGION_DEF" },
		{ RVM_ESRC, "RVM_ESRC" },
		{ RVM_ESTATISTICS, "RVM_ESTATISTICS" },
		{ RVM_ESTAT_VERSION_SKEW, "RVM_ESTAT_VERSION_SKEW" },
		{ RVM_ETERMINATED, "RVM_ETERMINATED" },
		{ RVM_ETHREADS, "RVM_ETHREADS" }, { RVM_ETID, "RVM_ETID" },
		{ RVM_ETOO_BIG, "RVM_ETOO_BIG" },
		{ RVM_EUNCOMMIT, "RVM_EUNCOMMIT" },
		{ RVM_EVERSION_SKEW, "RVM_EVERSION_SKEW" },
		{ RVM_EVM_OVERLAP, "RVM_EVM_OVERLAP" },
		{ RVM_ESEGMENT_HDR, "RVM_ESEGMENT_HDR" },
	};
	static const int invalid[] = { -1, 1, 199, 203, 227, 228, 1999, 2001 };
	const char *bad = "invalid RVM return code";
	size_t i;

	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		CHECK(strcmp(rvm_return(n[i].code), n[i].name) == 0);
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		CHECK(strcmp(rvm_return(invalid[i]), bad) == 0);

	CHECK(strcmp(rvm_mode(restore), "restore") == 0);
	CHECK(strcmp(rvm_mode(no_restore), "no_restore") == 0);
	CHECK(strcmp(rvm_mode(flush), "flush") == 0);
	CHECK(strcmp(rvm_mode(no_flush), "no_flush") == 0);
	CHECK(strcmp(rvm_mode(rvm_first_mode), "invalid RVM transaction mode")
	      == 0);
	CHECK(strcmp(rvm_mode(rvm_last_mode), "invalid RVM transaction mode")
	      == 0);
	CHECK(strcmp(rvm_mode((rvm_mode_t)0), "invalid RVM transaction mode")
	      == 0);

	CHECK(strcmp(rvm_type(rvm_region_id), "rvm_region_t") == 0);
	CHECK(strcmp(rvm_type(rvm_options_id), "rvm_options_t") == 0);
	CHECK(strcmp(rvm_type(rvm_tid_id), "rvm_tid_t") == 0);
	CHECK(strcmp(rvm_type(rvm_statistics_id), "rvm_statistics_t") == 0);
	CHECK(strcmp(rvm_type(rvm_first_struct_id),
		     "invalid RVM structure type") == 0);
	CHECK(strcmp(rvm_type(rvm_last_struct_id),
		     "invalid RVM structure type") == 0);
	CHECK(strcmp(rvm_type((rvm_struct_id_t)0),
		     "invalid RVM structure type") == 0);
}

static void t_tid(void)
{
	rvm_tid_t stack, *t, *c;

	memset(&stack, 0xa5, sizeof(stack));
	rvm_init_tid(&stack);
	CHECK(stack.struct_id == rvm_tid_id && stack.from_heap == rvm_false);
	CHECK(stack.tid == NULL && stack.reserved == 0);
	CHECK(stack.uname.tv_sec == 0 && stack.uname.tv_usec == 0);
	rvm_init_tid(NULL);			/* ignored */

	t = rvm_malloc_tid();
	CHECK(t != NULL);
	if (!t)
		return;
	CHECK(t->struct_id == rvm_tid_id && t->from_heap == rvm_true);
	CHECK(t->tid == NULL);

	stack.uname.tv_sec = 42;
	stack.tid = &stack;
	c = rvm_copy_tid(&stack);
	CHECK(c != NULL && c != &stack);
	if (c) {
		CHECK(c->struct_id == rvm_tid_id && c->from_heap == rvm_true);
		CHECK(c->uname.tv_sec == 42 && c->tid == &stack);
		CHECK(rvm_free_tid(c) == RVM_SUCCESS);
	}
	CHECK(rvm_copy_tid(NULL) == NULL);

	CHECK(rvm_free_tid(&stack) == RVM_ETID);	/* not from the heap */
	CHECK(stack.struct_id == rvm_tid_id);		/* and untouched */
	CHECK(rvm_free_tid(NULL) == RVM_ETID);
	CHECK(rvm_free_tid(t) == RVM_SUCCESS);
}

static void t_options(void)
{
	rvm_options_t stack, *o, *c;
	char log[] = "/tmp/log";

	memset(&stack, 0xa5, sizeof(stack));
	rvm_init_options(&stack);
	CHECK(stack.struct_id == rvm_options_id);
	CHECK(stack.from_heap == rvm_false);
	CHECK(stack.log_dev == NULL && stack.pager == NULL);
	CHECK(stack.truncate == 50);
	CHECK(stack.recovery_buf_len == 256 * 1024);
	CHECK(stack.flush_buf_len == 256 * 1024);
	CHECK(stack.max_read_len == 512 * 1024);
	CHECK(stack.log_empty == rvm_false);
	CHECK(stack.n_uncommit == 0 && stack.tid_array == NULL);
	CHECK(stack.flags == 0 && stack.create_log_file == rvm_false);
	CHECK(RVM_OFFSET_EQL_ZERO(stack.create_log_size));
	CHECK(stack.create_log_mode == 0600);
	rvm_init_options(NULL);

	o = rvm_malloc_options();
	CHECK(o != NULL);
	if (!o)
		return;
	CHECK(o->struct_id == rvm_options_id && o->from_heap == rvm_true);
	CHECK(o->truncate == TRUNCATE && o->create_log_mode == 0600);

	/* A copy shares the strings and owns a copy of tid_array. */
	o->log_dev = log;
	o->flags = RVM_ALL_OPTIMIZATIONS;
	o->n_uncommit = 2;
	o->tid_array = calloc(2, sizeof(rvm_tid_t));
	CHECK(o->tid_array != NULL);
	if (o->tid_array) {
		rvm_init_tid(&o->tid_array[0]);
		rvm_init_tid(&o->tid_array[1]);
		o->tid_array[1].uname.tv_usec = 7;
	}
	c = rvm_copy_options(o);
	CHECK(c != NULL && c != o);
	if (c) {
		CHECK(c->from_heap == rvm_true);
		CHECK(c->log_dev == log);
		CHECK(c->flags == RVM_ALL_OPTIMIZATIONS);
		CHECK(c->n_uncommit == 2);
		CHECK(c->tid_array && c->tid_array != o->tid_array);
		if (c->tid_array)
			CHECK(c->tid_array[1].uname.tv_usec == 7);
		/* frees the copy's tid_array, not the original's */
		CHECK(rvm_free_options(c) == RVM_SUCCESS);
	}
	if (o->tid_array)
		CHECK(o->tid_array[1].uname.tv_usec == 7);

	stack.log_dev = log;
	c = rvm_copy_options(&stack);		/* copy of a non-heap one */
	CHECK(c != NULL);
	if (c) {
		CHECK(c->from_heap == rvm_true && c->tid_array == NULL);
		CHECK(c->log_dev == log);
		CHECK(rvm_free_options(c) == RVM_SUCCESS);
	}
	CHECK(rvm_copy_options(NULL) == NULL);

	CHECK(rvm_free_options(&stack) == RVM_EOPTIONS);
	CHECK(rvm_free_options(NULL) == RVM_EOPTIONS);
	/* frees tid_array too (checked by valgrind/ASan runs) */
	CHECK(rvm_free_options(o) == RVM_SUCCESS);
}

static void t_region(void)
{
	rvm_region_t stack, *r, *c;
	char dev[] = "/tmp/data";

	memset(&stack, 0xa5, sizeof(stack));
	rvm_init_region(&stack);
	CHECK(stack.struct_id == rvm_region_id);
	CHECK(stack.from_heap == rvm_false);
	CHECK(stack.data_dev == NULL && stack.vmaddr == NULL);
	CHECK(RVM_OFFSET_EQL_ZERO(stack.dev_length));
	CHECK(RVM_OFFSET_EQL_ZERO(stack.offset));
	CHECK(stack.length == 0 && stack.no_copy == rvm_false);
	rvm_init_region(NULL);

	r = rvm_malloc_region();
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK(r->struct_id == rvm_region_id && r->from_heap == rvm_true);
	r->data_dev = dev;
	r->offset = RVM_MK_OFFSET(0, 8192);
	r->length = 4096;
	c = rvm_copy_region(r);
	CHECK(c != NULL && c != r);
	if (c) {
		CHECK(c->from_heap == rvm_true && c->data_dev == dev);
		CHECK(RVM_OFFSET_EQL(c->offset, r->offset));
		CHECK(c->length == 4096);
		CHECK(rvm_free_region(c) == RVM_SUCCESS);
	}
	CHECK(rvm_copy_region(NULL) == NULL);
	CHECK(rvm_free_region(&stack) == RVM_EREGION);
	CHECK(rvm_free_region(NULL) == RVM_EREGION);
	CHECK(rvm_free_region(r) == RVM_SUCCESS);
}

/* Room for any descriptor, to pass one type where another is expected. */
union any_desc {
	rvm_tid_t tid;
	rvm_options_t opts;
	rvm_region_t region;
	rvm_statistics_t stats;
};

static void t_wrong_type(void)
{
	/* A descriptor of one type passed as another is refused. */
	union any_desc o, r, t;

	rvm_init_options(&o.opts);
	rvm_init_region(&r.region);
	rvm_init_tid(&t.tid);
	o.opts.from_heap = rvm_true;	/* even if it claims the heap */
	r.region.from_heap = rvm_true;
	t.tid.from_heap = rvm_true;
	CHECK(rvm_free_tid(&o.tid) == RVM_ETID);
	CHECK(rvm_free_region(&t.region) == RVM_EREGION);
	CHECK(rvm_free_options(&r.opts) == RVM_EOPTIONS);
	CHECK(rvm_free_statistics(&t.stats) == RVM_ESTATISTICS);
	CHECK(rvm_copy_tid(&r.tid) == NULL);
	CHECK(rvm_copy_region(&o.region) == NULL);
	CHECK(rvm_copy_options(&t.opts) == NULL);
	CHECK(rvm_copy_statistics(&o.stats) == NULL);
}

static void t_statistics(void)
{
	rvm_statistics_t stack, *s, *c;

	memset(&stack, 0xa5, sizeof(stack));
	rvm_init_statistics(&stack);
	CHECK(stack.struct_id == rvm_statistics_id);
	CHECK(stack.from_heap == rvm_false);
	CHECK(stack.n_abort == 0 && stack.tot_recovery == 0);
	CHECK(RVM_OFFSET_EQL_ZERO(stack.log_written));
	s = rvm_malloc_statistics();
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(s->from_heap == rvm_true);
	s->n_abort = 9;
	c = rvm_copy_statistics(s);
	CHECK(c != NULL);
	if (c) {
		CHECK(c->n_abort == 9 && c->from_heap == rvm_true);
		CHECK(rvm_free_statistics(c) == RVM_SUCCESS);
	}
	CHECK(rvm_free_statistics(&stack) == RVM_ESTATISTICS);
	CHECK(rvm_free_statistics(NULL) == RVM_ESTATISTICS);
	CHECK(rvm_free_statistics(s) == RVM_SUCCESS);
}

static void t_internal(void)
{
	char name[RVM_CLASSIC_NAME_MAX + 2];
	union any_desc d;

	memset(name, 'a', sizeof(name));
	name[RVM_CLASSIC_NAME_MAX] = '\0';
	CHECK(rvm_classic_check_name(name) == RVM_SUCCESS);
	name[RVM_CLASSIC_NAME_MAX] = 'a';
	name[RVM_CLASSIC_NAME_MAX + 1] = '\0';
	CHECK(rvm_classic_check_name(name) == RVM_ENAME_TOO_LONG);
	CHECK(rvm_classic_check_name(NULL) == RVM_SUCCESS);

	rvm_init_tid(&d.tid);
	CHECK(rvm_classic_check_tid(&d.tid) == RVM_SUCCESS);
	CHECK(rvm_classic_check_tid(NULL) == RVM_ETID);
	CHECK(rvm_classic_check_options_opt(NULL) == RVM_SUCCESS);
	CHECK(rvm_classic_check_options(&d.opts) == RVM_EOPTIONS);
	CHECK(rvm_classic_check_options_opt(&d.opts) == RVM_EOPTIONS);
	CHECK(rvm_classic_check_statistics(&d.stats) == RVM_ESTATISTICS);
	CHECK(rvm_classic_check_region_opt(NULL) == RVM_SUCCESS);
	CHECK(rvm_classic_check_region(NULL) == RVM_EREGION);
}

static void t_segment_macros(void)
{
	rvm_region_def_t def;
	char *addr = (char *)0x200000000UL;

	RVM_INIT_REGION(def, RVM_MK_OFFSET(0, 4096), 8192, addr);
	CHECK(def.offset.high == 0 && def.offset.low == 4096);
	CHECK(def.length == 8192 && def.vmaddr == addr);
	CHECK(RVM_SEGMENT_HDR_SIZE == RVM_PAGE_SIZE);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	run("return code values", t_return_codes);
	run("RVM_VERSION", t_version);
	run("offset construction and conversion", t_offset_basic);
	run("offset holds 64-bit values", t_offset_64bit);
	run("offset add with carry", t_offset_add);
	run("offset sub with borrow", t_offset_sub);
	run("offset arithmetic against wide integers", t_offset_random);
	run("offset comparisons", t_offset_compare);
	run("page size and rounding", t_pages);
	run("print names", t_names);
	run("tid descriptors", t_tid);
	run("options descriptors", t_options);
	run("region descriptors", t_region);
	run("descriptors of the wrong type", t_wrong_type);
	run("statistics descriptors", t_statistics);
	run("internal helpers", t_internal);
	run("segment macros", t_segment_macros);
	return failed ? 1 : 0;
}
