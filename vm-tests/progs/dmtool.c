// SPDX-License-Identifier: GPL-2.0
/*
 * dmtool: a tiny dmsetup for the test VM (which has neither dmsetup nor
 * udev), for the power-cut and I/O-error scenarios.
 *
 *   dmtool linear NAME NODE DEV        create NAME (or reload its table) as
 *                                      a linear map of all of DEV, make the
 *                                      block node NODE for it
 *   dmtool concat NAME NODE DEV1 DEV2  create NAME as DEV1 followed by DEV2
 *   dmtool slice NAME NODE DEV START N create NAME as sectors [START,
 *                                      START + N) of DEV
 *   dmtool logwrites NAME NODE DEV LOG create NAME as log-writes of DEV,
 *                                      logging every write to LOG
 *   dmtool error NAME NODE             switch NAME's table to the error
 *                                      target (every read and write fails)
 *   dmtool error-from NAME DEV SECTOR  switch NAME's table to linear over
 *                                      DEV before SECTOR, error from there
 *   dmtool mark NAME TEXT              log-writes: a mark in the log
 *   dmtool remove NAME NODE            remove NAME and NODE
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/fs.h>
#include "dmio.h"

static uint64_t sectors_of(const char *path)
{
	uint64_t bytes = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &bytes)) {
		perror(path);
		exit(1);
	}
	close(fd);
	return bytes >> 9;
}

/* "MAJOR:MINOR" of a block device. */
static const char *devno(const char *path, char *buf, size_t len)
{
	struct stat st;

	if (stat(path, &st) || !S_ISBLK(st.st_mode)) {
		fprintf(stderr, "dmtool: %s is not a block device\n", path);
		exit(1);
	}
	snprintf(buf, len, "%u:%u", major(st.st_rdev), minor(st.st_rdev));
	return buf;
}

static void must(int ret, const char *what, const char *name)
{
	if (ret) {
		fprintf(stderr, "dmtool: %s %s: %s\n", what, name,
			strerror(-ret));
		exit(1);
	}
}

/* Create @name if it does not exist, load the table, resume, make @node. */
static void setup(const char *name, const char *node, const char *type,
		  uint64_t sectors, const char *params)
{
	struct dmio_target t = { 0, sectors, type, params };
	uint64_t dev = 0;
	int ret = dmio_call(DM_DEV_CREATE, name, 0, NULL, 0, NULL, &dev);

	if (ret == -EBUSY) /* exists: reload */
		ret = dmio_call(DM_DEV_STATUS, name, 0, NULL, 0, NULL, &dev);
	must(ret, "create", name);
	must(dmio_table(name, &t, 1), "load table of", name);
	unlink(node);
	if (mknod(node, S_IFBLK | 0600, makedev(major(dev), minor(dev)))) {
		perror(node);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	char params[256], a[32], b[32];
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "linear") && argc == 5) {
		snprintf(params, sizeof(params), "%s 0",
			 devno(argv[4], a, sizeof(a)));
		setup(argv[2], argv[3], "linear", sectors_of(argv[4]), params);
	} else if (!strcmp(cmd, "concat") && argc == 6) {
		char p2[256];
		uint64_t n1 = sectors_of(argv[4]), n2 = sectors_of(argv[5]);
		struct dmio_target t[2] = {
			{ 0, n1, "linear", params },
			{ n1, n2, "linear", p2 },
		};
		uint64_t dev = 0;

		snprintf(params, sizeof(params), "%s 0",
			 devno(argv[4], a, sizeof(a)));
		snprintf(p2, sizeof(p2), "%s 0", devno(argv[5], b, sizeof(b)));
		must(dmio_call(DM_DEV_CREATE, argv[2], 0, NULL, 0, NULL, &dev),
		     "create", argv[2]);
		must(dmio_table(argv[2], t, 2), "load table of", argv[2]);
		unlink(argv[3]);
		if (mknod(argv[3], S_IFBLK | 0600,
			  makedev(major(dev), minor(dev)))) {
			perror(argv[3]);
			return 1;
		}
	} else if (!strcmp(cmd, "slice") && argc == 7) {
		uint64_t start = strtoull(argv[5], NULL, 0);
		uint64_t n = strtoull(argv[6], NULL, 0);

		if (!n || start + n > sectors_of(argv[4])) {
			fprintf(stderr, "dmtool: [%s, +%s) is not inside %s\n",
				argv[5], argv[6], argv[4]);
			return 1;
		}
		snprintf(params, sizeof(params), "%s %llu",
			 devno(argv[4], a, sizeof(a)),
			 (unsigned long long)start);
		setup(argv[2], argv[3], "linear", n, params);
	} else if (!strcmp(cmd, "logwrites") && argc == 6) {
		snprintf(params, sizeof(params), "%s %s",
			 devno(argv[4], a, sizeof(a)),
			 devno(argv[5], b, sizeof(b)));
		setup(argv[2], argv[3], "log-writes", sectors_of(argv[4]),
		      params);
	} else if (!strcmp(cmd, "error") && argc == 4) {
		struct dmio_target t = { 0, sectors_of(argv[3]), "error", "" };

		must(dmio_table(argv[2], &t, 1), "error table for", argv[2]);
	} else if (!strcmp(cmd, "error-from") && argc == 5) {
		uint64_t all = sectors_of(argv[3]), from = strtoull(argv[4], NULL, 0);
		struct dmio_target t[2] = {
			{ 0, from, "linear", params },
			{ from, all - from, "error", "" },
		};

		if (!from || from >= all) {
			fprintf(stderr, "dmtool: sector %s is not inside %s\n",
				argv[4], argv[3]);
			return 1;
		}
		snprintf(params, sizeof(params), "%s 0",
			 devno(argv[3], a, sizeof(a)));
		must(dmio_table(argv[2], t, 2), "error table for", argv[2]);
	} else if (!strcmp(cmd, "mark") && argc == 4) {
		snprintf(params, sizeof(params), "mark %s", argv[3]);
		must(dmio_message(argv[2], params), "mark", argv[2]);
	} else if (!strcmp(cmd, "remove") && argc == 4) {
		int ret = -EBUSY;

		/* The last close of a claimed device may be a moment late. */
		for (int i = 0; i < 50 && ret == -EBUSY; i++) {
			ret = dmio_call(DM_DEV_REMOVE, argv[2], 0, NULL, 0,
					NULL, NULL);
			if (ret == -EBUSY)
				usleep(100 * 1000);
		}
		must(ret, "remove", argv[2]);
		unlink(argv[3]);
	} else {
		fprintf(stderr,
			"usage: dmtool linear NAME NODE DEV | concat NAME NODE DEV1 DEV2 |\n"
			"       slice NAME NODE DEV START N | logwrites NAME NODE DEV LOG |\n"
			"       error NAME NODE | error-from NAME DEV SECTOR |\n"
			"       mark NAME TEXT | remove NAME NODE\n");
		return 2;
	}
	return 0;
}
