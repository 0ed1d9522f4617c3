// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librvm: the classic log_dev, which names a volume (see classic.c):
 * create and format it (rvm_create_log()), attach and open it
 * (rvm_initialize(), rvm_set_options()), tell whether a name is it.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rvm/volume.h"

#include "classic_impl.h"

/**
 * lrvm_devid_get() - the identity of a device or file
 * @path: its name
 * @id: out
 *
 * Return: true, or false (@id->valid false) if @path cannot be stat()ed.
 */
bool lrvm_devid_get(const char *path, struct lrvm_devid *id)
{
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (!path || stat(path, &st))
		return false;
	id->valid = true;
	id->is_blk = S_ISBLK(st.st_mode);
	if (id->is_blk) {
		id->dev = st.st_rdev;
	} else {
		id->dev = st.st_dev;
		id->ino = st.st_ino;
	}
	return true;
}

/** lrvm_devid_eq() - Return: true if @a and @b are the same device or file. */
bool lrvm_devid_eq(const struct lrvm_devid *a, const struct lrvm_devid *b)
{
	return a->valid && b->valid && a->is_blk == b->is_blk &&
	       a->dev == b->dev && a->ino == b->ino;
}

/**
 * lrvm_is_log() - does @path name the open log?
 * @path: a device or file name
 *
 * True for log_dev itself and for the block device it is attached
 * through (its loop device). The caller holds lrvm.life.
 *
 * Return: true or false.
 */
bool lrvm_is_log(const char *path)
{
	struct lrvm_devid id;

	if (!lrvm.rvm || !lrvm_devid_get(path, &id))
		return false;
	return lrvm_devid_eq(&id, &lrvm.log_id) ||
	       lrvm_devid_eq(&id, &lrvm.blk_id);
}

/* $RVM_DATA_LEN: a byte count with an optional K, M or G suffix. */
static uint64_t lrvm_data_len(void)
{
	const char *s = getenv(LRVM_DATA_LEN_ENV);
	unsigned long long v;
	char *end;

	if (!s || !*s)
		return LRVM_DEFAULT_DATA_LEN;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return LRVM_DEFAULT_DATA_LEN;
	switch (toupper((unsigned char)*end)) {
	case 'G':
		v <<= 10;
		/* fall through */
	case 'M':
		v <<= 10;
		/* fall through */
	case 'K':
		v <<= 10;
		break;
	default:
		break;
	}
	return v;
}

/* Errors of rvm_vol_format() and friends. */
static rvm_return_t lrvm_format_err(int err)
{
	switch (-err) {
	case EINVAL:
	case ENOSPC:
		return RVM_EOFFSET;
	default:
		return lrvm_errno(err);
	}
}

/**
 * lrvm_log_create() - create and format a volume (rvm_create_log())
 * @path: a block device, a regular file, or a file to create
 * @log_len: size of the log area in bytes
 * @mode: mode of a file created
 *
 * See classic.c for the sizes.
 *
 * Return: RVM_SUCCESS; RVM_ELOG if @path is neither a block device nor a
 * regular file; RVM_EOFFSET if @log_len is too small or too big; RVM_EIO
 * (errno EBUSY if the device or file is in use).
 */
rvm_return_t lrvm_log_create(const char *path, uint64_t log_len, mode_t mode)
{
	uint64_t blk = RVM_BLOCK_SIZE, page = rvm_page_size();
	uint64_t data, size;
	unsigned int fflags = 0;
	char loopdev[RVM_PATH_MAX];
	struct stat st;
	int fd, err;

	if (log_len > (1ULL << 40))
		return RVM_EOFFSET;
	log_len = (log_len + blk - 1) / blk * blk;
	/* As the original: a log below the minimum gets the minimum. */
	if (log_len < (uint64_t)RVM_MIN_LOG_BLOCKS * blk)
		log_len = (uint64_t)RVM_MIN_LOG_BLOCKS * blk;
	if (!stat(path, &st) && S_ISBLK(st.st_mode)) {
		/* RVM_DATA_LEN=0: a log alone here too (no segment 0). */
		if (getenv(LRVM_DATA_LEN_ENV) && !lrvm_data_len())
			fflags = RVM_VOL_FORMAT_LOG_ONLY;
		goto format;
	}
	if (!stat(path, &st) && !S_ISREG(st.st_mode))
		return RVM_ELOG;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode);
	if (fd < 0)
		return lrvm_errno(-errno);
	if (flock(fd, LOCK_EX)) {
		err = -errno;
		goto err_close;
	}
	/* A loop device on it means the volume may be attached: refuse. */
	if (!lrvm_loop_find(path, loopdev, sizeof(loopdev))) {
		err = -EBUSY;
		goto err_close;
	}
	data = lrvm_data_len();
	if (data > RVM_SEG_MAX_SIZE) {
		close(fd);
		return RVM_EOFFSET;
	}
	data = (data + page - 1) / page * page;
	if (!data)
		fflags = RVM_VOL_FORMAT_LOG_ONLY;
	size = (RVM_SUPER_COPIES + 2 * RVM_SEGTAB_DEFAULT_BLOCKS) * blk +
	       log_len + data;
	/* Drop the old contents, then make it sparse at the new size. */
	if (ftruncate(fd, 0) || ftruncate(fd, (off_t)size)) {
		err = -errno;
		goto err_close;
	}
	close(fd);		/* drops the lock: formatting is offline */
