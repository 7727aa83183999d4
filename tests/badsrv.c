/*
 * badsrv: a misbehaving HTTP server for the fetcher's integration tests.
 * Listens on 127.0.0.1 and misbehaves in one way per path:
 *
 *	/drip		one byte of a feed per second, forever
 *	/endless	a chunked body that never ends
 *	/bomb		a gzip bomb: small on the wire, huge decoded
 *	/loop		a redirect to itself
 *	/r301 /r302 /r308	a redirect to /ok
 *	/gone		410
 *	/429s /429d	429 with Retry-After: 120, and as an HTTP date
 *	/503		503 with Retry-After: 2
 *	/500		500, always
 *	/html		an HTML page with a <link rel="alternate"> to /ok
 *	/wrongtype	a feed sent as text/plain
 *	/wronghtml	a feed sent as text/html
 *	/empty		200 and no body
 *	/ok		a small valid RSS feed, with ETag and 304
 *	/ttl		a valid feed with <ttl>1</ttl> (one minute)
 *	/maxage		a valid feed with Cache-Control: max-age=7
 *	/latin1		a feed in ISO-8859-1 that only the Content-Type
 *			charset says so
 *
 * Each request is logged as one line "METHOD PATH STATUS", as feedsrv
 * does.
 *
 *	badsrv [-l LOG] [-p PORT] [-b MIB]
 *
 * -b sets the decoded size of the bomb (default 64 MiB). Prints
 * "port N" on stdout once it listens.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include <zlib.h>

#define BADSRV_ETAG	"\"ok-1\""
#define BADSRV_RSS_HEAD	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" \
	"<rss version=\"2.0\"><channel><title>Bad server</title>" \
	"<link>http://example.org/</link><description>d</description>"
#define BADSRV_ITEM	"<item><title>Item</title>" \
	"<link>http://example.org/item</link>" \
	"<guid>http://example.org/item</guid></item>"
#define BADSRV_RSS_TAIL	"</channel></rss>\n"

/* One streaming response (/drip, /endless) until its client goes. */
struct stream {
	struct evhttp_request		*req;
	struct evhttp_connection	*conn;
	struct event			*timer;		/* /drip */
	const char			*data;
	size_t				 off;
	int				 endless;
};

static void	 badsrv_request_cb(struct evhttp_request *, void *);
static void	 badsrv_term_cb(evutil_socket_t, short, void *);
static void	 badsrv_log(struct evhttp_request *, const char *, int);
static void	 badsrv_feed(struct evhttp_request *, const char *,
		     const char *, const char *);
static void	 badsrv_redirect(struct evhttp_request *, int, const char *);
static void	 badsrv_status(struct evhttp_request *, int, const char *,
		     const char *);
static void	 badsrv_stream(struct evhttp_request *, int);
static void	 badsrv_stream_close_cb(struct evhttp_connection *, void *);
static void	 badsrv_drip_cb(evutil_socket_t, short, void *);
static void	 badsrv_endless_cb(struct evhttp_connection *, void *);
static void	 badsrv_bomb_make(size_t);
static void	 usage(void);

static struct event_base	*badsrv_base;
static FILE			*badsrv_logf;
static unsigned char		*bomb;
static size_t			 bomb_len;

static void
usage(void)
{
	fprintf(stderr, "usage: badsrv [-l LOG] [-p PORT] [-b MIB]\n");
	exit(2);
}

/* One line per request: "METHOD PATH STATUS". */
static void
badsrv_log(struct evhttp_request *req, const char *path, int status)
{
	const char	*m;

	if (badsrv_logf == NULL)
		return;
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:
		m = "GET";
		break;
	case EVHTTP_REQ_HEAD:
		m = "HEAD";
		break;
	default:
		m = "OTHER";
		break;
	}
	fprintf(badsrv_logf, "%s %s %d\n", m, path, status);
	fflush(badsrv_logf);
}

/*
 * Gzip size MiB of spaces inside an open RSS channel: valid XML all
 * along, so only the size cap can stop a reader.
 */
