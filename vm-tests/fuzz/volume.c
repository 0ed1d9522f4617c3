// SPDX-License-Identifier: GPL-2.0
/*
 * rvm_fuzz job "volume": crafted and randomly corrupted volumes attached
 * in the VM, where the module's recovery must agree byte for byte with
 * librvm's offline recovery (the same kmod/common/recovery.c, built with the
 * kshim).
 *
 * Each round: format FZ_IMG_SRC (in half of the rounds with an external
 * segment, SEG1, a file registered offline, so that the table in force is
 * generation 1 in copy B and copy A holds generation 0), attach it, run
 * random transactions (flush and no_flush, big and small, a third of the
 * ranges in SEG1 when it is there, some left running, a truncation now
 * and then) and take a crash image of the live device, and of SEG1, into
 * files; then, for one to four variants of it, corrupt the
 * image (none, or up to three of: bytes of the log flipped, sectors zeroed
 * or copied elsewhere, superblock fields (geometry included) changed and
 * resealed in one copy or both, a bit of a superblock flipped without
 * resealing, or the segment table: bytes of one copy or both flipped,
 * zeroed or randomized with a stale CRC, the copy resealed, or resealed
 * and named by the superblocks; segtab_gen of one superblock moved, with
 * or without the CRC of the copy it then names; a header field or an
 * entry's id, kind, size, identity or name changed and resealed through);
 * recover a copy offline
 * (rvm_vol_read_super(), rvm_vol_recover()) into the expected image; put
 * the image on FZ_IMG_DEV and attach it. Findings: attach and offline
 * recovery disagree on accepting it; the module's data segment (read
 * through a mapping) differs from the expected one; detach fails; the
 * detached device's data segment differs, or its log is not empty. SEG1
 * is put back as it was at the crash before each recovery (in place: its
 * identity must still match), and the module's view of it and the file
 * after detach are compared with what offline recovery made of it.
 */
#include <rvm/volume.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#define IMG "/tmp/fuzz-img"
#define EXP "/tmp/fuzz-exp"
/* An external segment (a file no record names), in half of the volumes. */
#define SEG1 "/tmp/fuzz-seg1"
#define SEG1_SIZE (64 << 10)

static size_t img_len;
/* This round's volume has SEG1, as segment @seg_id; its crash image. */
static bool have_seg;
static uint32_t seg_id;
static unsigned char seg_exp[SEG1_SIZE], seg_cur[SEG1_SIZE];
#define SEG1_CRASH "/tmp/fuzz-seg1-crash"
#define SEG1_EXP "/tmp/fuzz-seg1-exp"

static int copy(const char *from, const char *to, bool direct_to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC | O_DIRECT);
	int out = open(to,
		       O_WRONLY | O_CREAT | O_CLOEXEC |
			       (direct_to ? O_DIRECT : O_TRUNC),
		       0600);
	size_t chunk = 1 << 20, done = 0;
	void *buf = NULL;
	int ret = -1;

	if (in < 0)
		in = open(from, O_RDONLY | O_CLOEXEC); /* tmpfs: no O_DIRECT */
	if (in < 0 || out < 0 || posix_memalign(&buf, 4096, chunk))
		goto out;
	while (done < img_len) {
		if (pread(in, buf, chunk, done) != (ssize_t)chunk ||
		    pwrite(out, buf, chunk, done) != (ssize_t)chunk)
			goto out;
		done += chunk;
	}
	ret = fsync(out);
out:
	free(buf);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ret;
}

/*
 * Copy regular file @from over @to, in place (the same inode: the table's
 * identity check must still find SEG1 itself), made durable.
 */
static int copy_file(const char *from, const char *to)
{
	unsigned char buf[SEG1_SIZE];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	int ret = -1;

	if (in >= 0 && out >= 0 && pread(in, buf, SEG1_SIZE, 0) == SEG1_SIZE &&
	    pwrite(out, buf, SEG1_SIZE, 0) == SEG1_SIZE)
		ret = fsync(out);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ret;
}

