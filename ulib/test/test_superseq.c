// SPDX-License-Identifier: GPL-2.0
/*
 * A superblock sequence number out of reach (issue 12, defect 8): a copy
 * whose sb_seq is above RVM_MAX_SB_SEQ (2^64 - 1, crafted) is invalid, so
 * it cannot win over the genuine copy, and the offline tools (which share
 * kmod/record.c) agree with the module.
 */
#include "rvm_test.h"

static struct rvm_disk_super super_with_seq(u64 sb_seq)
{
	struct rvm_disk_super sb;

	memset(&sb, 0, sizeof(sb));
	sb.magic = cpu_to_le64(RVM_SUPER_MAGIC);
	sb.version = cpu_to_le32(RVM_FORMAT_VERSION);
	sb.block_size = cpu_to_le32(RVM_BLOCK_SIZE);
	sb.sb_seq = cpu_to_le64(sb_seq);
	sb.vol_nonce = cpu_to_le64(0x1234);
	sb.log_start = cpu_to_le64(2);
	sb.log_blocks = cpu_to_le64(16);
	sb.data_start = cpu_to_le64(18);
	sb.data_blocks = cpu_to_le64(100);
	sb.head_lsn = cpu_to_le64(64 * 1000);
	sb.head_seq = cpu_to_le64(77);
	rvm_super_seal(&sb);
	return sb;
}

int main(void)
{
	struct rvm_disk_super a = super_with_seq(2);
	struct rvm_disk_super b = super_with_seq(UINT64_MAX);
	struct rvm_disk_super top = super_with_seq(RVM_MAX_SB_SEQ + 1);
	struct rvm_disk_super zero = super_with_seq(0);
	struct rvm_disk_super edge = super_with_seq(RVM_MAX_SB_SEQ);
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
