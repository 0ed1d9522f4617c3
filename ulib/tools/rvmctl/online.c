// SPDX-License-Identifier: GPL-2.0
/*
 * rvmctl's online commands: attach, detach, status, version. They talk to
 * rvm.ko through the ioctls of /dev/rvm (<linux/rvm.h>), as does
 * note_if_attached(), which dump and check ask.
 */
#include <ctype.h>
#include <fcntl.h>
#include <getopt.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/rvm.h>

#include "rvm/librvm.h"
#include "rvmctl.h"

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
		fprintf(stderr, "rvmctl %s: %s: %s: rvm.ko is not loaded (it runs in the test VM,\n"
			"vm-tests/vm-run, or where the rvm-dkms package installed it)\n",
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
	return rvmctl_usage(c);
}

/*
 * For dump and check: if rvm.ko has @dev attached, say that what the tool
 * reads is the on-disk state of a live volume.
 */
void note_if_attached(const char *cmd, const char *dev)
{
	struct rvm_status st;
	struct stat sb;
	int fd;

	if (stat(dev, &sb) || (!S_ISBLK(sb.st_mode) && !S_ISREG(sb.st_mode)))
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

int cmd_attach(int argc, char **argv)
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

int cmd_detach(int argc, char **argv)
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

static void print_status(const struct rvm_status *stp, const char *dev)
{
	const struct rvm_status st = *stp;
	char b1[32], b2[32], r[32];

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
	ROW("set_range calls", "%llu", U(st.set_range_calls));
	ROW("slot ranges", "%llu", U(st.decl_ranges));
	ROW("auto bytes", "%llu (%s)", U(st.auto_bytes),
	    human(st.auto_bytes, b1, sizeof(b1)));
#undef U
#undef ROW
}

static void print_status_json(const struct rvm_status *st, const char *dev)
{
	printf("{\"vol_id\":%u,\"device\":\"", st->vol_id);
	for (; dev && *dev; dev++)
		if (*dev == '"' || *dev == '\\')
			printf("\\%c", *dev);
		else if ((unsigned char)*dev >= 0x20)
			putchar(*dev);
	printf("\",\"failed\":%s", st->flags & RVM_STATUS_FAILED ? "true" : "false");
	printf(",\"flags\":%llu", (unsigned long long)st->flags);
	printf(",\"data_bytes\":%llu", (unsigned long long)st->data_bytes);
	printf(",\"log_bytes\":%llu", (unsigned long long)st->log_bytes);
	printf(",\"log_used\":%llu", (unsigned long long)st->log_used);
	printf(",\"head_lsn\":%llu", (unsigned long long)st->head_lsn);
	printf(",\"tail_lsn\":%llu", (unsigned long long)st->tail_lsn);
	printf(",\"next_seq\":%llu", (unsigned long long)st->next_seq);
	printf(",\"commits\":%llu", (unsigned long long)st->commits);
	printf(",\"flush_commits\":%llu", (unsigned long long)st->flush_commits);
	printf(",\"aborts\":%llu", (unsigned long long)st->aborts);
	printf(",\"log_writes\":%llu", (unsigned long long)st->log_writes);
	printf(",\"log_flushes\":%llu", (unsigned long long)st->log_flushes);
	printf(",\"flush_calls\":%llu", (unsigned long long)st->flush_calls);
	printf(",\"bytes_declared\":%llu", (unsigned long long)st->bytes_declared);
	printf(",\"bytes_logged\":%llu", (unsigned long long)st->bytes_logged);
	printf(",\"bytes_coalesced\":%llu", (unsigned long long)st->bytes_coalesced);
	printf(",\"truncations\":%llu", (unsigned long long)st->truncations);
	printf(",\"bytes_truncated\":%llu", (unsigned long long)st->bytes_truncated);
	printf(",\"log_full_waits\":%llu", (unsigned long long)st->log_full_waits);
	printf(",\"recovery_ns\":%llu", (unsigned long long)st->recovery_ns);
	printf(",\"recovery_records\":%llu", (unsigned long long)st->recovery_records);
	printf(",\"recovery_bytes\":%llu", (unsigned long long)st->recovery_bytes);
	printf(",\"mapped_pages\":%llu", (unsigned long long)st->mapped_pages);
	printf(",\"violations\":%llu", (unsigned long long)st->violations);
	printf(",\"prot_faults\":%llu", (unsigned long long)st->prot_faults);
	printf(",\"snapshots\":%llu", (unsigned long long)st->snapshots);
	printf(",\"auto_bytes\":%llu", (unsigned long long)st->auto_bytes);
	printf(",\"set_range_calls\":%llu", (unsigned long long)st->set_range_calls);
	printf(",\"decl_ranges\":%llu", (unsigned long long)st->decl_ranges);
	printf(",\"log_preflushes\":%llu", (unsigned long long)st->log_preflushes);
	/* The caller adds the segments and the closing brace. */
}

static const char *seg_flags_str(u32 f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s",
		 f & RVM_SEGI_INTERNAL ? "internal" :
		 f & RVM_SEGI_BDEV ? "device" :
		 f & RVM_SEGI_FILE ? "file" : "?",
		 f & RVM_SEGI_ABSENT ? ",absent" : "",
		 f & RVM_SEGI_PENDING ? ",pending" : "");
	return buf;
}

