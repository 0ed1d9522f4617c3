/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the format and recovery unit tests: a volume image in
 * memory with fault injection, and a log writer built on the encoder that
 * remembers what it wrote, so a test can compute the data segment recovery
 * must produce. Reporting and the PRNG are t_report.h's.
 */
#ifndef _RVM_TEST_H
#define _RVM_TEST_H

#include "kshim.h"
#include "recovery.h"

#include "t_report.h"

/* ---- a device in memory ---------------------------------------------- */

/* Segment ids the in-memory volumes use: 0 .. T_MAX_SEGS - 1. */
#define T_MAX_SEGS	8

/*
 * The endpoints (recovery.h) are ranges of @img: the log [0, @log_end)
 * (the whole image while @log_end is 0), segment 0 RVM_IO_SEG0
 * [@data_off, @data_off + @data_size); the other segments, ids 1 ..
 * T_MAX_SEGS - 1, are images of their own, @xseg[id] (NULL: none).
 */
struct t_dev {
	u8 *img;
	u64 size;
	u64 log_end, data_off, data_size;
	u8 *xseg[T_MAX_SEGS];
	u64 xsize[T_MAX_SEGS];
	long xflushes[T_MAX_SEGS];	/* flushes of each segment (0 too) */
	long reads, writes, flushes;
	long wblocks;		/* RVM_BLOCK_SIZE blocks written */
	long write_limit;	/* fail writes after this many blocks, writing
				 * the ones before it; < 0: never */
	long inflight;		/* reads started and not ended */
	long ahead;		/* reads started with read_start */
	bool oob;		/* an access beyond the end was attempted */
	bool unaligned;		/* an access not on a block boundary */
	u64 bad;		/* reads of the block at bad - 1 fail; 0: none */
	bool no_ahead;		/* read_start fails with -ENOMEM */
};

static bool t_dev_bad(const struct t_dev *d, u64 off, size_t len)
{
	return d->bad && d->bad - 1 >= off && d->bad - 1 < off + len;
}

/*
 * Endpoint @ep's @off to an offset in the image returned, if @len bytes
 * fit there; NULL if not.
 */
static u8 *t_dev_check(struct t_dev *d, u32 ep, u64 *off, size_t len)
{
	u64 base = 0, size = d->log_end ? d->log_end : d->size;
	u8 *img = d->img;

	if (ep == RVM_IO_SEG0) {
		base = d->data_off;
		size = d->data_size;
	} else if (ep < T_MAX_SEGS && d->xseg[ep]) {
		img = d->xseg[ep];
		size = d->xsize[ep];
	} else if (ep != RVM_IO_LOG) {
		size = 0;
	}
	if (*off > size || len > size - *off) {
		d->oob = true;
		return NULL;
	}
	if ((*off | len) % RVM_BLOCK_SIZE)
		d->unaligned = true;
	*off += base;
	return img;
}

static int t_dev_read(void *ctx, u32 ep, u64 off, void *buf, size_t len)
{
	struct t_dev *d = ctx;
	u8 *img = t_dev_check(d, ep, &off, len);

	if (!img)
		return -EIO;
	d->reads++;
	if (img == d->img && t_dev_bad(d, off, len))
		return -EIO;
	memcpy(buf, img + off, len);
	return 0;
}

static int t_dev_write(void *ctx, u32 ep, u64 off, const void *buf,
		       size_t len)
{
	struct t_dev *d = ctx;
	size_t n = len;
	u8 *img = t_dev_check(d, ep, &off, len);

	if (!img)
		return -EIO;
	if (d->write_limit >= 0 &&
	    d->wblocks + (long)(len / RVM_BLOCK_SIZE) > d->write_limit) {
		/* A crash in the middle: the first blocks made it. */
		n = d->write_limit > d->wblocks ?
			(size_t)(d->write_limit - d->wblocks) * RVM_BLOCK_SIZE : 0;
		memcpy(img + off, buf, n);
		d->wblocks += n / RVM_BLOCK_SIZE;
		return -EIO;
	}
	d->writes++;
	d->wblocks += len / RVM_BLOCK_SIZE;
	memcpy(img + off, buf, n);
	return 0;
}

static int t_dev_flush(void *ctx, u32 ep)
{
	struct t_dev *d = ctx;

	d->flushes++;
	if (ep < T_MAX_SEGS)
		d->xflushes[ep]++;
	return 0;
}

