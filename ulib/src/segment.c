// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librvm: the classic segment loader (<rvm/rvm_segment.h>):
 * rvm_create_segment(), rvm_load_segment(), rvm_release_segment(), built
 * on the classic calls as in the original library.
 *
 * The segment header, one page at offset 0 of the segment, written inside
 * a flush-mode transaction; all fields little-endian:
 *
 *	offset	size
 *	0	8	magic		"RVMSEGHD" (LRVM_SEGHDR_MAGIC)
 *	8	4	version		LRVM_SEGHDR_VERSION (1)
 *	12	4	nregions	1..LRVM_SEGHDR_MAX(page)
 *	16	8	seg_len		the segment's length when created
 *					(devlen, or the extent of the regions)
 *	24	4	crc		~crc32c(~0) of the header (crc 0) and
 *					the region list
 *	28	4	pad		0
 *	32	...	regions, 24 bytes each: offset (8), length (8),
 *			vmaddr (8)
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rvm/rvm_segment.h>

#include "classic_impl.h"

#define LRVM_SEGHDR_MAGIC	0x44484745534d5652ULL	/* "RVMSEGHD" */
#define LRVM_SEGHDR_VERSION	1
#define LRVM_SEGHDR_SIZE	32
#define LRVM_SEGHDR_ENT		24

/* kshim's crc32c(), exported by librvm (crc32c.c) */
uint32_t crc32c(uint32_t crc, const void *buf, unsigned int len);

struct lrvm_seghdr {
	uint64_t magic;
	uint32_t version;
	uint32_t nregions;
	uint64_t seg_len;
	uint32_t crc;
	uint32_t pad;
};

_Static_assert(sizeof(struct lrvm_seghdr) == LRVM_SEGHDR_SIZE,
	       "segment header layout");

static rvm_length_t lrvm_seghdr_max(void)
{
	return (RVM_SEGMENT_HDR_SIZE - LRVM_SEGHDR_SIZE) / LRVM_SEGHDR_ENT;
}

static uint32_t lrvm_seghdr_crc(const unsigned char *page, uint32_t n)
{
	struct lrvm_seghdr h;
	uint32_t crc;

	memcpy(&h, page, sizeof(h));
	h.crc = 0;
	crc = crc32c(~0U, &h, sizeof(h));
	return ~crc32c(crc, page + LRVM_SEGHDR_SIZE, n * LRVM_SEGHDR_ENT);
}

