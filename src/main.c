/*
 * main.c - the tidings command line: parse arguments, call one module
 * function per subcommand. Only this file exits the process.
 *
 * Exit status: 0 success, 1 runtime error, 2 usage error. Errors go to
 * stderr as one line: "tidings: parse: feed.xml:12:5: undefined entity".
 */
#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/time.h"
#include "core/url.h"
#include "core/version.h"
#include "feed/feed.h"
#include "html/html.h"
#include "news/news.h"
#include "store/store.h"
#include "web/web.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: tidings [--config F] [--db F] COMMAND [ARGS]\n"
	"\n"
	"The site:\n"
	"  serve [--listen ADDR:PORT] [--threads N] [--cache-mb N] [--no-fetch]\n"
	"                                   web site + fetch scheduler\n"
	"\n"
	"Sources and fetching:\n"
	"  add URL|PATH [--mode auto|feed|extract|summary] [--tag T] [--title T]\n"
	"                                   add a source (finds the feed of a page)\n"
	"  remove ID|URL                    remove a source and its articles\n"
	"  sources [--json]                 list sources and their fetch state\n"
	"  fetch [--source ID|URL] [--force]  one fetch round, then exit\n"
	"  import FILE.opml                 add the sources an OPML file lists\n"
	"  export                           print the sources as OPML 2.0\n"
	"\n"
	"Articles:\n"
	"  search QUERY [--json] [--limit N]  full-text search\n"
	"  backup FILE                      copy the database (online)\n"
	"  reprocess [--extract]            redo bodies with the current sanitizer\n"
	"\n"
	"Tools (read a file or - for stdin, write to stdout):\n"
	"  parse [--base-url URL] [--charset CS] FILE   feed as JSON Feed 1.1\n"
	"  sanitize [--base-url URL] FILE   safe HTML fragment\n"
	"  extract [--url URL] FILE         main article of a page as JSON\n"
	"  version                          print the version\n"
	"\n"
	"Global options: --config F (default ./tidings.conf if present),\n"
	"--db F (default ./tidings.db). Run 'tidings COMMAND --help' for more.\n";

struct ctx {
	struct td_config cfg;
	const char *cmd;
	struct store *st;
};

static int fail(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(struct ctx *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "tidings: %s: %s\n", c->cmd, msg);
	return EXIT_RUNTIME;
}

static int usage(struct ctx *c, const char *msg)
{
	fprintf(stderr, "tidings: %s: %s\nTry 'tidings %s --help'.\n", c->cmd,
		msg, c->cmd);
	return EXIT_USAGE;
}

/* Option helpers: argv[*i] is the option; its value follows. */
static int opt_is(const char *a, const char *name)
{
	return !strcmp(a, name);
}

