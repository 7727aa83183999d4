/*
 * Rules: what each output shows of the stored entries. A rule list is
 * the config's comma-separated form ("north korea, pyongyang"): each
 * rule is a word or words (matched as a phrase, on word boundaries), a
 * "quoted phrase" (which may hold commas), or a /regular expression/
 * (POSIX extended). Every rule matches case-insensitively over an
 * entry's title, text (its content, else its summary, as plain text),
 * author, link and categories. Pure functions, no I/O.
 */
#ifndef FILTER_H
#define FILTER_H

#include <stddef.h>

#include "entry.h"

#define FILTER_MAX_RULE		1024	/* bytes in one rule */
#define FILTER_MAX_RULES	256	/* rules in one list */

struct filter;

/* What rules look at: an entry's fields, prepared once. */
struct filter_subject {
	char	*fields[5];	/* title, text, author, link, categories */
	char	*folded[5];	/* the same, lower-case, spaces collapsed */
};

/*
 * Compile include and exclude lists (either may be NULL or blank). An
 * entry is kept if it matches no exclude rule and, when there are
 * include rules, at least one of them. Returns a new filter (free with
 * filter_free), or NULL with *cause ("bad rule \"/(/\": ...") if a rule
 * is malformed: an empty // or "", an unterminated quote, a regular
 * expression regcomp refuses, too long, or too many.
 */
struct filter	*filter_new(const char *include, const char *exclude,
		     char **cause);
void		 filter_free(struct filter *);

/* Does the filter have no rule at all (keeps everything)? */
int		 filter_empty(const struct filter *);

/* Check a rule list as filter_new would. Returns 0, or -1 with *cause. */
int		 filter_check(const char *list, char **cause);

/* Prepare an entry for matching; filter_subject_clear frees it. */
void		 filter_subject_init(struct filter_subject *,
		     const struct stored_entry *);
void		 filter_subject_clear(struct filter_subject *);

/* Is the entry kept? NULL keeps everything. */
int		 filter_keep(const struct filter *,
		     const struct filter_subject *);

#endif
