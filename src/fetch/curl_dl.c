/*
 * curl_dl.c - load libcurl on first use; see curl_dl.h for why.
 */
#include "fetch/curl_dl.h"

#include "core/err.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct td_curl_api td_curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[256];
static int load_rc;

#define SYM(field, name)                                                    \
	do {                                                                \
		*(void **)(&td_curl.field) = dlsym(h, name);                \
		if (!td_curl.field) {                                       \
			snprintf(load_error, sizeof load_error,             \
				 "libcurl lacks %s", name);                 \
			load_rc = TD_EUNSUPPORTED;                          \
			return;                                             \
		}                                                           \
	} while (0)

static void load(void)
{
	static const char *names[] = { "libcurl.so.4", "libcurl-gnutls.so.4",
				       "libcurl.so", NULL };
	void *h = NULL;
	for (int i = 0; names[i] && !h; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(load_error, sizeof load_error,
			 "cannot load libcurl (install libcurl4): %s",
			 dlerror());
		load_rc = TD_EUNSUPPORTED;
		return;
	}
	SYM(global_init, "curl_global_init");
	SYM(easy_init, "curl_easy_init");
	SYM(easy_setopt, "curl_easy_setopt");
	SYM(easy_getinfo, "curl_easy_getinfo");
	SYM(easy_cleanup, "curl_easy_cleanup");
	SYM(easy_reset, "curl_easy_reset");
	SYM(easy_strerror, "curl_easy_strerror");
	SYM(multi_init, "curl_multi_init");
	SYM(multi_setopt, "curl_multi_setopt");
	SYM(multi_add_handle, "curl_multi_add_handle");
	SYM(multi_remove_handle, "curl_multi_remove_handle");
	SYM(multi_perform, "curl_multi_perform");
	SYM(multi_poll, "curl_multi_poll");
	SYM(multi_info_read, "curl_multi_info_read");
	SYM(multi_cleanup, "curl_multi_cleanup");
	SYM(multi_strerror, "curl_multi_strerror");
	SYM(slist_append, "curl_slist_append");
	SYM(slist_free_all, "curl_slist_free_all");
	SYM(free, "curl_free");
	/* the library stays loaded for the life of the process */
	if (td_curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(load_error, sizeof load_error,
			 "curl_global_init failed");
		load_rc = TD_EUNSUPPORTED;
	}
}

int td_curl_load(char *msg, size_t cap)
{
	pthread_once(&once, load);
	if (load_rc && msg && cap)
		snprintf(msg, cap, "%s", load_error);
	return load_rc;
}
