/*
 * The store, on SQLite: one file in WAL mode, synchronous=NORMAL, foreign
 * keys on, a 5 s busy timeout. The schema is versioned with PRAGMA
 * user_version and marked with PRAGMA application_id; each migration runs
 * in one transaction, so a migration killed halfway is rolled back and
 * retried at the next start. A file that is not a feedmux database, is
 * corrupt, or has a newer schema is refused and never written to.
 *
 * Durability: in WAL mode with synchronous=NORMAL a commit is atomic and
 * the file is always consistent, but the last transactions before a power
 * loss or an OS crash may be rolled back (a crash of feedmuxd alone loses
 * nothing committed). Those are polls done again at the next fetch.
 *
 * Stories: an entries row is one story, with the fields of the source
 * that brought it first (its feed_id, guid, link); entry_sources holds
 * every (story, feed) pair with that feed's own id for it, its link, the
 * canonical link and a fingerprint of its title and text (for matching),
 * and a hash of what the feed last offered (an unchanged item causes no
 * write). tombstones remember what retention or a user removed.
 * entries_fts indexes title, text and author; a trigger removes a
 * story's row when the story goes. A store opened with STORE_DEFER_INDEX
 * queues new and edited stories in search_pending for store_index
 * instead (the cascade drops a queued story that goes).
 *
 * published holds one counter, bumped (in the same transaction) by every
 * write that changes what outputs show; store_version follows it, so
 * the daemon's feed-state writes after each poll render nothing again.
 *
 * The hot statements are prepared once at open; rare ones (removals,
 * retention, statistics) when used. Every value goes in as a bound
 * parameter. Times are integer seconds, NULL for TIME_NONE.
 *
 * Feeds a configuration no longer declares are kept, with their entries
 * and fetch state, but get enabled = 0 (they are not polled); declaring
 * them again sets enabled = 1. Status "disabled" is left to the user's own
 * switch: a feed in that status stays enabled = 0 whatever the config.
 */

#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <sqlite3.h>

#include "buf.h"
#include "conf.h"
#include "entry.h"
#include "html.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

#define STORE_SCHEMA_VERSION	5
#define STORE_APPLICATION_ID	0x46444d58	/* "FDMX" */
#define STORE_BUSY_TIMEOUT	5000		/* ms */

/* Field caps, so no entry gets near SQLITE_TOOBIG (HOSTILE-54). */
#define STORE_GUID_MAX		2048
#define STORE_TITLE_MAX		4096
#define STORE_LINK_MAX		8192
#define STORE_AUTHOR_MAX	1024
#define STORE_HTML_MAX		(1024 * 1024)
#define STORE_CATEGORY_MAX	256
#define STORE_CATEGORIES_MAX	64
#define STORE_ENCLOSURES_MAX	16
#define STORE_TYPE_MAX		128	/* an enclosure's MIME type */
#define STORE_META_MAX		4096
#define STORE_VALIDATOR_MAX	1024
#define STORE_FTS_TEXT_MAX	(256 * 1024)	/* text indexed per entry */
#define STORE_QUERY_MAX		4096		/* bytes of a search query */

/*
 * A fingerprint needs this much normalized title and text to mean
 * anything; across feeds, the text alone must be this long (a shared
 * title like "Open thread" is not a shared story).
 */
#define STORE_FP_MIN		24
#define STORE_FP_WIDE_MIN	200

/* Dates further ahead than this are the fetch time (a broken clock). */
#define STORE_FUTURE_MAX	86400

#define STORE_PRUNE_BATCH	200	/* sources per transaction */
#define STORE_INDEX_BATCH	200	/* stories indexed per transaction */

enum store_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_DATA_VERSION,
	ST_PUB_VERSION,
	ST_PUB_BUMP,
	ST_FEED_UPSERT,
	ST_FEED_UNDECLARE,
	ST_FEED_STATE,
	ST_FEED_META,
	ST_FEED_PLAN,
	ST_FEEDS,
	ST_FEED_BY_ID,
	ST_FEED_BY_URL,
	ST_FEED_BY_FETCH_URL,
	ST_FEED_BY_LABEL,
	ST_ENTRIES,
	ST_ENTRY_GET,
	ST_SRC_BY_GUID,
	ST_SRC_BY_CANON,
	ST_SRC_BY_FP,
	ST_SRC_OF,
	ST_SRC_UPSERT,
	ST_TOMB_CHECK,
	ST_TOMB_ADD,
	ST_ENTRY_INSERT,
	ST_ENTRY_UPDATE,
	ST_FTS_DELETE,
	ST_FTS_INSERT,
	ST_PENDING_ADD,
	ST_PENDING_GET,
	ST_PENDING_DELETE,
	ST_SOURCES,
	ST_SEARCH,
	ST_COUNT
};

#define STORE_FEED_COLUMNS \
	"f.id, f.url, f.fetch_url, f.label, f.category, f.title, f.site, " \
	"f.author, f.interval, f.enabled, f.status, f.etag, " \
	"f.last_modified, f.last_fetch, f.next_poll, f.http_status, " \
	"f.error_count, f.error, f.malformed, " \
	"(SELECT count(*) FROM entry_sources es WHERE es.feed_id = f.id), " \
	"f.origin, f.keep_days, f.keep_per_feed, " \
	"f.ttl, f.update_period, f.skip_hours, f.skip_days, f.max_age, " \
	"f.retry_after, f.plan, f.plan_at, f.plan_delay, f.plan_interval, " \
	"f.plan_min, f.plan_max"

#define STORE_ENTRY_COLUMNS \
	"e.id, e.guid, e.title, e.link, e.author, e.published, e.updated, " \
	"e.first_seen, e.summary, e.content, e.categories, " \
	"f.id, f.label, f.title, f.url, f.site, f.fetch_url, f.author, " \
	"e.enclosures"

#define STORE_ENTRY_DATE	"COALESCE(e.published, e.updated, e.first_seen)"

#define STORE_ENTRY_ORDER \
	" ORDER BY COALESCE(e.published, e.updated, e.first_seen) DESC, " \
	"e.id DESC"

static const char *store_sql[ST_COUNT] = {
	/* ST_BEGIN: take the write lock now, so busy_timeout applies. */
	"BEGIN IMMEDIATE",
	/* ST_COMMIT */
	"COMMIT",
	/* ST_ROLLBACK */
	"ROLLBACK",
	/* ST_DATA_VERSION */
	"PRAGMA data_version",
	/* ST_PUB_VERSION */
	"SELECT version FROM published WHERE id = 1",
	/* ST_PUB_BUMP */
	"UPDATE published SET version = version + 1 WHERE id = 1",
	/*
	 * ST_FEED_UPSERT: ?1 url, ?2 label, ?3 category, ?4 interval,
	 * ?5 keep_days, ?6 keep_per_feed (NULL: the [daemon] values).
	 */
	"INSERT INTO feeds (url, fetch_url, label, category, interval, "
	"    origin, keep_days, keep_per_feed) "
	"VALUES (?1, ?1, ?2, ?3, ?4, 'config', ?5, ?6) "
	"ON CONFLICT (url) DO UPDATE SET label = excluded.label, "
	"    category = excluded.category, interval = excluded.interval, "
	"    origin = 'config', enabled = (status != 'disabled'), "
	"    keep_days = excluded.keep_days, "
	"    keep_per_feed = excluded.keep_per_feed "
	"WHERE label IS NOT excluded.label "
	"    OR category IS NOT excluded.category "
	"    OR interval IS NOT excluded.interval "
	"    OR origin IS NOT 'config' "
	"    OR enabled IS NOT (status != 'disabled') "
	"    OR keep_days IS NOT excluded.keep_days "
	"    OR keep_per_feed IS NOT excluded.keep_per_feed",
	/* ST_FEED_UNDECLARE: ?1 the declared URLs as a JSON array. */
	"UPDATE feeds SET enabled = 0 WHERE origin = 'config' AND "
	"    enabled != 0 AND url NOT IN (SELECT value FROM json_each(?1))",
	/*
	 * ST_FEED_STATE: ?1 id, ?2 status, ?3 http_status, ?4 etag,
	 * ?5 last_modified, ?6 error, ?7 new_url, ?8 fetched_at,
	 * ?9 next_poll, ?10 1 to clear the etag, ?11 1 to clear
	 * last_modified.
	 */
	"UPDATE feeds SET status = COALESCE(?2, status), http_status = ?3, "
	"    etag = CASE WHEN ?10 THEN NULL ELSE COALESCE(?4, etag) END, "
	"    last_modified = CASE WHEN ?11 THEN NULL "
	"        ELSE COALESCE(?5, last_modified) END, "
	"    error = ?6, "
	"    error_count = CASE WHEN ?6 IS NULL THEN 0 "
	"        ELSE error_count + 1 END, "
	"    fetch_url = COALESCE(?7, fetch_url), "
	"    last_fetch = ?8, next_poll = ?9 "
	"WHERE id = ?1",
	/* ST_FEED_META: ?1 id, ?2 title, ?3 site, ?4 author, ?5 malformed. */
	"UPDATE feeds SET title = ?2, site = ?3, author = ?4, malformed = ?5 "
	"WHERE id = ?1 AND (title IS NOT ?2 OR site IS NOT ?3 "
	"    OR author IS NOT ?4 OR malformed IS NOT ?5)",
	/*
	 * ST_FEED_PLAN: ?1 id, ?2 next_poll, ?3 plan, ?4 plan_at,
	 * ?5 plan_delay, ?6 plan_interval, ?7 plan_min, ?8 plan_max;
	 * ?9 1 to set the document hints ?10 ttl, ?11 update_period,
	 * ?12 skip_hours, ?13 skip_days; ?14 1 to set the HTTP hints
	 * ?15 max_age, ?16 retry_after.
	 */
	"UPDATE feeds SET next_poll = ?2, plan = ?3, plan_at = ?4, "
	"    plan_delay = ?5, plan_interval = ?6, plan_min = ?7, "
	"    plan_max = ?8, "
	"    ttl = CASE WHEN ?9 THEN ?10 ELSE ttl END, "
	"    update_period = CASE WHEN ?9 THEN ?11 ELSE update_period END, "
	"    skip_hours = CASE WHEN ?9 THEN ?12 ELSE skip_hours END, "
	"    skip_days = CASE WHEN ?9 THEN ?13 ELSE skip_days END, "
	"    max_age = CASE WHEN ?14 THEN ?15 ELSE max_age END, "
	"    retry_after = CASE WHEN ?14 THEN ?16 ELSE retry_after END "
	"WHERE id = ?1",
	/* ST_FEEDS */
	"SELECT " STORE_FEED_COLUMNS " FROM feeds f ORDER BY f.id",
	/* ST_FEED_BY_ID */
	"SELECT " STORE_FEED_COLUMNS " FROM feeds f WHERE f.id = ?1",
	/* ST_FEED_BY_URL */
	"SELECT " STORE_FEED_COLUMNS " FROM feeds f WHERE f.url = ?1",
	/* ST_FEED_BY_FETCH_URL */
	"SELECT " STORE_FEED_COLUMNS " FROM feeds f WHERE f.fetch_url = ?1 "
	"ORDER BY f.id LIMIT 1",
	/* ST_FEED_BY_LABEL: two rows tell an ambiguous label. */
	"SELECT " STORE_FEED_COLUMNS " FROM feeds f WHERE f.label = ?1 "
	"ORDER BY f.id LIMIT 2",
	/*
	 * ST_ENTRIES: ?1 feed id or 0, ?2 category or NULL, ?3 limit,
	 * ?4 since or NULL. A story is in a feed, or a category, when any
	 * of its sources is.
	 */
	"SELECT " STORE_ENTRY_COLUMNS " FROM entries e "
	"JOIN feeds f ON f.id = e.feed_id "
	"WHERE (?1 = 0 OR EXISTS (SELECT 1 FROM entry_sources es "
	"        WHERE es.entry_id = e.id AND es.feed_id = ?1)) "
	"    AND (?2 IS NULL OR EXISTS (SELECT 1 FROM entry_sources es "
	"        JOIN feeds f2 ON f2.id = es.feed_id "
	"        WHERE es.entry_id = e.id AND f2.category = ?2)) "
	"    AND (?4 IS NULL OR " STORE_ENTRY_DATE " >= ?4)"
	STORE_ENTRY_ORDER " LIMIT ?3",
	/* ST_ENTRY_GET */
	"SELECT " STORE_ENTRY_COLUMNS " FROM entries e "
	"JOIN feeds f ON f.id = e.feed_id WHERE e.id = ?1",
	/* ST_SRC_BY_GUID: ?1 feed, ?2 guid; with the hashes of the offer. */
	"SELECT es.entry_id, es.hash, es.qhash FROM entry_sources es "
	"WHERE es.feed_id = ?1 AND es.guid = ?2 LIMIT 1",
	/* ST_SRC_BY_CANON: ?1 feed, ?2 canonical link; this feed first. */
	"SELECT entry_id FROM entry_sources WHERE canon = ?2 "
	"ORDER BY feed_id = ?1 DESC LIMIT 1",
	/*
	 * ST_SRC_BY_FP: ?1 feed, ?2 fingerprint. Across feeds only for a
	 * "w" (wide: long text) fingerprint.
	 */
	"SELECT entry_id FROM entry_sources WHERE fp = ?2 "
	"    AND (feed_id = ?1 OR substr(fp, 1, 1) = 'w') "
	"ORDER BY feed_id = ?1 DESC LIMIT 1",
	/* ST_SRC_OF: ?1 entry, ?2 feed: the first source, this one's row. */
	"SELECT e.feed_id, es.guid, es.hash, es.feed_id FROM entries e "
	"LEFT JOIN entry_sources es ON es.entry_id = e.id AND es.feed_id = ?2 "
	"WHERE e.id = ?1",
	/*
	 * ST_SRC_UPSERT: ?1 entry, ?2 feed, ?3 guid, ?4 link, ?5 canon,
	 * ?6 fp, ?7 hash, ?8 first_seen, ?9 qhash.
	 */
	"INSERT INTO entry_sources (entry_id, feed_id, guid, link, canon, "
	"    fp, hash, first_seen, qhash) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
	"ON CONFLICT (entry_id, feed_id) DO UPDATE SET guid = excluded.guid, "
	"    link = excluded.link, canon = excluded.canon, fp = excluded.fp, "
	"    hash = excluded.hash, qhash = excluded.qhash",
	/* ST_TOMB_CHECK: ?1 ?2 ?3 tombstone keys (NULL: none). */
	"SELECT 1 FROM tombstones WHERE key IN (?1, ?2, ?3) LIMIT 1",
	/* ST_TOMB_ADD: ?1 key, ?2 feed or NULL, ?3 time. */
	"INSERT OR IGNORE INTO tombstones (key, feed_id, at) "
	"VALUES (?1, ?2, ?3)",
	/* ST_ENTRY_INSERT */
	"INSERT INTO entries (feed_id, guid, title, link, author, published, "
	"    updated, first_seen, summary, content, categories, canon, "
	"    enclosures) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	/*
	 * ST_ENTRY_UPDATE: an edit by the first source. The first published
	 * time stays; the updated time is the item's, else now.
	 */
	"UPDATE entries SET title = ?2, link = ?3, author = ?4, "
	"    published = COALESCE(published, ?5), updated = ?6, "
	"    summary = ?7, content = ?8, categories = ?9, canon = ?10, "
	"    enclosures = ?11 "
	"WHERE id = ?1",
	/* ST_FTS_DELETE */
	"DELETE FROM entries_fts WHERE rowid = ?1",
	/* ST_FTS_INSERT */
	"INSERT INTO entries_fts (rowid, title, text, author) "
	"VALUES (?1, ?2, ?3, ?4)",
	/* ST_PENDING_ADD: ?1 entry. */
	"INSERT OR IGNORE INTO search_pending (entry_id) VALUES (?1)",
	/* ST_PENDING_GET: ?1 limit; oldest first. */
	"SELECT p.entry_id, e.title, COALESCE(e.content, e.summary), "
	"    e.author FROM search_pending p JOIN entries e ON e.id = "
	"    p.entry_id ORDER BY p.entry_id LIMIT ?1",
	/* ST_PENDING_DELETE: ?1 entry. */
	"DELETE FROM search_pending WHERE entry_id = ?1",
	/* ST_SOURCES: ?1 entry; the first source first. */
	"SELECT es.feed_id, f.label, f.title, f.url, f.site, f.fetch_url, "
	"    es.link, es.guid, es.first_seen "
	"FROM entries e JOIN entry_sources es ON es.entry_id = e.id "
	"JOIN feeds f ON f.id = es.feed_id WHERE e.id = ?1 "
	"ORDER BY es.feed_id != e.feed_id, es.first_seen, es.feed_id",
	/*
	 * ST_SEARCH: ?1 the query, ?2 limit; best match first. The best
	 * ids are chosen first, so that the stories and their snippets are
	 * read only for those, not for every match (a word that 4,000 of a
	 * million stories have: 130 ms down to 40).
	 */
	"SELECT " STORE_ENTRY_COLUMNS ", "
	"    snippet(entries_fts, -1, '[', ']', '\xe2\x80\xa6', 12) "
	"FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid "
	"JOIN feeds f ON f.id = e.feed_id "
	"WHERE entries_fts MATCH ?1 AND entries_fts.rowid IN (SELECT rowid "
	"    FROM entries_fts WHERE entries_fts MATCH ?1 "
	"    ORDER BY rank, rowid DESC LIMIT ?2) "
	"ORDER BY rank, e.id DESC LIMIT ?2"
};

