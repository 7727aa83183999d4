/*
 * Outputs: stored entries rendered as Atom 1.0, RSS 2.0 and the HTML
 * page. Pure functions over buffers, no I/O.
 */
#ifndef PUBLISH_H
#define PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"

struct publish_view {
	const char		 *title;	/* e.g. the [daemon] title */
	const char		 *base_url;	/* public URL, no trailing / */
	const char		 *path;		/* this view: "" for all */
	int64_t			  updated;	/* newest change, seconds */
	struct stored_entry	**entries;	/* newest first */
	size_t			  nentries;
};

/*
 * Render a view. Each returns a new NUL-terminated document (caller
 * frees) and sets *len; the document is well-formed UTF-8 with no
 * character XML forbids, whatever the entries hold.
 */
char	*publish_atom(const struct publish_view *, size_t *len);
char	*publish_rss(const struct publish_view *, size_t *len);
/* The HTML page: no script; "Posted on DATE by AUTHOR" and "[LABEL]". */
char	*publish_html(const struct publish_view *, size_t *len);

#endif
