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
#define STORE_DEFER_INDEX 0x2	/* store_put leaves search to store_index */

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
	char	*origin;	/* "config" or "cli" */
	int64_t	 keep_days;	/* -1: the [daemon] value */
	int64_t	 keep_per_feed;	/* -1: the [daemon] value */
	/*
	 * The publisher's hints as the last document gave them (they stay
	 * through a 304 or a failure): RSS <ttl> in minutes and
	 * sy:updatePeriod/updateFrequency as a period in seconds (-1:
	 * none), skipHours and skipDays as struct feed_meta has them.
	 */
	int64_t	 ttl;
	int64_t	 update_period;
	uint32_t skip_hours;
	uint32_t skip_days;
	/* What the last HTTP answer said, in seconds; -1: nothing. */
	int64_t	 max_age;	/* Cache-Control max-age, else Expires */
	int64_t	 retry_after;
	/*
	 * What decided next_poll (struct store_plan): the reason, or NULL
	 * when the daemon has not said (a feed never polled, a store made
	 * before schema version 4), when, and the figures it used.
	 */
	char	*plan;
	int64_t	 plan_at;	/* seconds, or TIME_NONE */
	int64_t	 plan_delay;	/* ms; -1: no poll planned */
	int64_t	 plan_interval;	/* ms, the feed's interval then */
	int64_t	 plan_min;	/* ms, min_interval then; 0: none */
	int64_t	 plan_max;	/* ms, max_interval then; 0: none */
};

/*
 * Why a feed is polled when it is, written with a poll's outcome
 * (store_fetch.plan) or alone (store_plans_put). why is the word
 * sched_plan_delay gave ("interval", "ttl", "sy:updatePeriod",
 * "Cache-Control", "backoff", "Retry-After", "skipHours", "skipDays",
 * "min_interval", "max_interval"), or "gone" (410: none planned),
 * "spread" (the start-up spread), "refresh" (asked for).
 */
struct store_plan {
	const char	*why;
	int64_t		 at;		/* seconds, when decided */
	int64_t		 delay;		/* ms from at; -1: none planned */
	int64_t		 interval;	/* ms, the feed's interval */
	int64_t		 min;		/* ms, min_interval; 0: none */
	int64_t		 max;		/* ms, max_interval; 0: none */
	/* A document was parsed: its hints replace the stored ones. */
	int		 hints;
	int64_t		 ttl;		/* minutes; -1: none */
	int64_t		 update_period;	/* seconds; -1: none */
	uint32_t	 skip_hours;
	uint32_t	 skip_days;
	/* An answer came (or none): these replace the stored ones. */
	int		 http;
	int64_t		 max_age;	/* seconds; -1: none */
	int64_t		 retry_after;	/* seconds; -1: none */
};

/*
 * A change to a feed's settings (store_feed_add, store_feed_edit). NULL
 * or -1 leaves a setting as it is; an empty label clears it.
 */
struct store_feed_edit {
	const char	*label;
	const char	*category;
	int64_t		 interval;	/* ms; 0 = the default */
};

/* Retention defaults: the [daemon] keep_days and keep_per_feed. */
struct store_retention {
	int64_t		 keep_days;	/* 0: never by age */
	int64_t		 keep_per_feed;	/* 0: no limit */
};

/* What store_stats counts. */
struct store_stats {
	int64_t		 schema_version;
	int64_t		 feeds;
	int64_t		 feeds_enabled;
	int64_t		 entries;
	int64_t		 sources;	/* (entry, feed) pairs */
	int64_t		 shared;	/* entries with two sources or more */
	int64_t		 tombstones;
	int64_t		 oldest;	/* entry dates, or TIME_NONE */
	int64_t		 newest;
	int64_t		 bytes;		/* database file, WAL excluded */
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
	const struct store_plan *plan;	/* NULL: hints and plan stay */
};

struct store_query {
	int64_t		 limit;		/* 0 = all */
	int64_t		 feed_id;	/* 0 = every feed */
	const char	*category;	/* NULL = every category */
	int64_t		 since;		/* dated at or after; 0 = any */
};

/*
 * Open (creating if needed, unless STORE_READONLY) a store. Returns NULL
 * with *cause naming the file and the problem.
 */
struct store	*store_open(const char *path, int flags, char **cause);
void		 store_close(struct store *);

