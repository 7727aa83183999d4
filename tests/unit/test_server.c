/*
 * Unit tests for lib/server: a real server on 127.0.0.1 and a real
 * store in a temporary directory, on a real event loop. Each client is
 * a forked child (raw HTTP over a socket, or server_control_send) whose
 * bytes come back through a pipe that the loop reads.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include <jansson.h>
#include <zlib.h>

#include "buf.h"
#include "conf.h"
#include "date.h"
#include "entry.h"
#include "log.h"
#include "server.h"
#include "store.h"
#include "tap.h"
#include "xmalloc.h"

#define T_KIM		INT64_C(1556108100)	/* 2019-04-24T12:15:00Z */
#define FEED_URL	"http://feeds.example/world.rss"
#define KOREA_URL	"http://feeds.example/korea.rss"

/* An answer read back from a child. */
struct resp {
	int	 status;	/* HTTP status, or the child's exit code */
	char	*head;		/* status line and headers */
	char	*body;
	size_t	 len;
};

/* What the loop collects from one child. */
struct collect {
	struct event_base	*base;
	struct event		*ev;
	struct buf		 b;
};

static struct event_base	*base;
static int			 port;
static char			*refresh_got;
static int			 refresh_calls;
static struct store		*change_store;

static int	 free_port(int);
static void	 collect_cb(evutil_socket_t, short, void *);
static void	 run_child(void (*)(int, const void *), const void *,
		    struct buf *);
static int	 tcp_connect(int);
static int	 send_all(int, const char *);
static void	 copy_all(int, int, size_t);
static void	 http_child(int, const void *);
static void	 inflight_child(int, const void *);
static void	 leave_child(int, const void *);
static void	 ctl_child(int, const void *);
static void	 raw_unix_child(int, const void *);
static void	 resp_parse(const char *, size_t, struct resp *);
static void	 http(const char *, struct resp *);
static void	 resp_free(struct resp *);
static char	*header(const struct resp *, const char *);
static int	 ctl(const char *, const char *, char **);
static int	 test_refresh_cb(const char *, void *, char **);
static void	 get(const char *, const char *, struct resp *);
static json_t	*get_json(const char *);
static char	*gunzip(const char *, size_t, size_t *);
static int	 put_korea(struct store *, int64_t);
static void	 test_views(struct server *, struct store *);
static void	 test_tokens(struct store *);
static void	 test_limits(struct store *);
static int	 status_of(const char *, const char *);
static int	 has_header(const struct resp *, const char *, const char *);
static int	 count(const char *, const char *);
static char	*read_file(const char *);
static struct feed_doc *make_doc(int, size_t);
static int	 put_doc(struct store *, int64_t, int, size_t);
static void	 change_cb(evutil_socket_t, short, void *);
static void	 rmdir_all(const char *);

/* A port nobody listens on now (bound then released). */
static int
free_port(int family)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;
	int			 fd, p = -1;

	memset(&ss, 0, sizeof ss);
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof *sin;
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof *sin6;
	}
	if ((fd = socket(family, SOCK_STREAM, 0)) == -1)
		return (-1);
	if (bind(fd, (struct sockaddr *)&ss, len) == 0 &&
	    getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		p = ntohs(family == AF_INET ? sin->sin_port : sin6->sin6_port);
	close(fd);
	return (p);
}

/* Read what the child writes; at its end, stop the loop. */
static void
collect_cb(evutil_socket_t fd, short what, void *arg)
{
	struct collect	*c = arg;
	char		 chunk[4096];
	ssize_t		 n;

	if (what & EV_TIMEOUT) {
		tap_diag("child timed out");
		event_base_loopbreak(c->base);
		return;
	}
	n = read(fd, chunk, sizeof chunk);
	if (n > 0) {
		buf_add(&c->b, chunk, n);
		return;
	}
	if (n == -1 && errno == EINTR)
		return;
	event_base_loopbreak(c->base);
}

/*
 * Fork a child that runs fn(out_fd, arg) and exits; run the loop (the
 * server answers) until the child closes its end; return its bytes.
 */
static void
run_child(void (*fn)(int, const void *), const void *arg, struct buf *out)
{
	struct collect	c;
	struct timeval	tv = { 15, 0 };
	pid_t		pid;
	int		fds[2], status;

	if (pipe(fds) == -1)
		abort();
	fflush(stdout);
	if ((pid = fork()) == -1)
		abort();
	if (pid == 0) {
		close(fds[0]);
		fn(fds[1], arg);
		close(fds[1]);
		_exit(0);
	}
	close(fds[1]);
	c.base = base;
	buf_init(&c.b);
	c.ev = event_new(base, fds[0], EV_READ | EV_PERSIST, collect_cb, &c);
	event_add(c.ev, &tv);
	event_base_dispatch(base);
	event_free(c.ev);
	close(fds[0]);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	*out = c.b;
}

/* A blocking TCP connection to the server, or -1. */
static int
tcp_connect(int rcvbuf)
{
	struct sockaddr_in	 sin;
	struct timeval		 tv = { 10, 0 };
	int			 fd;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return (-1);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/* Send all of a string; 0 or -1. */
static int
send_all(int fd, const char *s)
{
	size_t	off = 0, len = strlen(s);
	ssize_t	n;

	while (off < len) {
		if ((n = send(fd, s + off, len - off, MSG_NOSIGNAL)) <= 0)
			return (-1);
		off += n;
	}
	return (0);
}

/* Copy what fd sends until its end (or max bytes, if max) to out. */
static void
copy_all(int fd, int out, size_t max)
{
	char	chunk[16384];
	ssize_t	n;
	size_t	total = 0;

	while ((n = recv(fd, chunk, sizeof chunk, 0)) > 0) {
		if (write(out, chunk, n) != n)
			break;
		total += n;
		if (max != 0 && total >= max)
			break;
	}
}

/* Child: send raw bytes to the server, copy its answer to out. */
static void
http_child(int out, const void *arg)
{
	int	fd;

	if ((fd = tcp_connect(0)) == -1)
		return;
	if (send_all(fd, arg) == 0)
		copy_all(fd, out, 0);
	close(fd);
}

#define GET_ATOM	"GET /feed.atom HTTP/1.1\r\nHost: x\r\n" \
			"Connection: close\r\n\r\n"
#define SPLIT		"\n--split--\n"

/*
 * Child (HOSTILE-68): request a big document on a connection that does
 * not read; a second later (the store changed meanwhile), request it
 * again and read it; then read the first. Both answers go to out.
 */
static void
inflight_child(int out, const void *arg)
{
	int	a, b;

	if ((a = tcp_connect(4096)) == -1)
		return;
	if (send_all(a, GET_ATOM) == 0) {
		sleep(1);
		if ((b = tcp_connect(0)) != -1) {
			if (send_all(b, GET_ATOM) == 0)
				copy_all(b, out, 0);
			close(b);
		}
		if (write(out, SPLIT, strlen(SPLIT)) == -1)
			return;
		copy_all(a, out, 0);
	}
	close(a);
}

/* Child (HOSTILE-68): request a big document, read a little, leave. */
static void
leave_child(int out, const void *arg)
{
	int	fd;

	if ((fd = tcp_connect(4096)) == -1)
		return;
	if (send_all(fd, GET_ATOM) == 0)
		copy_all(fd, out, 1000);
	close(fd);
}

struct ctl_args {
	const char	*path;
	const char	*request;
};

/* Child: one control request; write "RC CAUSE" to out. */
static void
ctl_child(int out, const void *arg)
{
	const struct ctl_args	*a = arg;
	char			*cause = NULL, *line;
	int			 rc, n;

	rc = server_control_send(a->path, a->request, &cause);
	n = xasprintf(&line, "%d %s", rc, cause != NULL ? cause : "");
	if (write(out, line, n) != n)
		_exit(1);
	free(line);
	free(cause);
}

/* Child: raw bytes on the control socket, the answer to out. */
static void
raw_unix_child(int out, const void *arg)
{
	const struct ctl_args	*a = arg;
	struct sockaddr_un	 sun;
	struct timeval		 tv = { 10, 0 };
	char			 chunk[512];
	ssize_t			 n;
	int			 fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strncpy(sun.sun_path, a->path, sizeof sun.sun_path - 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1)
		return;
	if (send(fd, a->request, strlen(a->request), MSG_NOSIGNAL) == -1)
		return;
	shutdown(fd, SHUT_WR);
	while ((n = recv(fd, chunk, sizeof chunk, 0)) > 0) {
		if (write(out, chunk, n) != n)
			break;
	}
	close(fd);
}

/* Parse one raw HTTP answer; status -1 if there is none. */
static void
resp_parse(const char *data, size_t len, struct resp *r)
{
	const char	*end;

	memset(r, 0, sizeof *r);
	if (data == NULL || len < 12 || strncmp(data, "HTTP/1.", 7) != 0 ||
	    (end = strstr(data, "\r\n\r\n")) == NULL) {
		r->status = -1;
		r->head = xstrdup("");
		r->body = xstrdup("");
		return;
	}
	r->status = atoi(data + 9);
	r->head = xstrndup(data, end - data + 2);
	r->len = len - (end + 4 - data);
	r->body = xmalloc(r->len + 1);
	memcpy(r->body, end + 4, r->len);
	r->body[r->len] = '\0';
}

/* One HTTP exchange: raw request in, parsed answer out. */
static void
http(const char *req, struct resp *r)
{
	struct buf	b;

	run_child(http_child, req, &b);
	resp_parse(b.data, b.len, r);
	buf_free(&b);
}

static void
resp_free(struct resp *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof *r);
}

