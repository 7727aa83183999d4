/* feedmuxd: wire config, store, scheduler, fetcher and server on one loop. */

#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>

#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <curl/curl.h>

#include "xmalloc.h"
#include "buf.h"
#include "log.h"
#include "conf.h"
#include "date.h"
#include "entry.h"
#include "fetch.h"
#include "parse.h"
#include "sched.h"
#include "server.h"
#include "store.h"
#include "url.h"

#include "notify.h"

/*
 * Retention runs off the hot path: a minute after start, then every ten
 * minutes, at most DAEMON_PRUNE_BATCH stories a pass; a pass that hit the
 * limit comes back after a second to go on.
 */
#define DAEMON_PRUNE_FIRST	60
#define DAEMON_PRUNE_EVERY	600
#define DAEMON_PRUNE_BATCH	1000

/* A stored next_poll further away than this is not trusted. */
#define DAEMON_MAX_WAIT		((int64_t)366 * 86400)
/* More feeds than this due at start are spread out... */
#define DAEMON_SPREAD_MIN	32
/* ...by this much each, over at most DAEMON_SPREAD_MAX ms. */
#define DAEMON_SPREAD_STEP	2
#define DAEMON_SPREAD_MAX	5000
/* Feed ids beyond this are found in the list of polls, not a table. */
#define DAEMON_HINTS_MAX	((int64_t)1 << 20)
/* A cycle is over once no poll has run for this long (ms). */
#define DAEMON_CYCLE_SETTLE	1000
/*
 * Full-text indexing runs off the polls' transactions (STORE_DEFER_INDEX):
 * DAEMON_INDEX_DELAY ms after a poll stored a document, then batch after
 * batch of DAEMON_INDEX_BATCH stories, each on its own pass of the loop
 * so transfers go on in between, until none waits.
 */
#define DAEMON_INDEX_DELAY	10
#define DAEMON_INDEX_BATCH	200

/*
 * One cycle: polls that follow each other with no pause of
 * DAEMON_CYCLE_SETTLE, from the first start to the last record, with
 * the time each stage took. Parsing and storing run on the loop, so
 * the rest of the wall time is the fetcher's: transfers, and waiting
 * for them.
 */
struct cycle {
	int		 open;
	int64_t		 start;		/* ns, monotonic */
	int64_t		 last;		/* ns, the last poll recorded */
	size_t		 feeds;
	size_t		 n2xx;
	size_t		 n304;
	size_t		 nfailed;
	int64_t		 bytes;		/* bodies received */
	int64_t		 entries;	/* in the documents stored */
	int64_t		 parse_cpu;	/* ns */
	int64_t		 store_wall;	/* ns */
	int64_t		 store_cpu;	/* ns */
	int64_t		 index_wall;	/* ns, search indexing */
	int64_t		 indexed;	/* stories indexed */
	int64_t		 end;		/* ns, the cycle's last poll, for
					   the index catching up after */
};

/* What the daemon keeps of a feed between polls, by id. */
struct hint {
	int		 polling;	/* a poll is in flight */
};

/* One poll in flight. */
struct poll {
	struct daemon			*d;
	int64_t				 feed_id;
	char				*name;		/* for the log */
	char				*fetch_url;
	char				*status;	/* before this poll */
	char				*etag;		/* stored validators */
	char				*last_modified;
	int				 error_count;
	int64_t				 interval;	/* ms */
	int				 allow_private;
	struct parse			*parse;		/* made at the head */
	char				*content_type;	/* of the 2xx */
	int				 html;		/* it says HTML */
	/*
	 * The next poll's plan: the publisher's hints (the stored ones,
	 * replaced by a document's), and what decided it; stored with
	 * the outcome.
	 */
	struct store_plan		 plan;
	TAILQ_ENTRY(poll)		 entry;
};

/* A WebSub ping in flight: the hub is told a feed changed. */
struct ping {
	struct daemon			*d;
	char				*topic;
	TAILQ_ENTRY(ping)		 entry;
};

struct daemon {
	struct event_base		*base;
	const char			*conf_path;
	int				 log_forced;	/* -v or -q given */
	char				 last_poll[256];	/* for STATUS= */
	struct conf			*conf;
	struct store			*store;
	struct server			*server;
	struct fetch			*fetch;
	struct sched			*sched;
	struct event			*signals[4];
	struct event			*prune;
	int				 stopping;
	TAILQ_HEAD(, poll)		 polls;
	TAILQ_HEAD(, ping)		 pings;
	struct hint			*hints;		/* by feed id */
	size_t				 nhints;
	struct cycle			 cycle;
	struct event			*cycle_ev;	/* settle timer */
	struct event			*index_ev;	/* search indexing */
	int				 index_behind;	/* stories wait */
	size_t				*conf_index;	/* conf->feeds by URL
							   hash; SIZE_MAX:
							   empty */
	size_t				 nconf_index;
};

static void	 usage(FILE *);
static void	 daemon_event_log_cb(int, const char *);
static void	 daemon_signal_cb(evutil_socket_t, short, void *);
static int	 daemon_refresh_cb(const char *, void *, char **);
static void	 daemon_schedule_start(struct daemon *);
static void	 daemon_reload(struct daemon *);
static int	 daemon_declares(const struct conf *, const char *);
static void	 daemon_status(struct daemon *);
static void	 daemon_prune_cb(evutil_socket_t, short, void *);
static void	 daemon_poll_all(struct daemon *);
static void	 daemon_plan_refresh(struct daemon *,
		     const struct store_feed *, struct store_plan *);
static void	 daemon_due_cb(int64_t, void *);
static struct store_feed *daemon_feed_get(struct daemon *, int64_t);
static const struct conf_feed *daemon_conf_feed(struct daemon *,
		     const struct store_feed *);
static int64_t	 daemon_interval(struct daemon *, const struct store_feed *,
		     const struct conf_feed *);
static char	*daemon_feed_name(const struct store_feed *);
static int	 daemon_pollable(const struct store_feed *);
static void	 daemon_poll_start(struct daemon *, const struct store_feed *);
static int	 daemon_head_cb(const struct fetch_result *, void *, char **);
static int	 daemon_data_cb(const char *, size_t, void *, char **);
static void	 daemon_done_cb(const struct fetch_result *, void *);
static void	 daemon_done_2xx(struct poll *, const struct fetch_result *,
		     struct store_fetch *);
static char	*daemon_charset(const char *);
static struct hint *daemon_hint(struct daemon *, int64_t);
static int64_t	 daemon_plan(struct poll *, const struct fetch_result *,
		     int, int64_t, const char **);
