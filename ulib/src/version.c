// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * rvm_version(): the release, from the top-level VERSION file, which the
 * Makefile passes as RVM_RELEASE.
 */
#include "rvm/librvm.h"

#ifndef RVM_RELEASE
#error "RVM_RELEASE must be defined (the Makefile passes it from VERSION)"
#endif

const char *rvm_version(void)
{
	return RVM_RELEASE;
}
