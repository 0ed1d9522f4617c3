/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rvm: what the module shows in sysfs (sysfs.c), and what volume.c gives
 * it to show.
 */
#ifndef _RVM_SYSFS_H
#define _RVM_SYSFS_H

#include <linux/types.h>

int rvm_sysfs_init(void);
void rvm_sysfs_exit(void);
ssize_t rvm_volume_list(char *buf);

#endif /* _RVM_SYSFS_H */