static const char *opt_val(struct ctx *c, int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "tidings: %s: %s needs a value\n", c->cmd,
			argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

static int open_store(struct ctx *c, int flags)
{
	struct td_error err = { 0 };
	if (store_open(c->cfg.db, flags, &c->st, &err))
		return fail(c, "%s: %s", c->cfg.db, err.msg);
	return 0;
}

static int read_input(struct ctx *c, const char *file, size_t max, char **data,
		      size_t *len)
{
	struct td_error err = { 0 };
	if (td_read_file(file, max, data, len, &err))
		return fail(c, "%s", err.msg);
	return 0;
}

static int write_out(struct td_buf *b)
{
	if (td_buf_err(b)) {
		fprintf(stderr, "tidings: %s\n", td_strerror(td_buf_err(b)));
		td_buf_release(b);
		return EXIT_RUNTIME;
	}
	fwrite(td_buf_cstr(b), 1, b->len, stdout);
	td_buf_release(b);
	return fflush(stdout) ? EXIT_RUNTIME : 0;
}

/* ---- parse / sanitize / extract: files in, stdout out ---- */

/* Arguments of a file command: FILE|- and options that take a value,
 * named in opts (NULL-terminated) with their values stored in vals.
 * Returns 0, EXIT_USAGE, or -1 when --help was printed. */
static int file_args(struct ctx *c, int argc, char **argv, const char *help,
		     const char *const *opts, const char **vals,
		     const char **file)
{
	*file = NULL;
	for (int i = 1; i < argc; i++) {
		int k = 0;
		while (opts[k] && !opt_is(argv[i], opts[k]))
			k++;
		if (opt_is(argv[i], "--help")) {
			fputs(help, stdout);
			return -1;
		} else if (opts[k]) {
			if (!(vals[k] = opt_val(c, argc, argv, &i)))
				return EXIT_USAGE;
		} else if (argv[i][0] == '-' && argv[i][1])
			return usage(c, "unknown option");
		else if (*file)
			return usage(c, "one FILE only");
		else
			*file = argv[i];
	}
	return *file ? 0 : usage(c, "FILE or - required");
}

/* The document to parse. A regular file is mapped (its page-cache pages are
 * the buffer: no copy, no fresh memory, which is most of what a process
 * per feed costs; a file cut short by someone else while we read it would
 * end the process with SIGBUS, as it would for any reader of a mapping);
 * stdin and other files are read. *mapped tells how to release it.
 * Returns 0 or EXIT_RUNTIME (message printed). */
static int parse_input(struct ctx *c, const char *file, char **data,
		       size_t *len, int *mapped)
{
	*mapped = 0;
	if (strcmp(file, "-")) {
		int fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return fail(c, "%s: %s", file, strerror(errno));
		struct stat st;
		void *p = MAP_FAILED;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
			if ((uintmax_t)st.st_size > TD_MAX_PARSE_BYTES) {
				close(fd);
				return fail(c, "%s: larger than %zu bytes", file,
					    (size_t)TD_MAX_PARSE_BYTES);
			}
			p = mmap(NULL, (size_t)st.st_size, PROT_READ,
				 MAP_PRIVATE | MAP_POPULATE, fd, 0);
		}
		close(fd);
		if (p != MAP_FAILED) {
			*data = p;
			*len = (size_t)st.st_size;
			*mapped = 1;
			return 0;
		}
	}
	return read_input(c, file, TD_MAX_PARSE_BYTES, data, len);
}

/* write(2) all of p[0..n) to fd. Returns 0 or -1 (errno set). */
static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int cmd_parse(struct ctx *c, int argc, char **argv)
{
	static const char *const opts[] = { "--base-url", "--charset", NULL };
	const char *vals[2] = { NULL, NULL }, *file;
	int r = file_args(c, argc, argv,
			  "usage: tidings parse [--base-url URL] [--charset CS] "
			  "FILE|-\nParse an RSS, Atom or JSON feed and print it "
			  "as JSON Feed 1.1.\n--charset gives the charset an "
			  "HTTP server would have sent.\n",
			  opts, vals, &file);
	if (r)
		return r < 0 ? 0 : r;
	const char *base = vals[0], *charset = vals[1];
	char *data = NULL;
	size_t len = 0;
	int mapped;
	if (parse_input(c, file, &data, &len, &mapped))
		return EXIT_RUNTIME;
	char *fileurl = NULL;
	if (!base && strcmp(file, "-"))
		base = fileurl = td_url_from_path(file);
	struct feed_parse_opts po = { .base_url = base, .http_charset = charset };
	struct feed *f = NULL;
	struct td_error err = { 0 };
	int rc = feed_parse(data, len, &po, &f, &err);
	if (mapped)
		munmap(data, len);
	else
		free(data);
	free(fileurl);
	const char *name = strcmp(file, "-") ? file : "stdin";
	if (rc) {
		if (err.line)
			return fail(c, "%s:%d:%d: %s", name, err.line, err.col,
				    err.msg);
		return fail(c, "%s: %s", name,
			    err.msg[0] ? err.msg : td_strerror(rc));
	}
	if (f->n_warnings) {
		const char *s = f->n_warnings == 1 ? "" : "s";
		if (f->warning_line)
			fprintf(stderr,
				"tidings: parse: %s:%d:%d: %s (recovered; %zu "
				"problem%s)\n",
				name, f->warning_line, f->warning_col,
				f->warning, f->n_warnings, s);
		else
			fprintf(stderr,
				"tidings: parse: %s: %s (recovered; %zu "
				"problem%s)\n",
				name, f->warning, f->n_warnings, s);
	}
	/* room for the usual output at once: growing by doubling would copy
	 * it and touch twice the memory */
	struct td_buf out;
	td_buf_init(&out, 0);
	td_buf_reserve(&out, len + len / 4 + 4096);
	td_buf_reset(&out);
	feed_to_jsonfeed(f, &out);
	feed_free(f);
	rc = td_buf_err(&out);
	if (rc)
		fail(c, "%s", td_strerror(rc));
	else if (write_all(STDOUT_FILENO, td_buf_cstr(&out), out.len))
		rc = fail(c, "stdout: %s", strerror(errno));
	td_buf_release(&out);
	return rc ? EXIT_RUNTIME : 0;
}

