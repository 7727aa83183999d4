/*
 * Unit tests for lib/conf: defaults, parsing, every error with its
 * file:line, durations and sizes.
 */

#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "tap.h"
#include "xmalloc.h"

static char	 tmpdir[] = "/tmp/test_conf.XXXXXX";
static char	*conf_path;

static void	write_file(const char *, const char *, size_t);
static struct conf *load(const char *, char **);
static void	load_ok(const char *, const char *);
static void	load_err(const char *, int, const char *, const char *);
static void	test_defaults(void);
static void	test_fixture(void);
static void	test_syntax(void);
static void	test_errors(void);
static void	test_first_error(void);
static void	test_interval(void);
static void	test_duration(void);
static void	test_size(void);
static void	test_http(void);
static void	test_tokens(void);
static void	test_rules(void);

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL ||
	    fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* Load a configuration from text. */
static struct conf *
load(const char *text, char **cause)
{
	write_file(conf_path, text, strlen(text));
	*cause = NULL;
	return (conf_load(conf_path, cause));
}

/* Check that text loads. */
static void
load_ok(const char *text, const char *desc)
{
	struct conf	*c;
	char		*cause;

	c = load(text, &cause);
	tap_ok(c != NULL, "%s", desc);
	if (c == NULL)
		tap_diag("%s", cause);
	free(cause);
	conf_free(c);
}

/*
 * Check that text fails with "FILE:LINE: " and a message containing
 * what.
 */
static void
load_err(const char *text, int line, const char *what, const char *desc)
{
	struct conf	*c;
	char		*cause, *prefix;
	int		 ok;

	c = load(text, &cause);
	xasprintf(&prefix, "%s:%d: ", conf_path, line);
	ok = c == NULL && cause != NULL &&
	    strncmp(cause, prefix, strlen(prefix)) == 0 &&
	    strstr(cause + strlen(prefix), what) != NULL;
	tap_ok(ok, "error at line %d: %s", line, desc);
	if (!ok)
		tap_diag("got \"%s\", want \"%s%s...\"",
		    cause == NULL ? "(none)" : cause, prefix, what);
	free(prefix);
	free(cause);
	conf_free(c);
}

/* HOSTILE-57: the defaults are safe, and an empty file gives them. */
static void
test_defaults(void)
{
	struct conf	*c, *d;
	char		*cause;

	d = conf_defaults();
	tap_is_str(d->listen, "127.0.0.1:8080", "default listen is loopback");
	tap_is_int(d->allow_private, 0, "private addresses blocked");
	tap_is_int(d->allow_file, 0, "file:// refused");
	tap_is_int(d->max_connections, 32, "max_connections 32");
	tap_is_int(d->max_per_host, 2, "max_per_host 2");
	tap_is_int(d->host_spacing, 1000, "host_spacing 1s");
	tap_is_int(d->connect_timeout, 10000, "connect_timeout 10s");
	tap_is_int(d->timeout, 60000, "timeout 60s");
	tap_is_int(d->low_speed_bytes, 512, "low_speed 512 bytes/s");
	tap_is_int(d->low_speed_time, 20000, "low_speed over 20s");
	tap_is_int(d->max_redirects, 5, "max_redirects 5");
	tap_is_int(d->max_body, 16 << 20, "max_body 16M");
	tap_is_int(d->interval, 30 * 60000, "interval 30m");
	tap_is_int(d->min_interval, 5 * 60000, "min_interval 5m");
	tap_is_int(d->max_interval, 86400000, "max_interval 1d");
	tap_is_str(d->database, "/var/lib/feedmux/feedmux.db",
	    "default database");
	tap_is_str(d->control, "/run/feedmux/control.sock",
	    "default control socket");
	tap_is_str(d->title, "feedmux", "default title");
	tap_is_str(d->base_url, "http://127.0.0.1:8080", "default base_url");
	tap_is_str(d->user_agent,
	    "feedmux/" PACKAGE_VERSION " (+https://feedmux.invalid/)",
	    "default user_agent");
	tap_is_int(d->nfeeds, 0, "no feeds by default");

	c = load("", &cause);
	tap_ok(c != NULL, "an empty file is valid");
	if (c != NULL) {
		tap_ok(c->nfeeds == 0 && c->feeds == NULL &&
		    strcmp(c->listen, d->listen) == 0 &&
		    strcmp(c->base_url, d->base_url) == 0 &&
		    c->allow_private == 0 && c->max_body == d->max_body &&
		    c->interval == d->interval,
		    "an empty file gives the defaults");
		tap_is_str(c->path, conf_path, "path recorded");
	}
	free(cause);
	conf_free(c);
	conf_free(d);
	conf_free(NULL);
}

