// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of recovery (kmod/common/recovery.c) on volume images built in
 * memory with the record encoder.
 */
#include "t_recover.h"

static void test_empty(void)
{
	struct rvm_recovery_stats st;

	t_begin("empty log: nothing replayed, nothing written");
	t_vol_init(&V, 16, 64, 0, 1);
	t_eq(t_vol_recover(&V, 0, 0, &st), 0);
	t_eq(st.records, 0);
	t_eq(st.end_lsn, 0);
	t_eq(st.next_seq, 1);
	t_eq(st.end_err, -EINVAL);
	t_eq(V.dev.writes, 0);
	t_eq(V.dev.flushes, 0);
	t_check(t_vol_data_is(&V, 0), "data changed");
	t_vol_free(&V);
	t_end();
}

static void test_replay_n(void)
{
	struct rvm_recovery_stats st;
	u64 bytes = 0;
	int i, j;

	t_begin("200 records replayed exactly");
	t_vol_init(&V, 256, 256, 0, 1);
	for (i = 0; i < 200; i++)
		t_vol_append_random(&V, 4, 1500);
	for (i = 0; i < V.nrec; i++)
		for (j = 0; j < (int)V.rec[i].n; j++)
			bytes += V.rec[i].r[j].len;
	t_eq(t_vol_recover(&V, RVM_RECOVER_DRY_RUN, 0, &st), 0);
	t_eq(st.records, 200);
	t_eq(st.bytes, bytes);
	t_eq(st.end_lsn, V.tail);
	t_eq(st.next_seq, 201);
	t_recover_expect(&V, 200, 0);
	t_check(V.dev.flushes == 1, "%ld flushes", V.dev.flushes);
	t_vol_free(&V);
	t_end();
}

static void test_torn(void)
{
	struct rvm_recovery_stats st;
	int i;

	t_begin("torn record: earlier applied, later valid ones not");
	t_vol_init(&V, 64, 64, 0, 1);
	for (i = 0; i < 10; i++)
		t_vol_append_random(&V, 3, 2000);
	t_vol_tear(&V, 6);
	t_recover_expect(&V, 6, 0);
	t_eq(t_vol_recover(&V, RVM_RECOVER_DRY_RUN, 0, &st), 0);
	t_eq(st.end_lsn, V.rec[6].lsn);
	t_eq(st.next_seq, V.rec[6].seq);
	t_eq(st.end_err, -EBADMSG);
	t_vol_free(&V);
	t_end();

	t_begin("torn first record: nothing applied");
	t_vol_init(&V, 64, 64, 4096, 7);
	for (i = 0; i < 5; i++)
		t_vol_append_random(&V, 3, 200);
	t_vol_tear(&V, 0);
	t_recover_expect(&V, 0, 0);
	t_eq(V.dev.writes, 0);
	t_vol_free(&V);
	t_end();
}

static void test_bad_crc(void)
{
	struct rvm_recovery_stats st;
	int i;

	t_begin("bad CRC in the middle stops the log there");
	t_vol_init(&V, 64, 64, 0, 1);
	for (i = 0; i < 10; i++)
		t_vol_append_random(&V, 3, 2000);
	V.dev.img[rvm_lsn_to_log(&V.g, V.rec[3].lsn) + V.rec[3].len - 1] ^= 1;
	t_recover_expect(&V, 3, 0);
	t_eq(t_vol_recover(&V, RVM_RECOVER_DRY_RUN, 0, &st), 0);
	t_eq(st.end_err, -EBADMSG);
	t_check(has(st.end_why, "CRC"), "%s", st.end_why);
	t_vol_free(&V);
	t_end();
}

