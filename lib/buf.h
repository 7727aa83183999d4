/*
 * A growable byte buffer, always NUL-terminated, and the escaping every
 * writer of XML and HTML shares.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	char	*data;		/* NUL-terminated; NULL until first add */
	size_t	 len;
	size_t	 size;
};

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
/* Cut the contents back to their first len bytes (len <= its length). */
void	 buf_truncate(struct buf *, size_t);
/* Append bytes, a C string, one byte, or printf output. */
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Hand over the data (never NULL, caller frees) and reset the buffer. */
char	*buf_steal(struct buf *, size_t *);

/*
 * Append a string escaped for XML/HTML text and attribute values: & < > "
 * and ' become references; invalid UTF-8 becomes U+FFFD; characters XML
 * 1.0 forbids (C0 controls but tab, LF, CR; U+FFFE, U+FFFF; surrogates)
 * are dropped.
 */
void	 buf_add_xml(struct buf *, const char *);

/*
 * FNV-1a, 64 bits: fold len bytes into the running hash h, which starts
 * as BUF_HASH_INIT. For ids and ETags, not for anything adversarial
 * where collisions would matter.
 */
#define BUF_HASH_INIT	UINT64_C(14695981039346656037)
uint64_t buf_hash(uint64_t h, const void *, size_t);
uint64_t buf_qhash(uint64_t h, const void *, size_t);

/*
 * Return a copy of a string with invalid UTF-8 replaced by U+FFFD and
 * the characters XML 1.0 forbids dropped, reading at most len bytes
 * (embedded NULs are dropped too). Caller frees.
 */
char	*utf8_clean(const char *, size_t);
/* The same, appended to a buffer. */
void	 buf_add_utf8(struct buf *, const char *, size_t);

#endif
