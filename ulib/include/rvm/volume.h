/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <rvm/volume.h>: offline access to an rvm volume from userspace, for
 * rvmctl, librvm and the tests: format, read and check the superblocks,
 * walk the log, run recovery, all without the module. The format and
 * recovery code itself is kmod's (format.h, record.c, recovery.c), built
 * here with the kshim.
 *
 * Errors: every function returns 0 (or a non-negative value where said)
 * or a negative errno, and leaves a one-line message naming the device
 * and what was wrong in a per-thread buffer, rvm_vol_last_error().
 *
 * A device is opened with O_DIRECT where it can be (falling back to
 * buffered I/O, for example for files on tmpfs), and block devices opened
 * for writing with O_EXCL, so that a volume the module has attached, or a
 * mounted file system, is refused with -EBUSY.
 *
 * This header brings in kshim.h, whose kernel-style names (u64, min(),
 * max(), sort(), pr_err(), ...) are macros or typedefs in the includer's
 * namespace too: include it only where the format is worked with.
 */
#ifndef _RVM_VOLUME_H
#define _RVM_VOLUME_H

#include "kshim.h"
#include "recovery.h"

struct rvm_vol;

/* rvm_vol_open() flags */
#define RVM_VOL_RDONLY		0x1	/* open read-only: check, dump */

/**
 * rvm_vol_open() - open a device or regular file holding (or to hold) a volume
 * @path: block device or regular file
 * @flags: RVM_VOL_* bits
 * @volp: set to the handle on success
 *
 * Does not read the superblocks (rvm_vol_read_super() does).
 *
 * Return: 0; -EINVAL for unknown @flags, -ENOTBLK if @path is neither a
 * block device nor a regular file, -EBUSY if a block device is in use or
 * (opened for writing) a regular file is attached by rvm.ko, or the errno
 * of open(2) or fstat(2).
 */
int rvm_vol_open(const char *path, unsigned int flags, struct rvm_vol **volp);

/**
 * rvm_vol_close() - close a volume handle
 * @vol: handle, or NULL
 */
void rvm_vol_close(struct rvm_vol *vol);

/**
 * rvm_vol_last_error() - the message of the last failure in this thread
 *
 * Return: a one-line message without a trailing newline ("" if none).
 */
const char *rvm_vol_last_error(void);

/**
 * rvm_vol_size() - size of the device
 * @vol: handle
 *
 * Return: its size in bytes.
 */
u64 rvm_vol_size(const struct rvm_vol *vol);

/**
 * rvm_vol_path() - the path the handle was opened with
 * @vol: handle
 *
 * Return: the path.
 */
const char *rvm_vol_path(const struct rvm_vol *vol);

/*
 * The volume's endpoints as struct rvm_io_ops (recovery.h), with the handle
 * as ctx: RVM_IO_LOG is the device from offset 0 (all of it until
 * rvm_vol_read_super() has run, then the superblocks, the segment table
 * and the log area); a segment id is that segment from its first byte
 * (once the superblocks are read; -EINVAL before, or for an id the table
 * does not hold): segment 0 of a one-device volume at data_start of the
 * device, any other in its own file or device, opened by its name when
 * first used and checked against the table (kind, device and inode, size):
 * -ENODEV if it is missing or replaced (rvm_vol_seg_state() says which).
 * Byte offsets inside the endpoint, any alignment (unaligned requests go
 * through an aligned bounce buffer); reads and writes beyond the end of
 * the endpoint fail with -EIO.
 */
extern const struct rvm_io_ops rvm_vol_io_ops;

/* rvm_vol_format() flags */
#define RVM_VOL_FORMAT_LOG_ONLY	0x1	/* a log alone: no segment 0 */