/*
 * Migrations: store_migrations[i] takes a store from version i to i + 1,
 * in one transaction with the version bump. Version 1 is the schema of
 * the first release; version 2 adds sources, tombstones and search, and
 * fills them from the entries already there (with the fm_* functions
 * store_functions registers); version 3 adds the published version (a
 * counter that the transactions changing what outputs show bump) and the
 * stories waiting for the search index (STORE_DEFER_INDEX); version 4
 * adds the publisher's hints (RSS ttl, sy:updatePeriod, skipHours,
 * skipDays, Cache-Control max-age or Expires, Retry-After) and what
 * decided each feed's next poll, so a restart and the CLI know them;
 * version 5 adds the quick hash of what a source offered raw (qhash), so
 * an item offered again byte for byte is known without cleaning it
 * (NULL in the rows from before, which are compared as before), and
 * keeps the enclosures (an item that has some, offered again, is stored
 * again with them: the hash covers them only when there are some, so
 * other items stay as they were).
 */
static const char *store_migrations[STORE_SCHEMA_VERSION] = {
	"CREATE TABLE feeds ("
	"    id INTEGER PRIMARY KEY,"
	"    url TEXT NOT NULL UNIQUE,"
	"    fetch_url TEXT NOT NULL,"
	"    label TEXT,"
	"    category TEXT NOT NULL DEFAULT 'Uncategorized',"
	"    title TEXT,"
	"    site TEXT,"
	"    author TEXT,"
	"    interval INTEGER NOT NULL DEFAULT 0,"
	"    enabled INTEGER NOT NULL DEFAULT 1,"
	"    origin TEXT NOT NULL DEFAULT 'config'"
	"        CHECK (origin IN ('config', 'cli')),"
	"    status TEXT NOT NULL DEFAULT 'new'"
	"        CHECK (status IN ('new', 'ok', 'error', 'gone', 'disabled',"
	"        'refused')),"
	"    etag TEXT,"
	"    last_modified TEXT,"
	"    last_fetch INTEGER,"
	"    next_poll INTEGER,"
	"    http_status INTEGER NOT NULL DEFAULT 0,"
	"    error_count INTEGER NOT NULL DEFAULT 0,"
	"    error TEXT,"
	"    malformed TEXT"
	");"
	"CREATE TABLE entries ("
	"    id INTEGER PRIMARY KEY,"
	"    feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,"
	"    guid TEXT NOT NULL,"
	"    title TEXT NOT NULL DEFAULT '',"
	"    link TEXT,"
	"    author TEXT,"
	"    published INTEGER,"
	"    updated INTEGER,"
	"    first_seen INTEGER NOT NULL,"
	"    summary TEXT,"
	"    content TEXT,"
	"    categories TEXT,"		/* a JSON array of strings, or NULL */
	"    UNIQUE (feed_id, guid)"
	");"
	"CREATE INDEX entries_date ON entries"
	"    (COALESCE(published, updated, first_seen) DESC, id DESC);",

	/* 1 -> 2 */
	"ALTER TABLE feeds ADD COLUMN keep_days INTEGER;"
	"ALTER TABLE feeds ADD COLUMN keep_per_feed INTEGER;"
	/* The story table, rebuilt: no more UNIQUE (feed_id, guid). */
	"CREATE TABLE entries_v2 ("
	"    id INTEGER PRIMARY KEY,"
	"    feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,"
	"    guid TEXT NOT NULL,"
	"    title TEXT NOT NULL DEFAULT '',"
	"    link TEXT,"
	"    author TEXT,"
	"    published INTEGER,"
	"    updated INTEGER,"
	"    first_seen INTEGER NOT NULL,"
	"    summary TEXT,"
	"    content TEXT,"
	"    categories TEXT,"
	"    canon TEXT"
	");"
	"INSERT INTO entries_v2 (id, feed_id, guid, title, link, author,"
	"    published, updated, first_seen, summary, content, categories,"
	"    canon) "
	"SELECT id, feed_id, guid, title, link, author, published, updated,"
	"    first_seen, summary, content, categories, fm_canon(link) "
	"FROM entries;"
	"DROP TABLE entries;"
	"ALTER TABLE entries_v2 RENAME TO entries;"
	"CREATE INDEX entries_date ON entries"
	"    (COALESCE(published, updated, first_seen) DESC, id DESC);"
	"CREATE INDEX entries_feed ON entries (feed_id);"
	"CREATE TABLE entry_sources ("
	"    entry_id INTEGER NOT NULL REFERENCES entries (id)"
	"        ON DELETE CASCADE,"
	"    feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,"
	"    guid TEXT NOT NULL,"
	"    link TEXT,"
	"    canon TEXT,"
	"    fp TEXT,"
	"    hash INTEGER,"
	"    first_seen INTEGER NOT NULL,"
	"    PRIMARY KEY (entry_id, feed_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX entry_sources_guid ON entry_sources (feed_id, guid);"
	"CREATE INDEX entry_sources_canon ON entry_sources (canon)"
	"    WHERE canon IS NOT NULL;"
	"CREATE INDEX entry_sources_fp ON entry_sources (fp)"
	"    WHERE fp IS NOT NULL;"
	"INSERT INTO entry_sources (entry_id, feed_id, guid, link, canon, fp,"
	"    hash, first_seen) "
	"SELECT id, feed_id, guid, link, canon, fm_fp(title,"
	"    COALESCE(content, summary)), fm_hash(title, link, author,"
	"    summary, content, categories), first_seen FROM entries;"
	"CREATE TABLE tombstones ("
	"    key TEXT PRIMARY KEY,"
	"    feed_id INTEGER,"
	"    at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX tombstones_feed ON tombstones (feed_id)"
	"    WHERE feed_id IS NOT NULL;"
	"CREATE VIRTUAL TABLE entries_fts USING fts5 (title, text, author,"
	"    tokenize = 'unicode61 remove_diacritics 2');"
	"INSERT INTO entries_fts (rowid, title, text, author) "
	"SELECT id, title, fm_text(COALESCE(content, summary)), author "
	"FROM entries;"
	"CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN"
	"    DELETE FROM entries_fts WHERE rowid = old.id;"
	"END;",

	/* 2 -> 3 */
	"CREATE TABLE published ("
	"    id INTEGER PRIMARY KEY CHECK (id = 1),"
	"    version INTEGER NOT NULL"
	");"
	"INSERT INTO published (id, version) VALUES (1, 1);"
	"CREATE TABLE search_pending ("
	"    entry_id INTEGER PRIMARY KEY REFERENCES entries (id)"
	"        ON DELETE CASCADE"
	");",

	/* 3 -> 4 */
	"ALTER TABLE feeds ADD COLUMN ttl INTEGER;"
	"ALTER TABLE feeds ADD COLUMN update_period INTEGER;"
	"ALTER TABLE feeds ADD COLUMN skip_hours INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN skip_days INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN max_age INTEGER;"
	"ALTER TABLE feeds ADD COLUMN retry_after INTEGER;"
	"ALTER TABLE feeds ADD COLUMN plan TEXT;"
	"ALTER TABLE feeds ADD COLUMN plan_at INTEGER;"
	"ALTER TABLE feeds ADD COLUMN plan_delay INTEGER;"
	"ALTER TABLE feeds ADD COLUMN plan_interval INTEGER;"
	"ALTER TABLE feeds ADD COLUMN plan_min INTEGER;"
	"ALTER TABLE feeds ADD COLUMN plan_max INTEGER;",

	/* 4 -> 5; enclosures: a JSON array of {url, type, length}, or NULL */
	"ALTER TABLE entry_sources ADD COLUMN qhash INTEGER;"
	"ALTER TABLE entries ADD COLUMN enclosures TEXT;"
};

/* What store_put_entry derives from an item. */
struct store_item {
	char		*guid;
	char		*title;
	char		*link;
	char		*author;
	char		*summary;
	char		*content;
	char		*cats;
	char		*encls;		/* JSON, or NULL */
	char		*canon;		/* or NULL */
	char		*text;		/* html_to_text, or NULL until needed */
	char		*fp;		/* or NULL */
	int		 fp_done;	/* fp computed */
	int64_t		 hash;
	int64_t		 qhash;		/* of the raw item: store_qhash */
	int64_t		 published;
	int64_t		 updated;
};

struct store {
	char		*path;
	sqlite3		*db;
	int		 readonly;
	int		 defer;		/* STORE_DEFER_INDEX */
	sqlite3_stmt	*st[ST_COUNT];
	int64_t		 version;	/* what store_version returns */
	int64_t		 published;	/* published.version read last */
	int64_t		 data_version;
	int64_t		 total_changes;
	int		 dirty;		/* bump published at commit */
};

static void	store_error(struct store *, char **, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	store_sqlerr(struct store *, char **);
static int	store_exec(struct store *, const char *, char **);
static int	store_pragma_int(struct store *, const char *, int64_t *,
		    char **);
static int	store_check_open(struct store *, int64_t *, char **);
static int	store_quick_check(struct store *, char **);
static int	store_wal(struct store *, char **);
static int	store_migrate(struct store *, char **);
static int	store_prepare(struct store *, char **);
static int	store_step_done(struct store *, enum store_stmt, char **);
static int	store_begin(struct store *, char **);
static int	store_commit(struct store *, char **);
static void	store_rollback(struct store *);
static int64_t	store_data_version(struct store *);
static int64_t	store_published(struct store *);
static void	store_bind_text(sqlite3_stmt *, int, const char *);
static void	store_bind_time(sqlite3_stmt *, int, int64_t);
static char	*store_col_text(sqlite3_stmt *, int);
static int64_t	store_col_time(sqlite3_stmt *, int);
static int64_t	store_col_opt(sqlite3_stmt *, int);
static void	store_bind_opt(sqlite3_stmt *, int, int64_t);
static int	store_put_plan(struct store *, int64_t, int64_t,
		    const struct store_plan *, char **);
static size_t	store_cut(const char *, size_t);
static char	*store_clean(const char *, size_t, int);
static char	*store_clean_guid(const struct entry *);
static char	*store_categories(const struct entry *);
static char	*store_enclosures(const struct entry *);
static char	*store_json_text(json_t *);
static int	store_validator(const char *);
static int	store_put_state(struct store *, int64_t,
		    const struct store_fetch *, char **);
static int	store_put_meta(struct store *, int64_t,
		    const struct feed_doc *, char **);
static int	store_put_entry(struct store *, int64_t,
		    const struct entry *, int64_t, char **);
static struct store_feed *store_feed_row(sqlite3_stmt *);
static struct stored_entry *store_entry_row(struct store *, sqlite3_stmt *);
static void	store_row_enclosures(struct stored_entry *, const char *);
static int	store_functions(struct store *, char **);
static void	store_fn_result(sqlite3_context *, char *);
static void	store_fn_canon(sqlite3_context *, int, sqlite3_value **);
static void	store_fn_fp(sqlite3_context *, int, sqlite3_value **);
static void	store_fn_hash(sqlite3_context *, int, sqlite3_value **);
static void	store_fn_text(sqlite3_context *, int, sqlite3_value **);
static char	*store_canon(const char *);
static int	store_tracking_param(const char *, size_t);
static void	store_norm(struct buf *, const char *);
static int	store_fp_tag(const char *, size_t);
static const char *store_fp_skip(const char *, const char *, size_t);
static size_t	store_fp_entity(const char *, unsigned char *, size_t *);
static size_t	store_norm_html(char *, const char *, size_t);
static char	*store_fingerprint(const char *, const char *);
static int64_t	store_hash(const char **, size_t);
static char	*store_text(const char *);
static void	store_item_init(struct store_item *, const struct entry *,
		    char *, int64_t);
static int64_t	store_qhash(const struct entry *);
static void	store_item_fp(struct store_item *);
static void	store_item_free(struct store_item *);
static int	store_lookup(struct store *, enum store_stmt, int64_t,
		    const char *, int64_t *, int64_t *, int64_t *, int *,
		    char **);
static int	store_tombstoned(struct store *, int64_t,
		    const struct store_item *, char **);
static int	store_entry_new(struct store *, int64_t,
		    struct store_item *, int64_t, char **);
static int	store_entry_attach(struct store *, int64_t, int64_t,
		    struct store_item *, int64_t, char **);
static int	store_fts_put(struct store *, int64_t,
		    struct store_item *, char **);
static int	store_index_batch(struct store *, int64_t, int64_t *,
		    char **);
static void	store_entry_sources(struct store *, struct stored_entry *);
static int	store_rows(struct store *, enum store_stmt,
		    struct stored_entry ***, size_t *, int, char **);
static int	store_prep(struct store *, const char *, sqlite3_stmt **,
		    char **);
static int	store_run_id(struct store *, const char *, int64_t, char **);
static int	store_one_int(struct store *, const char *, int64_t,
		    int64_t *, char **);
static int	store_tomb_add(struct store *, const char *, const char *,
		    int64_t, int64_t, char **);
static int	store_drop_source(struct store *, int64_t, int64_t, int64_t,
		    int64_t *, char **);
static int	store_prune_feed(struct store *, int64_t, int64_t, int64_t,
		    int64_t, int64_t, int64_t *, int64_t *, char **);
static char	*store_feed_check(struct store *, int64_t, int, char **);
static int	store_feed_query(struct store *, enum store_stmt,
		    const char *, int64_t, struct store_feed **, char **);

/* Set *cause to "PATH: message". */
static void
store_error(struct store *s, char **cause, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(cause, "%s: %s", s->path, msg);
	free(msg);
}

/* Set *cause to "PATH: " and SQLite's last error. */
static void
store_sqlerr(struct store *s, char **cause)
{
	int	code, syserr;

	code = sqlite3_errcode(s->db) & 0xff;
	syserr = sqlite3_system_errno(s->db);
	if (code == SQLITE_CORRUPT)
		store_error(s, cause, "%s (not modified; restore it from a "
		    "backup)", sqlite3_errmsg(s->db));
	else if ((code == SQLITE_CANTOPEN || code == SQLITE_IOERR ||
	    code == SQLITE_READONLY) && syserr != 0)
		store_error(s, cause, "%s: %s", sqlite3_errmsg(s->db),
		    strerror(syserr));
	else
		store_error(s, cause, "%s", sqlite3_errmsg(s->db));
}

/* Run fixed SQL that takes no parameters (pragmas, the schema). */
static int
store_exec(struct store *s, const char *sql, char **cause)
{
	char	*err = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		store_error(s, cause, "%s", err != NULL ? err :
		    sqlite3_errmsg(s->db));
		sqlite3_free(err);
		return (-1);
	}
	return (0);
}

