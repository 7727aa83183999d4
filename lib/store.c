/*
 * The store, on SQLite: one file in WAL mode, synchronous=NORMAL, foreign
 * keys on, a 5 s busy timeout. The schema is versioned with PRAGMA
 * user_version and marked with PRAGMA application_id; migrations run in
 * one transaction, so a migration killed halfway is rolled back and
 * retried at the next start. A file that is not a feedmux database, is
 * corrupt, or has a newer schema is refused and never written to.
 *
 * Every statement is prepared once at open, and every value goes in as a
 * bound parameter. Times are integer seconds, NULL for TIME_NONE.
 *
 * Feeds a configuration no longer declares are kept, with their entries
 * and fetch state, but get enabled = 0 (they are not polled); declaring
 * them again sets enabled = 1. Status "disabled" is left to the user's own
 * switch: a feed in that status stays enabled = 0 whatever the config.
 */

#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "buf.h"
#include "conf.h"
#include "entry.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

#define STORE_SCHEMA_VERSION	1
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
#define STORE_META_MAX		4096
#define STORE_VALIDATOR_MAX	1024

enum store_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_DATA_VERSION,
	ST_FEED_UPSERT,
	ST_FEED_UNDECLARE,
	ST_FEED_STATE,
	ST_FEED_META,
	ST_ENTRY_UPSERT,
	ST_FEEDS,
	ST_FEED_BY_ID,
	ST_FEED_BY_URL,
	ST_FEED_BY_FETCH_URL,
	ST_FEED_BY_LABEL,
	ST_ENTRIES,
	ST_ENTRY_GET,
	ST_COUNT
};

#define STORE_FEED_COLUMNS \
	"f.id, f.url, f.fetch_url, f.label, f.category, f.title, f.site, " \
	"f.author, f.interval, f.enabled, f.status, f.etag, " \
	"f.last_modified, f.last_fetch, f.next_poll, f.http_status, " \
	"f.error_count, f.error, f.malformed, " \
	"(SELECT count(*) FROM entries e WHERE e.feed_id = f.id)"

#define STORE_ENTRY_COLUMNS \
	"e.id, e.guid, e.title, e.link, e.author, e.published, e.updated, " \
	"e.first_seen, e.summary, e.content, e.categories, " \
	"f.id, f.label, f.title, f.url, f.site, f.fetch_url, f.author"

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
	/* ST_FEED_UPSERT: ?1 url, ?2 label, ?3 category, ?4 interval. */
	"INSERT INTO feeds (url, fetch_url, label, category, interval, "
	"    origin) VALUES (?1, ?1, ?2, ?3, ?4, 'config') "
	"ON CONFLICT (url) DO UPDATE SET label = excluded.label, "
	"    category = excluded.category, interval = excluded.interval, "
	"    origin = 'config', enabled = (status != 'disabled') "
	"WHERE label IS NOT excluded.label "
	"    OR category IS NOT excluded.category "
	"    OR interval IS NOT excluded.interval "
	"    OR origin IS NOT 'config' "
	"    OR enabled IS NOT (status != 'disabled')",
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
	 * ST_ENTRY_UPSERT: a known entry is updated only when its title or
	 * text changed, keeping its first_seen and first published time.
	 */
	"INSERT INTO entries (feed_id, guid, title, link, author, published, "
	"    updated, first_seen, summary, content, categories) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
	"ON CONFLICT (feed_id, guid) DO UPDATE SET title = excluded.title, "
	"    link = excluded.link, author = excluded.author, "
	"    published = COALESCE(entries.published, excluded.published), "
	"    updated = excluded.updated, summary = excluded.summary, "
	"    content = excluded.content, categories = excluded.categories "
	"WHERE entries.title IS NOT excluded.title "
	"    OR entries.summary IS NOT excluded.summary "
	"    OR entries.content IS NOT excluded.content",
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
	/* ST_ENTRIES: ?1 feed id or 0, ?2 category or NULL, ?3 limit. */
	"SELECT " STORE_ENTRY_COLUMNS " FROM entries e "
	"JOIN feeds f ON f.id = e.feed_id "
	"WHERE (?1 = 0 OR e.feed_id = ?1) AND (?2 IS NULL OR f.category = ?2)"
	STORE_ENTRY_ORDER " LIMIT ?3",
	/* ST_ENTRY_GET */
	"SELECT " STORE_ENTRY_COLUMNS " FROM entries e "
	"JOIN feeds f ON f.id = e.feed_id WHERE e.id = ?1"
};

