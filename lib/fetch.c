/* HTTP fetching: libcurl multi_socket on the daemon's libevent loop. */

#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <curl/curl.h>

#include "xmalloc.h"
#include "buf.h"
#include "log.h"
#include "fetch.h"

/* Longest validator or Content-Type we keep or send (HOSTILE-41). */
#define FETCH_VALUE_MAX		1024
/* Retry-After beyond this is clamped, so callers' arithmetic is safe. */
#define FETCH_RETRY_AFTER_MAX	((int64_t)INT32_MAX)
/* Buckets of the origin table (a power of two). */
#define FETCH_HOST_BUCKETS	1024
/* Idle curl handles kept for reuse. */
#define FETCH_POOL_MAX		64
#define FETCH_ACCEPT		"Accept: application/atom+xml, " \
    "application/rss+xml, application/feed+json, application/xml;q=0.9, " \
    "text/xml;q=0.9, */*;q=0.8"

/* The header field a continuation line would extend. */
enum fetch_hdr {
	FETCH_HDR_OTHER,
	FETCH_HDR_ETAG,
	FETCH_HDR_LAST_MODIFIED,
	FETCH_HDR_CONTENT_TYPE,
	FETCH_HDR_RETRY_AFTER,
	FETCH_HDR_CACHE_CONTROL,
	FETCH_HDR_EXPIRES,
	FETCH_HDR_DATE
};

/* One socket curl asked us to watch (hiperfifo's SockInfo). */
struct fetch_sock {
	struct fetch			*f;
	curl_socket_t			 fd;
	struct event			*ev;
	TAILQ_ENTRY(fetch_sock)		 entry;
};

/*
 * One origin (host:port) with transfers queued or in flight, or started
 * less than host_spacing ago. The file:// "origin" has no caps.
 */
struct fetch_host {
	struct fetch			*f;
	char				*origin;	/* "" for files */
	int				 capped;	/* per-host caps apply */
	int				 active;	/* in curl */
	int64_t				 last_start;	/* ms, monotonic */
	int				 ready;		/* on f->ready */
	struct event			*timer;		/* spacing, expiry */
	TAILQ_HEAD(, fetch_xfer)	 pending;
	TAILQ_ENTRY(fetch_host)		 ready_entry;
	struct fetch_host		*next;		/* hash chain */
};

/* One transfer (hiperfifo's ConnInfo). */
struct fetch_xfer {
	struct fetch			*f;
	CURL				*easy;		/* from launch */
	char				*url;
	struct curl_slist		*headers;
	fetch_data_cb			 data;
	fetch_done_cb			 done;
	fetch_head_cb			 head;
	void				*arg;
	int				 allow_private;
	int				 allow_file;
	char				*post;		/* or NULL: GET */
	struct fetch_host		*host;
	int				 launched;	/* off the queue */
	int				 in_multi;	/* in curl */

	/* The response being received: reset on each status line. */
	long				 status;
	int				 in_body;
	int				 has_location;
	enum fetch_hdr			 last_hdr;
	char				*etag;
	char				*last_modified;
	char				*content_type;
	int64_t				 retry_after;
	int64_t				 cc_max_age;	/* -1: none */
	int64_t				 expires;	/* -1: none */
	int64_t				 date;		/* -1: none */
	int64_t				 body_len;

	/* The whole transfer. */
	int				 nhops;
	int				 perm_broken;
	int				 head_done;
	int64_t				 delivered;
	char				*error;		/* why we aborted */
	char				*refused;	/* address policy */
	char				 errbuf[CURL_ERROR_SIZE];

	TAILQ_ENTRY(fetch_xfer)		 entry;
	TAILQ_ENTRY(fetch_xfer)		 qentry;	/* host->pending */
};

struct fetch {
	struct event_base		*base;
	CURLM				*multi;
	struct event			*timer;
	struct event			*kick;		/* start queued ones */
	int				 running;	/* curl's count */
	int				 nxfers;	/* ours */
	int				 active;	/* ours in curl */
	int				 nqueued;
	struct fetch_host		*hosts[FETCH_HOST_BUCKETS];
	TAILQ_HEAD(, fetch_host)	 ready;
	char				*user_agent;
	struct fetch_opts		 opts;
	TAILQ_HEAD(, fetch_sock)	 socks;
	TAILQ_HEAD(, fetch_xfer)	 xfers;
	CURL				*pool[FETCH_POOL_MAX];
	int				 npool;
};

static int	 fetch_sock_cb(CURL *, curl_socket_t, int, void *, void *);
static void	 fetch_sock_free(struct fetch_sock *);
static int	 fetch_timer_cb(CURLM *, long, void *);
static void	 fetch_event_cb(evutil_socket_t, short, void *);
static void	 fetch_timeout_cb(evutil_socket_t, short, void *);
static void	 fetch_check_done(struct fetch *);
static void	 fetch_finish(struct fetch_xfer *, CURLcode);
static void	 fetch_xfer_free(struct fetch_xfer *);
static void	 fetch_xfer_reset(struct fetch_xfer *);
static int	 fetch_check_url(const char *, int, char **, char **);
static int64_t	 fetch_now(void);
static struct fetch_host *fetch_host_get(struct fetch *, const char *);
static void	 fetch_host_free(struct fetch_host *);
static void	 fetch_host_update(struct fetch_host *);
static void	 fetch_host_timer_cb(evutil_socket_t, short, void *);
static void	 fetch_kick_cb(evutil_socket_t, short, void *);
static void	 fetch_launch(struct fetch_xfer *);
static int	 fetch_setup(struct fetch_xfer *, char **);
#if LIBCURL_VERSION_NUM >= 0x075000
static int	 fetch_prereq_cb(void *, char *, char *, int, int);
#endif
static void	 fetch_result_head(struct fetch_xfer *, struct fetch_result *,
		     char **);
static int	 fetch_call_head(struct fetch_xfer *);
static int64_t	 fetch_parse_max_age(const char *);
static int64_t	 fetch_max_age(struct fetch_xfer *);
static size_t	 fetch_write_cb(char *, size_t, size_t, void *);
static size_t	 fetch_header_cb(char *, size_t, size_t, void *);
static int	 fetch_header_end(struct fetch_xfer *);
static long	 fetch_parse_status(const char *, size_t);
static int64_t	 fetch_parse_retry_after(const char *);
static char	*fetch_clean_value(const char *, size_t);
static int	 fetch_value_ok(const char *);
static curl_socket_t fetch_open_cb(void *, curlsocktype,
		     struct curl_sockaddr *);
