// SPDX-License-Identifier: GPL-2.0-only OR LGPL-2.1-or-later
/*
 * rvm: validating, sealing and building the on-disk structures of
 * format.h. Pure functions, shared by the module and by userspace (see
 * record.h for the error convention).
 */
#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/stddef.h>
#include <linux/string.h>
#endif
#include "record.h"

static_assert(sizeof(struct rvm_disk_super) == RVM_SUPER_SIZE);
static_assert(offsetof(struct rvm_disk_super, crc) == RVM_SUPER_SIZE - 4);
static_assert(sizeof(struct rvm_rec_hdr) == 64);
static_assert(offsetof(struct rvm_rec_hdr, crc) == 60);
static_assert(sizeof(struct rvm_rec_range) == 16);
static_assert(RVM_REC_HDR_SIZE % RVM_REC_ALIGN == 0);

static const u8 rvm_zero_crc[4];

/* Reasons too long to fit in a call. */
#define RVM_WHY_NEWER_VERSION "format version is newer than this code supports"
#define RVM_WHY_UNKNOWN_SB_FLAGS "unknown superblock flags (newer format?)"
#define RVM_WHY_SB_RESERVED "reserved superblock fields set (newer format?)"
#define RVM_WHY_BAD_SB_SEQ "superblock sequence number out of range"
#define RVM_WHY_LOG_OVER_SB "log area overlaps the superblocks"
#define RVM_WHY_DATA_OVER_LOG "data segment overlaps the log area"
#define RVM_WHY_BEYOND_DEVICE "volume extends beyond the end of the device"
#define RVM_WHY_FOREIGN_NONCE \
	"record of an earlier format of the device (foreign nonce)"
#define RVM_WHY_STALE_LAP "stale record from an earlier lap (wrong lsn)"
#define RVM_WHY_REC_RESERVED "reserved record fields set (newer format?)"
#define RVM_WHY_BAD_NEXT "bad distance to the next record"
#define RVM_WHY_CROSSES_END "record crosses the end of the log area"
#define RVM_WHY_RANGES_OVERRUN "range descriptors overrun the record"
#define RVM_WHY_BAD_CRC "bad CRC (torn or damaged record)"
#define RVM_WHY_RANGE_RESERVED "reserved range fields set (newer format?)"
#define RVM_WHY_RANGE_OUTSIDE "range outside the data segment"
#define RVM_WHY_RANGE_SUM "range lengths do not add up to the record length"

static int rvm_fail(const char **why, const char *reason, int err)
{
	if (why)
		*why = reason;
	return err;
}

/* CRC of a structure whose last four bytes are its CRC field, taken as 0. */
static u32 rvm_crc_tail_zero(const void *p, u32 len)
{
	u32 crc = rvm_crc32c(~0U, p, len - 4);

	return ~rvm_crc32c(crc, rvm_zero_crc, 4);
}

/**
 * rvm_super_crc() - compute a superblock's CRC
 * @sb: superblock; its @crc field is taken as zero
 *
 * Return: the CRC32C that belongs in @sb->crc.
 */
u32 rvm_super_crc(const struct rvm_disk_super *sb)
{
	return rvm_crc_tail_zero(sb, RVM_SUPER_SIZE);
}

/**
 * rvm_super_seal() - store a superblock's CRC
 * @sb: superblock, complete but for its CRC
 */
void rvm_super_seal(struct rvm_disk_super *sb)
{
	sb->crc = cpu_to_le32(rvm_super_crc(sb));
}

static bool rvm_super_reserved_clear(const struct rvm_disk_super *sb)
{
	unsigned int i;

	if (sb->reserved0 || sb->pad)
		return false;
	for (i = 0; i < ARRAY_SIZE(sb->reserved); i++)
		if (sb->reserved[i])
			return false;
	return true;
}

