// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librvm: the segment directory, which lets a classic data_dev name a
 * segment stored inside the volume's data segment (see classic.c).
 *
 * It lives in the last page of the data segment, at dir_off = (data
 * segment size rounded down to a page) - one page, and is changed only by
 * flush-mode rvm transactions, so recovery brings it back like any other
 * data. All fields little-endian:
 *
 *	offset	size
 *	0	8	magic		"RVMSEGDR" (LRVM_SEGDIR_MAGIC)
 *	8	4	version		LRVM_SEGDIR_VERSION (1)
 *	12	4	crc		~crc32c(~0) of the header (crc 0) and
 *					the @used bytes of entries
 *	16	4	nentries	number of entries
 *	20	4	used		bytes of entries after the header
 *	24	8	dir_off		where the directory is (checked)
 *	32	8	next_base	first free byte: segments are allocated
 *					upwards from 0, never freed
 *	40	8	reserved	0
 *	48	...	entries, each: base (8), length (8), name_len (2), the
 *			name (name_len bytes, no NUL), zero padding to 8
 *
 * A page without the magic is an empty directory (rvm_create_log()
 * zeroes it). A page with the magic but a bad CRC or version, or fields
 * that do not fit, is refused (RVM_EIO, errno EBADMSG; or
 * RVM_ELOG_VERSION_SKEW for an unknown version): never overwritten.
 *
 * A new segment's bytes (copied from the file of that name, zeros after
 * it; only the pages that differ are written) are committed in restore
 * transactions of at most a quarter of the log before the flush-mode
 * transaction that adds the directory entry, so that after a crash
 * either the segment exists with its contents, or it does not exist.
 *
 * Locking: lrvm.segdir_lock in the process, and an flock(2) on the
 * volume's block device node between processes.
 */
#include <errno.h>
#include <fcntl.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

#include "classic_impl.h"

#define LRVM_SEGDIR_MAGIC	0x52444745534d5652ULL	/* "RVMSEGDR" */
#define LRVM_SEGDIR_VERSION	1
#define LRVM_SEGDIR_HDR		48
#define LRVM_SEGDIR_ENT		18	/* before the name */
#define LRVM_FILL_MAX		(4U << 20)

/* kshim's crc32c(), exported by librvm (crc32c.c) */
uint32_t crc32c(uint32_t crc, const void *buf, unsigned int len);

struct lrvm_segdir_hdr {
	uint64_t magic;
	uint32_t version;
	uint32_t crc;
	uint32_t nentries;
	uint32_t used;
	uint64_t dir_off;
	uint64_t next_base;
	uint64_t reserved;
};

_Static_assert(sizeof(struct lrvm_segdir_hdr) == LRVM_SEGDIR_HDR,
	       "segment directory header layout");

