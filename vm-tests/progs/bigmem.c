// SPDX-License-Identifier: GPL-2.0
/*
 * bigmem: recoverable memory larger than the machine's (issue 15).
 *
 *   bigmem write DEV SIZE [--memcg DIR]
 *	format DEV's log (8 MiB), map SIZE bytes of its data segment, and
 *	write every byte of it in transactions (64 KiB each, a flush commit
 *	every 16, no_flush otherwise), with a pattern that depends on the
 *	byte's offset. Then read all of it back and compare, twice, the
 *	region cycling through memory each time:
 *	  - while a restore-mode transaction has declared and overwritten
 *	    the first pages (written and dropped long ago); its abort must
 *	    put back exactly the old bytes;
 *	  - while a running transaction has declared and written a page with
 *	    new bytes: they must stay, and are then committed (flush).
 *	Prints "bigmem: written" and returns, leaving the volume attached
 *	(the caller resets the VM).
 *	With --memcg DIR (a cgroup v2 directory the process runs in, with a
 *	memory.max), checks that memory.current grows while pages are
 *	faulted in (they are charged) and never passes memory.max, and
 *	that the cgroup saw no OOM kill.
 *
 *   bigmem verify DEV SIZE
 *	attach (recovery), map, and compare every byte with what write
 *	committed.
 *
 *   bigmem armed DEV SIZE
 *	armed pages under reclaim (run in a memory cgroup much smaller than
 *	SIZE): format DEV (a 32 MiB log), map SIZE bytes, and for ARM_ROUNDS
 *	rounds read the first ARM_PAGES pages (present and read-only), then
 *	commit in flush transactions of 16 pages each one new word per
 *	page: each transaction declares its 64 KiB in its slot, and its
 *	first write fault arms the other 15 pages (strict protection). The
 *	rest of the region is then read through, several times the cgroup's
 *	memory, so that reclaim goes over the committed pages before any
 *	truncation, and they are read back and compared. In the last round,
 *	one transaction stays open, declared and written, during that read
 *	through: its new bytes must stay, and are then committed. Ends with
 *	a check of every byte, "bigmem: armed: written", the volume attached.
 *
 *   bigmem armed-verify DEV SIZE
 *	after a reset: attach (recovery), map, compare every byte with what
 *	armed committed.
 *
 * Exit 0 if every byte matched, 1 otherwise.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <rvm/librvm.h>
#include <rvm/rvm.h>

#define CHUNK (64 * 1024)
#define FLUSH_EVERY 16
#define PAGE 4096
/* The page the pressure test commits with another pattern. */
#define HELD_PAGE 3

static const char *dev;
static uint64_t size;
static const char *memcg;
static rvm_options_t *opts;
static char *base;
static uint32_t log_mb = 8;

static void die_rvm(const char *what, rvm_return_t r)
{
	fprintf(stderr, "bigmem: FAIL: %s: %s\n", what, rvm_return(r));
	exit(1);
}

/* The committed byte pattern: one 64-bit word per 8 bytes, by offset. */
static uint64_t word(uint64_t off, uint64_t salt)
{
	uint64_t x = (off / 8 + 1) * 0x9e3779b97f4a7c15ULL ^ salt;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

static void fill(char *p, uint64_t off, size_t n, uint64_t salt)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = word(off + i, salt);

		memcpy(p + i, &w, 8);
	}
}

/* Compare [off, off + n) with the pattern; report the first difference. */
static int same(const char *p, uint64_t off, size_t n, uint64_t salt)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = word(off + i, salt);

		if (memcmp(p + i, &w, 8)) {
			fprintf(stderr, "bigmem: FAIL: bytes at offset %" PRIu64
				" differ\n", off + i);
			return 0;
		}
	}
	return 1;
}

/* Set once the page HELD_PAGE holds its second pattern (committed). */
static int held_done;

static uint64_t salt_of(uint64_t off)
{
	return held_done && off / PAGE == HELD_PAGE ? 0x5a5a : 0;
}

static long long cg_read(const char *file, const char *key)
{
	char path[512], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", memcg, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			v = strcmp(line, "max\n") ? atoll(line) : -2;
			break;
		}
		if (!strncmp(line, key, strlen(key)) &&
		    line[strlen(key)] == ' ') {
			v = atoll(line + strlen(key) + 1);
			break;
		}
	}
	fclose(f);
	return v;
}

static long long cg_max, cg_seen;
static volatile char sink;

static int cg_check(const char *when)
{
	long long cur;

	if (!memcg)
		return 1;
	cur = cg_read("memory.current", NULL);
	if (cur < 0) {
		fprintf(stderr, "bigmem: FAIL: no memory.current in %s\n",
			memcg);
		return 0;
	}
	if (cur > cg_seen)
		cg_seen = cur;
	if (cur > cg_max) {
		fprintf(stderr, "bigmem: FAIL: %s: memory.current %lld > memory.max %lld\n",
			when, cur, cg_max);
		return 0;
	}
	return 1;
}