/* The example from DESIGN.md, as a fixture file. */
static void
test_fixture(void)
{
	struct conf	*c;
	const char	*top;
	char		*path, *cause = NULL;

	if ((top = getenv("top_srcdir")) == NULL)
		top = ".";
	xasprintf(&path, "%s/tests/fixtures/conf/design.conf", top);
	c = conf_load(path, &cause);
	tap_ok(c != NULL, "DESIGN.md example loads");
	if (c == NULL) {
		tap_diag("%s", cause);
		free(cause);
		free(path);
		return;
	}
	tap_is_str(c->title, "Korea Watch", "title with inline comment");
	tap_is_str(c->listen, "127.0.0.1:8080", "listen");
	tap_is_int(c->low_speed_bytes, 512, "low_speed bytes");
	tap_is_int(c->low_speed_time, 20000, "low_speed time");
	tap_is_int(c->nfeeds, 2, "two feeds");
	if (c->nfeeds == 2) {
		tap_is_str(c->feeds[0].url, "https://example.org/world.rss",
		    "feed URL");
		tap_is_str(c->feeds[0].label, "CNN", "label");
		tap_is_str(c->feeds[0].category, "North Korea", "category");
		tap_is_int(c->feeds[0].interval, 3600000, "feed interval");
		tap_is_str(c->feeds[0].include, "north korea, pyongyang",
		    "include");
		tap_is_str(c->feeds[0].exclude, "sponsored", "exclude");
		tap_is_int(c->feeds[0].allow_private, -1,
		    "allow_private as [daemon]");
		tap_is_int(c->feeds[0].line, 22, "feed line");
		tap_ok(c->feeds[1].label == NULL, "no label: NULL");
		tap_is_str(c->feeds[1].category, "Uncategorized",
		    "default category");
		tap_is_int(c->feeds[1].interval, 0, "no interval: 0");
		tap_ok(c->feeds[1].include == NULL &&
		    c->feeds[1].exclude == NULL, "no rules: NULL");
	}
	conf_free(c);
	free(path);
}

