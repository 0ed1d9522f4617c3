/* SPDX-License-Identifier: GPL-2.0-only OR LGPL-2.1-or-later */
/*
 * rvm: the on-disk format of a volume. This header is shared unchanged by
 * the module and by userspace (rvmctl, the unit tests); in userspace
 * ulib/kshim/ provides the few kernel types and helpers it uses.
 *
 * A volume (format version 2) is a log and the data segments registered
 * with it. The log is one block device or regular file; each segment is a
 * block device or a regular file of its own, or, in the one-device volume
 * that `rvmctl format DEV` makes, segment 0 at data_start of the log's own
 * device. Nothing of ours is ever written inside a segment of its own: a
 * segment holds only the program's bytes. The log is in 4096-byte blocks,
 * all fields little-endian, checksums the standard CRC-32C (Castagnoli, as
 * iSCSI and ext4 use it: ~crc32c(~0, bytes), see rvm_crc() below):
 *
 *   block 0        superblock copy A   (struct rvm_disk_super, 512 bytes used)
 *   block 1        superblock copy B
 *   segtab_start   segment table copy A (segtab_blocks blocks)
 *     + segtab_blocks  segment table copy B
 *   log_start ..   log area: log_blocks blocks, a circular redo log
 *   data_start ..  (one-device volume only) segment 0: data_blocks blocks
 *
 *   +------+------+---------+---------+----------------------+-------------+
 *   |sup A |sup B |segtab A |segtab B | log (circular)       | segment 0   |
 *   +------+------+---------+---------+----------------------+-------------+
 *   0      1      segtab_start        log_start              data_start
 *
 * Segment table. A header (struct rvm_segtab_hdr) and up to
 * segtab_blocks * 4096 / 256 - 1 entries (struct rvm_disk_seg), each with
 * the segment's id, its name (the absolute path the program gave), its
 * size and its identity (device number and inode), which is kept here and
 * never inside the segment. A change writes the new table, generation one
 * higher, to the copy not in force (A for even generations, B for odd),
 * durably, and then a superblock naming that generation and the copy's
 * CRC: a torn table write leaves the old table in force. Attach opens each
 * segment by its name and checks its identity; a segment that is missing
 * or replaced by another file under the same name is absent, and a log
 * whose pending records name an absent segment is refused and kept as it
 * is. Segment ids are never reused (next_id).
 *
 * Format version 1 (a log and one data segment on one device, no segment
 * table) is refused with a message naming its version: reformat it.
 *
 * Superblock. Both copies are written alternately, each with a sb_seq one
 * higher than the last: copy A holds even sb_seq values, copy B odd ones
 * (format writes B with sb_seq 1, then A with 2). At attach the valid copy
 * (magic, version, CRC, sane geometry, sb_seq of its slot's parity) with
 * the higher sb_seq wins, so a torn superblock write leaves the previous
 * one in force. A superblock write only ever happens after
 * everything it refers to is durable (data pages flushed before the head
 * moves), and log space behind the old head is reused only after the new
 * superblock is durable (written with FUA).
 *
 * Log positions. A log sequence number (lsn) is a byte offset in an endless
 * log; byte lsn lives at byte log_start * 4096 + lsn % (log_blocks * 4096)
 * of the device. The superblock's head_lsn/head_seq name the oldest record
 * still needed and its sequence number; lsn and seq only ever grow, over
 * the whole life of the volume, so a stale record from an earlier lap of
 * the circle, or from before a log reset, can never match the lsn and seq
 * that recovery expects. vol_nonce, random at format, rules out records
 * of an earlier format of the same device. Record sequence numbers start
 * at 1. After a recovery the head moves to the end of the replayed log
 * plus one whole lap (same place in the area, a position no earlier record
 * carries), so that records left intact past a torn one can never line up
 * with new records of the same lengths and pass for committed ones.
 *
 * Records. Each record starts on a 64-byte boundary with a 64-byte header
 * (struct rvm_rec_hdr); a transaction record (RVM_REC_TXN) then has
 * nranges range descriptors (struct rvm_rec_range, 16 bytes each: segment
 * id, offset in that segment, length) and the
 * new bytes of each range, in range order. @len counts header, descriptors
 * and data; @next is the distance to the next record: @len rounded up to
 * 64 (any larger multiple of 64 within the lap is valid too: earlier
 * versions of the module stretched the last record of each write to the
 * next sector; recovery takes both, so the format version did not change).
 * Records are packed, so a log write may start inside a sector: it
 * rewrites the bytes before its first record in that sector unchanged (or
 * as zeros where they lie behind the log head).
 * That relies on a one-sector (512-byte) write being atomic, old or new
 * bytes after a crash but never a mix: the volume's device must have
 * 512-byte logical and physical blocks (attach checks both: a device with
 * larger physical sectors rewrites the whole sector, and a torn rewrite
 * would damage committed records next to the ones written).
 * A record never wraps the end of the log area: a pad record
 * (RVM_REC_PAD, no body, carrying the seq of the record after it) fills the
 * rest of the lap. The CRC covers the header (crc field zero) and the body.
 *
 *   +----------------------+------------------+-------------------------+--+
 *   | rvm_rec_hdr (64)     | nranges x 16     | data of range 0, 1, ... |pad
 *   +----------------------+------------------+-------------------------+--+
 *
 * A record is committed iff it lies at the expected lsn with the expected
 * seq and the volume's nonce, its lengths are sane and its CRC matches.
 * Recovery walks from head_lsn and stops at the first record that is not
 * committed: what it applies is always a prefix of the commit order.
 * The bytes a transaction declared cost 16 bytes of descriptor per range
 * in the log, plus a fixed 64-byte header per record.
 */
