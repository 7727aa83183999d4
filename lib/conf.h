/*
 * The configuration file (INI, read with libinih): defaults, validation,
 * and errors that name file:line. The module is "conf" because config.h
 * is the name autoconf gives its own header. No event loop.
 */
#ifndef CONF_H
#define CONF_H

#include <stddef.h>
#include <stdint.h>

#define CONF_DEFAULT_PATH	"/etc/feedmux/feedmux.conf"

/* The publisher's HTTP limits, by default. */
#define CONF_HTTP_REQUEST_TIMEOUT	(10 * 1000)	/* ms */
#define CONF_HTTP_IDLE_TIMEOUT		(30 * 1000)	/* ms */
#define CONF_HTTP_MAX_CONNECTIONS	512
#define CONF_HTTP_MAX_HEADER_SIZE	16384		/* bytes */
#define CONF_PAGE_SIZE		50		/* entries per document */
#define CONF_MAX_PAGE_SIZE	500		/* the most ?limit= asks */
#define CONF_PAGE_SIZE_MAX	10000		/* either key at most */

/* An access token: this many characters of A-Z a-z 0-9 - . _ ~ */
#define CONF_TOKEN_MIN			16
#define CONF_TOKEN_MAX			256

struct conf_feed {
	char	*url;		/* the declared URL: the feed's identity */
	char	*label;		/* or NULL: the feed's own title is used */
	char	*category;	/* never NULL: "Uncategorized" by default */
	int64_t	 interval;	/* ms; 0 = the [daemon] interval */
	char	*include;	/* comma-separated, or NULL */
	char	*exclude;	/* comma-separated, or NULL */
	int	 allow_private;	/* -1 = as [daemon] */
	int	 line;		/* where it was declared */
	int64_t	 keep_days;	/* -1 = as [daemon]; 0 = never by age */
	int64_t	 keep_per_feed;	/* -1 = as [daemon]; 0 = no limit */
};

/* A [category "NAME"] section: settings of one category's outputs. */
struct conf_category {
	char	*name;		/* as feeds name it in category = */
	char	*access_token;	/* or NULL: as [daemon] */
	char	*include;	/* comma-separated, or NULL */
	char	*exclude;	/* comma-separated, or NULL */
	int	 line;		/* where it was declared */
};

struct conf {
	char			*path;
	char			*database;
	char			*listen;	/* host:port */
	char			*control;	/* Unix socket path */
	char			*title;
	char			*base_url;	/* public URL of the outputs */
	char			*websub_hub;	/* or NULL: no WebSub */
	char			*user_agent;
	int			 log_level;	/* 0 error, 1 warning, 2 info,
						   3 debug (enum log_level) */
	int64_t			 interval;	/* all durations in ms */
	int64_t			 min_interval;
	int64_t			 max_interval;
	int			 allow_private;
	int			 allow_file;
	int			 max_connections;
	int			 max_per_host;
	int64_t			 host_spacing;
	int64_t			 connect_timeout;
	int64_t			 timeout;
	int64_t			 low_speed_bytes;	/* per second */
	int64_t			 low_speed_time;	/* ms */
	int			 max_redirects;
	int64_t			 max_body;		/* bytes */
	struct conf_feed	*feeds;
	size_t			 nfeeds;
	int64_t			 keep_days;	/* 0 = never by age */
	int64_t			 keep_per_feed;	/* 0 = no limit */
	/* The publisher's HTTP server; 0 = the built-in default. */
	int64_t			 http_request_timeout;	/* ms */
	int64_t			 http_idle_timeout;	/* ms */
	int			 http_max_connections;
	int64_t			 http_max_header_size;	/* bytes */
	int			 page_size;	/* 0: CONF_PAGE_SIZE */
	int			 max_page_size;	/* 0: CONF_MAX_PAGE_SIZE */
	char			*access_token;	/* or NULL */
	char			*include;	/* every output's rules, */
	char			*exclude;	/* or NULL */
	struct conf_category	*categories;
	size_t			 ncategories;
};

/*
 * Read a configuration file. Returns a new struct conf (free with
 * conf_free), or NULL with *cause set to "FILE:LINE: what is wrong"
 * (or "FILE: ..." when the file cannot be read at all).
 */
struct conf	*conf_load(const char *path, char **cause);

/* A configuration with every default and no feeds (for tools, tests). */
struct conf	*conf_defaults(void);
void		 conf_free(struct conf *);

/* The interval a feed is polled at, clamped to min/max. */
int64_t		 conf_feed_interval(const struct conf *,
		     const struct conf_feed *);

/*
 * Read a duration ("0", or a number with ms, s, m, h, d) into ms, or a
 * size ("16M", "512K", "100") into bytes. Return 0, or -1 if malformed or
 * out of range.
 */
int		 conf_parse_duration(const char *, int64_t *ms);
int		 conf_parse_size(const char *, int64_t *bytes);

#endif
