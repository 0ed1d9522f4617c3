/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file librvm.h
 * @brief librvm: the modern interface to recoverable virtual memory.
 *
 * A thin layer over the ioctl ABI of /dev/rvm (<linux/rvm.h>), for
 * programs that do not need source compatibility with the classic RVM
 * library (<rvm/rvm.h>, which is built on this one).
 *
 * Concepts
 * --------
 * A *volume* is a block device formatted with `rvmctl format`
 * (rvmctl(8)): a superblock, a redo log and a data segment. An
 * administrator *attaches* it (rvm_vol_attach(), CAP_SYS_ADMIN): the
 * module opens the device exclusively and runs recovery. A process then
 * opens a handle bound to the attached volume (rvm_open()), maps byte
 * ranges of the data segment (rvm_region_map()) and changes them inside
 * transactions (rvm_txn_begin(), rvm_txn_set_range(), rvm_txn_end() or
 * rvm_txn_abort()). After any crash, each transaction's changes are in the
 * recovered data either entirely or not at all.
 *
 * Conventions
 * -----------
 * - Every call that can fail returns 0 or a negative errno value;
 *   rvm_strerror() describes one. errno itself is not meaningful after a
 *   call (it may have been changed).
 * - A handle (struct rvm) is opaque. Every call on it may be made from
 *   several threads at once; transactions of one handle are independent
 *   of each other (no isolation: serialising transactions that touch the
 *   same bytes is the application's job).
 * - Mappings and transactions belong to the handle: rvm_close() aborts the
 *   transactions still running (restore-mode ones get their old bytes
 *   back). Mappings stay valid after rvm_close() until munmap(2), but no
 *   transaction can be run on them any more.
 * - Flags not documented for a call give -EINVAL, so that new flags can
 *   be added later and probed for.
 *
 * Linking: -lrvm (-lpthread when static).
 */
#ifndef RVM_LIBRVM_H
#define RVM_LIBRVM_H

#include <stddef.h>
#include <stdint.h>

#include "linux/rvm.h"	/* the uapi header (next to this one once installed) */

#ifdef __cplusplus
extern "C" {
#endif

/** struct rvm - a handle bound to one attached volume (opaque). */
struct rvm;

/**
 * RVM_DEFAULT_DATA_LEN - segment 0 (on the log's own file) of a volume
 * file made by the classic rvm_create_log() (or rvm_initialize() with
 * create_log_file) on a regular file: 256 MiB, sparse. The environment
 * variable RVM_DATA_LEN (bytes, with an optional K, M or G suffix; 0 for
 * a log alone) overrides it. Data files of their own are segments too
 * (rvm_seg_add()).
 */
#define RVM_DEFAULT_DATA_LEN	(256ULL << 20)

/*
 * ===========================================================================
 * Volumes (administration)
 * ===========================================================================
 */

/**
 * struct rvm_attach_opts - tuning of an attached volume
 * @truncate_pct: start background truncation when the log is this full,
 *	1..99; 0 for the module's default (its parameter truncate)
 * @spool_delay_ms: a no_flush commit becomes durable at the latest this
 *	long after it ended, 1..60000; 0 for the module's default (its
 *	parameter spool_delay_ms)
 * @flags: 0
 * @reserved: 0
 */
struct rvm_attach_opts {
	uint32_t truncate_pct;
	uint32_t spool_delay_ms;
	uint32_t flags;
	uint32_t reserved[5];
};

/**
 * rvm_vol_attach() - attach ("mount") a volume
 * @dev: path of the volume's block device
 * @o: tuning, or NULL for the defaults
 * @vol_id: out, if not NULL: the volume's id
 *
 * Opens the device exclusively, runs recovery (the committed transactions
 * in the log are applied to the data segment), and makes the volume
 * available to rvm_open(). The volume stays attached, whoever uses it,
 * until rvm_vol_detach(). Needs CAP_SYS_ADMIN.
 *
 * Return:
 * * 0 - attached
 * * -EBUSY - the volume is attached already, or the device is in use
 *   (mounted, or open exclusively by someone else)
 * * -EPERM - the caller lacks CAP_SYS_ADMIN
 * * -EINVAL - a field of @o is out of range, or the device holds no rvm
 *   volume or a corrupt one (the kernel log says why)
 * * -ENOENT, -ENOTBLK - @dev does not exist or is neither a block device
 *   nor (with RVM_FEAT_FILE, ABI minor 5) a regular file
 * * -ENAMETOOLONG - @dev is RVM_PATH_MAX bytes or longer
 * * -EIO - the device failed during recovery
 * * -ENOMEM - out of memory
 * * -ENODEV, -EPROTO, -EOPNOTSUPP - see rvm_open() (/dev/rvm missing or
 *   incompatible)
 */
int rvm_vol_attach(const char *dev, const struct rvm_attach_opts *o,
		   unsigned int *vol_id);

/**
 * rvm_vol_detach() - detach a volume
 * @dev: path of the volume's block device
 *
 * Flushes, truncates and releases the volume. Needs CAP_SYS_ADMIN.
 *
 * Return:
 * * 0 - detached
 * * -ENOENT - the volume is not attached (or @dev does not exist)
 * * -EBUSY - a handle is still bound to it
 * * -EIO - the final flush failed: the volume is released anyway, and
 *   recovery at the next attach replays the log
 * * -EPERM, -ENOTBLK, -ENAMETOOLONG, -EINVAL - as for rvm_vol_attach()
 */
int rvm_vol_detach(const char *dev);

/**
 * rvm_vol_status() - read an attached volume's counters
 * @dev: path of the volume's block device
 * @st: out: the counters (see struct rvm_status in <linux/rvm.h>)
 *
 * Anyone may call it.
 *
 * Return:
 * * 0 - @st filled
 * * -ENOENT - the volume is not attached (or @dev does not exist)
 * * -ENOTBLK - @dev is not a block device
 * * -EINVAL - @st is NULL
 */
int rvm_vol_status(const char *dev, struct rvm_status *st);

/*
 * ===========================================================================
 * Data segments (RVM_FEAT_SEGMENTS, ABI minor 6)
 * ===========================================================================
 *
 * A volume is a log and the data segments registered with it: block
 * devices or regular files of their own, and, on a volume rvmctl format
 * made on one device, segment 0 on the log's own device. A handle maps
 * byte off of segment id at offset RVM_SEG_OFFSET(id, off) of
 * rvm_region_map(). The log's segment table names each segment by the
 * absolute path it was added by; attach opens every segment by that name
 * and checks that it is the same file or device (device and inode).
 */

/**
 * rvm_seg_add() - register a data segment with an attached volume's log
 * @log: path of the volume's log (block device or regular file)
 * @path: the segment's block device or regular file; made absolute with
 *	realpath(3), which is its name in the log's segment table
 * @id: out: the segment's id (if not NULL)
 * @size: out: its size in bytes, rounded down to 4096 (if not NULL)
 *
 * The module opens @path with the caller's credentials (read and write
 * permission on it is the check) and needs the rights rvm_open() needs on
 * @log. A file or device registered already gives its id (and its new
 * size, if it grew). Nothing is ever written inside a segment but what
 * the program commits there.
 *
 * Return:
 * * 0 - registered (or was already)
 * * -EINVAL - not a block device or regular file, smaller than 4096 bytes,
 *   larger than RVM_SEG_MAX_SIZE, or the log's own device
 * * -ENOENT, -EACCES, -EROFS, -ENAMETOOLONG - of @path (or @log)
 * * -ENOSPC - the segment table is full
 * * -EBUSY - a block device in use elsewhere
 * * -ENOTTY - the module has no RVM_FEAT_SEGMENTS
 * * -ENODEV, -EIO, -ENOMEM, -EPERM
 */
int rvm_seg_add(const char *log, const char *path, uint32_t *id,
		uint64_t *size);

/**
 * rvm_seg_remove() - remove a segment from an attached volume's log
 * @log: path of the volume's log
 * @id: the segment's id
 *
 * Truncates the log first, so that no record names the segment any more.
 *
 * Return: 0; -ENOENT (no such segment), -EBUSY (mapped, or segment 0 of a
 * one-device volume), -EIO, -EROFS, -EACCES, -ENOTTY (no
 * RVM_FEAT_SEGMENTS).
 */
int rvm_seg_remove(const char *log, uint32_t id);

/**
 * rvm_seg_info() - describe a segment of an attached volume's table
 * @log: path of the volume's log
 * @index: which entry of the table, from 0
 * @info: out: the entry (struct rvm_seg_info of <linux/rvm.h>: id, flags
 *	RVM_SEGI_*, size, identity, resident pages, name)
 *
 * Anyone may ask. Loop from index 0 until -ENOENT for the whole table.
 *
 * Return: 0; -ENOENT past the last entry (or the volume is not attached),
 * -EINVAL, -ENOTTY (no RVM_FEAT_SEGMENTS).
 */
int rvm_seg_info(const char *log, uint32_t index, struct rvm_seg_info *info);

/*
 * ===========================================================================
 * Handles
 * ===========================================================================
 */

/**
 * rvm_open() - open a handle bound to an attached volume
 * @dev: path of the volume's block device
 * @out: out: the handle
 *
 * Opens /dev/rvm, checks that the module speaks this ABI (major version
 * RVM_ABI_MAJOR, feature RVM_FEAT_ENGINE), and binds the handle to the
 * volume. The caller needs read and write permission on @dev.
 *
 * Return:
 * * 0 - *@out is the handle
 * * -ENOENT - the volume is not attached, or @dev does not exist
 * * -ENODEV - /dev/rvm does not exist: the rvm module is not loaded
 * * -EACCES - no read and write permission on @dev (or on /dev/rvm)
 * * -ENOTBLK - @dev is not a block device
 * * -EPROTO - the module speaks an incompatible ABI
 * * -EOPNOTSUPP - the module lacks RVM_FEAT_ENGINE
 * * -EINVAL - @dev or @out is NULL
 * * -ENAMETOOLONG, -ENOMEM, -EMFILE, -ENFILE
 */
int rvm_open(const char *dev, struct rvm **out);

/**
 * rvm_close() - close a handle
 * @r: the handle, or NULL
 *
 * Running transactions are aborted: restore-mode ones get their old bytes
 * back; no_restore ones leave their changes in memory, uncommitted (never
 * logged, never written to the data segment). Mappings stay in place
 * until munmap(2). Committed no_flush transactions are not lost: they
 * become durable within the spool delay (call rvm_sync_flush() first to
 * be sure).
 */
void rvm_close(struct rvm *r);

/**
 * rvm_fd() - the file descriptor of a handle
 * @r: the handle
 *
 * For poll(2) or io_uring; do not close it, and make no ioctl on it
 * that librvm documents.
 *
 * Return: the descriptor.
 */
int rvm_fd(const struct rvm *r);

/**
 * rvm_features() - what the module behind a handle supports
 * @r: the handle
 *
 * Return: the RVM_FEAT_* bits of <linux/rvm.h> (RVM_FEAT_URING: the
 * asynchronous calls below work).
 */
uint64_t rvm_features(const struct rvm *r);

/**
 * rvm_page_size_of() - the granule of mappings
 * @r: the handle
 *
 * Return: the module's page size in bytes (RVM_IOC_GET_VERSION's
 * page_size): offsets and addresses of mappings are multiples of it.
 */
size_t rvm_page_size_of(const struct rvm *r);

/**
 * rvm_stat() - read the counters of the handle's volume
 * @r: the handle
 * @st: out: the counters
 *
 * Return: 0, -ENOENT if the volume is being detached, -EINVAL if @st is
 * NULL.
 */
int rvm_stat(struct rvm *r, struct rvm_status *st);

/*
 * ===========================================================================
 * Mappings
 * ===========================================================================
 */

/* rvm_region_map() flags */
#define RVM_MAP_FIXED	0x1	/* map exactly at @addr, never replacing */

/**
 * rvm_region_map() - map bytes of the data segment
 * @r: the handle
 * @offset: byte offset in the data segment (segment 0), or
 *	RVM_SEG_OFFSET(id, off) for byte off of segment id (rvm_seg_add());
 *	a multiple of the page size
 * @len: length in bytes, not 0; rounded up to whole pages
 * @addr: where to map: a hint, or with RVM_MAP_FIXED the exact address
 *	(a multiple of the page size); NULL lets the kernel choose
 * @flags: 0 or RVM_MAP_FIXED
 * @out: out: the address of the mapping
 *
 * A shared, readable and writable mapping (MAP_SHARED) of the volume's
 * in-memory pages: every mapping of the same bytes, in any process, sees
 * the same memory. Change the bytes only inside a transaction, after
 * declaring them with rvm_txn_set_range(). Unmap with rvm_region_unmap()
 * (munmap(2) works too, without its check for uncommitted ranges).
 *
 * Return:
 * * 0 - mapped at *@out
 * * -EEXIST - RVM_MAP_FIXED and [@addr, @addr + @len) overlaps an existing
 *   mapping (nothing is replaced)
 * * -EINVAL - @offset or an RVM_MAP_FIXED @addr is not page aligned, @len
 *   is 0, the range is not inside the data segment, or a bad flag
 * * -ENOMEM - no room in the address space
 * * -ENXIO - the handle is not bound (cannot happen after rvm_open())
 */
int rvm_region_map(struct rvm *r, uint64_t offset, size_t len, void *addr,
		   int flags, void **out);

/**
 * rvm_region_unmap() - unmap a mapping of the handle's volume
 * @r: the handle
 * @addr: start of the range, page aligned
 * @len: its length (rounded up to whole pages)
 *
 * Refused while a running transaction of @r has declared bytes in the
 * range. Mappings partly inside the range are split.
 *
 * Return:
 * * 0 - unmapped
 * * -EBUSY - a running transaction has declared a range in it
 * * -EINVAL - @addr is not page aligned, @len is 0, or part of the range
 *   is not a mapping of this volume
 * * -ENOMEM, -EINTR
 */
int rvm_region_unmap(struct rvm *r, void *addr, size_t len);

/*
 * ===========================================================================
 * Transactions
 * ===========================================================================
 */

/**
 * rvm_txn_begin() - begin a transaction
 * @r: the handle
 * @flags: RVM_TXN_RESTORE (rvm_txn_abort() puts back the old bytes) or
 *	RVM_TXN_NO_RESTORE (cheaper; cannot be aborted)
 * @tid: out: the transaction's id, unique within the handle while it runs
 *
 * Return:
 * * 0 - running
 * * -EINVAL - @flags is not exactly one of the two, or @tid is NULL
 * * -EROFS - the volume failed (an I/O error): detach and attach it again
 * * -ENOMEM - out of memory
 */
int rvm_txn_begin(struct rvm *r, int flags, uint64_t *tid);

/**
 * rvm_txn_set_range() - declare bytes a transaction will change
 * @r: the handle
 * @tid: a running transaction
 * @addr: the first byte, in mappings of @r (it may span adjacent ones)
 * @len: number of bytes; 0 does nothing; longer than RVM_MAX_RANGE is
 *	declared in pieces
 *
 * Declare before changing. In restore mode the bytes are saved for
 * rvm_txn_abort(). When the module offers declaration slots
 * (RVM_FEAT_DECL) and the range lies in one mapping made with
 * rvm_region_map(), the range is written into the transaction's slot with
 * no system call, and what the module finds wrong with it is returned
 * once by rvm_txn_end() instead (RVM_DECL=0 in the environment turns
 * slots off).
 *
 * Return:
 * * 0 - declared
 * * -EINVAL - no such transaction, or the range wraps around
 * * -ERANGE - the range is not entirely inside mappings of @r
 * * -E2BIG - the transaction would no longer fit in the log
 * * -ENOMEM, -EIO (a page could not be read from the device)
 */
int rvm_txn_set_range(struct rvm *r, uint64_t tid, const void *addr,
		      size_t len);

/**
 * rvm_txn_end() - commit a transaction
 * @r: the handle
 * @tid: a running transaction
 * @flags: RVM_END_FLUSH (durable when this returns) or RVM_END_NO_FLUSH
 *	(durable after rvm_sync_flush() or the spool delay), or'd with
 *	RVM_END_COALESCE_RANGES (merge overlapping and adjacent ranges
 *	before logging) and RVM_END_COALESCE_TRANS (the new bytes may
 *	supersede spooled bytes of earlier no_flush commits)
 * @commit_no: out, if not NULL: the commit's number in the volume's
 *	commit order
 *
 * The declared ranges' current bytes become one redo record. After a
 * crash, the recovered state is that after some prefix of the commit
 * order that includes every durable commit.
 *
 * Return:
 * * 0 - committed
 * * -EINVAL - no such transaction, or bad @flags (it keeps running)
 * * -EINVAL, -ERANGE, -E2BIG, -EIO - a range declared through the
 *   transaction's slot was refused (see rvm_txn_set_range()): returned
 *   once, the range is not declared, the transaction keeps running
 * * -E2BIG - the record is larger than the log (it keeps running: abort
 *   it, or end it after declaring less)
 * * -ENOMEM - out of memory (it keeps running)
 * * -EINTR - a fatal signal while waiting for log space (it keeps running)
 * * -EIO - writing the log failed: the transaction is over, not
 *   committed, and the volume has failed
 * * -EROFS - the volume had failed before: the transaction is over
 */
int rvm_txn_end(struct rvm *r, uint64_t tid, int flags, uint64_t *commit_no);

/**
 * rvm_txn_abort() - abort a restore-mode transaction
 * @r: the handle
 * @tid: a running transaction begun with RVM_TXN_RESTORE
 *
 * Puts back the bytes of every declared range as they were when declared.
 *
 * Return:
 * * 0 - aborted
 * * -EINVAL - no such transaction
 * * -EPERM - the transaction is no_restore (it keeps running)
 */
int rvm_txn_abort(struct rvm *r, uint64_t tid);

/*
 * ===========================================================================
 * Log
 * ===========================================================================
 */

/**
 * rvm_sync_flush() - make every spooled no_flush commit durable
 * @r: the handle
 *
 * Covers the no_flush commits of every process using the volume.
 *
 * Return: 0, -EIO (the log write failed, the volume has failed), -EROFS
 * (the volume had failed before).
 */
int rvm_sync_flush(struct rvm *r);

/**
 * rvm_sync_truncate() - apply the log to the data segment and empty it
 * @r: the handle
 *
 * Flushes first. Only committed bytes reach the data segment.
 *
 * Return: 0, -EIO, -EROFS (as rvm_sync_flush()).
 */
int rvm_sync_truncate(struct rvm *r);

/*
 * ===========================================================================
 * Asynchronous commit (io_uring)
 * ===========================================================================
 *
 * With liburing, one thread can keep many commits in flight: each call
 * below fills one SQE of the caller's ring (it does not submit: call
 * io_uring_submit(), as for liburing's io_uring_prep_*() helpers), and a
 * CQE carrying @user_data arrives when the commit is durable. The CQE's
 * res is 0 or a negative errno, the same ones the synchronous call
 * returns; there is no commit number. Meanwhile the thread can begin,
 * fill and end more transactions: commits issued in order from one
 * thread take their places in the commit order in that order, and their
 * flushes are shared (group commit). After a crash the recovered state is
 * that after a prefix of the commit order including every commit whose
 * CQE said 0, in whatever order the CQEs were reaped.
 *
 * The ring is any io_uring of the caller's (normal or IORING_SETUP_SQE128
 * SQEs, any CQE size; not IORING_SETUP_IOPOLL, whose CQEs say
 * -EOPNOTSUPP). Do not set IOSQE_ASYNC on these SQEs: io_uring's worker
 * threads would issue them in any order. Closing the ring, the handle or
 * exiting with commits in flight loses nothing: they are committed, and
 * durable within a log write.
 *
 * Link the program with -luring; librvm itself uses only liburing's
 * inline functions. The module must have RVM_FEAT_URING (rvm_features()).
 */

struct io_uring;

/**
 * rvm_txn_end_async() - commit a transaction through io_uring
 * @r: the handle
 * @ring: the caller's ring, where one SQE is filled
 * @tid: a running transaction of @r
 * @flags: as for rvm_txn_end(): RVM_END_FLUSH (the CQE comes once the
 *	commit is durable) or RVM_END_NO_FLUSH (the CQE comes at once, the
 *	record spooled; or, when the spool is over its limit, once the record
 *	is durable), or'd with RVM_END_COALESCE_RANGES and
 *	RVM_END_COALESCE_TRANS
 * @user_data: the CQE's user_data
 *
 * Errors of the commit itself arrive in the CQE's res: -EINVAL (no such
 * transaction, bad @flags; it keeps running), -E2BIG, -ENOMEM, -EPROTO
 * (strict protection: bytes changed outside the declared ranges; it keeps
 * running), -EIO, -EROFS, as for rvm_txn_end().
 *
 * Return:
 * * 0 - the SQE is ready; submit it
 * * -EAGAIN - the submission queue is full: submit (and reap), then retry
 * * -EOPNOTSUPP - the module has no io_uring commands (RVM_FEAT_URING)
 * * -EINVAL - @r or @ring is NULL, or @flags is negative
 */
int rvm_txn_end_async(struct rvm *r, struct io_uring *ring, uint64_t tid,
		      int flags, uint64_t user_data);

/**
 * rvm_sync_flush_async() - rvm_sync_flush() through io_uring
 * @r: the handle
 * @ring: the caller's ring, where one SQE is filled
 * @user_data: the CQE's user_data
 *
 * The CQE comes once every commit made on the volume before the SQE was
 * issued (no_flush ones included) is durable; its res is 0, -EIO or
 * -EROFS, as rvm_sync_flush() returns.
 *
 * Return: 0, -EAGAIN, -EOPNOTSUPP, -EINVAL, as rvm_txn_end_async().
 */
int rvm_sync_flush_async(struct rvm *r, struct io_uring *ring,
			 uint64_t user_data);

/**
 * rvm_strerror() - describe an error of this interface
 * @err: a negative (or positive) errno value returned by a call here
 *
 * Return: a static string; never NULL. The text says what the error
 * means for rvm where that differs from strerror(3) ("volume already
 * attached or device in use" for EBUSY, ...).
 */
const char *rvm_strerror(int err);

/**
 * rvm_version() - the release of librvm
 *
 * The release of the library actually loaded, which may be newer than
 * the one a program was built with (pkg-config --modversion rvm). The
 * rvm.ko and rvmctl built from the same sources have the same release;
 * what a loaded module supports is told by its ABI version and
 * rvm_features(), not by the release.
 *
 * Return: a static string, "MAJOR.MINOR.PATCH" ("0.3.0").
 */
const char *rvm_version(void);

#ifdef __cplusplus
}
#endif

#endif /* RVM_LIBRVM_H */
