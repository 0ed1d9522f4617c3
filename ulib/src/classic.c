// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librvm: the classic RVM interface (<rvm/rvm.h>) on the modern one
 * (<rvm/librvm.h>): starting and stopping, options, queries, statistics,
 * flush and truncate. Mapping is in classic_map.c, transactions in
 * classic_txn.c, logs (rvm_create_log(), attaching) in classic_log.c,
 * loop devices in loopdev.c, the segment loader in segment.c.
 *
 * Devices
 * -------
 * A volume (format version 2) is a log and the data segments registered
 * with it: the classic log_dev names the log (a block device or a regular
 * file), and a data_dev of rvm_map() names a data segment, a block device
 * or regular file of its own, as in the original library.
 *
 *  - rvm_create_log(opts, log_len, mode) formats opts->log_dev with a log
 *    area of *log_len bytes (rounded up to 4 KiB blocks, at least 64 KiB)
 *    and, for programs that map the log device itself (data_dev NULL or
 *    log_dev), a segment 0 on it (none if $RVM_DATA_LEN is 0): on a block
 *    device, the rest of the device; on a regular file (created with @mode if missing; truncated
 *    otherwise), LRVM_DEFAULT_DATA_LEN bytes (256 MiB), or $RVM_DATA_LEN
 *    bytes if that is set (a number with an optional K, M or G suffix;
 *    0: no segment 0, a log alone). The file is sparse. A log_dev file
 *    bound to a loop device (in use) is refused (RVM_EIO, errno EBUSY).
 *  - rvm_initialize() / rvm_set_options() with a log_dev attach the volume
 *    if it is not attached yet (RVM_IOC_ATTACH, which needs CAP_SYS_ADMIN
 *    and runs recovery into every segment the log names; "already
 *    attached" is fine), then open a handle bound to it. A regular file is
 *    attached through a loop device (loopdev.c): one already bound to the
 *    same file (same st_dev and st_ino) is reused, so a second process, or
 *    a second run, finds the same attached volume; otherwise a free one is
 *    configured with LO_FLAGS_AUTOCLEAR (it goes away when the volume is
 *    detached). An flock(2) on the file serialises processes doing this
 *    at once.
 *  - rvm_terminate() truncates the log (every data file then holds the
 *    committed bytes) and does not detach: the volume stays attached for
 *    other processes (detach with rvmctl or rvm_vol_detach()).
 *
 * data_dev in rvm_map():
 *
 *  - NULL, "", or the same device or file as log_dev: the region's offset
 *    is a byte offset in segment 0 of a one-device volume.
 *  - anything else is a data segment of its own (classic_map.c): a
 *    regular file shorter than the region's dev_length (or, without one,
 *    than the region's end) grows to it, sparse, and a missing one is
 *    created (mode 0600); then RVM_IOC_SEG_ADD registers it by its real
 *    path (the same file or device again keeps its id), and the region is
 *    mapped at RVM_SEG_OFFSET(id, offset). Nothing of ours is written in
 *    the file: truncation writes the committed bytes there, in place, and
 *    makes them durable (flush of the device, fsync of the file) before
 *    the log moves on. rvm_unmap() of such a region and rvm_terminate()
 *    truncate, so the file holds every committed byte when they return.
 *    A process may map several data segments, and several processes the
 *    same one, through one log. The segment directory of earlier versions
 *    (segments stored inside the volume's data segment) is gone: a data
 *    file is the program's own.
 *
 * Regions: as in the original, the offset is rounded down to a page (the
 * length grows by as much), the length up to pages, length 0 maps to the
 * end of the segment, and both are written back; vmaddr NULL lets librvm
 * choose (written back), otherwise the region is mapped exactly there,
 * replacing private anonymous memory (what the original's programs
 * allocate there first) but no other mapping (RVM_EVM_OVERLAP); the same
 * bytes of a segment mapped twice by this
 * process are refused (RVM_EOVERLAP). rvm_unmap() names a region by its
 * exact vmaddr and length.
 *
 * Transactions: tid->tid points to a struct lrvm_txn holding the kernel's
 * transaction id and the declared ranges (kept for rvm_chk_range(),
 * rvm_query() and rvm_unmap()'s RVM_EUNCOMMIT). A tid is valid while its
 * pointer is on the list of running transactions with the same uname;
 * anything else is RVM_ETID. End modes map to RVM_END_FLUSH/NO_FLUSH, and
 * the options' RVM_COALESCE_RANGES/TRANS to RVM_END_COALESCE_RANGES/TRANS.
 *
 * Threads: lrvm.life (a rwlock) is held for reading by every call while
 * it uses the handle and for writing only by the calls that open the log
 * or stop RVM; lrvm.lock (a mutex) guards the lists and counters and is
 * never held across an ioctl that waits for the log (END, FLUSH,
 * TRUNCATE), so transactions of different threads commit concurrently
 * and share group commits.
 *
 * Options: truncate (1..99 %, 0 = the module's default, 100 = 99) is
 * passed to RVM_IOC_ATTACH, so it only takes effect when this process
 * attaches the volume. The buffer lengths are checked and reported but
 * are hints the module does not need. RVM_MAP_PRIVATE is accepted and
 * ignored (mappings are always shared).
 *
 * Statistics (rvm_statistics()): n_* count this process's calls since
 * rvm_initialize(), except n_flush, n_truncation, n_truncation_wait and
 * log_written, which are the volume's counters (RVM_IOC_STATUS) since the
 * log was opened; tot_* are the volume's counters since it was attached
 * (tot_rvm_truncate: this process's rvm_truncate() calls; tot_recovery:
 * 1 if the attach replayed records). n_wrap/tot_wrap count laps of the
 * log's ring (since the log was opened / since the attach); n_split,
 * n_special, tot_split and tot_special are 0: our records are never split
 * at a wrap and the log has no special records.
 *
 * Order of checks: as in the original, "RVM is not running" (RVM_EINIT)
 * comes before any check of a descriptor (RVM_ETID, RVM_EREGION, ...):
 * every call that needs RVM running calls lrvm_check_running() first.
 *
 * Error mapping (errno of the modern call -> classic code)
 * --------------------------------------------------------
 *	ENOMEM				RVM_ENO_MEMORY
 *	ENAMETOOLONG			RVM_ENAME_TOO_LONG
 *	E2BIG (SET_RANGE, END)		RVM_ETOO_BIG
 *	EINVAL (SET_RANGE, END, ABORT)	RVM_ETID (no such transaction)
 *	EPERM (ABORT)			RVM_EMODE (no_restore)
 *	ERANGE (SET_RANGE, END)		RVM_ENOT_MAPPED (END: a range from
 *					the declaration slot; still running)
 *	EPROTO (END)			RVM_EIO, errno EPROTO: strict mode
 *					caught undeclared changes; the
 *					transaction is still running
 *	EBUSY (UNMAP)			RVM_EUNCOMMIT
 *	EEXIST (mmap at vmaddr)		RVM_EVM_OVERLAP
 *	EINVAL (mmap)			RVM_EOFFSET (outside the data segment)
 *	EINVAL, ENOTBLK (ATTACH)	RVM_ELOG (not an rvm volume, corrupt)
 *	EOPNOTSUPP (superblock)		RVM_ELOG_VERSION_SKEW (newer format)
 *	EINVAL, ENOSPC (format)		RVM_EOFFSET (log too small / too big)
 *	ENXIO, EFAULT			RVM_EINTERNAL
 *	anything else			RVM_EIO, with errno set (EIO, EROFS,
 *					EACCES, ENOENT, ENODEV: no module,
 *					EPERM: not root, EBUSY, EINTR, ...)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rvm/rvm.h>

#include "classic_impl.h"

struct lrvm_state lrvm = {
	.life = PTHREAD_RWLOCK_INITIALIZER,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.phase = LRVM_NEW,
	.truncate = TRUNCATE,
	.recovery_buf_len = RECOVERY_BUF_LEN,
	.flush_buf_len = FLUSH_BUF_LEN,
	.max_read_len = MAX_READ_LEN,
};

/**
 * lrvm_io() - RVM_EIO, with errno set
 * @err: a negative errno
 *
 * Return: RVM_EIO.
 */
rvm_return_t lrvm_io(int err)
{
	errno = err < 0 ? -err : err;
	return RVM_EIO;
}

/**
 * lrvm_errno() - the classic code of an errno without a call-specific
 * meaning (see the table above)
 * @err: a negative errno
 *
 * Return: the code.
 */
rvm_return_t lrvm_errno(int err)
{
	switch (-err) {
	case 0:
		return RVM_SUCCESS;
	case ENOMEM:
		return RVM_ENO_MEMORY;
	case ENAMETOOLONG:
		return RVM_ENAME_TOO_LONG;
	case E2BIG:
		return RVM_ETOO_BIG;
	case ENXIO:
	case EFAULT:
		return RVM_EINTERNAL;
	default:
		return lrvm_io(err);
	}
}

/**
 * lrvm_use() - enter a call that needs the log
 *
 * Return: RVM_SUCCESS with lrvm.life held for reading (lrvm_unuse()
 * releases it), RVM_EINIT if RVM is not running, RVM_ELOG if no log is
 * open.
 */
rvm_return_t lrvm_use(void)
{
	pthread_rwlock_rdlock(&lrvm.life);
	if (lrvm.phase != LRVM_RUNNING) {
		pthread_rwlock_unlock(&lrvm.life);
		return RVM_EINIT;
	}
	if (!lrvm.rvm) {
		pthread_rwlock_unlock(&lrvm.life);
		return RVM_ELOG;
	}
	return RVM_SUCCESS;
}

/**
 * lrvm_check_running() - the first check of a call that needs RVM running
 *
 * So that RVM_EINIT comes before RVM_ETID and the other descriptor codes,
 * as in the original. The call checks again under lrvm.life (lrvm_use()).
 *
 * Return: RVM_SUCCESS, or RVM_EINIT if RVM is not running.
 */
rvm_return_t lrvm_check_running(void)
{
	enum lrvm_phase phase;

	pthread_rwlock_rdlock(&lrvm.life);
	phase = lrvm.phase;
	pthread_rwlock_unlock(&lrvm.life);
	return phase == LRVM_RUNNING ? RVM_SUCCESS : RVM_EINIT;
}

/** lrvm_unuse() - leave a call that lrvm_use() entered. */
void lrvm_unuse(void)
{
	pthread_rwlock_unlock(&lrvm.life);
}

/* Check the values of an options descriptor. */
static rvm_return_t lrvm_check_values(const rvm_options_t *opts)
{
	if (opts->truncate < 0 || opts->truncate > 100)
		return RVM_EOPTIONS;
	if (opts->recovery_buf_len < MIN_RECOVERY_BUF_LEN ||
	    opts->flush_buf_len < MIN_FLUSH_BUF_LEN || !opts->max_read_len)
		return RVM_EOPTIONS;
	if (opts->flags & ~(rvm_length_t)(RVM_ALL_OPTIMIZATIONS |
					  RVM_MAP_PRIVATE))
		return RVM_EOPTIONS;
	return rvm_classic_check_name(opts->log_dev);
}

/* Take the values of a checked options descriptor. Caller holds life. */
static void lrvm_apply(const rvm_options_t *opts)
{
	pthread_mutex_lock(&lrvm.lock);
	lrvm.truncate = opts->truncate;
	lrvm.recovery_buf_len = opts->recovery_buf_len;
	lrvm.flush_buf_len = opts->flush_buf_len;
	lrvm.max_read_len = opts->max_read_len;
	lrvm.flags = opts->flags;
	pthread_mutex_unlock(&lrvm.lock);
}

/* Open opts->log_dev, creating it first if asked to. Caller holds life. */
static rvm_return_t lrvm_open_log(const rvm_options_t *opts)
{
	struct stat st;
	uint64_t len;
	rvm_return_t ret;

	if (opts->create_log_file && stat(opts->log_dev, &st) &&
	    errno == ENOENT) {
		if (!rvm_classic_off_to_u64(&opts->create_log_size, &len))
			return RVM_EOFFSET;
		ret = lrvm_log_create(opts->log_dev, len,
				      opts->create_log_mode ?
				      (mode_t)opts->create_log_mode : 0600);
		if (ret)
			return ret;
	}
	return lrvm_log_open(opts->log_dev, opts->truncate);
}

rvm_return_t rvm_initialize(const char *version, rvm_options_t *opts)
{
	rvm_return_t ret;

	if (!version || strncmp(version, RVM_VERSION, RVM_VERSION_MAX))
		return RVM_EVERSION_SKEW;
	ret = rvm_classic_check_options_opt(opts);
	if (ret)
		return ret;
	if (opts) {
		ret = lrvm_check_values(opts);
		if (ret)
			return ret;
	}

	pthread_rwlock_wrlock(&lrvm.life);
	if (lrvm.phase == LRVM_TERMINATED) {
		ret = RVM_EINIT;
		goto out;
	}
	if (lrvm.phase == LRVM_RUNNING)
		goto out;
	if (opts && opts->log_dev) {
		ret = lrvm_open_log(opts);
		if (ret)
			goto out;
	}
	if (opts)
		lrvm_apply(opts);
	lrvm.phase = LRVM_RUNNING;
out:
	pthread_rwlock_unlock(&lrvm.life);
	return ret;
}

rvm_return_t rvm_terminate(void)
{
	rvm_return_t ret = RVM_SUCCESS;
	int err;

	pthread_rwlock_wrlock(&lrvm.life);
	if (lrvm.phase != LRVM_RUNNING) {
		ret = RVM_EINIT;
		goto out;
	}
	/* No other call is in progress: the lists are ours. */
	if (lrvm.ntxns) {
		ret = RVM_EUNCOMMIT;
		goto out;
	}
	if (lrvm.rvm) {
		/* The data files hold every committed byte afterwards. */
		err = rvm_sync_truncate(lrvm.rvm);
		if (err) {
			ret = lrvm_errno(err);
			goto out;
		}
		lrvm_unmap_all();
		lrvm_log_close();
	}
	lrvm.phase = LRVM_TERMINATED;
out:
	pthread_rwlock_unlock(&lrvm.life);
	return ret;
}

rvm_return_t rvm_set_options(rvm_options_t *opts)
{
	rvm_return_t ret;

	ret = lrvm_check_running();
	if (!ret)
		ret = rvm_classic_check_options(opts);
	if (ret)
		return ret;
	ret = lrvm_check_values(opts);
	if (ret)
		return ret;

	pthread_rwlock_wrlock(&lrvm.life);
	if (lrvm.phase != LRVM_RUNNING) {
		ret = RVM_EINIT;
		goto out;
	}
	if (opts->log_dev) {
		if (!lrvm.rvm)
			ret = lrvm_open_log(opts);
		else if (!lrvm_is_log(opts->log_dev))
			ret = RVM_ELOG;
		if (ret)
			goto out;
	}
	lrvm_apply(opts);
out:
	pthread_rwlock_unlock(&lrvm.life);
	return ret;
}

/* Does transaction @t have ranges in [start, end)? (all if start == end) */
static bool lrvm_txn_listed(const struct lrvm_txn *t, uintptr_t start,
			    uintptr_t end)
{
	return start == end || lrvm_txn_in_range(t, start, end);
}

rvm_return_t rvm_query(rvm_options_t *opts, rvm_region_t *region)
{
	uintptr_t start = 0, end = 0;
	struct rvm_status st;
	struct lrvm_txn *t;
	struct lrvm_map *m;
	rvm_tid_t *arr = NULL;
	long n = 0, i = 0;
	rvm_return_t ret;

	ret = lrvm_check_running();
	if (!ret)
		ret = rvm_classic_check_options(opts);
	if (!ret)
		ret = rvm_classic_check_region_opt(region);
	if (ret)
		return ret;

	pthread_rwlock_rdlock(&lrvm.life);
	if (lrvm.phase != LRVM_RUNNING) {
		ret = RVM_EINIT;
		goto out_life;
	}
	pthread_mutex_lock(&lrvm.lock);
	if (region) {
		start = (uintptr_t)region->vmaddr;
		end = start + (region->length ? region->length : 1);
		for (m = lrvm.maps; m; m = m->next)
			if (start >= m->addr && end <= m->addr + m->len &&
			    end > start)
				break;
		if (!m) {
			ret = RVM_ENOT_MAPPED;
			goto out_lock;
		}
	}
	for (t = lrvm.txns; t; t = t->next)
		if (lrvm_txn_listed(t, start, end))
			n++;
	if (n) {
		arr = calloc(n, sizeof(*arr));
		if (!arr) {
			ret = RVM_ENO_MEMORY;
			goto out_lock;
		}
		for (t = lrvm.txns; t && i < n; t = t->next) {
			if (!lrvm_txn_listed(t, start, end))
				continue;
			rvm_init_tid(&arr[i]);
			arr[i].uname = t->uname;
			arr[i].tid = t;
			i++;
		}
	}
	free(opts->tid_array);
	opts->tid_array = arr;
	opts->n_uncommit = n;
	opts->truncate = lrvm.truncate;
	opts->recovery_buf_len = lrvm.recovery_buf_len;
	opts->flush_buf_len = lrvm.flush_buf_len;
	opts->max_read_len = lrvm.max_read_len;
	opts->flags = lrvm.flags;
	pthread_mutex_unlock(&lrvm.lock);

	opts->log_empty = rvm_true;
	if (lrvm.rvm && !rvm_stat(lrvm.rvm, &st) && st.log_used)
		opts->log_empty = rvm_false;
	goto out_life;

out_lock:
	pthread_mutex_unlock(&lrvm.lock);
out_life:
	pthread_rwlock_unlock(&lrvm.life);
	return ret;
}

rvm_return_t rvm_statistics(const char *version, rvm_statistics_t *stats)
{
	struct rvm_status st;
	const struct rvm_status *b = &lrvm.base;
	rvm_return_t ret = RVM_SUCCESS;
	rvm_length_t pct;
	bool have = false;

	if (!version || strcmp(version, RVM_STATISTICS_VERSION))
		return RVM_ESTAT_VERSION_SKEW;
	ret = lrvm_check_running();
	if (!ret)
		ret = rvm_classic_check_statistics(stats);
	if (ret)
		return ret;

	pthread_rwlock_rdlock(&lrvm.life);
	if (lrvm.phase != LRVM_RUNNING) {
		ret = RVM_EINIT;
		goto out;
	}
	memset(&st, 0, sizeof(st));
	if (lrvm.rvm && !rvm_stat(lrvm.rvm, &st))
		have = true;

	pthread_mutex_lock(&lrvm.lock);
	stats->n_abort = lrvm.n_abort;
	stats->n_flush_commit = lrvm.n_flush_commit;
	stats->n_no_flush_commit = lrvm.n_no_flush_commit;
	stats->n_uncommit = lrvm.ntxns;
	stats->n_no_flush = lrvm.n_no_flush;
	stats->n_rvm_flush = lrvm.n_rvm_flush;
	stats->tot_rvm_truncate = lrvm.n_rvm_truncate;
	if (have) {
		stats->n_truncation_wait = st.log_full_waits - b->log_full_waits;
		stats->n_flush = st.log_flushes - b->log_flushes;
		stats->n_truncation = st.truncations - b->truncations;
		stats->log_written =
			rvm_classic_u64_to_off(st.bytes_logged - b->bytes_logged);
		pct = st.log_bytes ? st.log_used * 100 / st.log_bytes : 0;
		if (pct > lrvm.log_dev_max)
			lrvm.log_dev_max = pct;
		stats->log_dev_cur = pct;
		stats->log_dev_max = lrvm.log_dev_max;
		stats->tot_abort = st.aborts;
		stats->tot_flush_commit = st.flush_commits;
		stats->tot_no_flush_commit = st.commits - st.flush_commits;
		stats->tot_log_written = rvm_classic_u64_to_off(st.bytes_logged);
		stats->tot_recovery = st.recovery_records ? 1 : 0;
		/* Laps of the log's ring: its lsn is an endless byte count. */
		if (st.log_bytes) {
			stats->tot_wrap = st.tail_lsn / st.log_bytes;
			stats->n_wrap = stats->tot_wrap -
					b->tail_lsn / st.log_bytes;
		}
	} else {
		stats->n_truncation_wait = 0;
		stats->n_flush = 0;
		stats->n_truncation = 0;
		stats->log_written = rvm_classic_u64_to_off(0);
		stats->log_dev_cur = 0;
		stats->log_dev_max = lrvm.log_dev_max;
		stats->tot_abort = 0;
		stats->tot_flush_commit = 0;
		stats->tot_no_flush_commit = 0;
		stats->tot_log_written = rvm_classic_u64_to_off(0);
		stats->tot_recovery = 0;
	}
	if (!have || !st.log_bytes) {
		stats->n_wrap = 0;
		stats->tot_wrap = 0;
	}
	/* Records are never split and there are no special records. */
	stats->n_split = 0;
	stats->n_special = 0;
	stats->tot_split = 0;
	stats->tot_special = 0;
	memset(stats->reserved, 0, sizeof(stats->reserved));
	pthread_mutex_unlock(&lrvm.lock);
out:
	pthread_rwlock_unlock(&lrvm.life);
	return ret;
}

rvm_return_t rvm_flush(void)
{
	rvm_return_t ret = lrvm_use();
	int err;

	if (ret)
		return ret;
	err = rvm_sync_flush(lrvm.rvm);
	if (err) {
		ret = lrvm_errno(err);
	} else {
		pthread_mutex_lock(&lrvm.lock);
		lrvm.n_rvm_flush++;
		lrvm.n_no_flush = 0;
		pthread_mutex_unlock(&lrvm.lock);
	}
	lrvm_unuse();
	return ret;
}

rvm_return_t rvm_truncate(void)
{
	rvm_return_t ret = lrvm_use();
	int err;

	if (ret)
		return ret;
	err = rvm_sync_truncate(lrvm.rvm);
	if (err) {
		ret = lrvm_errno(err);
	} else {
		pthread_mutex_lock(&lrvm.lock);
		lrvm.n_rvm_truncate++;
		lrvm.n_no_flush = 0;
		pthread_mutex_unlock(&lrvm.lock);
	}
	lrvm_unuse();
	return ret;
}

rvm_return_t rvm_create_log(rvm_options_t *opts, rvm_offset_t *log_len,
			    long mode)
{
	rvm_return_t ret;
	uint64_t len;

	ret = lrvm_check_running();
	if (!ret)
		ret = rvm_classic_check_options(opts);
	if (ret)
		return ret;
	if (!opts->log_dev)
		return RVM_EOPTIONS;
	ret = rvm_classic_check_name(opts->log_dev);
	if (ret)
		return ret;
	if (!log_len || !rvm_classic_off_to_u64(log_len, &len) || !len)
		return RVM_EOFFSET;

	pthread_rwlock_rdlock(&lrvm.life);
	if (lrvm.phase != LRVM_RUNNING)
		ret = RVM_EINIT;
	else if (lrvm.rvm && lrvm_is_log(opts->log_dev))
		ret = RVM_ELOG;
	else
		ret = lrvm_log_create(opts->log_dev, len,
				      mode > 0 ? (mode_t)mode : 0600);
	pthread_rwlock_unlock(&lrvm.life);
	return ret;
}
