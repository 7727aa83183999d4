/*
 * The configuration file: defaults, parsing with libinih, validation with
 * "FILE:LINE: message" errors.
 *
 * libinih is fed through our own line reader (ini_parse_stream), which
 * does what inih cannot: it counts lines, rejects NUL bytes, control
 * characters and invalid UTF-8, and reads section headers itself. inih
 * copies a section name into a 50-byte buffer, so a [feed "URL"] header
 * with a long URL would be silently cut; the reader parses the header,
 * keeps the URL, and hands inih a short "[daemon]" or "[feed]" instead.
 * Leading whitespace is dropped, so an indented key is a key and never a
 * continuation line (values do not span lines). A key line too long for
 * inih's line buffer is split by the reader too: inih gets "name=\x01"
 * and the handler takes the value from the reader (a control character
 * cannot appear in a line that passed the reader, so \x01 is unambiguous).
 * The reader stops at the first error, so the first error is reported.
 */

#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "buf.h"
#include "conf.h"
#include "filter.h"
#include "xmalloc.h"

/* Longest physical line accepted. */
#define CONF_LINE_MAX		65536

/* Longest duration accepted: one year, in ms. */
#define CONF_DURATION_MAX	(365LL * 86400 * 1000)

/* Retention bounds: 100 years, 100 million entries per feed. */
#define CONF_KEEP_DAYS_MAX	36500
#define CONF_KEEP_MAX		100000000

/* Longest HTTP timeout accepted: one day, in ms. */
#define CONF_HTTP_MAX_TIME	(86400LL * 1000)

/* Longest value quoted back in an error message. */
#define CONF_QUOTE_MAX		64

/* The value inih sees for a line the reader had to split. */
#define CONF_LONG_VALUE		"\x01"

#define XSTRINGIFY(x)		#x
#define STRINGIFY(x)		XSTRINGIFY(x)

#define CONF_DEFAULT_USER_AGENT \
	"feedmux/" PACKAGE_VERSION " (+https://feedmux.invalid/)"

enum conf_section {
	CONF_SECTION_NONE,
	CONF_SECTION_DAEMON,
	CONF_SECTION_FEED,
	CONF_SECTION_CATEGORY
};

enum conf_type {
	CONF_STRING,		/* char *, not empty */
	CONF_LIST,		/* char *, NULL when empty */
	CONF_LISTEN,		/* char *, host:port */
	CONF_BASE_URL,		/* char *, http(s) URL */
	CONF_BOOL,		/* int, 0 or 1 */
	CONF_INT,		/* int, in [min, max] */
	CONF_INT64,		/* int64_t, in [min, max] */
	CONF_DURATION,		/* int64_t ms, in [min, max] */
	CONF_SIZE,		/* int64_t bytes, in [min, max] */
	CONF_LOW_SPEED,		/* the two low_speed fields */
	CONF_LOG_LEVEL,		/* int: 0 error, 1 warning, 2 info, 3 debug */
	CONF_TOKEN		/* char *, an access token, never quoted */
};

struct conf_key {
	const char	*name;
	enum conf_type	 type;
	size_t		 offset;
	int64_t		 min;
	int64_t		 max;
};

/* What the reader and the handler share while a file is read. */
struct conf_parser {
	struct conf		*conf;
	const char		*path;
	FILE			*f;
	int			 lineno;
	int			 eof;
	char			*error;		/* the first error */
	int			 error_line;	/* its line; 0: the whole file */
	enum conf_section	 section;
	size_t			 feed;		/* index of the current feed */
	size_t			 category;	/* the current category */
	struct buf		 line;		/* the physical line */
	char			*long_value;	/* value of a split line */
	int			*daemon_lines;	/* where each key was set */
	int			*feed_lines;
	int			*category_lines;
	int			 base_url_set;
};

static int	conf_read_line(struct conf_parser *);
static char	*conf_read_cb(char *, int, void *);
static int	conf_handler_cb(void *, const char *, const char *,
		    const char *);
