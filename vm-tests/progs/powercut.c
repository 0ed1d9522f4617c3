// SPDX-License-Identifier: GPL-2.0
/*
 * powercut: build power-cut crash images from a dm-log-writes log of the
 * bank workload, recover each offline with the shared recovery code
 * (librvm's rvm_vol_recover() on an image file, no kernel) and check the
 * bank's invariants against the acknowledgements. A host tool of the
 * power-cut scenario (vm-tests/powercut).
 *
 *   powercut replay --log LOG --size BYTES --work DIR [--seed S]
 *                   [--subset-points N] [--subsets M] [--max-points P]
 *                   [--cross N] [--final IMG] [--verbose] [--drop ENTRY]
 *                   [--split L]
 *   powercut cmp IMG1 IMG2 [--split L]
 *                              compare the data segments of two images
 *   powercut dump LOG          list the log's entries
 *
 * The log. dm-log-writes records every write to the volume's device, in
 * the order it became durable: a write that was not FUA sits in the
 * target until a flush covers it and is logged just before that flush;
 * each entry carries the write's sectors and its FLUSH/FUA flags. The
 * bank, run with --mark, adds a mark "ack-ID" after each acknowledgement
 * (the commit's FUA write is logged when it completes, before the commit
 * returns, so before the mark), and the scenario marks "ready" once the
 * bank is initialised. The data device started as zeros (--size bytes).
 *
 * Crash states. Replaying the log entry by entry over a zeroed image:
 *  - at every flush/FUA entry after "ready" (a "point"), the image is what
 *    a power cut right after that write completed leaves when nothing
 *    later reached the disk;
 *  - for a sample of points (--subset-points), --subsets more states each:
 *    the writes after the point up to and including the next flush/FUA
 *    entry (all of them not yet covered by a completed flush, so any of
 *    them may or may not have reached the disk, in any order, torn at
 *    sector granularity) are applied as a random subset, some of them
 *    torn (a random subset of their 512-byte sectors), in log order or
 *    reversed.
 * The acknowledged transactions of a state at point k: the highest "ack"
 * mark before the next point after k (an acknowledged commit's FUA write
 * precedes its mark, and no point lies between k and the next one, so the
 * write is at or before k).
 *
 * Each state is written to DIR/state.img, recovered with rvm_vol_recover()
 * and its data segment checked with the bank's invariants (bank.h); every
 * 8th state is recovered a second time, which must change no data byte
 * (recovery is idempotent). A violation is reported with the state (point,
 * log entry, subset, torn sectors) and its crash image is kept in DIR.
 * With --cross N, N states chosen by the seed are saved as DIR/cross-I.img
 * (the crash image), DIR/cross-I.rec (recovered offline) and
 * DIR/cross-I.acked, for the scenario to recover them again in the VM with
 * the module and compare (powercut cmp). With --final IMG, the image after
 * the whole log must equal IMG (the disk as the VM left it): a check of
 * the log itself. --drop ENTRY tests the checker: that write is lost
 * (violations are expected when it held an acknowledged commit). Every
 * random choice comes from --seed.
 *
 * Exit status: 0 if every state held, 1 on a violation, 2 on bad usage or
 * an unusable log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <rvm/volume.h>
#include "bank.h"

#define LW_MAGIC 0x6a736677736872ULL
#define LW_FLUSH 0x1
#define LW_FUA 0x2
#define LW_DISCARD 0x4
#define LW_MARK 0x8

/* dm-log-writes' on-disk structures (all little-endian). */
struct lw_super {
	__le64 magic;
	__le64 version;
	__le64 nr_entries;
	__le32 sectorsize;
};

struct lw_entry_hdr {
	__le64 sector;
	__le64 nr_sectors;
	__le64 flags;
	__le64 data_len;
};

struct entry {
	u64 flags;
	u64 off;	/* byte offset on the data device */
	u64 len;	/* bytes */
	const u8 *data; /* in the mapped log; NULL for flush/mark/discard */
	u64 ack;	/* highest ack mark up to here */
};

static struct entry *ents;
static u64 nents, ss;
static u8 *img, *tmp;
static size_t img_size;
static const char *work;
static char state_path[4096];
/*
 * --split L: two disks, the log's (the image's first L bytes) and a data
 * segment's (the rest), under one log-writes target over their
 * concatenation; the data part is recovered as the log's one external
 * segment, from a file of its own (rvm_vol_seg_redirect()).
 */
