// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: truncation - apply the log to the data segment and move its head.
 *
 * Truncation is recovery of a window of the log: the durable records
 * between the head and the durable end are replayed by the same shared
 * code that runs at attach (recovery.c) onto page images read from the
 * data segment, the pages are written back and flushed, and only then is
 * a superblock with the new head written (FUA). It never writes a byte
 * that was not committed: it works from the records, not from the mapped
 * pages, which running transactions change in place. It never blocks
 * commits: the writer appends beyond the durable end while truncation
 * reads before it, and a crash at any point leaves the old head in force
 * and the records intact, so recovery replays them again.
 *
 * Afterwards, the pages whose committed image is now in the data segment
 * become clean, so that reclaim may drop them (rvm_seg_truncated()). When
 * too many pages are dirty, segment.c runs rvm_truncate() by itself, so
 * that memory pressure, not only a filling log, empties the log.
 *
 * This is simpler than writing committed page images from memory, which
 * needs a snapshot of each page at the first write of every transaction,
 * and it is tested offline by the same unit tests as recovery. Its cost
 * is reading the log back; truncation runs in the background, before the
 * log is full.
 */
#include <linux/workqueue.h>

#include "log.h"
#include "segment.h"
#include "truncate.h"
#include "volume.h"

/* Memory for page images during a truncation; more makes several rounds. */
#define RVM_TRUNCATE_MEM (16 * 1024 * 1024)

static int rvm_truncate_once(struct rvm_volume *vol)
{
	struct rvm_recovery_opts opts = { .mem_limit = RVM_TRUNCATE_MEM };
	struct rvm_log *log = &vol->log;
	struct rvm_recovery_stats st;
	struct rvm_disk_super sb;
	u64 head, seq, limit, commit;
	int ret;

	mutex_lock(&vol->trunc.lock);
	/* The newest checkpoint before the end: it ends at or before it. */
	commit = rvm_seg_trunc_begin(&vol->seg);
	spin_lock(&log->lock);
	head = log->head_lsn;
	seq = log->head_seq;
	limit = log->durable_lsn;
	spin_unlock(&log->lock);
	ret = 0;
	if (READ_ONCE(vol->failed))
		goto out;
	if (limit == head)
		goto clean;

	mutex_lock(&vol->sb_lock);
	sb = vol->sb;
	mutex_unlock(&vol->sb_lock);
	sb.head_lsn = cpu_to_le64(head);
	sb.head_seq = cpu_to_le64(seq);
	rvm_super_seal(&sb);
	opts.limit_lsn = limit;
	ret = rvm_recover(&sb, READ_ONCE(vol->geom.segtab), &rvm_ep_io_ops,
			  &vol->eps, &opts, &st);
	if (ret) {
		rvm_volume_fail(vol, ret, "truncation");
		goto out;
	}
	if (st.end_lsn != limit) {
		/* The writer said these records were durable. */
		pr_err("volume %u: truncation found the log ending at %llu, not %llu: %s\n",
		       vol->id, st.end_lsn, limit, st.end_why);
		rvm_volume_fail(vol, -EIO, "truncation");
		ret = -EIO;
		goto out;
	}
	ret = rvm_volume_write_super(vol, st.end_lsn, st.next_seq, 0);
	if (ret)
		goto out;

	spin_lock(&log->lock);
	log->head_lsn = st.end_lsn;
	log->head_seq = st.next_seq;
	spin_unlock(&log->lock);
	wake_up_all(&log->wait);
	atomic64_inc(&vol->stats.truncations);
	atomic64_add(st.end_lsn - head, &vol->stats.bytes_truncated);
clean:
	mutex_unlock(&vol->trunc.lock);
	rvm_seg_truncated(&vol->seg, commit);
	return 0;
out:
	mutex_unlock(&vol->trunc.lock);
	return ret;
}

/**
 * rvm_truncate() - on demand: make the spool durable, then apply the whole
 * log to the data segment and empty it
 * @vol: the volume
 *
 * Return: 0, -EROFS if the volume failed, or -EIO.
 */
int rvm_truncate(struct rvm_volume *vol)
{
	u64 lsn, commit = atomic64_read(&vol->stats.commits);
	int ret = rvm_log_flush(vol);

	if (ret)
		return ret;
	/* Every commit numbered up to @commit was queued before the flush. */
	spin_lock(&vol->log.lock);
	lsn = vol->log.durable_lsn;
	spin_unlock(&vol->log.lock);
	rvm_seg_checkpoint(&vol->seg, commit, lsn);
	ret = rvm_truncate_once(vol);
	if (!ret && READ_ONCE(vol->failed))
		ret = -EROFS;
	return ret;
}

/* Background truncation: vol->trunc.work. */
static void rvm_truncate_work(struct work_struct *work)
{
	struct rvm_volume *vol =
		container_of(work, struct rvm_volume, trunc.work);

	rvm_truncate_once(vol);
}

/**
 * rvm_truncate_init() - set up a volume's truncation state
 * @vol: the volume, being attached
 */
void rvm_truncate_init(struct rvm_volume *vol)
{
	mutex_init(&vol->trunc.lock);
	INIT_WORK(&vol->trunc.work, rvm_truncate_work);
}

/**
 * rvm_truncate_stop() - wait for a background truncation to end
 * @vol: the volume, being detached: its log has stopped, nothing kicks
 *	truncation any more
 */
void rvm_truncate_stop(struct rvm_volume *vol)
{
	cancel_work_sync(&vol->trunc.work);
}

/**
 * rvm_truncate_kick() - start a background truncation if none is queued
 * @vol: the volume
 *
 * Runs on system_unbound_wq, never on the log writer's workqueue: the
 * writer may wait for the space that truncation frees.
 */
void rvm_truncate_kick(struct rvm_volume *vol)
{
	queue_work(system_unbound_wq, &vol->trunc.work);
}
