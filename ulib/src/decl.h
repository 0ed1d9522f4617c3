/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * librvm: declaration slots, set_range without a system call (decl.c).
 * Private to the library.
 */
#ifndef LRVM_DECL_H
#define LRVM_DECL_H

#include <stddef.h>
#include <stdint.h>

struct lrvm_decl;

int lrvm_decl_open(int fd, struct lrvm_decl **out);
void lrvm_decl_close(struct lrvm_decl *d);
void lrvm_decl_map(struct lrvm_decl *d, const void *addr, size_t len,
		   uint64_t off);
void lrvm_decl_unmap(struct lrvm_decl *d, const void *addr, size_t len);
int lrvm_decl_range(struct lrvm_decl *d, uint64_t tid, const void *addr,
		    size_t len);

#endif
