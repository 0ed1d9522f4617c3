// SPDX-License-Identifier: GPL-2.0
/*
 * rvmctl's offline commands: format, dump, check. They work on the device
 * directly with the module's own format and recovery code
 * (<rvm/volume.h>) and never need rvm.ko.
 */
#include <getopt.h>
#include <time.h>

#include <blkid/blkid.h>

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

static void json_str(const char *key, const char *v, bool comma)
{
	printf("\"%s\":\"", key);
	for (; *v; v++)
		if (*v == '"' || *v == '\\')
			printf("\\%c", *v);
		else if ((unsigned char)*v < 0x20)
			printf("\\u%04x", *v);
		else
			putchar(*v);
	printf("\"%s", comma ? "," : "");
}

static void json_u64(const char *key, u64 v, bool comma)
{
	printf("\"%s\":%llu%s", key, (unsigned long long)v, comma ? "," : "");
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
	printf("    segment table: blocks %llu.. (%u each, 2 copies), generation %llu (copy %c), crc %08x\n",
	       (unsigned long long)le64_to_cpu(sb->segtab_start),
	       le32_to_cpu(sb->segtab_blocks),
	       (unsigned long long)le64_to_cpu(sb->segtab_gen),
	       'A' + (int)(le64_to_cpu(sb->segtab_gen) & 1),
	       le32_to_cpu(sb->segtab_crc));
	if (db)
		printf("    data: blocks %llu..%llu (%s): segment 0\n",
		       (unsigned long long)ds, (unsigned long long)(ds + db - 1),
		       human(db * RVM_BLOCK_SIZE, b2, sizeof(b2)));
	else
		printf("    data: none on this device (a log alone)\n");
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
	if (!st->records && !st->pads && st->end_lsn == st->head_lsn &&
	    st->end_err == -EINVAL) {
		printf("the log is empty (head at lsn %llu, seq %llu)\n",
		       (unsigned long long)st->head_lsn,
		       (unsigned long long)st->head_seq);
		return;
	}
	printf("end of log at lsn %llu, seq %llu: %s\n",
	       (unsigned long long)st->end_lsn,
	       (unsigned long long)st->next_seq, st->end_why);
}

/* ---- format ----------------------------------------------------------- */

/*
 * What @dev holds that formatting would destroy, the way mkfs tools ask
 * libblkid: a file system or other known signature, a partition table, or
 * an rvm volume (which libblkid does not know). Fills @what and returns
 * true if anything; false for a device that holds nothing known.
 */
static bool holds_something(const char *dev, char *what, size_t len)
{
	const char *type = NULL, *usage = NULL;
	struct rvm_vol *vol;
	blkid_probe pr;
	bool found = false;
	int rc;

	if (!rvm_vol_open(dev, RVM_VOL_RDONLY, &vol)) {
		rc = rvm_vol_read_super(vol, NULL);
		rvm_vol_close(vol);
		if (rc >= 0 || rc == -EBADMSG || rc == -EOPNOTSUPP) {
			snprintf(what, len, "an rvm volume%s",
				 rc >= 0 ? "" : " (with damaged or newer superblocks)");
			return true;
		}
	}
	pr = blkid_new_probe_from_filename(dev);
	if (!pr)
		return false;	/* cannot be read: rvm_vol_format() will say */
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
	rc = blkid_do_safeprobe(pr);
	if (rc == -2) {
		snprintf(what, len, "several conflicting signatures");
		found = true;
	} else if (rc == 0) {
		if (!blkid_probe_lookup_value(pr, "TYPE", &type, NULL)) {
			blkid_probe_lookup_value(pr, "USAGE", &usage, NULL);
			snprintf(what, len, "a%s %s signature (%s)",
				 strchr("aeiou", type[0]) ? "n" : "", type,
				 usage && !strcmp(usage, "filesystem") ? "a file system" :
				 usage ? usage : "unknown use");
			found = true;
		} else if (!blkid_probe_lookup_value(pr, "PTTYPE", &type, NULL)) {
			snprintf(what, len, "a partition table (%s)", type);
			found = true;
		}
	}
	blkid_free_probe(pr);
	return found;
}

