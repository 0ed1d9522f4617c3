/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A stand-in for the classic transaction calls librds uses, so that the
 * heap's unit tests run on the host without the module. One transaction
 * at a time, over one arena of memory:
 *
 *  - rvm_begin_transaction() snapshots the arena;
 *  - rvm_set_range() saves the old bytes of the range (and fails with
 *    RVM_ENO_MEMORY once mock_fail_after reaches 0, for fault injection);
 *  - rvm_end_transaction() checks that every byte that changed since
 *    begin lies in a declared range (else mock_violations++): an undeclared
 *    change is exactly what would be lost, or torn, at a crash;
 *  - rvm_abort_transaction() puts the saved old bytes back, newest first,
 *    and checks that the arena is then the snapshot again.
 *
 * Reporting and the PRNG come from t_report.h.
 */
#ifndef RVM_MOCK_H
#define RVM_MOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rvm/rvm.h>

#include "t_report.h"

struct mock_range {
	char *addr;
	size_t len;
	char *old;
};

static char *mock_base;
static size_t mock_len;
static char *mock_snap;
static rvm_tid_t *mock_tid;
static struct mock_range *mock_r;
static size_t mock_nr, mock_cap;
static unsigned long mock_violations;
static unsigned long mock_commits, mock_aborts;
static long mock_fail_after = -1;	/* set_range calls left before failing */

static void mock_arena(char *base, size_t len)
{
	mock_base = base;
	mock_len = len;
	free(mock_snap);
	mock_snap = malloc(len);
	if (!mock_snap)
		abort();
}

void rvm_init_tid(rvm_tid_t *tid)
{
	if (tid) {
		memset(tid, 0, sizeof(*tid));
		tid->struct_id = rvm_tid_id;
	}
}

char *rvm_mode(rvm_mode_t mode)
{
	return mode == flush ? "flush" : mode == no_flush ? "no_flush" :
	       mode == restore ? "restore" : "no_restore";
}

rvm_return_t rvm_begin_transaction(rvm_tid_t *tid, rvm_mode_t mode)
{
	if (!tid || tid->struct_id != rvm_tid_id)
		return RVM_ETID;
	if (mock_tid) {
		fprintf(stderr, "mock: a second transaction at once\n");
		mock_violations++;
		return RVM_ETID;
	}
	memcpy(mock_snap, mock_base, mock_len);
	mock_tid = tid;
	tid->tid = tid;
	mock_nr = 0;
	return RVM_SUCCESS;
}

rvm_return_t rvm_set_range(rvm_tid_t *tid, void *dest, rvm_length_t len)
{
	char *d = dest;

	if (!tid || tid != mock_tid)
		return RVM_ETID;
	if (!len)
		return RVM_SUCCESS;
	if (d < mock_base || d + len > mock_base + mock_len || d + len < d)
		return RVM_ENOT_MAPPED;
	if (mock_fail_after == 0)
		return RVM_ENO_MEMORY;
	if (mock_fail_after > 0)
		mock_fail_after--;
	if (mock_nr == mock_cap) {
		mock_cap = mock_cap ? mock_cap * 2 : 64;
		mock_r = realloc(mock_r, mock_cap * sizeof(*mock_r));
		if (!mock_r)
			abort();
	}
	mock_r[mock_nr].addr = d;
	mock_r[mock_nr].len = len;
	mock_r[mock_nr].old = malloc(len);
	if (!mock_r[mock_nr].old)
		abort();
	memcpy(mock_r[mock_nr].old, d, len);
	mock_nr++;
	return RVM_SUCCESS;
}

rvm_return_t rvm_modify_bytes(rvm_tid_t *tid, void *dest, const void *src,
			      rvm_length_t len)
{
	rvm_return_t ret = rvm_set_range(tid, dest, len);

	if (!ret)
		memcpy(dest, src, len);
	return ret;
}

static bool mock_declared(const char *p)
{
	size_t i;

	for (i = 0; i < mock_nr; i++)
		if (p >= mock_r[i].addr && p < mock_r[i].addr + mock_r[i].len)
			return true;
	return false;
}

static void mock_forget(void)
{
	size_t i;

	for (i = 0; i < mock_nr; i++)
		free(mock_r[i].old);
	mock_nr = 0;
	mock_tid = NULL;
}

rvm_return_t rvm_end_transaction(rvm_tid_t *tid, rvm_mode_t mode)
{
	size_t i;

	if (!tid || tid != mock_tid)
		return RVM_ETID;
	for (i = 0; i < mock_len; i++) {
		if (mock_base[i] != mock_snap[i] && !mock_declared(mock_base + i)) {
			fprintf(stderr, "mock: byte %zu changed, not declared\n", i);
			mock_violations++;
			break;
		}
	}
	mock_forget();
	mock_commits++;
	return RVM_SUCCESS;
}

rvm_return_t rvm_abort_transaction(rvm_tid_t *tid)
{
	size_t i;

	if (!tid || tid != mock_tid)
		return RVM_ETID;
	for (i = mock_nr; i-- > 0;)
		memcpy(mock_r[i].addr, mock_r[i].old, mock_r[i].len);
	if (memcmp(mock_base, mock_snap, mock_len)) {
		fprintf(stderr, "mock: abort left undeclared changes\n");
		mock_violations++;
	}
	mock_forget();
	mock_aborts++;
	return RVM_SUCCESS;
}

#endif /* RVM_MOCK_H */
