/*
 * Allocators that never return NULL: on failure they log and exit
 * (fatalx), so callers do not check their results.
 */
#ifndef XMALLOC_H
#define XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

/* Freed heap kept for reuse instead of trimmed (xmalloc_tune). */
#define XMALLOC_TRIM	(4 * 1024 * 1024)

/* Tune the allocator for a long-lived process that parses many feeds. */
void	 xmalloc_tune(void);
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
/* Set *cause to a formatted message, if cause is not NULL. */
void	 xcause(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
