/*
 * Leveled logging to stderr, one line per event. Under systemd (the
 * JOURNAL_STREAM variable names our stderr) each line carries a "<N>"
 * priority prefix that journald reads; otherwise lines carry a level word.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

/* Set up logging: program name and the most verbose level shown. */
void	log_open(const char *, enum log_level);
void	log_set_level(enum log_level);
enum log_level log_get_level(void);

void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_errorx(const char *, ...) __attribute__((format(printf, 1, 2)));

/* Log and exit(1): fatal appends strerror(errno), fatalx does not. */
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
