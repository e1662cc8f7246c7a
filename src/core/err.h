/*
 * err.h - error codes and the optional human-detail error struct.
 *
 * Status functions return 0 or a negative TD_E* code. Where a human needs
 * detail (line and column, curl's message, SQLite's errmsg) the callee fills
 * a struct td_error passed by the caller (may be NULL); the caller logs it
 * once, where the decision is made.
 */
#ifndef TD_ERR_H
#define TD_ERR_H

#include <stddef.h>

enum {
	TD_OK = 0,
	TD_ENOMEM = -1,    /* out of memory */
	TD_ETOOBIG = -2,   /* input exceeds a limit in limits.h */
	TD_EINVAL = -3,    /* invalid argument or malformed input */
	TD_EPARSE = -4,    /* nothing recoverable in a document */
	TD_EIO = -5,       /* file or socket I/O failed */
	TD_ENOTFOUND = -6, /* no such object */
	TD_EDB = -7,       /* database error */
	TD_EFETCH = -8,    /* network/transfer error */
	TD_EEXIST = -9,    /* object already exists */
	TD_EUSAGE = -10,   /* command-line usage error */
	TD_EUNSUPPORTED = -11,
};

struct td_error {
	int code;      /* TD_E* */
	int line, col; /* 0 when unknown */
	char msg[512]; /* one line, no trailing newline */
};

/* Name of a TD_E* code; never NULL. */
const char *td_strerror(int code);

/* Fill err (if not NULL) with code and a printf-style message; returns code,
 * so `return td_error_set(err, TD_EINVAL, "bad %s", x);` works. */
int td_error_set(struct td_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like td_error_set, with a position. */
int td_error_setpos(struct td_error *err, int code, int line, int col,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
