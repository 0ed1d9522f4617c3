// SPDX-License-Identifier: GPL-2.0
/*
 * classic_prog: a program written against the classic RVM interface only
 * (<rvm/rvm.h>, <rvm/rvm_segment.h>), run inside the test VM, where the
 * rvm module is loaded and we are root.
 *
 *   classic_prog init LOGDEV DATADEV
 *	rvm_create_log() on LOGDEV (a block device, or a regular file that
 *	is created: then the log goes through a loop device; $RVM_DATA_LEN
 *	sizes its segment 0, 256M by default, sparse, 0 for none), then the
 *	data segment DATADEV (a block device or a regular file of its own)
 *	with two regions at fixed addresses, and a series of transactions
 *	and bad calls (one line per check). If DATADEV is a regular file or
 *	does not exist, it is first written with a marker, which the mapped
 *	region must show. The process exits with one restore transaction
 *	still running (its bytes must never reach DATADEV) and without
 *	rvm_terminate().
 *
 *   classic_prog verify LOGDEV DATADEV
 *	After a reboot (or in the same boot): attaches LOGDEV if needed
 *	(recovery), loads the segment, and checks that both regions hold
 *	exactly the committed data: flush commits and flushed no_flush
 *	commits present, aborted and uncommitted changes absent, every
 *	other byte zero; after rvm_terminate(), DATADEV itself, read with
 *	read(2), holds the same bytes.
 *
 * Exit: 0 all checks passed, 1 some failed, 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rvm/rvm.h>
#include <rvm/rvm_segment.h>

#define VM_A		((char *)0x5a5a00000000UL)
#define VM_B		((char *)0x5a5a01000000UL)
#define SEG_PAGES	16
#define A_OFF_PAGES	1
#define A_PAGES		4
#define B_OFF_PAGES	5	/* where the loader puts B: after A */
#define B_PAGES		2
#define LOG_LEN		(1UL << 20)

#define FILE_MARK	"from-file: page 6"

static int checks, failures;
static rvm_length_t page;