int cmd_format(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "log-size", required_argument, NULL, 'l' },
		{ "log-only", no_argument, NULL, 'o' },
		{ "data-blocks", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct rvmctl_cmd *c = rvmctl_find("format");
	struct rvm_disk_super sb;
	struct rvm_vol *vol;
	u64 log_bytes = 0;
	char b1[32], b2[32], u[40], what[128];
	bool force = false;
	unsigned int fflags = 0;
	int opt, err;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "l:od:fh", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			force = true;
			break;
		case 'o':
			fflags |= RVM_VOL_FORMAT_LOG_ONLY;
			break;
		case 'd':
			/* Only 0 for now: segment 0 takes the rest otherwise. */
			if (strcmp(optarg, "0")) {
				fprintf(stderr, "rvmctl format: --data-blocks takes 0 only (a log alone); without it segment 0 takes the rest\n");
				return EXIT_USAGE;
			}
			fflags |= RVM_VOL_FORMAT_LOG_ONLY;
			break;
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

	if (!force && holds_something(argv[optind], what, sizeof(what))) {
		fprintf(stderr, "rvmctl format: %s holds %s: not formatted (--force overwrites it)\n",
			argv[optind], what);
		return 1;
	}
	err = rvm_vol_format(argv[optind], log_bytes, fflags);
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
	if (sb.data_blocks)
		printf("%s: formatted (version %u): uuid %s, log %s, data segment 0 %s\n",
		       argv[optind], le32_to_cpu(sb.version),
		       uuid_str(sb.uuid, u, sizeof(u)),
		       human(le64_to_cpu(sb.log_blocks) * RVM_BLOCK_SIZE, b1, sizeof(b1)),
		       human(le64_to_cpu(sb.data_blocks) * RVM_BLOCK_SIZE, b2, sizeof(b2)));
	else
		printf("%s: formatted (version %u): uuid %s, log %s, no data segment yet ('rvmctl segment add')\n",
		       argv[optind], le32_to_cpu(sb.version),
		       uuid_str(sb.uuid, u, sizeof(u)),
		       human(le64_to_cpu(sb.log_blocks) * RVM_BLOCK_SIZE, b1, sizeof(b1)));
	rvm_vol_close(vol);
	return 0;
}

/* ---- segments ---------------------------------------------------------- */

static const char *dseg_kind(u32 flags)
{
	return flags == RVM_DSEG_INTERNAL ? "internal" :
	       flags == RVM_DSEG_BDEV ? "device" :
	       flags == RVM_DSEG_FILE ? "file" : "?";
}

/* The segment table in force: id, kind, size, identity, name. */
static void print_segtab(const struct rvm_segtab *t)
{
	char b[32];
	u32 i;

	if (!t)
		return;
	printf("segment table: generation %llu, %u segment%s (room for %u), next id %u\n",
	       (unsigned long long)le64_to_cpu(t->hdr->gen), t->nsegs,
	       t->nsegs == 1 ? "" : "s", t->max_segs,
	       le32_to_cpu(t->hdr->next_id));
	for (i = 0; i < t->nsegs; i++) {
		const struct rvm_disk_seg *e = &t->ent[i];

		if (le32_to_cpu(e->flags) == RVM_DSEG_INTERNAL)
			printf("  segment %u: internal, %s (on the log's device)\n",
			       le32_to_cpu(e->id),
			       human(le64_to_cpu(e->size), b, sizeof(b)));
		else
			printf("  segment %u: %s, %s, dev %llx ino %llu: %s\n",
			       le32_to_cpu(e->id), dseg_kind(le32_to_cpu(e->flags)),
			       human(le64_to_cpu(e->size), b, sizeof(b)),
			       (unsigned long long)le64_to_cpu(e->dev),
			       (unsigned long long)le64_to_cpu(e->ino), e->name);
	}
}