/* What the reader accepts: comments, BOM, CRLF, indentation, long lines. */
static void
test_syntax(void)
{
	struct conf	*c;
	char		*cause, *text, url[400], value[1000];
	size_t		 i;

	c = load("\xef\xbb\xbf[daemon]\r\n"
	    "  title = Caf\xc3\xa9 ; a comment\r\n"
	    "\tlisten = [::1]:9000\r\n"
	    "  database: /tmp/x.db\r\n"
	    "# a comment\n"
	    "; another\n"
	    "\n"
	    "[feed \"http://[::1]:8080/a]b\"] ; note\n"
	    "  label = AT&T;Inc\n"
	    "  category = World\n"
	    "  allow_private = yes\n", &cause);
	tap_ok(c != NULL, "BOM, CRLF, indentation and comments");
	if (c != NULL) {
		tap_is_str(c->title, "Caf\xc3\xa9", "UTF-8 title, comment cut");
		tap_is_str(c->listen, "[::1]:9000", "IPv6 listen");
		tap_is_str(c->database, "/tmp/x.db", "name: value form");
		tap_is_str(c->base_url, "http://[::1]:9000",
		    "base_url follows listen");
		tap_is_int(c->nfeeds, 1, "one feed");
		if (c->nfeeds == 1) {
			tap_is_str(c->feeds[0].url, "http://[::1]:8080/a]b",
			    "']' inside a quoted URL");
			tap_is_str(c->feeds[0].label, "AT&T;Inc",
			    "';' without space is not a comment");
			tap_is_str(c->feeds[0].category, "World",
			    "indented keys are keys, not continuations");
			tap_is_int(c->feeds[0].allow_private, 1,
			    "feed allow_private");
		}
	}
	free(cause);
	conf_free(c);

	/* inih cuts section names at 50 bytes and lines at 200. */
	memset(url, 0, sizeof url);
	snprintf(url, sizeof url, "https://example.org/");
	for (i = strlen(url); i < 300; i++)
		url[i] = 'a' + i % 26;
	memset(value, 0, sizeof value);
	for (i = 0; i < 900; i++)
		value[i] = i % 10 == 9 ? ',' : 'w';
	xasprintf(&text, "[daemon]\nbase_url = http://news.example/x/\n"
	    "[feed \"%s\"]\ninclude = %s ; comment\nexclude=%s\n"
	    "label = L\n", url, value, value);
	c = load(text, &cause);
	tap_ok(c != NULL, "long lines load");
	if (c != NULL && c->nfeeds == 1) {
		tap_is_str(c->feeds[0].url, url, "300-byte feed URL intact");
		tap_is_str(c->feeds[0].include, value,
		    "900-byte value intact, comment cut");
		tap_is_str(c->feeds[0].exclude, value,
		    "900-byte value without spaces intact");
		tap_is_str(c->feeds[0].label, "L", "short key after long ones");
		tap_is_str(c->base_url, "http://news.example/x",
		    "base_url without trailing slash");
	} else
		tap_ok(0, "long lines: one feed");
	free(cause);
	conf_free(c);
	free(text);

	/* An error in a long line carries its line number. */
	xasprintf(&text, "[daemon]\n\ninterval = %s\n", value);
	load_err(text, 3, "interval", "bad long value");
	free(text);

	c = load("[daemon]\nallow_private = ON\nallow_file = 1\n"
	    "low_speed = 1K/30s\n"
	    "[feed \"file:///tmp/x.xml\"]\nallow_private = off\n"
	    "include =\n", &cause);
	tap_ok(c != NULL && c->allow_private == 1 && c->allow_file == 1 &&
	    c->low_speed_bytes == 1024 && c->low_speed_time == 30000 &&
	    c->nfeeds == 1 && c->feeds[0].allow_private == 0 &&
	    c->feeds[0].include == NULL,
	    "booleans, low_speed with a size, file:// with allow_file");
	free(cause);
	conf_free(c);

	c = load("[feed \"file:///tmp/x.xml\"]\n[daemon]\nallow_file = true\n"
	    "low_speed = 0\nhost_spacing = 0\n", &cause);
	tap_ok(c != NULL && c->low_speed_bytes == 0 &&
	    c->low_speed_time == 0 && c->host_spacing == 0,
	    "allow_file after the feed; low_speed 0; host_spacing 0");
	free(cause);
	conf_free(c);

	load_ok("[daemon]\n[daemon]\ntitle = x\n", "[daemon] twice");
	load_ok("[daemon]\nmax_redirects = 0\nmax_body = 1\n",
	    "max_redirects 0, max_body 1");
}

