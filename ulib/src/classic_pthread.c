// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librvm: the three global variables of the original's <rvm_pthread.h>
 * (see <rvm/rvm_pthread.h>), through which its cthread_fork() and
 * cthread_join() macros return their results. librvm itself never uses
 * them; they exist so that threaded programs of the original link.
 */
#include <rvm/rvm_pthread.h>

pthread_t rvm_pthreadid;
void *rvm_ptstat;
int rvm_join_res;
