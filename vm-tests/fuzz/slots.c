// SPDX-License-Identifier: GPL-2.0
/*
 * rvm_fuzz job "slots": lying declaration slots. Two processes, each with
 * its own file and declaration area on the volume, run transactions with
 * RVM_TXN_DECL and write hostile entries: lengths of 0, huge or beyond
 * RVM_MAX_RANGE, addresses outside every mapping or not matching @off,
 * @data beyond the slot, @next and @data_next past the end, the
 * module-owned @tid and @flags overwritten, entries in slots they do not
 * own and after the end of their transaction, and (in a thread) an entry
 * flipped while the module may be reading it. Between lies: writes that
 * fault, RVM_IOC_SET_RANGE, end and abort.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

struct flipper {
	struct rvm_decl_slot *area;
	volatile int stop;
	uint64_t seed;
};

/* Flip a random entry of a random slot, as fast as it can. */
static void *flip(void *arg)
{
	struct flipper *fl = arg;
	struct fz_rng r;

	fz_seed(&r, fl->seed);
	while (!fl->stop) {
		struct rvm_decl_slot *s =
			&fl->area[fz_below(&r, RVM_DECL_SLOTS)];
		struct rvm_decl_entry *e = &s->ent[fz_below(&r, 4)];

		__atomic_store_n(&e->len, fz_one_in(&r, 2) ? 0 : fz_value(&r),
				 __ATOMIC_RELEASE);
		e->addr = fz_value(&r);
	}
	return NULL;
}

static void lie(struct fz_rng *r, struct rvm_decl_slot *area, uint32_t slot,
		unsigned char *p, size_t maplen)
{
	struct rvm_decl_slot *s =
		&area[slot < RVM_DECL_SLOTS && !fz_one_in(r, 4) ?
			      slot :
			      fz_below(r, RVM_DECL_SLOTS)];
	uint32_t i = __atomic_fetch_add(&s->next, 1, __ATOMIC_RELAXED);
	struct rvm_decl_entry e;
	uint64_t off = fz_below(r, maplen);

	if (i >= RVM_DECL_ENTRIES)
		i = fz_below(r, RVM_DECL_ENTRIES);
	e.addr = (uintptr_t)(p + off);
	e.off = off;
	e.data = fz_below(r, RVM_DECL_DATA_SIZE);
	e.len = 1 + fz_below(r, 256);
	switch (fz_below(r, 12)) {
	case 0:
		e.len = fz_value(r);
		break;
	case 1:
		e.addr = fz_value(r);
		break;
	case 2:
		e.off = fz_value(r);
		break;
	case 3:
		e.data = fz_value(r);
		break;
	case 4:
		e.off = off + FZ_PG * (1 + fz_below(r, 4)); /* off lies */
		break;
	case 5:
		s->next = (uint32_t)fz_value(r);
		s->data_next = (uint32_t)fz_value(r);
		break;
	case 6:
		s->tid = fz_value(r);
		s->flags = (uint32_t)fz_value(r);
		break;
	case 7:
		fz_fill(r, s->data, RVM_DECL_DATA_SIZE);
		break;
	case 8:
		e.len = RVM_MAX_RANGE + fz_below(r, 2);
		break;
	}
	s->ent[i].addr = e.addr;
	s->ent[i].off = e.off;
	s->ent[i].data = e.data;
	__atomic_store_n(&s->ent[i].len, e.len, __ATOMIC_RELEASE);
	fz_inc(FZ_SLOT_LIE, 1);
}

static int liar(uint64_t seed, double seconds)
{
	double end = fz_now() + seconds;
	struct rvm_decl_slot *area;
	struct flipper fl = { 0 };
	pthread_t th;
	unsigned char *p;
	struct fz_rng r;
	int fd;

	fz_seed(&r, seed);
	fd = fz_map(FZ_DEV, 0, FZ_MAPLEN, &p);
	if (fd < 0)
		return 1;
	area = mmap(NULL, RVM_DECL_AREA_SIZE, PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, RVM_DECL_MMAP_OFFSET);
	if (area == MAP_FAILED) {
		fz_finding("slots: cannot map the declaration area: %s",
			   strerror(errno));
		return 1;
	}
	fl.area = area;
	fl.seed = fz_next(&r);
	if (fz_one_in(&r, 2))
		pthread_create(&th, NULL, flip, &fl);
	else
		fl.stop = 2;
	while (fz_now() < end) {
		uint32_t mode = fz_one_in(&r, 2) ? RVM_TXN_RESTORE :
						   RVM_TXN_NO_RESTORE;
		uint32_t slot = RVM_DECL_NO_SLOT;
		uint64_t tid, off = fz_below(&r, FZ_MAPLEN - 8192);
		int n = fz_below(&r, 8);

		if (fz_begin(fd, mode | RVM_TXN_DECL, &tid, &slot))
			continue;
		while (n--) {
			lie(&r, area, slot, p, FZ_MAPLEN);
			if (fz_one_in(&r, 3))
				fz_poke(p + fz_below(&r, FZ_MAPLEN),
					(int)fz_next(&r), 1 + fz_below(&r, 64));
			if (fz_one_in(&r, 4))
				fz_range(fd, tid, p + off,
					 1 + fz_below(&r, 4096));
		}
		if (mode == RVM_TXN_RESTORE && fz_one_in(&r, 2)) {
			fz_abort(fd, tid);
		} else {
			int ret = fz_end(fd, tid,
					 fz_one_in(&r, 2) ? RVM_END_FLUSH :
							    RVM_END_NO_FLUSH);

			/* A lie's error is returned once; then it commits. */
			if (ret && ret != -EIO && ret != -EROFS &&
			    fz_end(fd, tid, RVM_END_NO_FLUSH) &&
			    mode == RVM_TXN_RESTORE)
				fz_abort(fd, tid);
		}
		if (fz_one_in(&r, 4))
			lie(&r, area, slot, p, FZ_MAPLEN); /* after the end */
	}
	if (fl.stop != 2) {
		fl.stop = 1;
		pthread_join(th, NULL);
	}
	munmap(area, RVM_DECL_AREA_SIZE);
	munmap(p, FZ_MAPLEN);
	close(fd);
	return 0;
}

int fz_job_slots(const struct fz_job_ctx *c)
{
	struct fz_rng r;
	pid_t pid;
	int st, ret;

	fz_seed(&r, c->seed);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(liar(fz_next(&r), c->seconds));
	fz_inc(FZ_FORK, 1);
	ret = liar(fz_next(&r) ^ 1, c->seconds);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		ret = 1;
	return ret;
}
