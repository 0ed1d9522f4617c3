// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librvm: print names of the classic enumerations: rvm_return(),
 * rvm_mode(), rvm_type().
 */
#include <stddef.h>

#include <rvm/rvm.h>
#include <rvm/rvm_segment.h>

static char *const return_names[rvm_last_code - rvm_first_code] = {
	[RVM_EINIT - rvm_first_code] = "RVM_EINIT",
	[RVM_EINTERNAL - rvm_first_code] = "RVM_EINTERNAL",
	[RVM_EIO - rvm_first_code] = "RVM_EIO",
	[RVM_ELOG - rvm_first_code] = "RVM_ELOG",
	[RVM_ELOG_VERSION_SKEW - rvm_first_code] = "RVM_ELOG_VERSION_SKEW",
	[RVM_EMODE - rvm_first_code] = "RVM_EMODE",
	[RVM_ENAME_TOO_LONG - rvm_first_code] = "RVM_ENAME_TOO_LONG",
	[RVM_ENO_MEMORY - rvm_first_code] = "RVM_ENO_MEMORY",
	[RVM_ENOT_MAPPED - rvm_first_code] = "RVM_ENOT_MAPPED",
	[RVM_EOFFSET - rvm_first_code] = "RVM_EOFFSET",
	[RVM_EOPTIONS - rvm_first_code] = "RVM_EOPTIONS",
	[RVM_EOVERLAP - rvm_first_code] = "RVM_EOVERLAP",
	[RVM_EPAGER - rvm_first_code] = "RVM_EPAGER",
	[RVM_ERANGE - rvm_first_code] = "RVM_ERANGE",
	[RVM_EREGION - rvm_first_code] = "RVM_EREGION",
	[RVM_EREGION_DEF - rvm_first_code] = "RVM_EREGION_DEF",
	[RVM_ESRC - rvm_first_code] = "RVM_ESRC",
	[RVM_ESTATISTICS - rvm_first_code] = "RVM_ESTATISTICS",
	[RVM_ESTAT_VERSION_SKEW - rvm_first_code] = "RVM_ESTAT_VERSION_SKEW",
	[RVM_ETERMINATED - rvm_first_code] = "RVM_ETERMINATED",
	[RVM_ETHREADS - rvm_first_code] = "RVM_ETHREADS",
	[RVM_ETID - rvm_first_code] = "RVM_ETID",
	[RVM_ETOO_BIG - rvm_first_code] = "RVM_ETOO_BIG",
	[RVM_EUNCOMMIT - rvm_first_code] = "RVM_EUNCOMMIT",
	[RVM_EVERSION_SKEW - rvm_first_code] = "RVM_EVERSION_SKEW",
	[RVM_EVM_OVERLAP - rvm_first_code] = "RVM_EVM_OVERLAP",
};

char *rvm_return(rvm_return_t code)
{
	/* 203 has no name: a hole in the table, so NULL. */
	char *name = NULL;

	if (code == RVM_SUCCESS)
		return "RVM_SUCCESS";
	if (code == RVM_ESEGMENT_HDR)
		return "RVM_ESEGMENT_HDR";
	if (code > rvm_first_code && code < rvm_last_code)
		name = return_names[code - rvm_first_code];
	return name ? name : "invalid RVM return code";
}

char *rvm_mode(rvm_mode_t mode)
{
	switch (mode) {
	case restore:
		return "restore";
	case no_restore:
		return "no_restore";
	case flush:
		return "flush";
	case no_flush:
		return "no_flush";
	default:
		return "invalid RVM transaction mode";
	}
}

char *rvm_type(rvm_struct_id_t id)
{
	switch (id) {
	case rvm_region_id:
		return "rvm_region_t";
	case rvm_options_id:
		return "rvm_options_t";
	case rvm_tid_id:
		return "rvm_tid_t";
	case rvm_statistics_id:
		return "rvm_statistics_t";
	default:
		return "invalid RVM structure type";
	}
}