/* Migrations: store_migrations[i] takes a store from version i to i + 1. */
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
	"    (COALESCE(published, updated, first_seen) DESC, id DESC);"
};

struct store {
	char		*path;
	sqlite3		*db;
	int		 readonly;
	sqlite3_stmt	*st[ST_COUNT];
	int64_t		 version;
	int64_t		 data_version;
	int64_t		 total_changes;
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
static void	store_bind_text(sqlite3_stmt *, int, const char *);
static void	store_bind_time(sqlite3_stmt *, int, int64_t);
static char	*store_col_text(sqlite3_stmt *, int);
static int64_t	store_col_time(sqlite3_stmt *, int);
static size_t	store_cut(const char *, size_t);
static char	*store_clean(const char *, size_t, int);
static char	*store_clean_guid(const struct entry *);
static char	*store_categories(const struct entry *);
static int	store_validator(const char *);
static int	store_put_state(struct store *, int64_t,
		    const struct store_fetch *, char **);
static int	store_put_meta(struct store *, int64_t,
		    const struct feed_doc *, char **);
static int	store_put_entry(struct store *, int64_t,
		    const struct entry *, int64_t, char **);
static struct store_feed *store_feed_row(sqlite3_stmt *);
static struct stored_entry *store_entry_row(sqlite3_stmt *);
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
 * Bring the schema to STORE_SCHEMA_VERSION, in one transaction that
 * checks the version again under the write lock (two processes may open
 * a new file at once).
 */
static int
store_migrate(struct store *s, char **cause)
{
	int64_t	 version;
	char	*sql;
	int	 r;

	if (store_exec(s, "BEGIN IMMEDIATE", cause) != 0)
		return (-1);
	if (store_pragma_int(s, "PRAGMA user_version", &version, cause) != 0)
		goto fail;
	if (version > STORE_SCHEMA_VERSION) {
		store_error(s, cause, "schema version %lld is newer than this "
		    "feedmux supports (%d): refusing to use it",
		    (long long)version, STORE_SCHEMA_VERSION);
		goto fail;
	}
	/* Another process may have got there first. */
	if (version < STORE_SCHEMA_VERSION) {
		for (; version < STORE_SCHEMA_VERSION; version++) {
			if (store_exec(s, store_migrations[version],
			    cause) != 0)
				goto fail;
		}
		xasprintf(&sql, "PRAGMA application_id = %d; "
		    "PRAGMA user_version = %d", STORE_APPLICATION_ID,
		    STORE_SCHEMA_VERSION);
		r = store_exec(s, sql, cause);
		free(sql);
		if (r != 0)
			goto fail;
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
		if (version < STORE_SCHEMA_VERSION &&
		    store_migrate(s, cause) != 0)
			goto fail;
	}
	if (store_prepare(s, cause) != 0)
		goto fail;
	s->data_version = store_data_version(s);
	s->total_changes = sqlite3_total_changes(s->db);
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

/* Begin a write transaction (BEGIN IMMEDIATE). */
static int
store_begin(struct store *s, char **cause)
{
	return (store_step_done(s, ST_BEGIN, cause));
}

/* Commit; the caller rolls back if this fails. */
static int
store_commit(struct store *s, char **cause)
{
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

/*
 * PRAGMA data_version changes when another connection commits, and
 * sqlite3_total_changes() when this one writes: the version is a counter
 * bumped whenever either moved since the last call. It may also move
 * after a rolled-back write, which only costs a render.
 */
int64_t
store_version(struct store *s)
{
	int64_t	dv, tc;

	dv = store_data_version(s);
	tc = sqlite3_total_changes(s->db);
	if (dv == -1 || dv != s->data_version || tc != s->total_changes) {
		s->version++;
		s->data_version = dv;
		s->total_changes = tc;
	}
	return (s->version);
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

/* An entry's categories as a JSON array, or NULL if it has none. */
static char *
store_categories(const struct entry *e)
{
	json_t	*a;
	char	*c, *out = NULL, *js;
	size_t	 i, n = 0;

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
	if (n != 0) {
		if ((js = json_dumps(a, JSON_COMPACT)) == NULL)
			fatalx("json_dumps: out of memory");
		out = xstrdup(js);
		free(js);
	}
	json_decref(a);
	return (out);
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
	r = 0;
out:
	free(status);
	free(error);
	free(new_url);
	return (r);
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
	free(title);
	free(site);
	free(author);
	free(malformed);
	return (r);
}

/*
 * Insert or update one entry. Returns 1 if it was inserted, 0 if it was
 * known (updated or not), -1 on error. An entry with nothing to know it
 * by is skipped.
 */
static int
store_put_entry(struct store *s, int64_t feed_id, const struct entry *e,
    int64_t now, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_ENTRY_UPSERT];
	char		*guid, *title, *link, *author, *summary, *content;
	char		*cats;
	int		 r = -1;

	if ((guid = store_clean_guid(e)) == NULL)
		return (0);
	title = store_clean(e->title != NULL ? e->title : "", STORE_TITLE_MAX,
	    0);
	/* A cut URL is a wrong URL: drop it instead. */
	link = NULL;
	if (e->link != NULL && *e->link != '\0' &&
	    strlen(e->link) <= STORE_LINK_MAX)
		link = store_clean(e->link, STORE_LINK_MAX, 0);
	author = store_clean(e->author, STORE_AUTHOR_MAX, 0);
	summary = store_clean(e->summary, STORE_HTML_MAX, 1);
	content = store_clean(e->content, STORE_HTML_MAX, 1);
	cats = store_categories(e);

	sqlite3_bind_int64(st, 1, feed_id);
	store_bind_text(st, 2, guid);
	store_bind_text(st, 3, title);
	store_bind_text(st, 4, link);
	store_bind_text(st, 5, author);
	store_bind_time(st, 6, e->published);
	store_bind_time(st, 7, e->updated);
	sqlite3_bind_int64(st, 8, now);
	store_bind_text(st, 9, summary);
	store_bind_text(st, 10, content);
	store_bind_text(st, 11, cats);
	/* The UPDATE arm of an upsert leaves the last rowid alone. */
	sqlite3_set_last_insert_rowid(s->db, 0);
	if (store_step_done(s, ST_ENTRY_UPSERT, cause) == 0)
		r = sqlite3_last_insert_rowid(s->db) != 0;

	free(guid);
	free(title);
	free(link);
	free(author);
	free(summary);
	free(content);
	free(cats);
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
		if (store_step_done(s, ST_FEED_UPSERT, cause) != 0)
			goto fail;
	}
	store_bind_text(s->st[ST_FEED_UNDECLARE], 1, js);
	if (store_step_done(s, ST_FEED_UNDECLARE, cause) != 0)
		goto fail;
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

/*
 * An entry from a row of STORE_ENTRY_COLUMNS, with its one source: the
 * feed's label, else its own title, else its URL. The author is the
 * entry's, else the feed's, else the source's label.
 */
static struct stored_entry *
store_entry_row(sqlite3_stmt *st)
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

	author = (const char *)sqlite3_column_text(st, 4);
	if (author == NULL || *author == '\0')
		author = (const char *)sqlite3_column_text(st, 17);
	if (author == NULL || *author == '\0')
		author = src->label;
	se->author = xstrdup(author);
	return (se);
}

/* Entries newest first, filtered by feed and category. */
int
store_entries(struct store *s, const struct store_query *q,
    struct stored_entry ***vp, size_t *np, char **cause)
{
	sqlite3_stmt		 *st = s->st[ST_ENTRIES];
	struct stored_entry	**v = NULL;
	size_t			  n = 0;
	int			  rc;

	sqlite3_bind_int64(st, 1, q != NULL ? q->feed_id : 0);
	store_bind_text(st, 2, q != NULL ? q->category : NULL);
	sqlite3_bind_int64(st, 3, q != NULL && q->limit > 0 ? q->limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = store_entry_row(st);
	}
	if (rc != SQLITE_DONE)
		store_sqlerr(s, cause);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		stored_entries_free(v, n);
		return (-1);
	}
	*vp = v;
	*np = n;
	return (0);
}

/* One entry by id. */
int
store_entry_get(struct store *s, int64_t id, struct stored_entry **sep,
    char **cause)
{
	sqlite3_stmt	*st = s->st[ST_ENTRY_GET];
	int		 rc;

	*sep = NULL;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*sep = store_entry_row(st);
		rc = SQLITE_DONE;
	}
	if (rc != SQLITE_DONE)
		store_sqlerr(s, cause);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return (rc == SQLITE_DONE ? 0 : -1);
}