/*
 * Asynchronous reads: the buffer holds garbage until read_end, when the
 * device's bytes (as they are then) arrive, so a caller that used it
 * early would see it.
 */
struct t_dev_read_op {
	u8 *img;
	u64 off;
	void *buf;
	size_t len;
};

static int t_dev_read_start(void *ctx, u32 ep, u64 off, void *buf,
			    size_t len, void **handle)
{
	struct t_dev *d = ctx;
	struct t_dev_read_op *op;
	u8 *img = t_dev_check(d, ep, &off, len);

	if (!img)
		return -EIO;
	if (d->no_ahead)
		return -ENOMEM;
	op = malloc(sizeof(*op));
	if (!op)
		return -ENOMEM;
	op->img = img;
	op->off = off;
	op->buf = buf;
	op->len = len;
	memset(buf, 0xA5, len);
	d->inflight++;
	d->ahead++;
	*handle = op;
	return 0;
}

static int t_dev_read_end(void *ctx, void *handle)
{
	struct t_dev *d = ctx;
	struct t_dev_read_op *op = handle;
	int err = 0;

	d->inflight--;
	d->reads++;
	if (op->img == d->img && t_dev_bad(d, op->off, op->len))
		err = -EIO;
	else
		memcpy(op->buf, op->img + op->off, op->len);
	free(op);
	return err;
}

static const struct rvm_io_ops t_dev_ops = {
	.read = t_dev_read,
	.write = t_dev_write,
	.flush = t_dev_flush,
	.read_start = t_dev_read_start,
	.read_end = t_dev_read_end,
};

/* The same device without asynchronous reads (no read-ahead). */
static const struct rvm_io_ops t_dev_sync_ops = {
	.read = t_dev_read,
	.write = t_dev_write,
	.flush = t_dev_flush,
};

/* Which of the two the tests use (test_recovery runs with both). */
static const struct rvm_io_ops *t_ops = &t_dev_ops;

/* ---- a volume with a log writer ---------------------------------------- */

#define T_MAX_RECS	4096
#define T_MAX_RANGES	16

struct t_rec {
	u64 lsn, seq, tid;
	u32 len, next;
	u32 n;
	struct rvm_range_src r[T_MAX_RANGES];
	u8 *data;		/* the ranges' bytes, one after the other */
};

/*
 * The in-memory volumes' layout: the superblocks, the two segment table
 * copies of T_ST_BLOCKS blocks each (as rvm_vol_format() makes them),
 * then the log and segment 0.
 */
#define T_ST_BLOCKS	RVM_SEGTAB_DEFAULT_BLOCKS
#define T_LOG_START	(RVM_SUPER_COPIES + 2 * T_ST_BLOCKS)

struct t_vol {
	struct t_dev dev;
	struct rvm_disk_super sb;
	struct rvm_geom g;
	struct rvm_segtab st;	/* g.segtab: the table in copy A of @dev */
	u8 *x0[T_MAX_SEGS];	/* external segments before any record */
	u8 *data0;		/* the data segment before any record */
	u64 tail, seq;		/* where and with which seq the next record goes */
	struct t_rec rec[T_MAX_RECS];
	int nrec;
	int first;		/* records before this one are in data0 */
	int npad;
	u8 *buf;		/* encoder scratch, log_size bytes */
};

/* A valid, sealed superblock of a small volume, with sequence @sb_seq. */
static inline struct rvm_disk_super t_super(u64 sb_seq)
{
	struct rvm_disk_super sb;

	memset(&sb, 0, sizeof(sb));
	sb.magic = cpu_to_le64(RVM_SUPER_MAGIC);
	sb.version = cpu_to_le32(RVM_FORMAT_VERSION);
	sb.block_size = cpu_to_le32(RVM_BLOCK_SIZE);
	sb.sb_seq = cpu_to_le64(sb_seq);
	sb.vol_nonce = cpu_to_le64(0x1234);
	sb.segtab_start = cpu_to_le64(2);
	sb.segtab_blocks = cpu_to_le32(1);
	sb.log_start = cpu_to_le64(4);
	sb.log_blocks = cpu_to_le64(16);
	sb.data_start = cpu_to_le64(20);
	sb.data_blocks = cpu_to_le64(100);
	sb.head_lsn = cpu_to_le64(64 * 1000);
	sb.head_seq = cpu_to_le64(77);
	rvm_super_seal(&sb);
	return sb;
}

