// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: page protection - catch the writes a transaction did not declare.
 *
 * Every mapping of a volume has a protection mode, chosen at mmap() time
 * (RVM_IOC_SET_PROTECT; region.c keeps it in which of its vm_ops the vma
 * got). Since the vm_ops have ->page_mkwrite, the core mm maps the pages
 * read-only and the first write to a page through a mapping faults into
 * rvm_prot_fault(), which decides:
 *
 *  - strict: the writing process (thread group) must run a transaction on
 *    the volume that declared a byte of the page, else SIGSEGV;
 *  - auto: the writing process must run exactly one transaction on the
 *    file the vma was mapped through; the page joins it;
 *  - off: region.c allows the write without coming here.
 *
 * A transaction's first write to a page copies the page (the snapshot),
 * before the write. At commit, strict pages are compared with their
 * snapshots outside the declared bytes (rvm_prot_check(): -EPROTO), auto
 * pages give the runs of bytes that changed (rvm_prot_auto_ranges()), and
 * an abort puts auto pages back from their snapshots (rvm_prot_restore()).
 * When the transaction ends, before any of that, it is sealed
 * (rvm_prot_seal()): its pages are write-protected again, and their PTEs
 * cleaned, in every process (rvm_prot_reprotect()), so that the compare,
 * the diff and the record see pages no one writes any more.
 *
 * Bookkeeping. A transaction's pages are struct rvm_tpage entries: on the
 * transaction's list and in a per-volume hash by page index, so a fault
 * finds every running transaction that has a page. An entry records which
 * bytes the transaction declared (all, a bitmap, or none for a page that
 * only joined in auto mode) and the snapshot. Several transactions, from
 * threads or processes, may have the same page: bytes declared by another
 * running transaction are never counted as violations nor logged by auto
 * diffing, and when a transaction ends, the bytes it owned (declared, or
 * changed in auto mode) are copied into the other transactions' snapshots,
 * so that their own checks and diffs see only their own changes.
 *
 * Locking. rvm_prot.lock, a spinlock, protects all of it: the hash, the
 * lists, the entries and the snapshots' bytes. The fault path runs under
 * mmap_lock (or the vma lock) and the page lock, and so takes no mutex:
 * set_range holds rvm_txn.lock while it takes mmap_lock. What a fault must
 * allocate (an entry, a snapshot) is allocated with the spinlock dropped,
 * and the decision is made again. A transaction that ends is first sealed
 * (faults stop giving it pages), then each of its pages is locked once:
 * a fault that decided before the seal holds the page lock until the PTE
 * is writable, so under that lock folio_mkclean(), or after it
 * wp_shared_mapping_range(), catches every writable PTE the transaction
 * was given.
 *
 * Declaration slots (decl.c). A transaction may have ranges published in
 * its slot that txn.c has not declared yet (it does at the transaction's
 * next system call). A strict write fault counts them by address: a
 * published range that covers a byte of the faulting page, in the
 * faulting mapping, makes the page the transaction's (an entry marked
 * @pend, with a snapshot) exactly as a declared byte would. And the bytes
 * other running transactions claim in their slots count as theirs when a
 * commit, a diff or an abort looks for whose bytes changed
 * (rvm_prot_masks()), so that a neighbour's not yet declared bytes are
 * neither blamed nor logged nor rolled back.
 *
 * Cost (issue 13). Running transactions are hashed by process
 * (rvm_prot.txns), so a fault or a commit looks only at those of its own
 * process; pages by index (rvm_prot.hash). Entries (with their byte mask
 * inside), snapshot pages and the commit's work space come from a cache of
 * the transaction's file, so the common fault and commit allocate nothing.
 * A strict fault that is let in also arms the other pages the process's
 * slots name in the same mapping (rvm_prot_arm()): one fault per
 * transaction instead of one per page. The commit compares only the bytes
 * no transaction declared, and write-protects the pages it wrote with one
 * walk per stretch of close pages, not one per page.
 *
 * Truncation needs no snapshot: it replays the log (truncate.c).
 */
#include <linux/bitmap.h>
#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "decl.h"
#include "dev.h"
#include "protect_priv.h"
#include "region.h"
#include "segment.h"
#include "volume.h"

