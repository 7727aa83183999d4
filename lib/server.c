/*
 * The publisher's HTTP server (evhttp) and the daemon's control socket.
 *
 * Documents are rendered from the store once per change and kept in
 * memory; each keeps a strong ETag (a hash of its bytes) and the time
 * its bytes last changed. Bodies are reference counted, so a response
 * still being written keeps its bytes alive across a re-render.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "buf.h"
#include "conf.h"
#include "date.h"
#include "entry.h"
#include "log.h"
#include "publish.h"
#include "server.h"
#include "store.h"
#include "xmalloc.h"

#define SERVER_TIMEOUT		30		/* seconds, per connection */
#define SERVER_MAX_HEADERS	16384		/* bytes, request headers */
#define SERVER_MAX_BODY		0		/* we take no request body */
#define SERVER_LIMIT		50		/* entries per document */
#define SERVER_BACKLOG		128
#define SERVER_RETRY_AFTER	"5"		/* seconds, on 503 */

#define SERVER_CTL_LINE		4096		/* longest control request */
#define SERVER_CTL_TIMEOUT	5		/* seconds */
#define SERVER_CTL_MAX		16		/* control connections */

/* Methods we know (evhttp answers 501 to the rest; we answer 405). */
#define SERVER_METHODS	(EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |		\
	EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |		\
	EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |	\
	EVHTTP_REQ_PATCH)

/* A strict policy for the HTML page: no script, no frame, no form. */
#define SERVER_CSP	"default-src 'none'; style-src 'unsafe-inline'; "  \
	"img-src * data:; media-src *; base-uri 'none'; "		\
	"form-action 'none'; frame-ancestors 'none'"

/* Rendered bytes, shared by the cache and responses in flight. */
struct server_body {
	int	 refs;
	size_t	 len;
	char	*data;
};

/* A route that serves a rendered document. */
struct server_route {
	const char	 *path;
	const char	 *type;
	const char	 *cache;
	int		  html;
	char		*(*render)(const struct publish_view *, size_t *);
};

static const struct server_route server_routes[] = {
	{ "/", "text/html; charset=utf-8", "no-cache", 1, publish_html },
	{ "/feed.atom", "application/atom+xml; charset=utf-8",
	    "max-age=60", 0, publish_atom },
	{ "/feed.rss", "application/rss+xml; charset=utf-8",
	    "max-age=60", 0, publish_rss },
};
#define SERVER_NDOCS	(sizeof server_routes / sizeof server_routes[0])

/* A document of the cache. */
struct server_doc {
	const struct server_route	*route;
	struct server_body		*body;	/* NULL until rendered */
	uint64_t			 hash;
	char				 etag[24];
	int64_t				 mtime;
	char				 lastmod[DATE_BUFSZ];
};

/* One control connection: one request line, one answer line. */
struct server_ctl {
	struct server		*srv;
	struct bufferevent	*bev;
	int			 answered;
	TAILQ_ENTRY(server_ctl)	 entry;
};

struct server {
	struct event_base	*base;
	struct store		*store;
	char			*title;
	char			*base_url;
	struct evhttp		*http;

	char			*control;	/* the socket we made */
	struct evconnlistener	*ctl_listener;
	TAILQ_HEAD(, server_ctl) ctls;
	unsigned int		 nctls;

	server_refresh_cb	 refresh_cb;
	void			*refresh_arg;

	int			 rendered;	/* docs match version */
	int			 changed;	/* server_changed called */
	int64_t			 version;	/* store_version at render */
	int64_t			 empty_since;	/* updated of an empty view */
	struct server_doc	 docs[SERVER_NDOCS];
};