/*
 * Write @v's segment table, generation @gen (segment 0 if the volume has
 * a data area, and the external segments of @v->dev), to its copy, and
 * name it in @v->sb (not sealed: t_vol_seal_super()); set @v->st and
 * @v->g.segtab.
 */
static inline void t_vol_write_segtab(struct t_vol *v, u64 gen)
{
	const size_t bytes = rvm_segtab_bytes(&v->sb);
	u8 *copy = v->dev.img + (le64_to_cpu(v->sb.segtab_start) +
				 (gen & 1) * le32_to_cpu(v->sb.segtab_blocks)) *
					RVM_BLOCK_SIZE;
	struct rvm_segtab_hdr *h = (void *)copy;
	struct rvm_disk_seg *e = (void *)(h + 1);
	u32 n = 0, id;
	const char *why;

	memset(copy, 0, bytes);
	h->magic = cpu_to_le64(RVM_SEGTAB_MAGIC);
	h->gen = cpu_to_le64(gen);
	h->vol_nonce = v->sb.vol_nonce;
	if (v->sb.data_blocks) {
		e[n].flags = cpu_to_le32(RVM_DSEG_INTERNAL);
		e[n].size = cpu_to_le64(le64_to_cpu(v->sb.data_blocks) *
					RVM_BLOCK_SIZE);
		n++;
	}
	for (id = 1; id < T_MAX_SEGS; id++) {
		if (!v->dev.xseg[id])
			continue;
		e[n].id = cpu_to_le32(id);
		e[n].flags = cpu_to_le32(RVM_DSEG_FILE);
		e[n].size = cpu_to_le64(v->dev.xsize[id]);
		e[n].dev = cpu_to_le64(0x801);
		e[n].ino = cpu_to_le64(100 + id);
		snprintf(e[n].name, sizeof(e[n].name), "/t/seg%u", id);
		n++;
	}
	h->nsegs = cpu_to_le32(n);
	h->next_id = cpu_to_le32(T_MAX_SEGS);
	rvm_segtab_seal(copy, bytes);
	v->sb.segtab_gen = cpu_to_le64(gen);
	v->sb.segtab_crc = h->crc;
	if (rvm_segtab_validate(&v->st, copy, bytes, &v->sb, &why)) {
		fprintf(stderr, "t_vol_write_segtab: %s\n", why);
		abort();
	}
	v->g.segtab = &v->st;
}

static inline void t_vol_seal_super(struct t_vol *v)
{
	rvm_super_seal(&v->sb);
	memcpy(v->dev.img + RVM_BLOCK_SIZE * rvm_super_slot(le64_to_cpu(v->sb.sb_seq)),
	       &v->sb, sizeof(v->sb));
}

/* A volume whose head is at @head_lsn, seq @head_seq; random old log and data. */
static inline void t_vol_init(struct t_vol *v, u64 log_blocks, u64 data_blocks,
			      u64 head_lsn, u64 head_seq)
{
	u64 blocks = T_LOG_START + log_blocks + data_blocks;

	memset(v, 0, sizeof(*v));
	v->dev.size = blocks * RVM_BLOCK_SIZE;
	v->dev.img = calloc(1, v->dev.size);
	v->dev.write_limit = -1;
	t_fill(v->dev.img + T_LOG_START * RVM_BLOCK_SIZE,
	       v->dev.size - T_LOG_START * RVM_BLOCK_SIZE);
	v->sb.magic = cpu_to_le64(RVM_SUPER_MAGIC);
	v->sb.version = cpu_to_le32(RVM_FORMAT_VERSION);
	v->sb.block_size = cpu_to_le32(RVM_BLOCK_SIZE);
	v->sb.vol_nonce = cpu_to_le64(t_rand() | 1);
	t_fill(v->sb.uuid, sizeof(v->sb.uuid));
	v->sb.segtab_start = cpu_to_le64(RVM_SUPER_COPIES);
	v->sb.segtab_blocks = cpu_to_le32(T_ST_BLOCKS);
	v->sb.log_start = cpu_to_le64(T_LOG_START);
	v->sb.log_blocks = cpu_to_le64(log_blocks);
	v->sb.data_start = cpu_to_le64(data_blocks ? T_LOG_START + log_blocks : 0);
	v->sb.data_blocks = cpu_to_le64(data_blocks);
	v->sb.head_lsn = cpu_to_le64(head_lsn);
	v->sb.head_seq = cpu_to_le64(head_seq);
	t_vol_write_segtab(v, 0);
	v->sb.sb_seq = cpu_to_le64(1);
	t_vol_seal_super(v);
	v->sb.sb_seq = cpu_to_le64(2);
	t_vol_seal_super(v);
	rvm_geom_init(&v->g, &v->sb);
	v->g.segtab = &v->st;
	v->dev.log_end = v->g.log_off + v->g.log_size;
	v->dev.data_off = v->g.data_off;
	v->dev.data_size = v->g.data_size;
	v->data0 = malloc(v->g.data_size ? v->g.data_size : 1);
	memcpy(v->data0, v->dev.img + v->g.data_off, v->g.data_size);
	v->tail = head_lsn;
	v->seq = head_seq;
	v->buf = malloc(v->g.log_size);
}

