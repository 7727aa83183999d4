/*
 * The static site writer: the documents of the publisher as files.
 *
 * Everything is done relative to descriptors (openat(2) and friends)
 * opened with O_NOFOLLOW, so that a symbolic link someone planted in
 * the directory, before or during a run, never leads a write outside
 * it: at worst rename(2) replaces the link itself, never its target.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "site.h"
#include "xmalloc.h"

#define SITE_MAX_DEPTH	8	/* directories in a name */
#define SITE_MODE	0644	/* of a file, less the umask */
#define SITE_DIR_MODE	0755

struct site {
	char	*dir;
	int	 fd;
	unsigned long tmpseq;
};

static void	 site_cause(char **, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));
static int	 site_subdir(struct site *, int, const char *, const char *,
		     char **);
static int	 site_same(int, const char *, const char *, size_t);
static int	 site_put(struct site *, int, const char *, const char *,
		     const char *, size_t, char **);

/* Set *cause, if asked for. */
static void
site_cause(char **cause, const char *fmt, ...)
{
	va_list	ap;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(cause, fmt, ap);
	va_end(ap);
}

struct site *
site_open(const char *dir, char **cause)
{
	struct site	*s;
	int		 fd;

	if ((fd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC)) == -1 &&
	    errno == ENOENT) {
		if (mkdir(dir, SITE_DIR_MODE) == -1 && errno != EEXIST) {
			site_cause(cause, "%s: %s", dir, strerror(errno));
			return (NULL);
		}
		fd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
	}
	if (fd == -1) {
		site_cause(cause, "%s: %s", dir, strerror(errno));
		return (NULL);
	}
	s = xcalloc(1, sizeof *s);
	s->dir = xstrdup(dir);
	s->fd = fd;
	return (s);
}

void
site_close(struct site *s)
{
	if (s == NULL)
		return;
	close(s->fd);
	free(s->dir);
	free(s);
}

/*
 * Open (making it if needed) the directory name in the directory at
 * dirfd, which is path. Returns its descriptor, or -1 with *cause.
 */
static int
site_subdir(struct site *s, int dirfd, const char *path, const char *name,
    char **cause)
{
	struct stat	sb;
	int		fd;

	if (mkdirat(dirfd, name, SITE_DIR_MODE) == -1 && errno != EEXIST) {
		site_cause(cause, "%s/%s: %s", path, name, strerror(errno));
		return (-1);
	}
	fd = openat(dirfd, name, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
	if (fd == -1) {
		if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(sb.st_mode))
			site_cause(cause, "%s/%s: a symbolic link; refusing "
			    "to follow it", path, name);
		else
			site_cause(cause, "%s/%s: %s", path, name,
			    strerror(errno));
		return (-1);
	}
	return (fd);
}

/* Does the regular file name at dirfd hold exactly these bytes? */
static int
site_same(int dirfd, const char *name, const char *data, size_t len)
{
	char	buf[65536];
	size_t	off = 0;
	ssize_t	n;
	int	fd, same = 0;

	fd = openat(dirfd, name, O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC);
	if (fd == -1)
		return (0);
	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			same = off == len;
			break;
		}
		if ((size_t)n > len - off ||
		    memcmp(buf, data + off, n) != 0)
			break;
		off += n;
	}
	close(fd);
	return (same);
}

/*
 * Write name at dirfd (which is path) through a new temporary file in
 * the same directory, then rename it over name: a reader sees the old
 * bytes or the new, never part of them. Returns 0, or -1 with *cause.
 */
static int
site_put(struct site *s, int dirfd, const char *path, const char *name,
    const char *data, size_t len, char **cause)
{
	char	*tmp = NULL;
	size_t	 off = 0;
	ssize_t	 n;
	int	 fd = -1, tries, rv = -1;

	for (tries = 0; tries < 100; tries++) {
		free(tmp);
		xasprintf(&tmp, ".%s.%ld.%lu.tmp", name, (long)getpid(),
		    s->tmpseq++);
		fd = openat(dirfd, tmp, O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|
		    O_CLOEXEC, SITE_MODE);
		if (fd != -1 || errno != EEXIST)
			break;
	}
	if (fd == -1) {
		site_cause(cause, "%s: cannot create a file: %s", path,
		    strerror(errno));
		free(tmp);
		return (-1);
	}
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			site_cause(cause, "%s/%s: %s", path, name,
			    strerror(errno));
			goto out;
		}
		off += n;
	}
	/* The new bytes are on disk before the name points at them. */
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		site_cause(cause, "%s/%s: %s", path, name, strerror(errno));
		goto out;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) == -1) {
		site_cause(cause, "%s/%s: %s", path, name, strerror(errno));
		goto out;
	}
	rv = 0;

out:
	if (fd != -1)
		close(fd);
	if (rv != 0)
		unlinkat(dirfd, tmp, 0);
	free(tmp);
	return (rv);
}

int
site_write(struct site *s, const char *name, const char *data, size_t len,
    enum site_result *res, char **cause)
{
	struct stat	 sb;
	char		*copy, *path, *p, *comp, *slash;
	int		 dirfd = s->fd, fd, depth = 0, rv = -1;

	copy = xstrdup(name);
	path = xstrdup(s->dir);
	comp = copy;
	/* Names come from the server's routes: no "..", no empty part. */
	while ((slash = strchr(comp, '/')) != NULL) {
		*slash = '\0';
		if (*comp == '\0' || strcmp(comp, ".") == 0 ||
		    strcmp(comp, "..") == 0 || ++depth > SITE_MAX_DEPTH) {
			site_cause(cause, "%s/%s: a bad name", s->dir, name);
			goto out;
		}
		if ((fd = site_subdir(s, dirfd, path, comp, cause)) == -1)
			goto out;
		if (dirfd != s->fd)
			close(dirfd);
		dirfd = fd;
		xasprintf(&p, "%s/%s", path, comp);
		free(path);
		path = p;
		comp = slash + 1;
	}
	if (*comp == '\0' || *comp == '.') {
		site_cause(cause, "%s/%s: a bad name", s->dir, name);
		goto out;
	}
	if (fstatat(dirfd, comp, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(sb.st_mode)) {
			site_cause(cause, "%s/%s: a symbolic link; refusing "
			    "to write through it", path, comp);
			goto out;
		}
		if (!S_ISREG(sb.st_mode)) {
			site_cause(cause, "%s/%s: not a regular file", path,
			    comp);
			goto out;
		}
		/* Unchanged bytes keep the file, its mtime and ETag. */
		if ((size_t)sb.st_size == len &&
		    site_same(dirfd, comp, data, len)) {
			*res = SITE_UNCHANGED;
			rv = 0;
			goto out;
		}
	} else if (errno != ENOENT) {
		site_cause(cause, "%s/%s: %s", path, comp, strerror(errno));
		goto out;
	}
	if (site_put(s, dirfd, path, comp, data, len, cause) != 0)
		goto out;
	*res = SITE_WRITTEN;
	rv = 0;

out:
	if (dirfd != s->fd)
		close(dirfd);
	free(path);
	free(copy);
	return (rv);
}
