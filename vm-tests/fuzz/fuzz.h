/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm_fuzz: a seeded, time-bounded fuzzer of rvm.ko, run inside the test
 * VM (vm-tests/fuzz/run). Shared declarations: the random source, the op
 * counters, the volume under test and the small helpers every job uses.
 *
 * Each job (one file each) runs in a child process forked by main.c with
 * a seed of its own, derived from the run's seed and the job's number, so
 * that "--seed S --only N" replays job N. A job returns 0, or 1 for a
 * finding (printed as "FINDING: ..."); the kernel log is checked by the
 * harness (vm-run fails the run on any BUG/WARNING/Oops).
 */
#ifndef _RVM_FUZZ_H
#define _RVM_FUZZ_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <linux/rvm.h>

/* The volume every job but the volume job works on (main.c). */
#define FZ_DEV "/dev/vda"
/* The volume job: a source of crash images and the disk they go on. */
#define FZ_IMG_SRC "/dev/vdb"
#define FZ_IMG_DEV "/dev/vdc"
/* Jobs map this much of the data segment; the canary page lies beyond. */
#define FZ_MAPLEN (4UL << 20)
#define FZ_CANARY_OFF (8UL << 20)
#define FZ_PG 4096UL

/* Op counters, in memory shared by every job process. */
enum fz_op {
	FZ_IOCTL,
	FZ_IOCTL_OK,
	FZ_URING_SQE,
	FZ_URING_CQE,
	FZ_SLOT_LIE,
	FZ_TXN,
	FZ_COMMIT,
	FZ_ABORT,
	FZ_MM,
	FZ_FORK,
	FZ_KILL,
	FZ_UNPRIV,
	FZ_VOL_IMAGE,
	FZ_VOL_ATTACHED,
	FZ_VOL_REFUSED,
	FZ_VOL_SEGTAB,
	FZ_VOL_SEG_COMPARED,
	FZ_SIGNAL,
	FZ_NOPS
};

extern const char *const fz_op_names[FZ_NOPS];
extern unsigned long long *fz_count;

static inline void fz_inc(enum fz_op op, unsigned long long n)
{
	__atomic_fetch_add(&fz_count[op], n, __ATOMIC_RELAXED);
}

/* xorshift64*, seeded per job (per thread where a job has threads). */
struct fz_rng {
	uint64_t s;
};

static inline uint64_t fz_next(struct fz_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

static inline void fz_seed(struct fz_rng *r, uint64_t seed)
{
	/* splitmix64 of the seed: never a zero state */
	uint64_t z = seed + 0x9E3779B97F4A7C15ULL;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	r->s = (z ^ (z >> 31)) | 1;
}

/* A number in [0, n). */
static inline uint64_t fz_below(struct fz_rng *r, uint64_t n)
{
	return n ? fz_next(r) % n : 0;
}

/* 1 in @n. */
static inline bool fz_one_in(struct fz_rng *r, uint64_t n)
{
	return fz_below(r, n) == 0;
}

void fz_fill(struct fz_rng *r, void *buf, size_t len);
/* A "interesting" 64-bit value: 0, 1, -1, powers of two, random, ... */
uint64_t fz_value(struct fz_rng *r);

double fz_now(void);

/* ioctl: 0 or -errno. */
int fz_ioctl(int fd, unsigned long cmd, void *arg);

/*
 * Bind @fd to the volume on @dev. Every bind of the fuzzer goes through
 * here, so that a new way of binding (by an open fd of the block device)
 * is one change.
 */
int fz_bind(int fd, const char *dev);
/* A new /dev/rvm fd bound to @dev with @len bytes mapped at @off, or -1. */
int fz_map(const char *dev, uint64_t off, size_t len, unsigned char **p);
int fz_begin(int fd, uint32_t flags, uint64_t *tid, uint32_t *slot);
int fz_range(int fd, uint64_t tid, const void *addr, uint64_t len);
int fz_end(int fd, uint64_t tid, uint32_t flags);
int fz_abort(int fd, uint64_t tid);
int fz_attach(const char *dev, uint32_t *id);
int fz_detach(const char *dev);

/*
 * Run @fn(@arg) catching SIGSEGV and SIGBUS in this thread: 0 if it
 * returned, else the signal.
 */
int fz_guard(void (*fn)(void *arg), void *arg);
/* memset under fz_guard(). */
int fz_poke(void *addr, int val, size_t len);

/* Drop to the unprivileged user (uid and gid 65534). 0 or -errno. */
int fz_drop_privileges(void);

#define fz_finding(...)                          \
	do {                                     \
		printf("FINDING: " __VA_ARGS__); \
		printf("\n");                    \
		fflush(stdout);                  \
	} while (0)

/* The jobs: each returns 0, or 1 after a finding. */
struct fz_job_ctx {
	uint64_t seed;
	double seconds; /* how long the job runs */
	int verbose;
};

int fz_job_ioctl(const struct fz_job_ctx *c);
int fz_job_uring(const struct fz_job_ctx *c);
int fz_job_slots(const struct fz_job_ctx *c);
int fz_job_mm(const struct fz_job_ctx *c);
int fz_job_kill(const struct fz_job_ctx *c);
int fz_job_volume(const struct fz_job_ctx *c);

#endif /* _RVM_FUZZ_H */
