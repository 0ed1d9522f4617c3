// SPDX-License-Identifier: GPL-2.0
/*
 * classic_files: a test driver like the original RVM's, written against
 * the classic interface only (<rvm/rvm.h>): a log, and data files of their
 * own that the program maps and then reads back with plain read(2).
 *
 *   classic_files run LOG DATA1 DATA2 STATE
 *	Creates LOG if it does not hold a log yet (rvm_create_log()),
 *	creates DATA1 (1 MiB) and DATA2 (256 KiB) filled with a pattern,
 *	maps two regions of DATA1 and one of DATA2 (two segments, three
 *	regions), and runs transactions: restore and no_restore, flush and
 *	no_flush, a fifth of the restore ones aborted (memory must be back
 *	as it was), every range checked against a shadow copy of what is
 *	committed. Every 50 transactions: rvm_flush(), rvm_truncate(), then
 *	each file, read with read(2), must equal memory and the shadow byte
 *	for byte. Then rvm_terminate(), and the files again. STATE gets the
 *	expected contents of the regions (for check).
 *   classic_files commit LOG DATA1 DATA2 STATE
 *	Starts again on the same log and files (recovery at attach), maps
 *	the regions again, checks them against STATE, runs more flush-mode
 *	transactions (with aborts) without truncating, writes the new
 *	expected contents to STATE (fsync) and exits without rvm_terminate:
 *	the scenario resets the VM there.
 *   classic_files check LOG DATA1 DATA2 STATE
 *	Starts again (recovery replays the log into both files), maps the
 *	regions, compares memory with STATE, terminates, and compares both
 *	files, read with read(2), with STATE.
 *
 * Exit: 0 every check passed, 1 a check failed, 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rvm/rvm.h>

#define D1_LEN		(1UL << 20)
#define D2_LEN		(256UL << 10)
#define LOG_LEN		(2UL << 20)
#define NREG		3
#define TXNS		400
#define MAX_RANGES	4
#define MAX_RANGE	3000

/* The regions: [file, offset, length] */
static const struct {
	int file;
	unsigned long off, len;
} R[NREG] = {
	{ 1, 0, 64 * 4096 },
	{ 1, 128 * 4096, 64 * 4096 },
	{ 2, 0, D2_LEN },
};

static char *log_dev, *data[3], *state_path;
static rvm_region_t *reg[NREG];
static unsigned char *shadow[NREG];	/* committed contents */
static int checks, failures;
static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static bool check(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	checks++;
	if (ok)
		return true;
	failures++;
	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return false;
}

static bool expect(rvm_return_t got, rvm_return_t want, const char *what)
{
	return check(got == want, "%s: %s (want %s)", what, rvm_return(got),
		     rvm_return(want));
}

/* A data file of @len bytes of a pattern (so zeros would show). */
static bool make_file(const char *path, unsigned long len, unsigned char seed)
{
	unsigned char *buf = malloc(len);
	unsigned long i;
	int fd;
	bool ok;

	if (!buf)
		return false;
	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 7 + seed + (i >> 12));
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ok = fd >= 0 && write(fd, buf, len) == (ssize_t)len && !fsync(fd);
	if (fd >= 0)
		close(fd);
	free(buf);
	return ok;
}

/* Read [off, off + len) of @path with plain pread(2). */
static bool read_file(const char *path, unsigned long off, unsigned char *buf,
		      unsigned long len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return false;
	n = pread(fd, buf, len, off);
	close(fd);
	return n == (ssize_t)len;
}

