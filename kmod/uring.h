/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: end and flush as io_uring commands (uring.c).
 */
#ifndef _RVM_URING_H
#define _RVM_URING_H

struct io_uring_cmd;

int rvm_uring_cmd(struct io_uring_cmd *ucmd, unsigned int issue_flags);
void rvm_uring_complete(struct io_uring_cmd *ucmd, int status);

#endif /* _RVM_URING_H */