/* HOSTILE-55: every error, with its line. */
static void
test_errors(void)
{
	struct conf	*c;
	char		*cause, *want, *missing, bad[64];
	size_t		 len;

	xasprintf(&missing, "%s/missing.conf", tmpdir);
	cause = NULL;
	c = conf_load(missing, &cause);
	xasprintf(&want, "%s: No such file or directory", missing);
	tap_ok(c == NULL, "missing file fails");
	tap_is_str(cause, want, "missing file: FILE: strerror");
	free(want);
	free(cause);
	free(missing);

	cause = NULL;
	c = conf_load(tmpdir, &cause);
	xasprintf(&want, "%s: Is a directory", tmpdir);
	tap_ok(c == NULL, "a directory fails");
	tap_is_str(cause, want, "directory: FILE: strerror");
	free(want);
	free(cause);

	tap_ok(conf_load(tmpdir, NULL) == NULL, "cause may be NULL");

	load_err("[daemon]\ntitle = x\ngarbage\n", 3, "syntax error",
	    "a line with no =");
	load_err("\n[daemon\n", 2, "syntax error", "unterminated section");
	load_err("[daemon] x\n", 1, "syntax error", "text after a header");
	load_err("[feed \"http://x/]\n", 1, "syntax error", "unclosed quote");
	load_err("[daemon]\n\n\n[server]\n", 4, "unknown section [server]",
	    "unknown section");
	load_err("[daemon]\n[feed]\n", 2, "needs a URL", "[feed] without URL");
	load_err("[daemon \"x\"]\n", 1, "takes no name", "[daemon \"x\"]");
	load_err("[daemon]\ntitle = x\ncolour = red\n", 3,
	    "unknown key \"colour\" in [daemon]", "unknown daemon key");
	load_err("[feed \"http://a.example/\"]\nlabel = x\ntitle = y\n", 3,
	    "unknown key \"title\" in [feed]", "unknown feed key");
	load_err("title = x\n", 1, "outside a section", "key before a section");
	load_err("[daemon]\ntitle = a\n\ntitle = b\n", 4,
	    "title set twice (first on line 2)", "duplicate key");

	load_err("[daemon]\ninterval = abc\n", 2, "bad duration",
	    "malformed duration");
	load_err("[daemon]\ninterval = 0\n", 2, "must not be 0",
	    "daemon interval 0");
	load_err("[feed \"http://a.example/\"]\n\ninterval = 0\n", 3,
	    "must not be 0", "feed interval 0");
	load_err("[daemon]\ntimeout = -5m\n", 2, "negative duration",
	    "negative duration");
	load_err("[daemon]\n\ninterval = 1000000000000\n", 3, "out of range",
	    "interval 10^12");
	load_err("[daemon]\nmax_interval = 99999999999999999999d\n", 2,
	    "out of range", "duration overflow");
	load_err("[daemon]\nconnect_timeout = 1.5s\n", 2, "bad duration",
	    "fractional duration");
	load_err("[daemon]\nallow_private = maybe\n", 2, "not a boolean",
	    "bad boolean");
	load_err("[daemon]\nmax_connections = 0\n", 2, "from 1 to",
	    "max_connections 0");
	load_err("[daemon]\nmax_per_host = -1\n", 2, "from 1 to",
	    "negative integer");
	load_err("[daemon]\nmax_redirects = 99999999999999999999\n", 2,
	    "from 0 to", "integer overflow");
	load_err("[daemon]\nmax_body = 16Q\n", 2, "bad size", "bad size");
	load_err("[daemon]\nmax_body = 0\n", 2, "out of range", "max_body 0");
	load_err("[daemon]\nmax_body = 10G\n", 2, "out of range",
	    "max_body too large");
	load_err("[daemon]\nlow_speed = 512\n", 2, "BYTES/DURATION",
	    "low_speed without a time");
	load_err("[daemon]\nlow_speed = 512/0\n", 2, "BYTES/DURATION",
	    "low_speed time 0");
	load_err("[daemon]\nlisten =\n", 2, "listen: must not be empty",
	    "empty listen");
	load_err("[daemon]\nlisten = localhost\n", 2, "not host:port",
	    "listen without a port");
	load_err("[daemon]\nlisten = 127.0.0.1:99999\n", 2, "bad port",
	    "listen port out of range");
	load_err("[daemon]\nlisten = ::1:80\n", 2, "brackets",
	    "IPv6 listen without brackets");
	load_err("[daemon]\ndatabase =\n", 2, "must not be empty",
	    "empty database");
	load_err("[daemon]\nbase_url = ftp://x/\n", 2, "not http or https",
	    "bad base_url");
	load_err("[feed \"http://a.example/\"]\nlabel =\n", 2,
	    "must not be empty", "empty label");

	load_err("[feed \"http://a.example/\"]\n[feed \"http://b.example/\"]\n"
	    "\n[feed \"http://a.example/\"]\n", 4,
	    "duplicate feed \"http://a.example/\" (first on line 1)",
	    "duplicate feed URL: line of the second");
	load_err("[daemon]\n[feed \"example.org/rss\"]\n", 2, "has no scheme",
	    "feed URL without scheme");
	load_err("[feed \"\"]\n", 1, "has no scheme", "empty feed URL");
	load_err("[feed \"ftp://example.org/rss\"]\n", 1, "not http or https",
	    "ftp feed URL");
	load_err("[feed \"http:///rss\"]\n", 1, "has no host",
	    "feed URL without host");
	load_err("[feed \"http://a.example/x y\"]\n", 1, "whitespace",
	    "feed URL with a space");
	load_err("[feed \"http://a.example/\"]\n\n[feed \"file:///etc/passwd\"]"
	    "\nlabel = x\n", 3, "allow_file",
	    "file:// without allow_file: the feed's line");
	load_err("[daemon]\nallow_file = no\n[feed \"FILE:///x\"]\n", 3,
	    "allow_file", "FILE:// is file://");

	load_err("[daemon]\ntitle = ok\ntitle2 = caf\xe9\n", 3,
	    "invalid UTF-8", "Latin-1 byte");
	load_err("[daemon]\n\n; \xc0\xaf overlong\n", 3, "invalid UTF-8",
	    "overlong form, even in a comment");
	load_err("[daemon]\ntitle = \xed\xa0\x80\n", 2, "invalid UTF-8",
	    "encoded surrogate");
	load_err("[daemon]\ntitle = a\x1b[2Jb\n", 2, "control character",
	    "ESC in a value");
	memcpy(bad, "[daemon]\ntitle = a\0b\n", 21);
	write_file(conf_path, bad, 21);
	c = conf_load(conf_path, &cause);
	xasprintf(&want, "%s:2: NUL byte", conf_path);
	tap_ok(c == NULL, "a NUL byte fails");
	tap_is_str(cause, want, "NUL byte: file:line");
	free(want);
	free(cause);

	load_err("[daemon]\nmin_interval = 2h\n\nmax_interval = 1h\n", 4,
	    "min_interval is greater than max_interval",
	    "min > max: the later line");
	load_err("[daemon]\nmax_interval = 1m\n", 2,
	    "min_interval is greater", "max below the default min");
	load_err("[daemon]\npage_size = 80\nmax_page_size = 60\n", 3,
	    "page_size is greater than max_page_size",
	    "page_size > max_page_size: the later line");
	load_err("[daemon]\npage_size = 600\n", 2, "page_size is greater",
	    "page_size above the default max_page_size");
	load_err("[daemon]\nmax_page_size = 20000\n", 2, "max_page_size",
	    "max_page_size above 10000");
	load_err("[daemon]\npage_size = 0\n", 2, "page_size",
	    "page_size 0");

	len = 70000;
	want = xmalloc(len + 1);
	memset(want, 'x', len);
	memcpy(want, "[daemon]\ntitle = ", 17);
	want[len] = '\0';
	load_err(want, 2, "line too long", "a 70000-byte line");
	free(want);
}

