/*
 * theme.c - the site's theme: the embedded templates and static files, the
 * overrides of a theme_dir, the time zone dates are shown in, and slugs.
 *
 * The theme is loaded once per process, by the first page that needs it,
 * from that request's configuration (one server has one configuration):
 *
 *   - every embedded templates/NAME is compiled into one tpl_set (partial
 *     NAME); then every file of THEME_DIR/templates/ with a plain name
 *     (letters, digits, '.', '-', '_'; no leading '.') replaces the
 *     embedded template of that name or adds a new partial. A file that
 *     does not compile is logged and the embedded template kept, so a
 *     theme mistake never takes the site down;
 *   - every plain-named regular file of THEME_DIR/static/ is read into
 *     memory and served as /static/NAME instead of (or besides) the
 *     embedded one; the stylesheet link's ?v= hash is that of the file
 *     actually served;
 *   - the `timezone` setting is loaded with td_tz_load; an unknown zone is
 *     logged and UTC used.
 *
 * Files are read once, bounded in number and size; nothing below
 * THEME_DIR is reachable but its two folders' direct entries. The loaded
 * theme is immutable and shared by every thread; web_theme_reset (tests)
 * is the only way to drop it.
 */
#include "web/assets.h"
#include "web/web_int.h"

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/tz.h"
#include "tpl/tpl.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

/* Files read from one theme_dir folder; a theme has a few dozen. */
#define THEME_MAX_FILES 256
/* Longest file name taken from a theme_dir folder. */
#define THEME_NAME_MAX 100
/* Largest static file of a theme (a web font or an image); beyond an
 * eighth of the page cache it could not be cached anyway. */
#define THEME_STATIC_MAX (4u * 1024u * 1024u)
/* All static overrides together. */
#define THEME_STATIC_TOTAL (32u * 1024u * 1024u)
/* Longest slug, bytes. */
#define SLUG_MAX 60

struct theme {
	struct tpl_set *set;
	const struct tpl *layout;
	struct td_tz *tz;             /* NULL: UTC */
	char css_href[64];            /* "/static/site.HASH.css" */
	char icon_href[64];           /* "/static/favicon.HASH.svg" */
	struct td_asset *files;       /* static overrides (owned names and
					 data), n_files of them */
	size_t n_files;
};

static pthread_mutex_t theme_lock = PTHREAD_MUTEX_INITIALIZER;
static struct theme *_Atomic current;
static _Atomic int failed; /* the theme could not be built (logged once) */

/* ------------------------------------------------------------------------
 * Reading a theme_dir
 */

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

int web_theme_name_ok(const char *n)
{
	size_t len = n ? strlen(n) : 0;
	if (!len || len > THEME_NAME_MAX || n[0] == '.' || strstr(n, ".."))
		return 0;
	for (const char *p = n; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' &&
		    *p != '_')
			return 0;
	return 1;
}

/* Read the regular file dir/name (at most max bytes) into *out (malloc'd,
 * NUL-terminated). 0, TD_ENOTFOUND (not a regular file), TD_ETOOBIG,
 * TD_EIO or TD_ENOMEM. */