/* Read a pragma (or any one-integer query). */
static int
store_pragma_int(struct store *s, const char *sql, int64_t *v, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_sqlerr(s, cause);
		return (-1);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		*v = 0;
	else {
		if ((sqlite3_extended_errcode(s->db) & 0xff) ==
		    SQLITE_READONLY && s->readonly)
			store_error(s, cause, "cannot read the database "
			    "without write access to its directory (for the "
			    "WAL index): %s", sqlite3_errmsg(s->db));
		else
			store_sqlerr(s, cause);
		sqlite3_finalize(st);
		return (-1);
	}
	sqlite3_finalize(st);
	return (0);
}

/*
 * Check an opened file is a feedmux store this code can use, reading
 * only: its schema version goes to *version.
 */
static int
store_check_open(struct store *s, int64_t *version, char **cause)
{
	int64_t	appid, ntables;

	if (store_pragma_int(s, "PRAGMA user_version", version, cause) != 0)
		return (-1);
	if (store_pragma_int(s, "PRAGMA application_id", &appid, cause) != 0)
		return (-1);
	if (*version == 0) {
		if (store_pragma_int(s, "SELECT count(*) FROM sqlite_master",
		    &ntables, cause) != 0)
			return (-1);
		if (ntables != 0 || appid != 0) {
			store_error(s, cause, "not a feedmux database");
			return (-1);
		}
		if (s->readonly) {
			store_error(s, cause, "database has no feedmux schema "
			    "yet (feedmuxd creates it)");
			return (-1);
		}
		return (0);
	}
	if (appid != STORE_APPLICATION_ID) {
		store_error(s, cause, "not a feedmux database "
		    "(application_id %#llx)", (unsigned long long)appid);
		return (-1);
	}
	/* HOSTILE-52 */
	if (*version > STORE_SCHEMA_VERSION) {
		store_error(s, cause, "schema version %lld is newer than this "
		    "feedmux supports (%d): refusing to use it",
		    (long long)*version, STORE_SCHEMA_VERSION);
		return (-1);
	}
	if (*version < STORE_SCHEMA_VERSION && s->readonly) {
		store_error(s, cause, "schema version %lld is older than this "
		    "feedmux needs (%d): start feedmuxd to upgrade it",
		    (long long)*version, STORE_SCHEMA_VERSION);
		return (-1);
	}
	return (0);
}

/* HOSTILE-49: refuse a corrupt file, and leave it as it is. */
static int
store_quick_check(struct store *s, char **cause)
{
	sqlite3_stmt	*st;
	const char	*text;
	char		*msg, *p;
	int		 rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st,
	    NULL) != SQLITE_OK) {
		store_error(s, cause, "database is corrupt: %s",
		    sqlite3_errmsg(s->db));
		return (-1);
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		store_error(s, cause, "database is corrupt: %s (not modified; "
		    "restore it from a backup)", sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return (-1);
	}
	text = (const char *)sqlite3_column_text(st, 0);
	if (text == NULL || strcmp(text, "ok") != 0) {
		/* One line: quick_check separates its findings by newlines. */
		msg = xstrdup(text == NULL ? "quick_check failed" : text);
		for (p = msg; *p != '\0'; p++) {
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		}
		store_error(s, cause, "database is corrupt: %.200s (not "
		    "modified; restore it from a backup)", msg);
		free(msg);
		sqlite3_finalize(st);
		return (-1);
	}
	sqlite3_finalize(st);
	return (0);
}

/* Switch to WAL, and check that it happened. */
static int
store_wal(struct store *s, char **cause)
{
	sqlite3_stmt	*st;
	const char	*mode;
	int		 r = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL) != SQLITE_OK) {
		store_sqlerr(s, cause);
		return (-1);
	}
	if (sqlite3_step(st) != SQLITE_ROW)
		store_error(s, cause, "cannot use WAL mode: %s",
		    sqlite3_errmsg(s->db));
	else {
		mode = (const char *)sqlite3_column_text(st, 0);
		if (mode != NULL && strcmp(mode, "wal") == 0)
			r = 0;
		else
			store_error(s, cause, "cannot use WAL mode (the "
			    "journal mode stays %s)", mode != NULL ? mode : "?");
	}
	sqlite3_finalize(st);
	return (r);
}

/*
 * Bring the schema to STORE_SCHEMA_VERSION, one migration per
 * transaction, each checking the version again under the write lock (two
 * processes may open an old file at once). A migration that fails is
 * rolled back whole; the versions before it stay done.
 */
static int
store_migrate(struct store *s, char **cause)
{
	int64_t	 version, start = -1;
	char	*sql;
	int	 r;

	for (;;) {
		if (store_exec(s, "BEGIN IMMEDIATE", cause) != 0)
			return (-1);
		if (store_pragma_int(s, "PRAGMA user_version", &version,
		    cause) != 0)
			goto fail;
		if (version > STORE_SCHEMA_VERSION) {
			store_error(s, cause, "schema version %lld is newer "
			    "than this feedmux supports (%d): refusing to use "
			    "it", (long long)version, STORE_SCHEMA_VERSION);
			goto fail;
		}
		/* Another process may have got there first. */
		if (version == STORE_SCHEMA_VERSION)
			break;
		if (start == -1)
			start = version;
		if (store_exec(s, store_migrations[version], cause) != 0) {
			if (cause != NULL && *cause != NULL) {
				xasprintf(&sql, "upgrading the schema to "
				    "version %lld: %s", (long long)version + 1,
				    *cause);
				free(*cause);
				*cause = sql;
			}
			goto fail;
		}
		xasprintf(&sql, "PRAGMA application_id = %d; "
		    "PRAGMA user_version = %lld", STORE_APPLICATION_ID,
		    (long long)version + 1);
		r = store_exec(s, sql, cause);
		free(sql);
		if (r != 0)
			goto fail;
		if (store_exec(s, "COMMIT", cause) != 0)
			goto fail;
		if (start > 0)
			log_info("%s: schema upgraded to version %lld",
			    s->path, (long long)version + 1);
	}
	if (store_exec(s, "COMMIT", cause) != 0)
		goto fail;
	return (0);

fail:
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return (-1);
}

/* Prepare every statement once. */
static int
store_prepare(struct store *s, char **cause)
{
	int	i;

	for (i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, store_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			store_error(s, cause, "preparing statement %d: %s", i,
			    sqlite3_errmsg(s->db));
			return (-1);
		}
	}
	return (0);
}

/* Open a store, checking it before anything is written. */
struct store *
store_open(const char *path, int flags, char **cause)
{
	struct store	*s;
	struct stat	 sb;
	int64_t		 version;
	int		 oflags;

	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	s->readonly = (flags & STORE_READONLY) != 0;
	s->defer = (flags & STORE_DEFER_INDEX) != 0;

	if (s->readonly) {
		/* Never create the file. */
		if (stat(path, &sb) != 0) {
			if (cause != NULL)
				xasprintf(cause, "%s: %s", path,
				    strerror(errno));
			goto fail;
		}
		oflags = SQLITE_OPEN_READONLY;
	} else
		oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &s->db, oflags, NULL) != SQLITE_OK) {
		if (s->db == NULL)
			fatalx("sqlite3_open_v2: out of memory");
		store_sqlerr(s, cause);
		goto fail;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT);
	if (!s->readonly && sqlite3_db_readonly(s->db, "main") == 1) {
		store_error(s, cause, "database is read-only");
		goto fail;
	}
	if (store_check_open(s, &version, cause) != 0)
		goto fail;

	if (!s->readonly) {
		/* Nothing is written before the file passed its checks. */
		if (store_quick_check(s, cause) != 0)
			goto fail;
		if (store_wal(s, cause) != 0)
			goto fail;
		if (store_exec(s, "PRAGMA synchronous = NORMAL; "
		    "PRAGMA foreign_keys = ON", cause) != 0)
			goto fail;
		if (store_functions(s, cause) != 0)
			goto fail;
		if (version < STORE_SCHEMA_VERSION &&
		    store_migrate(s, cause) != 0)
			goto fail;
	}
	if (store_prepare(s, cause) != 0)
		goto fail;
	s->data_version = store_data_version(s);
	s->total_changes = sqlite3_total_changes(s->db);
	s->published = store_published(s);
	s->version = 1;
	return (s);

fail:
	store_close(s);
	return (NULL);
}

/* Finalize the statements and close the connection. */
void
store_close(struct store *s)
{
	int	i;

	if (s == NULL)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
		log_warnx("%s: close: %s", s->path, sqlite3_errmsg(s->db));
	free(s->path);
	free(s);
}

/* Step a statement that returns no rows, then reset it. */
static int
store_step_done(struct store *s, enum store_stmt which, char **cause)
{
	sqlite3_stmt	*st = s->st[which];
	int		 rc;

	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		store_sqlerr(s, cause);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return (rc == SQLITE_DONE ? 0 : -1);
}

/*
 * Begin a write transaction (BEGIN IMMEDIATE). A write that changes what
 * outputs show sets s->dirty before the commit.
 */
static int
store_begin(struct store *s, char **cause)
{
	s->dirty = 0;
	return (store_step_done(s, ST_BEGIN, cause));
}

/*
 * Commit, bumping the published version first if the transaction
 * changed what outputs show; the caller rolls back if this fails.
 */
static int
store_commit(struct store *s, char **cause)
{
	if (s->dirty && store_step_done(s, ST_PUB_BUMP, cause) != 0)
		return (-1);
	s->dirty = 0;
	return (store_step_done(s, ST_COMMIT, cause));
}

/* Roll back the open transaction, if SQLite has not already. */
static void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		store_step_done(s, ST_ROLLBACK, NULL);
}

/* PRAGMA data_version, or -1. */
static int64_t
store_data_version(struct store *s)
{
	sqlite3_stmt	*st = s->st[ST_DATA_VERSION];
	int64_t		 v = -1;

	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return (v);
}

/* The published version in the file, or -1. */
static int64_t
store_published(struct store *s)
{
	sqlite3_stmt	*st = s->st[ST_PUB_VERSION];
	int64_t		 v = -1;

	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return (v);
}

/*
 * The version follows the published table's counter, which every
 * transaction that changes what outputs show bumps (stories, their
 * sources, the feeds' names, links, categories and switches; removals
 * and retention), whatever connection or process made it. Feed state
 * (validators, next poll, status, errors) does not: the daemon writes it
 * after every poll. The row is read only when PRAGMA data_version (a
 * commit by another connection) or sqlite3_total_changes() (a write by
 * this one) moved since the last call, so an idle call costs no read.
 * A row that cannot be read counts as a change, which only costs a
 * render.
 */
int64_t
store_version(struct store *s)
{
	int64_t	dv, tc, pv;

	dv = store_data_version(s);
	tc = sqlite3_total_changes(s->db);
	if (dv != -1 && dv == s->data_version && tc == s->total_changes &&
	    s->published != -1)
		return (s->version);
	pv = store_published(s);
	if (pv == -1 || pv != s->published)
		s->version++;
	s->data_version = dv;
	s->total_changes = tc;
	s->published = pv;
	return (s->version);
}

/*
 * Rows this connection has written since it opened: a look at what this
 * process changed with no system call (store_version also sees other
 * processes' writes, with a lock).
 */
int64_t
store_changes(struct store *s)
{
	return ((int64_t)sqlite3_total_changes(s->db));
}

/* Bind a string with no copy: bindings are cleared after each step. */
static void
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* Bind a time: NULL for TIME_NONE. */
static void
store_bind_time(sqlite3_stmt *st, int i, int64_t t)
{
	if (t == TIME_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, t);
}

/* A copy of a text column, or NULL. */
static char *
store_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char	*v;

	if ((v = sqlite3_column_text(st, i)) == NULL)
		return (NULL);
	return (xstrdup((const char *)v));
}

/* A time column: TIME_NONE for NULL. */
static int64_t
store_col_time(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return (TIME_NONE);
	return (sqlite3_column_int64(st, i));
}

/* An optional number: -1 for NULL. */
static int64_t
store_col_opt(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return (-1);
	return (sqlite3_column_int64(st, i));
}

/* An optional number: NULL for a negative one. */
static void
store_bind_opt(sqlite3_stmt *st, int i, int64_t v)
{
	if (v < 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

/* The longest prefix of s of at most max bytes that ends on a character. */
static size_t
store_cut(const char *s, size_t max)
{
	size_t	len;

	len = strlen(s);
	if (len <= max)
		return (len);
	len = max;
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	return (len);
}

/*
 * A stored copy of a field: valid UTF-8 without the characters XML
 * forbids, at most max bytes. A cut HTML field loses a tag or entity the
 * cut left open. NULL stays NULL.
 */
static char *
store_clean(const char *v, size_t max, int html)
{
	char	*c, *lt, *gt, *amp;
	size_t	 len;
	int	 cut;

	if (v == NULL)
		return (NULL);
	len = store_cut(v, max);
	cut = v[len] != '\0';
	c = utf8_clean(v, len);
	len = store_cut(c, max);
	cut |= c[len] != '\0';
	c[len] = '\0';
	if (cut && html) {
		lt = strrchr(c, '<');
		gt = strrchr(c, '>');
		if (lt != NULL && (gt == NULL || gt < lt))
			*lt = '\0';
		amp = strrchr(c, '&');
		if (amp != NULL && strchr(amp, ';') == NULL)
			*amp = '\0';
	}
	return (c);
}

/*
 * The key an entry is known by in its feed: its id, else its link, else
 * its title. A very long one keeps a prefix and a hash of the whole, so
 * two long ids stay apart (HOSTILE-16).
 */
static char *
store_clean_guid(const struct entry *e)
{
	const char	*id;
	char		*c, *g;
	uint64_t	 h;
	size_t		 len;

	id = e->id;
	if (id == NULL || *id == '\0')
		id = e->link;
	if (id == NULL || *id == '\0')
		id = e->title;
	if (id == NULL || *id == '\0')
		return (NULL);
	c = store_clean(id, strlen(id), 0);
	if (*c == '\0') {
		free(c);
		return (NULL);
	}
	if (strlen(c) <= STORE_GUID_MAX)
		return (c);
	h = buf_hash(BUF_HASH_INIT, c, strlen(c));
	len = store_cut(c, STORE_GUID_MAX / 2);
	xasprintf(&g, "%.*s#%016llx", (int)len, c, (unsigned long long)h);
	free(c);
	return (g);
}

/* A JSON array as compact text, or NULL if it is empty; a is freed. */
static char *
store_json_text(json_t *a)
{
	char	*js, *out = NULL;

	if (json_array_size(a) != 0) {
		if ((js = json_dumps(a, JSON_COMPACT)) == NULL)
			fatalx("json_dumps: out of memory");
		out = xstrdup(js);
		free(js);
	}
	json_decref(a);
	return (out);
}

/*
 * An entry's enclosures as a JSON array of {"url", "type", "length"}
 * (type "" and length 0 when not given), or NULL if it has none. A URL
 * too long to keep whole is left out, not cut.
 */
static char *
store_enclosures(const struct entry *e)
{
	const struct enclosure	*en;
	json_t			*a, *o;
	char			*url, *type;
	size_t			 i, n = 0;

	if (e->nenclosures == 0)
		return (NULL);
	if ((a = json_array()) == NULL)
		fatalx("json_array: out of memory");
	for (i = 0; i < e->nenclosures && n < STORE_ENCLOSURES_MAX; i++) {
		en = &e->enclosures[i];
		if (en->url == NULL || *en->url == '\0' ||
		    strlen(en->url) > STORE_LINK_MAX)
			continue;
		url = store_clean(en->url, STORE_LINK_MAX, 0);
		type = store_clean(en->type != NULL ? en->type : "",
		    STORE_TYPE_MAX, 0);
		if ((o = json_pack("{s:s, s:s, s:I}", "url", url, "type", type,
		    "length", (json_int_t)(en->length > 0 ? en->length : 0))) ==
		    NULL || json_array_append_new(a, o) != 0)
			fatalx("json_pack: out of memory");
		free(url);
		free(type);
		n++;
	}
	return (store_json_text(a));
}

/* An entry's categories as a JSON array, or NULL if it has none. */
static char *
store_categories(const struct entry *e)
{
	json_t	*a;
	char	*c;
	size_t	 i, n = 0;

	if (e->ncategories == 0)
		return (NULL);
	a = json_array();
	if (a == NULL)
		fatalx("json_array: out of memory");
	for (i = 0; i < e->ncategories && n < STORE_CATEGORIES_MAX; i++) {
		c = store_clean(e->categories[i], STORE_CATEGORY_MAX, 0);
		if (c != NULL && *c != '\0') {
			if (json_array_append_new(a, json_string(c)) != 0)
				fatalx("json_array_append: out of memory");
			n++;
		}
		free(c);
	}
	return (store_json_text(a));
}

/*
 * Whether a validator (ETag, Last-Modified) may be stored and sent back:
 * printable ASCII, bounded (HOSTILE-41).
 */
static int
store_validator(const char *v)
{
	const unsigned char	*p;

	if (strlen(v) > STORE_VALIDATOR_MAX)
		return (0);
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p < 0x20 || *p > 0x7e)
			return (0);
	}
	return (1);
}