static struct server_body *server_body_new(char *, size_t);
static void	 server_body_unref(struct server_body *);
static void	 server_body_cleanup_cb(const void *, size_t, void *);
static void	 server_cause(char **, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
static int	 server_split_listen(const char *, char **, char **);
static int	 server_bind(const struct addrinfo *);
static int	 server_listen(struct server *, const char *, char **);
static int	 server_control_listen(struct server *, const char *,
		     char **);
static int	 server_render(struct server *);
static void	 server_doc_set(struct server_doc *, char *, size_t,
		     int64_t);
static int	 server_etag_match(const char *, const char *);
static int	 server_not_modified(struct evhttp_request *,
		     const struct server_doc *);
static int	 server_head(struct evhttp_request *, size_t);
static void	 server_send_text(struct evhttp_request *, int,
		     const char *, const char *);
static void	 server_request_cb(struct evhttp_request *, void *);
static void	 server_ctl_accept_cb(struct evconnlistener *,
		     evutil_socket_t, struct sockaddr *, int, void *);
static void	 server_ctl_read_cb(struct bufferevent *, void *);
static void	 server_ctl_write_cb(struct bufferevent *, void *);
static void	 server_ctl_event_cb(struct bufferevent *, short, void *);
static void	 server_ctl_handle(struct server_ctl *, char *);
static void	 server_ctl_answer(struct server_ctl *, const char *,
		     const char *);
static void	 server_ctl_free(struct server_ctl *);
static int	 server_ctl_io(int, int, struct timespec *);

/* Set *cause, if the caller wants one. */
static void
server_cause(char **cause, const char *fmt, ...)
{
	va_list	ap;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(cause, fmt, ap);
	va_end(ap);
}

/* Take ownership of rendered bytes; one reference, the cache's. */
static struct server_body *
server_body_new(char *data, size_t len)
{
	struct server_body	*body;

	body = xcalloc(1, sizeof *body);
	body->refs = 1;
	body->data = data;
	body->len = len;
	return (body);
}

/* Drop one reference; the last frees the bytes. */
static void
server_body_unref(struct server_body *body)
{
	if (body == NULL)
		return;
	if (--body->refs > 0)
		return;
	free(body->data);
	free(body);
}

/* A response's evbuffer let go of the bytes it referenced. */
static void
server_body_cleanup_cb(const void *data, size_t len, void *arg)
{
	server_body_unref(arg);
}

/*
 * Split "host:port" or "[v6]:port" into a host (NULL for every address:
 * "", "*") and a port. Returns 0, or -1 if malformed.
 */
static int
server_split_listen(const char *listen, char **host, char **port)
{
	const char	*colon, *p;
	char		*h;

	*host = *port = NULL;
	if ((colon = strrchr(listen, ':')) == NULL)
		return (-1);
	if (*listen == '[') {
		if (colon == listen || colon[-1] != ']' || colon - listen < 3)
			return (-1);
		h = xstrndup(listen + 1, colon - listen - 2);
		if (strchr(h, ']') != NULL || strchr(h, '[') != NULL) {
			free(h);
			return (-1);
		}
	} else {
		h = xstrndup(listen, colon - listen);
		if (strchr(h, ':') != NULL || strchr(h, '[') != NULL ||
		    strchr(h, ']') != NULL) {
			free(h);
			return (-1);
		}
	}
	p = colon + 1;
	if (*p == '\0' || strlen(p) > 5 ||
	    strspn(p, "0123456789") != strlen(p) || atoi(p) > 65535) {
		free(h);
		return (-1);
	}
	if (*h == '\0' || strcmp(h, "*") == 0) {
		free(h);
		h = NULL;
	}
	*host = h;
	*port = xstrdup(p);
	return (0);
}

/* Make one listening TCP socket. Returns it, or -1 with errno set. */
static int
server_bind(const struct addrinfo *ai)
{
	int	fd, one = 1, saved;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return (-1);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* Accepted sockets inherit it (Linux): no Nagle delay. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	/* "[::]" and "0.0.0.0" are two sockets, as with "*". */
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, SERVER_BACKLOG) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return (-1);
	}
	return (fd);
}

/*
 * Bind every address of conf->listen and hand the sockets to evhttp. An
 * address the system cannot have (no IPv6, say) is skipped if another
 * one binds; any other failure fails. Returns 0, or -1 with *cause.
 */
