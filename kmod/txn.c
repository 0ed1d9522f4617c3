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
 * Page protection (protect.c) follows each transaction: set_range marks
 * the declared pages, write faults snapshot them, end checks (strict) or
 * diffs (auto) them, abort restores auto pages, and once the transaction
 * is over its pages are write-protected again.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/xarray.h>

#include "rvm.h"

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
 * @prot: page protection state
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
	txn->dead = true;
	if (xa_erase(&rf->txns, txn->id) == txn)
		rvm_txn_put(txn);
}

/**
 * rvm_txn_begin() - begin a transaction
 * @rf: the file
 * @flags: RVM_TXN_RESTORE or RVM_TXN_NO_RESTORE
 * @tid: set to the new transaction's id
 *
 * Return: 0, -EINVAL, -ENXIO (not bound), -EROFS (volume failed), -ENOMEM,
 * -EBUSY (no free id).
 */
int rvm_txn_begin(struct rvm_file *rf, u32 flags, u64 *tid)
{
	static const struct xa_limit limit = XA_LIMIT(1, U32_MAX);
	struct rvm_volume *vol = READ_ONCE(rf->vol);
	struct rvm_txn *txn;
	u32 next = 0;
	int ret;

	if (flags != RVM_TXN_RESTORE && flags != RVM_TXN_NO_RESTORE)
		return -EINVAL;
	if (!vol)
		return -ENXIO;
	if (READ_ONCE(vol->failed))
		return -EROFS;
	txn = kzalloc(sizeof(*txn), GFP_KERNEL);
	if (!txn)
		return -ENOMEM;
	kref_init(&txn->kref);
	mutex_init(&txn->lock);
	txn->flags = flags;
	rvm_rs_init(&txn->set, flags == RVM_TXN_RESTORE);
	rvm_prot_txn_begin(vol, &txn->prot, rf);
	ret = xa_alloc_cyclic(&rf->txns, &txn->id, txn, limit, &next,
			      GFP_KERNEL);
	if (ret < 0) {
		rvm_prot_txn_end(vol, &txn->prot);
		kfree(txn);
		return ret == -EBUSY ? -EBUSY : ret;
	}
	*tid = txn->id;
	return 0;
}

struct rvm_txn_piece {
	struct rvm_volume *vol;
	struct rvm_txn *txn;
	u64 cap;
};

/* Old bytes: from the transaction's snapshot of a page it already wrote. */
static int rvm_txn_fill_old(void *arg, u64 off, void *dst, u64 len)
{
	struct rvm_txn_piece *p = arg;

	return rvm_prot_read_old(p->vol, &p->txn->prot, off, dst, len);
}

/*
 * Declare one piece [off, off + len) of the data segment, mapped in
 * protection mode @mode.
 */
static int rvm_txn_add_piece(void *arg, u64 off, u64 len, u32 mode)
{
	struct rvm_txn_piece *p = arg;
	struct rvm_txn *txn = p->txn;
	int ret;

	/* The record, even uncoalesced, must fit in the log. */
	if (rvm_rec_len(txn->nraw + 1, txn->declared + len) > p->cap)
		return -E2BIG;
	if (txn->nraw == txn->raw_cap) {
		u32 cap = txn->raw_cap ? txn->raw_cap * 2 : 8;
		struct rvm_range_src *raw;

		raw = kvmalloc_array(cap, sizeof(*raw), GFP_KERNEL);
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
	/* In the set first: a byte marked declared is always logged. */
	if (mode == RVM_PROT_OFF)
		return 0;
	return rvm_prot_declare(p->vol, &txn->prot, off, len);
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
	struct rvm_txn_piece p;
	struct rvm_txn *txn;
	int ret;

	if (!vol)
		return -ENXIO;
	if (!len || len > RVM_MAX_RANGE || addr + len < addr)
		return -EINVAL;
	txn = rvm_txn_lock(rf, tid);
	if (!txn)
		return -EINVAL;
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
	rec = kzalloc(sizeof(*rec), GFP_KERNEL);
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
		rec->ranges =
			kvmalloc_array(n, sizeof(*rec->ranges), GFP_KERNEL);
		rec->data = kvmalloc(rec->data_len, GFP_KERNEL);
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
	struct rvm_rec *rec;
	struct rvm_txn *txn;
	int ret;

	if ((flags & ~known) ||
	    (mode != RVM_END_FLUSH && mode != RVM_END_NO_FLUSH))
		return -EINVAL;
	if (!vol)
		return -ENXIO;
	txn = rvm_txn_lock(rf, tid);
	if (!txn)
		return -EINVAL;
	ret = rvm_prot_check(vol, &txn->prot);
	if (ret) {
		rvm_txn_unlock(txn);
		return ret;
	}
	rvm_prot_seal(vol, &txn->prot, true);
	ret = rvm_txn_build(vol, txn, flags, &rec);
	if (ret) {
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

	return rvm_log_commit(vol, rec, seq, ucmd);
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
	rvm_txn_restore(vol, txn);
	rvm_txn_retire(rf, txn);
	rvm_prot_txn_end(vol, &txn->prot);
	rvm_txn_unlock(txn);
	atomic64_inc(&vol->stats.aborts);
	return 0;
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
		if (!txn->dead) {
			if (txn->flags == RVM_TXN_RESTORE) {
				rvm_txn_restore(rf->vol, txn);
				atomic64_inc(&rf->vol->stats.aborts);
			} else {
				rvm_prot_seal(rf->vol, &txn->prot, true);
			}
			rvm_txn_retire(rf, txn);
			rvm_prot_txn_end(rf->vol, &txn->prot);
		}
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
bool rvm_txn_busy_range(struct rvm_file *rf, u64 off, u64 len)
{
	unsigned long id = 0;
	struct rvm_txn *txn;
	bool busy = false;

	while (!busy && (txn = rvm_txn_next(rf, &id)) != NULL) {
		mutex_lock(&txn->lock);
		busy = !txn->dead && rvm_rs_overlaps(&txn->set, off, len);
		rvm_txn_unlock(txn);
		id++;
	}
	return busy;
}
