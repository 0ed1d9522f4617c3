// SPDX-License-Identifier: GPL-2.0
/*
 * External data segments under adversarial use (issue 10), on the same
 * ext2 scratch file system as segments_test: a log file and data segments
 * in files of their own, read back with plain read(2) after truncation
 * and detach.
 *
 *  - two_processes: two processes, each with its own /dev/rvm file bound
 *    to the log, map the same segment and commit disjoint bytes of one
 *    page (and of other pages), one transaction running while the other
 *    commits; each sees the other's committed bytes through its mapping,
 *    and the file holds both after truncation and detach.
 *  - remove_add_race: one thread removes and adds a segment again and
 *    again while others map it, fault its pages, and commit into it (some
 *    unmapping it between set_range and end) and into another segment.
 *    Only clean errors; every commit that returned 0 is in its file, no
 *    other; nothing reaches the file after its removal returned.
 *  - lying_slot_entry: declaration slot entries whose @off is not what
 *    @addr maps (another segment, a removed or absent one, past the end,
 *    across the 1 << 40 boundary into the next id) fail the commit with
 *    EINVAL and write nothing to either file; nor does closing the file
 *    with such an entry in a running restore-mode transaction.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "rvm_selftest.h"

#define DIR "/tmp/rvm-segr"
#define LOGF DIR "/log"
#define SEGA DIR "/a"
#define SEGB DIR "/b"
#define SEGC DIR "/c"
#define LOG_FILE_SIZE (4 << 20)
#define LOG_BYTES (1 << 20)
#define SEG_SIZE (1 << 20)
#define PG 4096

FIXTURE(segr) {
	int ctl;
};

FIXTURE_SETUP(segr)
{
	self->ctl = rvm_ctl_open();
	ASSERT_LE(0, self->ctl) TH_LOG("/dev/rvm missing: is rvm.ko loaded?");
	mkdir(DIR, 0755);
	rvm_detach_dev(self->ctl, LOGF);
	umount(DIR);
	ASSERT_EQ(0, system("mke2fs -q " RVM_DISK2 " >/dev/null 2>&1"));
	ASSERT_EQ(0, mount(RVM_DISK2, DIR, "ext2", 0, NULL))
		TH_LOG("mount ext2: %s", strerror(errno));
	ASSERT_EQ(0, rvm_make_file(LOGF, LOG_FILE_SIZE, 0600));
	ASSERT_EQ(0, rvm_make_file(SEGA, SEG_SIZE, 0600));
	ASSERT_EQ(0, rvm_make_file(SEGB, SEG_SIZE, 0600));
	ASSERT_EQ(0, rvm_make_file(SEGC, SEG_SIZE, 0600));
	ASSERT_EQ(0, rvm_vol_format(LOGF, LOG_BYTES, RVM_VOL_FORMAT_LOG_ONLY))
		TH_LOG("%s", rvm_vol_last_error());
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, LOGF, NULL));
}

FIXTURE_TEARDOWN(segr)
{
	if (self->ctl < 0)
		return;
	rvm_detach_dev(self->ctl, LOGF);
	umount(DIR);
	close(self->ctl);
}

static int seg_add(int ctl, const char *path, uint32_t *id)
{
	struct rvm_seg_add a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.ref.path = (uintptr_t)LOGF;
	a.path = (uintptr_t)path;
	ret = rvm_do(ctl, RVM_IOC_SEG_ADD, &a);
	if (!ret)
		*id = a.id;
	return ret;
}

static int seg_remove(int ctl, uint32_t id)
{
	struct rvm_seg_ref r;

	memset(&r, 0, sizeof(r));
	r.ref.path = (uintptr_t)LOGF;
	r.id = id;
	return rvm_do(ctl, RVM_IOC_SEG_REMOVE, &r);
}

/* A new /dev/rvm file bound to the log, or -1. */
static int bound_fd(void)
{
	int fd = rvm_ctl_open();

	if (fd >= 0 && rvm_bind_dev(fd, LOGF)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void *map_seg(int fd, uint32_t id, size_t len, int prot)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, RVM_SEG_OFFSET(id, 0));
}

