/*
 * bench/poll (b) baseline: the store's own ingest time for what the
 * daemon's first cycle stores. The feeds of a configuration are made in
 * a fresh database as the daemon makes them; each feed's document is
 * its file (the last three digits of its URL, NNN.xml in DATADIR),
 * parsed once before the clock starts; then one store_put per feed, as
 * the daemon records a 200. Prints one line of key=value figures.
 *
 *	poll_store CONFIG DATABASE DATADIR
 */

#include "config.h"

#include <sys/resource.h>
#include <sys/time.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xmalloc.h"
#include "log.h"
#include "conf.h"
#include "entry.h"
#include "parse.h"
#include "store.h"

#define NDOCS	1000

static struct feed_doc	*load(const char *, int);
static int		 doc_index(const char *);
static double		 now_s(void);
static double		 cpu_s(void);

/* Parse DATADIR/NNN.xml. */
static struct feed_doc *
load(const char *dir, int n)
{
	struct feed_doc	*doc;
	FILE		*fp;
	char		*path, *cause = NULL, buf[65536];
	size_t		 len;

	xasprintf(&path, "%s/%03d.xml", dir, n);
	if ((fp = fopen(path, "r")) == NULL) {
		perror(path);
		exit(1);
	}
	len = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	if ((doc = parse_buffer(buf, len, "http://127.0.0.1/", &cause)) ==
	    NULL) {
		fprintf(stderr, "poll_store: %s: %s\n", path, cause);
		exit(1);
	}
	free(path);
	return (doc);
}

/* The file a feed URL maps to: the three digits before ".xml". */
static int
doc_index(const char *url)
{
	size_t	len = strlen(url);

	if (len < 7 || strcmp(url + len - 4, ".xml") != 0)
		return (-1);
	return (atoi(url + len - 7) % NDOCS);
}

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static double
cpu_s(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
}

int
main(int argc, char **argv)
{
	struct conf		 *conf;
	struct store		 *store;
	struct store_feed	**feeds = NULL;
	struct store_fetch	  sf;
	struct feed_doc		 *docs[NDOCS];
	size_t			  nfeeds = 0, i;
	int64_t			  entries = 0, nnew_all = 0;
	char			 *cause = NULL;
	double			  t0, t1, c0, c1;
	int			  n, nnew;

	if (argc != 4) {
		fprintf(stderr, "usage: poll_store CONFIG DATABASE DATADIR\n");
		return (2);
	}
	xmalloc_tune();	/* as feedmuxd does */
	log_open("poll_store", LOG_LEVEL_WARN);
	if ((conf = conf_load(argv[1], &cause)) == NULL) {
		fprintf(stderr, "poll_store: %s\n", cause);
		return (1);
	}
	if ((store = store_open(argv[2], 0, &cause)) == NULL ||
	    store_sync_feeds(store, conf, &cause) != 0 ||
	    store_feeds(store, &feeds, &nfeeds, &cause) != 0) {
		fprintf(stderr, "poll_store: %s\n", cause);
		return (1);
	}
	for (n = 0; n < NDOCS; n++)
		docs[n] = load(argv[3], n);

	t0 = now_s();
	c0 = cpu_s();
	for (i = 0; i < nfeeds; i++) {
		if ((n = doc_index(feeds[i]->url)) < 0) {
			fprintf(stderr, "poll_store: %s: not NNN.xml\n",
			    feeds[i]->url);
			return (1);
		}
		memset(&sf, 0, sizeof sf);
		sf.status = "ok";
		sf.http_status = 200;
		sf.etag = "\"6b0a4b97-2a94\"";
		sf.last_modified = "Sat, 28 Nov 2026 03:33:43 GMT";
		sf.fetched_at = time(NULL);
		sf.next_poll = sf.fetched_at + 3600;
		if (store_put(store, feeds[i]->id, docs[n], &sf, &nnew,
		    &cause) != 0) {
			fprintf(stderr, "poll_store: %s\n", cause);
			return (1);
		}
		entries += docs[n]->nentries;
		nnew_all += nnew;
	}
	t1 = now_s();
	c1 = cpu_s();
	printf("wall=%.3f cpu=%.3f feeds=%zu entries=%lld new=%lld\n",
	    t1 - t0, c1 - c0, nfeeds, (long long)entries,
	    (long long)nnew_all);

	for (n = 0; n < NDOCS; n++)
		feed_doc_free(docs[n]);
	store_feeds_free(feeds, nfeeds);
	store_close(store);
	conf_free(conf);
	return (0);
}