/* HOSTILE-55: the first error is the one reported. */
static void
test_first_error(void)
{
	load_err("[daemon]\nnonsense\n\ncolour = red\n", 2, "syntax error",
	    "syntax error before an unknown key");
	load_err("[daemon]\ncolour = red\nnonsense\n", 2, "unknown key",
	    "unknown key before a syntax error");
	load_err("[feed \"file:///x\"]\ninterval = 0\n", 2, "must not be 0",
	    "a reading error before a whole-file check");
	load_err("[daemon]\nmax_interval = 1m\n[feed \"file:///x\"]\n", 2,
	    "min_interval", "whole-file checks: the lowest line");
	load_err("[daemon]\ntitle = \xff\nnonsense\n", 2, "invalid UTF-8",
	    "encoding error before a syntax error");
}

static void
test_interval(void)
{
	struct conf		*c;
	struct conf_feed	 f;

	c = conf_defaults();
	memset(&f, 0, sizeof f);
	tap_is_int(conf_feed_interval(c, &f), 30 * 60000,
	    "feed interval 0: the daemon's");
	tap_is_int(conf_feed_interval(c, NULL), 30 * 60000,
	    "no feed: the daemon's");
	f.interval = 60000;
	tap_is_int(conf_feed_interval(c, &f), 5 * 60000, "clamped to min");
	f.interval = 2 * 86400000LL;
	tap_is_int(conf_feed_interval(c, &f), 86400000, "clamped to max");
	f.interval = 3600000;
	tap_is_int(conf_feed_interval(c, &f), 3600000, "inside the range");
	c->interval = 10;
	tap_is_int(conf_feed_interval(c, NULL), 5 * 60000,
	    "daemon interval clamped too");
	conf_free(c);
}