/* Arm a transaction's other pages at its first write fault (rvm_prot_arm()). */
static bool rvm_prot_param_arm = true;
module_param_named(prot_arm, rvm_prot_param_arm, bool, 0444);
MODULE_PARM_DESC(prot_arm, "strict: a fault arms the slots' other pages");

/**
 * rvm_prot_vol_init() - prepare a volume's protection bookkeeping
 * @vol: the volume being attached
 *
 * Return: 0 or -ENOMEM.
 */
int rvm_prot_vol_init(struct rvm_volume *vol)
{
	struct rvm_prot *prot = &vol->prot;
	unsigned int i;

	spin_lock_init(&prot->lock);
	for (i = 0; i < ARRAY_SIZE(prot->txns); i++)
		INIT_HLIST_HEAD(&prot->txns[i]);
	prot->hash = kvmalloc_array(1U << RVM_PROT_HASH_BITS,
				    sizeof(*prot->hash), GFP_KERNEL);
	if (!prot->hash)
		return -ENOMEM;
	for (i = 0; i < 1U << RVM_PROT_HASH_BITS; i++)
		INIT_HLIST_HEAD(&prot->hash[i]);
	return 0;
}

/**
 * rvm_prot_vol_destroy() - free a volume's protection bookkeeping
 * @vol: the volume, with no transaction left
 */
void rvm_prot_vol_destroy(struct rvm_volume *vol)
{
	kvfree(vol->prot.hash);
	vol->prot.hash = NULL;
}

/**
 * rvm_prot_file_init() - an open file's protection cache, empty
 * @rf: the new file
 */
void rvm_prot_file_init(struct rvm_file *rf)
{
	INIT_LIST_HEAD(&rf->pcache.tps);
	INIT_LIST_HEAD(&rf->pcache.snaps);
}

/**
 * rvm_prot_file_free() - free a released file's protection cache
 * @rf: the file, with no transaction left
 */
void rvm_prot_file_free(struct rvm_file *rf)
{
	struct rvm_prot_cache *c = &rf->pcache;
	struct rvm_tpage *tp, *tn;
	struct page *page, *pn;

	list_for_each_entry_safe(tp, tn, &c->tps, node)
		kfree(tp);
	list_for_each_entry_safe(page, pn, &c->snaps, lru)
		__free_page(page);
	INIT_LIST_HEAD(&c->tps);
	INIT_LIST_HEAD(&c->snaps);
	c->ntps = 0;
	c->nsnaps = 0;
	kfree(c->scratch);
	c->scratch = NULL;
}

/* The first of a cache's lists (@n its length), taken off; or NULL. */
static struct list_head *rvm_prot_cache_pop(struct list_head *list, u32 *n)
{
	struct list_head *e = list->next;

	if (e == list)
		return NULL;
	list_del(e);
	(*n)--;
	return e;
}

/*
 * An entry for a transaction of @rf: *@new if the caller allocated one,
 * else a spare one of @rf, else NULL. Under prot->lock.
 */
static struct rvm_tpage *rvm_prot_take_tp(struct rvm_file *rf,
					  struct rvm_tpage **new)
{
	struct rvm_tpage *tp = *new;
	struct list_head *e;

	*new = NULL;
	if (tp)
		return tp;
	e = rvm_prot_cache_pop(&rf->pcache.tps, &rf->pcache.ntps);
	if (!e)
		return NULL;
	tp = list_entry(e, struct rvm_tpage, node);
	/* The mask is cleared when it is first used. */
	memset(tp, 0, offsetof(struct rvm_tpage, mask));
	return tp;
}

/* A snapshot page, like rvm_prot_take_tp(). Under prot->lock. */
static struct page *rvm_prot_take_snap(struct rvm_file *rf, struct page **new)
{
	struct page *page = *new;
	struct list_head *e;

	*new = NULL;
	if (page)
		return page;
	e = rvm_prot_cache_pop(&rf->pcache.snaps, &rf->pcache.nsnaps);
	return e ? list_entry(e, struct page, lru) : NULL;
}

