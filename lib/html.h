/*
 * HTML from feeds: an allowlist sanitizer, and rendering to plain text
 * with paragraph breaks kept. Built on libxml2's HTML parser. No I/O.
 */
#ifndef HTML_H
#define HTML_H

/*
 * Sanitize an HTML fragment: keep only allowed elements and attributes,
 * URLs (href, src) resolved against base (may be NULL) and limited to
 * http, https and mailto (data: for images only); drop script, style,
 * event handlers, forms, frames, objects and comments with their
 * contents. Returns a new string (caller frees), never NULL.
 */
char	*html_sanitize(const char *html, const char *base);

/*
 * Render an HTML fragment as plain text: tags removed, entities decoded,
 * block elements (p, div, br, li, h1-h6, blockquote, ...) become line
 * breaks, paragraphs are separated by one blank line, runs of spaces
 * collapse. Returns a new string (caller frees), never NULL.
 */
char	*html_to_text(const char *html);

/*
 * Render an HTML fragment as one line of plain text (titles): as
 * html_to_text, but all whitespace, line breaks included, collapses to
 * single spaces and the ends are trimmed.
 */
char	*html_to_line(const char *html);

#endif
