/* Growable buffers and XML-safe escaping. */

#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "xmalloc.h"

static size_t	utf8_next(const unsigned char *, size_t, uint32_t *);
static int	xml_char_ok(uint32_t);
static void	buf_grow(struct buf *, size_t);
static void	buf_add_clean(struct buf *, const char *, size_t, int);

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->size = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

/* Empty the buffer but keep its memory. */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

/* Make room for n more bytes and the terminating NUL. */
static void
buf_grow(struct buf *b, size_t n)
{
	size_t	need;

	if (n >= SIZE_MAX - b->len - 1)
		fatalx("buf: size overflow");
	need = b->len + n + 1;
	if (need <= b->size)
		return;
	if (b->size == 0)
		b->size = 256;
	while (b->size < need)
		b->size = b->size > SIZE_MAX / 2 ? need : b->size * 2;
	b->data = xrealloc(b->data, b->size);
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n != 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = xvasprintf(&s, fmt, ap);
	va_end(ap);
	buf_add(b, s, n);
	free(s);
}

char *
buf_steal(struct buf *b, size_t *len)
{
	char	*p;

	if (b->data == NULL) {
		buf_grow(b, 0);
		b->data[0] = '\0';
	}
	/*
	 * Give back the slack doubling left when it is more than a quarter:
	 * a parse keeps a thousand entries' texts, and their slack was a
	 * sixth of its peak on a 50 MB feed. glibc shrinks in place.
	 */
	if (b->size > 256 && b->size - b->len - 1 > b->size / 4)
		b->data = xrealloc(b->data, b->len + 1);
	p = b->data;
	if (len != NULL)
		*len = b->len;
	buf_init(b);
	return (p);
}

/*
 * Decode one UTF-8 sequence from s (n > 0 bytes). Return its length and
 * set *cp, or return 0 for an invalid sequence (one byte to skip).
 */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t	c;
	size_t		len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return (1);
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return (0);
	if (n < len)
		return (0);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return (0);
	*cp = c;
	return (len);
}

/* Is this code point allowed in an XML 1.0 document? */
static int
xml_char_ok(uint32_t c)
{
	if (c == 0x9 || c == 0xa || c == 0xd)
		return (1);
	if (c < 0x20)
		return (0);
	if (c >= 0x7f && c <= 0x9f)
		return (0);	/* C1 controls: allowed by XML, useless here. */
	if (c == 0xfffe || c == 0xffff)
		return (0);
	return (1);
}

/*
 * Bytes copied as they are: bit 0 when not escaping (printable ASCII,
 * tab, newline, carriage return), bit 1 when escaping for XML (the same
 * but & < > " ').
 */
static unsigned char	buf_plain[256];

static void
buf_plain_init(void)
{
	int	c;

	for (c = 0x20; c < 0x7f; c++)
		buf_plain[c] = 3;
	buf_plain['\t'] = buf_plain['\n'] = buf_plain['\r'] = 3;
	buf_plain['&'] = buf_plain['<'] = buf_plain['>'] = 1;
	buf_plain['"'] = buf_plain['\''] = 1;
}

/*
 * Walk a string as clean UTF-8, escaping for XML if asked. Bytes that
 * need nothing are copied in runs: printable ASCII is checked a byte at
 * a time without decoding, and only the rest is decoded.
 */
static void
buf_add_clean(struct buf *b, const char *s, size_t n, int escape)
{
	const unsigned char	*p = (const unsigned char *)s;
	const unsigned char	*run = p, *end = p + n;
	const char		*rep;
	uint32_t		 c;
	size_t			 l, rl;

	if (buf_plain['a'] == 0)
		buf_plain_init();
	buf_grow(b, n);
	b->data[b->len] = '\0';
	while (p < end) {
		/* The common case: printable ASCII that needs nothing. */
		while (p < end && (buf_plain[*p] & (escape ? 2 : 1)))
			p++;
		if (p == end)
			break;
		c = *p;
		if (c >= 0x20 && c < 0x7f) {
			if (!escape || (c != '&' && c != '<' && c != '>' &&
			    c != '"' && c != '\'')) {
				p++;
				continue;
			}
		} else if (c == '\t' || c == '\n' || c == '\r') {
			p++;
			continue;
		} else if (c >= 0x80 && (l = utf8_next(p, end - p, &c)) != 0 &&
		    xml_char_ok(c)) {
			p += l;
			continue;
		}
		/* p needs more than copying: flush the run before it. */
		if (p > run)
			buf_add(b, run, p - run);
		l = 1;
		rep = NULL;
		rl = 0;
		if (c == '&')
			rep = "&amp;";
		else if (c == '<')
			rep = "&lt;";
		else if (c == '>')
			rep = "&gt;";
		else if (c == '"')
			rep = "&quot;";
		else if (c == '\'')
			rep = "&#39;";
		else if (*p >= 0x80 && (l = utf8_next(p, end - p, &c)) == 0) {
			rep = "\xef\xbf\xbd";	/* Invalid: U+FFFD. */
			l = 1;
		}
		/* Otherwise a character XML forbids: dropped. */
		if (rep != NULL) {
			rl = strlen(rep);
			buf_add(b, rep, rl);
		}
		p += l;
		run = p;
	}
	if (p > run)
		buf_add(b, run, p - run);
}

void
buf_add_xml(struct buf *b, const char *s)
{
	if (s != NULL)
		buf_add_clean(b, s, strlen(s), 1);
}

uint64_t
buf_hash(uint64_t h, const void *p, size_t len)
{
	const unsigned char	*s = p;
	size_t			 i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= UINT64_C(1099511628211);
	}
	return (h);
}

/*
 * A quicker hash, eight bytes a step, for telling at once whether bytes
 * are the ones seen before; its values depend on the byte order, so it
 * is never the only word on anything stored for good.
 */
uint64_t
buf_qhash(uint64_t h, const void *p, size_t len)
{
	const unsigned char	*s = p;
	uint64_t		 w, v[4];
	size_t			 i;

	h ^= (uint64_t)len * UINT64_C(0xff51afd7ed558ccd);
	/* Four lanes, so that the multiplications overlap. */
	if (len >= 32) {
		v[0] = h;
		v[1] = h + UINT64_C(0x9e3779b97f4a7c15);
		v[2] = h ^ UINT64_C(0xbf58476d1ce4e5b9);
		v[3] = h - UINT64_C(0x94d049bb133111eb);
		for (; len >= 32; s += 32, len -= 32) {
			for (i = 0; i < 4; i++) {
				memcpy(&w, s + 8 * i, 8);
				v[i] = (v[i] ^ w) * UINT64_C(0x9e3779b97f4a7c15);
				v[i] ^= v[i] >> 31;
			}
		}
		for (i = 0; i < 4; i++)
			h = (h ^ v[i]) * UINT64_C(0xbf58476d1ce4e5b9);
	}
	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
		h ^= h >> 31;
	}
	w = 0;
	memcpy(&w, s, len);
	h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
	h ^= h >> 29;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 32;
	return (h);
}

void
buf_add_utf8(struct buf *b, const char *s, size_t n)
{
	buf_add_clean(b, s, n, 0);
}

char *
utf8_clean(const char *s, size_t n)
{
	struct buf	b;

	buf_init(&b);
	buf_add_clean(&b, s, n, 0);
	return (buf_steal(&b, NULL));
}