static void test_wrap(void)
{
	struct rvm_recovery_stats st;
	u64 head, off[1];
	u32 len[1];

	t_begin("wrapped log: records across the end with a pad record");
	head = 5 * 65536ULL + 65536 - 3008;
	t_vol_init(&V, 16, 64, head, 77);
	while (V.tail + 2 * 2200 < head + L(&V))
		t_vol_append_random(&V, 2, 1000);
	t_check(V.npad >= 1, "no pad record written");
	t_recover_expect(&V, V.nrec, 0);
	t_eq(t_vol_recover(&V, RVM_RECOVER_DRY_RUN, 0, &st), 0);
	t_eq(st.pads, V.npad);
	t_vol_free(&V);
	t_end();

	t_begin("record exactly filling the lap, then one at the start");
	t_vol_init(&V, 16, 64, 3 * 65536ULL - 8192, 5);
	off[0] = 100;
	len[0] = 8192 - RVM_REC_HDR_SIZE - RVM_REC_RANGE_SIZE;
	t_vol_append(&V, off, len, 1, 0);
	t_eq(V.rec[0].len, 8192);
	t_vol_append_random(&V, 3, 500);
	t_eq(V.npad, 0);
	t_eq(rvm_lap_off(&V.g, V.rec[1].lsn), 0);
	t_recover_expect(&V, 2, 0);
	t_vol_free(&V);
	t_end();

	t_begin("record stretched (next > len) to the end of the lap");
	t_vol_init(&V, 16, 64, 65536ULL - 8192, 5);
	off[0] = 5000;
	len[0] = 300;
	t_vol_append(&V, off, len, 1, 8192);
	t_vol_append_random(&V, 3, 500);
	t_eq(V.npad, 0);
	t_eq(rvm_lap_off(&V.g, V.rec[1].lsn), 0);
	t_recover_expect(&V, 2, 0);
	t_vol_free(&V);
	t_end();

	t_begin("pad record as the last one: the log ends after it");
	t_vol_init(&V, 16, 64, 65536ULL - 4096, 9);
	t_vol_append_random(&V, 1, 100);
	t_vol_pad(&V);
	t_recover_expect(&V, 1, 0);
	t_eq(t_vol_recover(&V, RVM_RECOVER_DRY_RUN, 0, &st), 0);
	t_eq(st.end_lsn, 65536);
	t_eq(st.next_seq, 10);
	t_eq(st.pads, 1);
	t_vol_free(&V);
	t_end();
}

static void test_full(void)
{
	struct rvm_recovery_stats st;
	u64 head = 3 * 65536ULL, off[1] = { 0 };
	u32 len[1] = { 1 };

	t_begin("records filling the whole log area");
	t_vol_init(&V, 16, 64, head, 1);
	while (V.tail + 2500 < head + L(&V))
		t_vol_append_random(&V, 2, 1000);
	t_vol_append(&V, off, len, 1, head + L(&V) - V.tail);
	t_eq(V.tail, head + L(&V));
	t_recover_expect(&V, V.nrec, 0);
	t_eq(t_vol_recover(&V, RVM_RECOVER_DRY_RUN, 0, &st), 0);
	t_eq(st.end_err, 0);
	t_check(has(st.end_why, "full"), "%s", st.end_why);
	t_vol_free(&V);
	t_end();

	t_begin("record overlapping the head is not taken");
	head += 4096;
	t_vol_init(&V, 16, 64, head, 1);
	while (V.tail + 2500 < head + L(&V))
		t_vol_append_random(&V, 2, 1000);
	/* Fits in the lap, but runs 4096 bytes past the head. */
	t_check(rvm_lap_left(&V.g, V.tail) > head + 4096 + L(&V) - V.tail, "test setup");
	t_vol_append(&V, off, len, 1, head + 4096 + L(&V) - V.tail);
	t_recover_expect(&V, V.nrec - 1, 0);
	t_eq(t_vol_recover(&V, RVM_RECOVER_DRY_RUN, 0, &st), 0);
	t_check(has(st.end_why, "head"), "%s", st.end_why);
	t_vol_free(&V);
	t_end();
}

static void test_seq_gap(void)
{
	int i;

	t_begin("sequence gap stops the log");
	t_vol_init(&V, 64, 64, 0, 1);
	for (i = 0; i < 5; i++)
		t_vol_append_random(&V, 3, 1000);
	V.seq++;
	for (i = 0; i < 3; i++)
		t_vol_append_random(&V, 3, 1000);
	t_recover_expect(&V, 5, 0);
	t_vol_free(&V);
	t_end();
}

