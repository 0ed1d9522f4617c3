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
static_assert(sizeof(struct rvm_segtab_hdr) == RVM_SEG_ENTRY_SIZE);
static_assert(offsetof(struct rvm_segtab_hdr, crc) == RVM_SEG_ENTRY_SIZE - 4);
static_assert(sizeof(struct rvm_disk_seg) == RVM_SEG_ENTRY_SIZE);
static_assert(RVM_SEG_NAME_LEN == RVM_SEG_NAME_MAX);
static_assert(RVM_SEG_MAX_ID + 1 == RVM_SEG_ID_LIMIT);

static const u8 rvm_zero_crc[4];

/* Reasons too long to fit in a call. */
#define RVM_WHY_NEWER_VERSION "format version is newer than this code supports"
#define RVM_WHY_UNKNOWN_SB_FLAGS "unknown superblock flags (newer format?)"
#define RVM_WHY_SB_RESERVED "reserved superblock fields set (newer format?)"
#define RVM_WHY_BAD_SB_SEQ "superblock sequence number out of range"
#define RVM_WHY_LOG_OVER_SB "log area overlaps the superblocks"
#define RVM_WHY_DATA_OVER_LOG "data segment overlaps the log area"
#define RVM_WHY_V1 "format version 1: reformat the volume (rvmctl format)"
#define RVM_WHY_SEGTAB_OVER_SB "segment table overlaps the superblocks"
#define RVM_WHY_LOG_OVER_SEGTAB "log area overlaps the segment table"
#define RVM_WHY_DATA_START "data_start set without a data segment"
#define RVM_WHY_SEGTAB_SIZE "segment table size out of range"
#define RVM_WHY_ST_TRUNCATED "segment table shorter than the superblock says"
#define RVM_WHY_ST_GEN "segment table generation is not the one in force"
#define RVM_WHY_ST_CRC "bad segment table CRC (torn or damaged)"
#define RVM_WHY_ST_OTHER "segment table is not the one the superblock names"
#define RVM_WHY_ST_NONCE "segment table of another volume (foreign nonce)"
#define RVM_WHY_ST_RESERVED "reserved segment table fields set (newer format?)"
#define RVM_WHY_ST_NSEGS "more segments than the segment table holds"
#define RVM_WHY_ST_NEXT_ID "segment table next id out of range"
#define RVM_WHY_SEG_ID "segment id not below the table's next id"
#define RVM_WHY_SEG_DUP "two segments with the same id"
#define RVM_WHY_SEG_FLAGS "unknown segment flags (newer format?)"
#define RVM_WHY_SEG_KIND "segment is not exactly one of internal, device, file"
#define RVM_WHY_SEG_INTERNAL "only segment 0 is internal, and it must be"
#define RVM_WHY_SEG_INT_SIZE "internal segment size is not the data area's"
#define RVM_WHY_SEG_NO_INT "data area without an internal segment 0"
#define RVM_WHY_SEG_SIZE "segment size not a non-zero multiple of 4096"
#define RVM_WHY_SEG_TOO_BIG "segment larger than RVM_SEG_MAX_SIZE"
#define RVM_WHY_SEG_NAME "segment name not NUL-terminated with a zero tail"
#define RVM_WHY_SEG_REL "external segment name is empty or not absolute"
#define RVM_WHY_SEG_INT_NAME "internal segment with a name or an identity"
#define RVM_WHY_SEG_RESERVED "reserved segment fields set (newer format?)"
#define RVM_WHY_RANGE_SEG "range names a segment not in the segment table"
#define RVM_WHY_BEYOND_DEVICE "volume extends beyond the end of the device"
#define RVM_WHY_FOREIGN_NONCE \
	"record of an earlier format of the device (foreign nonce)"
#define RVM_WHY_STALE_LAP "stale record from an earlier lap (wrong lsn)"
#define RVM_WHY_REC_RESERVED "reserved record fields set (newer format?)"
#define RVM_WHY_BAD_NEXT "bad distance to the next record"
#define RVM_WHY_CROSSES_END "record crosses the end of the log area"
#define RVM_WHY_RANGES_OVERRUN "range descriptors overrun the record"
#define RVM_WHY_BAD_CRC "bad CRC (torn or damaged record)"
#define RVM_WHY_RANGE_OUTSIDE "range outside its segment"
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