static const char *fetch_addr_v4(uint32_t);
static const char *fetch_addr_v6(const unsigned char *, uint32_t *, int *);
static int	 fetch_addr_check(const struct sockaddr *, socklen_t, char *,
		     size_t);

/* Set an easy option; on failure name it and go to the fail tail. */
#define FETCH_SETOPT(x, opt, val) do {					\
	if ((rc = curl_easy_setopt((x)->easy, opt, val)) != CURLE_OK) {	\
		optname = #opt;						\
		goto fail;						\
	}								\
} while (0)

/* Create a fetcher on the loop. */
struct fetch *
fetch_new(struct event_base *base, const struct fetch_opts *opts)
{
	struct fetch	*f;
	CURLMcode	 mc;

	f = xcalloc(1, sizeof *f);
	f->base = base;
	f->opts = *opts;
	if (opts->user_agent != NULL)
		f->user_agent = xstrdup(opts->user_agent);
	else
		xasprintf(&f->user_agent, "feedmux/%s", PACKAGE_VERSION);
	f->opts.user_agent = f->user_agent;
	TAILQ_INIT(&f->socks);
	TAILQ_INIT(&f->xfers);
	TAILQ_INIT(&f->ready);

	if ((f->timer = evtimer_new(base, fetch_timeout_cb, f)) == NULL)
		fatalx("%s: evtimer_new failed", __func__);
	if ((f->kick = event_new(base, -1, 0, fetch_kick_cb, f)) == NULL)
		fatalx("%s: event_new failed", __func__);
	if ((f->multi = curl_multi_init()) == NULL)
		fatalx("%s: curl_multi_init failed", __func__);

	if ((mc = curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION,
	    fetch_sock_cb)) != CURLM_OK ||
	    (mc = curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA,
	    f)) != CURLM_OK ||
	    (mc = curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION,
	    fetch_timer_cb)) != CURLM_OK ||
	    (mc = curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA,
	    f)) != CURLM_OK)
		fatalx("%s: curl_multi_setopt: %s", __func__,
		    curl_multi_strerror(mc));
	if (opts->max_connections > 0 &&
	    (mc = curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)opts->max_connections)) != CURLM_OK)
		fatalx("%s: CURLMOPT_MAX_TOTAL_CONNECTIONS: %s", __func__,
		    curl_multi_strerror(mc));
	if (opts->max_per_host > 0 &&
	    (mc = curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)opts->max_per_host)) != CURLM_OK)
		fatalx("%s: CURLMOPT_MAX_HOST_CONNECTIONS: %s", __func__,
		    curl_multi_strerror(mc));
	return (f);
}

/* Abort every transfer without calling done, then free the fetcher. */
void
fetch_free(struct fetch *f)
{
	struct fetch_xfer	*x;
	struct fetch_sock	*fs;
	struct fetch_host	*h;
	CURLMcode		 mc;
	size_t			 i;

	if (f == NULL)
		return;
	while ((x = TAILQ_FIRST(&f->xfers)) != NULL) {
		TAILQ_REMOVE(&f->xfers, x, entry);
		f->nxfers--;
		if (!x->launched)
			TAILQ_REMOVE(&x->host->pending, x, qentry);
		else if (x->in_multi && (mc = curl_multi_remove_handle(f->multi,
		    x->easy)) != CURLM_OK)
			log_warnx("%s: curl_multi_remove_handle: %s", __func__,
			    curl_multi_strerror(mc));
		fetch_xfer_free(x);
	}
	for (i = 0; i < FETCH_HOST_BUCKETS; i++) {
		while ((h = f->hosts[i]) != NULL)
			fetch_host_free(h);
	}
	event_free(f->kick);
	while (f->npool > 0)
		curl_easy_cleanup(f->pool[--f->npool]);
	/* Closing cached connections calls fetch_sock_cb: the base lives. */
	if ((mc = curl_multi_cleanup(f->multi)) != CURLM_OK)
		log_warnx("%s: curl_multi_cleanup: %s", __func__,
		    curl_multi_strerror(mc));
	while ((fs = TAILQ_FIRST(&f->socks)) != NULL)
		fetch_sock_free(fs);
	event_free(f->timer);
	free(f->user_agent);
	free(f);
}

/* Transfers started and not yet done, queued ones included. */
int
fetch_running(struct fetch *f)
{
	return (f->nxfers);
}

/* Transfers waiting for the caps. */
int
fetch_queued(struct fetch *f)
{
	return (f->nqueued);
}

/* Milliseconds on the monotonic clock. */
static int64_t
fetch_now(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		fatal("clock_gettime");
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Find or make an origin's entry. */
static struct fetch_host *
fetch_host_get(struct fetch *f, const char *origin)
{
	struct fetch_host	*h;
	size_t			 b;

	b = buf_hash(0, origin, strlen(origin)) & (FETCH_HOST_BUCKETS - 1);
	for (h = f->hosts[b]; h != NULL; h = h->next) {
		if (strcmp(h->origin, origin) == 0)
			return (h);
	}
	h = xcalloc(1, sizeof *h);
	h->f = f;
	h->origin = xstrdup(origin);
	h->capped = *origin != '\0';
	h->last_start = INT64_MIN;
	TAILQ_INIT(&h->pending);
	if ((h->timer = evtimer_new(f->base, fetch_host_timer_cb, h)) == NULL)
		fatalx("%s: evtimer_new failed", __func__);
	h->next = f->hosts[b];
	f->hosts[b] = h;
	return (h);
}

/* Forget an origin; it has nothing queued. */
static void
fetch_host_free(struct fetch_host *h)
{
	struct fetch		*f = h->f;
	struct fetch_host	**hp;
	size_t			  b;

	b = buf_hash(0, h->origin, strlen(h->origin)) &
	    (FETCH_HOST_BUCKETS - 1);
	for (hp = &f->hosts[b]; *hp != NULL; hp = &(*hp)->next) {
		if (*hp == h) {
			*hp = h->next;
			break;
		}
	}
	if (h->ready)
		TAILQ_REMOVE(&f->ready, h, ready_entry);
	event_free(h->timer);
	free(h->origin);
	free(h);
}

/*
 * Decide what an origin waits for: nothing (onto the ready list), a
 * transfer to end (the per-host cap), or host_spacing (its timer). An
 * origin with nothing to do is forgotten once the spacing has passed.
 */
static void
fetch_host_update(struct fetch_host *h)
{
	struct fetch	*f = h->f;
	struct timeval	 tv;
	int64_t		 wait = 0;

	if (h->ready)
		return;
	if (h->capped && h->last_start != INT64_MIN &&
	    f->opts.host_spacing > 0)
		wait = h->last_start + f->opts.host_spacing - fetch_now();
	if (TAILQ_EMPTY(&h->pending)) {
		if (h->active > 0)
			return;
		if (wait <= 0) {
			fetch_host_free(h);
			return;
		}
	} else if (h->capped && f->opts.max_per_host > 0 &&
	    h->active >= f->opts.max_per_host)
		return;
	else if (wait <= 0) {
		evtimer_del(h->timer);
		TAILQ_INSERT_TAIL(&f->ready, h, ready_entry);
		h->ready = 1;
		event_active(f->kick, 0, 0);
		return;
	}
	tv.tv_sec = wait / 1000;
	tv.tv_usec = (wait % 1000) * 1000;
	if (evtimer_add(h->timer, &tv) != 0)
		fatalx("%s: evtimer_add failed", __func__);
}

/* An origin's spacing has passed. */
static void
fetch_host_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	fetch_host_update(arg);
}