/*
 * The segment table of volume @vol_id, as a table (or a JSON array after
 * ",\"segments\":"); nothing from a module without RVM_FEAT_SEGMENTS.
 */
static void print_segments(int fd, u32 vol_id, bool json)
{
	struct rvm_seg_info si;
	char b1[32], b2[48];
	u32 i;

	for (i = 0;; i++) {
		memset(&si, 0, sizeof(si));
		si.ref.vol_id = vol_id;
		si.index = i;
		if (node_ioctl(fd, RVM_IOC_SEG_INFO, &si))
			break;
		si.name[sizeof(si.name) - 1] = 0;
		if (json) {
			const char *n;

			printf("%s{\"id\":%u,\"flags\":%u,\"size\":%llu,\"dev\":%llu,\"ino\":%llu,\"resident_pages\":%llu,\"absent\":%s,\"pending\":%s,\"name\":\"",
			       i ? "," : "", si.id, si.flags,
			       (unsigned long long)si.size,
			       (unsigned long long)si.dev,
			       (unsigned long long)si.ino,
			       (unsigned long long)si.resident_pages,
			       si.flags & RVM_SEGI_ABSENT ? "true" : "false",
			       si.flags & RVM_SEGI_PENDING ? "true" : "false");
			for (n = si.name; *n; n++)
				if (*n == '"' || *n == '\\')
					printf("\\%c", *n);
				else if ((unsigned char)*n >= 0x20)
					putchar(*n);
			printf("\"}");
			continue;
		}
		if (!i)
			printf("  segments:\n  %4s  %-12s %-22s %s\n", "id", "size",
			       "flags", "name");
		printf("  %4u  %-12s %-22s %s\n", si.id,
		       human(si.size, b1, sizeof(b1)),
		       seg_flags_str(si.flags, b2, sizeof(b2)),
		       si.flags & RVM_SEGI_INTERNAL ? "(the log's device)" :
						      si.name);
	}
	if (!json && !i)
		printf("  segments:         none\n");
}

/*
 * The status of one volume, after @sep if there is one; 0, or 1 after
 * saying why not (and printing nothing on stdout).
 */
static int status_one(int fd, struct rvm_status *st, const char *dev, bool json,
		      const char *sep)
{
	int err = node_ioctl(fd, RVM_IOC_STATUS, st);

	if (err) {
		op_fail("status", OP_STATUS, -err, dev, st->ref.vol_id);
		return 1;
	}
	printf("%s", sep);
	if (json) {
		print_status_json(st, dev);
		printf(",\"segments\":[");
		print_segments(fd, st->vol_id, true);
		printf("]}");
	} else {
		print_status(st, dev);
		print_segments(fd, st->vol_id, false);
	}
	return 0;
}

#define RVM_SYSFS_VOLUMES "/sys/module/rvm/volumes"

/*
 * rvmctl status with no volume named: every attached volume, from
 * /sys/module/rvm/volumes (sysfs.c: "ID MAJOR:MINOR PATH" lines).
 */
static int status_all(int fd, bool json)
{
	char line[4200], path[4097];
	unsigned int id, maj, min, n = 0;
	int rc = 0;
	FILE *f = fopen(RVM_SYSFS_VOLUMES, "r");

	if (!f) {
		fprintf(stderr, "rvmctl status: %s: %s (an rvm.ko older than 0.3.0 cannot list its volumes:\n"
			"name one, rvmctl status DEV or --id N)\n", RVM_SYSFS_VOLUMES,
			strerror(errno));
		return 1;
	}
	if (json)
		printf("[");
	while (fgets(line, sizeof(line), f)) {
		struct rvm_status st;

		if (sscanf(line, "%u %u:%u %4096s", &id, &maj, &min, path) != 4)
			continue;
		memset(&st, 0, sizeof(st));
		st.ref.vol_id = id;
		if (status_one(fd, &st, path, json, !n ? "" : json ? "," : "\n"))
			rc = 1;
		else
			n++;
	}
	fclose(f);
	if (json)
		printf("]\n");
	else if (!n)
		printf("no volume attached\n");
	return rc;
}

