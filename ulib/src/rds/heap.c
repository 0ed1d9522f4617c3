// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librds: the heap's algorithms (see <rvm/rds.h>): blocks, free lists,
 * splitting and coalescing, allocation, freeing, preallocation and the
 * format. Every change is declared in the operation's transaction
 * (rds_w()) before it is made; every check is made before the first
 * change. The caller holds rds.lock.
 */
#include <stddef.h>
#include <string.h>

#include "rds_impl.h"

/* Declare [p, p + len) in @op's transaction; false once anything failed. */
static bool rds_decl(struct rds_op *op, void *p, size_t len)
{
	rvm_return_t ret;

	if (op->rvm_err)
		return false;
	ret = rvm_set_range(op->tid, p, len);
	if (ret) {
		op->rvm_err = ret;
		return false;
	}
	return true;
}

/* Declare a word and store @v in it (nothing once something failed). */
static void rds_w(struct rds_op *op, uint64_t *p, uint64_t v)
{
	if (*p != v && rds_decl(op, p, sizeof(*p)))
		*p = v;
}

/**
 * rds_min_chunks() - chunks of the smallest block
 * @chunk: the chunk size
 *
 * Return: the chunks that hold RDS_MIN_BYTES.
 */
uint64_t rds_min_chunks(uint64_t chunk)
{
	return (RDS_MIN_BYTES + chunk - 1) / chunk;
}

/**
 * rds_chunks() - chunks of the block that holds @size user bytes
 * @h: the heap
 * @minc: chunks of the smallest block
 * @size: user bytes
 *
 * Return: the chunks, or 0 if no block of the heap could be that big.
 */
uint64_t rds_chunks(const struct rds_hdr *h, uint64_t minc,
		    unsigned long size)
{
	uint64_t n;

	if (size > h->nchunks * h->chunk)
		return 0;
	n = (size + RDS_OVERHEAD + h->chunk - 1) / h->chunk;
	if (n < minc)
		n = minc;
	return n <= h->nchunks ? n : 0;
}

/** rds_blk_at() - Return: the block whose head is at heap offset @off. */
struct rds_blk *rds_blk_at(const struct rds_hdr *h, uint64_t off)
{
	return (struct rds_blk *)((char *)h + off);
}

/** rds_tail_of() - Return: the tail of the block at @off of @size chunks. */
struct rds_tail *rds_tail_of(const struct rds_hdr *h, uint64_t off,
			     uint64_t size)
{
	return (struct rds_tail *)((char *)h + off + size * h->chunk -
				   sizeof(struct rds_tail));
}

static uint64_t rds_area_end(const struct rds_hdr *h)
{
	return h->area + h->nchunks * h->chunk;
}

/*
 * Is there a sound block head at @off (on the chunk grid, its size in
 * bounds, its tail matching)? @guard is its head guard, or 0 for either.
 */
static bool rds_sound(const struct rds_hdr *h, uint64_t minc, uint64_t off,
		      uint64_t guard)
{
	const struct rds_blk *b;
	const struct rds_tail *t;

	if (off < h->area || off >= rds_area_end(h) ||
	    (off - h->area) % h->chunk)
		return false;
	b = rds_blk_at(h, off);
	if (guard ? b->guard != guard :
	    b->guard != RDS_GUARD_ALLOC && b->guard != RDS_GUARD_FREE)
		return false;
	if (b->size < minc || b->size > (rds_area_end(h) - off) / h->chunk)
		return false;
	t = rds_tail_of(h, off, b->size);
	return t->size == b->size && t->guard == RDS_GUARD_TAIL;
}

/**
 * rds_addr_block() - the block rds_malloc() returned @addr for
 * @h: the heap
 * @minc: chunks of the smallest block
 * @addr: the address
 * @off: out: the block's offset
 *
 * Return: SUCCESS (a sound allocated block), EBAD_ARGS (not a block
 * address of the heap), EFREED_TWICE (a free block's head), ECORRUPT
 * (a block address whose guards or sizes are damaged).
 */
