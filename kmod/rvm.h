/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: recoverable virtual memory - the module's internal interfaces.
 */
#ifndef _RVM_H
#define _RVM_H

#include <linux/types.h>
#include <linux/rvm.h>

int rvm_dev_init(void);
void rvm_dev_exit(void);

#endif /* _RVM_H */