/**
 * rvm_vol_format() - format a device as an empty rvm volume (version 2)
 * @path: block device or existing regular file (it is not resized)
 * @log_bytes: size of the log area, rounded up to whole blocks; at least
 *	       RVM_MIN_LOG_BLOCKS blocks (64 KiB); 0 for 1/8 of the device,
 *	       clamped to [64 KiB, 64 MiB] (with RVM_VOL_FORMAT_LOG_ONLY:
 *	       all of it)
 * @flags: RVM_VOL_FORMAT_* bits
 *
 * Layout: superblock copies in blocks 0 and 1, the two segment table
 * copies of RVM_SEGTAB_DEFAULT_BLOCKS blocks each from block 2, the log
 * after them and, unless RVM_VOL_FORMAT_LOG_ONLY, segment 0 (internal:
 * all the rest, at least RVM_MIN_DATA_BLOCKS) after the log. The segment
 * table, generation 0 in copy A, holds segment 0 or nothing; next id 1. A
 * random nonce and uuid; the head at lsn 0, seq 1; RVM_SB_CLEAN. Zeroes
 * the superblock and table blocks and the start of the log, flushes,
 * writes table copy A and flushes, then superblock copy B (sb_seq 1) and
 * copy A (sb_seq 2), flushing after each. Whatever the device held before
 * is lost; segment 0 is not zeroed.
 *
 * Return: 0; -EINVAL for bad @flags or a too small @log_bytes, -ENOSPC if
 * the device is too small, -EBUSY, or an I/O error.
 */
int rvm_vol_format(const char *path, u64 log_bytes, unsigned int flags);

/**
 * rvm_vol_read_super() - read both superblock copies and choose the one in force
 * @vol: handle
 * @sb: if not NULL, set to the copy in force
 *
 * See rvm_super_pick(). The copy in force is kept in @vol for the
 * functions below; rvm_vol_copy() shows each copy and why it was refused.
 *
 * Also reads the segment table copy the superblock in force names and
 * validates it (rvm_segtab_validate()).
 *
 * Return: 0 or 1, the copy in force (A or B); -EINVAL if the device is not
 * an rvm volume or both copies are corrupt, -EBADMSG if both are rvm
 * superblocks with a bad CRC, -EOPNOTSUPP if one was written by another
 * format version (newer, or version 1: the message names it), an error
 * of the segment table (-EINVAL, -EBADMSG, -EOPNOTSUPP), or an I/O error.
 */
int rvm_vol_read_super(struct rvm_vol *vol, struct rvm_disk_super *sb);

/**
 * rvm_vol_copy() - one superblock copy as last read by rvm_vol_read_super()
 * @vol: handle
 * @slot: 0 for copy A, 1 for copy B
 * @err: if not NULL, set to 0 if the copy is valid, else why not (errno)
 * @why: if not NULL, set to NULL if the copy is valid, else why not
 *
 * Return: the copy as read, or NULL if the superblocks were not read.
 */
const struct rvm_disk_super *rvm_vol_copy(const struct rvm_vol *vol,
					  unsigned int slot, int *err,
					  const char **why);

/**
 * rvm_vol_write_super() - write a sealed superblock to its copy and flush
 * @vol: handle opened for writing
 * @sb: the superblock; it goes to copy rvm_super_slot(sb_seq)
 *
 * Return: 0; -EBADF if @vol is read-only, -EINVAL if @sb is not valid for
 * this device, or an I/O error.
 */
int rvm_vol_write_super(struct rvm_vol *vol, const struct rvm_disk_super *sb);

/**
 * rvm_vol_dump() - walk the committed records of the log
 * @vol: handle whose superblocks were read
 * @buf_len: log read buffer size, 0 for the default
 * @fn: called for each committed record (see rvm_log_walk())
 * @arg: passed to @fn
 * @st: filled with counts and where and why the log ends
 *
 * Return: 0, an error of rvm_log_walk(), or -EINVAL if the superblocks
 * were not read successfully.
 */
int rvm_vol_dump(struct rvm_vol *vol, size_t buf_len,
		 int (*fn)(void *arg, const struct rvm_rec_info *ri),
		 void *arg, struct rvm_recovery_stats *st);

/**
 * rvm_vol_check() - recovery dry run: what attaching would replay
 * @vol: handle whose superblocks were read
 * @st: filled as rvm_recover() would, pages included
 *
 * Reads only; writes nothing.
 *
 * Return: 0, or an error of rvm_recover().
 */
