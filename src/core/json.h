/*
 * json.h - a streaming JSON writer into a td_buf.
 *
 * Faster than building a jansson tree and dumping it (the tree costs an
 * allocation per value and a hash per key). With indent > 0 the layout is
 * byte-for-byte jansson's JSON_INDENT(n) | JSON_PRESERVE_ORDER, so outputs
 * stay stable whichever writer produced them; indent 0 is compact.
 * Strings must be valid UTF-8 (the feed model guarantees it); control
 * characters are escaped as jansson does. Errors are the buffer's (sticky).
 */
#ifndef TD_JSON_H
#define TD_JSON_H

#include <stddef.h>
#include <stdint.h>

struct td_buf;

#define TD_JSON_MAX_DEPTH 64

/* Where td_json_flush hands buffered output: returns 0 or a negative
 * TD_E* code. */
typedef int (*td_json_sink_fn)(void *ud, const char *p, size_t n);

struct td_json {
	struct td_buf *out;
	int indent;
	int depth;
	unsigned char has_items[TD_JSON_MAX_DEPTH];
	unsigned char after_key; /* the next value follows "key": */
	td_json_sink_fn sink;	 /* NULL: everything stays in out */
	void *sink_ud;
	size_t flush_at;
	int sink_err;
};

void td_json_init(struct td_json *j, struct td_buf *out, int indent);
/* Stream: from now on td_json_flush hands out's bytes to sink (and empties
 * out) once flush_at bytes are buffered, so a long document needs only a
 * window of memory. */
void td_json_set_sink(struct td_json *j, td_json_sink_fn sink, void *ud,
		      size_t flush_at);
/* With a sink: pass on what out holds when it is at least flush_at bytes,
 * or whatever it holds when force is set. Returns 0, out's error, or the
 * sink's (sticky). Without a sink: returns out's error. */
int td_json_flush(struct td_json *j, int force);
void td_json_obj_begin(struct td_json *j);
void td_json_obj_end(struct td_json *j);
void td_json_arr_begin(struct td_json *j);
void td_json_arr_end(struct td_json *j);
/* Member name inside an object; the next call writes its value. */
void td_json_key(struct td_json *j, const char *key);
void td_json_str(struct td_json *j, const char *s);
void td_json_strn(struct td_json *j, const char *s, size_t len);
/* A string that may hold invalid UTF-8 (text read back from the database,
 * where tests and old versions may have put any bytes): invalid sequences
 * become U+FFFD (td_utf8_clean). NULL writes null. */
void td_json_text(struct td_json *j, const char *s);
void td_json_textn(struct td_json *j, const char *s, size_t len);
void td_json_int(struct td_json *j, int64_t v);
void td_json_bool(struct td_json *j, int v);
void td_json_null(struct td_json *j);
/* Shorthands: a member only when the value is present. */
void td_json_kstr(struct td_json *j, const char *key, const char *s);

/* Append s as a JSON string literal (with quotes) to b. */
void td_json_escape(struct td_buf *b, const char *s, size_t len);

#endif