static void
test_duration(void)
{
	static const struct {
		const char	*s;
		int		 ok;
		int64_t		 ms;
	} cases[] = {
		{ "0", 1, 0 },
		{ "0s", 1, 0 },
		{ "5", 1, 5000 },
		{ "5s", 1, 5000 },
		{ "250ms", 1, 250 },
		{ "5m", 1, 300000 },
		{ "2h", 1, 7200000 },
		{ "1d", 1, 86400000 },
		{ "365d", 1, 365 * 86400000LL },
		{ "366d", 0, 0 },
		{ "1000000000000", 0, 0 },
		{ "99999999999999999999", 0, 0 },
		{ "", 0, 0 },
		{ "m", 0, 0 },
		{ "5x", 0, 0 },
		{ "-1", 0, 0 },
		{ "+1", 0, 0 },
		{ "1.5h", 0, 0 },
		{ " 5m", 0, 0 },
		{ "5 m", 0, 0 },
		{ "5M", 0, 0 },
		{ "5mss", 0, 0 }
	};
	size_t	i;
	int64_t	ms;
	int	r;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ms = -1;
		r = conf_parse_duration(cases[i].s, &ms);
		if (cases[i].ok)
			tap_ok(r == 0 && ms == cases[i].ms,
			    "duration \"%s\" = %lld ms", cases[i].s,
			    (long long)cases[i].ms);
		else
			tap_ok(r == -1 && ms == -1, "duration \"%s\" refused",
			    cases[i].s);
	}
	tap_is_int(conf_parse_duration(NULL, &ms), -1, "duration NULL");
}

static void
test_size(void)
{
	static const struct {
		const char	*s;
		int		 ok;
		int64_t		 bytes;
	} cases[] = {
		{ "0", 1, 0 },
		{ "100", 1, 100 },
		{ "512K", 1, 512 * 1024 },
		{ "512k", 1, 512 * 1024 },
		{ "16M", 1, 16 << 20 },
		{ "1G", 1, 1 << 30 },
		{ "1g", 1, 1 << 30 },
		{ "9223372036854775807", 1, INT64_MAX },
		{ "9223372036854775808", 0, 0 },
		{ "9007199254740992K", 0, 0 },
		{ "16MB", 0, 0 },
		{ "16T", 0, 0 },
		{ "", 0, 0 },
		{ "K", 0, 0 },
		{ "-1", 0, 0 },
		{ "1.5M", 0, 0 }
	};
	size_t	i;
	int64_t	b;
	int	r;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		b = -1;
		r = conf_parse_size(cases[i].s, &b);
		if (cases[i].ok)
			tap_ok(r == 0 && b == cases[i].bytes,
			    "size \"%s\" = %lld", cases[i].s,
			    (long long)cases[i].bytes);
		else
			tap_ok(r == -1 && b == -1, "size \"%s\" refused",
			    cases[i].s);
	}
}

