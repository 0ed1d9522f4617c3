/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file rvm_segment.h
 * @brief librvm: the classic RVM segment loader.
 *
 * A convenience layer over <rvm/rvm.h>, as in the original RVM library: a
 * segment (a data device or file) starts with a one-page header that lists
 * the segment's regions, each with the address it is to be mapped at.
 * rvm_create_segment() writes such a header; rvm_load_segment() reads it
 * and maps every region at its address, so that pointers stored in
 * recoverable memory stay valid from one run to the next.
 *
 * Segment layout:
 *
 *	offset 0                    the header (RVM_SEGMENT_HDR_SIZE bytes)
 *	offset RVM_SEGMENT_HDR_SIZE the regions, one after the other, each a
 *	                            whole number of pages
 *
 * The format of the header itself is librvm's own.
 *
 * RVM must be running (rvm_initialize(), with a log) before any of these
 * calls.
 */
#ifndef RVM_RVM_SEGMENT_H
#define RVM_RVM_SEGMENT_H

#include <rvm/rvm.h>

#ifdef __cplusplus
extern "C" {
#endif

/** RVM_SEGMENT_HDR_SIZE - size of the segment header: one page. */
#define RVM_SEGMENT_HDR_SIZE RVM_PAGE_SIZE

/**
 * RVM_ESEGMENT_HDR - return code: the segment header is invalid (not a
 * segment header, or one that does not fit its device). rvm_return()
 * knows its name.
 */
#define RVM_ESEGMENT_HDR 2000

/**
 * rvm_region_def_t - one region of a segment.
 * @offset: where the region starts in the segment; a multiple of the page
 *	size, at least RVM_SEGMENT_HDR_SIZE
 * @length: its length in bytes; a multiple of the page size
 * @vmaddr: the address it is mapped at; a multiple of the page size
 */
typedef struct {
	rvm_offset_t offset;
	rvm_length_t length;
	char *vmaddr;
} rvm_region_def_t;

/** RVM_INIT_REGION() - fill the rvm_region_def_t lvalue @r. */
#define RVM_INIT_REGION(r, off, len, addr) \
	do { \
		(r).offset = (off); \
		(r).length = (len); \
		(r).vmaddr = (addr); \
	} while (0)

/**
 * rvm_create_segment() - write a segment header.
 * @dev: the segment: a block device or a regular file
 * @devlen: the segment's length; 0 for the size of the device or file
 * @opts: options, or NULL (passed to rvm_map())
 * @nregions: the number of regions, at least 1
 * @defs: @nregions region definitions
 *
 * Maps the header, writes the region list into it in one flush-mode
 * transaction, and unmaps it. The regions' contents are not touched.
 * As in the original, the regions are laid out one after another after
 * the header page, in the order of @defs: the offsets in @defs are not
 * used (and not changed); rvm_load_segment() reports where they went.
 * The regions must fit in the segment and in the header's list.
 *
 * Return:
 * * RVM_SUCCESS - the header is written
 * * RVM_EREGION_DEF - @defs is NULL, @nregions is 0 or too many, or a
 *   length or vmaddr is not page-aligned, or the regions extend past
 *   @devlen
 * * any code of rvm_map(), rvm_begin_transaction(), rvm_set_range(),
 *   rvm_end_transaction() or rvm_unmap()
 */
rvm_return_t rvm_create_segment(char *dev, rvm_offset_t devlen,
				rvm_options_t *opts, rvm_length_t nregions,
				rvm_region_def_t *defs);

/**
 * rvm_load_segment() - map every region of a segment.
 * @dev: the segment
 * @devlen: the segment's length; 0 for the size of the device or file
 * @opts: options, or NULL (passed to rvm_map())
 * @nregions: out: the number of regions
 * @regions: out: an array of *@nregions definitions, allocated with
 *	malloc(3); release it with rvm_release_segment()
 *
 * Reads the header and maps each region at the address it lists.
 *
 * Return:
 * * RVM_SUCCESS - every region is mapped
 * * RVM_ESEGMENT_HDR - @dev has no valid segment header
 * * RVM_ENO_MEMORY - out of memory
 * * any code of rvm_map()
 */
rvm_return_t rvm_load_segment(char *dev, rvm_offset_t devlen,
			      rvm_options_t *opts, unsigned long *nregions,
			      rvm_region_def_t **regions);

/**
 * rvm_release_segment() - unmap a loaded segment and free its list.
 * @nregions: the count rvm_load_segment() returned
 * @regions: the address of the array rvm_load_segment() returned; set to
 *	NULL
 *
 * Unmaps every region, then frees the array.
 *
 * Return:
 * * RVM_SUCCESS - done
 * * RVM_EREGION_DEF - @regions or *@regions is NULL
 * * any code of rvm_unmap(), RVM_EUNCOMMIT in particular
 */
rvm_return_t rvm_release_segment(unsigned long nregions,
				 rvm_region_def_t **regions);

#ifdef __cplusplus
}
#endif

#endif /* RVM_RVM_SEGMENT_H */