static void
badsrv_bomb_make(size_t mib)
{
	static unsigned char	 spaces[65536];
	z_stream		 z;
	size_t			 cap, i, n;
	int			 flush;

	memset(spaces, ' ', sizeof spaces);
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	cap = deflateBound(&z, mib * 1024 * 1024 + 4096);
	if ((bomb = malloc(cap)) == NULL)
		abort();
	z.next_out = bomb;
	z.avail_out = cap;
	z.next_in = (unsigned char *)BADSRV_RSS_HEAD;
	z.avail_in = strlen(BADSRV_RSS_HEAD);
	if (deflate(&z, Z_NO_FLUSH) != Z_OK)
		abort();
	n = mib * 16;
	for (i = 0; i < n; i++) {
		z.next_in = spaces;
		z.avail_in = sizeof spaces;
		flush = i + 1 == n ? Z_FINISH : Z_NO_FLUSH;
		if (flush == Z_FINISH) {
			/* The document never closes: it is a bomb anyway. */
			if (deflate(&z, Z_FINISH) != Z_STREAM_END)
				abort();
		} else if (deflate(&z, Z_NO_FLUSH) != Z_OK)
			abort();
	}
	bomb_len = z.total_out;
	deflateEnd(&z);
}

/* A feed with a Content-Type, optional extra header and 304 support. */
static void
badsrv_feed(struct evhttp_request *req, const char *path, const char *type,
    const char *body)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evbuffer		*b;
	const char		*inm;

	evhttp_add_header(out, "ETag", BADSRV_ETAG);
	evhttp_add_header(out, "Last-Modified",
	    "Wed, 24 Apr 2019 12:15:00 GMT");
	inm = evhttp_find_header(in, "If-None-Match");
	if (inm != NULL && strstr(inm, BADSRV_ETAG) != NULL) {
		evhttp_send_reply(req, 304, "Not Modified", NULL);
		badsrv_log(req, path, 304);
		return;
	}
	evhttp_add_header(out, "Content-Type", type);
	if ((b = evbuffer_new()) == NULL)
		abort();
	evbuffer_add(b, body, strlen(body));
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
	badsrv_log(req, path, 200);
}

static void
badsrv_redirect(struct evhttp_request *req, int code, const char *to)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Location",
	    to);
	evhttp_send_reply(req, code, "Redirect", NULL);
}

/* An error status with an optional Retry-After. */
static void
badsrv_status(struct evhttp_request *req, int code, const char *reason,
    const char *retry_after)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evbuffer		*b;

	if (retry_after != NULL)
		evhttp_add_header(out, "Retry-After", retry_after);
	evhttp_add_header(out, "Content-Type", "text/html");
	if ((b = evbuffer_new()) == NULL)
		abort();
	evbuffer_add_printf(b, "<html><body><h1>%d %s</h1></body></html>\n",
	    code, reason);
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
}

/* Start a response that never ends: dripping, or as fast as it goes. */
static void
badsrv_stream(struct evhttp_request *req, int endless)
{
	struct stream	*st;
	struct evbuffer	*b;

	if ((st = calloc(1, sizeof *st)) == NULL)
		abort();
	st->req = req;
	st->conn = evhttp_request_get_connection(req);
	st->endless = endless;
	st->data = BADSRV_RSS_HEAD BADSRV_ITEM BADSRV_ITEM BADSRV_RSS_TAIL;
	evhttp_connection_set_closecb(st->conn, badsrv_stream_close_cb, st);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/rss+xml");
	evhttp_send_reply_start(req, 200, "OK");
	if (!endless) {
		if ((st->timer = evtimer_new(badsrv_base, badsrv_drip_cb,
		    st)) == NULL)
			abort();
		badsrv_drip_cb(-1, 0, st);
		return;
	}
	if ((b = evbuffer_new()) == NULL)
		abort();
	evbuffer_add(b, BADSRV_RSS_HEAD, strlen(BADSRV_RSS_HEAD));
	evhttp_send_reply_chunk_with_cb(req, b, badsrv_endless_cb, st);
	evbuffer_free(b);
}

