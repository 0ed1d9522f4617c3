// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librds: rds_check_heap(), a full consistency check of the started heap
 * (a librds extension). It only reads.
 */
#include <stdlib.h>
#include <string.h>

#include "rds_impl.h"

/* What the walk of the block area found at a chunk. */
enum { RDS_NONE, RDS_FREE_START, RDS_ALLOC_START, RDS_LISTED };

/* Walk the block area, marking block starts in @st. */
static int rds_check_blocks(const struct rds_hdr *h, unsigned char *st,
			    rds_check_t *c)
{
	uint64_t off = h->area, end = h->area + h->nchunks * h->chunk;
	uint64_t minc = rds_min_chunks(h->chunk), fc = 0, ac = 0;
	const struct rds_blk *b;
	const struct rds_tail *t;

	while (off < end) {
		b = rds_blk_at(h, off);
		if ((b->guard != RDS_GUARD_FREE && b->guard != RDS_GUARD_ALLOC) ||
		    b->size < minc || b->size > (end - off) / h->chunk)
			return ECORRUPT;
		t = rds_tail_of(h, off, b->size);
		if (t->size != b->size || t->guard != RDS_GUARD_TAIL)
			return ECORRUPT;
		c->blocks++;
		if (b->guard == RDS_GUARD_FREE) {
			st[(off - h->area) / h->chunk] = RDS_FREE_START;
			c->free_blocks++;
			fc += b->size;
		} else {
			st[(off - h->area) / h->chunk] = RDS_ALLOC_START;
			c->alloc_blocks++;
			ac += b->size;
		}
		off += b->size * h->chunk;
	}
	c->free_bytes = fc * h->chunk;
	c->alloc_bytes = ac * h->chunk;
	if (fc != h->free_chunks || ac != h->alloc_chunks)
		return EBAD_LIST;
	return SUCCESS;
}

/* Walk every free list against the marks. */
static int rds_check_lists(const struct rds_hdr *h, unsigned char *st,
			   rds_check_t *c)
{
	uint64_t end = h->area + h->nchunks * h->chunk, i, off, prev, size;
	uint64_t idx;
	const struct rds_blk *b;

	for (i = 0; i < h->nlists; i++) {
		prev = 0;
		for (off = h->lists[i]; off; prev = off, off = b->next) {
			if (off < h->area || off >= end ||
			    (off - h->area) % h->chunk)
				return EBAD_LIST;
			idx = (off - h->area) / h->chunk;
			if (st[idx] != RDS_FREE_START)
				return EBAD_LIST;	/* not free, or twice */
			st[idx] = RDS_LISTED;
			b = rds_blk_at(h, off);
			size = b->size;
			if (b->prev != prev ||
			    (i < h->nlists - 1 ? size != i + 1 :
			     size < h->nlists))
				return EBAD_LIST;
			c->listed++;
		}
	}
	return c->listed == c->free_blocks ? SUCCESS : EBAD_LIST;
}

int rds_check_heap(rds_check_t *out, int *err)
{
	rds_check_t c;
	unsigned char *st;
	int code;

	memset(&c, 0, sizeof(c));
	pthread_mutex_lock(&rds.lock);
	if (!rds.h) {
		code = EHEAP_INIT;
		goto out;
	}
	st = calloc(rds.h->nchunks, 1);
	if (!st) {
		code = ERVM_FAILED;
		goto out;
	}
	code = rds_check_blocks(rds.h, st, &c);
	if (code == SUCCESS)
		code = rds_check_lists(rds.h, st, &c);
	free(st);
out:
	pthread_mutex_unlock(&rds.lock);
	if (out)
		*out = c;
	return rds_set_err(err, code);
}
