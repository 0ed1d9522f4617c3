// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the format functions (kmod/common/record.c): superblock
 * validation and choice, record encoding and validation.
 */
#include "rvm_test.h"

static bool has(const char *s, const char *sub)
{
	return s && strstr(s, sub);
}

static void test_super_validate(void)
{
	struct rvm_disk_super sb;
	const char *why;
	struct {
		const char *name;
		int err;
		const char *why;
	} c = { 0 };
	int i;

	t_begin("valid superblock accepted, also against its device size");
	sb = t_super(2);
	t_eq(rvm_super_validate(&sb, 0, &why), 0);
	t_eq(rvm_super_validate(&sb, 118, &why), 0);
	t_eq(rvm_super_validate(&sb, 117, &why), -EINVAL);
	t_check(has(why, "beyond the end"), "%s", why);
	t_end();

	for (i = 0; i < 18; i++) {
		sb = t_super(2);
		switch (i) {
		case 0:
			c.name = "bad magic"; c.err = -EINVAL; c.why = "not an rvm volume";
			sb.magic = cpu_to_le64(0x1122334455667788ULL);
			break;
		case 1:
			c.name = "newer version"; c.err = -EOPNOTSUPP; c.why = "newer";
			sb.version = cpu_to_le32(7);
			rvm_super_seal(&sb);
			break;
		case 2:
			c.name = "version 0"; c.err = -EINVAL; c.why = "version";
			sb.version = 0;
			rvm_super_seal(&sb);
			break;
		case 3:
			c.name = "bad CRC"; c.err = -EBADMSG; c.why = "CRC";
			sb.uuid[3] ^= 1;
			break;
		case 4:
			c.name = "block size"; c.err = -EINVAL; c.why = "block size";
			sb.block_size = cpu_to_le32(512);
			rvm_super_seal(&sb);
			break;
		case 5:
			c.name = "unknown flags"; c.err = -EOPNOTSUPP; c.why = "flags";
			sb.flags = cpu_to_le32(0x100);
			rvm_super_seal(&sb);
			break;
		case 6:
			c.name = "reserved set"; c.err = -EOPNOTSUPP; c.why = "reserved";
			sb.reserved[17] = 1;
			rvm_super_seal(&sb);
			break;
		case 7:
			c.name = "log over superblocks"; c.err = -EINVAL; c.why = "superblocks";
			sb.log_start = cpu_to_le64(1);
			rvm_super_seal(&sb);
			break;
		case 8:
			c.name = "log too small"; c.err = -EINVAL; c.why = "too small";
			sb.log_blocks = cpu_to_le64(RVM_MIN_LOG_BLOCKS - 1);
			rvm_super_seal(&sb);
			break;
		case 9:
			c.name = "data over log"; c.err = -EINVAL; c.why = "overlaps";
			sb.data_start = cpu_to_le64(17);
			rvm_super_seal(&sb);
			break;
		case 10:
			c.name = "no data"; c.err = -EINVAL; c.why = "too small";
			sb.data_blocks = 0;
			rvm_super_seal(&sb);
			break;
		case 11:
			c.name = "huge geometry"; c.err = -EINVAL; c.why = "range";
			sb.data_blocks = cpu_to_le64(~0ULL - 10);
			rvm_super_seal(&sb);
			break;
		case 12:
			c.name = "wrapping geometry"; c.err = -EINVAL; c.why = "range";
			sb.log_blocks = cpu_to_le64(~0ULL);
			rvm_super_seal(&sb);
			break;
		case 13:
			c.name = "head lsn unaligned"; c.err = -EINVAL; c.why = "head lsn";
			sb.head_lsn = cpu_to_le64(65);
			rvm_super_seal(&sb);
			break;
		case 14:
			c.name = "head lsn huge"; c.err = -EINVAL; c.why = "head lsn";
			sb.head_lsn = cpu_to_le64(~0ULL << 6);
			rvm_super_seal(&sb);
			break;
		case 15:
			c.name = "head seq 0"; c.err = -EINVAL; c.why = "sequence";
			sb.head_seq = 0;
			rvm_super_seal(&sb);
			break;
		case 16:
			c.name = "all zeros"; c.err = -EINVAL; c.why = "not an rvm volume";
			memset(&sb, 0, sizeof(sb));
			break;
		case 17:
			c.name = "random bytes"; c.err = -EINVAL; c.why = "not an rvm volume";
			t_fill(&sb, sizeof(sb));
			break;
		}
		{
			char name[80];

			snprintf(name, sizeof(name), "superblock refused: %s", c.name);
			t_begin(name);
		}
		why = NULL;
		t_eq(rvm_super_validate(&sb, 0, &why), c.err);
		t_check(has(why, c.why), "reason '%s'", why);
		t_end();
	}
}