format:
	err = rvm_vol_format(path, log_len, fflags);
	if (err)
		return lrvm_format_err(err);
	return RVM_SUCCESS;

err_close:
	close(fd);
	return lrvm_errno(err);
}

/* ATTACH said -EINVAL: tell a newer format from garbage. */
static rvm_return_t lrvm_attach_einval(const char *blkdev)
{
	struct rvm_vol *vol;
	int err;

	if (rvm_vol_open(blkdev, RVM_VOL_RDONLY, &vol))
		return RVM_ELOG;
	err = rvm_vol_read_super(vol, NULL);
	rvm_vol_close(vol);
	return err == -EOPNOTSUPP ? RVM_ELOG_VERSION_SKEW : RVM_ELOG;
}

/**
 * lrvm_log_open() - attach the volume log_dev names, and bind to it
 * @path: log_dev
 * @truncate: the options' truncate (%), for the attach
 *
 * Sets lrvm.rvm, log_dev, blkdev, log_id, blk_id, page, data_bytes,
 * log_bytes, base. The caller holds lrvm.life for writing.
 *
 * Return: RVM_SUCCESS, RVM_ELOG, RVM_ELOG_VERSION_SKEW, RVM_ENO_MEMORY,
 * RVM_ENAME_TOO_LONG, RVM_EIO.
 */
rvm_return_t lrvm_log_open(const char *path, long truncate)
{
	struct rvm_attach_opts ao;
	struct rvm_status st;
	struct stat fst;
	rvm_return_t ret;
	int lock_fd = -1, file_fd = -1, hold_fd = -1, aerr, err;
	struct rvm *r;
	char *name;

	if (stat(path, &fst))
		return lrvm_io(-errno);
	if (S_ISREG(fst.st_mode)) {
		/*
		 * The lock goes on an open file of its own: a loop device
		 * keeps the file it is given open (the same open file, and
		 * so its flock) for as long as it is bound.
		 */
		lock_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (lock_fd < 0)
			return lrvm_io(-errno);
		if (flock(lock_fd, LOCK_EX)) {
			ret = lrvm_io(-errno);
			goto out;
		}
		file_fd = open(path, O_RDWR | O_CLOEXEC);
		if (file_fd < 0) {
			ret = lrvm_io(-errno);
			goto out;
		}
		err = lrvm_loop_attach(path, file_fd, lrvm.blkdev,
				       sizeof(lrvm.blkdev), &hold_fd);
		if (err) {
			ret = lrvm_errno(err);
			goto out;
		}
	} else if (S_ISBLK(fst.st_mode)) {
		if (strlen(path) >= sizeof(lrvm.blkdev))
			return RVM_ENAME_TOO_LONG;
		strcpy(lrvm.blkdev, path);
	} else {
		return RVM_ELOG;
	}

	memset(&ao, 0, sizeof(ao));
	ao.truncate_pct = truncate >= 100 ? 99 : (uint32_t)truncate;
	aerr = rvm_vol_attach(lrvm.blkdev, &ao, NULL);
	switch (-aerr) {
	case 0:
	case EBUSY:	/* attached already (or in use: bind tells) */
	case EPERM:	/* not root: fine if someone attached it */
		break;
	case EINVAL:
	case ENOTBLK:
		ret = lrvm_attach_einval(lrvm.blkdev);
		goto out;
	default:
		ret = lrvm_errno(aerr);
		goto out;
	}
	err = rvm_open(lrvm.blkdev, &r);
	if (err) {
		/* Not attached after all: say why the attach failed. */
		ret = lrvm_errno(err == -ENOENT && aerr ? aerr : err);
		goto out;
	}
	err = rvm_stat(r, &st);
	name = strdup(path);
	if (err || !name) {
		free(name);
		rvm_close(r);
		ret = err ? lrvm_errno(err) : RVM_ENO_MEMORY;
		goto out;
	}
	lrvm.rvm = r;
	lrvm.log_dev = name;
	lrvm_devid_get(path, &lrvm.log_id);
	lrvm_devid_get(lrvm.blkdev, &lrvm.blk_id);
	lrvm.page = rvm_page_size_of(r);
	lrvm.data_bytes = st.data_bytes;
	lrvm.log_bytes = st.log_bytes;
	lrvm.base = st;
	ret = RVM_SUCCESS;
out:
	/* The attached volume holds the loop device open now. */
	if (hold_fd >= 0)
		close(hold_fd);
	if (file_fd >= 0)
		close(file_fd);
	if (lock_fd >= 0)
		close(lock_fd);
	return ret;
}

/** lrvm_log_close() - close the handle; the volume stays attached. */
void lrvm_log_close(void)
{
	rvm_close(lrvm.rvm);
	lrvm.rvm = NULL;
	free(lrvm.log_dev);
	lrvm.log_dev = NULL;
	memset(&lrvm.log_id, 0, sizeof(lrvm.log_id));
	memset(&lrvm.blk_id, 0, sizeof(lrvm.blk_id));
}
