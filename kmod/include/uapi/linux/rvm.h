/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rvm: recoverable virtual memory - the ioctl ABI of /dev/rvm.
 *
 * This header is included unchanged by the module, by librvm and by the
 * tests. Rules (Documentation/process/botching-up-ioctls.rst):
 *
 *  - every argument is a struct of fixed-width fields with explicit padding,
 *    the same size on 32- and 64-bit userspace; pointers travel as __u64;
 *  - every struct has a @flags field: a bit the module does not know gets
 *    -EINVAL, so new flags can be added later and probed for;
 *  - reserved fields must be zero on input (-EINVAL otherwise) and are
 *    zeroed by the module on output;
 *  - every field is validated before the module acts on any of them;
 *  - the ioctl type letter is 0xB9, unused in ioctl-number.rst.
 *
 * A program finds out what the running module supports with
 * RVM_IOC_GET_VERSION: @abi_major changes only on an incompatible change
 * (never so far), @features has one bit per optional capability.
 */
#ifndef _UAPI_LINUX_RVM_H
#define _UAPI_LINUX_RVM_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define RVM_IOC_MAGIC 0xB9

#define RVM_ABI_MAJOR 1
#define RVM_ABI_MINOR 6

/* RVM_IOC_GET_VERSION features: one bit per optional capability. */
#define RVM_FEAT_ENGINE (1ULL << 0) /* volumes, regions, transactions */
#define RVM_FEAT_PROTECT (1ULL << 1) /* RVM_IOC_SET_PROTECT, ABI minor 1 */
#define RVM_FEAT_URING (1ULL << 2) /* io_uring commands, ABI minor 2 */
#define RVM_FEAT_DECL (1ULL << 3) /* declaration slots, ABI minor 3 */
#define RVM_FEAT_REF_FD (1ULL << 4) /* RVM_REF_FD, ABI minor 4 */
/* Volumes in regular files (attach, and refs by path or fd), ABI minor 5 */
#define RVM_FEAT_FILE (1ULL << 5)
/* External data segments (RVM_IOC_SEG_*, format version 2), ABI minor 6 */
#define RVM_FEAT_SEGMENTS (1ULL << 6)

/**
 * struct rvm_version - answer of RVM_IOC_GET_VERSION
 * @flags: in: must be 0
 * @abi_major: out: RVM_ABI_MAJOR of the running module
 * @abi_minor: out: RVM_ABI_MINOR of the running module
 * @page_size: out: the module's page size (the granule of mappings)
 * @features: out: RVM_FEAT_* bits the running module supports
 * @reserved: in: must be 0; out: zeroed
 */
struct rvm_version {
	__u32 flags;
	__u32 abi_major;
	__u32 abi_minor;
	__u32 page_size;
	__u64 features;
	__u64 reserved[5];
};

/**
 * struct rvm_attach - argument of RVM_IOC_ATTACH
 * @path: in: user pointer to the NUL-terminated path of the volume's block
 *	device, or (RVM_FEAT_FILE) of the regular file that holds it (at
 *	most RVM_PATH_MAX bytes with the NUL)
 * @flags: in: 0
 * @truncate_pct: in: start background truncation when the log is this
 *	full (1..99), 0 for the module's default (module parameter truncate)
 * @spool_delay_ms: in: no_flush commits become durable at the latest
 *	this long after they end (1..60000), 0 for the default (module
 *	parameter spool_delay_ms)
 * @vol_id: out: the volume's id, for RVM_IOC_DETACH and RVM_IOC_STATUS
 * @pad: must be 0
 * @reserved: must be 0
 */
struct rvm_attach {
	__u64 path;
	__u32 flags;
	__u32 truncate_pct;
	__u32 spool_delay_ms;
	__u32 vol_id;
	__u32 pad;
	__u32 reserved0;
	__u64 reserved[4];
};

#define RVM_PATH_MAX 1024

/**
 * struct rvm_volume_ref - names an attached volume
 * @path: in: user pointer to its device path, or 0 to use @vol_id or @fd
 * @vol_id: in: the id RVM_IOC_ATTACH returned (when @path is 0 and
 *	@flags is 0)
 * @flags: in: 0, or RVM_REF_FD (then @path and @vol_id must be 0)
 * @fd: in: with RVM_REF_FD, an open file descriptor of the volume's block
 *	device or regular file; else 0
 * @pad: must be 0
 * @reserved: must be 0
 *
 * A path names the volume whose device number the node has; the node must
 * be a block device on a mount that allows device nodes (not nodev, as
 * for open(2)), and its device number must not be 0 (ENOENT: a path never
 * falls back to @vol_id). Until ABI minor 3, @fd and @pad were a reserved
 * field that had to be 0, as they still must be without RVM_REF_FD.
 *
 * Since ABI minor 5 (RVM_FEAT_FILE) a volume can live in a regular file:
 * a path or an fd of that file (the same st_dev and inode number) names
 * it. nodev does not concern a regular file. Binding needs the rights a
 * device needs: read and write permission on the file (by path), or an fd
 * open for reading and writing.
 */
