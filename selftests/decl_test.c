// SPDX-License-Identifier: GPL-2.0
/*
 * Declaration slots: set_range without a system call. A range published
 * in the transaction's slot is declared as RVM_IOC_SET_RANGE would declare
 * it: the strict-mode write fault lets the page be written, the commit
 * logs it, an abort (or exit) restores it, a forgotten range is still
 * caught; bad entries are refused at commit without harm; neighbours on
 * one page are not blamed for each other's bytes; a full slot falls back
 * to the ioctl in order; librvm uses slots by itself.
 */
#include <pthread.h>
#include <sys/wait.h>

#include <rvm/librvm.h>

#include "kselftest_harness.h"
#include "rvm_selftest.h"

#define MAPLEN (1 << 20)
#define PG 4096

FIXTURE(decl) {
	struct rvm_mapped m;
	struct rvm_decl_slot *area;
};

static struct rvm_decl_slot *map_area(int fd)
{
	return mmap(NULL, RVM_DECL_AREA_SIZE, PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, (off_t)RVM_DECL_MMAP_OFFSET);
}

FIXTURE_SETUP(decl)
{
	rvm_mapped_setup(_metadata, &self->m, RVM_DISK, 1 << 20, 8 << 20,
			 MAPLEN);
	self->area = map_area(self->m.fd);
	ASSERT_NE(MAP_FAILED, self->area);
}

FIXTURE_TEARDOWN(decl)
{
	if (self->area && self->area != MAP_FAILED)
		munmap(self->area, RVM_DECL_AREA_SIZE);
	rvm_mapped_teardown(&self->m);
}

/* Begin with a slot; returns the slot's index or RVM_DECL_NO_SLOT. */
static uint32_t begin_slot(int fd, uint32_t flags, uint64_t *tid)
{
	struct rvm_txn_begin b;

	memset(&b, 0, sizeof(b));
	b.flags = flags | RVM_TXN_DECL;
	if (rvm_do(fd, RVM_IOC_BEGIN, &b))
		return RVM_DECL_NO_SLOT - 1;
	*tid = b.tid;
	return b.slot;
}

/* Publish an entry as librvm does; @off is what @addr maps to (claimed). */
static int publish(struct rvm_decl_slot *s, const void *addr, uint64_t off,
		   uint64_t len)
{
	uint64_t data = 0;
	uint32_t i;

	if (s->flags & RVM_TXN_RESTORE) {
		data = __atomic_fetch_add(&s->data_next, len, __ATOMIC_RELAXED);
		if (data + len > RVM_DECL_DATA_SIZE)
			return -1;
		memcpy(s->data + data, addr, len);
	}
	i = __atomic_fetch_add(&s->next, 1, __ATOMIC_RELAXED);
	if (i >= RVM_DECL_ENTRIES)
		return -1;
	s->ent[i].addr = (uintptr_t)addr;
	s->ent[i].off = off;
	s->ent[i].data = data;
	__atomic_store_n(&s->ent[i].len, len, __ATOMIC_RELEASE);
	return 0;
}

/* Publish a range of the fixture's mapping (data offset = mapping offset). */
static int pub(FIXTURE_DATA(decl) *self, uint32_t slot, size_t at, size_t len)
{
	return publish(&self->area[slot], self->m.p + at, at, len);
}

/* Detach and attach again (recovery runs), map again. */
static unsigned char *remount(FIXTURE_DATA(decl) *self)
{
	munmap(self->area, RVM_DECL_AREA_SIZE);
	self->m.p = rvm_remount_dev(self->m.ctl, RVM_DISK, self->m.p, MAPLEN,
				    &self->m.fd);
	if (self->m.p != MAP_FAILED)
		self->area = map_area(self->m.fd);
	return self->m.p;
}