static void	 daemon_poll_failed(struct poll *, const char *, int, int64_t);
static void	 daemon_poll_record(struct poll *, struct feed_doc *,
		     struct store_fetch *, int64_t, const char *);
static const char *daemon_error_status(const char *);
static void	 daemon_poll_free(struct poll *);
static void	 daemon_ping_cb(const char *, void *);
static void	 daemon_ping_done_cb(const struct fetch_result *, void *);
static void	 daemon_ping_free(struct ping *);
static int64_t	 daemon_ns(clockid_t);
static void	 daemon_conf_index(struct daemon *);
static void	 daemon_cycle_poll(struct daemon *);
static void	 daemon_cycle_idle(struct daemon *);
static void	 daemon_cycle_cb(evutil_socket_t, short, void *);
static void	 daemon_index_arm(struct daemon *, int64_t);
static void	 daemon_index_cb(evutil_socket_t, short, void *);

/* Print how to run us. */
static void
usage(FILE *fp)
{
	fprintf(fp, "usage: feedmuxd [-qv] [-c file] [--version] [--help]\n");
}

/* Route libevent's own messages into our log. */
static void
daemon_event_log_cb(int severity, const char *msg)
{
	switch (severity) {
	case EVENT_LOG_DEBUG:
		log_debug("libevent: %s", msg);
		break;
	case EVENT_LOG_MSG:
		log_info("libevent: %s", msg);
		break;
	default:
		log_warnx("libevent: %s", msg);
		break;
	}
}

/* TERM/INT stop, HUP reloads the configuration, USR1 polls every feed. */
static void
daemon_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon	*d = arg;

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		if (!d->stopping) {
			log_info("stopping");
			notify_stopping();
		}
		d->stopping = 1;
		event_base_loopbreak(d->base);
		break;
	case SIGHUP:
		if (!d->stopping)
			daemon_reload(d);
		break;
	case SIGUSR1:
		if (!d->stopping) {
			log_info("SIGUSR1: polling every feed now");
			daemon_poll_all(d);
		}
		break;
	}
}

/* Is this URL declared by a [feed] section of the configuration? */
static int
daemon_declares(const struct conf *conf, const char *url)
{
	size_t	i;

	for (i = 0; i < conf->nfeeds; i++) {
		if (strcmp(conf->feeds[i].url, url) == 0)
			return (1);
	}
	return (0);
}

/* Retention: prune a batch of expired stories, then re-arm. */
static void
daemon_prune_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon		*d = arg;
	struct store_retention	 r;
	struct timeval		 tv = { DAEMON_PRUNE_EVERY, 0 };
	int64_t			 nsources = 0, nentries = 0;
	char			*cause = NULL;

	r.keep_days = d->conf->keep_days;
	r.keep_per_feed = d->conf->keep_per_feed;
	if (store_prune(d->store, &r, time(NULL), DAEMON_PRUNE_BATCH,
	    &nsources, &nentries, &cause) != 0) {
		log_warnx("retention: %s", cause);
		free(cause);
	} else if (nsources > 0) {
		log_info("retention: %lld stories left their feeds, %lld "
		    "removed", (long long)nsources, (long long)nentries);
		server_changed(d->server);
		if (nsources >= DAEMON_PRUNE_BATCH)
			tv.tv_sec = 1;
	}
	evtimer_add(d->prune, &tv);
}

/* Tell systemd how many feeds we serve. */
static void
daemon_status(struct daemon *d)
{
	notify_status("%zu feeds configured, publishing on http://%s/%s%s",
	    d->conf->nfeeds, d->conf->listen,
	    d->last_poll[0] != '\0' ? "; last poll: " : "", d->last_poll);
}

/*
 * Read the configuration again (SIGHUP). A bad file is refused and the
 * running configuration stays. Feeds added are polled now, feeds removed
 * stop being polled (their entries stay), unchanged feeds keep their
 * schedule, validators and error state; rules, title and public URL
 * apply to stored entries at once. The listener, control socket, store
 * and transfer limits stay as they are: those need a restart.
 */
static void
daemon_reload(struct daemon *d)
{
	struct conf		 *new, *old = d->conf;
	struct store_feed	**feeds = NULL;
	size_t			  nfeeds = 0, i, added = 0, removed = 0;
	char			 *cause = NULL;

	notify_reloading();
	log_info("SIGHUP: reloading %s", d->conf_path);
	if ((new = conf_load(d->conf_path, &cause)) == NULL) {
		log_errorx("reload refused: %s; the running configuration "
		    "stays", cause);
		goto out;
	}
	if (strcmp(new->listen, old->listen) != 0 ||
	    strcmp(new->database, old->database) != 0 ||
	    strcmp(new->control, old->control) != 0)
		log_warnx("reload: listen, control and database take effect "
		    "at the next restart");
	free(new->listen);
	new->listen = xstrdup(old->listen);
	free(new->database);
	new->database = xstrdup(old->database);
	free(new->control);
	new->control = xstrdup(old->control);

	if (server_reload(d->server, new, &cause) != 0) {
		log_errorx("reload refused: %s; the running configuration "
		    "stays", cause);
		conf_free(new);
		goto out;
	}
	if (store_sync_feeds(d->store, new, &cause) != 0) {
		log_errorx("reload refused: %s; the running configuration "
		    "stays", cause);
		free(cause);
		cause = NULL;
		server_reload(d->server, old, NULL);
		conf_free(new);
		goto out;
	}
	d->conf = new;
	daemon_conf_index(d);
	if (!d->log_forced)
		log_set_level((enum log_level)new->log_level);

	if (store_feeds(d->store, &feeds, &nfeeds, &cause) != 0) {
		log_warnx("reload: cannot list feeds: %s", cause);
		free(cause);
		cause = NULL;
	}
	for (i = 0; i < nfeeds; i++) {
		if (daemon_declares(new, feeds[i]->url) &&
		    !daemon_declares(old, feeds[i]->url)) {
			if (daemon_pollable(feeds[i]))
				sched_set(d->sched, feeds[i]->id, 0);
			added++;
		} else if (!daemon_declares(new, feeds[i]->url) &&
		    daemon_declares(old, feeds[i]->url)) {
			sched_cancel(d->sched, feeds[i]->id);
			removed++;
		}
	}
	store_feeds_free(feeds, nfeeds);
	conf_free(old);
	log_info("reloaded: %zu feeds, %zu added, %zu removed",
	    new->nfeeds, added, removed);

out:
	free(cause);
	notify_ready();
	daemon_status(d);
}

