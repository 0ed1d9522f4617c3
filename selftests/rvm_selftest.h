/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the selftests: the raw ioctls of /dev/rvm, so that the
 * tests exercise the ABI itself, and offline formatting from librvm.
 * The test VM gives every run two scratch disks: RVM_DISK (256 MiB) and
 * RVM_DISK2 (64 MiB).
 */
#ifndef _RVM_SELFTEST_H
#define _RVM_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/rvm.h>
#include <rvm/volume.h>

#define RVM_DISK "/dev/vda"
#define RVM_DISK2 "/dev/vdb"

/*
 * A regular file of @size bytes with allocated blocks, not a hole (O_DIRECT
 * overwrites them in place), with permissions @mode. 0 or -1 (errno).
 */
static inline int rvm_make_file(const char *path, off_t size, mode_t mode)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, mode);
	int ret;

	if (fd < 0)
		return -1;
	ret = posix_fallocate(fd, 0, size) ? -1 : 0;
	if (!ret)
		ret = fchmod(fd, mode);
	close(fd);
	return ret;
}

static inline int rvm_ctl_open(void)
{
	return open("/dev/rvm", O_RDWR | O_CLOEXEC);
}

/* ioctl wrappers: 0 or -errno. */
static inline int rvm_do(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline int rvm_attach_dev(int fd, const char *dev, uint32_t *id)
{
	struct rvm_attach a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.path = (uintptr_t)dev;
	ret = rvm_do(fd, RVM_IOC_ATTACH, &a);
	if (!ret && id)
		*id = a.vol_id;
	return ret;
}

static inline int rvm_detach_dev(int fd, const char *dev)
{
	struct rvm_volume_ref r;

	memset(&r, 0, sizeof(r));
	r.path = (uintptr_t)dev;
	return rvm_do(fd, RVM_IOC_DETACH, &r);
}

static inline int rvm_bind_dev(int fd, const char *dev)
{
	struct rvm_bind b;

	memset(&b, 0, sizeof(b));
	b.ref.path = (uintptr_t)dev;
	return rvm_do(fd, RVM_IOC_BIND, &b);
}

static inline int rvm_status_dev(int fd, const char *dev, struct rvm_status *st)
{
	memset(st, 0, sizeof(*st));
	st->ref.path = (uintptr_t)dev;
	return rvm_do(fd, RVM_IOC_STATUS, st);
}

static inline int rvm_begin(int fd, uint32_t flags, uint64_t *tid)
{
	struct rvm_txn_begin b;
	int ret;

	memset(&b, 0, sizeof(b));
	b.flags = flags;
	ret = rvm_do(fd, RVM_IOC_BEGIN, &b);
	if (!ret)
		*tid = b.tid;
	return ret;
}

static inline int rvm_range(int fd, uint64_t tid, const void *addr,
			    uint64_t len)
{
	struct rvm_txn_range r;

	memset(&r, 0, sizeof(r));
	r.tid = tid;
	r.addr = (uintptr_t)addr;
	r.len = len;
	return rvm_do(fd, RVM_IOC_SET_RANGE, &r);
}

static inline int rvm_end(int fd, uint64_t tid, uint32_t flags)
{
	struct rvm_txn_end e;

	memset(&e, 0, sizeof(e));
	e.tid = tid;
	e.flags = flags;
	return rvm_do(fd, RVM_IOC_END, &e);
}

static inline int rvm_abort(int fd, uint64_t tid)
{
	struct rvm_txn_end e;

	memset(&e, 0, sizeof(e));
	e.tid = tid;
	return rvm_do(fd, RVM_IOC_ABORT, &e);
}

static inline int rvm_sync(int fd, bool truncate)
{
	struct rvm_sync s;

	memset(&s, 0, sizeof(s));
	return rvm_do(fd, truncate ? RVM_IOC_TRUNCATE : RVM_IOC_FLUSH, &s);
}

/* Format @dev (log of @log_bytes, 0 for the default) and attach it. */
static inline int rvm_fresh_volume(int ctl, const char *dev, uint64_t log_bytes)
{
	rvm_detach_dev(ctl, dev);
	if (rvm_vol_format(dev, log_bytes, 0))
		return -EIO;
	return rvm_attach_dev(ctl, dev, NULL);
}

/* A file bound to @dev with @len bytes of its data segment mapped. */
static inline void *rvm_map_dev(const char *dev, uint64_t off, size_t len,
				int *fdp)
{
	int fd = rvm_ctl_open();
	void *p;

	if (fd < 0 || rvm_bind_dev(fd, dev)) {
		if (fd >= 0)
			close(fd);
		return MAP_FAILED;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (p == MAP_FAILED)
		close(fd);
	else
		*fdp = fd;
	return p;
}

/*
 * The counters of @dev; if RVM_IOC_STATUS fails, every counter reads
 * all ones, so that no expectation on them can pass by accident.
 */
static inline struct rvm_status rvm_status_of(int ctl, const char *dev)
{
	struct rvm_status st;

	if (rvm_status_dev(ctl, dev, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

/*
 * Unmap @len bytes at @p, close *@fdp (set to -1), detach @dev and attach
 * it again (recovery runs), map @len bytes of it again through a new file
 * (*@fdp). Return: the mapping, or MAP_FAILED if a step failed.
 */
static inline void *rvm_remount_dev(int ctl, const char *dev, void *p,
				    size_t len, int *fdp)
{
	munmap(p, len);
	close(*fdp);
	*fdp = -1;
	if (rvm_detach_dev(ctl, dev) || rvm_attach_dev(ctl, dev, NULL))
		return MAP_FAILED;
	return rvm_map_dev(dev, 0, len, fdp);
}

/*
 * Copy the first @len bytes (a multiple of 1 MiB) of a device, live or not,
 * to another: with the source attached, a crash image of it.
 */
static inline int rvm_copy_dev(const char *from, const char *to, size_t len)
{
	int in = open(from, O_RDONLY | O_DIRECT);
	int out = open(to, O_WRONLY | O_DIRECT);
	size_t chunk = 1 << 20, done = 0;
	void *buf = NULL;
	int ret = -1;

	if (in < 0 || out < 0 || posix_memalign(&buf, 4096, chunk))
		goto out;
	while (done < len) {
		if (pread(in, buf, chunk, done) != (ssize_t)chunk ||
		    pwrite(out, buf, chunk, done) != (ssize_t)chunk)
			goto out;
		done += chunk;
	}
	ret = fsync(out);
out:
	free(buf);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ret;
}

/*
 * Zero @len bytes (a multiple of 4096) at @off of a device: formatting
 * leaves the data segment as it was, and earlier tests wrote the same
 * scratch disks.
 */
/* Write @len bytes of @buf (aligned for O_DIRECT) to @dev at @off, durably. */
static inline int rvm_write_dev(const char *dev, off_t off, const void *buf,
				size_t len)
{
	int fd = open(dev, O_WRONLY | O_DIRECT | O_CLOEXEC);
	int ret = -1;

	if (fd < 0)
		return -1;
	if (pwrite(fd, buf, len, off) == (ssize_t)len)
		ret = fsync(fd);
	close(fd);
	return ret;
}

static inline int rvm_zero_dev(const char *dev, off_t off, size_t len)
{
	void *buf = NULL;
	int ret;

	if (posix_memalign(&buf, 4096, len))
		return -1;
	memset(buf, 0, len);
	ret = rvm_write_dev(dev, off, buf, len);
	free(buf);
	return ret;
}

/*
 * The start most tests share: /dev/rvm open, the first @zero bytes of
 * @dev zeroed (formatting leaves the data segment as it was, and a test
 * must not find an earlier test's bytes there), @dev formatted with a log
 * of @log_bytes, attached, and @len bytes of its data segment mapped
 * through a bound file.
 */
struct rvm_mapped {
	int ctl;
	int fd;
	unsigned char *p;
	size_t len;
	const char *dev;
};

static inline void rvm_mapped_setup(struct __test_metadata *_metadata,
				    struct rvm_mapped *m, const char *dev,
				    uint64_t log_bytes, size_t zero,
				    size_t len)
{
	m->fd = -1;
	m->p = MAP_FAILED;
	m->len = len;
	m->dev = dev;
	m->ctl = rvm_ctl_open();
	/* Our VM loads rvm.ko and attaches the disks: a missing one fails. */
	ASSERT_LE(0, m->ctl) TH_LOG("/dev/rvm missing: is rvm.ko loaded?");
	ASSERT_EQ(0, access(dev, F_OK)) TH_LOG("no scratch disk %s", dev);
	rvm_detach_dev(m->ctl, dev);
	ASSERT_EQ(0, rvm_zero_dev(dev, 0, zero));
	ASSERT_EQ(0, rvm_fresh_volume(m->ctl, dev, log_bytes));
	m->p = rvm_map_dev(dev, 0, len, &m->fd);
	ASSERT_NE(MAP_FAILED, m->p);
}

/* Undo rvm_mapped_setup(), as far as it got. */
static inline void rvm_mapped_teardown(struct rvm_mapped *m)
{
	if (m->fd >= 0) {
		if (m->p != MAP_FAILED)
			munmap(m->p, m->len);
		close(m->fd);
	}
	if (m->ctl >= 0) {
		rvm_detach_dev(m->ctl, m->dev);
		close(m->ctl);
	}
}

/* The uid and gid the unprivileged tests run as. */
#define NOBODY 65534

/*
 * Run @fn as nobody in a child; returns its result (a negative errno or
 * 0), or 99 if the child did not get that far.
 */
static inline int as_nobody(int (*fn)(void *), void *arg)
{
	int st, pipefd[2], ret = 99;
	pid_t pid;

	if (pipe(pipefd))
		return 99;
	pid = fork();
	if (pid == 0) {
		int r = 99;

		if (!setgid(NOBODY) && !setuid(NOBODY) && getuid() == NOBODY)
			r = fn(arg);
		if (write(pipefd[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	if (pid > 0) {
		if (read(pipefd[0], &ret, sizeof(ret)) != sizeof(ret))
			ret = 99;
		waitpid(pid, &st, 0);
	}
	close(pipefd[0]);
	close(pipefd[1]);
	return ret;
}

/*
 * The kernel log is never cleared by a test: run_tests.sh looks for
 * BUG/WARNING/Oops in all of what a test program left there. A test that
 * must not see the lines of an earlier step writes a marker line
 * (klog_mark()); klog_has() then only looks at the lines after it.
 */
static inline char *klog_marker(void)
{
	static char marker[64]; /* empty: no marker, the whole log */

	return marker;
}

/*
 * Does a line of the kernel log after the newest marker hold @a and, after
 * it, @b? With @a NULL: is the marker there at all? A marker that is no
 * longer in the log (it wrapped) leaves only lines newer than it.
 */
static inline bool klog_scan(const char *a, const char *b)
{
	static char buf[1 << 20];
	int n = klogctl(3, buf, sizeof(buf) - 1); /* SYSLOG_ACTION_READ_ALL */
	const char *marker = klog_marker();
	size_t mlen = strlen(marker);
	char *line, *save = NULL, *at;
	bool found = false;

	if (n < 0)
		return false;
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		at = mlen ? strstr(line, marker) : NULL;
		if (at && !at[mlen]) {
			found = !a; /* what came before it does not count */
			continue;
		}
		if (a && !found) {
			at = strstr(line, a);
			found = at && strstr(at, b);
		}
	}
	return found;
}

/* Does a line of the kernel log (after klog_mark()) hold @a and then @b? */
static inline bool klog_has(const char *a, const char *b)
{
	return klog_scan(a, b);
}

/*
 * From now on klog_has() looks only at lines logged after this: a unique
 * marker line written to /dev/kmsg (an open of its own, so that the
 * write is not rate limited) and read back. 0, or -1 if it is not there.
 */
static inline int klog_mark(void)
{
	static unsigned int seq;
	char *marker = klog_marker(), line[64];
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	ssize_t len;

	if (fd < 0)
		return -1;
	len = snprintf(line, sizeof(line), "rvm-selftest: mark %d.%u\n",
		       (int)getpid(), ++seq);
	/* with its newline: a record without one is not readable yet */
	if (write(fd, line, len) != len) {
		close(fd);
		return -1;
	}
	close(fd);
	line[len - 1] = 0;
	strcpy(marker, line);
	return klog_scan(NULL, NULL) ? 0 : -1;
}

/* 1 if each of the @len bytes at @p is @val, else 0: check every byte. */
static inline int rvm_all_bytes(const unsigned char *p, int val, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != val)
			return 0;
	return 1;
}

static sigjmp_buf segv_jmp;

static inline void segv_handler(int sig)
{
	siglongjmp(segv_jmp, 1);
}

/* memset() that reports 1 if it got SIGSEGV, 0 if it completed. */
static inline int try_memset(unsigned char *addr, int val, size_t len)
{
	struct sigaction sa, old;
	volatile int faulted = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = segv_handler;
	sigaction(SIGSEGV, &sa, &old);
	if (sigsetjmp(segv_jmp, 1) == 0)
		memset((void *)addr, val, len);
	else
		faulted = 1;
	sigaction(SIGSEGV, &old, NULL);
	return faulted;
}

#endif /* _RVM_SELFTEST_H */
