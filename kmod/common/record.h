/* SPDX-License-Identifier: GPL-2.0-only OR LGPL-2.1-or-later */
/*
 * rvm: pure functions on the on-disk format (format.h): validating,
 * choosing and sealing superblocks, validating, checksumming and building
 * log records. No I/O, no allocation, no locking: shared unchanged by the
 * module, rvmctl and the unit tests.
 *
 * Every validation function returns 0 or a negative errno and, through
 * @why, a static human-readable reason (never NULL on failure):
 *
 *   -EINVAL      a corrupt or foreign structure: bad magic, impossible
 *                geometry or lengths, a record other than the expected one
 *   -EBADMSG     the structure looks right but its CRC does not match
 *                (a torn or damaged write)
 *   -EOPNOTSUPP  a well-formed structure this code does not support: a
 *                newer format version, unknown flags, reserved fields set
 */
#ifndef _RVM_RECORD_H
#define _RVM_RECORD_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/crc32c.h>
#include <linux/math64.h>
#endif
#include <linux/rvm.h> /* RVM_SEG_OFFSET(), RVM_SEG_MAX_SIZE */
#include "format.h"

/*
 * The CRC-32C of the format code: crc32c() in userspace (kshim), and in
 * the module the faster of the kernel's two implementations (crc.c).
 */
#ifdef __KERNEL__
u32 rvm_crc32c(u32 crc, const void *buf, unsigned int len);
#else
#define rvm_crc32c(crc, buf, len) crc32c(crc, buf, len)
#endif

/*
 * Bounds no sane volume comes near; they keep every byte computation on
 * geometry, lsn and seq far from overflowing 64 bits.
 */
#define RVM_MAX_BLOCKS 0x0001000000000000ULL /* 2^48 blocks, 1 EiB */
#define RVM_MAX_LSN 0x4000000000000000ULL /* 2^62 */
#define RVM_MAX_SEQ 0x4000000000000000ULL /* 2^62 */
/*
 * A superblock's sb_seq grows by one per superblock write (attach,
 * truncation, detach): 2^62 of them are out of reach, so a copy claiming
 * more is corrupt or crafted, and is refused rather than allowed to win
 * and then wrap the next write to 0 (which would hand the choice back to
 * the stale copy).
 */
#define RVM_MAX_SB_SEQ 0x4000000000000000ULL /* 2^62 */
/*
 * A segment table copy need not be larger than RVM_SEG_ID_LIMIT entries
 * and its header: a superblock saying so is refused.
 */
#define RVM_SEGTAB_MAX_BLOCKS \
	((RVM_SEG_ID_LIMIT + 1) * RVM_SEG_ENTRY_SIZE / RVM_BLOCK_SIZE + 1)

/**
 * struct rvm_geom - a volume's geometry in bytes, from its superblock
 * @log_off: byte offset of the log area in the log endpoint (which starts
 *	     with the superblock copies; in a one-device volume it starts
 *	     at device offset 0)
 * @log_size: length of the log area in bytes (one lap)
 * @data_off: byte offset of the data segment on a one-device volume's
 *	      device: where the segment's endpoint starts (the I/O calls
 *	      take offsets inside the segment)
 * @data_size: length of the data segment in bytes
 * @nonce: the volume's nonce, which every record carries
 * @segtab: the volume's segment table, which record checks look ranges up
 *	    in (a range must name a segment of it and lie inside it); set by
 *	    the caller after rvm_segtab_validate(), NULL for none (then every
 *	    range is refused)
 */
struct rvm_geom {
	u64 log_off;
	u64 log_size;
	u64 data_off;
	u64 data_size;
	u64 nonce;
	const struct rvm_segtab *segtab;
};

/**
 * struct rvm_segtab - a validated segment table copy in memory
 * @hdr: its header, at the start of the copy's buffer
 * @ent: its entries (@hdr + 1)
 * @nsegs: le32_to_cpu(@hdr->nsegs)
 * @max_segs: how many entries the copy has room for
 */
struct rvm_segtab {
	const struct rvm_segtab_hdr *hdr;
	const struct rvm_disk_seg *ent;
	u32 nsegs;
	u32 max_segs;
};

/**
 * struct rvm_range_src - one range to encode into a record
 * @offset: byte offset in its data segment
 * @len: number of bytes, > 0
 * @seg: the segment's id
 * @data: the new bytes
 */
struct rvm_range_src {
	u64 offset;
	u32 len;
	u32 seg;
	const void *data;
};

/**
 * rvm_voff_seg() - the segment of a volume offset
 * @voff: RVM_SEG_OFFSET(id, off)
 *
 * Return: id.
 */
