/*
 * tpl.h - a small Mustache-subset template engine, escaped by default.
 *
 * Compile once, render many. A template is compiled into a flat array of
 * instructions (text runs, variables, sections with jump offsets, partials);
 * rendering walks that array against a value tree and appends to a td_buf,
 * with no allocation per tag.
 *
 *   {{name}}  {{a.b.c}}  {{.}}      variable, HTML-escaped
 *   {{{name}}}  {{& name}}          raw: only TPL_SAFE values (sanitizer
 *                                   output) are inserted as they are; any
 *                                   other value is escaped anyway
 *   {{#name}}...{{/name}}           section (list: once per element; object:
 *                                   pushed as context; other truthy: once)
 *   {{^name}}...{{/name}}           inverted section (only when falsy)
 *   {{> name}}                      partial, looked up in a tpl_set
 *   {{! comment }}                  comment
 *
 * No set-delimiter tags, no lambdas. Lines holding only a section, inverted,
 * close, partial or comment tag and whitespace are removed ("standalone"
 * lines, as in Mustache); a standalone partial indents every line of its
 * template by the whitespace before the tag. The syntax for theme authors
 * is in docs/templates.md.
 *
 * Escaping: & < > " ' ` = become &amp; &lt; &gt; &quot; &#39; &#96; &#61;,
 * so an escaped value can break out neither of element content nor of a
 * quoted attribute value (templates must quote attributes). Escaping does
 * not make a value a safe URL: URL attributes must get URLs the caller
 * checked (http/https), as the sanitizer does for article bodies.
 *
 * Values are built by the caller in a struct tpl_ctx, an arena: everything
 * allocated for one page is freed by one tpl_ctx_free (or tpl_ctx_reset).
 *
 * Thread-safety: a compiled struct tpl and a struct tpl_set are immutable
 * once built, so any number of threads may render them at once. A
 * struct tpl_ctx and the values in it belong to one thread at a time.
 */
#ifndef TD_TPL_H
#define TD_TPL_H

#include <stddef.h>
#include <stdint.h>

struct td_buf;
struct td_error;

/* ---- limits (candidates for core/limits.h) ----------------------------- */

/* Largest template source compiled. Real page templates are a few KB. */
#ifndef TD_MAX_TPL_SOURCE
#define TD_MAX_TPL_SOURCE (1u * 1024u * 1024u)
#endif
/* Section nesting depth inside one template. Real templates nest < 10. */
#ifndef TD_MAX_TPL_DEPTH
#define TD_MAX_TPL_DEPTH 64
#endif
/* Longest tag name (dotted path included). */
#ifndef TD_MAX_TPL_NAME
#define TD_MAX_TPL_NAME 256
#endif
/* Partials nested inside partials at render time (bounds recursive
 * partials such as a comment tree). */
#ifndef TD_MAX_TPL_PARTIAL_DEPTH
#define TD_MAX_TPL_PARTIAL_DEPTH 32
#endif
/* Sections and partials open at once while rendering, all partials
 * together; bounds the C stack used by a render. */
#define TD_MAX_TPL_RENDER_DEPTH 256
/* Instructions executed by one render (about 25 ms). A page listing
 * 10,000 items takes about 10^5; nested loops over big lists that print
 * nothing would otherwise run unbounded. */
#ifndef TD_MAX_TPL_STEPS
#define TD_MAX_TPL_STEPS (1u << 22)
#endif

/* ---- values --------------------------------------------------------------- */

enum tpl_type {
	TPL_NULL,
	TPL_BOOL,
	TPL_INT,
	TPL_STR,  /* text: always escaped on output */
	TPL_SAFE, /* sanitizer HTML: output as is by {{{x}}} and {{& x}} */
	TPL_LIST,
	TPL_OBJ,
};

/* An arena holding the values of one render. */
struct tpl_ctx;
/* A value; allocated in a ctx, valid until that ctx is reset or freed. */
struct tpl_val;

/* A new empty arena, or NULL when out of memory. */
struct tpl_ctx *tpl_ctx_new(void);
/* Free the arena and every value and copied string in it. Accepts NULL. */
void tpl_ctx_free(struct tpl_ctx *c);
/* Forget every value (keeping one block of memory for the next page) and
 * clear the error. */
void tpl_ctx_reset(struct tpl_ctx *c);
/* 0, or the first failure (TD_ENOMEM, TD_ETOOBIG, TD_EINVAL) of any
 * constructor, push or set on this ctx since it was made or reset. The
 * error is sticky: build a whole tree, then check once. */
int tpl_ctx_err(const struct tpl_ctx *c);

/* Constructors. Each returns a value owned by c, or NULL when out of
 * memory (the ctx error is then set, and pushing or setting NULL is a
 * no-op that returns that error). c must not be NULL. */