static int
server_listen(struct server *srv, const char *listen, char **cause)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		*host = NULL, *port = NULL;
	int		 fd, error, skipped = 0, nbound = 0;

	if (server_split_listen(listen, &host, &port) != 0) {
		server_cause(cause, "cannot listen on %s: expected host:port",
		    listen);
		goto fail;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((error = getaddrinfo(host, port, &hints, &res)) != 0) {
		server_cause(cause, "cannot listen on %s: %s", listen,
		    gai_strerror(error));
		goto fail;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = server_bind(ai)) == -1) {
			error = errno;
			if (error == EAFNOSUPPORT || error == EADDRNOTAVAIL ||
			    error == EPROTONOSUPPORT) {
				if (skipped == 0)
					skipped = error;
				continue;
			}
			/* HOSTILE-56 */
			server_cause(cause, "cannot listen on %s: %s", listen,
			    strerror(error));
			goto fail;
		}
		if (evhttp_accept_socket_with_handle(srv->http, fd) == NULL) {
			close(fd);
			server_cause(cause, "cannot listen on %s: evhttp "
			    "refused the socket", listen);
			goto fail;
		}
		nbound++;
	}
	if (nbound == 0) {
		server_cause(cause, "cannot listen on %s: %s", listen,
		    strerror(skipped != 0 ? skipped : EADDRNOTAVAIL));
		goto fail;
	}
	log_info("publishing on http://%s/", listen);
	freeaddrinfo(res);
	free(host);
	free(port);
	return (0);

fail:
	if (res != NULL)
		freeaddrinfo(res);
	free(host);
	free(port);
	return (-1);
}

/*
 * Bind the control socket: a stale socket file (nobody answers on it) is
 * replaced; one a live daemon answers on is not. Returns 0, or -1 with
 * *cause.
 */
static int
server_control_listen(struct server *srv, const char *path, char **cause)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	mode_t			 mask;
	int			 fd = -1, probe;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		server_cause(cause, "control socket %s: path too long", path);
		goto fail;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);

	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			server_cause(cause, "control socket %s: exists and is "
			    "not a socket", path);
			goto fail;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe == -1) {
			server_cause(cause, "control socket %s: %s", path,
			    strerror(errno));
			goto fail;
		}
		if (connect(probe, (struct sockaddr *)&sun, sizeof sun) == 0) {
			close(probe);
			server_cause(cause, "control socket %s is in use (is "
			    "another feedmuxd running?)", path);
			goto fail;
		}
		close(probe);
		if (unlink(path) == -1 && errno != ENOENT) {
			server_cause(cause, "control socket %s: cannot remove "
			    "the stale socket: %s", path, strerror(errno));
			goto fail;
		}
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		server_cause(cause, "control socket %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	/* Only our user may talk to the daemon: 0600 from the start. */
	mask = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(mask);
		server_cause(cause, "cannot listen on control socket %s: %s",
		    path, strerror(errno));
		goto fail;
	}
	umask(mask);
	srv->control = xstrdup(path);
	if (chmod(path, S_IRUSR | S_IWUSR) == -1 ||
	    listen(fd, SERVER_CTL_MAX) == -1) {
		server_cause(cause, "cannot listen on control socket %s: %s",
		    path, strerror(errno));
		goto fail;
	}
	srv->ctl_listener = evconnlistener_new(srv->base,
	    server_ctl_accept_cb, srv, LEV_OPT_CLOSE_ON_FREE |
	    LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (srv->ctl_listener == NULL) {
		server_cause(cause, "cannot listen on control socket %s", path);
		goto fail;
	}
	return (0);

fail:
	if (fd != -1)
		close(fd);
	return (-1);
}

