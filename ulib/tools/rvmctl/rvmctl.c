// SPDX-License-Identifier: GPL-2.0
/*
 * rvmctl: create, inspect and (with rvm.ko) attach rvm volumes.
 *
 *   rvmctl format DEV [--log-size N[K|M|G]] [--log-only] [--force]
 *   rvmctl dump DEV [--json]
 *   rvmctl check DEV [--json]
 *   rvmctl attach DEV [--truncate PCT] [--spool-delay MS]
 *   rvmctl detach DEV | --id N
 *   rvmctl status [DEV | --id N] [--json]
 *   rvmctl segment add LOG PATH | list LOG | remove LOG ID
 *   rvmctl version
 *   rvmctl help [COMMAND]
 *   rvmctl --version | --help; rvmctl COMMAND --help
 *
 * Offline subcommands work on the device directly with the module's own
 * format and recovery code (<rvm/volume.h>); they never need rvm.ko.
 * Online subcommands talk to rvm.ko through the ioctls of /dev/rvm
 * (<linux/rvm.h>).
 * Messages go to stderr, results to stdout; exit status 0 on success, 1 on
 * failure, 2 on a usage error; check exits like fsck(8) (0, 1, 4, 8).
 *
 * The files: rvmctl.c (this one: the command table, help, dispatch and
 * the helpers every command uses), offline.c (format, dump, check),
 * online.c (attach, detach, status, version, and what the offline
 * commands ask rvm.ko), rvmctl.h (what they share).
 */
#include "rvm/librvm.h"
#include "rvmctl.h"

/* ---- helpers ---------------------------------------------------------- */

/* @bytes in @buf, in the largest binary unit it fills ("1.5 MiB"). */
const char *human(u64 bytes, char *buf, size_t len)
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

/* ---- help and dispatch ------------------------------------------------ */

static int cmd_help(int argc, char **argv);

static const struct rvmctl_cmd rvmctl_cmds[] = {
	{ "format", cmd_format, "DEV [--log-size N[K|M|G]] [--log-only] [--force]",
	  "Format DEV (a block device or an existing regular file) as an empty\n"
	  "rvm volume (format version 2): a log and, on the same device, data\n"
	  "segment 0. The log takes 1/8 of the device, between 64 KiB and\n"
	  "64 MiB, unless --log-size says otherwise; segment 0 takes the rest.\n"
	  "--log-only (or --data-blocks 0): a log alone, all of DEV, whose data\n"
	  "segments are files or devices of their own ('rvmctl segment add').\n"
	  "Everything on DEV is lost: a DEV that holds a file system, a\n"
	  "partition table or an rvm volume (probed with libblkid) is refused\n"
	  "unless --force is given." },
	{ "dump", cmd_dump, "DEV [--json]",
	  "Show both superblock copies and every committed record of the log\n"
	  "(sequence number, position, transaction id, ranges), then where the\n"
	  "log ends and why. Reads only, so it works on an attached volume too\n"
	  "(showing its on-disk state, which the module keeps changing).\n"
	  "--json: the same as one JSON object." },
	{ "check", cmd_check, "DEV [--json]",
	  "Recovery dry run: validate the superblocks and the log, list the\n"
	  "records attaching DEV would replay, and count the data bytes and\n"
	  "pages. Writes nothing. Tells a torn tail (a last write that never\n"
	  "completed, which recovery discards) from damage in mid-log (valid\n"
	  "records after a bad one, which recovery cannot replay). Exits like\n"
	  "fsck: 0 clean (or an empty log), 1 harmless problems (a torn tail,\n"
	  "one invalid superblock copy), 4 damage left, 8 operational error\n"
	  "(cannot read DEV, not an rvm volume). On an attached volume it reads\n"
	  "the on-disk state, which lags the module's (see 'rvmctl status').\n"
	  "--json: the result as one JSON object." },
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
	{ "status", cmd_status, "[DEV | --id N] [--json]",
	  "Show the counters of an attached volume, with derived figures: log\n"
	  "use, commits per log write (group commit), log bytes per declared\n"
	  "byte, and its segments (id, size, kind, absent, pending, name).\n"
	  "With no volume named, of every attached volume (the list is\n"
	  "/sys/module/rvm/volumes). --json: an object, or an array of them." },
	{ "segment", cmd_segment, "add LOG PATH | list LOG | remove LOG ID",
	  "The data segments of the log LOG: add registers the block device or\n"
	  "regular file PATH (by its absolute path, with its device and inode)\n"
	  "and prints its id; list shows the segment table (id, size, kind,\n"
	  "absent, pending, name); remove truncates the log and removes segment\n"
	  "ID. Through rvm.ko: LOG is attached for the command if it is not,\n"
	  "and detached after. Needs root for the attach; add needs read and\n"
	  "write permission on PATH and LOG." },
	{ "version", cmd_version, "",
	  "Show the ABI version and the features of the loaded rvm.ko." },
	{ "help", cmd_help, "[COMMAND]", "Show the usage of rvmctl or of COMMAND." },
};

const struct rvmctl_cmd *rvmctl_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rvmctl_cmds); i++)
		if (!strcmp(rvmctl_cmds[i].name, name))
			return &rvmctl_cmds[i];
	return NULL;
}

void rvmctl_help(const struct rvmctl_cmd *c)
{
	printf("usage: rvmctl %s%s%s\n\n%s\n", c->name, *c->usage ? " " : "",
	       c->usage, c->help);
}

int rvmctl_usage(const struct rvmctl_cmd *c)
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
	fprintf(f, "\n'rvmctl help COMMAND' or 'rvmctl COMMAND --help' tells more;\n"
		"'rvmctl --version' shows the release. See rvmctl(8) and rvm(7).\n");
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
	rvmctl_help(c);
	return 0;
}

int main(int argc, char **argv)
{
	const struct rvmctl_cmd *c;
	int i;

	if (argc < 2) {
		rvmctl_overview(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("rvmctl %s (librvm %s)\n", RVM_RELEASE, rvm_version());
		return 0;
	}
	c = rvmctl_find(argv[1]);
	if (!c) {
		fprintf(stderr, "rvmctl: unknown command '%s'\n", argv[1]);
		rvmctl_overview(stderr);
		return EXIT_USAGE;
	}
	/* --help after any command, before anything else is looked at. */
	for (i = 2; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			rvmctl_help(c);
			return 0;
		}
	return c->fn(argc - 1, argv + 1);
}