TEST_F(decl, abi)
{
	struct rvm_version v;
	uint64_t tid;
	void *q;
	int fd;

	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, rvm_do(self->m.ctl, RVM_IOC_GET_VERSION, &v));
	EXPECT_TRUE(v.features & RVM_FEAT_DECL);
	EXPECT_LE(3, v.abi_minor);
	EXPECT_EQ(8192, sizeof(struct rvm_decl_slot));

	/* Exactly the area, shared and writable. */
	q = mmap(NULL, RVM_DECL_AREA_SIZE / 2, PROT_READ | PROT_WRITE,
		 MAP_SHARED, self->m.fd, (off_t)RVM_DECL_MMAP_OFFSET);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(EINVAL, errno);
	q = mmap(NULL, RVM_DECL_AREA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->m.fd, (off_t)RVM_DECL_MMAP_OFFSET);
	EXPECT_EQ(MAP_FAILED, q);
	q = mmap(NULL, RVM_DECL_AREA_SIZE, PROT_READ, MAP_SHARED, self->m.fd,
		 (off_t)RVM_DECL_MMAP_OFFSET);
	EXPECT_EQ(MAP_FAILED, q);
	/* A second mapping shows the same area. */
	q = map_area(self->m.fd);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(0, begin_slot(self->m.fd, RVM_TXN_NO_RESTORE, &tid));
	EXPECT_EQ(tid, ((struct rvm_decl_slot *)q)->tid);
	EXPECT_EQ(RVM_TXN_NO_RESTORE, self->area[0].flags);
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	EXPECT_EQ(0, self->area[0].tid);
	munmap(q, RVM_DECL_AREA_SIZE);

	/* Unbound: no area. Bound, area not mapped: no slot. */
	fd = rvm_ctl_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, map_area(fd));
	EXPECT_EQ(ENXIO, errno);
	ASSERT_EQ(0, rvm_bind_dev(fd, RVM_DISK));
	EXPECT_EQ(RVM_DECL_NO_SLOT, begin_slot(fd, RVM_TXN_RESTORE, &tid));
	EXPECT_EQ(0, rvm_abort(fd, tid));
	close(fd);
}

TEST_F(decl, commit_without_set_range_calls)
{
	struct rvm_status st;
	uint32_t slot;
	uint64_t tid;

	slot = begin_slot(self->m.fd, RVM_TXN_NO_RESTORE, &tid);
	ASSERT_GT(RVM_DECL_SLOTS, slot);
	ASSERT_EQ(0, pub(self, slot, 10, 16));
	ASSERT_EQ(0, pub(self, slot, 5 * PG - 8, 16));	/* spans two pages */
	EXPECT_EQ(0, try_memset(self->m.p + 10, 0x11, 16));
	EXPECT_EQ(0, try_memset(self->m.p + 5 * PG - 8, 0x12, 16));
	/* Another page is still protected. */
	EXPECT_EQ(1, try_memset(self->m.p + 3 * PG, 1, 1));
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	st = rvm_status_of(self->m.ctl, RVM_DISK);
	EXPECT_EQ(0, st.set_range_calls);
	EXPECT_EQ(2, st.decl_ranges);
	EXPECT_EQ(32, st.bytes_declared);
	EXPECT_EQ(1, st.commits);
	EXPECT_EQ(0, st.violations);
	/* Protection is back; the slot is free again. */
	EXPECT_EQ(1, try_memset(self->m.p + 10, 0x22, 1));
	EXPECT_EQ(0, self->area[slot].tid);

	ASSERT_NE(MAP_FAILED, remount(self));
	EXPECT_EQ(0x11, self->m.p[25]);
	EXPECT_EQ(0x12, self->m.p[5 * PG + 7]);
	EXPECT_EQ(0, self->m.p[5 * PG + 8]);
}