static void	conf_error(struct conf_parser *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	conf_utf8_check(const unsigned char *, size_t, int *);
static int	conf_is_space(int);
static char	*conf_trim(char *);
static char	*conf_find_sep(char *, const char *);
static int	conf_section_line(struct conf_parser *, char *);
static int	conf_new_feed(struct conf_parser *, const char *, size_t);
static int	conf_new_category(struct conf_parser *, const char *,
		    size_t);
static const char *conf_check_token(const char *);
static int	conf_key_line(struct conf_parser *, char *, char *, char *,
		    int);
static const struct conf_key *conf_find_key(const struct conf_key *,
		    size_t, const char *, size_t *);
static int	conf_set(struct conf_parser *, const struct conf_key *,
		    void *, const char *);
static int	conf_duration(const char *, int64_t *);
static int	conf_size(const char *, int64_t *);
static int	conf_number(const char **, int64_t *);
static int	conf_bool(const char *, int *);
static const char *conf_check_listen(const char *);
static const char *conf_check_http_url(const char *, int);
static const char *conf_url_scheme(const char *, size_t *);
static void	conf_validate(struct conf_parser *);
static void	conf_misordered(struct conf_parser *, const char *, const char *,
		    int *, char **);
static void	conf_feed_free(struct conf_feed *);
static const char *conf_section_name(enum conf_section);

static const struct conf_key conf_daemon_keys[] = {
	{ "database", CONF_STRING, offsetof(struct conf, database), 0, 0 },
	{ "listen", CONF_LISTEN, offsetof(struct conf, listen), 0, 0 },
	{ "control", CONF_STRING, offsetof(struct conf, control), 0, 0 },
	{ "title", CONF_STRING, offsetof(struct conf, title), 0, 0 },
	{ "base_url", CONF_BASE_URL, offsetof(struct conf, base_url), 0, 0 },
	{ "websub_hub", CONF_BASE_URL, offsetof(struct conf, websub_hub),
	    0, 0 },
	{ "user_agent", CONF_STRING, offsetof(struct conf, user_agent),
	    0, 0 },
	{ "interval", CONF_DURATION, offsetof(struct conf, interval),
	    1, CONF_DURATION_MAX },
	{ "min_interval", CONF_DURATION,
	    offsetof(struct conf, min_interval), 1, CONF_DURATION_MAX },
	{ "max_interval", CONF_DURATION,
	    offsetof(struct conf, max_interval), 1, CONF_DURATION_MAX },
	{ "allow_private", CONF_BOOL, offsetof(struct conf, allow_private),
	    0, 1 },
	{ "allow_file", CONF_BOOL, offsetof(struct conf, allow_file), 0, 1 },
	{ "max_connections", CONF_INT,
	    offsetof(struct conf, max_connections), 1, 10000 },
	{ "max_per_host", CONF_INT, offsetof(struct conf, max_per_host),
	    1, 1000 },
	{ "host_spacing", CONF_DURATION,
	    offsetof(struct conf, host_spacing), 0, CONF_DURATION_MAX },
	{ "connect_timeout", CONF_DURATION,
	    offsetof(struct conf, connect_timeout), 1, CONF_DURATION_MAX },
	{ "timeout", CONF_DURATION, offsetof(struct conf, timeout),
	    1, CONF_DURATION_MAX },
	{ "low_speed", CONF_LOW_SPEED, 0, 1, 1LL << 30 },
	{ "max_redirects", CONF_INT, offsetof(struct conf, max_redirects),
	    0, 100 },
	{ "max_body", CONF_SIZE, offsetof(struct conf, max_body),
	    1, 1LL << 30 },
	{ "log_level", CONF_LOG_LEVEL, offsetof(struct conf, log_level),
	    0, 3 },
	{ "keep_days", CONF_INT64, offsetof(struct conf, keep_days),
	    0, CONF_KEEP_DAYS_MAX },
	{ "keep_per_feed", CONF_INT64, offsetof(struct conf, keep_per_feed),
	    0, CONF_KEEP_MAX },
	{ "http_request_timeout", CONF_DURATION,
	    offsetof(struct conf, http_request_timeout), 1,
	    CONF_HTTP_MAX_TIME },
	{ "http_idle_timeout", CONF_DURATION,
	    offsetof(struct conf, http_idle_timeout), 1, CONF_HTTP_MAX_TIME },
	{ "http_max_connections", CONF_INT,
	    offsetof(struct conf, http_max_connections), 1, 1000000 },
	{ "http_max_header_size", CONF_SIZE,
	    offsetof(struct conf, http_max_header_size), 1024, 1 << 20 },
	{ "page_size", CONF_INT, offsetof(struct conf, page_size), 1,
	    CONF_PAGE_SIZE_MAX },
	{ "max_page_size", CONF_INT, offsetof(struct conf, max_page_size), 1,
	    CONF_PAGE_SIZE_MAX },
	{ "access_token", CONF_TOKEN, offsetof(struct conf, access_token),
	    0, 0 },
	{ "include", CONF_LIST, offsetof(struct conf, include), 0, 0 },
	{ "exclude", CONF_LIST, offsetof(struct conf, exclude), 0, 0 }
};
#define CONF_NDAEMON_KEYS \
	(sizeof conf_daemon_keys / sizeof conf_daemon_keys[0])

static const struct conf_key conf_feed_keys[] = {
	{ "label", CONF_STRING, offsetof(struct conf_feed, label), 0, 0 },
	{ "category", CONF_STRING, offsetof(struct conf_feed, category),
	    0, 0 },
	{ "interval", CONF_DURATION, offsetof(struct conf_feed, interval),
	    1, CONF_DURATION_MAX },
	{ "include", CONF_LIST, offsetof(struct conf_feed, include), 0, 0 },
	{ "exclude", CONF_LIST, offsetof(struct conf_feed, exclude), 0, 0 },
	{ "allow_private", CONF_BOOL,
	    offsetof(struct conf_feed, allow_private), 0, 1 },
	{ "keep_days", CONF_INT64, offsetof(struct conf_feed, keep_days),
	    0, CONF_KEEP_DAYS_MAX },
	{ "keep_per_feed", CONF_INT64,
	    offsetof(struct conf_feed, keep_per_feed), 0, CONF_KEEP_MAX }
};
#define CONF_NFEED_KEYS	(sizeof conf_feed_keys / sizeof conf_feed_keys[0])

static const struct conf_key conf_category_keys[] = {
	{ "access_token", CONF_TOKEN,
	    offsetof(struct conf_category, access_token), 0, 0 },
	{ "include", CONF_LIST, offsetof(struct conf_category, include),
	    0, 0 },
	{ "exclude", CONF_LIST, offsetof(struct conf_category, exclude),
	    0, 0 }
};
#define CONF_NCATEGORY_KEYS \
	(sizeof conf_category_keys / sizeof conf_category_keys[0])

/* A configuration with every default and no feeds. */
struct conf *
conf_defaults(void)
{
	struct conf	*c;

	c = xcalloc(1, sizeof *c);
	c->database = xstrdup("/var/lib/feedmux/feedmux.db");
	c->listen = xstrdup("127.0.0.1:8080");
	c->control = xstrdup("/run/feedmux/control.sock");
	c->title = xstrdup("feedmux");
	xasprintf(&c->base_url, "http://%s", c->listen);
	c->user_agent = xstrdup(CONF_DEFAULT_USER_AGENT);
	c->interval = 30 * 60 * 1000LL;
	c->min_interval = 5 * 60 * 1000LL;
	c->max_interval = 86400 * 1000LL;
	c->allow_private = 0;
	c->allow_file = 0;
	c->max_connections = 32;
	c->max_per_host = 2;
	c->host_spacing = 1000;
	c->connect_timeout = 10 * 1000;
	c->timeout = 60 * 1000;
	c->low_speed_bytes = 512;
	c->low_speed_time = 20 * 1000;
	c->max_redirects = 5;
	c->max_body = 16LL << 20;
	c->keep_days = 0;
	c->keep_per_feed = 1000;
	c->log_level = 2;
	c->http_request_timeout = CONF_HTTP_REQUEST_TIMEOUT;
	c->http_idle_timeout = CONF_HTTP_IDLE_TIMEOUT;
	c->http_max_connections = CONF_HTTP_MAX_CONNECTIONS;
	c->http_max_header_size = CONF_HTTP_MAX_HEADER_SIZE;
	return (c);
}

/* Free the strings of one feed. */
static void
conf_feed_free(struct conf_feed *cf)
{
	free(cf->url);
	free(cf->label);
	free(cf->category);
	free(cf->include);
	free(cf->exclude);
}

/* Free a configuration; NULL is a no-op. */
void
conf_free(struct conf *c)
{
	size_t	i;

	if (c == NULL)
		return;
	free(c->path);
	free(c->database);
	free(c->listen);
	free(c->control);
	free(c->title);
	free(c->base_url);
	free(c->websub_hub);
	free(c->user_agent);
	for (i = 0; i < c->nfeeds; i++)
		conf_feed_free(&c->feeds[i]);
	free(c->feeds);
	for (i = 0; i < c->ncategories; i++) {
		free(c->categories[i].name);
		free(c->categories[i].access_token);
		free(c->categories[i].include);
		free(c->categories[i].exclude);
	}
	free(c->categories);
	free(c->access_token);
	free(c->include);
	free(c->exclude);
	free(c);
}

/* The feed's own interval, else the daemon's, clamped to min/max. */
int64_t
conf_feed_interval(const struct conf *c, const struct conf_feed *cf)
{
	int64_t	iv;

	iv = c->interval;
	if (cf != NULL && cf->interval > 0)
		iv = cf->interval;
	if (iv < c->min_interval)
		iv = c->min_interval;
	if (iv > c->max_interval)
		iv = c->max_interval;
	return (iv);
}

/* Read, check and return a configuration file. */
struct conf *
conf_load(const char *path, char **cause)
{
	struct conf_parser	 p;
	struct conf		*c;
	int			 r, daemon_lines[CONF_NDAEMON_KEYS];
	int			 feed_lines[CONF_NFEED_KEYS];
	int			 category_lines[CONF_NCATEGORY_KEYS];

	memset(&p, 0, sizeof p);
	memset(daemon_lines, 0, sizeof daemon_lines);
	memset(feed_lines, 0, sizeof feed_lines);
	memset(category_lines, 0, sizeof category_lines);
	p.path = path;
	p.daemon_lines = daemon_lines;
	p.feed_lines = feed_lines;
	p.category_lines = category_lines;
	buf_init(&p.line);

	if ((p.f = fopen(path, "r")) == NULL) {
		if (cause != NULL)
			xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	c = p.conf = conf_defaults();
	c->path = xstrdup(path);

	r = ini_parse_stream(conf_read_cb, &p, conf_handler_cb, &p);
	fclose(p.f);
	buf_free(&p.line);
	free(p.long_value);

	if (p.error == NULL && r == -2)
		conf_error(&p, "out of memory");
	else if (r > 0 && (p.error == NULL ||
	    (p.error_line != 0 && r < p.error_line))) {
		/* inih found a line we let through: not expected. */
		free(p.error);
		p.error = NULL;
		p.lineno = r;
		conf_error(&p, "syntax error");
	}
	if (p.error == NULL)
		conf_validate(&p);
	if (p.error != NULL) {
		if (cause != NULL)
			*cause = p.error;
		else
			free(p.error);
		conf_free(c);
		return (NULL);
	}
	return (c);
}

/* Record the first error, at the current line (0: the whole file). */
static void
conf_error(struct conf_parser *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (p->error != NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	p->error_line = p->lineno;
	if (p->lineno == 0)
		xasprintf(&p->error, "%s: %s", p->path, msg);
	else
		xasprintf(&p->error, "%s:%d: %s", p->path, p->lineno, msg);
	free(msg);
}

/* ASCII whitespace, whatever the locale. */
static int
conf_is_space(int ch)
{
	return (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	    ch == '\f' || ch == '\v');
}

/* Strip leading and trailing whitespace in place. */
static char *
conf_trim(char *s)
{
	char	*end;

	while (conf_is_space((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && conf_is_space((unsigned char)end[-1]))
		*--end = '\0';
	return (s);
}

/*
 * Find the first of chars (NULL: none) or the start of an inline comment
 * (";" after whitespace), as inih does. Returns a pointer to it or to the
 * terminating NUL.
 */
static char *
conf_find_sep(char *s, const char *chars)
{
	int	was_space = 0;

	while (*s != '\0' && (chars == NULL || strchr(chars, *s) == NULL) &&
	    !(was_space && *s == ';')) {
		was_space = conf_is_space((unsigned char)*s);
		s++;
	}
	return (s);
}

/*
 * Check that a line is UTF-8 (no overlong forms, surrogates or code
 * points above U+10FFFF) without NUL or control characters other than
 * tab. Returns 0, or -1 with *what set: 0 invalid UTF-8, 1 a control
 * character, 2 a NUL byte.
 */
static int
conf_utf8_check(const unsigned char *s, size_t len, int *what)
{
	size_t		i, n, k;
	uint32_t	cp, min;

	for (i = 0; i < len; i += n) {
		if (s[i] < 0x80) {
			n = 1;
			if (s[i] == '\0') {
				*what = 2;
				return (-1);
			}
			if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f) {
				*what = 1;
				return (-1);
			}
			continue;
		}
		*what = 0;
		if ((s[i] & 0xe0) == 0xc0) {
			n = 2;
			cp = s[i] & 0x1f;
			min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 3;
			cp = s[i] & 0x0f;
			min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 4;
			cp = s[i] & 0x07;
			min = 0x10000;
		} else
			return (-1);
		if (n > len - i)
			return (-1);
		for (k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return (-1);
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return (-1);
	}
	return (0);
}

/*
 * Read one physical line into p->line, without its newline. Returns 1,
 * 0 at the end of the file, or -1 after recording an error.
 */
static int
conf_read_line(struct conf_parser *p)
{
	int	ch, any = 0;

	buf_reset(&p->line);
	buf_add(&p->line, "", 0);
	for (;;) {
		ch = getc(p->f);
		if (ch == EOF)
			break;
		any = 1;
		if (ch == '\n')
			break;
		if (p->line.len >= CONF_LINE_MAX) {
			p->lineno++;
			conf_error(p, "line too long (more than %d bytes)",
			    CONF_LINE_MAX);
			return (-1);
		}
		buf_addc(&p->line, (char)ch);
	}
	if (ferror(p->f)) {
		p->lineno = 0;
		conf_error(p, "%s", strerror(errno));
		return (-1);
	}
	if (!any)
		return (0);
	p->lineno++;
	return (1);
}

/*
 * The line reader inih calls: hand it the next line, checked and
 * simplified (see the top of the file), or NULL to stop.
 */
static char *
conf_read_cb(char *str, int num, void *arg)
{
	struct conf_parser	*p = arg;
	unsigned char		*u;
	char			*s, *sep;
	size_t			 len;
	int			 what;

	if (p->error != NULL || p->eof)
		return (NULL);
	switch (conf_read_line(p)) {
	case -1:
		return (NULL);
	case 0:
		p->eof = 1;
		return (NULL);
	}
	s = p->line.data;
	len = p->line.len;
	u = (unsigned char *)s;
	if (p->lineno == 1 && len >= 3 && u[0] == 0xef && u[1] == 0xbb &&
	    u[2] == 0xbf) {
		s += 3;
		len -= 3;
	}
	if (len > 0 && s[len - 1] == '\r')
		s[--len] = '\0';
	if (conf_utf8_check((unsigned char *)s, len, &what) != 0) {
		if (what == 2)
			conf_error(p, "NUL byte");
		else if (what == 1)
			conf_error(p, "control character");
		else
			conf_error(p, "invalid UTF-8");
		return (NULL);
	}
	s = conf_trim(s);
	len = strlen(s);
	if (num < 32) {
		conf_error(p, "inih line buffer too small (%d)", num);
		return (NULL);
	}

	/* Blank lines and comments: inih sees a blank line. */
	if (*s == '\0' || *s == ';' || *s == '#') {
		*str = '\0';
		return (str);
	}
	if (*s == '[') {
		if (conf_section_line(p, s) != 0)
			return (NULL);
		snprintf(str, num, "[%s]", conf_section_name(p->section));
		return (str);
	}

	sep = conf_find_sep(s, "=:");
	if (*sep != '=' && *sep != ':') {
		conf_error(p, "syntax error: expected [section] or "
		    "key = value");
		return (NULL);
	}
	if (len + 2 <= (size_t)num) {
		/* Room for the line, its NUL and one spare byte. */
		memcpy(str, s, len + 1);
		return (str);
	}
	if (conf_key_line(p, s, sep, str, num) != 0)
		return (NULL);
	return (str);
}

/*
 * Split a key line too long for inih: keep the value the way inih would
 * read it (inline comment and surrounding whitespace removed) and give
 * inih "name=\x01" in str.
 */
static int
conf_key_line(struct conf_parser *p, char *s, char *sep, char *str,
    int num)
{
	char	*value, *end;

	*sep = '\0';
	s = conf_trim(s);
	if (strlen(s) + strlen(CONF_LONG_VALUE) + 3 > (size_t)num) {
		conf_error(p, "line too long");
		return (-1);
	}
	value = sep + 1;
	end = conf_find_sep(value, NULL);
	*end = '\0';
	free(p->long_value);
	p->long_value = xstrdup(conf_trim(value));
	snprintf(str, num, "%s=%s", s, CONF_LONG_VALUE);
	return (0);
}

/* A section's name, as errors and inih see it. */
static const char *
conf_section_name(enum conf_section section)
{
	switch (section) {
	case CONF_SECTION_DAEMON:
		return ("daemon");
	case CONF_SECTION_FEED:
		return ("feed");
	case CONF_SECTION_CATEGORY:
		return ("category");
	default:
		return ("none");
	}
}

/*
 * Read a section header: [daemon], [feed "URL"] or [category "NAME"],
 * then a comment at most. Returns 0, or -1 after recording an error.
 */
static int
conf_section_line(struct conf_parser *p, char *s)
{
	char	*name, *url = NULL, *end, save;
	size_t	 namelen, urllen = 0;

	s++;
	while (conf_is_space((unsigned char)*s))
		s++;
	name = s;
	while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.')
		s++;
	namelen = s - name;
	while (conf_is_space((unsigned char)*s))
		s++;
	if (*s == '"') {
		url = ++s;
		if ((end = strchr(s, '"')) == NULL) {
			conf_error(p, "syntax error: no closing '\"' in the "
			    "section header");
			return (-1);
		}
		urllen = end - url;
		s = end + 1;
		while (conf_is_space((unsigned char)*s))
			s++;
	}
	if (*s != ']') {
		conf_error(p, "syntax error: bad section header");
		return (-1);
	}
	s++;
	while (conf_is_space((unsigned char)*s))
		s++;
	if (*s != '\0' && *s != ';' && *s != '#') {
		conf_error(p, "syntax error: text after the section header");
		return (-1);
	}

	memset(p->feed_lines, 0, CONF_NFEED_KEYS * sizeof *p->feed_lines);
	memset(p->category_lines, 0,
	    CONF_NCATEGORY_KEYS * sizeof *p->category_lines);
	if (namelen == 6 && strncmp(name, "daemon", 6) == 0) {
		if (url != NULL) {
			conf_error(p, "section [daemon] takes no name");
			return (-1);
		}
		p->section = CONF_SECTION_DAEMON;
		return (0);
	}
	if (namelen == 4 && strncmp(name, "feed", 4) == 0) {
		if (url == NULL) {
			conf_error(p, "section [feed] needs a URL: "
			    "[feed \"https://...\"]");
			return (-1);
		}
		return (conf_new_feed(p, url, urllen));
	}
	if (namelen == 8 && strncmp(name, "category", 8) == 0) {
		if (url == NULL) {
			conf_error(p, "section [category] needs a name: "
			    "[category \"NAME\"]");
			return (-1);
		}
		return (conf_new_category(p, url, urllen));
	}
	save = name[namelen];
	name[namelen] = '\0';
	conf_error(p, "unknown section [%.*s]", CONF_QUOTE_MAX, name);
	name[namelen] = save;
	return (-1);
}

/* Start a [feed "URL"] section: check the URL and add the feed. */
static int
conf_new_feed(struct conf_parser *p, const char *u, size_t len)
{
	struct conf	*c = p->conf;
	struct conf_feed *cf;
	const char	*why;
	char		*url;
	size_t		 i;

	url = xstrndup(u, len);
	if ((why = conf_check_http_url(url, 1)) != NULL) {
		conf_error(p, "feed URL \"%.*s\" %s", CONF_QUOTE_MAX, url, why);
		free(url);
		return (-1);
	}
	for (i = 0; i < c->nfeeds; i++) {
		if (strcmp(c->feeds[i].url, url) == 0) {
			conf_error(p, "duplicate feed \"%.*s\" (first on "
			    "line %d)", CONF_QUOTE_MAX, url,
			    c->feeds[i].line);
			free(url);
			return (-1);
		}
	}
	c->feeds = xreallocarray(c->feeds, c->nfeeds + 1, sizeof *c->feeds);
	cf = &c->feeds[c->nfeeds];
	memset(cf, 0, sizeof *cf);
	cf->url = url;
	cf->category = xstrdup("Uncategorized");
	cf->interval = 0;
	cf->allow_private = -1;
	cf->keep_days = -1;
	cf->keep_per_feed = -1;
	cf->line = p->lineno;
	p->feed = c->nfeeds++;
	p->section = CONF_SECTION_FEED;
	return (0);
}

/* Start a [category "NAME"] section. */
static int
conf_new_category(struct conf_parser *p, const char *n, size_t len)
{
	struct conf		*c = p->conf;
	struct conf_category	*cc;
	char			*name;
	size_t			 i;

	name = xstrndup(n, len);
	if (*conf_trim(name) == '\0') {
		conf_error(p, "section [category] needs a name: "
		    "[category \"NAME\"]");
		free(name);
		return (-1);
	}
	for (i = 0; i < c->ncategories; i++) {
		if (strcmp(c->categories[i].name, name) == 0) {
			conf_error(p, "duplicate category \"%.*s\" (first on "
			    "line %d)", CONF_QUOTE_MAX, name,
			    c->categories[i].line);
			free(name);
			return (-1);
		}
	}
	c->categories = xreallocarray(c->categories, c->ncategories + 1,
	    sizeof *c->categories);
	cc = &c->categories[c->ncategories];
	memset(cc, 0, sizeof *cc);
	cc->name = name;
	cc->line = p->lineno;
	p->category = c->ncategories++;
	p->section = CONF_SECTION_CATEGORY;
	return (0);
}

/*
 * Check an access token: CONF_TOKEN_MIN to CONF_TOKEN_MAX characters a
 * URL carries unescaped and a Bearer header allows. Returns NULL, or
 * what is wrong (never the token itself: errors end up in logs).
 */
static const char *
conf_check_token(const char *s)
{
	size_t	len;

	len = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-._~");
	if (s[len] != '\0')
		return ("may hold only A-Z a-z 0-9 - . _ ~");
	if (len < CONF_TOKEN_MIN || len > CONF_TOKEN_MAX)
		return ("must be " STRINGIFY(CONF_TOKEN_MIN) " to "
		    STRINGIFY(CONF_TOKEN_MAX) " characters long");
	return (NULL);
}

/*
 * The scheme of a URL ("scheme://..."), its length in *len, or NULL if
 * it has none.
 */
static const char *
conf_url_scheme(const char *url, size_t *len)
{
	const char	*s = url;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return (NULL);
	while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    (*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == '.')
		s++;
	if (strncmp(s, "://", 3) != 0)
		return (NULL);
	*len = s - url;
	return (url);
}

/*
 * Check a URL is http or https (or file, if file_ok: whether file is
 * allowed is decided once the whole file is read) with a host and no
 * whitespace. Returns NULL, or what is wrong.
 */
static const char *
conf_check_http_url(const char *url, int file_ok)
{
	const char	*scheme, *host;
	size_t		 len;

	if (strpbrk(url, " \t") != NULL)
		return ("contains whitespace");
	if ((scheme = conf_url_scheme(url, &len)) == NULL)
		return ("has no scheme (http:// or https://)");
	host = scheme + len + 3;
	if (file_ok && len == 4 && strncasecmp(scheme, "file", 4) == 0)
		return (*host == '\0' ? "has no path" : NULL);
	if (!(len == 4 && strncasecmp(scheme, "http", 4) == 0) &&
	    !(len == 5 && strncasecmp(scheme, "https", 5) == 0))
		return ("is not http or https");
	if (*host == '\0' || *host == '/' || *host == '?' || *host == '#')
		return ("has no host");
	return (NULL);
}

/* Check a host:port listen address. Returns NULL, or what is wrong. */
static const char *
conf_check_listen(const char *s)
{
	const char	*colon, *p;
	long		 port = 0;

	if (*s == '\0')
		return ("must not be empty");
	if ((colon = strrchr(s, ':')) == NULL || colon == s)
		return ("is not host:port");
	if (*s == '[') {
		if (colon[-1] != ']' || colon - s < 3)
			return ("is not [address]:port");
	} else if (memchr(s, ':', colon - s) != NULL)
		return ("needs brackets around an IPv6 address");
	if (colon[1] == '\0')
		return ("has no port");
	for (p = colon + 1; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || port > 65535)
			return ("has a bad port");
		port = port * 10 + (*p - '0');
	}
	if (port < 1 || port > 65535)
		return ("has a bad port");
	return (NULL);
}

/* Find a key in a table. */
static const struct conf_key *
conf_find_key(const struct conf_key *keys, size_t n, const char *name,
    size_t *idx)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(keys[i].name, name) == 0) {
			*idx = i;
			return (&keys[i]);
		}
	}
	return (NULL);
}

/* The handler inih calls for each key = value. */
static int
conf_handler_cb(void *arg, const char *section, const char *name,
    const char *value)
{
	struct conf_parser	*p = arg;
	const struct conf_key	*k;
	void			*base;
	int			*lines;
	size_t			 i, n;
	const struct conf_key	*keys;

	if (p->error != NULL)
		return (0);
	if (strcmp(value, CONF_LONG_VALUE) == 0 && p->long_value != NULL)
		value = p->long_value;
	switch (p->section) {
	case CONF_SECTION_NONE:
		conf_error(p, "key \"%.*s\" outside a section", CONF_QUOTE_MAX,
		    name);
		return (0);
	case CONF_SECTION_DAEMON:
		keys = conf_daemon_keys;
		n = CONF_NDAEMON_KEYS;
		base = p->conf;
		lines = p->daemon_lines;
		break;
	case CONF_SECTION_CATEGORY:
		keys = conf_category_keys;
		n = CONF_NCATEGORY_KEYS;
		base = &p->conf->categories[p->category];
		lines = p->category_lines;
		break;
	default:
		keys = conf_feed_keys;
		n = CONF_NFEED_KEYS;
		base = &p->conf->feeds[p->feed];
		lines = p->feed_lines;
		break;
	}
	if ((k = conf_find_key(keys, n, name, &i)) == NULL) {
		conf_error(p, "unknown key \"%.*s\" in [%s]", CONF_QUOTE_MAX,
		    name, conf_section_name(p->section));
		return (0);
	}
	if (lines[i] != 0) {
		conf_error(p, "%s set twice (first on line %d)", k->name,
		    lines[i]);
		return (0);
	}
	lines[i] = p->lineno;
	if (conf_set(p, k, base, value) != 0)
		return (0);
	if (p->section == CONF_SECTION_DAEMON &&
	    strcmp(k->name, "base_url") == 0)
		p->base_url_set = 1;
	return (1);
}

/* Set one key from its value. Returns 0, or -1 after an error. */
static int
conf_set(struct conf_parser *p, const struct conf_key *k, void *base,
    const char *value)
{
	static const char *const levels[] = {
		"error", "warning", "info", "debug"
	};
	char		**sp, *s, *rule = NULL;
	int		 *ip, b;
	int64_t		 *lp, v = 0, t = 0;
	const char	 *why, *slash, *cp;
	int		  r = -1;

	sp = (char **)((char *)base + k->offset);
	ip = (int *)((char *)base + k->offset);
	lp = (int64_t *)((char *)base + k->offset);

	switch (k->type) {
	case CONF_STRING:
	case CONF_LIST:
	case CONF_LISTEN:
	case CONF_BASE_URL:
		if (*value == '\0' && k->type == CONF_LIST) {
			free(*sp);
			*sp = NULL;
			return (0);
		}
		if (*value == '\0') {
			conf_error(p, "%s: must not be empty", k->name);
			return (-1);
		}
		s = xstrdup(value);
		why = NULL;
		if (k->type == CONF_LISTEN)
			why = conf_check_listen(s);
		else if (k->type == CONF_BASE_URL) {
			/* Outputs append "/feed.atom" and the like. */
			while (strcmp(k->name, "base_url") == 0 &&
			    strlen(s) > 1 && s[strlen(s) - 1] == '/')
				s[strlen(s) - 1] = '\0';
			why = conf_check_http_url(s, 0);
		} else if (k->type == CONF_LIST && filter_check(s, &rule) != 0) {
			/* A bad rule is the file's error, at its line. */
			conf_error(p, "%s: %s", k->name, rule);
			free(rule);
			free(s);
			return (-1);
		}
		if (why != NULL) {
			conf_error(p, "%s: \"%.*s\" %s", k->name,
			    CONF_QUOTE_MAX, value, why);
			free(s);
			return (-1);
		}
		free(*sp);
		*sp = s;
		return (0);
	case CONF_BOOL:
		if (conf_bool(value, &b) != 0) {
			conf_error(p, "%s: \"%.*s\" is not a boolean (true, "
			    "false, yes, no, on, off, 1, 0)", k->name,
			    CONF_QUOTE_MAX, value);
			return (-1);
		}
		*ip = b;
		return (0);
	case CONF_INT:
	case CONF_INT64:
		cp = value;
		if (conf_number(&cp, &v) != 0 || *cp != '\0' ||
		    v < k->min || v > k->max) {
			conf_error(p, "%s: \"%.*s\" is not a number from "
			    "%lld to %lld", k->name, CONF_QUOTE_MAX, value,
			    (long long)k->min, (long long)k->max);
			return (-1);
		}
		if (k->type == CONF_INT64)
			*lp = v;
		else
			*ip = (int)v;
		return (0);
	case CONF_DURATION:
		if ((r = conf_duration(value, &v)) == 0 && v == 0 &&
		    k->min > 0) {
			conf_error(p, "%s: must not be 0", k->name);
			return (-1);
		}
		if (r == -2 || (r == 0 && v > k->max)) {
			conf_error(p, "%s: \"%.*s\" is out of range (at most "
			    "365d)", k->name, CONF_QUOTE_MAX, value);
			return (-1);
		}
		if (r != 0) {
			conf_error(p, "%s: %s duration \"%.*s\" (0, or a "
			    "number with ms, s, m, h or d)", k->name,
			    *value == '-' ? "negative" : "bad",
			    CONF_QUOTE_MAX, value);
			return (-1);
		}
		*lp = v;
		return (0);
	case CONF_SIZE:
		if ((r = conf_size(value, &v)) != 0 || v < k->min ||
		    v > k->max) {
			conf_error(p, "%s: %s size \"%.*s\" (a number of bytes, "
			    "with K, M or G; from %lld to %lld)", k->name,
			    r == -1 ? "bad" : "out of range", CONF_QUOTE_MAX,
			    value, (long long)k->min, (long long)k->max);
			return (-1);
		}
		*lp = v;
		return (0);
	case CONF_LOG_LEVEL:
		for (v = 0; v < 4; v++) {
			if (strcasecmp(value, levels[v]) == 0) {
				*ip = (int)v;
				return (0);
			}
		}
		conf_error(p, "%s: \"%.*s\" is not a level (error, warning, "
		    "info, debug)", k->name, CONF_QUOTE_MAX, value);
		return (-1);
	case CONF_TOKEN:
		/* A secret: no error quotes the value. */
		if ((why = conf_check_token(value)) != NULL) {
			conf_error(p, "%s: %s", k->name, why);
			return (-1);
		}
		free(*sp);
		*sp = xstrdup(value);
		return (0);
	case CONF_LOW_SPEED:
		if (strcmp(value, "0") == 0) {
			/* Disabled. */
			p->conf->low_speed_bytes = 0;
			p->conf->low_speed_time = 0;
			return (0);
		}
		if ((slash = strchr(value, '/')) != NULL) {
			s = xstrndup(value, slash - value);
			r = conf_size(s, &v);
			free(s);
		}
		if (slash == NULL || r != 0 || v < k->min || v > k->max ||
		    conf_duration(slash + 1, &t) != 0 || t == 0) {
			conf_error(p, "%s: bad value \"%.*s\" (BYTES/DURATION, "
			    "as in 512/20s, or 0)", k->name, CONF_QUOTE_MAX,
			    value);
			return (-1);
		}
		p->conf->low_speed_bytes = v;
		p->conf->low_speed_time = t;
		return (0);
	}
	return (-1);
}

/*
 * A [daemon] key lo greater than its bound hi: the error is at the later
 * of the two lines (either may be a default, at no line), and wins over
 * *msg if that line comes first.
 */
static void
conf_misordered(struct conf_parser *p, const char *lo, const char *hi,
    int *line, char **msg)
{
	size_t	ilo = 0, ihi = 0;
	int	l;

	conf_find_key(conf_daemon_keys, CONF_NDAEMON_KEYS, lo, &ilo);
	conf_find_key(conf_daemon_keys, CONF_NDAEMON_KEYS, hi, &ihi);
	l = p->daemon_lines[ilo];
	if (p->daemon_lines[ihi] > l)
		l = p->daemon_lines[ihi];
	if (*line != 0 && l >= *line)
		return;
	free(*msg);
	*line = l;
	xasprintf(msg, "%s is greater than %s", lo, hi);
}

/* Checks that need the whole file: the first failing one, by line. */
static void
conf_validate(struct conf_parser *p)
{
	struct conf	*c = p->conf;
	size_t		 i, len, ikey = 0;
	int		 line = 0;
	const char	*scheme;
	char		*msg = NULL;

	for (i = 0; i < c->nfeeds && line == 0; i++) {
		if (c->allow_file)
			break;
		scheme = conf_url_scheme(c->feeds[i].url, &len);
		if (scheme != NULL && len == 4 &&
		    strncasecmp(scheme, "file", 4) == 0) {
			line = c->feeds[i].line;
			xasprintf(&msg, "feed URL \"%.*s\": file:// needs "
			    "allow_file = true", CONF_QUOTE_MAX,
			    c->feeds[i].url);
		}
	}
	if (c->min_interval > c->max_interval)
		conf_misordered(p, "min_interval", "max_interval", &line, &msg);
	if ((c->page_size > 0 ? c->page_size : CONF_PAGE_SIZE) >
	    (c->max_page_size > 0 ? c->max_page_size : CONF_MAX_PAGE_SIZE))
		conf_misordered(p, "page_size", "max_page_size", &line, &msg);
	/* The hub is told public URLs: the default one is not public. */
	if (c->websub_hub != NULL && !p->base_url_set && line == 0) {
		conf_find_key(conf_daemon_keys, CONF_NDAEMON_KEYS,
		    "websub_hub", &ikey);
		line = p->daemon_lines[ikey];
		xasprintf(&msg, "websub_hub needs base_url, the public URL "
		    "of the outputs that the hub is told of");
	}
	if (msg != NULL) {
		p->lineno = line;
		conf_error(p, "%s", msg);
		free(msg);
		return;
	}
	if (!p->base_url_set) {
		free(c->base_url);
		xasprintf(&c->base_url, "http://%s", c->listen);
	}
}

/* true/false, yes/no, on/off, 1/0, in any case. */
static int
conf_bool(const char *s, int *b)
{
	static const char	*yes[] = { "true", "yes", "on", "1" };
	static const char	*no[] = { "false", "no", "off", "0" };
	size_t			 i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*b = 1;
			return (0);
		}
		if (strcasecmp(s, no[i]) == 0) {
			*b = 0;
			return (0);
		}
	}
	return (-1);
}

