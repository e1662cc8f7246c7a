/*
 * tpl.c - the template engine: value arena, compiler, template sets,
 * renderer and HTML escaping. See tpl.h for the contract and
 * docs/templates.md for the syntax.
 *
 * A compiled template is the copied source plus a flat instruction array.
 * Text runs and names point into the source by offset. A section or
 * inverted section holds the index of its END instruction, so rendering a
 * false section is one jump; its body is the range up to and including
 * that END (which may emit partial indentation, see below).
 *
 * Partial indentation follows Mustache: a standalone {{> p}} behaves as if
 * every line of p were prefixed by the whitespace before the tag. Rather
 * than recompiling p per indentation, each instruction records whether it
 * starts a source line ("bol"); while rendering an indented partial, the
 * indentation is written before each such instruction and after each
 * newline inside text runs (empty lines stay empty).
 */
#include "tpl/tpl.h"

#include "core/buf.h"
#include "core/err.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ==== arena =============================================================== */

#define ALIGN _Alignof(max_align_t)
#define CHUNK_FIRST 4096u
#define CHUNK_MAX (64u * 1024u)

struct chunk {
	struct chunk *next;
	size_t size; /* usable bytes in data */
	size_t used;
	max_align_t data[];
};

struct tpl_ctx {
	struct chunk *cur; /* chunk being filled; older chunks follow */
	size_t next_size;  /* size of the next regular chunk */
	int err;
};

static int ctx_fail(struct tpl_ctx *c, int code)
{
	if (!c->err)
		c->err = code;
	return code;
}

static struct chunk *chunk_new(size_t size)
{
	if (size > SIZE_MAX - sizeof(struct chunk))
		return NULL;
	struct chunk *ch = malloc(sizeof *ch + size);
	if (!ch)
		return NULL;
	ch->next = NULL;
	ch->size = size;
	ch->used = 0;
	return ch;
}

static void *arena_alloc(struct tpl_ctx *c, size_t n)
{
	if (n > SIZE_MAX / 4) {
		ctx_fail(c, TD_ETOOBIG);
		return NULL;
	}
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (!n)
		n = ALIGN;
	struct chunk *ch = c->cur;
	if (ch && ch->size - ch->used >= n) {
		void *p = (char *)ch->data + ch->used;
		ch->used += n;
		return p;
	}
	if (ch && n > CHUNK_MAX / 4) {
		/* big block: its own chunk, behind the one being filled */
		struct chunk *big = chunk_new(n);
		if (!big) {
			ctx_fail(c, TD_ENOMEM);
			return NULL;
		}
		big->used = n;
		big->next = ch->next;
		ch->next = big;
		return big->data;
	}
	size_t size = c->next_size;
	while (size < n)
		size *= 2;
	struct chunk *nc = chunk_new(size);
	if (!nc) {
		ctx_fail(c, TD_ENOMEM);
		return NULL;
	}
	nc->next = ch;
	c->cur = nc;
	if (c->next_size < CHUNK_MAX)
		c->next_size *= 2;
	nc->used = n;
	return nc->data;
}

