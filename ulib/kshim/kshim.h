/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kshim: the few kernel names that kmod's shared files (format.h, record.c,
 * recovery.c, logread.c) use, so that they compile unchanged in userspace, the way
 * e2fsprogs builds jbd2's recovery.c. Force-included (-include kshim/kshim.h)
 * when ulib compiles the shared kmod sources, and included by librvm's own files that
 * use format.h. Keep it small: add a name only when shared code needs it.
 */
#ifndef _RVM_KSHIM_H
#define _RVM_KSHIM_H

#ifdef __KERNEL__
#error "kshim.h is for userspace builds only"
#endif

#include <assert.h>	/* static_assert */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>	/* ssize_t */
#include <linux/types.h>	/* __u8 .. __u64, __le16 .. __le64 */

/* Kernel-internal integer types, the same widths as the kernel's. */
typedef __u8  u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

/* Byte order (the format is little-endian; correct on any host). */
#define cpu_to_le16(x)	((__le16)htole16(x))
#define cpu_to_le32(x)	((__le32)htole32(x))
#define cpu_to_le64(x)	((__le64)htole64(x))
#define le16_to_cpu(x)	((u16)le16toh(x))
#define le32_to_cpu(x)	((u32)le32toh(x))
#define le64_to_cpu(x)	((u64)le64toh(x))

/* CRC32C with the kernel's semantics: raw update, no pre/post inversion. */
u32 crc32c(u32 crc, const void *buf, unsigned int len);

/* Allocation. Blocks of a page or more are page-aligned, as in the kernel,
 * which O_DIRECT I/O on them needs. */
typedef unsigned int gfp_t;
#define GFP_KERNEL	0U
#define GFP_NOFS	0U
#define GFP_NOIO	0U

static inline void *kshim_alloc(size_t size, bool zero)
{
	void *p = NULL;

	if (size >= 4096) {
		if (posix_memalign(&p, 4096, size))
			return NULL;
	} else {
		p = malloc(size ? size : 1);
	}
	if (p && zero)
		memset(p, 0, size);
	return p;
}

static inline void *kshim_calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kshim_alloc(n * size, true);
}

#define kmalloc(s, g)		kshim_alloc((s), false)
#define kzalloc(s, g)		kshim_alloc((s), true)
#define kvmalloc(s, g)		kshim_alloc((s), false)
#define kvzalloc(s, g)		kshim_alloc((s), true)
#define kcalloc(n, s, g)	kshim_calloc((n), (s))
#define kvcalloc(n, s, g)	kshim_calloc((n), (s))
#define kfree(p)		free((void *)(p))
#define kvfree(p)		free((void *)(p))

/* Logging: pr_info and pr_debug only with RVM_DEBUG set in the environment. */
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#define kshim_verbose()	(getenv("RVM_DEBUG") != NULL)
#define pr_err(fmt, ...)  fprintf(stderr, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) fprintf(stderr, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) \
	do { if (kshim_verbose()) fprintf(stderr, pr_fmt(fmt), ##__VA_ARGS__); } while (0)
#define pr_debug(fmt, ...) \
	do { if (kshim_verbose()) fprintf(stderr, pr_fmt(fmt), ##__VA_ARGS__); } while (0)

/* Helpers. */
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define min(a, b)	({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })
#define max(a, b)	({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })
#define min_t(t, a, b)	({ t _a = (a); t _b = (b); _a < _b ? _a : _b; })
#define max_t(t, a, b)	({ t _a = (a); t _b = (b); _a > _b ? _a : _b; })
#define U32_MAX		((u32)~0U)
#define U64_MAX		((u64)~0ULL)
#define EXPORT_SYMBOL(s)
#define EXPORT_SYMBOL_GPL(s)
#define cond_resched()	do { } while (0)

static inline u64 div64_u64_rem(u64 dividend, u64 divisor, u64 *remainder)
{
	*remainder = dividend % divisor;
	return dividend / divisor;
}

/* <linux/ktime.h> */
#include <time.h>
static inline u64 ktime_get_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* <linux/bitmap.h> and <linux/find.h>, the little recovery uses. */
#define BITS_PER_LONG		(8 * (int)sizeof(long))
#define BITS_TO_LONGS(n)	(((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define kvmalloc_array(n, s, g)	kshim_calloc((n), (s))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))

static inline void bitmap_zero(unsigned long *map, unsigned int nbits)
{
	memset(map, 0, BITS_TO_LONGS(nbits) * sizeof(long));
}

static inline void bitmap_set(unsigned long *map, unsigned int start,
			      unsigned int len)
{
	for (; len; start++, len--)
		map[start / BITS_PER_LONG] |= 1UL << (start % BITS_PER_LONG);
}

static inline unsigned long kshim_find_bit(const unsigned long *map,
					   unsigned long size,
					   unsigned long start, bool set)
{
	for (; start < size; start++)
		if (!!(map[start / BITS_PER_LONG] &
		       (1UL << (start % BITS_PER_LONG))) == set)
			return start;
	return size;
}

#define __ffs64(x)			((unsigned long)__builtin_ctzll(x))
#define find_next_bit(m, s, o)		kshim_find_bit((m), (s), (o), true)
#define find_next_zero_bit(m, s, o)	kshim_find_bit((m), (s), (o), false)
#define bitmap_full(m, s)		(find_next_zero_bit((m), (s), 0) == (s))

/* <linux/sort.h>: the kernel's sort() takes an optional swap function. */
#define sort(base, num, size, cmp, swap)	qsort((base), (num), (size), (cmp))

#endif /* _RVM_KSHIM_H */
