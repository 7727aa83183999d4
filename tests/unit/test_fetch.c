/*
 * Unit tests for lib/fetch against a real evhttp server on 127.0.0.1,
 * port 0, on the same event_base: conditional GET, redirects, limits and
 * the address policy.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdarg.h>
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
#include <curl/curl.h>

#include "buf.h"
#include "fetch.h"
#include "tap.h"

/*
 * 100000 bytes of 'x', gzipped: a 25-byte head, 96 zero bytes and an
 * 11-byte tail.
 */
#define GZ_HEAD	"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xed\xc1\x31\x01" \
		"\x00\x00\x00\xc2\xa0\xda\x8b\x6f\x0d\x0f\xa0"
#define GZ_TAIL	"\x80\x57\x03\x71\x11\x07\xfe\xa0\x86\x01\x00"

struct server {
	struct evhttp	*http;
	int		 port;
	int		 requests;
	char		*inm;		/* If-None-Match of the last request */
	char		*ims;		/* If-Modified-Since */
	int		 evil;		/* an X-Evil header arrived */
	int64_t		 arrivals[16];	/* ms, requests for /spaced */
	int		 narrivals;
};

struct out {
	int		 ndone;
	int		 ok;
	long		 status;
	char		*error;
	char		*etag;
	char		*last_modified;
	char		*content_type;
	char		*effective_url;
	char		*permanent_url;
	int64_t		 retry_after;
	int64_t		 body_len;
	int64_t		 max_age;
	int		 nhead;		/* head callbacks */
	int		 head_ndata;	/* data callbacks before the head */
	long		 head_status;
	char		*head_type;
	char		*head_url;
	int		 fail_head;	/* the head callback refuses */
	struct buf	 body;
	int		 ndata;
	int		 fail_data;	/* the data callback refuses */
	struct fetch	*chain_fetch;	/* start chain_url from done */
	const char	*chain_url;
	struct out	*chain_out;
	int		 stop;		/* loopbreak when done */
};

static struct event_base	*base;
static struct server		 srv, proxy;

static void	 srv_cb(struct evhttp_request *, void *);
static void	 srv_start(struct server *);
static void	 redirect(struct evhttp_request *, int, const char *);
static int	 data_cb(const char *, size_t, void *, char **);
static int	 head_cb(const struct fetch_result *, void *, char **);
static int64_t	 mono_ms(void);
static void	 test_queue(void);
static void	 test_head(struct fetch *);
static void	 done_cb(const struct fetch_result *, void *);
static void	 limit_cb(evutil_socket_t, short, void *);
static void	 out_init(struct out *);
static void	 out_free(struct out *);
static void	 loop(int);
static int	 get(struct fetch *, struct out *, const char *, int,
		     const char *, const char *);
static char	*url(const char *, ...) __attribute__((format(printf, 1, 2)));
static char	*dupnull(const char *);
static int	 startswith(const char *, const char *);

static char *
dupnull(const char *s)
{
	return (s != NULL ? strdup(s) : NULL);
}

static int
startswith(const char *s, const char *prefix)
{
	return (s != NULL && strncmp(s, prefix, strlen(prefix)) == 0);
}

/* A URL on the test server: url("/path%d", ...). */
static char *
url(const char *fmt, ...)
{
	va_list	 ap;
	char	 path[512], *s;

	va_start(ap, fmt);
	vsnprintf(path, sizeof path, fmt, ap);
	va_end(ap);
	if (asprintf(&s, "http://127.0.0.1:%d%s", srv.port, path) == -1)
		abort();
	return (s);
}

/* Answer a redirect. */
static void
redirect(struct evhttp_request *req, int code, const char *location)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Location",
	    location);
	evhttp_send_reply(req, code, "Redirect", NULL);
}