int rvm_vol_check(struct rvm_vol *vol, struct rvm_recovery_stats *st);

/**
 * rvm_vol_recover() - run recovery offline and empty the log
 * @vol: handle opened for writing, whose superblocks were read
 * @opts: recovery options (RVM_RECOVER_DRY_RUN not allowed), or NULL
 * @st: filled by rvm_recover()
 *
 * First checks, as attach does, that every segment the pending records
 * name is there and is the one the table names (rvm_vol_pending_segs(),
 * rvm_vol_seg_state()); if one is not, nothing is written. Then replays
 * the log into the segments, flushes each one written, then writes the
 * superblock rvm_super_after_recovery() prepares and flushes. rvmctl does
 * not offer this (attaching recovers); tests use it.
 *
 * Return: 0, -EBADF if read-only, -ENODEV if a segment the records name
 * is missing or replaced (the message names it), or an error of
 * rvm_recover() or of the superblock write.
 */
int rvm_vol_recover(struct rvm_vol *vol, const struct rvm_recovery_opts *opts,
		    struct rvm_recovery_stats *st);

/**
 * rvm_vol_segtab() - the segment table in force
 * @vol: handle
 *
 * Return: the table rvm_vol_read_super() read and validated (valid until
 * the next read or change), or NULL if the superblocks were not read.
 */
const struct rvm_segtab *rvm_vol_segtab(const struct rvm_vol *vol);

/**
 * rvm_vol_seg_redirect() - find a segment at another path than its name
 * @vol: handle
 * @id: the segment's id
 * @path: a copy of the segment (a file, or a device or image file for a
 *	  block device segment), for tools that recover copies of a
 *	  volume's disks elsewhere (the power-cut test's crash images)
 *
 * From now on segment @id is read and written at @path, whose identity is
 * not checked (it is a copy, not the segment the table names): only that
 * it is a regular file or block device at least as large as the table
 * says. Attach never does this: the module opens segments by their names.
 *
 * Return: 0, -EINVAL (no path), -ENOMEM.
 */
int rvm_vol_seg_redirect(struct rvm_vol *vol, u32 id, const char *path);

/**
 * rvm_vol_seg_state() - is a segment of the table there, and the right one?
 * @vol: handle whose superblocks were read
 * @id: the segment's id
 * @why: set to NULL if it is, else to why not ("missing (ENOENT)",
 *	 "replaced: inode 12, table says 13", "smaller than ...")
 *
 * Opens an external segment by its name (once) and checks its kind,
 * device and inode, and size against the table.
 *
 * Return: 0 if present, -ENOENT if the table has no segment @id, -ENODEV
 * if it is missing, replaced or unusable.
 */
int rvm_vol_seg_state(struct rvm_vol *vol, u32 id, const char **why);

/**
 * rvm_vol_pending_segs() - which segments the pending log records name
 * @vol: handle whose superblocks were read
 * @ids: a bitmap of RVM_SEG_ID_LIMIT bits, filled (rvm_log_segments())
 * @st: filled as rvm_log_walk() does
 *
 * Return: 0, or an error of rvm_log_segments().
 */
int rvm_vol_pending_segs(struct rvm_vol *vol, unsigned long *ids,
			 struct rvm_recovery_stats *st);

/**
 * rvm_vol_seg_add() - register a segment offline (tests, tools)
 * @vol: handle opened for writing, whose superblocks were read
 * @path: absolute path of a block device or regular file (its name)
 * @idp: set to its id
 *
 * What RVM_IOC_SEG_ADD does in the module, on a volume that is not
 * attached: the next id, the size rounded down to 4096, its identity
 * (device and inode) from stat(2); a new table (generation + 1) in the
 * copy not in force, flushed, then a superblock naming it. A file or
 * device already in the table gives its id.
 *
 * Return: 0; -EINVAL (relative or too long a path, not a file or device,
 * smaller than 4096 bytes), -ENOSPC (table full), -EBADF, or an error of
 * stat(2) or of the writes.
 */
int rvm_vol_seg_add(struct rvm_vol *vol, const char *path, u32 *idp);


#endif /* _RVM_VOLUME_H */
