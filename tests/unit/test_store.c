/*
 * Unit tests for lib/store, on real SQLite files in a temporary
 * directory: schema, sync, puts and their transactions, queries, and the
 * files it must refuse without touching them.
 */

#include "config.h"

#include <sys/stat.h>

#include <sys/wait.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "conf.h"
#include "entry.h"
#include "store.h"
#include "tap.h"
#include "xmalloc.h"

#define FEED_A	"https://a.example/feed.xml"
#define FEED_B	"https://b.example/rss"
#define FEED_C	"https://c.example/atom"

/* What schema version 5 added, dropped to make a version 4 file. */
#define V5_DROP \
	"ALTER TABLE entry_sources DROP COLUMN qhash; " \
	"ALTER TABLE entries DROP COLUMN enclosures; "

/* What schema versions 4 and 5 added, dropped to make an older file. */
#define V4_DROP \
	"ALTER TABLE feeds DROP COLUMN ttl; " \
	"ALTER TABLE feeds DROP COLUMN update_period; " \
	"ALTER TABLE feeds DROP COLUMN skip_hours; " \
	"ALTER TABLE feeds DROP COLUMN skip_days; " \
	"ALTER TABLE feeds DROP COLUMN max_age; " \
	"ALTER TABLE feeds DROP COLUMN retry_after; " \
	"ALTER TABLE feeds DROP COLUMN plan; " \
	"ALTER TABLE feeds DROP COLUMN plan_at; " \
	"ALTER TABLE feeds DROP COLUMN plan_delay; " \
	"ALTER TABLE feeds DROP COLUMN plan_interval; " \
	"ALTER TABLE feeds DROP COLUMN plan_min; " \
	"ALTER TABLE feeds DROP COLUMN plan_max; " V5_DROP

static char	 tmpdir[] = "/tmp/test_store.XXXXXX";
static char	*db_path;

static char	*path_in(const char *);
static int64_t	 db_int(const char *, const char *);
static char	*db_text(const char *, const char *);
static void	 db_exec(const char *, const char *);
static char	*read_all(const char *, size_t *);
static void	 write_all(const char *, const char *, size_t);
static void	 copy_file(const char *, const char *);
static struct entry *mkentry(const char *, const char *, int64_t, int64_t);
static void	 add_enclosure(struct entry *, const char *, const char *, int64_t);
static struct feed_doc *mkdoc(const char *, const char *, const char *);
static struct store_fetch fetch_ok(int64_t);
static struct conf *mkconf(void);
static void	 conf_add(struct conf *, const char *, const char *,
		    const char *, int64_t);
static int64_t	 feed_id(struct store *, const char *);
static struct store_feed *feed_get(struct store *, const char *);
static size_t	 count_entries(struct store *, int64_t);
static struct stored_entry *entry_by_guid(struct store *, const char *);
static void	 rm_rf(const char *);
static void	 refused_intact(const char *, const char *, const char *);

static void	 test_open(void);
static void	 test_sync(void);
static void	 test_put(void);
static void	 test_failed_put(void);
static void	 test_order_and_authors(void);
static void	 test_hostile(void);
static void	 test_find_and_query(void);
static void	 test_readonly(void);
static void	 test_reopen_and_resync(void);
static void	 test_refused(void);
static void	 test_migrate_v1(void);
static void	 test_cross_feed(void);
static void	 test_rotating(void);
static void	 test_prune(void);
static void	 test_search(void);
static void	 test_feed_cli(void);
static void	 test_concurrent(void);
static void	 test_version(void);
static void	 test_migrate_v2(void);
static void	 test_defer_index(void);
static void	 test_plan(void);
static void	 test_migrate_v3(void);
static void	 test_qhash(void);
static void	 test_enclosures(void);
static struct store *fresh(const char *, struct conf **);
static struct entry *story(const char *, const char *, const char *,
		    const char *, int64_t);
static size_t	 search_n(struct store *, const char *, int *);

static char *
path_in(const char *name)
{
	char	*p;

	xasprintf(&p, "%s/%s", tmpdir, name);
	return (p);
}

/* Run one-integer SQL on a file through a connection of our own. */
static int64_t
db_int(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	int64_t		 v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(db, sql, -1, &st, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return (v);
}

static char *
db_text(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		*v = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(db, sql, -1, &st, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_text(st, 0) != NULL)
			v = xstrdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return (v);
}

static void
db_exec(const char *path, const char *sql)
{
	sqlite3	*db;
	char	*err = NULL;

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "%s: %s: %s\n", path, sql,
		    err != NULL ? err : sqlite3_errmsg(db));
		exit(1);
	}
	sqlite3_close(db);
}

