// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: the data segment's pages in memory and the mappings of them.
 *
 * The pages themselves are the data segment's (struct rvm_segment,
 * segment.c): the page cache of the volume's anon inode, loaded on first
 * use and reclaimed by the kernel when clean. Every mapping of a volume,
 * in any process and through any file descriptor bound to it, maps these
 * same pages, and nothing is read at mmap() time: a mapping costs the
 * same whatever its size.
 *
 * Mappings. A file bound to a volume gets the volume's address_space as its
 * f_mapping: that of an anonymous inode of a private pseudo filesystem,
 * one inode per volume (DRM does the same with drm_fs). Every vma of the
 * volume is then on that address_space's i_mmap tree, so that
 * folio_mkclean(), wp_shared_mapping_range() and unmap_mapping_range()
 * reach all of them.
 * The pages are in that address_space's page cache, so reclaim finds
 * their mappings through the same tree: ->fault hands them out, and
 * ->page_mkwrite returns them locked (VM_FAULT_LOCKED) once protect.c
 * allowed the write and segment.c noted the page dirty. A vma's
 * protection mode (RVM_PROT_*, chosen by the file's RVM_IOC_SET_PROTECT
 * before mmap()) is which of rvm_vm_ops[] it got: split and fork copy
 * vm_ops, so the mode follows without any reference counting. The mmap
 * offset is a volume offset, RVM_SEG_OFFSET(segment id, byte offset in
 * it), so a vma's vm_pgoff is the page store index of its first page; a
 * mapping lies inside one segment, which must be present (dseg.c counts
 * its mappings), and a range never crosses from one segment into the
 * next.
 *
 * Only MAP_SHARED is allowed. vmas are VM_DONTEXPAND (which also makes
 * them VM_SPECIAL: never merged, never mlocked) and VM_DONTDUMP, and moving
 * one with mremap() is refused. munmap(), partial munmap(), mprotect() and
 * fork() work as usual. Each vma holds a reference on its volume, taken at
 * mmap() and ->open (split, fork) and dropped at ->close, so a volume never
 * goes away while mapped.
 *
 * Locking: the fault path takes no rvm lock but protect.c's spinlock.
 * rvm_region_translate() and rvm_region_walk() look at the current
 * process's vmas under mmap_read_lock, note the data segment pieces, drop
 * the lock, and only then call their caller's function (txn.c's), so
 * mmap_lock is never held with an rvm lock
 * taken inside it (rvm.h: rvm_txn.lock may be held around mmap_lock, never
 * the reverse).
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/pseudo_fs.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "dev.h"
#include "dseg.h"
#include "log.h"
#include "protect.h"
#include "region.h"
#include "segment.h"
#include "volume.h"

/* "RVMR": magic of the pseudo filesystem holding the volumes' inodes */
#define RVM_REGION_FS_MAGIC 0x52564d52

/* Pieces of a range held without allocating (one is the usual case). */
#define RVM_REGION_INLINE_PIECES 8

static struct vfsmount *rvm_region_mnt;
static int rvm_region_mnt_count;

static const struct vm_operations_struct rvm_vm_ops[RVM_PROT_OFF + 1];

static bool rvm_vma_is_ours(const struct vm_area_struct *vma)
{
	return vma->vm_ops >= &rvm_vm_ops[0] &&
	       vma->vm_ops <= &rvm_vm_ops[RVM_PROT_OFF];
}

static u32 rvm_vma_mode(const struct vm_area_struct *vma)
{
	return vma->vm_ops - &rvm_vm_ops[0];
}

static int rvm_region_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, RVM_REGION_FS_MAGIC) ? 0 : -ENOMEM;
}

/*
 * Not registered, only mounted internally. No .owner: the mount is pinned
 * from module init to module exit, and a superblock holds a reference on
 * its filesystem type's module, so with an owner the module could never be
 * unloaded. The internal mount is torn down synchronously by
 * simple_release_fs() at exit, before the module goes.
 */
static struct file_system_type rvm_region_fs_type = {
	.name = "rvm",
	.init_fs_context = rvm_region_init_fs_context,
	.kill_sb = kill_anon_super,
};

/**
 * rvm_region_init() - mount the pseudo filesystem of the volumes' inodes
 *
 * Context: module init.
 * Return: 0 or a negative errno.
 */
