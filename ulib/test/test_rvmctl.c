// SPDX-License-Identifier: GPL-2.0-only
/*
 * rvmctl's conventions, on regular files (no module needed): --version and
 * --help on every command; check's fsck exit statuses (0 clean or empty,
 * 1 torn tail, 4 damage in mid-log with the count of records it loses, 8
 * not a volume or unreadable); format refusing a file system, a partition
 * table or an rvm volume without --force; --json output.
 */
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rvm_test.h"
#include "rvm/volume.h"

static char rvmctl[600], out[1 << 16];

/* Run "rvmctl ARGS"; its stdout and stderr in out[]; its exit status. */
static int run(const char *fmt, ...)
{
	char args[1024], cmd[2048];
	va_list ap;
	FILE *f;
	size_t n;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", rvmctl, args);
	f = popen(cmd, "r");
	if (!f)
		abort();
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool has(const char *sub)
{
	return strstr(out, sub) != NULL;
}

static void mkfile(const char *path, u64 size)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);

	if (fd < 0 || ftruncate(fd, size))
		abort();
	close(fd);
}

static void poke(const char *path, u64 off, const void *buf, size_t len)
{
	int fd = open(path, O_RDWR);

	if (fd < 0 || pwrite(fd, buf, len, off) != (ssize_t)len)
		abort();
	close(fd);
}

static void test_version_help(void)
{
	static const char *const cmds[] = { "format", "dump", "check", "attach",
					    "detach", "status", "version", "help" };
	char want[64];
	unsigned int i;

	t_begin("rvmctl --version shows the release of VERSION");
	snprintf(want, sizeof(want), "rvmctl %s (librvm %s)", RVM_RELEASE, RVM_RELEASE);
	t_eq(run("--version"), 0);
	t_check(has(want), "got '%s', want '%s'", out, want);
	t_end();

	t_begin("rvmctl COMMAND --help: usage and help on stdout, exit 0");
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		t_eq(run("%s --help", cmds[i]), 0);
		t_check(!strncmp(out, "usage: rvmctl ", 14) && strlen(out) > 40,
			"%s --help: '%s'", cmds[i], out);
	}
	t_eq(run("check %s --help", t_path("missing")), 0);
	t_check(has("fsck"), "check --help tells the exit statuses: %s", out);
	t_end();
}

/* A volume file holding 30 records, record @tear (-1: none) torn. */
static void make_log(const char *f, int tear)
{
	static struct t_vol m;
	struct rvm_disk_super sb;
	struct rvm_vol *vol;
	int i;

	mkfile(f, 2 << 20);
	t_eq(run("format %s --log-size 256K", f), 0);
	t_eq(rvm_vol_open(f, RVM_VOL_RDONLY, &vol), 0);
	t_eq(rvm_vol_read_super(vol, &sb), 0);
	rvm_vol_close(vol);
	t_vol_init(&m, le64_to_cpu(sb.log_blocks), le64_to_cpu(sb.data_blocks), 0, 1);
	t_vol_use_super(&m, &sb);
	for (i = 0; i < 30; i++)
		t_vol_append_random(&m, 3, 3000);
	if (tear >= 0)
		t_vol_tear(&m, tear);
	poke(f, m.g.log_off, m.dev.img + m.g.log_off, m.g.log_size);
	t_vol_free(&m);
}

