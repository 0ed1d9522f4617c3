// SPDX-License-Identifier: GPL-2.0
/*
 * rvm_fuzz: a seeded, time-bounded fuzzer of rvm.ko, inside the test VM.
 *
 *   rvm_fuzz [--seed S] [--seconds N] [--only JOB] [--first K]
 *
 * Formats and attaches FZ_DEV, then runs jobs one after the other until
 * the time is up, each in a child process with a seed derived from S and
 * its number (job K of seed S is the same job every time: --first K
 * --only KIND replays it). The kinds take turns: ioctl, uring, slots,
 * mm, kill, volume (see the file of each); half of the jobs have a
 * partner job of another kind running beside them (not with --only, and
 * never beside volume, which works alone). After every job a canary
 * commit on FZ_DEV must succeed; a job that runs far past its time is a
 * hang. At the end FZ_DEV must detach cleanly, its log be empty and the
 * last canary be on the device. Prints the seed first and the ops of
 * each kind last; exit status 0, or 1 with "FINDING:" lines.
 */
#include <rvm/volume.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

static const struct {
	const char *name;
	int (*fn)(const struct fz_job_ctx *c);
} jobs[] = {
	{ "ioctl", fz_job_ioctl }, { "uring", fz_job_uring },
	{ "slots", fz_job_slots }, { "mm", fz_job_mm },
	{ "kill", fz_job_kill },   { "volume", fz_job_volume },
};

#define NJOBS (int)(sizeof(jobs) / sizeof(jobs[0]))

static int ctl = -1;
static unsigned char *canary;

/* Commit @v into the canary page, flushed. 0 or -errno. */
static int canary_commit(uint64_t v)
{
	uint64_t tid;
	int ret = fz_begin(ctl, RVM_TXN_NO_RESTORE, &tid, NULL);

	if (ret)
		return ret;
	ret = fz_range(ctl, tid, canary, sizeof(v));
	if (!ret) {
		memcpy(canary, &v, sizeof(v));
		ret = fz_end(ctl, tid, RVM_END_FLUSH);
	}
	return ret;
}

static pid_t start_job(int j, int k, uint64_t seed, double secs,
		       const char *role)
{
	struct fz_job_ctx c = { seed, secs, 0 };
	pid_t pid;

	printf("job %d%s: %s, seed %#llx, %.1f s\n", j, role, jobs[k].name,
	       (unsigned long long)seed, secs);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		munmap(canary, FZ_PG);
		close(ctl);
		_exit(jobs[k].fn(&c) ? 1 : 0);
	}
	return pid;
}

/* Wait for the job in @pid; 0, or 1 for a finding (a hang exits). */
static int wait_job(pid_t pid, int j, int k, double deadline)
{
	int st;

	if (pid < 0)
		return 1;
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (fz_now() > deadline) {
			kill(pid, SIGKILL);
			if (fz_now() > deadline + 30) {
				fz_finding(
					"job %d (%s) hangs: not gone 30 s after SIGKILL",
					j, jobs[k].name);
				exit(1);
			}
		}
		usleep(20000);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFSIGNALED(st))
		fz_finding("job %d (%s) died of signal %d", j, jobs[k].name,
			   WTERMSIG(st));
	else
		fz_finding("job %d (%s) exited %d", j, jobs[k].name,
			   WEXITSTATUS(st));
	return 1;
}

/*
 * Run job @j of kind @k, and half the time a partner job of another kind
 * (not volume, which works alone on its own disks) beside it: several
 * processes at once. 0, or the number of findings.
 */
static int run_job(int j, int k, struct fz_rng *r, double secs, bool alone)
{
	double deadline = fz_now() + secs + 60;
	int pk = fz_below(r, NJOBS - 1), n;
	uint64_t seed = fz_next(r), pseed = fz_next(r);
	bool partner = !alone && k != NJOBS - 1 && fz_one_in(r, 2);
	pid_t pid, ppid = 0;

	pid = start_job(j, k, seed, secs, "");
	if (partner)
		ppid = start_job(j, pk, pseed, secs, " (partner)");
	n = wait_job(pid, j, k, deadline);
	if (partner)
		n += wait_job(ppid, j, pk, deadline);
	return n;
}