static uint64_t lrvm_get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static void lrvm_put64(unsigned char *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static uint32_t lrvm_dir_crc(const unsigned char *page, uint32_t used)
{
	struct lrvm_segdir_hdr h;
	uint32_t crc;

	memcpy(&h, page, sizeof(h));
	h.crc = 0;
	crc = crc32c(~0U, &h, sizeof(h));
	return ~crc32c(crc, page + LRVM_SEGDIR_HDR, used);
}

static size_t lrvm_ent_size(size_t name_len)
{
	return (LRVM_SEGDIR_ENT + name_len + 7) & ~(size_t)7;
}

static uint64_t lrvm_dir_off(void)
{
	return (lrvm.data_bytes / lrvm.page) * lrvm.page - lrvm.page;
}

/*
 * Check the directory page. Return: RVM_SUCCESS with *@empty telling
 * whether there is no directory yet, or the error.
 */
static rvm_return_t lrvm_dir_check(const unsigned char *page, bool *empty)
{
	struct lrvm_segdir_hdr h;
	uint32_t used, n, i, pos;
	uint16_t nl;

	memcpy(&h, page, sizeof(h));
	*empty = le64toh(h.magic) != LRVM_SEGDIR_MAGIC;
	if (*empty)
		return RVM_SUCCESS;
	if (le32toh(h.version) != LRVM_SEGDIR_VERSION)
		return RVM_ELOG_VERSION_SKEW;
	used = le32toh(h.used);
	n = le32toh(h.nentries);
	if (used > lrvm.page - LRVM_SEGDIR_HDR ||
	    le32toh(h.crc) != lrvm_dir_crc(page, used) ||
	    le64toh(h.dir_off) != lrvm_dir_off() ||
	    le64toh(h.next_base) > lrvm_dir_off())
		return lrvm_io(-EBADMSG);
	for (i = 0, pos = 0; i < n; i++) {
		if (pos + LRVM_SEGDIR_ENT > used)
			return lrvm_io(-EBADMSG);
		memcpy(&nl, page + LRVM_SEGDIR_HDR + pos + 16, sizeof(nl));
		pos += lrvm_ent_size(le16toh(nl));
		if (pos > used)
			return lrvm_io(-EBADMSG);
	}
	return RVM_SUCCESS;
}

/* Find @name. Return: true with *@base, *@len set, or false. */
static bool lrvm_dir_find(const unsigned char *page, const char *name,
			  uint64_t *base, uint64_t *len)
{
	struct lrvm_segdir_hdr h;
	size_t name_len = strlen(name);
	const unsigned char *e;
	uint32_t i, pos;
	uint16_t nl;

	memcpy(&h, page, sizeof(h));
	for (i = 0, pos = 0; i < le32toh(h.nentries); i++) {
		e = page + LRVM_SEGDIR_HDR + pos;
		memcpy(&nl, e + 16, sizeof(nl));
		nl = le16toh(nl);
		if (nl == name_len && !memcmp(e + LRVM_SEGDIR_ENT, name, nl)) {
			*base = lrvm_get64(e);
			*len = lrvm_get64(e + 8);
			return true;
		}
		pos += lrvm_ent_size(nl);
	}
	return false;
}

/* Map the directory page once. Caller holds segdir_lock. */
static rvm_return_t lrvm_dir_map(void)
{
	int err;

	if (lrvm.dir_addr)
		return RVM_SUCCESS;
	if (lrvm.data_bytes < 2 * lrvm.page)
		return RVM_ENO_MEMORY;	/* no room for segments */
	err = rvm_region_map(lrvm.rvm, lrvm_dir_off(), lrvm.page, NULL, 0,
			     &lrvm.dir_addr);
	if (err) {
		lrvm.dir_addr = NULL;
		return lrvm_errno(err);
	}
	return RVM_SUCCESS;
}

/* Read @len bytes at @off of @fd, fewer at its end. */
static int lrvm_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, (char *)buf + done, len - done, off + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			break;
		done += n;
	}
	return 0;
}

/* Map a begin/set_range/end error of librvm's own transactions. */
static rvm_return_t lrvm_own_txn_err(int err)
{
	return err == -EINVAL || err == -ERANGE || err == -ENXIO ?
	       RVM_EINTERNAL : lrvm_errno(err);
}

/*
 * Commit the pages of @want (@len bytes) into @dst where they differ, in one
 * restore transaction (no transaction if none differs).
 */
static rvm_return_t lrvm_fill_chunk(unsigned char *dst,
				    const unsigned char *want, size_t len)
{
	size_t page = lrvm.page, p, run = 0;
	bool open = false;
	uint64_t tid = 0;
	int err = 0;

	for (p = 0; p <= len && !err; p += page) {
		bool differs = p < len && memcmp(dst + p, want + p, page);

		if (differs) {
			run += page;
			continue;
		}
		if (!run)
			continue;
		/* [p - run, p) differs: declare it, then copy it */
		if (!open) {
			err = rvm_txn_begin(lrvm.rvm, RVM_TXN_RESTORE, &tid);
			if (err)
				break;
			open = true;
		}
		err = rvm_txn_set_range(lrvm.rvm, tid, dst + p - run, run);
		if (!err)
			memcpy(dst + p - run, want + p - run, run);
		run = 0;
	}
	if (open && !err)
		err = rvm_txn_end(lrvm.rvm, tid,
				  RVM_END_NO_FLUSH | RVM_END_COALESCE_RANGES,
				  NULL);
	if (open && err)
		rvm_txn_abort(lrvm.rvm, tid);
	return err ? lrvm_own_txn_err(err) : RVM_SUCCESS;
}

/*
 * Give the new segment [base, base + len) its contents: the first
 * @src_len bytes of @src_fd (if >= 0), zeros after.
 */
