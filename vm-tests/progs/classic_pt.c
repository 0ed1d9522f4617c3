// SPDX-License-Identifier: GPL-2.0
/*
 * classic_pt: a threaded program of the original library's kind, linked
 * dynamically with -lrdspt -lrvmpt (the classic link names), using the
 * cthread macros of <rvm/rvm_pthread.h>. Run in the test VM.
 *
 *   classic_pt LOG
 *
 * Makes a log on LOG and a heap segment in it (rds_zap_heap()), loads it,
 * then cthread_fork()s 4 threads, each of which allocates blocks
 * (rds_malloc() in its own transaction), fills each in a transaction of
 * its own, frees every other one, and ends with cthread_exit(), that is
 * pthread_exit() (which needs libgcc_s.so.1 in the VM). cthread_join()
 * must give each thread's status in rvm_ptstat and 0 in rvm_join_res; the
 * heap must then check out with exactly the blocks kept, each intact.
 *
 * Exit: 0 pass, 1 fail, 2 usage.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rvm/rds.h>
#include <rvm/rvm_pthread.h>

#define NTHREADS	4
#define PER_THREAD	120

struct job {
	int id;
	char *kept[PER_THREAD];
	unsigned long nkept;
	int fails;
};

static struct job jobs[NTHREADS];

static void *worker(void *arg)
{
	struct job *j = arg;
	rvm_tid_t tid;
	char *p[PER_THREAD];
	int i, err;

	for (i = 0; i < PER_THREAD; i++) {
		size_t len = 16 + (size_t)((i * 37 + j->id * 11) % 900);

		p[i] = rds_malloc(len, NULL, &err);
		if (!p[i]) {
			printf("classic_pt: thread %d: rds_malloc: %d\n", j->id, err);
			j->fails++;
			continue;
		}
		rvm_init_tid(&tid);
		if (rvm_begin_transaction(&tid, restore) ||
		    rvm_set_range(&tid, p[i], len) ||
		    !memset(p[i], 'a' + j->id, len) ||
		    rvm_end_transaction(&tid, no_flush)) {
			printf("classic_pt: thread %d: a transaction failed\n", j->id);
			j->fails++;
		}
	}
	for (i = 0; i < PER_THREAD; i++) {
		if (!p[i])
			continue;
		if (i % 2) {
			if (rds_free(p[i], NULL, &err)) {
				printf("classic_pt: thread %d: rds_free: %d\n", j->id, err);
				j->fails++;
			}
		} else {
			j->kept[j->nkept++] = p[i];
		}
	}
	cthread_exit((uintptr_t)(1000 + j->id));
	return NULL;
}

int main(int argc, char **argv)
{
	rvm_options_t *opts = rvm_malloc_options();
	rvm_offset_t loglen = RVM_MK_OFFSET(0, 4 << 20);
	cthread_t th[NTHREADS];
	unsigned long total = 0, k;
	rds_check_t c;
	char *stat;
	int i, err, fails = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: classic_pt LOG\n");
		return 2;
	}
	cthread_init();
	opts->log_dev = argv[1];
	if (RVM_INIT(NULL) || rvm_create_log(opts, &loglen, 0600) ||
	    rvm_set_options(opts)) {
		printf("classic_pt: could not make the log\n");
		return 1;
	}
	rds_zap_heap("/pt-seg", RVM_MK_OFFSET(0, 0), (char *)0x5c0000000000UL,
		     65536, 4 << 20, 32, 64, &err);
	if (err) {
		printf("classic_pt: rds_zap_heap: %d\n", err);
		return 1;
	}
	rds_load_heap("/pt-seg", RVM_MK_OFFSET(0, 0), &stat, &err);
	if (err) {
		printf("classic_pt: rds_load_heap: %d\n", err);
		return 1;
	}
	for (i = 0; i < NTHREADS; i++) {
		jobs[i].id = i;
		th[i] = cthread_fork(worker, &jobs[i]);
	}
	for (i = 0; i < NTHREADS; i++) {
		void *st = cthread_join(th[i]);

		if (rvm_join_res != 0 || st != rvm_ptstat ||
		    (uintptr_t)rvm_ptstat != (uintptr_t)(1000 + i)) {
			printf("classic_pt: join %d: res %d, status %p\n", i,
			       rvm_join_res, rvm_ptstat);
			fails++;
		}
		fails += jobs[i].fails;
		total += jobs[i].nkept;
		for (k = 0; k < jobs[i].nkept; k++)
			if (!rds_is_allocated(jobs[i].kept[k]) ||
			    jobs[i].kept[k][0] != 'a' + i) {
				printf("classic_pt: thread %d: block %lu lost\n", i, k);
				fails++;
			}
	}
	rds_check_heap(&c, &err);
	if (err || c.alloc_blocks != total) {
		printf("classic_pt: heap check %d: %lu allocated, want %lu\n",
		       err, c.alloc_blocks, total);
		fails++;
	}
	printf("classic_pt: %d threads joined, %lu blocks kept, heap %s\n",
	       NTHREADS, total, err ? "damaged" : "sound");
	if (rds_unload_heap(&err) || rvm_terminate()) {
		printf("classic_pt: unload/terminate failed\n");
		fails++;
	}
	printf("classic_pt: %s\n", fails ? "FAILED" : "ok");
	return fails ? 1 : 0;
}