/* The whole of file @path with plain read(2) into @buf (SEG_SIZE bytes). */
static int read_seg_file(const char *path, unsigned char *buf)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t done = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (done < SEG_SIZE) {
		n = read(fd, buf + done, SEG_SIZE - done);
		if (n <= 0)
			break;
		done += n;
	}
	close(fd);
	return done == SEG_SIZE ? 0 : -1;
}

/* One transaction writing @len bytes of @val at @p, committed with flush. */
static int commit_bytes(int fd, unsigned char *p, int val, size_t len)
{
	uint64_t tid;
	int ret;

	ret = rvm_begin(fd, RVM_TXN_NO_RESTORE, &tid);
	if (ret)
		return ret;
	ret = rvm_range(fd, tid, p, len);
	if (ret)
		return ret;
	memset(p, val, len);
	return rvm_end(fd, tid, RVM_END_FLUSH);
}

/* Tell the other process @c; wait for its answer; 0 if it said 'k'. */
static int say(int wfd, int rfd, char c)
{
	char got = 0;

	if (write(wfd, &c, 1) != 1 || read(rfd, &got, 1) != 1)
		return -1;
	return got == 'k' ? 0 : -1;
}

/* The child of two_processes: answers 'k' or 'x' to each step. */
static int two_child(uint32_t id, int rfd, int wfd)
{
	int fd = bound_fd();
	unsigned char *p;
	uint64_t tid;
	char c, ok;

	p = fd < 0 ? MAP_FAILED : map_seg(fd, id, SEG_SIZE, PROT_READ | PROT_WRITE);
	while (read(rfd, &c, 1) == 1) {
		ok = 'x';
		if (p == MAP_FAILED)
			goto answer;
		switch (c) {
		case '1': /* begin, declare and write [PG, PG + 100) */
			if (rvm_begin(fd, RVM_TXN_NO_RESTORE, &tid) ||
			    rvm_range(fd, tid, p + PG, 100))
				break;
			memset(p + PG, 0xc1, 100);
			ok = 'k';
			break;
		case '2': /* commit it: the parent's running txn is on the page */
			if (!rvm_end(fd, tid, RVM_END_FLUSH))
				ok = 'k';
			break;
		case '3': /* the parent's committed bytes are visible here */
			if (rvm_all_bytes(p + PG + 100, 0xd2, 100) &&
			    rvm_all_bytes(p + 3 * PG, 0xd3, 5000))
				ok = 'k';
			break;
		case '4': /* a second page of the child's, another page shared */
			if (!commit_bytes(fd, p + 2 * PG - 10, 0xc4, 20) &&
			    !commit_bytes(fd, p + 5 * PG + 2048, 0xc5, 1))
				ok = 'k';
			break;
		case 'q':
			munmap(p, SEG_SIZE);
			close(fd);
			return 0;
		}
answer:
		if (write(wfd, &ok, 1) != 1)
			return 1;
	}
	return 1;
}

