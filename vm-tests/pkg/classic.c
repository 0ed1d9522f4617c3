// SPDX-License-Identifier: GPL-2.0-only
/*
 * A program of the classic (original RVM) interface, only compiled and
 * linked by the packages scenario with the installed files: the headers
 * and names a program written for RVM uses must all be there.
 */
#include <stdio.h>

#include <rvm/rvm.h>
#include <rvm/rvm_segment.h>
#include <rvm/rvm_statistics.h>

int main(int argc, char **argv)
{
	rvm_options_t *opts = rvm_malloc_options();
	rvm_tid_t *tid = rvm_malloc_tid();
	rvm_return_t ret;

	if (argc != 2)
		return 2;
	opts->log_dev = argv[1];
	ret = RVM_INIT(opts);
	if (ret != RVM_SUCCESS) {
		fprintf(stderr, "classic: %s\n", rvm_return(ret));
		return 1;
	}
	ret = rvm_begin_transaction(tid, restore);
	if (ret == RVM_SUCCESS)
		ret = rvm_end_transaction(tid, flush);
	printf("classic: %s\n", rvm_return(ret));
	rvm_free_tid(tid);
	rvm_free_options(opts);
	return rvm_terminate() == RVM_SUCCESS && ret == RVM_SUCCESS ? 0 : 1;
}