static u64 split;
static char state_data_path[4200];
static int verbose;
static u64 rng_state;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "powercut: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static void *map_file(const char *path, size_t *len)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st))
		die("%s: %s", path, strerror(errno));
	*len = st.st_size;
	p = mmap(NULL, st.st_size ? st.st_size : 1, PROT_READ, MAP_PRIVATE,
		 fd, 0);
	if (p == MAP_FAILED)
		die("mmap %s: %s", path, strerror(errno));
	close(fd);
	return p;
}

/* Parse the log into ents[]; return the index of mark "ready" (or -1). */
static long parse_log(const u8 *log, size_t len)
{
	const struct lw_super *s = (const void *)log;
	u64 pos, ack = 0;
	long ready = -1;

	if (len < 512 || le64_to_cpu(s->magic) != LW_MAGIC ||
	    le64_to_cpu(s->version) != 1)
		die("not a dm-log-writes log (magic, version)");
	ss = le32_to_cpu(s->sectorsize);
	nents = le64_to_cpu(s->nr_entries);
	if (ss < 512 || ss > 65536 || (ss & (ss - 1)))
		die("bad sector size %llu", (unsigned long long)ss);
	ents = calloc(nents + 1, sizeof(*ents));
	if (!ents)
		die("out of memory");
	pos = ss;
	for (u64 i = 0; i < nents; i++) {
		const struct lw_entry_hdr *h = (const void *)(log + pos);
		struct entry *e = &ents[i];
		u64 nr;

		if (pos + ss > len)
			die("entry %llu beyond the end of the log",
			    (unsigned long long)i);
		e->flags = le64_to_cpu(h->flags);
		nr = le64_to_cpu(h->nr_sectors);
		e->off = le64_to_cpu(h->sector) * ss;
		e->len = nr * ss;
		pos += ss;
		if (e->flags & LW_MARK) {
			u64 dl = le64_to_cpu(h->data_len);
			char text[64] = "";

			if (dl >= sizeof(text))
				dl = sizeof(text) - 1;
			memcpy(text, h + 1, dl);
			if (!strncmp(text, "ack-", 4))
				ack = strtoull(text + 4, NULL, 10);
			else if (!strcmp(text, "ready"))
				ready = i;
			e->len = 0;
		} else if (!(e->flags & LW_DISCARD) && nr) {
			if (pos + e->len > len)
				die("entry %llu: data beyond the end of the log",
				    (unsigned long long)i);
			e->data = log + pos;
			pos += e->len;
		}
		if (e->off + e->len > img_size)
			die("entry %llu writes beyond the device (%llu+%llu)",
			    (unsigned long long)i, (unsigned long long)e->off,
			    (unsigned long long)e->len);
		e->ack = ack;
	}
	return ready;
}

static void apply(u8 *to, const struct entry *e)
{
	if (e->flags & LW_DISCARD)
		memset(to + e->off, 0, e->len);
	else if (e->data)
		memcpy(to + e->off, e->data, e->len);
}

static bool is_point(const struct entry *e)
{
	return (e->flags & (LW_FLUSH | LW_FUA)) && !(e->flags & LW_MARK);
}

static void write_file(const char *path, const u8 *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	size_t done = 0;

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	while (done < len) {
		ssize_t n = pwrite(fd, buf + done, len - done, done);

		if (n <= 0)
			die("write %s: %s", path, strerror(errno));
		done += n;
	}
	if (ftruncate(fd, len))
		die("truncate %s: %s", path, strerror(errno));
	close(fd);
}

static int read_file(const char *path, u8 *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, len, 0);

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

struct result {
	u64 records;
	u64 data_off, data_len; /* the data segment, bytes */
};

/* A state to its file(s): one image, or (--split) the log's and the data's. */
static void write_state(const u8 *state)
{
	write_file(state_path, state, split ? split : img_size);
	if (split)
		write_file(state_data_path, state + split, img_size - split);
}

/* Read the state back (after recovery) into @buf: 0, or -1. */
static int read_state(u8 *buf)
{
	if (read_file(state_path, buf, split ? split : img_size))
		return -1;
	return split ? read_file(state_data_path, buf + split,
				 img_size - split) : 0;
}