/* The publisher's HTTP limits: defaults, values, errors. */
static void
test_http(void)
{
	struct conf	*c, *d;
	char		*cause;

	d = conf_defaults();
	tap_is_int(d->http_request_timeout, 10000,
	    "http_request_timeout 10s by default");
	tap_is_int(d->http_idle_timeout, 30000,
	    "http_idle_timeout 30s by default");
	tap_is_int(d->http_max_connections, 512,
	    "http_max_connections 512 by default");
	tap_is_int(d->http_max_header_size, 16384,
	    "http_max_header_size 16K by default");
	tap_ok(d->access_token == NULL && d->ncategories == 0,
	    "no access token by default");
	conf_free(d);

	c = load("[daemon]\nhttp_request_timeout = 2500ms\n"
	    "http_idle_timeout = 1m\nhttp_max_connections = 7\n"
	    "http_max_header_size = 64K\n", &cause);
	tap_ok(c != NULL, "the http_* keys load");
	if (c != NULL) {
		tap_is_int(c->http_request_timeout, 2500,
		    "http_request_timeout = 2500ms");
		tap_is_int(c->http_idle_timeout, 60000,
		    "http_idle_timeout = 1m");
		tap_is_int(c->http_max_connections, 7,
		    "http_max_connections = 7");
		tap_is_int(c->http_max_header_size, 65536,
		    "http_max_header_size = 64K");
	} else
		tap_diag("%s", cause);
	free(cause);
	conf_free(c);

	load_err("[daemon]\nhttp_request_timeout = 0\n", 2, "must not be 0",
	    "http_request_timeout 0");
	load_err("[daemon]\n\nhttp_request_timeout = 2d\n", 3,
	    "out of range", "http_request_timeout over a day");
	load_err("[daemon]\nhttp_idle_timeout = soon\n", 2,
	    "bad duration", "http_idle_timeout malformed");
	load_err("[daemon]\nhttp_max_connections = 0\n", 2,
	    "is not a number from 1 to 1000000", "http_max_connections 0");
	load_err("[daemon]\nhttp_max_connections = 5000000\n", 2,
	    "is not a number from 1 to", "http_max_connections too many");
	load_err("[daemon]\nhttp_max_header_size = 100\n", 2,
	    "out of range size", "http_max_header_size below 1K");
	load_err("[daemon]\nhttp_max_header_size = 2M\n", 2,
	    "out of range size", "http_max_header_size over 1M");
	load_err("[daemon]\nhttp_max_connections = 5\n"
	    "http_max_connections = 6\n", 3, "set twice (first on line 2)",
	    "http_max_connections twice");
}

/* Access tokens: [daemon] and [category "NAME"]; never quoted back. */
static void
test_tokens(void)
{
	struct conf	*c;
	char		*cause;
	int		 i;
	static const char *bad[] = {
		"short",
		"has space in it but long enough",
		"0123456789abcdef/",
		"0123456789abcdef?x=1",
		"0123456789abcdef&y",
		"0123456789abcdef\xc3\xa9",
	};
	char		 text[1024], long_token[300];

	c = load("[daemon]\naccess_token = AAAAbbbb-1234_x.y~zz\n"
	    "[category \"North Korea\"]\n"
	    "access_token = korea-token-0123456789\n"
	    "[category \"World\"] ; no token: as [daemon]\n"
	    "[feed \"https://a.example/x\"]\ncategory = North Korea\n",
	    &cause);
	tap_ok(c != NULL, "tokens load");
	if (c != NULL) {
		tap_is_str(c->access_token, "AAAAbbbb-1234_x.y~zz",
		    "[daemon] access_token");
		tap_is_int(c->ncategories, 2, "two [category] sections");
		if (c->ncategories == 2) {
			tap_is_str(c->categories[0].name, "North Korea",
			    "the category's name");
			tap_is_str(c->categories[0].access_token,
			    "korea-token-0123456789", "its token");
			tap_is_int(c->categories[0].line, 3, "its line");
			tap_ok(c->categories[1].access_token == NULL,
			    "a category without a token has none");
		}
		tap_is_int(c->nfeeds, 1, "a feed section after them");
	} else
		tap_diag("%s", cause);
	free(cause);
	conf_free(c);

	for (i = 0; i < (int)(sizeof bad / sizeof bad[0]); i++) {
		snprintf(text, sizeof text, "[daemon]\naccess_token = %s\n",
		    bad[i]);
		c = load(text, &cause);
		tap_ok(c == NULL && cause != NULL &&
		    strstr(cause, ":2: access_token: ") != NULL &&
		    strstr(cause, bad[i]) == NULL,
		    "token %d refused, not quoted: %s", i,
		    cause != NULL ? cause : "(none)");
		free(cause);
		conf_free(c);
	}
	memset(long_token, 'a', 257);
	long_token[257] = '\0';
	snprintf(text, sizeof text, "[daemon]\naccess_token = %s\n",
	    long_token);
	load_err(text, 2, "must be 16 to 256 characters", "a token too long");
	long_token[256] = '\0';
	snprintf(text, sizeof text, "[category \"x\"]\naccess_token = %s\n",
	    long_token);
	load_ok(text, "a token of 256 characters");
	load_err("[daemon]\naccess_token =\n", 2, "must be 16 to 256",
	    "an empty token");
	load_err("[category]\n", 1, "needs a name", "[category] without name");
	load_err("[category \"  \"]\n", 1, "needs a name",
	    "[category] with a blank name");
	load_err("[category \"A\"]\n[category \"A\"]\n", 2,
	    "duplicate category \"A\" (first on line 1)", "a category twice");
	load_err("[category \"A\"]\nlabel = x\n", 2,
	    "unknown key \"label\" in [category]", "a feed key in [category]");
	load_err("[category \"A\"]\naccess_token = aaaaaaaaaaaaaaaa\n"
	    "access_token = bbbbbbbbbbbbbbbb\n", 3, "set twice",
	    "a token twice in one category");
	load_ok("[category \"A\"]\naccess_token = aaaaaaaaaaaaaaaa\n"
	    "[category \"B\"]\naccess_token = bbbbbbbbbbbbbbbb\n",
	    "one token in each of two categories");
}