/* Grow the block p (old bytes, the last allocation or not) to n bytes. */
static void *arena_grow(struct tpl_ctx *c, void *p, size_t old, size_t n)
{
	struct chunk *ch = c->cur;
	size_t a_old = (old + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (p && ch && n <= SIZE_MAX / 2 &&
	    (char *)p + a_old == (char *)ch->data + ch->used) {
		size_t a_new = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
		if (a_new - a_old <= ch->size - ch->used) {
			ch->used += a_new - a_old;
			return p;
		}
	}
	void *q = arena_alloc(c, n);
	if (q && old)
		memcpy(q, p, old);
	return q;
}

struct tpl_ctx *tpl_ctx_new(void)
{
	struct tpl_ctx *c = calloc(1, sizeof *c);
	if (c)
		c->next_size = CHUNK_FIRST;
	return c;
}

void tpl_ctx_free(struct tpl_ctx *c)
{
	if (!c)
		return;
	struct chunk *ch = c->cur;
	while (ch) {
		struct chunk *next = ch->next;
		free(ch);
		ch = next;
	}
	free(c);
}

void tpl_ctx_reset(struct tpl_ctx *c)
{
	if (!c)
		return;
	if (c->cur) {
		struct chunk *ch = c->cur->next;
		while (ch) {
			struct chunk *next = ch->next;
			free(ch);
			ch = next;
		}
		c->cur->next = NULL;
		c->cur->used = 0;
	}
	c->err = 0;
}

int tpl_ctx_err(const struct tpl_ctx *c)
{
	return c ? c->err : TD_EINVAL;
}

/* ==== values ============================================================== */

struct kv {
	const char *key;
	uint32_t klen;
	uint32_t hash;
	const struct tpl_val *v;
};

/* FNV-1a: object keys and compiled names carry it, so a lookup compares
 * bytes only on a likely match. */
static uint32_t hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

struct tpl_val {
	enum tpl_type type;
	union {
		int64_t i;
		struct {
			const char *p;
			size_t len;
		} s;
		struct {
			const struct tpl_val **v;
			size_t n, cap;
		} l;
		struct {
			struct kv *kv;
			size_t n, cap;
		} o;
	} u;
};

static struct tpl_val *val_new(struct tpl_ctx *c, enum tpl_type type)
{
	struct tpl_val *v = arena_alloc(c, sizeof *v);
	if (v) {
		memset(v, 0, sizeof *v);
		v->type = type;
	}
	return v;
}

struct tpl_val *tpl_null(struct tpl_ctx *c)
{
	return val_new(c, TPL_NULL);
}

struct tpl_val *tpl_bool(struct tpl_ctx *c, int b)
{
	struct tpl_val *v = val_new(c, TPL_BOOL);
	if (v)
		v->u.i = b != 0;
	return v;
}

struct tpl_val *tpl_int(struct tpl_ctx *c, int64_t i)
{
	struct tpl_val *v = val_new(c, TPL_INT);
	if (v)
		v->u.i = i;
	return v;
}

static struct tpl_val *str_val(struct tpl_ctx *c, enum tpl_type type,
			       const char *s, size_t len, int copy)
{
	if (!s)
		s = "", len = 0;
	struct tpl_val *v = val_new(c, type);
	if (!v)
		return NULL;
	if (copy && len) {
		char *p = arena_alloc(c, len);
		if (!p)
			return NULL;
		memcpy(p, s, len);
		s = p;
	}
	v->u.s.p = s;
	v->u.s.len = len;
	return v;
}

struct tpl_val *tpl_str(struct tpl_ctx *c, const char *s)
{
	return str_val(c, TPL_STR, s, s ? strlen(s) : 0, 1);
}

struct tpl_val *tpl_strn(struct tpl_ctx *c, const char *s, size_t len)
{
	return str_val(c, TPL_STR, s, len, 1);
}

struct tpl_val *tpl_str_borrow(struct tpl_ctx *c, const char *s, size_t len)
{
	return str_val(c, TPL_STR, s, len, 0);
}

struct tpl_val *tpl_safe(struct tpl_ctx *c, const char *html, size_t len)
{
	return str_val(c, TPL_SAFE, html, len, 1);
}

struct tpl_val *tpl_safe_borrow(struct tpl_ctx *c, const char *html,
				size_t len)
{
	return str_val(c, TPL_SAFE, html, len, 0);
}

struct tpl_val *tpl_strf(struct tpl_ctx *c, const char *fmt, ...)
{
	va_list ap;
	struct chunk *ch = c->cur;
	int n;
	if (ch && ch->size > ch->used) {
		/* format straight into the free room; commit when it fits
		 * (used stays aligned: size and used are multiples of ALIGN) */
		char *p = (char *)ch->data + ch->used;
		size_t room = ch->size - ch->used;
		va_start(ap, fmt);
		n = vsnprintf(p, room, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < room) {
			ch->used += ((size_t)n + ALIGN) & ~(size_t)(ALIGN - 1);
			return str_val(c, TPL_STR, p, (size_t)n, 0);
		}
	} else {
		va_start(ap, fmt);
		n = vsnprintf(NULL, 0, fmt, ap);
		va_end(ap);
	}
	if (n < 0) {
		ctx_fail(c, TD_EINVAL);
		return NULL;
	}
	char *p = arena_alloc(c, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return str_val(c, TPL_STR, p, (size_t)n, 0);
}

struct tpl_val *tpl_list(struct tpl_ctx *c)
{
	return val_new(c, TPL_LIST);
}

struct tpl_val *tpl_obj(struct tpl_ctx *c)
{
	return val_new(c, TPL_OBJ);
}

/* Make room for one more element of size el in an array (*arr, n, *cap). */
static int grow(struct tpl_ctx *c, void **arr, size_t n, size_t *cap,
		size_t el)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 8, old, bytes;
	if (td_size_mul(*cap, el, &old) || td_size_mul(ncap, el, &bytes))
		return ctx_fail(c, TD_ETOOBIG);
	void *p = arena_grow(c, *arr, old, bytes);
	if (!p)
		return c->err;
	*arr = p;
	*cap = ncap;
	return 0;
}

int tpl_list_push(struct tpl_ctx *c, struct tpl_val *list,
		  const struct tpl_val *v)
{
	if (!list || !v)
		return c->err ? c->err : ctx_fail(c, TD_ENOMEM);
	if (list->type != TPL_LIST)
		return ctx_fail(c, TD_EINVAL);
	void *arr = (void *)list->u.l.v;
	int rc = grow(c, &arr, list->u.l.n, &list->u.l.cap, sizeof(void *));
	list->u.l.v = arr;
	if (rc)
		return rc;
	list->u.l.v[list->u.l.n++] = v;
	return 0;
}

/* memcmp(a, b, n) == 0 for the short keys of objects, without a call. */
static inline int same(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static const struct tpl_val *obj_find(const struct tpl_val *o, const char *k,
				      size_t n, uint32_t h)
{
	const struct kv *kv = o->u.o.kv;
	for (size_t i = 0; i < o->u.o.n; i++)
		if (kv[i].hash == h && kv[i].klen == n && same(kv[i].key, k, n))
			return kv[i].v;
	return NULL;
}

int tpl_obj_set(struct tpl_ctx *c, struct tpl_val *obj, const char *key,
		const struct tpl_val *v)
{
	if (!obj || !v)
		return c->err ? c->err : ctx_fail(c, TD_ENOMEM);
	if (obj->type != TPL_OBJ || !key || !*key)
		return ctx_fail(c, TD_EINVAL);
	size_t klen = strlen(key);
	if (klen > UINT32_MAX)
		return ctx_fail(c, TD_ETOOBIG);
	uint32_t h = hash(key, klen);
	struct kv *kv = obj->u.o.kv;
	for (size_t i = 0; i < obj->u.o.n; i++)
		if (kv[i].hash == h && kv[i].klen == klen &&
		    !memcmp(kv[i].key, key, klen)) {
			kv[i].v = v;
			return 0;
		}
	char *k = arena_alloc(c, klen);
	if (!k)
		return c->err;
	memcpy(k, key, klen);
	void *arr = obj->u.o.kv;
	int rc = grow(c, &arr, obj->u.o.n, &obj->u.o.cap, sizeof(struct kv));
	obj->u.o.kv = arr;
	if (rc)
		return rc;
	obj->u.o.kv[obj->u.o.n++] = (struct kv){ k, (uint32_t)klen, h, v };
	return 0;
}

int tpl_obj_set_str(struct tpl_ctx *c, struct tpl_val *obj, const char *key,
		    const char *s)
{
	return tpl_obj_set(c, obj, key, tpl_str(c, s));
}

int tpl_obj_set_int(struct tpl_ctx *c, struct tpl_val *obj, const char *key,
		    int64_t i)
{
	return tpl_obj_set(c, obj, key, tpl_int(c, i));
}

int tpl_obj_set_bool(struct tpl_ctx *c, struct tpl_val *obj, const char *key,
		     int b)
{
	return tpl_obj_set(c, obj, key, tpl_bool(c, b));
}

enum tpl_type tpl_val_type(const struct tpl_val *v)
{
	return v ? v->type : TPL_NULL;
}

size_t tpl_val_len(const struct tpl_val *v)
{
	if (!v)
		return 0;
	if (v->type == TPL_LIST)
		return v->u.l.n;
	if (v->type == TPL_OBJ)
		return v->u.o.n;
	return 0;
}

const struct tpl_val *tpl_obj_get(const struct tpl_val *v, const char *key)
{
	if (!v || v->type != TPL_OBJ || !key || !*key)
		return NULL;
	size_t n = strlen(key);
	return obj_find(v, key, n, hash(key, n));
}

/* ==== compiled templates ================================================== */

enum {
	OP_TEXT,     /* s: the bytes */
	OP_VAR,      /* escaped variable; part/nparts: the name */
	OP_RAW,      /* {{{x}}} / {{& x}} */
	OP_SECTION,  /* jump: index of the END */
	OP_INVERTED, /* jump: index of the END */
	OP_END,      /* jump: index of the opener */
	OP_PARTIAL,  /* s: the partial's name; ind: indentation */
};

struct span {
	uint32_t off, len;
};

/* A segment of a dotted name. */
struct part {
	uint32_t off, len;
	uint32_t hash;
};

struct ins {
	uint8_t op;
	uint8_t bol;   /* starts a source line: indent here in partials */
	uint8_t alone; /* PARTIAL: on a standalone line */
	uint16_t nparts; /* name segments; 0 for "." */
	uint32_t part;   /* first name segment in tpl.parts */
	uint32_t jump;
	struct span s;   /* TEXT: bytes; tags: the name as written */
	struct span ind; /* standalone PARTIAL: whitespace before the tag */
};

struct tpl {
	char *name;
	size_t name_len;
	char *src; /* copy of the source, NUL-terminated */
	size_t len;
	struct ins *ins;
	size_t nins, cap_ins;
	struct part *parts;
	size_t nparts, cap_parts;
};

void tpl_free(struct tpl *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->src);
	free(t->ins);
	free(t->parts);
	free(t);
}

const char *tpl_name(const struct tpl *t)
{
	return t ? t->name : NULL;
}

/* ==== compiler ============================================================ */

struct comp {
	struct tpl *t;
	const char *src;
	size_t len;
	struct td_error *err;
	size_t open[TD_MAX_TPL_DEPTH];    /* instruction index of each opener */
	size_t open_at[TD_MAX_TPL_DEPTH]; /* source offset of its tag */
	int depth;
	size_t line_begin; /* offset where the current source line starts */
	int tags_on_line;  /* tags seen since line_begin */
	int pending_bol;   /* next instruction starts a line */
};

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Report an error at source offset off: line, column (in characters) and
 * "NAME:LINE:COL: what" in err. */
static int fail(struct comp *cp, size_t off, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct comp *cp, size_t off, int code, const char *fmt, ...)
{
	int line = 1, col = 1;
	for (size_t i = 0; i < off && i < cp->len; i++) {
		unsigned char ch = (unsigned char)cp->src[i];
		if (ch == '\n') {
			line++;
			col = 1;
		} else if ((ch & 0xC0) != 0x80) {
			col++;
		}
	}
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return td_error_setpos(cp->err, code, line, col, "%s:%d:%d: %s",
			       cp->t->name, line, col, what);
}

static struct ins *emit(struct comp *cp, int op)
{
	struct tpl *t = cp->t;
	if (t->nins == t->cap_ins) {
		size_t ncap = t->cap_ins ? t->cap_ins * 2 : 32;
		struct ins *p = realloc(t->ins, ncap * sizeof *p);
		if (!p)
			return NULL;
		t->ins = p;
		t->cap_ins = ncap;
	}
	struct ins *in = &t->ins[t->nins++];
	memset(in, 0, sizeof *in);
	in->op = (uint8_t)op;
	return in;
}

static int emit_text(struct comp *cp, size_t a, size_t b)
{
	struct ins *in = emit(cp, OP_TEXT);
	if (!in)
		return TD_ENOMEM;
	in->bol = (uint8_t)cp->pending_bol;
	in->s = (struct span){ (uint32_t)a, (uint32_t)(b - a) };
	cp->pending_bol = 0;
	const char *nl = memrchr(cp->src + a, '\n', b - a);
	if (nl) {
		cp->line_begin = (size_t)(nl - cp->src) + 1;
		cp->tags_on_line = 0;
		cp->pending_bol = cp->line_begin == b;
	}
	return 0;
}

/* Check and split a variable or section name [a, b) (already trimmed) into
 * the parts array; fills in->part and in->nparts. */
static int parse_name(struct comp *cp, struct ins *in, size_t a, size_t b,
		      size_t tag)
{
	const char *s = cp->src;
	in->s = (struct span){ (uint32_t)a, (uint32_t)(b - a) };
	if (b - a == 1 && s[a] == '.')
		return 0; /* the current item */
	if (b - a > TD_MAX_TPL_NAME)
		return fail(cp, tag, TD_EPARSE, "name longer than %d bytes",
			    TD_MAX_TPL_NAME);
	in->part = (uint32_t)cp->t->nparts;
	size_t seg = a;
	for (size_t i = a; i <= b; i++) {
		if (i < b && is_name_char(s[i]))
			continue;
		if ((i < b && s[i] != '.') || i == seg)
			return fail(cp, tag, TD_EPARSE, "bad name '%.*s'",
				    (int)(b - a > 60 ? 60 : b - a), s + a);
		struct tpl *t = cp->t;
		if (t->nparts == t->cap_parts) {
			size_t ncap = t->cap_parts ? t->cap_parts * 2 : 32;
			struct part *p = realloc(t->parts, ncap * sizeof *p);
			if (!p)
				return TD_ENOMEM;
			t->parts = p;
			t->cap_parts = ncap;
		}
		t->parts[t->nparts++] = (struct part){
			(uint32_t)seg, (uint32_t)(i - seg), hash(s + seg, i - seg)
		};
		in->nparts++;
		seg = i + 1;
	}
	return 0;
}

static int check_partial_name(struct comp *cp, size_t a, size_t b, size_t tag)
{
	if (b - a > TD_MAX_TPL_NAME)
		return fail(cp, tag, TD_EPARSE, "name longer than %d bytes",
			    TD_MAX_TPL_NAME);
	for (size_t i = a; i < b; i++) {
		char c = cp->src[i];
		if (!is_name_char(c) && c != '.' && c != '/')
			return fail(cp, tag, TD_EPARSE,
				    "bad partial name '%.*s'",
				    (int)(b - a > 60 ? 60 : b - a),
				    cp->src + a);
	}
	return 0;
}

/* If the tag [ts, te) stands alone on its line, return 1 and set *after to
 * the offset past the line's end. */
static int standalone(const struct comp *cp, size_t ts, size_t te,
		      size_t *after)
{
	if (cp->tags_on_line)
		return 0;
	for (size_t i = cp->line_begin; i < ts; i++)
		if (cp->src[i] != ' ' && cp->src[i] != '\t')
			return 0;
	size_t q = te;
	while (q < cp->len && (cp->src[q] == ' ' || cp->src[q] == '\t'))
		q++;
	if (q == cp->len)
		*after = q;
	else if (cp->src[q] == '\n')
		*after = q + 1;
	else if (cp->src[q] == '\r' && q + 1 < cp->len && cp->src[q + 1] == '\n')
		*after = q + 2;
	else
		return 0;
	return 1;
}

/* Drop the whitespace [line_begin, ts) of a standalone line from the text
 * run just emitted. */
static void strip_indent(struct comp *cp, size_t ts)
{
	size_t w = ts - cp->line_begin;
	struct tpl *t = cp->t;
	if (!w || !t->nins)
		return;
	struct ins *last = &t->ins[t->nins - 1];
	if (last->op != OP_TEXT || last->s.off + last->s.len != ts ||
	    last->s.len < w)
		return; /* cannot happen: a tag on the line would show */
	last->s.len -= (uint32_t)w;
	if (!last->s.len)
		t->nins--;
}

/* Compile the tag starting at ts ("{{"); *pos is set past it. */
static int compile_tag(struct comp *cp, size_t ts, size_t *pos)
{
	const char *s = cp->src;
	size_t len = cp->len, p = ts + 2, a, b, te;
	char kind;
	if (p < len && s[p] == '{') {
		const char *c = memmem(s + p + 1, len - p - 1, "}}}", 3);
		if (!c)
			return fail(cp, ts, TD_EPARSE,
				    "unclosed tag, expected '}}}'");
		kind = '&';
		a = p + 1;
		b = (size_t)(c - s);
		te = b + 3;
	} else {
		const char *c = memmem(s + p, len - p, "}}", 2);
		if (!c)
			return fail(cp, ts, TD_EPARSE,
				    "unclosed tag, expected '}}'");
		b = (size_t)(c - s);
		te = b + 2;
		kind = p < b ? s[p] : 0;
		switch (kind) {
		case '#': case '^': case '/': case '>': case '&': case '!':
			a = p + 1;
			break;
		default:
			kind = 'v';
			a = p;
			break;
		}
	}
	if (kind == '!') {
		size_t after;
		if (standalone(cp, ts, te, &after)) {
			strip_indent(cp, ts);
			cp->line_begin = *pos = after;
			cp->pending_bol = 1;
		} else {
			cp->tags_on_line++;
			*pos = te;
		}
		return 0;
	}
	while (a < b && is_ws(s[a]))
		a++;
	while (b > a && is_ws(s[b - 1]))
		b--;
	if (a == b)
		return fail(cp, ts, TD_EPARSE, kind == 'v' ? "empty tag"
							  : "tag without a name");
	if (kind == 'v' && !is_name_char(s[a]) && s[a] != '.')
		return fail(cp, ts, TD_EPARSE, "unknown tag '{{%c'", s[a]);

	size_t after = te;
	int alone = kind != 'v' && kind != '&' && standalone(cp, ts, te, &after);
	size_t ind_off = cp->line_begin, ind_len = alone ? ts - cp->line_begin : 0;
	if (alone)
		strip_indent(cp, ts);

	int rc = 0, op;
	switch (kind) {
	case 'v': op = OP_VAR; break;
	case '&': op = OP_RAW; break;
	case '#': op = OP_SECTION; break;
	case '^': op = OP_INVERTED; break;
	case '/': op = OP_END; break;
	default: op = OP_PARTIAL; break;
	}
	if (op == OP_PARTIAL && (rc = check_partial_name(cp, a, b, ts)))
		return rc;
	if (op == OP_SECTION || op == OP_INVERTED) {
		if (cp->depth == TD_MAX_TPL_DEPTH)
			return fail(cp, ts, TD_ETOOBIG,
				    "sections nested deeper than %d",
				    TD_MAX_TPL_DEPTH);
	}
	if (op == OP_END) {
		if (!cp->depth)
			return fail(cp, ts, TD_EPARSE,
				    "unexpected {{/%.*s}}, no section is open",
				    (int)(b - a > 60 ? 60 : b - a), s + a);
		const struct ins *o = &cp->t->ins[cp->open[cp->depth - 1]];
		if (o->s.len != b - a || memcmp(s + o->s.off, s + a, b - a))
			return fail(cp, ts, TD_EPARSE,
				    "mismatched {{/%.*s}}, expected {{/%.*s}}",
				    (int)(b - a > 60 ? 60 : b - a), s + a,
				    (int)(o->s.len > 60 ? 60 : o->s.len),
				    s + o->s.off);
	}
	struct ins *in = emit(cp, op);
	if (!in)
		return TD_ENOMEM;
	size_t idx = cp->t->nins - 1;
	if (op == OP_PARTIAL) {
		in->s = (struct span){ (uint32_t)a, (uint32_t)(b - a) };
		in->alone = (uint8_t)alone;
		in->ind = (struct span){ (uint32_t)ind_off, (uint32_t)ind_len };
	} else if ((rc = parse_name(cp, in, a, b, ts))) {
		return rc;
	}
	if (op == OP_SECTION || op == OP_INVERTED) {
		cp->open[cp->depth] = idx;
		cp->open_at[cp->depth++] = ts;
	} else if (op == OP_END) {
		size_t o = cp->open[--cp->depth];
		cp->t->ins[o].jump = (uint32_t)idx;
		in->jump = (uint32_t)o;
	}
	if (alone) {
		cp->line_begin = after;
		cp->tags_on_line = 0;
		cp->pending_bol = 1;
	} else {
		in->bol = (uint8_t)cp->pending_bol;
		cp->pending_bol = 0;
		cp->tags_on_line++;
	}
	*pos = after;
	return 0;
}

int tpl_compile(const char *src, size_t len, const char *name,
		struct tpl **out, struct td_error *err)
{
	int rc;
	*out = NULL;
	if (!src && len)
		return td_error_set(err, TD_EINVAL, "no template source");
	if (!name)
		name = "template";
	struct comp *cp = NULL;
	struct tpl *t = calloc(1, sizeof *t);
	if (!t)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	t->name_len = strlen(name);
	t->name = td_strndup(name, t->name_len);
	if (len > TD_MAX_TPL_SOURCE) {
		rc = td_error_set(err, TD_ETOOBIG,
				  "%s: template larger than %u bytes", name,
				  (unsigned)TD_MAX_TPL_SOURCE);
		goto out;
	}
	t->src = malloc(len + 1);
	cp = malloc(sizeof *cp);
	if (!t->name || !t->src || !cp) {
		rc = td_error_set(err, TD_ENOMEM, "out of memory");
		goto out;
	}
	if (len)
		memcpy(t->src, src, len);
	t->src[len] = '\0';
	t->len = len;
	*cp = (struct comp){ .t = t, .src = t->src, .len = len, .err = err,
			     .pending_bol = 1 };

	size_t pos = 0;
	while (pos < len) {
		const char *o = memmem(t->src + pos, len - pos, "{{", 2);
		size_t ts = o ? (size_t)(o - t->src) : len;
		if (ts > pos && (rc = emit_text(cp, pos, ts)))
			goto out;
		if (!o)
			break;
		if ((rc = compile_tag(cp, ts, &pos)))
			goto out;
	}
	if (cp->depth) {
		const struct ins *o = &t->ins[cp->open[cp->depth - 1]];
		rc = fail(cp, cp->open_at[cp->depth - 1], TD_EPARSE,
			  "unclosed section '%.*s'",
			  (int)(o->s.len > 60 ? 60 : o->s.len),
			  t->src + o->s.off);
		goto out;
	}
	*out = t;
	t = NULL;
	rc = 0;
out:
	if (rc == TD_ENOMEM)
		td_error_set(err, TD_ENOMEM, "out of memory");
	free(cp);
	tpl_free(t);
	return rc;
}

/* ==== template sets ======================================================= */

struct tpl_set {
	struct tpl **v;
	size_t n, cap;
};

struct tpl_set *tpl_set_new(void)
{
	return calloc(1, sizeof(struct tpl_set));
}

void tpl_set_free(struct tpl_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		tpl_free(s->v[i]);
	free(s->v);
	free(s);
}

static const struct tpl *set_find(const struct tpl_set *s, const char *name,
				  size_t len)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i]->name_len == len && !memcmp(s->v[i]->name, name, len))
			return s->v[i];
	return NULL;
}

