/*
 * The publisher's HTTP server (evhttp) and the daemon's control socket.
 *
 * The store is read once per change into a snapshot (the newest
 * entries, the rules of every scope applied, split by category); each
 * document is rendered from it once, when first asked for, and kept in
 * memory with a strong ETag (a hash of its bytes), the time its bytes
 * last changed and, once a client asks, its gzip form. Bodies are
 * reference counted, so a response still being written keeps its bytes
 * alive across a re-render.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
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
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>

#include <jansson.h>
#include <zlib.h>

#include "buf.h"
#include "conf.h"
#include "date.h"
#include "entry.h"
#include "filter.h"
#include "log.h"
#include "publish.h"
#include "server.h"
#include "store.h"
#include "xmalloc.h"

/*
 * The HTTP limits are configured ([daemon] http_*; conf.h has the
 * defaults, which a zero in struct conf also means).
 */
#define SERVER_FD_RESERVE	128		/* fds kept for the rest */
#define SERVER_MAX_BODY		0		/* we take no request body */
#define SERVER_LOG_URI		256		/* of a URI logged */
#define SERVER_MAX_ENTRIES	CONF_PAGE_SIZE_MAX /* entries a snapshot holds */
#define SERVER_MAX_DOCS		256		/* documents kept rendered */
#define SERVER_MAX_WRITE	(1024 * 1024)	/* bytes per write(2) */
#define SERVER_BACKLOG		128
#define SERVER_RETRY_AFTER	"5"		/* seconds, on 503 */
#define SERVER_MAX_STATUS	600


#define SERVER_WEBSUB_DELAY	1		/* s, store change to ping */
#define SERVER_RECHECK_USEC	5000		/* between looks at the store */
#define SERVER_CTL_LINE		4096		/* longest control request */
#define SERVER_CTL_TIMEOUT	5		/* seconds */
#define SERVER_CTL_MAX		16		/* control connections */

/* Methods we know (evhttp answers 501 to the rest; we answer 405). */
#define SERVER_METHODS	(EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |		\
	EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |		\
	EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |	\
	EVHTTP_REQ_PATCH)

/* What a 401 asks for (RFC 6750). */
#define SERVER_REALM	"Bearer realm=\"feedmux\""

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

/* A kind of document: how it is rendered and served. */
struct server_format {
	const char	 *ext;		/* "atom", ...; NULL: the page */
	const char	 *type;
	const char	 *cache;
	int		  html;
	char		*(*render)(const struct publish_view *, size_t *);
};

enum server_fmt {
	SERVER_HTML,
	SERVER_ATOM,
	SERVER_RSS,
	SERVER_JSON,
	SERVER_OPML
};

static const struct server_format server_formats[] = {
	{ NULL, "text/html; charset=utf-8", "no-cache", 1, publish_html },
	{ "atom", "application/atom+xml; charset=utf-8", "max-age=60", 0,
	    publish_atom },
	{ "rss", "application/rss+xml; charset=utf-8", "max-age=60", 0,
	    publish_rss },
	{ "json", "application/feed+json; charset=utf-8", "max-age=60", 0,
	    publish_json },
	{ NULL, "text/x-opml; charset=utf-8", "max-age=60", 0,
	    publish_opml },
};

/* Routes, as /metrics counts requests. */
enum server_route {
	ROUTE_PAGE,
	ROUTE_FEED,
	ROUTE_CATEGORY,
	ROUTE_OPML,
	ROUTE_HEALTHZ,
	ROUTE_METRICS,
	ROUTE_OTHER,
	ROUTE_COUNT
};

static const char *server_route_names[ROUTE_COUNT] = {
	"/", "/feed", "/c", "/opml", "/healthz", "/metrics", "other"
};

/* A rendered document of the cache, most recently used first. */
struct server_doc {
	char				*key;
	const struct server_format	*fmt;
	uint64_t			 gen;		/* of the snapshot */
	struct server_body		*body;
	struct server_body		*gz;		/* NULL until asked */
	uint64_t			 hash;
	char				 etag[24];
	char				 gzetag[28];
	int64_t				 mtime;
	char				 lastmod[DATE_BUFSZ];
	TAILQ_ENTRY(server_doc)		 entry;
};

/* One category: its name, its slug, and its entries of the snapshot. */
struct server_cat {
	char			 *name;
	char			 *slug;
	struct stored_entry	**entries;	/* borrowed */
	size_t			  n;
	int64_t			  updated;
	int			  private;	/* left out of the rest */
};

/*
 * What documents are rendered from: the store at one version, with the
 * rules applied. Entries are owned by all; the views borrow them.
 */
struct server_snap {
	int64_t			  version;	/* store_version read at */
	uint64_t		  gen;		/* which snapshot: 1, 2, ... */
	struct stored_entry	**all;
	size_t			  nall;
	struct stored_entry	**entries;	/* kept by the rules */
	size_t			  n;
	int64_t			  updated;
	struct server_cat	 *cats;		/* by name */
	size_t			  ncats;
	struct publish_category	 *pcats;	/* not private */
	size_t			  npcats;
	struct store_feed	**feeds;
	size_t			  nfeeds;
	struct publish_source	 *sources;	/* by category */
	size_t			  nsources;	/* not private */
	int64_t			  stored;	/* entries the store holds */
};

/* A category's own access token, by the slug of its name. */
struct server_guard {
	char	*slug;
	char	*token;
};

/* Which token opened a document, and so goes into its links. */
enum server_opened {
	SERVER_OPEN,		/* no token needed, or one in a header */
	SERVER_BY_TOKEN,	/* the [daemon] token, in the query */
	SERVER_BY_CAT_TOKEN	/* the category's token, in the query */
};

/* A document request: what, which page. */
struct server_req {
	const struct server_format	*fmt;
	enum server_route		 route;
	const char			*slug;	/* NULL: everything */
	int64_t				 limit;
	int				 has_limit;
	int				 has_before;
	int64_t				 before_date;
	int64_t				 before_id;
	int				 has_token;	/* ?token= */
	char				 token[CONF_TOKEN_MAX + 1];
	int				 guarded;	/* needs a token */
	enum server_opened		 opened;
	const char			*link_token;	/* for links */
	int				 one_page;	/* no rel="next" */
};

/*
 * One HTTP connection, as we watch it: evhttp owns it, we learn of it
 * from its bufferevent and of its end from its close callback. The list
 * is in the order requests last arrived, the longest waiting first.
 */
struct server_conn {
	struct server			*srv;
	struct bufferevent		*bev;
	struct evhttp_connection	*evcon;	/* NULL until adopted */
	evutil_socket_t			 fd;
	struct event			*timer;
	TAILQ_ENTRY(server_conn)	 entry;
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

	TAILQ_HEAD(, server_conn) conns;	/* adopted */
	TAILQ_HEAD(, server_conn) newconns;	/* not yet adopted */
	struct server_conn	**byfd;
	size_t			 nbyfd;
	unsigned int		 nconns;
	unsigned int		 maxconns;
	int64_t			 page_size;	/* entries per document */
	int64_t			 max_page_size;	/* the most ?limit= asks */
	struct timeval		 request_tv;	/* for a request */
	struct event		*adopt;
	uint64_t		 conns_total;
	uint64_t		 conns_evicted;
	uint64_t		 conns_timedout;

	char			*control;	/* the socket we made */
	struct evconnlistener	*ctl_listener;
	TAILQ_HEAD(, server_ctl) ctls;
	unsigned int		 nctls;

	server_refresh_cb	 refresh_cb;
	void			*refresh_arg;

	struct filter_rules	*rules;		/* every scope's */

	char			*token;		/* or NULL */
	struct server_guard	*guards;	/* categories' own tokens */
	size_t			 nguards;

	int			 changed;	/* server_changed called */
	int			 checked;	/* the version, lately */
	int64_t			 checked_changes; /* store_changes then */
	struct event		*recheck;	/* clears checked */
	int64_t			 started;	/* updated of an empty view */
	struct server_snap	*snap;		/* NULL until first read */
	uint64_t		 gen;		/* snapshots made */
	TAILQ_HEAD(server_doc_head, server_doc) docs;
	size_t			 ndocs;

	uint64_t		 requests[ROUTE_COUNT][SERVER_MAX_STATUS];
	uint64_t		 renders;
	double			 render_seconds;
	uint64_t		 snapshots;
	double			 snapshot_seconds;
	uint64_t		 gzips;
	uint64_t		 unauthorized;

	char			*hub;		/* WebSub, or NULL */
	struct event		*websub;	/* render, then ping */
	struct server_topic	*topics;	/* as last rendered */
	size_t			 ntopics;
	int			 baseline;	/* topics is a real one */
	server_ping_cb		 ping_cb;
	void			*ping_arg;
};

/* A feed the WebSub hub is told of: its public URL, its bytes' hash. */
struct server_topic {
	char		*url;
	uint64_t	 hash;
};

static struct server_body *server_body_new(char *, size_t);
static void	 server_body_unref(struct server_body *);
static void	 server_body_cleanup_cb(const void *, size_t, void *);
static int	 server_split_listen(const char *, char **, char **);
static int	 server_bind(const struct addrinfo *);
static int	 server_listen(struct server *, const char *, char **);
static int	 server_control_listen(struct server *, const char *,
		     char **);
static struct bufferevent *server_bev_cb(struct event_base *, void *);
static void	 server_adopt_cb(evutil_socket_t, short, void *);
static void	 server_conn_close_cb(struct evhttp_connection *, void *);
static void	 server_conn_timeout_cb(evutil_socket_t, short, void *);
static void	 server_conn_free(struct server_conn *);
static struct server_conn *server_conn_find(struct server *,
		     struct evhttp_request *);
static void	 server_conn_request(struct server *,
		     struct evhttp_request *);
static unsigned int server_max_conns(int);
static void	 server_limits_set(struct server *, const struct conf *);
static void	 server_tokens_free(struct server *);
static void	 server_tokens_set(struct server *, const struct conf *);
static void	 server_pages_set(struct server *, const struct conf *);
static int	 server_private(const struct server *, const char *);
static int	 server_token_eq(const char *, size_t, const char *);
static const char *server_bearer(struct evhttp_request *, size_t *);
static int	 server_authorize(struct server *, struct evhttp_request *,
		     struct server_req *);
