/*
 * bench/ingest: entries per second through the store's own API (store_put,
 * as the daemon records a parsed document), against a bare SQLite loop
 * into the same schema in the same run: prepared statements, 200 rows per
 * transaction, WAL, synchronous=NORMAL, foreign keys on (as the store
 * runs). Three paths, each on fresh files:
 *
 *   new, search deferred: store_put with STORE_DEFER_INDEX (the search
 *	index is left to store_index) against bare inserts of the entry and
 *	its source row;
 *   new, with search: store_put as the daemon runs it (indexing in the
 *	same transaction), against bare inserts plus the FTS5 row; and the
 *	deferred store_put followed by store_index, against the same;
 *   re-offered: the same documents again (nothing changed: no write),
 *	against a bare loop looking each row up by (feed, guid) and
 *	comparing its hash.
 *
 * Items are generated, not parsed: about 3 KB of HTML each (paragraphs of
 * words from a 20,000-word vocabulary, a link and some emphasis), 200 to
 * a document, documents spread over 20 feeds. Generation is outside the
 * clock; the bare loop gets the plain text the generator knows for free,
 * the store computes it from the HTML (its own cost).
 *
 *	ingest [-n ENTRIES] [-t TARGET] [-p PATH] DIR
 *
 * -p runs one path alone, for a profiler: bare, bare-fts, store,
 * store-fts (with the re-offer), store-deferred (then indexed).
 *
 *	ingest -p build [-n ENTRIES] [-s BYTES] DATABASE
 *
 * builds a store of ENTRIES generated items of about BYTES of HTML each
 * (for bench/bigstore) the quick way: the store's schema and feeds (all
 * disabled, so a daemon polls nothing), then the bare loop with its
 * search rows, 10,000 rows per transaction, synchronous off.
 *
 * Prints one line per figure in the bench/README.md format.
 */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "entry.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

#define BATCH		200	/* entries per document, rows per transaction */
#define NFEEDS		20
#define NWORDS		20000
#define ITEM_BYTES	3000	/* HTML per item, about */
#define BUILD_BATCH	10000	/* rows per transaction, building */

struct item {
	char	*guid;
	char	*title;
	char	*link;
	char	*author;
	char	*html;
	char	*text;
	int64_t	 published;
};

static uint64_t	 rng = 0x9e3779b97f4a7c15ULL;
static size_t	 item_bytes = ITEM_BYTES;
static char	*words[NWORDS];

static uint64_t	 next_rand(void);
static void	 make_words(void);
static const char *pick_word(void);
static void	 make_item(struct item *, int64_t);
static void	 free_item(struct item *);
static struct feed_doc *make_doc(int64_t, struct item *);
static double	 now_s(void);
static char	*path_in(const char *, const char *);
static void	 unlink_db(const char *);
static struct store *store_fresh(const char *, int);
static sqlite3	*bare_open(const char *);
static void	 bare_exec(sqlite3 *, const char *);
static sqlite3_stmt *bare_prep(sqlite3 *, const char *);
static void	 bare_step(sqlite3 *, sqlite3_stmt *);
static double	 run_store(const char *, int, int64_t, int, double *);
static double	 run_bare(const char *, int64_t, int, double *);
static void	 report(const char *, double, double, double);
static void	 build(const char *, int64_t);

static uint64_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (rng);
}

/* Pseudo-words of 2 to 5 syllables. */
static void
make_words(void)
{
	static const char	*syl[] = {
		"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "zen", "dor",
		"bel", "fa", "gri", "hu", "jo", "pel", "qua", "ster", "wen",
		"xo", "yu", "tra", "ish", "on", "ar", "el", "um", "ba", "co",
		"de"
	};
	struct buf	b;
	int		i, j, n;

	for (i = 0; i < NWORDS; i++) {
		buf_init(&b);
		n = 2 + (int)(next_rand() % 4);
		for (j = 0; j < n; j++)
			buf_adds(&b, syl[next_rand() % 30]);
		if (i % 7 == 0)
			buf_printf(&b, "%d", i);	/* some carry digits */
		words[i] = buf_steal(&b, NULL);
	}
}

/* A word, the frequent ones far more often (roughly Zipf). */
static const char *
pick_word(void)
{
	uint64_t	r = next_rand();
	double		u;

	u = (double)(r >> 11) / (double)(1ULL << 53);
	return (words[(int)((double)NWORDS * u * u * u)]);
}

