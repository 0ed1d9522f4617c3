// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: the end of a transaction's page protection (see protect.c's header
 * comment for the design). When it ends, a transaction is sealed and its
 * pages are write-protected again in every mapping (rvm_prot_seal(),
 * rvm_prot_reprotect()); then a strict commit compares the pages with
 * their snapshots outside the declared bytes (rvm_prot_check()), an auto
 * commit takes the runs of bytes that changed (rvm_prot_auto_ranges()),
 * an abort puts auto pages back (rvm_prot_restore()), and at the end the
 * bytes it owned are handed over to the snapshots of other transactions
 * on the same pages (rvm_prot_txn_end()).
 */
#include <linux/bitmap.h>
#include <linux/list_sort.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/pid.h>
#include <linux/rmap.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "decl.h"
#include "dev.h"
#include "protect_priv.h"
#include "region.h"
#include "volume.h"

/* Re-protect a commit's scattered pages one by one (rvm_prot_reprotect()). */
static bool rvm_prot_param_mkclean = true;
module_param_named(prot_mkclean, rvm_prot_param_mkclean, bool, 0444);
MODULE_PARM_DESC(prot_mkclean,
		 "re-protect scattered pages by rmap, not by range walks");

/*
 * Pages of a commit closer than this are write-protected by one walk:
 * the pages between cost a page-table entry each, a walk its TLB flush.
 */
#define RVM_PROT_WALK_GAP 16

/*
 * A stretch with fewer written pages than this is re-protected page by
 * page (folio_mkclean(): one rmap walk, one PTE, one page's TLB flush);
 * a denser one by the two range walks of rvm_prot_wp_clean().
 */
#define RVM_PROT_DENSE 4

/*
 * Bytes of @tp's page that other transactions own (declared or claimed in
 * their declaration slots, or the whole page if one joined it in auto mode
 * and @auto_owns), into @skip; @tp's own declared bytes into @own. Returns
 * true if every byte is skipped. Under prot->lock.
 */
static bool rvm_prot_masks(struct rvm_prot *prot, struct rvm_tpage *tp,
			   bool auto_owns, unsigned long *skip,
			   unsigned long *own)
{
	struct rvm_ptxn *pt;
	struct rvm_tpage *o;

	bitmap_zero(skip, PAGE_SIZE);
	if (tp->full)
		bitmap_fill(own, PAGE_SIZE);
	else if (tp->partial)
		bitmap_copy(own, tp->mask, PAGE_SIZE);
	else
		bitmap_zero(own, PAGE_SIZE);
	hlist_for_each_entry(o, rvm_prot_bucket(prot, tp->idx), hnode) {
		if (o == tp || o->idx != tp->idx)
			continue;
		if (o->full || (auto_owns && o->autop))
			return true;
		if (o->partial)
			bitmap_or(skip, skip, o->mask, PAGE_SIZE);
	}
	/*
	 * Claims in slots are not verified until declared: only those of
	 * the same process count, so that what a process writes in its slots
	 * never changes what is checked or logged for another one.
	 */
	hlist_for_each_entry(pt, rvm_prot_txns(prot, tp->pt->tgid), node)
		if (pt != tp->pt && pt->decl >= 0 && pt->tgid == tp->pt->tgid)
			rvm_decl_mark(pt->rf, pt->decl, tp->idx, skip);
	return false;
}

/*
 * Runs of bytes of @cur that differ from @old, are not in @skip and not in
 * @own; runs separated by at most @gap bytes none of which is in @skip are
 * merged. Returns the number of runs, of which the first @max are stored.
 */
static unsigned int rvm_prot_diff(const u8 *cur, const u8 *old,
				  const unsigned long *skip,
				  const unsigned long *own, unsigned int gap,
				  struct rvm_prot_run *runs, unsigned int max)
{
	unsigned int i = 0, n = 0, last_end = 0;
	bool open = false;

