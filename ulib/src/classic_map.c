// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librvm: classic mapping: rvm_map(), rvm_unmap(). See classic.c for what
 * data_dev, offset and vmaddr mean: a data_dev of its own is a segment of
 * the log (RVM_IOC_SEG_ADD), mapped at RVM_SEG_OFFSET(id, offset).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <linux/rvm.h>

#include "classic_impl.h"

/*
 * The write protection of the mappings rvm_map() makes: the environment
 * variable RVM_PROTECT is "strict" (the default: a write not declared with
 * rvm_set_range() gets SIGSEGV), "auto" (a write joins the running
 * transaction, no rvm_set_range() needed) or "off" (the original library's
 * behaviour: undeclared writes are silently not logged). A module without
 * protection is used as it is.
 */
static int lrvm_set_protect(void)
{
	const char *v = getenv("RVM_PROTECT");
	struct rvm_protect p;

	memset(&p, 0, sizeof(p));
	if (!v || !*v || !strcmp(v, "strict"))
		return 0;
	if (!strcmp(v, "auto"))
		p.mode = RVM_PROT_AUTO;
	else if (!strcmp(v, "off"))
		p.mode = RVM_PROT_OFF;
	else
		return -EINVAL;
	if (ioctl(rvm_fd(lrvm.rvm), RVM_IOC_SET_PROTECT, &p))
		return errno == ENOTTY ? 0 : -errno;
	return 0;
}

/*
 * Is every mapping that overlaps [addr, addr + len) private anonymous
 * memory (no file, not the heap, stack or vdso)? Such memory is what the
 * original's programs (and its segment loader) allocated at a region's
 * address before rvm_map() filled it: rvm_map() replaces it. Anything
 * else (a file, another region, the brk heap, a stack) stays RVM_EVM_OVERLAP.
 */
static bool lrvm_anon_only(uintptr_t addr, size_t len)
{
	char line[512], perms[8], path[256];
	unsigned long start, end, inode;
	bool ok = true;
	FILE *f;
	int n;

	f = fopen("/proc/self/maps", "re");
	if (!f)
		return false;
	while (ok && fgets(line, sizeof(line), f)) {
		path[0] = '\0';
		n = sscanf(line, "%lx-%lx %7s %*s %*s %lu %255s", &start, &end,
			   perms, &inode, path);
		if (n < 4) {
			ok = false;
			break;
		}
		if (end <= addr || start >= addr + len)
			continue;
		if (inode || path[0] || perms[3] != 'p')
			ok = false;
	}
	fclose(f);
	return ok;
}

/* Is [off, off + len) of the data segment mapped by this process already? */
static bool lrvm_seg_mapped(uint64_t off, uint64_t len)
{
	struct lrvm_map *m;

	for (m = lrvm.maps; m; m = m->next)
		if (m->seg_off < off + len && off < m->seg_off + m->len)
			return true;
	return false;
}

/*
 * Make the data_dev @dev a segment of the log and find it: a regular file
 * shorter than @need bytes (the region's dev_length, or the end of the
 * region) grows to it, sparse, and a missing one is created (0600), unless
 * @flags has LRVM_MAP_NOCREATE (then a missing or empty file is
 * RVM_EOFFSET: no segment header there); then RVM_IOC_SEG_ADD (by its
 * real path), which gives its id and size. A file or device registered
 * already keeps its id.
 */