struct tpl_val *tpl_null(struct tpl_ctx *c);
struct tpl_val *tpl_bool(struct tpl_ctx *c, int b);
struct tpl_val *tpl_int(struct tpl_ctx *c, int64_t i);
/* A string copied into the arena; s NULL gives the empty string. */
struct tpl_val *tpl_str(struct tpl_ctx *c, const char *s);
struct tpl_val *tpl_strn(struct tpl_ctx *c, const char *s, size_t len);
/* A string formatted with printf rules into the arena. */
struct tpl_val *tpl_strf(struct tpl_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A string borrowed, not copied: s must stay valid and unchanged until
 * the ctx is reset or freed (for big article bodies). */
struct tpl_val *tpl_str_borrow(struct tpl_ctx *c, const char *s, size_t len);
/* Sanitizer output (html_sanitize): HTML that {{{x}}} inserts unescaped.
 * Never pass anything else. Copied, or borrowed with the same rule as
 * tpl_str_borrow. */
struct tpl_val *tpl_safe(struct tpl_ctx *c, const char *html, size_t len);
struct tpl_val *tpl_safe_borrow(struct tpl_ctx *c, const char *html,
				size_t len);
/* An empty list or object. */
struct tpl_val *tpl_list(struct tpl_ctx *c);
struct tpl_val *tpl_obj(struct tpl_ctx *c);

/* Append v (a value of the same ctx) to a list. Returns 0, TD_EINVAL when
 * list is not a list, or the ctx error (TD_ENOMEM, or the earlier failure
 * that made v NULL). */
int tpl_list_push(struct tpl_ctx *c, struct tpl_val *list,
		  const struct tpl_val *v);
/* Set key (copied; NUL-terminated) to v in an object, replacing an
 * earlier value of that key. Templates can only name keys made of letters,
 * digits, '_' and '-'. Lookup is a linear scan (with a hash per key),
 * meant for objects of up to a few dozen keys. Returns like
 * tpl_list_push; TD_EINVAL also for an empty key. */
int tpl_obj_set(struct tpl_ctx *c, struct tpl_val *obj, const char *key,
		const struct tpl_val *v);
/* Shorthands: tpl_obj_set of tpl_str / tpl_safe_borrow / tpl_int /
 * tpl_bool. */
int tpl_obj_set_str(struct tpl_ctx *c, struct tpl_val *obj, const char *key,
		    const char *s);
int tpl_obj_set_int(struct tpl_ctx *c, struct tpl_val *obj, const char *key,
		    int64_t i);
int tpl_obj_set_bool(struct tpl_ctx *c, struct tpl_val *obj, const char *key,
		     int b);

/* Type of a value (TPL_NULL for NULL); length of a list or object. */
enum tpl_type tpl_val_type(const struct tpl_val *v);
size_t tpl_val_len(const struct tpl_val *v);
/* Member of an object by key, or NULL when v is no object or lacks it. */
const struct tpl_val *tpl_obj_get(const struct tpl_val *v, const char *key);

/* ---- templates ------------------------------------------------------------ */

struct tpl;

/* Compile len bytes of template source; name (may be NULL) names it in
 * error messages. The source is copied: the caller keeps src. Returns 0
 * and *out (free with tpl_free), or TD_EPARSE with err filled (err->line
 * and err->col, 1-based, col in characters, point at the offending tag;
 * err->msg reads "NAME:LINE:COL: what", e.g. "page:3:5: unclosed section
 * 'items'"), TD_ETOOBIG (source over TD_MAX_TPL_SOURCE, nesting over
 * TD_MAX_TPL_DEPTH) or TD_ENOMEM. */
int tpl_compile(const char *src, size_t len, const char *name,
		struct tpl **out, struct td_error *err);
/* Free a compiled template. Accepts NULL. */
void tpl_free(struct tpl *t);
/* The name given to tpl_compile ("template" when none). Borrowed until
 * tpl_free. */
const char *tpl_name(const struct tpl *t);

/* ---- template sets (partials) -------------------------------------------- */

struct tpl_set;

/* A new empty set, or NULL when out of memory. */
struct tpl_set *tpl_set_new(void);
/* Free the set and every template in it. Accepts NULL. */
void tpl_set_free(struct tpl_set *s);
/* Compile src under name and add it to the set, replacing (and freeing) a
 * template of the same name; a pointer from tpl_set_get to the replaced
 * template is then dangling, so fill a set before rendering with it.
 * Returns 0 or tpl_compile's error (the set is unchanged). */
int tpl_set_add(struct tpl_set *s, const char *name, const char *src,
		size_t len, struct td_error *err);
/* Add an already compiled template under its tpl_name; the set takes it
 * (and frees it on failure). Returns 0, TD_EINVAL or TD_ENOMEM. */
int tpl_set_add_take(struct tpl_set *s, struct tpl *t);
/* The template named name, or NULL. Borrowed until the set is freed or
 * the name replaced. */
const struct tpl *tpl_set_get(const struct tpl_set *s, const char *name);

/* ---- rendering ------------------------------------------------------------ */

/* Render t with root as the outermost context, appending to out. Partials
 * ({{> name}}) are looked up in partials (may be NULL); a missing partial
 * renders as nothing. Returns 0; TD_ETOOBIG when out reached its ceiling
 * (output stops there), partials nested over TD_MAX_TPL_PARTIAL_DEPTH,
 * contexts over TD_MAX_TPL_RENDER_DEPTH or more than TD_MAX_TPL_STEPS
 * instructions ran; TD_ENOMEM; TD_EINVAL for NULL arguments. On error out
 * holds a partial render: discard it. root may be NULL (no data). */
int tpl_render(const struct tpl *t, const struct tpl_set *partials,
	       const struct tpl_val *root, struct td_buf *out);

/* Append s HTML-escaped as {{x}} does (& < > " ' ` =). Returns 0 or the
 * buffer's error. */
int tpl_escape(struct td_buf *out, const char *s, size_t len);

#endif