TEST_F(decl, strict_still_catches_forgotten_ranges)
{
	uint32_t slot;
	uint64_t tid;

	slot = begin_slot(self->m.fd, RVM_TXN_RESTORE, &tid);
	ASSERT_GT(RVM_DECL_SLOTS, slot);
	ASSERT_EQ(0, pub(self, slot, 100, 10));
	EXPECT_EQ(0, try_memset(self->m.p + 100, 0x5a, 10));
	/* A page nothing names: SIGSEGV. */
	EXPECT_EQ(1, try_memset(self->m.p + 2 * PG, 1, 1));
	/* Same page, not named: caught at commit. */
	self->m.p[500] = 0x77;
	EXPECT_EQ(-EPROTO, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	EXPECT_EQ(1, rvm_status_of(self->m.ctl, RVM_DISK).violations);
	/* Still running: name it, commit. */
	ASSERT_EQ(0, pub(self, slot, 500, 1));
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	ASSERT_NE(MAP_FAILED, remount(self));
	EXPECT_EQ(0x5a, self->m.p[109]);
	EXPECT_EQ(0x77, self->m.p[500]);
	EXPECT_EQ(0, self->m.p[2 * PG]);
}

/*
 * A write fault arms the other pages the process's slot names in the
 * same mapping (protect.c's rvm_prot_arm()): one fault for the
 * transaction, each armed page snapshotted as if it had faulted, so that
 * an undeclared byte on it is still caught at commit; pages the slot does
 * not name, or names in another mapping, still fault; every page is
 * write-protected again after the commit.
 */
TEST_F(decl, one_fault_arms_the_named_pages)
{
	struct rvm_status st0, st;
	unsigned char *q;
	uint32_t slot;
	uint64_t tid;
	int fd2;

	q = rvm_map_dev(RVM_DISK, 0, MAPLEN, &fd2);
	ASSERT_NE(MAP_FAILED, q);
	st0 = rvm_status_of(self->m.ctl, RVM_DISK);
	slot = begin_slot(self->m.fd, RVM_TXN_RESTORE, &tid);
	ASSERT_GT(RVM_DECL_SLOTS, slot);
	ASSERT_EQ(0, pub(self, slot, PG + 8, 16));
	ASSERT_EQ(0, pub(self, slot, 3 * PG + 8, 16));
	ASSERT_EQ(0, pub(self, slot, 5 * PG + 8, 16));
	/* Named through the other mapping: not armed by this one's faults. */
	ASSERT_EQ(0, publish(&self->area[slot], q + 7 * PG + 8, 7 * PG + 8,
			     16));
	/* Only pages mapped already are armed: read them, as a program does. */
	for (int i = 1; i < 8; i++)
		EXPECT_EQ(0, ((volatile unsigned char *)self->m.p)[i * PG] +
				     ((volatile unsigned char *)q)[i * PG]);
	EXPECT_EQ(0, try_memset(self->m.p + PG + 8, 1, 16));
	st = rvm_status_of(self->m.ctl, RVM_DISK);
	EXPECT_EQ(1, st.prot_faults - st0.prot_faults);
	EXPECT_EQ(3, st.snapshots - st0.snapshots);
	/* Armed: no fault. */
	EXPECT_EQ(0, try_memset(self->m.p + 3 * PG + 8, 3, 16));
	EXPECT_EQ(0, try_memset(self->m.p + 5 * PG + 8, 5, 16));
	EXPECT_EQ(1, rvm_status_of(self->m.ctl, RVM_DISK).prot_faults -
			     st0.prot_faults);
	/* The other mapping's page faults, and is let in. */
	EXPECT_EQ(0, try_memset(q + 7 * PG + 8, 7, 16));
	EXPECT_EQ(2, rvm_status_of(self->m.ctl, RVM_DISK).prot_faults -
			     st0.prot_faults);
	/* A page nothing names: SIGSEGV. */
	EXPECT_EQ(1, try_memset(self->m.p + 4 * PG, 4, 1));
	/* An armed page's unnamed byte: caught at commit. */
	self->m.p[5 * PG + 100] = 0x99;
	EXPECT_EQ(-EPROTO, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	ASSERT_EQ(0, pub(self, slot, 5 * PG + 100, 1));
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	/* Protected again, through both mappings. */
	EXPECT_EQ(1, try_memset(self->m.p + 3 * PG + 8, 0, 1));
	EXPECT_EQ(1, try_memset(self->m.p + 5 * PG + 8, 0, 1));
	EXPECT_EQ(1, try_memset(q + 3 * PG + 8, 0, 1));
	EXPECT_EQ(1, try_memset(q + 7 * PG + 8, 0, 1));
	munmap(q, MAPLEN);
	close(fd2);
	ASSERT_NE(MAP_FAILED, remount(self));
	EXPECT_TRUE(rvm_all_bytes(self->m.p + PG + 8, 1, 16));
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 3 * PG + 8, 3, 16));
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 5 * PG + 8, 5, 16));
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 7 * PG + 8, 7, 16));
	EXPECT_EQ(0x99, self->m.p[5 * PG + 100]);
	EXPECT_EQ(0, self->m.p[4 * PG]);
}

/*
 * Armed pages abort like faulted ones: restore mode puts back the named
 * bytes, and the next transaction, naming only one page, arms no other.
 */
