// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: the CRC-32C code the format functions (record.c) use.
 *
 * The kernel has two implementations with the same result: crc32c()
 * (libcrc32c, through the crypto API to the best driver registered:
 * crc32c-intel's SSE4.2 crc32 instruction and PCLMULQDQ folding on x86) and
 * __crc32c_le(), lib/crc32.c's table code (slicing by 8). On hardware the
 * instruction is several times faster. On an emulated CPU it is the other
 * way round: QEMU's TCG runs the crc32 instruction through a helper that
 * shifts one bit at a time, and the table code is some four times faster
 * there (measured in the test VM: 720 against 170 MB/s), which is what
 * recovery and truncation spend most of their CPU time on.
 *
 * So, as lib/raid6 and crypto/xor.c do for their algorithms, the module
 * times both once at load, on the kind of buffer it checks, and uses the
 * faster one from then on; the kernel log says which.
 */
#include <linux/crc32.h>
#include <linux/crc32c.h>
#include <linux/ktime.h>
#include <linux/slab.h>

#include "crc.h"
#include "record.h"

#define RVM_CRC_BENCH_LEN 4096
#define RVM_CRC_BENCH_CALLS 8
#define RVM_CRC_BENCH_ROUNDS 3

static bool rvm_crc_use_table __read_mostly;

/**
 * rvm_crc32c() - update a CRC-32C with a buffer
 * @crc: the CRC so far (the raw register: ~0 to start, as crc32c())
 * @buf: bytes
 * @len: their number
 *
 * Return: the updated CRC, the same as crc32c() gives, computed by the
 * implementation rvm_crc_init() found faster on this machine.
 */
u32 rvm_crc32c(u32 crc, const void *buf, unsigned int len)
{
	if (rvm_crc_use_table)
		return __crc32c_le(crc, buf, len);
	return crc32c(crc, buf, len);
}

static u32 rvm_crc_lib(u32 crc, const void *buf, unsigned int len)
{
	return crc32c(crc, buf, len);
}

static u32 rvm_crc_table(u32 crc, const void *buf, unsigned int len)
{
	return __crc32c_le(crc, buf, len);
}

/* The best of a few rounds, in bytes per microsecond (MB/s). */
static u64 rvm_crc_speed(u32 (*fn)(u32, const void *, unsigned int),
			 const u8 *buf, u32 *out)
{
	u64 best = U64_MAX;
	int r, i;

	for (r = 0; r < RVM_CRC_BENCH_ROUNDS; r++) {
		u64 t = ktime_get_ns();
		u32 crc = ~0U;

		for (i = 0; i < RVM_CRC_BENCH_CALLS; i++)
			crc = fn(crc, buf, RVM_CRC_BENCH_LEN);
		t = ktime_get_ns() - t;
		best = min(best, t);
		*out = crc;
	}
	return div64_u64((u64)RVM_CRC_BENCH_LEN * RVM_CRC_BENCH_CALLS * 1000,
			 max_t(u64, best, 1));
}

/**
 * rvm_crc_init() - choose the faster CRC-32C implementation (module load)
 */
void rvm_crc_init(void)
{
	u64 lib, table;
	u32 a, b;
	u8 *buf;
	int i;

	buf = kmalloc(RVM_CRC_BENCH_LEN, GFP_KERNEL);
	if (!buf)
		return; /* keep crc32c() */
	for (i = 0; i < RVM_CRC_BENCH_LEN; i++)
		buf[i] = i * 7 + (i >> 8);
	lib = rvm_crc_speed(rvm_crc_lib, buf, &a);
	table = rvm_crc_speed(rvm_crc_table, buf, &b);
	kfree(buf);
	if (a != b) {
		pr_err("crc32c: the table code disagrees with crc32c(): not using it\n");
		return;
	}
	rvm_crc_use_table = table > lib;
	pr_info("crc32c: using %s (crc32c() %llu MB/s, table code %llu MB/s)\n",
		rvm_crc_use_table ? "the table code" : "crc32c()", lib, table);
}