/*
 * Recover @path offline; 0 and @res, or -1 with @why. The superblock in
 * force gives the data segment.
 */
static int recover(const char *path, struct result *res, char *why,
		   size_t whylen)
{
	struct rvm_recovery_stats st;
	struct rvm_disk_super sb;
	struct rvm_vol *vol;
	int ret;

	memset(&st, 0, sizeof(st));
	res->data_off = 0;
	res->data_len = 0;
	ret = rvm_vol_open(path, 0, &vol);
	if (!ret) {
		ret = rvm_vol_read_super(vol, &sb);
		if (ret >= 0 && split) {
			/* Its one external segment is the data file. */
			const struct rvm_segtab *t = rvm_vol_segtab(vol);

			for (u32 i = 0; t && i < t->nsegs; i++) {
				if (!le32_to_cpu(t->ent[i].id))
					continue;
				ret = rvm_vol_seg_redirect(vol,
					le32_to_cpu(t->ent[i].id),
					state_data_path);
				res->data_off = split;
				res->data_len = le64_to_cpu(t->ent[i].size);
			}
			if (ret >= 0 && !res->data_len)
				ret = -ENOENT;
		}
		if (ret >= 0)
			ret = rvm_vol_recover(vol, NULL, &st);
	}
	if (ret < 0) {
		snprintf(why, whylen, "offline recovery failed: %s (%s)",
			 strerror(-ret), rvm_vol_last_error());
		rvm_vol_close(vol);
		return -1;
	}
	rvm_vol_close(vol);
	res->records = st.records;
	if (!split) {
		res->data_off = le64_to_cpu(sb.data_start) * RVM_BLOCK_SIZE;
		res->data_len = le64_to_cpu(sb.data_blocks) * RVM_BLOCK_SIZE;
	}
	return 0;
}

/* Check the bank in the data segment of @buf (a recovered image). */
static int check_bank(const u8 *buf, const struct result *res, u64 acked,
		      char *why, size_t whylen)
{
	struct bank b;

	if (res->data_off + res->data_len > img_size ||
	    !bank_sane((const char *)buf + res->data_off, res->data_len)) {
		snprintf(why, whylen, "no bank in the recovered data segment");
		return -1;
	}
	b.base = (char *)buf + res->data_off;
	b.len = bank_len(((struct bank_hdr *)b.base)->naccounts,
			 ((struct bank_hdr *)b.base)->hist_cap);
	bank_layout(&b, ((struct bank_hdr *)b.base)->naccounts);
	if (bank_verify(&b, acked, NULL, why, whylen)) {
		if (verbose)
			bank_verify(&b, acked, stdout, NULL, 0);
		return -1;
	}
	return 0;
}

static u64 nstates, nsubsets, ntorn, nidem, nrecords, violations;

/*
 * One crash state: @state holds the crash image. Recover it, check it;
 * with @cross >= 0 keep it as cross-@cross.{img,rec,acked}.
 */
static void check_state(const u8 *state, u64 acked, const char *desc,
			int cross)
{
	char why[320] = "", path[4200];
	struct result res;
	bool idem = nstates % 8 == 7;

	nstates++;
	write_state(state);
	if (cross >= 0) {
		snprintf(path, sizeof(path), "%s/cross-%d.img", work, cross);
		write_file(path, state, img_size);
	}
	if (recover(state_path, &res, why, sizeof(why)))
		goto bad;
	nrecords += res.records;
	if (read_state(tmp)) {
		snprintf(why, sizeof(why), "cannot read back the state");
		goto bad;
	}
	if (check_bank(tmp, &res, acked, why, sizeof(why)))
		goto bad;
	if (cross >= 0) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/cross-%d.rec", work, cross);
		write_file(path, tmp, img_size);
		snprintf(path, sizeof(path), "%s/cross-%d.acked", work, cross);
		f = fopen(path, "w");
		if (!f)
			die("%s: %s", path, strerror(errno));
		fprintf(f, "%llu\n%s\n%llu\n", (unsigned long long)acked, desc,
			(unsigned long long)res.records);
		fclose(f);
	}
	if (idem) {
		/* Recovery again, as after a crash right after recovery. */
		struct result again;
		u8 *second = malloc(img_size);

		if (!second)
			die("out of memory");
		nidem++;
		if (recover(state_path, &again, why, sizeof(why)) ||
		    read_state(second)) {
			free(second);
			goto bad;
		}
		if (memcmp(second + res.data_off, tmp + res.data_off,
			   res.data_len)) {
			snprintf(why, sizeof(why),
				 "a second recovery changed the data segment");
			free(second);
			goto bad;
		}
		free(second);
	}
	return;
