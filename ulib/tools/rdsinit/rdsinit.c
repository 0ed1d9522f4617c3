// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * rdsinit: make a data segment holding an RDS heap and a static region
 * (rds_zap_heap()), with the original tool's three ways of calling it:
 *
 *	rdsinit LOG DATA_SEG
 *		asks for every parameter, then for confirmation
 *	rdsinit LOG DATA_SEG DATALEN SADDR HLEN SLEN NL CHUNK
 *		takes them on the command line, asks for confirmation
 *	rdsinit -f LOG DATA_SEG DATALEN SADDR HLEN SLEN NL CHUNK
 *		(firm) does not ask
 *
 * LOG is an existing RVM log (rvm_create_log()); DATA_SEG the data
 * segment, as rvm_map() takes it. Numbers may be decimal, 0x hex or 0
 * octal. See rdsinit(1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rvm/rds.h>

struct params {
	unsigned long datalen;
	unsigned long saddr;
	unsigned long hlen;
	unsigned long slen;
	unsigned long nl;
	unsigned long chunk;
};

static const char *const names[] = {
	"length of the data segment (0: the file's size)",
	"address the heap is mapped at (hex)",
	"length of the heap",
	"length of the static region",
	"number of free lists",
	"chunk size",
};

static void usage(void)
{
	fprintf(stderr,
		"usage: rdsinit LOG DATA_SEG\n"
		"       rdsinit LOG DATA_SEG DATALEN SADDR HLEN SLEN NL CHUNK\n"
		"       rdsinit -f LOG DATA_SEG DATALEN SADDR HLEN SLEN NL CHUNK\n");
	exit(2);
}

static int number(const char *s, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	return errno || end == s || *end || s[0] == '-' ? -1 : 0;
}

static unsigned long *field(struct params *p, int i)
{
	unsigned long *f[] = { &p->datalen, &p->saddr, &p->hlen, &p->slen,
			       &p->nl, &p->chunk };

	return f[i];
}

/* Read a line from stdin; NULL at end of input. */
static char *ask(const char *prompt, char *buf, size_t len)
{
	printf("%s", prompt);
	fflush(stdout);
	if (!fgets(buf, (int)len, stdin))
		return NULL;
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static void interactive(struct params *p)
{
	char buf[128], prompt[160];
	int i;

	for (i = 0; i < 6; i++) {
		for (;;) {
			snprintf(prompt, sizeof(prompt), "%s: ", names[i]);
			if (!ask(prompt, buf, sizeof(buf))) {
				fprintf(stderr, "rdsinit: end of input\n");
				exit(1);
			}
			if (!number(buf, field(p, i)))
				break;
			printf("not a number: %s\n", buf);
		}
	}
}

static int confirm(void)
{
	char buf[32];

	if (!ask("Create this segment and heap? (y/n) ", buf, sizeof(buf)))
		return 0;
	return buf[0] == 'y' || buf[0] == 'Y';
}

int main(int argc, char **argv)
{
	struct params p;
	rvm_options_t *opts;
	rvm_return_t ret;
	int firm = 0, i, err;
	char *log, *seg;

	if (argc > 1 && !strcmp(argv[1], "-f")) {
		firm = 1;
		argv++;
		argc--;
	}
	if (argc != 3 && argc != 9)
		usage();
	if (firm && argc != 9)
		usage();
	log = argv[1];
	seg = argv[2];
	memset(&p, 0, sizeof(p));
	if (argc == 9) {
		for (i = 0; i < 6; i++) {
			if (number(argv[3 + i], field(&p, i))) {
				fprintf(stderr, "rdsinit: %s: not a number: %s\n",
					names[i], argv[3 + i]);
				return 2;
			}
		}
	} else {
		interactive(&p);
	}

	printf("log %s, data segment %s\n"
	       "  segment length %lu, heap at 0x%lx, heap length %lu,\n"
	       "  static length %lu, %lu free lists, chunk size %lu\n",
	       log, seg, p.datalen, p.saddr, p.hlen, p.slen, p.nl, p.chunk);
	if (!firm && !confirm()) {
		printf("rdsinit: nothing done\n");
		return 1;
	}

	opts = rvm_malloc_options();
	if (!opts)
		return 1;
	opts->log_dev = log;
	ret = RVM_INIT(opts);
	if (ret) {
		fprintf(stderr, "rdsinit: rvm_initialize(%s): %s\n", log,
			rvm_return(ret));
		return 1;
	}
	rds_zap_heap(seg, RVM_MK_OFFSET(0, p.datalen), (char *)p.saddr, p.slen,
		     p.hlen, p.nl, p.chunk, &err);
	if (err) {
		if (err > 0)
			fprintf(stderr, "rdsinit: rds_zap_heap: %s\n",
				rvm_return(err));
		else
			fprintf(stderr, "rdsinit: rds_zap_heap: error %d\n",
				err);
		rvm_terminate();
		return 1;
	}
	ret = rvm_terminate();
	if (ret) {
		fprintf(stderr, "rdsinit: rvm_terminate: %s\n", rvm_return(ret));
		return 1;
	}
	printf("rdsinit: heap created\n");
	rvm_free_options(opts);
	return 0;
}