static rvm_return_t lrvm_seg_resolve(const char *dev, uint64_t need,
				     unsigned int flags, uint64_t *base,
				     uint64_t *len)
{
	struct stat st;
	uint32_t id;
	uint64_t size;
	int fd, err;

	if (stat(dev, &st)) {
		if (errno != ENOENT || (flags & LRVM_MAP_NOCREATE))
			return errno == ENOENT ? RVM_EOFFSET : lrvm_io(-errno);
		st.st_mode = S_IFREG;
		st.st_size = 0;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < need &&
	    !(flags & LRVM_MAP_NOCREATE)) {
		fd = open(dev, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return lrvm_io(-errno);
		err = ftruncate(fd, (off_t)need) ? -errno : 0;
		close(fd);
		if (err)
			return lrvm_io(err);
	} else if (S_ISREG(st.st_mode) && !st.st_size) {
		return RVM_EOFFSET;
	} else if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		return RVM_EOFFSET;
	}
	err = rvm_seg_add(lrvm.blkdev, dev, &id, &size);
	if (err == -EINVAL)
		return RVM_EOFFSET;	/* smaller than a page, the log, ... */
	if (err)
		return lrvm_errno(err);
	*base = RVM_SEG_OFFSET(id, 0);
	*len = size;
	return RVM_SUCCESS;
}

/**
 * lrvm_map() - rvm_map(), for segment.c too
 * @region: the region
 * @opts: options or NULL
 * @flags: LRVM_MAP_NOCREATE: a data_dev file is neither created nor grown
 *	(a missing or empty one is RVM_EOFFSET, nothing created)
 *
 * Return: as rvm_map().
 */
rvm_return_t lrvm_map(rvm_region_t *region, rvm_options_t *opts,
		      unsigned int flags)
{
	rvm_length_t page = rvm_page_size();
	uint64_t off, devlen, base = 0, seglen = 0, len;
	struct lrvm_map *m;
	const char *dev;
	bool external = false;
	rvm_return_t ret;
	void *addr;
	int err;

	ret = lrvm_check_running();
	if (!ret)
		ret = rvm_classic_check_region(region);
	if (!ret)
		ret = rvm_classic_check_options_opt(opts);
	if (!ret)
		ret = rvm_classic_check_name(region->data_dev);
	if (ret)
		return ret;
	if ((uintptr_t)region->vmaddr % page)
		return RVM_ERANGE;
	if (!rvm_classic_off_to_u64(&region->offset, &off) ||
	    !rvm_classic_off_to_u64(&region->dev_length, &devlen))
		return RVM_EOFFSET;
	/*
	 * As the original: an offset inside a page maps from the start of
	 * that page (the length grows by as much), a length is rounded up
	 * to whole pages, and length 0 maps to the end of the segment; the
	 * rounded values are written back.
	 */
	len = region->length;
	if (len) {
		len += off % page;
		if (len < region->length || len > SIZE_MAX - page)
			return RVM_ERANGE;
		len = (len + page - 1) / page * page;
	}
	off -= off % page;
	if (off > UINT64_MAX - len || (devlen && off + len > devlen))
		return RVM_EOFFSET;

	ret = lrvm_use();
	if (ret)
		return ret;
	dev = region->data_dev;
	if (!dev || !*dev || lrvm_is_log(dev)) {
		base = 0;
		seglen = lrvm.data_bytes;
	} else {
		uint64_t need = devlen ? devlen : off + len;

		need = (need + page - 1) / page * page;
		if (need > RVM_SEG_MAX_SIZE) {
			ret = RVM_EOFFSET;
			goto out;
		}
		ret = lrvm_seg_resolve(dev, need, flags, &base, &seglen);
		if (ret)
			goto out;
		external = true;
	}
	if (devlen && devlen < seglen)
		seglen = devlen;
	if (!len && off < seglen)
		len = (seglen - off) / page * page;
	if (!len) {
		ret = RVM_ERANGE;
		goto out;
	}
	if (off + len > seglen) {
		ret = RVM_EOFFSET;
		goto out;
	}

	m = calloc(1, sizeof(*m));
	if (!m) {
		ret = RVM_ENO_MEMORY;
		goto out;
	}
	pthread_mutex_lock(&lrvm.lock);
	if (lrvm_seg_mapped(base + off, len)) {
		ret = RVM_EOVERLAP;
		goto out_free;
	}
	err = lrvm_set_protect();
	if (err) {
		ret = err == -EINVAL ? RVM_EOPTIONS : lrvm_errno(err);
		goto out_free;
	}
	err = rvm_region_map(lrvm.rvm, base + off, len,
			     region->vmaddr, region->vmaddr ? RVM_MAP_FIXED : 0,
			     &addr);
	if (err == -EEXIST &&
	    lrvm_anon_only((uintptr_t)region->vmaddr, len) &&
	    !munmap(region->vmaddr, len))
		err = rvm_region_map(lrvm.rvm, base + off, len, region->vmaddr,
				     RVM_MAP_FIXED, &addr);
	switch (-err) {
	case 0:
		break;
	case EEXIST:
		ret = RVM_EVM_OVERLAP;
		goto out_free;
	case EINVAL:
		ret = RVM_EOFFSET;
		goto out_free;
	default:
		ret = lrvm_errno(err);
		goto out_free;
	}
	m->addr = (uintptr_t)addr;
	m->len = len;
	m->seg_off = base + off;
	m->external = external;
	m->next = lrvm.maps;
	lrvm.maps = m;
	pthread_mutex_unlock(&lrvm.lock);
	region->vmaddr = addr;
	region->offset = rvm_classic_u64_to_off(off);
	region->length = len;
	goto out;

out_free:
	pthread_mutex_unlock(&lrvm.lock);
	free(m);
out:
	lrvm_unuse();
	return ret;
}

