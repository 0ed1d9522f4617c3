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
 * rvm_trunc.lock > rvm_volume.sb_lock, and > page lock (a removed
 * segment's pages); rvm_volume.maps_lock is a spinlock taken inside
 * mmap_lock, alone. Page protection (protect.c):
 *
 *   rvm_txn.lock > mmap_lock / vma lock > page lock > rvm_prot.lock
 *   rvm_txn.lock > page lock (the seal's barrier) > i_mmap_rwsem
 *	(folio_mkclean()); rvm_txn.lock > i_mmap_rwsem
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

/*
 * This header declares nothing: each concern has its own (volume.h,
 * segment.h, region.h, txn.h, dev.h, decl.h, protect.h, dseg.h, log.h,
 * truncate.h, uring.h, params.h, crc.h), and each file includes the ones
 * it uses.
 */

#endif /* _RVM_H */
