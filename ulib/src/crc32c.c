// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) for userspace, with
 * the kernel's crc32c() semantics: the caller's value is the raw CRC
 * register, nothing is inverted on the way in or out. The on-disk checksum
 * is ~crc32c(~0, buf, len) (rvm_crc() in kmod/common/format.h), so
 * "123456789" gives the standard check value 0xE3069283.
 *
 * Two implementations, chosen once at first use: the SSE4.2 crc32
 * instruction when the CPU has it, otherwise slicing-by-8 over eight
 * 256-entry tables computed at first use.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kshim.h"

#define CRC32C_POLY_REFLECTED	0x82F63B78U

static uint32_t crc32c_table[8][256];
static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;
static uint32_t (*crc32c_impl)(uint32_t crc, const unsigned char *p, size_t len);

static uint32_t crc32c_sw(uint32_t crc, const unsigned char *p, size_t len)
{
	/* Bytes up to an 8-byte boundary, then 8 at a time, then the tail. */
	while (len && ((uintptr_t)p & 7)) {
		crc = crc32c_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
		len--;
	}
	while (len >= 8) {
		uint32_t lo, hi;

		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		lo = le32toh(lo) ^ crc;
		hi = le32toh(hi);
		crc = crc32c_table[7][lo & 0xff] ^
		      crc32c_table[6][(lo >> 8) & 0xff] ^
		      crc32c_table[5][(lo >> 16) & 0xff] ^
		      crc32c_table[4][lo >> 24] ^
		      crc32c_table[3][hi & 0xff] ^
		      crc32c_table[2][(hi >> 8) & 0xff] ^
		      crc32c_table[1][(hi >> 16) & 0xff] ^
		      crc32c_table[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = crc32c_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

#if defined(__x86_64__)
#include <nmmintrin.h>

__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t crc, const unsigned char *p, size_t len)
{
	uint64_t c = crc;

	while (len && ((uintptr_t)p & 7)) {
		c = _mm_crc32_u8((uint32_t)c, *p++);
		len--;
	}
	while (len >= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c = _mm_crc32_u64(c, v);
		p += 8;
		len -= 8;
	}
	while (len--)
		c = _mm_crc32_u8((uint32_t)c, *p++);
	return (uint32_t)c;
}

static bool crc32c_have_hw(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("sse4.2");
}
#else
static bool crc32c_have_hw(void)
{
	return false;
}
#define crc32c_hw crc32c_sw
#endif

static void crc32c_init(void)
{
	unsigned int i, k;

	for (i = 0; i < 256; i++) {
		uint32_t c = i;

		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (CRC32C_POLY_REFLECTED & (0U - (c & 1)));
		crc32c_table[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (k = 1; k < 8; k++)
			crc32c_table[k][i] = (crc32c_table[k - 1][i] >> 8) ^
				crc32c_table[0][crc32c_table[k - 1][i] & 0xff];
	crc32c_impl = crc32c_have_hw() && !getenv("RVM_CRC32C_NO_HW") ?
		      crc32c_hw : crc32c_sw;
}

/**
 * crc32c() - update a CRC-32C with a buffer, the kernel's way
 * @crc: the CRC register so far (the seed, ~0 for a standard CRC)
 * @buf: bytes
 * @len: their number
 *
 * Return: the updated register, not inverted.
 */
u32 crc32c(u32 crc, const void *buf, unsigned int len)
{
	pthread_once(&crc32c_once, crc32c_init);
	return crc32c_impl(crc, buf, len);
}

/**
 * rvm_crc32c_sw() - the table implementation, for tests
 * @crc: the CRC register so far
 * @buf: bytes
 * @len: their number
 *
 * Return: the updated register, not inverted.
 */
u32 rvm_crc32c_sw(u32 crc, const void *buf, unsigned int len);
u32 rvm_crc32c_sw(u32 crc, const void *buf, unsigned int len)
{
	pthread_once(&crc32c_once, crc32c_init);
	return crc32c_sw(crc, buf, len);
}