static void test_stale(void)
{
	struct rvm_recovery_stats st;
	struct rvm_range_src r = { .offset = 10, .len = 10, .data = "0123456789" };
	u64 lap;
	ssize_t n;
	int i;

	t_begin("stale record from an earlier lap: right seq, wrong lsn");
	t_vol_init(&V, 16, 64, 2 * 65536ULL, 50);
	lap = L(&V);
	for (i = 0; i < 5; i++)
		t_vol_append_random(&V, 3, 1000);
	n = rvm_rec_build(V.buf, lap, &V.g, V.tail - lap, V.seq, 1, &r, 1, 0);
	t_check(n > 0, "build: %zd", n);
	t_vol_put(&V, V.tail, V.buf, n);
	t_recover_expect(&V, 5, 0);
	t_eq(t_vol_recover(&V, RVM_RECOVER_DRY_RUN, 0, &st), 0);
	t_check(has(st.end_why, "lsn"), "%s", st.end_why);
	t_vol_free(&V);
	t_end();

	t_begin("a whole earlier lap of valid records is not replayed");
	t_vol_init(&V, 16, 64, 2 * 65536ULL, 500);
	V.tail = 65536;
	V.seq = 40;
	while (V.tail + 2500 < 2 * 65536ULL)
		t_vol_append_random(&V, 2, 1000);
	V.first = V.nrec;
	V.tail = 2 * 65536ULL;
	V.seq = 500;
	for (i = 0; i < 3; i++)
		t_vol_append_random(&V, 2, 1000);
	t_recover_expect(&V, V.nrec, 0);
	t_vol_free(&V);
	t_end();
}

static void test_foreign(void)
{
	struct rvm_recovery_stats st;
	struct rvm_geom g;
	struct rvm_range_src r = { .offset = 10, .len = 10, .data = "0123456789" };
	ssize_t n;
	int i;

	t_begin("record with a foreign nonce stops the log");
	t_vol_init(&V, 16, 64, 0, 1);
	for (i = 0; i < 4; i++)
		t_vol_append_random(&V, 3, 1000);
	g = V.g;
	g.nonce ^= 0x100;
	n = rvm_rec_build(V.buf, L(&V), &g, V.tail, V.seq, 1, &r, 1, 0);
	t_vol_put(&V, V.tail, V.buf, n);
	t_recover_expect(&V, 4, 0);
	t_eq(t_vol_recover(&V, RVM_RECOVER_DRY_RUN, 0, &st), 0);
	t_check(has(st.end_why, "nonce"), "%s", st.end_why);
	t_vol_free(&V);
	t_end();
}

static void test_newest_wins(void)
{
	static const u64 off[] = { 100, 150, 0, 4000, 100, 8190 };
	static const u32 len[] = { 100, 50, 3 * 4096, 200, 100, 3 };
	unsigned int i;

	t_begin("newest value wins across overlapping records");
	t_vol_init(&V, 16, 8, 0, 1);
	for (i = 0; i < ARRAY_SIZE(off); i++)
		t_vol_append(&V, &off[i], &len[i], 1, 0);
	/* One record overlapping itself: the later range wins. */
	t_vol_append(&V, off, len, 2, 0);
	t_recover_expect(&V, V.nrec, 0);
	t_check(V.dev.img[V.g.data_off + 150] == ((const u8 *)V.rec[6].r[1].data)[0],
		"byte 150 is not the last writer's");
	t_vol_free(&V);
	t_end();
}