static void test_check(void)
{
	const char *f = t_path("check.img");

	t_begin("check: a freshly formatted log is empty, exit 0");
	mkfile(f, 2 << 20);
	t_eq(run("format %s", f), 0);
	t_eq(run("check %s", f), 0);
	t_check(has("the log is empty") && !has("bad magic"), "%s", out);
	t_eq(run("check --json %s", f), 0);
	t_check(has("\"state\":\"empty\"") && has("\"exit\":0"), "%s", out);
	t_end();

	t_begin("check: 30 intact records, exit 0");
	make_log(f, -1);
	t_eq(run("check %s", f), 0);
	t_check(has("recovery would replay 30 records"), "%s", out);
	t_end();

	t_begin("check: a torn last record is a torn tail, exit 1");
	make_log(f, 29);
	t_eq(run("check %s", f), 1);
	t_check(has("torn tail") && has("replay 29 records"), "%s", out);
	t_check(!has("not replayed"), "%s", out);
	t_end();

	t_begin("check: damage in mid-log counts what it loses, exit 4");
	make_log(f, 25);
	t_eq(run("check %s", f), 4);
	t_check(has("4 valid records after the damage at lsn") &&
		has("were not replayed") && has("replay 25 records"), "%s", out);
	t_eq(run("check --json %s", f), 4);
	t_check(has("\"state\":\"damaged\"") && has("\"not_replayed\":4") &&
		has("\"records\":25"), "%s", out);
	t_end();

	t_begin("check: not a volume, or no such file: exit 8");
	mkfile(f, 2 << 20);
	t_eq(run("check %s", f), 8);
	t_eq(run("check %s", t_path("missing")), 8);
	t_eq(run("check"), 2);
	t_end();
	unlink(f);
}

static void test_format_refuses(void)
{
	const char *f = t_path("fmt.img");
	u8 mbr[512] = { 0 };
	struct stat st;

	t_begin("format refuses an ext4 file system unless --force");
	mkfile(f, 8 << 20);
	{
		char cmd[1024];

		snprintf(cmd, sizeof(cmd),
			 "PATH=$PATH:/sbin:/usr/sbin mkfs.ext4 -q -F %s >/dev/null 2>&1", f);
		t_check(system(cmd) == 0, "mkfs.ext4 failed (e2fsprogs is essential)");
	}
	t_eq(run("format %s", f), 1);
	t_check(has("ext4") && has("--force"), "%s", out);
	t_eq(run("check %s", f), 8);	/* untouched: still no rvm volume */
	t_eq(run("format --force %s", f), 0);
	t_end();

	t_begin("format refuses an rvm volume unless --force");
	t_eq(run("format %s", f), 1);
	t_check(has("an rvm volume"), "%s", out);
	t_eq(run("format %s --force", f), 0);
	t_end();

	t_begin("format refuses a partition table unless --force");
	mkfile(f, 8 << 20);
	/* One Linux partition from sector 2048, and the boot signature. */
	mbr[446 + 4] = 0x83;
	mbr[446 + 8] = 0x00; mbr[446 + 9] = 0x08;	/* start LBA 2048 */
	mbr[446 + 12] = 0x00; mbr[446 + 13] = 0x20;	/* 8192 sectors */
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	poke(f, 0, mbr, sizeof(mbr));
	t_eq(run("format %s", f), 1);
	t_check(has("partition table"), "%s", out);
	t_eq(run("format --force %s", f), 0);
	t_eq(run("check %s", f), 0);
	t_end();

	t_begin("format of an all-zero file needs no --force");
	mkfile(f, 8 << 20);
	t_eq(run("format %s", f), 0);
	t_check(!stat(f, &st) && st.st_size == 8 << 20, "size");
	t_end();
	unlink(f);
}

static void test_dump_json(void)
{
	const char *f = t_path("dump.img");

	t_begin("dump --json: superblocks and every record");
	make_log(f, -1);
	t_eq(run("dump --json %s", f), 0);
	t_check(out[0] == '{' && has("\"superblocks\":[{\"valid\":true") &&
		has("\"txn_records\":30") && has("\"type\":\"txn\",\"seq\":30,"),
		"%.300s", out);
	t_end();
	unlink(f);
}

int main(void)
{
	char self[512];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return T_FAIL;
	self[n] = 0;
	snprintf(rvmctl, sizeof(rvmctl), "%s/../rvmctl", dirname(self));
	if (access(rvmctl, X_OK)) {
		fprintf(stderr, "%s not built\n", rvmctl);
		return T_FAIL;
	}
	if (!t_tmpdir("rvmctl"))
		return T_FAIL;
	test_version_help();
	test_check();
	test_format_refuses();
	test_dump_json();
	t_rmdir();
	return t_exit();
}
