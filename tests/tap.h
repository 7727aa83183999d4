/*
 * A tiny TAP emitter for the unit tests: a plan, then one "ok" or
 * "not ok" line per check, with "# " diagnostics.
 */
#ifndef TAP_H
#define TAP_H

#include <stdint.h>

/* Announce n checks (0: the plan is printed by tap_done). */
void	tap_plan(int n);
/* Record a check; returns cond. */
int	tap_ok(int cond, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	tap_is_int(int64_t got, int64_t want, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* NULL-safe string comparison. */
int	tap_is_str(const char *got, const char *want, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the plan if deferred; return the exit status (0 if all passed). */
int	tap_done(void);

#endif
