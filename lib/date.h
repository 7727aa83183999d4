/*
 * Dates: every form feeds use, read into UTC seconds since the epoch,
 * and the forms our outputs write. No I/O.
 */
#ifndef DATE_H
#define DATE_H

#include <stdint.h>

#define DATE_BUFSZ	64

/*
 * Read a feed date: RFC 822/1123/2822 (named and numeric zones, two-digit
 * years, missing seconds or weekday) or ISO 8601 / RFC 3339 / W3CDTF
 * (partial dates, fractions, lowercase t and z, a space for T). Return 0
 * and set *t, or -1 if the string cannot be read as a date; never guess.
 */
int	 date_parse(const char *, int64_t *t);

/* Write t as RFC 3339 UTC: 2019-04-24T12:15:00Z. Returns buf. */
char	*date_rfc3339(int64_t, char *buf);
/* Write t as RFC 822 for RSS: Wed, 24 Apr 2019 12:15:00 +0000. */
char	*date_rfc822(int64_t, char *buf);
/* Write t as an HTTP date (IMF-fixdate): Wed, 24 Apr 2019 12:15:00 GMT. */
char	*date_http(int64_t, char *buf);
/* Write t for people: 24 April 2019, 12:15 UTC. */
char	*date_human(int64_t, char *buf);

#endif