/**
 * rvm_super_validate() - check one superblock copy
 * @sb: the copy, as read from the device
 * @dev_blocks: size of the device in blocks, or 0 if unknown
 * @why: set to a static reason on failure
 *
 * Checks, in this order: magic, format version, block size, CRC, flags and
 * reserved fields, geometry (superblocks, log area and data segment in
 * order, not overlapping, not beyond @dev_blocks), head lsn and seq,
 * sb_seq (1..RVM_MAX_SB_SEQ).
 *
 * Return: 0 if the copy is valid; -EINVAL if it is not an rvm superblock
 * or is corrupt, -EBADMSG if its CRC does not match, -EOPNOTSUPP if it was
 * written by a newer format (version, flags or reserved fields).
 */
int rvm_super_validate(const struct rvm_disk_super *sb, u64 dev_blocks,
		       const char **why)
{
	u64 log_start = le64_to_cpu(sb->log_start);
	u64 log_blocks = le64_to_cpu(sb->log_blocks);
	u64 data_start = le64_to_cpu(sb->data_start);
	u64 data_blocks = le64_to_cpu(sb->data_blocks);
	u64 head_lsn = le64_to_cpu(sb->head_lsn);
	u64 head_seq = le64_to_cpu(sb->head_seq);
	u64 sb_seq = le64_to_cpu(sb->sb_seq);
	u32 version = le32_to_cpu(sb->version);

	if (le64_to_cpu(sb->magic) != RVM_SUPER_MAGIC)
		return rvm_fail(why, "not an rvm volume (bad magic)", -EINVAL);
	if (version > RVM_FORMAT_VERSION)
		return rvm_fail(why, RVM_WHY_NEWER_VERSION, -EOPNOTSUPP);
	if (version != RVM_FORMAT_VERSION)
		return rvm_fail(why, "bad format version", -EINVAL);
	if (le32_to_cpu(sb->block_size) != RVM_BLOCK_SIZE)
		return rvm_fail(why, "bad block size", -EINVAL);
	if (rvm_super_crc(sb) != le32_to_cpu(sb->crc))
		return rvm_fail(why, "bad CRC", -EBADMSG);
	if (le32_to_cpu(sb->flags) & ~RVM_SB_KNOWN_FLAGS)
		return rvm_fail(why, RVM_WHY_UNKNOWN_SB_FLAGS, -EOPNOTSUPP);
	if (!rvm_super_reserved_clear(sb))
		return rvm_fail(why, RVM_WHY_SB_RESERVED, -EOPNOTSUPP);
	if (log_start >= RVM_MAX_BLOCKS || log_blocks >= RVM_MAX_BLOCKS ||
	    data_start >= RVM_MAX_BLOCKS || data_blocks >= RVM_MAX_BLOCKS)
		return rvm_fail(why, "geometry out of range", -EINVAL);
	if (log_start < RVM_SUPER_COPIES)
		return rvm_fail(why, RVM_WHY_LOG_OVER_SB, -EINVAL);
	if (log_blocks < RVM_MIN_LOG_BLOCKS)
		return rvm_fail(why, "log area too small", -EINVAL);
	if (data_start < log_start + log_blocks)
		return rvm_fail(why, RVM_WHY_DATA_OVER_LOG, -EINVAL);
	if (data_blocks < RVM_MIN_DATA_BLOCKS)
		return rvm_fail(why, "data segment too small", -EINVAL);
	if (dev_blocks && data_start + data_blocks > dev_blocks)
		return rvm_fail(why, RVM_WHY_BEYOND_DEVICE, -EINVAL);
	if (head_lsn % RVM_REC_ALIGN || head_lsn > RVM_MAX_LSN)
		return rvm_fail(why, "bad head lsn", -EINVAL);
	if (!head_seq || head_seq > RVM_MAX_SEQ)
		return rvm_fail(why, "bad head sequence number", -EINVAL);
	if (!sb_seq || sb_seq > RVM_MAX_SB_SEQ)
		return rvm_fail(why, RVM_WHY_BAD_SB_SEQ, -EINVAL);
	return 0;
}

