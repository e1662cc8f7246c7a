/*
 * curl_dl.h - libcurl loaded on first use (dlopen), not at program start.
 *
 * Why: libcurl4-openssl pulls in about thirty shared libraries (OpenSSL,
 * GnuTLS through librtmp, Kerberos, LDAP, ...) whose loading and
 * constructors cost ~6 ms of CPU at every start of the binary, ten times
 * what the rest of tidings costs. Commands that never fetch (parse,
 * sanitize, extract, search, ...) should not pay for it, and `tidings
 * parse` runs once per feed in pipelines. So fetch/ calls libcurl through a
 * table of function pointers filled by td_curl_load(); everything else in
 * the file reads as ordinary libcurl code through the macros below.
 *
 * Include this instead of <curl/curl.h>, and only in fetch/.
 */
#ifndef TD_CURL_DL_H
#define TD_CURL_DL_H

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

struct td_curl_api {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	void (*easy_reset)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd[], unsigned int,
				int, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURLMcode (*multi_cleanup)(CURLM *);
	const char *(*multi_strerror)(CURLMcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	void (*free)(void *);
};

extern struct td_curl_api td_curl;

/* Load libcurl and call curl_global_init, once per process (thread-safe).
 * Returns 0, or TD_EUNSUPPORTED with a message in msg (may be NULL) when
 * the library cannot be loaded. */
int td_curl_load(char *msg, size_t cap);

#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt
#define curl_global_init td_curl.global_init
#define curl_easy_init td_curl.easy_init
#define curl_easy_setopt td_curl.easy_setopt
#define curl_easy_getinfo td_curl.easy_getinfo
#define curl_easy_cleanup td_curl.easy_cleanup
#define curl_easy_reset td_curl.easy_reset
#define curl_easy_strerror td_curl.easy_strerror
#define curl_multi_init td_curl.multi_init
#define curl_multi_setopt td_curl.multi_setopt
#define curl_multi_add_handle td_curl.multi_add_handle
#define curl_multi_remove_handle td_curl.multi_remove_handle
#define curl_multi_perform td_curl.multi_perform
#define curl_multi_poll td_curl.multi_poll
#define curl_multi_info_read td_curl.multi_info_read
#define curl_multi_cleanup td_curl.multi_cleanup
#define curl_multi_strerror td_curl.multi_strerror
#define curl_slist_append td_curl.slist_append
#define curl_slist_free_all td_curl.slist_free_all
#define curl_free td_curl.free

#endif
