/*
 * libFuzzer target for lib/parse: the input is parsed whole, then again
 * split in two at a byte the input chooses (its first byte, scaled), and
 * pushed in 1-byte chunks when short. Each way must give the same answer,
 * and every field must be clean UTF-8 (HOSTILE-13).
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "entry.h"
#include "parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	*fuzz_parse(const char *, size_t, size_t, size_t,
		    const char *);
static int	 fuzz_clean(const char *);
static void	 fuzz_check(const char *, const char *);

/*
 * Parse: the first split bytes in one push, then the rest in chunks of
 * chunk bytes (0: in one push). Returns the JSON, or the cause.
 */
static char *
fuzz_parse(const char *data, size_t len, size_t split, size_t chunk,
    const char *charset)
{
	struct parse	*p;
	struct feed_doc	*d;
	char		*cause = NULL, *out;
	size_t		 off, n;
	size_t		 i, k;

	p = parse_new("https://example.org/feed", charset);
	if (chunk == 0)
		chunk = len > 0 ? len : 1;
	if (split > 0 && parse_push(p, data, split, &cause) != 0) {
		parse_free(p);
		return (cause);
	}
	for (off = split; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		if (parse_push(p, data + off, n, &cause) != 0) {
			parse_free(p);
			return (cause);
		}
	}
	if ((d = parse_end(p, &cause)) == NULL)
		return (cause);
	if (!fuzz_clean(d->meta.title) || !fuzz_clean(d->meta.link) ||
	    !fuzz_clean(d->meta.subtitle) || !fuzz_clean(d->meta.author) ||
	    !fuzz_clean(d->meta.language) || !fuzz_clean(d->malformed))
		abort();
	for (i = 0; i < d->nentries; i++) {
		if (d->entries[i]->id == NULL ||
		    !fuzz_clean(d->entries[i]->id) ||
		    !fuzz_clean(d->entries[i]->title) ||
		    !fuzz_clean(d->entries[i]->link) ||
		    !fuzz_clean(d->entries[i]->author) ||
		    !fuzz_clean(d->entries[i]->summary) ||
		    !fuzz_clean(d->entries[i]->content))
			abort();
		for (k = 0; k < d->entries[i]->ncategories; k++)
			if (!fuzz_clean(d->entries[i]->categories[k]))
				abort();
	}
	out = parse_doc_json(d);
	feed_doc_free(d);
	return (out);
}

/* Is a field valid UTF-8 with nothing XML 1.0 forbids? */
static int
fuzz_clean(const char *s)
{
	char	*c;
	int	 ok;

	if (s == NULL)
		return (1);
	c = utf8_clean(s, strlen(s));
	ok = strcmp(c, s) == 0;
	free(c);
	return (ok);
}

/*
 * Two ways of feeding must agree: the same document, or both a refusal
 * (the cause may name the first problem seen, which can depend on where
 * the bytes were cut).
 */
static void
fuzz_check(const char *a, const char *b)
{
	if (strcmp(a, b) == 0 || (*a != '{' && *b != '{'))
		return;
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const charsets[] = { NULL, "iso-8859-1",
	    "utf-16", "shift_jis" };
	const char	*doc, *charset;
	char		*whole, *split, *bytes;
	size_t		 len, at;

	if (size < 2)
		return (0);
	/* Byte 0 picks the split point and the charset; the rest is data. */
	charset = charsets[data[0] & 3];
	doc = (const char *)data + 1;
	len = size - 1;
	at = len * (data[0] >> 2) / 63;

	whole = fuzz_parse(doc, len, 0, 0, charset);
	if (at > 0 && at < len) {
		split = fuzz_parse(doc, len, at, 0, charset);
		fuzz_check(whole, split);
		free(split);
	}
	if (len <= 4096) {
		bytes = fuzz_parse(doc, len, 0, 1, charset);
		fuzz_check(whole, bytes);
		free(bytes);
	}
	free(whole);
	return (0);
}