static rvm_return_t lrvm_fill(uint64_t base, uint64_t len, int src_fd,
			      uint64_t src_len)
{
	size_t chunk = lrvm.log_bytes / 4 / lrvm.page * lrvm.page;
	unsigned char *map, *buf;
	rvm_return_t ret = RVM_SUCCESS;
	uint64_t off;
	size_t n;
	void *addr;
	int err;

	if (chunk > LRVM_FILL_MAX)
		chunk = LRVM_FILL_MAX;
	if (chunk < lrvm.page)
		chunk = lrvm.page;
	buf = malloc(chunk);
	if (!buf)
		return RVM_ENO_MEMORY;
	err = rvm_region_map(lrvm.rvm, base, len, NULL, 0, &addr);
	if (err) {
		free(buf);
		return lrvm_errno(err);
	}
	map = addr;
	for (off = 0; off < len && !ret; off += n) {
		n = len - off < chunk ? len - off : chunk;
		memset(buf, 0, n);
		if (src_fd >= 0 && off < src_len) {
			err = lrvm_pread_full(src_fd, buf, src_len - off < n ?
					      src_len - off : n, off);
			if (err) {
				ret = lrvm_io(err);
				break;
			}
		}
		ret = lrvm_fill_chunk(map + off, buf, n);
	}
	if (rvm_region_unmap(lrvm.rvm, addr, len))
		munmap(addr, len);
	free(buf);
	return ret;
}

/*
 * Build in @img (a page holding the current directory, or anything if
 * @empty) the directory with the entry added. Return: RVM_SUCCESS or
 * RVM_ETOO_BIG (full).
 */
static rvm_return_t lrvm_dir_build(unsigned char *img, bool empty,
				   const char *name, uint64_t base,
				   uint64_t len)
{
	size_t name_len = strlen(name), esz = lrvm_ent_size(name_len);
	uint16_t nl = htole16((uint16_t)name_len);
	struct lrvm_segdir_hdr h;
	unsigned char *e;
	uint32_t used;

	if (empty) {
		memset(img, 0, lrvm.page);
		memset(&h, 0, sizeof(h));
		h.magic = htole64(LRVM_SEGDIR_MAGIC);
		h.version = htole32(LRVM_SEGDIR_VERSION);
		h.dir_off = htole64(lrvm_dir_off());
	} else {
		memcpy(&h, img, sizeof(h));
	}
	used = le32toh(h.used);
	if (LRVM_SEGDIR_HDR + used + esz > lrvm.page)
		return RVM_ETOO_BIG;
	e = img + LRVM_SEGDIR_HDR + used;
	memset(e, 0, esz);
	lrvm_put64(e, base);
	lrvm_put64(e + 8, len);
	memcpy(e + 16, &nl, sizeof(nl));
	memcpy(e + LRVM_SEGDIR_ENT, name, name_len);
	h.used = htole32(used + esz);
	h.nentries = htole32(le32toh(h.nentries) + 1);
	h.next_base = htole64(base + len);
	h.crc = 0;
	memcpy(img, &h, sizeof(h));
	h.crc = htole32(lrvm_dir_crc(img, used + esz));
	memcpy(img, &h, sizeof(h));
	return RVM_SUCCESS;
}

/* Add the entry to the directory, in one flush-mode transaction. */
static rvm_return_t lrvm_dir_add(bool empty, const char *name, uint64_t base,
				 uint64_t len)
{
	unsigned char *dir = lrvm.dir_addr, *img;
	rvm_return_t ret;
	uint64_t tid;
	int err;

	img = malloc(lrvm.page);
	if (!img)
		return RVM_ENO_MEMORY;
	memcpy(img, dir, lrvm.page);
	ret = lrvm_dir_build(img, empty, name, base, len);
	if (ret)
		goto out;

	err = rvm_txn_begin(lrvm.rvm, RVM_TXN_RESTORE, &tid);
	if (err) {
		ret = lrvm_own_txn_err(err);
		goto out;
	}
	err = rvm_txn_set_range(lrvm.rvm, tid, dir, lrvm.page);
	if (!err) {
		memcpy(dir, img, lrvm.page);
		err = rvm_txn_end(lrvm.rvm, tid, RVM_END_FLUSH, NULL);
	}
	if (err) {
		rvm_txn_abort(lrvm.rvm, tid);
		ret = lrvm_own_txn_err(err);
	}
out:
	free(img);
	return ret;
}