static char	*server_log_uri(const char *);
static void	 server_rules_free(struct server *);
static int	 server_rules_set(struct server *, const struct conf *,
		     char **);
static void	 server_set_names(struct server *, const struct conf *);
static double	 server_now_mono(void);
static int64_t	 server_entry_updated(const struct stored_entry *);
static int	 server_rules_keep(const struct server *,
		     const struct server_snap *, const struct entry_source *,
		     const struct filter_subject *);
static struct server_cat *server_cat_find(struct server_snap *,
		     const char *);
static void	 server_snap_free(struct server_snap *);
static struct server_snap *server_snap_load(struct server *, char **);
static void	 server_recheck_cb(evutil_socket_t, short, void *);
static int	 server_snapshot(struct server *);
static void	 server_doc_free(struct server_doc *);
static void	 server_doc_set(struct server_doc *, char *, size_t,
		     int64_t);
static struct server_doc *server_doc_get(struct server *,
		     const struct server_req *, struct server_cat *);
static char	*server_doc_key(const struct server_req *);
static char	*server_render(struct server *, const struct server_req *,
		     struct server_cat *, size_t *);
static struct server_body *server_gzip(const struct server_body *);
static int	 server_accepts_gzip(struct evhttp_request *);
static int	 server_parse_int(const char *, int64_t, int64_t,
		     int64_t *);
static int	 server_parse_query(const struct server *, const char *,
		     struct server_req *);
static int	 server_route(const char *, struct server_req *);
static int	 server_etag_match(const char *, const char *);
static int	 server_not_modified(struct evhttp_request *,
		     const struct server_doc *);
static int	 server_head(struct evhttp_request *, size_t);
static void	 server_reply(struct server *, struct evhttp_request *,
		     enum server_route, int, const char *, struct evbuffer *);
static void	 server_send_text(struct server *, struct evhttp_request *,
		     enum server_route, int, const char *, const char *,
		     const char *);
static void	 server_send_doc(struct server *, struct evhttp_request *,
		     const struct server_req *, struct server_doc *);
static void	 server_healthz(struct server *, struct evhttp_request *);
static void	 server_metrics(struct server *, struct evhttp_request *);
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
static void	 server_websub_set(struct server *, const struct conf *);
static void	 server_websub_cb(evutil_socket_t, short, void *);
static void	 server_topics_free(struct server_topic *, size_t);
static int	 server_site_doc(struct server *, struct server_cat *,
		     enum server_fmt, server_site_cb, void *, char **);

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
		xcause(cause, "cannot listen on %s: expected host:port",
		    listen);
		goto fail;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((error = getaddrinfo(host, port, &hints, &res)) != 0) {
		xcause(cause, "cannot listen on %s: %s", listen,
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
			xcause(cause, "cannot listen on %s: %s", listen,
			    strerror(error));
			goto fail;
		}
		if (evhttp_accept_socket_with_handle(srv->http, fd) == NULL) {
			close(fd);
			xcause(cause, "cannot listen on %s: evhttp "
			    "refused the socket", listen);
			goto fail;
		}
		nbound++;
	}
	if (nbound == 0) {
		xcause(cause, "cannot listen on %s: %s", listen,
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
		xcause(cause, "control socket %s: path too long", path);
		goto fail;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);

	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			xcause(cause, "control socket %s: exists and is "
			    "not a socket", path);
			goto fail;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe == -1) {
			xcause(cause, "control socket %s: %s", path,
			    strerror(errno));
			goto fail;
		}
		if (connect(probe, (struct sockaddr *)&sun, sizeof sun) == 0) {
			close(probe);
			xcause(cause, "control socket %s is in use (is "
			    "another feedmuxd running?)", path);
			goto fail;
		}
		close(probe);
		if (unlink(path) == -1 && errno != ENOENT) {
			xcause(cause, "control socket %s: cannot remove "
			    "the stale socket: %s", path, strerror(errno));
			goto fail;
		}
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xcause(cause, "control socket %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	/* Only our user may talk to the daemon: 0600 from the start. */
	mask = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(mask);
		xcause(cause, "cannot listen on control socket %s: %s",
		    path, strerror(errno));
		goto fail;
	}
	umask(mask);
	srv->control = xstrdup(path);
	if (chmod(path, S_IRUSR | S_IWUSR) == -1 ||
	    listen(fd, SERVER_CTL_MAX) == -1) {
		xcause(cause, "cannot listen on control socket %s: %s",
		    path, strerror(errno));
		goto fail;
	}
	srv->ctl_listener = evconnlistener_new(srv->base,
	    server_ctl_accept_cb, srv, LEV_OPT_CLOSE_ON_FREE |
	    LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (srv->ctl_listener == NULL) {
		xcause(cause, "cannot listen on control socket %s", path);
		goto fail;
	}
	return (0);

fail:
	if (fd != -1)
		close(fd);
	return (-1);
}

/*
 * Each connection's bufferevent: large writes, so a big document leaves
 * in few system calls (evhttp's default is 16 KB per write). evhttp
 * (2.1) has no connection limit and no deadline for a request, so we
 * watch the connection: we hold the bufferevent until the end of this
 * pass of the loop, when evhttp has set it up (server_adopt_cb).
 */
static struct bufferevent *
server_bev_cb(struct event_base *base, void *arg)
{
	struct server		*srv = arg;
	struct server_conn	*conn;
	struct bufferevent	*bev;

	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		return (NULL);
	bufferevent_set_max_single_write(bev, SERVER_MAX_WRITE);
	conn = xcalloc(1, sizeof *conn);
	conn->srv = srv;
	conn->bev = bev;
	conn->fd = -1;
	bufferevent_incref(bev);
	TAILQ_INSERT_TAIL(&srv->newconns, conn, entry);
	event_active(srv->adopt, EV_TIMEOUT, 0);
	return (bev);
}

/*
 * The connections accepted in this pass: find the evhttp connection
 * each bufferevent belongs to (its callbacks' argument), watch for its
 * end, give it http_request_timeout for a request, and keep at most
 * maxconns (HOSTILE-63): over that, the connection waiting longest for
 * a request, and not writing a response, is closed.
 */
static void
server_adopt_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server		*srv = arg;
	struct server_conn	*conn, *next;
	bufferevent_data_cb	 readcb;
	void			*cbarg;
	size_t			 n;

	while ((conn = TAILQ_FIRST(&srv->newconns)) != NULL) {
		TAILQ_REMOVE(&srv->newconns, conn, entry);
		bufferevent_getcb(conn->bev, &readcb, NULL, NULL, &cbarg);
		conn->fd = bufferevent_getfd(conn->bev);
		/* evhttp let it go already (bufferevent_free clears). */
		if (readcb == NULL || cbarg == NULL || conn->fd < 0 ||
		    evhttp_connection_get_bufferevent(cbarg) != conn->bev) {
			bufferevent_decref(conn->bev);
			free(conn);
			continue;
		}
		conn->evcon = cbarg;
		if ((conn->timer = event_new(srv->base, -1, 0,
		    server_conn_timeout_cb, conn)) == NULL)
			fatalx("event_new failed");
		evhttp_connection_set_closecb(conn->evcon,
		    server_conn_close_cb, conn);
		if ((size_t)conn->fd >= srv->nbyfd) {
			n = (size_t)conn->fd + 64;
			srv->byfd = xreallocarray(srv->byfd, n,
			    sizeof *srv->byfd);
			memset(srv->byfd + srv->nbyfd, 0,
			    (n - srv->nbyfd) * sizeof *srv->byfd);
			srv->nbyfd = n;
		}
		srv->byfd[conn->fd] = conn;
		TAILQ_INSERT_TAIL(&srv->conns, conn, entry);
		srv->nconns++;
		srv->conns_total++;
		event_add(conn->timer, &srv->request_tv);
		/* evhttp holds it now; ours was only for this pass. */
		bufferevent_decref(conn->bev);
	}

	/* Its close callback frees each one closed here. */
	conn = TAILQ_FIRST(&srv->conns);
	while (srv->nconns > srv->maxconns && conn != NULL) {
		next = TAILQ_NEXT(conn, entry);
		if (evbuffer_get_length(bufferevent_get_output(conn->bev)) ==
		    0) {
			if (srv->conns_evicted++ == 0)
				log_warnx("more than %u HTTP connections: "
				    "closing those waiting longest for a "
				    "request", srv->maxconns);
			evhttp_connection_free(conn->evcon);
		}
		conn = next;
	}
}

/* evhttp closes a connection: forget it. */
static void
server_conn_close_cb(struct evhttp_connection *evcon, void *arg)
{
	struct server_conn	*conn = arg;

	server_conn_free(conn);
}

static void
server_conn_free(struct server_conn *conn)
{
	struct server	*srv = conn->srv;

	TAILQ_REMOVE(&srv->conns, conn, entry);
	srv->nconns--;
	if (conn->fd >= 0 && (size_t)conn->fd < srv->nbyfd &&
	    srv->byfd[conn->fd] == conn)
		srv->byfd[conn->fd] = NULL;
	event_free(conn->timer);
	free(conn);
}

/*
 * No complete request within http_request_timeout of the connection
 * or of its last request (HOSTILE-63: evhttp's own timeout starts again
 * with every byte, so a client sending one byte a second would stay for
 * ever). A response still being written has its own write timeout.
 */
static void
server_conn_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server_conn	*conn = arg;
	struct server		*srv = conn->srv;

	if (evbuffer_get_length(bufferevent_get_output(conn->bev)) > 0) {
		event_add(conn->timer, &srv->request_tv);
		return;
	}
	srv->conns_timedout++;
	log_debug("HTTP connection closed: no request within %lld ms",
	    (long long)srv->request_tv.tv_sec * 1000 +
	    srv->request_tv.tv_usec / 1000);
	evhttp_connection_free(conn->evcon);
}

/* The connection a request came on, or NULL if not adopted (yet). */
static struct server_conn *
server_conn_find(struct server *srv, struct evhttp_request *req)
{
	struct evhttp_connection	*evcon;
	struct bufferevent		*bev;
	evutil_socket_t			 fd;
	struct server_conn		*conn;

	if ((evcon = evhttp_request_get_connection(req)) == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL ||
	    (fd = bufferevent_getfd(bev)) < 0 || (size_t)fd >= srv->nbyfd ||
	    (conn = srv->byfd[fd]) == NULL || conn->evcon != evcon)
		return (NULL);
	return (conn);
}

