#include "core/json.h"

#include "core/buf.h"

#include <string.h>

void td_json_init(struct td_json *j, struct td_buf *out, int indent)
{
	memset(j, 0, sizeof *j);
	j->out = out;
	j->indent = indent;
}

static void newline(struct td_json *j)
{
	if (!j->indent)
		return;
	char sp[128];
	size_t n = (size_t)j->depth * (size_t)j->indent;
	td_buf_putc(j->out, '\n');
	while (n) {
		size_t k = n < sizeof sp ? n : sizeof sp;
		memset(sp, ' ', k);
		td_buf_append(j->out, sp, k);
		n -= k;
	}
}

/* Separator and indentation before a value or key at the current level. */
static void before(struct td_json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth == 0)
		return;
	if (j->has_items[j->depth])
		td_buf_putc(j->out, ',');
	j->has_items[j->depth] = 1;
	newline(j);
}

static void open(struct td_json *j, char c)
{
	before(j);
	td_buf_putc(j->out, c);
	if (j->depth + 1 < TD_JSON_MAX_DEPTH)
		j->depth++;
	j->has_items[j->depth] = 0;
}

static void close_(struct td_json *j, char c)
{
	int had = j->has_items[j->depth];
	if (j->depth > 0)
		j->depth--;
	if (had)
		newline(j);
	td_buf_putc(j->out, c);
}

void td_json_obj_begin(struct td_json *j) { open(j, '{'); }
void td_json_obj_end(struct td_json *j) { close_(j, '}'); }
void td_json_arr_begin(struct td_json *j) { open(j, '['); }
void td_json_arr_end(struct td_json *j) { close_(j, ']'); }

void td_json_escape(struct td_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	td_buf_putc(b, '"');
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		td_buf_append(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': td_buf_append(b, "\\\"", 2); break;
		case '\\': td_buf_append(b, "\\\\", 2); break;
		case '\b': td_buf_append(b, "\\b", 2); break;
		case '\f': td_buf_append(b, "\\f", 2); break;
		case '\n': td_buf_append(b, "\\n", 2); break;
		case '\r': td_buf_append(b, "\\r", 2); break;
		case '\t': td_buf_append(b, "\\t", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4],
				      hex[c & 15] };
			td_buf_append(b, u, 6);
		}
		}
	}
	td_buf_append(b, s + run, len - run);
	td_buf_putc(b, '"');
}

void td_json_key(struct td_json *j, const char *key)
{
	before(j);
	td_json_escape(j->out, key, strlen(key));
	td_buf_append(j->out, j->indent ? ": " : ":", j->indent ? 2 : 1);
	j->after_key = 1;
}

void td_json_strn(struct td_json *j, const char *s, size_t len)
{
	before(j);
	td_json_escape(j->out, s, len);
}

void td_json_str(struct td_json *j, const char *s)
{
	if (!s) {
		td_json_null(j);
		return;
	}
	td_json_strn(j, s, strlen(s));
}

void td_json_int(struct td_json *j, int64_t v)
{
	before(j);
	td_buf_printf(j->out, "%lld", (long long)v);
}

void td_json_bool(struct td_json *j, int v)
{
	before(j);
	td_buf_puts(j->out, v ? "true" : "false");
}

void td_json_null(struct td_json *j)
{
	before(j);
	td_buf_puts(j->out, "null");
}

void td_json_kstr(struct td_json *j, const char *key, const char *s)
{
	if (s && *s) {
		td_json_key(j, key);
		td_json_str(j, s);
	}
}
