// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: the log writer's staging buffer - records encoded at their log
 * positions, pads at the end of a lap, and whole sectors written out.
 * A record larger than the buffer is streamed through it (its CRC is
 * computed first), so the writer never allocates. Between batches it keeps
 * the part of the last sector written that lies before the tail, so that
 * the next batch, which starts there, rewrites those bytes unchanged.
 */
#include <linux/blk_types.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "endpoint.h"
#include "log.h"
#include "log_priv.h"
#include "volume.h"

/**
 * rvm_lbuf_init() - set up the staging buffer for the first batch
 * @o: the buffer
 * @vol: the volume
 * @buf: @size bytes
 * @size: a multiple of RVM_BLOCK_SIZE
 * @tail: where the first record goes
 *
 * The bytes before @tail in its sector lie behind the log head: they are
 * written as zeros.
 */
void rvm_lbuf_init(struct rvm_lbuf *o, struct rvm_volume *vol, u8 *buf,
		   size_t size, u64 tail)
{
	o->vol = vol;
	o->buf = buf;
	o->size = size;
	o->start = round_down(tail, RVM_SECTOR_SIZE);
	o->fill = tail - o->start;
	o->unflushed = false;
	memset(o->buf, 0, o->fill);
}

/**
 * rvm_lbuf_write() - write the whole sectors of the buffer, keep the
 * partial one
 * @o: the buffer
 *
 * A write in the middle of a batch, without FUA: the last write of the
 * batch (rvm_lbuf_submit()) then carries a preflush.
 *
 * Return: 0 or the write's negative errno.
 */
int rvm_lbuf_write(struct rvm_lbuf *o)
{
	size_t len = round_down(o->fill, RVM_SECTOR_SIZE);
	int err;

	if (!len)
		return 0;
	err = rvm_ep_write(&o->vol->log_ep,
			   rvm_lsn_to_log(&o->vol->geom, o->start), o->buf, len,
			   0);
	if (err)
		return err;
	o->unflushed = true;
	o->fill -= len;
	memmove(o->buf, o->buf + len, o->fill);
	o->start += len;
	return 0;
}

/**
 * rvm_lbuf_submit() - start the last write of a batch
 * @o: the buffer, holding the batch's last bytes
 * @a: called when the write has completed (rvm_ep_write_async())
 *
 * Writes what the buffer holds up to the end of its last sector, the
 * bytes after the tail as zeros, with REQ_FUA, and with REQ_PREFLUSH if an
 * earlier write of the batch went without FUA (rvm_lbuf_write(), a
 * pad's sector): then the whole batch is durable when @a->done is called.
 * The buffer must be left alone until then, and rvm_lbuf_done() called.
 *
 * Return: 0 (@a->done will be called) or a negative errno (it will not).
 */
int rvm_lbuf_submit(struct rvm_lbuf *o, struct rvm_bio_async *a)
{
	size_t len = round_up(o->fill, RVM_SECTOR_SIZE);
	blk_opf_t flags = o->unflushed ? REQ_PREFLUSH : 0;

	memset(o->buf + o->fill, 0, len - o->fill);
	if (len)
		flags |= REQ_FUA;
	else if (!flags)
		return -EINVAL; /* nothing to write, nothing to flush */
	if (flags & REQ_PREFLUSH)
		atomic64_inc(&o->vol->stats.log_preflushes);
	o->unflushed = false;
	return rvm_ep_write_async(&o->vol->log_ep,
				  rvm_lsn_to_log(&o->vol->geom, o->start),
				  o->buf, len, flags, a);
}

/**
 * rvm_lbuf_done() - the last write of a batch completed: keep only the
 * part of its last sector before the tail, for the next batch to rewrite
 * @o: the buffer
 */
void rvm_lbuf_done(struct rvm_lbuf *o)
{
	size_t len = round_down(o->fill, RVM_SECTOR_SIZE);

	o->fill -= len;
	memmove(o->buf, o->buf + len, o->fill);
	o->start += len;
}

/*
 * Make room for @n contiguous bytes at the end of the buffer, n <= size -
 * RVM_SECTOR_SIZE, writing out what is there if need be (and always when
 * the lap is complete, as the next bytes go to the start of the log area).
 */
static int rvm_lbuf_room(struct rvm_lbuf *o, size_t n, u8 **p)
{
	int err;

	if (o->fill && !rvm_lap_off(&o->vol->geom, o->start + o->fill)) {
		err = rvm_lbuf_write(o);
		if (err)
			return err;
	}
	if (o->size - o->fill < n) {
		err = rvm_lbuf_write(o);
		if (err)
			return err;
	}
	if (o->size - o->fill < n)
		return -EIO;
	*p = o->buf + o->fill;
	return 0;
}

/* Append @n bytes from @src, or zeros if @src is NULL. */
static int rvm_lbuf_bytes(struct rvm_lbuf *o, const void *src, u64 n)
{
	const u8 *s = src;
	size_t k;
	u8 *p;
	int err;

	while (n) {
		err = rvm_lbuf_room(o, 1, &p);
		if (err)
			return err;
		k = min_t(u64, n, o->size - o->fill);
		if (s) {
			memcpy(p, s, k);
			s += k;
		} else {
			memset(p, 0, k);
		}
		o->fill += k;
		n -= k;
	}
	return 0;
}

