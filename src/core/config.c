#include "core/config.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K_STR, K_INT, K_I64 };

struct key {
	const char *name;
	int type;
	size_t off;
	int64_t min, max;
};

#define S(n) { #n, K_STR, offsetof(struct td_config, n), 0, 0 }
#define I(n, lo, hi) { #n, K_INT, offsetof(struct td_config, n), lo, hi }
#define L(n, lo, hi) { #n, K_I64, offsetof(struct td_config, n), lo, hi }

static const struct key keys[] = {
	S(db),
	S(site_title),
	S(base_url),
	S(listen),
	S(timezone),
	S(date_format),
	S(theme_dir),
	S(admin_token),
	I(fetch_per_host, 1, 64),
	I(fetch_total, 1, 4096),
	L(fetch_min_interval, 10, 7 * 86400),
	L(fetch_max_interval, 60, 30 * 86400),
	I(fetch_timeout, 1, 3600),
	L(fetch_max_bytes, 1024, 1024LL * 1024 * 1024),
};

static int set_str(char **dst, const char *v)
{
	char *p = strdup(v);
	if (!p)
		return TD_ENOMEM;
	free(*dst);
	*dst = p;
	return 0;
}

void td_config_defaults(struct td_config *c)
{
	memset(c, 0, sizeof *c);
	set_str(&c->db, "tidings.db");
	set_str(&c->site_title, "tidings");
	set_str(&c->base_url, "");
	set_str(&c->listen, "127.0.0.1:8080");
	set_str(&c->timezone, "UTC");
	set_str(&c->date_format, "%d-%m-%Y %H:%M");
	set_str(&c->theme_dir, "");
	set_str(&c->admin_token, "");
	c->fetch_per_host = TD_FETCH_PER_HOST;
	c->fetch_total = TD_FETCH_TOTAL;
	c->fetch_min_interval = TD_SCHED_MIN_INTERVAL;
	c->fetch_max_interval = TD_SCHED_MAX_INTERVAL;
	c->fetch_timeout = TD_FETCH_TOTAL_TIMEOUT;
	c->fetch_max_bytes = TD_MAX_FETCH_BYTES;
}

int td_config_set(struct td_config *c, const char *key, const char *value,
		  struct td_error *err)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const struct key *k = &keys[i];
		if (strcmp(k->name, key))
			continue;
		char *base = (char *)c + k->off;
		if (k->type == K_STR)
			return set_str((char **)(void *)base, value);
		int64_t v;
		if (td_parse_i64(value, &v) || v < k->min || v > k->max)
			return td_error_set(err, TD_EINVAL,
					    "%s: expected a number from %lld "
					    "to %lld, got '%s'",
					    key, (long long)k->min,
					    (long long)k->max, value);
		if (k->type == K_INT)
			*(int *)(void *)base = (int)v;
		else
			*(int64_t *)(void *)base = v;
		return 0;
	}
	return td_error_set(err, TD_EINVAL, "unknown setting '%s'", key);
}

int td_config_load(struct td_config *c, const char *path, int required,
		   struct td_error *err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		if (!required && errno == ENOENT)
			return 0;
		return td_error_set(err, TD_EIO, "%s: %s", path,
				    strerror(errno));
	}
	char line[4096];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		td_trim_inplace(line);
		if (!line[0] || line[0] == '#' || line[0] == ';')
			continue;
		char *eq = strchr(line, '=');
		if (!eq) {
			rc = td_error_setpos(err, TD_EINVAL, lineno, 1,
					     "%s:%d: expected 'key = value'",
					     path, lineno);
			break;
		}
		*eq = '\0';
		char *k = td_trim_inplace(line), *v = td_trim_inplace(eq + 1);
		size_t vl = strlen(v);
		if (vl >= 2 && ((v[0] == '"' && v[vl - 1] == '"') ||
				(v[0] == '\'' && v[vl - 1] == '\''))) {
			v[vl - 1] = '\0';
			v++;
		}
		struct td_error e2 = { 0 };
		if ((rc = td_config_set(c, k, v, &e2))) {
			td_error_setpos(err, rc, lineno, 1, "%s:%d: %s", path,
					lineno, e2.msg);
			break;
		}
	}
	fclose(f);
	return rc;
}

int td_config_env(struct td_config *c, struct td_error *err)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		char name[64] = "TIDINGS_";
		size_t n = strlen(name);
		for (const char *p = keys[i].name; *p && n < sizeof name - 1; p++)
			name[n++] = (*p >= 'a' && *p <= 'z') ? *p - 32 : *p;
		name[n] = '\0';
		const char *v = getenv(name);
		if (v) {
			struct td_error e2 = { 0 };
			int rc = td_config_set(c, keys[i].name, v, &e2);
			if (rc)
				return td_error_set(err, rc, "%s: %s", name,
						    e2.msg);
		}
	}
	return 0;
}

void td_config_release(struct td_config *c)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (keys[i].type == K_STR) {
			char **p = (char **)(void *)((char *)c + keys[i].off);
			free(*p);
			*p = NULL;
		}
}
