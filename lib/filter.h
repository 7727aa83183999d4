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
 * include rules, at least one of them (filter_match says which). Returns a new filter (free with
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

/* Where a rule list was set: [daemon], [category "NAME"], [feed "URL"]. */
enum filter_scope {
	FILTER_GLOBAL,
	FILTER_CATEGORY,
	FILTER_FEED
};
#define FILTER_NSCOPES	3

/*
 * Why an entry is kept or dropped. The rule is the filter's, valid
 * until it is freed; the key is the caller's (filter_rules_judge).
 */
struct filter_verdict {
	int		 keep;
	int		 scope;		/* enum filter_scope, -1: no rule */
	const char	*key;		/* the category or feed, or NULL */
	int		 include;	/* an include list decided */
	const char	*rule;		/* as written (a regex with its
					   slashes), or NULL: none of the
					   include rules matched, or no
					   rule decided */
	int		 regex;		/* the rule is a /regex/ */
};

/*
 * Match one filter and say why: the first exclude rule that matches
 * drops the entry; else, when there are include rules, the first that
 * matches keeps it and none matching drops it (rule NULL). The scope is
 * -1. Returns v->keep. NULL keeps everything.
 */
int		 filter_match(const struct filter *,
		     const struct filter_subject *, struct filter_verdict *);

/*
 * The rules of every scope: one global filter, one per category and one
 * per feed, each by a key the caller chooses (a category's slug, a
 * feed's declared URL).
 */
struct filter_rules;

struct filter_rules	*filter_rules_new(void);
void		 filter_rules_free(struct filter_rules *);

/*
 * Compile the rules of one scope (key ignored for FILTER_GLOBAL). A key
 * set twice keeps the first. Returns 0, or -1 with *cause as
 * filter_new; the rules already added stay.
 */
int		 filter_rules_add(struct filter_rules *, enum filter_scope,
		     const char *key, const char *include, const char *exclude,
		     char **cause);

/* Is there no rule at any scope (everything kept)? */
int		 filter_rules_empty(const struct filter_rules *);

/*
 * Judge an entry carried by a feed (key feed, or NULL) of a category
 * (key category, or NULL): the global, the category's and the feed's
 * rules apply. An exclude rule that matches at any scope drops it (the
 * first in the order global, category, feed is named); else each scope
 * with include rules must have one that matches (the first scope that
 * has none is named). A kept entry names the include rule of the
 * narrowest scope that has includes, or no rule. Returns the keep flag;
 * v may be NULL. A NULL rules keeps everything.
 */
int		 filter_rules_judge(const struct filter_rules *,
		     const char *category, const char *feed,
		     const struct filter_subject *, struct filter_verdict *);

/* The name of a scope: "global", "category", "feed". */
const char	*filter_scope_name(int);

#endif