/* A control request: poll one feed, or every feed, now. */
static int
daemon_refresh_cb(const char *key, void *arg, char **cause)
{
	struct daemon		*d = arg;
	struct store_feed	*feed = NULL;
	struct store_plan	 plan;
	char			*error = NULL, *name;

	if (d->stopping) {
		if (cause != NULL)
			xasprintf(cause, "the daemon is stopping");
		return (-1);
	}
	if (key == NULL) {
		log_info("refresh: polling every feed now");
		daemon_poll_all(d);
		return (0);
	}
	if (store_feed_find(d->store, key, &feed, &error) != 0) {
		if (cause != NULL)
			*cause = error;
		else
			free(error);
		return (-1);
	}
	if (feed == NULL) {
		if (cause != NULL)
			xasprintf(cause, "no feed %s", key);
		return (-1);
	}
	if (!daemon_pollable(feed)) {
		if (cause != NULL)
			xasprintf(cause, "feed %s is %s", key, feed->enabled ?
			    feed->status : "disabled");
		store_feed_free(feed);
		return (-1);
	}
	name = daemon_feed_name(feed);
	log_info("feed %s: refresh requested", name);
	free(name);
	sched_set(d->sched, feed->id, 0);
	/*
	 * Recorded, so `feedmux explain` says so until the poll is over,
	 * and `feedmux refresh --wait` sees when it is.
	 */
	daemon_plan_refresh(d, feed, &plan);
	if (store_plans_put(d->store, &feed->id, &plan, 1, &error) != 0) {
		log_warnx("feed %" PRId64 ": %s", feed->id, error);
		free(error);
	}
	store_feed_free(feed);
	return (0);
}

/* Can this feed be polled at all: enabled, not gone? */
static int
daemon_pollable(const struct store_feed *feed)
{
	if (!feed->enabled)
		return (0);
	if (feed->status != NULL && (strcmp(feed->status, "gone") == 0 ||
	    strcmp(feed->status, "disabled") == 0))
		return (0);
	return (1);
}

/*
 * Schedule every feed at start-up: a feed never fetched is due now, one
 * fetched before resumes its stored schedule. When many are due now,
 * they are spread over a few seconds, so a restart does not open them
 * all at once.
 */
static void
daemon_schedule_start(struct daemon *d)
{
	struct store_feed	**feeds = NULL, *feed;
	struct store_plan	 *plans = NULL;
	size_t			  nfeeds = 0, i, nnow = 0, nlater = 0, ndue = 0;
	int64_t			  now, wait, max, spread, last = 0, *ids = NULL;
	char			 *cause = NULL;

	if (store_feeds(d->store, &feeds, &nfeeds, &cause) != 0) {
		log_warnx("cannot list feeds: %s", cause);
		free(cause);
		return;
	}
	now = time(NULL);
	max = d->conf->max_interval / 1000;
	if (max <= 0 || max > DAEMON_MAX_WAIT)
		max = DAEMON_MAX_WAIT;
	for (i = 0; i < nfeeds; i++) {
		feed = feeds[i];
		if (daemon_pollable(feed) && (feed->next_poll == TIME_NONE ||
		    feed->status == NULL || strcmp(feed->status, "new") == 0 ||
		    feed->next_poll <= now))
			ndue++;
	}
	/* A spread is recorded, so `feedmux explain` can tell. */
	if (ndue > DAEMON_SPREAD_MIN) {
		ids = xreallocarray(NULL, ndue, sizeof *ids);
		plans = xcalloc(ndue, sizeof *plans);
	}
	for (i = 0; i < nfeeds; i++) {
		feed = feeds[i];
		if (!daemon_pollable(feed))
			continue;
		if (feed->next_poll == TIME_NONE || feed->status == NULL ||
		    strcmp(feed->status, "new") == 0 || feed->next_poll <= now)
			wait = 0;
		else {
			wait = feed->next_poll - now;
			if (wait > max)
				wait = max;
		}
		if (wait == 0) {
			spread = sched_spread(ndue, nnow, DAEMON_SPREAD_MIN,
			    DAEMON_SPREAD_STEP, DAEMON_SPREAD_MAX);
			sched_set_us(d->sched, feed->id, spread);
			if (plans != NULL && nnow < ndue) {
				ids[nnow] = feed->id;
				plans[nnow].why = "spread";
				plans[nnow].at = now;
				plans[nnow].delay = spread / 1000;
				plans[nnow].interval = daemon_interval(d, feed,
				    daemon_conf_feed(d, feed));
				plans[nnow].min = d->conf->min_interval;
				plans[nnow].max = d->conf->max_interval;
			}
			last = spread / 1000;
			nnow++;
		} else {
			sched_set(d->sched, feed->id, wait * 1000);
			nlater++;
		}
	}
	if (plans != NULL) {
		log_info("%zu feeds scheduled, %zu due now, spread over %lld ms",
		    nnow + nlater, nnow, (long long)last);
		if (store_plans_put(d->store, ids, plans, nnow < ndue ? nnow :
		    ndue, &cause) != 0) {
			log_warnx("cannot record the start-up spread: %s",
			    cause);
			free(cause);
		}
	} else
		log_info("%zu feeds scheduled, %zu due now", nnow + nlater,
		    nnow);
	free(ids);
	free(plans);
	store_feeds_free(feeds, nfeeds);
}

/* Make every pollable feed due now, including feeds added since start. */
static void
daemon_poll_all(struct daemon *d)
{
	struct store_feed	**feeds = NULL;
	struct store_plan	 *plans;
	int64_t			 *ids;
	size_t			  nfeeds = 0, i, n = 0;
	char			 *cause = NULL;

	if (store_feeds(d->store, &feeds, &nfeeds, &cause) != 0) {
		log_warnx("cannot list feeds: %s", cause);
		free(cause);
		sched_all_now(d->sched);
		return;
	}
	ids = xcalloc(nfeeds + 1, sizeof *ids);
	plans = xcalloc(nfeeds + 1, sizeof *plans);
	for (i = 0; i < nfeeds; i++) {
		if (!daemon_pollable(feeds[i]))
			continue;
		sched_set(d->sched, feeds[i]->id, 0);
		/* Recorded: explain and refresh --wait read it. */
		ids[n] = feeds[i]->id;
		daemon_plan_refresh(d, feeds[i], &plans[n++]);
	}
	if (n > 0 && store_plans_put(d->store, ids, plans, n, &cause) != 0) {
		log_warnx("refresh: %s", cause);
		free(cause);
	}
	free(ids);
	free(plans);
	store_feeds_free(feeds, nfeeds);
}

/* The plan of a feed asked to be polled now. */
static void
daemon_plan_refresh(struct daemon *d, const struct store_feed *feed,
    struct store_plan *plan)
{
	memset(plan, 0, sizeof *plan);
	plan->why = "refresh";
	plan->at = time(NULL);
	plan->interval = daemon_interval(d, feed, daemon_conf_feed(d, feed));
	plan->min = d->conf->min_interval;
	plan->max = d->conf->max_interval;
}

