/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * librvm: the state of the classic interface and the helpers its files
 * share (classic.c, classic_log.c, classic_map.c, classic_txn.c, segment.c,
 * loopdev.c). Not installed. See classic.c for the design.
 *
 * Names here start with lrvm_, not rvm_, so that librvm.map keeps them
 * out of librvm.so's exported interface.
 */
#ifndef RVM_CLASSIC_IMPL_H
#define RVM_CLASSIC_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/types.h>

#include <rvm/librvm.h>
#include <rvm/rvm.h>

#include "classic_internal.h"

/* Data segment of a log_dev file that rvm_create_log() creates. */
#define LRVM_DEFAULT_DATA_LEN	RVM_DEFAULT_DATA_LEN
#define LRVM_DATA_LEN_ENV	"RVM_DATA_LEN"

/* [start, end) of user addresses */
struct lrvm_range {
	uintptr_t start;
	uintptr_t end;
};

/**
 * struct lrvm_txn - a running classic transaction; rvm_tid_t.tid points
 * to it (copies of the tid too, so it is named by pointer and uname)
 * @next: in lrvm.txns
 * @ktid: the kernel's transaction id
 * @mode: restore or no_restore
 * @uname: the unique name given to the tid
 * @r: declared ranges, sorted, merged (for rvm_chk_range(), rvm_query(),
 *	rvm_unmap())
 * @nr: their number
 * @cap: room in @r
 * @refs: calls using it now
 * @ending: an end or abort is in progress: other calls see RVM_ETID
 * @dead: off the list; freed when @refs drops to 0
 */
struct lrvm_txn {
	struct lrvm_txn *next;
	uint64_t ktid;
	rvm_mode_t mode;
	struct timeval uname;
	struct lrvm_range *r;
	unsigned int nr;
	unsigned int cap;
	unsigned int refs;
	bool ending;
	bool dead;
};

/**
 * struct lrvm_map - a region mapped by rvm_map()
 * @next: in lrvm.maps
 * @addr: where
 * @len: its length
 * @seg_off: its first byte's volume offset, RVM_SEG_OFFSET(id, off)
 * @external: in a data file or device of its own (not segment 0)
 */
struct lrvm_map {
	struct lrvm_map *next;
	uintptr_t addr;
	size_t len;
	uint64_t seg_off;
	bool external;
};

/* Identity of a device or file, to compare names: "is this the log?" */
struct lrvm_devid {
	bool valid;
	bool is_blk;
	dev_t dev;		/* st_dev (file) or st_rdev (block device) */
	ino_t ino;		/* files only */
};

enum lrvm_phase {
	LRVM_NEW,
	LRVM_RUNNING,
	LRVM_TERMINATED,
};

/**
 * struct lrvm_state - the classic interface's global state
 * @life: read-held by every call while it uses @rvm; write-held by the
 *	calls that open the log or stop RVM (never across an END ioctl of
 *	another thread: those hold it for reading)
 * @lock: protects everything below that changes after the log is open:
 *	the lists, the counters, the options
 * @phase: never, running, or terminated
 * @rvm: the handle bound to the log's volume, NULL while no log is open
 * @log_dev: the log as named by the program (a copy)
 * @blkdev: the block device attached: log_dev, or the loop device
 * @log_id: identity of log_dev
 * @blk_id: identity of @blkdev
 * @page: page size
 * @data_bytes: size of the volume's segment 0 (0 for a log alone)
 * @log_bytes: size of the volume's log
 * @truncate: options (rvm_set_options())
 * @recovery_buf_len: options
 * @flush_buf_len: options
 * @max_read_len: options
 * @flags: options: RVM_COALESCE_*, RVM_MAP_PRIVATE
 * @txns: running transactions
 * @ntxns: their number
 * @maps: mapped regions
 * @last_uname: the last uname given
 * @n_abort: counters since rvm_initialize(), of this process
 * @n_flush_commit: counter
 * @n_no_flush_commit: counter
 * @n_no_flush: no_flush commits since the last rvm_flush()
 * @n_rvm_flush: counter
 * @n_rvm_truncate: counter
 * @log_dev_max: highest log use in % seen by rvm_statistics()
 * @base: the volume's counters when the log was opened
 */
struct lrvm_state {
	pthread_rwlock_t life;
	pthread_mutex_t lock;
	enum lrvm_phase phase;
	struct rvm *rvm;
	char *log_dev;
	char blkdev[RVM_PATH_MAX];
	struct lrvm_devid log_id;
	struct lrvm_devid blk_id;
	size_t page;
	uint64_t data_bytes;
	uint64_t log_bytes;
	long truncate;
	rvm_length_t recovery_buf_len;
	rvm_length_t flush_buf_len;
	rvm_length_t max_read_len;
	rvm_length_t flags;
	struct lrvm_txn *txns;
	unsigned int ntxns;
	struct lrvm_map *maps;
	struct timeval last_uname;
	rvm_length_t n_abort;
	rvm_length_t n_flush_commit;
	rvm_length_t n_no_flush_commit;
	rvm_length_t n_no_flush;
	rvm_length_t n_rvm_flush;
	rvm_length_t n_rvm_truncate;
	rvm_length_t log_dev_max;
	struct rvm_status base;
};

extern struct lrvm_state lrvm;

/* classic.c */
rvm_return_t lrvm_errno(int err);
rvm_return_t lrvm_io(int err);
rvm_return_t lrvm_use(void);
rvm_return_t lrvm_check_running(void);
void lrvm_unuse(void);

/* classic_log.c */
rvm_return_t lrvm_log_create(const char *path, uint64_t log_len, mode_t mode);
rvm_return_t lrvm_log_open(const char *path, long truncate);
void lrvm_log_close(void);
bool lrvm_devid_get(const char *path, struct lrvm_devid *id);
bool lrvm_devid_eq(const struct lrvm_devid *a, const struct lrvm_devid *b);
bool lrvm_is_log(const char *path);

/* classic_map.c */
#define LRVM_MAP_NOCREATE	0x1	/* a data_dev file is neither created
					 * nor grown (rvm_load_segment()) */
rvm_return_t lrvm_map(rvm_region_t *region, rvm_options_t *opts,
		      unsigned int flags);
void lrvm_unmap_all(void);

/* classic_txn.c */
bool lrvm_txn_in_range(const struct lrvm_txn *t, uintptr_t start,
		       uintptr_t end);

/* loopdev.c */
int lrvm_loop_find(const char *file, char *dev, size_t devlen);
int lrvm_loop_attach(const char *file, int file_fd, char *dev, size_t devlen,
		     int *hold_fd);

#endif /* RVM_CLASSIC_IMPL_H */
