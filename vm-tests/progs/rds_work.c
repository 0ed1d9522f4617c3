// SPDX-License-Identifier: GPL-2.0
/*
 * rds_work: an RDS workload for the crash scenarios: a linked list of
 * heap blocks, built, changed and freed in transactions, some of them
 * aborted, in a segment made by rdsinit. Run in the test VM.
 *
 *   rds_work mklog LOG LOGLEN
 *	rvm_create_log() (a block device or a file)
 *   rds_work check LOG SEG [--acked N]
 *	rds_load_heap(), finish the frees a crash interrupted, then check:
 *	rds_check_heap() passes (every block free or allocated once, lists
 *	and totals sound); every node on the list is an allocated block,
 *	reached once, with its checksum; the root's counts add up; every
 *	allocated block is a node on the list or a pending free; the last
 *	committed sequence number is at least N.
 *   rds_work run LOG SEG --seed S [--seconds T] [--ack FILE]
 *	random transactions until killed (or T seconds): insert nodes
 *	(rds_malloc in the transaction), delete nodes (rds_free in it),
 *	rewrite nodes; about 15% are aborted, each checked to leave the list
 *	and the heap exactly as before; some decide frees with rds_fake_free
 *	and abort (nothing freed); some free through rds_do_free after a
 *	committed unlink (the root's pending slots make that crash-safe).
 *	After each durable commit, "ack SEQ" goes to FILE.
 *
 * Exit: 0 pass, 1 check failed ("rds-check: VIOLATION ..." lines), 2
 * usage, 3 an RVM or RDS call failed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rvm/rds.h>

#define ROOT_MAGIC	0x544f4f5253445221ULL
#define NPENDING	8
#define MAX_NODES	4000

struct node {
	struct node *next;
	uint64_t seq;		/* the transaction that made or rewrote it */
	uint64_t len;		/* payload bytes */
	uint64_t sum;		/* checksum of seq, len and payload */
	unsigned char payload[];
};

/* The static region's start. */
struct root {
	uint64_t magic;
	uint64_t seq;		/* committed transactions */
	struct node *head;
	uint64_t count;
	uint64_t bytes;		/* payload bytes on the list */
	struct node *pending[NPENDING];	/* unlinked, to be freed */
};