/*
 * Make the feeds table match the feeds a configuration declares: add new
 * ones, update label, category, interval and retention of known ones (matched by
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
 * doc (NULL on 304 or failure), in one transaction. An item is the
 * entry it was before if the feed's id for it, else its canonical link,
 * else its normalized title and text match; across feeds, the same
 * canonical link (or the same long text) is one entry with several
 * sources. Unchanged items cause no write; an item removed before (a
 * tombstone) is not stored again. *nnew (may be NULL) is set to the
 * number of entries inserted. Returns 0 or -1 with *cause; on -1 nothing is
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
 * Full-text search (FTS5) over title, text and author: words, "phrases",
 * prefix*, AND/OR/NOT, column:word. Entries best match first, each with
 * a snippet (se->snippet, matches between [ and ]). Returns 0, -1 with
 * *cause, or -2 with *cause starting "bad query" when the query is not
 * valid syntax (HOSTILE-53).
 */
int		 store_search(struct store *, const char *query, int64_t limit,
		     struct stored_entry ***, size_t *, char **cause);

/*
 * Subscriptions made with the CLI (origin "cli"). store_feed_add fails
 * if a feed has that URL already; *id (may be NULL) gets the new id.
 * store_feed_edit and store_feed_remove refuse a feed the configuration
 * declares (it would come back at the next start). Removing a feed
 * removes the stories only it carried; a story it shares stays with its
 * other sources. store_feed_enable turns polling on (a "gone" or
 * "disabled" feed becomes "new": due now) or off (status "disabled",
 * which the configuration does not override). All return 0 or -1 with
 * *cause.
 */
int		 store_feed_add(struct store *, const char *url,
		     const struct store_feed_edit *, int64_t *id,
		     char **cause);
int		 store_feed_edit(struct store *, int64_t id,
		     const struct store_feed_edit *, char **cause);
int		 store_feed_remove(struct store *, int64_t id, char **cause);
int		 store_feed_enable(struct store *, int64_t id, int on,
		     char **cause);

/*
 * Remove an entry and remember it (a tombstone per source id, its
 * canonical link and text), so no feed brings it back. Returns 1 if
 * removed, 0 if there is no such entry, -1 with *cause.
 */
int		 store_entry_remove(struct store *, int64_t id, char **cause);

/*
 * Retention: a feed keeps its newest keep_per_feed stories, and none
 * older than keep_days (the feed's own values, else the defaults). A
 * story leaves a feed it expired in, with a tombstone so that feed does
 * not bring it back; a story no feed keeps is removed. Works in
 * transactions of a few hundred rows, so writers and readers are never
 * held up long; at most max sources go per call (0: all that expired).
 * *nsources and *nentries (may be NULL) count what went. Returns 0 or
 * -1 with *cause (what earlier batches removed stays removed).
 */
int		 store_prune(struct store *, const struct store_retention *,
		     int64_t now, int64_t max, int64_t *nsources,
		     int64_t *nentries, char **cause);

/*
 * Index for search up to max stories (0: all) that a store opened with
 * STORE_DEFER_INDEX left waiting (any connection's), in transactions of
 * a few hundred, so writers and readers are never held up long. Until
 * then search does not find them; everything else does. *n (may be NULL)
 * counts the stories indexed. Returns 0 or -1 with *cause (what earlier
 * batches indexed stays indexed).
 */
int		 store_index(struct store *, int64_t max, int64_t *n,
		     char **cause);

/*
 * Record for n feeds (ids[i], plans[i]) why and when each is polled
 * next, in one transaction: next_poll becomes at + delay (rounded up to
 * a second; TIME_NONE for -1) and the plan replaces the stored one; the
 * hints change only where plans[i].hints and .http say so. A feed that
 * is not there is skipped. Returns 0 or -1 with *cause (nothing
 * written).
 */
int		 store_plans_put(struct store *, const int64_t *ids,
		     const struct store_plan *plans, size_t n, char **cause);

/* Counts and sizes. Returns 0 or -1 with *cause. */
int		 store_stats(struct store *, struct store_stats *,
		     char **cause);

/*
 * Integrity (PRAGMA integrity_check, foreign keys) and consistency
 * (every entry has its sources and its search row). Sets *problems to
 * one line per problem found (none: *n = 0; free each and the array).
 * Returns 0, or -1 with *cause if the checks could not run.
 */
int		 store_check(struct store *, char ***problems, size_t *n,
		     char **cause);

/*
 * A number that changes whenever any connection (or process) commits a
 * change to what outputs show: stories and their sources, removals and
 * retention, feeds added or removed, their label, category, title, site
 * link, author, polled URL or switch. Feed state alone (validators, next
 * poll, status, errors) leaves it, so outputs render again only when
 * they would differ. Cheap when nothing was committed.
 */
int64_t		 store_version(struct store *);
int64_t		 store_changes(struct store *);

#endif
