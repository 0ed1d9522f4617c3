// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librvm: the modern interface (<rvm/librvm.h>), one call per ioctl of
 * /dev/rvm (<linux/rvm.h>). Each call fills its ioctl argument with every
 * reserved field zero and returns the ioctl's negative errno unchanged;
 * the header documents what each one means. The classic interface
 * (classic*.c) is built on these calls.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rvm/librvm.h>

#include "decl.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define RVM_DEV_PATH "/dev/rvm"

struct rvm {
	int fd;
	size_t page_size;
	uint64_t features;
	unsigned int vol_id;	/* the bound volume's id, for RVM_IOC_STATUS */
	struct lrvm_decl *decl;	/* declaration slots (decl.c), or NULL */
};

/* open(/dev/rvm), with "no such node" reported as "no module". */
static int rvm_dev_open(void)
{
	int fd = open(RVM_DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	return errno == ENOENT ? -ENODEV : -errno;
}

/* ioctl() returning 0 or a negative errno. */
static int rvm_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* One ioctl on a fresh /dev/rvm file: attach, detach, status. */
static int rvm_dev_ioctl(unsigned long cmd, void *arg)
{
	int fd = rvm_dev_open();
	int err;

	if (fd < 0)
		return fd;
	err = rvm_ioctl(fd, cmd, arg);
	close(fd);
	return err;
}

int rvm_vol_attach(const char *dev, const struct rvm_attach_opts *o,
		   unsigned int *vol_id)
{
	struct rvm_attach a;
	unsigned int i;
	int err;

	if (!dev)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	a.path = (uintptr_t)dev;
	if (o) {
		if (o->flags)
			return -EINVAL;
		for (i = 0; i < sizeof(o->reserved) / sizeof(o->reserved[0]); i++)
			if (o->reserved[i])
				return -EINVAL;
		a.truncate_pct = o->truncate_pct;
		a.spool_delay_ms = o->spool_delay_ms;
	}
	err = rvm_dev_ioctl(RVM_IOC_ATTACH, &a);
	if (!err && vol_id)
		*vol_id = a.vol_id;
	return err;
}

int rvm_vol_detach(const char *dev)
{
	struct rvm_volume_ref ref;

	if (!dev)
		return -EINVAL;
	memset(&ref, 0, sizeof(ref));
	ref.path = (uintptr_t)dev;
	return rvm_dev_ioctl(RVM_IOC_DETACH, &ref);
}

int rvm_vol_status(const char *dev, struct rvm_status *st)
{
	if (!dev || !st)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->ref.path = (uintptr_t)dev;
	return rvm_dev_ioctl(RVM_IOC_STATUS, st);
}

/* A reference by an fd open for reading and writing: the rights to bind. */
static int rvm_ref_rw(const char *log, struct rvm_volume_ref *ref)
{
	int fd = open(log, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	memset(ref, 0, sizeof(*ref));
	ref->flags = RVM_REF_FD;
	ref->fd = fd;
	return fd;
}

int rvm_seg_add(const char *log, const char *path, uint32_t *id,
		uint64_t *size)
{
	char abs[PATH_MAX];
	struct rvm_seg_add a;
	int fd, err;

	if (!log || !path)
		return -EINVAL;
	if (!realpath(path, abs))
		return -errno;
	memset(&a, 0, sizeof(a));
	fd = rvm_ref_rw(log, &a.ref);
	if (fd < 0)
		return fd;
	a.path = (uintptr_t)abs;
	err = rvm_dev_ioctl(RVM_IOC_SEG_ADD, &a);
	close(fd);
	if (err)
		return err;
	if (id)
		*id = a.id;
	if (size)
		*size = a.size;
	return 0;
}

int rvm_seg_remove(const char *log, uint32_t id)
{
	struct rvm_seg_ref r;
	int fd, err;

	if (!log)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	fd = rvm_ref_rw(log, &r.ref);
	if (fd < 0)
		return fd;
	r.id = id;
	err = rvm_dev_ioctl(RVM_IOC_SEG_REMOVE, &r);
	close(fd);
	return err;
}

int rvm_seg_info(const char *log, uint32_t index, struct rvm_seg_info *info)
{
	if (!log || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->ref.path = (uintptr_t)log;
	info->index = index;
	return rvm_dev_ioctl(RVM_IOC_SEG_INFO, info);
}

int rvm_open(const char *dev, struct rvm **out)
{
	struct rvm_version v;
	struct rvm_status st;
	struct rvm_bind b;
	struct rvm *r;
	int err;

	if (!dev || !out)
		return -EINVAL;
	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = rvm_dev_open();
	if (r->fd < 0) {
		err = r->fd;
		goto err_free;
	}

	memset(&v, 0, sizeof(v));
	err = rvm_ioctl(r->fd, RVM_IOC_GET_VERSION, &v);
	if (err)
		goto err_close;
	if (v.abi_major != RVM_ABI_MAJOR) {
		err = -EPROTO;
		goto err_close;
	}
	if (!(v.features & RVM_FEAT_ENGINE)) {
		err = -EOPNOTSUPP;
		goto err_close;
	}
	r->features = v.features;
	r->page_size = v.page_size ? v.page_size : (size_t)sysconf(_SC_PAGESIZE);

	memset(&b, 0, sizeof(b));
	if (r->features & RVM_FEAT_REF_FD) {
		/* The open is the permission check: bind by what it gave. */
		int dfd = open(dev, O_RDWR | O_CLOEXEC);

		if (dfd < 0) {
			err = -errno;
			goto err_close;
		}
		b.ref.flags = RVM_REF_FD;
		b.ref.fd = dfd;
		err = rvm_ioctl(r->fd, RVM_IOC_BIND, &b);
		close(dfd);
	} else {
		b.ref.path = (uintptr_t)dev;
		err = rvm_ioctl(r->fd, RVM_IOC_BIND, &b);
	}
	if (err)
		goto err_close;
	/* The id names the volume for rvm_stat(), whatever the cwd then. */
	memset(&st, 0, sizeof(st));
	st.ref.path = (uintptr_t)dev;
	err = rvm_ioctl(r->fd, RVM_IOC_STATUS, &st);
	if (err)
		goto err_close;
	r->vol_id = st.vol_id;
	/* Without slots every set_range is an ioctl: slower, not wrong. */
	if (r->features & RVM_FEAT_DECL)
		lrvm_decl_open(r->fd, &r->decl);
	*out = r;
	return 0;

err_close:
	close(r->fd);
err_free:
	free(r);
	return err;
}

void rvm_close(struct rvm *r)
{
	if (!r)
		return;
	lrvm_decl_close(r->decl);
	close(r->fd);
	free(r);
}

int rvm_fd(const struct rvm *r)
{
	return r->fd;
}

uint64_t rvm_features(const struct rvm *r)
{
	return r->features;
}

size_t rvm_page_size_of(const struct rvm *r)
{
	return r->page_size;
}

int rvm_stat(struct rvm *r, struct rvm_status *st)
{
	if (!st)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->ref.vol_id = r->vol_id;
	return rvm_ioctl(r->fd, RVM_IOC_STATUS, st);
}

int rvm_region_map(struct rvm *r, uint64_t offset, size_t len, void *addr,
		   int flags, void **out)
{
	int mflags = MAP_SHARED;
	void *p;

	if (!out || !len || (flags & ~RVM_MAP_FIXED) ||
	    offset % r->page_size || offset > (uint64_t)INT64_MAX)
		return -EINVAL;
	if (flags & RVM_MAP_FIXED) {
		if (!addr || (uintptr_t)addr % r->page_size)
			return -EINVAL;
		mflags |= MAP_FIXED_NOREPLACE;
	}
	p = mmap(addr, len, PROT_READ | PROT_WRITE, mflags, r->fd,
		 (off_t)offset);
	if (p == MAP_FAILED)
		return -errno;
	/* Kernels before 4.17 take MAP_FIXED_NOREPLACE as a mere hint. */
	if ((flags & RVM_MAP_FIXED) && p != addr) {
		munmap(p, len);
		return -EEXIST;
	}
	lrvm_decl_map(r->decl, p, len, offset);
	*out = p;
	return 0;
}

int rvm_region_unmap(struct rvm *r, void *addr, size_t len)
{
	struct rvm_unmap u;
	int err;

	memset(&u, 0, sizeof(u));
	u.addr = (uintptr_t)addr;
	u.len = len;
	err = rvm_ioctl(r->fd, RVM_IOC_UNMAP, &u);
	if (!err)
		lrvm_decl_unmap(r->decl, addr, len);
	return err;
}

int rvm_txn_begin(struct rvm *r, int flags, uint64_t *tid)
{
	struct rvm_txn_begin b;
	int err;

	if (!tid || flags < 0)
		return -EINVAL;
	memset(&b, 0, sizeof(b));
	b.flags = flags;
	if (r->decl)
		b.flags |= RVM_TXN_DECL;
	err = rvm_ioctl(r->fd, RVM_IOC_BEGIN, &b);
	if (!err)
		*tid = b.tid;
	return err;
}

int rvm_txn_set_range(struct rvm *r, uint64_t tid, const void *addr,
		      size_t len)
{
	struct rvm_txn_range t;
	uint64_t a = (uintptr_t)addr;
	int err;

	if (a + len < a)
		return -EINVAL;
	if (!lrvm_decl_range(r->decl, tid, addr, len))
		return 0;
	while (len) {
		uint64_t n = len < RVM_MAX_RANGE ? len : RVM_MAX_RANGE;

		memset(&t, 0, sizeof(t));
		t.tid = tid;
		t.addr = a;
		t.len = n;
		err = rvm_ioctl(r->fd, RVM_IOC_SET_RANGE, &t);
		if (err)
			return err;
		a += n;
		len -= n;
	}
	return 0;
}

int rvm_txn_end(struct rvm *r, uint64_t tid, int flags, uint64_t *commit_no)
{
	struct rvm_txn_end e;
	int err;

	if (flags < 0)
		return -EINVAL;
	memset(&e, 0, sizeof(e));
	e.tid = tid;
	e.flags = flags;
	err = rvm_ioctl(r->fd, RVM_IOC_END, &e);
	if (!err && commit_no)
		*commit_no = e.seq;
	return err;
}

int rvm_txn_abort(struct rvm *r, uint64_t tid)
{
	struct rvm_txn_end e;

	memset(&e, 0, sizeof(e));
	e.tid = tid;
	return rvm_ioctl(r->fd, RVM_IOC_ABORT, &e);
}

static int rvm_sync(struct rvm *r, unsigned long cmd)
{
	struct rvm_sync s;

	memset(&s, 0, sizeof(s));
	return rvm_ioctl(r->fd, cmd, &s);
}

int rvm_sync_flush(struct rvm *r)
{
	return rvm_sync(r, RVM_IOC_FLUSH);
}

int rvm_sync_truncate(struct rvm *r)
{
	return rvm_sync(r, RVM_IOC_TRUNCATE);
}

/* What the errors of this interface mean for rvm, where strerror(3) is vague. */
static const struct {
	int err;
	const char *msg;
} rvm_errors[] = {
	{ EBUSY, "volume already attached, device in use, or uncommitted ranges in the mapping" },
	{ ENODEV, "/dev/rvm not found: is the rvm module loaded?" },
	{ ENOENT, "volume not attached, or no such device" },
	{ ENOTBLK, "not a block device" },
	{ EPROTO, "the rvm module speaks an incompatible ABI, or (strict protection) the transaction changed bytes it did not declare" },
	{ EOPNOTSUPP, "the rvm module lacks a needed feature" },
	{ ERANGE, "range not inside mapped regions of the volume" },
	{ E2BIG, "transaction too large for the log" },
	{ EROFS, "the volume failed (I/O error): detach and attach it again" },
	{ EEXIST, "address range already in use" },
	{ EPERM, "operation not permitted (attach/detach need CAP_SYS_ADMIN; no_restore transactions cannot abort)" },
	{ ENXIO, "handle not bound to a volume" },
	{ EINVAL, "invalid argument (bad flags, alignment, range, or no such transaction)" },
	{ EIO, "I/O error on the volume" },
};

const char *rvm_strerror(int err)
{
	size_t i;

	if (err < 0)
		err = -err;
	if (!err)
		return "success";
	for (i = 0; i < sizeof(rvm_errors) / sizeof(rvm_errors[0]); i++)
		if (rvm_errors[i].err == err)
			return rvm_errors[i].msg;
	/* glibc's strerror() returns static text for known errnos. */
	return strerror(err);
}
