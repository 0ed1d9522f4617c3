// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the format functions (kmod/common/record.c): superblock
 * validation and choice, segment table validation, record encoding and
 * validation.
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
	t_eq(rvm_super_validate(&sb, 120, &why), 0);
	t_eq(rvm_super_validate(&sb, 119, &why), -EINVAL);
	t_check(has(why, "beyond the end"), "%s", why);
	t_end();

	t_begin("log-only superblock (no segment 0) accepted");
	sb = t_super(2);
	sb.data_start = 0;
	sb.data_blocks = 0;
	rvm_super_seal(&sb);
	t_eq(rvm_super_validate(&sb, 20, &why), 0);
	t_eq(rvm_super_validate(&sb, 19, &why), -EINVAL);
	t_end();

	for (i = 0; i < 25; i++) {
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
			c.name = "log over segment table"; c.err = -EINVAL; c.why = "log area overlaps the segment table";
			sb.log_start = cpu_to_le64(3);
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
			c.name = "data_start without data"; c.err = -EINVAL; c.why = "data_start";
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
		case 18:
			c.name = "format version 1"; c.err = -EOPNOTSUPP; c.why = "format version 1";
			sb.version = cpu_to_le32(1);
			rvm_super_seal(&sb);
			break;
		case 19:
			c.name = "segment table over superblocks"; c.err = -EINVAL; c.why = "segment table overlaps the superblocks";
			sb.segtab_start = cpu_to_le64(1);
			rvm_super_seal(&sb);
			break;
		case 20:
			c.name = "no segment table"; c.err = -EINVAL; c.why = "segment table size";
			sb.segtab_blocks = 0;
			rvm_super_seal(&sb);
			break;
		case 21:
			c.name = "huge segment table"; c.err = -EINVAL; c.why = "segment table size";
			sb.segtab_blocks = cpu_to_le32(RVM_SEGTAB_MAX_BLOCKS + 1);
			rvm_super_seal(&sb);
			break;
		case 22:
			c.name = "table copies overlap the log"; c.err = -EINVAL; c.why = "overlaps the segment table";
			sb.segtab_blocks = cpu_to_le32(2);
			rvm_super_seal(&sb);
			break;
		case 23:
			c.name = "reserved0 set"; c.err = -EOPNOTSUPP; c.why = "reserved";
			sb.reserved0 = cpu_to_le32(1);
			rvm_super_seal(&sb);
			break;
		case 24:
			c.name = "huge segment table start"; c.err = -EINVAL; c.why = "range";
			sb.segtab_start = cpu_to_le64(~0ULL - 1);
			rvm_super_seal(&sb);
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
	a.version = cpu_to_le32(3);
	rvm_super_seal(&a);
	t_eq(rvm_super_pick(&a, &bad, 0, &wa, &wb), -EOPNOTSUPP);
	a.version = cpu_to_le32(1);
	rvm_super_seal(&a);
	t_eq(rvm_super_pick(&a, &bad, 0, &wa, &wb), -EOPNOTSUPP);
	t_check(has(wa, "format version 1"), "%s", wa);
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

/*
 * A segment table copy for superblock @sb (its segtab_blocks): @n entries
 * of @e, next id @next_id, generation @gen; sealed, and named in @sb
 * (resealed).
 */
static void st_make(u8 *buf, struct rvm_disk_super *sb,
		    const struct rvm_disk_seg *e, u32 n, u32 next_id, u64 gen)
{
	size_t bytes = rvm_segtab_bytes(sb);
	struct rvm_segtab_hdr *h = (void *)buf;

	memset(buf, 0, bytes);
	h->magic = cpu_to_le64(RVM_SEGTAB_MAGIC);
	h->gen = cpu_to_le64(gen);
	h->vol_nonce = sb->vol_nonce;
	h->nsegs = cpu_to_le32(n);
	h->next_id = cpu_to_le32(next_id);
	memcpy(h + 1, e, n * sizeof(*e));
	rvm_segtab_seal(buf, bytes);
	sb->segtab_gen = h->gen;
	sb->segtab_crc = h->crc;
	rvm_super_seal(sb);
}

static struct rvm_disk_seg seg_int(u64 size)
{
	struct rvm_disk_seg e;

	memset(&e, 0, sizeof(e));
	e.flags = cpu_to_le32(RVM_DSEG_INTERNAL);
	e.size = cpu_to_le64(size);
	return e;
}

static struct rvm_disk_seg seg_file(u32 id, u64 size, const char *name)
{
	struct rvm_disk_seg e;

	memset(&e, 0, sizeof(e));
	e.id = cpu_to_le32(id);
	e.flags = cpu_to_le32(RVM_DSEG_FILE);
	e.size = cpu_to_le64(size);
	e.dev = cpu_to_le64(0x803);
	e.ino = cpu_to_le64(1000 + id);
	strcpy(e.name, name);
	return e;
}

static void test_segtab(void)
{
	static u8 buf[4096], big[4096 * 2];
	struct rvm_disk_seg e[4];
	struct rvm_disk_super sb;
	struct rvm_segtab t;
	const char *why;
	struct {
		const char *name;
		int err;
		const char *why;
	} c = { 0 };
	u32 n;
	int i;

	t_begin("segment table: valid table accepted, found by id");
	sb = t_super(2);
	t_eq(rvm_segtab_bytes(&sb), 4096);
	e[0] = seg_int(100 * 4096);
	e[1] = seg_file(3, 8192, "/data/a");
	e[2] = seg_file(1, 4096, "/data/b");
	st_make(buf, &sb, e, 3, 5, 6);
	t_eq(rvm_segtab_validate(&t, buf, sizeof(buf), &sb, &why), 0);
	t_eq(t.nsegs, 3);
	t_eq(t.max_segs, 15);
	t_check(rvm_segtab_find(&t, 3) == &t.ent[1], "segment 3");
	t_check(rvm_segtab_find(&t, 0) == &t.ent[0], "segment 0");
	t_check(!rvm_segtab_find(&t, 2), "segment 2");
	t_check(!rvm_segtab_find(NULL, 0), "no table");
	t_end();

	t_begin("segment table: empty table of a log-only volume accepted");
	sb = t_super(2);
	sb.data_start = 0;
	sb.data_blocks = 0;
	st_make(buf, &sb, e, 0, 1, 0);
	t_eq(rvm_segtab_validate(&t, buf, sizeof(buf), &sb, &why), 0);
	t_eq(t.nsegs, 0);
	t_end();

	for (i = 0; i < 26; i++) {
		char name[96];

		sb = t_super(2);
		e[0] = seg_int(100 * 4096);
		e[1] = seg_file(3, 8192, "/data/a");
		e[2] = seg_file(1, 4096, "/data/b");
		n = 3;
		switch (i) {
		case 0:
			c.name = "bad magic"; c.err = -EINVAL; c.why = "magic";
			st_make(buf, &sb, e, n, 5, 6);
			buf[0] ^= 1;
			break;
		case 1:
			c.name = "other generation"; c.err = -EINVAL; c.why = "generation";
			st_make(buf, &sb, e, n, 5, 6);
			sb.segtab_gen = cpu_to_le64(8);
			break;
		case 2:
			c.name = "bad CRC"; c.err = -EBADMSG; c.why = "CRC";
			st_make(buf, &sb, e, n, 5, 6);
			buf[4000] ^= 1;
			break;
		case 3:
			c.name = "not the table named"; c.err = -EINVAL; c.why = "not the one";
			st_make(buf, &sb, e, n, 5, 6);
			sb.segtab_crc ^= 1;
			break;
		case 4:
			c.name = "foreign nonce"; c.err = -EINVAL; c.why = "nonce";
			sb.vol_nonce ^= 1;
			st_make(buf, &sb, e, n, 5, 6);
			sb.vol_nonce ^= 1;
			break;
		case 5:
			c.name = "reserved header field"; c.err = -EOPNOTSUPP; c.why = "reserved";
			st_make(buf, &sb, e, n, 5, 6);
			((struct rvm_segtab_hdr *)buf)->reserved[3] = 1;
			rvm_segtab_seal(buf, 4096);
			sb.segtab_crc = ((struct rvm_segtab_hdr *)buf)->crc;
			break;
		case 6:
			c.name = "too many segments"; c.err = -EINVAL; c.why = "more segments";
			st_make(buf, &sb, e, n, 5, 6);
			((struct rvm_segtab_hdr *)buf)->nsegs = cpu_to_le32(16);
			rvm_segtab_seal(buf, 4096);
			sb.segtab_crc = ((struct rvm_segtab_hdr *)buf)->crc;
			break;
		case 7:
			c.name = "next id past the limit"; c.err = -EINVAL; c.why = "next id";
			st_make(buf, &sb, e, n, RVM_SEG_ID_LIMIT + 1, 6);
			break;
		case 8:
			c.name = "id not below next id"; c.err = -EINVAL; c.why = "below the table's next id";
			st_make(buf, &sb, e, n, 3, 6);
			break;
		case 9:
			c.name = "duplicate id"; c.err = -EINVAL; c.why = "same id";
			e[2].id = cpu_to_le32(3);
			st_make(buf, &sb, e, n, 5, 6);
			break;
		case 10:
			c.name = "unknown segment flags"; c.err = -EOPNOTSUPP; c.why = "unknown segment flags";
			e[1].flags = cpu_to_le32(RVM_DSEG_FILE | 0x80);
			st_make(buf, &sb, e, n, 5, 6);
			break;
		case 11:
			c.name = "two kinds"; c.err = -EINVAL; c.why = "exactly one";
			e[1].flags = cpu_to_le32(RVM_DSEG_FILE | RVM_DSEG_BDEV);
			st_make(buf, &sb, e, n, 5, 6);
			break;
		case 12:
			c.name = "no kind"; c.err = -EINVAL; c.why = "exactly one";
			e[1].flags = 0;
			st_make(buf, &sb, e, n, 5, 6);
			break;
		case 13:
			c.name = "internal segment with id 2"; c.err = -EINVAL; c.why = "only segment 0 is internal";
			e[0].id = cpu_to_le32(2);
			st_make(buf, &sb, e, n, 5, 6);
			break;
		case 14:
			c.name = "segment 0 not internal"; c.err = -EINVAL; c.why = "only segment 0 is internal";
			e[2].id = 0;
			e[0] = seg_file(4, 4096, "/x");
			st_make(buf, &sb, e, n, 5, 6);
			break;
		case 15:
			c.name = "internal size not the data area's"; c.err = -EINVAL; c.why = "data area's";
			e[0].size = cpu_to_le64(99 * 4096);
			st_make(buf, &sb, e, n, 5, 6);
			break;
		case 16:
			c.name = "data area without segment 0"; c.err = -EINVAL; c.why = "without an internal";
			st_make(buf, &sb, e + 1, 2, 5, 6);
			break;
		case 17:
			c.name = "segment 0 without a data area"; c.err = -EINVAL; c.why = "data area's";
			sb.data_start = 0;
			sb.data_blocks = 0;
			st_make(buf, &sb, e, n, 5, 6);
			break;
		case 18:
			c.name = "size not a multiple of 4096"; c.err = -EINVAL; c.why = "multiple of 4096";
			e[1].size = cpu_to_le64(8000);
			st_make(buf, &sb, e, n, 5, 6);
			break;
		case 19:
			c.name = "size 0"; c.err = -EINVAL; c.why = "multiple of 4096";
			e[1].size = 0;
			st_make(buf, &sb, e, n, 5, 6);
			break;
		case 20:
			c.name = "size too large"; c.err = -EINVAL; c.why = "RVM_SEG_MAX_SIZE";
			e[1].size = cpu_to_le64(RVM_SEG_MAX_SIZE + 4096);
			st_make(buf, &sb, e, n, 5, 6);
			break;
		case 21:
			c.name = "name not NUL-terminated"; c.err = -EINVAL; c.why = "NUL-terminated";
			memset(e[1].name, 'a', sizeof(e[1].name));
			e[1].name[0] = '/';
			st_make(buf, &sb, e, n, 5, 6);
			break;
		case 22:
			c.name = "garbage after the name"; c.err = -EINVAL; c.why = "zero tail";
			e[1].name[100] = 'x';
			st_make(buf, &sb, e, n, 5, 6);
			break;
		case 23:
			c.name = "relative name"; c.err = -EINVAL; c.why = "not absolute";
			strcpy(e[1].name, "data/a");
			st_make(buf, &sb, e, n, 5, 6);
			break;
		case 24:
			c.name = "empty name"; c.err = -EINVAL; c.why = "empty";
			memset(e[1].name, 0, sizeof(e[1].name));
			st_make(buf, &sb, e, n, 5, 6);
			break;
		case 25:
			c.name = "reserved entry field"; c.err = -EOPNOTSUPP; c.why = "reserved segment fields";
			e[2].reserved[1] = cpu_to_le64(1);
			st_make(buf, &sb, e, n, 5, 6);
			break;
		}
		snprintf(name, sizeof(name), "segment table refused: %s", c.name);
		t_begin(name);
		why = NULL;
		t_eq(rvm_segtab_validate(&t, buf, sizeof(buf), &sb, &why), c.err);
		t_check(has(why, c.why), "reason '%s'", why);
		t_end();
	}

	t_begin("segment table refused: internal segment with a name");
	sb = t_super(2);
	e[0] = seg_int(100 * 4096);
	strcpy(e[0].name, "/x");
	st_make(buf, &sb, e, 1, 5, 6);
	t_eq(rvm_segtab_validate(&t, buf, sizeof(buf), &sb, &why), -EINVAL);
	t_check(has(why, "internal segment with a name"), "%s", why);
	t_end();

	t_begin("segment table refused: buffer shorter than the copy");
	sb = t_super(2);
	e[0] = seg_int(100 * 4096);
	st_make(buf, &sb, e, 1, 5, 6);
	t_eq(rvm_segtab_validate(&t, buf, 4095, &sb, &why), -EINVAL);
	t_check(has(why, "shorter"), "%s", why);
	t_end();

	t_begin("segment table: the CRC covers the whole copy (2 blocks)");
	sb = t_super(2);
	sb.segtab_blocks = cpu_to_le32(2);
	sb.log_start = cpu_to_le64(6);
	sb.data_start = cpu_to_le64(22);
	rvm_super_seal(&sb);
	t_eq(rvm_super_validate(&sb, 0, &why), 0);
	e[0] = seg_int(100 * 4096);
	st_make(big, &sb, e, 1, 1, 0);
	t_eq(rvm_segtab_validate(&t, big, sizeof(big), &sb, &why), 0);
	t_eq(t.max_segs, 31);
	big[8000] ^= 1;
	t_eq(rvm_segtab_validate(&t, big, sizeof(big), &sb, &why), -EBADMSG);
	t_end();
}

/* Geometry of the record tests: segment 0 of 100 blocks, segment 3 of 2. */
static struct rvm_geom G = {
	.log_off = 4 * 4096, .log_size = 16 * 4096,
	.data_off = 20 * 4096, .data_size = 100 * 4096, .nonce = 0xabcdef,
};
static u8 G_st_buf[4096];
static struct rvm_segtab G_st;

static void geom_setup(void)
{
	struct rvm_disk_super sb = t_super(2);
	struct rvm_disk_seg e[2] = { seg_int(100 * 4096),
				     seg_file(3, 2 * 4096, "/data/three") };
	const char *why;

	st_make(G_st_buf, &sb, e, 2, 4, 0);
	if (rvm_segtab_validate(&G_st, G_st_buf, sizeof(G_st_buf), &sb, &why))
		abort();
	G.segtab = &G_st;
}

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

	t_begin("record encoder writes each range's segment");
	r[1].seg = 3;
	r[1].offset = 8192 - 100;
	n = rvm_rec_build(buf, sizeof(buf), &G, lsn, 9, 42, r, 3, 0);
	t_eq(n, 256);
	t_eq(le32_to_cpu(((const struct rvm_rec_range *)(h + 1))[0].seg), 0);
	t_eq(le32_to_cpu(((const struct rvm_rec_range *)(h + 1))[1].seg), 3);
	t_eq(le64_to_cpu(((const struct rvm_rec_range *)(h + 1))[1].offset), 8092);
	t_eq(rvm_rec_validate(buf, n, &G, lsn, 9, &why), 0);
	r[1].offset = 8192 - 99;	/* past the end of segment 3 */
	t_eq(rvm_rec_build(buf, sizeof(buf), &G, lsn, 9, 42, r, 3, 0), -EINVAL);
	r[1].seg = 2;			/* no segment 2 */
	r[1].offset = 0;
	t_eq(rvm_rec_build(buf, sizeof(buf), &G, lsn, 9, 42, r, 3, 0), -EINVAL);
	G.segtab = NULL;		/* no table: nothing goes */
	r[1].seg = 0;
	r[1].offset = 4090;
	t_eq(rvm_rec_build(buf, sizeof(buf), &G, lsn, 9, 42, r, 3, 0), -EINVAL);
	G.segtab = &G_st;
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

	for (i = 0; i < 18; i++) {
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
		case 12: c.err = -EINVAL; c.why = "outside its segment"; d[0].offset = cpu_to_le64(G.data_size - 149); break;
		case 13: c.err = -EINVAL; c.why = "add up"; d[1].len = cpu_to_le32(49); break;
		case 14: c.err = -EINVAL; c.why = "empty"; d[1].len = 0; break;
		case 15: c.err = -EINVAL; c.why = "not in the segment table"; d[1].seg = cpu_to_le32(1); break;
		case 16: c.err = -EINVAL; c.why = "outside its segment"; d[1].seg = cpu_to_le32(3); d[1].offset = cpu_to_le64(8192 - 49); break;
		case 17: c.err = -EINVAL; c.why = "not in the segment table"; d[1].seg = cpu_to_le32(4096); break;
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
	geom_setup();
	test_super_validate();
	test_segtab();
	test_super_pick();
	test_rec_build();
	test_rec_check();
	return t_exit();
}