static void test_super_pick(void)
{
	struct rvm_disk_super a = t_super(4), b = t_super(5), bad;
	const char *wa, *wb;

	t_begin("superblock choice: newer valid copy wins");
	t_eq(rvm_super_pick(&a, &b, 0, &wa, &wb), 1);
	t_check(!wa && !wb, "reasons set");
	a = t_super(6);
	t_eq(rvm_super_pick(&a, &b, 0, &wa, &wb), 0);
	t_end();

	t_begin("superblock choice: corrupt A -> B, corrupt B -> A");
	bad = a;
	bad.head_seq = cpu_to_le64(1);	/* CRC no longer matches */
	t_eq(rvm_super_pick(&bad, &b, 0, &wa, &wb), 1);
	t_check(has(wa, "CRC") && !wb, "%s", wa);
	bad = b;
	bad.magic = 0;
	t_eq(rvm_super_pick(&a, &bad, 0, &wa, &wb), 0);
	t_check(!wa && has(wb, "magic"), "%s", wb);
	t_end();

	t_begin("superblock choice: both corrupt -> clear error");
	bad = a;
	bad.crc ^= 1;
	b.crc ^= 1;
	t_eq(rvm_super_pick(&bad, &b, 0, &wa, &wb), -EBADMSG);
	t_check(has(wa, "CRC") && has(wb, "CRC"), "%s / %s", wa, wb);
	memset(&bad, 0, sizeof(bad));
	t_eq(rvm_super_pick(&bad, &bad, 0, &wa, &wb), -EINVAL);
	t_check(has(wa, "not an rvm volume"), "%s", wa);
	a = t_super(2);
	a.version = cpu_to_le32(2);
	rvm_super_seal(&a);
	t_eq(rvm_super_pick(&a, &bad, 0, &wa, &wb), -EOPNOTSUPP);
	t_end();

	t_begin("superblock choice: a copy in the wrong slot is refused");
	a = t_super(3);
	b = t_super(2);
	t_eq(rvm_super_pick(&a, &b, 0, &wa, &wb), -EINVAL);
	t_check(has(wa, "copy") && has(wb, "copy"), "%s / %s", wa, wb);
	t_eq(rvm_super_check_slot(&b, 0, 0, &wa), 0);
	t_check(!wa, "reason set");
	t_end();
}

static const struct rvm_geom G = {
	.log_off = 2 * 4096, .log_size = 16 * 4096,
	.data_off = 18 * 4096, .data_size = 100 * 4096, .nonce = 0xabcdef,
};