/* Read a feed by id, or NULL if there is none (or the store fails). */
static struct store_feed *
daemon_feed_get(struct daemon *d, int64_t id)
{
	struct store_feed	**feeds = NULL, *feed = NULL;
	size_t			  nfeeds = 0, i;
	char			  key[32], *cause = NULL;

	snprintf(key, sizeof key, "%" PRId64, id);
	if (store_feed_find(d->store, key, &feed, &cause) != 0) {
		log_warnx("feed %s: %s", key, cause);
		free(cause);
		return (NULL);
	}
	if (feed == NULL || feed->id == id)
		return (feed);

	/* A label that looks like a number matched: look by id. */
	store_feed_free(feed);
	feed = NULL;
	if (store_feeds(d->store, &feeds, &nfeeds, &cause) != 0) {
		log_warnx("cannot list feeds: %s", cause);
		free(cause);
		return (NULL);
	}
	for (i = 0; i < nfeeds; i++) {
		if (feeds[i]->id == id) {
			feed = feeds[i];
			feeds[i] = NULL;
			break;
		}
	}
	store_feeds_free(feeds, nfeeds);
	return (feed);
}

/* The config section that declared a feed, or NULL (added by the CLI). */
static const struct conf_feed *
daemon_conf_feed(struct daemon *d, const struct store_feed *feed)
{
	size_t	i, b, mask;

	if (d->nconf_index == 0)
		return (NULL);
	mask = d->nconf_index - 1;
	b = buf_hash(0, feed->url, strlen(feed->url)) & mask;
	for (; (i = d->conf_index[b]) != SIZE_MAX; b = (b + 1) & mask) {
		if (strcmp(d->conf->feeds[i].url, feed->url) == 0)
			return (&d->conf->feeds[i]);
	}
	return (NULL);
}

/*
 * Index the configuration's feeds by URL (open addressing, at most half
 * full), so a poll finds its section at once among 10,000.
 */
static void
daemon_conf_index(struct daemon *d)
{
	const char	*url;
	size_t		 i, b, n = 16;

	while (n < 2 * d->conf->nfeeds + 2)
		n *= 2;
	free(d->conf_index);
	d->conf_index = xreallocarray(NULL, n, sizeof *d->conf_index);
	for (i = 0; i < n; i++)
		d->conf_index[i] = SIZE_MAX;
	d->nconf_index = n;
	for (i = 0; i < d->conf->nfeeds; i++) {
		url = d->conf->feeds[i].url;
		b = buf_hash(0, url, strlen(url)) & (n - 1);
		while (d->conf_index[b] != SIZE_MAX)
			b = (b + 1) & (n - 1);
		d->conf_index[b] = i;
	}
}

/* A feed's poll interval in ms, within min_interval and max_interval. */
static int64_t
daemon_interval(struct daemon *d, const struct store_feed *feed,
    const struct conf_feed *cf)
{
	struct conf_feed	tmp;

	if (cf != NULL)
		return (conf_feed_interval(d->conf, cf));
	memset(&tmp, 0, sizeof tmp);
	tmp.interval = feed->interval;
	return (conf_feed_interval(d->conf, &tmp));
}

/* How the log names a feed: its label, else its URL without secrets. */
static char *
daemon_feed_name(const struct store_feed *feed)
{
	if (feed->label != NULL && *feed->label != '\0')
		return (xstrdup(feed->label));
	return (url_redact(feed->fetch_url != NULL ? feed->fetch_url :
	    feed->url));
}

/* A feed's timer fired: poll it, unless it is gone or already polling. */
static void
daemon_due_cb(int64_t id, void *arg)
{
	struct daemon		*d = arg;
	struct store_feed	*feed;
	struct poll		*p;
	struct hint		*h;

	if (d->stopping)
		return;
	if ((h = daemon_hint(d, id)) != NULL) {
		if (h->polling) {
			log_debug("feed %" PRId64 ": still polling", id);
			return;
		}
	} else {
		TAILQ_FOREACH(p, &d->polls, entry) {
			if (p->feed_id == id) {
				log_debug("feed %s: still polling", p->name);
				return;
			}
		}
	}
	if ((feed = daemon_feed_get(d, id)) == NULL) {
		log_debug("feed %" PRId64 ": no longer in the store", id);
		sched_cancel(d->sched, id);
		return;
	}
	if (!daemon_pollable(feed)) {
		sched_cancel(d->sched, id);
		store_feed_free(feed);
		return;
	}
	daemon_poll_start(d, feed);
	store_feed_free(feed);
}

/* Start polling a feed. */
static void
daemon_poll_start(struct daemon *d, const struct store_feed *feed)
{
	const struct conf_feed	*cf;
	struct fetch_req	 req;
	struct poll		*p;
	struct hint		*h;
	char			*cause = NULL;

	daemon_cycle_poll(d);
	if ((h = daemon_hint(d, feed->id)) != NULL)
		h->polling = 1;
	cf = daemon_conf_feed(d, feed);
	p = xcalloc(1, sizeof *p);
	p->d = d;
	p->feed_id = feed->id;
	p->name = daemon_feed_name(feed);
	p->fetch_url = xstrdup(feed->fetch_url != NULL ? feed->fetch_url :
	    feed->url);
	p->status = xstrdup(feed->status != NULL ? feed->status : "new");
	if (feed->etag != NULL)
		p->etag = xstrdup(feed->etag);
	if (feed->last_modified != NULL)
		p->last_modified = xstrdup(feed->last_modified);
	p->error_count = feed->error_count;
	p->interval = daemon_interval(d, feed, cf);
	p->plan.ttl = feed->ttl;
	p->plan.update_period = feed->update_period;
	p->plan.skip_hours = feed->skip_hours;
	p->plan.skip_days = feed->skip_days;
	p->plan.max_age = -1;
	p->plan.retry_after = -1;
	p->allow_private = d->conf->allow_private;
	if (cf != NULL && cf->allow_private != -1)
		p->allow_private = cf->allow_private;
	TAILQ_INSERT_TAIL(&d->polls, p, entry);

	memset(&req, 0, sizeof req);
	req.url = p->fetch_url;
	req.etag = p->etag;
	req.last_modified = p->last_modified;
	req.allow_file = d->conf->allow_file;
	req.allow_private = p->allow_private;
	req.head = daemon_head_cb;
	req.data = daemon_data_cb;
	req.done = daemon_done_cb;
	req.arg = p;
	log_debug("feed %s: polling", p->name);
	if (fetch_start(d->fetch, &req, &cause) != 0) {
		daemon_poll_failed(p, cause, 0, -1);
		free(cause);
	}
}

