// SPDX-License-Identifier: GPL-2.0
/*
 * rvmctl: create, inspect and (with rvm.ko) attach rvm volumes.
 *
 *   rvmctl format DEV [--log-size N[K|M|G]]
 *   rvmctl dump DEV
 *   rvmctl check DEV
 *   rvmctl attach DEV [--truncate PCT] [--spool-delay MS]
 *   rvmctl detach DEV | --id N
 *   rvmctl status DEV | --id N
 *   rvmctl version
 *   rvmctl help [COMMAND]
 *
 * Offline subcommands work on the device directly with the module's own
 * format and recovery code (<rvm/volume.h>); they never need rvm.ko.
 * Online subcommands talk to rvm.ko through the ioctls of /dev/rvm
 * (<linux/rvm.h>).
 * Messages go to stderr, results to stdout; exit status 0 on success, 1 on
 * failure, 2 on a usage error.
 */
#include <fcntl.h>
#include <ctype.h>
#include <getopt.h>
#include <inttypes.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/rvm.h>

#include "rvm/volume.h"

#define EXIT_USAGE	2

struct rvmctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;	/* arguments, after the name */
	const char *help;	/* one paragraph */
};

static const struct rvmctl_cmd *rvmctl_find(const char *name);
static int rvmctl_usage(const struct rvmctl_cmd *c);

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

