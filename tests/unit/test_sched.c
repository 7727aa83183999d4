/* Unit tests for lib/sched: backoff arithmetic and timers on a real loop. */

#include "config.h"

#include <sys/time.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "sched.h"
#include "tap.h"

#define MAXFIRED	64

struct record {
	struct event_base	*base;
	struct sched		*s;
	int64_t			 fired[MAXFIRED];
	int			 nfired;
	int			 stop_after;	/* loopbreak after this many */
	int64_t			 rearm_id;	/* re-arms itself... */
	int			 rearm_times;	/* ...this many times */
};

static void	 due_cb(int64_t, void *);
static void	 limit_cb(evutil_socket_t, short, void *);
static void	 run(struct record *, int, int);
static int	 in_range(int64_t, int64_t, int64_t);
static int64_t	 now_ms(void);
static void	 test_plan(void);
static void	 plan_init(struct sched_plan *);
static void	 test_backoff(void);
static void	 test_spread(void);
static void	 test_set_us(void);

/* Record a due feed; re-arm or cancel it when asked to. */
static void
due_cb(int64_t id, void *arg)
{
	struct record	*r = arg;

	if (r->nfired < MAXFIRED)
		r->fired[r->nfired++] = id;
	if (id == r->rearm_id) {
		if (--r->rearm_times > 0)
			sched_set(r->s, id, 5);
		else
			sched_cancel(r->s, id);
	}
	if (r->stop_after > 0 && r->nfired >= r->stop_after)
		event_base_loopbreak(r->base);
}

/* The time limit of a run passed. */
static void
limit_cb(evutil_socket_t fd, short what, void *arg)
{
	struct record	*r = arg;

	event_base_loopbreak(r->base);
}

/* Run the loop until stop_after feeds fired, or limit_ms passed. */
static void
run(struct record *r, int stop_after, int limit_ms)
{
	struct event	*limit;
	struct timeval	 tv;

	r->nfired = 0;
	r->stop_after = stop_after;
	tv.tv_sec = limit_ms / 1000;
	tv.tv_usec = (limit_ms % 1000) * 1000;
	if ((limit = evtimer_new(r->base, limit_cb, r)) == NULL)
		abort();
	evtimer_add(limit, &tv);
	event_base_dispatch(r->base);
	event_free(limit);
}

static int
in_range(int64_t v, int64_t lo, int64_t hi)
{
	return (v >= lo && v <= hi);
}