int rds_addr_block(const struct rds_hdr *h, uint64_t minc, const char *addr,
		   uint64_t *off)
{
	uintptr_t a = (uintptr_t)addr, base = (uintptr_t)h;
	uint64_t o;

	if (a < base + h->area + RDS_HEAD_BYTES || a >= base + rds_area_end(h))
		return EBAD_ARGS;
	o = a - base - RDS_HEAD_BYTES;
	if ((o - h->area) % h->chunk)
		return EBAD_ARGS;
	if (rds_blk_at(h, o)->guard == RDS_GUARD_FREE)
		return EFREED_TWICE;
	if (!rds_sound(h, minc, o, RDS_GUARD_ALLOC))
		return ECORRUPT;
	*off = o;
	return SUCCESS;
}

/* The list a free block of @size chunks belongs on. */
static uint64_t rds_list_of(const struct rds_hdr *h, uint64_t size)
{
	return size < h->nlists ? size - 1 : h->nlists - 1;
}

/* Write a block's head and tail. */
static void rds_mark(struct rds_op *op, struct rds_hdr *h, uint64_t off,
		     uint64_t size, uint64_t guard)
{
	struct rds_blk *b = rds_blk_at(h, off);
	struct rds_tail *t = rds_tail_of(h, off, size);

	rds_w(op, &b->guard, guard);
	rds_w(op, &b->size, size);
	rds_w(op, &t->size, size);
	rds_w(op, &t->guard, RDS_GUARD_TAIL);
}

/* Push the free block at @off (its head written) on its list. */
static void rds_push(struct rds_op *op, struct rds_hdr *h, uint64_t off)
{
	struct rds_blk *b = rds_blk_at(h, off);
	uint64_t *head = &h->lists[rds_list_of(h, b->size)];

	rds_w(op, &b->next, *head);
	rds_w(op, &b->prev, 0);
	if (*head)
		rds_w(op, &rds_blk_at(h, *head)->prev, off);
	rds_w(op, head, off);
}

/* Take the free block at @off off its list. */
static void rds_unlink(struct rds_op *op, struct rds_hdr *h, uint64_t off)
{
	struct rds_blk *b = rds_blk_at(h, off);

	if (b->prev)
		rds_w(op, &rds_blk_at(h, b->prev)->next, b->next);
	else
		rds_w(op, &h->lists[rds_list_of(h, b->size)], b->next);
	if (b->next)
		rds_w(op, &rds_blk_at(h, b->next)->prev, b->prev);
}

/*
 * Find a free block of at least @n chunks, not on list @skip (a list
 * index, or nlists for none): the exact list, then the large list (first
 * fit), then the bigger small lists. Return its offset, 0 if none.
 */
static uint64_t rds_find(const struct rds_hdr *h, uint64_t n, uint64_t skip)
{
	uint64_t i, off, large = h->nlists - 1;

	if (n < h->nlists && n - 1 != skip && h->lists[n - 1])
		return h->lists[n - 1];
	if (large != skip)
		for (off = h->lists[large]; off; off = rds_blk_at(h, off)->next)
			if (rds_blk_at(h, off)->size >= n)
				return off;
	for (i = n; i < large; i++)
		if (i != skip && h->lists[i])
			return h->lists[i];
	return 0;
}

/* Merge every run of adjacent free blocks; Return: merges made. */
static unsigned long rds_coalesce(struct rds_op *op, struct rds_hdr *h)
{
	uint64_t off = h->area, end = rds_area_end(h), next, size;
	unsigned long merges = 0;
	struct rds_blk *b;

	while (off < end && !op->rvm_err) {
		b = rds_blk_at(h, off);
		size = b->size;
		if (!size)
			break;		/* damaged: stop, never loop */
		next = off + size * h->chunk;
		if (b->guard != RDS_GUARD_FREE || next >= end ||
		    rds_blk_at(h, next)->guard != RDS_GUARD_FREE) {
			off = next;
			continue;
		}
		rds_unlink(op, h, off);
		while (next < end &&
		       rds_blk_at(h, next)->guard == RDS_GUARD_FREE) {
			rds_unlink(op, h, next);
			size += rds_blk_at(h, next)->size;
			next = off + size * h->chunk;
			merges++;
		}
		rds_mark(op, h, off, size, RDS_GUARD_FREE);
		rds_push(op, h, off);
		off = next;
	}
	return merges;
}

/*
 * Take the free block at @off (on its list) for @n chunks: split off the
 * rest when it makes a block, leave the front with its head unwritten.
 * Return: the chunks the front has.
 */