int tpl_set_add_take(struct tpl_set *s, struct tpl *t)
{
	if (!s || !t) {
		tpl_free(t);
		return TD_EINVAL;
	}
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i]->name_len == t->name_len &&
		    !memcmp(s->v[i]->name, t->name, t->name_len)) {
			tpl_free(s->v[i]);
			s->v[i] = t;
			return 0;
		}
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 16;
		struct tpl **p = realloc(s->v, ncap * sizeof *p);
		if (!p) {
			tpl_free(t);
			return TD_ENOMEM;
		}
		s->v = p;
		s->cap = ncap;
	}
	s->v[s->n++] = t;
	return 0;
}

int tpl_set_add(struct tpl_set *s, const char *name, const char *src,
		size_t len, struct td_error *err)
{
	if (!s || !name)
		return td_error_set(err, TD_EINVAL, "no set or name");
	struct tpl *t;
	int rc = tpl_compile(src, len, name, &t, err);
	if (rc)
		return rc;
	rc = tpl_set_add_take(s, t);
	if (rc)
		td_error_set(err, rc, "%s: %s", name, td_strerror(rc));
	return rc;
}

const struct tpl *tpl_set_get(const struct tpl_set *s, const char *name)
{
	if (!s || !name)
		return NULL;
	return set_find(s, name, strlen(name));
}