/* Item number n: about ITEM_BYTES of HTML, and its plain text. */
static void
make_item(struct item *it, int64_t n)
{
	struct buf	h, t, ti;
	const char	*w;
	int		i, para = 0;

	buf_init(&ti);
	for (i = 0; i < 8; i++) {
		if (i > 0)
			buf_addc(&ti, ' ');
		buf_adds(&ti, pick_word());
	}
	it->title = buf_steal(&ti, NULL);
	xasprintf(&it->guid, "urn:bench:%lld", (long long)n);
	xasprintf(&it->link, "https://news%lld.example/%lld/story-%lld.html",
	    (long long)(n % NFEEDS), (long long)(n / 1000), (long long)n);
	xasprintf(&it->author, "Writer %lld", (long long)(n % 97));
	it->published = 1700000000 + n * 60;

	buf_init(&h);
	buf_init(&t);
	buf_adds(&h, "<p>");
	while (h.len < item_bytes) {
		w = pick_word();
		if (t.len > 0)
			buf_addc(&t, ' ');
		buf_adds(&t, w);
		switch (next_rand() % 40) {
		case 0:
			buf_printf(&h, "<b>%s</b> ", w);
			break;
		case 1:
			buf_printf(&h, "<a href=\"https://ref.example/%s\">%s"
			    "</a> ", w, w);
			break;
		default:
			buf_adds(&h, w);
			buf_addc(&h, ' ');
			break;
		}
		if (++para == 60) {
			buf_adds(&h, "</p><p>");
			para = 0;
		}
	}
	buf_adds(&h, "</p>");
	it->html = buf_steal(&h, NULL);
	it->text = buf_steal(&t, NULL);
}

static void
free_item(struct item *it)
{
	free(it->guid);
	free(it->title);
	free(it->link);
	free(it->author);
	free(it->html);
	free(it->text);
}

/* Document number d: items d * BATCH on, newest first as feeds list. */
static struct feed_doc *
make_doc(int64_t d, struct item *items)
{
	struct feed_doc	*doc;
	struct entry	*e;
	int		 i;

	doc = feed_doc_new();
	doc->format = FORMAT_RSS20;
	xasprintf(&doc->meta.title, "Bench feed %lld", (long long)(d % NFEEDS));
	xasprintf(&doc->meta.link, "https://news%lld.example/",
	    (long long)(d % NFEEDS));
	doc->meta.subtitle = xstrdup("");
	for (i = BATCH - 1; i >= 0; i--) {
		e = entry_new();
		e->id = xstrdup(items[i].guid);
		e->title = xstrdup(items[i].title);
		e->link = xstrdup(items[i].link);
		e->author = xstrdup(items[i].author);
		e->content = xstrdup(items[i].html);
		e->published = items[i].published;
		feed_doc_add(doc, e);
	}
	return (doc);
}

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

static char *
path_in(const char *dir, const char *name)
{
	char	*p;

	xasprintf(&p, "%s/%s", dir, name);
	return (p);
}

static void
unlink_db(const char *path)
{
	char	*p;

	unlink(path);
	xasprintf(&p, "%s-wal", path);
	unlink(p);
	free(p);
	xasprintf(&p, "%s-shm", path);
	unlink(p);
	free(p);
}

/* A new store with NFEEDS feeds (ids 1..NFEEDS). */
static struct store *
store_fresh(const char *path, int flags)
{
	struct store		*s;
	struct store_feed_edit	 ed;
	char			*cause = NULL, url[128];
	int			 i;

	unlink_db(path);
	if ((s = store_open(path, flags, &cause)) == NULL)
		fatalx("%s", cause);
	memset(&ed, 0, sizeof ed);
	for (i = 0; i < NFEEDS; i++) {
		snprintf(url, sizeof url, "https://news%d.example/feed.xml", i);
		if (store_feed_add(s, url, &ed, NULL, &cause) != 0)
			fatalx("%s", cause);
	}
	return (s);
}

/*
 * The store: n items as n / BATCH documents, each one store_put; then,
 * deferred, store_index. Returns the seconds of the new pass; *reoffer
 * (if not NULL) gets the seconds of the same documents again.
 */