/* The client went away: stop. The request is freed by evhttp. */
static void
badsrv_stream_close_cb(struct evhttp_connection *conn, void *arg)
{
	struct stream	*st = arg;

	evhttp_connection_set_closecb(conn, NULL, NULL);
	if (st->timer != NULL)
		event_free(st->timer);
	free(st);
}

/* One more byte of the feed, then wait a second (the last one waits). */
static void
badsrv_drip_cb(evutil_socket_t fd, short what, void *arg)
{
	struct stream	*st = arg;
	struct evbuffer	*b;
	struct timeval	 tv = { 1, 0 };

	/* Never the last byte: the document never completes. */
	if (st->data[st->off + 1] != '\0') {
		if ((b = evbuffer_new()) == NULL)
			abort();
		evbuffer_add(b, st->data + st->off, 1);
		evhttp_send_reply_chunk(st->req, b);
		evbuffer_free(b);
		st->off++;
	}
	evtimer_add(st->timer, &tv);
}

/* The last chunk went out: send another, forever. */
static void
badsrv_endless_cb(struct evhttp_connection *conn, void *arg)
{
	struct stream	*st = arg;
	struct evbuffer	*b;
	int		 i;

	if ((b = evbuffer_new()) == NULL)
		abort();
	for (i = 0; i < 128; i++)
		evbuffer_add(b, BADSRV_ITEM, strlen(BADSRV_ITEM));
	evhttp_send_reply_chunk_with_cb(st->req, b, badsrv_endless_cb, st);
	evbuffer_free(b);
}

/* Misbehave as the path says. */
static void
badsrv_request_cb(struct evhttp_request *req, void *arg)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	struct evbuffer		*b;
	const char		*path;
	char			 date[64];
	struct tm		 tm;
	time_t			 t;
	int			 status = 0;

	path = evhttp_uri_get_path(uri);
	if (path == NULL)
		path = "/";

	if (strcmp(path, "/ok") == 0) {
		badsrv_feed(req, path, "application/rss+xml; charset=utf-8",
		    BADSRV_RSS_HEAD BADSRV_ITEM BADSRV_RSS_TAIL);
		return;
	}
	if (strcmp(path, "/ttl") == 0) {
		badsrv_feed(req, path, "application/rss+xml",
		    BADSRV_RSS_HEAD "<ttl>1</ttl>" BADSRV_ITEM BADSRV_RSS_TAIL);
		return;
	}
	if (strcmp(path, "/maxage") == 0) {
		evhttp_add_header(out, "Cache-Control", "public, max-age=7");
		badsrv_feed(req, path, "application/rss+xml",
		    BADSRV_RSS_HEAD BADSRV_ITEM BADSRV_RSS_TAIL);
		return;
	}
	if (strcmp(path, "/latin1") == 0) {
		badsrv_feed(req, path, "text/xml; charset=iso-8859-1",
		    "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>"
		    "<title>Caf\xe9</title><link>http://example.org/</link>"
		    "<description>d</description><item><title>Na\xefve"
		    "</title><link>http://example.org/latin1</link></item>"
		    BADSRV_RSS_TAIL);
		return;
	}
	if (strcmp(path, "/wrongtype") == 0) {
		badsrv_feed(req, path, "text/plain",
		    BADSRV_RSS_HEAD BADSRV_ITEM BADSRV_RSS_TAIL);
		return;
	}
	if (strcmp(path, "/wronghtml") == 0) {
		badsrv_feed(req, path, "text/html; charset=utf-8",
		    BADSRV_RSS_HEAD BADSRV_ITEM BADSRV_RSS_TAIL);
		return;
	}
	if (strcmp(path, "/html") == 0) {
		badsrv_feed(req, path, "text/html; charset=utf-8",
		    "<!DOCTYPE html>\n<html><head><title>A site</title>\n"
		    "<link rel=\"alternate\" type=\"application/rss+xml\" "
		    "title=\"The feed\" href=\"/ok\">\n</head>\n"
		    "<body><p>Not a feed.</p></body></html>\n");
		return;
	}
	if (strcmp(path, "/drip") == 0 || strcmp(path, "/endless") == 0) {
		badsrv_log(req, path, 200);
		badsrv_stream(req, strcmp(path, "/endless") == 0);
		return;
	}

	if (strcmp(path, "/empty") == 0) {
		evhttp_add_header(out, "Content-Type", "application/rss+xml");
		evhttp_send_reply(req, 200, "OK", NULL);
		status = 200;
	} else if (strcmp(path, "/bomb") == 0) {
		evhttp_add_header(out, "Content-Type", "application/rss+xml");
		evhttp_add_header(out, "Content-Encoding", "gzip");
		if ((b = evbuffer_new()) == NULL)
			abort();
		evbuffer_add_reference(b, bomb, bomb_len, NULL, NULL);
		evhttp_send_reply(req, 200, "OK", b);
		evbuffer_free(b);
		status = 200;
	} else if (strcmp(path, "/loop") == 0) {
		badsrv_redirect(req, 302, "/loop");
		status = 302;
	} else if (strcmp(path, "/r301") == 0) {
		badsrv_redirect(req, 301, "/ok");
		status = 301;
	} else if (strcmp(path, "/r302") == 0) {
		badsrv_redirect(req, 302, "/ok");
		status = 302;
	} else if (strcmp(path, "/r308") == 0) {
		badsrv_redirect(req, 308, "/ok");
		status = 308;
	} else if (strcmp(path, "/gone") == 0) {
		badsrv_status(req, 410, "Gone", NULL);
		status = 410;
	} else if (strcmp(path, "/429s") == 0) {
		badsrv_status(req, 429, "Too Many Requests", "120");
		status = 429;
	} else if (strcmp(path, "/429d") == 0) {
		t = time(NULL) + 120;
		gmtime_r(&t, &tm);
		strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		badsrv_status(req, 429, "Too Many Requests", date);
		status = 429;
	} else if (strcmp(path, "/503") == 0) {
		badsrv_status(req, 503, "Service Unavailable", "2");
		status = 503;
	} else if (strcmp(path, "/500") == 0) {
		badsrv_status(req, 500, "Internal Server Error", NULL);
		status = 500;
	} else {
		evhttp_send_error(req, 404, NULL);
		status = 404;
	}
	badsrv_log(req, path, status);
}