/* Start queued transfers, round robin over ready origins, within caps. */
static void
fetch_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetch		*f = arg;
	struct fetch_host	*h;
	struct fetch_xfer	*x;

	while ((h = TAILQ_FIRST(&f->ready)) != NULL) {
		if (f->opts.max_connections > 0 &&
		    f->active >= f->opts.max_connections)
			break;
		TAILQ_REMOVE(&f->ready, h, ready_entry);
		h->ready = 0;
		x = TAILQ_FIRST(&h->pending);
		TAILQ_REMOVE(&h->pending, x, qentry);
		f->nqueued--;
		h->active++;
		h->last_start = fetch_now();
		f->active++;
		x->launched = 1;
		fetch_host_update(h);
		/* On failure, done runs: it may start and free others. */
		fetch_launch(x);
	}
}

/* Hand a transfer to curl; if curl refuses it, it is over. */
static void
fetch_launch(struct fetch_xfer *x)
{
	struct fetch	*f = x->f;
	CURLMcode	 mc;
	char		*cause = NULL;

	if (fetch_setup(x, &cause) != 0) {
		free(x->error);
		x->error = cause;
		fetch_finish(x, CURLE_FAILED_INIT);
		return;
	}
	if ((mc = curl_multi_add_handle(f->multi, x->easy)) == CURLM_OK) {
		x->in_multi = 1;
		return;
	}
	free(x->error);
	xasprintf(&x->error, "curl_multi_add_handle: %s",
	    curl_multi_strerror(mc));
	fetch_finish(x, CURLE_FAILED_INIT);
}

/*
 * Check a URL's scheme before curl sees it, for a clear error, and give
 * its origin (host:port, "" for a file).
 */
static int
fetch_check_url(const char *url, int allow_file, char **origin,
    char **cause)
{
	CURLU		*u;
	CURLUcode	 uc;
	char		*scheme = NULL, *host = NULL, *port = NULL;
	int		 rv = -1;

	if ((u = curl_url()) == NULL)
		fatalx("%s: curl_url failed", __func__);
	if ((uc = curl_url_set(u, CURLUPART_URL, url, 0)) != CURLUE_OK ||
	    (uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0)) !=
	    CURLUE_OK) {
#if LIBCURL_VERSION_NUM >= 0x075000
		if (cause != NULL)
			xasprintf(cause, "bad URL: %s", curl_url_strerror(uc));
#else
		if (cause != NULL)
			xasprintf(cause, "bad URL (error %d)", (int)uc);
#endif
		goto out;
	}
	if (allow_file && strcasecmp(scheme, "file") == 0) {
		*origin = xstrdup("");
		rv = 0;
	} else if (strcasecmp(scheme, "http") == 0 ||
	    strcasecmp(scheme, "https") == 0) {
		if ((uc = curl_url_get(u, CURLUPART_HOST, &host, 0)) !=
		    CURLUE_OK ||
		    (uc = curl_url_get(u, CURLUPART_PORT, &port,
		    CURLU_DEFAULT_PORT)) != CURLUE_OK) {
			if (cause != NULL)
				xasprintf(cause, "bad URL: no host");
			goto out;
		}
		xasprintf(origin, "%s:%s", host, port);
		rv = 0;
	} else if (cause != NULL && strcasecmp(scheme, "file") == 0)
		xasprintf(cause, "file:// URLs are not allowed "
		    "(allow_file is off)");
	else if (cause != NULL)
		xasprintf(cause, "scheme not allowed: %s", scheme);
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return (rv);
}

/* Start a transfer; done is called later from the loop. */
int
fetch_start(struct fetch *f, const struct fetch_req *req, char **cause)
{
	struct fetch_xfer	*x;
	struct curl_slist	*l;
	char			*h;
	char			*origin = NULL;

	if (req->url == NULL || req->done == NULL)
		fatalx("%s: no URL or no done callback", __func__);
	if (fetch_check_url(req->url, req->allow_file, &origin, cause) != 0)
		return (-1);

	/*
	 * Only what the request says is kept while it is queued: the curl
	 * handle is set up at launch, so 10,000 queued transfers cost
	 * 10,000 small records, not 10,000 handles.
	 */
	x = xcalloc(1, sizeof *x);
	x->f = f;
	x->url = xstrdup(req->url);
	x->data = req->data;
	x->done = req->done;
	x->head = req->head;
	x->arg = req->arg;
	x->allow_private = req->allow_private;
	x->allow_file = req->allow_file;
	if (req->post != NULL)
		x->post = xstrdup(req->post);
	fetch_xfer_reset(x);

	/* Conditional GET, only with validators safe to echo (HOSTILE-41). */
	if ((l = curl_slist_append(NULL, FETCH_ACCEPT)) == NULL)
		fatalx("%s: curl_slist_append failed", __func__);
	x->headers = l;
	if (req->etag != NULL && fetch_value_ok(req->etag)) {
		xasprintf(&h, "If-None-Match: %s", req->etag);
		if ((l = curl_slist_append(x->headers, h)) == NULL)
			fatalx("%s: curl_slist_append failed", __func__);
		x->headers = l;
		free(h);
	}
	if (req->last_modified != NULL && fetch_value_ok(req->last_modified)) {
		xasprintf(&h, "If-Modified-Since: %s", req->last_modified);
		if ((l = curl_slist_append(x->headers, h)) == NULL)
			fatalx("%s: curl_slist_append failed", __func__);
		x->headers = l;
		free(h);
	}

	/* Queue it: the kick starts it once the caps allow. */
	x->host = fetch_host_get(f, origin);
	free(origin);
	TAILQ_INSERT_TAIL(&x->host->pending, x, qentry);
	f->nqueued++;
	TAILQ_INSERT_TAIL(&f->xfers, x, entry);
	f->nxfers++;
	fetch_host_update(x->host);
	return (0);
}