/**
 * rvm_super_check_slot() - check one superblock copy and its place
 * @sb: the copy, as read from the device
 * @slot: where it was read from: 0 for copy A (block 0), 1 for copy B
 * @dev_blocks: size of the device in blocks, or 0 if unknown
 * @why: set to a static reason on failure, to NULL on success
 *
 * rvm_super_validate(), and the copy's sb_seq must belong to @slot
 * (rvm_super_slot()).
 *
 * Return: 0 if valid, else as rvm_super_validate() (-EINVAL for a copy
 * in the wrong slot).
 */
int rvm_super_check_slot(const struct rvm_disk_super *sb, unsigned int slot,
			 u64 dev_blocks, const char **why)
{
	const char *reason = NULL;
	int err = rvm_super_validate(sb, dev_blocks, &reason);

	if (!err && rvm_super_slot(le64_to_cpu(sb->sb_seq)) != slot) {
		reason =
			"superblock sequence number does not belong to this copy";
		err = -EINVAL;
	}
	if (why)
		*why = reason;
	return err;
}

/* Which failure to report when neither copy is valid. */
static int rvm_super_worse(int a, int b)
{
	if (a == -EOPNOTSUPP || b == -EOPNOTSUPP)
		return -EOPNOTSUPP;
	if (a == -EBADMSG || b == -EBADMSG)
		return -EBADMSG;
	return a ? a : b;
}

/**
 * rvm_super_pick() - choose the superblock copy in force
 * @a: copy A, as read from block 0
 * @b: copy B, as read from block 1
 * @dev_blocks: size of the device in blocks, or 0 if unknown
 * @why_a: set to the reason copy A is invalid, or to NULL if it is valid
 * @why_b: the same for copy B
 *
 * Each copy must pass rvm_super_check_slot(); of two valid copies the one
 * with the higher sb_seq wins.
 *
 * Return: 0 if copy A is in force, 1 if copy B is; if neither is valid,
 * -EOPNOTSUPP if either was written by a newer format, else -EBADMSG if
 * either is a damaged rvm superblock, else -EINVAL (not an rvm volume).
 */
int rvm_super_pick(const struct rvm_disk_super *a,
		   const struct rvm_disk_super *b, u64 dev_blocks,
		   const char **why_a, const char **why_b)
{
	int ea = rvm_super_check_slot(a, 0, dev_blocks, why_a);
	int eb = rvm_super_check_slot(b, 1, dev_blocks, why_b);

	if (ea && eb)
		return rvm_super_worse(ea, eb);
	if (ea)
		return 1;
	if (eb)
		return 0;
	return le64_to_cpu(b->sb_seq) > le64_to_cpu(a->sb_seq) ? 1 : 0;
}

/**
 * rvm_geom_init() - a validated superblock's geometry in bytes
 * @g: filled in
 * @sb: a superblock that passed rvm_super_validate()
 */
void rvm_geom_init(struct rvm_geom *g, const struct rvm_disk_super *sb)
{
	g->log_off = le64_to_cpu(sb->log_start) * RVM_BLOCK_SIZE;
	g->log_size = le64_to_cpu(sb->log_blocks) * RVM_BLOCK_SIZE;
	g->data_off = le64_to_cpu(sb->data_start) * RVM_BLOCK_SIZE;
	g->data_size = le64_to_cpu(sb->data_blocks) * RVM_BLOCK_SIZE;
	g->nonce = le64_to_cpu(sb->vol_nonce);
}

/**
 * rvm_rec_crc() - compute a record's CRC
 * @rec: the record, header first; the header's @crc field is taken as zero
 * @len: the record's length (its header's @len), at least RVM_REC_HDR_SIZE
 *
 * Return: the CRC32C that belongs in the header's @crc field.
 */
u32 rvm_rec_crc(const void *rec, u32 len)
{
	u32 crc;

	if (len < RVM_REC_HDR_SIZE)
		len = RVM_REC_HDR_SIZE;
	crc = rvm_crc32c(~0U, rec, RVM_REC_HDR_SIZE - 4);
	crc = rvm_crc32c(crc, rvm_zero_crc, 4);
	crc = rvm_crc32c(crc, (const u8 *)rec + RVM_REC_HDR_SIZE,
			 len - RVM_REC_HDR_SIZE);
	return ~crc;
}