TEST_F(decl, armed_pages_abort_and_rearm_cleanly)
{
	struct rvm_status st0;
	uint32_t slot;
	uint64_t tid;

	slot = begin_slot(self->m.fd, RVM_TXN_RESTORE, &tid);
	ASSERT_GT(RVM_DECL_SLOTS, slot);
	ASSERT_EQ(0, pub(self, slot, 2 * PG, 64));
	ASSERT_EQ(0, pub(self, slot, 6 * PG, 64));
	EXPECT_EQ(0, ((volatile unsigned char *)self->m.p)[6 * PG]);
	memset(self->m.p + 2 * PG, 0x21, 64);
	memset(self->m.p + 6 * PG, 0x61, 64);
	EXPECT_EQ(0, rvm_abort(self->m.fd, tid));
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 2 * PG, 0, 64));
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 6 * PG, 0, 64));
	EXPECT_EQ(1, try_memset(self->m.p + 6 * PG, 1, 1));

	st0 = rvm_status_of(self->m.ctl, RVM_DISK);
	slot = begin_slot(self->m.fd, RVM_TXN_NO_RESTORE, &tid);
	ASSERT_GT(RVM_DECL_SLOTS, slot);
	ASSERT_EQ(0, pub(self, slot, 2 * PG, 64));
	EXPECT_EQ(0, try_memset(self->m.p + 2 * PG, 0x22, 64));
	/* The slot's earlier entries were cleared: page 6 is not named. */
	EXPECT_EQ(1, try_memset(self->m.p + 6 * PG, 1, 1));
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	EXPECT_EQ(1, rvm_status_of(self->m.ctl, RVM_DISK).snapshots -
			     st0.snapshots);
	ASSERT_NE(MAP_FAILED, remount(self));
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 2 * PG, 0x22, 64));
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 6 * PG, 0, 64));
}

/*
 * Arming counts only the faulting process's slots: a page another process
 * (a child on the same file) names in its slot is not armed, and still
 * gets SIGSEGV when this one writes it.
 */
TEST_F(decl, arming_ignores_other_processes_slots)
{
	int to_child[2], to_parent[2];
	uint32_t slot;
	uint64_t tid;
	char c = 0;
	pid_t pid;
	int st;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t ctid;
		uint32_t cs = begin_slot(self->m.fd, RVM_TXN_NO_RESTORE, &ctid);

		if (cs >= RVM_DECL_SLOTS || pub(self, cs, 9 * PG, 64))
			_exit(2);
		if (write(to_parent[1], &c, 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(3);
		_exit(rvm_end(self->m.fd, ctid, RVM_END_NO_FLUSH) ? 4 : 0);
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	slot = begin_slot(self->m.fd, RVM_TXN_NO_RESTORE, &tid);
	ASSERT_GT(RVM_DECL_SLOTS, slot);
	ASSERT_EQ(0, pub(self, slot, 8 * PG, 64));
	EXPECT_EQ(0, ((volatile unsigned char *)self->m.p)[9 * PG] +
			     ((volatile unsigned char *)self->m.p)[8 * PG]);
	EXPECT_EQ(0, try_memset(self->m.p + 8 * PG, 8, 64));
	EXPECT_EQ(1, try_memset(self->m.p + 9 * PG, 9, 1));
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	ASSERT_EQ(1, write(to_child[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_EQ(0, self->m.p[9 * PG]);
	EXPECT_EQ(8, self->m.p[8 * PG]);
}

TEST_F(decl, restore_mode_aborts_to_old_bytes)
{
	uint32_t slot;
	uint64_t tid;

	/* Commit some bytes through the ioctl first. */
	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_NO_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + 7 * PG, 64));
	memset(self->m.p + 7 * PG, 0x41, 64);
	ASSERT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));

	slot = begin_slot(self->m.fd, RVM_TXN_RESTORE, &tid);
	ASSERT_GT(RVM_DECL_SLOTS, slot);
	EXPECT_EQ(RVM_TXN_RESTORE, self->area[slot].flags);
	ASSERT_EQ(0, pub(self, slot, 7 * PG, 32));
	memset(self->m.p + 7 * PG, 0x42, 32);
	/* A second range of the now writable page, declared late. */
	ASSERT_EQ(0, pub(self, slot, 7 * PG + 32, 32));
	memset(self->m.p + 7 * PG + 32, 0x43, 32);
	EXPECT_EQ(0, rvm_abort(self->m.fd, tid));
	EXPECT_EQ(0x41, self->m.p[7 * PG]);
	EXPECT_EQ(0x41, self->m.p[7 * PG + 63]);
	EXPECT_EQ(1, try_memset(self->m.p + 7 * PG, 0x44, 1));
	EXPECT_EQ(1, rvm_status_of(self->m.ctl, RVM_DISK).aborts);
}

TEST_F(decl, restore_without_snapshot_uses_slot_bytes)
{
	struct rvm_decl_slot *area;
	struct rvm_protect pr;
	unsigned char *q;
	uint32_t slot;
	uint64_t tid;
	int fd;

	/* Protection off: no fault, no snapshot; the slot has the old bytes. */
	fd = rvm_ctl_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rvm_bind_dev(fd, RVM_DISK));
	memset(&pr, 0, sizeof(pr));
	pr.mode = RVM_PROT_OFF;
	ASSERT_EQ(0, rvm_do(fd, RVM_IOC_SET_PROTECT, &pr));
	q = mmap(NULL, MAPLEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, q);
	area = map_area(fd);
	ASSERT_NE(MAP_FAILED, area);
	q[8 * PG] = 0x31;	/* off mode: a plain write */
	slot = begin_slot(fd, RVM_TXN_RESTORE, &tid);
	ASSERT_GT(RVM_DECL_SLOTS, slot);
	ASSERT_EQ(0, publish(&area[slot], q + 8 * PG, 8 * PG, 16));
	memset(q + 8 * PG, 0x32, 16);
	EXPECT_EQ(0, rvm_abort(fd, tid));
	EXPECT_EQ(0x31, q[8 * PG]);
	EXPECT_EQ(0, q[8 * PG + 15]);
	EXPECT_EQ(0, rvm_status_of(self->m.ctl, RVM_DISK).snapshots);
	munmap(area, RVM_DECL_AREA_SIZE);
	munmap(q, MAPLEN);
	close(fd);
}