/*
 * The fetch state. A validator or new_url given non-NULL replaces the
 * stored one and NULL keeps it; an empty or unsafe validator clears it.
 */
static int
store_put_state(struct store *s, int64_t feed_id,
    const struct store_fetch *sf, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_FEED_STATE];
	char		*status, *error, *new_url;
	int		 r = -1, clear_etag = 0, clear_lm = 0;
	int64_t		 fetched;

	status = store_clean(sf->status, 32, 0);
	error = store_clean(sf->error, STORE_META_MAX, 0);
	new_url = NULL;
	if (sf->new_url != NULL && *sf->new_url != '\0' &&
	    strlen(sf->new_url) <= STORE_LINK_MAX)
		new_url = store_clean(sf->new_url, STORE_LINK_MAX, 0);
	if (sf->etag != NULL && (*sf->etag == '\0' ||
	    !store_validator(sf->etag)))
		clear_etag = 1;
	if (sf->last_modified != NULL && (*sf->last_modified == '\0' ||
	    !store_validator(sf->last_modified)))
		clear_lm = 1;
	fetched = sf->fetched_at;
	if (fetched == TIME_NONE)
		fetched = time(NULL);

	sqlite3_bind_int64(st, 1, feed_id);
	store_bind_text(st, 2, status);
	sqlite3_bind_int(st, 3, sf->http_status);
	store_bind_text(st, 4, clear_etag ? NULL : sf->etag);
	store_bind_text(st, 5, clear_lm ? NULL : sf->last_modified);
	store_bind_text(st, 6, error);
	store_bind_text(st, 7, new_url);
	sqlite3_bind_int64(st, 8, fetched);
	store_bind_time(st, 9, sf->next_poll);
	sqlite3_bind_int(st, 10, clear_etag);
	sqlite3_bind_int(st, 11, clear_lm);
	if (store_step_done(s, ST_FEED_STATE, cause) != 0)
		goto out;
	if (sqlite3_changes(s->db) == 0) {
		store_error(s, cause, "no feed with id %lld",
		    (long long)feed_id);
		goto out;
	}
	/* The URL polled is published (each source's feed link). */
	if (new_url != NULL)
		s->dirty = 1;
	r = 0;
out:
	free(status);
	free(error);
	free(new_url);
	return (r);
}

/*
 * Why the feed is polled next, at next_poll, and the hints the plan
 * says to replace. Inside the caller's transaction; a feed that is not
 * there is no error.
 */
static int
store_put_plan(struct store *s, int64_t feed_id, int64_t next_poll,
    const struct store_plan *p, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_FEED_PLAN];
	char		*why;
	int		 r;

	why = store_clean(p->why, 32, 0);
	sqlite3_bind_int64(st, 1, feed_id);
	store_bind_time(st, 2, next_poll);
	store_bind_text(st, 3, why != NULL && *why != '\0' ? why : NULL);
	store_bind_time(st, 4, p->at);
	store_bind_opt(st, 5, p->delay);
	store_bind_opt(st, 6, p->interval);
	store_bind_opt(st, 7, p->min);
	store_bind_opt(st, 8, p->max);
	sqlite3_bind_int(st, 9, p->hints != 0);
	store_bind_opt(st, 10, p->ttl);
	store_bind_opt(st, 11, p->update_period);
	sqlite3_bind_int64(st, 12, p->skip_hours & 0xffffffU);
	sqlite3_bind_int64(st, 13, p->skip_days & 0x7fU);
	sqlite3_bind_int(st, 14, p->http != 0);
	store_bind_opt(st, 15, p->max_age);
	store_bind_opt(st, 16, p->retry_after);
	r = store_step_done(s, ST_FEED_PLAN, cause);
	free(why);
	return (r);
}

/* Plans alone, for many feeds at once (the start-up spread). */
int
store_plans_put(struct store *s, const int64_t *ids,
    const struct store_plan *plans, size_t n, char **cause)
{
	const struct store_plan	*p;
	int64_t			 next;
	size_t			 i;

	if (n == 0)
		return (0);
	if (store_begin(s, cause) != 0)
		return (-1);
	for (i = 0; i < n; i++) {
		p = &plans[i];
		next = TIME_NONE;
		if (p->delay >= 0 && p->at != TIME_NONE)
			next = p->at + (p->delay + 999) / 1000;
		if (store_put_plan(s, ids[i], next, p, cause) != 0)
			goto fail;
	}
	if (store_commit(s, cause) != 0)
		goto fail;
	return (0);

fail:
	store_rollback(s);
	return (-1);
}

/* The feed's own metadata, from a document that was just parsed. */
static int
store_put_meta(struct store *s, int64_t feed_id, const struct feed_doc *doc,
    char **cause)
{
	sqlite3_stmt	*st = s->st[ST_FEED_META];
	char		*title, *site, *author, *malformed;
	int		 r;

	title = store_clean(doc->meta.title, STORE_META_MAX, 0);
	site = NULL;
	if (doc->meta.link != NULL && strlen(doc->meta.link) <= STORE_LINK_MAX)
		site = store_clean(doc->meta.link, STORE_LINK_MAX, 0);
	author = store_clean(doc->meta.author, STORE_AUTHOR_MAX, 0);
	malformed = store_clean(doc->malformed, STORE_META_MAX, 0);
	/* An empty title or site is no title or site. */
	if (title != NULL && *title == '\0') {
		free(title);
		title = NULL;
	}
	if (site != NULL && *site == '\0') {
		free(site);
		site = NULL;
	}
	if (author != NULL && *author == '\0') {
		free(author);
		author = NULL;
	}

	sqlite3_bind_int64(st, 1, feed_id);
	store_bind_text(st, 2, title);
	store_bind_text(st, 3, site);
	store_bind_text(st, 4, author);
	store_bind_text(st, 5, malformed);
	r = store_step_done(s, ST_FEED_META, cause);
	if (r == 0 && sqlite3_changes(s->db) > 0)
		s->dirty = 1;
	free(title);
	free(site);
	free(author);
	free(malformed);
	return (r);
}

/*
 * Derive what the store keeps of an item: cleaned, capped fields, the
 * canonical link and the hash of what the feed offers. The item takes
 * guid (store_clean_guid's).
 */
static void
store_item_init(struct store_item *it, const struct entry *e, char *guid,
    int64_t now)
{
	const char	*f[6];

	memset(it, 0, sizeof *it);
	it->guid = guid;
	it->title = store_clean(e->title != NULL ? e->title : "",
	    STORE_TITLE_MAX, 0);
	/* A cut URL is a wrong URL: drop it instead. */
	if (e->link != NULL && *e->link != '\0' &&
	    strlen(e->link) <= STORE_LINK_MAX)
		it->link = store_clean(e->link, STORE_LINK_MAX, 0);
	it->author = store_clean(e->author, STORE_AUTHOR_MAX, 0);
	it->summary = store_clean(e->summary, STORE_HTML_MAX, 1);
	it->content = store_clean(e->content, STORE_HTML_MAX, 1);
	it->cats = store_categories(e);
	it->encls = store_enclosures(e);
	it->canon = store_canon(it->link);
	f[0] = it->title;
	f[1] = it->link;
	f[2] = it->author;
	f[3] = it->summary;
	f[4] = it->content;
	f[5] = it->cats;
	it->hash = store_hash(f, 6);
	/* Only when there are some: the hash of other items is as it was. */
	if (it->encls != NULL)
		it->hash = (int64_t)buf_hash((uint64_t)it->hash, it->encls,
		    strlen(it->encls) + 1);
	/* A date far ahead is a broken clock: the fetch time instead. */
	it->published = e->published;
	if (it->published != TIME_NONE && it->published > now +
	    STORE_FUTURE_MAX)
		it->published = now;
	it->updated = e->updated;
	if (it->updated != TIME_NONE && it->updated > now + STORE_FUTURE_MAX)
		it->updated = now;
}

/*
 * The quick hash of an item as the feed offers it, before any cleaning:
 * the fields the stored hash covers, and the enclosures. Equal means
 * offered again byte for byte; different means only "look closer".
 */
static int64_t
store_qhash(const struct entry *e)
{
	const char	*f[5];
	uint64_t	 h = BUF_HASH_INIT;
	size_t		 i;

	f[0] = e->title;
	f[1] = e->link;
	f[2] = e->author;
	f[3] = e->summary;
	f[4] = e->content;
	for (i = 0; i < 5; i++) {
		if (f[i] == NULL)
			h = buf_qhash(h, "", 0) + 1;
		else
			h = buf_qhash(h, f[i], strlen(f[i]));
	}
	for (i = 0; i < e->ncategories; i++)
		h = buf_qhash(h, e->categories[i], strlen(e->categories[i]));
	h = buf_qhash(h, &e->ncategories, sizeof e->ncategories);
	for (i = 0; i < e->nenclosures; i++) {
		h = buf_qhash(h, e->enclosures[i].url,
		    strlen(e->enclosures[i].url));
		h = buf_qhash(h, e->enclosures[i].type != NULL ?
		    e->enclosures[i].type : "", e->enclosures[i].type != NULL ?
		    strlen(e->enclosures[i].type) : 0);
		h = buf_qhash(h, &e->enclosures[i].length,
		    sizeof e->enclosures[i].length);
	}
	return ((int64_t)h);
}

/* The item's fingerprint, computed once when needed. */
static void
store_item_fp(struct store_item *it)
{
	if (it->fp_done)
		return;
	it->fp = store_fingerprint(it->title, it->content != NULL ?
	    it->content : it->summary);
	it->fp_done = 1;
}

static void
store_item_free(struct store_item *it)
{
	free(it->guid);
	free(it->title);
	free(it->link);
	free(it->author);
	free(it->summary);
	free(it->content);
	free(it->cats);
	free(it->encls);
	free(it->canon);
	free(it->text);
	free(it->fp);
}

/*
 * Run one of the ST_SRC_BY_* lookups. Returns 1 with *entry_id (and,
 * from ST_SRC_BY_GUID when not NULL, *hash, and *qhash when *qhave: NULL
 * in a row from before schema version 5), 0 if nothing matched, -1 on
 * error.
 */
static int
store_lookup(struct store *s, enum store_stmt which, int64_t feed_id,
    const char *key, int64_t *entry_id, int64_t *hash, int64_t *qhash,
    int *qhave, char **cause)
{
	sqlite3_stmt	*st = s->st[which];
	int		 rc, r = 0;

	sqlite3_bind_int64(st, 1, feed_id);
	store_bind_text(st, 2, key);
	if (qhave != NULL)
		*qhave = 0;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*entry_id = sqlite3_column_int64(st, 0);
		if (hash != NULL)
			*hash = sqlite3_column_int64(st, 1);
		if (qhave != NULL &&
		    sqlite3_column_type(st, 2) != SQLITE_NULL) {
			*qhash = sqlite3_column_int64(st, 2);
			*qhave = 1;
		}
		r = 1;
	} else if (rc != SQLITE_DONE) {
		store_sqlerr(s, cause);
		r = -1;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return (r);
}

/*
 * Was this item removed before (by retention or by a user)? Its id in
 * this feed, its canonical link or its fingerprint has a tombstone.
 * Returns 1, 0, or -1 on error.
 */
static int
store_tombstoned(struct store *s, int64_t feed_id,
    const struct store_item *it, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_TOMB_CHECK];
	char		*g, *c = NULL, *f = NULL;
	int		 rc, r;

	xasprintf(&g, "g %lld %s", (long long)feed_id, it->guid);
	if (it->canon != NULL)
		xasprintf(&c, "c %s", it->canon);
	if (it->fp != NULL)
		xasprintf(&f, "f %s", it->fp);
	store_bind_text(st, 1, g);
	store_bind_text(st, 2, c);
	store_bind_text(st, 3, f);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		r = 1;
	else if (rc == SQLITE_DONE)
		r = 0;
	else {
		store_sqlerr(s, cause);
		r = -1;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	free(g);
	free(c);
	free(f);
	return (r);
}

/*
 * Index an entry's title, text and author, replacing what was there; or,
 * deferred, remove what was there and leave the entry to store_index.
 */
static int
store_fts_put(struct store *s, int64_t id, struct store_item *it,
    char **cause)
{
	sqlite3_stmt	*st;

	sqlite3_bind_int64(s->st[ST_FTS_DELETE], 1, id);
	if (store_step_done(s, ST_FTS_DELETE, cause) != 0)
		return (-1);
	if (s->defer) {
		sqlite3_bind_int64(s->st[ST_PENDING_ADD], 1, id);
		return (store_step_done(s, ST_PENDING_ADD, cause));
	}
	if (it->text == NULL)
		it->text = store_text(it->content != NULL ? it->content :
		    it->summary);
	st = s->st[ST_FTS_INSERT];
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, it->title);
	store_bind_text(st, 3, it->text);
	store_bind_text(st, 4, it->author);
	return (store_step_done(s, ST_FTS_INSERT, cause));
}

/* A new story from this feed: the entry, its source, its search row. */
static int
store_entry_new(struct store *s, int64_t feed_id, struct store_item *it,
    int64_t now, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_ENTRY_INSERT];
	int64_t		 id;

	sqlite3_bind_int64(st, 1, feed_id);
	store_bind_text(st, 2, it->guid);
	store_bind_text(st, 3, it->title);
	store_bind_text(st, 4, it->link);
	store_bind_text(st, 5, it->author);
	store_bind_time(st, 6, it->published);
	store_bind_time(st, 7, it->updated);
	sqlite3_bind_int64(st, 8, now);
	store_bind_text(st, 9, it->summary);
	store_bind_text(st, 10, it->content);
	store_bind_text(st, 11, it->cats);
	store_bind_text(st, 12, it->canon);
	store_bind_text(st, 13, it->encls);
	if (store_step_done(s, ST_ENTRY_INSERT, cause) != 0)
		return (-1);
	id = sqlite3_last_insert_rowid(s->db);
	s->dirty = 1;

	st = s->st[ST_SRC_UPSERT];
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, feed_id);
	store_bind_text(st, 3, it->guid);
	store_bind_text(st, 4, it->link);
	store_bind_text(st, 5, it->canon);
	store_bind_text(st, 6, it->fp);
	sqlite3_bind_int64(st, 7, it->hash);
	sqlite3_bind_int64(st, 8, now);
	sqlite3_bind_int64(st, 9, it->qhash);
	if (store_step_done(s, ST_SRC_UPSERT, cause) != 0)
		return (-1);
	return (store_fts_put(s, id, it, cause));
}

/*
 * A story already stored matched this feed's item. Record this feed as a
 * source (or its new id, link or text for it); when this feed is the
 * story's first source and what it offers changed, the story is edited
 * in place. Nothing is written when nothing changed.
 */