/**
 * rvm_rec_seal() - store a record's CRC
 * @rec: a complete record but for its CRC; its header's @len is trusted
 */
void rvm_rec_seal(void *rec)
{
	struct rvm_rec_hdr *h = rec;

	h->crc = cpu_to_le32(rvm_rec_crc(rec, le32_to_cpu(h->len)));
}

/**
 * rvm_rec_check_hdr() - check that a header is the record expected here
 * @h: the header as read from the log
 * @g: the volume's geometry
 * @lsn: the position it was read from, a multiple of RVM_REC_ALIGN
 * @seq: the sequence number expected there
 * @why: set to a static reason on failure
 *
 * Checks identity (magic, nonce, lsn, seq) and that every length is sane
 * before anything is read by it: @len covers the header and the range
 * descriptors, @next is aligned and at least @len, and the record does not
 * cross the end of the log's lap. The body, CRC included, is checked by
 * rvm_rec_check_body().
 *
 * Return: 0 if the header is acceptable; -EINVAL if it is not the expected
 * record or is malformed, -EOPNOTSUPP if it has flags or reserved fields
 * set.
 */
int rvm_rec_check_hdr(const struct rvm_rec_hdr *h, const struct rvm_geom *g,
		      u64 lsn, u64 seq, const char **why)
{
	u32 len = le32_to_cpu(h->len);
	u32 next = le32_to_cpu(h->next);
	u32 nranges = le32_to_cpu(h->nranges);
	u16 type = le16_to_cpu(h->type);

	if (le32_to_cpu(h->magic) != RVM_REC_MAGIC)
		return rvm_fail(why, "no record here (bad magic)", -EINVAL);
	if (le16_to_cpu(h->hdr_len) != RVM_REC_HDR_SIZE)
		return rvm_fail(why, "bad record header length", -EINVAL);
	if (le64_to_cpu(h->vol_nonce) != g->nonce)
		return rvm_fail(why, RVM_WHY_FOREIGN_NONCE, -EINVAL);
	if (le64_to_cpu(h->lsn) != lsn)
		return rvm_fail(why, RVM_WHY_STALE_LAP, -EINVAL);
	if (le64_to_cpu(h->seq) != seq)
		return rvm_fail(why, "unexpected sequence number", -EINVAL);
	if (type != RVM_REC_TXN && type != RVM_REC_PAD)
		return rvm_fail(why, "unknown record type", -EINVAL);
	if (h->flags || h->reserved)
		return rvm_fail(why, RVM_WHY_REC_RESERVED, -EOPNOTSUPP);
	if (lsn % RVM_REC_ALIGN)
		return rvm_fail(why, "misaligned lsn", -EINVAL);
	if (len < RVM_REC_HDR_SIZE)
		return rvm_fail(why, "record shorter than its header", -EINVAL);
	if (next < len || next % RVM_REC_ALIGN)
		return rvm_fail(why, RVM_WHY_BAD_NEXT, -EINVAL);
	if (next > rvm_lap_left(g, lsn))
		return rvm_fail(why, RVM_WHY_CROSSES_END, -EINVAL);
	if (type == RVM_REC_PAD) {
		if (nranges || len != RVM_REC_HDR_SIZE || h->tid)
			return rvm_fail(why, "malformed pad record", -EINVAL);
		return 0;
	}
	if ((u64)nranges * RVM_REC_RANGE_SIZE > len - RVM_REC_HDR_SIZE)
		return rvm_fail(why, RVM_WHY_RANGES_OVERRUN, -EINVAL);
	return 0;
}

/**
 * rvm_rec_check_body() - check a record's CRC and range descriptors
 * @rec: the whole record (its header's @len bytes), whose header passed
 *	 rvm_rec_check_hdr()
 * @g: the volume's geometry
 * @why: set to a static reason on failure
 *
 * Return: 0 if the record is committed and every range lies in the data
 * segment with the lengths adding up to the record's; -EBADMSG if the CRC
 * does not match, -EINVAL if a descriptor is malformed, -EOPNOTSUPP if a
 * descriptor has reserved fields set.
 */