/* A request arrived: the connection has its time again, and is last. */
static void
server_conn_request(struct server *srv, struct evhttp_request *req)
{
	struct server_conn	*conn;

	if ((conn = server_conn_find(srv, req)) == NULL)
		return;
	event_add(conn->timer, &srv->request_tv);
	if (TAILQ_NEXT(conn, entry) != NULL) {
		TAILQ_REMOVE(&srv->conns, conn, entry);
		TAILQ_INSERT_TAIL(&srv->conns, conn, entry);
	}
}

/*
 * How many HTTP connections to keep: want (http_max_connections), or
 * fewer if the descriptor limit would not leave SERVER_FD_RESERVE for
 * the rest.
 */
static unsigned int
server_max_conns(int want)
{
	struct rlimit	rl;
	rlim_t		n;

	if (want <= 0)
		want = CONF_HTTP_MAX_CONNECTIONS;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return ((unsigned int)want);
	if (rl.rlim_cur <= 2 * SERVER_FD_RESERVE)
		n = rl.rlim_cur / 2;
	else
		n = rl.rlim_cur - SERVER_FD_RESERVE;
	if (n > (rlim_t)want)
		n = (rlim_t)want;
	return (n > 0 ? (unsigned int)n : 1);
}

/*
 * Apply the HTTP limits of a config (0: the default). A new request
 * timeout applies to each connection from its next request on.
 */
static void
server_limits_set(struct server *srv, const struct conf *conf)
{
	struct timeval	idle;
	int64_t		ms;

	ms = conf->http_request_timeout > 0 ? conf->http_request_timeout :
	    CONF_HTTP_REQUEST_TIMEOUT;
	srv->request_tv.tv_sec = ms / 1000;
	srv->request_tv.tv_usec = (ms % 1000) * 1000;
	ms = conf->http_idle_timeout > 0 ? conf->http_idle_timeout :
	    CONF_HTTP_IDLE_TIMEOUT;
	idle.tv_sec = ms / 1000;
	idle.tv_usec = (ms % 1000) * 1000;
	/* HOSTILE-63, HOSTILE-64 */
	evhttp_set_timeout_tv(srv->http, &idle);
	evhttp_set_max_headers_size(srv->http,
	    conf->http_max_header_size > 0 ?
	    (ev_ssize_t)conf->http_max_header_size :
	    CONF_HTTP_MAX_HEADER_SIZE);
	srv->maxconns = server_max_conns(conf->http_max_connections);
	server_pages_set(srv, conf);
	if (srv->nconns > srv->maxconns)
		event_active(srv->adopt, EV_TIMEOUT, 0);
}

/* Apply the page sizes of a config (0: the default). */
static void
server_pages_set(struct server *srv, const struct conf *conf)
{
	srv->page_size = conf->page_size > 0 ? conf->page_size :
	    CONF_PAGE_SIZE;
	srv->max_page_size = conf->max_page_size > 0 ? conf->max_page_size :
	    CONF_MAX_PAGE_SIZE;
}

/* Forget the access tokens. */
static void
server_tokens_free(struct server *srv)
{
	size_t	i;

	for (i = 0; i < srv->nguards; i++) {
		free(srv->guards[i].slug);
		free(srv->guards[i].token);
	}
	free(srv->guards);
	srv->guards = NULL;
	srv->nguards = 0;
	free(srv->token);
	srv->token = NULL;
}

/*
 * Take the access tokens of a config: [daemon] access_token guards
 * every output, a [category] one that category's (by the slug of its
 * name, as the routes name categories).
 */
static void
server_tokens_set(struct server *srv, const struct conf *conf)
{
	const struct conf_category	*cc;
	size_t				 i;

	server_tokens_free(srv);
	if (conf->access_token != NULL && *conf->access_token != '\0')
		srv->token = xstrdup(conf->access_token);
	for (i = 0; i < conf->ncategories; i++) {
		cc = &conf->categories[i];
		if (cc->access_token == NULL || *cc->access_token == '\0')
			continue;
		srv->guards = xreallocarray(srv->guards, srv->nguards + 1,
		    sizeof *srv->guards);
		srv->guards[srv->nguards].slug = server_slug(cc->name);
		srv->guards[srv->nguards].token = xstrdup(cc->access_token);
		srv->nguards++;
	}
}

/*
 * Is a category private: its own token, and no [daemon] token? Then
 * the outputs of everything leave it out (they are open to all).
 */
static int
server_private(const struct server *srv, const char *slug)
{
	size_t	i;

	if (srv->token != NULL)
		return (0);
	for (i = 0; i < srv->nguards; i++) {
		if (strcmp(srv->guards[i].slug, slug) == 0)
			return (1);
	}
	return (0);
}

/*
 * Is the token given (len bytes) the secret? In time that depends on
 * the secret's length only, never on how much of it the guess has right.
 */
static int
server_token_eq(const char *given, size_t len, const char *secret)
{
	const volatile unsigned char	*g = (const unsigned char *)given;
	const unsigned char		*s = (const unsigned char *)secret;
	size_t				 i, n = strlen(secret);
	unsigned int			 d;

	d = len != n;
	for (i = 0; i < n; i++)
		d |= s[i] ^ (i < len ? g[i] : 0);
	return (d == 0);
}

/*
 * The token of an "Authorization: Bearer TOKEN" header (RFC 6750 2.1),
 * its length in *len, or NULL.
 */
static const char *
server_bearer(struct evhttp_request *req, size_t *len)
{
	const char	*h, *t;
	size_t		 n;

	h = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization");
	if (h == NULL || strncasecmp(h, "Bearer", 6) != 0 ||
	    (h[6] != ' ' && h[6] != '\t'))
		return (NULL);
	for (t = h + 6; *t == ' ' || *t == '\t'; t++)
		;
	n = strcspn(t, " \t");
	if (n == 0 || t[n + strspn(t + n, " \t")] != '\0')
		return (NULL);
	*len = n;
	return (t);
}

/*
 * May this request have its document? Not when the document needs a
 * token (the [daemon] one, or its category's) and the request has none
 * of them, as ?token= or a Bearer header. Sets r->guarded, r->opened and
 * r->link_token. Returns 0, -1 (no token: 401), or -2 (a wrong one: 401
 * with error="invalid_token").
 */
static int
server_authorize(struct server *srv, struct evhttp_request *req,
    struct server_req *r)
{
	const char	*cand[2], *bearer;
	size_t		 i, n = 0, blen = 0;

	r->guarded = 0;
	r->opened = SERVER_OPEN;
	r->link_token = NULL;
	if (srv->token != NULL)
		cand[n++] = srv->token;
	for (i = 0; r->slug != NULL && i < srv->nguards; i++) {
		if (strcmp(srv->guards[i].slug, r->slug) == 0) {
			cand[n++] = srv->guards[i].token;
			break;
		}
	}
	if (n == 0)
		return (0);
	r->guarded = 1;
	bearer = server_bearer(req, &blen);
	for (i = 0; i < n; i++) {
		if (bearer != NULL && server_token_eq(bearer, blen, cand[i]))
			return (0);
	}
	for (i = 0; i < n; i++) {
		if (r->has_token && server_token_eq(r->token,
		    strlen(r->token), cand[i])) {
			/* Its links carry the token that opened it. */
			r->opened = cand[i] == srv->token ? SERVER_BY_TOKEN :
			    SERVER_BY_CAT_TOKEN;
			r->link_token = cand[i];
			return (0);
		}
	}
	srv->unauthorized++;
	return (bearer != NULL || r->has_token ? -2 : -1);
}

/* Forget the rules. */
static void
server_rules_free(struct server *srv)
{
	filter_rules_free(srv->rules);
	srv->rules = NULL;
}

/*
 * Compile the include and exclude rules of a config: [daemon], each
 * [category] (by the slug of its name, as the outputs group feeds) and
 * each [feed] (by its declared URL). Returns NULL with *cause naming
 * the section on a malformed rule.
 */
struct filter_rules *
server_rules_compile(const struct conf *conf, char **cause)
{
	const struct conf_feed		*cf;
	const struct conf_category	*cc;
	struct filter_rules		*fr;
	char				*why = NULL, *slug;
	size_t				 i;
	int				 rc;

	fr = filter_rules_new();
	if (filter_rules_add(fr, FILTER_GLOBAL, NULL, conf->include,
	    conf->exclude, &why) != 0) {
		xcause(cause, "[daemon]: %s", why);
		goto fail;
	}
	for (i = 0; i < conf->ncategories; i++) {
		cc = &conf->categories[i];
		slug = server_slug(cc->name);
		rc = filter_rules_add(fr, FILTER_CATEGORY, slug, cc->include,
		    cc->exclude, &why);
		free(slug);
		if (rc != 0) {
			xcause(cause, "category %s: %s", cc->name, why);
			goto fail;
		}
	}
	for (i = 0; i < conf->nfeeds; i++) {
		cf = &conf->feeds[i];
		if (filter_rules_add(fr, FILTER_FEED, cf->url, cf->include,
		    cf->exclude, &why) != 0) {
			xcause(cause, "feed %s: %s", cf->url, why);
			goto fail;
		}
	}
	return (fr);

fail:
	free(why);
	filter_rules_free(fr);
	return (NULL);
}

/*
 * Take the rules of a config. On a malformed rule nothing changes.
 * Returns 0, or -1 with *cause.
 */
static int
server_rules_set(struct server *srv, const struct conf *conf, char **cause)
{
	struct filter_rules	*fr;

	if ((fr = server_rules_compile(conf, cause)) == NULL)
		return (-1);
	server_rules_free(srv);
	srv->rules = fr;
	return (0);
}

/* Take the title and the public URL from a config. */
static void
server_set_names(struct server *srv, const struct conf *conf)
{
	free(srv->title);
	free(srv->base_url);
	srv->title = xstrdup(conf->title != NULL ? conf->title : "feedmux");
	if (conf->base_url != NULL && *conf->base_url != '\0')
		srv->base_url = xstrdup(conf->base_url);
	else if (conf->listen != NULL)
		xasprintf(&srv->base_url, "http://%s", conf->listen);
	else
		srv->base_url = xstrdup("");
}