#ifndef _RVM_FORMAT_H
#define _RVM_FORMAT_H

#define RVM_SUPER_MAGIC 0x314c4f564d565252ULL /* "RRVMVOL1" */
#define RVM_FORMAT_VERSION 2
#define RVM_BLOCK_SIZE 4096
#define RVM_SECTOR_SIZE 512
#define RVM_SUPER_SIZE 512
#define RVM_SUPER_COPIES 2

#define RVM_REC_MAGIC 0x52434552 /* "RECR" */
#define RVM_REC_ALIGN 64
#define RVM_REC_TXN 1
#define RVM_REC_PAD 2

/* Smallest log and data segment rvmctl format accepts, in blocks. */
#define RVM_MIN_LOG_BLOCKS 16
#define RVM_MIN_DATA_BLOCKS 1

/**
 * struct rvm_disk_super - a superblock copy (blocks 0 and 1)
 * @magic: RVM_SUPER_MAGIC
 * @version: RVM_FORMAT_VERSION
 * @block_size: RVM_BLOCK_SIZE
 * @sb_seq: grows by one with every superblock write
 * @vol_nonce: random at format; every record carries it
 * @uuid: random at format, shown by rvmctl
 * @log_start: first block of the log area
 * @log_blocks: length of the log area in blocks
 * @data_start: first block of segment 0 if it lives on this device (a
 *	one-device volume), else 0
 * @data_blocks: its length in blocks, or 0
 * @head_lsn: position of the oldest record recovery must replay
 * @head_seq: sequence number of the record at @head_lsn
 * @format_time: seconds since the epoch when formatted
 * @flags: RVM_SB_* bits
 * @segtab_blocks: blocks of each copy of the segment table
 * @segtab_start: first block of segment table copy A (copy B follows it)
 * @segtab_gen: generation of the segment table in force; it is in copy
 *	A if even, copy B if odd
 * @segtab_crc: the @crc of that copy, so that only that very table is
 *	taken
 * @reserved0: zero
 * @reserved: zero
 * @crc: CRC32C of the first RVM_SUPER_SIZE bytes with @crc zero
 */
struct rvm_disk_super {
	__le64 magic;
	__le32 version;
	__le32 block_size;
	__le64 sb_seq;
	__le64 vol_nonce;
	__u8 uuid[16];
	__le64 log_start;
	__le64 log_blocks;
	__le64 data_start;
	__le64 data_blocks;
	__le64 head_lsn;
	__le64 head_seq;
	__le64 format_time;
	__le32 flags;
	__le32 segtab_blocks;
	__le64 segtab_start;
	__le64 segtab_gen;
	__le32 segtab_crc;
	__le32 reserved0;
	__le64 reserved[46];
	__le32 pad;
	__le32 crc;
};

/* The log was empty when this superblock was written (clean detach). */
#define RVM_SB_CLEAN 0x1
#define RVM_SB_KNOWN_FLAGS RVM_SB_CLEAN

/**
 * struct rvm_rec_hdr - header of a log record
 * @magic: RVM_REC_MAGIC
 * @type: RVM_REC_TXN or RVM_REC_PAD
 * @hdr_len: sizeof(struct rvm_rec_hdr)
 * @vol_nonce: the volume's nonce
 * @seq: sequence number (a pad record carries the next record's)
 * @lsn: the record's own position
 * @len: bytes covered by @crc: header, descriptors and data
 * @next: distance to the next record, a multiple of RVM_REC_ALIGN, >= @len
 * @nranges: number of struct rvm_rec_range after the header
 * @flags: zero (reserved for future record flags)
 * @tid: the transaction's id, for tools and tests
 * @reserved: zero
 * @crc: CRC32C of the @len bytes of the record with @crc zero
 */