/*
 * The charset parameter of a Content-Type, or NULL. Only a plain token
 * (letters, digits, - _ . : +) is believed.
 */
static char *
daemon_charset(const char *type)
{
	const char	*p, *v;
	size_t		 n;

	for (p = strchr(type, ';'); p != NULL; p = strchr(p + 1, ';')) {
		v = p + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		if (strncasecmp(v, "charset=", 8) != 0)
			continue;
		v += 8;
		if (*v == '"')
			v++;
		n = strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_.:+");
		if (n == 0 || n > 40)
			return (NULL);
		return (xstrndup(v, n));
	}
	return (NULL);
}

/*
 * The head of a 2xx answer: now the parser can start, with the charset
 * the transport declared and the URL the document came from (after
 * redirects) as its base.
 */
static int
daemon_head_cb(const struct fetch_result *res, void *arg, char **cause)
{
	struct poll	*p = arg;
	char		*charset = NULL;

	if (res->content_type != NULL) {
		p->content_type = xstrdup(res->content_type);
		charset = daemon_charset(res->content_type);
		p->html = strcasestr(res->content_type, "html") != NULL;
	}
	parse_free(p->parse);
	p->parse = parse_new(res->effective_url != NULL ?
	    res->effective_url : p->fetch_url, charset);
	free(charset);
	return (0);
}

/*
 * Body bytes: straight into the feed's parser. An HTML page stops it
 * early, with the parser's error naming the feed the page links to.
 */
static int
daemon_data_cb(const char *data, size_t len, void *arg, char **cause)
{
	struct poll	*p = arg;
	int64_t		 t0;
	int		 rv;

	if (p->parse == NULL)
		p->parse = parse_new(p->fetch_url, NULL);
	t0 = daemon_ns(CLOCK_THREAD_CPUTIME_ID);
	rv = parse_push(p->parse, data, len, cause);
	p->d->cycle.parse_cpu += daemon_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
	return (rv);
}

/* A poll is over: parse, store, log, and schedule the next. */
static void
daemon_done_cb(const struct fetch_result *res, void *arg)
{
	struct poll		*p = arg;
	struct store_fetch	 sf;
	const char		*why;
	char			*error = NULL;
	int64_t			 delay;

	p->d->cycle.bytes += res->body_len;
	if (!res->ok) {
		daemon_poll_failed(p, res->error != NULL ? res->error :
		    "transfer failed", (int)res->http_status, res->retry_after);
		return;
	}

	memset(&sf, 0, sizeof sf);
	sf.http_status = (int)res->http_status;
	sf.fetched_at = time(NULL);

	if (res->http_status >= 200 && res->http_status <= 299) {
		daemon_done_2xx(p, res, &sf);
		return;
	}
	if (res->http_status == 304) {
		sf.status = "ok";
		sf.etag = res->etag != NULL ? res->etag : p->etag;
		sf.last_modified = res->last_modified != NULL ?
		    res->last_modified : p->last_modified;
		delay = daemon_plan(p, res, 0, -1, &why);
		daemon_poll_record(p, NULL, &sf, delay, why);
		return;
	}
	if (res->http_status == 410) {
		sf.status = "gone";
		sf.error = "HTTP 410: gone, no more polls until re-enabled";
		sf.etag = p->etag;
		sf.last_modified = p->last_modified;
		daemon_poll_record(p, NULL, &sf, -1, NULL);
		return;
	}
	/* 429 and 503 say when to come back; any other status backs off. */
	xasprintf(&error, "HTTP %ld", res->http_status);
	daemon_poll_failed(p, error, sf.http_status,
	    res->http_status == 429 || res->http_status == 503 ?
	    res->retry_after : -1);
	free(error);
}

/* A 2xx answer: it must be a feed. */
static void
daemon_done_2xx(struct poll *p, const struct fetch_result *res,
    struct store_fetch *sf)
{
	struct feed_doc	*doc;
	const char	*why;
	char		*cause = NULL;
	int64_t		 delay, t0;

	if (res->body_len == 0) {
		daemon_poll_failed(p, "empty response", sf->http_status, -1);
		return;
	}
	if (p->parse == NULL)
		p->parse = parse_new(p->fetch_url, NULL);
	t0 = daemon_ns(CLOCK_THREAD_CPUTIME_ID);
	doc = parse_end(p->parse, &cause);
	p->parse = NULL;
	p->d->cycle.parse_cpu += daemon_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
	if (doc == NULL) {
		daemon_poll_failed(p, cause != NULL ? cause : "not a feed",
		    sf->http_status, -1);
		free(cause);
		return;
	}
	if (doc->malformed != NULL)
		log_debug("feed %s: recovered: %s", p->name, doc->malformed);
	if (p->content_type != NULL && p->html)
		log_info("feed %s: a feed served as %s", p->name,
		    p->content_type);

	/* The publisher's hints, stored for the polls that get a 304. */
	p->plan.hints = 1;
	p->plan.ttl = doc->meta.ttl > 0 ? doc->meta.ttl : -1;
	p->plan.update_period = doc->meta.update_period > 0 ?
	    doc->meta.update_period : -1;
	p->plan.skip_hours = doc->meta.skip_hours;
	p->plan.skip_days = doc->meta.skip_days;

	/* No validators in a 200 clears the stored ones (""). */
	sf->status = "ok";
	sf->etag = res->etag != NULL ? res->etag : "";
	sf->last_modified = res->last_modified != NULL ?
	    res->last_modified : "";
	/* A 301/308 chain moves the feed, now that it answered. */
	if (res->permanent_url != NULL &&
	    strcmp(res->permanent_url, p->fetch_url) != 0)
		sf->new_url = res->permanent_url;
	delay = daemon_plan(p, res, 0, -1, &why);
	daemon_poll_record(p, doc, sf, delay, why);
	feed_doc_free(doc);
}

/* A feed's remembered hints, made on first use; NULL if out of range. */
static struct hint *
daemon_hint(struct daemon *d, int64_t id)
{
	size_t	n;

	if (id < 0 || id >= DAEMON_HINTS_MAX)
		return (NULL);
	if ((size_t)id >= d->nhints) {
		n = d->nhints == 0 ? 64 : d->nhints;
		while (n <= (size_t)id)
			n *= 2;
		d->hints = xreallocarray(d->hints, n, sizeof *d->hints);
		memset(d->hints + d->nhints, 0,
		    (n - d->nhints) * sizeof *d->hints);
		d->nhints = n;
	}
	return (&d->hints[id]);
}