/*
 * Make sure @rf's cache holds @n entries and @n snapshot pages, as far as
 * allocations succeed. Context: may sleep; no rvm spinlock held.
 */
static void rvm_prot_cache_fill(struct rvm_prot *prot, struct rvm_file *rf,
				unsigned int n)
{
	struct rvm_prot_cache *c = &rf->pcache;
	unsigned int tps, snaps;

	spin_lock(&prot->lock);
	tps = c->ntps < n ? n - c->ntps : 0;
	snaps = c->nsnaps < n ? n - c->nsnaps : 0;
	spin_unlock(&prot->lock);
	while (tps || snaps) {
		struct rvm_tpage *tp = NULL;
		struct page *page = NULL;

		if (tps) {
			tp = kmalloc(sizeof(*tp), GFP_KERNEL_ACCOUNT);
			if (!tp)
				return;
			tps--;
		}
		if (snaps) {
			page = alloc_page(GFP_KERNEL_ACCOUNT);
			if (!page) {
				kfree(tp);
				return;
			}
			snaps--;
		}
		spin_lock(&prot->lock);
		if (tp && c->ntps < RVM_PROT_CACHE_MAX) {
			list_add(&tp->node, &c->tps);
			c->ntps++;
			tp = NULL;
		}
		if (page && c->nsnaps < RVM_PROT_CACHE_MAX) {
			list_add(&page->lru, &c->snaps);
			c->nsnaps++;
			page = NULL;
		}
		spin_unlock(&prot->lock);
		kfree(tp);
		if (page)
			__free_page(page);
	}
}

/**
 * rvm_prot_scratch_get() - the work space of a commit or an abort
 * @rf: the transaction's file, whose cache may hold one
 * @gfp: how to allocate one if it does not
 *
 * Return: the work space, or NULL if it could not be allocated.
 */
struct rvm_prot_scratch *rvm_prot_scratch_get(struct rvm_file *rf, gfp_t gfp)
{
	struct rvm_prot_scratch *s = xchg(&rf->pcache.scratch, NULL);

	return s ? s : kmalloc(sizeof(*s), gfp);
}

/**
 * rvm_prot_scratch_put() - give back what rvm_prot_scratch_get() returned
 * @rf: the file
 * @s: the work space, or NULL: kept in @rf's cache if it has none, or freed
 */
void rvm_prot_scratch_put(struct rvm_file *rf, struct rvm_prot_scratch *s)
{
	if (s && cmpxchg(&rf->pcache.scratch, NULL, s))
		kfree(s);
}

/**
 * rvm_prot_txn_begin() - a transaction begins: let faults find it
 * @vol: its volume
 * @pt: its protection state, zeroed
 * @rf: the file it runs on
 *
 * The current process becomes the transaction's owner: only its writes
 * fault pages into the transaction.
 */
void rvm_prot_txn_begin(struct rvm_volume *vol, struct rvm_ptxn *pt,
			struct rvm_file *rf)
{
	INIT_LIST_HEAD(&pt->pages);
	pt->rf = rf;
	pt->decl = -1;
	pt->tgid = get_pid(task_tgid(current));
	spin_lock(&vol->prot.lock);
	hlist_add_head(&pt->node, rvm_prot_txns(&vol->prot, pt->tgid));
	spin_unlock(&vol->prot.lock);
}

/* The transaction's entry for page @idx, or NULL. Under prot->lock. */
static struct rvm_tpage *rvm_prot_find(struct rvm_prot *prot,
				       struct rvm_ptxn *pt, unsigned long idx)
{
	struct rvm_tpage *tp;

	hlist_for_each_entry(tp, rvm_prot_bucket(prot, idx), hnode)
		if (tp->idx == idx && tp->pt == pt)
			return tp;
	return NULL;
}

static void rvm_prot_insert(struct rvm_prot *prot, struct rvm_ptxn *pt,
			    struct rvm_tpage *tp, unsigned long idx)
{
	tp->pt = pt;
	tp->idx = idx;
	hlist_add_head(&tp->hnode, rvm_prot_bucket(prot, idx));
	list_add_tail(&tp->node, &pt->pages);
	pt->npages++;
}