static void open_rvm(int create)
{
	rvm_offset_t log_len = RVM_MK_OFFSET(0, (uint64_t)log_mb << 20);
	rvm_region_t *region;
	rvm_return_t r;

	opts = rvm_malloc_options();
	if (create) {
		r = RVM_INIT(opts);
		if (r != RVM_SUCCESS)
			die_rvm("rvm_initialize", r);
		opts->log_dev = (char *)dev;
		r = rvm_create_log(opts, &log_len, 0600);
		if (r != RVM_SUCCESS)
			die_rvm("rvm_create_log", r);
		r = rvm_set_options(opts);
		if (r != RVM_SUCCESS)
			die_rvm("rvm_set_options", r);
	} else {
		opts->log_dev = (char *)dev;
		r = RVM_INIT(opts);
		if (r != RVM_SUCCESS)
			die_rvm("rvm_initialize", r);
	}
	region = rvm_malloc_region();
	region->data_dev = (char *)dev;
	region->offset = RVM_MK_OFFSET(0, 0);
	region->length = size;
	r = rvm_map(region, opts);
	if (r != RVM_SUCCESS)
		die_rvm("rvm_map", r);
	base = region->vmaddr;
}

/* Compare the region from @from on with what was committed. */
static int verify_all(const char *what, uint64_t from)
{
	for (uint64_t off = from; off < size; off += CHUNK) {
		size_t n = size - off < CHUNK ? size - off : CHUNK;

		for (size_t p = 0; p < n; p += PAGE)
			if (!same(base + off + p, off + p, PAGE,
				  salt_of(off + p))) {
				fprintf(stderr, "bigmem: FAIL: %s\n", what);
				return 0;
			}
		if (off % (16 << 20) == 0 && !cg_check(what))
			return 0;
	}
	return 1;
}

static int cmd_write(void)
{
	rvm_tid_t *tid = rvm_malloc_tid();
	long long before = 0;
	uint64_t i = 0;
	char *old;
	rvm_return_t r;

	if (memcg) {
		cg_max = cg_read("memory.max", NULL);
		if (cg_max <= 0) {
			fprintf(stderr, "bigmem: FAIL: %s has no memory.max\n",
				memcg);
			return 1;
		}
		before = cg_read("memory.current", NULL);
	}
	open_rvm(1);

	/* Read 8 MiB: the pages come in, charged to our cgroup. */
	if (memcg) {
		long long cur;

		for (uint64_t off = 0; off < (8 << 20) && off < size; off += PAGE)
			sink += base[off];
		cur = cg_read("memory.current", NULL);
		printf("bigmem: memory.current %lld before, %lld after reading 8 MiB (max %lld)\n",
		       before, cur, cg_max);
		if (cur - before < (6 << 20)) {
			fprintf(stderr, "bigmem: FAIL: reading 8 MiB charged only %lld bytes to the cgroup\n",
				cur - before);
			return 1;
		}
	}

	for (uint64_t off = 0; off < size; off += CHUNK, i++) {
		size_t n = size - off < CHUNK ? size - off : CHUNK;

		r = rvm_begin_transaction(tid, no_restore);
		if (r != RVM_SUCCESS)
			die_rvm("rvm_begin_transaction", r);
		r = rvm_set_range(tid, base + off, n);
		if (r != RVM_SUCCESS)
			die_rvm("rvm_set_range", r);
		fill(base + off, off, n, 0);
		r = rvm_end_transaction(tid, i % FLUSH_EVERY == FLUSH_EVERY - 1 ?
						     flush : no_flush);
		if (r != RVM_SUCCESS)
			die_rvm("rvm_end_transaction", r);
		if (off % (16 << 20) == 0 && !cg_check("writing"))
			return 1;
	}
	r = rvm_flush();
	if (r != RVM_SUCCESS)
		die_rvm("rvm_flush", r);

	/*
	 * Abort after pressure: the first 8 pages were dropped long ago, and
	 * the whole region is read back (and checked) through memory while
	 * the transaction runs.
	 */
	old = malloc(8 * PAGE);
	memcpy(old, base, 8 * PAGE);
	r = rvm_begin_transaction(tid, restore);
	if (r != RVM_SUCCESS)
		die_rvm("rvm_begin_transaction(restore)", r);
	r = rvm_set_range(tid, base, 8 * PAGE);
	if (r != RVM_SUCCESS)
		die_rvm("rvm_set_range", r);
	memset(base, 0xee, 8 * PAGE);
	if (!verify_all("read back after writing", 8 * PAGE))
		return 1;
	r = rvm_abort_transaction(tid);
	if (r != RVM_SUCCESS)
		die_rvm("rvm_abort_transaction", r);
	if (memcmp(old, base, 8 * PAGE) || !same(base, 0, 8 * PAGE, 0)) {
		fprintf(stderr, "bigmem: FAIL: abort after pressure did not restore the old bytes\n");
		return 1;
	}
	free(old);

	/*
	 * A declared, written page keeps its new bytes while the region is
	 * read again, and they are committed.
	 */
	r = rvm_begin_transaction(tid, restore);
	if (r != RVM_SUCCESS)
		die_rvm("rvm_begin_transaction", r);
	r = rvm_set_range(tid, base + HELD_PAGE * PAGE, PAGE);
	if (r != RVM_SUCCESS)
		die_rvm("rvm_set_range", r);
	fill(base + HELD_PAGE * PAGE, HELD_PAGE * PAGE, PAGE, 0x5a5a);
	held_done = 1;
	if (!verify_all("a declared page under pressure", 0))
		return 1;
	r = rvm_end_transaction(tid, flush);
	if (r != RVM_SUCCESS)
		die_rvm("rvm_end_transaction", r);

	if (memcg) {
		long long ooms = cg_read("memory.events", "oom_kill");

		printf("bigmem: memcg: max %lld, highest memory.current seen %lld, oom_kill %lld\n",
		       cg_max, cg_seen, ooms);
		if (ooms != 0) {
			fprintf(stderr, "bigmem: FAIL: the cgroup saw OOM kills\n");
			return 1;
		}
	}
	printf("bigmem: written %" PRIu64 " bytes\n", size);
	fflush(stdout);
	return 0;
}

