/*
 * URLs: resolve, check and canonicalize through libcurl's URL API, never
 * by string surgery. No I/O.
 */
#ifndef URL_H
#define URL_H

/*
 * Resolve ref against base (either may be NULL or empty: an absolute ref
 * needs no base). Return a new absolute URL (caller frees), or NULL if the
 * result is not a valid URL.
 */
char	*url_resolve(const char *base, const char *ref);
/* The same, but NULL unless the result is an http or https URL with a host. */
char	*url_resolve_http(const char *base, const char *ref);

/*
 * Return a URL cleaned the way a browser reads it: C0 controls and spaces
 * stripped from both ends, tabs and line breaks removed everywhere (so
 * "java\tscript:" is the "javascript:" it would run as). Caller frees.
 */
char	*url_strip(const char *);

/* Is this an absolute http or https URL? */
int	 url_is_http(const char *);

/* Return the scheme in lower case (caller frees), or NULL if none. */
char	*url_scheme(const char *);

/*
 * Return a copy of a URL safe to show or log: user name and password
 * removed (HOSTILE-45). Caller frees; never NULL.
 */
char	*url_redact(const char *);

#endif