static char *
read_all(const char *path, size_t *len)
{
	FILE	*f;
	char	*p;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	p = xmalloc(n + 1);
	if (fread(p, 1, n, f) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(f);
	*len = n;
	return (p);
}

static void
write_all(const char *path, const char *p, size_t len)
{
	FILE	*f;

	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, len, f) != len ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void
copy_file(const char *from, const char *to)
{
	char	*p;
	size_t	 len;

	if ((p = read_all(from, &len)) == NULL) {
		perror(from);
		exit(1);
	}
	write_all(to, p, len);
	free(p);
}

static struct entry *
mkentry(const char *id, const char *title, int64_t published,
    int64_t updated)
{
	struct entry	*e;

	e = entry_new();
	e->id = id != NULL ? xstrdup(id) : NULL;
	e->title = xstrdup(title);
	xasprintf(&e->link, "https://site.example/%s", title);
	e->published = published;
	e->updated = updated;
	xasprintf(&e->content, "<p>%s</p>", title);
	return (e);
}

static struct feed_doc *
mkdoc(const char *title, const char *link, const char *author)
{
	struct feed_doc	*d;

	d = feed_doc_new();
	d->format = FORMAT_RSS20;
	d->meta.title = xstrdup(title);
	d->meta.link = xstrdup(link);
	d->meta.subtitle = xstrdup("");
	d->meta.author = author != NULL ? xstrdup(author) : NULL;
	return (d);
}

static struct store_fetch
fetch_ok(int64_t when)
{
	struct store_fetch	sf;

	memset(&sf, 0, sizeof sf);
	sf.status = "ok";
	sf.http_status = 200;
	sf.fetched_at = when;
	sf.next_poll = when + 1800;
	return (sf);
}

static struct conf *
mkconf(void)
{
	return (conf_defaults());
}

static void
conf_add(struct conf *c, const char *url, const char *label,
    const char *category, int64_t interval)
{
	struct conf_feed	*cf;

	c->feeds = xreallocarray(c->feeds, c->nfeeds + 1, sizeof *c->feeds);
	cf = &c->feeds[c->nfeeds++];
	memset(cf, 0, sizeof *cf);
	cf->url = xstrdup(url);
	cf->label = label != NULL ? xstrdup(label) : NULL;
	cf->category = xstrdup(category != NULL ? category : "Uncategorized");
	cf->interval = interval;
	cf->allow_private = -1;
	cf->keep_days = -1;
	cf->keep_per_feed = -1;
	cf->line = (int)c->nfeeds;
}

static struct store_feed *
feed_get(struct store *s, const char *key)
{
	struct store_feed	*f = NULL;
	char			*cause = NULL;

	if (store_feed_find(s, key, &f, &cause) != 0) {
		tap_diag("find %s: %s", key, cause);
		free(cause);
	}
	return (f);
}

static int64_t
feed_id(struct store *s, const char *url)
{
	struct store_feed	*f;
	int64_t			 id = -1;

	if ((f = feed_get(s, url)) != NULL)
		id = f->id;
	store_feed_free(f);
	return (id);
}

static size_t
count_entries(struct store *s, int64_t fid)
{
	struct store_query	  q;
	struct stored_entry	**v;
	size_t			  n;
	char			 *cause = NULL;

	memset(&q, 0, sizeof q);
	q.feed_id = fid;
	if (store_entries(s, &q, &v, &n, &cause) != 0) {
		tap_diag("store_entries: %s", cause);
		free(cause);
		return ((size_t)-1);
	}
	stored_entries_free(v, n);
	return (n);
}

/* The entry with a guid, the slow way, through the public API. */
static struct stored_entry *
entry_by_guid(struct store *s, const char *guid)
{
	struct store_query	  q;
	struct stored_entry	**v, *se = NULL;
	size_t			  n, i;
	char			 *cause = NULL;

	memset(&q, 0, sizeof q);
	if (store_entries(s, &q, &v, &n, &cause) != 0) {
		free(cause);
		return (NULL);
	}
	for (i = 0; i < n; i++) {
		if (se == NULL && strcmp(v[i]->guid, guid) == 0) {
			se = v[i];
			v[i] = NULL;
		}
	}
	stored_entries_free(v, n);
	return (se);
}

static void
rm_rf(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		*p;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		xasprintf(&p, "%s/%s", dir, de->d_name);
		unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

static void
test_open(void)
{
	struct store	*s;
	char		*cause = NULL, *mode, *missing;
	struct stat	 sb;

	s = store_open(db_path, 0, &cause);
	tap_ok(s != NULL, "store_open creates a store");
	if (s == NULL) {
		tap_diag("%s", cause);
		exit(1);
	}
	tap_ok(stat(db_path, &sb) == 0, "the file exists");
	tap_is_int(db_int(db_path, "PRAGMA user_version"), 5,
	    "user_version 5");
	tap_is_int(db_int(db_path, "SELECT count(*) FROM published"), 1,
	    "the published version: one row");
	mode = db_text(db_path, "PRAGMA journal_mode");
	tap_is_str(mode, "wal", "WAL mode");
	free(mode);
	tap_is_int(db_int(db_path, "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'table' AND name IN ('feeds', 'entries')"), 2,
	    "feeds and entries tables");
	store_close(s);

	/* HOSTILE-60: a read-only open of a missing file fails. */
	missing = path_in("missing.db");
	cause = NULL;
	s = store_open(missing, STORE_READONLY, &cause);
	tap_ok(s == NULL, "read-only open of a missing file fails");
	tap_ok(cause != NULL && strstr(cause, missing) != NULL &&
	    strstr(cause, "No such file") != NULL,
	    "the cause names the file and the problem");
	tap_ok(stat(missing, &sb) != 0, "and does not create it");
	free(cause);
	free(missing);
	store_close(NULL);
}

static void
test_sync(void)
{
	struct store		 *s;
	struct conf		 *c;
	struct store_feed	**v, *f;
	size_t			  n;
	char			 *cause = NULL;

	s = store_open(db_path, 0, &cause);
	c = mkconf();
	conf_add(c, FEED_A, "CNN", "North Korea", 3600000);
	conf_add(c, FEED_B, NULL, NULL, 0);
	conf_add(c, FEED_C, "C", "Tech", 0);
	tap_is_int(store_sync_feeds(s, c, &cause), 0, "sync three feeds");
	tap_is_int(store_feeds(s, &v, &n, &cause), 0, "store_feeds");
	tap_is_int(n, 3, "three feeds stored");
	if (n == 3) {
		tap_is_str(v[0]->url, FEED_A, "in id order");
		tap_is_str(v[0]->fetch_url, FEED_A, "fetch_url starts as url");
		tap_is_str(v[0]->label, "CNN", "label");
		tap_is_str(v[0]->category, "North Korea", "category");
		tap_is_int(v[0]->interval, 3600000, "interval in ms");
		tap_is_int(v[0]->enabled, 1, "enabled");
		tap_is_str(v[0]->status, "new", "status new");
		tap_ok(v[0]->last_fetch == TIME_NONE &&
		    v[0]->next_poll == TIME_NONE, "never fetched: TIME_NONE");
		tap_ok(v[0]->etag == NULL && v[0]->error == NULL &&
		    v[0]->http_status == 0 && v[0]->error_count == 0 &&
		    v[0]->entries == 0, "no state yet");
		tap_ok(v[1]->label == NULL, "no label: NULL");
		tap_is_str(v[1]->category, "Uncategorized",
		    "default category");
	}
	store_feeds_free(v, n);

	/* Syncing the same config again changes nothing. */
	tap_is_int(store_sync_feeds(s, c, &cause), 0, "sync again");
	tap_is_int(db_int(db_path, "SELECT count(*) FROM feeds"), 3,
	    "still three feeds");
	f = feed_get(s, FEED_A);
	tap_ok(f != NULL && f->id == 1, "ids kept");
	store_feed_free(f);
	conf_free(c);
	store_close(s);
}

static void
test_put(void)
{
	struct store		 *s;
	struct feed_doc		 *d;
	struct store_fetch	  sf;
	struct store_feed	 *f;
	struct stored_entry	 *se;
	int64_t			  a, first_seen, id;
	int			  nnew = -1;
	char			 *cause = NULL;

	s = store_open(db_path, 0, &cause);
	a = feed_id(s, FEED_A);

	/* A trigger counts the updates the store makes to entries. */
	db_exec(db_path, "CREATE TABLE t_updates (n INTEGER);"
	    "INSERT INTO t_updates VALUES (0);"
	    "CREATE TRIGGER t_count AFTER UPDATE ON entries BEGIN "
	    "UPDATE t_updates SET n = n + 1; END;");

	d = mkdoc("A News", "https://a.example/", "A Desk");
	feed_doc_add(d, mkentry("a1", "one", 1000, TIME_NONE));
	feed_doc_add(d, mkentry("a2", "two", 2000, TIME_NONE));
	feed_doc_add(d, mkentry("a3", "three", 3000, TIME_NONE));
	sf = fetch_ok(5000);
	sf.etag = "\"v1\"";
	sf.last_modified = "Wed, 24 Apr 2019 12:15:00 GMT";
	tap_is_int(store_put(s, a, d, &sf, &nnew, &cause), 0, "put 3 entries");
	tap_is_int(nnew, 3, "3 new");
	tap_is_int(count_entries(s, a), 3, "3 stored");

	f = feed_get(s, FEED_A);
	tap_is_str(f->status, "ok", "status ok");
	tap_is_int(f->http_status, 200, "http_status 200");
	tap_is_str(f->etag, "\"v1\"", "etag stored");
	tap_is_str(f->last_modified, "Wed, 24 Apr 2019 12:15:00 GMT",
	    "last_modified stored");
	tap_is_int(f->last_fetch, 5000, "last_fetch");
	tap_is_int(f->next_poll, 6800, "next_poll");
	tap_is_str(f->title, "A News", "feed title from the document");
	tap_is_str(f->site, "https://a.example/", "site from the document");
	tap_is_str(f->author, "A Desk", "feed author");
	tap_is_int(f->entries, 3, "entries count");
	store_feed_free(f);

	/* The same document again: no new entry, no write to entries. */
	sf = fetch_ok(6000);
	tap_is_int(store_put(s, a, d, &sf, &nnew, &cause), 0, "re-put");
	tap_is_int(nnew, 0, "nothing new");
	tap_is_int(count_entries(s, a), 3, "still 3 entries");
	tap_is_int(db_int(db_path, "SELECT n FROM t_updates"), 0,
	    "an unchanged entry causes no write");

	/* An edited entry is updated in place, first_seen kept. */
	se = entry_by_guid(s, "a2");
	first_seen = se != NULL ? se->first_seen : -1;
	id = se != NULL ? se->id : -1;
	stored_entry_free(se);
	tap_is_int(first_seen, 5000, "first_seen is the fetch time");
	free(d->entries[1]->title);
	d->entries[1]->title = xstrdup("two, edited");
	d->entries[1]->published = 2500;
	sf = fetch_ok(7000);
	tap_is_int(store_put(s, a, d, &sf, &nnew, &cause), 0, "put an edit");
	tap_is_int(nnew, 0, "an edit is not new");
	tap_is_int(db_int(db_path, "SELECT n FROM t_updates"), 1,
	    "one row updated");
	se = entry_by_guid(s, "a2");
	tap_ok(se != NULL, "edited entry found");
	if (se != NULL) {
		tap_is_str(se->title, "two, edited", "title updated");
		tap_is_int(se->id, id, "same id");
		tap_is_int(se->first_seen, 5000, "first_seen kept");
		tap_is_int(se->published, 2000, "first published time kept");
	}
	stored_entry_free(se);

	/* A 304: validators and metadata kept, error count reset. */
	sf = fetch_ok(8000);
	sf.status = "error";
	sf.http_status = 500;
	sf.error = "HTTP 500";
	tap_is_int(store_put(s, a, NULL, &sf, NULL, &cause), 0, "put an error");
	sf.fetched_at = 8100;
	tap_is_int(store_put(s, a, NULL, &sf, NULL, &cause), 0,
	    "put another error");
	f = feed_get(s, FEED_A);
	tap_is_str(f->status, "error", "status error");
	tap_is_int(f->error_count, 2, "error_count 2");
	tap_is_str(f->error, "HTTP 500", "error text");
	tap_is_str(f->etag, "\"v1\"", "an error keeps the validators");
	store_feed_free(f);

	sf = fetch_ok(9000);
	sf.http_status = 304;
	tap_is_int(store_put(s, a, NULL, &sf, &nnew, &cause), 0, "put a 304");
	f = feed_get(s, FEED_A);
	tap_is_str(f->etag, "\"v1\"", "304 keeps the etag");
	tap_is_str(f->last_modified, "Wed, 24 Apr 2019 12:15:00 GMT",
	    "304 keeps last_modified");
	tap_is_int(f->http_status, 304, "http_status 304");
	tap_is_int(f->error_count, 0, "error_count reset");
	tap_ok(f->error == NULL, "error cleared");
	tap_is_str(f->title, "A News", "304 keeps the feed title");
	tap_is_int(f->last_fetch, 9000, "last_fetch updated");
	store_feed_free(f);

	/* A new validator replaces, "" clears; a redirect moves fetch_url. */
	sf = fetch_ok(9500);
	sf.etag = "\"v2\"";
	sf.last_modified = "";
	sf.new_url = "https://a2.example/feed.xml";
	tap_is_int(store_put(s, a, NULL, &sf, NULL, &cause), 0,
	    "put new validators");
	f = feed_get(s, FEED_A);
	tap_is_str(f->etag, "\"v2\"", "etag replaced");
	tap_ok(f->last_modified == NULL, "empty last_modified clears it");
	tap_is_str(f->fetch_url, "https://a2.example/feed.xml",
	    "fetch_url after a redirect");
	tap_is_str(f->url, FEED_A, "identity kept");
	store_feed_free(f);

	/* HOSTILE-41: an unsafe validator is not stored. */
	sf = fetch_ok(9600);
	sf.etag = "\"x\r\nSet-Cookie: a=b\"";
	tap_is_int(store_put(s, a, NULL, &sf, NULL, &cause), 0,
	    "put a CRLF etag");
	f = feed_get(s, FEED_A);
	tap_ok(f->etag == NULL, "CRLF etag not stored");
	store_feed_free(f);

	feed_doc_free(d);
	db_exec(db_path, "DROP TRIGGER t_count; DROP TABLE t_updates;");
	store_close(s);
}

static void
test_failed_put(void)
{
	struct store		*s;
	struct feed_doc		*d;
	struct store_fetch	 sf;
	struct store_feed	*f;
	int64_t			 b;
	int			 nnew = -1;
	char			*cause = NULL;

	s = store_open(db_path, 0, &cause);
	b = feed_id(s, FEED_B);

	/* A real failure mid-transaction: a trigger refuses one entry. */
	db_exec(db_path, "CREATE TRIGGER t_poison BEFORE INSERT ON entries "
	    "WHEN NEW.guid = 'poison' BEGIN "
	    "SELECT RAISE(ABORT, 'poisoned entry'); END;");
	d = mkdoc("B", "https://b.example/", NULL);
	feed_doc_add(d, mkentry("b1", "b-one", 100, TIME_NONE));
	feed_doc_add(d, mkentry("poison", "bad", 200, TIME_NONE));
	feed_doc_add(d, mkentry("b3", "b-three", 300, TIME_NONE));
	sf = fetch_ok(4000);
	sf.etag = "\"b\"";
	tap_is_int(store_put(s, b, d, &sf, &nnew, &cause), -1,
	    "a failing put returns -1");
	tap_ok(cause != NULL && strstr(cause, "poisoned entry") != NULL,
	    "with the cause");
	tap_is_int(nnew, 0, "nnew 0");
	free(cause);
	cause = NULL;
	tap_is_int(count_entries(s, b), 0, "no entry written");
	f = feed_get(s, FEED_B);
	tap_ok(f != NULL && strcmp(f->status, "new") == 0 && f->etag == NULL &&
	    f->last_fetch == TIME_NONE && f->title == NULL,
	    "feed state untouched");
	store_feed_free(f);
	db_exec(db_path, "DROP TRIGGER t_poison;");

	/* The store is usable after the rollback. */
	tap_is_int(store_put(s, b, d, &sf, &nnew, &cause), 0,
	    "the same put succeeds after");
	tap_is_int(nnew, 3, "3 new");

	tap_is_int(store_put(s, 9999, d, &sf, &nnew, &cause), -1,
	    "put to an unknown feed fails");
	tap_ok(cause != NULL && strstr(cause, "no feed with id 9999") != NULL,
	    "unknown feed: cause");
	free(cause);
	cause = NULL;
	sf.status = "bogus";
	tap_is_int(store_put(s, b, NULL, &sf, NULL, &cause), -1,
	    "an unknown status is refused");
	free(cause);
	feed_doc_free(d);
	store_close(s);
}

static void
test_order_and_authors(void)
{
	struct store		 *s;
	struct feed_doc		 *d;
	struct store_fetch	  sf;
	struct store_query	  q;
	struct stored_entry	**v;
	size_t			  n;
	int64_t			  c;
	char			 *cause = NULL;
	int			  nnew;

	s = store_open(db_path, 0, &cause);
	c = feed_id(s, FEED_C);
	d = mkdoc("", "", NULL);
	feed_doc_add(d, mkentry("c1", "pub", 1500, 99999));
	feed_doc_add(d, mkentry("c2", "upd", TIME_NONE, 2500));
	feed_doc_add(d, mkentry("c3", "undated-first", TIME_NONE,
	    TIME_NONE));
	feed_doc_add(d, mkentry("c4", "undated-second", TIME_NONE,
	    TIME_NONE));
	d->entries[0]->author = xstrdup("Jane Doe");
	sf = fetch_ok(2000);
	tap_is_int(store_put(s, c, d, &sf, &nnew, &cause), 0, "put feed C");
	feed_doc_free(d);

	memset(&q, 0, sizeof q);
	q.feed_id = c;
	tap_is_int(store_entries(s, &q, &v, &n, &cause), 0, "entries of C");
	tap_is_int(n, 4, "4 entries");
	if (n == 4) {
		tap_is_str(v[0]->guid, "c2", "updated 2500 first");
		tap_is_str(v[1]->guid, "c3",
		    "undated (first seen 2000), first in document order");
		tap_is_str(v[2]->guid, "c4", "then the second undated one");
		tap_is_str(v[3]->guid, "c1",
		    "published 1500 wins over updated");
		tap_is_str(v[3]->author, "Jane Doe", "entry author");
		tap_is_str(v[0]->author, "C", "no author: the label");
		tap_is_int(v[0]->nsources, 1, "one source");
		tap_is_str(v[0]->sources[0].label, "C", "source label");
		tap_is_str(v[0]->sources[0].feed_url, FEED_C,
		    "source feed_url");
		tap_is_str(v[0]->sources[0].link, v[0]->link,
		    "source link is the entry link");
		tap_ok(v[0]->sources[0].site == NULL, "empty site: NULL");
		tap_is_int(stored_entry_date(v[1]), 2000,
		    "date falls back to first_seen");
	}
	stored_entries_free(v, n);

	/* Feed A: the feed author; feed B: no label, the feed's title. */
	memset(&q, 0, sizeof q);
	q.feed_id = feed_id(s, FEED_A);
	q.limit = 1;
	if (store_entries(s, &q, &v, &n, &cause) == 0 && n == 1) {
		tap_is_str(v[0]->author, "A Desk", "no author: the feed's");
		tap_is_str(v[0]->sources[0].label, "CNN", "label wins");
		tap_is_str(v[0]->sources[0].site, "https://a.example/",
		    "source site");
		tap_is_str(v[0]->sources[0].feed_url,
		    "https://a2.example/feed.xml", "feed_url is fetch_url");
	} else
		tap_ok(0, "feed A entries");
	stored_entries_free(v, n);
	q.feed_id = feed_id(s, FEED_B);
	if (store_entries(s, &q, &v, &n, &cause) == 0 && n == 1) {
		tap_is_str(v[0]->sources[0].label, "B",
		    "no label: the feed's title");
		tap_is_str(v[0]->author, "B", "author falls back to it");
	} else
		tap_ok(0, "feed B entries");
	stored_entries_free(v, n);
	store_close(s);
}

static void
test_hostile(void)
{
	static const char	*inject = "'); DROP TABLE entries;--";
	struct store		*s;
	struct conf		*c;
	struct feed_doc		*d;
	struct entry		*e;
	struct store_fetch	 sf;
	struct stored_entry	*se;
	struct store_feed	*f;
	char			*cause = NULL, *big, *guid1, *guid2;
	int64_t			 fid;
	size_t			 before;
	int			 nnew;

	s = store_open(db_path, 0, &cause);
	c = mkconf();
	conf_add(c, FEED_A, "CNN", "North Korea", 3600000);
	conf_add(c, FEED_B, NULL, NULL, 0);
	conf_add(c, FEED_C, "C", "Tech", 0);
	conf_add(c, "https://evil.example/?q=' OR 1=1 --", "%_\"'", "x", 0);
	tap_is_int(store_sync_feeds(s, c, &cause), 0, "sync a hostile URL");
	conf_free(c);
	fid = feed_id(s, "https://evil.example/?q=' OR 1=1 --");
	tap_ok(fid > 0, "hostile URL found literally");
	f = feed_get(s, "%_\"'");
	tap_ok(f != NULL && f->id == fid, "label with %%_\"' found literally");
	store_feed_free(f);
	f = feed_get(s, "%");
	tap_ok(f == NULL, "'%%' is no wildcard");
	store_feed_free(f);

	/* HOSTILE-53 */
	d = mkdoc(inject, "", inject);
	e = mkentry("%", inject, 10, TIME_NONE);
	e->author = xstrdup("Robert\"); DROP TABLE feeds;--");
	feed_doc_add(d, e);
	feed_doc_add(d, mkentry("_", "underscore", 11, TIME_NONE));
	/* HOSTILE-16: two items with one guid, the first wins. */
	feed_doc_add(d, mkentry("dup", "dup first", 12, TIME_NONE));
	feed_doc_add(d, mkentry("dup", "dup second", 13, TIME_NONE));
	/* HOSTILE-16: no guid: the link is the key. */
	e = mkentry(NULL, "no guid", 14, TIME_NONE);
	feed_doc_add(d, e);
	/* HOSTILE-16: 10 KB guids sharing a 9 KB prefix stay apart. */
	guid1 = xmalloc(10241);
	memset(guid1, 'g', 10240);
	guid1[10240] = '\0';
	guid2 = xstrdup(guid1);
	guid2[10000] = 'h';
	feed_doc_add(d, mkentry(guid1, "long guid 1", 15, TIME_NONE));
	feed_doc_add(d, mkentry(guid2, "long guid 2", 16, TIME_NONE));
	/* HOSTILE-54: a 5 MB content, a 10 KB title, a 64 KB link. */
	big = xmalloc(5 * 1024 * 1024 + 1);
	memset(big, 'c', 5 * 1024 * 1024);
	memcpy(big, "<p>", 3);
	big[5 * 1024 * 1024] = '\0';
	e = mkentry("giant", "giant", 17, TIME_NONE);
	free(e->content);
	e->content = big;
	free(e->title);
	e->title = xmalloc(10241);
	memset(e->title, 't', 10240);
	e->title[10240] = '\0';
	free(e->link);
	e->link = xmalloc(65537);
	memcpy(e->link, "https://x/", 10);
	memset(e->link + 10, 'l', 65526);
	e->link[65536] = '\0';
	e->categories = xcalloc(2, sizeof *e->categories);
	e->categories[0] = xstrdup("World");
	e->categories[1] = xstrdup("Asia \"East\"");
	e->ncategories = 2;
	feed_doc_add(d, e);
	/* Control characters and invalid UTF-8 are filtered. */
	e = mkentry("ctl", "a\x01" "b\x1b[2Jc\xff", 18, TIME_NONE);
	feed_doc_add(d, e);

	sf = fetch_ok(20000);
	before = count_entries(s, 0);
	tap_is_int(store_put(s, fid, d, &sf, &nnew, &cause), 0,
	    "hostile document stored");
	if (cause != NULL)
		tap_diag("%s", cause);
	tap_is_int(nnew, 8, "8 new: the duplicate guid counted once");
	tap_is_int(count_entries(s, 0), before + 8, "8 more entries");
	tap_is_int(db_int(db_path, "SELECT count(*) FROM sqlite_master WHERE "
	    "name IN ('feeds', 'entries')"), 2, "tables still there");

	se = entry_by_guid(s, "%");
	tap_ok(se != NULL && strcmp(se->title, inject) == 0 &&
	    strcmp(se->author, "Robert\"); DROP TABLE feeds;--") == 0,
	    "injection strings stored literally");
	stored_entry_free(se);
	se = entry_by_guid(s, "dup");
	tap_ok(se != NULL && strcmp(se->title, "dup first") == 0,
	    "duplicate guid: the first item wins");
	stored_entry_free(se);
	se = entry_by_guid(s, "https://site.example/no guid");
	tap_ok(se != NULL && strcmp(se->title, "no guid") == 0,
	    "no guid: keyed by the link");
	stored_entry_free(se);
	se = entry_by_guid(s, "giant");
	tap_ok(se != NULL, "giant entry stored");
	if (se != NULL) {
		tap_ok(strlen(se->content) <= 1024 * 1024 &&
		    strlen(se->content) > 1000 * 1024,
		    "content capped at 1 MiB");
		tap_is_int(strlen(se->title), 4096, "title capped at 4 KiB");
		tap_ok(se->link == NULL, "64 KB link dropped");
		tap_is_int(se->ncategories, 2, "two categories");
		if (se->ncategories == 2)
			tap_is_str(se->categories[1], "Asia \"East\"",
			    "categories round-trip");
	}
	stored_entry_free(se);
	se = entry_by_guid(s, "ctl");
	tap_ok(se != NULL && strcmp(se->title, "ab[2Jc\xef\xbf\xbd") == 0,
	    "control characters dropped, invalid UTF-8 replaced");
	stored_entry_free(se);

	/* The same hostile document again is a no-op. */
	sf = fetch_ok(21000);
	tap_is_int(store_put(s, fid, d, &sf, &nnew, &cause), 0,
	    "hostile document again");
	tap_is_int(nnew, 0, "nothing new");
	tap_is_int(count_entries(s, fid), 8, "still 8");

	free(guid1);
	free(guid2);
	feed_doc_free(d);
	store_close(s);
}

static void
test_find_and_query(void)
{
	struct store		 *s;
	struct store_feed	 *f, **v;
	struct store_query	  q;
	struct stored_entry	**ev, *se;
	struct conf		 *c;
	size_t			  n, i;
	char			 *cause = NULL;
	int			  ok;

	s = store_open(db_path, 0, &cause);
	f = feed_get(s, "1");
	tap_ok(f != NULL && strcmp(f->url, FEED_A) == 0, "find by id");
	store_feed_free(f);
	f = feed_get(s, FEED_B);
	tap_ok(f != NULL && f->id == 2, "find by URL");
	store_feed_free(f);
	f = feed_get(s, "https://a2.example/feed.xml");
	tap_ok(f != NULL && f->id == 1, "find by fetch_url");
	store_feed_free(f);
	f = feed_get(s, "CNN");
	tap_ok(f != NULL && f->id == 1, "find by label");
	store_feed_free(f);
	f = feed_get(s, "nope");
	tap_ok(f == NULL, "unknown feed: NULL");
	f = feed_get(s, "99999999999999999999");
	tap_ok(f == NULL, "huge number: no feed");
	f = feed_get(s, "");
	tap_ok(f == NULL, "empty key: no feed");

	/* Two feeds with one label: ambiguous. */
	c = mkconf();
	conf_add(c, FEED_A, "CNN", "North Korea", 3600000);
	conf_add(c, FEED_B, "CNN", NULL, 0);
	conf_add(c, FEED_C, "C", "Tech", 0);
	conf_add(c, "https://evil.example/?q=' OR 1=1 --", "%_\"'", "x", 0);
	store_sync_feeds(s, c, &cause);
	f = NULL;
	tap_is_int(store_feed_find(s, "CNN", &f, &cause), -1,
	    "an ambiguous label fails");
	tap_ok(f == NULL && cause != NULL && strstr(cause, "1 and 2") != NULL,
	    "naming both feeds");
	free(cause);
	cause = NULL;
	free(c->feeds[1].label);
	c->feeds[1].label = NULL;
	store_sync_feeds(s, c, &cause);
	conf_free(c);

	tap_is_int(store_feeds(s, &v, &n, &cause), 0, "store_feeds");
	ok = n == 4;
	for (i = 0; ok && i < n; i++) {
		if (v[i]->entries != (int64_t)count_entries(s, v[i]->id))
			ok = 0;
	}
	tap_ok(ok, "entries count of every feed");
	if (n == 4)
		tap_is_int(v[2]->entries, 4, "feed C carried 4");
	store_feeds_free(v, n);

	memset(&q, 0, sizeof q);
	q.category = "Tech";
	tap_is_int(store_entries(s, &q, &ev, &n, &cause), 0, "by category");
	ok = n == 4;
	for (i = 0; i < n; i++)
		ok &= ev[i]->sources[0].feed_id == 3;
	tap_ok(ok, "only the category's entries");
	stored_entries_free(ev, n);
	q.category = "' OR 1=1 --";
	store_entries(s, &q, &ev, &n, &cause);
	tap_is_int(n, 0, "an injected category matches nothing");
	stored_entries_free(ev, n);

	memset(&q, 0, sizeof q);
	q.limit = 2;
	tap_is_int(store_entries(s, &q, &ev, &n, &cause), 0, "with a limit");
	tap_is_int(n, 2, "limit 2");
	ok = n == 2 && stored_entry_date(ev[0]) >= stored_entry_date(ev[1]);
	tap_ok(ok, "newest first");
	if (n == 2) {
		tap_is_int(store_entry_get(s, ev[1]->id, &se, &cause), 0,
		    "store_entry_get");
		tap_ok(se != NULL && se->id == ev[1]->id &&
		    strcmp(se->title, ev[1]->title) == 0 &&
		    se->nsources == 1, "the same entry");
		stored_entry_free(se);
	}
	stored_entries_free(ev, n);
	se = (struct stored_entry *)1;
	tap_is_int(store_entry_get(s, 123456, &se, &cause), 0,
	    "unknown entry");
	tap_ok(se == NULL, "unknown entry: NULL");
	store_close(s);
}

static void
test_readonly(void)
{
	struct store		*rw, *ro;
	struct feed_doc		*d;
	struct store_fetch	 sf;
	struct stored_entry	*se;
	int64_t			 v1, v2, w1, b;
	char			*cause = NULL;
	size_t			 n;
	int			 nnew;

	rw = store_open(db_path, 0, &cause);
	ro = store_open(db_path, STORE_READONLY, &cause);
	tap_ok(ro != NULL, "read-only open");
	if (ro == NULL) {
		tap_diag("%s", cause);
		store_close(rw);
		return;
	}
	n = count_entries(ro, 0);
	v1 = store_version(ro);
	tap_is_int(store_version(ro), v1, "version stable while idle");
	w1 = store_version(rw);

	b = feed_id(rw, FEED_B);
	d = mkdoc("B", "https://b.example/", NULL);
	feed_doc_add(d, mkentry("b-new", "fresh", 50000, TIME_NONE));
	/* HOSTILE-16: a guid feed A has too is another entry in feed B. */
	feed_doc_add(d, mkentry("a1", "same guid, other feed", 40000,
	    TIME_NONE));
	sf = fetch_ok(50000);
	tap_is_int(store_put(rw, b, d, &sf, &nnew, &cause), 0,
	    "write through the read-write store");
	tap_is_int(nnew, 2, "the same guid in another feed is new");
	v2 = store_version(ro);
	tap_ok(v2 != v1, "the reader's version changed");
	tap_ok(store_version(rw) != w1, "the writer's version changed");
	tap_is_int(count_entries(ro, 0), n + 2, "the reader sees the entries");
	se = entry_by_guid(ro, "b-new");
	tap_ok(se != NULL && strcmp(se->title, "fresh") == 0,
	    "the reader reads it");
	stored_entry_free(se);
	tap_is_int(store_version(ro), v2, "stable again");

	sf = fetch_ok(50001);
	tap_is_int(store_put(ro, b, d, &sf, &nnew, &cause), -1,
	    "a read-only store refuses a write");
	tap_ok(cause != NULL && strstr(cause, db_path) != NULL,
	    "naming the file");
	free(cause);
	feed_doc_free(d);
	store_close(ro);
	store_close(rw);
}

static void
test_reopen_and_resync(void)
{
	struct store		*s;
	struct conf		*c;
	struct store_feed	*f;
	char			*cause = NULL;
	size_t			 n;

	s = store_open(db_path, 0, &cause);
	n = count_entries(s, 0);
	store_close(s);
	s = store_open(db_path, 0, &cause);
	tap_ok(s != NULL, "reopen");
	tap_is_int(count_entries(s, 0), n, "reopen keeps the entries");
	f = feed_get(s, FEED_A);
	tap_ok(f != NULL && strcmp(f->fetch_url,
	    "https://a2.example/feed.xml") == 0 && f->last_fetch == 9600 &&
	    f->entries == 3, "reopen keeps the fetch state");
	store_feed_free(f);

	f = feed_get(s, FEED_B);
	tap_ok(f != NULL && f->enabled == 1, "B enabled while declared");
	store_feed_free(f);

	/* Feed B no longer declared; A relabelled. */
	c = mkconf();
	conf_add(c, FEED_A, "Cable News", "World", 0);
	conf_add(c, FEED_C, "C", "Tech", 0);
	tap_is_int(store_sync_feeds(s, c, &cause), 0, "sync without B");
	f = feed_get(s, FEED_B);
	tap_ok(f != NULL && f->enabled == 0, "B kept, disabled");
	tap_ok(f != NULL && f->entries > 0, "B's entries kept");
	tap_ok(f != NULL && strcmp(f->status, "ok") == 0,
	    "B's status kept");
	store_feed_free(f);
	f = feed_get(s, FEED_A);
	tap_ok(f != NULL && strcmp(f->label, "Cable News") == 0 &&
	    strcmp(f->category, "World") == 0 && f->interval == 0,
	    "A relabelled");
	tap_ok(f != NULL && f->last_fetch == 9600 && f->enabled == 1 &&
	    strcmp(f->fetch_url, "https://a2.example/feed.xml") == 0,
	    "A keeps its state and redirect");
	store_feed_free(f);
	conf_add(c, FEED_B, NULL, NULL, 0);
	tap_is_int(store_sync_feeds(s, c, &cause), 0, "sync with B again");
	f = feed_get(s, FEED_B);
	tap_ok(f != NULL && f->enabled == 1, "B enabled again");
	store_feed_free(f);
	conf_free(c);
	store_close(s);
}

/*
 * Check that opening a file fails with a cause containing what and
 * leaves the file byte for byte as it was.
 */
static void
refused_intact(const char *path, const char *what, const char *desc)
{
	struct store	*s;
	char		*before, *after, *cause = NULL;
	size_t		 blen, alen;

	before = read_all(path, &blen);
	s = store_open(path, 0, &cause);
	tap_ok(s == NULL, "%s: refused", desc);
	if (!tap_ok(cause != NULL && strstr(cause, path) != NULL &&
	    strstr(cause, what) != NULL && strchr(cause, '\n') == NULL,
	    "%s: one-line cause naming the file and \"%s\"", desc, what))
		tap_diag("cause: %s", cause != NULL ? cause : "(none)");
	store_close(s);
	after = read_all(path, &alen);
	tap_ok(before != NULL && after != NULL && blen == alen &&
	    memcmp(before, after, blen) == 0, "%s: file left byte-identical",
	    desc);
	free(before);
	free(after);
	free(cause);
}

static void
test_refused(void)
{
	struct store	*s;
	char		*corrupt, *garbage, *trunc, *newer, *foreign, *p;
	char		*cause = NULL;
	size_t		 len, i;
	uint32_t	 x = 12345;

	/* HOSTILE-49: random bytes over page 2. */
	corrupt = path_in("corrupt.db");
	copy_file(db_path, corrupt);
	p = read_all(corrupt, &len);
	tap_ok(len >= 3 * 4096, "test store has 3 pages or more");
	for (i = 4096; i < 8192 && i < len; i++) {
		x = x * 1103515245 + 12345;
		p[i] = (char)(x >> 16);
	}
	write_all(corrupt, p, len);
	refused_intact(corrupt, "corrupt", "page 2 overwritten");

	/* HOSTILE-49: a truncated file. */
	trunc = path_in("truncated.db");
	write_all(trunc, p, len / 2);
	refused_intact(trunc, "backup", "truncated file");
	free(p);

	/* Not a database at all. */
	garbage = path_in("garbage.db");
	write_all(garbage, "<html>not a database</html>\n", 28);
	refused_intact(garbage, "not a database", "a text file");

	/* Another program's SQLite database. */
	foreign = path_in("foreign.db");
	db_exec(foreign, "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
	refused_intact(foreign, "not a feedmux database", "a foreign database");

	/* HOSTILE-52: a newer schema. */
	newer = path_in("newer.db");
	copy_file(db_path, newer);
	db_exec(newer, "PRAGMA user_version = 6;");
	refused_intact(newer, "schema version 6 is newer",
	    "a newer schema");
	s = store_open(newer, STORE_READONLY, &cause);
	tap_ok(s == NULL && cause != NULL && strstr(cause, "newer") != NULL,
	    "a newer schema, read-only: refused");
	free(cause);
	store_close(s);

	/* The real store still opens. */
	cause = NULL;
	s = store_open(db_path, 0, &cause);
	tap_ok(s != NULL, "the good store still opens");
	store_close(s);
	p = db_text(db_path, "PRAGMA integrity_check");
	tap_is_str(p, "ok", "integrity_check ok after every test");
	free(p);
	free(corrupt);
	free(trunc);
	free(garbage);
	free(foreign);
	free(newer);
}

/* A new store file NAME with feeds A, B and C declared. */
static struct store *
fresh(const char *name, struct conf **cp)
{
	struct store	*s;
	struct conf	*c;
	char		*path, *cause = NULL;

	path = path_in(name);
	s = store_open(path, 0, &cause);
	if (s == NULL) {
		tap_diag("%s", cause);
		exit(1);
	}
	free(path);
	c = mkconf();
	conf_add(c, FEED_A, "A", "World", 0);
	conf_add(c, FEED_B, "B", "Asia", 0);
	conf_add(c, FEED_C, "C", "Tech", 0);
	if (store_sync_feeds(s, c, &cause) != 0) {
		tap_diag("%s", cause);
		exit(1);
	}
	if (cp != NULL)
		*cp = c;
	else
		conf_free(c);
	return (s);
}

/* An item with an id, a link, a title and a text. */
static struct entry *
story(const char *id, const char *link, const char *title, const char *text,
    int64_t published)
{
	struct entry	*e;

	e = entry_new();
	e->id = id != NULL ? xstrdup(id) : NULL;
	e->link = link != NULL ? xstrdup(link) : NULL;
	e->title = xstrdup(title);
	xasprintf(&e->content, "<p>%s</p>", text);
	e->published = published;
	return (e);
}

/* How many entries a search finds; *r gets store_search's return. */
static size_t
search_n(struct store *s, const char *q, int *r)
{
	struct stored_entry	**v = NULL;
	size_t			  n = 0;
	char			 *cause = NULL;
	int			  rc;

	rc = store_search(s, q, 0, &v, &n, &cause);
	if (r != NULL)
		*r = rc;
	stored_entries_free(v, n);
	free(cause);
	return (rc == 0 ? n : (size_t)-1);
}

static const char *long_text =
    "Negotiators from both sides met on Tuesday in the border village and "
    "agreed on a timetable for the talks, officials said, adding that the "
    "first round would take place before the end of the month and that "
    "observers from three other countries had been invited to attend.";

/* A store made by version 1 (the first release) is upgraded in place. */
static void
test_migrate_v1(void)
{
	static const char *v1 =
	    "CREATE TABLE feeds (id INTEGER PRIMARY KEY, url TEXT NOT NULL "
	    "UNIQUE, fetch_url TEXT NOT NULL, label TEXT, category TEXT NOT "
	    "NULL DEFAULT 'Uncategorized', title TEXT, site TEXT, author "
	    "TEXT, interval INTEGER NOT NULL DEFAULT 0, enabled INTEGER NOT "
	    "NULL DEFAULT 1, origin TEXT NOT NULL DEFAULT 'config' CHECK "
	    "(origin IN ('config', 'cli')), status TEXT NOT NULL DEFAULT "
	    "'new' CHECK (status IN ('new', 'ok', 'error', 'gone', "
	    "'disabled', 'refused')), etag TEXT, last_modified TEXT, "
	    "last_fetch INTEGER, next_poll INTEGER, http_status INTEGER NOT "
	    "NULL DEFAULT 0, error_count INTEGER NOT NULL DEFAULT 0, error "
	    "TEXT, malformed TEXT);"
	    "CREATE TABLE entries (id INTEGER PRIMARY KEY, feed_id INTEGER "
	    "NOT NULL REFERENCES feeds (id) ON DELETE CASCADE, guid TEXT NOT "
	    "NULL, title TEXT NOT NULL DEFAULT '', link TEXT, author TEXT, "
	    "published INTEGER, updated INTEGER, first_seen INTEGER NOT "
	    "NULL, summary TEXT, content TEXT, categories TEXT, UNIQUE "
	    "(feed_id, guid));"
	    "CREATE INDEX entries_date ON entries (COALESCE(published, "
	    "updated, first_seen) DESC, id DESC);"
	    "INSERT INTO feeds (id, url, fetch_url, label, status) VALUES "
	    "(1, 'https://a.example/feed.xml', 'https://a.example/feed.xml', "
	    "'Old A', 'ok'), (2, 'https://b.example/rss', "
	    "'https://b.example/rss', NULL, 'ok');"
	    "INSERT INTO entries (feed_id, guid, title, link, published, "
	    "first_seen, content, categories) VALUES "
	    "(1, 'o1', 'Harvest festival opens', 'https://x.example/o1', "
	    "100, 100, '<p>Lanterns <b>everywhere</b> tonight</p>', "
	    "'[\"Culture\"]'), "
	    "(1, 'o2', 'Second old story', 'https://x.example/o2', 200, 200, "
	    "NULL, NULL), "
	    "(2, 'o3', 'Third old story', 'https://x.example/o3?utm_medium=x',"
	    " 300, 300, '<p>text</p>', NULL);"
	    "PRAGMA application_id = 1178881368; PRAGMA user_version = 1;";
	struct store		 *s;
	struct feed_doc		 *d;
	struct store_fetch	  sf;
	struct stored_entry	 *se;
	char			 *path, *cause = NULL, **probs = NULL, *p;
	size_t			  n = 0, i;
	int			  nnew = -1, r;

	path = path_in("v1.db");
	db_exec(path, v1);
	tap_is_int(db_int(path, "PRAGMA user_version"), 1,
	    "v1: a version 1 file made by the old schema");
	s = store_open(path, STORE_READONLY, &cause);
	tap_ok(s == NULL && cause != NULL && strstr(cause, "older") != NULL,
	    "v1: a read-only open asks for the upgrade");
	free(cause);
	cause = NULL;
	s = store_open(path, 0, &cause);
	tap_ok(s != NULL, "v1: opened read-write: migrated");
	if (s == NULL) {
		tap_diag("%s", cause);
		free(path);
		return;
	}
	tap_is_int(db_int(path, "PRAGMA user_version"), 5, "v1: now version 5");
	tap_is_int(db_int(path, "SELECT version FROM published"), 1,
	    "v1: the published version starts at 1");
	tap_is_int(db_int(path, "SELECT count(*) FROM entries"), 3,
	    "v1: entries kept");
	tap_is_int(db_int(path, "SELECT count(*) FROM entry_sources"), 3,
	    "v1: one source row each");
	tap_is_int(db_int(path, "SELECT count(*) FROM entries_fts"), 3,
	    "v1: search index filled");
	p = db_text(path, "SELECT canon FROM entries WHERE guid = 'o3'");
	tap_is_str(p, "https://x.example/o3", "v1: canonical links filled");
	free(p);
	tap_is_int(search_n(s, "lanterns", NULL), 1,
	    "v1: old text searchable");
	tap_is_int(store_check(s, &probs, &n, &cause), 0, "v1: check runs");
	tap_is_int(n, 0, "v1: consistent after the migration");
	for (i = 0; i < n; i++) {
		tap_diag("%s", probs[i]);
		free(probs[i]);
	}
	free(probs);
	tap_is_int(store_entry_get(s, 1, &se, &cause), 0, "v1: get entry 1");
	tap_ok(se != NULL && strcmp(se->title, "Harvest festival opens") ==
	    0 && se->nsources == 1 && strcmp(se->sources[0].label,
	    "Old A") == 0 && se->ncategories == 1, "v1: entry and source");
	stored_entry_free(se);

	/* The old entries count as stored: offering them again is a no-op. */
	d = mkdoc("A", "https://a.example/", NULL);
	feed_doc_add(d, story("o1", "https://x.example/o1",
	    "Harvest festival opens", "Lanterns <b>everywhere</b> tonight",
	    100));
	d->entries[0]->categories = xcalloc(1, sizeof (char *));
	d->entries[0]->categories[0] = xstrdup("Culture");
	d->entries[0]->ncategories = 1;
	sf = fetch_ok(1000);
	db_exec(path, "CREATE TABLE t_up (n INTEGER); INSERT INTO t_up "
	    "VALUES (0); CREATE TRIGGER t_up_c AFTER UPDATE ON entry_sources "
	    "BEGIN UPDATE t_up SET n = n + 1; END;");
	r = store_put(s, 1, d, &sf, &nnew, &cause);
	tap_ok(r == 0 && nnew == 0, "v1: an old entry offered again is known");
	tap_is_int(db_int(path, "SELECT n FROM t_up"), 0,
	    "v1: and unchanged: no write");
	feed_doc_free(d);
	store_close(s);

	/* Opening again does not migrate again. */
	s = store_open(path, 0, &cause);
	tap_ok(s != NULL && db_int(path, "SELECT count(*) FROM entries") == 3,
	    "v1: reopened at version 4");
	store_close(s);
	free(path);
}

/* HOSTILE-16: one story from several feeds is one entry, all sources. */
static void
test_cross_feed(void)
{
	struct store		 *s;
	struct feed_doc		 *d;
	struct store_fetch	  sf;
	struct store_query	  q;
	struct stored_entry	**v = NULL;
	struct store_feed	 *f;
	struct stored_entry	 *se;
	size_t			  n = 0;
	char			 *cause = NULL, *path, *p;
	int			  nnew;

	s = fresh("cross.db", NULL);
	path = path_in("cross.db");
	d = mkdoc("A", "https://a.example/", NULL);
	feed_doc_add(d, story("a-1",
	    "https://News.Example:443/world/summit?utm_source=rss&id=7#top",
	    "Summit set", "Leaders will meet.", 1000));
	feed_doc_add(d, story("a-2", "https://news.example/other",
	    "Other story", "Something else entirely.", 900));
	sf = fetch_ok(5000);
	tap_is_int(store_put(s, 1, d, &sf, &nnew, &cause), 0, "cross: put A");
	tap_is_int(nnew, 2, "cross: 2 new from A");
	feed_doc_free(d);

	/* B carries the first story under its own id and a cleaner URL. */
	d = mkdoc("B", "https://b.example/", NULL);
	feed_doc_add(d, story("urn:b:99",
	    "https://user@news.example/world/summit?id=7&fbclid=XYZ",
	    "Summit date set", "Leaders will meet, B says.", 1100));
	/* C has it with http and a port: another scheme is another URL. */
	sf = fetch_ok(5100);
	tap_is_int(store_put(s, 2, d, &sf, &nnew, &cause), 0, "cross: put B");
	tap_is_int(nnew, 0, "cross: B's copy is no new entry");
	tap_is_int(count_entries(s, 0), 2, "cross: still 2 stories");
	/* Again: no write, still one. */
	tap_is_int(store_put(s, 2, d, &sf, &nnew, &cause), 0,
	    "cross: put B again");
	tap_is_int(count_entries(s, 0), 2, "cross: still 2 stories again");
	feed_doc_free(d);

	memset(&q, 0, sizeof q);
	q.feed_id = 2;
	tap_is_int(store_entries(s, &q, &v, &n, &cause), 0,
	    "cross: entries of B");
	tap_is_int(n, 1, "cross: B carried one story");
	if (n == 1) {
		tap_is_str(v[0]->title, "Summit set",
		    "cross: the first source's title");
		tap_is_int(v[0]->nsources, 2, "cross: two sources");
		if (v[0]->nsources == 2) {
			tap_is_str(v[0]->sources[0].label, "A",
			    "cross: first source A");
			tap_is_str(v[0]->sources[1].label, "B",
			    "cross: then B");
			p = db_text(path, "SELECT guid FROM entry_sources "
			    "WHERE feed_id = 2");
			tap_is_str(p, "urn:b:99", "cross: B's own id for it");
			free(p);
			tap_is_str(v[0]->sources[1].link,
			    "https://user@news.example/world/summit?id=7&"
			    "fbclid=XYZ", "cross: B's own link");
			tap_is_str(v[0]->sources[1].feed_key, FEED_B,
			    "cross: B's feed key");
		}
	}
	stored_entries_free(v, n);
	f = feed_get(s, FEED_B);
	tap_ok(f != NULL && f->entries == 1, "cross: feed B counts it");
	store_feed_free(f);
	q.feed_id = 0;
	q.category = "Asia";
	store_entries(s, &q, &v, &n, &cause);
	tap_is_int(n, 1, "cross: in B's category too");
	stored_entries_free(v, n);

	/* Items that link to a site's home page are not one story. */
	d = mkdoc("C", "https://c.example/", NULL);
	feed_doc_add(d, story("c-home-1", "https://news.example/",
	    "Home one", "First.", 10));
	feed_doc_add(d, story("c-home-2", "https://NEWS.example:443",
	    "Home two", "Second.", 11));
	sf = fetch_ok(5200);
	tap_is_int(store_put(s, 3, d, &sf, &nnew, &cause), 0,
	    "cross: put C's home page links");
	tap_is_int(nnew, 2, "cross: two stories, though one home page");
	feed_doc_free(d);
	se = entry_by_guid(s, "c-home-1");
	store_entry_remove(s, se != NULL ? se->id : 0, NULL);
	stored_entry_free(se);
	se = entry_by_guid(s, "c-home-2");
	store_entry_remove(s, se != NULL ? se->id : 0, NULL);
	stored_entry_free(se);

	/* Near-identical long text from C, another link: one story. */
	d = mkdoc("A", "https://a.example/", NULL);
	feed_doc_add(d, story("a-3", "https://news.example/talks",
	    "Talks timetable agreed", long_text, 2000));
	sf = fetch_ok(6000);
	store_put(s, 1, d, &sf, &nnew, &cause);
	feed_doc_free(d);
	d = mkdoc("C", "https://c.example/", NULL);
	feed_doc_add(d, story("c-1", "https://wire.example/1234",
	    "Talks Timetable Agreed!", long_text, 2100));
	/* A short shared title alone is not one story. */
	feed_doc_add(d, story("c-2", "https://wire.example/5678",
	    "Other story", "Something else entirely.", 950));
	sf = fetch_ok(6100);
	tap_is_int(store_put(s, 3, d, &sf, &nnew, &cause), 0, "cross: put C");
	tap_is_int(nnew, 1, "cross: the same long text is known, the short "
	    "one is new");
	tap_is_int(count_entries(s, 0), 4, "cross: 4 stories");
	feed_doc_free(d);

	/* Removing A keeps the stories B and C share, with them first. */
	tap_is_int(store_feed_remove(s, 1, &cause), -1,
	    "cross: a config feed cannot be removed");
	tap_ok(cause != NULL && strstr(cause, "configuration") != NULL,
	    "cross: saying where to change it");
	free(cause);
	cause = NULL;
	db_exec(path, "UPDATE feeds SET origin = 'cli' WHERE id = 1");
	tap_is_int(store_feed_remove(s, 1, &cause), 0, "cross: remove A");
	tap_is_int(count_entries(s, 0), 3,
	    "cross: A's own story went, the shared ones stayed");
	q.category = NULL;
	q.feed_id = 2;
	store_entries(s, &q, &v, &n, &cause);
	tap_ok(n == 1 && v[0]->nsources == 1 &&
	    v[0]->sources[0].feed_id == 2 &&
	    strcmp(v[0]->guid, "urn:b:99") == 0,
	    "cross: B is now the first source");
	stored_entries_free(v, n);
	free(path);
	store_close(s);
}

/*
 * A feed that re-issues its items under new ids (and new dates) does not
 * grow the store; an item keeps its first published time.
 */
static void
test_rotating(void)
{
	struct store		*s;
	struct feed_doc		*d;
	struct store_fetch	 sf;
	struct stored_entry	*se;
	char			 id[64], link[128], *cause = NULL, *path, *p;
	int			 poll, i, nnew, total = 0;

	s = fresh("rotate.db", NULL);
	path = path_in("rotate.db");
	for (poll = 0; poll < 6; poll++) {
		d = mkdoc("A", "https://a.example/", NULL);
		for (i = 0; i < 3; i++) {
			snprintf(id, sizeof id, "urn:poll%d:item%d", poll, i);
			snprintf(link, sizeof link,
			    "https://a.example/item/%d?utm_campaign=p%d", i,
			    poll);
			feed_doc_add(d, story(id, link, i == 0 ? "First" :
			    (i == 1 ? "Second" : "Third"), long_text,
			    1000 * (i + 1) + poll));
		}
		/* A fourth item changes link and id each poll: text only. */
		snprintf(id, sizeof id, "urn:poll%d:item3", poll);
		snprintf(link, sizeof link, "https://a.example/s%d/fourth",
		    poll);
		feed_doc_add(d, story(id, link, "The fourth item",
		    "Same words in each poll for the fourth.", 5000 + poll));
		sf = fetch_ok(10000 + poll);
		if (store_put(s, 1, d, &sf, &nnew, &cause) != 0) {
			tap_diag("%s", cause);
			free(cause);
			cause = NULL;
		}
		total += nnew;
		feed_doc_free(d);
	}
	tap_is_int(total, 4, "rotate: 4 new over 6 polls");
	tap_is_int(db_int(path, "SELECT count(*) FROM entries"), 4,
	    "rotate: the store did not grow");
	tap_is_int(db_int(path, "SELECT count(*) FROM entry_sources"), 4,
	    "rotate: nor its sources");
	se = entry_by_guid(s, "urn:poll0:item1");
	tap_ok(se != NULL && se->published == 2000,
	    "rotate: first id and first published time kept");
	stored_entry_free(se);
	p = db_text(path, "SELECT es.guid FROM entry_sources es JOIN entries "
	    "e ON e.id = es.entry_id WHERE e.guid = 'urn:poll0:item1'");
	tap_is_str(p, "urn:poll5:item1",
	    "rotate: the source has the feed's latest id");
	free(p);
	free(path);
	store_close(s);
}

/* Retention, tombstones, removal by the user. */
static void
test_prune(void)
{
	struct store		*s;
	struct conf		*c;
	struct feed_doc		*d, *db;
	struct store_fetch	 sf;
	struct store_retention	 ret;
	struct stored_entry	*se;
	char			 id[32], link[64], *cause = NULL, *path;
	int64_t			 ns, ne;
	int			 i, nnew;

	s = fresh("prune.db", &c);
	path = path_in("prune.db");
	d = mkdoc("A", "https://a.example/", NULL);
	for (i = 0; i < 8; i++) {
		snprintf(id, sizeof id, "p%d", i);
		snprintf(link, sizeof link, "https://a.example/p/%d", i);
		feed_doc_add(d, story(id, link, id, "words", 1000 + i * 100));
	}
	sf = fetch_ok(100000);
	store_put(s, 1, d, &sf, &nnew, &cause);
	tap_is_int(nnew, 8, "prune: 8 stored");
	/* B shares p0, the oldest. */
	db = mkdoc("B", "https://b.example/", NULL);
	feed_doc_add(db, story("b-p0", "https://a.example/p/0", "p0 at B",
	    "words", 1000));
	store_put(s, 2, db, &sf, &nnew, &cause);

	ret.keep_days = 0;
	ret.keep_per_feed = 1000;
	tap_is_int(store_prune(s, &ret, 200000, 0, &ns, &ne, &cause), 0,
	    "prune: within the limits");
	tap_ok(ns == 0 && ne == 0, "prune: nothing to do");

	/* A keeps its newest 5: p0..p2 leave A; p0 stays with B. */
	c->feeds[0].keep_per_feed = 5;
	store_sync_feeds(s, c, &cause);
	tap_is_int(store_prune(s, &ret, 200000, 0, &ns, &ne, &cause), 0,
	    "prune: keep 5 in A");
	tap_is_int(ns, 3, "prune: 3 sources dropped");
	tap_is_int(ne, 2, "prune: 2 entries gone (one is B's too)");
	tap_is_int(count_entries(s, 1), 5, "prune: A has its newest 5");
	tap_is_int(count_entries(s, 0), 6, "prune: 6 stories");
	se = entry_by_guid(s, "b-p0");
	tap_ok(se != NULL && se->nsources == 1 &&
	    se->sources[0].feed_id == 2, "prune: shared story now B's");
	stored_entry_free(se);

	/* A pruned entry does not come back when the feed still lists it. */
	sf = fetch_ok(200100);
	tap_is_int(store_put(s, 1, d, &sf, &nnew, &cause), 0,
	    "prune: the same document again");
	tap_is_int(nnew, 0, "prune: nothing new");
	tap_is_int(count_entries(s, 1), 5, "prune: still 5 in A");
	/* Not under a new id either (same canonical link). */
	free(d->entries[1]->id);
	d->entries[1]->id = xstrdup("p1-reissued");
	store_put(s, 1, d, &sf, &nnew, &cause);
	tap_is_int(nnew, 0, "prune: nor under a new id");
	tap_is_int(count_entries(s, 0), 6, "prune: still 6 stories");

	/* keep_days: older than the cut-off goes (batch limit: max 1). */
	c->feeds[0].keep_per_feed = -1;
	c->feeds[0].keep_days = 1;
	store_sync_feeds(s, c, &cause);
	tap_is_int(store_prune(s, &ret, 1450 + 86400, 1, &ns, &ne, &cause), 0,
	    "prune: by age, one at most");
	tap_is_int(ns, 1, "prune: max respected");
	store_prune(s, &ret, 1450 + 86400, 0, &ns, &ne, &cause);
	tap_is_int(ns, 1, "prune: the rest older than a day");
	tap_is_int(count_entries(s, 1), 3, "prune: A keeps p5..p7");

	/* The user removes one for good. */
	se = entry_by_guid(s, "p7");
	tap_is_int(store_entry_remove(s, se != NULL ? se->id : 0, &cause), 1,
	    "remove-entry: removed");
	tap_is_int(store_entry_remove(s, se != NULL ? se->id : 0, &cause), 0,
	    "remove-entry: twice: no such entry");
	stored_entry_free(se);
	store_put(s, 1, d, &sf, &nnew, &cause);
	tap_is_int(nnew, 0, "remove-entry: it does not come back");
	tap_is_int(count_entries(s, 1), 2, "remove-entry: A has 2");
	tap_ok(db_int(path, "SELECT count(*) FROM tombstones") >= 6,
	    "prune: tombstones recorded");
	tap_is_int(db_int(path, "SELECT count(*) FROM entries_fts"),
	    db_int(path, "SELECT count(*) FROM entries"),
	    "prune: the search index follows");
	feed_doc_free(d);
	feed_doc_free(db);
	conf_free(c);
	free(path);
	store_close(s);
}

/* Words, phrases, prefixes, snippets; bad queries (HOSTILE-53). */
static void
test_search(void)
{
	struct store		 *s;
	struct feed_doc		 *d;
	struct store_fetch	  sf;
	struct stored_entry	**v = NULL;
	char			 *cause = NULL, *path;
	size_t			  n = 0;
	int			  nnew, r;

	s = fresh("search.db", NULL);
	path = path_in("search.db");
	d = mkdoc("A", "https://a.example/", NULL);
	feed_doc_add(d, story("s1", "https://a.example/s1",
	    "Pyongyang parade", "Tanks rolled through the capital at dawn.",
	    100));
	feed_doc_add(d, story("s2", "https://a.example/s2", "Markets",
	    "Stocks in Seoul closed higher; the capital city was calm.",
	    200));
	d->entries[1]->author = xstrdup("Kim Jiwoo");
	feed_doc_add(d, story("s3", "https://a.example/s3", "Caf\xc3\xa9 "
	    "culture", "A review of new caf\xc3\xa9s.", 300));
	sf = fetch_ok(1000);
	store_put(s, 1, d, &sf, &nnew, &cause);
	feed_doc_free(d);

	tap_is_int(search_n(s, "capital", NULL), 2, "search: a word");
	tap_is_int(search_n(s, "\"capital city\"", NULL), 1,
	    "search: a phrase");
	tap_is_int(search_n(s, "pyong*", NULL), 1, "search: a prefix");
	tap_is_int(search_n(s, "jiwoo", NULL), 1, "search: the author");
	tap_is_int(search_n(s, "cafe", NULL), 1, "search: without accents");
	tap_is_int(search_n(s, "capital NOT seoul", NULL), 1,
	    "search: NOT");
	tap_is_int(search_n(s, "nothing", NULL), 0, "search: no match");
	r = store_search(s, "dawn", 10, &v, &n, &cause);
	tap_ok(r == 0 && n == 1 && v[0]->snippet != NULL &&
	    strstr(v[0]->snippet, "[dawn]") != NULL,
	    "search: a snippet marks the match");
	tap_ok(n == 1 && v[0]->nsources == 1, "search: with sources");
	stored_entries_free(v, n);

	/* HOSTILE-53 */
	search_n(s, "\"unterminated", &r);
	tap_is_int(r, -2, "search: bad syntax is a bad query");
	r = store_search(s, "'); DROP TABLE entries;--", 10, &v, &n, &cause);
	tap_ok(r == -2 && cause != NULL && strncmp(cause, "bad query", 9) ==
	    0, "search: an injection string is a bad query");
	free(cause);
	cause = NULL;
	search_n(s, "%", &r);
	tap_is_int(r, -2, "search: %% is a bad query");
	search_n(s, "nosuchcolumn:x", &r);
	tap_is_int(r, -2, "search: an unknown column is a bad query");
	search_n(s, "   ", &r);
	tap_is_int(r, -2, "search: empty is a bad query");
	tap_is_int(search_n(s, "\"'); DROP TABLE entries;--\"", &r), 0,
	    "search: quoted, it is searched literally");
	tap_is_int(db_int(path, "SELECT count(*) FROM entries"), 3,
	    "search: entries intact");
	free(path);
	store_close(s);
}

/* Feeds added, edited, switched and removed from the CLI. */
static void
test_feed_cli(void)
{
	struct store		*s;
	struct store_feed_edit	 ed;
	struct store_feed	*f;
	struct store_stats	 ss;
	char			*cause = NULL;
	int64_t			 id = 0;

	s = fresh("cli.db", NULL);
	memset(&ed, 0, sizeof ed);
	ed.label = "Dee";
	ed.category = "Sports";
	ed.interval = 7200000;
	tap_is_int(store_feed_add(s, "https://d.example/feed", &ed, &id,
	    &cause), 0, "cli: add");
	f = feed_get(s, "Dee");
	tap_ok(f != NULL && f->id == id && strcmp(f->origin, "cli") == 0 &&
	    strcmp(f->category, "Sports") == 0 && f->interval == 7200000 &&
	    strcmp(f->status, "new") == 0 && f->enabled,
	    "cli: added with its settings, origin cli");
	store_feed_free(f);
	tap_is_int(store_feed_add(s, "https://d.example/feed", &ed, NULL,
	    &cause), -1, "cli: the same URL twice fails");
	tap_ok(cause != NULL && strstr(cause, "already") != NULL,
	    "cli: saying so");
	free(cause);
	cause = NULL;

	memset(&ed, 0, sizeof ed);
	ed.label = "";
	ed.interval = -1;
	tap_is_int(store_feed_edit(s, id, &ed, &cause), 0, "cli: edit");
	f = feed_get(s, "https://d.example/feed");
	tap_ok(f != NULL && f->label == NULL && f->interval == 7200000 &&
	    strcmp(f->category, "Sports") == 0,
	    "cli: label cleared, the rest kept");
	store_feed_free(f);
	ed.label = "X";
	tap_is_int(store_feed_edit(s, 1, &ed, &cause), -1,
	    "cli: a config feed is edited in the config");
	free(cause);
	cause = NULL;

	tap_is_int(store_feed_enable(s, 1, 0, &cause), 0, "cli: disable A");
	f = feed_get(s, FEED_A);
	tap_ok(f != NULL && !f->enabled && strcmp(f->status, "disabled") == 0,
	    "cli: disabled");
	store_feed_free(f);
	tap_is_int(store_feed_enable(s, 1, 1, &cause), 0, "cli: enable A");
	f = feed_get(s, FEED_A);
	tap_ok(f != NULL && f->enabled && strcmp(f->status, "new") == 0,
	    "cli: enabled and due");
	store_feed_free(f);
	tap_is_int(store_feed_enable(s, 999, 1, &cause), -1,
	    "cli: no such feed");
	free(cause);
	cause = NULL;

	tap_is_int(store_feed_remove(s, id, &cause), 0, "cli: remove");
	f = feed_get(s, "https://d.example/feed");
	tap_ok(f == NULL, "cli: removed");
	tap_is_int(store_stats(s, &ss, &cause), 0, "cli: stats");
	tap_ok(ss.feeds == 3 && ss.schema_version == 5 && ss.bytes > 0 &&
	    ss.oldest == TIME_NONE, "cli: stats counts");
	store_close(s);
}

/*
 * HOSTILE-51: the CLI and the daemon write at once (two processes, two
 * connections); both succeed within the busy timeout.
 */
static void
test_concurrent(void)
{
	struct store		*s;
	struct feed_doc		*d;
	struct store_fetch	 sf;
	struct store_feed_edit	 ed;
	char			 id[32], url[64], *cause = NULL, *path;
	pid_t			 pid;
	int			 i, status, fails = 0;

	s = fresh("busy.db", NULL);
	store_close(s);
	path = path_in("busy.db");
	if ((pid = fork()) == 0) {
		/* The daemon: polls with 20 entries each. */
		s = store_open(path, 0, &cause);
		for (i = 0; s != NULL && i < 100; i++) {
			d = mkdoc("A", "https://a.example/", NULL);
			snprintf(id, sizeof id, "busy%d", i);
			snprintf(url, sizeof url, "https://a.example/b/%d", i);
			feed_doc_add(d, story(id, url, id, long_text, i));
			sf = fetch_ok(1000 + i);
			if (store_put(s, 1, d, &sf, NULL, &cause) != 0)
				_exit(2);
			feed_doc_free(d);
		}
		store_close(s);
		_exit(s == NULL ? 3 : 0);
	}
	s = store_open(path, 0, &cause);
	for (i = 0; s != NULL && i < 100; i++) {
		memset(&ed, 0, sizeof ed);
		ed.interval = 0;
		snprintf(url, sizeof url, "https://cli%d.example/feed", i);
		if (store_feed_add(s, url, &ed, NULL, &cause) != 0 ||
		    store_feed_enable(s, 1, i % 2, &cause) != 0) {
			tap_diag("%s", cause);
			free(cause);
			cause = NULL;
			fails++;
		}
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "busy: every daemon write succeeded");
	tap_is_int(fails, 0, "busy: every CLI write succeeded");
	tap_is_int(db_int(path, "SELECT count(*) FROM entries"), 100,
	    "busy: 100 entries");
	tap_is_int(db_int(path, "SELECT count(*) FROM feeds"), 103,
	    "busy: 103 feeds");
	store_close(s);
	free(path);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	db_path = path_in("feedmux.db");

	test_open();
	test_sync();
	test_put();
	test_failed_put();
	test_order_and_authors();
	test_hostile();
	test_find_and_query();
	test_readonly();
	test_reopen_and_resync();
	test_refused();
	test_migrate_v1();
	test_cross_feed();
	test_rotating();
	test_prune();
	test_search();
	test_feed_cli();
	test_concurrent();
	test_version();
	test_migrate_v2();
	test_defer_index();
	test_plan();
	test_migrate_v3();
	test_qhash();
	test_enclosures();

	rm_rf(tmpdir);
	free(db_path);
	return (tap_done());
}

/*
 * The version follows what outputs show: feed state written after every
 * poll leaves it; stories, their removal and retention, and the feeds'
 * published settings change it, whichever connection wrote them.
 */
static void
test_version(void)
{
	struct store		*w, *o, *r;
	struct conf		*c;
	struct feed_doc		*d;
	struct store_fetch	 sf;
	struct store_feed_edit	 ed;
	struct store_retention	 ret;
	struct stored_entry	*se;
	char			*cause = NULL, *path, id[32], link[64];
	int64_t			 vw, vo, vr, ns, ne, fid = 0;
	int			 i, nnew;

	w = fresh("version.db", &c);
	path = path_in("version.db");
	o = store_open(path, 0, &cause);
	r = store_open(path, STORE_READONLY, &cause);
	if (o == NULL || r == NULL) {
		tap_diag("%s", cause);
		exit(1);
	}
	vw = store_version(w);
	vo = store_version(o);
	vr = store_version(r);
	tap_ok(store_version(w) == vw && store_version(o) == vo &&
	    store_version(r) == vr, "version: stable while idle");

	/* Feed state alone, by this connection: a failure, a 304. */
	memset(&sf, 0, sizeof sf);
	sf.status = "error";
	sf.error = "connection refused";
	sf.fetched_at = 1000;
	sf.next_poll = 1060;
	tap_is_int(store_put(w, 1, NULL, &sf, NULL, &cause), 0,
	    "version: put an error");
	sf = fetch_ok(1100);
	sf.http_status = 304;
	sf.etag = "\"v1\"";
	sf.last_modified = "Mon, 02 Jan 2006 15:04:05 GMT";
	tap_is_int(store_put(w, 1, NULL, &sf, NULL, &cause), 0,
	    "version: put a 304 with validators");
	tap_is_int(store_version(w), vw,
	    "version: state written here leaves the writer's version");
	tap_is_int(store_version(o), vo,
	    "version: and another connection's");
	tap_is_int(store_version(r), vr, "version: and a reader's");

	/* Feed state alone, by another connection (the CLI's process). */
	tap_is_int(store_put(o, 2, NULL, &sf, NULL, &cause), 0,
	    "version: another connection writes state");
	tap_is_int(store_version(w), vw,
	    "version: unchanged for the first connection");

	/* New stories. */
	d = mkdoc("A", "https://a.example/", NULL);
	for (i = 0; i < 4; i++) {
		snprintf(id, sizeof id, "v%d", i);
		snprintf(link, sizeof link, "https://a.example/v/%d", i);
		feed_doc_add(d, story(id, link, id, "words", 1000 + i * 100));
	}
	sf = fetch_ok(2000);
	tap_is_int(store_put(w, 1, d, &sf, &nnew, &cause), 0,
	    "version: put 4 stories");
	tap_is_int(nnew, 4, "version: 4 new");
	tap_ok(store_version(w) != vw, "version: an insert changes it");
	tap_ok(store_version(o) != vo, "version: seen by another connection");
	tap_ok(store_version(r) != vr, "version: seen by a reader");
	vw = store_version(w);
	vo = store_version(o);
	vr = store_version(r);

	/* The same document again: state written, nothing published. */
	sf = fetch_ok(2100);
	tap_is_int(store_put(w, 1, d, &sf, &nnew, &cause), 0,
	    "version: the same document again");
	tap_ok(nnew == 0 && store_version(w) == vw &&
	    store_version(o) == vo && store_version(r) == vr,
	    "version: an unchanged document leaves it");

	/* An edit by the feed. */
	free(d->entries[0]->title);
	d->entries[0]->title = xstrdup("v0, corrected");
	sf = fetch_ok(2200);
	tap_is_int(store_put(w, 1, d, &sf, &nnew, &cause), 0,
	    "version: put an edit");
	tap_ok(store_version(w) != vw && store_version(r) != vr,
	    "version: an update changes it");
	vw = store_version(w);
	vr = store_version(r);

	/* The feed's own title is published. */
	free(d->meta.title);
	d->meta.title = xstrdup("A, renamed");
	sf = fetch_ok(2300);
	store_put(w, 1, d, &sf, &nnew, &cause);
	tap_ok(store_version(w) != vw, "version: a new feed title changes it");
	vw = store_version(w);

	/* A permanent move changes the published feed link. */
	sf = fetch_ok(2400);
	sf.new_url = "https://a.example/moved.xml";
	store_put(w, 1, NULL, &sf, NULL, &cause);
	tap_ok(store_version(w) != vw, "version: a moved feed changes it");
	vw = store_version(w);
	vo = store_version(o);
	vr = store_version(r);

	/* The CLI removes a story: the daemon's connection sees it. */
	se = entry_by_guid(o, "v3");
	tap_is_int(store_entry_remove(o, se != NULL ? se->id : 0, &cause), 1,
	    "version: the other connection removes a story");
	stored_entry_free(se);
	tap_ok(store_version(w) != vw, "version: the removal is seen");
	tap_ok(store_version(o) != vo, "version: by the remover too");
	vw = store_version(w);
	vo = store_version(o);
	tap_is_int(store_entry_remove(o, 999999, &cause), 0,
	    "version: removing a missing story");
	tap_is_int(store_version(w), vw, "version: removes nothing");

	/* Retention: one that removes, one that finds nothing. */
	ret.keep_days = 0;
	ret.keep_per_feed = 2;
	tap_is_int(store_prune(o, &ret, 3000, 0, &ns, &ne, &cause), 0,
	    "version: prune to 2");
	tap_ok(ns == 1 && store_version(w) != vw,
	    "version: a prune that removes changes it");
	vw = store_version(w);
	tap_is_int(store_prune(o, &ret, 3000, 0, &ns, &ne, &cause), 0,
	    "version: prune again");
	tap_ok(ns == 0 && store_version(w) == vw,
	    "version: a prune with nothing to do leaves it");

	/* Syncing the same configuration changes nothing; a label does. */
	tap_is_int(store_sync_feeds(w, c, &cause), 0, "version: sync again");
	tap_is_int(store_version(w), vw, "version: a no-op sync leaves it");
	free(c->feeds[1].label);
	c->feeds[1].label = xstrdup("Bee");
	store_sync_feeds(w, c, &cause);
	tap_ok(store_version(r) != vr, "version: a new label changes it");
	vr = store_version(r);
	vw = store_version(w);

	/* Subscriptions from the CLI. */
	memset(&ed, 0, sizeof ed);
	ed.label = "Dee";
	tap_is_int(store_feed_add(o, "https://d.example/feed", &ed, &fid,
	    &cause), 0, "version: the CLI adds a feed");
	tap_ok(store_version(w) != vw, "version: a new feed changes it");
	vw = store_version(w);
	ed.label = "Deedee";
	ed.interval = -1;
	store_feed_edit(o, fid, &ed, &cause);
	tap_ok(store_version(w) != vw, "version: an edit changes it");
	vw = store_version(w);
	store_feed_enable(o, fid, 0, &cause);
	tap_ok(store_version(w) != vw, "version: disabling changes it");
	vw = store_version(w);
	store_feed_remove(o, fid, &cause);
	tap_ok(store_version(w) != vw, "version: removing a feed changes it");
	vw = store_version(w);
	vr = store_version(r);

	/* Many polls of state: never a change. */
	for (i = 0; i < 50; i++) {
		sf = fetch_ok(4000 + i);
		sf.etag = i % 2 ? "\"a\"" : "\"b\"";
		store_put(i % 2 ? w : o, 1 + i % 3, NULL, &sf, NULL, &cause);
	}
	tap_ok(store_version(w) == vw && store_version(r) == vr,
	    "version: 50 state writes by two connections leave it");

	feed_doc_free(d);
	conf_free(c);
	store_close(r);
	store_close(o);
	store_close(w);
	free(path);
}

/* A version 2 file gets the published version, and keeps its stories. */
static void
test_migrate_v2(void)
{
	struct store		*s;
	struct feed_doc		*d;
	struct store_fetch	 sf;
	char			*path, *cause = NULL;
	int64_t			 v;
	int			 nnew;

	s = fresh("v2.db", NULL);
	d = mkdoc("A", "https://a.example/", NULL);
	feed_doc_add(d, story("m1", "https://a.example/m/1", "Kept story",
	    "words", 1000));
	sf = fetch_ok(2000);
	store_put(s, 1, d, &sf, &nnew, &cause);
	store_close(s);
	path = path_in("v2.db");
	/* What a version 2 store looks like. */
	db_exec(path, "DROP TABLE published; DROP TABLE search_pending; "
	    V4_DROP "PRAGMA user_version = 2;");
	tap_is_int(db_int(path, "PRAGMA user_version"), 2,
	    "v2: a version 2 file");
	s = store_open(path, 0, &cause);
	tap_ok(s != NULL, "v2: opened read-write: migrated");
	if (s == NULL) {
		tap_diag("%s", cause);
		free(path);
		feed_doc_free(d);
		return;
	}
	tap_is_int(db_int(path, "PRAGMA user_version"), 5, "v2: now version 5");
	tap_is_int(db_int(path, "SELECT count(*) FROM entries"), 1,
	    "v2: the story kept");
	v = store_version(s);
	sf = fetch_ok(2100);
	store_put(s, 1, d, &sf, &nnew, &cause);
	tap_is_int(store_version(s), v, "v2: unchanged offer: same version");
	feed_doc_add(d, story("m2", "https://a.example/m/2", "Fresh story",
	    "words", 1100));
	store_put(s, 1, d, &sf, &nnew, &cause);
	tap_ok(nnew == 1 && store_version(s) != v,
	    "v2: a new story: a new version");
	tap_is_int(db_int(path, "SELECT version FROM published"), 2,
	    "v2: the counter moved once");
	store_close(s);
	feed_doc_free(d);
	free(path);
}

/* STORE_DEFER_INDEX: stories wait for store_index before search finds them. */
static void
test_defer_index(void)
{
	struct store		*s, *d;
	struct feed_doc		*doc;
	struct store_fetch	 sf;
	struct stored_entry	*se;
	char			*path, *cause = NULL, **probs = NULL;
	size_t			 n = 0, i;
	int64_t			 ni, v;
	int			 nnew;

	s = fresh("defer.db", NULL);
	store_close(s);
	path = path_in("defer.db");
	d = store_open(path, STORE_DEFER_INDEX, &cause);
	if (d == NULL) {
		tap_diag("%s", cause);
		exit(1);
	}
	doc = mkdoc("A", "https://a.example/", NULL);
	feed_doc_add(doc, story("d1", "https://a.example/d/1", "Lighthouse "
	    "keepers strike", "the lamps stay dark tonight", 1000));
	feed_doc_add(doc, story("d2", "https://a.example/d/2", "Harbour "
	    "reopens", "ferries sail again", 1100));
	sf = fetch_ok(2000);
	tap_is_int(store_put(d, 1, doc, &sf, &nnew, &cause), 0,
	    "defer: put 2");
	tap_is_int(nnew, 2, "defer: 2 new");
	tap_is_int(count_entries(d, 0), 2, "defer: listed at once");
	tap_is_int(search_n(d, "lighthouse", NULL), 0,
	    "defer: not searchable yet");
	tap_is_int(db_int(path, "SELECT count(*) FROM search_pending"), 2,
	    "defer: 2 waiting");
	tap_is_int(store_check(d, &probs, &n, &cause), 0, "defer: check");
	tap_is_int(n, 0, "defer: waiting is no inconsistency");
	for (i = 0; i < n; i++)
		free(probs[i]);
	free(probs);
	v = store_version(d);
	tap_is_int(store_index(d, 1, &ni, &cause), 0, "defer: index one");
	tap_is_int(ni, 1, "defer: max respected");
	tap_is_int(store_index(d, 0, &ni, &cause), 0, "defer: index the rest");
	tap_is_int(ni, 1, "defer: one more");
	tap_is_int(store_version(d), v, "defer: indexing publishes nothing");
	tap_is_int(search_n(d, "lighthouse", NULL), 1, "defer: now found");
	tap_is_int(search_n(d, "ferries", NULL), 1, "defer: both");
	tap_is_int(store_index(d, 0, &ni, &cause), 0, "defer: nothing left");
	tap_is_int(ni, 0, "defer: none indexed");

	/* An edit waits again, and the old words leave the index. */
	free(doc->entries[0]->content);
	doc->entries[0]->content = xstrdup("<p>the lamps are lit again</p>");
	free(doc->entries[0]->title);
	doc->entries[0]->title = xstrdup("Lighthouse keepers return");
	sf = fetch_ok(2100);
	store_put(d, 1, doc, &sf, &nnew, &cause);
	tap_is_int(search_n(d, "dark", NULL), 0,
	    "defer: an edit's old words are gone");
	store_index(d, 0, &ni, &cause);
	tap_ok(ni == 1 && search_n(d, "lit", NULL) == 1,
	    "defer: its new words indexed");

	/* A story removed while waiting leaves nothing waiting. */
	feed_doc_add(doc, story("d3", "https://a.example/d/3", "Storm warning "
	    "issued", "gales expected on the coast", 1200));
	store_put(d, 1, doc, &sf, &nnew, &cause);
	se = entry_by_guid(d, "d3");
	tap_is_int(store_entry_remove(d, se != NULL ? se->id : 0, &cause), 1,
	    "defer: remove a waiting story");
	stored_entry_free(se);
	tap_is_int(db_int(path, "SELECT count(*) FROM search_pending"), 0,
	    "defer: no longer waiting");
	tap_is_int(db_int(path, "SELECT count(*) FROM entries_fts"),
	    db_int(path, "SELECT count(*) FROM entries"),
	    "defer: index and entries agree");

	/* Without the flag, store_put indexes at once. */
	s = store_open(path, 0, &cause);
	feed_doc_add(doc, story("d4", "https://a.example/d/4", "Regatta "
	    "postponed", "the weather wins", 1300));
	store_put(s, 1, doc, &sf, &nnew, &cause);
	tap_ok(nnew == 1 && search_n(s, "regatta", NULL) == 1,
	    "defer: the daemon's default indexes in the transaction");
	store_close(s);
	feed_doc_free(doc);
	store_close(d);
	free(path);
}

/*
 * The publisher's hints and what decided the next poll are stored with
 * a poll's outcome; a 304 keeps the document's hints; a store opened
 * again (a restart, the CLI) reads them back.
 */
static void
test_plan(void)
{
	struct store		*s, *ro;
	struct store_feed	*f;
	struct store_fetch	 sf;
	struct store_plan	 pl;
	struct feed_doc		*d;
	char			*path, *cause = NULL;
	int64_t			 ids[2], v;
	struct store_plan	 pls[2];
	int			 nnew;

	s = fresh("plan.db", NULL);
	path = path_in("plan.db");
	f = feed_get(s, FEED_A);
	tap_ok(f != NULL && f->ttl == -1 && f->update_period == -1 &&
	    f->skip_hours == 0 && f->skip_days == 0 && f->max_age == -1 &&
	    f->retry_after == -1 && f->plan == NULL &&
	    f->plan_at == TIME_NONE && f->plan_delay == -1,
	    "plan: a new feed has no hints and no plan");
	store_feed_free(f);

	/* A 200 with a document and its hints. */
	d = mkdoc("A", "https://a.example/", NULL);
	feed_doc_add(d, story("p1", "https://a.example/p/1", "Planned story",
	    "words", 1000));
	memset(&pl, 0, sizeof pl);
	pl.why = "ttl";
	pl.at = 5000;
	pl.delay = 3600 * 1000 + 250;
	pl.interval = 1800 * 1000;
	pl.min = 60 * 1000;
	pl.max = 86400 * 1000;
	pl.hints = 1;
	pl.ttl = 60;
	pl.update_period = 7200;
	pl.skip_hours = (1U << 0) | (1U << 23);
	pl.skip_days = 1U << 6;
	pl.http = 1;
	pl.max_age = 300;
	pl.retry_after = -1;
	sf = fetch_ok(5000);
	sf.next_poll = 5000 + 3601;
	sf.plan = &pl;
	v = store_version(s);
	tap_is_int(store_put(s, 1, d, &sf, &nnew, &cause), 0,
	    "plan: stored with the poll");
	feed_doc_free(d);
	tap_ok(store_version(s) != v, "plan: the new story moved the version");
	f = feed_get(s, "1");
	tap_ok(f != NULL && f->ttl == 60 && f->update_period == 7200 &&
	    f->skip_hours == ((1U << 0) | (1U << 23)) &&
	    f->skip_days == 1U << 6 && f->max_age == 300 &&
	    f->retry_after == -1, "plan: the hints read back");
	tap_is_str(f != NULL ? f->plan : NULL, "ttl", "plan: the reason");
	tap_ok(f != NULL && f->plan_at == 5000 &&
	    f->plan_delay == 3600 * 1000 + 250 &&
	    f->plan_interval == 1800 * 1000 && f->plan_min == 60 * 1000 &&
	    f->plan_max == 86400 * 1000 && f->next_poll == 8601,
	    "plan: its figures and next_poll");
	store_feed_free(f);

	/* A 503 with Retry-After: the document's hints stay. */
	memset(&pl, 0, sizeof pl);
	pl.why = "Retry-After";
	pl.at = 6000;
	pl.delay = 120 * 1000;
	pl.interval = 1800 * 1000;
	pl.http = 1;
	pl.max_age = -1;
	pl.retry_after = 120;
	memset(&sf, 0, sizeof sf);
	sf.status = "error";
	sf.http_status = 503;
	sf.error = "HTTP 503";
	sf.fetched_at = 6000;
	sf.next_poll = 6120;
	sf.plan = &pl;
	v = store_version(s);
	tap_is_int(store_put(s, 1, NULL, &sf, NULL, &cause), 0,
	    "plan: a failure stored");
	tap_is_int(store_version(s), v, "plan: feed state alone: same version");
	f = feed_get(s, "1");
	tap_ok(f != NULL && f->ttl == 60 && f->update_period == 7200 &&
	    f->skip_days == 1U << 6 && f->max_age == -1 &&
	    f->retry_after == 120 && f->error_count == 1,
	    "plan: document hints kept, HTTP hints replaced");
	tap_is_str(f != NULL ? f->plan : NULL, "Retry-After",
	    "plan: Retry-After decided");
	store_feed_free(f);

	/* A poll stored without a plan (an older caller) leaves it. */
	sf = fetch_ok(7000);
	store_put(s, 1, NULL, &sf, NULL, &cause);
	f = feed_get(s, "1");
	tap_ok(f != NULL && f->plan != NULL && f->retry_after == 120 &&
	    f->next_poll == 7000 + 1800, "plan: no plan given: kept");
	store_feed_free(f);

	/* A 410: nothing planned. */
	memset(&pl, 0, sizeof pl);
	pl.why = "gone";
	pl.at = 8000;
	pl.delay = -1;
	pl.http = 1;
	pl.max_age = -1;
	pl.retry_after = -1;
	memset(&sf, 0, sizeof sf);
	sf.status = "gone";
	sf.http_status = 410;
	sf.error = "HTTP 410";
	sf.fetched_at = 8000;
	sf.next_poll = TIME_NONE;
	sf.plan = &pl;
	store_put(s, 2, NULL, &sf, NULL, &cause);
	f = feed_get(s, "2");
	tap_ok(f != NULL && f->plan_delay == -1 && f->next_poll == TIME_NONE &&
	    f->plan != NULL && strcmp(f->plan, "gone") == 0,
	    "plan: gone, none planned");
	store_feed_free(f);

	/* Plans alone, in one batch: the start-up spread. */
	memset(pls, 0, sizeof pls);
	ids[0] = 2;
	ids[1] = 3;
	pls[0].why = pls[1].why = "spread";
	pls[0].at = pls[1].at = 9000;
	pls[0].delay = 0;
	pls[1].delay = 2500;
	pls[0].interval = pls[1].interval = 1800 * 1000;
	pls[0].max_age = pls[1].max_age = 77;	/* http not set: ignored */
	tap_is_int(store_plans_put(s, ids, pls, 2, &cause), 0,
	    "plans: a batch stored");
	f = feed_get(s, "3");
	tap_ok(f != NULL && f->plan != NULL && strcmp(f->plan, "spread") ==
	    0 && f->plan_delay == 2500 && f->next_poll == 9003 &&
	    f->max_age == -1, "plans: spread, next poll rounded up");
	store_feed_free(f);
	f = feed_get(s, "2");
	tap_ok(f != NULL && f->next_poll == 9000 && strcmp(f->status,
	    "gone") == 0, "plans: the status is not theirs to change");
	store_feed_free(f);
	ids[1] = 999;
	tap_is_int(store_plans_put(s, ids, pls, 2, &cause), 0,
	    "plans: a feed not there is skipped");
	store_close(s);

	/* A restart, and the CLI's read-only view, see it all. */
	ro = store_open(path, STORE_READONLY, &cause);
	f = ro != NULL ? feed_get(ro, FEED_A) : NULL;
	tap_ok(f != NULL && f->ttl == 60 && f->retry_after == 120 &&
	    f->plan != NULL && strcmp(f->plan, "Retry-After") == 0,
	    "plan: read back read-only after a reopen");
	store_feed_free(f);
	tap_is_int(store_plans_put(ro, ids, pls, 1, &cause), -1,
	    "plans: a read-only store refuses");
	free(cause);
	cause = NULL;
	store_close(ro);
	free(path);
}

/* A version 3 store is upgraded to 4: feed state kept, no hints yet. */
static void
test_migrate_v3(void)
{
	struct store		*s;
	struct store_feed	*f;
	struct store_fetch	 sf;
	char			*path, *cause = NULL;

	s = fresh("v3.db", NULL);
	sf = fetch_ok(3000);
	sf.etag = "\"v3\"";
	store_put(s, 1, NULL, &sf, NULL, &cause);
	store_close(s);
	path = path_in("v3.db");
	db_exec(path, V4_DROP "PRAGMA user_version = 3;");
	tap_is_int(db_int(path, "SELECT count(*) FROM pragma_table_info("
	    "'feeds') WHERE name = 'plan'"), 0, "v3: a version 3 file");
	s = store_open(path, STORE_READONLY, &cause);
	tap_ok(s == NULL && cause != NULL && strstr(cause, "older") != NULL,
	    "v3: read-only: refused, not migrated");
	free(cause);
	cause = NULL;
	s = store_open(path, 0, &cause);
	tap_ok(s != NULL, "v3: opened read-write: migrated");
	if (s == NULL) {
		tap_diag("%s", cause);
		free(cause);
		free(path);
		return;
	}
	tap_is_int(db_int(path, "PRAGMA user_version"), 5, "v3: now version 5");
	f = feed_get(s, FEED_A);
	tap_ok(f != NULL && f->etag != NULL && strcmp(f->etag, "\"v3\"") == 0 &&
	    f->next_poll == 3000 + 1800 && f->ttl == -1 && f->plan == NULL &&
	    f->skip_hours == 0, "v3: state kept, no hints, no plan");
	store_feed_free(f);
	store_close(s);
	free(path);
}

/*
 * An item offered again byte for byte is known by its quick hash
 * (qhash); one that differs only in what cleaning removes is compared
 * cleaned and causes no write either; an edit is an edit. A version 4
 * store (no qhash) migrates, and its rows are compared as before.
 */
static void
test_qhash(void)
{
	struct store		*s;
	struct store_fetch	 sf;
	struct feed_doc		*d;
	char			*path, *cause = NULL;
	int64_t			 a;
	int			 nnew;

	s = fresh("q.db", NULL);
	path = path_in("q.db");
	a = feed_id(s, FEED_A);
	db_exec(path, "CREATE TABLE t_src (n INTEGER);"
	    "INSERT INTO t_src VALUES (0);"
	    "CREATE TABLE t_ent (n INTEGER);"
	    "INSERT INTO t_ent VALUES (0);"
	    "CREATE TRIGGER t_src_count AFTER UPDATE ON entry_sources BEGIN "
	    "UPDATE t_src SET n = n + 1; END;"
	    "CREATE TRIGGER t_ent_count AFTER UPDATE ON entries BEGIN "
	    "UPDATE t_ent SET n = n + 1; END;");
	d = mkdoc("A News", "https://a.example/", NULL);
	feed_doc_add(d, mkentry("q1", "one", 1000, TIME_NONE));
	feed_doc_add(d, mkentry("q2", "two", 2000, TIME_NONE));
	sf = fetch_ok(5000);
	tap_is_int(store_put(s, a, d, &sf, &nnew, &cause), 0, "qhash: put");
	tap_is_int(db_int(path, "SELECT count(*) FROM entry_sources WHERE "
	    "qhash IS NOT NULL"), 2, "qhash: each source row has one");

	sf = fetch_ok(6000);
	store_put(s, a, d, &sf, &nnew, &cause);
	tap_ok(nnew == 0 && db_int(path, "SELECT n FROM t_src") == 0 &&
	    db_int(path, "SELECT n FROM t_ent") == 0, "qhash: offered again "
	    "byte for byte: no write");

	/* A control character the store drops: the same story, cleaned. */
	free(d->entries[0]->title);
	d->entries[0]->title = xstrdup("one\x01");
	sf = fetch_ok(7000);
	store_put(s, a, d, &sf, &nnew, &cause);
	tap_ok(nnew == 0 && db_int(path, "SELECT n FROM t_src") == 0 &&
	    db_int(path, "SELECT n FROM t_ent") == 0, "qhash: raw bytes "
	    "differ, the same once cleaned: no write");

	free(d->entries[0]->title);
	d->entries[0]->title = xstrdup("one, edited");
	sf = fetch_ok(8000);
	store_put(s, a, d, &sf, &nnew, &cause);
	tap_ok(nnew == 0 && db_int(path, "SELECT n FROM t_ent") == 1,
	    "qhash: an edit is an edit");
	store_close(s);

	/* Version 4: no qhash column. */
	db_exec(path, "DROP TRIGGER t_src_count; DROP TRIGGER t_ent_count;"
	    V5_DROP "PRAGMA user_version = 4;");
	s = store_open(path, 0, &cause);
	tap_ok(s != NULL, "v4: opened read-write: migrated");
	if (s == NULL) {
		tap_diag("%s", cause);
		free(cause);
		free(path);
		feed_doc_free(d);
		return;
	}
	tap_is_int(db_int(path, "PRAGMA user_version"), 5, "v4: now version 5");
	tap_is_int(db_int(path, "SELECT count(*) FROM entry_sources WHERE "
	    "qhash IS NULL"), 2, "v4: its rows have no qhash");
	db_exec(path, "UPDATE t_src SET n = 0; UPDATE t_ent SET n = 0;"
	    "CREATE TRIGGER t_src_count AFTER UPDATE ON entry_sources BEGIN "
	    "UPDATE t_src SET n = n + 1; END;"
	    "CREATE TRIGGER t_ent_count AFTER UPDATE ON entries BEGIN "
	    "UPDATE t_ent SET n = n + 1; END;");
	sf = fetch_ok(9000);
	store_put(s, a, d, &sf, &nnew, &cause);
	tap_ok(nnew == 0 && db_int(path, "SELECT n FROM t_src") == 0 &&
	    db_int(path, "SELECT n FROM t_ent") == 0, "v4: offered again "
	    "unchanged: compared cleaned, no write");
	free(d->entries[1]->title);
	d->entries[1]->title = xstrdup("two, edited");
	sf = fetch_ok(10000);
	store_put(s, a, d, &sf, &nnew, &cause);
	tap_ok(db_int(path, "SELECT n FROM t_ent") == 1 && db_int(path,
	    "SELECT count(*) FROM entry_sources WHERE qhash IS NOT NULL") == 1,
	    "v4: an edit is stored, with its qhash");
	store_close(s);
	feed_doc_free(d);
	free(path);
}

/* Add an enclosure to an entry. */
static void
add_enclosure(struct entry *e, const char *url, const char *type,
    int64_t length)
{
	struct enclosure	*en;

	e->enclosures = xreallocarray(e->enclosures, e->nenclosures + 1,
	    sizeof *e->enclosures);
	en = &e->enclosures[e->nenclosures++];
	en->url = xstrdup(url);
	en->type = xstrdup(type);
	en->length = length;
}

/*
 * Enclosures are kept and read back; offered again unchanged, no write;
 * a changed one is an edit; a version 4 store (none kept) gets them the
 * next time the item is offered, and items without any are not written.
 */
static void
test_enclosures(void)
{
	struct store		*s;
	struct store_fetch	 sf;
	struct stored_entry	*se;
	struct feed_doc		*d;
	char			*path, *cause = NULL;
	int64_t			 a;
	int			 nnew;

	s = fresh("encl.db", NULL);
	path = path_in("encl.db");
	a = feed_id(s, FEED_A);
	d = mkdoc("A News", "https://a.example/", NULL);
	feed_doc_add(d, mkentry("e1", "episode one", 1000, TIME_NONE));
	feed_doc_add(d, mkentry("e2", "no media", 2000, TIME_NONE));
	add_enclosure(d->entries[0], "https://cdn.example/ep1.mp3",
	    "audio/mpeg", 12345678);
	add_enclosure(d->entries[0], "https://cdn.example/ep1.pdf", "", 0);
	sf = fetch_ok(5000);
	tap_is_int(store_put(s, a, d, &sf, &nnew, &cause), 0, "encl: put");
	se = entry_by_guid(s, "e1");
	tap_ok(se != NULL && se->nenclosures == 2 &&
	    strcmp(se->enclosures[0].url, "https://cdn.example/ep1.mp3") == 0 &&
	    strcmp(se->enclosures[0].type, "audio/mpeg") == 0 &&
	    se->enclosures[0].length == 12345678 &&
	    strcmp(se->enclosures[1].url, "https://cdn.example/ep1.pdf") == 0 &&
	    strcmp(se->enclosures[1].type, "") == 0 &&
	    se->enclosures[1].length == 0, "encl: both read back, in order");
	stored_entry_free(se);
	se = entry_by_guid(s, "e2");
	tap_ok(se != NULL && se->nenclosures == 0 && se->enclosures == NULL,
	    "encl: an item without any has none");
	stored_entry_free(se);

	db_exec(path, "CREATE TABLE t_ent (n INTEGER);"
	    "INSERT INTO t_ent VALUES (0);"
	    "CREATE TRIGGER t_ent_count AFTER UPDATE ON entries BEGIN "
	    "UPDATE t_ent SET n = n + 1; END;");
	sf = fetch_ok(6000);
	store_put(s, a, d, &sf, &nnew, &cause);
	tap_ok(nnew == 0 && db_int(path, "SELECT n FROM t_ent") == 0,
	    "encl: offered again unchanged: no write");
	d->entries[0]->enclosures[0].length = 12345679;
	sf = fetch_ok(7000);
	store_put(s, a, d, &sf, &nnew, &cause);
	se = entry_by_guid(s, "e1");
	tap_ok(db_int(path, "SELECT n FROM t_ent") == 1 && se != NULL &&
	    se->nenclosures == 2 && se->enclosures[0].length == 12345679,
	    "encl: a changed length is an edit");
	stored_entry_free(se);
	store_close(s);

	/*
	 * A version 4 store: no enclosures kept, no qhash, and a hash of
	 * the items that did not cover their enclosures (so for e1 it
	 * differs from the one we compute now).
	 */
	db_exec(path, "DROP TRIGGER t_ent_count; UPDATE t_ent SET n = 0;"
	    "UPDATE entry_sources SET hash = hash + 1 WHERE guid = 'e1';"
	    V5_DROP "PRAGMA user_version = 4;");
	s = store_open(path, 0, &cause);
	tap_ok(s != NULL, "v4 with enclosures: opened read-write: migrated");
	if (s == NULL) {
		tap_diag("%s", cause);
		free(cause);
		free(path);
		feed_doc_free(d);
		return;
	}
	tap_is_int(db_int(path, "PRAGMA user_version"), 5,
	    "v4 with enclosures: now version 5");
	db_exec(path, "CREATE TRIGGER t_ent_count AFTER UPDATE ON entries "
	    "BEGIN UPDATE t_ent SET n = n + 1; END;");
	se = entry_by_guid(s, "e1");
	tap_ok(se != NULL && se->nenclosures == 0, "v4 with enclosures: none kept before");
	stored_entry_free(se);
	sf = fetch_ok(8000);
	store_put(s, a, d, &sf, &nnew, &cause);
	se = entry_by_guid(s, "e1");
	tap_ok(se != NULL && se->nenclosures == 2 && db_int(path,
	    "SELECT n FROM t_ent") == 1, "v4 with enclosures: offered again, "
	    "the item with enclosures gets them; the other is not written");
	stored_entry_free(se);
	store_close(s);
	feed_doc_free(d);
	free(path);
}
