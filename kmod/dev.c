// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/rvm: the misc device, its open files and the ioctl dispatch.
 *
 * Every ioctl copies its argument in, checks every field (flags it does
 * not know and non-zero reserved fields are -EINVAL) before acting, and
 * copies the answer out. Who may do what: attach and detach need
 * CAP_SYS_ADMIN; binding a file to a volume (and so mapping it and running
 * transactions) needs what opening the volume's block device for reading
 * and writing needs, the same people who could write the raw device: a
 * file descriptor of the device open for both (the open was the check),
 * or a node with read and write permission on a mount without nodev, or
 * CAP_SYS_ADMIN to name it by id; status is open to all.
 *
 * Binding sets the file's f_mapping (region.c), which mmap() reads more
 * than once (mapping_map_writable() before ->mmap, then the vma's link
 * and mapping_unmap_writable() after): an mmap() that read it before a
 * racing BIND and reached ->mmap after it would leave the volume's
 * i_mmap_writable count off by one, and every later writable mapping of
 * the volume would fail with EPERM. So mmap() of an unbound file is
 * refused in ->get_unmapped_area, which do_mmap() calls before
 * mmap_region() reads f_mapping, and BIND publishes @vol only after it
 * set f_mapping: an mmap() that gets past ->get_unmapped_area sees the
 * final f_mapping all along. A bound file is never bound again.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "decl.h"
#include "dev.h"
#include "dseg.h"
#include "log.h"
#include "protect.h"
#include "region.h"
#include "truncate.h"
#include "txn.h"
#include "uring.h"
#include "volume.h"

static bool rvm_zero(const void *p, size_t n)
{
	return !memchr_inv(p, 0, n);
}

static int rvm_open(struct inode *inode, struct file *file)
{
	struct rvm_file *rf;

	rf = kzalloc(sizeof(*rf), GFP_KERNEL);
	if (!rf)
		return -ENOMEM;
	mutex_init(&rf->lock);
	xa_init_flags(&rf->txns, XA_FLAGS_ALLOC1);
	rvm_prot_file_init(rf);
	file->private_data = rf;
	return 0;
}

static int rvm_release(struct inode *inode, struct file *file)
{
	struct rvm_file *rf = file->private_data;

	rvm_txn_release_all(rf);
	rvm_decl_free(rf);
	rvm_prot_file_free(rf);
	if (rf->vol) {
		rvm_volume_unbind(rf->vol);
		rvm_volume_put(rf->vol);
	}
	kfree(rf);
	return 0;
}

static long rvm_ioctl_get_version(void __user *argp)
{
	struct rvm_version v;

	if (copy_from_user(&v, argp, sizeof(v)))
		return -EFAULT;
	if (v.flags || !rvm_zero(v.reserved, sizeof(v.reserved)))
		return -EINVAL;

	memset(&v, 0, sizeof(v));
	v.abi_major = RVM_ABI_MAJOR;
	v.abi_minor = RVM_ABI_MINOR;
	v.page_size = PAGE_SIZE;
	v.features = RVM_FEAT_ENGINE | RVM_FEAT_PROTECT | RVM_FEAT_DECL |
		     RVM_FEAT_REF_FD | RVM_FEAT_FILE | RVM_FEAT_SEGMENTS;
	if (IS_ENABLED(CONFIG_IO_URING))
		v.features |= RVM_FEAT_URING;
	if (copy_to_user(argp, &v, sizeof(v)))
		return -EFAULT;
	return 0;
}

/*
 * A path an ioctl argument points to, at most @max bytes with its NUL, as
 * a kmalloc'ed string; ERR_PTR(-ENAMETOOLONG) if it is longer, -EFAULT.
 */
static char *rvm_path_from_user(u64 uptr, long max)
{
	char *path = strndup_user(u64_to_user_ptr(uptr), max);

	if (IS_ERR(path) && PTR_ERR(path) == -EINVAL)
		return ERR_PTR(-ENAMETOOLONG);
	return path;
}