static int cmd_verify(void)
{
	held_done = 1;
	open_rvm(0);
	if (!verify_all("verify after recovery", 0))
		return 1;
	printf("bigmem: verified %" PRIu64 " bytes\n", size);
	return 0;
}

/*
 * bigmem armed: the pages committed are the first ARM_PAGES; round r puts
 * word r of each (offset 8 * r in the page) to arm_word(page, r).
 */
#define ARM_PAGES 512
#define ARM_ROUNDS 3
#define ARM_GROUP 16

static uint64_t arm_word(uint64_t page, unsigned int r)
{
	return word(page * PAGE + 8 * r, 0xa4a4 + r);
}

/* Page @pg holds the words of rounds 1..@rounds and zeros elsewhere. */
static int arm_same(uint64_t pg, unsigned int rounds, const char *what)
{
	const uint64_t *w = (const uint64_t *)(base + pg * PAGE);

	for (unsigned int i = 0; i < PAGE / 8; i++) {
		uint64_t want = i >= 1 && i <= rounds ? arm_word(pg, i) : 0;

		if (w[i] != want) {
			fprintf(stderr, "bigmem: FAIL: %s: page %" PRIu64
				" word %u is %#" PRIx64 ", committed %#" PRIx64
				"\n", what, pg, i, w[i], want);
			return 0;
		}
	}
	return 1;
}

static int arm_check(unsigned int rounds, const char *what)
{
	for (uint64_t pg = 0; pg < ARM_PAGES; pg++)
		if (!arm_same(pg, rounds, what))
			return 0;
	return 1;
}

/* Every byte past the committed pages is still zero. */
static int arm_rest_zero(const char *what)
{
	for (uint64_t off = ARM_PAGES * PAGE; off < size; off += 8)
		if (*(const uint64_t *)(base + off)) {
			fprintf(stderr, "bigmem: FAIL: %s: byte %" PRIu64
				" is not zero\n", what, off);
			return 0;
		}
	return 1;
}

/* Read the rest of the region @times times: reclaim goes over it all. */
static void arm_push(unsigned int times)
{
	for (unsigned int t = 0; t < times; t++)
		for (uint64_t off = ARM_PAGES * PAGE; off < size; off += PAGE)
			sink += base[off];
}

/* How many of the committed pages are in memory (mincore()). */
static unsigned int arm_resident(void)
{
	unsigned char vec[ARM_PAGES];
	unsigned int n = 0;

	if (mincore(base, ARM_PAGES * PAGE, vec))
		return ~0U;
	for (unsigned int i = 0; i < ARM_PAGES; i++)
		n += vec[i] & 1;
	return n;
}

static void arm_status(const char *when)
{
	struct rvm_status st;

	memset(&st, 0, sizeof(st));
	if (rvm_vol_status(dev, &st)) {
		printf("bigmem: armed: %s: no status\n", when);
		return;
	}
	printf("bigmem: armed: %s: %u of the %u pages resident (all: %llu), %llu write faults, %llu commits, %llu truncations\n",
	       when, arm_resident(), ARM_PAGES,
	       (unsigned long long)st.mapped_pages,
	       (unsigned long long)st.prot_faults,
	       (unsigned long long)st.commits,
	       (unsigned long long)st.truncations);
	fflush(stdout);
}