struct server *
server_new(struct event_base *base, struct store *store,
    const struct conf *conf, char **cause)
{
	struct server	*srv;
	size_t		 i;

	srv = xcalloc(1, sizeof *srv);
	srv->base = base;
	srv->store = store;
	srv->title = xstrdup(conf->title != NULL ? conf->title : "feedmux");
	if (conf->base_url != NULL && *conf->base_url != '\0')
		srv->base_url = xstrdup(conf->base_url);
	else if (conf->listen != NULL)
		xasprintf(&srv->base_url, "http://%s", conf->listen);
	else
		srv->base_url = xstrdup("");
	srv->empty_since = TIME_NONE;
	TAILQ_INIT(&srv->ctls);
	for (i = 0; i < SERVER_NDOCS; i++)
		srv->docs[i].route = &server_routes[i];

	if ((srv->http = evhttp_new(base)) == NULL) {
		server_cause(cause, "cannot start the HTTP server");
		goto fail;
	}
	/* HOSTILE-63, HOSTILE-64 */
	evhttp_set_timeout(srv->http, SERVER_TIMEOUT);
	evhttp_set_max_headers_size(srv->http, SERVER_MAX_HEADERS);
	evhttp_set_max_body_size(srv->http, SERVER_MAX_BODY);
	evhttp_set_allowed_methods(srv->http, SERVER_METHODS);
	evhttp_set_gencb(srv->http, server_request_cb, srv);

	if (conf->listen == NULL || *conf->listen == '\0') {
		server_cause(cause, "no listen address");
		goto fail;
	}
	if (server_listen(srv, conf->listen, cause) != 0)
		goto fail;
	if (conf->control != NULL && *conf->control != '\0' &&
	    server_control_listen(srv, conf->control, cause) != 0)
		goto fail;
	return (srv);

fail:
	server_free(srv);
	return (NULL);
}

void
server_set_refresh_cb(struct server *srv, server_refresh_cb cb, void *arg)
{
	srv->refresh_cb = cb;
	srv->refresh_arg = arg;
}

void
server_changed(struct server *srv)
{
	srv->changed = 1;
}

void
server_free(struct server *srv)
{
	struct server_ctl	*ctl;
	size_t			 i;

	if (srv == NULL)
		return;
	while ((ctl = TAILQ_FIRST(&srv->ctls)) != NULL)
		server_ctl_free(ctl);
	if (srv->ctl_listener != NULL)
		evconnlistener_free(srv->ctl_listener);
	if (srv->control != NULL) {
		unlink(srv->control);
		free(srv->control);
	}
	/* Connections in flight release their references to the bodies. */
	if (srv->http != NULL)
		evhttp_free(srv->http);
	for (i = 0; i < SERVER_NDOCS; i++)
		server_body_unref(srv->docs[i].body);
	free(srv->title);
	free(srv->base_url);
	free(srv);
}

/*
 * Store a new rendering of a document. The ETag and Last-Modified move
 * only when the bytes differ from the last rendering.
 */
static void
server_doc_set(struct server_doc *doc, char *data, size_t len, int64_t now)
{
	uint64_t	hash;

	hash = buf_hash(BUF_HASH_INIT, data, len);
	if (doc->body != NULL && doc->hash == hash &&
	    doc->body->len == len && memcmp(doc->body->data, data, len) == 0) {
		free(data);
		return;
	}
	server_body_unref(doc->body);
	doc->body = server_body_new(data, len);
	doc->hash = hash;
	snprintf(doc->etag, sizeof doc->etag, "\"%016llx\"",
	    (unsigned long long)hash);
	doc->mtime = now;
	date_http(now, doc->lastmod);
}

/*
 * Render the documents again if the store changed since the last time.
 * Returns 0, or -1 if the store cannot be read (the old renderings, if
 * any, stay).
 */
