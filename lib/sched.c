/* When each feed is due: one libevent timer per feed. */

#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>

#include "xmalloc.h"
#include "log.h"
#include "sched.h"

/* Buckets of the id table at first (a power of two). */
#define SCHED_BUCKETS_MIN	64
/* The longest a timer waits, in microseconds. */
#define SCHED_YEAR_US		((int64_t)366 * 86400 * 1000000)

/* One feed's timer. */
struct sched_feed {
	struct sched			*s;
	int64_t				 id;
	struct event			*ev;
	TAILQ_ENTRY(sched_feed)		 entry;
	struct sched_feed		*next;		/* hash chain */
};

struct sched {
	struct event_base		*base;
	sched_due_cb			 due;
	void				*arg;
	TAILQ_HEAD(, sched_feed)	 feeds;
	/* By id, so 10,000 feeds are found at once, not by a walk. */
	struct sched_feed		**buckets;
	size_t				 nbuckets;
	size_t				 nfeeds;
};

static struct sched_feed *sched_find(struct sched *, int64_t);
static size_t	 sched_bucket(const struct sched *, int64_t);
static void	 sched_grow(struct sched *);
static void	 sched_feed_free(struct sched_feed *);
static void	 sched_arm(struct sched_feed *, int64_t);
static void	 sched_timer_cb(evutil_socket_t, short, void *);
static uint64_t	 sched_random(uint64_t);
static int64_t	 sched_skip(const struct sched_plan *, int64_t, int *);

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
	s->nbuckets = SCHED_BUCKETS_MIN;
	s->buckets = xcalloc(s->nbuckets, sizeof *s->buckets);
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
	free(s->buckets);
	free(s);
}

/* The bucket of an id. */
static size_t
sched_bucket(const struct sched *s, int64_t id)
{
	uint64_t	h = (uint64_t)id;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return ((size_t)h & (s->nbuckets - 1));
}

/* Double the id table once it holds two feeds a bucket. */
static void
sched_grow(struct sched *s)
{
	struct sched_feed	*sf;
	size_t			 b;

	if (s->nfeeds < 2 * s->nbuckets)
		return;
	free(s->buckets);
	s->nbuckets *= 2;
	s->buckets = xcalloc(s->nbuckets, sizeof *s->buckets);
	TAILQ_FOREACH(sf, &s->feeds, entry) {
		b = sched_bucket(s, sf->id);
		sf->next = s->buckets[b];
		s->buckets[b] = sf;
	}
}

/* Find a feed's timer, or NULL. */
static struct sched_feed *
sched_find(struct sched *s, int64_t id)
{
	struct sched_feed	*sf;

	for (sf = s->buckets[sched_bucket(s, id)]; sf != NULL; sf = sf->next) {
		if (sf->id == id)
			return (sf);
	}
	return (NULL);
}

/* Remove and free one feed's timer. */
static void
sched_feed_free(struct sched_feed *sf)
{
	struct sched		*s = sf->s;
	struct sched_feed	**sp;

	for (sp = &s->buckets[sched_bucket(s, sf->id)]; *sp != NULL;
	    sp = &(*sp)->next) {
		if (*sp == sf) {
			*sp = sf->next;
			break;
		}
	}
	s->nfeeds--;
	TAILQ_REMOVE(&s->feeds, sf, entry);
	event_free(sf->ev);
	free(sf);
}

/* (Re)arm a timer to fire after delay microseconds. */
static void
sched_arm(struct sched_feed *sf, int64_t delay)
{
	struct timeval	tv;

	if (delay < 0)
		delay = 0;
	/* A delay beyond what a timeval holds is as good as a year. */
	if (delay > SCHED_YEAR_US)
		delay = SCHED_YEAR_US;
	tv.tv_sec = delay / 1000000;
	tv.tv_usec = delay % 1000000;
	if (evtimer_add(sf->ev, &tv) != 0)
		fatalx("%s: evtimer_add failed", __func__);
}

/* Make a feed due after delay ms, replacing any earlier time. */
void
sched_set(struct sched *s, int64_t id, int64_t delay)
{
	if (delay < 0)
		delay = 0;
	if (delay > SCHED_YEAR_US / 1000)
		delay = SCHED_YEAR_US / 1000;
	sched_set_us(s, id, delay * 1000);
}

