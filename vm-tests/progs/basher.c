// SPDX-License-Identifier: GPL-2.0
/*
 * basher: a long random stress of the classic RVM interface, in the
 * spirit of the original library's basher. Run in the test VM.
 *
 *   basher LOG [--seed S] [--seconds T] [--threads N] [--pages P]
 *
 * LOG is a block device (formatted here with rvm_create_log()). One
 * region of P pages is mapped from the volume's data segment; each of N
 * threads owns its own pages of it and loops, until T seconds passed:
 *
 *  - a restore (about 70%) or no_restore transaction with 1 to 4 ranges
 *    of random sizes (bytes, up to a page, or several pages), declared
 *    with rvm_set_range() or rvm_modify_bytes() and written with random
 *    bytes;
 *  - about 10% of the restore ones are aborted, and the thread's pages
 *    must then read exactly as before the transaction;
 *  - the others commit, flush (about 20%) or no_flush; about 20% of the
 *    iterations also rvm_flush(), and about 2% rvm_truncate(), after which
 *    the thread's pages in the data segment (seg_read()) must equal its
 *    committed image byte for byte.
 *
 * At the end, after a last truncation, the whole region is compared with
 * the segment. RVM_PROTECT (strict, auto, off) and RVM_DECL (declaration
 * slots on or off) are librvm's own environment variables.
 *
 * Exit: 0 pass; 1 a mismatch ("basher: MISMATCH ..."); 2 usage; 3 an RVM
 * call failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rvm/rvm.h>
#include <rvm/volume.h>

static const char *logdev;
static uint64_t seg_base;	/* the data segment's first byte on LOG */
static rvm_length_t page;
static char *region;
static unsigned long npages = 64, nthreads = 4, seconds = 10;
static uint64_t seed = 1;
static time_t t_end;
static pthread_mutex_t trunc_lock = PTHREAD_MUTEX_INITIALIZER;

struct worker {
	pthread_t th;
	unsigned long id;
	char *base;		/* its pages */
	size_t len;
	unsigned char *image;	/* what is committed (and what memory holds) */
	uint64_t rng;
	unsigned long txns, aborts, flushes, truncs, mismatches, failures;
	int rvm_err;
};

