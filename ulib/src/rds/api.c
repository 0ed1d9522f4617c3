// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librds: the allocation calls of <rvm/rds.h>: rds_malloc(), rds_free(),
 * rds_prealloc(), rds_fake_free(), rds_do_free(), rds_maxblock(),
 * rds_is_allocated(). Each takes rds.lock, runs the heap operation
 * (heap.c) in the caller's transaction or in one of its own, and reports.
 */
#include <stdlib.h>
#include <string.h>

#include "rds_impl.h"

struct rds_state rds = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

/**
 * rds_set_err() - store @code in *@err (if not NULL)
 * @err: the caller's err, or NULL
 * @code: the code
 *
 * Return: @code.
 */
int rds_set_err(int *err, int code)
{
	if (err)
		*err = code;
	return code;
}

/*
 * Start an operation: @tid, or a restore transaction of our own in
 * @own. Return: SUCCESS or RVM's code.
 */
static int rds_op_begin(struct rds_op *op, rvm_tid_t *tid, rvm_tid_t *own)
{
	rvm_return_t ret;

	memset(op, 0, sizeof(*op));
	op->tid = tid;
	if (tid)
		return SUCCESS;
	rvm_init_tid(own);
	ret = rvm_begin_transaction(own, restore);
	if (ret)
		return ret;
	op->tid = own;
	return SUCCESS;
}

/*
 * End an operation that gave @code: our own transaction is committed in
 * @mode on SUCCESS and aborted otherwise. Return: the code for the caller
 * (RVM's code when an RVM call failed; it is also the ERVM_FAILED case).
 */
static int rds_op_end(struct rds_op *op, rvm_tid_t *own, int code,
		      rvm_mode_t mode)
{
	rvm_return_t ret;

	if (code == ERVM_FAILED && op->rvm_err)
		code = op->rvm_err;
	if (op->tid != own)
		return code;
	if (code == SUCCESS) {
		ret = rvm_end_transaction(own, mode);
		if (ret) {
			rvm_abort_transaction(own);
			code = ret;
		}
	} else {
		rvm_abort_transaction(own);
	}
	return code;
}

char *rds_malloc(unsigned long size, rvm_tid_t *tid, int *err)
{
	struct rds_op op;
	rvm_tid_t own;
	char *p = NULL;
	int code;

	pthread_mutex_lock(&rds.lock);
	if (!rds.h) {
		code = EHEAP_INIT;
		goto out;
	}
	code = rds_op_begin(&op, tid, &own);
	if (code)
		goto out;
	code = rds_heap_malloc(&op, size, &p);
	code = rds_op_end(&op, &own, code, no_flush);
	if (code)
		p = NULL;
out:
	pthread_mutex_unlock(&rds.lock);
	RDS_LOG("rds_malloc(%lu, %p) = %p, err %d\n", size, (void *)tid,
		(void *)p, code);
	rds_set_err(err, code);
	return p;
}

int rds_free(char *addr, rvm_tid_t *tid, int *err)
{
	struct rds_op op;
	rvm_tid_t own;
	uint64_t off;
	int code;

	pthread_mutex_lock(&rds.lock);
	if (!rds.h) {
		code = EHEAP_INIT;
		goto out;
	}
	code = rds_addr_block(rds.h, rds.minc, addr, &off);
	if (code)
		goto out;
	code = rds_op_begin(&op, tid, &own);
	if (code)
		goto out;
	code = rds_heap_free(&op, off);
	code = rds_op_end(&op, &own, code, no_flush);
out:
	pthread_mutex_unlock(&rds.lock);
	RDS_LOG("rds_free(%p, %p): err %d\n", (void *)addr, (void *)tid, code);
	return rds_set_err(err, code);
}

int rds_prealloc(unsigned long size, unsigned long nblocks, rvm_tid_t *tid,
		 int *err)
{
	struct rds_op op;
	rvm_tid_t own;
	int code;

	pthread_mutex_lock(&rds.lock);
	if (!rds.h) {
		code = EHEAP_INIT;
		goto out;
	}
	code = rds_op_begin(&op, tid, &own);
	if (code)
		goto out;
	code = rds_heap_prealloc(&op, size, nblocks);
	code = rds_op_end(&op, &own, code, no_flush);
out:
	pthread_mutex_unlock(&rds.lock);
	RDS_LOG("rds_prealloc(%lu, %lu, %p): err %d\n", size, nblocks,
		(void *)tid, code);
	return rds_set_err(err, code);
}

int rds_fake_free(char *addr, intentionList_t *list)
{
	unsigned long size;
	char **table;
	uint64_t off;
	int code;

	if (!list || list->count > list->size ||
	    (list->size && !list->table))
		return EBAD_ARGS;
	pthread_mutex_lock(&rds.lock);
	code = rds.h ? rds_addr_block(rds.h, rds.minc, addr, &off) :
		       EHEAP_INIT;
	pthread_mutex_unlock(&rds.lock);
	if (code)
		return code;
	if (list->count == list->size) {
		size = list->size ? list->size * 2 : STARTSIZE;
		table = realloc(list->table, size * sizeof(*table));
		if (!table)
			return ERVM_FAILED;
		list->table = table;
		list->size = size;
	}
	list->table[list->count++] = addr;
	RDS_LOG("rds_fake_free(%p): %lu listed\n", (void *)addr, list->count);
	return SUCCESS;
}

int rds_do_free(intentionList_t *list, rvm_mode_t mode)
{
	struct rds_op op;
	rvm_tid_t own;
	unsigned long i;
	uint64_t off;
	int code = SUCCESS;

	if (!list || list->count > list->size ||
	    (list->count && !list->table) || (mode != flush &&
					      mode != no_flush))
		return EBAD_ARGS;
	pthread_mutex_lock(&rds.lock);
	if (!rds.h) {
		code = EHEAP_INIT;
		goto out;
	}
	code = rds_op_begin(&op, NULL, &own);
	if (code)
		goto out;
	/*
	 * Each block is checked just before it is freed, so an entry listed
	 * twice is EFREED_TWICE; any error aborts the transaction.
	 */
	for (i = 0; i < list->count && code == SUCCESS; i++) {
		code = rds_addr_block(rds.h, rds.minc, list->table[i], &off);
		if (code == SUCCESS)
			code = rds_heap_free(&op, off);
	}
	code = rds_op_end(&op, &own, code, mode);
out:
	pthread_mutex_unlock(&rds.lock);
	RDS_LOG("rds_do_free(%lu blocks, %s): err %d\n", list->count,
		rvm_mode(mode), code);
	if (code == SUCCESS) {
		free(list->table);
		list->table = NULL;
		list->size = 0;
		list->count = 0;
	}
	return code;
}

int rds_maxblock(unsigned long size)
{
	uint64_t n = 0, run = 0;

	pthread_mutex_lock(&rds.lock);
	if (rds.h) {
		n = rds_chunks(rds.h, rds.minc, size);
		run = rds_heap_maxrun(rds.h);
	}
	pthread_mutex_unlock(&rds.lock);
	return n && run >= n;
}

int rds_is_allocated(char *addr)
{
	uint64_t off;
	int ok = 0;

	pthread_mutex_lock(&rds.lock);
	if (rds.h)
		ok = rds_addr_block(rds.h, rds.minc, addr, &off) == SUCCESS;
	pthread_mutex_unlock(&rds.lock);
	return ok;
}
