/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reporting for the userspace unit tests, shared by every test program:
 * named cases (t_begin(), t_end()), checks that note a failure and go on
 * (t_check(), t_eq()), the exit status (t_exit()), a reproducible
 * pseudo-random generator (t_rand(), t_fill()) and a scratch directory
 * (t_tmpdir(), t_path()). Only standard C here, so
 * that it mixes with both the kernel shim (rvm_test.h) and <rvm/rvm.h>
 * (rvm_mock.h).
 */
#ifndef _RVM_T_REPORT_H
#define _RVM_T_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define T_PASS	0
#define T_FAIL	1
#define T_SKIP	77

static int t_failures;
static char t_case[160];
static bool t_case_failed;

#define t_check(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "  %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, "\n");					\
		t_case_failed = true;					\
	}								\
} while (0)

/* Equal as 64-bit integers; shown signed and in hex (errnos, sizes, ids). */
#define t_eq(a, b) t_check((unsigned long long)(a) == (unsigned long long)(b), \
			   "%lld (%#llx) != %lld (%#llx)",		\
			   (long long)(a), (unsigned long long)(a),	\
			   (long long)(b), (unsigned long long)(b))

static inline void t_begin(const char *name)
{
	snprintf(t_case, sizeof(t_case), "%s", name);
	t_case_failed = false;
}

static inline void t_end(void)
{
	printf("%s - %s\n", t_case_failed ? "FAIL" : "ok", t_case);
	fflush(stdout);
	if (t_case_failed)
		t_failures++;
}

static inline int t_exit(void)
{
	return t_failures ? T_FAIL : T_PASS;
}

/* xorshift64*: reproducible pseudo-random numbers. */
static uint64_t t_rng_state = 0x9E3779B97F4A7C15ULL;

static inline uint64_t t_rand(void)
{
	uint64_t x = t_rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t_rng_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static inline void t_fill(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len--)
		*p++ = (uint8_t)t_rand();
}

/*
 * A scratch directory for a test's files: t_tmpdir("NAME") makes
 * $TMPDIR/rvm-test-NAME.XXXXXX (false if it cannot), t_path("f") names a
 * file in it (the last four names stay valid), t_rmdir() removes it once
 * the test has removed its files.
 */
static char t_dir[256];

static inline bool t_tmpdir(const char *name)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(t_dir, sizeof(t_dir), "%s/rvm-test-%s.XXXXXX",
		 tmp ? tmp : "/tmp", name);
	if (!mkdtemp(t_dir)) {
		perror("mkdtemp");
		return false;
	}
	return true;
}

static inline char *t_path(const char *name)
{
	static char p[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", t_dir, name);
	return p[i];
}

static inline void t_rmdir(void)
{
	rmdir(t_dir);
}

#endif /* _RVM_T_REPORT_H */
