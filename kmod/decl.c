// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: declaration slots - set_range without a system call.
 *
 * A file's declaration area (RVM_DECL_AREA_SIZE bytes, vmalloc_user(),
 * allocated at its first mmap() at RVM_DECL_MMAP_OFFSET and freed when the
 * file is released, after its last mapping is gone) is shared with the
 * process: the uapi header describes the protocol. A transaction begun
 * with RVM_TXN_DECL owns one of its slots until it ends; the process
 * appends ranges there and publishes each by storing its length last.
 *
 * Nothing the process writes is trusted. The module copies each published
 * entry once (rvm_decl_next()) and txn.c declares it the way
 * RVM_IOC_SET_RANGE would, translating @addr through the caller's
 * mappings; the offset the process claims (@off) must be what @addr maps
 * to. Before that, the claimed offsets and addresses are only looked at
 * (rvm_decl_covers_addr(), rvm_decl_mark(), rvm_decl_overlaps()) to
 * decide things that a lie can only weaken for the liar: whether a write
 * fault of the process's own transaction is allowed (protect.c, by
 * address, through the faulting mapping itself), and which bytes of a
 * shared page another running transaction will have declared by the time
 * it commits (so that a commit does not blame its neighbour's bytes).
 *
 * Why slots and not a queue drained at every fault: a write fault holds
 * mmap_lock (or the vma lock) and the page lock, under which the
 * translation and the transaction's mutex cannot be taken (rvm.h's lock
 * order). A fault needs only to know whether the faulting page is
 * declared, which the addresses tell without translating; everything
 * else waits for the transaction's next system call, its end.
 *
 * A slot entry published after its transaction's END (a thread racing its
 * own END) may be read by the slot's next owner, which zeroes only what
 * was reserved when it began: it is then declared through the next
 * owner's caller's mappings, like any entry, so it names only bytes that
 * caller mapped from this same open file. Only the users of one open file
 * (threads, or processes it was passed to) can do that to each other, as
 * racing ioctls of theirs could; nothing outside that file is reachable.
 * Claims are trusted only for transactions of the process that wrote
 * them (protect.c's rvm_prot_masks(), txn.c's rvm_txn_busy_range()).
 *
 * Locking. Slot ownership is a bit in rvm_file.decl_used, taken and
 * released with atomic bit operations. The area pointer is set once under
 * rvm_file.lock and read with smp_load_acquire().
 */
#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/vmalloc.h>

#include "decl.h"
#include "dev.h"

static_assert(sizeof(struct rvm_decl_slot) == RVM_DECL_SLOT_SIZE);
static_assert(RVM_DECL_SLOTS <= BITS_PER_LONG);
static_assert(RVM_DECL_AREA_SIZE % PAGE_SIZE == 0);

static struct rvm_decl_slot *rvm_decl_slot(struct rvm_file *rf, int slot)
{
	/* Pairs with the release in rvm_decl_mmap(): a zeroed area. */
	struct rvm_decl_slot *area = smp_load_acquire(&rf->decl);

	return area + slot;
}

/**
 * rvm_decl_mmap() - map a file's declaration area
 * @rf: the file, bound to a volume
 * @vma: the new mapping, at RVM_DECL_MMAP_OFFSET
 *
 * Return: 0; -EINVAL unless the mapping is shared, writable and exactly
 * RVM_DECL_AREA_SIZE long; -ENOMEM.
 */
int rvm_decl_mmap(struct rvm_file *rf, struct vm_area_struct *vma)
{
	void *area;

	if (vma->vm_end - vma->vm_start != RVM_DECL_AREA_SIZE ||
	    (vma->vm_flags & (VM_SHARED | VM_WRITE)) != (VM_SHARED | VM_WRITE))
		return -EINVAL;
	mutex_lock(&rf->lock);
	area = rf->decl;
	if (!area) {
		area = vmalloc_user(RVM_DECL_AREA_SIZE);
		if (!area) {
			mutex_unlock(&rf->lock);
			return -ENOMEM;
		}
		/* Pairs with rvm_decl_slot(): vmalloc_user() zeroed it. */
		smp_store_release(&rf->decl, area);
	}
	mutex_unlock(&rf->lock);
	/* Sets VM_DONTEXPAND | VM_DONTDUMP; the pages are the area's own. */
	return remap_vmalloc_range(vma, area, 0);
}