static void segs_json(const struct rvm_segtab *t)
{
	u32 i;

	for (i = 0; t && i < t->nsegs; i++) {
		const struct rvm_disk_seg *e = &t->ent[i];

		printf("%s{", i ? "," : "");
		json_u64("id", le32_to_cpu(e->id), true);
		json_str("kind", dseg_kind(le32_to_cpu(e->flags)), true);
		json_u64("size", le64_to_cpu(e->size), true);
		json_u64("dev", le64_to_cpu(e->dev), true);
		json_u64("ino", le64_to_cpu(e->ino), true);
		json_str("name", e->name, false);
		printf("}");
	}
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
		       (unsigned long long)rvm_lsn_to_log(&d->g, ri->lsn),
		       le32_to_cpu(h->next),
		       (unsigned long long)le64_to_cpu(h->seq));
		return 0;
	}
	printf("  seq %-5llu lsn %llu (device offset %llu) tid %llu: len %u next %u, %u range%s\n",
	       (unsigned long long)le64_to_cpu(h->seq),
	       (unsigned long long)ri->lsn,
	       (unsigned long long)rvm_lsn_to_log(&d->g, ri->lsn),
	       (unsigned long long)le64_to_cpu(h->tid), le32_to_cpu(h->len),
	       le32_to_cpu(h->next), n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++)
		printf("      seg %u offset %llu len %u\n",
		       le32_to_cpu(ri->ranges[i].seg),
		       (unsigned long long)le64_to_cpu(ri->ranges[i].offset),
		       le32_to_cpu(ri->ranges[i].len));
	return 0;
}

struct dump_json {
	const struct rvm_geom *g;
	unsigned long n;
};

static int dump_rec_json(void *arg, const struct rvm_rec_info *ri)
{
	struct dump_json *d = arg;
	const struct rvm_rec_hdr *h = ri->hdr;
	u32 i, n = le32_to_cpu(h->nranges);
	bool pad = le16_to_cpu(h->type) == RVM_REC_PAD;

	printf("%s{", d->n++ ? "," : "");
	json_str("type", pad ? "pad" : "txn", true);
	json_u64("seq", le64_to_cpu(h->seq), true);
	json_u64("lsn", ri->lsn, true);
	json_u64("device_offset", rvm_lsn_to_log(d->g, ri->lsn), true);
	json_u64("next", le32_to_cpu(h->next), pad);
	if (!pad) {
		json_u64("tid", le64_to_cpu(h->tid), true);
		json_u64("len", le32_to_cpu(h->len), true);
		printf("\"ranges\":[");
		for (i = 0; i < n; i++)
			printf("%s{\"seg\":%u,\"offset\":%llu,\"len\":%u}", i ? "," : "",
			       le32_to_cpu(ri->ranges[i].seg),
			       (unsigned long long)le64_to_cpu(ri->ranges[i].offset),
			       le32_to_cpu(ri->ranges[i].len));
		printf("]");
	}
	printf("}");
	return 0;
}

static void super_json(const struct rvm_disk_super *sb, const char *why,
		       bool in_force)
{
	char u[40];

	printf("{");
	printf("\"valid\":%s,", why ? "false" : "true");
	if (why)
		json_str("why", why, true);
	printf("\"in_force\":%s,", in_force ? "true" : "false");
	json_u64("sb_seq", le64_to_cpu(sb->sb_seq), true);
	json_u64("version", le32_to_cpu(sb->version), true);
	json_str("uuid", uuid_str(sb->uuid, u, sizeof(u)), true);
	json_u64("format_time", le64_to_cpu(sb->format_time), true);
	json_u64("log_start", le64_to_cpu(sb->log_start), true);
	json_u64("log_blocks", le64_to_cpu(sb->log_blocks), true);
	json_u64("data_start", le64_to_cpu(sb->data_start), true);
	json_u64("data_blocks", le64_to_cpu(sb->data_blocks), true);
	json_u64("segtab_start", le64_to_cpu(sb->segtab_start), true);
	json_u64("segtab_blocks", le32_to_cpu(sb->segtab_blocks), true);
	json_u64("segtab_gen", le64_to_cpu(sb->segtab_gen), true);
	json_u64("head_lsn", le64_to_cpu(sb->head_lsn), true);
	json_u64("head_seq", le64_to_cpu(sb->head_seq), true);
	json_u64("flags", le32_to_cpu(sb->flags), false);
	printf("}");
}