static long rvm_ioctl_attach(void __user *argp)
{
	struct rvm_attach a;
	char *path;
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.flags || a.vol_id || a.pad || a.reserved0 ||
	    !rvm_zero(a.reserved, sizeof(a.reserved)) || a.truncate_pct > 99 ||
	    a.spool_delay_ms > 60000 || !a.path)
		return -EINVAL;
	path = rvm_path_from_user(a.path, RVM_PATH_MAX);
	if (IS_ERR(path))
		return PTR_ERR(path);
	ret = rvm_volume_attach(path, a.truncate_pct, a.spool_delay_ms,
				&a.vol_id);
	kfree(path);
	if (ret)
		return ret;
	if (copy_to_user(argp, &a, sizeof(a)))
		return -EFAULT;
	return 0;
}

static long rvm_ioctl_detach(void __user *argp)
{
	struct rvm_volume_ref ref;
	struct rvm_volume *vol;
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&ref, argp, sizeof(ref)))
		return -EFAULT;
	vol = rvm_volume_get(&ref, false);
	if (IS_ERR(vol))
		return PTR_ERR(vol);
	ret = rvm_volume_detach(vol);
	rvm_volume_put(vol);
	return ret;
}

static long rvm_ioctl_status(void __user *argp)
{
	struct rvm_volume_ref ref;
	struct rvm_status *st;
	struct rvm_volume *vol;
	long ret = 0;

	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	if (copy_from_user(st, argp, sizeof(*st))) {
		ret = -EFAULT;
		goto out;
	}
	if (st->flags || st->vol_id ||
	    !rvm_zero(&st->data_bytes,
		      sizeof(*st) - offsetof(struct rvm_status, data_bytes))) {
		ret = -EINVAL;
		goto out;
	}
	vol = rvm_volume_get(&st->ref, false);
	if (IS_ERR(vol)) {
		ret = PTR_ERR(vol);
		goto out;
	}
	ref = st->ref;
	memset(st, 0, sizeof(*st));
	st->ref = ref;
	rvm_volume_status(vol, st);
	st->violations = atomic64_read(&vol->stats.violations);
	st->prot_faults = atomic64_read(&vol->stats.prot_faults);
	st->snapshots = atomic64_read(&vol->stats.snapshots);
	st->auto_bytes = atomic64_read(&vol->stats.auto_bytes);
	st->set_range_calls = atomic64_read(&vol->stats.set_range_calls);
	st->decl_ranges = atomic64_read(&vol->stats.decl_ranges);
	rvm_volume_put(vol);
	if (copy_to_user(argp, st, sizeof(*st)))
		ret = -EFAULT;
out:
	kfree(st);
	return ret;
}

static long rvm_ioctl_bind(struct file *file, void __user *argp)
{
	struct rvm_file *rf = file->private_data;
	struct rvm_volume *vol;
	struct rvm_bind b;
	long ret;

	if (copy_from_user(&b, argp, sizeof(b)))
		return -EFAULT;
	vol = rvm_volume_get(&b.ref, true);
	if (IS_ERR(vol))
		return PTR_ERR(vol);
	mutex_lock(&rf->lock);
	ret = -EBUSY;
	if (rf->vol)
		goto err;
	ret = rvm_volume_bind(vol);
	if (ret)
		goto err;
	rvm_region_bind(vol, file);
	/* Pairs with rvm_get_unmapped_area(): f_mapping first. */
	smp_store_release(&rf->vol, vol);
	mutex_unlock(&rf->lock);
	return 0;
err:
	mutex_unlock(&rf->lock);
	rvm_volume_put(vol);
	return ret;
}

static long rvm_ioctl_begin(struct rvm_file *rf, void __user *argp)
{
	struct rvm_txn_begin b;
	long ret;

	if (copy_from_user(&b, argp, sizeof(b)))
		return -EFAULT;
	if (b.pad || b.tid || b.slot || b.pad2 || b.reserved)
		return -EINVAL;
	ret = rvm_txn_begin(rf, b.flags, &b.tid, &b.slot);
	if (ret)
		return ret;
	if (copy_to_user(argp, &b, sizeof(b))) {
		/* Whatever its mode: else it and its slot leak until close. */
		rvm_txn_cancel(rf, b.tid);
		return -EFAULT;
	}
	return 0;
}

static long rvm_ioctl_set_range(struct rvm_file *rf, void __user *argp)
{
	struct rvm_txn_range r;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if (r.flags || r.pad || !rvm_zero(r.reserved, sizeof(r.reserved)))
		return -EINVAL;
	return rvm_txn_set_range(rf, r.tid, r.addr, r.len);
}

