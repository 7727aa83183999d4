/*
 * The store: feeds, their fetch state, and entries, in one SQLite file
 * (WAL). The only state feedmux has. No SQLite types leave store.c, so a
 * second backend can sit behind this header.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"

struct conf;
struct store;

#define STORE_READONLY	0x1	/* the CLI's listings */

/* A subscription and its fetch state. */
struct store_feed {
	int64_t	 id;
	char	*url;		/* declared URL: the identity */
	char	*fetch_url;	/* URL polled now (after 301/308) */
	char	*label;		/* or NULL */
	char	*category;
	char	*title;		/* the feed's own title, or NULL */
	char	*site;		/* the feed's own link, or NULL */
	char	*author;	/* feed-level author, or NULL */
	int64_t	 interval;	/* ms; 0 = default */
	int	 enabled;
	char	*status;	/* new, ok, error, gone, disabled, refused */
	char	*etag;		/* validators as the server sent them */
	char	*last_modified;
	int64_t	 last_fetch;	/* or TIME_NONE */
	int64_t	 next_poll;	/* or TIME_NONE: due now */
	int	 http_status;	/* last HTTP status, 0 if none */
	int	 error_count;	/* failures in a row */
	char	*error;		/* last error text, or NULL */
	char	*malformed;	/* why the last document needed recovery */
	int64_t	 entries;	/* stories it carried that the store holds */
};

/* The outcome of one poll, written with its entries in one transaction. */
struct store_fetch {
	const char	*status;	/* "ok", "error", "gone", "refused" */
	int		 http_status;	/* 0 if no HTTP answer */
	const char	*etag;		/* NULL: none */
	const char	*last_modified;	/* NULL: none */
	const char	*error;		/* NULL on success */
	const char	*new_url;	/* after a 301/308, else NULL */
	int64_t		 fetched_at;	/* seconds */
	int64_t		 next_poll;	/* seconds */
};

struct store_query {
	int64_t		 limit;		/* 0 = all */
	int64_t		 feed_id;	/* 0 = every feed */
	const char	*category;	/* NULL = every category */
};

/*
 * Open (creating if needed, unless STORE_READONLY) a store. Returns NULL
 * with *cause naming the file and the problem.
 */
struct store	*store_open(const char *path, int flags, char **cause);
void		 store_close(struct store *);

/*
 * Make the feeds table match the feeds a configuration declares: add new
 * ones, update label, category and interval of known ones (matched by
 * declared URL, so state survives). Returns 0 or -1 with *cause.
 */
int		 store_sync_feeds(struct store *, const struct conf *,
		     char **cause);

/* All feeds, by id. Returns 0 or -1 with *cause. */
int		 store_feeds(struct store *, struct store_feed ***, size_t *,
		     char **cause);

/*
 * Find a feed by id, URL or label. Returns 0 with *feed set (NULL if
 * there is no such feed), or -1 with *cause.
 */
int		 store_feed_find(struct store *, const char *key,
		     struct store_feed **feed, char **cause);
void		 store_feed_free(struct store_feed *);
void		 store_feeds_free(struct store_feed **, size_t);

/*
 * Record one poll: the fetch state, the feed's metadata and entries from
 * doc (NULL on 304 or failure), in one transaction. Entries are
 * deduplicated by (feed, id). *nnew (may be NULL) is set to the number
 * of entries inserted. Returns 0 or -1 with *cause; on -1 nothing is
 * written.
 */
int		 store_put(struct store *, int64_t feed_id,
		     const struct feed_doc *doc, const struct store_fetch *,
		     int *nnew, char **cause);

/*
 * Entries newest first (published, else updated, else first seen), each
 * story once with its sources. Returns 0 or -1 with *cause.
 */
int		 store_entries(struct store *, const struct store_query *,
		     struct stored_entry ***, size_t *, char **cause);

/*
 * One entry by its store id. Returns 0 with *se set (NULL if there is no
 * such entry), or -1 with *cause.
 */
int		 store_entry_get(struct store *, int64_t id,
		     struct stored_entry **se, char **cause);

/*
 * A number that changes whenever any connection commits a change to the
 * store, so outputs know when to render again.
 */
int64_t		 store_version(struct store *);

#endif