struct server *
server_new(struct event_base *base, struct store *store,
    const struct conf *conf, char **cause)
{
	struct server	*srv;

	srv = xcalloc(1, sizeof *srv);
	srv->base = base;
	srv->store = store;
	srv->started = (int64_t)time(NULL);
	server_set_names(srv, conf);
	TAILQ_INIT(&srv->ctls);
	TAILQ_INIT(&srv->docs);
	if (server_rules_set(srv, conf, cause) != 0)
		goto fail;

	server_tokens_set(srv, conf);
	TAILQ_INIT(&srv->conns);
	TAILQ_INIT(&srv->newconns);
	if ((srv->websub = evtimer_new(base, server_websub_cb,
	    srv)) == NULL ||
	    (srv->recheck = event_new(base, -1, 0, server_recheck_cb,
	    srv)) == NULL ||
	    (srv->adopt = event_new(base, -1, 0, server_adopt_cb,
	    srv)) == NULL) {
		xcause(cause, "cannot start the HTTP server");
		goto fail;
	}
	if ((srv->http = evhttp_new(base)) == NULL) {
		xcause(cause, "cannot start the HTTP server");
		goto fail;
	}
	server_limits_set(srv, conf);
	/* HOSTILE-64 */
	evhttp_set_max_body_size(srv->http, SERVER_MAX_BODY);
	evhttp_set_allowed_methods(srv->http, SERVER_METHODS);
	evhttp_set_bevcb(srv->http, server_bev_cb, srv);
	evhttp_set_gencb(srv->http, server_request_cb, srv);

	if (conf->listen == NULL || *conf->listen == '\0') {
		xcause(cause, "no listen address");
		goto fail;
	}
	if (server_listen(srv, conf->listen, cause) != 0)
		goto fail;
	if (conf->control != NULL && *conf->control != '\0' &&
	    server_control_listen(srv, conf->control, cause) != 0)
		goto fail;
	server_websub_set(srv, conf);
	return (srv);

fail:
	server_free(srv);
	return (NULL);
}

int
server_reload(struct server *srv, const struct conf *conf, char **cause)
{
	if (server_rules_set(srv, conf, cause) != 0)
		return (-1);
	server_set_names(srv, conf);
	server_tokens_set(srv, conf);
	server_limits_set(srv, conf);
	server_websub_set(srv, conf);
	server_changed(srv);
	return (0);
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
	struct timeval	tv = { SERVER_WEBSUB_DELAY, 0 };

	srv->changed = 1;
	/* A burst of stored feeds is one render, and one ping per feed. */
	if (srv->hub != NULL && srv->websub != NULL &&
	    !evtimer_pending(srv->websub, NULL))
		evtimer_add(srv->websub, &tv);
}

void
server_free(struct server *srv)
{
	struct server_ctl	*ctl;
	struct server_doc	*doc;
	struct server_conn	*conn;

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
	/* Closed by evhttp_free; those not adopted are ours to free. */
	while ((conn = TAILQ_FIRST(&srv->newconns)) != NULL) {
		TAILQ_REMOVE(&srv->newconns, conn, entry);
		bufferevent_decref(conn->bev);
		free(conn);
	}
	free(srv->byfd);
	if (srv->recheck != NULL)
		event_free(srv->recheck);
	if (srv->adopt != NULL)
		event_free(srv->adopt);
	if (srv->websub != NULL)
		event_free(srv->websub);
	server_topics_free(srv->topics, srv->ntopics);
	free(srv->hub);
	while ((doc = TAILQ_FIRST(&srv->docs)) != NULL) {
		TAILQ_REMOVE(&srv->docs, doc, entry);
		server_doc_free(doc);
	}
	server_snap_free(srv->snap);
	server_rules_free(srv);
	server_tokens_free(srv);
	free(srv->title);
	free(srv->base_url);
	free(srv);
}

/* Seconds on the monotonic clock. */
static double
server_now_mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/*
 * The slug of a category name: ASCII letters and digits in lower case,
 * every other run of bytes one '-', none at the ends. A name with no
 * letter or digit of ASCII gets "c-" and a hash of it. Caller frees.
 */
char *
server_slug(const char *name)
{
	struct buf		 b;
	const unsigned char	*p;
	char			*s;
	int			 dash = 0;

	buf_init(&b);
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    (*p >= 'A' && *p <= 'Z')) {
			if (dash && b.len > 0)
				buf_addc(&b, '-');
			dash = 0;
			buf_addc(&b, (*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
		} else
			dash = 1;
	}
	if (b.len == 0) {
		buf_free(&b);
		xasprintf(&s, "c-%08llx", (unsigned long long)(buf_hash(
		    BUF_HASH_INIT, name, strlen(name)) & 0xffffffffU));
		return (s);
	}
	return (buf_steal(&b, NULL));
}

/* When an entry last changed: its date, or its update if later. */
static int64_t
server_entry_updated(const struct stored_entry *se)
{
	int64_t	t;

	t = stored_entry_date(se);
	if (se->updated != TIME_NONE && (t == TIME_NONE || se->updated > t))
		t = se->updated;
	return (t);
}

/*
 * Do the rules keep an entry as one source carried it: the global
 * rules, its feed's category's and its feed's? A source whose feed the
 * store no longer lists has no category; NULL has no feed either.
 */
static int
server_rules_keep(const struct server *srv, const struct server_snap *snap,
    const struct entry_source *src, const struct filter_subject *fs)
{
	const char	*name = NULL;
	char		*slug = NULL;
	size_t		 j;
	int		 keep;

	if (src == NULL)
		return (filter_rules_judge(srv->rules, NULL, NULL, fs, NULL));
	for (j = 0; j < snap->nfeeds; j++) {
		if (snap->feeds[j]->id == src->feed_id) {
			name = snap->feeds[j]->category;
			slug = server_slug(name != NULL && *name != '\0' ?
			    name : "Uncategorized");
			break;
		}
	}
	keep = filter_rules_judge(srv->rules, slug, src->feed_key, fs, NULL);
	free(slug);
	return (keep);
}

/* The category of a snapshot with this slug, or NULL. */
static struct server_cat *
server_cat_find(struct server_snap *snap, const char *slug)
{
	size_t	i;

	for (i = 0; i < snap->ncats; i++) {
		if (strcmp(snap->cats[i].slug, slug) == 0)
			return (&snap->cats[i]);
	}
	return (NULL);
}

static void
server_snap_free(struct server_snap *snap)
{
	size_t	i;

	if (snap == NULL)
		return;
	stored_entries_free(snap->all, snap->nall);
	free(snap->entries);
	for (i = 0; i < snap->ncats; i++) {
		free(snap->cats[i].name);
		free(snap->cats[i].slug);
		free(snap->cats[i].entries);
	}
	free(snap->cats);
	free(snap->pcats);
	store_feeds_free(snap->feeds, snap->nfeeds);
	free(snap->sources);
	free(snap);
}

/*
 * Read the store into a new snapshot: every feed, the newest entries
 * (at most SERVER_MAX_ENTRIES), the ones the rules keep, and the
 * categories. A private category (server_private) has its own view
 * only: the page's list of categories, the outputs of everything and
 * the OPML leave it out, and an entry only it carries. Returns NULL
 * with *cause if the store cannot be read.
 */
