/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the recovery unit tests (test_recovery.c, test_recovery_walk.c)
 * share: the volume image they build, and the check of a recovery run.
 */
#ifndef _T_RECOVER_H
#define _T_RECOVER_H

#include "rvm_test.h"

static struct t_vol V;

#define L(v)	((v)->g.log_size)

static inline bool has(const char *s, const char *sub)
{
	return s && strstr(s, sub);
}

/* Recover V (a real run) and check that exactly records first..k-1 are in. */
static inline void t_recover_expect(struct t_vol *v, int k, size_t mem)
{
	struct rvm_recovery_stats st;
	int err = t_vol_recover(v, 0, mem, &st);

	t_eq(err, 0);
	t_eq(st.records, k - v->first);
	t_check(t_vol_data_is(v, k), "data segment is not the state after %d records", k);
	t_check(!v->dev.oob, "access beyond the device");
	t_check(!v->dev.unaligned, "unaligned access");
	t_check(!v->dev.inflight, "%ld reads left in flight", v->dev.inflight);
	if (k > v->first) {
		t_eq(st.next_seq, v->rec[k - 1].seq + 1);
		/* Pad records may follow the last transaction record. */
		t_check(st.end_lsn >= v->rec[k - 1].lsn + v->rec[k - 1].next,
			"end lsn %llu", (unsigned long long)st.end_lsn);
	}
}

/* Run @all with read-ahead, then without: the exit status of the tests. */
static inline int t_recover_main(void (*all)(void))
{
	printf("# with read-ahead (read_start, read_end)\n");
	t_ops = &t_dev_ops;
	all();
	printf("# without read-ahead (read only)\n");
	t_ops = &t_dev_sync_ops;
	all();
	return t_exit();
}

#endif /* _T_RECOVER_H */