/* Two processes, two bound files, one segment, one page shared. */
TEST_F(segr, two_processes)
{
	static unsigned char want[SEG_SIZE], got[SEG_SIZE];
	int to_child[2], to_parent[2], fd, st;
	unsigned char *p;
	uint32_t id, other;
	uint64_t tid;
	pid_t pid;

	ASSERT_EQ(0, seg_add(self->ctl, SEGA, &other));
	ASSERT_EQ(0, seg_add(self->ctl, SEGB, &id));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		_exit(two_child(id, to_child[0], to_parent[1]));
	}
	close(to_child[0]);
	close(to_parent[1]);
	fd = bound_fd();
	ASSERT_LE(0, fd);
	p = map_seg(fd, id, SEG_SIZE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);

	/* Both run a transaction on page 1; the child commits first. */
	ASSERT_EQ(0, say(to_child[1], to_parent[0], '1'));
	ASSERT_EQ(0, rvm_begin(fd, RVM_TXN_NO_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(fd, tid, p + PG + 100, 100));
	memset(p + PG + 100, 0xd2, 100);
	ASSERT_EQ(0, rvm_range(fd, tid, p + 3 * PG, 5000));
	memset(p + 3 * PG, 0xd3, 5000);
	EXPECT_EQ(0, say(to_child[1], to_parent[0], '2'));
	EXPECT_TRUE(rvm_all_bytes(p + PG, 0xc1, 100));
	EXPECT_EQ(0, rvm_end(fd, tid, RVM_END_FLUSH));
	EXPECT_EQ(0, say(to_child[1], to_parent[0], '3'));
	EXPECT_EQ(0, say(to_child[1], to_parent[0], '4'));
	EXPECT_TRUE(rvm_all_bytes(p + 2 * PG - 10, 0xc4, 20));
	EXPECT_EQ(0, commit_bytes(fd, p + 5 * PG + 2047, 0xd5, 1));
	EXPECT_EQ(0, commit_bytes(fd, p + 5 * PG + 2049, 0xd6, 1));
	EXPECT_TRUE(rvm_all_bytes(p + 5 * PG + 2048, 0xc5, 1));
	ASSERT_EQ(1, write(to_child[1], "q", 1));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	memset(want, 0, sizeof(want));
	memset(want + PG, 0xc1, 100);
	memset(want + PG + 100, 0xd2, 100);
	memset(want + 3 * PG, 0xd3, 5000);
	memset(want + 2 * PG - 10, 0xc4, 20);
	want[5 * PG + 2047] = 0xd5;
	want[5 * PG + 2048] = 0xc5;
	want[5 * PG + 2049] = 0xd6;
	EXPECT_EQ(0, memcmp(want, p, SEG_SIZE));
	ASSERT_EQ(0, rvm_sync(fd, true));
	munmap(p, SEG_SIZE);
	close(fd);
	ASSERT_EQ(0, rvm_detach_dev(self->ctl, LOGF));
	ASSERT_EQ(0, read_seg_file(SEGB, got));
	EXPECT_EQ(0, memcmp(want, got, SEG_SIZE));
	/* The other segment got nothing. */
	memset(want, 0, sizeof(want));
	ASSERT_EQ(0, read_seg_file(SEGA, got));
	EXPECT_EQ(0, memcmp(want, got, SEG_SIZE));
	close(to_child[1]);
	close(to_parent[0]);
}

/*
 * The race. Commits into B use slot k (RACE_SLOT bytes at PG + k *
 * RACE_SLOT) once, k from a shared counter, so that two committers share
 * pages; commits into A likewise. A slot holds its k, tagged.
 */
#define RACE_MS 3000
#define RACE_SLOT 64
#define RACE_SLOTS ((SEG_SIZE - PG) / RACE_SLOT)

struct race {
	int ctl;
	_Atomic uint32_t idb; /* B's id now, 0 while removed */
	atomic_bool stop;
	_Atomic uint32_t next_a, next_b;
	unsigned char ok_a[RACE_SLOTS], ok_b[RACE_SLOTS];
	_Atomic int bad; /* the first unexpected result, as -errno */
	char bad_what[128];
	pthread_mutex_t bad_lock;
	_Atomic unsigned int removes, adds, busy, b_commits, b_refused,
		a_commits, maps, map_refused;
};

static void race_bad(struct race *r, const char *what, int err)
{
	pthread_mutex_lock(&r->bad_lock);
	if (!r->bad) {
		r->bad = err ? err : -1000;
		snprintf(r->bad_what, sizeof(r->bad_what), "%s: %d (%s)", what,
			 err, strerror(-err));
	}
	pthread_mutex_unlock(&r->bad_lock);
	atomic_store(&r->stop, true);
}

static void fill_slot(unsigned char *p, uint64_t tag, uint32_t k)
{
	uint64_t v = (tag << 56) | (k + 1);
	int i;

	for (i = 0; i < RACE_SLOT / 8; i++)
		memcpy(p + 8 * i, &v, 8);
}

/* Removes B and adds it again (a new id each time). */
static void *race_remover(void *arg)
{
	struct race *r = arg;
	uint32_t id;
	int ret;

	while (!atomic_load(&r->stop)) {
		id = atomic_load(&r->idb);
		ret = seg_remove(r->ctl, id);
		if (ret == -EBUSY) {
			r->busy++;
			usleep(200);
			continue;
		}
		if (ret) {
			race_bad(r, "remove", ret);
			break;
		}
		r->removes++;
		atomic_store(&r->idb, 0);
		usleep(500);
		ret = seg_add(r->ctl, SEGB, &id);
		if (ret) {
			race_bad(r, "add", ret);
			break;
		}
		r->adds++;
		atomic_store(&r->idb, id);
	}
	return NULL;
}