/* Begin a transaction declaring group @g and write its pages' word @r. */
static void arm_write(rvm_tid_t *tid, uint64_t g, unsigned int r)
{
	char *p = base + g * ARM_GROUP * PAGE;
	rvm_return_t e;

	e = rvm_begin_transaction(tid, no_restore);
	if (e != RVM_SUCCESS)
		die_rvm("rvm_begin_transaction", e);
	e = rvm_set_range(tid, p, ARM_GROUP * PAGE);
	if (e != RVM_SUCCESS)
		die_rvm("rvm_set_range", e);
	/* The first write faults and arms the group's other pages. */
	for (unsigned int i = 0; i < ARM_GROUP; i++) {
		uint64_t w = arm_word(g * ARM_GROUP + i, r);

		memcpy(p + i * PAGE + 8 * r, &w, 8);
	}
}

static int cmd_armed(void)
{
	rvm_tid_t *tid = rvm_malloc_tid();
	uint64_t held = ARM_PAGES / ARM_GROUP - 1;
	unsigned int push = 2;
	rvm_return_t e;
	char what[64];

	log_mb = 32;
	open_rvm(1);
	if (size < 4 * ARM_PAGES * PAGE) {
		fprintf(stderr, "bigmem: armed: SIZE too small\n");
		return 2;
	}
	for (unsigned int r = 1; r <= ARM_ROUNDS; r++) {
		/* Present and read-only: what arming arms. */
		snprintf(what, sizeof(what), "round %u, before", r);
		if (!arm_check(r - 1, what))
			return 1;
		arm_status(what);
		for (uint64_t g = 0; g < ARM_PAGES / ARM_GROUP; g++) {
			if (r == ARM_ROUNDS && g == held)
				break;
			arm_write(tid, g, r);
			e = rvm_end_transaction(tid, flush);
			if (e != RVM_SUCCESS)
				die_rvm("rvm_end_transaction", e);
		}
		if (r == ARM_ROUNDS)
			arm_write(tid, held, r);
		snprintf(what, sizeof(what), "round %u, committed", r);
		arm_status(what);
		arm_push(push);
		snprintf(what, sizeof(what), "round %u, after reclaim", r);
		arm_status(what);
		if (r == ARM_ROUNDS) {
			/* The open transaction's pages keep their new bytes. */
			if (!arm_check(r, what))
				return 1;
			e = rvm_end_transaction(tid, flush);
			if (e != RVM_SUCCESS)
				die_rvm("rvm_end_transaction", e);
			arm_push(push);
			snprintf(what, sizeof(what), "round %u, held, after reclaim", r);
			arm_status(what);
		}
		if (!arm_check(r, what))
			return 1;
	}
	if (!arm_rest_zero("the rest of the region"))
		return 1;
	if (memcg) {
		long long ooms = cg_read("memory.events", "oom_kill");

		if (ooms != 0) {
			fprintf(stderr, "bigmem: FAIL: the cgroup saw OOM kills\n");
			return 1;
		}
	}
	printf("bigmem: armed: written %u rounds of %u pages\n", ARM_ROUNDS,
	       ARM_PAGES);
	fflush(stdout);
	return 0;
}

static int cmd_armed_verify(void)
{
	open_rvm(0);
	arm_status("recovered");
	if (!arm_check(ARM_ROUNDS, "verify after recovery") ||
	    !arm_rest_zero("verify after recovery"))
		return 1;
	printf("bigmem: armed: verified %" PRIu64 " bytes\n", size);
	return 0;
}

/* A byte count with an optional K, M or G suffix. */
static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	switch (*end) {
	case 'G':
		v <<= 10;
		/* fall through */
	case 'M':
		v <<= 10;
		/* fall through */
	case 'K':
		v <<= 10;
		break;
	}
	return v & ~(uint64_t)(PAGE - 1);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: bigmem write|verify|armed|armed-verify DEV SIZE [--memcg DIR]\n");
		return 2;
	}
	dev = argv[2];
	size = parse_size(argv[3]);
	if (argc >= 6 && !strcmp(argv[4], "--memcg"))
		memcg = argv[5];
	if (size < 16 * PAGE) {
		fprintf(stderr, "bigmem: SIZE too small\n");
		return 2;
	}
	if (!strcmp(argv[1], "write"))
		return cmd_write();
	if (!strcmp(argv[1], "verify"))
		return cmd_verify();
	if (!strcmp(argv[1], "armed"))
		return cmd_armed();
	if (!strcmp(argv[1], "armed-verify"))
		return cmd_armed_verify();
	fprintf(stderr, "bigmem: unknown command %s\n", argv[1]);
	return 2;
}
