// SPDX-License-Identifier: GPL-2.0
/*
 * rvm_fuzz job "volume": crafted and randomly corrupted volumes attached
 * in the VM, where the module's recovery must agree byte for byte with
 * librvm's offline recovery (the same kmod/common/recovery.c, built with the
 * kshim).
 *
 * Each round: format FZ_IMG_SRC, attach it, run random transactions
 * (flush and no_flush, big and small, some left running, a truncation
 * now and then) and take a crash image of the live device into a file;
 * then, for one to four variants of it, corrupt the image (none, or up
 * to three of: bytes of the log flipped, sectors zeroed or copied
 * elsewhere, superblock fields (geometry included) changed and resealed
 * in one copy or both, or a bit of a superblock flipped without
 * resealing); recover a copy offline
 * (rvm_vol_read_super(), rvm_vol_recover()) into the expected image; put
 * the image on FZ_IMG_DEV and attach it. Findings: attach and offline
 * recovery disagree on accepting it; the module's data segment (read
 * through a mapping) differs from the expected one; detach fails; the
 * detached device's data segment differs, or its log is not empty.
 */
#include <rvm/volume.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#define IMG "/tmp/fuzz-img"
#define EXP "/tmp/fuzz-exp"

static size_t img_len;

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

/* Random transactions on the attached FZ_IMG_SRC. */
static int workload(struct fz_rng *r, size_t data_len)
{
	size_t maplen = data_len < (2u << 20) ? data_len : (2u << 20);
	int n = 1 + fz_below(r, 60);
	unsigned char *p;
	struct rvm_sync s;
	int fd;

	fd = fz_map(FZ_IMG_SRC, 0, maplen, &p);
	if (fd < 0) {
		fz_finding("volume: cannot map %s", FZ_IMG_SRC);
		return -1;
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
			uint64_t off = fz_below(r, maplen - len);

			if (!fz_range(fd, tid, p + off, len))
				fz_fill(r, p + off, len);
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
	if (copy(FZ_IMG_SRC, IMG, false)) {
		fz_finding("volume: cannot copy %s", FZ_IMG_SRC);
		return -1;
	}
	munmap(p, maplen);
	close(fd);
	return 0;
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

	switch (fz_below(r, 7)) {
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

	eret = offline(&esb);
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
 * One round: a fresh volume on FZ_IMG_SRC, a workload, its crash image in
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
	int round = 0, finding = 0;

	fz_seed(&r, c->seed);
	if (rvm_vol_open(FZ_IMG_SRC, RVM_VOL_RDONLY, &v))
		return 1;
	img_len = rvm_vol_size(v) & ~((1UL << 20) - 1);
	rvm_vol_close(v);
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
	free(orig);
	free(img);
	free(exp);
	return finding;
}