/**
 * rvm_decl_free() - free a released file's declaration area
 * @rf: the file, with no mapping and no transaction left
 */
void rvm_decl_free(struct rvm_file *rf)
{
	vfree(rf->decl);
	rf->decl = NULL;
}

/**
 * rvm_decl_get() - give a beginning transaction a declaration slot
 * @rf: the file
 * @tid: the transaction's id
 * @flags: its RVM_TXN_RESTORE or RVM_TXN_NO_RESTORE
 *
 * The slot's header and the entries its last owner reserved are zeroed
 * before @tid is written in it.
 *
 * Return: the slot's index, or -1 if the area is not mapped or every slot
 * is taken.
 */
int rvm_decl_get(struct rvm_file *rf, u64 tid, u32 flags)
{
	struct rvm_decl_slot *s;
	u32 used;
	int slot;

	/* Pairs with the release in rvm_decl_mmap(). */
	if (!smp_load_acquire(&rf->decl))
		return -1;
	do {
		slot = find_first_zero_bit(&rf->decl_used, RVM_DECL_SLOTS);
		if (slot >= RVM_DECL_SLOTS)
			return -1;
	} while (test_and_set_bit_lock(slot, &rf->decl_used));
	s = rvm_decl_slot(rf, slot);
	/*
	 * The entries the last owner reserved (a process that writes others
	 * confuses only its own transactions) and the header; not all 4 KiB
	 * at every begin.
	 */
	used = min_t(u32, READ_ONCE(s->next), RVM_DECL_ENTRIES);
	memset(s, 0,
	       offsetof(struct rvm_decl_slot, ent) + used * sizeof(s->ent[0]));
	WRITE_ONCE(s->flags, flags);
	/* Entries become readable only after the process learns the slot. */
	smp_store_release(&s->tid, tid);
	return slot;
}

/**
 * rvm_decl_put() - a transaction is over: free its slot
 * @rf: the file
 * @slot: the slot, or -1
 */
void rvm_decl_put(struct rvm_file *rf, int slot)
{
	if (slot < 0)
		return;
	WRITE_ONCE(rvm_decl_slot(rf, slot)->tid, 0);
	clear_bit_unlock(slot, &rf->decl_used);
}

/**
 * rvm_decl_next() - copy the next published entry of a slot
 * @rf: the file
 * @slot: the slot
 * @pos: index of the entry; advanced past it
 * @e: where to copy it; @e->len is 1..U64_MAX, nothing else is checked
 *
 * Return: true if there was one.
 */
bool rvm_decl_next(struct rvm_file *rf, int slot, u32 *pos,
		   struct rvm_decl_entry *e)
{
	struct rvm_decl_entry *ent;
	u64 len;

	if (*pos >= RVM_DECL_ENTRIES)
		return false;
	ent = &rvm_decl_slot(rf, slot)->ent[*pos];
	/* Pairs with the process's release store of @len: publication. */
	len = smp_load_acquire(&ent->len);
	if (!len)
		return false;
	e->len = len;
	e->addr = READ_ONCE(ent->addr);
	e->off = READ_ONCE(ent->off);
	e->data = READ_ONCE(ent->data);
	(*pos)++;
	return true;
}

/**
 * rvm_decl_data() - where a restore-mode entry's old bytes are
 * @rf: the file
 * @slot: the slot
 * @e: the entry, copied by rvm_decl_next()
 *
 * Return: a pointer to @e->len bytes in the slot, or NULL if they are not
 * all inside it.
 */
