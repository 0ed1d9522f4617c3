// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: end-transaction and flush as io_uring commands (IORING_OP_URING_CMD).
 *
 * The ABI is in <linux/rvm.h> (struct rvm_uring_cmd, RVM_URING_END,
 * RVM_URING_FLUSH). The life of a command:
 *
 *   issue      rvm_uring_cmd(), in the submitter's context as io_uring
 *              issues the SQE: copy the 16-byte payload once (it lives in
 *              the SQ ring, which userspace can still write), check it,
 *              end the transaction as RVM_IOC_END would (txn.c) and hand
 *              the record with the command to the log (log.c), or queue a
 *              flush marker carrying it. What the log need not wait for
 *              (a no_flush commit, an error) completes here, by returning
 *              the result; the rest returns -EIOCBQUEUED.
 *   complete   the log writer (its workqueue) calls rvm_uring_complete()
 *              when the record or marker is durable, or failed: the status
 *              goes into the command's pdu and the CQE is posted from the
 *              submitter's task work (rvm_uring_done()), the context
 *              io_uring_cmd_done() wants on both kernels.
 *
 * The submitter never waits for the log. Issue does block briefly, as an
 * ioctl would (the transaction's mutex, page protection, allocating and
 * filling the record), even under IO_URING_F_NONBLOCK: returning -EAGAIN
 * instead would send the command to io_uring's worker threads, which run
 * commands concurrently and so lose the order of the commits.
 *
 * Lifetime. A command holds a reference to its file (io_uring's, or the
 * registered file table's) until it is completed, so the file stays
 * bound, its volume attached and this module loaded; io_uring keeps the
 * request and its ring alive until the completion too (ring exit and task
 * exit wait for inflight requests; task work for an exiting task falls
 * back to a kernel worker). Commands are not cancelable: each completes
 * within one log write (or when the log fails), so nothing waits long.
 */
#include <linux/errno.h>
#include <linux/string.h>

#include "dev.h"
#include "log.h"
#include "txn.h"
#include "uring.h"
#include "volume.h"

/* Bytes of the command area of an SQE on an IORING_SETUP_SQE128 ring. */
#define RVM_URING_SQE128_CMD \
	(2 * sizeof(struct io_uring_sqe) - offsetof(struct io_uring_sqe, cmd))

/**
 * struct rvm_uring_pdu - what a command keeps in its io_uring_cmd
 * @status: result for the CQE, set before the completion is scheduled
 */
struct rvm_uring_pdu {
	int status;
};

static struct rvm_uring_pdu *rvm_uring_pdu(struct io_uring_cmd *ucmd)
{
	BUILD_BUG_ON(sizeof(struct rvm_uring_pdu) > sizeof(ucmd->pdu));
	return (struct rvm_uring_pdu *)ucmd->pdu;
}

/* In the submitter's task work: post the CQE. */
static void rvm_uring_done(struct io_uring_cmd *ucmd, unsigned int issue_flags)
{
	io_uring_cmd_done(ucmd, rvm_uring_pdu(ucmd)->status, 0, issue_flags);
}

/**
 * rvm_uring_complete() - complete a command the log took
 * @ucmd: the command, for which rvm_uring_cmd() returned -EIOCBQUEUED
 * @status: 0 (durable) or a negative errno
 *
 * Called by the log writer, from any context that may schedule task work,
 * exactly once per command. @ucmd must not be touched after the call.
 */
void rvm_uring_complete(struct io_uring_cmd *ucmd, int status)
{
	rvm_uring_pdu(ucmd)->status = status;
	rvm_compat_uring_cmd_complete(ucmd, rvm_uring_done);
}

/**
 * rvm_uring_cmd() - file_operations.uring_cmd of /dev/rvm
 * @ucmd: the command
 * @issue_flags: IO_URING_F_* flags of the issue
 *
 * Return: 0 or a negative errno, the CQE's result now; or -EIOCBQUEUED,
 * the log completing @ucmd later.
 */
int rvm_uring_cmd(struct io_uring_cmd *ucmd, unsigned int issue_flags)
{
	struct rvm_file *rf = ucmd->file->private_data;
	const u8 *area = rvm_compat_uring_cmd_payload(ucmd);
	struct rvm_uring_cmd c;
	struct rvm_volume *vol;

	/* One copy: the SQE is in memory userspace shares. */
	memcpy(&c, area, sizeof(c));
	if ((issue_flags & IO_URING_F_SQE128) &&
	    memchr_inv(area + sizeof(c), 0, RVM_URING_SQE128_CMD - sizeof(c)))
		return -EINVAL;
	/* Only a refusal depends on them: rereading them is harmless. */
	if (!rvm_compat_uring_sqe_unused_zero(ucmd))
		return -EINVAL;

	switch (ucmd->cmd_op) {
	case RVM_URING_END:
		if (c.pad)
			return -EINVAL;
		return rvm_txn_end(rf, c.tid, c.flags, NULL, ucmd);
	case RVM_URING_FLUSH:
		if (c.tid || c.flags || c.pad)
			return -EINVAL;
		vol = READ_ONCE(rf->vol);
		if (!vol)
			return -ENXIO;
		if (READ_ONCE(vol->failed))
			return -EROFS;
		return rvm_log_flush_async(vol, ucmd);
	default:
		return -ENOTTY;
	}
}