static double
run_store(const char *path, int flags, int64_t n, int index, double *reoffer)
{
	struct store		*s;
	struct feed_doc		*doc;
	struct store_fetch	 sf;
	struct item		 items[BATCH];
	char			*cause = NULL;
	double			 t, total = 0, first = 0;
	int64_t			 d, nindexed;
	int			 i, nnew, pass;

	s = store_fresh(path, flags);
	for (pass = 0; pass < (reoffer != NULL ? 2 : 1); pass++) {
		rng = 0x9e3779b97f4a7c15ULL;
		total = 0;
		for (d = 0; d < n / BATCH; d++) {
			for (i = 0; i < BATCH; i++)
				make_item(&items[i], d * BATCH + i);
			doc = make_doc(d, items);
			memset(&sf, 0, sizeof sf);
			sf.status = "ok";
			sf.http_status = 200;
			sf.fetched_at = 1800000000 + d;
			sf.next_poll = sf.fetched_at + 1800;
			t = now_s();
			if (store_put(s, 1 + d % NFEEDS, doc, &sf, &nnew,
			    &cause) != 0)
				fatalx("store_put: %s", cause);
			total += now_s() - t;
			if (nnew != (pass == 0 ? BATCH : 0))
				fatalx("store_put: %d new, not %d", nnew,
				    pass == 0 ? BATCH : 0);
			feed_doc_free(doc);
			for (i = 0; i < BATCH; i++)
				free_item(&items[i]);
		}
		if (pass == 0 && index) {
			t = now_s();
			if (store_index(s, 0, &nindexed, &cause) != 0)
				fatalx("store_index: %s", cause);
			total += now_s() - t;
			if (nindexed != n)
				fatalx("store_index: %lld indexed, not %lld",
				    (long long)nindexed, (long long)n);
		}
		if (pass == 0)
			first = total;
		else
			*reoffer = total;
	}
	store_close(s);
	return (first);
}

static sqlite3 *
bare_open(const char *path)
{
	struct store	*s;
	sqlite3		*db;

	/* The store's schema and feeds, then a connection of our own. */
	s = store_fresh(path, 0);
	store_close(s);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		fatalx("%s: %s", path, sqlite3_errmsg(db));
	bare_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	    " PRAGMA foreign_keys = ON");
	return (db);
}

static void
bare_exec(sqlite3 *db, const char *sql)
{
	char	*err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fatalx("%s: %s", sql, err);
}

static sqlite3_stmt *
bare_prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fatalx("%s: %s", sql, sqlite3_errmsg(db));
	return (st);
}

static void
bare_step(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		fatalx("step: %s", sqlite3_errmsg(db));
	sqlite3_reset(st);
}

/*
 * The bare loop: n rows, BATCH per transaction, the entry and its source
 * (and its FTS5 row if fts). Returns the seconds of the inserts; *reoffer
 * (if not NULL) gets the seconds of looking each one up again.
 */
