// SPDX-License-Identifier: GPL-2.0
/*
 * test_classic_fidelity: header details and check order that programs of
 * the original library rely on, on the host (no module needed): <rvm/rvm.h>
 * alone gives MAXPATHLEN (<sys/param.h>) and TRUE/FALSE; rvm_statistics_t
 * has the split/special/wrap counters; the thread globals of
 * <rvm/rvm_pthread.h> link; and before rvm_initialize() every call that
 * needs RVM running says RVM_EINIT even when its descriptor is bad too.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rvm/rvm.h>
#include <rvm/rvm_pthread.h>

#ifndef MAXPATHLEN
#error "<rvm/rvm.h> must give MAXPATHLEN"
#endif
#if TRUE != 1 || FALSE != 0
#error "TRUE/FALSE"
#endif

static int fails;

#define CHECK(what, cond) do { \
	if (!(cond)) { \
		printf("FAIL - %s\n", what); \
		fails++; \
	} else { \
		printf("ok - %s\n", what); \
	} \
} while (0)

int main(void)
{
	rvm_statistics_t st;
	rvm_options_t opts;
	rvm_offset_t len = RVM_MK_OFFSET(0, 4096);
	char bogus[256];
	char path[MAXPATHLEN];

	memset(bogus, 0x7f, sizeof(bogus));
	memset(&st, 0, sizeof(st));
	st.n_split = st.n_special = st.n_wrap = 1;
	st.tot_split = st.tot_special = st.tot_wrap = 1;
	CHECK("rvm_statistics_t has the split/special/wrap counters",
	      offsetof(rvm_statistics_t, tot_wrap) > offsetof(rvm_statistics_t,
							       n_split));
	CHECK("MAXPATHLEN from <rvm/rvm.h>", sizeof(path) >= 1024);
	rvm_join_res = 0;
	rvm_ptstat = &st;
	CHECK("rvm_pthreadid, rvm_ptstat, rvm_join_res link",
	      rvm_ptstat == &st && !rvm_join_res && sizeof(rvm_pthreadid));

	/* Not initialised, and a garbage descriptor: RVM_EINIT first. */
	CHECK("begin: EINIT before ETID",
	      rvm_begin_transaction((rvm_tid_t *)bogus, restore) == RVM_EINIT);
	CHECK("begin NULL: EINIT before ETID",
	      rvm_begin_transaction(NULL, restore) == RVM_EINIT);
	CHECK("set_range: EINIT before ETID",
	      rvm_set_range((rvm_tid_t *)bogus, bogus, 1) == RVM_EINIT);
	CHECK("modify_bytes: EINIT before ETID",
	      rvm_modify_bytes((rvm_tid_t *)bogus, bogus, bogus, 1) ==
	      RVM_EINIT);
	CHECK("end: EINIT before ETID",
	      rvm_end_transaction((rvm_tid_t *)bogus, flush) == RVM_EINIT);
	CHECK("abort: EINIT before ETID",
	      rvm_abort_transaction((rvm_tid_t *)bogus) == RVM_EINIT);
	CHECK("chk_range: EINIT before ETID",
	      rvm_chk_range((rvm_tid_t *)bogus, bogus, 1) == RVM_EINIT);
	CHECK("map: EINIT before EREGION",
	      rvm_map((rvm_region_t *)bogus, NULL) == RVM_EINIT);
	CHECK("unmap: EINIT before EREGION",
	      rvm_unmap((rvm_region_t *)bogus) == RVM_EINIT);
	CHECK("query: EINIT before EOPTIONS",
	      rvm_query((rvm_options_t *)bogus, NULL) == RVM_EINIT);
	CHECK("set_options: EINIT before EOPTIONS",
	      rvm_set_options((rvm_options_t *)bogus) == RVM_EINIT);
	CHECK("create_log: EINIT before EOPTIONS",
	      rvm_create_log((rvm_options_t *)bogus, &len, 0600) == RVM_EINIT);
	CHECK("statistics: EINIT before ESTATISTICS",
	      rvm_statistics(RVM_STATISTICS_VERSION,
			     (rvm_statistics_t *)bogus) == RVM_EINIT);
	rvm_init_options(&opts);
	CHECK("options still initialise without RVM",
	      opts.struct_id == rvm_options_id);
	return fails ? 1 : 0;
}
