// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of recovery's log walks and reads (kmod/common/recovery.c):
 * walking the records, sectors shared by two records, read-ahead, pads,
 * runs of pages, units, several data segments; on volume images built in
 * memory with the record encoder, as in test_recovery.c.
 */
#include "t_recover.h"

struct walk_arg {
	struct t_vol *v;
	int i, pads;
	bool bad;
};

static int walk_fn(void *arg, const struct rvm_rec_info *ri)
{
	struct walk_arg *w = arg;
	const struct t_rec *r;
	u32 j;

	if (le16_to_cpu(ri->hdr->type) == RVM_REC_PAD) {
		w->pads++;
		return 0;
	}
	r = &w->v->rec[w->i++];
	if (ri->lsn != r->lsn || le64_to_cpu(ri->hdr->seq) != r->seq ||
	    le64_to_cpu(ri->hdr->tid) != r->tid ||
	    le32_to_cpu(ri->hdr->nranges) != r->n)
		w->bad = true;
	for (j = 0; j < r->n; j++)
		if (le64_to_cpu(ri->ranges[j].offset) != r->r[j].offset ||
		    le32_to_cpu(ri->ranges[j].len) != r->r[j].len)
			w->bad = true;
	if (r->n && memcmp(ri->data, r->data, r->r[0].len))
		w->bad = true;
	return w->i == 1000 ? -ECANCELED : 0;
}

static void test_walk(void)
{
	struct rvm_recovery_stats st;
	struct walk_arg w = { .v = &V };
	struct rvm_disk_super sb;

	t_begin("rvm_log_walk hands out every record, pads included");
	t_vol_init(&V, 16, 64, 65536 - 5056, 1);
	while (V.tail + 2500 < 65536 - 5056 + L(&V))
		t_vol_append_random(&V, 2, 1000);
	t_eq(rvm_log_walk(&V.sb, V.g.segtab, t_ops, &V.dev, 0, walk_fn, &w, &st), 0);
	t_eq(w.i, V.nrec);
	t_eq(w.pads, V.npad);
	t_check(!w.bad, "record mismatch");
	t_eq(st.records, V.nrec);
	t_eq(V.dev.writes, 0);
	t_vol_free(&V);
	t_end();

	t_begin("invalid superblock or flags refused");
	t_vol_init(&V, 16, 16, 0, 1);
	sb = V.sb;
	sb.magic = 0;
	t_eq(rvm_recover(&sb, V.g.segtab, t_ops, &V.dev, NULL, &st), -EINVAL);
	t_eq(rvm_log_walk(&sb, V.g.segtab, t_ops, &V.dev, 0, NULL, NULL, &st), -EINVAL);
	t_eq(rvm_recover(&V.sb, V.g.segtab, t_ops, &V.dev,
			 &(struct rvm_recovery_opts){ .flags = 0x80 }, &st), -EINVAL);
	t_eq(V.dev.reads, 0);
	t_vol_free(&V);
	t_end();
}

/* Zero the log from @lsn to the end of its sector, as the writer does. */
static void t_zero_sector_rest(struct t_vol *v, u64 lsn)
{
	u64 end = (lsn + RVM_SECTOR_SIZE - 1) / RVM_SECTOR_SIZE *
		  RVM_SECTOR_SIZE;

	memset(v->dev.img + rvm_lsn_to_log(&v->g, lsn), 0, end - lsn);
}

/*
 * The writer packs records: a batch starts inside the last sector of the
 * batch before and rewrites that sector, its earlier bytes unchanged. A
 * crash during that write leaves each of its sectors old or new (writes of
 * one sector are atomic): the earlier batch's records are whole either
 * way, and what recovery finds is a prefix of the later batch.
 */
