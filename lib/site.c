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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "site.h"
#include "xmalloc.h"

#define SITE_MAX_DEPTH	8	/* directories in a name */
#define SITE_MODE	0644	/* of a file, less the umask */
#define SITE_DIR_MODE	0755
#define SITE_MANIFEST	".feedmux-site"	/* what the last run wrote */
#define SITE_MANIFEST_MAX (1024 * 1024)	/* bytes of it read */

/* A file the site holds: its name and the hash and size of its bytes. */
struct site_file {
	char		*name;
	uint64_t	 hash;
	size_t		 len;
};

struct site {
	char			*dir;
	int			 fd;
	unsigned long		 tmpseq;
	struct site_file	*old;		/* the last run's manifest */
	size_t			 nold;
	struct site_file	*files;		/* this run's */
	size_t			 nfiles;
};

static int	 site_subdir(struct site *, int, const char *, const char *,
		     char **);
static int	 site_same(int, const char *, const char *, size_t);
static int	 site_put(struct site *, int, const char *, const char *,
		     const char *, size_t, char **);
static int	 site_walk(struct site *, const char *, int, int *, char **,
		     const char **, char **);
static void	 site_files_free(struct site_file *, size_t);
static void	 site_manifest_read(struct site *);
static int	 site_manifest_write(struct site *, char **);
static int	 site_remove(struct site *, const struct site_file *, char **);

struct site *
site_open(const char *dir, char **cause)
{
	struct site	*s;
	int		 fd;

	if ((fd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC)) == -1 &&
	    errno == ENOENT) {
		if (mkdir(dir, SITE_DIR_MODE) == -1 && errno != EEXIST) {
			xcause(cause, "%s: %s", dir, strerror(errno));
			return (NULL);
		}
		fd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
	}
	if (fd == -1) {
		xcause(cause, "%s: %s", dir, strerror(errno));
		return (NULL);
	}
	s = xcalloc(1, sizeof *s);
	s->dir = xstrdup(dir);
	s->fd = fd;
	site_manifest_read(s);
	return (s);
}

void
site_close(struct site *s)
{
	if (s == NULL)
		return;
	close(s->fd);
	site_files_free(s->old, s->nold);
	site_files_free(s->files, s->nfiles);
	free(s->dir);
	free(s);
}

static void
site_files_free(struct site_file *files, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(files[i].name);
	free(files);
}

/*
 * Read the manifest the last run left: one "HASH SIZE NAME" line per
 * file it wrote. A missing, odd or symlinked one is no manifest: then
 * nothing is removed.
 */
static void
site_manifest_read(struct site *s)
{
	struct stat	 sb;
	struct buf	 b;
	char		 chunk[8192], *line, *next, *end;
	unsigned long long hash, len;
	ssize_t		 n;
	int		 fd, off;

	fd = openat(s->fd, SITE_MANIFEST, O_RDONLY|O_NOFOLLOW|O_NONBLOCK|
	    O_CLOEXEC);
	if (fd == -1)
		return;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > SITE_MANIFEST_MAX) {
		close(fd);
		return;
	}
	buf_init(&b);
	while ((n = read(fd, chunk, sizeof chunk)) > 0 &&
	    b.len < SITE_MANIFEST_MAX)
		buf_add(&b, chunk, n);
	close(fd);
	if (b.len == 0)
		goto out;
	for (line = b.data; line != NULL && *line != '\0'; line = next) {
		if ((end = strchr(line, '\n')) == NULL)
			break;
		*end = '\0';
		next = end + 1;
		if (sscanf(line, "%16llx %llu %n", &hash, &len, &off) != 2 ||
		    line[off] == '\0')
			continue;
		s->old = xreallocarray(s->old, s->nold + 1, sizeof *s->old);
		s->old[s->nold].name = xstrdup(line + off);
		s->old[s->nold].hash = hash;
		s->old[s->nold].len = len;
		s->nold++;
	}
out:
	buf_free(&b);
}