int rvm_region_init(void)
{
	int err;

	err = simple_pin_fs(&rvm_region_fs_type, &rvm_region_mnt,
			    &rvm_region_mnt_count);
	if (err)
		pr_err("cannot mount the region pseudo filesystem: %d\n", err);
	return err;
}

/**
 * rvm_region_exit() - unmount the pseudo filesystem
 *
 * Context: module exit, once every volume is destroyed.
 */
void rvm_region_exit(void)
{
	simple_release_fs(&rvm_region_mnt, &rvm_region_mnt_count);
}

/**
 * rvm_region_vol_init() - prepare a volume's pages and address_space
 * @vol: the volume being attached
 *
 * Return: 0, or -ENOMEM (or another negative errno) if the inode cannot be
 * allocated; then nothing needs undoing.
 */
int rvm_region_vol_init(struct rvm_volume *vol)
{
	struct inode *inode;
	int err;

	inode = alloc_anon_inode(rvm_region_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		vol->inode = NULL;
		return PTR_ERR(inode);
	}
	rvm_seg_init(&vol->seg, vol, inode);
	vol->inode = inode;
	err = rvm_prot_vol_init(vol);
	if (err) {
		rvm_seg_destroy(&vol->seg);
		iput(inode);
		vol->inode = NULL;
	}
	return err;
}

/**
 * rvm_region_vol_quiesce() - stop what works on a volume's pages by itself
 * @vol: the volume being detached, before its log stops
 */
void rvm_region_vol_quiesce(struct rvm_volume *vol)
{
	rvm_seg_quiesce(&vol->seg);
}

/**
 * rvm_region_vol_destroy() - free a volume's pages and its inode
 * @vol: the volume, with no file bound and nothing mapped
 *
 * Costs what is resident, not the data segment's size.
 */
void rvm_region_vol_destroy(struct rvm_volume *vol)
{
	rvm_seg_destroy(&vol->seg);
	rvm_prot_vol_destroy(vol);
	if (vol->inode) {
		iput(vol->inode);
		vol->inode = NULL;
	}
}

/**
 * rvm_region_resident() - pages of the volume's data segment in memory
 * @vol: the volume
 *
 * Return: their number.
 */
u64 rvm_region_resident(struct rvm_volume *vol)
{
	return rvm_seg_resident(&vol->seg);
}

/**
 * rvm_region_commit_start() - a record of the volume is about to be
 * committed: its pages stay in memory until rvm_region_commit_done()
 * @vol: the volume
 * @rec: the record, built, before the transaction's pages leave protect.c
 *
 * Return: a handle, or ERR_PTR(-ENOMEM).
 */
struct rvm_seg_pin *rvm_region_commit_start(struct rvm_volume *vol,
					    const struct rvm_rec *rec)
{
	return rvm_seg_commit_start(&vol->seg, rec);
}

/**
 * rvm_region_commit_done() - the log took the record (or refused it)
 * @vol: the volume
 * @pin: what rvm_region_commit_start() returned
 * @commit: the record's commit number (0 if it got none)
 * @err: what rvm_log_commit() returned
 * @durable: a flush commit that waited for its record
 */
void rvm_region_commit_done(struct rvm_volume *vol, struct rvm_seg_pin *pin,
			    u64 commit, int err, bool durable)
{
	rvm_seg_commit_done(&vol->seg, pin, commit, err, durable);
}

/**
 * rvm_region_bind() - make a file's mappings share the volume's address_space
 * @vol: the volume the file is being bound to
 * @file: the open /dev/rvm
 *
 * Must be called before the file can be mmap()ed (dev.c refuses mmap() of
 * an unbound file), and only once for a file.
 */
void rvm_region_bind(struct rvm_volume *vol, struct file *file)
{
	file->f_mapping = vol->inode->i_mapping;
}

static vm_fault_t rvm_vm_fault(struct vm_fault *vmf)
{
	struct rvm_volume *vol = vmf->vma->vm_private_data;
	struct page *page;

	if (rvm_dseg_check(vol, (u64)vmf->pgoff << PAGE_SHIFT, PAGE_SIZE))
		return VM_FAULT_SIGBUS;

	page = rvm_seg_fault_page(&vol->seg, vmf->pgoff,
				  &vmf->vma->vm_file->f_ra);
	if (PTR_ERR_OR_ZERO(page) == -ENOMEM)
		return VM_FAULT_OOM;
	if (IS_ERR(page))
		return VM_FAULT_SIGBUS;

	vmf->page = page;
	return 0;
}

