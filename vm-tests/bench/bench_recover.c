// SPDX-License-Identifier: GPL-2.0
/*
 * bench_recover DISK [--log-size B] [--fill PCT]: recovery time against the
 * device's sequential read rate, for `make bench`.
 *
 * Puts a device-mapper linear device over DISK, formats an rvm volume on
 * it with a log of B bytes (default 32 MiB), attaches it with background
 * truncation at 99%, and commits bank transactions (four ranges, 128 +
 * 128 + 128 + 64 bytes, at random accounts of a 16 MiB bank) in no_flush
 * mode with an rvm flush every 1000 until the log is PCT% full (default
 * 90). Then the crash: the DM table is switched to the "error" target, so
 * nothing more reaches the disk, and the volume is detached (its
 * truncation fails: the log stays as it was). The table is healed and the
 * volume attached again: recovery replays the full log. Prints
 *
 *   RESULT system=recovery log_used=... recovery_ns=... recovery_records=...
 *          recovery_bytes=... read_ns=... (reading log_used bytes of the
 *          log area sequentially with O_DIRECT, 1 MiB at a time)
 *          walk_us=... log_wait_us=... data_read_us=... pages_read=...
 *          write_us=... flush_us=... super_us=... (recovery's passes, from
 *          its line in the kernel log; absent if it is not found)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/dm-ioctl.h>
#include <linux/fs.h>
#include <linux/rvm.h>
#include <rvm/librvm.h>
#include <rvm/volume.h>
#include "bench.h"

#define DM_NAME "rvmbench"
#define DM_NODE "/dev/rvmbench-dm"
#define BANK (16 << 20)
#define U(x) ((unsigned long long)(x))

static char backing[32];
static uint64_t nsect;

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_recover: %s: %s\n", what, strerror(-err));
	exit(1);
}

/* One DM ioctl with at most one target: 0 or -errno. */
static int dm_call(unsigned long cmd, uint32_t flags, const char *type,
		   uint64_t *devp)
{
	static uint64_t buf[16384 / 8];
	struct dm_ioctl *io = (struct dm_ioctl *)buf;
	int fd, ret;

	memset(buf, 0, sizeof(buf));
	io->version[0] = DM_VERSION_MAJOR;
	io->data_size = sizeof(buf);
	io->data_start = sizeof(*io);
	io->flags = flags;
	snprintf(io->name, sizeof(io->name), "%s", DM_NAME);
	if (type) {
		struct dm_target_spec *s = (void *)(io + 1);
		char *params = (char *)(s + 1);

		io->target_count = 1;
		s->sector_start = 0;
		s->length = nsect;
		snprintf(s->target_type, sizeof(s->target_type), "%s", type);
		if (!strcmp(type, "linear"))
			snprintf(params, 64, "%s 0", backing);
		s->next = (sizeof(*s) + strlen(params) + 1 + 7) & ~7UL;
	}
	fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = ioctl(fd, cmd, io) ? -errno : 0;
	close(fd);
	if (!ret && devp)
		*devp = io->dev;
	return ret;
}

static int dm_table(const char *type)
{
	int ret = dm_call(DM_TABLE_LOAD, 0, type, NULL);

	return ret ? ret :
		     dm_call(DM_DEV_SUSPEND, DM_SKIP_LOCKFS_FLAG, NULL, NULL);
}

static uint64_t rs = BENCH_SEED;

static void txn(struct rvm *r, uint8_t *base, uint64_t i)
{
	static const size_t len[4] = { 128, 128, 128, 64 };
	size_t off[4];
	uint64_t tid;
	int ret;

	off[0] = 8192 + rng(&rs) % ((BANK - (1 << 20)) / 128) * 128;	/* account */
	off[1] = 4096 + 128 + (i % 10) * 128;				/* teller */
	off[2] = 4096;							/* branch */
	off[3] = BANK - (1 << 20) + (i % 16384) * 64;			/* history */
	ret = rvm_txn_begin(r, RVM_TXN_NO_RESTORE, &tid);
	for (int k = 0; k < 4 && !ret; k++)
		ret = rvm_txn_set_range(r, tid, base + off[k], len[k]);
	if (ret)
		die("transaction", ret);
	for (int k = 0; k < 4; k++)
		memset(base + off[k], (int)i, len[k]);
	ret = rvm_txn_end(r, tid, RVM_END_NO_FLUSH, NULL);
	if (ret)
		die("commit", ret);
}

static uint64_t read_rate(uint64_t off, uint64_t bytes)
{
	size_t bs = 1 << 20;
	int fd = open(DM_NODE, O_RDONLY | O_DIRECT);
	uint64_t done = 0;
	void *buf;
	double t0;

	if (fd < 0 || posix_memalign(&buf, 4096, bs))
		die("open for reading", -errno);
	t0 = now();
	while (done < bytes) {
		size_t n = bytes - done < bs ? bytes - done : bs;
		ssize_t r;

		n = (n + 4095) & ~(size_t)4095;
		r = pread(fd, buf, n, off + done);
		if (r <= 0)
			die("pread", r < 0 ? -errno : -EIO);
		done += r;
	}
	close(fd);
	free(buf);
	return (now() - t0) * 1e9;
}

/*
 * The last "recovery took ..." line of the kernel log (volume.c), as
 * RESULT keys, or "" if there is none.
 */
