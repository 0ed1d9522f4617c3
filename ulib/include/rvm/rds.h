/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file rds.h
 * @brief librds: RDS, the recoverable dynamic storage of the classic RVM
 * library: a heap in recoverable memory.
 *
 * Programs of the original RVM library keep their persistent data in an
 * RDS heap: they allocate and free recoverable memory inside RVM
 * transactions. This header has the interface of the original (names,
 * types, values, semantics); the heap's layout and algorithms are
 * librds's own, described below. Link with -lrds -lrvm (or -lrdspt
 * -lrvmpt, the same libraries).
 *
 * Segment
 * -------
 * rds_zap_heap() (the rdsinit tool) makes a segment of the segment loader
 * (<rvm/rvm_segment.h>) with two regions, laid out after its header page:
 *
 *	region 0: the heap,   heapLength bytes,   mapped at startAddr
 *	region 1: the static, staticLength bytes, mapped at startAddr +
 *	          heapLength (the program's own fixed data: its roots)
 *
 * (both lengths rounded up to pages). rds_load_heap() loads the segment,
 * maps both regions at their addresses and starts the heap.
 *
 * Heap layout
 * -----------
 * All words are unsigned 64-bit, in the machine's byte order; positions
 * are byte offsets from the heap's start (0 is "none").
 *
 *	0	magic		RDS_HEAP_MAGIC ("RDSHEAP1")
 *	8	version		RDS_HEAP_VERSION
 *	16	chunk		bytes in a chunk (chunkSize)
 *	24	nlists		free lists
 *	32	length		bytes of the heap
 *	40	area		offset of the first block (the header's end,
 *				rounded up to a chunk)
 *	48	nchunks		chunks in the block area
 *	56	free_chunks	chunks in free blocks
 *	64	alloc_chunks	chunks in allocated blocks
 *	72	reserved	0
 *	80	lists[nlists]	the head of each free list
 *
 * The block area, from @area to @area + @nchunks * @chunk, is a sequence
 * of blocks that covers it exactly. A block is a whole number of chunks:
 *
 *	+0	guard		RDS_GUARD_ALLOC or RDS_GUARD_FREE
 *	+8	size		the block's length in chunks
 *	+16	user bytes	(free block: next, prev on its free list)
 *	end-16	size		the same size again
 *	end-8	guard		RDS_GUARD_TAIL
 *
 * rds_malloc() returns the address of the user bytes (block + 16, 8-byte
 * aligned: the chunk size is a multiple of 8). A block of n chunks holds
 * n * chunk - 32 user bytes and is at least 48 bytes long (room for the
 * free-list links). The two guards and the two sizes are the block
 * guards: rds_free() checks them all before it changes anything.
 *
 * Free lists: nlists doubly-linked lists; list i (0 .. nlists-2) holds the
 * free blocks of exactly i + 1 chunks, the last one (the large list) every
 * free block of nlists chunks or more. New free blocks go to the head.
 *
 * rds_malloc(size) needs n chunks (size + 32, rounded up, and at least
 * the minimum block): it takes the head of list n-1 if n is a small size
 * (a hit), else the first block of the large list that is big enough,
 * else a block of a bigger small list (misses). A block bigger than
 * needed is split when the rest makes a block of its own: the front is
 * allocated, the rest goes to its free list. If no block is big enough,
 * a coalescing pass merges every run of adjacent free blocks (which
 * rds_prealloc() leaves) and the search runs once more; then ENO_ROOM.
 *
 * rds_free() coalesces at once: the block is merged with a free neighbour
 * on either side (found through the size after it, and the tail size
 * before it), and the result goes to its list. The header of a block
 * absorbed by a merge keeps its RDS_GUARD_FREE: freeing it again is
 * EFREED_TWICE.
 *
 * Transactions
 * ------------
 * Every byte of the heap a call changes is declared with rvm_set_range()
 * in a transaction before it is changed, so the heap is always exactly as
 * the committed transactions left it: after a crash, RVM's recovery
 * gives back a heap in which no block is leaked and none owned twice.
 *
 *  - With a @tid, the call's changes are part of the caller's transaction
 *    and are committed or aborted with it; the caller serialises the
 *    transactions that use the heap (an aborted transaction restores the
 *    free lists as they were when it began).
 *  - With @tid NULL, the call runs its own restore transaction and ends it
 *    no_flush (as the original); on an error it aborts it: nothing changed.
 *  - Every check (arguments, guards, double frees, room) is made before
 *    the first change: an error other than an RVM code changes nothing.
 *    An RVM code (a positive RVM_E* value: an RVM call such as
 *    rvm_set_range() failed midway) with a @tid means the caller must
 *    abort its transaction; with @tid NULL, librds aborted its own.
 *  - rds_fake_free() only records; rds_do_free() frees every recorded
 *    block in one transaction of its own, ended in the mode given: if any
 *    of them is bad, it aborts and nothing is freed. A program that
 *    decides the frees in a transaction calls rds_do_free() only once that
 *    transaction committed; if it aborted, it discards the list.
 *
 * Threads: every call holds one lock of the library while it runs.
 *
 * Return values: the int calls return their error code (SUCCESS, 0, or a
 * negative code below, or RVM's code); the code is also stored in *err.
 * Statistics are counters of this process (not recoverable), except
 * freebytes and mallocbytes, which come from the heap header.
 */
#ifndef RVM_RDS_H
#define RVM_RDS_H

#include <stdio.h>

#include "rvm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes (rvm_return_t values of a failed RVM call pass through). */
#define SUCCESS			0
#define ERVM_FAILED		-1	/* an RVM call failed */
#define EBAD_LIST		-2	/* a free list is damaged */
#define EBAD_SEGMENT_HDR	-3	/* no valid heap (or segment) there */
#define EHEAP_VERSION_SKEW	-4	/* the heap has another version */
#define EHEAP_INIT		-5	/* the heap is not started */
#define EBAD_ARGS		-6	/* a bad argument or pointer */
#define ECORRUPT		-7	/* a block's guards are damaged */
#define EFREED_TWICE		-8	/* the block is free already */
#define ENO_ROOM		-9	/* no free block big enough */

/* The heap format (see above). */
#define RDS_HEAP_MAGIC		0x3150414548534452ULL	/* "RDSHEAP1" */
#define RDS_HEAP_VERSION	1ULL
#define RDS_GUARD_ALLOC		0xa110c8edb10cda7aULL
#define RDS_GUARD_FREE		0xf4eeb10cf4eeb10cULL
#define RDS_GUARD_TAIL		0x7a11b10c7a11b10cULL

/**
 * rds_zap_heap() - make a new segment holding a heap and a static region.
 * @DevName: the data segment (as data_dev of rvm_map())
 * @DevLength: its length; 0 for the size of the file (and at least what
 *	the regions need)
 * @startAddr: where the heap is mapped (page-aligned); the static region
 *	follows it
 * @staticLength: bytes of the static region (rounded up to pages)
 * @heapLength: bytes of the heap (rounded up to pages)
 * @nlists: free lists (at least 2)
 * @chunkSize: bytes of a chunk (a multiple of 8, at least 8)
 * @err: out: the error code
 *
 * RVM must be running with a log. Writes the segment header
 * (rvm_create_segment()), maps the segment and formats the heap in one
 * flush transaction, then unmaps the segment. The static region keeps the
 * segment's bytes (zeros for a new segment).
 *
 * Return: SUCCESS; EBAD_ARGS; or an RVM code of the segment loader, of
 * rvm_map() or of a transaction call.
 */
int rds_zap_heap(char *DevName, rvm_offset_t DevLength, char *startAddr,
		 rvm_length_t staticLength, rvm_length_t heapLength,
		 unsigned long nlists, unsigned long chunkSize, int *err);

/**
 * rds_init_heap() - format a heap in mapped recoverable memory.
 * @base: the heap's first byte (8-byte aligned)
 * @length: its length in bytes
 * @chunkSize: bytes of a chunk (a multiple of 8, at least 8)
 * @nlists: free lists (at least 2, at most RDS_MAX_LISTS)
 * @tid: a running transaction, or NULL for one of its own
 * @err: out: the error code
 *
 * The heap is one free block; it is not started (rds_start_heap()).
 *
 * Return: SUCCESS; EBAD_ARGS (too small, bad sizes, or the heap in use);
 * an RVM code.
 */
int rds_init_heap(char *base, rvm_length_t length, unsigned long chunkSize,
		  unsigned long nlists, rvm_tid_t *tid, int *err);

/** RDS_MAX_LISTS - the most free lists a heap may have. */
#define RDS_MAX_LISTS		65536

/**
 * rds_load_heap() - load a segment made by rds_zap_heap() and start its heap.
 * @DevName: the data segment
 * @DevLength: its length, or 0
 * @staticAddr: out: the address of the static region
 * @err: out: the error code
 *
 * Return: SUCCESS; EBAD_ARGS; EBAD_SEGMENT_HDR, EHEAP_VERSION_SKEW (as
 * rds_start_heap()); or an RVM code of rvm_load_segment().
 */
int rds_load_heap(char *DevName, rvm_offset_t DevLength, char **staticAddr,
		  int *err);

/**
 * rds_start_heap() - start the heap formatted at @startAddr.
 * @startAddr: the heap's first byte, mapped
 * @err: out: the error code
 *
 * Return: SUCCESS (also if that heap is started already); EBAD_ARGS
 * (another heap is started); EBAD_SEGMENT_HDR (no valid heap header
 * there); EHEAP_VERSION_SKEW (a heap of another version).
 */
int rds_start_heap(char *startAddr, int *err);

/**
 * rds_stop_heap() - stop the heap (its memory stays mapped).
 * @err: out: the error code
 *
 * Return: SUCCESS, or EHEAP_INIT if no heap is started.
 */
int rds_stop_heap(int *err);

/**
 * rds_unload_heap() - stop the heap rds_load_heap() loaded and unmap its
 * segment (rvm_release_segment()).
 * @err: out: the error code
 *
 * Return: SUCCESS; EHEAP_INIT (no heap loaded); an RVM code
 * (RVM_EUNCOMMIT: a transaction has ranges in the segment; still loaded).
 */
int rds_unload_heap(int *err);

/**
 * rds_malloc() - allocate recoverable memory from the heap.
 * @size: bytes wanted (0 gives the smallest block)
 * @tid: the caller's running transaction, or NULL for one of its own
 * @err: out: the error code
 *
 * Return: the address of @size usable bytes (8-byte aligned; their
 * contents are whatever the block held), or NULL: *err is EHEAP_INIT,
 * ENO_ROOM, or an RVM code.
 */
char *rds_malloc(unsigned long size, rvm_tid_t *tid, int *err);

/**
 * rds_free() - free a block of rds_malloc().
 * @addr: the address rds_malloc() returned
 * @tid: the caller's running transaction, or NULL for one of its own
 * @err: out: the error code
 *
 * Return: SUCCESS; EHEAP_INIT; EBAD_ARGS (@addr is not the address of a
 * block of the heap); EFREED_TWICE (the block is free); ECORRUPT (its
 * guards are damaged: nothing changed); an RVM code.
 */
int rds_free(char *addr, rvm_tid_t *tid, int *err);

/**
 * intentionList_t - blocks to free once the deciding transaction commits.
 * @size: room in @table
 * @count: entries used
 * @table: the addresses (malloc(3)'d by rds_fake_free())
 *
 * Start with all fields 0 (or a table of @size from malloc(3)).
 */
typedef struct intlist {
	unsigned long size;
	unsigned long count;
	char **table;
} intentionList_t;

/** STARTSIZE - the first size of an intention list's table. */
#define STARTSIZE 128

/**
 * rds_fake_free() - record the intention to free @addr.
 * @addr: a block of rds_malloc()
 * @list: the intention list
 *
 * Changes nothing in the heap.
 *
 * Return: SUCCESS; EHEAP_INIT; EBAD_ARGS, EFREED_TWICE, ECORRUPT (as
 * rds_free(): not recorded); ERVM_FAILED (out of memory).
 */
int rds_fake_free(char *addr, intentionList_t *list);

/**
 * rds_do_free() - free every block of an intention list.
 * @list: the list
 * @mode: flush or no_flush: how its transaction ends
 *
 * All in one restore transaction of its own. On SUCCESS the list is
 * emptied (its table freed, all fields 0). On an error the transaction is
 * aborted, nothing is freed, and the list is left as it was.
 *
 * Return: SUCCESS; EHEAP_INIT; EBAD_ARGS (@list or @mode bad, or an entry
 * is not a block); EFREED_TWICE (an entry is free, or listed twice);
 * ECORRUPT; an RVM code.
 */
int rds_do_free(intentionList_t *list, rvm_mode_t mode);

/**
 * rds_prealloc() - put blocks of a size on their free list ahead of use.
 * @size: bytes of each block (as for rds_malloc())
 * @nblocks: how many
 * @tid: the caller's running transaction, or NULL for one of its own
 * @err: out: the error code
 *
 * Carves the blocks from bigger free blocks; they stay free, so the free
 * byte count does not change.
 *
 * Return: SUCCESS; EHEAP_INIT; ENO_ROOM (not enough room: with a @tid,
 * the blocks carved so far stay in the transaction, a valid heap either
 * way); an RVM code.
 */
int rds_prealloc(unsigned long size, unsigned long nblocks, rvm_tid_t *tid,
		 int *err);

/**
 * rds_maxblock() - can a block of @size bytes be allocated now?
 * @size: bytes
 *
 * Counts the runs of adjacent free blocks that rds_malloc() would merge.
 *
 * Return: 1 if rds_malloc(@size) would find room, 0 if not (or if no heap
 * is started).
 */
int rds_maxblock(unsigned long size);

/**
 * rds_stats_t - counters of this process's heap calls.
 * @malloc: rds_malloc() calls that succeeded
 * @prealloc: rds_prealloc() calls that succeeded
 * @free: blocks freed
 * @coalesce: coalescing passes
 * @hits: small allocations served from their exact list
 * @misses: small allocations that had to split a bigger block
 * @large_list: allocations of the large list's sizes
 * @large_hits: large allocations served without a coalescing pass
 * @large_misses: large allocations that needed a coalescing pass
 * @merged: frees that merged with a neighbour
 * @unmerged: frees that did not
 * @freebytes: bytes in free blocks now (from the heap)
 * @mallocbytes: bytes in allocated blocks now (from the heap)
 */
typedef struct {
	unsigned malloc;
	unsigned prealloc;
	unsigned free;
	unsigned coalesce;
	unsigned hits;
	unsigned misses;
	unsigned large_list;
	unsigned large_hits;
	unsigned large_misses;
	unsigned merged;
	unsigned unmerged;
	unsigned freebytes;
	unsigned mallocbytes;
} rds_stats_t;

/** rds_get_stats() - Return: SUCCESS, EBAD_ARGS (NULL), EHEAP_INIT. */
int rds_get_stats(rds_stats_t *stats);
/** rds_clear_stats() - zero the counters. Return: SUCCESS or EHEAP_INIT. */
int rds_clear_stats(int *err);
/** rds_print_stats() - print the counters on stdout. Return: as above. */
int rds_print_stats(void);

/* Tracing: RDS_LOG() prints to rds_tracing_file while rds_tracing is on. */
extern int rds_tracing;
extern FILE *rds_tracing_file;

#define RDS_LOG(...) \
	do { \
		if (rds_tracing && rds_tracing_file) { \
			fprintf(rds_tracing_file, __VA_ARGS__); \
			fflush(rds_tracing_file); \
		} \
	} while (0)

/** rds_trace_on() - trace every call to @file. Return: SUCCESS/EBAD_ARGS. */
int rds_trace_on(FILE *file);
/** rds_trace_off() - stop tracing. Return: SUCCESS. */
int rds_trace_off(void);
/**
 * rds_trace_dump_heap() - write every block and free list to the tracing
 * file (stdout if none). Return: SUCCESS or EHEAP_INIT.
 */
int rds_trace_dump_heap(void);

/*
 * librds extension: checking the heap (not in the classic interface).
 */

/**
 * rds_check_t - what rds_check_heap() found.
 * @blocks: blocks in the block area
 * @free_blocks: of them free
 * @alloc_blocks: of them allocated
 * @free_bytes: bytes in free blocks
 * @alloc_bytes: bytes in allocated blocks
 * @listed: free blocks found on the free lists
 */
typedef struct {
	unsigned long blocks;
	unsigned long free_blocks;
	unsigned long alloc_blocks;
	unsigned long free_bytes;
	unsigned long alloc_bytes;
	unsigned long listed;
} rds_check_t;

/**
 * rds_check_heap() - check the whole heap.
 * @out: out: the counts (may be NULL)
 * @err: out: the error code
 *
 * Walks the block area (every guard and size) and every free list: each
 * free block must be on the list of its size exactly once, each listed
 * block a free block, the links consistent, and the header's counters
 * equal to the sums. Changes nothing.
 *
 * Return: SUCCESS; EHEAP_INIT; ECORRUPT (a block); EBAD_LIST (a list or a
 * counter); ERVM_FAILED (out of memory).
 */
int rds_check_heap(rds_check_t *out, int *err);

/**
 * rds_is_allocated() - is @addr a block of rds_malloc() not freed yet?
 * @addr: an address
 *
 * Return: 1 if @addr is the address of an allocated block with sound
 * guards, 0 otherwise (or if no heap is started).
 */
int rds_is_allocated(char *addr);

#ifdef __cplusplus
}
#endif

#endif /* RVM_RDS_H */