/*
 * First write to a page through a mapping (or first write since the page
 * was write-protected again): protect.c decides in strict and auto mode.
 * The page is locked first, and returned locked: a transaction that ends
 * waits for the page lock before write-protecting, so it never misses the
 * PTE this fault makes writable, and segment.c's clean pass never makes a
 * page clean between the decision and the write. A page that reclaim
 * took out of the page cache meanwhile is not ours to write any more: the
 * fault is retried, and finds the page loaded again.
 */
static vm_fault_t rvm_vm_page_mkwrite(struct vm_fault *vmf)
{
	struct rvm_volume *vol = vmf->vma->vm_private_data;
	u32 mode = rvm_vma_mode(vmf->vma);
	struct page *page = vmf->page;
	vm_fault_t ret = 0;

	lock_page(page);
	if (page->mapping != vol->inode->i_mapping) {
		unlock_page(page);
		return VM_FAULT_NOPAGE;
	}
	if (mode != RVM_PROT_OFF)
		ret = rvm_prot_fault(vmf, vol, mode);
	if (!ret &&
	    rvm_seg_mkwrite(&vol->seg, page, mode == RVM_PROT_OFF, GFP_KERNEL))
		ret = VM_FAULT_OOM;
	if (ret) {
		unlock_page(page);
		return ret;
	}
	return VM_FAULT_LOCKED;
}

/*
 * A vma copied by a split or by fork(): one more mapping of the volume
 * and of its segment.
 */
static void rvm_vm_open(struct vm_area_struct *vma)
{
	struct rvm_volume *vol = vma->vm_private_data;

	kref_get(&vol->kref);
	rvm_dseg_unmap(vol, (u64)vma->vm_pgoff << PAGE_SHIFT, -1);
}

static void rvm_vm_close(struct vm_area_struct *vma)
{
	struct rvm_volume *vol = vma->vm_private_data;

	rvm_dseg_unmap(vol, (u64)vma->vm_pgoff << PAGE_SHIFT, 1);
	rvm_volume_put(vol);
}

/*
 * Moving a mapping is refused: classic RVM programs map at fixed addresses
 * and keep pointers into recoverable memory, and librvm knows its regions
 * by address. Growing is refused by VM_DONTEXPAND; shrinking is a munmap().
 */
static int rvm_vm_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

/*
 * Maps nothing around a fault. Having a ->map_pages at all is what lets
 * 6.12 run ->fault and ->page_mkwrite under the vma lock: without one,
 * vmf_can_call_fault() sends every fault back (VM_FAULT_RETRY) to be taken
 * again under mmap_lock, two passes through the fault path for each. The
 * fault path needs neither lock in particular (see "Locking" above).
 */
static vm_fault_t rvm_vm_map_pages(struct vm_fault *vmf, pgoff_t start,
				   pgoff_t end)
{
	return 0;
}

/* One per mode, so that a vma's mode is where its vm_ops point. */
static const struct vm_operations_struct rvm_vm_ops[RVM_PROT_OFF + 1] = {
	[RVM_PROT_STRICT... RVM_PROT_OFF] = {
		.open = rvm_vm_open,
		.close = rvm_vm_close,
		.mremap = rvm_vm_mremap,
		.fault = rvm_vm_fault,
		.map_pages = rvm_vm_map_pages,
		.page_mkwrite = rvm_vm_page_mkwrite,
	},
};

/**
 * rvm_region_mmap() - map bytes of one of the bound volume's segments
 * @rf: the file, bound to a volume
 * @vma: the new mapping; its offset is a volume offset, RVM_SEG_OFFSET(id,
 *	byte offset in segment @id)
 *
 * The mapping gets @rf's protection mode (RVM_IOC_SET_PROTECT), and counts
 * as a mapping of its segment (which cannot be removed while mapped).
 *
 * Return: 0; -EINVAL for a private mapping or a range not entirely inside
 * one segment; -ENODEV if that segment is absent (not opened at attach).
 */
