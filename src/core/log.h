/*
 * log.h - one-line diagnostics on stderr, prefixed "tidings: ".
 */
#ifndef TD_LOG_H
#define TD_LOG_H

enum { TD_LOG_ERROR, TD_LOG_WARN, TD_LOG_INFO, TD_LOG_DEBUG };

/* Messages above this level are dropped (default TD_LOG_WARN; TIDINGS_LOG
 * = error|warn|info|debug overrides). */
void td_log_set_level(int level);
int td_log_level(void);
void td_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