/* The test server: one route per behaviour under test. */
static void
srv_cb(struct evhttp_request *req, void *arg)
{
	struct server		*s = arg;
	struct evkeyvalq	*in, *out;
	struct evbuffer		*b;
	const char		*path, *v, *rest;
	char			 next[512], date[64];
	struct tm		 tm;
	time_t			 t;
	int			 code, n, i;

	s->requests++;
	in = evhttp_request_get_input_headers(req);
	out = evhttp_request_get_output_headers(req);
	free(s->inm);
	free(s->ims);
	s->inm = dupnull(evhttp_find_header(in, "If-None-Match"));
	s->ims = dupnull(evhttp_find_header(in, "If-Modified-Since"));
	if (evhttp_find_header(in, "X-Evil") != NULL)
		s->evil = 1;
	path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (path == NULL)
		path = "/";
	b = evbuffer_new();
	if (strcmp(path, "/spaced") == 0 && s->narrivals < 16)
		s->arrivals[s->narrivals++] = mono_ms();

	if (strcmp(path, "/feed") == 0 || strcmp(path, "/r/") == 0 ||
	    strcmp(path, "/noetag") == 0) {
		if (strcmp(path, "/noetag") != 0) {
			evhttp_add_header(out, "ETag", "\"v1\"");
			evhttp_add_header(out, "Last-Modified",
			    "Wed, 21 Oct 2015 07:28:00 GMT");
		}
		evhttp_add_header(out, "Content-Type", "application/rss+xml");
		if (s->inm != NULL && strcmp(s->inm, "\"v1\"") == 0) {
			evhttp_send_reply(req, 304, "Not Modified", NULL);
			goto out;
		}
		evbuffer_add_printf(b, "<rss>hello</rss>");
		evhttp_send_reply(req, 200, "OK", b);
	} else if (strncmp(path, "/r/", 3) == 0) {
		/* /r/301-308: a 301 to /r/308, then a 308 to /r/. */
		code = atoi(path + 3);
		rest = strchr(path + 3, '-');
		snprintf(next, sizeof next, "/r/%s", rest != NULL ? rest + 1 :
		    "");
		redirect(req, code, next);
	} else if (strcmp(path, "/redir-etag") == 0) {
		evhttp_add_header(out, "ETag", "\"old\"");
		redirect(req, 301, "/noetag");
	} else if (strcmp(path, "/tofile") == 0) {
		redirect(req, 302, "file:///etc/passwd");
	} else if (strcmp(path, "/togopher") == 0) {
		redirect(req, 301, "gopher://127.0.0.1/");
	} else if (strncmp(path, "/size/", 6) == 0) {
		n = atoi(path + 6);
		for (i = 0; i < n; i++)
			evbuffer_add(b, "a", 1);
		evhttp_send_reply(req, 200, "OK", b);
	} else if (strncmp(path, "/chunked/", 9) == 0) {
		/* No Content-Length: only the write callback can stop it. */
		n = atoi(path + 9);
		evhttp_send_reply_start(req, 200, "OK");
		memset(next, 'a', 100);
		for (i = 0; i < n; i += 100) {
			evbuffer_add(b, next, n - i < 100 ? n - i : 100);
			evhttp_send_reply_chunk(req, b);
		}
		evhttp_send_reply_end(req);
	} else if (strcmp(path, "/gzip") == 0) {
		evhttp_add_header(out, "Content-Encoding", "gzip");
		evbuffer_add(b, GZ_HEAD, sizeof GZ_HEAD - 1);
		for (i = 0; i < 96; i++)
			evbuffer_add(b, "", 1);
		evbuffer_add(b, GZ_TAIL, sizeof GZ_TAIL - 1);
		evhttp_send_reply(req, 200, "OK", b);
	} else if (strcmp(path, "/404") == 0) {
		evbuffer_add_printf(b, "<html>not here</html>");
		evhttp_send_reply(req, 404, "Not Found", b);
	} else if (strcmp(path, "/410") == 0) {
		evhttp_send_reply(req, 410, "Gone", NULL);
	} else if (strcmp(path, "/503") == 0) {
		evhttp_add_header(out, "Retry-After", "120");
		evhttp_send_reply(req, 503, "Busy", NULL);
	} else if (strcmp(path, "/503huge") == 0) {
		evhttp_add_header(out, "Retry-After", "99999999999999999999");
		evhttp_send_reply(req, 503, "Busy", NULL);
	} else if (strcmp(path, "/503date") == 0) {
		t = time(NULL) + 300;
		gmtime_r(&t, &tm);
		strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		evhttp_add_header(out, "Retry-After", date);
		evhttp_send_reply(req, 503, "Busy", NULL);
	} else if (strcmp(path, "/badheaders") == 0) {
		/* Non-ASCII, and a folded value hiding another header. */
		evhttp_add_header(out, "ETag", "\"caf\xc3\xa9\"");
		evhttp_add_header(out, "Last-Modified",
		    "Wed, 21 Oct 2015 07:28:00 GMT\r\n X-Evil: 1");
		evhttp_add_header(out, "Content-Type", "application/atom+xml");
		evbuffer_add_printf(b, "<feed/>");
		evhttp_send_reply(req, 200, "OK", b);
	} else if (strcmp(path, "/cc") == 0) {
		evhttp_add_header(out, "Cache-Control", "public, max-age=300");
		evhttp_add_header(out, "Expires",
		    "Wed, 21 Oct 2015 07:28:00 GMT");
		evbuffer_add_printf(b, "<rss/>");
		evhttp_send_reply(req, 200, "OK", b);
	} else if (strcmp(path, "/expires") == 0) {
		evhttp_add_header(out, "Date", "Wed, 21 Oct 2015 07:28:00 GMT");
		evhttp_add_header(out, "Expires",
		    "Wed, 21 Oct 2015 07:38:00 GMT");
		evbuffer_add_printf(b, "<rss/>");
		evhttp_send_reply(req, 200, "OK", b);
	} else if (strcmp(path, "/expired") == 0) {
		evhttp_add_header(out, "Expires", "0");
		evbuffer_add_printf(b, "<rss/>");
		evhttp_send_reply(req, 200, "OK", b);
	} else if (strcmp(path, "/nocache") == 0) {
		evhttp_add_header(out, "Cache-Control", "no-cache, max-age=600");
		evbuffer_add_printf(b, "<rss/>");
		evhttp_send_reply(req, 200, "OK", b);
	} else if (strcmp(path, "/empty") == 0) {
		evhttp_add_header(out, "Content-Type",
		    "text/html; charset=iso-8859-1");
		evhttp_send_reply(req, 200, "OK", NULL);
	} else if (strcmp(path, "/spaced") == 0) {
		evbuffer_add_printf(b, "<rss/>");
		evhttp_send_reply(req, 200, "OK", b);
	} else if (strcmp(path, "/hang") == 0) {
		/* Never answer. */
	} else {
		v = "no such route";
		evbuffer_add(b, v, strlen(v));
		evhttp_send_reply(req, 404, "Not Found", b);
	}
out:
	evbuffer_free(b);
}

