// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: recoverable virtual memory. Module init and exit only; each concern
 * lives in a file of its own.
 */
#include <linux/module.h>

#include "rvm.h"

static int __init rvm_init(void)
{
	int ret;

	ret = rvm_dev_init();
	if (ret)
		return ret;
	pr_info("recoverable virtual memory, ABI %u.%u\n", RVM_ABI_MAJOR,
		RVM_ABI_MINOR);
	return 0;
}

static void __exit rvm_exit(void)
{
	rvm_dev_exit();
}

module_init(rvm_init);
module_exit(rvm_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Recoverable virtual memory");
MODULE_AUTHOR("The rvm authors");
