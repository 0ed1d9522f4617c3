// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librvm: classic transactions: rvm_begin_transaction(), rvm_set_range(),
 * rvm_modify_bytes(), rvm_abort_transaction(), rvm_end_transaction(),
 * rvm_chk_range(). See classic.c for the design.
 *
 * A running transaction is a struct lrvm_txn on lrvm.txns, pointed to by
 * tid->tid. Calls find it under lrvm.lock and take a reference, then make
 * their ioctl without the lock. End and abort mark it "ending" first, so
 * that other calls on the same tid meanwhile get RVM_ETID, and take it
 * off the list when the kernel says the transaction is over.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "classic_impl.h"

/* Find the running transaction @tid names and take a reference. */
static struct lrvm_txn *lrvm_txn_get(const rvm_tid_t *tid)
{
	struct lrvm_txn *t;

	pthread_mutex_lock(&lrvm.lock);
	for (t = lrvm.txns; t; t = t->next)
		if (t == tid->tid && !t->ending &&
		    t->uname.tv_sec == tid->uname.tv_sec &&
		    t->uname.tv_usec == tid->uname.tv_usec)
			break;
	if (t)
		t->refs++;
	pthread_mutex_unlock(&lrvm.lock);
	return t;
}

static void lrvm_txn_free(struct lrvm_txn *t)
{
	free(t->r);
	free(t);
}

/* Drop a reference. Caller holds lrvm.lock. */
static void lrvm_txn_put_locked(struct lrvm_txn *t)
{
	if (!--t->refs && t->dead)
		lrvm_txn_free(t);
}

static void lrvm_txn_put(struct lrvm_txn *t)
{
	pthread_mutex_lock(&lrvm.lock);
	lrvm_txn_put_locked(t);
	pthread_mutex_unlock(&lrvm.lock);
}

/* Take @t off the list: it is over. Caller holds lrvm.lock. */
static void lrvm_txn_unlink(struct lrvm_txn *t)
{
	struct lrvm_txn **pp;

	for (pp = &lrvm.txns; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			lrvm.ntxns--;
			break;
		}
	}
	t->dead = true;
}

/**
 * lrvm_txn_in_range() - has a transaction declared bytes in [start, end)?
 * @t: the transaction
 * @start: first byte
 * @end: byte after the last
 *
 * Caller holds lrvm.lock.
 *
 * Return: true or false.
 */
bool lrvm_txn_in_range(const struct lrvm_txn *t, uintptr_t start,
		       uintptr_t end)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++)
		if (t->r[i].start < end && start < t->r[i].end)
			return true;
	return false;
}

/*
 * Add [start, end) to the sorted, merged declared ranges of @t. Caller
 * holds lrvm.lock.
 */
