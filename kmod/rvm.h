/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: recoverable virtual memory - the module's internal interfaces.
 *
 * Objects and who owns them:
 *
 *   struct rvm_volume   an attached volume (volume.c): its log's backing
 *                       (the exclusively opened device or the regular
 *                       file, backing.c) and the log's endpoint on it
 *                       (endpoint.h, bio.c, fileio.c), its geometry, its
 *                       segment table and data segments (struct rvm_dseg,
 *                       dseg.c: each with its own backing and endpoint,
 *                       or segment 0 on the log's device), the page store
 *                       of all of them (struct rvm_segment, segment.c:
 *                       the pages in memory, by volume offset; region.c:
 *                       the mappings), its log (log.c) and truncation
 *                       (truncate.c), its counters.
 *   struct rvm_file     an open file of /dev/rvm (dev.c): the volume it is
 *                       bound to and its running transactions (txn.c).
 *   struct rvm_txn      a running transaction: its declared ranges, with
 *                       the old bytes saved for abort in restore mode.
 *   struct rvm_rec      a committed transaction's redo record on its way to
 *                       the log: ranges and new bytes, in commit order.
 *
 * Locking order: rvm_volumes_lock > rvm_file.lock > rvm_txn.lock >
 * rvm_log.lock; mmap_lock is taken only with no rvm lock held except
 * rvm_txn.lock. Segment table changes (dseg.c): rvm_volume.segtab_lock >
 * rvm_log.trunc_lock > rvm_volume.sb_lock, and > page lock (a removed
 * segment's pages); rvm_volume.maps_lock is a spinlock taken inside
 * mmap_lock, alone. Page protection (protect.c):
 *
 *   rvm_txn.lock > mmap_lock / vma lock > page lock > rvm_prot.lock
 *   rvm_txn.lock > page lock (the seal's barrier), i_mmap_rwsem
 *	(wp_shared_mapping_range())
 *
 * The write fault path holds mmap_lock (or the vma lock) and the page lock
 * and takes only rvm_prot.lock, a spinlock, never rvm_txn.lock: set_range
 * holds rvm_txn.lock while it waits for mmap_lock. Nothing allocates or
 * sleeps under rvm_prot.lock.
 *
 * Pages of a data segment (segment.c) are the page cache of its anon
 * inode, and reclaim may drop a clean one: PG_dirty means "its bytes in
 * memory may differ from the segment's", and only segment.c's clean pass
 * clears it, under the page lock, once no running transaction, snapshot,
 * commit in flight or untruncated record needs them:
 *
 *   page lock > rvm_segment.lock > xa_lock (rvm_segment.state)
 *   page lock > rvm_prot.lock, i_mmap_rwsem (the clean pass)
 *
 * rvm_segment.lock is a mutex, taken in the write fault path after
 * protect.c has decided (->page_mkwrite holds the page lock), by commits
 * around rvm_log_commit() (never while rvm_log.lock is held), and by
 * truncation's clean pass; rvm_log.lock nests inside it.
 */
#ifndef _RVM_H
#define _RVM_H

#include <linux/types.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/completion.h>
#include <linux/rvm.h>

#include "record.h"
#include "recovery.h"
#include "endpoint.h"
#include "rangeset.h"

struct rvm_volume;
struct rvm_seg_pin;
struct vm_area_struct;
struct vm_fault;
struct pid;
struct io_uring_cmd;

/**
 * struct rvm_stats - a volume's counters (see struct rvm_status)
 */
struct rvm_stats {
	atomic64_t commits;
	atomic64_t flush_commits;
	atomic64_t aborts;
	atomic64_t log_writes;
	atomic64_t log_flushes;
	atomic64_t log_preflushes;
	atomic64_t flush_calls;
	atomic64_t bytes_declared;
	atomic64_t bytes_logged;
	atomic64_t bytes_coalesced;
	atomic64_t truncations;
	atomic64_t bytes_truncated;
	atomic64_t log_full_waits;
	atomic64_t violations;
	atomic64_t prot_faults;
	atomic64_t snapshots;
	atomic64_t auto_bytes;
	atomic64_t set_range_calls;
	atomic64_t decl_ranges;
	u64 recovery_ns;
	u64 recovery_records;
	u64 recovery_bytes;
};

/**
 * struct rvm_rec - a committed transaction on its way to the log
 * @node: in the log's queue, in commit order
 * @ranges: the ranges (offset in the data segment, length), in log order
 * @nranges: their number
 * @data: their new bytes, concatenated in range order
 * @data_len: sum of the ranges' lengths
 * @declared: bytes the transaction declared (before coalescing)
 * @tid: the transaction's id, written in the record header
 * @flags: RVM_END_* flags of the commit
 * @seq: sequence number given when the record was written
 * @status: 0 once durable, or a negative errno
 * @done: completed when @status is final (flush commits wait on it)
 * @waited: a committer waits on @done and frees the record
 * @lead: (waited only) @done was completed to make the committer finish
 *	the batch in flight, which holds the record
 * @ucmd: an io_uring command (uring.c) to complete with @status instead;
 *	the writer frees the record then
 */
struct rvm_rec {
	struct list_head node;
	struct rvm_range_src *ranges;
	u32 nranges;
	u8 *data;
	u64 data_len;
	u64 declared;
	u64 tid;
	u32 flags;
	u64 seq;
	int status;
	struct completion done;
	bool waited;
	bool lead;
	struct io_uring_cmd *ucmd;
};

/**
 * struct rvm_log_out - the log writer's staging buffer (logbuf.c)
 * @vol: the volume
 * @buf: bytes of the log from lsn @start (sector aligned) on; it never
 *	holds bytes of two laps
 * @size: its size, a multiple of RVM_BLOCK_SIZE
 * @start: the lsn of @buf[0]
 * @fill: bytes valid at @buf; between batches, the part of the last one's
 *	last sector before the tail (rewritten, unchanged, by the next batch)
 * @unflushed: a write of the current batch went out without FUA
 */
struct rvm_log_out {
	struct rvm_volume *vol;
	u8 *buf;
	size_t size;
	u64 start;
	size_t fill;
	bool unflushed;
};

/*
 * A batch: the first @count entries of the writer's list (records and
 * markers), @nrecs of them records, to be written from @tail to @end with
 * sequence numbers from @seq on; @bytes is what they count for in
 * log.queued_bytes.
 */
struct rvm_log_plan {
	u64 tail;
	u64 end;
	u64 seq;
	u64 bytes;
	unsigned long count;
	unsigned long nrecs;
};

/**
 * struct rvm_log_batch - the log write in flight (log.c)
 * @plan: what it writes
 * @recs: its records and markers, in commit order
 * @completer: a committer waiting for one of them, woken when the write
 *	completes to finish the batch; NULL if the writer's work does it
 * @status: the write's result
 * @io: the asynchronous write
 */
struct rvm_log_batch {
	struct rvm_log_plan plan;
	struct list_head recs;
	struct rvm_rec *completer;
	int status;
	struct rvm_bio_async io;
};

/**
 * struct rvm_log - the redo log of a volume (log.c, truncate.c)
 * @lock: protects the queue, the positions, @error, @busy and @kicked
 * @queue: committed records not yet taken by the writer, in commit order
 * @queued_bytes: their data bytes, and those taken but not yet durable
 *	(back-pressure for no_flush commits)
 * @head_lsn: oldest record still needed (moved by truncation)
 * @head_seq: its sequence number
 * @tail_lsn: where the next record goes
 * @next_seq: sequence number of the next record
 * @durable_lsn: everything before it is durable
 * @error: a write failed: the volume is failed, commits get -EROFS
 * @busy: the writer role is taken: by a committer, the work, or a batch
 *	in flight (one at a time)
 * @kicked: something queued wants to be written now (a flush commit, a
 *	flush, back-pressure, the spool delay)
 * @taken: entries the writer took from @queue, not yet written (the role
 *	holder's)
 * @batch: the batch in flight (the role holder's)
 * @out: the staging buffer (the role holder's)
 * @wq: ordered workqueue of the writer's works and the spool
 * @write_work: the writer run by a work: for asynchronous commits, and
 *	when the log is full (only the work waits for space)
 * @done_work: finishes a batch that no committer waits for
 * @spool_work: drains the spool at the latest spool_delay_ms after a
 *	no_flush commit
 * @trunc_work: background truncation
 * @wait: the writer waiting for space, committers waiting for the spool,
 *	detach waiting for the writer
 * @trunc_lock: one truncation at a time
 */
struct rvm_log {
	spinlock_t lock; /* see above */
	struct list_head queue;
	u64 queued_bytes;
	u64 head_lsn;
	u64 head_seq;
	u64 tail_lsn;
	u64 next_seq;
	u64 durable_lsn;
	int error;
	bool busy;
	bool kicked;
	struct list_head taken;
	struct rvm_log_batch batch;
	struct rvm_log_out out;
	struct workqueue_struct *wq;
	struct work_struct write_work;
	struct work_struct done_work;
	struct delayed_work spool_work;
	struct work_struct trunc_work;
	wait_queue_head_t wait;
	struct mutex trunc_lock; /* one truncation at a time */
};

/* Buckets of rvm_prot.txns: running transactions by process. */
#define RVM_PROT_TXN_BITS 6

/**
 * struct rvm_prot - a volume's page protection bookkeeping (protect.c)
 * @lock: protects everything below, every transaction's struct
 *	rvm_ptxn page list, entries and snapshots, and the files' struct
 *	rvm_prot_cache
 * @txns: running transactions (struct rvm_ptxn) by owning process
 * @hash: their pages (struct rvm_tpage) by data segment page index
 */
struct rvm_prot {
	spinlock_t lock; /* see above */
	struct hlist_head txns[1 << RVM_PROT_TXN_BITS];
	struct hlist_head *hash;
};

/**
 * struct rvm_prot_cache - a file's spare protection entries (protect.c)
 * @tps: free struct rvm_tpage entries
 * @snaps: free snapshot pages (on their lru)
 * @ntps: length of @tps
 * @nsnaps: length of @snaps
 * @scratch: a commit's work space, or NULL (taken with xchg())
 *
 * Kept by the transactions' file, so that a fault or a commit takes what
 * it needs without allocating, and charged to whoever allocated it first.
 */
struct rvm_prot_cache {
	struct list_head tps;
	struct list_head snaps;
	u32 ntps;
	u32 nsnaps;
	void *scratch;
};

/**
 * struct rvm_ptxn - a transaction's page protection state (protect.c)
 * @node: in rvm_prot.txns
 * @pages: its pages (struct rvm_tpage)
 * @rf: the file it runs on
 * @tgid: the process that began it: only its writes count
 * @npages: length of @pages
 * @decl: its declaration slot in @rf (decl.c), or -1
 * @sealed: ending: write faults no longer count it
 */
struct rvm_ptxn {
	struct hlist_node node;
	struct list_head pages;
	struct rvm_file *rf;
	struct pid *tgid;
	u32 npages;
	int decl;
	bool sealed;
};

/**
 * struct rvm_segment - a data segment's pages in memory (segment.c)
 * @vol: the volume whose log protects the segment
 * @inode: anon inode: its address_space holds the resident pages of every
 *	segment of the volume, by volume offset, and has every mapping of
 *	them on its i_mmap tree; a page is read from its segment's
 *	endpoint (struct rvm_dseg)
 * @lock: protects @state's entries, @ckpt_commit, @ckpt_lsn, @trunc_commit
 * @state: pages that must stay in memory (dirty), by page index
 * @npinned: entries in @state that a truncation may make clean
 * @pin_limit: above that many, truncate now (@press_work)
 * @press_next: not before this time (jiffies)
 * @ckpt_commit: every commit numbered up to it is durable...
 * @ckpt_lsn: ...and ends before this log position
 * @trunc_commit: every commit numbered up to it is in the segment
 * @press_work: truncation because too many pages are dirty
 * @press_runs: times @press_work ran
 */
struct rvm_segment {
	struct rvm_volume *vol;
	struct inode *inode;
	struct mutex lock; /* see above */
	struct xarray state;
	atomic_long_t npinned;
	unsigned long pin_limit;
	unsigned long press_next;
	u64 ckpt_commit;
	u64 ckpt_lsn;
	u64 trunc_commit;
	struct work_struct press_work;
	atomic64_t press_runs;
};

/* Volume offsets (uapi RVM_SEG_OFFSET()): segment id and offset in it. */
#define RVM_VOFF_SEG(voff) ((u32)((voff) >> RVM_SEG_SHIFT))
#define RVM_VOFF_OFF(voff) ((voff) & (RVM_SEG_MAX_SIZE - 1))

/**
 * struct rvm_tabcopy - a segment table copy in memory (dseg.c)
 * @node: in rvm_volume.old_tabs once replaced
 * @t: the validated table, pointing into @buf
 * @len: bytes of @buf (rvm_segtab_bytes())
 * @buf: the copy as on disk (kvmalloc, block aligned for direct I/O)
 */
struct rvm_tabcopy {
	struct list_head node;
	struct rvm_segtab t;
	size_t len;
	u8 *buf;
};

/**
 * struct rvm_dseg - one data segment of a volume (dseg.c)
 * @id: its id in the segment table
 * @flags: RVM_DSEG_* kind
 * @size: its size in bytes, as the table says
 * @ident: its identity, as the table says (@ident.dev the kernel's dev_t)
 * @back: an external segment's block device or file, open unless @absent
 * @ep: its endpoint: all of @back, or segment 0 on the log's own device
 * @absent: not opened at attach: missing, replaced, too small, ...
 * @why: why it is absent, for the kernel log
 * @name: the path it was added by ("" for segment 0 inside the log)
 * @maps: vmas mapping it (under rvm_volume.maps_lock)
 * @removing: being removed: no new mapping, no new use (written under
 *	rvm_volume.maps_lock, read without it by rvm_dseg_check_use())
 * @last_commit: the newest commit number whose record names it
 * @node: in rvm_volume.removed once removed
 */
struct rvm_dseg {
	u32 id;
	u32 flags;
	u64 size;
	struct rvm_ident ident;
	struct rvm_backing back;
	struct rvm_endpoint ep;
	bool absent;
	char why[96];
	char name[RVM_SEG_NAME_LEN];
	long maps;
	bool removing;
	u64 last_commit;
	struct list_head node;
};

/**
 * struct rvm_volume - an attached volume
 * @node: in rvm_volumes
 * @kref: references: the attachment, bound files, running operations
 * @id: small integer naming the volume in the ioctls
 * @path: the device path given at attach
 * @back: the block device or regular file it lives in (endpoint.h); its
 *	identity finds the volume from a path or an fd
 * @log_ep: the log's endpoint on it: superblocks, segment table copies
 *	and log area
 * @eps: the log and the segments, as the shared recovery code addresses
 *	them (by segment id)
 * @geom: byte geometry of the volume (record.h); @geom.segtab is the
 *	segment table in force (@tab)
 * @dsegs: the data segments of the table (struct rvm_dseg), by id
 * @tab: the segment table copy in force (dseg.c)
 * @old_tabs: tables replaced since attach, freed at release (@geom.segtab
 *	is read without a lock by the log writer)
 * @removed: segments removed since attach (struct rvm_dseg), freed at
 *	release
 * @segtab_lock: serialises segment table changes (dseg.c)
 * @maps_lock: protects every segment's @maps and @removing
 * @sb: the superblock last written
 * @sb_lock: serialises superblock writes
 * @binders: files bound to the volume (detach refuses while non-zero)
 * @failed: an I/O error happened: the volume is read-only until detached
 * @truncate_pct: background truncation threshold, % of the log
 * @spool_delay_ms: longest time a no_flush commit waits to be durable
 * @seg: the page store of all its segments: the pages in memory, indexed
 *	by volume offset (RVM_SEG_OFFSET()) >> PAGE_SHIFT
 * @inode: @seg's inode, whose address_space every mapping of the volume
 *	uses (protect.c)
 * @prot: page protection bookkeeping
 * @log: the redo log
 * @stats: counters
 */
struct rvm_volume {
	struct list_head node;
	struct kref kref;
	u32 id;
	char *path;
	struct rvm_backing back;
	struct rvm_endpoint log_ep;
	struct rvm_ep_set eps;
	struct rvm_geom geom;
	struct xarray dsegs;
	struct rvm_tabcopy *tab;
	struct list_head old_tabs;
	struct list_head removed;
	struct mutex segtab_lock; /* serialises segment table changes */
	spinlock_t maps_lock; /* rvm_dseg.maps and .removing */
	struct rvm_disk_super sb;
	struct mutex sb_lock; /* serialises superblock writes */
	atomic_t binders;
	bool failed;
	u32 truncate_pct;
	u32 spool_delay_ms;
	struct rvm_segment seg;
	struct inode *inode;
	struct rvm_prot prot;
	struct rvm_log log;
	struct rvm_stats stats;
};

/**
 * struct rvm_file - an open /dev/rvm
 * @lock: protects @vol and @txns' membership
 * @vol: the bound volume, or NULL
 * @txns: running transactions by id
 * @prot_mode: RVM_PROT_* mode the next mmap() of the file gets
 * @decl: the declaration area (decl.c), once mapped
 * @decl_used: its slots that belong to a running transaction
 * @txn_next: cursor of the cyclic id allocation in @txns: an id comes back
 *	only after 2^32 - 1 others (a stale END never commits a newer
 *	transaction)
 * @ntxns: running transactions (at most rvm_param_max_txns)
 * @declared: bytes declared by them (at most rvm_param_max_declared_mb)
 * @pcache: spare page protection entries of its transactions
 */
struct rvm_file {
	struct mutex lock; /* protects @vol and @txns' membership */
	struct rvm_volume *vol;
	struct xarray txns;
	u32 txn_next;
	atomic_t ntxns;
	atomic64_t declared;
	u32 prot_mode;
	struct rvm_decl_slot *decl;
	unsigned long decl_used;
	struct rvm_prot_cache pcache;
};

/* main.c: module parameters */
extern unsigned int rvm_param_truncate;
extern unsigned int rvm_param_spool_delay_ms;
extern unsigned int rvm_param_max_txns;
extern unsigned int rvm_param_max_declared_mb;

/* crc.c: rvm_crc32c() is declared in record.h */
void rvm_crc_init(void);

/* dev.c */
int rvm_dev_init(void);
void rvm_dev_exit(void);

/* bio.c: I/O on endpoints, declared in endpoint.h */

/* volume.c */
int rvm_volume_attach(const char *path, u32 truncate_pct, u32 spool_delay_ms,
		      u32 *id);
int rvm_volume_detach(struct rvm_volume *vol);
struct rvm_volume *rvm_volume_get(const struct rvm_volume_ref *ref,
				  bool need_rw);
void rvm_volume_put(struct rvm_volume *vol);
int rvm_volume_bind(struct rvm_volume *vol);
void rvm_volume_unbind(struct rvm_volume *vol);
void rvm_volume_detach_all(void);
int rvm_volume_write_super(struct rvm_volume *vol, u64 head_lsn, u64 head_seq,
			   u32 flags);
int rvm_volume_write_segtab(struct rvm_volume *vol, u64 gen, u32 crc);
void rvm_volume_fail(struct rvm_volume *vol, int err, const char *what);
void rvm_volume_status(struct rvm_volume *vol, struct rvm_status *st);

/* region.c: the segments' pages and the mappings of them */
int rvm_region_init(void);
void rvm_region_exit(void);
int rvm_region_vol_init(struct rvm_volume *vol);
void rvm_region_vol_quiesce(struct rvm_volume *vol);
void rvm_region_vol_destroy(struct rvm_volume *vol);
u64 rvm_region_resident(struct rvm_volume *vol);
struct rvm_seg_pin *rvm_region_commit_start(struct rvm_volume *vol,
					    const struct rvm_rec *rec);
void rvm_region_commit_done(struct rvm_volume *vol, struct rvm_seg_pin *pin,
			    u64 commit, int err, bool durable);
void rvm_region_bind(struct rvm_volume *vol, struct file *file);
int rvm_region_mmap(struct rvm_file *rf, struct vm_area_struct *vma);
int rvm_region_translate(struct rvm_file *rf, u64 addr, u64 len,
			 int (*fn)(void *arg, u64 off, u64 len, u32 mode),
			 void *arg);
int rvm_region_read(struct rvm_volume *vol, u64 off, void *dst, u64 len);
int rvm_region_write(struct rvm_volume *vol, u64 off, const void *src, u64 len);
int rvm_region_unmap(struct rvm_file *rf, u64 addr, u64 len);

/* segment.c: a data segment's pages in memory */
void rvm_seg_init(struct rvm_segment *seg, struct rvm_volume *vol,
		  struct inode *inode);
void rvm_seg_forget(struct rvm_segment *seg, u64 voff, u64 len);
void rvm_seg_quiesce(struct rvm_segment *seg);
void rvm_seg_destroy(struct rvm_segment *seg);
u64 rvm_seg_resident(struct rvm_segment *seg);
void rvm_seg_kick(struct rvm_segment *seg);
struct page *rvm_seg_get_page(struct rvm_segment *seg, unsigned long idx);
int rvm_seg_mkwrite(struct rvm_segment *seg, struct page *page, bool off_mode,
		    gfp_t gfp);
int rvm_seg_copy(struct rvm_segment *seg, u64 off, void *buf, u64 len,
		 bool to_pages);
struct rvm_seg_pin *rvm_seg_commit_start(struct rvm_segment *seg,
					 const struct rvm_rec *rec);
void rvm_seg_commit_done(struct rvm_segment *seg, struct rvm_seg_pin *pin,
			 u64 commit, int err, bool durable);
void rvm_seg_checkpoint(struct rvm_segment *seg, u64 commit, u64 lsn);
u64 rvm_seg_trunc_begin(struct rvm_segment *seg);
void rvm_seg_truncated(struct rvm_segment *seg, u64 commit);

/* txn.c: transactions of one file */
int rvm_txn_begin(struct rvm_file *rf, u32 flags, u64 *tid, u32 *slot);
int rvm_txn_set_range(struct rvm_file *rf, u64 tid, u64 addr, u64 len);
int rvm_txn_end(struct rvm_file *rf, u64 tid, u32 flags, u64 *seq,
		struct io_uring_cmd *ucmd);
int rvm_txn_abort(struct rvm_file *rf, u64 tid);
void rvm_txn_cancel(struct rvm_file *rf, u64 tid);
void rvm_txn_release_all(struct rvm_file *rf);
bool rvm_txn_busy_range(struct rvm_file *rf, u64 off, u64 len);

/* decl.c: declaration slots */
int rvm_decl_mmap(struct rvm_file *rf, struct vm_area_struct *vma);
void rvm_decl_free(struct rvm_file *rf);
int rvm_decl_get(struct rvm_file *rf, u64 tid, u32 flags);
void rvm_decl_put(struct rvm_file *rf, int slot);
bool rvm_decl_next(struct rvm_file *rf, int slot, u32 *pos,
		   struct rvm_decl_entry *e);
const u8 *rvm_decl_data(struct rvm_file *rf, int slot,
			const struct rvm_decl_entry *e);
u32 rvm_decl_reserved(struct rvm_file *rf, int slot);
bool rvm_decl_covers_addr(struct rvm_file *rf, int slot, u64 start, u64 len);
bool rvm_decl_overlaps(struct rvm_file *rf, int slot, u64 off, u64 len);
void rvm_decl_mark(struct rvm_file *rf, int slot, unsigned long idx,
		   unsigned long *mask);

/* protect.c: write protection of mapped pages */
int rvm_prot_vol_init(struct rvm_volume *vol);
void rvm_prot_vol_destroy(struct rvm_volume *vol);
void rvm_prot_file_init(struct rvm_file *rf);
void rvm_prot_file_free(struct rvm_file *rf);
void rvm_prot_txn_begin(struct rvm_volume *vol, struct rvm_ptxn *pt,
			struct rvm_file *rf);
int rvm_prot_declare(struct rvm_volume *vol, struct rvm_ptxn *pt, u64 off,
		     u64 len);
int rvm_prot_read_old(struct rvm_volume *vol, struct rvm_ptxn *pt, u64 off,
		      void *dst, u64 len, const u8 *alt, u32 alt_idx);
vm_fault_t rvm_prot_fault(struct vm_fault *vmf, struct rvm_volume *vol,
			  u32 mode);
int rvm_prot_check(struct rvm_volume *vol, struct rvm_ptxn *pt);
void rvm_prot_seal(struct rvm_volume *vol, struct rvm_ptxn *pt, bool seal);
int rvm_prot_auto_ranges(struct rvm_volume *vol, struct rvm_ptxn *pt,
			 struct rvm_range_src **out, u32 *nout, u64 *bytes);
void rvm_prot_restore(struct rvm_volume *vol, struct rvm_ptxn *pt);
void rvm_prot_txn_end(struct rvm_volume *vol, struct rvm_ptxn *pt);
bool rvm_prot_page_busy(struct rvm_volume *vol, unsigned long idx);

/* A record queued by rvm_log_flush(): no data, only a place in the order. */
static inline bool rvm_rec_is_marker(const struct rvm_rec *rec)
{
	return !(rec->flags & (RVM_END_FLUSH | RVM_END_NO_FLUSH));
}

/* Log bytes a record takes (its @next); 0 for a marker. */
static inline u64 rvm_rec_size(const struct rvm_rec *rec)
{
	if (rvm_rec_is_marker(rec))
		return 0;
	return rvm_align_up(rvm_rec_len(rec->nranges, rec->data_len),
			    RVM_REC_ALIGN);
}

/* log.c: the redo log writer, group commit, the no_flush spool */
int rvm_log_start(struct rvm_volume *vol, u64 head_lsn, u64 head_seq);
void rvm_log_stop(struct rvm_volume *vol);
int rvm_log_commit(struct rvm_volume *vol, struct rvm_rec *rec, u64 *seq,
		   struct io_uring_cmd *ucmd);
int rvm_log_flush(struct rvm_volume *vol);
int rvm_log_flush_async(struct rvm_volume *vol, struct io_uring_cmd *ucmd);
void rvm_rec_free(struct rvm_rec *rec);
u64 rvm_log_capacity(struct rvm_volume *vol);

/* uring.c: end and flush as io_uring commands */
int rvm_uring_cmd(struct io_uring_cmd *ucmd, unsigned int issue_flags);
void rvm_uring_complete(struct io_uring_cmd *ucmd, int status);

/* spool.c: inter-transaction coalescing */
void rvm_spool_merge(struct rvm_volume *vol, struct list_head *take);

/* dseg.c: the segment table and the data segments */
struct rvm_dseg *rvm_dseg_find(struct rvm_volume *vol, u32 id);
int rvm_dseg_check(struct rvm_volume *vol, u64 voff, u64 len);
int rvm_dseg_check_use(struct rvm_volume *vol, u64 voff, u64 len);
int rvm_dseg_use_begin(struct rvm_volume *vol) __acquires(rvm_dseg_srcu);
void rvm_dseg_use_end(struct rvm_volume *vol, int cookie)
	__releases(rvm_dseg_srcu);
int rvm_dseg_load(struct rvm_volume *vol);
int rvm_dseg_check_pending(struct rvm_volume *vol);
void rvm_dseg_close_all(struct rvm_volume *vol);
void rvm_dseg_free_all(struct rvm_volume *vol);
int rvm_dseg_map(struct rvm_volume *vol, u64 voff, u64 len);
void rvm_dseg_unmap(struct rvm_volume *vol, u64 voff, long n);
int rvm_dseg_add(struct rvm_volume *vol, const char *path, u32 *id, u64 *size);
int rvm_dseg_remove(struct rvm_volume *vol, u32 id);
int rvm_dseg_info(struct rvm_volume *vol, u32 index, struct rvm_seg_info *si);
void rvm_dseg_committed(struct rvm_volume *vol, const struct rvm_rec *rec);

/* truncate.c: apply the log to the data segment, move the head */
int rvm_truncate(struct rvm_volume *vol);
void rvm_truncate_work(struct work_struct *work);
void rvm_truncate_kick(struct rvm_volume *vol);

#endif /* _RVM_H */