/**
 * rvm_prot_declare() - note bytes declared by set_range
 * @vol: the volume
 * @pt: the transaction, locked by its caller
 * @off: first byte, in the data segment
 * @len: number of bytes
 *
 * Called after the bytes are in the transaction's set, so that a byte
 * counted as declared here is always logged at commit.
 *
 * Context: process context, may sleep.
 * Return: 0 or -ENOMEM (some pages then are not marked, and writes to
 * them in strict mode fault with SIGSEGV until set_range is repeated).
 */
int rvm_prot_declare(struct rvm_volume *vol, struct rvm_ptxn *pt, u64 off,
		     u64 len)
{
	struct rvm_prot *prot = &vol->prot;
	struct rvm_tpage *tp, *new = NULL;
	u64 end = off + len;

	while (off < end) {
		unsigned long idx = off >> PAGE_SHIFT;
		unsigned int start = offset_in_page(off);
		unsigned int n = min_t(u64, end - off, PAGE_SIZE - start);

		spin_lock(&prot->lock);
		tp = rvm_prot_find(prot, pt, idx);
		if (!tp) {
			tp = rvm_prot_take_tp(pt->rf, &new);
			if (!tp) {
				spin_unlock(&prot->lock);
				new = kmalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
				if (!new)
					return -ENOMEM;
				memset(new, 0,
				       offsetof(struct rvm_tpage, mask));
				continue;
			}
			rvm_prot_insert(prot, pt, tp, idx);
		}
		if (n == PAGE_SIZE) {
			tp->full = true;
		} else if (!tp->full) {
			if (!tp->partial) {
				bitmap_zero(tp->mask, PAGE_SIZE);
				tp->partial = true;
			}
			bitmap_set(tp->mask, start, n);
			if (bitmap_full(tp->mask, PAGE_SIZE))
				tp->full = true;
		}
		if (tp->full)
			tp->partial = false;
		spin_unlock(&prot->lock);
		off += n;
		cond_resched();
	}
	kfree(new);
	return 0;
}

/**
 * rvm_prot_read_old() - read bytes as they were before a transaction
 * @vol: the volume
 * @pt: the transaction, locked by its caller
 * @off: first byte, in the data segment
 * @dst: where to copy @len bytes
 * @len: number of bytes
 * @alt: where the old bytes are if not in a snapshot, or NULL
 * @alt_idx: with @alt, the index of the slot entry @alt belongs to
 *
 * Bytes of pages the transaction wrote come from their snapshots, so that
 * a range declared after it was changed still aborts to its old value;
 * the others from @alt or else the volume's pages.
 *
 * Except the bytes of a slot entry reserved before the page's snapshot
 * was taken: those come from @alt. Threads share PTEs, so once a fault of
 * one thread made a page writable, another writes the bytes it published
 * without a fault; its own snapshot of the page is taken later (at its
 * next fault after a re-protection) and holds its new bytes, while the
 * slot holds the bytes as they were when the entry was published, before
 * the write (librvm copies them before it publishes, and publishes before
 * it writes). An entry reserved after the snapshot was published after
 * it, so the snapshot is older and holds the old bytes even if the
 * process changed them before declaring them.
 *
 * Context: may sleep.
 * Return: 0 or what rvm_region_read() returns.
 */
int rvm_prot_read_old(struct rvm_volume *vol, struct rvm_ptxn *pt, u64 off,
		      void *dst, u64 len, const u8 *alt, u32 alt_idx)
{
	struct rvm_prot *prot = &vol->prot;
	struct rvm_tpage *tp;
	int ret;

	while (len) {
		unsigned int start = offset_in_page(off);
		unsigned int n = min_t(u64, len, PAGE_SIZE - start);
		bool done = false;

		spin_lock(&prot->lock);
		tp = rvm_prot_find(prot, pt, off >> PAGE_SHIFT);
		if (tp && tp->snap && !(alt && alt_idx < tp->snap_next)) {
			memcpy(dst, page_address(tp->snap) + start, n);
			done = true;
		}
		spin_unlock(&prot->lock);
		if (!done && alt) {
			memcpy(dst, alt, n);
		} else if (!done) {
			ret = rvm_region_read(vol, off, dst, n);
			if (ret)
				return ret;
		}
		if (alt)
			alt += n;
		dst += n;
		off += n;
		len -= n;
	}
	return 0;
}

