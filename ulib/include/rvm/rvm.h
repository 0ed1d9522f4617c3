/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file rvm.h
 * @brief librvm: the classic RVM C interface (interface version 1.3).
 *
 * Recoverable virtual memory (Satyanarayanan et al., "Lightweight
 * Recoverable Virtual Memory", SOSP 1993). A process maps regions of data
 * segments into its address space; changes to them are made inside
 * transactions and survive crashes: after any crash each transaction's
 * changes are in the recovered data either entirely or not at all.
 *
 * This header is the interface of the original RVM library as shipped with
 * Coda, so that programs written for it build unchanged against
 * `<rvm/rvm.h>` and `-lrvm`: the names, types, values and semantics are the
 * classic ones. The implementation is librvm's own: the library talks to
 * the kernel module behind /dev/rvm, which keeps the log and the mapped
 * pages. The log device (the volume, which holds the log and the data)
 * may be a block device or a regular file (librvm attaches regular files
 * through loop devices); data devices name segments of the volume (see
 * rvm_map()).
 *
 * Reading this header
 * -------------------
 * Every call is documented where it is declared, with the return codes it
 * can give. All calls return an ::rvm_return_t: RVM_SUCCESS (0) or one of
 * the RVM_E* codes below; rvm_return() gives a code's name. When a call
 * fails with RVM_EIO, errno tells which system call failed and why.
 *
 * A typical program:
 *
 *	rvm_options_t *opts = rvm_malloc_options();
 *	rvm_region_t *reg = rvm_malloc_region();
 *	rvm_tid_t *tid = rvm_malloc_tid();
 *
 *	opts->log_dev = "/var/lib/app/log";
 *	if (RVM_INIT(opts) != RVM_SUCCESS) ...
 *	reg->data_dev = "/var/lib/app/data";
 *	reg->offset = RVM_MK_OFFSET(0, 0);
 *	reg->length = 16 * RVM_PAGE_SIZE;
 *	if (rvm_map(reg, NULL) != RVM_SUCCESS) ...
 *
 *	rvm_begin_transaction(tid, restore);
 *	rvm_set_range(tid, reg->vmaddr, 64);
 *	memcpy(reg->vmaddr, "hello", 6);
 *	rvm_end_transaction(tid, flush);
 *
 *	rvm_unmap(reg);
 *	rvm_terminate();
 *
 * Threads: librvm's calls may be made from several threads at once. As in
 * the original, RVM gives no isolation: serialising transactions that
 * touch the same bytes is the application's job.
 */
#ifndef RVM_RVM_H
#define RVM_RVM_H

#include <sys/param.h>		/* MAXPATHLEN: programs of the original rely
				 * on it coming with this header */
#include <sys/time.h>		/* struct timeval, in rvm_tid_t */

/* The original header defined these; programs use them without defining. */
#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * ===========================================================================
 * Version
 * ===========================================================================
 */

/**
 * RVM_VERSION - the interface version string.
 *
 * rvm_initialize() compares its first argument with this string and fails
 * with RVM_EVERSION_SKEW if they differ; RVM_INIT() passes it for you.
 */
#define RVM_VERSION "RVM Interface Version 1.3  7 Mar 1994"

/** RVM_VERSION_MAX - the longest version string, including its NUL. */
#define RVM_VERSION_MAX 128

/*
 * ===========================================================================
 * Basic types
 * ===========================================================================
 */

/** rvm_bool_t - RVM's boolean. */
typedef enum {
	rvm_false = 0,
	rvm_true = 1
} rvm_bool_t;

/**
 * rvm_struct_id_t - identifies a descriptor.
 *
 * The first field of every descriptor holds its id; the rvm_init_*()
 * functions set it and calls check it (a descriptor with the wrong id gets
 * RVM_ETID, RVM_EOPTIONS, RVM_EREGION or RVM_ESTATISTICS). Never change it.
 * rvm_type() gives an id's name.
 */
typedef enum {
	rvm_first_struct_id = 39,	/* bound, not an id */
	rvm_region_id,			/* 40: rvm_region_t */
	rvm_options_id,			/* 41: rvm_options_t */
	rvm_tid_id,			/* 42: rvm_tid_t */
	rvm_statistics_id,		/* 43: rvm_statistics_t */
	rvm_last_struct_id		/* 44: bound, not an id */
} rvm_struct_id_t;

/**
 * rvm_mode_t - transaction modes.
 *
 * @restore and @no_restore are begin modes (rvm_begin_transaction()),
 * @flush and @no_flush are end modes (rvm_end_transaction()).
 * rvm_mode() gives a mode's name.
 */
typedef enum {
	rvm_first_mode = 139,		/* bound, not a mode */
	restore,			/* 140: abort puts the old values back */
	no_restore,			/* 141: the transaction cannot abort */
	flush,				/* 142: durable when end returns */
	no_flush,			/* 143: durable at the next rvm_flush() */
	rvm_last_mode			/* 144: bound, not a mode */
} rvm_mode_t;

/**
 * rvm_return_t - what every call returns: RVM_SUCCESS or an RVM_E* code.
 */
typedef int rvm_return_t;

/**
 * rvm_length_t - a length or an address-sized quantity.
 *
 * Always as wide as a pointer (unsigned long: 64 bits on LP64 Linux).
 */
typedef unsigned long rvm_length_t;

/*
 * ===========================================================================
 * Return codes
 * ===========================================================================
 */

#define RVM_SUCCESS		0	/* success */

#define rvm_first_code		199	/* bound, not a code */
#define RVM_EINIT		200	/* RVM not initialised (or terminated) */
#define RVM_EINTERNAL		201	/* internal error */
#define RVM_EIO			202	/* I/O or system call error, see errno */
/* 203 is not used. */
#define RVM_ELOG		204	/* invalid log device */
#define RVM_ELOG_VERSION_SKEW	205	/* log format version skew */
#define RVM_EMODE		206	/* invalid transaction begin/end mode */
#define RVM_ENAME_TOO_LONG	207	/* device name longer than 1023 chars */
#define RVM_ENO_MEMORY		208	/* heap exhausted */
#define RVM_ENOT_MAPPED		209	/* address range not mapped */
#define RVM_EOFFSET		210	/* invalid segment offset */
#define RVM_EOPTIONS		211	/* invalid options descriptor */
#define RVM_EOVERLAP		212	/* overlaps an existing segment mapping */
#define RVM_EPAGER		213	/* invalid external pager */
#define RVM_ERANGE		214	/* invalid address range */
#define RVM_EREGION		215	/* invalid region descriptor */
#define RVM_EREGION_DEF		216	/* invalid region definition */
#define RVM_ESRC		217	/* invalid source range for new values */
#define RVM_ESTATISTICS		218	/* invalid statistics descriptor */
#define RVM_ESTAT_VERSION_SKEW	219	/* statistics version skew */
#define RVM_ETERMINATED		220	/* terminated by an error reported before */
#define RVM_ETHREADS		221	/* illegal thread library */
#define RVM_ETID		222	/* invalid transaction identifier */
#define RVM_ETOO_BIG		223	/* internal resources exceeded */
#define RVM_EUNCOMMIT		224	/* uncommitted transaction(s) pending */
#define RVM_EVERSION_SKEW	225	/* interface version skew */
#define RVM_EVM_OVERLAP		226	/* overlaps an existing VM mapping */
#define rvm_last_code		227	/* bound, not a code */

/**
 * rvm_return() - the name of a return code.
 * @code: a return code
 *
 * Return: a static string: the code's name ("RVM_SUCCESS", "RVM_EIO", ...,
 * also "RVM_ESEGMENT_HDR" of <rvm/rvm_segment.h>), or "invalid RVM return
 * code" for any other value. Never NULL; do not modify or free it.
 */
char *rvm_return(rvm_return_t code);

/**
 * rvm_mode() - the name of a transaction mode.
 * @mode: a mode
 *
 * Return: a static string, "restore", "no_restore", "flush" or "no_flush",
 * or "invalid RVM transaction mode" for any other value. Never NULL.
 */
char *rvm_mode(rvm_mode_t mode);

/**
 * rvm_type() - the name of a descriptor type.
 * @id: a structure id
 *
 * Return: a static string, "rvm_region_t", "rvm_options_t", "rvm_tid_t" or
 * "rvm_statistics_t", or "invalid RVM structure type" for any other value.
 * Never NULL.
 */
char *rvm_type(rvm_struct_id_t id);

/*
 * ===========================================================================
 * Offsets
 * ===========================================================================
 *
 * rvm_offset_t is a position in a segment or log device. It is a pair of
 * rvm_length_t: its value is high * 2^N + low, where N is the width of
 * rvm_length_t in bits. On LP64 Linux (N = 64) every 64-bit offset fits in
 * @low and @high is 0; @high only takes the carry of a sum that overflows
 * 64 bits. On a 32-bit system @high:@low are the two halves of a 64-bit
 * offset. Either way RVM_OFFSET_TO_LENGTH() gives the offset as a length
 * whenever it fits in one.
 *
 * Use the macros below rather than the fields, so that a program works on
 * both. The functions behind them are exported too; the macros that take
 * offsets by name (RVM_ADD_OFFSETS(), ...) need lvalues.
 *
 * Arithmetic is modulo 2^(2N): subtracting a bigger offset wraps around
 * rather than failing, so compare first (RVM_OFFSET_LSS()).
 */

/** rvm_offset_t - a 64-bit offset; treat the fields as private. */
typedef struct {
	rvm_length_t high;
	rvm_length_t low;
} rvm_offset_t;

/** RVM_MK_OFFSET() - the offset high * 2^N + low (a function call). */
#define RVM_MK_OFFSET(hi, lo) \
	rvm_mk_offset((rvm_length_t)(hi), (rvm_length_t)(lo))

/** RVM_OFFSET_INITIALIZER() - RVM_MK_OFFSET() for static initialisers. */
#define RVM_OFFSET_INITIALIZER(hi, lo) { (hi), (lo) }

/** RVM_ZERO_OFFSET() - set the offset lvalue @x to 0. */
#define RVM_ZERO_OFFSET(x) ((x) = RVM_MK_OFFSET(0, 0))

/** RVM_OFFSET_TO_LENGTH() - the low-order bits of @x, as rvm_length_t. */
#define RVM_OFFSET_TO_LENGTH(x) ((x).low)

/** RVM_OFFSET_HIGH_BITS_TO_LENGTH() - the high-order bits of @x. */
#define RVM_OFFSET_HIGH_BITS_TO_LENGTH(x) ((x).high)

/** RVM_LENGTH_TO_OFFSET() - the length @len as an offset. */
#define RVM_LENGTH_TO_OFFSET(len) RVM_MK_OFFSET(0, (len))

/** RVM_ADD_OFFSETS() - @x + @y, with carry from low into high. */
#define RVM_ADD_OFFSETS(x, y) rvm_add_offsets(&(x), &(y))

/** RVM_ADD_LENGTH_TO_OFFSET() - @x + @len, with carry. */
#define RVM_ADD_LENGTH_TO_OFFSET(x, len) \
	rvm_add_length_to_offset(&(x), (rvm_length_t)(len))

/** RVM_ADD_LENGTH_TO_ADDR() - the address @addr + @len, as char *. */
#define RVM_ADD_LENGTH_TO_ADDR(len, addr) \
	((char *)((rvm_length_t)(len) + (rvm_length_t)(addr)))

/** RVM_SUB_OFFSETS() - @x - @y, with borrow from high into low. */
#define RVM_SUB_OFFSETS(x, y) rvm_sub_offsets(&(x), &(y))

/** RVM_SUB_LENGTH_FROM_OFFSET() - @x - @len, with borrow. */
#define RVM_SUB_LENGTH_FROM_OFFSET(x, len) \
	rvm_sub_length_from_offset(&(x), (rvm_length_t)(len))

/** RVM_SUB_LENGTH_FROM_ADDR() - the address @addr - @len, as char *. */
#define RVM_SUB_LENGTH_FROM_ADDR(addr, len) \
	((char *)((rvm_length_t)(addr) - (rvm_length_t)(len)))

/* Comparisons of two offsets (lvalues or values); true is 1. */
#define RVM_OFFSET_LSS(x, y) \
	(((x).high < (y).high) || \
	 (((x).high == (y).high) && ((x).low < (y).low)))
#define RVM_OFFSET_GTR(x, y) \
	(((x).high > (y).high) || \
	 (((x).high == (y).high) && ((x).low > (y).low)))
#define RVM_OFFSET_LEQ(x, y) (!RVM_OFFSET_GTR((x), (y)))
#define RVM_OFFSET_GEQ(x, y) (!RVM_OFFSET_LSS((x), (y)))
#define RVM_OFFSET_EQL(x, y) \
	(((x).high == (y).high) && ((x).low == (y).low))
#define RVM_OFFSET_EQL_ZERO(x) (((x).high == 0) && ((x).low == 0))

/*
 * Pages. The page size is the system's (sysconf(_SC_PAGESIZE)); regions
 * are mapped in whole pages.
 */

/** RVM_PAGE_SIZE - the page size, as rvm_length_t (a function call). */
#define RVM_PAGE_SIZE rvm_page_size()

#define RVM_ROUND_LENGTH_UP_TO_PAGE_SIZE(x) \
	((rvm_length_t)(((rvm_length_t)(x) + rvm_page_size() - 1) & \
			rvm_page_mask()))
#define RVM_ROUND_LENGTH_DOWN_TO_PAGE_SIZE(x) \
	((rvm_length_t)((rvm_length_t)(x) & rvm_page_mask()))
#define RVM_ROUND_ADDR_UP_TO_PAGE_SIZE(x) \
	((char *)(((rvm_length_t)(x) + rvm_page_size() - 1) & \
		  rvm_page_mask()))
#define RVM_ROUND_ADDR_DOWN_TO_PAGE_SIZE(x) \
	((char *)((rvm_length_t)(x) & rvm_page_mask()))
#define RVM_ROUND_OFFSET_UP_TO_PAGE_SIZE(x) rvm_rnd_offset_up_to_page(&(x))
#define RVM_ROUND_OFFSET_DOWN_TO_PAGE_SIZE(x) rvm_rnd_offset_dn_to_page(&(x))

/*
 * The functions behind the macros. None of them fails; none of them
 * needs rvm_initialize().
 */

/** rvm_mk_offset() - Return: the offset @high * 2^N + @low. */
rvm_offset_t rvm_mk_offset(rvm_length_t high, rvm_length_t low);

/** rvm_add_offsets() - Return: *@x + *@y (modulo 2^2N). */
rvm_offset_t rvm_add_offsets(const rvm_offset_t *x, const rvm_offset_t *y);

/** rvm_add_length_to_offset() - Return: *@x + @len (modulo 2^2N). */
rvm_offset_t rvm_add_length_to_offset(const rvm_offset_t *x,
				      rvm_length_t len);

/** rvm_sub_offsets() - Return: *@x - *@y (modulo 2^2N). */
rvm_offset_t rvm_sub_offsets(const rvm_offset_t *x, const rvm_offset_t *y);

/** rvm_sub_length_from_offset() - Return: *@x - @len (modulo 2^2N). */
rvm_offset_t rvm_sub_length_from_offset(const rvm_offset_t *x,
					rvm_length_t len);

/** rvm_page_size() - Return: the page size in bytes. */
rvm_length_t rvm_page_size(void);

/** rvm_page_mask() - Return: ~(rvm_page_size() - 1). */
rvm_length_t rvm_page_mask(void);

/**
 * rvm_rnd_offset_up_to_page() - Return: *@x rounded up to a multiple of
 * the page size (with carry: rounding up the largest low part gives
 * high + 1, low 0).
 */
rvm_offset_t rvm_rnd_offset_up_to_page(const rvm_offset_t *x);

/** rvm_rnd_offset_dn_to_page() - Return: *@x rounded down to a page. */
rvm_offset_t rvm_rnd_offset_dn_to_page(const rvm_offset_t *x);

/*
 * ===========================================================================
 * Descriptors
 * ===========================================================================
 *
 * Calls take their arguments in descriptors: rvm_tid_t, rvm_options_t,
 * rvm_region_t (and rvm_statistics_t). Each starts with its struct_id and
 * from_heap fields, which only the functions below set. A descriptor is
 * either
 *
 *  - allocated with rvm_malloc_*(): initialised, from_heap = rvm_true, and
 *    released with rvm_free_*(); or
 *  - declared by the program (static, automatic, or inside its own
 *    structures) and initialised with rvm_init_*() before its first use:
 *    from_heap = rvm_false; never passed to rvm_free_*().
 *
 * rvm_copy_*() returns a heap copy of a valid descriptor. The char * fields
 * (log_dev, pager, data_dev) are copied as pointers, as in the original
 * library: the copy refers to the same strings, and no rvm_free_*() ever
 * frees a string. The program owns the strings it puts in descriptors and
 * must keep them alive while RVM may read them.
 *
 * rvm_free_*() of the original returned nothing; here it returns
 * RVM_SUCCESS, or the type's error code (RVM_ETID, RVM_EOPTIONS,
 * RVM_EREGION, RVM_ESTATISTICS) without freeing anything when the pointer
 * is NULL, does not point to a descriptor of that type, or points to one
 * not allocated by rvm_malloc_*() or rvm_copy_*(). Programs that ignore
 * the result are unaffected.
 *
 * None of these functions needs rvm_initialize().
 */

/**
 * rvm_tid_t - a transaction identifier.
 * @struct_id: rvm_tid_id; do not change
 * @from_heap: rvm_true if from rvm_malloc_tid()/rvm_copy_tid(); do not change
 * @uname: the transaction's unique name, set by rvm_begin_transaction()
 * @tid: internal; do not change
 * @reserved: internal; do not change
 *
 * A tid names one transaction at a time, from rvm_begin_transaction() to
 * rvm_end_transaction() or rvm_abort_transaction(); it may then be used
 * for the next one.
 */
typedef struct {
	rvm_struct_id_t struct_id;
	rvm_bool_t from_heap;
	struct timeval uname;
	void *tid;
	rvm_length_t reserved;
} rvm_tid_t;

/**
 * rvm_malloc_tid() - allocate and initialise a tid.
 *
 * Return: the tid (as rvm_init_tid() leaves it, from_heap = rvm_true), or
 * NULL if out of memory.
 */
rvm_tid_t *rvm_malloc_tid(void);

/**
 * rvm_init_tid() - initialise a tid declared by the program.
 * @tid: the tid; NULL is ignored
 *
 * Zeroes it and sets struct_id = rvm_tid_id, from_heap = rvm_false.
 */
void rvm_init_tid(rvm_tid_t *tid);

/**
 * rvm_copy_tid() - copy a tid to the heap.
 * @tid: a valid tid
 *
 * Copies every field, so the copy names the same transaction as @tid.
 *
 * Return: the copy (from_heap = rvm_true), or NULL if @tid is NULL or not a
 * tid, or if out of memory.
 */
rvm_tid_t *rvm_copy_tid(const rvm_tid_t *tid);

/**
 * rvm_free_tid() - free a tid from rvm_malloc_tid() or rvm_copy_tid().
 * @tid: the tid
 *
 * Return:
 * * RVM_SUCCESS - freed
 * * RVM_ETID - @tid is NULL, not a tid, or not from the heap; nothing freed
 */
rvm_return_t rvm_free_tid(rvm_tid_t *tid);

/**
 * rvm_options_t - options of RVM, of the log, and of some calls.
 * @struct_id: rvm_options_id; do not change
 * @from_heap: rvm_true if from rvm_malloc_options()/rvm_copy_options()
 * @log_dev: in: the log: a block device or a regular file (at most 1023
 *	characters); NULL for none
 * @truncate: in: truncation threshold, in % of the log (default TRUNCATE):
 *	the log is applied to the data segments and emptied when it is that
 *	full; 0 leaves truncation to rvm_truncate()
 * @recovery_buf_len: in: length of the recovery buffer (default
 *	RECOVERY_BUF_LEN, at least MIN_RECOVERY_BUF_LEN); a tuning hint
 * @flush_buf_len: in: length of the flush buffer (default FLUSH_BUF_LEN, at
 *	least MIN_FLUSH_BUF_LEN); a tuning hint
 * @max_read_len: in: longest single read (default MAX_READ_LEN); a tuning
 *	hint
 * @log_empty: out (rvm_query()): rvm_true if the log holds no records
 * @pager: in: name of an external pager (a Mach feature); ignored
 * @n_uncommit: out (rvm_query()): number of entries in @tid_array
 * @tid_array: out (rvm_query()): the uncommitted transactions, an array of
 *	@n_uncommit tids allocated with malloc(3); rvm_free_options() frees it
 *	(free(3) it yourself for a descriptor not from the heap)
 * @flags: in: RVM_COALESCE_RANGES, RVM_COALESCE_TRANS, RVM_MAP_PRIVATE
 * @create_log_file: in: rvm_true lets rvm_initialize() create and format
 *	the log if it does not exist
 * @create_log_size: in: the size of such a log
 * @create_log_mode: in: the file mode of such a log (default 0600)
 */
typedef struct {
	rvm_struct_id_t struct_id;
	rvm_bool_t from_heap;
	char *log_dev;
	long truncate;
	rvm_length_t recovery_buf_len;
	rvm_length_t flush_buf_len;
	rvm_length_t max_read_len;
	rvm_bool_t log_empty;
	char *pager;
	long n_uncommit;
	rvm_tid_t *tid_array;
	rvm_length_t flags;
	rvm_bool_t create_log_file;
	rvm_offset_t create_log_size;
	long create_log_mode;
} rvm_options_t;

/* Defaults and limits of rvm_options_t. */
#define TRUNCATE		50		/* % of the log */
#define RECOVERY_BUF_LEN	(256 * 1024)
#define MIN_RECOVERY_BUF_LEN	(64 * 1024)
#define FLUSH_BUF_LEN		(256 * 1024)
#define MIN_FLUSH_BUF_LEN	(64 * 1024)
#define MAX_READ_LEN		(512 * 1024)

/*
 * Flags of rvm_options_t.flags.
 *
 * RVM_COALESCE_RANGES: overlapping and adjacent ranges of one transaction
 * are merged before they are logged (intra-transaction optimisation).
 * RVM_COALESCE_TRANS: a later no_flush transaction's new values supersede
 * an earlier one's still waiting to be flushed (inter-transaction
 * optimisation). RVM_MAP_PRIVATE: a classic flag asking for private
 * mappings of the data segments; accepted for compatibility.
 */
#define RVM_COALESCE_RANGES	1
#define RVM_COALESCE_TRANS	2
#define RVM_ALL_OPTIMIZATIONS	(RVM_COALESCE_RANGES | RVM_COALESCE_TRANS)
#define RVM_MAP_PRIVATE		8

/**
 * rvm_malloc_options() - allocate and initialise an options descriptor.
 *
 * Return: the descriptor (as rvm_init_options() leaves it, from_heap =
 * rvm_true), or NULL if out of memory.
 */
rvm_options_t *rvm_malloc_options(void);

/**
 * rvm_init_options() - initialise an options descriptor.
 * @opts: the descriptor; NULL is ignored
 *
 * Zeroes it, then sets struct_id = rvm_options_id, from_heap = rvm_false,
 * truncate = TRUNCATE, recovery_buf_len = RECOVERY_BUF_LEN, flush_buf_len =
 * FLUSH_BUF_LEN, max_read_len = MAX_READ_LEN, create_log_mode = 0600. All
 * pointers are NULL, flags 0, create_log_file rvm_false, create_log_size 0.
 */
void rvm_init_options(rvm_options_t *opts);

/**
 * rvm_copy_options() - copy an options descriptor to the heap.
 * @opts: a valid options descriptor
 *
 * log_dev and pager are copied as pointers (the copy refers to the same
 * strings); tid_array is copied as an array of its own, which
 * rvm_free_options() of the copy frees.
 *
 * Return: the copy (from_heap = rvm_true), or NULL if @opts is NULL or not
 * an options descriptor, or if out of memory.
 */
rvm_options_t *rvm_copy_options(const rvm_options_t *opts);

/**
 * rvm_free_options() - free an options descriptor from the heap.
 * @opts: a descriptor from rvm_malloc_options() or rvm_copy_options()
 *
 * Frees its tid_array too; not log_dev or pager.
 *
 * Return:
 * * RVM_SUCCESS - freed
 * * RVM_EOPTIONS - @opts is NULL, not an options descriptor, or not from
 *   the heap; nothing freed
 */
rvm_return_t rvm_free_options(rvm_options_t *opts);

/**
 * rvm_region_t - a region: a byte range of a data segment, and where it is
 * mapped.
 * @struct_id: rvm_region_id; do not change
 * @from_heap: rvm_true if from rvm_malloc_region()/rvm_copy_region()
 * @data_dev: in: the data segment: a block device or a regular file (at
 *	most 1023 characters)
 * @dev_length: in: the length of the segment; 0 for the size of the device
 *	or file
 * @offset: in/out: where the region starts in the segment; rvm_map()
 *	rounds it down to a page (and writes it back)
 * @vmaddr: in/out: where the region is mapped; a multiple of the page size,
 *	or NULL to let rvm_map() choose (the address is written back)
 * @length: in/out: the length of the region in bytes; rvm_map() rounds it
 *	up to whole pages, 0 means "to the end of the segment", and writes
 *	the length mapped back
 * @no_copy: in: classic hint that the program does not need the segment's
 *	current contents; librvm may ignore it
 */
typedef struct {
	rvm_struct_id_t struct_id;
	rvm_bool_t from_heap;
	char *data_dev;
	rvm_offset_t dev_length;
	rvm_offset_t offset;
	char *vmaddr;
	rvm_length_t length;
	rvm_bool_t no_copy;
} rvm_region_t;

/**
 * rvm_malloc_region() - allocate and initialise a region descriptor.
 *
 * Return: the descriptor (as rvm_init_region() leaves it, from_heap =
 * rvm_true), or NULL if out of memory.
 */
rvm_region_t *rvm_malloc_region(void);

/**
 * rvm_init_region() - initialise a region descriptor.
 * @region: the descriptor; NULL is ignored
 *
 * Zeroes it and sets struct_id = rvm_region_id, from_heap = rvm_false.
 */
void rvm_init_region(rvm_region_t *region);

/**
 * rvm_copy_region() - copy a region descriptor to the heap.
 * @region: a valid region descriptor
 *
 * data_dev is copied as a pointer (the copy refers to the same string).
 *
 * Return: the copy (from_heap = rvm_true), or NULL if @region is NULL or
 * not a region descriptor, or if out of memory.
 */
rvm_region_t *rvm_copy_region(const rvm_region_t *region);

/**
 * rvm_free_region() - free a region descriptor from the heap.
 * @region: a descriptor from rvm_malloc_region() or rvm_copy_region()
 *
 * Does not unmap the region, and does not free data_dev.
 *
 * Return:
 * * RVM_SUCCESS - freed
 * * RVM_EREGION - @region is NULL, not a region descriptor, or not from
 *   the heap; nothing freed
 */
rvm_return_t rvm_free_region(rvm_region_t *region);

/*
 * ===========================================================================
 * Starting and stopping
 * ===========================================================================
 */

/**
 * rvm_initialize() - start RVM in this process.
 * @version: RVM_VERSION (use RVM_INIT())
 * @opts: options, or NULL
 *
 * If @opts names a log (log_dev), the log is opened and recovered first:
 * the committed transactions it holds are applied to their data segments.
 * If opts->create_log_file is rvm_true and the log does not exist, it is
 * created (create_log_size, create_log_mode) and formatted. The other
 * options take effect as with rvm_set_options().
 *
 * Without a log (@opts NULL or log_dev NULL), RVM starts without one;
 * rvm_create_log() can then make one and rvm_set_options() name it. A log
 * is needed before regions can be mapped.
 *
 * One log per process. Calling rvm_initialize() again once it succeeded
 * does nothing and returns RVM_SUCCESS; after rvm_terminate() RVM cannot
 * be started again in the same process.
 *
 * Return:
 * * RVM_SUCCESS - RVM is running
 * * RVM_EVERSION_SKEW - @version is not RVM_VERSION
 * * RVM_EOPTIONS - @opts is not a valid options descriptor (or a value in
 *   it is out of range)
 * * RVM_ENAME_TOO_LONG - log_dev is longer than 1023 characters
 * * RVM_ELOG - log_dev is not a valid RVM log
 * * RVM_ELOG_VERSION_SKEW - the log was written by an incompatible version
 * * RVM_EINIT - rvm_terminate() was called before
 * * RVM_ENO_MEMORY - out of memory
 * * RVM_EIO - a system call failed, errno tells which (for example
 *   /dev/rvm could not be opened: is the rvm module loaded?)
 */
rvm_return_t rvm_initialize(const char *version, rvm_options_t *opts);

/** RVM_INIT() - rvm_initialize() with this header's RVM_VERSION. */
#define RVM_INIT(opts) rvm_initialize(RVM_VERSION, (opts))

/**
 * rvm_terminate() - stop RVM in this process.
 *
 * Flushes every no_flush transaction to the log, unmaps every region and
 * closes the log. Fails, changing nothing, while a transaction is running.
 *
 * Return:
 * * RVM_SUCCESS - RVM is stopped
 * * RVM_EINIT - RVM is not running
 * * RVM_EUNCOMMIT - a transaction is still running
 * * RVM_EIO - a system call failed, see errno
 */
rvm_return_t rvm_terminate(void);

/**
 * rvm_set_options() - change options of a running RVM.
 * @opts: the options
 *
 * Applies truncate, flags and the buffer lengths. If no log is open yet,
 * opens (and recovers) the one named by log_dev; otherwise log_dev must be
 * NULL or name the open log.
 *
 * Return:
 * * RVM_SUCCESS - done
 * * RVM_EINIT - RVM is not running
 * * RVM_EOPTIONS - @opts is not a valid options descriptor, or a value is
 *   out of range
 * * RVM_ENAME_TOO_LONG, RVM_ELOG, RVM_ELOG_VERSION_SKEW - as for
 *   rvm_initialize()
 * * RVM_ENO_MEMORY - out of memory
 * * RVM_EIO - a system call failed, see errno
 */
rvm_return_t rvm_set_options(rvm_options_t *opts);

/**
 * rvm_query() - ask about RVM's state.
 * @opts: out: an options descriptor to fill
 * @region: a mapped region, or NULL
 *
 * Fills truncate, flags, the buffer lengths, log_empty, and the
 * uncommitted transactions: n_uncommit and tid_array. With @region, only
 * the transactions with ranges in that region are listed. A tid_array
 * left by an earlier rvm_query() on @opts is freed first.
 *
 * Return:
 * * RVM_SUCCESS - done
 * * RVM_EINIT - RVM is not running
 * * RVM_EOPTIONS - @opts is not a valid options descriptor
 * * RVM_EREGION - @region is not a valid region descriptor
 * * RVM_ENOT_MAPPED - @region is not mapped
 * * RVM_ENO_MEMORY - out of memory
 */
rvm_return_t rvm_query(rvm_options_t *opts, rvm_region_t *region);

/**
 * rvm_create_log() - create and format a log.
 * @opts: options naming the log in log_dev
 * @log_len: the size of the log's record area; a size below the minimum
 *	(64 KiB) is raised to the minimum, as in the original
 * @mode: the file mode, if a regular file is created
 *
 * log_dev may be an existing block device or regular file, or the name of
 * a regular file to create. Whatever it held is lost. RVM must be running
 * (rvm_initialize() without a log) and log_dev must not be its log.
 *
 * Return:
 * * RVM_SUCCESS - the log is ready
 * * RVM_EINIT - RVM is not running
 * * RVM_EOPTIONS - @opts is NULL or not a valid options descriptor, or
 *   log_dev is NULL
 * * RVM_ENAME_TOO_LONG - log_dev is longer than 1023 characters
 * * RVM_ELOG - log_dev is the log in use
 * * RVM_EOFFSET - @log_len is 0, or too big for the device
 * * RVM_ENO_MEMORY - out of memory
 * * RVM_EIO - a system call failed, see errno
 */
rvm_return_t rvm_create_log(rvm_options_t *opts, rvm_offset_t *log_len,
			    long mode);

/*
 * ===========================================================================
 * Mapping
 * ===========================================================================
 */

/**
 * rvm_map() - map a region of a data segment into memory.
 * @region: the region: data_dev, offset, length, and optionally vmaddr
 * @opts: options, or NULL
 *
 * Maps @length bytes at @offset of @data_dev at @vmaddr, or where RVM
 * chooses if @vmaddr is NULL, and writes the address back to
 * region->vmaddr. The memory holds the segment's committed contents.
 * As in the original, an offset inside a page is rounded down to the page
 * (the length grows by as much), the length is rounded up to whole pages,
 * and length 0 maps from the offset to the end of the segment; offset and
 * length are written back as mapped.
 *
 * Memory at @vmaddr that is all private anonymous memory (what programs of
 * the original allocate there before rvm_map(), as its segment loader did)
 * is replaced by the region; any other mapping there is RVM_EVM_OVERLAP.
 *
 * librvm keeps log and data in one volume, named by log_dev: a @data_dev
 * that is NULL, empty or names the log_dev device maps the volume's data
 * segment directly; any other name is a segment stored inside the volume
 * (created, and filled from the file of that name if there is one, at its
 * first rvm_map()).
 *
 * Mapped pages are write-protected: in librvm's default (strict) mode a
 * write to recoverable memory that is not inside a range declared with
 * rvm_set_range() by a running transaction gets SIGSEGV, instead of being
 * silently lost at the next crash.
 *
 * Return:
 * * RVM_SUCCESS - mapped
 * * RVM_EINIT - RVM is not running
 * * RVM_ELOG - no log is open
 * * RVM_EREGION - @region is not a valid region descriptor
 * * RVM_EOPTIONS - @opts is not NULL and not a valid options descriptor
 * * RVM_ENAME_TOO_LONG - data_dev is longer than 1023 characters
 * * RVM_ERANGE - vmaddr is not a multiple of the page size, or length is
 *   0 and offset is at or past the end of the segment
 * * RVM_EOFFSET - the region extends past dev_length or the end of the
 *   segment
 * * RVM_EOVERLAP - the region overlaps a region of the same segment that
 *   is mapped already
 * * RVM_EVM_OVERLAP - [vmaddr, vmaddr+length) overlaps memory in use that
 *   is not private anonymous memory
 * * RVM_ENO_MEMORY - out of memory
 * * RVM_EIO - a system call failed, see errno
 */
rvm_return_t rvm_map(rvm_region_t *region, rvm_options_t *opts);

/**
 * rvm_unmap() - unmap a region.
 * @region: the region as rvm_map() left it (vmaddr, length)
 *
 * The committed contents stay in the segment; no_flush transactions are
 * not lost.
 *
 * Return:
 * * RVM_SUCCESS - unmapped
 * * RVM_EINIT - RVM is not running
 * * RVM_EREGION - @region is not a valid region descriptor
 * * RVM_ENOT_MAPPED - vmaddr, length do not name a mapped region
 * * RVM_EUNCOMMIT - a running transaction has ranges in the region
 * * RVM_EIO - a system call failed, see errno
 */
rvm_return_t rvm_unmap(rvm_region_t *region);

/*
 * ===========================================================================
 * Transactions
 * ===========================================================================
 */

/**
 * rvm_begin_transaction() - start a transaction.
 * @tid: an initialised tid not naming a running transaction
 * @mode: restore (rvm_abort_transaction() puts back the old values) or
 *	no_restore (cheaper: the transaction cannot be aborted)
 *
 * Sets tid->uname to the transaction's unique name.
 *
 * Return:
 * * RVM_SUCCESS - the transaction is running
 * * RVM_EINIT - RVM is not running
 * * RVM_ETID - @tid is not a valid tid, or names a running transaction
 * * RVM_EMODE - @mode is neither restore nor no_restore
 * * RVM_ENO_MEMORY - out of memory
 */
rvm_return_t rvm_begin_transaction(rvm_tid_t *tid, rvm_mode_t mode);

/**
 * rvm_set_range() - declare bytes the transaction will modify.
 * @tid: a running transaction
 * @dest: the first byte, in mapped recoverable memory
 * @len: the number of bytes; 0 does nothing
 *
 * Call it before modifying the bytes. At commit the new values of all
 * declared ranges are logged; at abort of a restore transaction their old
 * values (as they were at this call) are put back. Ranges may overlap.
 *
 * Return:
 * * RVM_SUCCESS - declared
 * * RVM_EINIT - RVM is not running
 * * RVM_ETID - @tid does not name a running transaction
 * * RVM_ENOT_MAPPED - [dest, dest+len) is not entirely in mapped regions
 * * RVM_ERANGE - the address range is invalid (it wraps around)
 * * RVM_ENO_MEMORY - out of memory
 */
rvm_return_t rvm_set_range(rvm_tid_t *tid, void *dest, rvm_length_t len);

/**
 * rvm_modify_bytes() - declare a range and copy new values into it.
 * @tid: a running transaction
 * @dest: the first byte, in mapped recoverable memory
 * @src: the new values, @len bytes (not in the destination range)
 * @len: the number of bytes; 0 does nothing
 *
 * rvm_set_range(@tid, @dest, @len), then memcpy(@dest, @src, @len).
 *
 * Return: as rvm_set_range(), and
 * * RVM_ESRC - @src is NULL or its range is invalid
 */
rvm_return_t rvm_modify_bytes(rvm_tid_t *tid, void *dest, const void *src,
			      rvm_length_t len);

/**
 * rvm_abort_transaction() - abandon a restore transaction.
 * @tid: a running restore transaction
 *
 * Puts back the old values of every declared range; nothing is logged.
 * @tid is free for a new transaction.
 *
 * Return:
 * * RVM_SUCCESS - aborted
 * * RVM_EINIT - RVM is not running
 * * RVM_ETID - @tid does not name a running transaction
 * * RVM_EMODE - the transaction was begun no_restore (it keeps running)
 */
rvm_return_t rvm_abort_transaction(rvm_tid_t *tid);

/**
 * rvm_end_transaction() - commit a transaction.
 * @tid: a running transaction
 * @mode: flush (the transaction is durable when the call returns) or
 *	no_flush (it is committed, and durable once a later rvm_flush()
 *	returns, or when RVM flushes on its own)
 *
 * The new values of the declared ranges become one log record. After a
 * crash, recovery finds either all of them or none; the no_flush
 * transactions recovered are always a prefix of the commit order.
 * @tid is free for a new transaction.
 *
 * Return:
 * * RVM_SUCCESS - committed
 * * RVM_EINIT - RVM is not running
 * * RVM_ETID - @tid does not name a running transaction
 * * RVM_EMODE - @mode is neither flush nor no_flush
 * * RVM_ETOO_BIG - the transaction's record does not fit in the log
 * * RVM_ENO_MEMORY - out of memory
 * * RVM_EIO - writing the log failed, see errno
 */
rvm_return_t rvm_end_transaction(rvm_tid_t *tid, rvm_mode_t mode);

/**
 * rvm_flush() - make every committed no_flush transaction durable.
 *
 * Return:
 * * RVM_SUCCESS - they are in the log
 * * RVM_EINIT - RVM is not running
 * * RVM_EIO - writing the log failed, see errno
 */
rvm_return_t rvm_flush(void);

/**
 * rvm_truncate() - apply the log to the data segments and empty it.
 *
 * Flushes first, as rvm_flush(). Only committed values reach the data
 * segments. Truncation also runs on its own when the log is the options'
 * truncate % full.
 *
 * Return:
 * * RVM_SUCCESS - the log is empty
 * * RVM_EINIT - RVM is not running
 * * RVM_EIO - a write failed, see errno
 */
rvm_return_t rvm_truncate(void);

/*
 * ===========================================================================
 * Statistics
 * ===========================================================================
 *
 * A reduced form of the original statistics record (which lived in
 * <rvm_statistics.h> with many histograms): plain counters only, with the
 * original names. Counters named n_* count since rvm_initialize(), tot_*
 * over the life of the log.
 */

/** RVM_STATISTICS_VERSION - the statistics format of this header. */
#define RVM_STATISTICS_VERSION "librvm Statistics Version 1"

/**
 * rvm_statistics_t - counters of RVM's activity.
 * @struct_id: rvm_statistics_id; do not change
 * @from_heap: rvm_true if from rvm_malloc_statistics()
 * @n_abort: transactions aborted
 * @n_flush_commit: transactions committed in flush mode
 * @n_no_flush_commit: transactions committed in no_flush mode
 * @n_uncommit: transactions running now
 * @n_no_flush: no_flush transactions not yet flushed
 * @n_truncation_wait: transactions that waited for truncation
 * @n_flush: flushes of the log
 * @n_rvm_flush: rvm_flush() calls
 * @n_truncation: truncations
 * @log_written: bytes written to the log
 * @log_dev_cur: % of the log in use now
 * @log_dev_max: highest % of the log in use so far
 * @tot_abort: transactions aborted, over the life of the log
 * @tot_flush_commit: flush commits, over the life of the log
 * @tot_no_flush_commit: no_flush commits, over the life of the log
 * @tot_log_written: bytes written to the log, over its life
 * @tot_rvm_truncate: rvm_truncate() calls, over the life of the log
 * @tot_recovery: recoveries of the log
 * @n_split: transactions split at a log wrap this epoch: always 0 (our
 *	log records are never split)
 * @n_special: special log records this epoch: always 0 (the log has none)
 * @n_wrap: wrap-arounds of the log since the log was opened (laps of its
 *	ring)
 * @tot_split: as @n_split, over the life of the log: always 0
 * @tot_special: as @n_special, over the life of the log: always 0
 * @tot_wrap: wrap-arounds of the log since the volume was attached
 * @reserved: zero
 */
typedef struct {
	rvm_struct_id_t struct_id;
	rvm_bool_t from_heap;
	rvm_length_t n_abort;
	rvm_length_t n_flush_commit;
	rvm_length_t n_no_flush_commit;
	rvm_length_t n_uncommit;
	rvm_length_t n_no_flush;
	rvm_length_t n_truncation_wait;
	rvm_length_t n_flush;
	rvm_length_t n_rvm_flush;
	rvm_length_t n_truncation;
	rvm_offset_t log_written;
	rvm_length_t log_dev_cur;
	rvm_length_t log_dev_max;
	rvm_length_t tot_abort;
	rvm_length_t tot_flush_commit;
	rvm_length_t tot_no_flush_commit;
	rvm_offset_t tot_log_written;
	rvm_length_t tot_rvm_truncate;
	rvm_length_t tot_recovery;
	rvm_length_t n_split;
	rvm_length_t n_special;
	rvm_length_t n_wrap;
	rvm_length_t tot_split;
	rvm_length_t tot_special;
	rvm_length_t tot_wrap;
	rvm_length_t reserved[8];
} rvm_statistics_t;

/**
 * rvm_statistics() - read RVM's counters.
 * @version: RVM_STATISTICS_VERSION (use RVM_STATISTICS())
 * @stats: out: an initialised statistics descriptor
 *
 * Counters librvm does not keep read 0.
 *
 * Return:
 * * RVM_SUCCESS - @stats filled
 * * RVM_EINIT - RVM is not running
 * * RVM_ESTAT_VERSION_SKEW - @version is not RVM_STATISTICS_VERSION;
 *   nothing copied
 * * RVM_ESTATISTICS - @stats is not a valid statistics descriptor
 */
rvm_return_t rvm_statistics(const char *version, rvm_statistics_t *stats);

/** RVM_STATISTICS() - rvm_statistics() with this header's version. */
#define RVM_STATISTICS(stats) rvm_statistics(RVM_STATISTICS_VERSION, (stats))

/** rvm_malloc_statistics() - Return: a new initialised descriptor or NULL. */
rvm_statistics_t *rvm_malloc_statistics(void);

/** rvm_init_statistics() - zero @stats and set its struct_id. */
void rvm_init_statistics(rvm_statistics_t *stats);

/** rvm_copy_statistics() - Return: a heap copy of @stats, or NULL. */
rvm_statistics_t *rvm_copy_statistics(const rvm_statistics_t *stats);

/**
 * rvm_free_statistics() - free a descriptor from the heap.
 * @stats: a descriptor from rvm_malloc_statistics()/rvm_copy_statistics()
 *
 * Return: RVM_SUCCESS, or RVM_ESTATISTICS (nothing freed) if @stats is
 * NULL, not a statistics descriptor, or not from the heap.
 */
rvm_return_t rvm_free_statistics(rvm_statistics_t *stats);

/*
 * ===========================================================================
 * librvm extension: debugging
 * ===========================================================================
 *
 * Not in the classic interface.
 */

/**
 * rvm_chk_range() - check that bytes are declared in a transaction.
 * @tid: a running transaction
 * @addr: the first byte
 * @len: the number of bytes
 *
 * For assertions in programs that want to verify their rvm_set_range()
 * calls.
 *
 * Return:
 * * RVM_SUCCESS - [addr, addr+len) is entirely covered by ranges declared
 *   in @tid (trivially when @len is 0)
 * * RVM_ERANGE - some byte of it is not
 * * RVM_EINIT - RVM is not running
 * * RVM_ETID - @tid does not name a running transaction
 */
rvm_return_t rvm_chk_range(rvm_tid_t *tid, void *addr, rvm_length_t len);

#ifdef __cplusplus
}
#endif

#endif /* RVM_RVM_H */
