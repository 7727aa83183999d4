/* When each feed is due: one libevent timer per feed. */

#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>

#include <stdint.h>
#include <stdlib.h>

#include <event2/event.h>

#include "xmalloc.h"
#include "log.h"
#include "sched.h"

/* One feed's timer. */
struct sched_feed {
	struct sched			*s;
	int64_t				 id;
	struct event			*ev;
	TAILQ_ENTRY(sched_feed)		 entry;
};

struct sched {
	struct event_base		*base;
	sched_due_cb			 due;
	void				*arg;
	TAILQ_HEAD(, sched_feed)	 feeds;
};

static struct sched_feed *sched_find(struct sched *, int64_t);
static void	 sched_feed_free(struct sched_feed *);
static void	 sched_arm(struct sched_feed *, int64_t);
static void	 sched_timer_cb(evutil_socket_t, short, void *);
static uint64_t	 sched_random(uint64_t);

/* Create a scheduler on the loop. */
struct sched *
sched_new(struct event_base *base, sched_due_cb due, void *arg)
{
	struct sched	*s;

	s = xcalloc(1, sizeof *s);
	s->base = base;
	s->due = due;
	s->arg = arg;
	TAILQ_INIT(&s->feeds);
	return (s);
}

/* Free every timer. */
void
sched_free(struct sched *s)
{
	struct sched_feed	*sf;

	if (s == NULL)
		return;
	while ((sf = TAILQ_FIRST(&s->feeds)) != NULL)
		sched_feed_free(sf);
	free(s);
}

/* Find a feed's timer, or NULL. */
static struct sched_feed *
sched_find(struct sched *s, int64_t id)
{
	struct sched_feed	*sf;

	TAILQ_FOREACH(sf, &s->feeds, entry) {
		if (sf->id == id)
			return (sf);
	}
	return (NULL);
}

/* Remove and free one feed's timer. */
static void
sched_feed_free(struct sched_feed *sf)
{
	TAILQ_REMOVE(&sf->s->feeds, sf, entry);
	event_free(sf->ev);
	free(sf);
}

/* (Re)arm a timer to fire after delay ms. */
static void
sched_arm(struct sched_feed *sf, int64_t delay)
{
	struct timeval	tv;

	if (delay < 0)
		delay = 0;
	/* A delay beyond what a timeval holds is as good as a year. */
	if (delay > (int64_t)366 * 86400 * 1000)
		delay = (int64_t)366 * 86400 * 1000;
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	if (evtimer_add(sf->ev, &tv) != 0)
		fatalx("%s: evtimer_add failed", __func__);
}

/* Make a feed due after delay ms, replacing any earlier time. */
void
sched_set(struct sched *s, int64_t id, int64_t delay)
{
	struct sched_feed	*sf;

	if ((sf = sched_find(s, id)) == NULL) {
		sf = xcalloc(1, sizeof *sf);
		sf->s = s;
		sf->id = id;
		if ((sf->ev = evtimer_new(s->base, sched_timer_cb, sf)) == NULL)
			fatalx("%s: evtimer_new failed", __func__);
		TAILQ_INSERT_TAIL(&s->feeds, sf, entry);
	}
	sched_arm(sf, delay);
}

/* Forget a feed. */
void
sched_cancel(struct sched *s, int64_t id)
{
	struct sched_feed	*sf;

	if ((sf = sched_find(s, id)) != NULL)
		sched_feed_free(sf);
}

/* Make every known feed due on the next pass of the loop. */
void
sched_all_now(struct sched *s)
{
	struct sched_feed	*sf;

	TAILQ_FOREACH(sf, &s->feeds, entry)
		sched_arm(sf, 0);
}

/*
 * A feed's timer fired. The callback may set, cancel or free this very
 * timer, so nothing touches sf after it.
 */
static void
sched_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sched_feed	*sf = arg;
	struct sched		*s = sf->s;

	s->due(sf->id, s->arg);
}

/* A random number in [0, n]. */
static uint64_t
sched_random(uint64_t n)
{
	uint64_t	r;

	if (n == 0)
		return (0);
	r = (uint64_t)(random() & 0x7fffffff) << 33 ^
	    (uint64_t)(random() & 0x7fffffff) << 16 ^
	    (uint64_t)(random() & 0xffff);
	if (n == UINT64_MAX)
		return (r);
	return (r % (n + 1));
}

/*
 * The delay before the next poll: the interval (at most max). After
 * errors failures in a row the interval is doubled per failure
 * (saturating, so huge counts are safe), capped at max, and then
 * shortened by up to 10% so that feeds failing together spread out and
 * the cap still holds.
 */
int64_t
sched_next_delay(int64_t interval, int errors, int64_t max)
{
	int64_t	d, cap;
	int	i;

	if (interval < 0)
		interval = 0;
	cap = max > 0 ? max : INT64_MAX;
	if (errors <= 0)
		return (interval < cap ? interval : cap);

	d = interval;
	for (i = 0; i < errors && d > 0 && d < cap; i++) {
		if (d > cap / 2)
			d = cap;
		else
			d *= 2;
	}
	if (d > cap)
		d = cap;
	return (d - (int64_t)sched_random((uint64_t)d / 10));
}