static void rvm_lbuf_desc(struct rvm_rec_range *d,
			  const struct rvm_range_src *r)
{
	d->offset = cpu_to_le64(r->offset);
	d->len = cpu_to_le32(r->len);
	d->seg = cpu_to_le32(r->seg);
}

/*
 * Encode a record larger than the staging buffer as rvm_rec_build() would
 * (same header, descriptors, data and zeros up to @next), computing the
 * CRC first and then streaming the bytes through the buffer.
 */
static int rvm_lbuf_stream(struct rvm_lbuf *o, const struct rvm_rec *rec,
			   u64 lsn, u64 seq, u32 next)
{
	u64 len = rvm_rec_len(rec->nranges, rec->data_len);
	struct rvm_rec_range d;
	struct rvm_rec_hdr h;
	u32 crc, i;
	int err;

	memset(&h, 0, sizeof(h));
	h.magic = cpu_to_le32(RVM_REC_MAGIC);
	h.type = cpu_to_le16(RVM_REC_TXN);
	h.hdr_len = cpu_to_le16(RVM_REC_HDR_SIZE);
	h.vol_nonce = cpu_to_le64(o->vol->geom.nonce);
	h.seq = cpu_to_le64(seq);
	h.lsn = cpu_to_le64(lsn);
	h.len = cpu_to_le32(len);
	h.next = cpu_to_le32(next);
	h.nranges = cpu_to_le32(rec->nranges);
	h.tid = cpu_to_le64(rec->seq);

	/* rvm_rec_crc(): the header with a zero crc field, then the body. */
	crc = rvm_crc32c(~0U, &h, sizeof(h));
	for (i = 0; i < rec->nranges; i++) {
		rvm_lbuf_desc(&d, &rec->ranges[i]);
		crc = rvm_crc32c(crc, &d, sizeof(d));
	}
	for (i = 0; i < rec->nranges; i++)
		crc = rvm_crc32c(crc, rec->ranges[i].data, rec->ranges[i].len);
	h.crc = cpu_to_le32(~crc);

	err = rvm_lbuf_bytes(o, &h, sizeof(h));
	for (i = 0; !err && i < rec->nranges; i++) {
		rvm_lbuf_desc(&d, &rec->ranges[i]);
		err = rvm_lbuf_bytes(o, &d, sizeof(d));
	}
	for (i = 0; !err && i < rec->nranges; i++)
		err = rvm_lbuf_bytes(o, rec->ranges[i].data,
				     rec->ranges[i].len);
	if (err)
		return err;
	return rvm_lbuf_bytes(o, NULL, next - len);
}

/**
 * rvm_lbuf_rec() - append a transaction record
 * @o: the buffer
 * @rec: the record
 * @lsn: its position
 * @seq: its sequence number
 * @next: the log bytes it takes
 *
 * Return: 0 or the negative errno of a write of the buffer.
 */
int rvm_lbuf_rec(struct rvm_lbuf *o, const struct rvm_rec *rec, u64 lsn,
		 u64 seq, u32 next)
{
	ssize_t ret;
	u8 *p;
	int err;

	if (o->start + o->fill != lsn)
		return -EIO;
	if (next > o->size - RVM_SECTOR_SIZE)
		return rvm_lbuf_stream(o, rec, lsn, seq, next);
	err = rvm_lbuf_room(o, next, &p);
	if (err)
		return err;
	ret = rvm_rec_build(p, next, &o->vol->geom, lsn, seq, rec->seq,
			    rec->ranges, rec->nranges, next);
	if (ret < 0)
		return ret;
	o->fill += next;
	return 0;
}

/**
 * rvm_lbuf_pad() - append a pad record up to the end of its lap
 * @o: the buffer
 * @lsn: its position
 * @seq: the sequence number of the record after it
 *
 * Only the pad's sector is written; the rest of the lap is never read.
 *
 * Return: 0 or the negative errno of a write of the buffer.
 */
int rvm_lbuf_pad(struct rvm_lbuf *o, u64 lsn, u64 seq)
{
	u64 end = lsn + rvm_lap_left(&o->vol->geom, lsn);
	ssize_t ret;
	u8 *p;
	int err;

	if (o->start + o->fill != lsn)
		return -EIO;
	err = rvm_lbuf_room(o, RVM_REC_HDR_SIZE, &p);
	if (err)
		return err;
	ret = rvm_rec_build_pad(p, RVM_REC_HDR_SIZE, &o->vol->geom, lsn, seq);
	if (ret < 0)
		return ret;
	o->fill += RVM_REC_HDR_SIZE;
	lsn += RVM_REC_HDR_SIZE;
	err = rvm_lbuf_bytes(o, NULL, round_up(lsn, RVM_SECTOR_SIZE) - lsn);
	if (!err)
		err = rvm_lbuf_write(o);
	if (err)
		return err;
	if (o->fill)
		return -EIO;
	o->start = end;
	return 0;
}