/* ==== escaping ============================================================ */

static const uint8_t esc_class[256] = {
	['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4,
	['\''] = 5, ['`'] = 6, ['='] = 7,
};
static const struct td_str esc_rep[8] = {
	{ "", 0 },
	{ "&amp;", 5 },  { "&lt;", 4 },	 { "&gt;", 4 }, { "&quot;", 6 },
	{ "&#39;", 5 },	 { "&#96;", 5 }, { "&#61;", 5 },
};

/* Append n bytes: a memcpy when they fit in the allocated room, else
 * td_buf_append (which grows the buffer, or records the error). */
static inline void put(struct td_buf *b, const void *p, size_t n)
{
	if (!b->err && b->p && n < b->cap - b->len && n <= b->max - b->len) {
		memcpy(b->p + b->len, p, n);
		b->len += n;
		b->p[b->len] = '\0';
		return;
	}
	td_buf_append(b, p, n);
}

/* First byte in [p, e) that needs escaping, or e. Values are mostly plain
 * text, so this skips 16 bytes per step where SSE2 is available. */
static const unsigned char *next_special(const unsigned char *p,
					 const unsigned char *e)
{
#ifdef __SSE2__
	const __m128i amp = _mm_set1_epi8('&'), lt = _mm_set1_epi8('<'),
		      gt = _mm_set1_epi8('>'), quot = _mm_set1_epi8('"'),
		      apos = _mm_set1_epi8('\''), tick = _mm_set1_epi8('`'),
		      eq = _mm_set1_epi8('=');
	while (e - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i m = _mm_or_si128(
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, amp),
						  _mm_cmpeq_epi8(v, lt)),
				     _mm_or_si128(_mm_cmpeq_epi8(v, gt),
						  _mm_cmpeq_epi8(v, quot))),
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, apos),
						  _mm_cmpeq_epi8(v, tick)),
				     _mm_cmpeq_epi8(v, eq)));
		int mask = _mm_movemask_epi8(m);
		if (mask)
			return p + __builtin_ctz((unsigned)mask);
		p += 16;
	}
