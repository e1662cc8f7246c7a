/*
 * web.h - the public site: `tidings serve`.
 *
 * One process runs the HTTP server (libmicrohttpd, loaded on first use,
 * with its internal thread pool), the fetch scheduler (one ingest thread
 * that owns the writer connection and calls news_fetch_round when sources
 * are due) and the view-count flusher. Pages are rendered by handlers (see
 * web_int.h), cached in memory with their gzipped bytes, and answered from
 * memory until new articles are committed; docs/web.md explains the design.
 *
 * Threads: web_serve runs on the calling thread until SIGINT or SIGTERM;
 * web_cache_invalidate may be called from any thread.
 */
#ifndef TD_WEB_H
#define TD_WEB_H

#include <stddef.h>
#include <stdint.h>

struct td_error;
struct td_config;

struct web_opts {
	const char *db;      /* database path (created and migrated if new) */
	const char *listen;  /* "ADDR:PORT", "[V6]:PORT", ":PORT" or "PORT";
				port 0 picks a free port */
	const struct td_config *config; /* site title, base URL, fetch limits;
					   NULL: defaults */
	int threads;         /* HTTP worker threads; 0: one per core */
	size_t cache_bytes;  /* page cache budget; 0: TD_WEB_CACHE_BYTES */
	int no_fetch;        /* 1: do not run the fetch scheduler */
	int flush_ms;        /* view-count flush period; 0: 5000 */
};

/* Run the site until SIGINT or SIGTERM, then shut down gracefully: stop
 * accepting, let in-flight requests finish, stop the scheduler after its
 * current round, write the pending view counts, checkpoint the database.
 * Prints "listening on http://HOST:PORT" on stdout (flushed) once requests
 * are accepted. Blocks SIGINT, SIGTERM and ignores SIGPIPE for the process.
 * Returns 0 after a clean shutdown, or a negative TD_E* code with err
 * filled when the site could not start (bad address, port in use, database
 * unreadable, libmicrohttpd missing). */
int web_serve(const struct web_opts *o, struct td_error *err);

/* Mark every cached page stale (the ingest side calls it after committing
 * new or changed articles). Lock-free; safe from any thread, any time,
 * with or without a running server. */
void web_cache_invalidate(void);

/* The `tidings serve` subcommand: parses its options (argv[0] is "serve"),
 * fills web_opts from cfg and the options, runs web_serve. Returns the
 * process exit status (0, 1 runtime error, 2 usage error) and prints
 * errors on stderr as one line. */
int web_cmd_serve(int argc, char **argv, const struct td_config *cfg);

#endif
