// SPDX-License-Identifier: GPL-2.0
/*
 * Abort under threads (issue 12, defect 10): two threads of one process
 * run restore-mode transactions through librvm, in the default mode
 * (strict protection, declaration slots), on byte ranges of their own
 * that share pages with the other thread's. A transaction declares up to
 * 4 ranges of up to 3 KiB, so its old bytes often exceed a slot's 4 KiB
 * and librvm falls back from the slot to RVM_IOC_SET_RANGE; about half
 * the transactions abort, and every abort must put back every byte the
 * thread declared. Bounded: RUN_SECONDS of running.
 *
 * The failure this catches: one thread's write fault makes a shared PTE
 * writable, so the other thread writes bytes it published in its slot
 * without a fault; its own snapshot of the page is taken later (after a
 * re-protection), holds the new bytes, and was preferred over the old
 * bytes the slot carries when the entry was declared.
 */
#include <pthread.h>
#include <time.h>

#include <rvm/librvm.h>

#include "kselftest_harness.h"
#include "rvm_selftest.h"

#define PAGES 16
#define MAPLEN (PAGES * 4096)
/* Thread t owns the stripes k with k % 2 == t; stripes share pages. */
#define STRIPE 6144
#define NSTRIPES (MAPLEN / STRIPE)
#define RUN_SECONDS 20

struct worker {
	struct rvm *r;
	unsigned char *p;
	int t;
	unsigned int seed;
	long commits;
	long aborts;
	long bad_aborts;
	long errors;
	int first_err;
	unsigned char shadow[MAPLEN];
	time_t stop;
};

static void note_err(struct worker *w, int err)
{
	if (!w->errors++)
		w->first_err = err;
}

static void *work(void *arg)
{
	struct worker *w = arg;

	memcpy(w->shadow, w->p, MAPLEN);
	while (time(NULL) < w->stop) {
		size_t off[4], len[4];
		int i, n = 1 + rand_r(&w->seed) % 4, err;
		bool abort_it = rand_r(&w->seed) % 2;
		uint64_t tid;

		err = rvm_txn_begin(w->r, RVM_TXN_RESTORE, &tid);
		if (err) {
			note_err(w, err);
			break;
		}
		for (i = 0; i < n; i++) {
			int k = (rand_r(&w->seed) % (NSTRIPES / 2)) * 2 + w->t;
			size_t s = (size_t)k * STRIPE;

			len[i] = 1 + rand_r(&w->seed) % 3072;
			off[i] = s + rand_r(&w->seed) % (STRIPE - len[i] + 1);
			err = rvm_txn_set_range(w->r, tid, w->p + off[i],
						len[i]);
			if (err) {
				note_err(w, err);
				goto out;
			}
			memset(w->p + off[i], rand_r(&w->seed) & 0xff, len[i]);
		}
		if (abort_it) {
			err = rvm_txn_abort(w->r, tid);
			if (err) {
				note_err(w, err);
				break;
			}
			w->aborts++;
			for (i = 0; i < n; i++)
				if (memcmp(w->p + off[i], w->shadow + off[i],
					   len[i])) {
					w->bad_aborts++;
					/* Go on from what the memory holds. */
					memcpy(w->shadow + off[i],
					       w->p + off[i], len[i]);
				}
		} else {
			err = rvm_txn_end(w->r, tid, RVM_END_NO_FLUSH, NULL);
			if (err) {
				note_err(w, err);
				break;
			}
			w->commits++;
			for (i = 0; i < n; i++)
				memcpy(w->shadow + off[i], w->p + off[i],
				       len[i]);
		}
	}
out:
	return NULL;
}

TEST(abort_restores_under_threads)
{
	static struct worker w[2];
	pthread_t th[2];
	struct rvm *r;
	void *p;
	int ctl, i;

	ctl = rvm_ctl_open();
	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, access(RVM_DISK, F_OK));
	ASSERT_EQ(0, rvm_zero_dev(RVM_DISK, 0, 8 << 20));
	ASSERT_EQ(0, rvm_fresh_volume(ctl, RVM_DISK, 4 << 20));
	/* The default mode: strict protection, slots on. */
	unsetenv("RVM_DECL");
	ASSERT_EQ(0, rvm_open(RVM_DISK, &r));
	ASSERT_TRUE(rvm_features(r) & RVM_FEAT_DECL);
	ASSERT_EQ(0, rvm_region_map(r, 0, MAPLEN, NULL, 0, &p));
	for (i = 0; i < 2; i++) {
		w[i].r = r;
		w[i].p = p;
		w[i].t = i;
		w[i].seed = 12 + i;
		w[i].stop = time(NULL) + RUN_SECONDS;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, work, &w[i]));
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 2; i++) {
		TH_LOG("thread %d: %ld commits, %ld aborts, %ld not restored, %ld errors (first %d)",
		       i, w[i].commits, w[i].aborts, w[i].bad_aborts,
		       w[i].errors, w[i].first_err);
		EXPECT_EQ(0, w[i].errors);
		EXPECT_EQ(0, w[i].bad_aborts);
		/* Enough work that the race had its chances. */
		EXPECT_LT(200, w[i].aborts);
	}
	rvm_region_unmap(r, p, MAPLEN);
	munmap(p, MAPLEN);
	rvm_close(r);
	EXPECT_EQ(0, rvm_detach_dev(ctl, RVM_DISK));
	close(ctl);
}

TEST_HARNESS_MAIN
