/*
 * parsebench: time the whole normalization of lib/parse (XML parsing,
 * sanitizing, dates, URLs) through its public API, for bench/parse.sh.
 *
 *	parsebench [-b base_url] [-n min_reps] [-t min_seconds] file ...
 *
 * One repetition parses every file in turn: parse_new, parse_push of
 * 64 KiB pieces as read(2) returns them (the input is never held whole),
 * parse_end, feed_doc_free. Repetitions go on until both min_reps
 * (default 3) and min_seconds (default 1) are reached; the best one is
 * reported, as one line:
 *
 *	bytes B files F reps R best S mbps M entries E checksum C
 *	    maxrss_kib K options O
 *
 * mbps is B / S in units of 10^6 bytes; entries is the number of entries
 * of one repetition and checksum a hash of their fields, the same in
 * every repetition (else parsebench fails), so that the work cannot be
 * optimized away; maxrss_kib is the peak resident size of the process
 * (getrusage ru_maxrss); options is parse_xml_options(), which parse.sh
 * compares with the mask of the sax2walk baseline.
 */

#include "config.h"

#include <sys/resource.h>
#include <sys/time.h>

#include <err.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "entry.h"
#include "parse.h"
#include "xmalloc.h"

#define PARSEBENCH_PIECE	(64 * 1024)

struct parsebench_sum {
	uint64_t	bytes;
	uint64_t	entries;
	uint64_t	hash;
};

static double	parsebench_now(void);
static void	parsebench_hash(uint64_t *, const void *, size_t);
static void	parsebench_hash_str(uint64_t *, const char *);
static void	parsebench_hash_int(uint64_t *, int64_t);
static void	parsebench_doc(struct parsebench_sum *,
		    const struct feed_doc *);
static void	parsebench_file(struct parsebench_sum *, const char *,
		    const char *);
static void	usage(void);

static char	parsebench_buf[PARSEBENCH_PIECE];

/* Monotonic seconds. */
static double
parsebench_now(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(1, "clock_gettime");
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* FNV-1a over some bytes. */
static void
parsebench_hash(uint64_t *h, const void *p, size_t len)
{
	const unsigned char	*s = p;
	size_t			 i;

	for (i = 0; i < len; i++) {
		*h ^= s[i];
		*h *= 0x100000001b3ULL;
	}
}

/* Hash a string and its end, or a marker for NULL. */
static void
parsebench_hash_str(uint64_t *h, const char *s)
{
	if (s == NULL)
		parsebench_hash(h, "\1", 1);
	else
		parsebench_hash(h, s, strlen(s) + 1);
}

/* Hash an integer. */
static void
parsebench_hash_int(uint64_t *h, int64_t v)
{
	parsebench_hash(h, &v, sizeof v);
}

/*
 * Fold a document into the sum: every short field whole, the length of
 * the long ones (content and summary are read by strlen all the same).
 */
static void
parsebench_doc(struct parsebench_sum *sum, const struct feed_doc *doc)
{
	const struct entry	*e;
	size_t			 i, j;

	parsebench_hash_int(&sum->hash, doc->format);
	parsebench_hash_str(&sum->hash, doc->meta.title);
	parsebench_hash_str(&sum->hash, doc->meta.link);
	parsebench_hash_int(&sum->hash, doc->meta.updated);
	for (i = 0; i < doc->nentries; i++) {
		e = doc->entries[i];
		parsebench_hash_str(&sum->hash, e->id);
		parsebench_hash_str(&sum->hash, e->title);
		parsebench_hash_str(&sum->hash, e->link);
		parsebench_hash_str(&sum->hash, e->author);
		parsebench_hash_int(&sum->hash, e->published);
		parsebench_hash_int(&sum->hash, e->updated);
		parsebench_hash_int(&sum->hash,
		    e->summary == NULL ? -1 : (int64_t)strlen(e->summary));
		parsebench_hash_int(&sum->hash,
		    e->content == NULL ? -1 : (int64_t)strlen(e->content));
		for (j = 0; j < e->ncategories; j++)
			parsebench_hash_str(&sum->hash, e->categories[j]);
		for (j = 0; j < e->nenclosures; j++)
			parsebench_hash_str(&sum->hash, e->enclosures[j].url);
	}
	sum->entries += doc->nentries;
}

/* Parse one file in 64 KiB pieces, as they are read. */
static void
parsebench_file(struct parsebench_sum *sum, const char *path,
    const char *base)
{
	struct parse	*p;
	struct feed_doc	*doc;
	char		*cause = NULL;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		err(1, "%s", path);
	p = parse_new(base, NULL);
	for (;;) {
		if ((n = read(fd, parsebench_buf, sizeof parsebench_buf)) == -1)
			err(1, "%s", path);
		if (n == 0)
			break;
		sum->bytes += n;
		if (parse_push(p, parsebench_buf, n, &cause) == -1)
			errx(1, "%s: %s", path, cause);
	}
	close(fd);
	if ((doc = parse_end(p, &cause)) == NULL)
		errx(1, "%s: %s", path, cause);
	parsebench_doc(sum, doc);
	feed_doc_free(doc);
}

static void
usage(void)
{
	fprintf(stderr, "usage: parsebench [-b base_url] [-n min_reps] "
	    "[-t min_seconds] file ...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct parsebench_sum	 sum, first;
	struct rusage		 ru;
	const char		*base = "https://bench.example.com/feed.xml";
	double			 min_time = 1, start, t, best = -1;
	double			 total = 0;
	int			 ch, i, reps, min_reps = 3;

	xmalloc_tune();	/* as feedmuxd does */
	while ((ch = getopt(argc, argv, "b:n:t:")) != -1) {
		switch (ch) {
		case 'b':
			base = optarg;
			break;
		case 'n':
			if ((min_reps = atoi(optarg)) < 1)
				usage();
			break;
		case 't':
			min_time = atof(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();

	memset(&first, 0, sizeof first);
	for (reps = 0; reps < min_reps || total < min_time; reps++) {
		memset(&sum, 0, sizeof sum);
		sum.hash = 0xcbf29ce484222325ULL;
		start = parsebench_now();
		for (i = 0; i < argc; i++)
			parsebench_file(&sum, argv[i], base);
		t = parsebench_now() - start;
		total += t;
		if (best < 0 || t < best)
			best = t;
		if (reps == 0)
			first = sum;
		else if (sum.hash != first.hash ||
		    sum.entries != first.entries || sum.bytes != first.bytes)
			errx(1, "repetition %d differs from the first", reps);
	}
	if (getrusage(RUSAGE_SELF, &ru) == -1)
		err(1, "getrusage");
	printf("bytes %llu files %d reps %d best %.6f mbps %.2f entries %llu "
	    "checksum %016llx maxrss_kib %ld options %d\n",
	    (unsigned long long)first.bytes, argc, reps, best,
	    first.bytes / best / 1e6, (unsigned long long)first.entries,
	    (unsigned long long)first.hash, ru.ru_maxrss, parse_xml_options());
	return (0);
}
