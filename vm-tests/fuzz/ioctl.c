// SPDX-License-Identifier: GPL-2.0
/*
 * rvm_fuzz job "ioctl": random and mutated ioctls of /dev/rvm (every
 * RVM_IOC_*, and numbers and sizes beside them; arguments NULL, in the
 * kernel, running into a PROT_NONE page, read-only, or in the mapping),
 * on a few file descriptors, bound and not, mapped and not, mixed with valid
 * transactions, writes to the mappings, mmap() calls with random
 * arguments, and closes. One job in four drops to the unprivileged user
 * after opening and binding its files: ATTACH and DETACH must then fail
 * with EPERM, whatever their arguments.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#define NFD 4

static const unsigned long cmds[] = {
	RVM_IOC_GET_VERSION, RVM_IOC_ATTACH, RVM_IOC_DETACH,	RVM_IOC_STATUS,
	RVM_IOC_BIND,	     RVM_IOC_BEGIN,  RVM_IOC_SET_RANGE, RVM_IOC_END,
	RVM_IOC_ABORT,	     RVM_IOC_FLUSH,  RVM_IOC_TRUNCATE,	RVM_IOC_UNMAP,
	RVM_IOC_SET_PROTECT,
};

struct fdst {
	int fd;
	unsigned char *map;
	size_t len;
	uint64_t tid[4];
};

/* Paths ATTACH, DETACH, STATUS and BIND are given (never the other disks). */
static char longpath[RVM_PATH_MAX + 64];
static const char *const paths[] = {
	FZ_DEV, "/dev/null", "/dev/rvm", "/dev/vdz", "", "/", longpath,
};

static unsigned long pick_cmd(struct fz_rng *r)
{
	unsigned long c = cmds[fz_below(r, sizeof(cmds) / sizeof(cmds[0]))];

	switch (fz_below(r, 12)) {
	case 0: /* another number of ours */
		return _IOC(_IOC_DIR(c), RVM_IOC_MAGIC, fz_below(r, 0x50),
			    _IOC_SIZE(c));
	case 1: /* another size */
		return _IOC(_IOC_DIR(c), RVM_IOC_MAGIC, _IOC_NR(c),
			    fz_below(r, 512));
	case 2: /* another direction */
		return _IOC(fz_below(r, 4), RVM_IOC_MAGIC, _IOC_NR(c),
			    _IOC_SIZE(c));
	case 3:
		return (uint32_t)fz_next(r);
	default:
		return c;
	}
}

/* A valid-looking argument for @cmd in @buf, then mutated. */
static void make_arg(struct fz_rng *r, unsigned long cmd, uint64_t *buf,
		     size_t words, struct fdst *f, unsigned char *local)
{
	uint64_t tid = f->tid[fz_below(r, 4)];
	unsigned char *addr = f->map ? f->map + fz_below(r, f->len) : local;

	memset(buf, 0, words * 8);
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(RVM_IOC_ATTACH):
	case _IOC_NR(RVM_IOC_DETACH):
	case _IOC_NR(RVM_IOC_STATUS):
	case _IOC_NR(RVM_IOC_BIND):
		buf[0] = (uintptr_t)
			paths[fz_below(r, sizeof(paths) / sizeof(paths[0]))];
		if (fz_one_in(r, 4)) {
			buf[0] = 0;
			buf[1] = fz_below(r, 4); /* vol_id */
		}
		break;
	case _IOC_NR(RVM_IOC_BEGIN):
		buf[0] = 1 + fz_below(r, 7);
		break;
	case _IOC_NR(RVM_IOC_SET_RANGE):
		buf[0] = tid;
		buf[1] = (uintptr_t)addr;
		buf[2] = 1 + fz_below(r, fz_one_in(r, 8) ? 1 << 22 : 8192);
		break;
	case _IOC_NR(RVM_IOC_END):
	case _IOC_NR(RVM_IOC_ABORT):
		buf[0] = tid;
		buf[1] = fz_below(r, 16);
		break;
	case _IOC_NR(RVM_IOC_UNMAP):
		buf[0] = (uintptr_t)(f->map ? f->map : local);
		buf[1] = f->len;
		break;
	case _IOC_NR(RVM_IOC_SET_PROTECT):
		buf[0] = fz_below(r, 4);
		break;
	}
	/* Mutations: a field, a bit, or all of it. */
	switch (fz_below(r, 5)) {
	case 0:
		buf[fz_below(r, words)] = fz_value(r);
		break;
	case 1:
		buf[fz_below(r, words)] ^= 1ULL << fz_below(r, 64);
		break;
	case 2:
		if (fz_one_in(r, 4))
			fz_fill(r, buf, words * 8);
		break;
	}
}