static void test_rec_build(void)
{
	static u8 buf[70000], data[5000];
	struct rvm_range_src r[3] = {
		{ .offset = 0, .len = 10, .data = data },
		{ .offset = 4090, .len = 100, .data = data + 10 },
		{ .offset = G.data_size - 1, .len = 1, .data = data + 110 },
	};
	const struct rvm_rec_hdr *h = (void *)buf;
	const char *why;
	ssize_t n;
	u64 lsn = 10 * 65536 + 640;

	t_fill(data, sizeof(data));
	t_begin("record encoder: header, descriptors, data, CRC");
	memset(buf, 0xee, sizeof(buf));
	n = rvm_rec_build(buf, sizeof(buf), &G, lsn, 9, 42, r, 3, 0);
	t_eq(n, 256);
	t_eq(le32_to_cpu(h->len), 64 + 48 + 111);
	t_eq(le32_to_cpu(h->next), 256);
	t_eq(le64_to_cpu(h->tid), 42);
	t_eq(buf[223] | buf[255], 0);	/* tail up to next zeroed */
	t_eq(buf[256], 0xee);
	t_check(!memcmp(buf + 64 + 48, data, 111), "data");
	t_eq(rvm_rec_validate(buf, n, &G, lsn, 9, &why), 0);
	t_eq(rvm_rec_validate(buf, 64 + 48 + 110, &G, lsn, 9, &why), -EINVAL);
	t_check(has(why, "truncated"), "%s", why);
	t_eq(rvm_rec_validate(buf, n, &G, lsn, 10, &why), -EINVAL);
	t_eq(rvm_rec_validate(buf, n, &G, lsn + 64, 9, &why), -EINVAL);
	n = rvm_rec_build(buf, sizeof(buf), &G, lsn, 9, 42, r, 3, 1024);
	t_eq(n, 1024);
	t_eq(rvm_rec_validate(buf, 1024, &G, lsn, 9, &why), 0);
	t_end();

	t_begin("record encoder refuses what recovery would refuse");
	t_eq(rvm_rec_build(buf, sizeof(buf), &G, lsn + 1, 9, 42, r, 3, 0), -EINVAL);
	t_eq(rvm_rec_build(buf, sizeof(buf), &G, lsn, 9, 42, r, 3, 100), -EINVAL);
	t_eq(rvm_rec_build(buf, sizeof(buf), &G, lsn, 9, 42, r, 3, 128), -EINVAL);
	t_eq(rvm_rec_build(buf, 100, &G, lsn, 9, 42, r, 3, 0), -ENOBUFS);
	t_eq(rvm_rec_build(buf, sizeof(buf), &G, 11 * 65536 - 128, 9, 42, r, 3, 0),
	     -ENOSPC);
	r[2].len = 2;
	t_eq(rvm_rec_build(buf, sizeof(buf), &G, lsn, 9, 42, r, 3, 0), -EINVAL);
	r[2].len = 0;
	t_eq(rvm_rec_build(buf, sizeof(buf), &G, lsn, 9, 42, r, 3, 0), -EINVAL);
	r[2].len = 1;
	r[0].len = 70000;
	r[0].data = buf;
	t_eq(rvm_rec_build(buf, sizeof(buf), &G, lsn, 9, 42, r, 1, 0), -EMSGSIZE);
	t_end();

	t_begin("pad record fills the rest of the lap and keeps the seq");
	n = rvm_rec_build_pad(buf, sizeof(buf), &G, 11 * 65536 - 128, 9);
	t_eq(n, 128);
	t_eq(rvm_rec_validate(buf, 64, &G, 11 * 65536 - 128, 9, &why), 0);
	t_eq(le16_to_cpu(h->type), RVM_REC_PAD);
	t_eq(rvm_rec_build_pad(buf, sizeof(buf), &G, 11 * 65536, 9), 65536);
	t_eq(rvm_rec_build_pad(buf, 63, &G, 11 * 65536, 9), -ENOBUFS);
	t_eq(rvm_rec_build_pad(buf, 64, &G, 11 * 65536 + 8, 9), -EINVAL);
	t_end();
}