/* Write the manifest of this run, like any other file. */
static int
site_manifest_write(struct site *s, char **cause)
{
	struct buf	 b;
	size_t		 i;
	int		 rv;

	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; i < s->nfiles; i++)
		buf_printf(&b, "%016llx %llu %s\n",
		    (unsigned long long)s->files[i].hash,
		    (unsigned long long)s->files[i].len, s->files[i].name);
	rv = 0;
	if (!site_same(s->fd, SITE_MANIFEST, b.data, b.len))
		rv = site_put(s, s->fd, s->dir, SITE_MANIFEST, b.data, b.len,
		    cause);
	buf_free(&b);
	return (rv);
}

/*
 * Remove a file of the last run that this run did not write: only a
 * regular file that still holds the bytes written then (else it is the
 * user's now), then its directory if that is left empty. Returns 1 if
 * removed, 0 if left, 2 if it is gone already, -1 with *cause.
 */
static int
site_remove(struct site *s, const struct site_file *sf, char **cause)
{
	struct stat	 sb;
	struct buf	 b;
	const char	*leaf;
	char		*path = NULL, *dir, chunk[8192];
	ssize_t		 n;
	int		 dirfd, fd, same, rv = 0;

	/* A directory gone or replaced by a link: nothing of ours there. */
	if (site_walk(s, sf->name, 0, &dirfd, &path, &leaf, NULL) != 0)
		return (errno == ENOENT ? 2 : 0);
	if (fstatat(dirfd, leaf, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			rv = 2;
		goto out;
	}
	if (!S_ISREG(sb.st_mode) || (size_t)sb.st_size != sf->len)
		goto out;
	fd = openat(dirfd, leaf, O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC);
	if (fd == -1)
		goto out;
	buf_init(&b);
	while (b.len <= sf->len && (n = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(&b, chunk, n);
	close(fd);
	same = b.len == sf->len && buf_hash(BUF_HASH_INIT, b.data != NULL ?
	    b.data : "", b.len) == sf->hash;
	buf_free(&b);
	if (!same)
		goto out;
	if (unlinkat(dirfd, leaf, 0) == -1) {
		xcause(cause, "%s/%s: %s", path, leaf, strerror(errno));
		rv = -1;
		goto out;
	}
	rv = 1;

	/* Its directory too, if nothing else is in it (else rmdir fails). */
	if (leaf != sf->name) {
		if (dirfd != s->fd)
			close(dirfd);
		dir = xstrndup(sf->name, leaf - 1 - sf->name);
		if (site_walk(s, dir, 0, &dirfd, NULL, &leaf, NULL) == 0)
			unlinkat(dirfd, leaf, AT_REMOVEDIR);
		free(dir);
	}

out:
	if (dirfd >= 0 && dirfd != s->fd)
		close(dirfd);
	free(path);
	return (rv);
}

int
site_finish(struct site *s, site_removed_cb cb, void *arg, char **cause)
{
	size_t	i, j;
	int	rv;

	for (i = 0; i < s->nold; i++) {
		for (j = 0; j < s->nfiles; j++) {
			if (strcmp(s->old[i].name, s->files[j].name) == 0)
				break;
		}
		if (j < s->nfiles)
			continue;
		if ((rv = site_remove(s, &s->old[i], cause)) == -1)
			return (-1);
		if (rv != 2 && cb != NULL && cb(s->old[i].name, rv == 1, arg,
		    cause) != 0)
			return (-1);
	}
	return (site_manifest_write(s, cause));
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
		xcause(cause, "%s/%s: %s", path, name, strerror(errno));
		return (-1);
	}
	fd = openat(dirfd, name, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
	if (fd == -1) {
		if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(sb.st_mode))
			xcause(cause, "%s/%s: a symbolic link; refusing "
			    "to follow it", path, name);
		else
			xcause(cause, "%s/%s: %s", path, name,
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
		xcause(cause, "%s: cannot create a file: %s", path,
		    strerror(errno));
		free(tmp);
		return (-1);
	}
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xcause(cause, "%s/%s: %s", path, name,
			    strerror(errno));
			goto out;
		}
		off += n;
	}
	/* The new bytes are on disk before the name points at them. */
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		xcause(cause, "%s/%s: %s", path, name, strerror(errno));
		goto out;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) == -1) {
		xcause(cause, "%s/%s: %s", path, name, strerror(errno));
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

/*
 * Walk to the directory that holds name, making the missing ones if
 * create is set. Sets *dirfd (close it unless it is s->fd), *pathp (that
 * directory's name, caller frees; may be NULL) and *leafp (in name).
 * Returns 0, or -1 with *cause (if cause is not NULL).
 */
static int
site_walk(struct site *s, const char *name, int create, int *dirfd,
    char **pathp, const char **leafp, char **cause)
{
	const char	*comp, *slash;
	char		*path, *p, *part;
	int		 fd, depth = 0;

	*dirfd = s->fd;
	path = xstrdup(s->dir);
	/* Names come from the server's routes: no "..", no empty part. */
	for (comp = name; (slash = strchr(comp, '/')) != NULL;
	    comp = slash + 1) {
		part = xstrndup(comp, slash - comp);
		if (*part == '\0' || strcmp(part, ".") == 0 ||
		    strcmp(part, "..") == 0 || ++depth > SITE_MAX_DEPTH) {
			xcause(cause, "%s/%s: a bad name", s->dir, name);
			free(part);
			goto fail;
		}
		if (create)
			fd = site_subdir(s, *dirfd, path, part, cause);
		else if ((fd = openat(*dirfd, part, O_RDONLY|O_DIRECTORY|
		    O_NOFOLLOW|O_CLOEXEC)) == -1)
			xcause(cause, "%s/%s: %s", path, part,
			    strerror(errno));
		free(part);
		if (fd == -1)
			goto fail;
		if (*dirfd != s->fd)
			close(*dirfd);
		*dirfd = fd;
		xasprintf(&p, "%s/%.*s", path, (int)(slash - comp), comp);
		free(path);
		path = p;
	}
	if (*comp == '\0' || *comp == '.') {
		xcause(cause, "%s/%s: a bad name", s->dir, name);
		goto fail;
	}
	*leafp = comp;
	if (pathp != NULL)
		*pathp = path;
	else
		free(path);
	return (0);

fail:
	if (*dirfd != s->fd)
		close(*dirfd);
	*dirfd = -1;
	free(path);
	return (-1);
}

int
site_write(struct site *s, const char *name, const char *data, size_t len,
    enum site_result *res, char **cause)
{
	struct stat	 sb;
	struct site_file *sf;
	const char	*leaf;
	char		*path = NULL;
	int		 dirfd = -1, rv = -1;

	if (site_walk(s, name, 1, &dirfd, &path, &leaf, cause) != 0)
		goto out;
	if (fstatat(dirfd, leaf, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(sb.st_mode)) {
			xcause(cause, "%s/%s: a symbolic link; refusing "
			    "to write through it", path, leaf);
			goto out;
		}
		if (!S_ISREG(sb.st_mode)) {
			xcause(cause, "%s/%s: not a regular file", path,
			    leaf);
			goto out;
		}
		/* Unchanged bytes keep the file, its mtime and ETag. */
		if ((size_t)sb.st_size == len &&
		    site_same(dirfd, leaf, data, len)) {
			*res = SITE_UNCHANGED;
			rv = 0;
			goto done;
		}
	} else if (errno != ENOENT) {
		xcause(cause, "%s/%s: %s", path, leaf, strerror(errno));
		goto out;
	}
	if (site_put(s, dirfd, path, leaf, data, len, cause) != 0)
		goto out;
	*res = SITE_WRITTEN;
	rv = 0;

done:
	s->files = xreallocarray(s->files, s->nfiles + 1, sizeof *s->files);
	sf = &s->files[s->nfiles++];
	sf->name = xstrdup(name);
	sf->hash = buf_hash(BUF_HASH_INIT, data, len);
	sf->len = len;
out:
	if (dirfd >= 0 && dirfd != s->fd)
		close(dirfd);
	free(path);
	return (rv);
}