static const char *human(u64 bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned int i = 0;
	double v = bytes;

	while (v >= 1024 && i + 1 < ARRAY_SIZE(unit)) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%.4g %s", v, unit[i]);
	return buf;
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

/* ---- /dev/rvm --------------------------------------------------------- */

#define RVM_NODE	"/dev/rvm"

enum rvm_op { OP_VERSION, OP_ATTACH, OP_DETACH, OP_STATUS };

/*
 * Open /dev/rvm (read-write, or read-only if that is all we may: STATUS
 * and GET_VERSION need no more). Returns the fd, or a negative errno after
 * saying why unless @quiet.
 */
static int node_open(const char *cmd, bool quiet)
{
	int fd, err;

	fd = open(RVM_NODE, O_RDWR | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		fd = open(RVM_NODE, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	err = errno;
	if (quiet)
		return -err;
	switch (err) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		fprintf(stderr, "rvmctl %s: %s: %s: is rvm.ko loaded? (modprobe rvm)\n",
			cmd, RVM_NODE, strerror(err));
		break;
	case EACCES:
	case EPERM:
		fprintf(stderr, "rvmctl %s: %s: permission denied\n", cmd, RVM_NODE);
		break;
	default:
		fprintf(stderr, "rvmctl %s: %s: %s\n", cmd, RVM_NODE, strerror(err));
		break;
	}
	return -err;
}

/* One ioctl on a fresh /dev/rvm file: 0, or a negative errno. */
static int node_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

/*
 * What an errno of an online request means, for @dev (NULL when the volume
 * was named by id).
 */
static const char *op_why(enum rvm_op op, int err, const char *dev)
{
	static char buf[256];
	struct stat st;

	switch (err) {
	case EPERM:
		return "need root (CAP_SYS_ADMIN)";
	case EACCES:
		return "permission denied (on the device node or a directory of its path)";
	case EBUSY:
		if (op == OP_ATTACH)
			return "already attached or in use (attached as an rvm volume, mounted, or opened exclusively by another program)";
		if (op == OP_DETACH)
			return "still in use by a process that mapped it (a file descriptor of /dev/rvm is bound to it; end that process first)";
		break;
	case ENOENT:
		if (dev && stat(dev, &st))
			return "no such file or directory";
		if (op == OP_ATTACH)
			return "no such block device";
		return "not attached";
	case ENOTBLK:
		return "not a block device";
	case ENXIO:
	case ENODEV:
		return "no such device (the device node has no disk behind it)";
	case EINVAL:
		if (op == OP_ATTACH) {
			snprintf(buf, sizeof(buf),
				 "not an rvm volume (see the kernel log for the reason; try 'rvmctl check %s')",
				 dev ? dev : "DEV");
			return buf;
		}
		return "invalid request (do rvmctl and rvm.ko agree on the ABI? see 'rvmctl version')";
	case EBADMSG:
		snprintf(buf, sizeof(buf),
			 "corrupt superblocks: both copies fail their checksum (try 'rvmctl dump %s')",
			 dev ? dev : "DEV");
		return buf;
	case EOPNOTSUPP:
		return "newer format: the volume was written by a newer rvm than this module supports";
	case ENAMETOOLONG:
		return "path too long";
	case EIO:
		if (op == OP_ATTACH)
			return "I/O error reading or recovering the volume (see the kernel log)";
		if (op == OP_DETACH)
			return "I/O error on the final flush: the volume is detached anyway, and the next attach replays its log";
		break;
	case ENOMEM:
		return "out of kernel memory";
	case ENOTTY:
		return "rvm.ko does not know this request (an older module? see 'rvmctl version')";
	}
	return strerror(err);
}

static void op_fail(const char *cmd, enum rvm_op op, int err, const char *dev,
		    u32 id)
{
	if (dev)
		fprintf(stderr, "rvmctl %s: %s: %s\n", cmd, dev, op_why(op, err, dev));
	else if (op == OP_VERSION)
		fprintf(stderr, "rvmctl %s: %s\n", cmd, op_why(op, err, NULL));
	else
		fprintf(stderr, "rvmctl %s: volume %u: %s\n", cmd, id,
			op_why(op, err, NULL));
}

static int parse_u32(const char *s, u32 min, u32 max, u32 *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * "DEV" or "--id N": fill @ref. Returns 0, or EXIT_USAGE after printing
 * the usage.
 */
static int parse_ref(const struct rvmctl_cmd *c, int argc, char **argv,
		     struct rvm_volume_ref *ref, const char **devp)
{
	static const struct option opts[] = {
		{ "id", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_id = false;
	u32 id = 0;
	int opt;

	memset(ref, 0, sizeof(*ref));
	*devp = NULL;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "i:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			if (parse_u32(optarg, 1, UINT32_MAX, &id)) {
				fprintf(stderr, "rvmctl %s: bad volume id '%s'\n",
					c->name, optarg);
				return EXIT_USAGE;
			}
			have_id = true;
			break;
		case 'h':
		default:
			return rvmctl_usage(c);
		}
	}
	if (have_id && optind == argc) {
		ref->vol_id = id;
		return 0;
	}
	if (!have_id && optind == argc - 1) {
		*devp = argv[optind];
		ref->path = (uintptr_t)argv[optind];
		return 0;
	}
	if (!have_id && optind == argc && !strcmp(c->name, "status"))
		fprintf(stderr, "rvmctl status: name the volume: rvm.ko cannot list its volumes, so give the\n"
			"device (rvmctl status DEV) or the id attach printed (rvmctl status --id N;\n"
			"the kernel log has 'attached DEV as volume N' lines too)\n");
	return rvmctl_usage(c);
}

/*
 * For dump and check: if rvm.ko has @dev attached, say that what the tool
 * reads is the on-disk state of a live volume.
 */
static void note_if_attached(const char *cmd, const char *dev)
{
	struct rvm_status st;
	struct stat sb;
	int fd;

	if (stat(dev, &sb) || !S_ISBLK(sb.st_mode))
		return;
	fd = node_open(cmd, true);
	if (fd < 0)
		return;
	memset(&st, 0, sizeof(st));
	st.ref.path = (uintptr_t)dev;
	if (!node_ioctl(fd, RVM_IOC_STATUS, &st))
		fprintf(stderr, "rvmctl %s: %s: note: attached as volume %u: this is the on-disk state of a\n"
			"live volume (the superblock's head lags, and records may be written while\n"
			"reading); 'rvmctl status %s' shows the module's view, and a detach empties\n"
			"the log\n",
			cmd, dev, st.vol_id, dev);
	close(fd);
}

/* ---- format ----------------------------------------------------------- */

static int cmd_format(int argc, char **argv)
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

static int cmd_dump(int argc, char **argv)
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

static int cmd_check(int argc, char **argv)
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

/* ---- online: attach, detach, status, version --------------------------- */

static const char *ns_str(u64 ns, char *buf, size_t len)
{
	if (ns < 1000000)
		snprintf(buf, len, "%.3g us", ns / 1e3);
	else if (ns < 1000000000ULL)
		snprintf(buf, len, "%.4g ms", ns / 1e6);
	else
		snprintf(buf, len, "%.4g s", ns / 1e9);
	return buf;
}

static void print_recovery(const struct rvm_status *st)
{
	char b[32], t[32];

	printf("recovery: replayed %llu record%s, %llu bytes (%s) in %s\n",
	       (unsigned long long)st->recovery_records,
	       st->recovery_records == 1 ? "" : "s",
	       (unsigned long long)st->recovery_bytes,
	       human(st->recovery_bytes, b, sizeof(b)),
	       ns_str(st->recovery_ns, t, sizeof(t)));
}

static int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "truncate", required_argument, NULL, 't' },
		{ "spool-delay", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct rvmctl_cmd *c = rvmctl_find("attach");
	struct rvm_attach a;
	struct rvm_status st;
	const char *dev;
	int opt, fd, err;

	memset(&a, 0, sizeof(a));
	optind = 1;
	while ((opt = getopt_long(argc, argv, "t:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			if (parse_u32(optarg, 1, 99, &a.truncate_pct)) {
				fprintf(stderr, "rvmctl attach: bad --truncate '%s': a percentage of the log, 1..99\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 's':
			if (parse_u32(optarg, 1, 60000, &a.spool_delay_ms)) {
				fprintf(stderr, "rvmctl attach: bad --spool-delay '%s': milliseconds, 1..60000\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
		default:
			return rvmctl_usage(c);
		}
	}
	if (optind != argc - 1)
		return rvmctl_usage(c);
	dev = argv[optind];
	if (strlen(dev) >= RVM_PATH_MAX) {
		fprintf(stderr, "rvmctl attach: %s: path too long\n", dev);
		return 1;
	}

	fd = node_open("attach", false);
	if (fd < 0)
		return 1;
	a.path = (uintptr_t)dev;
	err = node_ioctl(fd, RVM_IOC_ATTACH, &a);
	if (err) {
		op_fail("attach", OP_ATTACH, -err, dev, 0);
		close(fd);
		return 1;
	}
	printf("attached %s as volume %u\n", dev, a.vol_id);
	memset(&st, 0, sizeof(st));
	st.ref.vol_id = a.vol_id;
	err = node_ioctl(fd, RVM_IOC_STATUS, &st);
	close(fd);
	if (err) {
		/* Attached all the same: a detach by someone else in between? */
		fprintf(stderr, "rvmctl attach: volume %u: cannot read its status: %s\n",
			a.vol_id, op_why(OP_STATUS, -err, NULL));
		return 1;
	}
	print_recovery(&st);
	return 0;
}

static int cmd_detach(int argc, char **argv)
{
	const struct rvmctl_cmd *c = rvmctl_find("detach");
	struct rvm_volume_ref ref;
	const char *dev;
	int fd, err;

	err = parse_ref(c, argc, argv, &ref, &dev);
	if (err)
		return err;
	fd = node_open("detach", false);
	if (fd < 0)
		return 1;
	err = node_ioctl(fd, RVM_IOC_DETACH, &ref);
	close(fd);
	if (err) {
		op_fail("detach", OP_DETACH, -err, dev, ref.vol_id);
		return 1;
	}
	if (dev)
		printf("detached %s\n", dev);
	else
		printf("detached volume %u\n", ref.vol_id);
	return 0;
}

/* a / b with two decimals, or "-" when b is 0. */
static const char *ratio(u64 a, u64 b, char *buf, size_t len)
{
	if (!b)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.2f", (double)a / b);
	return buf;
}

static int cmd_status(int argc, char **argv)
{
	const struct rvmctl_cmd *c = rvmctl_find("status");
	struct rvm_status st;
	const char *dev;
	char b1[32], b2[32], r[32];
	int fd, err;

	memset(&st, 0, sizeof(st));
	err = parse_ref(c, argc, argv, &st.ref, &dev);
	if (err)
		return err;
	fd = node_open("status", false);
	if (fd < 0)
		return 1;
	err = node_ioctl(fd, RVM_IOC_STATUS, &st);
	close(fd);
	if (err) {
		op_fail("status", OP_STATUS, -err, dev, st.ref.vol_id);
		return 1;
	}

	if (dev)
		printf("volume %u (%s): ", st.vol_id, dev);
	else
		printf("volume %u: ", st.vol_id);
	if (st.flags & RVM_STATUS_FAILED)
		printf("FAILED (an I/O error: it refuses commits until detached)\n");
	else
		printf("ok\n");
	if (st.flags & ~RVM_STATUS_FAILED)
		printf("  flags             0x%x\n", st.flags);
#define ROW(name, fmt, ...) printf("  %-17s " fmt "\n", name, __VA_ARGS__)
#define U(x) ((unsigned long long)(x))
	ROW("data segment", "%llu bytes (%s), %llu page%s in memory",
	    U(st.data_bytes), human(st.data_bytes, b1, sizeof(b1)),
	    U(st.mapped_pages), st.mapped_pages == 1 ? "" : "s");
	ROW("log", "%llu bytes (%s)", U(st.log_bytes),
	    human(st.log_bytes, b1, sizeof(b1)));
	ROW("log used", "%llu bytes (%s), %.1f%% of the log", U(st.log_used),
	    human(st.log_used, b1, sizeof(b1)),
	    st.log_bytes ? 100.0 * st.log_used / st.log_bytes : 0.0);
	ROW("head lsn", "%llu", U(st.head_lsn));
	ROW("tail lsn", "%llu", U(st.tail_lsn));
	ROW("next seq", "%llu", U(st.next_seq));
	ROW("commits", "%llu (%llu flush, %llu no_flush)", U(st.commits),
	    U(st.flush_commits), U(st.commits - st.flush_commits));
	ROW("aborts", "%llu", U(st.aborts));
	ROW("log writes", "%llu (%s commits per log write)", U(st.log_writes),
	    ratio(st.commits, st.log_writes, r, sizeof(r)));
	ROW("log flushes", "%llu (%llu with a preflush)", U(st.log_flushes),
	    U(st.log_preflushes));
	ROW("flush calls", "%llu", U(st.flush_calls));
	ROW("bytes declared", "%llu (%s)", U(st.bytes_declared),
	    human(st.bytes_declared, b1, sizeof(b1)));
	ROW("bytes logged", "%llu (%s), %s per declared byte",
	    U(st.bytes_logged), human(st.bytes_logged, b1, sizeof(b1)),
	    ratio(st.bytes_logged, st.bytes_declared, r, sizeof(r)));
	ROW("bytes coalesced", "%llu (%s) of log saved", U(st.bytes_coalesced),
	    human(st.bytes_coalesced, b1, sizeof(b1)));
	ROW("truncations", "%llu, %llu bytes (%s) freed", U(st.truncations),
	    U(st.bytes_truncated), human(st.bytes_truncated, b1, sizeof(b1)));
	ROW("log full waits", "%llu", U(st.log_full_waits));
	ROW("recovery", "%llu record%s, %llu bytes (%s) in %s",
	    U(st.recovery_records), st.recovery_records == 1 ? "" : "s",
	    U(st.recovery_bytes), human(st.recovery_bytes, b1, sizeof(b1)),
	    ns_str(st.recovery_ns, b2, sizeof(b2)));
	ROW("violations", "%llu", U(st.violations));
	ROW("prot faults", "%llu", U(st.prot_faults));
	ROW("snapshots", "%llu", U(st.snapshots));
	ROW("auto bytes", "%llu (%s)", U(st.auto_bytes),
	    human(st.auto_bytes, b1, sizeof(b1)));
#undef U
#undef ROW
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	static const char *const feat[] = { "engine", "protect" };
	struct rvm_version v;
	unsigned int i;
	u64 unknown;
	int fd, err;

	if (argc != 1)
		return rvmctl_usage(rvmctl_find("version"));
	fd = node_open("version", false);
	if (fd < 0)
		return 1;
	memset(&v, 0, sizeof(v));
	err = node_ioctl(fd, RVM_IOC_GET_VERSION, &v);
	close(fd);
	if (err) {
		op_fail("version", OP_VERSION, -err, NULL, 0);
		return 1;
	}
	printf("rvm.ko ABI %u.%u, page size %u (rvmctl built for ABI %u.%u)\n",
	       v.abi_major, v.abi_minor, v.page_size, RVM_ABI_MAJOR,
	       RVM_ABI_MINOR);
	printf("features 0x%llx:", (unsigned long long)v.features);
	for (i = 0; i < ARRAY_SIZE(feat); i++)
		if (v.features & (1ULL << i))
			printf(" %s", feat[i]);
	unknown = v.features & ~((1ULL << ARRAY_SIZE(feat)) - 1);
	if (unknown)
		printf(" (and unknown 0x%llx)", (unsigned long long)unknown);
	printf("\n");
	if (v.abi_major != RVM_ABI_MAJOR) {
		fprintf(stderr, "rvmctl version: rvm.ko's ABI major %u is not rvmctl's %u: they cannot work together\n",
			v.abi_major, RVM_ABI_MAJOR);
		return 1;
	}
	return 0;
}

/* ---- help and dispatch ------------------------------------------------ */

static int cmd_help(int argc, char **argv);

static const struct rvmctl_cmd rvmctl_cmds[] = {
	{ "format", cmd_format, "DEV [--log-size N[K|M|G]]",
	  "Format DEV (a block device or an existing regular file) as an empty\n"
	  "rvm volume. The log takes 1/8 of the device, between 64 KiB and\n"
	  "64 MiB, unless --log-size says otherwise; the data segment takes\n"
	  "the rest. Everything on DEV is lost." },
	{ "dump", cmd_dump, "DEV",
	  "Show both superblock copies and every committed record of the log\n"
	  "(sequence number, position, transaction id, ranges), then where the\n"
	  "log ends and why. Reads only, so it works on an attached volume too\n"
	  "(showing its on-disk state, which the module keeps changing)." },
	{ "check", cmd_check, "DEV",
	  "Recovery dry run: validate the superblocks and the log, list the\n"
	  "records attaching DEV would replay, and count the data bytes and\n"
	  "pages. Writes nothing. Exit status 0 if DEV is a consistent rvm\n"
	  "volume, 1 if it is not an rvm volume or its superblocks are corrupt.\n"
	  "On an attached volume it reads the on-disk state, which lags the\n"
	  "module's (see 'rvmctl status')." },
	/* Online subcommands: they need rvm.ko (/dev/rvm). */
	{ "attach", cmd_attach, "DEV [--truncate PCT] [--spool-delay MS]",
	  "Attach the rvm volume on block device DEV: rvm.ko opens it\n"
	  "exclusively and runs recovery. Prints the volume's id and what\n"
	  "recovery replayed. --truncate: start background truncation when the\n"
	  "log is PCT% full (1..99); --spool-delay: no_flush commits become\n"
	  "durable at most MS ms after they end (1..60000); the module's\n"
	  "parameters give the defaults. Needs root." },
	{ "detach", cmd_detach, "DEV | --id N",
	  "Flush and truncate the log, mark the volume clean and release it.\n"
	  "Refused while a process has a file descriptor bound to it. Needs root." },
	{ "status", cmd_status, "DEV | --id N",
	  "Show the counters of an attached volume, with derived figures: log\n"
	  "use, commits per log write (group commit), log bytes per declared\n"
	  "byte. rvm.ko cannot list its volumes: name one by device or by id." },
	{ "version", cmd_version, "",
	  "Show the ABI version and the features of the loaded rvm.ko." },
	{ "help", cmd_help, "[COMMAND]", "Show the usage of rvmctl or of COMMAND." },
};

static const struct rvmctl_cmd *rvmctl_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rvmctl_cmds); i++)
		if (!strcmp(rvmctl_cmds[i].name, name))
			return &rvmctl_cmds[i];
	return NULL;
}

static int rvmctl_usage(const struct rvmctl_cmd *c)
{
	fprintf(stderr, "usage: rvmctl %s%s%s\n", c->name, *c->usage ? " " : "",
		c->usage);
	return EXIT_USAGE;
}

static void rvmctl_overview(FILE *f)
{
	size_t i;

	fprintf(f, "usage: rvmctl COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < ARRAY_SIZE(rvmctl_cmds); i++)
		if (*rvmctl_cmds[i].usage)
			fprintf(f, "  %-7s %s\n", rvmctl_cmds[i].name,
				rvmctl_cmds[i].usage);
		else
			fprintf(f, "  %s\n", rvmctl_cmds[i].name);
	fprintf(f, "\n'rvmctl help COMMAND' tells more.\n");
}

static int cmd_help(int argc, char **argv)
{
	const struct rvmctl_cmd *c;

	if (argc < 2) {
		rvmctl_overview(stdout);
		return 0;
	}
	c = rvmctl_find(argv[1]);
	if (!c) {
		fprintf(stderr, "rvmctl: no command '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	printf("usage: rvmctl %s%s%s\n\n%s\n", c->name, *c->usage ? " " : "",
	       c->usage, c->help);
	return 0;
}

int main(int argc, char **argv)
{
	const struct rvmctl_cmd *c;

	if (argc < 2) {
		rvmctl_overview(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv);
	c = rvmctl_find(argv[1]);
	if (!c) {
		fprintf(stderr, "rvmctl: unknown command '%s'\n", argv[1]);
		rvmctl_overview(stderr);
		return EXIT_USAGE;
	}
	return c->fn(argc - 1, argv + 1);
}
