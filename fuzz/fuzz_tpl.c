/*
 * fuzz_tpl.c - libFuzzer driver for the template engine.
 *
 * Each input is compiled as a template ("main"). When it compiles, it is
 * rendered against a fixed data tree (lists, nested objects, an
 * object that contains itself, hostile strings, safe HTML) with partials
 * that include "main" itself and a self-recursive one, into a buffer
 * capped at 256 KiB. It checks that:
 *   - compile errors carry a position and a message;
 *   - a render returns 0 or TD_ETOOBIG (limits), never anything else, and
 *     (for small outputs) a second render gives the same bytes;
 *   - escaping holds: the hostile strings put a 0x7f byte right after each
 *     special character, so when the template itself has no 0x7f, every
 *     0x7f in the output must follow an entity's ';' - even through
 *     {{{x}}} and {{& x}}, which only pass TPL_SAFE values raw.
 * Time is bounded by TD_MAX_TPL_STEPS, memory by the buffer ceiling.
 */
#include "tpl/tpl.h"

#include "core/buf.h"
#include "core/err.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVIL "<\x7f\"\x7f'\x7f&\x7f`\x7f=\x7f>\x7f"
#define OUT_MAX (256u * 1024u)

static struct tpl_ctx *ctx;
static struct tpl_val *root;

static struct tpl_val *item(struct tpl_ctx *c, int i)
{
	struct tpl_val *o = tpl_obj(c);
	tpl_obj_set_int(c, o, "id", i);
	tpl_obj_set(c, o, "title", tpl_strf(c, "title %d " EVIL, i));
	tpl_obj_set_bool(c, o, "odd", i & 1);
	if (i % 3)
		tpl_obj_set(c, o, "image", tpl_str(c, "https://x/" EVIL));
	struct tpl_val *tags = tpl_list(c);
	for (int k = 0; k < i % 4; k++)
		tpl_list_push(c, tags, tpl_strf(c, "t%d" EVIL, k));
	tpl_obj_set(c, o, "tags", tags);
	return o;
}

static void build(void)
{
	ctx = tpl_ctx_new();
	if (!ctx)
		abort();
	struct tpl_ctx *c = ctx;
	root = tpl_obj(c);
	tpl_obj_set_str(c, root, "title", EVIL);
	tpl_obj_set_str(c, root, "s", "plain");
	tpl_obj_set_str(c, root, "empty", "");
	const char *html = "<p>safe <b>html</b> &amp; more</p>";
	tpl_obj_set(c, root, "body", tpl_safe(c, html, strlen(html)));
	tpl_obj_set_int(c, root, "n", -42);
	tpl_obj_set_int(c, root, "zero", 0);
	tpl_obj_set_bool(c, root, "t", 1);
	tpl_obj_set_bool(c, root, "f", 0);
	tpl_obj_set(c, root, "nil", tpl_null(c));
	struct tpl_val *items = tpl_list(c);
	for (int i = 0; i < 5; i++)
		tpl_list_push(c, items, item(c, i));
	tpl_obj_set(c, root, "items", items);
	tpl_obj_set(c, root, "none", tpl_list(c));
	struct tpl_val *nested = tpl_list(c), *inner = tpl_list(c);
	tpl_list_push(c, inner, tpl_str(c, EVIL));
	tpl_list_push(c, inner, tpl_int(c, 7));
	tpl_list_push(c, nested, inner);
	tpl_list_push(c, nested, tpl_list(c));
	tpl_obj_set(c, root, "nested", nested);
	struct tpl_val *a = tpl_obj(c), *b = tpl_obj(c);
	tpl_obj_set(c, b, "c", tpl_str(c, "deep " EVIL));
	tpl_obj_set(c, a, "b", b);
	tpl_obj_set(c, root, "a", a);
	tpl_obj_set(c, root, "self", root); /* a cycle: self.self.self... */
	if (tpl_ctx_err(c))
		abort();
}

static void check_escaped(const struct td_buf *b, const char *what)
{
	for (size_t i = 0; i < b->len; i++)
		if (b->p[i] == '\x7f' && (i == 0 || b->p[i - 1] != ';')) {
			fprintf(stderr, "unescaped value in %s output at %zu: %.*s\n",
				what, i, (int)(b->len < 200 ? b->len : 200),
				b->p);
			abort();
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ctx)
		build();
	const char *src = (const char *)data;
	struct td_error err = { 0 };
	struct tpl *t = NULL;
	int rc = tpl_compile(src, size, "main", &t, &err);
	if (rc) {
		if (t || !err.msg[0] ||
		    (rc == TD_EPARSE && (err.line < 1 || err.col < 1))) {
			fprintf(stderr, "bad compile error: %d %d:%d %s\n", rc,
				err.line, err.col, err.msg);
			abort();
		}
		return 0;
	}
	struct tpl_set *set = tpl_set_new();
	if (!set)
		abort();
	static const char *const parts[][2] = {
		{ "item", "<li>{{title}}{{#odd}}!{{/odd}}</li>\n" },
		{ "rec", "[{{>rec}}]" },
		{ "back", "  {{>main}}\n" },
	};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		if (tpl_set_add(set, parts[i][0], parts[i][1],
				strlen(parts[i][1]), NULL))
			abort();
	if (tpl_set_add_take(set, t))
		abort();
	const struct tpl *m = tpl_set_get(set, "main");

	struct td_buf b1, b2;
	td_buf_init(&b1, OUT_MAX);
	td_buf_init(&b2, OUT_MAX);
	int r1 = tpl_render(m, set, root, &b1);
	/* the second render only when the first was cheap */
	int r2 = r1 || b1.len > 4096 ? r1 : tpl_render(m, set, root, &b2);
	if ((r1 && r1 != TD_ETOOBIG) || r1 != r2 ||
	    (!r1 && b1.len <= 4096 &&
	     (b1.len != b2.len || (b1.len && memcmp(b1.p, b2.p, b1.len))))) {
		fprintf(stderr, "render: %d %d, %zu vs %zu bytes\n", r1, r2,
			b1.len, b2.len);
		abort();
	}
	if (!memchr(src, '\x7f', size))
		check_escaped(&b1, "main");
	/* no data at all, and no partials */
	td_buf_reset(&b2);
	r2 = tpl_render(m, NULL, NULL, &b2);
	if (r2 && r2 != TD_ETOOBIG)
		abort();
	td_buf_release(&b1);
	td_buf_release(&b2);
	tpl_set_free(set);
	return 0;
}