/* A mapping of B refused because it is being (or was) removed. */
static bool map_refusal(int err)
{
	return err == EINVAL || err == ENODEV;
}

/* Maps B read-only and faults its pages in. */
static void *race_mapper(void *arg)
{
	struct race *r = arg;
	volatile unsigned char *p;
	uint32_t id;
	int fd = bound_fd(), i;

	if (fd < 0) {
		race_bad(r, "mapper bind", -errno);
		return NULL;
	}
	while (!atomic_load(&r->stop)) {
		id = atomic_load(&r->idb);
		if (!id) {
			usleep(100);
			continue;
		}
		p = map_seg(fd, id, SEG_SIZE, PROT_READ);
		if (p == MAP_FAILED) {
			if (!map_refusal(errno))
				race_bad(r, "mapper mmap", -errno);
			r->map_refused++;
			usleep(100);
			continue;
		}
		r->maps++;
		for (i = 0; i < SEG_SIZE / PG; i += 7)
			(void)p[i * PG];
		munmap((void *)p, SEG_SIZE);
		usleep(300);
	}
	close(fd);
	return NULL;
}

/* Errors a commit into B may get once B is gone under its transaction. */
static bool b_refusal(int err)
{
	return err == -EINVAL || err == -ENODEV || err == -ERANGE;
}

/*
 * Commits into B: map, begin (restore mode), declare, write, sometimes
 * unmap before the end (so the remover can take B away under the
 * transaction), end with flush; on an error, abort.
 */
static void *race_b(void *arg)
{
	struct race *r = arg;
	unsigned char *p;
	uint32_t id, k, n = 0;
	uint64_t tid;
	bool early;
	int fd = bound_fd(), ret;

	if (fd < 0) {
		race_bad(r, "b bind", -errno);
		return NULL;
	}
	while (!atomic_load(&r->stop)) {
		id = atomic_load(&r->idb);
		if (!id) {
			usleep(100);
			continue;
		}
		p = map_seg(fd, id, SEG_SIZE, PROT_READ | PROT_WRITE);
		if (p == MAP_FAILED) {
			if (!map_refusal(errno))
				race_bad(r, "b mmap", -errno);
			usleep(100);
			continue;
		}
		k = atomic_fetch_add(&r->next_b, 1);
		if (k >= RACE_SLOTS) {
			munmap(p, SEG_SIZE);
			break;
		}
		ret = rvm_begin(fd, RVM_TXN_RESTORE, &tid);
		if (ret) {
			race_bad(r, "b begin", ret);
			break;
		}
		ret = rvm_range(fd, tid, p + PG + k * RACE_SLOT, RACE_SLOT);
		if (ret) {
			race_bad(r, "b set_range", ret);
			break;
		}
		fill_slot(p + PG + k * RACE_SLOT, 0xb, k);
		early = n++ % 2;
		if (early)
			munmap(p, SEG_SIZE);
		ret = rvm_end(fd, tid, RVM_END_FLUSH);
		if (!ret) {
			r->ok_b[k] = 1;
			r->b_commits++;
		} else if (b_refusal(ret)) {
			r->b_refused++;
			ret = rvm_abort(fd, tid);
			if (ret)
				race_bad(r, "b abort", ret);
		} else {
			race_bad(r, "b end", ret);
		}
		if (!early)
			munmap(p, SEG_SIZE);
	}
	close(fd);
	return NULL;
}

