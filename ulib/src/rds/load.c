// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librds: heaps in segments of the segment loader: rds_zap_heap() makes
 * one (rdsinit), rds_load_heap() loads and starts one, rds_unload_heap()
 * stops and releases it. Built on <rvm/rvm_segment.h> only, so it works
 * wherever the segment loader keeps its segments.
 */
#include <stdlib.h>

#include <rvm/rvm_segment.h>

#include "rds_impl.h"

#define RDS_REGIONS	2	/* 0: the heap, 1: the static region */

int rds_zap_heap(char *DevName, rvm_offset_t DevLength, char *startAddr,
		 rvm_length_t staticLength, rvm_length_t heapLength,
		 unsigned long nlists, unsigned long chunkSize, int *err)
{
	rvm_region_def_t defs[RDS_REGIONS], *regions = NULL;
	rvm_length_t page = RVM_PAGE_SIZE;
	unsigned long n = 0;
	rvm_return_t ret, ret2;
	rvm_tid_t tid;
	int code;

	if (!DevName || !startAddr || (uintptr_t)startAddr % page ||
	    !heapLength || !staticLength ||
	    heapLength > ~0UL / 2 || staticLength > ~0UL / 2)
		return rds_set_err(err, EBAD_ARGS);
	heapLength = RVM_ROUND_LENGTH_UP_TO_PAGE_SIZE(heapLength);
	staticLength = RVM_ROUND_LENGTH_UP_TO_PAGE_SIZE(staticLength);
	RVM_INIT_REGION(defs[0], RVM_MK_OFFSET(0, RVM_SEGMENT_HDR_SIZE),
			heapLength, startAddr);
	RVM_INIT_REGION(defs[1],
			RVM_MK_OFFSET(0, RVM_SEGMENT_HDR_SIZE + heapLength),
			staticLength, startAddr + heapLength);
	ret = rvm_create_segment(DevName, DevLength, NULL, RDS_REGIONS, defs);
	if (ret)
		return rds_set_err(err, ret);
	ret = rvm_load_segment(DevName, DevLength, NULL, &n, &regions);
	if (ret)
		return rds_set_err(err, ret);
	if (n != RDS_REGIONS || regions[0].vmaddr != startAddr) {
		code = EBAD_SEGMENT_HDR;
		goto out;
	}
	rvm_init_tid(&tid);
	ret = rvm_begin_transaction(&tid, restore);
	if (ret) {
		code = ret;
		goto out;
	}
	rds_init_heap(startAddr, heapLength, chunkSize, nlists, &tid, &code);
	if (code == SUCCESS) {
		ret = rvm_end_transaction(&tid, flush);
		if (ret)
			code = ret;
	}
	if (code != SUCCESS)
		rvm_abort_transaction(&tid);
out:
	ret2 = rvm_release_segment(n, &regions);
	if (code == SUCCESS && ret2)
		code = ret2;
	RDS_LOG("rds_zap_heap(%s, %p, %lu, %lu, %lu, %lu): err %d\n", DevName,
		(void *)startAddr, staticLength, heapLength, nlists, chunkSize,
		code);
	return rds_set_err(err, code);
}

int rds_load_heap(char *DevName, rvm_offset_t DevLength, char **staticAddr,
		  int *err)
{
	rvm_region_def_t *regions = NULL;
	unsigned long n = 0;
	rvm_return_t ret;
	int code;

	if (!DevName || !staticAddr)
		return rds_set_err(err, EBAD_ARGS);
	pthread_mutex_lock(&rds.lock);
	code = rds.loaded || rds.h ? EBAD_ARGS : SUCCESS;
	pthread_mutex_unlock(&rds.lock);
	if (code)
		return rds_set_err(err, code);
	ret = rvm_load_segment(DevName, DevLength, NULL, &n, &regions);
	if (ret)
		return rds_set_err(err, ret);
	if (n != RDS_REGIONS) {
		rvm_release_segment(n, &regions);
		return rds_set_err(err, EBAD_SEGMENT_HDR);
	}
	rds_start_heap(regions[0].vmaddr, &code);
	if (code) {
		rvm_release_segment(n, &regions);
		return rds_set_err(err, code);
	}
	pthread_mutex_lock(&rds.lock);
	rds.loaded = true;
	rds.nregions = n;
	rds.regions = regions;
	pthread_mutex_unlock(&rds.lock);
	*staticAddr = regions[1].vmaddr;
	RDS_LOG("rds_load_heap(%s): heap %p, static %p\n", DevName,
		(void *)regions[0].vmaddr, (void *)regions[1].vmaddr);
	return rds_set_err(err, SUCCESS);
}

int rds_unload_heap(int *err)
{
	rvm_region_def_t *regions;
	rvm_return_t ret;

	pthread_mutex_lock(&rds.lock);
	if (!rds.loaded) {
		pthread_mutex_unlock(&rds.lock);
		return rds_set_err(err, EHEAP_INIT);
	}
	regions = rds.regions;
	ret = rvm_release_segment(rds.nregions, &regions);
	if (ret) {
		pthread_mutex_unlock(&rds.lock);
		return rds_set_err(err, ret);
	}
	rds.loaded = false;
	rds.regions = NULL;
	rds.nregions = 0;
	rds.h = NULL;
	pthread_mutex_unlock(&rds.lock);
	RDS_LOG("rds_unload_heap()\n");
	return rds_set_err(err, SUCCESS);
}