static long rvm_ioctl_end(struct rvm_file *rf, void __user *argp, bool abort)
{
	struct rvm_txn_end e;
	long ret;

	if (copy_from_user(&e, argp, sizeof(e)))
		return -EFAULT;
	if (e.pad || e.seq || !rvm_zero(e.reserved, sizeof(e.reserved)))
		return -EINVAL;
	if (abort)
		return e.flags ? -EINVAL : rvm_txn_abort(rf, e.tid);
	ret = rvm_txn_end(rf, e.tid, e.flags, &e.seq, NULL);
	if (ret)
		return ret;
	/* Committed: a bad pointer for the answer changes nothing. */
	if (copy_to_user(argp, &e, sizeof(e)))
		return -EFAULT;
	return 0;
}

static long rvm_ioctl_sync(struct rvm_file *rf, void __user *argp,
			   bool truncate)
{
	struct rvm_volume *vol = READ_ONCE(rf->vol);
	struct rvm_sync s;

	if (copy_from_user(&s, argp, sizeof(s)))
		return -EFAULT;
	if (s.flags || s.pad || !rvm_zero(s.reserved, sizeof(s.reserved)))
		return -EINVAL;
	if (!vol)
		return -ENXIO;
	if (READ_ONCE(vol->failed))
		return -EROFS;
	return truncate ? rvm_truncate(vol) : rvm_log_flush(vol);
}

static long rvm_ioctl_unmap(struct rvm_file *rf, void __user *argp)
{
	struct rvm_unmap u;

	if (copy_from_user(&u, argp, sizeof(u)))
		return -EFAULT;
	if (u.flags || u.pad || !rvm_zero(u.reserved, sizeof(u.reserved)))
		return -EINVAL;
	if (!READ_ONCE(rf->vol))
		return -ENXIO;
	return rvm_txn_unmap(rf, u.addr, u.len);
}

static long rvm_ioctl_set_protect(struct rvm_file *rf, void __user *argp)
{
	struct rvm_protect pr;

	if (copy_from_user(&pr, argp, sizeof(pr)))
		return -EFAULT;
	if (pr.flags || !rvm_zero(pr.reserved, sizeof(pr.reserved)) ||
	    pr.mode > RVM_PROT_OFF)
		return -EINVAL;
	WRITE_ONCE(rf->prot_mode, pr.mode);
	return 0;
}

/*
 * RVM_IOC_SEG_ADD: the rights RVM_IOC_BIND needs on the volume, then the
 * open of @path with the caller's credentials (dseg.c).
 */
static long rvm_ioctl_seg_add(void __user *argp)
{
	struct rvm_volume *vol;
	struct rvm_seg_add a;
	char *path;
	long ret;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.flags || a.id || a.size ||
	    !rvm_zero(a.reserved, sizeof(a.reserved)) || !a.path)
		return -EINVAL;
	path = rvm_path_from_user(a.path, RVM_SEG_NAME_MAX);
	if (IS_ERR(path))
		return PTR_ERR(path);
	vol = rvm_volume_get(&a.ref, true);
	if (IS_ERR(vol)) {
		kfree(path);
		return PTR_ERR(vol);
	}
	ret = rvm_dseg_add(vol, path, &a.id, &a.size);
	rvm_volume_put(vol);
	kfree(path);
	if (ret)
		return ret;
	if (copy_to_user(argp, &a, sizeof(a)))
		return -EFAULT;
	return 0;
}

static long rvm_ioctl_seg_remove(void __user *argp)
{
	struct rvm_volume *vol;
	struct rvm_seg_ref r;
	long ret;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if (r.flags || !rvm_zero(r.reserved, sizeof(r.reserved)))
		return -EINVAL;
	vol = rvm_volume_get(&r.ref, true);
	if (IS_ERR(vol))
		return PTR_ERR(vol);
	ret = rvm_dseg_remove(vol, r.id);
	rvm_volume_put(vol);
	return ret;
}