/* Bind a server to 127.0.0.1 on a free port. */
static void
srv_start(struct server *s)
{
	struct evhttp_bound_socket	*bs;
	struct sockaddr_in		 sin;
	socklen_t			 len = sizeof sin;

	memset(s, 0, sizeof *s);
	if ((s->http = evhttp_new(base)) == NULL)
		abort();
	evhttp_set_gencb(s->http, srv_cb, s);
	if ((bs = evhttp_bind_socket_with_handle(s->http, "127.0.0.1",
	    0)) == NULL)
		abort();
	if (getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&sin, &len) != 0)
		abort();
	s->port = ntohs(sin.sin_port);
}

static void
out_init(struct out *o)
{
	memset(o, 0, sizeof *o);
	buf_init(&o->body);
	o->stop = 1;
}

static void
out_free(struct out *o)
{
	free(o->error);
	free(o->etag);
	free(o->last_modified);
	free(o->content_type);
	free(o->effective_url);
	free(o->permanent_url);
	free(o->head_type);
	free(o->head_url);
	buf_free(&o->body);
}

/* Milliseconds on the monotonic clock. */
static int64_t
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* The head of a 2xx: record it, or refuse it. */
static int
head_cb(const struct fetch_result *res, void *arg, char **cause)
{
	struct out	*o = arg;

	o->nhead++;
	o->head_ndata = o->ndata;
	o->head_status = res->http_status;
	free(o->head_type);
	free(o->head_url);
	o->head_type = dupnull(res->content_type);
	o->head_url = dupnull(res->effective_url);
	if (o->fail_head) {
		*cause = strdup("not the type we want");
		return (-1);
	}
	return (0);
}

/* Body bytes: collect them, or refuse them. */
static int
data_cb(const char *p, size_t len, void *arg, char **cause)
{
	struct out	*o = arg;

	o->ndata++;
	if (o->fail_data) {
		*cause = strdup("the parser says no");
		return (-1);
	}
	buf_add(&o->body, p, len);
	return (0);
}

/* The transfer is over: keep copies of the result. */
static void
done_cb(const struct fetch_result *res, void *arg)
{
	struct out	*o = arg;
	struct fetch_req req;
	char		*cause = NULL;

	/* One out may collect several transfers: keep the last. */
	free(o->error);
	free(o->etag);
	free(o->last_modified);
	free(o->content_type);
	free(o->effective_url);
	free(o->permanent_url);
	o->ndone++;
	o->ok = res->ok;
	o->status = res->http_status;
	o->error = dupnull(res->error);
	o->etag = dupnull(res->etag);
	o->last_modified = dupnull(res->last_modified);
	o->content_type = dupnull(res->content_type);
	o->effective_url = dupnull(res->effective_url);
	o->permanent_url = dupnull(res->permanent_url);
	o->retry_after = res->retry_after;
	o->body_len = res->body_len;
	o->max_age = res->max_age;

	/* A new transfer may start from inside done. */
	if (o->chain_url != NULL) {
		memset(&req, 0, sizeof req);
		req.url = o->chain_url;
		req.allow_private = 1;
		req.data = data_cb;
		req.done = done_cb;
		req.arg = o->chain_out;
		if (fetch_start(o->chain_fetch, &req, &cause) != 0) {
			tap_diag("chained fetch_start: %s", cause);
			free(cause);
		}
		o->chain_url = NULL;
		return;
	}
	if (o->stop)
		event_base_loopbreak(base);
}

/* The time limit of a loop passed (a waited-for done never came?). */
static void
limit_cb(evutil_socket_t fd, short what, void *arg)
{
	if (arg != NULL)
		tap_diag("time limit reached");
	event_base_loopbreak(base);
}

/* Run the loop until a done callback stops it, or limit_ms passed. */
static void
loop(int limit_ms)
{
	struct event	*limit;
	struct timeval	 tv;

	tv.tv_sec = limit_ms / 1000;
	tv.tv_usec = (limit_ms % 1000) * 1000;
	/* Short runs are meant to time out: no diagnostic for them. */
	if ((limit = evtimer_new(base, limit_cb, limit_ms > 100 ?
	    base : NULL)) == NULL)
		abort();
	evtimer_add(limit, &tv);
	event_base_dispatch(base);
	event_free(limit);
}

