/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file rvm_statistics.h
 * @brief librvm: the classic statistics header.
 *
 * Programs written for the original RVM library include
 * <rvm/rvm_statistics.h> for rvm_statistics_t and rvm_statistics(). In
 * librvm these live in <rvm/rvm.h> (a reduced record of plain counters,
 * RVM_STATISTICS_VERSION "librvm Statistics Version 1"); this header only
 * includes it, so that such programs build unchanged.
 *
 * What the counters hold (see rvm_statistics(3)): n_abort,
 * n_flush_commit, n_no_flush_commit, n_uncommit, n_no_flush, n_rvm_flush
 * count this process's calls since rvm_initialize(); n_flush,
 * n_truncation, n_truncation_wait and log_written are the volume's
 * counters since this process opened the log; log_dev_cur is the log's
 * use now and log_dev_max the highest this process saw (in %); tot_*
 * are the volume's counters since it was attached (tot_rvm_truncate:
 * this process's rvm_truncate() calls; tot_recovery: 1 if the attach
 * replayed records).
 */
#ifndef RVM_RVM_STATISTICS_H
#define RVM_RVM_STATISTICS_H

#include <rvm/rvm.h>

#endif /* RVM_RVM_STATISTICS_H */