static void test_budget(void)
{
	static const size_t mem[] = { 0, 4096, 3 * 4096, 10 * 4096 };
	struct rvm_recovery_stats st, dry;
	u8 *saved;
	unsigned int i;
	u64 pages0 = 0;
	int k;

	t_begin("memory budget forcing early writeback: same result");
	t_vol_init(&V, 256, 64, 0, 1);
	for (k = 0; k < 300; k++)
		t_vol_append_random(&V, 3, 1000);
	t_check(V.tail < L(&V), "test setup: log overfull");
	saved = malloc(V.dev.size);
	memcpy(saved, V.dev.img, V.dev.size);
	for (i = 0; i < ARRAY_SIZE(mem); i++) {
		memcpy(V.dev.img, saved, V.dev.size);
		t_eq(t_vol_recover(&V, RVM_RECOVER_DRY_RUN, mem[i], &dry), 0);
		t_eq(t_vol_recover(&V, 0, mem[i], &st), 0);
		t_check(t_vol_data_is(&V, V.nrec), "budget %zu: wrong data", mem[i]);
		t_eq(st.records, 300);
		t_eq(dry.pages, st.pages);
		t_eq(dry.writebacks, st.writebacks);
		t_eq(V.dev.wblocks, st.pages);
		if (!mem[i]) {
			pages0 = st.pages;
			t_eq(st.writebacks, 1);
			t_check(st.pages <= 64, "%llu pages", (unsigned long long)st.pages);
		} else {
			t_check(st.writebacks > 1, "budget %zu: %llu writebacks",
				mem[i], (unsigned long long)st.writebacks);
			t_check(st.pages >= pages0, "fewer pages than without budget");
		}
		V.dev.wblocks = 0;
	}
	free(saved);
	t_vol_free(&V);
	t_end();
}

static void test_crash_in_recovery(void)
{
	static const size_t mem[] = { 0, 2 * 4096 };
	struct rvm_recovery_stats st;
	u8 *saved;
	unsigned int i;
	long k, total;

	t_begin("crash in mid-recovery, then recovery again: same image");
	t_vol_init(&V, 64, 32, 0, 1);
	for (k = 0; k < 60; k++)
		t_vol_append_random(&V, 3, 2000);
	saved = malloc(V.dev.size);
	memcpy(saved, V.dev.img, V.dev.size);
	for (i = 0; i < ARRAY_SIZE(mem); i++) {
		memcpy(V.dev.img, saved, V.dev.size);
		V.dev.wblocks = 0;
		t_eq(t_vol_recover(&V, 0, mem[i], &st), 0);
		total = V.dev.wblocks;
		/* A crash after each block written, in a write of several too. */
		for (k = 0; k < total; k++) {
			int err;

			memcpy(V.dev.img, saved, V.dev.size);
			V.dev.wblocks = 0;
			V.dev.write_limit = k;
			err = t_vol_recover(&V, 0, mem[i], &st);
			t_check(err == -EIO, "limit %ld: %d", k, err);
			/* A second crash, a little later. */
			V.dev.wblocks = 0;
			V.dev.write_limit = k / 2 + 1;
			t_vol_recover(&V, 0, mem[i], &st);
			V.dev.write_limit = -1;
			err = t_vol_recover(&V, 0, mem[i], &st);
			t_check(!err && t_vol_data_is(&V, V.nrec),
				"mem %zu limit %ld: err %d or wrong data", mem[i], k, err);
		}
	}
	free(saved);
	t_vol_free(&V);
	t_end();
}

static void test_dry_run(void)
{
	struct rvm_recovery_stats st, dry;
	u8 *saved;
	int k;

	t_begin("dry run writes nothing and predicts the real run");
	t_vol_init(&V, 64, 64, 65536, 3);
	for (k = 0; k < 40; k++)
		t_vol_append_random(&V, 3, 2000);
	t_vol_tear(&V, 35);
	saved = malloc(V.dev.size);
	memcpy(saved, V.dev.img, V.dev.size);
	t_eq(t_vol_recover(&V, RVM_RECOVER_DRY_RUN, 0, &dry), 0);
	t_eq(V.dev.writes, 0);
	t_eq(V.dev.flushes, 0);
	t_check(!memcmp(saved, V.dev.img, V.dev.size), "image changed");
	t_eq(t_vol_recover(&V, 0, 0, &st), 0);
	t_eq(dry.records, 35);
	t_eq(dry.records, st.records);
	t_eq(dry.bytes, st.bytes);
	t_eq(dry.ranges, st.ranges);
	t_eq(dry.pages, st.pages);
	t_eq(dry.end_lsn, st.end_lsn);
	t_eq(dry.next_seq, st.next_seq);
	t_eq(dry.end_err, st.end_err);
	free(saved);
	t_vol_free(&V);
	t_end();
}

