/*
 * mhd_dl.h - libmicrohttpd loaded on first use (dlopen), not at program
 * start.
 *
 * Why: libmicrohttpd links GnuTLS, whose loading and constructors cost about
 * 2 ms at every start of the binary. Only `tidings serve` needs the library,
 * while `tidings parse` runs once per feed in pipelines and must start fast.
 * So web/ calls libmicrohttpd through a table of function pointers filled by
 * td_mhd_load(); the code reads as ordinary libmicrohttpd code through the
 * macros below. The Makefile does not link -lmicrohttpd.
 *
 * Include this instead of <microhttpd.h>, and only in src/web/server.c.
 */
#ifndef TD_MHD_DL_H
#define TD_MHD_DL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <microhttpd.h>

struct td_mhd_api {
	struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port,
					   MHD_AcceptPolicyCallback apc,
					   void *apc_cls,
					   MHD_AccessHandlerCallback dh,
					   void *dh_cls, ...);
	void (*stop_daemon)(struct MHD_Daemon *d);
	MHD_socket (*quiesce_daemon)(struct MHD_Daemon *d);
	const union MHD_DaemonInfo *(*get_daemon_info)(
		struct MHD_Daemon *d, enum MHD_DaemonInfoType t, ...);
	const char *(*lookup_connection_value)(struct MHD_Connection *c,
					       enum MHD_ValueKind kind,
					       const char *key);
	int (*get_connection_values)(struct MHD_Connection *c,
				     enum MHD_ValueKind kind,
				     MHD_KeyValueIterator it, void *cls);
	enum MHD_Result (*queue_response)(struct MHD_Connection *c,
					  unsigned int status,
					  struct MHD_Response *r);
	struct MHD_Response *(*create_response_from_buffer)(
		size_t size, void *buffer, enum MHD_ResponseMemoryMode mode);
	struct MHD_Response *(*create_response_from_buffer_with_free_callback_cls)(
		size_t size, void *buffer,
		MHD_ContentReaderFreeCallback crfc, void *crfc_cls);
	enum MHD_Result (*add_response_header)(struct MHD_Response *r,
					       const char *header,
					       const char *content);
	void (*destroy_response)(struct MHD_Response *r);
	enum MHD_Result (*is_feature_supported)(enum MHD_FEATURE f);
	const char *(*get_version)(void);
};

extern struct td_mhd_api td_mhd;

/* Load libmicrohttpd, once per process (thread-safe). Returns 0, or
 * TD_EUNSUPPORTED with a message in msg (may be NULL) when the library
 * cannot be loaded or lacks a function (older than 0.9.75, the version tested). */
int td_mhd_load(char *msg, size_t cap);

#define MHD_start_daemon td_mhd.start_daemon
#define MHD_stop_daemon td_mhd.stop_daemon
#define MHD_quiesce_daemon td_mhd.quiesce_daemon
#define MHD_get_daemon_info td_mhd.get_daemon_info
#define MHD_lookup_connection_value td_mhd.lookup_connection_value
#define MHD_get_connection_values td_mhd.get_connection_values
#define MHD_queue_response td_mhd.queue_response
#define MHD_create_response_from_buffer td_mhd.create_response_from_buffer
#define MHD_create_response_from_buffer_with_free_callback_cls              \
	td_mhd.create_response_from_buffer_with_free_callback_cls
#define MHD_add_response_header td_mhd.add_response_header
#define MHD_destroy_response td_mhd.destroy_response
#define MHD_is_feature_supported td_mhd.is_feature_supported
#define MHD_get_version td_mhd.get_version

#endif