static int cmd_sanitize(struct ctx *c, int argc, char **argv)
{
	static const char *const opts[] = { "--base-url", NULL };
	const char *vals[1] = { NULL }, *file;
	int r = file_args(c, argc, argv,
			  "usage: tidings sanitize [--base-url URL] FILE|-\n"
			  "Print the safe HTML fragment that tidings would show "
			  "for an HTML fragment.\n",
			  opts, vals, &file);
	if (r)
		return r < 0 ? 0 : r;
	const char *base = vals[0];
	char *data = NULL;
	size_t len = 0;
	if (read_input(c, file, TD_MAX_PARSE_BYTES, &data, &len))
		return EXIT_RUNTIME;
	struct td_buf out;
	td_buf_init(&out, 0);
	int rc = html_sanitize(data, len, base, &out);
	free(data);
	if (rc) {
		td_buf_release(&out);
		return fail(c, "%s", td_strerror(rc));
	}
	return write_out(&out);
}

static int cmd_extract(struct ctx *c, int argc, char **argv)
{
	static const char *const opts[] = { "--url", NULL };
	const char *vals[1] = { NULL }, *file;
	int r = file_args(c, argc, argv,
			  "usage: tidings extract [--url URL] FILE|-\n"
			  "Find the main article of an HTML page and print it as "
			  "JSON {title, byline,\ndate_published, lead_image, "
			  "content_html, content_text}.\n",
			  opts, vals, &file);
	if (r)
		return r < 0 ? 0 : r;
	const char *url = vals[0];
	char *data = NULL;
	size_t len = 0;
	if (read_input(c, file, TD_MAX_PARSE_BYTES, &data, &len))
		return EXIT_RUNTIME;
	struct html_article *a = NULL;
	struct td_error err = { 0 };
	int rc = html_extract(data, len, url, &a, &err);
	free(data);
	if (rc && rc != TD_EPARSE) {
		html_article_free(a);
		return fail(c, "%s", err.msg[0] ? err.msg : td_strerror(rc));
	}
	if (rc == TD_EPARSE)
		fprintf(stderr, "tidings: extract: %s: no article content "
				"found\n",
			strcmp(file, "-") ? file : "stdin");
	struct td_buf out;
	td_buf_init(&out, 0);
	html_article_to_json(a, &out);
	html_article_free(a);
	return write_out(&out);
}

/* ---- sources ---- */

/* A source named by id, URL or local path. */
static int find_source(struct ctx *c, const char *which, int64_t *id)
{
	struct store_source s;
	memset(&s, 0, sizeof s);
	int64_t n;
	if (!td_parse_i64(which, &n) && n > 0) {
		if (store_source_get(c->st, n, &s))
			return fail(c, "no source %s", which);
		*id = n;
		store_source_release(&s);
		return 0;
	}
	struct stat sb;
	char *url = strstr(which, "://") ? td_url_resolve(NULL, which)
		    : stat(which, &sb) == 0 ? td_url_from_path(which)
					     : td_url_resolve(NULL, which);
	int rc = url ? store_source_get_by_url(c->st, url, &s) : TD_ENOTFOUND;
	free(url);
	if (rc)
		return fail(c, "no source %s", which);
	*id = s.id;
	store_source_release(&s);
	return 0;
}

