/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvmctl.h: what the files of rvmctl share, private to the tool: a
 * command's table entry, the commands, and the helpers used by more than
 * one file.
 */
#ifndef RVMCTL_H
#define RVMCTL_H

#include "rvm/volume.h"

#define EXIT_USAGE	2

struct rvmctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;	/* arguments, after the name */
	const char *help;	/* one paragraph */
};

/* rvmctl.c: the command table, help and usage, common helpers. */
const struct rvmctl_cmd *rvmctl_find(const char *name);
int rvmctl_usage(const struct rvmctl_cmd *c);
void rvmctl_help(const struct rvmctl_cmd *c);
const char *human(u64 bytes, char *buf, size_t len);

/* offline.c: the device itself, through <rvm/volume.h>. */
int cmd_format(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_check(int argc, char **argv);

/* online.c: rvm.ko, through /dev/rvm. */
int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_segment(int argc, char **argv);
int cmd_version(int argc, char **argv);
void note_if_attached(const char *cmd, const char *dev);

#endif