	if (!memcmp(cur, old, PAGE_SIZE))
		return 0;
	while (i < PAGE_SIZE) {
		/* Outside a run, equal words are skipped whole. */
		if (!open && IS_ALIGNED(i, sizeof(long)) &&
		    *(const unsigned long *)(cur + i) ==
			    *(const unsigned long *)(old + i)) {
			i += sizeof(long);
			continue;
		}
		if (cur[i] != old[i] && !test_bit(i, skip) &&
		    !test_bit(i, own)) {
			if (!open) {
				if (n < max)
					runs[n].start = i;
				n++;
				open = true;
			}
			if (n <= max)
				runs[n - 1].len = i + 1 - runs[n - 1].start;
			last_end = i + 1;
		} else if (open &&
			   (test_bit(i, skip) || i + 1 - last_end > gap)) {
			open = false;
		}
		i++;
	}
	return n;
}

/*
 * The first run of bytes of @cur that differ from @old outside @skip, in
 * *@start and *@len: only the bytes no transaction declared are compared,
 * a chunk at a time. Returns false if there is none.
 */
static bool rvm_prot_undeclared(const u8 *cur, const u8 *old,
				const unsigned long *skip, unsigned int *start,
				unsigned int *len)
{
	unsigned int b, e, i, j;

	for_each_clear_bitrange(b, e, skip, PAGE_SIZE) {
		if (!memcmp(cur + b, old + b, e - b))
			continue;
		for (i = b; cur[i] == old[i]; i++)
			;
		for (j = i + 1; j < e && cur[j] != old[j]; j++)
			;
		*start = i;
		*len = j - i;
		return true;
	}
	return false;
}

/**
 * rvm_prot_check() - strict mode: did the transaction change undeclared
 * bytes?
 * @vol: the volume
 * @pt: the transaction, sealed and locked by its caller
 *
 * Compares each page the transaction wrote in strict mode with its
 * snapshot, outside the bytes it declared and those other running
 * transactions declared. A violation is logged (rate-limited) and counted
 * in the volume's violations counter.
 *
 * Context: may sleep.
 * Return: 0, -EPROTO if undeclared bytes changed, -ENOMEM.
 */
