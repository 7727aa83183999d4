/*
 * HTTP fetching: libcurl multi_socket transfers driven by the daemon's
 * libevent loop (the hiperfifo model). Conditional GET, limits, and the
 * address policy. No curl types leave fetch.c.
 */
#ifndef FETCH_H
#define FETCH_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct fetch;

struct fetch_opts {
	const char	*user_agent;
	int64_t		 connect_timeout;	/* ms */
	int64_t		 timeout;		/* ms, whole transfer */
	int64_t		 low_speed_bytes;	/* bytes per second */
	int64_t		 low_speed_time;	/* ms */
	int		 max_redirects;
	int64_t		 max_body;		/* bytes, decompressed */
	int		 max_connections;
	int		 max_per_host;
	int64_t		 host_spacing;		/* ms between request starts
						   per origin (host:port) */
};

struct fetch_result {
	int		 ok;		/* transfer completed with a response */
	long		 http_status;	/* 0 if no response */
	const char	*error;		/* why it failed, or NULL */
	const char	*etag;		/* validators received, or NULL */
	const char	*last_modified;
	const char	*content_type;	/* or NULL */
	const char	*effective_url;	/* after redirects */
	const char	*permanent_url;	/* set after a 301/308 chain */
	int64_t		 retry_after;	/* seconds, -1 if none */
	int64_t		 body_len;	/* bytes delivered */
	int64_t		 max_age;	/* seconds the response is fresh:
					   Cache-Control max-age, else
					   Expires - Date; -1 if none */
};

/*
 * Receive the next bytes of the body. Return 0 to go on, -1 to abort the
 * transfer (the result then carries *cause as its error).
 */
typedef int	(*fetch_data_cb)(const char *, size_t, void *arg,
		    char **cause);
/* The transfer is over; the result and its strings live for the call. */
typedef void	(*fetch_done_cb)(const struct fetch_result *, void *arg);
/*
 * The head of the final 2xx response (or a file) arrived: called once,
 * before the first data callback, also when the body is empty. The
 * result has http_status, content_type, effective_url, validators,
 * retry_after and max_age; ok, error and body_len are not set yet.
 * Return 0 to go on, -1 to abort (the result then carries *cause).
 */
typedef int	(*fetch_head_cb)(const struct fetch_result *, void *arg,
		    char **cause);

struct fetch_req {
	const char	*url;
	const char	*etag;		/* sent as If-None-Match, or NULL */
	const char	*last_modified;	/* sent as If-Modified-Since, or NULL */
	int		 allow_file;	/* file:// allowed */
	int		 allow_private;	/* loopback/private addresses allowed */
	fetch_data_cb	 data;
	fetch_done_cb	 done;
	void		*arg;
	fetch_head_cb	 head;		/* or NULL */
	/*
	 * A form (application/x-www-form-urlencoded) to POST instead of a
	 * GET, or NULL; copied. Redirects are then not followed.
	 */
	const char	*post;
};

/* Create a fetcher on the loop. Call curl_global_init first, once. */
struct fetch	*fetch_new(struct event_base *, const struct fetch_opts *);

/*
 * Start a transfer. Returns 0 (done is called later, exactly once, from
 * the loop), or -1 with *cause (done is not called). The transfer waits
 * in a queue until the caps allow it: at most max_connections in
 * flight, at most max_per_host per origin (host:port), and host_spacing
 * between two request starts to the same origin (file:// URLs have no
 * origin and only count against max_connections).
 */
int		 fetch_start(struct fetch *, const struct fetch_req *,
		     char **cause);

/* Transfers started and not done: in flight or queued. */
int		 fetch_running(struct fetch *);
/* Transfers queued, not yet handed to curl. */
int		 fetch_queued(struct fetch *);

/* Abort every transfer (done is not called) and free. NULL-safe. */
void		 fetch_free(struct fetch *);

#endif