#endif
	while (p < e && !esc_class[*p])
		p++;
	return p;
}

int tpl_escape(struct td_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	while (p < e) {
		const unsigned char *q = next_special(p, e);
		if (q > p)
			put(out, p, (size_t)(q - p));
		if (q == e)
			break;
		const struct td_str *r = &esc_rep[esc_class[*q]];
		put(out, r->p, r->len);
		p = q + 1;
	}
	return td_buf_err(out);
}

/* ==== renderer ============================================================ */

struct rs {
	const struct tpl_set *set;
	struct td_buf *out;
	size_t steps;
	int sp;     /* contexts on the stack */
	int depth;  /* nested render() calls */
	int pdepth; /* nested partials */
	int nind;   /* indentation segments in effect */
	struct td_str ind[TD_MAX_TPL_PARTIAL_DEPTH];
	const struct tpl_val *stack[TD_MAX_TPL_RENDER_DEPTH + 1];
};

static void put_indent(struct rs *rs)
{
	for (int i = 0; i < rs->nind; i++)
		put(rs->out, rs->ind[i].p, rs->ind[i].len);
}

/* A text run inside an indented partial: indentation before each
 * non-empty line. */
static void put_text_indented(struct rs *rs, const char *p, size_t len,
			      int bol)
{
	const char *e = p + len;
	while (p < e) {
		if (bol && *p != '\n' && !(*p == '\r' && p + 1 < e && p[1] == '\n'))
			put_indent(rs);
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *q = nl ? nl + 1 : e;
		put(rs->out, p, (size_t)(q - p));
		p = q;
		bol = 1;
	}
}

