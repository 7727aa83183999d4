/* Unit tests for lib/date: every form feeds use, and the writers. */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "tap.h"

struct date_case {
	const char	*in;
	const char	*want;		/* RFC 3339; NULL: unreadable */
};

static void	check_case(const struct date_case *);

static const struct date_case cases[] = {
	/* RFC 822 / 1123 / 2822. */
	{ "Wed, 24 Apr 2019 12:15:00 GMT", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 12:15:00 +0000", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 12:15:00 UT", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 12:15:00 Z", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 12:15:00 UTC", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 08:15:00 EDT", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 07:15:00 EST", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 07:15:00 CDT", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 06:15:00 CST", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 06:15:00 MDT", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 05:15:00 MST", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 05:15:00 PDT", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 04:15:00 PST", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 21:15:00 +0900", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 06:45:00 -0530", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 13:15:00 +01:00", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 14:15:00 GMT+0200", "2019-04-24T12:15:00Z" },
	/* Military letters carry no reliable sign (RFC 2822 4.3): UTC. */
	{ "Wed, 24 Apr 2019 12:15:00 A", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 12:15:00 y", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 12:15:00 J", NULL },
	{ "24 Apr 2019 12:15:00 GMT", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 2019 12:15 GMT", "2019-04-24T12:15:00Z" },
	{ "Wed, 24 Apr 19 12:15:00 GMT", "2019-04-24T12:15:00Z" },
	{ "Sat, 24 Apr 99 12:15:00 GMT", "1999-04-24T12:15:00Z" },
	{ "Thu, 01 Jan 70 00:00:00 GMT", "1970-01-01T00:00:00Z" },
	{ "Mon, 24 Apr 2019 12:15:00 GMT", "2019-04-24T12:15:00Z" },
	{ "Wednesday, 24 April 2019 12:15:00 GMT", "2019-04-24T12:15:00Z" },
	{ "wed, 24 apr 2019 12:15:00 gmt", "2019-04-24T12:15:00Z" },
	{ "Wed,24 Apr 2019 12:15:00 GMT", "2019-04-24T12:15:00Z" },
	{ "  Wed, 24 Apr 2019 12:15:00 GMT \t", "2019-04-24T12:15:00Z" },
	{ "Wed, 4 Sep 2019 2:05:09 +0000", "2019-09-04T02:05:09Z" },
	{ "Wed, 24 Apr 2019 12:15:00 -0700 (PDT)", "2019-04-24T19:15:00Z" },
	{ "Wed, 24 Apr 2019", "2019-04-24T00:00:00Z" },
	{ "Wed, 24 Apr 2019 12:15:00", "2019-04-24T12:15:00Z" },
	{ "Thu, 29 Feb 2024 23:59:59 GMT", "2024-02-29T23:59:59Z" },
	{ "Sat, 31 Dec 2016 23:59:60 GMT", "2017-01-01T00:00:00Z" },
	{ "Sun, 01 Jan 2023 00:30:00 +0100", "2022-12-31T23:30:00Z" },
	/* ISO 8601 / RFC 3339 / W3CDTF. */
	{ "2019-04-24T12:15:00Z", "2019-04-24T12:15:00Z" },
	{ "2019-04-24t12:15:00z", "2019-04-24T12:15:00Z" },
	{ "2019-04-24 12:15:00Z", "2019-04-24T12:15:00Z" },
	{ "2019-04-24T12:15:00.123456Z", "2019-04-24T12:15:00Z" },
	{ "2019-04-24T14:15:00+02:00", "2019-04-24T12:15:00Z" },
	{ "2019-04-24T14:15:00+0200", "2019-04-24T12:15:00Z" },
	{ "2019-04-24T14:15:00+02", "2019-04-24T12:15:00Z" },
	{ "2019-04-24T07:15:00-05:00", "2019-04-24T12:15:00Z" },
	{ "2019-04-24T12:15Z", "2019-04-24T12:15:00Z" },
	{ "2019-04-24T12:15:00", "2019-04-24T12:15:00Z" },
	{ "2019-04-24", "2019-04-24T00:00:00Z" },
	{ "2019-04", "2019-04-01T00:00:00Z" },
	{ "2019", "2019-01-01T00:00:00Z" },
	{ "1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z" },
	{ "2000-02-29T00:00:00Z", "2000-02-29T00:00:00Z" },
	{ "9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z" },
	{ "0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z" },
	/* Unreadable: -1, never "now" (HOSTILE-18). */
	{ "", NULL },
	{ "   ", NULL },
	{ "yesterday", NULL },
	{ "1e10", NULL },
	{ "1556108100", NULL },
	{ "Tue, 31 Feb 2024 12:00:00 GMT", NULL },
	{ "2024-02-31T12:00:00Z", NULL },
	{ "2023-02-29", NULL },
	{ "1900-02-29", NULL },
	{ "0000-01-01T00:00:00Z", NULL },
	{ "Sat, 01 Jan 0000 00:00:00 GMT", NULL },
	{ "99999-01-01T00:00:00Z", NULL },
	{ "Sat, 01 Jan 99999 00:00:00 GMT", NULL },
	{ "2019-04-24T12:15:00+9999", NULL },
	{ "Wed, 24 Apr 2019 12:15:00 +9999", NULL },
	{ "2019-04-24T12:15:00+24:00", NULL },
	{ "2019-04-24T12:15:00+01:60", NULL },
	{ "2019-13-01", NULL },
	{ "2019-00-10", NULL },
	{ "2019-04-00", NULL },
	{ "2019-04-24T24:00:00Z", NULL },
	{ "2019-04-24T12:60:00Z", NULL },
	{ "2019-04-24T12:15:61Z", NULL },
	{ "2019-04-24T12:15:00ZZ", NULL },
	{ "2019-04-24T12:15:00 garbage", NULL },
	{ "2019-4-24", NULL },
	{ "20190424", NULL },
	{ "2019-04-24T", NULL },
	{ "2019-04-24T12:15:00.Z", NULL },
	{ "Wed, 32 Apr 2019 12:15:00 GMT", NULL },
	{ "Wed, 24 Foo 2019 12:15:00 GMT", NULL },
	{ "Wed, 24 Apr 2019 12:15:00 XYZ", NULL },
	{ "Wed, 24 Apr 2019 25:15:00 GMT", NULL },
	{ "Wed, 24 Apr 2019 12:15:00 GMT trailing", NULL },
	{ "Wed, 24 Apr 2019 12:15:00 +0000 (unclosed", NULL },
	{ "Apr 24 2019", NULL },
	{ "Wed, 24 Apr 99999999999999999999 12:15:00 GMT", NULL },
	{ "9223372036854775807", NULL },
	{ "-2019-04-24", NULL },
};

/* Feed one case through date_parse and compare as RFC 3339. */
static void
check_case(const struct date_case *c)
{
	char	buf[DATE_BUFSZ];
	int64_t	t = 12345;
	int	rc;

	rc = date_parse(c->in, &t);
	if (c->want == NULL) {
		tap_ok(rc == -1 && t == 12345, "reject \"%s\"", c->in);
		return;
	}
	if (!tap_ok(rc == 0, "parse \"%s\"", c->in))
		return;
	tap_is_str(date_rfc3339(t, buf), c->want, "value of \"%s\"", c->in);
}

int
main(void)
{
	char		 buf[DATE_BUFSZ], big[4096];
	int64_t		 t;
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_case(&cases[i]);
	tap_ok(date_parse(NULL, &t) == -1, "NULL is not a date");

	/* A very long string is refused without reading past it. */
	memset(big, '9', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	tap_ok(date_parse(big, &t) == -1, "4 KB of digits is not a date");

	/* Exact values, not only round trips. */
	tap_ok(date_parse("2019-04-24T12:15:00Z", &t) == 0 &&
	    t == 1556108100, "2019-04-24T12:15:00Z is 1556108100");
	tap_ok(date_parse("1970-01-01T00:00:00Z", &t) == 0 && t == 0,
	    "the epoch is 0");
	tap_ok(date_parse("1969-12-31T23:59:59Z", &t) == 0 && t == -1,
	    "one second before the epoch is -1");

	/* The writers. */
	t = 1556108100;
	tap_is_str(date_rfc3339(t, buf), "2019-04-24T12:15:00Z", "rfc3339");
	tap_is_str(date_rfc822(t, buf), "Wed, 24 Apr 2019 12:15:00 +0000",
	    "rfc822");
	tap_is_str(date_http(t, buf), "Wed, 24 Apr 2019 12:15:00 GMT",
	    "http date");
	tap_is_str(date_human(t, buf), "24 April 2019, 12:15 UTC", "human");
	tap_is_str(date_rfc822(0, buf), "Thu, 01 Jan 1970 00:00:00 +0000",
	    "rfc822 of the epoch");
	tap_is_str(date_http(-1, buf), "Wed, 31 Dec 1969 23:59:59 GMT",
	    "http date before the epoch");
	tap_is_str(date_human(951782400, buf), "29 February 2000, 00:00 UTC",
	    "human on a leap day");
	tap_is_str(date_rfc3339(253402300799, buf), "9999-12-31T23:59:59Z",
	    "rfc3339 of the last readable second");

	/* Every writer round-trips through the reader. */
	t = 1700000000;
	tap_ok(date_parse(date_rfc822(t, buf), &t) == 0 && t == 1700000000,
	    "rfc822 round trip");
	tap_ok(date_parse(date_http(t, buf), &t) == 0 && t == 1700000000,
	    "http date round trip");
	tap_ok(date_parse(date_rfc3339(t, buf), &t) == 0 && t == 1700000000,
	    "rfc3339 round trip");

	/* Extreme times must not overflow in the writers (HOSTILE-18). */
	date_rfc3339(INT64_MIN, buf);
	tap_ok(strlen(buf) > 0 && strlen(buf) < DATE_BUFSZ,
	    "rfc3339 of INT64_MIN stays in the buffer");
	date_http(INT64_MAX, buf);
	tap_ok(strlen(buf) > 0 && strlen(buf) < DATE_BUFSZ,
	    "http date of INT64_MAX stays in the buffer");
	date_human(INT64_MAX, buf);
	tap_ok(strlen(buf) > 0 && strlen(buf) < DATE_BUFSZ,
	    "human date of INT64_MAX stays in the buffer");

	return (tap_done());
}