int rvm_region_mmap(struct rvm_file *rf, struct vm_area_struct *vma)
{
	struct rvm_volume *vol = rf->vol;
	u64 off, len;
	int err;

	/*
	 * VM_MAYSHARE, not VM_SHARED: a MAP_SHARED mapping of a file opened
	 * read-only has only the former, and cannot ever be written.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;

	off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	len = vma->vm_end - vma->vm_start;
	if (vma->vm_file->f_mapping != vol->inode->i_mapping) {
		pr_err_once("volume %u: mmap without rvm_region_bind()\n",
			    vol->id);
		return -EINVAL;
	}
	err = rvm_dseg_map(vol, off, len);
	if (err)
		return err;

	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &rvm_vm_ops[READ_ONCE(rf->prot_mode)];
	vma->vm_private_data = vol;
	kref_get(&vol->kref);
	return 0;
}

/* The data segment pieces a user range maps to, in address order. */
struct rvm_region_piece {
	u64 off;
	u64 len;
	u32 mode;
};

struct rvm_region_pieces {
	struct rvm_region_piece *v;
	unsigned int n;
	unsigned int cap;
	struct rvm_region_piece inline_v[RVM_REGION_INLINE_PIECES];
};

static void rvm_region_pieces_init(struct rvm_region_pieces *p)
{
	p->v = p->inline_v;
	p->n = 0;
	p->cap = ARRAY_SIZE(p->inline_v);
}

static void rvm_region_pieces_free(struct rvm_region_pieces *p)
{
	if (p->v != p->inline_v)
		kvfree(p->v);
}

/*
 * Append a piece, merged with the last one when they are contiguous and
 * mapped with the same protection mode.
 */
static int rvm_region_pieces_add(struct rvm_region_pieces *p, u64 off, u64 len,
				 u32 mode)
{
	struct rvm_region_piece *v;

	/* Never across segments: a range lies inside one. */
	if (p->n && p->v[p->n - 1].off + p->v[p->n - 1].len == off &&
	    p->v[p->n - 1].mode == mode &&
	    RVM_VOFF_SEG(p->v[p->n - 1].off) == RVM_VOFF_SEG(off)) {
		p->v[p->n - 1].len += len;
		return 0;
	}
	if (p->n == p->cap) {
		if (p->cap > INT_MAX / (2 * sizeof(*v)))
			return -ENOMEM;
		v = kvmalloc_array(p->cap * 2, sizeof(*v), GFP_KERNEL);
		if (!v)
			return -ENOMEM;
		memcpy(v, p->v, p->n * sizeof(*v));
		rvm_region_pieces_free(p);
		p->v = v;
		p->cap *= 2;
	}
	p->v[p->n].off = off;
	p->v[p->n].len = len;
	p->v[p->n].mode = mode;
	p->n++;
	return 0;
}

/*
 * Note the data segment pieces that the current process's range
 * [addr, end) maps, if every byte of it lies in a mapping of @vol (through
 * any file descriptor bound to it). Return 0, -ERANGE if some byte does
 * not, -EINTR on a fatal signal, -ENOMEM.
 */
static int rvm_region_collect(struct rvm_volume *vol, u64 addr, u64 end,
			      struct rvm_region_pieces *p)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	u64 pos, n;
	int err = 0;

	if (!mm)
		return -ERANGE;
	if (mmap_read_lock_killable(mm))
		return -EINTR;

	for (pos = addr; pos < end; pos += n) {
		vma = vma_lookup(mm, pos);
		if (!vma || !rvm_vma_is_ours(vma) ||
		    vma->vm_private_data != vol) {
			err = -ERANGE;
			break;
		}
		n = min_t(u64, end, vma->vm_end) - pos;
		err = rvm_region_pieces_add(p,
					    ((u64)vma->vm_pgoff << PAGE_SHIFT) +
						    (pos - vma->vm_start),
					    n, rvm_vma_mode(vma));
		if (err)
			break;
	}

	mmap_read_unlock(mm);
	return err;
}

/**
 * rvm_region_translate() - translate a user range into data segment ranges
 * @rf: the file, bound to a volume
 * @addr: start of the range in the current process
 * @len: its length in bytes
 * @fn: called for each piece, in address order, with @arg, the piece's
 *	byte offset in the data segment, its length and the RVM_PROT_* mode
 *	of the mapping it is in
 * @arg: passed to @fn
 *
 * The range may span several adjacent mappings, made through @rf or any
 * other file bound to the same volume; pieces contiguous in the data
 * segment and mapped in the same mode are passed as one. Nothing is
 * called unless the whole range is mapped. @fn is called without
 * mmap_lock held, and may sleep, allocate, and call rvm_region_read() and
 * rvm_region_write().
 *
 * Context: process context; takes and releases the current process's
 * mmap_lock for reading.
 * Return: 0; -EINVAL if @len is 0; -ERANGE if a byte of the range is not
 * in a mapping of @rf's volume; -EINTR on a fatal signal; -ENOMEM; or
 * the first error @fn returned (the pieces after it are not passed).
 */