/* Fetch one URL and wait for done. Returns fetch_start's result. */
static int
get(struct fetch *f, struct out *o, const char *u, int allow_private,
    const char *etag, const char *last_modified)
{
	struct fetch_req	 req;
	char			*cause = NULL;

	memset(&req, 0, sizeof req);
	req.url = u;
	req.etag = etag;
	req.last_modified = last_modified;
	req.allow_private = allow_private;
	req.data = data_cb;
	req.done = done_cb;
	req.head = head_cb;
	req.arg = o;
	if (fetch_start(f, &req, &cause) != 0) {
		o->error = cause;
		return (-1);
	}
	loop(10000);
	return (0);
}

int
main(void)
{
	struct fetch_opts	 opts;
	struct fetch		*f, *small, *slow;
	struct fetch_req	 req;
	struct out		 o, o2;
	char			*u, *u2, *cause;
	char			 path[] = "/tmp/fetchtest.XXXXXX";
	const char		*literal[] = {
		"localhost",		/* HOSTILE-34 */
		"2130706433",		/* HOSTILE-36 */
		"0x7f.1",
		"0177.0.0.1",
		"127.1",
		"0.0.0.0",
		"[::1]",
		"[::ffff:127.0.0.1]",
		"[::]",
	};
	size_t			 i;
	int			 before, fd, rv;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return (1);
	/* Proxies in the environment must be ignored (HOSTILE-37). */
	if ((base = event_base_new()) == NULL)
		return (1);
	srv_start(&srv);
	srv_start(&proxy);
	if (asprintf(&u, "http://127.0.0.1:%d/", proxy.port) == -1)
		return (1);
	setenv("http_proxy", u, 1);
	setenv("HTTP_PROXY", u, 1);
	setenv("all_proxy", u, 1);
	free(u);

	memset(&opts, 0, sizeof opts);
	opts.user_agent = "feedmux-test";
	opts.connect_timeout = 5000;
	opts.timeout = 10000;
	opts.low_speed_bytes = 1;
	opts.low_speed_time = 10000;
	opts.max_redirects = 5;
	opts.max_body = 1024 * 1024;
	opts.max_connections = 8;
	opts.max_per_host = 2;
	f = fetch_new(base, &opts);
	opts.max_body = 1000;
	small = fetch_new(base, &opts);
	opts.max_body = 1024 * 1024;
	opts.timeout = 300;
	slow = fetch_new(base, &opts);

	/* A plain 200 with validators. */
	out_init(&o);
	u = url("/feed");
	tap_is_int(get(f, &o, u, 1, NULL, NULL), 0, "fetch_start");
	tap_is_int(o.ndone, 1, "done called once");
	tap_ok(o.ok, "200: ok");
	tap_is_int(o.status, 200, "200: status");
	tap_is_str(o.body.data, "<rss>hello</rss>", "200: body delivered");
	tap_is_int(o.body_len, 16, "200: body_len");
	tap_is_str(o.etag, "\"v1\"", "200: ETag");
	tap_is_str(o.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT",
	    "200: Last-Modified");
	tap_is_str(o.content_type, "application/rss+xml", "200: Content-Type");
	tap_is_str(o.effective_url, u, "200: effective URL");
	tap_ok(o.permanent_url == NULL, "200: no permanent URL");
	tap_is_int(o.retry_after, -1, "200: no Retry-After");
	tap_ok(o.error == NULL, "200: no error");
	tap_ok(srv.inm == NULL && srv.ims == NULL,
	    "no validators: no conditional headers");
	tap_is_int(proxy.requests, 0, "the proxy in the environment is "
	    "not used (HOSTILE-37)");
	tap_is_int(fetch_running(f), 0, "nothing running after done");
	out_free(&o);

	/* Conditional GET. */
	out_init(&o);
	get(f, &o, u, 1, "\"v1\"", "Wed, 21 Oct 2015 07:28:00 GMT");
	tap_is_str(srv.inm, "\"v1\"", "If-None-Match sent verbatim");
	tap_is_str(srv.ims, "Wed, 21 Oct 2015 07:28:00 GMT",
	    "If-Modified-Since sent verbatim");
	tap_ok(o.ok && o.status == 304, "304 Not Modified (%ld)", o.status);
	tap_is_int(o.ndata, 0, "304: no body delivered");
	tap_is_str(o.etag, "\"v1\"", "304: ETag");
	out_free(&o);

	/* HOSTILE-41: a validator with CR/LF is never echoed. */
	out_init(&o);
	get(f, &o, u, 1, "\"v1\"\r\nX-Evil: 1", "x\ny");
	tap_ok(srv.inm == NULL && srv.ims == NULL && !srv.evil,
	    "validators with CR/LF are not sent (HOSTILE-41)");
	tap_ok(o.ok && o.status == 200, "so the server answers 200");
	out_free(&o);
	out_init(&o);
	get(f, &o, u, 1, "\"caf\xc3\xa9\"", NULL);
	tap_ok(srv.inm == NULL, "a non-ASCII validator is not sent");
	out_free(&o);
	free(u);

	/* HOSTILE-41: received validators must be clean. */
	out_init(&o);
	u = url("/badheaders");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(o.ok && o.status == 200, "bad headers: still a 200");
	tap_ok(o.etag == NULL, "a non-ASCII ETag is dropped");
	tap_ok(o.last_modified == NULL, "a folded Last-Modified is dropped");
	tap_is_str(o.content_type, "application/atom+xml",
	    "the clean Content-Type is kept");
	out_free(&o);
	free(u);

	/* Permanent redirects: every hop 301/308. */
	out_init(&o);
	u = url("/r/301-308");
	u2 = url("/r/");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(o.ok && o.status == 200, "301, 308, 200: ok");
	tap_is_str(o.permanent_url, u2, "301, 308: permanent URL set");
	tap_is_str(o.effective_url, u2, "301, 308: effective URL");
	tap_is_str(o.body.data, "<rss>hello</rss>", "301, 308: body of the "
	    "final response only");
	out_free(&o);
	free(u);

	out_init(&o);
	u = url("/r/301-302");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(o.ok && o.status == 200, "301, 302, 200: ok");
	tap_ok(o.permanent_url == NULL, "301, 302: no permanent URL");
	tap_is_str(o.effective_url, u2, "301, 302: effective URL");
	out_free(&o);
	free(u);

	out_init(&o);
	u = url("/r/302-301");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(o.ok && o.permanent_url == NULL,
	    "302, 301: no permanent URL");
	out_free(&o);
	free(u);

	out_init(&o);
	u = url("/redir-etag");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(o.ok && o.etag == NULL,
	    "validators of a redirect response are not kept");
	tap_ok(o.permanent_url != NULL &&
	    strstr(o.permanent_url, "/noetag") != NULL,
	    "single 301: permanent URL");
	out_free(&o);
	free(u);

	/* HOSTILE-31: the redirect limit. */
	out_init(&o);
	u = url("/r/301-301-301-301-301");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(o.ok && o.status == 200, "5 redirects with a limit of 5: ok");
	tap_is_str(o.permanent_url, u2, "5 permanent redirects: permanent URL");
	out_free(&o);
	free(u);

	out_init(&o);
	before = srv.requests;
	u = url("/r/302-302-302-302-302-302");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(!o.ok, "6 redirects with a limit of 5: error (HOSTILE-31)");
	tap_ok(o.error != NULL && strstr(o.error, "edirect") != NULL,
	    "the error says redirects: %s", o.error);
	tap_is_int(srv.requests - before, 6, "the 7th request is not made");
	tap_is_int(o.ndata, 0, "no body delivered");
	out_free(&o);
	free(u);
	free(u2);

	/* HOSTILE-32: a redirect to file:// or another scheme is refused. */
	out_init(&o);
	u = url("/tofile");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(!o.ok, "redirect to file:///etc/passwd refused (HOSTILE-32)");
	tap_is_int(o.ndata, 0, "no local file read");
	tap_ok(startswith(o.error, "redirect refused: "), "with an error: %s",
	    o.error);
	out_free(&o);
	out_init(&o);
	memset(&req, 0, sizeof req);
	req.url = u;
	req.allow_file = 1;
	req.allow_private = 1;
	req.data = data_cb;
	req.done = done_cb;
	req.arg = &o;
	tap_is_int(fetch_start(f, &req, NULL), 0, "fetch_start, allow_file");
	loop(10000);
	tap_ok(!o.ok && o.ndata == 0,
	    "redirect to file:// refused even with allow_file");
	out_free(&o);
	free(u);
	out_init(&o);
	u = url("/togopher");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(!o.ok, "redirect to gopher:// refused");
	out_free(&o);
	free(u);

	/* Schemes checked at the start. */
	out_init(&o);
	tap_is_int(get(f, &o, "file:///etc/passwd", 1, NULL, NULL), -1,
	    "file:// without allow_file: fetch_start fails");
	tap_is_str(o.error, "file:// URLs are not allowed (allow_file is off)",
	    "and says why");
	tap_is_int(o.ndone, 0, "done is not called");
	out_free(&o);
	out_init(&o);
	tap_is_int(get(f, &o, "gopher://127.0.0.1/", 1, NULL, NULL), -1,
	    "gopher:// refused at the start");
	tap_is_str(o.error, "scheme not allowed: gopher", "and says why");
	out_free(&o);
	out_init(&o);
	tap_is_int(get(f, &o, "no scheme here", 1, NULL, NULL), -1,
	    "not a URL: fetch_start fails");
	tap_ok(startswith(o.error, "bad URL"), "bad URL: %s", o.error);
	out_free(&o);

	/* A file with allow_file: a 200 without validators. */
	if ((fd = mkstemp(path)) == -1 || write(fd, "<feed>x</feed>", 14) !=
	    14)
		return (1);
	close(fd);
	out_init(&o);
	if (asprintf(&u, "file://%s", path) == -1)
		return (1);
	memset(&req, 0, sizeof req);
	req.url = u;
	req.allow_file = 1;
	req.data = data_cb;
	req.done = done_cb;
	req.arg = &o;
	tap_is_int(fetch_start(f, &req, NULL), 0, "file:// with allow_file");
	loop(10000);
	tap_ok(o.ok && o.status == 200, "file://: ok, status 200 (%ld)",
	    o.status);
	tap_is_str(o.body.data, "<feed>x</feed>", "file://: body");
	tap_ok(o.etag == NULL && o.last_modified == NULL,
	    "file://: no validators");
	out_free(&o);
	free(u);
	unlink(path);

	/* HOSTILE-33, HOSTILE-34, HOSTILE-36: loopback refused. */
	out_init(&o);
	before = srv.requests;
	u = url("/feed");
	get(f, &o, u, 0, NULL, NULL);
	tap_ok(!o.ok && o.status == 0, "127.0.0.1 refused (HOSTILE-33)");
	tap_ok(startswith(o.error, "address not allowed: 127.0.0.1 is "
	    "loopback (allow_private is off)"), "error: %s", o.error);
	tap_is_int(srv.requests, before, "the server saw no request");
	out_free(&o);

	/*
	 * HOSTILE-36: a connection pooled by a feed allowed a private
	 * address does not serve a feed that is not.
	 */
	out_init(&o);
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(o.ok && o.status == 200, "allowed: 127.0.0.1 fetched, its "
	    "connection pooled");
	out_free(&o);
	out_init(&o);
	before = srv.requests;
	get(f, &o, u, 0, NULL, NULL);
	tap_ok(!o.ok && startswith(o.error, "address not allowed: 127.0.0.1 "
	    "is loopback"), "the pooled connection is refused: %s", o.error);
	tap_is_int(srv.requests, before, "the server saw no request on it");
	out_free(&o);
	out_init(&o);
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(o.ok && o.status == 200, "allowed again: fetched");
	out_free(&o);
	free(u);
	before = srv.requests;
	for (i = 0; i < sizeof literal / sizeof literal[0]; i++) {
		out_init(&o);
		if (asprintf(&u, "http://%s:%d/feed", literal[i],
		    srv.port) == -1)
			return (1);
		rv = get(f, &o, u, 0, NULL, NULL);
		tap_ok(rv == 0 && !o.ok &&
		    startswith(o.error, "address not allowed: "),
		    "%s refused: %s", u, o.error);
		out_free(&o);
		free(u);
	}
	tap_is_int(srv.requests, before, "none of them reached the server");

	/* HOSTILE-10: exactly the cap is fine, one byte more is not. */
	out_init(&o);
	u = url("/size/1000");
	get(small, &o, u, 1, NULL, NULL);
	tap_ok(o.ok && o.body_len == 1000, "a body of exactly max_body: ok");
	out_free(&o);
	free(u);
	out_init(&o);
	u = url("/size/1001");
	get(small, &o, u, 1, NULL, NULL);
	tap_ok(!o.ok, "Content-Length of max_body + 1: error");
	tap_is_str(o.error, "body larger than 1000 bytes", "error says so");
	out_free(&o);
	free(u);
	out_init(&o);
	u = url("/chunked/1000");
	get(small, &o, u, 1, NULL, NULL);
	tap_ok(o.ok && o.body_len == 1000, "chunked, exactly max_body: ok");
	out_free(&o);
	free(u);
	out_init(&o);
	u = url("/chunked/5000");
	get(small, &o, u, 1, NULL, NULL);
	tap_ok(!o.ok, "chunked beyond max_body: aborted (HOSTILE-38)");
	tap_is_str(o.error, "body larger than 1000 bytes", "error says so");
	tap_ok(o.body.len <= 1000, "at most max_body delivered (%zu)",
	    o.body.len);
	out_free(&o);
	free(u);

	/* HOSTILE-38: counted after decompression. */
	out_init(&o);
	u = url("/gzip");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(o.ok && o.body_len == 100000,
	    "gzip body decoded: 132 bytes became %lld",
	    (long long)o.body_len);
	out_free(&o);
	out_init(&o);
	get(small, &o, u, 1, NULL, NULL);
	tap_ok(!o.ok && o.error != NULL &&
	    strcmp(o.error, "body larger than 1000 bytes") == 0,
	    "gzip bomb stopped at the decoded cap: %s", o.error);
	out_free(&o);
	free(u);

	/* HOSTILE-40: status codes; no body handed on, Retry-After read. */
	out_init(&o);
	u = url("/404");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(o.ok && o.status == 404 && o.error == NULL,
	    "404: a response, not a transfer error");
	tap_is_int(o.ndata, 0, "404: the error page is not handed on");
	out_free(&o);
	free(u);
	out_init(&o);
	u = url("/410");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(o.ok && o.status == 410, "410");
	out_free(&o);
	free(u);
	out_init(&o);
	u = url("/503");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(o.status == 503 && o.retry_after == 120,
	    "503 with Retry-After: 120 (%lld)", (long long)o.retry_after);
	out_free(&o);
	free(u);
	out_init(&o);
	u = url("/503date");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(o.retry_after >= 290 && o.retry_after <= 300,
	    "Retry-After as an HTTP date (%lld)", (long long)o.retry_after);
	out_free(&o);
	free(u);
	out_init(&o);
	u = url("/503huge");
	get(f, &o, u, 1, NULL, NULL);
	tap_is_int(o.retry_after, INT32_MAX, "a huge Retry-After is clamped");
	out_free(&o);
	free(u);

	/* The receiver aborts: its cause is the error. */
	out_init(&o);
	o.fail_data = 1;
	u = url("/feed");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(!o.ok, "data callback -1 aborts the transfer");
	tap_is_str(o.error, "the parser says no", "with the callback's cause");
	tap_is_int(o.ndata, 1, "and no more data after it");
	out_free(&o);

	/* fetch_start from inside done. */
	out_init(&o);
	out_init(&o2);
	o.stop = 0;
	o.chain_fetch = f;
	o.chain_url = u;
	o.chain_out = &o2;
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(o.ndone == 1 && o2.ndone == 1 && o2.ok && o2.status == 200,
	    "a fetch started from done completes");
	out_free(&o);
	out_free(&o2);

	/* HOSTILE-39: a stuck server times out; others go on meanwhile. */
	out_init(&o);
	out_init(&o2);
	o.stop = 0;
	u2 = url("/hang");
	memset(&req, 0, sizeof req);
	req.url = u2;
	req.allow_private = 1;
	req.data = data_cb;
	req.done = done_cb;
	req.arg = &o;
	fetch_start(slow, &req, NULL);
	get(slow, &o2, u, 1, NULL, NULL);
	tap_ok(o2.ok && o2.status == 200 && o.ndone == 0,
	    "a feed completes while another server hangs");
	tap_is_int(fetch_running(slow), 1, "one transfer still running");
	o.stop = 1;
	loop(5000);
	tap_ok(o.ndone == 1 && !o.ok && o.error != NULL &&
	    strstr(o.error, "timed out") != NULL,
	    "the hanging one times out: %s", o.error);
	out_free(&o);
	out_free(&o2);

	/* Several at once. */
	out_init(&o);
	out_init(&o2);
	o.stop = 0;
	memset(&req, 0, sizeof req);
	req.url = u;
	req.allow_private = 1;
	req.data = data_cb;
	req.done = done_cb;
	req.arg = &o;
	for (i = 0; i < 5; i++)
		fetch_start(f, &req, NULL);
	tap_is_int(fetch_running(f), 5, "five transfers running");
	get(f, &o2, u, 1, NULL, NULL);
	for (i = 0; o.ndone < 5 && i < 100; i++)
		loop(100);
	tap_is_int(o.ndone, 5, "five done callbacks");
	tap_is_str(o.body.data, "<rss>hello</rss><rss>hello</rss>"
	    "<rss>hello</rss><rss>hello</rss><rss>hello</rss>",
	    "five bodies");
	out_free(&o);
	out_free(&o2);

	/* fetch_free aborts without calling done. */
	out_init(&o);
	req.url = u2;
	req.arg = &o;
	cause = NULL;
	tap_is_int(fetch_start(slow, &req, &cause), 0, "start a hanging one");
	loop(50);
	fetch_free(slow);
	loop(50);
	tap_is_int(o.ndone, 0, "fetch_free: done not called");
	out_free(&o);
	free(u);
	free(u2);

	test_head(f);
	test_queue();

	fetch_free(f);
	fetch_free(small);
	fetch_free(NULL);
	evhttp_free(srv.http);
	evhttp_free(proxy.http);
	free(srv.inm);
	free(srv.ims);
	event_base_free(base);
	curl_global_cleanup();
	return (tap_done());
}

