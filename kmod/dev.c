// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/rvm: the misc device and its ioctl dispatch.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/rvm.h>

#include "rvm.h"

static bool rvm_reserved_zero(const __u64 *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i])
			return false;
	return true;
}

static long rvm_ioctl_get_version(void __user *argp)
{
	struct rvm_version v;

	if (copy_from_user(&v, argp, sizeof(v)))
		return -EFAULT;
	if (v.flags || !rvm_reserved_zero(v.reserved, ARRAY_SIZE(v.reserved)))
		return -EINVAL;

	memset(&v, 0, sizeof(v));
	v.abi_major = RVM_ABI_MAJOR;
	v.abi_minor = RVM_ABI_MINOR;
	v.page_size = PAGE_SIZE;
	v.features = 0;
	if (copy_to_user(argp, &v, sizeof(v)))
		return -EFAULT;
	return 0;
}

static long rvm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case RVM_IOC_GET_VERSION:
		return rvm_ioctl_get_version(argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations rvm_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = rvm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
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
