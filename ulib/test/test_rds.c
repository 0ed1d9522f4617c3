// SPDX-License-Identifier: GPL-2.0
/*
 * test_rds: unit tests of the RDS heap (librds) on the host, over the
 * stand-in transaction calls of rvm_mock.h, which also check that every
 * byte a heap call changes was declared in its transaction and that an
 * abort restores the heap exactly. Cases: formats and bad arguments,
 * random allocation patterns with the heap checked throughout,
 * fragmentation and coalescing, maxblock, prealloc and the coalescing
 * pass, bad pointers, double frees and damaged guards (each refused with
 * its code and the heap left byte for byte as it was), the caller's
 * transaction aborted, fake_free/do_free, and RVM failures injected
 * midway.
 */
#include "rvm_mock.h"

#include <rvm/rds.h>

#define HEAP_LEN	(1UL << 20)
#define CHUNK		32
#define NLISTS		16

static char *heap;
static char *before;

static void snap(void)
{
	memcpy(before, heap, HEAP_LEN);
}

static bool unchanged(void)
{
	return !memcmp(before, heap, HEAP_LEN);
}

static void fresh(unsigned long chunk, unsigned long nlists)
{
	int err = 1;

	rds_stop_heap(&err);
	memset(heap, 0x5a, HEAP_LEN);
	rds_init_heap(heap, HEAP_LEN, chunk, nlists, NULL, &err);
	t_eq(err, SUCCESS);
	rds_start_heap(heap, &err);
	t_eq(err, SUCCESS);
	rds_clear_stats(&err);
}

static rds_check_t check_ok(void)
{
	rds_stats_t st;
	rds_check_t c;
	int err = 1;

	rds_check_heap(&c, &err);
	t_check(err == SUCCESS, "rds_check_heap: %d", err);
	rds_get_stats(&st);
	t_eq(c.free_bytes, st.freebytes);	/* the header's counters */
	t_eq(c.alloc_bytes, st.mallocbytes);
	t_eq(c.listed, c.free_blocks);
	t_eq(c.blocks, c.free_blocks + c.alloc_blocks);
	return c;
}

static void test_format(void)
{
	struct { uint64_t magic, version; } *h = (void *)heap;
	rds_check_t c;
	char *p;
	int err;

	t_begin("format, start, bad arguments");
	rds_stop_heap(&err);
	p = rds_malloc(10, NULL, &err);
	t_check(!p && err == EHEAP_INIT, "malloc before start: %d", err);
	t_eq(rds_free(heap + 64, NULL, &err), EHEAP_INIT);
	t_eq(rds_init_heap(heap, HEAP_LEN, 12, NLISTS, NULL, &err), EBAD_ARGS);
	t_eq(rds_init_heap(heap, HEAP_LEN, CHUNK, 1, NULL, &err), EBAD_ARGS);
	t_eq(rds_init_heap(heap, 200, CHUNK, NLISTS, NULL, &err), EBAD_ARGS);
	t_eq(rds_init_heap(heap + 1, HEAP_LEN - 8, CHUNK, NLISTS, NULL, &err),
	     EBAD_ARGS);
	memset(heap, 0, HEAP_LEN);
	t_eq(rds_start_heap(heap, &err), EBAD_SEGMENT_HDR);
	fresh(CHUNK, NLISTS);
	c = check_ok();
	t_eq(c.blocks, 1);
	t_eq(c.free_blocks, 1);
	t_check(c.free_bytes > HEAP_LEN - 4096 && c.free_bytes <= HEAP_LEN,
		"free bytes %lu", c.free_bytes);
	t_eq(rds_start_heap(heap, &err), SUCCESS);	/* again: fine */
	t_eq(rds_start_heap(heap + 4096, &err), EBAD_ARGS);
	t_eq(rds_init_heap(heap, HEAP_LEN, CHUNK, NLISTS, NULL, &err),
	     EBAD_ARGS);			/* the heap in use */
	rds_stop_heap(&err);
	h->version = 99;
	t_eq(rds_start_heap(heap, &err), EHEAP_VERSION_SKEW);
	t_eq(err, EHEAP_VERSION_SKEW);
	h->version = RDS_HEAP_VERSION;
	t_eq(rds_start_heap(heap, &err), SUCCESS);
	t_eq(rds_stop_heap(&err), SUCCESS);
	t_eq(rds_stop_heap(&err), EHEAP_INIT);
	t_end();
}