static int dump_json(const char *dev)
{
	struct rvm_recovery_stats st;
	struct rvm_geom g;
	struct dump_json d = { .g = &g };
	struct rvm_vol *vol;
	unsigned int i;
	int slot, err;

	err = rvm_vol_open(dev, RVM_VOL_RDONLY, &vol);
	if (err) {
		fprintf(stderr, "rvmctl dump: %s\n", rvm_vol_last_error());
		return 1;
	}
	slot = rvm_vol_read_super(vol, NULL);
	if (slot < 0) {
		fprintf(stderr, "rvmctl dump: %s\n", rvm_vol_last_error());
		rvm_vol_close(vol);
		return 1;
	}
	printf("{");
	json_str("device", dev, true);
	json_u64("size", rvm_vol_size(vol), true);
	printf("\"superblocks\":[");
	for (i = 0; i < RVM_SUPER_COPIES; i++) {
		const char *why;
		const struct rvm_disk_super *sb = rvm_vol_copy(vol, i, NULL, &why);

		printf("%s", i ? "," : "");
		super_json(sb, why, slot == (int)i);
	}
	printf("],\"segments\":[");
	segs_json(rvm_vol_segtab(vol));
	printf("],\"records\":[");
	rvm_geom_init(&g, rvm_vol_copy(vol, slot, NULL, NULL));
	g.segtab = rvm_vol_segtab(vol);
	err = rvm_vol_dump(vol, 0, dump_rec_json, &d, &st);
	printf("]");
	if (!err) {
		printf(",");
		json_u64("end_lsn", st.end_lsn, true);
		json_u64("next_seq", st.next_seq, true);
		json_str("end", st.end_why, true);
		json_u64("txn_records", st.records, true);
		json_u64("pad_records", st.pads, true);
		json_u64("log_bytes_in_use", st.end_lsn - st.head_lsn, false);
	}
	printf("}\n");
	if (err)
		fprintf(stderr, "rvmctl dump: %s\n", rvm_vol_last_error());
	rvm_vol_close(vol);
	return err ? 1 : 0;
}