struct rvm_volume_ref {
	__u64 path;
	__u32 vol_id;
	__u32 flags;
	__s32 fd;
	__u32 pad;
	__u64 reserved;
};

/* rvm_volume_ref.flags: the volume is named by @fd (RVM_FEAT_REF_FD). */
#define RVM_REF_FD (1U << 0)

/**
 * struct rvm_status - per-volume counters, answer of RVM_IOC_STATUS
 * @ref: in: which volume
 * @flags: out: RVM_STATUS_* bits
 * @vol_id: out: the volume's id
 * @data_bytes: out: size of the data segment
 * @log_bytes: out: size of the log area
 * @log_used: out: bytes of log between head and tail (not yet truncated)
 * @head_lsn: out: position of the oldest record still in the log
 * @tail_lsn: out: position where the next record goes
 * @next_seq: out: sequence number of the next record
 * @commits: out: transactions committed (flush and no_flush)
 * @flush_commits: out: of which in flush mode
 * @aborts: out: transactions aborted
 * @log_writes: out: writes to the log (group commit: fewer than commits)
 * @log_flushes: out: durable log writes (with flush/FUA)
 * @flush_calls: out: RVM_IOC_FLUSH calls
 * @bytes_declared: out: bytes of ranges declared by committed transactions
 * @bytes_logged: out: bytes of records written to the log (headers,
 *	descriptors, data and padding)
 * @bytes_coalesced: out: log bytes saved by coalescing ranges within and
 *	between transactions (data, range descriptors, record headers)
 * @truncations: out: completed truncations
 * @bytes_truncated: out: log bytes freed by truncation
 * @log_full_waits: out: commits that waited for log space
 * @recovery_ns: out: time recovery took at attach
 * @recovery_records: out: records recovery replayed at attach
 * @recovery_bytes: out: data bytes recovery replayed at attach
 * @mapped_pages: out: data pages currently held in memory
 * @violations: out: commits refused with EPROTO in strict mode (bytes
 *	changed outside the declared ranges)
 * @prot_faults: out: write faults decided by page protection (strict and
 *	auto mappings)
 * @snapshots: out: page snapshots taken at a transaction's first write
 * @auto_bytes: out: changed bytes that auto mode added to commits
 * @set_range_calls: out: RVM_IOC_SET_RANGE calls
 * @decl_ranges: out: ranges read from declaration slots
 * @log_preflushes: out: durable log writes that also flushed the device's
 *	cache before writing (REQ_PREFLUSH): those of batches written in more
 *	than one write; the others only need FUA
 * @reserved: must be 0 on input, zeroed on output
 */
struct rvm_status {
	struct rvm_volume_ref ref;
	__u32 flags;
	__u32 vol_id;
	__u64 data_bytes;
	__u64 log_bytes;
	__u64 log_used;
	__u64 head_lsn;
	__u64 tail_lsn;
	__u64 next_seq;
	__u64 commits;
	__u64 flush_commits;
	__u64 aborts;
	__u64 log_writes;
	__u64 log_flushes;
	__u64 flush_calls;
	__u64 bytes_declared;
	__u64 bytes_logged;
	__u64 bytes_coalesced;
	__u64 truncations;
	__u64 bytes_truncated;
	__u64 log_full_waits;
	__u64 recovery_ns;
	__u64 recovery_records;
	__u64 recovery_bytes;
	__u64 mapped_pages;
	__u64 violations;
	__u64 prot_faults;
	__u64 snapshots;
	__u64 auto_bytes;
	__u64 set_range_calls;
	__u64 decl_ranges;
	__u64 log_preflushes;
	__u64 reserved;
};

/* The volume failed (an I/O error): it refuses commits until detached. */
#define RVM_STATUS_FAILED (1U << 0)