static void test_shared_sector(void)
{
	u64 head = 7 * 512 + 192, first, end, n;
	size_t lo, hi, sectors;
	u8 *old, *new;
	int i, k, b1, b2;

	t_begin("a write rewriting the last sector of the one before, torn");
	t_vol_init(&V, 64, 64, head, 11);
	do
		t_vol_append_random(&V, 3, 300);
	while (V.nrec < 5 || V.tail % RVM_SECTOR_SIZE == 0);
	b1 = V.nrec;
	t_zero_sector_rest(&V, V.tail);
	first = V.tail / RVM_SECTOR_SIZE * RVM_SECTOR_SIZE;
	old = malloc(V.dev.size);
	memcpy(old, V.dev.img, V.dev.size);
	for (i = 0; i < 5; i++)
		t_vol_append_random(&V, 3, 300);
	b2 = V.nrec;
	t_zero_sector_rest(&V, V.tail);
	end = (V.tail + RVM_SECTOR_SIZE - 1) / RVM_SECTOR_SIZE * RVM_SECTOR_SIZE;
	new = malloc(V.dev.size);
	memcpy(new, V.dev.img, V.dev.size);
	lo = rvm_lsn_to_log(&V.g, first);
	hi = rvm_lsn_to_log(&V.g, end - 1) + 1;
	sectors = (hi - lo) / RVM_SECTOR_SIZE;
	t_check(sectors >= 2 && sectors <= 64, "%zu sectors", sectors);
	for (i = 0; i < 200 && !t_case_failed; i++) {
		struct rvm_recovery_stats st;
		u64 mask = i == 0 ? 0 : i == 1 ? ~0ULL : t_rand();

		memcpy(V.dev.img, old, V.dev.size);
		for (n = 0; n < sectors; n++)
			if (mask >> n & 1)
				memcpy(V.dev.img + lo + n * RVM_SECTOR_SIZE,
				       new + lo + n * RVM_SECTOR_SIZE,
				       RVM_SECTOR_SIZE);
		t_eq(t_vol_recover(&V, RVM_RECOVER_DRY_RUN, 0, &st), 0);
		k = (int)st.records;
		t_check(k >= b1 && k <= b2, "%d records (%d, %d)", k, b1, b2);
		if (i == 0)
			t_eq(k, b1);
		if (i == 1)
			t_eq(k, b2);
		t_recover_expect(&V, k, 0);
	}
	free(old);
	free(new);
	t_vol_free(&V);
	t_end();
}

static void test_readahead(void)
{
	static const size_t bufs[] = { 1, 100000, 0 };
	struct rvm_recovery_stats st, dry;
	struct rvm_recovery_opts o = { 0 };
	u64 off[2], head = 3 * 2 * 1048576ULL - 300032;
	u32 len[2];
	u8 *saved;
	unsigned int i;
	int k;

	t_begin("small windows: records straddling them, long ones, wraps");
	t_vol_init(&V, 512, 512, head, 1);
	while (V.tail + 200000 < head + L(&V)) {
		if (t_rand() % 8) {
			t_vol_append_random(&V, 4, 3000);
			continue;
		}
		if (t_rand() % 2) {
			/* Stretched: the next record may lie past a window. */
			len[0] = 1 + t_rand() % 500;
			off[0] = t_rand() % (V.g.data_size - len[0] + 1);
			t_vol_append(&V, off, len, 1,
				     (1 + t_rand() % 256) * RVM_REC_ALIGN + 1024);
			continue;
		}
		/* Longer than the room before a window (64 KiB) sometimes. */
		len[0] = 1 + t_rand() % 150000;
		len[1] = 1 + t_rand() % 20;
		off[0] = t_rand() % (V.g.data_size - len[0] + 1);
		off[1] = t_rand() % (V.g.data_size - len[1] + 1);
		t_vol_append(&V, off, len, 2, 0);
	}
	t_check(V.npad >= 1, "test setup: no wrap");
	saved = malloc(V.dev.size);
	memcpy(saved, V.dev.img, V.dev.size);
	for (i = 0; i < ARRAY_SIZE(bufs); i++) {
		memcpy(V.dev.img, saved, V.dev.size);
		o.buf_len = bufs[i];
		o.flags = RVM_RECOVER_DRY_RUN;
		t_eq(rvm_recover(&V.sb, V.g.segtab, t_ops, &V.dev, &o, &dry), 0);
		t_eq(dry.records, V.nrec);
		t_eq(dry.pads, V.npad);
		t_eq(dry.end_lsn, V.tail);
		V.dev.ahead = 0;
		o.flags = 0;
		t_eq(rvm_recover(&V.sb, V.g.segtab, t_ops, &V.dev, &o, &st), 0);
		t_eq(st.records, V.nrec);
		t_check(t_vol_data_is(&V, V.nrec), "buf %zu: wrong data", bufs[i]);
		t_check(!V.dev.oob && !V.dev.unaligned, "bad access");
		t_check(!V.dev.inflight, "%ld reads left in flight", V.dev.inflight);
		if (t_ops->read_start)
			t_check(V.dev.ahead > 0, "no read-ahead");
	}
	t_end();

	t_begin("torn and corrupt records found through read-ahead windows");
	for (k = 0; k < 40; k++) {
		int victim = t_rand() % V.nrec;

		memcpy(V.dev.img, saved, V.dev.size);
		if (k & 1)
			t_vol_tear(&V, victim);
		else
			V.dev.img[rvm_lsn_to_log(&V.g, V.rec[victim].lsn) +
				  t_rand() % V.rec[victim].len] ^= 0x10;
		o.buf_len = bufs[k % ARRAY_SIZE(bufs)];
		t_eq(rvm_recover(&V.sb, V.g.segtab, t_ops, &V.dev, &o, &st), 0);
		t_eq(st.records, victim);
		t_check(t_vol_data_is(&V, victim), "victim %d: wrong data", victim);
		t_check(!V.dev.inflight, "%ld reads left in flight", V.dev.inflight);
	}
	t_end();

	t_begin("read-ahead that cannot start: plain reads");
	memcpy(V.dev.img, saved, V.dev.size);
	V.dev.no_ahead = true;
	o.buf_len = 1;
	t_eq(rvm_recover(&V.sb, V.g.segtab, t_ops, &V.dev, &o, &st), 0);
	t_check(t_vol_data_is(&V, V.nrec), "wrong data");
	V.dev.no_ahead = false;
	t_end();

	t_begin("read errors in the log are errors, not its end");
	for (k = 0; k < 20; k++) {
		const struct t_rec *r = &V.rec[t_rand() % V.nrec];

		memcpy(V.dev.img, saved, V.dev.size);
		V.dev.bad = rvm_lsn_to_log(&V.g, r->lsn + t_rand() % r->len) + 1;
		o.buf_len = bufs[k % ARRAY_SIZE(bufs)];
		t_eq(rvm_recover(&V.sb, V.g.segtab, t_ops, &V.dev, &o, &st), -EIO);
		t_check(!V.dev.inflight, "%ld reads left in flight", V.dev.inflight);
	}
	V.dev.bad = 0;
	free(saved);
	t_vol_free(&V);
	t_end();
}