/* Geometry of a version 2 superblock whose fields are all in range. */
static int rvm_super_geometry(const struct rvm_disk_super *sb, u64 dev_blocks,
			      const char **why)
{
	u64 log_start = le64_to_cpu(sb->log_start);
	u64 log_blocks = le64_to_cpu(sb->log_blocks);
	u64 data_start = le64_to_cpu(sb->data_start);
	u64 data_blocks = le64_to_cpu(sb->data_blocks);
	u64 st_start = le64_to_cpu(sb->segtab_start);
	u32 st_blocks = le32_to_cpu(sb->segtab_blocks);
	u64 end = log_start + log_blocks;

	if (log_start >= RVM_MAX_BLOCKS || log_blocks >= RVM_MAX_BLOCKS ||
	    data_start >= RVM_MAX_BLOCKS || data_blocks >= RVM_MAX_BLOCKS ||
	    st_start >= RVM_MAX_BLOCKS)
		return rvm_fail(why, "geometry out of range", -EINVAL);
	if (!st_blocks || st_blocks > RVM_SEGTAB_MAX_BLOCKS)
		return rvm_fail(why, RVM_WHY_SEGTAB_SIZE, -EINVAL);
	if (st_start < RVM_SUPER_COPIES)
		return rvm_fail(why, RVM_WHY_SEGTAB_OVER_SB, -EINVAL);
	if (log_start < st_start + 2 * (u64)st_blocks)
		return rvm_fail(why, RVM_WHY_LOG_OVER_SEGTAB, -EINVAL);
	if (log_blocks < RVM_MIN_LOG_BLOCKS)
		return rvm_fail(why, "log area too small", -EINVAL);
	if (data_blocks) {
		if (data_start < end)
			return rvm_fail(why, RVM_WHY_DATA_OVER_LOG, -EINVAL);
		end = data_start + data_blocks;
	} else if (data_start) {
		return rvm_fail(why, RVM_WHY_DATA_START, -EINVAL);
	}
	if (dev_blocks && end > dev_blocks)
		return rvm_fail(why, RVM_WHY_BEYOND_DEVICE, -EINVAL);
	return 0;
}

/**
 * rvm_super_validate() - check one superblock copy
 * @sb: the copy, as read from the device
 * @dev_blocks: size of the log's device in blocks, or 0 if unknown
 * @why: set to a static reason on failure
 *
 * Checks, in this order: magic, format version, block size, CRC, flags and
 * reserved fields, geometry (superblocks, segment table copies, log area
 * and, if there is one, segment 0 in order, not overlapping, not beyond
 * @dev_blocks; data_start 0 without segment 0), head lsn and seq, sb_seq
 * (1..RVM_MAX_SB_SEQ). The segment table itself is checked by
 * rvm_segtab_validate().
 *
 * Return: 0 if the copy is valid; -EINVAL if it is not an rvm superblock
 * or is corrupt, -EBADMSG if its CRC does not match, -EOPNOTSUPP if it was
 * written by another format version (a newer one, or version 1, whose
 * reason names it: print le32_to_cpu(@sb->version) with it) or has
 * unknown flags or reserved fields set.
 */