static struct server_snap *
server_snap_load(struct server *srv, char **cause)
{
	struct server_snap	 *snap;
	struct store_query	  q;
	struct server_cat	 *cat, **fcat = NULL;
	struct stored_entry	 *se;
	struct store_feed	 *sf;
	struct filter_subject	  fs;
	const char		 *name;
	char			 *slug;
	int64_t			  t;
	size_t			  i, j, k;
	int			  rules, known, kept;
	size_t			  ncat, npub;

	snap = xcalloc(1, sizeof *snap);
	snap->version = store_version(srv->store);
	if (store_feeds(srv->store, &snap->feeds, &snap->nfeeds, cause) != 0)
		goto fail;
	memset(&q, 0, sizeof q);
	q.limit = SERVER_MAX_ENTRIES;
	if (store_entries(srv->store, &q, &snap->all, &snap->nall,
	    cause) != 0)
		goto fail;

	/* The categories, by name; a slug two names share is one. */
	fcat = xcalloc(snap->nfeeds + 1, sizeof *fcat);
	snap->sources = xcalloc(snap->nfeeds + 1, sizeof *snap->sources);
	for (i = 0; i < snap->nfeeds; i++) {
		sf = snap->feeds[i];
		name = sf->category != NULL && *sf->category != '\0' ?
		    sf->category : "Uncategorized";
		slug = server_slug(name);
		for (j = 0; j < snap->ncats; j++) {
			if (strcmp(snap->cats[j].slug, slug) == 0)
				break;
		}
		if (j == snap->ncats) {
			snap->cats = xreallocarray(snap->cats, snap->ncats + 1,
			    sizeof *snap->cats);
			cat = &snap->cats[snap->ncats++];
			memset(cat, 0, sizeof *cat);
			cat->name = xstrdup(name);
			cat->slug = slug;
			cat->updated = TIME_NONE;
			cat->private = server_private(srv, slug);
		} else
			free(slug);
		snap->stored += sf->entries;
		if (snap->cats[j].private)
			continue;
		k = snap->nsources++;
		snap->sources[k].title = sf->label != NULL &&
		    *sf->label != '\0' ? sf->label : sf->title != NULL &&
		    *sf->title != '\0' ? sf->title : sf->url;
		snap->sources[k].xml_url = sf->fetch_url != NULL ?
		    sf->fetch_url : sf->url;
		snap->sources[k].html_url = sf->site;
		snap->sources[k].category = name;
	}
	/* OPML order: by category, then as the store lists the feeds. */
	for (i = 1; i < snap->nsources; i++) {
		for (j = i; j > 0 && strcmp(snap->sources[j - 1].category,
		    snap->sources[j].category) > 0; j--) {
			struct publish_source	tmp = snap->sources[j];

			snap->sources[j] = snap->sources[j - 1];
			snap->sources[j - 1] = tmp;
		}
	}

	/* What the rules keep, and where each kept entry belongs. */
	snap->entries = xcalloc(snap->nall + 1, sizeof *snap->entries);
	snap->updated = TIME_NONE;
	for (i = 0; i < snap->ncats; i++)
		snap->cats[i].entries = xcalloc(snap->nall + 1,
		    sizeof *snap->cats[i].entries);
	rules = !filter_rules_empty(srv->rules);
	for (i = 0; i < snap->nall; i++) {
		se = snap->all[i];
		if (rules)
			filter_subject_init(&fs, se);
		t = server_entry_updated(se);
		/*
		 * Every category one of its sources is in, once, if the
		 * rules keep the entry as that source carried it: a story
		 * several feeds carried is shown where one of them keeps it.
		 */
		ncat = npub = 0;
		known = kept = 0;
		for (j = 0; j < snap->ncats; j++)
			fcat[j] = NULL;
		for (k = 0; k < se->nsources; k++) {
			for (j = 0; j < snap->nfeeds; j++) {
				if (snap->feeds[j]->id == se->sources[k].feed_id)
					break;
			}
			if (j == snap->nfeeds)
				continue;
			known++;
			if (rules && !server_rules_keep(srv, snap,
			    &se->sources[k], &fs))
				continue;
			kept++;
			name = snap->feeds[j]->category;
			slug = server_slug(name != NULL && *name != '\0' ?
			    name : "Uncategorized");
			cat = server_cat_find(snap, slug);
			free(slug);
			for (j = 0; j < snap->ncats && fcat[j] != NULL &&
			    fcat[j] != cat; j++)
				;
			if (cat == NULL || (j < snap->ncats &&
			    fcat[j] == cat))
				continue;
			fcat[j] = cat;
			cat->entries[cat->n++] = se;
			if (t != TIME_NONE && (cat->updated == TIME_NONE ||
			    t > cat->updated))
				cat->updated = t;
			ncat++;
			if (!cat->private)
				npub++;
		}
		/* No feed the store lists carries it: no category's rules. */
		if (known == 0)
			kept = !rules || server_rules_keep(srv, snap,
			    se->nsources > 0 ? &se->sources[0] : NULL, &fs);
		if (rules)
			filter_subject_clear(&fs);
		if (kept == 0)
			continue;
		/* Only private categories carry it: theirs alone. */
		if (ncat > 0 && npub == 0)
			continue;
		snap->entries[snap->n++] = se;
		if (t != TIME_NONE && (snap->updated == TIME_NONE ||
		    t > snap->updated))
			snap->updated = t;
	}
	free(fcat);
	fcat = NULL;

	/* The page lists the categories by name. */
	for (i = 1; i < snap->ncats; i++) {
		for (j = i; j > 0 && strcmp(snap->cats[j - 1].name,
		    snap->cats[j].name) > 0; j--) {
			struct server_cat	tmp = snap->cats[j];

			snap->cats[j] = snap->cats[j - 1];
			snap->cats[j - 1] = tmp;
		}
	}
	snap->pcats = xcalloc(snap->ncats + 1, sizeof *snap->pcats);
	for (i = 0; i < snap->ncats; i++) {
		if (snap->cats[i].private)
			continue;
		snap->pcats[snap->npcats].name = snap->cats[i].name;
		snap->pcats[snap->npcats++].slug = snap->cats[i].slug;
	}
	return (snap);

fail:
	free(fcat);
	server_snap_free(snap);
	return (NULL);
}

/* A while has passed since the last look at the store: look again. */
static void
server_recheck_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server	*srv = arg;

	srv->checked = 0;
}

/*
 * Read the store again if it changed since the snapshot. Returns 0, or
 * -1 if it cannot be read (the old snapshot, if any, stays).
 */
static int
server_snapshot(struct server *srv)
{
	static const struct timeval	 recheck_tv = { 0,
					     SERVER_RECHECK_USEC };
	struct server_snap		*snap;
	char				*cause = NULL;
	double				 t0;
	int64_t				 changes;

	if (srv->snap != NULL && !srv->changed) {
		/*
		 * A write through this process's connection shows at once
		 * (store_changes costs no system call). A look for another
		 * process's, the CLI's, takes two fcntl(2) locks: one per
		 * SERVER_RECHECK_USEC at most, so that a burst of requests
		 * is answered from one version, and a change the CLI made
		 * shows within that time.
		 */
		changes = store_changes(srv->store);
		if (srv->checked && changes == srv->checked_changes)
			return (0);
		srv->checked = 1;
		srv->checked_changes = changes;
		if (!evtimer_pending(srv->recheck, NULL))
			evtimer_add(srv->recheck, &recheck_tv);
		if (store_version(srv->store) == srv->snap->version)
			return (0);
	}
	t0 = server_now_mono();
	if ((snap = server_snap_load(srv, &cause)) == NULL) {
		log_warnx("cannot read entries to publish: %s",
		    cause != NULL ? cause : "unknown error");
		free(cause);
		return (-1);
	}
	/* Every document is rendered again from the new snapshot. */
	snap->gen = ++srv->gen;
	server_snap_free(srv->snap);
	srv->snap = snap;
	srv->changed = 0;
	srv->snapshots++;
	srv->snapshot_seconds += server_now_mono() - t0;
	return (0);
}

static void
server_doc_free(struct server_doc *doc)
{
	server_body_unref(doc->body);
	server_body_unref(doc->gz);
	free(doc->key);
	free(doc);
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
	server_body_unref(doc->gz);
	doc->gz = NULL;
	doc->body = server_body_new(data, len);
	doc->hash = hash;
	snprintf(doc->etag, sizeof doc->etag, "\"%016llx\"",
	    (unsigned long long)hash);
	snprintf(doc->gzetag, sizeof doc->gzetag, "\"%016llx-gz\"",
	    (unsigned long long)hash);
	doc->mtime = now;
	date_http(now, doc->lastmod);
}

/* The cache key of a document: format, view and page. Caller frees. */
static char *
server_doc_key(const struct server_req *r)
{
	char	*key;

	xasprintf(&key, "%d|%s|%lld|%lld_%lld|%d", (int)(r->fmt -
	    server_formats), r->slug != NULL ? r->slug : "",
	    r->has_limit ? (long long)r->limit : -1LL,
	    r->has_before ? (long long)r->before_date : 0LL,
	    r->has_before ? (long long)r->before_id : -1LL, (int)r->opened);
	return (key);
}

/*
 * Render one page of a view of the snapshot (cat NULL: everything).
 * Returns the bytes (caller frees).
 */
static char *
server_render(struct server *srv, const struct server_req *r,
    struct server_cat *cat, size_t *len)
{
	struct server_snap	 *snap = srv->snap;
	struct publish_view	  view;
	struct stored_entry	**list, *last;
	char			 *path = NULL, *query = NULL, *first = NULL;
	char			 *next = NULL, *out, *tokq = NULL;
	int64_t			  limit, d;
	size_t			  n, start = 0;
	double			  t0;

	t0 = server_now_mono();
	list = cat != NULL ? cat->entries : snap->entries;
	n = cat != NULL ? cat->n : snap->n;
	limit = r->has_limit ? r->limit : srv->page_size;

	/* The page starts after the cursor: older, or as old, lower id. */
	if (r->has_before) {
		for (start = 0; start < n; start++) {
			d = stored_entry_date(list[start]);
			if (d < r->before_date || (d == r->before_date &&
			    list[start]->id < r->before_id))
				break;
		}
	}
	memset(&view, 0, sizeof view);
	view.title = srv->title;
	view.base_url = srv->base_url;
	if (cat != NULL) {
		xasprintf(&path, "c/%s", cat->slug);
		view.path = path;
		view.category = cat->name;
		view.updated = cat->updated;
	} else {
		view.path = "";
		view.updated = snap->updated;
	}
	/* An empty view: since the server started, so its bytes hold. */
	if (view.updated == TIME_NONE)
		view.updated = srv->started;
	view.entries = list + start;
	view.nentries = n - start < (size_t)limit ? n - start : (size_t)limit;
	view.categories = snap->pcats;
	view.ncategories = snap->npcats;
	view.sources = snap->sources;
	view.nsources = snap->nsources;
	view.hub = srv->hub;

	/*
	 * A document opened by ?token= carries the token in its links to
	 * the documents the same token opens, so that a reader that has
	 * only the URL can follow them: with the [daemon] token every
	 * document of the site, with a category's the documents of its
	 * view. The page queries hold it (after the limit, as the URL a
	 * reader subscribes to has it); the publisher adds it to the rest.
	 */
	if (r->link_token != NULL) {
		xasprintf(&tokq, "token=%s", r->link_token);
		view.link_query = tokq;
		if (r->opened == SERVER_BY_TOKEN)
			view.site_query = tokq;
	}

	/* RFC 5005 links by a (date, id) cursor: they never shift. */
	if (r->has_limit && tokq != NULL)
		xasprintf(&first, "limit=%lld&%s", (long long)limit, tokq);
	else if (r->has_limit)
		xasprintf(&first, "limit=%lld", (long long)limit);
	else if (tokq != NULL)
		first = xstrdup(tokq);
	if (r->has_before)
		xasprintf(&query, "%s%sbefore=%lld_%lld", first != NULL ?
		    first : "", first != NULL ? "&" : "",
		    (long long)r->before_date, (long long)r->before_id);
	else if (first != NULL)
		query = xstrdup(first);
	if (start + view.nentries < n && view.nentries > 0 && !r->one_page) {
		last = view.entries[view.nentries - 1];
		xasprintf(&next, "%s%sbefore=%lld_%lld", first != NULL ?
		    first : "", first != NULL ? "&" : "",
		    (long long)stored_entry_date(last), (long long)last->id);
	}
	view.query = query;
	view.first_query = first;
	view.next_query = next;

	out = r->fmt->render(&view, len);
	free(path);
	free(query);
	free(first);
	free(tokq);
	free(next);
	srv->renders++;
	srv->render_seconds += server_now_mono() - t0;
	return (out);
}

/*
 * The document a request asks for, rendered from the current snapshot;
 * the cache keeps the most recently used SERVER_MAX_DOCS.
 */
