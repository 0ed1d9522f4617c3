/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * librds: the heap's in-memory layout and the helpers its files share
 * (heap.c, api.c, init.c, load.c, check.c, stats.c). Not installed. The
 * design is in <rvm/rds.h>.
 */
#ifndef RDS_IMPL_H
#define RDS_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rvm/rds.h>

/* The heap header, at the heap's first byte. */
struct rds_hdr {
	uint64_t magic;
	uint64_t version;
	uint64_t chunk;
	uint64_t nlists;
	uint64_t length;
	uint64_t area;
	uint64_t nchunks;
	uint64_t free_chunks;
	uint64_t alloc_chunks;
	uint64_t reserved;
	uint64_t lists[];
};

/* A block's head and, for a free block, its links. */
struct rds_blk {
	uint64_t guard;
	uint64_t size;
	uint64_t next;		/* free blocks only */
	uint64_t prev;		/* free blocks only */
};

/* A block's last 16 bytes. */
struct rds_tail {
	uint64_t size;
	uint64_t guard;
};

#define RDS_HEAD_BYTES	16	/* user bytes start here */
#define RDS_OVERHEAD	32	/* head + tail */
#define RDS_MIN_BYTES	48	/* head + links + tail */

/**
 * struct rds_op - one heap operation's transaction
 * @tid: the transaction its changes are declared in
 * @rvm_err: the first RVM code a rvm_set_range() gave, 0 if none
 */
struct rds_op {
	rvm_tid_t *tid;
	int rvm_err;
};

/**
 * struct rds_state - the process's view of the started heap
 * @lock: held by every call while it runs
 * @h: the started heap, NULL if none
 * @minc: chunks of the smallest block
 * @loaded: rds_load_heap() loaded the segment (rds_unload_heap() releases)
 * @nregions: the loaded segment's regions
 * @regions: their definitions
 * @stats: the counters (freebytes, mallocbytes unused here)
 */
struct rds_state {
	pthread_mutex_t lock;
	struct rds_hdr *h;
	uint64_t minc;
	bool loaded;
	unsigned long nregions;
	void *regions;
	rds_stats_t stats;
};

extern struct rds_state rds;

/* heap.c: the heap's operations, inside @op's transaction; rds.lock held */
uint64_t rds_chunks(const struct rds_hdr *h, uint64_t minc,
		    unsigned long size);
struct rds_blk *rds_blk_at(const struct rds_hdr *h, uint64_t off);
struct rds_tail *rds_tail_of(const struct rds_hdr *h, uint64_t off,
			     uint64_t size);
int rds_addr_block(const struct rds_hdr *h, uint64_t minc, const char *addr,
		   uint64_t *off);
int rds_heap_malloc(struct rds_op *op, unsigned long size, char **out);
int rds_heap_free(struct rds_op *op, uint64_t off);
int rds_heap_prealloc(struct rds_op *op, unsigned long size,
		      unsigned long nblocks);
uint64_t rds_heap_maxrun(const struct rds_hdr *h);
int rds_heap_format(struct rds_op *op, char *base, uint64_t length,
		    uint64_t chunk, uint64_t nlists);

/* api.c */
int rds_set_err(int *err, int code);

/* heap.c: headers */
uint64_t rds_min_chunks(uint64_t chunk);
int rds_hdr_check(const struct rds_hdr *h);

#endif /* RDS_IMPL_H */