/* The value of a response header, or NULL. Caller frees. */
static char *
header(const struct resp *r, const char *name)
{
	const char	*p, *eol;
	size_t		 n = strlen(name);

	for (p = strstr(r->head, "\r\n"); p != NULL;
	    p = strstr(p, "\r\n")) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			eol = strstr(p, "\r\n");
			return (xstrndup(p, eol != NULL ? (size_t)(eol - p) :
			    strlen(p)));
		}
	}
	return (NULL);
}

/* One control request through server_control_send in a child. */
static int
ctl(const char *path, const char *request, char **cause)
{
	struct ctl_args	 a = { path, request };
	struct buf	 b;
	char		*sp;
	int		 rc;

	run_child(ctl_child, &a, &b);
	if (b.data == NULL) {
		*cause = xstrdup("(no answer)");
		return (-2);
	}
	rc = atoi(b.data);
	sp = strchr(b.data, ' ');
	*cause = xstrdup(sp != NULL ? sp + 1 : "");
	buf_free(&b);
	return (rc);
}

static int
test_refresh_cb(const char *feed, void *arg, char **cause)
{
	refresh_calls++;
	free(refresh_got);
	refresh_got = xstrdup(feed != NULL ? feed : "(all)");
	if (feed != NULL && strcmp(feed, "nope") == 0) {
		*cause = xstrdup("no such feed: nope\nsecond line");
		return (-1);
	}
	return (0);
}

/* GET a path, with extra header lines (each ending in CRLF) or NULL. */
static void
get(const char *path, const char *extra, struct resp *r)
{
	char	*req;

	xasprintf(&req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	    "%s\r\n", path, extra != NULL ? extra : "");
	http(req, r);
	free(req);
}

/* GET a path and parse its body as JSON; NULL if it is not 200 JSON. */
static json_t *
get_json(const char *path)
{
	struct resp	 r;
	json_t		*j = NULL;

	get(path, NULL, &r);
	if (r.status == 200)
		j = json_loadb(r.body, r.len, 0, NULL);
	resp_free(&r);
	return (j);
}

/* Inflate a gzip stream; NULL if it is not one. Caller frees. */
static char *
gunzip(const char *data, size_t len, size_t *outlen)
{
	z_stream	 z;
	struct buf	 b;
	char		 chunk[16384];
	int		 rc;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return (NULL);
	buf_init(&b);
	z.next_in = (Bytef *)data;
	z.avail_in = len;
	do {
		z.next_out = (Bytef *)chunk;
		z.avail_out = sizeof chunk;
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END) {
			inflateEnd(&z);
			buf_free(&b);
			return (NULL);
		}
		buf_add(&b, chunk, sizeof chunk - z.avail_out);
	} while (rc != Z_STREAM_END);
	inflateEnd(&z);
	return (buf_steal(&b, outlen));
}

/*
 * Three stories of the Korea feed (category "North Korea", exclude =
 * sponsored): the rules drop the second one.
 */
static int
put_korea(struct store *st, int64_t id)
{
	static const char	*titles[] = { "Pyongyang parade",
				    "Sponsored: visit the DMZ", "Kim speech" };
	struct store_fetch	 f;
	struct feed_doc		*doc;
	struct entry		*e;
	char			*cause = NULL;
	int			 i, rc;

	memset(&f, 0, sizeof f);
	f.status = "ok";
	f.http_status = 200;
	f.fetched_at = T_KIM + 60;
	f.next_poll = T_KIM + 3600;
	doc = feed_doc_new();
	doc->format = FORMAT_RSS20;
	free(doc->meta.title);
	doc->meta.title = xstrdup("Korea news");
	free(doc->meta.link);
	doc->meta.link = xstrdup("https://yonhap.example/");
	for (i = 0; i < 3; i++) {
		e = entry_new();
		xasprintf(&e->id, "https://yonhap.example/%d", i);
		e->title = xstrdup(titles[i]);
		xasprintf(&e->link, "https://yonhap.example/%d", i);
		/* Between the CNN stories: 0 and 1 hour old, then older. */
		e->published = T_KIM - 1800 - 3600 * i;
		e->content = xstrdup("<p>From Seoul.</p>");
		feed_doc_add(doc, e);
	}
	rc = store_put(st, id, doc, &f, NULL, &cause);
	if (rc != 0)
		tap_diag("store_put: %s", cause);
	free(cause);
	feed_doc_free(doc);
	return (rc);
}

/*
 * Categories, JSON Feed, OPML, rules, paging, gzip, /metrics and bad
 * queries, with a second feed in the category "North Korea".
 */
/* How often needle occurs in haystack (0 for a NULL haystack). */
static int
count(const char *haystack, const char *needle)
{
	int	n = 0;

	while (haystack != NULL && (haystack = strstr(haystack, needle)) !=
	    NULL) {
		n++;
		haystack += strlen(needle);
	}
	return (n);
}

