/*
 * The normalized types every module shares: what a parsed feed document
 * is (struct feed_doc: struct feed_meta and its struct entry list), and
 * what a stored entry looks like to the publisher and the CLI (struct
 * stored_entry). Plain data: fields are public, strings are owned by the
 * struct and freed by its *_free.
 */
#ifndef ENTRY_H
#define ENTRY_H

#include <stddef.h>
#include <stdint.h>

/* A time that is not known. Times are UTC seconds since the epoch. */
#define TIME_NONE	INT64_MIN

enum feed_format {
	FORMAT_UNKNOWN = 0,
	FORMAT_RSS090,
	FORMAT_RSS091,
	FORMAT_RSS092,
	FORMAT_RSS10,
	FORMAT_RSS20,
	FORMAT_ATOM03,
	FORMAT_ATOM10,
	FORMAT_JSON10,
	FORMAT_JSON11
};

struct enclosure {
	char	*url;
	char	*type;		/* "" when not given */
	int64_t	 length;	/* 0 when not given */
};

struct entry {
	char		 *id;		/* guid/id, else link, else hash */
	char		 *title;	/* plain text, "" when none */
	char		 *link;		/* absolute http(s) URL, or NULL */
	char		 *author;	/* name, else e-mail, or NULL */
	int64_t		  published;	/* or TIME_NONE */
	int64_t		  updated;	/* or TIME_NONE */
	char		 *summary;	/* sanitized HTML, or NULL */
	char		 *content;	/* sanitized HTML, or NULL */
	char		**categories;
	size_t		  ncategories;
	struct enclosure *enclosures;
	size_t		  nenclosures;
};

struct feed_meta {
	char	*title;		/* plain text, "" when none */
	char	*link;		/* the site (alternate link), "" when none */
	char	*subtitle;	/* plain text, "" when none */
	int64_t	 updated;	/* or TIME_NONE */
	char	*language;	/* or NULL */
	char	*author;	/* feed-level author name, or NULL */
	/*
	 * Publisher hints on how often to poll: RSS <ttl> in minutes (-1
	 * when absent); sy:updatePeriod/updateFrequency as a period in
	 * seconds (-1 when absent); RSS <skipHours> as a mask, bit h for
	 * hour h UTC (0 when absent); <skipDays> as a mask, bit 0 Sunday
	 * to bit 6 Saturday as in struct tm (0 when absent). Hints only:
	 * the scheduler decides. Entries dated in the future are kept as
	 * dated; clamping them is the store's business.
	 */
	int	 ttl;
	int64_t	 update_period;
	uint32_t skip_hours;
	uint8_t	 skip_days;
};

struct feed_doc {
	enum feed_format  format;
	struct feed_meta  meta;
	struct entry	**entries;	/* in document order */
	size_t		  nentries;
	char		 *malformed;	/* why recovery was needed, or NULL */
};

/* A source that carried a stored entry. */
struct entry_source {
	int64_t	 feed_id;
	char	*label;		/* the feed's label, else its own title */
	char	*site;		/* the feed's site link, or NULL */
	char	*feed_url;	/* the URL the feed is polled at */
	char	*feed_key;	/* its declared URL: the identity, stable
				   across permanent redirects */
	char	*link;		/* this source's link to the story, or NULL */
	int64_t	 first_seen;	/* when this source first carried it */
};

/*
 * An entry as stored: the parsed fields, the store's id, when it was
 * first seen, and the sources that carried it (the first is the one whose
 * id, link and atom:source the outputs use).
 */
struct stored_entry {
	int64_t			 id;		/* the store's integer id */
	char			*guid;		/* the entry's own id */
	char			*title;
	char			*link;
	char			*author;	/* resolved: entry, feed, label */
	int64_t			 published;
	int64_t			 updated;
	int64_t			 first_seen;
	char			*summary;
	char			*content;
	char			**categories;
	size_t			 ncategories;
	struct enclosure	*enclosures;	/* http(s) URLs */
	size_t			 nenclosures;
	struct entry_source	*sources;
	size_t			 nsources;
	char			*snippet;	/* search: matched text, or NULL */
};

/* The date outputs show: published, else updated, else first seen. */
int64_t	 stored_entry_date(const struct stored_entry *);

const char	*feed_format_name(enum feed_format);

struct entry	*entry_new(void);
void		 entry_free(struct entry *);
/* Append an entry to a document; the document owns it after. */
void		 feed_doc_add(struct feed_doc *, struct entry *);
struct feed_doc	*feed_doc_new(void);
void		 feed_doc_free(struct feed_doc *);

void		 stored_entry_free(struct stored_entry *);
void		 stored_entries_free(struct stored_entry **, size_t);

#endif
