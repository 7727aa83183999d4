/*
 * A static site on disk: documents written into a directory the way a
 * static host or a CDN wants them. Each file is replaced atomically
 * (a temporary file and rename(2) in its own directory), only when its
 * bytes change, and nothing is written through a symbolic link found
 * in the directory.
 */
#ifndef SITE_H
#define SITE_H

#include <stddef.h>

struct site;

/* What site_write did. */
enum site_result {
	SITE_WRITTEN,
	SITE_UNCHANGED
};

/*
 * Open the directory (made if it does not exist; its parent must).
 * Returns NULL with *cause naming it.
 */
struct site	*site_open(const char *dir, char **cause);
/*
 * Write a document under a relative name ("feed.atom", "c/x.rss"); the
 * subdirectories are made. A name that is a symbolic link, or has one
 * on its way, is refused. Returns 0 and sets *res, or -1 with *cause
 * naming the file or directory.
 */
int		 site_write(struct site *, const char *name, const char *data,
		     size_t len, enum site_result *res, char **cause);
/*
 * A file an earlier run wrote, that this run did not: removed, or left
 * because it changed since (it is someone else's now). Return 0, or -1
 * with *cause to stop.
 */
typedef int	(*site_removed_cb)(const char *name, int removed, void *arg,
		    char **cause);
/*
 * After the last site_write: remove the files the last run wrote and
 * this one did not (a category gone), but only those still holding the
 * bytes written then, and their directories if left empty; then record
 * what this run wrote in DIR/.feedmux-site. Nothing else is removed;
 * with no record (the first run), nothing. Returns 0, or -1 with *cause.
 */
int		 site_finish(struct site *, site_removed_cb, void *arg,
		     char **cause);
/* Close it. NULL-safe. */
void		 site_close(struct site *);

#endif