static const char *recovery_passes(void)
{
	static char keys[256];
	unsigned long long v[7];
	int n = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf, *p, *last = NULL;

	if (n <= 0 || !(buf = malloc(n + 1)))
		return "";
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, n);
	buf[n > 0 ? n : 0] = 0;
	for (p = buf; (p = strstr(p, ": recovery took ")); p++)
		last = p;
	if (last && sscanf(last, ": recovery took %llu us walking the log "
			   "(%llu waiting for reads), %llu reading %llu pages, "
			   "%llu writing, %llu flushing, %llu in the superblock",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]) == 7)
		snprintf(keys, sizeof(keys), " walk_us=%llu log_wait_us=%llu"
			 " data_read_us=%llu pages_read=%llu write_us=%llu"
			 " flush_us=%llu super_us=%llu", v[0], v[1], v[2], v[3],
			 v[4], v[5], v[6]);
	free(buf);
	return keys;
}

int main(int argc, char **argv)
{
	struct rvm_attach_opts ao = { .truncate_pct = 99 };
	uint64_t log_size = 32 << 20, dev, i = 0, read_ns, log_start;
	struct rvm_status st, rst;
	struct rvm_disk_super sb;
	struct rvm_vol *v;
	int pct = 90, fd, ret;
	struct rvm *r;
	struct stat s;
	double t0;
	void *base;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_recover DISK [--log-size B] [--fill PCT]\n");
		return 2;
	}
	for (int k = 2; k + 1 < argc; k += 2) {
		if (!strcmp(argv[k], "--log-size"))
			log_size = strtoull(argv[k + 1], NULL, 0);
		else if (!strcmp(argv[k], "--fill"))
			pct = atoi(argv[k + 1]);
	}
	if (stat(argv[1], &s) || !S_ISBLK(s.st_mode))
		die(argv[1], -ENOTBLK);
	snprintf(backing, sizeof(backing), "%u:%u", major(s.st_rdev),
		 minor(s.st_rdev));
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &nsect))
		die(argv[1], -errno);
	close(fd);
	nsect /= 512;
	ret = dm_call(DM_DEV_CREATE, 0, NULL, &dev);
	if (ret)
		die("DM_DEV_CREATE", ret);
	if ((ret = dm_table("linear")))
		die("DM table", ret);
	unlink(DM_NODE);
	if (mknod(DM_NODE, S_IFBLK | 0600, makedev(major(dev), minor(dev))))
		die("mknod", -errno);

	if (rvm_vol_format(DM_NODE, log_size, 0)) {
		fprintf(stderr, "bench_recover: format: %s\n", rvm_vol_last_error());
		return 1;
	}
	if (rvm_vol_open(DM_NODE, RVM_VOL_RDONLY, &v) ||
	    rvm_vol_read_super(v, &sb) < 0) {
		fprintf(stderr, "bench_recover: %s\n", rvm_vol_last_error());
		return 1;
	}
	rvm_vol_close(v);
	log_start = le64_to_cpu(sb.log_start) * RVM_BLOCK_SIZE;
	if ((ret = rvm_vol_attach(DM_NODE, &ao, NULL)) ||
	    (ret = rvm_open(DM_NODE, &r)) ||
	    (ret = rvm_region_map(r, 0, BANK, NULL, 0, &base)))
		die("attach", ret);
	t0 = now();
	do {
		for (int k = 0; k < 1000; k++)
			txn(r, base, i++);
		if ((ret = rvm_sync_flush(r)) || (ret = rvm_stat(r, &st)))
			die("flush", ret);
	} while (st.log_used * 100 < st.log_bytes * (uint64_t)pct);
	printf("bench_recover: %llu transactions filled %llu of %llu log bytes in %.1f s"
	       " (truncations %llu, log-full waits %llu)\n", U(i), U(st.log_used),
	       U(st.log_bytes), now() - t0, U(st.truncations),
	       U(st.log_full_waits));
	munmap(base, BANK);	/* a mapping keeps the volume bound */
	rvm_close(r);

	/* The crash: nothing more reaches the disk. */
	if ((ret = dm_table("error")))
		die("DM error table", ret);
	ret = rvm_vol_detach(DM_NODE);
	printf("bench_recover: detach on the failed device: %s\n",
	       ret ? rvm_strerror(ret) : "ok");
	if ((ret = dm_table("linear")))
		die("DM heal", ret);

	if ((ret = rvm_vol_attach(DM_NODE, NULL, NULL)) ||
	    (ret = rvm_vol_status(DM_NODE, &rst)))
		die("attach after the crash", ret);
	read_ns = read_rate(log_start, st.log_used);
	printf("RESULT system=recovery log_used=%llu log_bytes=%llu txns=%llu"
	       " recovery_ns=%llu recovery_records=%llu recovery_bytes=%llu"
	       " read_ns=%llu truncations=%llu%s\n", U(st.log_used),
	       U(st.log_bytes), U(i), U(rst.recovery_ns),
	       U(rst.recovery_records), U(rst.recovery_bytes), U(read_ns),
	       U(st.truncations), recovery_passes());
	fflush(stdout);
	ret = rvm_vol_detach(DM_NODE);
	if (ret)
		die("detach", ret);
	dm_call(DM_DEV_REMOVE, 0, NULL, NULL);
	unlink(DM_NODE);
	return 0;
}