static void test_rec_check(void)
{
	static u8 buf[4096], data[200];
	struct rvm_range_src r[2] = {
		{ .offset = 4000, .len = 150, .data = data },
		{ .offset = 8, .len = 50, .data = data + 150 },
	};
	struct rvm_rec_hdr *h = (void *)buf;
	struct rvm_rec_range *d = (void *)(h + 1);
	u64 lsn = 65536 * 3 + 64 * 5;
	const char *why;
	struct {
		int err;
		const char *why;
	} c = { 0 };
	ssize_t n;
	int i;

	for (i = 0; i < 16; i++) {
		char name[80];

		n = rvm_rec_build(buf, sizeof(buf), &G, lsn, 5, 1, r, 2, 0);
		if (n < 0)
			abort();
		switch (i) {
		case 0: c.err = -EINVAL; c.why = "magic"; h->magic ^= 1; break;
		case 1: c.err = -EINVAL; c.why = "header length"; h->hdr_len = cpu_to_le16(32); break;
		case 2: c.err = -EINVAL; c.why = "nonce"; h->vol_nonce ^= 1; break;
		case 3: c.err = -EINVAL; c.why = "lsn"; h->lsn = cpu_to_le64(lsn - G.log_size); break;
		case 4: c.err = -EINVAL; c.why = "sequence"; h->seq = cpu_to_le64(6); break;
		case 5: c.err = -EINVAL; c.why = "type"; h->type = cpu_to_le16(9); break;
		case 6: c.err = -EOPNOTSUPP; c.why = "reserved"; h->flags = cpu_to_le32(1); break;
		case 7: c.err = -EINVAL; c.why = "shorter"; h->len = cpu_to_le32(63); break;
		case 8: c.err = -EINVAL; c.why = "next"; h->next = cpu_to_le32(le32_to_cpu(h->len) - 1); break;
		case 9: c.err = -EINVAL; c.why = "end of the log"; h->next = cpu_to_le32(G.log_size); break;
		case 10: c.err = -EINVAL; c.why = "descriptors"; h->nranges = cpu_to_le32(100); break;
		case 11: c.err = -EBADMSG; c.why = "CRC"; buf[le32_to_cpu(h->len) - 1] ^= 0x80; break;
		case 12: c.err = -EINVAL; c.why = "data segment"; d[0].offset = cpu_to_le64(G.data_size - 149); break;
		case 13: c.err = -EINVAL; c.why = "add up"; d[1].len = cpu_to_le32(49); break;
		case 14: c.err = -EINVAL; c.why = "empty"; d[1].len = 0; break;
		case 15: c.err = -EOPNOTSUPP; c.why = "reserved"; d[1].reserved = cpu_to_le32(1); break;
		}
		if (i >= 12)
			rvm_rec_seal(buf);
		snprintf(name, sizeof(name), "record refused: %s", c.why);
		t_begin(name);
		why = NULL;
		t_eq(rvm_rec_validate(buf, sizeof(buf), &G, lsn, 5, &why), c.err);
		t_check(has(why, c.why), "reason '%s'", why);
		t_end();
	}

	t_begin("random headers and records never pass nor read out of bounds");
	for (i = 0; i < 200000; i++) {
		u8 *p = malloc(256);
		size_t avail = t_rand() % 257;

		t_fill(p, 256);
		h = (void *)p;
		if (i & 1) {
			/* Mostly plausible: right identity, random lengths. */
			h->magic = cpu_to_le32(RVM_REC_MAGIC);
			h->hdr_len = cpu_to_le16(64);
			h->vol_nonce = cpu_to_le64(G.nonce);
			h->lsn = cpu_to_le64(lsn);
			h->seq = cpu_to_le64(5);
			h->type = cpu_to_le16(1 + (t_rand() & 1));
			h->flags = 0;
			h->reserved = 0;
			if (t_rand() & 1)
				h->len = cpu_to_le32(t_rand() % 300);
			if (t_rand() & 1)
				h->next = cpu_to_le32((t_rand() % 10) * 64);
			if (t_rand() & 1)
				h->nranges = cpu_to_le32(t_rand() % 16);
			if ((t_rand() & 1) && le32_to_cpu(h->len) <= 256)
				rvm_rec_seal(p);
		}
		if (le32_to_cpu(h->len) > 256)
			h->crc = 0;
		rvm_rec_validate(p, avail, &G, lsn, 5, &why);
		free(p);
	}
	t_end();
}

int main(void)
{
	test_super_validate();
	test_super_pick();
	test_rec_build();
	test_rec_check();
	return t_exit();
}
