/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file rvm_pthread.h
 * @brief librvm: the classic thread glue of the original's pthread build.
 *
 * Threaded programs of the original RVM library were linked with -lrvmpt
 * (and -lrdspt, -lsegpt) and used the cthread names below, which its
 * rvm_pthread.h mapped to POSIX threads through three global variables.
 * librvm is thread-safe in every build: -lrvmpt, -lrdspt and -lsegpt are
 * the same libraries as -lrvm and -lrds, and these names are here so that
 * such programs build and link unchanged.
 */
#ifndef RVM_RVM_PTHREAD_H
#define RVM_RVM_PTHREAD_H

#include <pthread.h>
#include <sched.h>

#include <rvm/rvm.h>

#ifdef __cplusplus
extern "C" {
#endif

/** rvm_pthreadid - the thread cthread_fork() last created. */
extern pthread_t rvm_pthreadid;
/** rvm_ptstat - the exit status cthread_join() last collected. */
extern void *rvm_ptstat;
/** rvm_join_res - what pthread_join() returned in the last cthread_join(). */
extern int rvm_join_res;

typedef pthread_t cthread_t;
typedef pthread_mutex_t RVM_MUTEX;
typedef pthread_cond_t RVM_CONDITION;

/* As the original: the global variables carry the results. */
#define cthread_fork(fname, arg) \
	(pthread_create(&rvm_pthreadid, NULL, (void *(*)(void *))(fname), \
			(void *)(arg)), rvm_pthreadid)
#define cthread_join(t) \
	(rvm_join_res = pthread_join((t), &rvm_ptstat), rvm_ptstat)
#define cthread_exit(retval) pthread_exit((void *)(retval))
#define cthread_yield() sched_yield()
#define cthread_self() pthread_self()
#define cthread_init() do { } while (0)
#define mutex_init(m) pthread_mutex_init((m), NULL)
#define mutex_lock(m) pthread_mutex_lock(m)
#define mutex_unlock(m) pthread_mutex_unlock(m)
#define condition_init(c) pthread_cond_init((c), NULL)
#define condition_wait(c, m) pthread_cond_wait((c), (m))
#define condition_signal(c) pthread_cond_signal(c)
#define condition_broadcast(c) pthread_cond_broadcast(c)

#ifdef __cplusplus
}
#endif

#endif /* RVM_RVM_PTHREAD_H */
