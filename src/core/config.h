/*
 * config.h - tidings.conf (key = value lines, '#' comments) with environment
 * overrides (TIDINGS_<KEY> in upper case, e.g. TIDINGS_DB).
 *
 * Precedence, lowest first: built-in defaults, the config file, the
 * environment, command-line options (applied by main.c).
 */
#ifndef TD_CONFIG_H
#define TD_CONFIG_H

#include <stdint.h>

struct td_error;

struct td_config {
	char *db;           /* database path ("tidings.db") */
	char *site_title;   /* "tidings" */
	char *base_url;     /* public URL of the site ("" = from request) */
	char *listen;       /* "127.0.0.1:8080" */
	char *timezone;     /* IANA zone for displayed dates ("UTC") */
	char *date_format;  /* strftime format ("%d-%m-%Y %H:%M") */
	char *theme_dir;    /* overrides for templates/ and static/ ("") */
	char *admin_token;  /* secret for admin actions ("" = admin off) */
	int fetch_per_host; /* concurrent fetches per host (2) */
	int fetch_total;    /* concurrent fetches overall (64) */
	int64_t fetch_min_interval; /* seconds (300) */
	int64_t fetch_max_interval; /* seconds (86400) */
	int fetch_timeout;  /* total seconds per fetch (60) */
	int64_t fetch_max_bytes; /* size cap (10 MiB) */
};

/* Fill c with defaults. */
void td_config_defaults(struct td_config *c);
/* Read a config file over c. A missing file is an error only when
 * required. Unknown keys and bad values are errors with the line number. */
int td_config_load(struct td_config *c, const char *path, int required,
		   struct td_error *err);
/* Apply TIDINGS_* environment variables over c. */
int td_config_env(struct td_config *c, struct td_error *err);
/* Set one key from a string (used by the loader, env and options). */
int td_config_set(struct td_config *c, const char *key, const char *value,
		  struct td_error *err);
void td_config_release(struct td_config *c);

#endif