static int
server_render(struct server *srv)
{
	struct store_query	  q;
	struct publish_view	  view;
	struct stored_entry	**entries = NULL, *se;
	char			 *cause = NULL, *data;
	int64_t			  version, now, t;
	size_t			  n = 0, i, len;

	version = store_version(srv->store);
	if (srv->rendered && !srv->changed && version == srv->version)
		return (0);

	memset(&q, 0, sizeof q);
	q.limit = SERVER_LIMIT;
	if (store_entries(srv->store, &q, &entries, &n, &cause) != 0) {
		log_warnx("cannot read entries to publish: %s",
		    cause != NULL ? cause : "unknown error");
		free(cause);
		return (-1);
	}
	now = (int64_t)time(NULL);

	memset(&view, 0, sizeof view);
	view.title = srv->title;
	view.base_url = srv->base_url;
	view.path = "";
	view.entries = entries;
	view.nentries = n;
	view.updated = TIME_NONE;
	for (i = 0; i < n; i++) {
		se = entries[i];
		t = stored_entry_date(se);
		if (se->updated != TIME_NONE && se->updated > t)
			t = se->updated;
		if (t != TIME_NONE && (view.updated == TIME_NONE ||
		    t > view.updated))
			view.updated = t;
	}
	/* An empty view: when the store was first seen empty. */
	if (n == 0) {
		if (srv->empty_since == TIME_NONE)
			srv->empty_since = now;
		view.updated = srv->empty_since;
	} else
		srv->empty_since = TIME_NONE;
	if (view.updated == TIME_NONE)
		view.updated = now;

	for (i = 0; i < SERVER_NDOCS; i++) {
		data = srv->docs[i].route->render(&view, &len);
		server_doc_set(&srv->docs[i], data, len, now);
	}
	stored_entries_free(entries, n);

	srv->version = version;
	srv->rendered = 1;
	srv->changed = 0;
	return (0);
}

/*
 * Does an If-None-Match list name this ETag (weak comparison, as RFC
 * 7232 wants for GET), or is it "*"?
 */
static int
server_etag_match(const char *list, const char *etag)
{
	const char	*p = list, *start, *end;
	size_t		 elen = strlen(etag);

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return (0);
		if (*p == '*')
			return (1);
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		start = p;
		if (*p == '"') {
			if ((end = strchr(p + 1, '"')) == NULL)
				return (0);
			end++;
			if ((size_t)(end - start) == elen &&
			    memcmp(start, etag, elen) == 0)
				return (1);
		} else {
			/* A client that forgot the quotes. */
			end = p + strcspn(p, ", \t");
			if ((size_t)(end - start) == elen - 2 &&
			    memcmp(start, etag + 1, elen - 2) == 0)
				return (1);
		}
		p = end;
	}
}

/* Does this request's condition hold, so the answer is 304? */
static int
server_not_modified(struct evhttp_request *req, const struct server_doc *doc)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	const char		*inm, *ims;
	int64_t			 t;

	/* RFC 7232 6: If-None-Match wins over If-Modified-Since. */
	if ((inm = evhttp_find_header(in, "If-None-Match")) != NULL)
		return (server_etag_match(inm, doc->etag));
	if ((ims = evhttp_find_header(in, "If-Modified-Since")) != NULL &&
	    date_parse(ims, &t) == 0 && t >= doc->mtime)
		return (1);
	return (0);
}

/*
 * Is this a HEAD request? Then set the Content-Length a GET would have:
 * evhttp (2.1) writes whatever body it is given, even to HEAD, so the
 * caller must give none.
 */
static int
server_head(struct evhttp_request *req, size_t len)
{
	char	clen[32];

	if (evhttp_request_get_command(req) != EVHTTP_REQ_HEAD)
		return (0);
	snprintf(clen, sizeof clen, "%zu", len);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Length", clen);
	return (1);
}

/* Answer with a short plain-text body. */
static void
server_send_text(struct evhttp_request *req, int code, const char *reason,
    const char *text)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evbuffer		*evb;

	evhttp_add_header(out, "Content-Type", "text/plain; charset=utf-8");
	evhttp_add_header(out, "Cache-Control", "no-cache");
	if (server_head(req, strlen(text))) {
		evhttp_send_reply(req, code, reason, NULL);
		return;
	}
	if ((evb = evbuffer_new()) == NULL)
		fatalx("evbuffer_new failed");
	evbuffer_add(evb, text, strlen(text));
	evhttp_send_reply(req, code, reason, evb);
	evbuffer_free(evb);
}