struct live {
	char *p;
	unsigned long size;
	unsigned char fill;
};

static int cmp_live(const void *a, const void *b)
{
	const struct live *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

/* Write @l's fill into its bytes, in a transaction as a program would. */
static void fill(struct live *l)
{
	rvm_tid_t t;

	rvm_init_tid(&t);
	rvm_begin_transaction(&t, restore);
	rvm_set_range(&t, l->p, l->size);
	memset(l->p, l->fill, l->size);
	rvm_end_transaction(&t, no_flush);
}

static bool filled(const struct live *l)
{
	unsigned long i;

	for (i = 0; i < l->size; i++)
		if ((unsigned char)l->p[i] != l->fill)
			return false;
	return true;
}

static void test_random(void)
{
	static struct live live[2000];
	unsigned long n = 0, i, k, ops, nomem = 0, bad = 0;
	struct live tmp[2000];
	rds_check_t c;
	int err;

	t_begin("random allocation patterns: blocks disjoint, contents kept, heap sound");
	fresh(CHUNK, NLISTS);
	for (ops = 0; ops < 20000; ops++) {
		if (n < 2000 && (n == 0 || t_rand() % 100 < 55)) {
			unsigned long size = t_rand() % 4 ? t_rand() % 300 :
					     t_rand() % 20000;
			char *p = rds_malloc(size, NULL, &err);

			if (!p) {
				t_check(err == ENO_ROOM, "malloc: %d", err);
				nomem++;
				continue;
			}
			t_check((uintptr_t)p % 8 == 0, "unaligned %p", p);
			live[n].p = p;
			live[n].size = size;
			live[n].fill = (unsigned char)t_rand();
			fill(&live[n]);
			n++;
		} else {
			k = t_rand() % n;
			if (!filled(&live[k]))
				bad++;
			t_eq(rds_free(live[k].p, NULL, &err), SUCCESS);
			live[k] = live[--n];
		}
		if (ops % 500 == 0) {
			c = check_ok();
			t_eq(c.alloc_blocks, n);
			memcpy(tmp, live, n * sizeof(*tmp));
			qsort(tmp, n, sizeof(*tmp), cmp_live);
			for (i = 1; i < n; i++)
				t_check(tmp[i - 1].p + tmp[i - 1].size <=
					tmp[i].p, "blocks overlap");
		}
	}
	t_eq(bad, 0);
	for (i = 0; i < n; i++) {
		t_check(filled(&live[i]), "block %lu lost its contents", i);
		t_eq(rds_free(live[i].p, NULL, &err), SUCCESS);
	}
	c = check_ok();
	t_eq(c.alloc_blocks, 0);
	t_eq(c.blocks, 1);	/* everything coalesced back */
	t_eq(mock_violations, 0);
	printf("# %lu ops, %lu ENO_ROOM\n", ops, nomem);
	t_end();
}

static void test_coalesce(void)
{
	static char *p[40000];
	unsigned long n = 0, i, total;
	rds_stats_t st;
	rds_check_t c;
	int err;

	t_begin("fragmentation and coalescing, maxblock");
	fresh(CHUNK, NLISTS);
	c = check_ok();
	total = c.free_bytes;
	t_eq(rds_maxblock(total - 64), 1);
	t_eq(rds_maxblock(total + 1), 0);
	t_eq(rds_maxblock(HEAP_LEN * 2), 0);
	while (n < 40000 && (p[n] = rds_malloc(100, NULL, &err)))
		n++;
	t_eq(err, ENO_ROOM);
	t_check(n > 1000, "only %lu blocks of 100", n);
	t_eq(rds_maxblock(100), 0);
	c = check_ok();
	t_eq(c.alloc_blocks, n);
	/* Every other one: holes that cannot merge. */
	for (i = 0; i < n; i += 2)
		t_eq(rds_free(p[i], NULL, &err), SUCCESS);
	c = check_ok();
	t_eq(c.free_blocks, (n + 1) / 2 + (c.free_blocks > (n + 1) / 2));
	t_eq(rds_maxblock(100), 1);
	t_eq(rds_maxblock(300), 0);	/* fragmented: no run that long */
	t_check(!rds_malloc(300, NULL, &err) && err == ENO_ROOM,
		"malloc 300 in a fragmented heap: %d", err);
	rds_get_stats(&st);
	t_eq(st.unmerged, (n + 1) / 2);
	/* The rest: each merges with both neighbours. */
	for (i = 1; i < n; i += 2)
		t_eq(rds_free(p[i], NULL, &err), SUCCESS);
	c = check_ok();
	t_eq(c.blocks, 1);
	t_eq(c.free_bytes, total);
	rds_get_stats(&st);
	t_eq(st.merged, n / 2);
	t_eq(st.freebytes, total);
	t_eq(st.mallocbytes, 0);
	t_eq(rds_maxblock(total - 64), 1);
	t_eq(mock_violations, 0);
	t_end();
}

static void test_prealloc(void)
{
	char *p[20], *big;
	rds_stats_t st;
	rds_check_t c, c0;
	unsigned long i;
	int err;

	t_begin("prealloc, hits, and the coalescing pass");
	fresh(CHUNK, NLISTS);
	c0 = check_ok();
	t_eq(rds_prealloc(100, 10, NULL, &err), SUCCESS);
	c = check_ok();
	t_eq(c.free_blocks, 11);
	t_eq(c.free_bytes, c0.free_bytes);
	for (i = 0; i < 10; i++)
		p[i] = rds_malloc(100, NULL, &err);
	rds_get_stats(&st);
	t_eq(st.prealloc, 1);
	t_eq(st.hits, 10);
	t_eq(st.misses, 0);
	for (i = 0; i < 10; i++)
		rds_free(p[i], NULL, &err);
	c = check_ok();
	t_eq(c.blocks, 1);
	/* Preallocate the whole heap in small blocks: adjacent free blocks. */
	snap();
	t_eq(rds_prealloc(1000, 100000, NULL, &err), ENO_ROOM);
	t_check(unchanged(), "a failed prealloc changed the heap");
	while (rds_prealloc(1000, 1, NULL, &err) == SUCCESS)
		;
	c = check_ok();
	t_check(c.free_blocks > 500, "%lu free blocks", c.free_blocks);
	t_eq(rds_maxblock(200000), 1);		/* a run of them */
	big = rds_malloc(200000, NULL, &err);
	t_check(big && err == SUCCESS, "malloc after prealloc: %d", err);
	rds_get_stats(&st);
	t_check(st.coalesce >= 1, "no coalescing pass");
	t_eq(st.large_list, 1);
	t_eq(st.large_misses, 1);
	c = check_ok();
	t_eq(c.alloc_blocks, 1);
	t_eq(rds_free(big, NULL, &err), SUCCESS);
	check_ok();
	t_eq(mock_violations, 0);
	t_end();
}

/* Expect rds_free(@p) to fail with @code and change nothing. */
static void free_fails(char *p, int code, const char *what)
{
	int err = 0, ret;

	snap();
	ret = rds_free(p, NULL, &err);
	t_check(ret == code && err == code, "%s: %d, want %d", what, ret, code);
	t_check(unchanged(), "%s changed the heap", what);
}

static void test_bad(void)
{
	char *a, *b, *c, *d;
	uint64_t *g, save;
	rds_check_t k;
	int err;

	t_begin("bad pointers, double frees, damaged guards: refused, heap unchanged");
	fresh(CHUNK, NLISTS);
	a = rds_malloc(100, NULL, &err);
	b = rds_malloc(100, NULL, &err);
	c = rds_malloc(100, NULL, &err);
	d = rds_malloc(100, NULL, &err);
	free_fails(NULL, EBAD_ARGS, "free(NULL)");
	free_fails(a + 8, EBAD_ARGS, "free inside a block");
	free_fails(a + 1, EBAD_ARGS, "free of an unaligned address");
	free_fails(heap, EBAD_ARGS, "free of the heap header");
	free_fails(heap + HEAP_LEN + 64, EBAD_ARGS, "free past the heap");
	free_fails((char *)&err, EBAD_ARGS, "free of a stack address");
	t_eq(rds_free(b, NULL, &err), SUCCESS);
	free_fails(b, EFREED_TWICE, "double free");
	/* c merges with b on its left: b's head is absorbed, still refused. */
	t_eq(rds_free(c, NULL, &err), SUCCESS);
	free_fails(c, EFREED_TWICE, "double free of a block merged left");
	free_fails(b, EFREED_TWICE, "double free of the merged block");
	/* Damage a's head guard, then its size, then d's tail. */
	g = (uint64_t *)(a - 16);
	save = g[0];
	g[0] ^= 0x10;
	free_fails(a, ECORRUPT, "free with a damaged head guard");
	t_eq(rds_check_heap(&k, &err), ECORRUPT);
	t_eq(rds_is_allocated(a), 0);
	g[0] = save;
	save = g[1];
	g[1] += 1;
	free_fails(a, ECORRUPT, "free with a damaged size");
	g[1] = save;
	g = (uint64_t *)(d - 16);
	g = (uint64_t *)((char *)g + g[1] * CHUNK - 8);	/* tail guard */
	save = *g;
	*g = 0;
	free_fails(d, ECORRUPT, "free with a damaged tail guard");
	t_eq(rds_check_heap(&k, &err), ECORRUPT);
	*g = save;
	t_eq(rds_is_allocated(a), 1);
	t_eq(rds_is_allocated(b), 0);
	t_eq(rds_free(a, NULL, &err), SUCCESS);
	t_eq(rds_free(d, NULL, &err), SUCCESS);
	k = check_ok();
	t_eq(k.blocks, 1);
	/* A damaged free list is found by the check. */
	a = rds_malloc(100, NULL, &err);
	b = rds_malloc(100, NULL, &err);
	rds_free(a, NULL, &err);
	g = (uint64_t *)(a + 8);		/* a's prev link */
	save = *g;
	*g = 16;
	t_eq(rds_check_heap(&k, &err), EBAD_LIST);
	*g = save;
	check_ok();
	t_eq(mock_violations, 0);
	t_end();
}

static void test_tid(void)
{
	char *p, *q, *r;
	rvm_tid_t t;
	int err;

	t_begin("in the caller's transaction: an abort undoes malloc and free");
	fresh(CHUNK, NLISTS);
	p = rds_malloc(500, NULL, &err);
	snap();
	rvm_init_tid(&t);
	rvm_begin_transaction(&t, restore);
	q = rds_malloc(1000, &t, &err);
	t_check(q && err == SUCCESS, "malloc in a tid: %d", err);
	r = rds_malloc(50, &t, &err);
	t_eq(rds_free(p, &t, &err), SUCCESS);
	t_eq(rds_free(p, &t, &err), EFREED_TWICE);
	t_eq(rds_free(r, &t, &err), SUCCESS);
	rvm_abort_transaction(&t);
	t_check(unchanged(), "the abort did not restore the heap");
	t_eq(rds_is_allocated(p), 1);
	check_ok();
	/* Committed, it stays. */
	rvm_begin_transaction(&t, restore);
	q = rds_malloc(1000, &t, &err);
	t_eq(rds_free(p, &t, &err), SUCCESS);
	rvm_end_transaction(&t, flush);
	t_eq(rds_is_allocated(q), 1);
	t_eq(rds_is_allocated(p), 0);
	check_ok();
	t_eq(mock_violations, 0);
	t_end();
}

static void test_intentions(void)
{
	intentionList_t l = { 0, 0, NULL };
	char *p[300];
	rvm_tid_t t;
	rds_check_t c;
	unsigned long i;
	int err;

	t_begin("fake_free and do_free: all or nothing");
	fresh(CHUNK, NLISTS);
	for (i = 0; i < 300; i++)
		p[i] = rds_malloc(40 + i, NULL, &err);
	/* The deciding transaction aborts: the list is dropped, nothing freed. */
	snap();
	rvm_init_tid(&t);
	rvm_begin_transaction(&t, restore);
	for (i = 0; i < 10; i++)
		t_eq(rds_fake_free(p[i], &l), SUCCESS);
	rvm_abort_transaction(&t);
	free(l.table);
	memset(&l, 0, sizeof(l));
	t_check(unchanged(), "fake_free changed the heap");
	for (i = 0; i < 10; i++)
		t_eq(rds_is_allocated(p[i]), 1);
	/* A duplicate entry: EFREED_TWICE, and nothing freed. */
	for (i = 0; i < 5; i++)
		rds_fake_free(p[i], &l);
	rds_fake_free(p[2], &l);
	snap();
	t_eq(rds_do_free(&l, flush), EFREED_TWICE);
	t_check(unchanged(), "a failed do_free freed something");
	t_eq(l.count, 6);
	free(l.table);
	memset(&l, 0, sizeof(l));
	/* A bad entry. */
	rds_fake_free(p[0], &l);
	l.table[0] = p[0] + 8;
	t_eq(rds_do_free(&l, flush), EBAD_ARGS);
	t_check(unchanged(), "a failed do_free freed something");
	free(l.table);
	memset(&l, 0, sizeof(l));
	t_eq(rds_do_free(&l, restore), EBAD_ARGS);
	/* More than STARTSIZE: the table grows; all freed in one go. */
	for (i = 0; i < 300; i++)
		t_eq(rds_fake_free(p[i], &l), SUCCESS);
	t_check(l.size >= 300 && l.count == 300, "size %lu count %lu", l.size,
		l.count);
	t_eq(rds_fake_free(heap + 3, &l), EBAD_ARGS);
	t_eq(rds_do_free(&l, no_flush), SUCCESS);
	t_check(!l.table && !l.count && !l.size, "list not emptied");
	t_eq(rds_fake_free(p[0], &l), EFREED_TWICE);
	c = check_ok();
	t_eq(c.alloc_blocks, 0);
	t_eq(c.blocks, 1);
	t_eq(mock_violations, 0);
	t_end();
}

static void test_rvm_failure(void)
{
	char *p[50], *q;
	unsigned long k, i, fails = 0;
	intentionList_t l = { 0, 0, NULL };
	int err;

	t_begin("an RVM call failing midway: own transaction aborted, heap unchanged");
	fresh(CHUNK, NLISTS);
	for (i = 0; i < 50; i++)
		p[i] = rds_malloc(t_rand() % 2000, NULL, &err);
	for (i = 0; i < 50; i += 3)
		rds_free(p[i], NULL, &err);
	for (k = 0; k < 12; k++) {
		snap();
		mock_fail_after = (long)k;
		q = rds_malloc(3000, NULL, &err);
		if (!q) {
			fails++;
			t_eq(err, RVM_ENO_MEMORY);
			t_check(unchanged(), "failed malloc (after %lu) changed the heap", k);
		}
		mock_fail_after = -1;
		if (q)
			rds_free(q, NULL, &err);
		snap();
		mock_fail_after = (long)k;
		if (rds_free(p[1], NULL, &err)) {
			fails++;
			t_eq(err, RVM_ENO_MEMORY);
			t_check(unchanged(), "failed free (after %lu) changed the heap", k);
		} else {
			mock_fail_after = -1;
			p[1] = rds_malloc(100, NULL, &err);
		}
		mock_fail_after = -1;
		check_ok();
	}
	t_check(fails >= 4, "only %lu injected failures hit", fails);
	for (i = 1; i < 6; i++)
		if (i % 3)
			rds_fake_free(p[i], &l);
	snap();
	mock_fail_after = 3;
	t_check(rds_do_free(&l, flush) == RVM_ENO_MEMORY, "do_free failing");
	mock_fail_after = -1;
	t_check(unchanged(), "a failed do_free changed the heap");
	t_eq(rds_do_free(&l, flush), SUCCESS);
	check_ok();
	t_eq(mock_violations, 0);
	t_end();
}

static void test_chunks(void)
{
	static const unsigned long chunks[] = { 8, 16, 24, 64, 4096 };
	unsigned long i, j, n;
	char *p[64];
	rds_check_t c;
	int err;

	t_begin("other chunk sizes and list counts");
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		fresh(chunks[i], 2 + i * 40);
		for (j = n = 0; j < 64; j++) {
			p[j] = rds_malloc(t_rand() % 5000, NULL, &err);
			n += !!p[j];
		}
		t_check(n > 32, "chunk %lu: %lu blocks", chunks[i], n);
		c = check_ok();
		t_eq(c.alloc_blocks, n);
		for (j = 0; j < 64; j++)
			if (p[j])
				t_eq(rds_free(p[j], NULL, &err), SUCCESS);
		c = check_ok();
		t_eq(c.blocks, 1);
	}
	t_eq(mock_violations, 0);
	t_end();
}

int main(void)
{
	heap = aligned_alloc(4096, HEAP_LEN);
	before = malloc(HEAP_LEN);
	if (!heap || !before)
		return 1;
	mock_arena(heap, HEAP_LEN);
	test_format();
	test_random();
	test_coalesce();
	test_prealloc();
	test_bad();
	test_tid();
	test_intentions();
	test_rvm_failure();
	test_chunks();
	printf("# %lu commits, %lu aborts, %lu undeclared changes\n",
	       mock_commits, mock_aborts, mock_violations);
	return t_failures || mock_violations ? 1 : 0;
}
