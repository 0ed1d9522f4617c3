/* SPDX-License-Identifier: GPL-2.0-only OR LGPL-2.1-or-later */
/*
 * rvm: reading the log sequentially, with read-ahead (logread.c). Shared
 * unchanged by the module and by userspace, like recovery.c, its user.
 */
#ifndef _RVM_LOGREAD_H
#define _RVM_LOGREAD_H

#ifdef __KERNEL__
#include <linux/ktime.h>
#endif
#include "recovery.h"

/*
 * Room in front of each window: the part of a record that straddles two
 * windows is copied there, just before the read-ahead bytes that continue
 * it. A longer straddling record is read again instead.
 */
#define RVM_LOGREAD_HEAD (64 * 1024)

/**
 * struct rvm_logread_win - a window's memory
 * @mem: RVM_LOGREAD_HEAD + @cap bytes, or NULL
 * @cap: the bytes a read fills, after the room in front
 */
struct rvm_logread_win {
	u8 *mem;
	size_t cap;
};

/**
 * struct rvm_logread - a log reader
 * @ops: device access
 * @ctx: passed to @ops
 * @g: the volume's geometry
 * @ns: time spent waiting for reads goes here
 * @stop: nothing at or past this lsn is needed
 * @len: the next window's length: doubles up to @max
 * @max: the longest window asked for
 * @win: the two windows' memory
 * @cur: the window @data points into
 * @data: the log's bytes from lsn @start on
 * @start: lsn of @data[0]
 * @fill: bytes valid at @data
 * @refills: changes whenever @data is replaced
 * @ra: the read-ahead in flight into the other window, or NULL
 * @ra_lsn: the lsn it reads from
 * @ra_len: how many bytes it reads
 */
struct rvm_logread {
	const struct rvm_io_ops *ops;
	void *ctx;
	const struct rvm_geom *g;
	u64 *ns;
	u64 stop;
	size_t len;
	size_t max;
	struct rvm_logread_win win[2];
	unsigned int cur;
	const u8 *data;
	u64 start;
	size_t fill;
	unsigned long refills;
	void *ra;
	u64 ra_lsn;
	size_t ra_len;
};

/* A clock for the time spent in each pass. */
static inline u64 rvm_now(void)
{
	return ktime_get_ns();
}

int rvm_logread_init(struct rvm_logread *lb, const struct rvm_io_ops *ops,
		     void *ctx, const struct rvm_geom *g, size_t buf_len,
		     u64 stop, u64 *ns);
int rvm_logread_get(struct rvm_logread *lb, u64 lsn, size_t len,
		    const u8 **out);
u8 *rvm_logread_take(struct rvm_logread *lb, size_t *len);
void rvm_logread_free(struct rvm_logread *lb);

#endif /* _RVM_LOGREAD_H */