static void
test_views(struct server *srv, struct store *st)
{
	static const char	*bad[] = { "/feed.atom?limit=0",
				    "/feed.atom?limit=501", "/feed.atom?limit=-1",
				    "/feed.atom?limit=1e9", "/feed.atom?limit=",
				    "/feed.rss?limit=abc", "/?limit=1&limit=2",
				    "/feed.json?feed=%27%20OR%201=1",
				    "/feed.atom?before=1", "/feed.atom?before=x_1",
				    "/feed.atom?before=1_-1", "/c/north-korea?x=1",
				    "/opml?limit=1",
				    "/feed.atom?limit=99999999999999999999" };
	static const char	*notfound[] = { "/c/nope", "/c/North-Korea",
				    "/c/north-korea.xml", "/c/", "/c/north-korea/",
				    "/feed.xml", "/c/north%2Dkorea" };
	static char		 u0[] = FEED_URL, u1[] = KOREA_URL;
	static char		 inc[] = "\"pyongyang\", /^visit/";
	static char		 exc[] = "/^kim /", badre[] = "/(/";
	static char		 spons[] = "sponsored", title[] = "Test & Feeds";
	struct conf		 conf;
	struct conf_feed	 fv[2];
	struct store_feed	*kf = NULL;
	struct resp		 r, r2;
	json_t			*j, *items, *item;
	char			*cause = NULL, *s, *etag, *path, *ids[8];
	const char		*next, *id;
	size_t			 i, k, n, len;
	int			 pages, dup;

	if (!tap_ok(store_feed_find(st, KOREA_URL, &kf, &cause) == 0 &&
	    kf != NULL, "the Korea feed is in the store"))
		return;
	tap_is_int(put_korea(st, kf->id), 0, "three Korea stories stored");
	store_feed_free(kf);

	j = get_json("/healthz");
	tap_ok(j != NULL && json_integer_value(json_object_get(j, "feeds"))
	    == 2 && json_integer_value(json_object_get(j, "categories")) == 2
	    && json_integer_value(json_object_get(j, "entries")) == 6 &&
	    json_integer_value(json_object_get(j, "published")) == 5,
	    "/healthz counts feeds, categories, entries and what is "
	    "published");
	json_decref(j);

	/* The category pages. */
	get("/c/north-korea", NULL, &r);
	tap_is_int(r.status, 200, "GET /c/north-korea is 200");
	tap_ok(strstr(r.body, "<h1>Category: North Korea</h1>") != NULL,
	    "the page is headed Category: North Korea");
	tap_ok(strstr(r.body, "Pyongyang parade") != NULL &&
	    strstr(r.body, "Kim speech") != NULL, "it has the category's "
	    "stories");
	tap_ok(strstr(r.body, "Sponsored") == NULL, "the feed's exclude rule "
	    "drops one");
	tap_ok(strstr(r.body, "Story 0") == NULL, "and no story of another "
	    "category");
	xasprintf(&s, "<link rel=\"alternate\" type=\"application/atom+xml\""
	    " title=\"Test &amp; Feeds: North Korea\" href=\"http://127.0.0.1:"
	    "%d/c/north-korea.atom\">", port);
	tap_ok(strstr(r.body, s) != NULL, "it links to its own Atom feed");
	free(s);
	tap_ok(strstr(r.body, "type=\"application/feed+json\"") != NULL &&
	    strstr(r.body, "/c/north-korea.rss\">") != NULL, "and to its RSS "
	    "and JSON feeds");
	tap_ok(strstr(r.body, "/c/uncategorized\">Uncategorized</a>") != NULL
	    && strstr(r.body, "aria-current=\"page\">North Korea</a>") !=
	    NULL, "it lists the categories, itself marked");
	s = header(&r, "Content-Security-Policy");
	tap_ok(s != NULL, "a category page has the CSP too");
	free(s);
	resp_free(&r);

	get("/c/uncategorized", NULL, &r);
	tap_ok(r.status == 200 && strstr(r.body, "<h1>Category: Uncategorized"
	    "</h1>") != NULL && strstr(r.body, "Story 1 &amp; more") != NULL &&
	    strstr(r.body, "Pyongyang") == NULL, "GET /c/uncategorized");
	resp_free(&r);
	get("/", NULL, &r);
	tap_ok(r.status == 200 && strstr(r.body, "Pyongyang parade") != NULL
	    && strstr(r.body, "Story 0 &amp; more") != NULL &&
	    strstr(r.body, "Sponsored") == NULL && strstr(r.body,
	    "<h1>Test &amp; Feeds</h1>") != NULL, "the page of everything has "
	    "both feeds, rules applied");
	resp_free(&r);

	get("/c/north-korea.atom", NULL, &r);
	s = header(&r, "Content-Type");
	tap_ok(r.status == 200 && s != NULL && strcmp(s, "application/atom+"
	    "xml; charset=utf-8") == 0 && strstr(r.body, "<title type=\"text\">"
	    "Test &amp; Feeds: North Korea</title>") != NULL,
	    "GET /c/north-korea.atom");
	free(s);
	tap_ok(strstr(r.body, "/c/north-korea.atom\"/>") != NULL &&
	    strstr(r.body, "<title>Yonhap</title>") != NULL,
	    "its self link and atom:source");
	resp_free(&r);
	get("/c/north-korea.rss", NULL, &r);
	tap_ok(r.status == 200 && strstr(r.body, "<rss version=\"2.0\"") !=
	    NULL && strstr(r.body, "Kim speech") != NULL &&
	    strstr(r.body, "Story") == NULL, "GET /c/north-korea.rss");
	resp_free(&r);

	/* JSON Feed. */
	get("/c/north-korea.json", NULL, &r);
	s = header(&r, "Content-Type");
	tap_is_str(s, "application/feed+json; charset=utf-8", "JSON Feed "
	    "Content-Type");
	free(s);
	j = r.status == 200 ? json_loadb(r.body, r.len, 0, NULL) : NULL;
	resp_free(&r);
	items = json_object_get(j, "items");
	item = json_array_get(items, 0);
	tap_ok(j != NULL && strcmp(json_string_value(json_object_get(j,
	    "version")), "https://jsonfeed.org/version/1.1") == 0 &&
	    json_array_size(items) == 2, "JSON Feed 1.1 of the category, two "
	    "items");
	tap_is_str(json_string_value(json_object_get(item, "title")),
	    "Pyongyang parade", "the newest item first");
	tap_is_str(json_string_value(json_object_get(json_array_get(
	    json_object_get(item, "authors"), 0), "name")), "Yonhap",
	    "its author (the source label, the feed has none)");
	tap_is_str(json_string_value(json_object_get(json_array_get(
	    json_object_get(json_object_get(item, "_feedmux"), "sources"), 0),
	    "label")), "Yonhap", "_feedmux.sources names the source");
	tap_is_str(json_string_value(json_object_get(item,
	    "date_published")), "2019-04-24T11:45:00Z", "date_published");
	tap_is_str(json_string_value(json_object_get(item, "content_html")),
	    "<p>From Seoul.</p>", "content_html");
	tap_ok(json_object_get(j, "next_url") == NULL, "one page: no "
	    "next_url");
	json_decref(j);

	j = get_json("/feed.json");
	tap_is_int(json_array_size(json_object_get(j, "items")), 5,
	    "/feed.json: the five stories the rules keep");
	json_decref(j);

	/* OPML. */
	get("/opml", NULL, &r);
	s = header(&r, "Content-Type");
	tap_ok(r.status == 200 && s != NULL && strncmp(s, "text/x-opml", 11)
	    == 0 && strstr(r.body, "<opml version=\"2.0\">") != NULL,
	    "GET /opml: OPML 2.0");
	free(s);
	tap_ok(strstr(r.body, "<outline text=\"North Korea\" title=\"North "
	    "Korea\">\n<outline type=\"rss\" text=\"Yonhap\" title=\"Yonhap\" "
	    "xmlUrl=\"" KOREA_URL "\" htmlUrl=\"https://yonhap.example/\"/>\n"
	    "</outline>") != NULL, "the Korea feed is in its category's "
	    "outline");
	tap_ok(strstr(r.body, "<outline text=\"Uncategorized\"") != NULL &&
	    strstr(r.body, "xmlUrl=\"" FEED_URL "\"") != NULL,
	    "and CNN in Uncategorized");
	resp_free(&r);

	/* Unknown categories and paths. */
	for (i = 0; i < sizeof notfound / sizeof notfound[0]; i++) {
		get(notfound[i], NULL, &r);
		tap_is_int(r.status, 404, "GET %s is 404", notfound[i]);
		resp_free(&r);
	}
	/* HOSTILE-65: bad, repeated or unknown query parameters. */
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		get(bad[i], NULL, &r);
		tap_is_int(r.status, 400, "GET %s is 400", bad[i]);
		resp_free(&r);
	}
	get("/feed.atom?limit=500", NULL, &r);
	tap_is_int(r.status, 200, "limit=500 is allowed");
	resp_free(&r);

	/* Paging: limit=1 from the newest, following next_url. */
	path = xstrdup("/feed.json?limit=1");
	n = 0;
	dup = 0;
	for (pages = 0; path != NULL && pages < 7; pages++) {
		j = get_json(path);
		free(path);
		path = NULL;
		items = json_object_get(j, "items");
		for (i = 0; i < json_array_size(items) && n < 8; i++) {
			id = json_string_value(json_object_get(
			    json_array_get(items, i), "id"));
			for (k = 0; k < n; k++)
				dup += strcmp(ids[k], id) == 0;
			ids[n++] = xstrdup(id);
		}
		next = json_string_value(json_object_get(j, "next_url"));
		if (next != NULL && (s = strstr(next, "/feed.json?")) != NULL)
			path = xstrdup(s);
		json_decref(j);
	}
	free(path);
	tap_ok(pages == 5 && n == 5 && dup == 0, "limit=1: five pages, every "
	    "story once (%d pages, %zu stories, %d twice)", pages, n, dup);
	tap_ok(n == 5 && strcmp(ids[0], "https://cnn.example/story/0") == 0 &&
	    strcmp(ids[1], "https://yonhap.example/0") == 0 &&
	    strcmp(ids[2], "https://cnn.example/story/1") == 0 &&
	    strcmp(ids[3], "https://cnn.example/story/2") == 0 &&
	    strcmp(ids[4], "https://yonhap.example/2") == 0,
	    "pages go newest first, across feeds");
	for (k = 0; k < n; k++)
		free(ids[k]);

	get("/feed.atom?limit=2", NULL, &r);
	tap_ok(r.status == 200 && strstr(r.body, "<link rel=\"next\" "
	    "type=\"application/atom+xml\" href=\"http://127.0.0.1:") != NULL
	    && strstr(r.body, "/feed.atom?limit=2&amp;before=") != NULL &&
	    strstr(r.body, "<link rel=\"first\" type=\"application/atom+xml\""
	    " href=\"http://127.0.0.1:") != NULL, "atom: RFC 5005 first and "
	    "next links");
	resp_free(&r);
	get("/c/north-korea?limit=1", NULL, &r);
	tap_ok(r.status == 200 && strstr(r.body, "rel=\"next\" href=\"http://"
	    "127.0.0.1:") != NULL && strstr(r.body, ">Older entries</a>") !=
	    NULL, "the page links to older entries");
	resp_free(&r);

	/* gzip, when asked for. */
	get("/feed.atom", NULL, &r);
	get("/feed.atom", "Accept-Encoding: deflate, gzip\r\n", &r2);
	s = header(&r2, "Content-Encoding");
	tap_is_str(s, "gzip", "Accept-Encoding: gzip gets gzip");
	free(s);
	s = gunzip(r2.body, r2.len, &len);
	tap_ok(s != NULL && len == r.len && memcmp(s, r.body, len) == 0 &&
	    r2.len < r.len, "the gzip body inflates to the same bytes (%zu "
	    "for %zu)", r2.len, r.len);
	free(s);
	s = header(&r2, "Vary");
	tap_is_str(s, "Accept-Encoding", "Vary: Accept-Encoding");
	free(s);
	etag = header(&r2, "ETag");
	s = header(&r, "ETag");
	tap_ok(etag != NULL && s != NULL && strcmp(etag, s) != 0 &&
	    strlen(etag) == 21 && strcmp(etag + 17, "-gz\"") == 0,
	    "the gzip form has its own strong ETag %s", etag);
	free(s);
	resp_free(&r);
	resp_free(&r2);
	xasprintf(&s, "Accept-Encoding: gzip\r\nIf-None-Match: %s\r\n", etag);
	get("/feed.atom", s, &r);
	free(s);
	tap_is_int(r.status, 304, "If-None-Match with the gzip ETag is 304");
	resp_free(&r);
	free(etag);
	get("/feed.atom", "Accept-Encoding: gzip;q=0, identity\r\n", &r);
	s = header(&r, "Content-Encoding");
	tap_ok(r.status == 200 && s == NULL, "gzip;q=0 is not gzip");
	free(s);
	resp_free(&r);
	http("HEAD /c/north-korea HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	    "Accept-Encoding: gzip\r\n\r\n", &r);
	s = header(&r, "Content-Encoding");
	tap_ok(r.status == 200 && r.len == 0 && s != NULL, "HEAD with gzip: "
	    "no body, gzip headers");
	free(s);
	resp_free(&r);

	/* A changed rule applies to what is stored (SIGHUP). */
	memset(&conf, 0, sizeof conf);
	memset(fv, 0, sizeof fv);
	fv[0].url = u0;
	fv[1].url = u1;
	fv[1].include = inc;
	fv[1].exclude = exc;
	conf.title = title;
	xasprintf(&conf.base_url, "http://127.0.0.1:%d", port);
	conf.feeds = fv;
	conf.nfeeds = 2;
	tap_is_int(server_reload(srv, &conf, &cause), 0, "server_reload with "
	    "new rules");
	get("/c/north-korea", NULL, &r);
	tap_ok(strstr(r.body, "Pyongyang parade") != NULL &&
	    strstr(r.body, "Kim speech") == NULL && strstr(r.body,
	    "Sponsored: visit the DMZ") == NULL, "the new rules apply to "
	    "stored entries");
	resp_free(&r);
	fv[1].include = badre;
	tap_ok(server_reload(srv, &conf, &cause) == -1 && cause != NULL &&
	    strstr(cause, "feed " KOREA_URL ": bad rule \"/(/\"") != NULL,
	    "a malformed rule is refused: %s", cause != NULL ? cause : "");
	free(cause);
	cause = NULL;
	get("/c/north-korea", NULL, &r);
	tap_ok(strstr(r.body, "Pyongyang parade") != NULL &&
	    strstr(r.body, "Kim speech") == NULL, "and the rules in force "
	    "stay");
	resp_free(&r);
	fv[1].include = NULL;
	fv[1].exclude = spons;
	tap_is_int(server_reload(srv, &conf, NULL), 0, "the first rules "
	    "again");

	/* Configured page sizes: the default page and the most ?limit=. */
	conf.page_size = 1;
	conf.max_page_size = 2;
	tap_is_int(server_reload(srv, &conf, NULL), 0, "reload with "
	    "page_size 1, max_page_size 2");
	get("/feed.atom", NULL, &r);
	tap_is_int(count(r.body, "<entry>"), 1, "the page holds page_size "
	    "entries");
	resp_free(&r);
	get("/feed.atom?limit=2", NULL, &r);
	tap_is_int(count(r.body, "<entry>"), 2, "limit=max_page_size is "
	    "allowed");
	resp_free(&r);
	get("/feed.atom?limit=3", NULL, &r);
	tap_ok(r.status == 400 && strstr(r.body, "limit=1 to 2,") != NULL,
	    "limit above max_page_size is 400, naming the range: %d",
	    r.status);
	resp_free(&r);
	conf.page_size = conf.max_page_size = 0;
	tap_is_int(server_reload(srv, &conf, NULL), 0, "the default sizes "
	    "again");
	get("/feed.atom?limit=500", NULL, &r);
	tap_is_int(r.status, 200, "limit=500 is allowed again");
	resp_free(&r);
	free(conf.base_url);

	/* /metrics. */
	get("/metrics", NULL, &r);
	s = header(&r, "Content-Type");
	tap_ok(r.status == 200 && s != NULL && strncmp(s, "text/plain; "
	    "version=0.0.4", 24) == 0, "GET /metrics: Prometheus text");
	free(s);
	tap_ok(strstr(r.body, "\nfeedmux_feeds{status=\"ok\"} 2\n") != NULL &&
	    strstr(r.body, "\nfeedmux_feeds{status=\"error\"} 0\n") != NULL,
	    "feeds by status");
	tap_ok(strstr(r.body, "\nfeedmux_entries 6\n") != NULL,
	    "entries stored");
	tap_ok(strstr(r.body, "feedmux_http_requests_total{route=\"/c\","
	    "status=\"404\"} 6\n") != NULL && strstr(r.body,
	    "feedmux_http_requests_total{route=\"/feed\",status=\"304\"} ") !=
	    NULL && strstr(r.body, "feedmux_http_requests_total{route=\"/c\","
	    "status=\"400\"} 1\n") != NULL, "requests by route and status");
	tap_ok(strstr(r.body, "\nfeedmux_render_seconds_count ") != NULL &&
	    strstr(r.body, "\nfeedmux_render_seconds_sum ") != NULL,
	    "render times");
	resp_free(&r);
}

