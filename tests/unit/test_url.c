/* Unit tests for lib/url: resolution, classification, redaction. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "url.h"

struct resolve_case {
	const char	*base;
	const char	*ref;
	const char	*want;		/* NULL: no valid URL */
};

#define B	"https://example.org/a/b/c.html?x=1#f"

static const struct resolve_case resolve_cases[] = {
	/* RFC 3986 5.4 style, against a base with query and fragment. */
	{ B, "d", "https://example.org/a/b/d" },
	{ B, "./d", "https://example.org/a/b/d" },
	{ B, "../d", "https://example.org/a/d" },
	{ B, "../../../../d", "https://example.org/d" },
	{ B, "/e", "https://example.org/e" },
	{ B, "?q", "https://example.org/a/b/c.html?q" },
	{ B, "#g", "https://example.org/a/b/c.html?x=1#g" },
	{ B, "", "https://example.org/a/b/c.html?x=1" },
	{ B, NULL, "https://example.org/a/b/c.html?x=1" },
	{ B, "//cdn.example.net/i.png", "https://cdn.example.net/i.png" },
	{ B, "http://other.example/x", "http://other.example/x" },
	{ B, "HTTP://EXAMPLE.COM", "http://EXAMPLE.COM/" },
	{ B, "  /e\t", "https://example.org/e" },
	{ B, "/a b", "https://example.org/a%20b" },
	{ B, "/p/../q", "https://example.org/q" },
	/* An absolute reference needs no base. */
	{ NULL, "https://example.org/feed", "https://example.org/feed" },
	{ "", "https://example.org/feed", "https://example.org/feed" },
	{ "not a url", "https://example.org/x", "https://example.org/x" },
	{ "file:///etc/", "https://example.org/x", "https://example.org/x" },
	/* A relative reference needs one. */
	{ NULL, "/relative", NULL },
	{ "", "relative", NULL },
	{ NULL, "//evil.example/x", NULL },
	{ NULL, NULL, NULL },
	{ "not a url", "x", NULL },
	/* Non-hierarchical schemes are not URLs curl reads: NULL. */
	{ B, "javascript:alert(1)", NULL },
	{ B, "JaVaScRiPt:alert(1)", NULL },
	{ B, "java\tscript:alert(1)", NULL },
	{ B, "\x01javascript:alert(1)", NULL },
	{ B, " javascript:alert(1)", NULL },
	{ B, "vbscript:msgbox(1)", NULL },
	{ B, "data:text/html,<script>alert(1)</script>", NULL },
	{ B, "http://exa mple.org/", NULL },
	/* A file: base stays file: (the caller checks the scheme). */
	{ "file:///srv/feeds/", "x.xml", "file:///srv/feeds/x.xml" },
};

struct scheme_case {
	const char	*in;
	const char	*want;
};

static const struct scheme_case scheme_cases[] = {
	{ "https://example.org/", "https" },
	{ "HTTP://example.org/", "http" },
	{ "JaVaScRiPt:alert(1)", "javascript" },
	{ "  mailto:a@example.org", "mailto" },
	{ "java\tscript:x", "javascript" },
	{ "data:image/png;base64,AA", "data" },
	{ "svn+ssh://h/x", "svn+ssh" },
	{ "/relative/path", NULL },
	{ "rel/ative:x", NULL },
	{ "no scheme?x:y", NULL },
	{ "1http://x", NULL },
	{ "", NULL },
	{ "://x", NULL },
};

/* For url_resolve_http: what it gives where url_resolve gives more. */
static const struct resolve_case http_cases[] = {
	{ B, "javascript:alert(1)", NULL },
	{ B, "java\tscript:alert(1)", NULL },
	{ B, "mailto:a@example.org", NULL },
	{ B, "ftp://example.org/x", NULL },
	{ B, "file:///etc/passwd", NULL },
	{ B, "http://", NULL },
	{ "file:///srv/feeds/a.xml", "b.xml", NULL },
	{ "file:///srv/feeds/a.xml", "https://example.org/b",
	    "https://example.org/b" },
	{ "ftp://example.org/a/", "b", NULL },
	{ NULL, "/relative", NULL },
	{ "", "", NULL },
};