/**
 * struct rvm_bind - argument of RVM_IOC_BIND
 * @ref: in: the attached volume this file descriptor will work on
 *
 * After RVM_IOC_BIND, mmap() of the file descriptor maps bytes of the
 * volume's data segment (the mmap offset is the byte offset in the data
 * segment) and the transaction ioctls work on that volume. Binding needs
 * the right to open the volume's block device for reading and writing:
 *
 *  - by @ref.fd (RVM_REF_FD, the preferred way, librvm's when the module
 *    has RVM_FEAT_REF_FD): the file descriptor must be of the block device
 *    and opened for reading and writing; the open(2) that made it was the
 *    permission check (node permissions, nodev mounts, device cgroups,
 *    LSMs);
 *  - by @ref.path: read and write permission on the node, which must be
 *    on a mount without nodev, and a device number other than 0;
 *  - by @ref.vol_id: CAP_SYS_ADMIN.
 *
 * A file can be bound only before it is mapped: mmap() of an unbound file
 * fails with ENXIO before the kernel looks at the file's address space,
 * and a bound file cannot be bound again (EBUSY).
 */
struct rvm_bind {
	struct rvm_volume_ref ref;
};

/* rvm_txn_begin.flags: exactly one of RESTORE and NO_RESTORE, and DECL. */
#define RVM_TXN_RESTORE (1U << 0)
#define RVM_TXN_NO_RESTORE (1U << 1)
#define RVM_TXN_DECL (1U << 2) /* give it a declaration slot if one is free */

/* rvm_txn_begin.slot when the transaction has no declaration slot. */
#define RVM_DECL_NO_SLOT 0xffffffffU

/**
 * struct rvm_txn_begin - argument of RVM_IOC_BEGIN
 * @flags: in: RVM_TXN_RESTORE or RVM_TXN_NO_RESTORE, optionally with
 *	RVM_TXN_DECL
 * @pad: must be 0
 * @tid: out: the transaction's id, unique within the file descriptor
 * @slot: in: 0; out: with RVM_TXN_DECL, the index of the declaration slot
 *	the transaction got (see struct rvm_decl_slot), else
 *	RVM_DECL_NO_SLOT (none free, or the area is not mapped)
 * @pad2: must be 0
 * @reserved: must be 0
 */
struct rvm_txn_begin {
	__u32 flags;
	__u32 pad;
	__u64 tid;
	__u32 slot;
	__u32 pad2;
	__u64 reserved;
};

/*
 * Declaration slots: set_range without a system call.
 *
 * mmap() of RVM_DECL_AREA_SIZE bytes at offset RVM_DECL_MMAP_OFFSET of a
 * bound file descriptor (MAP_SHARED, read and write) maps the file's
 * declaration area: RVM_DECL_SLOTS slots of RVM_DECL_SLOT_SIZE bytes,
 * shared between the process and the module. RVM_IOC_BEGIN with
 * RVM_TXN_DECL gives the transaction a free slot (the module zeroes it and
 * writes @tid and @flags), and until it ends, each range written into the
 * slot is declared as if by RVM_IOC_SET_RANGE:
 *
 *  1. reserve an entry: i = atomic fetch-and-add on @next; i must be below
 *     RVM_DECL_ENTRIES (else use RVM_IOC_SET_RANGE);
 *  2. in restore mode, copy the range's current bytes into @data at a
 *     place reserved the same way with @data_next (else use the ioctl);
 *  3. fill @addr, @off (the data-segment offset @addr maps to) and @data
 *     of ent[i], then store @len with release semantics: the entry is
 *     published.
 *
 * The module reads entries in index order up to the first one whose @len
 * is 0, when the transaction ends or aborts, before each RVM_IOC_SET_RANGE
 * of it, and (only the entries covering the faulting page) when a write
 * faults on a protected page. So in strict and auto mode the first write
 * to each page still comes to the module, which sees the declarations
 * first; nothing else does. Entries are validated like the ioctl's fields,
 * @addr is translated through the caller's mappings and must map to @off
 * (a range must lie in one mapping). An entry that fails is not declared,
 * and its error (EINVAL, ERANGE, E2BIG, EIO, ENOMEM: as RVM_IOC_SET_RANGE
 * would have returned) is returned once by the transaction's RVM_IOC_END,
 * after which the transaction keeps running. The old bytes of a restore
 * mode range are taken from @data unless the transaction had written the
 * page before the entry was reserved (then from the page as it was before
 * that first write), so a lie there only harms the liar's own abort.
 * Entries written after the transaction's end are ignored; a thread that
 * publishes entries while another ends the transaction races with it as
 * two threads calling the ioctls would.
 */