/*
 * A parsed document with n entries, the newest first; with big != 0,
 * n more entries ("big/N") of big bytes of text each, older ones.
 */
static struct feed_doc *
make_doc(int n, size_t big)
{
	struct feed_doc	*doc;
	struct entry	*e;
	int		 i;

	doc = feed_doc_new();
	doc->format = FORMAT_RSS20;
	free(doc->meta.title);
	doc->meta.title = xstrdup("World news");
	free(doc->meta.link);
	doc->meta.link = xstrdup("https://cnn.example/");
	for (i = 0; i < n; i++) {
		e = entry_new();
		xasprintf(&e->id, "https://cnn.example/story/%d", i);
		xasprintf(&e->title, "Story %d & more", i);
		xasprintf(&e->link, "https://cnn.example/story/%d", i);
		e->author = xstrdup("Jane Doe");
		e->published = T_KIM - 3600 * i;
		e->content = xstrdup("<p>First paragraph.</p>"
		    "<p>Second paragraph.</p>");
		feed_doc_add(doc, e);
	}
	for (i = 0; big != 0 && i < n; i++) {
		e = entry_new();
		xasprintf(&e->id, "https://cnn.example/big/%d", i);
		xasprintf(&e->title, "Big story %d", i);
		xasprintf(&e->link, "https://cnn.example/big/%d", i);
		e->published = T_KIM - 86400 - 3600 * i;
		e->content = xmalloc(big + 1);
		memset(e->content, 'x', big);
		memcpy(e->content, "<p>", 3);
		memcpy(e->content + big - 4, "</p>", 4);
		e->content[big] = '\0';
		feed_doc_add(doc, e);
	}
	return (doc);
}

/* Write a poll of feed id to the store (see make_doc). */
static int
put_doc(struct store *st, int64_t id, int n, size_t big)
{
	struct store_fetch	 f;
	struct feed_doc		*doc;
	char			*cause = NULL;
	int			 rc;

	memset(&f, 0, sizeof f);
	f.status = "ok";
	f.http_status = 200;
	f.fetched_at = T_KIM + 60;
	f.next_poll = T_KIM + 3600;
	doc = make_doc(n, big);
	rc = store_put(st, id, doc, &f, NULL, &cause);
	if (rc != 0)
		tap_diag("store_put: %s", cause);
	free(cause);
	feed_doc_free(doc);
	return (rc);
}

/* A timer: the store changes while a response is in flight. */
static void
change_cb(evutil_socket_t fd, short what, void *arg)
{
	struct store_feed	*sf = arg;

	tap_is_int(put_doc(change_store, sf->id, 17, 0), 0,
	    "the store changes while a response is in flight");
}

/* Remove the temporary directory and the files in it. */
static void
rmdir_all(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		*path;

	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			xasprintf(&path, "%s/%s", dir, de->d_name);
			unlink(path);
			free(path);
		}
		closedir(d);
	}
	if (rmdir(dir) == -1)
		tap_diag("cannot remove %s: %s", dir, strerror(errno));
}

/* The status of GET path with extra header lines (or NULL). */
static int
status_of(const char *path, const char *extra)
{
	struct resp	r;
	int		status;

	get(path, extra, &r);
	status = r.status;
	resp_free(&r);
	return (status);
}

/* Does a response have the header name, with value (NULL: any)? */
static int
has_header(const struct resp *r, const char *name, const char *value)
{
	char	*v;
	int	 ok;

	v = header(r, name);
	ok = v != NULL && (value == NULL || strcmp(v, value) == 0);
	free(v);
	return (ok);
}

/* A whole file, or NULL. Caller frees. */
static char *
read_file(const char *path)
{
	struct buf	 b;
	char		 chunk[4096];
	FILE		*f;
	size_t		 n;

	if ((f = fopen(path, "r")) == NULL)
		return (NULL);
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	buf_add(&b, "", 0);
	fclose(f);
	return (buf_steal(&b, NULL));
}

#define TOK_ALL		"all-0123456789abcdef"
#define TOK_KOREA	"korea_0123456789~XYZ"

/*
 * Access tokens (issue 6): [daemon] access_token guards every output, a
 * [category] one its category; 401 without; ?token= or a Bearer header;
 * links carry a ?token= on; the log never shows it. A second server on
 * the same store, with the Korea stories test_views stored.
 */
