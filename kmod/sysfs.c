// SPDX-License-Identifier: GPL-2.0-only
/*
 * rvm: the list of attached volumes in sysfs, /sys/module/rvm/volumes, so
 * that `rvmctl status` with no argument can show them all. Read-only,
 * world-readable (device paths and numbers are not secrets: /proc/mounts
 * shows as much); one line a volume, "ID MAJOR:MINOR PATH".
 */
#include <linux/module.h>
#include <linux/sysfs.h>

#include "sysfs.h"

static ssize_t rvm_volumes_show(struct module_attribute *attr,
				struct module_kobject *mk, char *buf)
{
	return rvm_volume_list(buf);
}

static struct module_attribute rvm_volumes_attr =
	__ATTR(volumes, 0444, rvm_volumes_show, NULL);

/**
 * rvm_sysfs_init() - add /sys/module/rvm/volumes
 *
 * Return: 0 or the error of sysfs_create_file().
 */
int rvm_sysfs_init(void)
{
	return sysfs_create_file(&THIS_MODULE->mkobj.kobj,
				 &rvm_volumes_attr.attr);
}

/**
 * rvm_sysfs_exit() - remove it
 */
void rvm_sysfs_exit(void)
{
	sysfs_remove_file(&THIS_MODULE->mkobj.kobj, &rvm_volumes_attr.attr);
}
