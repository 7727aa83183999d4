/*
 * feedsrv: the fixture HTTP server of the integration tests. Serves the
 * files of one directory on 127.0.0.1 with ETag and Last-Modified, and
 * answers conditional requests with 304, as a well-behaved feed publisher
 * does. Each request is logged as one line "METHOD PATH STATUS".
 *
 *	feedsrv -d DIR [-l LOG] [-p PORT]
 *
 * Prints "port N" on stdout once it listens.
 */

#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
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

static void	feedsrv_request_cb(struct evhttp_request *, void *);
static void	feedsrv_term_cb(evutil_socket_t, short, void *);
static int	feedsrv_path_ok(const char *);
static const char *feedsrv_type(const char *);
static void	feedsrv_log(struct evhttp_request *, const char *, int);
static void	usage(void);

static const char	*feedsrv_dir;
static FILE		*feedsrv_logf;

static void
usage(void)
{
	fprintf(stderr, "usage: feedsrv -d DIR [-l LOG] [-p PORT]\n");
	exit(2);
}

/* Only plain relative paths: letters, digits, - _ . / and no "..". */
static int
feedsrv_path_ok(const char *p)
{
	const char	*s;

	if (*p != '/' || strstr(p, "..") != NULL || p[1] == '\0')
		return (0);
	for (s = p; *s != '\0'; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("-_./", *s) != NULL))
			return (0);
	}
	return (1);
}

/* The Content-Type a publisher would send for this file name. */
static const char *
feedsrv_type(const char *p)
{
	const char	*dot = strrchr(p, '.');

	if (dot == NULL)
		return ("application/octet-stream");
	if (strcmp(dot, ".rss") == 0)
		return ("application/rss+xml; charset=utf-8");
	if (strcmp(dot, ".atom") == 0)
		return ("application/atom+xml; charset=utf-8");
	if (strcmp(dot, ".xml") == 0)
		return ("application/xml");
	if (strcmp(dot, ".json") == 0)
		return ("application/feed+json");
	if (strcmp(dot, ".html") == 0)
		return ("text/html; charset=utf-8");
	return ("text/plain");
}

static void
feedsrv_log(struct evhttp_request *req, const char *path, int status)
{
	const char	*m;

	if (feedsrv_logf == NULL)
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
	fprintf(feedsrv_logf, "%s %s %d\n", m, path, status);
	fflush(feedsrv_logf);
}

/* Serve one file, or 304, 404, 405. */
static void
feedsrv_request_cb(struct evhttp_request *req, void *arg)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	struct evbuffer		*body = NULL;
	const char		*path, *inm, *ims;
	char			*file = NULL, etag[32], lm[64];
	struct stat		 st;
	struct tm		 tm;
	uint64_t		 h = 14695981039346656037ULL;
	unsigned char		*data = NULL;
	ssize_t			 n;
	int			 fd = -1, status;

	path = evhttp_uri_get_path(uri);
	if (path == NULL)
		path = "/";
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		status = 405;
		evhttp_send_error(req, status, NULL);
		goto out;
	}
	if (!feedsrv_path_ok(path) ||
	    asprintf(&file, "%s%s", feedsrv_dir, path) == -1 ||
	    (fd = open(file, O_RDONLY)) == -1 || fstat(fd, &st) == -1 ||
	    !S_ISREG(st.st_mode)) {
		status = 404;
		evhttp_send_error(req, status, NULL);
		goto out;
	}
	if ((data = malloc(st.st_size + 1)) == NULL ||
	    (n = read(fd, data, st.st_size)) != st.st_size) {
		status = 500;
		evhttp_send_error(req, status, NULL);
		goto out;
	}
	for (n = 0; n < st.st_size; n++) {
		h ^= data[n];
		h *= 1099511628211ULL;
	}
	snprintf(etag, sizeof etag, "\"%016llx\"", (unsigned long long)h);
	gmtime_r(&st.st_mtime, &tm);
	strftime(lm, sizeof lm, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	evhttp_add_header(out, "ETag", etag);
	evhttp_add_header(out, "Last-Modified", lm);

	inm = evhttp_find_header(in, "If-None-Match");
	ims = evhttp_find_header(in, "If-Modified-Since");
	if ((inm != NULL && strstr(inm, etag) != NULL) ||
	    (inm == NULL && ims != NULL && strcmp(ims, lm) == 0)) {
		status = 304;
		evhttp_send_reply(req, status, "Not Modified", NULL);
		goto out;
	}
	evhttp_add_header(out, "Content-Type", feedsrv_type(path));
	body = evbuffer_new();
	evbuffer_add(body, data, st.st_size);
	status = 200;
	evhttp_send_reply(req, status, "OK", body);

out:
	feedsrv_log(req, path, status);
	if (body != NULL)
		evbuffer_free(body);
	if (fd != -1)
		close(fd);
	free(data);
	free(file);
}

static void
feedsrv_term_cb(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
	struct event_base		*base;
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;
	struct event			*term;
	struct sockaddr_storage		 ss;
	ev_socklen_t			 sslen = sizeof ss;
	int				 ch, port = 0;

	while ((ch = getopt(argc, argv, "d:l:p:")) != -1) {
		switch (ch) {
		case 'd':
			feedsrv_dir = optarg;
			break;
		case 'l':
			if ((feedsrv_logf = fopen(optarg, "a")) == NULL) {
				fprintf(stderr, "feedsrv: %s: %s\n", optarg,
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
	if (feedsrv_dir == NULL)
		usage();
	signal(SIGPIPE, SIG_IGN);

	base = event_base_new();
	http = evhttp_new(base);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(http, feedsrv_request_cb, NULL);
	evhttp_set_timeout(http, 10);
	if ((bound = evhttp_bind_socket_with_handle(http, "127.0.0.1",
	    port)) == NULL) {
		fprintf(stderr, "feedsrv: cannot listen on 127.0.0.1:%d\n",
		    port);
		return (1);
	}
	if (getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&ss, &sslen) == -1)
		return (1);
	printf("port %d\n", ntohs(((struct sockaddr_in *)&ss)->sin_port));
	fflush(stdout);

	term = evsignal_new(base, SIGTERM, feedsrv_term_cb, base);
	event_add(term, NULL);
	event_base_dispatch(base);

	event_free(term);
	evhttp_free(http);
	event_base_free(base);
	if (feedsrv_logf != NULL)
		fclose(feedsrv_logf);
	return (0);
}