/*
 * Give @tp a snapshot of @page (*@new_snap, else a spare page of its
 * file), and note how many entries of its transaction's slot were
 * reserved by then. Returns false if there is no page. Under prot->lock.
 */
static bool rvm_prot_snap(struct rvm_tpage *tp, struct page *page,
			  struct page **new_snap)
{
	struct rvm_ptxn *pt = tp->pt;
	struct page *snap = rvm_prot_take_snap(pt->rf, new_snap);

	if (!snap)
		return false;
	copy_highpage(snap, page);
	atomic64_inc(&pt->rf->vol->stats.snapshots);
	tp->snap = snap;
	tp->page = page;
	tp->snap_next = pt->decl >= 0 ? rvm_decl_reserved(pt->rf, pt->decl) : 0;
	return true;
}

/* What rvm_prot_decide() needs allocated before it can decide. */
#define RVM_PROT_NEED_TP 1
#define RVM_PROT_NEED_SNAP 2

/*
 * The decision of a write to page @idx (@page, at user address @address
 * of a mapping of @rf), under prot->lock. Returns 0 to allow,
 * RVM_PROT_NEED_* when *@new_tp or *@new_snap must be allocated first, or
 * -EPERM with *@why set.
 */
static int rvm_prot_decide(struct rvm_prot *prot, struct rvm_file *rf,
			   unsigned long idx, struct page *page,
			   unsigned long address, u32 mode,
			   struct rvm_tpage **new_tp, struct page **new_snap,
			   const char **why)
{
	struct pid *tgid = task_tgid(current);
	struct hlist_head *txns = rvm_prot_txns(prot, tgid);
	struct rvm_ptxn *pt, *mine = NULL;
	struct rvm_tpage *tp;
	unsigned int n = 0;
	bool ok = false;

	if (mode == RVM_PROT_STRICT) {
		/* Ranges of its slot cover the page: it joins the transaction. */
		hlist_for_each_entry(pt, txns, node) {
			if (pt->tgid != tgid || pt->sealed || pt->decl < 0)
				continue;
			tp = rvm_prot_find(prot, pt, idx);
			if (tp && tp->pend)
				continue;
			if (!rvm_decl_covers_addr(pt->rf, pt->decl, address,
						  PAGE_SIZE))
				continue;
			if (!tp) {
				tp = rvm_prot_take_tp(pt->rf, new_tp);
				if (!tp)
					return RVM_PROT_NEED_TP;
				rvm_prot_insert(prot, pt, tp, idx);
			}
			tp->pend = true;
		}
		/* Every declaring transaction of the process gets a snapshot. */
		hlist_for_each_entry(tp, rvm_prot_bucket(prot, idx), hnode) {
			if (tp->idx != idx || tp->pt->tgid != tgid ||
			    tp->pt->sealed || !rvm_tpage_declared(tp))
				continue;
			ok = true;
			if (!tp->snap && !rvm_prot_snap(tp, page, new_snap))
				return RVM_PROT_NEED_SNAP;
		}
		*why = "outside declared ranges: SIGSEGV";
		return ok ? 0 : -EPERM;
	}

	hlist_for_each_entry(pt, txns, node) {
		if (pt->rf == rf && pt->tgid == tgid && !pt->sealed) {
			mine = pt;
			n++;
		}
	}
	if (n != 1) {
		*why = n ? "in auto mode, several transactions: SIGSEGV" :
			   "in auto mode, no transaction: SIGSEGV";
		return -EPERM;
	}
	tp = rvm_prot_find(prot, mine, idx);
	if (!tp) {
		tp = rvm_prot_take_tp(mine->rf, new_tp);
		if (!tp)
			return RVM_PROT_NEED_TP;
		rvm_prot_insert(prot, mine, tp, idx);
	}
	tp->autop = true;
	if (!tp->snap && !rvm_prot_snap(tp, page, new_snap))
		return RVM_PROT_NEED_SNAP;
	return 0;
}