int rvm_rec_check_body(const void *rec, const struct rvm_geom *g,
		       const char **why)
{
	const struct rvm_rec_hdr *h = rec;
	const struct rvm_rec_range *r = (const void *)(h + 1);
	u32 len = le32_to_cpu(h->len);
	u32 nranges, i;
	u64 body, sum = 0;

	if (rvm_rec_crc(rec, len) != le32_to_cpu(h->crc))
		return rvm_fail(why, RVM_WHY_BAD_CRC, -EBADMSG);
	if (le16_to_cpu(h->type) != RVM_REC_TXN)
		return 0;
	nranges = le32_to_cpu(h->nranges);
	body = len - RVM_REC_HDR_SIZE - (u64)nranges * RVM_REC_RANGE_SIZE;
	for (i = 0; i < nranges; i++) {
		u64 off = le64_to_cpu(r[i].offset);
		u32 rlen = le32_to_cpu(r[i].len);

		if (!rlen)
			return rvm_fail(why, "empty range", -EINVAL);
		if (r[i].reserved)
			return rvm_fail(why, RVM_WHY_RANGE_RESERVED,
					-EOPNOTSUPP);
		if (off > g->data_size || rlen > g->data_size - off)
			return rvm_fail(why, RVM_WHY_RANGE_OUTSIDE, -EINVAL);
		sum += rlen;
		if (sum > body)
			break;
	}
	if (sum != body)
		return rvm_fail(why, RVM_WHY_RANGE_SUM, -EINVAL);
	return 0;
}

/**
 * rvm_rec_validate() - check that a buffer holds the committed record expected
 * @rec: bytes read from the log at @lsn
 * @avail: how many bytes @rec holds
 * @g: the volume's geometry
 * @lsn: the position @rec was read from
 * @seq: the sequence number expected there
 * @why: set to a static reason on failure
 *
 * rvm_rec_check_hdr() then rvm_rec_check_body(), never reading beyond
 * @avail bytes.
 *
 * Return: 0 if committed; -EINVAL if @avail does not hold the whole record,
 * otherwise as rvm_rec_check_hdr() and rvm_rec_check_body().
 */
int rvm_rec_validate(const void *rec, size_t avail, const struct rvm_geom *g,
		     u64 lsn, u64 seq, const char **why)
{
	const struct rvm_rec_hdr *h = rec;
	int err;

	if (avail < RVM_REC_HDR_SIZE)
		return rvm_fail(why, "record truncated", -EINVAL);
	err = rvm_rec_check_hdr(h, g, lsn, seq, why);
	if (err)
		return err;
	if (avail < le32_to_cpu(h->len))
		return rvm_fail(why, "record truncated", -EINVAL);
	return rvm_rec_check_body(rec, g, why);
}

static void rvm_rec_fill_hdr(struct rvm_rec_hdr *h, const struct rvm_geom *g,
			     u16 type, u64 lsn, u64 seq, u64 tid, u32 len,
			     u32 next, u32 nranges)
{
	memset(h, 0, sizeof(*h));
	h->magic = cpu_to_le32(RVM_REC_MAGIC);
	h->type = cpu_to_le16(type);
	h->hdr_len = cpu_to_le16(RVM_REC_HDR_SIZE);
	h->vol_nonce = cpu_to_le64(g->nonce);
	h->seq = cpu_to_le64(seq);
	h->lsn = cpu_to_le64(lsn);
	h->len = cpu_to_le32(len);
	h->next = cpu_to_le32(next);
	h->nranges = cpu_to_le32(nranges);
	h->tid = cpu_to_le64(tid);
}