static uint64_t rds_take(struct rds_op *op, struct rds_hdr *h, uint64_t off,
			 uint64_t n, uint64_t minc)
{
	uint64_t size = rds_blk_at(h, off)->size, rest;

	rds_unlink(op, h, off);
	if (size - n < minc)
		return size;
	rest = off + n * h->chunk;
	rds_mark(op, h, rest, size - n, RDS_GUARD_FREE);
	rds_push(op, h, rest);
	return n;
}

/**
 * rds_heap_malloc() - rds_malloc() inside @op
 * @op: the transaction
 * @size: user bytes
 * @out: out: the block's user address
 *
 * Return: SUCCESS, ENO_ROOM, or ERVM_FAILED (op->rvm_err set).
 */
int rds_heap_malloc(struct rds_op *op, unsigned long size, char **out)
{
	struct rds_hdr *h = rds.h;
	uint64_t n = rds_chunks(h, rds.minc, size), off, got;
	bool large = n >= h->nlists || !n;

	if (large)
		rds.stats.large_list++;
	off = n ? rds_find(h, n, h->nlists) : 0;
	if (off && !large) {
		if (rds_blk_at(h, off)->size == n)
			rds.stats.hits++;
		else
			rds.stats.misses++;
	}
	if (!off && n) {
		rds.stats.coalesce++;
		if (rds_coalesce(op, h))
			off = rds_find(h, n, h->nlists);
		if (op->rvm_err)
			return ERVM_FAILED;
		if (!large)
			rds.stats.misses++;
		else
			rds.stats.large_misses++;
	} else if (off && large) {
		rds.stats.large_hits++;
	}
	if (!off)
		return ENO_ROOM;
	got = rds_take(op, h, off, n, rds.minc);
	rds_mark(op, h, off, got, RDS_GUARD_ALLOC);
	rds_w(op, &h->free_chunks, h->free_chunks - got);
	rds_w(op, &h->alloc_chunks, h->alloc_chunks + got);
	if (op->rvm_err)
		return ERVM_FAILED;
	rds.stats.malloc++;
	*out = (char *)h + off + RDS_HEAD_BYTES;
	return SUCCESS;
}

/**
 * rds_heap_free() - free the sound allocated block at @off inside @op
 * @op: the transaction
 * @off: the block (checked by rds_addr_block())
 *
 * Return: SUCCESS or ERVM_FAILED.
 */
int rds_heap_free(struct rds_op *op, uint64_t off)
{
	struct rds_hdr *h = rds.h;
	uint64_t size = rds_blk_at(h, off)->size, start = off, next, left;
	const struct rds_tail *lt;
	bool merged = false;

	rds_w(op, &h->alloc_chunks, h->alloc_chunks - size);
	rds_w(op, &h->free_chunks, h->free_chunks + size);
	next = off + size * h->chunk;
	if (next < rds_area_end(h) &&
	    rds_sound(h, rds.minc, next, RDS_GUARD_FREE)) {
		rds_unlink(op, h, next);
		size += rds_blk_at(h, next)->size;
		merged = true;
	}
	if (off > h->area) {
		lt = (const struct rds_tail *)((char *)h + off - sizeof(*lt));
		if (lt->guard == RDS_GUARD_TAIL &&
		    lt->size <= (off - h->area) / h->chunk) {
			left = off - lt->size * h->chunk;
			if (rds_sound(h, rds.minc, left, RDS_GUARD_FREE) &&
			    rds_blk_at(h, left)->size == lt->size) {
				rds_unlink(op, h, left);
				size += lt->size;
				start = left;
				merged = true;
			}
		}
	}
	/* The freed head stays RDS_GUARD_FREE even when absorbed. */
	rds_w(op, &rds_blk_at(h, off)->guard, RDS_GUARD_FREE);
	rds_mark(op, h, start, size, RDS_GUARD_FREE);
	rds_push(op, h, start);
	if (op->rvm_err)
		return ERVM_FAILED;
	rds.stats.free++;
	if (merged)
		rds.stats.merged++;
	else
		rds.stats.unmerged++;
	return SUCCESS;
}

/**
 * rds_heap_prealloc() - rds_prealloc() inside @op
 * @op: the transaction
 * @size: user bytes of each block
 * @nblocks: how many
 *
 * Return: SUCCESS, ENO_ROOM (the blocks carved so far stay), ERVM_FAILED.
 */