const u8 *rvm_decl_data(struct rvm_file *rf, int slot,
			const struct rvm_decl_entry *e)
{
	u64 end;

	if (check_add_overflow(e->data, e->len, &end) ||
	    end > RVM_DECL_DATA_SIZE)
		return NULL;
	return rvm_decl_slot(rf, slot)->data + e->data;
}

/**
 * rvm_decl_reserved() - how many entries of a slot the process reserved
 * @rf: the file
 * @slot: the slot
 *
 * Context: any; reads the slot only.
 * Return: its @next, at most RVM_DECL_ENTRIES (a lie confuses only the
 * slot's own transaction).
 */
u32 rvm_decl_reserved(struct rvm_file *rf, int slot)
{
	return min_t(u32, READ_ONCE(rvm_decl_slot(rf, slot)->next),
		     RVM_DECL_ENTRIES);
}

/* Calls @fn for each published entry of the slot until it returns true. */
static bool rvm_decl_any(struct rvm_file *rf, int slot,
			 bool (*fn)(const struct rvm_decl_entry *e, u64 a,
				    u64 b, void *arg),
			 u64 a, u64 b, void *arg)
{
	struct rvm_decl_entry e;
	u32 pos = 0;

	while (rvm_decl_next(rf, slot, &pos, &e))
		if (fn(&e, a, b, arg))
			return true;
	return false;
}

/* The end of [@first, @first + @len), saturated. */
static u64 rvm_decl_end(u64 first, u64 len)
{
	u64 end;

	return check_add_overflow(first, len, &end) ? U64_MAX : end;
}

static bool rvm_decl_addr_hit(const struct rvm_decl_entry *e, u64 start,
			      u64 end, void *arg)
{
	return e->addr < end && rvm_decl_end(e->addr, e->len) > start;
}

/**
 * rvm_decl_covers_addr() - does a published entry name a byte of a user
 * range?
 * @rf: the file
 * @slot: the slot
 * @start: first address
 * @len: number of bytes
 *
 * Context: any; reads the slot only.
 * Return: true if one does.
 */
bool rvm_decl_covers_addr(struct rvm_file *rf, int slot, u64 start, u64 len)
{
	return rvm_decl_any(rf, slot, rvm_decl_addr_hit, start, start + len,
			    NULL);
}

static bool rvm_decl_off_hit(const struct rvm_decl_entry *e, u64 start, u64 end,
			     void *arg)
{
	u64 e_end = rvm_decl_end(e->off, e->len);
	unsigned long *mask = arg;
	u64 from, to;

	if (e->off >= end || e_end <= start)
		return false;
	if (!mask)
		return true;
	from = max(e->off, start);
	to = min(e_end, end);
	bitmap_set(mask, from - start, to - from);
	return false;
}

/**
 * rvm_decl_overlaps() - does a published entry claim a byte of a
 * data-segment range?
 * @rf: the file
 * @slot: the slot
 * @off: first byte, in the data segment
 * @len: number of bytes
 *
 * Return: true if one does (by the offset it claims).
 */
bool rvm_decl_overlaps(struct rvm_file *rf, int slot, u64 off, u64 len)
{
	return rvm_decl_any(rf, slot, rvm_decl_off_hit, off, off + len, NULL);
}

/**
 * rvm_decl_mark() - the bytes of a page published entries claim
 * @rf: the file
 * @slot: the slot
 * @idx: data segment page index
 * @mask: PAGE_SIZE bits; the claimed bytes of the page are set
 *
 * Context: any; reads the slot only.
 */
void rvm_decl_mark(struct rvm_file *rf, int slot, unsigned long idx,
		   unsigned long *mask)
{
	u64 start = (u64)idx << PAGE_SHIFT;

	rvm_decl_any(rf, slot, rvm_decl_off_hit, start, start + PAGE_SIZE,
		     mask);
}