static const struct tpl_val *lookup(const struct rs *rs, const struct tpl *t,
				    const struct ins *in)
{
	if (!in->nparts)
		return rs->sp ? rs->stack[rs->sp - 1] : NULL;
	const struct part *pt = &t->parts[in->part];
	const char *name = t->src + pt->off;
	const struct tpl_val *v = NULL;
	for (int i = rs->sp - 1; i >= 0 && !v; i--) {
		const struct tpl_val *c = rs->stack[i];
		if (c->type == TPL_OBJ)
			v = obj_find(c, name, pt->len, pt->hash);
	}
	for (unsigned k = 1; v && k < in->nparts; k++)
		v = v->type == TPL_OBJ ? obj_find(v, t->src + pt[k].off,
						  pt[k].len, pt[k].hash)
				       : NULL;
	return v;
}

static int truthy(const struct tpl_val *v)
{
	if (!v)
		return 0;
	switch (v->type) {
	case TPL_NULL: return 0;
	case TPL_BOOL:
	case TPL_INT: return v->u.i != 0;
	case TPL_STR:
	case TPL_SAFE: return v->u.s.len != 0;
	case TPL_LIST: return v->u.l.n != 0;
	case TPL_OBJ: return 1;
	}
	return 0;
}

static void put_int(struct td_buf *out, int64_t i)
{
	char buf[24], *p = buf + sizeof buf;
	uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (i < 0)
		*--p = '-';
	put(out, p, (size_t)(buf + sizeof buf - p));
}