/*
 * Use superblock @sb (of a real volume of the same geometry) for @v: its
 * nonce, and a segment table of segment 0 (as rvm_vol_format() makes it)
 * for the records' checks.
 */
static inline void t_vol_use_super(struct t_vol *v,
				   const struct rvm_disk_super *sb)
{
	v->sb = *sb;
	rvm_geom_init(&v->g, sb);
	t_vol_write_segtab(v, 0);
	v->sb = *sb;	/* the table the record checks use is @v->st */
}

/*
 * Add external segment @id (1 .. T_MAX_SEGS - 1) of @blocks blocks of
 * random bytes, and write the table again (generation + 1), naming it in
 * the superblock in force (resealed).
 */
static inline void t_vol_add_seg(struct t_vol *v, u32 id, u64 blocks)
{
	v->dev.xsize[id] = blocks * RVM_BLOCK_SIZE;
	v->dev.xseg[id] = malloc(v->dev.xsize[id]);
	t_fill(v->dev.xseg[id], v->dev.xsize[id]);
	v->x0[id] = malloc(v->dev.xsize[id]);
	memcpy(v->x0[id], v->dev.xseg[id], v->dev.xsize[id]);
	t_vol_write_segtab(v, le64_to_cpu(v->sb.segtab_gen) + 1);
	t_vol_seal_super(v);
}

static inline void t_vol_free(struct t_vol *v)
{
	int i;

	for (i = 0; i < T_MAX_SEGS; i++) {
		free(v->dev.xseg[i]);
		free(v->x0[i]);
	}
	for (i = 0; i < v->nrec; i++)
		free(v->rec[i].data);
	free(v->dev.img);
	free(v->data0);
	free(v->buf);
}

/* Copy @len encoded bytes to the log at @lsn (never crossing the lap end). */
static inline void t_vol_put(struct t_vol *v, u64 lsn, const void *buf, size_t len)
{
	memcpy(v->dev.img + rvm_lsn_to_log(&v->g, lsn), buf, len);
}

static inline void t_vol_pad(struct t_vol *v)
{
	ssize_t n = rvm_rec_build_pad(v->buf, v->g.log_size, &v->g, v->tail, v->seq);

	if (n < 0)
		abort();
	t_vol_put(v, v->tail, v->buf, RVM_REC_HDR_SIZE);
	v->tail += n;
	v->npad++;
}

/*
 * Append a transaction record of the given ranges (data random) at the
 * tail, padding first if it does not fit in the rest of the lap. @next 0:
 * the natural length. Returns the record's index.
 */