/*
 * Give a transfer a curl handle (a pooled one if there is one) with
 * every option set. Returns 0, or -1 with *cause.
 */
static int
fetch_setup(struct fetch_xfer *x, char **cause)
{
	struct fetch	*f = x->f;
	const char	*optname = NULL;
	const char	*protocols;
	CURLcode	 rc = CURLE_OK;
	long		 low_time;

	if (f->npool > 0)
		x->easy = f->pool[--f->npool];
	else if ((x->easy = curl_easy_init()) == NULL) {
		xasprintf(cause, "curl_easy_init failed");
		return (-1);
	}

	FETCH_SETOPT(x, CURLOPT_URL, x->url);
	FETCH_SETOPT(x, CURLOPT_PRIVATE, x);
	FETCH_SETOPT(x, CURLOPT_ERRORBUFFER, x->errbuf);
	FETCH_SETOPT(x, CURLOPT_NOSIGNAL, 1L);
	FETCH_SETOPT(x, CURLOPT_WRITEFUNCTION, fetch_write_cb);
	FETCH_SETOPT(x, CURLOPT_WRITEDATA, x);
	FETCH_SETOPT(x, CURLOPT_HEADERFUNCTION, fetch_header_cb);
	FETCH_SETOPT(x, CURLOPT_HEADERDATA, x);
	FETCH_SETOPT(x, CURLOPT_OPENSOCKETFUNCTION, fetch_open_cb);
	FETCH_SETOPT(x, CURLOPT_OPENSOCKETDATA, x);
	FETCH_SETOPT(x, CURLOPT_HTTPHEADER, x->headers);
	FETCH_SETOPT(x, CURLOPT_USERAGENT, f->user_agent);
	FETCH_SETOPT(x, CURLOPT_ACCEPT_ENCODING, "");
	/* Never a proxy from the environment (HOSTILE-37). */
	FETCH_SETOPT(x, CURLOPT_PROXY, "");

	/*
	 * A form POST (a WebSub ping): curl sends it as
	 * application/x-www-form-urlencoded. A redirect would turn it into
	 * a GET, so it is not followed: the answer is the 3xx.
	 */
	if (x->post != NULL) {
		FETCH_SETOPT(x, CURLOPT_POSTFIELDSIZE, (long)strlen(x->post));
		FETCH_SETOPT(x, CURLOPT_POSTFIELDS, x->post);
	}

	/* Redirects: bounded (HOSTILE-31), http(s) only (HOSTILE-32). */
	FETCH_SETOPT(x, CURLOPT_FOLLOWLOCATION, x->post != NULL ? 0L : 1L);
	FETCH_SETOPT(x, CURLOPT_MAXREDIRS, (long)(f->opts.max_redirects < 0 ?
	    0 : f->opts.max_redirects));
	protocols = x->allow_file ? "http,https,file" : "http,https";
#if LIBCURL_VERSION_NUM >= 0x075500
	FETCH_SETOPT(x, CURLOPT_PROTOCOLS_STR, protocols);
	FETCH_SETOPT(x, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	FETCH_SETOPT(x, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP |
	    CURLPROTO_HTTPS | (x->allow_file ? CURLPROTO_FILE : 0)));
	FETCH_SETOPT(x, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP |
	    CURLPROTO_HTTPS));
	(void)protocols;
#endif

	/* Limits: time, speed and size (HOSTILE-38, HOSTILE-39). */
	if (f->opts.connect_timeout > 0)
		FETCH_SETOPT(x, CURLOPT_CONNECTTIMEOUT_MS,
		    (long)(f->opts.connect_timeout > LONG_MAX ? LONG_MAX :
		    f->opts.connect_timeout));
	if (f->opts.timeout > 0)
		FETCH_SETOPT(x, CURLOPT_TIMEOUT_MS, (long)(f->opts.timeout >
		    LONG_MAX ? LONG_MAX : f->opts.timeout));
	if (f->opts.low_speed_bytes > 0 && f->opts.low_speed_time > 0) {
		low_time = (long)((f->opts.low_speed_time + 999) / 1000);
		FETCH_SETOPT(x, CURLOPT_LOW_SPEED_LIMIT,
		    (long)(f->opts.low_speed_bytes > LONG_MAX ? LONG_MAX :
		    f->opts.low_speed_bytes));
		FETCH_SETOPT(x, CURLOPT_LOW_SPEED_TIME, low_time);
	}
	if (f->opts.max_body > 0)
		FETCH_SETOPT(x, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)f->opts.max_body);

	/*
	 * A pooled connection to a private address must not serve a feed
	 * that is not allowed one: such a feed checks the address of every
	 * connection it is given, new or reused, before its request goes
	 * out. Without that hook, such connections are never pooled.
	 */
#if LIBCURL_VERSION_NUM >= 0x075000
	if (!x->allow_private) {
		FETCH_SETOPT(x, CURLOPT_PREREQFUNCTION, fetch_prereq_cb);
		FETCH_SETOPT(x, CURLOPT_PREREQDATA, x);
	}
#else
	if (x->allow_private)
		FETCH_SETOPT(x, CURLOPT_FORBID_REUSE, 1L);
#endif
	return (0);

fail:
	xasprintf(cause, "curl_easy_setopt(%s): %s", optname,
	    curl_easy_strerror(rc));
	return (-1);
}

#if LIBCURL_VERSION_NUM >= 0x075000
/*
 * A connection is ready for a request of a feed without allow_private:
 * refuse it if it leads to a private address (a pooled one made for a
 * feed that was allowed it).
 */