int cmd_dump(int argc, char **argv)
{
	const char *dev;
	struct rvm_recovery_stats st;
	struct dump_arg d;
	struct rvm_vol *vol;
	int slot, err;

	if (argc == 3 && (!strcmp(argv[1], "--json") || !strcmp(argv[2], "--json"))) {
		dev = strcmp(argv[1], "--json") ? argv[1] : argv[2];
		if (dev[0] == '-')
			return rvmctl_usage(rvmctl_find("dump"));
		note_if_attached("dump", dev);
		return dump_json(dev);
	}
	dev = one_dev(rvmctl_find("dump"), argc, argv);
	if (!dev)
		return EXIT_USAGE;
	note_if_attached("dump", dev);
	slot = open_volume(dev, true, &vol);
	if (slot < 0)
		return 1;
	rvm_geom_init(&d.g, rvm_vol_copy(vol, slot, NULL, NULL));
	d.g.segtab = rvm_vol_segtab(vol);
	print_segtab(rvm_vol_segtab(vol));
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

/*
 * After the walk stopped at @st->end_lsn, is there a committed-looking
 * record further on in this lap (its own lsn, a later seq, a good header),
 * and how many records follow on from it? That tells damage in mid-log
 * (records that were written after the bad one: they are lost to
 * recovery) from a torn tail (nothing valid after the end).
 */
static u64 records_beyond(struct rvm_vol *vol, const struct rvm_disk_super *sb,
			  const struct rvm_recovery_stats *st, u64 *at_lsn)
{
	struct rvm_recovery_stats st2;
	struct rvm_disk_super sb2;
	struct rvm_geom g;
	u64 lsn, found = 0;
	u8 *log;

	if (!st->end_err)
		return 0;
	rvm_geom_init(&g, sb);
	g.segtab = rvm_vol_segtab(vol);
	log = malloc(g.log_size);
	if (!log || rvm_vol_io_ops.read(vol, RVM_IO_LOG, g.log_off, log, g.log_size)) {
		free(log);
		return 0;
	}
	for (lsn = st->end_lsn + RVM_REC_ALIGN; lsn < st->end_lsn + g.log_size;
	     lsn += RVM_REC_ALIGN) {
		u64 off = rvm_lap_off(&g, lsn);
		const struct rvm_rec_hdr *h = (const void *)(log + off);
		const char *why;
		u64 seq;

		if (off + RVM_REC_HDR_SIZE > g.log_size ||
		    le32_to_cpu(h->magic) != RVM_REC_MAGIC ||
		    le64_to_cpu(h->lsn) != lsn)
			continue;
		seq = le64_to_cpu(h->seq);
		if (seq < st->next_seq || rvm_rec_check_hdr(h, &g, lsn, seq, &why))
			continue;
		sb2 = *sb;
		sb2.head_lsn = cpu_to_le64(lsn);
		sb2.head_seq = cpu_to_le64(seq);
		rvm_super_seal(&sb2);
		if (rvm_log_walk(&sb2, g.segtab, &rvm_vol_io_ops, vol, 0, NULL,
				 NULL, &st2))
			continue;
		if (st2.records + st2.pads) {
			found = st2.records;
			*at_lsn = lsn;
			break;
		}
	}
	free(log);
	return found;
}

/*
 * Which segments the pending records name, and is each there with the
 * identity the table records (its name stat()ed: device and inode)?
 * Prints one line each (unless @json); returns how many are not, and sets
 * *@npending to how many are named.
 */
static u32 check_segments(struct rvm_vol *vol, bool json, u32 *npending)
{
	unsigned long ids[BITS_TO_LONGS(RVM_SEG_ID_LIMIT)];
	const struct rvm_segtab *t = rvm_vol_segtab(vol);
	struct rvm_recovery_stats st;
	u32 id, i, bad = 0;
	const char *why;

	*npending = 0;
	if (!t)
		return 0;
	if (!json)
		print_segtab(t);
	if (rvm_vol_pending_segs(vol, ids, &st))
		return 0;
	for (id = find_next_bit(ids, RVM_SEG_ID_LIMIT, 0); id < RVM_SEG_ID_LIMIT;
	     id = find_next_bit(ids, RVM_SEG_ID_LIMIT, id + 1)) {
		const char *name = "";
		int err = rvm_vol_seg_state(vol, id, &why);

		for (i = 0; i < t->nsegs; i++)
			if (le32_to_cpu(t->ent[i].id) == id)
				name = t->ent[i].name;
		(*npending)++;
		bad += !!err;
		if (json)
			continue;
		if (!err)
			printf("pending records name segment %u%s%s: present\n", id,
			       *name ? " " : " (internal)", name);
		else
			printf("pending records name segment %u %s: %s\n", id, name,
			       why);
	}
	if (!json && !*npending)
		printf("no pending record names a segment\n");
	return bad;
}

/* fsck's exit statuses (fsck(8)), which rvmctl check follows. */
#define CHECK_CLEAN	0
#define CHECK_HARMLESS	1
#define CHECK_DAMAGE	4
#define CHECK_OPERROR	8

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct rvmctl_cmd *c = rvmctl_find("check");
	const struct rvm_disk_super *sb;
	struct rvm_recovery_stats walk, st;
	struct rvm_vol *vol;
	char u[40], b[32], msg[256];
	const char *dev, *state;
	u64 beyond = 0, damage_lsn = 0;
	u32 nabsent, pending = 0;
	int slot, err, opt, rc = CHECK_CLEAN, bad_copies = 0;
	bool json = false;
	unsigned int i;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			rvmctl_help(c);
			return 0;
		default:
			return rvmctl_usage(c);
		}
	}
	if (optind != argc - 1)
		return rvmctl_usage(c);
	dev = argv[optind];
	note_if_attached("check", dev);
	slot = open_volume(dev, false, &vol);
	if (slot < 0)
		/* Not an rvm volume, or cannot be read: fsck's 8; both
		 * superblock copies corrupt is damage. */
		return slot == -EBADMSG ? CHECK_DAMAGE : CHECK_OPERROR;
	for (i = 0; i < RVM_SUPER_COPIES; i++) {
		const char *why;

		rvm_vol_copy(vol, i, NULL, &why);
		bad_copies += !!why;
	}
	sb = rvm_vol_copy(vol, slot, NULL, NULL);
	if (!json)
		printf("%s: rvm volume %s, superblock %c in force (sb_seq %llu), head lsn %llu seq %llu\n",
		       dev, uuid_str(sb->uuid, u, sizeof(u)), 'A' + slot,
		       (unsigned long long)le64_to_cpu(sb->sb_seq),
		       (unsigned long long)le64_to_cpu(sb->head_lsn),
		       (unsigned long long)le64_to_cpu(sb->head_seq));
	err = rvm_vol_dump(vol, 0, json ? NULL : check_rec, NULL, &walk);
	if (!err)
		err = rvm_vol_check(vol, &st);
	if (err) {
		fprintf(stderr, "rvmctl check: %s\n", rvm_vol_last_error());
		rvm_vol_close(vol);
		return CHECK_OPERROR;
	}
	beyond = records_beyond(vol, sb, &st, &damage_lsn);
	nabsent = check_segments(vol, json, &pending);
	if (beyond) {
		state = "damaged";
		snprintf(msg, sizeof(msg),
			 "damage in the log at lsn %llu (%s): %llu valid record%s after the damage at lsn %llu were not replayed",
			 (unsigned long long)st.end_lsn, st.end_why,
			 (unsigned long long)beyond, beyond == 1 ? "" : "s",
			 (unsigned long long)st.end_lsn);
		rc = CHECK_DAMAGE;
	} else if (!st.records && !st.pads && st.end_lsn == st.head_lsn &&
		   st.end_err == -EINVAL) {
		state = "empty";
		snprintf(msg, sizeof(msg), "the log is empty (head at lsn %llu)",
			 (unsigned long long)st.head_lsn);
	} else if (st.end_err == -EBADMSG) {
		state = "torn-tail";
		snprintf(msg, sizeof(msg),
			 "torn tail at lsn %llu (%s): a write that never completed, which recovery discards",
			 (unsigned long long)st.end_lsn, st.end_why);
		rc = CHECK_HARMLESS;
	} else {
		state = "clean";
		snprintf(msg, sizeof(msg), "end of log at lsn %llu, seq %llu: %s",
			 (unsigned long long)st.end_lsn,
			 (unsigned long long)st.next_seq, st.end_why);
	}
	if (bad_copies && rc < CHECK_HARMLESS)
		rc = CHECK_HARMLESS;
	if (nabsent) {
		/* Attach would refuse the log until the segments are back. */
		state = "segments-absent";
		snprintf(msg, sizeof(msg),
			 "%u segment%s that pending records name %s missing or replaced: attach refuses the log (and keeps it) until %s back",
			 nabsent, nabsent == 1 ? "" : "s",
			 nabsent == 1 ? "is" : "are",
			 nabsent == 1 ? "it is" : "they are");
		rc = CHECK_DAMAGE;
	}
	if (json) {
		printf("{");
		json_str("device", dev, true);
		json_str("uuid", uuid_str(sb->uuid, u, sizeof(u)), true);
		printf("\"superblock\":\"%c\",", 'A' + slot);
		json_u64("invalid_superblocks", bad_copies, true);
		json_u64("head_lsn", st.head_lsn, true);
		json_u64("head_seq", st.head_seq, true);
		json_u64("end_lsn", st.end_lsn, true);
		json_u64("next_seq", st.next_seq, true);
		json_str("end", st.end_why, true);
		json_str("state", state, true);
		json_u64("records", st.records, true);
		json_u64("pads", st.pads, true);
		json_u64("ranges", st.ranges, true);
		json_u64("bytes", st.bytes, true);
		json_u64("pages", st.pages, true);
		json_u64("not_replayed", beyond, true);
		json_u64("segments_pending", pending, true);
		json_u64("segments_absent", nabsent, true);
		json_str("message", msg, true);
		json_u64("exit", rc, false);
		printf("}\n");
		rvm_vol_close(vol);
		return rc;
	}
	printf("%s\n", msg);
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
	if (rc == CHECK_DAMAGE)
		fprintf(stderr, "rvmctl check: %s: %s\n", dev, msg);
	rvm_vol_close(vol);
	return rc;
}