int rvm_super_validate(const struct rvm_disk_super *sb, u64 dev_blocks,
		       const char **why)
{
	u64 head_lsn = le64_to_cpu(sb->head_lsn);
	u64 head_seq = le64_to_cpu(sb->head_seq);
	u64 sb_seq = le64_to_cpu(sb->sb_seq);
	u32 version = le32_to_cpu(sb->version);
	int err;

	if (le64_to_cpu(sb->magic) != RVM_SUPER_MAGIC)
		return rvm_fail(why, "not an rvm volume (bad magic)", -EINVAL);
	if (version > RVM_FORMAT_VERSION)
		return rvm_fail(why, RVM_WHY_NEWER_VERSION, -EOPNOTSUPP);
	if (version == 1)
		return rvm_fail(why, RVM_WHY_V1, -EOPNOTSUPP);
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
	err = rvm_super_geometry(sb, dev_blocks, why);
	if (err)
		return err;
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
 * @g: filled in; its @segtab is NULL: the caller sets it to the table
 *     rvm_segtab_validate() accepted (record checks need it)
 * @sb: a superblock that passed rvm_super_validate()
 */
void rvm_geom_init(struct rvm_geom *g, const struct rvm_disk_super *sb)
{
	g->log_off = le64_to_cpu(sb->log_start) * RVM_BLOCK_SIZE;
	g->log_size = le64_to_cpu(sb->log_blocks) * RVM_BLOCK_SIZE;
	g->data_off = le64_to_cpu(sb->data_start) * RVM_BLOCK_SIZE;
	g->data_size = le64_to_cpu(sb->data_blocks) * RVM_BLOCK_SIZE;
	g->nonce = le64_to_cpu(sb->vol_nonce);
	g->segtab = NULL;
}

/**
 * rvm_segtab_bytes() - the size of one segment table copy
 * @sb: a superblock that passed rvm_super_validate()
 *
 * Return: segtab_blocks * RVM_BLOCK_SIZE: copy A is at segtab_start, copy
 * B right after it; the one in force is copy (segtab_gen & 1).
 */
size_t rvm_segtab_bytes(const struct rvm_disk_super *sb)
{
	return (size_t)le32_to_cpu(sb->segtab_blocks) * RVM_BLOCK_SIZE;
}

/* CRC of a segment table copy of @len bytes, its header's @crc taken as 0. */
static u32 rvm_segtab_crc(const void *buf, size_t len)
{
	const size_t at = offsetof(struct rvm_segtab_hdr, crc);
	u32 crc = rvm_crc32c(~0U, buf, at);

	crc = rvm_crc32c(crc, rvm_zero_crc, 4);
	crc = rvm_crc32c(crc, (const u8 *)buf + at + 4, len - at - 4);
	return ~crc;
}

/**
 * rvm_segtab_seal() - store a segment table copy's CRC
 * @buf: the copy, complete but for its CRC
 * @len: its size, rvm_segtab_bytes() (at least RVM_SEG_ENTRY_SIZE)
 *
 * The superblock that makes the copy the one in force must name its
 * generation and this CRC (segtab_gen, segtab_crc).
 */
void rvm_segtab_seal(void *buf, size_t len)
{
	struct rvm_segtab_hdr *h = buf;

	h->crc = cpu_to_le32(rvm_segtab_crc(buf, len));
}

static bool rvm_zero(const void *p, size_t len)
{
	const u8 *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

/* One entry, on its own (uniqueness and segment 0 are the caller's). */
static int rvm_seg_check(const struct rvm_disk_seg *e, u32 next_id,
			 const struct rvm_disk_super *sb, const char **why)
{
	u32 id = le32_to_cpu(e->id), flags = le32_to_cpu(e->flags);
	u64 size = le64_to_cpu(e->size);
	size_t nlen = strnlen(e->name, RVM_SEG_NAME_LEN);
	bool internal = flags == RVM_DSEG_INTERNAL;

	if (id >= next_id)
		return rvm_fail(why, RVM_WHY_SEG_ID, -EINVAL);
	if (flags & ~RVM_DSEG_KNOWN_FLAGS)
		return rvm_fail(why, RVM_WHY_SEG_FLAGS, -EOPNOTSUPP);
	if (flags != RVM_DSEG_INTERNAL && flags != RVM_DSEG_BDEV &&
	    flags != RVM_DSEG_FILE)
		return rvm_fail(why, RVM_WHY_SEG_KIND, -EINVAL);
	if (!rvm_zero(e->reserved, sizeof(e->reserved)))
		return rvm_fail(why, RVM_WHY_SEG_RESERVED, -EOPNOTSUPP);
	if (internal != !id)
		return rvm_fail(why, RVM_WHY_SEG_INTERNAL, -EINVAL);
	if (!size || size % RVM_BLOCK_SIZE)
		return rvm_fail(why, RVM_WHY_SEG_SIZE, -EINVAL);
	if (size > RVM_SEG_MAX_SIZE)
		return rvm_fail(why, RVM_WHY_SEG_TOO_BIG, -EINVAL);
	if (internal && size != le64_to_cpu(sb->data_blocks) * RVM_BLOCK_SIZE)
		return rvm_fail(why, RVM_WHY_SEG_INT_SIZE, -EINVAL);
	if (nlen == RVM_SEG_NAME_LEN ||
	    !rvm_zero(e->name + nlen, RVM_SEG_NAME_LEN - nlen))
		return rvm_fail(why, RVM_WHY_SEG_NAME, -EINVAL);
	if (internal && (nlen || e->dev || e->ino))
		return rvm_fail(why, RVM_WHY_SEG_INT_NAME, -EINVAL);
	if (!internal && e->name[0] != '/')
		return rvm_fail(why, RVM_WHY_SEG_REL, -EINVAL);
	return 0;
}

/**
 * rvm_segtab_validate() - check the segment table copy in force
 * @t: filled in on success (pointing into @buf)
 * @buf: the copy, as read from block segtab_start + (segtab_gen & 1) *
 *	 segtab_blocks of the log
 * @len: bytes at @buf, at least rvm_segtab_bytes(@sb)
 * @sb: the superblock in force (it passed rvm_super_validate())
 * @why: set to a static reason on failure
 *
 * Checks magic, generation and CRC (that of the copy and the one @sb
 * names), nonce, reserved fields, nsegs <= the copy's room, next_id <=
 * RVM_SEG_ID_LIMIT, and each entry: id below next_id and unique, exactly
 * one known kind, RVM_DSEG_INTERNAL for id 0 and only for it, with the
 * size of the data area (which exists iff segment 0 does), sizes non-zero
 * multiples of RVM_BLOCK_SIZE up to RVM_SEG_MAX_SIZE, names NUL-terminated
 * with a zero tail, empty for segment 0 (with dev and ino 0), absolute for
 * the others, reserved fields zero.
 *
 * Return: 0; -EINVAL for a table that is not the one @sb names or is
 * malformed, -EBADMSG if its CRC does not match its bytes, -EOPNOTSUPP for
 * unknown flags or reserved fields set.
 */
int rvm_segtab_validate(struct rvm_segtab *t, const void *buf, size_t len,
			const struct rvm_disk_super *sb, const char **why)
{
	const struct rvm_segtab_hdr *h = buf;
	const struct rvm_disk_seg *e = (const void *)(h + 1);
	size_t bytes = rvm_segtab_bytes(sb);
	u32 nsegs, next_id, max_segs, i, j;
	bool has_int = false;
	int err;

	if (bytes < RVM_SEG_ENTRY_SIZE || len < bytes)
		return rvm_fail(why, RVM_WHY_ST_TRUNCATED, -EINVAL);
	if (le64_to_cpu(h->magic) != RVM_SEGTAB_MAGIC)
		return rvm_fail(why, "no segment table (bad magic)", -EINVAL);
	if (le64_to_cpu(h->gen) != le64_to_cpu(sb->segtab_gen))
		return rvm_fail(why, RVM_WHY_ST_GEN, -EINVAL);
	if (rvm_segtab_crc(buf, bytes) != le32_to_cpu(h->crc))
		return rvm_fail(why, RVM_WHY_ST_CRC, -EBADMSG);
	if (le32_to_cpu(h->crc) != le32_to_cpu(sb->segtab_crc))
		return rvm_fail(why, RVM_WHY_ST_OTHER, -EINVAL);
	if (le64_to_cpu(h->vol_nonce) != le64_to_cpu(sb->vol_nonce))
		return rvm_fail(why, RVM_WHY_ST_NONCE, -EINVAL);
	if (h->flags || h->reserved0 || h->pad ||
	    !rvm_zero(h->reserved, sizeof(h->reserved)))
		return rvm_fail(why, RVM_WHY_ST_RESERVED, -EOPNOTSUPP);
	nsegs = le32_to_cpu(h->nsegs);
	next_id = le32_to_cpu(h->next_id);
	max_segs = bytes / RVM_SEG_ENTRY_SIZE - 1;
	if (nsegs > max_segs)
		return rvm_fail(why, RVM_WHY_ST_NSEGS, -EINVAL);
	if (next_id > RVM_SEG_ID_LIMIT)
		return rvm_fail(why, RVM_WHY_ST_NEXT_ID, -EINVAL);
	for (i = 0; i < nsegs; i++) {
		err = rvm_seg_check(&e[i], next_id, sb, why);
		if (err)
			return err;
		for (j = 0; j < i; j++)
			if (e[j].id == e[i].id)
				return rvm_fail(why, RVM_WHY_SEG_DUP, -EINVAL);
		has_int |= !e[i].id;
	}
	if (has_int != !!le64_to_cpu(sb->data_blocks))
		return rvm_fail(why, RVM_WHY_SEG_NO_INT, -EINVAL);
	t->hdr = h;
	t->ent = e;
	t->nsegs = nsegs;
	t->max_segs = max_segs;
	return 0;
}

/**
 * rvm_segtab_find() - a segment of a table by id
 * @t: a table rvm_segtab_validate() accepted, or NULL (no segments)
 * @id: the segment's id
 *
 * Return: its entry, or NULL if @t has no segment @id.
 */
const struct rvm_disk_seg *rvm_segtab_find(const struct rvm_segtab *t, u32 id)
{
	u32 i;

	if (!t)
		return NULL;
	for (i = 0; i < t->nsegs; i++)
		if (le32_to_cpu(t->ent[i].id) == id)
			return &t->ent[i];
	return NULL;
}

/* Does [@off, @off + @len) lie in segment @seg of @g's table? */
static bool rvm_range_ok(const struct rvm_geom *g, u32 seg, u64 off, u32 len)
{
	const struct rvm_disk_seg *e = rvm_segtab_find(g->segtab, seg);
	u64 size;

	if (!e)
		return false;
	size = le64_to_cpu(e->size);
	return off <= size && len <= size - off;
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
 * Return: 0 if the record is committed and every range lies in a segment
 * of @g->segtab (and inside it), with the lengths adding up to the
 * record's; -EBADMSG if the CRC does not match, -EINVAL if a descriptor is
 * malformed or names a segment the table does not hold.
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
		u32 seg = le32_to_cpu(r[i].seg);

		if (!rlen)
			return rvm_fail(why, "empty range", -EINVAL);
		if (!rvm_segtab_find(g->segtab, seg))
			return rvm_fail(why, RVM_WHY_RANGE_SEG, -EINVAL);
		if (!rvm_range_ok(g, seg, off, rlen))
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
 * @g: the volume's geometry (nonce, log size, and the segment table the
 *     ranges must lie in)
 * @lsn: the record's position, a multiple of RVM_REC_ALIGN
 * @seq: its sequence number
 * @tid: its transaction id, for tools
 * @ranges: the ranges, in the order they are to be applied
 * @nranges: their number
 * @next: distance to the next record, a multiple of RVM_REC_ALIGN, or 0
 *	  for the record's length rounded up to RVM_REC_ALIGN
 *
 * Return: the record's @next (> 0) on success; -EINVAL for an empty range,
 * a range outside its segment or naming one @g->segtab does not hold, a
 * misaligned @lsn or @next or a @next shorter than the record; -EMSGSIZE
 * if the record cannot fit in the log at all; -ENOSPC if it does not fit
 * in the rest of this lap (write a pad record first, rvm_rec_build_pad());
 * -ENOBUFS if @buf_len is too small.
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
		if (!ranges[i].len ||
		    !rvm_range_ok(g, ranges[i].seg, ranges[i].offset,
				  ranges[i].len))
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
		d[i].seg = cpu_to_le32(ranges[i].seg);
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