static double
run_bare(const char *path, int64_t n, int fts, double *reoffer)
{
	sqlite3		*db;
	sqlite3_stmt	*ins, *src, *ftsi, *look;
	struct item	 items[BATCH];
	double		 t, total = 0;
	int64_t		 d, id, feed, hash;
	int		 i, found;
	char		 fp[32];

	db = bare_open(path);
	ins = bare_prep(db, "INSERT INTO entries (feed_id, guid, title, link, "
	    "author, published, updated, first_seen, summary, content, "
	    "categories, canon) VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, "
	    "NULL, ?8, NULL, ?4)");
	src = bare_prep(db, "INSERT INTO entry_sources (entry_id, feed_id, "
	    "guid, link, canon, fp, hash, first_seen) "
	    "VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7)");
	ftsi = bare_prep(db, "INSERT INTO entries_fts (rowid, title, text, "
	    "author) VALUES (?1, ?2, ?3, ?4)");
	look = bare_prep(db, "SELECT entry_id, hash FROM entry_sources "
	    "WHERE feed_id = ?1 AND guid = ?2");

	rng = 0x9e3779b97f4a7c15ULL;
	for (d = 0; d < n / BATCH; d++) {
		for (i = 0; i < BATCH; i++)
			make_item(&items[i], d * BATCH + i);
		feed = 1 + d % NFEEDS;
		t = now_s();
		bare_exec(db, "BEGIN IMMEDIATE");
		for (i = 0; i < BATCH; i++) {
			sqlite3_bind_int64(ins, 1, feed);
			sqlite3_bind_text(ins, 2, items[i].guid, -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(ins, 3, items[i].title, -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(ins, 4, items[i].link, -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(ins, 5, items[i].author, -1,
			    SQLITE_STATIC);
			sqlite3_bind_int64(ins, 6, items[i].published);
			sqlite3_bind_int64(ins, 7, 1800000000 + d);
			sqlite3_bind_text(ins, 8, items[i].html, -1,
			    SQLITE_STATIC);
			bare_step(db, ins);
			id = sqlite3_last_insert_rowid(db);
			snprintf(fp, sizeof fp, "w%016llx",
			    (unsigned long long)(d * BATCH + i));
			sqlite3_bind_int64(src, 1, id);
			sqlite3_bind_int64(src, 2, feed);
			sqlite3_bind_text(src, 3, items[i].guid, -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(src, 4, items[i].link, -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(src, 5, fp, -1, SQLITE_STATIC);
			sqlite3_bind_int64(src, 6, d * BATCH + i);
			sqlite3_bind_int64(src, 7, 1800000000 + d);
			bare_step(db, src);
			if (fts) {
				sqlite3_bind_int64(ftsi, 1, id);
				sqlite3_bind_text(ftsi, 2, items[i].title, -1,
				    SQLITE_STATIC);
				sqlite3_bind_text(ftsi, 3, items[i].text, -1,
				    SQLITE_STATIC);
				sqlite3_bind_text(ftsi, 4, items[i].author, -1,
				    SQLITE_STATIC);
				bare_step(db, ftsi);
			}
		}
		bare_exec(db, "COMMIT");
		total += now_s() - t;
		for (i = 0; i < BATCH; i++)
			free_item(&items[i]);
	}

	if (reoffer != NULL) {
		rng = 0x9e3779b97f4a7c15ULL;
		*reoffer = 0;
		for (d = 0; d < n / BATCH; d++) {
			for (i = 0; i < BATCH; i++)
				make_item(&items[i], d * BATCH + i);
			feed = 1 + d % NFEEDS;
			t = now_s();
			bare_exec(db, "BEGIN IMMEDIATE");
			for (i = 0; i < BATCH; i++) {
				sqlite3_bind_int64(look, 1, feed);
				sqlite3_bind_text(look, 2, items[i].guid, -1,
				    SQLITE_STATIC);
				found = sqlite3_step(look) == SQLITE_ROW;
				hash = found ? sqlite3_column_int64(look, 1) :
				    -1;
				sqlite3_reset(look);
				if (!found || hash != d * BATCH + i)
					fatalx("bare: row %s changed",
					    items[i].guid);
			}
			bare_exec(db, "COMMIT");
			*reoffer += now_s() - t;
			for (i = 0; i < BATCH; i++)
				free_item(&items[i]);
		}
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(src);
	sqlite3_finalize(ftsi);
	sqlite3_finalize(look);
	sqlite3_close(db);
	return (total);
}

/* A big store, quickly: see the top of the file. */
static void
build(const char *path, int64_t n)
{
	struct store	*s;
	sqlite3		*db;
	sqlite3_stmt	*ins, *src, *ftsi;
	struct item	 it;
	char		*cause = NULL, fp[32];
	int64_t		 i, id, feed;
	int		 f;

	s = store_fresh(path, 0);
	for (f = 1; f <= NFEEDS; f++) {
		if (store_feed_enable(s, f, 0, &cause) != 0)
			fatalx("%s", cause);
	}
	store_close(s);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		fatalx("%s: %s", path, sqlite3_errmsg(db));
	bare_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF");
	ins = bare_prep(db, "INSERT INTO entries (feed_id, guid, title, link, "
	    "author, published, first_seen, content, canon) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?4)");
	src = bare_prep(db, "INSERT INTO entry_sources (entry_id, feed_id, "
	    "guid, link, canon, fp, hash, first_seen) "
	    "VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7)");
	ftsi = bare_prep(db, "INSERT INTO entries_fts (rowid, title, text, "
	    "author) VALUES (?1, ?2, ?3, ?4)");
	bare_exec(db, "BEGIN");
	for (i = 0; i < n; i++) {
		make_item(&it, i);
		feed = 1 + i % NFEEDS;
		sqlite3_bind_int64(ins, 1, feed);
		sqlite3_bind_text(ins, 2, it.guid, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, it.title, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, it.link, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, it.author, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 6, it.published);
		sqlite3_bind_int64(ins, 7, it.published);
		sqlite3_bind_text(ins, 8, it.html, -1, SQLITE_STATIC);
		bare_step(db, ins);
		id = sqlite3_last_insert_rowid(db);
		snprintf(fp, sizeof fp, "w%016llx", (unsigned long long)i);
		sqlite3_bind_int64(src, 1, id);
		sqlite3_bind_int64(src, 2, feed);
		sqlite3_bind_text(src, 3, it.guid, -1, SQLITE_STATIC);
		sqlite3_bind_text(src, 4, it.link, -1, SQLITE_STATIC);
		sqlite3_bind_text(src, 5, fp, -1, SQLITE_STATIC);
		sqlite3_bind_int64(src, 6, i);
		sqlite3_bind_int64(src, 7, it.published);
		bare_step(db, src);
		sqlite3_bind_int64(ftsi, 1, id);
		sqlite3_bind_text(ftsi, 2, it.title, -1, SQLITE_STATIC);
		sqlite3_bind_text(ftsi, 3, it.text, -1, SQLITE_STATIC);
		sqlite3_bind_text(ftsi, 4, it.author, -1, SQLITE_STATIC);
		bare_step(db, ftsi);
		free_item(&it);
		if ((i + 1) % BUILD_BATCH == 0)
			bare_exec(db, "COMMIT; BEGIN");
	}
	bare_exec(db, "COMMIT");
	bare_exec(db, "INSERT INTO entries_fts (entries_fts) VALUES "
	    "('optimize'); PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_finalize(ins);
	sqlite3_finalize(src);
	sqlite3_finalize(ftsi);
	sqlite3_close(db);
}

/* One line: NAME: WHAT VALUE UNIT (baseline ..., ratio R, target T). */
static void
report(const char *what, double rate, double base, double target)
{
	printf("ingest: %s  %.0f entries/s  (baseline %.0f entries/s, "
	    "ratio %.2f, target %.1f)\n", what, rate, base, rate / base,
	    target);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	const char	*dir;
	char		*path;
	double		 target = 0.8, bare_new, bare_fts, bare_re, st_new;
	double		 st_fts, st_def, st_re;
	int64_t		 n = 200000;
	const char	*only = NULL;
	double		 re;
	int		 ch;

	log_open("ingest", LOG_LEVEL_WARN);
	while ((ch = getopt(argc, argv, "n:p:s:t:")) != -1) {
		switch (ch) {
		case 's':
			item_bytes = strtoul(optarg, NULL, 10);
			break;
		case 'p':
			only = optarg;
			break;
		case 'n':
			n = strtoll(optarg, NULL, 10);
			break;
		case 't':
			target = strtod(optarg, NULL);
			break;
		default:
			fprintf(stderr, "usage: ingest [-n ENTRIES] [-s BYTES] "
			    "[-t TARGET] [-p PATH] DIR\n");
			return (2);
		}
	}
	if (optind + 1 != argc || n < BATCH) {
		fprintf(stderr, "usage: ingest [-n ENTRIES] [-s BYTES] "
		    "[-t TARGET] [-p PATH] DIR\n");
		return (2);
	}
	dir = argv[optind];
	n -= n % BATCH;
	if (only != NULL && strcmp(only, "build") == 0) {
		make_words();
		build(dir, n);
		return (0);
	}
	path = path_in(dir, "ingest.db");
	make_words();

	if (only != NULL) {
		if (strcmp(only, "bare") == 0)
			st_new = run_bare(path, n, 0, NULL);
		else if (strcmp(only, "bare-fts") == 0)
			st_new = run_bare(path, n, 1, &re);
		else if (strcmp(only, "store") == 0)
			st_new = run_store(path, STORE_DEFER_INDEX, n, 0, NULL);
		else if (strcmp(only, "store-fts") == 0)
			st_new = run_store(path, 0, n, 0, &re);
		else if (strcmp(only, "store-deferred") == 0)
			st_new = run_store(path, STORE_DEFER_INDEX, n, 1, NULL);
		else
			fatalx("-p: no path %s", only);
		printf("ingest: %s  %.0f entries/s\n", only, n / st_new);
		unlink_db(path);
		free(path);
		return (0);
	}
	/* Bare and store alternate, each on a fresh file. */
	bare_new = run_bare(path, n, 0, NULL);
	st_new = run_store(path, STORE_DEFER_INDEX, n, 0, NULL);
	report("new, search deferred", n / st_new, n / bare_new, target);

	bare_fts = run_bare(path, n, 1, &bare_re);
	st_fts = run_store(path, 0, n, 0, &st_re);
	report("new, with search", n / st_fts, n / bare_fts, target);
	report("re-offered unchanged", n / st_re, n / bare_re, target);

	st_def = run_store(path, STORE_DEFER_INDEX, n, 1, NULL);
	report("new, deferred then indexed", n / st_def, n / bare_fts, target);

	unlink_db(path);
	free(path);
	return (0);
}