/* Commits into A, which stays: every one must succeed. */
static void *race_a(void *arg)
{
	struct race *r = arg;
	unsigned char *p;
	uint32_t id, k;
	uint64_t tid;
	int fd = bound_fd(), ret;

	if (fd < 0 || seg_add(r->ctl, SEGA, &id)) {
		race_bad(r, "a bind", -EIO);
		return NULL;
	}
	p = map_seg(fd, id, SEG_SIZE, PROT_READ | PROT_WRITE);
	if (p == MAP_FAILED) {
		race_bad(r, "a mmap", -errno);
		return NULL;
	}
	while (!atomic_load(&r->stop)) {
		k = atomic_fetch_add(&r->next_a, 1);
		if (k >= RACE_SLOTS)
			break;
		ret = rvm_begin(fd, RVM_TXN_NO_RESTORE, &tid);
		if (!ret)
			ret = rvm_range(fd, tid, p + PG + k * RACE_SLOT,
					RACE_SLOT);
		if (!ret) {
			fill_slot(p + PG + k * RACE_SLOT, 0xa, k);
			ret = rvm_end(fd, tid,
				      k % 3 ? RVM_END_NO_FLUSH : RVM_END_FLUSH);
		}
		if (ret) {
			race_bad(r, "a commit", ret);
			break;
		}
		r->ok_a[k] = 1;
		r->a_commits++;
		usleep(200);
	}
	munmap(p, SEG_SIZE);
	close(fd);
	return NULL;
}

/* Slots of @buf as @ok says: the committed ones hold their k, others 0. */
static int check_slots(const unsigned char *buf, const unsigned char *ok,
		       uint64_t tag, uint32_t *first_bad)
{
	unsigned char want[RACE_SLOT], zero[RACE_SLOT] = { 0 };
	uint32_t k;

	for (k = 0; k < RACE_SLOTS; k++) {
		fill_slot(want, tag, k);
		if (memcmp(buf + PG + k * RACE_SLOT, ok[k] ? want : zero,
			   RACE_SLOT)) {
			*first_bad = k;
			return -1;
		}
	}
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

TEST_F(segr, remove_add_race)
{
	static unsigned char before[SEG_SIZE], after[SEG_SIZE];
	static struct race r;
	pthread_t th[5];
	uint32_t id, bad_k = 0;
	unsigned char *p;
	uint64_t t0;
	int i, fd;

	memset(&r, 0, sizeof(r));
	pthread_mutex_init(&r.bad_lock, NULL);
	r.ctl = self->ctl;
	ASSERT_EQ(0, seg_add(self->ctl, SEGB, &id));
	atomic_store(&r.idb, id);
	ASSERT_EQ(0, pthread_create(&th[0], NULL, race_remover, &r));
	ASSERT_EQ(0, pthread_create(&th[1], NULL, race_mapper, &r));
	ASSERT_EQ(0, pthread_create(&th[2], NULL, race_b, &r));
	ASSERT_EQ(0, pthread_create(&th[3], NULL, race_b, &r));
	ASSERT_EQ(0, pthread_create(&th[4], NULL, race_a, &r));
	t0 = now_ms();
	while (!atomic_load(&r.stop) && now_ms() - t0 < RACE_MS)
		usleep(10000);
	atomic_store(&r.stop, true);
	for (i = 0; i < 5; i++)
		pthread_join(th[i], NULL);
	TH_LOG("%u removes, %u busy, %u B commits, %u refused, %u A commits, %u maps, %u refused",
	       r.removes, r.busy, r.b_commits, r.b_refused, r.a_commits,
	       r.maps, r.map_refused);
	EXPECT_EQ(0, r.bad) TH_LOG("%s", r.bad_what);
	/* Not vacuous: the segment went away and came back, commits got in. */
	EXPECT_LT(2, r.removes);
	EXPECT_LT(2, r.b_commits);
	EXPECT_LT(2, r.a_commits);

	/* B removed for good: what its file holds now must not change. */
	id = atomic_load(&r.idb);
	if (id)
		ASSERT_EQ(0, seg_remove(self->ctl, id));
	ASSERT_EQ(0, read_seg_file(SEGB, before));
	EXPECT_EQ(0, check_slots(before, r.ok_b, 0xb, &bad_k))
		TH_LOG("B slot %u (committed: %d)", bad_k, r.ok_b[bad_k]);
	/* More commits into A, a truncation: nothing reaches B's file. */
	fd = bound_fd();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, seg_add(self->ctl, SEGA, &id));
	p = map_seg(fd, id, SEG_SIZE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, commit_bytes(fd, p, 0x77, 16));
	EXPECT_EQ(0, rvm_sync(fd, true));
	munmap(p, SEG_SIZE);
	close(fd);
	EXPECT_FALSE(rvm_status_of(self->ctl, LOGF).flags & RVM_STATUS_FAILED);
	ASSERT_EQ(0, rvm_detach_dev(self->ctl, LOGF));
	ASSERT_EQ(0, read_seg_file(SEGB, after));
	EXPECT_EQ(0, memcmp(before, after, SEG_SIZE));
	ASSERT_EQ(0, read_seg_file(SEGA, after));
	EXPECT_TRUE(rvm_all_bytes(after, 0x77, 16));
	EXPECT_EQ(0, check_slots(after, r.ok_a, 0xa, &bad_k))
		TH_LOG("A slot %u (committed: %d)", bad_k, r.ok_a[bad_k]);
	/* The log recovers cleanly and names no removed segment. */
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, LOGF, NULL));
	ASSERT_EQ(0, read_seg_file(SEGA, before));
	EXPECT_EQ(0, memcmp(before, after, SEG_SIZE));
}