bad:
	violations++;
	snprintf(path, sizeof(path), "%s/violation-%llu.img", work,
		 (unsigned long long)violations);
	write_file(path, state, img_size);
	printf("powercut: VIOLATION at %s, acked %llu: %s (crash image %s)\n",
	       desc, (unsigned long long)acked, why, path);
	fflush(stdout);
}

/*
 * Subset states after point @k: the writes in (k, next] where @next is the
 * next point (or the end of the log).
 */
static void subsets(u64 k, u64 next, u64 acked, int n, int cross)
{
	u64 w[64], nw = 0;
	char desc[1024];

	for (u64 i = k + 1; i <= next && i < nents && nw < 64; i++)
		if (ents[i].data || (ents[i].flags & LW_DISCARD))
			w[nw++] = i;
	if (!nw)
		return;
	for (int v = 0; v < n; v++) {
		u8 *state = malloc(img_size);
		bool reverse = rng() % 4 == 0;
		int included = 0;
		size_t dl;

		if (!state)
			die("out of memory");
		memcpy(state, img, img_size);
		dl = snprintf(desc, sizeof(desc),
			      "point %llu subset %d of %llu writes%s:",
			      (unsigned long long)k, v,
			      (unsigned long long)nw, reverse ? " reversed" : "");
		for (u64 j = 0; j < nw; j++) {
			const struct entry *e =
				&ents[w[reverse ? nw - 1 - j : j]];
			u64 sectors = e->len / 512, mask = 0;

			/* The first variant always keeps the last write, torn. */
			bool last = v == 0 && j == nw - 1 && !included;

			if (!last && rng() % 2)
				continue;
			included++;
			if (e->data && sectors > 1 && (last || rng() % 2)) {
				/* Torn: a random subset of its sectors. */
				ntorn++;
				mask = rng() | 1;
				for (u64 s = 0; s < sectors; s++)
					if (mask >> (s % 64) & 1)
						memcpy(state + e->off + s * 512,
						       e->data + s * 512, 512);
			} else {
				apply(state, e);
			}
			if (dl < sizeof(desc) - 40)
				dl += snprintf(desc + dl, sizeof(desc) - dl,
					       " %llu%s",
					       (unsigned long long)(e - ents),
					       mask ? "(torn)" : "");
			if (mask && dl < sizeof(desc) - 40)
				dl += snprintf(desc + dl, sizeof(desc) - dl,
					       "[%016llx]",
					       (unsigned long long)mask);
		}
		nsubsets++;
		check_state(state, acked, desc, v == 0 ? cross : -1);
		free(state);
	}
}

