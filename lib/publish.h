/*
 * Outputs: stored entries rendered as Atom 1.0, RSS 2.0, JSON Feed 1.1
 * and the HTML page, and the sources as OPML 2.0. Pure functions over
 * buffers, no I/O.
 */
#ifndef PUBLISH_H
#define PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"

/* A category, for the page's list of categories. */
struct publish_category {
	const char	*name;
	const char	*slug;		/* its view lives at c/SLUG */
};

/* A subscription, for the OPML document. */
struct publish_source {
	const char	*title;		/* its label, else its own title */
	const char	*xml_url;	/* where it is polled */
	const char	*html_url;	/* its site, or NULL */
	const char	*category;
};

struct publish_view {
	const char		 *title;	/* e.g. the [daemon] title */
	const char		 *base_url;	/* public URL, no trailing / */
	const char		 *path;		/* this view: "" for all */
	int64_t			  updated;	/* newest change, seconds */
	struct stored_entry	**entries;	/* newest first */
	size_t			  nentries;
	/* The fields below may be left zero. */
	const char		 *category;	/* the view's category, or
						   NULL for everything */
	/*
	 * RFC 5005 paging: the query string (no '?', not escaped) of this
	 * page, of the newest page and of the next older page; NULL for
	 * none (the newest page is the document without a query).
	 */
	const char		 *query;
	const char		 *first_query;
	const char		 *next_query;
	const struct publish_category *categories;	/* the page's list */
	size_t			  ncategories;
	const struct publish_source *sources;		/* for OPML */
	size_t			  nsources;
	/*
	 * A query (no '?', not escaped; e.g. "token=SECRET") added to each
	 * link to a document of this view (its page, its feeds) that has no
	 * page query of its own (the queries above are the caller's, and
	 * hold what it wants them to), and one added to each link to the
	 * site's other documents (the other views, OPML); NULL for none.
	 * Ids never carry them, nor links that lead off the site.
	 */
	const char		 *link_query;
	const char		 *site_query;
	/* A WebSub hub, linked as rel="hub" from the feeds; or NULL. */
	const char		 *hub;
};

/*
 * Render a view. Each returns a new NUL-terminated document (caller
 * frees) and sets *len; the document is well-formed UTF-8 with no
 * character XML forbids, whatever the entries hold.
 */
char	*publish_atom(const struct publish_view *, size_t *len);
char	*publish_rss(const struct publish_view *, size_t *len);
/* JSON Feed 1.1; the sources of each item are in "_feedmux". */
char	*publish_json(const struct publish_view *, size_t *len);
/*
 * The HTML page: no script; "Posted on DATE by AUTHOR" and "[LABEL]";
 * a category view is headed "Category: NAME".
 */
char	*publish_html(const struct publish_view *, size_t *len);
/* OPML 2.0 of view->sources, one outline per category. */
char	*publish_opml(const struct publish_view *, size_t *len);

#endif