static void test_pad_jump(void)
{
	struct rvm_recovery_opts o = { .buf_len = 1 };
	struct rvm_recovery_stats st;
	int i;

	t_begin("pad record jumping past the read-ahead window");
	/* The head half way through the lap, the pad 1 MiB long. */
	t_vol_init(&V, 512, 64, 9 * 1048576ULL, 1);
	for (i = 0; i < 10; i++)
		t_vol_append_random(&V, 2, 1000);
	t_vol_pad(&V);
	for (i = 0; i < 10; i++)
		t_vol_append_random(&V, 2, 1000);
	t_eq(rvm_recover(&V.sb, V.g.segtab, t_ops, &V.dev, &o, &st), 0);
	t_eq(st.records, 20);
	t_eq(st.pads, 1);
	t_check(t_vol_data_is(&V, 20), "wrong data");
	t_check(!V.dev.inflight, "%ld reads left in flight", V.dev.inflight);
	t_vol_free(&V);
	t_end();
}

static void test_runs(void)
{
	struct rvm_recovery_stats st;
	u64 off[3];
	u32 len[3];
	long reads;

	t_begin("pages the log writes whole are not read back");
	t_vol_init(&V, 64, 64, 0, 1);
	off[0] = 4096;
	len[0] = 3 * 4096;
	off[1] = 20 * 4096;
	len[1] = 4096;
	t_vol_append(&V, off, len, 2, 0);
	off[0] = 5 * 4096 + 100;	/* a byte range inside page 5 */
	len[0] = 200;
	t_vol_append(&V, off, len, 1, 0);
	reads = V.dev.reads;
	t_recover_expect(&V, 2, 0);
	t_eq(t_vol_recover(&V, 0, 0, &st), 0);
	t_eq(st.pages, 5);
	t_eq(st.pages_read, 1);
	t_eq(V.dev.wblocks, 10);
	t_check(V.dev.reads > reads, "no reads");
	t_vol_free(&V);
	t_end();

	t_begin("one read and one write for a run of pages");
	t_vol_init(&V, 64, 64, 0, 1);
	off[0] = 10 * 4096 + 5;
	len[0] = 10;
	off[1] = 11 * 4096;
	len[1] = 4096;
	off[2] = 12 * 4096 + 4000;
	len[2] = 96 + 4096 + 7;		/* pages 12, 13 and 14 */
	t_vol_append(&V, off, len, 3, 0);
	V.dev.writes = 0;
	t_recover_expect(&V, 1, 0);
	t_eq(V.dev.writes, 1);
	t_eq(V.dev.wblocks, 5);
	t_end();

	t_begin("a read error on a data page fails recovery");
	V.dev.bad = V.g.data_off + 14 * 4096 + 1;
	t_eq(t_vol_recover(&V, 0, 0, &st), -EIO);
	V.dev.bad = 0;
	t_vol_free(&V);
	t_end();
}