static struct root *root;
static unsigned long violations;
static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void violation(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void violation(const char *fmt, ...)
{
	va_list ap;

	printf("rds-check: VIOLATION: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	violations++;
}

static void die(const char *what, int code)
{
	printf("rds_work: %s failed: %d (%s)\n", what, code,
	       code > 0 ? rvm_return(code) : "rds");
	fflush(stdout);
	exit(3);
}

static uint64_t node_sum(const struct node *n)
{
	uint64_t h = 1469598103934665603ULL ^ n->seq ^ (n->len << 32);
	uint64_t i;

	for (i = 0; i < n->len; i++)
		h = (h ^ n->payload[i]) * 1099511628211ULL;
	return h;
}

static void start(const char *log, const char *seg)
{
	rvm_options_t *o = rvm_malloc_options();
	char *stat;
	int err;

	o->log_dev = (char *)log;
	err = RVM_INIT(o);
	if (err)
		die("rvm_initialize", err);
	rds_load_heap((char *)seg, RVM_MK_OFFSET(0, 0), &stat, &err);
	if (err)
		die("rds_load_heap", err);
	root = (struct root *)stat;
}

static void begin(rvm_tid_t *t)
{
	int err;

	rvm_init_tid(t);
	err = rvm_begin_transaction(t, restore);
	if (err)
		die("rvm_begin_transaction", err);
}

static void set(rvm_tid_t *t, void *p, size_t len)
{
	int err = rvm_set_range(t, p, len);

	if (err)
		die("rvm_set_range", err);
}

/* A new root, the first time (rdsinit leaves the static region zero). */
static void root_init(void)
{
	rvm_tid_t t;
	int err;

	if (root->magic == ROOT_MAGIC)
		return;
	begin(&t);
	set(&t, root, sizeof(*root));
	memset(root, 0, sizeof(*root));
	root->magic = ROOT_MAGIC;
	err = rvm_end_transaction(&t, flush);
	if (err)
		die("rvm_end_transaction", err);
}

/* Free the pending blocks an interrupted rds_do_free() left allocated. */
static void finish_pending(void)
{
	rvm_tid_t t;
	int i, err;

	begin(&t);
	set(&t, root->pending, sizeof(root->pending));
	for (i = 0; i < NPENDING; i++) {
		if (root->pending[i] && rds_is_allocated((char *)root->pending[i])) {
			rds_free((char *)root->pending[i], &t, &err);
			if (err)
				die("rds_free (pending)", err);
		}
		root->pending[i] = NULL;
	}
	err = rvm_end_transaction(&t, flush);
	if (err)
		die("rvm_end_transaction", err);
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* The whole check; Return: violations found. */
static unsigned long check(uint64_t acked, bool quiet)
{
	static uintptr_t seen[MAX_NODES + NPENDING];
	unsigned long n = 0, i, pend = 0, before = violations;
	uint64_t bytes = 0;
	rds_check_t c;
	struct node *p;
	int err;

	rds_check_heap(&c, &err);
	if (err)
		violation("rds_check_heap: %d (blocks %lu, free %lu, allocated %lu, listed %lu)",
			  err, c.blocks, c.free_blocks, c.alloc_blocks,
			  c.listed);
	if (root->magic != ROOT_MAGIC)
		violation("root magic %" PRIx64, root->magic);
	for (p = root->head; p && n <= c.alloc_blocks; p = p->next) {
		if (!rds_is_allocated((char *)p)) {
			violation("node %lu at %p is not an allocated block", n,
				  (void *)p);
			break;
		}
		if (p->sum != node_sum(p))
			violation("node %lu at %p: checksum", n, (void *)p);
		bytes += p->len;
		seen[n++] = (uintptr_t)p;
		if (n >= MAX_NODES)
			break;
	}
	for (i = 0; i < NPENDING; i++)
		if (root->pending[i] && rds_is_allocated((char *)root->pending[i])) {
			seen[n + pend++] = (uintptr_t)root->pending[i];
		}
	if (n != root->count)
		violation("%lu nodes on the list, the root says %" PRIu64, n,
			  root->count);
	if (bytes != root->bytes)
		violation("%" PRIu64 " payload bytes, the root says %" PRIu64,
			  bytes, root->bytes);
	qsort(seen, n + pend, sizeof(seen[0]), cmp_ptr);
	for (i = 1; i < n + pend; i++)
		if (seen[i] == seen[i - 1])
			violation("block %p reached twice", (void *)seen[i]);
	if (n + pend != c.alloc_blocks)
		violation("%lu nodes and %lu pending frees, %lu allocated blocks (leak or loss)",
			  n, pend, c.alloc_blocks);
	if (root->seq < acked)
		violation("committed seq %" PRIu64 " < acknowledged %" PRIu64,
			  root->seq, acked);
	if (!quiet)
		printf("rds-check: seq %" PRIu64 ", %lu nodes (%" PRIu64 " bytes), %lu blocks: %lu free, %lu allocated; %lu pending: %s\n",
		       root->seq, n, bytes, c.blocks, c.free_blocks,
		       c.alloc_blocks, pend,
		       violations == before ? "ok" : "FAILED");
	return violations - before;
}

/* The list's state, to compare around an abort. */
struct snap {
	uint64_t seq, count, bytes, sum;
	rds_check_t c;
};

static void snap(struct snap *s)
{
	struct node *p;
	int err;

	memset(s, 0, sizeof(*s));
	s->seq = root->seq;
	s->count = root->count;
	s->bytes = root->bytes;
	for (p = root->head; p; p = p->next)
		s->sum = s->sum * 31 + (uintptr_t)p + p->sum;
	rds_check_heap(&s->c, &err);
}

static struct node *nth(uint64_t k, struct node ***link)
{
	struct node **pp = &root->head;

	while (k-- && *pp)
		pp = &(*pp)->next;
	*link = pp;
	return *pp;
}

static void insert(rvm_tid_t *t)
{
	uint64_t len = rnd() % 4 ? rnd() % 200 : rnd() % 6000;
	struct node *n;
	uint64_t i;
	int err;

	if (root->count >= MAX_NODES - 8)
		return;
	n = (struct node *)rds_malloc(sizeof(*n) + len, t, &err);
	if (!n) {
		if (err == ENO_ROOM)
			return;
		die("rds_malloc", err);
	}
	set(t, n, sizeof(*n) + len);
	n->seq = root->seq + 1;
	n->len = len;
	for (i = 0; i < len; i++)
		n->payload[i] = (unsigned char)rnd();
	n->sum = node_sum(n);
	n->next = root->head;
	set(t, &root->head, sizeof(root->head));
	root->head = n;
	set(t, &root->count, 2 * sizeof(uint64_t));
	root->count++;
	root->bytes += len;
}

/* Unlink a random node; Return: it, or NULL. */
static struct node *unlink_one(rvm_tid_t *t)
{
	struct node **pp, *n;

	if (!root->count)
		return NULL;
	n = nth(rnd() % root->count, &pp);
	if (!n)
		return NULL;
	set(t, pp, sizeof(*pp));
	*pp = n->next;
	set(t, &root->count, 2 * sizeof(uint64_t));
	root->count--;
	root->bytes -= n->len;
	return n;
}

static void rewrite(rvm_tid_t *t)
{
	struct node **pp, *n;
	uint64_t i;

	if (!root->count)
		return;
	n = nth(rnd() % root->count, &pp);
	set(t, n, sizeof(*n) + n->len);
	n->seq = root->seq + 1;
	for (i = 0; i < n->len; i++)
		n->payload[i] ^= (unsigned char)rnd();
	n->sum = node_sum(n);
}

static void ack(FILE *f, uint64_t seq)
{
	if (f) {
		fprintf(f, "ack %" PRIu64 "\n", seq);
		fflush(f);
	}
}

static void commit(rvm_tid_t *t, FILE *ackf)
{
	bool fl = rnd() % 4 != 0;
	int err;

	set(t, &root->seq, sizeof(root->seq));
	root->seq++;
	err = rvm_end_transaction(t, fl ? flush : no_flush);
	if (err)
		die("rvm_end_transaction", err);
	if (!fl && rnd() % 3 == 0) {
		err = rvm_flush();
		if (err)
			die("rvm_flush", err);
		fl = true;
	}
	if (fl)
		ack(ackf, root->seq);
}

static void one_txn(FILE *ackf, unsigned long *aborts)
{
	intentionList_t l = { 0, 0, NULL };
	struct snap s0, s1;
	struct node *n;
	rvm_tid_t t;
	int k, ops, err, kind = (int)(rnd() % 100);

	if (kind < 10) {
		/* Frees decided, then abandoned: nothing is freed. */
		snap(&s0);
		begin(&t);
		for (k = 0; k < 3 && root->count; k++) {
			n = unlink_one(&t);
			if (n && rds_fake_free((char *)n, &l))
				die("rds_fake_free", -1);
		}
		rvm_abort_transaction(&t);
		free(l.table);
		snap(&s1);
		if (memcmp(&s0, &s1, sizeof(s0)))
			violation("an aborted transaction with fake frees changed the list or the heap");
		(*aborts)++;
		return;
	}
	if (kind < 20) {
		/* Unlink in a committed transaction, then rds_do_free(). */
		begin(&t);
		set(&t, root->pending, sizeof(root->pending));
		for (k = 0; k < NPENDING && root->count > 4; k++) {
			n = unlink_one(&t);
			if (!n)
				break;
			root->pending[k] = n;
			rds_fake_free((char *)n, &l);
		}
		commit(&t, ackf);
		err = rds_do_free(&l, rnd() % 2 ? flush : no_flush);
		if (err)
			die("rds_do_free", err);
		begin(&t);
		set(&t, root->pending, sizeof(root->pending));
		memset(root->pending, 0, sizeof(root->pending));
		commit(&t, ackf);
		return;
	}
	snap(&s0);
	begin(&t);
	ops = 1 + (int)(rnd() % 6);
	for (k = 0; k < ops; k++) {
		/* Grow to a few hundred nodes, then hover there. */
		switch (rnd() % (root->count < 300 ? 5 : 3)) {
		case 0:
		case 3:
		case 4:
			insert(&t);
			break;
		case 1:
			n = unlink_one(&t);
			if (n && rds_free((char *)n, &t, &err))
				die("rds_free", err);
			break;
		default:
			rewrite(&t);
			break;
		}
	}
	if (kind < 35) {
		rvm_abort_transaction(&t);
		snap(&s1);
		if (memcmp(&s0, &s1, sizeof(s0)))
			violation("an aborted transaction changed the list or the heap");
		(*aborts)++;
		return;
	}
	commit(&t, ackf);
}

static int usage(void)
{
	fprintf(stderr,
		"usage: rds_work mklog LOG LOGLEN\n"
		"       rds_work check LOG SEG [--acked N]\n"
		"       rds_work run LOG SEG --seed S [--seconds T] [--ack FILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t acked = 0, seconds = 0;
	unsigned long txns = 0, aborts = 0;
	FILE *ackf = NULL;
	time_t t0;
	int i, err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 4 && !strcmp(argv[1], "mklog")) {
		rvm_options_t *o = rvm_malloc_options();
		rvm_offset_t len = RVM_MK_OFFSET(0, strtoull(argv[3], NULL, 0));

		err = RVM_INIT(NULL);
		if (err)
			die("rvm_initialize", err);
		o->log_dev = argv[2];
		err = rvm_create_log(o, &len, 0600);
		if (err)
			die("rvm_create_log", err);
		return 0;
	}
	if (argc < 4)
		return usage();
	for (i = 4; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--acked"))
			acked = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seed"))
			rng = strtoull(argv[i + 1], NULL, 0) * 2654435761ULL + 1;
		else if (!strcmp(argv[i], "--seconds"))
			seconds = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--ack"))
			ackf = fopen(argv[i + 1], "w");
		else
			return usage();
	}
	start(argv[2], argv[3]);
	if (!strcmp(argv[1], "check")) {
		root_init();
		finish_pending();
		return check(acked, false) ? 1 : 0;
	}
	if (strcmp(argv[1], "run"))
		return usage();
	root_init();
	finish_pending();
	if (check(0, false))
		return 1;
	t0 = time(NULL);
	while (!seconds || (uint64_t)(time(NULL) - t0) < seconds) {
		one_txn(ackf, &aborts);
		txns++;
		if (rnd() % 200 == 0) {
			err = rvm_truncate();
			if (err)
				die("rvm_truncate", err);
		}
		if (txns % 100 == 0 && check(0, true))
			return 1;
	}
	printf("rds_work: %lu transactions, %lu aborted\n", txns, aborts);
	return check(0, false) ? 1 : 0;
}
