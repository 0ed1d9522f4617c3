// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librvm: declaration slots - set_range without a system call.
 *
 * rvm_open() maps the handle's declaration area (<linux/rvm.h> describes
 * it) when the module has RVM_FEAT_DECL, unless the environment says
 * RVM_DECL=0; rvm_txn_begin() then asks for a slot, and
 * rvm_txn_set_range() publishes each range in the transaction's slot
 * instead of calling RVM_IOC_SET_RANGE. It falls back to the ioctl
 * whenever the slot cannot take the range: no area or no slot, a range
 * not inside one mapping this handle made (the entry must name the
 * data-segment offset), the slot's entries or (restore mode) its room
 * for old bytes used up. The ioctl reads the slot first, so the order of
 * the declarations is kept either way.
 *
 * The mappings are kept in a small table (addr, len, offset) under a
 * mutex; a transaction's slot is found by the tid the module wrote in it.
 * A tid is never reused while its transaction runs, so a slot whose tid
 * matches is the transaction's own.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/rvm.h>

#include "decl.h"

/* Mappings remembered for translating addresses; more fall back. */
#define LRVM_DECL_MAPS 64

struct lrvm_decl_map {
	uintptr_t addr;
	size_t len;
	uint64_t off;
};

struct lrvm_decl {
	struct rvm_decl_slot *area;
	pthread_mutex_t lock;	/* protects maps[] and nmaps */
	unsigned int nmaps;
	struct lrvm_decl_map maps[LRVM_DECL_MAPS];
};

int lrvm_decl_open(int fd, struct lrvm_decl **out)
{
	const char *env = getenv("RVM_DECL");
	struct lrvm_decl *d;
	void *p;

	*out = NULL;
	if (env && !strcmp(env, "0"))
		return 0;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	p = mmap(NULL, RVM_DECL_AREA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, (off_t)RVM_DECL_MMAP_OFFSET);
	if (p == MAP_FAILED) {
		free(d);
		return -errno;
	}
	d->area = p;
	pthread_mutex_init(&d->lock, NULL);
	*out = d;
	return 0;
}

void lrvm_decl_close(struct lrvm_decl *d)
{
	if (!d)
		return;
	munmap(d->area, RVM_DECL_AREA_SIZE);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

void lrvm_decl_map(struct lrvm_decl *d, const void *addr, size_t len,
		   uint64_t off)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	if (d->nmaps < LRVM_DECL_MAPS) {
		d->maps[d->nmaps].addr = (uintptr_t)addr;
		d->maps[d->nmaps].len = len;
		d->maps[d->nmaps].off = off;
		d->nmaps++;
	}
	pthread_mutex_unlock(&d->lock);
}

void lrvm_decl_unmap(struct lrvm_decl *d, const void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr;
	unsigned int i;

	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	/* Forget every mapping the range touches: those fall back. */
	for (i = 0; i < d->nmaps;) {
		struct lrvm_decl_map *m = &d->maps[i];

		if (m->addr < a + len && a < m->addr + m->len)
			*m = d->maps[--d->nmaps];
		else
			i++;
	}
	pthread_mutex_unlock(&d->lock);
}

/* The data-segment offset of [a, a + len), if one mapping holds it all. */
static bool lrvm_decl_offset(struct lrvm_decl *d, uintptr_t a, size_t len,
			     uint64_t *off)
{
	bool found = false;
	unsigned int i;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < d->nmaps && !found; i++) {
		const struct lrvm_decl_map *m = &d->maps[i];

		if (a >= m->addr && a - m->addr < m->len &&
		    len <= m->len - (a - m->addr)) {
			*off = m->off + (a - m->addr);
			found = true;
		}
	}
	pthread_mutex_unlock(&d->lock);
	return found;
}

static struct rvm_decl_slot *lrvm_decl_slot(struct lrvm_decl *d, uint64_t tid)
{
	unsigned int i;

	for (i = 0; i < RVM_DECL_SLOTS; i++)
		if (__atomic_load_n(&d->area[i].tid, __ATOMIC_ACQUIRE) == tid)
			return &d->area[i];
	return NULL;
}

/*
 * Publish [addr, addr + len) in @tid's slot. Return: 0 if it is published,
 * 1 if the caller must use RVM_IOC_SET_RANGE.
 */
int lrvm_decl_range(struct lrvm_decl *d, uint64_t tid, const void *addr,
		    size_t len)
{
	struct rvm_decl_slot *s;
	struct rvm_decl_entry *e;
	uint64_t off, data = 0;
	uint32_t i;

	if (!d || !tid || !len || len > RVM_MAX_RANGE)
		return 1;
	s = lrvm_decl_slot(d, tid);
	if (!s || !lrvm_decl_offset(d, (uintptr_t)addr, len, &off))
		return 1;
	if (s->flags & RVM_TXN_RESTORE) {
		if (len > RVM_DECL_DATA_SIZE)
			return 1;
		data = __atomic_fetch_add(&s->data_next, (uint32_t)len,
					  __ATOMIC_RELAXED);
		if (data > RVM_DECL_DATA_SIZE - len)
			return 1;
	}
	i = __atomic_fetch_add(&s->next, 1, __ATOMIC_RELAXED);
	if (i >= RVM_DECL_ENTRIES)
		return 1;
	if (s->flags & RVM_TXN_RESTORE)
		memcpy(s->data + data, addr, len);
	e = &s->ent[i];
	e->addr = (uintptr_t)addr;
	e->off = off;
	e->data = data;
	__atomic_store_n(&e->len, len, __ATOMIC_RELEASE);
	return 0;
}
