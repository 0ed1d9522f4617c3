/* SPDX-License-Identifier: GPL-2.0-only OR LGPL-2.1-or-later */
/*
 * rvm: recovery of a volume from its log, and a walk over the committed
 * records for tools. Shared unchanged by the module (at attach) and by
 * userspace (rvmctl check and dump, the unit tests); all I/O goes through
 * struct rvm_io_ops, which the environment supplies. See recovery.c for
 * the passes.
 */
#ifndef _RVM_RECOVERY_H
#define _RVM_RECOVERY_H

#include "record.h"

/*
 * Log read windows: the longest by default, and the first (they double up
 * to the longest).
 */
#define RVM_RECOVERY_BUF_DEFAULT (1024 * 1024)
#define RVM_RECOVERY_BUF_MIN (64 * 1024)
/* Memory for data page images before replay writes some back early. */
#define RVM_RECOVERY_MEM_DEFAULT (64 * 1024 * 1024)

/* Validate and count, read no data page, write nothing (rvmctl check). */
#define RVM_RECOVER_DRY_RUN 0x1
#define RVM_RECOVER_KNOWN_FLAGS RVM_RECOVER_DRY_RUN

/*
 * The endpoints struct rvm_io_ops addresses: the log (its superblocks,
 * its segment table copies and its log area, at the offsets of struct
 * rvm_geom and the superblock: superblock copies at 0 and RVM_BLOCK_SIZE,
 * the area at log_off) and the data segments, each by its segment id,
 * from offset 0 of its own. In a one-device volume segment 0
 * (RVM_IO_SEG0, RVM_DSEG_INTERNAL) and the log are ranges of one device
 * ([0, log_off + log_size) and [data_off, data_off + data_size)), which
 * the environment maps to device offsets.
 */
#define RVM_IO_LOG 0xffffffffU
#define RVM_IO_SEG0 0U

/**
 * struct rvm_io_ops - the log and the data segments, as recovery sees them
 * @read: read @len bytes at byte offset @off of endpoint @ep (RVM_IO_LOG
 *	  or a segment id) into @buf
 * @write: write @len bytes from @buf at byte offset @off of endpoint @ep
 * @flush: make every completed write to endpoint @ep durable
 * @read_start: optional: start reading as @read does and return without
 *		waiting; on success *@handle names the read, and @read_end
 *		must be called for it before @buf is used or freed
 * @read_end: wait for the read started as *@handle and return its result
 *
 * Each returns 0 or a negative errno; a short transfer is an error
 * (-EIO), and so is an I/O that reaches past the end of its endpoint (it
 * is never done elsewhere). An unknown @ep is -EINVAL. Offsets and
 * lengths recovery passes are multiples of RVM_BLOCK_SIZE, and buffers are
 * allocated with kvmalloc(). Without @read_start (then @read_end is not
 * used either) recovery reads the log with @read, without read-ahead.
 */
struct rvm_io_ops {
	int (*read)(void *ctx, u32 ep, u64 off, void *buf, size_t len);
	int (*write)(void *ctx, u32 ep, u64 off, const void *buf, size_t len);
	int (*flush)(void *ctx, u32 ep);
	int (*read_start)(void *ctx, u32 ep, u64 off, void *buf, size_t len,
			  void **handle);
	int (*read_end)(void *ctx, void *handle);
};

/**
 * struct rvm_recovery_opts - how to recover
 * @flags: RVM_RECOVER_* bits
 * @buf_len: longest log read in bytes; 0 for RVM_RECOVERY_BUF_DEFAULT,
 *	     raised to RVM_RECOVERY_BUF_MIN (a record longer than that is
 *	     read whole anyway). Reads start at RVM_RECOVERY_BUF_MIN and
 *	     double, so a short log costs little; the next one is read
 *	     ahead while the current one is checked, if @ops can.
 * @mem_limit: bytes of data page images to keep before writing them back
 *	       early; 0 for RVM_RECOVERY_MEM_DEFAULT, at least one page
 * @limit_lsn: if not 0, treat the log as ending at this position: no
 *	       record at or reaching past it is read or replayed (truncation
 *	       of a live log, whose tail is still being written)
 */
