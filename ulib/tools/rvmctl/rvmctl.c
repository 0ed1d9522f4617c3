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
 *
 * The files: rvmctl.c (this one: the command table, help, dispatch and
 * the helpers every command uses), offline.c (format, dump, check),
 * online.c (attach, detach, status, version, and what the offline
 * commands ask rvm.ko), rvmctl.h (what they share).
 */
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

const struct rvmctl_cmd *rvmctl_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rvmctl_cmds); i++)
		if (!strcmp(rvmctl_cmds[i].name, name))
			return &rvmctl_cmds[i];
	return NULL;
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