/* Every request: route, render if stale, answer 200, 304 or an error. */
static void
server_request_cb(struct evhttp_request *req, void *arg)
{
	struct server		*srv = arg;
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	const struct evhttp_uri	*uri;
	struct server_doc	*doc = NULL;
	struct server_body	*body;
	struct evbuffer		*evb;
	enum evhttp_cmd_type	 cmd;
	const char		*path = NULL;
	size_t			 i;

	evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
	cmd = evhttp_request_get_command(req);
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		/* HOSTILE-64 */
		evhttp_add_header(out, "Allow", "GET, HEAD");
		server_send_text(req, 405, "Method Not Allowed",
		    "method not allowed\n");
		return;
	}
	if ((uri = evhttp_request_get_evhttp_uri(req)) != NULL)
		path = evhttp_uri_get_path(uri);
	if (path == NULL || *path == '\0')
		path = "/";

	if (strcmp(path, "/healthz") == 0) {
		server_send_text(req, 200, "OK", "ok\n");
		return;
	}
	/* HOSTILE-65: a fixed table of routes, never the filesystem. */
	for (i = 0; i < SERVER_NDOCS; i++) {
		if (strcmp(path, srv->docs[i].route->path) == 0) {
			doc = &srv->docs[i];
			break;
		}
	}
	if (doc == NULL) {
		server_send_text(req, 404, "Not Found", "not found\n");
		return;
	}

	/* A store that cannot be read now: serve what we have, if any. */
	if (server_render(srv) != 0 && doc->body == NULL) {
		evhttp_add_header(out, "Retry-After", SERVER_RETRY_AFTER);
		server_send_text(req, 503, "Service Unavailable",
		    "the store cannot be read now\n");
		return;
	}

	/* HOSTILE-70 */
	evhttp_add_header(out, "Content-Type", doc->route->type);
	evhttp_add_header(out, "Cache-Control", doc->route->cache);
	if (doc->route->html)
		evhttp_add_header(out, "Content-Security-Policy", SERVER_CSP);
	evhttp_add_header(out, "ETag", doc->etag);
	evhttp_add_header(out, "Last-Modified", doc->lastmod);

	/* HOSTILE-69 */
	if (server_not_modified(req, doc)) {
		evhttp_send_reply(req, 304, "Not Modified", NULL);
		return;
	}

	body = doc->body;
	if (server_head(req, body->len)) {
		evhttp_send_reply(req, 200, "OK", NULL);
		return;
	}
	/* HOSTILE-68: the response holds its own reference to the bytes. */
	if ((evb = evbuffer_new()) == NULL)
		fatalx("evbuffer_new failed");
	body->refs++;
	if (evbuffer_add_reference(evb, body->data, body->len,
	    server_body_cleanup_cb, body) != 0)
		fatalx("evbuffer_add_reference failed");
	evhttp_send_reply(req, 200, "OK", evb);
	evbuffer_free(evb);
}

/* A client connected to the control socket. */
static void
server_ctl_accept_cb(struct evconnlistener *listener, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct server		*srv = arg;
	struct server_ctl	*ctl;
	struct timeval		 tv = { SERVER_CTL_TIMEOUT, 0 };

	if (srv->nctls >= SERVER_CTL_MAX) {
		log_warnx("control socket: too many connections");
		evutil_closesocket(fd);
		return;
	}
	ctl = xcalloc(1, sizeof *ctl);
	ctl->srv = srv;
	ctl->bev = bufferevent_socket_new(srv->base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (ctl->bev == NULL) {
		evutil_closesocket(fd);
		free(ctl);
		return;
	}
	TAILQ_INSERT_TAIL(&srv->ctls, ctl, entry);
	srv->nctls++;
	bufferevent_setcb(ctl->bev, server_ctl_read_cb, NULL,
	    server_ctl_event_cb, ctl);
	bufferevent_set_timeouts(ctl->bev, &tv, &tv);
	/* Stop reading past one line: memory stays bounded. */
	bufferevent_setwatermark(ctl->bev, EV_READ, 0, SERVER_CTL_LINE + 1);
	bufferevent_enable(ctl->bev, EV_READ);
}

/* Bytes arrived: once a line is complete, answer it. */
static void
server_ctl_read_cb(struct bufferevent *bev, void *arg)
{
	struct server_ctl	*ctl = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	char			*line;
	size_t			 n;

	if (ctl->answered) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF);
	if (line == NULL) {
		if (evbuffer_get_length(in) > SERVER_CTL_LINE)
			server_ctl_answer(ctl, "error", "request too long");
		return;
	}
	if (n > SERVER_CTL_LINE)
		server_ctl_answer(ctl, "error", "request too long");
	else
		server_ctl_handle(ctl, line);
	free(line);
}

