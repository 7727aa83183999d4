/* URLs through libcurl's URL API: resolve, classify, redact. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "url.h"
#include "xmalloc.h"

/* Parse flags: keep unknown schemes readable, encode stray spaces. */
#define URL_FLAGS	(CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE)

static int	 url_is_space(int);
static size_t	 url_scheme_len(const char *);
static CURLU	*url_parse(const char *);
static char	*url_get(CURLU *);
static CURLU	*url_resolve_handle(const char *, const char *);
static int	 url_handle_is_http(CURLU *);

/* What browsers strip from both ends of a URL: C0 controls and space. */
static int
url_is_space(int c)
{
	return (c >= 0 && c <= 0x20);
}

/*
 * Clean a URL the way a browser does before reading it: strip leading
 * and trailing C0 controls and spaces, and remove every tab, CR and LF,
 * so that "java\tscript:" is seen as the "javascript:" it would run as.
 */
char *
url_strip(const char *s)
{
	struct buf	 b;
	size_t		 len;

	while (*s != '\0' && url_is_space((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && url_is_space((unsigned char)s[len - 1]))
		len--;
	buf_init(&b);
	for (; len > 0; s++, len--) {
		if (*s != '\t' && *s != '\n' && *s != '\r')
			buf_addc(&b, *s);
	}
	return (buf_steal(&b, NULL));
}

/*
 * The length of an RFC 3986 scheme at the start of s, followed by ':',
 * or 0. curl reads only hierarchical URLs, so schemes such as mailto:
 * and javascript: are recognized by their syntax.
 */
static size_t
url_scheme_len(const char *s)
{
	size_t	n;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return (0);
	for (n = 1; s[n] != '\0' && s[n] != ':'; n++) {
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= '0' && s[n] <= '9') ||
		    s[n] == '+' || s[n] == '-' || s[n] == '.'))
			return (0);
	}
	return (s[n] == ':' ? n : 0);
}

/* Parse an absolute URL into a new handle, or return NULL. */
static CURLU *
url_parse(const char *s)
{
	CURLU	*u;

	if ((u = curl_url()) == NULL)
		return (NULL);
	if (curl_url_set(u, CURLUPART_URL, s, URL_FLAGS) != CURLUE_OK) {
		curl_url_cleanup(u);
		return (NULL);
	}
	return (u);
}

/* Return the whole URL of a handle as our own string, or NULL. */
static char *
url_get(CURLU *u)
{
	char	*s, *copy;

	if (curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
		return (NULL);
	/*
	 * curl decodes %XX in a host name, so "ex%aa.org" comes back with
	 * a raw 0xaa byte: a URL that is not clean UTF-8 is no URL.
	 */
	copy = utf8_clean(s, strlen(s));
	if (strcmp(copy, s) != 0) {
		free(copy);
		copy = NULL;
	}
	curl_free(s);
	return (copy);
}

/*
 * Resolve ref against base into a handle, or return NULL. The base is
 * read only for a relative ref.
 */
static CURLU *
url_resolve_handle(const char *base, const char *ref)
{
	CURLU	*u = NULL;
	char	*b = NULL, *r;

	r = url_strip(ref != NULL ? ref : "");
	if (*r != '\0' && url_scheme_len(r) != 0) {
		/* Absolute: no base needed, and none is used. */
		u = url_parse(r);
		goto out;
	}
	b = url_strip(base != NULL ? base : "");
	if (*b == '\0' || (u = url_parse(b)) == NULL)
		goto out;
	/*
	 * RFC 3986 5.2.2: an empty reference is the base without its
	 * fragment, and "#f" only replaces the fragment. curl 7.88 gets
	 * both wrong (it drops the last path segment), so they are done
	 * part by part here.
	 */
	if (*r == '\0' || *r == '#') {
		if (curl_url_set(u, CURLUPART_FRAGMENT,
		    *r == '#' && r[1] != '\0' ? r + 1 : NULL,
		    CURLU_URLENCODE) != CURLUE_OK) {
			curl_url_cleanup(u);
			u = NULL;
		}
	} else if (curl_url_set(u, CURLUPART_URL, r, URL_FLAGS) != CURLUE_OK) {
		curl_url_cleanup(u);
		u = NULL;
	}
out:
	free(b);
	free(r);
	return (u);
}

/* Is the URL in a handle http or https, with a host? */
static int
url_handle_is_http(CURLU *u)
{
	char	*scheme = NULL, *host = NULL;
	int	 ok = 0;

	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    *host != '\0')
		ok = strcmp(scheme, "http") == 0 ||
		    strcmp(scheme, "https") == 0;
	curl_free(scheme);
	curl_free(host);
	return (ok);
}

char *
url_resolve(const char *base, const char *ref)
{
	CURLU	*u;
	char	*out;

	if ((u = url_resolve_handle(base, ref)) == NULL)
		return (NULL);
	out = url_get(u);
	curl_url_cleanup(u);
	return (out);
}

/*
 * The same, for a result that must be http or https: checked on the
 * handle already parsed, not by parsing the result once more.
 */
char *
url_resolve_http(const char *base, const char *ref)
{
	CURLU	*u;
	char	*out = NULL;

	if ((u = url_resolve_handle(base, ref)) == NULL)
		return (NULL);
	if (url_handle_is_http(u))
		out = url_get(u);
	curl_url_cleanup(u);
	return (out);
}

int
url_is_http(const char *s)
{
	CURLU	*u;
	int	 ok;

	if (s == NULL || (u = url_parse(s)) == NULL)
		return (0);
	ok = url_handle_is_http(u);
	curl_url_cleanup(u);
	return (ok);
}

char *
url_scheme(const char *s)
{
	char	*c, *out;
	size_t	 n, i;

	if (s == NULL)
		return (NULL);
	c = url_strip(s);
	if ((n = url_scheme_len(c)) == 0) {
		free(c);
		return (NULL);
	}
	out = xstrndup(c, n);
	free(c);
	for (i = 0; i < n; i++) {
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] += 'a' - 'A';
	}
	return (out);
}

char *
url_redact(const char *s)
{
	CURLU	*u;
	char	*out = NULL, *c, *auth, *end, *at, *p;

	if (s == NULL)
		return (xstrdup(""));
	if ((u = url_parse(s)) != NULL) {
		if (curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
		    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
		    curl_url_set(u, CURLUPART_OPTIONS, NULL, 0) == CURLUE_OK)
			out = url_get(u);
		curl_url_cleanup(u);
		if (out != NULL)
			return (out);
	}

	/*
	 * Not a URL curl reads, but it may still hold credentials: drop
	 * everything up to the last '@' of what would be the authority.
	 */
	c = xstrdup(s);
	if ((auth = strstr(c, "://")) == NULL)
		return (c);
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	at = NULL;
	for (p = auth; p < end; p++) {
		if (*p == '@')
			at = p;
	}
	if (at != NULL)
		memmove(auth, at + 1, strlen(at + 1) + 1);
	return (c);
}