int rvm_region_translate(struct rvm_file *rf, u64 addr, u64 len,
			 int (*fn)(void *arg, u64 off, u64 len, u32 mode),
			 void *arg)
{
	struct rvm_region_pieces p;
	unsigned int i;
	int err;

	if (!len)
		return -EINVAL;
	if (addr + len < addr)
		return -ERANGE;

	rvm_region_pieces_init(&p);
	err = rvm_region_collect(rf->vol, addr, addr + len, &p);
	for (i = 0; !err && i < p.n; i++)
		err = fn(arg, p.v[i].off, p.v[i].len, p.v[i].mode);
	rvm_region_pieces_free(&p);
	return err;
}

/* Check that [off, off + len) lies inside a present segment. */
static int rvm_region_check(struct rvm_volume *vol, u64 off, u64 len)
{
	return rvm_dseg_check_use(vol, off, len);
}

/* Copy between a kernel buffer and the pages, loading absent ones. */
static int rvm_region_copy(struct rvm_volume *vol, u64 off, void *buf, u64 len,
			   bool to_pages)
{
	/* No mapping may pin the segment: a removal waits for the copy. */
	int cookie = rvm_dseg_use_begin(vol);
	int err = rvm_region_check(vol, off, len);

	if (!err)
		err = rvm_seg_copy(&vol->seg, off, buf, len, to_pages);
	rvm_dseg_use_end(vol, cookie);
	return err;
}

/**
 * rvm_region_read() - copy bytes of the data segment out of memory
 * @vol: the volume
 * @off: byte offset in the data segment
 * @dst: kernel buffer of @len bytes
 * @len: number of bytes
 *
 * Pages not yet in memory are loaded from the device first. The bytes may
 * be changing under the copy if a process is writing them: rvm gives no
 * isolation.
 *
 * Context: may sleep.
 * Return: 0; -EINVAL if the range is not inside the data segment; -ENOMEM
 * or -EIO (or the device's error) if a page cannot be loaded, in which
 * case part of @dst may have been written.
 */
int rvm_region_read(struct rvm_volume *vol, u64 off, void *dst, u64 len)
{
	return rvm_region_copy(vol, off, dst, len, false);
}

/**
 * rvm_region_write() - copy bytes into the data segment's pages in memory
 * @vol: the volume
 * @off: byte offset in the data segment
 * @src: kernel buffer of @len bytes
 * @len: number of bytes
 *
 * Pages not yet in memory are loaded from the device first. The new bytes
 * are immediately visible in every mapping; nothing is written to the
 * device.
 *
 * Context: may sleep.
 * Return: 0; -EINVAL if the range is not inside the data segment; -ENOMEM
 * or -EIO (or the device's error) if a page cannot be loaded, in which
 * case the bytes before that page have been written.
 */
int rvm_region_write(struct rvm_volume *vol, u64 off, const void *src, u64 len)
{
	return rvm_region_copy(vol, off, (void *)src, len, true);
}

/**
 * rvm_region_walk() - the data segment pieces a range of the caller maps
 * @vol: the volume
 * @addr: start of the range in the current process, page aligned
 * @len: its length, whole pages
 * @fn: called for each piece in address order, with @arg, the piece's
 *	volume offset and length; a non-zero return stops the walk
 * @arg: for @fn
 *
 * Every page of the range must lie in a mapping of @vol (through any file
 * bound to it). @fn is called without mmap_lock held, once the pieces are
 * noted: it may take rvm locks (txn.c's RVM_IOC_UNMAP, rvm_txn_unmap()).
 *
 * Context: process context; takes the current process's mmap_lock.
 * Return: 0; -EINVAL if part of the range is not mapped from @vol; what @fn
 * returned; -EINTR on a fatal signal; -ENOMEM.
 */
int rvm_region_walk(struct rvm_volume *vol, u64 addr, u64 len,
		    int (*fn)(void *arg, u64 off, u64 len), void *arg)
{
	struct rvm_region_pieces p;
	unsigned int i;
	int err;

	rvm_region_pieces_init(&p);
	err = rvm_region_collect(vol, addr, addr + len, &p);
	if (err == -ERANGE)
		err = -EINVAL;
	for (i = 0; !err && i < p.n; i++)
		err = fn(arg, p.v[i].off, p.v[i].len);
	rvm_region_pieces_free(&p);
	return err;
}