static int cmd_add(struct ctx *c, int argc, char **argv)
{
	struct news_add_opts o = { .mode = STORE_MODE_AUTO, .config = &c->cfg };
	const char *what = NULL;
	struct td_buf tags;
	td_buf_init(&tags, 4096);
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		const char *v;
		if (opt_is(argv[i], "--help")) {
			printf("usage: tidings add URL|PATH [--mode "
			       "auto|feed|extract|summary] [--tag T]... "
			       "[--title T]\n"
			       "Add a source. URL may be a feed or a web page "
			       "that links to one.\n"
			       "Modes: auto (full text when the feed is "
			       "short), feed, extract, summary.\n");
			td_buf_release(&tags);
			return 0;
		} else if (opt_is(argv[i], "--mode")) {
			if (!(v = opt_val(c, argc, argv, &i)) ||
			    (o.mode = store_mode_parse(v)) < 0) {
				td_buf_release(&tags);
				return usage(c, "--mode takes auto, feed, "
						"extract or summary");
			}
		} else if (opt_is(argv[i], "--tag")) {
			if (!(v = opt_val(c, argc, argv, &i))) {
				td_buf_release(&tags);
				return EXIT_USAGE;
			}
			if (tags.len)
				td_buf_putc(&tags, ',');
			td_buf_puts(&tags, v);
		} else if (opt_is(argv[i], "--title")) {
			if (!(o.title = opt_val(c, argc, argv, &i))) {
				td_buf_release(&tags);
				return EXIT_USAGE;
			}
		} else if (argv[i][0] == '-' && argv[i][1]) {
			td_buf_release(&tags);
			return usage(c, "unknown option");
		} else if (what) {
			td_buf_release(&tags);
			return usage(c, "one URL only");
		} else
			what = argv[i];
	}
	if (!what) {
		td_buf_release(&tags);
		return usage(c, "URL required");
	}
	o.tags = tags.len ? td_buf_cstr(&tags) : NULL;
	if (open_store(c, 0)) {
		td_buf_release(&tags);
		return EXIT_RUNTIME;
	}
	int64_t id = 0;
	struct td_error err = { 0 };
	if (news_add_source(c->st, what, &o, &id, &err))
		rc = fail(c, "%s", err.msg);
	else {
		struct store_source s;
		memset(&s, 0, sizeof s);
		if (store_source_get(c->st, id, &s) == 0) {
			printf("added source %lld: %s%s%s\n", (long long)id,
			       s.url, s.title ? " " : "", s.title ? s.title : "");
			store_source_release(&s);
		}
	}
	td_buf_release(&tags);
	return rc;
}

static int cmd_remove(struct ctx *c, int argc, char **argv)
{
	if (argc == 2 && opt_is(argv[1], "--help")) {
		printf("usage: tidings remove ID|URL\nRemove a source and "
		       "everything stored for it.\n");
		return 0;
	}
	if (argc != 2)
		return usage(c, "one ID or URL required");
	if (open_store(c, 0))
		return EXIT_RUNTIME;
	int64_t id;
	if (find_source(c, argv[1], &id))
		return EXIT_RUNTIME;
	if (store_source_remove(c->st, id))
		return fail(c, "%s", store_errmsg(c->st));
	printf("removed source %lld\n", (long long)id);
	return 0;
}