static void lrvm_seg_put(unsigned char *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static uint64_t lrvm_seg_get(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/* The offset of a definition already checked to fit in 64 bits. */
static uint64_t lrvm_def_off(const rvm_region_def_t *d)
{
	uint64_t off = 0;

	rvm_classic_off_to_u64(&d->offset, &off);
	return off;
}

/*
 * Check region definitions: page-aligned, after the header, not
 * overlapping, inside @devlen (if not 0). Sets *@extent to the end of
 * the last one.
 */
static rvm_return_t lrvm_check_defs(rvm_length_t n, const rvm_region_def_t *d,
				    uint64_t devlen, uint64_t *extent)
{
	rvm_length_t page = RVM_PAGE_SIZE, i, j;
	uint64_t off, end, o2;

	*extent = RVM_SEGMENT_HDR_SIZE;
	for (i = 0; i < n; i++) {
		if (!rvm_classic_off_to_u64(&d[i].offset, &off) ||
		    off % page || off < RVM_SEGMENT_HDR_SIZE ||
		    !d[i].length || d[i].length % page ||
		    (uintptr_t)d[i].vmaddr % page ||
		    off > UINT64_MAX - d[i].length)
			return RVM_EREGION_DEF;
		end = off + d[i].length;
		if (devlen && end > devlen)
			return RVM_EREGION_DEF;
		for (j = 0; j < i; j++) {
			o2 = lrvm_def_off(&d[j]);
			if (o2 < end && off < o2 + d[j].length)
				return RVM_EREGION_DEF;
		}
		if (end > *extent)
			*extent = end;
	}
	return RVM_SUCCESS;
}

/* A region descriptor for [off, off + len) of @dev. */
static void lrvm_seg_region(rvm_region_t *r, char *dev, uint64_t devlen,
			    uint64_t off, rvm_length_t len, char *vmaddr)
{
	rvm_init_region(r);
	r->data_dev = dev;
	r->dev_length = rvm_classic_u64_to_off(devlen);
	r->offset = rvm_classic_u64_to_off(off);
	r->length = len;
	r->vmaddr = vmaddr;
}

rvm_return_t rvm_create_segment(char *dev, rvm_offset_t devlen,
				rvm_options_t *opts, rvm_length_t nregions,
				rvm_region_def_t *defs)
{
	rvm_length_t page = RVM_SEGMENT_HDR_SIZE, i;
	uint64_t dlen, extent, next;
	rvm_region_def_t *lay;
	unsigned char *hdr;
	struct lrvm_seghdr h;
	rvm_region_t reg;
	rvm_tid_t tid;
	rvm_return_t ret, ret2;
	struct stat st;

	if (!defs || !nregions || nregions > lrvm_seghdr_max())
		return RVM_EREGION_DEF;
	if (!rvm_classic_off_to_u64(&devlen, &dlen))
		return RVM_EREGION_DEF;
	/*
	 * As the original: the regions go one after another after the
	 * header page; the offsets the caller passed are not used (nor
	 * changed).
	 */
	lay = calloc(nregions, sizeof(*lay));
	if (!lay)
		return RVM_ENO_MEMORY;
	next = RVM_SEGMENT_HDR_SIZE;
	for (i = 0; i < nregions; i++) {
		lay[i] = defs[i];
		lay[i].offset = rvm_classic_u64_to_off(next);
		if (next > UINT64_MAX - defs[i].length) {
			free(lay);
			return RVM_EREGION_DEF;
		}
		next += defs[i].length;
	}
	defs = lay;
	ret = lrvm_check_defs(nregions, defs, dlen, &extent);
	if (ret)
		goto out_free;
	/*
	 * devlen 0: the size of the file, and at least the regions' extent,
	 * so that a segment created by this first map holds them all.
	 */
	if (!dlen) {
		dlen = extent;
		if (dev && !stat(dev, &st) && S_ISREG(st.st_mode) &&
		    (uint64_t)st.st_size > dlen)
			dlen = st.st_size;
	}

	lrvm_seg_region(&reg, dev, dlen, 0, page, NULL);
	ret = rvm_map(&reg, opts);
	if (ret)
		goto out_free;
	hdr = (unsigned char *)reg.vmaddr;

	rvm_init_tid(&tid);
	ret = rvm_begin_transaction(&tid, restore);
	if (ret)
		goto out_unmap;
	ret = rvm_set_range(&tid, hdr, page);
	if (ret) {
		rvm_abort_transaction(&tid);
		goto out_unmap;
	}
	memset(hdr, 0, page);
	for (i = 0; i < nregions; i++) {
		unsigned char *e = hdr + LRVM_SEGHDR_SIZE + i * LRVM_SEGHDR_ENT;

		lrvm_seg_put(e, lrvm_def_off(&defs[i]));
		lrvm_seg_put(e + 8, defs[i].length);
		lrvm_seg_put(e + 16, (uintptr_t)defs[i].vmaddr);
	}
	memset(&h, 0, sizeof(h));
	h.magic = htole64(LRVM_SEGHDR_MAGIC);
	h.version = htole32(LRVM_SEGHDR_VERSION);
	h.nregions = htole32((uint32_t)nregions);
	h.seg_len = htole64(dlen);
	memcpy(hdr, &h, sizeof(h));
	h.crc = htole32(lrvm_seghdr_crc(hdr, nregions));
	memcpy(hdr, &h, sizeof(h));
	ret = rvm_end_transaction(&tid, flush);
	if (ret)
		rvm_abort_transaction(&tid);
out_unmap:
	ret2 = rvm_unmap(&reg);
	if (!ret)
		ret = ret2;
out_free:
	free(lay);
	return ret;
}

/* Read and check the header at @hdr; a malloc'd list of the regions. */
static rvm_return_t lrvm_read_hdr(const unsigned char *hdr, uint64_t devlen,
				  unsigned long *nregions,
				  rvm_region_def_t **regions)
{
	struct lrvm_seghdr h;
	rvm_region_def_t *d;
	uint64_t extent;
	uint32_t n, i;

	memcpy(&h, hdr, sizeof(h));
	n = le32toh(h.nregions);
	if (le64toh(h.magic) != LRVM_SEGHDR_MAGIC ||
	    le32toh(h.version) != LRVM_SEGHDR_VERSION ||
	    !n || n > lrvm_seghdr_max() ||
	    le32toh(h.crc) != lrvm_seghdr_crc(hdr, n))
		return RVM_ESEGMENT_HDR;
	d = calloc(n, sizeof(*d));
	if (!d)
		return RVM_ENO_MEMORY;
	for (i = 0; i < n; i++) {
		const unsigned char *e = hdr + LRVM_SEGHDR_SIZE +
					 i * LRVM_SEGHDR_ENT;
		uint64_t len = lrvm_seg_get(e + 8);

		d[i].offset = rvm_classic_u64_to_off(lrvm_seg_get(e));
		d[i].length = (rvm_length_t)len;
		d[i].vmaddr = (char *)(uintptr_t)lrvm_seg_get(e + 16);
		if (d[i].length != len)
			goto bad;
	}
	if (lrvm_check_defs(n, d, devlen ? devlen : le64toh(h.seg_len),
			    &extent))
		goto bad;
	*nregions = n;
	*regions = d;
	return RVM_SUCCESS;
bad:
	free(d);
	return RVM_ESEGMENT_HDR;
}

rvm_return_t rvm_load_segment(char *dev, rvm_offset_t devlen,
			      rvm_options_t *opts, unsigned long *nregions,
			      rvm_region_def_t **regions)
{
	rvm_region_t reg, *maps;
	rvm_region_def_t *d = NULL;
	unsigned long n = 0, i;
	rvm_return_t ret, ret2;
	uint64_t dlen;

	if (!nregions || !regions)
		return RVM_EREGION_DEF;
	if (!rvm_classic_off_to_u64(&devlen, &dlen))
		return RVM_ESEGMENT_HDR;

	/* A name the volume does not know has no header: create nothing. */
	lrvm_seg_region(&reg, dev, dlen, 0, RVM_SEGMENT_HDR_SIZE, NULL);
	ret = lrvm_map(&reg, opts, LRVM_MAP_NOCREATE);
	if (ret == RVM_EOFFSET)
		return RVM_ESEGMENT_HDR;
	if (ret)
		return ret;
	ret = lrvm_read_hdr((unsigned char *)reg.vmaddr, dlen, &n, &d);
	ret2 = rvm_unmap(&reg);
	if (!ret && ret2) {
		free(d);
		ret = ret2;
	}
	if (ret)
		return ret;

	maps = calloc(n, sizeof(*maps));
	if (!maps) {
		free(d);
		return RVM_ENO_MEMORY;
	}
	for (i = 0; i < n; i++) {
		lrvm_seg_region(&maps[i], dev, dlen, lrvm_def_off(&d[i]),
				d[i].length, d[i].vmaddr);
		ret = rvm_map(&maps[i], opts);
		if (ret)
			break;
		d[i].vmaddr = maps[i].vmaddr;
	}
	if (ret) {
		while (i--)
			rvm_unmap(&maps[i]);
		free(maps);
		free(d);
		return ret;
	}
	free(maps);
	*nregions = n;
	*regions = d;
	return RVM_SUCCESS;
}

rvm_return_t rvm_release_segment(unsigned long nregions,
				 rvm_region_def_t **regions)
{
	rvm_region_def_t *d;
	rvm_options_t q;
	rvm_region_t reg;
	rvm_return_t ret, first = RVM_SUCCESS;
	unsigned long i;

	if (!regions || !*regions)
		return RVM_EREGION_DEF;
	d = *regions;

	/* Refuse, changing nothing, while a transaction has ranges in one. */
	rvm_init_options(&q);
	for (i = 0; i < nregions; i++) {
		lrvm_seg_region(&reg, NULL, 0, 0, d[i].length, d[i].vmaddr);
		ret = rvm_query(&q, &reg);
		free(q.tid_array);
		q.tid_array = NULL;
		if (ret == RVM_SUCCESS && q.n_uncommit)
			return RVM_EUNCOMMIT;
		if (ret != RVM_SUCCESS && ret != RVM_ENOT_MAPPED)
			return ret;
	}
	for (i = 0; i < nregions; i++) {
		lrvm_seg_region(&reg, NULL, 0, 0, d[i].length, d[i].vmaddr);
		ret = rvm_unmap(&reg);
		if (ret && !first)
			first = ret;
	}
	if (first)
		return first;
	free(d);
	*regions = NULL;
	return RVM_SUCCESS;
}