static void test_units(void)
{
	static const size_t mem[] = { 0, 4096, 5 * 4096 };
	struct rvm_recovery_stats st;
	u64 off[4];
	u32 len[4];
	u8 *saved;
	unsigned int i, n, j;
	int k;

	t_begin("ranges of whole 64-byte units, and byte ranges on the same pages");
	t_vol_init(&V, 128, 16, 0, 1);
	for (k = 0; k < 300; k++) {
		n = 1 + t_rand() % 4;
		for (j = 0; j < n; j++) {
			if (t_rand() % 5) {
				len[j] = 64 * (1 + t_rand() % 8);
				off[j] = 64 * (t_rand() % ((V.g.data_size - len[j]) / 64 + 1));
			} else {
				len[j] = 1 + t_rand() % 300;
				off[j] = t_rand() % (V.g.data_size - len[j] + 1);
			}
		}
		t_vol_append(&V, off, len, n, 0);
	}
	/* A page written whole in units, and one whole in bytes. */
	off[0] = 3 * 4096;
	len[0] = 4096;
	t_vol_append(&V, off, len, 1, 0);
	for (j = 0; j < 4; j++) {
		off[j] = 9 * 4096 + j * 1024;
		len[j] = 1024;
	}
	off[0] += 1;
	len[0] -= 1;
	t_vol_append(&V, off, len, 4, 0);
	off[0] = 9 * 4096;
	len[0] = 1;
	t_vol_append(&V, off, len, 1, 0);
	saved = malloc(V.dev.size);
	memcpy(saved, V.dev.img, V.dev.size);
	for (i = 0; i < ARRAY_SIZE(mem); i++) {
		memcpy(V.dev.img, saved, V.dev.size);
		t_eq(t_vol_recover(&V, 0, mem[i], &st), 0);
		t_check(t_vol_data_is(&V, V.nrec), "mem %zu: wrong data", mem[i]);
	}
	free(saved);
	t_vol_free(&V);
	t_end();
}

/*
 * Several segments: records across segment 0 and two external ones land
 * in the right images, runs never cross from one segment into the next,
 * each segment written is flushed, and early writebacks do not change
 * that. rvm_log_segments() names exactly the segments the records name.
 */
