/*
 * sax2walk: the bare baseline of bench/parse.sh. A libxml2 SAX2 push
 * parse whose callbacks only count: what reading the XML costs before
 * any normalization. Same input path as parsebench: 64 KiB pieces as
 * read(2) returns them, a new push parser per file, and the option mask
 * lib/parse.c uses (no entity substitution, no network, no DTD).
 *
 *	sax2walk [-n min_reps] [-t min_seconds] file ...
 *
 * Prints, for the best repetition, one line:
 *
 *	bytes B files F reps R best S mbps M entries E checksum C
 *	    maxrss_kib K options O
 *
 * where entries counts the <item> and <entry> elements and checksum
 * folds the element count and the character data seen.
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

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#define SAX2WALK_PIECE		(64 * 1024)
/* The mask of PARSE_OPTIONS in lib/parse.c: parse.sh compares them. */
#define SAX2WALK_OPTIONS	(XML_PARSE_NONET | XML_PARSE_RECOVER | \
				    XML_PARSE_NOCDATA | XML_PARSE_NOERROR | \
				    XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES | \
				    XML_PARSE_IGNORE_ENC)

struct sax2walk_sum {
	uint64_t	bytes;
	uint64_t	elements;
	uint64_t	entries;
	uint64_t	chars;
	uint64_t	hash;
};

static double	sax2walk_now(void);
static void	sax2walk_start_cb(void *, const xmlChar *, const xmlChar *,
		    const xmlChar *, int, const xmlChar **, int, int,
		    const xmlChar **);
static void	sax2walk_end_cb(void *, const xmlChar *, const xmlChar *,
		    const xmlChar *);
static void	sax2walk_chars_cb(void *, const xmlChar *, int);
static void	sax2walk_file(struct sax2walk_sum *, const char *);
static void	usage(void);

static char	sax2walk_buf[SAX2WALK_PIECE];

/* Monotonic seconds. */
static double
sax2walk_now(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(1, "clock_gettime");
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* Count elements, and items and entries apart. */
static void
sax2walk_start_cb(void *arg, const xmlChar *localname,
    const xmlChar *prefix, const xmlChar *uri, int nns,
    const xmlChar **ns, int nattrs, int ndefaulted, const xmlChar **attrs)
{
	xmlParserCtxtPtr	 ctxt = arg;
	struct sax2walk_sum	*sum = ctxt->_private;

	sum->elements++;
	sum->hash = sum->hash * 31 + (unsigned)nattrs;
	if (strcmp((const char *)localname, "item") == 0 ||
	    strcmp((const char *)localname, "entry") == 0)
		sum->entries++;
}

/* Ends only fold into the hash. */
static void
sax2walk_end_cb(void *arg, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	xmlParserCtxtPtr	 ctxt = arg;
	struct sax2walk_sum	*sum = ctxt->_private;

	sum->hash = sum->hash * 31 + localname[0];
}

/* Count character data and fold its first byte. */
static void
sax2walk_chars_cb(void *arg, const xmlChar *ch, int len)
{
	xmlParserCtxtPtr	 ctxt = arg;
	struct sax2walk_sum	*sum = ctxt->_private;

	sum->chars += len;
	if (len > 0)
		sum->hash = sum->hash * 31 + ch[0];
}

/* Walk one file in 64 KiB pieces, as they are read. */
static void
sax2walk_file(struct sax2walk_sum *sum, const char *path)
{
	xmlSAXHandler		 sax;
	xmlParserCtxtPtr	 ctxt;
	ssize_t			 n;
	int			 fd;

	memset(&sax, 0, sizeof sax);
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = sax2walk_start_cb;
	sax.endElementNs = sax2walk_end_cb;
	sax.characters = sax2walk_chars_cb;
	sax.ignorableWhitespace = sax2walk_chars_cb;

	if ((fd = open(path, O_RDONLY)) == -1)
		err(1, "%s", path);
	/* The user data is the context, as with XML_PARSE_RECOVER's. */
	ctxt = xmlCreatePushParserCtxt(&sax, NULL, NULL, 0, path);
	if (ctxt == NULL)
		errx(1, "%s: cannot create an XML parser", path);
	xmlCtxtUseOptions(ctxt, SAX2WALK_OPTIONS);
	ctxt->userData = ctxt;
	ctxt->_private = sum;
	for (;;) {
		if ((n = read(fd, sax2walk_buf, sizeof sax2walk_buf)) == -1)
			err(1, "%s", path);
		if (n == 0)
			break;
		sum->bytes += n;
		xmlParseChunk(ctxt, sax2walk_buf, (int)n, 0);
	}
	xmlParseChunk(ctxt, NULL, 0, 1);
	close(fd);
	if (!ctxt->wellFormed)
		warnx("%s: not well-formed", path);
	sum->hash += sum->elements + sum->chars;
	xmlFreeParserCtxt(ctxt);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: sax2walk [-n min_reps] [-t min_seconds] file ...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct sax2walk_sum	 sum, first;
	struct rusage		 ru;
	double			 min_time = 1, start, t, best = -1;
	double			 total = 0;
	int			 ch, i, reps, min_reps = 3;

	while ((ch = getopt(argc, argv, "n:t:")) != -1) {
		switch (ch) {
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

	LIBXML_TEST_VERSION
	memset(&first, 0, sizeof first);
	for (reps = 0; reps < min_reps || total < min_time; reps++) {
		memset(&sum, 0, sizeof sum);
		start = sax2walk_now();
		for (i = 0; i < argc; i++)
			sax2walk_file(&sum, argv[i]);
		t = sax2walk_now() - start;
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
	    (unsigned long long)first.hash, ru.ru_maxrss, SAX2WALK_OPTIONS);
	xmlCleanupParser();
	return (0);
}