static struct server_doc *
server_doc_get(struct server *srv, const struct server_req *r,
    struct server_cat *cat)
{
	struct server_doc	*doc;
	char			*key, *data;
	size_t			 len;

	key = server_doc_key(r);
	TAILQ_FOREACH(doc, &srv->docs, entry) {
		if (strcmp(doc->key, key) == 0)
			break;
	}
	if (doc != NULL) {
		free(key);
		TAILQ_REMOVE(&srv->docs, doc, entry);
	} else {
		doc = xcalloc(1, sizeof *doc);
		doc->key = key;
		doc->fmt = r->fmt;
		doc->gen = 0;
		srv->ndocs++;
	}
	TAILQ_INSERT_HEAD(&srv->docs, doc, entry);
	if (doc->gen != srv->snap->gen || doc->body == NULL) {
		data = server_render(srv, r, cat, &len);
		server_doc_set(doc, data, len, (int64_t)time(NULL));
		doc->gen = srv->snap->gen;
	}
	while (srv->ndocs > SERVER_MAX_DOCS) {
		struct server_doc	*old = TAILQ_LAST(&srv->docs,
					    server_doc_head);

		TAILQ_REMOVE(&srv->docs, old, entry);
		server_doc_free(old);
		srv->ndocs--;
	}
	return (doc);
}

/* Compress a body with gzip framing. NULL if zlib fails. */
static struct server_body *
server_gzip(const struct server_body *body)
{
	z_stream	 z;
	uLong		 bound;
	char		*out;
	int		 rc;

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return (NULL);
	bound = deflateBound(&z, body->len) + 32;
	out = xmalloc(bound);
	z.next_in = (Bytef *)body->data;
	z.avail_in = body->len;
	z.next_out = (Bytef *)out;
	z.avail_out = bound;
	rc = deflate(&z, Z_FINISH);
	if (rc != Z_STREAM_END) {
		deflateEnd(&z);
		free(out);
		return (NULL);
	}
	deflateEnd(&z);
	return (server_body_new(out, z.total_out));
}

/*
 * Does the client take gzip: "gzip" (or "x-gzip") in Accept-Encoding
 * without q=0?
 */
static int
server_accepts_gzip(struct evhttp_request *req)
{
	const char	*ae, *p, *end, *semi, *q;
	size_t		 n;

	ae = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Accept-Encoding");
	if (ae == NULL)
		return (0);
	for (p = ae; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = p + strcspn(p, ",");
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		semi = memchr(p, ';', end - p);
		n = (semi != NULL ? semi : end) - p;
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (!((n == 4 && strncasecmp(p, "gzip", 4) == 0) ||
		    (n == 6 && strncasecmp(p, "x-gzip", 6) == 0)))
			continue;
		if (semi == NULL)
			return (1);
		for (q = semi + 1; q < end && (*q == ' ' || *q == '\t'); q++)
			;
		if (end - q >= 2 && (q[0] == 'q' || q[0] == 'Q') &&
		    q[1] == '=' && strtod(q + 2, NULL) == 0.0)
			return (0);
		return (1);
	}
	return (0);
}

/*
 * Read a decimal integer in [min, max], all of s (an optional '-', at
 * most 19 digits). Returns 0, or -1.
 */
static int
server_parse_int(const char *s, int64_t min, int64_t max, int64_t *v)
{
	const char	*p = s;
	char		*end;
	long long	 ll;

	if (*p == '-')
		p++;
	if (*p == '\0' || strspn(p, "0123456789") != strlen(p) ||
	    strlen(p) > 19)
		return (-1);
	errno = 0;
	ll = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || ll < min || ll > max)
		return (-1);
	*v = ll;
	return (0);
}

/*
 * Read a document's query: limit=N (1 to max_page_size),
 * before=DATE_ID and token=TOKEN, each at most once; anything else is
 * refused (HOSTILE-65). Returns 0, or -1 (the answer is 400).
 */
static int
server_parse_query(const struct server *srv, const char *query,
    struct server_req *r)
{
	struct evkeyvalq	 params;
	struct evkeyval		*kv;
	const char		*us;
	char			*date;
	int			 rc = -1;

	if (query == NULL || *query == '\0')
		return (0);
	TAILQ_INIT(&params);
	if (evhttp_parse_query_str(query, &params) != 0)
		goto out;
	TAILQ_FOREACH(kv, &params, next) {
		if (strcmp(kv->key, "limit") == 0 && !r->has_limit &&
		    r->fmt != &server_formats[SERVER_OPML]) {
			if (server_parse_int(kv->value, 1, srv->max_page_size,
			    &r->limit) != 0)
				goto out;
			r->has_limit = 1;
		} else if (strcmp(kv->key, "before") == 0 && !r->has_before &&
		    r->fmt != &server_formats[SERVER_OPML]) {
			if ((us = strchr(kv->value, '_')) == NULL)
				goto out;
			date = xstrndup(kv->value, us - kv->value);
			if (server_parse_int(date, INT64_MIN, INT64_MAX,
			    &r->before_date) != 0 ||
			    server_parse_int(us + 1, 0, INT64_MAX,
			    &r->before_id) != 0) {
				free(date);
				goto out;
			}
			free(date);
			r->has_before = 1;
		} else if (strcmp(kv->key, "token") == 0 && !r->has_token) {
			/* Too long to be one: never matches. */
			if (strlen(kv->value) < sizeof r->token)
				memcpy(r->token, kv->value,
				    strlen(kv->value) + 1);
			r->has_token = 1;
		} else
			goto out;
	}
	rc = 0;
out:
	evhttp_clear_headers(&params);
	return (rc);
}

/*
 * Which document a path names: "/", "/feed.EXT", "/c/SLUG", "/c/SLUG.EXT"
 * or "/opml". Returns 0, or -1 if none (r->route says which route it
 * looked like). r->slug points into path.
 */
static int
server_route(const char *path, struct server_req *r)
{
	static char	 slug[256];
	const char	*s, *dot;
	size_t		 i, n;

	memset(r, 0, sizeof *r);
	r->route = ROUTE_OTHER;
	if (strcmp(path, "/") == 0) {
		r->route = ROUTE_PAGE;
		r->fmt = &server_formats[SERVER_HTML];
		return (0);
	}
	if (strcmp(path, "/opml") == 0) {
		r->route = ROUTE_OPML;
		r->fmt = &server_formats[SERVER_OPML];
		return (0);
	}
	if (strncmp(path, "/feed.", 6) == 0) {
		r->route = ROUTE_FEED;
		for (i = SERVER_ATOM; i <= SERVER_JSON; i++) {
			if (strcmp(path + 6, server_formats[i].ext) == 0) {
				r->fmt = &server_formats[i];
				return (0);
			}
		}
		return (-1);
	}
	if (strncmp(path, "/c/", 3) != 0)
		return (-1);
	r->route = ROUTE_CATEGORY;
	s = path + 3;
	dot = strchr(s, '.');
	n = dot != NULL ? (size_t)(dot - s) : strlen(s);
	/* A slug is made of [a-z0-9-]; anything else names nothing. */
	if (n == 0 || n >= sizeof slug || strspn(s,
	    "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
		return (-1);
	memcpy(slug, s, n);
	slug[n] = '\0';
	r->slug = slug;
	if (dot == NULL) {
		r->fmt = &server_formats[SERVER_HTML];
		return (0);
	}
	for (i = SERVER_ATOM; i <= SERVER_JSON; i++) {
		if (strcmp(dot + 1, server_formats[i].ext) == 0) {
			r->fmt = &server_formats[i];
			return (0);
		}
	}
	return (-1);
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

/*
 * Does this request's condition hold, so the answer is 304? Either
 * representation's ETag (identity or gzip) names the same bytes.
 */
static int
server_not_modified(struct evhttp_request *req, const struct server_doc *doc)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	const char		*inm, *ims;
	int64_t			 t;

	/* RFC 7232 6: If-None-Match wins over If-Modified-Since. */
	if ((inm = evhttp_find_header(in, "If-None-Match")) != NULL)
		return (server_etag_match(inm, doc->etag) ||
		    server_etag_match(inm, doc->gzetag));
	if ((ims = evhttp_find_header(in, "If-Modified-Since")) != NULL &&
	    date_parse(ims, &t) == 0 && t >= doc->mtime)
		return (1);
	return (0);
}

/*
 * A request URI as the log shows it: the value of every token=
 * parameter replaced (however its name is escaped), bytes that are not
 * printable ASCII as '?', at most SERVER_LOG_URI bytes. Caller frees.
 */
static char *
server_log_uri(const char *uri)
{
	struct buf	 b;
	const char	*q, *p, *amp, *eq;
	char		*key, *s;
	size_t		 i;

	buf_init(&b);
	if ((q = strchr(uri, '?')) == NULL)
		buf_adds(&b, uri);
	else {
		buf_add(&b, uri, q + 1 - uri);
		for (p = q + 1; ; p = amp + 1) {
			amp = p + strcspn(p, "&");
			eq = memchr(p, '=', amp - p);
			key = xstrndup(p, (eq != NULL ? eq : amp) - p);
			s = evhttp_uridecode(key, 1, NULL);
			if (eq != NULL && s != NULL &&
			    strcmp(s, "token") == 0) {
				buf_add(&b, p, eq + 1 - p);
				buf_adds(&b, "REDACTED");
			} else
				buf_add(&b, p, amp - p);
			free(s);
			free(key);
			if (*amp == '\0')
				break;
			buf_addc(&b, '&');
		}
	}
	buf_add(&b, "", 0);
	for (i = 0; i < b.len; i++) {
		if ((unsigned char)b.data[i] < 0x21 ||
		    (unsigned char)b.data[i] > 0x7e)
			b.data[i] = '?';
	}
	if (b.len > SERVER_LOG_URI)
		memcpy(b.data + SERVER_LOG_URI - 3, "...", 4);
	return (buf_steal(&b, NULL));
}

/* Send a reply, count it for /metrics, and log it (debug). */
static void
server_reply(struct server *srv, struct evhttp_request *req,
    enum server_route route, int code, const char *reason,
    struct evbuffer *evb)
{
	const char	*method;
	char		*uri;

	if (code >= 0 && code < SERVER_MAX_STATUS)
		srv->requests[route][code]++;
	if (log_get_level() >= LOG_LEVEL_DEBUG) {
		switch (evhttp_request_get_command(req)) {
		case EVHTTP_REQ_GET:
			method = "GET";
			break;
		case EVHTTP_REQ_HEAD:
			method = "HEAD";
			break;
		default:
			method = "OTHER";
			break;
		}
		uri = server_log_uri(evhttp_request_get_uri(req) != NULL ?
		    evhttp_request_get_uri(req) : "");
		log_debug("http: %s %s %d", method, uri, code);
		free(uri);
	}
	evhttp_send_reply(req, code, reason, evb);
}

/* Answer with a short body of some type (text/plain by default). */
static void
server_send_text(struct server *srv, struct evhttp_request *req,
    enum server_route route, int code, const char *reason, const char *type,
    const char *text)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evbuffer		*evb;

	evhttp_add_header(out, "Content-Type", type != NULL ? type :
	    "text/plain; charset=utf-8");
	evhttp_add_header(out, "Cache-Control", "no-cache");
	if (server_head(req, strlen(text))) {
		server_reply(srv, req, route, code, reason, NULL);
		return;
	}
	if ((evb = evbuffer_new()) == NULL)
		fatalx("evbuffer_new failed");
	evbuffer_add(evb, text, strlen(text));
	server_reply(srv, req, route, code, reason, evb);
	evbuffer_free(evb);
}

/* Serve a rendered document: 304, HEAD, or the bytes, gzipped if asked. */
static void
server_send_doc(struct server *srv, struct evhttp_request *req,
    const struct server_req *r, struct server_doc *doc)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct server_body	*body = doc->body;
	struct evbuffer		*evb;
	char			 cc[64];
	int			 gz = 0;

	if (server_accepts_gzip(req)) {
		if (doc->gz == NULL) {
			doc->gz = server_gzip(doc->body);
			srv->gzips++;
		}
		if (doc->gz != NULL) {
			body = doc->gz;
			gz = 1;
		}
	}

	/* HOSTILE-70 */
	evhttp_add_header(out, "Content-Type", doc->fmt->type);
	if (r->guarded) {
		/* No shared cache may give it to one without the token. */
		snprintf(cc, sizeof cc, "private, %s", doc->fmt->cache);
		evhttp_add_header(out, "Cache-Control", cc);
		evhttp_add_header(out, "Vary", "Accept-Encoding, "
		    "Authorization");
	} else {
		evhttp_add_header(out, "Cache-Control", doc->fmt->cache);
		evhttp_add_header(out, "Vary", "Accept-Encoding");
	}
	if (doc->fmt->html)
		evhttp_add_header(out, "Content-Security-Policy", SERVER_CSP);
	evhttp_add_header(out, "ETag", gz ? doc->gzetag : doc->etag);
	evhttp_add_header(out, "Last-Modified", doc->lastmod);

	/* HOSTILE-69 */
	if (server_not_modified(req, doc)) {
		server_reply(srv, req, r->route, 304, "Not Modified", NULL);
		return;
	}
	if (gz)
		evhttp_add_header(out, "Content-Encoding", "gzip");
	if (server_head(req, body->len)) {
		server_reply(srv, req, r->route, 200, "OK", NULL);
		return;
	}
	/* HOSTILE-68: the response holds its own reference to the bytes. */
	if ((evb = evbuffer_new()) == NULL)
		fatalx("evbuffer_new failed");
	body->refs++;
	if (evbuffer_add_reference(evb, body->data, body->len,
	    server_body_cleanup_cb, body) != 0)
		fatalx("evbuffer_add_reference failed");
	server_reply(srv, req, r->route, 200, "OK", evb);
	evbuffer_free(evb);
}