int
main(void)
{
	const struct resolve_case	*rc;
	const struct scheme_case	*sc;
	char				*s;
	size_t				 i;

	for (i = 0; i < sizeof resolve_cases / sizeof resolve_cases[0]; i++) {
		rc = &resolve_cases[i];
		s = url_resolve(rc->base, rc->ref);
		tap_is_str(s, rc->want, "resolve \"%s\" against \"%s\"",
		    rc->ref != NULL ? rc->ref : "(null)",
		    rc->base != NULL ? rc->base : "(null)");
		free(s);
	}

	/*
	 * url_resolve_http checks the scheme and host on the handle it
	 * resolved with: it must agree with resolving and then asking
	 * url_is_http of the result, on every case above and on those
	 * that are not http (HOSTILE-23).
	 */
	for (i = 0; i < sizeof resolve_cases / sizeof resolve_cases[0] +
	    sizeof http_cases / sizeof http_cases[0]; i++) {
		struct resolve_case	 hc;
		char			*two;

		if (i < sizeof resolve_cases / sizeof resolve_cases[0])
			hc = resolve_cases[i];
		else
			hc = http_cases[i - sizeof resolve_cases /
			    sizeof resolve_cases[0]];
		two = url_resolve(hc.base, hc.ref);
		if (two != NULL && !url_is_http(two)) {
			free(two);
			two = NULL;
		}
		s = url_resolve_http(hc.base, hc.ref);
		if (i >= sizeof resolve_cases / sizeof resolve_cases[0])
			tap_is_str(s, hc.want, "resolve_http \"%s\" gives %s",
			    hc.ref != NULL ? hc.ref : "(null)",
			    hc.want != NULL ? hc.want : "nothing");
		tap_is_str(s, two, "resolve_http \"%s\" against \"%s\"",
		    hc.ref != NULL ? hc.ref : "(null)",
		    hc.base != NULL ? hc.base : "(null)");
		free(s);
		free(two);
	}

	/*
	 * curl decodes %XX in a host: a URL that would come back with a
	 * byte that is not UTF-8 is refused (found by fuzz/parse_fuzzer,
	 * fuzz/regress/parse-13; HOSTILE-13).
	 */
	s = url_resolve(NULL, "https://ex%aample.org/");
	tap_ok(s == NULL, "a host that decodes to a stray byte is refused "
	    "(got %s)", s != NULL ? s : "NULL");
	free(s);
	s = url_resolve("https://example.org/", "https://ex%aample.org/x");
	tap_ok(s == NULL, "as a reference too");
	free(s);

	for (i = 0; i < sizeof scheme_cases / sizeof scheme_cases[0]; i++) {
		sc = &scheme_cases[i];
		s = url_scheme(sc->in);
		tap_is_str(s, sc->want, "scheme of \"%s\"", sc->in);
		free(s);
	}
	tap_ok(url_scheme(NULL) == NULL, "scheme of NULL");

	tap_ok(url_is_http("http://example.org/"), "http is http");
	tap_ok(url_is_http("https://example.org/x?y#z"), "https is http");
	tap_ok(url_is_http("HTTPS://EXAMPLE.ORG/"), "HTTPS is http");
	tap_ok(!url_is_http("ftp://example.org/"), "ftp is not");
	tap_ok(!url_is_http("file:///etc/passwd"), "file is not");
	tap_ok(!url_is_http("javascript:alert(1)"), "javascript is not");
	tap_ok(!url_is_http("mailto:a@example.org"), "mailto is not");
	tap_ok(!url_is_http("/relative"), "a relative URL is not");
	tap_ok(!url_is_http("http://"), "http without a host is not");
	tap_ok(!url_is_http(""), "empty is not");
	tap_ok(!url_is_http(NULL), "NULL is not");

	/* HOSTILE-45: credentials never shown. */
	s = url_redact("https://user:secret@example.org/feed?x=1");
	tap_is_str(s, "https://example.org/feed?x=1", "redact user:password");
	free(s);
	s = url_redact("http://user@example.org:8080/feed");
	tap_is_str(s, "http://example.org:8080/feed", "redact user only");
	free(s);
	s = url_redact("https://example.org/feed");
	tap_is_str(s, "https://example.org/feed", "nothing to redact");
	free(s);
	s = url_redact("weird://us er:p@ss@exa mple/x");
	tap_ok(s != NULL && strstr(s, "p@ss") == NULL &&
	    strstr(s, "us er") == NULL, "redact an unparsable URL: %s", s);
	free(s);
	s = url_redact("no credentials here");
	tap_is_str(s, "no credentials here", "redact a non-URL");
	free(s);
	s = url_redact(NULL);
	tap_is_str(s, "", "redact NULL");
	free(s);

	/* A long URL is handled, not truncated. */
	s = malloc(70000);
	if (s != NULL) {
		char	*r;

		memcpy(s, "https://example.org/", 20);
		memset(s + 20, 'a', 70000 - 21);
		s[69999] = '\0';
		r = url_resolve(NULL, s);
		tap_ok(r != NULL && strlen(r) == 69999, "64 KB URL resolves");
		free(r);
		free(s);
	}

	return (tap_done());
}
