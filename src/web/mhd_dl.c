/*
 * mhd_dl.c - load libmicrohttpd on first use; see mhd_dl.h for why.
 */
#include "web/mhd_dl.h"

#include "core/err.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct td_mhd_api td_mhd;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[256];
static int load_rc;

#define SYM(field, name)                                                    \
	do {                                                                \
		*(void **)(&td_mhd.field) = dlsym(h, name);                 \
		if (!td_mhd.field) {                                        \
			snprintf(load_error, sizeof load_error,             \
				 "libmicrohttpd lacks %s (need 0.9.75 or "  \
				 "newer)",                                  \
				 name);                                     \
			load_rc = TD_EUNSUPPORTED;                          \
			return;                                             \
		}                                                           \
	} while (0)

static void load(void)
{
	static const char *names[] = { "libmicrohttpd.so.12",
				       "libmicrohttpd.so", NULL };
	void *h = NULL;
	for (int i = 0; names[i] && !h; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(load_error, sizeof load_error,
			 "cannot load libmicrohttpd (install libmicrohttpd12): "
			 "%s",
			 dlerror());
		load_rc = TD_EUNSUPPORTED;
		return;
	}
	SYM(start_daemon, "MHD_start_daemon");
	SYM(stop_daemon, "MHD_stop_daemon");
	SYM(quiesce_daemon, "MHD_quiesce_daemon");
	SYM(get_daemon_info, "MHD_get_daemon_info");
	SYM(lookup_connection_value, "MHD_lookup_connection_value");
	SYM(get_connection_values, "MHD_get_connection_values");
	SYM(queue_response, "MHD_queue_response");
	SYM(create_response_from_buffer, "MHD_create_response_from_buffer");
	SYM(create_response_from_buffer_with_free_callback_cls,
	    "MHD_create_response_from_buffer_with_free_callback_cls");
	SYM(add_response_header, "MHD_add_response_header");
	SYM(destroy_response, "MHD_destroy_response");
	SYM(is_feature_supported, "MHD_is_feature_supported");
	SYM(get_version, "MHD_get_version");
	/* the library stays loaded for the life of the process */
}

int td_mhd_load(char *msg, size_t cap)
{
	pthread_once(&once, load);
	if (load_rc && msg && cap)
		snprintf(msg, cap, "%s", load_error);
	return load_rc;
}
