// SPDX-License-Identifier: GPL-2.0
/*
 * rvmctl's offline commands: format, dump, check. They work on the device
 * directly with the module's own format and recovery code
 * (<rvm/volume.h>) and never need rvm.ko.
 */
#include <getopt.h>
#include <time.h>

#include "rvmctl.h"

/* ---- helpers ---------------------------------------------------------- */

static int parse_size(const char *s, u64 *out)
{
	unsigned long long v;
	char *end;
	unsigned int shift = 0;

	errno = 0;
	if (*s == '-' || !*s)
		return -EINVAL;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		end++;
		break;
	case 'm': case 'M':
		shift = 20;
		end++;
		break;
	case 'g': case 'G':
		shift = 30;
		end++;
		break;
	case 't': case 'T':
		shift = 40;
		end++;
		break;
	}
	if (shift && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	if (*end)
		return -EINVAL;
	if (shift && v > (~0ULL >> shift))
		return -ERANGE;
	*out = (u64)v << shift;
	return 0;
}

static const char *uuid_str(const u8 *u, char *buf, size_t len)
{
	snprintf(buf, len,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
	return buf;
}

static const char *time_str(u64 secs, char *buf, size_t len)
{
	time_t t = (time_t)secs;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "%llu", (unsigned long long)secs);
	return buf;
}

/* One argument, the device, and nothing else. */
static const char *one_dev(const struct rvmctl_cmd *c, int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		rvmctl_usage(c);
		return NULL;
	}
	return argv[1];
}

static void print_super(const struct rvm_disk_super *sb)
{
	char b1[32], b2[32], u[40], t[64];
	u64 ls = le64_to_cpu(sb->log_start), lb = le64_to_cpu(sb->log_blocks);
	u64 ds = le64_to_cpu(sb->data_start), db = le64_to_cpu(sb->data_blocks);
	u32 flags = le32_to_cpu(sb->flags);

	printf("    sb_seq %llu, format version %u, uuid %s\n",
	       (unsigned long long)le64_to_cpu(sb->sb_seq),
	       le32_to_cpu(sb->version), uuid_str(sb->uuid, u, sizeof(u)));
	printf("    formatted %s, nonce %016llx\n",
	       time_str(le64_to_cpu(sb->format_time), t, sizeof(t)),
	       (unsigned long long)le64_to_cpu(sb->vol_nonce));
	printf("    log:  blocks %llu..%llu (%s)\n", (unsigned long long)ls,
	       (unsigned long long)(ls + lb - 1),
	       human(lb * RVM_BLOCK_SIZE, b1, sizeof(b1)));
	printf("    data: blocks %llu..%llu (%s)\n", (unsigned long long)ds,
	       (unsigned long long)(ds + db - 1),
	       human(db * RVM_BLOCK_SIZE, b2, sizeof(b2)));
	printf("    head: lsn %llu, seq %llu; flags 0x%x%s\n",
	       (unsigned long long)le64_to_cpu(sb->head_lsn),
	       (unsigned long long)le64_to_cpu(sb->head_seq), flags,
	       flags & RVM_SB_CLEAN ? " (clean)" : "");
}

/*
 * Open @dev read-only and read its superblocks; print both copies if
 * @verbose. Returns the copy in force, or a negative errno after printing
 * why there is none.
 */
static int open_volume(const char *dev, bool verbose, struct rvm_vol **volp)
{
	struct rvm_vol *vol;
	unsigned int i;
	int slot, err;
	char b[32];

	err = rvm_vol_open(dev, RVM_VOL_RDONLY, &vol);
	if (err) {
		fprintf(stderr, "rvmctl: %s\n", rvm_vol_last_error());
		return err;
	}
	slot = rvm_vol_read_super(vol, NULL);
	if (verbose) {
		printf("%s: %s\n", dev, human(rvm_vol_size(vol), b, sizeof(b)));
		for (i = 0; i < RVM_SUPER_COPIES; i++) {
			const char *why;
			const struct rvm_disk_super *sb = rvm_vol_copy(vol, i, NULL, &why);

			if (!sb)
				continue;
			printf("superblock %c (block %u): %s%s\n", 'A' + i, i,
			       why ? "invalid: " : "valid",
			       why ? why : (slot == (int)i ? ", in force" : ""));
			if (!why || le64_to_cpu(sb->magic) == RVM_SUPER_MAGIC)
				print_super(sb);
		}
	}
	if (slot < 0) {
		fprintf(stderr, "rvmctl: %s\n", rvm_vol_last_error());
		rvm_vol_close(vol);
		return slot;
	}
	for (i = 0; i < RVM_SUPER_COPIES && !verbose; i++) {
		const char *why;

		rvm_vol_copy(vol, i, NULL, &why);
		if (why)
			fprintf(stderr, "rvmctl: %s: note: superblock %c is invalid (%s); using %c\n",
				dev, 'A' + i, why, 'A' + slot);
	}
	*volp = vol;
	return slot;
}