static void put_val(struct td_buf *out, const struct tpl_val *v, int raw)
{
	if (!v)
		return;
	switch (v->type) {
	case TPL_BOOL:
		if (v->u.i)
			put(out, "true", 4);
		else
			put(out, "false", 5);
		break;
	case TPL_INT:
		put_int(out, v->u.i);
		break;
	case TPL_SAFE:
		if (raw) {
			put(out, v->u.s.p, v->u.s.len);
			break;
		}
		/* fall through */
	case TPL_STR:
		tpl_escape(out, v->u.s.p, v->u.s.len);
		break;
	case TPL_NULL:
	case TPL_LIST:
	case TPL_OBJ:
		break;
	}
}

static int render(struct rs *rs, const struct tpl *t, size_t i, size_t end);

/* Render the body [i, end) once with v pushed as the innermost context. */
static int render_with(struct rs *rs, const struct tpl *t, size_t i,
		       size_t end, const struct tpl_val *v)
{
	if (rs->sp > TD_MAX_TPL_RENDER_DEPTH)
		return TD_ETOOBIG;
	rs->stack[rs->sp++] = v;
	int rc = render(rs, t, i, end);
	rs->sp--;
	return rc;
}

static int render_partial(struct rs *rs, const struct ins *in,
			  const struct tpl *t)
{
	const struct tpl *p =
		rs->set ? set_find(rs->set, t->src + in->s.off, in->s.len)
			: NULL;
	if (!p)
		return 0;
	if (rs->pdepth >= TD_MAX_TPL_PARTIAL_DEPTH)
		return TD_ETOOBIG;
	int saved = rs->nind;
	if (!in->alone)
		rs->nind = 0; /* inline: no indentation at all */
	else if (in->ind.len)
		rs->ind[rs->nind++] =
			(struct td_str){ t->src + in->ind.off, in->ind.len };
	rs->pdepth++;
	int rc = render(rs, p, 0, p->nins);
	rs->pdepth--;
	rs->nind = saved;
	return rc;
}