/* Put a record header at the tail, sealed, with the body random. */
static struct rvm_rec_hdr *t_craft(struct t_vol *v, u32 len, u32 next, u32 nranges)
{
	struct rvm_rec_hdr *h = (void *)(v->dev.img + rvm_lsn_to_log(&v->g, v->tail));

	memset(h, 0, sizeof(*h));
	h->magic = cpu_to_le32(RVM_REC_MAGIC);
	h->type = cpu_to_le16(RVM_REC_TXN);
	h->hdr_len = cpu_to_le16(RVM_REC_HDR_SIZE);
	h->vol_nonce = cpu_to_le64(v->g.nonce);
	h->seq = cpu_to_le64(v->seq);
	h->lsn = cpu_to_le64(v->tail);
	h->len = cpu_to_le32(len);
	h->next = cpu_to_le32(next);
	h->nranges = cpu_to_le32(nranges);
	return h;
}

static void t_craft_seal(struct rvm_rec_hdr *h, u32 len)
{
	h->crc = cpu_to_le32(rvm_rec_crc(h, len));
}

static void test_garbage(void)
{
	static const struct {
		const char *name;
		u32 len, next, nranges;
		const char *why;
	} bad[] = {
		{ "len 4 GiB", 0xffffffff, 0xffffffc0, 1, "next" },
		{ "len 4 GiB, next too", 0xffffffc0, 0xffffffc0, 1, "end of the log" },
		{ "next 4 GiB", 128, 0xffffffc0, 1, "end of the log" },
		{ "len < header", 16, 64, 0, "shorter" },
		{ "next < len", 256, 128, 1, "next" },
		{ "next unaligned", 256, 300, 1, "next" },
		{ "next 0", 64, 0, 0, "next" },
		{ "nranges huge", 128, 128, 0xffffffff, "descriptors" },
		{ "nranges overruns", 128, 128, 5, "descriptors" },
	};
	struct rvm_recovery_stats st;
	struct rvm_rec_hdr *h;
	struct rvm_rec_range *r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		char name[80];

		snprintf(name, sizeof(name), "garbage header (%s) ends the log", bad[i].name);
		t_begin(name);
		t_vol_init(&V, 16, 16, 65536 - 1024, 1);
		t_vol_append_random(&V, 2, 100);
		h = t_craft(&V, bad[i].len, bad[i].next, bad[i].nranges);
		t_craft_seal(h, bad[i].len > 1024 ? 64 : bad[i].len);
		t_recover_expect(&V, 1, 0);
		t_eq(t_vol_recover(&V, RVM_RECOVER_DRY_RUN, 0, &st), 0);
		t_check(has(st.end_why, bad[i].why), "%s", st.end_why);
		t_vol_free(&V);
		t_end();
	}

	t_begin("sealed records with bad ranges end the log");
	for (i = 0; i < 7; i++) {
		t_vol_init(&V, 16, 16, 0, 1);
		t_vol_append_random(&V, 2, 100);
		h = t_craft(&V, 64 + 2 * 16 + 20, 128, 2);
		r = (void *)(h + 1);
		r[0].offset = cpu_to_le64(0);
		r[0].len = cpu_to_le32(10);
		r[1].offset = cpu_to_le64(100);
		r[1].len = cpu_to_le32(10);
		r[0].seg = 0;
		r[1].seg = 0;
		switch (i) {
		case 5:
			r[1].seg = cpu_to_le32(2);	/* not in the table */
			break;
		case 6:
			r[1].seg = cpu_to_le32(~0U);
			break;
		case 0:
			r[1].offset = cpu_to_le64(V.g.data_size - 5);
			break;
		case 1:
			r[1].offset = cpu_to_le64(~0ULL - 5);
			break;
		case 2:
			r[1].len = cpu_to_le32(11);
			break;
		case 3:
			r[0].len = 0;
			break;
		case 4:
			r[1].len = cpu_to_le32(0xfffffff0);
			break;
		}
		t_craft_seal(h, 64 + 2 * 16 + 20);
		t_recover_expect(&V, 1, 0);
		t_eq(t_vol_recover(&V, RVM_RECOVER_DRY_RUN, 0, &st), 0);
		t_eq(st.end_err, -EINVAL);
		t_vol_free(&V);
	}
	t_end();

	t_begin("random bytes everywhere in the log: nothing replayed");
	for (i = 0; i < 50; i++) {
		t_vol_init(&V, 16, 16, (t_rand() % 100000) * 64, 1 + t_rand() % 1000);
		t_recover_expect(&V, 0, 0);
		t_eq(V.dev.writes, 0);
		t_vol_free(&V);
	}
	t_end();
}