/* First differing byte of @a and @b, or -1. */
static long diff_at(const unsigned char *a, const unsigned char *b,
		    unsigned long len)
{
	unsigned long i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

/* Each file, read with read(2), against @want (and memory if mapped). */
static void compare_files(const char *when, bool mapped)
{
	unsigned char *buf;
	long d;
	int i;

	for (i = 0; i < NREG; i++) {
		buf = malloc(R[i].len);
		if (!check(buf && read_file(data[R[i].file], R[i].off, buf,
					    R[i].len),
			   "%s: read %s", when, data[R[i].file])) {
			free(buf);
			continue;
		}
		d = diff_at(buf, shadow[i], R[i].len);
		check(d < 0, "%s: %s at %lu (region %d) differs from what is committed at byte %ld",
		      when, data[R[i].file], R[i].off, i, d);
		if (mapped) {
			d = diff_at(buf, (unsigned char *)reg[i]->vmaddr,
				    R[i].len);
			check(d < 0, "%s: %s (region %d) differs from memory at byte %ld",
			      when, data[R[i].file], i, d);
		}
		free(buf);
	}
}

static void compare_memory(const char *when)
{
	long d;
	int i;

	for (i = 0; i < NREG; i++) {
		d = diff_at((unsigned char *)reg[i]->vmaddr, shadow[i],
			    R[i].len);
		check(d < 0, "%s: region %d differs from what is committed at byte %ld",
		      when, i, d);
	}
}

static bool start(void)
{
	rvm_options_t *opts = rvm_malloc_options();
	rvm_offset_t len = RVM_MK_OFFSET(0, LOG_LEN);
	rvm_return_t ret;
	int i;

	opts->log_dev = log_dev;
	ret = RVM_INIT(opts);
	if (ret == RVM_ELOG || (ret == RVM_EIO && errno == ENOENT)) {
		/* No log yet: make one (RVM_DATA_LEN=0: a log alone). */
		setenv("RVM_DATA_LEN", "0", 0);
		opts->log_dev = NULL;
		if (!expect(RVM_INIT(opts), RVM_SUCCESS, "initialize") )
			return false;
		opts->log_dev = log_dev;
		if (!expect(rvm_create_log(opts, &len, 0600), RVM_SUCCESS,
			    "create_log"))
			return false;
		ret = rvm_set_options(opts);
	}
	if (!expect(ret, RVM_SUCCESS, "initialize with the log"))
		return false;
	for (i = 0; i < NREG; i++) {
		reg[i] = rvm_malloc_region();
		reg[i]->data_dev = data[R[i].file];
		reg[i]->offset = RVM_MK_OFFSET(0, R[i].off);
		reg[i]->length = R[i].len;
		if (!expect(rvm_map(reg[i], opts), RVM_SUCCESS, "map"))
			return false;
	}
	rvm_free_options(opts);
	return true;
}

/*
 * One transaction of 1..MAX_RANGES random ranges; aborted (restore mode
 * only) with probability 1/5 if @aborts. Returns false on an API failure.
 */
static bool one_txn(bool aborts, bool flush_only)
{
	rvm_tid_t *tid = rvm_malloc_tid();
	struct {
		int r;
		unsigned long off, len;
	} rg[MAX_RANGES];
	unsigned int n = 1 + rnd() % MAX_RANGES, k;
	bool restore_mode = aborts ? rnd() % 3 : rnd() & 1;
	bool abort_it = aborts && restore_mode && rnd() % 5 == 0;
	bool ok = true;
	unsigned long j;

	ok = expect(rvm_begin_transaction(tid, restore_mode ? restore :
					  no_restore), RVM_SUCCESS, "begin");
	for (k = 0; ok && k < n; k++) {
		unsigned char *p;

		rg[k].r = rnd() % NREG;
		rg[k].len = 1 + rnd() % MAX_RANGE;
		rg[k].off = rnd() % (R[rg[k].r].len - rg[k].len + 1);
		p = (unsigned char *)reg[rg[k].r]->vmaddr + rg[k].off;
		ok = expect(rvm_set_range(tid, p, rg[k].len), RVM_SUCCESS,
			    "set_range");
		for (j = 0; ok && j < rg[k].len; j++)
			p[j] = (unsigned char)rnd();
	}
	if (!ok) {
		rvm_free_tid(tid);
		return false;
	}
	if (abort_it) {
		ok = expect(rvm_abort_transaction(tid), RVM_SUCCESS, "abort");
		for (k = 0; ok && k < n; k++)
			check(!memcmp((unsigned char *)reg[rg[k].r]->vmaddr +
					      rg[k].off,
				      shadow[rg[k].r] + rg[k].off, rg[k].len),
			      "abort did not restore region %d at %lu",
			      rg[k].r, rg[k].off);
	} else {
		ok = expect(rvm_end_transaction(tid, flush_only || rnd() & 1 ?
						flush : no_flush),
			    RVM_SUCCESS, "end");
		/* Later ranges win, as memory has them. */
		for (k = 0; ok && k < n; k++)
			memcpy(shadow[rg[k].r] + rg[k].off,
			       (unsigned char *)reg[rg[k].r]->vmaddr + rg[k].off,
			       rg[k].len);
	}
	rvm_free_tid(tid);
	return ok;
}

static bool state_io(bool save)
{
	int fd = open(state_path, save ? O_RDWR | O_CREAT | O_TRUNC : O_RDONLY,
		      0600);
	bool ok = fd >= 0;
	int i;

	for (i = 0; ok && i < NREG; i++)
		ok = save ? write(fd, shadow[i], R[i].len) == (ssize_t)R[i].len :
			    read(fd, shadow[i], R[i].len) == (ssize_t)R[i].len;
	if (ok && save)
		ok = !fsync(fd);
	if (fd >= 0)
		close(fd);
	return check(ok, "%s %s", save ? "write" : "read", state_path);
}

static int do_run(void)
{
	char when[64];
	int i;

	if (!check(make_file(data[1], D1_LEN, 1) && make_file(data[2], D2_LEN, 2),
		   "create the data files"))
		return 1;
	for (i = 0; i < NREG; i++) {
		shadow[i] = malloc(R[i].len);
		if (!read_file(data[R[i].file], R[i].off, shadow[i], R[i].len))
			return 1;
	}
	if (!start())
		return 1;
	compare_memory("after map: the files' bytes");
	for (i = 1; i <= TXNS; i++) {
		if (!one_txn(true, false))
			return 1;
		if (i % 50)
			continue;
		compare_memory("after the transactions");
		expect(rvm_flush(), RVM_SUCCESS, "flush");
		expect(rvm_truncate(), RVM_SUCCESS, "truncate");
		snprintf(when, sizeof(when), "after truncation at %d", i);
		compare_files(when, true);
	}
	/* No_flush commits pending: terminate makes them durable and written. */
	for (i = 0; i < 20; i++)
		one_txn(false, false);
	expect(rvm_terminate(), RVM_SUCCESS, "terminate");
	compare_files("after terminate", false);
	state_io(true);
	printf("# run: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}

static int do_commit(void)
{
	int i;

	for (i = 0; i < NREG; i++)
		shadow[i] = malloc(R[i].len);
	if (!state_io(false) || !start())
		return 1;
	compare_memory("started again");
	compare_files("started again", true);
	rng ^= 0x1234567;
	for (i = 0; i < 200; i++)
		if (!one_txn(true, true))
			return 1;
	compare_memory("after the flush commits");
	state_io(true);
	printf("# commit: %d checks, %d failed; exiting without terminate\n",
	       checks, failures);
	return failures ? 1 : 0;
}

static int do_check(void)
{
	int i;

	for (i = 0; i < NREG; i++)
		shadow[i] = malloc(R[i].len);
	if (!state_io(false) || !start())
		return 1;
	compare_memory("after recovery");
	expect(rvm_terminate(), RVM_SUCCESS, "terminate");
	compare_files("after recovery and terminate", false);
	printf("# check: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 6) {
		fprintf(stderr, "usage: %s run|commit|check LOG DATA1 DATA2 STATE\n",
			argv[0]);
		return 2;
	}
	log_dev = argv[2];
	data[1] = argv[3];
	data[2] = argv[4];
	state_path = argv[5];
	if (!strcmp(argv[1], "run"))
		return do_run();
	if (!strcmp(argv[1], "commit"))
		return do_commit();
	if (!strcmp(argv[1], "check"))
		return do_check();
	fprintf(stderr, "usage: %s run|commit|check LOG DATA1 DATA2 STATE\n",
		argv[0]);
	return 2;
}
