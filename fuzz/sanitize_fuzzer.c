/*
 * libFuzzer target for html_sanitize, asserting the HOSTILE-29
 * properties: re-parsed as a browser would (libxml2's HTML parser), the
 * output holds no disallowed element, no on* or style attribute and no
 * URL with a disallowed scheme; sanitizing is idempotent; and the output
 * has no more tags than the input. html_to_text and html_to_line must
 * give clean UTF-8 on anything.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "buf.h"
#include "html.h"
#include "url.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	 fuzz_check_tree(xmlNodePtr);
static void	 fuzz_check_url(const char *, const char *, const char *);
static size_t	 fuzz_tags(const char *);

#define FUZZ_BASE	"https://example.org/a/"

/* A URL attribute: http, https, mailto, or a data: image on an img. */
static void
fuzz_check_url(const char *elem, const char *attr, const char *value)
{
	char	*clean, *scheme;

	clean = url_strip(value);
	scheme = url_scheme(clean);
	if (scheme != NULL && strcmp(scheme, "http") != 0 &&
	    strcmp(scheme, "https") != 0 && strcmp(scheme, "mailto") != 0) {
		if (strcmp(scheme, "data") != 0 ||
		    strcasecmp(elem, "img") != 0 ||
		    strncasecmp(clean, "data:image/", 11) != 0 ||
		    strncasecmp(clean, "data:image/svg", 14) == 0)
			abort();
	}
	free(scheme);
	free(clean);
	(void)attr;
}

/* Walk the re-parsed output: nothing a browser would run. */
static void
fuzz_check_tree(xmlNodePtr top)
{
	static const char *const bad[] = { "script", "style", "iframe",
	    "frame", "frameset", "object", "embed", "applet", "form",
	    "input", "button", "textarea", "select", "base", "meta",
	    "link", "svg", "math", "noscript", "template", "xmp",
	    "plaintext", "noembed", "noframes", "title", "isindex",
	    "animate", "set", "use", "foreignobject" };
	xmlNodePtr	 n = top->children;
	xmlAttrPtr	 a;
	xmlChar		*v;
	size_t		 i;

	while (n != NULL) {
		if (n->type == XML_ELEMENT_NODE) {
			for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
				if (strcasecmp((const char *)n->name,
				    bad[i]) == 0)
					abort();
			for (a = n->properties; a != NULL; a = a->next) {
				if (strncasecmp((const char *)a->name, "on",
				    2) == 0 ||
				    strcasecmp((const char *)a->name,
				    "style") == 0 ||
				    strcasecmp((const char *)a->name,
				    "srcdoc") == 0 ||
				    strcasecmp((const char *)a->name,
				    "formaction") == 0)
					abort();
				if (strcasecmp((const char *)a->name,
				    "href") == 0 ||
				    strcasecmp((const char *)a->name,
				    "src") == 0 ||
				    strcasecmp((const char *)a->name,
				    "cite") == 0 ||
				    strcasecmp((const char *)a->name,
				    "poster") == 0) {
					v = xmlNodeGetContent((xmlNodePtr)a);
					fuzz_check_url((const char *)n->name,
					    (const char *)a->name,
					    v != NULL ? (const char *)v : "");
					xmlFree(v);
				}
			}
			if (n->children != NULL) {
				n = n->children;
				continue;
			}
		} else if (n->type == XML_COMMENT_NODE)
			abort();	/* HOSTILE-28 */
		while (n->next == NULL) {
			n = n->parent;
			if (n == top || n == NULL)
				return;
		}
		n = n->next;
	}
}

/*
 * Start tags in a string: '<' then a letter. libxml2 also reads "< p>"
 * (blanks after the '<') as a tag, so those count too.
 */
static size_t
fuzz_tags(const char *s)
{
	const char	*t;
	size_t		 n = 0;

	for (; *s != '\0'; s++) {
		if (*s != '<')
			continue;
		for (t = s + 1; *t == ' ' || *t == '\t' || *t == '\n' ||
		    *t == '\r' || *t == '\f'; t++)
			;
		if ((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z'))
			n++;
	}
	return (n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*in, *out, *again, *text, *c;
	htmlDocPtr	 doc;

	if ((in = malloc(size + 1)) == NULL)
		return (0);
	memcpy(in, data, size);
	in[size] = '\0';

	out = html_sanitize(in, FUZZ_BASE);
	c = utf8_clean(out, strlen(out));
	if (strcmp(c, out) != 0)
		abort();
	free(c);
	/* Idempotent. */
	again = html_sanitize(out, FUZZ_BASE);
	if (strcmp(again, out) != 0)
		abort();
	free(again);
	/*
	 * No more tags out than in (Miniflux's property), in counted after
	 * the characters XML forbids are dropped, as the sanitizer does
	 * first ("<\x07p>" is "<p>" to it).
	 */
	c = utf8_clean(in, size);
	if (fuzz_tags(out) > fuzz_tags(c))
		abort();
	free(c);
	/* Re-parsed as a browser would: nothing that runs. */
	if (*out != '\0') {
		doc = htmlReadMemory(out, (int)strlen(out), NULL, "UTF-8",
		    HTML_PARSE_NONET | HTML_PARSE_NOERROR |
		    HTML_PARSE_NOWARNING | HTML_PARSE_NODEFDTD);
		if (doc != NULL) {
			fuzz_check_tree((xmlNodePtr)doc);
			xmlFreeDoc(doc);
		}
	}
	free(out);

	text = html_to_text(in);
	c = utf8_clean(text, strlen(text));
	if (strcmp(c, text) != 0)
		abort();
	free(c);
	free(text);
	text = html_to_line(in);
	if (strchr(text, '\n') != NULL)
		abort();
	free(text);
	free(in);
	return (0);
}
