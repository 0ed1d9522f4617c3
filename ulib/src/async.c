// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librvm: asynchronous commit through io_uring (<rvm/librvm.h>).
 *
 * Each call fills one SQE of the caller's ring with an IORING_OP_URING_CMD
 * for /dev/rvm (RVM_URING_END or RVM_URING_FLUSH, payload struct
 * rvm_uring_cmd in the SQE's command area; see <linux/rvm.h>). liburing
 * 2.3 has no prep helper for uring_cmd, so the SQE is filled by hand. Only
 * liburing's inline functions are used: librvm needs no -luring, the
 * program that owns the ring does.
 */
#include <errno.h>
#include <string.h>

#include <liburing.h>

#include <rvm/librvm.h>

static int rvm_async_prep(struct rvm *r, struct io_uring *ring, uint32_t op,
			  uint64_t tid, uint32_t flags, uint64_t user_data)
{
	struct rvm_uring_cmd *c;
	struct io_uring_sqe *sqe;

	if (!r || !ring)
		return -EINVAL;
	if (!(rvm_features(r) & RVM_FEAT_URING))
		return -EOPNOTSUPP;
	sqe = io_uring_get_sqe(ring);
	if (!sqe)
		return -EAGAIN;
	/* The command area of an SQE128 ring is 80 bytes: all but ours zero. */
	memset(sqe, 0, (ring->flags & IORING_SETUP_SQE128) ? 2 * sizeof(*sqe) :
							      sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = rvm_fd(r);
	sqe->cmd_op = op;
	sqe->user_data = user_data;
	c = (struct rvm_uring_cmd *)sqe->cmd;
	c->tid = tid;
	c->flags = flags;
	c->pad = 0;
	return 0;
}

int rvm_txn_end_async(struct rvm *r, struct io_uring *ring, uint64_t tid,
		      int flags, uint64_t user_data)
{
	if (flags < 0)
		return -EINVAL;
	return rvm_async_prep(r, ring, RVM_URING_END, tid, flags, user_data);
}

int rvm_sync_flush_async(struct rvm *r, struct io_uring *ring,
			 uint64_t user_data)
{
	return rvm_async_prep(r, ring, RVM_URING_FLUSH, 0, 0, user_data);
}