/* Begin with a declaration slot; its index, or RVM_DECL_NO_SLOT. */
static uint32_t begin_slot(int fd, uint32_t flags, uint64_t *tid)
{
	struct rvm_txn_begin b;

	memset(&b, 0, sizeof(b));
	b.flags = flags | RVM_TXN_DECL;
	if (rvm_do(fd, RVM_IOC_BEGIN, &b))
		return RVM_DECL_NO_SLOT;
	*tid = b.tid;
	return b.slot;
}

/* Publish an entry as librvm does, claiming that @addr maps to @off. */
static void publish(struct rvm_decl_slot *s, const void *addr, uint64_t off,
		    uint64_t len)
{
	uint64_t data = 0;
	uint32_t i;

	if (s->flags & RVM_TXN_RESTORE) {
		data = __atomic_fetch_add(&s->data_next, len, __ATOMIC_RELAXED);
		/* The old bytes it claims: not the real ones. */
		memset(s->data + data, 0x5a, len);
	}
	i = __atomic_fetch_add(&s->next, 1, __ATOMIC_RELAXED);
	s->ent[i].addr = (uintptr_t)addr;
	s->ent[i].off = off;
	s->ent[i].data = data;
	__atomic_store_n(&s->ent[i].len, len, __ATOMIC_RELEASE);
}

struct lie {
	const char *what;
	size_t at; /* in A's mapping */
	uint64_t off;
	uint64_t len;
};

/* Each lie in turn, in a transaction of @fd that maps A at @a, B at @b. */
static void tell_lies(struct __test_metadata *_metadata, int fd,
		      unsigned char *a, unsigned char *b,
		      const struct lie *lies, uint32_t n)
{
	struct rvm_decl_slot *area;
	uint32_t slot, i, mode;
	uint64_t tid;

	area = mmap(NULL, RVM_DECL_AREA_SIZE, PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, (off_t)RVM_DECL_MMAP_OFFSET);
	ASSERT_NE(MAP_FAILED, area);
	for (i = 0; i < n; i++) {
		const struct lie *l = &lies[i];

		mode = i % 2 ? RVM_TXN_NO_RESTORE : RVM_TXN_RESTORE;
		slot = begin_slot(fd, mode, &tid);
		ASSERT_GT(RVM_DECL_SLOTS, slot);
		publish(&area[slot], a + l->at, l->off, l->len);
		/* The slot lets the write fault in (by address). */
		EXPECT_EQ(0, try_memset(a + l->at, 0xee, l->len))
			TH_LOG("%s: the write faulted", l->what);
		EXPECT_EQ(-EINVAL, rvm_end(fd, tid, RVM_END_FLUSH))
			TH_LOG("%s: end", l->what);
		/* Without it, the write is undeclared. */
		EXPECT_EQ(-EPROTO, rvm_end(fd, tid, RVM_END_FLUSH))
			TH_LOG("%s: end again", l->what);
		/*
		 * Nothing declared them, so nothing restores them: put them
		 * back (the page is still the transaction's), then end it.
		 */
		memset(a + l->at, 0, l->len);
		if (mode == RVM_TXN_RESTORE) {
			EXPECT_EQ(0, rvm_abort(fd, tid))
				TH_LOG("%s: abort", l->what);
		} else {
			EXPECT_EQ(0, rvm_end(fd, tid, RVM_END_FLUSH))
				TH_LOG("%s: end once put back", l->what);
		}
		EXPECT_TRUE(rvm_all_bytes(b, 0, SEG_SIZE))
			TH_LOG("%s: B changed in memory", l->what);
	}
	munmap(area, RVM_DECL_AREA_SIZE);
}

