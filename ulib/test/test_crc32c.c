// SPDX-License-Identifier: GPL-2.0
/*
 * CRC-32C: known answers, and the table and SSE4.2 implementations agree
 * on every length and alignment.
 */
#include "rvm_test.h"

u32 rvm_crc32c_sw(u32 crc, const void *buf, unsigned int len);

/* Bit at a time, straight from the definition. */
static u32 crc32c_ref(u32 crc, const u8 *p, size_t len)
{
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82F63B78U & (0U - (crc & 1)));
	}
	return crc;
}

int main(void)
{
	static u8 buf[4096 + 64];
	u8 zeros[32] = { 0 }, ones[32];
	unsigned int off, len;
	bool ok = true;

	t_begin("crc32c known answer: \"123456789\" -> 0xE3069283");
	t_eq(~crc32c(~0U, "123456789", 9), 0xE3069283U);
	t_eq(rvm_crc("123456789", 9), 0xE3069283U);
	t_eq(~rvm_crc32c_sw(~0U, "123456789", 9), 0xE3069283U);
	t_end();

	t_begin("crc32c known answers (RFC 3720 B.4)");
	memset(ones, 0xff, sizeof(ones));
	t_eq(rvm_crc(zeros, 32), 0x8A9136AAU);
	t_eq(rvm_crc(ones, 32), 0x62A8AB43U);
	t_eq(rvm_crc("", 0), 0);
	t_end();

	t_begin("crc32c: kernel semantics (no inversion, chainable)");
	t_eq(crc32c(0, zeros, 32), 0);
	t_eq(crc32c(crc32c(~0U, "12345", 5), "6789", 4), crc32c(~0U, "123456789", 9));
	t_end();

	t_begin("crc32c: hardware, table and bitwise agree, any length and alignment");
	t_fill(buf, sizeof(buf));
	for (off = 0; off < 16 && ok; off++) {
		for (len = 0; len < 300 && ok; len++) {
			u32 seed = (u32)t_rand();
			u32 r = crc32c_ref(seed, buf + off, len);

			if (crc32c(seed, buf + off, len) != r ||
			    rvm_crc32c_sw(seed, buf + off, len) != r) {
				t_check(0, "off %u len %u", off, len);
				ok = false;
			}
		}
	}
	t_eq(crc32c(1, buf, 4096), crc32c_ref(1, buf, 4096));
	t_eq(rvm_crc32c_sw(1, buf + 3, 4093), crc32c_ref(1, buf + 3, 4093));
	t_end();
	return t_exit();
}