/* The head callback, and freshness from Cache-Control and Expires. */
static void
test_head(struct fetch *f)
{
	struct out	 o;
	char		*u, *u2;

	out_init(&o);
	u = url("/r/302-301-");
	u2 = url("/r/");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(o.ok && o.status == 200, "head: redirected 200");
	tap_is_int(o.nhead, 1, "head: called once");
	tap_is_int(o.head_ndata, 0, "head: before any body byte");
	tap_is_int(o.head_status, 200, "head: with the final status");
	tap_is_str(o.head_type, "application/rss+xml",
	    "head: with the Content-Type");
	tap_is_str(o.head_url, u2, "head: with the URL after redirects");
	tap_is_int(o.max_age, -1, "no Cache-Control, no Expires: max_age -1");
	out_free(&o);
	free(u);
	free(u2);

	out_init(&o);
	u = url("/empty");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(o.ok && o.status == 200 && o.body_len == 0,
	    "head: an empty 200");
	tap_is_int(o.nhead, 1, "head: called for an empty body too");
	tap_is_str(o.head_type, "text/html; charset=iso-8859-1",
	    "head: its Content-Type");
	out_free(&o);
	free(u);

	out_init(&o);
	o.fail_head = 1;
	u = url("/feed");
	get(f, &o, u, 1, NULL, NULL);
	tap_ok(!o.ok, "head: -1 aborts the transfer");
	tap_is_str(o.error, "not the type we want", "head: with its cause");
	tap_is_int(o.ndata, 0, "head: no data after a refusal");
	out_free(&o);
	free(u);

	out_init(&o);
	u = url("/404");
	get(f, &o, u, 1, NULL, NULL);
	tap_is_int(o.nhead, 0, "head: not called for a 404");
	out_free(&o);
	free(u);

	out_init(&o);
	u = url("/cc");
	get(f, &o, u, 1, NULL, NULL);
	tap_is_int(o.max_age, 300, "Cache-Control max-age wins over Expires");
	out_free(&o);
	free(u);
	out_init(&o);
	u = url("/expires");
	get(f, &o, u, 1, NULL, NULL);
	tap_is_int(o.max_age, 600, "Expires - Date");
	out_free(&o);
	free(u);
	out_init(&o);
	u = url("/expired");
	get(f, &o, u, 1, NULL, NULL);
	tap_is_int(o.max_age, 0, "Expires: 0 is already expired");
	out_free(&o);
	free(u);
	out_init(&o);
	u = url("/nocache");
	get(f, &o, u, 1, NULL, NULL);
	tap_is_int(o.max_age, 0, "no-cache: fresh for 0 s");
	out_free(&o);
	free(u);
}