rvm_return_t rvm_map(rvm_region_t *region, rvm_options_t *opts)
{
	return lrvm_map(region, opts, 0);
}

rvm_return_t rvm_unmap(rvm_region_t *region)
{
	struct lrvm_map **pp, *m;
	struct lrvm_txn *t;
	uintptr_t start;
	bool external;
	rvm_return_t ret;
	int err;

	ret = lrvm_check_running();
	if (!ret)
		ret = rvm_classic_check_region(region);
	if (ret)
		return ret;
	ret = lrvm_use();
	if (ret)
		return ret;
	start = (uintptr_t)region->vmaddr;
	pthread_mutex_lock(&lrvm.lock);
	for (pp = &lrvm.maps; *pp; pp = &(*pp)->next)
		if ((*pp)->addr == start && (*pp)->len == region->length)
			break;
	m = *pp;
	if (!m) {
		ret = RVM_ENOT_MAPPED;
		goto out;
	}
	for (t = lrvm.txns; t; t = t->next) {
		if (lrvm_txn_in_range(t, m->addr, m->addr + m->len)) {
			ret = RVM_EUNCOMMIT;
			goto out;
		}
	}
	err = rvm_region_unmap(lrvm.rvm, region->vmaddr, region->length);
	switch (-err) {
	case 0:
		break;
	case EBUSY:
		ret = RVM_EUNCOMMIT;
		goto out;
	case EINVAL:
		/* Not a mapping of the volume any more (munmap(2)'d). */
		ret = RVM_ENOT_MAPPED;
		break;
	default:
		ret = lrvm_errno(err);
		goto out;
	}
	*pp = m->next;
	external = m->external;
	free(m);
	pthread_mutex_unlock(&lrvm.lock);
	/*
	 * A data file or device of its own holds the committed bytes once
	 * rvm_unmap() returns, as the original's programs expect: truncate
	 * (the whole log; never under lrvm.lock, it waits for the log).
	 */
	if (!ret && external) {
		err = rvm_sync_truncate(lrvm.rvm);
		if (err)
			ret = lrvm_errno(err);
	}
	lrvm_unuse();
	return ret;
out:
	pthread_mutex_unlock(&lrvm.lock);
	lrvm_unuse();
	return ret;
}

/**
 * lrvm_unmap_all() - unmap every region (rvm_terminate())
 *
 * The caller holds lrvm.life for writing: no transaction runs.
 */
void lrvm_unmap_all(void)
{
	struct lrvm_map *m;

	while ((m = lrvm.maps) != NULL) {
		lrvm.maps = m->next;
		if (rvm_region_unmap(lrvm.rvm, (void *)m->addr, m->len))
			munmap((void *)m->addr, m->len);
		free(m);
	}
}