static int lrvm_txn_add(struct lrvm_txn *t, uintptr_t start, uintptr_t end)
{
	unsigned int i, j;

	/* i: first range that ends at or after start (touching merges) */
	for (i = 0; i < t->nr && t->r[i].end < start; i++)
		;
	/* j: first range that starts after end */
	for (j = i; j < t->nr && t->r[j].start <= end; j++)
		;
	if (i < j) {
		/* merge r[i..j) with the new range into r[i] */
		if (t->r[i].start < start)
			start = t->r[i].start;
		if (t->r[j - 1].end > end)
			end = t->r[j - 1].end;
		t->r[i].start = start;
		t->r[i].end = end;
		memmove(&t->r[i + 1], &t->r[j], (t->nr - j) * sizeof(*t->r));
		t->nr -= j - i - 1;
		return 0;
	}
	if (t->nr == t->cap) {
		unsigned int cap = t->cap ? 2 * t->cap : 8;
		struct lrvm_range *r = realloc(t->r, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		t->r = r;
		t->cap = cap;
	}
	memmove(&t->r[i + 1], &t->r[i], (t->nr - i) * sizeof(*t->r));
	t->r[i].start = start;
	t->r[i].end = end;
	t->nr++;
	return 0;
}

/* Is [start, end) entirely inside regions mapped by rvm_map()? */
static bool lrvm_mapped(uintptr_t start, uintptr_t end)
{
	struct lrvm_map *m;

	while (start < end) {
		for (m = lrvm.maps; m; m = m->next)
			if (start >= m->addr && start < m->addr + m->len)
				break;
		if (!m)
			return false;
		start = m->addr + m->len;
	}
	return true;
}

/* A unique name: the time, made strictly increasing. */
static struct timeval lrvm_uname(void)
{
	struct timeval tv, *last = &lrvm.last_uname;

	gettimeofday(&tv, NULL);
	if (tv.tv_sec < last->tv_sec ||
	    (tv.tv_sec == last->tv_sec && tv.tv_usec <= last->tv_usec)) {
		tv = *last;
		if (++tv.tv_usec >= 1000000) {
			tv.tv_usec = 0;
			tv.tv_sec++;
		}
	}
	*last = tv;
	return tv;
}

rvm_return_t rvm_begin_transaction(rvm_tid_t *tid, rvm_mode_t mode)
{
	struct lrvm_txn *t, *cur;
	rvm_return_t ret;
	uint64_t ktid;
	int err;

	ret = lrvm_check_running();
	if (!ret)
		ret = rvm_classic_check_tid(tid);
	if (ret)
		return ret;
	if (mode != restore && mode != no_restore)
		return RVM_EMODE;
	ret = lrvm_use();
	if (ret)
		return ret;
	cur = lrvm_txn_get(tid);
	if (cur) {
		lrvm_txn_put(cur);
		ret = RVM_ETID;
		goto out;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		ret = RVM_ENO_MEMORY;
		goto out;
	}
	err = rvm_txn_begin(lrvm.rvm, mode == restore ? RVM_TXN_RESTORE :
			    RVM_TXN_NO_RESTORE, &ktid);
	if (err) {
		free(t);
		ret = lrvm_errno(err);
		goto out;
	}
	t->ktid = ktid;
	t->mode = mode;
	pthread_mutex_lock(&lrvm.lock);
	t->uname = lrvm_uname();
	t->next = lrvm.txns;
	lrvm.txns = t;
	lrvm.ntxns++;
	pthread_mutex_unlock(&lrvm.lock);
	tid->uname = t->uname;
	tid->tid = t;
out:
	lrvm_unuse();
	return ret;
}

rvm_return_t rvm_set_range(rvm_tid_t *tid, void *dest, rvm_length_t len)
{
	uintptr_t start = (uintptr_t)dest, end = start + len;
	struct lrvm_txn *t;
	rvm_return_t ret;
	int err;

	ret = lrvm_check_running();
	if (!ret)
		ret = rvm_classic_check_tid(tid);
	if (ret)
		return ret;
	ret = lrvm_use();
	if (ret)
		return ret;
	t = lrvm_txn_get(tid);
	if (!t) {
		ret = RVM_ETID;
		goto out;
	}
	if (!len)
		goto out_put;
	if (end < start) {
		ret = RVM_ERANGE;
		goto out_put;
	}
	pthread_mutex_lock(&lrvm.lock);
	if (!lrvm_mapped(start, end))
		ret = RVM_ENOT_MAPPED;
	pthread_mutex_unlock(&lrvm.lock);
	if (ret)
		goto out_put;

	err = rvm_txn_set_range(lrvm.rvm, t->ktid, dest, len);
	switch (-err) {
	case 0:
		break;
	case EINVAL:
		ret = RVM_ETID;
		goto out_put;
	case ERANGE:
		ret = RVM_ENOT_MAPPED;
		goto out_put;
	default:
		ret = lrvm_errno(err);
		goto out_put;
	}
	pthread_mutex_lock(&lrvm.lock);
	if (lrvm_txn_add(t, start, end))
		ret = RVM_ENO_MEMORY;	/* declared, though: still safe */
	pthread_mutex_unlock(&lrvm.lock);
out_put:
	lrvm_txn_put(t);
out:
	lrvm_unuse();
	return ret;
}

rvm_return_t rvm_modify_bytes(rvm_tid_t *tid, void *dest, const void *src,
			      rvm_length_t len)
{
	rvm_return_t ret;

	if (len && (!src || (uintptr_t)src + len < (uintptr_t)src))
		return RVM_ESRC;
	ret = rvm_set_range(tid, dest, len);
	if (ret == RVM_SUCCESS && len)
		memmove(dest, src, len);
	return ret;
}

/*
 * Mark the transaction @tid names as ending. Return: it, with a
 * reference, or NULL (RVM_ETID).
 */
static struct lrvm_txn *lrvm_txn_start_end(const rvm_tid_t *tid)
{
	struct lrvm_txn *t = lrvm_txn_get(tid);

	if (!t)
		return NULL;
	pthread_mutex_lock(&lrvm.lock);
	if (t->ending) {	/* another thread got there between */
		lrvm_txn_put_locked(t);
		t = NULL;
	} else {
		t->ending = true;
	}
	pthread_mutex_unlock(&lrvm.lock);
	return t;
}

/* The kernel said: over (@over), or still running. Drops the reference. */
static void lrvm_txn_finish_end(struct lrvm_txn *t, bool over)
{
	pthread_mutex_lock(&lrvm.lock);
	t->ending = false;
	if (over)
		lrvm_txn_unlink(t);
	lrvm_txn_put_locked(t);
	pthread_mutex_unlock(&lrvm.lock);
}

rvm_return_t rvm_abort_transaction(rvm_tid_t *tid)
{
	struct lrvm_txn *t;
	rvm_return_t ret;
	int err;

	ret = lrvm_check_running();
	if (!ret)
		ret = rvm_classic_check_tid(tid);
	if (ret)
		return ret;
	ret = lrvm_use();
	if (ret)
		return ret;
	t = lrvm_txn_start_end(tid);
	if (!t) {
		ret = RVM_ETID;
		goto out;
	}
	if (t->mode != restore) {
		lrvm_txn_finish_end(t, false);
		ret = RVM_EMODE;
		goto out;
	}
	err = rvm_txn_abort(lrvm.rvm, t->ktid);
	switch (-err) {
	case 0:
		ret = RVM_SUCCESS;
		break;
	case EPERM:
		ret = RVM_EMODE;
		break;
	case EINVAL:
		ret = RVM_ETID;
		break;
	default:
		ret = lrvm_errno(err);
		break;
	}
	/* EINVAL: the kernel does not know it: over too. */
	lrvm_txn_finish_end(t, !err || err == -EINVAL);
	if (!err) {
		pthread_mutex_lock(&lrvm.lock);
		lrvm.n_abort++;
		pthread_mutex_unlock(&lrvm.lock);
	}
out:
	lrvm_unuse();
	return ret;
}

rvm_return_t rvm_end_transaction(rvm_tid_t *tid, rvm_mode_t mode)
{
	struct lrvm_txn *t;
	rvm_return_t ret;
	rvm_length_t opt;
	int flags, err;
	bool over;

	ret = lrvm_check_running();
	if (!ret)
		ret = rvm_classic_check_tid(tid);
	if (ret)
		return ret;
	if (mode != flush && mode != no_flush)
		return RVM_EMODE;
	ret = lrvm_use();
	if (ret)
		return ret;
	t = lrvm_txn_start_end(tid);
	if (!t) {
		ret = RVM_ETID;
		goto out;
	}
	pthread_mutex_lock(&lrvm.lock);
	opt = lrvm.flags;
	pthread_mutex_unlock(&lrvm.lock);
	flags = mode == flush ? RVM_END_FLUSH : RVM_END_NO_FLUSH;
	if (opt & RVM_COALESCE_RANGES)
		flags |= RVM_END_COALESCE_RANGES;
	if (opt & RVM_COALESCE_TRANS)
		flags |= RVM_END_COALESCE_TRANS;

	/* The commit, without lrvm.lock: threads commit concurrently. */
	err = rvm_txn_end(lrvm.rvm, t->ktid, flags, NULL);
	switch (-err) {
	case 0:
		ret = RVM_SUCCESS;
		over = true;
		break;
	case E2BIG:		/* still running: abort it, or end it */
	case ENOMEM:
	case EINTR:
	case EPROTO:		/* strict mode: undeclared bytes changed */
		ret = lrvm_errno(err);
		over = false;
		break;
	case ERANGE:		/* a range from the slot was refused */
		ret = RVM_ENOT_MAPPED;
		over = false;
		break;
	case EINVAL:		/* the kernel does not know it */
		ret = RVM_ETID;
		over = true;
		break;
	default:		/* EIO, EROFS: over, not committed */
		ret = lrvm_errno(err);
		over = true;
		break;
	}
	lrvm_txn_finish_end(t, over);
	if (!err) {
		pthread_mutex_lock(&lrvm.lock);
		if (mode == flush) {
			lrvm.n_flush_commit++;
		} else {
			lrvm.n_no_flush_commit++;
			lrvm.n_no_flush++;
		}
		pthread_mutex_unlock(&lrvm.lock);
	}
out:
	lrvm_unuse();
	return ret;
}

rvm_return_t rvm_chk_range(rvm_tid_t *tid, void *addr, rvm_length_t len)
{
	uintptr_t start = (uintptr_t)addr, end = start + len;
	struct lrvm_txn *t;
	rvm_return_t ret;
	unsigned int i;

	ret = lrvm_check_running();
	if (!ret)
		ret = rvm_classic_check_tid(tid);
	if (ret)
		return ret;
	pthread_rwlock_rdlock(&lrvm.life);
	if (lrvm.phase != LRVM_RUNNING) {
		pthread_rwlock_unlock(&lrvm.life);
		return RVM_EINIT;
	}
	t = lrvm_txn_get(tid);
	if (!t) {
		ret = RVM_ETID;
		goto out;
	}
	if (len) {
		ret = RVM_ERANGE;
		pthread_mutex_lock(&lrvm.lock);
		/* The ranges are merged: one must hold it all. */
		for (i = 0; end > start && i < t->nr; i++)
			if (t->r[i].start <= start && end <= t->r[i].end)
				ret = RVM_SUCCESS;
		pthread_mutex_unlock(&lrvm.lock);
	}
	lrvm_txn_put(t);
out:
	pthread_rwlock_unlock(&lrvm.life);
	return ret;
}
