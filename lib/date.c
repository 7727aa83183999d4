/* Dates: reading the forms feeds use, writing the forms outputs need. */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "date.h"

/* Years a date may name; anything else is a typo or an attack. */
#define DATE_YEAR_MIN	1
#define DATE_YEAR_MAX	9999

/* The widest offset RFC 3339 can write (hh 00-23, mm 00-59). */
#define DATE_OFFSET_MAX	(23 * 3600 + 59 * 60)

struct date_fields {
	int	year;
	int	month;		/* 1-12 */
	int	day;		/* 1-31 */
	int	hour;
	int	min;
	int	sec;		/* 0-60: a leap second is accepted */
	int	offset;		/* seconds east of UTC */
};

static const char *const date_wdays[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const date_months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};
static const char *const date_months_long[] = {
	"January", "February", "March", "April", "May", "June",
	"July", "August", "September", "October", "November", "December"
};

static int	 date_isdigit(int);
static int	 date_isalpha(int);
static int	 date_isspace(int);
static int	 date_tolower(int);
static const char *date_skip_space(const char *);
static int	 date_digits(const char **, int, int, int *);
static size_t	 date_word(const char *, char *, size_t);
static int	 date_month_name(const char *);
static int	 date_wday_name(const char *);
static int	 date_zone_name(const char *, int *);
static int	 date_numeric_zone(const char **, int, int *);
static int	 date_is_leap(int64_t);
static int	 date_mdays(int, int);
static int	 date_valid(const struct date_fields *);
static int64_t	 date_days_from_civil(int64_t, int, int);
static void	 date_civil_from_days(int64_t, int64_t *, int *, int *);
static int64_t	 date_floor_div(int64_t, int64_t);
static void	 date_split(int64_t, int64_t *, int *, int *, int *, int *,
		     int *, int *);
static int	 date_parse_iso(const char *, struct date_fields *);
static int	 date_parse_rfc822(const char *, struct date_fields *);
static int	 date_skip_comment(const char **);

/* Locale-independent classes (sfeed's ISDIGIT and friends): digits. */
static int
date_isdigit(int c)
{
	return (c >= '0' && c <= '9');
}

