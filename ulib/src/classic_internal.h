/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * librvm: helpers shared by the files of the classic interface
 * (classic_*.c). Not installed. Everything here is static inline, so
 * nothing leaks into librvm.so's exported rvm_* names.
 */
#ifndef RVM_CLASSIC_INTERNAL_H
#define RVM_CLASSIC_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rvm/rvm.h>

/* Longest device name (log_dev, data_dev), without its NUL. */
#define RVM_CLASSIC_NAME_MAX 1023

/* Width of rvm_length_t in bits: the "N" of rvm_offset_t's high * 2^N. */
#define RVM_CLASSIC_LENGTH_BITS (sizeof(rvm_length_t) * CHAR_BIT)

/**
 * rvm_classic_off_to_u64() - an rvm_offset_t as a 64-bit value.
 * @off: the offset
 * @out: where to store the value
 *
 * Return: true, or false (and *@out untouched) if the offset does not fit
 * in 64 bits (on LP64: if its high part is not 0).
 */
static inline bool rvm_classic_off_to_u64(const rvm_offset_t *off,
					  uint64_t *out)
{
#if ULONG_MAX > 0xffffffffUL
	if (off->high != 0)
		return false;
	*out = off->low;
#else
	*out = ((uint64_t)off->high << 32) | off->low;
#endif
	return true;
}

/** rvm_classic_u64_to_off() - a 64-bit value as an rvm_offset_t. */
static inline rvm_offset_t rvm_classic_u64_to_off(uint64_t v)
{
	rvm_offset_t off;

#if ULONG_MAX > 0xffffffffUL
	off.high = 0;
	off.low = v;
#else
	off.high = (rvm_length_t)(v >> 32);
	off.low = (rvm_length_t)v;
#endif
	return off;
}

/*
 * Descriptor checks, as every call makes them: Return: RVM_SUCCESS if @x
 * is a descriptor of the type, its error code otherwise. The _opt variants
 * also accept NULL (for the optional arguments).
 */
static inline rvm_return_t rvm_classic_check_tid(const rvm_tid_t *x)
{
	return x && x->struct_id == rvm_tid_id ? RVM_SUCCESS : RVM_ETID;
}

static inline rvm_return_t rvm_classic_check_options(const rvm_options_t *x)
{
	return x && x->struct_id == rvm_options_id ? RVM_SUCCESS
						   : RVM_EOPTIONS;
}

static inline rvm_return_t
rvm_classic_check_options_opt(const rvm_options_t *x)
{
	return x ? rvm_classic_check_options(x) : RVM_SUCCESS;
}

static inline rvm_return_t rvm_classic_check_region(const rvm_region_t *x)
{
	return x && x->struct_id == rvm_region_id ? RVM_SUCCESS : RVM_EREGION;
}

static inline rvm_return_t
rvm_classic_check_region_opt(const rvm_region_t *x)
{
	return x ? rvm_classic_check_region(x) : RVM_SUCCESS;
}

static inline rvm_return_t
rvm_classic_check_statistics(const rvm_statistics_t *x)
{
	return x && x->struct_id == rvm_statistics_id ? RVM_SUCCESS
						      : RVM_ESTATISTICS;
}

/**
 * rvm_classic_check_name() - check a device name's length.
 * @name: the name (log_dev, data_dev); NULL is accepted
 *
 * Return: RVM_SUCCESS, or RVM_ENAME_TOO_LONG if longer than
 * RVM_CLASSIC_NAME_MAX characters.
 */
static inline rvm_return_t rvm_classic_check_name(const char *name)
{
	if (name && strnlen(name, RVM_CLASSIC_NAME_MAX + 1) >
		    RVM_CLASSIC_NAME_MAX)
		return RVM_ENAME_TOO_LONG;
	return RVM_SUCCESS;
}

#endif /* RVM_CLASSIC_INTERNAL_H */