TEST_F(segr, lying_slot_entry)
{
	static unsigned char buf[SEG_SIZE];
	struct rvm_decl_slot *area;
	unsigned char *a, *b;
	uint32_t ida, idb, idc, slot;
	uint64_t tid;
	int fd;

	ASSERT_EQ(0, seg_add(self->ctl, SEGA, &ida));
	ASSERT_EQ(0, seg_add(self->ctl, SEGB, &idb));
	ASSERT_EQ(0, seg_add(self->ctl, SEGC, &idc));
	ASSERT_EQ(0, seg_remove(self->ctl, idc));
	const struct lie lies[] = {
		{ "another segment", PG, RVM_SEG_OFFSET(idb, PG), 100 },
		{ "another segment, the same offset as mapped", 0,
		  RVM_SEG_OFFSET(idb, 0), PG },
		{ "a removed segment", PG, RVM_SEG_OFFSET(idc, PG), 100 },
		{ "a segment that never was", PG, RVM_SEG_OFFSET(idc + 7, PG),
		  100 },
		{ "past the end of the segment", PG,
		  RVM_SEG_OFFSET(ida, SEG_SIZE), 100 },
		{ "across the end of the segment", 2 * PG,
		  RVM_SEG_OFFSET(ida, SEG_SIZE - 50), 100 },
		{ "across 1 << 40 into the next id", 3 * PG,
		  RVM_SEG_OFFSET(ida, RVM_SEG_MAX_SIZE - 50), 100 },
		{ "segment 0, which this log has not", PG, PG, 100 },
	};

	fd = bound_fd();
	ASSERT_LE(0, fd);
	a = map_seg(fd, ida, SEG_SIZE, PROT_READ | PROT_WRITE);
	b = map_seg(fd, idb, SEG_SIZE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	tell_lies(_metadata, fd, a, b, lies, sizeof(lies) / sizeof(lies[0]));
	EXPECT_EQ(0, rvm_sync(fd, true));
	munmap(a, SEG_SIZE);
	munmap(b, SEG_SIZE);
	close(fd);

	/*
	 * Closing the file with a lying entry in a running restore-mode
	 * transaction: the entry is taken at the offset it claims (nothing
	 * maps anything any more), which is B's; only memory may change.
	 */
	fd = bound_fd();
	ASSERT_LE(0, fd);
	a = map_seg(fd, ida, SEG_SIZE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, a);
	area = mmap(NULL, RVM_DECL_AREA_SIZE, PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, (off_t)RVM_DECL_MMAP_OFFSET);
	ASSERT_NE(MAP_FAILED, area);
	slot = begin_slot(fd, RVM_TXN_RESTORE, &tid);
	ASSERT_GT(RVM_DECL_SLOTS, slot);
	publish(&area[slot], a + PG, RVM_SEG_OFFSET(idb, 2 * PG), 100);
	EXPECT_EQ(0, try_memset(a + PG, 0xee, 100));
	munmap(area, RVM_DECL_AREA_SIZE);
	munmap(a, SEG_SIZE);
	close(fd);

	ASSERT_EQ(0, rvm_detach_dev(self->ctl, LOGF));
	ASSERT_EQ(0, read_seg_file(SEGA, buf));
	EXPECT_TRUE(rvm_all_bytes(buf, 0, SEG_SIZE)) TH_LOG("A was written");
	ASSERT_EQ(0, read_seg_file(SEGB, buf));
	EXPECT_TRUE(rvm_all_bytes(buf, 0, SEG_SIZE)) TH_LOG("B was written");
	ASSERT_EQ(0, read_seg_file(SEGC, buf));
	EXPECT_TRUE(rvm_all_bytes(buf, 0, SEG_SIZE)) TH_LOG("C was written");
}

TEST_HARNESS_MAIN