static int
fetch_prereq_cb(void *arg, char *primary_ip, char *local_ip,
    int primary_port, int local_port)
{
	struct fetch_xfer	*x = arg;
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	char			 why[INET6_ADDRSTRLEN + 128];
	int			 bad;

	if (primary_ip == NULL || *primary_ip == '\0')
		return (CURL_PREREQFUNC_OK);
	memset(&sin, 0, sizeof sin);
	memset(&sin6, 0, sizeof sin6);
	if (inet_pton(AF_INET, primary_ip, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		bad = fetch_addr_check((struct sockaddr *)&sin, sizeof sin,
		    why, sizeof why);
	} else if (inet_pton(AF_INET6, primary_ip, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		bad = fetch_addr_check((struct sockaddr *)&sin6, sizeof sin6,
		    why, sizeof why);
	} else
		return (CURL_PREREQFUNC_OK);
	if (bad == 0)
		return (CURL_PREREQFUNC_OK);
	log_debug("refusing a connection to %s", why);
	if (x->refused == NULL)
		xasprintf(&x->refused, "address not allowed: %s "
		    "(allow_private is off)", why);
	return (CURL_PREREQFUNC_ABORT);
}
#endif

/* Forget what was received of the current response. */
static void
fetch_xfer_reset(struct fetch_xfer *x)
{
	x->status = 0;
	x->in_body = 0;
	x->has_location = 0;
	x->last_hdr = FETCH_HDR_OTHER;
	free(x->etag);
	free(x->last_modified);
	free(x->content_type);
	x->etag = x->last_modified = x->content_type = NULL;
	x->retry_after = -1;
	x->cc_max_age = -1;
	x->expires = -1;
	x->date = -1;
	x->body_len = 0;
}

/* Free a transfer that is no longer in the multi handle. */
static void
fetch_xfer_free(struct fetch_xfer *x)
{
	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	fetch_xfer_reset(x);
	free(x->url);
	free(x->post);
	free(x->error);
	free(x->refused);
	free(x);
}

/* curl tells us what to watch on a socket: add, change or remove it. */
static int
fetch_sock_cb(CURL *easy, curl_socket_t s, int what, void *arg, void *sockp)
{
	struct fetch		*f = arg;
	struct fetch_sock	*fs = sockp;
	CURLMcode		 mc;
	short			 flags;

	if (what == CURL_POLL_REMOVE) {
		if (fs != NULL)
			fetch_sock_free(fs);
		return (0);
	}
	if (fs == NULL) {
		fs = xcalloc(1, sizeof *fs);
		fs->f = f;
		fs->fd = s;
		if ((fs->ev = event_new(f->base, s, 0, fetch_event_cb,
		    fs)) == NULL) {
			log_warnx("%s: event_new failed", __func__);
			free(fs);
			return (-1);
		}
		TAILQ_INSERT_TAIL(&f->socks, fs, entry);
		if ((mc = curl_multi_assign(f->multi, s, fs)) != CURLM_OK) {
			log_warnx("%s: curl_multi_assign: %s", __func__,
			    curl_multi_strerror(mc));
			fetch_sock_free(fs);
			return (-1);
		}
	}

	flags = EV_PERSIST;
	if (what & CURL_POLL_IN)
		flags |= EV_READ;
	if (what & CURL_POLL_OUT)
		flags |= EV_WRITE;
	event_del(fs->ev);
	if ((flags & (EV_READ|EV_WRITE)) == 0)
		return (0);
	if (event_assign(fs->ev, f->base, s, flags, fetch_event_cb, fs) != 0 ||
	    event_add(fs->ev, NULL) != 0) {
		log_warnx("%s: cannot watch socket %d", __func__, (int)s);
		return (-1);
	}
	return (0);
}

/* Stop watching a socket. */
static void
fetch_sock_free(struct fetch_sock *fs)
{
	TAILQ_REMOVE(&fs->f->socks, fs, entry);
	event_free(fs->ev);
	free(fs);
}

/* curl wants to be called after timeout_ms: only (re)arm the timer here. */
static int
fetch_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
	struct fetch	*f = arg;
	struct timeval	 tv;

	if (timeout_ms < 0) {
		evtimer_del(f->timer);
		return (0);
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	if (evtimer_add(f->timer, &tv) != 0) {
		log_warnx("%s: evtimer_add failed", __func__);
		return (-1);
	}
	return (0);
}

/* A socket is ready: let curl act on it. */
static void
fetch_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetch_sock	*fs = arg;
	struct fetch		*f = fs->f;	/* fs may go in socket_action */
	CURLMcode		 mc;
	int			 action = 0;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	if ((mc = curl_multi_socket_action(f->multi, fd, action,
	    &f->running)) != CURLM_OK)
		log_warnx("%s: curl_multi_socket_action: %s", __func__,
		    curl_multi_strerror(mc));
	fetch_check_done(f);
}

/* curl's timeout expired. */
static void
fetch_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetch	*f = arg;
	CURLMcode	 mc;

	if ((mc = curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0,
	    &f->running)) != CURLM_OK)
		log_warnx("%s: curl_multi_socket_action: %s", __func__,
		    curl_multi_strerror(mc));
	fetch_check_done(f);
}

/* Hand every finished transfer to its done callback. */
static void
fetch_check_done(struct fetch *f)
{
	CURLMsg		*msg;
	CURL		*easy;
	CURLcode	 result;
	char		*p;
	int		 left;

	while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		/* The message is gone once the handle is removed. */
		easy = msg->easy_handle;
		result = msg->data.result;
		if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, &p) != CURLE_OK ||
		    p == NULL)
			fatalx("%s: transfer without private data", __func__);
		fetch_finish((struct fetch_xfer *)p, result);
	}
}