static void report(bool ok, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(bool ok, const char *what, const char *fmt, ...)
{
	va_list ap;

	checks++;
	if (!ok)
		failures++;
	printf("%s %d - %s", ok ? "ok" : "not ok", checks, what);
	if (fmt) {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	fflush(stdout);
}

/* A call that must return @want. */
static bool expect(const char *what, rvm_return_t got, rvm_return_t want)
{
	int e = errno;

	if (got == want)
		report(true, what, "%s", rvm_return(got));
	else
		report(false, what, "got %s (errno %d: %s), want %s",
		       rvm_return(got), e, strerror(e), rvm_return(want));
	return got == want;
}

static void check(const char *what, bool ok)
{
	report(ok, what, NULL);
}

/* Texts the transactions write. */
static const char *const T_FLUSH1 = "flush-1";
static const char *const T_FLUSH2 = "flush-2";
static const char *const T_NOFLUSH1 = "noflush-1";
static const char *const T_NOFLUSH2 = "noflush-2";
static const char *const T_NORESTORE = "norestore";
static const char *const T_QUERY = "query";
static const char *const T_AFTER_TRUNC = "after-truncate";
static const char *const T_NOFLUSH3 = "noflush-3";
static const char *const T_UNCOMMITTED = "UNCOMMITTED";
static const char *const T_ABORTED = "aborted!";

/* Build the expected contents of regions A and B. */
static void expected(unsigned char *a, unsigned char *b, bool prefilled)
{
	memset(a, 0, A_PAGES * page);
	memset(b, 0, B_PAGES * page);
	memcpy(a + 0, T_FLUSH1, strlen(T_FLUSH1));
	memcpy(b + 0, T_FLUSH2, strlen(T_FLUSH2));
	memcpy(a + 100, T_NOFLUSH1, strlen(T_NOFLUSH1));
	memcpy(a + 200, T_NOFLUSH2, strlen(T_NOFLUSH2));
	/* a + 300 and a + 400: aborted, zero */
	memcpy(a + 500, T_NORESTORE, strlen(T_NORESTORE));
	memcpy(a + 600, T_QUERY, strlen(T_QUERY));
	memcpy(a + 800, T_AFTER_TRUNC, strlen(T_AFTER_TRUNC));
	memcpy(a + 900, T_NOFLUSH3, strlen(T_NOFLUSH3));
	/* a marker spanning the page boundary between A's pages 1 and 2 */
	memset(a + 2 * page - 8, 'x', 16);
	/* b + 100: uncommitted at exit, zero */
	memcpy(a + 3 * page, prefilled ? "prefilled=1" : "prefilled=0", 11);
	if (prefilled)
		memcpy(b + page, FILE_MARK, strlen(FILE_MARK));
}

/* Compare a mapped region with its expected image; report the first diff. */
static void compare(const char *what, const unsigned char *got,
		    const unsigned char *want, size_t len)
{
	size_t i;

	for (i = 0; i < len && got[i] == want[i]; i++)
		;
	if (i == len)
		report(true, what, NULL);
	else
		report(false, what, "byte %zu is 0x%02x, want 0x%02x", i,
		       got[i], want[i]);
}

/*
 * The segment's region definitions. The offsets are deliberately not
 * where the regions go: as in the original, rvm_create_segment() lays
 * them out one after another after the header page, whatever offsets
 * it is given (A at A_OFF_PAGES, B at B_OFF_PAGES).
 */
static void defs_init(rvm_region_def_t *defs)
{
	RVM_INIT_REGION(defs[0], RVM_MK_OFFSET(0, 7 * page),
			A_PAGES * page, VM_A);
	RVM_INIT_REGION(defs[1], RVM_MK_OFFSET(0, 3 * page),
			B_PAGES * page, VM_B);
}

/* Write DATADEV with a marker in page 6 (region B's second page). */
static bool prefill(const char *datadev)
{
	struct stat st;
	char *buf;
	int fd;
	bool ok;

	if (!stat(datadev, &st) && !S_ISREG(st.st_mode))
		return false;
	fd = open(datadev, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return false;
	buf = calloc(SEG_PAGES, page);
	if (!buf) {
		close(fd);
		return false;
	}
	memcpy(buf + (B_OFF_PAGES + 1) * page, FILE_MARK, strlen(FILE_MARK));
	ok = write(fd, buf, SEG_PAGES * page) == (ssize_t)(SEG_PAGES * page);
	free(buf);
	close(fd);
	return ok;
}

/* One transaction writing @text at @dest, ended in @mode. */
static bool commit(rvm_tid_t *tid, rvm_mode_t begin_mode, char *dest,
		   const char *text, rvm_mode_t end_mode, const char *what)
{
	return expect(what, rvm_begin_transaction(tid, begin_mode),
		      RVM_SUCCESS) &&
	       expect(what, rvm_modify_bytes(tid, dest, text, strlen(text)),
		      RVM_SUCCESS) &&
	       expect(what, rvm_end_transaction(tid, end_mode), RVM_SUCCESS);
}

static bool is_zero(const char *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

static int do_init(char *logdev, char *datadev)
{
	rvm_options_t *opts = rvm_malloc_options();
	rvm_options_t *q = rvm_malloc_options();
	rvm_statistics_t *st = rvm_malloc_statistics();
	rvm_tid_t *tid = rvm_malloc_tid(), *t2 = rvm_malloc_tid();
	rvm_tid_t fresh, bogus;
	rvm_region_t *reg = rvm_malloc_region(), *ra = rvm_malloc_region();
	rvm_region_t *rb = rvm_malloc_region();
	rvm_region_def_t defs[2], *regions = NULL;
	rvm_offset_t log_len = RVM_MK_OFFSET(0, LOG_LEN);
	unsigned long n = 0;
	unsigned long n_flush = 0, n_no_flush = 0, n_abort = 0;
	char *a = VM_A, *b = VM_B, local[16], longname[1100];
	unsigned char *want_a, *want_b;
	bool prefilled;
	void *anon;

	if (!opts || !q || !st || !tid || !t2 || !reg || !ra || !rb)
		return 1;

	/* Before RVM runs. */
	expect("initialize with a wrong version string",
	       rvm_initialize("RVM Interface Version 0.9  1 Jan 1990", NULL),
	       RVM_EVERSION_SKEW);
	reg->data_dev = datadev;
	reg->length = page;
	expect("map before initialize", rvm_map(reg, NULL), RVM_EINIT);
	memset(&bogus, 0, sizeof(bogus));
	expect("begin with a non-tid before initialize: EINIT first",
	       rvm_begin_transaction(&bogus, restore), RVM_EINIT);
	expect("set_range with a non-tid before initialize: EINIT first",
	       rvm_set_range(&bogus, a, 1), RVM_EINIT);
	expect("end with a non-tid before initialize: EINIT first",
	       rvm_end_transaction(&bogus, flush), RVM_EINIT);
	expect("map a non-region before initialize: EINIT first",
	       rvm_map((rvm_region_t *)&bogus, NULL), RVM_EINIT);

	/* Start without a log, create it, then name it. */
	expect("initialize without a log", RVM_INIT(opts), RVM_SUCCESS);
	expect("map without a log", rvm_map(reg, NULL), RVM_ELOG);
	opts->log_dev = logdev;
	if (!expect("create_log", rvm_create_log(opts, &log_len, 0600),
		    RVM_SUCCESS))
		return 1;
	opts->flags = RVM_COALESCE_RANGES;
	if (!expect("set_options opens the log", rvm_set_options(opts),
		    RVM_SUCCESS))
		return 1;
	expect("initialize again is a no-op", RVM_INIT(opts), RVM_SUCCESS);
	expect("initialize again with a wrong version",
	       rvm_initialize("bogus", opts), RVM_EVERSION_SKEW);
	expect("create_log on the log in use",
	       rvm_create_log(opts, &log_len, 0600), RVM_ELOG);
	{
		/* Below the minimum: raised to it, as the original did. */
		rvm_options_t *small = rvm_malloc_options();
		rvm_offset_t tiny = RVM_MK_OFFSET(0, 4096);

		if (small) {
			small->log_dev = "/tmp/classic_prog.smalllog";
			expect("create_log below the minimum log size",
			       rvm_create_log(small, &tiny, 0600), RVM_SUCCESS);
			unlink(small->log_dev);
			rvm_free_options(small);
		}
	}

	/* The segment. */
	prefilled = prefill(datadev);
	printf("# data file prefilled: %s\n", prefilled ? "yes" : "no");
	defs_init(defs);
	if (!expect("create_segment",
		    rvm_create_segment(datadev,
				       RVM_MK_OFFSET(0, SEG_PAGES * page),
				       opts, 2, defs), RVM_SUCCESS))
		return 1;
	n_flush++;	/* it wrote the header in a flush transaction */
	if (!expect("load_segment",
		    rvm_load_segment(datadev, RVM_MK_OFFSET(0, 0), opts, &n,
				     &regions), RVM_SUCCESS))
		return 1;
	check("load_segment: 2 regions", n == 2);
	check("load_segment: region A at its address",
	      n == 2 && regions[0].vmaddr == VM_A);
	check("load_segment: region B at its address",
	      n == 2 && regions[1].vmaddr == VM_B);
	check("create_segment laid A out after the header page",
	      n == 2 && RVM_OFFSET_TO_LENGTH(regions[0].offset) ==
	      A_OFF_PAGES * page);
	check("create_segment laid B out right after A",
	      n == 2 && RVM_OFFSET_TO_LENGTH(regions[1].offset) ==
	      B_OFF_PAGES * page);
	if (n != 2 || regions[0].vmaddr != VM_A || regions[1].vmaddr != VM_B)
		return 1;
	check("new region A reads zero", is_zero(a, A_PAGES * page));
	if (prefilled)
		check("region B holds the data file's bytes",
		      !memcmp(b + page, FILE_MARK, strlen(FILE_MARK)));
	ra->data_dev = datadev;
	ra->vmaddr = a;
	ra->length = A_PAGES * page;
	rb->data_dev = datadev;
	rb->vmaddr = b;
	rb->length = B_PAGES * page;

	/* Commits. */
	n_flush += commit(tid, restore, a, T_FLUSH1, flush,
			  "flush commit (modify_bytes)");
	if (expect("flush commit (set_range + memcpy)",
		   rvm_begin_transaction(tid, no_restore), RVM_SUCCESS)) {
		expect("set_range", rvm_set_range(tid, b, strlen(T_FLUSH2)),
		       RVM_SUCCESS);
		memcpy(b, T_FLUSH2, strlen(T_FLUSH2));
		n_flush += expect("end flush", rvm_end_transaction(tid, flush),
				  RVM_SUCCESS);
	}
	n_flush += commit(tid, restore, a + 3 * page,
			  prefilled ? "prefilled=1" : "prefilled=0", flush,
			  "flush commit of the marker");
	if (expect("commit spanning two pages",
		   rvm_begin_transaction(tid, restore), RVM_SUCCESS)) {
		expect("set_range over a page boundary",
		       rvm_set_range(tid, a + 2 * page - 8, 16), RVM_SUCCESS);
		memset(a + 2 * page - 8, 'x', 16);
		n_flush += expect("end flush", rvm_end_transaction(tid, flush),
				  RVM_SUCCESS);
	}
	n_no_flush += commit(tid, no_restore, a + 100, T_NOFLUSH1, no_flush,
			     "no_flush commit 1");
	n_no_flush += commit(tid, restore, a + 200, T_NOFLUSH2, no_flush,
			     "no_flush commit 2");
	expect("rvm_flush", rvm_flush(), RVM_SUCCESS);

	/* Aborts. */
	if (expect("abort: begin restore", rvm_begin_transaction(tid, restore),
		   RVM_SUCCESS)) {
		expect("abort: set_range", rvm_set_range(tid, a + 300, 16),
		       RVM_SUCCESS);
		memcpy(a + 300, T_ABORTED, strlen(T_ABORTED));
		n_abort += expect("abort restores",
				  rvm_abort_transaction(tid), RVM_SUCCESS);
		check("aborted bytes are back", is_zero(a + 300, 16));
	}
	if (expect("abort with overlapping ranges: begin",
		   rvm_begin_transaction(tid, restore), RVM_SUCCESS)) {
		expect("set_range 1", rvm_set_range(tid, a + 400, 8),
		       RVM_SUCCESS);
		memset(a + 400, 'y', 8);
		expect("set_range 2 (overlapping)",
		       rvm_set_range(tid, a + 404, 8), RVM_SUCCESS);
		memset(a + 404, 'z', 8);
		n_abort += expect("abort", rvm_abort_transaction(tid),
				  RVM_SUCCESS);
		check("bytes as they were at begin", is_zero(a + 400, 16));
	}
	if (expect("no_restore: begin", rvm_begin_transaction(tid, no_restore),
		   RVM_SUCCESS)) {
		expect("no_restore: modify_bytes",
		       rvm_modify_bytes(tid, a + 500, T_NORESTORE,
					strlen(T_NORESTORE)), RVM_SUCCESS);
		expect("no_restore abort fails", rvm_abort_transaction(tid),
		       RVM_EMODE);
		n_flush += expect("no_restore transaction still ends",
				  rvm_end_transaction(tid, flush),
				  RVM_SUCCESS);
	}

	/* Query and chk_range. */
	if (expect("query: begin", rvm_begin_transaction(tid, restore),
		   RVM_SUCCESS)) {
		expect("query: modify_bytes",
		       rvm_modify_bytes(tid, a + 600, T_QUERY,
					strlen(T_QUERY)), RVM_SUCCESS);
		expect("query", rvm_query(q, NULL), RVM_SUCCESS);
		check("query: one uncommitted transaction",
		      q->n_uncommit == 1 && q->tid_array &&
		      q->tid_array[0].uname.tv_sec == tid->uname.tv_sec &&
		      q->tid_array[0].uname.tv_usec == tid->uname.tv_usec);
		expect("query region A", rvm_query(q, ra), RVM_SUCCESS);
		check("query region A: one", q->n_uncommit == 1);
		expect("query region B", rvm_query(q, rb), RVM_SUCCESS);
		check("query region B: none", q->n_uncommit == 0);
		expect("chk_range declared",
		       rvm_chk_range(tid, a + 600, strlen(T_QUERY)),
		       RVM_SUCCESS);
		expect("chk_range one byte more",
		       rvm_chk_range(tid, a + 600, strlen(T_QUERY) + 1),
		       RVM_ERANGE);
		expect("chk_range elsewhere", rvm_chk_range(tid, a + 700, 1),
		       RVM_ERANGE);
		n_flush += expect("query: end", rvm_end_transaction(tid, flush),
				  RVM_SUCCESS);
		expect("end an ended tid", rvm_end_transaction(tid, flush),
		       RVM_ETID);
		expect("abort an ended tid", rvm_abort_transaction(tid),
		       RVM_ETID);
		expect("chk_range on an ended tid", rvm_chk_range(tid, a, 1),
		       RVM_ETID);
		expect("query: no uncommitted transaction", rvm_query(q, NULL),
		       RVM_SUCCESS);
		check("query: n_uncommit 0", q->n_uncommit == 0);
	}

	/* Bad transaction calls. */
	rvm_init_tid(&fresh);
	memset(&bogus, 0, sizeof(bogus));
	expect("begin with an end mode", rvm_begin_transaction(tid, flush),
	       RVM_EMODE);
	expect("end a tid never begun", rvm_end_transaction(&fresh, flush),
	       RVM_ETID);
	expect("set_range with a tid never begun",
	       rvm_set_range(&fresh, a, 1), RVM_ETID);
	expect("begin with a non-tid", rvm_begin_transaction(&bogus, restore),
	       RVM_ETID);
	if (expect("bad end mode: begin", rvm_begin_transaction(tid, restore),
		   RVM_SUCCESS)) {
		expect("end with a begin mode",
		       rvm_end_transaction(tid, restore), RVM_EMODE);
		expect("begin on a running tid",
		       rvm_begin_transaction(tid, restore), RVM_ETID);
		expect("set_range outside regions (stack)",
		       rvm_set_range(tid, local, sizeof(local)),
		       RVM_ENOT_MAPPED);
		expect("set_range past the end of region A",
		       rvm_set_range(tid, a + A_PAGES * page - 8, 16),
		       RVM_ENOT_MAPPED);
		expect("set_range wrapping around",
		       rvm_set_range(tid, (void *)(UINTPTR_MAX - 7), 16),
		       RVM_ERANGE);
		expect("modify_bytes with NULL source",
		       rvm_modify_bytes(tid, a, NULL, 4), RVM_ESRC);
		n_abort += expect("abort it", rvm_abort_transaction(tid),
				  RVM_SUCCESS);
	}

	/* Bad maps. */
	rvm_init_region(reg);
	reg->data_dev = datadev;
	reg->offset = RVM_MK_OFFSET(0, A_OFF_PAGES * page);
	reg->length = page;
	expect("map bytes already mapped", rvm_map(reg, NULL), RVM_EOVERLAP);
	reg->offset = RVM_MK_OFFSET(0, 12 * page);
	reg->vmaddr = VM_A;
	expect("map at an address in use (region A)", rvm_map(reg, NULL),
	       RVM_EVM_OVERLAP);
	/*
	 * Anonymous memory at vmaddr (what the original's programs allocate
	 * before rvm_map()) is replaced by the region; a file mapping is not.
	 */
	anon = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon != MAP_FAILED) {
		reg->vmaddr = anon;
		if (expect("map over anonymous memory replaces it",
			   rvm_map(reg, NULL), RVM_SUCCESS)) {
			check("map over anonymous memory: at that address",
			      reg->vmaddr == anon);
			expect("unmap it", rvm_unmap(reg), RVM_SUCCESS);
		} else {
			munmap(anon, page);
		}
	}
	{
		int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
		void *fm = fd < 0 ? MAP_FAILED :
			   mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);

		if (fm != MAP_FAILED) {
			reg->vmaddr = fm;
			reg->length = page;
			expect("map over a file mapping", rvm_map(reg, NULL),
			       RVM_EVM_OVERLAP);
			check("the file mapping is intact",
			      !memcmp(fm, "\177ELF", 4));
			munmap(fm, page);
		}
		if (fd >= 0)
			close(fd);
	}
	reg->vmaddr = NULL;
	reg->length = page;
	reg->offset = RVM_MK_OFFSET(0, 12 * page + 512);
	if (expect("map at an offset inside a page", rvm_map(reg, NULL),
		   RVM_SUCCESS)) {
		check("the offset is rounded down to the page",
		      RVM_OFFSET_TO_LENGTH(reg->offset) == 12 * page);
		check("the length grows to cover the bytes asked for",
		      reg->length == 2 * page);
		expect("unmap it", rvm_unmap(reg), RVM_SUCCESS);
	}
	reg->vmaddr = NULL;
	reg->offset = RVM_MK_OFFSET(0, 12 * page);
	reg->length = page + 1;
	if (expect("map a length inside a page", rvm_map(reg, NULL),
		   RVM_SUCCESS)) {
		check("the length is rounded up to pages",
		      reg->length == 2 * page);
		expect("unmap it", rvm_unmap(reg), RVM_SUCCESS);
	}
	reg->vmaddr = NULL;
	reg->length = 0;
	if (expect("map length 0: to the end of the segment",
		   rvm_map(reg, NULL), RVM_SUCCESS)) {
		check("length 0 maps to the end of the segment",
		      reg->length == (SEG_PAGES - 12) * page);
		expect("unmap it", rvm_unmap(reg), RVM_SUCCESS);
	}
	reg->vmaddr = NULL;
	reg->offset = RVM_MK_OFFSET(0, SEG_PAGES * page);
	reg->length = 0;
	expect("map length 0 at the end of the segment", rvm_map(reg, NULL),
	       RVM_ERANGE);
	reg->offset = RVM_MK_OFFSET(0, 12 * page);
	reg->offset = RVM_MK_OFFSET(0, (SEG_PAGES - 1) * page);
	reg->length = 2 * page;
	expect("map past the end of the segment", rvm_map(reg, NULL),
	       RVM_EOFFSET);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	reg->data_dev = longname;
	reg->offset = RVM_MK_OFFSET(0, 0);
	reg->length = page;
	expect("map a data_dev name over 1023 chars", rvm_map(reg, NULL),
	       RVM_ENAME_TOO_LONG);
	reg->data_dev = datadev;
	reg->offset = RVM_MK_OFFSET(0, 12 * page);
	reg->length = page;
	if (expect("map a free page, address chosen", rvm_map(reg, NULL),
		   RVM_SUCCESS)) {
		check("address written back", reg->vmaddr &&
		      !((rvm_length_t)reg->vmaddr % page));
		expect("unmap it", rvm_unmap(reg), RVM_SUCCESS);
		expect("unmap it again", rvm_unmap(reg), RVM_ENOT_MAPPED);
	}

	/* Statistics. */
	expect("statistics with a wrong version",
	       rvm_statistics("bogus", st), RVM_ESTAT_VERSION_SKEW);
	if (expect("statistics", RVM_STATISTICS(st), RVM_SUCCESS)) {
		report(st->n_flush_commit == n_flush, "n_flush_commit",
		       "%lu, want %lu", st->n_flush_commit, n_flush);
		report(st->n_no_flush_commit == n_no_flush,
		       "n_no_flush_commit", "%lu, want %lu",
		       st->n_no_flush_commit, n_no_flush);
		report(st->n_abort == n_abort, "n_abort", "%lu, want %lu",
		       st->n_abort, n_abort);
		report(st->n_rvm_flush == 1, "n_rvm_flush", "%lu",
		       st->n_rvm_flush);
		check("n_split, n_special, tot_split, tot_special are 0",
		      !st->n_split && !st->n_special && !st->tot_split &&
		      !st->tot_special);
		check("n_wrap <= tot_wrap", st->n_wrap <= st->tot_wrap);
		report(st->n_uncommit == 0, "n_uncommit", "%lu",
		       st->n_uncommit);
		report(st->tot_flush_commit >= n_flush, "tot_flush_commit",
		       "%lu", st->tot_flush_commit);
	}

	/* An uncommitted transaction, left running to the end. */
	if (expect("uncommitted: begin", rvm_begin_transaction(t2, restore),
		   RVM_SUCCESS)) {
		expect("uncommitted: modify_bytes",
		       rvm_modify_bytes(t2, b + 100, T_UNCOMMITTED,
					strlen(T_UNCOMMITTED)), RVM_SUCCESS);
		expect("unmap with uncommitted ranges", rvm_unmap(rb),
		       RVM_EUNCOMMIT);
		expect("release_segment with uncommitted ranges",
		       rvm_release_segment(n, &regions), RVM_EUNCOMMIT);
		check("release_segment left the list", regions != NULL);
		expect("terminate with uncommitted transactions",
		       rvm_terminate(), RVM_EUNCOMMIT);
		expect("query region B sees it", rvm_query(q, rb),
		       RVM_SUCCESS);
		check("query region B: one", q->n_uncommit == 1);
	}

	/* Truncation with uncommitted bytes in memory, then more commits. */
	expect("truncate", rvm_truncate(), RVM_SUCCESS);
	n_flush += commit(tid, restore, a + 800, T_AFTER_TRUNC, flush,
			  "flush commit after truncate");
	n_no_flush += commit(tid, no_restore, a + 900, T_NOFLUSH3, no_flush,
			     "no_flush commit after truncate");
	expect("rvm_flush after truncate", rvm_flush(), RVM_SUCCESS);

	/* What the regions hold now (the uncommitted bytes aside). */
	want_a = malloc(A_PAGES * page);
	want_b = malloc(B_PAGES * page);
	if (want_a && want_b) {
		expected(want_a, want_b, prefilled);
		memcpy(want_b + 100, T_UNCOMMITTED, strlen(T_UNCOMMITTED));
		compare("region A in memory", (unsigned char *)a, want_a,
			A_PAGES * page);
		compare("region B in memory", (unsigned char *)b, want_b,
			B_PAGES * page);
	}
	free(want_a);
	free(want_b);

	printf("# init: %d checks, %d failed; exiting with a transaction running\n",
	       checks, failures);
	return failures ? 1 : 0;
}

static int do_verify(char *logdev, char *datadev)
{
	rvm_options_t *opts = rvm_malloc_options();
	rvm_region_def_t *regions = NULL;
	unsigned char *want_a, *want_b;
	unsigned long n = 0;
	bool prefilled;

	if (!opts)
		return 1;
	opts->log_dev = logdev;
	if (!expect("initialize (attach, recover)", RVM_INIT(opts),
		    RVM_SUCCESS))
		return 1;
	if (!expect("load_segment",
		    rvm_load_segment(datadev, RVM_MK_OFFSET(0, 0), opts, &n,
				     &regions), RVM_SUCCESS))
		return 1;
	check("2 regions at their addresses", n == 2 &&
	      regions[0].vmaddr == VM_A && regions[1].vmaddr == VM_B);
	if (n != 2 || regions[0].vmaddr != VM_A || regions[1].vmaddr != VM_B)
		return 1;

	prefilled = !memcmp(VM_A + 3 * page, "prefilled=1", 11);
	check("marker committed",
	      prefilled || !memcmp(VM_A + 3 * page, "prefilled=0", 11));
	want_a = malloc(A_PAGES * page);
	want_b = malloc(B_PAGES * page);
	if (!want_a || !want_b)
		return 1;
	expected(want_a, want_b, prefilled);
	check("flush commits present", !memcmp(VM_A, T_FLUSH1, 7) &&
	      !memcmp(VM_B, T_FLUSH2, 7) && !memcmp(VM_A + 800, T_AFTER_TRUNC,
						   strlen(T_AFTER_TRUNC)));
	check("flushed no_flush commits present",
	      !memcmp(VM_A + 100, T_NOFLUSH1, strlen(T_NOFLUSH1)) &&
	      !memcmp(VM_A + 200, T_NOFLUSH2, strlen(T_NOFLUSH2)) &&
	      !memcmp(VM_A + 900, T_NOFLUSH3, strlen(T_NOFLUSH3)));
	check("aborted changes absent", is_zero(VM_A + 300, 16) &&
	      is_zero(VM_A + 400, 16));
	check("uncommitted changes absent", is_zero(VM_B + 100, 16));
	compare("region A exactly as committed", (unsigned char *)VM_A,
		want_a, A_PAGES * page);
	compare("region B exactly as committed", (unsigned char *)VM_B,
		want_b, B_PAGES * page);

	expect("release_segment", rvm_release_segment(n, &regions),
	       RVM_SUCCESS);
	check("release_segment cleared the list", regions == NULL);
	expect("terminate", rvm_terminate(), RVM_SUCCESS);
	{
		/* The data segment itself holds the committed bytes now. */
		unsigned char *got = malloc((A_PAGES + B_PAGES) * page);
		int fd = open(datadev, O_RDONLY);

		check("read DATADEV after terminate", got && fd >= 0 &&
		      pread(fd, got, A_PAGES * page, A_OFF_PAGES * page) ==
		      (ssize_t)(A_PAGES * page) &&
		      pread(fd, got + A_PAGES * page, B_PAGES * page,
			    B_OFF_PAGES * page) == (ssize_t)(B_PAGES * page));
		if (got && fd >= 0) {
			compare("DATADEV (read(2)) holds region A as committed",
				got, want_a, A_PAGES * page);
			compare("DATADEV (read(2)) holds region B as committed",
				got + A_PAGES * page, want_b, B_PAGES * page);
		}
		if (fd >= 0)
			close(fd);
		free(got);
	}
	free(want_a);
	free(want_b);
	expect("initialize after terminate", RVM_INIT(opts), RVM_EINIT);

	printf("# verify: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	page = RVM_PAGE_SIZE;
	if (argc == 4 && !strcmp(argv[1], "init"))
		return do_init(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "verify"))
		return do_verify(argv[2], argv[3]);
	fprintf(stderr, "usage: %s init|verify LOGDEV DATADEV\n", argv[0]);
	return 2;
}