static unsigned char *ro_page;

static void *pick_ptr(struct fz_rng *r, uint64_t *buf, unsigned char *edge,
		      struct fdst *f)
{
	switch (fz_below(r, 16)) {
	case 4:
		/* readable, not writable: the copy back out fails */
		if (mprotect(ro_page, FZ_PG, PROT_READ | PROT_WRITE))
			return buf;
		memcpy(ro_page, buf, 8 * 8);
		mprotect(ro_page, FZ_PG, PROT_READ);
		return ro_page;
	case 0:
		return NULL;
	case 1:
		return (void *)0xffff888000000000ULL; /* a kernel address */
	case 2:
		return edge - fz_below(r, 64); /* runs into a PROT_NONE page */
	case 3:
		return f->map ? (void *)(f->map + fz_below(r, f->len)) :
				(void *)buf;
	default:
		return buf;
	}
}

static void close_fd(struct fdst *f)
{
	if (f->map)
		munmap(f->map, f->len);
	if (f->fd >= 0)
		close(f->fd);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

static void open_fd(struct fz_rng *r, struct fdst *f)
{
	struct rvm_protect pr;

	close_fd(f);
	f->fd = open("/dev/rvm", O_RDWR | O_CLOEXEC);
	if (f->fd < 0 || fz_one_in(r, 6))
		return;
	if (fz_one_in(r, 3)) {
		memset(&pr, 0, sizeof(pr));
		pr.mode = fz_below(r, 3);
		fz_ioctl(f->fd, RVM_IOC_SET_PROTECT, &pr);
	}
	if (fz_bind(f->fd, FZ_DEV))
		return;
	f->len = FZ_PG * (1 + fz_below(r, FZ_MAPLEN / FZ_PG));
	f->map = mmap(NULL, f->len, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd,
		      fz_below(r, FZ_MAPLEN / FZ_PG - f->len / FZ_PG + 1) *
			      FZ_PG);
	if (f->map == MAP_FAILED)
		f->map = NULL;
}

/* A valid transaction on @f: begin, declare, write, end or abort. */
static void valid_txn(struct fz_rng *r, struct fdst *f)
{
	uint32_t mode = fz_one_in(r, 2) ? RVM_TXN_RESTORE : RVM_TXN_NO_RESTORE;
	uint64_t tid, off, len;

	if (!f->map || fz_begin(f->fd, mode, &tid, NULL))
		return;
	off = fz_below(r, f->len);
	len = 1 + fz_below(r, f->len - off < 8192 ? f->len - off : 8192);
	if (!fz_range(f->fd, tid, f->map + off, len))
		fz_poke(f->map + off, (int)fz_next(r), len);
	if (fz_one_in(r, 8)) { /* left running, for the others to find */
		f->tid[fz_below(r, 4)] = tid;
		return;
	}
	if (mode == RVM_TXN_RESTORE && fz_one_in(r, 2))
		fz_abort(f->fd, tid);
	else if (fz_end(f->fd, tid,
			fz_one_in(r, 2) ? RVM_END_FLUSH : RVM_END_NO_FLUSH))
		/* EPROTO and the like keep it running: abort or leave it */
		f->tid[fz_below(r, 4)] = tid;
}

static void random_mmap(struct fz_rng *r, struct fdst *f)
{
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_WRITE, PROT_NONE };
	uint64_t off = fz_one_in(r, 4) ?
			       RVM_DECL_MMAP_OFFSET + FZ_PG * fz_below(r, 40) :
			       fz_value(r) & ~(FZ_PG - 1);
	size_t len = FZ_PG * (1 + fz_below(r, fz_one_in(r, 4) ? 4096 : 40));
	void *m = mmap(NULL, len, prots[fz_below(r, 4)],
		       fz_one_in(r, 5) ? MAP_PRIVATE : MAP_SHARED, f->fd, off);

	fz_inc(FZ_MM, 1);
	if (m != MAP_FAILED) {
		fz_poke(m, 1, 1);
		munmap(m, len);
	}
}