/* Pages rvm_prot_arm() may make writable, page-table entries it looks at. */
#define RVM_PROT_ARM_PAGES 16
#define RVM_PROT_ARM_VISITS 64
#define RVM_PROT_ARM_RANGES 8

struct rvm_prot_arm {
	struct rvm_volume *vol;
	struct rvm_file *rf;
	struct vm_area_struct *vma;
	unsigned long skip;
	unsigned int visits;
	unsigned int armed;
};

/*
 * One page-table entry of a range rvm_prot_arm() arms, under its PTE lock:
 * a read-only present page that the decision of a write fault would let
 * in, with no allocation, becomes writable as do_wp_page() would make it,
 * once rvm_seg_mkwrite() has marked it dirty (it does not sleep here).
 */
static int rvm_prot_arm_pte(pte_t *ptep, unsigned long addr, void *data)
{
	struct rvm_prot_arm *a = data;
	struct vm_area_struct *vma = a->vma;
	struct rvm_prot *prot = &a->vol->prot;
	struct rvm_tpage *no_tp = NULL;
	struct page *no_snap = NULL;
	pte_t pte = ptep_get(ptep);
	const char *why;
	struct page *page;
	int err;

	if (++a->visits > RVM_PROT_ARM_VISITS || a->armed >= RVM_PROT_ARM_PAGES)
		return -E2BIG;
	if (addr == a->skip || !(vma->vm_flags & VM_WRITE) ||
	    !pte_present(pte) || pte_write(pte) || pte_protnone(pte) ||
	    pte_special(pte))
		return 0;
	page = pte_page(pte);
	/* Never waits: the faulting page's lock is held. */
	if (!trylock_page(page))
		return 0;
	spin_lock(&prot->lock);
	err = rvm_prot_decide(prot, a->rf, linear_page_index(vma, addr), page,
			      addr, RVM_PROT_STRICT, &no_tp, &no_snap, &why);
	spin_unlock(&prot->lock);
	/* The rule of every writable PTE (segment.c); or left to fault. */
	if (!err && !rvm_seg_mkwrite(&a->vol->seg, page, false, GFP_NOWAIT)) {
		pte = rvm_compat_pte_mkwrite(pte_mkdirty(pte_mkyoung(pte)));
		set_pte_at(vma->vm_mm, addr, ptep, pte);
		a->armed++;
	}
	unlock_page(page);
	return 0;
}

/*
 * Strict mode, a write fault was let in: make the other pages the
 * process's transactions published in their slots, in the same mapping,
 * writable now, so that the transaction takes one fault, not one per
 * page. Each page is decided as its own fault would be (the same rules,
 * the same snapshot, under its page lock, so that a commit's seal waits
 * for it), with entries and snapshots of the cache of the mapping's
 * file, topped up first; a page not mapped yet, one whose decision needs
 * more than the cache holds, or whose lock is taken, is left to fault.
 * The faulting page's lock is held: others are only tried. Bounded:
 * RVM_PROT_ARM_RANGES ranges, RVM_PROT_ARM_VISITS page-table entries.
 */
static void rvm_prot_arm(struct vm_fault *vmf, struct rvm_volume *vol)
{
	struct vm_area_struct *vma = vmf->vma;
	struct rvm_prot *prot = &vol->prot;
	struct pid *tgid = task_tgid(current);
	unsigned long start[RVM_PROT_ARM_RANGES], end[RVM_PROT_ARM_RANGES];
	struct rvm_prot_arm a = {
		.vol = vol,
		.rf = vma->vm_file->private_data,
		.vma = vma,
		.skip = vmf->address & PAGE_MASK,
	};
	unsigned int n = 0, i;
	struct rvm_ptxn *pt;

	spin_lock(&prot->lock);
	hlist_for_each_entry(pt, rvm_prot_txns(prot, tgid), node) {
		struct rvm_decl_entry e;
		u32 pos = 0;

		if (pt->tgid != tgid || pt->sealed || pt->decl < 0)
			continue;
		while (n < RVM_PROT_ARM_RANGES &&
		       rvm_decl_next(pt->rf, pt->decl, &pos, &e)) {
			u64 s = max_t(u64, e.addr, vma->vm_start), t;

			if (check_add_overflow(e.addr, e.len, &t))
				t = U64_MAX;
			t = min_t(u64, t, vma->vm_end);
			if (s >= t)
				continue;
			start[n] = s & PAGE_MASK;
			end[n] = PAGE_ALIGN(t);
			n++;
		}
	}
	spin_unlock(&prot->lock);
	if (!n)
		return;
	/* What the decisions take, allocated here: they cannot allocate. */
	rvm_prot_cache_fill(prot, a.rf, n);
	for (i = 0; i < n; i++) {
		unsigned long len = end[i] - start[i];
		struct mm_struct *mm = vma->vm_mm;

		int err = apply_to_existing_page_range(mm, start[i], len,
						       rvm_prot_arm_pte, &a);

		if (err == -E2BIG)
			break;
	}
}