/* Random transactions on the attached FZ_IMG_SRC. */
static int workload(struct fz_rng *r, size_t data_len)
{
	size_t maplen = data_len < (2u << 20) ? data_len : (2u << 20);
	int n = 1 + fz_below(r, 60);
	unsigned char *p, *q = NULL;
	struct rvm_sync s;
	int fd;

	fd = fz_map(FZ_IMG_SRC, 0, maplen, &p);
	if (fd < 0) {
		fz_finding("volume: cannot map %s", FZ_IMG_SRC);
		return -1;
	}
	if (have_seg) {
		q = mmap(NULL, SEG1_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, RVM_SEG_OFFSET(seg_id, 0));
		if (q == MAP_FAILED) {
			fz_finding("volume: cannot map segment %u", seg_id);
			return -1;
		}
	}
	while (n--) {
		uint32_t mode = fz_one_in(r, 2) ? RVM_TXN_RESTORE :
						  RVM_TXN_NO_RESTORE;
		int k = 1 + fz_below(r, 4);
		uint64_t tid;

		if (fz_begin(fd, mode, &tid, NULL))
			continue;
		while (k--) {
			uint64_t len =
				1 + fz_below(r, fz_one_in(r, 8) ? 65536 : 600);
			unsigned char *base = p;
			uint64_t off;

			/* A third of the ranges go to the external segment. */
			if (q && fz_one_in(r, 3)) {
				base = q;
				len = 1 + fz_below(r, 600);
				off = fz_below(r, SEG1_SIZE - len);
			} else {
				off = fz_below(r, maplen - len);
			}
			if (!fz_range(fd, tid, base + off, len))
				fz_fill(r, base + off, len);
		}
		if (n == 0 && fz_one_in(r, 3))
			break; /* left running in the crash image */
		if (mode == RVM_TXN_RESTORE && fz_one_in(r, 6))
			fz_abort(fd, tid);
		else
			fz_end(fd, tid,
			       fz_one_in(r, 3) ? RVM_END_NO_FLUSH :
						 RVM_END_FLUSH);
		if (fz_one_in(r, 20)) {
			memset(&s, 0, sizeof(s));
			fz_ioctl(fd, RVM_IOC_TRUNCATE, &s);
		}
	}
	if (copy(FZ_IMG_SRC, IMG, false) ||
	    (have_seg && copy_file(SEG1, SEG1_CRASH))) {
		fz_finding("volume: cannot copy %s", FZ_IMG_SRC);
		return -1;
	}
	if (q)
		munmap(q, SEG1_SIZE);
	munmap(p, maplen);
	close(fd);
	return 0;
}

/* Superblock copy @slot of @img, and where segment table copy @c is. */
static struct rvm_disk_super *img_super(unsigned char *img, int slot)
{
	return (struct rvm_disk_super *)(img + slot * RVM_BLOCK_SIZE);
}

/* (@sb: format's superblock, not one of @img's, which may be corrupt) */
static unsigned char *img_segtab(unsigned char *img,
				 const struct rvm_disk_super *s, int c,
				 size_t *bytes)
{
	*bytes = rvm_segtab_bytes(s);
	return img + (le64_to_cpu(s->segtab_start) +
		      c * le32_to_cpu(s->segtab_blocks)) *
			     RVM_BLOCK_SIZE;
}

/*
 * Reseal segment table copy @c and make every superblock that names it
 * (segtab_gen of its parity) name its new CRC, resealed too.
 */
static void segtab_reseal(unsigned char *img, const struct rvm_disk_super *sb,
			  int c)
{
	size_t bytes;
	struct rvm_segtab_hdr *h = (void *)img_segtab(img, sb, c, &bytes);
	int slot;

	rvm_segtab_seal(h, bytes);
	for (slot = 0; slot < RVM_SUPER_COPIES; slot++) {
		struct rvm_disk_super *s = img_super(img, slot);

		if ((le64_to_cpu(s->segtab_gen) & 1) != (uint64_t)c)
			continue;
		s->segtab_crc = h->crc;
		rvm_super_seal(s);
	}
}

/* The segment table copy the newer superblock names (the one in force). */
static int segtab_in_force(unsigned char *img)
{
	const struct rvm_disk_super *a = img_super(img, 0),
				    *b = img_super(img, 1);
	const struct rvm_disk_super *s =
		le64_to_cpu(a->sb_seq) > le64_to_cpu(b->sb_seq) ? a : b;

	return le64_to_cpu(s->segtab_gen) & 1;
}