/*
 * The delay before a feed's next poll: after a success its interval and
 * the publisher's hints (the stored ones on a 304), after errors the
 * backoff or Retry-After; within min_interval and max_interval. The
 * figures go to p->plan, to be stored with the outcome.
 */
static int64_t
daemon_plan(struct poll *p, const struct fetch_result *res, int errors,
    int64_t retry_after, const char **why)
{
	struct daemon		*d = p->d;
	struct sched_plan	 plan;
	struct timespec		 ts;
	int64_t			 delay;

	memset(&plan, 0, sizeof plan);
	plan.interval = p->interval;
	plan.min = d->conf->min_interval;
	plan.max = d->conf->max_interval;
	plan.max_age = res != NULL && res->max_age >= 0 ?
	    res->max_age * 1000 : -1;
	plan.ttl = p->plan.ttl > 0 ? p->plan.ttl * 60000 : 0;
	plan.update_period = p->plan.update_period > 0 ?
	    p->plan.update_period * 1000 : 0;
	plan.skip_hours = p->plan.skip_hours;
	plan.skip_days = p->plan.skip_days;
	plan.errors = errors;
	plan.retry_after = retry_after >= 0 ? retry_after * 1000 : -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	plan.now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	plan.jitter = 1;
	delay = sched_plan_delay(&plan, why);

	p->plan.at = ts.tv_sec;
	p->plan.delay = delay;
	p->plan.interval = plan.interval;
	p->plan.min = plan.min;
	p->plan.max = plan.max;
	p->plan.why = why != NULL ? *why : NULL;
	p->plan.http = 1;
	p->plan.max_age = res != NULL && res->max_age >= 0 ? res->max_age : -1;
	p->plan.retry_after = retry_after;
	return (delay);
}

/* Which status a failure gives a feed: refused by policy, or error. */
static const char *
daemon_error_status(const char *error)
{
	if (strncmp(error, "address not allowed:", 20) == 0 ||
	    strncmp(error, "file:// URLs are not allowed", 28) == 0 ||
	    strncmp(error, "scheme not allowed:", 19) == 0)
		return ("refused");
	return ("error");
}

/*
 * A poll failed: back off (at least as long as a Retry-After asks, up
 * to max_interval) and keep the stored validators.
 */
static void
daemon_poll_failed(struct poll *p, const char *error, int http_status,
    int64_t retry_after)
{
	struct store_fetch	 sf;
	const char		*why;
	int64_t			 delay;
	int			 errors;

	errors = p->error_count < INT32_MAX ? p->error_count + 1 : INT32_MAX;
	delay = daemon_plan(p, NULL, errors, retry_after, &why);

	memset(&sf, 0, sizeof sf);
	sf.status = daemon_error_status(error);
	sf.http_status = http_status;
	sf.error = error;
	sf.etag = p->etag;
	sf.last_modified = p->last_modified;
	sf.fetched_at = time(NULL);
	daemon_poll_record(p, NULL, &sf, delay, why);
}

/*
 * Write a poll's outcome, log it, tell the server, and schedule the next
 * poll after delay ms (-1: never), decided by why. Frees the poll.
 */
static void
daemon_poll_record(struct poll *p, struct feed_doc *doc,
    struct store_fetch *sf, int64_t delay, const char *why)
{
	struct daemon	*d = p->d;
	char		*cause = NULL, *moved, next[64], when[DATE_BUFSZ];
	int		 nnew = 0, errors, stored;
	int64_t		 w0, c0;

	sf->next_poll = delay < 0 ? TIME_NONE :
	    sf->fetched_at + (delay + 999) / 1000;
	/* What decided it, stored with the outcome (410: none planned). */
	if (p->plan.why == NULL) {
		p->plan.why = delay < 0 ? "gone" : why;
		p->plan.delay = delay;
		p->plan.interval = p->interval;
		p->plan.min = d->conf->min_interval;
		p->plan.max = d->conf->max_interval;
		p->plan.http = 1;
	}
	p->plan.at = sf->fetched_at;
	sf->plan = &p->plan;
	date_rfc3339(sf->fetched_at, when);
	snprintf(d->last_poll, sizeof d->last_poll, "%s, %s, %s", p->name,
	    sf->status != NULL ? sf->status : "ok", when);
	daemon_status(d);
	w0 = daemon_ns(CLOCK_MONOTONIC);
	c0 = daemon_ns(CLOCK_THREAD_CPUTIME_ID);
	stored = store_put(d->store, p->feed_id, doc, sf, &nnew, &cause);
	d->cycle.store_cpu += daemon_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
	d->cycle.last = daemon_ns(CLOCK_MONOTONIC);
	d->cycle.store_wall += d->cycle.last - w0;
	d->cycle.feeds++;
	if (sf->http_status >= 200 && sf->http_status <= 299 && doc != NULL) {
		d->cycle.n2xx++;
		d->cycle.entries += (int64_t)doc->nentries;
	} else if (sf->http_status == 304)
		d->cycle.n304++;
	else
		d->cycle.nfailed++;
	if (stored != 0) {
		log_warnx("feed %s: cannot store the poll: %s", p->name,
		    cause);
		free(cause);
		/* Try again later, as after any failure. */
		errors = p->error_count < INT32_MAX ? p->error_count + 1 :
		    INT32_MAX;
		delay = sched_next_delay(p->interval, errors,
		    d->conf->max_interval);
	} else {
		if (delay >= 0)
			snprintf(next, sizeof next, "; next poll in %lld.%03llds"
			    " (%s)", (long long)(delay / 1000),
			    (long long)(delay % 1000), why != NULL ? why :
			    "interval");
		else
			next[0] = '\0';
		if (doc != NULL)
			log_info("feed %s: %d, %zu %s (%d new)%s%s", p->name,
			    sf->http_status, doc->nentries, doc->nentries == 1 ?
			    "entry" : "entries", nnew, sf->new_url != NULL ?
			    ", moved permanently" : "", next);
		else if (sf->http_status == 304)
			log_info("feed %s: 304 not modified%s", p->name, next);
		else if (strcmp(sf->status, "gone") == 0)
			log_info("feed %s: 410 gone, no more polls", p->name);
		else
			log_info("feed %s: %s: %s%s", p->name, sf->status,
			    sf->error, next);
		if (sf->new_url != NULL) {
			moved = url_redact(sf->new_url);
			log_info("feed %s: moved permanently, now polled at %s "
			    "(update the configuration)", p->name, moved);
			free(moved);
		}
		if (doc != NULL || nnew > 0 || strcmp(sf->status,
		    p->status) != 0)
			server_changed(d->server);
		/* New or edited stories wait for the search index. */
		if (doc != NULL)
			daemon_index_arm(d, DAEMON_INDEX_DELAY);
	}

