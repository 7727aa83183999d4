/*
 * When each feed is due: one libevent timer per feed, and the arithmetic
 * of intervals and backoff.
 */
#ifndef SCHED_H
#define SCHED_H

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

#endif
