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
	return (tap_done());
}
