// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: a data segment's pages in memory - the page store.
 *
 * The resident pages of a volume's data segments are the page cache of its
 * anon inode (seg->inode->i_mapping, the same address_space every mapping
 * of the volume uses), indexed by volume offset (RVM_SEG_OFFSET(id, off),
 * the uapi rvm.h) >> PAGE_SHIFT, so that one store, one state array and one clean
 * pass serve every segment: loaded from the segment on first use, by a
 * fault or by a transaction reading or restoring bytes (rvm_seg_get_page()),
 * charged to the memory cgroup of the process that loads them
 * (filemap_add_folio()), on the kernel's LRU lists, and reclaimed by it
 * like any file page: a clean page is unmapped from every process and
 * freed, and read back from the segment at the next fault or access. A
 * page goes into the page cache locked before it is read, and is unlocked
 * once uptodate (rvm_seg_load()): whoever finds it meanwhile waits. A fault
 * that comes right after the pages the last load of its file brought in
 * reads ahead (rvm_seg_fault_page()): sequential reads of a large segment
 * take one I/O per RVM_SEG_RA_MAX pages, random ones one per page, as
 * before. rvm_seg_read() and rvm_seg_load() split a page's volume offset
 * into the segment (struct rvm_dseg, dseg.c) and the offset in it.
 *
 * Clean and dirty. The anon inode's address_space has no ->writepage, so
 * reclaim never drops a dirty page (PG_dirty): it puts it back on the
 * active list. A page is dirty while its in-memory bytes may differ from
 * its committed image in the segment, and then it has a struct rvm_pstate
 * in seg->state, charged to the memory cgroup of whoever dirtied it:
 *
 *  - a PTE of it is about to be made writable: a write fault that
 *    protect.c allowed, or protect.c arming it (rvm_seg_mkwrite(), under
 *    the page lock: the one rule every writable PTE keeps);
 *    a write through a protection-off mapping marks it RVM_PS_OFF, for good
 *    (see below);
 *  - a copy into the page (rvm_region_write(), an abort's restore) marks it;
 *  - a commit counts itself in flight on every page of its record
 *    (rvm_seg_commit_start(), before the transaction's pages leave
 *    protect.c), and once the log gave it its commit number, it leaves that
 *    number as the page's @mark (rvm_seg_commit_done()).
 *
 * Only the clean pass after a truncation (rvm_seg_clean()) makes a page
 * clean again, when its committed image is in the segment: no commit is in
 * flight on it, every commit it carries (@mark) has been truncated (see
 * checkpoints), no running transaction declared or wrote it
 * (rvm_prot_page_busy(): that also covers snapshots, which only running
 * transactions hold), it was never written through a protection-off
 * mapping, and no PTE was dirtied behind our back (folio_mkclean(), which
 * also write-protects the page so that the next write faults again). All of
 * this is checked under the page lock, which a write fault holds from
 * ->page_mkwrite until the PTE is writable and the page dirty.
 *
 * Checkpoints. Commit numbers (rec->seq) follow the log order, and the log
 * is durable in a prefix. A pair (C, L) such that every commit numbered up
 * to C is durable and ends before lsn L is a checkpoint: a flush commit
 * that returned gives one (its number, log.durable_lsn then), and so does
 * rvm_truncate() after its flush. A truncation takes the newest checkpoint
 * before it reads the durable end it stops at; once it moved the head there
 * (past L), every commit up to C is in the segment (seg->trunc_commit). A
 * no_flush commit's pages stay dirty until a later checkpoint is truncated.
 *
 * Truncation under memory pressure. Dirty pages cannot be reclaimed, so
 * when a segment holds more than seg->pin_limit of them (a sixteenth of the
 * machine's memory), rvm_seg_kick() queues seg->press_work, which runs
 * rvm_truncate(): a flush, a truncation, and the clean pass after it.
 *
 * Protection off. A page written through a protection-off mapping may
 * carry bytes no transaction declared. They were never logged; LRVM loses
 * them at a crash, but until then they are in memory, and a program may
 * rely on reading them back. Dropping the page would lose them without a
 * crash, so such a page stays dirty until the volume is detached.
 *
 * Locks: page lock > seg->lock (a mutex) > xa_lock of seg->state; the
 * clean pass takes i_mmap_rwsem (folio_mkclean()) under the page lock only.
 */
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "dseg.h"
#include "endpoint.h"
#include "log.h"
#include "protect.h"
#include "segment.h"
#include "truncate.h"
#include "volume.h"

/* A page whose bytes must stay: see above. */
struct rvm_pstate {
	u64 mark;
	u32 inflight;
	u32 flags;
};

/* Written through a protection-off mapping: dirty until detach. */
#define RVM_PS_OFF 0x1
/* A commit on it failed (the volume failed): dirty until detach. */
#define RVM_PS_STUCK 0x2

/* The pages of a record, as runs of page indexes (rvm_seg_commit_start()). */
struct rvm_seg_pin {
	u32 n;
	struct {
		unsigned long first;
		unsigned long last;
	} runs[];
};

static void rvm_seg_press_work(struct work_struct *work);

/**
 * rvm_seg_init() - prepare the page store of a volume's data segments
 * @seg: the page store, zeroed
 * @vol: the volume whose log protects them
 * @inode: its anon inode (the address_space of its pages and mappings)
 */
void rvm_seg_init(struct rvm_segment *seg, struct rvm_volume *vol,
		  struct inode *inode)
{
	seg->vol = vol;
	seg->inode = inode;
	/* Page indexes are volume offsets: every segment id fits. */
	BUILD_BUG_ON(sizeof(unsigned long) < 8);
	inode->i_size = RVM_SEG_OFFSET(RVM_SEG_ID_LIMIT, 0);
	mutex_init(&seg->lock);
	xa_init(&seg->state);
	INIT_WORK(&seg->press_work, rvm_seg_press_work);
	seg->pin_limit = max_t(unsigned long, totalram_pages() / 16, 256);
}

/**
 * rvm_seg_quiesce() - wait for the pressure truncation to be over
 * @seg: the segment of a volume being detached, before its log stops
 */
void rvm_seg_quiesce(struct rvm_segment *seg)
{
	if (seg->vol)
		cancel_work_sync(&seg->press_work);
}

/**
 * rvm_seg_destroy() - free the resident pages and their state
 * @seg: the segment, with nothing mapped; costs what is resident
 *
 * A page still referenced by someone else (get_user_pages() of an old
 * mapping) is freed when its last reference goes.
 */
void rvm_seg_destroy(struct rvm_segment *seg)
{
	struct rvm_pstate *ps;
	unsigned long idx;

	if (!seg->vol)
		return;
	cancel_work_sync(&seg->press_work);
	xa_for_each(&seg->state, idx, ps)
		kfree(ps);
	xa_destroy(&seg->state);
	truncate_inode_pages_final(seg->inode->i_mapping);
}

/**
 * rvm_seg_resident() - pages of the segment in memory
 * @seg: the segment
 *
 * Return: their number.
 */
u64 rvm_seg_resident(struct rvm_segment *seg)
{
	return READ_ONCE(seg->inode->i_mapping->nrpages);
}

/*
 * Read page @idx (a volume offset >> PAGE_SHIFT) from its segment into
 * @buf: the one way pages come in. -ENODEV for an absent segment, -EIO
 * for a page outside it.
 */
static int rvm_seg_read(struct rvm_segment *seg, unsigned long idx, void *buf)
{
	u64 voff = (u64)idx << PAGE_SHIFT, pos = RVM_VOFF_OFF(voff);
	struct rvm_dseg *d = rvm_dseg_find(seg->vol, RVM_VOFF_SEG(voff));
	int err;

	if (!d || d->absent)
		err = -ENODEV;
	else if (pos >= d->size)
		err = -EIO;
	else
		err = rvm_ep_read(&d->ep, pos, buf,
				  min_t(u64, PAGE_SIZE, d->size - pos));
	if (!err)
		return 0;
	pr_err_ratelimited("volume %u: read of segment %u page %llu: %d\n",
			   seg->vol->id, RVM_VOFF_SEG(voff), pos >> PAGE_SHIFT,
			   err);
	return err;
}

/**
 * rvm_seg_forget() - drop the pages of a removed segment
 * @seg: the page store
 * @voff: the volume offset of the segment's first byte
 * @len: its size
 *
 * The log names it no more and nothing maps it: its pages and their state
 * go (a page written through a protection-off mapping loses bytes no
 * transaction declared, as at a crash).
 */
void rvm_seg_forget(struct rvm_segment *seg, u64 voff, u64 len)
{
	unsigned long first = voff >> PAGE_SHIFT;
	unsigned long last = (voff + len - 1) >> PAGE_SHIFT;
	struct rvm_pstate *ps;
	unsigned long idx;

	mutex_lock(&seg->lock);
	xa_for_each_range(&seg->state, idx, ps, first, last) {
		xa_erase(&seg->state, idx);
		if (!ps->flags)
			atomic_long_dec(&seg->npinned);
		kfree(ps);
	}
	mutex_unlock(&seg->lock);
	truncate_inode_pages_range(seg->inode->i_mapping, voff, voff + len - 1);
}

/**
 * rvm_seg_kick() - truncate soon if too many pages must stay in memory
 * @seg: the segment
 */
void rvm_seg_kick(struct rvm_segment *seg)
{
	if (atomic_long_read(&seg->npinned) > seg->pin_limit &&
	    time_after_eq(jiffies, READ_ONCE(seg->press_next)))
		queue_work(system_unbound_wq, &seg->press_work);
}

/*
 * Truncate because too many pages are dirty. Pages that only running
 * transactions hold stay dirty whatever it does: at most ten a second.
 */
static void rvm_seg_press_work(struct work_struct *work)
{
	struct rvm_segment *seg =
		container_of(work, struct rvm_segment, press_work);

	atomic64_inc(&seg->press_runs);
	rvm_truncate(seg->vol);
	WRITE_ONCE(seg->press_next, jiffies + HZ / 10);
}

/* Pages one read brings in at most, when a file's faults are sequential. */
#define RVM_SEG_RA_MAX 32

/*
 * Load page @idx and, read ahead, up to @want - 1 pages after it that are
 * absent, in one read: every page is put in the page cache locked and not
 * uptodate first, then read, then marked uptodate and unlocked, so that
 * whoever finds one meanwhile waits for the read (rvm_seg_get_page()), and
 * no image read before another loader's insertion can overwrite it later.
 * A page read ahead is only a whole page of the same segment, and its
 * allocation does not retry. *@got is the number loaded.
 *
 * Return: page @idx with a reference, NULL if another loader inserted it
 * first, or an ERR_PTR (-ENOMEM, the read's error).
 */
static struct page *rvm_seg_load(struct rvm_segment *seg, unsigned long idx,
				 unsigned int want, unsigned int *got)
{
	const gfp_t ra_gfp = GFP_USER | __GFP_MOVABLE | __GFP_NORETRY |
			     __GFP_NOWARN;
	struct address_space *mapping = seg->inode->i_mapping;
	u64 voff = (u64)idx << PAGE_SHIFT, pos = RVM_VOFF_OFF(voff);
	struct page *pages[RVM_SEG_RA_MAX];
	struct rvm_dseg *d = NULL;
	struct folio *folio;
	unsigned int n, i;
	void *buf = NULL;
	int err;

	*got = 0;
	folio = folio_alloc(GFP_USER | __GFP_MOVABLE | __GFP_ZERO, 0);
	if (!folio)
		return ERR_PTR(-ENOMEM);
	err = filemap_add_folio(mapping, folio, idx, GFP_KERNEL);
	if (err) {
		folio_put(folio);
		if (err == -EEXIST)
			return NULL;
		if (err == -ENOMEM)
			rvm_seg_kick(seg);
		return ERR_PTR(err);
	}
	pages[0] = &folio->page;
	n = 1;

	want = min_t(unsigned int, want, RVM_SEG_RA_MAX);
	if (want > 1)
		d = rvm_dseg_find(seg->vol, RVM_VOFF_SEG(voff));
	if (d && !d->absent && pos < d->size)
		want = min_t(u64, want, (d->size - pos) >> PAGE_SHIFT);
	else
		want = 1;
	while (n < want) {
		folio = folio_alloc(ra_gfp, 0);
		if (!folio)
			break;
		if (filemap_add_folio(mapping, folio, idx + n, ra_gfp)) {
			folio_put(folio);
			break;
		}
		pages[n++] = &folio->page;
	}
	if (n > 1)
		buf = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	if (buf) {
		err = rvm_ep_read(&d->ep, pos, buf, (size_t)n << PAGE_SHIFT);
		vunmap(buf);
		/* A bad page read ahead fails nothing: read @idx alone. */
		if (err) {
			buf = NULL;
			err = 0;
		}
	}
	if (!buf)
		err = rvm_seg_read(seg, idx, page_address(pages[0]));

	/*
	 * Pages read ahead go on their own (the cache holds them); a failed
	 * read leaves them not uptodate, and whoever needs one reads it.
	 */
	for (i = 0; i < n; i++) {
		folio = page_folio(pages[i]);
		if (!err && (buf || !i))
			folio_mark_uptodate(folio);
		folio_unlock(folio);
		if (i)
			folio_put(folio);
	}
	if (err) {
		put_page(pages[0]);
		return ERR_PTR(err);
	}
	*got = buf ? n : 1;
	return pages[0];
}

/*
 * Page @idx, loaded if absent with @want - 1 pages read ahead; *@got is
 * how many were loaded (0 if it was resident).
 */
static struct page *rvm_seg_get_pages(struct rvm_segment *seg,
				      unsigned long idx, unsigned int want,
				      unsigned int *got)
{
	struct address_space *mapping = seg->inode->i_mapping;
	struct page *page;
	int err;

	for (;;) {
		*got = 0;
		page = find_get_page(mapping, idx);
		if (page && PageUptodate(page))
			return page;
		if (!page) {
			page = rvm_seg_load(seg, idx, want, got);
			if (page)
				return page;
			continue;
		}
		/* Being read: wait for it. A failed read: read it again. */
		lock_page(page);
		if (page->mapping != mapping) {
			unlock_page(page);
			put_page(page);
			continue;
		}
		err = 0;
		if (!PageUptodate(page)) {
			err = rvm_seg_read(seg, idx, page_address(page));
			if (!err)
				folio_mark_uptodate(page_folio(page));
		}
		unlock_page(page);
		if (!err)
			return page;
		put_page(page);
		return ERR_PTR(err);
	}
}

/**
 * rvm_seg_get_page() - the resident page @idx, loaded if absent
 * @seg: the segment
 * @idx: page index: volume offset >> PAGE_SHIFT, inside a segment
 *
 * A page being loaded by someone else is waited for. The page is charged
 * to the current process's memory cgroup.
 *
 * Return: the page, uptodate, with a reference the caller drops
 * (put_page()), or an ERR_PTR: -ENOMEM (the cgroup's limit too), or the
 * read's error.
 */
struct page *rvm_seg_get_page(struct rvm_segment *seg, unsigned long idx)
{
	unsigned int got;

	return rvm_seg_get_pages(seg, idx, 1, &got);
}

/**
 * rvm_seg_fault_page() - the page a fault maps, with sequential read-ahead
 * @seg: the segment
 * @idx: page index: volume offset >> PAGE_SHIFT, inside a segment
 * @ra: the read-ahead state of the file the vma maps (the core mm leaves
 *	it alone: the vma's ->fault is ours): @ra->start and @ra->size are
 *	the pages the file's last load brought in
 *
 * A fault that loads the page right after the last load's pages is
 * sequential: it reads twice as many pages as that load, up to
 * RVM_SEG_RA_MAX, in one I/O. Any other load reads the one page, so that
 * random faults cost what they did. Threads of a file race on @ra
 * harmlessly: it is only a hint.
 *
 * Return: as rvm_seg_get_page().
 */
struct page *rvm_seg_fault_page(struct rvm_segment *seg, unsigned long idx,
				struct file_ra_state *ra)
{
	pgoff_t start = READ_ONCE(ra->start);
	unsigned int size = READ_ONCE(ra->size), want = 1, got;
	struct page *page;

	if (size && idx == start + size)
		want = min_t(unsigned int, 2 * size, RVM_SEG_RA_MAX);
	page = rvm_seg_get_pages(seg, idx, want, &got);
	if (got) {
		WRITE_ONCE(ra->start, idx);
		WRITE_ONCE(ra->size, got);
	}
	return page;
}

/*
 * The state of page @idx, created (with *@spare, which is then used up)
 * if absent. Under seg->lock. NULL if absent and no @spare, or ERR_PTR.
 */
static struct rvm_pstate *rvm_seg_state(struct rvm_segment *seg,
					unsigned long idx,
					struct rvm_pstate **spare)
{
	struct rvm_pstate *ps = xa_load(&seg->state, idx);
	int err;

	if (ps || !*spare)
		return ps;
	ps = *spare;
	memset(ps, 0, sizeof(*ps));
	err = xa_insert(&seg->state, idx, ps, GFP_KERNEL_ACCOUNT);
	if (err)
		return ERR_PTR(err);
	*spare = NULL;
	atomic_long_inc(&seg->npinned);
	return ps;
}

/*
 * OR sticky @flags into @ps. A page with one stays dirty until detach and
 * no truncation can help: it no longer counts in @npinned. Under seg->lock.
 */
static void rvm_seg_stick(struct rvm_segment *seg, struct rvm_pstate *ps,
			  u32 flags)
{
	if (flags && !ps->flags)
		atomic_long_dec(&seg->npinned);
	ps->flags |= flags;
}

static struct rvm_pstate *rvm_seg_spare(void)
{
	return kmalloc(sizeof(struct rvm_pstate), GFP_KERNEL_ACCOUNT);
}

/*
 * Page @idx is (about to be) dirty: give it a state if it has none, and OR
 * @flags into it. Under seg->lock. 0 or -ENOMEM.
 */
static int rvm_seg_note(struct rvm_segment *seg, unsigned long idx, u32 flags,
			struct rvm_pstate **spare)
{
	struct rvm_pstate *ps = rvm_seg_state(seg, idx, spare);

	if (IS_ERR_OR_NULL(ps))
		return -ENOMEM;
	rvm_seg_stick(seg, ps, flags);
	return 0;
}

/**
 * rvm_seg_mkwrite() - a PTE of a data page is about to be made writable
 * @seg: the segment
 * @page: the page, resident and locked
 * @off_mode: through a protection-off mapping (then @gfp may sleep)
 * @gfp: GFP_KERNEL where the caller may sleep, GFP_NOWAIT under a PTE lock
 *
 * The boundary rule of the page store: every writable PTE of a data page
 * implies a PG_dirty folio with a state in seg->state. Reclaim never drops
 * a PG_dirty page, and only the clean pass, which finds pages by their
 * state, makes one clean. A commit's re-protection (protect.c) clears the
 * PTEs' dirty bits, so a PTE that was writable on a page without PG_dirty
 * would leave nothing to say its bytes differ from the segment's, and
 * reclaim could drop committed bytes not yet truncated.
 *
 * Every path that makes a data page's PTE writable calls this first, with
 * the page locked: a write fault (->page_mkwrite, after protect.c let it
 * in; the core mm makes the PTE writable after it returns) and protect.c's
 * arming of a transaction's other pages (which sets the PTE itself, under
 * its lock). No other path makes one writable: the mappings have
 * ->page_mkwrite, so read faults and fault-around map read-only, and
 * mprotect() makes writable only PTEs that are dirty, whose page is
 * PG_dirty by this rule (the clean pass write-protects and cleans a page's
 * PTEs before it clears PG_dirty).
 *
 * The state is found or created under seg->lock; a caller under a PTE
 * lock (@gfp does not allow sleeping) only tries it.
 *
 * Return: 0; -ENOMEM, or -EBUSY (seg->lock taken, without sleeping): the
 * PTE must then stay read-only.
 */
int rvm_seg_mkwrite(struct rvm_segment *seg, struct page *page, bool off_mode,
		    gfp_t gfp)
{
	gfp_t g = gfp | __GFP_ACCOUNT | __GFP_NOWARN;
	unsigned long idx = page->index;
	struct rvm_pstate *spare = NULL, *ps;

	if (!xa_load(&seg->state, idx)) {
		spare = kzalloc(sizeof(*spare), g);
		if (!spare)
			return -ENOMEM;
	}
	if (gfpflags_allow_blocking(gfp)) {
		mutex_lock(&seg->lock);
	} else if (!mutex_trylock(&seg->lock)) {
		kfree(spare);
		return -EBUSY;
	}
	ps = xa_load(&seg->state, idx);
	if (!ps && spare && !xa_insert(&seg->state, idx, spare, g)) {
		ps = spare;
		spare = NULL;
		atomic_long_inc(&seg->npinned);
	}
	if (ps && off_mode)
		rvm_seg_stick(seg, ps, RVM_PS_OFF);
	mutex_unlock(&seg->lock);
	kfree(spare);
	if (!ps)
		return -ENOMEM;
	folio_mark_dirty(page_folio(page));
	rvm_seg_kick(seg);
	return 0;
}

/**
 * rvm_seg_copy() - copy between a kernel buffer and the pages
 * @seg: the segment
 * @off: byte offset in the segment, with @len inside it
 * @buf: kernel buffer of @len bytes
 * @len: number of bytes
 * @to_pages: copy into the pages (they become dirty), else out of them
 *
 * Return: 0; or -ENOMEM, -EIO (or the device's error) if a page cannot be
 * loaded, in which case the bytes before that page have been copied.
 */
int rvm_seg_copy(struct rvm_segment *seg, u64 off, void *buf, u64 len,
		 bool to_pages)
{
	struct rvm_pstate *spare = NULL;
	struct page *page;
	size_t poff, n;
	int err = 0;

	while (len) {
		page = rvm_seg_get_page(seg, off >> PAGE_SHIFT);
		if (IS_ERR(page)) {
			err = PTR_ERR(page);
			break;
		}
		poff = offset_in_page(off);
		n = min_t(u64, len, PAGE_SIZE - poff);
		if (to_pages) {
			if (!spare)
				spare = rvm_seg_spare();
			mutex_lock(&seg->lock);
			err = spare ? rvm_seg_note(seg, page->index, 0,
						   &spare) :
				      -ENOMEM;
			mutex_unlock(&seg->lock);
			if (err) {
				put_page(page);
				break;
			}
			/* Dirty before the bytes change: reclaim keeps it. */
			folio_mark_dirty(page_folio(page));
			memcpy(page_address(page) + poff, buf, n);
		} else {
			memcpy(buf, page_address(page) + poff, n);
		}
		put_page(page);
		buf += n;
		off += n;
		len -= n;
		cond_resched();
	}
	kfree(spare);
	if (to_pages)
		rvm_seg_kick(seg);
	return err;
}

/**
 * rvm_seg_commit_start() - a record is about to be committed
 * @seg: the segment
 * @rec: the record, built: its ranges are inside the segment
 *
 * Counts the commit in flight on every page of the record, so that none of
 * them is made clean until rvm_seg_commit_done(). Called before the
 * transaction's pages leave protect.c.
 *
 * Return: the handle for rvm_seg_commit_done(), or ERR_PTR(-ENOMEM) (then
 * nothing is counted).
 */
struct rvm_seg_pin *rvm_seg_commit_start(struct rvm_segment *seg,
					 const struct rvm_rec *rec)
{
	struct rvm_pstate *spare = NULL, *ps;
	struct rvm_seg_pin *pin;
	unsigned long idx;
	u32 i, n = 0;

	pin = kvmalloc(struct_size(pin, runs, rec->nranges),
		       GFP_KERNEL_ACCOUNT);
	if (!pin)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < rec->nranges; i++) {
		u64 off = rec->ranges[i].offset, len = rec->ranges[i].len;
		unsigned long first = off >> PAGE_SHIFT;
		unsigned long last = (off + len - 1) >> PAGE_SHIFT;

		if (!len)
			continue;
		/* Overlapping runs would only count a page twice, both ways. */
		if (n && first >= pin->runs[n - 1].first &&
		    first <= pin->runs[n - 1].last + 1) {
			pin->runs[n - 1].last =
				max(pin->runs[n - 1].last, last);
			continue;
		}
		pin->runs[n].first = first;
		pin->runs[n].last = last;
		n++;
	}
	pin->n = n;

	for (i = 0; i < n; i++) {
		for (idx = pin->runs[i].first; idx <= pin->runs[i].last;
		     idx++) {
			if (!spare)
				spare = rvm_seg_spare();
			mutex_lock(&seg->lock);
			ps = spare ? rvm_seg_state(seg, idx, &spare) : NULL;
			if (!IS_ERR_OR_NULL(ps))
				ps->inflight++;
			mutex_unlock(&seg->lock);
			if (IS_ERR_OR_NULL(ps))
				goto undo;
		}
		cond_resched();
	}
	kfree(spare);
	rvm_seg_kick(seg);
	return pin;

undo:
	kfree(spare);
	pin->n = i;
	if (idx > pin->runs[i].first) {
		pin->runs[i].last = idx - 1;
		pin->n++;
	}
	rvm_seg_commit_done(seg, pin, 0, 0, false);
	return ERR_PTR(-ENOMEM);
}

/**
 * rvm_seg_checkpoint() - every commit up to @commit is durable before @lsn
 * @seg: the segment
 * @commit: a commit number
 * @lsn: log position at or after the end of its record
 */
void rvm_seg_checkpoint(struct rvm_segment *seg, u64 commit, u64 lsn)
{
	mutex_lock(&seg->lock);
	if (commit > seg->ckpt_commit) {
		seg->ckpt_commit = commit;
		seg->ckpt_lsn = lsn;
	}
	mutex_unlock(&seg->lock);
}

/**
 * rvm_seg_commit_done() - the log took (or refused) a record
 * @seg: the segment
 * @pin: what rvm_seg_commit_start() returned; freed
 * @commit: the record's commit number, 0 if it never got one
 * @err: what rvm_log_commit() returned
 * @durable: a flush commit that returned: @commit is a checkpoint
 *
 * With @commit 0 and @err 0 (undoing rvm_seg_commit_start()) the pages
 * only leave the count. A commit that failed leaves its pages dirty until
 * detach: the volume failed, and the memory holds the only copy of what
 * the program saw.
 */
void rvm_seg_commit_done(struct rvm_segment *seg, struct rvm_seg_pin *pin,
			 u64 commit, int err, bool durable)
{
	struct rvm_log *log = &seg->vol->log;
	struct rvm_pstate *spare = NULL, *ps;
	unsigned long idx;
	u64 lsn;
	u32 i;

	if (err == -EIOCBQUEUED)
		err = 0;
	for (i = 0; i < pin->n; i++) {
		mutex_lock(&seg->lock);
		for (idx = pin->runs[i].first; idx <= pin->runs[i].last;
		     idx++) {
			ps = rvm_seg_state(seg, idx, &spare);
			if (WARN_ON_ONCE(!ps || !ps->inflight))
				continue;
			ps->inflight--;
			if (err)
				rvm_seg_stick(seg, ps, RVM_PS_STUCK);
			else if (commit > ps->mark)
				ps->mark = commit;
		}
		mutex_unlock(&seg->lock);
		cond_resched();
	}
	kvfree(pin);
	if (durable && !err && commit) {
		spin_lock(&log->lock);
		lsn = log->durable_lsn;
		spin_unlock(&log->lock);
		rvm_seg_checkpoint(seg, commit, lsn);
	}
}

/**
 * rvm_seg_trunc_begin() - a truncation starts
 * @seg: the segment
 *
 * Call before reading the durable end the truncation stops at.
 *
 * Return: the newest checkpoint's commit number, for rvm_seg_truncated().
 */
u64 rvm_seg_trunc_begin(struct rvm_segment *seg)
{
	u64 c;

	mutex_lock(&seg->lock);
	c = seg->ckpt_commit;
	mutex_unlock(&seg->lock);
	return c;
}

/* Can the page with state @ps be made clean? Under seg->lock. */
static bool rvm_seg_cleanable(struct rvm_segment *seg, struct rvm_pstate *ps)
{
	return ps && !ps->inflight && !ps->flags &&
	       ps->mark <= seg->trunc_commit;
}

/* Make page @idx clean if nothing needs its bytes in memory any more. */
static void rvm_seg_clean_one(struct rvm_segment *seg, unsigned long idx)
{
	loff_t pos = (loff_t)idx << PAGE_SHIFT;
	struct page *page;
	struct rvm_pstate *ps;
	bool ok;

	mutex_lock(&seg->lock);
	ok = rvm_seg_cleanable(seg, xa_load(&seg->state, idx));
	mutex_unlock(&seg->lock);
	if (!ok)
		return;

	page = find_get_page(seg->inode->i_mapping, idx);
	if (page) {
		lock_page(page);
		/* Write-protects it everywhere; a dirty PTE: written unseen. */
		if (rvm_prot_page_busy(seg->vol, idx) ||
		    folio_mkclean(page_folio(page)))
			goto out;
	}
	mutex_lock(&seg->lock);
	ps = xa_load(&seg->state, idx);
	/*
	 * Not resident when looked up: loaded and dirtied since (its state
	 * found under seg->lock, which a page that is resident now shows)?
	 */
	if (!page && filemap_range_has_page(seg->inode->i_mapping, pos,
					    pos + PAGE_SIZE - 1))
		ps = NULL;
	if (rvm_seg_cleanable(seg, ps)) {
		xa_erase(&seg->state, idx);
		atomic_long_dec(&seg->npinned);
		kfree(ps);
		if (page)
			folio_clear_dirty(page_folio(page));
	}
	mutex_unlock(&seg->lock);
out:
	if (page) {
		unlock_page(page);
		put_page(page);
	}
}

/**
 * rvm_seg_truncated() - a truncation moved the log head: clean what it can
 * @seg: the segment
 * @commit: what rvm_seg_trunc_begin() returned for it
 *
 * Every commit up to @commit is in the segment now. Pages whose bytes are
 * all there, and that nothing else needs in memory, become clean, so that
 * reclaim may drop them. Costs the pages that are dirty.
 */
void rvm_seg_truncated(struct rvm_segment *seg, u64 commit)
{
	struct rvm_pstate *ps;
	unsigned long idx;

	mutex_lock(&seg->lock);
	if (commit > seg->trunc_commit)
		seg->trunc_commit = commit;
	mutex_unlock(&seg->lock);

	xa_for_each(&seg->state, idx, ps) {
		rvm_seg_clean_one(seg, idx);
		cond_resched();
	}
}