static void time_or_dash(int64_t t, char out[32])
{
	if (t == TD_TIME_NONE || t <= 0)
		snprintf(out, 32, "-");
	else
		td_time_rfc3339(t, out);
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *jtime(int64_t t)
{
	char b[32];
	return (t == TD_TIME_NONE || t <= 0) ? json_null()
					     : json_string(td_time_rfc3339(t, b));
}

static int cmd_sources(struct ctx *c, int argc, char **argv)
{
	int as_json = 0;
	for (int i = 1; i < argc; i++) {
		if (opt_is(argv[i], "--help")) {
			printf("usage: tidings sources [--json]\nList sources "
			       "with their fetch state.\n");
			return 0;
		} else if (opt_is(argv[i], "--json"))
			as_json = 1;
		else
			return usage(c, "unknown argument");
	}
	if (open_store(c, 0))
		return EXIT_RUNTIME;
	struct store_source *v = NULL;
	size_t n = 0;
	if (store_source_list(c->st, &v, &n))
		return fail(c, "%s", store_errmsg(c->st));
	struct td_buf out;
	td_buf_init(&out, 0);
	if (as_json) {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++) {
			json_t *o = json_object();
			json_object_set_new(o, "id", json_integer(v[i].id));
			json_object_set_new(o, "url", jstr(v[i].url));
			json_object_set_new(o, "title", jstr(v[i].title));
			json_object_set_new(o, "site_url", jstr(v[i].site_url));
			json_object_set_new(o, "tags", jstr(v[i].tags));
			json_object_set_new(o, "mode",
					    json_string(store_mode_name(v[i].mode)));
			json_object_set_new(o, "disabled",
					    json_boolean(v[i].disabled));
			json_object_set_new(o, "articles",
					    json_integer(v[i].n_articles));
			json_object_set_new(o, "last_fetch",
					    jtime(v[i].last_fetch));
			json_object_set_new(o, "last_new_item",
					    jtime(v[i].last_new_item));
			json_object_set_new(o, "next_fetch",
					    jtime(v[i].next_fetch));
			json_object_set_new(o, "last_status",
					    json_integer(v[i].last_status));
			json_object_set_new(o, "last_error",
					    jstr(v[i].last_error));
			json_object_set_new(o, "error_count",
					    json_integer(v[i].error_count));
			json_object_set_new(o, "etag", jstr(v[i].etag));
			json_object_set_new(o, "last_modified",
					    jstr(v[i].last_modified));
			json_array_append_new(a, o);
		}
		char *s = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(a);
		if (s) {
			td_buf_puts(&out, s);
			td_buf_putc(&out, '\n');
			free(s);
		} else
			out.err = TD_ENOMEM;
	} else {
		td_buf_printf(&out, "%-4s %-8s %8s  %-20s  %s\n", "ID", "STATE",
			      "ARTICLES", "NEXT FETCH", "TITLE / URL");
		for (size_t i = 0; i < n; i++) {
			char next[32];
			time_or_dash(v[i].next_fetch, next);
			const char *state = v[i].disabled ? "disabled"
					    : v[i].last_error ? "error"
					    : v[i].last_fetch == TD_TIME_NONE
						    ? "new"
						    : "ok";
			td_buf_printf(&out, "%-4lld %-8s %8lld  %-20s  %s\n",
				      (long long)v[i].id, state,
				      (long long)v[i].n_articles,
				      v[i].disabled ? "-" : next,
				      v[i].title ? v[i].title : "");
			td_buf_printf(&out, "%45s%s\n", "", v[i].url);
			if (v[i].last_error)
				td_buf_printf(&out, "%45s! %s (%d in a row)\n",
					      "", v[i].last_error,
					      v[i].error_count);
		}
	}
	store_sources_free(v, n);
	return write_out(&out);
}