static int
store_entry_attach(struct store *s, int64_t entry_id, int64_t feed_id,
    struct store_item *it, int64_t now, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_SRC_OF];
	const char	*guid;
	int64_t		 first = 0, hash = 0;
	int		 rc, has_row = 0, same_guid = 0;

	sqlite3_bind_int64(st, 1, entry_id);
	sqlite3_bind_int64(st, 2, feed_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		first = sqlite3_column_int64(st, 0);
		has_row = sqlite3_column_type(st, 3) != SQLITE_NULL;
		guid = (const char *)sqlite3_column_text(st, 1);
		same_guid = guid != NULL && strcmp(guid, it->guid) == 0;
		hash = sqlite3_column_int64(st, 2);
		rc = SQLITE_DONE;
	}
	if (rc != SQLITE_DONE)
		store_sqlerr(s, cause);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return (-1);
	if (has_row && same_guid && hash == it->hash)
		return (0);

	store_item_fp(it);
	st = s->st[ST_SRC_UPSERT];
	sqlite3_bind_int64(st, 1, entry_id);
	sqlite3_bind_int64(st, 2, feed_id);
	store_bind_text(st, 3, it->guid);
	store_bind_text(st, 4, it->link);
	store_bind_text(st, 5, it->canon);
	store_bind_text(st, 6, it->fp);
	sqlite3_bind_int64(st, 7, it->hash);
	sqlite3_bind_int64(st, 8, now);
	sqlite3_bind_int64(st, 9, it->qhash);
	if (store_step_done(s, ST_SRC_UPSERT, cause) != 0)
		return (-1);
	s->dirty = 1;
	if (first != feed_id || (has_row && hash == it->hash))
		return (0);

	/* An edit by the first source: the story follows it. */
	st = s->st[ST_ENTRY_UPDATE];
	sqlite3_bind_int64(st, 1, entry_id);
	store_bind_text(st, 2, it->title);
	store_bind_text(st, 3, it->link);
	store_bind_text(st, 4, it->author);
	store_bind_time(st, 5, it->published);
	sqlite3_bind_int64(st, 6, it->updated != TIME_NONE ? it->updated :
	    now);
	store_bind_text(st, 7, it->summary);
	store_bind_text(st, 8, it->content);
	store_bind_text(st, 9, it->cats);
	store_bind_text(st, 10, it->canon);
	store_bind_text(st, 11, it->encls);
	if (store_step_done(s, ST_ENTRY_UPDATE, cause) != 0)
		return (-1);
	return (store_fts_put(s, entry_id, it, cause));
}

/*
 * Store one item of a feed. It is the story it was before when this
 * feed's id for it, else its canonical link, else its fingerprint
 * matches; a story from another feed when the canonical link (or a long
 * text) matches; else a new story, unless it was removed before. Returns
 * 1 if a story was inserted, 0 if not, -1 on error.
 */
static int
store_put_entry(struct store *s, int64_t feed_id, const struct entry *e,
    int64_t now, char **cause)
{
	struct store_item	it;
	char			*guid;
	int64_t			id = 0, hash = 0, qhash = 0, qh;
	int			found, qhave, r = -1;

	if ((guid = store_clean_guid(e)) == NULL)
		return (0);
	qh = store_qhash(e);
	found = store_lookup(s, ST_SRC_BY_GUID, feed_id, guid, &id, &hash,
	    &qhash, &qhave, cause);
	/*
	 * The most common case: this feed offers it again byte for byte,
	 * known without cleaning or hashing its text.
	 */
	if (found == -1 || (found == 1 && qhave && qhash == qh)) {
		free(guid);
		return (found == -1 ? -1 : 0);
	}
	store_item_init(&it, e, guid, now);
	it.qhash = qh;
	/*
	 * Unchanged once cleaned: no write. (A row from before schema
	 * version 5 keeps no qhash until its item changes: an unchanged
	 * item is never written.)
	 */
	if (found == 1 && hash == it.hash) {
		r = 0;
		goto out;
	}
	if (found == 0) {
		store_item_fp(&it);
		if ((found = store_tombstoned(s, feed_id, &it, cause)) == 1) {
			r = 0;
			goto out;
		}
	}
	if (found == 0 && it.canon != NULL)
		found = store_lookup(s, ST_SRC_BY_CANON, feed_id, it.canon,
		    &id, NULL, NULL, NULL, cause);
	if (found == 0 && it.fp != NULL)
		found = store_lookup(s, ST_SRC_BY_FP, feed_id, it.fp, &id,
		    NULL, NULL, NULL, cause);
	if (found == -1)
		goto out;
	if (found == 1)
		r = store_entry_attach(s, id, feed_id, &it, now, cause);
	else if (store_entry_new(s, feed_id, &it, now, cause) == 0)
		r = 1;
out:
	store_item_free(&it);
	return (r);
}

/* One poll: state, metadata and entries in one transaction. */
int
store_put(struct store *s, int64_t feed_id, const struct feed_doc *doc,
    const struct store_fetch *sf, int *nnew, char **cause)
{
	size_t	i;
	int	n = 0, r;
	int64_t	now;

	if (nnew != NULL)
		*nnew = 0;
	if (sf == NULL) {
		store_error(s, cause, "no fetch state for feed %lld",
		    (long long)feed_id);
		return (-1);
	}
	now = sf->fetched_at != TIME_NONE ? sf->fetched_at : time(NULL);
	if (store_begin(s, cause) != 0)
		return (-1);
	if (store_put_state(s, feed_id, sf, cause) != 0)
		goto fail;
	if (sf->plan != NULL && store_put_plan(s, feed_id, sf->next_poll,
	    sf->plan, cause) != 0)
		goto fail;
	if (doc != NULL) {
		if (store_put_meta(s, feed_id, doc, cause) != 0)
			goto fail;
		/*
		 * Last to first: the first of two items with one id wins,
		 * and undated items get ids that sort them as the document
		 * does.
		 */
		for (i = doc->nentries; i > 0; i--) {
			r = store_put_entry(s, feed_id, doc->entries[i - 1],
			    now, cause);
			if (r == -1)
				goto fail;
			n += r;
		}
	}
	if (store_commit(s, cause) != 0)
		goto fail;
	if (nnew != NULL)
		*nnew = n;
	return (0);

fail:
	store_rollback(s);
	return (-1);
}

/* Upsert declared feeds; disable config feeds no longer declared. */
int
store_sync_feeds(struct store *s, const struct conf *c, char **cause)
{
	sqlite3_stmt		*st = s->st[ST_FEED_UPSERT];
	const struct conf_feed	*cf;
	json_t			*urls, *u;
	char			*js = NULL;
	size_t			 i;

	if ((urls = json_array()) == NULL)
		fatalx("json_array: out of memory");
	for (i = 0; i < c->nfeeds; i++) {
		if ((u = json_string(c->feeds[i].url)) == NULL) {
			store_error(s, cause, "feed URL is not UTF-8");
			json_decref(urls);
			return (-1);
		}
		if (json_array_append_new(urls, u) != 0)
			fatalx("json_array_append: out of memory");
	}
	if ((js = json_dumps(urls, JSON_COMPACT)) == NULL)
		fatalx("json_dumps: out of memory");
	json_decref(urls);

	if (store_begin(s, cause) != 0)
		goto out;
	for (i = 0; i < c->nfeeds; i++) {
		cf = &c->feeds[i];
		store_bind_text(st, 1, cf->url);
		store_bind_text(st, 2, cf->label);
		store_bind_text(st, 3, cf->category != NULL ? cf->category :
		    "Uncategorized");
		sqlite3_bind_int64(st, 4, cf->interval);
		if (cf->keep_days >= 0)
			sqlite3_bind_int64(st, 5, cf->keep_days);
		if (cf->keep_per_feed >= 0)
			sqlite3_bind_int64(st, 6, cf->keep_per_feed);
		if (store_step_done(s, ST_FEED_UPSERT, cause) != 0)
			goto fail;
		if (sqlite3_changes(s->db) > 0)
			s->dirty = 1;
	}
	store_bind_text(s->st[ST_FEED_UNDECLARE], 1, js);
	if (store_step_done(s, ST_FEED_UNDECLARE, cause) != 0)
		goto fail;
	if (sqlite3_changes(s->db) > 0)
		s->dirty = 1;
	if (store_commit(s, cause) != 0)
		goto fail;
	free(js);
	return (0);

fail:
	store_rollback(s);
out:
	free(js);
	return (-1);
}

/* A feed from a row of STORE_FEED_COLUMNS. */
static struct store_feed *
store_feed_row(sqlite3_stmt *st)
{
	struct store_feed	*f;

	f = xcalloc(1, sizeof *f);
	f->id = sqlite3_column_int64(st, 0);
	f->url = store_col_text(st, 1);
	f->fetch_url = store_col_text(st, 2);
	f->label = store_col_text(st, 3);
	f->category = store_col_text(st, 4);
	f->title = store_col_text(st, 5);
	f->site = store_col_text(st, 6);
	f->author = store_col_text(st, 7);
	f->interval = sqlite3_column_int64(st, 8);
	f->enabled = sqlite3_column_int(st, 9);
	f->status = store_col_text(st, 10);
	f->etag = store_col_text(st, 11);
	f->last_modified = store_col_text(st, 12);
	f->last_fetch = store_col_time(st, 13);
	f->next_poll = store_col_time(st, 14);
	f->http_status = sqlite3_column_int(st, 15);
	f->error_count = sqlite3_column_int(st, 16);
	f->error = store_col_text(st, 17);
	f->malformed = store_col_text(st, 18);
	f->entries = sqlite3_column_int64(st, 19);
	f->origin = store_col_text(st, 20);
	f->keep_days = sqlite3_column_type(st, 21) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(st, 21);
	f->keep_per_feed = sqlite3_column_type(st, 22) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(st, 22);
	f->ttl = store_col_opt(st, 23);
	f->update_period = store_col_opt(st, 24);
	f->skip_hours = (uint32_t)sqlite3_column_int64(st, 25) & 0xffffffU;
	f->skip_days = (uint32_t)sqlite3_column_int64(st, 26) & 0x7fU;
	f->max_age = store_col_opt(st, 27);
	f->retry_after = store_col_opt(st, 28);
	f->plan = store_col_text(st, 29);
	f->plan_at = store_col_time(st, 30);
	f->plan_delay = store_col_opt(st, 31);
	f->plan_interval = store_col_opt(st, 32);
	f->plan_min = store_col_opt(st, 33);
	f->plan_max = store_col_opt(st, 34);
	return (f);
}

/* Free a feed; NULL is a no-op. */
void
store_feed_free(struct store_feed *f)
{
	if (f == NULL)
		return;
	free(f->url);
	free(f->fetch_url);
	free(f->label);
	free(f->category);
	free(f->title);
	free(f->site);
	free(f->author);
	free(f->status);
	free(f->etag);
	free(f->last_modified);
	free(f->error);
	free(f->malformed);
	free(f->origin);
	free(f->plan);
	free(f);
}

/* Free a list of feeds. */
void
store_feeds_free(struct store_feed **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		store_feed_free(v[i]);
	free(v);
}

/* Every feed, by id, with its entries count. */
int
store_feeds(struct store *s, struct store_feed ***vp, size_t *np,
    char **cause)
{
	sqlite3_stmt		 *st = s->st[ST_FEEDS];
	struct store_feed	**v = NULL;
	size_t			  n = 0;
	int			  rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = store_feed_row(st);
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(s, cause);
		sqlite3_reset(st);
		store_feeds_free(v, n);
		return (-1);
	}
	sqlite3_reset(st);
	*vp = v;
	*np = n;
	return (0);
}

/*
 * Run one of the ST_FEED_BY_* lookups. Returns 0 with *fp set (NULL if
 * no row), or -1 (two rows: an ambiguous label).
 */
static int
store_feed_query(struct store *s, enum store_stmt which, const char *key,
    int64_t id, struct store_feed **fp, char **cause)
{
	sqlite3_stmt		*st = s->st[which];
	struct store_feed	*f = NULL;
	int64_t			 other = 0;
	int			 rc;

	if (key != NULL)
		store_bind_text(st, 1, key);
	else
		sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		f = store_feed_row(st);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			other = sqlite3_column_int64(st, 0);
			rc = SQLITE_DONE;
		}
	}
	if (rc != SQLITE_DONE)
		store_sqlerr(s, cause);
	else if (other != 0)
		store_error(s, cause, "\"%s\" is the label of feeds %lld and "
		    "%lld: use an id or a URL", key, (long long)f->id,
		    (long long)other);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE || other != 0) {
		store_feed_free(f);
		return (-1);
	}
	*fp = f;
	return (0);
}

/* By id (all digits), else URL, else the URL it is polled at, else label. */
int
store_feed_find(struct store *s, const char *key, struct store_feed **fp,
    char **cause)
{
	const char	*p;
	int64_t		 id = 0;

	*fp = NULL;
	if (*key == '\0')
		return (0);
	for (p = key; *p >= '0' && *p <= '9'; p++) {
		if (id > (INT64_MAX - (*p - '0')) / 10) {
			id = 0;
			break;
		}
		id = id * 10 + (*p - '0');
	}
	if (*p == '\0' && id > 0) {
		if (store_feed_query(s, ST_FEED_BY_ID, NULL, id, fp,
		    cause) != 0)
			return (-1);
		if (*fp != NULL)
			return (0);
	}
	if (store_feed_query(s, ST_FEED_BY_URL, key, 0, fp, cause) != 0)
		return (-1);
	if (*fp != NULL)
		return (0);
	if (store_feed_query(s, ST_FEED_BY_FETCH_URL, key, 0, fp,
	    cause) != 0)
		return (-1);
	if (*fp != NULL)
		return (0);
	return (store_feed_query(s, ST_FEED_BY_LABEL, key, 0, fp, cause));
}

/* The enclosures of a stored entry from their JSON (NULL: none). */
static void
store_row_enclosures(struct stored_entry *se, const char *js)
{
	struct enclosure	*en;
	json_t			*a, *v, *url, *type, *len;
	size_t			 i;

	if (js == NULL || (a = json_loads(js, 0, NULL)) == NULL)
		return;
	if (json_is_array(a) && json_array_size(a) != 0) {
		se->enclosures = xcalloc(json_array_size(a),
		    sizeof *se->enclosures);
		json_array_foreach(a, i, v) {
			url = json_object_get(v, "url");
			type = json_object_get(v, "type");
			len = json_object_get(v, "length");
			if (!json_is_string(url))
				continue;
			en = &se->enclosures[se->nenclosures++];
			en->url = xstrdup(json_string_value(url));
			en->type = xstrdup(json_is_string(type) ?
			    json_string_value(type) : "");
			en->length = json_is_integer(len) ?
			    (int64_t)json_integer_value(len) : 0;
		}
	}
	json_decref(a);
}

/*
 * An entry from a row of STORE_ENTRY_COLUMNS, with its sources: the
 * first is the feed the row joined (its label, else its own title, else
 * its URL), then every other feed that carried the story. The author is
 * the entry's, else the feed's, else the source's label.
 */
static struct stored_entry *
store_entry_row(struct store *s, sqlite3_stmt *st)
{
	struct stored_entry	*se;
	struct entry_source	*src;
	const char		*cats, *label, *author;
	json_t			*a, *v;
	size_t			 i;

	se = xcalloc(1, sizeof *se);
	se->id = sqlite3_column_int64(st, 0);
	se->guid = store_col_text(st, 1);
	se->title = store_col_text(st, 2);
	se->link = store_col_text(st, 3);
	se->published = store_col_time(st, 5);
	se->updated = store_col_time(st, 6);
	se->first_seen = store_col_time(st, 7);
	se->summary = store_col_text(st, 8);
	se->content = store_col_text(st, 9);
	if (se->title == NULL)
		se->title = xstrdup("");

	cats = (const char *)sqlite3_column_text(st, 10);
	if (cats != NULL && (a = json_loads(cats, 0, NULL)) != NULL) {
		if (json_is_array(a) && json_array_size(a) != 0) {
			se->categories = xreallocarray(NULL,
			    json_array_size(a), sizeof *se->categories);
			json_array_foreach(a, i, v) {
				if (json_is_string(v))
					se->categories[se->ncategories++] =
					    xstrdup(json_string_value(v));
			}
		}
		json_decref(a);
	}
	store_row_enclosures(se, (const char *)sqlite3_column_text(st, 18));

	src = se->sources = xcalloc(1, sizeof *se->sources);
	se->nsources = 1;
	src->feed_id = sqlite3_column_int64(st, 11);
	label = (const char *)sqlite3_column_text(st, 12);
	if (label == NULL || *label == '\0')
		label = (const char *)sqlite3_column_text(st, 13);
	if (label == NULL || *label == '\0')
		label = (const char *)sqlite3_column_text(st, 14);
	src->label = xstrdup(label != NULL ? label : "");
	src->site = store_col_text(st, 15);
	src->feed_url = store_col_text(st, 16);
	src->feed_key = store_col_text(st, 14);
	src->link = store_col_text(st, 3);
	src->first_seen = se->first_seen;

	author = (const char *)sqlite3_column_text(st, 4);
	if (author == NULL || *author == '\0')
		author = (const char *)sqlite3_column_text(st, 17);
	if (author == NULL || *author == '\0')
		author = src->label;
	se->author = xstrdup(author);
	store_entry_sources(s, se);
	return (se);
}