static int64_t
now_ms(void)
{
	struct timeval	tv;

	gettimeofday(&tv, NULL);
	return ((int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

int
main(void)
{
	struct record	 r;
	int64_t		 d, lo, hi, t0;
	int		 i, ok, varied;

	srandom(12345);

	/* The pure arithmetic. */
	tap_is_int(sched_next_delay(60000, 0, 86400000), 60000,
	    "success: the interval");
	tap_is_int(sched_next_delay(60000, 0, 1000), 1000,
	    "success: the interval, capped at max");
	tap_is_int(sched_next_delay(60000, -3, 86400000), 60000,
	    "negative error count counts as none");
	tap_is_int(sched_next_delay(-5, 0, 86400000), 0,
	    "negative interval counts as 0");
	tap_is_int(sched_next_delay(0, 7, 86400000), 0,
	    "interval 0 stays 0 under backoff");
	d = sched_next_delay(1000, 1, 86400000);
	tap_ok(in_range(d, 1800, 2000), "1 error: 2x minus up to 10%% "
	    "(%lld)", (long long)d);
	d = sched_next_delay(1000, 3, 86400000);
	tap_ok(in_range(d, 7200, 8000), "3 errors: 8x minus up to 10%% "
	    "(%lld)", (long long)d);
	d = sched_next_delay(1000, 10, 60000);
	tap_ok(in_range(d, 54000, 60000), "10 errors: capped at max "
	    "(%lld)", (long long)d);
	d = sched_next_delay(1800000, 6, 7 * 86400000LL);
	tap_ok(in_range(d, 1800000LL * 64 * 9 / 10, 1800000LL * 64),
	    "6 errors on 30m: 32h minus jitter (%lld)", (long long)d);

	/* Huge counts and values: saturate, never overflow (UBSan). */
	d = sched_next_delay(1000, INT_MAX, 86400000);
	tap_ok(in_range(d, 77760000, 86400000), "INT_MAX errors: capped "
	    "(%lld)", (long long)d);
	d = sched_next_delay(INT64_MAX / 2 + 1, 5, 0);
	tap_ok(in_range(d, INT64_MAX / 10 * 9, INT64_MAX),
	    "no max: saturates at INT64_MAX (%lld)", (long long)d);
	d = sched_next_delay(INT64_MAX, INT_MAX, INT64_MAX);
	tap_ok(in_range(d, INT64_MAX / 10 * 9, INT64_MAX),
	    "INT64_MAX interval and errors (%lld)", (long long)d);
	d = sched_next_delay(3, 62, INT64_MAX);
	tap_ok(d > 0 && d <= INT64_MAX, "62 doublings of 3 (%lld)",
	    (long long)d);

	/* Jitter: bounded, and really random. */
	ok = 1;
	varied = 0;
	lo = hi = sched_next_delay(10000, 2, 86400000);
	for (i = 0; i < 1000; i++) {
		d = sched_next_delay(10000, 2, 86400000);
		if (!in_range(d, 36000, 40000))
			ok = 0;
		if (d < lo)
			lo = d;
		if (d > hi)
			hi = d;
	}
	varied = hi - lo > 1000;
	tap_ok(ok, "1000 draws stay within 10%% below 4x");
	tap_ok(varied, "jitter spreads the draws (%lld..%lld)",
	    (long long)lo, (long long)hi);

	/* Timers on a real loop. */
	memset(&r, 0, sizeof r);
	r.rearm_id = -1;
	if ((r.base = event_base_new()) == NULL)
		return (1);
	r.s = sched_new(r.base, due_cb, &r);

	sched_set(r.s, 1, 60);
	sched_set(r.s, 2, 10);
	sched_set(r.s, 3, 35);
	run(&r, 3, 2000);
	tap_is_int(r.nfired, 3, "three timers fired");
	tap_ok(r.fired[0] == 2 && r.fired[1] == 3 && r.fired[2] == 1,
	    "in order of their delays (%lld %lld %lld)",
	    (long long)r.fired[0], (long long)r.fired[1],
	    (long long)r.fired[2]);

	/* sched_set re-arms: the later time replaces the earlier. */
	sched_set(r.s, 1, 10);
	sched_set(r.s, 2, 40);
	sched_set(r.s, 1, 80);
	run(&r, 2, 2000);
	tap_ok(r.nfired == 2 && r.fired[0] == 2 && r.fired[1] == 1,
	    "re-armed timer fires once, at its new time");

	/* Cancel. */
	sched_set(r.s, 1, 10);
	sched_set(r.s, 2, 20);
	sched_cancel(r.s, 1);
	sched_cancel(r.s, 99);
	run(&r, 0, 300);
	tap_ok(r.nfired == 1 && r.fired[0] == 2,
	    "a cancelled feed does not fire (%d fired)", r.nfired);

	/* All now: every known feed, including one cancelled is not. */
	sched_set(r.s, 1, 100000);
	sched_set(r.s, 3, 200000);
	sched_set(r.s, 4, 300000);
	sched_cancel(r.s, 4);
	sched_all_now(r.s);
	t0 = now_ms();
	run(&r, 0, 300);
	tap_is_int(r.nfired, 3, "all_now: the three known feeds fired");
	ok = 1;
	for (i = 0; i < r.nfired; i++) {
		if (r.fired[i] == 4)
			ok = 0;
	}
	tap_ok(ok, "all_now does not revive a cancelled feed");
	tap_ok(now_ms() - t0 < 1000, "all_now fires at once");

	/* A feed may re-arm and cancel itself from its own callback. */
	r.rearm_id = 7;
	r.rearm_times = 3;
	sched_set(r.s, 7, 0);
	run(&r, 3, 2000);
	tap_is_int(r.nfired, 3, "self re-arming timer fired 3 times, then "
	    "cancelled itself");
	sched_all_now(r.s);
	run(&r, 0, 50);
	tap_ok(r.nfired == 3, "feed 7 is gone after cancelling itself; "
	    "others remain (%d fired)", r.nfired);

	/* Free with timers pending: no leak (ASan), nothing fires after. */
	sched_set(r.s, 8, 10);
	sched_free(r.s);
	sched_free(NULL);
	r.s = NULL;
	run(&r, 0, 50);
	tap_is_int(r.nfired, 0, "nothing fires after sched_free");

	event_base_free(r.base);
	test_plan();
	test_backoff();
	test_spread();
	test_set_us();
	return (tap_done());
}

#define SEC	((int64_t)1000)
#define MIN	(60 * SEC)
#define HOUR	(60 * MIN)
#define DAY	(24 * HOUR)
/* Monday 1 January 2024, 00:00 UTC. */
#define MONDAY	((int64_t)1704067200 * SEC)

static void
plan_init(struct sched_plan *p)
{
	memset(p, 0, sizeof *p);
	p->interval = 30 * MIN;
	p->min = 5 * MIN;
	p->max = DAY;
	p->max_age = -1;
	p->retry_after = -1;
	p->now = MONDAY + 10 * HOUR;
}

/* sched_plan_delay: hints, clamps, backoff, Retry-After, skips, jitter. */
static void
test_plan(void)
{
	struct sched_plan	 p;
	const char		*why;
	int64_t			 d, lo = INT64_MAX, hi = 0;
	int			 i, ok;

	plan_init(&p);
	tap_is_int(sched_plan_delay(&p, &why), 30 * MIN, "plan: the interval");
	tap_is_str(why, "interval", "plan: why interval");

	p.interval = MIN;
	tap_is_int(sched_plan_delay(&p, &why), 5 * MIN,
	    "plan: min_interval raises a short interval");
	tap_is_str(why, "min_interval", "plan: why min_interval");

	plan_init(&p);
	p.ttl = 60 * MIN;
	tap_is_int(sched_plan_delay(&p, &why), 60 * MIN, "plan: ttl longer "
	    "than the interval wins");
	tap_is_str(why, "ttl", "plan: why ttl");
	p.ttl = 10 * MIN;
	tap_is_int(sched_plan_delay(&p, &why), 30 * MIN, "plan: a shorter ttl "
	    "does not poll more often");
	tap_is_str(why, "interval", "plan: why interval, not ttl");

	plan_init(&p);
	p.ttl = 60 * MIN;
	p.update_period = 2 * HOUR;
	tap_is_int(sched_plan_delay(&p, &why), 2 * HOUR,
	    "plan: sy:updatePeriod, the longest hint");
	tap_is_str(why, "sy:updatePeriod", "plan: why sy:updatePeriod");
	p.max_age = 3 * HOUR;
	tap_is_int(sched_plan_delay(&p, &why), 3 * HOUR,
	    "plan: Cache-Control max-age, the longest hint");
	tap_is_str(why, "Cache-Control", "plan: why Cache-Control");
	p.max_age = 0;
	tap_is_int(sched_plan_delay(&p, NULL), 2 * HOUR,
	    "plan: max-age=0 shortens nothing");
	p.ttl = 3 * DAY;
	tap_is_int(sched_plan_delay(&p, &why), DAY,
	    "plan: a hint is clamped to max_interval");
	tap_is_str(why, "max_interval", "plan: why max_interval");

	/* Errors: backoff, Retry-After, both capped. */
	plan_init(&p);
	p.errors = 3;
	d = sched_plan_delay(&p, &why);
	tap_ok(d <= 240 * MIN && d >= 216 * MIN, "plan: 3 errors back off "
	    "to 8 intervals less up to 10%% (%lld)", (long long)d);
	tap_is_str(why, "backoff", "plan: why backoff");
	p.ttl = 10 * HOUR;
	tap_ok(sched_plan_delay(&p, NULL) <= 240 * MIN,
	    "plan: hints do not lengthen a backoff");
	p.ttl = 0;
	p.retry_after = 10 * HOUR;
	tap_is_int(sched_plan_delay(&p, &why), 10 * HOUR,
	    "plan: a longer Retry-After wins");
	tap_is_str(why, "Retry-After", "plan: why Retry-After");
	p.retry_after = 2 * MIN;
	tap_ok(sched_plan_delay(&p, &why) >= 216 * MIN, "plan: a shorter "
	    "Retry-After does not cut the backoff");
	p.retry_after = 30 * DAY;
	tap_is_int(sched_plan_delay(&p, &why), DAY,
	    "plan: Retry-After is clamped to max_interval (HOSTILE-40)");
	tap_is_str(why, "max_interval", "plan: why max_interval");
	p.errors = 1000;
	p.retry_after = -1;
	d = sched_plan_delay(&p, NULL);
	tap_ok(d <= DAY && d >= DAY - DAY / 10, "plan: a long streak stays "
	    "under max_interval (%lld)", (long long)d);

	/* skipHours and skipDays, in UTC. */
	plan_init(&p);
	p.now = MONDAY;
	p.interval = HOUR;
	p.skip_hours = 0x3eU;		/* 01:00 to 05:59 */
	tap_is_int(sched_plan_delay(&p, &why), 6 * HOUR,
	    "plan: skipHours 1-5 moves a 01:00 poll to 06:00");
	tap_is_str(why, "skipHours", "plan: why skipHours");
	p.now = MONDAY + 30 * MIN;
	tap_is_int(sched_plan_delay(&p, NULL), 5 * HOUR + 30 * MIN,
	    "plan: to the start of the first hour not skipped");
	p.skip_hours = 0;
	p.skip_days = 1U << 1;		/* Monday */
	p.now = MONDAY;
	tap_is_int(sched_plan_delay(&p, &why), DAY,
	    "plan: skipDays Monday moves a Monday poll to Tuesday 00:00");
	tap_is_str(why, "skipDays", "plan: why skipDays");
	p.skip_days = 0x7f;
	tap_is_int(sched_plan_delay(&p, NULL), HOUR,
	    "plan: every day skipped: the hint is ignored");
	p.skip_days = 0;
	p.skip_hours = 0xffffffU;
	tap_is_int(sched_plan_delay(&p, NULL), HOUR,
	    "plan: every hour skipped: the hint is ignored");
	p.skip_hours = 0;
	p.skip_days = 0x7fU & ~(1U << 0);	/* all but Sunday */
	p.max = 2 * DAY;
	tap_is_int(sched_plan_delay(&p, &why), 2 * DAY,
	    "plan: a skip never waits beyond max_interval");
	tap_is_str(why, "max_interval", "plan: why max_interval after skip");
	p.max = DAY;
	p.skip_days = 0;
	p.skip_hours = 0x3eU;
	p.errors = 1;
	p.now = MONDAY;
	tap_ok(sched_plan_delay(&p, NULL) <= 2 * HOUR,
	    "plan: skipHours do not delay a retry after an error");

	/* Jitter: within 10%, within [min, max], and varied. */
	plan_init(&p);
	p.jitter = 1;
	ok = 1;
	for (i = 0; i < 1000; i++) {
		d = sched_plan_delay(&p, NULL);
		if (d < 30 * MIN || d > 33 * MIN)
			ok = 0;
		if (d < lo)
			lo = d;
		if (d > hi)
			hi = d;
	}
	tap_ok(ok, "plan: jitter adds at most 10%%");
	tap_ok(hi - lo > MIN, "plan: jitter spreads feeds (%lld..%lld)",
	    (long long)lo, (long long)hi);
	p.interval = 2 * DAY;
	ok = 1;
	for (i = 0; i < 1000; i++) {
		d = sched_plan_delay(&p, NULL);
		if (d > DAY || d < DAY - DAY / 10)
			ok = 0;
	}
	tap_ok(ok, "plan: at max_interval jitter only shortens");
	p.interval = p.min = p.max = 5 * MIN;
	tap_is_int(sched_plan_delay(&p, NULL), 5 * MIN,
	    "plan: min = max leaves no room for jitter");
}

/* sched_backoff: sched_next_delay's figure before the jitter. */
static void
test_backoff(void)
{
	int64_t	d;
	int	i, ok = 1;

	tap_is_int(sched_backoff(60000, 0, 86400000), 60000,
	    "backoff: no error: the interval");
	tap_is_int(sched_backoff(60000, 1, 86400000), 120000,
	    "backoff: 1 error: doubled");
	tap_is_int(sched_backoff(60000, 4, 86400000), 960000,
	    "backoff: 4 errors: 16x");
	tap_is_int(sched_backoff(60000, 20, 3600000), 3600000,
	    "backoff: capped at max");
	tap_is_int(sched_backoff(60000, 3, 0), 480000, "backoff: no max");
	tap_is_int(sched_backoff(1000, INT_MAX, INT64_MAX), INT64_MAX,
	    "backoff: saturates");
	for (i = 0; i < 200; i++) {
		d = sched_next_delay(60000, 4, 86400000);
		if (d > sched_backoff(60000, 4, 86400000) ||
		    d < sched_backoff(60000, 4, 86400000) * 9 / 10)
			ok = 0;
	}
	tap_ok(ok, "backoff: the jittered delay is within 10%% below it");
}

/*
 * The start-up spread (issue 4): 10,000 feeds due at once do not all
 * start at once. 5 s window, 2 ms step, spread above 32 feeds, as
 * feedmuxd has it.
 */
static void
test_spread(void)
{
	int64_t	 prev, o, zero_ms = 0, gap, mingap = INT64_MAX;
	int64_t	 maxgap = 0;
	size_t	 i, n;
	int	 increasing = 1, within = 1, ok;

	n = 10000;
	prev = -1;
	for (i = 0; i < n; i++) {
		o = sched_spread(n, i, 32, 2, 5000);
		if (o <= prev)
			increasing = 0;
		if (o < 0 || o >= 5000 * 1000)
			within = 0;
		if (o / 1000 == 0)
			zero_ms++;
		if (prev >= 0) {
			gap = o - prev;
			if (gap < mingap)
				mingap = gap;
			if (gap > maxgap)
				maxgap = gap;
		}
		prev = o;
	}
	tap_is_int(sched_spread(n, 0, 32, 2, 5000), 0,
	    "spread: the first starts now");
	tap_ok(increasing, "spread: 10,000 offsets distinct and increasing");
	tap_ok(within, "spread: all within the 5 s window");
	tap_ok(prev >= 4990 * 1000, "spread: the last near the window's end "
	    "(%lld us)", (long long)prev);
	tap_ok(zero_ms <= 2, "spread: at most the first 2 in the first ms "
	    "(%lld)", (long long)zero_ms);
	tap_ok(mingap >= 499 && maxgap <= 501, "spread: a step of 500 us, "
	    "never 0 (%lld..%lld)", (long long)mingap, (long long)maxgap);

	/* Few enough for the step: 2 ms apart, less than the window. */
	tap_is_int(sched_spread(100, 1, 32, 2, 5000), 2000,
	    "spread: 100 feeds, 2 ms step");
	tap_is_int(sched_spread(100, 99, 32, 2, 5000), 198000,
	    "spread: 100 feeds over 198 ms");
	tap_is_int(sched_spread(2500, 2499, 32, 2, 5000), 4998000,
	    "spread: 2,500 feeds: the step still fits");
	tap_is_int(sched_spread(2501, 2500, 32, 2, 5000),
	    (int64_t)2500 * 5000000 / 2501, "spread: 2,501: by the window");

	/* Small n: all at once. */
	ok = 1;
	for (i = 0; i < 32; i++) {
		if (sched_spread(32, i, 32, 2, 5000) != 0)
			ok = 0;
	}
	tap_ok(ok, "spread: 32 feeds or fewer start at once");
	tap_is_int(sched_spread(1, 0, 32, 2, 5000), 0, "spread: one feed");
	tap_is_int(sched_spread(0, 0, 32, 2, 5000), 0, "spread: none");
	tap_is_int(sched_spread(33, 32, 32, 2, 5000), 64000,
	    "spread: 33 feeds: the last after 64 ms");
	tap_is_int(sched_spread(2, 1, 0, 2, 5000), 2000,
	    "spread: min 0: spread from 2 feeds");

	/* Out of range and huge: no overflow (UBSan), still ordered. */
	tap_is_int(sched_spread(10, 10, 0, 2, 5000), 0,
	    "spread: i past n: 0");
	tap_is_int(sched_spread(100, 50, 0, 0, 5000), 0, "spread: step 0");
	tap_is_int(sched_spread(100, 50, 0, 2, 0), 0, "spread: window 0");
	o = sched_spread(SIZE_MAX, SIZE_MAX - 1, 0, INT64_MAX, INT64_MAX);
	tap_ok(o > 0 && o <= (int64_t)366 * 86400 * 1000000,
	    "spread: SIZE_MAX feeds: within a year (%lld)", (long long)o);
	tap_ok(sched_spread(SIZE_MAX, SIZE_MAX / 2, 0, 2, 5000) <
	    sched_spread(SIZE_MAX, SIZE_MAX - 1, 0, 2, 5000),
	    "spread: SIZE_MAX feeds: still increasing");
	tap_is_int(sched_spread(1000000, 999999, 0, 2, 5000),
	    (int64_t)999999 * 5000000 / 1000000,
	    "spread: a million feeds: 5 us apart");
}

/* sched_set_us: microsecond timers keep their order. */
static void
test_set_us(void)
{
	struct record	r;

	memset(&r, 0, sizeof r);
	r.rearm_id = -1;
	if ((r.base = event_base_new()) == NULL) {
		tap_ok(0, "set_us: event_base_new");
		return;
	}
	r.s = sched_new(r.base, due_cb, &r);
	sched_set_us(r.s, 1, 30000);
	sched_set_us(r.s, 2, 500);
	sched_set_us(r.s, 3, 15000);
	sched_set_us(r.s, 4, -7);
	run(&r, 4, 2000);
	tap_ok(r.nfired == 4 && r.fired[0] == 4 && r.fired[1] == 2 &&
	    r.fired[2] == 3 && r.fired[3] == 1,
	    "set_us: fired in order of their microseconds");
	sched_free(r.s);
	event_base_free(r.base);
}
