// SPDX-License-Identifier: GPL-2.0
/*
 * A superblock sequence number out of reach (issue 12, defect 8): a copy
 * whose sb_seq is above RVM_MAX_SB_SEQ (2^64 - 1, crafted) is invalid, so
 * it cannot win over the genuine copy, and the offline tools (which share
 * kmod/common/record.c) agree with the module.
 */
#include "rvm_test.h"

int main(void)
{
	struct rvm_disk_super a = t_super(2);
	struct rvm_disk_super b = t_super(UINT64_MAX);
	struct rvm_disk_super top = t_super(RVM_MAX_SB_SEQ + 1);
	struct rvm_disk_super zero = t_super(0);
	struct rvm_disk_super edge = t_super(RVM_MAX_SB_SEQ);
	const char *wa, *wb;

	t_begin("sb_seq 2^64-1 is refused and loses to the genuine copy");
	t_eq(rvm_super_validate(&b, 0, &wb), -EINVAL);
	t_check(wb && strstr(wb, "sequence number"), "reason '%s'", wb);
	t_eq(rvm_super_pick(&a, &b, 0, &wa, &wb), 0);
	t_check(!wa && wb, "copy A valid, copy B not");
	t_end();

	t_begin("sb_seq bounds: 1..RVM_MAX_SB_SEQ");
	t_eq(rvm_super_validate(&top, 0, &wb), -EINVAL);
	t_eq(rvm_super_validate(&zero, 0, &wb), -EINVAL);
	t_eq(rvm_super_validate(&edge, 0, &wb), 0);
	t_end();
	return t_exit();
}