static int cmd_replay(int argc, char **argv)
{
	const char *logpath = NULL, *final = NULL;
	u64 seed = 0, max_points = 0, drop = 0;
	int subset_points = 20, nsub = 4, ncross = 0;
	u64 *points, npoints = 0, ncheck, *next_of;
	bool *check_pt, *sub_pt;
	int *cross_pt;
	size_t loglen;
	const u8 *log;
	long ready;
	u64 i, p;

	for (int a = 2; a < argc; a++) {
		const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (!strcmp(o, "--verbose")) {
			verbose = 1;
			continue;
		}
		if (!v)
			die("%s needs a value", o);
		a++;
		if (!strcmp(o, "--log"))
			logpath = v;
		else if (!strcmp(o, "--size"))
			img_size = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--work"))
			work = v;
		else if (!strcmp(o, "--seed"))
			seed = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--subset-points"))
			subset_points = atoi(v);
		else if (!strcmp(o, "--subsets"))
			nsub = atoi(v);
		else if (!strcmp(o, "--max-points"))
			max_points = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--cross"))
			ncross = atoi(v);
		else if (!strcmp(o, "--final"))
			final = v;
		else if (!strcmp(o, "--drop"))
			drop = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--split"))
			split = strtoull(v, NULL, 0);
		else
			die("unknown option %s", o);
	}
	if (!logpath || !img_size || !work)
		die("replay needs --log, --size and --work");
	if (split % RVM_BLOCK_SIZE || split >= img_size)
		die("--split must be a multiple of 4096 inside --size");
	rng_state = seed ? seed : 88172645463325252ULL;
	printf("powercut: seed %llu\n", (unsigned long long)seed);
	snprintf(state_path, sizeof(state_path), "%s/state.img", work);
	snprintf(state_data_path, sizeof(state_data_path), "%s/state-data.img",
		 work);
	img = calloc(1, img_size);
	tmp = malloc(img_size);
	if (!img || !tmp)
		die("out of memory");
	log = map_file(logpath, &loglen);
	ready = parse_log(log, loglen);
	if (drop && drop < nents) {
		/* Self-test of the checker: a write the disk "lost". */
		printf("powercut: dropping log entry %llu (a test of the checker: expect violations)\n",
		       (unsigned long long)drop);
		ents[drop].data = NULL;
		ents[drop].flags &= ~LW_DISCARD;
	}
	if (ready < 0)
		die("no \"ready\" mark in the log (%llu entries)",
		    (unsigned long long)nents);

	/* The points after "ready", and for each the next one. */
	points = calloc(nents + 1, sizeof(*points));
	next_of = calloc(nents + 1, sizeof(*next_of));
	if (!points || !next_of)
		die("out of memory");
	for (i = ready + 1; i < nents; i++)
		if (is_point(&ents[i]))
			points[npoints++] = i;
	if (!npoints)
		die("no flush or FUA write after \"ready\"");
	for (p = 0; p < npoints; p++)
		next_of[p] = p + 1 < npoints ? points[p + 1] : nents - 1;

	/* Which points to check (all, or --max-points of them), which get subsets. */
	check_pt = calloc(npoints, sizeof(bool));
	sub_pt = calloc(npoints, sizeof(bool));
	cross_pt = malloc(npoints * sizeof(int));
	if (!check_pt || !sub_pt || !cross_pt)
		die("out of memory");
	ncheck = max_points && max_points < npoints ? max_points : npoints;
	for (p = 0; p < npoints; p++)
		check_pt[p] = ncheck == npoints;
	for (u64 c = 0; c < ncheck && ncheck < npoints;) {
		p = rng() % npoints;
		if (!check_pt[p]) {
			check_pt[p] = true;
			c++;
		}
	}
	for (int c = 0; c < subset_points && (u64)c < ncheck; c++) {
		p = rng() % npoints;
		while (!check_pt[p])
			p = (p + 1) % npoints;
		sub_pt[p] = true;
	}
	for (p = 0; p < npoints; p++)
		cross_pt[p] = -1;
	for (int c = 0; c < ncross && (u64)c < ncheck; c++) {
		p = rng() % npoints;
		while (!check_pt[p] || cross_pt[p] >= 0)
			p = (p + 1) % npoints;
		cross_pt[p] = c;
		/* Odd ones cross-check a subset state where there is one. */
		if (c % 2)
			sub_pt[p] = true;
	}

	printf("powercut: log of %llu writes, flushes and marks (sector size %llu); %llu flush/FUA points after \"ready\" (entry %ld), checking %llu\n",
	       (unsigned long long)nents, (unsigned long long)ss,
	       (unsigned long long)npoints, ready,
	       (unsigned long long)ncheck);
	fflush(stdout);
	for (i = 0, p = 0; i < nents; i++) {
		u64 acked;
		char desc[160];

		apply(img, &ents[i]);
		if (p >= npoints || points[p] != i)
			continue;
		acked = ents[next_of[p]].ack;
		if (check_pt[p]) {
			int cross = cross_pt[p];
			bool sub_cross = cross >= 0 && (cross % 2);

			snprintf(desc, sizeof(desc),
				 "point %llu (log entry %llu, flags %llx)",
				 (unsigned long long)p,
				 (unsigned long long)i,
				 (unsigned long long)ents[i].flags);
			check_state(img, acked, desc, sub_cross ? -1 : cross);
			if (sub_pt[p]) {
				u64 before = nsubsets;

				subsets(i, next_of[p], acked, nsub,
					sub_cross ? cross : -1);
				/* No writes after it: cross-check the point. */
				if (sub_cross && nsubsets == before)
					check_state(img, acked, desc, cross);
			}
		}
		p++;
		if (verbose && p % 100 == 0)
			printf("powercut: %llu of %llu points, %llu states\n",
			       (unsigned long long)p,
			       (unsigned long long)npoints,
			       (unsigned long long)nstates);
	}
	if (final) {
		size_t flen;
		const u8 *f = map_file(final, &flen);

		if (flen != img_size || memcmp(f, img, img_size)) {
			printf("powercut: VIOLATION: the image after the whole log differs from %s\n",
			       final);
			violations++;
		}
	}
	unlink(state_path);
	if (split)
		unlink(state_data_path);
	printf("powercut: %llu crash states checked (%llu flush/FUA points, %llu subset states with %llu torn writes), %llu records replayed, %llu recovered twice; acknowledged up to %llu; %llu violations\n",
	       (unsigned long long)nstates, (unsigned long long)ncheck,
	       (unsigned long long)nsubsets, (unsigned long long)ntorn,
	       (unsigned long long)nrecords, (unsigned long long)nidem,
	       (unsigned long long)ents[nents - 1].ack,
	       (unsigned long long)violations);
	return violations ? 1 : 0;
}