/*
 * Add the other feeds that carried a story to its sources (a failure to
 * read them leaves the first source alone: it is logged, not fatal).
 */
static void
store_entry_sources(struct store *s, struct stored_entry *se)
{
	sqlite3_stmt		*st = s->st[ST_SOURCES];
	struct entry_source	*src;
	const char		*label;
	int64_t			 fid;
	int			 rc;

	sqlite3_bind_int64(st, 1, se->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fid = sqlite3_column_int64(st, 0);
		if (fid == se->sources[0].feed_id) {
			src = &se->sources[0];
			free(src->link);
			src->link = store_col_text(st, 6);
			src->first_seen = store_col_time(st, 8);
			continue;
		}
		se->sources = xreallocarray(se->sources, se->nsources + 1,
		    sizeof *se->sources);
		src = &se->sources[se->nsources++];
		memset(src, 0, sizeof *src);
		src->feed_id = fid;
		label = (const char *)sqlite3_column_text(st, 1);
		if (label == NULL || *label == '\0')
			label = (const char *)sqlite3_column_text(st, 2);
		if (label == NULL || *label == '\0')
			label = (const char *)sqlite3_column_text(st, 3);
		src->label = xstrdup(label != NULL ? label : "");
		src->feed_key = store_col_text(st, 3);
		src->site = store_col_text(st, 4);
		src->feed_url = store_col_text(st, 5);
		src->link = store_col_text(st, 6);
		src->first_seen = store_col_time(st, 8);
	}
	if (rc != SQLITE_DONE)
		log_warnx("%s: sources of entry %lld: %s", s->path,
		    (long long)se->id, sqlite3_errmsg(s->db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/*
 * Step a bound entry query to its end. With snippet, the column after
 * STORE_ENTRY_COLUMNS is the search snippet. Returns 0, or the SQLite
 * error code with *cause set.
 */
static int
store_rows(struct store *s, enum store_stmt which, struct stored_entry ***vp,
    size_t *np, int snippet, char **cause)
{
	sqlite3_stmt		 *st = s->st[which];
	struct stored_entry	**v = NULL, *se;
	size_t			  n = 0;
	int			  rc, code = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		se = store_entry_row(s, st);
		if (snippet)
			se->snippet = store_col_text(st, 19);
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = se;
	}
	if (rc != SQLITE_DONE) {
		code = sqlite3_errcode(s->db);
		store_sqlerr(s, cause);
		if (code == 0)
			code = SQLITE_ERROR;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (code != 0) {
		stored_entries_free(v, n);
		return (code);
	}
	*vp = v;
	*np = n;
	return (0);
}

/* Entries newest first, filtered by feed, category and date. */
int
store_entries(struct store *s, const struct store_query *q,
    struct stored_entry ***vp, size_t *np, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_ENTRIES];

	sqlite3_bind_int64(st, 1, q != NULL ? q->feed_id : 0);
	store_bind_text(st, 2, q != NULL ? q->category : NULL);
	sqlite3_bind_int64(st, 3, q != NULL && q->limit > 0 ? q->limit : -1);
	if (q != NULL && q->since != 0)
		sqlite3_bind_int64(st, 4, q->since);
	return (store_rows(s, ST_ENTRIES, vp, np, 0, cause) == 0 ? 0 : -1);
}

/* One entry by id. */
int
store_entry_get(struct store *s, int64_t id, struct stored_entry **sep,
    char **cause)
{
	struct stored_entry	**v = NULL;
	size_t			  n = 0;

	*sep = NULL;
	sqlite3_bind_int64(s->st[ST_ENTRY_GET], 1, id);
	if (store_rows(s, ST_ENTRY_GET, &v, &n, 0, cause) != 0)
		return (-1);
	if (n > 0) {
		*sep = v[0];
		v[0] = NULL;
	}
	stored_entries_free(v, n);
	return (0);
}

/*
 * Full-text search. A query SQLite cannot parse is the user's mistake,
 * not the store's: -2 and "bad query" (HOSTILE-53).
 */
int
store_search(struct store *s, const char *query, int64_t limit,
    struct stored_entry ***vp, size_t *np, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_SEARCH];
	char		*why = NULL;
	int		 code;

	*vp = NULL;
	*np = 0;
	if (query == NULL || query[strspn(query, " \t\r\n")] == '\0') {
		if (cause != NULL)
			xasprintf(cause, "bad query: it is empty");
		return (-2);
	}
	if (strlen(query) > STORE_QUERY_MAX) {
		if (cause != NULL)
			xasprintf(cause, "bad query: longer than %d bytes",
			    STORE_QUERY_MAX);
		return (-2);
	}
	store_bind_text(st, 1, query);
	sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
	code = store_rows(s, ST_SEARCH, vp, np, 1, &why);
	if (code == 0)
		return (0);
	if ((code & 0xff) == SQLITE_ERROR) {
		/* The FTS5 parser's own words say what is wrong. */
		if (cause != NULL)
			xasprintf(cause, "bad query: %s",
			    sqlite3_errmsg(s->db));
		free(why);
		return (-2);
	}
	if (cause != NULL)
		*cause = why;
	else
		free(why);
	return (-1);
}

/*
 * SQL functions for the migrations (filling sources, fingerprints and
 * the search index from entries already stored); the same C code as
 * store_put uses. SQLITE_DIRECTONLY: not usable from triggers or views a
 * hostile file could carry.
 */
static int
store_functions(struct store *s, char **cause)
{
	static const struct {
		const char	*name;
		int		 nargs;
		void		(*fn)(sqlite3_context *, int,
				    sqlite3_value **);
	} fns[] = {
		{ "fm_canon", 1, store_fn_canon },
		{ "fm_fp", 2, store_fn_fp },
		{ "fm_hash", 6, store_fn_hash },
		{ "fm_text", 1, store_fn_text }
	};
	size_t	i;

	for (i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		if (sqlite3_create_function_v2(s->db, fns[i].name,
		    fns[i].nargs, SQLITE_UTF8 | SQLITE_DETERMINISTIC |
		    SQLITE_DIRECTONLY, NULL, fns[i].fn, NULL, NULL,
		    NULL) != SQLITE_OK) {
			store_sqlerr(s, cause);
			return (-1);
		}
	}
	return (0);
}

/* Hand a malloc'd string (or NULL) to SQLite as a function's result. */
static void
store_fn_result(sqlite3_context *ctx, char *v)
{
	if (v == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, v, -1, free);
}

/* fm_canon(link) */
static void
store_fn_canon(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	store_fn_result(ctx, store_canon((const char *)
	    sqlite3_value_text(argv[0])));
}

/* fm_fp(title, html) */
static void
store_fn_fp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	store_fn_result(ctx, store_fingerprint((const char *)
	    sqlite3_value_text(argv[0]), (const char *)
	    sqlite3_value_text(argv[1])));
}

/* fm_hash(title, link, author, summary, content, categories) */
static void
store_fn_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char	*f[6];
	int		 i;

	for (i = 0; i < argc && i < 6; i++)
		f[i] = (const char *)sqlite3_value_text(argv[i]);
	sqlite3_result_int64(ctx, store_hash(f, i));
}

/* fm_text(html) */
static void
store_fn_text(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	store_fn_result(ctx, store_text((const char *)
	    sqlite3_value_text(argv[0])));
}

/*
 * Is this query parameter (name of len bytes) a tracking one, that
 * links to one story carry or not depending on who shared them?
 */
static int
store_tracking_param(const char *name, size_t len)
{
	static const char	*names[] = {
		"fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid",
		"twclid", "ttclid", "igshid", "mc_cid", "mc_eid", "_ga",
		"_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id",
		"oly_enc_id", "vero_id", "wickedid", "ref_src", "__s",
		"s_cid", "cmpid", "ncid", "sr_share", "at_medium",
		"at_campaign"
	};
	size_t			 i;

	if (len >= 4 && strncasecmp(name, "utm_", 4) == 0)
		return (1);
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strlen(names[i]) == len &&
		    strncasecmp(name, names[i], len) == 0)
			return (1);
	}
	return (0);
}

/*
 * The canonical form of an absolute http(s) link, for telling that two
 * links name one story: scheme and host in lower case, no user
 * information, no default port, "/" for an empty path, no fragment, no
 * empty or tracking query parameters (utm_*, fbclid, gclid, ...). The
 * path and the other parameters are kept as they are (servers may tell
 * case apart). Returns NULL for anything else, and for a link to a site's
 * home page (items that all link there are not one story). Plain string work on an
 * already absolute URL (parse resolved it), so the store needs no URL
 * library.
 */
static char *
store_canon(const char *url)
{
	struct buf	 b;
	const char	*p, *end, *host, *hend, *port, *q, *frag, *param;
	const char	*defport;
	size_t		 len, nlen;
	int		 nparams = 0, root;

	if (url == NULL)
		return (NULL);
	if (strncasecmp(url, "http://", 7) == 0) {
		p = url + 7;
		defport = "80";
	} else if (strncasecmp(url, "https://", 8) == 0) {
		p = url + 8;
		defport = "443";
	} else
		return (NULL);
	if (strpbrk(url, " \t\r\n") != NULL)
		return (NULL);

	/* The authority: [userinfo@]host[:port]. */
	end = p + strcspn(p, "/?#");
	host = p;
	for (q = p; q < end; q++) {
		if (*q == '@')
			host = q + 1;
	}
	port = NULL;
	if (*host == '[') {
		if ((hend = memchr(host, ']', end - host)) == NULL)
			return (NULL);
		hend++;
		if (hend < end && *hend != ':')
			return (NULL);
	} else
		hend = host + strcspn(host, ":/?#");
	if (hend > end)
		hend = end;
	if (hend < end && *hend == ':')
		port = hend + 1;
	/* A trailing dot names the same host. */
	while (hend > host && hend[-1] == '.')
		hend--;
	if (hend == host)
		return (NULL);

	buf_init(&b);
	buf_adds(&b, defport[0] == '8' ? "http://" : "https://");
	for (q = host; q < hend; q++)
		buf_addc(&b, tolower((unsigned char)*q));
	if (port != NULL) {
		while (port < end && *port == '0' && end - port > 1)
			port++;
		len = end - port;
		for (q = port; q < end; q++) {
			if (!isdigit((unsigned char)*q)) {
				buf_free(&b);
				return (NULL);
			}
		}
		if (len != 0 && (len != strlen(defport) ||
		    strncmp(port, defport, len) != 0)) {
			buf_addc(&b, ':');
			buf_add(&b, port, len);
		}
	}

	/* The path, as it is. */
	p = end;
	len = strcspn(p, "?#");
	root = len == 0 || (len == 1 && *p == '/');
	if (len == 0)
		buf_addc(&b, '/');
	else
		buf_add(&b, p, len);
	p += len;

	/* The query, without empty and tracking parameters. */
	if (*p == '?') {
		p++;
		if ((frag = strchr(p, '#')) == NULL)
			frag = p + strlen(p);
		while (p < frag) {
			param = p;
			len = strcspn(param, "&#");
			if (param + len > frag)
				len = frag - param;
			p = param + len;
			if (p < frag && *p == '&')
				p++;
			nlen = strcspn(param, "=&#");
			if (nlen > len)
				nlen = len;
			if (len == 0 || store_tracking_param(param, nlen))
				continue;
			buf_addc(&b, nparams++ == 0 ? '?' : '&');
			buf_add(&b, param, len);
		}
	}
	/* A site's home page names no story: items linking there differ. */
	if (root && nparams == 0) {
		buf_free(&b);
		return (NULL);
	}
	return (buf_steal(&b, NULL));
}

/*
 * Append text normalized for fingerprints: ASCII letters in lower case,
 * runs of anything but letters and digits as one space (non-ASCII
 * bytes, the letters of other scripts, are kept as they are).
 */
static void
store_norm(struct buf *b, const char *s)
{
	const unsigned char	*p;
	int			 space = 0;

	if (s == NULL)
		return;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isalnum(*p) || *p >= 0x80) {
			if (space && b->len > 0 && b->data[b->len - 1] != '\n')
				buf_addc(b, ' ');
			space = 0;
			buf_addc(b, tolower(*p));
		} else
			space = 1;
	}
}

/*
 * What an element does to the words around it in html_to_text: 1 if it
 * separates them (blocks, paragraphs, line breaks, cells), 2 if its
 * content is dropped (script, style and the like, which the sanitizer
 * removes anyway), 0 if not (inline elements: "a<b>b</b>c" is one word).
 */
static int
store_fp_tag(const char *name, size_t len)
{
#define T(n, k)	{ n, sizeof n - 1, k }
	static const struct {
		const char	*name;
		size_t		 len;
		int		 kind;
	} tags[] = {
		T("p", 1), T("a", 0), T("b", 0), T("i", 0), T("em", 0),
		T("br", 1), T("li", 1), T("div", 1), T("span", 0),
		T("strong", 0), T("img", 0), T("code", 0), T("address", 1),
		T("article", 1), T("aside", 1), T("blockquote", 1),
		T("body", 1), T("caption", 1), T("center", 1), T("dd", 1),
		T("details", 1), T("dir", 1), T("dl", 1), T("dt", 1),
		T("fieldset", 1), T("figcaption", 1), T("figure", 1),
		T("footer", 1), T("h1", 1), T("h2", 1), T("h3", 1),
		T("h4", 1), T("h5", 1), T("h6", 1), T("header", 1),
		T("hr", 1), T("main", 1), T("menu", 1), T("nav", 1),
		T("ol", 1), T("pre", 1), T("section", 1), T("summary", 1),
		T("table", 1), T("td", 1), T("th", 1), T("tr", 1),
		T("ul", 1), T("applet", 2), T("button", 2), T("form", 2),
		T("head", 2), T("iframe", 2), T("math", 2), T("noembed", 2),
		T("noframes", 2), T("noscript", 2), T("object", 2),
		T("script", 2), T("select", 2), T("style", 2), T("svg", 2),
		T("template", 2), T("textarea", 2), T("title", 2),
		T("xmp", 2)
	};
#undef T
	size_t	i;

	if (len == 0 || len > 10)
		return (0);
	for (i = 0; i < sizeof tags / sizeof tags[0]; i++) {
		if (tags[i].len == len && strncasecmp(name, tags[i].name,
		    len) == 0)
			return (tags[i].kind);
	}
	return (0);
}

/* Past the end tag </name...> of a dropped element, or the end. */
static const char *
store_fp_skip(const char *p, const char *name, size_t len)
{
	for (; (p = strchr(p, '<')) != NULL; p++) {
		if (p[1] == '/' && strncasecmp(p + 2, name, len) == 0 &&
		    !isalnum((unsigned char)p[2 + len])) {
			if ((p = strchr(p, '>')) == NULL)
				break;
			return (p + 1);
		}
	}
	return (name + strlen(name));
}

/*
 * Decode the character reference at p ("&..."): its UTF-8 into u (*ulen
 * bytes, 0 for a character XML forbids, dropped as html_to_text drops
 * it). Returns the bytes it takes, or 0 if it is no reference (a plain
 * '&').
 */
