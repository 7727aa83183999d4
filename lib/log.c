/* Leveled logging to stderr, journald-friendly. */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

static void	log_vwrite(enum log_level, const char *, const char *,
		    va_list) __attribute__((format(printf, 3, 0)));

static const char	*log_name = "feedmux";
static enum log_level	 log_level = LOG_LEVEL_INFO;
static int		 log_journal;

/* Open the log: remember our name and level, detect journald. */
void
log_open(const char *name, enum log_level level)
{
	log_name = name;
	log_level = level;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

/* Change the most verbose level shown. */
void
log_set_level(enum log_level level)
{
	log_level = level;
}

/* Return the most verbose level shown. */
enum log_level
log_get_level(void)
{
	return (log_level);
}

/* Write one line; control characters from feeds never reach the log raw. */
static void
log_vwrite(enum log_level level, const char *suffix, const char *fmt,
    va_list ap)
{
	static const int	 prio[] = { 3, 4, 6, 7 };
	static const char	*word[] = { "error", "warning", "info", "debug" };
	char			 line[2048], *p;

	if (level > log_level)
		return;
	vsnprintf(line, sizeof line, fmt, ap);
	for (p = line; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	if (log_journal)
		fprintf(stderr, "<%d>%s%s%s\n", prio[level], line,
		    suffix != NULL ? ": " : "", suffix != NULL ? suffix : "");
	else
		fprintf(stderr, "%s: %s: %s%s%s\n", log_name, word[level],
		    line, suffix != NULL ? ": " : "",
		    suffix != NULL ? suffix : "");
	fflush(stderr);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARN, NULL, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	char	*e = strerror(errno);

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARN, e, fmt, ap);
	va_end(ap);
}

void
log_errorx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	char	*e = strerror(errno);

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