int rds_heap_prealloc(struct rds_op *op, unsigned long size,
		      unsigned long nblocks)
{
	struct rds_hdr *h = rds.h;
	uint64_t n = rds_chunks(h, rds.minc, size), off, got;
	unsigned long i;

	if (!n)
		return nblocks ? ENO_ROOM : SUCCESS;
	for (i = 0; i < nblocks; i++) {
		/*
		 * From a block that splits into n and a rest (never one of
		 * exactly n chunks: that is a preallocated one already).
		 */
		off = rds_find(h, n + rds.minc, h->nlists);
		if (!off)
			return op->rvm_err ? ERVM_FAILED : ENO_ROOM;
		got = rds_take(op, h, off, n, rds.minc);
		rds_mark(op, h, off, got, RDS_GUARD_FREE);
		rds_push(op, h, off);
		if (op->rvm_err)
			return ERVM_FAILED;
	}
	rds.stats.prealloc++;
	return SUCCESS;
}

/**
 * rds_heap_maxrun() - the longest run of adjacent free blocks
 * @h: the heap
 *
 * Return: its length in chunks.
 */
uint64_t rds_heap_maxrun(const struct rds_hdr *h)
{
	uint64_t off = h->area, end = rds_area_end(h), run = 0, best = 0;
	const struct rds_blk *b;

	while (off < end) {
		b = rds_blk_at(h, off);
		if (!b->size)
			break;		/* damaged: stop, never loop */
		if (b->guard == RDS_GUARD_FREE) {
			run += b->size;
			if (run > best)
				best = run;
		} else {
			run = 0;
		}
		off += b->size * h->chunk;
	}
	return best;
}

/**
 * rds_hdr_check() - is @h a heap header librds can use?
 * @h: the header
 *
 * Return: SUCCESS, EBAD_SEGMENT_HDR, or EHEAP_VERSION_SKEW.
 */
int rds_hdr_check(const struct rds_hdr *h)
{
	uint64_t hdr;

	if (h->magic != RDS_HEAP_MAGIC)
		return EBAD_SEGMENT_HDR;
	if (h->version != RDS_HEAP_VERSION)
		return EHEAP_VERSION_SKEW;
	if (h->chunk < 8 || h->chunk % 8 || h->nlists < 2 ||
	    h->nlists > RDS_MAX_LISTS)
		return EBAD_SEGMENT_HDR;
	hdr = offsetof(struct rds_hdr, lists) + h->nlists * 8;
	if (h->area < hdr || h->area % h->chunk || h->area > h->length ||
	    h->nchunks < rds_min_chunks(h->chunk) ||
	    h->nchunks > (h->length - h->area) / h->chunk ||
	    h->free_chunks + h->alloc_chunks != h->nchunks)
		return EBAD_SEGMENT_HDR;
	return SUCCESS;
}

/**
 * rds_heap_format() - write a new heap at @base inside @op
 * @op: the transaction
 * @base: the heap's first byte
 * @length: its bytes
 * @chunk: the chunk size
 * @nlists: the free lists
 *
 * Return: SUCCESS, EBAD_ARGS, ERVM_FAILED.
 */
int rds_heap_format(struct rds_op *op, char *base, uint64_t length,
		    uint64_t chunk, uint64_t nlists)
{
	struct rds_hdr *h = (struct rds_hdr *)base;
	uint64_t hdr, area, nchunks;

	if (!base || (uintptr_t)base % 8 || chunk < 8 || chunk % 8 ||
	    chunk > (1UL << 30) || nlists < 2 || nlists > RDS_MAX_LISTS)
		return EBAD_ARGS;
	hdr = offsetof(struct rds_hdr, lists) + nlists * 8;
	area = (hdr + chunk - 1) / chunk * chunk;
	if (length < area)
		return EBAD_ARGS;
	nchunks = (length - area) / chunk;
	if (nchunks < rds_min_chunks(chunk))
		return EBAD_ARGS;
	if (!rds_decl(op, base, hdr))
		return ERVM_FAILED;
	memset(base, 0, hdr);
	h->version = RDS_HEAP_VERSION;
	h->chunk = chunk;
	h->nlists = nlists;
	h->length = length;
	h->area = area;
	h->nchunks = nchunks;
	h->free_chunks = nchunks;
	h->alloc_chunks = 0;
	rds_mark(op, h, area, nchunks, RDS_GUARD_FREE);
	rds_push(op, h, area);
	h->magic = RDS_HEAP_MAGIC;
	return op->rvm_err ? ERVM_FAILED : SUCCESS;
}