struct rvm_rec_hdr {
	__le32 magic;
	__le16 type;
	__le16 hdr_len;
	__le64 vol_nonce;
	__le64 seq;
	__le64 lsn;
	__le32 len;
	__le32 next;
	__le32 nranges;
	__le32 flags;
	__le64 tid;
	__le32 reserved;
	__le32 crc;
};

/**
 * struct rvm_rec_range - one declared range of a transaction record
 * @offset: byte offset in its data segment
 * @len: number of bytes (> 0)
 * @seg: the id of the segment (struct rvm_disk_seg) it belongs to
 */
struct rvm_rec_range {
	__le64 offset;
	__le32 len;
	__le32 seg;
};

#define RVM_SEGTAB_MAGIC 0x32544745534d5652ULL /* "RVMSEGT2" */
#define RVM_SEG_ENTRY_SIZE 256
#define RVM_SEG_NAME_LEN 192
#define RVM_SEGTAB_DEFAULT_BLOCKS 4 /* 63 segments */
#define RVM_SEG_ID_LIMIT 4096 /* ids are below it (uapi RVM_SEG_MAX_ID) */

/* struct rvm_disk_seg.flags: exactly one of INTERNAL, BDEV and FILE. */
#define RVM_DSEG_INTERNAL 0x1 /* at data_start of the log's own device */
#define RVM_DSEG_BDEV 0x2 /* a block device of its own */
#define RVM_DSEG_FILE 0x4 /* a regular file */
#define RVM_DSEG_KNOWN_FLAGS 0x7

/**
 * struct rvm_segtab_hdr - head of a segment table copy (256 bytes)
 * @magic: RVM_SEGTAB_MAGIC
 * @gen: the table's generation (grows by one with every change; copy A
 *	holds even ones, copy B odd ones)
 * @vol_nonce: the volume's nonce
 * @nsegs: entries in use (they follow the header, packed)
 * @next_id: the id the next added segment gets (ids are never reused,
 *	so a stale record can never name a later segment)
 * @flags: zero
 * @reserved0: zero
 * @reserved: zero
 * @pad: zero
 * @crc: CRC32C of the whole copy (segtab_blocks blocks) with @crc zero
 */
struct rvm_segtab_hdr {
	__le64 magic;
	__le64 gen;
	__le64 vol_nonce;
	__le32 nsegs;
	__le32 next_id;
	__le32 flags;
	__le32 reserved0;
	__le64 reserved[26];
	__le32 pad;
	__le32 crc;
};

/**
 * struct rvm_disk_seg - one segment of the table (256 bytes)
 * @id: the segment's id: 0 only for the one-device volume's own segment
 * @flags: RVM_DSEG_* bits
 * @size: its size in bytes, a multiple of RVM_BLOCK_SIZE
 * @dev: identity: a file's st_dev, or the block device's number
 *	(huge_encode_dev()); 0 for RVM_DSEG_INTERNAL
 * @ino: identity: a file's inode number; 0 for a device
 * @add_time: seconds since the epoch when it was added
 * @reserved: zero
 * @name: NUL-terminated absolute path it was added by (empty for
 *	RVM_DSEG_INTERNAL), the rest zero
 */
struct rvm_disk_seg {
	__le32 id;
	__le32 flags;
	__le64 size;
	__le64 dev;
	__le64 ino;
	__le64 add_time;
	__le64 reserved[3];
	char name[RVM_SEG_NAME_LEN];
};

#define RVM_REC_HDR_SIZE ((__u32)sizeof(struct rvm_rec_hdr))
#define RVM_REC_RANGE_SIZE ((__u32)sizeof(struct rvm_rec_range))

static inline __u64 rvm_align_up(__u64 x, __u64 a)
{
	return (x + a - 1) & ~(a - 1);
}

/**
 * rvm_crc() - the standard CRC-32C of a buffer, as stored on disk
 * @buf: bytes
 * @len: their number
 *
 * Return: ~crc32c(~0, @buf, @len).
 */
static inline __u32 rvm_crc(const void *buf, __u32 len)
{
	return ~crc32c(~0U, buf, len);
}

#endif /* _RVM_FORMAT_H */
