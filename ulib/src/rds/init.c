// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librds: formatting, starting and stopping a heap in memory that is
 * mapped already: rds_init_heap(), rds_start_heap(), rds_stop_heap().
 * (Segments are load.c's.)
 */
#include <string.h>

#include "rds_impl.h"

int rds_init_heap(char *base, rvm_length_t length, unsigned long chunkSize,
		  unsigned long nlists, rvm_tid_t *tid, int *err)
{
	struct rds_op op;
	rvm_tid_t own;
	rvm_return_t ret;
	int code;

	memset(&op, 0, sizeof(op));
	op.tid = tid;
	if (!tid) {
		rvm_init_tid(&own);
		ret = rvm_begin_transaction(&own, restore);
		if (ret)
			return rds_set_err(err, ret);
		op.tid = &own;
	}
	pthread_mutex_lock(&rds.lock);
	if (rds.h && (char *)rds.h == base)
		code = EBAD_ARGS;	/* not the heap in use */
	else
		code = rds_heap_format(&op, base, length, chunkSize, nlists);
	pthread_mutex_unlock(&rds.lock);
	if (code == ERVM_FAILED && op.rvm_err)
		code = op.rvm_err;
	if (!tid) {
		if (code == SUCCESS) {
			ret = rvm_end_transaction(&own, flush);
			if (ret) {
				rvm_abort_transaction(&own);
				code = ret;
			}
		} else {
			rvm_abort_transaction(&own);
		}
	}
	RDS_LOG("rds_init_heap(%p, %lu, %lu, %lu): err %d\n", (void *)base,
		length, chunkSize, nlists, code);
	return rds_set_err(err, code);
}

int rds_start_heap(char *startAddr, int *err)
{
	struct rds_hdr *h = (struct rds_hdr *)startAddr;
	int code;

	if (!startAddr || (uintptr_t)startAddr % 8)
		return rds_set_err(err, EBAD_ARGS);
	pthread_mutex_lock(&rds.lock);
	if (rds.h) {
		code = rds.h == h ? SUCCESS : EBAD_ARGS;
	} else {
		code = rds_hdr_check(h);
		if (code == SUCCESS) {
			rds.h = h;
			rds.minc = rds_min_chunks(h->chunk);
		}
	}
	pthread_mutex_unlock(&rds.lock);
	RDS_LOG("rds_start_heap(%p): err %d\n", (void *)startAddr, code);
	return rds_set_err(err, code);
}

int rds_stop_heap(int *err)
{
	int code = SUCCESS;

	pthread_mutex_lock(&rds.lock);
	if (!rds.h)
		code = EHEAP_INIT;
	rds.h = NULL;
	pthread_mutex_unlock(&rds.lock);
	RDS_LOG("rds_stop_heap(): err %d\n", code);
	return rds_set_err(err, code);
}