/* The answer is written: close. */
static void
server_ctl_write_cb(struct bufferevent *bev, void *arg)
{
	struct server_ctl	*ctl = arg;

	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		server_ctl_free(ctl);
}

/* End of input, an error or a timeout. */
static void
server_ctl_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct server_ctl	*ctl = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	char			*line;
	size_t			 n;

	/* A last line without its newline is still a request. */
	if ((what & BEV_EVENT_EOF) && !ctl->answered &&
	    (n = evbuffer_get_length(in)) > 0 && n <= SERVER_CTL_LINE) {
		line = xmalloc(n + 1);
		evbuffer_remove(in, line, n);
		line[n] = '\0';
		server_ctl_handle(ctl, line);
		free(line);
		return;
	}
	server_ctl_free(ctl);
}

/* Do what one request line asks, and answer. */
static void
server_ctl_handle(struct server_ctl *ctl, char *line)
{
	struct server	*srv = ctl->srv;
	char		*feed = NULL, *cause = NULL, *end;

	end = line + strlen(line);
	while (end > line && (end[-1] == '\r' || end[-1] == ' ' ||
	    end[-1] == '\t'))
		*--end = '\0';
	if (strcmp(line, "refresh") == 0)
		feed = NULL;
	else if (strncmp(line, "refresh ", 8) == 0) {
		feed = line + 8;
		while (*feed == ' ' || *feed == '\t')
			feed++;
		if (*feed == '\0')
			feed = NULL;
	} else {
		server_ctl_answer(ctl, "error", "unknown request");
		return;
	}
	if (srv->refresh_cb == NULL) {
		server_ctl_answer(ctl, "error", "refresh is not available");
		return;
	}
	feed = feed != NULL ? utf8_clean(feed, strlen(feed)) : NULL;
	log_debug("control: refresh %s", feed != NULL ? feed : "(all)");
	if (srv->refresh_cb(feed, srv->refresh_arg, &cause) == 0)
		server_ctl_answer(ctl, "ok", NULL);
	else
		server_ctl_answer(ctl, "error", cause != NULL ? cause :
		    "refresh failed");
	free(cause);
	free(feed);
}

/* Queue "WORD[ MESSAGE]\n" (the message on one line) and stop reading. */
static void
server_ctl_answer(struct server_ctl *ctl, const char *word,
    const char *message)
{
	struct buf	 b;
	const char	*p;

	buf_init(&b);
	buf_adds(&b, word);
	if (message != NULL) {
		buf_addc(&b, ' ');
		for (p = message; *p != '\0'; p++)
			buf_addc(&b, (unsigned char)*p < 0x20 ? ' ' : *p);
	}
	buf_addc(&b, '\n');
	ctl->answered = 1;
	bufferevent_disable(ctl->bev, EV_READ);
	bufferevent_setcb(ctl->bev, NULL, server_ctl_write_cb,
	    server_ctl_event_cb, ctl);
	bufferevent_write(ctl->bev, b.data, b.len);
	bufferevent_enable(ctl->bev, EV_WRITE);
	buf_free(&b);
}