static size_t
store_fp_entity(const char *p, unsigned char *u, size_t *ulen)
{
	const htmlEntityDesc	*ent;
	const char		*q = p + 1;
	char			 name[33];
	unsigned long		 c = 0;
	size_t			 n;

	*ulen = 0;
	if (*q == '#') {
		q++;
		if (*q == 'x' || *q == 'X') {
			q++;
			for (n = 0; isxdigit((unsigned char)q[n]) && n < 8; n++)
				c = c * 16 + (isdigit((unsigned char)q[n]) ?
				    q[n] - '0' : (tolower((unsigned char)q[n]) -
				    'a' + 10));
		} else {
			for (n = 0; isdigit((unsigned char)q[n]) && n < 8; n++)
				c = c * 10 + (q[n] - '0');
		}
		if (n == 0)
			return (0);
		q += n;
		if (*q == ';')
			q++;
	} else {
		for (n = 0; isalnum((unsigned char)q[n]) && n < 32; n++)
			name[n] = q[n];
		name[n] = '\0';
		if (n == 0 || q[n] != ';' ||
		    (ent = htmlEntityLookup((const xmlChar *)name)) == NULL)
			return (0);
		c = ent->value;
		q += n + 1;
	}
	/* What XML forbids, as utf8_clean does. */
	if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
	    (c >= 0x7f && c < 0xa0) || (c >= 0xd800 && c < 0xe000) ||
	    c == 0xfffe || c == 0xffff || c > 0x10ffff)
		return (q - p);
	if (c < 0x80) {
		u[0] = c;
		*ulen = 1;
	} else if (c < 0x800) {
		u[0] = 0xc0 | (c >> 6);
		u[1] = 0x80 | (c & 0x3f);
		*ulen = 2;
	} else if (c < 0x10000) {
		u[0] = 0xe0 | (c >> 12);
		u[1] = 0x80 | ((c >> 6) & 0x3f);
		u[2] = 0x80 | (c & 0x3f);
		*ulen = 3;
	} else {
		u[0] = 0xf0 | (c >> 18);
		u[1] = 0x80 | ((c >> 12) & 0x3f);
		u[2] = 0x80 | ((c >> 6) & 0x3f);
		u[3] = 0x80 | (c & 0x3f);
		*ulen = 4;
	}
	return (q - p);
}

/*
 * Normalize HTML for a fingerprint straight from the markup, as
 * store_norm would normalize html_to_text's rendering of it (the same
 * words, split at the same places) without building a document: tags go,
 * block elements and whitespace (U+00A0 too) separate words, character
 * references are decoded. Writes at most max bytes to out (which has
 * room for max + 1) and returns how many; never more than the markup's
 * length.
 */
static size_t
store_norm_html(char *out, const char *html, size_t max)
{
	const unsigned char	*p = (const unsigned char *)html;
	const char		*name, *end;
	unsigned char		 u[4], c;
	size_t			 len = 0, n, ulen, i;
	int			 space = 0, kind;

	while (*p != '\0' && len < max) {
		c = *p;
		if (c == '<' && (isalpha(p[1]) || p[1] == '/' || p[1] == '!' ||
		    p[1] == '?')) {
			if (strncmp((const char *)p, "<!--", 4) == 0) {
				end = strstr((const char *)p + 4, "-->");
				p = end != NULL ? (const unsigned char *)end +
				    3 : p + strlen((const char *)p);
				continue;
			}
			name = (const char *)p + 1 + (p[1] == '/');
			for (n = 0; isalnum((unsigned char)name[n]); n++)
				;
			/* The end of the tag, past quoted values. */
			end = name + n;
			while (*end != '\0' && *end != '>') {
				if (*end == '"' || *end == '\'') {
					if ((end = strchr(end + 1, *end)) ==
					    NULL)
						break;
				}
				end++;
			}
			if (end == NULL || *end == '\0')
				break;
			kind = store_fp_tag(name, n);
			if (kind == 1)
				space = 1;
			p = (const unsigned char *)end + 1;
			if (kind == 2 && name[-1] != '/' && end[-1] != '/')
				p = (const unsigned char *)store_fp_skip(
				    (const char *)p, name, n);
			continue;
		}
		if (c == '&' && (n = store_fp_entity((const char *)p, u,
		    &ulen)) != 0) {
			p += n;
			if (ulen == 0)
				continue;
			if (ulen == 1 && !isalnum(u[0])) {
				space = 1;
				continue;
			}
			if (ulen == 2 && u[0] == 0xc2 && u[1] == 0xa0) {
				space = 1;
				continue;
			}
		} else if (c >= 0x80) {
			if (c == 0xc2 && p[1] == 0xa0) {
				space = 1;
				p += 2;
				continue;
			}
			u[0] = c;
			ulen = 1;
			p++;
		} else if (isalnum(c)) {
			u[0] = c;
			ulen = 1;
			p++;
		} else {
			space = 1;
			p++;
			continue;
		}
		if (space && len > 0)
			out[len++] = ' ';
		space = 0;
		for (i = 0; i < ulen && len < max; i++)
			out[len++] = tolower(u[i]);
	}
	out[len] = '\0';
	return (len);
}

/*
 * The fingerprint of a title and an HTML text: "w" (long text: may
 * match across feeds) or "n", and the hash of both normalized. NULL when
 * there is too little to tell stories apart.
 */
static char *
store_fingerprint(const char *title, const char *html)
{
	struct buf	 b;
	char		*fp = NULL;
	size_t		 tlen, hlen, max;
	uint64_t	 h;

	buf_init(&b);
	store_norm(&b, title);
	buf_addc(&b, '\n');
	tlen = b.len;
	if (html != NULL && *html != '\0') {
		hlen = strlen(html);
		max = hlen < STORE_FTS_TEXT_MAX ? hlen : STORE_FTS_TEXT_MAX;
		/* Room for the text and its NUL (buf_add grows, then cut). */
		buf_add(&b, html, max + 1);
		b.len = tlen + store_norm_html(b.data + tlen, html, max);
	}
	if (b.len - 1 >= STORE_FP_MIN) {
		h = buf_hash(BUF_HASH_INIT, b.data, b.len);
		xasprintf(&fp, "%c%016llx", b.len - tlen >= STORE_FP_WIDE_MIN ?
		    'w' : 'n', (unsigned long long)h);
	}
	buf_free(&b);
	return (fp);
}

/* A hash of what a feed offers for an item (NULL fields told apart). */
static int64_t
store_hash(const char **f, size_t n)
{
	uint64_t	h = BUF_HASH_INIT;
	size_t		i;

	for (i = 0; i < n; i++) {
		if (f[i] == NULL)
			h = buf_hash(h, "\x01", 1);
		else
			h = buf_hash(h, f[i], strlen(f[i]) + 1);
	}
	return ((int64_t)h);
}

/* The plain text of an entry's HTML, capped for the index. */
static char *
store_text(const char *html)
{
	char	*t;

	if (html == NULL || *html == '\0')
		return (NULL);
	t = html_to_text(html);
	t[store_cut(t, STORE_FTS_TEXT_MAX)] = '\0';
	return (t);
}

/* Prepare a rarely used statement. */
static int
store_prep(struct store *s, const char *sql, sqlite3_stmt **st,
    char **cause)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
		store_sqlerr(s, cause);
		*st = NULL;
		return (-1);
	}
	return (0);
}

/* Run a rarely used statement with an id as ?1 and no rows. */
static int
store_run_id(struct store *s, const char *sql, int64_t id, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (store_prep(s, sql, &st, cause) != 0)
		return (-1);
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE && rc != SQLITE_ROW)
		store_sqlerr(s, cause);
	sqlite3_finalize(st);
	return (rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1);
}

/* One integer from a rarely used query with ?1 = arg (0 if no row). */
static int
store_one_int(struct store *s, const char *sql, int64_t arg, int64_t *v,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (store_prep(s, sql, &st, cause) != 0)
		return (-1);
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, arg);
	*v = 0;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*v = sqlite3_column_int64(st, 0);
		rc = SQLITE_DONE;
	}
	if (rc != SQLITE_DONE)
		store_sqlerr(s, cause);
	sqlite3_finalize(st);
	return (rc == SQLITE_DONE ? 0 : -1);
}

/* Remember a removed story by "KIND VALUE" (feed_id 0: any feed's). */
static int
store_tomb_add(struct store *s, const char *kind, const char *value,
    int64_t feed_id, int64_t now, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_TOMB_ADD];
	char		*key;
	int		 r;

	if (value == NULL)
		return (0);
	if (feed_id != 0)
		xasprintf(&key, "%s %lld %s", kind, (long long)feed_id, value);
	else
		xasprintf(&key, "%s %s", kind, value);
	store_bind_text(st, 1, key);
	if (feed_id != 0)
		sqlite3_bind_int64(st, 2, feed_id);
	sqlite3_bind_int64(st, 3, now);
	r = store_step_done(s, ST_TOMB_ADD, cause);
	free(key);
	return (r);
}

/*
 * Take a feed out of a story (inside a transaction), with a tombstone
 * for that feed's id of it. The story goes too, with tombstones for its
 * canonical links and fingerprints, when no source is left; otherwise
 * another source becomes its first if this one was. *gone is set to 1
 * if the story went.
 */
static int
store_drop_source(struct store *s, int64_t entry_id, int64_t feed_id,
    int64_t now, int64_t *gone, char **cause)
{
	sqlite3_stmt	*st = NULL;
	int64_t		 left;
	int		 rc, r = -1;

	*gone = 0;
	if (store_prep(s, "SELECT guid FROM entry_sources WHERE "
	    "entry_id = ?1 AND feed_id = ?2", &st, cause) != 0)
		return (-1);
	sqlite3_bind_int64(st, 1, entry_id);
	sqlite3_bind_int64(st, 2, feed_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (store_tomb_add(s, "g", (const char *)
		    sqlite3_column_text(st, 0), feed_id, now, cause) != 0)
			goto out;
	} else if (rc != SQLITE_DONE) {
		store_sqlerr(s, cause);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (store_one_int(s, "SELECT count(*) FROM entry_sources WHERE "
	    "entry_id = ?1", entry_id, &left, cause) != 0)
		goto out;
	if (left <= 1) {
		/* The last source: the story goes, and stays gone. */
		if (store_prep(s, "SELECT canon, fp FROM entry_sources WHERE "
		    "entry_id = ?1 UNION SELECT canon, NULL FROM entries "
		    "WHERE id = ?1", &st, cause) != 0)
			goto out;
		sqlite3_bind_int64(st, 1, entry_id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (store_tomb_add(s, "c", (const char *)
			    sqlite3_column_text(st, 0), 0, now, cause) != 0 ||
			    store_tomb_add(s, "f", (const char *)
			    sqlite3_column_text(st, 1), 0, now, cause) != 0)
				goto out;
		}
		if (rc != SQLITE_DONE) {
			store_sqlerr(s, cause);
			goto out;
		}
		if (store_run_id(s, "DELETE FROM entries WHERE id = ?1",
		    entry_id, cause) != 0)
			goto out;
		*gone = 1;
		r = 0;
		goto out;
	}
	if (store_prep(s, "DELETE FROM entry_sources WHERE entry_id = ?1 "
	    "AND feed_id = ?2", &st, cause) != 0)
		goto out;
	sqlite3_bind_int64(st, 1, entry_id);
	sqlite3_bind_int64(st, 2, feed_id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_sqlerr(s, cause);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	/* The earliest other source becomes the first. */
	if (store_run_id(s, "UPDATE entries SET "
	    "feed_id = (SELECT feed_id FROM entry_sources es WHERE "
	    "    es.entry_id = entries.id ORDER BY first_seen, feed_id "
	    "    LIMIT 1), "
	    "guid = (SELECT guid FROM entry_sources es WHERE "
	    "    es.entry_id = entries.id ORDER BY first_seen, feed_id "
	    "    LIMIT 1), "
	    "link = (SELECT link FROM entry_sources es WHERE "
	    "    es.entry_id = entries.id ORDER BY first_seen, feed_id "
	    "    LIMIT 1) "
	    "WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM entry_sources es "
	    "    WHERE es.entry_id = entries.id "
	    "    AND es.feed_id = entries.feed_id)", entry_id, cause) != 0)
		goto out;
	r = 0;
out:
	sqlite3_finalize(st);
	return (r);
}

/* Remove one story for good. */
int
store_entry_remove(struct store *s, int64_t id, char **cause)
{
	sqlite3_stmt	*st = NULL;
	int64_t		 now, exists, gone = 0, fid;
	int		 rc;

	now = time(NULL);
	if (store_begin(s, cause) != 0)
		return (-1);
	if (store_one_int(s, "SELECT count(*) FROM entries WHERE id = ?1",
	    id, &exists, cause) != 0)
		goto fail;
	if (!exists) {
		store_rollback(s);
		return (0);
	}
	/* Each source in turn; the last one takes the story with it. */
	while (!gone) {
		if (store_one_int(s, "SELECT COALESCE((SELECT feed_id FROM "
		    "entry_sources WHERE entry_id = ?1 LIMIT 1), 0)", id,
		    &fid, cause) != 0)
			goto fail;
		if (fid == 0) {
			/* No source row at all (inconsistent): just go. */
			if (store_prep(s, "SELECT canon FROM entries WHERE "
			    "id = ?1", &st, cause) != 0)
				goto fail;
			sqlite3_bind_int64(st, 1, id);
			if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
			    store_tomb_add(s, "c", (const char *)
			    sqlite3_column_text(st, 0), 0, now, cause) != 0)
				goto fail;
			sqlite3_finalize(st);
			st = NULL;
			if (store_run_id(s, "DELETE FROM entries WHERE id = ?1",
			    id, cause) != 0)
				goto fail;
			break;
		}
		if (store_drop_source(s, id, fid, now, &gone, cause) != 0)
			goto fail;
	}
	s->dirty = 1;
	if (store_commit(s, cause) != 0)
		goto fail;
	return (1);

fail:
	sqlite3_finalize(st);
	store_rollback(s);
	return (-1);
}

/*
 * One batch of retention for one feed (inside a transaction): up to max
 * of its sources beyond its newest keep, or dated before cutoff (0:
 * none), leave it.
 */
static int
store_prune_feed(struct store *s, int64_t feed_id, int64_t keep,
    int64_t cutoff, int64_t max, int64_t now, int64_t *nsources,
    int64_t *nentries, char **cause)
{
	sqlite3_stmt	*st;
	int64_t		*ids = NULL, gone;
	size_t		 n = 0, i;
	int		 rc, r = -1;

	if (store_prep(s, "SELECT entry_id FROM (SELECT es.entry_id, "
	    "    " STORE_ENTRY_DATE " AS t, row_number() OVER (ORDER BY "
	    "    " STORE_ENTRY_DATE " DESC, e.id DESC) AS rank "
	    "    FROM entry_sources es JOIN entries e ON e.id = es.entry_id "
	    "    WHERE es.feed_id = ?1) "
	    "WHERE (?2 > 0 AND rank > ?2) OR (?3 > 0 AND t < ?3) LIMIT ?4",
	    &st, cause) != 0)
		return (-1);
	sqlite3_bind_int64(st, 1, feed_id);
	sqlite3_bind_int64(st, 2, keep);
	sqlite3_bind_int64(st, 3, cutoff);
	sqlite3_bind_int64(st, 4, max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof *ids);
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	if (rc != SQLITE_DONE)
		store_sqlerr(s, cause);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto out;
	for (i = 0; i < n; i++) {
		if (store_drop_source(s, ids[i], feed_id, now, &gone,
		    cause) != 0)
			goto out;
		(*nsources)++;
		*nentries += gone;
		s->dirty = 1;
	}
	r = 0;
out:
	free(ids);
	return (r);
}

/* Retention over every feed, a batch per transaction. */
int
store_prune(struct store *s, const struct store_retention *ret,
    int64_t now, int64_t max, int64_t *nsourcesp, int64_t *nentriesp,
    char **cause)
{
	struct store_feed	**feeds = NULL;
	size_t			  nfeeds = 0, i;
	int64_t			  keep, days, cutoff, batch, before;
	int64_t			  nsources = 0, nentries = 0;
	int			  r = -1;

	if (store_feeds(s, &feeds, &nfeeds, cause) != 0)
		goto out;
	for (i = 0; i < nfeeds; i++) {
		keep = feeds[i]->keep_per_feed >= 0 ?
		    feeds[i]->keep_per_feed : ret->keep_per_feed;
		days = feeds[i]->keep_days >= 0 ? feeds[i]->keep_days :
		    ret->keep_days;
		cutoff = days > 0 ? now - days * 86400 : 0;
		if (keep <= 0 && cutoff == 0)
			continue;
		for (;;) {
			batch = STORE_PRUNE_BATCH;
			if (max > 0 && max - nsources < batch)
				batch = max - nsources;
			if (batch <= 0)
				break;
			before = nsources;
			if (store_begin(s, cause) != 0)
				goto out;
			if (store_prune_feed(s, feeds[i]->id, keep, cutoff,
			    batch, now, &nsources, &nentries, cause) != 0 ||
			    store_commit(s, cause) != 0) {
				store_rollback(s);
				nsources = before;
				goto out;
			}
			if (nsources - before < batch)
				break;
		}
	}
	r = 0;
out:
	store_feeds_free(feeds, nfeeds);
	if (nsourcesp != NULL)
		*nsourcesp = nsources;
	if (nentriesp != NULL)
		*nentriesp = nentries;
	return (r);
}

/*
 * Index one batch of the stories waiting for search (inside a
 * transaction): at most max. *n counts those indexed.
 */
static int
store_index_batch(struct store *s, int64_t max, int64_t *n, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_PENDING_GET];
	struct {
		int64_t	 id;
		char	*title;
		char	*text;
		char	*author;
	}		*v = NULL;
	size_t		 nv = 0, i;
	int		 rc, r = -1;

	/* Read the batch first: the rows are then changed. */
	sqlite3_bind_int64(st, 1, max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xreallocarray(v, nv + 1, sizeof *v);
		v[nv].id = sqlite3_column_int64(st, 0);
		v[nv].title = store_col_text(st, 1);
		v[nv].text = store_text((const char *)
		    sqlite3_column_text(st, 2));
		v[nv].author = store_col_text(st, 3);
		nv++;
	}
	if (rc != SQLITE_DONE)
		store_sqlerr(s, cause);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		goto out;
	for (i = 0; i < nv; i++) {
		sqlite3_bind_int64(s->st[ST_FTS_DELETE], 1, v[i].id);
		if (store_step_done(s, ST_FTS_DELETE, cause) != 0)
			goto out;
		st = s->st[ST_FTS_INSERT];
		sqlite3_bind_int64(st, 1, v[i].id);
		store_bind_text(st, 2, v[i].title);
		store_bind_text(st, 3, v[i].text);
		store_bind_text(st, 4, v[i].author);
		if (store_step_done(s, ST_FTS_INSERT, cause) != 0)
			goto out;
		sqlite3_bind_int64(s->st[ST_PENDING_DELETE], 1, v[i].id);
		if (store_step_done(s, ST_PENDING_DELETE, cause) != 0)
			goto out;
		(*n)++;
	}
	r = 0;
out:
	for (i = 0; i < nv; i++) {
		free(v[i].title);
		free(v[i].text);
		free(v[i].author);
	}
	free(v);
	return (r);
}

