/* A tiny TAP emitter. */

#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"

static int	tap_n;
static int	tap_failed;
static int	tap_planned;

static int	tap_vok(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

void
tap_plan(int n)
{
	if (n > 0) {
		printf("1..%d\n", n);
		tap_planned = 1;
	}
}

static int
tap_vok(int cond, const char *fmt, va_list ap)
{
	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	vprintf(fmt, ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return (cond);
}

int
tap_ok(int cond, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	tap_vok(cond, fmt, ap);
	va_end(ap);
	return (cond);
}

int
tap_is_int(int64_t got, int64_t want, const char *fmt, ...)
{
	va_list	ap;
	int	cond = got == want;

	va_start(ap, fmt);
	tap_vok(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("# got %lld, want %lld\n", (long long)got,
		    (long long)want);
	return (cond);
}

int
tap_is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list	ap;
	int	cond;

	if (got == NULL || want == NULL)
		cond = got == want;
	else
		cond = strcmp(got, want) == 0;
	va_start(ap, fmt);
	tap_vok(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("# got  \"%s\"\n# want \"%s\"\n",
		    got != NULL ? got : "(null)", want != NULL ? want : "(null)");
	return (cond);
}

void
tap_diag(const char *fmt, ...)
{
	va_list	ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int
tap_done(void)
{
	if (!tap_planned)
		printf("1..%d\n", tap_n);
	fflush(stdout);
	return (tap_failed == 0 ? 0 : 1);
}
