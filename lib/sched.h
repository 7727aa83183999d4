/*
 * When each feed is due: one libevent timer per feed, and the arithmetic
 * of intervals and backoff.
 */
#ifndef SCHED_H
#define SCHED_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct sched;

/* A feed is due. */
typedef void	(*sched_due_cb)(int64_t feed_id, void *arg);

struct sched	*sched_new(struct event_base *, sched_due_cb, void *arg);
/* Free every timer. NULL-safe. */
void		 sched_free(struct sched *);

/* (Re)arm the feed's timer to fire after delay ms (0: on the next pass). */
void		 sched_set(struct sched *, int64_t feed_id, int64_t delay);
/* The same in microseconds, for the start-up spread. */
void		 sched_set_us(struct sched *, int64_t feed_id, int64_t delay);
/* Forget a feed. */
void		 sched_cancel(struct sched *, int64_t feed_id);
/* Make every known feed due now. */
void		 sched_all_now(struct sched *);

/*
 * The delay before the next poll in ms: the interval after a success;
 * after errors failures in a row, the interval doubled per failure, with
 * up to 10% jitter, capped at max. Pure.
 */
int64_t		 sched_next_delay(int64_t interval, int errors, int64_t max);
/* The same without the jitter: the longest it can be. Pure. */
int64_t		 sched_backoff(int64_t interval, int errors, int64_t max);

/*
 * The start-up spread: when the i-th (from 0) of n feeds due at once
 * starts, in microseconds from now. Up to min feeds all start at once;
 * beyond that each starts step ms after the one before, or closer so
 * that the last starts within window ms. Offsets grow with i and stay
 * distinct while n is at most window in microseconds (10,000 feeds over
 * 5 s are 500 us apart: the step is never rounded to 0). Pure.
 */
int64_t		 sched_spread(size_t n, size_t i, size_t min, int64_t step,
		     int64_t window);

/* Everything that decides when a feed is polled next. */
struct sched_plan {
	int64_t		 interval;	/* ms, the configured interval */
	int64_t		 min;		/* ms, min_interval; 0: none */
	int64_t		 max;		/* ms, max_interval; 0: none */
	int64_t		 ttl;		/* ms, RSS <ttl>; 0: none */
	int64_t		 update_period;	/* ms, sy:updatePeriod over
					   sy:updateFrequency; 0: none */
	int64_t		 max_age;	/* ms, Cache-Control max-age or
					   Expires; -1: none */
	uint32_t	 skip_hours;	/* bit h set: skip hour h (UTC) */
	uint32_t	 skip_days;	/* bit d set: skip day d, 0 =
					   Sunday ... 6 = Saturday (UTC) */
	int		 errors;	/* failures in a row, the last
					   one included; 0 after a success */
	int64_t		 retry_after;	/* ms, -1: none */
	int64_t		 now;		/* ms since the epoch, UTC */
	int		 jitter;	/* spread by up to 10% */
};

/*
 * The delay before a feed's next poll in ms, and in *why (may be NULL)
 * a static word for what decided it: "interval", "ttl",
 * "sy:updatePeriod", "Cache-Control" (max-age or Expires), "backoff",
 * "Retry-After", "skipHours", "skipDays", "min_interval" or
 * "max_interval". After a success: the longest of the interval and the
 * publisher's hints, clamped to [min, max], spread by jitter within
 * [min, max], then moved past skipped hours and days (never beyond
 * max). After errors: the backoff of sched_next_delay, or Retry-After
 * when that is longer, at most max. Pure, but for the jitter.
 */
int64_t		 sched_plan_delay(const struct sched_plan *,
		     const char **why);

#endif