int fz_job_ioctl(const struct fz_job_ctx *c)
{
	struct fdst f[NFD];
	struct fz_rng r;
	uint64_t buf[64];
	unsigned char local[64], *edge;
	bool unpriv = false;
	double end = fz_now() + c->seconds;
	int i, ret, finding = 0;

	fz_seed(&r, c->seed);
	memset(longpath, 'a', sizeof(longpath));
	/* Two pages: the second PROT_NONE, for arguments that run into it. */
	edge = mmap(NULL, 2 * FZ_PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (edge == MAP_FAILED)
		return 1;
	mprotect(edge + FZ_PG, FZ_PG, PROT_NONE);
	edge += FZ_PG;
	ro_page = mmap(NULL, FZ_PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	if (ro_page == MAP_FAILED)
		return 1;
	for (i = 0; i < NFD; i++) {
		f[i].fd = -1;
		f[i].map = NULL;
		open_fd(&r, &f[i]);
	}
	if (fz_one_in(&r, 4)) {
		if (fz_drop_privileges()) {
			fz_finding("ioctl: cannot drop privileges: %s",
				   strerror(errno));
			return 1;
		}
		unpriv = true;
	}
	while (fz_now() < end) {
		struct fdst *fs = &f[fz_below(&r, NFD)];
		unsigned long cmd;
		void *arg;

		switch (fz_below(&r, 10)) {
		case 0:
			if (!unpriv)
				open_fd(&r, fs);
			else if (fz_one_in(&r, 4))
				/* unprivileged: open, and try to bind */
				open_fd(&r, fs);
			continue;
		case 1:
		case 2:
			valid_txn(&r, fs);
			continue;
		case 3:
			if (fs->map)
				fz_poke(fs->map + fz_below(&r, fs->len),
					(int)fz_next(&r), 1);
			continue;
		case 4:
			if (fz_one_in(&r, 4))
				random_mmap(&r, fs);
			continue;
		}
		cmd = pick_cmd(&r);
		make_arg(&r, cmd, buf, 8, fs, local);
		arg = pick_ptr(&r, buf, edge, fs);
		if (arg == buf && fz_one_in(&r, 8)) {
			/* 64 bytes right before the PROT_NONE page */
			memcpy(edge - 8 * 8, buf, 8 * 8);
			arg = edge - 8 * 8;
		}
		ret = fz_ioctl(fs->fd, cmd, arg);
		if (cmd == RVM_IOC_BEGIN && !ret && arg == buf)
			fs->tid[fz_below(&r, 4)] = buf[1];
		/* The unprivileged user may never attach or detach. */
		if (unpriv &&
		    (cmd == RVM_IOC_ATTACH || cmd == RVM_IOC_DETACH) &&
		    ret != -EPERM && ret != -EFAULT && ret != -EINVAL &&
		    ret != -ENAMETOOLONG && ret != -EBADF) {
			fz_finding("ioctl: unprivileged %s returned %d",
				   cmd == RVM_IOC_ATTACH ? "ATTACH" : "DETACH",
				   ret);
			finding = 1;
		}
		if (!ret && (cmd == RVM_IOC_ATTACH)) {
			fz_finding("ioctl: ATTACH of %s succeeded",
				   arg == buf && buf[0] ?
					   (const char *)(uintptr_t)buf[0] :
					   "?");
			finding = 1;
		}
	}
	for (i = 0; i < NFD; i++)
		close_fd(&f[i]);
	return finding;
}
