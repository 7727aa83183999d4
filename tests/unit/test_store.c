/*
 * Unit tests for lib/store, on real SQLite files in a temporary
 * directory: schema, sync, puts and their transactions, queries, and the
 * files it must refuse without touching them.
 */

#include "config.h"

#include <sys/stat.h>

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
	tap_is_int(db_int(db_path, "PRAGMA user_version"), 1,
	    "user_version 1");
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
	db_exec(newer, "PRAGMA user_version = 2;");
	refused_intact(newer, "schema version 2 is newer",
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

	rm_rf(tmpdir);
	free(db_path);
	return (tap_done());
}
