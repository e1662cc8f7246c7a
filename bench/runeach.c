/*
 * runeach.c - run one command per input file, one after another, and report
 * the wall time, the CPU time and the peak memory of those processes
 * (bench/parse.sh builds it with cc; not part of tidings).
 *
 *   runeach [-i] [-o DIR] [-e FILE] LIST -- CMD [ARG...]
 *
 * LIST holds one file path per line. For each, CMD runs with every "{}"
 * argument replaced by the path (or, with -i, with the file on stdin).
 * stdout goes to /dev/null (-o: to DIR/<basename>.out); stderr goes to
 * /dev/null (-e: appended to FILE). Processes are started with posix_spawn
 * and reaped with wait4, which is where the CPU times and the max resident
 * set size (the number /usr/bin/time -f %M prints) come from.
 *
 * Prints one line of key=value pairs:
 *   files=N failed=F wall=S user=S sys=S maxrss_kb=K maxrss_file=PATH
 * Exit status 0 unless runeach itself failed; failed counts the commands
 * that exited non-zero or died from a signal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILES 1000000
#define MAX_ARGS 64

extern char **environ;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

static int usage(void)
{
	fprintf(stderr, "usage: runeach [-i] [-o DIR] [-e FILE] LIST -- CMD [ARG...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	int use_stdin = 0;
	const char *outdir = NULL, *errfile = "/dev/null";
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-i"))
			use_stdin = 1;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			outdir = argv[++i];
		else if (!strcmp(argv[i], "-e") && i + 1 < argc)
			errfile = argv[++i];
		else
			return usage();
	}
	if (i + 2 >= argc || strcmp(argv[i + 1], "--"))
		return usage();
	const char *list = argv[i];
	char **cmd = argv + i + 2;
	int ncmd = argc - (i + 2);
	if (ncmd >= MAX_ARGS)
		return usage();

	FILE *lf = fopen(list, "r");
	if (!lf) {
		fprintf(stderr, "runeach: %s: %s\n", list, strerror(errno));
		return 1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long files = 0, failed = 0, maxrss = 0;
	char maxfile[4096] = "";
	char outpath[4096];
	double t0 = now();
	while ((len = getline(&line, &cap, lf)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = 0;
		if (!len)
			continue;
		if (++files > MAX_FILES)
			break;
		char *args[MAX_ARGS + 1];
		for (int k = 0; k < ncmd; k++)
			args[k] = strcmp(cmd[k], "{}") ? cmd[k] : line;
		args[ncmd] = NULL;

		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		if (use_stdin)
			posix_spawn_file_actions_addopen(&fa, 0, line, O_RDONLY, 0);
		if (outdir) {
			const char *base = strrchr(line, '/');
			snprintf(outpath, sizeof outpath, "%s/%s.out", outdir, base ? base + 1 : line);
			posix_spawn_file_actions_addopen(&fa, 1, outpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		} else {
			posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		}
		posix_spawn_file_actions_addopen(&fa, 2, errfile, O_WRONLY | O_CREAT | O_APPEND, 0644);
		pid_t pid;
		int rc = posix_spawnp(&pid, args[0], &fa, NULL, args, environ);
		posix_spawn_file_actions_destroy(&fa);
		if (rc) {
			fprintf(stderr, "runeach: %s: %s\n", args[0], strerror(rc));
			fclose(lf);
			free(line);
			return 1;
		}
		int status;
		struct rusage ru;
		if (wait4(pid, &status, 0, &ru) < 0) {
			fprintf(stderr, "runeach: wait4: %s\n", strerror(errno));
			fclose(lf);
			free(line);
			return 1;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
		if (ru.ru_maxrss > maxrss) {
			maxrss = ru.ru_maxrss;
			snprintf(maxfile, sizeof maxfile, "%s", line);
		}
	}
	double wall = now() - t0;
	fclose(lf);
	free(line);
	struct rusage ch;
	getrusage(RUSAGE_CHILDREN, &ch);
	printf("files=%ld failed=%ld wall=%.3f user=%.3f sys=%.3f maxrss_kb=%ld maxrss_file=%s\n",
	       files, failed, wall, tv(ch.ru_utime), tv(ch.ru_stime), maxrss,
	       maxfile[0] ? maxfile : "-");
	return 0;
}