static void test_fuzz(void)
{
	struct rvm_recovery_stats st;
	u8 *saved;
	int it, k, err;

	t_begin("random corruption of a log: a prefix is replayed, never more");
	t_vol_init(&V, 32, 16, 3 * 131072ULL - 20032, 1);
	while (V.tail + 4000 < 4 * 131072ULL - 20032)
		t_vol_append_random(&V, 4, 700);
	saved = malloc(V.dev.size);
	memcpy(saved, V.dev.img, V.dev.size);
	for (it = 0; it < 2000; it++) {
		int flips = 1 + t_rand() % 4;

		memcpy(V.dev.img, saved, V.dev.size);
		for (k = 0; k < flips; k++) {
			u64 pos = V.g.log_off + t_rand() % V.g.log_size;

			if (t_rand() & 1)
				V.dev.img[pos] ^= 1 << (t_rand() % 8);
			else
				V.dev.img[pos] = (u8)t_rand();
		}
		err = t_vol_recover(&V, 0, (t_rand() & 1) ? 4096 : 0, &st);
		if (err || V.dev.oob || st.records > (u64)V.nrec ||
		    !t_vol_data_is(&V, (int)st.records)) {
			t_check(0, "iteration %d: err %d oob %d records %llu", it,
				err, V.dev.oob, (unsigned long long)st.records);
			break;
		}
	}
	free(saved);
	t_vol_free(&V);
	t_end();
}

static void test_big_record(void)
{
	u64 off[3] = { 5, 200000, 70000 };
	u32 len[3] = { 300000, 100000, 10 };
	struct rvm_recovery_stats st;
	struct rvm_recovery_opts o = { .buf_len = 1 };

	t_begin("record larger than the read buffer");
	t_vol_init(&V, 512, 128, 65536, 1);
	t_vol_append_random(&V, 2, 100);
	t_vol_append(&V, off, len, 3, 0);
	t_vol_append_random(&V, 2, 100);
	t_eq(rvm_recover(&V.sb, V.g.segtab, t_ops, &V.dev, &o, &st), 0);
	t_eq(st.records, 3);
	t_check(t_vol_data_is(&V, 3), "wrong data");
	t_vol_free(&V);
	t_end();
}