	if (!d->stopping) {
		if (delay < 0)
			sched_cancel(d->sched, p->feed_id);
		else
			sched_set(d->sched, p->feed_id, delay);
	}
	daemon_poll_free(p);
	daemon_cycle_idle(d);
}

/* Forget a poll. */
static void
daemon_poll_free(struct poll *p)
{
	struct hint	*h;

	if ((h = daemon_hint(p->d, p->feed_id)) != NULL)
		h->polling = 0;
	TAILQ_REMOVE(&p->d->polls, p, entry);
	parse_free(p->parse);
	free(p->content_type);
	free(p->name);
	free(p->fetch_url);
	free(p->status);
	free(p->etag);
	free(p->last_modified);
	free(p);
}

/* Nanoseconds on a clock. */
static int64_t
daemon_ns(clockid_t clock)
{
	struct timespec	ts;

	if (clock_gettime(clock, &ts) != 0)
		return (0);
	return ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

/* A poll starts: it opens a cycle, or keeps the open one going. */
static void
daemon_cycle_poll(struct daemon *d)
{
	struct cycle	*c = &d->cycle;

	if (d->cycle_ev != NULL)
		evtimer_del(d->cycle_ev);
	if (c->open)
		return;
	memset(c, 0, sizeof *c);
	c->open = 1;
	c->start = c->last = daemon_ns(CLOCK_MONOTONIC);
}

/* A poll is over: if none is left, the cycle ends unless one follows. */
static void
daemon_cycle_idle(struct daemon *d)
{
	struct timeval	tv;

	if (!d->cycle.open || !TAILQ_EMPTY(&d->polls) || d->cycle_ev == NULL)
		return;
	tv.tv_sec = DAEMON_CYCLE_SETTLE / 1000;
	tv.tv_usec = (DAEMON_CYCLE_SETTLE % 1000) * 1000;
	evtimer_add(d->cycle_ev, &tv);
}

/* Index the stories waiting for search after delay ms, unless armed. */
static void
daemon_index_arm(struct daemon *d, int64_t delay)
{
	struct timeval	tv;

	d->index_behind = 1;
	if (d->index_ev == NULL || evtimer_pending(d->index_ev, NULL))
		return;
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	evtimer_add(d->index_ev, &tv);
}

/*
 * Index one batch of the stories waiting for search; come back on the
 * next pass of the loop while a full batch was done.
 */
static void
daemon_index_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	struct timeval	 tv = { 0, 0 };
	int64_t		 n = 0, t0, t1;
	char		*cause = NULL;

	if (d->stopping)
		return;
	t0 = daemon_ns(CLOCK_MONOTONIC);
	if (store_index(d->store, DAEMON_INDEX_BATCH, &n, &cause) != 0) {
		log_warnx("search index: %s", cause);
		free(cause);
		/* Try again later: the stories stay queued. */
		tv.tv_sec = 5;
		evtimer_add(d->index_ev, &tv);
		return;
	}
	t1 = daemon_ns(CLOCK_MONOTONIC);
	if (d->cycle.open) {
		d->cycle.index_wall += t1 - t0;
		d->cycle.indexed += n;
	}
	if (n >= DAEMON_INDEX_BATCH) {
		evtimer_add(d->index_ev, &tv);
		return;
	}
	if (!d->cycle.open && d->cycle.end != 0) {
		log_info("search index: caught up %.3f s after the cycle's "
		    "last poll", (t1 - d->cycle.end) / 1e9);
		d->cycle.end = 0;
	}
	d->index_behind = 0;
}

/* No poll followed: log the cycle, split by stage. */
static void
daemon_cycle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	struct cycle	*c = &d->cycle;
	int64_t		 wall, rest;

	if (!c->open)
		return;
	c->open = 0;
	c->end = d->index_behind ? c->last : 0;
	wall = c->last - c->start;
	rest = wall - c->parse_cpu - c->store_wall - c->index_wall;
	if (rest < 0)
		rest = 0;
	log_info("cycle: %zu feeds in %.3f s (fetch %.3f s, parse %.3f s "
	    "CPU, store %.3f s, %.3f s CPU, index %.3f s; %zu fetched, %zu "
	    "not modified, %zu failed; %lld bytes, %lld entries, %lld "
	    "indexed%s)", c->feeds, wall / 1e9, rest / 1e9,
	    c->parse_cpu / 1e9, c->store_wall / 1e9, c->store_cpu / 1e9,
	    c->index_wall / 1e9, c->n2xx, c->n304, c->nfailed,
	    (long long)c->bytes, (long long)c->entries,
	    (long long)c->indexed, d->index_behind ? ", more to index" : "");
}

