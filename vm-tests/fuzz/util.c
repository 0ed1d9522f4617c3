// SPDX-License-Identifier: GPL-2.0
/*
 * rvm_fuzz: the helpers every job uses (random values, the ioctls, bind,
 * map, signal guards, dropping privileges).
 */
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

const char *const fz_op_names[FZ_NOPS] = {
	[FZ_IOCTL] = "ioctls",
	[FZ_IOCTL_OK] = "ioctls that succeeded",
	[FZ_URING_SQE] = "io_uring commands",
	[FZ_URING_CQE] = "io_uring completions",
	[FZ_SLOT_LIE] = "lying slot entries",
	[FZ_TXN] = "transactions begun",
	[FZ_COMMIT] = "commits",
	[FZ_ABORT] = "aborts",
	[FZ_MM] = "mm operations",
	[FZ_FORK] = "forks",
	[FZ_KILL] = "processes killed",
	[FZ_UNPRIV] = "unprivileged processes",
	[FZ_VOL_IMAGE] = "volume images",
	[FZ_VOL_ATTACHED] = "images attached and compared",
	[FZ_VOL_REFUSED] = "images refused (as offline)",
	[FZ_VOL_SEGTAB] = "segment table corruptions",
	[FZ_VOL_SEG_COMPARED] = "external segments compared",
	[FZ_SIGNAL] = "SIGSEGV/SIGBUS caught",
};

unsigned long long *fz_count;

void fz_fill(struct fz_rng *r, void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len) {
		uint64_t v = fz_next(r);
		size_t n = len < 8 ? len : 8;

		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
}

uint64_t fz_value(struct fz_rng *r)
{
	switch (fz_below(r, 10)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return ~0ULL;
	case 3:
		return 1ULL << fz_below(r, 64);
	case 4:
		return (1ULL << fz_below(r, 64)) - 1;
	case 5:
		return fz_below(r, 4096);
	case 6:
		return 0x8000000000000000ULL >> fz_below(r, 8);
	case 7:
		return (uint32_t)fz_next(r);
	default:
		return fz_next(r);
	}
}

double fz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int fz_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg) ? -errno : 0;

	fz_inc(FZ_IOCTL, 1);
	if (!ret)
		fz_inc(FZ_IOCTL_OK, 1);
	return ret;
}

int fz_bind(int fd, const char *dev)
{
	struct rvm_bind b;

	memset(&b, 0, sizeof(b));
	b.ref.path = (uintptr_t)dev;
	return fz_ioctl(fd, RVM_IOC_BIND, &b);
}

int fz_map(const char *dev, uint64_t off, size_t len, unsigned char **p)
{
	int fd = open("/dev/rvm", O_RDWR | O_CLOEXEC);
	void *m;

	if (fd < 0)
		return -1;
	if (fz_bind(fd, dev)) {
		close(fd);
		return -1;
	}
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (m == MAP_FAILED) {
		close(fd);
		return -1;
	}
	*p = m;
	return fd;
}

int fz_begin(int fd, uint32_t flags, uint64_t *tid, uint32_t *slot)
{
	struct rvm_txn_begin b;
	int ret;

	memset(&b, 0, sizeof(b));
	b.flags = flags;
	ret = fz_ioctl(fd, RVM_IOC_BEGIN, &b);
	if (!ret) {
		*tid = b.tid;
		if (slot)
			*slot = b.slot;
		fz_inc(FZ_TXN, 1);
	}
	return ret;
}

int fz_range(int fd, uint64_t tid, const void *addr, uint64_t len)
{
	struct rvm_txn_range r;

	memset(&r, 0, sizeof(r));
	r.tid = tid;
	r.addr = (uintptr_t)addr;
	r.len = len;
	return fz_ioctl(fd, RVM_IOC_SET_RANGE, &r);
}

int fz_end(int fd, uint64_t tid, uint32_t flags)
{
	struct rvm_txn_end e;
	int ret;

	memset(&e, 0, sizeof(e));
	e.tid = tid;
	e.flags = flags;
	ret = fz_ioctl(fd, RVM_IOC_END, &e);
	if (!ret)
		fz_inc(FZ_COMMIT, 1);
	return ret;
}

int fz_abort(int fd, uint64_t tid)
{
	struct rvm_txn_end e;
	int ret;

	memset(&e, 0, sizeof(e));
	e.tid = tid;
	ret = fz_ioctl(fd, RVM_IOC_ABORT, &e);
	if (!ret)
		fz_inc(FZ_ABORT, 1);
	return ret;
}

int fz_attach(const char *dev, uint32_t *id)
{
	int fd = open("/dev/rvm", O_RDWR | O_CLOEXEC);
	struct rvm_attach a;
	int ret;

	if (fd < 0)
		return -errno;
	memset(&a, 0, sizeof(a));
	a.path = (uintptr_t)dev;
	ret = fz_ioctl(fd, RVM_IOC_ATTACH, &a);
	if (!ret && id)
		*id = a.vol_id;
	close(fd);
	return ret;
}

int fz_detach(const char *dev)
{
	int fd = open("/dev/rvm", O_RDWR | O_CLOEXEC);
	struct rvm_volume_ref r;
	int ret;

	if (fd < 0)
		return -errno;
	memset(&r, 0, sizeof(r));
	r.path = (uintptr_t)dev;
	ret = fz_ioctl(fd, RVM_IOC_DETACH, &r);
	close(fd);
	return ret;
}

static __thread sigjmp_buf *fz_jmp;

static void fz_sig(int sig)
{
	if (fz_jmp)
		siglongjmp(*fz_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

int fz_guard(void (*fn)(void *arg), void *arg)
{
	static bool installed;
	sigjmp_buf jb, *old = fz_jmp;
	volatile int sig;

	if (!installed) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = fz_sig;
		sa.sa_flags = SA_NODEFER;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		installed = true;
	}
	sig = sigsetjmp(jb, 1);
	if (!sig) {
		fz_jmp = &jb;
		fn(arg);
	} else {
		fz_inc(FZ_SIGNAL, 1);
	}
	fz_jmp = old;
	return sig;
}

struct fz_poke_arg {
	void *addr;
	int val;
	size_t len;
};

static void fz_poke_fn(void *arg)
{
	struct fz_poke_arg *a = arg;

	memset(a->addr, a->val, a->len);
}

int fz_poke(void *addr, int val, size_t len)
{
	struct fz_poke_arg a = { addr, val, len };

	return fz_guard(fz_poke_fn, &a);
}

int fz_drop_privileges(void)
{
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return -errno;
	fz_inc(FZ_UNPRIV, 1);
	return 0;
}
