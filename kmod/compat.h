/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version compatibility, in one place. Kbuild probes the tree we
 * build against and defines RVM_HAVE_*; the rest of the module uses the
 * rvm_compat_* helpers below (or the newest kernel's API, backfilled here)
 * and never tests LINUX_VERSION_CODE.
 *
 * Known differences between Debian 12's kernels:
 *  - vm_flags_set() exists from 6.3; on 6.1 vm_flags is written directly;
 *  - block devices are opened with bdev_file_open_by_path() and held as a
 *    struct file from 6.9, with blkdev_get_by_path()/blkdev_put() before;
 *  - io_uring_cmd lives in <linux/io_uring/cmd.h> and its payload is read
 *    with io_uring_sqe_cmd() from 6.7; on 6.1 it is ioucmd->cmd;
 *  - a driver completing an io_uring command from its own context hands
 *    the completion to the submitter's task work: with
 *    io_uring_cmd_do_in_task_lazy() from 6.5 (one CQE per task work, so
 *    a DEFER_TASKRUN waiter is woken only when enough are ready), with
 *    io_uring_cmd_complete_in_task() before. The callback then calls
 *    io_uring_cmd_done() with the issue_flags it got (6.1 has the
 *    four-argument io_uring_cmd_done() too, backported to 6.1.y; its res2
 *    is ssize_t where 6.12's is u64). The issue_flags tell
 *    io_uring_cmd_done() how to lock the completion queue (the backport's
 *    reason: it assumed the ring's lock held), so a driver completing
 *    from its own workqueue goes through task work on both kernels;
 *  - struct io_uring_cmd carries the whole SQE (->sqe) in 6.12, only a
 *    pointer to the command area (->cmd) in 6.1;
 *  - a file's ->get_unmapped_area falls back to mm_get_unmapped_area()
 *    from 6.10, to the mm's get_unmapped_area pointer before;
 *  - .uring_cmd has the same prototype on both; IO_URING_F_* values differ
 *    (IO_URING_F_SQE128 is 4 on 6.1, 1 << 8 on 6.12), names do not;
 *  - pte_mkwrite() takes the vma from 6.6, and is out of line (not
 *    exported) on x86 for shadow stacks: rvm_compat_pte_mkwrite() does
 *    what it does for a vma that is not a shadow stack.
 */
#ifndef _RVM_COMPAT_H
#define _RVM_COMPAT_H

#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/err.h>

#ifndef RVM_HAVE_VM_FLAGS_SET
static inline void vm_flags_set(struct vm_area_struct *vma, unsigned long flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  unsigned long flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/**
 * struct rvm_bdev_handle - an exclusively opened block device
 * @bdev: the block device
 * @priv: what the kernel's open call returned (struct file on 6.9+)
 * @mode: the mode it was opened with (before 6.9, blkdev_put() needs it)
 */
struct rvm_bdev_handle {
	struct block_device *bdev;
	void *priv;
	fmode_t mode;
};

#ifdef RVM_HAVE_BDEV_FILE
static inline int rvm_compat_bdev_open(const char *path, bool write,
				       void *holder, struct rvm_bdev_handle *h)
{
	blk_mode_t mode = BLK_OPEN_READ | (write ? BLK_OPEN_WRITE : 0);
	struct file *f = bdev_file_open_by_path(path, mode, holder, NULL);

	if (IS_ERR(f))
		return PTR_ERR(f);
	h->priv = f;
	h->bdev = file_bdev(f);
	return 0;
}

static inline void rvm_compat_bdev_close(struct rvm_bdev_handle *h)
{
	bdev_fput(h->priv);
	h->bdev = NULL;
	h->priv = NULL;
}
#else
static inline int rvm_compat_bdev_open(const char *path, bool write,
				       void *holder, struct rvm_bdev_handle *h)
{
	fmode_t mode = FMODE_READ | FMODE_EXCL | (write ? FMODE_WRITE : 0);
	struct block_device *bdev = blkdev_get_by_path(path, mode, holder);

	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	h->bdev = bdev;
	h->mode = mode;
	return 0;
}

static inline void rvm_compat_bdev_close(struct rvm_bdev_handle *h)
{
	blkdev_put(h->bdev, h->mode);
	h->bdev = NULL;
}
#endif

#ifdef RVM_HAVE_IO_URING_CMD_H
#include <linux/io_uring/cmd.h>

static inline const void *rvm_compat_uring_cmd_payload(struct io_uring_cmd *c)
{
	return io_uring_sqe_cmd(c->sqe);
}
#else /* !RVM_HAVE_IO_URING_CMD_H */
#include <linux/io_uring.h>

static inline const void *rvm_compat_uring_cmd_payload(struct io_uring_cmd *c)
{
	return c->cmd;
}
#endif /* RVM_HAVE_IO_URING_CMD_H */

/* Run @cb(@c, issue_flags) in the task that submitted @c. */
static inline void
rvm_compat_uring_cmd_complete(struct io_uring_cmd *c,
			      void (*cb)(struct io_uring_cmd *, unsigned int))
{
#ifdef RVM_HAVE_IO_URING_CMD_LAZY
	io_uring_cmd_do_in_task_lazy(c, cb);
#else
	io_uring_cmd_complete_in_task(c, cb);
#endif
}

/*
 * The SQE fields a command does not use (addr, len, buf_index,
 * uring_cmd_flags) are zero. From 6.12's io_uring (RVM_HAVE_UCMD_SQE) the
 * command carries the whole SQE, copied if the command was deferred; 6.1
 * copies only the command area for a deferred command, so the rest of
 * the SQE cannot be read safely and is ignored there (nothing reads it).
 */
static inline bool rvm_compat_uring_sqe_unused_zero(struct io_uring_cmd *c)
{
#ifdef RVM_HAVE_UCMD_SQE
	const struct io_uring_sqe *sqe = c->sqe;

	return !READ_ONCE(sqe->addr) && !READ_ONCE(sqe->len) &&
	       !READ_ONCE(sqe->buf_index) && !READ_ONCE(sqe->uring_cmd_flags);
#else
	return true;
#endif
}

static inline unsigned long rvm_compat_get_unmapped_area(struct file *file,
							 unsigned long addr,
							 unsigned long len,
							 unsigned long pgoff,
							 unsigned long flags)
{
#ifdef RVM_HAVE_MM_GET_UNMAPPED_AREA
	return mm_get_unmapped_area(current->mm, file, addr, len, pgoff, flags);
#else
	return current->mm->get_unmapped_area(file, addr, len, pgoff, flags);
#endif
}

/* A present PTE made writable; its dirty bit set first (pte_mkdirty()). */
#ifdef RVM_HAVE_PTE_MKWRITE_NOVMA
static inline pte_t rvm_compat_pte_mkwrite(pte_t pte)
{
	pte = pte_mkwrite_novma(pte);
#ifdef CONFIG_X86
	/* A read-only dirty PTE keeps its dirty bit as SavedDirty. */
	pte = pte_clear_saveddirty(pte);
#endif
	return pte;
}
#else
static inline pte_t rvm_compat_pte_mkwrite(pte_t pte)
{
	return pte_mkwrite(pte);
}
#endif

#endif /* _RVM_COMPAT_H */