/* /healthz: JSON, 200 while the store can be read, else 503. */
static void
server_healthz(struct server *srv, struct evhttp_request *req)
{
	json_t	*o;
	char	*s;
	int	 ok;

	ok = server_snapshot(srv) == 0;
	o = json_object();
	json_object_set_new(o, "status", json_string(ok ? "ok" : "error"));
	if (srv->snap != NULL) {
		json_object_set_new(o, "feeds", json_integer(
		    (json_int_t)srv->snap->nfeeds));
		json_object_set_new(o, "categories", json_integer(
		    (json_int_t)srv->snap->ncats));
		json_object_set_new(o, "entries", json_integer(
		    (json_int_t)srv->snap->stored));
		json_object_set_new(o, "published", json_integer(
		    (json_int_t)srv->snap->n));
	}
	if (!ok)
		json_object_set_new(o, "error",
		    json_string("the store cannot be read now"));
	if ((s = json_dumps(o, JSON_COMPACT)) == NULL)
		fatalx("json_dumps failed");
	json_decref(o);
	s = xrealloc(s, strlen(s) + 2);
	strcat(s, "\n");
	if (!ok)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", SERVER_RETRY_AFTER);
	server_send_text(srv, req, ROUTE_HEALTHZ, ok ? 200 : 503,
	    ok ? "OK" : "Service Unavailable", "application/json", s);
	free(s);
}

/* /metrics: the Prometheus text format, version 0.0.4. */
static void
server_metrics(struct server *srv, struct evhttp_request *req)
{
	static const char	*states[] = { "new", "ok", "error", "gone",
				    "disabled", "refused" };
	struct buf		 b;
	struct server_snap	*snap;
	size_t			 i, j, n;
	int			 code;

	server_snapshot(srv);
	snap = srv->snap;
	buf_init(&b);
	buf_adds(&b, "# HELP feedmux_feeds Feeds by status.\n"
	    "# TYPE feedmux_feeds gauge\n");
	for (i = 0; i < sizeof states / sizeof states[0]; i++) {
		n = 0;
		for (j = 0; snap != NULL && j < snap->nfeeds; j++) {
			if (snap->feeds[j]->status != NULL &&
			    strcmp(snap->feeds[j]->status, states[i]) == 0)
				n++;
		}
		buf_printf(&b, "feedmux_feeds{status=\"%s\"} %zu\n", states[i],
		    n);
	}
	buf_printf(&b, "# HELP feedmux_entries Entries the store holds.\n"
	    "# TYPE feedmux_entries gauge\nfeedmux_entries %lld\n",
	    snap != NULL ? (long long)snap->stored : 0LL);
	buf_printf(&b, "# HELP feedmux_entries_published Entries the rules "
	    "keep, every category.\n# TYPE feedmux_entries_published gauge\n"
	    "feedmux_entries_published %zu\n", snap != NULL ? snap->n : 0);
	buf_printf(&b, "# HELP feedmux_categories Categories published.\n"
	    "# TYPE feedmux_categories gauge\nfeedmux_categories %zu\n",
	    snap != NULL ? snap->ncats : 0);
	buf_adds(&b, "# HELP feedmux_http_requests_total HTTP requests "
	    "answered, by route and status.\n"
	    "# TYPE feedmux_http_requests_total counter\n");
	for (i = 0; i < ROUTE_COUNT; i++) {
		for (code = 0; code < SERVER_MAX_STATUS; code++) {
			if (srv->requests[i][code] == 0)
				continue;
			buf_printf(&b, "feedmux_http_requests_total{route=\"%s\","
			    "status=\"%d\"} %llu\n", server_route_names[i], code,
			    (unsigned long long)srv->requests[i][code]);
		}
	}
	buf_printf(&b, "# HELP feedmux_http_connections HTTP connections "
	    "open.\n# TYPE feedmux_http_connections gauge\n"
	    "feedmux_http_connections %u\n", srv->nconns);
	buf_printf(&b, "# HELP feedmux_http_connections_total HTTP "
	    "connections accepted.\n"
	    "# TYPE feedmux_http_connections_total counter\n"
	    "feedmux_http_connections_total %llu\n",
	    (unsigned long long)srv->conns_total);
	buf_printf(&b, "# HELP feedmux_http_connections_closed_total HTTP "
	    "connections the server closed, by reason.\n"
	    "# TYPE feedmux_http_connections_closed_total counter\n"
	    "feedmux_http_connections_closed_total{reason=\"request_timeout\"}"
	    " %llu\n"
	    "feedmux_http_connections_closed_total{reason=\"limit\"} %llu\n",
	    (unsigned long long)srv->conns_timedout,
	    (unsigned long long)srv->conns_evicted);
	buf_printf(&b, "# HELP feedmux_render_seconds Time spent rendering "
	    "documents.\n# TYPE feedmux_render_seconds summary\n"
	    "feedmux_render_seconds_sum %.6f\n"
	    "feedmux_render_seconds_count %llu\n", srv->render_seconds,
	    (unsigned long long)srv->renders);
	buf_printf(&b, "# HELP feedmux_snapshot_seconds Time spent reading "
	    "the store for the outputs.\n"
	    "# TYPE feedmux_snapshot_seconds summary\n"
	    "feedmux_snapshot_seconds_sum %.6f\n"
	    "feedmux_snapshot_seconds_count %llu\n", srv->snapshot_seconds,
	    (unsigned long long)srv->snapshots);
	buf_printf(&b, "# HELP feedmux_documents_cached Rendered documents "
	    "in memory.\n# TYPE feedmux_documents_cached gauge\n"
	    "feedmux_documents_cached %zu\n", srv->ndocs);
	buf_printf(&b, "# HELP feedmux_gzip_total Documents compressed.\n"
	    "# TYPE feedmux_gzip_total counter\nfeedmux_gzip_total %llu\n",
	    (unsigned long long)srv->gzips);
	server_send_text(srv, req, ROUTE_METRICS, 200, "OK",
	    "text/plain; version=0.0.4; charset=utf-8", b.data);
	buf_free(&b);
}