static int render(struct rs *rs, const struct tpl *t, size_t i, size_t end)
{
	int rc = 0;
	if (rs->depth >= TD_MAX_TPL_RENDER_DEPTH)
		return TD_ETOOBIG;
	rs->depth++;
	while (i < end) {
		const struct ins *in = &t->ins[i];
		if (++rs->steps > TD_MAX_TPL_STEPS) {
			rc = TD_ETOOBIG;
			break;
		}
		if (in->op == OP_TEXT) {
			if (rs->nind)
				put_text_indented(rs, t->src + in->s.off,
						  in->s.len, in->bol);
			else
				put(rs->out, t->src + in->s.off,
					      in->s.len);
			i++;
			continue;
		}
		if (in->bol && rs->nind)
			put_indent(rs);
		const struct tpl_val *v;
		switch (in->op) {
		case OP_VAR:
		case OP_RAW:
			put_val(rs->out, lookup(rs, t, in), in->op == OP_RAW);
			i++;
			break;
		case OP_SECTION:
			v = lookup(rs, t, in);
			if (v && v->type == TPL_LIST) {
				for (size_t k = 0; k < v->u.l.n && !rc; k++) {
					rc = render_with(rs, t, i + 1,
							 in->jump + 1u,
							 v->u.l.v[k]);
					if (!rc)
						rc = td_buf_err(rs->out);
				}
			} else if (truthy(v)) {
				rc = render_with(rs, t, i + 1, in->jump + 1u, v);
			}
			i = in->jump + 1u;
			break;
		case OP_INVERTED:
			if (!truthy(lookup(rs, t, in)))
				rc = render(rs, t, i + 1, in->jump + 1u);
			i = in->jump + 1u;
			break;
		case OP_PARTIAL:
			rc = render_partial(rs, in, t);
			i++;
			break;
		default: /* OP_END: the body's end; its indentation is done */
			i++;
			break;
		}
		if (rc || (rc = td_buf_err(rs->out)))
			break;
	}
	rs->depth--;
	return rc;
}

int tpl_render(const struct tpl *t, const struct tpl_set *partials,
	       const struct tpl_val *root, struct td_buf *out)
{
	if (!t || !out)
		return TD_EINVAL;
	if (td_buf_err(out))
		return td_buf_err(out);
	struct rs rs;
	rs.set = partials;
	rs.out = out;
	rs.steps = 0;
	rs.sp = 0;
	rs.depth = 0;
	rs.pdepth = 0;
	rs.nind = 0;
	if (root)
		rs.stack[rs.sp++] = root;
	int rc = render(&rs, t, 0, t->nins);
	return rc ? rc : td_buf_err(out);
}