TEST_F(decl, bad_entries_fail_the_commit_harmlessly)
{
	struct rvm_decl_slot *s;
	unsigned char local[64];
	struct rvm_status st;
	uint32_t slot, i;
	uint64_t tid;

	slot = begin_slot(self->m.fd, RVM_TXN_NO_RESTORE, &tid);
	ASSERT_GT(RVM_DECL_SLOTS, slot);
	s = &self->area[slot];
	/* The claimed offset is not where the address maps. */
	ASSERT_EQ(0, publish(s, self->m.p + 100, 200, 8));
	EXPECT_EQ(-EINVAL, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	/* Reported once; the transaction keeps running, without it. */
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	EXPECT_EQ(0, rvm_status_of(self->m.ctl, RVM_DISK).bytes_declared);

	slot = begin_slot(self->m.fd, RVM_TXN_NO_RESTORE, &tid);
	ASSERT_GT(RVM_DECL_SLOTS, slot);
	s = &self->area[slot];
	ASSERT_EQ(0, publish(s, local, 0, sizeof(local)));	/* not mapped */
	EXPECT_EQ(-ERANGE, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	ASSERT_EQ(0, publish(s, self->m.p, 0, RVM_MAX_RANGE + 1));
	EXPECT_EQ(-EINVAL, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	ASSERT_EQ(0, publish(s, (void *)-8L, 0, 16));		/* wraps */
	ASSERT_EQ(0, pub(self, slot, 300, 4));			/* a good one */
	self->m.p[300] = 1;
	EXPECT_EQ(-EINVAL, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	st = rvm_status_of(self->m.ctl, RVM_DISK);
	EXPECT_EQ(4, st.bytes_declared);

	/* Restore mode: old bytes outside the slot. */
	slot = begin_slot(self->m.fd, RVM_TXN_RESTORE, &tid);
	ASSERT_GT(RVM_DECL_SLOTS, slot);
	s = &self->area[slot];
	s->ent[0].addr = (uintptr_t)self->m.p;
	s->ent[0].off = 0;
	s->ent[0].data = RVM_DECL_DATA_SIZE - 4;
	__atomic_store_n(&s->ent[0].len, 8, __ATOMIC_RELEASE);
	EXPECT_EQ(-EINVAL, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	EXPECT_EQ(0, rvm_abort(self->m.fd, tid));

	/* Garbage in every entry: refused, nothing declared, nothing hurt. */
	slot = begin_slot(self->m.fd, RVM_TXN_RESTORE, &tid);
	ASSERT_GT(RVM_DECL_SLOTS, slot);
	s = &self->area[slot];
	srandom(7);
	for (i = 0; i < sizeof(*s) / sizeof(long); i++)
		((long *)s)[i] = random() * (long)random();
	s->tid = tid;
	for (i = 0; i < RVM_DECL_ENTRIES; i++)
		s->ent[i].len |= 1;
	EXPECT_NE(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	EXPECT_EQ(0, rvm_abort(self->m.fd, tid));
	EXPECT_EQ(4, rvm_status_of(self->m.ctl, RVM_DISK).bytes_declared);
	EXPECT_EQ(1, self->m.p[300]);
}

TEST_F(decl, neighbours_on_one_page)
{
	uint32_t a, b;
	uint64_t ta, tb;

	/* Two transactions of one process name bytes of the same page. */
	a = begin_slot(self->m.fd, RVM_TXN_NO_RESTORE, &ta);
	b = begin_slot(self->m.fd, RVM_TXN_NO_RESTORE, &tb);
	ASSERT_GT(RVM_DECL_SLOTS, a);
	ASSERT_GT(RVM_DECL_SLOTS, b);
	ASSERT_NE(a, b);
	ASSERT_EQ(0, pub(self, a, 9 * PG, 8));
	ASSERT_EQ(0, pub(self, b, 9 * PG + 100, 8));
	memset(self->m.p + 9 * PG, 0xa1, 8);
	memset(self->m.p + 9 * PG + 100, 0xb1, 8);
	/* b's bytes are b's, though b has not made a system call yet. */
	EXPECT_EQ(0, rvm_end(self->m.fd, ta, RVM_END_FLUSH));
	EXPECT_EQ(0, rvm_end(self->m.fd, tb, RVM_END_FLUSH));
	EXPECT_EQ(0, rvm_status_of(self->m.ctl, RVM_DISK).violations);
	EXPECT_EQ(16, rvm_status_of(self->m.ctl, RVM_DISK).bytes_declared);
	ASSERT_NE(MAP_FAILED, remount(self));
	EXPECT_EQ(0xa1, self->m.p[9 * PG + 7]);
	EXPECT_EQ(0xb1, self->m.p[9 * PG + 107]);
}

TEST_F(decl, full_slot_falls_back_in_order)
{
	struct rvm_status st;
	uint32_t slot, i;
	uint64_t tid;

	slot = begin_slot(self->m.fd, RVM_TXN_NO_RESTORE, &tid);
	ASSERT_GT(RVM_DECL_SLOTS, slot);
	for (i = 0; i < RVM_DECL_ENTRIES; i++) {
		ASSERT_EQ(0, pub(self, slot, 11 * PG + 8 * i, 8));
		self->m.p[11 * PG + 8 * i] = (unsigned char)i;
	}
	EXPECT_EQ(-1, pub(self, slot, 0, 1));
	/* The ioctl reads the slot first: the same byte, declared after. */
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + 11 * PG, 1));
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	st = rvm_status_of(self->m.ctl, RVM_DISK);
	EXPECT_EQ(1, st.set_range_calls);
	EXPECT_EQ(RVM_DECL_ENTRIES, st.decl_ranges);
	EXPECT_EQ(8 * RVM_DECL_ENTRIES + 1, st.bytes_declared);
	ASSERT_NE(MAP_FAILED, remount(self));
	for (i = 0; i < RVM_DECL_ENTRIES; i++)
		EXPECT_EQ((unsigned char)i, self->m.p[11 * PG + 8 * i]);
}

TEST_F(decl, slots_run_out_and_come_back)
{
	uint64_t tid[RVM_DECL_SLOTS + 1];
	uint32_t seen = 0, slot, i;

	for (i = 0; i < RVM_DECL_SLOTS; i++) {
		slot = begin_slot(self->m.fd, RVM_TXN_NO_RESTORE, &tid[i]);
		ASSERT_GT(RVM_DECL_SLOTS, slot);
		EXPECT_EQ(0, seen & (1U << slot));
		seen |= 1U << slot;
	}
	EXPECT_EQ(RVM_DECL_NO_SLOT,
		  begin_slot(self->m.fd, RVM_TXN_NO_RESTORE, &tid[i]));
	EXPECT_EQ(0, rvm_end(self->m.fd, tid[i], RVM_END_NO_FLUSH));
	EXPECT_EQ(0, rvm_end(self->m.fd, tid[3], RVM_END_NO_FLUSH));
	slot = begin_slot(self->m.fd, RVM_TXN_NO_RESTORE, &tid[3]);
	EXPECT_GT(RVM_DECL_SLOTS, slot);
	for (i = 0; i < RVM_DECL_SLOTS; i++)
		EXPECT_EQ(0, rvm_end(self->m.fd, tid[i], RVM_END_NO_FLUSH));
}

TEST_F(decl, unmap_refused_while_named)
{
	struct rvm_unmap u;
	uint32_t slot;
	uint64_t tid;

	slot = begin_slot(self->m.fd, RVM_TXN_NO_RESTORE, &tid);
	ASSERT_GT(RVM_DECL_SLOTS, slot);
	ASSERT_EQ(0, pub(self, slot, 13 * PG, 8));
	memset(&u, 0, sizeof(u));
	u.addr = (uintptr_t)self->m.p;
	u.len = MAPLEN;
	EXPECT_EQ(-EBUSY, rvm_do(self->m.fd, RVM_IOC_UNMAP, &u));
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
}

TEST_F(decl, exit_mid_transaction_restores)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct rvm_decl_slot *area;
		unsigned char *q;
		uint32_t slot;
		uint64_t tid;
		int fd;

		q = rvm_map_dev(RVM_DISK, 0, MAPLEN, &fd);
		if (q == MAP_FAILED)
			_exit(1);
		area = map_area(fd);
		if (area == MAP_FAILED)
			_exit(2);
		slot = begin_slot(fd, RVM_TXN_RESTORE, &tid);
		if (slot >= RVM_DECL_SLOTS ||
		    publish(&area[slot], q + 12 * PG, 12 * PG, 32))
			_exit(3);
		memset(q + 12 * PG, 0x71, 32);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* Its file went with it, with no address space: restored anyway. */
	EXPECT_EQ(0, self->m.p[12 * PG]);
	EXPECT_EQ(0, self->m.p[12 * PG + 31]);
	EXPECT_EQ(1, rvm_status_of(self->m.ctl, RVM_DISK).aborts);
}

struct thr {
	struct rvm *r;
	unsigned char *p;
	int id;
	int err;
};

static void *thr_run(void *arg)
{
	struct thr *t = arg;
	uint64_t tid;
	int i, err = 0;

	for (i = 0; i < 200 && !err; i++) {
		unsigned char *b = t->p + 16 * PG + 64 * t->id;

		err = rvm_txn_begin(t->r, RVM_TXN_RESTORE, &tid);
		if (!err)
			err = rvm_txn_set_range(t->r, tid, b, 8);
		if (!err) {
			memset(b, i, 8);
			err = rvm_txn_end(t->r, tid, RVM_END_NO_FLUSH, NULL);
		}
	}
	t->err = err;
	return NULL;
}

TEST_F(decl, librvm_uses_slots)
{
	struct thr t[4];
	pthread_t th[4];
	struct rvm_status st;
	struct rvm *r;
	void *p;
	int i;

	ASSERT_EQ(0, rvm_open(RVM_DISK, &r));
	ASSERT_EQ(0, rvm_region_map(r, 0, MAPLEN, NULL, 0, &p));
	/* Four threads, one page, a transaction each at a time. */
	for (i = 0; i < 4; i++) {
		t[i] = (struct thr){ .r = r, .p = p, .id = i };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, thr_run, &t[i]));
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, t[i].err);
	}
	EXPECT_EQ(0, rvm_sync_flush(r));
	st = rvm_status_of(self->m.ctl, RVM_DISK);
	EXPECT_EQ(800, st.commits);
	EXPECT_EQ(0, st.set_range_calls);
	EXPECT_EQ(800, st.decl_ranges);
	EXPECT_EQ(0, st.violations);
	EXPECT_EQ(0, rvm_region_unmap(r, p, MAPLEN));
	rvm_close(r);
	ASSERT_NE(MAP_FAILED, remount(self));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(199, self->m.p[16 * PG + 64 * i + 7]);
}

TEST_HARNESS_MAIN
