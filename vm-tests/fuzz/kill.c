// SPDX-License-Identifier: GPL-2.0
/*
 * rvm_fuzz job "kill": processes killed mid-transaction. Several children
 * (some of them the unprivileged user, on a file bound before dropping
 * privileges) run transactions of every kind, with declaration slots,
 * with io_uring commits in flight, on shared pages; the parent kills each
 * with SIGKILL after a random time, with a new one taking its place. A
 * child's exit is the module's clean-up of its file: transactions
 * aborted, slots freed, commands in flight completed.
 */
#include <fcntl.h>
#include <liburing.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#define NCHILD 4

static void worker(uint64_t seed)
{
	struct rvm_decl_slot *area = NULL;
	struct io_uring ring;
	bool uring = false;
	unsigned char *p;
	struct fz_rng r;
	int fd;

	fz_seed(&r, seed);
	fd = fz_map(FZ_DEV, 0, FZ_MAPLEN, &p);
	if (fd < 0)
		_exit(0); /* a kill at any time is the point: not a finding */
	if (fz_one_in(&r, 2)) {
		area = mmap(NULL, RVM_DECL_AREA_SIZE, PROT_READ | PROT_WRITE,
			    MAP_SHARED, fd, RVM_DECL_MMAP_OFFSET);
		if (area == MAP_FAILED)
			area = NULL;
	}
	if (fz_one_in(&r, 2))
		uring = !io_uring_queue_init(32, &ring, 0);
	if (fz_one_in(&r, 3))
		fz_drop_privileges();
	for (;;) {
		uint32_t mode = fz_one_in(&r, 2) ? RVM_TXN_RESTORE :
						   RVM_TXN_NO_RESTORE;
		uint64_t tid, off = fz_below(&r, FZ_MAPLEN - 8192);
		uint64_t len = 1 + fz_below(&r, 8192);
		uint32_t slot = RVM_DECL_NO_SLOT;

		if (fz_begin(fd, mode | (area ? RVM_TXN_DECL : 0), &tid, &slot))
			continue;
		if (area && slot < RVM_DECL_SLOTS && len <= 256) {
			struct rvm_decl_slot *s = &area[slot];
			uint32_t i = s->next++;

			s->ent[i].addr = (uintptr_t)(p + off);
			s->ent[i].off = off;
			s->ent[i].data = 0;
			if (mode == RVM_TXN_RESTORE)
				memcpy(s->data, p + off, len);
			s->data_next = len;
			__atomic_store_n(&s->ent[i].len, len, __ATOMIC_RELEASE);
		} else if (fz_range(fd, tid, p + off, len)) {
			continue;
		}
		fz_poke(p + off, (int)fz_next(&r), len);
		if (uring && fz_one_in(&r, 2)) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
			struct io_uring_cqe *cqe;

			if (sqe) {
				struct rvm_uring_cmd *c = (void *)sqe->cmd;

				memset(sqe, 0, sizeof(*sqe));
				sqe->opcode = IORING_OP_URING_CMD;
				sqe->fd = fd;
				sqe->cmd_op = RVM_URING_END;
				c->tid = tid;
				c->flags = RVM_END_FLUSH;
				io_uring_submit(&ring);
				fz_inc(FZ_URING_SQE, 1);
			}
			while (!io_uring_peek_cqe(&ring, &cqe)) {
				io_uring_cqe_seen(&ring, cqe);
				fz_inc(FZ_URING_CQE, 1);
			}
		} else if (mode == RVM_TXN_RESTORE && fz_one_in(&r, 3)) {
			fz_abort(fd, tid);
		} else if (!fz_one_in(&r, 5)) {
			fz_end(fd, tid,
			       fz_one_in(&r, 2) ? RVM_END_FLUSH :
						  RVM_END_NO_FLUSH);
		}
	}
}

int fz_job_kill(const struct fz_job_ctx *c)
{
	double end = fz_now() + c->seconds;
	pid_t pids[NCHILD];
	struct fz_rng r;
	int i, st;

	fz_seed(&r, c->seed);
	for (i = 0; i < NCHILD; i++)
		pids[i] = -1;
	while (fz_now() < end) {
		i = fz_below(&r, NCHILD);
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], &st, 0);
			fz_inc(FZ_KILL, 1);
		}
		pids[i] = fork();
		if (pids[i] == 0)
			worker(fz_next(&r));
		if (pids[i] > 0)
			fz_inc(FZ_FORK, 1);
		usleep(fz_below(&r, fz_one_in(&r, 4) ? 300000 : 30000));
	}
	for (i = 0; i < NCHILD; i++) {
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], &st, 0);
			fz_inc(FZ_KILL, 1);
		}
	}
	return 0;
}