int
main(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "help",	no_argument,		NULL,	'h' },
		{ "version",	no_argument,		NULL,	'V' },
		{ NULL,		0,			NULL,	0 }
	};
	static const int		 sigs[] = {
		SIGTERM, SIGINT, SIGHUP, SIGUSR1
	};
	struct event_config		*ecfg;
	struct daemon			 d;
	struct fetch_opts		 fo;
	struct sigaction		 sa;
	struct timeval			 prune_tv = { DAEMON_PRUNE_FIRST, 0 };
	const char			*path = NULL;
	char				*cause = NULL;
	int				 ch, verbose = 0, quiet = 0, rv = 1;
	size_t				 i;
	enum log_level			 level;

	xmalloc_tune();
	while ((ch = getopt_long(argc, argv, "c:qv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'q':
			quiet++;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return (0);
		case 'V':
			printf("feedmuxd %s\n", PACKAGE_VERSION);
			return (0);
		default:
			usage(stderr);
			return (2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		return (2);
	}
	if (path == NULL) {
		path = getenv("FEEDMUX_CONFIG");
		if (path == NULL || *path == '\0')
			path = CONF_DEFAULT_PATH;
	}
	level = LOG_LEVEL_INFO;
	if (verbose > 0)
		level = LOG_LEVEL_DEBUG;
	else if (quiet == 1)
		level = LOG_LEVEL_WARN;
	else if (quiet > 1)
		level = LOG_LEVEL_ERROR;
	log_open("feedmuxd", level);
	srandom((unsigned int)time(NULL) ^ (unsigned int)getpid());

	memset(&d, 0, sizeof d);
	TAILQ_INIT(&d.polls);
	TAILQ_INIT(&d.pings);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "feedmuxd: curl_global_init failed\n");
		return (1);
	}
	d.conf_path = path;
	if ((d.conf = conf_load(path, &cause)) == NULL) {
		fprintf(stderr, "feedmuxd: %s\n", cause);
		free(cause);
		curl_global_cleanup();
		return (1);
	}
	/* -v and -q win over the configuration's log_level. */
	d.log_forced = verbose > 0 || quiet > 0;
	if (!d.log_forced)
		log_set_level((enum log_level)d.conf->log_level);
	if ((d.store = store_open(d.conf->database, STORE_DEFER_INDEX,
	    &cause)) == NULL) {
		log_errorx("%s", cause);
		goto out;
	}
	if (store_sync_feeds(d.store, d.conf, &cause) != 0) {
		log_errorx("%s", cause);
		goto out;
	}
	daemon_conf_index(&d);

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) != 0)
		fatal("sigaction");
	event_set_log_callback(daemon_event_log_cb);
	/*
	 * With epoll, changes to what a descriptor waits for are applied
	 * once per pass of the loop, not one epoll_ctl(2) each: a request
	 * answered in one pass is one call instead of three. The flag is
	 * unsafe only with descriptors shared by dup(2), which nothing
	 * here registers.
	 */
	if ((ecfg = event_config_new()) == NULL)
		fatalx("out of memory");
	event_config_set_flag(ecfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	d.base = event_base_new_with_config(ecfg);
	event_config_free(ecfg);
	if (d.base == NULL) {
		log_errorx("event_base_new failed");
		goto out;
	}

	if ((d.server = server_new(d.base, d.store, d.conf, &cause)) == NULL) {
		log_errorx("%s", cause);
		goto out;
	}
	log_info("listening on http://%s/", d.conf->listen);
	server_set_refresh_cb(d.server, daemon_refresh_cb, &d);
	server_set_ping_cb(d.server, daemon_ping_cb, &d);

	memset(&fo, 0, sizeof fo);
	fo.user_agent = d.conf->user_agent;
	fo.connect_timeout = d.conf->connect_timeout;
	fo.timeout = d.conf->timeout;
	fo.low_speed_bytes = d.conf->low_speed_bytes;
	fo.low_speed_time = d.conf->low_speed_time;
	fo.max_redirects = d.conf->max_redirects;
	fo.max_body = d.conf->max_body;
	fo.max_connections = d.conf->max_connections;
	fo.max_per_host = d.conf->max_per_host;
	fo.host_spacing = d.conf->host_spacing;
	d.fetch = fetch_new(d.base, &fo);
	d.sched = sched_new(d.base, daemon_due_cb, &d);
	if ((d.cycle_ev = evtimer_new(d.base, daemon_cycle_cb, &d)) == NULL)
		fatalx("evtimer_new failed");
	if ((d.index_ev = evtimer_new(d.base, daemon_index_cb, &d)) == NULL)
		fatalx("evtimer_new failed");
	/* Stories a run before left unindexed (killed) go first. */
	daemon_index_arm(&d, 0);

	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		d.signals[i] = evsignal_new(d.base, sigs[i], daemon_signal_cb,
		    &d);
		if (d.signals[i] == NULL || event_add(d.signals[i], NULL) != 0)
			fatalx("cannot watch signal %d", sigs[i]);
	}

	daemon_schedule_start(&d);
	/* The store is open and the listener bound: we are ready. */
	notify_ready();
	daemon_status(&d);
	notify_watchdog_start(d.base);
	d.prune = evtimer_new(d.base, daemon_prune_cb, &d);
	evtimer_add(d.prune, &prune_tv);
	if (event_base_dispatch(d.base) == -1)
		log_errorx("event_base_dispatch failed");
	else
		rv = 0;

out:
	/* Teardown, the reverse of start-up. */
	notify_watchdog_stop();
	if (d.prune != NULL)
		event_free(d.prune);
	if (d.cycle_ev != NULL)
		event_free(d.cycle_ev);
	if (d.index_ev != NULL)
		event_free(d.index_ev);
	sched_free(d.sched);
	fetch_free(d.fetch);
	while (!TAILQ_EMPTY(&d.polls))
		daemon_poll_free(TAILQ_FIRST(&d.polls));
	while (!TAILQ_EMPTY(&d.pings))
		daemon_ping_free(TAILQ_FIRST(&d.pings));
	server_free(d.server);
	store_close(d.store);
	for (i = 0; i < sizeof d.signals / sizeof d.signals[0]; i++) {
		if (d.signals[i] != NULL)
			event_free(d.signals[i]);
	}
	if (d.base != NULL)
		event_base_free(d.base);
	conf_free(d.conf);
	free(d.hints);
	free(d.conf_index);
	free(cause);
	curl_global_cleanup();
	if (rv == 0)
		log_info("stopped");
	return (rv);
}

/*
 * A feed of the outputs changed: tell the WebSub hub, a form POST
 * (hub.mode=publish, hub.url=TOPIC) through the fetcher, so it runs on
 * the loop under the same limits and address policy as a feed's poll.
 */
static void
daemon_ping_cb(const char *topic, void *arg)
{
	struct daemon		*d = arg;
	struct fetch_req	 req;
	struct ping		*pg;
	struct buf		 form;
	const unsigned char	*p;
	char			*cause = NULL;

	if (d->stopping || d->conf->websub_hub == NULL)
		return;
	buf_init(&form);
	buf_adds(&form, "hub.mode=publish&hub.url=");
	for (p = (const unsigned char *)topic; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			buf_addc(&form, *p);
		else
			buf_printf(&form, "%%%02X", *p);
	}

	pg = xcalloc(1, sizeof *pg);
	pg->d = d;
	pg->topic = xstrdup(topic);
	TAILQ_INSERT_TAIL(&d->pings, pg, entry);
	memset(&req, 0, sizeof req);
	req.url = d->conf->websub_hub;
	req.post = form.data;
	req.allow_private = d->conf->allow_private;
	req.done = daemon_ping_done_cb;
	req.arg = pg;
	if (fetch_start(d->fetch, &req, &cause) != 0) {
		log_warnx("websub: cannot tell the hub of %s: %s", topic,
		    cause);
		free(cause);
		daemon_ping_free(pg);
	}
	buf_free(&form);
}

/* The hub answered, or could not be reached. */
static void
daemon_ping_done_cb(const struct fetch_result *res, void *arg)
{
	struct ping	*pg = arg;

	if (res->ok && res->http_status >= 200 && res->http_status <= 299)
		log_info("websub: hub told of %s", pg->topic);
	else if (res->error != NULL)
		log_warnx("websub: hub not told of %s: %s", pg->topic,
		    res->error);
	else
		log_warnx("websub: hub not told of %s: HTTP %ld", pg->topic,
		    res->http_status);
	daemon_ping_free(pg);
}

static void
daemon_ping_free(struct ping *pg)
{
	TAILQ_REMOVE(&pg->d->pings, pg, entry);
	free(pg->topic);
	free(pg);
}