static inline int t_vol_append_seg(struct t_vol *v, const u32 *seg,
				   const u64 *off, const u32 *len, u32 n,
				   u32 next)
{
	struct t_rec *r = &v->rec[v->nrec];
	u64 total = 0;
	u8 *p;
	ssize_t got;
	u32 i;

	if (v->nrec >= T_MAX_RECS || n > T_MAX_RANGES)
		abort();
	for (i = 0; i < n; i++)
		total += len[i];
	r->data = malloc(total ? total : 1);
	t_fill(r->data, total);
	for (p = r->data, i = 0; i < n; i++) {
		r->r[i].offset = off[i];
		r->r[i].len = len[i];
		r->r[i].seg = seg ? seg[i] : 0;
		r->r[i].data = p;
		p += len[i];
	}
	r->n = n;
	r->tid = 1000 + v->nrec;
	got = rvm_rec_build(v->buf, v->g.log_size, &v->g, v->tail, v->seq,
			    r->tid, r->r, n, next);
	if (got == -ENOSPC) {
		t_vol_pad(v);
		got = rvm_rec_build(v->buf, v->g.log_size, &v->g, v->tail,
				    v->seq, r->tid, r->r, n, next);
	}
	if (got < 0) {
		fprintf(stderr, "t_vol_append: rvm_rec_build: %zd\n", got);
		abort();
	}
	r->lsn = v->tail;
	r->seq = v->seq;
	r->len = le32_to_cpu(((struct rvm_rec_hdr *)v->buf)->len);
	r->next = got;
	t_vol_put(v, v->tail, v->buf, r->len);
	v->tail += got;
	v->seq++;
	return v->nrec++;
}

/* A record of ranges in segment 0. */
static inline int t_vol_append(struct t_vol *v, const u64 *off, const u32 *len,
			       u32 n, u32 next)
{
	return t_vol_append_seg(v, NULL, off, len, n, next);
}

/* A record of 1..maxr random ranges, each up to maxlen bytes. */
static inline int t_vol_append_random(struct t_vol *v, u32 maxr, u32 maxlen)
{
	u64 off[T_MAX_RANGES];
	u32 len[T_MAX_RANGES];
	u32 i, n = 1 + t_rand() % maxr;

	for (i = 0; i < n; i++) {
		len[i] = 1 + t_rand() % maxlen;
		off[i] = t_rand() % (v->g.data_size - len[i] + 1);
	}
	return t_vol_append(v, off, len, n, 0);
}

/* Segment @seg after records first..@k-1. */
static inline u8 *t_vol_expect_seg(const struct t_vol *v, u32 seg, int k)
{
	u64 size = seg ? v->dev.xsize[seg] : v->g.data_size;
	u8 *img = malloc(size ? size : 1);
	int i;
	u32 j;

	memcpy(img, seg ? v->x0[seg] : v->data0, size);
	for (i = v->first; i >= 0 && i < k; i++)
		for (j = 0; j < v->rec[i].n; j++)
			if (v->rec[i].r[j].seg == seg)
				memcpy(img + v->rec[i].r[j].offset,
				       v->rec[i].r[j].data, v->rec[i].r[j].len);
	return img;
}

/* The data segment (0) after records first..@k-1. */
static inline u8 *t_vol_expect(const struct t_vol *v, int k)
{
	return t_vol_expect_seg(v, 0, k);
}

/* Does external segment @seg hold the state after @k records? */
static inline bool t_vol_seg_is(const struct t_vol *v, u32 seg, int k)
{
	u8 *img = t_vol_expect_seg(v, seg, k);
	bool same = !memcmp(img, v->dev.xseg[seg], v->dev.xsize[seg]);

	free(img);
	return same;
}

/* Does the device's data segment hold the state after @k records? */
static inline bool t_vol_data_is(const struct t_vol *v, int k)
{
	u8 *img = t_vol_expect(v, k);
	bool same = !memcmp(img, v->dev.img + v->g.data_off, v->g.data_size);

	free(img);
	return same;
}

/* Overwrite the log bytes of record @i's last sector with garbage (a tear). */
static inline void t_vol_tear(struct t_vol *v, int i)
{
	const struct t_rec *r = &v->rec[i];
	u64 end = r->lsn + r->len;
	u64 start = (end - 1) / RVM_SECTOR_SIZE * RVM_SECTOR_SIZE;
	u64 dev;
	u8 last;

	if (start < r->lsn)
		start = r->lsn;
	dev = rvm_lsn_to_log(&v->g, start);
	last = v->dev.img[dev + (end - start) - 1];
	t_fill(v->dev.img + dev, end - start);
	/* Make sure the last byte really changed. */
	v->dev.img[dev + (end - start) - 1] = ~last;
}

static inline int t_vol_recover(struct t_vol *v, unsigned int flags,
				size_t mem_limit, struct rvm_recovery_stats *st)
{
	struct rvm_recovery_opts o = { .flags = flags, .mem_limit = mem_limit };

	return rvm_recover(&v->sb, v->g.segtab, t_ops, &v->dev, &o, st);
}

#endif /* _RVM_TEST_H */