/* @v moved by one @step either way, or an "interesting" value. */
static uint64_t nudge(struct fz_rng *r, uint64_t v, uint64_t step)
{
	if (fz_one_in(r, 2))
		return fz_value(r);
	return v + step * (fz_below(r, 3) - 1);
}

/*
 * A segment table mutation: bytes of one copy or both (the one in force
 * or the other) flipped, zeroed or randomized, left with a stale CRC,
 * resealed, or resealed and named by the superblocks; segtab_gen (and
 * segtab_crc) of one superblock moved, to the other copy or anywhere; a
 * field of the header or of an entry (id, kind, size, identity, name)
 * changed and resealed through.
 */
static void corrupt_segtab(struct fz_rng *r, unsigned char *img,
			   const struct rvm_disk_super *sb, char *what,
			   size_t wlen)
{
	int c = fz_one_in(r, 4) ? 1 - segtab_in_force(img) :
				  segtab_in_force(img);
	int slot = fz_below(r, RVM_SUPER_COPIES), seal = fz_below(r, 3);
	static const char *const how[] = { "stale CRC", "copy resealed",
					   "resealed through" };
	size_t bytes, at, n;
	unsigned char *t = img_segtab(img, sb, c, &bytes);
	struct rvm_segtab_hdr *h = (void *)t;
	struct rvm_disk_seg *e;
	struct rvm_disk_super *s;
	uint32_t nsegs, i;
	uint64_t v;
	int field;

	fz_inc(FZ_VOL_SEGTAB, 1);
	/* where the bytes that matter are: the header and the entries */
	nsegs = le32_to_cpu(h->nsegs);
	n = (size_t)(1 + (nsegs < 4 ? nsegs : 4)) * RVM_SEG_ENTRY_SIZE;
	at = fz_below(r, fz_one_in(r, 4) ? bytes : n);

	switch (fz_below(r, 6)) {
	case 0:
		t[at] ^= 1 << fz_below(r, 8);
		snprintf(what, wlen, "segment table %c: bit flip at %zu, %s",
			 'A' + c, at, how[seal]);
		break;
	case 1:
		n = 1 + fz_below(r, fz_one_in(r, 2) ? 16 : bytes - at);
		n = n < bytes - at ? n : bytes - at;
		field = fz_below(r, 2);
		if (field)
			memset(t + at, 0, n);
		else
			fz_fill(r, t + at, n);
		snprintf(what, wlen,
			 "segment table %c: %zu bytes at %zu %s, %s", 'A' + c,
			 n, at, field ? "zeroed" : "random", how[seal]);
		break;
	case 2:
		/* both copies, the same bytes */
		for (c = 0; c < 2; c++) {
			t = img_segtab(img, sb, c, &bytes);
			t[at] ^= 1 << fz_below(r, 8);
			if (seal == 1)
				rvm_segtab_seal(t, bytes);
			else if (seal == 2)
				segtab_reseal(img, sb, c);
		}
		snprintf(what, wlen,
			 "segment tables A and B: bit flip at %zu, %s", at,
			 how[seal]);
		return;
	case 3:
		/* segtab_gen of one superblock, resealed */
		s = img_super(img, slot);
		if (fz_one_in(r, 2)) {
			s->segtab_gen = cpu_to_le64(le64_to_cpu(s->segtab_gen) +
						    fz_below(r, 3) - 1);
		} else {
			s->segtab_gen = cpu_to_le64(fz_value(r));
		}
		if (fz_one_in(r, 2)) {
			/* and the CRC of the copy it names now: a rollback */
			t = img_segtab(img, sb, le64_to_cpu(s->segtab_gen) & 1,
				       &bytes);
			s->segtab_crc = ((struct rvm_segtab_hdr *)t)->crc;
		}
		rvm_super_seal(s);
		snprintf(what, wlen,
			 "superblock %c: segtab_gen %llu, crc 0x%08x, resealed",
			 'A' + slot,
			 (unsigned long long)le64_to_cpu(s->segtab_gen),
			 le32_to_cpu(s->segtab_crc));
		return;
	case 4:
		/* a header field: gen, nsegs, next_id, vol_nonce */
		field = fz_below(r, 4);
		switch (field) {
		case 0:
			h->gen = cpu_to_le64(nudge(r, le64_to_cpu(h->gen), 2));
			break;
		case 1:
			h->nsegs = cpu_to_le32(nudge(r, nsegs, 1));
			break;
		case 2:
			v = nudge(r, le32_to_cpu(h->next_id), 1);
			h->next_id = cpu_to_le32(v);
			break;
		default:
			h->vol_nonce = cpu_to_le64(fz_value(r));
			break;
		}
		segtab_reseal(img, sb, c);
		snprintf(what, wlen,
			 "segment table %c: header field %d, resealed through",
			 'A' + c, field);
		return;
	default:
		/* a field of an entry */
		i = nsegs ? fz_below(r, nsegs < 63 ? nsegs : 63) : 0;
		e = (struct rvm_disk_seg *)(h + 1) + i;
		/* size, id, flags (kind), dev, ino, name */
		field = fz_below(r, 7);
		switch (field) {
		case 0:
			v = nudge(r, le64_to_cpu(e->size), RVM_BLOCK_SIZE);
			e->size = cpu_to_le64(v);
			break;
		case 1:
			e->id = cpu_to_le32(fz_one_in(r, 2) ?
						    le32_to_cpu(e->id) ^ 1 :
						    (uint32_t)fz_value(r));
			break;
		case 2:
			e->flags = cpu_to_le32(1 << fz_below(r, 4));
			break;
		case 3:
			e->dev = cpu_to_le64(le64_to_cpu(e->dev) ^
					     (1ULL << fz_below(r, 20)));
			break;
		case 4:
			e->ino = cpu_to_le64(le64_to_cpu(e->ino) ^
					     (1ULL << fz_below(r, 20)));
			break;
		case 5:
			e->name[fz_below(r, 8)] ^= 1 << fz_below(r, 7);
			break;
		default:
			e->name[fz_below(r, RVM_SEG_NAME_LEN)] = 'x';
			break;
		}
		segtab_reseal(img, sb, c);
		snprintf(what, wlen,
			 "segment table %c: entry %u field %d, resealed",
			 'A' + c, i, field);
		return;
	}
	if (seal == 1)
		rvm_segtab_seal(t, bytes);
	else if (seal == 2)
		segtab_reseal(img, sb, c);
}