static void
badsrv_term_cb(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;
	struct event			*term;
	struct sockaddr_storage		 ss;
	ev_socklen_t			 sslen = sizeof ss;
	int				 ch, port = 0, mib = 64;

	while ((ch = getopt(argc, argv, "b:l:p:")) != -1) {
		switch (ch) {
		case 'b':
			mib = atoi(optarg);
			if (mib < 1 || mib > 4096)
				usage();
			break;
		case 'l':
			if ((badsrv_logf = fopen(optarg, "a")) == NULL) {
				fprintf(stderr, "badsrv: %s: %s\n", optarg,
				    strerror(errno));
				return (1);
			}
			break;
		case 'p':
			port = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	signal(SIGPIPE, SIG_IGN);
	badsrv_bomb_make((size_t)mib);

	badsrv_base = event_base_new();
	http = evhttp_new(badsrv_base);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(http, badsrv_request_cb, NULL);
	evhttp_set_timeout(http, 30);
	if ((bound = evhttp_bind_socket_with_handle(http, "127.0.0.1",
	    port)) == NULL) {
		fprintf(stderr, "badsrv: cannot listen on 127.0.0.1:%d\n",
		    port);
		return (1);
	}
	if (getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&ss, &sslen) == -1)
		return (1);
	printf("port %d\n", ntohs(((struct sockaddr_in *)&ss)->sin_port));
	fflush(stdout);

	term = evsignal_new(badsrv_base, SIGTERM, badsrv_term_cb,
	    badsrv_base);
	event_add(term, NULL);
	event_base_dispatch(badsrv_base);

	event_free(term);
	evhttp_free(http);
	event_base_free(badsrv_base);
	free(bomb);
	if (badsrv_logf != NULL)
		fclose(badsrv_logf);
	return (0);
}