/* Allocate and fill a segment for @name. Caller holds the locks. */
static rvm_return_t lrvm_dir_create(bool empty, const char *name,
				    uint64_t dev_length, uint64_t need,
				    unsigned int flags, uint64_t *base,
				    uint64_t *len)
{
	const struct lrvm_segdir_hdr *h = lrvm.dir_addr;
	uint64_t page = lrvm.page, next, size = 0, src_len = 0;
	rvm_return_t ret;
	struct stat st;
	int src_fd = -1;

	if (!stat(name, &st) && S_ISREG(st.st_mode))
		size = st.st_size;
	if ((flags & LRVM_SEG_CREATE_FILE) && !size)
		return RVM_EOFFSET;
	*len = dev_length ? dev_length : size;
	if (*len < need)
		*len = need;
	if (*len > UINT64_MAX - page)
		return RVM_ENO_MEMORY;
	*len = (*len + page - 1) / page * page;
	next = empty ? 0 : le64toh(h->next_base);
	if (*len > lrvm_dir_off() - next)
		return RVM_ENO_MEMORY;
	if (LRVM_SEGDIR_HDR + (empty ? 0 : le32toh(h->used)) +
	    lrvm_ent_size(strlen(name)) > page)
		return RVM_ETOO_BIG;
	if (size) {
		src_fd = open(name, O_RDONLY | O_CLOEXEC);
		if (src_fd < 0)
			return lrvm_io(-errno);
		src_len = size < *len ? size : *len;
	}
	ret = lrvm_fill(next, *len, src_fd, src_len);
	if (src_fd >= 0)
		close(src_fd);
	if (ret)
		return ret;
	ret = lrvm_dir_add(empty, name, next, *len);
	if (!ret)
		*base = next;
	return ret;
}

/**
 * lrvm_segdir_resolve() - where a named segment is in the data segment
 * @name: data_dev, as given
 * @dev_length: the region's dev_length (0: none)
 * @need: offset + length of the region to map
 * @flags: LRVM_SEG_CREATE: create it if unknown; LRVM_SEG_CREATE_FILE:
 *	only if @name is an existing non-empty regular file
 * @base: out: its first byte's offset in the data segment
 * @len: out: its length
 *
 * The caller holds lrvm.life for reading.
 *
 * Return: RVM_SUCCESS; RVM_ENO_MEMORY (no room left for it); RVM_ETOO_BIG
 * (the directory is full); RVM_EOFFSET (LRVM_SEG_CREATE_FILE and no such
 * file, nothing created); RVM_ELOG_VERSION_SKEW or RVM_EIO (EBADMSG) for
 * a corrupt directory; RVM_EIO.
 */
rvm_return_t lrvm_segdir_resolve(const char *name, uint64_t dev_length,
				 uint64_t need, unsigned int flags,
				 uint64_t *base, uint64_t *len)
{
	rvm_return_t ret;
	bool empty;
	int lock_fd;

	pthread_mutex_lock(&lrvm.segdir_lock);
	lock_fd = open(lrvm.blkdev, O_RDONLY | O_CLOEXEC);
	if (lock_fd >= 0)
		flock(lock_fd, LOCK_EX);
	ret = lrvm_dir_map();
	if (!ret)
		ret = lrvm_dir_check(lrvm.dir_addr, &empty);
	if (ret)
		goto out;
	if (!empty && lrvm_dir_find(lrvm.dir_addr, name, base, len))
		goto out;
	ret = lrvm_dir_create(empty, name, dev_length, need, flags, base, len);
out:
	if (lock_fd >= 0)
		close(lock_fd);
	pthread_mutex_unlock(&lrvm.segdir_lock);
	return ret;
}

/** lrvm_segdir_release() - unmap the directory page (rvm_terminate()). */
void lrvm_segdir_release(void)
{
	if (!lrvm.dir_addr)
		return;
	if (rvm_region_unmap(lrvm.rvm, lrvm.dir_addr, lrvm.page))
		munmap(lrvm.dir_addr, lrvm.page);
	lrvm.dir_addr = NULL;
}
