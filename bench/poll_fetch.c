/*
 * bench/poll (a): lib/fetch alone fetching a list of URLs, bodies
 * discarded, at most 32 transfers at a time, as curl --parallel
 * --parallel-max 32 does. Prints one line of key=value figures.
 *
 *	poll_fetch URLFILE [MAXCONN]
 */

#include "config.h"

#include <sys/resource.h>
#include <sys/time.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <curl/curl.h>

#include "xmalloc.h"
#include "log.h"
#include "fetch.h"

struct run {
	int64_t		 done;
	int64_t		 ok200;
	int64_t		 other;
	int64_t		 bytes;
};

static int	 data_cb(const char *, size_t, void *, char **);
static void	 done_cb(const struct fetch_result *, void *);
static double	 now_s(void);
static double	 tv_s(const struct timeval *);

/* Discard the body. */
static int
data_cb(const char *data, size_t len, void *arg, char **cause)
{
	return (0);
}

/* Count the outcome. */
static void
done_cb(const struct fetch_result *res, void *arg)
{
	struct run	*r = arg;

	r->done++;
	if (res->ok && res->http_status == 200)
		r->ok200++;
	else {
		if (r->other < 5)
			fprintf(stderr, "poll_fetch: status %ld: %s\n",
			    res->http_status, res->error != NULL ?
			    res->error : "?");
		r->other++;
	}
	r->bytes += res->body_len;
}

/* Seconds on the monotonic clock. */
static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static double
tv_s(const struct timeval *tv)
{
	return (tv->tv_sec + tv->tv_usec / 1e6);
}

int
main(int argc, char **argv)
{
	struct event_base	*base;
	struct fetch		*f;
	struct fetch_opts	 fo;
	struct fetch_req	 req;
	struct run		 r;
	struct rusage		 ru;
	FILE			*fp;
	char			**urls = NULL, *line = NULL, *cause = NULL;
	size_t			 nurls = 0, sz = 0, i;
	ssize_t			 n;
	double			 t0, t1;
	int			 maxconn = 32;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: poll_fetch URLFILE [MAXCONN]\n");
		return (2);
	}
	if (argc == 3)
		maxconn = atoi(argv[2]);
	log_open("poll_fetch", LOG_LEVEL_WARN);
	if ((fp = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return (1);
	}
	while ((n = getline(&line, &sz, fp)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (*line == '\0')
			continue;
		urls = xreallocarray(urls, nurls + 1, sizeof *urls);
		urls[nurls++] = xstrdup(line);
	}
	free(line);
	fclose(fp);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	base = event_base_new();
	memset(&fo, 0, sizeof fo);
	fo.connect_timeout = 10000;
	fo.timeout = 60000;
	fo.max_redirects = 5;
	fo.max_body = 16 << 20;
	fo.max_connections = maxconn;
	fo.max_per_host = maxconn;
	fo.host_spacing = 0;
	f = fetch_new(base, &fo);

	memset(&r, 0, sizeof r);
	t0 = now_s();
	for (i = 0; i < nurls; i++) {
		memset(&req, 0, sizeof req);
		req.url = urls[i];
		req.allow_private = 1;
		req.data = data_cb;
		req.done = done_cb;
		req.arg = &r;
		if (fetch_start(f, &req, &cause) != 0) {
			fprintf(stderr, "poll_fetch: %s: %s\n", urls[i], cause);
			return (1);
		}
	}
	event_base_dispatch(base);
	t1 = now_s();
	getrusage(RUSAGE_SELF, &ru);

	printf("wall=%.3f user=%.3f sys=%.3f maxrss_kb=%ld done=%lld "
	    "ok=%lld other=%lld bytes=%lld\n", t1 - t0, tv_s(&ru.ru_utime),
	    tv_s(&ru.ru_stime), ru.ru_maxrss, (long long)r.done,
	    (long long)r.ok200, (long long)r.other, (long long)r.bytes);

	fetch_free(f);
	event_base_free(base);
	curl_global_cleanup();
	for (i = 0; i < nurls; i++)
		free(urls[i]);
	free(urls);
	return (r.done == (int64_t)nurls && r.other == 0 ? 0 : 1);
}