static void
test_tokens(struct store *st)
{
	static char		 u0[] = FEED_URL, u1[] = KOREA_URL;
	static char		 spons[] = "sponsored", title[] = "Tokens";
	static char		 kname[] = "North Korea", tall[] = TOK_ALL;
	static char		 tkorea[] = TOK_KOREA;
	struct conf		 conf;
	struct conf_feed	 fv[2];
	struct conf_category	 cats[1];
	struct server		*srv;
	struct resp		 r;
	json_t			*j;
	const char		*v;
	char			*cause = NULL, *s, *etag, *logf, *logtext;
	char			 next[512], want[256];
	const char		*p, *q;
	int			 oport = port, saved, lfd, pages, last = 0;

	memset(&conf, 0, sizeof conf);
	memset(fv, 0, sizeof fv);
	memset(cats, 0, sizeof cats);
	fv[0].url = u0;
	fv[1].url = u1;
	fv[1].exclude = spons;
	cats[0].name = kname;
	cats[0].access_token = tkorea;
	conf.title = title;
	conf.feeds = fv;
	conf.nfeeds = 2;
	conf.categories = cats;
	conf.ncategories = 1;
	conf.access_token = tall;
	port = free_port(AF_INET);
	xasprintf(&conf.listen, "127.0.0.1:%d", port);
	xasprintf(&conf.base_url, "http://127.0.0.1:%d", port);
	srv = server_new(base, st, &conf, &cause);
	if (!tap_ok(srv != NULL, "a server with access tokens")) {
		tap_diag("%s", cause);
		free(cause);
		port = oport;
		return;
	}

	/* Every request is logged (debug); the log goes to a file here. */
	xasprintf(&logf, "/tmp/test_server_log.%ld", (long)getpid());
	fflush(stderr);
	saved = dup(2);
	lfd = open(logf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(lfd, 2);
	close(lfd);
	log_open("test_server", LOG_LEVEL_DEBUG);

	/* The [daemon] token guards everything. */
	get("/feed.atom", NULL, &r);
	tap_ok(r.status == 401 && has_header(&r, "WWW-Authenticate",
	    "Bearer realm=\"feedmux\"") && strstr(r.body, "token") != NULL,
	    "no token: 401 with WWW-Authenticate: Bearer");
	resp_free(&r);
	get("/feed.atom?token=all-0123456789abcdeX", NULL, &r);
	tap_ok(r.status == 401 && has_header(&r, "WWW-Authenticate",
	    "Bearer realm=\"feedmux\", error=\"invalid_token\""),
	    "a wrong token: 401, invalid_token");
	resp_free(&r);
	tap_is_int(status_of("/feed.atom?token=all-0123456789abcde", NULL),
	    401, "the token less its last character: 401");
	tap_is_int(status_of("/feed.atom?token=" TOK_ALL "0", NULL), 401,
	    "the token and one more character: 401");
	tap_is_int(status_of("/feed.atom?token=", NULL), 401,
	    "an empty token: 401");
	memset(next, 'a', 300);
	memcpy(next, "/?token=", 8);
	next[300] = '\0';
	tap_is_int(status_of(next, NULL), 401, "a token too long: 401");
	tap_is_int(status_of("/feed.atom?token=" TOK_ALL "&token=" TOK_ALL,
	    NULL), 400, "token twice: 400");
	tap_is_int(status_of("/feed.atom", "Authorization: Basic "
	    "dXNlcjpwYXNz\r\n"), 401, "Basic authorization: 401");
	tap_is_int(status_of("/feed.atom", "Authorization: Bearer\r\n"), 401,
	    "Bearer without a token: 401");

	get("/feed.atom?token=" TOK_ALL, NULL, &r);
	tap_ok(r.status == 200 && strstr(r.body, "<feed") != NULL,
	    "?token=: 200");
	tap_ok(has_header(&r, "Cache-Control", "private, max-age=60") &&
	    has_header(&r, "Vary", "Accept-Encoding, Authorization"),
	    "a guarded document is private to caches: Cache-Control, Vary");
	xasprintf(&s, "rel=\"alternate\" type=\"text/html\" "
	    "href=\"http://127.0.0.1:%d/?token=" TOK_ALL "\"", port);
	tap_ok(strstr(r.body, s) != NULL, "its link to the page has the "
	    "token");
	free(s);
	xasprintf(&s, "rel=\"self\" type=\"application/atom+xml\" "
	    "href=\"http://127.0.0.1:%d/feed.atom?token=" TOK_ALL "\"", port);
	tap_ok(strstr(r.body, s) != NULL, "so has its self link");
	free(s);
	tap_ok(strstr(r.body, "https://yonhap.example/0?token") == NULL &&
	    strstr(r.body, "https://yonhap.example/\"") != NULL,
	    "links elsewhere never get it");
	etag = header(&r, "ETag");
	resp_free(&r);
	xasprintf(&s, "If-None-Match: %s\r\n", etag != NULL ? etag : "x");
	tap_is_int(status_of("/feed.atom?token=" TOK_ALL, s), 304,
	    "a guarded document answers 304 too");
	tap_is_int(status_of("/feed.atom", s), 401,
	    "but not without the token");
	free(s);
	free(etag);

	get("/feed.atom", "Authorization: Bearer " TOK_ALL "\r\n", &r);
	tap_ok(r.status == 200 && strstr(r.body, "token=") == NULL,
	    "Authorization: Bearer: 200, and links without the token");
	resp_free(&r);
	tap_is_int(status_of("/feed.atom", "authorization:   bearer  "
	    TOK_ALL "  \r\n"), 200, "the scheme in any case, spaces around");
	tap_is_int(status_of("/feed.atom?token=nope",
	    "Authorization: Bearer " TOK_ALL "\r\n"), 200,
	    "a good header and a bad query: 200");

	/* Paging by the next links, the token in each. */
	snprintf(next, sizeof next, "/feed.atom?limit=2&token=" TOK_ALL);
	for (pages = 0; pages < 10 && *next != '\0'; pages++) {
		get(next, NULL, &r);
		last = r.status;
		if (r.status != 200) {
			resp_free(&r);
			break;
		}
		*next = '\0';
		if ((p = strstr(r.body, "<link rel=\"next\"")) != NULL &&
		    (p = strstr(p, "href=\"http://127.0.0.1:")) != NULL &&
		    (p = strchr(p + 23, '/')) != NULL &&
		    (q = strchr(p, '"')) != NULL && (size_t)(q - p) <
		    sizeof next) {
			memcpy(next, p, q - p);
			next[q - p] = '\0';
			/* Unescape the &amp; of the attribute. */
			while ((s = strstr(next, "&amp;")) != NULL)
				memmove(s + 1, s + 5, strlen(s + 5) + 1);
			if (pages == 0)
				tap_ok(strstr(next, "token=" TOK_ALL) !=
				    NULL && strstr(next, "before=") != NULL,
				    "the next link has the token: %s", next);
		}
		resp_free(&r);
	}
	tap_ok(last == 200 && pages >= 2 && *next == '\0',
	    "paged through %d pages by their next links, to the last", pages);

	get("/?token=" TOK_ALL, NULL, &r);
	xasprintf(&s, "href=\"http://127.0.0.1:%d/feed.rss?token=" TOK_ALL
	    "\"", port);
	tap_ok(r.status == 200 && strstr(r.body, s) != NULL,
	    "the page's links to its feeds have the token");
	free(s);
	xasprintf(&s, "href=\"http://127.0.0.1:%d/c/north-korea?token="
	    TOK_ALL "\"", port);
	tap_ok(strstr(r.body, s) != NULL, "and its links to categories "
	    "(the [daemon] token opens them)");
	free(s);
	tap_ok(has_header(&r, "Cache-Control", "private, no-cache") &&
	    has_header(&r, "Content-Security-Policy", NULL),
	    "the page: private, and its CSP");
	resp_free(&r);

	j = NULL;
	get("/feed.json?limit=1&token=" TOK_ALL, NULL, &r);
	if (r.status == 200)
		j = json_loadb(r.body, r.len, 0, NULL);
	v = json_string_value(json_object_get(j, "next_url"));
	tap_ok(v != NULL && strstr(v, "limit=1&token=" TOK_ALL "&before=")
	    != NULL, "JSON Feed next_url has the token: %s", v ? v : "");
	v = json_string_value(json_object_get(j, "home_page_url"));
	xasprintf(&s, "http://127.0.0.1:%d/?token=" TOK_ALL, port);
	tap_is_str(v, s, "JSON Feed home_page_url has the token");
	free(s);
	json_decref(j);
	resp_free(&r);

	tap_is_int(status_of("/opml", NULL), 401, "/opml: 401 without");
	tap_is_int(status_of("/opml?token=" TOK_ALL, NULL), 200,
	    "/opml?token=: 200");
	tap_is_int(status_of("/healthz", NULL), 200, "/healthz stays open");
	tap_is_int(status_of("/metrics", NULL), 200, "/metrics stays open");
	tap_is_int(status_of("/c/north-korea?token=" TOK_ALL, NULL), 200,
	    "the [daemon] token opens a category with its own");
	tap_is_int(status_of("/c/north-korea.rss?token=" TOK_KOREA, NULL),
	    200, "so does the category's token");
	tap_is_int(status_of("/c/uncategorized?token=" TOK_KOREA, NULL), 401,
	    "which opens no other category");
	tap_is_int(status_of("/feed.atom?token=" TOK_KOREA, NULL), 401,
	    "nor the outputs of everything");
	get("/c/north-korea?token=" TOK_KOREA, NULL, &r);
	xasprintf(&s, "href=\"http://127.0.0.1:%d/c/north-korea.atom?token="
	    TOK_KOREA "\"", port);
	tap_ok(r.status == 200 && strstr(r.body, s) != NULL,
	    "the category page links to its feeds with its token");
	free(s);
	xasprintf(&s, "href=\"http://127.0.0.1:%d/c/uncategorized\"", port);
	tap_ok(strstr(r.body, s) != NULL, "and to other categories "
	    "without it");
	free(s);
	resp_free(&r);
	tap_is_int(status_of("/nope?token=" TOK_ALL, NULL), 404,
	    "an unknown path is still 404");

	/* A category token alone: the category is private. */
	conf.access_token = NULL;
	tap_is_int(server_reload(srv, &conf, NULL), 0, "reload: the [daemon] "
	    "token off");
	get("/feed.atom", NULL, &r);
	tap_ok(r.status == 200 && strstr(r.body, "Story 0") != NULL &&
	    strstr(r.body, "Pyongyang parade") == NULL,
	    "the outputs of everything are open, without the private "
	    "category's entries");
	resp_free(&r);
	get("/", NULL, &r);
	tap_ok(r.status == 200 && strstr(r.body, "/c/uncategorized\"") !=
	    NULL && strstr(r.body, "north-korea") == NULL,
	    "the page does not list the private category");
	resp_free(&r);
	get("/opml", NULL, &r);
	tap_ok(r.status == 200 && strstr(r.body, FEED_URL) != NULL &&
	    strstr(r.body, KOREA_URL) == NULL,
	    "the OPML leaves out the private category's feeds");
	resp_free(&r);
	tap_is_int(status_of("/c/north-korea", NULL), 401,
	    "the private category: 401 without its token");
	tap_is_int(status_of("/c/north-korea.atom?token=" TOK_ALL, NULL), 401,
	    "the old [daemon] token no longer opens it");
	get("/c/north-korea.atom", "Authorization: Bearer " TOK_KOREA "\r\n",
	    &r);
	tap_ok(r.status == 200 && strstr(r.body, "Pyongyang parade") != NULL,
	    "its token opens it, with its entries");
	resp_free(&r);
	tap_is_int(status_of("/c/uncategorized", NULL), 200,
	    "another category is open");
	tap_is_int(status_of("/c/nope", NULL), 404,
	    "an unknown category is 404");

	/* No token at all: everything open again. */
	conf.ncategories = 0;
	tap_is_int(server_reload(srv, &conf, NULL), 0, "reload: no token");
	get("/feed.atom", NULL, &r);
	tap_ok(r.status == 200 && strstr(r.body, "Pyongyang parade") != NULL,
	    "the outputs of everything show every category again");
	tap_ok(has_header(&r, "Cache-Control", "max-age=60") &&
	    has_header(&r, "Vary", "Accept-Encoding"), "and are public to "
	    "caches");
	resp_free(&r);
	tap_is_int(status_of("/c/north-korea?token=whatever", NULL), 200,
	    "a token where none is needed is ignored");

	/* The log: every request, the token never. */
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	log_open("test_server", LOG_LEVEL_INFO);
	logtext = read_file(logf);
	unlink(logf);
	free(logf);
	snprintf(want, sizeof want, "http: GET /feed.atom?limit=2&token="
	    "REDACTED 200");
	tap_ok(logtext != NULL && strstr(logtext, want) != NULL &&
	    strstr(logtext, "http: GET /c/north-korea 401") != NULL,
	    "requests are logged (debug)");
	tap_ok(logtext != NULL && strstr(logtext, TOK_ALL) == NULL &&
	    strstr(logtext, TOK_KOREA) == NULL &&
	    strstr(logtext, "all-0123456789abcde") == NULL,
	    "no token in the log");
	free(logtext);

	server_free(srv);
	free(conf.listen);
	free(conf.base_url);
	port = oport;
}

/*
 * The configured HTTP limits take effect: a request timeout of 300 ms
 * closes a silent connection, and a header cap of 1 KB refuses more.
 */
static void
test_limits(struct store *st)
{
	struct conf	 conf;
	struct server	*srv;
	struct timespec	 t0, t1;
	struct buf	 b;
	char		*cause = NULL, *big;
	double		 secs;
	int		 oport = port;

	memset(&conf, 0, sizeof conf);
	conf.http_request_timeout = 300;
	conf.http_max_header_size = 1024;
	port = free_port(AF_INET);
	xasprintf(&conf.listen, "127.0.0.1:%d", port);
	srv = server_new(base, st, &conf, &cause);
	if (!tap_ok(srv != NULL, "a server with small limits")) {
		tap_diag("%s", cause);
		free(cause);
		port = oport;
		return;
	}
	big = xmalloc(2048);
	memset(big, 'a', 2047);
	big[2047] = '\0';
	memcpy(big, "X-Big: ", 7);
	memcpy(big + 2040, "\r\n", 3);
	tap_is_int(status_of("/healthz", big), 400,
	    "http_max_header_size = 1K: a 2 KB header is refused");
	big[900] = '\0';
	memcpy(big + 898, "\r\n", 2);
	tap_is_int(status_of("/healthz", big), 200,
	    "a 900-byte header is not");
	free(big);

	/* A silent client, in a child while the loop runs. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run_child(http_child, "", &b);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	tap_ok(b.len == 0 && secs >= 0.25 && secs < 5,
	    "http_request_timeout = 300ms: a silent connection is closed "
	    "after %.2f s", secs);
	buf_free(&b);
	server_free(srv);
	free(conf.listen);
	port = oport;
}

int
main(void)
{
	struct conf		 conf, conf2;
	struct conf_feed	 feed, kfeed, feedv[2];
	struct store		*st;
	struct store_feed	*sf = NULL;
	struct server		*srv, *srv2;
	struct resp		 r, r2;
	struct ctl_args		 a;
	struct timeval		 tv;
	struct sockaddr_un	 sun;
	struct stat		 sb;
	struct buf		 b;
	char			 dir[] = "/tmp/test_server.XXXXXX";
	char			*dbpath, *sock, *cause = NULL, *etag, *lm;
	char			*etag2, *lm2, *s, *req, *big, *sp;
	int			 fd, rc, p6;

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL)
		abort();
	xasprintf(&dbpath, "%s/feedmux.db", dir);
	xasprintf(&sock, "%s/control.sock", dir);
	base = event_base_new();

	memset(&feed, 0, sizeof feed);
	feed.url = xstrdup(FEED_URL);
	feed.label = xstrdup("CNN");
	feed.category = xstrdup("Uncategorized");
	feed.allow_private = -1;
	memset(&kfeed, 0, sizeof kfeed);
	kfeed.url = xstrdup(KOREA_URL);
	kfeed.label = xstrdup("Yonhap");
	kfeed.category = xstrdup("North Korea");
	kfeed.exclude = xstrdup("sponsored");
	kfeed.allow_private = -1;
	feedv[0] = feed;
	feedv[1] = kfeed;
	memset(&conf, 0, sizeof conf);
	port = free_port(AF_INET);
	xasprintf(&conf.listen, "127.0.0.1:%d", port);
	conf.control = sock;
	conf.title = xstrdup("Test & Feeds");
	xasprintf(&conf.base_url, "http://127.0.0.1:%d", port);
	conf.database = dbpath;
	conf.feeds = feedv;
	conf.nfeeds = 2;

	st = store_open(dbpath, 0, &cause);
	if (!tap_ok(st != NULL, "store opens in %s", dir)) {
		tap_diag("%s", cause);
		return (tap_done());
	}
	rc = store_sync_feeds(st, &conf, &cause);
	tap_is_int(rc, 0, "store_sync_feeds");
	rc = store_feed_find(st, FEED_URL, &sf, &cause);
	if (!tap_ok(rc == 0 && sf != NULL, "the feed is in the store"))
		return (tap_done());
	tap_is_int(put_doc(st, sf->id, 2, 0), 0, "two entries stored");

	/* A stale socket file: bound once, nobody listening now. */
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strncpy(sun.sun_path, sock, sizeof sun.sun_path - 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	tap_ok(bind(fd, (struct sockaddr *)&sun, sizeof sun) == 0,
	    "a stale control socket is left behind");
	close(fd);

	srv = server_new(base, st, &conf, &cause);
	if (!tap_ok(srv != NULL, "server_new listens on %s", conf.listen)) {
		tap_diag("%s", cause);
		return (tap_done());
	}
	server_set_refresh_cb(srv, test_refresh_cb, NULL);
	tap_ok(stat(sock, &sb) == 0 && S_ISSOCK(sb.st_mode) &&
	    (sb.st_mode & 0777) == 0600, "control socket replaced, mode 0600");

	/* HOSTILE-56: the address is taken; the control socket is live. */
	memset(&conf2, 0, sizeof conf2);
	conf2 = conf;
	srv2 = server_new(base, st, &conf2, &cause);
	xasprintf(&s, "cannot listen on %s: %s", conf.listen,
	    strerror(EADDRINUSE));
	tap_ok(srv2 == NULL && cause != NULL && strcmp(cause, s) == 0,
	    "address in use: %s", cause != NULL ? cause : "(none)");
	free(s);
	free(cause);
	cause = NULL;
	conf2.listen = xstrdup("127.0.0.1");
	srv2 = server_new(base, st, &conf2, &cause);
	free(conf2.listen);
	tap_ok(srv2 == NULL && cause != NULL &&
	    strstr(cause, "expected host:port") != NULL,
	    "malformed listen: %s", cause != NULL ? cause : "(none)");
	free(cause);
	cause = NULL;
	xasprintf(&conf2.listen, "127.0.0.1:%d", free_port(AF_INET));
	srv2 = server_new(base, st, &conf2, &cause);
	tap_ok(srv2 == NULL && cause != NULL &&
	    strstr(cause, "is in use") != NULL,
	    "a live control socket is not taken over: %s",
	    cause != NULL ? cause : "(none)");
	free(cause);
	cause = NULL;
	tap_ok(stat(sock, &sb) == 0, "the live control socket is still "
	    "there");
	free(conf2.listen);

	/* IPv6 literal, when the system has ::1. */
	if ((p6 = free_port(AF_INET6)) > 0) {
		conf2 = conf;
		conf2.control = NULL;
		xasprintf(&conf2.listen, "[::1]:%d", p6);
		srv2 = server_new(base, st, &conf2, &cause);
		tap_ok(srv2 != NULL, "listens on %s", conf2.listen);
		server_free(srv2);
		free(conf2.listen);
		free(cause);
		cause = NULL;
	} else
		tap_diag("no IPv6 loopback here: [::1] not tested");

	/* The page. */
	http("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &r);
	tap_is_int(r.status, 200, "GET / is 200");
	s = header(&r, "Content-Type");
	tap_is_str(s, "text/html; charset=utf-8", "page Content-Type");
	free(s);
	s = header(&r, "Content-Security-Policy");
	/* HOSTILE-70 */
	tap_ok(s != NULL && strstr(s, "default-src 'none'") != NULL &&
	    strstr(s, "script") == NULL, "page has a strict CSP: %s",
	    s != NULL ? s : "(none)");
	free(s);
	s = header(&r, "X-Content-Type-Options");
	tap_is_str(s, "nosniff", "page nosniff");
	free(s);
	tap_ok(strstr(r.body, "by Jane Doe</p>") != NULL &&
	    strstr(r.body, "Posted on ") != NULL, "page: Posted on ... by "
	    "Jane Doe");
	tap_ok(strstr(r.body, "CNN</a>]") != NULL ||
	    strstr(r.body, "[CNN]") != NULL, "page: [CNN]");
	tap_ok(strstr(r.body, "<p>First paragraph.</p><p>Second paragraph."
	    "</p>") != NULL, "page: paragraphs");
	tap_ok(strstr(r.body, "<script") == NULL, "page: no script");
	tap_ok(strstr(r.body, "<h1>Test &amp; Feeds</h1>") != NULL,
	    "page: title from the config");
	resp_free(&r);

	/* The Atom feed, its validators, and conditional requests. */
	http("GET /feed.atom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	    &r);
	tap_is_int(r.status, 200, "GET /feed.atom is 200");
	s = header(&r, "Content-Type");
	/* HOSTILE-70 */
	tap_is_str(s, "application/atom+xml; charset=utf-8",
	    "atom Content-Type");
	free(s);
	s = header(&r, "X-Content-Type-Options");
	tap_is_str(s, "nosniff", "atom nosniff");
	free(s);
	s = header(&r, "Content-Length");
	tap_ok(s != NULL && (size_t)atoi(s) == r.len, "atom Content-Length "
	    "matches the body");
	free(s);
	etag = header(&r, "ETag");
	lm = header(&r, "Last-Modified");
	tap_ok(etag != NULL && strlen(etag) == 18 && etag[0] == '"' &&
	    etag[17] == '"', "strong quoted ETag %s", etag);
	tap_ok(lm != NULL && strlen(lm) == 29 && strcmp(lm + 25, " GMT") == 0,
	    "Last-Modified %s", lm);
	tap_ok(strstr(r.body, "<feed xmlns=\"http://www.w3.org/2005/Atom\">")
	    != NULL && strstr(r.body, "Story 1 &amp; more") != NULL,
	    "atom body has the entries");
	resp_free(&r);

	http("GET /feed.atom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	    &r);
	etag2 = header(&r, "ETag");
	lm2 = header(&r, "Last-Modified");
	/* HOSTILE-69 */
	tap_ok(r.status == 200 && etag2 != NULL && strcmp(etag, etag2) == 0 &&
	    lm2 != NULL && strcmp(lm, lm2) == 0,
	    "ETag and Last-Modified stable while nothing changes");
	free(etag2);
	free(lm2);
	resp_free(&r);

	xasprintf(&req, "GET /feed.atom HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\nIf-None-Match: %s\r\n\r\n", etag);
	http(req, &r);
	free(req);
	/* HOSTILE-69 */
	tap_is_int(r.status, 304, "If-None-Match: the ETag is 304");
	tap_is_int(r.len, 0, "304 has no body");
	s = header(&r, "ETag");
	tap_is_str(s, etag, "304 carries the ETag");
	free(s);
	resp_free(&r);

	xasprintf(&req, "GET /feed.atom HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\nIf-None-Match: \"0000000000000000\", "
	    "W/%s\r\n\r\n", etag);
	http(req, &r);
	free(req);
	tap_is_int(r.status, 304, "If-None-Match list with W/ETag is 304");
	resp_free(&r);

	http("GET /feed.atom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	    "If-None-Match: *\r\n\r\n", &r);
	tap_is_int(r.status, 304, "If-None-Match: * is 304");
	resp_free(&r);

	xasprintf(&req, "GET /feed.atom HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\nIf-None-Match: \"0000000000000000\"\r\n"
	    "If-Modified-Since: %s\r\n\r\n", lm);
	http(req, &r);
	free(req);
	tap_is_int(r.status, 200, "If-None-Match mismatch wins over "
	    "If-Modified-Since: 200");
	resp_free(&r);

	xasprintf(&req, "GET /feed.atom HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\nIf-Modified-Since: %s\r\n\r\n", lm);
	http(req, &r);
	free(req);
	tap_is_int(r.status, 304, "If-Modified-Since: Last-Modified is 304");
	resp_free(&r);

	http("GET /feed.atom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	    "If-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT\r\n\r\n", &r);
	tap_is_int(r.status, 200, "If-Modified-Since in the past is 200");
	resp_free(&r);

	http("HEAD /feed.atom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	    &r);
	s = header(&r, "ETag");
	tap_ok(r.status == 200 && r.len == 0 && s != NULL &&
	    strcmp(s, etag) == 0, "HEAD: 200, same ETag, no body");
	free(s);
	s = header(&r, "Content-Length");
	tap_ok(s != NULL && atoi(s) > 1000, "HEAD: the Content-Length of the "
	    "GET (%s)", s != NULL ? s : "none");
	free(s);
	resp_free(&r);
	run_child(http_child, "HEAD /feed.atom HTTP/1.1\r\nHost: x\r\n\r\n"
	    "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	    &b);
	tap_ok(b.data != NULL && strstr(b.data, "\r\n\r\nHTTP/1.1 200 OK\r\n")
	    != NULL && b.len > 2 && strcmp(b.data + b.len - 2, "}\n") == 0 &&
	    strstr(b.data, "\"status\":\"ok\"") != NULL,
	    "HEAD then GET on one connection: no body after HEAD");
	buf_free(&b);

	http("GET /feed.rss HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	    &r);
	s = header(&r, "Content-Type");
	tap_ok(r.status == 200 && s != NULL &&
	    strcmp(s, "application/rss+xml; charset=utf-8") == 0 &&
	    strstr(r.body, "<rss version=\"2.0\"") != NULL, "GET /feed.rss");
	free(s);
	resp_free(&r);

	http("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	    &r);
	s = header(&r, "Content-Type");
	tap_ok(r.status == 200 && strncmp(r.body, "{\"status\":\"ok\"", 14)
	    == 0 && s != NULL && strcmp(s, "application/json") == 0,
	    "GET /healthz: JSON, ok");
	free(s);
	resp_free(&r);

	/* HOSTILE-65: anything else is 404, and no file is ever read. */
	http("GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &r);
	tap_is_int(r.status, 404, "GET /nope is 404");
	resp_free(&r);
	http("GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n", &r);
	tap_ok(r.status == 404 || r.status == 400, "GET /../../etc/passwd: "
	    "%d", r.status);
	tap_ok(strstr(r.body, "root:") == NULL, "no file content");
	resp_free(&r);
	http("GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n", &r);
	tap_ok(r.status == 404 || r.status == 400, "GET /%%2e%%2e/...: %d",
	    r.status);
	resp_free(&r);
	http("GET /feed.atom%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	    "\r\n", &r);
	tap_ok(r.status == 404 || r.status == 400, "GET /feed.atom%%00: %d",
	    r.status);
	resp_free(&r);

	/* HOSTILE-64 */
	http("POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	    "Content-Length: 0\r\n\r\n", &r);
	s = header(&r, "Allow");
	tap_ok(r.status == 405 && s != NULL && strcmp(s, "GET, HEAD") == 0,
	    "POST is 405 with Allow: GET, HEAD (%d)", r.status);
	free(s);
	resp_free(&r);
	http("DELETE /feed.atom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	    "\r\n", &r);
	tap_is_int(r.status, 405, "DELETE is 405");
	resp_free(&r);
	http("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	    "Content-Length: 10\r\n\r\n0123456789", &r);
	tap_ok(r.status >= 400 && r.status < 500, "GET with a body: %d",
	    r.status);
	resp_free(&r);
	big = xmalloc(20001);
	memset(big, 'a', 20000);
	big[20000] = '\0';
	xasprintf(&req, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	    "X-Big: %s\r\n\r\n", big);
	http(req, &r);
	free(req);
	tap_ok(r.status == -1 || (r.status >= 400 && r.status < 500),
	    "20 KB of headers: %d", r.status);
	resp_free(&r);
	xasprintf(&req, "GET /%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	    "\r\n", big);
	http(req, &r);
	free(req);
	free(big);
	tap_ok(r.status == -1 || (r.status >= 400 && r.status < 500),
	    "a 20 KB URI: %d", r.status);
	resp_free(&r);

	/* HOSTILE-66: garbage, then the server still answers. */
	http("\x01\x02garbage\n\n\r\n\r\n", &r);
	tap_ok(r.status == -1 || (r.status >= 400 && r.status < 500),
	    "garbage request: %d", r.status);
	resp_free(&r);
	http("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	    &r);
	tap_is_int(r.status, 200, "still serving after garbage");
	resp_free(&r);

	/* Forgetting the renders without a change keeps the validators. */
	sleep(1);
	server_changed(srv);
	http("GET /feed.atom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	    &r);
	etag2 = header(&r, "ETag");
	lm2 = header(&r, "Last-Modified");
	tap_ok(etag2 != NULL && strcmp(etag, etag2) == 0 && lm2 != NULL &&
	    strcmp(lm, lm2) == 0, "same bytes after server_changed: same "
	    "ETag and Last-Modified");
	free(etag2);
	free(lm2);
	resp_free(&r);

	/* A store change: new bytes, new ETag, the old one is no match. */
	tap_is_int(put_doc(st, sf->id, 3, 0), 0, "a third entry stored");
	xasprintf(&req, "GET /feed.atom HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\nIf-None-Match: %s\r\n\r\n", etag);
	http(req, &r);
	free(req);
	etag2 = header(&r, "ETag");
	lm2 = header(&r, "Last-Modified");
	tap_ok(r.status == 200 && etag2 != NULL && strcmp(etag, etag2) != 0,
	    "store changed: 200 with a new ETag %s", etag2);
	tap_ok(lm2 != NULL && strcmp(lm, lm2) != 0, "and a new "
	    "Last-Modified %s", lm2);
	tap_ok(strstr(r.body, "Story 2 &amp; more") != NULL,
	    "the new entry is published");
	free(etag2);
	free(lm2);
	resp_free(&r);
	free(etag);
	free(lm);

	test_views(srv, st);
	test_tokens(st);
	test_limits(st);

	/* HOSTILE-68: responses in flight across a re-render. */
	tap_is_int(put_doc(st, sf->id, 16, 512 * 1024), 0,
	    "8 MB of entries stored");
	change_store = st;
	tv.tv_sec = 0;
	tv.tv_usec = 300000;
	event_base_once(base, -1, EV_TIMEOUT, change_cb, sf, &tv);
	run_child(inflight_child, NULL, &b);
	sp = b.data != NULL ? strstr(b.data, SPLIT) : NULL;
	if (sp != NULL) {
		resp_parse(b.data, sp - b.data, &r);
		sp += strlen(SPLIT);
		resp_parse(sp, b.len - (sp - b.data), &r2);
	} else {
		resp_parse(NULL, 0, &r);
		resp_parse(NULL, 0, &r2);
	}
	s = header(&r2, "Content-Length");
	tap_ok(r2.status == 200 && s != NULL && (size_t)atoll(s) == r2.len &&
	    r2.len > 8 * 1024 * 1024 &&
	    strcmp(r2.body + r2.len - 8, "</feed>\n") == 0,
	    "a slow reader gets the whole old document (%zu bytes)", r2.len);
	free(s);
	etag = header(&r, "ETag");
	etag2 = header(&r2, "ETag");
	tap_ok(r.status == 200 && etag != NULL && etag2 != NULL &&
	    strcmp(etag, etag2) != 0 && strstr(r.body, "Story 16 &amp;") !=
	    NULL && strstr(r2.body, "Story 16 &amp;") == NULL,
	    "meanwhile a new reader got the new document");
	free(etag);
	free(etag2);
	resp_free(&r);
	resp_free(&r2);
	buf_free(&b);
	for (rc = 0; rc < 3; rc++) {
		run_child(leave_child, NULL, &b);
		buf_free(&b);
	}
	http("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	    &r);
	tap_is_int(r.status, 200, "still serving after readers left "
	    "mid-response");
	resp_free(&r);

	/* The control socket. */
	rc = ctl(sock, "refresh", &cause);
	tap_ok(rc == 0 && refresh_got != NULL &&
	    strcmp(refresh_got, "(all)") == 0, "control: refresh (%d %s)",
	    rc, cause);
	free(cause);
	rc = ctl(sock, "refresh CNN", &cause);
	tap_ok(rc == 0 && refresh_got != NULL &&
	    strcmp(refresh_got, "CNN") == 0, "control: refresh CNN");
	free(cause);
	rc = ctl(sock, "refresh nope", &cause);
	tap_ok(rc == -1 && strcmp(cause, "no such feed: nope second line") ==
	    0, "control: the callback's error, on one line: %s", cause);
	free(cause);
	refresh_calls = 0;
	rc = ctl(sock, "bogus", &cause);
	tap_ok(rc == -1 && strcmp(cause, "unknown request") == 0 &&
	    refresh_calls == 0, "control: unknown request: %s", cause);
	free(cause);

	a.path = sock;
	a.request = "refresh\r\n";
	run_child(raw_unix_child, &a, &b);
	tap_is_str(b.data, "ok\n", "control: CRLF line, raw answer ok");
	buf_free(&b);
	a.request = "refresh";
	run_child(raw_unix_child, &a, &b);
	tap_is_str(b.data, "ok\n", "control: a line cut by EOF is a request");
	buf_free(&b);
	big = xmalloc(6001);
	memset(big, 'r', 6000);
	big[6000] = '\0';
	a.request = big;
	run_child(raw_unix_child, &a, &b);
	tap_is_str(b.data, "error request too long\n",
	    "control: a 6 KB line is refused");
	buf_free(&b);
	free(big);

	rc = server_control_send(sock, "refresh\nrefresh", &cause);
	tap_ok(rc == -1 && cause != NULL, "control: a request with a newline "
	    "is refused before sending");
	free(cause);
	cause = NULL;

	server_free(srv);
	tap_ok(stat(sock, &sb) == -1 && errno == ENOENT,
	    "server_free removes the control socket");
	rc = server_control_send(sock, "refresh", &cause);
	xasprintf(&s, "cannot reach the daemon at %s: ", sock);
	tap_ok(rc == -1 && cause != NULL && strncmp(cause, s, strlen(s)) == 0
	    && strstr(cause, "(is feedmuxd running?)") != NULL,
	    "control: no daemon: %s", cause);
	free(s);
	free(cause);
	cause = NULL;
	tap_is_int(server_control_send(sock, "refresh", NULL), -1,
	    "control: a NULL cause is fine");

	/* The port is free again. */
	srv = server_new(base, st, &conf, &cause);
	tap_ok(srv != NULL, "the address can be bound again after free");
	server_free(srv);
	server_free(NULL);

	store_feed_free(sf);
	store_close(st);
	event_base_free(base);
	free(refresh_got);
	free(conf.listen);
	free(conf.base_url);
	free(conf.title);
	free(feed.url);
	free(feed.label);
	free(feed.category);
	free(kfeed.url);
	free(kfeed.label);
	free(kfeed.category);
	free(kfeed.exclude);
	rmdir_all(dir);
	free(dbpath);
	free(sock);
	return (tap_done());
}