static void print_end(const struct rvm_recovery_stats *st)
{
	printf("end of log at lsn %llu, seq %llu: %s\n",
	       (unsigned long long)st->end_lsn,
	       (unsigned long long)st->next_seq, st->end_why);
}

/* ---- format ----------------------------------------------------------- */

int cmd_format(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "log-size", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct rvmctl_cmd *c = rvmctl_find("format");
	struct rvm_disk_super sb;
	struct rvm_vol *vol;
	u64 log_bytes = 0;
	char b1[32], b2[32], u[40];
	int opt, err;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "l:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			if (parse_size(optarg, &log_bytes) || !log_bytes) {
				fprintf(stderr, "rvmctl format: bad log size '%s' (examples: 65536, 512K, 16M, 1G)\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			rvmctl_usage(c);
			return 0;
		default:
			return rvmctl_usage(c);
		}
	}
	if (optind != argc - 1)
		return rvmctl_usage(c);

	err = rvm_vol_format(argv[optind], log_bytes, 0);
	if (err) {
		fprintf(stderr, "rvmctl format: %s\n", rvm_vol_last_error());
		return 1;
	}
	err = rvm_vol_open(argv[optind], RVM_VOL_RDONLY, &vol);
	if (!err && rvm_vol_read_super(vol, &sb) < 0)
		err = -EIO;
	if (err) {
		fprintf(stderr, "rvmctl format: formatted, but cannot read it back: %s\n",
			rvm_vol_last_error());
		rvm_vol_close(vol);
		return 1;
	}
	printf("%s: formatted: uuid %s, log %s, data segment %s\n",
	       argv[optind], uuid_str(sb.uuid, u, sizeof(u)),
	       human(le64_to_cpu(sb.log_blocks) * RVM_BLOCK_SIZE, b1, sizeof(b1)),
	       human(le64_to_cpu(sb.data_blocks) * RVM_BLOCK_SIZE, b2, sizeof(b2)));
	rvm_vol_close(vol);
	return 0;
}

/* ---- dump ------------------------------------------------------------- */

struct dump_arg {
	struct rvm_geom g;
};

static int dump_rec(void *arg, const struct rvm_rec_info *ri)
{
	const struct dump_arg *d = arg;
	const struct rvm_rec_hdr *h = ri->hdr;
	u32 i, n = le32_to_cpu(h->nranges);

	if (le16_to_cpu(h->type) == RVM_REC_PAD) {
		printf("  pad       lsn %llu (device offset %llu) next %u, carries seq %llu\n",
		       (unsigned long long)ri->lsn,
		       (unsigned long long)rvm_lsn_to_dev(&d->g, ri->lsn),
		       le32_to_cpu(h->next),
		       (unsigned long long)le64_to_cpu(h->seq));
		return 0;
	}
	printf("  seq %-5llu lsn %llu (device offset %llu) tid %llu: len %u next %u, %u range%s\n",
	       (unsigned long long)le64_to_cpu(h->seq),
	       (unsigned long long)ri->lsn,
	       (unsigned long long)rvm_lsn_to_dev(&d->g, ri->lsn),
	       (unsigned long long)le64_to_cpu(h->tid), le32_to_cpu(h->len),
	       le32_to_cpu(h->next), n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++)
		printf("      offset %llu len %u\n",
		       (unsigned long long)le64_to_cpu(ri->ranges[i].offset),
		       le32_to_cpu(ri->ranges[i].len));
	return 0;
}