/*
 * Rules at every scope: read, and a bad one refused at its line
 * (HOSTILE-55).
 */
static void
test_rules(void)
{
	struct conf	*c;
	char		*cause;

	c = load("[daemon]\ninclude = korea\nexclude = \"paid post\"\n"
	    "[category \"North Korea\"]\ninclude = /kim|pyongyang/\n"
	    "exclude = sponsored\n[feed \"http://a.example/\"]\n"
	    "exclude = ad\n", &cause);
	tap_ok(c != NULL, "rules in [daemon], [category] and [feed]");
	if (c != NULL) {
		tap_is_str(c->include, "korea", "[daemon] include");
		tap_is_str(c->exclude, "\"paid post\"", "[daemon] exclude");
		tap_is_str(c->categories[0].include, "/kim|pyongyang/",
		    "[category] include");
		tap_is_str(c->categories[0].exclude, "sponsored",
		    "[category] exclude");
		tap_is_str(c->feeds[0].exclude, "ad", "[feed] exclude");
	} else
		tap_diag("%s", cause);
	free(cause);
	conf_free(c);
	load_ok("[daemon]\ninclude =\n[category \"A\"]\nexclude =\n",
	    "blank rule lists");
	load_err("[daemon]\ntitle = x\ninclude = /(/\n", 3,
	    "include: bad rule \"/(/\"", "a bad regex in [daemon]");
	load_err("[daemon]\nexclude = \"open\n", 2,
	    "exclude: bad rule \"\"open\": no closing quote",
	    "an open quote in [daemon]");
	load_err("[category \"A\"]\naccess_token = aaaaaaaaaaaaaaaa\n"
	    "exclude = //\n", 3, "exclude: bad rule \"//\"",
	    "an empty regex in [category]");
	load_err("[category \"A\"]\ninclude = /r/news\n", 2,
	    "include: bad rule \"/r/news\": no closing /",
	    "an unclosed regex in [category]");
	load_err("[feed \"http://a.example/\"]\nlabel = A\n\n"
	    "include = \"a\" b\n", 4, "include: bad rule",
	    "text after a quoted phrase in [feed]");
	load_err("[category \"A\"]\ninclude = a\ninclude = b\n", 3,
	    "set twice (first on line 2)", "include twice in a category");
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	xasprintf(&conf_path, "%s/test.conf", tmpdir);

	test_defaults();
	test_fixture();
	test_syntax();
	test_errors();
	test_first_error();
	test_interval();
	test_duration();
	test_size();
	test_http();
	test_tokens();
	test_rules();

	unlink(conf_path);
	rmdir(tmpdir);
	free(conf_path);
	return (tap_done());
}
