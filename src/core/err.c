#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *td_strerror(int code)
{
	switch (code) {
	case TD_OK: return "success";
	case TD_ENOMEM: return "out of memory";
	case TD_ETOOBIG: return "too big";
	case TD_EINVAL: return "invalid input";
	case TD_EPARSE: return "nothing could be parsed";
	case TD_EIO: return "I/O error";
	case TD_ENOTFOUND: return "not found";
	case TD_EDB: return "database error";
	case TD_EFETCH: return "fetch error";
	case TD_EEXIST: return "already exists";
	case TD_EUSAGE: return "usage error";
	case TD_EUNSUPPORTED: return "unsupported";
	}
	return "unknown error";
}

__attribute__((format(printf, 5, 0))) static void
vset(struct td_error *err, int code, int line, int col, const char *fmt,
     va_list ap)
{
	err->code = code;
	err->line = line;
	err->col = col;
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	for (char *p = err->msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

int td_error_set(struct td_error *err, int code, const char *fmt, ...)
{
	if (!err)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vset(err, code, 0, 0, fmt, ap);
	va_end(ap);
	return code;
}

int td_error_setpos(struct td_error *err, int code, int line, int col,
		    const char *fmt, ...)
{
	if (!err)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vset(err, code, line, col, fmt, ap);
	va_end(ap);
	return code;
}