int rvm_prot_check(struct rvm_volume *vol, struct rvm_ptxn *pt)
{
	struct rvm_prot *prot = &vol->prot;
	struct rvm_prot_scratch *s;
	u64 bad_off = 0, bad_len = 0, bad_runs = 0;
	struct list_head *pos;
	struct rvm_tpage *tp;

	if (list_empty(&pt->pages))
		return 0;
	s = rvm_prot_scratch_get(pt->rf, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	/*
	 * Sealed: no fault adds entries, and only this transaction
	 * removes them, so the walk may drop the lock.
	 */
	spin_lock(&prot->lock);
	for (pos = pt->pages.next; pos != &pt->pages; pos = pos->next) {
		unsigned int start, len;

		tp = list_entry(pos, struct rvm_tpage, node);
		if (!tp->snap || tp->autop || tp->full)
			continue;
		if (rvm_prot_masks(prot, tp, true, s->skip, s->own))
			continue;
		bitmap_or(s->skip, s->skip, s->own, PAGE_SIZE);
		if (rvm_prot_undeclared(page_address(tp->page),
					page_address(tp->snap), s->skip, &start,
					&len)) {
			if (!bad_runs) {
				bad_off = ((u64)tp->idx << PAGE_SHIFT) + start;
				bad_len = len;
			}
			bad_runs++;
		}
		cond_resched_lock(&prot->lock);
	}
	spin_unlock(&prot->lock);
	rvm_prot_scratch_put(pt->rf, s);
	if (!bad_runs)
		return 0;
	atomic64_inc(&vol->stats.violations);
	pr_warn_ratelimited("volume %u: undeclared change at %llu+%llu by %d\n",
			    vol->id, bad_off, bad_len, task_pid_nr(current));
	return -EPROTO;
}

/* Pages rvm_prot_wp_clean() cleans per walk: its bitmap is on the stack. */
#define RVM_PROT_CLEAN_CHUNK 512

/*
 * Write-protect pages [@first, @first + @nr) of the volume in every
 * mapping and clean their PTEs' dirty bits: the one way a transaction's
 * pages are protected again. Cleaning matters: mprotect() from read-only
 * to read-write makes a dirty shared PTE writable without ->page_mkwrite
 * (can_change_pte_writable()), so a write-protected but dirty PTE would
 * let the next writer in unseen. Every page that had a writable PTE is
 * PG_dirty already (rvm_seg_mkwrite(), the rule of segment.c), so the
 * dirty bits tell nothing else: the walk records them in a bitmap that is
 * thrown away. New writers are blocked in
 * ->page_mkwrite by the write protection first, so every PTE that was
 * writable is clean and read-only afterwards; one that a new fault made
 * writable between the two walks may be left writable and clean, which
 * only the transaction that fault admitted relies on.
 */
static void rvm_prot_wp_clean(struct address_space *mapping,
			      unsigned long first, unsigned long nr)
{
	DECLARE_BITMAP(dirty, RVM_PROT_CLEAN_CHUNK);

	wp_shared_mapping_range(mapping, first, nr);
	while (nr) {
		unsigned long n =
			min_t(unsigned long, nr, RVM_PROT_CLEAN_CHUNK);
		pgoff_t start = 0, end = 0;

		bitmap_zero(dirty, RVM_PROT_CLEAN_CHUNK);
		clean_record_shared_mapping_range(mapping, first, n, first,
						  dirty, &start, &end);
		first += n;
		nr -= n;
	}
}

static int rvm_prot_cmp(void *priv, const struct list_head *a,
			const struct list_head *b)
{
	unsigned long ia = list_entry(a, struct rvm_tpage, node)->idx;
	unsigned long ib = list_entry(b, struct rvm_tpage, node)->idx;

	return ia < ib ? -1 : ia > ib;
}

/*
 * Write-protect and clean, in every mapping, the written pages of a
 * stretch: @n pages with a page of their own from @tp on, in [@first,
 * @first + @nr). Each page is locked once, so that a fault that counted
 * the transaction before its seal has made its PTE writable first (it
 * holds the page lock until then). A sparse stretch is done page by page
 * under that lock (folio_mkclean() write-protects and cleans each PTE that
 * maps the page, with one flush each: one walk instead of two); a dense
 * one, after the barrier, by the two range walks.
 */
static void rvm_prot_wp_stretch(struct address_space *mapping,
				struct rvm_ptxn *pt, struct rvm_tpage *tp,
				unsigned long first, unsigned long nr,
				unsigned int n)
{
	bool one = n < RVM_PROT_DENSE && rvm_prot_param_mkclean;

	list_for_each_entry_from(tp, &pt->pages, node) {
		if (!n)
			break;
		if (!tp->page)
			continue;
		lock_page(tp->page);
		if (one)
			folio_mkclean(page_folio(tp->page));
		unlock_page(tp->page);
		n--;
	}
	if (!one)
		rvm_prot_wp_clean(mapping, first, nr);
}

/*
 * Protect the pages a sealed transaction wrote again, in every mapping of
 * the volume: one walk for the written pages of each stretch of the
 * segment (pages closer than RVM_PROT_WALK_GAP), or one per page where
 * they are few. Only unsealed faults add entries: the list is stable.
 */
static void rvm_prot_reprotect(struct rvm_volume *vol, struct rvm_ptxn *pt)
{
	struct address_space *mapping = vol->inode->i_mapping;
	struct rvm_tpage *tp, *from = NULL;
	unsigned long first = 0, nr = 0;
	unsigned int n = 0;

	list_sort(NULL, &pt->pages, rvm_prot_cmp);
	list_for_each_entry(tp, &pt->pages, node) {
		if (!tp->page)
			continue;
		if (n && tp->idx < first + nr + RVM_PROT_WALK_GAP) {
			nr = tp->idx - first + 1;
			n++;
			continue;
		}
		if (n)
			rvm_prot_wp_stretch(mapping, pt, from, first, nr, n);
		from = tp;
		first = tp->idx;
		nr = 1;
		n = 1;
	}
	if (n)
		rvm_prot_wp_stretch(mapping, pt, from, first, nr, n);
	pt->wp_done = true;
}

/**
 * rvm_prot_seal() - stop or restart giving pages to a transaction
 * @vol: the volume
 * @pt: the transaction, locked by its caller
 * @seal: true to seal it before it ends, false if the end failed
 *
 * After sealing, write faults no longer count the transaction, and every
 * fault that counted it has made its PTE writable.
 *
 * Context: may sleep.
 */
void rvm_prot_seal(struct rvm_volume *vol, struct rvm_ptxn *pt, bool seal)
{
	spin_lock(&vol->prot.lock);
	pt->sealed = seal;
	spin_unlock(&vol->prot.lock);
	pt->wp_done = false;
	if (!seal)
		return;
	rvm_prot_reprotect(vol, pt);
}

/**
 * rvm_prot_auto_ranges() - the bytes auto mode adds to a commit
 * @vol: the volume
 * @pt: the sealed transaction
 * @out: set to a kvmalloc'ed array of ranges (offset, length, no data),
 *	or NULL if there is none; the caller frees it
 * @nout: set to their number
 * @bytes: set to the sum of their lengths
 *
 * For each page the transaction joined in auto mode: the runs of bytes
 * that differ from its snapshot, leaving out bytes it declared (logged as
 * declared) and bytes other running transactions declared; runs closer
 * than a range descriptor are merged.
 *
 * Context: may sleep.
 * Return: 0 or -ENOMEM.
 */
int rvm_prot_auto_ranges(struct rvm_volume *vol, struct rvm_ptxn *pt,
			 struct rvm_range_src **out, u32 *nout, u64 *bytes)
{
	struct rvm_prot *prot = &vol->prot;
	struct rvm_range_src *v = NULL, *nv;
	struct rvm_prot_scratch *s;
	u32 n = 0, cap = 0;
	struct rvm_tpage *tp;

	*out = NULL;
	*nout = 0;
	*bytes = 0;
	if (list_empty(&pt->pages))
		return 0;
	s = rvm_prot_scratch_get(pt->rf, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	list_for_each_entry(tp, &pt->pages, node) {
		unsigned int k, nr = 0;

		if (!tp->autop || !tp->snap)
			continue;
		spin_lock(&prot->lock);
		if (!rvm_prot_masks(prot, tp, false, s->skip, s->own))
			nr = rvm_prot_diff(page_address(tp->page),
					   page_address(tp->snap), s->skip,
					   s->own, RVM_PROT_MERGE_GAP, s->runs,
					   RVM_PROT_MAX_RUNS);
		spin_unlock(&prot->lock);
		nr = min_t(unsigned int, nr, RVM_PROT_MAX_RUNS);
		if (n + nr > cap) {
			u32 ncap = max(cap * 2, n + nr);

			nv = kvmalloc_array(ncap, sizeof(*nv), GFP_KERNEL);
			if (!nv)
				goto nomem;
			if (n)
				memcpy(nv, v, n * sizeof(*nv));
			kvfree(v);
			v = nv;
			cap = ncap;
		}
		for (k = 0; k < nr; k++) {
			v[n].offset =
				((u64)tp->idx << PAGE_SHIFT) + s->runs[k].start;
			v[n].len = s->runs[k].len;
			v[n].data = NULL;
			*bytes += s->runs[k].len;
			n++;
		}
		cond_resched();
	}
	rvm_prot_scratch_put(pt->rf, s);
	*out = v;
	*nout = n;
	return 0;
nomem:
	rvm_prot_scratch_put(pt->rf, s);
	kvfree(v);
	*bytes = 0;
	return -ENOMEM;
}

/**
 * rvm_prot_restore() - abort: put back the pages joined in auto mode
 * @vol: the volume
 * @pt: the sealed transaction
 *
 * Bytes that differ from the snapshot go back to it, except those the
 * transaction declared (restored from its set by txn.c) and those other
 * running transactions declared.
 *
 * Context: may sleep.
 */
void rvm_prot_restore(struct rvm_volume *vol, struct rvm_ptxn *pt)
{
	struct rvm_prot *prot = &vol->prot;
	struct rvm_prot_scratch *s;
	struct rvm_tpage *tp;

	s = rvm_prot_scratch_get(pt->rf, GFP_KERNEL | __GFP_NOFAIL);
	list_for_each_entry(tp, &pt->pages, node) {
		unsigned int k, nr = 0;
		u8 *cur, *old;

		if (!tp->autop || !tp->snap)
			continue;
		cur = page_address(tp->page);
		old = page_address(tp->snap);
		spin_lock(&prot->lock);
		if (!rvm_prot_masks(prot, tp, false, s->skip, s->own))
			nr = rvm_prot_diff(cur, old, s->skip, s->own, 0,
					   s->runs, RVM_PROT_MAX_RUNS);
		nr = min_t(unsigned int, nr, RVM_PROT_MAX_RUNS);
		for (k = 0; k < nr; k++)
			memcpy(cur + s->runs[k].start, old + s->runs[k].start,
			       s->runs[k].len);
		spin_unlock(&prot->lock);
		cond_resched();
	}
	rvm_prot_scratch_put(pt->rf, s);
}

/*
 * @tp's transaction is over: copy the bytes it owned (declared, or in
 * auto mode changed) from the page into the snapshots other transactions
 * hold of it, and take @tp out of the hash. Under prot->lock.
 */
static void rvm_prot_hand_over(struct rvm_prot *prot, struct rvm_tpage *tp,
			       struct rvm_prot_scratch *s)
{
	unsigned int i, start, end;
	struct rvm_tpage *o;
	bool any = false;

	hlist_del(&tp->hnode);
	hlist_for_each_entry(o, rvm_prot_bucket(prot, tp->idx), hnode)
		if (o->idx == tp->idx && o->snap)
			any = true;
	if (!any)
		return;

	/* Its declared bytes; in auto mode, also what it changed. */
	if (!rvm_prot_masks(prot, tp, false, s->skip, s->own) && tp->autop &&
	    tp->snap) {
		const u8 *cur = page_address(tp->page);
		const u8 *old = page_address(tp->snap);

		for (i = 0; i < PAGE_SIZE; i++)
			if (cur[i] != old[i] && !test_bit(i, s->skip))
				__set_bit(i, s->own);
	}

	hlist_for_each_entry(o, rvm_prot_bucket(prot, tp->idx), hnode) {
		const u8 *cur;
		u8 *dst;

		if (o->idx != tp->idx || !o->snap)
			continue;
		dst = page_address(o->snap);
		cur = page_address(o->page);
		for_each_set_bitrange(start, end, s->own, PAGE_SIZE)
			memcpy(dst + start, cur + start, end - start);
	}
}

/**
 * rvm_prot_txn_end() - a transaction is over: protect its pages again
 * @vol: the volume
 * @pt: the transaction, sealed if it ever had pages
 *
 * Hands the bytes the transaction owned over to the snapshots of other
 * transactions on the same pages, write-protects the pages it wrote in
 * every mapping of the volume, and frees its entries and snapshots.
 *
 * Context: process context, may sleep; no rvm spinlock held.
 */
void rvm_prot_txn_end(struct rvm_volume *vol, struct rvm_ptxn *pt)
{
	struct rvm_prot_cache *c = &pt->rf->pcache;
	struct rvm_prot *prot = &vol->prot;
	struct rvm_prot_scratch *s;
	struct rvm_tpage *tp, *next;

	spin_lock(&prot->lock);
	pt->sealed = true;
	hlist_del(&pt->node);
	spin_unlock(&prot->lock);
	if (list_empty(&pt->pages))
		goto out;

	s = rvm_prot_scratch_get(pt->rf, GFP_KERNEL | __GFP_NOFAIL);
	/* Only this transaction changes its list now: the lock may drop. */
	spin_lock(&prot->lock);
	list_for_each_entry(tp, &pt->pages, node) {
		rvm_prot_hand_over(prot, tp, s);
		cond_resched_lock(&prot->lock);
	}
	spin_unlock(&prot->lock);
	rvm_prot_scratch_put(pt->rf, s);

	/* Sealing protected them again; this is for an end without one. */
	if (!pt->wp_done)
		rvm_prot_reprotect(vol, pt);

	/* Entries and snapshots go back to the file's cache, or are freed. */
	spin_lock(&prot->lock);
	list_for_each_entry_safe(tp, next, &pt->pages, node) {
		if (tp->snap && c->nsnaps < RVM_PROT_CACHE_MAX) {
			list_add(&tp->snap->lru, &c->snaps);
			c->nsnaps++;
			tp->snap = NULL;
		}
		if (c->ntps < RVM_PROT_CACHE_MAX) {
			list_move(&tp->node, &c->tps);
			c->ntps++;
		}
	}
	spin_unlock(&prot->lock);
	list_for_each_entry_safe(tp, next, &pt->pages, node) {
		if (tp->snap)
			__free_page(tp->snap);
		list_del(&tp->node);
		kfree(tp);
	}
	INIT_LIST_HEAD(&pt->pages);
	pt->npages = 0;
out:
	put_pid(pt->tgid);
	pt->tgid = NULL;
}