static void test_segments(void)
{
	unsigned long ids[BITS_TO_LONGS(RVM_SEG_ID_LIMIT)];
	struct rvm_recovery_stats st;
	size_t mem[3] = { 0, 4096, 5 * 4096 };
	int m, k;
	u32 i;

	for (m = 0; m < 3; m++) {
		char name[96];

		snprintf(name, sizeof(name),
			 "records across 3 segments land in the right ones (mem %zu)",
			 mem[m]);
		t_begin(name);
		t_vol_init(&V, 64, 32, 0, 1);
		t_vol_add_seg(&V, 2, 16);
		t_vol_add_seg(&V, 5, 8);
		t_eq(V.st.nsegs, 3);
		for (k = 0; k < 60; k++) {
			static const u32 all[3] = { 0, 2, 5 };
			u32 sg[3], len[3];
			u64 off[3], size;
			u32 n = 1 + k % 3;

			for (i = 0; i < n; i++) {
				sg[i] = all[(i + k) % 3];
				size = sg[i] ? V.dev.xsize[sg[i]] : V.g.data_size;
				len[i] = 1 + t_rand() % 3000;
				off[i] = t_rand() % (size - len[i] + 1);
			}
			t_vol_append_seg(&V, sg, off, len, n, 0);
		}
		{
			/* The last page of segment 2 and the first of segment 5. */
			u32 sg[2] = { 2, 5 }, len[2] = { 4096, 4096 };
			u64 off[2] = { V.dev.xsize[2] - 4096, 0 };

			t_vol_append_seg(&V, sg, off, len, 2, 0);
		}
		t_eq(rvm_log_segments(&V.sb, V.g.segtab, t_ops, &V.dev, ids, &st), 0);
		t_eq(st.records, 61);
		t_eq(find_next_bit(ids, RVM_SEG_ID_LIMIT, 0), 0);
		t_eq(find_next_bit(ids, RVM_SEG_ID_LIMIT, 1), 2);
		t_eq(find_next_bit(ids, RVM_SEG_ID_LIMIT, 3), 5);
		t_eq(find_next_bit(ids, RVM_SEG_ID_LIMIT, 6), RVM_SEG_ID_LIMIT);
		t_eq(V.dev.writes, 0);
		t_recover_expect(&V, V.nrec, mem[m]);
		t_check(t_vol_seg_is(&V, 2, V.nrec), "segment 2");
		t_check(t_vol_seg_is(&V, 5, V.nrec), "segment 5");
		t_eq(V.dev.xflushes[0], 1);
		t_eq(V.dev.xflushes[2], 1);
		t_eq(V.dev.xflushes[5], 1);
		t_eq(V.dev.flushes, 3);
		t_vol_free(&V);
		t_end();
	}

	t_begin("only the segments written are flushed");
	t_vol_init(&V, 64, 32, 0, 1);
	t_vol_add_seg(&V, 1, 16);
	t_vol_add_seg(&V, 3, 16);
	{
		u32 sg = 3, len = 100;
		u64 off = 5000;

		t_vol_append_seg(&V, &sg, &off, &len, 1, 0);
	}
	t_recover_expect(&V, 1, 0);
	t_check(t_vol_seg_is(&V, 3, 1), "segment 3");
	t_check(t_vol_seg_is(&V, 1, 1), "segment 1");
	t_eq(V.dev.xflushes[3], 1);
	t_eq(V.dev.flushes, 1);
	t_vol_free(&V);
	t_end();

	t_begin("a log-only volume: external segments alone");
	t_vol_init(&V, 64, 0, 0, 1);
	t_vol_add_seg(&V, 1, 4);
	t_eq(V.st.nsegs, 1);
	for (k = 0; k < 20; k++) {
		u32 sg = 1, len = 1 + t_rand() % 4000;
		u64 off = t_rand() % (4 * 4096 - len + 1);

		t_vol_append_seg(&V, &sg, &off, &len, 1, 0);
	}
	t_eq(t_vol_recover(&V, 0, 0, &st), 0);
	t_eq(st.records, 20);
	t_check(t_vol_seg_is(&V, 1, 20), "segment 1");
	t_check(!V.dev.oob, "access beyond an endpoint");
	t_vol_free(&V);
	t_end();

	t_begin("a range naming a segment not in the table ends the log");
	t_vol_init(&V, 64, 32, 0, 1);
	t_vol_add_seg(&V, 2, 4);
	for (k = 0; k < 3; k++)
		t_vol_append_random(&V, 2, 100);
	{
		u32 sg = 2, len = 10;
		u64 off = 0;

		t_vol_append_seg(&V, &sg, &off, &len, 1, 0);
		t_vol_append_random(&V, 2, 100);
	}
	/* Segment 2 leaves the table: record 3 names an unknown segment. */
	free(V.dev.xseg[2]);
	V.dev.xseg[2] = NULL;
	t_vol_write_segtab(&V, 2);
	t_vol_seal_super(&V);
	t_eq(t_vol_recover(&V, RVM_RECOVER_DRY_RUN, 0, &st), 0);
	t_eq(st.records, 3);
	t_eq(st.end_err, -EINVAL);
	t_check(has(st.end_why, "not in the segment table"), "%s", st.end_why);
	t_eq(rvm_log_segments(&V.sb, V.g.segtab, t_ops, &V.dev, ids, &st), 0);
	t_eq(st.records, 3);
	t_eq(find_next_bit(ids, RVM_SEG_ID_LIMIT, 1), RVM_SEG_ID_LIMIT);
	t_recover_expect(&V, 3, 0);
	t_vol_free(&V);
	t_end();
}

static void test_all(void)
{
	/* The same records in each run: some tests rely on the sizes drawn. */
	t_rng_state = 0x9E3779B97F4A7C15ULL;
	test_walk();
	test_readahead();
	test_pad_jump();
	test_runs();
	test_units();
	test_shared_sector();
	test_segments();
}

int main(void)
{
	return t_recover_main(test_all);
}