/* Index what store_put left waiting, a batch per transaction. */
int
store_index(struct store *s, int64_t max, int64_t *np, char **cause)
{
	int64_t	n = 0, batch, before;
	int	r = -1;

	for (;;) {
		batch = STORE_INDEX_BATCH;
		if (max > 0 && max - n < batch)
			batch = max - n;
		if (batch <= 0)
			break;
		before = n;
		if (store_begin(s, cause) != 0)
			goto out;
		if (store_index_batch(s, batch, &n, cause) != 0 ||
		    store_commit(s, cause) != 0) {
			store_rollback(s);
			n = before;
			goto out;
		}
		if (n - before < batch)
			break;
	}
	r = 0;
out:
	if (np != NULL)
		*np = n;
	return (r);
}

/*
 * Can the CLI change this feed? A feed the configuration declares is
 * changed there (editing, removing), not here. Returns NULL with the
 * feed's origin checked, or the reason (caller frees).
 */
static char *
store_feed_check(struct store *s, int64_t id, int config_ok, char **cause)
{
	struct store_feed	*f = NULL;
	char			*why = NULL;

	if (store_feed_query(s, ST_FEED_BY_ID, NULL, id, &f, cause) != 0)
		return (xstrdup(""));
	if (f == NULL)
		xasprintf(&why, "no feed %lld", (long long)id);
	else if (!config_ok && strcmp(f->origin, "config") == 0)
		xasprintf(&why, "feed %lld is declared in the configuration: "
		    "change it there", (long long)id);
	store_feed_free(f);
	return (why);
}

/* Subscribe to a feed from the CLI. */
int
store_feed_add(struct store *s, const char *url,
    const struct store_feed_edit *ed, int64_t *idp, char **cause)
{
	struct store_feed	*f = NULL;
	sqlite3_stmt		*st = NULL;
	char			*label = NULL, *category = NULL;
	int			 r = -1;

	if (url == NULL || *url == '\0' || strlen(url) > STORE_LINK_MAX) {
		store_error(s, cause, "bad feed URL");
		return (-1);
	}
	if (store_begin(s, cause) != 0)
		return (-1);
	if (store_feed_query(s, ST_FEED_BY_URL, url, 0, &f, cause) != 0)
		goto fail;
	if (f != NULL) {
		if (cause != NULL)
			xasprintf(cause, "feed %lld has that URL already",
			    (long long)f->id);
		goto fail;
	}
	if (ed != NULL && ed->label != NULL && *ed->label != '\0')
		label = store_clean(ed->label, STORE_META_MAX, 0);
	category = store_clean(ed != NULL && ed->category != NULL &&
	    *ed->category != '\0' ? ed->category : "Uncategorized",
	    STORE_META_MAX, 0);
	if (store_prep(s, "INSERT INTO feeds (url, fetch_url, label, "
	    "category, interval, origin) VALUES (?1, ?1, ?2, ?3, ?4, 'cli')",
	    &st, cause) != 0)
		goto fail;
	store_bind_text(st, 1, url);
	store_bind_text(st, 2, label);
	store_bind_text(st, 3, category);
	sqlite3_bind_int64(st, 4, ed != NULL && ed->interval > 0 ?
	    ed->interval : 0);
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_sqlerr(s, cause);
		goto fail;
	}
	if (idp != NULL)
		*idp = sqlite3_last_insert_rowid(s->db);
	s->dirty = 1;
	if (store_commit(s, cause) != 0)
		goto fail;
	r = 0;
	goto out;
fail:
	store_rollback(s);
out:
	sqlite3_finalize(st);
	store_feed_free(f);
	free(label);
	free(category);
	return (r);
}

/* Change a CLI feed's label, category or interval. */
int
store_feed_edit(struct store *s, int64_t id, const struct store_feed_edit *ed,
    char **cause)
{
	sqlite3_stmt	*st = NULL;
	char		*why, *label = NULL, *category = NULL;
	int		 r = -1;

	if (store_begin(s, cause) != 0)
		return (-1);
	if ((why = store_feed_check(s, id, 0, cause)) != NULL) {
		if (*why != '\0' && cause != NULL)
			*cause = why;
		else
			free(why);
		goto fail;
	}
	if (ed->label != NULL)
		label = store_clean(ed->label, STORE_META_MAX, 0);
	if (ed->category != NULL && *ed->category != '\0')
		category = store_clean(ed->category, STORE_META_MAX, 0);
	if (store_prep(s, "UPDATE feeds SET "
	    "label = CASE WHEN ?2 THEN NULLIF(?3, '') ELSE label END, "
	    "category = COALESCE(?4, category), "
	    "interval = CASE WHEN ?5 >= 0 THEN ?5 ELSE interval END "
	    "WHERE id = ?1", &st, cause) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, label != NULL);
	store_bind_text(st, 3, label);
	store_bind_text(st, 4, category);
	sqlite3_bind_int64(st, 5, ed->interval);
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_sqlerr(s, cause);
		goto fail;
	}
	s->dirty = 1;
	if (store_commit(s, cause) != 0)
		goto fail;
	r = 0;
	goto out;
fail:
	store_rollback(s);
out:
	sqlite3_finalize(st);
	free(label);
	free(category);
	return (r);
}

/*
 * Unsubscribe a CLI feed. Stories it shares keep their other sources
 * (one of them becomes the first); stories only it carried go with it
 * (the cascade, and the trigger for their search rows).
 */
int
store_feed_remove(struct store *s, int64_t id, char **cause)
{
	char	*why;

	if (store_begin(s, cause) != 0)
		return (-1);
	if ((why = store_feed_check(s, id, 0, cause)) != NULL) {
		if (*why != '\0' && cause != NULL)
			*cause = why;
		else
			free(why);
		goto fail;
	}
	if (store_run_id(s, "UPDATE entries SET "
	    "feed_id = (SELECT feed_id FROM entry_sources es WHERE "
	    "    es.entry_id = entries.id AND es.feed_id != ?1 "
	    "    ORDER BY first_seen, feed_id LIMIT 1), "
	    "guid = (SELECT guid FROM entry_sources es WHERE "
	    "    es.entry_id = entries.id AND es.feed_id != ?1 "
	    "    ORDER BY first_seen, feed_id LIMIT 1), "
	    "link = (SELECT link FROM entry_sources es WHERE "
	    "    es.entry_id = entries.id AND es.feed_id != ?1 "
	    "    ORDER BY first_seen, feed_id LIMIT 1) "
	    "WHERE feed_id = ?1 AND EXISTS (SELECT 1 FROM entry_sources es "
	    "    WHERE es.entry_id = entries.id AND es.feed_id != ?1)",
	    id, cause) != 0 ||
	    store_run_id(s, "DELETE FROM tombstones WHERE feed_id = ?1", id,
	    cause) != 0 ||
	    store_run_id(s, "DELETE FROM feeds WHERE id = ?1", id,
	    cause) != 0)
		goto fail;
	s->dirty = 1;
	if (store_commit(s, cause) != 0)
		goto fail;
	return (0);
fail:
	store_rollback(s);
	return (-1);
}

/* The user's switch: on (a gone or disabled feed is due now) or off. */
int
store_feed_enable(struct store *s, int64_t id, int on, char **cause)
{
	char	*why;

	if (store_begin(s, cause) != 0)
		return (-1);
	if ((why = store_feed_check(s, id, 1, cause)) != NULL) {
		if (*why != '\0' && cause != NULL)
			*cause = why;
		else
			free(why);
		goto fail;
	}
	if (store_run_id(s, on ?
	    "UPDATE feeds SET enabled = 1, next_poll = NULL, "
	    "    error_count = 0, status = CASE WHEN status IN "
	    "    ('disabled', 'gone') THEN 'new' ELSE status END "
	    "WHERE id = ?1" :
	    "UPDATE feeds SET enabled = 0, status = 'disabled' WHERE id = ?1",
	    id, cause) != 0)
		goto fail;
	s->dirty = 1;
	if (store_commit(s, cause) != 0)
		goto fail;
	return (0);
fail:
	store_rollback(s);
	return (-1);
}

/* Counts and sizes, in one read transaction so they agree. */
int
store_stats(struct store *s, struct store_stats *ss, char **cause)
{
	static const struct {
		const char	*sql;
		size_t		 off;
	} q[] = {
		{ "PRAGMA user_version",
		    offsetof(struct store_stats, schema_version) },
		{ "SELECT count(*) FROM feeds",
		    offsetof(struct store_stats, feeds) },
		{ "SELECT count(*) FROM feeds WHERE enabled",
		    offsetof(struct store_stats, feeds_enabled) },
		{ "SELECT count(*) FROM entries",
		    offsetof(struct store_stats, entries) },
		{ "SELECT count(*) FROM entry_sources",
		    offsetof(struct store_stats, sources) },
		{ "SELECT count(*) FROM (SELECT entry_id FROM entry_sources "
		    "GROUP BY entry_id HAVING count(*) > 1)",
		    offsetof(struct store_stats, shared) },
		{ "SELECT count(*) FROM tombstones",
		    offsetof(struct store_stats, tombstones) },
		{ "SELECT COALESCE(min(" STORE_ENTRY_DATE "), -1) "
		    "FROM entries e", offsetof(struct store_stats, oldest) },
		{ "SELECT COALESCE(max(" STORE_ENTRY_DATE "), -1) "
		    "FROM entries e", offsetof(struct store_stats, newest) },
		{ "SELECT page_count * page_size FROM pragma_page_count, "
		    "pragma_page_size", offsetof(struct store_stats, bytes) }
	};
	size_t	i;
	int	r = -1;

	memset(ss, 0, sizeof *ss);
	if (store_exec(s, "BEGIN", cause) != 0)
		return (-1);
	for (i = 0; i < sizeof q / sizeof q[0]; i++) {
		if (store_one_int(s, q[i].sql, 0,
		    (int64_t *)((char *)ss + q[i].off), cause) != 0)
			goto out;
	}
	if (ss->entries == 0)
		ss->oldest = ss->newest = TIME_NONE;
	r = 0;
out:
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	return (r);
}

/* Integrity, then consistency: one line per problem. */
int
store_check(struct store *s, char ***pp, size_t *np, char **cause)
{
	static const struct {
		const char	*sql;
		const char	*what;
	} q[] = {
		{ "SELECT count(*) FROM pragma_foreign_key_check",
		    "rows pointing to a missing feed or entry" },
		{ "SELECT count(*) FROM entries e WHERE NOT EXISTS (SELECT 1 "
		    "FROM entry_sources es WHERE es.entry_id = e.id "
		    "AND es.feed_id = e.feed_id)",
		    "entries without a source row for their first source" },
		{ "SELECT count(*) FROM entries e WHERE NOT EXISTS (SELECT 1 "
		    "FROM entries_fts WHERE rowid = e.id) AND NOT EXISTS "
		    "(SELECT 1 FROM search_pending p WHERE p.entry_id = e.id)",
		    "entries missing from the search index" },
		{ "SELECT (SELECT count(*) FROM entries_fts) - "
		    "(SELECT count(*) FROM entries) + (SELECT count(*) FROM "
		    "search_pending p WHERE NOT EXISTS (SELECT 1 FROM "
		    "entries_fts WHERE rowid = p.entry_id))",
		    "search index rows for no entry" },
		{ "SELECT count(*) FROM feeds WHERE enabled AND status IN "
		    "('disabled', 'gone')",
		    "feeds enabled in a status that is never polled" }
	};
	sqlite3_stmt	 *st;
	char		**v = NULL, *line;
	const char	 *text;
	size_t		  n = 0, i;
	int64_t		  count;
	int		  rc, r = -1;

	*pp = NULL;
	*np = 0;
	if (store_exec(s, "BEGIN", cause) != 0)
		return (-1);
	if (store_prep(s, "PRAGMA integrity_check(100)", &st, cause) != 0)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		text = (const char *)sqlite3_column_text(st, 0);
		if (text == NULL || strcmp(text, "ok") == 0)
			continue;
		xasprintf(&line, "integrity: %s", text);
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = line;
	}
	if (rc != SQLITE_DONE) {
		xasprintf(&line, "integrity: %s", sqlite3_errmsg(s->db));
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = line;
	}
	sqlite3_finalize(st);
	for (i = 0; i < sizeof q / sizeof q[0]; i++) {
		if (store_one_int(s, q[i].sql, 0, &count, cause) != 0)
			goto out;
		if (count != 0) {
			xasprintf(&line, "%lld %s", (long long)count,
			    q[i].what);
			v = xreallocarray(v, n + 1, sizeof *v);
			v[n++] = line;
		}
	}
	r = 0;
out:
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (r != 0) {
		for (i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return (-1);
	}
	*pp = v;
	*np = n;
	return (0);
}