/* Politeness: per-host cap, host spacing, global cap, and the queue. */
static void
test_queue(void)
{
	struct fetch_opts	 opts;
	struct fetch		*f;
	struct fetch_req	 req;
	struct out		 o;
	char			*u, *u2;
	int64_t			 gap, mingap = INT64_MAX;
	int			 i;

	memset(&opts, 0, sizeof opts);
	opts.connect_timeout = 5000;
	opts.timeout = 10000;
	opts.max_redirects = 5;
	opts.max_body = 1024 * 1024;
	opts.max_connections = 8;
	opts.max_per_host = 2;
	opts.host_spacing = 200;
	f = fetch_new(base, &opts);

	out_init(&o);
	o.stop = 0;
	u = url("/spaced");
	memset(&req, 0, sizeof req);
	req.url = u;
	req.allow_private = 1;
	req.data = data_cb;
	req.done = done_cb;
	req.arg = &o;
	srv.narrivals = 0;
	for (i = 0; i < 4; i++)
		tap_is_int(fetch_start(f, &req, NULL), 0, "queue: start %d", i);
	tap_is_int(fetch_running(f), 4, "queue: four transfers started");
	tap_is_int(fetch_queued(f), 4, "queue: all four wait for the loop");
	for (i = 0; o.ndone < 4 && i < 50; i++)
		loop(100);
	tap_is_int(o.ndone, 4, "queue: four done");
	tap_is_int(srv.narrivals, 4, "queue: four requests arrived");
	for (i = 1; i < srv.narrivals; i++) {
		gap = srv.arrivals[i] - srv.arrivals[i - 1];
		if (gap < mingap)
			mingap = gap;
	}
	tap_ok(mingap >= 180, "queue: host_spacing 200 ms between request "
	    "starts (least gap %lld ms)", (long long)mingap);
	tap_is_int(fetch_queued(f), 0, "queue: empty");
	tap_is_int(fetch_running(f), 0, "queue: nothing running");
	out_free(&o);
	fetch_free(f);

	/* Per-host cap 1 and a hanging request: the next one waits. */
	opts.host_spacing = 0;
	opts.max_per_host = 1;
	opts.timeout = 400;
	f = fetch_new(base, &opts);
	out_init(&o);
	o.stop = 0;
	u2 = url("/hang");
	req.url = u2;
	req.arg = &o;
	fetch_start(f, &req, NULL);
	req.url = u;
	fetch_start(f, &req, NULL);
	loop(100);
	loop(100);
	tap_is_int(o.ndone, 0, "per-host cap 1: the second waits for the "
	    "hanging first");
	tap_is_int(fetch_queued(f), 1, "per-host cap 1: one queued");
	for (i = 0; o.ndone < 2 && i < 50; i++)
		loop(100);
	tap_ok(o.ndone == 2 && o.ok && o.status == 200,
	    "per-host cap 1: it runs once the first timed out");
	out_free(&o);

	/* fetch_free drops queued transfers without done. */
	out_init(&o);
	req.url = u2;
	req.arg = &o;
	fetch_start(f, &req, NULL);
	req.url = u;
	fetch_start(f, &req, NULL);
	fetch_start(f, &req, NULL);
	loop(50);
	tap_is_int(fetch_queued(f), 2, "two queued behind a hanging one");
	fetch_free(f);
	loop(50);
	tap_is_int(o.ndone, 0, "fetch_free: no done for queued ones");
	out_free(&o);

	/* A global cap of 1 across two origins. */
	opts.max_per_host = 4;
	opts.max_connections = 1;
	opts.timeout = 400;
	f = fetch_new(base, &opts);
	out_init(&o);
	o.stop = 0;
	req.url = u2;
	req.arg = &o;
	fetch_start(f, &req, NULL);
	free(u2);
	if (asprintf(&u2, "http://localhost:%d/feed", srv.port) == -1)
		abort();
	req.url = u2;
	fetch_start(f, &req, NULL);
	loop(100);
	loop(100);
	tap_ok(o.ndone == 0 && fetch_queued(f) == 1, "max_connections 1: "
	    "another origin waits too");
	for (i = 0; o.ndone < 2 && i < 50; i++)
		loop(100);
	tap_ok(o.ndone == 2 && o.ok && o.status == 200,
	    "max_connections 1: then it runs");
	out_free(&o);
	fetch_free(f);
	free(u);
	free(u2);
}