int cmd_status(int argc, char **argv)
{
	const struct rvmctl_cmd *c = rvmctl_find("status");
	struct rvm_status st;
	const char *dev;
	bool json = false;
	int fd, err, i, j;

	/* --json anywhere; the rest names the volume, or nothing for all. */
	for (i = j = 1; i < argc; i++)
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			json = true;
		else
			argv[j++] = argv[i];
	argc = j;
	memset(&st, 0, sizeof(st));
	if (argc > 1) {
		err = parse_ref(c, argc, argv, &st.ref, &dev);
		if (err)
			return err;
	}
	fd = node_open("status", false);
	if (fd < 0)
		return 1;
	if (argc == 1)
		err = status_all(fd, json);
	else {
		err = status_one(fd, &st, dev, json, "");
		if (json && !err)
			printf("\n");
	}
	close(fd);
	return err;
}

/* ---- segment add / list / remove -------------------------------------- */

/*
 * Is @log attached? If not, attach it (recovering it) for the command and
 * say so in *@attached_here: 0, or 1 after saying why not.
 */
static int seg_attach(int fd, const char *log, bool *attached_here)
{
	struct rvm_attach a;
	struct rvm_status st;
	int err;

	*attached_here = false;
	memset(&st, 0, sizeof(st));
	st.ref.path = (uintptr_t)log;
	if (!node_ioctl(fd, RVM_IOC_STATUS, &st))
		return 0;
	memset(&a, 0, sizeof(a));
	a.path = (uintptr_t)log;
	err = node_ioctl(fd, RVM_IOC_ATTACH, &a);
	if (err) {
		op_fail("segment", OP_ATTACH, -err, log, 0);
		return 1;
	}
	*attached_here = true;
	return 0;
}

static void seg_detach(int fd, const char *log, bool attached_here)
{
	struct rvm_volume_ref ref;
	int err;

	if (!attached_here)
		return;
	memset(&ref, 0, sizeof(ref));
	ref.path = (uintptr_t)log;
	err = node_ioctl(fd, RVM_IOC_DETACH, &ref);
	if (err)
		op_fail("segment", OP_DETACH, -err, log, 0);
}

static const char *seg_why(int err)
{
	switch (err) {
	case ENOTTY:
		return "this rvm.ko has no data segments (RVM_FEAT_SEGMENTS, ABI minor 6)";
	case EBUSY:
		return "busy (mapped, segment 0 of a one-device volume, or a device in use)";
	case ENOSPC:
		return "the segment table is full";
	case EINVAL:
		return "not a block device or regular file of at least 4096 bytes (or the log's own device)";
	default:
		return strerror(err);
	}
}

int cmd_segment(int argc, char **argv)
{
	const struct rvmctl_cmd *c = rvmctl_find("segment");
	const char *op, *log;
	bool here = false;
	u32 id = 0;
	uint64_t size = 0;
	int fd, err = 0, rc = 0;

	if (argc < 3)
		return rvmctl_usage(c);
	op = argv[1];
	log = argv[2];
	if (!strcmp(op, "list") ? argc != 3 :
	    (strcmp(op, "add") && strcmp(op, "remove")) || argc != 4)
		return rvmctl_usage(c);
	if (!strcmp(op, "remove") && parse_u32(argv[3], 0, RVM_SEG_MAX_ID, &id)) {
		fprintf(stderr, "rvmctl segment: bad segment id '%s'\n", argv[3]);
		return EXIT_USAGE;
	}
	fd = node_open("segment", false);
	if (fd < 0)
		return 1;
	if (seg_attach(fd, log, &here)) {
		close(fd);
		return 1;
	}
	if (!strcmp(op, "add")) {
		err = rvm_seg_add(log, argv[3], &id, &size);
		if (err) {
			fprintf(stderr, "rvmctl segment add: %s: %s\n", argv[3],
				seg_why(-err));
			rc = 1;
		} else {
			char b[32];

			printf("%s: segment %u, %s\n", argv[3], id,
			       human(size, b, sizeof(b)));
		}
	} else if (!strcmp(op, "remove")) {
		err = rvm_seg_remove(log, id);
		if (err) {
			fprintf(stderr, "rvmctl segment remove: %s: segment %u: %s\n",
				log, id, err == -ENOENT ? "no such segment" :
				seg_why(-err));
			rc = 1;
		} else {
			printf("%s: segment %u removed\n", log, id);
		}
	} else {
		struct rvm_status st;

		memset(&st, 0, sizeof(st));
		st.ref.path = (uintptr_t)log;
		err = node_ioctl(fd, RVM_IOC_STATUS, &st);
		if (err) {
			op_fail("segment", OP_STATUS, -err, log, 0);
			rc = 1;
		} else {
			printf("%s (volume %u):\n", log, st.vol_id);
			print_segments(fd, st.vol_id, false);
		}
	}
	seg_detach(fd, log, here);
	close(fd);
	return rc;
}

int cmd_version(int argc, char **argv)
{
	static const char *const feat[] = { "engine", "protect", "uring",
					    "decl" };
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