/**
 * rvm_rec_build() - encode a transaction record
 * @buf: where to build it
 * @buf_len: room at @buf: at least the record's length; bytes between the
 *	     length and @next that fit in @buf are zeroed
 * @g: the volume's geometry (nonce, log and data segment sizes)
 * @lsn: the record's position, a multiple of RVM_REC_ALIGN
 * @seq: its sequence number
 * @tid: its transaction id, for tools
 * @ranges: the ranges, in the order they are to be applied
 * @nranges: their number
 * @next: distance to the next record, a multiple of RVM_REC_ALIGN, or 0
 *	  for the record's length rounded up to RVM_REC_ALIGN
 *
 * Return: the record's @next (> 0) on success; -EINVAL for an empty range,
 * a range outside the data segment, a misaligned @lsn or @next or a @next
 * shorter than the record; -EMSGSIZE if the record cannot fit in the log
 * at all; -ENOSPC if it does not fit in the rest of this lap (write a pad
 * record first, rvm_rec_build_pad()); -ENOBUFS if @buf_len is too small.
 */
ssize_t rvm_rec_build(void *buf, size_t buf_len, const struct rvm_geom *g,
		      u64 lsn, u64 seq, u64 tid,
		      const struct rvm_range_src *ranges, u32 nranges, u32 next)
{
	struct rvm_rec_hdr *h = buf;
	struct rvm_rec_range *d = (void *)(h + 1);
	u8 *p;
	u64 len, sum = 0, need;
	u32 i;

	if (lsn % RVM_REC_ALIGN || next % RVM_REC_ALIGN)
		return -EINVAL;
	for (i = 0; i < nranges; i++) {
		if (!ranges[i].len || ranges[i].offset > g->data_size ||
		    ranges[i].len > g->data_size - ranges[i].offset)
			return -EINVAL;
		sum += ranges[i].len;
	}
	len = rvm_rec_len(nranges, sum);
	need = rvm_align_up(len, RVM_REC_ALIGN);
	if (need > U32_MAX || need > g->log_size)
		return -EMSGSIZE;
	if (!next)
		next = need;
	if (next < need)
		return -EINVAL;
	if (next > rvm_lap_left(g, lsn))
		return need > g->log_size ? -EMSGSIZE : -ENOSPC;
	if (buf_len < len)
		return -ENOBUFS;

	rvm_rec_fill_hdr(h, g, RVM_REC_TXN, lsn, seq, tid, len, next, nranges);
	p = (u8 *)(d + nranges);
	for (i = 0; i < nranges; i++) {
		d[i].offset = cpu_to_le64(ranges[i].offset);
		d[i].len = cpu_to_le32(ranges[i].len);
		d[i].reserved = 0;
		memcpy(p, ranges[i].data, ranges[i].len);
		p += ranges[i].len;
	}
	memset(p, 0, min_t(u64, next, buf_len) - len);
	rvm_rec_seal(buf);
	return next;
}

/**
 * rvm_rec_build_pad() - encode a pad record filling the rest of a lap
 * @buf: where to build it (only its header is written)
 * @buf_len: room at @buf, at least RVM_REC_HDR_SIZE
 * @g: the volume's geometry
 * @lsn: the pad's position, a multiple of RVM_REC_ALIGN
 * @seq: the sequence number of the record that will follow it
 *
 * Return: the pad's @next, the bytes up to the end of the lap, on success;
 * -EINVAL for a misaligned @lsn or a lap rest longer than a record can
 * span; -ENOBUFS if @buf_len is too small.
 */
ssize_t rvm_rec_build_pad(void *buf, size_t buf_len, const struct rvm_geom *g,
			  u64 lsn, u64 seq)
{
	u64 next = rvm_lap_left(g, lsn);

	if (lsn % RVM_REC_ALIGN || next > U32_MAX)
		return -EINVAL;
	if (buf_len < RVM_REC_HDR_SIZE)
		return -ENOBUFS;
	rvm_rec_fill_hdr(buf, g, RVM_REC_PAD, lsn, seq, 0, RVM_REC_HDR_SIZE,
			 next, 0);
	rvm_rec_seal(buf);
	return next;
}
