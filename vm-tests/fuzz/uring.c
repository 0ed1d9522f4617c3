// SPDX-License-Identifier: GPL-2.0
/*
 * rvm_fuzz job "uring": IORING_OP_URING_CMD submissions to /dev/rvm with
 * random SQE fields (cmd_op, the command payload, flags, addr, len,
 * buf_index, ioprio, the second half of SQE128 entries, the fd: bound,
 * unbound, fixed or not), mixed with valid commits of running
 * transactions, on rings of every kind (plain, SQE128, CQE32, SQPOLL,
 * DEFER_TASKRUN), reaped or left in flight when the ring is closed.
 */
#include <fcntl.h>
#include <liburing.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

static const unsigned int kinds[] = {
	0,
	IORING_SETUP_SQE128,
	IORING_SETUP_CQE32,
	IORING_SETUP_SQPOLL,
	IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	IORING_SETUP_SQE128 | IORING_SETUP_CQE32,
};

static void reap(struct io_uring *ring, int *inflight, bool wait)
{
	struct __kernel_timespec ts = { .tv_nsec = 50 * 1000 * 1000 };
	struct io_uring_cqe *cqe;

	while (*inflight > 0) {
		int ret = wait ? io_uring_wait_cqe_timeout(ring, &cqe, &ts) :
				 io_uring_peek_cqe(ring, &cqe);

		if (ret)
			break;
		io_uring_cqe_seen(ring, cqe);
		fz_inc(FZ_URING_CQE, 1);
		(*inflight)--;
	}
}

int fz_job_uring(const struct fz_job_ctx *c)
{
	double end = fz_now() + c->seconds;
	struct io_uring ring;
	unsigned char *p;
	struct fz_rng r;
	int fd, ufd, inflight = 0, rounds = 0;
	unsigned int kind;

	fz_seed(&r, c->seed);
	fd = fz_map(FZ_DEV, 0, FZ_MAPLEN, &p);
	if (fd < 0) {
		fz_finding("uring: cannot map %s", FZ_DEV);
		return 1;
	}
	ufd = open("/dev/rvm", O_RDWR | O_CLOEXEC); /* unbound */
	while (fz_now() < end) {
		int n = 0, files[2] = { fd, ufd };

		kind = kinds[fz_below(&r, sizeof(kinds) / sizeof(kinds[0]))];
		if (io_uring_queue_init(64, &ring, kind))
			continue;
		if (fz_one_in(&r, 2))
			io_uring_register_files(&ring, files, 2);
		inflight = 0;
		while (n++ < 200 && fz_now() < end) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
			struct rvm_uring_cmd *cmd;
			uint64_t tid = fz_value(&r);
			size_t sz = kind & IORING_SETUP_SQE128 ? 128 : 64;

			if (!sqe) {
				io_uring_submit(&ring);
				reap(&ring, &inflight, true);
				continue;
			}
			/* Usually a real transaction to commit. */
			if (!fz_one_in(&r, 4)) {
				uint64_t off = fz_below(&r, FZ_MAPLEN - 256);

				if (!fz_begin(fd, RVM_TXN_NO_RESTORE, &tid,
					      NULL) &&
				    !fz_range(fd, tid, p + off, 64))
					fz_poke(p + off, n, 64);
			}
			memset(sqe, 0, sz);
			sqe->opcode = IORING_OP_URING_CMD;
			sqe->fd = fz_one_in(&r, 8) ? ufd : fd;
			sqe->cmd_op = fz_one_in(&r, 3) ? RVM_URING_FLUSH :
							 RVM_URING_END;
			sqe->user_data = n;
			cmd = (struct rvm_uring_cmd *)sqe->cmd;
			cmd->tid = sqe->cmd_op == RVM_URING_END ? tid : 0;
			cmd->flags = sqe->cmd_op == RVM_URING_END ?
					     (fz_one_in(&r, 2) ?
						      RVM_END_FLUSH :
						      RVM_END_NO_FLUSH) :
					     0;
			/* The mutations. */
			switch (fz_below(&r, 10)) {
			case 0:
				sqe->cmd_op = (uint32_t)fz_value(&r);
				break;
			case 1:
				cmd->flags = (uint32_t)fz_value(&r);
				break;
			case 2:
				cmd->pad = (uint32_t)fz_value(&r);
				break;
			case 3:
				sqe->addr = fz_value(&r);
				sqe->len = (uint32_t)fz_value(&r);
				break;
			case 4:
				sqe->buf_index = fz_below(&r, 65536);
				sqe->uring_cmd_flags = fz_below(&r, 4);
				break;
			case 5:
				if (sz == 128)
					fz_fill(&r,
						(char *)sqe + 64 +
							fz_below(&r, 64),
						1);
				else
					fz_fill(&r, sqe->cmd + 16, 16);
				break;
			case 6:
				sqe->flags = fz_below(&r, 256) &
					     (IOSQE_FIXED_FILE | IOSQE_IO_LINK |
					      IOSQE_IO_DRAIN | IOSQE_ASYNC |
					      IOSQE_CQE_SKIP_SUCCESS);
				if (sqe->flags & IOSQE_FIXED_FILE)
					sqe->fd = fz_below(&r, 3);
				break;
			case 7:
				sqe->ioprio = fz_value(&r);
				sqe->personality = fz_below(&r, 3);
				break;
			}
			fz_inc(FZ_URING_SQE, 1);
			/* A skipped success has no CQE: count it as gone. */
			if (io_uring_submit(&ring) == 1 &&
			    !(sqe->flags & IOSQE_CQE_SKIP_SUCCESS))
				inflight++;
			reap(&ring, &inflight, fz_one_in(&r, 4));
		}
		/* Close with commands in flight, or reap them first. */
		if (fz_one_in(&r, 2))
			reap(&ring, &inflight, true);
		io_uring_queue_exit(&ring);
		rounds++;
	}
	munmap(p, FZ_MAPLEN);
	close(fd);
	if (ufd >= 0)
		close(ufd);
	return 0;
}