#define RVM_DECL_MMAP_OFFSET (1ULL << 52)
#define RVM_DECL_SLOTS 16
#define RVM_DECL_SLOT_SIZE 8192
#define RVM_DECL_AREA_SIZE (RVM_DECL_SLOTS * RVM_DECL_SLOT_SIZE)
#define RVM_DECL_ENTRIES 126
#define RVM_DECL_DATA_SIZE 4096

/**
 * struct rvm_decl_entry - one declared range in a declaration slot
 * @addr: start address, as RVM_IOC_SET_RANGE's
 * @off: the data-segment offset @addr maps to
 * @data: restore mode: where in the slot's @data the range's old bytes are
 * @len: length, 1..RVM_MAX_RANGE; 0 until the entry is published
 */
struct rvm_decl_entry {
	__u64 addr;
	__u64 off;
	__u64 data;
	__u64 len;
};

/**
 * struct rvm_decl_slot - a declaration slot (RVM_DECL_SLOT_SIZE bytes)
 * @tid: written by the module: the transaction the slot belongs to
 * @flags: written by the module: the transaction's RVM_TXN_* mode
 * @next: the process's: next entry to reserve
 * @data_next: the process's: next free byte of @data
 * @pad: unused
 * @reserved: unused
 * @ent: the entries
 * @data: restore mode: old bytes of the declared ranges
 */
struct rvm_decl_slot {
	__u64 tid;
	__u32 flags;
	__u32 next;
	__u32 data_next;
	__u32 pad;
	__u64 reserved[5];
	struct rvm_decl_entry ent[RVM_DECL_ENTRIES];
	__u8 data[RVM_DECL_DATA_SIZE];
};

/**
 * struct rvm_txn_range - argument of RVM_IOC_SET_RANGE
 * @tid: in: the running transaction
 * @addr: in: start address of the range in a region this file descriptor
 *	maps (it may span adjacent regions)
 * @len: in: length in bytes, 1..RVM_MAX_RANGE
 * @flags: in: 0
 * @pad: must be 0
 * @reserved: must be 0
 */
