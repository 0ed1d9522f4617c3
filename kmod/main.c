// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: recoverable virtual memory. Module init and exit, and the module
 * parameters; each concern lives in a file of its own.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "crc.h"
#include "dev.h"
#include "params.h"
#include "region.h"
#include "sysfs.h"
#include "volume.h"

/*
 * Every parameter is read-only once the module is loaded (0444): they are
 * validated in rvm_init() and used at every attach, begin and set_range.
 */
unsigned int rvm_param_truncate = 50;
module_param_named(truncate, rvm_param_truncate, uint, 0444);
MODULE_PARM_DESC(truncate, "Log fill % that starts truncation (1-99; 50)");

unsigned int rvm_param_spool_delay_ms = 1000;
module_param_named(spool_delay_ms, rvm_param_spool_delay_ms, uint, 0444);
MODULE_PARM_DESC(spool_delay_ms,
		 "Longest wait before no_flush is durable (1-60000; 1000)");

unsigned int rvm_param_max_txns = 1024;
module_param_named(max_txns, rvm_param_max_txns, uint, 0444);
MODULE_PARM_DESC(max_txns,
		 "Running transactions per open /dev/rvm (1-65536; 1024)");

unsigned int rvm_param_max_declared_mb = 1024;
module_param_named(max_declared_mb, rvm_param_max_declared_mb, uint, 0444);
MODULE_PARM_DESC(max_declared_mb,
		 "MiB declared per open /dev/rvm (1-1048576; 1024)");

static char *rvm_param_attach;
module_param_named(attach, rvm_param_attach, charp, 0444);
MODULE_PARM_DESC(attach, "Block devices to attach at load, comma-separated");

static int __init rvm_attach_at_load(void)
{
	char *list, *p, *dev;
	int ret = 0;
	u32 id;

	if (!rvm_param_attach || !*rvm_param_attach)
		return 0;
	list = kstrdup(rvm_param_attach, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	p = list;
	while ((dev = strsep(&p, ",")) != NULL) {
		if (!*dev)
			continue;
		ret = rvm_volume_attach(dev, 0, 0, &id);
		if (ret) {
			pr_err("cannot attach %s at load: %d\n", dev, ret);
			break;
		}
	}
	kfree(list);
	return ret;
}

static int __init rvm_init(void)
{
	int ret;

	if (rvm_param_truncate < 1 || rvm_param_truncate > 99 ||
	    rvm_param_spool_delay_ms < 1 || rvm_param_spool_delay_ms > 60000 ||
	    rvm_param_max_txns < 1 || rvm_param_max_txns > 65536 ||
	    rvm_param_max_declared_mb < 1 ||
	    rvm_param_max_declared_mb > 1048576) {
		pr_err("truncate must be 1-99, spool_delay_ms 1-60000, max_txns 1-65536 and max_declared_mb 1-1048576\n");
		return -EINVAL;
	}
	rvm_crc_init();
	ret = rvm_region_init();
	if (ret)
		return ret;
	ret = rvm_attach_at_load();
	if (ret)
		goto err_detach;
	ret = rvm_sysfs_init();
	if (ret)
		goto err_detach;
	ret = rvm_dev_init();
	if (ret)
		goto err_sysfs;
	pr_info("recoverable virtual memory, ABI %u.%u\n", RVM_ABI_MAJOR,
		RVM_ABI_MINOR);
	return 0;

err_sysfs:
	rvm_sysfs_exit();
err_detach:
	rvm_volume_detach_all();
	rvm_region_exit();
	return ret;
}

static void __exit rvm_exit(void)
{
	rvm_dev_exit();
	rvm_sysfs_exit();
	rvm_volume_detach_all();
	rvm_region_exit();
}

module_init(rvm_init);
module_exit(rvm_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Recoverable virtual memory");
MODULE_AUTHOR("The rvm authors");
MODULE_VERSION(RVM_RELEASE);