static int read_theme_file(const char *dir, const char *name, size_t max,
			   char **out, size_t *len)
{
	char path[4096];
	int n = snprintf(path, sizeof path, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof path)
		return TD_ETOOBIG;
	/* O_NONBLOCK: a FIFO must not hang the server */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return TD_EIO;
	int rc = 0;
	char *buf = NULL;
	struct stat sb;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		rc = TD_ENOTFOUND;
		goto out;
	}
	if (sb.st_size < 0 || (uint64_t)sb.st_size > max) {
		rc = TD_ETOOBIG;
		goto out;
	}
	size_t want = (size_t)sb.st_size, got = 0;
	buf = malloc(want + 1);
	if (!buf) {
		rc = TD_ENOMEM;
		goto out;
	}
	while (got < want) {
		ssize_t r = read(fd, buf + got, want - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* shrunk while reading: keep what is there */
		got += (size_t)r;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

/* The plain names of the entries of dir/sub, sorted; *dirpath set to
 * "dir/sub". 0 (with *n 0 when the folder does not exist) or TD_E*. */
static int list_folder(const char *dir, const char *sub, char *dirpath,
		       size_t cap, char ***names, size_t *n)
{
	*names = NULL;
	*n = 0;
	int w = snprintf(dirpath, cap, "%s/%s", dir, sub);
	if (w < 0 || (size_t)w >= cap)
		return TD_ETOOBIG;
	DIR *d = opendir(dirpath);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : TD_EIO;
	char **v = calloc(THEME_MAX_FILES, sizeof *v);
	size_t len = 0;
	int rc = 0;
	if (!v) {
		rc = TD_ENOMEM;
		goto out;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue; /* ".", "..", hidden files */
		if (!web_theme_name_ok(de->d_name)) {
			td_log(TD_LOG_WARN,
			       "serve: theme: %s: ignoring '%.100s' (names are "
			       "letters, digits, '.', '-', '_')",
			       dirpath, de->d_name);
			continue;
		}
		if (len == THEME_MAX_FILES) {
			td_log(TD_LOG_WARN,
			       "serve: theme: %s: more than %d files; the rest "
			       "is ignored",
			       dirpath, THEME_MAX_FILES);
			break;
		}
		if (!(v[len] = td_strdup(de->d_name))) {
			rc = TD_ENOMEM;
			goto out;
		}
		len++;
	}
	/* a stable order whatever the file system's */
	for (size_t i = 1; i < len; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*names = v;
	*n = len;
	v = NULL;
out:
	if (v)
		for (size_t i = 0; i < len; i++)
			free(v[i]);
	free(v);
	closedir(d);
	return rc;
}

static void free_names(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* THEME_DIR/templates/NAME over the embedded templates. */
static void override_templates(struct theme *t, const char *dir)
{
	char path[4096];
	char **names = NULL;
	size_t n = 0;
	int rc = list_folder(dir, "templates", path, sizeof path, &names, &n);
	if (rc)
		td_log(TD_LOG_WARN, "serve: theme: %s/templates: %s", dir,
		       td_strerror(rc));
	for (size_t i = 0; i < n; i++) {
		char *src = NULL;
		size_t len = 0;
		rc = read_theme_file(path, names[i], TD_MAX_TPL_SOURCE, &src,
				     &len);
		if (rc == TD_ENOTFOUND)
			continue; /* a folder or a device */
		if (rc) {
			td_log(TD_LOG_WARN, "serve: theme: %s/%s: %s", path,
			       names[i], td_strerror(rc));
			continue;
		}
		struct td_error err = { 0 };
		if (tpl_set_add(t->set, names[i], src, len, &err))
			td_log(TD_LOG_ERROR,
			       "serve: theme: %s/%s: %s; using the default "
			       "template",
			       path, names[i], err.msg);
		else
			td_log(TD_LOG_INFO, "serve: theme: template %s from %s",
			       names[i], path);
		free(src);
	}
	free_names(names, n);
}

/* THEME_DIR/static/NAME, kept in t->files as "static/NAME". */
static void override_static(struct theme *t, const char *dir)
{
	char path[4096];
	char **names = NULL;
	size_t n = 0, total = 0;
	int rc = list_folder(dir, "static", path, sizeof path, &names, &n);
	if (rc)
		td_log(TD_LOG_WARN, "serve: theme: %s/static: %s", dir,
		       td_strerror(rc));
	size_t want = n;
	if (n && !(t->files = calloc(n, sizeof *t->files))) {
		td_log(TD_LOG_ERROR, "serve: theme: out of memory");
		want = 0;
	}
	for (size_t i = 0; i < want; i++) {
		char *data = NULL;
		size_t len = 0;
		rc = read_theme_file(path, names[i], THEME_STATIC_MAX, &data,
				     &len);
		if (rc == TD_ENOTFOUND)
			continue;
		if (!rc && len > THEME_STATIC_TOTAL - total)
			rc = TD_ETOOBIG;
		char *name = rc ? NULL : malloc(strlen(names[i]) + 8);
		if (!rc && !name)
			rc = TD_ENOMEM;
		if (rc) {
			td_log(TD_LOG_WARN, "serve: theme: %s/%s: %s", path,
			       names[i], td_strerror(rc));
			free(data);
			continue;
		}
		memcpy(name, "static/", 7);
		memcpy(name + 7, names[i], strlen(names[i]) + 1);
		t->files[t->n_files].name = name;
		t->files[t->n_files].data = (const unsigned char *)data;
		t->files[t->n_files].len = len;
		t->n_files++;
		total += len;
		td_log(TD_LOG_INFO, "serve: theme: static %s from %s", names[i],
		       path);
	}
	free_names(names, n);
}

/* ------------------------------------------------------------------------
 * Loading
 */

static void theme_free(struct theme *t)
{
	if (!t)
		return;
	tpl_set_free(t->set);
	td_tz_free(t->tz);
	for (size_t i = 0; i < t->n_files; i++) {
		free((char *)(uintptr_t)t->files[i].name);
		free((unsigned char *)(uintptr_t)t->files[i].data);
	}
	free(t->files);
	free(t);
}

static const struct td_asset *find_file(const struct theme *t,
					const char *name)
{
	for (size_t i = 0; t && i < t->n_files; i++)
		if (!strcmp(t->files[i].name, name))
			return &t->files[i];
	return td_asset_find(name);
}

/* "/static/BASE.HASH.EXT" for the theme's static file NAME ("BASE.EXT"):
 * the name changes with the content, so the file can be cached for good.
 * Without the file, the plain "/static/NAME". */
static void hashed_href(const struct theme *t, const char *name, char *out,
			size_t cap)
{
	char path[THEME_NAME_MAX + 16];
	snprintf(path, sizeof path, "static/%s", name);
	const struct td_asset *a = find_file(t, path);
	const char *dot = strrchr(name, '.');
	if (!a || !dot) {
		snprintf(out, cap, "/static/%s", name);
		return;
	}
	snprintf(out, cap, "/static/%.*s.%016llx%s", (int)(dot - name), name,
		 (unsigned long long)fnv1a(a->data, a->len), dot);
}

static struct theme *theme_load(const struct td_config *cfg)
{
	struct theme *t = calloc(1, sizeof *t);
	if (!t || !(t->set = tpl_set_new())) {
		td_log(TD_LOG_ERROR, "serve: theme: out of memory");
		theme_free(t);
		return NULL;
	}
	for (const struct td_asset *a = td_asset_list(); a->name; a++) {
		if (strncmp(a->name, "templates/", 10))
			continue;
		struct td_error err = { 0 };
		if (tpl_set_add(t->set, a->name + 10, (const char *)a->data,
				a->len, &err)) {
			td_log(TD_LOG_ERROR, "serve: theme: %s", err.msg);
			theme_free(t);
			return NULL;
		}
	}
	const char *dir = cfg && cfg->theme_dir ? cfg->theme_dir : "";
	if (*dir) {
		struct stat sb;
		if (stat(dir, &sb) || !S_ISDIR(sb.st_mode))
			td_log(TD_LOG_WARN,
			       "serve: theme_dir %s is not a folder; using the "
			       "default theme",
			       dir);
		else {
			override_templates(t, dir);
			override_static(t, dir);
		}
	}
	t->layout = tpl_set_get(t->set, "layout.html");
	if (!t->layout) {
		td_log(TD_LOG_ERROR, "serve: theme: templates/layout.html "
				     "missing");
		theme_free(t);
		return NULL;
	}
	hashed_href(t, "site.css", t->css_href, sizeof t->css_href);
	hashed_href(t, "favicon.svg", t->icon_href, sizeof t->icon_href);

	const char *zone = cfg && cfg->timezone ? cfg->timezone : "UTC";
	struct td_error err = { 0 };
	if (td_tz_load(zone, &t->tz, &err)) {
		td_log(TD_LOG_WARN, "serve: timezone: %s; showing dates in UTC",
		       err.msg[0] ? err.msg : zone);
		t->tz = NULL;
	}
	return t;
}

int web_theme_init(const struct td_config *cfg)
{
	if (atomic_load_explicit(&current, memory_order_acquire))
		return 0;
	if (atomic_load(&failed))
		return TD_EIO;
	pthread_mutex_lock(&theme_lock);
	if (!atomic_load(&current) && !atomic_load(&failed)) {
		struct td_config def;
		int own = !cfg;
		if (own) {
			td_config_defaults(&def);
			cfg = &def;
		}
		struct theme *t = theme_load(cfg);
		if (own)
			td_config_release(&def);
		if (t)
			atomic_store_explicit(&current, t,
					      memory_order_release);
		else
			atomic_store(&failed, 1);
	}
	pthread_mutex_unlock(&theme_lock);
	return atomic_load(&current) ? 0 : TD_EIO;
}

int web_theme_ready(void)
{
	return web_theme_init(NULL);
}

void web_theme_reset(void)
{
	pthread_mutex_lock(&theme_lock);
	theme_free(atomic_exchange(&current, NULL));
	atomic_store(&failed, 0);
	pthread_mutex_unlock(&theme_lock);
}

static const struct theme *theme(void)
{
	return atomic_load_explicit(&current, memory_order_acquire);
}

const struct td_asset *web_theme_file(const char *name)
{
	return find_file(theme(), name);
}

const char *web_theme_css_href(void)
{
	const struct theme *t = theme();
	return t ? t->css_href : "/static/site.css";
}

const char *web_theme_icon_href(void)
{
	const struct theme *t = theme();
	return t ? t->icon_href : "/static/favicon.svg";
}

const struct td_asset *web_theme_static(const char *name, int *fresh)
{
	char path[THEME_NAME_MAX + 16];
	*fresh = 0;
	snprintf(path, sizeof path, "static/%s", name);
	const struct td_asset *a = find_file(theme(), path);
	if (a)
		return a;
	/* BASE.HASH.EXT: the file BASE.EXT, fresh when HASH is its hash */
	const char *ext = strrchr(name, '.');
	if (!ext || ext - name < 18 || ext[-17] != '.')
		return NULL;
	const char *h = ext - 16;
	for (int i = 0; i < 16; i++)
		if (!((h[i] >= '0' && h[i] <= '9') ||
		      (h[i] >= 'a' && h[i] <= 'f')))
			return NULL;
	snprintf(path, sizeof path, "static/%.*s%s", (int)(h - 1 - name),
		 name, ext);
	a = find_file(theme(), path);
	if (a) {
		char want[17];
		snprintf(want, sizeof want, "%016llx",
			 (unsigned long long)fnv1a(a->data, a->len));
		*fresh = !memcmp(want, h, 16);
	}
	return a;
}

const struct td_tz *web_theme_tz(void)
{
	const struct theme *t = theme();
	return t ? t->tz : NULL;
}

int web_theme_render(const struct tpl_val *root, struct td_buf *out)
{
	const struct theme *t = theme();
	if (!t)
		return TD_EIO;
	return tpl_render(t->layout, t->set, root, out);
}

/* ------------------------------------------------------------------------
 * Slugs
 */

struct slugger {
	struct td_buf *out;
	size_t start;    /* where the slug begins in out */
	size_t last_cut; /* slug length before the last '-' */
	int dash;        /* a separator is pending */
	int full;        /* SLUG_MAX reached */
	int midword;     /* ... inside a word */
};

static void slug_put(struct slugger *s, int c)
{
	if (s->full)
		return;
	size_t n = s->out->len - s->start;
	if (n + (s->dash ? 2 : 1) > SLUG_MAX) {
		s->full = 1;
		s->midword = !s->dash;
		return;
	}
	if (s->dash) {
		s->last_cut = n;
		td_buf_putc(s->out, '-');
		s->dash = 0;
	}
	td_buf_putc(s->out, tolower(c));
}

static void slug_sep(struct slugger *s)
{
	if (s->out->len > s->start)
		s->dash = 1;
}

/* Latin letters that canonical decomposition leaves alone. */
static const char *translit(int32_t cp)
{
	switch (cp) {
	case 0xdf: case 0x1e9e: return "ss";
	case 0xe6: case 0xc6: return "ae";
	case 0x153: case 0x152: return "oe";
	case 0xf8: case 0xd8: return "o";
	case 0x111: case 0x110: case 0xf0: case 0xd0: return "d";
	case 0xfe: case 0xde: return "th";
	case 0x142: case 0x141: return "l";
	case 0x131: return "i";
	case 0x127: case 0x126: return "h";
	case 0x14b: case 0x14a: return "n";
	case 0x138: return "k";
	case 0x167: case 0x166: return "t";
	default: return NULL;
	}
}

static int is_mark(int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);
	return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC ||
	       c == UTF8PROC_CATEGORY_ME;
}

void web_slug(struct td_buf *out, const char *title)
{
	if (!title)
		return;
	struct slugger s = { .out = out, .start = out->len };
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)title;
	size_t left = strlen(title);
	while (left && !s.full) {
		int32_t cp;
		utf8proc_ssize_t k =
			utf8proc_iterate(p, (utf8proc_ssize_t)left, &cp);
		if (k <= 0) { /* invalid byte: a separator */
			slug_sep(&s);
			p++;
			left--;
			continue;
		}
		p += k;
		left -= (size_t)k;
		if (cp < 128) {
			if (isalnum(cp))
				slug_put(&s, cp);
			else
				slug_sep(&s);
			continue;
		}
		const char *t = translit(cp);
		if (t) {
			for (; *t; t++)
				slug_put(&s, *t);
			continue;
		}
		/* é = e + U+0301, ﬁ = f i, ２ = 2: keep the ASCII letters and
		 * digits of the compatibility decomposition, drop marks */
		utf8proc_int32_t d[8];
		int last = 0;
		utf8proc_ssize_t nd = utf8proc_decompose_char(
			cp, d, 8, UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT, &last);
		int any = 0;
		for (utf8proc_ssize_t i = 0; nd > 0 && nd <= 8 && i < nd; i++)
			if (d[i] < 128 && isalnum(d[i])) {
				slug_put(&s, d[i]);
				any = 1;
			}
		if (!any && !is_mark(cp))
			slug_sep(&s); /* a letter of another script, a sign */
	}
	/* cut inside a word: drop the partial word when a '-' exists */
	if (s.full && s.midword && s.last_cut)
		td_buf_truncate(out, s.start + s.last_cut);
}
