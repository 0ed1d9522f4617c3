// SPDX-License-Identifier: GPL-2.0
/*
 * bench_raw: what the device itself allows, for `make bench`.
 *
 *   bench_raw write DEV [--threads T] [--bs B] [--seconds S]
 *	durable small writes: each thread loops over pwritev2(RWF_DSYNC) of
 *	B bytes (default 512) with O_DIRECT, each to a block of its own
 *	(the write returns once the device has it on stable storage: FUA, or
 *	a write then a cache flush). Prints "RESULT system=raw ...".
 *   bench_raw read DEV --offset O --bytes N [--bs B]
 *	reads N bytes from offset O sequentially with O_DIRECT in B-byte
 *	requests (default 1 MiB). Prints "READ bytes=... ns=...".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"
#include "window.h"

#define MAX_THREADS 64

static const char *dev;
static size_t bs = 512;
static volatile int stop;

struct worker {
	pthread_t th;
	int id;
	uint64_t done;
	int err;
};

static void *writer(void *arg)
{
	struct worker *w = arg;
	struct iovec iov;
	void *buf;
	int fd = open(dev, O_WRONLY | O_DIRECT);

	if (fd < 0 || posix_memalign(&buf, 4096, bs)) {
		w->err = errno;
		return NULL;
	}
	memset(buf, w->id + 1, bs);
	iov.iov_base = buf;
	iov.iov_len = bs;
	while (!stop) {
		/* Each thread its own 1 MiB, written round robin. */
		off_t off = (off_t)w->id * (1 << 20) +
			    (w->done % ((1 << 20) / bs)) * bs;

		if (pwritev2(fd, &iov, 1, off, RWF_DSYNC) != (ssize_t)bs) {
			w->err = errno;
			break;
		}
		__atomic_store_n(&w->done, w->done + 1, __ATOMIC_RELAXED);
	}
	close(fd);
	free(buf);
	return NULL;
}

static int cmd_write(int threads, double seconds)
{
	struct worker w[MAX_THREADS];
	static struct window win;
	uint64_t done = 0;
	double t0, dt;

	for (int i = 0; i < threads; i++) {
		w[i] = (struct worker){ .id = i };
		pthread_create(&w[i].th, NULL, writer, &w[i]);
	}
	t0 = now();
	while (now() - t0 < seconds) {
		uint64_t n = 0;

		usleep(50000);
		for (int i = 0; i < threads; i++)
			n += __atomic_load_n(&w[i].done, __ATOMIC_RELAXED);
		window_add(&win, now(), n);
	}
	stop = 1;
	for (int i = 0; i < threads; i++) {
		pthread_join(w[i].th, NULL);
		if (w[i].err) {
			fprintf(stderr, "bench_raw: %s: %s\n", dev,
				strerror(w[i].err));
			return 1;
		}
		done += w[i].done;
	}
	dt = now() - t0;
	printf("RESULT system=raw mode=dsync threads=%d bs=%zu seconds=%.2f"
	       " txns=%" PRIu64 " tps=%.1f tps_mean=%.1f\n", threads, bs, dt,
	       done, window_best(&win, done / dt), done / dt);
	return 0;
}

static int cmd_read(uint64_t off, uint64_t bytes)
{
	int fd = open(dev, O_RDONLY | O_DIRECT);
	uint64_t done = 0;
	void *buf;
	double t0;

	if (fd < 0 || posix_memalign(&buf, 4096, bs)) {
		perror(dev);
		return 1;
	}
	t0 = now();
	while (done < bytes) {
		size_t n = bytes - done < bs ? bytes - done : bs;
		ssize_t r;

		n = (n + 511) & ~(size_t)511;
		r = pread(fd, buf, n, off + done);
		if (r <= 0) {
			perror("pread");
			return 1;
		}
		done += r;
	}
	printf("READ bytes=%" PRIu64 " ns=%.0f\n", done, (now() - t0) * 1e9);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	int threads = 1;
	double seconds = 5;
	uint64_t off = 0, bytes = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_raw write|read DEV [options]\n");
		return 2;
	}
	dev = argv[2];
	if (!strcmp(argv[1], "read"))
		bs = 1 << 20;
	for (int i = 3; i + 1 < argc; i += 2) {
		const char *a = argv[i], *v = argv[i + 1];

		if (!strcmp(a, "--threads"))
			threads = atoi(v);
		else if (!strcmp(a, "--bs"))
			bs = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--seconds"))
			seconds = atof(v);
		else if (!strcmp(a, "--offset"))
			off = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--bytes"))
			bytes = strtoull(v, NULL, 0);
		else {
			fprintf(stderr, "bench_raw: unknown option %s\n", a);
			return 2;
		}
	}
	if (threads < 1 || threads > MAX_THREADS || !bs || bs % 512) {
		fprintf(stderr, "bench_raw: bad options\n");
		return 2;
	}
	if (!strcmp(argv[1], "write"))
		return cmd_write(threads, seconds);
	if (!strcmp(argv[1], "read"))
		return cmd_read(off, bytes);
	fprintf(stderr, "bench_raw: unknown command %s\n", argv[1]);
	return 2;
}