/* Make a feed due after delay microseconds. */
void
sched_set_us(struct sched *s, int64_t id, int64_t delay)
{
	struct sched_feed	*sf;
	size_t			 b;

	if ((sf = sched_find(s, id)) == NULL) {
		sf = xcalloc(1, sizeof *sf);
		sf->s = s;
		sf->id = id;
		if ((sf->ev = evtimer_new(s->base, sched_timer_cb, sf)) == NULL)
			fatalx("%s: evtimer_new failed", __func__);
		sched_grow(s);
		TAILQ_INSERT_TAIL(&s->feeds, sf, entry);
		s->nfeeds++;
		b = sched_bucket(s, id);
		sf->next = s->buckets[b];
		s->buckets[b] = sf;
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
	int64_t	d;

	d = sched_backoff(interval, errors, max);
	if (errors <= 0)
		return (d);
	return (d - (int64_t)sched_random((uint64_t)d / 10));
}

/* The backoff before its jitter. */
int64_t
sched_backoff(int64_t interval, int errors, int64_t max)
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
	return (d);
}

/*
 * The start-up spread. The i-th feed's offset is i steps, or i/n of the
 * window when n steps would not fit in it: computed as i * window / n in
 * microseconds, never as i times a step rounded down first (which is 0
 * once n exceeds the window).
 */
int64_t
sched_spread(size_t n, size_t i, size_t min, int64_t step, int64_t window)
{
	uint64_t	w, q, r, nn, ii;

	if (n <= min || i == 0 || i >= n || step <= 0 || window <= 0)
		return (0);
	if (step > SCHED_YEAR_US / 1000)
		step = SCHED_YEAR_US / 1000;
	if (window > SCHED_YEAR_US / 1000)
		window = SCHED_YEAR_US / 1000;
	/* Beyond 2^32 feeds, the spread is by groups: never overflows. */
	nn = n;
	ii = i;
	while (nn > UINT32_MAX) {
		nn >>= 1;
		ii >>= 1;
	}
	if (nn <= (uint64_t)(window / step))
		return ((int64_t)(ii * (uint64_t)step * 1000));
	w = (uint64_t)window * 1000;
	q = w / nn;
	r = w % nn;
	return ((int64_t)(ii * q + ii * r / nn));
}

/*
 * How long after at (ms since the epoch) the first hour is that neither
 * skipHours nor skipDays rules out; 0 if at is not ruled out, or if
 * every hour of the week is. *by_day says which rule moved it last.
 */
static int64_t
sched_skip(const struct sched_plan *p, int64_t at, int *by_day)
{
	struct tm	tm;
	time_t		t;
	int64_t		hour = 3600 * 1000, next = at;
	int		i;

	*by_day = 0;
	if ((p->skip_hours & 0xffffffU) == 0 && (p->skip_days & 0x7fU) == 0)
		return (0);
	for (i = 0; i <= 7 * 24; i++) {
		t = (time_t)(next / 1000);
		if (gmtime_r(&t, &tm) == NULL)
			return (0);
		if (p->skip_days & (1U << tm.tm_wday))
			*by_day = 1;
		else if (p->skip_hours & (1U << tm.tm_hour))
			*by_day = 0;
		else
			return (next - at);
		/* The start of the next hour. */
		next = (next / hour + 1) * hour;
	}
	return (0);
}

/* When a feed is polled next, and why. */
int64_t
sched_plan_delay(const struct sched_plan *p, const char **why)
{
	const char	*w = "interval";
	int64_t		 d, j, skip, min, max;
	int		 by_day;

	max = p->max > 0 ? p->max : INT64_MAX;
	min = p->min > 0 && p->min <= max ? p->min : 0;

	if (p->errors > 0) {
		d = sched_next_delay(p->interval < min ? min : p->interval,
		    p->errors, max);
		w = "backoff";
		if (p->retry_after > d) {
			d = p->retry_after;
			w = "Retry-After";
		}
		if (d > max) {
			d = max;
			w = "max_interval";
		}
		goto out;
	}

	d = p->interval > 0 ? p->interval : 0;
	if (p->ttl > d) {
		d = p->ttl;
		w = "ttl";
	}
	if (p->update_period > d) {
		d = p->update_period;
		w = "sy:updatePeriod";
	}
	if (p->max_age > d) {
		d = p->max_age;
		w = "Cache-Control";
	}
	if (d < min) {
		d = min;
		w = "min_interval";
	}
	if (d > max) {
		d = max;
		w = "max_interval";
	}
	if (p->jitter && d > 0) {
		j = (int64_t)sched_random((uint64_t)d / 10);
		if (d <= max - j)
			d += j;
		else if (d - j >= min)
			d -= j;
	}
	if ((skip = sched_skip(p, p->now + d, &by_day)) > 0) {
		if (d <= max - skip) {
			d += skip;
			w = by_day ? "skipDays" : "skipHours";
		} else {
			d = max;
			w = "max_interval";
		}
	}
out:
	if (why != NULL)
		*why = w;
	return (d);
}