/* Build the result of a transfer, call done once, and free it. */
static void
fetch_finish(struct fetch_xfer *x, CURLcode code)
{
	struct fetch		*f = x->f;
	struct fetch_host	*h = x->host;
	struct fetch_result	 res;
	CURLMcode		 mc;
	char			*s, *effective = NULL, *permanent = NULL;
	char			*error = NULL;
	long			 status = 0, redirects = 0;
	int			 is_file = 0;

	/* It may have failed before it had a handle. */
	if (x->easy == NULL)
		code = CURLE_FAILED_INIT;

	/* An empty 2xx body: the head was not handed on yet. */
	if (code == CURLE_OK && !x->head_done && fetch_call_head(x) != 0)
		code = CURLE_WRITE_ERROR;

	/* Read everything from the handle before it is removed. */
	if (x->easy == NULL || curl_easy_getinfo(x->easy,
	    CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
		status = 0;
	if (x->easy == NULL || curl_easy_getinfo(x->easy,
	    CURLINFO_REDIRECT_COUNT, &redirects) != CURLE_OK)
		redirects = -1;
	if (x->easy != NULL && curl_easy_getinfo(x->easy,
	    CURLINFO_EFFECTIVE_URL, &s) == CURLE_OK && s != NULL)
		effective = xstrdup(s);
	if (x->easy != NULL && curl_easy_getinfo(x->easy, CURLINFO_SCHEME,
	    &s) == CURLE_OK && s != NULL && strcasecmp(s, "file") == 0)
		is_file = 1;

	TAILQ_REMOVE(&f->xfers, x, entry);
	f->nxfers--;
	f->active--;
	h->active--;
	if (x->in_multi && (mc = curl_multi_remove_handle(f->multi,
	    x->easy)) != CURLM_OK)
		log_warnx("%s: curl_multi_remove_handle: %s", __func__,
		    curl_multi_strerror(mc));
	x->in_multi = 0;

	memset(&res, 0, sizeof res);
	res.ok = code == CURLE_OK;
	res.http_status = status;
	res.retry_after = -1;
	res.max_age = -1;
	res.effective_url = effective;
	res.body_len = x->delivered;
	if (res.ok) {
		/* A file has no status and no validators: it is there. */
		if (is_file) {
			res.http_status = 200;
		} else {
			res.etag = x->etag;
			res.last_modified = x->last_modified;
			res.content_type = x->content_type;
			res.max_age = fetch_max_age(x);
		}
		res.retry_after = x->retry_after;
	} else {
		if (x->error != NULL)
			error = xstrdup(x->error);
		else if (code == CURLE_FILESIZE_EXCEEDED)
			xasprintf(&error, "body larger than %lld bytes",
			    (long long)f->opts.max_body);
		else if ((code == CURLE_COULDNT_CONNECT ||
		    code == CURLE_ABORTED_BY_CALLBACK) && x->refused != NULL)
			error = xstrdup(x->refused);
		else if (code == CURLE_UNSUPPORTED_PROTOCOL && x->nhops > 0)
			xasprintf(&error, "redirect refused: %s",
			    x->errbuf[0] != '\0' ? x->errbuf :
			    curl_easy_strerror(code));
		else if (x->errbuf[0] != '\0')
			error = xstrdup(x->errbuf);
		else
			error = xstrdup(curl_easy_strerror(code));
		res.error = error;
		if (!is_file && status != 0)
			res.retry_after = x->retry_after;
	}

	/* Permanent only if every hop from the start was 301 or 308. */
	if (effective != NULL && x->nhops > 0 && x->nhops == redirects &&
	    !x->perm_broken) {
		permanent = xstrdup(effective);
		res.permanent_url = permanent;
	}

	/* The slot is free: let the origin and the queue move first. */
	x->host = NULL;
	fetch_host_update(h);
	if (f->nqueued > 0)
		event_active(f->kick, 0, 0);

	/* The handle is free for the next transfer. */
	if (x->easy != NULL && f->npool < FETCH_POOL_MAX) {
		curl_easy_reset(x->easy);
		f->pool[f->npool++] = x->easy;
		x->easy = NULL;
	}

	x->done(&res, x->arg);

	free(effective);
	free(permanent);
	free(error);
	fetch_xfer_free(x);
}

/* How long the response is fresh by its headers, in seconds, or -1. */
static int64_t
fetch_max_age(struct fetch_xfer *x)
{
	int64_t	now;

	if (x->cc_max_age >= 0)
		return (x->cc_max_age);
	if (x->expires < 0)
		return (-1);
	now = x->date >= 0 ? x->date : (int64_t)time(NULL);
	if (x->expires <= now)
		return (0);
	if (x->expires - now > FETCH_RETRY_AFTER_MAX)
		return (FETCH_RETRY_AFTER_MAX);
	return (x->expires - now);
}

/* Fill in what is known of the final response before its body. */
static void
fetch_result_head(struct fetch_xfer *x, struct fetch_result *res,
    char **effective)
{
	char	*s;
	long	 status = 0;

	memset(res, 0, sizeof *res);
	*effective = NULL;
	if (curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &s) ==
	    CURLE_OK && s != NULL)
		*effective = xstrdup(s);
	res->effective_url = *effective;
	if (curl_easy_getinfo(x->easy, CURLINFO_SCHEME, &s) == CURLE_OK &&
	    s != NULL && strcasecmp(s, "file") == 0) {
		res->http_status = 200;
		res->retry_after = -1;
		res->max_age = -1;
		return;
	}
	status = x->status;
	if (status == 0 && curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE,
	    &status) != CURLE_OK)
		status = 0;
	res->http_status = status;
	res->etag = x->etag;
	res->last_modified = x->last_modified;
	res->content_type = x->content_type;
	res->retry_after = x->retry_after;
	res->max_age = fetch_max_age(x);
}

/*
 * Hand the head of a final 2xx response (or a file) to the head
 * callback, once. Returns -1 if the callback refuses it (x->error says
 * why).
 */
static int
fetch_call_head(struct fetch_xfer *x)
{
	struct fetch_result	 res;
	char			*effective, *cause = NULL;
	int			 rv = 0;

	if (x->head_done)
		return (0);
	x->head_done = 1;
	if (x->head == NULL)
		return (0);
	fetch_result_head(x, &res, &effective);
	if (res.http_status < 200 || res.http_status > 299)
		goto out;
	if (x->head(&res, x->arg, &cause) != 0) {
		free(x->error);
		x->error = cause != NULL ? cause :
		    xstrdup("transfer aborted by the receiver");
		rv = -1;
	}
out:
	free(effective);
	return (rv);
}

/* Body bytes: count them against the cap and pass the final ones on. */
static size_t
fetch_write_cb(char *ptr, size_t size, size_t n, void *arg)
{
	struct fetch_xfer	*x = arg;
	int64_t			 max = x->f->opts.max_body;
	size_t			 len = size * n;
	char			*cause = NULL;

	if (len == 0)
		return (0);
	/* Counted after decompression (HOSTILE-10, HOSTILE-38). */
	if (max > 0 && (uint64_t)len > (uint64_t)(max - x->body_len)) {
		free(x->error);
		xasprintf(&x->error, "body larger than %lld bytes",
		    (long long)max);
		return (0);
	}
	x->body_len += len;

	/* Only a 2xx (or a file, without status) is the document. */
	if (x->status != 0 && (x->status < 200 || x->status > 299))
		return (len);
	if (!x->head_done && fetch_call_head(x) != 0)
		return (0);
	x->delivered += len;
	if (x->data != NULL && x->data(ptr, len, x->arg, &cause) != 0) {
		free(x->error);
		x->error = cause != NULL ? cause :
		    xstrdup("transfer aborted by the receiver");
		return (0);
	}
	return (len);
}

