// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: transactions - begin, set_range, end, abort.
 *
 * A transaction belongs to the open file that began it and is named by an
 * id unique within that file, so several threads (and io_uring
 * submissions) can run transactions on one file at once; each transaction
 * has a reference count and a mutex, so two threads using the same id are
 * serialised rather than racing. An end submitted through io_uring
 * (uring.c) runs here the same way, up to the log, which completes it
 * later instead of making the caller wait.
 *
 * set_range translates the user address to data-segment offsets through
 * the caller's own mappings (region.c), so only mapped bytes of the file's
 * volume can be declared. Declared ranges are kept twice: coalesced (a
 * sorted set of disjoint ranges, holding in restore mode the bytes as they
 * were when first declared, for abort) and as declared (for ends without
 * RVM_END_COALESCE_RANGES). At end, the new bytes of the ranges are read
 * from the volume's pages into a record, which the log makes durable
 * (flush) or spools (no_flush).
 *
 * Declaration slots (decl.c) let a process declare ranges without a
 * system call: a transaction begun with RVM_TXN_DECL reads the entries the
 * process published in its slot and declares them exactly as set_range
 * would (rvm_txn_drain()), before anything that needs the declared set:
 * end, abort, set_range itself, and abort at close (which, having no
 * address space to translate in, takes the offsets the entries claim:
 * only the process's own bytes go back, to where it said they were).
 * Errors are kept and returned once by end; the transaction keeps running.
 *
 * Page protection (protect.c) follows each transaction: set_range marks
 * the declared pages, write faults snapshot them, end checks (strict) or
 * diffs (auto) them, abort restores auto pages, and once the transaction
 * is over its pages are write-protected again.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/xarray.h>

#include "decl.h"
#include "dev.h"
#include "dseg.h"
#include "log.h"
#include "params.h"
#include "protect.h"
#include "rangeset.h"
#include "region.h"
#include "txn.h"
#include "volume.h"

/**
 * struct rvm_txn - a running transaction
 * @kref: references: the file's table, and each operation in progress
 * @lock: serialises operations on the transaction
 * @id: its id in the file's table
 * @flags: RVM_TXN_RESTORE or RVM_TXN_NO_RESTORE
 * @dead: ended or aborted; operations that waited for @lock give up
 * @set: declared ranges, coalesced; with their old bytes in restore mode
 * @raw: declared ranges as declared, in order
 * @nraw: their number
 * @raw_cap: room in @raw
 * @declared: sum of the declared lengths
 * @decl_pos: the next entry of its declaration slot to read
 * @decl_err: the first error of a slot entry, for end to return
 * @prot: page protection state (with the slot's index, @prot.decl)
 */
struct rvm_txn {
	struct kref kref;
	struct mutex lock; /* serialises operations on the transaction */
	u32 id;
	u32 flags;
	bool dead;
	struct rvm_rangeset set;
	struct rvm_range_src *raw;
	u32 nraw;
	u32 raw_cap;
	u64 declared;
	u32 decl_pos;
	int decl_err;
	struct rvm_ptxn prot;
};

static void rvm_txn_release(struct kref *kref)
{
	struct rvm_txn *txn = container_of(kref, struct rvm_txn, kref);

	rvm_rs_free(&txn->set);
	kvfree(txn->raw);
	kfree(txn);
}

static void rvm_txn_put(struct rvm_txn *txn)
{
	kref_put(&txn->kref, rvm_txn_release);
}

static struct rvm_txn *rvm_txn_get(struct rvm_file *rf, u64 tid)
{
	struct rvm_txn *txn;

	if (tid == 0 || tid > U32_MAX)
		return NULL;
	xa_lock(&rf->txns);
	txn = xa_load(&rf->txns, tid);
	if (txn)
		kref_get(&txn->kref);
	xa_unlock(&rf->txns);
	return txn;
}

/* Lock a transaction for an operation; NULL if it is gone. */
static struct rvm_txn *rvm_txn_lock(struct rvm_file *rf, u64 tid)
{
	struct rvm_txn *txn = rvm_txn_get(rf, tid);

	if (!txn)
		return NULL;
	mutex_lock(&txn->lock);
	if (txn->dead) {
		mutex_unlock(&txn->lock);
		rvm_txn_put(txn);
		return NULL;
	}
	return txn;
}

static void rvm_txn_unlock(struct rvm_txn *txn)
{
	mutex_unlock(&txn->lock);
	rvm_txn_put(txn);
}

/* Take a locked transaction out of the file's table: it ends here. */
static void rvm_txn_retire(struct rvm_file *rf, struct rvm_txn *txn)
{
	struct rvm_volume *vol = rf->vol;
	int slot = txn->prot.decl;

	txn->dead = true;
	atomic_dec(&rf->ntxns);
	atomic64_sub(txn->declared, &rf->declared);
	if (slot >= 0) {
		spin_lock(&vol->prot.lock);
		txn->prot.decl = -1;
		spin_unlock(&vol->prot.lock);
		rvm_decl_put(rf, slot);
	}
	if (xa_erase(&rf->txns, txn->id) == txn)
		rvm_txn_put(txn);
}

/**
 * rvm_txn_begin() - begin a transaction
 * @rf: the file
 * @flags: RVM_TXN_RESTORE or RVM_TXN_NO_RESTORE, and RVM_TXN_DECL
 * @tid: set to the new transaction's id
 * @slot: set to its declaration slot, or RVM_DECL_NO_SLOT
 *
 * Ids are allocated cyclically from a cursor kept in the file, so an id
 * comes back only after 2^32 - 1 other transactions of the file: an END or
 * ABORT naming a transaction that is over gets -EINVAL instead of acting
 * on a newer one.
 *
 * Return: 0, -EINVAL, -ENXIO (not bound), -EROFS (volume failed), -ENOMEM,
 * -EBUSY (no free id), -EMFILE (rvm_param_max_txns transactions run on
 * the file).
 */
int rvm_txn_begin(struct rvm_file *rf, u32 flags, u64 *tid, u32 *slot)
{
	static const struct xa_limit limit = XA_LIMIT(1, U32_MAX);
	struct rvm_volume *vol = READ_ONCE(rf->vol);
	bool want_slot = flags & RVM_TXN_DECL;
	struct rvm_txn *txn;
	int ret;

	flags &= ~RVM_TXN_DECL;
	*slot = RVM_DECL_NO_SLOT;
	if (flags != RVM_TXN_RESTORE && flags != RVM_TXN_NO_RESTORE)
		return -EINVAL;
	if (!vol)
		return -ENXIO;
	if (READ_ONCE(vol->failed))
		return -EROFS;
	if (atomic_inc_return(&rf->ntxns) > READ_ONCE(rvm_param_max_txns)) {
		atomic_dec(&rf->ntxns);
		return -EMFILE;
	}
	/* Charged to the caller's memory cgroup, as all it makes us hold. */
	txn = kzalloc(sizeof(*txn), GFP_KERNEL_ACCOUNT);
	if (!txn) {
		atomic_dec(&rf->ntxns);
		return -ENOMEM;
	}
	kref_init(&txn->kref);
	mutex_init(&txn->lock);
	txn->flags = flags;
	rvm_rs_init(&txn->set, flags == RVM_TXN_RESTORE);
	rvm_prot_txn_begin(vol, &txn->prot, rf);
	/* Locked before it can be found, until its slot is set. */
	mutex_lock(&txn->lock);
	/* The cursor is updated under the xarray's lock. */
	ret = xa_alloc_cyclic(&rf->txns, &txn->id, txn, limit, &rf->txn_next,
			      GFP_KERNEL_ACCOUNT);
	if (ret < 0) {
		mutex_unlock(&txn->lock);
		rvm_prot_txn_end(vol, &txn->prot);
		kfree(txn);
		atomic_dec(&rf->ntxns);
		return ret == -EBUSY ? -EBUSY : ret;
	}
	if (want_slot) {
		int n = rvm_decl_get(rf, txn->id, flags);

		if (n >= 0) {
			spin_lock(&vol->prot.lock);
			txn->prot.decl = n;
			spin_unlock(&vol->prot.lock);
			*slot = n;
		}
	}
	mutex_unlock(&txn->lock);
	*tid = txn->id;
	return 0;
}

/*
 * What declaring a range needs; @ent and @old only for a slot entry: the
 * entry, and its old bytes (restore mode) or NULL; @done counts the bytes
 * of it declared so far.
 */
struct rvm_txn_piece {
	struct rvm_volume *vol;
	struct rvm_txn *txn;
	u64 cap;
	const struct rvm_decl_entry *ent;
	const u8 *old;
	u32 idx;
	u64 done;
};

/*
 * Old bytes: from the transaction's snapshot of a page it already wrote,
 * else those a slot entry carries, else the page's.
 */
static int rvm_txn_fill_old(void *arg, u64 off, void *dst, u64 len)
{
	struct rvm_txn_piece *p = arg;
	const u8 *alt = p->old ? p->old + (off - p->ent->off) : NULL;

	return rvm_prot_read_old(p->vol, &p->txn->prot, off, dst, len, alt,
				 p->idx);
}

/*
 * Declare one piece [off, off + len) of the data segment, mapped in
 * protection mode @mode.
 */
static int rvm_txn_add_piece(void *arg, u64 off, u64 len, u32 mode)
{
	struct rvm_txn_piece *p = arg;
	struct rvm_txn *txn = p->txn;
	struct rvm_file *rf = txn->prot.rf;
	u64 limit = (u64)READ_ONCE(rvm_param_max_declared_mb) << 20;
	int ret;

	/* A slot entry's pieces must be where it says they are. */
	if (p->ent && off != p->ent->off + p->done)
		return -EINVAL;
	/* The record, even uncoalesced, must fit in the log. */
	if (rvm_rec_len(txn->nraw + 1, txn->declared + len) > p->cap)
		return -E2BIG;
	/*
	 * What the file's transactions declared is bounded (saved bytes,
	 * entries): checked here under the transaction's lock only, so that
	 * concurrent declarations may overshoot by one range each.
	 */
	if (atomic64_read(&rf->declared) + len > limit)
		return -ENOSPC;
	if (txn->nraw == txn->raw_cap) {
		u32 cap = txn->raw_cap ? txn->raw_cap * 2 : 8;
		struct rvm_range_src *raw;

		raw = kvmalloc_array(cap, sizeof(*raw), GFP_KERNEL_ACCOUNT);
		if (!raw)
			return -ENOMEM;
		if (txn->nraw)
			memcpy(raw, txn->raw, txn->nraw * sizeof(*raw));
		kvfree(txn->raw);
		txn->raw = raw;
		txn->raw_cap = cap;
	}
	ret = rvm_rs_add(&txn->set, off, len, false, NULL, rvm_txn_fill_old, p);
	if (ret)
		return ret;
	txn->raw[txn->nraw].offset = off;
	txn->raw[txn->nraw].len = len;
	txn->raw[txn->nraw].data = NULL;
	txn->nraw++;
	txn->declared += len;
	atomic64_add(len, &rf->declared);
	p->done += len;
	/* In the set first: a byte marked declared is always logged. */
	if (mode == RVM_PROT_OFF)
		return 0;
	return rvm_prot_declare(p->vol, &txn->prot, off, len);
}

static bool rvm_txn_range_ok(u64 addr, u64 len)
{
	return len && len <= RVM_MAX_RANGE && addr + len >= addr;
}

/*
 * Declare one slot entry @e of a locked transaction: translated through
 * the caller's mappings, or (@mm false: no address space, at close) taken
 * at the offset it claims.
 */
static int rvm_txn_declare_entry(struct rvm_file *rf, struct rvm_txn *txn,
				 const struct rvm_decl_entry *e, bool mm)
{
	struct rvm_volume *vol = rf->vol;
	struct rvm_txn_piece p = {
		.vol = vol,
		.txn = txn,
		.cap = rvm_log_capacity(vol),
		.ent = e,
		/* rvm_decl_next() moved past the entry. */
		.idx = txn->decl_pos - 1,
	};

	if (!rvm_txn_range_ok(e->addr, e->len))
		return -EINVAL;
	if (txn->flags == RVM_TXN_RESTORE) {
		p.old = rvm_decl_data(rf, txn->prot.decl, e);
		if (!p.old)
			return -EINVAL;
	}
	if (mm)
		return rvm_region_translate(rf, e->addr, e->len,
					    rvm_txn_add_piece, &p);
	if (rvm_dseg_check(vol, e->off, e->len))
		return -ERANGE;
	return rvm_txn_add_piece(&p, e->off, e->len, RVM_PROT_OFF);
}

/*
 * Declare what the process published in a locked transaction's slot
 * since the last time; keep the first error for end.
 */
static void rvm_txn_drain(struct rvm_file *rf, struct rvm_txn *txn, bool mm)
{
	struct rvm_decl_entry e;
	int ret;

	if (txn->prot.decl < 0)
		return;
	while (rvm_decl_next(rf, txn->prot.decl, &txn->decl_pos, &e)) {
		atomic64_inc(&rf->vol->stats.decl_ranges);
		ret = rvm_txn_declare_entry(rf, txn, &e, mm);
		if (ret && !txn->decl_err)
			txn->decl_err = ret;
		cond_resched();
	}
}

/**
 * rvm_txn_set_range() - declare a range a transaction will change
 * @rf: the file
 * @tid: the transaction
 * @addr: user address of the range's first byte
 * @len: its length, 1..RVM_MAX_RANGE
 *
 * Return: 0, -EINVAL (bad length or no such transaction), -ENXIO, -ERANGE
 * (not entirely in this volume's mappings), -E2BIG (would not fit in the
 * log), -ENOMEM, -EIO (a page could not be read).
 */
int rvm_txn_set_range(struct rvm_file *rf, u64 tid, u64 addr, u64 len)
{
	struct rvm_volume *vol = READ_ONCE(rf->vol);
	struct rvm_txn_piece p = { 0 };
	struct rvm_txn *txn;
	int ret;

	if (!vol)
		return -ENXIO;
	if (!rvm_txn_range_ok(addr, len))
		return -EINVAL;
	atomic64_inc(&vol->stats.set_range_calls);
	txn = rvm_txn_lock(rf, tid);
	if (!txn)
		return -EINVAL;
	/* What the slot declared came first. */
	rvm_txn_drain(rf, txn, true);
	p.vol = vol;
	p.txn = txn;
	p.cap = rvm_log_capacity(vol);
	ret = rvm_region_translate(rf, addr, len, rvm_txn_add_piece, &p);
	rvm_txn_unlock(txn);
	return ret;
}

/*
 * Build the redo record of a locked, sealed transaction: its declared
 * ranges, then the bytes auto mode found changed.
 */
static int rvm_txn_build(struct rvm_volume *vol, struct rvm_txn *txn, u32 flags,
			 struct rvm_rec **recp)
{
	bool coalesce = flags & RVM_END_COALESCE_RANGES;
	u32 nd = coalesce ? txn->set.n : txn->nraw;
	struct rvm_range_src *autor;
	u64 auto_bytes, pos = 0;
	struct rvm_rec *rec;
	u32 i, n, na;
	int ret;

	ret = rvm_prot_auto_ranges(vol, &txn->prot, &autor, &na, &auto_bytes);
	if (ret)
		return ret;
	ret = -ENOMEM;
	n = nd + na;
	rec = kzalloc(sizeof(*rec), GFP_KERNEL_ACCOUNT);
	if (!rec)
		goto out;
	init_completion(&rec->done);
	rec->flags = flags;
	rec->declared = txn->declared;
	rec->data_len =
		(coalesce ? txn->set.bytes : txn->declared) + auto_bytes;
	if (rvm_rec_len(n, rec->data_len) > rvm_log_capacity(vol)) {
		ret = -E2BIG;
		goto err;
	}
	if (n) {
		rec->ranges = kvmalloc_array(n, sizeof(*rec->ranges),
					     GFP_KERNEL_ACCOUNT);
		rec->data = kvmalloc(rec->data_len, GFP_KERNEL_ACCOUNT);
		if (!rec->ranges || !rec->data)
			goto err;
	}
	for (i = 0; i < n; i++) {
		u64 off, len;

		if (i >= nd) {
			off = autor[i - nd].offset;
			len = autor[i - nd].len;
		} else {
			off = coalesce ? txn->set.v[i].off : txn->raw[i].offset;
			len = coalesce ? txn->set.v[i].len : txn->raw[i].len;
		}
		rec->ranges[i].offset = off;
		rec->ranges[i].len = len;
		rec->ranges[i].data = rec->data + pos;
		ret = rvm_region_read(vol, off, rec->data + pos, len);
		if (ret)
			goto err;
		pos += len;
	}
	rec->nranges = n;
	atomic64_add(auto_bytes, &vol->stats.auto_bytes);
	*recp = rec;
	ret = 0;
	goto out;
err:
	rvm_rec_free(rec);
out:
	kvfree(autor);
	return ret;
}

/**
 * rvm_txn_end() - commit a transaction
 * @rf: the file
 * @tid: the transaction
 * @flags: RVM_END_FLUSH or RVM_END_NO_FLUSH, and RVM_END_COALESCE_*
 * @seq: set to the commit's number in the volume's commit order, or NULL
 * @ucmd: an io_uring command (uring.c) to complete when the commit is
 *	durable (flush) or spooled (no_flush), instead of waiting; or NULL
 *
 * On -EINVAL, -E2BIG, -ENOMEM, and -EIO from reading a page while the
 * record is built, the transaction keeps running (it can be aborted); on
 * -EIO from the log write and on -EROFS it is over and not committed (the
 * volume failed: detach and attach again to recover the committed state).
 *
 * Return: 0 or a negative errno; with @ucmd, -EIOCBQUEUED when the log
 * completes @ucmd later (see rvm_log_commit()).
 */
int rvm_txn_end(struct rvm_file *rf, u64 tid, u32 flags, u64 *seq,
		struct io_uring_cmd *ucmd)
{
	const u32 known = RVM_END_FLUSH | RVM_END_NO_FLUSH |
			  RVM_END_COALESCE_RANGES | RVM_END_COALESCE_TRANS;
	struct rvm_volume *vol = READ_ONCE(rf->vol);
	u32 mode = flags & (RVM_END_FLUSH | RVM_END_NO_FLUSH);
	struct rvm_seg_pin *pin;
	struct rvm_rec *rec;
	u64 commit = 0;
	struct rvm_txn *txn;
	int cookie, ret;

	if ((flags & ~known) ||
	    (mode != RVM_END_FLUSH && mode != RVM_END_NO_FLUSH))
		return -EINVAL;
	if (!vol)
		return -ENXIO;
	txn = rvm_txn_lock(rf, tid);
	if (!txn)
		return -EINVAL;
	rvm_txn_drain(rf, txn, true);
	ret = txn->decl_err;
	txn->decl_err = 0;
	if (ret) {
		rvm_txn_unlock(txn);
		return ret;
	}
	/*
	 * Sealed and write-protected before the compare: a write after it
	 * faults (and is refused), so none slips in between the compare and
	 * the end. If the commit fails, the transaction goes on and its
	 * pages fault back in.
	 */
	rvm_prot_seal(vol, &txn->prot, true);
	ret = rvm_prot_check(vol, &txn->prot);
	if (ret) {
		rvm_prot_seal(vol, &txn->prot, false);
		rvm_txn_unlock(txn);
		return ret;
	}
	/*
	 * From reading the ranges to queueing the record that names their
	 * segments: a segment's removal waits (dseg.c), so the record is
	 * in the log before the truncation that removal begins with.
	 */
	cookie = rvm_dseg_use_begin(vol);
	ret = rvm_txn_build(vol, txn, flags, &rec);
	if (!ret) {
		/* Its pages stay in memory until the log has the record. */
		pin = rvm_region_commit_start(vol, rec);
		if (IS_ERR(pin)) {
			ret = PTR_ERR(pin);
			rvm_rec_free(rec);
		}
	}
	if (ret) {
		rvm_dseg_use_end(vol, cookie);
		rvm_prot_seal(vol, &txn->prot, false);
		rvm_txn_unlock(txn);
		return ret;
	}
	rec->tid = txn->id;
	if (flags & RVM_END_COALESCE_RANGES)
		atomic64_add(rvm_rec_len(txn->nraw, txn->declared) -
				     rvm_rec_len(txn->set.n, txn->set.bytes),
			     &vol->stats.bytes_coalesced);
	rvm_txn_retire(rf, txn);
	rvm_prot_txn_end(vol, &txn->prot);
	rvm_txn_unlock(txn);

	ret = rvm_log_commit(vol, rec, &commit, ucmd);
	rvm_dseg_use_end(vol, cookie);
	rvm_region_commit_done(vol, pin, commit, ret,
			       mode == RVM_END_FLUSH && !ucmd);
	if (seq && commit)
		*seq = commit;
	return ret;
}

/*
 * Put back a restore-mode transaction's old bytes: declared ranges from
 * its set, pages joined in auto mode from their snapshots.
 */
static void rvm_txn_restore(struct rvm_volume *vol, struct rvm_txn *txn)
{
	u32 i;

	rvm_prot_seal(vol, &txn->prot, true);
	for (i = 0; i < txn->set.n; i++)
		rvm_region_write(vol, txn->set.v[i].off, txn->set.v[i].buf,
				 txn->set.v[i].len);
	rvm_prot_restore(vol, &txn->prot);
}

/**
 * rvm_txn_abort() - abort a restore-mode transaction
 * @rf: the file
 * @tid: the transaction
 *
 * Return: 0, -EINVAL (no such transaction), -ENXIO, -EPERM (no_restore
 * mode: the transaction keeps running).
 */
int rvm_txn_abort(struct rvm_file *rf, u64 tid)
{
	struct rvm_volume *vol = READ_ONCE(rf->vol);
	struct rvm_txn *txn;

	if (!vol)
		return -ENXIO;
	txn = rvm_txn_lock(rf, tid);
	if (!txn)
		return -EINVAL;
	if (txn->flags != RVM_TXN_RESTORE) {
		rvm_txn_unlock(txn);
		return -EPERM;
	}
	rvm_txn_drain(rf, txn, true);
	rvm_txn_restore(vol, txn);
	rvm_txn_retire(rf, txn);
	rvm_prot_txn_end(vol, &txn->prot);
	rvm_txn_unlock(txn);
	atomic64_inc(&vol->stats.aborts);
	return 0;
}

/*
 * End a locked transaction without committing it: a restore-mode one gets
 * its old bytes back; a no_restore one leaves its changes in memory,
 * uncommitted. @mm: the caller's mappings may translate slot entries.
 */
static void rvm_txn_discard(struct rvm_file *rf, struct rvm_txn *txn, bool mm)
{
	if (txn->flags == RVM_TXN_RESTORE) {
		rvm_txn_drain(rf, txn, mm);
		rvm_txn_restore(rf->vol, txn);
		atomic64_inc(&rf->vol->stats.aborts);
	} else {
		rvm_prot_seal(rf->vol, &txn->prot, true);
	}
	rvm_txn_retire(rf, txn);
	rvm_prot_txn_end(rf->vol, &txn->prot);
}

/**
 * rvm_txn_cancel() - undo a BEGIN whose answer could not be copied out
 * @rf: the file
 * @tid: the transaction just begun
 *
 * Unlike rvm_txn_abort(), a no_restore transaction ends too: the process
 * never learnt its id, so nothing else would ever end it (and its slot).
 */
void rvm_txn_cancel(struct rvm_file *rf, u64 tid)
{
	struct rvm_txn *txn = rvm_txn_lock(rf, tid);

	if (!txn)
		return;
	rvm_txn_discard(rf, txn, true);
	rvm_txn_unlock(txn);
}

/* The next transaction at or after *@id, with a reference; NULL at the end. */
static struct rvm_txn *rvm_txn_next(struct rvm_file *rf, unsigned long *id)
{
	struct rvm_txn *txn;

	xa_lock(&rf->txns);
	txn = xa_find(&rf->txns, id, ULONG_MAX, XA_PRESENT);
	if (txn)
		kref_get(&txn->kref);
	xa_unlock(&rf->txns);
	return txn;
}

/**
 * rvm_txn_release_all() - the file is closing: abort what still runs
 * @rf: the file
 *
 * Restore-mode transactions get their old bytes back; no_restore ones
 * leave their changes in memory, uncommitted, as the classic library did.
 */
void rvm_txn_release_all(struct rvm_file *rf)
{
	unsigned long id = 0;
	struct rvm_txn *txn;

	while ((txn = rvm_txn_next(rf, &id)) != NULL) {
		mutex_lock(&txn->lock);
		if (!txn->dead)
			rvm_txn_discard(rf, txn, false);
		rvm_txn_unlock(txn);
		id++;
	}
	xa_destroy(&rf->txns);
}

/**
 * rvm_txn_busy_range() - has a running transaction declared bytes here?
 * @rf: the file
 * @off: first byte, in the data segment
 * @len: number of bytes
 *
 * Return: true if a running transaction of @rf declared a byte of
 * [@off, @off + @len).
 */
static bool rvm_txn_busy_range(struct rvm_file *rf, u64 off, u64 len)
{
	unsigned long id = 0;
	struct rvm_txn *txn;
	bool busy = false;

	while (!busy && (txn = rvm_txn_next(rf, &id)) != NULL) {
		mutex_lock(&txn->lock);
		/* Slot claims count only for the process that wrote them. */
		busy = !txn->dead &&
		       (rvm_rs_overlaps(&txn->set, off, len) ||
			(txn->prot.decl >= 0 &&
			 txn->prot.tgid == task_tgid(current) &&
			 rvm_decl_overlaps(rf, txn->prot.decl, off, len)));
		rvm_txn_unlock(txn);
		id++;
	}
	return busy;
}

/* rvm_region_walk()'s function for rvm_txn_unmap(): @arg is the file. */
static int rvm_txn_unmap_piece(void *arg, u64 off, u64 len)
{
	return rvm_txn_busy_range(arg, off, len) ? -EBUSY : 0;
}

/**
 * rvm_txn_unmap() - unmap mappings of the bound volume (RVM_IOC_UNMAP)
 * @rf: the file, bound to a volume
 * @addr: start of the range, page aligned
 * @len: its length, rounded up to whole pages
 *
 * Every page of the range must lie in a mapping of @rf's volume (through
 * any file bound to it); mappings partly inside the range are split. The
 * check against running transactions is made without mmap_lock held (its
 * mutexes must not nest inside mmap_lock), so a thread of the same process
 * that remaps the range or declares a range in it meanwhile races with the
 * unmap, as it would with a plain munmap().
 *
 * Context: process context; takes the current process's mmap_lock.
 * Return: 0; -EINVAL if @addr is not page aligned, @len is 0, or part of
 * the range is not mapped from the volume; -EBUSY if a running transaction
 * of @rf has declared a range in it; -EINTR on a fatal signal; -ENOMEM.
 */
int rvm_txn_unmap(struct rvm_file *rf, u64 addr, u64 len)
{
	int err;

	if (!len || offset_in_page(addr) || len > U64_MAX - (PAGE_SIZE - 1))
		return -EINVAL;
	len = round_up(len, PAGE_SIZE);
	if (addr + len < addr)
		return -EINVAL;

	err = rvm_region_walk(rf->vol, addr, len, rvm_txn_unmap_piece, rf);
	if (err)
		return err;

	return vm_munmap(addr, len);
}