/*
 * Read the decimal digits at *sp, advancing it. Returns 0, -1 if there
 * are none, or -2 on overflow.
 */
static int
conf_number(const char **sp, int64_t *v)
{
	const char	*s = *sp;
	int64_t		 n = 0;

	if (*s < '0' || *s > '9')
		return (-1);
	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > (INT64_MAX - (*s - '0')) / 10)
			return (-2);
		n = n * 10 + (*s - '0');
	}
	*sp = s;
	*v = n;
	return (0);
}

/*
 * Read a duration into ms. Returns 0, -1 if malformed, -2 if out of
 * range (more than a year).
 */
static int
conf_duration(const char *s, int64_t *ms)
{
	int64_t	n, mult;
	int	r;

	if ((r = conf_number(&s, &n)) != 0)
		return (r);
	if (*s == '\0' || strcmp(s, "s") == 0)
		mult = 1000;
	else if (strcmp(s, "ms") == 0)
		mult = 1;
	else if (strcmp(s, "m") == 0)
		mult = 60 * 1000;
	else if (strcmp(s, "h") == 0)
		mult = 3600 * 1000;
	else if (strcmp(s, "d") == 0)
		mult = 86400 * 1000;
	else
		return (-1);
	if (n > CONF_DURATION_MAX / mult)
		return (-2);
	*ms = n * mult;
	return (0);
}

/* Read a size into bytes. Returns 0, -1 if malformed, -2 on overflow. */
static int
conf_size(const char *s, int64_t *bytes)
{
	int64_t	n, mult;
	int	r;

	if ((r = conf_number(&s, &n)) != 0)
		return (r);
	if (*s == '\0')
		mult = 1;
	else if (strcasecmp(s, "k") == 0)
		mult = 1LL << 10;
	else if (strcasecmp(s, "m") == 0)
		mult = 1LL << 20;
	else if (strcasecmp(s, "g") == 0)
		mult = 1LL << 30;
	else
		return (-1);
	if (n > INT64_MAX / mult)
		return (-2);
	*bytes = n * mult;
	return (0);
}

/* A duration: "0", or digits with ms, s, m, h or d; at most a year. */
int
conf_parse_duration(const char *s, int64_t *ms)
{
	int64_t	v;

	if (s == NULL || conf_duration(s, &v) != 0)
		return (-1);
	*ms = v;
	return (0);
}

/* A size: digits, with K, M or G (binary multiples). */
int
conf_parse_size(const char *s, int64_t *bytes)
{
	int64_t	v;

	if (s == NULL || conf_size(s, &v) != 0)
		return (-1);
	*bytes = v;
	return (0);
}