/* One header line: status lines start a response, fields are captured. */
static size_t
fetch_header_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct fetch_xfer	*x = arg;
	size_t			 len = size * n, end, name_len, v;
	const char		*value;
	char			*copy;
	int64_t			 ra;
	time_t			 t;

	end = len;
	while (end > 0 && (buf[end - 1] == '\n' || buf[end - 1] == '\r'))
		end--;
	if (end == 0) {
		if (fetch_header_end(x) != 0)
			return (0);
		return (len);
	}
	if (end >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		fetch_xfer_reset(x);
		x->status = fetch_parse_status(buf, end);
		return (len);
	}
	/* Trailers after the body change nothing. */
	if (x->in_body)
		return (len);

	/* A folded line would extend the last field: drop that field. */
	if (buf[0] == ' ' || buf[0] == '\t') {
		switch (x->last_hdr) {
		case FETCH_HDR_ETAG:
			free(x->etag);
			x->etag = NULL;
			break;
		case FETCH_HDR_LAST_MODIFIED:
			free(x->last_modified);
			x->last_modified = NULL;
			break;
		case FETCH_HDR_CONTENT_TYPE:
			free(x->content_type);
			x->content_type = NULL;
			break;
		case FETCH_HDR_RETRY_AFTER:
			x->retry_after = -1;
			break;
		case FETCH_HDR_CACHE_CONTROL:
			x->cc_max_age = -1;
			break;
		case FETCH_HDR_EXPIRES:
			x->expires = -1;
			break;
		case FETCH_HDR_DATE:
			x->date = -1;
			break;
		case FETCH_HDR_OTHER:
			break;
		}
		return (len);
	}

	x->last_hdr = FETCH_HDR_OTHER;
	if ((value = memchr(buf, ':', end)) == NULL)
		return (len);
	name_len = value - buf;
	value++;
	v = end - (value - buf);
	while (v > 0 && (*value == ' ' || *value == '\t')) {
		value++;
		v--;
	}
	while (v > 0 && (value[v - 1] == ' ' || value[v - 1] == '\t'))
		v--;

	if (name_len == 4 && strncasecmp(buf, "etag", 4) == 0) {
		free(x->etag);
		x->etag = fetch_clean_value(value, v);
		x->last_hdr = FETCH_HDR_ETAG;
	} else if (name_len == 13 && strncasecmp(buf, "last-modified",
	    13) == 0) {
		free(x->last_modified);
		x->last_modified = fetch_clean_value(value, v);
		x->last_hdr = FETCH_HDR_LAST_MODIFIED;
	} else if (name_len == 12 && strncasecmp(buf, "content-type",
	    12) == 0) {
		free(x->content_type);
		x->content_type = fetch_clean_value(value, v);
		x->last_hdr = FETCH_HDR_CONTENT_TYPE;
	} else if (name_len == 11 && strncasecmp(buf, "retry-after",
	    11) == 0) {
		x->retry_after = -1;
		if ((copy = fetch_clean_value(value, v)) != NULL) {
			if ((ra = fetch_parse_retry_after(copy)) >= 0)
				x->retry_after = ra;
			free(copy);
		}
		x->last_hdr = FETCH_HDR_RETRY_AFTER;
	} else if (name_len == 13 && strncasecmp(buf, "cache-control",
	    13) == 0) {
		if ((copy = fetch_clean_value(value, v)) != NULL) {
			if ((ra = fetch_parse_max_age(copy)) >= 0)
				x->cc_max_age = ra;
			free(copy);
		}
		x->last_hdr = FETCH_HDR_CACHE_CONTROL;
	} else if (name_len == 7 && strncasecmp(buf, "expires", 7) == 0) {
		/* An unreadable date ("0", "-1") means already expired. */
		x->expires = 0;
		if ((copy = fetch_clean_value(value, v)) != NULL) {
			if ((t = curl_getdate(copy, NULL)) != -1 && t > 0)
				x->expires = (int64_t)t;
			free(copy);
		}
		x->last_hdr = FETCH_HDR_EXPIRES;
	} else if (name_len == 4 && strncasecmp(buf, "date", 4) == 0) {
		x->date = -1;
		if ((copy = fetch_clean_value(value, v)) != NULL) {
			if ((t = curl_getdate(copy, NULL)) != -1 && t > 0)
				x->date = (int64_t)t;
			free(copy);
		}
		x->last_hdr = FETCH_HDR_DATE;
	} else if (name_len == 8 && strncasecmp(buf, "location", 8) == 0)
		x->has_location = v > 0;
	return (len);
}

/*
 * The blank line after a header block: count redirect hops, and hand the
 * head of a final 2xx on. Returns -1 if the head callback refuses it.
 */
static int
fetch_header_end(struct fetch_xfer *x)
{
	if (x->in_body)
		return (0);
	/* An interim 1xx response: the real one follows. */
	if (x->status >= 100 && x->status <= 199) {
		fetch_xfer_reset(x);
		return (0);
	}
	x->in_body = 1;
	if (x->status >= 300 && x->status <= 399 && x->status != 304 &&
	    x->has_location) {
		x->nhops++;
		if (x->status != 301 && x->status != 308)
			x->perm_broken = 1;
	}
	if (x->status >= 200 && x->status <= 299)
		return (fetch_call_head(x));
	return (0);
}

/* Read the code from "HTTP/1.1 200 OK" or "HTTP/2 200"; 0 if none. */
static long
fetch_parse_status(const char *line, size_t len)
{
	size_t	i = 5;
	long	code = 0;
	int	digits = 0;

	while (i < len && line[i] != ' ')
		i++;
	while (i < len && line[i] == ' ')
		i++;
	while (i < len && line[i] >= '0' && line[i] <= '9' && digits < 3) {
		code = code * 10 + (line[i] - '0');
		i++;
		digits++;
	}
	if (digits != 3)
		return (0);
	return (code);
}

/* Read Retry-After: seconds or an HTTP date; -1 if unreadable. */
static int64_t
fetch_parse_retry_after(const char *s)
{
	const char	*p;
	int64_t		 v = 0;
	time_t		 t, now;

	if (*s >= '0' && *s <= '9') {
		for (p = s; *p >= '0' && *p <= '9'; p++) {
			if (v < FETCH_RETRY_AFTER_MAX)
				v = v * 10 + (*p - '0');
		}
		if (*p != '\0')
			return (-1);
		return (v > FETCH_RETRY_AFTER_MAX ? FETCH_RETRY_AFTER_MAX : v);
	}
	if ((t = curl_getdate(s, NULL)) == -1)
		return (-1);
	now = time(NULL);
	if (t <= now)
		return (0);
	v = (int64_t)t - (int64_t)now;
	return (v > FETCH_RETRY_AFTER_MAX ? FETCH_RETRY_AFTER_MAX : v);
}

/*
 * Read max-age from Cache-Control; no-cache, no-store and max-age=0 all
 * give 0; -1 if it says nothing about freshness.
 */