static uint64_t rnd(struct worker *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

/*
 * Read @len bytes at offset @off of the region's data segment, as it is
 * on the device (O_DIRECT: not a cached copy). Today the region is the
 * volume's data segment itself, so this reads LOG past the data start;
 * when data segments become files (issue 10), read the data file here.
 */
static int seg_read(uint64_t off, void *buf, size_t len)
{
	uint64_t start = (seg_base + off) / 4096 * 4096;
	uint64_t end = (seg_base + off + len + 4095) / 4096 * 4096;
	void *tmp;
	int fd, ret = 0;

	if (posix_memalign(&tmp, 4096, end - start))
		return -ENOMEM;
	fd = open(logdev, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
	} else {
		if (pread(fd, tmp, end - start, (off_t)start) !=
		    (ssize_t)(end - start))
			ret = -EIO;
		close(fd);
	}
	if (!ret)
		memcpy(buf, (char *)tmp + (seg_base + off - start), len);
	free(tmp);
	return ret;
}

/* Compare the segment with @want for [off, off + len); Return: mismatches. */
static unsigned long seg_compare(const char *who, uint64_t off,
				 const unsigned char *want, size_t len)
{
	unsigned char *got = malloc(len);
	unsigned long bad = 0;
	size_t i;

	if (!got || seg_read(off, got, len)) {
		printf("basher: %s: cannot read the segment\n", who);
		free(got);
		return 1;
	}
	for (i = 0; i < len; i++) {
		if (got[i] != want[i]) {
			if (!bad)
				printf("basher: MISMATCH %s: segment byte %" PRIu64 " is 0x%02x, memory 0x%02x\n",
				       who, off + i, got[i], want[i]);
			bad++;
		}
	}
	free(got);
	return bad ? 1 : 0;
}

/* A random range of the worker's pages: small, up to a page, or pages. */
static void pick(struct worker *w, size_t *off, size_t *len)
{
	uint64_t r = rnd(w) % 10;
	size_t max;

	if (r < 5)
		max = 64;
	else if (r < 8)
		max = page;
	else
		max = 3 * page + 100;
	if (max > w->len)
		max = w->len;
	*len = 1 + rnd(w) % max;
	*off = rnd(w) % (w->len - *len + 1);
}

static bool rvm_ok(struct worker *w, const char *what, rvm_return_t ret)
{
	if (ret == RVM_SUCCESS)
		return true;
	printf("basher: thread %lu: %s: %s\n", w->id, what, rvm_return(ret));
	w->rvm_err = ret;
	return false;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	unsigned char buf[3 * 4096 + 200];
	rvm_tid_t *tid = rvm_malloc_tid();
	size_t off, len, i;
	char who[64];
	int n, k;
	bool rest, ab;

	snprintf(who, sizeof(who), "thread %lu", w->id);
	while (time(NULL) < t_end && !w->rvm_err) {
		rest = rnd(w) % 10 < 7;
		ab = rest && rnd(w) % 10 == 0;
		if (!rvm_ok(w, "begin", rvm_begin_transaction(tid, rest ?
							       restore :
							       no_restore)))
			break;
		n = 1 + (int)(rnd(w) % 4);
		for (k = 0; k < n; k++) {
			pick(w, &off, &len);
			if (len > sizeof(buf))
				len = sizeof(buf);
			for (i = 0; i < len; i++)
				buf[i] = (unsigned char)rnd(w);
			if (rnd(w) % 3 == 0) {
				if (!rvm_ok(w, "modify_bytes",
					    rvm_modify_bytes(tid, w->base + off,
							     buf, len)))
					goto out;
			} else {
				if (!rvm_ok(w, "set_range",
					    rvm_set_range(tid, w->base + off,
							  len)))
					goto out;
				memcpy(w->base + off, buf, len);
			}
		}
		if (ab) {
			if (!rvm_ok(w, "abort", rvm_abort_transaction(tid)))
				break;
			w->aborts++;
			if (memcmp(w->base, w->image, w->len)) {
				for (i = 0; w->base[i] == (char)w->image[i]; i++)
					;
				printf("basher: MISMATCH %s: an abort did not restore byte %zu (0x%02x, want 0x%02x)\n",
				       who, i, (unsigned char)w->base[i],
				       w->image[i]);
				w->mismatches++;
				memcpy(w->image, w->base, w->len);
			}
		} else {
			if (!rvm_ok(w, "end",
				    rvm_end_transaction(tid, rnd(w) % 5 ?
							no_flush : flush)))
				break;
			memcpy(w->image, w->base, w->len);
		}
		w->txns++;
		if (rnd(w) % 5 == 0) {
			if (!rvm_ok(w, "flush", rvm_flush()))
				break;
			w->flushes++;
		}
		if (rnd(w) % 50 == 0) {
			if (!rvm_ok(w, "truncate", rvm_truncate()))
				break;
			w->truncs++;
			w->mismatches += seg_compare(who, (uint64_t)(w->base - region),
						     w->image, w->len);
		}
	}
out:
	rvm_free_tid(tid);
	return NULL;
}

static int usage(void)
{
	fprintf(stderr, "usage: basher LOG [--seed S] [--seconds T] [--threads N] [--pages P]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct rvm_disk_super sb;
	struct rvm_vol *vol;
	rvm_options_t *opts;
	rvm_region_t *reg;
	rvm_offset_t loglen = RVM_MK_OFFSET(0, 4 << 20);
	struct worker *w;
	unsigned long i, per, tot[6] = { 0 };
	const char *prot = getenv("RVM_PROTECT"), *decl = getenv("RVM_DECL");
	rvm_return_t ret;
	int a, fail = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return usage();
	logdev = argv[1];
	for (a = 2; a + 1 < argc; a += 2) {
		if (!strcmp(argv[a], "--seed"))
			seed = strtoull(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--seconds"))
			seconds = strtoul(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--threads"))
			nthreads = strtoul(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--pages"))
			npages = strtoul(argv[a + 1], NULL, 0);
		else
			return usage();
	}
	if (a != argc || !nthreads || npages < nthreads)
		return usage();
	page = rvm_page_size();
	printf("basher: seed %" PRIu64 ", %lu s, %lu threads, %lu pages, RVM_PROTECT=%s RVM_DECL=%s\n",
	       seed, seconds, nthreads, npages, prot ? prot : "(strict)",
	       decl ? decl : "(1)");

	opts = rvm_malloc_options();
	reg = rvm_malloc_region();
	ret = RVM_INIT(NULL);
	if (ret)
		goto rvm_fail;
	opts->log_dev = (char *)logdev;
	ret = rvm_create_log(opts, &loglen, 0600);
	if (ret)
		goto rvm_fail;
	if (rvm_vol_open(logdev, RVM_VOL_RDONLY, &vol) ||
	    rvm_vol_read_super(vol, &sb) < 0) {
		printf("basher: %s: %s\n", logdev, rvm_vol_last_error());
		return 3;
	}
	rvm_vol_close(vol);
	seg_base = le64_to_cpu(sb.data_start) * RVM_BLOCK_SIZE;
	ret = rvm_set_options(opts);
	if (ret)
		goto rvm_fail;
	/* data_dev: the log device itself, the volume's data segment. */
	reg->data_dev = (char *)logdev;
	reg->length = npages * page;
	ret = rvm_map(reg, NULL);
	if (ret)
		goto rvm_fail;
	region = reg->vmaddr;

	w = calloc(nthreads, sizeof(*w));
	per = npages / nthreads;
	t_end = time(NULL) + (time_t)seconds;
	for (i = 0; i < nthreads; i++) {
		w[i].id = i;
		w[i].base = region + i * per * page;
		w[i].len = per * page;
		w[i].image = malloc(w[i].len);
		memcpy(w[i].image, w[i].base, w[i].len);
		w[i].rng = seed * 0x9E3779B97F4A7C15ULL + i + 1;
		if (pthread_create(&w[i].th, NULL, work, &w[i])) {
			perror("pthread_create");
			return 3;
		}
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].th, NULL);
		tot[0] += w[i].txns;
		tot[1] += w[i].aborts;
		tot[2] += w[i].flushes;
		tot[3] += w[i].truncs;
		tot[4] += w[i].mismatches;
		if (w[i].rvm_err)
			tot[5]++;
	}
	pthread_mutex_lock(&trunc_lock);
	ret = rvm_truncate();
	if (ret)
		goto rvm_fail;
	for (i = 0; i < nthreads; i++)
		tot[4] += seg_compare("final", (uint64_t)(w[i].base - region),
				      w[i].image, w[i].len);
	pthread_mutex_unlock(&trunc_lock);
	printf("basher: %lu transactions, %lu aborted (each checked), %lu flushes, %lu truncations (each compared), %lu mismatches, %lu threads failed\n",
	       tot[0], tot[1], tot[2], tot[3], tot[4], tot[5]);
	if (tot[4])
		fail = 1;
	if (tot[5])
		return 3;
	if (!tot[0] || !tot[1] || !tot[3]) {
		printf("basher: too few transactions, aborts or truncations to mean anything\n");
		fail = 1;
	}
	ret = rvm_unmap(reg);
	if (!ret)
		ret = rvm_terminate();
	if (ret)
		goto rvm_fail;
	printf("basher: %s\n", fail ? "FAILED" : "ok");
	return fail;

rvm_fail:
	printf("basher: %s\n", rvm_return(ret));
	return 3;
}
