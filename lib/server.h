/*
 * The publisher's HTTP server (evhttp) and the daemon's control socket.
 * Documents are rendered once per store change and served from memory
 * with a strong ETag and Last-Modified; conditional requests get 304.
 */
#ifndef SERVER_H
#define SERVER_H

#include <stddef.h>

struct conf;
struct event_base;
struct filter_rules;
struct server;
struct store;

/*
 * A control request arrived: "refresh" (feed NULL: every feed) or
 * "refresh FEED". Returns 0, or -1 with *cause (sent to the client).
 */
typedef int	(*server_refresh_cb)(const char *feed, void *arg,
		    char **cause);

/*
 * Bind conf->listen and conf->control on the loop. Returns NULL with
 * *cause if either cannot be bound, or if an include or exclude
 * rule is malformed.
 */
struct server	*server_new(struct event_base *, struct store *,
		     const struct conf *, char **cause);
void		 server_set_refresh_cb(struct server *, server_refresh_cb,
		     void *);
/*
 * Apply a new configuration (SIGHUP): the title, the public URL and the
 * include/exclude rules of every scope; the outputs are rendered again.
 * The listen address and control socket stay. Returns 0, or -1 with *cause
 * (a malformed rule) and nothing changed.
 */
int		 server_reload(struct server *, const struct conf *,
		     char **cause);
/* Forget rendered documents: the store changed. */
void		 server_changed(struct server *);
/*
 * With websub_hub set, a feed of the outputs (topic: its public URL)
 * changed its bytes in a render after a store change or a reload: tell
 * the hub. Called once per feed per render, from the loop.
 */
typedef void	(*server_ping_cb)(const char *topic, void *arg);
void		 server_set_ping_cb(struct server *, server_ping_cb, void *);
/* Close the listeners and the control socket. NULL-safe. */
void		 server_free(struct server *);

/*
 * A document of the static site: its file name under the site's root
 * ("index.html", "feed.atom", "c/SLUG/index.html", "c/SLUG.rss",
 * "opml", ...) and its bytes. Returns 0, or -1 with *cause to stop.
 */
typedef int	(*server_site_cb)(const char *file, const char *data,
		    size_t len, void *arg, char **cause);
/*
 * Render every document the server would serve at the newest page of
 * each view (no RFC 5005 link to older pages: a static host ignores
 * queries), from the store and the config, with no listener and no
 * loop. A category with its own token is left out; with a [daemon]
 * token nothing is rendered. Returns 0, or -1 with *cause.
 */
int		 server_site(struct store *, const struct conf *,
		     server_site_cb, void *arg, char **cause);

/*
 * Send one control request to a running daemon over its socket (the CLI
 * side). Returns 0, or -1 with *cause.
 */
int		 server_control_send(const char *socket_path,
		     const char *request, char **cause);

/*
 * The include and exclude rules of a config at every scope, as the
 * outputs apply them: categories by server_slug of their name, feeds by
 * their declared URL. Returns NULL with *cause ("feed URL: bad rule
 * ...") if a rule is malformed. Free with filter_rules_free.
 */
struct filter_rules *server_rules_compile(const struct conf *,
		     char **cause);

/* The slug of a category name, as in /c/SLUG. Caller frees. */
char		*server_slug(const char *);

#endif