/* ASCII letters only, whatever the locale. */
static int
date_isalpha(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

/* ASCII whitespace only. */
static int
date_isspace(int c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v');
}

/* ASCII lower case. */
static int
date_tolower(int c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A' + 'a');
	return (c);
}

/* Skip leading whitespace. */
static const char *
date_skip_space(const char *s)
{
	while (date_isspace((unsigned char)*s))
		s++;
	return (s);
}

/*
 * Read between min and max decimal digits at *sp into *v and advance.
 * At most 9 digits, so the value always fits an int.
 */
static int
date_digits(const char **sp, int min, int max, int *v)
{
	const char	*s = *sp;
	int		 n = 0, val = 0;

	while (n < max && date_isdigit((unsigned char)s[n])) {
		val = val * 10 + (s[n] - '0');
		n++;
	}
	if (n < min || date_isdigit((unsigned char)s[n]))
		return (-1);
	*v = val;
	*sp = s + n;
	return (0);
}

/* Copy a run of letters, lowercased, into w; return its length. */
static size_t
date_word(const char *s, char *w, size_t wsz)
{
	size_t	n = 0;

	while (date_isalpha((unsigned char)s[n])) {
		if (n + 1 < wsz)
			w[n] = date_tolower((unsigned char)s[n]);
		n++;
	}
	w[n < wsz ? n : wsz - 1] = '\0';
	return (n);
}

/* A month by English name (three letters, or the full name): 1-12. */
static int
date_month_name(const char *w)
{
	size_t	i, j, len = strlen(w);

	for (i = 0; i < 12; i++) {
		if (len == 3 && date_tolower(date_months[i][0]) == w[0] &&
		    strcmp(date_months[i] + 1, w + 1) == 0)
			return (i + 1);
		if (len != strlen(date_months_long[i]))
			continue;
		for (j = 0; j < len; j++) {
			if (date_tolower(date_months_long[i][j]) != w[j])
				break;
		}
		if (j == len)
			return (i + 1);
	}
	/* "Sept" is common enough to be worth reading. */
	if (strcmp(w, "sept") == 0)
		return (9);
	return (0);
}

/* A day of the week by English name (three letters, or the full name). */
static int
date_wday_name(const char *w)
{
	static const char *const full[] = {
		"sunday", "monday", "tuesday", "wednesday", "thursday",
		"friday", "saturday"
	};
	size_t	i;

	for (i = 0; i < 7; i++) {
		if (strcmp(w, full[i]) == 0)
			return (1);
		if (strlen(w) == 3 && strncmp(w, full[i], 3) == 0)
			return (1);
	}
	return (0);
}

/*
 * A named zone of RFC 822/2822 (lowercased). Military letters other than
 * Z are read as UTC: RFC 822 got their signs backwards, and RFC 2822
 * says they carry no reliable offset.
 */
static int
date_zone_name(const char *w, int *offset)
{
	static const struct {
		const char	*name;
		int		 hours;
	} zones[] = {
		{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 },
		{ "est", -5 }, { "edt", -4 }, { "cst", -6 }, { "cdt", -5 },
		{ "mst", -7 }, { "mdt", -6 }, { "pst", -8 }, { "pdt", -7 }
	};
	size_t	i;

	for (i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		if (strcmp(w, zones[i].name) == 0) {
			*offset = zones[i].hours * 3600;
			return (0);
		}
	}
	if (strlen(w) == 1 && w[0] != 'j') {
		*offset = 0;
		return (0);
	}
	return (-1);
}

/*
 * A numeric zone at *sp: +hhmm, +hh:mm, or +hh when short is allowed.
 * Hours above 23 or minutes above 59 are refused.
 */
static int
date_numeric_zone(const char **sp, int short_ok, int *offset)
{
	const char	*s = *sp;
	int		 sign, hh, mm = 0;

	if (*s != '+' && *s != '-')
		return (-1);
	sign = *s == '-' ? -1 : 1;
	s++;
	if (date_digits(&s, 2, 2, &hh) != 0) {
		/* +hhmm arrives as four digits in a row. */
		if (date_digits(&s, 4, 4, &hh) != 0)
			return (-1);
		mm = hh % 100;
		hh /= 100;
	} else if (*s == ':') {
		s++;
		if (date_digits(&s, 2, 2, &mm) != 0)
			return (-1);
	} else if (!short_ok)
		return (-1);
	if (hh > 23 || mm > 59)
		return (-1);
	*offset = sign * (hh * 3600 + mm * 60);
	*sp = s;
	return (0);
}

/* Gregorian leap years. */
static int
date_is_leap(int64_t y)
{
	return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

/* Days in a month of a year. */
static int
date_mdays(int year, int month)
{
	static const int	mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (month == 2 && date_is_leap(year))
		return (29);
	return (mdays[month - 1]);
}

/* Check every field against its range: 31 February is not a date. */
static int
date_valid(const struct date_fields *f)
{
	if (f->year < DATE_YEAR_MIN || f->year > DATE_YEAR_MAX)
		return (0);
	if (f->month < 1 || f->month > 12)
		return (0);
	if (f->day < 1 || f->day > date_mdays(f->year, f->month))
		return (0);
	if (f->hour < 0 || f->hour > 23 || f->min < 0 || f->min > 59 ||
	    f->sec < 0 || f->sec > 60)
		return (0);
	if (f->offset < -DATE_OFFSET_MAX || f->offset > DATE_OFFSET_MAX)
		return (0);
	return (1);
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), on int64_t so no input can overflow it.
 */
static int64_t
date_days_from_civil(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = date_floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

/* The inverse: a day count to year, month and day. */
static void
date_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t	era, doe, yoe, doy, mp;

	z += 719468;
	era = date_floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Division rounding towards minus infinity. */
static int64_t
date_floor_div(int64_t a, int64_t b)
{
	int64_t	q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return (q);
}

/* Break a time into its UTC calendar fields. */
static void
date_split(int64_t t, int64_t *y, int *mo, int *d, int *h, int *mi, int *s,
    int *wday)
{
	int64_t	days, secs;

	/* Floor division without multiplying back (INT64_MIN must work). */
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	date_civil_from_days(days, y, mo, d);
	*h = (int)(secs / 3600);
	*mi = (int)(secs / 60 % 60);
	*s = (int)(secs % 60);
	/* 1970-01-01 was a Thursday. */
	*wday = (int)((days % 7 + 11) % 7);
}

/*
 * ISO 8601 as feeds use it (RFC 3339, W3CDTF): 2019, 2019-04, 2019-04-24,
 * then optionally T (or t, or a space) hh:mm[:ss[.frac]] and a zone
 * (Z, z, +hh:mm, +hhmm, +hh). A time without a zone is read as UTC.
 */
static int
date_parse_iso(const char *s, struct date_fields *f)
{
	if (date_digits(&s, 4, 4, &f->year) != 0)
		return (-1);
	f->month = f->day = 1;
	if (*s == '\0')
		return (0);
	if (*s++ != '-' || date_digits(&s, 2, 2, &f->month) != 0)
		return (-1);
	if (*s == '\0')
		return (0);
	if (*s++ != '-' || date_digits(&s, 2, 2, &f->day) != 0)
		return (-1);
	if (*s == '\0')
		return (0);
	if (*s != 'T' && *s != 't' && *s != ' ')
		return (-1);
	s++;
	if (date_digits(&s, 2, 2, &f->hour) != 0 || *s++ != ':' ||
	    date_digits(&s, 2, 2, &f->min) != 0)
		return (-1);
	if (*s == ':') {
		s++;
		if (date_digits(&s, 2, 2, &f->sec) != 0)
			return (-1);
		if (*s == '.' || *s == ',') {
			s++;
			if (!date_isdigit((unsigned char)*s))
				return (-1);
			while (date_isdigit((unsigned char)*s))
				s++;
		}
	}
	s = date_skip_space(s);
	if (*s == 'Z' || *s == 'z')
		s++;
	else if (*s == '+' || *s == '-') {
		if (date_numeric_zone(&s, 1, &f->offset) != 0)
			return (-1);
	}
	s = date_skip_space(s);
	return (*s == '\0' ? 0 : -1);
}

/* Skip an RFC 2822 comment such as "(PDT)"; nested ones too. */
static int
date_skip_comment(const char **sp)
{
	const char	*s = *sp;
	int		 depth = 0;

	do {
		if (*s == '\0')
			return (-1);
		if (*s == '(')
			depth++;
		else if (*s == ')')
			depth--;
		s++;
	} while (depth > 0);
	*sp = s;
	return (0);
}

/*
 * RFC 822/1123/2822: [Wdy,] DD Mon YY[YY] [hh:mm[:ss]] [zone]. The day
 * of the week is skipped without checking it: feeds get it wrong, and
 * the rest of the date is what counts. A missing zone is read as UTC.
 */
static int
date_parse_rfc822(const char *s, struct date_fields *f)
{
	char	w[16];
	size_t	n;
	int	ydigits;

	if ((n = date_word(s, w, sizeof w)) != 0) {
		if (!date_wday_name(w))
			return (-1);
		s = date_skip_space(s + n);
		if (*s == ',')
			s = date_skip_space(s + 1);
	}
	if (date_digits(&s, 1, 2, &f->day) != 0)
		return (-1);
	s = date_skip_space(s);
	if (*s == '-')
		s++;
	if ((n = date_word(s, w, sizeof w)) == 0 ||
	    (f->month = date_month_name(w)) == 0)
		return (-1);
	s += n;
	if (*s == '-')
		s++;
	s = date_skip_space(s);
	n = 0;
	while (date_isdigit((unsigned char)s[n]))
		n++;
	ydigits = (int)n;
	if (ydigits != 2 && ydigits != 4 && ydigits != 3)
		return (-1);
	if (date_digits(&s, ydigits, ydigits, &f->year) != 0)
		return (-1);
	/* RFC 2822 4.3: 00-49 are 2000-2049, 50-99 and 3 digits + 1900. */
	if (ydigits == 2)
		f->year += f->year < 50 ? 2000 : 1900;
	else if (ydigits == 3)
		f->year += 1900;
	s = date_skip_space(s);
	if (date_isdigit((unsigned char)*s)) {
		if (date_digits(&s, 1, 2, &f->hour) != 0 || *s++ != ':' ||
		    date_digits(&s, 2, 2, &f->min) != 0)
			return (-1);
		if (*s == ':') {
			s++;
			if (date_digits(&s, 2, 2, &f->sec) != 0)
				return (-1);
		}
		s = date_skip_space(s);
	}
	if (*s == '+' || *s == '-') {
		if (date_numeric_zone(&s, 0, &f->offset) != 0)
			return (-1);
	} else if ((n = date_word(s, w, sizeof w)) != 0) {
		if (n >= sizeof w || date_zone_name(w, &f->offset) != 0)
			return (-1);
		s += n;
		/* "GMT+0200" and the like: an offset from UTC, spelled out. */
		if ((*s == '+' || *s == '-') && (strcmp(w, "gmt") == 0 ||
		    strcmp(w, "ut") == 0 || strcmp(w, "utc") == 0) &&
		    date_numeric_zone(&s, 0, &f->offset) != 0)
			return (-1);
	}
	s = date_skip_space(s);
	if (*s == '(') {
		if (date_skip_comment(&s) != 0)
			return (-1);
		s = date_skip_space(s);
	}
	return (*s == '\0' ? 0 : -1);
}

int
date_parse(const char *s, int64_t *t)
{
	struct date_fields	f;
	const char		*p;
	char			 trimmed[128];
	size_t			 len;
	int			 rc;

	if (s == NULL)
		return (-1);
	s = date_skip_space(s);
	len = strlen(s);
	while (len > 0 && date_isspace((unsigned char)s[len - 1]))
		len--;
	/* No date form is this long; refuse rather than scan it. */
	if (len == 0 || len >= sizeof trimmed)
		return (-1);
	memcpy(trimmed, s, len);
	trimmed[len] = '\0';

	memset(&f, 0, sizeof f);
	p = trimmed;
	if (len >= 4 && date_isdigit((unsigned char)p[0]) &&
	    date_isdigit((unsigned char)p[1]) &&
	    date_isdigit((unsigned char)p[2]) &&
	    date_isdigit((unsigned char)p[3]))
		rc = date_parse_iso(p, &f);
	else
		rc = date_parse_rfc822(p, &f);
	if (rc != 0 || !date_valid(&f))
		return (-1);
	*t = date_days_from_civil(f.year, f.month, f.day) * 86400 +
	    f.hour * 3600 + f.min * 60 + f.sec - f.offset;
	return (0);
}

char *
date_rfc3339(int64_t t, char *buf)
{
	int64_t	y;
	int	mo, d, h, mi, s, wd;

	date_split(t, &y, &mo, &d, &h, &mi, &s, &wd);
	snprintf(buf, DATE_BUFSZ, "%04lld-%02d-%02dT%02d:%02d:%02dZ",
	    (long long)y, mo, d, h, mi, s);
	return (buf);
}

char *
date_rfc822(int64_t t, char *buf)
{
	int64_t	y;
	int	mo, d, h, mi, s, wd;

	date_split(t, &y, &mo, &d, &h, &mi, &s, &wd);
	snprintf(buf, DATE_BUFSZ, "%s, %02d %s %04lld %02d:%02d:%02d +0000",
	    date_wdays[wd], d, date_months[mo - 1], (long long)y, h, mi, s);
	return (buf);
}

char *
date_http(int64_t t, char *buf)
{
	int64_t	y;
	int	mo, d, h, mi, s, wd;

	date_split(t, &y, &mo, &d, &h, &mi, &s, &wd);
	snprintf(buf, DATE_BUFSZ, "%s, %02d %s %04lld %02d:%02d:%02d GMT",
	    date_wdays[wd], d, date_months[mo - 1], (long long)y, h, mi, s);
	return (buf);
}

char *
date_human(int64_t t, char *buf)
{
	int64_t	y;
	int	mo, d, h, mi, s, wd;

	date_split(t, &y, &mo, &d, &h, &mi, &s, &wd);
	snprintf(buf, DATE_BUFSZ, "%d %s %lld, %02d:%02d UTC", d,
	    date_months_long[mo - 1], (long long)y, h, mi);
	return (buf);
}