int cmd_dump(int argc, char **argv)
{
	const char *dev = one_dev(rvmctl_find("dump"), argc, argv);
	struct rvm_recovery_stats st;
	struct dump_arg d;
	struct rvm_vol *vol;
	int slot, err;

	if (!dev)
		return EXIT_USAGE;
	note_if_attached("dump", dev);
	slot = open_volume(dev, true, &vol);
	if (slot < 0)
		return 1;
	rvm_geom_init(&d.g, rvm_vol_copy(vol, slot, NULL, NULL));
	printf("log from lsn %llu, seq %llu:\n",
	       (unsigned long long)le64_to_cpu(rvm_vol_copy(vol, slot, NULL, NULL)->head_lsn),
	       (unsigned long long)le64_to_cpu(rvm_vol_copy(vol, slot, NULL, NULL)->head_seq));
	err = rvm_vol_dump(vol, 0, dump_rec, &d, &st);
	if (err) {
		fprintf(stderr, "rvmctl dump: %s\n", rvm_vol_last_error());
		rvm_vol_close(vol);
		return 1;
	}
	print_end(&st);
	printf("%llu record%s (%llu ranges, %llu bytes), %llu pad record%s, %llu log bytes in use\n",
	       (unsigned long long)st.records, st.records == 1 ? "" : "s",
	       (unsigned long long)st.ranges, (unsigned long long)st.bytes,
	       (unsigned long long)st.pads, st.pads == 1 ? "" : "s",
	       (unsigned long long)(st.end_lsn - st.head_lsn));
	rvm_vol_close(vol);
	return 0;
}

/* ---- check ------------------------------------------------------------ */

static int check_rec(void *arg, const struct rvm_rec_info *ri)
{
	const struct rvm_rec_hdr *h = ri->hdr;
	u32 n = le32_to_cpu(h->nranges);

	if (le16_to_cpu(h->type) != RVM_REC_TXN)
		return 0;
	printf("  seq %-5llu lsn %llu tid %llu: %u range%s, %llu bytes\n",
	       (unsigned long long)le64_to_cpu(h->seq),
	       (unsigned long long)ri->lsn,
	       (unsigned long long)le64_to_cpu(h->tid), n, n == 1 ? "" : "s",
	       (unsigned long long)(le32_to_cpu(h->len) - RVM_REC_HDR_SIZE -
				    (u64)n * RVM_REC_RANGE_SIZE));
	return 0;
}

int cmd_check(int argc, char **argv)
{
	const char *dev = one_dev(rvmctl_find("check"), argc, argv);
	const struct rvm_disk_super *sb;
	struct rvm_recovery_stats walk, st;
	struct rvm_vol *vol;
	char u[40], b[32];
	int slot, err;

	if (!dev)
		return EXIT_USAGE;
	note_if_attached("check", dev);
	slot = open_volume(dev, false, &vol);
	if (slot < 0)
		return 1;
	sb = rvm_vol_copy(vol, slot, NULL, NULL);
	printf("%s: rvm volume %s, superblock %c in force (sb_seq %llu), head lsn %llu seq %llu\n",
	       dev, uuid_str(sb->uuid, u, sizeof(u)), 'A' + slot,
	       (unsigned long long)le64_to_cpu(sb->sb_seq),
	       (unsigned long long)le64_to_cpu(sb->head_lsn),
	       (unsigned long long)le64_to_cpu(sb->head_seq));
	err = rvm_vol_dump(vol, 0, check_rec, NULL, &walk);
	if (!err)
		err = rvm_vol_check(vol, &st);
	if (err) {
		fprintf(stderr, "rvmctl check: %s\n", rvm_vol_last_error());
		rvm_vol_close(vol);
		return 1;
	}
	print_end(&st);
	/*
	 * rvm.ko leaves the clean mark of a volume attached with an empty
	 * log until it first rewrites the superblock (a truncation or the
	 * detach): records behind a clean mark are commits made since.
	 */
	if (st.records && (le32_to_cpu(sb->flags) & RVM_SB_CLEAN))
		fprintf(stderr, "rvmctl check: %s: note: marked clean, yet the log holds records: commits since\n"
			"an attach that found it clean (attached now, or not detached since)\n",
			dev);
	printf("recovery would replay %llu record%s (%llu ranges, %s) onto %llu data page%s\n",
	       (unsigned long long)st.records, st.records == 1 ? "" : "s",
	       (unsigned long long)st.ranges, human(st.bytes, b, sizeof(b)),
	       (unsigned long long)st.pages, st.pages == 1 ? "" : "s");
	rvm_vol_close(vol);
	return 0;
}