static int64_t
fetch_parse_max_age(const char *s)
{
	const char	*p = s, *tok;
	size_t		 n;
	int64_t		 v, rv = -1;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		tok = p;
		while (*p != '\0' && *p != ',')
			p++;
		n = p - tok;
		while (n > 0 && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
			n--;
		if ((n == 8 && strncasecmp(tok, "no-cache", 8) == 0) ||
		    (n == 8 && strncasecmp(tok, "no-store", 8) == 0))
			return (0);
		if (n > 8 && strncasecmp(tok, "max-age=", 8) == 0) {
			tok += 8;
			n -= 8;
			if (n > 0 && *tok == '"') {
				tok++;
				n -= n > 1 ? 2 : 1;
			}
			v = 0;
			while (n > 0 && *tok >= '0' && *tok <= '9') {
				if (v < FETCH_RETRY_AFTER_MAX)
					v = v * 10 + (*tok - '0');
				tok++;
				n--;
			}
			if (n == 0)
				rv = v > FETCH_RETRY_AFTER_MAX ?
				    FETCH_RETRY_AFTER_MAX : v;
		}
	}
	return (rv);
}

/* Is a header value safe to keep and echo: printable ASCII, bounded? */
static int
fetch_value_ok(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= FETCH_VALUE_MAX)
			return (0);
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return (0);
	}
	return (i > 0);
}

/* Copy a received header value if it is clean, else NULL (HOSTILE-41). */
static char *
fetch_clean_value(const char *value, size_t len)
{
	size_t	i;

	if (len == 0 || len > FETCH_VALUE_MAX)
		return (NULL);
	for (i = 0; i < len; i++) {
		if ((unsigned char)value[i] < 0x20 ||
		    (unsigned char)value[i] > 0x7e)
			return (NULL);
	}
	return (xstrndup(value, len));
}

/*
 * curl is about to connect: check the address it will connect to, not
 * an earlier lookup, so rebinding and redirects cannot get around the
 * policy (HOSTILE-33 to HOSTILE-36).
 */
static curl_socket_t
fetch_open_cb(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct fetch_xfer	*x = arg;
	curl_socket_t		 s;
	char			 why[INET6_ADDRSTRLEN + 128];

	if (!x->allow_private &&
	    fetch_addr_check(&addr->addr, addr->addrlen, why,
	    sizeof why) != 0) {
		log_debug("refusing to connect to %s", why);
		if (x->refused == NULL)
			xasprintf(&x->refused, "address not allowed: %s "
			    "(allow_private is off)", why);
		return (CURL_SOCKET_BAD);
	}
	s = socket(addr->family, addr->socktype, addr->protocol);
	if (s == CURL_SOCKET_BAD)
		return (CURL_SOCKET_BAD);
	if (fcntl(s, F_SETFD, FD_CLOEXEC) == -1)
		log_warn("%s: fcntl", __func__);
	return (s);
}

/* What kind of non-public IPv4 address this is (host order), or NULL. */
static const char *
fetch_addr_v4(uint32_t a)
{
	if ((a & 0xff000000U) == 0x00000000U)
		return ("unspecified");
	if ((a & 0xff000000U) == 0x7f000000U)
		return ("loopback");
	if ((a & 0xff000000U) == 0x0a000000U ||
	    (a & 0xfff00000U) == 0xac100000U ||
	    (a & 0xffff0000U) == 0xc0a80000U)
		return ("private");
	if ((a & 0xffc00000U) == 0x64400000U)
		return ("shared (CGNAT)");
	if ((a & 0xffff0000U) == 0xa9fe0000U)
		return ("link-local");
	if ((a & 0xffffff00U) == 0xc0000000U ||
	    (a & 0xfffe0000U) == 0xc6120000U)
		return ("reserved");
	if ((a & 0xf0000000U) == 0xe0000000U)
		return ("multicast");
	if ((a & 0xf0000000U) == 0xf0000000U)
		return ("reserved");
	return (NULL);
}

/*
 * What kind of non-public IPv6 address this is, or NULL. An address
 * that embeds an IPv4 one (mapped, NAT64, 6to4) sets *embedded and *v4
 * (host order) and returns NULL: the caller checks that address.
 */
static const char *
fetch_addr_v6(const unsigned char *b, uint32_t *v4, int *embedded)
{
	static const unsigned char	 zero[16];
	static const unsigned char	 mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	static const unsigned char	 nat64[12] = {
		0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0
	};

	*v4 = 0;
	*embedded = 0;
	if (memcmp(b, zero, 15) == 0) {
		if (b[15] == 0)
			return ("unspecified");
		if (b[15] == 1)
			return ("loopback");
	}
	if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0) {
		*v4 = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
		    (uint32_t)b[14] << 8 | b[15];
		*embedded = 1;
		return (NULL);
	}
	if (b[0] == 0x20 && b[1] == 0x02) {
		*v4 = (uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 |
		    (uint32_t)b[4] << 8 | b[5];
		*embedded = 1;
		return (NULL);
	}
	if (memcmp(b, zero, 12) == 0)
		return ("reserved (IPv4-compatible)");
	if ((b[0] & 0xfe) == 0xfc)
		return ("private (unique local)");
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return ("link-local");
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return ("private (site-local)");
	if (b[0] == 0xff)
		return ("multicast");
	return (NULL);
}

/*
 * Check an address curl is about to connect to. Returns 0 if it is
 * public, or -1 with why set to "ADDRESS is KIND".
 */
static int
fetch_addr_check(const struct sockaddr *sa, socklen_t len, char *why,
    size_t whysz)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	char			 text[INET6_ADDRSTRLEN];
	const char		*kind;
	uint32_t		 v4;
	int			 embedded;

	if (sa->sa_family == AF_INET && len >= sizeof sin) {
		memcpy(&sin, sa, sizeof sin);
		if (inet_ntop(AF_INET, &sin.sin_addr, text, sizeof text) ==
		    NULL)
			snprintf(text, sizeof text, "?");
		kind = fetch_addr_v4(ntohl(sin.sin_addr.s_addr));
		if (kind == NULL)
			return (0);
		snprintf(why, whysz, "%s is %s", text, kind);
		return (-1);
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof sin6) {
		memcpy(&sin6, sa, sizeof sin6);
		if (inet_ntop(AF_INET6, &sin6.sin6_addr, text, sizeof text) ==
		    NULL)
			snprintf(text, sizeof text, "?");
		kind = fetch_addr_v6(sin6.sin6_addr.s6_addr, &v4, &embedded);
		if (kind == NULL && embedded)
			kind = fetch_addr_v4(v4);
		if (kind == NULL)
			return (0);
		snprintf(why, whysz, "%s is %s", text, kind);
		return (-1);
	}
	snprintf(why, whysz, "address family %d is unknown",
	    (int)sa->sa_family);
	return (-1);
}