static inline u32 rvm_voff_seg(u64 voff)
{
	return (u32)(voff >> RVM_SEG_SHIFT);
}

/**
 * rvm_voff_off() - the offset inside its segment of a volume offset
 * @voff: RVM_SEG_OFFSET(id, off)
 *
 * Return: off.
 */
static inline u64 rvm_voff_off(u64 voff)
{
	return voff & (RVM_SEG_MAX_SIZE - 1);
}

/**
 * rvm_super_slot() - which copy a superblock with a given sb_seq goes to
 * @sb_seq: the superblock's sequence number
 *
 * Copy A (block 0) holds even sequence numbers, copy B (block 1) odd ones,
 * so consecutive writes alternate and a torn write never hits the copy in
 * force.
 *
 * Return: 0 for copy A, 1 for copy B.
 */
static inline unsigned int rvm_super_slot(u64 sb_seq)
{
	return sb_seq & 1;
}

/**
 * rvm_lap_off() - offset of a log position inside the log area
 * @g: geometry
 * @lsn: log position
 *
 * Return: @lsn modulo the log size.
 */
static inline u64 rvm_lap_off(const struct rvm_geom *g, u64 lsn)
{
	u64 rem;

	div64_u64_rem(lsn, g->log_size, &rem);
	return rem;
}

/**
 * rvm_lsn_to_log() - where a log position is stored
 * @g: geometry
 * @lsn: log position
 *
 * Return: the byte offset in the log endpoint (RVM_IO_LOG, recovery.h)
 * where @lsn is stored; in a one-device volume, the device offset too.
 */
static inline u64 rvm_lsn_to_log(const struct rvm_geom *g, u64 lsn)
{
	return g->log_off + rvm_lap_off(g, lsn);
}

/**
 * rvm_lap_left() - bytes from a log position to the end of its lap
 * @g: geometry
 * @lsn: log position
 *
 * Return: the room a record starting at @lsn may use, never 0.
 */
static inline u64 rvm_lap_left(const struct rvm_geom *g, u64 lsn)
{
	return g->log_size - rvm_lap_off(g, lsn);
}

/**
 * rvm_rec_len() - length of a transaction record
 * @nranges: number of ranges
 * @data_bytes: sum of the ranges' lengths
 *
 * Return: header + descriptors + data in bytes (the record's @len; its
 * @next is this rounded up to RVM_REC_ALIGN).
 */
static inline u64 rvm_rec_len(u32 nranges, u64 data_bytes)
{
	return RVM_REC_HDR_SIZE + (u64)nranges * RVM_REC_RANGE_SIZE +
	       data_bytes;
}

u32 rvm_super_crc(const struct rvm_disk_super *sb);
void rvm_super_seal(struct rvm_disk_super *sb);
int rvm_super_validate(const struct rvm_disk_super *sb, u64 dev_blocks,
		       const char **why);
int rvm_super_check_slot(const struct rvm_disk_super *sb, unsigned int slot,
			 u64 dev_blocks, const char **why);
int rvm_super_pick(const struct rvm_disk_super *a,
		   const struct rvm_disk_super *b, u64 dev_blocks,
		   const char **why_a, const char **why_b);
void rvm_geom_init(struct rvm_geom *g, const struct rvm_disk_super *sb);

size_t rvm_segtab_bytes(const struct rvm_disk_super *sb);
int rvm_segtab_validate(struct rvm_segtab *t, const void *buf, size_t len,
			const struct rvm_disk_super *sb, const char **why);
void rvm_segtab_seal(void *buf, size_t len);
const struct rvm_disk_seg *rvm_segtab_find(const struct rvm_segtab *t, u32 id);

u32 rvm_rec_crc(const void *rec, u32 len);
void rvm_rec_seal(void *rec);
int rvm_rec_check_hdr(const struct rvm_rec_hdr *h, const struct rvm_geom *g,
		      u64 lsn, u64 seq, const char **why);
int rvm_rec_check_body(const void *rec, const struct rvm_geom *g,
		       const char **why);
int rvm_rec_validate(const void *rec, size_t avail, const struct rvm_geom *g,
		     u64 lsn, u64 seq, const char **why);
ssize_t rvm_rec_build(void *buf, size_t buf_len, const struct rvm_geom *g,
		      u64 lsn, u64 seq, u64 tid,
		      const struct rvm_range_src *ranges, u32 nranges,
		      u32 next);
ssize_t rvm_rec_build_pad(void *buf, size_t buf_len, const struct rvm_geom *g,
			  u64 lsn, u64 seq);

#endif /* _RVM_RECORD_H */
