/*
 * main.c - the tidings command line: parse arguments, call one module
 * function per subcommand. Only this file exits the process.
 *
 * Exit status: 0 success, 1 runtime error, 2 usage error. Errors go to
 * stderr as one line: "tidings: parse: feed.xml:12:5: undefined entity".
 */
#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/time.h"
#include "core/url.h"
#include "core/version.h"
#include "feed/feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: tidings [--config F] [--db F] COMMAND [ARGS]\n"
	"\n"
	"commands:\n"
	"  serve    [--listen ADDR:PORT]             web site + scheduler\n"
	"  fetch    [--source ID|URL] [--force]      one fetch round, then exit\n"
	"  add URL  [--mode feed|extract|summary|auto] [--tag T]  add a source\n"
	"  remove ID|URL                             remove a source\n"
	"  sources  [--json]                         list sources\n"
	"  import FILE.opml                          add sources from OPML\n"
	"  export                                    OPML 2.0 on stdout\n"
	"  parse    [--base-url URL] [--charset CS] FILE|-   JSON Feed on stdout\n"
	"  version                                   print the version\n"
	"\n"
	"Run 'tidings COMMAND --help' for a command's options.\n";

static int usage_error(const char *cmd, const char *msg)
{
	fprintf(stderr, "tidings: %s%s%s\n", cmd ? cmd : "", cmd ? ": " : "",
		msg);
	fprintf(stderr, "Try 'tidings %s--help'.\n", cmd ? "COMMAND " : "");
	return EXIT_USAGE;
}

/* ---- parse ---- */

static int cmd_parse(int argc, char **argv)
{
	const char *base = NULL, *charset = NULL, *file = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help")) {
			printf("usage: tidings parse [--base-url URL] "
			       "[--charset CS] FILE|-\n"
			       "Parse a feed and print it as JSON Feed 1.1.\n");
			return 0;
		} else if (!strcmp(argv[i], "--base-url") && i + 1 < argc)
			base = argv[++i];
		else if (!strcmp(argv[i], "--charset") && i + 1 < argc)
			charset = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1])
			return usage_error("parse", "unknown option");
		else if (file)
			return usage_error("parse", "one FILE only");
		else
			file = argv[i];
	}
	if (!file)
		return usage_error("parse", "FILE or - required");

	struct td_error err = { 0 };
	char *data = NULL;
	size_t len = 0;
	int rc = td_read_file(file, TD_MAX_PARSE_BYTES, &data, &len, &err);
	if (rc) {
		fprintf(stderr, "tidings: parse: %s\n", err.msg);
		return EXIT_RUNTIME;
	}
	char *fileurl = NULL;
	if (!base && strcmp(file, "-"))
		base = fileurl = td_url_from_path(file);
	struct feed_parse_opts opts = { .base_url = base, .http_charset = charset };
	struct feed *f = NULL;
	rc = feed_parse(data, len, &opts, &f, &err);
	free(data);
	free(fileurl);
	const char *name = strcmp(file, "-") ? file : "stdin";
	if (rc) {
		if (err.line)
			fprintf(stderr, "tidings: parse: %s:%d:%d: %s\n", name,
				err.line, err.col, err.msg);
		else
			fprintf(stderr, "tidings: parse: %s: %s\n", name,
				err.msg[0] ? err.msg : td_strerror(rc));
		return EXIT_RUNTIME;
	}
	if (f->n_warnings) {
		if (f->warning_line)
			fprintf(stderr,
				"tidings: parse: %s:%d:%d: %s (recovered; %zu "
				"problem%s)\n",
				name, f->warning_line, f->warning_col,
				f->warning, f->n_warnings,
				f->n_warnings == 1 ? "" : "s");
		else
			fprintf(stderr,
				"tidings: parse: %s: %s (recovered; %zu "
				"problem%s)\n",
				name, f->warning, f->n_warnings,
				f->n_warnings == 1 ? "" : "s");
	}
	struct td_buf out;
	td_buf_init(&out, 0);
	rc = feed_to_jsonfeed(f, &out);
	feed_free(f);
	if (rc) {
		td_buf_release(&out);
		fprintf(stderr, "tidings: parse: %s\n", td_strerror(rc));
		return EXIT_RUNTIME;
	}
	fwrite(out.p, 1, out.len, stdout);
	td_buf_release(&out);
	return fflush(stdout) ? EXIT_RUNTIME : 0;
}

/* ---- dispatch ---- */

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("tidings %s\n", TD_VERSION);
	return 0;
}

static const struct command commands[] = {
	{ "parse", cmd_parse },
	{ "version", cmd_version },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			return cmd_version(0, NULL);
		} else if ((!strcmp(argv[i], "--db") ||
			    !strcmp(argv[i], "--config")) &&
			   i + 1 < argc) {
			i++;
		} else
			break;
	}
	if (i >= argc) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(argv[i], c->name))
			return c->fn(argc - i, argv + i);
	fprintf(stderr, "tidings: unknown command '%s'\n", argv[i]);
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}