/**
 * rvm_prot_fault() - decide a write fault in strict or auto mode
 * @vmf: the fault; its page is locked by the caller
 * @vol: the vma's volume
 * @mode: the vma's mode, RVM_PROT_STRICT or RVM_PROT_AUTO
 *
 * Context: the fault path: mmap_lock or the vma lock, and the page lock,
 * held; may sleep to allocate.
 * Return: 0 to allow the write, VM_FAULT_SIGSEGV to refuse it (logged,
 * rate-limited), VM_FAULT_OOM.
 */
vm_fault_t rvm_prot_fault(struct vm_fault *vmf, struct rvm_volume *vol,
			  u32 mode)
{
	struct rvm_file *rf = vmf->vma->vm_file->private_data;
	struct rvm_prot *prot = &vol->prot;
	struct rvm_tpage *new_tp = NULL;
	struct page *new_snap = NULL;
	const char *why = NULL;
	vm_fault_t ret = 0;
	int err;

	atomic64_inc(&vol->stats.prot_faults);
	for (;;) {
		spin_lock(&prot->lock);
		err = rvm_prot_decide(prot, rf, vmf->pgoff, vmf->page,
				      vmf->address, mode, &new_tp, &new_snap,
				      &why);
		spin_unlock(&prot->lock);
		if (err <= 0)
			break;
		if (err == RVM_PROT_NEED_TP) {
			new_tp = kmalloc(sizeof(*new_tp), GFP_KERNEL_ACCOUNT);
			if (!new_tp) {
				ret = VM_FAULT_OOM;
				goto out;
			}
			memset(new_tp, 0, offsetof(struct rvm_tpage, mask));
		}
		if (err == RVM_PROT_NEED_SNAP) {
			new_snap = alloc_page(GFP_KERNEL_ACCOUNT);
			if (!new_snap) {
				ret = VM_FAULT_OOM;
				goto out;
			}
		}
	}
	if (err) {
		u64 off = ((u64)vmf->pgoff << PAGE_SHIFT) +
			  offset_in_page(vmf->real_address);

		pr_warn_ratelimited("volume %u: %s[%d] wrote at %llu %s\n",
				    vol->id, current->comm,
				    task_pid_nr(current), off, why);
		ret = VM_FAULT_SIGSEGV;
	} else if (mode == RVM_PROT_STRICT && READ_ONCE(rvm_prot_param_arm)) {
		rvm_prot_arm(vmf, vol);
	}
out:
	kfree(new_tp);
	if (new_snap)
		__free_page(new_snap);
	return ret;
}

/**
 * rvm_prot_page_busy() - does a running transaction hold a page?
 * @vol: the volume
 * @idx: data segment page index
 *
 * A transaction that declared or wrote a page may need its bytes in memory
 * (its snapshot's page, its restore) until it is over: segment.c keeps
 * such a page dirty.
 *
 * Return: true if a running transaction has an entry for page @idx.
 */
bool rvm_prot_page_busy(struct rvm_volume *vol, unsigned long idx)
{
	struct rvm_prot *prot = &vol->prot;
	struct rvm_tpage *tp;
	bool busy = false;

	spin_lock(&prot->lock);
	hlist_for_each_entry(tp, rvm_prot_bucket(prot, idx), hnode)
		if (tp->idx == idx) {
			busy = true;
			break;
		}
	spin_unlock(&prot->lock);
	return busy;
}
