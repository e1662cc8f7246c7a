#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int level = -1;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void td_log_set_level(int l)
{
	level = l;
}

int td_log_level(void)
{
	if (level < 0) {
		const char *e = getenv("TIDINGS_LOG");
		level = TD_LOG_WARN;
		if (e) {
			if (!strcmp(e, "error"))
				level = TD_LOG_ERROR;
			else if (!strcmp(e, "info"))
				level = TD_LOG_INFO;
			else if (!strcmp(e, "debug"))
				level = TD_LOG_DEBUG;
		}
	}
	return level;
}

void td_log(int l, const char *fmt, ...)
{
	if (l > td_log_level())
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	pthread_mutex_lock(&lock);
	fprintf(stderr, "tidings: %s\n", line);
	pthread_mutex_unlock(&lock);
}