/* The log's entries, one a line. */
static int cmd_dump(const char *path)
{
	size_t loglen;
	const u8 *log = map_file(path, &loglen);

	img_size = ~(size_t)0 >> 1;
	parse_log(log, loglen);
	for (u64 i = 0; i < nents; i++) {
		const struct entry *e = &ents[i];

		printf("%6llu %s%s%s%s off %9llu len %7llu ack %llu\n",
		       (unsigned long long)i, e->flags & LW_FLUSH ? "F" : "-",
		       e->flags & LW_FUA ? "U" : "-",
		       e->flags & LW_DISCARD ? "D" : "-",
		       e->flags & LW_MARK ? "M" : "-",
		       (unsigned long long)e->off, (unsigned long long)e->len,
		       (unsigned long long)e->ack);
	}
	return 0;
}

/* The data segments of two images, byte for byte. */
static int cmd_cmp(const char *a, const char *b, u64 at)
{
	struct rvm_disk_super sb;
	struct rvm_vol *vol;
	size_t la, lb;
	const u8 *pa = map_file(a, &la), *pb = map_file(b, &lb);
	u64 off, len, diff = 0, first = 0;

	if (at) {
		/* --split: the data disk is everything from @at on. */
		if (la != lb || at >= la)
			die("%s and %s: different sizes, or no data past %llu",
			    a, b, (unsigned long long)at);
		off = at;
		len = la - at;
		goto compare;
	}
	if (rvm_vol_open(a, RVM_VOL_RDONLY, &vol) ||
	    rvm_vol_read_super(vol, &sb) < 0)
		die("%s", rvm_vol_last_error());
	rvm_vol_close(vol);
	off = le64_to_cpu(sb.data_start) * RVM_BLOCK_SIZE;
	len = le64_to_cpu(sb.data_blocks) * RVM_BLOCK_SIZE;
compare:
	if (off + len > la || off + len > lb)
		die("%s or %s is shorter than the data segment", a, b);
	for (u64 i = 0; i < len; i++)
		if (pa[off + i] != pb[off + i] && !diff++)
			first = i;
	if (diff) {
		printf("powercut: data segments differ: %llu bytes, first at data offset %llu\n",
		       (unsigned long long)diff, (unsigned long long)first);
		return 1;
	}
	printf("powercut: data segments identical (%llu bytes)\n",
	       (unsigned long long)len);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "replay"))
		return cmd_replay(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "dump"))
		return cmd_dump(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "cmp"))
		return cmd_cmp(argv[2], argv[3], 0);
	if (argc == 6 && !strcmp(argv[1], "cmp") && !strcmp(argv[4], "--split"))
		return cmd_cmp(argv[2], argv[3], strtoull(argv[5], NULL, 0));
	fprintf(stderr,
		"usage: powercut replay --log LOG --size BYTES --work DIR [--seed S]\n"
		"                [--subset-points N] [--subsets M] [--max-points P]\n"
		"                [--cross N] [--final IMG] [--split L] [--verbose]\n"
		"       powercut cmp IMG1 IMG2 [--split L]\n"
		"       powercut dump LOG\n");
	return 2;
}