struct rvm_txn_range {
	__u64 tid;
	__u64 addr;
	__u64 len;
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

#define RVM_MAX_RANGE (1ULL << 30)

/* rvm_txn_end.flags: exactly one of FLUSH and NO_FLUSH, and options. */
#define RVM_END_FLUSH (1U << 0)
#define RVM_END_NO_FLUSH (1U << 1)
#define RVM_END_COALESCE_RANGES (1U << 2) /* merge overlapping ranges */
#define RVM_END_COALESCE_TRANS (1U << 3) /* supersede spooled bytes */

/**
 * struct rvm_txn_end - argument of RVM_IOC_END and RVM_IOC_ABORT
 * @tid: in: the running transaction
 * @flags: in: RVM_END_* for RVM_IOC_END, 0 for RVM_IOC_ABORT
 * @pad: must be 0
 * @seq: out: sequence number of the record (RVM_IOC_END)
 * @reserved: must be 0
 */
struct rvm_txn_end {
	__u64 tid;
	__u32 flags;
	__u32 pad;
	__u64 seq;
	__u64 reserved[2];
};

/**
 * struct rvm_unmap - argument of RVM_IOC_UNMAP
 * @addr: in: start of the mapping (page aligned)
 * @len: in: its length
 * @flags: in: 0
 * @pad: must be 0
 * @reserved: must be 0
 */
struct rvm_unmap {
	__u64 addr;
	__u64 len;
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

/**
 * struct rvm_sync - argument of RVM_IOC_FLUSH and RVM_IOC_TRUNCATE
 * @flags: in: 0
 * @pad: must be 0
 * @reserved: must be 0
 */
struct rvm_sync {
	__u32 flags;
	__u32 pad;
	__u64 reserved[3];
};

/* rvm_protect.mode: how the pages of a mapping are protected. */
#define RVM_PROT_STRICT 0 /* writes need a declared range (default) */
#define RVM_PROT_AUTO 1 /* writes join the process's transaction */
#define RVM_PROT_OFF 2 /* no protection: classic RVM */

/**
 * struct rvm_protect - argument of RVM_IOC_SET_PROTECT
 * @mode: in: RVM_PROT_STRICT, RVM_PROT_AUTO or RVM_PROT_OFF
 * @flags: in: 0
 * @reserved: must be 0
 *
 * Pages of a mapping are write-protected; the first write to a page by a
 * process (again after each commit or abort that touched it) is decided
 * by the mapping's mode:
 *
 * - RVM_PROT_STRICT: allowed if a running transaction of the writing
 *   process (the one that called RVM_IOC_BEGIN) on the volume declared a
 *   byte of the page, else the writer gets SIGSEGV (a system call gets
 *   EFAULT) and the kernel log names volume, data offset and pid. At
 *   RVM_IOC_END, bytes of the pages the transaction wrote that changed
 *   outside its declared ranges (and outside ranges other running
 *   transactions declared) fail the commit with EPROTO.
 * - RVM_PROT_AUTO: allowed if the writing process runs exactly one
 *   transaction on the file descriptor the mapping was made through; the
 *   page joins it, and RVM_IOC_END logs the bytes of the page that changed
 *   (besides the declared ranges); RVM_IOC_ABORT of a restore-mode
 *   transaction puts the page back as it was before the first write.
 * - RVM_PROT_OFF: every write allowed, nothing checked: classic RVM.
 */
struct rvm_protect {
	__u32 mode;
	__u32 flags;
	__u64 reserved[3];
};

/*
 * External data segments (RVM_FEAT_SEGMENTS).
 *
 * A volume is a log and the data segments registered with it: each a
 * block device or a regular file of its own, or (segment 0 of a volume
 * that rvmctl format made on one device) a range of the log's own device.
 * The log's segment table names them (format.h); nothing of the module's
 * is ever written inside a segment.
 *
 * A bound file descriptor maps all the volume's segments: mmap() offset
 * RVM_SEG_OFFSET(id, off) maps byte @off of segment @id. Segment 0 is at
 * mmap offset 0, so a one-device volume is mapped as before. A segment is
 * at most RVM_SEG_MAX_SIZE bytes and ids are below RVM_SEG_MAX_ID + 1, so
 * no segment offset reaches RVM_DECL_MMAP_OFFSET. On 32-bit userspace an
 * mmap() offset has 44 bits (mmap2 counts pages): segments up to id 15.
 * The @off fields of declaration slots (struct rvm_decl_entry) are such
 * mmap offsets.
 */
#define RVM_SEG_SHIFT 40
#define RVM_SEG_MAX_SIZE (1ULL << RVM_SEG_SHIFT)
#define RVM_SEG_MAX_ID 4095U
#define RVM_SEG_OFFSET(id, off) (((__u64)(id) << RVM_SEG_SHIFT) | (__u64)(off))
#define RVM_SEG_NAME_MAX 192 /* bytes of a segment's name, with the NUL */

/**
 * struct rvm_seg_add - argument of RVM_IOC_SEG_ADD
 * @ref: in: the attached volume (the rights RVM_IOC_BIND needs)
 * @path: in: user pointer to the absolute path of the segment's block
 *	device or regular file, NUL-terminated, at most RVM_SEG_NAME_MAX
 *	bytes with the NUL; it is the segment's name in the table
 * @flags: in: 0
 * @id: out: the segment's id (the id it already had if this file or
 *	device is registered already)
 * @size: out: the segment's size in bytes (its file's or device's size,
 *	rounded down to a multiple of 4096)
 * @reserved: must be 0
 */
struct rvm_seg_add {
	struct rvm_volume_ref ref;
	__u64 path;
	__u32 flags;
	__u32 id;
	__u64 size;
	__u64 reserved[4];
};

/**
 * struct rvm_seg_ref - argument of RVM_IOC_SEG_REMOVE
 * @ref: in: the attached volume
 * @id: in: the segment's id
 * @flags: in: 0
 * @reserved: must be 0
 */
struct rvm_seg_ref {
	struct rvm_volume_ref ref;
	__u32 id;
	__u32 flags;
	__u64 reserved[2];
};

/* rvm_seg_info.flags */
#define RVM_SEGI_INTERNAL (1U << 0) /* a range of the log's own device */
#define RVM_SEGI_BDEV (1U << 1) /* a block device */
#define RVM_SEGI_FILE (1U << 2) /* a regular file */
#define RVM_SEGI_ABSENT (1U << 3) /* not opened at attach: missing, replaced */
/*
 * Log records not yet truncated name it (a no_flush commit counts until a
 * truncation covering it; RVM_IOC_TRUNCATE clears it).
 */
#define RVM_SEGI_PENDING (1U << 4)

/**
 * struct rvm_seg_info - argument of RVM_IOC_SEG_INFO
 * @ref: in: the attached volume (anyone may ask, as for RVM_IOC_STATUS)
 * @index: in: which entry of the segment table, from 0 (ENOENT past the
 *	last)
 * @flags: out: RVM_SEGI_* bits
 * @id: out: the segment's id
 * @pad: must be 0
 * @size: out: its size in bytes
 * @dev: out: its identity: device number (a file's st_dev, or the
 *	device's own), as the table records it (huge_encode_dev())
 * @ino: out: its identity: inode number (0 for a block device)
 * @resident_pages: out: its pages in memory
 * @name: out: its name (the path it was added by), NUL-terminated
 * @reserved: must be 0 on input, zeroed on output
 */
struct rvm_seg_info {
	struct rvm_volume_ref ref;
	__u32 index;
	__u32 flags;
	__u32 id;
	__u32 pad;
	__u64 size;
	__u64 dev;
	__u64 ino;
	__u64 resident_pages;
	char name[RVM_SEG_NAME_MAX];
	__u64 reserved[4];
};

/**
 * RVM_IOC_GET_VERSION - query the ABI version and features of the module
 *
 * Argument: struct rvm_version. Errors: EFAULT (bad pointer), EINVAL
 * (non-zero @flags or reserved field).
 */
#define RVM_IOC_GET_VERSION _IOWR(RVM_IOC_MAGIC, 0x00, struct rvm_version)

/**
 * RVM_IOC_ATTACH - attach ("mount") a volume: open its device exclusively
 * (or its regular file, RVM_FEAT_FILE: read-write, O_DIRECT where the file
 * system allows it), run recovery, make it usable. CAP_SYS_ADMIN only.
 *
 * Errors: EPERM, EFAULT, EINVAL (bad field; or the device or file holds no
 * rvm volume, or a corrupt one, or is too small: the kernel log says
 * why), ENAMETOOLONG, ENOENT/ENOTBLK (no such block device or regular
 * file: a directory is ENOTBLK), EACCES (a device node on a nodev mount),
 * EBUSY (already attached or in use), EROFS (a file on a read-only
 * mount), EIO (the device failed during recovery), ENOMEM.
 */
#define RVM_IOC_ATTACH _IOWR(RVM_IOC_MAGIC, 0x01, struct rvm_attach)

/**
 * RVM_IOC_DETACH - flush, truncate and release a volume. CAP_SYS_ADMIN only.
 *
 * Errors: EPERM, EFAULT, EINVAL, ENOENT (not attached), EBUSY (a file
 * descriptor is still bound to it), EIO (the final flush failed: the volume
 * is released anyway, and recovery at the next attach replays the log).
 */
#define RVM_IOC_DETACH _IOW(RVM_IOC_MAGIC, 0x02, struct rvm_volume_ref)

/**
 * RVM_IOC_STATUS - read a volume's counters. Anyone may.
 *
 * Errors: EFAULT, EINVAL, ENOENT (not attached).
 */
#define RVM_IOC_STATUS _IOWR(RVM_IOC_MAGIC, 0x03, struct rvm_status)

/**
 * RVM_IOC_BIND - bind this file descriptor to an attached volume (once).
 *
 * Errors: EFAULT, EINVAL, ENOENT (not attached; or a node whose device
 * number is 0), ENOTBLK (not a block device), EACCES (no read and write
 * permission on the device node, a node on a nodev mount, or a file
 * descriptor not open for reading and writing), EBADF (RVM_REF_FD: not an
 * open file descriptor), EPERM (by id without CAP_SYS_ADMIN), EBUSY
 * (already bound).
 */
#define RVM_IOC_BIND _IOW(RVM_IOC_MAGIC, 0x04, struct rvm_bind)

/**
 * RVM_IOC_BEGIN - begin a transaction.
 *
 * Errors: EFAULT, EINVAL, ENXIO (not bound), EROFS (the volume failed),
 * ENOMEM, EMFILE (the file descriptor already runs the module parameter
 * max_txns transactions, 1024 by default; read-only after load). An
 * EFAULT writing the answer ends the new transaction, whatever its mode.
 * Ids are not reused: one comes back only after 2^32 - 1 others of the
 * file descriptor began.
 */
#define RVM_IOC_BEGIN _IOWR(RVM_IOC_MAGIC, 0x05, struct rvm_txn_begin)

/**
 * RVM_IOC_SET_RANGE - declare that a transaction will change a range; in
 * restore mode, the range's bytes are saved for abort.
 *
 * Errors: EFAULT, EINVAL (bad field, or no such transaction), ENXIO (not
 * bound), ERANGE (the range is not entirely inside regions mapped from
 * this file descriptor), E2BIG (the transaction would not fit in the log),
 * EIO (restore mode: a page of the range could not be read from the data
 * segment; the range is not declared), ENOMEM, ENOSPC (the running
 * transactions of this file descriptor declared the module parameter
 * max_declared_mb MiB, 1024 by default; read-only after load). Memory the
 * module holds for a transaction (saved bytes, ranges, snapshots, records)
 * and the data pages a process touches first are charged to its memory
 * cgroup.
 */
#define RVM_IOC_SET_RANGE _IOW(RVM_IOC_MAGIC, 0x06, struct rvm_txn_range)

/**
 * RVM_IOC_END - commit a transaction: its declared ranges' bytes become one
 * redo record. With RVM_END_FLUSH it returns once the record is durable;
 * with RVM_END_NO_FLUSH once it is spooled (durable after RVM_IOC_FLUSH or
 * the spool delay).
 *
 * Errors: EFAULT, EINVAL, ENXIO, E2BIG (larger than the log), ENOMEM, EIO
 * and EROFS. After EINVAL, E2BIG, ENOMEM, and an EIO from reading a page of
 * the data segment (the volume stays usable), the transaction keeps
 * running. After an EIO from the log write (the volume is now failed and
 * read-only) or EROFS (it had failed before) the transaction is over, not
 * committed: a commit that got EIO may or may not be recovered later, but
 * never in part.
 */
#define RVM_IOC_END _IOWR(RVM_IOC_MAGIC, 0x07, struct rvm_txn_end)

/**
 * RVM_IOC_ABORT - abort a restore-mode transaction, putting back the bytes
 * of every declared range as they were when declared.
 *
 * Errors: EFAULT, EINVAL (no such transaction), ENXIO, EPERM (the
 * transaction is in no_restore mode: it keeps running).
 */
#define RVM_IOC_ABORT _IOW(RVM_IOC_MAGIC, 0x08, struct rvm_txn_end)

/**
 * RVM_IOC_FLUSH - make every spooled no_flush commit of the bound volume
 * durable.
 *
 * Errors: EFAULT, EINVAL, ENXIO, EIO, EROFS.
 */
#define RVM_IOC_FLUSH _IOW(RVM_IOC_MAGIC, 0x09, struct rvm_sync)

/**
 * RVM_IOC_TRUNCATE - flush, then apply the whole log to the data segment
 * and empty it.
 *
 * Errors: EFAULT, EINVAL, ENXIO, EIO, EROFS.
 */
#define RVM_IOC_TRUNCATE _IOW(RVM_IOC_MAGIC, 0x0a, struct rvm_sync)

/**
 * RVM_IOC_UNMAP - unmap a region, refused while a running transaction of
 * this file descriptor has declared a range in it.
 *
 * Errors: EFAULT, EINVAL, ENXIO, EBUSY (uncommitted ranges).
 */
#define RVM_IOC_UNMAP _IOW(RVM_IOC_MAGIC, 0x0b, struct rvm_unmap)

/**
 * RVM_IOC_SET_PROTECT - choose the protection mode of the mappings this
 * file descriptor makes from now on (RVM_FEAT_PROTECT); existing mappings
 * keep theirs. The default is RVM_PROT_STRICT.
 *
 * Errors: EFAULT, EINVAL (unknown mode, non-zero @flags or reserved field).
 */
#define RVM_IOC_SET_PROTECT _IOW(RVM_IOC_MAGIC, 0x0c, struct rvm_protect)

/**
 * RVM_IOC_SEG_ADD - register a data segment with an attached volume's log
 * (RVM_FEAT_SEGMENTS). The module opens @path with the caller's
 * credentials, read-write (O_DIRECT where the file system allows it), and
 * writes the new segment table durably before it returns. Adding a file
 * or device that is registered already returns its id (and, if it grew,
 * its new size); if it was absent at attach, it is opened again (ENODEV if
 * it still is not the file or device the table names).
 *
 * Errors: EFAULT, EINVAL (bad field, a relative path, not a block device
 * or regular file, smaller than 4096 bytes, larger than RVM_SEG_MAX_SIZE,
 * or the log's own device), ENAMETOOLONG, ENOENT, EACCES, EROFS, EBUSY
 * (a device in use), ENOSPC (the segment table is full), ENODEV, EIO,
 * ENOMEM, ENXIO, EPERM as for RVM_IOC_BIND.
 */
#define RVM_IOC_SEG_ADD _IOWR(RVM_IOC_MAGIC, 0x0d, struct rvm_seg_add)

/**
 * RVM_IOC_SEG_REMOVE - remove a segment from the log's table: the log is
 * truncated first, so no record names it afterwards.
 *
 * Errors: EFAULT, EINVAL, ENOENT (no such segment), EBUSY (mapped, or
 * segment 0 of a one-device volume), EIO, EROFS, and the errors of
 * RVM_IOC_BIND's rights check.
 */
#define RVM_IOC_SEG_REMOVE _IOW(RVM_IOC_MAGIC, 0x0e, struct rvm_seg_ref)

/**
 * RVM_IOC_SEG_INFO - describe the @index-th segment of the table.
 *
 * Errors: EFAULT, EINVAL, ENOENT (no such volume, or @index past the
 * last segment).
 */
#define RVM_IOC_SEG_INFO _IOWR(RVM_IOC_MAGIC, 0x0f, struct rvm_seg_info)

/*
 * io_uring commands (RVM_FEAT_URING).
 *
 * /dev/rvm takes RVM_URING_END and RVM_URING_FLUSH as IORING_OP_URING_CMD
 * submissions, so that one thread can keep many commits in flight and let
 * group commit share log writes between them. The SQE:
 *
 *   opcode      IORING_OP_URING_CMD
 *   fd          a /dev/rvm file descriptor bound to a volume (or the
 *               index of a registered one, with IOSQE_FIXED_FILE)
 *   cmd_op      RVM_URING_END or RVM_URING_FLUSH
 *   cmd         struct rvm_uring_cmd, the first 16 bytes of the command
 *               area (offset 48 of the SQE): a normal 64-byte SQE is
 *               enough; on an IORING_SETUP_SQE128 ring the other 64 bytes
 *               of the area must be zero
 *   user_data   anything: the CQE carries it back
 *   the rest    zero (addr, len, buf_index, uring_cmd_flags, ...):
 *               EINVAL otherwise where io_uring hands the driver the
 *               whole SQE (Linux 6.12); on 6.1 io_uring keeps only the
 *               command area of a deferred command, so the module cannot
 *               look at them and ignores them (nothing reads them)
 *
 * The CQE's res is 0 or a negative errno, nothing else (no commit number;
 * on an IORING_SETUP_CQE32 ring the extra fields are 0). It arrives:
 *
 *  - RVM_URING_END with RVM_END_FLUSH: once the record is durable in the
 *    log (group commit: the writer completes every commit its write
 *    carried);
 *  - RVM_URING_END with RVM_END_NO_FLUSH: at once, the record spooled; or,
 *    when the spool is over its limit (where RVM_IOC_END would wait), once
 *    the record is durable;
 *  - RVM_URING_FLUSH: once every commit made on the volume before it
 *    (no_flush ones included) is durable.
 *
 * The submitter never waits for the log: the transaction is ended, its
 * record built and put in the commit order while the SQE is issued, and
 * the log writer completes the command later. Commands issued one after
 * the other take their places in the commit order in that order: SQEs of
 * one submitting thread are issued in ring order, unless IOSQE_ASYNC
 * hands them to io_uring's worker threads (do not use it here). After a
 * crash the recovered state is the state after a prefix of the commit
 * order that includes every commit whose flush-mode CQE arrived with res
 * 0, whatever order the CQEs are reaped in.
 *
 * A command cannot be cancelled: once issued, the commit is in the commit
 * order and its CQE follows within a log write. Closing the ring, the
 * file or exiting with commands in flight is safe: io_uring keeps each
 * request, and the file, until its completion; the commits stay
 * committed. IORING_SETUP_IOPOLL rings get -EOPNOTSUPP from io_uring.
 *
 * Errors in res: EINVAL (no such transaction, bad @flags, non-zero @pad or
 * @tid of a flush, non-zero bytes after the payload), ENOTTY (unknown
 * cmd_op), ENXIO (the file is not bound), and every error of RVM_IOC_END
 * (E2BIG, ENOMEM, EPROTO, EIO, EROFS; the transaction keeps running after
 * the same ones as there) or RVM_IOC_FLUSH.
 */

/**
 * struct rvm_uring_cmd - payload of an io_uring command of /dev/rvm
 * @tid: RVM_URING_END: the running transaction; RVM_URING_FLUSH: 0
 * @flags: RVM_URING_END: RVM_END_* as for RVM_IOC_END; RVM_URING_FLUSH: 0
 * @pad: must be 0
 */
struct rvm_uring_cmd {
	__u64 tid;
	__u32 flags;
	__u32 pad;
};

/* sqe->cmd_op values. */
#define RVM_URING_END _IOW(RVM_IOC_MAGIC, 0x40, struct rvm_uring_cmd)
#define RVM_URING_FLUSH _IOW(RVM_IOC_MAGIC, 0x41, struct rvm_uring_cmd)

#endif /* _UAPI_LINUX_RVM_H */