struct rvm_recovery_opts {
	unsigned int flags;
	size_t buf_len;
	size_t mem_limit;
	u64 limit_lsn;
};

/**
 * struct rvm_recovery_stats - what a walk or a recovery found and did
 * @head_lsn: where the walk started (the superblock's head)
 * @head_seq: the sequence number expected there
 * @end_lsn: where the log ends: the first position without a committed
 *	     record
 * @next_seq: the sequence number the record at @end_lsn would have had
 * @records: committed transaction records
 * @pads: pad records
 * @ranges: ranges in those transaction records
 * @bytes: data bytes in those ranges
 * @pages: data pages written back (or, in a dry run, that would be)
 * @writebacks: rounds of writeback: 1, or more if @mem_limit forced
 *		early ones; 0 if nothing was replayed
 * @end_err: why the log ends: 0 if it ends because the log area is full
 *	     or at the limit asked for (@limit_lsn), else the negative errno
 *	     of the check that failed at @end_lsn (-EINVAL: no such record
 *	     there, -EBADMSG: its CRC is wrong, -EOPNOTSUPP: it has flags
 *	     this code does not know)
 * @end_why: the same as a static string (never NULL after a walk)
 * @pages_read: data pages read back before being written (the others
 *		were written whole by the log)
 * @ns_log_read: nanoseconds spent waiting for log reads
 * @ns_walk: nanoseconds in PASS_REPLAY (walking, checking and applying the
 *	     records, @ns_log_read included, early writebacks not)
 * @ns_data_read: nanoseconds reading data pages in PASS_WRITEBACK
 * @ns_write: nanoseconds writing data pages in PASS_WRITEBACK
 * @ns_flush: nanoseconds in the final flush
 */
struct rvm_recovery_stats {
	u64 head_lsn;
	u64 head_seq;
	u64 end_lsn;
	u64 next_seq;
	u64 records;
	u64 pads;
	u64 ranges;
	u64 bytes;
	u64 pages;
	u64 writebacks;
	int end_err;
	const char *end_why;
	u64 pages_read;
	u64 ns_log_read;
	u64 ns_walk;
	u64 ns_data_read;
	u64 ns_write;
	u64 ns_flush;
};

/**
 * struct rvm_rec_info - a committed record, as a walk hands it out
 * @lsn: its position
 * @hdr: its header
 * @ranges: its le32_to_cpu(@hdr->nranges) range descriptors
 * @data: the data of its ranges, one after the other
 *
 * The pointers are valid only during the callback.
 */
struct rvm_rec_info {
	u64 lsn;
	const struct rvm_rec_hdr *hdr;
	const struct rvm_rec_range *ranges;
	const u8 *data;
};

int rvm_log_walk(const struct rvm_disk_super *sb,
		 const struct rvm_segtab *segtab, const struct rvm_io_ops *ops,
		 void *ctx, size_t buf_len,
		 int (*fn)(void *arg, const struct rvm_rec_info *ri), void *arg,
		 struct rvm_recovery_stats *st);
int rvm_log_segments(const struct rvm_disk_super *sb,
		     const struct rvm_segtab *segtab,
		     const struct rvm_io_ops *ops, void *ctx,
		     unsigned long *ids, struct rvm_recovery_stats *st);
int rvm_recover(const struct rvm_disk_super *sb,
		const struct rvm_segtab *segtab, const struct rvm_io_ops *ops,
		void *ctx, const struct rvm_recovery_opts *opts,
		struct rvm_recovery_stats *st);
int rvm_super_after_recovery(const struct rvm_disk_super *old,
			     const struct rvm_recovery_stats *st,
			     struct rvm_disk_super *sb);

#endif /* _RVM_RECOVERY_H */