static long rvm_ioctl_seg_info(void __user *argp)
{
	struct rvm_volume *vol;
	struct rvm_seg_info *si;
	struct rvm_volume_ref ref;
	u32 index;
	long ret;

	si = kmalloc(sizeof(*si), GFP_KERNEL);
	if (!si)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(si, argp, sizeof(*si)))
		goto out;
	ret = -EINVAL;
	if (!rvm_zero(&si->flags,
		      sizeof(*si) - offsetof(struct rvm_seg_info, flags)))
		goto out;
	vol = rvm_volume_get(&si->ref, false);
	if (IS_ERR(vol)) {
		ret = PTR_ERR(vol);
		goto out;
	}
	ref = si->ref;
	index = si->index;
	memset(si, 0, sizeof(*si));
	si->ref = ref;
	ret = rvm_dseg_info(vol, index, si);
	rvm_volume_put(vol);
	if (!ret && copy_to_user(argp, si, sizeof(*si)))
		ret = -EFAULT;
out:
	kfree(si);
	return ret;
}

static long rvm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct rvm_file *rf = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case RVM_IOC_GET_VERSION:
		return rvm_ioctl_get_version(argp);
	case RVM_IOC_ATTACH:
		return rvm_ioctl_attach(argp);
	case RVM_IOC_DETACH:
		return rvm_ioctl_detach(argp);
	case RVM_IOC_STATUS:
		return rvm_ioctl_status(argp);
	case RVM_IOC_BIND:
		return rvm_ioctl_bind(file, argp);
	case RVM_IOC_BEGIN:
		return rvm_ioctl_begin(rf, argp);
	case RVM_IOC_SET_RANGE:
		return rvm_ioctl_set_range(rf, argp);
	case RVM_IOC_END:
		return rvm_ioctl_end(rf, argp, false);
	case RVM_IOC_ABORT:
		return rvm_ioctl_end(rf, argp, true);
	case RVM_IOC_FLUSH:
		return rvm_ioctl_sync(rf, argp, false);
	case RVM_IOC_TRUNCATE:
		return rvm_ioctl_sync(rf, argp, true);
	case RVM_IOC_UNMAP:
		return rvm_ioctl_unmap(rf, argp);
	case RVM_IOC_SET_PROTECT:
		return rvm_ioctl_set_protect(rf, argp);
	case RVM_IOC_SEG_ADD:
		return rvm_ioctl_seg_add(argp);
	case RVM_IOC_SEG_REMOVE:
		return rvm_ioctl_seg_remove(argp);
	case RVM_IOC_SEG_INFO:
		return rvm_ioctl_seg_info(argp);
	default:
		return -ENOTTY;
	}
}

/* Before mmap_region() reads f_mapping: an unbound file is not mapped. */
static unsigned long
rvm_get_unmapped_area(struct file *file, unsigned long addr, unsigned long len,
		      unsigned long pgoff, unsigned long flags)
{
	struct rvm_file *rf = file->private_data;

	/* Pairs with rvm_ioctl_bind(): f_mapping is the volume's. */
	if (!smp_load_acquire(&rf->vol))
		return -ENXIO;
	return rvm_compat_get_unmapped_area(file, addr, len, pgoff, flags);
}

static int rvm_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct rvm_file *rf = file->private_data;

	if (!READ_ONCE(rf->vol))
		return -ENXIO;
	if (vma->vm_pgoff == RVM_DECL_MMAP_OFFSET >> PAGE_SHIFT)
		return rvm_decl_mmap(rf, vma);
	return rvm_region_mmap(rf, vma);
}

static const struct file_operations rvm_fops = {
	.owner = THIS_MODULE,
	.open = rvm_open,
	.release = rvm_release,
	.unlocked_ioctl = rvm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = rvm_mmap,
	.get_unmapped_area = rvm_get_unmapped_area,
	.uring_cmd = rvm_uring_cmd,
	.llseek = noop_llseek,
};

static struct miscdevice rvm_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "rvm",
	.fops = &rvm_fops,
	.mode = 0666,
};

/**
 * rvm_dev_init() - register the /dev/rvm misc device
 *
 * Return: 0 or a negative errno from misc_register().
 */
int rvm_dev_init(void)
{
	return misc_register(&rvm_misc);
}

/**
 * rvm_dev_exit() - unregister /dev/rvm
 */
void rvm_dev_exit(void)
{
	misc_deregister(&rvm_misc);
}