/* Close one control connection. */
static void
server_ctl_free(struct server_ctl *ctl)
{
	struct server	*srv = ctl->srv;

	TAILQ_REMOVE(&srv->ctls, ctl, entry);
	srv->nctls--;
	bufferevent_free(ctl->bev);
	free(ctl);
}

/*
 * Wait until the control socket can be read or written, at most until
 * the deadline. Returns 0, or -1 with errno set (ETIMEDOUT).
 */
static int
server_ctl_io(int fd, int events, struct timespec *deadline)
{
	struct pollfd	pfd;
	struct timespec	now;
	int64_t		ms;
	int		n;

	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (int64_t)(deadline->tv_sec - now.tv_sec) * 1000 +
		    (deadline->tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0) {
			errno = ETIMEDOUT;
			return (-1);
		}
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		if ((n = poll(&pfd, 1, (int)ms)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		if (n > 0)
			return (0);
	}
}

int
server_control_send(const char *path, const char *request, char **cause)
{
	struct sockaddr_un	 sun;
	struct timespec		 deadline;
	struct timeval		 tv = { SERVER_CTL_TIMEOUT, 0 };
	struct buf		 req, ans;
	char			 chunk[512], *nl;
	size_t			 off = 0;
	ssize_t			 n;
	int			 fd = -1;

	buf_init(&req);
	buf_init(&ans);
	if (strpbrk(request, "\r\n") != NULL ||
	    strlen(request) > SERVER_CTL_LINE) {
		server_cause(cause, "invalid control request");
		goto fail;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		server_cause(cause, "cannot reach the daemon at %s: path too "
		    "long", path);
		goto fail;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += SERVER_CTL_TIMEOUT;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		server_cause(cause, "cannot reach the daemon at %s: %s (is "
		    "feedmuxd running?)", path, strerror(errno));
		goto fail;
	}

	buf_adds(&req, request);
	buf_addc(&req, '\n');
	while (off < req.len) {
		if (server_ctl_io(fd, POLLOUT, &deadline) == -1)
			goto io_fail;
		n = send(fd, req.data + off, req.len - off, MSG_NOSIGNAL |
		    MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			goto io_fail;
		}
		off += n;
	}

	while ((nl = memchr(ans.data != NULL ? ans.data : "", '\n',
	    ans.len)) == NULL) {
		if (ans.len > SERVER_CTL_LINE) {
			server_cause(cause, "the daemon at %s sent an answer "
			    "too long", path);
			goto fail;
		}
		if (server_ctl_io(fd, POLLIN, &deadline) == -1)
			goto io_fail;
		n = recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			goto io_fail;
		}
		if (n == 0) {
			server_cause(cause, "the daemon at %s closed the "
			    "connection without an answer", path);
			goto fail;
		}
		buf_add(&ans, chunk, n);
	}
	*nl = '\0';
	if (nl > ans.data && nl[-1] == '\r')
		nl[-1] = '\0';

	if (strcmp(ans.data, "ok") == 0 || strncmp(ans.data, "ok ", 3) == 0)
		goto out;
	if (strncmp(ans.data, "error ", 6) == 0 && ans.data[6] != '\0') {
		if (cause != NULL)
			*cause = utf8_clean(ans.data + 6, strlen(ans.data + 6));
	}
	else if (strcmp(ans.data, "error") == 0)
		server_cause(cause, "the daemon refused the request");
	else
		server_cause(cause, "unexpected answer from the daemon at %s",
		    path);
	goto fail;

io_fail:
	if (errno == ETIMEDOUT)
		server_cause(cause, "the daemon at %s did not answer within %d "
		    "seconds", path, SERVER_CTL_TIMEOUT);
	else
		server_cause(cause, "cannot talk to the daemon at %s: %s", path,
		    strerror(errno));
fail:
	if (fd != -1)
		close(fd);
	buf_free(&req);
	buf_free(&ans);
	return (-1);

out:
	close(fd);
	buf_free(&req);
	buf_free(&ans);
	return (0);
}
