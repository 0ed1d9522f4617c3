// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librvm: allocate, initialise, copy and free the classic descriptors
 * (rvm_tid_t, rvm_options_t, rvm_region_t, rvm_statistics_t).
 *
 * from_heap tells rvm_free_*() whether the descriptor is ours to free. A
 * copy is flat, as in the original library: char * fields keep pointing at
 * the caller's strings, which no function here ever frees. The one
 * exception is rvm_options_t.tid_array, which rvm_query() allocates: each
 * descriptor owns its own array, so a copy gets a copy of it and
 * rvm_free_options() frees it.
 *
 * Freed descriptors get their struct_id cleared first, so that a stale
 * pointer to one is more likely to be refused than acted on.
 */
#include <stdlib.h>
#include <string.h>

#include <rvm/rvm.h>

#include "classic_internal.h"

/* rvm_tid_t */

void rvm_init_tid(rvm_tid_t *tid)
{
	if (!tid)
		return;
	memset(tid, 0, sizeof(*tid));
	tid->struct_id = rvm_tid_id;
	tid->from_heap = rvm_false;
}

rvm_tid_t *rvm_malloc_tid(void)
{
	rvm_tid_t *tid = malloc(sizeof(*tid));

	if (!tid)
		return NULL;
	rvm_init_tid(tid);
	tid->from_heap = rvm_true;
	return tid;
}

rvm_tid_t *rvm_copy_tid(const rvm_tid_t *tid)
{
	rvm_tid_t *copy;

	if (rvm_classic_check_tid(tid) != RVM_SUCCESS)
		return NULL;
	copy = malloc(sizeof(*copy));
	if (!copy)
		return NULL;
	*copy = *tid;
	copy->from_heap = rvm_true;
	return copy;
}

rvm_return_t rvm_free_tid(rvm_tid_t *tid)
{
	if (rvm_classic_check_tid(tid) != RVM_SUCCESS || !tid->from_heap)
		return RVM_ETID;
	tid->struct_id = 0;
	free(tid);
	return RVM_SUCCESS;
}

/* rvm_options_t */

void rvm_init_options(rvm_options_t *opts)
{
	if (!opts)
		return;
	memset(opts, 0, sizeof(*opts));
	opts->struct_id = rvm_options_id;
	opts->from_heap = rvm_false;
	opts->log_dev = NULL;
	opts->truncate = TRUNCATE;
	opts->recovery_buf_len = RECOVERY_BUF_LEN;
	opts->flush_buf_len = FLUSH_BUF_LEN;
	opts->max_read_len = MAX_READ_LEN;
	opts->log_empty = rvm_false;
	opts->pager = NULL;
	opts->n_uncommit = 0;
	opts->tid_array = NULL;
	opts->flags = 0;
	opts->create_log_file = rvm_false;
	RVM_ZERO_OFFSET(opts->create_log_size);
	opts->create_log_mode = 0600;
}

rvm_options_t *rvm_malloc_options(void)
{
	rvm_options_t *opts = malloc(sizeof(*opts));

	if (!opts)
		return NULL;
	rvm_init_options(opts);
	opts->from_heap = rvm_true;
	return opts;
}

rvm_options_t *rvm_copy_options(const rvm_options_t *opts)
{
	rvm_options_t *copy;

	if (rvm_classic_check_options(opts) != RVM_SUCCESS)
		return NULL;
	copy = malloc(sizeof(*copy));
	if (!copy)
		return NULL;
	*copy = *opts;
	copy->from_heap = rvm_true;
	copy->tid_array = NULL;
	if (opts->tid_array && opts->n_uncommit > 0) {
		copy->tid_array = calloc((size_t)opts->n_uncommit,
					 sizeof(*copy->tid_array));
		if (!copy->tid_array)
			goto err_free_copy;
		memcpy(copy->tid_array, opts->tid_array,
		       (size_t)opts->n_uncommit * sizeof(*copy->tid_array));
	}
	return copy;

err_free_copy:
	free(copy);
	return NULL;
}

rvm_return_t rvm_free_options(rvm_options_t *opts)
{
	if (rvm_classic_check_options(opts) != RVM_SUCCESS || !opts->from_heap)
		return RVM_EOPTIONS;
	free(opts->tid_array);
	opts->struct_id = 0;
	free(opts);
	return RVM_SUCCESS;
}

/* rvm_region_t */

void rvm_init_region(rvm_region_t *region)
{
	if (!region)
		return;
	memset(region, 0, sizeof(*region));
	region->struct_id = rvm_region_id;
	region->from_heap = rvm_false;
	region->data_dev = NULL;
	RVM_ZERO_OFFSET(region->dev_length);
	RVM_ZERO_OFFSET(region->offset);
	region->vmaddr = NULL;
	region->length = 0;
	region->no_copy = rvm_false;
}

rvm_region_t *rvm_malloc_region(void)
{
	rvm_region_t *region = malloc(sizeof(*region));

	if (!region)
		return NULL;
	rvm_init_region(region);
	region->from_heap = rvm_true;
	return region;
}

rvm_region_t *rvm_copy_region(const rvm_region_t *region)
{
	rvm_region_t *copy;

	if (rvm_classic_check_region(region) != RVM_SUCCESS)
		return NULL;
	copy = malloc(sizeof(*copy));
	if (!copy)
		return NULL;
	*copy = *region;
	copy->from_heap = rvm_true;
	return copy;
}

rvm_return_t rvm_free_region(rvm_region_t *region)
{
	if (rvm_classic_check_region(region) != RVM_SUCCESS ||
	    !region->from_heap)
		return RVM_EREGION;
	region->struct_id = 0;
	free(region);
	return RVM_SUCCESS;
}

/* rvm_statistics_t */

void rvm_init_statistics(rvm_statistics_t *stats)
{
	if (!stats)
		return;
	memset(stats, 0, sizeof(*stats));
	stats->struct_id = rvm_statistics_id;
	stats->from_heap = rvm_false;
}

rvm_statistics_t *rvm_malloc_statistics(void)
{
	rvm_statistics_t *stats = malloc(sizeof(*stats));

	if (!stats)
		return NULL;
	rvm_init_statistics(stats);
	stats->from_heap = rvm_true;
	return stats;
}

rvm_statistics_t *rvm_copy_statistics(const rvm_statistics_t *stats)
{
	rvm_statistics_t *copy;

	if (rvm_classic_check_statistics(stats) != RVM_SUCCESS)
		return NULL;
	copy = malloc(sizeof(*copy));
	if (!copy)
		return NULL;
	*copy = *stats;
	copy->from_heap = rvm_true;
	return copy;
}

rvm_return_t rvm_free_statistics(rvm_statistics_t *stats)
{
	if (rvm_classic_check_statistics(stats) != RVM_SUCCESS ||
	    !stats->from_heap)
		return RVM_ESTATISTICS;
	stats->struct_id = 0;
	free(stats);
	return RVM_SUCCESS;
}