/* After detach: the log empty, the last canary on the device. */
static int check_detached(uint64_t last)
{
	struct rvm_recovery_stats st;
	struct rvm_disk_super sb;
	struct rvm_vol *v;
	uint64_t got = 0;
	int ret, f;

	ret = rvm_vol_open(FZ_DEV, RVM_VOL_RDONLY, &v);
	if (!ret)
		ret = rvm_vol_read_super(v, &sb);
	if (ret >= 0)
		ret = rvm_vol_check(v, &st);
	if (ret < 0) {
		fz_finding("offline check of %s after detach: %s", FZ_DEV,
			   rvm_vol_last_error());
		return 1;
	}
	rvm_vol_close(v);
	if (st.records || !(le32_to_cpu(sb.flags) & RVM_SB_CLEAN)) {
		fz_finding(
			"%s after detach: %llu records in the log, flags %#x",
			FZ_DEV, (unsigned long long)st.records,
			le32_to_cpu(sb.flags));
		return 1;
	}
	f = open(FZ_DEV, O_RDONLY | O_CLOEXEC);
	if (f < 0 ||
	    pread(f, &got, sizeof(got),
		  le64_to_cpu(sb.data_start) * RVM_BLOCK_SIZE +
			  FZ_CANARY_OFF) != sizeof(got) ||
	    got != last) {
		fz_finding("%s after detach: canary %llu, last committed %llu",
			   FZ_DEV, (unsigned long long)got,
			   (unsigned long long)last);
		return 1;
	}
	close(f);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t seed = (uint64_t)time(NULL);
	double seconds = 60, t0, end;
	int only = -1, first = 0, j, k, ret, findings = 0;
	uint64_t last = 0; /* the last canary committed */
	struct fz_rng r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			seconds = atof(argv[++i]);
		} else if (!strcmp(argv[i], "--first") && i + 1 < argc) {
			first = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			for (only = NJOBS - 1; only >= 0; only--)
				if (!strcmp(jobs[only].name, argv[i + 1]))
					break;
			i++;
			if (only < 0) {
				fprintf(stderr, "rvm_fuzz: no job %s\n",
					argv[i]);
				return 2;
			}
		} else {
			fprintf(stderr,
				"usage: rvm_fuzz [--seed S] [--seconds N] [--only ioctl|uring|slots|mm|kill|volume] [--first K]\n");
			return 2;
		}
	}
	printf("rvm_fuzz: seed %llu, %.0f s\n", (unsigned long long)seed,
	       seconds);
	fz_count = mmap(NULL, FZ_PG, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fz_count == MAP_FAILED)
		return 1;
	/* The unprivileged user may open /dev/rvm (not the disks). */
	chmod("/dev/rvm", 0666);
	signal(SIGPIPE, SIG_IGN);

	fz_detach(FZ_DEV);
	if (rvm_vol_format(FZ_DEV, 4 << 20, 0) || fz_attach(FZ_DEV, NULL)) {
		fz_finding("cannot format and attach %s: %s", FZ_DEV,
			   rvm_vol_last_error());
		return 1;
	}
	ctl = fz_map(FZ_DEV, FZ_CANARY_OFF, FZ_PG, &canary);
	if (ctl < 0 || canary_commit(0)) {
		fz_finding("cannot map and commit on %s", FZ_DEV);
		return 1;
	}

	t0 = fz_now();
	end = t0 + seconds;
	for (j = first; fz_now() < end; j++) {
		double left = end - fz_now();
		double secs;

		fz_seed(&r, seed ^ ((uint64_t)j * 0x9E3779B97F4A7C15ULL));
		k = only >= 0 ? only : j % NJOBS;
		secs = 1 + fz_below(&r, 4);
		if (secs > left)
			secs = left < 0.5 ? 0.5 : left;
		findings += run_job(j, k, &r, secs, only >= 0);
		ret = canary_commit(j + 1);
		if (!ret)
			last = j + 1;
		if (ret) {
			fz_finding("after job %d (%s): canary commit: %d", j,
				   jobs[k].name, ret);
			findings++;
			break;
		}
		if (only >= 0 && findings)
			break;
	}

	munmap(canary, FZ_PG);
	close(ctl);
	ret = fz_detach(FZ_DEV);
	if (ret) {
		fz_finding("%s does not detach at the end: %d", FZ_DEV, ret);
		findings++;
	} else if (check_detached(last)) {
		findings++;
	}

	printf("rvm_fuzz: seed %llu: %d jobs in %.0f s, %d findings\n",
	       (unsigned long long)seed, j - first, fz_now() - t0, findings);
	for (k = 0; k < FZ_NOPS; k++)
		printf("  %-32s %llu\n", fz_op_names[k], fz_count[k]);
	return findings ? 1 : 0;
}
