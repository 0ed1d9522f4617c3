/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: the module parameters (main.c).
 */
#ifndef _RVM_PARAMS_H
#define _RVM_PARAMS_H

#include <linux/types.h>

extern unsigned int rvm_param_truncate;
extern unsigned int rvm_param_spool_delay_ms;
extern unsigned int rvm_param_max_txns;
extern unsigned int rvm_param_max_declared_mb;

#endif /* _RVM_PARAMS_H */
