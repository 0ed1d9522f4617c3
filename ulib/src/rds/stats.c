// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librds: statistics and tracing: rds_get_stats(), rds_clear_stats(),
 * rds_print_stats(), rds_trace_on(), rds_trace_off(),
 * rds_trace_dump_heap().
 */
#include <string.h>

#include "rds_impl.h"

int rds_tracing;
FILE *rds_tracing_file;

static unsigned int rds_u32(uint64_t v)
{
	return v > 0xffffffffULL ? 0xffffffffU : (unsigned int)v;
}

int rds_get_stats(rds_stats_t *stats)
{
	int code = SUCCESS;

	if (!stats)
		return EBAD_ARGS;
	pthread_mutex_lock(&rds.lock);
	if (!rds.h) {
		code = EHEAP_INIT;
	} else {
		*stats = rds.stats;
		stats->freebytes = rds_u32(rds.h->free_chunks * rds.h->chunk);
		stats->mallocbytes =
			rds_u32(rds.h->alloc_chunks * rds.h->chunk);
	}
	pthread_mutex_unlock(&rds.lock);
	return code;
}

int rds_clear_stats(int *err)
{
	int code = SUCCESS;

	pthread_mutex_lock(&rds.lock);
	if (rds.h)
		memset(&rds.stats, 0, sizeof(rds.stats));
	else
		code = EHEAP_INIT;
	pthread_mutex_unlock(&rds.lock);
	return rds_set_err(err, code);
}

int rds_print_stats(void)
{
	rds_stats_t s;
	int code = rds_get_stats(&s);

	if (code)
		return code;
	printf("rds statistics:\n"
	       "  malloc %u, prealloc %u, free %u, coalesce %u\n"
	       "  hits %u, misses %u\n"
	       "  large_list %u, large_hits %u, large_misses %u\n"
	       "  merged %u, unmerged %u\n"
	       "  freebytes %u, mallocbytes %u\n",
	       s.malloc, s.prealloc, s.free, s.coalesce, s.hits, s.misses,
	       s.large_list, s.large_hits, s.large_misses, s.merged,
	       s.unmerged, s.freebytes, s.mallocbytes);
	return SUCCESS;
}

int rds_trace_on(FILE *file)
{
	if (!file)
		return EBAD_ARGS;
	rds_tracing_file = file;
	rds_tracing = 1;
	return SUCCESS;
}

int rds_trace_off(void)
{
	rds_tracing = 0;
	return SUCCESS;
}

int rds_trace_dump_heap(void)
{
	FILE *f = rds_tracing_file ? rds_tracing_file : stdout;
	const struct rds_hdr *h;
	const struct rds_blk *b;
	uint64_t off, end, i, n;

	pthread_mutex_lock(&rds.lock);
	h = rds.h;
	if (!h) {
		pthread_mutex_unlock(&rds.lock);
		return EHEAP_INIT;
	}
	end = h->area + h->nchunks * h->chunk;
	fprintf(f, "rds heap at %p: %lu bytes, chunk %lu, %lu lists, %lu chunks (%lu free, %lu allocated)\n",
		(void *)h, (unsigned long)h->length, (unsigned long)h->chunk,
		(unsigned long)h->nlists, (unsigned long)h->nchunks,
		(unsigned long)h->free_chunks,
		(unsigned long)h->alloc_chunks);
	for (off = h->area; off < end; off += b->size * h->chunk) {
		b = rds_blk_at(h, off);
		fprintf(f, "  block +%lu: %lu chunks, %s\n", (unsigned long)off,
			(unsigned long)b->size,
			b->guard == RDS_GUARD_FREE ? "free" :
			b->guard == RDS_GUARD_ALLOC ? "allocated" : "DAMAGED");
		if (!b->size || (b->guard != RDS_GUARD_FREE &&
				 b->guard != RDS_GUARD_ALLOC))
			break;
	}
	for (i = 0; i < h->nlists; i++) {
		if (!h->lists[i])
			continue;
		n = 0;
		for (off = h->lists[i]; off && off < end && n <= h->nchunks;
		     off = rds_blk_at(h, off)->next)
			n++;
		fprintf(f, "  list %lu%s: %lu blocks\n", (unsigned long)i + 1,
			i == h->nlists - 1 ? "+" : "", (unsigned long)n);
	}
	pthread_mutex_unlock(&rds.lock);
	return SUCCESS;
}
