/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rvm: recoverable virtual memory - the ioctl ABI of /dev/rvm.
 *
 * This header is included unchanged by the module, by librvm and by the
 * tests. Rules (Documentation/process/botching-up-ioctls.rst):
 *
 *  - every argument is a struct of fixed-width fields with explicit padding,
 *    the same size on 32- and 64-bit userspace; pointers travel as __u64;
 *  - every struct has a @flags field: a bit the module does not know gets
 *    -EINVAL, so new flags can be added later and probed for;
 *  - reserved fields must be zero on input (-EINVAL otherwise) and are
 *    zeroed by the module on output;
 *  - every field is validated before the module acts on any of them;
 *  - the ioctl type letter is 0xB9, unused in ioctl-number.rst.
 *
 * A program finds out what the running module supports with
 * RVM_IOC_GET_VERSION: @abi_major changes only on an incompatible change
 * (never so far), @features has one bit per optional capability.
 */
#ifndef _UAPI_LINUX_RVM_H
#define _UAPI_LINUX_RVM_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define RVM_IOC_MAGIC 0xB9

#define RVM_ABI_MAJOR 1
#define RVM_ABI_MINOR 0

/**
 * struct rvm_version - answer of RVM_IOC_GET_VERSION
 * @flags: in: must be 0
 * @abi_major: out: RVM_ABI_MAJOR of the running module
 * @abi_minor: out: RVM_ABI_MINOR of the running module
 * @features: out: RVM_FEAT_* bits the running module supports
 * @page_size: out: the module's page size (the granule of mappings)
 * @reserved: in: must be 0; out: zeroed
 */
struct rvm_version {
	__u32 flags;
	__u32 abi_major;
	__u32 abi_minor;
	__u32 page_size;
	__u64 features;
	__u64 reserved[5];
};

/**
 * RVM_IOC_GET_VERSION - query the ABI version and features of the module
 *
 * Argument: struct rvm_version. Errors: -EFAULT (bad pointer), -EINVAL
 * (non-zero @flags or reserved field).
 */
#define RVM_IOC_GET_VERSION _IOWR(RVM_IOC_MAGIC, 0x00, struct rvm_version)

#endif /* _UAPI_LINUX_RVM_H */
