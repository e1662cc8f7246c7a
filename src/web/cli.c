/*
 * cli.c - the `tidings serve` subcommand: options to struct web_opts.
 */
#include "web/web.h"

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"

#include <stdio.h>
#include <string.h>

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

static const char help[] =
	"usage: tidings serve [--listen ADDR:PORT] [--threads N] "
	"[--cache-mb N] [--no-fetch]\n"
	"Run the news site and the fetch scheduler until SIGINT or SIGTERM.\n"
	"  --listen ADDR:PORT  address to listen on (default: the listen "
	"setting,\n"
	"                      127.0.0.1:8080); port 0 picks a free port\n"
	"  --threads N         HTTP worker threads (default: one per core)\n"
	"  --cache-mb N        page cache size in MiB (default 16)\n"
	"  --no-fetch          serve only; do not fetch sources\n"
	"Prints \"listening on http://HOST:PORT\" once ready.\n";

static int usage(const char *msg)
{
	fprintf(stderr, "tidings: serve: %s\nTry 'tidings serve --help'.\n",
		msg);
	return EXIT_USAGE;
}

/* The integer value of option argv[*i], within [lo, hi]. */
static int int_opt(int argc, char **argv, int *i, int64_t lo, int64_t hi,
		   int64_t *v)
{
	if (*i + 1 >= argc || td_parse_i64(argv[*i + 1], v) || *v < lo ||
	    *v > hi)
		return -1;
	++*i;
	return 0;
}

int web_cmd_serve(int argc, char **argv, const struct td_config *cfg)
{
	struct web_opts o;
	memset(&o, 0, sizeof o);
	o.config = cfg;
	o.db = cfg ? cfg->db : NULL;
	o.listen = cfg && cfg->listen && *cfg->listen ? cfg->listen
						      : "127.0.0.1:8080";
	for (int i = 1; i < argc; i++) {
		int64_t v;
		if (!strcmp(argv[i], "--help")) {
			fputs(help, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--listen")) {
			if (i + 1 >= argc)
				return usage("--listen needs ADDR:PORT");
			o.listen = argv[++i];
		} else if (!strcmp(argv[i], "--threads")) {
			if (int_opt(argc, argv, &i, 1, 256, &v))
				return usage("--threads takes 1 to 256");
			o.threads = (int)v;
		} else if (!strcmp(argv[i], "--cache-mb")) {
			if (int_opt(argc, argv, &i, 1, 65536, &v))
				return usage("--cache-mb takes 1 to 65536");
			o.cache_bytes = (size_t)v * 1024 * 1024;
		} else if (!strcmp(argv[i], "--no-fetch")) {
			o.no_fetch = 1;
		} else
			return usage("unknown argument");
	}
	struct td_error err = { 0 };
	int rc = web_serve(&o, &err);
	if (rc) {
		fprintf(stderr, "tidings: serve: %s\n",
			err.msg[0] ? err.msg : td_strerror(rc));
		return rc == TD_EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
	}
	return 0;
}