static void test_after_recovery(void)
{
	struct rvm_recovery_stats st;
	struct rvm_disk_super sb, naive;
	u64 off[T_MAX_RANGES];
	u32 len[T_MAX_RANGES], i;
	int k, slot;

	t_begin("after recovery the head moves a lap on: old tail records stay dead");
	t_vol_init(&V, 64, 64, 0, 1);
	for (k = 0; k < 8; k++)
		t_vol_append_random(&V, 3, 1500);
	t_vol_tear(&V, 5);
	t_eq(t_vol_recover(&V, 0, 0, &st), 0);
	t_eq(st.records, 5);
	slot = rvm_super_after_recovery(&V.sb, &st, &sb);
	t_eq(slot, 1);
	t_eq(le64_to_cpu(sb.sb_seq), 3);
	t_eq(le64_to_cpu(sb.head_lsn), V.rec[5].lsn + L(&V));
	t_eq(le64_to_cpu(sb.head_seq), V.rec[5].seq);
	t_eq(rvm_super_validate(&sb, 0, NULL), 0);
	naive = sb;
	naive.head_lsn = cpu_to_le64(st.end_lsn);
	rvm_super_seal(&naive);
	V.sb = sb;
	t_vol_seal_super(&V);
	t_eq(rvm_super_pick((void *)V.dev.img, (void *)(V.dev.img + 4096), 0,
			    NULL, NULL), 1);

	/* Recovered once: nothing left. */
	t_eq(t_vol_recover(&V, 0, 0, &st), 0);
	t_eq(st.records, 0);

	/* A new writer commits one record as long as old record 5, then crashes. */
	memcpy(V.data0, V.dev.img + V.g.data_off, V.g.data_size);
	V.first = V.nrec;
	V.tail = le64_to_cpu(sb.head_lsn);
	V.seq = le64_to_cpu(sb.head_seq);
	for (i = 0; i < V.rec[5].n; i++) {
		off[i] = V.rec[5].r[i].offset;
		len[i] = V.rec[5].r[i].len;
	}
	t_vol_append(&V, off, len, V.rec[5].n, 0);
	t_eq(rvm_lap_off(&V.g, V.rec[V.nrec - 1].lsn),
	     rvm_lap_off(&V.g, V.rec[5].lsn));
	t_eq(t_vol_recover(&V, RVM_RECOVER_DRY_RUN, 0, &st), 0);
	t_eq(st.records, 1);
	t_recover_expect(&V, V.nrec, 0);

	/*
	 * Had the head stayed at the end of the log, a new record of the same
	 * length at the same place would let old record 6 pass for the next one.
	 */
	{
		ssize_t n = rvm_rec_build(V.buf, L(&V), &V.g, V.rec[5].lsn,
					  V.rec[5].seq, 1, V.rec[V.nrec - 1].r,
					  V.rec[5].n, 0);

		t_eq(n, V.rec[5].next);
		t_vol_put(&V, V.rec[5].lsn, V.buf, V.rec[5].len);
	}
	t_eq(rvm_recover(&naive, V.g.segtab, t_ops, &V.dev,
			 &(struct rvm_recovery_opts){ .flags = RVM_RECOVER_DRY_RUN },
			 &st), 0);
	t_check(st.records >= 2, "naive head: %llu records", (unsigned long long)st.records);
	t_vol_free(&V);
	t_end();
}

static void test_limit(void)
{
	struct rvm_recovery_stats st;
	struct rvm_recovery_opts o = { 0 };
	u8 *saved;
	int i;

	t_begin("limit_lsn: only records ending at or before it are replayed");
	t_vol_init(&V, 64, 64, 65536, 1);
	for (i = 0; i < 10; i++)
		t_vol_append_random(&V, 3, 1500);
	saved = malloc(V.dev.size);
	memcpy(saved, V.dev.img, V.dev.size);
	o.limit_lsn = V.rec[5].lsn;
	t_eq(rvm_recover(&V.sb, V.g.segtab, t_ops, &V.dev, &o, &st), 0);
	t_eq(st.records, 5);
	t_eq(st.end_lsn, V.rec[5].lsn);
	t_eq(st.end_err, 0);
	t_check(t_vol_data_is(&V, 5), "wrong data");
	memcpy(V.dev.img, saved, V.dev.size);
	o.limit_lsn = V.rec[5].lsn + 64;
	t_eq(rvm_recover(&V.sb, V.g.segtab, t_ops, &V.dev, &o, &st), 0);
	t_eq(st.records, 5);
	t_check(has(st.end_why, "past the limit"), "%s", st.end_why);
	t_check(t_vol_data_is(&V, 5), "wrong data");
	o.limit_lsn = V.tail;
	t_eq(rvm_recover(&V.sb, V.g.segtab, t_ops, &V.dev, &o, &st), 0);
	t_eq(st.records, 10);
	t_eq(st.end_lsn, V.tail);
	t_check(t_vol_data_is(&V, 10), "wrong data");
	free(saved);
	t_vol_free(&V);
	t_end();
}

static void test_all(void)
{
	/* The same records in each run: some tests rely on the sizes drawn. */
	t_rng_state = 0x9E3779B97F4A7C15ULL;
	test_empty();
	test_replay_n();
	test_torn();
	test_bad_crc();
	test_wrap();
	test_full();
	test_seq_gap();
	test_stale();
	test_foreign();
	test_newest_wins();
	test_budget();
	test_crash_in_recovery();
	test_dry_run();
	test_garbage();
	test_fuzz();
	test_big_record();
	test_after_recovery();
	test_limit();
}

int main(void)
{
	return t_recover_main(test_all);
}