/* Every request: route, render if stale, answer 200, 304 or an error. */
static void
server_request_cb(struct evhttp_request *req, void *arg)
{
	struct server		*srv = arg;
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	const struct evhttp_uri	*uri;
	struct server_req	 r;
	struct server_cat	*cat = NULL;
	struct server_doc	*doc;
	enum evhttp_cmd_type	 cmd;
	const char		*path = NULL, *query = NULL;
	char			*why;

	server_conn_request(srv, req);
	evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
	if ((uri = evhttp_request_get_evhttp_uri(req)) != NULL) {
		path = evhttp_uri_get_path(uri);
		query = evhttp_uri_get_query(uri);
	}
	if (path == NULL || *path == '\0')
		path = "/";
	cmd = evhttp_request_get_command(req);
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		/* HOSTILE-64 */
		evhttp_add_header(out, "Allow", "GET, HEAD");
		server_send_text(srv, req, ROUTE_OTHER, 405,
		    "Method Not Allowed", NULL, "method not allowed\n");
		return;
	}

	if (strcmp(path, "/healthz") == 0) {
		server_healthz(srv, req);
		return;
	}
	if (strcmp(path, "/metrics") == 0) {
		server_metrics(srv, req);
		return;
	}
	/* HOSTILE-65: a fixed set of routes, never the filesystem. */
	if (server_route(path, &r) != 0) {
		server_send_text(srv, req, r.route, 404, "Not Found", NULL,
		    "not found\n");
		return;
	}
	/* HOSTILE-65 */
	if (server_parse_query(srv, query, &r) != 0) {
		xasprintf(&why, "bad query: limit=1 to %lld, before=DATE_ID "
		    "and token=TOKEN, each at most once\n",
		    (long long)srv->max_page_size);
		server_send_text(srv, req, r.route, 400, "Bad Request", NULL,
		    why);
		free(why);
		return;
	}
	switch (server_authorize(srv, req, &r)) {
	case 0:
		break;
	case -2:
		evhttp_add_header(out, "WWW-Authenticate", SERVER_REALM
		    ", error=\"invalid_token\"");
		server_send_text(srv, req, r.route, 401, "Unauthorized", NULL,
		    "wrong access token\n");
		return;
	default:
		evhttp_add_header(out, "WWW-Authenticate", SERVER_REALM);
		server_send_text(srv, req, r.route, 401, "Unauthorized", NULL,
		    "this output needs its access token: ?token=TOKEN or "
		    "Authorization: Bearer TOKEN\n");
		return;
	}

	/* A store that cannot be read now: serve what we have, if any. */
	if (server_snapshot(srv) != 0 && srv->snap == NULL) {
		evhttp_add_header(out, "Retry-After", SERVER_RETRY_AFTER);
		server_send_text(srv, req, r.route, 503,
		    "Service Unavailable", NULL,
		    "the store cannot be read now\n");
		return;
	}
	if (r.slug != NULL && (cat = server_cat_find(srv->snap,
	    r.slug)) == NULL) {
		server_send_text(srv, req, r.route, 404, "Not Found", NULL,
		    "no such category\n");
		return;
	}
	doc = server_doc_get(srv, &r, cat);
	server_send_doc(srv, req, &r, doc);
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
		xcause(cause, "invalid control request");
		goto fail;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		xcause(cause, "cannot reach the daemon at %s: path too "
		    "long", path);
		goto fail;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += SERVER_CTL_TIMEOUT;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		xcause(cause, "cannot reach the daemon at %s: %s (is "
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
			xcause(cause, "the daemon at %s sent an answer "
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
			xcause(cause, "the daemon at %s closed the "
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
		xcause(cause, "the daemon refused the request");
	else
		xcause(cause, "unexpected answer from the daemon at %s",
		    path);
	goto fail;

io_fail:
	if (errno == ETIMEDOUT)
		xcause(cause, "the daemon at %s did not answer within %d "
		    "seconds", path, SERVER_CTL_TIMEOUT);
	else
		xcause(cause, "cannot talk to the daemon at %s: %s", path,
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

/*
 * Render one document of the static site and hand it to cb under its
 * file name: the page of a view is DIR/index.html or c/SLUG/index.html
 * (a static host answers /c/SLUG with a redirect to that directory), a
 * feed /PATH.EXT is the file PATH.EXT, the OPML is the file "opml".
 */
static int
server_site_doc(struct server *srv, struct server_cat *cat,
    enum server_fmt fmt, server_site_cb cb, void *arg, char **cause)
{
	struct server_req	 r;
	const char		*ext = server_formats[fmt].ext;
	char			*file, *data;
	size_t			 len;
	int			 rv;

	memset(&r, 0, sizeof r);
	r.fmt = &server_formats[fmt];
	r.slug = cat != NULL ? cat->slug : NULL;
	r.one_page = 1;
	if (fmt == SERVER_OPML)
		file = xstrdup("opml");
	else if (cat == NULL && ext == NULL)
		file = xstrdup("index.html");
	else if (cat == NULL)
		xasprintf(&file, "feed.%s", ext);
	else if (ext == NULL)
		xasprintf(&file, "c/%s/index.html", cat->slug);
	else
		xasprintf(&file, "c/%s.%s", cat->slug, ext);
	data = server_render(srv, &r, cat, &len);
	rv = cb(file, data, len, arg, cause);
	free(data);
	free(file);
	return (rv);
}

int
server_site(struct store *store, const struct conf *conf, server_site_cb cb,
    void *arg, char **cause)
{
	static const enum server_fmt	 fmts[] = { SERVER_HTML, SERVER_ATOM,
					     SERVER_RSS, SERVER_JSON };
	struct server			*srv;
	struct server_cat		*cat;
	size_t				 i, j;
	int				 rv = -1;

	srv = xcalloc(1, sizeof *srv);
	srv->store = store;
	srv->started = (int64_t)time(NULL);
	server_set_names(srv, conf);
	TAILQ_INIT(&srv->ctls);
	TAILQ_INIT(&srv->docs);
	TAILQ_INIT(&srv->conns);
	TAILQ_INIT(&srv->newconns);
	if (server_rules_set(srv, conf, cause) != 0)
		goto out;
	server_tokens_set(srv, conf);
	server_pages_set(srv, conf);
	if (conf->websub_hub != NULL && *conf->websub_hub != '\0')
		srv->hub = xstrdup(conf->websub_hub);
	/* A static host checks no token: what one guards stays home. */
	if (srv->token != NULL) {
		xcause(cause, "the outputs need access_token; a static "
		    "site cannot ask for it");
		goto out;
	}
	if ((srv->snap = server_snap_load(srv, cause)) == NULL)
		goto out;
	srv->snap->gen = ++srv->gen;

	for (i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
		if (server_site_doc(srv, NULL, fmts[i], cb, arg, cause) != 0)
			goto out;
	}
	if (server_site_doc(srv, NULL, SERVER_OPML, cb, arg, cause) != 0)
		goto out;
	for (j = 0; j < srv->snap->ncats; j++) {
		cat = &srv->snap->cats[j];
		if (cat->private)
			continue;
		for (i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
			if (server_site_doc(srv, cat, fmts[i], cb, arg,
			    cause) != 0)
				goto out;
		}
	}
	rv = 0;

out:
	server_free(srv);
	return (rv);
}

void
server_set_ping_cb(struct server *srv, server_ping_cb cb, void *arg)
{
	srv->ping_cb = cb;
	srv->ping_arg = arg;
}

/*
 * Take the WebSub hub of a config. The feeds as they are now are what
 * the hub is assumed to know: they are rendered at once, with no ping,
 * and a later change is compared with them.
 */
static void
server_websub_set(struct server *srv, const struct conf *conf)
{
	struct timeval	tv = { 0, 0 };

	free(srv->hub);
	srv->hub = NULL;
	if (conf->websub_hub == NULL || *conf->websub_hub == '\0') {
		evtimer_del(srv->websub);
		return;
	}
	srv->hub = xstrdup(conf->websub_hub);
	if (!srv->baseline)
		evtimer_add(srv->websub, &tv);
}

static void
server_topics_free(struct server_topic *topics, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(topics[i].url);
	free(topics);
}

/*
 * Render the feeds a hub can fetch (the newest page of everything and
 * of each category, no token needed) and tell the hub of each whose
 * bytes changed since the last time: one ping per feed per render.
 */
static void
server_websub_cb(evutil_socket_t fd, short what, void *arg)
{
	static const enum server_fmt	 fmts[] = { SERVER_ATOM, SERVER_RSS,
					     SERVER_JSON };
	struct server			*srv = arg;
	struct server_topic		*topics = NULL, *t;
	struct server_cat		*cat;
	struct server_req		 r;
	struct server_doc		*doc;
	size_t				 ntopics = 0, nchanged = 0, i, j, k;
	char				*path;

	if (srv->hub == NULL || server_snapshot(srv) != 0)
		return;
	/* A hub cannot show a token: guarded feeds are not its to fetch. */
	if (srv->token != NULL)
		goto done;
	for (j = 0; j <= srv->snap->ncats; j++) {
		cat = j < srv->snap->ncats ? &srv->snap->cats[j] : NULL;
		if (cat != NULL && server_private(srv, cat->slug))
			continue;
		for (i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
			memset(&r, 0, sizeof r);
			r.fmt = &server_formats[fmts[i]];
			r.route = cat != NULL ? ROUTE_CATEGORY : ROUTE_FEED;
			r.slug = cat != NULL ? cat->slug : NULL;
			doc = server_doc_get(srv, &r, cat);
			topics = xreallocarray(topics, ntopics + 1,
			    sizeof *topics);
			t = &topics[ntopics++];
			if (cat != NULL)
				xasprintf(&path, "c/%s.%s", cat->slug,
				    r.fmt->ext);
			else
				xasprintf(&path, "feed.%s", r.fmt->ext);
			xasprintf(&t->url, "%s/%s", srv->base_url, path);
			free(path);
			t->hash = doc->hash;
			for (k = 0; k < srv->ntopics; k++) {
				if (strcmp(srv->topics[k].url, t->url) == 0)
					break;
			}
			if (!srv->baseline || (k < srv->ntopics &&
			    srv->topics[k].hash == t->hash))
				continue;
			log_debug("websub: %s changed", t->url);
			nchanged++;
			if (srv->ping_cb != NULL)
				srv->ping_cb(t->url, srv->ping_arg);
		}
	}

done:
	log_debug("websub: %zu feeds rendered, %zu changed", ntopics,
	    nchanged);
	server_topics_free(srv->topics, srv->ntopics);
	srv->topics = topics;
	srv->ntopics = ntopics;
	srv->baseline = 1;
}
