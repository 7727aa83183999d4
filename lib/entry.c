/* The normalized types: constructors and destructors. */

#include "config.h"

#include <stdlib.h>

#include "entry.h"
#include "xmalloc.h"

int64_t
stored_entry_date(const struct stored_entry *se)
{
	if (se->published != TIME_NONE)
		return (se->published);
	if (se->updated != TIME_NONE)
		return (se->updated);
	return (se->first_seen);
}

const char *
feed_format_name(enum feed_format f)
{
	static const char	*names[] = {
		"unknown", "rss090", "rss091", "rss092", "rss10", "rss20",
		"atom03", "atom10", "json10", "json11"
	};

	if ((size_t)f >= sizeof names / sizeof names[0])
		return ("unknown");
	return (names[f]);
}

struct entry *
entry_new(void)
{
	struct entry	*e;

	e = xcalloc(1, sizeof *e);
	e->published = e->updated = TIME_NONE;
	return (e);
}

void
entry_free(struct entry *e)
{
	size_t	i;

	if (e == NULL)
		return;
	free(e->id);
	free(e->title);
	free(e->link);
	free(e->author);
	free(e->summary);
	free(e->content);
	for (i = 0; i < e->ncategories; i++)
		free(e->categories[i]);
	free(e->categories);
	for (i = 0; i < e->nenclosures; i++) {
		free(e->enclosures[i].url);
		free(e->enclosures[i].type);
	}
	free(e->enclosures);
	free(e);
}

struct feed_doc *
feed_doc_new(void)
{
	struct feed_doc	*d;

	d = xcalloc(1, sizeof *d);
	d->meta.updated = TIME_NONE;
	d->meta.ttl = -1;
	d->meta.update_period = -1;
	return (d);
}

void
feed_doc_add(struct feed_doc *d, struct entry *e)
{
	d->entries = xreallocarray(d->entries, d->nentries + 1,
	    sizeof *d->entries);
	d->entries[d->nentries++] = e;
}

void
feed_doc_free(struct feed_doc *d)
{
	size_t	i;

	if (d == NULL)
		return;
	free(d->meta.title);
	free(d->meta.link);
	free(d->meta.subtitle);
	free(d->meta.language);
	free(d->meta.author);
	for (i = 0; i < d->nentries; i++)
		entry_free(d->entries[i]);
	free(d->entries);
	free(d->malformed);
	free(d);
}

void
stored_entry_free(struct stored_entry *se)
{
	size_t	i;

	if (se == NULL)
		return;
	free(se->guid);
	free(se->title);
	free(se->link);
	free(se->author);
	free(se->summary);
	free(se->content);
	for (i = 0; i < se->ncategories; i++)
		free(se->categories[i]);
	free(se->categories);
	for (i = 0; i < se->nenclosures; i++) {
		free(se->enclosures[i].url);
		free(se->enclosures[i].type);
	}
	free(se->enclosures);
	for (i = 0; i < se->nsources; i++) {
		free(se->sources[i].label);
		free(se->sources[i].site);
		free(se->sources[i].feed_url);
		free(se->sources[i].feed_key);
		free(se->sources[i].link);
	}
	free(se->sources);
	free(se->snippet);
	free(se);
}

void
stored_entries_free(struct stored_entry **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		stored_entry_free(v[i]);
	free(v);
}
