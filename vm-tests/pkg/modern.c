// SPDX-License-Identifier: GPL-2.0-only
/*
 * A program of the modern interface, built by the packages scenario with
 * nothing but the installed files (pkg-config rvm) and run in the VM with
 * the installed librvm.so.1: attach DEV, one transaction, check the bytes
 * after a detach and a second attach. Prints "modern ok RELEASE".
 */
#include <stdio.h>
#include <string.h>

#include <rvm/librvm.h>

static int fail(const char *what, int err)
{
	fprintf(stderr, "modern: %s: %s\n", what, rvm_strerror(err));
	return 1;
}

int main(int argc, char **argv)
{
	static const char msg[] = "installed librvm";
	unsigned int id;
	struct rvm *r;
	uint64_t tid, cno;
	void *p;
	int err;

	if (argc != 2)
		return 2;
	err = rvm_vol_attach(argv[1], NULL, &id);
	if (err)
		return fail("attach", err);
	err = rvm_open(argv[1], &r);
	if (err)
		return fail("open", err);
	err = rvm_region_map(r, 0, 4096, NULL, 0, &p);
	if (err)
		return fail("map", err);
	err = rvm_txn_begin(r, RVM_TXN_RESTORE, &tid);
	if (!err)
		err = rvm_txn_set_range(r, tid, p, sizeof(msg));
	if (!err) {
		memcpy(p, msg, sizeof(msg));
		err = rvm_txn_end(r, tid, RVM_END_FLUSH, &cno);
	}
	if (err)
		return fail("transaction", err);
	err = rvm_region_unmap(r, p, 4096);
	if (err)
		return fail("unmap", err);
	rvm_close(r);
	err = rvm_vol_detach(argv[1]);
	if (err)
		return fail("detach", err);
	err = rvm_vol_attach(argv[1], NULL, &id);
	if (!err)
		err = rvm_open(argv[1], &r);
	if (!err)
		err = rvm_region_map(r, 0, 4096, NULL, 0, &p);
	if (err)
		return fail("attach again", err);
	if (memcmp(p, msg, sizeof(msg))) {
		fprintf(stderr, "modern: the committed bytes are not there\n");
		return 1;
	}
	rvm_region_unmap(r, p, 4096);
	rvm_close(r);
	err = rvm_vol_detach(argv[1]);
	if (err)
		return fail("detach again", err);
	printf("modern ok %s\n", rvm_version());
	return 0;
}