static void corrupt(struct fz_rng *r, unsigned char *img,
		    const struct rvm_disk_super *sb, char *what, size_t wlen)
{
	size_t log_off = le64_to_cpu(sb->log_start) * RVM_BLOCK_SIZE;
	size_t log_len = le64_to_cpu(sb->log_blocks) * RVM_BLOCK_SIZE;
	/* where records are: from the head, usually the start of a lap */
	size_t span = log_len < 65536 * 4 ? log_len : 65536 * 4;
	size_t at = log_off + fz_below(r, span);
	struct rvm_disk_super s;
	int slot = fz_below(r, 2);

	switch (fz_below(r, 9)) {
	case 0:
		img[at] ^= 1 << fz_below(r, 8);
		snprintf(what, wlen, "bit flip at %zu", at);
		break;
	case 1:
		at &= ~511UL;
		memset(img + at, 0, 512);
		snprintf(what, wlen, "sector at %zu zeroed", at);
		break;
	case 2: {
		size_t to = (log_off + fz_below(r, span)) & ~511UL;

		at &= ~511UL;
		memcpy(img + to, img + at, 512);
		snprintf(what, wlen, "sector %zu copied to %zu", at, to);
		break;
	}
	case 3:
		fz_fill(r, img + at, 1 + fz_below(r, 64));
		snprintf(what, wlen, "random bytes at %zu", at);
		break;
	case 4:
		/* a superblock field changed, resealed (in both copies: 1/3) */
		memcpy(&s, img + slot * RVM_BLOCK_SIZE, sizeof(s));
		switch (fz_below(r, 8)) {
		case 0:
			s.head_seq = cpu_to_le64(le64_to_cpu(s.head_seq) +
						 fz_below(r, 3) - 1);
			break;
		case 1:
			s.head_lsn = cpu_to_le64(le64_to_cpu(s.head_lsn) +
						 64 * (fz_below(r, 3) - 1));
			break;
		case 2:
			s.sb_seq = cpu_to_le64(fz_value(r));
			break;
		case 3:
			s.flags = cpu_to_le32(fz_below(r, 4));
			break;
		case 4:
			s.head_lsn = cpu_to_le64(fz_value(r));
			break;
		case 5: /* the geometry */
			switch (fz_below(r, 4)) {
			case 0:
				s.log_start = cpu_to_le64(fz_value(r));
				break;
			case 1:
				s.log_blocks = cpu_to_le64(fz_value(r));
				break;
			case 2:
				s.data_start = cpu_to_le64(fz_value(r));
				break;
			default:
				s.data_blocks = cpu_to_le64(fz_value(r));
				break;
			}
			break;
		case 6:
			s.head_seq = cpu_to_le64(fz_value(r));
			break;
		default:
			((unsigned char *)&s)[fz_below(r, RVM_SUPER_SIZE - 4)] ^=
				1 << fz_below(r, 8);
			break;
		}
		rvm_super_seal(&s);
		memcpy(img + slot * RVM_BLOCK_SIZE, &s, sizeof(s));
		if (fz_one_in(r, 3)) {
			/* the other copy too, with its own sb_seq parity */
			s.sb_seq = cpu_to_le64(le64_to_cpu(s.sb_seq) + 1);
			rvm_super_seal(&s);
			memcpy(img + (1 - slot) * RVM_BLOCK_SIZE, &s,
			       sizeof(s));
		}
		snprintf(what, wlen, "superblock %c changed and resealed",
			 'A' + slot);
		break;
	case 5:
		img[slot * RVM_BLOCK_SIZE + fz_below(r, RVM_SUPER_SIZE)] ^=
			1 << fz_below(r, 8);
		snprintf(what, wlen, "superblock %c bit flip", 'A' + slot);
		break;
	case 6:
	case 7:
		corrupt_segtab(r, img, sb, what, wlen);
		break;
	default:
		snprintf(what, wlen, "none");
		break;
	}
}