static int cmd_fetch(struct ctx *c, int argc, char **argv)
{
	struct news_fetch_opts o = { .config = &c->cfg };
	const char *which = NULL;
	for (int i = 1; i < argc; i++) {
		if (opt_is(argv[i], "--help")) {
			printf("usage: tidings fetch [--source ID|URL] "
			       "[--force]\n"
			       "Fetch the sources that are due (all with "
			       "--force, or one), store new and\nchanged "
			       "articles, then exit.\n");
			return 0;
		} else if (opt_is(argv[i], "--force"))
			o.force = 1;
		else if (opt_is(argv[i], "--source")) {
			if (!(which = opt_val(c, argc, argv, &i)))
				return EXIT_USAGE;
		} else
			return usage(c, "unknown argument");
	}
	if (open_store(c, 0))
		return EXIT_RUNTIME;
	if (which && find_source(c, which, &o.source_id))
		return EXIT_RUNTIME;
	int64_t start = td_now();
	struct news_stats s;
	struct td_error err = { 0 };
	if (news_fetch_round(c->st, &o, &s, &err))
		return fail(c, "%s", err.msg);
	/* name each source that failed this round */
	struct store_source *v = NULL;
	size_t n = 0;
	if (s.failed && store_source_list(c->st, &v, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (v[i].last_error && v[i].last_fetch >= start)
				fprintf(stderr,
					"tidings: fetch: source %lld (%s): "
					"%s%s\n",
					(long long)v[i].id, v[i].url,
					v[i].last_error,
					v[i].disabled ? "; disabled" : "");
		store_sources_free(v, n);
	}
	printf("fetched %zu source%s: %zu ok, %zu not modified, %zu failed; "
	       "%zu new article%s, %zu updated\n",
	       s.sources, s.sources == 1 ? "" : "s", s.ok, s.not_modified,
	       s.failed, s.new_articles, s.new_articles == 1 ? "" : "s",
	       s.updated_articles);
	if (s.pages)
		printf("fetched %zu article page%s for full text\n", s.pages,
		       s.pages == 1 ? "" : "s");
	return 0;
}

static int cmd_import(struct ctx *c, int argc, char **argv)
{
	if (argc == 2 && opt_is(argv[1], "--help")) {
		printf("usage: tidings import FILE.opml\nAdd the sources an "
		       "OPML 1.0/2.0 file lists; folders become tags.\n");
		return 0;
	}
	if (argc != 2)
		return usage(c, "one OPML FILE required");
	char *data = NULL;
	size_t len = 0;
	if (read_input(c, argv[1], TD_MAX_PARSE_BYTES, &data, &len))
		return EXIT_RUNTIME;
	char *base = strcmp(argv[1], "-") ? td_url_from_path(argv[1]) : NULL;
	struct feed_outline *o = NULL;
	struct td_error err = { 0 };
	int n = feed_opml_parse(data, len, base, &o, &err);
	free(data);
	free(base);
	if (n < 0) {
		if (err.line)
			return fail(c, "%s:%d:%d: %s", argv[1], err.line,
				    err.col, err.msg);
		return fail(c, "%s: %s", argv[1],
			    err.msg[0] ? err.msg : td_strerror(n));
	}
	if (err.msg[0]) /* recovered from a malformed file, or skipped some */
		fprintf(stderr, "tidings: import: %s: %s\n", argv[1], err.msg);
	if (open_store(c, 0)) {
		feed_outlines_free(o, (size_t)n);
		return EXIT_RUNTIME;
	}
	size_t added = 0, present = 0;
	int rc = 0;
	if (store_begin(c->st)) {
		feed_outlines_free(o, (size_t)n);
		return fail(c, "%s", store_errmsg(c->st));
	}
	for (int i = 0; i < n && !rc; i++) {
		struct store_source s;
		memset(&s, 0, sizeof s);
		s.url = o[i].xml_url;
		s.site_url = o[i].html_url;
		s.title = o[i].title;
		s.tags = o[i].tags;
		s.mode = STORE_MODE_AUTO;
		s.created = td_now();
		s.last_fetch = TD_TIME_NONE;
		s.last_new_item = TD_TIME_NONE;
		int64_t id;
		int r = store_source_add(c->st, &s, &id);
		if (r == TD_EEXIST)
			present++;
		else if (r)
			rc = fail(c, "%s: %s", o[i].xml_url,
				  store_errmsg(c->st));
		else
			added++;
	}
	feed_outlines_free(o, (size_t)n);
	if (rc) {
		store_rollback(c->st);
		return rc;
	}
	if (store_commit(c->st))
		return fail(c, "%s", store_errmsg(c->st));
	printf("imported %zu source%s (%zu already present)\n", added,
	       added == 1 ? "" : "s", present);
	return 0;
}

static int cmd_export(struct ctx *c, int argc, char **argv)
{
	if (argc == 2 && opt_is(argv[1], "--help")) {
		printf("usage: tidings export\nPrint the sources as OPML 2.0.\n");
		return 0;
	}
	if (argc != 1)
		return usage(c, "no arguments expected");
	if (open_store(c, 0))
		return EXIT_RUNTIME;
	struct store_source *v = NULL;
	size_t n = 0;
	if (store_source_list(c->st, &v, &n))
		return fail(c, "%s", store_errmsg(c->st));
	struct feed_outline *o = calloc(n ? n : 1, sizeof *o);
	if (!o) {
		store_sources_free(v, n);
		return fail(c, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		o[i].xml_url = v[i].url;
		o[i].html_url = v[i].site_url;
		o[i].title = v[i].title;
		o[i].tags = v[i].tags;
	}
	struct td_buf out;
	td_buf_init(&out, 0);
	feed_opml_write(o, n, c->cfg.site_title, &out);
	free(o); /* the strings belong to v */
	store_sources_free(v, n);
	return write_out(&out);
}

/* ---- articles ---- */

static int cmd_search(struct ctx *c, int argc, char **argv)
{
	const char *q = NULL, *v;
	int as_json = 0;
	int64_t limit = 20;
	for (int i = 1; i < argc; i++) {
		if (opt_is(argv[i], "--help")) {
			printf("usage: tidings search QUERY [--json] [--limit "
			       "N]\nFull-text search over titles, text and "
			       "authors; recent articles first among\ngood "
			       "matches.\n");
			return 0;
		} else if (opt_is(argv[i], "--json"))
			as_json = 1;
		else if (opt_is(argv[i], "--limit")) {
			if (!(v = opt_val(c, argc, argv, &i)) ||
			    td_parse_i64(v, &limit) || limit < 1 || limit > 1000)
				return usage(c, "--limit takes 1 to 1000");
		} else if (q)
			return usage(c, "one QUERY only (quote it)");
		else
			q = argv[i];
	}
	if (!q)
		return usage(c, "QUERY required");
	if (open_store(c, 0))
		return EXIT_RUNTIME;
	struct store_article *a = NULL;
	size_t n = 0;
	if (store_search(c->st, q, (size_t)limit, &a, &n))
		return fail(c, "%s", store_errmsg(c->st));
	struct td_buf out;
	td_buf_init(&out, 0);
	if (as_json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++) {
			json_t *o = json_object();
			json_object_set_new(o, "id", json_integer(a[i].id));
			json_object_set_new(o, "title", jstr(a[i].title));
			json_object_set_new(o, "url", jstr(a[i].url));
			json_object_set_new(o, "source",
					    jstr(a[i].source_title));
			json_object_set_new(o, "date_published",
					    jtime(a[i].published));
			json_object_set_new(o, "summary", jstr(a[i].summary));
			json_array_append_new(arr, o);
		}
		char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(arr);
		if (s) {
			td_buf_puts(&out, s);
			td_buf_putc(&out, '\n');
			free(s);
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			char d[32];
			time_or_dash(a[i].published, d);
			td_buf_printf(&out, "%lld  %.10s  %s\n    %s\n",
				      (long long)a[i].id, d,
				      a[i].title ? a[i].title : "",
				      a[i].url ? a[i].url : "");
		}
	}
	store_articles_free(a, n);
	return write_out(&out);
}

static int cmd_reprocess(struct ctx *c, int argc, char **argv)
{
	int requeue = 0;
	for (int i = 1; i < argc; i++) {
		if (opt_is(argv[i], "--help")) {
			printf("usage: tidings reprocess [--extract]\n"
			       "Redo every article's displayed body from what its "
			       "source gave, with the\ncurrent sanitizer. With "
			       "--extract, articles whose body came from their\n"
			       "page are extracted again in the next fetch "
			       "round.\n");
			return 0;
		} else if (opt_is(argv[i], "--extract"))
			requeue = 1;
		else
			return usage(c, "unknown argument");
	}
	if (open_store(c, 0))
		return EXIT_RUNTIME;
	int64_t n = 0;
	struct td_error err = { 0 };
	if (news_reprocess(c->st, requeue, &n, &err))
		return fail(c, "%s", err.msg);
	printf("reprocessed %lld article%s\n", (long long)n, n == 1 ? "" : "s");
	return 0;
}

static int cmd_backup(struct ctx *c, int argc, char **argv)
{
	if (argc == 2 && opt_is(argv[1], "--help")) {
		printf("usage: tidings backup FILE\nCopy the database to FILE "
		       "(which must not exist) while it is in use.\n");
		return 0;
	}
	if (argc != 2)
		return usage(c, "one FILE required");
	if (open_store(c, 0))
		return EXIT_RUNTIME;
	struct td_error err = { 0 };
	if (store_backup(c->st, argv[1], &err))
		return fail(c, "%s", err.msg);
	printf("backed up %s to %s\n", c->cfg.db, argv[1]);
	return 0;
}

static int cmd_serve(struct ctx *c, int argc, char **argv)
{
	return web_cmd_serve(argc, argv, &c->cfg);
}

static int cmd_version(struct ctx *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	printf("tidings %s\n", TD_VERSION);
	return 0;
}

/* ---- dispatch ---- */

struct command {
	const char *name;
	int (*fn)(struct ctx *c, int argc, char **argv);
};

static const struct command commands[] = {
	{ "add", cmd_add },         { "remove", cmd_remove },
	{ "sources", cmd_sources }, { "fetch", cmd_fetch },
	{ "import", cmd_import },   { "export", cmd_export },
	{ "search", cmd_search },   { "backup", cmd_backup },
	{ "reprocess", cmd_reprocess }, { "serve", cmd_serve },
	{ "parse", cmd_parse },     { "sanitize", cmd_sanitize },
	{ "extract", cmd_extract }, { "version", cmd_version },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	struct ctx c = { .cmd = "tidings" };
	const char *config = NULL, *db = NULL;
	int i = 1, rc;
	for (; i < argc; i++) {
		if (opt_is(argv[i], "--help") || opt_is(argv[i], "-h")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (opt_is(argv[i], "--version")) {
			return cmd_version(&c, 0, NULL);
		} else if (opt_is(argv[i], "--db") ||
			   opt_is(argv[i], "--config")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "tidings: %s needs a value\n",
					argv[i]);
				return EXIT_USAGE;
			}
			*(opt_is(argv[i], "--db") ? &db : &config) = argv[i + 1];
			i++;
		} else
			break;
	}
	if (i >= argc) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	const struct command *cmd = NULL;
	for (const struct command *k = commands; k->name; k++)
		if (!strcmp(argv[i], k->name))
			cmd = k;
	if (!cmd) {
		fprintf(stderr, "tidings: unknown command '%s'\nTry 'tidings "
				"--help'.\n",
			argv[i]);
		return EXIT_USAGE;
	}
	c.cmd = cmd->name;
	/* Later options (global ones after the command) are allowed too. */
	int sub_argc = 0;
	char **sub_argv = calloc((size_t)argc, sizeof *sub_argv);
	if (!sub_argv)
		return EXIT_RUNTIME;
	for (int k = i; k < argc; k++) {
		if ((opt_is(argv[k], "--db") || opt_is(argv[k], "--config")) &&
		    k + 1 < argc && k > i) {
			*(opt_is(argv[k], "--db") ? &db : &config) = argv[k + 1];
			k++;
			continue;
		}
		sub_argv[sub_argc++] = argv[k];
	}

	struct td_error err = { 0 };
	td_config_defaults(&c.cfg);
	if (td_config_load(&c.cfg, config ? config : "tidings.conf", !!config,
			   &err) ||
	    td_config_env(&c.cfg, &err) ||
	    (db && td_config_set(&c.cfg, "db", db, &err))) {
		fprintf(stderr, "tidings: config: %s\n", err.msg);
		td_config_release(&c.cfg);
		free(sub_argv);
		return EXIT_USAGE;
	}
	rc = cmd->fn(&c, sub_argc, sub_argv);
	store_close(c.st);
	td_config_release(&c.cfg);
	free(sub_argv);
	return rc;
}