static int read_file(const char *path, unsigned char *buf, size_t len)
{
	int f = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (f < 0)
		return -1;
	n = pread(f, buf, len, 0);
	close(f);
	return n == (ssize_t)len ? 0 : -1;
}

static int write_file(const char *path, const unsigned char *buf, size_t len)
{
	int f = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t n;

	if (f < 0)
		return -1;
	n = pwrite(f, buf, len, 0);
	close(f);
	return n == (ssize_t)len ? 0 : -1;
}

/* The offline verdict: 0 and the recovered image in EXP, or an errno. */
static int offline(struct rvm_disk_super *sb)
{
	struct rvm_recovery_stats st;
	struct rvm_vol *v;
	int ret;

	ret = rvm_vol_open(EXP, 0, &v);
	if (ret)
		return ret;
	ret = rvm_vol_read_super(v, sb);
	if (ret >= 0)
		ret = rvm_vol_recover(v, NULL, &st);
	rvm_vol_close(v);
	return ret;
}

static long first_diff(const unsigned char *a, const unsigned char *b,
		       size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[i])
			return i;
	return -1;
}

/*
 * Corrupt @img (the crash image of a volume whose superblock was @sb),
 * recover it offline and in the module, compare. 0, or 1 for a finding.
 */
static int check_image(struct fz_rng *r, unsigned char *img, unsigned char *exp,
		       const struct rvm_disk_super *sb, int round, int variant)
{
	struct rvm_recovery_stats cst;
	struct rvm_disk_super esb;
	char what[4][96];
	size_t data_off, data_len;
	struct rvm_vol *v;
	unsigned char *m;
	int ncorrupt = fz_below(r, 4), i, eret, aret, fd, finding = 0;
	long d;

	for (i = 0; i < ncorrupt; i++)
		corrupt(r, img, sb, what[i], sizeof(what[i]));
	if (write_file(IMG, img, img_len) || write_file(EXP, img, img_len))
		return 1;
	fz_inc(FZ_VOL_IMAGE, 1);

	/* Both recoveries start from SEG1 as it was at the crash. */
	if (have_seg && copy_file(SEG1_CRASH, SEG1))
		return 1;
	eret = offline(&esb);
	if (have_seg &&
	    (copy_file(SEG1, SEG1_EXP) || copy_file(SEG1_CRASH, SEG1)))
		return 1;
	if (copy(IMG, FZ_IMG_DEV, true))
		return 1;
	aret = fz_attach(FZ_IMG_DEV, NULL);
	if ((eret < 0) != (aret < 0)) {
		fz_finding("volume round %d.%d: offline recovery %d, attach %d",
			   round, variant, eret, aret);
		finding = 1;
	}
	for (i = 0; finding && i < ncorrupt; i++)
		printf("  corruption: %s\n", what[i]);
	if (aret < 0) {
		if (!finding)
			fz_inc(FZ_VOL_REFUSED, 1);
		return finding;
	}
	if (eret < 0) {
		fz_detach(FZ_IMG_DEV);
		return finding;
	}
	/* Both recovered: compare the data segments, byte for byte. */
	data_off = le64_to_cpu(esb.data_start) * RVM_BLOCK_SIZE;
	data_len = le64_to_cpu(esb.data_blocks) * RVM_BLOCK_SIZE;
	if (read_file(EXP, exp, img_len))
		return 1;
	fd = fz_map(FZ_IMG_DEV, 0, data_len, &m);
	if (fd < 0) {
		fz_finding("volume round %d.%d: cannot map the attached image",
			   round, variant);
		finding = 1;
	} else {
		d = first_diff(m, exp + data_off, data_len);
		if (d >= 0) {
			fz_finding(
				"volume round %d.%d: module's data differs from offline recovery at data offset %ld (0x%02x, offline 0x%02x)",
				round, variant, d, m[d], exp[data_off + d]);
			finding = 1;
		}
		munmap(m, data_len);
		close(fd);
	}
	if (have_seg && read_file(SEG1_EXP, seg_exp, SEG1_SIZE))
		return 1;
	/* SEG1 through the module, if the table still has it as seg_id. */
	fd = have_seg ? fz_map(FZ_IMG_DEV, RVM_SEG_OFFSET(seg_id, 0),
			       SEG1_SIZE, &m) :
			-1;
	if (fd >= 0) {
		d = first_diff(m, seg_exp, SEG1_SIZE);
		if (d >= 0) {
			fz_finding(
				"volume round %d.%d: module's segment %u differs from offline recovery at %ld",
				round, variant, seg_id, d);
			finding = 1;
		}
		fz_inc(FZ_VOL_SEG_COMPARED, 1);
		munmap(m, SEG1_SIZE);
		close(fd);
	} else if (have_seg && !ncorrupt) {
		/* An image nothing corrupted has its segment: map it. */
		fz_finding("volume round %d.%d: cannot map segment %u",
			   round, variant, seg_id);
		finding = 1;
	}
	aret = fz_detach(FZ_IMG_DEV);
	if (aret) {
		fz_finding("volume round %d.%d: detach: %d", round, variant,
			   aret);
		finding = 1;
	}
	/* Detached: the device's data and an empty log. */
	if (copy(FZ_IMG_DEV, IMG, false) || read_file(IMG, img, img_len))
		return 1;
	d = first_diff(img + data_off, exp + data_off, data_len);
	if (d >= 0) {
		fz_finding(
			"volume round %d.%d: data segment after detach differs at %ld",
			round, variant, d);
		finding = 1;
	}
	if (have_seg) {
		if (read_file(SEG1, seg_cur, SEG1_SIZE))
			return 1;
		d = first_diff(seg_cur, seg_exp, SEG1_SIZE);
		if (d >= 0) {
			fz_finding(
				"volume round %d.%d: segment %u after detach differs at %ld",
				round, variant, seg_id, d);
			finding = 1;
		}
	}
	if (rvm_vol_open(FZ_IMG_DEV, RVM_VOL_RDONLY, &v) == 0) {
		if (rvm_vol_read_super(v, NULL) < 0 || rvm_vol_check(v, &cst) ||
		    cst.records) {
			fz_finding(
				"volume round %d.%d: log after detach not empty (%s)",
				round, variant, rvm_vol_last_error());
			finding = 1;
		}
		rvm_vol_close(v);
	}
	for (i = 0; finding && i < ncorrupt; i++)
		printf("  corruption: %s\n", what[i]);
	if (!finding)
		fz_inc(FZ_VOL_ATTACHED, 1);
	return finding;
}

/*
 * Register SEG1 offline with the fresh volume on FZ_IMG_SRC: its table is
 * then generation 1 in copy B, and copy A still holds generation 0.
 */
static int add_segment(void)
{
	struct rvm_vol *v;
	int ret;

	ret = rvm_vol_open(FZ_IMG_SRC, 0, &v);
	if (ret)
		return ret;
	ret = rvm_vol_read_super(v, NULL);
	if (ret >= 0)
		ret = rvm_vol_seg_add(v, SEG1, &seg_id);
	rvm_vol_close(v);
	return ret;
}

/*
 * One round: a fresh volume on FZ_IMG_SRC (with an external segment, SEG1,
 * in half of them), a workload, its crash image in
 * @orig; then a few corrupted variants of it, each checked.
 */
static int round_once(struct fz_rng *r, unsigned char *orig, unsigned char *img,
		      unsigned char *exp, int round)
{
	uint64_t log_bytes = 65536ULL << fz_below(r, 5);
	int i, n = 1 + fz_below(r, 4), finding = 0;
	struct rvm_disk_super sb;
	struct rvm_vol *v;

	fz_detach(FZ_IMG_SRC);
	if (rvm_vol_format(FZ_IMG_SRC, log_bytes, 0)) {
		fz_finding("volume: format: %s", rvm_vol_last_error());
		return 1;
	}
	have_seg = fz_one_in(r, 2);
	if (have_seg && add_segment()) {
		fz_finding("volume: segment add: %s", rvm_vol_last_error());
		return 1;
	}
	if (rvm_vol_open(FZ_IMG_SRC, RVM_VOL_RDONLY, &v))
		return 1;
	i = rvm_vol_read_super(v, &sb);
	rvm_vol_close(v);
	if (i < 0)
		return 1;
	if (fz_attach(FZ_IMG_SRC, NULL)) {
		fz_finding("volume: cannot attach a fresh %s", FZ_IMG_SRC);
		return 1;
	}
	if (workload(r, le64_to_cpu(sb.data_blocks) * RVM_BLOCK_SIZE))
		return 1;
	if (fz_detach(FZ_IMG_SRC)) {
		fz_finding("volume: detach of %s failed", FZ_IMG_SRC);
		return 1;
	}
	if (read_file(IMG, orig, img_len))
		return 1;
	for (i = 0; i < n && !finding; i++) {
		memcpy(img, orig, img_len);
		finding = check_image(r, img, exp, &sb, round, i);
	}
	return finding;
}

int fz_job_volume(const struct fz_job_ctx *c)
{
	double end = fz_now() + c->seconds;
	unsigned char *orig, *img, *exp;
	struct fz_rng r;
	struct rvm_vol *v;
	int round = 0, finding = 0, fd;

	fz_seed(&r, c->seed);
	if (rvm_vol_open(FZ_IMG_SRC, RVM_VOL_RDONLY, &v))
		return 1;
	img_len = rvm_vol_size(v) & ~((1UL << 20) - 1);
	rvm_vol_close(v);
	fd = open(SEG1, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, SEG1_SIZE))
		return 1;
	close(fd);
	orig = malloc(img_len);
	img = malloc(img_len);
	exp = malloc(img_len);
	if (!orig || !img || !exp)
		return 1;
	do {
		finding |= round_once(&r, orig, img, exp, round++);
	} while (fz_now() < end && !finding);
	fz_detach(FZ_IMG_DEV);
	fz_detach(FZ_IMG_SRC);
	unlink(IMG);
	unlink(EXP);
	unlink(SEG1);
	unlink(SEG1_CRASH);
	unlink(SEG1_EXP);
	free(orig);
	free(img);
	free(exp);
	return finding;
}
